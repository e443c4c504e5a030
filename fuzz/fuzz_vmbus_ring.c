/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the guest side of a VMBus ring pair
 * (drivers/bus/vmbus/vmbus_ring.c) against a host that writes whatever the
 * input says: initial indices, packet descriptors, index updates between
 * guest calls. Input format in fuzz_input.h.
 *
 * Each direction is a heap block of exactly one control page plus its
 * data area, so ASan reports any access outside the ring. A small model
 * of the ring protocol, written from the wire rules (not from the code
 * under test), predicts every return value; after each guest call the
 * memory is compared with a snapshot: the guest may only have written
 * the fields and bytes it owns. Any difference aborts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmbus_ring.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE        VMBUS_HV_PAGE_SIZE
#define DESC_LEN    16u
#define TRAILER_LEN 8u
#define DRAIN_MAX   64
#define TX_MAX      1020u

/* Byte offsets of the control page fields. */
#define CTRL_WINDEX   0
#define CTRL_RINDEX   4
#define CTRL_IMASK    8
#define CTRL_PENDING  12
#define CTRL_FEATURES 64

/* One direction: memory, the ring under test, and the model's view. */
struct side {
	uint8_t *mem;           /* control page + data area */
	uint8_t *snap;          /* copy taken before a guest call */
	uint32_t size;          /* data area bytes */
	struct vmbus_ring ring;
	bool attached;
	bool broken;            /* model */
	uint32_t own;           /* model: guest's read (RX) or write (TX) offset */
	uint32_t last_peer;     /* model: host's offset last accepted (TX read,
				 * RX write) */
};

static struct side rx, tx;
static volatile uint32_t sink;

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
set32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t
ctrl_get(const struct side *s, uint32_t field)
{
	return get32(s->mem + field);
}

static void
ctrl_set(struct side *s, uint32_t field, uint32_t v)
{
	set32(s->mem + field, v);
}

static uint8_t *
area(const struct side *s)
{
	return s->mem + PAGE;
}

static bool
offset_ok(const struct side *s, uint32_t off)
{
	return off < s->size && off % 8 == 0;
}

static uint32_t
dist(const struct side *s, uint32_t from, uint32_t to)
{
	return to >= from ? to - from : s->size - from + to;
}

/* Byte-wise wrapping access, the host's way. */
static void
area_read(const struct side *s, uint32_t off, void *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = area(s)[(off + i) % s->size];
}

static void
area_write(struct side *s, uint32_t off, const void *src, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		area(s)[(off + i) % s->size] = ((const uint8_t *)src)[i];
}

/* Input reader. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool
take(struct cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

static void
snapshot(struct side *s)
{
	memcpy(s->snap, s->mem, PAGE + s->size);
}

/* Bytes [from, from + len) of the data area (wrapping) equal the snapshot. */
static void
expect_area_unchanged(const struct side *s, uint32_t from, uint32_t len)
{
	uint32_t first = s->size - from < len ? s->size - from : len;

	if (memcmp(area(s) + from, s->snap + PAGE + from, first) != 0 ||
	    memcmp(area(s), s->snap + PAGE, len - first) != 0)
		abort();
}

/*
 * After a guest call: every byte equals the snapshot except the control
 * field the guest owns (its offset, -1 for none) and, on TX, the len
 * bytes it wrote from data offset from (wrapping).
 */
static void
expect_unchanged(struct side *s, int field, uint32_t from, uint32_t len)
{
	if (field >= 0)
		memcpy(s->snap + field, s->mem + field, 4);
	if (memcmp(s->mem, s->snap, PAGE) != 0)
		abort();
	expect_area_unchanged(s, (from + len) % s->size, s->size - len);
}

/* The host's write index on RX as the guest must see it: it never goes
 * back over what was published.
 */
static int
model_rx_windex(struct side *s, uint32_t *w)
{
	if (s->broken)
		return -EIO;
	*w = ctrl_get(s, CTRL_WINDEX);
	if (!offset_ok(s, *w) ||
	    dist(s, s->own, *w) < dist(s, s->own, s->last_peer)) {
		s->broken = true;
		return -EIO;
	}
	s->last_peer = *w;
	return 0;
}

