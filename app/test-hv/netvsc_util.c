/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the netvsc tests: find the ports, set them up, build test
 * frames whose payload is a function of their sequence number, and
 * exchange frames through a loopback wire.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "netvsc_util.h"
#include "testhv.h"

struct rte_mempool *nv_pool;

int
nv_find_ports(uint16_t *ports, unsigned int max)
{
	unsigned int n = 0;
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(pid, &info) != 0)
			continue;
		if (strcmp(info.driver_name, "net_netvsc") == 0 && n < max)
			ports[n++] = pid;
	}
	return (int)n;
}

int
nv_pool_init(void)
{
	if (nv_pool != NULL)
		return 0;
	nv_pool = rte_pktmbuf_pool_create("nv_pool", 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	return nv_pool == NULL ? -ENOMEM : 0;
}

int
nv_port_setup(uint16_t port, uint16_t nq, const struct rte_eth_conf *conf)
{
	struct rte_eth_conf def = { 0 };
	uint16_t q;
	int ret;

	ret = nv_pool_init();
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_configure(port, nq, nq, conf != NULL ? conf : &def);
	if (ret < 0)
		return ret;
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(), NULL,
					     nv_pool);
		if (ret < 0)
			return ret;
		ret = rte_eth_tx_queue_setup(port, q, 512, rte_socket_id(), NULL);
		if (ret < 0)
			return ret;
	}
	return rte_eth_dev_start(port);
}

static inline uint8_t
pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

struct rte_mbuf *
nv_frame(const struct nv_frame_spec *fs, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nv_pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t l4_len = fs->tcp ? sizeof(struct rte_tcp_hdr) :
		sizeof(struct rte_udp_hdr);
	uint32_t hdrs = sizeof(*eh) + sizeof(*ip) + l4_len;
	uint32_t len = RTE_MAX(fs->len, hdrs + 8);
	uint32_t i, seglen;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	/* The whole frame in a flat buffer first, then split into segments. */
	{
		static uint8_t buf[16384];

		eh = (struct rte_ether_hdr *)buf;
		eh->dst_addr = fs->dst;
		eh->src_addr = fs->src;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip = (struct rte_ipv4_hdr *)(eh + 1);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
		ip->time_to_live = 64;
		ip->next_proto_id = fs->tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001 + (fs->flow % 251));
		ip->dst_addr = rte_cpu_to_be_32(0x0a010001 + (fs->flow / 251) % 251);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)seq);
		if (fs->tcp) {
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

			memset(th, 0, sizeof(*th));
			th->src_port = rte_cpu_to_be_16((uint16_t)(1024 + fs->flow));
			th->dst_port = rte_cpu_to_be_16(5001);
			th->sent_seq = rte_cpu_to_be_32(seq * 100000);
			th->data_off = (sizeof(*th) / 4) << 4;
			th->tcp_flags = RTE_TCP_ACK_FLAG;
			th->rx_win = rte_cpu_to_be_16(65535);
		} else {
			struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

			uh->src_port = rte_cpu_to_be_16((uint16_t)(1024 + fs->flow));
			uh->dst_port = rte_cpu_to_be_16(5001);
			uh->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh) -
							 sizeof(*ip)));
			uh->dgram_cksum = 0;
		}
		for (i = hdrs; i < len; i++)
			buf[i] = pattern(seq, i);
		if (!fs->no_csum) {
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			if (fs->tcp) {
				struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

				th->cksum = rte_ipv4_udptcp_cksum(ip, th);
			} else {
				struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

				uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
			}
		}
		/* Fill segments of at most seg_size bytes. */
		seglen = fs->seg_size != 0 ? fs->seg_size : len;
		p = buf;
		i = len;
		for (struct rte_mbuf *s = m;;) {
			uint32_t n = RTE_MIN(RTE_MIN(seglen, i),
					     (uint32_t)rte_pktmbuf_tailroom(s));

			memcpy(rte_pktmbuf_mtod(s, void *), p, n);
			s->data_len = (uint16_t)n;
			p += n;
			i -= n;
			if (i == 0)
				break;
			s->next = rte_pktmbuf_alloc(nv_pool);
			if (s->next == NULL) {
				rte_pktmbuf_free(m);
				return NULL;
			}
			s = s->next;
			m->nb_segs++;
		}
		m->pkt_len = len;
	}
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->l4_len = l4_len;
	return m;
}

