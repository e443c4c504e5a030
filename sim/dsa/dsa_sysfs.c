/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The testbed contents of the DSA model, laid out as Linux 6.12 lays out
 * sysfs for idxd (Documentation/ABI/stable/sysfs-driver-dma-idxd):
 *
 *   sys/devices/pciDDDD:BB/DDDD:BB:DD.F/        the PCI function
 *       dsaN/                                   device attributes
 *           wqN.M/  engineN.M/  groupN.M/       their attributes
 *           wqN.M/dsa!wqN.M/                    the char device (user WQs)
 *   sys/bus/dsa/devices/{dsaN,wqN.M,...}        links to the above
 *   sys/bus/dsa/drivers/{idxd,user,dmaengine}/{bind,unbind}
 *   sys/module/idxd/parameters/
 *   dev/dsa/wqN.M                               while bound to "user"
 *
 * Attribute files hold what the kernel's show methods would print; they
 * are rewritten (atomically, by rename) after every change, so any reader
 * (cat, stdio, accel-config) sees current values. Writable attributes are
 * mode 0644 and get a write hook that runs the store rules (dsa_idxd.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dsa_model.h"

void
dsa_pci_name(unsigned int dev, char *buf, size_t len)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];

	snprintf(buf, len, "%04x:%02x:%02x.%x", s->domain, s->bus, s->devno, s->fn);
}

/* Modelled path of the PCI function's directory. */
void
dsa_pci_dir(unsigned int dev, char *buf, size_t len)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	char bdf[32];

	dsa_pci_name(dev, bdf, sizeof(bdf));
	snprintf(buf, len, "/sys/devices/pci%04x:%02x/%s", s->domain, s->bus, bdf);
}

void
dsa_dev_dir(unsigned int dev, char *buf, size_t len)
{
	char pci[128];

	dsa_pci_dir(dev, pci, sizeof(pci));
	snprintf(buf, len, "%s/dsa%u", pci, dsa_cfg.dev[dev].id);
}

