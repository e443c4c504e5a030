/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DSA device: its register file and administrative commands.
 *
 * Everything a driver can see in BAR0 (spec 9.2) lives in one image per
 * device in shared memory: capabilities, GENCFG/GENCTRL/GENSTS, CMD and
 * CMDSTATUS, SWERROR, the GRPCFG and WQCFG tables. Software changes it only
 * through dsa_hw_write(), which applies the spec's rules (configuration is
 * writable only while the device or the WQ is disabled, RW1C bits) and runs
 * commands synchronously: CMDSTATUS.Active is never seen set, which is what
 * drivers that poll only briefly need (reference section 9, fact 9).
 *
 * Callers hold the device lock. Enable WQ copies the WQ's configuration into
 * the hw_* fields that the lock-free submission path and the engines read.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dsa_model.h"

void (*dsa_hw_swerr_hook)(unsigned int dev);

/* Commands wait this long for descriptors to finish (drain, disable). */
#define DSA_DRAIN_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)

static inline uint8_t *
bar(unsigned int dev)
{
	return dsa_shm->dev[dev].bar0;
}

static inline uint32_t
rd32(unsigned int dev, uint32_t off)
{
	uint32_t v;

	memcpy(&v, bar(dev) + off, 4);
	return v;
}

static inline uint64_t
rd64(unsigned int dev, uint32_t off)
{
	uint64_t v;

	memcpy(&v, bar(dev) + off, 8);
	return v;
}

static inline void
wr32(unsigned int dev, uint32_t off, uint32_t v)
{
	memcpy(bar(dev) + off, &v, 4);
}

static inline void
wr64(unsigned int dev, uint32_t off, uint64_t v)
{
	memcpy(bar(dev) + off, &v, 8);
}

uint32_t
dsa_hw_wqcfg_offset(unsigned int dev)
{
	unsigned int ng = dsa_cfg.dev[dev].ngroups;

	return DSA_GRPCFG_OFFSET + ((ng * DSA_GRPCFG_SIZE + 0xffu) & ~0xffu);
}

static uint32_t
grpcfg_off(unsigned int dev, unsigned int g)
{
	(void)dev;
	return DSA_GRPCFG_OFFSET + g * DSA_GRPCFG_SIZE;
}

static uint32_t
wqcfg_off(unsigned int dev, unsigned int wq, unsigned int dw)
{
	return dsa_hw_wqcfg_offset(dev) + wq * DSA_WQCFG_SIZE + dw * 4;
}

uint32_t
dsa_hw_wqcfg(unsigned int dev, unsigned int wq, unsigned int dw)
{
	return rd32(dev, wqcfg_off(dev, wq, dw));
}

void
dsa_hw_set_wqcfg(unsigned int dev, unsigned int wq, unsigned int dw, uint32_t v)
{
	wr32(dev, wqcfg_off(dev, wq, dw), v);
}

uint64_t
dsa_hw_gencap(unsigned int dev)
{
	return rd64(dev, DSA_REG_GENCAP);
}

uint32_t
dsa_hw_gensts(unsigned int dev)
{
	return rd32(dev, DSA_REG_GENSTS) & 3;
}

