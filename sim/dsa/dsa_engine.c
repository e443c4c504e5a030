/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The descriptor engine: one thread per process that maps a portal.
 *
 * It takes descriptors from this process's WQ queues in arrival order into
 * a window (they leave the WQ then: occupancy drops, as when hardware
 * dispatches to an engine), executes them when due (arrival + latency-ns)
 * and writes completion records per spec 3.6/8.2:
 *  - CRAV = 1 and RCR = 1: always; RCR = 0: only for a status other than
 *    0x01, 0x02 and 0x05; CRAV = 0: never, an error goes to SWERROR;
 *  - a CR address that is not 32-byte aligned discards the descriptor
 *    (SWERROR 0x1B); one that cannot be written, likewise (0x1A);
 *  - the record body first, the status byte last, after a release fence.
 * Batches: the list is read, members run in order (or shuffled between
 * fences with ooo=yes), a fence after a failure abandons the rest (no
 * record, not counted), and the batch record (0x01 or 0x05 with
 * Descriptors Completed) comes after every member record. Drain completes
 * after everything before it in its WQ.
 *
 * With ooo=yes the engine picks any due descriptor of the window (a Drain
 * only once it is the oldest), so completion order differs from
 * submission order, as with several engines in a group.
 *
 * The thread sleeps on a futex when idle; the trap handler wakes it.
 */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dsa_model.h"

#define IDLE_WAIT_NS (200ull * 1000 * 1000)
#define MAX_BATCH 1024

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int start_err;
static pthread_t engine_thread;
static uint32_t doorbell;
static uint32_t sleeping;
static uint64_t rng_state;
/* Descriptors executed per device, for invalid=N. */
static uint64_t executed[DSA_MAX_DEVICES];

void
dsa_count(unsigned int dev, int wq, size_t field, uint64_t n)
{
	uint64_t *d = (uint64_t *)((uint8_t *)&dsa_shm->dev[dev].stats + field);

	__atomic_add_fetch(d, n, __ATOMIC_RELAXED);
	if (wq >= 0) {
		uint64_t *w = (uint64_t *)((uint8_t *)&dsa_shm->dev[dev].wq[wq].stats + field);

		__atomic_add_fetch(w, n, __ATOMIC_RELAXED);
	}
}

void
dsa_engine_kick(void)
{
	__atomic_add_fetch(&doorbell, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sleeping, __ATOMIC_SEQ_CST))
		dsa_futex_wake(&doorbell);
}

