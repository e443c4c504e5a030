/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test-hv: integration tests and demo of the udrv VMBus bus under the
 * device model.
 *   test-hv [EAL options] -- test <case> [args]
 *   test-hv [EAL options] -- demo [sub-channels]
 *   test-hv [EAL options] -- list
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>

#include "testhv.h"

unsigned int testhv_passed, testhv_failed;

static const struct testhv_case cases[] = {
	{ "scan", "scan and probe devices of several classes", test_scan },
	{ "echo", "echo round trips of many sizes on every channel", test_echo },
	{ "gpa", "GPA-direct packets gathered by the host", test_gpa },
	{ "backpressure", "both rings full, nothing lost", test_backpressure },
	{ "flood", "host sends more than the ring holds", test_flood },
	{ "subchan", "sub-channels offered late", test_subchan },
	{ "rescind", "device rescinded under the driver", test_rescind },
	{ "intr", "interrupt-driven low-speed devices", test_intr },
	{ "secondary", "a secondary process uses the primary's channels", test_secondary },
	{ "secondary-child", "(started by secondary)", test_secondary_child },
	{ "netvsc-bringup", "netvsc ports probe, start, stop, restart", test_netvsc_bringup },
	{ "netvsc-traffic", "frames of every size and layout back intact", test_netvsc_traffic },
	{ "netvsc-rss", "flows spread over queues as the host's table says", test_netvsc_rss },
	{ "netvsc-offload", "checksum and TSO done by the host, right on the wire", test_netvsc_offload },
	{ "netvsc-vlan", "VLAN insert on send, strip (or not) on receive", test_netvsc_vlan },
	{ "netvsc-link", "link flaps become link status and LSC events", test_netvsc_link },
	{ "netvsc-reconfig", "MTU and queue-count changes with traffic", test_netvsc_reconfig },
	{ "netvsc-stall", "a host stall: sends wait, nothing lost", test_netvsc_stall },
	{ "netvsc-corrupt", "ring corruption: port failed, reported, recovered", test_netvsc_corrupt },
	{ "netvsc-noack", "completions withheld: no hang, resumes", test_netvsc_noack },
	{ "netvsc-inject", "malformed host messages counted, traffic intact", test_netvsc_inject },
	{ "netvsc-vf", "VF switch, withdrawal and hot-remove under traffic", test_netvsc_vf },
	{ "netvsc-secondary", "a secondary process forwards on the primary's port", test_netvsc_secondary },
	{ "netvsc-secondary-child", "(started by netvsc-secondary)", test_netvsc_secondary_child },
	{ "netvsc-secondary-vf", "VF messages a secondary sees reach the primary", test_netvsc_secondary_vf },
	{ "netvsc-secondary-vf-child", "(started by netvsc-secondary-vf)", test_netvsc_secondary_vf_child },
};

static void
usage(void)
{
	unsigned int i;

	printf("usage: test-hv [EAL options] -- test <case> [args] | demo [n] | list\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		printf("  %-13s %s\n", cases[i].name, cases[i].what);
}

int
main(int argc, char **argv)
{
	int n, ret = 0;
	unsigned int i;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		printf("test-hv: EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc < 2) {
		usage();
		rte_eal_cleanup();
		return 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		usage();
	} else if (strcmp(argv[1], "demo") == 0) {
		ret = run_demo(argc - 1, argv + 1);
	} else if (strcmp(argv[1], "test") == 0 && argc > 2) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (strcmp(cases[i].name, argv[2]) == 0)
				break;
		if (i == sizeof(cases) / sizeof(cases[0])) {
			usage();
			ret = -1;
		} else {
			ret = cases[i].run(argc - 2, argv + 2);
		}
	} else {
		usage();
		ret = -1;
	}
	/* Clean shutdown: the bus removes every device through its driver. */
	if (rte_eal_cleanup() != 0) {
		printf("FAIL: EAL cleanup\n");
		testhv_failed++;
	}
	if (strcmp(argv[1], "test") == 0 &&
	    (argc < 3 || strstr(argv[2], "secondary-child") == NULL))
		printf("%u passed, %u failed\n", testhv_passed, testhv_failed);
	return (ret == 0 && testhv_failed == 0) ? 0 : 1;
}