void
dsa_hw_init(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	uint64_t gencap, wqcap, opcap0;
	unsigned int i;

	memset(bar(dev), 0, DSA_BAR0_IMAGE);
	wr32(dev, DSA_REG_VERSION, 0x100);
	/* What a Sapphire Rapids DSA reports, with the limits chosen. */
	gencap = DSA_GENCAP_OVERLAP_COPY | DSA_GENCAP_CACHE_CTRL_MEM |
		 DSA_GENCAP_CACHE_CTRL_CACHE | DSA_GENCAP_DEST_READBACK |
		 ((uint64_t)s->max_xfer_shift << DSA_GENCAP_MAX_XFER_SHIFT) |
		 ((uint64_t)s->max_batch_shift << DSA_GENCAP_MAX_BATCH_SHIFT) |
		 DSA_GENCAP_CONFIGURABLE;
	if (s->bof)
		gencap |= DSA_GENCAP_BOF;
	if (s->fill16)
		gencap |= DSA_GENCAP_FILL16;
	wr64(dev, DSA_REG_GENCAP, gencap);
	wqcap = s->wq_total | ((uint64_t)s->nwqs << DSA_WQCAP_NUM_SHIFT) |
		DSA_WQCAP_SHARED | DSA_WQCAP_DEDICATED | DSA_WQCAP_ATS_DISABLE |
		DSA_WQCAP_PRIORITY | DSA_WQCAP_OCCUPANCY;
	wr64(dev, DSA_REG_WQCAP, wqcap);
	/* 96 read buffers, read-buffer controls and global limit. */
	wr64(dev, DSA_REG_GRPCAP, s->ngroups | (96u << 8) | (1u << 16) | (1u << 17));
	wr64(dev, DSA_REG_ENGCAP, s->nengines);
	opcap0 = (1ull << DSA_OP_NOOP) | (1ull << DSA_OP_BATCH) | (1ull << DSA_OP_DRAIN) |
		 (1ull << DSA_OP_MEMMOVE) | (1ull << DSA_OP_FILL) |
		 (1ull << DSA_OP_COMPARE) | (1ull << DSA_OP_COMPVAL) |
		 (1ull << DSA_OP_DUALCAST) | (1ull << DSA_OP_CRCGEN) |
		 (1ull << DSA_OP_COPY_CRC);
	wr64(dev, DSA_REG_OPCAP, opcap0);
	/* Table offsets in units of 0x100: GRPCFG, WQCFG, MSIXPERM. */
	wr64(dev, DSA_REG_OFFSETS, (DSA_GRPCFG_OFFSET / 0x100) |
	     ((uint64_t)(dsa_hw_wqcfg_offset(dev) / 0x100) << 16) |
	     ((uint64_t)(0x200 / 0x100) << 32));
	for (i = 0; i < DSA_MAX_WQS; i++) {
		struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[i];

		__atomic_store_n(&w->hw_state, DSA_WQ_STATE_DISABLED, __ATOMIC_RELEASE);
		w->occupancy = 0;
		w->inflight = 0;
	}
}

static bool
halted(unsigned int dev)
{
	return dsa_hw_gensts(dev) == DSA_GENSTS_HALTED;
}

/* Reset Device: configuration back to power-on values; SWERROR, CMD and
 * CMDSTATUS are kept (spec 3.15).
 */
static void
reset_config(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	unsigned int i;

	for (i = 0; i < s->ngroups; i++)
		memset(bar(dev) + grpcfg_off(dev, i), 0, DSA_GRPCFG_SIZE);
	for (i = 0; i < s->nwqs; i++)
		memset(bar(dev) + wqcfg_off(dev, i, 0), 0, DSA_WQCFG_SIZE);
	wr32(dev, DSA_REG_GENCFG, 0);
	wr32(dev, DSA_REG_GENCTRL, 0);
	memset(bar(dev) + 0x200, 0, DSA_MSIX_VECTORS * 8);
}

void
dsa_hw_swerr(unsigned int dev, int wq, uint8_t code, const struct dsa_desc *d,
	     bool batch, uint16_t batch_index, uint64_t fault_addr, bool write)
{
	uint64_t q0 = rd64(dev, DSA_REG_SWERR), n0;

	DSA_COUNT(dev, wq, swerr, 1);
	/* Only the first error is kept; later ones set Overflow. */
	if (q0 & 1) {
		wr64(dev, DSA_REG_SWERR, q0 | 2);
	} else {
		n0 = 1 | ((uint64_t)code << 8);
		if (d != NULL)
			n0 |= (1ull << 2) | ((uint64_t)DSA_DESC_OP(d) << 32) |
			      ((uint64_t)(d->pasid_priv & 0xfffff) << 40) |
			      ((d->pasid_priv >> 31) ? (1ull << 6) : 0);
		if (wq >= 0)
			n0 |= (1ull << 3) | ((uint64_t)wq << 16);
		if (batch)
			n0 |= 1ull << 4;
		if (write)
			n0 |= 1ull << 5;
		wr64(dev, DSA_REG_SWERR, n0);
		wr64(dev, DSA_REG_SWERR + 8, batch_index);
		wr64(dev, DSA_REG_SWERR + 16, fault_addr);
		wr64(dev, DSA_REG_SWERR + 24, 0);
	}
	/* INTCAUSE bit 0: software error. */
	wr32(dev, DSA_REG_INTCAUSE, rd32(dev, DSA_REG_INTCAUSE) | 1);
	if (dsa_hw_swerr_hook != NULL)
		dsa_hw_swerr_hook(dev);
}

