/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus demo: list what was probed, then exchange packets on every
 * channel of every device and print what came back.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "echo_driver.h"
#include "testhv.h"

int
run_demo(int argc, char **argv)
{
	struct echo_reply *r = malloc(sizeof(*r));
	static uint8_t data[4000];
	unsigned int i, c, k, nsub = argc > 1 ? (unsigned int)atoi(argv[1]) : 2;

	printf("VMBus devices probed: %u\n", echo_dev_count());
	for (i = 0; i < echo_dev_count(); i++) {
		struct echo_dev *ed = echo_dev_by_index(i);
		char cls[RTE_UUID_STRLEN];

		rte_uuid_unparse(ed->vdev->class_id, cls, sizeof(cls));
		if (!ed->intr && nsub > 0)
			echo_open_subchannels(ed, nsub, 5000);
		printf("  %s class %s relid %u %s, %u channel(s), driver %s\n",
		       ed->vdev->name, cls, ed->vdev->relid,
		       ed->vdev->monitor_id == VMBUS_NO_MONITOR ?
		       "event-signalled" : "monitored", ed->nchan,
		       ed->vdev->driver->driver.name);
	}
	for (i = 0; i < echo_dev_count(); i++) {
		struct echo_dev *ed = echo_dev_by_index(i);

		for (c = 0; c < ed->nchan; c++) {
			uint64_t start = rte_get_timer_cycles(), bytes = 0;
			unsigned int ok = 0;

			for (k = 0; k < 2000; k++) {
				struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = k };
				uint32_t len = (k * 37) % sizeof(data);

				memset(data, (int)k, len);
				if (echo_call(ed, ed->chan[c], &m, data, len, k, 0, r) == 0 &&
				    r->trans_id == k &&
				    memcmp(r->buf + sizeof(m), data, len) == 0) {
					ok++;
					bytes += len;
				}
			}
			printf("  %s channel %u (relid %u): %u/2000 echoes intact, "
			       "%lu bytes, %.1f us/round trip\n",
			       ed->vdev->name, vmbus_chan_subchannel_id(ed->chan[c]),
			       vmbus_chan_relid(ed->chan[c]), ok, (unsigned long)bytes,
			       (double)(rte_get_timer_cycles() - start) * 1e6 /
			       rte_get_timer_hz() / 2000);
			if (ok != 2000)
				testhv_failed++;
		}
	}
	free(r);
	return 0;
}
