/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the guest ring arithmetic (drivers/bus/vmbus/vmbus_ring.c)
 * on plain memory. The "host" here is a few lines written directly against
 * the wire layout, independent of the code under test.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmbus_ring.h"
#include "unit_check.h"

#define HALF (VMBUS_HV_PAGE_SIZE + 4096) /* 4 KiB data area */
#define DATA (HALF - VMBUS_HV_PAGE_SIZE)

static uint8_t mem[HALF] __attribute__((aligned(4096)));

static struct vmbus_ring_ctrl *
ctrl(void)
{
	return (struct vmbus_ring_ctrl *)mem;
}

static uint8_t *
data(void)
{
	return mem + VMBUS_HV_PAGE_SIZE;
}

static void
fresh(struct vmbus_ring *r, uint32_t start)
{
	memset(mem, 0, sizeof(mem));
	ctrl()->write_index = start;
	ctrl()->read_index = start;
	ctrl()->feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
	if (vmbus_ring_attach(r, mem, HALF) != 0)
		abort();
}

/* Host side: copy len bytes at data offset off, wrapping. */
static void
host_read(uint32_t off, void *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = data()[(off + i) % DATA];
}

static void
host_write(uint32_t off, const void *src, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		data()[(off + i) % DATA] = ((const uint8_t *)src)[i];
}

/* Host publishes one packet of payload len (multiple of 8) on an RX ring. */
static void
host_put(uint16_t type, uint64_t id, const void *payload, uint32_t len)
{
	struct vmbus_pkt_desc d = {
		.type = type, .offset8 = 2, .len8 = (uint16_t)((16 + len) / 8),
		.flags = 0, .trans_id = id,
	};
	uint32_t w = ctrl()->write_index;
	uint64_t trailer = (uint64_t)w << 32;

	host_write(w, &d, sizeof(d));
	host_write((w + 16) % DATA, payload, len);
	host_write((w + 16 + len) % DATA, &trailer, 8);
	ctrl()->write_index = (w + 16 + len + 8) % DATA;
}

static int
guest_send(struct vmbus_ring *r, const void *buf, uint32_t len, bool *sig)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };

	return vmbus_ring_write(r, &iov, 1, sig);
}

static void
test_attach_rejects_bad_geometry(void)
{
	struct vmbus_ring r;

	memset(mem, 0, sizeof(mem));
	CHECK_EQ(vmbus_ring_attach(&r, mem, 4096), -EINVAL);
	CHECK_EQ(vmbus_ring_attach(&r, mem, HALF + 100), -EINVAL);
	ctrl()->write_index = 12; /* not 8-aligned */
	CHECK_EQ(vmbus_ring_attach(&r, mem, HALF), -EINVAL);
	ctrl()->write_index = DATA; /* out of range */
	CHECK_EQ(vmbus_ring_attach(&r, mem, HALF), -EINVAL);
	ctrl()->write_index = 0;
	CHECK_EQ(vmbus_ring_attach(&r, mem, HALF), 0);
	CHECK_EQ(r.size, DATA);
}

/* Packets written across the end of the data area arrive intact, with the
 * trailer holding the start offset.
 */
static void
test_write_wraps_with_trailer(void)
{
	struct vmbus_ring r;
	uint8_t pkt[48], got[48];
	uint64_t trailer;
	bool sig;
	int i;

	fresh(&r, DATA - 24);
	for (i = 0; i < 48; i++)
		pkt[i] = (uint8_t)(i * 3 + 1);
	CHECK_EQ(guest_send(&r, pkt, sizeof(pkt), &sig), 0);
	CHECK_EQ(ctrl()->write_index, (DATA - 24 + 48 + 8) % DATA);
	host_read(DATA - 24, got, sizeof(got));
	CHECK(memcmp(pkt, got, sizeof(got)) == 0);
	host_read((DATA - 24 + 48) % DATA, &trailer, 8);
	CHECK_EQ(trailer >> 32, DATA - 24);
	CHECK_EQ(guest_send(&r, pkt, 13, &sig), -EINVAL); /* unpadded */
}

