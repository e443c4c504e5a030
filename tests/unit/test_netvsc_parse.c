/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the netvsc receive-path parsers
 * (drivers/net/netvsc/netvsc_parse.c): transfer-page packets, RNDIS data
 * and control messages in the receive buffer, host-initiated NVSP
 * messages. Messages are built here byte by byte from the wire layout
 * (field offsets written out, not taken from the structs under test), in
 * the well-formed shape a Hyper-V host sends and then broken one field at
 * a time.
 *
 * Each parser sees a heap copy of exactly the bytes it is given, so that
 * the ASan build of this test also catches a parser reading past them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netvsc_parse.h"
#include "unit_check.h"

/* RNDIS PACKET_MSG field offsets [rndis.h]; offsets count from byte 8. */
#define PM_TYPE        0
#define PM_LEN         4
#define PM_DATA_OFF    8
#define PM_DATA_LEN    12
#define PM_PPI_OFF     28
#define PM_PPI_LEN     32
#define PM_HDR_LEN     44
#define PM_REL         8
#define PPI_HDR_LEN    12

#define MAX_FRAME      1518u

static uint8_t msg[4096] __attribute__((aligned(8)));

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * A PACKET_MSG as Hyper-V lays it out: 44-byte header, ppi_len bytes of
 * per-packet info at byte 44, then a frame of frame_len bytes whose byte
 * i is (i * 7 + 1). Returns the message length.
 */
static uint32_t
build_data(uint32_t ppi_len, uint32_t frame_len)
{
	uint32_t frame_at = PM_HDR_LEN + ppi_len;
	uint32_t len = frame_at + frame_len, i;

	memset(msg, 0, sizeof(msg));
	put32(msg + PM_TYPE, 1);
	put32(msg + PM_LEN, len);
	put32(msg + PM_DATA_OFF, frame_at - PM_REL);
	put32(msg + PM_DATA_LEN, frame_len);
	put32(msg + PM_PPI_OFF, ppi_len != 0 ? PM_HDR_LEN - PM_REL : 0);
	put32(msg + PM_PPI_LEN, ppi_len);
	for (i = 0; i < frame_len; i++)
		msg[frame_at + i] = (uint8_t)(i * 7 + 1);
	return len;
}

/* One PPI element at msg + at: {size, type, offset} and a value at offset. */
static void
put_ppi(uint32_t at, uint32_t size, uint32_t type, uint32_t offset,
	uint32_t value)
{
	put32(msg + at, size);
	put32(msg + at + 4, type);
	put32(msg + at + 8, offset);
	if (offset <= size && size - offset >= 4)
		put32(msg + at + offset, value);
}

/* The first n bytes of msg in a heap block of exactly n bytes. */
static uint8_t *
exact_copy(uint32_t n)
{
	uint8_t *p = malloc(n != 0 ? n : 1);

	if (p == NULL)
		abort();
	memcpy(p, msg, n < sizeof(msg) ? n : sizeof(msg));
	return p;
}

static int
parse_data_max(uint32_t avail, uint32_t max_frame, struct netvsc_rx_info *ri)
{
	uint8_t *p = exact_copy(avail);
	int ret;

	memset(ri, 0xa5, sizeof(*ri)); /* no stale zeros to hide behind */
	ret = netvsc_parse_rndis_packet(p, avail, max_frame, ri);
	free(p);
	return ret;
}

static int
parse_data(uint32_t avail, struct netvsc_rx_info *ri)
{
	return parse_data_max(avail, MAX_FRAME, ri);
}

static int
parse_ctrl(uint32_t avail, uint32_t *type, uint32_t *rid)
{
	uint8_t *p = exact_copy(avail);
	int ret;

	ret = netvsc_parse_rndis_ctrl(p, avail, type, rid);
	free(p);
	return ret;
}

static int
parse_host(uint32_t len, struct netvsc_host_msg *m)
{
	uint8_t *p = exact_copy(len);
	int ret;

	ret = netvsc_parse_host_msg(p, len, m);
	free(p);
	return ret;
}