static uint64_t
rnd(void)
{
	/* xorshift64: deterministic for a given seed= */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- completion records ---- */

/*
 * Write a completion record: everything but the status byte, then the
 * status with release ordering, so a poller that sees the status sees the
 * rest. false if the address could not be written.
 */
static bool
write_cr(unsigned int dev, int wq, uint64_t addr, const struct dsa_completion *cr)
{
	/* Faults on the record address always block: the OS resolves an
	 * injected fault, a truly unmapped address stays a fault.
	 */
	struct dsa_dma dma = { .dev = dev, .wq = wq, .bof = true };

	if (dsa_dma_write(&dma, addr + 1, (const uint8_t *)cr + 1, sizeof(*cr) - 1) !=
	    sizeof(*cr) - 1)
		return false;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (dsa_dma_write(&dma, addr, &cr->status, 1) != 1)
		return false;
	DSA_COUNT(dev, wq, records, 1);
	return true;
}

static void
swerr(unsigned int dev, int wq, uint8_t code, const struct dsa_desc *d, bool batch,
      uint16_t index, uint64_t addr)
{
	dsa_lock(dev);
	dsa_hw_swerr(dev, wq, code, d, batch, index, addr, false);
	dsa_unlock(dev);
}

/*
 * Finish one descriptor: its record (or SWERROR) and counters. Returns
 * the status it completed with.
 */
static uint8_t
complete(unsigned int dev, int wq, const struct dsa_desc *d, struct dsa_completion *cr,
	 uint8_t status, bool batch, uint16_t index)
{
	uint32_t flags = DSA_DESC_FLAGS(d);
	uint8_t code = status & 0x3f;

	cr->status = status;
	DSA_COUNT(dev, wq, completions, 1);
	if (code != DSA_COMP_SUCCESS)
		DSA_COUNT(dev, wq, errors, 1);
	if (!(flags & DSA_FLAG_CRAV)) {
		if (code != DSA_COMP_SUCCESS && code != DSA_COMP_SUCCESS_PRED &&
		    code != DSA_COMP_BATCH_FAIL)
			swerr(dev, wq, code, d, batch, index, cr->fault_addr);
		return status;
	}
	if ((flags & DSA_FLAG_RCR) ||
	    (code != DSA_COMP_SUCCESS && code != DSA_COMP_SUCCESS_PRED &&
	     code != DSA_COMP_BATCH_FAIL)) {
		if (!write_cr(dev, wq, d->completion_addr, cr))
			swerr(dev, wq, DSA_COMP_CRA_XLAT, d, batch, index, d->completion_addr);
	}
	return status;
}

static void
count_op(unsigned int dev, int wq, unsigned int op)
{
	dsa_count(dev, wq, offsetof(struct dsa_stats, ops) +
		  (op < 32 ? op : 31) * sizeof(uint64_t), 1);
}

/*
 * Run one work descriptor (direct or batch member). Returns its status,
 * or 0 if it was discarded (bad record address: no completion at all).
 */
static uint8_t
run_work(unsigned int dev, int wq, const struct dsa_desc *d, bool in_batch, uint16_t index)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	struct dsa_completion cr;
	struct dsa_dma dma;
	uint32_t bad = 0;
	uint8_t st;

	memset(&cr, 0, sizeof(cr));
	count_op(dev, wq, DSA_DESC_OP(d));
	if (in_batch)
		DSA_COUNT(dev, wq, batch_members, 1);
	if ((DSA_DESC_FLAGS(d) & DSA_FLAG_CRAV) && (d->completion_addr & 31)) {
		swerr(dev, wq, DSA_COMP_CRA_ALIGN, d, in_batch, index, d->completion_addr);
		return 0;
	}
	st = dsa_op_check(dev, wq, d, in_batch, &bad);
	if (st != 0) {
		cr.invalid_flags = bad;
		return complete(dev, wq, d, &cr, st, in_batch, index);
	}
	if (s->invalid_every != 0 && ++executed[dev] % s->invalid_every == 0) {
		DSA_COUNT(dev, wq, invalid_injected, 1);
		return complete(dev, wq, d, &cr, (uint8_t)s->invalid_status, in_batch, index);
	}
	memset(&dma, 0, sizeof(dma));
	dma.dev = dev;
	dma.wq = wq;
	dma.bof = (DSA_DESC_FLAGS(d) & DSA_FLAG_BOF) && w->hw_bof;
	st = dsa_op_execute(&dma, d, &cr);
	return complete(dev, wq, d, &cr, st, in_batch, index);
}