/* The ring never fills completely: a packet that would leave less than
 * 8 bytes free is refused, one byte-group smaller is accepted.
 */
static void
test_full_ring_keeps_reserve(void)
{
	struct vmbus_ring r;
	static uint8_t buf[DATA];
	bool sig;

	fresh(&r, 0);
	/* packet + trailer == DATA: would make the ring look empty */
	CHECK_EQ(guest_send(&r, buf, DATA - 8, &sig), -EAGAIN);
	/* packet + trailer == DATA - 8: leaves exactly the reserve */
	CHECK_EQ(guest_send(&r, buf, DATA - 16, &sig), 0);
	CHECK_EQ(vmbus_ring_tx_free(&r), 8);
	CHECK_EQ(guest_send(&r, buf, 8, &sig), -EAGAIN);
	/* host consumes: space comes back */
	ctrl()->read_index = ctrl()->write_index;
	CHECK_EQ(vmbus_ring_tx_free(&r), DATA);
	CHECK_EQ(guest_send(&r, buf, 8, &sig), 0);
}

/* Signal only on empty -> non-empty, and never while the host masks. */
static void
test_signal_decisions(void)
{
	struct vmbus_ring r;
	uint8_t buf[64] = { 0 };
	bool sig;

	fresh(&r, 0);
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(sig);                 /* empty before: host may sleep */
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(!sig);                /* host has not caught up: no signal */
	ctrl()->read_index = ctrl()->write_index;
	ctrl()->interrupt_mask = 1; /* host is polling us */
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(!sig);
	ctrl()->read_index = ctrl()->write_index;
	ctrl()->interrupt_mask = 0;
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(sig);
	/* host consumed half of what was there: still non-empty before */
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(!sig);
}

/* A host read index that jumps past what we published is corruption. */
static void
test_tx_host_index_checked(void)
{
	struct vmbus_ring r;
	uint8_t buf[16] = { 0 };
	bool sig;

	fresh(&r, 0);
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	ctrl()->read_index = 4; /* unaligned */
	/* Written into space known free before; the index read after the
	 * write finds the corruption, and the ring stays broken.
	 */
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	CHECK(!sig);
	CHECK(r.broken);
	CHECK_EQ(guest_send(&r, buf, 16, &sig), -EIO);
	CHECK_EQ(guest_send(&r, buf, 16, &sig), -EIO);

	/* While the host masks us, the index is read only when the space
	 * known free is not enough.
	 */
	fresh(&r, 0);
	ctrl()->interrupt_mask = 1;
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	ctrl()->read_index = 4;
	while (guest_send(&r, buf, 16, &sig) == 0)
		;
	CHECK(r.broken);
	CHECK_EQ(vmbus_ring_tx_free(&r), -EIO);

	fresh(&r, 0);
	CHECK_EQ(guest_send(&r, buf, 16, &sig), 0);
	ctrl()->read_index = 64; /* beyond our 24 published bytes */
	CHECK_EQ(vmbus_ring_tx_free(&r), -EIO);
}

