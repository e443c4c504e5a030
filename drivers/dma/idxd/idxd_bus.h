/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "dsa" bus: work queues that Linux's idxd driver hands to user space
 * (bound to its "user" driver, /dev/dsa/wqN.M), one EAL device each.
 */
#ifndef IDXD_BUS_H
#define IDXD_BUS_H

#include <stdbool.h>

#include <dev_driver.h>
#include <rte_dev.h>

#include "idxd_internal.h"

#define DSA_BUS_NAME      "dsa"
#define DSA_DRIVER_NAME   "dmadev_idxd"
#define DSA_SYSFS_DEVICES "/sys/bus/dsa/devices"
#define DSA_DEV_DIR       "/dev/dsa"

/* One kernel work queue, as scanned from sysfs. */
struct dsa_wq {
	TAILQ_ENTRY(dsa_wq) next;
	struct rte_device device;
	char name[24];            /* wqN.M: EAL device and dmadev name */
	unsigned int dev_idx;     /* N */
	unsigned int wq_idx;      /* M */
	char type[16];            /* none, kernel, user */
	char wq_name[128];        /* the name given to the WQ */
	char state[16];           /* enabled, disabled, ... */
	struct idxd_wq_info info;
	bool info_ok;             /* every limit read and sane */
	bool explicit;            /* named in an -a option */
	bool wanted;              /* to be probed */
	char why_not[192];        /* why not, when !wanted */
	bool probed;
	struct idxd_dev *idxd;    /* while probed and not closed */
};

/* Portal of a kernel WQ: the open char device and its mapping. */
struct idxd_kernel_wq {
	struct dsa_wq *wq;
	int fd;
	void *portal;
	char path[64];
};

/**
 * Open /dev/dsa/<wq name>, map its portal and create the dmadev. Returns 0,
 * or a negative errno after logging the cause in terms a user can act on
 * (missing node, permissions, CAP_SYS_RAWIO, dedicated WQ in use).
 */
int idxd_kernel_wq_probe(struct dsa_wq *wq);

/**
 * Read the current state attribute of the WQ into buf; returns 0 or a
 * negative errno.
 */
int dsa_wq_read_state(const struct dsa_wq *wq, char *buf, size_t len);

#endif /* IDXD_BUS_H */
