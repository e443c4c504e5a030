/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfio-pci backend: the PMD owns the whole DSA function. It programs groups,
 * engines and work queues through BAR0 (DSA spec §9.2), enables the device,
 * and submits through each WQ's unlimited MSI-X portal in BAR2. Every WQ is
 * dedicated, without PASID: jobs carry IO virtual addresses.
 *
 * Layout chosen: as many groups as there are engines, groups and WQs in use
 * allow; engine e and WQ w go to group e (resp. w) modulo that number; the
 * WQ space is shared out equally.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <rte_cycles.h>
#include <rte_devargs.h>
#include <rte_io.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "idxd_devargs.h"
#include "idxd_internal.h"

#define IDXD_PCI_DRIVER_NAME dmadev_idxd_pci
#define IDXD_PCI_MAX_WQS     256
#define IDXD_CMD_TIMEOUT_MS  1000

/* One PCI function, shared by the dmadevs of its WQs. */
struct idxd_pci {
	TAILQ_ENTRY(idxd_pci) next;
	struct rte_pci_device *pdev;
	uint8_t *bar0;
	uint8_t *bar2;
	uint8_t *grpcfg;
	uint8_t *wqcfg;
	uint32_t wqcfg_stride;
	uint64_t gencap;
	unsigned int nb_wqs;          /* WQs set up and given a dmadev */
	unsigned int nb_open;         /* of those, not closed */
	rte_spinlock_t cmd_lock;
	struct {
		struct idxd_dev *dev;     /* NULL once closed */
		bool enabled;
		char name[RTE_DEV_NAME_MAX_LEN];
	} wq[IDXD_PCI_MAX_WQS];
};

TAILQ_HEAD(idxd_pci_list, idxd_pci);
static struct idxd_pci_list idxd_pci_devices = TAILQ_HEAD_INITIALIZER(idxd_pci_devices);

/* The dmadev's view of its WQ. */
struct idxd_pci_wq {
	struct idxd_pci *pci;
	unsigned int idx;
};

static inline uint32_t
idxd_reg32(const struct idxd_pci *p, uint32_t off)
{
	return rte_read32(p->bar0 + off);
}

static inline uint64_t
idxd_reg64(const struct idxd_pci *p, uint32_t off)
{
	return rte_read64(p->bar0 + off);
}

static inline uint32_t *
idxd_wqcfg(const struct idxd_pci *p, unsigned int wq, unsigned int word)
{
	return (uint32_t *)(p->wqcfg + wq * p->wqcfg_stride + word * 4);
}

static const char *
idxd_cmd_error_name(uint32_t err)
{
	switch (err) {
	case 0x01: return "unsupported command";
	case 0x02: return "invalid WQ index";
	case 0x03: return "internal hardware error";
	case 0x04: return "non-zero reserved field";
	case 0x05: return "device halted";
	case 0x10: return "device not disabled";
	case 0x11: return "configuration error";
	case 0x12: return "bus master enable is 0";
	case 0x13: return "PRS allocation error";
	case 0x14: return "sum of WQ sizes out of range";
	case 0x15: case 0x16: case 0x17: return "invalid group configuration";
	case 0x18: return "invalid read buffer or bandwidth configuration";
	case 0x20: return "device not enabled";
	case 0x21: return "WQ not disabled";
	case 0x22: return "WQ size is 0";
	case 0x23: return "WQ priority is 0";
	case 0x24: return "WQ mode not supported";
	case 0x25: return "block on fault not allowed";
	case 0x26: return "invalid WQ PASID enable";
	case 0x27: return "invalid max batch size";
	case 0x28: return "invalid max transfer size";
	case 0x31: return "device not enabled";
	case 0x32: return "a WQ in the bitmap is not enabled";
	default: return "unknown error";
	}
}

static const char *
idxd_cmd_name(uint32_t cmd)
{
	switch (cmd) {
	case IDXD_CMD_ENABLE_DEVICE: return "Enable Device";
	case IDXD_CMD_DISABLE_DEVICE: return "Disable Device";
	case IDXD_CMD_RESET_DEVICE: return "Reset Device";
	case IDXD_CMD_ENABLE_WQ: return "Enable WQ";
	case IDXD_CMD_DISABLE_WQ: return "Disable WQ";
	case IDXD_CMD_ABORT_WQ: return "Abort WQ";
	default: return "command";
	}
}

/*
 * Run one administrative command and wait (bounded) for it. Returns 0, -EIO
 * with the CMDSTATUS error logged, or -ETIMEDOUT.
 */
