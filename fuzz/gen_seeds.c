/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of the fuzz targets: well-formed inputs in the
 * shapes a Hyper-V host produces (fuzz_input.h), one file each, under
 * <dir>/<target>/. Usage: gen_seeds <dir> [<stamp file>]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmbus_wire.h"
#include "nvsp_wire.h"
#include "rndis_wire.h"
#include "fuzz_input.h"

static const char *out_dir;

/* An input under construction. */
struct seed {
	uint8_t b[8192];
	uint32_t len;
};

static void
put(struct seed *s, uint32_t at, const void *p, uint32_t n)
{
	if (at + n > sizeof(s->b)) {
		fprintf(stderr, "gen_seeds: seed too large\n");
		exit(1);
	}
	memcpy(s->b + at, p, n);
	if (at + n > s->len)
		s->len = at + n;
}

static void
put32(struct seed *s, uint32_t at, uint32_t v)
{
	put(s, at, &v, sizeof(v));
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
}

static void
save(const char *target, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s->b, 1, s->len, f) != s->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- fuzz_netvsc_rx ---- */

/* Transfer-page packet with the given ranges, at the start of s. */
static uint32_t
rx_packet(struct seed *s, const struct vmbus_xfer_range *ranges,
	  uint32_t count, uint32_t mtype)
{
	uint32_t hlen = (uint32_t)(sizeof(struct vmbus_xfer_pages_hdr) +
				   count * sizeof(*ranges));
	struct vmbus_xfer_pages_hdr xh;
	struct nvsp_rndis nv;
	uint32_t len;

	hlen = (hlen + 7) & ~7u;
	len = hlen + 40;      /* NVSP messages are padded to 40 bytes */
	memset(&xh, 0, sizeof(xh));
	xh.desc.type = VMBUS_PKT_XFER_PAGES;
	xh.desc.offset8 = (uint16_t)(hlen / 8);
	xh.desc.len8 = (uint16_t)(len / 8);
	xh.desc.flags = VMBUS_PKT_FLAG_COMPLETION_REQUESTED;
	xh.desc.trans_id = 3;
	xh.xfer_pageset_id = NVSP_RXBUF_SIG;
	xh.range_count = count;
	memset(&nv, 0, sizeof(nv));
	nv.type = NVSP_MSG_RNDIS;
	nv.mtype = mtype;
	nv.chim_idx = NVSP_CHIM_IDX_NONE;
	memset(s, 0, sizeof(*s));
	put(s, 0, &xh, sizeof(xh));
	put(s, sizeof(xh), ranges, count * (uint32_t)sizeof(*ranges));
	put(s, hlen, &nv, sizeof(nv));
	s->len = len;
	return len;
}

/* RNDIS data message at at: PPIs (type/value pairs) then a frame. */
static uint32_t
rx_data_msg(struct seed *s, uint32_t at, const uint32_t (*ppi)[2],
	    uint32_t nppi, uint32_t frame_len)
{
	struct rndis_packet_msg h;
	uint32_t ppi_len = nppi * 16, i;

	memset(&h, 0, sizeof(h));
	h.type = RNDIS_MSG_PACKET;
	h.len = (uint32_t)sizeof(h) + ppi_len + frame_len;
	h.data_offset = (uint32_t)sizeof(h) + ppi_len - RNDIS_OFFSET_BASE;
	h.data_len = frame_len;
	h.ppi_offset = nppi ? (uint32_t)sizeof(h) - RNDIS_OFFSET_BASE : 0;
	h.ppi_len = ppi_len;
	put(s, at, &h, sizeof(h));
	for (i = 0; i < nppi; i++) {
		uint32_t e = at + (uint32_t)sizeof(h) + 16 * i;

		put32(s, e, 16);
		put32(s, e + 4, ppi[i][0]);
		put32(s, e + 8, 12);
		put32(s, e + 12, ppi[i][1]);
	}
	for (i = 0; i < frame_len; i++) {
		uint8_t b = i < 6 ? 0xff : (uint8_t)i; /* broadcast */

		put(s, at + (uint32_t)sizeof(h) + ppi_len + i, &b, 1);
	}
	return h.len;
}

