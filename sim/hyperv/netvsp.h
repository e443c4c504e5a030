/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The synthetic NIC of the Hyper-V host model, shared by its files:
 *   netvsp.c      the NVSP service: versions, buffers, receive slots,
 *                 send sections, completions, sub-channels, VF messages,
 *                 control commands and counters
 *   rndis_dev.c   the RNDIS device behind it: control messages, OIDs,
 *                 packet filter, RSS, offload settings, link indications,
 *                 and the data messages in both directions
 *   nic_offload.c checksums, LSO, VLAN tags, Toeplitz (pure functions)
 * Everything runs on the host thread.
 */
#ifndef UDRV_NETVSP_H
#define UDRV_NETVSP_H

#include <stdbool.h>
#include <stdint.h>

#include "hv_model.h"
#include "netvsp_proto.h"
#include "rndis_proto.h"
#include "vswitch.h"

#define NETVSP_CLASS_GUID       HV_NETVSC_CLASS_GUID
#define NETVSP_SECTION_SIZE     6144u
#define NETVSP_MAX_MCAST        32
/* Largest guest send the host takes: an LSO packet plus headers. */
#define NETVSP_MAX_TX_MSG       (128u * 1024u)
#define NETVSP_LSO_MAX_SIZE     62780u
#define NETVSP_LSO_MIN_SEGS     2u

/* interleave= : host messages slipped between a request and its answer */
enum netvsp_interleave {
	NETVSP_INTERLEAVE_NO,
	NETVSP_INTERLEAVE_YES,          /* TXTBL and RNDIS indications */
	NETVSP_INTERLEAVE_ALL,          /* also VF association */
};

struct nic_queue_stats {
	uint64_t rx_frames;             /* wire -> guest on this channel */
	uint64_t tx_frames;             /* guest -> wire from this channel */
};

/* Host-side counters of one NIC (names as printed by "nic N stats"). */
struct nic_stats {
	uint64_t rx_frames;             /* frames given to the guest */
	uint64_t rx_bytes;
	uint64_t rx_held;               /* refused for now (filter 0, no room) */
	uint64_t rx_no_slot;            /* of which: no receive slot */
	uint64_t rx_dropped_down;       /* no receive path (not initialized) */
	uint64_t rx_dropped_filter;     /* not accepted by the packet filter */
	uint64_t rx_dropped_size;       /* longer than the MTU */
	uint64_t rx_vlan_stripped;
	uint64_t rx_csum_ok;            /* validated, all checksums good */
	uint64_t rx_csum_bad;           /* validated, a checksum bad */
	uint64_t rx_hashed;
	uint64_t rx_rss_fallback;       /* table named a closed channel */
	uint64_t tx_packets;            /* RNDIS data messages from the guest */
	uint64_t tx_frames;             /* frames put on the wire */
	uint64_t tx_bytes;
	uint64_t tx_no_wire;            /* frames with nowhere to go */
	uint64_t tx_wire_busy;          /* times the wire pushed back */
	uint64_t tx_csum_ip;            /* checksums computed for the guest */
	uint64_t tx_csum_tcp;
	uint64_t tx_csum_udp;
	uint64_t tx_lso_packets;
	uint64_t tx_lso_segments;
	uint64_t tx_vlan_inserted;
	uint64_t tx_offload_errors;     /* offload asked with a bad PPI/frame */
	uint64_t tx_offload_unneg;      /* offload PPI not enabled by the guest */
	uint64_t tx_dropped;            /* bad data messages (completed FAILED) */
	uint64_t completions;           /* send completions written */
	uint64_t completions_failed;
	uint64_t completions_held;      /* withheld by "noack" */
	uint64_t acks;                  /* receive slots the guest gave back */
	uint64_t bad_acks;              /* unknown, duplicate or misplaced */
	uint64_t proto_errors;          /* malformed or unexpected messages */
	uint64_t ctrl_msgs;             /* RNDIS control requests */
	uint64_t ctrl_responses;
	uint64_t indications;
	uint64_t link_changes;
	uint64_t vf_assoc_sent;
	uint64_t datapath_switches;
	uint64_t txtbl_sent;
	uint64_t injected;              /* fault-injection messages */
	struct nic_queue_stats q[HV_MAX_CHANNELS];
};

/* One frame or one completion waiting for the wire, in guest order. */
struct nic_txq_item {
	struct nic_txq_item *next;
	uint64_t trans_id;              /* completion: the request's id */
	uint32_t status;
	unsigned int chan;              /* completion: the channel it goes on */
	bool completion;
	uint32_t len;
	uint8_t frame[];
};

struct nic_chan {
	struct nic *nic;
	struct hv_chan *ch;
	unsigned int index;             /* 0 primary, else sub-channel id */
	struct nic_txq_item *txq_head;  /* wire pushed back: pending output */
	struct nic_txq_item *txq_tail;
	uint8_t *msg;                   /* guest send assembly buffer */
};

/* A control message waiting for a free receive slot. */
struct nic_ctrl_item {
	struct nic_ctrl_item *next;
	uint32_t len;
	uint8_t msg[];
};

struct nic {
	unsigned int index;             /* NIC number (vsw_nic_index) */
	struct hv_dev *dev;
	const struct hv_nic_spec *spec;
	struct vsw_port *port;
	uint8_t mac[6];