/* A frame with the three PPIs the host sends: every value lands. */
static void
test_data_with_vlan_csum_hash(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(3 * 16, 60);
	put_ppi(PM_HDR_LEN, 16, 0, 12, 0x28);          /* TCP_OK | IP_OK */
	put_ppi(PM_HDR_LEN + 16, 16, 6, 12, 0x1235);   /* id 0x123, prio 5 */
	put_ppi(PM_HDR_LEN + 32, 16, 8, 12, 0xdeadbeef);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.data_off, PM_HDR_LEN + 48);
	CHECK_EQ(ri.data_len, 60);
	CHECK_EQ(msg[ri.data_off], 1);                 /* the frame's first byte */
	CHECK_EQ(ri.has_csum, 1);
	CHECK_EQ(ri.csum, 0x28);
	CHECK_EQ(ri.has_vlan, 1);
	CHECK_EQ(ri.vlan, 0x1235);
	CHECK_EQ(RNDIS_VLAN_ID(ri.vlan), 0x123);
	CHECK_EQ(RNDIS_VLAN_PRIO(ri.vlan), 5);
	CHECK_EQ(RNDIS_VLAN_CFI(ri.vlan), 0);
	CHECK_EQ(ri.has_hash, 1);
	CHECK_EQ(ri.hash, 0xdeadbeef);

	/* the receive buffer range may be longer than the message */
	CHECK_EQ(parse_data(len + 100, &ri), 0);
	CHECK_EQ(ri.data_len, 60);
}

/* No PPI: nothing claimed; the PPI offset is not looked at. */
static void
test_data_without_ppi(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(0, 64);
	put32(msg + PM_PPI_OFF, 0xfffffff3); /* garbage, but ppi_len is 0 */
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.data_off, PM_HDR_LEN);
	CHECK_EQ(ri.data_len, 64);
	CHECK_EQ(ri.has_vlan, 0);
	CHECK_EQ(ri.has_csum, 0);
	CHECK_EQ(ri.has_hash, 0);
}

/* Offsets count from byte 8, and data may not start inside the header. */
static void
test_data_offset_relative_to_byte_8(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	/* frame at 64, data_offset 56: an absolute reading would say 56 */
	build_data(0, 64);
	memmove(msg + 64, msg + PM_HDR_LEN, 64);
	put32(msg + PM_DATA_OFF, 56);
	put32(msg + PM_LEN, 128);
	CHECK_EQ(parse_data(128, &ri), 0);
	CHECK_EQ(ri.data_off, 64);
	CHECK_EQ(msg[ri.data_off], 1);

	/* smallest legal offset, 36: the frame starts right after the header */
	len = build_data(0, 64);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.data_off, 44);
	put32(msg + PM_DATA_OFF, 35);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_DATA_OFF, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
}

/* Data must end within len, len within what the range gives us. */
static void
test_data_and_len_bounds(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(0, 64);
	put32(msg + PM_DATA_LEN, 65);                  /* one byte past len */
	CHECK_EQ(parse_data(len + 1, &ri), -EINVAL);
	put32(msg + PM_DATA_LEN, 64);
	put32(msg + PM_DATA_OFF, 37);                  /* shifted past len */
	CHECK_EQ(parse_data(len + 1, &ri), -EINVAL);

	len = build_data(0, 64);
	CHECK_EQ(parse_data(len - 1, &ri), -EINVAL);   /* len beyond avail */
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(parse_data(PM_HDR_LEN - 1, &ri), -EINVAL); /* no header */
	CHECK_EQ(parse_data(0, &ri), -EINVAL);
	put32(msg + PM_LEN, PM_HDR_LEN - 1);           /* len inside header */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_LEN, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	len = build_data(0, 64);
	put32(msg + PM_TYPE, 0x80000001);              /* not a PACKET_MSG */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_TYPE, 7);                       /* an indication */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
}

/* Frame size: 14 .. max_frame bytes; zero-length data is refused. */
static void
test_frame_size_limits(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(0, 0);
	CHECK_EQ(parse_data(len, &ri), -EMSGSIZE);
	len = build_data(0, 13);
	CHECK_EQ(parse_data(len, &ri), -EMSGSIZE);
	len = build_data(0, 14);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.data_len, 14);
	len = build_data(0, MAX_FRAME);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.data_len, MAX_FRAME);
	len = build_data(0, MAX_FRAME + 1);
	CHECK_EQ(parse_data(len, &ri), -EMSGSIZE);
	/* the limit is the caller's, not a constant */
	len = build_data(0, 100);
	CHECK_EQ(parse_data_max(len, 99, &ri), -EMSGSIZE);
	CHECK_EQ(parse_data_max(len, 100, &ri), 0);
}

