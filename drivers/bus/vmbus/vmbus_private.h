/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the udrv VMBus bus. */
#ifndef VMBUS_PRIVATE_H
#define VMBUS_PRIVATE_H

#include <bus_driver.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "bus_vmbus.h"
#include "vmbus_ring.h"

extern int vmbus_logtype;
#define VMBUS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vmbus_logtype, "vmbus: " fmt "\n", \
		##__VA_ARGS__)

/* Where the kernel exposes VMBus devices. */
#define VMBUS_SYSFS_DEVICES "/sys/bus/vmbus/devices"

/* One kernel interface that hands VMBus devices to user space. The rest of
 * the bus never touches the kernel directly, so vfio-vmbus can sit beside
 * uio_hv_generic.
 */
struct vmbus_backend {
	const char *name;
	/* True if a scanned device bound to driver drv_name is ours. */
	bool (*claims)(const char *drv_name);
	/* Find the backend-specific identity (uio number) during scan. */
	int (*scan_device)(struct vmbus_device *dev, const char *sysfs_dir);
	/* Open the device and map dev->map[]; sets dev->intr_fd. want: the
	 * primary's mappings when called in a secondary process, else NULL.
	 */
	int (*map)(struct vmbus_device *dev, const struct vmbus_map *want);
	void (*unmap)(struct vmbus_device *dev);
	/* Map the rings of sub-channel relid (at want, if not NULL):
	 * -EAGAIN while the kernel has not finished opening it.
	 */
	int (*map_subchan)(struct vmbus_device *dev, uint32_t relid,
			   void *want, void **ring, size_t *size);
	void (*unmap_subchan)(void *ring, size_t size);
	/* Ask the kernel to signal the host for a channel without monitor. */
	int (*signal_event)(struct vmbus_device *dev);
	/* Enable (true) or mask host interrupts on every channel. */
	int (*intr_enable)(struct vmbus_device *dev, bool enable);
	/* Consume pending interrupt notifications: 1 read, 0 none, -ENODEV
	 * rescinded.
	 */
	int (*intr_read)(struct vmbus_device *dev);
	/* Whether the kernel can expose sub-channel rings at all. */
	unsigned int (*max_channels)(const struct vmbus_device *dev);
};

extern const struct vmbus_backend vmbus_uio_backend;

/*
 * State shared with secondary processes, in one memzone: where the primary
 * mapped each device (secondaries map at the same addresses, so channel
 * objects in shared memory stay valid) and its channel objects.
 */
#define VMBUS_SHARED_MZ       "udrv_vmbus_shared"
#define VMBUS_MAX_DEVICES     64
#define VMBUS_MAX_SUBCHANNELS 64

struct vmbus_shared_subchan {
	uint32_t relid;
	void *addr;
	size_t size;
};

struct vmbus_shared_slot {
	char name[RTE_UUID_STRLEN];    /* empty: free slot */
	struct vmbus_map map[VMBUS_MAP_MAX];
	struct vmbus_channel *primary;
	unsigned int nb_subchan;
	struct vmbus_shared_subchan subchan[VMBUS_MAX_SUBCHANNELS];
};

struct vmbus_shared {
	struct vmbus_shared_slot slot[VMBUS_MAX_DEVICES];
};

/* This process's device for each slot (channels name devices by slot). */
extern struct vmbus_device *vmbus_slot_dev[VMBUS_MAX_DEVICES];

/* Shared slot of a device, NULL if it has none (vmbus_bus.c). */
struct vmbus_shared_slot *vmbus_device_slot(const struct vmbus_device *dev);

/*
 * mmap fd at off for size bytes at an address a secondary process can use
 * too: want if given (secondary: the primary's address, else failure),
 * otherwise past EAL's memory reservations.
 */
void *vmbus_map_shared(void *want, size_t size, int fd, off_t off);

static inline bool
vmbus_is_secondary(void)
{
	return rte_eal_process_type() == RTE_PROC_SECONDARY;
}

struct vmbus_channel {
	struct vmbus_ring tx;          /* guest to host */
	struct vmbus_ring rx;          /* host to guest */
	uint16_t slot;                 /* vmbus_slot_dev[] index */
	TAILQ_ENTRY(vmbus_channel) next;
	uint32_t relid;
	uint16_t subchannel_id;
	uint8_t monitor_id;
	void *ring_map;                /* sub-channel ring mapping */
	size_t ring_map_size;
	struct vmbus_chan_stats stats;
};

/* Channel objects built from a ring mapping (vmbus_channel.c). */
static inline struct vmbus_device *
vmbus_chan_dev(const struct vmbus_channel *chan)
{
	return vmbus_slot_dev[chan->slot];
}

int vmbus_channel_create(struct vmbus_device *dev, void *ring, size_t ring_size,
		      uint32_t relid, uint16_t subchannel_id,
		      uint8_t monitor_id, struct vmbus_channel **chan);

/* Sub-channels of dev that are open; closed when the device is unmapped. */
void vmbus_subchan_close_all(struct vmbus_device *dev);

/* sysfs helpers (vmbus_sysfs.c). Each logs nothing; callers know context. */
int vmbus_sysfs_read_str(const char *path, char *buf, size_t len);
int vmbus_sysfs_read_u64(const char *path, uint64_t *val);
int vmbus_sysfs_read_uuid(const char *path, rte_uuid_t uuid);

/* Scan (vmbus_scan.c). */
int vmbus_scan(void);
struct vmbus_device_list_head;
TAILQ_HEAD(vmbus_device_list, vmbus_device);
TAILQ_HEAD(vmbus_driver_list, vmbus_driver);
extern struct vmbus_device_list vmbus_devices;
extern struct vmbus_driver_list vmbus_drivers;
extern struct rte_bus vmbus_bus;

/* Devargs policy for a device name (vmbus_bus.c). */
bool vmbus_device_ignored(const char *name);
struct rte_devargs *vmbus_devargs_lookup(const char *name);

#endif /* VMBUS_PRIVATE_H */
