/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMBus channels: packets on top of the ring, signalling the host, sub-
 * channel discovery. Kernel access goes through dev->backend.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "vmbus_private.h"

int
vmbus_channel_create(struct vmbus_device *dev, void *ring, size_t ring_size,
		  uint32_t relid, uint16_t subchannel_id, uint8_t monitor_id,
		  struct vmbus_channel **out)
{
	struct vmbus_channel *chan;
	size_t half = ring_size / 2;
	int ret;

	if (ring_size % (2 * VMBUS_HV_PAGE_SIZE) != 0)
		return -EINVAL;
	chan = rte_zmalloc_socket("vmbus_channel", sizeof(*chan),
				  RTE_CACHE_LINE_SIZE, dev->device.numa_node);
	if (chan == NULL)
		return -ENOMEM;
	/* TX (guest to host) half first. */
	ret = vmbus_ring_attach(&chan->tx, ring, half);
	if (ret == 0)
		ret = vmbus_ring_attach(&chan->rx, (uint8_t *)ring + half, half);
	if (ret < 0) {
		VMBUS_LOG(ERR, "%s: relid %u: ring state unusable (size %zu)",
			  dev->name, relid, ring_size);
		rte_free(chan);
		return ret;
	}
	chan->slot = (uint16_t)dev->slot;
	chan->relid = relid;
	chan->subchannel_id = subchannel_id;
	chan->monitor_id = monitor_id;
	/* Drivers poll: keep the host from interrupting us for every packet
	 * (newer kernels no longer set this for us).
	 */
	vmbus_ring_set_interrupt_mask(&chan->rx, true);
	*out = chan;
	return 0;
}

int
vmbus_chan_open(struct vmbus_device *dev, struct vmbus_channel **chan)
{
	const struct vmbus_map *rings = &dev->map[VMBUS_MAP_RINGS];
	int ret;

	if (dev->rescinded)
		return -ENODEV;
	if (rings->addr == NULL)
		return -ENODEV;
	if (dev->primary != NULL) {
		*chan = dev->primary;
		return 0;
	}
	if (vmbus_is_secondary()) {
		/* The channel object lives in shared memory, made by the
		 * primary process.
		 */
		struct vmbus_shared_slot *slot = vmbus_device_slot(dev);

		if (slot == NULL || slot->primary == NULL) {
			VMBUS_LOG(ERR, "%s: primary process has not opened the channel",
				  dev->name);
			return -ENODEV;
		}
		*chan = dev->primary = slot->primary;
		return 0;
	}
	ret = vmbus_channel_create(dev, rings->addr, rings->size, dev->relid, 0,
				   dev->monitor_id, chan);
	if (ret == 0) {
		dev->primary = *chan;
		vmbus_device_slot(dev)->primary = *chan;
	}
	return ret;
}

unsigned int
vmbus_max_channels(const struct vmbus_device *dev)
{
	return dev->backend->max_channels(dev);
}

uint16_t
vmbus_chan_subchannel_id(const struct vmbus_channel *chan)
{
	return chan->subchannel_id;
}

uint32_t
vmbus_chan_relid(const struct vmbus_channel *chan)
{
	return chan->relid;
}

uint8_t
vmbus_chan_monitor_id(const struct vmbus_channel *chan)
{
	return chan->monitor_id;
}

struct vmbus_device *
vmbus_chan_device(const struct vmbus_channel *chan)
{
	return vmbus_chan_dev(chan);
}

static bool
subchan_known(const struct vmbus_device *dev, uint32_t relid)
{
	const struct vmbus_channel *c;

	TAILQ_FOREACH(c, &dev->subchans, next)
		if (c->relid == relid)
			return true;
	return false;
}

/* A sub-channel offer seen in sysfs. */
struct subchan_offer {
	uint32_t relid;
	uint16_t subchannel_id;
	uint8_t monitor_id;
};

/*
 * Read channels/<relid>/ of an offer. Returns 1 for a usable sub-channel,
 * 0 to skip (primary, not complete yet), -EINVAL for garbage.
 */
