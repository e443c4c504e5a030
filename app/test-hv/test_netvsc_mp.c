/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netvsc in a secondary process: the primary configures and starts the
 * port (loopback wire on NIC 0), a secondary process attaches to it and
 * moves frames through the same queue, reads the shared counters and is
 * refused what only the primary may do; then the primary carries on.
 *   primary:   test netvsc-secondary <file-prefix> <huge-dir>
 *   secondary: test netvsc-secondary-child (started by the primary)
 * netvsc-secondary-vf does the same with a VF, whose host messages the
 * secondary sees and the primary must act on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "netvsc_util.h"
#include "testhv.h"

/* What a secondary needs besides the primary's prefix and huge pages. */
static const char *const secondary_eal[] = {
	"--iova-mode=pa", "-d", "udrv_net_netvsc.so",
	"--log-level=net.netvsc:info", NULL,
};

#define PRIMARY_FRAMES   500
#define SECONDARY_FRAMES 2000

struct mp_flow {
	struct nv_frame_spec fs;
	uint32_t base;          /* first sequence number of this run */
	unsigned int bad;
};

static uint32_t
frame_len(uint32_t seq)
{
	return seq % 3 == 0 ? 1400 : 200;
}

static struct rte_mbuf *
mp_make(void *arg, uint32_t seq)
{
	struct mp_flow *f = arg;
	struct nv_frame_spec fs = f->fs;

	fs.len = frame_len(f->base + seq);
	return nv_frame(&fs, f->base + seq);
}

static bool
mp_check(void *arg, struct rte_mbuf *m, uint16_t q)
{
	struct mp_flow *f = arg;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct nv_frame_spec fs = f->fs;
	uint32_t seq = rte_be_to_cpu_16(ip->packet_id);
	char why[128];

	RTE_SET_USED(q);
	/* A VF's kernel interface sends its own frames (IPv6 ND, MLD). */
	if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type !=
	    rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	fs.len = frame_len(seq);
	if (nv_frame_check(m, &fs, seq, why, sizeof(why)) != 0 && f->bad++ < 3)
		TCHECK(0, "frame %u: %s", seq, why);
	return true;
}

/* n frames out of port 0 queue 0 and back over the loop, all intact. */
static unsigned int
loop_frames(uint16_t port, uint32_t base, unsigned int n, unsigned int *bad)
{
	struct mp_flow f;
	unsigned int got;

	memset(&f, 0, sizeof(f));
	rte_eth_macaddr_get(port, &f.fs.dst);
	f.fs.src = f.fs.dst;
	f.base = base;
	got = nv_exchange(port, 0, port, 1, n, 32, mp_make, mp_check, &f, 10000);
	*bad = f.bad;
	return got;
}

int
test_netvsc_secondary(int argc, char **argv)
{
	struct rte_eth_stats st;
	unsigned int got, bad;
	uint16_t port;

	if (argc < 3) {
		TCHECK(0, "usage: netvsc-secondary <file-prefix> <huge-dir>");
		return -1;
	}
	if (nv_find_ports(&port, 1) < 1) {
		TCHECK(0, "no netvsc port");
		return -1;
	}
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	got = loop_frames(port, 0, PRIMARY_FRAMES, &bad);
	TCHECK(got == PRIMARY_FRAMES && bad == 0, "primary before: %u, %u bad",
	       got, bad);

	TCHECK(testhv_run_secondary(argv[1], argv[2], secondary_eal,
				    "netvsc-secondary-child") == 0,
	       "secondary process failed");
	/* The counters are shared: the secondary's frames are in them. */
	TCHECK(rte_eth_stats_get(port, &st) == 0, "stats");
	TCHECK(st.ipackets == PRIMARY_FRAMES + SECONDARY_FRAMES &&
	       st.opackets == PRIMARY_FRAMES + SECONDARY_FRAMES,
	       "primary's counters after the secondary: %" PRIu64 " in, %" PRIu64 " out",
	       st.ipackets, st.opackets);
	/* The primary carries on where the secondary left the rings. */
	got = loop_frames(port, PRIMARY_FRAMES + SECONDARY_FRAMES,
			  PRIMARY_FRAMES, &bad);
	TCHECK(got == PRIMARY_FRAMES && bad == 0, "primary after: %u, %u bad",
	       got, bad);
	rte_eth_dev_stop(port);
	return 0;
}

