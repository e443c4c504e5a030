/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend for devices bound to Linux's uio_hv_generic.
 *
 * /dev/uioN maps: index i at offset i * page size, names and sizes in
 * /sys/.../uio/uioN/maps/mapI. Sub-channel rings are the sysfs files
 * channels/<relid>/ring. A 4-byte write of 1 to /dev/uioN unmasks host
 * interrupts on every channel and, for channels without a monitor id,
 * makes the kernel signal the host; 0 masks. A 4-byte read waits for an
 * interrupt and fails with EIO once the host rescinded the device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "vmbus_private.h"

#define UIO_DRIVER_NAME "uio_hv_generic"

struct uio_map_rule {
	const char *name;   /* exact name, or prefix ending in ':' */
	size_t min_size;
	bool required;
};

/* What each map must be; names as uio_hv_generic sets them up. */
static const struct uio_map_rule uio_map_rules[VMBUS_MAP_MAX] = {
	[VMBUS_MAP_RINGS] = { "txrx_rings", 4 * VMBUS_HV_PAGE_SIZE, true },
	[VMBUS_MAP_INT_PAGE] = { "int_page", VMBUS_HV_PAGE_SIZE, true },
	[VMBUS_MAP_MONITOR_PAGE] = { "monitor_page",
				     sizeof(struct vmbus_monitor_page), true },
	[VMBUS_MAP_RECV_BUF] = { "recv:", VMBUS_HV_PAGE_SIZE, false },
	[VMBUS_MAP_SEND_BUF] = { "send:", VMBUS_HV_PAGE_SIZE, false },
};

static bool
uio_claims(const char *drv_name)
{
	return strcmp(drv_name, UIO_DRIVER_NAME) == 0;
}

static int
uio_scan_device(struct vmbus_device *dev, const char *sysfs_dir)
{
	char path[PATH_MAX], *end;
	struct dirent *de;
	long num = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/uio", sysfs_dir);
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "uio", 3) != 0)
			continue;
		errno = 0;
		num = strtol(de->d_name + 3, &end, 10);
		if (errno == 0 && *end == '\0' && end != de->d_name + 3 &&
		    num >= 0 && num < INT_MAX)
			break;
		num = -1;
	}
	closedir(dir);
	if (num < 0)
		return -ENOENT;
	dev->uio_num = (int)num;
	return 0;
}

/* Read name and size of map i; -ENOENT if the device has no such map. */
static int
uio_read_map_info(const struct vmbus_device *dev, int i, char *name,
		  size_t name_len, uint64_t *size)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/%s/uio/uio%d/maps/map%d/name",
		 VMBUS_SYSFS_DEVICES, dev->name, dev->uio_num, i);
	ret = vmbus_sysfs_read_str(path, name, name_len);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s/uio/uio%d/maps/map%d/size",
		 VMBUS_SYSFS_DEVICES, dev->name, dev->uio_num, i);
	return vmbus_sysfs_read_u64(path, size);
}

static int
uio_check_map(const struct vmbus_device *dev, int i, const char *name,
	      uint64_t size, uint32_t *gpadl)
{
	const struct uio_map_rule *rule = &uio_map_rules[i];
	size_t plen = strlen(rule->name);
	long page = sysconf(_SC_PAGESIZE);
	char *end;

	if (rule->name[plen - 1] == ':') {
		unsigned long v;

		if (strncmp(name, rule->name, plen) != 0)
			goto bad_name;
		errno = 0;
		v = strtoul(name + plen, &end, 10);
		if (errno != 0 || *end != '\0' || end == name + plen ||
		    v == 0 || v > UINT32_MAX) {
			VMBUS_LOG(ERR, "%s: map%d: bad GPADL handle in \"%s\"",
				  dev->name, i, name);
			return -EINVAL;
		}
		*gpadl = (uint32_t)v;
	} else if (strcmp(name, rule->name) != 0) {
		goto bad_name;
	}
	if (size < rule->min_size || size % (size_t)page != 0 ||
	    size > ((uint64_t)1 << 32) ||
	    (i == VMBUS_MAP_RINGS && size % (2 * VMBUS_HV_PAGE_SIZE) != 0)) {
		VMBUS_LOG(ERR, "%s: map%d (%s): unusable size %" PRIu64,
			  dev->name, i, name, size);
		return -EINVAL;
	}
	return 0;
bad_name:
	VMBUS_LOG(ERR, "%s: map%d is \"%s\", expected %s", dev->name, i, name,
		  rule->name);
	return -EINVAL;
}

static void
uio_unmap(struct vmbus_device *dev)
{
	int i;

	for (i = 0; i < VMBUS_MAP_MAX; i++) {
		if (dev->map[i].addr != NULL)
			munmap(dev->map[i].addr, dev->map[i].size);
		dev->map[i].addr = NULL;
		dev->map[i].size = 0;
	}
	if (dev->intr_fd >= 0)
		close(dev->intr_fd);
	dev->intr_fd = -1;
}