static void
gen_rx(void)
{
	static const uint32_t ppi_all[][2] = {
		{ RNDIS_PPI_CSUM, RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_IP_OK },
		{ RNDIS_PPI_VLAN, 0x0640 },
		{ RNDIS_PPI_HASH_VALUE, 0x1234abcd },
		{ RNDIS_PPI_HASH_INFO, 0x00000301 },
	};
	struct vmbus_xfer_range r[3];
	struct rndis_query_comp qc;
	struct rndis_indicate ind;
	struct seed s;
	uint32_t base;

	/* one data message with every PPI the host sends */
	r[0].byte_offset = 0;
	r[0].byte_count = 44 + 64 + 60;
	base = rx_packet(&s, r, 1, NVSP_RNDIS_MTYPE_DATA);
	rx_data_msg(&s, base, ppi_all, 4, 60);
	save("fuzz_netvsc_rx", "data-ppi", &s);

	/* three messages in one packet, the last one without PPIs */
	r[0].byte_offset = 0;
	r[0].byte_count = 44 + 16 + 64;
	r[1].byte_offset = 256;
	r[1].byte_count = 44 + 32 + 1514;
	r[2].byte_offset = 2048;
	r[2].byte_count = 44 + 14;
	base = rx_packet(&s, r, 3, NVSP_RNDIS_MTYPE_DATA);
	rx_data_msg(&s, base, ppi_all + 1, 1, 64);
	rx_data_msg(&s, base + 256, ppi_all, 2, 1514);
	rx_data_msg(&s, base + 2048, NULL, 0, 14);
	save("fuzz_netvsc_rx", "data-three", &s);

	/* control: a QUERY completion with a MAC address */
	r[0].byte_offset = 64;
	r[0].byte_count = sizeof(qc) + 6;
	base = rx_packet(&s, r, 1, NVSP_RNDIS_MTYPE_CTRL);
	memset(&qc, 0, sizeof(qc));
	qc.type = RNDIS_MSG_QUERY | RNDIS_MSG_CMPLT;
	qc.len = sizeof(qc) + 6;
	qc.rid = 4;
	qc.status = RNDIS_STATUS_SUCCESS;
	qc.info_len = 6;
	qc.info_offset = sizeof(qc) - RNDIS_OFFSET_BASE;
	put(&s, base + 64, &qc, sizeof(qc));
	put(&s, base + 64 + sizeof(qc), "\x00\x15\x5d\x01\x02\x03", 6);
	save("fuzz_netvsc_rx", "ctrl-query", &s);

	/* control: a link indication */
	r[0].byte_offset = 0;
	r[0].byte_count = sizeof(ind);
	base = rx_packet(&s, r, 1, NVSP_RNDIS_MTYPE_CTRL);
	memset(&ind, 0, sizeof(ind));
	ind.type = RNDIS_MSG_INDICATE;
	ind.len = sizeof(ind);
	ind.status = RNDIS_STATUS_MEDIA_CONNECT;
	put(&s, base, &ind, sizeof(ind));
	save("fuzz_netvsc_rx", "ctrl-indicate", &s);
}

/* ---- fuzz_netvsc_host_msg ---- */

static void
gen_host_msg(void)
{
	struct seed s;
	uint32_t i;

	memset(&s, 0, sizeof(s));
	put32(&s, 0, NVSP_MSG_VFASSOC);
	put32(&s, 4, 1);
	put32(&s, 8, 7);
	s.len = NVSP_REQ_SIZE;
	save("fuzz_netvsc_host_msg", "vfassoc", &s);

	memset(&s, 0, sizeof(s));
	put32(&s, 0, NVSP_MSG_DATAPATH);
	put32(&s, 4, NVSP_DATAPATH_VF);
	s.len = NVSP_REQ_SIZE;
	save("fuzz_netvsc_host_msg", "datapath", &s);

	memset(&s, 0, sizeof(s));
	put32(&s, 0, NVSP_MSG_TXTBL);
	put32(&s, 4, NVSP_TXTBL_MAX);
	put32(&s, 8, 12);
	for (i = 0; i < NVSP_TXTBL_MAX; i++)
		put32(&s, 12 + 4 * i, i % 4);
	save("fuzz_netvsc_host_msg", "txtbl", &s);

	memset(&s, 0, sizeof(s));
	put32(&s, 0, NVSP_MSG_SUBCH);
	s.len = NVSP_REQ_SIZE;
	save("fuzz_netvsc_host_msg", "unexpected", &s);
}

/* ---- fuzz_vmbus_ring ---- */

struct ring_seed {
	struct seed s;
	struct fuzz_ring_hdr h;
	uint8_t ops[256];
	uint32_t nops;
	uint8_t area[8192];
	uint32_t area_len;
};

static void
ring_op(struct ring_seed *rs, const uint8_t *b, uint32_t n)
{
	memcpy(rs->ops + rs->nops, b, n);
	rs->nops += n;
}

/* Packet in the initial RX area (relative to the read index). */
static void
ring_area_packet(struct ring_seed *rs, uint16_t type, uint32_t payload)
{
	struct vmbus_pkt_desc d;
	uint32_t len = 16 + payload, i;
	uint64_t trailer = 0;

	memset(&d, 0, sizeof(d));
	d.type = type;
	d.offset8 = 2;
	d.len8 = (uint16_t)(len / 8);
	d.trans_id = rs->area_len;
	memcpy(rs->area + rs->area_len, &d, sizeof(d));
	for (i = 16; i < len; i++)
		rs->area[rs->area_len + i] = (uint8_t)i;
	memcpy(rs->area + rs->area_len + len, &trailer, 8);
	rs->area_len += len + 8;
}

static void
ring_save(struct ring_seed *rs, const char *name)
{
	memset(&rs->s, 0, sizeof(rs->s));
	rs->h.ops_len = (uint8_t)rs->nops;
	put(&rs->s, 0, &rs->h, sizeof(rs->h));
	put(&rs->s, sizeof(rs->h), rs->ops, rs->nops);
	put(&rs->s, (uint32_t)sizeof(rs->h) + rs->nops, rs->area, rs->area_len);
	save("fuzz_vmbus_ring", name, &rs->s);
}

