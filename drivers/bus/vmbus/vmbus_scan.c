/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scan /sys/bus/vmbus/devices. Every device bound to a user-space backend
 * is taken, whatever its class; drivers match later by class GUID. A device
 * whose attributes are missing or malformed is reported and skipped; the
 * scan goes on with the others.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "vmbus_private.h"

static const struct vmbus_backend *const vmbus_backends[] = {
	&vmbus_uio_backend,
};

static const struct vmbus_backend *
scan_backend(const char *sysfs_dir)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *drv;
	unsigned int i;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", sysfs_dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL; /* not bound to any driver */
	link[n] = '\0';
	drv = strrchr(link, '/');
	drv = drv != NULL ? drv + 1 : link;
	for (i = 0; i < RTE_DIM(vmbus_backends); i++)
		if (vmbus_backends[i]->claims(drv))
			return vmbus_backends[i];
	return NULL;
}

/* Read the attributes of one device; logs which attribute was bad. */
static int
scan_attributes(struct vmbus_device *dev, const char *dir)
{
	char path[PATH_MAX], uuid_str[RTE_UUID_STRLEN];
	uint64_t v;
	int ret;

	snprintf(path, sizeof(path), "%s/device_id", dir);
	ret = vmbus_sysfs_read_uuid(path, dev->device_id);
	if (ret < 0)
		goto bad_attr;
	rte_uuid_unparse(dev->device_id, uuid_str, sizeof(uuid_str));
	if (strcmp(uuid_str, dev->name) != 0) {
		VMBUS_LOG(ERR, "%s: device_id says %s; skipped", dev->name,
			  uuid_str);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/class_id", dir);
	ret = vmbus_sysfs_read_uuid(path, dev->class_id);
	if (ret < 0)
		goto bad_attr;
	snprintf(path, sizeof(path), "%s/id", dir);
	ret = vmbus_sysfs_read_u64(path, &v);
	if (ret == 0 && (v == 0 || v >= VMBUS_INT_PAGE_RELID_MAX))
		ret = -ERANGE;
	if (ret < 0)
		goto bad_attr;
	dev->relid = (uint32_t)v;
	/* No monitor_id: the host gave the channel none, so it is signalled
	 * by event. That is normal, not an error.
	 */
	snprintf(path, sizeof(path), "%s/monitor_id", dir);
	ret = vmbus_sysfs_read_u64(path, &v);
	if (ret == -ENOENT) {
		dev->monitor_id = VMBUS_NO_MONITOR;
	} else {
		if (ret == 0 && v >= VMBUS_MONITOR_ID_MAX)
			ret = -ERANGE;
		if (ret < 0)
			goto bad_attr;
		dev->monitor_id = (uint8_t)v;
	}
	dev->device.numa_node = SOCKET_ID_ANY;
	snprintf(path, sizeof(path), "%s/numa_node", dir);
	{
		char buf[32], *end;
		long node;

		if (vmbus_sysfs_read_str(path, buf, sizeof(buf)) == 0) {
			errno = 0;
			node = strtol(buf, &end, 10);
			if (errno == 0 && *end == '\0' && node >= 0 &&
			    node < RTE_MAX_NUMA_NODES)
				dev->device.numa_node = (int)node;
		}
	}
	return 0;
bad_attr:
	VMBUS_LOG(ERR, "%s: %s: %s; device skipped", dev->name, path,
		  ret == -ENOENT ? "missing" : "malformed");
	return ret;
}

static void
scan_insert_sorted(struct vmbus_device *dev)
{
	struct vmbus_device *d;

	TAILQ_FOREACH(d, &vmbus_devices, next) {
		if (rte_uuid_compare(dev->device_id, d->device_id) < 0) {
			TAILQ_INSERT_BEFORE(d, dev, next);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&vmbus_devices, dev, next);
}

static void
scan_one(const char *name)
{
	const struct vmbus_backend *backend;
	char dir[PATH_MAX];
	struct vmbus_device *dev;
	rte_uuid_t id;

	if (rte_uuid_parse(name, id) != 0)
		return; /* not a device directory */
	if (vmbus_device_find(name) != NULL)
		return; /* already known from an earlier scan */
	snprintf(dir, sizeof(dir), "%s/%s", VMBUS_SYSFS_DEVICES, name);
	backend = scan_backend(dir);
	if (backend == NULL) {
		VMBUS_LOG(DEBUG, "%s: not bound to a user-space driver", name);
		return;
	}
	if (vmbus_device_ignored(name)) {
		VMBUS_LOG(DEBUG, "%s: ignored by devargs", name);
		return;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		VMBUS_LOG(ERR, "%s: out of memory", name);
		return;
	}
	rte_strscpy(dev->name, name, sizeof(dev->name));
	dev->device.name = dev->name;
	dev->device.bus = &vmbus_bus;
	dev->device.devargs = vmbus_devargs_lookup(name);
	dev->backend = backend;
	dev->intr_fd = -1;
	dev->slot = -1;
	TAILQ_INIT(&dev->subchans);
	if (scan_attributes(dev, dir) < 0)
		goto skip;
	if (backend->scan_device(dev, dir) < 0) {
		VMBUS_LOG(ERR, "%s: bound to %s but its device node is missing; skipped",
			  name, backend->name);
		goto skip;
	}
	scan_insert_sorted(dev);
	VMBUS_LOG(DEBUG, "%s: relid %u monitor %d uio%d", name, dev->relid,
		  dev->monitor_id == VMBUS_NO_MONITOR ? -1 : dev->monitor_id,
		  dev->uio_num);
	return;
skip:
	free(dev);
}

int
vmbus_scan(void)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(VMBUS_SYSFS_DEVICES);
	if (dir == NULL) {
		/* No VMBus (not a Hyper-V guest): nothing to do. */
		if (errno == ENOENT)
			return 0;
		VMBUS_LOG(ERR, "cannot open %s: %s", VMBUS_SYSFS_DEVICES,
			  strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			scan_one(de->d_name);
	closedir(dir);
	return 0;
}
