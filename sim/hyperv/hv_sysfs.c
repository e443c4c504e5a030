/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The testbed contents of the Hyper-V model, laid out as Linux lays out
 * sysfs for VMBus devices bound to uio_hv_generic (and /dev/uioN).
 *
 * Directories that appear while the guest may be scanning (sub-channels)
 * are built under a hidden name and renamed into place, so a scan sees a
 * channel directory either complete or not at all, and a ring file either
 * at full size or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hv_model.h"

#define GARBAGE "{junk!?}\n"
#define UIO_VERSION "0.02.1"
#define HV_VENDOR 0x1414
#define HV_DEVICE 0x5353
/* Linux starts GPADL handles here. */
#define HV_FIRST_GPADL 0xe1e10

void
hv_dev_path(char *buf, size_t len, unsigned int dev, const char *sub)
{
	snprintf(buf, len, "%s/sys/bus/vmbus/devices/%s%s%s", hv_tb,
		 hv_cfg.dev[dev].id, sub != NULL ? "/" : "", sub != NULL ? sub : "");
}

void
hv_ring_path(char *buf, size_t len, unsigned int dev, uint32_t relid)
{
	char sub[64];

	snprintf(sub, sizeof(sub), "channels/%u/ring", relid);
	hv_dev_path(buf, len, dev, sub);
}

void
hv_map_file(char *buf, size_t len, unsigned int dev, unsigned int map)
{
	if (map == 0)
		hv_ring_path(buf, len, dev, hv_cfg.dev[dev].relid);
	else if (map == 1)
		snprintf(buf, len, "%s/.hvsim/int_page", hv_tb);
	else if (map == 2)
		snprintf(buf, len, "%s/.hvsim/monitor_page", hv_tb);
	else
		snprintf(buf, len, "%s/.hvsim/dev%u.map%u", hv_tb, dev, map);
}

size_t
hv_map_size(unsigned int dev, unsigned int map)
{
	const struct hv_service *s = hv_service_find(hv_cfg.dev[dev].class_guid);

	if (map == 0)
		return 2 * (size_t)hv_cfg.dev[dev].ring_size;
	if (map < HV_STD_MAPS)
		return HV_PAGE_SIZE;
	if (map < HV_MAX_MAPS && hv_cfg.dev[dev].map_size[map] != 0)
		return hv_cfg.dev[dev].map_size[map];
	if (s != NULL && map - HV_STD_MAPS < s->nmaps)
		return s->maps[map - HV_STD_MAPS].size;
	return 0;
}

static void
map_name(char *buf, size_t len, unsigned int dev, unsigned int map)
{
	static const char *const std[HV_STD_MAPS] = {
		"txrx_rings", "int_page", "monitor_page",
	};
	const struct hv_service *s = hv_service_find(hv_cfg.dev[dev].class_guid);

	if (map < HV_STD_MAPS)
		snprintf(buf, len, "%s", std[map]);
	else
		snprintf(buf, len, "%s:%u", s->maps[map - HV_STD_MAPS].prefix,
			 hv_shm->dev[dev].gpadl[map]);
}

/* One device attribute, honouring omit= and garbage=. */
static int
dev_attr(unsigned int dev, enum hv_attr a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
dev_attr(unsigned int dev, enum hv_attr a, const char *fmt, ...)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	char path[SIM_PATH_MAX], val[256];
	va_list ap;

	if (s->omit & (1u << a))
		return 0;
	hv_dev_path(path, sizeof(path), dev, hv_attr_names[a]);
	if (s->garbage & (1u << a))
		return sim_write_file(path, GARBAGE, strlen(GARBAGE));
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return sim_write_file(path, val, strlen(val));
}

/* modalias: the GUID's 16 bytes in memory order (guid_t), in hex. */
static void
modalias(const char *guid, char *out)
{
	static const int order[16] = {
		6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34,
	};
	unsigned int i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = guid[order[i]];
		out[2 * i + 1] = guid[order[i] + 1];
	}
	out[32] = '\0';
}

