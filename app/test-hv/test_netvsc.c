/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netvsc PMD behaviour through the ethdev API, under the modelled host
 * with a loopback wire on NIC 0 (every frame the port sends comes back to
 * it after the host's offload work), so the test sees both ends.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "netvsc_util.h"
#include "testhv.h"

#define MAX_PORTS 8

static uint16_t port0;

static int
first_port(void)
{
	uint16_t ports[MAX_PORTS];
	int n = nv_find_ports(ports, MAX_PORTS);

	TCHECK(n > 0, "no netvsc port probed");
	if (n <= 0)
		return -1;
	port0 = ports[0];
	return 0;
}

int
test_netvsc_bringup(int argc, char **argv)
{
	uint16_t ports[MAX_PORTS];
	unsigned int want = argc > 1 ? (unsigned int)atoi(argv[1]) : 1;
	const char *version = argc > 2 ? argv[2] : NULL;
	int n, i, round;

	n = nv_find_ports(ports, MAX_PORTS);
	TCHECK(n == (int)want, "%d netvsc ports, expected %u", n, want);
	for (i = 0; i < n; i++) {
		struct rte_eth_dev_info info;
		struct rte_ether_addr mac;
		struct rte_eth_link link;
		uint16_t mtu;

		TCHECK(rte_eth_dev_info_get(ports[i], &info) == 0, "info");
		TCHECK(rte_eth_macaddr_get(ports[i], &mac) == 0 &&
		       rte_is_valid_assigned_ether_addr(&mac), "MAC");
		TCHECK(rte_eth_dev_get_mtu(ports[i], &mtu) == 0 && mtu == 1500,
		       "MTU %u", mtu);
		printf("port %u: MAC " RTE_ETHER_ADDR_PRT_FMT ", %u queues max, tx offloads %#" PRIx64 "\n",
		       ports[i], RTE_ETHER_ADDR_BYTES(&mac), info.max_rx_queues,
		       info.tx_offload_capa);
		if (version != NULL) {
			/* the port's dump names the negotiated version */
			char *text = NULL, want_text[64];
			size_t len = 0;
			FILE *f = open_memstream(&text, &len);

			TCHECK(f != NULL && rte_eth_dev_priv_dump(ports[i], f) == 0,
			       "dump");
			if (f != NULL)
				fclose(f);
			snprintf(want_text, sizeof(want_text), "NVSP %s ", version);
			TCHECK(text != NULL && strstr(text, want_text) != NULL,
			       "negotiated version is not %s: %s", version,
			       text != NULL ? text : "");
			free(text);
		}
		for (round = 0; round < 2; round++) {
			TCHECK(nv_port_setup(ports[i], 1, NULL) == 0,
			       "port %u setup round %d", ports[i], round);
			TCHECK(rte_eth_link_get_nowait(ports[i], &link) == 0 &&
			       link.link_status == RTE_ETH_LINK_UP,
			       "port %u link down", ports[i]);
			TCHECK(rte_eth_dev_stop(ports[i]) == 0, "stop");
		}
	}
	return 0;
}

struct traffic_ctx {
	struct nv_frame_spec fs;
	const uint32_t *sizes;
	unsigned int nsizes;
	uint32_t next_seq;
	unsigned int bad;
};

static struct rte_mbuf *
traffic_make(void *arg, uint32_t seq)
{
	struct traffic_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;

	fs.len = c->sizes[seq % c->nsizes];
	fs.tcp = (seq / c->nsizes) % 2;
	return nv_frame(&fs, seq);
}

static bool
traffic_check(void *arg, struct rte_mbuf *m, uint16_t q)
{
	struct traffic_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;
	uint32_t seq = c->next_seq++;
	char why[128];

	RTE_SET_USED(q);
	fs.len = c->sizes[seq % c->nsizes];
	fs.tcp = (seq / c->nsizes) % 2;
	if (nv_frame_check(m, &fs, seq, why, sizeof(why)) != 0) {
		if (c->bad++ < 5)
			TCHECK(0, "frame %u (%u bytes, %u segs): %s", seq,
			       fs.len, fs.seg_size, why);
	}
	return true;
}

/* Frames of many sizes, single and multi-segment, in order and intact. */
int
test_netvsc_traffic(int argc, char **argv)
{
	static const uint32_t sizes[] = {
		60, 64, 65, 128, 255, 256, 300, 511, 512, 513, 600, 1000,
		1400, 1514,
	};
	static const uint32_t segs[] = { 0, 100, 700 };
	unsigned int per = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000;
	struct rte_eth_stats st;
	unsigned int s;

	if (first_port() < 0)
		return 0;
	TCHECK(nv_port_setup(port0, 1, NULL) == 0, "setup");
	for (s = 0; s < RTE_DIM(segs); s++) {
		struct traffic_ctx c = { .sizes = sizes, .nsizes = RTE_DIM(sizes) };
		unsigned int got;

		rte_eth_macaddr_get(port0, &c.fs.dst);
		c.fs.src = c.fs.dst;
		c.fs.seg_size = segs[s];
		got = nv_exchange(port0, 0, port0, 1, per, 64, traffic_make,
				  traffic_check, &c, 20000);
		TCHECK(got == per, "segments of %u: %u of %u frames back",
		       segs[s], got, per);
		TCHECK(c.bad == 0, "segments of %u: %u frames corrupt or out of order",
		       segs[s], c.bad);
		printf("segments of %u bytes: %u frames back intact\n", segs[s],
		       got - c.bad);
	}
	rte_eth_stats_get(port0, &st);
	printf("port stats: rx %" PRIu64 " tx %" PRIu64 " rx errors %" PRIu64 " tx errors %" PRIu64 "\n",
	       st.ipackets, st.opackets, st.ierrors, st.oerrors);
	TCHECK(st.ierrors == 0 && st.oerrors == 0, "errors counted");
	TCHECK(st.opackets == per * RTE_DIM(segs) &&
	       st.ipackets == per * RTE_DIM(segs), "counters");
	if (argc > 2 && strcmp(argv[2], "zerocopy") == 0) {
		uint64_t id, lent = 0;

		if (rte_eth_xstats_get_id_by_name(port0, "rx_q0_zero_copy", &id) == 0)
			rte_eth_xstats_get_by_id(port0, &id, &lent, 1);
		printf("%" PRIu64 " frames received zero-copy\n", lent);
		TCHECK(lent > 0, "no frame was lent zero-copy");
	}
	rte_eth_dev_stop(port0);
	return 0;
}

struct rss_ctx {
	struct nv_frame_spec fs;
	uint8_t key[40];
	uint16_t reta[128];
	unsigned int per_queue[16];
	unsigned int wrong;
	unsigned int flows;
};

static struct rte_mbuf *
rss_make(void *arg, uint32_t seq)
{
	struct rss_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;

	fs.flow = seq % c->flows;
	fs.len = 128;
	fs.tcp = true;
	return nv_frame(&fs, seq);
}

static bool
rss_check(void *arg, struct rte_mbuf *m, uint16_t q)
{
	struct rss_ctx *c = arg;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	union rte_thash_tuple t;
	uint32_t hash, want;

	t.v4.src_addr = rte_be_to_cpu_32(ip->src_addr);
	t.v4.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
	t.v4.sport = rte_be_to_cpu_16(th->src_port);
	t.v4.dport = rte_be_to_cpu_16(th->dst_port);
	hash = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, c->key);
	want = c->reta[hash % 128];
	if (q < RTE_DIM(c->per_queue))
		c->per_queue[q]++;
	if (q != want && c->wrong++ < 5)
		TCHECK(0, "flow %u:%u hash %#x arrived on queue %u, table says %u",
		       t.v4.src_addr, t.v4.sport, hash, q, want);
	if ((m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) && m->hash.rss != hash &&
	    c->wrong++ < 5)
		TCHECK(0, "RSS hash %#x, expected %#x", m->hash.rss, hash);
	return true;
}