/* The PPI area: 4-aligned, after the header, within len. */
static void
test_ppi_area_bounds(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 12, 7);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.vlan, 7);

	put32(msg + PM_PPI_OFF, 37);                   /* unaligned */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_PPI_OFF, 38);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_PPI_OFF, 32);                   /* inside the header */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_PPI_OFF, 36);
	put32(msg + PM_PPI_LEN, len - PM_HDR_LEN + 4); /* past len */
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
}

/*
 * PPI areas that would parse if their bounds were not checked: each one
 * holds well-formed elements, so only the bounds check can refuse it.
 */
static void
test_ppi_area_bounds_decide(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	/* area at byte 16, inside the header: the OOB fields happen to form
	 * {size 16, VLAN, offset 12} and ppi_offset itself the value
	 */
	len = build_data(0, 60);
	put32(msg + 16, 16);
	put32(msg + 20, 6);
	put32(msg + 24, 12);
	put32(msg + PM_PPI_OFF, 16 - PM_REL);
	put32(msg + PM_PPI_LEN, 16);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* a valid element at the unaligned byte 45 */
	len = build_data(20, 60);
	put_ppi(45, 16, 6, 12, 9);
	put32(msg + PM_PPI_OFF, 45 - PM_REL);
	put32(msg + PM_PPI_LEN, 16);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put_ppi(48, 16, 6, 12, 9);                     /* aligned: fine */
	put32(msg + PM_PPI_OFF, 48 - PM_REL);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.vlan, 9);

	/* area after the frame, ending 4 bytes past len */
	len = build_data(0, 60);
	put_ppi(PM_HDR_LEN + 60, 16, 6, 12, 3);
	put32(msg + PM_PPI_OFF, PM_HDR_LEN + 60 - PM_REL);
	put32(msg + PM_PPI_LEN, 16);
	put32(msg + PM_LEN, len + 16);
	CHECK_EQ(parse_data(len + 16, &ri), 0);        /* frame, then PPI */
	CHECK_EQ(ri.vlan, 3);
	CHECK_EQ(ri.data_off, PM_HDR_LEN);
	put32(msg + PM_LEN, len + 12);
	CHECK_EQ(parse_data(len + 16, &ri), -EINVAL);
}

/*
 * Malformed elements at the very end of the message (PPI after the
 * frame): a walk that reads one byte too far leaves the heap block, which
 * the ASan build reports.
 */
static void
test_ppi_last_element_at_buffer_end(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(0, 60);
	put_ppi(len, 16, 6, 12, 3);                    /* then 8 spare bytes */
	put32(msg + PM_PPI_OFF, len - PM_REL);
	put32(msg + PM_PPI_LEN, 24);
	put32(msg + PM_LEN, len + 24);
	CHECK_EQ(parse_data(len + 24, &ri), -EINVAL);

	len = build_data(0, 60);
	put_ppi(len, 20, 6, 16, 3);                    /* 4 bytes too big */
	put32(msg + PM_PPI_OFF, len - PM_REL);
	put32(msg + PM_PPI_LEN, 16);
	put32(msg + PM_LEN, len + 16);
	CHECK_EQ(parse_data(len + 16, &ri), -EINVAL);
}

/* Malformed PPI elements, each in an otherwise valid message. */
static void
test_ppi_elements_malformed(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	/* size 0 would never advance: must be an error, not a hang */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 0, 1234, 12, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* size smaller than the element header */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 11, 6, 12, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* size beyond the PPI area (it would cover the frame) */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 20, 6, 12, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* value offset past the element */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 17, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* value offset inside the element header */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 8, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* a good element followed by 8 bytes: too short for another */
	len = build_data(24, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 12, 5);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* sizes near UINT32_MAX */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 0xfffffff0, 6, 12, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 0xfffffffc, 0);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
}

/* A value shorter than 4 bytes is not taken; the message is still good. */
static void
test_ppi_value_truncated(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	len = build_data(12 + 16, 60);
	put_ppi(PM_HDR_LEN, 12, 6, 12, 0);             /* no value at all */
	put_ppi(PM_HDR_LEN + 12, 16, 0, 14, 0);        /* 2 value bytes */
	msg[PM_HDR_LEN + 26] = 0xff;
	msg[PM_HDR_LEN + 27] = 0xff;
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.has_vlan, 0);
	CHECK_EQ(ri.has_csum, 0);
	CHECK_EQ(ri.data_off, PM_HDR_LEN + 28);
	CHECK_EQ(ri.data_len, 60);
}

