/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfio-pci mode: the DSA handed to user space as a PCI function, as Linux's
 * vfio-pci does it (include/uapi/linux/vfio.h), for drivers that program
 * the device themselves (DPDK's idxd PCI driver):
 *
 *   /sys/bus/pci/devices/BDF      vendor, device, class, resource,
 *                                 numa_node, driver -> vfio-pci,
 *                                 iommu_group -> .../iommu_groups/N
 *   /dev/vfio/vfio                the container: API version, type1
 *                                 IOMMU, IOMMU_MAP_DMA/UNMAP_DMA
 *   /dev/vfio/N                   the group: status, set container,
 *                                 device fd (one opener at a time)
 *   device fd                     info, regions (BAR0 registers, BAR2
 *                                 portals, config space), IRQ info and
 *                                 SET_IRQS, reset; pread/pwrite/mmap at
 *                                 region index << 40
 *
 * BAR0 and BAR2 are mapped PROT_NONE: every register access traps into
 * dsa_hw.c (so commands complete before the next instruction) and every
 * portal write into the same submission path as the kernel mode. DMA uses
 * the container's IOMMU mappings. With /sys/bus/pci modelled, a program
 * under simrun sees only the modelled PCI functions.
 */
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <signal.h>

#include "dsa_model.h"

#define REGION_SHIFT    40
#define REGION_MASK     ((1ull << REGION_SHIFT) - 1)
#define CFG_SIZE        4096u
#define MSIX_TABLE      0x2000u
#define MSIX_PBA        0x3000u
#define CAP_PCIE        0x40u
#define CAP_MSIX        0x80u
#define NUM_IRQS        5

static bool
any_vfio(void)
{
	unsigned int i;

	for (i = 0; i < dsa_cfg.ndev; i++)
		if (dsa_cfg.dev[i].vfio)
			return true;
	return false;
}

static uint64_t
bar2_size(unsigned int dev)
{
	uint64_t sz = (uint64_t)dsa_cfg.dev[dev].nwqs * DSA_PORTALS_PER_WQ * DSA_PORTAL_PAGE;
	uint64_t p = DSA_PORTAL_PAGE;

	while (p < sz)
		p <<= 1;
	return p;
}

/* Invented but stable bus addresses of the BARs. */
static uint64_t
bar_phys(unsigned int dev, unsigned int bar)
{
	return 0x3800000000ull + ((uint64_t)dev << 24) + (bar == 0 ? 0 : 0x100000);
}

/* ---- config space ---- */

static void
cfg_put(uint8_t *c, unsigned int off, uint64_t v, unsigned int n)
{
	memcpy(c + off, &v, n);
}

static void
config_space(unsigned int dev, uint8_t *c)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	uint64_t b0 = bar_phys(dev, 0), b2 = bar_phys(dev, 2);

	memset(c, 0, CFG_SIZE);
	cfg_put(c, 0x00, DSA_PCI_VENDOR, 2);
	cfg_put(c, 0x02, DSA_PCI_DEVICE, 2);
	cfg_put(c, 0x04, dsa_shm->dev[dev].pci_command, 2);
	cfg_put(c, 0x06, 0x0010, 2);                   /* capability list */
	cfg_put(c, 0x08, 0x01 | (DSA_PCI_CLASS << 8), 4);
	/* 64-bit memory BARs 0 and 2. */
	cfg_put(c, 0x10, (b0 & 0xfffffff0u) | 0x4, 4);
	cfg_put(c, 0x14, b0 >> 32, 4);
	cfg_put(c, 0x18, (b2 & 0xfffffff0u) | 0x4, 4);
	cfg_put(c, 0x1c, b2 >> 32, 4);
	cfg_put(c, 0x2c, DSA_PCI_VENDOR, 2);
	cfg_put(c, 0x34, CAP_PCIE, 1);
	cfg_put(c, 0x3c, 0xff, 1);                     /* no INTx pin */
	/* PCI Express capability: v2, root complex integrated endpoint. */
	cfg_put(c, CAP_PCIE, 0x10 | (CAP_MSIX << 8) | (0x0092u << 16), 4);
	/* MSI-X, the only interrupt capability (spec 9.1.2). */
	cfg_put(c, CAP_MSIX, 0x11 | ((DSA_MSIX_VECTORS - 1u) << 16), 4);
	cfg_put(c, CAP_MSIX + 4, MSIX_TABLE | 0, 4);
	cfg_put(c, CAP_MSIX + 8, MSIX_PBA | 0, 4);
	(void)s;
}

