/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMBus ring arithmetic, guest side. See vmbus_ring.h for the ownership
 * rules. Indices are byte offsets into the data area; the ring is empty
 * when they are equal, so a writer always leaves 8 bytes free.
 */
#include <errno.h>
#include <string.h>

#include "vmbus_ring.h"

#define likely_contiguous(x) __builtin_expect(!!(x), 1)

static inline uint32_t
ring_dist(const struct vmbus_ring *r, uint32_t from, uint32_t to)
{
	return to >= from ? to - from : r->size - from + to;
}

static inline uint32_t
ring_advance(const struct vmbus_ring *r, uint32_t off, uint32_t n)
{
	uint32_t next = off + n;

	return next >= r->size ? next - r->size : next;
}

static inline bool
ring_offset_ok(const struct vmbus_ring *r, uint32_t off)
{
	return off < r->size && (off & (VMBUS_PKT_ALIGN - 1)) == 0;
}

int
vmbus_ring_attach(struct vmbus_ring *r, void *half, size_t half_size)
{
	uint32_t w, rd;

	memset(r, 0, sizeof(*r));
	if (half_size <= VMBUS_HV_PAGE_SIZE ||
	    half_size % VMBUS_HV_PAGE_SIZE != 0 ||
	    half_size - VMBUS_HV_PAGE_SIZE > UINT32_MAX / 2)
		return -EINVAL;
	r->ctrl = half;
	r->data = (uint8_t *)half + VMBUS_HV_PAGE_SIZE;
	r->size = (uint32_t)(half_size - VMBUS_HV_PAGE_SIZE);
	w = __atomic_load_n(&r->ctrl->write_index, __ATOMIC_ACQUIRE);
	rd = __atomic_load_n(&r->ctrl->read_index, __ATOMIC_ACQUIRE);
	if (!ring_offset_ok(r, w) || !ring_offset_ok(r, rd))
		return -EINVAL;
	r->windex = w;
	r->rindex = rd;
	r->last_peer = rd;
	return 0;
}

static void
ring_copy_in(struct vmbus_ring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = r->size - off;

	if (len <= first) {
		memcpy(r->data + off, src, len);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const uint8_t *)src + first, len - first);
	}
}

void
vmbus_ring_copy_out(const struct vmbus_ring *r, uint32_t off, void *dst,
		    uint32_t len)
{
	uint32_t first = r->size - off;

	if (len <= first) {
		memcpy(dst, r->data + off, len);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((uint8_t *)dst + first, r->data, len - first);
	}
}

/*
 * The host's read offset on our TX ring. It may only move forward through
 * bytes we published; anything else means the host is broken or hostile.
 */
static int
tx_peer_read_index(struct vmbus_ring *r, uint32_t *out)
{
	uint32_t rd = __atomic_load_n(&r->ctrl->read_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(r, rd) ||
	    ring_dist(r, r->last_peer, rd) > ring_dist(r, r->last_peer, r->windex)) {
		r->broken = true;
		return -EIO;
	}
	r->last_peer = rd;
	*out = rd;
	return 0;
}

int
vmbus_ring_tx_free(struct vmbus_ring *r)
{
	uint32_t rd;

	if (r->broken || tx_peer_read_index(r, &rd) < 0)
		return -EIO;
	return (int)(r->size - ring_dist(r, rd, r->windex));
}

/*
 * Free bytes at our write offset, at least need + 1 if the ring has them,
 * or -EIO. The host's read offset only moves forward, so the space
 * measured from the one seen last is a lower bound: the shared page is
 * read only when that is not enough. A writer keeps one byte (in effect
 * 8) free: a full ring would look empty.
 */
static int64_t
ring_room(struct vmbus_ring *r, uint64_t need)
{
	uint32_t room = r->size - ring_dist(r, r->last_peer, r->windex), rd;

	if (room > need)
		return room;
	if (tx_peer_read_index(r, &rd) < 0)
		return -EIO;
	return r->size - ring_dist(r, rd, r->windex);
}

/* Publish what was written from start up to off; true if the host needs
 * a signal.
 */
static bool
ring_publish(struct vmbus_ring *r, uint32_t start, uint32_t off)
{
	uint32_t rd;

	r->windex = off;
	__atomic_store_n(&r->ctrl->write_index, off, __ATOMIC_RELEASE);

	/* The host may have been going to sleep as we wrote: it only needs a
	 * signal when it does not mask us and had consumed everything we had
	 * written before this packet.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->ctrl->interrupt_mask, __ATOMIC_RELAXED) != 0)
		return false;
	if (tx_peer_read_index(r, &rd) < 0)
		return false; /* written; the next call reports the corruption */
	return rd == start;
}