/* The host's read index on TX: moves only through bytes we wrote. */
static int
model_tx_rindex(struct side *s, uint32_t *rd)
{
	if (s->broken)
		return -EIO;
	*rd = ctrl_get(s, CTRL_RINDEX);
	if (!offset_ok(s, *rd) ||
	    dist(s, s->last_peer, *rd) > dist(s, s->last_peer, s->own)) {
		s->broken = true;
		return -EIO;
	}
	s->last_peer = *rd;
	return 0;
}

/* Expected vmbus_ring_peek result; *len gets len8 * 8 on success. */
static int
model_peek(struct side *s, uint32_t cursor, uint32_t *len)
{
	struct vmbus_pkt_desc d;
	uint32_t w, avail, hlen;

	if (s->broken)
		return -EIO;
	/* Published bytes stay published: the index is read again only
	 * when the cursor reaches what was seen.
	 */
	avail = dist(s, s->own, s->last_peer);
	if (cursor >= avail) {
		if (model_rx_windex(s, &w) < 0)
			return -EIO;
		avail = dist(s, s->own, w);
		if (cursor >= avail)
			return cursor == avail ? -EAGAIN : -EINVAL;
	}
	avail -= cursor;
	if (avail < DESC_LEN + TRAILER_LEN)
		goto corrupt;
	area_read(s, (s->own + cursor) % s->size, &d, sizeof(d));
	*len = (uint32_t)d.len8 * 8;
	hlen = (uint32_t)d.offset8 * 8;
	if (hlen < DESC_LEN || hlen > *len || *len + TRAILER_LEN > avail)
		goto corrupt;
	return 0;
corrupt:
	s->broken = true;
	return -EIO;
}

static int
guest_peek(uint32_t cursor, struct vmbus_ring_pkt *pk)
{
	uint32_t len = 0;
	int want, got;

	snapshot(&rx);
	want = model_peek(&rx, cursor, &len);
	got = vmbus_ring_peek(&rx.ring, cursor, pk);
	if (got != want || rx.ring.broken != rx.broken)
		abort();
	expect_unchanged(&rx, -1, 0, 0);
	if (got != 0)
		return got;
	if (pk->len != len || pk->total != len + TRAILER_LEN ||
	    pk->offset != (rx.own + cursor) % rx.size)
		abort();
	return 0;
}

/* Read a peeked packet the way the channel layer does. */
static void
read_packet(const struct vmbus_ring_pkt *pk)
{
	const uint8_t *p = vmbus_ring_contiguous(&rx.ring, pk->offset, pk->len);
	uint8_t *copy, *ref;
	uint32_t i, sum = 0;

	if ((p != NULL) != ((uint64_t)pk->offset + pk->len <= rx.size))
		abort();
	copy = malloc(pk->len);
	ref = malloc(pk->len);
	if (copy == NULL || ref == NULL)
		abort();
	if (p == NULL) {
		vmbus_ring_copy_out(&rx.ring, pk->offset, copy, pk->len);
		p = copy;
	}
	area_read(&rx, pk->offset, ref, pk->len);
	if (memcmp(p, ref, pk->len) != 0)
		abort();
	for (i = 0; i < pk->len; i++)
		sum += p[i];
	sink += sum;
	free(copy);
	free(ref);
}

/* Expected vmbus_ring_release result, and its effect on the model. */
static bool
model_release(struct side *s, uint32_t bytes)
{
	uint32_t w, pending, free_now;

	if (bytes == 0 || s->broken)
		return false;
	s->own = (s->own + bytes) % s->size;
	if (!(ctrl_get(s, CTRL_FEATURES) & VMBUS_RING_FEAT_PENDING_SEND_SZ))
		return false;
	pending = ctrl_get(s, CTRL_PENDING);
	if (pending == 0 || model_rx_windex(s, &w) < 0)
		return false;
	free_now = s->size - dist(s, s->own, w);
	if (free_now < bytes)
		return false;
	return free_now - bytes < pending && free_now >= pending;
}

static void
guest_release(uint32_t bytes)
{
	bool want, got;

	snapshot(&rx);
	want = model_release(&rx, bytes);
	got = vmbus_ring_release(&rx.ring, bytes);
	if (got != want || rx.ring.broken != rx.broken ||
	    ctrl_get(&rx, CTRL_RINDEX) != rx.own)
		abort();
	expect_unchanged(&rx, CTRL_RINDEX, 0, 0);
}

