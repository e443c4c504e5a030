/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "vmbus" bus object: registration with EAL, probe/remove, devargs
 * (allow/block lists by instance GUID), device mapping and the rescind
 * watch on each device's event fd.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_interrupts.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <sys/mman.h>

#include <rte_string_fns.h>

#include "vmbus_private.h"

struct vmbus_device_list vmbus_devices = TAILQ_HEAD_INITIALIZER(vmbus_devices);
struct vmbus_driver_list vmbus_drivers = TAILQ_HEAD_INITIALIZER(vmbus_drivers);

RTE_LOG_REGISTER_DEFAULT(vmbus_logtype, NOTICE);

struct vmbus_device *vmbus_slot_dev[VMBUS_MAX_DEVICES];
static struct vmbus_shared *vmbus_shared;

/* Sub-channel rings a secondary process mapped, to unmap them again. */
static struct vmbus_shared_subchan vmbus_secondary_rings[VMBUS_MAX_DEVICES]
							[VMBUS_MAX_SUBCHANNELS];

static struct vmbus_shared *
shared_state(void)
{
	const struct rte_memzone *mz;

	if (vmbus_shared != NULL)
		return vmbus_shared;
	mz = rte_memzone_lookup(VMBUS_SHARED_MZ);
	if (mz == NULL && !vmbus_is_secondary()) {
		mz = rte_memzone_reserve(VMBUS_SHARED_MZ, sizeof(struct vmbus_shared),
					 SOCKET_ID_ANY, 0);
		if (mz != NULL)
			memset(mz->addr, 0, sizeof(struct vmbus_shared));
	}
	if (mz != NULL)
		vmbus_shared = mz->addr;
	return vmbus_shared;
}

struct vmbus_shared_slot *
vmbus_device_slot(const struct vmbus_device *dev)
{
	if (dev->slot < 0 || vmbus_shared == NULL)
		return NULL;
	return &vmbus_shared->slot[dev->slot];
}

/* Give dev its slot: the one with its name, or (primary) a free one. */
static int
slot_attach(struct vmbus_device *dev)
{
	struct vmbus_shared *sh = shared_state();
	int i, free_slot = -1;

	if (sh == NULL) {
		VMBUS_LOG(ERR, "%s: no shared state%s", dev->name,
			  vmbus_is_secondary() ? " (primary has no VMBus devices)" : "");
		return -ENOMEM;
	}
	for (i = 0; i < VMBUS_MAX_DEVICES; i++) {
		if (strcmp(sh->slot[i].name, dev->name) == 0)
			break;
		if (free_slot < 0 && sh->slot[i].name[0] == '\0')
			free_slot = i;
	}
	if (i == VMBUS_MAX_DEVICES) {
		if (vmbus_is_secondary()) {
			VMBUS_LOG(ERR, "%s: not mapped by the primary process", dev->name);
			return -ENODEV;
		}
		if (free_slot < 0) {
			VMBUS_LOG(ERR, "%s: more than %d devices", dev->name,
				  VMBUS_MAX_DEVICES);
			return -ENOSPC;
		}
		i = free_slot;
		rte_strscpy(sh->slot[i].name, dev->name, sizeof(sh->slot[i].name));
	}
	dev->slot = i;
	vmbus_slot_dev[i] = dev;
	return 0;
}

static void
slot_release(struct vmbus_device *dev)
{
	if (dev->slot < 0)
		return;
	if (!vmbus_is_secondary() && vmbus_shared != NULL)
		memset(&vmbus_shared->slot[dev->slot], 0,
		       sizeof(vmbus_shared->slot[dev->slot]));
	vmbus_slot_dev[dev->slot] = NULL;
	dev->slot = -1;
}

static int
memseg_list_end(const struct rte_memseg_list *msl, void *arg)
{
	uintptr_t *end = arg, e = (uintptr_t)msl->base_va + msl->len;

	if (e > *end)
		*end = e;
	return 0;
}