/* Unknown and unused types are skipped; the offset field is honoured. */
static void
test_ppi_unknown_skipped_offset_honoured(void)
{
	struct netvsc_rx_info ri;
	uint32_t len, at = PM_HDR_LEN;

	len = build_data(16 + 16 + 16 + 20 + 16, 60);
	put_ppi(at, 16, 2, 12, 0xffffffff);            /* LSO: ignored on RX */
	at += 16;
	put_ppi(at, 16, 9, 12, 0xffffffff);            /* hash info */
	at += 16;
	put_ppi(at, 16, RNDIS_PPI_INTERNAL | 6, 12, 0xffffffff);
	at += 16;
	put_ppi(at, 20, 6, 16, 0x0042);                /* value 4 bytes later */
	put32(msg + at + 12, 0x0bad);                  /* a fixed +12 reader */
	at += 20;
	put_ppi(at, 16, 0x12345678, 12, 0xffffffff);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.has_vlan, 1);
	CHECK_EQ(ri.vlan, 0x0042);
	CHECK_EQ(ri.has_csum, 0);
	CHECK_EQ(ri.has_hash, 0);
	/* the last of two elements of a type wins; values are not masked */
	put_ppi(PM_HDR_LEN, 16, 0, 12, 0xfffffff1);
	put_ppi(PM_HDR_LEN + 16, 16, 0, 12, 0x80000012);
	CHECK_EQ(parse_data(len, &ri), 0);
	CHECK_EQ(ri.has_csum, 1);
	CHECK_EQ(ri.csum, 0x80000012);
	CHECK_EQ(ri.has_hash, 0);
	CHECK_EQ(ri.data_off, PM_HDR_LEN + 84);
	CHECK_EQ(ri.data_len, 60);
}

/* Sums that wrap a u32 must not pass a bounds check. */
static void
test_data_offsets_near_uint32_max(void)
{
	struct netvsc_rx_info ri;
	uint32_t len;

	/* data_offset + 8 wraps to 0..7 */
	len = build_data(0, 64);
	put32(msg + PM_DATA_OFF, 0xfffffff8);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
	put32(msg + PM_DATA_OFF, 0xffffffff);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* 44 + data_len wraps to 20, inside len; the frame limit must not
	 * be what saves us
	 */
	len = build_data(0, 64);
	put32(msg + PM_DATA_LEN, 0xffffffe8);
	CHECK_EQ(parse_data_max(len, UINT32_MAX, &ri), -EINVAL);

	/* ppi_offset + 8 wraps to 4 (aligned) */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 12, 1);
	put32(msg + PM_PPI_OFF, 0xfffffffc);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* 44 + ppi_len wraps to 24, inside len */
	len = build_data(16, 60);
	put_ppi(PM_HDR_LEN, 16, 6, 12, 1);
	put32(msg + PM_PPI_LEN, 0xffffffec);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);

	/* len itself at the top */
	len = build_data(0, 64);
	put32(msg + PM_LEN, 0xffffffff);
	CHECK_EQ(parse_data(len, &ri), -EINVAL);
}

/* Control messages: the word after the header is handed back. */
static void
test_ctrl_header(void)
{
	uint32_t type = 0, rid = 0;

	memset(msg, 0, sizeof(msg));
	put32(msg, 0x80000004);                        /* QUERY_CMPLT */
	put32(msg + 4, 24 + 6);
	put32(msg + 8, 42);                            /* rid */
	CHECK_EQ(parse_ctrl(30, &type, &rid), 0);
	CHECK_EQ(type, 0x80000004);
	CHECK_EQ(rid, 42);
	CHECK_EQ(parse_ctrl(4096, &type, &rid), 0);
	CHECK_EQ(parse_ctrl(29, &type, &rid), -EINVAL);

	put32(msg, 7);                                 /* INDICATE_STATUS */
	put32(msg + 4, 20);
	put32(msg + 8, RNDIS_STATUS_MEDIA_CONNECT);
	CHECK_EQ(parse_ctrl(20, &type, &rid), 0);
	CHECK_EQ(type, 7);
	CHECK_EQ(rid, RNDIS_STATUS_MEDIA_CONNECT);

	put32(msg + 4, 12);                            /* smallest: 3 words */
	CHECK_EQ(parse_ctrl(12, &type, &rid), 0);
	put32(msg + 4, 11);
	CHECK_EQ(parse_ctrl(12, &type, &rid), -EINVAL);
	put32(msg + 4, 0);
	CHECK_EQ(parse_ctrl(12, &type, &rid), -EINVAL);
	put32(msg + 4, 12);
	CHECK_EQ(parse_ctrl(11, &type, &rid), -EINVAL);
	CHECK_EQ(parse_ctrl(0, &type, &rid), -EINVAL);
	put32(msg + 4, 0xffffffff);
	CHECK_EQ(parse_ctrl(4096, &type, &rid), -EINVAL);
}

