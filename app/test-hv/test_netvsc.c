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

static void
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

static void
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
