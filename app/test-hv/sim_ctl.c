/* SPDX-License-Identifier: BSD-3-Clause */
/* Talking to the device model that simrun preloaded into this process. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv_echo_proto.h"
#include "testhv.h"

int
sim_ctl(const char *cmd, char *reply, unsigned int reply_len)
{
	static udrv_sim_ctl_t fn;
	char dummy[256];

	if (fn == NULL)
		fn = (udrv_sim_ctl_t)(uintptr_t)dlsym(RTLD_DEFAULT, HV_SIM_CTL_SYMBOL);
	if (fn == NULL) {
		printf("test-hv: not running under simrun (no %s)\n",
		       HV_SIM_CTL_SYMBOL);
		return -ENOSYS;
	}
	if (reply == NULL) {
		reply = dummy;
		reply_len = sizeof(dummy);
	}
	return fn(cmd, reply, reply_len);
}

/* The stats reply has one block per channel starting with "relid=N";
 * keys within a block are "key=value" words.
 */
long long
sim_stat(const char *uuid, unsigned int relid, const char *key)
{
	char cmd[128], *reply, *p, *save = NULL;
	long long val = -1;
	bool in_chan = false;
	size_t klen = strlen(key);

	reply = malloc(16384);
	if (reply == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "stats %s", uuid);
	if (sim_ctl(cmd, reply, 16384) < 0) {
		free(reply);
		return -1;
	}
	for (p = strtok_r(reply, " \t\n", &save); p != NULL;
	     p = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(p, "relid=", 6) == 0) {
			in_chan = strtoul(p + 6, NULL, 10) == relid;
			continue;
		}
		if (in_chan && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			val = strtoll(p + klen + 1, NULL, 10);
			break;
		}
	}
	free(reply);
	return val;
}