/* ---- BAR0 and BAR2 through traps ---- */

#define MAP_POOL 64

struct bar_map {
	uint32_t used;
	unsigned int dev;
	unsigned int bar;
	uintptr_t start;
	uint64_t base;                 /* region offset of start */
};

static struct bar_map bar_maps[MAP_POOL];

static int
bar0_read(void *priv, uintptr_t addr, unsigned int size, uint64_t *val)
{
	const struct bar_map *m = priv;
	uint64_t off = addr - m->start + m->base;

	if (off >= DSA_BAR0_IMAGE) {
		*val = 0;
		return 0;
	}
	/* Not async-signal-safe in general, but the faulting thread is
	 * driver code that holds no model lock.
	 */
	dsa_lock(m->dev);
	*val = dsa_hw_read(m->dev, (uint32_t)off, size);
	dsa_unlock(m->dev);
	return 0;
}

static int
bar0_write(void *priv, uintptr_t addr, unsigned int size, uint64_t val)
{
	const struct bar_map *m = priv;
	uint64_t off = addr - m->start + m->base;

	if (off >= DSA_BAR0_IMAGE)
		return 0;
	dsa_lock(m->dev);
	dsa_hw_write(m->dev, (uint32_t)off, size, val);
	dsa_unlock(m->dev);
	return 0;
}

static int
bar2_submit(void *priv, uintptr_t addr, const void *src, enum sim_insn_op op)
{
	const struct bar_map *m = priv;
	uint64_t off = addr - m->start + m->base;
	unsigned int wq = (unsigned int)(off / (DSA_PORTALS_PER_WQ * DSA_PORTAL_PAGE));
	unsigned int kind = (unsigned int)(off / DSA_PORTAL_PAGE) % DSA_PORTALS_PER_WQ;
	bool dmwr = op != SIM_INSN_MOVDIR64B;
	int r;

	if (op == SIM_INSN_ENQCMDS)
		return -1;
	/* No WQ behind it, or an IMS portal (no IMS here): a posted write
	 * is dropped, a deferrable one retried (spec 3.3).
	 */
	if (wq >= dsa_cfg.dev[m->dev].nwqs || kind > DSA_PORTAL_LIMITED)
		return dmwr ? 1 : 0;
	r = dsa_portal_submit_sig(m->dev, wq, kind, src, dmwr);
	return r < 0 ? 0 : r;
}

static int
bar2_read(void *priv, uintptr_t addr, unsigned int size, uint64_t *val)
{
	(void)priv;
	(void)addr;
	(void)size;
	/* Portal reads return all ones (spec 9.3). */
	*val = ~0ull;
	return 0;
}

static int
bar2_write(void *priv, uintptr_t addr, unsigned int size, uint64_t val)
{
	(void)priv;
	(void)addr;
	(void)size;
	(void)val;
	/* Writes that are not 64-byte submissions are ignored. */
	return 0;
}

static void
bar_unmapped(void *priv, uintptr_t start)
{
	struct bar_map *m = priv;

	(void)start;
	__atomic_store_n(&m->used, 0, __ATOMIC_RELEASE);
}

static const struct sim_trap_ops bar0_ops = {
	.read = bar0_read,
	.write = bar0_write,
	.unmapped = bar_unmapped,
};

static const struct sim_trap_ops bar2_ops = {
	.submit64 = bar2_submit,
	.read = bar2_read,
	.write = bar2_write,
	.unmapped = bar_unmapped,
};

/* ---- per-process VFIO objects ---- */

struct vfio_container {
	int type;                      /* 0 until VFIO_SET_IOMMU */
	unsigned int ngroups;
};

struct vfio_group {
	unsigned int dev;
	struct vfio_container *container;
	/* Holds the container's state while the group is attached, even
	 * if the container fd is closed first (as at exit).
	 */
	struct sim_fd *container_ref;
};

struct vfio_dev {
	unsigned int dev;
};

static int
fail(int e)
{
	errno = e;
	return -1;
}

