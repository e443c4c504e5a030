/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Portals: the 64-byte submission windows of the work queues.
 *
 * A portal is mapped PROT_NONE and registered with libsim's trap handler,
 * so each MOVDIR64B or ENQCMD to it faults; the handler decodes it and
 * calls portal_submit64() here, in signal context, on the submitting
 * thread. That is where the hardware's acceptance rules apply (spec 5.3,
 * table 9-11):
 *  - MOVDIR64B to an enabled dedicated WQ: accepted if the WQ has room,
 *    else dropped and recorded in SWERROR (0x53);
 *  - MOVDIR64B to a shared or disabled WQ: ignored, no trace;
 *  - ENQCMD to an enabled shared WQ: accepted below the threshold (limited
 *    portal) or the size (unlimited portal), else Retry (ZF = 1);
 *  - ENQCMD to a dedicated or disabled WQ: Retry.
 * An accepted descriptor is copied into this process's queue for the WQ,
 * in order, exactly once, and the engine is woken.
 *
 * Everything on that path is async-signal-safe: atomics on the shared WQ
 * counters, a lock-free queue, and a futex wake.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dsa_model.h"

#define PORTAL_POOL 256

struct portal {
	uint32_t used;
	unsigned int dev;
	unsigned int wq;
	unsigned int kind;
	void (*on_unmap)(void *arg);
	void *arg;
};

/* Never freed: a racing fault on another thread may still look at one. */
static struct portal portals[PORTAL_POOL];
static struct dsa_lwq *lwqs[DSA_MAX_DEVICES][DSA_MAX_WQS];
static pthread_mutex_t lwq_lock = PTHREAD_MUTEX_INITIALIZER;

struct dsa_lwq *
dsa_lwq_get_existing(unsigned int dev, unsigned int wq)
{
	return __atomic_load_n(&lwqs[dev][wq], __ATOMIC_ACQUIRE);
}

struct dsa_lwq *
dsa_lwq_get(unsigned int dev, unsigned int wq)
{
	struct dsa_lwq *q = __atomic_load_n(&lwqs[dev][wq], __ATOMIC_ACQUIRE);
	uint64_t cap = 64, i;

	if (q != NULL)
		return q;
	pthread_mutex_lock(&lwq_lock);
	q = lwqs[dev][wq];
	if (q != NULL)
		goto out;
	/* Room for every entry the WQ can hold: admission is bounded by the
	 * WQ size, which never exceeds the device's total.
	 */
	while (cap < dsa_cfg.dev[dev].wq_total)
		cap <<= 1;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		goto out;
	q->cells = calloc(cap, sizeof(*q->cells));
	q->win_cap = dsa_cfg.dev[dev].ooo_window;
	q->win = calloc(q->win_cap, sizeof(*q->win));
	if (q->cells == NULL || q->win == NULL) {
		free(q->cells);
		free(q->win);
		free(q);
		q = NULL;
		goto out;
	}
	for (i = 0; i < cap; i++)
		q->cells[i].seq = i;
	q->mask = cap - 1;
	q->dev = dev;
	q->wq = wq;
	q->seen_abort_gen = __atomic_load_n(&dsa_shm->dev[dev].wq[wq].abort_gen,
					    __ATOMIC_ACQUIRE);
	__atomic_store_n(&lwqs[dev][wq], q, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&lwq_lock);
	return q;
}

/* Producer side; false if full (cannot happen while admission holds). */
static bool
lwq_push(struct dsa_lwq *q, const struct dsa_entry *e)
{
	uint64_t pos = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
	struct dsa_cell *c;

	for (;;) {
		uint64_t seq;
		int64_t dif;

		c = &q->cells[pos & q->mask];
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		dif = (int64_t)(seq - pos);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&q->tail, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			return false;
		} else {
			pos = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
		}
	}
	c->e = *e;
	__atomic_store_n(&c->seq, pos + 1, __ATOMIC_RELEASE);
	return true;
}

bool
dsa_lwq_pop(struct dsa_lwq *q, struct dsa_entry *e)
{
	struct dsa_cell *c = &q->cells[q->head & q->mask];
	uint64_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);

	if (seq != q->head + 1)
		return false;
	*e = c->e;
	__atomic_store_n(&c->seq, q->head + q->mask + 1, __ATOMIC_RELEASE);
	q->head++;
	return true;
}

uint32_t
dsa_lwq_take_drops(struct dsa_lwq *q, uint8_t *op)
{
	*op = __atomic_load_n(&q->drop_op, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&q->drops, 0, __ATOMIC_ACQ_REL);
}

