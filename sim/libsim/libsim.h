/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsim: the model-independent core of the device simulator.
 *
 * libsim is preloaded into the program under test. It redirects the paths
 * that a model registers to a testbed directory, gives chosen file
 * descriptors character-device semantics, and starts the models lazily.
 * This header is the contract between that core and the models.
 */
#ifndef UDRV_LIBSIM_H
#define UDRV_LIBSIM_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/ucontext.h>
#include <unistd.h>

#define SIM_PATH_MAX 4096
/* A testbed path leaves room below it for the deepest modelled path. */
#define SIM_TB_MAX   1024

/* Environment set by simrun. */
#define SIM_ENV_DIR    "UDRV_SIM_DIR"
#define SIM_ENV_CONFIG "UDRV_SIM_CONFIG"
/* Marker file that makes a directory a testbed simrun may delete. */
#define SIM_MARKER     ".udrv-sim"

/* ---- logging (core.c) ---- */

extern int sim_verbose;

void sim_log(const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- raw system calls: the model's own I/O never goes through the
 * interposers, so it can neither recurse nor be redirected. ----
 */
static inline int
sim_raw_open(const char *path, int flags, mode_t mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, mode);
}

static inline ssize_t
sim_raw_read(int fd, void *buf, size_t len)
{
	return syscall(SYS_read, fd, buf, len);
}

static inline ssize_t
sim_raw_write(int fd, const void *buf, size_t len)
{
	return syscall(SYS_write, fd, buf, len);
}

static inline int
sim_raw_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static inline void *
sim_raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static inline int
sim_raw_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

/* ---- real libc functions behind the interposers (preload.c) ---- */

int sim_real_close(int fd);
ssize_t sim_real_read(int fd, void *buf, size_t len);
ssize_t sim_real_write(int fd, const void *buf, size_t len);
void *sim_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

/* ---- configuration (config.c, shared with simrun) ---- */

struct sim_opts {
	bool verbose;
	bool keep;
};

extern struct sim_opts sim_opts;

/*
 * Parse one option: key is the long option name without dashes, val may be
 * NULL. Returns 0, or -1 with a message in err.
 */
int sim_config_option(const char *key, const char *val, char *err, size_t errlen);
/* Parse a whole UDRV_SIM_CONFIG string (entries separated by ';'). */
int sim_config_parse(const char *config, char *err, size_t errlen);
/* Checks that need every option (e.g. duplicate ids). */
int sim_config_finish(char *err, size_t errlen);

/* ---- path redirection (vfs.c) ---- */

/*
 * Called after a modelled path was opened in the testbed. May install
 * character-device ops on fd, or replace fd by another one (closing fd).
 * Returns the fd to give to the caller, or -errno.
 */
typedef int (*sim_open_hook_t)(int fd, const char *path, int flags);

/*
 * Register a modelled prefix. With name_prefix, "/dev/uio" matches
 * "/dev/uio0"; otherwise only the prefix itself and paths below it match.
 * Only during model setup (before any lookup).
 */
int sim_vfs_register(const char *prefix, bool name_prefix, sim_open_hook_t hook);

/*
 * If path is modelled, start the models (first time), write the testbed
 * path to buf and return it with *hook set; otherwise return NULL.
 */
const char *sim_vfs_redirect(const char *path, char *buf, size_t len,
			     sim_open_hook_t *hook);

/* The testbed directory, or NULL before activation. */
const char *sim_testbed_dir(void);

/* ---- character devices (chardev.c) ---- */