/* Compare a received frame with what nv_frame() built for seq. */
int
nv_frame_check(const struct rte_mbuf *m, const struct nv_frame_spec *fs,
	       uint32_t seq, char *why, size_t whylen)
{
	static uint8_t buf[16384];
	struct rte_mbuf *ref;
	const uint8_t *got;
	uint32_t i, hdrs;

	if (m->pkt_len > sizeof(buf)) {
		snprintf(why, whylen, "frame of %u bytes", m->pkt_len);
		return -1;
	}
	got = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	ref = nv_frame(fs, seq);
	if (ref == NULL) {
		snprintf(why, whylen, "no mbuf");
		return -1;
	}
	if (ref->pkt_len != m->pkt_len) {
		snprintf(why, whylen, "length %u, sent %u", m->pkt_len,
			 ref->pkt_len);
		rte_pktmbuf_free(ref);
		return -1;
	}
	hdrs = fs->skip_hdr_compare ? sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr) + ref->l4_len : 0;
	for (i = hdrs; i < m->pkt_len; i++) {
		const struct rte_mbuf *s = ref;
		uint32_t off = i;
		uint8_t want;

		while (off >= s->data_len) {
			off -= s->data_len;
			s = s->next;
		}
		want = *rte_pktmbuf_mtod_offset(s, const uint8_t *, off);
		if (got[i] != want) {
			snprintf(why, whylen, "byte %u is %#x, sent %#x", i,
				 got[i], want);
			rte_pktmbuf_free(ref);
			return -1;
		}
	}
	rte_pktmbuf_free(ref);
	return 0;
}

/* Receive from every queue of port until want frames or timeout. */
unsigned int
nv_rx_all(uint16_t port, uint16_t nq, struct rte_mbuf **out, uint16_t *qid,
	  unsigned int want, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	unsigned int got = 0;

	while (got < want && rte_get_timer_cycles() < deadline) {
		uint16_t q;

		for (q = 0; q < nq && got < want; q++) {
			uint16_t n = rte_eth_rx_burst(port, q, out + got,
						      (uint16_t)RTE_MIN(32u, want - got));
			uint16_t k;

			for (k = 0; qid != NULL && k < n; k++)
				qid[got + k] = q;
			got += n;
		}
	}
	return got;
}

/* Send all frames (retrying while the queue is busy). */
unsigned int
nv_tx_all(uint16_t port, uint16_t q, struct rte_mbuf **pkts, unsigned int n,
	  unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	unsigned int sent = 0;

	while (sent < n && rte_get_timer_cycles() < deadline) {
		uint16_t k = rte_eth_tx_burst(port, q, pkts + sent,
					      (uint16_t)RTE_MIN(32u, n - sent));

		sent += k;
		if (k == 0)
			rte_delay_us_sleep(100);
	}
	return sent;
}

/*
 * Send n frames made by make(seq) on (port, txq) and receive them on
 * rx_port's queues, keeping at most window in flight so that a loopback
 * wire never has to drop. Received frames are handed to check(), which
 * says whether the frame is one of ours; returns how many of ours came.
 */
unsigned int
nv_exchange(uint16_t port, uint16_t txq, uint16_t rx_port, uint16_t nrxq,
	    unsigned int n, unsigned int window,
	    struct rte_mbuf *(*make)(void *ctx, uint32_t seq),
	    bool (*check)(void *ctx, struct rte_mbuf *m, uint16_t q),
	    void *ctx, unsigned int timeout_ms)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t deadline = rte_get_timer_cycles() + hz * timeout_ms / 1000;
	struct rte_mbuf *pending = NULL;
	unsigned int sent = 0, got = 0;

	while (got < n && rte_get_timer_cycles() < deadline) {
		uint16_t q;

		while (sent < n && sent - got < window) {
			if (pending == NULL)
				pending = make(ctx, sent);
			if (pending == NULL)
				break;
			if (rte_eth_tx_burst(port, txq, &pending, 1) != 1)
				break;
			pending = NULL;
			sent++;
		}
		for (q = 0; q < nrxq; q++) {
			struct rte_mbuf *b[32];
			uint16_t k, nb = rte_eth_rx_burst(rx_port, q, b, 32);

			for (k = 0; k < nb; k++) {
				got += check(ctx, b[k], q);
				rte_pktmbuf_free(b[k]);
			}
		}
	}
	rte_pktmbuf_free(pending);
	return got;
}

bool
nv_wait_vf_socket(unsigned int ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	char reply[8192];

	while (rte_get_timer_cycles() < deadline) {
		if (sim_ctl("vswitch report", reply, sizeof(reply)) == 0 &&
		    strstr(reply, " vf_open=yes ") != NULL)
			return true;
		rte_delay_us_sleep(10000);
	}
	return false;
}