/* The receive loop of a PMD: peek what is there, read it, release it. */
static void
op_drain(void)
{
	struct vmbus_ring_pkt pk;
	uint32_t cursor = 0;
	int n;

	for (n = 0; n < DRAIN_MAX; n++) {
		if (guest_peek(cursor, &pk) != 0)
			break;
		read_packet(&pk);
		cursor += pk.total;
	}
	guest_release(cursor);
}

static void
op_peek_at(struct cursor *c)
{
	struct vmbus_ring_pkt pk;
	uint16_t arg;

	if (take(c, &arg, sizeof(arg)) && guest_peek((uint32_t)arg * 8, &pk) == 0)
		read_packet(&pk);
}

/* Host appends one packet: descriptor, pattern payload, trailer. */
static void
op_host_rx_packet(struct cursor *c)
{
	uint8_t arg[3], pad[8] = { 0 };
	struct vmbus_pkt_desc d;
	uint32_t w, len, i;
	uint64_t trailer;

	if (!take(c, arg, sizeof(arg)))
		return;
	w = ctrl_get(&rx, CTRL_WINDEX);
	if (!offset_ok(&rx, w))
		return;
	memset(&d, 0, sizeof(d));
	d.type = arg[0];
	d.offset8 = arg[1];
	d.len8 = arg[2];
	d.trans_id = 0x1000 + w;
	len = (uint32_t)d.len8 * 8;
	area_write(&rx, w, &d, len < sizeof(d) ? len : sizeof(d));
	for (i = sizeof(d); i < len; i += 8) {
		memset(pad, (int)(i & 0xff), sizeof(pad));
		area_write(&rx, (w + i) % rx.size, pad, 8);
	}
	trailer = (uint64_t)w << 32;
	area_write(&rx, (w + len) % rx.size, &trailer, sizeof(trailer));
	ctrl_set(&rx, CTRL_WINDEX, (uint32_t)((w + len + TRAILER_LEN) % rx.size));
}

/* Expected vmbus_ring_write result; *start gets the packet's offset. */
static int
model_write(struct side *s, uint64_t total, uint32_t *start, bool *signal)
{
	uint32_t rd;

	*signal = false;
	if (s->broken)
		return -EIO;
	if (total % 8 != 0 || total > s->size)
		return -EINVAL;
	/* The space seen last is a lower bound: the host's index is read
	 * only when that is not enough.
	 */
	if (s->size - dist(s, s->last_peer, s->own) <= total) {
		if (model_tx_rindex(s, &rd) < 0)
			return -EIO;
		if (s->size - dist(s, rd, s->own) <= total)
			return -EAGAIN;
	}
	*start = s->own;
	s->own = (uint32_t)((s->own + total) % s->size);
	/* Written; the index read for the signal may find corruption. */
	if (ctrl_get(s, CTRL_IMASK) != 0 || model_tx_rindex(s, &rd) < 0)
		return 0;
	*signal = rd == *start;
	return 0;
}

static void
op_guest_tx(struct cursor *c, uint32_t seq)
{
	uint8_t arg, buf[TX_MAX + TRAILER_LEN], back[TX_MAX + TRAILER_LEN];
	uint32_t len, split, start = 0, i;
	struct iovec iov[2];
	bool want_sig, sig;
	uint64_t trailer;
	int want, got;

	if (!take(c, &arg, sizeof(arg)) || !tx.attached)
		return;
	len = 4u * arg;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 13 + i);
	split = len / 3;
	iov[0].iov_base = buf;
	iov[0].iov_len = split;
	iov[1].iov_base = buf + split;
	iov[1].iov_len = len - split;

	snapshot(&tx);
	want = model_write(&tx, (uint64_t)len + TRAILER_LEN, &start, &want_sig);
	got = vmbus_ring_write(&tx.ring, iov, 2, &sig);
	if (got != want || tx.ring.broken != tx.broken || sig != want_sig)
		abort();
	if (got != 0) {
		expect_unchanged(&tx, -1, 0, 0);
		return;
	}
	if (ctrl_get(&tx, CTRL_WINDEX) != tx.own)
		abort();
	expect_unchanged(&tx, CTRL_WINDEX, start, len + TRAILER_LEN);
	trailer = (uint64_t)start << 32;
	memcpy(buf + len, &trailer, sizeof(trailer));
	area_read(&tx, start, back, len + TRAILER_LEN);
	if (memcmp(back, buf, len + TRAILER_LEN) != 0)
		abort();
}