static int
idxd_pci_cmd(struct idxd_pci *p, uint32_t cmd, uint32_t operand)
{
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * IDXD_CMD_TIMEOUT_MS / 1000;
	uint32_t sts;

	rte_spinlock_lock(&p->cmd_lock);
	/* A command written while one is active is dropped (SWERROR 0x52). */
	while ((sts = idxd_reg32(p, IDXD_REG_CMDSTATUS)) & IDXD_CMDSTS_ACTIVE) {
		if (rte_get_timer_cycles() > deadline)
			goto timeout;
		rte_delay_us_sleep(10);
	}
	rte_write32((cmd << IDXD_CMD_SHIFT) | operand, p->bar0 + IDXD_REG_CMD);
	while ((sts = idxd_reg32(p, IDXD_REG_CMDSTATUS)) & IDXD_CMDSTS_ACTIVE) {
		if (rte_get_timer_cycles() > deadline)
			goto timeout;
		rte_delay_us_sleep(10);
	}
	rte_spinlock_unlock(&p->cmd_lock);
	if (IDXD_CMDSTS_ERR(sts) != 0) {
		IDXD_LOG(ERR, "%s: %s (operand %#x) failed: status %#x, %s",
			 p->pdev->name, idxd_cmd_name(cmd), operand, IDXD_CMDSTS_ERR(sts),
			 idxd_cmd_error_name(IDXD_CMDSTS_ERR(sts)));
		return -EIO;
	}
	return 0;
timeout:
	rte_spinlock_unlock(&p->cmd_lock);
	IDXD_LOG(ERR, "%s: %s (operand %#x) did not complete in %u ms",
		 p->pdev->name, idxd_cmd_name(cmd), operand, IDXD_CMD_TIMEOUT_MS);
	return -ETIMEDOUT;
}

static unsigned int
idxd_pci_dev_state(const struct idxd_pci *p)
{
	return IDXD_GENSTS_STATE(idxd_reg32(p, IDXD_REG_GENSTS));
}

static unsigned int
idxd_pci_wq_state(const struct idxd_pci *p, unsigned int wq)
{
	return IDXD_WQSTATE(rte_read32(idxd_wqcfg(p, wq, IDXD_WQCFG_STATE)));
}

/* ---- backend ops ---- */

static int
idxd_pci_start(struct idxd_dev *dev)
{
	struct idxd_pci_wq *w = dev->backend_priv;
	struct idxd_pci *p = w->pci;
	int ret;

	if (idxd_pci_wq_state(p, w->idx) == IDXD_WQ_ENABLED)
		return 0;
	ret = idxd_pci_cmd(p, IDXD_CMD_ENABLE_WQ, w->idx);
	if (ret < 0)
		return ret;
	if (idxd_pci_wq_state(p, w->idx) != IDXD_WQ_ENABLED) {
		IDXD_LOG(ERR, "%s: WQ %u not enabled after Enable WQ", p->pdev->name, w->idx);
		return -EIO;
	}
	p->wq[w->idx].enabled = true;
	return 0;
}

static int
idxd_pci_stop(struct idxd_dev *dev, bool drained)
{
	struct idxd_pci_wq *w = dev->backend_priv;
	struct idxd_pci *p = w->pci;

	if (!p->wq[w->idx].enabled)
		return 0;
	/* Jobs that would not complete: abandon them before disabling. */
	if (!drained)
		idxd_pci_cmd(p, IDXD_CMD_ABORT_WQ, IDXD_CMD_WQ_BITMAP(w->idx));
	p->wq[w->idx].enabled = false;
	return idxd_pci_cmd(p, IDXD_CMD_DISABLE_WQ, IDXD_CMD_WQ_BITMAP(w->idx));
}

static void
idxd_pci_close(struct idxd_dev *dev)
{
	struct idxd_pci_wq *w = dev->backend_priv;
	struct idxd_pci *p;

	if (w == NULL)
		return;
	p = w->pci;
	if (p->wq[w->idx].enabled)
		idxd_pci_stop(dev, true);
	p->wq[w->idx].dev = NULL;
	if (--p->nb_open == 0 && idxd_pci_dev_state(p) == IDXD_DEV_ENABLED)
		idxd_pci_cmd(p, IDXD_CMD_DISABLE_DEVICE, 0);
	free(w);
	dev->backend_priv = NULL;
}

static bool
idxd_pci_halted(const struct idxd_dev *dev)
{
	const struct idxd_pci_wq *w = dev->backend_priv;

	if (w == NULL)
		return false;
	if (idxd_pci_dev_state(w->pci) == IDXD_DEV_HALTED)
		return true;
	return w->pci->wq[w->idx].enabled &&
	       idxd_pci_wq_state(w->pci, w->idx) != IDXD_WQ_ENABLED;
}

