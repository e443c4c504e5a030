/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the idxd PMD's handling of completion records, which a
 * device (or whoever controls it) writes and the PMD must never trust.
 *
 * Each input drives a queue through rounds of: enqueue jobs of every kind
 * (copy, split copy, fill, scatter-gather, fences, submits), then act as the
 * device: write submission and member completion records from the input
 * bytes (any byte values, any order), then collect completions with
 * completed()/completed_status() in input-chosen bites. Checked:
 *  - no crash, no sanitizer report;
 *  - counts never exceed what was asked, last_idx follows the ids handed
 *    back, every status is one the PMD documents;
 *  - every job comes back exactly once once the device finishes;
 *  - never silent: a submission whose record was not a clean success
 *    yields at least one job that did not succeed.
 *
 * The portal is a plain page: MOVDIR64B stores to it (or, on a CPU without
 * the instruction, SIGILL is caught and the write skipped); ENQCMD is
 * emulated the same way, refusing as often as the input says.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "idxd_queue.h"

#define MAX_JOBS_TRACKED 65536

static uint8_t portal[4096] __attribute__((aligned(4096)));
static uint8_t qmem[1 << 17] __attribute__((aligned(64)));
static uint8_t buf[1 << 16] __attribute__((aligned(64)));
static unsigned int refuse;

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t
get8(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t
get16(struct input *in)
{
	return get8(in) | (uint16_t)get8(in) << 8;
}

static void
getbytes(struct input *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memset(dst, 0, len);
	memcpy(dst, in->p, k);
	in->p += k;
	in->n -= k;
}

static void
trap_ill(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *r = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)r[REG_RIP];

	(void)si;
	if ((ip[0] == 0x66 || ip[0] == 0xf2) && ip[1] == 0x0f && ip[2] == 0x38 &&
	    ip[3] == 0xf8 && ip[4] == 0x02) {
		if (ip[0] == 0xf2) {
			if (refuse > 0) {
				refuse--;
				r[REG_EFL] |= 0x40;
			} else {
				r[REG_EFL] &= ~(greg_t)0x40;
			}
		}
		r[REG_RIP] += 5;
		return;
	}
	signal(sig, SIG_DFL);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sigaction sa;

	(void)argc;
	(void)argv;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_ill;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGILL, &sa, NULL);
	return 0;
}

static bool
status_documented(enum rte_dma_status_code s)
{
	switch (s) {
	case RTE_DMA_STATUS_SUCCESSFUL:
	case RTE_DMA_STATUS_NOT_ATTEMPTED:
	case RTE_DMA_STATUS_INVALID_SRC_ADDR:
	case RTE_DMA_STATUS_INVALID_DST_ADDR:
	case RTE_DMA_STATUS_INVALID_ADDR:
	case RTE_DMA_STATUS_INVALID_LENGTH:
	case RTE_DMA_STATUS_INVALID_OPCODE:
	case RTE_DMA_STATUS_BUS_READ_ERROR:
	case RTE_DMA_STATUS_BUS_WRITE_ERROR:
	case RTE_DMA_STATUS_BUS_ERROR:
	case RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR:
	case RTE_DMA_STATUS_PAGE_FAULT:
	case RTE_DMA_STATUS_ERROR_UNKNOWN:
		return true;
	default:
		return false;
	}
}

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); abort(); } while (0)

static struct idxd_queue q;
static uint32_t enqueued, returned;
/* Per job id: its submission was written as a failure (record id + 1). */
static uint32_t job_record[MAX_JOBS_TRACKED];
static uint32_t nb_failed_records;
static bool record_saw_failure[MAX_JOBS_TRACKED];

