/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trapped device memory: pages that a model maps without access so that
 * every access faults and is emulated (a DSA portal, a BAR of registers).
 *
 * One handler serves SIGSEGV, SIGBUS and SIGILL. It decodes the
 * instruction at the faulting RIP; if it is an access the decoder knows to
 * a registered region, the region's ops emulate it and execution resumes
 * after the instruction. Everything else goes to the handler that was
 * installed before (ASan's, a program's own) or to the default action, so
 * genuine crashes stay crashes. SIGILL matters because a CPU without
 * ENQCMD (or a tool such as valgrind without MOVDIR64B) raises #UD before
 * the memory access happens.
 *
 * The handler is async-signal-safe: the region table is a fixed array
 * published with atomics, the decoder is pure code, and the ops are
 * required to be lock-free.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "libsim.h"

#define TRAP_MAX_REGIONS 128

struct trap_region {
	uintptr_t start;
	uintptr_t end;                 /* 0: free slot */
	const struct sim_trap_ops *ops;
	void *priv;
};

static struct trap_region regions[TRAP_MAX_REGIONS];
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static struct sigaction prev_segv, prev_bus, prev_ill;
static uint64_t traps_emulated;

static const struct trap_region *
find_region(uintptr_t addr)
{
	unsigned int i;

	for (i = 0; i < TRAP_MAX_REGIONS; i++) {
		const struct trap_region *r = &regions[i];
		uintptr_t end = __atomic_load_n(&r->end, __ATOMIC_ACQUIRE);

		if (end != 0 && addr >= r->start && addr < end)
			return r;
	}
	return NULL;
}

static bool
emulate(int sig, siginfo_t *si, ucontext_t *uc)
{
	mcontext_t *mc = &uc->uc_mcontext;
	const uint8_t *code = (const uint8_t *)mc->gregs[REG_RIP];
	const struct trap_region *r;
	struct sim_insn in;
	uint64_t val;
	int res;

	if (sim_insn_decode(code, mc, &in) < 0) {
		/* A modelled page touched by an instruction we do not know:
		 * say which, since the program is about to die of it.
		 */
		if (sig != SIGILL && find_region((uintptr_t)si->si_addr) != NULL)
			sim_log("udrv-sim", "unsupported access to a modelled page at "
				"%p: %02x %02x %02x %02x %02x %02x %02x %02x", si->si_addr,
				code[0], code[1], code[2], code[3], code[4], code[5],
				code[6], code[7]);
		return false;
	}
	switch (in.op) {
	case SIM_INSN_MOVDIR64B:
	case SIM_INSN_ENQCMD:
	case SIM_INSN_ENQCMDS: {
		uint8_t desc[64];

		r = find_region((uintptr_t)in.dst);
		if (r == NULL || r->ops->submit64 == NULL)
			return false;
		/* The CPU faults on a misaligned destination (#GP). */
		if (in.dst & 63)
			return false;
		/* The source is ordinary memory of the program. */
		memcpy(desc, (const void *)(uintptr_t)in.mem, sizeof(desc));
		res = r->ops->submit64(r->priv, (uintptr_t)in.dst, desc, in.op);
		if (res < 0)
			return false;
		if (in.op != SIM_INSN_MOVDIR64B) {
			/* ENQCMD(S): ZF = retry, OF SF AF PF CF cleared. */
			greg_t fl = mc->gregs[REG_EFL] & ~(greg_t)0x8d5;

			if (res > 0)
				fl |= 0x40;
			mc->gregs[REG_EFL] = fl;
		}
		break;
	}
	case SIM_INSN_LOAD:
		/* A plain access faults only with SIGSEGV/SIGBUS. */
		if (sig == SIGILL)
			return false;
		r = find_region((uintptr_t)in.mem);
		if (r == NULL || r->ops->read == NULL)
			return false;
		if (r->ops->read(r->priv, (uintptr_t)in.mem, in.size, &val) < 0)
			return false;
		sim_insn_complete_load(mc, &in, val);
		break;
	case SIM_INSN_STORE:
		if (sig == SIGILL)
			return false;
		r = find_region((uintptr_t)in.mem);
		if (r == NULL || r->ops->write == NULL)
			return false;
		if (r->ops->write(r->priv, (uintptr_t)in.mem, in.size,
				  sim_insn_store_value(mc, &in)) < 0)
			return false;
		break;
	default:
		return false;
	}
	mc->gregs[REG_RIP] += in.len;
	__atomic_add_fetch(&traps_emulated, 1, __ATOMIC_RELAXED);
	return true;
}

