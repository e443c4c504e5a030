/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udrv VMBus bus: the API for drivers of VMBus devices.
 *
 * The bus scans /sys/bus/vmbus/devices for devices bound to a user-space
 * backend (uio_hv_generic), matches them to drivers by class GUID, maps
 * their rings and buffers, and gives drivers channels to talk to the host.
 *
 * Threading: a channel has one sender and one receiver at a time; callers
 * that share a channel between threads serialise themselves. Functions
 * return 0 or a negative errno value unless stated otherwise.
 */
#ifndef BUS_VMBUS_H
#define BUS_VMBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <dev_driver.h>
#include <rte_uuid.h>

#include "vmbus_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMBUS_BUS_NAME "vmbus"

/* No monitor id: the channel is signalled through the interrupt page. */
#define VMBUS_NO_MONITOR 0xffu

/* Resources of a device, in uio map order. */
enum vmbus_map_index {
	VMBUS_MAP_RINGS = 0,    /* primary channel rings, TX half first */
	VMBUS_MAP_INT_PAGE,     /* interrupt page */
	VMBUS_MAP_MONITOR_PAGE, /* guest-to-host monitor page */
	VMBUS_MAP_RECV_BUF,     /* "recv:<gpadl>" (network class only) */
	VMBUS_MAP_SEND_BUF,     /* "send:<gpadl>" (network class only) */
	VMBUS_MAP_MAX,
};

struct vmbus_map {
	void *addr;          /* NULL when the device has no such map */
	size_t size;
	uint32_t gpadl;      /* GPADL handle of a recv/send buffer */
};

struct vmbus_channel;
struct vmbus_driver;
struct vmbus_backend;

struct vmbus_device {
	TAILQ_ENTRY(vmbus_device) next;
	struct rte_device device;      /* name is the instance GUID */
	struct vmbus_driver *driver;
	rte_uuid_t device_id;          /* instance GUID */
	rte_uuid_t class_id;           /* class GUID */
	uint32_t relid;                /* primary channel relid */
	uint8_t monitor_id;            /* VMBUS_NO_MONITOR if none */
	int uio_num;
	char name[RTE_UUID_STRLEN];
	struct vmbus_map map[VMBUS_MAP_MAX];
	const struct vmbus_backend *backend;
	int intr_fd;                   /* backend event fd, -1 when unmapped */
	struct rte_intr_handle *intr_handle;
	bool intr_watch;               /* bus watches intr_fd for rescind */
	volatile bool rescinded;
	struct vmbus_channel *primary; /* set by vmbus_chan_open() */
	TAILQ_HEAD(vmbus_chan_list, vmbus_channel) subchans; /* open ones */
	int slot;                      /* shared-state slot, -1 if none */
	void *drv_private;             /* for the driver */
};

/* Driver flags. */
#define VMBUS_DRV_NEED_MAPPING  0x1 /* bus maps resources before probe */
#define VMBUS_DRV_INTR          0x2 /* driver reads the event fd itself;
				     * the bus will not watch it */

struct vmbus_driver {
	TAILQ_ENTRY(vmbus_driver) next;
	struct rte_driver driver;
	const rte_uuid_t *id_table;    /* class GUIDs, ends with a nil GUID */
	int (*probe)(struct vmbus_driver *drv, struct vmbus_device *dev);
	int (*remove)(struct vmbus_device *dev);
	/* Called from the interrupt thread when the host rescinds the device;
	 * channels are dead from then on. Optional.
	 */
	void (*rescind)(struct vmbus_device *dev);
	uint32_t drv_flags;
};

/* Register a driver (use VMBUS_REGISTER_DRIVER). */
void vmbus_register_driver(struct vmbus_driver *drv);
/* Unregister a driver. */
void vmbus_unregister_driver(struct vmbus_driver *drv);