static void
collect(struct input *in, bool use_status, uint16_t max)
{
	enum rte_dma_status_code st[64];
	uint16_t last = 0xbeef, n, i;
	bool err = false;

	if (max > 64)
		max = 64;
	if (use_status) {
		n = idxd_completed_status(&q, 0, max, &last, st);
	} else {
		n = idxd_completed(&q, 0, max, &last, &err);
		for (i = 0; i < n; i++)
			st[i] = RTE_DMA_STATUS_SUCCESSFUL;
	}
	(void)in;
	if (n > max)
		FAIL("returned %u of %u\n", n, max);
	for (i = 0; i < n; i++) {
		uint16_t id = returned + i;

		if (!status_documented(st[i]))
			FAIL("undocumented status %d\n", st[i]);
		if (st[i] != RTE_DMA_STATUS_SUCCESSFUL && job_record[id] != 0)
			record_saw_failure[job_record[id] - 1] = true;
		job_record[id] = 0;
	}
	returned += n;
	if (last != (uint16_t)(returned - 1))
		FAIL("last_idx %u, expected %u\n", last, (uint16_t)(returned - 1));
	if (returned > enqueued)
		FAIL("more jobs back than enqueued\n");
}

/* Act as the device for every submission given to it and not complete. */
static void
device_writes(struct input *in, bool finish)
{
	uint16_t i, desc_start = idxd_head_slot(&q), job_first = idxd_head_job(&q);

	for (i = q.sub_read; i != q.sub_sent; i++,
	     desc_start = (desc_start + q.sub[(i - 1) & q.sub_mask].desc_count) & q.desc_mask,
	     job_first += q.sub[(i - 1) & q.sub_mask].job_count) {
		uint16_t idx = i & q.sub_mask;
		const struct idxd_submission *rec = &q.sub[idx];
		struct idxd_completion *cr = &q.sub_cr[idx];
		struct idxd_completion v;
		uint8_t mode = finish ? 1 : get8(in) % 4;
		bool clean;
		uint16_t k;

		if (cr->status != IDXD_ST_NONE)
			continue;
		if (mode == 0)
			continue; /* still running */
		memset(&v, 0, sizeof(v));
		if (mode == 1) {
			v.status = IDXD_ST_SUCCESS;
			v.bytes_completed = rec->desc_count > 1 ? rec->desc_count : 0;
		} else {
			getbytes(in, &v, sizeof(v));
			if (v.status == IDXD_ST_NONE)
				v.status = IDXD_ST_BATCH_FAIL;
			/* Member records too, any bytes. */
			for (k = 0; k < rec->desc_count; k++) {
				struct idxd_completion m;

				if (mode == 3 || (get8(in) & 1) == 0)
					continue;
				getbytes(in, &m, sizeof(m));
				memcpy(&q.member_cr[desc_start + k], &m, sizeof(m));
			}
		}
		if (rec->desc_count > 1)
			clean = v.status == IDXD_ST_SUCCESS &&
				(v.bytes_completed == 0 || v.bytes_completed == rec->desc_count);
		else
			clean = v.status == IDXD_ST_SUCCESS &&
				(v.bytes_completed == 0 ||
				 v.bytes_completed == q.desc[desc_start].size);
		if (!clean) {
			uint32_t r = nb_failed_records++;

			record_saw_failure[r] = false;
			for (k = 0; k < rec->job_count; k++)
				job_record[(uint16_t)(job_first + k)] = r + 1;
		}
		/* Body first, status byte last. */
		memcpy((uint8_t *)cr + 1, (uint8_t *)&v + 1, sizeof(v) - 1);
		__atomic_store_n(&cr->status, v.status, __ATOMIC_RELEASE);
	}
}