static void
idxd_pci_dump(const struct idxd_dev *dev, FILE *f)
{
	const struct idxd_pci_wq *w = dev->backend_priv;
	const struct idxd_pci *p = w->pci;
	uint64_t swerr = idxd_reg64(p, IDXD_REG_SWERROR);

	fprintf(f, "  %s WQ %u: device state %u, WQ state %u, occupancy %u, GENCAP %#" PRIx64 "\n",
		p->pdev->name, w->idx, idxd_pci_dev_state(p), idxd_pci_wq_state(p, w->idx),
		rte_read32(idxd_wqcfg(p, w->idx, IDXD_WQCFG_STATE)) & 0xffff, p->gencap);
	if (swerr & IDXD_SWERR_VALID)
		fprintf(f, "  SWERROR: code %#x on WQ %u\n", (unsigned int)IDXD_SWERR_CODE(swerr),
			(unsigned int)IDXD_SWERR_WQ(swerr));
}

static const struct idxd_backend idxd_pci_backend = {
	.name = "vfio-pci",
	.sva = false,
	.start = idxd_pci_start,
	.stop = idxd_pci_stop,
	.close = idxd_pci_close,
	.halted = idxd_pci_halted,
	.dump = idxd_pci_dump,
};

/* ---- device set-up ---- */

/*
 * Put the device in the disabled state with a configuration of nb_wqs
 * dedicated WQs, then enable it. Fills *wq_info with what each WQ allows.
 */
static int
idxd_pci_configure(struct idxd_pci *p, unsigned int max_queues,
		   struct idxd_wq_info *wq_info)
{
	const char *name = p->pdev->name;
	uint64_t wqcap, grpcap, engcap, offsets;
	unsigned int nb_groups, nb_engines, hw_wqs, total, nb_wqs, nb_used, i;
	unsigned int xfer_shift, batch_shift;
	uint64_t bar0_len;
	int ret;

	p->gencap = idxd_reg64(p, IDXD_REG_GENCAP);
	wqcap = idxd_reg64(p, IDXD_REG_WQCAP);
	grpcap = idxd_reg64(p, IDXD_REG_GRPCAP);
	engcap = idxd_reg64(p, IDXD_REG_ENGCAP);
	offsets = idxd_reg64(p, IDXD_REG_OFFSETS);

	if (!(p->gencap & IDXD_GENCAP_CONFIGURABLE)) {
		IDXD_LOG(ERR, "%s: the device does not allow configuration (GENCAP bit 31 clear)",
			 name);
		return -ENOTSUP;
	}
	if (!(wqcap & IDXD_WQCAP_DEDICATED)) {
		IDXD_LOG(ERR, "%s: the device has no dedicated WQ mode", name);
		return -ENOTSUP;
	}
	nb_groups = IDXD_GRPCAP_NUM_GROUPS(grpcap);
	nb_engines = IDXD_ENGCAP_NUM_ENGINES(engcap);
	hw_wqs = IDXD_WQCAP_NUM_WQS(wqcap);
	total = IDXD_WQCAP_TOTAL_SIZE(wqcap);
	xfer_shift = IDXD_GENCAP_MAX_XFER_SHIFT(p->gencap);
	batch_shift = IDXD_GENCAP_MAX_BATCH_SHIFT(p->gencap);
	if (nb_groups == 0 || nb_engines == 0 || hw_wqs == 0 || total == 0 ||
	    IDXD_OFFSETS_GRPCFG(offsets) == 0 || IDXD_OFFSETS_WQCFG(offsets) == 0) {
		IDXD_LOG(ERR, "%s: capabilities make no usable device: %u groups, %u engines, %u WQs of total size %u",
			 name, nb_groups, nb_engines, hw_wqs, total);
		return -ENODEV;
	}
	p->grpcfg = p->bar0 + IDXD_OFFSETS_GRPCFG(offsets) * IDXD_OFFSETS_UNIT;
	p->wqcfg = p->bar0 + IDXD_OFFSETS_WQCFG(offsets) * IDXD_OFFSETS_UNIT;
	p->wqcfg_stride = 32u << IDXD_WQCAP_WQCFG_SIZE_CODE(wqcap);
	bar0_len = p->pdev->mem_resource[0].len;
	if ((p->wqcfg - p->bar0) + (size_t)hw_wqs * p->wqcfg_stride > bar0_len ||
	    (p->grpcfg - p->bar0) + (size_t)nb_groups * IDXD_GRPCFG_STRIDE > bar0_len) {
		IDXD_LOG(ERR, "%s: configuration tables lie beyond BAR0", name);
		return -ENODEV;
	}