static int
subchan_read_offer(const struct vmbus_device *dev, const char *entry,
		   struct subchan_offer *o)
{
	char path[PATH_MAX], *end;
	uint64_t v;
	unsigned long relid;
	int ret;

	errno = 0;
	relid = strtoul(entry, &end, 10);
	if (errno != 0 || *end != '\0' || end == entry ||
	    relid >= VMBUS_INT_PAGE_RELID_MAX)
		return -EINVAL;
	if (relid == dev->relid)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/channels/%s/subchannel_id",
		 VMBUS_SYSFS_DEVICES, dev->name, entry);
	ret = vmbus_sysfs_read_u64(path, &v);
	if (ret == -ENOENT)
		return 0; /* still being created */
	if (ret < 0 || v == 0 || v > UINT16_MAX)
		return -EINVAL;
	o->subchannel_id = (uint16_t)v;
	o->relid = (uint32_t)relid;
	snprintf(path, sizeof(path), "%s/%s/channels/%s/monitor_id",
		 VMBUS_SYSFS_DEVICES, dev->name, entry);
	ret = vmbus_sysfs_read_u64(path, &v);
	if (ret == -ENOENT)
		o->monitor_id = VMBUS_NO_MONITOR; /* signalled by event */
	else if (ret < 0 || v >= VMBUS_MONITOR_ID_MAX)
		return -EINVAL;
	else
		o->monitor_id = (uint8_t)v;
	return 1;
}

int
vmbus_subchan_open(struct vmbus_channel *primary, struct vmbus_channel **chan)
{
	struct vmbus_device *dev = vmbus_chan_dev(primary);
	struct subchan_offer best = { .subchannel_id = UINT16_MAX }, o;
	struct vmbus_shared_slot *slot;
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	size_t size;
	void *ring;
	DIR *dir;
	int ret;

	if (dev->rescinded)
		return -ENODEV;
	if (vmbus_is_secondary())
		return -ENOTSUP; /* the primary process opens channels */
	snprintf(path, sizeof(path), "%s/%s/channels", VMBUS_SYSFS_DEVICES,
		 dev->name);
	dir = opendir(path);
	if (dir == NULL)
		return errno == ENOENT ? -EAGAIN : -errno;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		ret = subchan_read_offer(dev, de->d_name, &o);
		if (ret < 0) {
			VMBUS_LOG(WARNING, "%s: ignoring malformed channel entry %s",
				  dev->name, de->d_name);
			continue;
		}
		if (ret == 0 || subchan_known(dev, o.relid))
			continue;
		if (o.subchannel_id < best.subchannel_id) {
			best = o;
			found = true;
		}
	}
	closedir(dir);
	if (!found)
		return -EAGAIN;

	slot = vmbus_device_slot(dev);
	if (slot->nb_subchan == VMBUS_MAX_SUBCHANNELS)
		return -ENOSPC;
	ret = dev->backend->map_subchan(dev, best.relid, NULL, &ring, &size);
	if (ret < 0)
		return ret; /* -EAGAIN while the kernel finishes opening it */
	ret = vmbus_channel_create(dev, ring, size, best.relid,
				best.subchannel_id, best.monitor_id, chan);
	if (ret < 0) {
		dev->backend->unmap_subchan(ring, size);
		return ret;
	}
	(*chan)->ring_map = ring;
	(*chan)->ring_map_size = size;
	TAILQ_INSERT_TAIL(&dev->subchans, *chan, next);
	slot->subchan[slot->nb_subchan++] = (struct vmbus_shared_subchan){
		.relid = best.relid, .addr = ring, .size = size,
	};
	VMBUS_LOG(DEBUG, "%s: sub-channel %u relid %u monitor %d",
		  dev->name, best.subchannel_id, best.relid,
		  best.monitor_id == VMBUS_NO_MONITOR ? -1 : best.monitor_id);
	return 0;
}