static void
tb(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
tb(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s", dsa_tb);

	va_start(ap, fmt);
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Write an attribute file if its content changed; rename makes the new
 * content appear all at once.
 */
int
dsa_put(const char *model, mode_t mode, const char *fmt, ...)
{
	char path[SIM_PATH_MAX], tmp[SIM_PATH_MAX + 16], val[1200], cur[1200];
	va_list ap;
	int n, fd;
	ssize_t got = -1;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -EINVAL;
	tb(path, sizeof(path), "%s", model);
	fd = sim_raw_open(path, O_RDONLY, 0);
	if (fd >= 0) {
		got = sim_raw_read(fd, cur, sizeof(cur));
		sim_raw_close(fd);
		if (got == n && memcmp(cur, val, (size_t)n) == 0)
			return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d~", path, (int)getpid());
	fd = sim_raw_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -errno;
	syscall(SYS_fchmod, fd, mode);
	if (n > 0 && sim_raw_write(fd, val, (size_t)n) != n) {
		sim_raw_close(fd);
		return -EIO;
	}
	sim_raw_close(fd);
	if (syscall(SYS_renameat, AT_FDCWD, tmp, AT_FDCWD, path) < 0)
		return -errno;
	return 0;
}

int
dsa_mkdir(const char *model)
{
	char path[SIM_PATH_MAX];

	tb(path, sizeof(path), "%s", model);
	return sim_mkdir_p(path, 0755);
}

/*
 * Symlink at model path `link` pointing at model path `to`, relative from
 * their common ancestor as sysfs makes them ("../../../devices/...").
 */
int
dsa_link(const char *link, const char *to)
{
	char path[SIM_PATH_MAX], rel[SIM_PATH_MAX];
	size_t common = 0, i, n = 0;
	unsigned int up = 0;

	/* Longest common directory prefix. */
	for (i = 0; link[i] != '\0' && link[i] == to[i]; i++)
		if (link[i] == '/')
			common = i;
	for (i = common + 1; link[i] != '\0'; i++)
		if (link[i] == '/')
			up++;
	for (; up > 0 && n + 3 < sizeof(rel); up--) {
		memcpy(rel + n, "../", 3);
		n += 3;
	}
	snprintf(rel + n, sizeof(rel) - n, "%s", to + common + 1);
	tb(path, sizeof(path), "%s", link);
	syscall(SYS_unlinkat, AT_FDCWD, path, 0);
	if (syscall(SYS_symlinkat, rel, AT_FDCWD, path) < 0)
		return -errno;
	return 0;
}

void
dsa_unlink(const char *model)
{
	char path[SIM_PATH_MAX];

	tb(path, sizeof(path), "%s", model);
	syscall(SYS_unlinkat, AT_FDCWD, path, 0);
}

/* 256-bit bitmap as the kernel's "%*pb": 32-bit words, highest first. */
static void
fmt_bitmap(char *out, size_t len, const uint64_t w[4])
{
	int i;
	size_t n = 0;

	for (i = 3; i >= 0 && n < len; i--)
		n += (size_t)snprintf(out + n, len - n, "%08x,%08x%s",
				      (uint32_t)(w[i] >> 32), (uint32_t)w[i], i > 0 ? "," : "");
}

static const char *
wq_type_name(uint32_t t)
{
	return t == DSA_WQT_USER ? "user" : t == DSA_WQT_KERNEL ? "kernel" : "none";
}

static void
render_wq(unsigned int dev, unsigned int i, const char *ddir)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[i];
	char dir[256], p[320];
	bool enabled = w->drv != DSA_DRV_NONE;

	snprintf(dir, sizeof(dir), "%s/wq%u.%u", ddir, s->id, i);
#define WQ(name, mode, ...) do { \
		snprintf(p, sizeof(p), "%s/" name, dir); \
		dsa_put(p, mode, __VA_ARGS__); \
	} while (0)
	WQ("clients", 0444, "%u\n", w->clients);
	WQ("state", 0444, "%s\n", enabled ? "enabled" : "disabled");
	if (w->group >= 0)
		WQ("group_id", 0644, "%d\n", w->group);
	else
		WQ("group_id", 0644, "-1\n");
	WQ("mode", 0644, "%s\n", w->dedicated ? "dedicated" : "shared");
	WQ("size", 0644, "%u\n", w->size);
	WQ("priority", 0644, "%u\n", w->priority);
	WQ("block_on_fault", 0644, "%u\n", w->bof);
	WQ("threshold", 0644, "%u\n", w->threshold);
	WQ("type", 0644, "%s\n", wq_type_name(w->type));
	WQ("name", 0644, "%s\n", w->name);
	/* Reading cdev_minor fails (ENXIO) without a cdev: an empty file
	 * reads as 0 bytes, which readers treat the same way.
	 */
	if (w->cdev_minor >= 0)
		WQ("cdev_minor", 0444, "%d\n", w->cdev_minor);
	else
		WQ("cdev_minor", 0444, "%s", "");
	WQ("max_transfer_size", 0644, "%llu\n", (unsigned long long)w->max_xfer);
	WQ("max_batch_size", 0644, "%u\n", w->max_batch);
	WQ("ats_disable", 0644, "%u\n", w->ats_disable);
	WQ("occupancy", 0444, "%u\n", __atomic_load_n(&w->occupancy, __ATOMIC_RELAXED));
	if (w->dedicated)
		WQ("enqcmds_retries", 0644, "%s", "");
	else
		WQ("enqcmds_retries", 0644, "%u\n", w->enqcmds_retries);
	WQ("driver_name", 0644, "%s\n", w->driver_name);
#undef WQ
}

static void
render_group(unsigned int dev, unsigned int g, const char *ddir)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_dev *d = &dsa_shm->dev[dev];
	const struct dsa_shm_group *gr = &d->group[g];
	char dir[256], p[320], list[1024];
	size_t n;
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/group%u.%u", ddir, s->id, g);
#define GR(name, mode, ...) do { \
		snprintf(p, sizeof(p), "%s/" name, dir); \
		dsa_put(p, mode, __VA_ARGS__); \
	} while (0)
	for (n = 0, i = 0; i < s->nwqs; i++)
		if (d->wq[i].group == (int32_t)g)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%swq%u.%u",
					      n ? " " : "", s->id, i);
	GR("work_queues", 0444, "%s%s", list, n ? "\n" : "");
	for (n = 0, i = 0; i < s->nengines; i++)
		if (d->engine_group[i] == (int32_t)g)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%sengine%u.%u",
					      n ? " " : "", s->id, i);
	GR("engines", 0444, "%s%s", list, n ? "\n" : "");
	GR("use_token_limit", 0644, "%u\n", gr->use_rdbuf_limit);
	GR("use_read_buffer_limit", 0644, "%u\n", gr->use_rdbuf_limit);
	GR("tokens_allowed", 0644, "%u\n", gr->rdbufs_allowed);
	GR("read_buffers_allowed", 0644, "%u\n", gr->rdbufs_allowed);
	GR("tokens_reserved", 0644, "%u\n", gr->rdbufs_reserved);
	GR("read_buffers_reserved", 0644, "%u\n", gr->rdbufs_reserved);
	GR("traffic_class_a", 0644, "%d\n", (int)gr->tc_a);
	GR("traffic_class_b", 0644, "%d\n", (int)gr->tc_b);
