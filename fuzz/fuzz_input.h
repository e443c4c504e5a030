/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input formats of the fuzz targets, shared by the targets and the seed
 * generator (gen_seeds.c). All integers little endian.
 *
 * fuzz_netvsc_rx: one VMBus packet exactly as it sits on the ring
 *   (descriptor, transfer-page header and ranges, NVSP payload; its
 *   length is the descriptor's len8 * 8), followed by the receive buffer
 *   (every remaining byte). Range offsets index that receive buffer.
 *
 * fuzz_netvsc_host_msg: the payload of an INBAND packet (an NVSP message).
 *
 * fuzz_vmbus_ring: a struct fuzz_ring_hdr, then hdr.ops_len bytes of
 *   operations (FUZZ_RING_OP_*, each followed by its argument bytes), then
 *   the initial contents of the RX data area, written from the initial
 *   RX read index on (wrapping). The guest's TX ring starts zeroed.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stdint.h>

/* Largest frame the rx target accepts: a 1500-byte MTU with a VLAN tag. */
#define FUZZ_MAX_FRAME 1518u

struct fuzz_ring_hdr {
	uint8_t pages;          /* data area of each direction: 1 + (pages & 1) */
	uint8_t ops_len;
	uint16_t reserved;
	/* RX direction (host writes, guest reads) */
	uint32_t rx_write_index;
	uint32_t rx_read_index;
	uint32_t rx_pending_send_sz;
	uint32_t rx_feature_bits;
	/* TX direction (guest writes, host reads) */
	uint32_t tx_write_index;
	uint32_t tx_read_index;
	uint32_t tx_interrupt_mask;
};

/* Operations on the ring pair; arguments follow the op byte. */
enum fuzz_ring_op {
	/* guest: peek packets (at most 64) from cursor 0, read each, release */
	FUZZ_RING_OP_DRAIN = 0,
	/* guest: peek at an arbitrary cursor; u16 arg, times 8 */
	FUZZ_RING_OP_PEEK_AT,
	/* host: RX write_index = u32 arg, unchecked */
	FUZZ_RING_OP_HOST_RX_WINDEX,
	/* host: append a packet to RX: u8 type, u8 offset8, u8 len8 */
	FUZZ_RING_OP_HOST_RX_PACKET,
	/* guest: write a packet of 4 * u8 arg bytes (may be unaligned),
	 * split in two iovecs
	 */
	FUZZ_RING_OP_GUEST_TX,
	/* host: TX read_index = u32 arg, unchecked */
	FUZZ_RING_OP_HOST_TX_RINDEX,
	/* host: consume everything on TX */
	FUZZ_RING_OP_HOST_TX_CONSUME,
	/* guest: rx_avail and tx_free */
	FUZZ_RING_OP_QUERY,
	/* host: RX pending_send_sz = u32 arg */
	FUZZ_RING_OP_HOST_RX_PENDING,
	/* guest: mask or unmask RX interrupts; u8 arg */
	FUZZ_RING_OP_GUEST_RX_MASK,
	/* guest: a batch of 1 + u8 % 40 completions of u8 % 64 data bytes
	 * each (vmbus_ring_write_batch)
	 */
	FUZZ_RING_OP_GUEST_TX_BATCH,
	FUZZ_RING_OP_COUNT
};

#endif /* FUZZ_INPUT_H */
