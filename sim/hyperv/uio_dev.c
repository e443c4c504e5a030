/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest's view of a device bound to uio_hv_generic: the /dev/uioN
 * character device and the sysfs channels/<relid>/ring files.
 *
 * This is what the kernel does on the guest's behalf, so it runs in the
 * calling thread of whichever process (owner or attached) uses the fd:
 * first open / last close ask the host to open / close the channel,
 * mmap serves the uio maps from testbed files, read waits for the device's
 * interrupt count to move, write sets the RX interrupt masks and signals
 * the host for channels without a monitor id.
 *
 * The fd handed out is an eventfd, readable while an interrupt is unread,
 * so poll and epoll work on it unchanged.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "hv_model.h"

struct uio_file {
	struct uio_file *next;
	unsigned int dev;
	int fd;
	uint32_t last;                 /* interrupt count this fd has seen */
};

struct ring_file {
	unsigned int dev;
	unsigned int slot;
	uint64_t ino;
	size_t size;
};

/* This process's mapping of one channel's RX ring header. */
struct rx_hdr_map {
	uint64_t ino;
	struct hv_ring_hdr *hdr;
};

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uio_file *files;
static pthread_mutex_t hdr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rx_hdr_map rx_hdrs[HV_MAX_DEVICES][HV_MAX_CHANNELS];
static pthread_once_t notifier_once = PTHREAD_ONCE_INIT;

/* ---- open/close requests to the host ---- */

static int
dev_request(unsigned int dev, uint32_t op)
{
	struct hv_shm_dev *s = &hv_shm->dev[dev];
	uint64_t deadline = sim_now_ns() + HV_REQ_TIMEOUT_MS * 1000000ull;
	uint32_t seq;

	s->req_op = op;
	seq = __atomic_add_fetch(&s->req_seq, 1, __ATOMIC_SEQ_CST);
	hv_doorbell();
	for (;;) {
		uint32_t ack = __atomic_load_n(&s->ack_seq, __ATOMIC_ACQUIRE);
		uint64_t now = sim_now_ns();

		if (ack == seq)
			return s->req_result;
		if (now >= deadline) {
			sim_log(HV_LOG, "%s: host did not answer (owner pid %d gone?)",
				hv_cfg.dev[dev].id, (int)hv_shm->owner_pid);
			return -EIO;
		}
		hv_futex_wait(&s->ack_seq, ack, deadline - now);
	}
}

static int
dev_get(unsigned int dev)
{
	struct hv_shm_dev *s = &hv_shm->dev[dev];
	int r = 0;

	hv_lock(&s->lock);
	if (s->open_count == 0)
		r = dev_request(dev, HV_REQ_OPEN);
	if (r == 0)
		s->open_count++;
	hv_unlock(&s->lock);
	return r;
}

static void
dev_put(unsigned int dev)
{
	struct hv_shm_dev *s = &hv_shm->dev[dev];

	hv_lock(&s->lock);
	if (s->open_count > 0 && --s->open_count == 0)
		dev_request(dev, HV_REQ_CLOSE);
	hv_unlock(&s->lock);
}

/* ---- interrupt delivery to this process's fds ---- */

void
hv_uio_notify(int dev)
{
	struct uio_file *f;
	uint64_t one = 1;

	pthread_mutex_lock(&files_lock);
	for (f = files; f != NULL; f = f->next) {
		const struct hv_shm_dev *s = &hv_shm->dev[f->dev];

		if (dev >= 0 && f->dev != (unsigned int)dev)
			continue;
		if (__atomic_load_n(&s->intr_count, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&f->last, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&s->rescinded, __ATOMIC_ACQUIRE))
			if (sim_raw_write(f->fd, &one, sizeof(one)) < 0)
				continue;
	}
	pthread_mutex_unlock(&files_lock);
}

/* In an attached process, interrupts come from the owner's host thread:
 * follow the shared sequence number and wake local fds.
 */
static void *
notifier_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t seq = __atomic_load_n(&hv_shm->intr_seq, __ATOMIC_ACQUIRE);

		hv_uio_notify(-1);
		hv_futex_wait(&hv_shm->intr_seq, seq, UINT64_MAX);
	}
	return NULL;
}

static void
start_notifier(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, notifier_main, NULL) == 0) {
		pthread_setname_np(t, "hvsim-notify");
		pthread_detach(t);
	}
}

void
hv_uio_atfork_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	pthread_once_t once = PTHREAD_ONCE_INIT;

	files_lock = init;
	hdr_lock = init;
	notifier_once = once;
}

/* ---- irqcontrol: the uio write ---- */