	nb_wqs = RTE_MIN(hw_wqs, (unsigned int)IDXD_PCI_MAX_WQS);
	if (max_queues != 0)
		nb_wqs = RTE_MIN(nb_wqs, max_queues);
	nb_wqs = RTE_MIN(nb_wqs, total);
	if (p->pdev->mem_resource[2].len < (uint64_t)nb_wqs * IDXD_WQ_PORTAL_STRIDE) {
		IDXD_LOG(ERR, "%s: BAR2 too small for %u WQ portals", name, nb_wqs);
		return -ENODEV;
	}
	nb_used = RTE_MIN(RTE_MIN(nb_groups, nb_engines), nb_wqs);

	/* Start from a disabled device: one left enabled or halted by a
	 * previous user is reset to its power-on configuration.
	 */
	if (idxd_pci_dev_state(p) != IDXD_DEV_DISABLED) {
		IDXD_LOG(INFO, "%s: device not disabled (state %u): resetting it",
			 name, idxd_pci_dev_state(p));
		ret = idxd_pci_cmd(p, IDXD_CMD_RESET_DEVICE, 0);
		if (ret < 0)
			return ret;
		if (idxd_pci_dev_state(p) != IDXD_DEV_DISABLED) {
			IDXD_LOG(ERR, "%s: still not disabled after Reset Device", name);
			return -EIO;
		}
	}

	for (i = 0; i < nb_groups; i++) {
		uint8_t *g = p->grpcfg + i * IDXD_GRPCFG_STRIDE;
		unsigned int q;

		for (q = 0; q < 4; q++)
			rte_write64(0, g + IDXD_GRPCFG_WQS + q * 8);
		rte_write64(0, g + IDXD_GRPCFG_ENGINES);
		rte_write32(0, g + IDXD_GRPCFG_FLAGS);
	}
	for (i = 0; i < hw_wqs; i++)
		rte_write32(0, idxd_wqcfg(p, i, IDXD_WQCFG_SIZE));

	for (i = 0; i < nb_engines; i++) {
		uint8_t *g = p->grpcfg + (i % nb_used) * IDXD_GRPCFG_STRIDE;

		rte_write64(rte_read64(g + IDXD_GRPCFG_ENGINES) | (1ull << i),
			    g + IDXD_GRPCFG_ENGINES);
	}
	for (i = 0; i < nb_used; i++)
		rte_write32(IDXD_GRPFLAGS_TC_A(1) | IDXD_GRPFLAGS_TC_B(1),
			    p->grpcfg + i * IDXD_GRPCFG_STRIDE + IDXD_GRPCFG_FLAGS);
	for (i = 0; i < nb_wqs; i++) {
		uint8_t *g = p->grpcfg + (i % nb_used) * IDXD_GRPCFG_STRIDE +
			     IDXD_GRPCFG_WQS + (i / 64) * 8;

		rte_write64(rte_read64(g) | (1ull << (i % 64)), g);
		rte_write32(total / nb_wqs, idxd_wqcfg(p, i, IDXD_WQCFG_SIZE));
		rte_write32(0, idxd_wqcfg(p, i, IDXD_WQCFG_THRESHOLD));
		rte_write32(IDXD_WQMODE_DEDICATED | IDXD_WQMODE_PRIORITY(1),
			    idxd_wqcfg(p, i, IDXD_WQCFG_MODE));
		rte_write32(IDXD_WQLIMITS(xfer_shift, batch_shift),
			    idxd_wqcfg(p, i, IDXD_WQCFG_LIMITS));
	}

	ret = idxd_pci_cmd(p, IDXD_CMD_ENABLE_DEVICE, 0);
	if (ret < 0)
		return ret;
	if (idxd_pci_dev_state(p) != IDXD_DEV_ENABLED) {
		IDXD_LOG(ERR, "%s: device not enabled after Enable Device", name);
		return -EIO;
	}

	memset(wq_info, 0, sizeof(*wq_info));
	wq_info->shared = false;
	wq_info->cache_control = (p->gencap & IDXD_GENCAP_CACHE_CONTROL) != 0;
	wq_info->size = total / nb_wqs;
	wq_info->max_batch = 1u << batch_shift;
	wq_info->max_xfer = 1ull << xfer_shift;
	p->nb_wqs = nb_wqs;
	IDXD_LOG(INFO, "%s: DSA version %#x: %u WQs of %u entries in %u groups, %u engines",
		 name, idxd_reg32(p, IDXD_REG_VERSION), nb_wqs, total / nb_wqs, nb_used,
		 nb_engines);
	return 0;
}