/*
 * Transfer-page packets, as they sit in the ring: 16-byte descriptor,
 * page-set id, range count, ranges, padding; then the NVSP message.
 */
#define XH_SET_ID      16
#define XH_COUNT       20
#define XH_RANGES      24
#define RXBUF_SIZE     (31u << 20)

static uint8_t ring_pkt[512] __attribute__((aligned(8)));

/* hdr_ranges: room for that many ranges in the header; nranges used. */
static void
build_xfer(struct vmbus_pkt *pkt, uint32_t hdr_ranges, uint32_t count,
	   uint32_t nvsp_type, uint32_t mtype)
{
	uint32_t hlen = XH_RANGES + 8 * hdr_ranges, dlen = 40;

	memset(ring_pkt, 0, sizeof(ring_pkt));
	put16(ring_pkt + 0, VMBUS_PKT_XFER_PAGES);
	put16(ring_pkt + 2, (uint16_t)(hlen / 8));
	put16(ring_pkt + 4, (uint16_t)((hlen + dlen) / 8));
	put16(ring_pkt + 6, VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	put16(ring_pkt + XH_SET_ID, 0xcafe);
	put32(ring_pkt + XH_COUNT, count);
	put32(ring_pkt + hlen, nvsp_type);
	put32(ring_pkt + hlen + 4, mtype);
	put32(ring_pkt + hlen + 8, 0xffffffff);
	memset(pkt, 0, sizeof(*pkt));
	pkt->type = VMBUS_PKT_XFER_PAGES;
	pkt->hdr = ring_pkt;
	pkt->hdr_len = hlen;
	pkt->data = ring_pkt + hlen;
	pkt->data_len = dlen;
}

/*
 * The packet's header and payload in a heap block of exactly their size;
 * xi->ranges points into it, so the block lives until the next call.
 */
static uint8_t *xfer_copy;

static int
parse_xfer(const struct vmbus_pkt *pkt, uint32_t rxbuf_size,
	   struct netvsc_xfer_info *xi)
{
	uint32_t n = pkt->hdr_len + pkt->data_len;
	struct vmbus_pkt copy = *pkt;

	free(xfer_copy);
	xfer_copy = malloc(n);
	if (xfer_copy == NULL)
		abort();
	memcpy(xfer_copy, ring_pkt, n);
	copy.hdr = xfer_copy;
	copy.data = xfer_copy + pkt->hdr_len;
	memset(xi, 0xa5, sizeof(*xi));
	return netvsc_parse_xfer(&copy, rxbuf_size, xi);
}

static void
put_range(uint32_t i, uint32_t byte_offset, uint32_t byte_count)
{
	put32(ring_pkt + XH_RANGES + 8 * i, byte_count);
	put32(ring_pkt + XH_RANGES + 8 * i + 4, byte_offset);
}

static void
test_xfer_well_formed(void)
{
	struct netvsc_xfer_info xi;
	struct vmbus_pkt pkt;

	build_xfer(&pkt, 2, 2, 107, 0);
	put_range(0, 0, 1600);
	put_range(1, 1600, 100);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	CHECK_EQ(xi.range_count, 2);
	CHECK(xi.ranges == (const void *)(xfer_copy + XH_RANGES));
	CHECK_EQ(xi.ranges[1].byte_offset, 1600);
	CHECK_EQ(xi.ranges[1].byte_count, 100);
	CHECK_EQ(xi.mtype, 0);

	/* a control message; and a header padded past its ranges */
	build_xfer(&pkt, 3, 1, 107, 1);
	put_range(0, 4096, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	CHECK_EQ(xi.range_count, 1);
	CHECK_EQ(xi.mtype, 1);
}

static void
test_xfer_header_malformed(void)
{
	struct netvsc_xfer_info xi;
	struct vmbus_pkt pkt;

	build_xfer(&pkt, 1, 1, 107, 0);
	put_range(0, 0, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	put16(ring_pkt + XH_SET_ID, 0xface);           /* send buffer's id */
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	put16(ring_pkt + XH_SET_ID, 0);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);

	/* more ranges than the header holds */
	build_xfer(&pkt, 2, 3, 107, 0);
	put_range(0, 0, 64);
	put_range(1, 64, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	put32(ring_pkt + XH_COUNT, 0);                 /* no range at all */
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	/* counts whose byte size wraps a u32 to something small */
	put32(ring_pkt + XH_COUNT, 0x20000001);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	put32(ring_pkt + XH_COUNT, 0xffffffff);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	put32(ring_pkt + XH_COUNT, 2);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);

	/* header too short for the transfer-page fields */
	build_xfer(&pkt, 1, 1, 107, 0);
	put_range(0, 0, 64);
	pkt.hdr_len = XH_RANGES - 8;
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	pkt.hdr_len = XH_RANGES;                       /* fields, no range */
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);

	/* payload too short for an NVSP RNDIS message */
	build_xfer(&pkt, 1, 1, 107, 0);
	put_range(0, 0, 64);
	pkt.data_len = 8;
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EINVAL);
	pkt.data_len = 16;
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);

	/* not an RNDIS message */
	build_xfer(&pkt, 1, 1, 108, 0);
	put_range(0, 0, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EPROTO);
	build_xfer(&pkt, 1, 1, 0, 0);
	put_range(0, 0, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -EPROTO);
}