static void
shuffle(uint16_t *order, unsigned int n)
{
	unsigned int i;

	for (i = n; i > 1; i--) {
		unsigned int j = (unsigned int)(rnd() % i);
		uint16_t t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

static void
run_batch(unsigned int dev, int wq, const struct dsa_desc *b)
{
	static struct dsa_desc list[MAX_BATCH];
	static uint16_t order[MAX_BATCH];
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dev];
	const struct dsa_shm_wq *w = &dsa_shm->dev[dev].wq[wq];
	struct dsa_completion cr;
	struct dsa_dma dma;
	unsigned int n = b->xfer_size, got, i, seg, done = 0;
	uint32_t bad = 0;
	bool failed = false;
	uint8_t st;

	memset(&cr, 0, sizeof(cr));
	count_op(dev, wq, DSA_OP_BATCH);
	if ((DSA_DESC_FLAGS(b) & DSA_FLAG_CRAV) && (b->completion_addr & 31)) {
		swerr(dev, wq, DSA_COMP_CRA_ALIGN, b, false, 0, b->completion_addr);
		return;
	}
	st = dsa_op_check(dev, wq, b, false, &bad);
	if (st != 0) {
		cr.invalid_flags = bad;
		complete(dev, wq, b, &cr, st, false, 0);
		return;
	}
	if (b->src & 63) {
		complete(dev, wq, b, &cr, DSA_COMP_DESCLIST_ALIGN, false, 0);
		return;
	}
	/* 2 .. the WQ's max batch size (no Batch1 support). */
	if (n < 2 || n > (1u << w->hw_max_batch_shift) || n > MAX_BATCH) {
		complete(dev, wq, b, &cr, DSA_COMP_DESC_CNT_ERANGE, false, 0);
		return;
	}
	/* Fetching the list blocks on faults the OS can resolve. */
	memset(&dma, 0, sizeof(dma));
	dma.dev = dev;
	dma.wq = wq;
	dma.bof = true;
	got = (unsigned int)(dsa_dma_read(&dma, list, b->src, (size_t)n * 64) / 64);

	for (seg = 0; seg < got;) {
		unsigned int end = seg + 1, k;

		/* A fenced member waits for everything before it, and is
		 * abandoned with all later ones if any of those failed.
		 */
		if ((DSA_DESC_FLAGS(&list[seg]) & DSA_FLAG_FENCE) && failed && seg > 0)
			break;
		while (end < got && !(DSA_DESC_FLAGS(&list[end]) & DSA_FLAG_FENCE))
			end++;
		for (k = 0; k < end - seg; k++)
			order[k] = (uint16_t)(seg + k);
		if (s->ooo)
			shuffle(order, end - seg);
		for (k = 0; k < end - seg; k++) {
			i = order[k];
			/* The batch's PASID applies to its members. */
			list[i].pasid_priv = b->pasid_priv;
			st = run_work(dev, wq, &list[i], true, (uint16_t)i);
			done++;
			if (st != DSA_COMP_SUCCESS)
				failed = true;
		}
		seg = end;
	}
	if (got < n && dma.fault.hit && done == got) {
		/* The list could not be read to the end. */
		cr.bytes_completed = done;
		cr.fault_addr = dma.fault.addr;
		complete(dev, wq, b, &cr, DSA_COMP_BATCH_PAGE_FAULT, false, 0);
		return;
	}
	cr.bytes_completed = done;
	complete(dev, wq, b, &cr, failed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS, false, 0);
}

static void
run_drain(unsigned int dev, int wq, const struct dsa_desc *d)
{
	struct dsa_completion cr;
	uint32_t bad = 0;
	uint8_t st;

	memset(&cr, 0, sizeof(cr));
	count_op(dev, wq, DSA_OP_DRAIN);
	if ((DSA_DESC_FLAGS(d) & DSA_FLAG_CRAV) && (d->completion_addr & 31)) {
		swerr(dev, wq, DSA_COMP_CRA_ALIGN, d, false, 0, d->completion_addr);
		return;
	}
	st = dsa_op_check(dev, wq, d, false, &bad);
	cr.invalid_flags = bad;
	/* Everything before it has completed: the window is in order and
	 * a Drain only runs as its oldest entry.
	 */
	complete(dev, wq, d, &cr, st != 0 ? st : DSA_COMP_SUCCESS, false, 0);
}

static void
run_entry(struct dsa_lwq *q, const struct dsa_entry *e)
{
	switch (DSA_DESC_OP(&e->desc)) {
	case DSA_OP_BATCH:
		run_batch(q->dev, (int)q->wq, &e->desc);
		break;
	case DSA_OP_DRAIN:
		run_drain(q->dev, (int)q->wq, &e->desc);
		break;
	default:
		run_work(q->dev, (int)q->wq, &e->desc, false, 0);
		break;
	}
}

static void
finished(struct dsa_lwq *q, unsigned int n)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[q->dev].wq[q->wq];

	if (n == 0)
		return;
	if (__atomic_sub_fetch(&w->inflight, n, __ATOMIC_ACQ_REL) == 0)
		dsa_futex_wake(&w->inflight);
}

