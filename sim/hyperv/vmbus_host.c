/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Hyper-V host at VMBus level: devices and channels, their open and
 * close, sub-channel offers, rescind, signalling in both directions, and
 * the host thread that serves every channel.
 *
 * The host thread is the only writer of host state. Guests (any thread of
 * any process of the session) reach it only through shared memory: the
 * rings, the monitor and interrupt pages, per-channel event flags, request
 * slots for open/close and a control mailbox, plus one futex doorbell that
 * wakes the host at once. When idle the host sleeps on that doorbell, with
 * a timeout only while a monitored channel needs its page scanned.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "hv_model.h"
#include "host_ring.h"
#include "vswitch.h"

struct hv_outpkt {
	struct hv_outpkt *next;
	uint32_t len;
	uint8_t data[];
};

struct hv_chan {
	struct hv_dev *dev;
	unsigned int slot;
	struct hv_shm_chan *shm;
	uint8_t *ring;
	size_t ring_len;
	struct host_ring in;           /* guest -> host (TX half, first) */
	struct host_ring out;          /* host -> guest */
	bool open;
	bool dead;
	bool signalled;
	bool blocked;                  /* waiting for space in the guest's RX ring */
	bool pumping;
	bool held;                     /* the service reads no more for now */
	unsigned int out_count;        /* packets queued for the guest */
	uint64_t open_due_ns;          /* offered sub-channel: when to open it */
	uint64_t stall_until_ns;
	uint64_t next_scan_ns;
	uint64_t next_trans_id;
	struct hv_outpkt *out_head;
	struct hv_outpkt *out_tail;
	uint8_t *pkt;                  /* private copy of the current packet */
	void *svc_priv;
};

struct hv_dev {
	unsigned int idx;
	const struct hv_dev_spec *spec;
	struct hv_shm_dev *shm;
	const struct hv_service *svc;
	bool open;
	bool rescinded;
	unsigned int nsubch;           /* offered since the channel opened */
	unsigned int subch_pending;    /* granted, not yet offered */
	uint64_t subch_due_ns;
	struct hv_chan *chan[HV_MAX_CHANNELS];
};

struct hv_shm *hv_shm;
uint8_t *hv_int_page;
struct hv_monitor_page *hv_mon_page;
char hv_tb[SIM_TB_MAX];

static struct hv_dev devs[HV_MAX_DEVICES];
static pthread_t host_thread;
static bool host_running;
static uint32_t host_quit;
static uint32_t next_relid;
static bool monitor_used[HV_MAX_MONITOR];
/* A service queued output or released a hold: run the loop again. */
static bool host_kicked;

/* ---- shared files ---- */

static void
hvsim_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/.hvsim/%s", hv_tb, name);
}

static int
map_shared(bool create)
{
	char path[SIM_PATH_MAX];
	int err;

	if (create) {
		hvsim_path(path, sizeof(path), "");
		err = sim_mkdir_p(path, 0700);
		hvsim_path(path, sizeof(path), "state");
		if (err == 0)
			err = sim_create_sized(path, sizeof(struct hv_shm));
		hvsim_path(path, sizeof(path), "int_page");
		if (err == 0)
			err = sim_create_sized(path, HV_PAGE_SIZE);
		hvsim_path(path, sizeof(path), "monitor_page");
		if (err == 0)
			err = sim_create_sized(path, HV_PAGE_SIZE);
		if (err < 0)
			return err;
	}
	hvsim_path(path, sizeof(path), "state");
	hv_shm = sim_map_file(path, sizeof(struct hv_shm));
	hvsim_path(path, sizeof(path), "int_page");
	hv_int_page = sim_map_file(path, HV_PAGE_SIZE);
	hvsim_path(path, sizeof(path), "monitor_page");
	hv_mon_page = sim_map_file(path, HV_PAGE_SIZE);
	if (hv_shm == NULL || hv_int_page == NULL || hv_mon_page == NULL)
		return -ENOENT;
	return 0;
}

static void
init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

/* ---- channels ---- */

void
hv_chan_log(const struct hv_chan *ch, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_log(HV_LOG, "%s relid %u: %s", ch->dev->spec->id, ch->shm->relid, msg);
}

static void
clear_guest_signals(struct hv_chan *ch)
{
	uint32_t relid = ch->shm->relid;
	int32_t mid = ch->shm->monitor_id;
	uint32_t *send_bits = (uint32_t *)(hv_int_page + HV_PAGE_SIZE / 2);

	__atomic_fetch_and(&send_bits[relid / 32], ~(1u << (relid % 32)), __ATOMIC_SEQ_CST);
	if (mid != HV_NO_MONITOR)
		__atomic_fetch_and(&hv_mon_page->trigs[mid / 32].pending,
				   ~(1u << (mid % 32)), __ATOMIC_SEQ_CST);
	__atomic_store_n(&ch->shm->event, 0, __ATOMIC_SEQ_CST);
}

