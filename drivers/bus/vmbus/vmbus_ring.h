/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest side of one VMBus ring direction: pure arithmetic on mapped memory,
 * no EAL, no sysfs, so it can be unit tested on plain buffers.
 *
 * The guest owns write_index of its TX ring and read_index of its RX ring;
 * it keeps private copies of both and never trusts what the shared page
 * says about them. Everything the host writes (the other index,
 * interrupt_mask, pending_send_sz, packet descriptors) is loaded once,
 * checked, then used. A ring whose host-written state is impossible is
 * marked broken and every later call fails with -EIO.
 */
#ifndef VMBUS_RING_H
#define VMBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmbus_wire.h"

struct vmbus_ring {
	struct vmbus_ring_ctrl *ctrl;
	uint8_t *data;
	uint32_t size;       /* bytes in the data area */
	uint32_t windex;     /* TX: our write offset (private) */
	uint32_t rindex;     /* RX: our read offset (private) */
	uint32_t last_peer;  /* TX: host's read offset last seen (checked);
			      * RX: host's write offset last seen (checked)
			      */
	bool broken;
};

/* A packet seen on the RX ring. The descriptor is a validated local copy;
 * total is the bytes the packet occupies on the ring, trailer included.
 */
struct vmbus_ring_pkt {
	struct vmbus_pkt_desc desc;
	uint32_t offset;     /* ring data offset of the descriptor */
	uint32_t len;        /* len8 * 8 */
	uint32_t total;      /* len + trailer */
};

/*
 * Attach to one direction: half points at its 4 KiB control page, half_size
 * is the direction's size including that page. Indices start from what the
 * control page holds (the kernel initialised the ring at open).
 * Returns 0, or -EINVAL for a size that cannot be a ring.
 */
int vmbus_ring_attach(struct vmbus_ring *r, void *half, size_t half_size);

/* Bytes the host has published and we have not consumed; -EIO if broken. */
int vmbus_ring_rx_avail(struct vmbus_ring *r);

/*
 * Write one packet made of iov (total length a multiple of 8) plus the
 * trailer. Sets *signal when the host must be told (it was not masking and
 * the ring was empty before this packet). Returns 0, -EAGAIN when it does
 * not fit (the ring always keeps 8 bytes free), -EINVAL for a bad length,
 * -EIO if the host corrupted the ring.
 */
int vmbus_ring_write(struct vmbus_ring *r, const struct iovec *iov,
		     unsigned int iovcnt, bool *signal);

/*
 * Write one packet: desc (offset8 must be 2: no extra header), len bytes of
 * data, zeros up to desc->len8 * 8 (less than 8 of them), and the trailer.
 * Same results as vmbus_ring_write; the fast path for small messages.
 */
int vmbus_ring_write_pkt(struct vmbus_ring *r, const struct vmbus_pkt_desc *desc,
			 const void *data, uint32_t len, bool *signal);

/*
 * Write up to n packets like vmbus_ring_write_pkt, all with desc and data
 * but the i-th with trans_ids[i], and publish them at once. Returns how
 * many were written (fewer when the ring fills), -EAGAIN when none fit,
 * other errors as vmbus_ring_write.
 */
int vmbus_ring_write_batch(struct vmbus_ring *r, const struct vmbus_pkt_desc *desc,
			   const uint64_t *trans_ids, unsigned int n,
			   const void *data, uint32_t len, bool *signal);

/*
 * Look at the packet that starts cursor bytes past our read offset, without
 * consuming it. Returns 0, -EAGAIN when no complete packet is there, -EIO
 * (and marks the ring broken) when the descriptor is impossible.
 */
int vmbus_ring_peek(struct vmbus_ring *r, uint32_t cursor,
		    struct vmbus_ring_pkt *pkt);

/* Copy len bytes from ring data offset off (wrapping) into dst. */
void vmbus_ring_copy_out(const struct vmbus_ring *r, uint32_t off,
			 void *dst, uint32_t len);

/* Pointer to len bytes at data offset off if they do not wrap, else NULL. */
static inline const void *
vmbus_ring_contiguous(const struct vmbus_ring *r, uint32_t off, uint32_t len)
{
	return (uint64_t)off + len <= r->size ? r->data + off : NULL;
}

/*
 * Consume bytes (a sum of pkt.total values) from the RX ring and publish the
 * new read offset. Returns true when the host asked, through
 * pending_send_sz, to be signalled once this much space was free and this
 * release crossed that threshold.
 */
bool vmbus_ring_release(struct vmbus_ring *r, uint32_t bytes);

/* Consumer-side interrupt mask of the RX ring (guest-owned field). */
static inline void
vmbus_ring_set_interrupt_mask(struct vmbus_ring *r, bool masked)
{
	__atomic_store_n(&r->ctrl->interrupt_mask, masked ? 1u : 0u,
			 __ATOMIC_SEQ_CST);
}

/* Free bytes for writing, before the 8-byte reserve; -EIO if broken. */
int vmbus_ring_tx_free(struct vmbus_ring *r);

#endif /* VMBUS_RING_H */