/* Spec 5.1: what Enable Device checks about groups and sizes. */
static uint32_t
check_device_config(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	uint32_t wq_group[DSA_MAX_WQS];
	uint64_t engines_seen = 0;
	unsigned int g, i, total = 0;

	for (i = 0; i < s->nwqs; i++) {
		wq_group[i] = UINT32_MAX;
		total += dsa_hw_wqcfg(dev, i, DSA_WQCFG_DW_SIZE) & 0xffff;
	}
	if (total > s->wq_total)
		return DSA_CMDSTS_WQ_SIZE_ERANGE;
	for (g = 0; g < s->ngroups; g++) {
		uint32_t off = grpcfg_off(dev, g);
		uint64_t wqs = rd64(dev, off + DSA_GRPCFG_WQS);
		uint64_t eng = rd64(dev, off + DSA_GRPCFG_ENGINES);

		if ((wqs != 0) != (eng != 0))
			return DSA_CMDSTS_GRP_CONFIG;
		if ((s->nwqs < 64 && (wqs >> s->nwqs) != 0) ||
		    rd64(dev, off + 8) || rd64(dev, off + 16) || rd64(dev, off + 24))
			return DSA_CMDSTS_GRP_CONFIG2;
		if ((s->nengines < 64 && (eng >> s->nengines) != 0) ||
		    (eng & engines_seen) != 0)
			return DSA_CMDSTS_GRP_CONFIG3;
		engines_seen |= eng;
		for (i = 0; i < s->nwqs; i++) {
			if (!(wqs & (1ull << i)))
				continue;
			if (wq_group[i] != UINT32_MAX)
				return DSA_CMDSTS_GRP_CONFIG2;
			wq_group[i] = g;
		}
	}
	/* Every WQ with a size in exactly one group, size-0 WQs in none. */
	for (i = 0; i < s->nwqs; i++) {
		bool sized = (dsa_hw_wqcfg(dev, i, DSA_WQCFG_DW_SIZE) & 0xffff) != 0;

		if (sized != (wq_group[i] != UINT32_MAX))
			return DSA_CMDSTS_GRP_CONFIG2;
	}
	return DSA_CMDSTS_SUCCESS;
}

static void
set_wq_hw_state(unsigned int dev, unsigned int wq, uint32_t state)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	uint32_t dw6 = dsa_hw_wqcfg(dev, wq, DSA_WQCFG_DW_STATE) & ~(3u << 30);

	__atomic_store_n(&w->hw_state, state, __ATOMIC_RELEASE);
	dsa_hw_set_wqcfg(dev, wq, DSA_WQCFG_DW_STATE, dw6 | (state << 30));
}

