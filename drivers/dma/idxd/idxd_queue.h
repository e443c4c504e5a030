/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The idxd data path: one work queue's descriptor ring, its batches and
 * their completion records. Pure code on memory the caller provides: no EAL,
 * no sysfs, no device registers, so the unit tests run it on plain memory.
 *
 * Ring model
 * ----------
 * Jobs (what the dmadev API calls operations, numbered by a free-running
 * 16-bit id) are made of one or more 64-byte descriptors. Descriptors are
 * written into a ring of nb_desc slots and collected into an "open batch".
 * submit() closes the open batch into a submission record and hands it to
 * the device with one portal write: the lone descriptor itself when the
 * batch holds one, else a Batch descriptor pointing at the members. A batch
 * never wraps: the ring has batch_max spare slots past its end, so a batch
 * opened near the end runs on into them.
 *
 * Each submission has a completion record that the device always writes
 * (RCR); members only get one (in a ring parallel to the descriptors) if
 * they fail. At most wq_slots submissions are outstanding, so a dedicated
 * WQ can never overflow (a full DWQ drops descriptors silently).
 *
 * A fenced job makes its batch wait, in the PMD, until every earlier
 * submission has completed; inside the batch the DSA fence flag orders it
 * after the earlier members. The device never sees a fence flag on a
 * descriptor submitted on its own (the spec reserves it there).
 */
#ifndef IDXD_QUEUE_H
#define IDXD_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dmadev.h>

#include "idxd_hw.h"

/* Ring sizes the PMD accepts (dmadev nb_desc, rounded up to a power of 2). */
#define IDXD_MIN_DESC 32
#define IDXD_MAX_DESC 4096

/* ENQCMD attempts per submission before it is left for a later call. */
#define IDXD_ENQCMD_RETRIES 32

/* Submission record flags. */
#define IDXD_SUB_FENCE 0x1 /* wait for every earlier submission */
#define IDXD_SUB_MULTI 0x2 /* holds a job made of several descriptors */

/*
 * One submission: a batch, or a single descriptor. Where its descriptors
 * and jobs start follows from the submissions before it: the oldest
 * unretired one starts at ring slot open_slot - desc_inflight and job
 * job_done (see idxd_head_slot()).
 */
struct idxd_submission {
	uint16_t desc_count;
	uint16_t job_count;
	uint8_t flags;        /* IDXD_SUB_* */
};

/* What the owner of a queue tells it about the work queue. */
struct idxd_queue_conf {
	volatile void *portal;  /* mapped portal page */
	bool shared;            /* shared WQ: ENQCMD; dedicated: MOVDIR64B */
	bool cache_control;     /* device accepts the cache-control flag */
	uint16_t nb_desc;       /* ring size: power of 2, MIN..MAX_DESC */
	uint16_t batch_max;     /* WQ max batch size (1: no batches) */
	uint16_t wq_slots;      /* submissions allowed in flight, >= 1 */
	uint32_t max_xfer;      /* WQ max transfer size, >= 1 */
};

struct idxd_queue_stats {
	uint64_t submitted;
	uint64_t completed;
	uint64_t errors;
	uint64_t enqcmd_retries;  /* ENQCMD answered "retry" */
	uint64_t deferred;        /* submissions that could not go at once */
	uint64_t batches;         /* submissions sent as Batch descriptors */
	uint64_t singles;         /* submissions sent as one descriptor */
	uint64_t bad_records;     /* completion records that made no sense */
};

struct idxd_queue {
	/* Enqueue: read on every job. */
	struct idxd_hw_desc *open_ptr; /* where the next descriptor goes */
	struct idxd_hw_desc *open_end; /* the open batch stops before this */
	uint64_t copy_word;           /* first qword of a memory move */
	uint32_t max_xfer;            /* WQ max transfer size */
	uint16_t next_id;             /* id of the next job */
	uint16_t open_first;          /* id of the open batch's first job */
	uint16_t open_slot;           /* ring slot of the open batch */
	uint8_t open_flags;           /* IDXD_SUB_* of the open batch */
	bool shared;
	struct idxd_hw_desc *desc;    /* nb_desc + batch_max slots */
	uint64_t fill_word;           /* first qword of a fill */
	uint64_t llc_mask;            /* RTE_DMA_OP_FLAG_LLC if honoured */

