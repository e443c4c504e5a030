/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interfaces of the DSA model.
 *
 * Layers, bottom up, one file each:
 *  - dsa_hw.c: the device itself: its register file (BAR0), commands and
 *    work-queue states, with the checks the spec gives;
 *  - dsa_portal.c: the portals: submissions caught by the trap handler,
 *    admitted or refused as the hardware does, queued lock-free;
 *  - dsa_engine.c, dsa_ops.c, dsa_mem.c: the descriptor engine on its own
 *    thread, the operations, and DMA through address translation;
 *  - dsa_idxd.c, dsa_sysfs.c, dsa_cdev.c: what Linux's idxd driver adds on
 *    top: sysfs with its store rules, bind/unbind, /dev/dsa/wqN.M;
 *  - dsa_vfio.c: the same device handed to user space through vfio-pci.
 *
 * State that every process of a session shares (configuration, register
 * file, counters) lives in one testbed file (struct dsa_shm). The engine
 * runs in each process that maps a portal: user work queues address the
 * submitting process's memory (SVA), so the process's own thread is where
 * that memory is.
 */
#ifndef UDRV_DSA_MODEL_H
#define UDRV_DSA_MODEL_H

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../libsim/libsim.h"
#include "dsa_spec.h"

#define DSA_LOG               "dsasim"
#define DSA_MAX_DEVICES       8
#define DSA_MAX_WQS           16
#define DSA_MAX_ENGINES       16
#define DSA_MAX_GROUPS        16
#define DSA_MAX_FAULTS        8
#define DSA_MAX_CLIENTS       16
#define DSA_WQ_NAME_SIZE      1024
#define DSA_DRIVER_NAME_SIZE  32
#define DSA_BAR0_SIZE         0x10000u   /* reported size */
#define DSA_BAR0_IMAGE        0x1000u    /* registers and tables live here */
#define DSA_GRPCFG_OFFSET     0x400u
#define DSA_MSIX_VECTORS      9
#define DSA_CDEV_MAJOR        508

/* Linux defaults (drivers/dma/idxd/idxd.h). */
#define DSA_WQ_DEFAULT_MAX_XFER   (2u * 1024 * 1024)
#define DSA_WQ_DEFAULT_MAX_BATCH  32u
#define DSA_ENQCMDS_RETRIES       32u
#define DSA_ENQCMDS_MAX_RETRIES   64u
#define DSA_MAX_PRIORITY          15u

/* ---- configuration (dsa_config.c) ---- */

enum dsa_gpa {
	DSA_GPA_VA,                    /* IOVA = virtual address (SVA) */
	DSA_GPA_DPDK,                  /* through rte_mem_iova2virt */
	DSA_GPA_IOMMU,                 /* vfio: the IOMMU_MAP_DMA mappings */
};

enum dsa_rawio {
	DSA_RAWIO_AUTO,
	DSA_RAWIO_YES,
	DSA_RAWIO_NO,
};

struct dsa_range {
	uint64_t start;
	uint64_t end;                  /* exclusive */
};

struct dsa_dev_spec {
	unsigned int id;               /* dsa<id> */
	bool vfio;                     /* bound to vfio-pci, not idxd */
	unsigned int domain, bus, devno, fn;
	unsigned int iommu_group;
	int numa;
	unsigned int nwqs, nengines, ngroups;
	unsigned int wq_total;         /* WQCAP total WQ size */
	unsigned int max_xfer_shift;   /* GENCAP */
	unsigned int max_batch_shift;
	bool fill16;
	bool bof;
	bool pasid;                    /* user SVA on (pasid_enabled) */
	enum dsa_rawio rawio;
	enum dsa_gpa gpa;
	/* Boot-time configuration (configured=yes). */
	bool configured;
	unsigned int enabled_wqs;
	bool shared;
	char prefix[64];               /* WQ names <prefix>_wq<d>.<w> */
	uint64_t wq_max_xfer;
	unsigned int wq_max_batch;
	unsigned int threshold;        /* shared WQs; 0 = size */
	bool bof_wq;                   /* pre-configured WQs block on fault */
	/* Behaviour and fault injection. */
	bool ooo;
	unsigned int ooo_window;       /* descriptors in the engines per WQ */
	uint64_t latency_ns;
	unsigned int nfaults;
	struct dsa_range faults[DSA_MAX_FAULTS];
	unsigned int invalid_every;    /* every Nth work descriptor fails */
	unsigned int invalid_status;
	uint64_t seed;
};

struct dsa_config {
	bool enabled;
	unsigned int ndev;
	struct dsa_dev_spec dev[DSA_MAX_DEVICES];
	char report[256];              /* --dsa-report FILE */
};

extern struct dsa_config dsa_cfg;

/* ---- shared state (one testbed file) ---- */