int
vmbus_subchan_open_all(struct vmbus_channel *primary, unsigned int count,
		       unsigned int timeout_ms, struct vmbus_channel **chans)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	struct vmbus_channel *c;
	unsigned int opened = 0, i;
	int ret;

	while (opened < count) {
		ret = vmbus_subchan_open(primary, &c);
		if (ret == 0) {
			chans[opened++] = c;
			continue;
		}
		if (ret != -EAGAIN)
			goto fail;
		if (rte_get_timer_cycles() > deadline) {
			ret = -ETIMEDOUT;
			VMBUS_LOG(ERR, "%s: %u of %u sub-channels offered in %u ms",
				  vmbus_chan_dev(primary)->name, opened, count, timeout_ms);
			goto fail;
		}
		rte_delay_us_sleep(1000);
	}
	/* Order by the host's numbering; drivers use it as queue index. */
	for (i = 1; i < count; i++) {
		unsigned int j = i;

		c = chans[i];
		while (j > 0 && chans[j - 1]->subchannel_id > c->subchannel_id) {
			chans[j] = chans[j - 1];
			j--;
		}
		chans[j] = c;
	}
	return (int)count;
fail:
	while (opened > 0)
		vmbus_chan_close(chans[--opened]);
	return ret;
}

void
vmbus_chan_close(struct vmbus_channel *chan)
{
	struct vmbus_device *dev;

	if (chan == NULL)
		return;
	dev = vmbus_chan_dev(chan);
	if (vmbus_is_secondary()) {
		/* Shared objects belong to the primary process. */
		if (chan == dev->primary)
			dev->primary = NULL;
		return;
	}
	if (chan == dev->primary) {
		/* The kernel owns the primary; it closes with the device. */
		dev->primary = NULL;
		vmbus_device_slot(dev)->primary = NULL;
	} else {
		struct vmbus_shared_slot *slot = vmbus_device_slot(dev);
		unsigned int i;

		for (i = 0; i < slot->nb_subchan; i++) {
			if (slot->subchan[i].relid == chan->relid) {
				slot->subchan[i] = slot->subchan[--slot->nb_subchan];
				break;
			}
		}
		TAILQ_REMOVE(&dev->subchans, chan, next);
		dev->backend->unmap_subchan(chan->ring_map, chan->ring_map_size);
	}
	rte_free(chan);
}

void
vmbus_subchan_close_all(struct vmbus_device *dev)
{
	struct vmbus_channel *c;

	while ((c = TAILQ_FIRST(&dev->subchans)) != NULL)
		vmbus_chan_close(c);
}

int
vmbus_chan_signal(struct vmbus_channel *chan)
{
	struct vmbus_device *dev = vmbus_chan_dev(chan);
	uint32_t *int_bits;

	if (dev->rescinded)
		return -ENODEV;
	chan->stats.signals++;
	/* The relid bit in the guest-to-host half of the interrupt page
	 * tells the host which channel the event is for.
	 */
	int_bits = (uint32_t *)((uint8_t *)dev->map[VMBUS_MAP_INT_PAGE].addr +
				VMBUS_INT_PAGE_SEND_OFFSET);
	__atomic_fetch_or(&int_bits[chan->relid / 32], 1u << (chan->relid % 32),
			  __ATOMIC_SEQ_CST);
	if (chan->monitor_id != VMBUS_NO_MONITOR) {
		/* The host scans the monitor page at its latency: no syscall. */
		struct vmbus_monitor_page *mp =
			dev->map[VMBUS_MAP_MONITOR_PAGE].addr;

		__atomic_fetch_or(&mp->trigger[chan->monitor_id / 32].pending,
				  1u << (chan->monitor_id % 32),
				  __ATOMIC_SEQ_CST);
		return 0;
	}
	/* Only the kernel can make the signal hypercall. Writing "enable"
	 * to the device also unmasks our receive rings as a side effect;
	 * put polling channels back as they were.
	 */
	if (dev->backend->signal_event(dev) < 0)
		return -EIO;
	if (!(dev->driver != NULL && (dev->driver->drv_flags & VMBUS_DRV_INTR))) {
		struct vmbus_channel *c;

		if (dev->primary != NULL)
			vmbus_ring_set_interrupt_mask(&dev->primary->rx, true);
		TAILQ_FOREACH(c, &dev->subchans, next)
			vmbus_ring_set_interrupt_mask(&c->rx, true);
	}
	return 0;
}