/* Expected vmbus_ring_write_batch result: packets written, or an error. */
static int
model_write_batch(struct side *s, uint32_t n, uint32_t total, uint32_t *start,
		  bool *signal)
{
	uint32_t rd, free_bytes, fit;

	*signal = false;
	if (s->broken)
		return -EIO;
	if (total > s->size)
		return -EINVAL;
	free_bytes = s->size - dist(s, s->last_peer, s->own);
	if ((uint64_t)free_bytes <= (uint64_t)n * total) {
		if (model_tx_rindex(s, &rd) < 0)
			return -EIO;
		free_bytes = s->size - dist(s, rd, s->own);
	}
	fit = (free_bytes - 1) / total;
	if (fit == 0)
		return -EAGAIN;
	if (fit > n)
		fit = n;
	*start = s->own;
	s->own = (uint32_t)((s->own + (uint64_t)fit * total) % s->size);
	if (ctrl_get(s, CTRL_IMASK) == 0 && model_tx_rindex(s, &rd) == 0)
		*signal = rd == *start;
	return (int)fit;
}

/* The acks of a receive burst: n completions with the same body. */
static void
op_guest_tx_batch(struct cursor *c, uint32_t seq)
{
	uint8_t arg[2], data[64], want[128], back[128];
	uint64_t ids[40], trailer;
	struct vmbus_pkt_desc d;
	uint32_t n, len, plen, start = 0, off, i;
	bool want_sig, sig;
	int want_n, got;

	if (!take(c, arg, sizeof(arg)) || !tx.attached)
		return;
	n = 1 + arg[0] % 40;
	len = arg[1] % 64;
	plen = (DESC_LEN + len + 7) & ~7u;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(seq + i);
	for (i = 0; i < n; i++)
		ids[i] = ((uint64_t)seq << 32) | i;
	memset(&d, 0, sizeof(d));
	d.type = VMBUS_PKT_COMP;
	d.offset8 = DESC_LEN / 8;
	d.len8 = (uint16_t)(plen / 8);

	snapshot(&tx);
	want_n = model_write_batch(&tx, n, plen + TRAILER_LEN, &start, &want_sig);
	got = vmbus_ring_write_batch(&tx.ring, &d, ids, n, data, len, &sig);
	if (got != want_n || tx.ring.broken != tx.broken || sig != want_sig)
		abort();
	if (got <= 0) {
		expect_unchanged(&tx, -1, 0, 0);
		return;
	}
	if (ctrl_get(&tx, CTRL_WINDEX) != tx.own)
		abort();
	expect_unchanged(&tx, CTRL_WINDEX, start,
			 (uint32_t)got * (plen + TRAILER_LEN));
	/* each packet: descriptor, data, zero padding, trailer */
	off = start;
	for (i = 0; i < (uint32_t)got; i++) {
		memset(want, 0, sizeof(want));
		d.trans_id = ids[i];
		memcpy(want, &d, sizeof(d));
		memcpy(want + DESC_LEN, data, len);
		trailer = (uint64_t)off << 32;
		memcpy(want + plen, &trailer, sizeof(trailer));
		area_read(&tx, off, back, plen + TRAILER_LEN);
		if (memcmp(back, want, plen + TRAILER_LEN) != 0)
			abort();
		off = (off + plen + TRAILER_LEN) % tx.size;
	}
}

static void
op_query(void)
{
	uint32_t w, rd;
	int want;

	if (rx.attached) {
		snapshot(&rx);
		want = model_rx_windex(&rx, &w) < 0 ? -EIO :
			(int)dist(&rx, rx.own, w);
		if (vmbus_ring_rx_avail(&rx.ring) != want ||
		    rx.ring.broken != rx.broken)
			abort();
		expect_unchanged(&rx, -1, 0, 0);
	}
	if (tx.attached) {
		snapshot(&tx);
		want = model_tx_rindex(&tx, &rd) < 0 ? -EIO :
			(int)(tx.size - dist(&tx, rd, tx.own));
		if (vmbus_ring_tx_free(&tx.ring) != want ||
		    tx.ring.broken != tx.broken)
			abort();
		expect_unchanged(&tx, -1, 0, 0);
	}
}

static void
op_guest_rx_mask(struct cursor *c)
{
	uint8_t arg;

	if (!take(c, &arg, sizeof(arg)))
		return;
	snapshot(&rx);
	vmbus_ring_set_interrupt_mask(&rx.ring, arg & 1);
	if (ctrl_get(&rx, CTRL_IMASK) != (arg & 1u))
		abort();
	expect_unchanged(&rx, CTRL_IMASK, 0, 0);
}

