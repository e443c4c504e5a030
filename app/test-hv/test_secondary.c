/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Secondary processes: the primary opens channels (primary and
 * sub-channels), then a secondary process uses the very same channel
 * objects from shared memory, which only works if it mapped the device at
 * the primary's addresses.
 *   primary:   test secondary <file-prefix> <huge-dir>
 *   secondary: test secondary-child (started by the primary)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memzone.h>

#include "echo_driver.h"
#include "testhv.h"

#define SHARED_CHANS_MZ "testhv_chans"

struct shared_chans {
	unsigned int n;
	struct vmbus_channel *chan[ECHO_MAX_CHANNELS];
};

static int
echo_many(struct echo_dev *ed, struct vmbus_channel *ch, unsigned int count,
	  struct echo_reply *r)
{
	unsigned int k;

	for (k = 0; k < count; k++) {
		struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = k };
		char data[64];
		int ret;

		snprintf(data, sizeof(data), "from pid %d, message %u", getpid(), k);
		ret = echo_call(ed, ch, &m, data, sizeof(data), k, 0, r);
		if (ret != 0 || r->trans_id != k ||
		    memcmp(r->buf + sizeof(m), data, sizeof(data)) != 0)
			return ret != 0 ? ret : -EPROTO;
	}
	return 0;
}

int
testhv_run_secondary(const char *prefix, const char *hugedir,
		     const char *const *eal_extra, const char *test)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char prefix_arg[128], huge_arg[256];
		const char *args[24];
		unsigned int n = 0;

		snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix);
		snprintf(huge_arg, sizeof(huge_arg), "--huge-dir=%s", hugedir);
		args[n++] = "test-hv";
		args[n++] = "--proc-type=secondary";
		args[n++] = prefix_arg;
		args[n++] = huge_arg;
		args[n++] = "--no-pci";
		while (eal_extra != NULL && *eal_extra != NULL && n < 18)
			args[n++] = *eal_extra++;
		args[n++] = "--";
		args[n++] = "test";
		args[n++] = test;
		args[n] = NULL;
		execv("/proc/self/exe", (char *const *)(uintptr_t)args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("secondary process '%s' failed (status %#x)\n", test, status);
		return -1;
	}
	return 0;
}

int
test_secondary(int argc, char **argv)
{
	static const char *const eal_extra[] = {
		"--log-level=bus.vmbus:info", NULL,
	};
	struct echo_reply *r = malloc(sizeof(*r));
	struct echo_dev *ed = echo_dev_by_index(0);
	const struct rte_memzone *mz;
	struct shared_chans *sc;
	unsigned int i;
	int ret;

	if (argc < 3 || ed == NULL) {
		TCHECK(0, "usage: secondary <file-prefix> <huge-dir>, with a device");
		return -1;
	}
	ret = echo_open_subchannels(ed, 2, 5000);
	TCHECK(ret == 2, "sub-channels: %d", ret);
	mz = rte_memzone_reserve(SHARED_CHANS_MZ, sizeof(*sc), SOCKET_ID_ANY, 0);
	TCHECK(mz != NULL, "memzone");
	if (mz == NULL)
		return -1;
	sc = mz->addr;
	sc->n = ed->nchan;
	for (i = 0; i < ed->nchan; i++) {
		sc->chan[i] = ed->chan[i];
		TCHECK(echo_many(ed, ed->chan[i], 50, r) == 0,
		       "primary echo on channel %u", i);
	}

	TCHECK(testhv_run_secondary(argv[1], argv[2], eal_extra, "secondary-child") == 0,
	       "secondary process failed");
	/* The primary carries on where the secondary left the rings. */
	for (i = 0; i < ed->nchan; i++)
		TCHECK(echo_many(ed, ed->chan[i], 50, r) == 0,
		       "primary echo after the secondary, channel %u", i);
	free(r);
	return 0;
}

int
test_secondary_child(int argc, char **argv)
{
	struct echo_reply *r = malloc(sizeof(*r));
	struct echo_dev *ed = echo_dev_by_index(0);
	const struct rte_memzone *mz;
	struct shared_chans *sc;
	unsigned int i;

	(void)argc; (void)argv;
	TCHECK(rte_eal_process_type() == RTE_PROC_SECONDARY, "not a secondary");
	TCHECK(ed != NULL, "device not probed in the secondary");
	mz = rte_memzone_lookup(SHARED_CHANS_MZ);
	TCHECK(mz != NULL, "no shared channels");
	if (ed == NULL || mz == NULL)
		return -1;
	sc = mz->addr;
	TCHECK(ed->chan[0] == sc->chan[0],
	       "secondary's primary channel is not the shared object");
	for (i = 0; i < sc->n; i++) {
		int ret = echo_many(ed, sc->chan[i], 100, r);

		TCHECK(ret == 0, "secondary echo on channel %u (relid %u): %d", i,
		       vmbus_chan_relid(sc->chan[i]), ret);
	}
	printf("secondary pid %d: %u channels echoed through the primary's objects\n",
	       getpid(), sc->n);
	free(r);
	return 0;
}