static int
container_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct vfio_container *c = priv;
	unsigned long iarg = (unsigned long)(uintptr_t)arg & 0xffffffffu;

	(void)fd;
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return iarg == VFIO_TYPE1_IOMMU || iarg == VFIO_TYPE1v2_IOMMU;
	case VFIO_SET_IOMMU:
		/* The kernel wants a group in the container first. */
		if (c->ngroups == 0)
			return fail(EINVAL);
		if (iarg != VFIO_TYPE1_IOMMU && iarg != VFIO_TYPE1v2_IOMMU)
			return fail(ENODEV);
		if (c->type != 0)
			return fail(EBUSY);
		c->type = (int)iarg;
		return 0;
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info *info = arg;

		if (c->type == 0)
			return fail(EINVAL);
		if (info->argsz < offsetof(struct vfio_iommu_type1_info, cap_offset))
			return fail(EINVAL);
		info->flags = VFIO_IOMMU_INFO_PGSIZES;
		info->iova_pgsizes = 4096 | (2u << 20) | (1u << 30);
		return 0;
	}
	case VFIO_IOMMU_MAP_DMA: {
		const struct vfio_iommu_type1_dma_map *m = arg;
		int r;

		if (c->type == 0)
			return fail(EINVAL);
		if (m->argsz < sizeof(*m) || (m->size & 4095) || (m->iova & 4095) ||
		    (m->vaddr & 4095))
			return fail(EINVAL);
		r = dsa_iommu_map(m->iova, m->vaddr, m->size);
		return r < 0 ? fail(-r) : 0;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = arg;
		uint64_t done;

		if (c->type == 0)
			return fail(EINVAL);
		if (u->argsz < sizeof(*u))
			return fail(EINVAL);
		dsa_iommu_unmap(u->iova, u->size, &done);
		u->size = done;
		return 0;
	}
	default:
		return fail(ENOTTY);
	}
}

/* The container is gone once its fd is closed and no group holds it:
 * its IOMMU mappings go with it.
 */
static void
container_free(void *priv)
{
	dsa_iommu_reset();
	free(priv);
}

static const struct sim_fd_ops container_ops = {
	.ioctl = container_ioctl,
	.free = container_free,
};

static ssize_t
cfg_read(unsigned int dev, void *buf, size_t len, uint64_t off)
{
	uint8_t c[CFG_SIZE];

	if (off >= CFG_SIZE)
		return 0;
	if (len > CFG_SIZE - off)
		len = CFG_SIZE - off;
	dsa_lock(dev);
	config_space(dev, c);
	dsa_unlock(dev);
	memcpy(buf, c + off, len);
	return (ssize_t)len;
}

static ssize_t
cfg_write(unsigned int dev, const void *buf, size_t len, uint64_t off)
{
	size_t i;

	if (off >= CFG_SIZE)
		return 0;
	if (len > CFG_SIZE - off)
		len = CFG_SIZE - off;
	dsa_lock(dev);
	/* Only the command register's memory, bus master and related bits
	 * are writable here; vfio-pci virtualises the rest.
	 */
	for (i = 0; i < len; i++) {
		uint64_t a = off + i;
		uint8_t b = ((const uint8_t *)buf)[i];

		if (a == 0x04)
			dsa_shm->dev[dev].pci_command =
				(dsa_shm->dev[dev].pci_command & ~0xffu) | (b & 0x46u);
		else if (a == 0x05)
			dsa_shm->dev[dev].pci_command =
				(dsa_shm->dev[dev].pci_command & 0xffu) | ((b & 0x05u) << 8);
	}
	dsa_unlock(dev);
	return (ssize_t)len;
}

static ssize_t
dev_pread(void *priv, int fd, void *buf, size_t len, off_t off)
{
	const struct vfio_dev *d = priv;
	uint64_t region = (uint64_t)off >> REGION_SHIFT, roff = (uint64_t)off & REGION_MASK;

	(void)fd;
	if (region == VFIO_PCI_CONFIG_REGION_INDEX)
		return cfg_read(d->dev, buf, len, roff);
	if (region == VFIO_PCI_BAR0_REGION_INDEX && (len == 1 || len == 2 || len == 4 ||
						     len == 8)) {
		uint64_t v = 0;

		if (roff + len <= DSA_BAR0_IMAGE) {
			dsa_lock(d->dev);
			v = dsa_hw_read(d->dev, (uint32_t)roff, (unsigned int)len);
			dsa_unlock(d->dev);
		}
		memcpy(buf, &v, len);
		return (ssize_t)len;
	}
	errno = EINVAL;
	return -1;
}