static void
test_xfer_ranges_within_rxbuf(void)
{
	struct netvsc_xfer_info xi;
	struct vmbus_pkt pkt;

	build_xfer(&pkt, 1, 1, 107, 0);
	put_range(0, RXBUF_SIZE - 64, 64);             /* ends at the end */
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	put_range(0, RXBUF_SIZE - 64, 65);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(0, RXBUF_SIZE, 1);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(0, 0, RXBUF_SIZE);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	put_range(0, 0, RXBUF_SIZE + 1);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(0, 64, 0);                           /* empty range */
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	/* offset + count wraps a u32 to 8 */
	put_range(0, 16, 0xfffffff8);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(0, 0xfffffff8, 16);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(0, 0xffffffff, 0xffffffff);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	/* the buffer size is the caller's */
	put_range(0, 4000, 96);
	CHECK_EQ(parse_xfer(&pkt, 4096, &xi), 0);
	CHECK_EQ(parse_xfer(&pkt, 4095, &xi), -ERANGE);

	/* every range is checked, not only the first */
	build_xfer(&pkt, 3, 3, 107, 0);
	put_range(0, 0, 64);
	put_range(1, 64, 64);
	put_range(2, RXBUF_SIZE, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), -ERANGE);
	put_range(2, 128, 64);
	CHECK_EQ(parse_xfer(&pkt, RXBUF_SIZE, &xi), 0);
	CHECK_EQ(xi.range_count, 3);
}

/* Host-initiated NVSP messages on INBAND packets. */
static void
test_host_vfassoc(void)
{
	struct netvsc_host_msg m;

	memset(msg, 0, sizeof(msg));
	put32(msg, 128);
	put32(msg + 4, 1);
	put32(msg + 8, 0x01020304);
	CHECK_EQ(parse_host(40, &m), 0);
	CHECK_EQ(m.type, 128);
	CHECK_EQ(m.vf_allocated, 1);
	CHECK_EQ(m.vf_serial, 0x01020304);
	CHECK_EQ(parse_host(12, &m), 0);
	CHECK_EQ(parse_host(11, &m), -EINVAL);
}

static void
test_host_datapath(void)
{
	struct netvsc_host_msg m;

	memset(msg, 0, sizeof(msg));
	put32(msg, 129);
	CHECK_EQ(parse_host(8, &m), 0);
	CHECK_EQ(m.datapath, 0);
	put32(msg + 4, 1);
	CHECK_EQ(parse_host(40, &m), 0);
	CHECK_EQ(m.datapath, 1);
	put32(msg + 4, 2);
	CHECK_EQ(parse_host(40, &m), -EINVAL);
	put32(msg + 4, 0xffffffff);
	CHECK_EQ(parse_host(40, &m), -EINVAL);
	put32(msg + 4, 0);
	CHECK_EQ(parse_host(7, &m), -EINVAL);
}