/* Flows land on the queue the host's indirection table names. */
int
test_netvsc_rss(int argc, char **argv)
{
	uint16_t nq = argc > 1 ? (uint16_t)atoi(argv[1]) : 4;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_rss_reta_entry64 reta[2];
	struct rte_eth_rss_conf rc = { 0 };
	struct rss_ctx c = { .flows = 256 };
	unsigned int q, got, n = 4096, used = 0, round;

	if (first_port() < 0)
		return 0;
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP |
		RTE_ETH_RSS_IPV4;
	TCHECK(nv_port_setup(port0, nq, &conf) == 0, "setup with %u queues", nq);
	rte_eth_macaddr_get(port0, &c.fs.dst);
	c.fs.src = c.fs.dst;
	for (round = 0; round < 2; round++) {
		rc.rss_key = c.key;
		rc.rss_key_len = sizeof(c.key);
		TCHECK(rte_eth_dev_rss_hash_conf_get(port0, &rc) == 0, "key");
		memset(reta, 0, sizeof(reta));
		reta[0].mask = reta[1].mask = UINT64_MAX;
		TCHECK(rte_eth_dev_rss_reta_query(port0, reta, 128) == 0, "reta");
		for (q = 0; q < 128; q++)
			c.reta[q] = reta[q / 64].reta[q % 64];
		memset(c.per_queue, 0, sizeof(c.per_queue));
		c.wrong = 0;
		got = nv_exchange(port0, 0, port0, nq, n, 64, rss_make, rss_check,
				  &c, 20000);
		TCHECK(got == n, "round %u: %u of %u frames", round, got, n);
		TCHECK(c.wrong == 0, "round %u: %u frames on the wrong queue",
		       round, c.wrong);
		used = 0;
		for (q = 0; q < nq; q++) {
			printf("round %u: queue %u: %u frames\n", round, q,
			       c.per_queue[q]);
			used += c.per_queue[q] > 0;
		}
		if (round == 0)
			TCHECK(used == nq, "only %u of %u queues used", used, nq);
		/* Second round: a new key and everything on the last queue
		 * but one entry per other queue.
		 */
		for (q = 0; q < sizeof(c.key); q++)
			c.key[q] = (uint8_t)(q * 13 + 5);
		rc.rss_key = c.key;
		rc.rss_hf = conf.rx_adv_conf.rss_conf.rss_hf;
		TCHECK(rte_eth_dev_rss_hash_update(port0, &rc) == 0, "key update");
		for (q = 0; q < 128; q++)
			reta[q / 64].reta[q % 64] = q < nq ? q : (unsigned int)nq - 1u;
		TCHECK(rte_eth_dev_rss_reta_update(port0, reta, 128) == 0,
		       "reta update");
	}
	rte_eth_dev_stop(port0);
	return 0;
}

