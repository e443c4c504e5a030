/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks of what the host writes into the receive path: transfer-page
 * packets and the RNDIS messages they point to. Pure functions over
 * bytes (no EAL calls), shared by the PMD, the unit tests and the fuzzers.
 */
#ifndef NETVSC_PARSE_H
#define NETVSC_PARSE_H

#include <stdint.h>

#include <bus_vmbus.h>

#include "nvsp_wire.h"
#include "rndis_wire.h"

/* What the pure parsers extract from one received RNDIS data message. */
struct netvsc_rx_info {
	uint32_t data_off;     /* of the frame, from the message start */
	uint32_t data_len;
	uint32_t vlan;         /* RNDIS VLAN PPI value */
	uint32_t csum;         /* RNDIS RX checksum bits */
	uint32_t hash;
	uint8_t has_vlan;
	uint8_t has_csum;
	uint8_t has_hash;
};

/* Parsed transfer-page packet: NVSP RNDIS message in receive-buffer ranges. */
struct netvsc_xfer_info {
	uint32_t range_count;
	const struct vmbus_xfer_range *ranges; /* in the packet; load once */
	uint32_t mtype;
};

/* A host-initiated NVSP message (INBAND packet). */
struct netvsc_host_msg {
	uint32_t type;
	uint32_t vf_allocated;   /* VFASSOC */
	uint32_t vf_serial;
	uint32_t datapath;       /* SET_DATAPATH */
	uint32_t txtbl_count;    /* TXTBL */
	uint32_t txtbl[NVSP_TXTBL_MAX];
};

/*
 * Check a transfer-page packet: page-set id, range array within the
 * header, NVSP RNDIS message, every range within a receive buffer of
 * rxbuf_size bytes. Returns 0, -EINVAL/-ERANGE (malformed), -EPROTO (not
 * an RNDIS message).
 */
int netvsc_parse_xfer(const struct vmbus_pkt *pkt, uint32_t rxbuf_size,
		      struct netvsc_xfer_info *info);

/*
 * Check an RNDIS PACKET_MSG of avail bytes and its per-packet info; the
 * frame must be 14..max_frame bytes. Returns 0, -EINVAL, -EMSGSIZE.
 */
int netvsc_parse_rndis_packet(const uint8_t *msg, uint32_t avail,
			      uint32_t max_frame, struct netvsc_rx_info *info);

/*
 * Check the header of an RNDIS control message (completion or
 * indication) of avail bytes; *rid gets the word after the header (the
 * request id of a completion). Returns 0 or -EINVAL.
 */
int netvsc_parse_rndis_ctrl(const uint8_t *msg, uint32_t avail,
			    uint32_t *type, uint32_t *rid);

/*
 * Check a host-initiated NVSP message of len bytes. Returns 0, -EINVAL
 * (malformed), -ENOTSUP (a type the guest does not expect from the host).
 */
int netvsc_parse_host_msg(const uint8_t *data, uint32_t len,
			  struct netvsc_host_msg *m);

#endif /* NETVSC_PARSE_H */
