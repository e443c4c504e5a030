/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fd table of modelled character devices.
 *
 * One pointer per fd number: a non-modelled fd costs one atomic load. A
 * modelled entry is reference counted, so a read blocked in one thread
 * keeps its state alive while another thread closes the fd. The lock is a
 * spinlock held for a few instructions and never across a call out.
 */
#include <errno.h>
#include <stdlib.h>

#include "libsim.h"

#define SIM_MAX_FD 65536

struct sim_fd {
	const struct sim_fd_ops *ops;
	void *priv;
	unsigned int refs;
};

static struct sim_fd *fd_table[SIM_MAX_FD];
static int table_lock;

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static void
lock(void)
{
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(&table_lock, __ATOMIC_RELAXED) != 0)
			cpu_relax();
}

static void
unlock(void)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

int
sim_fd_install(int fd, const struct sim_fd_ops *ops, void *priv)
{
	struct sim_fd *f, *old;

	if (fd < 0 || fd >= SIM_MAX_FD)
		return -EMFILE;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->ops = ops;
	f->priv = priv;
	f->refs = 1;
	lock();
	old = fd_table[fd];
	__atomic_store_n(&fd_table[fd], f, __ATOMIC_RELEASE);
	unlock();
	if (old != NULL)
		sim_fd_put(old);
	return 0;
}

struct sim_fd *
sim_fd_get(int fd)
{
	struct sim_fd *f;

	if ((unsigned int)fd >= SIM_MAX_FD ||
	    __atomic_load_n(&fd_table[fd], __ATOMIC_ACQUIRE) == NULL)
		return NULL;
	lock();
	f = fd_table[fd];
	if (f != NULL)
		f->refs++;
	unlock();
	return f;
}

void
sim_fd_put(struct sim_fd *f)
{
	unsigned int left;

	lock();
	left = --f->refs;
	unlock();
	if (left == 0) {
		if (f->ops->free != NULL)
			f->ops->free(f->priv);
		free(f);
	}
}

const struct sim_fd_ops *
sim_fd_ops(const struct sim_fd *f)
{
	return f->ops;
}

void *
sim_fd_priv(const struct sim_fd *f)
{
	return f->priv;
}

bool
sim_fd_release(int fd)
{
	struct sim_fd *f;

	if ((unsigned int)fd >= SIM_MAX_FD ||
	    __atomic_load_n(&fd_table[fd], __ATOMIC_ACQUIRE) == NULL)
		return false;
	lock();
	f = fd_table[fd];
	__atomic_store_n(&fd_table[fd], NULL, __ATOMIC_RELEASE);
	unlock();
	if (f == NULL)
		return false;
	if (f->ops->close != NULL)
		f->ops->close(f->priv, fd);
	/* priv is freed when the last user (maybe a blocked read) lets go. */
	sim_fd_put(f);
	return true;
}

void
sim_fd_release_all(void)
{
	int fd;

	for (fd = 0; fd < SIM_MAX_FD; fd++)
		if (__atomic_load_n(&fd_table[fd], __ATOMIC_ACQUIRE) != NULL &&
		    sim_fd_release(fd))
			sim_real_close(fd);
}