static void
enqueue_some(struct input *in)
{
	unsigned int n = get8(in) % 40, i;

	for (i = 0; i < n; i++) {
		uint8_t kind = get8(in);
		uint8_t f = get8(in);
		uint64_t flags = (f & 1 ? RTE_DMA_OP_FLAG_FENCE : 0) |
				 (f & 2 ? RTE_DMA_OP_FLAG_SUBMIT : 0) |
				 (f & 4 ? RTE_DMA_OP_FLAG_LLC : 0);
		uint32_t len = get16(in) % 9000;
		uint64_t a = (uintptr_t)buf + get8(in) * 64, b = (uintptr_t)buf + get8(in) * 64;
		int id;

		if (kind % 3 == 0) {
			id = idxd_copy(&q, 0, f & 8 ? 0 : a, b, len, flags);
		} else if (kind % 3 == 1) {
			id = idxd_fill(&q, 0, 0x0123456789abcdefull, f & 8 ? 0 : b, len, flags);
		} else {
			struct rte_dma_sge s[3], d[2];
			uint32_t l1 = get8(in), l2 = get8(in);

			s[0] = (struct rte_dma_sge){ .addr = a, .length = l1 };
			s[1] = (struct rte_dma_sge){ .addr = a + 4096, .length = l2 };
			s[2] = (struct rte_dma_sge){ .addr = a + 8192, .length = len % 300 };
			d[0] = (struct rte_dma_sge){ .addr = b, .length = (l1 + l2) / 2 };
			d[1] = (struct rte_dma_sge){ .addr = b + 8192,
				.length = l1 + l2 + len % 300 - (l1 + l2) / 2 };
			id = idxd_copy_sg(&q, 0, s, d, 3, 2, flags);
		}
		if (id >= 0) {
			if ((uint16_t)id != (uint16_t)enqueued)
				FAIL("id %d, expected %u\n", id, (uint16_t)enqueued);
			enqueued++;
		} else if (id != -ENOSPC && id != -EINVAL) {
			FAIL("enqueue returned %d\n", id);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct idxd_queue_conf c;
	unsigned int round, guard;
	uint8_t b0 = get8(&in), b1 = get8(&in);
	uint32_t r;

	memset(&c, 0, sizeof(c));
	c.portal = portal;
	c.shared = b0 & 1;
	c.cache_control = b0 & 2;
	c.nb_desc = 32 << ((b0 >> 2) & 1);
	c.batch_max = 1 + (b1 & 15);
	c.wq_slots = 1 + ((b1 >> 4) & 7);
	c.max_xfer = 1u << (get8(&in) % 14);
	if (idxd_queue_mem_size(&c) > sizeof(qmem) ||
	    idxd_queue_init(&q, &c, qmem, (uintptr_t)qmem) != 0)
		FAIL("queue init\n");
	enqueued = returned = 0;
	nb_failed_records = 0;
	memset(job_record, 0, sizeof(job_record));
	refuse = get8(&in) % 80;

	for (round = 0; round < 8 && in.n > 0; round++) {
		unsigned int bites = get8(&in) % 6;

		enqueue_some(&in);
		if (get8(&in) & 1)
			idxd_submit(&q, 0);
		device_writes(&in, false);
		while (bites-- > 0)
			collect(&in, get8(&in) & 1, 1 + get8(&in) % 64);
		if (idxd_burst_capacity(&q, 0) > q.nb_desc)
			FAIL("capacity above the ring size\n");
	}

	/* The device finishes everything; every job must come back. */
	refuse = 0;
	idxd_submit(&q, 0);
	for (guard = 0; returned != enqueued && guard < 100000; guard++) {
		idxd_queue_busy(&q); /* sends held submissions */
		device_writes(&in, true);
		collect(&in, true, 64);
	}
	if (returned != enqueued)
		FAIL("%u jobs never came back\n", enqueued - returned);
	if (q.stats.completed != returned || q.stats.submitted != enqueued ||
	    q.stats.errors > q.stats.completed)
		FAIL("stats: submitted %lu completed %lu errors %lu\n",
		     (unsigned long)q.stats.submitted, (unsigned long)q.stats.completed,
		     (unsigned long)q.stats.errors);
	for (r = 0; r < nb_failed_records; r++)
		if (!record_saw_failure[r])
			FAIL("a failed submission came back all successful\n");
	if (idxd_queue_busy(&q) || !idxd_queue_rewind(&q))
		FAIL("queue not idle at the end\n");
	return 0;
}