static int
uio_map(struct vmbus_device *dev, const struct vmbus_map *want)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[64], name[64];
	uint64_t size;
	int i, ret;

	snprintf(path, sizeof(path), "/dev/uio%d", dev->uio_num);
	dev->intr_fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dev->intr_fd < 0) {
		ret = -errno;
		VMBUS_LOG(ERR, "%s: cannot open %s: %s", dev->name, path,
			  strerror(errno));
		return ret;
	}
	for (i = 0; i < VMBUS_MAP_MAX; i++) {
		uint32_t gpadl = 0;
		void *addr;

		ret = uio_read_map_info(dev, i, name, sizeof(name), &size);
		if (ret == -ENOENT && !uio_map_rules[i].required)
			continue;
		if (ret < 0) {
			VMBUS_LOG(ERR, "%s: uio%d map%d: cannot read: %s",
				  dev->name, dev->uio_num, i, strerror(-ret));
			goto fail;
		}
		ret = uio_check_map(dev, i, name, size, &gpadl);
		if (ret < 0)
			goto fail;
		if (want != NULL && want[i].size != size) {
			VMBUS_LOG(ERR, "%s: map%d changed size since the primary mapped it",
				  dev->name, i);
			ret = -EINVAL;
			goto fail;
		}
		addr = vmbus_map_shared(want != NULL ? want[i].addr : NULL, size,
					dev->intr_fd, (off_t)i * page);
		if (addr == MAP_FAILED) {
			ret = -errno;
			VMBUS_LOG(ERR, "%s: mmap of map%d (%s) failed: %s",
				  dev->name, i, name, strerror(errno));
			goto fail;
		}
		dev->map[i].addr = addr;
		dev->map[i].size = size;
		dev->map[i].gpadl = gpadl;
	}
	return 0;
fail:
	uio_unmap(dev);
	return ret;
}

static int
uio_map_subchan(struct vmbus_device *dev, uint32_t relid, void *want,
		void **ring, size_t *size)
{
	char path[PATH_MAX];
	struct stat st;
	void *addr;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s/channels/%u/ring",
		 VMBUS_SYSFS_DEVICES, dev->name, relid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* The ring file's size is the real ring size (both halves). */
	if (st.st_size < 4 * (off_t)VMBUS_HV_PAGE_SIZE ||
	    st.st_size % (2 * VMBUS_HV_PAGE_SIZE) != 0 ||
	    st.st_size > ((off_t)1 << 32)) {
		VMBUS_LOG(ERR, "%s: relid %u: ring file size %jd unusable",
			  dev->name, relid, (intmax_t)st.st_size);
		close(fd);
		return -EINVAL;
	}
	addr = vmbus_map_shared(want, st.st_size, fd, 0);
	ret = errno;
	close(fd);
	if (addr == MAP_FAILED)
		/* ENODEV until the kernel has opened the channel. */
		return ret == ENODEV ? -EAGAIN : -ret;
	*ring = addr;
	*size = st.st_size;
	return 0;
}

static void
uio_unmap_subchan(void *ring, size_t size)
{
	if (ring != NULL)
		munmap(ring, size);
}

static int
uio_write_irqcontrol(struct vmbus_device *dev, uint32_t value)
{
	ssize_t n = write(dev->intr_fd, &value, sizeof(value));

	if (n == sizeof(value))
		return 0;
	return n < 0 ? -errno : -EIO;
}

static int
uio_signal_event(struct vmbus_device *dev)
{
	return uio_write_irqcontrol(dev, 1);
}

static int
uio_intr_enable(struct vmbus_device *dev, bool enable)
{
	return uio_write_irqcontrol(dev, enable ? 1 : 0);
}

static int
uio_intr_read(struct vmbus_device *dev)
{
	uint32_t count;
	ssize_t n = read(dev->intr_fd, &count, sizeof(count));

	if (n == sizeof(count))
		return 1;
	if (n < 0 && errno == EIO)
		return -ENODEV;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return n < 0 ? -errno : -EIO;
}

/* Kernels that expose sub-channel ring files have one for the primary. */
static unsigned int
uio_max_channels(const struct vmbus_device *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/channels/%u/ring",
		 VMBUS_SYSFS_DEVICES, dev->name, dev->relid);
	return access(path, F_OK) == 0 ? 64 : 1;
}

const struct vmbus_backend vmbus_uio_backend = {
	.name = "uio_hv_generic",
	.claims = uio_claims,
	.scan_device = uio_scan_device,
	.map = uio_map,
	.unmap = uio_unmap,
	.map_subchan = uio_map_subchan,
	.unmap_subchan = uio_unmap_subchan,
	.signal_event = uio_signal_event,
	.intr_enable = uio_intr_enable,
	.intr_read = uio_intr_read,
	.max_channels = uio_max_channels,
};