/* What a ring write returned (npkts packets written), counted and
 * signalled.
 */
static int
chan_written(struct vmbus_channel *chan, int ret, unsigned int npkts,
	     bool signal, bool *need_signal)
{
	if (ret < 0) {
		if (ret == -EAGAIN)
			chan->stats.tx_full++;
		else if (ret == -EIO)
			VMBUS_LOG(ERR, "%s: relid %u: host corrupted the TX ring",
				  vmbus_chan_dev(chan)->name, chan->relid);
		return ret;
	}
	chan->stats.tx_packets += npkts;
	if (need_signal != NULL)
		*need_signal = *need_signal || signal;
	else if (signal)
		return vmbus_chan_signal(chan);
	return 0;
}

static int
chan_write(struct vmbus_channel *chan, const struct iovec *iov,
	   unsigned int iovcnt, bool *need_signal)
{
	bool signal;
	int ret;

	if (vmbus_chan_dev(chan)->rescinded)
		return -ENODEV;
	ret = vmbus_ring_write(&chan->tx, iov, iovcnt, &signal);
	return chan_written(chan, ret, 1, signal, need_signal);
}

/*
 * The descriptor of a packet with len bytes of data right after it;
 * -EINVAL when the payload is missing or too long for len8.
 */
static int
inband_desc(struct vmbus_pkt_desc *desc, uint16_t type, uint16_t flags,
	    uint64_t trans_id, const void *data, uint32_t len)
{
	uint32_t padded = RTE_ALIGN_CEIL(sizeof(*desc) + len, VMBUS_PKT_ALIGN);

	if ((len > 0 && data == NULL) || padded / 8 > UINT16_MAX)
		return -EINVAL;
	desc->type = type;
	desc->offset8 = sizeof(*desc) / 8;
	desc->len8 = (uint16_t)(padded / 8);
	desc->flags = flags;
	desc->trans_id = trans_id;
	return 0;
}

int
vmbus_chan_send(struct vmbus_channel *chan, uint16_t type, const void *data,
		uint32_t len, uint64_t trans_id, uint16_t flags,
		bool *need_signal)
{
	struct vmbus_pkt_desc desc;
	bool signal;
	int ret;

	if ((type != VMBUS_PKT_INBAND && type != VMBUS_PKT_COMP) ||
	    (flags & ~VMBUS_PKT_FLAG_COMPLETION_REQUESTED) != 0 ||
	    inband_desc(&desc, type, flags, trans_id, data, len) != 0)
		return -EINVAL;
	if (vmbus_chan_dev(chan)->rescinded)
		return -ENODEV;
	ret = vmbus_ring_write_pkt(&chan->tx, &desc, data, len, &signal);
	return chan_written(chan, ret, 1, signal, need_signal);
}

int
vmbus_chan_send_comps(struct vmbus_channel *chan, const uint64_t *trans_ids,
		      unsigned int n, const void *data, uint32_t len,
		      bool *need_signal)
{
	struct vmbus_pkt_desc desc;
	bool signal;
	int ret;

	if ((n > 0 && trans_ids == NULL) || n > INT_MAX ||
	    inband_desc(&desc, VMBUS_PKT_COMP, 0, 0, data, len) != 0)
		return -EINVAL;
	if (vmbus_chan_dev(chan)->rescinded)
		return -ENODEV;
	ret = vmbus_ring_write_batch(&chan->tx, &desc, trans_ids, n, data, len,
				     &signal);
	if (ret < 0)
		return chan_written(chan, ret, 0, false, need_signal);
	/* Written: a failed signal is the host's loss, reported there. */
	chan_written(chan, 0, (unsigned int)ret, signal, need_signal);
	return ret;
}

