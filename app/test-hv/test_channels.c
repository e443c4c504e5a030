/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Channel lifecycle: sub-channels offered late by the host, the device
 * rescinded under the driver, and interrupt-driven (low-speed) devices.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "echo_driver.h"
#include "testhv.h"

static int
one_echo(struct echo_dev *ed, struct vmbus_channel *ch, uint32_t seq,
	 struct echo_reply *r)
{
	struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = seq };
	int ret = echo_call(ed, ch, &m, "subchannel", 10, seq,
			    VMBUS_PKT_FLAG_COMPLETION_REQUESTED, r);

	if (ret == 0 && (r->trans_id != seq || r->type != VMBUS_PKT_COMP ||
			 memcmp(r->buf + sizeof(m), "subchannel", 10) != 0))
		ret = -EPROTO;
	return ret;
}

/* Usage: subchan <n> */
int
test_subchan(int argc, char **argv)
{
	unsigned int want = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 4;
	struct echo_reply *r = malloc(sizeof(*r));
	struct echo_dev *ed = echo_dev_by_index(0);
	struct hv_echo_msg msg = { .op = HV_ECHO_OP_SUBCH, .arg0 = want };
	struct vmbus_channel *early;
	unsigned int i, opened = 0;
	int ret;

	if (ed == NULL) {
		TCHECK(0, "no device");
		return -1;
	}
	TCHECK(vmbus_max_channels(ed->vdev) > want, "kernel exposes %u channels",
	       vmbus_max_channels(ed->vdev));
	/* Before asking, and right after, nothing is offered yet. */
	TCHECK(vmbus_subchan_open(ed->chan[0], &early) == -EAGAIN,
	       "sub-channel before any request");
	ret = echo_call(ed, ed->chan[0], &msg, NULL, 0, 7,
			VMBUS_PKT_FLAG_COMPLETION_REQUESTED, r);
	TCHECK(ret == 0 && ((struct hv_echo_msg *)r->buf)->arg0 == want,
	       "host granted %u", ((struct hv_echo_msg *)r->buf)->arg0);
	TCHECK(vmbus_subchan_open(ed->chan[0], &early) == -EAGAIN,
	       "offer arrived synchronously (model delay not in effect?)");
	ret = vmbus_subchan_open_all(ed->chan[0], want, 5000,
				     &ed->chan[ed->nchan]);
	TCHECK(ret == (int)want, "opened %d of %u", ret, want);
	if (ret > 0)
		ed->nchan += (unsigned int)ret;
	for (i = 1; i < ed->nchan; i++) {
		struct vmbus_channel *ch = ed->chan[i];

		TCHECK(vmbus_chan_subchannel_id(ch) == i,
		       "channel %u has subchannel_id %u", i,
		       vmbus_chan_subchannel_id(ch));
		TCHECK(vmbus_chan_relid(ch) != ed->vdev->relid, "relid reused");
		ret = one_echo(ed, ch, 1000 + i, r);
		TCHECK(ret == 0, "echo on sub-channel %u: %d", i, ret);
		/* the host served it on that channel, not on the primary */
		TCHECK(sim_stat(ed->vdev->name, vmbus_chan_relid(ch),
				"rx_packets") >= 1,
		       "host saw nothing on relid %u", vmbus_chan_relid(ch));
		opened++;
	}
	printf("%u sub-channels open and echoing\n", opened);
	/* The primary keeps working next to them. */
	TCHECK(one_echo(ed, ed->chan[0], 5, r) == 0, "primary after sub-channels");
	free(r);
	return 0;
}

/* The host rescinds device 0; the driver hears of it, its channels fail
 * cleanly, and the other devices keep working.
 */
int
test_rescind(int argc, char **argv)
{
	struct echo_reply *r = malloc(sizeof(*r));
	struct echo_dev *victim = echo_dev_by_index(0);
	struct echo_dev *other = echo_dev_by_index(1);
	struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO };
	char cmd[96];
	uint64_t deadline;
	int ret;

	(void)argc; (void)argv;
	if (victim == NULL || other == NULL) {
		TCHECK(0, "need two devices");
		return -1;
	}
	TCHECK(one_echo(victim, victim->chan[0], 1, r) == 0, "echo before rescind");
	snprintf(cmd, sizeof(cmd), "rescind %s", victim->vdev->name);
	TCHECK(sim_ctl(cmd, NULL, 0) == 0, "sim rescind");
	deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while (!victim->rescind_seen && rte_get_timer_cycles() < deadline)
		rte_delay_us_sleep(1000);
	TCHECK(victim->rescind_seen, "driver not told of the rescind");
	TCHECK(vmbus_device_is_rescinded(victim->vdev), "bus missed the rescind");
	ret = vmbus_chan_send(victim->chan[0], VMBUS_PKT_INBAND, &m, sizeof(m),
			      1, 0, NULL);
	TCHECK(ret == -ENODEV, "send after rescind: %d", ret);
	ret = echo_recv(victim, victim->chan[0], r, 10);
	TCHECK(ret == -ENODEV, "recv after rescind: %d", ret);
	TCHECK(one_echo(other, other->chan[0], 2, r) == 0,
	       "other device broken by the rescind");
	free(r);
	return 0;
}

/* Low-speed devices: no monitor id, interrupt driven through the uio fd. */
int
test_intr(int argc, char **argv)
{
	struct echo_reply *r = malloc(sizeof(*r));
	unsigned int i, n = 0, k;

	(void)argc; (void)argv;
	for (i = 0; i < echo_dev_count(); i++) {
		struct echo_dev *ed = echo_dev_by_index(i);
		long long intrs;

		if (!ed->intr)
			continue;
		n++;
		TCHECK(ed->vdev->monitor_id == VMBUS_NO_MONITOR,
		       "%s: low-speed device with a monitor id", ed->vdev->name);
		for (k = 0; k < 200; k++) {
			int ret = one_echo(ed, ed->chan[0], k, r);

			TCHECK(ret == 0, "%s: echo %u: %d", ed->vdev->name, k, ret);
			if (ret != 0)
				break;
		}
		intrs = sim_stat(ed->vdev->name, ed->vdev->relid, "guest_interrupts");
		printf("%s: %u echoes by interrupt, host raised %lld interrupts, saw %lld event signals\n",
		       ed->vdev->name, k, intrs, sim_stat(ed->vdev->name, ed->vdev->relid, "host_signals_event"));
		/* waited by interrupt, not by spinning on the ring */
		TCHECK(intrs > 0, "no interrupt was ever delivered");
		/* Reached through events only. The host serves an event
		 * channel when signalled (or when it has just sent on it),
		 * so 200 echoes show that signals arrived; it counts them
		 * per pass of its loop, and
		 * a send and the wait's unmask (which signals too) often
		 * fall in one pass, the more often the slower the host: the
		 * count shows events were seen, not how many were sent.
		 */
		TCHECK(sim_stat(ed->vdev->name, ed->vdev->relid,
				"host_signals_event") > 0,
		       "host did not see event signals");
		TCHECK(sim_stat(ed->vdev->name, ed->vdev->relid,
				"host_signals_monitor") == 0,
		       "monitor signal on a channel without monitor id");
	}
	TCHECK(n > 0, "no low-speed device probed");
	free(r);
	return 0;
}