/* iov then the trailer at start, not yet published; returns the end. */
static uint32_t
ring_put_iov(struct vmbus_ring *r, uint32_t start, const struct iovec *iov,
	     unsigned int iovcnt, uint64_t total)
{
	uint64_t trailer = (uint64_t)start << 32;
	uint32_t off = start;
	unsigned int i;

	if (start + total <= r->size) {
		uint8_t *p = r->data + start;

		for (i = 0; i < iovcnt; i++) {
			memcpy(p, iov[i].iov_base, iov[i].iov_len);
			p += iov[i].iov_len;
		}
		memcpy(p, &trailer, sizeof(trailer));
		return ring_advance(r, start, (uint32_t)total);
	}
	for (i = 0; i < iovcnt; i++) {
		ring_copy_in(r, off, iov[i].iov_base, (uint32_t)iov[i].iov_len);
		off = ring_advance(r, off, (uint32_t)iov[i].iov_len);
	}
	ring_copy_in(r, off, &trailer, sizeof(trailer));
	return ring_advance(r, off, sizeof(trailer));
}

int
vmbus_ring_write(struct vmbus_ring *r, const struct iovec *iov,
		 unsigned int iovcnt, bool *signal)
{
	uint64_t total = VMBUS_PKT_TRAILER_LEN;
	uint32_t start;
	unsigned int i;
	int64_t room;

	*signal = false;
	if (r->broken)
		return -EIO;
	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total % VMBUS_PKT_ALIGN != 0 || total > r->size)
		return -EINVAL;
	room = ring_room(r, total);
	if (room < 0)
		return (int)room;
	if (room <= (int64_t)total)
		return -EAGAIN;
	start = r->windex;
	*signal = ring_publish(r, start,
			       ring_put_iov(r, start, iov, iovcnt, total));
	return 0;
}

/* One small packet at start, not yet published; returns its end. */
static uint32_t
ring_put_pkt(struct vmbus_ring *r, uint32_t start,
	     const struct vmbus_pkt_desc *desc, const void *data, uint32_t len)
{
	static const uint8_t zero[VMBUS_PKT_ALIGN];
	uint32_t plen = (uint32_t)desc->len8 * 8u;
	uint32_t pad = plen - (uint32_t)sizeof(*desc) - len;
	uint64_t trailer = (uint64_t)start << 32;
	struct iovec iov[3];
	uint8_t *p;

	if (likely_contiguous(start + plen + sizeof(trailer) <= r->size)) {
		/* The common case: one run, written in place with copies
		 * of known size.
		 */
		p = r->data + start;
		memcpy(p, desc, sizeof(*desc));
		memcpy(p + sizeof(*desc), data, len);
		memset(p + sizeof(*desc) + len, 0, pad);
		memcpy(p + plen, &trailer, sizeof(trailer));
		return ring_advance(r, start, plen + sizeof(trailer));
	}
	iov[0].iov_base = (void *)(uintptr_t)desc;
	iov[0].iov_len = sizeof(*desc);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	iov[2].iov_base = (void *)(uintptr_t)zero;
	iov[2].iov_len = pad;
	return ring_put_iov(r, start, iov, 3, plen + sizeof(trailer));
}

static bool
pkt_desc_ok(const struct vmbus_pkt_desc *desc, uint32_t len)
{
	uint32_t plen = (uint32_t)desc->len8 * 8u;

	return desc->offset8 * 8u == sizeof(*desc) &&
	       plen >= sizeof(*desc) + len &&
	       plen - sizeof(*desc) - len < VMBUS_PKT_ALIGN;
}

int
vmbus_ring_write_pkt(struct vmbus_ring *r, const struct vmbus_pkt_desc *desc,
		     const void *data, uint32_t len, bool *signal)
{
	int ret = vmbus_ring_write_batch(r, desc, &desc->trans_id, 1, data,
					 len, signal);

	return ret < 0 ? ret : 0;
}

