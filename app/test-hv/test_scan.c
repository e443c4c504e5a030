/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scan and probe: every device the model offers with sound sysfs contents
 * and bound to uio_hv_generic is probed by the driver of its class, with
 * the relid and monitor id the host gave it; the others are left alone.
 * Usage: scan <number of devices expected to probe>
 */
#include <stdlib.h>
#include <string.h>

#include "echo_driver.h"
#include "testhv.h"

/* Find the model's line for uuid in the "list" reply. */
static const char *
list_line(const char *list, const char *uuid)
{
	const char *p = strstr(list, uuid);

	return p != NULL && (p == list || p[-1] == '\n') ? p : NULL;
}

int
test_scan(int argc, char **argv)
{
	unsigned int expected, i, n = echo_dev_count();
	static char list[16384];
	unsigned int listed = 0;
	const char *p;

	if (argc < 2) {
		printf("usage: scan <expected devices>\n");
		return -1;
	}
	expected = (unsigned int)strtoul(argv[1], NULL, 10);
	TCHECK(sim_ctl("list", list, sizeof(list)) == 0, "sim list");
	for (p = list; *p != '\0'; p++)
		if (*p == '\n')
			listed++;
	printf("model offers %u devices, %u probed\n", listed, n);
	TCHECK(n == expected, "probed %u devices, expected %u", n, expected);

	for (i = 0; i < n; i++) {
		struct echo_dev *ed = echo_dev_by_index(i);
		struct vmbus_device *vd = ed->vdev;
		char cls[RTE_UUID_STRLEN], want[160], got[160];
		const char *line = list_line(list, vd->name);
		const char *eol;

		rte_uuid_unparse(vd->class_id, cls, sizeof(cls));
		TCHECK(line != NULL, "%s not offered by the model", vd->name);
		if (line == NULL)
			continue;
		eol = strchr(line, '\n');
		snprintf(got, sizeof(got), "%.*s", (int)(eol - line), line);
		/* "uuid class relid uioN monitor|-" as the model prints it */
		if (vd->monitor_id == VMBUS_NO_MONITOR)
			snprintf(want, sizeof(want), "%s %s %u uio%d -",
				 vd->name, cls, vd->relid, vd->uio_num);
		else
			snprintf(want, sizeof(want), "%s %s %u uio%d %u",
				 vd->name, cls, vd->relid, vd->uio_num,
				 vd->monitor_id);
		TCHECK(strcmp(want, got) == 0, "bus saw '%s', model says '%s'",
		       want, got);
		/* the class decides the driver */
		TCHECK(ed->intr == (strcmp(cls, HV_ECHO_LOWSPEED_CLASS_GUID) == 0),
		       "%s probed by the wrong driver", vd->name);
		TCHECK(vd->device.driver != NULL, "%s has no driver", vd->name);
	}
	/* Sorted by instance GUID, as EAL users expect stable port order. */
	for (i = 1; i < n; i++)
		TCHECK(strcmp(echo_dev_by_index(i - 1)->vdev->name,
			      echo_dev_by_index(i)->vdev->name) < 0,
		       "devices not sorted");
	return 0;
}