	/* Submission. */
	struct idxd_hw_desc batch_buf; /* the Batch descriptor being sent */
	struct idxd_hw_desc single_buf; /* a lone descriptor being sent */
	volatile void *portal;
	struct idxd_submission *sub;
	struct idxd_completion *sub_cr;
	uint64_t sub_cr_iova;
	uint64_t desc_iova;
	uint16_t sub_write;           /* records built */
	uint16_t sub_sent;            /* records given to the device */
	uint16_t sub_read;            /* records not yet retired start here */
	uint16_t sub_mask;
	uint16_t desc_inflight;       /* descriptors in unretired records */
	uint16_t desc_mask;

	/* Completion. */
	uint16_t job_read;            /* next id to hand back */
	uint16_t job_done;            /* ids before this completed fine */
	bool err_active;              /* a failed record is being reported */
	uint16_t err_pos;
	uint16_t err_count;
	enum rte_dma_status_code *err_status;
	struct idxd_completion *member_cr;
	uint8_t *desc_cont;           /* slot continues the previous job */

	/* Configuration. */
	uint16_t nb_desc;
	uint16_t batch_max;
	uint16_t wq_slots;

	struct idxd_queue_stats stats;
} __rte_cache_aligned;

/**
 * Bytes of memory (64-byte aligned, zeroed by idxd_queue_init()) that a
 * queue with this configuration needs.
 */
size_t idxd_queue_mem_size(const struct idxd_queue_conf *conf);

/**
 * Set up q on mem (idxd_queue_mem_size() bytes, 64-byte aligned), whose
 * device address is mem_iova. Returns 0, or -EINVAL for a configuration
 * outside the limits above. The caller keeps ownership of mem and must not
 * free it while idxd_queue_busy() is true.
 */
int idxd_queue_init(struct idxd_queue *q, const struct idxd_queue_conf *conf,
		    void *mem, uint64_t mem_iova);

/**
 * Restart job ids and ring positions at 0 if nothing is outstanding (every
 * job enqueued was handed back). Returns true if it did.
 */
bool idxd_queue_rewind(struct idxd_queue *q);

/** Submit the open batch, if any, as submit() does. */
void idxd_queue_flush(struct idxd_queue *q);

/**
 * Whether work given to the queue has yet to complete in the device
 * (including submissions the PMD still holds back). Sends held submissions
 * that can go now.
 */
bool idxd_queue_busy(struct idxd_queue *q);

/** Print the ring state to f. */
void idxd_queue_dump(const struct idxd_queue *q, FILE *f);

/** Descriptors in the open batch. */
static inline uint16_t
idxd_open_count(const struct idxd_queue *q)
{
	return q->open_ptr - (q->desc + q->open_slot);
}

/** Ring slot of the first descriptor of the oldest unretired submission. */
static inline uint16_t
idxd_head_slot(const struct idxd_queue *q)
{
	return (q->open_slot - q->desc_inflight) & q->desc_mask;
}

/** Id of the first job of the oldest unretired submission. */
static inline uint16_t
idxd_head_job(const struct idxd_queue *q)
{
	return q->err_active ? (uint16_t)(q->job_done - q->err_pos) : q->job_done;
}

/** Map a completion status byte to a dmadev status code (no context). */
enum rte_dma_status_code idxd_status_code(uint8_t status);

/*
 * The fast-path functions, in rte_dma_fp_object form. dev_private is the
 * struct idxd_queue; vchan is always 0 (the library checks it in debug
 * builds only, and the PMD has one vchan).
 */
int idxd_copy(void *dev_private, uint16_t vchan, rte_iova_t src,
	      rte_iova_t dst, uint32_t length, uint64_t flags);
int idxd_copy_sg(void *dev_private, uint16_t vchan,
		 const struct rte_dma_sge *src, const struct rte_dma_sge *dst,
		 uint16_t nb_src, uint16_t nb_dst, uint64_t flags);
int idxd_fill(void *dev_private, uint16_t vchan, uint64_t pattern,
	      rte_iova_t dst, uint32_t length, uint64_t flags);
int idxd_submit(void *dev_private, uint16_t vchan);
uint16_t idxd_completed(void *dev_private, uint16_t vchan, uint16_t nb_cpls,
			uint16_t *last_idx, bool *has_error);
uint16_t idxd_completed_status(void *dev_private, uint16_t vchan,
			       uint16_t nb_cpls, uint16_t *last_idx,
			       enum rte_dma_status_code *status);
uint16_t idxd_burst_capacity(const void *dev_private, uint16_t vchan);

#endif /* IDXD_QUEUE_H */
