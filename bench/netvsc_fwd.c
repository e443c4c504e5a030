/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding loop for the netvsc benchmark: frames received on port 0
 * queue q are sent on port 1 queue q, on one lcore, until a frame count or
 * a time limit is reached. The same source is built against udrv's DPDK
 * and against Debian's (upstream netvsc), so both PMDs run the same loop.
 *
 *   netvsc_fwd [EAL options] -- QUEUES SECONDS [FRAMES [WAIT_MS]]
 * Prints "forwarded N frames in S s: P pps". With WAIT_MS, the loop starts
 * that long after the ports, so the host can queue frames first: then the
 * loop never polls an empty ring, which is what instruction counts per
 * frame need.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define BURST 32

static volatile int stop;
static uint64_t rx_calls, rx_empty;

/*
 * The PMDs' burst functions are reached through these, so that callgrind
 * can count them by name (--toggle-collect=fwd_rx --toggle-collect=fwd_tx)
 * whether or not the driver has symbols.
 */
__attribute__((noinline)) uint16_t
fwd_rx(uint16_t port, uint16_t q, struct rte_mbuf **b, uint16_t n)
{
	uint16_t got = rte_eth_rx_burst(port, q, b, n);

	rx_calls++;
	rx_empty += got == 0;
	return got;
}

__attribute__((noinline)) uint16_t
fwd_tx(uint16_t port, uint16_t q, struct rte_mbuf **b, uint16_t n)
{
	return rte_eth_tx_burst(port, q, b, n);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t q;
	int ret;

	if (nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4 |
			RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	}
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	for (q = 0; ret == 0 && q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 1024, rte_socket_id(),
					     NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, 4096,
						     rte_socket_id(), NULL);
	}
	return ret == 0 ? rte_eth_dev_start(port) : ret;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	uint64_t fwd = 0, limit, start, end, hz;
	uint16_t nq, q, ports[2], n = 0, pid;
	double secs;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	if (argc < 3) {
		fprintf(stderr, "usage: netvsc_fwd [EAL] -- QUEUES SECONDS [FRAMES]\n");
		return 2;
	}
	nq = (uint16_t)atoi(argv[1]);
	secs = atof(argv[2]);
	limit = argc > 3 ? strtoull(argv[3], NULL, 0) : UINT64_MAX;
	if (limit == 0)
		limit = UINT64_MAX;
	RTE_ETH_FOREACH_DEV(pid)
		if (n < 2)
			ports[n++] = pid;
	if (n < 2) {
		fprintf(stderr, "need two ports\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("fwd", 16383, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL || port_setup(ports[0], nq, mp) != 0 ||
	    port_setup(ports[1], nq, mp) != 0) {
		fprintf(stderr, "port setup failed\n");
		return 1;
	}
	/* Under simrun, start the generator now that both ports are up: a
	 * PMD may drop what arrives while it starts (upstream does).
	 */
	if (getenv("FWD_GEN_START") != NULL) {
		int (*ctl)(const char *, char *, unsigned int) =
			(int (*)(const char *, char *, unsigned int))(uintptr_t)
			dlsym(RTLD_DEFAULT, "udrv_sim_ctl");
		char reply[256];

		if (ctl == NULL || ctl("gen 0 start", reply, sizeof(reply)) != 0)
			fprintf(stderr, "cannot start the generator\n");
	}
	if (argc > 4)
		rte_delay_us_sleep((unsigned int)atoi(argv[4]) * 1000u);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	hz = rte_get_timer_hz();
	start = 0;
	end = rte_get_timer_cycles() + (uint64_t)(secs * hz) + 30 * hz;
	while (!stop && fwd < limit) {
		for (q = 0; q < nq; q++) {
			struct rte_mbuf *b[BURST];
			uint16_t got = fwd_rx(ports[0], q, b, BURST);
			uint16_t sent = 0, tries = 0;

			struct rte_mbuf *back[BURST];
			uint16_t nback;

			/* Poll port 1 too, as testpmd's io mode does: it is
			 * where the host completes our sends.
			 */
			nback = fwd_rx(ports[1], q, back, BURST);
			if (nback != 0)
				rte_pktmbuf_free_bulk(back, nback);
			if (got == 0)
				continue;
			if (start == 0) {
				/* time from the first frame */
				start = rte_get_timer_cycles();
				end = start + (uint64_t)(secs * hz);
			}
			while (sent < got && tries++ < 1000)
				sent += fwd_tx(ports[1], q, b + sent, got - sent);
			if (sent < got)
				rte_pktmbuf_free_bulk(b + sent, got - sent);
			fwd += sent;
		}
		if (rte_get_timer_cycles() > end)
			break;
	}
	end = rte_get_timer_cycles();
	if (start == 0)
		start = end;
	printf("forwarded %" PRIu64 " frames in %.3f s: %.0f pps\n", fwd,
	       (double)(end - start) / hz,
	       fwd / ((double)(end - start + 1) / hz));
	/* for instruction counts: empty polls are costed separately */
	printf("rx calls %" PRIu64 " empty %" PRIu64 "\n", rx_calls, rx_empty);
	if (getenv("FWD_XSTATS") != NULL) {
		struct rte_eth_xstat_name names[256];
		struct rte_eth_xstat xs[256];
		int i, k, p;

		for (p = 0; p < 2; p++) {
			k = rte_eth_xstats_get(ports[p], xs, 256);
			rte_eth_xstats_get_names(ports[p], names, 256);
			for (i = 0; i < k && i < 256; i++)
				if (xs[i].value != 0)
					printf("port %d %s: %" PRIu64 "\n", p,
					       names[xs[i].id].name, xs[i].value);
		}
	}
	rte_eth_dev_stop(ports[0]);
	rte_eth_dev_stop(ports[1]);
	rte_eth_dev_close(ports[0]);
	rte_eth_dev_close(ports[1]);
	rte_eal_cleanup();
	return 0;
}