enum dsa_wq_type {
	DSA_WQT_NONE,
	DSA_WQT_KERNEL,
	DSA_WQT_USER,
};

enum dsa_drv {
	DSA_DRV_NONE,
	DSA_DRV_IDXD,                  /* devices */
	DSA_DRV_USER,                  /* WQs */
	DSA_DRV_DMAENGINE,             /* WQs */
	DSA_DRV_COUNT,
};

extern const char *const dsa_drv_names[DSA_DRV_COUNT];

struct dsa_stats {
	uint64_t submitted;            /* descriptors accepted into a WQ */
	uint64_t portal_writes;        /* MOVDIR64B/ENQCMD seen on portals */
	uint64_t ops[32];              /* descriptors executed, by opcode (0x20: other) */
	uint64_t batch_members;
	uint64_t completions;          /* descriptors completed (incl. failed) */
	uint64_t records;              /* completion records written */
	uint64_t errors;               /* completed with status != success */
	uint64_t page_faults;          /* partial completions for faults */
	uint64_t faults_injected;      /* faults raised by fault= ranges */
	uint64_t faults_resolved;      /* block-on-fault: waited, then went on */
	uint64_t invalid_injected;
	uint64_t swerr;                /* software errors recorded */
	uint64_t dwq_full_drops;
	uint64_t enqcmd_retries;
	uint64_t ignored_writes;       /* MOVDIR64B to shared/disabled WQs */
	uint64_t bytes;                /* bytes moved/filled/read */
};

struct dsa_shm_wq {
	/* Linux driver state: what sysfs shows and stores. */
	uint32_t size;
	uint32_t threshold;
	uint32_t priority;
	int32_t group;
	uint32_t dedicated;
	uint32_t bof;
	uint32_t ats_disable;
	uint32_t prs_disable;
	uint32_t type;                 /* enum dsa_wq_type */
	uint32_t enqcmds_retries;
	uint64_t max_xfer;
	uint32_t max_batch;
	uint32_t drv;                  /* enum dsa_drv bound */
	int32_t cdev_minor;            /* -1: no cdev */
	uint32_t clients;
	int32_t client_pid[DSA_MAX_CLIENTS];
	uint32_t client_refs[DSA_MAX_CLIENTS];
	char name[DSA_WQ_NAME_SIZE + 1];
	char driver_name[DSA_DRIVER_NAME_SIZE];

	/* Hardware state taken at Enable WQ; read lock-free by the
	 * submission path and the engines.
	 */
	uint32_t hw_state;             /* DSA_WQ_STATE_* */
	uint32_t hw_dedicated;
	uint32_t hw_size;
	uint32_t hw_threshold;
	uint32_t hw_bof;
	uint32_t hw_max_xfer_shift;
	uint32_t hw_max_batch_shift;
	uint32_t hw_pasid_en;
	uint32_t occupancy;            /* in the WQ, not yet dispatched */
	uint32_t inflight;             /* accepted, not yet completed (futex) */
	uint32_t abort_gen;            /* bumped by Abort/Reset: drop queued work */
	uint32_t minor_seq;
	struct dsa_stats stats;
};

struct dsa_shm_group {
	uint32_t tc_a, tc_b;
	uint32_t rdbufs_reserved, rdbufs_allowed, use_rdbuf_limit;
	uint32_t desc_progress_limit, batch_progress_limit;
};

struct dsa_shm_dev {
	pthread_mutex_t lock;          /* robust, process-shared */
	/* Linux driver state. */
	uint32_t drv;                  /* DSA_DRV_IDXD when enabled */
	uint32_t cmd_status;
	uint64_t sw_err[4];            /* the driver's copy, sysfs "errors" */
	uint32_t rdbuf_limit;
	int32_t engine_group[DSA_MAX_ENGINES];
	struct dsa_shm_group group[DSA_MAX_GROUPS];
	/* Hardware: the register file. */
	uint8_t bar0[DSA_BAR0_IMAGE];
	uint32_t pci_command;          /* config space command register */
	int32_t vfio_pid;              /* process holding the VFIO group */
	struct dsa_stats stats;
	struct dsa_shm_wq wq[DSA_MAX_WQS];
};

#define DSA_SHM_MAGIC 0x64736131u  /* "dsa1" */

struct dsa_shm {
	uint32_t magic;
	uint32_t size;
	uint32_t ndev;
	uint32_t pad;
	struct dsa_shm_dev dev[DSA_MAX_DEVICES];
};

extern struct dsa_shm *dsa_shm;
extern char dsa_tb[SIM_TB_MAX];

/* ---- small helpers ---- */

static inline void
dsa_lock(unsigned int dev)
{
	if (pthread_mutex_lock(&dsa_shm->dev[dev].lock) == EOWNERDEAD)
		pthread_mutex_consistent(&dsa_shm->dev[dev].lock);
}