static int idxd_pci_remove(struct rte_pci_device *pdev);

static int
idxd_pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pdev)
{
	struct idxd_pci_args args;
	struct idxd_wq_info info;
	struct idxd_pci *p;
	char err[160];
	unsigned int i;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IDXD_LOG(ERR, "%s: secondary processes cannot share a DSA function",
			 pdev->name);
		return -ENOTSUP;
	}
	ret = idxd_parse_pci_args(pdev->device.devargs != NULL ?
				  pdev->device.devargs->args : NULL, &args, err, sizeof(err));
	if (ret < 0) {
		IDXD_LOG(ERR, "%s: %s", pdev->name, err);
		return ret;
	}
	if (pdev->mem_resource[0].addr == NULL || pdev->mem_resource[2].addr == NULL) {
		IDXD_LOG(ERR, "%s: BAR0 or BAR2 not mapped (bind the function to vfio-pci)",
			 pdev->name);
		return -ENODEV;
	}
	p = rte_zmalloc_socket("idxd_pci", sizeof(*p), 0, pdev->device.numa_node);
	if (p == NULL)
		return -ENOMEM;
	p->pdev = pdev;
	p->bar0 = pdev->mem_resource[0].addr;
	p->bar2 = pdev->mem_resource[2].addr;
	rte_spinlock_init(&p->cmd_lock);

	ret = idxd_pci_configure(p, args.max_queues, &info);
	if (ret < 0) {
		rte_free(p);
		return ret;
	}
	TAILQ_INSERT_TAIL(&idxd_pci_devices, p, next);
	for (i = 0; i < p->nb_wqs; i++) {
		struct idxd_pci_wq *w = calloc(1, sizeof(*w));

		if (w == NULL) {
			ret = -ENOMEM;
			break;
		}
		w->pci = p;
		w->idx = i;
		snprintf(p->wq[i].name, sizeof(p->wq[i].name), "%s-q%u", pdev->name, i);
		ret = idxd_dmadev_create(p->wq[i].name, &pdev->device, pdev->device.numa_node,
					 &idxd_pci_backend, w, &info,
					 p->bar2 + i * IDXD_WQ_PORTAL_STRIDE, &p->wq[i].dev);
		if (ret < 0) {
			free(w);
			break;
		}
		p->nb_open++;
	}
	if (ret < 0) {
		idxd_pci_remove(pdev);
		return ret;
	}
	return 0;
}

static int
idxd_pci_remove(struct rte_pci_device *pdev)
{
	struct idxd_pci *p;
	unsigned int i;
	int ret = 0;

	TAILQ_FOREACH(p, &idxd_pci_devices, next)
		if (p->pdev == pdev)
			break;
	if (p == NULL)
		return 0;
	for (i = 0; i < p->nb_wqs; i++) {
		/* The application may have closed it already. */
		if (p->wq[i].dev == NULL || rte_dma_get_dev_id_by_name(p->wq[i].name) < 0)
			continue;
		if (idxd_dmadev_destroy(p->wq[i].dev) < 0)
			ret = -EBUSY;
	}
	if (ret < 0)
		return ret;
	if (idxd_pci_dev_state(p) == IDXD_DEV_ENABLED)
		idxd_pci_cmd(p, IDXD_CMD_DISABLE_DEVICE, 0);
	TAILQ_REMOVE(&idxd_pci_devices, p, next);
	rte_free(p);
	return 0;
}

static const struct rte_pci_id idxd_pci_ids[] = {
	{ RTE_PCI_DEVICE(IDXD_PCI_VENDOR_INTEL, IDXD_PCI_DEVICE_DSA_SPR) },
	{ RTE_PCI_DEVICE(IDXD_PCI_VENDOR_INTEL, IDXD_PCI_DEVICE_DSA_GNRD) },
	{ RTE_PCI_DEVICE(IDXD_PCI_VENDOR_INTEL, IDXD_PCI_DEVICE_DSA_DMR) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver idxd_pci_driver = {
	.id_table = idxd_pci_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
	.probe = idxd_pci_probe,
	.remove = idxd_pci_remove,
};

RTE_PMD_REGISTER_PCI(IDXD_PCI_DRIVER_NAME, idxd_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(IDXD_PCI_DRIVER_NAME, idxd_pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(IDXD_PCI_DRIVER_NAME, "vfio-pci");
RTE_PMD_REGISTER_PARAM_STRING(IDXD_PCI_DRIVER_NAME, IDXD_ARG_MAX_QUEUES "=<0..255>");