static int
symlink_at(const char *target, const char *path)
{
	if (syscall(SYS_symlinkat, target, AT_FDCWD, path) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
driver_dir(const char *name)
{
	static const char *const files[] = { "new_id", "remove_id", "bind", "unbind", "uevent" };
	char path[SIM_PATH_MAX];
	unsigned int i;
	int err;

	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/%s", hv_tb, name);
	err = sim_mkdir_p(path, 0755);
	for (i = 0; err == 0 && i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/%s/%s",
			 hv_tb, name, files[i]);
		err = sim_write_file(path, "", 0);
	}
	return err;
}

int
hv_sysfs_add_channel(unsigned int dev, unsigned int slot, bool ring,
		     uint64_t *ring_dev, uint64_t *ring_ino)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	const struct hv_shm_chan *c = &hv_shm->dev[dev].chan[slot];
	char tmp[SIM_PATH_MAX + 16], dir[SIM_PATH_MAX], path[SIM_PATH_MAX + 32];
	char sub[64];
	int err;

	snprintf(sub, sizeof(sub), "channels/.new-%u", c->relid);
	hv_dev_path(tmp, sizeof(tmp), dev, sub);
	snprintf(sub, sizeof(sub), "channels/%u", c->relid);
	hv_dev_path(dir, sizeof(dir), dev, sub);
	err = sim_mkdir_p(tmp, 0755);
	if (err < 0)
		return err;

#define CH_ATTR(name, ...) do { \
		snprintf(path, sizeof(path), "%s/" name, tmp); \
		if (err == 0) \
			err = sim_printf_file(path, __VA_ARGS__); \
	} while (0)
	CH_ATTR("subchannel_id", "%u\n", c->subch_id);
	CH_ATTR("cpu", "%u\n", slot % 2);
	CH_ATTR("in_mask", "%u\n", 1);
	CH_ATTR("out_mask", "%u\n", 0);
	CH_ATTR("read_avail", "%u\n", 0);
	CH_ATTR("write_avail", "%u\n", s->ring_size - HV_PAGE_SIZE);
	CH_ATTR("events", "%u\n", 0);
	CH_ATTR("interrupts", "%u\n", 0);
	/* Linux hides these three when the channel has no monitor id. */
	if (c->monitor_id != HV_NO_MONITOR) {
		CH_ATTR("monitor_id", "%d\n", c->monitor_id);
		CH_ATTR("latency", "%u\n", s->latency_us * 10);
		CH_ATTR("pending", "%u\n", 0);
	}
#undef CH_ATTR
	if (err < 0)
		return err;
	if (rename(tmp, dir) < 0)
		return -errno;
	if (!ring)
		return 0;
	err = hv_sysfs_ring_file(dev, c->relid, true, ring_dev, ring_ino);
	return err < 0 ? err : hv_sysfs_ring_publish(dev, c->relid);
}

void
hv_sysfs_ring_hidden_path(char *buf, size_t len, unsigned int dev, uint32_t relid)
{
	char sub[64];

	snprintf(sub, sizeof(sub), "channels/%u/.ring.new", relid);
	hv_dev_path(buf, len, dev, sub);
}

int
hv_sysfs_ring_file(unsigned int dev, uint32_t relid, bool hidden,
		   uint64_t *ring_dev, uint64_t *ring_ino)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	char tmp[SIM_PATH_MAX];
	struct stat st;
	int err;

	hv_sysfs_ring_hidden_path(tmp, sizeof(tmp), dev, relid);
	err = sim_create_sized(tmp, 2 * (size_t)s->ring_size);
	if (err < 0)
		return err;
	if (stat(tmp, &st) < 0)
		return -errno;
	*ring_dev = st.st_dev;
	*ring_ino = st.st_ino;
	return hidden ? 0 : hv_sysfs_ring_publish(dev, relid);
}

