/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's side of a VMBus ring, strict like Hyper-V: every index and
 * descriptor the guest wrote is checked before use, and a violation is
 * reported as corruption instead of being worked around.
 */
#include <stdio.h>
#include <string.h>

#include "host_ring.h"

#define TRAILER_LEN 8u
#define DESC_LEN    16u

static inline uint32_t
used_bytes(const struct host_ring *r, uint32_t w, uint32_t rd)
{
	return w >= rd ? w - rd : r->dsize - rd + w;
}

static bool
index_ok(const struct host_ring *r, uint32_t i)
{
	return i < r->dsize && (i & 7) == 0;
}

/* Copy with wrap-around from the data area at offset off. */
static void
copy_out(const struct host_ring *r, uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = r->dsize - off;

	if (len <= first) {
		memcpy(dst, r->data + off, len);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((uint8_t *)dst + first, r->data, len - first);
	}
}

static void
copy_in(struct host_ring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = r->dsize - off;

	if (len <= first) {
		memcpy(r->data + off, src, len);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const uint8_t *)src + first, len - first);
	}
}

void
host_ring_attach(struct host_ring *r, uint8_t *base, uint32_t size)
{
	r->hdr = (struct hv_ring_hdr *)base;
	r->data = base + HV_PAGE_SIZE;
	r->dsize = size - HV_PAGE_SIZE;
	r->index = 0;
}

void
host_ring_reset(struct host_ring *r, uint32_t interrupt_mask)
{
	struct hv_ring_hdr *h = r->hdr;

	r->index = 0;
	__atomic_store_n(&h->write_index, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->read_index, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->pending_send_sz, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->feature_bits, HV_RING_FEAT_PENDING_SEND, __ATOMIC_RELAXED);
	__atomic_store_n(&h->interrupt_mask, interrupt_mask, __ATOMIC_RELEASE);
}

int
host_ring_read(struct host_ring *r, uint8_t *buf, struct hv_pkt *pkt,
	       uint32_t *len, char *why, size_t whylen)
{
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t avail, hlen, plen, i;
	struct hv_pkt_desc d;

	if (!index_ok(r, w)) {
		snprintf(why, whylen, "write_index %u invalid (data size %u)", w, r->dsize);
		return HR_CORRUPT;
	}
	avail = used_bytes(r, w, r->index);
	if (avail == 0)
		return HR_EMPTY;
	if (avail < DESC_LEN + TRAILER_LEN) {
		snprintf(why, whylen, "%u bytes published, less than a packet", avail);
		return HR_CORRUPT;
	}
	copy_out(r, r->index, &d, DESC_LEN);
	hlen = (uint32_t)d.offset8 * 8;
	plen = (uint32_t)d.len8 * 8;
	if (d.offset8 < 2 || d.len8 < d.offset8) {
		snprintf(why, whylen, "descriptor offset8 %u len8 %u invalid",
			 d.offset8, d.len8);
		return HR_CORRUPT;
	}
	if (plen + TRAILER_LEN > avail) {
		snprintf(why, whylen, "packet of %u bytes exceeds the %u published",
			 plen + TRAILER_LEN, avail);
		return HR_CORRUPT;
	}
	if (d.type != HV_PKT_INBAND && d.type != HV_PKT_XFER_PAGES &&
	    d.type != HV_PKT_GPA_DIRECT && d.type != HV_PKT_COMP) {
		snprintf(why, whylen, "unknown packet type %#x", d.type);
		return HR_CORRUPT;
	}
	if (d.flags & ~HV_PKT_FLAG_RC) {
		snprintf(why, whylen, "bad packet flags %#x", d.flags);
		return HR_CORRUPT;
	}
	/* From here on only the private copy is used. */
	copy_out(r, r->index, buf, plen);
	memset(pkt, 0, sizeof(*pkt));
	pkt->type = d.type;
	pkt->flags = d.flags;
	pkt->trans_id = d.trans_id;
	pkt->payload = buf + hlen;
	pkt->payload_len = plen - hlen;

	if (d.type == HV_PKT_GPA_DIRECT || d.type == HV_PKT_XFER_PAGES) {
		uint32_t count, esize;

		if (hlen < DESC_LEN + 8) {
			snprintf(why, whylen, "type %u header of %u bytes too short",
				 d.type, hlen);
			return HR_CORRUPT;
		}
		memcpy(&count, buf + DESC_LEN + 4, sizeof(count));
		esize = d.type == HV_PKT_GPA_DIRECT ? sizeof(struct hv_gpa_range) : 8;
		if ((uint64_t)DESC_LEN + 8 + (uint64_t)count * esize > hlen) {
			snprintf(why, whylen, "%u ranges do not fit a %u-byte header",
				 count, hlen);
			return HR_CORRUPT;
		}
		if (d.type == HV_PKT_GPA_DIRECT) {
			const struct hv_gpa_range *g =
				(const struct hv_gpa_range *)(buf + DESC_LEN + 8);

			if (count == 0) {
				snprintf(why, whylen, "GPA direct packet with no range");
				return HR_CORRUPT;
			}
			for (i = 0; i < count; i++) {
				if (g[i].offset >= HV_PAGE_SIZE ||
				    (uint64_t)g[i].offset + g[i].len > HV_PAGE_SIZE) {
					snprintf(why, whylen,
						 "GPA range %u (offset %u len %u) crosses its page",
						 i, g[i].offset, g[i].len);
					return HR_CORRUPT;
				}
			}
			pkt->ranges = g;
		}
		pkt->range_count = count;
	}
	*len = plen + TRAILER_LEN;
	return HR_OK;
}