/* ---- offloads ---- */

struct csum_ctx {
	struct nv_frame_spec fs;
	unsigned int bad_csum, bad_data, no_flags;
	uint32_t next_seq;
	bool tcp;
};

static struct rte_mbuf *
csum_make(void *arg, uint32_t seq)
{
	struct csum_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;
	struct rte_mbuf *m;

	fs.tcp = seq % 2;
	fs.len = 64 + (seq * 37) % 1400;
	m = nv_frame(&fs, seq);
	if (m != NULL)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			(fs.tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	return m;
}

/* A frame's IPv4 header and L4 checksums are right. */
static bool
frame_csum_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr));

	if (rte_pktmbuf_linearize(m) != 0)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr));
	if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff)
		return false;
	return rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0;
}

static bool
csum_check(void *arg, struct rte_mbuf *m, uint16_t q)
{
	struct csum_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;
	uint32_t seq = c->next_seq++;
	char why[128];

	RTE_SET_USED(q);
	fs.tcp = seq % 2;
	fs.len = 64 + (seq * 37) % 1400;
	fs.skip_hdr_compare = true;
	if (!frame_csum_ok(m) && c->bad_csum++ < 3)
		TCHECK(0, "frame %u: checksum not filled in by the host", seq);
	if (nv_frame_check(m, &fs, seq, why, sizeof(why)) != 0 &&
	    c->bad_data++ < 3)
		TCHECK(0, "frame %u: %s", seq, why);
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD ||
	    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		c->no_flags++;
	return true;
}

struct tso_ctx {
	uint8_t payload[16384];
	uint32_t payload_len;
	uint32_t seq0;
	uint32_t got_bytes;
	unsigned int segs, bad;
	uint16_t mss;
};

/* Checksums offloaded on send are right on the wire, and received frames
 * carry the host's verdict; a TSO frame leaves as MSS-sized segments.
 */