void *
vmbus_map_shared(void *want, size_t size, int fd, off_t off)
{
	static uintptr_t cursor;
	const int prot = PROT_READ | PROT_WRITE;
	void *addr;

	if (want != NULL) {
		addr = mmap(want, size, prot, MAP_SHARED | MAP_FIXED_NOREPLACE,
			    fd, off);
		if (addr != MAP_FAILED && addr != want) {
			munmap(addr, size); /* kernel without NOREPLACE */
			errno = EEXIST;
			addr = MAP_FAILED;
		}
		return addr;
	}
	/* Secondary processes reserve EAL memory at the primary's addresses
	 * and little else is placed past it: map there.
	 */
	if (cursor == 0) {
		uintptr_t end = 0;

		rte_memseg_list_walk(memseg_list_end, &end);
		cursor = end == 0 ? UINTPTR_MAX :
			 RTE_ALIGN_CEIL(end + ((uintptr_t)1 << 30), (uintptr_t)1 << 30);
	}
	if (cursor != UINTPTR_MAX) {
		addr = mmap((void *)cursor, size, prot,
			    MAP_SHARED | MAP_FIXED_NOREPLACE, fd, off);
		if (addr == (void *)cursor) {
			cursor += RTE_ALIGN_CEIL(size, (size_t)1 << 21);
			return addr;
		}
		if (addr != MAP_FAILED)
			munmap(addr, size);
		else if (errno != EEXIST)
			return MAP_FAILED;
	}
	return mmap(NULL, size, prot, MAP_SHARED, fd, off);
}

void
vmbus_register_driver(struct vmbus_driver *drv)
{
	TAILQ_INSERT_TAIL(&vmbus_drivers, drv, next);
}

void
vmbus_unregister_driver(struct vmbus_driver *drv)
{
	TAILQ_REMOVE(&vmbus_drivers, drv, next);
}

struct vmbus_device *
vmbus_device_find(const char *name)
{
	struct vmbus_device *dev;

	TAILQ_FOREACH(dev, &vmbus_devices, next)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

struct rte_devargs *
vmbus_devargs_lookup(const char *name)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH(VMBUS_BUS_NAME, da)
		if (strcmp(da->name, name) == 0)
			return da;
	return NULL;
}

bool
vmbus_device_ignored(const char *name)
{
	struct rte_devargs *da = vmbus_devargs_lookup(name);

	if (vmbus_bus.conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST)
		return da == NULL || da->policy != RTE_DEV_ALLOWED;
	return da != NULL && da->policy == RTE_DEV_BLOCKED;
}

/* Runs on the interrupt thread when the event fd is readable: either an
 * interrupt the host sent while unmasked (ignored: the bus polls) or the
 * rescind, after which every read fails with EIO.
 */
static void
vmbus_intr_watch(void *arg)
{
	struct vmbus_device *dev = arg;
	int ret = dev->backend->intr_read(dev);

	if (ret != -ENODEV)
		return;
	if (!dev->rescinded) {
		dev->rescinded = true;
		VMBUS_LOG(WARNING, "%s: rescinded by the host", dev->name);
		if (dev->driver != NULL && dev->driver->rescind != NULL)
			dev->driver->rescind(dev);
	}
	/* The fd stays readable forever: stop watching it. */
	rte_intr_callback_unregister_pending(dev->intr_handle, vmbus_intr_watch,
					     dev, NULL);
	dev->intr_watch = false;
}

static int
vmbus_watch_start(struct vmbus_device *dev)
{
	int ret;

	if (dev->driver != NULL && (dev->driver->drv_flags & VMBUS_DRV_INTR))
		return 0;
	if (dev->intr_handle == NULL) {
		dev->intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
		if (dev->intr_handle == NULL)
			return -ENOMEM;
	}
	if (rte_intr_fd_set(dev->intr_handle, dev->intr_fd) < 0 ||
	    rte_intr_type_set(dev->intr_handle, RTE_INTR_HANDLE_EXT) < 0)
		return -EINVAL;
	ret = rte_intr_callback_register(dev->intr_handle, vmbus_intr_watch, dev);
	if (ret < 0) {
		VMBUS_LOG(ERR, "%s: cannot watch for rescind: %s", dev->name,
			  strerror(-ret));
		return ret;
	}
	dev->intr_watch = true;
	return 0;
}

static void
vmbus_watch_stop(struct vmbus_device *dev)
{
	int ret;

	if (!dev->intr_watch)
		return;
	do {
		ret = rte_intr_callback_unregister(dev->intr_handle,
						   vmbus_intr_watch, dev);
		if (ret == -EAGAIN)
			rte_delay_us_sleep(100); /* callback running */
	} while (ret == -EAGAIN);
	dev->intr_watch = false;
}

static void
unmap_secondary_subchans(struct vmbus_device *dev)
{
	struct vmbus_shared_subchan *rings;
	unsigned int i;

	if (!vmbus_is_secondary() || dev->slot < 0)
		return;
	rings = vmbus_secondary_rings[dev->slot];
	for (i = 0; i < VMBUS_MAX_SUBCHANNELS; i++) {
		if (rings[i].addr != NULL)
			dev->backend->unmap_subchan(rings[i].addr, rings[i].size);
		rings[i].addr = NULL;
	}
}

