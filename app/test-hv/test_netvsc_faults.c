/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netvsc under a misbehaving host and with a VF: host stalls, ring
 * corruption, completions withheld, malformed messages, VF switch and
 * removal under traffic. Loopback wire on NIC 0, as in test_netvsc.c.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "netvsc_util.h"
#include "testhv.h"

#define NIC0_GUID "5e5e0000-df3e-46c5-913f-f2d2f965ed0e"

static uint16_t port;

static int
find_port(void)
{
	uint16_t ports[4];

	if (nv_find_ports(ports, 4) < 1) {
		TCHECK(0, "no netvsc port");
		return -1;
	}
	port = ports[0];
	return 0;
}

static uint64_t
xstat(const char *name)
{
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) == 0)
		rte_eth_xstats_get_by_id(port, &id, &v, 1);
	return v;
}

struct flow_ctx {
	struct nv_frame_spec fs;
	uint32_t next;          /* highest sequence seen + 1 */
	unsigned int bad;
	unsigned int gaps;      /* frames sent and not (yet) seen */
	unsigned int foreign;
	unsigned int dups;
	uint8_t seen[65536 / 8];
};

static struct rte_mbuf *
flow_make(void *arg, uint32_t seq)
{
	struct flow_ctx *c = arg;
	struct nv_frame_spec fs = c->fs;

	fs.len = seq % 3 == 0 ? 1400 : 200;   /* both send paths */
	return nv_frame(&fs, seq);
}

/*
 * Frames carry their sequence number in the IPv4 id. Order may change
 * when the data path moves (VF/synthetic); loss, duplicates and content
 * are what count. Runs are shorter than 65536 frames.
 */
static bool
flow_check(void *arg, struct rte_mbuf *m, uint16_t q)
{
	struct flow_ctx *c = arg;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct nv_frame_spec fs = c->fs;
	uint32_t seq;
	char why[128];

	RTE_SET_USED(q);
	/* A VF's kernel interface sends its own frames (IPv6 ND, MLD). */
	if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type !=
	    rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		c->foreign++;
		return false;
	}
	seq = rte_be_to_cpu_16(ip->packet_id);
	if (c->seen[seq / 8] & (1u << (seq % 8))) {
		c->dups++;
		return false;
	}
	c->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	if (seq + 1 > c->next) {
		c->gaps += seq - c->next;
		c->next = seq + 1;
	} else {
		c->gaps--;      /* a late frame fills an earlier gap */
	}
	fs.len = seq % 3 == 0 ? 1400 : 200;
	if (nv_frame_check(m, &fs, seq, why, sizeof(why)) != 0 && c->bad++ < 3)
		TCHECK(0, "frame %u: %s", seq, why);
	return true;
}

static void
flow_init(struct flow_ctx *c)
{
	memset(c, 0, sizeof(*c));
	rte_eth_macaddr_get(port, &c->fs.dst);
	c->fs.src = c->fs.dst;
}

/* The host stops reading for a while: sends wait, nothing is lost. */
int
test_netvsc_stall(int argc, char **argv)
{
	struct flow_ctx c;
	unsigned int got, n = 3000;
	uint64_t full;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (find_port() < 0)
		return 0;
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 500, 64, flow_make, flow_check, &c,
			  10000);
	TCHECK(got == 500 && c.gaps == 0 && c.bad == 0, "before the stall: %u",
	       got);
	TCHECK(sim_ctl("stall " NIC0_GUID " all 500", NULL, 0) == 0, "stall");
	flow_init(&c);
	got += nv_exchange(port, 0, port, 1, n, 256, flow_make, flow_check, &c,
			   20000);
	full = xstat("tx_q0_ring_full") + xstat("tx_q0_desc_full");
	printf("%u frames through a 500 ms host stall (%" PRIu64 " sends refused meanwhile)\n",
	       got, full);
	TCHECK(got == 500 + n && c.gaps == 0 && c.bad == 0,
	       "%u of %u back, %u missing, %u bad", got, 500 + n, c.gaps, c.bad);
	rte_eth_dev_stop(port);
	return 0;
}

static unsigned int reset_events;