/* ring_path: the ring file if not yet at its final name, else NULL. */
static struct hv_chan *
chan_create(struct hv_dev *dev, unsigned int slot, const char *ring_path)
{
	struct hv_chan *ch = calloc(1, sizeof(*ch));
	uint32_t size = dev->spec->ring_size;
	char path[SIM_PATH_MAX];

	if (ch == NULL)
		return NULL;
	ch->dev = dev;
	ch->slot = slot;
	ch->shm = &dev->shm->chan[slot];
	ch->ring_len = 2 * (size_t)size;
	if (ring_path != NULL)
		snprintf(path, sizeof(path), "%s", ring_path);
	else
		hv_ring_path(path, sizeof(path), dev->idx, ch->shm->relid);
	ch->ring = sim_map_file(path, ch->ring_len);
	ch->pkt = malloc(size);
	ch->svc_priv = calloc(1, dev->svc->chan_priv_size + 1);
	if (ch->ring == NULL || ch->pkt == NULL || ch->svc_priv == NULL) {
		if (ch->ring != NULL)
			sim_raw_munmap(ch->ring, ch->ring_len);
		free(ch->pkt);
		free(ch->svc_priv);
		free(ch);
		return NULL;
	}
	host_ring_attach(&ch->in, ch->ring, size);
	host_ring_attach(&ch->out, ch->ring + size, size);
	ch->next_trans_id = 1ull << 63;
	return ch;
}

static void
free_queue(struct hv_chan *ch)
{
	while (ch->out_head != NULL) {
		struct hv_outpkt *p = ch->out_head;

		ch->out_head = p->next;
		free(p);
	}
	ch->out_tail = NULL;
	ch->out_count = 0;
}

static void
chan_open(struct hv_chan *ch)
{
	/* What the kernel does at vmbus_open: fresh ring headers. The host
	 * waits for data, so its mask on the guest's TX ring is 0; the
	 * guest's own RX mask starts 0 too.
	 */
	host_ring_reset(&ch->in, 0);
	host_ring_reset(&ch->out, 0);
	clear_guest_signals(ch);
	memset(ch->svc_priv, 0, ch->dev->svc->chan_priv_size);
	ch->open = true;
	ch->dead = false;
	ch->blocked = false;
	ch->pumping = false;
	ch->held = false;
	ch->signalled = false;
	ch->stall_until_ns = 0;
	ch->open_due_ns = 0;
	ch->next_scan_ns = sim_now_ns();
	if (ch->dev->svc->on_open != NULL)
		ch->dev->svc->on_open(ch);
	__atomic_store_n(&ch->shm->state, HV_CH_OPEN, __ATOMIC_RELEASE);
}

static void
chan_close(struct hv_chan *ch)
{
	if (ch->open && ch->dev->svc->on_close != NULL)
		ch->dev->svc->on_close(ch);
	free_queue(ch);
	ch->open = false;
	ch->pumping = false;
	ch->open_due_ns = 0;
}

static void
chan_destroy(struct hv_chan *ch)
{
	chan_close(ch);
	sim_raw_munmap(ch->ring, ch->ring_len);
	free(ch->pkt);
	free(ch->svc_priv);
	free(ch);
}

static void
chan_corrupt(struct hv_chan *ch, const char *why)
{
	hv_chan_log(ch, "ring corrupt: %s; channel stopped", why);
	ch->shm->stats.corrupt++;
	ch->dead = true;
	free_queue(ch);
	ch->pumping = false;
	__atomic_store_n(&ch->shm->state, HV_CH_DEAD, __ATOMIC_RELEASE);
}

void
hv_interrupt_guest(struct hv_dev *dev)
{
	__atomic_add_fetch(&dev->shm->intr_count, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&hv_shm->intr_seq, 1, __ATOMIC_SEQ_CST);
	hv_futex_wake(&hv_shm->intr_seq);
	hv_uio_notify((int)dev->idx);
}

static void
interrupt_from(struct hv_chan *ch)
{
	ch->shm->stats.guest_interrupts++;
	hv_interrupt_guest(ch->dev);
}

/* ---- service API ---- */

/* Queue one packet: descriptor, type-specific header (hlen a multiple of
 * 8), then the payload in two pieces.
 */
static int
queue_packet(struct hv_chan *ch, uint16_t type, uint16_t flags, uint64_t trans_id,
	     const void *hdr, size_t hlen, const void *a, size_t alen,
	     const void *b, size_t blen)
{
	size_t off = sizeof(struct hv_pkt_desc) + hlen;
	size_t len = (off + alen + blen + 7) & ~(size_t)7;
	struct hv_pkt_desc d;
	struct hv_outpkt *p;

	if ((hlen & 7) != 0 || off / 8 > UINT16_MAX)
		return -EINVAL;
	if (len > host_ring_max_packet(&ch->out)) {
		hv_chan_log(ch, "reply of %zu bytes never fits the ring; dropped", len);
		return -EMSGSIZE;
	}
	p = calloc(1, sizeof(*p) + len);
	if (p == NULL)
		return -ENOMEM;
	d.type = type;
	d.offset8 = (uint16_t)(off / 8);
	d.len8 = (uint16_t)(len / 8);
	d.flags = flags;
	d.trans_id = trans_id;
	memcpy(p->data, &d, sizeof(d));
	if (hlen != 0)
		memcpy(p->data + sizeof(d), hdr, hlen);
	if (alen != 0)
		memcpy(p->data + off, a, alen);
	if (blen != 0)
		memcpy(p->data + off + alen, b, blen);
	p->len = (uint32_t)len;
	if (ch->out_tail != NULL)
		ch->out_tail->next = p;
	else
		ch->out_head = p;
	ch->out_tail = p;
	ch->out_count++;
	return 0;
}