/* The primary's sub-channel objects point at rings mapped at these
 * addresses: map them at the same place here.
 */
static int
map_secondary_subchans(struct vmbus_device *dev, struct vmbus_shared_slot *slot)
{
	struct vmbus_shared_subchan *rings = vmbus_secondary_rings[dev->slot];
	unsigned int i;
	int ret;

	for (i = 0; i < slot->nb_subchan && i < VMBUS_MAX_SUBCHANNELS; i++) {
		void *ring;
		size_t size;

		ret = dev->backend->map_subchan(dev, slot->subchan[i].relid,
						slot->subchan[i].addr, &ring, &size);
		if (ret == 0 && size != slot->subchan[i].size) {
			dev->backend->unmap_subchan(ring, size);
			ret = -EINVAL;
		}
		if (ret < 0) {
			VMBUS_LOG(ERR, "%s: relid %u: cannot map the sub-channel ring at the primary's address: %s",
				  dev->name, slot->subchan[i].relid, strerror(-ret));
			return ret;
		}
		rings[i] = (struct vmbus_shared_subchan){
			.relid = slot->subchan[i].relid, .addr = ring, .size = size,
		};
	}
	return 0;
}

int
vmbus_device_map(struct vmbus_device *dev)
{
	struct vmbus_shared_slot *slot;
	int ret;

	if (dev->rescinded)
		return -ENODEV;
	if (dev->intr_fd >= 0)
		return 0;
	ret = slot_attach(dev);
	if (ret < 0)
		return ret;
	slot = vmbus_device_slot(dev);
	ret = dev->backend->map(dev, vmbus_is_secondary() ? slot->map : NULL);
	if (ret < 0) {
		VMBUS_LOG(ERR, "%s: cannot map%s", dev->name, vmbus_is_secondary() ?
			  " at the primary process's addresses" : "");
		goto fail_slot;
	}
	if (vmbus_is_secondary()) {
		ret = map_secondary_subchans(dev, slot);
		if (ret < 0)
			goto fail_unmap;
	} else {
		memcpy(slot->map, dev->map, sizeof(slot->map));
	}
	ret = vmbus_watch_start(dev);
	if (ret < 0)
		goto fail_unmap;
	return 0;
fail_unmap:
	unmap_secondary_subchans(dev);
	dev->backend->unmap(dev);
fail_slot:
	if (vmbus_is_secondary())
		slot_release(dev);
	return ret;
}

void
vmbus_device_unmap(struct vmbus_device *dev)
{
	if (dev->intr_fd < 0)
		return;
	vmbus_watch_stop(dev);
	vmbus_subchan_close_all(dev);
	if (dev->primary != NULL)
		vmbus_chan_close(dev->primary);
	unmap_secondary_subchans(dev);
	dev->backend->unmap(dev);
	if (vmbus_is_secondary())
		slot_release(dev);
	else if (vmbus_device_slot(dev) != NULL)
		memset(vmbus_device_slot(dev)->map, 0,
		       sizeof(vmbus_device_slot(dev)->map));
}

static bool
channel_has_data(struct vmbus_device *dev)
{
	struct vmbus_channel *c;

	if (dev->primary != NULL && !vmbus_chan_rx_empty(dev->primary))
		return true;
	TAILQ_FOREACH(c, &dev->subchans, next)
		if (!vmbus_chan_rx_empty(c))
			return true;
	return false;
}

int
vmbus_device_intr_wait(struct vmbus_device *dev, int timeout_ms)
{
	struct pollfd pfd;
	int ret;

	if (dev->rescinded || dev->intr_fd < 0)
		return -ENODEV;
	ret = dev->backend->intr_enable(dev, true);
	if (ret < 0)
		return ret == -EIO ? -ENODEV : ret;
	/* A packet that arrived while we were masked raised no interrupt. */
	if (channel_has_data(dev))
		return 1;
	pfd.fd = dev->intr_fd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (ret == 0)
		return 0;
	ret = dev->backend->intr_read(dev);
	if (ret == -ENODEV)
		dev->rescinded = true;
	return ret;
}

static bool
driver_matches(const struct vmbus_driver *drv, const struct vmbus_device *dev)
{
	const rte_uuid_t *id;

	for (id = drv->id_table; id != NULL && !rte_uuid_is_null(*id); id++)
		if (rte_uuid_compare(*id, dev->class_id) == 0)
			return true;
	return false;
}