static struct hv_ring_hdr *
rx_hdr(unsigned int dev, unsigned int slot, const struct hv_shm_chan *c)
{
	struct rx_hdr_map *m = &rx_hdrs[dev][slot];
	char path[SIM_PATH_MAX];
	void *p;
	int fd;

	if (m->hdr != NULL && m->ino == c->ring_ino)
		return m->hdr;
	if (m->hdr != NULL)
		sim_raw_munmap(m->hdr, HV_PAGE_SIZE);
	m->hdr = NULL;
	hv_ring_path(path, sizeof(path), dev, c->relid);
	fd = sim_raw_open(path, O_RDWR, 0);
	if (fd < 0)
		return NULL;
	/* The RX half starts one ring size into the file. */
	p = sim_raw_mmap(NULL, HV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)hv_cfg.dev[dev].ring_size);
	sim_raw_close(fd);
	if ((unsigned long)p > -4096UL)
		return NULL;
	m->hdr = p;
	m->ino = c->ring_ino;
	return m->hdr;
}

static void
irqcontrol(unsigned int dev, int32_t on)
{
	struct hv_shm_dev *s = &hv_shm->dev[dev];
	bool kick = false;
	unsigned int i;

	pthread_mutex_lock(&hdr_lock);
	for (i = 0; i < HV_MAX_CHANNELS; i++) {
		struct hv_shm_chan *c = &s->chan[i];
		uint32_t st = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
		struct hv_ring_hdr *h;

		if (st != HV_CH_OPEN && st != HV_CH_DEAD)
			continue;
		h = rx_hdr(dev, i, c);
		if (h != NULL)
			__atomic_store_n(&h->interrupt_mask, on ? 0 : 1, __ATOMIC_SEQ_CST);
		if (on && c->monitor_id == HV_NO_MONITOR) {
			__atomic_store_n(&c->event, 1, __ATOMIC_SEQ_CST);
			kick = true;
		}
	}
	pthread_mutex_unlock(&hdr_lock);
	if (kick)
		hv_doorbell();
}

/* ---- /dev/uioN ops ---- */