static ssize_t
dev_pwrite(void *priv, int fd, const void *buf, size_t len, off_t off)
{
	const struct vfio_dev *d = priv;
	uint64_t region = (uint64_t)off >> REGION_SHIFT, roff = (uint64_t)off & REGION_MASK;

	(void)fd;
	if (region == VFIO_PCI_CONFIG_REGION_INDEX)
		return cfg_write(d->dev, buf, len, roff);
	if (region == VFIO_PCI_BAR0_REGION_INDEX && (len == 1 || len == 2 || len == 4 ||
						     len == 8)) {
		uint64_t v = 0;

		memcpy(&v, buf, len);
		if (roff + len <= DSA_BAR0_IMAGE) {
			dsa_lock(d->dev);
			dsa_hw_write(d->dev, (uint32_t)roff, (unsigned int)len, v);
			dsa_unlock(d->dev);
		}
		return (ssize_t)len;
	}
	errno = EINVAL;
	return -1;
}

static ssize_t
dev_read(void *priv, int fd, void *buf, size_t len)
{
	(void)priv;
	(void)fd;
	(void)buf;
	(void)len;
	errno = EINVAL;
	return -1;
}

static void *
dev_mmap(void *priv, int fd, void *addr, size_t len, int prot, int flags, off_t off)
{
	const struct vfio_dev *d = priv;
	uint64_t region = (uint64_t)off >> REGION_SHIFT, roff = (uint64_t)off & REGION_MASK;
	uint64_t rsize;
	struct bar_map *m = NULL;
	unsigned int i;
	void *p;

	(void)fd;
	(void)prot;
	if (region == VFIO_PCI_BAR0_REGION_INDEX)
		rsize = DSA_BAR0_SIZE;
	else if (region == VFIO_PCI_BAR2_REGION_INDEX)
		rsize = bar2_size(d->dev);
	else
		return (errno = EINVAL, MAP_FAILED);
	if (len == 0 || roff + len > rsize || (roff & 4095) || !(flags & MAP_SHARED))
		return (errno = EINVAL, MAP_FAILED);
	if (region == VFIO_PCI_BAR2_REGION_INDEX) {
		/* Queues for every WQ, and the engine, before any write. */
		for (i = 0; i < dsa_cfg.dev[d->dev].nwqs; i++)
			if (dsa_lwq_get(d->dev, i) == NULL)
				return (errno = ENOMEM, MAP_FAILED);
		if (dsa_engine_start() < 0)
			return (errno = ENOMEM, MAP_FAILED);
	}
	for (i = 0; i < MAP_POOL; i++) {
		uint32_t z = 0;

		if (__atomic_compare_exchange_n(&bar_maps[i].used, &z, 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			m = &bar_maps[i];
			break;
		}
	}
	if (m == NULL)
		return (errno = ENOMEM, MAP_FAILED);
	p = sim_raw_mmap(addr, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)),
			 -1, 0);
	if ((unsigned long)p > -4096UL) {
		__atomic_store_n(&m->used, 0, __ATOMIC_RELEASE);
		errno = -(int)(long)p;
		return MAP_FAILED;
	}
	madvise(p, len, MADV_DONTFORK);
	m->dev = d->dev;
	m->bar = (unsigned int)region;
	m->start = (uintptr_t)p;
	m->base = roff;
	if (sim_trap_register(p, len, region == 0 ? &bar0_ops : &bar2_ops, m) < 0) {
		sim_raw_munmap(p, len);
		__atomic_store_n(&m->used, 0, __ATOMIC_RELEASE);
		return (errno = ENOMEM, MAP_FAILED);
	}
	return p;
}

/* VFIO_DEVICE_RESET: a function-level reset, config space kept. */
static void
device_reset(unsigned int dev)
{
	unsigned int i;

	dsa_lock(dev);
	if (dsa_hw_gensts(dev) == DSA_GENSTS_ENABLED)
		dsa_hw_command(dev, (uint32_t)DSA_CMD_RESET_DEVICE << DSA_CMD_SHIFT);
	for (i = 0; i < DSA_MAX_WQS; i++)
		__atomic_add_fetch(&dsa_shm->dev[dev].wq[i].abort_gen, 1, __ATOMIC_SEQ_CST);
	dsa_hw_init(dev);
	dsa_unlock(dev);
	dsa_engine_kick();
}

