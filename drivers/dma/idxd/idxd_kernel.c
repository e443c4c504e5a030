/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel work-queue backend: a WQ that Linux's idxd driver configured and
 * bound to its "user" driver. The PMD opens /dev/dsa/wqN.M and maps its one
 * portal page (the kernel maps the WQ's limited MSI-X portal); jobs carry
 * process virtual addresses, translated by the IOMMU through the PASID the
 * kernel bound to this process at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idxd_bus.h"

static void
idxd_kernel_explain_open(const struct dsa_wq *wq, const char *path, int err)
{
	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		IDXD_LOG(ERR, "%s: %s: %s: the WQ has no user device node; is it bound to the \"user\" driver (accel-config enable-wq dsa%u/%s) and did udev create the node?",
			 wq->name, path, strerror(err), wq->dev_idx, wq->name);
		break;
	case EACCES:
	case EPERM:
		IDXD_LOG(ERR, "%s: %s: permission denied: run as root, or give this user access to the device node",
			 wq->name, path);
		break;
	case EBUSY:
		IDXD_LOG(ERR, "%s: %s is busy: a dedicated WQ serves one process at a time",
			 wq->name, path);
		break;
	default:
		IDXD_LOG(ERR, "%s: cannot open %s: %s", wq->name, path, strerror(err));
	}
}

static int
idxd_kernel_start(struct idxd_dev *dev)
{
	const struct idxd_kernel_wq *k = dev->backend_priv;
	char state[32];

	/* The administrator may have disabled the WQ since the scan. */
	if (dsa_wq_read_state(k->wq, state, sizeof(state)) == 0 &&
	    strcmp(state, "enabled") != 0) {
		IDXD_LOG(ERR, "%s: WQ is %s: enable it again (accel-config enable-wq dsa%u/%s)",
			 k->wq->name, state, k->wq->dev_idx, k->wq->name);
		return -EIO;
	}
	return 0;
}

static void
idxd_kernel_close(struct idxd_dev *dev)
{
	struct idxd_kernel_wq *k = dev->backend_priv;

	if (k == NULL)
		return;
	/* The kernel waits for the WQ's work when the file goes away. */
	munmap(k->portal, IDXD_PORTAL_SIZE);
	close(k->fd);
	k->wq->idxd = NULL;
	free(k);
	dev->backend_priv = NULL;
}

static void
idxd_kernel_dump(const struct idxd_dev *dev, FILE *f)
{
	const struct idxd_kernel_wq *k = dev->backend_priv;

	fprintf(f, "  %s (fd %d), WQ name \"%s\", threshold %u\n", k->path, k->fd,
		k->wq->wq_name, dev->wq.threshold);
}

static const struct idxd_backend idxd_kernel_backend = {
	.name = "kernel WQ",
	.sva = true,
	.start = idxd_kernel_start,
	.close = idxd_kernel_close,
	.dump = idxd_kernel_dump,
};

int
idxd_kernel_wq_probe(struct dsa_wq *wq)
{
	struct idxd_kernel_wq *k;
	struct idxd_dev *dev;
	int ret;

	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	k->wq = wq;
	snprintf(k->path, sizeof(k->path), "%s/%s", DSA_DEV_DIR, wq->name);
	k->fd = open(k->path, O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		ret = -errno;
		idxd_kernel_explain_open(wq, k->path, -ret);
		free(k);
		return ret;
	}
	/* One page, the portal, write-only: submissions are all we do. */
	k->portal = mmap(NULL, IDXD_PORTAL_SIZE, PROT_WRITE, MAP_SHARED, k->fd, 0);
	if (k->portal == MAP_FAILED) {
		ret = -errno;
		if (ret == -EPERM || ret == -EACCES)
			IDXD_LOG(ERR, "%s: mapping the portal of %s was refused: the kernel requires CAP_SYS_RAWIO for DSA portals (run as root or grant the capability)",
				 wq->name, k->path);
		else
			IDXD_LOG(ERR, "%s: cannot map the portal of %s: %s", wq->name,
				 k->path, strerror(-ret));
		close(k->fd);
		free(k);
		return ret;
	}
	ret = idxd_dmadev_create(wq->name, &wq->device, wq->device.numa_node,
				 &idxd_kernel_backend, k, &wq->info, k->portal, &dev);
	if (ret < 0) {
		munmap(k->portal, IDXD_PORTAL_SIZE);
		close(k->fd);
		free(k);
		return ret;
	}
	wq->idxd = dev;
	return 0;
}