static const uint8_t vmbus_zero_pad[VMBUS_PKT_ALIGN];

int
vmbus_chan_send_gpa(struct vmbus_channel *chan,
		    const struct vmbus_gpa_range *range,
		    unsigned int range_count, const void *data, uint32_t len,
		    uint64_t trans_id, uint16_t flags, bool *need_signal)
{
	struct vmbus_gpa_direct_hdr hdr;
	uint32_t hlen, total, padded;
	struct iovec iov[4];
	unsigned int i;

	if (range_count == 0 || range_count > VMBUS_GPA_RANGE_MAX ||
	    (flags & ~VMBUS_PKT_FLAG_COMPLETION_REQUESTED) != 0 ||
	    (len > 0 && data == NULL))
		return -EINVAL;
	for (i = 0; i < range_count; i++)
		if (range[i].len == 0 || range[i].offset >= VMBUS_HV_PAGE_SIZE ||
		    range[i].offset + range[i].len > VMBUS_HV_PAGE_SIZE)
			return -EINVAL;
	hlen = sizeof(hdr) + range_count * sizeof(range[0]);
	total = hlen + len;
	padded = RTE_ALIGN_CEIL(total, VMBUS_PKT_ALIGN);
	if (padded / 8 > UINT16_MAX)
		return -EINVAL;
	hdr.desc.type = VMBUS_PKT_GPA_DIRECT;
	hdr.desc.offset8 = (uint16_t)(hlen / 8); /* 16 + 8 + 16n: aligned */
	hdr.desc.len8 = (uint16_t)(padded / 8);
	hdr.desc.flags = flags;
	hdr.desc.trans_id = trans_id;
	hdr.reserved = 0;
	hdr.range_count = range_count;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)range;
	iov[1].iov_len = range_count * sizeof(range[0]);
	iov[2].iov_base = (void *)(uintptr_t)data;
	iov[2].iov_len = len;
	iov[3].iov_base = (void *)(uintptr_t)vmbus_zero_pad;
	iov[3].iov_len = padded - total;
	return chan_write(chan, iov, 4, need_signal);
}

static int
chan_rx_error(struct vmbus_channel *chan, int ret)
{
	if (ret == -EIO)
		VMBUS_LOG(ERR, "%s: relid %u: host corrupted the RX ring",
			  vmbus_chan_dev(chan)->name, chan->relid);
	return ret;
}

int
vmbus_chan_peek(struct vmbus_channel *chan, uint32_t *cursor,
		struct vmbus_pkt *pkt, void *bounce, uint32_t bounce_len)
{
	struct vmbus_ring_pkt rp;
	const uint8_t *p;
	int ret;

	if (vmbus_chan_dev(chan)->rescinded)
		return -ENODEV;
	ret = vmbus_ring_peek(&chan->rx, *cursor, &rp);
	if (ret < 0)
		return ret == -EAGAIN ? ret : chan_rx_error(chan, ret);
	p = vmbus_ring_contiguous(&chan->rx, rp.offset, rp.len);
	if (p == NULL) {
		if (rp.len > bounce_len)
			return -ENOBUFS;
		vmbus_ring_copy_out(&chan->rx, rp.offset, bounce, rp.len);
		p = bounce;
	}
	pkt->type = rp.desc.type;
	pkt->flags = rp.desc.flags;
	pkt->trans_id = rp.desc.trans_id;
	pkt->hdr = p;
	pkt->hdr_len = (uint32_t)rp.desc.offset8 * 8u;
	pkt->data = p + pkt->hdr_len;
	pkt->data_len = rp.len - pkt->hdr_len;
	*cursor += rp.total;
	chan->stats.rx_packets++;
	return 0;
}

