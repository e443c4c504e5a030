/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Linux's idxd driver does between sysfs and the device: the store
 * rules of the device, WQ, engine and group attributes, and the bus's
 * bind/unbind files, which is how accel-config enables and disables
 * devices and work queues.
 *
 * Facts from Linux 6.12 drivers/dma/idxd (sysfs.c, device.c, cdev.c) and
 * include/uapi/linux/idxd.h:
 *  - configuration attributes need a configurable device (GENCAP bit 31)
 *    and a disabled WQ, sizes a disabled device (EPERM otherwise);
 *  - max_transfer_size/max_batch_size round up to a power of two; type
 *    change clears the name; mode "dedicated" zeroes the threshold;
 *  - binding dsaN to "idxd" writes GRPCFG/WQCFG from this state and issues
 *    Enable Device; binding wqN.M to "user" checks device state, driver
 *    name, SVA, group, name, shared-WQ threshold, then Enable WQ, and
 *    creates /dev/dsa/wqN.M; failures leave a code in cmd_status;
 *  - unbinding a WQ resets its configuration except size and group;
 *    unbinding the device disables it and clears all configuration.
 * The lock of the device is held around every change.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsa_model.h"

/* include/uapi/linux/idxd.h, enum idxd_scmd_stat (6.12). */
#define SCMD_DEV_ENABLED        0x80000010u
#define SCMD_DEV_NOT_ENABLED    0x80000020u
#define SCMD_WQ_ENABLED         0x80000021u
#define SCMD_WQ_NO_GRP          0x80030000u
#define SCMD_WQ_NO_NAME         0x80040000u
#define SCMD_WQ_NO_SVM          0x80050000u
#define SCMD_WQ_NO_THRESH       0x80060000u
#define SCMD_WQ_NO_SWQ_SUPPORT  0x800c0000u
#define SCMD_WQ_NONE_CONFIGURED 0x800d0000u
#define SCMD_WQ_USER_NO_IOMMU   0x80110000u
#define SCMD_WQ_NO_DRV_NAME     0x80200000u

const char *const dsa_drv_names[DSA_DRV_COUNT] = {
	[DSA_DRV_NONE] = "",
	[DSA_DRV_IDXD] = "idxd",
	[DSA_DRV_USER] = "user",
	[DSA_DRV_DMAENGINE] = "dmaengine",
};

static struct dsa_shm_dev *
D(unsigned int dev)
{
	return &dsa_shm->dev[dev];
}

static bool
configurable(unsigned int dev)
{
	return (dsa_hw_gencap(dev) & DSA_GENCAP_CONFIGURABLE) != 0;
}

static void
wq_defaults(struct dsa_shm_wq *w)
{
	/* idxd_wq_disable_cleanup(): all but size and group. */
	w->type = DSA_WQT_NONE;
	w->threshold = 0;
	w->priority = 0;
	w->enqcmds_retries = DSA_ENQCMDS_RETRIES;
	w->dedicated = 0;
	w->bof = 0;
	w->ats_disable = 0;
	w->prs_disable = 0;
	memset(w->name, 0, sizeof(w->name));
	memset(w->driver_name, 0, sizeof(w->driver_name));
	w->max_xfer = DSA_WQ_DEFAULT_MAX_XFER;
	w->max_batch = DSA_WQ_DEFAULT_MAX_BATCH;
}

void
dsa_idxd_reset_state(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	unsigned int i;

	d->drv = DSA_DRV_NONE;
	d->rdbuf_limit = 0;
	for (i = 0; i < DSA_MAX_ENGINES; i++)
		d->engine_group[i] = -1;
	for (i = 0; i < DSA_MAX_GROUPS; i++) {
		struct dsa_shm_group *g = &d->group[i];

		/* Version 1 devices get traffic class 1 (tc_override off). */
		g->tc_a = 1;
		g->tc_b = 1;
		g->rdbufs_reserved = 0;
		g->rdbufs_allowed = 96;
		g->use_rdbuf_limit = 0;
	}
	for (i = 0; i < s->nwqs; i++) {
		struct dsa_shm_wq *w = &d->wq[i];

		wq_defaults(w);
		w->size = 0;
		w->group = -1;
		w->drv = DSA_DRV_NONE;
		w->cdev_minor = -1;
	}
}