/* Receive: wrap-around, several packets peeked then released at once. */
static void
test_peek_release_wraps(void)
{
	struct vmbus_ring r;
	struct vmbus_ring_pkt p;
	uint8_t payload[40], got[40];
	uint32_t cursor = 0;
	int i;

	fresh(&r, DATA - 32);
	for (i = 0; i < 40; i++)
		payload[i] = (uint8_t)(0xa0 + i);
	host_put(VMBUS_PKT_INBAND, 7, payload, 40);
	host_put(VMBUS_PKT_COMP, 8, payload, 8);
	CHECK_EQ(vmbus_ring_rx_avail(&r), 64 + 32);
	CHECK_EQ(vmbus_ring_peek(&r, cursor, &p), 0);
	CHECK_EQ(p.desc.trans_id, 7);
	CHECK_EQ(p.total, 64);
	CHECK(vmbus_ring_contiguous(&r, p.offset, p.len) == NULL); /* wraps */
	vmbus_ring_copy_out(&r, (p.offset + 16) % DATA, got, 40);
	CHECK(memcmp(got, payload, 40) == 0);
	cursor += p.total;
	CHECK_EQ(vmbus_ring_peek(&r, cursor, &p), 0);
	CHECK_EQ(p.desc.type, VMBUS_PKT_COMP);
	cursor += p.total;
	CHECK_EQ(vmbus_ring_peek(&r, cursor, &p), -EAGAIN);
	CHECK_EQ(ctrl()->read_index, DATA - 32); /* nothing consumed yet */
	vmbus_ring_release(&r, cursor);
	CHECK_EQ(ctrl()->read_index, (DATA - 32 + 96) % DATA);
	CHECK_EQ(vmbus_ring_rx_avail(&r), 0);
}

/* pending_send_sz: signal exactly when the release crosses the host's
 * threshold, and only if the feature bit says the host uses it.
 */
static void
test_pending_send_threshold(void)
{
	struct vmbus_ring r;
	struct vmbus_ring_pkt p;
	uint8_t payload[1000] = { 0 };
	int i;

	fresh(&r, 0);
	for (i = 0; i < 3; i++)
		host_put(VMBUS_PKT_INBAND, i, payload, 1000); /* 1024 each */
	/* used 3072, free 1024; host wants 1500 free */
	ctrl()->pending_send_sz = 1500;
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(vmbus_ring_release(&r, p.total));      /* 1024 -> 2048: crossed */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(!vmbus_ring_release(&r, p.total));     /* already above */

	fresh(&r, 0);
	for (i = 0; i < 3; i++)
		host_put(VMBUS_PKT_INBAND, i, payload, 1000);
	ctrl()->pending_send_sz = 3000;
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(!vmbus_ring_release(&r, p.total));     /* 2048 < 3000 */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(vmbus_ring_release(&r, p.total));      /* 3072 >= 3000 */

	fresh(&r, 0);
	ctrl()->feature_bits = 0;                     /* host does not use it */
	host_put(VMBUS_PKT_INBAND, 1, payload, 1000);
	ctrl()->pending_send_sz = 8;
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(!vmbus_ring_release(&r, p.total));

	fresh(&r, 0);
	host_put(VMBUS_PKT_INBAND, 1, payload, 1000);
	ctrl()->pending_send_sz = 0;                  /* nobody waiting */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK(!vmbus_ring_release(&r, p.total));
}

static void
put_raw_desc(uint16_t offset8, uint16_t len8, uint32_t publish)
{
	struct vmbus_pkt_desc d = {
		.type = VMBUS_PKT_INBAND, .offset8 = offset8, .len8 = len8,
	};

	host_write(ctrl()->write_index, &d, sizeof(d));
	ctrl()->write_index = (ctrl()->write_index + publish) % DATA;
}

/* Descriptors the host could use to make us read out of bounds. */
static void
test_malformed_packets_rejected(void)
{
	struct vmbus_ring r;
	struct vmbus_ring_pkt p;

	fresh(&r, 0);
	put_raw_desc(1, 4, 40);            /* header shorter than descriptor */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO); /* sticky */

	fresh(&r, 0);
	put_raw_desc(5, 4, 40);            /* header longer than packet */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);

	fresh(&r, 0);
	put_raw_desc(2, 200, 40);          /* length beyond published bytes */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);

	fresh(&r, 0);
	put_raw_desc(2, 0xffff, 40);       /* length beyond the ring */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);

	fresh(&r, 0);
	put_raw_desc(2, 2, 16);            /* no room for the trailer */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);

	fresh(&r, 0);
	ctrl()->write_index = 12;          /* unaligned write index */
	CHECK_EQ(vmbus_ring_rx_avail(&r), -EIO);

	fresh(&r, 0);
	ctrl()->write_index = DATA + 8;    /* outside the data area */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), -EIO);

	fresh(&r, 0);
	put_raw_desc(2, 3, 32);            /* valid: 24 bytes + trailer */
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p), 0);
	CHECK_EQ(p.total, 32);
}

