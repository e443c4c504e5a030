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
test_secondary(int argc, char **argv)
{
	struct echo_reply *r = malloc(sizeof(*r));
	struct echo_dev *ed = echo_dev_by_index(0);
	const struct rte_memzone *mz;
	struct shared_chans *sc;
	unsigned int i;
	int ret, status;
	pid_t pid;

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

	pid = fork();
	if (pid == 0) {
		char prefix[128], huge[256];
		char *args[] = { "test-hv", "--proc-type=secondary", prefix,
				 huge, "--no-pci", "--log-level=bus.vmbus:info",
				 "--", "test", "secondary-child", NULL };

		snprintf(prefix, sizeof(prefix), "--file-prefix=%s", argv[1]);
		snprintf(huge, sizeof(huge), "--huge-dir=%s", argv[2]);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	TCHECK(pid > 0, "fork");
	if (pid > 0) {
		TCHECK(waitpid(pid, &status, 0) == pid, "waitpid");
		TCHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "secondary process failed (status %#x)", status);
	}
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