/* ---- the queues this process owns ---- */

static struct dsa_lwq *active[DSA_MAX_DEVICES * DSA_MAX_WQS];
static unsigned int nactive;

static void
refresh_active(void)
{
	unsigned int d, w, n = 0;

	for (d = 0; d < dsa_cfg.ndev; d++)
		for (w = 0; w < dsa_cfg.dev[d].nwqs; w++) {
			struct dsa_lwq *q = dsa_lwq_get_existing(d, w);

			if (q != NULL)
				active[n++] = q;
		}
	nactive = n;
}

static struct dsa_entry *
win_at(struct dsa_lwq *q, unsigned int i)
{
	return &q->win[(q->win_head + i) % q->win_cap];
}

static void
win_remove(struct dsa_lwq *q, unsigned int i)
{
	unsigned int k;

	/* Keep the window in arrival order. */
	for (k = i; k + 1 < q->win_count; k++)
		*win_at(q, k) = *win_at(q, k + 1);
	q->win_count--;
}

/* Abort/Reset: queued and dispatched work is abandoned, no records. */
static void
check_abort(struct dsa_lwq *q)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[q->dev].wq[q->wq];
	uint32_t gen = __atomic_load_n(&w->abort_gen, __ATOMIC_ACQUIRE);
	struct dsa_entry e;
	unsigned int n = 0;

	if (gen == q->seen_abort_gen)
		return;
	q->seen_abort_gen = gen;
	while (dsa_lwq_pop(q, &e)) {
		__atomic_sub_fetch(&w->occupancy, 1, __ATOMIC_RELEASE);
		n++;
	}
	n += q->win_count;
	q->win_count = 0;
	finished(q, n);
}

static void
take_drops(struct dsa_lwq *q)
{
	uint8_t op;
	uint32_t n = dsa_lwq_take_drops(q, &op);
	struct dsa_desc d;

	if (n == 0)
		return;
	memset(&d, 0, sizeof(d));
	d.flags_op = (uint32_t)op << 24;
	dsa_lock(q->dev);
	/* One entry, Overflow for the others. */
	while (n-- > 0)
		dsa_hw_swerr(q->dev, (int)q->wq, DSA_SWERR_DWQ_FULL, &d, false, 0, 0, false);
	dsa_unlock(q->dev);
}

static void
fill_window(struct dsa_lwq *q)
{
	struct dsa_shm_wq *w = &dsa_shm->dev[q->dev].wq[q->wq];
	while (q->win_count < q->win_cap) {
		if (!dsa_lwq_pop(q, win_at(q, q->win_count)))
			break;
		q->win_count++;
		/* Dispatched to an engine: it no longer occupies the WQ. */
		__atomic_sub_fetch(&w->occupancy, 1, __ATOMIC_RELEASE);
	}
}

/*
 * Pick the next entry of q to run: its index in the window, or -1; sets
 * *wait_ns to the time until the earliest entry becomes due.
 */
static int
pick(struct dsa_lwq *q, uint64_t now, uint64_t *wait_ns)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[q->dev];
	unsigned int i, ndue = 0, limit = q->win_count;
	int cand[256];

	for (i = 0; i < q->win_count; i++)
		if (DSA_DESC_OP(&win_at(q, i)->desc) == DSA_OP_DRAIN) {
			limit = i == 0 ? 1 : i;
			break;
		}
	if (!s->ooo)
		limit = q->win_count > 0 ? 1 : 0;
	for (i = 0; i < limit && ndue < 256; i++) {
		uint64_t due = win_at(q, i)->t_ns + s->latency_ns;

		if (due <= now) {
			cand[ndue++] = (int)i;
		} else if (due - now < *wait_ns) {
			*wait_ns = due - now;
		}
		if (!s->ooo)
			break;
	}
	if (ndue == 0)
		return -1;
	return s->ooo ? cand[rnd() % ndue] : cand[0];
}