static int
reset_cb(uint16_t p, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(p);
	RTE_SET_USED(type);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	__atomic_add_fetch(&reset_events, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * The host corrupts the receive ring: the port reports failure (event,
 * xstat, link down) and the application goes on; configuring the port
 * again brings a new session that works.
 */
int
test_netvsc_corrupt(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "desc";
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_link link;
	struct flow_ctx c;
	struct rte_mbuf *b[32];
	char cmd[64];
	uint64_t deadline;
	unsigned int got;

	if (find_port() < 0)
		return 0;
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET, reset_cb,
				      NULL);
	TCHECK(nv_port_setup(port, 1, &conf) == 0, "setup");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 300, 32, flow_make, flow_check, &c,
			  10000);
	TCHECK(got == 300, "traffic before: %u", got);
	snprintf(cmd, sizeof(cmd), "corrupt 0 0 %s", how);
	TCHECK(sim_ctl(cmd, NULL, 0) == 0, "%s", cmd);
	deadline = rte_get_timer_cycles() + 3 * rte_get_timer_hz();
	while (xstat("port_failed") != 1 && rte_get_timer_cycles() < deadline) {
		uint16_t k = rte_eth_rx_burst(port, 0, b, 32);

		rte_pktmbuf_free_bulk(b, k);
		rte_delay_us_sleep(1000);
	}
	TCHECK(xstat("port_failed") == 1, "port not marked failed");
	TCHECK(__atomic_load_n(&reset_events, __ATOMIC_SEQ_CST) == 1,
	       "%u reset events", reset_events);
	rte_eth_link_get_nowait(port, &link);
	TCHECK(link.link_status == RTE_ETH_LINK_DOWN, "link still up");
	TCHECK(rte_eth_tx_burst(port, 0, b, 0) == 0 &&
	       rte_eth_rx_burst(port, 0, b, 32) == 0, "queues still run");
	/* Recovery: stop, configure, start; traffic again. */
	TCHECK(rte_eth_dev_stop(port) == 0, "stop");
	TCHECK(nv_port_setup(port, 1, &conf) == 0, "reconfigure after failure");
	TCHECK(xstat("port_failed") == 0, "still failed after reconfigure");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 1000, 32, flow_make, flow_check, &c,
			  10000);
	TCHECK(got == 1000 && c.bad == 0, "traffic after recovery: %u, %u bad",
	       got, c.bad);
	printf("corrupt %s: port failed, reported, recovered; %u frames after\n",
	       how, got);
	rte_eth_dev_stop(port);
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RESET, reset_cb,
					NULL);
	return 0;
}

/*
 * The host withholds send completions: sending stops when descriptors
 * run out (no hang), and resumes, with nothing lost, once it completes.
 */
int
test_netvsc_noack(int argc, char **argv)
{
	struct flow_ctx c;
	struct rte_mbuf *m;
	unsigned int sent = 0, looped = 0, got;
	uint64_t deadline;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (find_port() < 0)
		return 0;
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	flow_init(&c);
	TCHECK(sim_ctl("noack 0 on", NULL, 0) == 0, "noack on");
	deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	/* Large frames: one descriptor each, held until completed. */
	for (;;) {
		struct nv_frame_spec fs = c.fs;
		struct rte_mbuf *b[32];
		uint16_t k;

		fs.len = 1400;
		m = nv_frame(&fs, sent);
		if (m == NULL)
			break;
		if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			break;
		}
		sent++;
		k = rte_eth_rx_burst(port, 0, b, 32);
		looped += k;
		rte_pktmbuf_free_bulk(b, k);
		if (rte_get_timer_cycles() > deadline)
			break;
	}
	printf("host withholding completions: sending stopped after %u frames\n",
	       sent);
	TCHECK(rte_get_timer_cycles() <= deadline, "send never stopped");
	TCHECK(xstat("tx_q0_desc_full") > 0, "no descriptor shortage counted");
	TCHECK(sim_ctl("noack 0 off", NULL, 0) == 0, "noack off");
	flow_init(&c);
	/*
	 * Every frame sent while completions were withheld comes back over
	 * the loop: wait for all of them (nothing lost), so none is taken
	 * for a frame of the next phase.
	 */
	deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (looped < sent && rte_get_timer_cycles() < deadline) {
		struct rte_mbuf *b[64];
		uint16_t k;

		k = rte_eth_rx_burst(port, 0, b, 64);
		looped += k;
		rte_pktmbuf_free_bulk(b, k);
		if (k == 0)
			rte_delay_us_sleep(1000);
	}
	TCHECK(looped == sent, "%u frames sent while completions were withheld, %u came back",
	       sent, looped);
	got = nv_exchange(port, 0, port, 1, 1000, 64, flow_make, flow_check, &c,
			  10000);
	TCHECK(got == 1000 && c.bad == 0, "after completions resumed: %u, %u bad",
	       got, c.bad);
	rte_eth_dev_stop(port);
	return 0;
}

/* Malformed host messages are counted and change nothing else. */
int
test_netvsc_inject(int argc, char **argv)
{
	static const char *const kinds[] = {
		"nvsp-unknown", "comp-unknown", "indicate-unknown", "xfer-id",
		"xfer-range", "xfer-tid", "rndis-len",
	};
	struct flow_ctx c;
	unsigned int i, got;
	uint64_t before, after;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (find_port() < 0)
		return 0;
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	for (i = 0; i < RTE_DIM(kinds); i++) {
		char cmd[64];

		before = xstat("protocol_errors") + xstat("rx_q0_errors");
		snprintf(cmd, sizeof(cmd), "inject 0 %s", kinds[i]);
		TCHECK(sim_ctl(cmd, NULL, 0) == 0, "%s", cmd);
		flow_init(&c);
		got = nv_exchange(port, 0, port, 1, 200, 32, flow_make,
				  flow_check, &c, 10000);
		after = xstat("protocol_errors") + xstat("rx_q0_errors");
		TCHECK(got == 200 && c.bad == 0 && c.gaps == 0,
		       "%s: traffic after: %u, %u bad", kinds[i], got, c.bad);
		/* A status we do not know is not an error: hosts add them. */
		if (strcmp(kinds[i], "indicate-unknown") != 0)
			TCHECK(after > before, "%s: not counted", kinds[i]);
		TCHECK(xstat("port_failed") == 0, "%s: port failed", kinds[i]);
		printf("%s: counted, traffic intact\n", kinds[i]);
	}
	rte_eth_dev_stop(port);
	return 0;
}