#undef GR
}

void
dsa_sysfs_render(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_dev *d = &dsa_shm->dev[dev];
	char ddir[256], p[320], bm[128];
	uint64_t opcap[4];
	unsigned int i, clients = 0;
	const char *state;

	if (s->vfio)
		return;
	dsa_dev_dir(dev, ddir, sizeof(ddir));
	for (i = 0; i < s->nwqs; i++)
		clients += d->wq[i].clients;
	for (i = 0; i < 4; i++)
		opcap[i] = dsa_hw_read(dev, DSA_REG_OPCAP + 8 * i, 8);
	/* INTEL-SA-01084: user submission is not "safe" on DSA 1.0, and the
	 * kernel hides Batch from op_cap.
	 */
	opcap[0] &= ~(1ull << DSA_OP_BATCH);
	switch (dsa_hw_gensts(dev)) {
	case DSA_GENSTS_ENABLED:
		state = d->drv == DSA_DRV_IDXD ? "enabled" : "unknown";
		break;
	case DSA_GENSTS_DISABLED:
		state = "disabled";
		break;
	case DSA_GENSTS_HALTED:
		state = "halted";
		break;
	default:
		state = "unknown";
		break;
	}
#define DV(name, mode, ...) do { \
		snprintf(p, sizeof(p), "%s/" name, ddir); \
		dsa_put(p, mode, __VA_ARGS__); \
	} while (0)
	DV("version", 0444, "%#x\n", (unsigned int)dsa_hw_read(dev, DSA_REG_VERSION, 4));
	DV("max_groups", 0444, "%u\n", s->ngroups);
	DV("max_work_queues", 0444, "%u\n", s->nwqs);
	DV("max_work_queues_size", 0444, "%u\n", s->wq_total);
	DV("max_engines", 0444, "%u\n", s->nengines);
	DV("numa_node", 0444, "%d\n", s->numa);
	DV("max_batch_size", 0444, "%u\n", 1u << s->max_batch_shift);
	DV("max_transfer_size", 0444, "%llu\n", 1ull << s->max_xfer_shift);
	fmt_bitmap(bm, sizeof(bm), opcap);
	DV("op_cap", 0444, "%s\n", bm);
	DV("gen_cap", 0444, "%#llx\n", (unsigned long long)dsa_hw_gencap(dev));
	DV("configurable", 0444, "%u\n",
	   (dsa_hw_gencap(dev) & DSA_GENCAP_CONFIGURABLE) ? 1u : 0u);
	DV("clients", 0444, "%u\n", clients);
	DV("pasid_enabled", 0444, "%u\n", s->pasid ? 1u : 0u);
	DV("state", 0444, "%s\n", state);
	fmt_bitmap(bm, sizeof(bm), d->sw_err);
	DV("errors", 0444, "%s\n", bm);
	DV("max_tokens", 0444, "%u\n", 96u);
	DV("max_read_buffers", 0444, "%u\n", 96u);
	DV("token_limit", 0644, "%u\n", d->rdbuf_limit);
	DV("read_buffer_limit", 0644, "%u\n", d->rdbuf_limit);
	DV("cdev_major", 0444, "%u\n", DSA_CDEV_MAJOR);
	DV("cmd_status", 0644, "%#x\n", d->cmd_status);