int
hv_chan_send(struct hv_chan *ch, uint16_t type, uint16_t flags,
	     uint64_t trans_id, const void *a, size_t alen,
	     const void *b, size_t blen)
{
	return queue_packet(ch, type, flags, trans_id, NULL, 0, a, alen, b, blen);
}

int
hv_chan_send_hdr(struct hv_chan *ch, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const void *hdr, size_t hlen,
		 const void *a, size_t alen)
{
	return queue_packet(ch, type, flags, trans_id, hdr, hlen, a, alen, NULL, 0);
}

int
hv_chan_send_raw(struct hv_chan *ch, const void *pkt, size_t len)
{
	struct hv_outpkt *p;

	if (len < sizeof(struct hv_pkt_desc) || (len & 7) != 0 ||
	    len > host_ring_max_packet(&ch->out))
		return -EINVAL;
	p = calloc(1, sizeof(*p) + len);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p->data, pkt, len);
	p->len = (uint32_t)len;
	if (ch->out_tail != NULL)
		ch->out_tail->next = p;
	else
		ch->out_head = p;
	ch->out_tail = p;
	ch->out_count++;
	return 0;
}

unsigned int
hv_chan_queued(const struct hv_chan *ch)
{
	return ch->out_count;
}

void
hv_chan_kick(struct hv_chan *ch)
{
	ch->signalled = true;
	host_kicked = true;
}

void
hv_chan_hold(struct hv_chan *ch, bool on)
{
	ch->held = on;
	if (!on)
		hv_chan_kick(ch);
}

unsigned int
hv_chan_index(const struct hv_chan *ch)
{
	return ch->slot;
}

unsigned int
hv_dev_index(const struct hv_dev *dev)
{
	return dev->idx;
}

struct hv_chan *
hv_dev_chan(struct hv_dev *dev, unsigned int index)
{
	struct hv_chan *ch;

	if (index >= HV_MAX_CHANNELS)
		return NULL;
	ch = dev->chan[index];
	return ch != NULL && ch->open && !ch->dead ? ch : NULL;
}

uint64_t
hv_chan_new_trans_id(struct hv_chan *ch)
{
	return ch->next_trans_id++;
}

uint32_t
hv_chan_max_payload(const struct hv_chan *ch)
{
	return host_ring_max_packet(&ch->out) - (uint32_t)sizeof(struct hv_pkt_desc);
}

void
hv_chan_set_pump(struct hv_chan *ch, bool on)
{
	ch->pumping = on;
}

void
hv_chan_stall(struct hv_chan *ch, unsigned int ms)
{
	ch->stall_until_ns = sim_now_ns() + (uint64_t)ms * 1000000ull;
}

bool
hv_chan_is_primary(const struct hv_chan *ch)
{
	return ch->slot == 0;
}

void *
hv_chan_priv(struct hv_chan *ch)
{
	return ch->svc_priv;
}

struct hv_dev *
hv_chan_dev(struct hv_chan *ch)
{
	return ch->dev;
}

unsigned int
hv_dev_offer_subch(struct hv_dev *dev, unsigned int n)
{
	unsigned int room = dev->spec->max_subch - dev->nsubch - dev->subch_pending;

	if (!dev->open || dev->rescinded)
		return 0;
	if (n > room)
		n = room;
	if (n > 0 && dev->subch_pending == 0)
		dev->subch_due_ns = sim_now_ns() +
				    (uint64_t)dev->spec->subch_delay_ms * 1000000ull;
	dev->subch_pending += n;
	return n;
}