/* ---- parsing like the kernel's kstrto*() (one trailing newline) ---- */

static bool
chomp(const char *buf, size_t len, char *out, size_t outlen)
{
	if (len >= outlen)
		return false;
	memcpy(out, buf, len);
	out[len] = '\0';
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return true;
}

static int
kstrtoull(const char *buf, size_t len, unsigned int base, unsigned long long *v)
{
	char s[64], *end;

	if (!chomp(buf, len, s, sizeof(s)) || s[0] == '\0' || s[0] == '-' ||
	    isspace((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s[0] == '+' ? s + 1 : s, &end, (int)base);
	if (errno != 0)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	return 0;
}

static int
kstrtoll(const char *buf, size_t len, long long *v)
{
	char s[64], *end;

	if (!chomp(buf, len, s, sizeof(s)) || s[0] == '\0' || isspace((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	return 0;
}

static int
kstrtobool(const char *buf, size_t len, bool *v)
{
	if (len == 0)
		return -EINVAL;
	switch (buf[0]) {
	case 'y': case 'Y': case '1':
		*v = true;
		return 0;
	case 'n': case 'N': case '0':
		*v = false;
		return 0;
	case 'o': case 'O':
		if (len > 1 && (buf[1] == 'n' || buf[1] == 'N')) {
			*v = true;
			return 0;
		}
		if (len > 1 && (buf[1] == 'f' || buf[1] == 'F')) {
			*v = false;
			return 0;
		}
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* sysfs_streq(): equal but for one trailing newline. */
static bool
streq(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	return len == n && memcmp(buf, s, n) == 0;
}

static uint64_t
roundup_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static unsigned int
ilog2(uint64_t v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* ---- enable/disable, as the idxd, user and dmaengine drivers do ---- */

/* idxd_device_config(): GRPCFG and WQCFG from the driver state. */
static int
write_config(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	uint64_t wqs[DSA_MAX_GROUPS] = { 0 }, eng[DSA_MAX_GROUPS] = { 0 };
	uint32_t grpcfg = DSA_GRPCFG_OFFSET, wqcfg = dsa_hw_wqcfg_offset(dev);
	unsigned int i, configured = 0, engines = 0;

	for (i = 0; i < s->nwqs; i++) {
		const struct dsa_shm_wq *w = &d->wq[i];

		if (w->group < 0)
			continue;
		if (!w->dedicated && !s->pasid) {
			d->cmd_status = SCMD_WQ_NO_SWQ_SUPPORT;
			return -EINVAL;
		}
		wqs[w->group] |= 1ull << i;
		configured++;
	}
	if (configured == 0) {
		d->cmd_status = SCMD_WQ_NONE_CONFIGURED;
		return -EINVAL;
	}
	for (i = 0; i < s->nengines; i++)
		if (d->engine_group[i] >= 0) {
			eng[d->engine_group[i]] |= 1ull << i;
			engines++;
		}
	if (engines == 0)
		return -EINVAL;
	for (i = 0; i < s->ngroups; i++) {
		const struct dsa_shm_group *g = &d->group[i];
		uint32_t flags = (g->tc_a & 7) | ((g->tc_b & 7) << 3) |
				 (g->use_rdbuf_limit ? 1u << 7 : 0) |
				 ((g->rdbufs_reserved & 0xff) << 8) |
				 ((g->rdbufs_allowed & 0xff) << 20);
		uint32_t base = grpcfg + i * DSA_GRPCFG_SIZE;

		dsa_hw_write(dev, base + DSA_GRPCFG_WQS, 8, wqs[i]);
		dsa_hw_write(dev, base + DSA_GRPCFG_WQS + 8, 8, 0);
		dsa_hw_write(dev, base + DSA_GRPCFG_WQS + 16, 8, 0);
		dsa_hw_write(dev, base + DSA_GRPCFG_WQS + 24, 8, 0);
		dsa_hw_write(dev, base + DSA_GRPCFG_ENGINES, 8, eng[i]);
		dsa_hw_write(dev, base + DSA_GRPCFG_FLAGS, 4, flags);
	}
	for (i = 0; i < s->nwqs; i++) {
		const struct dsa_shm_wq *w = &d->wq[i];
		uint32_t base = wqcfg + i * DSA_WQCFG_SIZE;

		dsa_hw_write(dev, base, 4, w->group >= 0 ? w->size : 0);
	}
	dsa_hw_write(dev, DSA_REG_GENCFG, 4, d->rdbuf_limit & 0xff);
	return 0;
}

static uint32_t
hw_cmd(unsigned int dev, uint32_t code, uint32_t operand)
{
	/* The kernel serialises commands; wait out one in progress. */
	while (dsa_hw_read(dev, DSA_REG_CMDSTATUS, 4) & DSA_CMDSTS_ACTIVE) {
		struct timespec ts = { 0, 100000 };

		dsa_unlock(dev);
		nanosleep(&ts, NULL);
		dsa_lock(dev);
	}
	return dsa_hw_command(dev, (code << DSA_CMD_SHIFT) | operand) & 0xff;
}

static int
enable_device(unsigned int dev)
{
	struct dsa_shm_dev *d = D(dev);
	uint32_t st;
	int err;

	if (d->drv == DSA_DRV_IDXD)
		return -EBUSY;
	if (dsa_hw_gensts(dev) != DSA_GENSTS_DISABLED) {
		d->cmd_status = SCMD_DEV_ENABLED;
		return -ENXIO;
	}
	if (configurable(dev)) {
		err = write_config(dev);
		if (err < 0)
			return -ENXIO;
	}
	/* The PCI driver enabled bus mastering at probe. */
	d->pci_command |= 6;
	st = hw_cmd(dev, DSA_CMD_ENABLE_DEVICE, 0);
	if (st != DSA_CMDSTS_SUCCESS && st != DSA_CMDSTS_DEV_ENABLED) {
		d->cmd_status = st;
		return -ENXIO;
	}
	d->drv = DSA_DRV_IDXD;
	d->cmd_status = 0;
	return 0;
}

static unsigned int
free_minor(void)
{
	unsigned int m, dv, w;

	for (m = 0;; m++) {
		bool used = false;

		for (dv = 0; dv < dsa_cfg.ndev && !used; dv++)
			for (w = 0; w < dsa_cfg.dev[dv].nwqs; w++)
				if (dsa_shm->dev[dv].wq[w].cdev_minor == (int32_t)m)
					used = true;
		if (!used)
			return m;
	}
}

static int
enable_wq(unsigned int dev, unsigned int wq, enum dsa_drv drv)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	struct dsa_shm_wq *w = &d->wq[wq];
	uint32_t mode, st;

	if (w->drv != DSA_DRV_NONE)
		return -EBUSY;
	if (d->drv != DSA_DRV_IDXD || dsa_hw_gensts(dev) != DSA_GENSTS_ENABLED) {
		d->cmd_status = SCMD_DEV_NOT_ENABLED;
		return -ENXIO;
	}
	/* Since 6.7 the WQ names the driver that may bind it. */
	if (strcmp(w->driver_name, dsa_drv_names[drv]) != 0) {
		d->cmd_status = SCMD_WQ_NO_DRV_NAME;
		return -ENODEV;
	}
	if (drv == DSA_DRV_USER && !s->pasid) {
		d->cmd_status = SCMD_WQ_USER_NO_IOMMU;
		return -EOPNOTSUPP;
	}
	w->type = drv == DSA_DRV_USER ? DSA_WQT_USER : DSA_WQT_KERNEL;
	if (w->group < 0) {
		d->cmd_status = SCMD_WQ_NO_GRP;
		return -ENXIO;
	}
	if (w->name[0] == '\0') {
		d->cmd_status = SCMD_WQ_NO_NAME;
		return -ENXIO;
	}
	if (!w->dedicated) {
		if (!s->pasid) {
			d->cmd_status = SCMD_WQ_NO_SVM;
			return -ENXIO;
		}
		if (w->threshold == 0) {
			d->cmd_status = SCMD_WQ_NO_THRESH;
			return -ENXIO;
		}
	}
	/* WQCFG for this WQ; a user WQ uses SVA, so PASID is enabled (a
	 * dedicated one gets its PASID at open).
	 */
	mode = (w->dedicated ? DSA_WQCFG_MODE_DEDICATED : 0) |
	       (w->bof ? DSA_WQCFG_MODE_BOF : 0) |
	       (w->ats_disable ? DSA_WQCFG_MODE_ATS_DIS : 0) |
	       ((w->priority & 0xf) << DSA_WQCFG_PRIO_SHIFT) |
	       (s->pasid ? DSA_WQCFG_PASID_EN : 0) |
	       (drv == DSA_DRV_DMAENGINE ? DSA_WQCFG_PRIV : 0);
	dsa_hw_set_wqcfg(dev, wq, DSA_WQCFG_DW_THRESH, w->threshold);
	dsa_hw_set_wqcfg(dev, wq, DSA_WQCFG_DW_MODE, mode);
	dsa_hw_set_wqcfg(dev, wq, DSA_WQCFG_DW_SIZES, ilog2(w->max_xfer) |
			 (ilog2(w->max_batch) << 5));
	st = hw_cmd(dev, DSA_CMD_ENABLE_WQ, wq);
	if (st != DSA_CMDSTS_SUCCESS && st != DSA_CMDSTS_WQ_ENABLED) {
		d->cmd_status = st;
		return -ENXIO;
	}
	w->drv = drv;
	w->clients = 0;
	memset(w->client_pid, 0, sizeof(w->client_pid));
	memset(w->client_refs, 0, sizeof(w->client_refs));
	if (drv == DSA_DRV_USER) {
		w->cdev_minor = (int32_t)free_minor();
		dsa_sysfs_wq_cdev(dev, wq, true);
	}
	dsa_sysfs_bind_link(dev, (int)wq, drv, true);
	d->cmd_status = 0;
	return 0;
}

static void
disable_wq(unsigned int dev, unsigned int wq)
{
	struct dsa_shm_wq *w = &D(dev)->wq[wq];
	enum dsa_drv drv = w->drv;

	if (drv == DSA_DRV_NONE)
		return;
	if (drv == DSA_DRV_USER)
		dsa_sysfs_wq_cdev(dev, wq, false);
	dsa_sysfs_bind_link(dev, (int)wq, drv, false);
	/* drv_disable_wq(): drain, reset (clears the WQ's configuration). */
	if (w->hw_state == DSA_WQ_STATE_ENABLED)
		hw_cmd(dev, DSA_CMD_DRAIN_WQ, (1u << (wq % 16)) | ((wq / 16) << 16));
	if (w->hw_state == DSA_WQ_STATE_ENABLED)
		hw_cmd(dev, DSA_CMD_RESET_WQ, (1u << (wq % 16)) | ((wq / 16) << 16));
	wq_defaults(w);
	w->drv = DSA_DRV_NONE;
	w->cdev_minor = -1;
	w->clients = 0;
}

static void
disable_device(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	unsigned int i;

	if (d->drv != DSA_DRV_IDXD)
		return;
	for (i = 0; i < s->nwqs; i++)
		disable_wq(dev, i);
	if (dsa_hw_gensts(dev) == DSA_GENSTS_ENABLED)
		hw_cmd(dev, DSA_CMD_DISABLE_DEVICE, 0);
	if (configurable(dev)) {
		hw_cmd(dev, DSA_CMD_RESET_DEVICE, 0);
		dsa_idxd_reset_state(dev);
	}
	dsa_sysfs_bind_link(dev, -1, DSA_DRV_IDXD, false);
	d->drv = DSA_DRV_NONE;
}

/* ---- boot-time configuration (configured=yes) ---- */

void
dsa_idxd_boot_config(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	unsigned int ngroups, i, n = s->enabled_wqs;

	if (!s->configured || s->vfio || n == 0)
		return;
	/* As dpdk_idxd_cfg.py does: one engine per group, WQs spread. */
	ngroups = s->ngroups < s->nengines ? s->ngroups : s->nengines;
	if (ngroups > n)
		ngroups = n;
	for (i = 0; i < ngroups; i++)
		d->engine_group[i] = (int32_t)i;
	for (i = 0; i < n; i++) {
		struct dsa_shm_wq *w = &d->wq[i];

		w->group = (int32_t)(i % ngroups);
		w->size = s->wq_total / n;
		w->dedicated = !s->shared;
		w->threshold = s->shared ? (s->threshold != 0 && s->threshold < w->size ?
					    s->threshold : w->size) : 0;
		w->priority = 1;
		w->bof = s->bof_wq && s->bof;
		w->type = DSA_WQT_USER;
		w->max_xfer = s->wq_max_xfer;
		w->max_batch = s->wq_max_batch;
		snprintf(w->name, sizeof(w->name), "%s_wq%u.%u", s->prefix, s->id, i);
		snprintf(w->driver_name, sizeof(w->driver_name), "user");
	}
	if (enable_device(dev) < 0) {
		sim_log(DSA_LOG, "dsa%u: boot configuration failed (cmd_status %#x)",
			s->id, d->cmd_status);
		return;
	}
	for (i = 0; i < n; i++)
		if (enable_wq(dev, i, DSA_DRV_USER) < 0)
			sim_log(DSA_LOG, "dsa%u: wq%u.%u not enabled (cmd_status %#x)",
				s->id, s->id, i, d->cmd_status);
}

/* ---- stores ---- */

static ssize_t
wq_store(unsigned int dev, unsigned int wq, const char *attr, const char *buf, size_t len)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	struct dsa_shm_dev *d = D(dev);
	struct dsa_shm_wq *w = &d->wq[wq];
	bool wq_on = w->hw_state != DSA_WQ_STATE_DISABLED || w->drv != DSA_DRV_NONE;
	unsigned long long u;
	long long l;
	bool b;
	int err;

	if (strcmp(attr, "group_id") == 0) {
		if (kstrtoll(buf, len, &l) < 0)
			return -EINVAL;
		if (!configurable(dev) || wq_on)
			return -EPERM;
		if (l > (long long)s->ngroups - 1 || l < -1)
			return -EINVAL;
		w->group = (int32_t)l;
	} else if (strcmp(attr, "mode") == 0) {
		if (!configurable(dev) || wq_on)
			return -EPERM;
		if (streq(buf, len, "dedicated")) {
			w->dedicated = 1;
			w->threshold = 0;
		} else if (streq(buf, len, "shared")) {
			w->dedicated = 0;
		} else {
			return -EINVAL;
		}
	} else if (strcmp(attr, "size") == 0) {
		unsigned int total = 0, i;

		if (kstrtoull(buf, len, 10, &u) < 0)
			return -EINVAL;
		if (!configurable(dev) || d->drv == DSA_DRV_IDXD)
			return -EPERM;
		for (i = 0; i < s->nwqs; i++)
			total += d->wq[i].size;
		if (u + total - w->size > s->wq_total)
			return -EINVAL;
		w->size = (uint32_t)u;
	} else if (strcmp(attr, "priority") == 0) {
		if (kstrtoull(buf, len, 10, &u) < 0)
			return -EINVAL;
		if (!configurable(dev) || wq_on)
			return -EPERM;
		if (u > DSA_MAX_PRIORITY)
			return -EINVAL;
		w->priority = (uint32_t)u;
	} else if (strcmp(attr, "block_on_fault") == 0) {
		if (!(dsa_hw_gencap(dev) & DSA_GENCAP_BOF))
			return -EOPNOTSUPP;
		if (!configurable(dev))
			return -EPERM;
		if (wq_on)
			return -ENXIO;
		err = kstrtobool(buf, len, &b);
		if (err < 0)
			return err;
		if (b && w->prs_disable)
			return -EOPNOTSUPP;
		w->bof = b;
	} else if (strcmp(attr, "threshold") == 0) {
		if (kstrtoull(buf, len, 0, &u) < 0 || u > UINT32_MAX)
			return -EINVAL;
		if (u > w->size || u == 0)
			return -EINVAL;
		if (!configurable(dev))
			return -EPERM;
		if (wq_on)
			return -ENXIO;
		if (w->dedicated)
			return -EINVAL;
		w->threshold = (uint32_t)u;
	} else if (strcmp(attr, "type") == 0) {
		uint32_t old = w->type;

		if (wq_on)
			return -EPERM;
		if (streq(buf, len, "none"))
			w->type = DSA_WQT_NONE;
		else if (streq(buf, len, "kernel"))
			w->type = DSA_WQT_KERNEL;
		else if (streq(buf, len, "user"))
			w->type = DSA_WQT_USER;
		else
			return -EINVAL;
		if (w->type != old)
			memset(w->name, 0, sizeof(w->name));
	} else if (strcmp(attr, "name") == 0) {
		char tmp[DSA_WQ_NAME_SIZE + 2];
		char *p, *e;

		if (wq_on)
			return -EPERM;
		if (len > DSA_WQ_NAME_SIZE || len == 0)
			return -EINVAL;
		if (w->type == DSA_WQT_KERNEL && s->pasid)
			return -EOPNOTSUPP;
		memcpy(tmp, buf, len);
		tmp[len] = '\0';
		/* strim(): no leading or trailing white space. */
		for (p = tmp; isspace((unsigned char)*p); p++)
			;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		memset(w->name, 0, sizeof(w->name));
		snprintf(w->name, sizeof(w->name), "%s", p);
	} else if (strcmp(attr, "driver_name") == 0) {
		char tmp[DSA_DRIVER_NAME_SIZE + 2];

		if (wq_on)
			return -EPERM;
		if (len == 0 || len > DSA_DRIVER_NAME_SIZE || !chomp(buf, len, tmp, sizeof(tmp)) ||
		    tmp[0] == '\0')
			return -EINVAL;
		memset(w->driver_name, 0, sizeof(w->driver_name));
		snprintf(w->driver_name, sizeof(w->driver_name), "%s", tmp);
	} else if (strcmp(attr, "max_transfer_size") == 0) {
		if (!configurable(dev) || wq_on)
			return -EPERM;
		if (kstrtoull(buf, len, 0, &u) < 0 || u == 0)
			return -EINVAL;
		u = roundup_pow2(u);
		if (u > (1ull << s->max_xfer_shift))
			return -EINVAL;
		w->max_xfer = u;
	} else if (strcmp(attr, "max_batch_size") == 0) {
		if (!configurable(dev) || wq_on)
			return -EPERM;
		if (kstrtoull(buf, len, 0, &u) < 0 || u == 0)
			return -EINVAL;
		u = roundup_pow2(u);
		if (u > (1ull << s->max_batch_shift))
			return -EINVAL;
		w->max_batch = (uint32_t)u;
	} else if (strcmp(attr, "ats_disable") == 0) {
		if (wq_on || !configurable(dev))
			return -EPERM;
		err = kstrtobool(buf, len, &b);
		if (err < 0)
			return err;
		w->ats_disable = b;
	} else if (strcmp(attr, "enqcmds_retries") == 0) {
		if (w->dedicated)
			return -EOPNOTSUPP;
		if (kstrtoull(buf, len, 10, &u) < 0 || u > UINT32_MAX)
			return -EINVAL;
		w->enqcmds_retries = u > DSA_ENQCMDS_MAX_RETRIES ? DSA_ENQCMDS_MAX_RETRIES
								 : (uint32_t)u;
	} else {
		return -EACCES;
	}
	return (ssize_t)len;
}

static ssize_t
group_store(unsigned int dev, unsigned int g, const char *attr, const char *buf, size_t len)
{
	struct dsa_shm_dev *d = D(dev);
	struct dsa_shm_group *gr = &d->group[g];
	unsigned long long u;
	long long l;
	unsigned int i, reserved = 0, nengines = 0;

	for (i = 0; i < dsa_cfg.dev[dev].ngroups; i++)
		reserved += d->group[i].rdbufs_reserved;
	for (i = 0; i < dsa_cfg.dev[dev].nengines; i++)
		if (d->engine_group[i] == (int32_t)g)
			nengines++;
	if (strcmp(attr, "traffic_class_a") == 0 || strcmp(attr, "traffic_class_b") == 0) {
		if (kstrtoll(buf, len, &l) < 0)
			return -EINVAL;
		/* Version 1 devices: only with the tc_override parameter. */
		return -EPERM;
	}
	if (kstrtoull(buf, len, 10, &u) < 0)
		return -EINVAL;
	if (!configurable(dev) || d->drv == DSA_DRV_IDXD)
		return -EPERM;
	if (strcmp(attr, "read_buffers_reserved") == 0 ||
	    strcmp(attr, "tokens_reserved") == 0) {
		if (u > 96 || u > 96 - reserved + gr->rdbufs_reserved)
			return -EINVAL;
		gr->rdbufs_reserved = (uint32_t)u;
	} else if (strcmp(attr, "read_buffers_allowed") == 0 ||
		   strcmp(attr, "tokens_allowed") == 0) {
		if (u < 4ull * nengines || u > gr->rdbufs_reserved + (96 - reserved))
			return -EINVAL;
		gr->rdbufs_allowed = (uint32_t)u;
	} else if (strcmp(attr, "use_read_buffer_limit") == 0 ||
		   strcmp(attr, "use_token_limit") == 0) {
		if (d->rdbuf_limit == 0)
			return -EPERM;
		gr->use_rdbuf_limit = u != 0;
	} else {
		return -EACCES;
	}
	return (ssize_t)len;
}

static ssize_t
device_store(unsigned int dev, const char *attr, const char *buf, size_t len)
{
	struct dsa_shm_dev *d = D(dev);
	unsigned long long u;

	if (strcmp(attr, "cmd_status") == 0) {
		d->cmd_status = 0;
		return (ssize_t)len;
	}
	if (strcmp(attr, "read_buffer_limit") == 0 || strcmp(attr, "token_limit") == 0) {
		if (kstrtoull(buf, len, 10, &u) < 0)
			return -EINVAL;
		if (d->drv == DSA_DRV_IDXD || !configurable(dev))
			return -EPERM;
		if (u > 96)
			return -EINVAL;
		d->rdbuf_limit = (uint32_t)u;
		return (ssize_t)len;
	}
	return -EACCES;
}

/* Find a device by name ("dsa0", "wq0.1", "engine0.2", "group0.3"). */
static bool
find_object(const char *name, size_t len, unsigned int *dev, char *kind, unsigned int *idx)
{
	char s[64];
	unsigned int id, i, n;
	int consumed = 0;

	if (!chomp(name, len, s, sizeof(s)))
		return false;
	if (sscanf(s, "dsa%u%n", &id, &consumed) == 1 && s[consumed] == '\0') {
		*kind = 'd';
	} else if (sscanf(s, "wq%u.%u%n", &id, &n, &consumed) == 2 && s[consumed] == '\0') {
		*kind = 'w';
		*idx = n;
	} else {
		return false;
	}
	for (i = 0; i < dsa_cfg.ndev; i++) {
		const struct dsa_dev_spec *sp = &dsa_cfg.dev[i];

		if (sp->vfio || sp->id != id)
			continue;
		if (*kind == 'w' && *idx >= sp->nwqs)
			return false;
		*dev = i;
		return true;
	}
	return false;
}

static ssize_t
bind_store(enum dsa_drv drv, bool bind, const char *buf, size_t len)
{
	unsigned int dev, idx = 0;
	char kind;
	int err;

	if (!find_object(buf, len, &dev, &kind, &idx))
		return -ENODEV;
	/* The idxd driver takes devices, the others WQs. */
	if ((drv == DSA_DRV_IDXD) != (kind == 'd'))
		return -ENODEV;
	dsa_lock(dev);
	if (!bind) {
		err = 0;
		if (kind == 'd') {
			if (D(dev)->drv != DSA_DRV_IDXD)
				err = -ENODEV;
			else
				disable_device(dev);
		} else if (D(dev)->wq[idx].drv != (uint32_t)drv) {
			err = -ENODEV;
		} else {
			disable_wq(dev, idx);
		}
	} else if (kind == 'd') {
		err = enable_device(dev);
		if (err == 0)
			dsa_sysfs_bind_link(dev, -1, DSA_DRV_IDXD, true);
	} else {
		err = enable_wq(dev, idx, drv);
	}
	dsa_sysfs_render(dev);
	dsa_unlock(dev);
	return err < 0 ? err : (ssize_t)len;
}

/*
 * A store into the attribute at a canonical modelled path. Returns len or
 * -errno, as the kernel's store methods do.
 */
ssize_t
dsa_idxd_store(const char *path, const char *buf, size_t len)
{
	const char *p;
	unsigned int dev, id, a, b;
	char obj[64], attr[64];
	ssize_t r;
	int n = 0;

	if (strncmp(path, "/sys/bus/dsa/drivers/", 21) == 0) {
		char drvname[64], file[16];
		unsigned int i;

		if (sscanf(path + 21, "%63[^/]/%15s", drvname, file) != 2)
			return -EACCES;
		for (i = 1; i < DSA_DRV_COUNT; i++)
			if (strcmp(drvname, dsa_drv_names[i]) == 0)
				break;
		if (i == DSA_DRV_COUNT)
			return -EACCES;
		if (strcmp(file, "bind") == 0)
			return bind_store((enum dsa_drv)i, true, buf, len);
		if (strcmp(file, "unbind") == 0)
			return bind_store((enum dsa_drv)i, false, buf, len);
		return (ssize_t)len;
	}
	if (strncmp(path, "/sys/bus/dsa/", 13) == 0 || strncmp(path, "/sys/module/idxd", 16) == 0)
		return (ssize_t)len;   /* drivers_probe, uevent, parameters */
	/* .../dsaN/attr or .../dsaN/<obj>/attr */
	p = strstr(path, "/dsa");
	while (p != NULL && sscanf(p, "/dsa%u%n", &id, &n) == 1 && p[n] != '/')
		p = strstr(p + 1, "/dsa");
	if (p == NULL || sscanf(p, "/dsa%u%n", &id, &n) != 1)
		return -EACCES;
	for (dev = 0; dev < dsa_cfg.ndev; dev++)
		if (!dsa_cfg.dev[dev].vfio && dsa_cfg.dev[dev].id == id)
			break;
	if (dev == dsa_cfg.ndev)
		return -ENODEV;
	p += n + 1;
	dsa_lock(dev);
	if (sscanf(p, "%63[^/]/%63s", obj, attr) == 2) {
		if (sscanf(obj, "wq%u.%u", &a, &b) == 2 && a == id && b < dsa_cfg.dev[dev].nwqs) {
			r = wq_store(dev, b, attr, buf, len);
		} else if (sscanf(obj, "engine%u.%u", &a, &b) == 2 && a == id &&
			   b < dsa_cfg.dev[dev].nengines && strcmp(attr, "group_id") == 0) {
			long long l;

			if (kstrtoll(buf, len, &l) < 0)
				r = -EINVAL;
			else if (!configurable(dev))
				r = -EPERM;
			else if (l > (long long)dsa_cfg.dev[dev].ngroups - 1 || l < -1)
				r = -EINVAL;
			else {
				D(dev)->engine_group[b] = (int32_t)l;
				r = (ssize_t)len;
			}
		} else if (sscanf(obj, "group%u.%u", &a, &b) == 2 && a == id &&
			   b < dsa_cfg.dev[dev].ngroups) {
			r = group_store(dev, b, attr, buf, len);
		} else {
			r = -EACCES;
		}
	} else {
		r = device_store(dev, p, buf, len);
	}
	dsa_sysfs_render(dev);
	dsa_unlock(dev);
	return r;
}