/* Spec 5.2: Enable WQ checks, then the configuration becomes live. */
static uint32_t
enable_wq(unsigned int dev, unsigned int wq)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	uint64_t gencap = dsa_hw_gencap(dev);
	uint32_t size, thr, mode, sizes, xfer_shift, batch_shift, prio;

	if (dsa_hw_gensts(dev) != DSA_GENSTS_ENABLED)
		return DSA_CMDSTS_DEV_NOTEN;
	if (wq >= s->nwqs)
		return DSA_CMDSTS_INVAL_WQIDX;
	if (__atomic_load_n(&w->hw_state, __ATOMIC_ACQUIRE) != DSA_WQ_STATE_DISABLED)
		return DSA_CMDSTS_WQ_ENABLED;
	size = dsa_hw_wqcfg(dev, wq, DSA_WQCFG_DW_SIZE) & 0xffff;
	thr = dsa_hw_wqcfg(dev, wq, DSA_WQCFG_DW_THRESH) & 0xffff;
	mode = dsa_hw_wqcfg(dev, wq, DSA_WQCFG_DW_MODE);
	sizes = dsa_hw_wqcfg(dev, wq, DSA_WQCFG_DW_SIZES);
	xfer_shift = sizes & 0x1f;
	batch_shift = (sizes >> 5) & 0xf;
	prio = (mode >> DSA_WQCFG_PRIO_SHIFT) & 0xf;
	if (size == 0)
		return DSA_CMDSTS_WQ_SIZE;
	if (prio == 0)
		return DSA_CMDSTS_WQ_PRIOR;
	if ((mode & DSA_WQCFG_MODE_BOF) && !(gencap & DSA_GENCAP_BOF))
		return DSA_CMDSTS_BOF_EN;
	/* A shared WQ needs WQ PASID Enable, and PASIDs need the PCIe
	 * capability, which the kernel turns on only with SVA.
	 */
	if (!(mode & DSA_WQCFG_MODE_DEDICATED) && !(mode & DSA_WQCFG_PASID_EN))
		return DSA_CMDSTS_PASID_EN;
	if ((mode & DSA_WQCFG_PASID_EN) && !s->pasid)
		return DSA_CMDSTS_PASID_EN;
	if (batch_shift == 0 || batch_shift > ((gencap >> DSA_GENCAP_MAX_BATCH_SHIFT) & 0xf))
		return DSA_CMDSTS_MAX_BATCH_SIZE;
	if (xfer_shift > ((gencap >> DSA_GENCAP_MAX_XFER_SHIFT) & 0x1f))
		return DSA_CMDSTS_MAX_XFER_SIZE;

	w->hw_dedicated = !!(mode & DSA_WQCFG_MODE_DEDICATED);
	w->hw_size = size;
	/* A threshold above the size acts as the size (spec 9.2.24). */
	w->hw_threshold = thr > size ? size : thr;
	w->hw_bof = !!(mode & DSA_WQCFG_MODE_BOF);
	w->hw_max_xfer_shift = xfer_shift;
	w->hw_max_batch_shift = batch_shift;
	w->hw_pasid_en = !!(mode & DSA_WQCFG_PASID_EN);
	__atomic_store_n(&w->occupancy, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->inflight, 0, __ATOMIC_RELAXED);
	set_wq_hw_state(dev, wq, DSA_WQ_STATE_ENABLED);
	return DSA_CMDSTS_SUCCESS;
}

bool
dsa_wq_wait_idle(unsigned int dev, unsigned int wq, uint64_t timeout_ns)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	uint64_t deadline = sim_now_ns() + timeout_ns;

	for (;;) {
		uint32_t n = __atomic_load_n(&w->inflight, __ATOMIC_ACQUIRE);
		uint64_t now = sim_now_ns();

		if (n == 0)
			return true;
		if (now >= deadline)
			return false;
		dsa_futex_wait(&w->inflight, n, deadline - now);
	}
}

/*
 * Drain a WQ: every descriptor it accepted completes. The lock is dropped
 * meanwhile, so that engines (in any process) can record errors.
 */
static void
drain_wq(unsigned int dev, unsigned int wq)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];

	dsa_unlock(dev);
	if (!dsa_wq_wait_idle(dev, wq, DSA_DRAIN_TIMEOUT_NS)) {
		/* The submitter died with work queued: nothing will finish it. */
		sim_log(DSA_LOG, "dsa%u wq%u: %u descriptors never completed; dropped",
			dsa_cfg.dev[dev].id, wq, __atomic_load_n(&w->inflight, __ATOMIC_RELAXED));
		__atomic_store_n(&w->inflight, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&w->occupancy, 0, __ATOMIC_RELEASE);
	}
	dsa_lock(dev);
}

/* Abort: queued descriptors are abandoned without completion records. */
static void
abort_wq(unsigned int dev, unsigned int wq)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];

	__atomic_add_fetch(&w->abort_gen, 1, __ATOMIC_SEQ_CST);
	dsa_engine_kick();
	drain_wq(dev, wq);
}