int
hv_gpa_read(uint64_t gpa, void *dst, size_t len)
{
	static void *(*iova2virt)(uint64_t);
	struct iovec local = { dst, len }, remote;
	uint64_t va = gpa;

	if (len == 0)
		return 0;
	if (!hv_cfg.gpa_va) {
		void *p;

		if (iova2virt == NULL)
			*(void **)&iova2virt = dlsym(RTLD_DEFAULT, "rte_mem_iova2virt");
		p = iova2virt != NULL ? iova2virt(gpa) : NULL;
		if (p == NULL)
			return -EFAULT;
		va = (uintptr_t)p;
	}
	/* Reading through the kernel turns a bad address into EFAULT
	 * instead of a crash of the process under test.
	 */
	remote.iov_base = (void *)(uintptr_t)va;
	remote.iov_len = len;
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

/* ---- serving a channel ---- */

enum drain_result {
	DRAIN_IDLE,
	DRAIN_BLOCKED,
	DRAIN_STOPPED,
};

/* Write queued packets; 0 all written, 1 ring full, -1 corrupt. */
static int
flush(struct hv_chan *ch)
{
	char why[160];
	bool intr;
	int r;

	while (ch->out_head != NULL) {
		struct hv_outpkt *p = ch->out_head;

		r = host_ring_write(&ch->out, p->data, p->len, &intr, why, sizeof(why));
		if (r == HR_FULL) {
			if (!ch->blocked)
				ch->shm->stats.ring_full_waits++;
			ch->blocked = true;
			return 1;
		}
		if (r == HR_CORRUPT) {
			chan_corrupt(ch, why);
			return -1;
		}
		ch->blocked = false;
		ch->shm->stats.tx_packets++;
		ch->out_head = p->next;
		if (ch->out_head == NULL)
			ch->out_tail = NULL;
		ch->out_count--;
		free(p);
		if (intr)
			interrupt_from(ch);
	}
	return 0;
}

static int
drain(struct hv_chan *ch)
{
	const struct hv_service *svc = ch->dev->svc;
	struct hv_pkt pkt;
	char why[160];
	uint32_t len;
	int r;

	for (;;) {
		r = flush(ch);
		if (r != 0)
			return r > 0 ? DRAIN_BLOCKED : DRAIN_STOPPED;
		if (ch->stall_until_ns != 0)
			return DRAIN_STOPPED;
		if (ch->held)
			return DRAIN_BLOCKED;
		if (ch->pumping) {
			if (svc->pump == NULL || !svc->pump(ch))
				ch->pumping = false;
			continue;
		}
		r = host_ring_read(&ch->in, ch->pkt, &pkt, &len, why, sizeof(why));
		if (r == HR_EMPTY)
			return DRAIN_IDLE;
		if (r == HR_CORRUPT) {
			chan_corrupt(ch, why);
			return DRAIN_STOPPED;
		}
		if (host_ring_consume(&ch->in, len)) {
			ch->shm->stats.pending_send_waits++;
			interrupt_from(ch);
		}
		ch->shm->stats.rx_packets++;
		if (pkt.type == HV_PKT_COMP)
			ch->shm->stats.completions++;
		svc->on_packet(ch, &pkt);
	}
}

static void
serve(struct hv_chan *ch)
{
	int r;

	/* Mask guest signals while draining; unmask and look again before
	 * going to sleep, so a packet written in between is not missed.
	 */
	host_ring_set_mask(&ch->in, 1);
	for (;;) {
		r = drain(ch);
		if (r == DRAIN_STOPPED)
			return;
		host_ring_set_mask(&ch->in, 0);
		if (r == DRAIN_BLOCKED || !host_ring_has_data(&ch->in))
			return;
		host_ring_set_mask(&ch->in, 1);
	}
}

static uint64_t
scan_interval_ns(const struct hv_chan *ch)
{
	int32_t mid = ch->shm->monitor_id;
	uint16_t lat = __atomic_load_n(&hv_mon_page->latency[mid / 32][mid % 32],
				       __ATOMIC_RELAXED);

	if (lat != 0)
		return (uint64_t)lat * 100;
	return (uint64_t)ch->dev->spec->latency_us * 1000;
}

static void
chan_tick(struct hv_chan *ch, uint64_t now, uint64_t *next)
{
	int32_t mid = ch->shm->monitor_id;

	if (ch->open_due_ns != 0) {
		if (now >= ch->open_due_ns)
			chan_open(ch);
		else if (ch->open_due_ns < *next)
			*next = ch->open_due_ns;
		return;
	}
	if (!ch->open || ch->dead)
		return;
	/* The hypervisor's periodic scan of the monitor page. */
	if (mid != HV_NO_MONITOR) {
		if (now >= ch->next_scan_ns) {
			uint32_t bit = 1u << (mid % 32);

			if (__atomic_fetch_and(&hv_mon_page->trigs[mid / 32].pending, ~bit,
					       __ATOMIC_SEQ_CST) & bit) {
				ch->shm->stats.signals_monitor++;
				ch->signalled = true;
			}
			ch->next_scan_ns = now + scan_interval_ns(ch);
		}
		if (ch->next_scan_ns < *next)
			*next = ch->next_scan_ns;
	}
	/* The signal-event hypercall the uio write stands for. */
	if (__atomic_exchange_n(&ch->shm->event, 0, __ATOMIC_SEQ_CST) != 0) {
		uint32_t relid = ch->shm->relid;
		uint32_t *send_bits = (uint32_t *)(hv_int_page + HV_PAGE_SIZE / 2);

		__atomic_fetch_and(&send_bits[relid / 32], ~(1u << (relid % 32)),
				   __ATOMIC_SEQ_CST);
		ch->shm->stats.signals_event++;
		ch->signalled = true;
	}
	if (ch->stall_until_ns != 0) {
		if (now < ch->stall_until_ns) {
			if (ch->stall_until_ns < *next)
				*next = ch->stall_until_ns;
			return;
		}
		/* Resume: look at whatever came in meanwhile. */
		ch->stall_until_ns = 0;
		ch->signalled = true;
	}
	if (ch->signalled) {
		ch->signalled = false;
		serve(ch);
		if (ch->stall_until_ns != 0 && ch->stall_until_ns < *next)
			*next = ch->stall_until_ns;
	}
}

/* ---- sub-channels ---- */

static int
alloc_monitor_id(void)
{
	int i;

	for (i = 0; i < HV_MAX_MONITOR; i++)
		if (!monitor_used[i]) {
			monitor_used[i] = true;
			return i;
		}
	return HV_NO_MONITOR;           /* pool exhausted, as on a real host */
}

static void
offer_subch(struct hv_dev *dev, uint64_t now)
{
	while (dev->subch_pending > 0) {
		unsigned int slot = dev->nsubch + 1;
		struct hv_shm_chan *c = &dev->shm->chan[slot];
		char hidden[SIM_PATH_MAX];
		struct hv_chan *ch;
		bool late;
		int err;

		dev->subch_pending--;
		memset(c, 0, sizeof(*c));
		c->relid = next_relid++;
		c->subch_id = slot;
		c->monitor_id = dev->spec->subch_monitor ? alloc_monitor_id() : HV_NO_MONITOR;
		/* Known as offered before its ring file can be seen, so an
		 * early mmap of the file gets ENODEV, not an unopened ring.
		 */
		__atomic_store_n(&c->state, HV_CH_OFFERED, __ATOMIC_RELEASE);
		late = dev->spec->subch_ring_late;
		err = hv_sysfs_add_channel(dev->idx, slot, !late, &c->ring_dev, &c->ring_ino);
		if (err == 0 && late) {
			hv_sysfs_ring_hidden_path(hidden, sizeof(hidden), dev->idx, c->relid);
			err = hv_sysfs_ring_file(dev->idx, c->relid, true, &c->ring_dev,
						 &c->ring_ino);
		}
		ch = err == 0 ? chan_create(dev, slot, late ? hidden : NULL) : NULL;
		if (ch == NULL) {
			sim_log(HV_LOG, "%s: cannot offer sub-channel %u", dev->spec->id, slot);
			if (c->monitor_id != HV_NO_MONITOR)
				monitor_used[c->monitor_id] = false;
			hv_sysfs_remove_channel(dev->idx, c->relid);
			memset(c, 0, sizeof(*c));
			dev->subch_pending = 0;
			return;
		}
		dev->chan[slot] = ch;
		dev->nsubch++;
		if (late) {
			/* Older kernels: the ring file appears once the
			 * channel is open, so a guest never maps it early.
			 */
			chan_open(ch);
			hv_sysfs_ring_publish(dev->idx, c->relid);
		} else {
			/* The ring file exists before the channel is open: a
			 * guest that maps it too early gets ENODEV and must
			 * retry.
			 */
			ch->open_due_ns = now + HV_SUBCH_OPEN_MS * 1000000ull;
		}
		if (sim_verbose)
			sim_log(HV_LOG, "%s: offered sub-channel %u relid %u monitor %d",
				dev->spec->id, slot, c->relid, c->monitor_id);
	}
}

/* ---- device open/close (the kernel's first open and last close) ---- */

static int
dev_open(struct hv_dev *dev)
{
	if (dev->rescinded)
		return -ENODEV;
	if (dev->chan[0] == NULL)
		return -ENODEV;
	dev->open = true;
	dev->nsubch = 0;
	dev->subch_pending = 0;
	chan_open(dev->chan[0]);
	if (sim_verbose)
		sim_log(HV_LOG, "%s: channel opened", dev->spec->id);
	return 0;
}

static void
dev_close(struct hv_dev *dev)
{
	unsigned int i;

	for (i = 1; i < HV_MAX_CHANNELS; i++) {
		struct hv_chan *ch = dev->chan[i];

		if (ch == NULL)
			continue;
		__atomic_store_n(&ch->shm->state, HV_CH_FREE, __ATOMIC_RELEASE);
		if (ch->shm->monitor_id != HV_NO_MONITOR)
			monitor_used[ch->shm->monitor_id] = false;
		hv_sysfs_remove_channel(dev->idx, ch->shm->relid);
		chan_destroy(ch);
		dev->chan[i] = NULL;
	}
	if (dev->chan[0] != NULL) {
		chan_close(dev->chan[0]);
		__atomic_store_n(&dev->chan[0]->shm->state, HV_CH_OFFERED, __ATOMIC_RELEASE);
	}
	dev->open = false;
	dev->nsubch = 0;
	dev->subch_pending = 0;
	if (sim_verbose)
		sim_log(HV_LOG, "%s: channel closed", dev->spec->id);
}

static void
handle_requests(void)
{
	unsigned int i;

	for (i = 0; i < hv_cfg.ndev; i++) {
		struct hv_dev *dev = &devs[i];
		uint32_t seq = __atomic_load_n(&dev->shm->req_seq, __ATOMIC_ACQUIRE);
		int r = 0;

		if (seq == __atomic_load_n(&dev->shm->ack_seq, __ATOMIC_RELAXED))
			continue;
		if (dev->shm->req_op == HV_REQ_OPEN)
			r = dev_open(dev);
		else if (dev->shm->req_op == HV_REQ_CLOSE && dev->open)
			dev_close(dev);
		dev->shm->req_result = r;
		__atomic_store_n(&dev->shm->ack_seq, seq, __ATOMIC_RELEASE);
		hv_futex_wake(&dev->shm->ack_seq);
	}
}

static void
rescind(struct hv_dev *dev)
{
	dev->rescinded = true;
	__atomic_store_n(&dev->shm->rescinded, 1, __ATOMIC_SEQ_CST);
	dev->subch_pending = 0;
	hv_sysfs_rescind(dev->idx);
	/* Wake blocked readers: their read now fails with EIO. */
	__atomic_add_fetch(&hv_shm->intr_seq, 1, __ATOMIC_SEQ_CST);
	hv_futex_wake(&hv_shm->intr_seq);
	hv_uio_notify((int)dev->idx);
	sim_log(HV_LOG, "%s: rescinded", dev->spec->id);
}

/* ---- control commands (run on the host thread) ---- */

static struct hv_dev *
find_dev(const char *id)
{
	unsigned int i;

	for (i = 0; i < hv_cfg.ndev; i++)
		if (strcasecmp(hv_cfg.dev[i].id, id) == 0)
			return &devs[i];
	return NULL;
}

static const char *const state_names[] = { "free", "offered", "open", "dead" };

int
hv_ctl_exec(const char *cmd, char *out, size_t len)
{
	char verb[32] = "", id[64] = "", arg[32] = "";
	unsigned long ms, n;
	struct hv_dev *dev = NULL;
	size_t off = 0;
	unsigned int i;
	int nf, r;

	out[0] = '\0';
	r = hv_service_ctl(cmd, out, len);
	if (r == -ENOSYS)
		r = vsw_ctl(cmd, out, len);
	if (r != -ENOSYS)
		return r;
	nf = sscanf(cmd, "%31s %63s %31s %lu", verb, id, arg, &ms);
	if (strcmp(verb, "list") == 0) {
		for (i = 0; i < hv_cfg.ndev && off < len; i++) {
			const struct hv_dev_spec *s = &hv_cfg.dev[i];
			char uio[16] = "-", mon[16] = "-";

			if (s->uio)
				snprintf(uio, sizeof(uio), "uio%d", s->uio_index);
			if (s->monitor_id != HV_NO_MONITOR)
				snprintf(mon, sizeof(mon), "%d", s->monitor_id);
			off += (size_t)snprintf(out + off, len - off, "%s %s %u %s %s\n",
						s->id, s->class_guid, s->relid, uio, mon);
		}
		return 0;
	}
	if (nf >= 2)
		dev = find_dev(id);
	if (dev == NULL) {
		snprintf(out, len, "%s: unknown or missing device\n", verb);
		return -ENODEV;
	}
	if (strcmp(verb, "stats") == 0) {
		for (i = 0; i < HV_MAX_CHANNELS && off < len; i++) {
			const struct hv_shm_chan *c = &dev->shm->chan[i];
			const struct hv_stats *st = &c->stats;

			if (c->state == HV_CH_FREE && i != 0)
				continue;
			off += (size_t)snprintf(out + off, len - off,
				"relid=%u subchannel_id=%u state=%s rx_packets=%llu "
				"tx_packets=%llu completions=%llu corrupt=%llu "
				"host_signals_monitor=%llu host_signals_event=%llu "
				"guest_interrupts=%llu pending_send_waits=%llu "
				"ring_full_waits=%llu\n",
				c->relid, c->subch_id, state_names[c->state & 3],
				(unsigned long long)st->rx_packets,
				(unsigned long long)st->tx_packets,
				(unsigned long long)st->completions,
				(unsigned long long)st->corrupt,
				(unsigned long long)st->signals_monitor,
				(unsigned long long)st->signals_event,
				(unsigned long long)st->guest_interrupts,
				(unsigned long long)st->pending_send_waits,
				(unsigned long long)st->ring_full_waits);
		}
		return 0;
	}
	if (strcmp(verb, "rescind") == 0) {
		if (dev->rescinded) {
			snprintf(out, len, "already rescinded\n");
			return -EALREADY;
		}
		rescind(dev);
		return 0;
	}
	if (strcmp(verb, "stall") == 0) {
		bool all = strcmp(arg, "all") == 0;
		bool found = false;
		char *end;

		n = strtoul(arg, &end, 10);
		if (nf != 4 || (!all && *end != '\0')) {
			snprintf(out, len, "usage: stall <uuid> <relid|all> <ms>\n");
			return -EINVAL;
		}
		for (i = 0; i < HV_MAX_CHANNELS; i++) {
			struct hv_chan *ch = dev->chan[i];

			if (ch == NULL || (!all && ch->shm->relid != n))
				continue;
			hv_chan_stall(ch, (unsigned int)ms);
			found = true;
		}
		if (!found) {
			snprintf(out, len, "no such channel\n");
			return -ENOENT;
		}
		return 0;
	}
	if (strcmp(verb, "offer-subch") == 0) {
		char *end;

		n = strtoul(arg, &end, 10);
		if (nf < 3 || *end != '\0') {
			snprintf(out, len, "usage: offer-subch <uuid> <n>\n");
			return -EINVAL;
		}
		if (!dev->open) {
			snprintf(out, len, "device channel is not open\n");
			return -ENOTCONN;
		}
		snprintf(out, len, "granted %u\n",
			 hv_dev_offer_subch(dev, (unsigned int)(n > 64 ? 64 : n)));
		return 0;
	}
	snprintf(out, len, "unknown command: %s\n", verb);
	return -EINVAL;
}

static void
handle_ctl(void)
{
	uint32_t seq = __atomic_load_n(&hv_shm->ctl_seq, __ATOMIC_ACQUIRE);

	if (seq == __atomic_load_n(&hv_shm->ctl_ack, __ATOMIC_RELAXED))
		return;
	hv_shm->ctl_cmd[sizeof(hv_shm->ctl_cmd) - 1] = '\0';
	hv_shm->ctl_result = hv_ctl_exec(hv_shm->ctl_cmd, hv_shm->ctl_reply,
				      sizeof(hv_shm->ctl_reply));
	__atomic_store_n(&hv_shm->ctl_ack, seq, __ATOMIC_RELEASE);
	hv_futex_wake(&hv_shm->ctl_ack);
}

static int
hv_ctl(const char *cmd, char *reply, unsigned int reply_len)
{
	static const char *const verbs[] = {
		"list", "stats", "rescind", "stall", "offer-subch",
		/* NetVSP (netvsp.c) */
		"nic", "link", "vf", "datapath", "noack", "corrupt", "inject",
		/* virtual switch (vswitch.c) */
		"wire", "gen", "vswitch",
	};
	uint64_t deadline = sim_now_ns() + 10000000000ull;
	char verb[32] = "";
	unsigned int i;
	uint32_t seq;
	int r;

	sscanf(cmd, "%31s", verb);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verb, verbs[i]) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return -ENOSYS;
	if (strlen(cmd) >= sizeof(hv_shm->ctl_cmd))
		return -E2BIG;
	hv_lock(&hv_shm->ctl_lock);
	snprintf(hv_shm->ctl_cmd, sizeof(hv_shm->ctl_cmd), "%s", cmd);
	seq = __atomic_add_fetch(&hv_shm->ctl_seq, 1, __ATOMIC_SEQ_CST);
	hv_doorbell();
	r = -ETIMEDOUT;
	for (;;) {
		uint32_t ack = __atomic_load_n(&hv_shm->ctl_ack, __ATOMIC_ACQUIRE);
		uint64_t now = sim_now_ns();

		if (ack == seq) {
			r = hv_shm->ctl_result;
			if (reply != NULL && reply_len > 0)
				snprintf(reply, reply_len, "%s", hv_shm->ctl_reply);
			break;
		}
		if (now >= deadline)
			break;
		hv_futex_wait(&hv_shm->ctl_ack, ack, deadline - now);
	}
	if (r == -ETIMEDOUT && reply != NULL && reply_len > 0)
		snprintf(reply, reply_len, "host not responding\n");
	hv_unlock(&hv_shm->ctl_lock);
	return r;
}