int
vmbus_chan_release(struct vmbus_channel *chan, uint32_t cursor)
{
	if (chan->rx.broken)
		return -EIO;
	if (vmbus_ring_release(&chan->rx, cursor)) {
		chan->stats.host_wakeups++;
		return vmbus_chan_signal(chan);
	}
	return 0;
}

int
vmbus_chan_recv(struct vmbus_channel *chan, void *buf, uint32_t *len,
		uint64_t *trans_id, uint16_t *type)
{
	struct vmbus_ring_pkt rp;
	uint32_t hlen, dlen;
	int ret;

	if (vmbus_chan_dev(chan)->rescinded)
		return -ENODEV;
	ret = vmbus_ring_peek(&chan->rx, 0, &rp);
	if (ret < 0)
		return ret == -EAGAIN ? ret : chan_rx_error(chan, ret);
	hlen = (uint32_t)rp.desc.offset8 * 8u;
	dlen = rp.len - hlen;
	if (dlen > *len) {
		*len = dlen;
		return -ENOBUFS;
	}
	vmbus_ring_copy_out(&chan->rx,
			    (uint32_t)(((uint64_t)rp.offset + hlen) % chan->rx.size),
			    buf, dlen);
	*len = dlen;
	if (trans_id != NULL)
		*trans_id = rp.desc.trans_id;
	if (type != NULL)
		*type = rp.desc.type;
	chan->stats.rx_packets++;
	return vmbus_chan_release(chan, rp.total);
}

bool
vmbus_chan_rx_empty(struct vmbus_channel *chan)
{
	return vmbus_ring_rx_avail(&chan->rx) <= 0;
}

void
vmbus_chan_set_polling(struct vmbus_channel *chan, bool polling)
{
	vmbus_ring_set_interrupt_mask(&chan->rx, polling);
}

int
vmbus_chan_set_latency(struct vmbus_channel *chan, uint32_t ns)
{
	struct vmbus_monitor_page *mp;
	uint32_t units = ns / 100;

	if (chan->monitor_id == VMBUS_NO_MONITOR)
		return -ENOTSUP;
	if (units > UINT16_MAX)
		return -EINVAL;
	mp = vmbus_chan_dev(chan)->map[VMBUS_MAP_MONITOR_PAGE].addr;
	__atomic_store_n(&mp->latency[chan->monitor_id / 32][chan->monitor_id % 32],
			 (uint16_t)units, __ATOMIC_RELAXED);
	return 0;
}

void
vmbus_chan_stats_get(const struct vmbus_channel *chan,
		     struct vmbus_chan_stats *stats)
{
	*stats = chan->stats;
}

void
vmbus_chan_dump(FILE *f, const struct vmbus_channel *chan)
{
	const struct vmbus_ring *t = &chan->tx, *r = &chan->rx;

	fprintf(f, "channel %s relid %u sub %u monitor %d\n", vmbus_chan_dev(chan)->name,
		chan->relid, chan->subchannel_id,
		chan->monitor_id == VMBUS_NO_MONITOR ? -1 : chan->monitor_id);
	fprintf(f, "  tx: size %u windex %u host rindex %u mask %u pending %u%s\n",
		t->size, t->windex, t->ctrl->read_index,
		t->ctrl->interrupt_mask, t->ctrl->pending_send_sz,
		t->broken ? " BROKEN" : "");
	fprintf(f, "  rx: size %u rindex %u host windex %u mask %u pending %u%s\n",
		r->size, r->rindex, r->ctrl->write_index,
		r->ctrl->interrupt_mask, r->ctrl->pending_send_sz,
		r->broken ? " BROKEN" : "");
	fprintf(f, "  tx_packets %" PRIu64 " tx_full %" PRIu64 " signals %" PRIu64
		" rx_packets %" PRIu64 " host_wakeups %" PRIu64 "\n",
		chan->stats.tx_packets, chan->stats.tx_full,
		chan->stats.signals, chan->stats.rx_packets,
		chan->stats.host_wakeups);
}