/* TXTBL: {type, count, offset} and count u32 at offset (from byte 0). */
static void
build_txtbl(uint32_t count, uint32_t offset)
{
	uint32_t i;

	memset(msg, 0, sizeof(msg));
	put32(msg, 134);
	put32(msg + 4, count);
	put32(msg + 8, offset);
	for (i = 0; i < 32; i++)
		put32(msg + 12 + 4 * i, 0x100 + i);
}

static void
test_host_txtbl(void)
{
	struct netvsc_host_msg m;
	uint32_t i, ok = 1;

	build_txtbl(16, 12);
	CHECK_EQ(parse_host(12 + 64, &m), 0);
	CHECK_EQ(m.txtbl_count, 16);
	for (i = 0; i < 16; i++)
		ok &= m.txtbl[i] == 0x100 + i;
	CHECK(ok);

	build_txtbl(4, 20);                            /* table further in */
	CHECK_EQ(parse_host(36, &m), 0);
	CHECK_EQ(m.txtbl_count, 4);
	CHECK_EQ(m.txtbl[0], 0x102);
	CHECK_EQ(m.txtbl[3], 0x105);
	CHECK_EQ(parse_host(35, &m), -EINVAL);

	build_txtbl(17, 12);                           /* more than 16 */
	CHECK_EQ(parse_host(12 + 68, &m), -EINVAL);
	build_txtbl(0x40000001, 12);                   /* count * 4 wraps */
	CHECK_EQ(parse_host(4096, &m), -EINVAL);
	build_txtbl(16, 12);                           /* table past len */
	CHECK_EQ(parse_host(12 + 63, &m), -EINVAL);
	build_txtbl(2, 8);                             /* overlaps the header */
	CHECK_EQ(parse_host(40, &m), -EINVAL);
	build_txtbl(1, 41);                            /* starts past len */
	CHECK_EQ(parse_host(40, &m), -EINVAL);
	build_txtbl(1, 0xfffffffc);                    /* offset + 4 wraps */
	CHECK_EQ(parse_host(40, &m), -EINVAL);
	build_txtbl(0, 40);                            /* empty table at end */
	CHECK_EQ(parse_host(40, &m), 0);
	CHECK_EQ(m.txtbl_count, 0);
	build_txtbl(1, 12);
	CHECK_EQ(parse_host(11, &m), -EINVAL);
}

static void
test_host_unknown_and_short(void)
{
	struct netvsc_host_msg m;
	static const uint32_t unknown[] = { 0, 1, 2, 102, 107, 108, 133, 135,
					    0xffffffff };
	uint32_t i;

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		put32(msg, unknown[i]);
		CHECK_EQ(parse_host(40, &m), -ENOTSUP);
		CHECK_EQ(m.type, unknown[i]);          /* for the log line */
	}
	/* too short to hold a type: the type reported is defined */
	put32(msg, 128);
	memset(&m, 0xa5, sizeof(m));
	CHECK_EQ(parse_host(3, &m), -EINVAL);
	CHECK_EQ(m.type, 0);
	CHECK_EQ(parse_host(0, &m), -EINVAL);
}

int
main(void)
{
	RUN(test_data_with_vlan_csum_hash);
	RUN(test_data_without_ppi);
	RUN(test_data_offset_relative_to_byte_8);
	RUN(test_data_and_len_bounds);
	RUN(test_frame_size_limits);
	RUN(test_ppi_area_bounds);
	RUN(test_ppi_area_bounds_decide);
	RUN(test_ppi_last_element_at_buffer_end);
	RUN(test_ppi_elements_malformed);
	RUN(test_ppi_value_truncated);
	RUN(test_ppi_unknown_skipped_offset_honoured);
	RUN(test_data_offsets_near_uint32_max);
	RUN(test_ctrl_header);
	RUN(test_xfer_well_formed);
	RUN(test_xfer_header_malformed);
	RUN(test_xfer_ranges_within_rxbuf);
	RUN(test_host_vfassoc);
	RUN(test_host_datapath);
	RUN(test_host_txtbl);
	RUN(test_host_unknown_and_short);
	free(xfer_copy);
	return unit_summary();
}