/* ---- the host thread ---- */

/* Per-device service hooks on the host thread: start, timers, stop. */
static void
dev_hooks_init(void)
{
	unsigned int i;

	for (i = 0; i < hv_cfg.ndev; i++)
		if (devs[i].svc->dev_init != NULL)
			devs[i].svc->dev_init(&devs[i]);
}

static void
dev_hooks_tick(uint64_t now, uint64_t *next)
{
	unsigned int i;

	for (i = 0; i < hv_cfg.ndev; i++)
		if (devs[i].svc->dev_tick != NULL && !devs[i].rescinded)
			devs[i].svc->dev_tick(&devs[i], now, next);
}

static void
dev_hooks_fini(void)
{
	unsigned int i;

	for (i = 0; i < hv_cfg.ndev; i++)
		if (devs[i].svc->dev_fini != NULL)
			devs[i].svc->dev_fini(&devs[i]);
}

static void *
host_main(void *arg)
{
	(void)arg;
	dev_hooks_init();
	while (!__atomic_load_n(&host_quit, __ATOMIC_ACQUIRE)) {
		uint32_t seq = __atomic_load_n(&hv_shm->doorbell, __ATOMIC_ACQUIRE);
		uint64_t now = sim_now_ns(), next = UINT64_MAX;
		unsigned int i, c;

		host_kicked = false;
		handle_requests();
		handle_ctl();
		dev_hooks_tick(now, &next);
		for (i = 0; i < hv_cfg.ndev; i++) {
			struct hv_dev *dev = &devs[i];

			if (!dev->open || dev->rescinded)
				continue;
			if (dev->subch_pending > 0) {
				if (now >= dev->subch_due_ns)
					offer_subch(dev, now);
				else if (dev->subch_due_ns < next)
					next = dev->subch_due_ns;
			}
			for (c = 0; c < HV_MAX_CHANNELS; c++)
				if (dev->chan[c] != NULL)
					chan_tick(dev->chan[c], now, &next);
		}
		vsw_poll(sim_now_ns(), &next);
		now = sim_now_ns();
		if (next <= now || host_kicked)
			continue;
		hv_futex_wait(&hv_shm->doorbell, seq,
			      next == UINT64_MAX ? UINT64_MAX : next - now);
	}
	dev_hooks_fini();
	vsw_fini();
	return NULL;
}