static void
chain(int sig, siginfo_t *si, void *ctx)
{
	const struct sigaction *prev = sig == SIGSEGV ? &prev_segv :
				       sig == SIGBUS ? &prev_bus : &prev_ill;

	if (prev->sa_flags & SA_SIGINFO) {
		if (prev->sa_sigaction != NULL) {
			prev->sa_sigaction(sig, si, ctx);
			return;
		}
	} else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
		return;
	}
	/* Default action: restore it; returning re-executes the faulting
	 * instruction, which now kills the process as it would have.
	 */
	signal(sig, SIG_DFL);
}

static void
trap_handler(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	bool done = emulate(sig, si, ctx);

	errno = saved;
	if (!done)
		chain(sig, si, ctx);
}

static void
install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &prev_segv);
	sigaction(SIGBUS, &sa, &prev_bus);
	sigaction(SIGILL, &sa, &prev_ill);
	pthread_atfork(NULL, NULL, sim_trap_atfork_child);
}

int
sim_trap_register(void *addr, size_t len, const struct sim_trap_ops *ops, void *priv)
{
	unsigned int i;
	int err = -ENOSPC;

	pthread_once(&install_once, install);
	pthread_mutex_lock(&regions_lock);
	for (i = 0; i < TRAP_MAX_REGIONS; i++) {
		struct trap_region *r = &regions[i];

		if (r->end != 0)
			continue;
		r->start = (uintptr_t)addr;
		r->ops = ops;
		r->priv = priv;
		__atomic_store_n(&r->end, (uintptr_t)addr + len, __ATOMIC_RELEASE);
		err = 0;
		break;
	}
	pthread_mutex_unlock(&regions_lock);
	return err;
}

unsigned int
sim_trap_unregister(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, b = a + len;
	unsigned int i, n = 0;
	struct trap_region gone[TRAP_MAX_REGIONS];

	pthread_mutex_lock(&regions_lock);
	for (i = 0; i < TRAP_MAX_REGIONS; i++) {
		struct trap_region *r = &regions[i];

		if (r->end == 0 || r->start >= b || r->end <= a)
			continue;
		/* Only whole regions go away; a partial unmap of a region
		 * leaves it registered (its pages no longer fault anyway).
		 */
		if (r->start < a || r->end > b)
			continue;
		gone[n++] = *r;
		__atomic_store_n(&r->end, 0, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&regions_lock);
	/* Outside the lock: the model may take its own locks. */
	for (i = 0; i < n; i++)
		if (gone[i].ops->unmapped != NULL)
			gone[i].ops->unmapped(gone[i].priv, gone[i].start);
	return n;
}

bool
sim_trap_any(void)
{
	unsigned int i;

	for (i = 0; i < TRAP_MAX_REGIONS; i++)
		if (__atomic_load_n(&regions[i].end, __ATOMIC_ACQUIRE) != 0)
			return true;
	return false;
}

void
sim_trap_atfork_child(void)
{
	pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
	unsigned int i;

	regions_lock = init;
	/* Trapped mappings are MADV_DONTFORK, as device mappings are
	 * VM_DONTCOPY: the child has none of them.
	 */
	for (i = 0; i < TRAP_MAX_REGIONS; i++)
		__atomic_store_n(&regions[i].end, 0, __ATOMIC_RELEASE);
}

uint64_t
sim_trap_count(void)
{
	return __atomic_load_n(&traps_emulated, __ATOMIC_RELAXED);
}