int
hv_sysfs_ring_publish(unsigned int dev, uint32_t relid)
{
	char tmp[SIM_PATH_MAX], path[SIM_PATH_MAX];

	hv_sysfs_ring_hidden_path(tmp, sizeof(tmp), dev, relid);
	hv_ring_path(path, sizeof(path), dev, relid);
	return rename(tmp, path) < 0 ? -errno : 0;
}

void
hv_sysfs_remove_channel(unsigned int dev, uint32_t relid)
{
	char sub[64], dir[SIM_PATH_MAX];

	snprintf(sub, sizeof(sub), "channels/%u", relid);
	hv_dev_path(dir, sizeof(dir), dev, sub);
	sim_rm_rf(dir);
}

static int
uio_dir(unsigned int dev)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	char dir[SIM_PATH_MAX], path[SIM_PATH_MAX + 64], name[64];
	unsigned int m, nmaps = hv_total_maps(dev);
	int err;

	snprintf(name, sizeof(name), "uio/uio%d", s->uio_index);
	hv_dev_path(dir, sizeof(dir), dev, name);
	err = sim_mkdir_p(dir, 0755);
	snprintf(path, sizeof(path), "%s/name", dir);
	if (err == 0)
		err = sim_printf_file(path, "%s\n", HV_UIO_DRIVER);
	snprintf(path, sizeof(path), "%s/version", dir);
	if (err == 0)
		err = sim_printf_file(path, "%s\n", UIO_VERSION);
	snprintf(path, sizeof(path), "%s/dev", dir);
	if (err == 0)
		err = sim_printf_file(path, "%d:%d\n", 243, s->uio_index);
	snprintf(path, sizeof(path), "%s/device", dir);
	if (err == 0)
		err = symlink_at("../..", path);
	for (m = 0; err == 0 && m < nmaps; m++) {
		char mdir[SIM_PATH_MAX + 32], mname[64];
		/* Invented but stable "physical" addresses. */
		uint64_t addr = 0x100000000ull + ((uint64_t)dev << 28) + ((uint64_t)m << 24);

		snprintf(mdir, sizeof(mdir), "%s/maps/map%u", dir, m);
		err = sim_mkdir_p(mdir, 0755);
		map_name(mname, sizeof(mname), dev, m);
		snprintf(path, sizeof(path), "%s/name", mdir);
		if (err == 0)
			err = sim_printf_file(path, "%s\n", mname);
		snprintf(path, sizeof(path), "%s/addr", mdir);
		if (err == 0)
			err = sim_printf_file(path, "0x%016llx\n", (unsigned long long)addr);
		snprintf(path, sizeof(path), "%s/size", mdir);
		if (err == 0)
			err = sim_printf_file(path, "0x%016llx\n",
					      (unsigned long long)hv_map_size(dev, m));
		snprintf(path, sizeof(path), "%s/offset", mdir);
		if (err == 0)
			err = sim_printf_file(path, "0x%x\n", 0);
		if (err == 0 && m >= HV_STD_MAPS) {
			hv_map_file(path, sizeof(path), dev, m);
			err = sim_create_sized(path, hv_map_size(dev, m));
		}
	}
	if (err < 0)
		return err;

	snprintf(path, sizeof(path), "%s/sys/class/uio/uio%d", hv_tb, s->uio_index);
	snprintf(dir, sizeof(dir), "../../bus/vmbus/devices/%s/uio/uio%d",
		 s->id, s->uio_index);
	err = symlink_at(dir, path);
	snprintf(path, sizeof(path), "%s/dev/uio%d", hv_tb, s->uio_index);
	if (err == 0)
		err = sim_write_file(path, "", 0);
	return err;
}