/* ---- model entry points ---- */

static bool
hv_enabled(void)
{
	return hv_cfg.enabled;
}

static int
hv_setup(void)
{
	int err;

	err = sim_vfs_register("/sys/bus/vmbus", false, hv_ring_open_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/class/uio", false, hv_ring_open_hook);
	if (err == 0)
		err = sim_vfs_register("/dev/uio", true, hv_uio_open_hook);
	return err;
}

static int
hv_build(const char *dir)
{
	unsigned int i;
	int err;

	snprintf(hv_tb, sizeof(hv_tb), "%s", dir);
	err = map_shared(true);
	if (err < 0)
		return err;
	memset(hv_shm, 0, sizeof(*hv_shm));
	init_mutex(&hv_shm->ctl_lock);
	hv_shm->size = sizeof(*hv_shm);
	hv_shm->owner_pid = (int32_t)getpid();
	hv_shm->ndev = hv_cfg.ndev;
	next_relid = HV_FIRST_RELID + hv_cfg.ndev;
	memset(monitor_used, 0, sizeof(monitor_used));
	for (i = 0; i < hv_cfg.ndev; i++) {
		const struct hv_dev_spec *s = &hv_cfg.dev[i];
		struct hv_shm_chan *c = &hv_shm->dev[i].chan[0];

		init_mutex(&hv_shm->dev[i].lock);
		c->relid = s->relid;
		c->monitor_id = s->monitor_id;
		c->subch_id = 0;
		c->state = HV_CH_OFFERED;
		if (s->monitor_id != HV_NO_MONITOR)
			monitor_used[s->monitor_id] = true;
	}
	err = hv_sysfs_build();
	if (err < 0)
		return err;
	for (i = 0; i < hv_cfg.ndev; i++) {
		struct hv_dev *dev = &devs[i];

		memset(dev, 0, sizeof(*dev));
		dev->idx = i;
		dev->spec = &hv_cfg.dev[i];
		dev->shm = &hv_shm->dev[i];
		dev->svc = hv_service_find(dev->spec->class_guid);
		if (!dev->spec->uio)
			continue;
		dev->chan[0] = chan_create(dev, 0, NULL);
		if (dev->chan[0] == NULL)
			return -ENOMEM;
	}
	__atomic_store_n(&hv_shm->magic, HV_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static int
hv_attach(const char *dir)
{
	int err;

	snprintf(hv_tb, sizeof(hv_tb), "%s", dir);
	err = map_shared(false);
	if (err < 0)
		return err;
	if (__atomic_load_n(&hv_shm->magic, __ATOMIC_ACQUIRE) != HV_SHM_MAGIC ||
	    hv_shm->size != sizeof(*hv_shm) || hv_shm->ndev != hv_cfg.ndev)
		return -EPROTO;
	return 0;
}

static int
hv_start(void)
{
	int err = pthread_create(&host_thread, NULL, host_main, NULL);

	if (err != 0)
		return -err;
	pthread_setname_np(host_thread, "hvsim-host");
	host_running = true;
	return 0;
}

static void
hv_stop(void)
{
	if (!host_running)
		return;
	__atomic_store_n(&host_quit, 1, __ATOMIC_RELEASE);
	hv_doorbell();
	pthread_join(host_thread, NULL);
	host_running = false;
}

static void
hv_atfork_child(void)
{
	host_running = false;
	hv_uio_atfork_child();
}

const struct sim_model hv_model = {
	.name = "hyperv",
	.enabled = hv_enabled,
	.setup = hv_setup,
	.build = hv_build,
	.attach = hv_attach,
	.start = hv_start,
	.stop = hv_stop,
	.atfork_child = hv_atfork_child,
	.ctl = hv_ctl,
};