static int
vmbus_probe_device(struct vmbus_device *dev)
{
	struct vmbus_driver *drv;
	int ret;

	if (dev->driver != NULL)
		return 0;
	TAILQ_FOREACH(drv, &vmbus_drivers, next) {
		if (!driver_matches(drv, dev))
			continue;
		VMBUS_LOG(INFO, "%s: probing with %s", dev->name,
			  drv->driver.name);
		dev->driver = drv;
		if (drv->drv_flags & VMBUS_DRV_NEED_MAPPING) {
			ret = vmbus_device_map(dev);
			if (ret < 0) {
				dev->driver = NULL;
				return ret;
			}
		}
		ret = drv->probe(drv, dev);
		if (ret < 0) {
			VMBUS_LOG(ERR, "%s: %s probe failed: %s", dev->name,
				  drv->driver.name, strerror(-ret));
			vmbus_device_unmap(dev);
			dev->driver = NULL;
			return ret;
		}
		dev->device.driver = &drv->driver;
		return 0;
	}
	VMBUS_LOG(DEBUG, "%s: no driver for its class", dev->name);
	return 1;
}

static int
vmbus_probe(void)
{
	struct vmbus_device *dev;
	int failed = 0;

	TAILQ_FOREACH(dev, &vmbus_devices, next)
		if (vmbus_probe_device(dev) < 0)
			failed++;
	/* One device failing must not stop the others or EAL. */
	if (failed > 0)
		VMBUS_LOG(WARNING, "%d device(s) failed to probe", failed);
	return 0;
}

static int
vmbus_remove_device(struct vmbus_device *dev)
{
	int ret = 0;

	if (dev->driver != NULL && dev->driver->remove != NULL)
		ret = dev->driver->remove(dev);
	if (ret < 0)
		return ret;
	vmbus_device_unmap(dev);
	dev->driver = NULL;
	dev->device.driver = NULL;
	return 0;
}

static void
vmbus_free_device(struct vmbus_device *dev)
{
	TAILQ_REMOVE(&vmbus_devices, dev, next);
	slot_release(dev);
	if (dev->intr_handle != NULL)
		rte_intr_instance_free(dev->intr_handle);
	free(dev);
}

static struct rte_device *
vmbus_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
		  const void *data)
{
	struct vmbus_device *dev;
	bool started = start == NULL;

	TAILQ_FOREACH(dev, &vmbus_devices, next) {
		if (!started) {
			started = &dev->device == start;
			continue;
		}
		if (cmp(&dev->device, data) == 0)
			return &dev->device;
	}
	return NULL;
}

static int
vmbus_plug(struct rte_device *rdev)
{
	struct vmbus_device *dev = container_of(rdev, struct vmbus_device, device);
	int ret = vmbus_probe_device(dev);

	return ret > 0 ? -ENOENT : ret;
}

static int
vmbus_unplug(struct rte_device *rdev)
{
	struct vmbus_device *dev = container_of(rdev, struct vmbus_device, device);
	int ret = vmbus_remove_device(dev);

	if (ret == 0) {
		rte_devargs_remove(rdev->devargs);
		vmbus_free_device(dev);
	}
	return ret;
}

/* Device names on this bus are instance GUIDs. */
static int
vmbus_parse(const char *name, void *addr)
{
	char canonical[RTE_UUID_STRLEN];
	rte_uuid_t id;

	if (strlen(name) != RTE_UUID_STRLEN - 1 || rte_uuid_parse(name, id) != 0)
		return 1;
	if (addr != NULL) {
		rte_uuid_unparse(id, canonical, sizeof(canonical));
		memcpy(addr, canonical, sizeof(canonical));
	}
	return 0;
}

static int
vmbus_cleanup(void)
{
	struct vmbus_device *dev;
	int ret = 0;

	while ((dev = TAILQ_FIRST(&vmbus_devices)) != NULL) {
		if (vmbus_remove_device(dev) < 0) {
			VMBUS_LOG(ERR, "%s: driver refused removal", dev->name);
			ret = -EBUSY;
		}
		vmbus_free_device(dev);
	}
	return ret;
}

/* uio gives the host guest physical addresses and has no IOMMU. */
static enum rte_iova_mode
vmbus_iommu_class(void)
{
	return TAILQ_EMPTY(&vmbus_devices) ? RTE_IOVA_DC : RTE_IOVA_PA;
}

struct rte_bus vmbus_bus = {
	.name = VMBUS_BUS_NAME,
	.scan = vmbus_scan,
	.probe = vmbus_probe,
	.find_device = vmbus_find_device,
	.plug = vmbus_plug,
	.unplug = vmbus_unplug,
	.parse = vmbus_parse,
	.get_iommu_class = vmbus_iommu_class,
	.cleanup = vmbus_cleanup,
};

RTE_REGISTER_BUS(vmbus, vmbus_bus);