struct sim_fd_ops {
	/* NULL members fall through to the real call on the fd. */
	void *(*mmap)(void *priv, int fd, void *addr, size_t len, int prot,
		      int flags, off_t off);   /* MAP_FAILED + errno */
	ssize_t (*read)(void *priv, int fd, void *buf, size_t len);
	ssize_t (*write)(void *priv, int fd, const void *buf, size_t len);
	/* Called at close, before the real close of fd: detach it. */
	void (*close)(void *priv, int fd);
	/* Called when no call uses priv any more. */
	void (*free)(void *priv);
	/* ioctl: return value as ioctl's (-1 + errno). NULL: real ioctl. */
	int (*ioctl)(void *priv, int fd, unsigned long req, void *arg);
	/* Positioned I/O (pread/pwrite). NULL: the read/write ops, or the
	 * real call if those are NULL too.
	 */
	ssize_t (*pread)(void *priv, int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(void *priv, int fd, const void *buf, size_t len, off_t off);
};

struct sim_fd;

/* Give fd character-device semantics. Returns 0 or -errno. */
int sim_fd_install(int fd, const struct sim_fd_ops *ops, void *priv);
/* Look up a modelled fd and hold a reference, or NULL (one array load). */
struct sim_fd *sim_fd_get(int fd);
void sim_fd_put(struct sim_fd *f);
const struct sim_fd_ops *sim_fd_ops(const struct sim_fd *f);
void *sim_fd_priv(const struct sim_fd *f);
/* Remove fd from the table and run its close op. Returns true if modelled. */
bool sim_fd_release(int fd);
/* Close every modelled fd of this process (at exit). */
void sim_fd_release_all(void);

/*
 * The modelled path an fd of a redirected open was opened with, or NULL;
 * for a directory fd this lets a hook resolve openat(dirfd, relative).
 * Writes into buf.
 */
const char *sim_fd_model_path(int fd, char *buf, size_t len);

/*
 * Map a testbed path back to the modelled path it stands for (strip the
 * testbed prefix). Returns buf, or NULL if path is not in the testbed.
 */
const char *sim_untestbed(const char *path, char *buf, size_t len);

/* ---- trapped device memory (trap.c, x86_insn.c) ---- */

enum sim_insn_op {
	SIM_INSN_NONE,
	SIM_INSN_MOVDIR64B,            /* 66 0F 38 F8 /r */
	SIM_INSN_ENQCMD,               /* F2 0F 38 F8 /r */
	SIM_INSN_ENQCMDS,              /* F3 0F 38 F8 /r */
	SIM_INSN_LOAD,                 /* mov/movzx/movsx reg <- mem */
	SIM_INSN_STORE,                /* mov mem <- reg/imm */
};

struct sim_insn {
	enum sim_insn_op op;
	unsigned int len;              /* bytes, to resume after it */
	unsigned int size;             /* memory access size */
	uint64_t mem;                  /* effective address of the memory operand */
	uint64_t dst;                  /* MOVDIR64B/ENQCMD: destination address */
	int reg;                       /* register operand (0..15), -1: immediate */
	unsigned int reg_size;         /* loads: register write width */
	bool reg8_high;                /* AH, CH, DH, BH */
	bool sign_extend;
	uint64_t imm;
};

/* Decode the instruction at code. 0, or -1 if not one we emulate. */
int sim_insn_decode(const uint8_t *code, const mcontext_t *mc, struct sim_insn *in);
uint64_t sim_insn_get_reg(const mcontext_t *mc, int reg);
void sim_insn_set_reg(mcontext_t *mc, int reg, uint64_t val);
/* Write a load's value into its register with x86's width rules. */
void sim_insn_complete_load(mcontext_t *mc, const struct sim_insn *in, uint64_t val);
/* The value a store writes. */
uint64_t sim_insn_store_value(const mcontext_t *mc, const struct sim_insn *in);

/*
 * Ops of a trapped region. They run in a signal handler on the faulting
 * thread: async-signal-safe code only (atomics, raw system calls), and the
 * faulting thread may hold no lock of the model. Each returns < 0 to leave
 * the fault to the next handler (the program then dies as on hardware).
 */
struct sim_trap_ops {
	/* MOVDIR64B/ENQCMD/ENQCMDS of 64 bytes to addr: 0 accepted (or
	 * silently dropped), 1 retry (ZF for ENQCMD).
	 */
	int (*submit64)(void *priv, uintptr_t addr, const void *src, enum sim_insn_op op);
	int (*read)(void *priv, uintptr_t addr, unsigned int size, uint64_t *val);
	int (*write)(void *priv, uintptr_t addr, unsigned int size, uint64_t val);
	/* The program unmapped the region (ordinary context, may lock). */
	void (*unmapped)(void *priv, uintptr_t start);
};

/*
 * Register [addr, addr+len) (mapped PROT_NONE by the caller, ideally
 * MADV_DONTFORK) and install the fault handler on first use. 0 or -ENOSPC.
 */
int sim_trap_register(void *addr, size_t len, const struct sim_trap_ops *ops, void *priv);
/* Drop the regions wholly inside [addr, addr+len); calls their unmapped op. */
unsigned int sim_trap_unregister(void *addr, size_t len);
/* Any region registered (a cheap test for munmap). */
bool sim_trap_any(void);
void sim_trap_atfork_child(void);
/* Number of accesses emulated so far in this process. */
uint64_t sim_trap_count(void);

/* ---- testbed directory (testbed.c) ---- */

/*
 * Take the testbed's setup lock and find out whether this process becomes
 * the owner. Returns 0 with the setup lock held, or -errno.
 */
int sim_testbed_enter(const char *dir, bool *owner);
/* Release the setup lock (testbed built or attached). */
void sim_testbed_ready(void);
/* Owner: remove everything in the testbed except its lock files. */
int sim_testbed_clean(void);
/* Owner at exit: remove the testbed (unless keep) and drop the locks. */
void sim_testbed_leave(bool remove);
/* After fork: the child holds no lock. */
void sim_testbed_forget(void);

int sim_mkdir_p(const char *path, mode_t mode);
int sim_write_file(const char *path, const void *buf, size_t len);
int sim_printf_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sim_rm_rf(const char *path);
/* Create (or resize) a zero-filled file of len bytes. */
int sim_create_sized(const char *path, size_t len);
/* Map a whole testbed file shared, read-write; NULL on error. */
void *sim_map_file(const char *path, size_t len);

/* ---- models (core.c) ---- */

struct sim_model {
	const char *name;
	/* Is this model configured at all? */
	bool (*enabled)(void);
	/* Register prefixes and hooks; no I/O. */
	int (*setup)(void);
	/* Owner: build the testbed contents and shared state. */
	int (*build)(const char *dir);
	/* Other process of the session: map the owner's shared state. */
	int (*attach)(const char *dir);
	/* Owner: start the model's thread. */
	int (*start)(void);
	/* Owner at exit. */
	void (*stop)(void);
	/* In the child after fork(). */
	void (*atfork_child)(void);
	/* Runtime control: returns 0, -errno, or -ENOSYS if not ours. */
	int (*ctl)(const char *cmd, char *reply, unsigned int reply_len);
	/*
	 * Optional. A model whose state outlives its owner (kernel state
	 * such as a configured device) sets this: the testbed then survives
	 * the owner's exit, and a later owner calls resume instead of
	 * rebuilding; models without resume are rebuilt (build) then.
	 */
	int (*resume)(const char *dir);
};

/* Start the models (once); true if this process is the owner. */
bool sim_activate(void);
/* Load the configuration and register the prefixes (once). */
void sim_init(void);
/* Current monotonic time in nanoseconds. */
uint64_t sim_now_ns(void);

#endif /* UDRV_LIBSIM_H */
