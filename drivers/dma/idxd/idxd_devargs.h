/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments of the idxd drivers. Pure parsing (rte_kvargs only), so
 * the unit tests check it without EAL.
 */
#ifndef IDXD_DEVARGS_H
#define IDXD_DEVARGS_H

#include <stddef.h>

/* dmadev_idxd_pci: -a <BDF>,max_queues=N */
#define IDXD_ARG_MAX_QUEUES "max_queues"

struct idxd_pci_args {
	unsigned int max_queues; /* 0: every WQ the device has */
};

/**
 * Parse the devargs string of a PCI function (NULL or "" for none) into
 * out. Returns 0, or -EINVAL with a message naming the offending argument
 * in err (errlen bytes, always terminated).
 */
int idxd_parse_pci_args(const char *args, struct idxd_pci_args *out,
			char *err, size_t errlen);

/**
 * Check the devargs string of a kernel work queue (-a wqN.M,...): no
 * argument is defined, so anything given is an error. Same returns as
 * idxd_parse_pci_args().
 */
int idxd_parse_wq_args(const char *args, char *err, size_t errlen);

#endif /* IDXD_DEVARGS_H */
