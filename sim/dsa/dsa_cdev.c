/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dev/dsa/wqN.M: the user work-queue character device of Linux's idxd
 * driver (drivers/dma/idxd/cdev.c, 6.12), as a process sees it:
 *  - open: the WQ must be bound to "user"; a dedicated WQ has at most one
 *    open file (EBUSY);
 *  - mmap: at most one page, mapping the WQ's limited portal whatever the
 *    offset; needs CAP_SYS_RAWIO (DSA is not "user submission safe",
 *    INTEL-SA-01084); a shared mapping with PROT_WRITE needs the file open
 *    for writing; the mapping is not inherited by fork (VM_DONTCOPY) and
 *    holds the file open after close(), as a vma does;
 *  - write: 64-byte descriptors submitted by the "kernel" (Batch refused,
 *    completion address 32-byte aligned; shared WQs retried up to
 *    enqcmds_retries, then EAGAIN);
 *  - poll: readable once the device recorded a software error;
 *  - release: waits for this process's work in the WQ.
 * The fd is an eventfd underneath, so poll/epoll see the error event.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <signal.h>

#include "dsa_model.h"

#define RELEASE_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)

struct cdev_file {
	struct cdev_file *next;
	unsigned int dev;
	unsigned int wq;
	int efd;
	bool writable;
	uint32_t refs;                 /* the fd, plus one per mapping */
};

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cdev_file *files;

static bool
has_rawio(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &h, data) < 0)
		return false;
	return (data[CAP_SYS_RAWIO / 32].effective >> (CAP_SYS_RAWIO % 32)) & 1;
}

/* Drop clients whose process is gone (it cannot close any more). */
static void
reap_clients(struct dsa_shm_wq *w)
{
	unsigned int i;

	for (i = 0; i < DSA_MAX_CLIENTS; i++) {
		if (w->client_pid[i] == 0)
			continue;
		if (kill(w->client_pid[i], 0) < 0 && errno == ESRCH) {
			w->clients -= w->client_refs[i] <= w->clients ? w->client_refs[i]
								       : w->clients;
			w->client_pid[i] = 0;
			w->client_refs[i] = 0;
		}
	}
}

static int
client_add(struct dsa_shm_wq *w)
{
	int32_t pid = (int32_t)getpid();
	unsigned int i, free_slot = DSA_MAX_CLIENTS;

	for (i = 0; i < DSA_MAX_CLIENTS; i++) {
		if (w->client_pid[i] == pid) {
			w->client_refs[i]++;
			w->clients++;
			return 0;
		}
		if (w->client_pid[i] == 0 && free_slot == DSA_MAX_CLIENTS)
			free_slot = i;
	}
	if (free_slot == DSA_MAX_CLIENTS)
		return -EMFILE;
	w->client_pid[free_slot] = pid;
	w->client_refs[free_slot] = 1;
	w->clients++;
	return 0;
}

static void
client_del(struct dsa_shm_wq *w)
{
	int32_t pid = (int32_t)getpid();
	unsigned int i;

	for (i = 0; i < DSA_MAX_CLIENTS; i++)
		if (w->client_pid[i] == pid) {
			if (w->client_refs[i] > 0)
				w->client_refs[i]--;
			if (w->client_refs[i] == 0)
				w->client_pid[i] = 0;
			if (w->clients > 0)
				w->clients--;
			return;
		}
}

static void
file_put(struct cdev_file *f)
{
	struct cdev_file **pp;
	bool last;

	pthread_mutex_lock(&files_lock);
	last = --f->refs == 0;
	if (last)
		for (pp = &files; *pp != NULL; pp = &(*pp)->next)
			if (*pp == f) {
				*pp = f->next;
				break;
			}
	pthread_mutex_unlock(&files_lock);
	if (!last)
		return;
	/* release(): this process's work in the WQ finishes first. */
	dsa_engine_quiesce(f->dev, f->wq, RELEASE_TIMEOUT_NS);
	dsa_lock(f->dev);
	client_del(&dsa_shm->dev[f->dev].wq[f->wq]);
	dsa_sysfs_render(f->dev);
	dsa_unlock(f->dev);
	free(f);
}

static void
map_gone(void *arg)
{
	file_put(arg);
}

static void *
cdev_mmap(void *priv, int fd, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct cdev_file *f = priv;
	const struct dsa_dev_spec *s = &dsa_cfg.dev[f->dev];
	void *m;

	(void)fd;
	(void)off;
	if (s->rawio == DSA_RAWIO_NO || (s->rawio == DSA_RAWIO_AUTO && !has_rawio())) {
		errno = EPERM;
		return MAP_FAILED;
	}
	if (len == 0 || ((len + DSA_PORTAL_PAGE - 1) & ~(size_t)(DSA_PORTAL_PAGE - 1)) >
	    DSA_PORTAL_PAGE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !f->writable) {
		errno = EACCES;
		return MAP_FAILED;
	}
	pthread_mutex_lock(&files_lock);
	f->refs++;
	pthread_mutex_unlock(&files_lock);
	m = dsa_portal_map(f->dev, f->wq, DSA_PORTAL_LIMITED, addr, DSA_PORTAL_PAGE, flags,
			   map_gone, f);
	if (m == MAP_FAILED) {
		int e = errno;

		file_put(f);
		errno = e;
	}
	return m;
}