static int
build_device(unsigned int dev)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	struct hv_shm_chan *c = &hv_shm->dev[dev].chan[0];
	char dir[SIM_PATH_MAX], path[SIM_PATH_MAX + 64], target[128], alias[33];
	int err;

	hv_dev_path(dir, sizeof(dir), dev, NULL);
	err = sim_mkdir_p(dir, 0755);
	if (err < 0)
		return err;
	modalias(s->class_guid, alias);
	err = dev_attr(dev, HV_ATTR_CLASS_ID, "{%s}\n", s->class_guid);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_DEVICE_ID, "{%s}\n", s->id);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_ID, "%u\n", s->relid);
	if (err == 0 && s->monitor_id != HV_NO_MONITOR)
		err = dev_attr(dev, HV_ATTR_MONITOR_ID, "%d\n", s->monitor_id);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_NUMA_NODE, "%d\n", s->numa);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_VENDOR, "0x%x\n", HV_VENDOR);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_DEVICE, "0x%x\n", HV_DEVICE);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_STATE, "%d\n", 3);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_MODALIAS, "vmbus:%s\n", alias);
	if (err == 0)
		err = dev_attr(dev, HV_ATTR_DRIVER_OVERRIDE, "(null)\n");
	if (err < 0)
		return err;

	snprintf(path, sizeof(path), "%s/subsystem", dir);
	err = symlink_at("../..", path);
	/* The two standard driver directories exist already. */
	if (err == 0 && strcmp(s->driver, HV_UIO_DRIVER) != 0 &&
	    strcmp(s->driver, HV_NETVSC_DRIVER) != 0)
		err = driver_dir(s->driver);
	snprintf(path, sizeof(path), "%s/driver", dir);
	snprintf(target, sizeof(target), "../../drivers/%s", s->driver);
	if (err == 0)
		err = symlink_at(target, path);
	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/%s/%s", hv_tb,
		 s->driver, s->id);
	snprintf(target, sizeof(target), "../../devices/%s", s->id);
	if (err == 0)
		err = symlink_at(target, path);
	hv_dev_path(path, sizeof(path), dev, "channels");
	if (err == 0)
		err = sim_mkdir_p(path, 0755);
	if (err == 0)
		err = hv_sysfs_add_channel(dev, 0, s->uio, &c->ring_dev, &c->ring_ino);
	if (err == 0 && s->uio)
		err = uio_dir(dev);
	return err;
}

int
hv_sysfs_build(void)
{
	char path[SIM_PATH_MAX];
	unsigned int i, m, gpadl = HV_FIRST_GPADL;
	int err;

	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/devices", hv_tb);
	err = sim_mkdir_p(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/class/uio", hv_tb);
	if (err == 0)
		err = sim_mkdir_p(path, 0755);
	snprintf(path, sizeof(path), "%s/dev", hv_tb);
	if (err == 0)
		err = sim_mkdir_p(path, 0755);
	if (err == 0)
		err = driver_dir(HV_UIO_DRIVER);
	if (err == 0)
		err = driver_dir(HV_NETVSC_DRIVER);
	for (i = 0; err == 0 && i < hv_cfg.ndev; i++) {
		for (m = HV_STD_MAPS; m < hv_total_maps(i); m++)
			hv_shm->dev[i].gpadl[m] = gpadl++;
		err = build_device(i);
	}
	return err;
}

void
hv_sysfs_rescind(unsigned int dev)
{
	const struct hv_dev_spec *s = &hv_cfg.dev[dev];
	char path[SIM_PATH_MAX];

	if (s->uio) {
		snprintf(path, sizeof(path), "%s/sys/class/uio/uio%d", hv_tb, s->uio_index);
		sim_rm_rf(path);
		snprintf(path, sizeof(path), "%s/dev/uio%d", hv_tb, s->uio_index);
		sim_rm_rf(path);
	}
	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/%s/%s", hv_tb,
		 s->driver, s->id);
	sim_rm_rf(path);
	hv_dev_path(path, sizeof(path), dev, NULL);
	sim_rm_rf(path);
}