static bool
any_queued(void)
{
	unsigned int i;

	for (i = 0; i < nactive; i++) {
		struct dsa_lwq *q = active[i];
		const struct dsa_cell *c = &q->cells[q->head & q->mask];

		if (q->win_count > 0 ||
		    __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) == q->head + 1 ||
		    __atomic_load_n(&q->drops, __ATOMIC_ACQUIRE) != 0)
			return true;
		if (__atomic_load_n(&dsa_shm->dev[q->dev].wq[q->wq].abort_gen,
				    __ATOMIC_ACQUIRE) != q->seen_abort_gen)
			return true;
	}
	return false;
}

static void *
engine_main(void *arg)
{
	unsigned int rr = 0;
	sigset_t set;

	(void)arg;
	/* Signals for the program go to the program's threads. */
	sigfillset(&set);
	sigdelset(&set, SIGSEGV);
	sigdelset(&set, SIGBUS);
	sigdelset(&set, SIGILL);
	sigdelset(&set, SIGFPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		uint64_t now, wait_ns = IDLE_WAIT_NS;
		uint32_t bell = __atomic_load_n(&doorbell, __ATOMIC_SEQ_CST);
		bool progress = false;
		unsigned int i;

		refresh_active();
		now = sim_now_ns();
		for (i = 0; i < nactive; i++) {
			struct dsa_lwq *q = active[(rr + i) % nactive];
			int k;

			check_abort(q);
			take_drops(q);
			fill_window(q);
			k = pick(q, now, &wait_ns);
			if (k < 0)
				continue;
			{
				struct dsa_entry e = *win_at(q, (unsigned int)k);

				__atomic_store_n(&q->busy, 1, __ATOMIC_RELEASE);
				win_remove(q, (unsigned int)k);
				run_entry(q, &e);
				finished(q, 1);
				__atomic_store_n(&q->busy, 0, __ATOMIC_RELEASE);
			}
			progress = true;
		}
		rr++;
		if (progress)
			continue;
		__atomic_store_n(&sleeping, 1, __ATOMIC_SEQ_CST);
		/* Work that is not due yet: sleep until it is; anything else
		 * queued is taken on the next round (short nap, no spinning).
		 */
		if (any_queued() && wait_ns == IDLE_WAIT_NS)
			wait_ns = 1000000;
		dsa_futex_wait(&doorbell, bell, wait_ns);
		__atomic_store_n(&sleeping, 0, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
do_start(void)
{
	int err;

	rng_state = dsa_cfg.ndev > 0 && dsa_cfg.dev[0].seed != 0 ? dsa_cfg.dev[0].seed : 1;
	err = pthread_create(&engine_thread, NULL, engine_main, NULL);
	if (err != 0) {
		start_err = -err;
		return;
	}
	pthread_setname_np(engine_thread, "dsasim-engine");
	pthread_detach(engine_thread);
}

int
dsa_engine_start(void)
{
	pthread_once(&start_once, do_start);
	return start_err;
}

void
dsa_engine_quiesce(unsigned int dev, unsigned int wq, uint64_t timeout_ns)
{
	struct dsa_lwq *q = dsa_lwq_get_existing(dev, wq);
	uint64_t deadline = sim_now_ns() + timeout_ns;

	if (q == NULL)
		return;
	while (sim_now_ns() < deadline) {
		const struct dsa_cell *c = &q->cells[q->head & q->mask];

		if (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != q->head + 1 &&
		    __atomic_load_n(&q->win_count, __ATOMIC_ACQUIRE) == 0 &&
		    !__atomic_load_n(&q->busy, __ATOMIC_ACQUIRE))
			return;
		dsa_engine_kick();
		{
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
		}
	}
}

void
dsa_engine_atfork_child(void)
{
	pthread_once_t once = PTHREAD_ONCE_INIT;

	/* No thread survives fork; the child starts its own if it maps. */
	start_once = once;
	start_err = 0;
	doorbell = 0;
	sleeping = 0;
	nactive = 0;
}