static ssize_t
cdev_read(void *priv, int fd, void *buf, size_t len)
{
	(void)priv;
	(void)fd;
	(void)buf;
	(void)len;
	errno = EINVAL;
	return -1;
}

static ssize_t
cdev_write(void *priv, int fd, const void *buf, size_t len)
{
	struct cdev_file *f = priv;
	const struct dsa_shm_wq *w = &dsa_shm->dev[f->dev].wq[f->wq];
	size_t done = 0;

	(void)fd;
	while (done + sizeof(struct dsa_desc) <= len) {
		struct dsa_desc d;
		unsigned int tries = 0;
		int r;

		memcpy(&d, (const uint8_t *)buf + done, sizeof(d));
		/* Batches are refused on devices not safe for user
		 * submission; a record address must be 32-byte aligned.
		 */
		if (DSA_DESC_OP(&d) == DSA_OP_BATCH ||
		    ((DSA_DESC_FLAGS(&d) & DSA_FLAG_CRAV) && (d.completion_addr & 31))) {
			if (done > 0)
				return (ssize_t)done;
			errno = EINVAL;
			return -1;
		}
		d.pasid_priv = (uint32_t)getpid() & 0xfffff;
		for (;;) {
			r = dsa_portal_submit(f->dev, f->wq, DSA_PORTAL_LIMITED, &d,
					      !w->hw_dedicated);
			if (r != 1 || ++tries > w->enqcmds_retries)
				break;
		}
		if (r == 1) {
			if (done > 0)
				return (ssize_t)done;
			errno = EAGAIN;
			return -1;
		}
		done += sizeof(d);
	}
	return (ssize_t)done;
}

static void
cdev_close(void *priv, int fd)
{
	struct cdev_file *f = priv;

	(void)fd;
	/* The program closes the fd number itself; a mapping may keep the
	 * file alive, but never the number, which may be reused.
	 */
	pthread_mutex_lock(&files_lock);
	f->efd = -1;
	pthread_mutex_unlock(&files_lock);
	file_put(f);
}

static void
nothing(void *priv)
{
	(void)priv;
}

static const struct sim_fd_ops cdev_ops = {
	.mmap = cdev_mmap,
	.read = cdev_read,
	.write = cdev_write,
	.close = cdev_close,
	.free = nothing,
};

void
dsa_cdev_notify(unsigned int dev)
{
	struct cdev_file *f;
	uint64_t one = 1;

	pthread_mutex_lock(&files_lock);
	for (f = files; f != NULL; f = f->next)
		if (f->dev == dev && f->efd >= 0 &&
		    sim_raw_write(f->efd, &one, sizeof(one)) < 0)
			continue;
	pthread_mutex_unlock(&files_lock);
}

int
dsa_cdev_open_hook(int fd, const char *path, int flags)
{
	unsigned int id, wq, dev;
	struct cdev_file *f;
	struct dsa_shm_wq *w;
	int n = 0, efd, r;

	if (flags & O_PATH)
		return fd;
	if (sscanf(path, "/dev/dsa/wq%u.%u%n", &id, &wq, &n) != 2 || path[n] != '\0')
		return fd;
	for (dev = 0; dev < dsa_cfg.ndev; dev++)
		if (!dsa_cfg.dev[dev].vfio && dsa_cfg.dev[dev].id == id)
			break;
	sim_real_close(fd);
	if (dev == dsa_cfg.ndev || wq >= dsa_cfg.dev[dev].nwqs)
		return -ENXIO;
	w = &dsa_shm->dev[dev].wq[wq];
	dsa_lock(dev);
	if (w->drv != DSA_DRV_USER) {
		dsa_unlock(dev);
		return -ENXIO;
	}
	reap_clients(w);
	if (w->dedicated && w->clients > 0) {
		dsa_unlock(dev);
		return -EBUSY;
	}
	r = client_add(w);
	if (r < 0) {
		dsa_unlock(dev);
		return r;
	}
	dsa_sysfs_render(dev);
	dsa_unlock(dev);

	f = calloc(1, sizeof(*f));
	efd = eventfd(0, EFD_CLOEXEC | ((flags & O_NONBLOCK) ? EFD_NONBLOCK : 0));
	if (f != NULL && efd >= 0) {
		f->dev = dev;
		f->wq = wq;
		f->efd = efd;
		f->writable = (flags & O_ACCMODE) != O_RDONLY;
		f->refs = 1;
		r = sim_fd_install(efd, &cdev_ops, f);
	} else {
		r = -ENOMEM;
	}
	if (r < 0) {
		free(f);
		if (efd >= 0)
			sim_real_close(efd);
		dsa_lock(dev);
		client_del(w);
		dsa_sysfs_render(dev);
		dsa_unlock(dev);
		return r;
	}
	pthread_mutex_lock(&files_lock);
	f->next = files;
	files = f;
	pthread_mutex_unlock(&files_lock);
	/* An error the device already recorded makes it readable at once. */
	if (dsa_shm->dev[dev].sw_err[0] & 1) {
		uint64_t one = 1;

		if (sim_raw_write(efd, &one, sizeof(one)) < 0)
			sim_log(DSA_LOG, "cannot signal the cdev");
	}
	return efd;
}

void
dsa_cdev_atfork_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;

	files_lock = init;
}