int
test_netvsc_offload(int argc, char **argv)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct csum_ctx c = { 0 };
	struct tso_ctx *t;
	struct nv_frame_spec fs = { 0 };
	struct rte_mbuf *m, *rx[64];
	unsigned int got, i, n = 1000;
	uint64_t deadline;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (first_port() < 0)
		return 0;
	rte_eth_dev_info_get(port0, &info);
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM;
	TCHECK((info.tx_offload_capa & conf.txmode.offloads) == conf.txmode.offloads,
	       "host offers tx offloads %#" PRIx64, info.tx_offload_capa);
	TCHECK((info.rx_offload_capa & conf.rxmode.offloads) == conf.rxmode.offloads,
	       "host offers rx offloads %#" PRIx64, info.rx_offload_capa);
	TCHECK(nv_port_setup(port0, 1, &conf) == 0, "setup");
	rte_eth_macaddr_get(port0, &c.fs.dst);
	c.fs.src = c.fs.dst;
	c.fs.no_csum = true;
	got = nv_exchange(port0, 0, port0, 1, n, 64, csum_make, csum_check, &c,
			  20000);
	TCHECK(got == n, "%u of %u frames", got, n);
	TCHECK(c.bad_csum == 0, "%u frames with wrong checksums", c.bad_csum);
	TCHECK(c.bad_data == 0, "%u frames corrupt", c.bad_data);
	TCHECK(c.no_flags == 0, "%u frames without good checksum flags",
	       c.no_flags);
	printf("checksum offload: %u frames, checksums right on the wire\n", got);

	/* TSO: one 8000-byte TCP payload in three segments, MSS 1000. */
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	fs.dst = c.fs.dst;
	fs.src = c.fs.dst;
	fs.tcp = true;
	fs.no_csum = true;
	fs.len = 14 + 20 + 20 + 8000;
	fs.seg_size = 3000;
	t->mss = 1000;
	m = nv_frame(&fs, 7);
	TCHECK(m != NULL, "mbuf");
	if (m == NULL) {
		free(t);
		return 0;
	}
	t->payload_len = 8000;
	{
		const void *pl = rte_pktmbuf_read(m, 54, t->payload_len, t->payload);

		if (pl != t->payload)
			memcpy(t->payload, pl, t->payload_len);
	}
	t->seq0 = 7 * 100000;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	m->tso_segsz = t->mss;
	TCHECK(rte_eth_tx_prepare(port0, 0, &m, 1) == 1, "tx_prepare");
	TCHECK(nv_tx_all(port0, 0, &m, 1, 2000) == 1, "TSO frame sent");
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 3;
	while (t->got_bytes < t->payload_len &&
	       rte_get_timer_cycles() < deadline) {
		got = rte_eth_rx_burst(port0, 0, rx, RTE_DIM(rx));
		for (i = 0; i < got; i++) {
			struct rte_mbuf *s = rx[i];
			const struct rte_ipv4_hdr *ip;
			const struct rte_tcp_hdr *th;
			uint32_t off, plen;
			uint8_t seg[2048];

			if (rte_pktmbuf_linearize(s) != 0 || s->pkt_len > sizeof(seg)) {
				t->bad++;
				rte_pktmbuf_free(s);
				continue;
			}
			ip = rte_pktmbuf_mtod_offset(s, const struct rte_ipv4_hdr *, 14);
			th = (const struct rte_tcp_hdr *)(ip + 1);
			plen = rte_be_to_cpu_16(ip->total_length) - 40;
			off = rte_be_to_cpu_32(th->sent_seq) - t->seq0;
			if (!frame_csum_ok(s) || plen > t->mss ||
			    s->pkt_len != 54 + plen || off + plen > t->payload_len ||
			    memcmp(rte_pktmbuf_mtod_offset(s, uint8_t *, 54),
				   t->payload + off, plen) != 0) {
				if (t->bad++ < 3)
					TCHECK(0, "segment at %u (%u bytes) wrong", off, plen);
			}
			t->segs++;
			t->got_bytes += plen;
			rte_pktmbuf_free(s);
		}
	}
	TCHECK(t->segs == 8 && t->got_bytes == 8000 && t->bad == 0,
	       "TSO: %u segments, %u bytes, %u bad", t->segs, t->got_bytes,
	       t->bad);
	printf("TSO: 8000 bytes in %u segments of at most %u\n", t->segs, t->mss);
	free(t);
	rte_eth_dev_stop(port0);
	return 0;
}