#undef DV
	for (i = 0; i < s->nwqs; i++)
		render_wq(dev, i, ddir);
	for (i = 0; i < s->nengines; i++) {
		snprintf(p, sizeof(p), "%s/engine%u.%u/group_id", ddir, s->id, i);
		dsa_put(p, 0644, "%d\n", d->engine_group[i]);
	}
	for (i = 0; i < s->ngroups; i++)
		render_group(dev, i, ddir);
}

void
dsa_sysfs_bind_link(unsigned int dev, int wq, enum dsa_drv drv, bool bound)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	char ddir[256], obj[320], name[64], link[320], drvdir[128];

	dsa_dev_dir(dev, ddir, sizeof(ddir));
	if (wq < 0) {
		snprintf(name, sizeof(name), "dsa%u", s->id);
		snprintf(obj, sizeof(obj), "%s", ddir);
	} else {
		snprintf(name, sizeof(name), "wq%u.%d", s->id, wq);
		snprintf(obj, sizeof(obj), "%s/%s", ddir, name);
	}
	snprintf(drvdir, sizeof(drvdir), "/sys/bus/dsa/drivers/%s", dsa_drv_names[drv]);
	snprintf(link, sizeof(link), "%s/driver", obj);
	if (bound)
		dsa_link(link, drvdir);
	else
		dsa_unlink(link);
	snprintf(link, sizeof(link), "%s/%s", drvdir, name);
	if (bound)
		dsa_link(link, obj);
	else
		dsa_unlink(link);
}

void
dsa_sysfs_wq_cdev(unsigned int dev, unsigned int wq, bool present)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	char ddir[256], cdir[320], p[400], path[SIM_PATH_MAX];

	dsa_dev_dir(dev, ddir, sizeof(ddir));
	snprintf(cdir, sizeof(cdir), "%s/wq%u.%u/dsa!wq%u.%u", ddir, s->id, wq, s->id, wq);
	snprintf(p, sizeof(p), "/sys/bus/dsa/devices/dsa!wq%u.%u", s->id, wq);
	if (!present) {
		dsa_unlink(p);
		tb(path, sizeof(path), "%s", cdir);
		sim_rm_rf(path);
		snprintf(p, sizeof(p), "/dev/dsa/wq%u.%u", s->id, wq);
		dsa_unlink(p);
		return;
	}
	dsa_mkdir(cdir);
	snprintf(p, sizeof(p), "%s/dev", cdir);
	dsa_put(p, 0444, "%u:%d\n", DSA_CDEV_MAJOR, w->cdev_minor);
	snprintf(p, sizeof(p), "%s/uevent", cdir);
	dsa_put(p, 0644, "MAJOR=%u\nMINOR=%d\nDEVNAME=dsa/wq%u.%u\n", DSA_CDEV_MAJOR,
	    w->cdev_minor, s->id, wq);
	snprintf(p, sizeof(p), "%s/subsystem", cdir);
	dsa_link(p, "/sys/bus/dsa");
	snprintf(p, sizeof(p), "/sys/bus/dsa/devices/dsa!wq%u.%u", s->id, wq);
	dsa_link(p, cdir);
	/* The node udev creates, root-only as by default. */
	snprintf(p, sizeof(p), "/dev/dsa/wq%u.%u", s->id, wq);
	tb(path, sizeof(path), "%s", p);
	sim_write_file(path, "", 0);
	syscall(SYS_fchmodat, AT_FDCWD, path, 0600);
}

static int
driver_dir(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/bus/dsa/drivers/%s", name);
	dsa_mkdir(p);
	snprintf(p, sizeof(p), "/sys/bus/dsa/drivers/%s/bind", name);
	dsa_put(p, 0200, "%s", "");
	snprintf(p, sizeof(p), "/sys/bus/dsa/drivers/%s/unbind", name);
	dsa_put(p, 0200, "%s", "");
	snprintf(p, sizeof(p), "/sys/bus/dsa/drivers/%s/uevent", name);
	return dsa_put(p, 0200, "%s", "");
}