static void
gen_ring(void)
{
	static const uint8_t drain[] = { FUZZ_RING_OP_DRAIN };
	static const uint8_t query[] = { FUZZ_RING_OP_QUERY };
	static const uint8_t consume[] = { FUZZ_RING_OP_HOST_TX_CONSUME };
	static const uint8_t tx_small[] = { FUZZ_RING_OP_GUEST_TX, 6 };
	static const uint8_t tx_big[] = { FUZZ_RING_OP_GUEST_TX, 254 };
	static const uint8_t host_pkt[] = { FUZZ_RING_OP_HOST_RX_PACKET,
					    VMBUS_PKT_COMP, 2, 8 };
	static const uint8_t host_xfer[] = { FUZZ_RING_OP_HOST_RX_PACKET,
					     VMBUS_PKT_XFER_PAGES, 4, 12 };
	static const uint8_t mask[] = { FUZZ_RING_OP_GUEST_RX_MASK, 1 };
	static const uint8_t pending[] = { FUZZ_RING_OP_HOST_RX_PENDING,
					   0x00, 0x0c, 0x00, 0x00 };
	static const uint8_t peek_at[] = { FUZZ_RING_OP_PEEK_AT, 8, 0 };
	/* 32 acks of 40 bytes, as netvsc sends them */
	static const uint8_t acks[] = { FUZZ_RING_OP_GUEST_TX_BATCH, 31, 40 };
	/* and 8 of 37 bytes: padded */
	static const uint8_t acks_pad[] = { FUZZ_RING_OP_GUEST_TX_BATCH, 7, 37 };
	struct ring_seed rs;
	int i;

	/* three packets waiting, drained at once */
	memset(&rs, 0, sizeof(rs));
	rs.h.rx_write_index = 0;
	ring_area_packet(&rs, VMBUS_PKT_INBAND, 40);
	ring_area_packet(&rs, VMBUS_PKT_XFER_PAGES, 64);
	ring_area_packet(&rs, VMBUS_PKT_COMP, 24);
	rs.h.rx_write_index = rs.area_len;
	rs.h.rx_feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
	ring_op(&rs, query, sizeof(query));
	ring_op(&rs, peek_at, sizeof(peek_at));
	ring_op(&rs, drain, sizeof(drain));
	ring_op(&rs, query, sizeof(query));
	ring_save(&rs, "rx-three");

	/* packets across the end of the data area, host waiting for space */
	memset(&rs, 0, sizeof(rs));
	rs.h.rx_read_index = 4096 - 48;
	ring_area_packet(&rs, VMBUS_PKT_INBAND, 64);
	ring_area_packet(&rs, VMBUS_PKT_COMP, 8);
	rs.h.rx_write_index = (4096 - 48 + rs.area_len) % 4096;
	rs.h.rx_feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
	rs.h.rx_pending_send_sz = 4096 - 16;
	ring_op(&rs, drain, sizeof(drain));
	ring_op(&rs, host_pkt, sizeof(host_pkt));
	ring_op(&rs, host_xfer, sizeof(host_xfer));
	ring_op(&rs, pending, sizeof(pending));
	ring_op(&rs, drain, sizeof(drain));
	ring_save(&rs, "rx-wrap");

	/* guest sends until the ring is full, host consumes, guest sends */
	memset(&rs, 0, sizeof(rs));
	rs.h.pages = 1;
	rs.h.tx_write_index = 8192 - 512;
	rs.h.tx_read_index = 8192 - 512;
	for (i = 0; i < 10; i++)
		ring_op(&rs, tx_big, sizeof(tx_big));
	ring_op(&rs, query, sizeof(query));
	ring_op(&rs, consume, sizeof(consume));
	ring_op(&rs, tx_small, sizeof(tx_small));
	ring_op(&rs, mask, sizeof(mask));
	ring_op(&rs, tx_small, sizeof(tx_small));
	ring_op(&rs, query, sizeof(query));
	ring_save(&rs, "tx-fill");

	/* batches of acks across the end of the data area until it is full */
	memset(&rs, 0, sizeof(rs));
	rs.h.tx_write_index = 4096 - 256;
	rs.h.tx_read_index = 4096 - 256;
	for (i = 0; i < 4; i++)
		ring_op(&rs, acks, sizeof(acks));
	ring_op(&rs, consume, sizeof(consume));
	ring_op(&rs, acks_pad, sizeof(acks_pad));
	ring_op(&rs, acks, sizeof(acks));
	ring_op(&rs, query, sizeof(query));
	ring_save(&rs, "tx-acks");
}

int
main(int argc, char **argv)
{
	FILE *stamp;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s <dir> [<stamp file>]\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	make_dir(out_dir);
	gen_rx();
	gen_host_msg();
	gen_ring();
	if (argc == 3) {
		stamp = fopen(argv[2], "w");
		if (stamp == NULL || fclose(stamp) != 0) {
			perror(argv[2]);
			return 1;
		}
	}
	return 0;
}