/* ---- VLAN ---- */

static int
vlan_round(bool strip)
{
	struct rte_eth_conf conf = { 0 };
	struct nv_frame_spec fs = { 0 };
	struct rte_mbuf *m, *rx[8];
	unsigned int i, got = 0, n = 64, bad = 0;
	uint64_t deadline;
	char why[128];

	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	conf.rxmode.offloads = strip ? RTE_ETH_RX_OFFLOAD_VLAN_STRIP : 0;
	TCHECK(nv_port_setup(port0, 1, &conf) == 0, "setup");
	rte_eth_macaddr_get(port0, &fs.dst);
	fs.src = fs.dst;
	fs.len = 200;
	for (i = 0; i < n; i++) {
		m = nv_frame(&fs, i);
		if (m == NULL)
			break;
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = (uint16_t)(0x2000 | (100 + i % 4)); /* prio 1 */
		if (nv_tx_all(port0, 0, &m, 1, 1000) != 1) {
			rte_pktmbuf_free(m);
			break;
		}
		deadline = rte_get_timer_cycles() + rte_get_timer_hz();
		while (rte_eth_rx_burst(port0, 0, rx, 1) == 0 &&
		       rte_get_timer_cycles() < deadline)
			;
		if (rte_get_timer_cycles() >= deadline)
			break;
		got++;
		if (strip) {
			if (!(rx[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ||
			    rx[0]->vlan_tci != (0x2000 | (100 + i % 4)) ||
			    nv_frame_check(rx[0], &fs, i, why, sizeof(why)) != 0)
				bad++;
		} else {
			const struct rte_vlan_hdr *vh;
			const struct rte_ether_hdr *eh =
				rte_pktmbuf_mtod(rx[0], const struct rte_ether_hdr *);

			vh = (const struct rte_vlan_hdr *)(eh + 1);
			if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
			    rte_be_to_cpu_16(vh->vlan_tci) != (0x2000 | (100 + i % 4)) ||
			    rx[0]->pkt_len != fs.len + 4)
				bad++;
		}
		rte_pktmbuf_free(rx[0]);
	}
	TCHECK(got == n && bad == 0, "VLAN %s: %u of %u back, %u wrong",
	       strip ? "stripped" : "inline", got, n, bad);
	printf("VLAN %s: %u frames, tags right\n", strip ? "stripped" : "inline",
	       got - bad);
	return rte_eth_dev_stop(port0);
}

/* The host tags on send from the PPI, strips on receive into one. */
int
test_netvsc_vlan(int argc, char **argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (first_port() < 0)
		return 0;
	vlan_round(true);
	vlan_round(false);
	return 0;
}

/* ---- link ---- */

static unsigned int lsc_events;

static int
lsc_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(type);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	__atomic_add_fetch(&lsc_events, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static bool
wait_link(bool up, unsigned int events, unsigned int ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	struct rte_eth_link link;

	while (rte_get_timer_cycles() < deadline) {
		/* the data path takes host messages off the ring */
		struct rte_mbuf *b[8];
		uint16_t k = rte_eth_rx_burst(port0, 0, b, 8);

		rte_pktmbuf_free_bulk(b, k);
		rte_eth_link_get_nowait(port0, &link);
		if (link.link_status == (up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN) &&
		    __atomic_load_n(&lsc_events, __ATOMIC_SEQ_CST) >= events)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

/* Link indications from the host become link status and LSC events. */
int
test_netvsc_link(int argc, char **argv)
{
	struct rte_eth_conf conf = { 0 };
	unsigned int round, flaps = argc > 1 ? (unsigned int)atoi(argv[1]) : 3;

	if (first_port() < 0)
		return 0;
	conf.intr_conf.lsc = 1;
	rte_eth_dev_callback_register(port0, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	TCHECK(nv_port_setup(port0, 1, &conf) == 0, "setup");
	TCHECK(wait_link(true, 0, 1000), "link up at start");
	for (round = 0; round < flaps; round++) {
		TCHECK(sim_ctl("wire 0 down", NULL, 0) == 0, "wire down");
		TCHECK(wait_link(false, 2 * round + 1, 8000),
		       "round %u: no link-down event (%u events)", round, lsc_events);
		TCHECK(sim_ctl("wire 0 up", NULL, 0) == 0, "wire up");
		TCHECK(wait_link(true, 2 * round + 2, 8000),
		       "round %u: no link-up event (%u events)", round, lsc_events);
	}
	printf("%u link events for %u flaps\n", lsc_events, flaps);
	rte_eth_dev_stop(port0);
	rte_eth_dev_callback_unregister(port0, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	return 0;
}

/* ---- MTU and queue count ---- */

static unsigned int
jumbo_round(uint32_t len, unsigned int n)
{
	uint32_t sizes[1] = { len };
	struct traffic_ctx c = { .sizes = sizes, .nsizes = 1 };
	unsigned int got;

	rte_eth_macaddr_get(port0, &c.fs.dst);
	c.fs.src = c.fs.dst;
	c.fs.seg_size = 1800;
	/* the loopback wire buffers 256 KiB: keep less than that in flight */
	got = nv_exchange(port0, 0, port0, 1, n, 16, traffic_make, traffic_check,
			  &c, 20000);
	TCHECK(got == n && c.bad == 0, "%u-byte frames: %u of %u back, %u bad",
	       len, got, n, c.bad);
	return got - c.bad;
}

/* New MTU and new queue counts mean new sessions; traffic flows after each. */
int
test_netvsc_reconfig(int argc, char **argv)
{
	static const uint16_t queues[] = { 4, 2, 1, 3 };
	struct rte_eth_conf conf = { 0 };
	struct rss_ctx *c;
	uint16_t mtu;
	unsigned int i, got;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (first_port() < 0)
		return 0;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	TCHECK(nv_port_setup(port0, 1, &conf) == 0, "setup");
	jumbo_round(1514, 200);
	TCHECK(rte_eth_dev_set_mtu(port0, 9000) == -EBUSY, "MTU change while started");
	rte_eth_dev_stop(port0);
	TCHECK(rte_eth_dev_set_mtu(port0, 9000) == 0, "MTU 9000");
	TCHECK(rte_eth_dev_get_mtu(port0, &mtu) == 0 && mtu == 9000, "MTU read back %u", mtu);
	TCHECK(rte_eth_dev_start(port0) == 0, "start after MTU change");
	printf("MTU 9000: %u jumbo frames intact\n", jumbo_round(9014, 200));
	rte_eth_dev_stop(port0);
	TCHECK(rte_eth_dev_set_mtu(port0, 1500) == 0, "MTU back to 1500");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -1;
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP |
		RTE_ETH_RSS_IPV4;
	for (i = 0; i < RTE_DIM(queues); i++) {
		struct rte_eth_rss_reta_entry64 reta[2];
		struct rte_eth_rss_conf rc = { .rss_key = c->key, .rss_key_len = 40 };
		unsigned int q;

		TCHECK(nv_port_setup(port0, queues[i], &conf) == 0, "%u queues",
		       queues[i]);
		rte_eth_dev_rss_hash_conf_get(port0, &rc);
		memset(reta, 0, sizeof(reta));
		reta[0].mask = reta[1].mask = UINT64_MAX;
		rte_eth_dev_rss_reta_query(port0, reta, 128);
		for (q = 0; q < 128; q++)
			c->reta[q] = queues[i] > 1 ? reta[q / 64].reta[q % 64] : 0;
		c->flows = 64;
		c->wrong = 0;
		memset(c->per_queue, 0, sizeof(c->per_queue));
		rte_eth_macaddr_get(port0, &c->fs.dst);
		c->fs.src = c->fs.dst;
		got = nv_exchange(port0, 0, port0, queues[i], 1000, 64, rss_make,
				  rss_check, c, 20000);
		TCHECK(got == 1000 && c->wrong == 0,
		       "%u queues: %u of 1000 back, %u misplaced", queues[i], got,
		       c->wrong);
		printf("%u queues: %u frames back on the right queues\n",
		       queues[i], got - c->wrong);
		rte_eth_dev_stop(port0);
	}
	free(c);
	return 0;
}