static int
region_info(unsigned int dev, struct vfio_region_info *ri)
{
	uint32_t argsz = ri->argsz;

	if (argsz < offsetof(struct vfio_region_info, offset) + 8)
		return fail(EINVAL);
	ri->flags = 0;
	ri->cap_offset = 0;
	ri->size = 0;
	ri->offset = (uint64_t)ri->index << REGION_SHIFT;
	switch (ri->index) {
	case VFIO_PCI_BAR0_REGION_INDEX: {
		struct vfio_region_info_cap_type *unused;
		struct vfio_info_cap_header *h;
		uint32_t need = sizeof(*ri) + sizeof(*h);

		(void)unused;
		ri->size = DSA_BAR0_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			    VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
		/* The MSI-X table may be mapped with the rest of the BAR. */
		if (argsz < need) {
			ri->argsz = need;
			return 0;
		}
		h = (struct vfio_info_cap_header *)((uint8_t *)ri + sizeof(*ri));
		h->id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
		h->version = 1;
		h->next = 0;
		ri->cap_offset = sizeof(*ri);
		return 0;
	}
	case VFIO_PCI_BAR2_REGION_INDEX:
		ri->size = bar2_size(dev);
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			    VFIO_REGION_INFO_FLAG_MMAP;
		return 0;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ri->size = CFG_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	default:
		if (ri->index >= VFIO_PCI_NUM_REGIONS)
			return fail(EINVAL);
		return 0;
	}
}

static int
dev_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct vfio_dev *d = priv;

	(void)fd;
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;

		if (info->argsz < offsetof(struct vfio_device_info, num_irqs) + 4)
			return fail(EINVAL);
		info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info->num_regions = VFIO_PCI_NUM_REGIONS;
		info->num_irqs = NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(d->dev, arg);
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *irq = arg;

		if (irq->argsz < sizeof(*irq) || irq->index >= NUM_IRQS)
			return fail(EINVAL);
		irq->flags = 0;
		irq->count = 0;
		if (irq->index == VFIO_PCI_MSIX_IRQ_INDEX) {
			irq->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
			irq->count = DSA_MSIX_VECTORS;
		} else if (irq->index == VFIO_PCI_ERR_IRQ_INDEX ||
			   irq->index == VFIO_PCI_REQ_IRQ_INDEX) {
			irq->flags = VFIO_IRQ_INFO_EVENTFD;
			irq->count = 1;
		}
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		const struct vfio_irq_set *set = arg;

		/* Accepted; the model raises no interrupt (drivers poll). */
		if (set->argsz < sizeof(*set) || set->index >= NUM_IRQS)
			return fail(EINVAL);
		if (set->index == VFIO_PCI_MSIX_IRQ_INDEX &&
		    set->start + set->count > DSA_MSIX_VECTORS)
			return fail(EINVAL);
		return 0;
	}
	case VFIO_DEVICE_RESET:
		device_reset(d->dev);
		return 0;
	default:
		return fail(ENOTTY);
	}
}

static const struct sim_fd_ops device_ops = {
	.mmap = dev_mmap,
	.read = dev_read,
	.pread = dev_pread,
	.pwrite = dev_pwrite,
	.ioctl = dev_ioctl,
	.free = free,
};