static void
disable_wq(unsigned int dev, unsigned int wq, bool reset)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];

	/* Refuse new work first, then let the accepted work finish. */
	set_wq_hw_state(dev, wq, DSA_WQ_STATE_DISABLED);
	drain_wq(dev, wq);
	__atomic_store_n(&w->occupancy, 0, __ATOMIC_RELEASE);
	/* Reset WQ: configuration back to its initial values; the size is
	 * a device-level allocation and stays.
	 */
	if (reset)
		memset(bar(dev) + wqcfg_off(dev, wq, 1), 0, DSA_WQCFG_SIZE - 4);
}

/* Operand of Disable/Drain/Abort/Reset WQ: bits 19:16 select a group of
 * 16 WQs, bits 15:0 a bitmap in it.
 */
static uint32_t
wq_bitmap_cmd(unsigned int dev, uint32_t code, uint32_t operand)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	unsigned int base = ((operand >> 16) & 0xf) * 16, i;
	uint32_t map = operand & 0xffff;

	if (dsa_hw_gensts(dev) != DSA_GENSTS_ENABLED)
		return DSA_CMDSTS_DEV_NOTEN;
	for (i = 0; i < 16; i++) {
		if (!(map & (1u << i)))
			continue;
		if (base + i >= s->nwqs)
			return DSA_CMDSTS_INVAL_WQIDX;
		if (code != DSA_CMD_RESET_WQ &&
		    __atomic_load_n(&dsa_shm->dev[dev].wq[base + i].hw_state,
				    __ATOMIC_ACQUIRE) != DSA_WQ_STATE_ENABLED)
			return DSA_CMDSTS_DEV_WQ_NOT_EN;
	}
	for (i = 0; i < 16; i++) {
		unsigned int wq = base + i;

		if (!(map & (1u << i)))
			continue;
		switch (code) {
		case DSA_CMD_DISABLE_WQ:
			disable_wq(dev, wq, false);
			break;
		case DSA_CMD_DRAIN_WQ:
			drain_wq(dev, wq);
			break;
		case DSA_CMD_ABORT_WQ:
			abort_wq(dev, wq);
			break;
		case DSA_CMD_RESET_WQ:
			if (dsa_shm->dev[dev].wq[wq].hw_state == DSA_WQ_STATE_ENABLED)
				abort_wq(dev, wq);
			disable_wq(dev, wq, true);
			break;
		}
	}
	return DSA_CMDSTS_SUCCESS;
}

static void
all_wqs(unsigned int dev, void (*fn)(unsigned int, unsigned int))
{
	unsigned int i;

	for (i = 0; i < dsa_cfg.dev[dev].nwqs; i++)
		if (__atomic_load_n(&dsa_shm->dev[dev].wq[i].hw_state,
				    __ATOMIC_ACQUIRE) == DSA_WQ_STATE_ENABLED)
			fn(dev, i);
}

static void
disable_wq_keep(unsigned int dev, unsigned int wq)
{
	disable_wq(dev, wq, false);
}

