/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal DSA stand-in for the idxd data-path unit tests and fuzz target:
 * a protected portal page whose MOVDIR64B/ENQCMD writes are caught (SIGSEGV,
 * or SIGILL on CPUs without the instruction) and logged, and an executor
 * that runs logged descriptors when the test says so, checking them against
 * the DSA rules a driver must follow and writing completion records.
 *
 * It is deliberately independent of sim/dsa (the real model): these tests
 * pin the PMD's own behaviour, descriptor by descriptor.
 *
 * Only the encodings the PMD emits are decoded: portal in RAX, descriptor
 * in RDX (ModRM byte 0x02).
 */
#ifndef IDXD_FAKE_DEV_H
#define IDXD_FAKE_DEV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "idxd_hw.h"

#define FAKE_LOG_MAX 8192

struct fake_dev {
	uint8_t *portal;
	struct idxd_hw_desc log[FAKE_LOG_MAX];
	bool via_enqcmd[FAKE_LOG_MAX];
	unsigned int n_log;       /* descriptors received */
	unsigned int n_exec;      /* of which executed (in order) */
	bool executed[FAKE_LOG_MAX];
	unsigned int refuse_enqcmd; /* answer "retry" this many times */
	unsigned int enqcmd_refused;
	unsigned int wq_size;     /* outstanding submissions allowed */
	unsigned int max_batch;
	unsigned int max_outstanding;
	unsigned int violations;  /* rule breaks seen */
	char last_violation[160];
};

static struct fake_dev fake;

static void
fake_violation(const char *what)
{
	fake.violations++;
	snprintf(fake.last_violation, sizeof(fake.last_violation), "%s", what);
}

static unsigned int
fake_outstanding(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < fake.n_log; i++)
		n += !fake.executed[i];
	return n;
}

static void
fake_receive(const void *desc, bool enqcmd)
{
	if (fake.n_log >= FAKE_LOG_MAX) {
		fake_violation("descriptor log full");
		return;
	}
	memcpy(&fake.log[fake.n_log], desc, 64);
	fake.via_enqcmd[fake.n_log] = enqcmd;
	fake.executed[fake.n_log] = false;
	fake.n_log++;
	if (fake_outstanding() > fake.max_outstanding)
		fake.max_outstanding = fake_outstanding();
	if (fake.wq_size != 0 && fake_outstanding() > fake.wq_size)
		fake_violation("WQ overflow: more submissions than the WQ holds");
}

static void
fake_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *r = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)r[REG_RIP];
	uint8_t *dst = (uint8_t *)r[REG_RAX];
	bool movdir = ip[0] == 0x66, enqcmd = ip[0] == 0xf2;

	(void)si;
	if (!(movdir || enqcmd) || ip[1] != 0x0f || ip[2] != 0x38 || ip[3] != 0xf8 ||
	    ip[4] != 0x02 || dst < fake.portal || dst >= fake.portal + 4096) {
		signal(sig, SIG_DFL);
		return; /* re-executes and dies with the default action */
	}
	if (((uintptr_t)dst & 63) != 0)
		fake_violation("portal write not 64-byte aligned");
	if (enqcmd && fake.refuse_enqcmd > 0) {
		fake.refuse_enqcmd--;
		fake.enqcmd_refused++;
		r[REG_EFL] |= 0x40; /* ZF: retry */
	} else {
		fake_receive((const void *)r[REG_RDX], enqcmd);
		if (enqcmd)
			r[REG_EFL] &= ~(greg_t)0x40;
	}
	r[REG_RIP] += 5;
}

static void
fake_init(unsigned int wq_size, unsigned int max_batch)
{
	struct sigaction sa;

	memset(&fake, 0, sizeof(fake));
	fake.wq_size = wq_size;
	fake.max_batch = max_batch;
	fake.portal = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fake.portal == MAP_FAILED)
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fake_trap;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

static void
fake_fini(void)
{
	munmap(fake.portal, 4096);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
}

/* Write a completion record as the device does: body, then status. */
static void
fake_write_cr(uint64_t addr, uint8_t status, uint32_t bytes, uint64_t fault)
{
	struct idxd_completion *cr = (struct idxd_completion *)(uintptr_t)addr;

	if ((addr & 31) != 0) {
		fake_violation("completion record not 32-byte aligned");
		return;
	}
	cr->result = 0;
	cr->bytes_completed = bytes;
	cr->fault_addr = fault;
	__atomic_store_n(&cr->status, status, __ATOMIC_RELEASE);
}