bool
host_ring_consume(struct host_ring *r, uint32_t len)
{
	uint32_t old = r->index, w, pending, before, after;

	r->index = (r->index + len) % r->dsize;
	__atomic_store_n(&r->hdr->read_index, r->index, __ATOMIC_RELEASE);
	/* Order the index store before reading the guest's request. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = __atomic_load_n(&r->hdr->pending_send_sz, __ATOMIC_ACQUIRE);
	if (pending == 0)
		return false;
	w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	if (!index_ok(r, w))
		return false;
	before = r->dsize - used_bytes(r, w, old);
	after = r->dsize - used_bytes(r, w, r->index);
	/* Sizes are multiples of 8, as on the host side of Hyper-V. */
	pending &= ~7u;
	return before < pending && after >= pending;
}

void
host_ring_set_mask(struct host_ring *r, uint32_t mask)
{
	__atomic_store_n(&r->hdr->interrupt_mask, mask, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool
host_ring_has_data(struct host_ring *r)
{
	return __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE) != r->index;
}

uint32_t
host_ring_max_packet(const struct host_ring *r)
{
	/* Packet + trailer must leave at least 8 bytes free. */
	return r->dsize - TRAILER_LEN - 8;
}

int
host_ring_write(struct host_ring *r, const uint8_t *pkt, uint32_t len,
		bool *interrupt, char *why, size_t whylen)
{
	uint32_t rd, old = r->index, total = len + TRAILER_LEN;
	uint64_t trailer = (uint64_t)old << 32;

	*interrupt = false;
	rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	if (!index_ok(r, rd)) {
		snprintf(why, whylen, "read_index %u invalid (data size %u)", rd, r->dsize);
		return HR_CORRUPT;
	}
	if (r->dsize - used_bytes(r, old, rd) <= total) {
		/* Ask to be signalled when enough is free, then look again in
		 * case the guest read everything in between.
		 */
		__atomic_store_n(&r->hdr->pending_send_sz, total + 8, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
		if (!index_ok(r, rd)) {
			snprintf(why, whylen, "read_index %u invalid", rd);
			return HR_CORRUPT;
		}
		if (r->dsize - used_bytes(r, old, rd) <= total)
			return HR_FULL;
	}
	if (__atomic_load_n(&r->hdr->pending_send_sz, __ATOMIC_RELAXED) != 0)
		__atomic_store_n(&r->hdr->pending_send_sz, 0, __ATOMIC_RELAXED);
	copy_in(r, old, pkt, len);
	copy_in(r, (old + len) % r->dsize, &trailer, TRAILER_LEN);
	r->index = (old + total) % r->dsize;
	__atomic_store_n(&r->hdr->write_index, r->index, __ATOMIC_RELEASE);
	/* The empty -> non-empty rule, checked after a full barrier. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*interrupt = __atomic_load_n(&r->hdr->interrupt_mask, __ATOMIC_ACQUIRE) == 0 &&
		     __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE) == old;
	return HR_OK;
}