#define VMBUS_REGISTER_DRIVER(nm, vmbus_drv)                  \
	RTE_INIT(vmbusinitfn_ ##nm)                           \
	{                                                     \
		(vmbus_drv).driver.name = RTE_STR(nm);        \
		vmbus_register_driver(&(vmbus_drv));          \
	}                                                     \
	RTE_PMD_EXPORT_NAME(nm, __COUNTER__)

/*
 * Map (unmap) a device's resources. Mapping opens the backend device, which
 * on Linux opens the primary channel on the host; unmapping closes it and
 * the host forgets all per-open protocol state and sub-channels. A driver
 * that needs a fresh session (new MTU, new queue count) unmaps and maps.
 */
int vmbus_device_map(struct vmbus_device *dev);
void vmbus_device_unmap(struct vmbus_device *dev);

/* Find a scanned device by instance GUID string; NULL if none. */
struct vmbus_device *vmbus_device_find(const char *name);

/*
 * Open the primary channel of a mapped device. *chan stays valid until
 * vmbus_chan_close() or unmap. Returns -ENODEV if the device is unmapped or
 * rescinded, -EINVAL if the host's ring state is unusable.
 */
int vmbus_chan_open(struct vmbus_device *dev, struct vmbus_channel **chan);

/* Highest number of channels (primary included) the backend can expose. */
unsigned int vmbus_max_channels(const struct vmbus_device *dev);

/*
 * Open one sub-channel offered by the host that is not open yet, lowest
 * subchannel_id first. Offers arrive asynchronously after the driver's
 * protocol request: returns -EAGAIN when none is ready yet (retry later).
 */
int vmbus_subchan_open(struct vmbus_channel *primary,
		       struct vmbus_channel **chan);

/*
 * Wait up to timeout_ms for count sub-channels and open them; chans[i] gets
 * the one with subchannel_id i + 1 when the host numbered them 1..count.
 * Returns the number opened (== count), or -ETIMEDOUT with every
 * sub-channel opened so far closed again, or another negative errno.
 */
int vmbus_subchan_open_all(struct vmbus_channel *primary, unsigned int count,
			   unsigned int timeout_ms, struct vmbus_channel **chans);

/* Close a sub-channel, or forget the primary channel object. */
void vmbus_chan_close(struct vmbus_channel *chan);

/* 0 for the primary, 1..n for sub-channels, as the host numbered them. */
uint16_t vmbus_chan_subchannel_id(const struct vmbus_channel *chan);
uint32_t vmbus_chan_relid(const struct vmbus_channel *chan);
/* VMBUS_NO_MONITOR when the channel is signalled by event. */
uint8_t vmbus_chan_monitor_id(const struct vmbus_channel *chan);
struct vmbus_device *vmbus_chan_device(const struct vmbus_channel *chan);

/*
 * Send one packet of type VMBUS_PKT_INBAND or VMBUS_PKT_COMP with payload
 * data (any length; padded on the ring). flags: VMBUS_PKT_FLAG_*.
 * need_signal: NULL to signal the host now if needed, else set to whether
 * a signal is needed so that a burst can signal once (vmbus_chan_signal).
 * Returns -EAGAIN when the ring is full (nothing written), -ENODEV after
 * rescind, -EIO when the host corrupted the ring, -EINVAL for bad input.
 */
int vmbus_chan_send(struct vmbus_channel *chan, uint16_t type,
		    const void *data, uint32_t len, uint64_t trans_id,
		    uint16_t flags, bool *need_signal);

/*
 * Send up to n completion packets (VMBUS_PKT_COMP), the i-th with
 * trans_ids[i], all carrying the same len bytes of data: the acks of a
 * burst of received packets, written and published at once with one
 * signal decision. need_signal as vmbus_chan_send(). Returns how many
 * were sent, in order (fewer than n when the ring fills), or a negative
 * errno as vmbus_chan_send() when none was.
 */
int vmbus_chan_send_comps(struct vmbus_channel *chan, const uint64_t *trans_ids,
			  unsigned int n, const void *data, uint32_t len,
			  bool *need_signal);

/*
 * Send a GPA-direct packet: ranges (each within one 4 KiB guest page,
 * addresses are guest physical, i.e. IOVA in PA mode) then payload data.
 * At most VMBUS_GPA_RANGE_MAX ranges. Errors as vmbus_chan_send().
 */
#define VMBUS_GPA_RANGE_MAX 64
int vmbus_chan_send_gpa(struct vmbus_channel *chan,
			const struct vmbus_gpa_range *range,
			unsigned int range_count, const void *data,
			uint32_t len, uint64_t trans_id, uint16_t flags,
			bool *need_signal);

/* Signal the host that this channel has new packets. */
int vmbus_chan_signal(struct vmbus_channel *chan);

/* A received packet. For a zero-copy view, hdr points into the ring (or
 * the caller's bounce buffer when the packet wraps) and is only valid until
 * the release; the host may still write there, so load each field once.
 */
struct vmbus_pkt {
	uint16_t type;
	uint16_t flags;
	uint64_t trans_id;
	const uint8_t *hdr;     /* descriptor and type-specific header */
	uint32_t hdr_len;       /* offset8 * 8 */
	const uint8_t *data;    /* payload = hdr + hdr_len */
	uint32_t data_len;      /* len8 * 8 - hdr_len (includes padding) */
};

/*
 * Zero-copy receive. *cursor starts at 0 and advances over each packet
 * seen; nothing is consumed until vmbus_chan_release(chan, *cursor).
 * bounce (bounce_len bytes) receives a packet that wraps the ring end.
 * Returns 0, -EAGAIN when no more packets, -ENOBUFS when a wrapped packet
 * is larger than bounce_len (*cursor unchanged), -EIO on ring corruption,
 * -ENODEV after rescind.
 */
int vmbus_chan_peek(struct vmbus_channel *chan, uint32_t *cursor,
		    struct vmbus_pkt *pkt, void *bounce, uint32_t bounce_len);

/* Consume everything peeked so far (cursor from vmbus_chan_peek) and signal
 * the host if it was waiting for that space. Returns 0 or -EIO.
 */
int vmbus_chan_release(struct vmbus_channel *chan, uint32_t cursor);

/*
 * Copying receive of one packet's payload (after the type-specific header).
 * *len: in, size of buf; out, payload bytes. Returns 0, -EAGAIN if empty,
 * -ENOBUFS if buf is too small (*len set to the size needed, nothing
 * consumed), -EIO, -ENODEV.
 */
int vmbus_chan_recv(struct vmbus_channel *chan, void *buf, uint32_t *len,
		    uint64_t *trans_id, uint16_t *type);

/* True when the host has published nothing we have not consumed. */
bool vmbus_chan_rx_empty(struct vmbus_channel *chan);

/*
 * Polling mode: mask (true) or unmask host interrupts for this channel's
 * receive ring. Polling drivers mask; the bus masks every channel it opens.
 */
void vmbus_chan_set_polling(struct vmbus_channel *chan, bool polling);

/* Monitor latency for a monitored channel, in ns (100 ns units on the
 * wire, at most 6553500 ns). -ENOTSUP for a channel without monitor.
 */
int vmbus_chan_set_latency(struct vmbus_channel *chan, uint32_t ns);

/*
 * Interrupt-driven drivers (VMBUS_DRV_INTR): enable host interrupts on
 * every channel of the device and wait up to timeout_ms (-1: forever) for
 * one. Returns 1 when an interrupt arrived, 0 on timeout, -ENODEV when the
 * device was rescinded.
 */
int vmbus_device_intr_wait(struct vmbus_device *dev, int timeout_ms);

/* True once the host rescinded the device. */
static inline bool
vmbus_device_is_rescinded(const struct vmbus_device *dev)
{
	return dev->rescinded;
}

/* Channel counters. */
struct vmbus_chan_stats {
	uint64_t tx_packets;
	uint64_t tx_full;        /* sends refused: ring full */
	uint64_t signals;        /* host signals sent */
	uint64_t rx_packets;
	uint64_t host_wakeups;   /* pending_send_sz crossings signalled */
};
void vmbus_chan_stats_get(const struct vmbus_channel *chan,
			  struct vmbus_chan_stats *stats);

/* Print channel state for debugging. */
void vmbus_chan_dump(FILE *f, const struct vmbus_channel *chan);

#ifdef __cplusplus
}
#endif

#endif /* BUS_VMBUS_H */