static bool
fake_reserved_zero(const struct idxd_hw_desc *d)
{
	return d->pasid_priv == 0 && d->intr_handle == 0 && d->op_specific0 == 0 &&
	       d->op_specific[0] == 0 && d->op_specific[1] == 0 && d->op_specific[2] == 0;
}

/* Run one memory move or fill; returns its status (fault on address 0). */
static uint8_t
fake_run_op(const struct idxd_hw_desc *d, uint32_t *done, uint64_t *fault)
{
	uint8_t op = d->op_flags >> 24;
	uint8_t *dst = (uint8_t *)(uintptr_t)d->dst;
	uint32_t i;

	*done = 0;
	*fault = 0;
	if (!fake_reserved_zero(d))
		return IDXD_ST_NONZERO_RESERVED;
	if (d->size == 0)
		return IDXD_ST_INVALID_SIZE;
	if (op == IDXD_OP_MEMMOVE) {
		if (d->src == 0)
			return IDXD_ST_PAGE_FAULT;
		if (d->dst == 0)
			return IDXD_ST_PAGE_FAULT | IDXD_CR_STATUS_WRITE;
		memmove(dst, (const void *)(uintptr_t)d->src, d->size);
	} else if (op == IDXD_OP_FILL) {
		if (d->dst == 0)
			return IDXD_ST_PAGE_FAULT | IDXD_CR_STATUS_WRITE;
		for (i = 0; i < d->size; i++)
			dst[i] = (uint8_t)(d->pattern >> (8 * (i % 8)));
	} else {
		return IDXD_ST_INVALID_OPCODE;
	}
	return IDXD_ST_SUCCESS;
}

static bool
fake_status_ok(uint8_t st)
{
	return st == IDXD_ST_SUCCESS;
}

/* Execute logged descriptor i, as hardware would, in place. */
static void
fake_exec(unsigned int i)
{
	const struct idxd_hw_desc *d = &fake.log[i];
	uint8_t op = d->op_flags >> 24;
	uint32_t flags = d->op_flags & 0xffffff;
	uint32_t done;
	uint64_t fault;

	if (i >= fake.n_log || fake.executed[i])
		return;
	fake.executed[i] = true;
	if (!(flags & IDXD_FLAG_CRAV) || !(flags & IDXD_FLAG_RCR))
		fake_violation("submission without CRAV|RCR");
	if (flags & IDXD_FLAG_FENCE)
		fake_violation("fence on a descriptor submitted alone");
	if (op == IDXD_OP_BATCH) {
		const struct idxd_hw_desc *m = (const void *)(uintptr_t)d->desc_list;
		uint32_t k, n = d->size, processed = 0;
		bool failed = false;

		if (n < 2 || (fake.max_batch != 0 && n > fake.max_batch)) {
			fake_violation("batch count out of range");
			fake_write_cr(d->completion_addr, IDXD_ST_INVALID_COUNT, 0, 0);
			return;
		}
		if ((d->desc_list & 63) != 0)
			fake_violation("batch list misaligned");
		for (k = 0; k < n; k++) {
			uint32_t mf = m[k].op_flags & 0xffffff;
			uint8_t st;

			if ((mf & IDXD_FLAG_FENCE) && failed)
				break; /* abandon the fenced member and the rest */
			if (!(mf & IDXD_FLAG_CRAV) || (mf & IDXD_FLAG_RCR))
				fake_violation("batch member flags: want CRAV without RCR");
			st = fake_run_op(&m[k], &done, &fault);
			processed++;
			if (!fake_status_ok(st)) {
				failed = true;
				fake_write_cr(m[k].completion_addr, st, done, fault);
			}
		}
		fake_write_cr(d->completion_addr, failed ? IDXD_ST_BATCH_FAIL : IDXD_ST_SUCCESS,
			      processed, 0);
	} else {
		uint8_t st = fake_run_op(d, &done, &fault);

		fake_write_cr(d->completion_addr, st, done, fault);
	}
	while (fake.n_exec < fake.n_log && fake.executed[fake.n_exec])
		fake.n_exec++;
}

static void
fake_run_all(void)
{
	unsigned int i;

	for (i = 0; i < fake.n_log; i++)
		fake_exec(i);
}

/* Forget descriptors once all have run, for long tests. */
static void
fake_compact(void)
{
	if (fake.n_exec == fake.n_log)
		fake.n_log = fake.n_exec = 0;
}

#endif /* IDXD_FAKE_DEV_H */
