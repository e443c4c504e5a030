/* SPDX-License-Identifier: BSD-3-Clause */
/* test-hv: helpers shared by the netvsc tests. */
#ifndef NETVSC_UTIL_H
#define NETVSC_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

extern struct rte_mempool *nv_pool;

struct nv_frame_spec {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	uint32_t len;          /* whole frame */
	uint32_t seg_size;     /* 0: one segment if it fits */
	uint32_t flow;         /* varies addresses and ports */
	bool tcp;
	bool no_csum;          /* leave IP/L4 checksums zero */
	bool skip_hdr_compare; /* headers may differ (offloads) */
};

int nv_find_ports(uint16_t *ports, unsigned int max);
int nv_pool_init(void);
/* Configure nq RX and TX queues (conf may be NULL) and start. */
int nv_port_setup(uint16_t port, uint16_t nq, const struct rte_eth_conf *conf);
struct rte_mbuf *nv_frame(const struct nv_frame_spec *fs, uint32_t seq);
int nv_frame_check(const struct rte_mbuf *m, const struct nv_frame_spec *fs,
		   uint32_t seq, char *why, size_t whylen);
unsigned int nv_rx_all(uint16_t port, uint16_t nq, struct rte_mbuf **out,
		       uint16_t *qid, unsigned int want, unsigned int timeout_ms);
unsigned int nv_tx_all(uint16_t port, uint16_t q, struct rte_mbuf **pkts,
		       unsigned int n, unsigned int timeout_ms);
unsigned int nv_exchange(uint16_t port, uint16_t txq, uint16_t rx_port,
			 uint16_t nrxq, unsigned int n, unsigned int window,
			 struct rte_mbuf *(*make)(void *ctx, uint32_t seq),
			 bool (*check)(void *ctx, struct rte_mbuf *m, uint16_t q),
			 void *ctx, unsigned int timeout_ms);

/*
 * The model reaches a VF's interface through a socket it opens once the
 * interface is up: wait (up to ms) for it before counting frames there.
 */
bool nv_wait_vf_socket(unsigned int ms);

#endif
