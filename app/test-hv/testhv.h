/* SPDX-License-Identifier: BSD-3-Clause */
/* test-hv: shared declarations of the test cases and their checks. */
#ifndef TESTHV_H
#define TESTHV_H

#include <stdio.h>

extern unsigned int testhv_passed, testhv_failed;

#define TCHECK(cond, ...) do {                                        \
	if (cond) {                                                   \
		testhv_passed++;                                      \
	} else {                                                      \
		testhv_failed++;                                      \
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);\
		printf(__VA_ARGS__);                                  \
		printf("\n");                                         \
	}                                                             \
} while (0)

struct testhv_case {
	const char *name;
	const char *what;
	int (*run)(int argc, char **argv);
};

/* Send a command to the device model (see doc/simulator.md); 0 or -errno.
 * reply may be NULL.
 */
int sim_ctl(const char *cmd, char *reply, unsigned int reply_len);

/* Look up a per-channel counter from "stats <uuid>" for relid. -1 if
 * absent.
 */
long long sim_stat(const char *uuid, unsigned int relid, const char *key);

int test_scan(int argc, char **argv);
int test_echo(int argc, char **argv);
int test_gpa(int argc, char **argv);
int test_backpressure(int argc, char **argv);
int test_flood(int argc, char **argv);
int test_subchan(int argc, char **argv);
int test_rescind(int argc, char **argv);
int test_intr(int argc, char **argv);
/*
 * Run this program again as a secondary process of the primary with file
 * prefix and huge-page directory given, with extra EAL arguments (NULL-
 * terminated, may be NULL), running test; 0 when it passed.
 */
int testhv_run_secondary(const char *prefix, const char *hugedir,
			 const char *const *eal_extra, const char *test);
int test_secondary(int argc, char **argv);
int test_secondary_child(int argc, char **argv);
int test_netvsc_bringup(int argc, char **argv);
int test_netvsc_traffic(int argc, char **argv);
int test_netvsc_rss(int argc, char **argv);
int test_netvsc_offload(int argc, char **argv);
int test_netvsc_vlan(int argc, char **argv);
int test_netvsc_link(int argc, char **argv);
int test_netvsc_reconfig(int argc, char **argv);
int test_netvsc_stall(int argc, char **argv);
int test_netvsc_corrupt(int argc, char **argv);
int test_netvsc_noack(int argc, char **argv);
int test_netvsc_inject(int argc, char **argv);
int test_netvsc_vf(int argc, char **argv);
int test_netvsc_secondary(int argc, char **argv);
int test_netvsc_secondary_child(int argc, char **argv);
int test_netvsc_secondary_vf(int argc, char **argv);
int test_netvsc_secondary_vf_child(int argc, char **argv);
int run_demo(int argc, char **argv);

#endif