int
test_netvsc_secondary_child(int argc, char **argv)
{
	struct rte_eth_stats st;
	unsigned int got, bad;
	uint16_t port;
	int ret;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	TCHECK(rte_eal_process_type() == RTE_PROC_SECONDARY, "not a secondary");
	if (nv_find_ports(&port, 1) < 1) {
		TCHECK(0, "the primary's port is not seen in the secondary");
		return -1;
	}
	nv_pool = rte_mempool_lookup("nv_pool");
	TCHECK(nv_pool != NULL, "the primary's mbuf pool");
	if (nv_pool == NULL)
		return -1;
	TCHECK(rte_eth_stats_get(port, &st) == 0 &&
	       st.ipackets == PRIMARY_FRAMES,
	       "shared counters seen from the secondary: %" PRIu64, st.ipackets);
	got = loop_frames(port, PRIMARY_FRAMES, SECONDARY_FRAMES, &bad);
	TCHECK(got == SECONDARY_FRAMES && bad == 0, "secondary: %u, %u bad",
	       got, bad);
	/* Only the primary changes the device. */
	ret = rte_eth_dev_stop(port);
	TCHECK(ret != 0, "stop from a secondary was not refused");
	ret = rte_eth_dev_set_mtu(port, 1400);
	TCHECK(ret != 0, "MTU change from a secondary was not refused");
	printf("secondary pid %d: %u frames through the primary's port %u\n",
	       getpid(), got, port);
	return 0;
}

/* Does the host's switch say port 0's data path is want (vf, synthetic)? */
static bool
host_datapath_is(const char *want)
{
	char reply[8192], key[32], *line, *end;

	if (sim_ctl("vswitch report", reply, sizeof(reply)) != 0)
		return false;
	line = strstr(reply, "port=0 ");
	if (line == NULL)
		return false;
	end = strchr(line, '\n');
	if (end != NULL)
		*end = '\0';
	snprintf(key, sizeof(key), " datapath=%s ", want);
	return strstr(line, key) != NULL;
}

/* Poll queue 0 (frames dropped) until the host's data path is want. */
static bool
poll_until_datapath(uint16_t port, const char *want, unsigned int ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	while (rte_get_timer_cycles() < deadline) {
		struct rte_mbuf *b[32];
		uint16_t k = rte_eth_rx_burst(port, 0, b, 32);

		rte_pktmbuf_free_bulk(b, k);
		if (host_datapath_is(want))
			return true;
		rte_delay_us_sleep(5000);
	}
	return false;
}

/*
 * VF work seen by a secondary goes to the primary: with the data path on
 * the VF (a net_tap port), a secondary polls the primary channel while
 * the host withdraws the VF and offers it again. Only the primary can
 * bring the VF back up and ask the host for the VF data path, so the host
 * switching back to the VF shows the work reached it.
 */
int
test_netvsc_secondary_vf(int argc, char **argv)
{
	unsigned int got, bad;
	uint16_t port, vf;

	if (argc < 3) {
		TCHECK(0, "usage: netvsc-secondary-vf <file-prefix> <huge-dir>");
		return -1;
	}
	if (nv_find_ports(&port, 1) < 1) {
		TCHECK(0, "no netvsc port");
		return -1;
	}
	TCHECK(rte_eth_dev_get_port_by_name("net_tap0", &vf) == 0,
	       "no net_tap0 VF port");
	TCHECK(nv_port_setup(port, 1, NULL) == 0, "setup");
	TCHECK(poll_until_datapath(port, "vf", 8000),
	       "the data path never moved to the VF");
	TCHECK(testhv_run_secondary(argv[1], argv[2], secondary_eal,
				    "netvsc-secondary-vf-child") == 0,
	       "secondary process failed");
	TCHECK(host_datapath_is("vf"), "the data path is not on the VF after the secondary");
	TCHECK(nv_wait_vf_socket(3000), "the model never reopened the VF interface");
	got = loop_frames(port, 0, PRIMARY_FRAMES, &bad);
	TCHECK(got == PRIMARY_FRAMES && bad == 0, "primary after: %u, %u bad",
	       got, bad);
	rte_eth_dev_stop(port);
	return 0;
}

int
test_netvsc_secondary_vf_child(int argc, char **argv)
{
	uint16_t port;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	if (nv_find_ports(&port, 1) < 1) {
		TCHECK(0, "the primary's port is not seen in the secondary");
		return -1;
	}
	TCHECK(sim_ctl("vf 0 remove", NULL, 0) == 0, "vf remove");
	TCHECK(poll_until_datapath(port, "synthetic", 5000),
	       "the host never switched back to synthetic");
	TCHECK(sim_ctl("vf 0 add", NULL, 0) == 0, "vf add");
	TCHECK(poll_until_datapath(port, "vf", 8000),
	       "the VF offer seen by the secondary never brought the VF back");
	printf("secondary pid %d: VF withdrawn and offered again while it polled; the primary switched back\n",
	       getpid());
	return 0;
}
