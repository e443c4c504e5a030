/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simctl: run one model control command from a shell, e.g. in a script
 * that simrun runs beside the program under test:
 *     simctl nic 0 stats
 * The words are joined with spaces and passed to udrv_sim_ctl (found in
 * the preloaded libudrv_sim.so); the reply goes to stdout. Exit status 0
 * on success, 1 if the command failed, 2 if not run under simrun.
 * Run it while the program under test is up: a process that finds no
 * owner becomes the owner of a fresh testbed.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../include/udrv_sim.h"

typedef int (*ctl_fn_t)(const char *, char *, unsigned int);

int
main(int argc, char **argv)
{
	static char reply[65536];
	char cmd[256] = "";
	size_t off = 0;
	ctl_fn_t fn;
	int i, r;

	if (argc < 2) {
		fprintf(stderr, "usage: simctl command [args...]\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int n = snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i > 1 ? " " : "",
				 argv[i]);

		if (n < 0 || (size_t)n >= sizeof(cmd) - off) {
			fprintf(stderr, "simctl: command too long\n");
			return 2;
		}
		off += (size_t)n;
	}
	fn = (ctl_fn_t)(uintptr_t)dlsym(RTLD_DEFAULT, "udrv_sim_ctl");
	if (fn == NULL) {
		fprintf(stderr, "simctl: not running under simrun\n");
		return 2;
	}
	r = fn(cmd, reply, sizeof(reply));
	fputs(reply, stdout);
	if (r < 0) {
		fprintf(stderr, "simctl: %s: %s\n", cmd, strerror(-r));
		return 1;
	}
	return 0;
}