int
vmbus_ring_write_batch(struct vmbus_ring *r, const struct vmbus_pkt_desc *desc,
		       const uint64_t *trans_ids, unsigned int n,
		       const void *data, uint32_t len, bool *signal)
{
	uint32_t total = (uint32_t)desc->len8 * 8u + VMBUS_PKT_TRAILER_LEN;
	struct vmbus_pkt_desc d = *desc;
	uint32_t start, off;
	unsigned int i, fit;
	int64_t room;

	*signal = false;
	if (r->broken)
		return -EIO;
	if (!pkt_desc_ok(desc, len) || total > r->size)
		return -EINVAL;
	if (n == 0)
		return 0;
	room = ring_room(r, (uint64_t)n * total);
	if (room < 0)
		return (int)room;
	fit = (uint32_t)(room - 1) / total;
	if (fit == 0)
		return -EAGAIN;
	if (fit > n)
		fit = n;
	start = r->windex;
	off = start;
	for (i = 0; i < fit; i++) {
		d.trans_id = trans_ids[i];
		off = ring_put_pkt(r, off, &d, data, len);
	}
	*signal = ring_publish(r, start, off);
	return (int)fit;
}

/*
 * The host's write offset on our RX ring. It may only move forward: bytes
 * it published stay published until we release them.
 */
static int
rx_peer_write_index(struct vmbus_ring *r, uint32_t *out)
{
	uint32_t w = __atomic_load_n(&r->ctrl->write_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(r, w) ||
	    ring_dist(r, r->rindex, w) < ring_dist(r, r->rindex, r->last_peer)) {
		r->broken = true;
		return -EIO;
	}
	r->last_peer = w;
	*out = w;
	return 0;
}

int
vmbus_ring_rx_avail(struct vmbus_ring *r)
{
	uint32_t w;

	if (r->broken || rx_peer_write_index(r, &w) < 0)
		return -EIO;
	return (int)ring_dist(r, r->rindex, w);
}

int
vmbus_ring_peek(struct vmbus_ring *r, uint32_t cursor, struct vmbus_ring_pkt *pkt)
{
	uint32_t w, avail, off, len, hlen;

	if (r->broken)
		return -EIO;
	/* What the host published before is still there: look at the
	 * shared page only when the cursor has reached it.
	 */
	avail = ring_dist(r, r->rindex, r->last_peer);
	if (cursor >= avail) {
		if (rx_peer_write_index(r, &w) < 0)
			return -EIO;
		avail = ring_dist(r, r->rindex, w);
		if (cursor >= avail)
			return cursor == avail ? -EAGAIN : -EINVAL;
	}
	avail -= cursor;
	off = ring_advance(r, r->rindex, cursor);
	if (avail < sizeof(pkt->desc) + VMBUS_PKT_TRAILER_LEN)
		goto corrupt; /* the host publishes whole packets only */

	if (off + sizeof(pkt->desc) <= r->size)
		memcpy(&pkt->desc, r->data + off, sizeof(pkt->desc));
	else
		vmbus_ring_copy_out(r, off, &pkt->desc, sizeof(pkt->desc));
	len = (uint32_t)pkt->desc.len8 * 8u;
	hlen = (uint32_t)pkt->desc.offset8 * 8u;
	if (hlen < sizeof(pkt->desc) || hlen > len ||
	    len + VMBUS_PKT_TRAILER_LEN > avail)
		goto corrupt;
	pkt->offset = off;
	pkt->len = len;
	pkt->total = len + VMBUS_PKT_TRAILER_LEN;
	return 0;
corrupt:
	r->broken = true;
	return -EIO;
}

bool
vmbus_ring_release(struct vmbus_ring *r, uint32_t bytes)
{
	uint32_t w, pending, free_now, free_before;

	if (bytes == 0 || r->broken)
		return false;
	r->rindex = ring_advance(r, r->rindex, bytes);
	__atomic_store_n(&r->ctrl->read_index, r->rindex, __ATOMIC_RELEASE);

	/* Order our read_index store before reading the host's request. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&r->ctrl->feature_bits, __ATOMIC_RELAXED) &
	      VMBUS_RING_FEAT_PENDING_SEND_SZ))
		return false;
	pending = __atomic_load_n(&r->ctrl->pending_send_sz, __ATOMIC_RELAXED);
	if (pending == 0 || rx_peer_write_index(r, &w) < 0)
		return false;
	free_now = r->size - ring_dist(r, r->rindex, w);
	if (free_now < bytes)
		return false; /* host wrote more than we freed; not a crossing */
	free_before = free_now - bytes;
	return free_before < pending && free_now >= pending;
}