/* A host write index that goes back over published packets is corruption. */
static void
test_rx_host_index_checked(void)
{
	struct vmbus_ring r;
	struct vmbus_ring_pkt p1, p2, p3;
	uint8_t payload[24] = { 0 };
	uint32_t end1;

	fresh(&r, 0);
	host_put(VMBUS_PKT_INBAND, 1, payload, 24);
	end1 = ctrl()->write_index;
	host_put(VMBUS_PKT_INBAND, 2, payload, 24);
	CHECK_EQ(vmbus_ring_peek(&r, 0, &p1), 0);
	ctrl()->write_index = end1;        /* takes packet 2 back */
	/* packet 2 was seen published: it is still read */
	CHECK_EQ(vmbus_ring_peek(&r, p1.total, &p2), 0);
	CHECK_EQ(p2.desc.trans_id, 2);
	CHECK_EQ(vmbus_ring_peek(&r, p1.total + p2.total, &p3), -EIO);
	CHECK(r.broken);
}

/* The small-packet writer lays out exactly what the iovec writer does. */
static void
test_write_pkt_matches_iov(void)
{
	static uint8_t a[HALF], b[HALF];
	static const uint8_t zero[8];
	struct vmbus_ring r;
	uint8_t payload[64];
	uint32_t start, len, i;
	bool sig;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(0xa0 + i);
	for (start = DATA - 128; start < DATA; start += 8) {
		for (len = 0; len <= 40; len++) {
			struct vmbus_pkt_desc d = {
				.type = VMBUS_PKT_COMP, .offset8 = 2,
				.len8 = (uint16_t)((16 + len + 7) / 8),
				.flags = 0, .trans_id = 0x1122334455667788ull + len,
			};
			struct iovec iov[3] = {
				{ &d, sizeof(d) },
				{ payload, len },
				{ (void *)(uintptr_t)zero, d.len8 * 8u - 16 - len },
			};
			int r1, r2;

			fresh(&r, start);
			r1 = vmbus_ring_write(&r, iov, 3, &sig);
			memcpy(a, mem, sizeof(mem));
			fresh(&r, start);
			memset(data(), 0x5a, DATA); /* padding must be written */
			r2 = vmbus_ring_write_pkt(&r, &d, payload, len, &sig);
			memcpy(b, mem, sizeof(mem));
			CHECK(r1 == 0 && r2 == 0);
			for (i = 0; i < d.len8 * 8u + 8; i++) {
				uint32_t off = VMBUS_HV_PAGE_SIZE + (start + i) % DATA;

				if (a[off] != b[off]) {
					CHECK_EQ(b[off], a[off]);
					break;
				}
			}
			CHECK_EQ(((struct vmbus_ring_ctrl *)b)->write_index,
				 ((struct vmbus_ring_ctrl *)a)->write_index);
		}
	}
	/* only a plain descriptor, and padding under 8 bytes */
	fresh(&r, 0);
	{
		struct vmbus_pkt_desc d = { .type = VMBUS_PKT_INBAND, .offset8 = 3,
					    .len8 = 4 };

		CHECK_EQ(vmbus_ring_write_pkt(&r, &d, payload, 8, &sig), -EINVAL);
		d.offset8 = 2;
		d.len8 = 2;
		CHECK_EQ(vmbus_ring_write_pkt(&r, &d, payload, 8, &sig), -EINVAL);
		d.len8 = 5;
		CHECK_EQ(vmbus_ring_write_pkt(&r, &d, payload, 8, &sig), -EINVAL);
		d.len8 = 3;
		CHECK_EQ(vmbus_ring_write_pkt(&r, &d, payload, 8, &sig), 0);
		CHECK_EQ(ctrl()->write_index, 32);
	}
}