static int
group_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct vfio_group *g = priv;
	char bdf[32];

	(void)fd;
	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *st = arg;

		if (st->argsz < sizeof(*st))
			return fail(EINVAL);
		st->flags = VFIO_GROUP_FLAGS_VIABLE |
			    (g->container != NULL ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER: {
		int cfd = *(const int *)arg;
		struct sim_fd *f = sim_fd_get(cfd);

		if (g->container != NULL) {
			if (f != NULL)
				sim_fd_put(f);
			return fail(EINVAL);
		}
		if (f == NULL || sim_fd_ops(f) != &container_ops) {
			if (f != NULL)
				sim_fd_put(f);
			return fail(EBADF);
		}
		g->container = sim_fd_priv(f);
		g->container->ngroups++;
		g->container_ref = f;
		return 0;
	}
	case VFIO_GROUP_UNSET_CONTAINER:
		if (g->container == NULL)
			return fail(EINVAL);
		g->container->ngroups--;
		g->container = NULL;
		sim_fd_put(g->container_ref);
		g->container_ref = NULL;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD: {
		const char *name = arg;
		struct vfio_dev *d;
		size_t n;
		int efd, r;

		dsa_pci_name(g->dev, bdf, sizeof(bdf));
		n = strlen(bdf);
		/* "BDF" or "BDF vf_token=UUID". */
		if (strncmp(name, bdf, n) != 0 || (name[n] != '\0' && name[n] != ' '))
			return fail(EINVAL);
		if (g->container == NULL || g->container->type == 0)
			return fail(EINVAL);
		d = calloc(1, sizeof(*d));
		efd = eventfd(0, EFD_CLOEXEC);
		if (d == NULL || efd < 0) {
			free(d);
			if (efd >= 0)
				sim_real_close(efd);
			return fail(ENOMEM);
		}
		d->dev = g->dev;
		r = sim_fd_install(efd, &device_ops, d);
		if (r < 0) {
			free(d);
			sim_real_close(efd);
			return fail(-r);
		}
		return efd;
	}
	default:
		return fail(ENOTTY);
	}
}

static void
group_close(void *priv, int fd)
{
	struct vfio_group *g = priv;

	(void)fd;
	if (g->container != NULL) {
		g->container->ngroups--;
		g->container = NULL;
		sim_fd_put(g->container_ref);
		g->container_ref = NULL;
	}
	dsa_lock(g->dev);
	dsa_shm->dev[g->dev].vfio_pid = 0;
	dsa_unlock(g->dev);
}

static const struct sim_fd_ops group_ops = {
	.ioctl = group_ioctl,
	.close = group_close,
	.free = free,
};

/* /dev/vfio/vfio and /dev/vfio/N */
static int
vfio_open_hook(int fd, const char *path, int flags)
{
	unsigned int n, dev;
	int pos = 0, r, efd;
	struct dsa_shm_dev *sd;

	if (flags & O_PATH)
		return fd;
	if (strcmp(path, "/dev/vfio/vfio") == 0) {
		struct vfio_container *c = calloc(1, sizeof(*c));

		sim_real_close(fd);
		efd = eventfd(0, EFD_CLOEXEC);
		if (c == NULL || efd < 0) {
			free(c);
			return -ENOMEM;
		}
		r = sim_fd_install(efd, &container_ops, c);
		if (r < 0) {
			free(c);
			sim_real_close(efd);
			return r;
		}
		return efd;
	}
	if (sscanf(path, "/dev/vfio/%u%n", &n, &pos) != 1 || path[pos] != '\0')
		return fd;
	sim_real_close(fd);
	for (dev = 0; dev < dsa_cfg.ndev; dev++)
		if (dsa_cfg.dev[dev].vfio && dsa_cfg.dev[dev].iommu_group == n)
			break;
	if (dev == dsa_cfg.ndev)
		return -ENOENT;
	sd = &dsa_shm->dev[dev];
	/* A group has one user at a time. */
	dsa_lock(dev);
	if (sd->vfio_pid != 0 && sd->vfio_pid != (int32_t)getpid() &&
	    !(kill(sd->vfio_pid, 0) < 0 && errno == ESRCH)) {
		dsa_unlock(dev);
		return -EBUSY;
	}
	sd->vfio_pid = (int32_t)getpid();
	dsa_unlock(dev);
	{
		struct vfio_group *g = calloc(1, sizeof(*g));

		efd = eventfd(0, EFD_CLOEXEC);
		if (g == NULL || efd < 0) {
			free(g);
			if (efd >= 0)
				sim_real_close(efd);
			return -ENOMEM;
		}
		g->dev = dev;
		r = sim_fd_install(efd, &group_ops, g);
		if (r < 0) {
			free(g);
			sim_real_close(efd);
			return r;
		}
	}
	return efd;
}

/* sysfs files need no semantics beyond the DSA hooks. */
static int
plain_hook(int fd, const char *path, int flags)
{
	return dsa_sysfs_open_hook(fd, path, flags);
}