static uint32_t
run_command(unsigned int dev, uint32_t code, uint32_t operand)
{
	uint32_t st;

	if (halted(dev))
		return DSA_CMDSTS_HALTED;
	switch (code) {
	case DSA_CMD_ENABLE_DEVICE:
		if (dsa_hw_gensts(dev) != DSA_GENSTS_DISABLED)
			return DSA_CMDSTS_DEV_ENABLED;
		/* Bus master enable (PCI command bit 2) is required. */
		if (!(dsa_shm->dev[dev].pci_command & 4))
			return DSA_CMDSTS_BUSMASTER_EN;
		st = check_device_config(dev);
		if (st != DSA_CMDSTS_SUCCESS)
			return st;
		wr32(dev, DSA_REG_GENSTS, DSA_GENSTS_ENABLED);
		return DSA_CMDSTS_SUCCESS;
	case DSA_CMD_DISABLE_DEVICE:
		if (dsa_hw_gensts(dev) != DSA_GENSTS_ENABLED)
			return DSA_CMDSTS_DIS_DEV_EN;
		all_wqs(dev, disable_wq_keep);
		wr32(dev, DSA_REG_GENSTS, DSA_GENSTS_DISABLED);
		return DSA_CMDSTS_SUCCESS;
	case DSA_CMD_DRAIN_ALL:
	case DSA_CMD_DRAIN_PASID:
		/* Every process has its own PASID here; draining them all
		 * is a superset of draining one.
		 */
		all_wqs(dev, drain_wq);
		return DSA_CMDSTS_SUCCESS;
	case DSA_CMD_ABORT_ALL:
	case DSA_CMD_ABORT_PASID:
		all_wqs(dev, abort_wq);
		return DSA_CMDSTS_SUCCESS;
	case DSA_CMD_RESET_DEVICE:
		all_wqs(dev, abort_wq);
		all_wqs(dev, disable_wq_keep);
		wr32(dev, DSA_REG_GENSTS, DSA_GENSTS_DISABLED);
		reset_config(dev);
		return DSA_CMDSTS_SUCCESS;
	case DSA_CMD_ENABLE_WQ:
		if (operand & ~0xffu)
			return DSA_CMDSTS_RSVD;
		return enable_wq(dev, operand & 0xff);
	case DSA_CMD_DISABLE_WQ:
	case DSA_CMD_DRAIN_WQ:
	case DSA_CMD_ABORT_WQ:
	case DSA_CMD_RESET_WQ:
		if (operand & ~0xfffffu)
			return DSA_CMDSTS_RSVD;
		return wq_bitmap_cmd(dev, code, operand);
	default:
		/* Interrupt handles are not supported (no IMS). */
		return DSA_CMDSTS_INVAL_CMD;
	}
}

uint32_t
dsa_hw_command(unsigned int dev, uint32_t cmd)
{
	uint32_t status = rd32(dev, DSA_REG_CMDSTATUS), st;

	/* One command at a time: a write while Active is dropped (0x52). */
	if (status & DSA_CMDSTS_ACTIVE) {
		dsa_hw_swerr(dev, -1, DSA_SWERR_CMD_ACTIVE, NULL, false, 0, 0, false);
		return status;
	}
	wr32(dev, DSA_REG_CMD, cmd);
	wr32(dev, DSA_REG_CMDSTATUS, DSA_CMDSTS_ACTIVE);
	st = run_command(dev, (cmd >> DSA_CMD_SHIFT) & 0x1f, cmd & 0xfffff);
	wr32(dev, DSA_REG_CMDSTATUS, st);
	/* INTCAUSE bit 1: command completion (when requested). */
	if (cmd & DSA_CMD_INT_REQ)
		wr32(dev, DSA_REG_INTCAUSE, rd32(dev, DSA_REG_INTCAUSE) | 2);
	return st;
}

uint64_t
dsa_hw_read(unsigned int dev, uint32_t off, unsigned int size)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	uint32_t wqbase = dsa_hw_wqcfg_offset(dev);
	uint64_t v = 0;

	if (off >= DSA_BAR0_IMAGE || off + size > DSA_BAR0_IMAGE)
		return 0;
	/* WQCFG dword 6: live occupancy and state. */
	if (off >= wqbase && off < wqbase + s->nwqs * DSA_WQCFG_SIZE) {
		unsigned int wq = (off - wqbase) / DSA_WQCFG_SIZE;
		struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
		uint32_t occ = __atomic_load_n(&w->occupancy, __ATOMIC_RELAXED);
		uint32_t st = __atomic_load_n(&w->hw_state, __ATOMIC_ACQUIRE);

		dsa_hw_set_wqcfg(dev, wq, DSA_WQCFG_DW_STATE,
				 (occ & 0xffff) | (st << DSA_WQCFG_STATE_SHIFT));
	}
	memcpy(&v, bar(dev) + off, size);
	return v;
}

/* Bytes of a write that land in [reg, reg+len), merged into the image
 * under mask (bits software may change, for registers up to 8 bytes).
 */