	/* guest buffers (uio maps 3 and 4), mapped by the host */
	uint8_t *recv_buf;
	size_t recv_len;
	uint32_t recv_gpadl;
	uint8_t *send_buf;
	size_t send_len;
	uint32_t send_gpadl;

	/* NVSP session: from the primary's open to its close */
	bool session;
	uint32_t nvsp_ver;              /* 0 until INIT succeeded */
	uint32_t ndis_ver;
	bool ndis_config;
	uint32_t mtu;                   /* frame size without FCS or tag */
	uint64_t caps;                  /* NDIS_CONFIG capabilities */
	bool recv_connected;
	uint32_t slot_size;
	uint32_t slot_count;
	uint32_t *slot_free;            /* stack of free slot numbers */
	uint32_t slot_nfree;
	uint8_t *slot_owner;            /* channel index + 1; 0 free */
	bool send_connected;
	uint32_t section_count;
	unsigned int subch_granted;
	unsigned int subch_opened;
	bool txtbl_sent;
	struct nic_chan *chan[HV_MAX_CHANNELS];
	struct nic_ctrl_item *ctrl_head;
	struct nic_ctrl_item *ctrl_tail;
	unsigned int interleave_turn;

	/* RNDIS device */
	bool rndis_ready;
	uint32_t filter;
	bool data_path_up;              /* RNDIS initialized this session */
	uint32_t mcast_count;
	uint8_t mcast[NETVSP_MAX_MCAST][6];
	uint8_t csum_ip4;               /* NDIS_OFFLOAD_* per protocol */
	uint8_t csum_tcp4;
	uint8_t csum_udp4;
	uint8_t csum_tcp6;
	uint8_t csum_udp6;
	bool lso4;
	bool lso6;
	bool rss_on;
	uint32_t rss_hash;              /* NDIS_HASH_* types */
	uint8_t rss_key[NDIS_RSS_KEY_SIZE];
	uint32_t rss_table[NDIS_RSS_TABLE_MAX];
	uint32_t rss_table_len;

	/* link */
	bool admin_up;                  /* "link N up|down" */
	bool wire_up;
	bool link_reported;             /* state the guest was last told */
	uint64_t link_changed_ns;

	/* VF */
	bool vf_present;                /* "vf N add|remove" */
	bool vf_announced;              /* VF association (1) sent */
	bool datapath_vf;

	/* faults */
	bool noack;
	struct nic_txq_item *held_head; /* completions withheld by noack */
	struct nic_txq_item *held_tail;

	struct nic_stats stats;
};

/* ---- netvsp.c ---- */

void nic_log(const struct nic *nic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Log and count a malformed or unexpected message from the guest. */
void nic_proto_error(struct nic *nic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* NVSP message size for the negotiated version. */
uint32_t nic_msg_size(const struct nic *nic);
/* Channels the guest may use: the primary and the granted sub-channels. */
unsigned int nic_num_channels(const struct nic *nic);
/* The open channel with this index, or NULL. */
struct nic_chan *nic_chan_get(struct nic *nic, unsigned int index);

/*
 * Take a receive slot for a data frame (control: may use the slots kept
 * for control messages). Returns the slot number and its memory (the
 * receive buffer, slot_size bytes), or -ENOSPC.
 */
int nic_slot_get(struct nic *nic, bool control, uint8_t **mem);
/* Give a slot back unused. */
void nic_slot_put(struct nic *nic, uint32_t slot);
/* Hand a filled slot (len bytes) to the guest on channel c. */
int nic_slot_post(struct nic *nic, struct nic_chan *c, uint32_t slot,
		  uint32_t len, bool control);
/* Queue an RNDIS control message (response or indication) for the guest. */
void nic_send_control(struct nic *nic, const void *msg, uint32_t len);
/* Put a finished frame on the wire for channel c (keeps it on push-back). */
void nic_wire_tx(struct nic_chan *c, const uint8_t *frame, uint32_t len);
/* The guest's data path came up (RNDIS initialized). */
void nic_data_path_up(struct nic *nic);
/* interleave=: slip a host message in before answering a request. */
void nic_interleave(struct nic *nic);

/* ---- rndis_dev.c ---- */

/* A new NVSP session: the device forgets everything the guest set. */
void rndis_reset(struct nic *nic);
/* A control message (copied, len bytes). 0, or -EPROTO if malformed. */
int rndis_control(struct nic *nic, const uint8_t *msg, uint32_t len);
/*
 * One RNDIS data message from the guest, contiguous in msg; hdr_room is
 * how many bytes of it were in the first GPA range (the header must be).
 * Frames go out through nic_wire_tx. 0, or -EPROTO: nothing was sent.
 */
int rndis_tx_packet(struct nic_chan *c, const uint8_t *msg, uint32_t len,
		    uint32_t hdr_room);
/* vsw_nic_ops.deliver: a frame from the wire for the guest. */
int rndis_rx_frame(struct nic *nic, const uint8_t *frame, uint32_t len);
/* Tell the guest the current link state if it changed (indication). */
void rndis_link_update(struct nic *nic, uint64_t now_ns, uint64_t *next_ns);
/* Send a status indication now (also used by fault injection). */
void rndis_indicate(struct nic *nic, uint32_t status);
/* The link state the device reports. */
bool rndis_link_state(const struct nic *nic);

#endif /* UDRV_NETVSP_H */