int
dsa_vfio_setup(void)
{
	int err;

	if (!any_vfio())
		return 0;
	/* The whole PCI bus view: only modelled functions are visible, so
	 * no test can reach the machine's real devices.
	 */
	err = sim_vfs_register("/sys/bus/pci", false, plain_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/kernel/iommu_groups", false, plain_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/module/vfio", false, plain_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/module/vfio_pci", false, plain_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/module/vfio_iommu_type1", false, plain_hook);
	if (err == 0)
		err = sim_vfs_register("/dev/vfio", false, vfio_open_hook);
	return err;
}

int
dsa_vfio_build(void)
{
	char p[320], pdir[160], bdf[32], link[320];
	unsigned int dev;
	int err;

	if (!any_vfio())
		return 0;
	dsa_mkdir("/sys/bus/pci/devices");
	dsa_mkdir("/sys/bus/pci/drivers/vfio-pci");
	dsa_put("/sys/bus/pci/drivers/vfio-pci/bind", 0200, "%s", "");
	dsa_put("/sys/bus/pci/drivers/vfio-pci/unbind", 0200, "%s", "");
	dsa_put("/sys/bus/pci/drivers/vfio-pci/new_id", 0200, "%s", "");
	dsa_put("/sys/bus/pci/drivers/vfio-pci/remove_id", 0200, "%s", "");
	dsa_put("/sys/bus/pci/drivers_autoprobe", 0644, "1\n");
	dsa_mkdir("/sys/module/vfio/parameters");
	dsa_put("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", 0644, "N\n");
	dsa_mkdir("/sys/module/vfio_iommu_type1/parameters");
	dsa_put("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", 0644, "N\n");
	/* Linux refuses DSA in vfio-pci unless the denylist is off. */
	dsa_mkdir("/sys/module/vfio_pci/parameters");
	dsa_put("/sys/module/vfio_pci/parameters/disable_denylist", 0444, "Y\n");
	dsa_mkdir("/dev/vfio");
	dsa_put("/dev/vfio/vfio", 0666, "%s", "");
	for (dev = 0; dev < dsa_cfg.ndev; dev++) {
		const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
		uint64_t b0 = bar_phys(dev, 0), b2 = bar_phys(dev, 2);
		unsigned int i;
		size_t n = 0;
		char res[1024];

		if (!s->vfio)
			continue;
		dsa_pci_dir(dev, pdir, sizeof(pdir));
		dsa_pci_name(dev, bdf, sizeof(bdf));
		/* resource: start end flags, one line per resource. */
		for (i = 0; i < 13; i++) {
			uint64_t a = i == 0 ? b0 : i == 2 ? b2 : 0;
			uint64_t sz = i == 0 ? DSA_BAR0_SIZE : i == 2 ? bar2_size(dev) : 0;

			n += (size_t)snprintf(res + n, sizeof(res) - n,
					      "0x%016llx 0x%016llx 0x%016llx\n",
					      (unsigned long long)a,
					      (unsigned long long)(sz ? a + sz - 1 : 0),
					      (unsigned long long)(sz ? 0x140204 : 0));
		}
		snprintf(p, sizeof(p), "%s/resource", pdir);
		dsa_put(p, 0444, "%s", res);
		snprintf(p, sizeof(p), "%s/driver", pdir);
		dsa_link(p, "/sys/bus/pci/drivers/vfio-pci");
		snprintf(p, sizeof(p), "%s/subsystem", pdir);
		dsa_link(p, "/sys/bus/pci");
		snprintf(link, sizeof(link), "/sys/kernel/iommu_groups/%u", s->iommu_group);
		snprintf(p, sizeof(p), "%s/devices", link);
		dsa_mkdir(p);
		snprintf(p, sizeof(p), "%s/iommu_group", pdir);
		dsa_link(p, link);
		snprintf(p, sizeof(p), "%s/devices/%s", link, bdf);
		dsa_link(p, pdir);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s", bdf);
		dsa_link(p, pdir);
		snprintf(p, sizeof(p), "/sys/bus/pci/drivers/vfio-pci/%s", bdf);
		dsa_link(p, pdir);
		snprintf(p, sizeof(p), "/dev/vfio/%u", s->iommu_group);
		err = dsa_put(p, 0600, "%s", "");
		if (err < 0)
			return err;
		/* Power-on: disabled, no configuration (the driver's job). */
		dsa_shm->dev[dev].pci_command = 0;
	}
	return 0;
}