static void
op_host_set(struct cursor *c, struct side *s, uint32_t field)
{
	uint32_t v;

	if (take(c, &v, sizeof(v)))
		ctrl_set(s, field, v);
}

/* Set up one direction; false when the ring refuses the initial state. */
static bool
side_init(struct side *s, uint32_t size, uint32_t windex, uint32_t rindex)
{
	struct vmbus_ring probe;
	bool valid;
	int ret;

	s->size = size;
	s->mem = calloc(1, PAGE + size);
	s->snap = malloc(PAGE + size);
	if (s->mem == NULL || s->snap == NULL)
		abort();
	ctrl_set(s, CTRL_WINDEX, windex);
	ctrl_set(s, CTRL_RINDEX, rindex);
	/* sizes that cannot be a ring */
	if (vmbus_ring_attach(&probe, s->mem, PAGE) != -EINVAL ||
	    vmbus_ring_attach(&probe, s->mem, PAGE + size - 8) != -EINVAL)
		abort();
	valid = offset_ok(s, windex) && offset_ok(s, rindex);
	ret = vmbus_ring_attach(&s->ring, s->mem, PAGE + size);
	if (ret != (valid ? 0 : -EINVAL))
		abort();
	s->attached = valid;
	s->broken = false;
	s->last_peer = rindex;
	return valid;
}

static void
side_fini(struct side *s)
{
	free(s->mem);
	free(s->snap);
	memset(s, 0, sizeof(*s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ring_hdr h;
	struct cursor in = { data, size }, ops;
	uint32_t area_size, i, seq = 0;
	uint8_t op;

	if (!take(&in, &h, sizeof(h)) || in.left < h.ops_len)
		return 0;
	ops.p = in.p;
	ops.left = h.ops_len;
	in.p += h.ops_len;
	in.left -= h.ops_len;
	area_size = PAGE * (1u + (h.pages & 1u));

	side_init(&rx, area_size, h.rx_write_index, h.rx_read_index);
	rx.own = h.rx_read_index;
	ctrl_set(&rx, CTRL_PENDING, h.rx_pending_send_sz);
	ctrl_set(&rx, CTRL_FEATURES, h.rx_feature_bits);
	for (i = 0; i < in.left && i < area_size; i++)
		area(&rx)[((uint64_t)h.rx_read_index + i) % area_size] = in.p[i];

	side_init(&tx, area_size, h.tx_write_index, h.tx_read_index);
	tx.own = h.tx_write_index;
	ctrl_set(&tx, CTRL_IMASK, h.tx_interrupt_mask);

	while (take(&ops, &op, sizeof(op))) {
		switch (op % FUZZ_RING_OP_COUNT) {
		case FUZZ_RING_OP_DRAIN:
			if (rx.attached)
				op_drain();
			break;
		case FUZZ_RING_OP_PEEK_AT:
			if (rx.attached)
				op_peek_at(&ops);
			break;
		case FUZZ_RING_OP_HOST_RX_WINDEX:
			op_host_set(&ops, &rx, CTRL_WINDEX);
			break;
		case FUZZ_RING_OP_HOST_RX_PACKET:
			op_host_rx_packet(&ops);
			break;
		case FUZZ_RING_OP_GUEST_TX:
			op_guest_tx(&ops, seq++);
			break;
		case FUZZ_RING_OP_HOST_TX_RINDEX:
			op_host_set(&ops, &tx, CTRL_RINDEX);
			break;
		case FUZZ_RING_OP_HOST_TX_CONSUME:
			ctrl_set(&tx, CTRL_RINDEX, ctrl_get(&tx, CTRL_WINDEX));
			break;
		case FUZZ_RING_OP_QUERY:
			op_query();
			break;
		case FUZZ_RING_OP_HOST_RX_PENDING:
			op_host_set(&ops, &rx, CTRL_PENDING);
			break;
		case FUZZ_RING_OP_GUEST_RX_MASK:
			if (rx.attached)
				op_guest_rx_mask(&ops);
			break;
		case FUZZ_RING_OP_GUEST_TX_BATCH:
			op_guest_tx_batch(&ops, seq++);
			break;
		}
	}
	side_fini(&rx);
	side_fini(&tx);
	return 0;
}
