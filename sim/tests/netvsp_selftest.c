/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the synthetic NIC's strictness, without DPDK: a minimal
 * guest written here speaks NVSP and RNDIS over the uio interfaces and
 * checks what the host answers and what it counts. Run under simrun with
 *   --gpa=va --vmbus netvsc,monitor=no,nvsp-max=5 --wire loop:0
 *   --wire vf:0,ifname=<any name>
 * (GPA-direct addresses are this process's virtual addresses). Prints one
 * line per check and a closing "N passed, M failed".
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../hyperv/netvsp_proto.h"
#include "../hyperv/nic_offload.h"
#include "../hyperv/rndis_proto.h"

#include "sim_check.h"

#define PAGE            4096u
#define RELID           14u
#define UUID            "5e5e0000-df3e-46c5-913f-f2d2f965ed0e"
#define T_INBAND        6
#define T_XFER          7
#define T_GPA           9
#define T_COMP          0xb
#define F_RC            1
#define SECTION         6144u


struct ring_hdr {
	uint32_t windex, rindex, imask, pending;
};

struct desc {
	uint16_t type, offset8, len8, flags;
	uint64_t xid;
};

static int fd;
static uint32_t *int_send;
static struct ring_hdr *tx, *rx;
static uint8_t *txd, *rxd, *recv_buf, *send_buf;
static uint32_t dsize, recv_gpadl, send_gpadl;
static uint8_t pkt[65536];

/* Host-initiated inband messages, as they were read. */
static struct note {
	uint32_t type, a, b;
	uint16_t flags;
	uint64_t xid;
} notes[64];
static unsigned int nnotes;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
copy_in(uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = dsize - off;

	memcpy(txd + off, src, len < first ? len : first);
	if (len > first)
		memcpy(txd, (const uint8_t *)src + first, len - first);
}

static void
copy_out(uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = dsize - off;

	memcpy(dst, rxd + off, len < first ? len : first);
	if (len > first)
		memcpy((uint8_t *)dst + first, rxd, len - first);
}

/* One packet: descriptor, type header (hlen, 8-aligned), payload. */
static void
send_pkt(uint16_t type, uint16_t flags, uint64_t xid, const void *hdr, uint32_t hlen,
	 const void *pl, uint32_t plen)
{
	uint32_t off = 16 + hlen, len = (off + plen + 7) & ~7u, w = tx->windex;
	struct desc d = { type, (uint16_t)(off / 8), (uint16_t)(len / 8), flags, xid };
	uint64_t trailer = (uint64_t)w << 32;
	int32_t one = 1;

	memset(pkt, 0, len);
	memcpy(pkt, &d, sizeof(d));
	if (hlen != 0)
		memcpy(pkt + 16, hdr, hlen);
	memcpy(pkt + off, pl, plen);
	copy_in(w, pkt, len);
	copy_in((w + len) % dsize, &trailer, 8);
	__atomic_store_n(&tx->windex, (w + len + 8) % dsize, __ATOMIC_RELEASE);
	/* Not monitored: the relid bit and the uio write (the hypercall). */
	__atomic_fetch_or(&int_send[RELID / 32], 1u << (RELID % 32), __ATOMIC_SEQ_CST);
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		perror("uio write");
}

static void
send_nvsp(uint16_t type, uint16_t flags, uint64_t xid, const void *msg, uint32_t len)
{
	uint8_t m[NVSP_MSG_SIZE_V61] = { 0 };

	memcpy(m, msg, len);
	send_pkt(type, flags, xid, NULL, 0, m, sizeof(m));
}

/* Next packet from the host: descriptor in *d, payload at return. */
static uint8_t *
recv_pkt(struct desc *d, uint32_t *plen, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	uint32_t r = rx->rindex, len;

	while (__atomic_load_n(&rx->windex, __ATOMIC_ACQUIRE) == r) {
		if (now_ms() > end)
			return NULL;
		usleep(100);
	}
	copy_out(r, d, sizeof(*d));
	len = (uint32_t)d->len8 * 8;
	copy_out(r, pkt, len);
	__atomic_store_n(&rx->rindex, (r + len + 8) % dsize, __ATOMIC_RELEASE);
	*plen = len - d->offset8 * 8u;
	if (d->type == T_INBAND && nnotes < sizeof(notes) / sizeof(notes[0])) {
		const uint8_t *m = pkt + d->offset8 * 8;
		struct note *n = &notes[nnotes++];

		memcpy(&n->type, m, 4);
		memcpy(&n->a, m + 4, 4);
		memcpy(&n->b, m + 8, 4);
		n->flags = d->flags;
		n->xid = d->xid;
	}
	return pkt + d->offset8 * 8;
}

static uint32_t
u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

typedef int (*ctl_fn)(const char *, char *, unsigned int);

static char reply[8192];

static int
ctl(const char *cmd)
{
	static ctl_fn fn;

	if (fn == NULL)
		fn = (ctl_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "udrv_sim_ctl");
	return fn != NULL ? fn(cmd, reply, sizeof(reply)) : -ENOSYS;
}

static uint64_t
nic_stat(const char *key)
{
	char pat[64], *p;

	if (ctl("nic 0 stats") != 0)
		return UINT64_MAX;
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(reply, pat);
	return p != NULL ? strtoull(p + strlen(pat), NULL, 0) : UINT64_MAX;
}

static uint32_t
map_gpadl(unsigned int map)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/uio/uio0/maps/map%u/name", map);
	f = fopen(path, "r");
	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	if (f != NULL)
		fclose(f);
	return (uint32_t)strtoul(strchr(buf, ':') != NULL ? strchr(buf, ':') + 1 : "0",
				 NULL, 10);
}