/* The PCI function: what tools (lspci, EAL) read. */
static int
build_pci(unsigned int dev)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	char pdir[128], p[256], bdf[32];
	int err;

	dsa_pci_dir(dev, pdir, sizeof(pdir));
	dsa_pci_name(dev, bdf, sizeof(bdf));
	err = dsa_mkdir(pdir);
	if (err < 0)
		return err;
#define PCI(name, mode, ...) do { \
		snprintf(p, sizeof(p), "%s/" name, pdir); \
		dsa_put(p, mode, __VA_ARGS__); \
	} while (0)
	PCI("vendor", 0444, "0x%04x\n", DSA_PCI_VENDOR);
	PCI("device", 0444, "0x%04x\n", DSA_PCI_DEVICE);
	PCI("subsystem_vendor", 0444, "0x%04x\n", DSA_PCI_VENDOR);
	PCI("subsystem_device", 0444, "0x%04x\n", 0);
	PCI("class", 0444, "0x%06x\n", DSA_PCI_CLASS);
	PCI("revision", 0444, "0x%02x\n", 1);
	PCI("numa_node", 0444, "%d\n", s->numa);
	PCI("enable", 0644, "%u\n", 1);
	PCI("irq", 0444, "%u\n", 0);
	PCI("modalias", 0444, "pci:v00008086d00000B25sv00008086sd00000000bc08sc80i00\n");
	PCI("uevent", 0644, "DRIVER=%s\nPCI_CLASS=88000\nPCI_ID=8086:0B25\n"
	    "PCI_SLOT_NAME=%s\n", s->vfio ? "vfio-pci" : "idxd", bdf);
#undef PCI
	return 0;
}

int
dsa_sysfs_build(void)
{
	char p[320], ddir[256], target[320];
	unsigned int dev, i;
	int err;

	err = dsa_mkdir("/sys/bus/dsa/devices");
	if (err < 0)
		return err;
	dsa_put("/sys/bus/dsa/drivers_autoprobe", 0644, "1\n");
	dsa_put("/sys/bus/dsa/drivers_probe", 0200, "%s", "");
	dsa_put("/sys/bus/dsa/uevent", 0200, "%s", "");
	for (i = 1; i < DSA_DRV_COUNT; i++)
		driver_dir(dsa_drv_names[i]);
	/* accel-config refuses to run without the module directory. */
	dsa_mkdir("/sys/module/idxd/parameters");
	dsa_put("/sys/module/idxd/parameters/sva", 0644, "Y\n");
	dsa_put("/sys/module/idxd/parameters/tc_override", 0644, "N\n");
	dsa_put("/sys/module/idxd/initstate", 0444, "live\n");
	dsa_put("/sys/module/idxd/refcnt", 0444, "0\n");
	dsa_mkdir("/dev/dsa");

	for (dev = 0; dev < dsa_cfg.ndev; dev++) {
		const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];

		err = build_pci(dev);
		if (err < 0)
			return err;
		if (s->vfio)
			continue;
		dsa_dev_dir(dev, ddir, sizeof(ddir));
		dsa_mkdir(ddir);
		snprintf(p, sizeof(p), "%s/subsystem", ddir);
		dsa_link(p, "/sys/bus/dsa");
		snprintf(p, sizeof(p), "%s/uevent", ddir);
		dsa_put(p, 0644, "%s", "");
		snprintf(p, sizeof(p), "/sys/bus/dsa/devices/dsa%u", s->id);
		dsa_link(p, ddir);
		for (i = 0; i < s->nwqs; i++) {
			snprintf(target, sizeof(target), "%s/wq%u.%u", ddir, s->id, i);
			dsa_mkdir(target);
			snprintf(p, sizeof(p), "%s/subsystem", target);
			dsa_link(p, "/sys/bus/dsa");
			snprintf(p, sizeof(p), "%s/uevent", target);
			dsa_put(p, 0644, "%s", "");
			snprintf(p, sizeof(p), "/sys/bus/dsa/devices/wq%u.%u", s->id, i);
			dsa_link(p, target);
		}
		for (i = 0; i < s->nengines; i++) {
			snprintf(target, sizeof(target), "%s/engine%u.%u", ddir, s->id, i);
			dsa_mkdir(target);
			snprintf(p, sizeof(p), "%s/subsystem", target);
			dsa_link(p, "/sys/bus/dsa");
			snprintf(p, sizeof(p), "/sys/bus/dsa/devices/engine%u.%u", s->id, i);
			dsa_link(p, target);
		}
		for (i = 0; i < s->ngroups; i++) {
			snprintf(target, sizeof(target), "%s/group%u.%u", ddir, s->id, i);
			dsa_mkdir(target);
			snprintf(p, sizeof(p), "%s/subsystem", target);
			dsa_link(p, "/sys/bus/dsa");
			snprintf(p, sizeof(p), "/sys/bus/dsa/devices/group%u.%u", s->id, i);
			dsa_link(p, target);
		}
	}
	return 0;
}