static inline void
dsa_unlock(unsigned int dev)
{
	pthread_mutex_unlock(&dsa_shm->dev[dev].lock);
}

static inline long
dsa_futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ull),
		.tv_nsec = (long)(timeout_ns % 1000000000ull),
	};

	return syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, NULL, 0);
}

static inline void
dsa_futex_wake(uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

static inline void
dsa_stat_add(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* Count in the device and in the WQ (wq may be -1). */
void dsa_count(unsigned int dev, int wq, size_t field, uint64_t n);
#define DSA_COUNT(dev, wq, f, n) \
	dsa_count((dev), (wq), offsetof(struct dsa_stats, f), (n))

/* ---- the device (dsa_hw.c) ---- */

/* Power-on register values from the spec of device dev. */
void dsa_hw_init(unsigned int dev);
uint32_t dsa_hw_wqcfg_offset(unsigned int dev);
uint64_t dsa_hw_read(unsigned int dev, uint32_t off, unsigned int size);
/* A register write from software; commands run synchronously. */
void dsa_hw_write(unsigned int dev, uint32_t off, unsigned int size, uint64_t val);
/* Issue a command as the CMD register would; returns CMDSTATUS. */
uint32_t dsa_hw_command(unsigned int dev, uint32_t cmd);
uint32_t dsa_hw_gensts(unsigned int dev);
/* Record a software error in SWERROR (valid/overflow rules). */
void dsa_hw_swerr(unsigned int dev, int wq, uint8_t code, const struct dsa_desc *d,
		  bool batch, uint16_t batch_index, uint64_t fault_addr, bool write);
uint32_t dsa_hw_wqcfg(unsigned int dev, unsigned int wq, unsigned int dw);
void dsa_hw_set_wqcfg(unsigned int dev, unsigned int wq, unsigned int dw, uint32_t v);
uint64_t dsa_hw_gencap(unsigned int dev);
/* Called with the device lock held, when SWERROR got a new error. */
extern void (*dsa_hw_swerr_hook)(unsigned int dev);

/* ---- portals and submission (dsa_portal.c) ---- */

struct dsa_entry {
	struct dsa_desc desc;
	uint64_t t_ns;                 /* arrival */
	uint32_t portal;               /* DSA_PORTAL_* */
	uint32_t pad;
};

struct dsa_cell {
	uint64_t seq;
	struct dsa_entry e;
};

/*
 * This process's half of a WQ: a bounded lock-free queue (sequence
 * numbered cells) that the trap handler fills and the engine drains, plus
 * the engine's private window of dispatched descriptors.
 */
struct dsa_lwq {
	unsigned int dev;
	unsigned int wq;
	uint64_t mask;
	struct dsa_cell *cells;
	uint64_t tail __attribute__((aligned(64)));  /* producers (CAS) */
	uint32_t drops;                /* DWQ-full drops to report */
	uint8_t drop_op;
	uint64_t head __attribute__((aligned(64)));  /* the engine */
	/* Engine-private. */
	struct dsa_entry *win;         /* dispatched, not completed (FIFO) */
	unsigned int win_head;
	unsigned int win_count;
	unsigned int win_cap;
	uint32_t seen_abort_gen;
	uint32_t busy;                 /* executing one (for quiesce) */
};

/*
 * Map a portal of (dev, wq) at addr (or anywhere), PROT_NONE and trapped.
 * kind: DSA_PORTAL_LIMITED/UNLIMITED. on_unmap is called when the program
 * unmaps it. Returns the address or MAP_FAILED with errno.
 */
void *dsa_portal_map(unsigned int dev, unsigned int wq, unsigned int kind,
		     void *addr, size_t len, int flags,
		     void (*on_unmap)(void *arg), void *arg);
/* The process-local queue of (dev, wq), created on first use. */
struct dsa_lwq *dsa_lwq_get(unsigned int dev, unsigned int wq);
/* The queue if this process has one, else NULL. */
struct dsa_lwq *dsa_lwq_get_existing(unsigned int dev, unsigned int wq);
/* Pop one entry (engine thread only). true if one was there. */
bool dsa_lwq_pop(struct dsa_lwq *q, struct dsa_entry *e);
/* The hardware's acceptance of one 64-byte write to a portal of (dev, wq),
 * async-signal-safe (the queue must exist): 0 accepted or ignored, 1 retry
 * (DMWr only), -1 dropped by a full dedicated WQ.
 */
int dsa_portal_submit_sig(unsigned int dev, unsigned int wq, unsigned int kind,
			  const void *src, bool dmwr);
/* Submit from ordinary code (cdev write): 0 accepted, 1 retry, -1 dropped. */
int dsa_portal_submit(unsigned int dev, unsigned int wq, unsigned int kind,
		      const struct dsa_desc *d, bool deferrable);
uint32_t dsa_lwq_take_drops(struct dsa_lwq *q, uint8_t *op);
void dsa_portal_atfork_child(void);

/* ---- engine (dsa_engine.c) ---- */

/* Start this process's engine thread (once). */
int dsa_engine_start(void);
void dsa_engine_kick(void);
void dsa_engine_atfork_child(void);
/* Wait until no descriptor of (dev, wq) is queued or running in this
 * process (the cdev release). */
void dsa_engine_quiesce(unsigned int dev, unsigned int wq, uint64_t timeout_ns);
/* Wait until the WQ's inflight count reaches zero (all processes). */
bool dsa_wq_wait_idle(unsigned int dev, unsigned int wq, uint64_t timeout_ns);

/* ---- operations and DMA (dsa_ops.c, dsa_mem.c) ---- */

struct dsa_fault {
	bool hit;
	bool write;
	bool injected;
	uint64_t addr;
};

/* Per-descriptor DMA context. */
struct dsa_dma {
	unsigned int dev;
	int wq;
	bool bof;                      /* block on fault for this descriptor */
	struct dsa_fault fault;
};

/* Guest memory access through translation; return bytes done, and set
 * dma->fault when short.
 */
size_t dsa_dma_read(struct dsa_dma *dma, void *dst, uint64_t iova, size_t len);
size_t dsa_dma_write(struct dsa_dma *dma, uint64_t iova, const void *src, size_t len);
size_t dsa_dma_copy(struct dsa_dma *dma, uint64_t dst, uint64_t src, size_t len,
		    bool *reversed);
size_t dsa_dma_fill(struct dsa_dma *dma, uint64_t dst, const uint8_t *pattern,
		    unsigned int plen, size_t len);
void dsa_mem_atfork_child(void);
/* vfio: the container's IOMMU mappings. */
int dsa_iommu_map(uint64_t iova, uint64_t vaddr, uint64_t size);
int dsa_iommu_unmap(uint64_t iova, uint64_t size, uint64_t *unmapped);
void dsa_iommu_reset(void);

/* Check a descriptor as the device does before executing it: 0 if fine,
 * else the completion status (and, for 0x11, the offending flags).
 */
uint8_t dsa_op_check(unsigned int dev, int wq, const struct dsa_desc *d, bool in_batch,
		     uint32_t *bad_flags);
/* Execute one work descriptor (not batch/drain); fills cr, returns status. */
uint8_t dsa_op_execute(struct dsa_dma *dma, const struct dsa_desc *d, struct dsa_completion *cr);
/* CRC32C as DSA computes it (seed inverted on entry and exit). */
uint32_t dsa_crc32c(uint32_t seed, const void *buf, size_t len, uint32_t crc_state_in, bool first);

/* ---- the Linux driver (dsa_idxd.c) and sysfs (dsa_sysfs.c) ---- */

void dsa_idxd_reset_state(unsigned int dev);
void dsa_idxd_boot_config(unsigned int dev);
int dsa_sysfs_open_hook(int fd, const char *path, int flags);
int dsa_sysfs_build(void);
/* Rewrite every attribute file of device dev (device lock held). */
void dsa_sysfs_render(unsigned int dev);
void dsa_sysfs_wq_cdev(unsigned int dev, unsigned int wq, bool present);
void dsa_sysfs_bind_link(unsigned int dev, int wq, enum dsa_drv drv, bool bound);
/* Testbed helpers, on modelled paths: an attribute file (rewritten only
 * when its content changes), a directory, a relative symlink as sysfs
 * makes them, removal.
 */
int dsa_put(const char *model, mode_t mode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dsa_mkdir(const char *model);
int dsa_link(const char *link, const char *to);
void dsa_unlink(const char *model);
/* Paths. */
void dsa_pci_name(unsigned int dev, char *buf, size_t len);
void dsa_pci_dir(unsigned int dev, char *buf, size_t len);       /* in testbed */
void dsa_dev_dir(unsigned int dev, char *buf, size_t len);       /* .../dsaN */
/* Store into an attribute of the object at modelled path; -errno. */
ssize_t dsa_idxd_store(const char *path, const char *buf, size_t len);
/* The hook for /dev/dsa. */
int dsa_cdev_open_hook(int fd, const char *path, int flags);
void dsa_cdev_atfork_child(void);
/* Wake pollers of this process's cdev fds of device dev. */
void dsa_cdev_notify(unsigned int dev);

/* ---- vfio-pci (dsa_vfio.c) ---- */

int dsa_vfio_setup(void);
int dsa_vfio_build(void);

/* ---- control and report (dsa_main.c, dsa_report.c) ---- */

/* Write the counters of every device as text; returns bytes. */
size_t dsa_report_format(const struct dsa_shm *shm, const struct dsa_config *cfg,
			 char *buf, size_t len, bool verbose);

#endif /* UDRV_DSA_MODEL_H */