static void *
uio_mmap(void *priv, int fd, void *addr, size_t len, int prot, int flags, off_t off)
{
	const struct uio_file *f = priv;
	long page = sysconf(_SC_PAGESIZE);
	char path[SIM_PATH_MAX];
	size_t size, map;
	void *p;
	int bfd;

	(void)fd;
	if (off < 0 || off % page != 0 || len == 0 ||
	    __atomic_load_n(&hv_shm->dev[f->dev].rescinded, __ATOMIC_ACQUIRE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	map = (size_t)(off / page);
	if (map >= hv_total_maps(f->dev)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	size = hv_map_size(f->dev, (unsigned int)map);
	if ((len + (size_t)page - 1) / (size_t)page > (size + (size_t)page - 1) / (size_t)page) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	hv_map_file(path, sizeof(path), f->dev, (unsigned int)map);
	bfd = sim_raw_open(path, O_RDWR, 0);
	if (bfd < 0) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	p = sim_real_mmap(addr, len, prot, flags, bfd, 0);
	sim_raw_close(bfd);
	return p;
}

static ssize_t
uio_read(void *priv, int fd, void *buf, size_t len)
{
	struct uio_file *f = priv;
	const struct hv_shm_dev *s = &hv_shm->dev[f->dev];

	if (len != sizeof(uint32_t)) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t v;
		uint32_t count;

		/* Consume the wake-up first, then look: an interrupt that
		 * lands in between leaves the eventfd readable again.
		 */
		if (!__atomic_load_n(&s->rescinded, __ATOMIC_ACQUIRE) &&
		    poll(&p, 1, 0) > 0 && sim_real_read(fd, &v, sizeof(v)) < 0 &&
		    errno != EAGAIN)
			return -1;
		if (__atomic_load_n(&s->rescinded, __ATOMIC_ACQUIRE)) {
			errno = EIO;
			return -1;
		}
		count = __atomic_load_n(&s->intr_count, __ATOMIC_ACQUIRE);
		if (count != f->last) {
			__atomic_store_n(&f->last, count, __ATOMIC_RELAXED);
			memcpy(buf, &count, sizeof(count));
			return sizeof(count);
		}
		if (fcntl(fd, F_GETFL) & O_NONBLOCK) {
			errno = EAGAIN;
			return -1;
		}
		p.revents = 0;
		if (poll(&p, 1, -1) < 0 && errno == EINTR)
			return -1;
	}
}

static ssize_t
uio_write(void *priv, int fd, const void *buf, size_t len)
{
	const struct uio_file *f = priv;
	int32_t v;

	(void)fd;
	if (len != sizeof(v)) {
		errno = EINVAL;
		return -1;
	}
	if (__atomic_load_n(&hv_shm->dev[f->dev].rescinded, __ATOMIC_ACQUIRE)) {
		errno = EIO;
		return -1;
	}
	memcpy(&v, buf, sizeof(v));
	irqcontrol(f->dev, v);
	return sizeof(v);
}

static void
uio_close(void *priv, int fd)
{
	struct uio_file *f = priv, **pp;

	(void)fd;
	pthread_mutex_lock(&files_lock);
	for (pp = &files; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	pthread_mutex_unlock(&files_lock);
	dev_put(f->dev);
}

static const struct sim_fd_ops uio_ops = {
	.mmap = uio_mmap,
	.read = uio_read,
	.write = uio_write,
	.close = uio_close,
	.free = free,
};

int
hv_uio_open_hook(int fd, const char *path, int flags)
{
	const char *num = path + strlen("/dev/uio");
	struct uio_file *f;
	unsigned long n;
	unsigned int d;
	char *end;
	int efd, r;

	if (!(num[0] >= '0' && num[0] <= '9'))
		return fd;
	n = strtoul(num, &end, 10);
	if (*end != '\0')
		return fd;
	for (d = 0; d < hv_cfg.ndev; d++)
		if (hv_cfg.dev[d].uio && (unsigned long)hv_cfg.dev[d].uio_index == n)
			break;
	if (d == hv_cfg.ndev)
		return fd;
	/* The testbed file was only a placeholder for the device node. */
	sim_real_close(fd);
	if (__atomic_load_n(&hv_shm->dev[d].rescinded, __ATOMIC_ACQUIRE))
		return -ENODEV;
	efd = eventfd(0, ((flags & O_CLOEXEC) ? EFD_CLOEXEC : 0) |
		      ((flags & O_NONBLOCK) ? EFD_NONBLOCK : 0));
	if (efd < 0)
		return -errno;
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		sim_real_close(efd);
		return -ENOMEM;
	}
	r = dev_get(d);
	if (r < 0) {
		free(f);
		sim_real_close(efd);
		return r;
	}
	f->dev = d;
	f->fd = efd;
	f->last = __atomic_load_n(&hv_shm->dev[d].intr_count, __ATOMIC_ACQUIRE);
	r = sim_fd_install(efd, &uio_ops, f);
	if (r < 0) {
		dev_put(d);
		free(f);
		sim_real_close(efd);
		return r;
	}
	pthread_mutex_lock(&files_lock);
	f->next = files;
	files = f;
	pthread_mutex_unlock(&files_lock);
	if (hv_shm->owner_pid != (int32_t)getpid())
		pthread_once(&notifier_once, start_notifier);
	return efd;
}

/* ---- channels/<relid>/ring ---- */

static void *
ring_mmap(void *priv, int fd, void *addr, size_t len, int prot, int flags, off_t off)
{
	const struct ring_file *rf = priv;
	const struct hv_shm_dev *s = &hv_shm->dev[rf->dev];
	const struct hv_shm_chan *c = &s->chan[rf->slot];
	uint32_t st = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);

	/* Mappable only once the channel is open, as in uio_hv_generic. */
	if (c->ring_ino != rf->ino || (st != HV_CH_OPEN && st != HV_CH_DEAD) ||
	    __atomic_load_n(&s->rescinded, __ATOMIC_ACQUIRE)) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	if (off < 0 || len == 0 || (uint64_t)off + len > rf->size) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	return sim_real_mmap(addr, len, prot, flags, fd, off);
}

static const struct sim_fd_ops ring_ops = {
	.mmap = ring_mmap,
	.free = free,
};

int
hv_ring_open_hook(int fd, const char *path, int flags)
{
	size_t n = strlen(path);
	struct ring_file *rf;
	unsigned int d, i;
	struct stat st;
	int r;

	(void)flags;
	if (n < 5 || strcmp(path + n - 5, "/ring") != 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fd;
	for (d = 0; d < hv_cfg.ndev; d++)
		for (i = 0; i < HV_MAX_CHANNELS; i++) {
			const struct hv_shm_chan *c = &hv_shm->dev[d].chan[i];

			if (c->ring_ino != (uint64_t)st.st_ino ||
			    c->ring_dev != (uint64_t)st.st_dev ||
			    __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == HV_CH_FREE)
				continue;
			rf = malloc(sizeof(*rf));
			if (rf == NULL)
				return fd;
			rf->dev = d;
			rf->slot = i;
			rf->ino = c->ring_ino;
			rf->size = (size_t)st.st_size;
			r = sim_fd_install(fd, &ring_ops, rf);
			if (r < 0)
				free(rf);
			return fd;
		}
	return fd;
}
