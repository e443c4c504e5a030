/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the idxd files: the per-WQ dmadev, the small ops
 * table that hides how a work queue reached user space (kernel WQ through
 * the dsa bus, or a vfio-pci function programmed here), and logging.
 */
#ifndef IDXD_INTERNAL_H
#define IDXD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dev_driver.h>
#include <rte_dmadev_pmd.h>
#include <rte_log.h>

#include "idxd_queue.h"

extern int idxd_logtype;
#define IDXD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, idxd_logtype, "idxd: " fmt "\n", ##__VA_ARGS__)

/* What a work queue allows, as its configuration says. */
struct idxd_wq_info {
	bool shared;            /* shared WQ (ENQCMD), else dedicated */
	bool cache_control;     /* device honours the cache-control flag */
	uint32_t size;          /* WQ entries */
	uint32_t threshold;     /* shared WQ: limited-portal threshold */
	uint32_t max_batch;     /* descriptors per batch */
	uint64_t max_xfer;      /* bytes per descriptor */
};

struct idxd_dev;

/* One way of reaching a work queue. */
struct idxd_backend {
	const char *name;
	/* Job addresses are the process's virtual addresses (SVA). */
	bool sva;
	/* Make the WQ accept descriptors (rte_dma_start). */
	int (*start)(struct idxd_dev *dev);
	/* Stop it, after the PMD waited for its jobs (drained: whether
	 * they all completed).
	 */
	int (*stop)(struct idxd_dev *dev, bool drained);
	/* Release the portal and anything else the backend holds. */
	void (*close)(struct idxd_dev *dev);
	/* The device or the WQ stopped working on its own. */
	bool (*halted)(const struct idxd_dev *dev);
	/* Backend-specific lines of rte_dma_dump(). */
	void (*dump)(const struct idxd_dev *dev, FILE *f);
};

/* A dmadev: one work queue. dmadev private data; the queue comes first
 * because the fast path gets this pointer as its dev_private.
 */
struct idxd_dev {
	struct idxd_queue q;

	const struct idxd_backend *backend;
	void *backend_priv;
	volatile void *portal;
	struct idxd_wq_info wq;
	struct rte_dma_dev *dmadev;

	void *ring_mem;            /* memory of q, rte_malloc'd; NULL until
				    * vchan 0 is set up */
	/* A drain timed out: the device may still write into ring_mem,
	 * which is therefore never freed.
	 */
	bool ring_unsafe;
};

/**
 * Create the dmadev name for a work queue reached through backend, with
 * its portal mapped at portal. backend_priv is the backend's own state,
 * kept in dev->backend_priv. On success stores the new device in *out and
 * returns 0; else returns a negative errno (nothing is left allocated).
 */
int idxd_dmadev_create(const char *name, struct rte_device *device, int numa,
		       const struct idxd_backend *backend, void *backend_priv,
		       const struct idxd_wq_info *wq, volatile void *portal,
		       struct idxd_dev **out);

/**
 * Stop (if started) and close the dmadev of dev, then release it. dev is
 * invalid afterwards. Returns 0 or a negative errno from the close.
 */
int idxd_dmadev_destroy(struct idxd_dev *dev);

#endif /* IDXD_INTERNAL_H */