/* ---- the hooks for attributes ---- */

/*
 * occupancy changes with every submission, which the trap handler cannot
 * render; like the kernel reading WQCFG, it is read when opened. (The
 * fd already open sees the file as it was: sysfs reads at open too.)
 */
static void
refresh_live(const char *path)
{
	const char *p = strrchr(path, '/');
	unsigned int id, wq, dev;
	char dir[256], file[320];
	int n = 0;

	if (p == NULL || strcmp(p, "/occupancy") != 0)
		return;
	while (p > path && p[-1] != '/')
		p--;
	if (sscanf(p, "wq%u.%u%n", &id, &wq, &n) != 2 || p[n] != '/')
		return;
	for (dev = 0; dev < dsa_cfg.ndev; dev++)
		if (!dsa_cfg.dev[dev].vfio && dsa_cfg.dev[dev].id == id &&
		    wq < dsa_cfg.dev[dev].nwqs)
			break;
	if (dev == dsa_cfg.ndev)
		return;
	dsa_dev_dir(dev, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s%s/wq%u.%u/occupancy", dsa_tb, dir, id, wq);
	/* In place, not by rename: the caller's fd is already open on it. */
	n = snprintf(dir, sizeof(dir), "%u\n",
		     __atomic_load_n(&dsa_shm->dev[dev].wq[wq].occupancy, __ATOMIC_RELAXED));
	sim_write_file(file, dir, (size_t)n);
}


static ssize_t
attr_write(void *priv, int fd, const void *buf, size_t len)
{
	ssize_t r;

	(void)fd;
	r = dsa_idxd_store(priv, buf, len);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static ssize_t
attr_pwrite(void *priv, int fd, const void *buf, size_t len, off_t off)
{
	(void)off;
	return attr_write(priv, fd, buf, len);
}

static const struct sim_fd_ops attr_ops = {
	.write = attr_write,
	.pwrite = attr_pwrite,
	.free = free,
};

int
dsa_sysfs_open_hook(int fd, const char *path, int flags)
{
	char tbp[SIM_PATH_MAX], real[SIM_PATH_MAX], canon[SIM_PATH_MAX];
	struct stat st;
	char *priv;
	unsigned int dev;
	int r;

	if (flags & O_PATH)
		return fd;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		refresh_live(path);
		return fd;
	}
	/* The canonical name: through the bus links and driver links. */
	if (sim_fd_model_path(fd, canon, sizeof(canon)) == NULL) {
		snprintf(tbp, sizeof(tbp), "%s%s", dsa_tb, path);
		if (realpath(tbp, real) == NULL ||
		    sim_untestbed(real, canon, sizeof(canon)) == NULL)
			return fd;
	}
	if (syscall(SYS_fstat, fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fd;
	if (!(st.st_mode & 0222)) {
		sim_real_close(fd);
		return -EACCES;
	}
	priv = strdup(canon);
	if (priv == NULL) {
		sim_real_close(fd);
		return -ENOMEM;
	}
	r = sim_fd_install(fd, &attr_ops, priv);
	if (r < 0) {
		free(priv);
		sim_real_close(fd);
		return r;
	}
	/* O_TRUNC emptied the file; put the value back. */
	if (flags & O_TRUNC)
		for (dev = 0; dev < dsa_cfg.ndev; dev++) {
			dsa_lock(dev);
			dsa_sysfs_render(dev);
			dsa_unlock(dev);
		}
	return fd;
}
