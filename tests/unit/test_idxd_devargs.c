/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the idxd device-argument parsing (idxd_devargs.c). */
#include <errno.h>
#include <string.h>

#include "idxd_devargs.h"
#include "unit_check.h"

static void
test_pci_args(void)
{
	struct idxd_pci_args a;
	char err[160];

	CHECK_EQ(idxd_parse_pci_args(NULL, &a, err, sizeof(err)), 0);
	CHECK_EQ(a.max_queues, 0);
	CHECK_EQ(idxd_parse_pci_args("", &a, err, sizeof(err)), 0);
	CHECK_EQ(idxd_parse_pci_args("max_queues=4", &a, err, sizeof(err)), 0);
	CHECK_EQ(a.max_queues, 4);
	CHECK_EQ(idxd_parse_pci_args("max_queues=0", &a, err, sizeof(err)), 0);
	CHECK_EQ(a.max_queues, 0);
	CHECK_EQ(idxd_parse_pci_args("max_queues=255", &a, err, sizeof(err)), 0);
	CHECK_EQ(a.max_queues, 255);

	CHECK_EQ(idxd_parse_pci_args("max_queues=256", &a, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "max_queues=256") != NULL);
	CHECK_EQ(idxd_parse_pci_args("max_queues=-1", &a, err, sizeof(err)), -EINVAL);
	CHECK_EQ(idxd_parse_pci_args("max_queues=4x", &a, err, sizeof(err)), -EINVAL);
	CHECK_EQ(idxd_parse_pci_args("max_queues=", &a, err, sizeof(err)), -EINVAL);
	CHECK_EQ(idxd_parse_pci_args("max_queues", &a, err, sizeof(err)), -EINVAL);
	CHECK_EQ(idxd_parse_pci_args("max_queue=4", &a, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"max_queue\"") != NULL);
	CHECK_EQ(idxd_parse_pci_args("max_queues=2,wq_size=8", &a, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"wq_size\"") != NULL);
	/* A short error buffer is still terminated. */
	CHECK_EQ(idxd_parse_pci_args("bogus=1", &a, err, 8), -EINVAL);
	CHECK_EQ(strlen(err), 7);
}

static void
test_wq_args(void)
{
	char err[160];

	CHECK_EQ(idxd_parse_wq_args(NULL, err, sizeof(err)), 0);
	CHECK_EQ(idxd_parse_wq_args("", err, sizeof(err)), 0);
	CHECK_EQ(idxd_parse_wq_args("max_queues=1", err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "\"max_queues\"") != NULL);
	CHECK(strstr(err, "takes none") != NULL);
}

int
main(void)
{
	RUN(test_pci_args);
	RUN(test_wq_args);
	return unit_summary();
}