/* A batch is the same bytes as its packets one by one; it stops when full. */
static void
test_write_batch(void)
{
	static uint8_t a[HALF];
	struct vmbus_pkt_desc d = {
		.type = VMBUS_PKT_COMP, .offset8 = 2, .len8 = 2 + 5, .flags = 0,
	};
	uint64_t ids[200];
	uint8_t payload[40];
	uint32_t start, i;
	bool sig;
	int n;

	for (i = 0; i < 200; i++)
		ids[i] = 1000 + i;
	memset(payload, 0x77, sizeof(payload));
	/* starts that put the wrap inside the batch, in every position */
	for (start = DATA - 6 * 64; start < DATA; start += 8) {
		struct vmbus_ring r;

		fresh(&r, start);
		for (i = 0; i < 10; i++) {
			d.trans_id = ids[i];
			CHECK_EQ(vmbus_ring_write_pkt(&r, &d, payload, 36, &sig), 0);
		}
		memcpy(a, mem, sizeof(mem));
		fresh(&r, start);
		CHECK_EQ(vmbus_ring_write_batch(&r, &d, ids, 10, payload, 36, &sig), 10);
		CHECK(sig);        /* the host had read everything before */
		CHECK(memcmp(a, mem, sizeof(mem)) == 0);
	}
	/* 4 KiB of data, 64 bytes a packet, 8 bytes always free: 63 fit */
	{
		struct vmbus_ring r;

		fresh(&r, 0);
		n = vmbus_ring_write_batch(&r, &d, ids, 200, payload, 36, &sig);
		CHECK_EQ(n, 63);
		CHECK_EQ(vmbus_ring_write_batch(&r, &d, ids, 1, payload, 36, &sig), -EAGAIN);
		ctrl()->read_index = 128;    /* host read two */
		CHECK_EQ(vmbus_ring_write_batch(&r, &d, ids + 63, 5, payload, 36, &sig), 2);
		CHECK(!sig);
		d.len8 = 3;                   /* 36 bytes need len8 7 */
		CHECK_EQ(vmbus_ring_write_batch(&r, &d, ids, 1, payload, 36, &sig), -EINVAL);
	}
}

/* A long run of random-sized packets through a small ring, host and
 * guest alternating: every byte arrives in order.
 */
static void
test_stream_many_laps(void)
{
	struct vmbus_ring r;
	uint8_t buf[512], got[512];
	uint32_t seed = 12345, sent = 0, recvd = 0, hr, ok = 1;
	bool sig;
	int i;

	fresh(&r, 0);
	for (i = 0; i < 20000; i++) {
		uint32_t len, j;
		struct vmbus_pkt_desc d;

		seed = seed * 1103515245u + 12345u;
		len = 8 * (1 + (seed >> 16) % 64);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)(sent + j);
		if (guest_send(&r, buf, len, &sig) != 0) {
			ok = 0;
			break;
		}
		sent++;
		/* host reads it back by the wire layout */
		hr = ctrl()->read_index;
		host_read(hr, got, len);
		for (j = 0; j < len; j++)
			if (got[j] != (uint8_t)(recvd + j))
				ok = 0;
		recvd++;
		ctrl()->read_index = (hr + len + 8) % DATA;
		(void)d;
	}
	CHECK(ok);
	CHECK_EQ(sent, 20000);
}

int
main(void)
{
	RUN(test_attach_rejects_bad_geometry);
	RUN(test_write_wraps_with_trailer);
	RUN(test_full_ring_keeps_reserve);
	RUN(test_signal_decisions);
	RUN(test_tx_host_index_checked);
	RUN(test_peek_release_wraps);
	RUN(test_pending_send_threshold);
	RUN(test_malformed_packets_rejected);
	RUN(test_rx_host_index_checked);
	RUN(test_write_pkt_matches_iov);
	RUN(test_write_batch);
	RUN(test_stream_many_laps);
	return unit_summary();
}