/* Take a slot in the WQ if occupancy is below limit. */
static bool
admit(struct dsa_shm_wq *w, uint32_t limit)
{
	uint32_t occ = __atomic_load_n(&w->occupancy, __ATOMIC_RELAXED);

	do {
		if (occ >= limit)
			return false;
	} while (!__atomic_compare_exchange_n(&w->occupancy, &occ, occ + 1, true,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return true;
}

int
dsa_portal_submit_sig(unsigned int dev, unsigned int wq, unsigned int kind, const void *src,
		      bool dmwr)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	struct dsa_lwq *q = __atomic_load_n(&lwqs[dev][wq], __ATOMIC_ACQUIRE);
	struct dsa_entry e;
	uint32_t limit;
	bool dedicated;

	DSA_COUNT(dev, (int)wq, portal_writes, 1);
	if (__atomic_load_n(&w->hw_state, __ATOMIC_ACQUIRE) != DSA_WQ_STATE_ENABLED ||
	    dsa_hw_gensts(dev) != DSA_GENSTS_ENABLED) {
		if (dmwr) {
			DSA_COUNT(dev, (int)wq, enqcmd_retries, 1);
			return 1;
		}
		DSA_COUNT(dev, (int)wq, ignored_writes, 1);
		return 0;
	}
	dedicated = __atomic_load_n(&w->hw_dedicated, __ATOMIC_RELAXED);
	if (dedicated && dmwr) {
		DSA_COUNT(dev, (int)wq, enqcmd_retries, 1);
		return 1;
	}
	if (!dedicated && !dmwr) {
		DSA_COUNT(dev, (int)wq, ignored_writes, 1);
		return 0;
	}
	limit = w->hw_size;
	if (!dedicated && kind == DSA_PORTAL_LIMITED)
		limit = w->hw_threshold;
	if (q == NULL || !admit(w, limit)) {
		if (dmwr) {
			DSA_COUNT(dev, (int)wq, enqcmd_retries, 1);
			return 1;
		}
		/* A full dedicated WQ drops it; the engine will put 0x53 in
		 * SWERROR (no lock may be taken here).
		 */
		DSA_COUNT(dev, (int)wq, dwq_full_drops, 1);
		if (q != NULL) {
			__atomic_store_n(&q->drop_op, ((const uint8_t *)src)[7], __ATOMIC_RELAXED);
			__atomic_add_fetch(&q->drops, 1, __ATOMIC_RELEASE);
			dsa_engine_kick();
		}
		return -1;
	}
	memcpy(&e.desc, src, sizeof(e.desc));
	if (dmwr) {
		/* ENQCMD puts the process's PASID in, with Priv = 0. */
		e.desc.pasid_priv = (uint32_t)getpid() & 0xfffff;
	}
	e.t_ns = sim_now_ns();
	e.portal = kind;
	__atomic_add_fetch(&w->inflight, 1, __ATOMIC_ACQ_REL);
	if (!lwq_push(q, &e)) {
		/* Cannot happen: the queue holds the whole WQ. */
		__atomic_sub_fetch(&w->occupancy, 1, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&w->inflight, 1, __ATOMIC_RELEASE);
		return dmwr ? 1 : -1;
	}
	DSA_COUNT(dev, (int)wq, submitted, 1);
	dsa_engine_kick();
	return 0;
}

static int
portal_submit64(void *priv, uintptr_t addr, const void *src, enum sim_insn_op op)
{
	const struct portal *p = priv;
	int r;

	(void)addr;
	/* ENQCMDS is for ring 0; from user mode the CPU refuses it. */
	if (op == SIM_INSN_ENQCMDS)
		return -1;
	r = dsa_portal_submit_sig(p->dev, p->wq, p->kind, src, op == SIM_INSN_ENQCMD);
	return r < 0 ? 0 : r;
}

int
dsa_portal_submit(unsigned int dev, unsigned int wq, unsigned int kind,
		  const struct dsa_desc *d, bool deferrable)
{
	if (dsa_lwq_get(dev, wq) == NULL)
		return -1;
	if (dsa_engine_start() < 0)
		return -1;
	return dsa_portal_submit_sig(dev, wq, kind, d, deferrable);
}

static void
portal_unmapped(void *priv, uintptr_t start)
{
	struct portal *p = priv;
	void (*fn)(void *) = p->on_unmap;
	void *arg = p->arg;

	(void)start;
	__atomic_store_n(&p->used, 0, __ATOMIC_RELEASE);
	if (fn != NULL)
		fn(arg);
}

static const struct sim_trap_ops portal_ops = {
	.submit64 = portal_submit64,
	.unmapped = portal_unmapped,
};

void *
dsa_portal_map(unsigned int dev, unsigned int wq, unsigned int kind,
	       void *addr, size_t len, int flags,
	       void (*on_unmap)(void *arg), void *arg)
{
	struct portal *p = NULL;
	unsigned int i;
	void *m;

	if (dsa_lwq_get(dev, wq) == NULL || dsa_engine_start() < 0) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	for (i = 0; i < PORTAL_POOL; i++) {
		uint32_t z = 0;

		if (__atomic_compare_exchange_n(&portals[i].used, &z, 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			p = &portals[i];
			break;
		}
	}
	if (p == NULL) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	p->dev = dev;
	p->wq = wq;
	p->kind = kind;
	p->on_unmap = on_unmap;
	p->arg = arg;
	/* No access at all: every store faults into the handler. */
	m = sim_raw_mmap(addr, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)),
			 -1, 0);
	if ((unsigned long)m > -4096UL) {
		errno = -(int)(long)m;
		__atomic_store_n(&p->used, 0, __ATOMIC_RELEASE);
		return MAP_FAILED;
	}
	/* Device mappings are VM_DONTCOPY: a child does not inherit them. */
	madvise(m, len, MADV_DONTFORK);
	if (sim_trap_register(m, len, &portal_ops, p) < 0) {
		sim_raw_munmap(m, len);
		__atomic_store_n(&p->used, 0, __ATOMIC_RELEASE);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return m;
}

void
dsa_portal_atfork_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	unsigned int i;

	lwq_lock = init;
	/* The child inherits no portal and no engine. */
	for (i = 0; i < PORTAL_POOL; i++)
		portals[i].used = 0;
	memset(lwqs, 0, sizeof(lwqs));
}