/* ---- VF ---- */

static long long
vsw_stat(const char *key)
{
	char reply[8192], *p;
	size_t klen = strlen(key);

	if (sim_ctl("vswitch report", reply, sizeof(reply)) != 0)
		return -1;
	p = strstr(reply, "port=0 ");
	while (p != NULL && (p = strstr(p, key)) != NULL) {
		if ((p[-1] == ' ') && p[klen] == '=')
			return atoll(p + klen + 1);
		p += klen;
	}
	return -1;
}

static bool
wait_vf_tx(bool on, unsigned int ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	char text[4096];

	while (rte_get_timer_cycles() < deadline) {
		struct rte_mbuf *b[32];
		uint16_t k = rte_eth_rx_burst(port, 0, b, 32);
		FILE *f = fmemopen(text, sizeof(text), "w");
		bool active;

		rte_pktmbuf_free_bulk(b, k);
		if (f == NULL)
			return false;
		rte_eth_dev_priv_dump(port, f);
		fclose(f);
		active = strstr(text, ", active") != NULL;
		if (active == on)
			return true;
		rte_delay_us_sleep(10000);
	}
	return false;
}

/*
 * The host offers a VF (a net_tap port with our MAC): the port takes it,
 * brings it up, switches the data path; traffic goes through it and comes
 * back intact. The host withdraws it: back to synthetic under traffic.
 * The VF is offered again and then removed from under us.
 */
int
test_netvsc_vf(int argc, char **argv)
{
	struct flow_ctx c;
	unsigned int got, window = 32;
	long long vf_frames;
	uint16_t vf;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (find_port() < 0)
		return 0;
	TCHECK(rte_eth_dev_get_port_by_name("net_tap0", &vf) == 0,
	       "no net_tap0 VF port");
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	TCHECK(wait_vf_tx(true, 8000), "data path never moved to the VF");
	TCHECK(nv_wait_vf_socket(3000), "model never opened the VF interface");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 2000, window, flow_make, flow_check,
			  &c, 20000);
	vf_frames = vsw_stat("vf_tx_frames");
	printf("VF path: %u frames back, %lld through the VF\n", got, vf_frames);
	TCHECK(got == 2000 && c.bad == 0 && c.gaps == 0,
	       "through the VF: %u, %u bad, %u missing", got, c.bad, c.gaps);
	TCHECK(vf_frames >= 1000, "only %lld frames went through the VF",
	       vf_frames);
	TCHECK(rte_eth_dev_owner_get(vf, &(struct rte_eth_dev_owner){ 0 }) == 0,
	       "owner");

	/* The host withdraws the VF while traffic flows. */
	TCHECK(sim_ctl("vf 0 remove", NULL, 0) == 0, "vf remove");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 2000, window, flow_make, flow_check,
			  &c, 20000);
	TCHECK(wait_vf_tx(false, 3000), "still on the VF after withdrawal");
	printf("VF withdrawn under traffic: %u of 2000 back, %u lost in flight\n",
	       got, c.gaps);
	TCHECK(c.bad == 0 && got + c.gaps >= 2000 - window && c.gaps <= window,
	       "lost %u (in flight at most %u), %u bad", c.gaps, window, c.bad);

	/* Offered again, then the VF device is removed from under us. */
	TCHECK(sim_ctl("vf 0 add", NULL, 0) == 0, "vf add");
	TCHECK(wait_vf_tx(true, 8000), "VF not used again");
	TCHECK(nv_wait_vf_socket(3000), "model never reopened the VF interface");
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 500, window, flow_make, flow_check,
			  &c, 20000);
	TCHECK(got == 500, "VF again: %u", got);
	{
		struct rte_eth_dev_info info;

		rte_eth_dev_info_get(vf, &info);
		TCHECK(rte_dev_remove(info.device) == 0, "VF hot-remove");
	}
	flow_init(&c);
	got = nv_exchange(port, 0, port, 1, 1000, window, flow_make, flow_check,
			  &c, 20000);
	printf("after VF hot-remove: %u of 1000 back on the synthetic path\n",
	       got);
	TCHECK(got == 1000 && c.bad == 0, "synthetic after removal: %u, %u bad",
	       got, c.bad);
	TCHECK(!wait_vf_tx(true, 10), "still on a removed VF");
	rte_eth_dev_stop(port);
	return 0;
}
