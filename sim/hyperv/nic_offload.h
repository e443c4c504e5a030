/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The work a NIC does on frames for its driver: Internet checksums
 * (computed for sends, validated for receives), TCP segmentation (LSO),
 * 802.1Q tags (inserted from, and stripped into, per-packet info), and
 * the Toeplitz hash of RSS. Pure functions on byte buffers: no state, no
 * I/O, so they can be unit-tested alone.
 */
#ifndef UDRV_NIC_OFFLOAD_H
#define UDRV_NIC_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NIC_ETH_HLEN    14u
#define NIC_VLAN_HLEN   4u
#define NIC_ETH_P_IPV4  0x0800
#define NIC_ETH_P_IPV6  0x86dd
#define NIC_ETH_P_VLAN  0x8100
#define NIC_PROTO_TCP   6
#define NIC_PROTO_UDP   17

/* Where a frame's headers are. */
struct nic_hdrs {
	uint32_t l3_off;                /* after Ethernet and any 802.1Q tag */
	uint16_t ethertype;
	uint8_t ip_ver;                 /* 4, 6, or 0: not IP */
	uint8_t l4_proto;               /* valid when l4_off != 0 */
	uint32_t l4_off;                /* 0: no L4 header (fragment, other) */
	uint32_t l4_len;                /* L4 header + payload, per IP length */
};

/*
 * Find the headers of an Ethernet frame. Returns 0, or -EINVAL if an IP
 * header is truncated or its lengths disagree with the frame.
 */
int nic_parse(const uint8_t *f, uint32_t len, struct nic_hdrs *h);

/* One's-complement sum of data added to sum (not folded). */
uint32_t nic_csum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement: the checksum field value. */
uint16_t nic_csum_fold(uint32_t sum);

/*
 * Apply a transmit checksum request (NDIS_TXCSUM_* bits) to frame f.
 * *done gets NIC_DONE_* bits for what was computed. Returns 0, or
 * -EINVAL if the request does not match the frame (nothing changed).
 */
#define NIC_DONE_IP     0x1u
#define NIC_DONE_TCP    0x2u
#define NIC_DONE_UDP    0x4u
int nic_tx_csum(uint8_t *f, uint32_t len, uint32_t info, unsigned int *done);

/*
 * Validate the checksums asked for (NIC_DONE_* bits in want); returns the
 * NDIS_RXCSUM_* bits to report, 0 if none applied.
 */
uint32_t nic_rx_csum(const uint8_t *f, uint32_t len, unsigned int want);

/*
 * Split an LSOv2 send (info = the LSO PPI value) into frames of at most
 * max_frame bytes, fixing lengths, IP ids, sequence numbers, flags and
 * checksums. Each segment is built in seg (max_frame bytes) and handed to
 * emit. Returns the number of segments, or -EINVAL if the request does
 * not match the frame (nothing emitted).
 */
int nic_lso(const uint8_t *f, uint32_t len, uint32_t info, uint32_t max_frame,
	    uint8_t *seg, void (*emit)(void *arg, const uint8_t *seg, uint32_t len),
	    void *arg);

/* Insert an 802.1Q tag with tci; f has room for len + 4. New length. */
uint32_t nic_vlan_insert(uint8_t *f, uint32_t len, uint16_t tci);
/* Remove the outer 802.1Q tag in place; false if untagged. */
bool nic_vlan_strip(uint8_t *f, uint32_t *len, uint16_t *tci);

/* Toeplitz hash of n input bytes with a 40-byte key. */
uint32_t nic_toeplitz(const uint8_t key[40], const uint8_t *in, uint32_t n);
/*
 * RSS hash of a frame for the enabled NDIS_HASH_* types. Returns true and
 * sets *hash and *type (the one NDIS_HASH_* type used) if one applies.
 */
bool nic_rss_hash(const uint8_t *f, uint32_t len, uint32_t types,
		  const uint8_t key[40], uint32_t *hash, uint32_t *type);

#endif /* UDRV_NIC_OFFLOAD_H */