static void
merge(unsigned int dev, uint32_t off, unsigned int size, uint64_t val,
      uint32_t reg, unsigned int len, uint64_t mask)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		uint32_t a = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i)), m;

		if (a < reg || a >= reg + len)
			continue;
		/* mask covers the first 8 bytes; the big tables are all RW. */
		m = a - reg < 8 ? (uint8_t)(mask >> (8 * (a - reg))) : 0xff;
		bar(dev)[a] = (uint8_t)((bar(dev)[a] & ~m) | (b & m));
	}
}

void
dsa_hw_write(unsigned int dev, uint32_t off, unsigned int size, uint64_t val)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	uint32_t wqbase = dsa_hw_wqcfg_offset(dev);
	bool dev_disabled = dsa_hw_gensts(dev) == DSA_GENSTS_DISABLED;

	if (off >= DSA_BAR0_IMAGE || off + size > DSA_BAR0_IMAGE)
		return;
	if (off == DSA_REG_CMD && size == 4) {
		dsa_hw_command(dev, (uint32_t)val);
		return;
	}
	if (off < DSA_REG_GENCFG + 4 && off + size > DSA_REG_GENCFG) {
		if (dev_disabled)
			merge(dev, off, size, val, DSA_REG_GENCFG, 4, 0x30ff);
		return;
	}
	if (off < DSA_REG_GENCTRL + 4 && off + size > DSA_REG_GENCTRL) {
		merge(dev, off, size, val, DSA_REG_GENCTRL, 4, 0x7);
		return;
	}
	if (off < DSA_REG_INTCAUSE + 4 && off + size > DSA_REG_INTCAUSE) {
		/* RW1C */
		uint32_t cur = rd32(dev, DSA_REG_INTCAUSE);
		uint32_t clr = (uint32_t)(val << (8 * (off - DSA_REG_INTCAUSE)));

		wr32(dev, DSA_REG_INTCAUSE, cur & ~clr);
		return;
	}
	if (off >= DSA_REG_SWERR && off < DSA_REG_SWERR + 8) {
		/* Valid and Overflow are RW1C; clearing Valid frees it. */
		uint64_t cur = rd64(dev, DSA_REG_SWERR);
		uint64_t clr = (val << (8 * (off - DSA_REG_SWERR))) & 3;

		wr64(dev, DSA_REG_SWERR, cur & ~clr);
		return;
	}
	if (off >= 0x200 && off < 0x200 + DSA_MSIX_VECTORS * 8) {
		merge(dev, off, size, val, 0x200, DSA_MSIX_VECTORS * 8, ~0ull);
		return;
	}
	if (off >= DSA_GRPCFG_OFFSET && off < DSA_GRPCFG_OFFSET + s->ngroups * DSA_GRPCFG_SIZE) {
		/* GRPCFG is RW only while the device is disabled. */
		if (dev_disabled)
			merge(dev, off, size, val, DSA_GRPCFG_OFFSET,
			      s->ngroups * DSA_GRPCFG_SIZE, ~0ull);
		return;
	}
	if (off >= wqbase && off < wqbase + s->nwqs * DSA_WQCFG_SIZE) {
		unsigned int wq = (off - wqbase) / DSA_WQCFG_SIZE;
		uint32_t base = wqbase + wq * DSA_WQCFG_SIZE;
		bool wq_disabled = __atomic_load_n(&dsa_shm->dev[dev].wq[wq].hw_state,
						   __ATOMIC_ACQUIRE) == DSA_WQ_STATE_DISABLED;

		/* Size: device disabled; the rest of 0..3: WQ disabled;
		 * occupancy interrupt fields always; dword 6 read-only.
		 */
		if (dev_disabled)
			merge(dev, off, size, val, base, 4, 0xffff);
		if (wq_disabled) {
			merge(dev, off, size, val, base + 4, 8,
			      0xffffull | (0x3fffffffull << 32));
			merge(dev, off, size, val, base + 12, 4, 0x1fffull);
		}
		merge(dev, off, size, val, base + 16, 4, 0xffffffffull);
		merge(dev, off, size, val, base + 20, 4, 0x1ffffull);
		return;
	}
	/* Everything else is read-only. */
}