static bool
setup(void)
{
	size_t ring = 2 * 2048 * 1024;
	uint8_t *base;

	fd = open("/dev/uio0", O_RDWR);
	if (fd < 0)
		return false;
	base = mmap(NULL, ring, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int_send = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	recv_buf = mmap(NULL, 16u << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 3 * PAGE);
	send_buf = mmap(NULL, 16u << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * PAGE);
	if (base == MAP_FAILED || int_send == MAP_FAILED || recv_buf == MAP_FAILED ||
	    send_buf == MAP_FAILED)
		return false;
	int_send = (uint32_t *)((uint8_t *)int_send + PAGE / 2);
	tx = (struct ring_hdr *)base;
	rx = (struct ring_hdr *)(base + ring / 2);
	txd = base + PAGE;
	rxd = base + ring / 2 + PAGE;
	dsize = (uint32_t)(ring / 2 - PAGE);
	recv_gpadl = map_gpadl(3);
	send_gpadl = map_gpadl(4);
	return true;
}

/* A request with completion; the completion's payload, or NULL. */
static uint8_t *
request(const void *msg, uint32_t len, uint32_t *plen)
{
	static uint64_t xid = 1;
	struct desc d;
	uint8_t *p;

	send_nvsp(T_INBAND, F_RC, ++xid, msg, len);
	p = recv_pkt(&d, plen, 2000);
	return p != NULL && d.type == T_COMP && d.xid == xid ? p : NULL;
}

/* An RNDIS control message by GPA direct; the answer from the receive
 * buffer (acked), or NULL.
 */
static uint8_t *
rndis_request(const void *msg, uint32_t len, uint32_t *rlen)
{
	static uint8_t req[PAGE] __attribute__((aligned(PAGE)));
	static uint8_t resp[2048];
	struct nvsp_rndis_packet m = {
		.type = NVSP_MSG1_RNDIS_PACKET,
		.channel_type = NVSP_RNDIS_CONTROL,
		.section_index = NVSP_NO_SECTION,
	};
	struct {
		uint32_t reserved, count;
		uint32_t len, offset;
		uint64_t pfn;
	} g = { 0, 1, len, 0, (uintptr_t)req / PAGE };
	struct nvsp_rndis_complete ack = { NVSP_MSG1_RNDIS_PACKET_COMPLETE, 1 };
	uint64_t end = now_ms() + 2000;
	struct desc d;
	uint32_t plen;
	uint8_t *p;

	memcpy(req, msg, len);
	send_pkt(T_GPA, F_RC, 0, &g, sizeof(g), &m, sizeof(m));
	while (now_ms() < end) {
		p = recv_pkt(&d, &plen, 2000);
		if (p == NULL)
			return NULL;
		if (d.type != T_XFER)
			continue;       /* the send's completion */
		{
			const uint8_t *h = pkt + 16;
			uint32_t ofs = u32(h + 12), n = u32(h + 8);

			*rlen = n;
			memcpy(resp, recv_buf + ofs, n < sizeof(resp) ? n : sizeof(resp));
		}
		send_nvsp(T_COMP, 0, d.xid, &ack, sizeof(ack));
		return resp;
	}
	return NULL;
}

static uint32_t
query(uint32_t oid, uint8_t *out, uint32_t *out_len)
{
	struct rndis_oid_req q = {
		.type = RNDIS_MSG_QUERY, .len = sizeof(q), .rid = 7, .oid = oid,
		.info_offset = sizeof(q) - 8,
	};
	uint32_t rlen = 0;
	uint8_t *r = rndis_request(&q, sizeof(q), &rlen);

	if (r == NULL)
		return 0xffffffff;
	*out_len = u32(r + 16);
	memcpy(out, r + 8 + u32(r + 20), *out_len);
	return u32(r + 12);
}

static uint32_t
set(uint32_t oid, const void *in, uint32_t in_len)
{
	uint8_t buf[1024];
	struct rndis_oid_req q = {
		.type = RNDIS_MSG_SET, .len = sizeof(q) + in_len, .rid = 9, .oid = oid,
		.info_len = in_len, .info_offset = sizeof(q) - 8,
	};
	uint32_t rlen = 0;
	uint8_t *r;

	memcpy(buf, &q, sizeof(q));
	memcpy(buf + sizeof(q), in, in_len);
	r = rndis_request(buf, sizeof(q) + in_len, &rlen);
	return r != NULL ? u32(r + 12) : 0xffffffff;
}

static void
test_nvsp(void)
{
	struct nvsp_init init = { NVSP_MSG_INIT, NVSP_V61, NVSP_V61 };
	struct nvsp_ndis_config conf = { NVSP_MSG2_NDIS_CONFIG, 1514, 0,
					  NVSP_CAP_IEEE8021Q | NVSP_CAP_SRIOV };
	struct nvsp_ndis_version ver = { NVSP_MSG1_NDIS_VERSION, 6, 30 };
	struct nvsp_buf rb = { NVSP_MSG1_RECV_BUF, recv_gpadl + 7, NVSP_RECV_BUF_ID, 0 };
	struct nvsp_buf sb = { NVSP_MSG1_SEND_BUF, send_gpadl, NVSP_SEND_BUF_ID, 0 };
	uint64_t errs = nic_stat("proto_errors");
	uint32_t plen;
	uint8_t *p;

	/* nvsp-max=5 in the options: 6.1 is refused, 5 taken. */
	p = request(&init, sizeof(init), &plen);
	check(p != NULL && u32(p) == NVSP_MSG_INIT_COMPLETE && u32(p + 12) == 2,
	      "INIT 6.1 refused (status 2) by a host limited to 5");
	init.ver_min = init.ver_max = NVSP_V5;
	p = request(&init, sizeof(init), &plen);
	check(p != NULL && u32(p + 12) == 1 && plen == 32,
	      "INIT 5 accepted, 28-byte message (%u with padding)", plen);
	p = request(&init, sizeof(init), &plen);
	check(p != NULL && u32(p + 12) == 2 && nic_stat("proto_errors") == errs + 1,
	      "a second INIT refused and counted");
	rb.gpadl = recv_gpadl;
	p = request(&rb, sizeof(rb), &plen);
	check(p != NULL && u32(p + 4) == 2, "receive buffer before NDIS_CONFIG refused");
	send_nvsp(T_INBAND, 0, 0, &conf, sizeof(conf));
	send_nvsp(T_INBAND, 0, 0, &ver, sizeof(ver));
	rb.gpadl = recv_gpadl + 7;
	p = request(&rb, sizeof(rb), &plen);
	check(p != NULL && u32(p + 4) == 2, "receive buffer with a wrong GPADL refused");
	rb.gpadl = recv_gpadl;
	p = request(&rb, sizeof(rb), &plen);
	check(p != NULL && u32(p + 4) == 1 && u32(p + 8) == 1 && u32(p + 12) == 0 &&
	      u32(p + 16) == 1808 && u32(p + 20) == (16u << 20) / 1808 &&
	      u32(p + 24) == 1808 * ((16u << 20) / 1808),
	      "receive buffer: one section of %u slots of %u bytes", u32(p + 20), u32(p + 16));
	p = request(&sb, sizeof(sb), &plen);
	check(p != NULL && u32(p + 4) == 1 && u32(p + 8) == SECTION,
	      "send buffer: %u-byte sections", p != NULL ? u32(p + 8) : 0);
	check(nic_stat("proto_errors") == errs + 3, "each refusal counted once (%llu)",
	      (unsigned long long)(nic_stat("proto_errors") - errs));
}

static void
test_rndis(void)
{
	struct rndis_init_req ini = { RNDIS_MSG_INIT, sizeof(ini), 1, 1, 0, 0x4000 };
	struct ndis_offload_params op = {
		.hdr = { NDIS_OBJ_DEFAULT, 3, NDIS_OFFLOAD_PARAMS_SIZE_3 },
	};
	struct {
		struct ndis_rss_params p;
		uint32_t table[4];
		uint8_t key[40];
	} rss = {
		.p = {
			.hdr = { NDIS_OBJ_RSS_PARAMS, 2, NDIS_RSS_PARAMS_SIZE_2 },
			.hash = NDIS_HASH_FUNCTION_TOEPLITZ | NDIS_HASH_IPV4,
			.table_size = 16, .table_offset = 40, .key_size = 40,
			.key_offset = 56,
		},
		.table = { 0, 0, 0, 1 },
	};
	uint8_t out[1024];
	uint32_t rlen, olen, filter = NDIS_PACKET_TYPE_PROMISCUOUS;
	uint8_t *r = rndis_request(&ini, sizeof(ini), &rlen);

	check(r != NULL && u32(r) == (RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION) &&
	      u32(r + 12) == 0 && u32(r + 32) == 8 && u32(r + 36) == 6144 && u32(r + 40) == 3,
	      "RNDIS INITIALIZE: 8 packets, 6144 bytes, alignment 2^3");
	check(query(OID_802_3_PERMANENT_ADDRESS, out, &olen) == 0 && olen == 6 &&
	      memcmp(out, "\x00\x15\x5d\x00\x00\x00", 6) == 0, "MAC 00:15:5d:00:00:00");
	check(query(OID_GEN_RECEIVE_SCALE_CAPABILITIES, out, &olen) == 0 && olen == 18 &&
	      out[0] == NDIS_OBJ_RSS_CAPS && out[1] == 2 && u32(out + 12) == 9,
	      "RSS capabilities rev 2, 18 bytes, 9 queues");
	check(query(OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, out, &olen) == 0 && olen == 156,
	      "offload capabilities rev 3, 156 bytes");
	check(query(0x00fedcba, out, &olen) == RNDIS_STATUS_NOT_SUPPORTED,
	      "unknown OID: NOT_SUPPORTED");
	op.lsov1 = NDIS_OFFLOAD_LSO_ON;
	check(set(OID_TCP_OFFLOAD_PARAMETERS, &op, sizeof(op)) == RNDIS_STATUS_NOT_SUPPORTED,
	      "LSOv1 refused");
	op.lsov1 = 0;
	op.udp4_csum = NDIS_OFFLOAD_TXRX;
	op.ip4_csum = NDIS_OFFLOAD_TXRX;
	check(set(OID_TCP_OFFLOAD_PARAMETERS, &op, sizeof(op)) == 0,
	      "IPv4/UDP checksum offload on");
	check(set(OID_GEN_RECEIVE_SCALE_PARAMETERS, &rss, sizeof(rss)) ==
	      RNDIS_STATUS_INVALID_PARAMETER, "RSS table naming a channel that does not exist refused");
	rss.table[3] = 0;
	rss.p.hash = NDIS_HASH_FUNCTION_TOEPLITZ | 0x4000;
	check(set(OID_GEN_RECEIVE_SCALE_PARAMETERS, &rss, sizeof(rss)) ==
	      RNDIS_STATUS_INVALID_PARAMETER, "RSS hash type not offered refused");
	check(set(OID_GEN_CURRENT_PACKET_FILTER, &filter, sizeof(filter)) == 0,
	      "packet filter set");
}

/* Two UDP frames aggregated in one send section, checksums asked of the
 * host; they come back through the loop wire with the checksum PPI.
 */
static void
test_data(void)
{
	static const uint8_t a[4] = { 10, 1, 1, 1 }, b[4] = { 10, 1, 1, 2 };
	struct nvsp_rndis_packet m = {
		.type = NVSP_MSG1_RNDIS_PACKET, .channel_type = NVSP_RNDIS_DATA,
		.section_index = 3,
	};
	uint64_t sent = nic_stat("tx_csum_udp"), errs = nic_stat("proto_errors");
	uint32_t off = 0, end = 0, i, plen, got = 0, csum_ok = 0;
	struct desc d;
	uint8_t *p;

	for (i = 0; i < 2; i++) {
		uint8_t *msg = send_buf + 3 * SECTION + off;
		struct rndis_packet rp = { .type = RNDIS_MSG_PACKET };
		struct rndis_ppi e = { 16, RNDIS_PPI_CSUM, 12 };
		uint32_t info = NDIS_TXCSUM_IPV4 | NDIS_TXCSUM_IP | NDIS_TXCSUM_UDP |
				(34u << NDIS_TXCSUM_THOFF_SHIFT);
		uint8_t *f = msg + 44 + 16, *ip = f + 14, *udp = ip + 20;

		memset(f, 0, 100);
		memset(f, 0xff, 6);     /* broadcast: passes any filter */
		f[12] = 0x08;
		ip[0] = 0x45;
		ip[3] = 20 + 8 + 58;
		ip[8] = 64;
		ip[9] = NIC_PROTO_UDP;
		memcpy(ip + 12, a, 4);
		memcpy(ip + 16, b, 4);
		udp[1] = (uint8_t)(7 + i);
		udp[3] = 9;
		udp[5] = 8 + 58;
		rp.data_len = 14 + 20 + 8 + 58;
		rp.ppi_offset = 36;
		rp.ppi_len = 16;
		rp.data_offset = 44 + 16 - 8;
		rp.len = 44 + 16 + rp.data_len;
		memcpy(msg, &rp, sizeof(rp));
		memcpy(msg + 44, &e, sizeof(e));
		memcpy(msg + 56, &info, 4);
		end = off + rp.len;
		off += (rp.len + 7) & ~7u;
		if (i == 0) {
			/* The first message is padded to the next 8 bytes. */
			rp.len = (rp.len + 7) & ~7u;
			memcpy(msg, &rp, sizeof(rp));
		}
	}
	m.section_size = end;
	send_nvsp(T_INBAND, F_RC, 42, &m, sizeof(m));
	for (i = 0; i < 8 && got < 2; i++) {
		p = recv_pkt(&d, &plen, 2000);
		if (p == NULL)
			break;
		if (d.type == T_COMP && d.xid != 42)
			continue;       /* an earlier control message's */
		if (d.type == T_COMP) {
			check(d.xid == 42 && u32(p) == NVSP_MSG1_RNDIS_PACKET_COMPLETE &&
			      u32(p + 4) == 1, "aggregated send completed with status 1");
			continue;
		}
		if (d.type == T_XFER) {
			const uint8_t *h = pkt + 16, *msg = recv_buf + u32(h + 12);
			struct nvsp_rndis_complete ack = { NVSP_MSG1_RNDIS_PACKET_COMPLETE, 1 };

			/* header 44, then the PPI: size, type, offset, value */
			if (u32(msg) == RNDIS_MSG_PACKET && u32(msg + 32) == 16 &&
			    u32(msg + 48) == RNDIS_PPI_CSUM &&
			    u32(msg + 56) == (NDIS_RXCSUM_IP_OK | NDIS_RXCSUM_UDP_OK))
				csum_ok++;
			got++;
			send_nvsp(T_COMP, 0, d.xid, &ack, sizeof(ack));
			if (got == 1)   /* the same completion twice: counted */
				send_nvsp(T_COMP, 0, d.xid, &ack, sizeof(ack));
		}
	}
	check(got == 2 && csum_ok == 2,
	      "both frames back through the loop with good checksums (%u/%u)", csum_ok, got);
	check(nic_stat("tx_csum_udp") == sent + 2, "host computed 2 UDP checksums");
	usleep(200000);
	check(nic_stat("bad_acks") == 1 && nic_stat("proto_errors") == errs + 1,
	      "a duplicate receive completion counted as bad");
}

static const struct note *
find_note(unsigned int from, uint32_t type, uint32_t a)
{
	unsigned int i;

	for (i = from; i < nnotes; i++)
		if (notes[i].type == type && notes[i].a == a)
			return &notes[i];
	return NULL;
}

/* Read whatever the host has sent, acking receive slots. */
static void
drain(unsigned int ms)
{
	struct nvsp_rndis_complete ack = { NVSP_MSG1_RNDIS_PACKET_COMPLETE, 1 };
	struct desc d;
	uint32_t plen;

	while (recv_pkt(&d, &plen, ms) != NULL)
		if (d.type == T_XFER)
			send_nvsp(T_COMP, 0, d.xid, &ack, sizeof(ack));
}

/* VF association after RNDIS INITIALIZE, the guest's data-path switch,
 * and the host taking the path back when the VF goes.
 */
static void
test_vf(void)
{
	struct nvsp_switch_data_path dp = { NVSP_MSG4_SWITCH_DATA_PATH, NVSP_DATA_PATH_VF };
	const struct note *n, *sw;
	unsigned int mark;
	uint32_t plen;
	uint8_t *p;

	drain(100);
	n = find_note(0, NVSP_MSG4_VF_ASSOCIATION, 1);
	check(n != NULL && n->b == 1 && (n->flags & F_RC) && n->xid == NVSP_TID_VF_ASSOCIATION,
	      "VF association (allocated, serial 1) after RNDIS INITIALIZE");
	p = request(&dp, sizeof(dp), &plen);
	check(p != NULL && u32(p) == NVSP_MSG4_SWITCH_DATA_PATH && u32(p + 4) == 1 &&
	      ctl("nic 0 stats") == 0 && strstr(reply, "datapath=vf") != NULL,
	      "data path switched to the VF, completed");
	mark = nnotes;
	check(ctl("vf 0 remove") == 0, "vf 0 remove");
	drain(100);
	sw = find_note(mark, NVSP_MSG4_SWITCH_DATA_PATH, NVSP_DATA_PATH_SYNTHETIC);
	n = find_note(mark, NVSP_MSG4_VF_ASSOCIATION, 0);
	check(sw != NULL && n != NULL && sw < n && sw->xid == NVSP_TID_SWITCH_DATA_PATH &&
	      ctl("nic 0 stats") == 0 && strstr(reply, "datapath=synthetic") != NULL,
	      "VF removed: the host switched back first, then de-associated");
	mark = nnotes;
	check(ctl("vf 0 add") == 0, "vf 0 add");
	drain(100);
	check(find_note(mark, NVSP_MSG4_VF_ASSOCIATION, 1) != NULL, "VF associated again");
}

int
main(void)
{
	if (!setup()) {
		printf("FAIL: cannot open and map /dev/uio0\n0 passed, 1 failed\n");
		return 1;
	}
	test_nvsp();
	test_rndis();
	test_vf();
	test_data();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
