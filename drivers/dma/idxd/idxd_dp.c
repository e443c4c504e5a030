/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The idxd data path: enqueue, submit and completion handling for one work
 * queue (see idxd_queue.h for the ring model). No locks, no logging, no
 * allocation; everything the device wrote is loaded once, checked, then
 * used.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_pause.h>

#include "idxd_queue.h"

/* The LLC hint (bit 2 of the op flags) moved to the cache-control flag
 * (bit 8 of the descriptor flags, bit 40 of the first qword).
 */
#define IDXD_LLC_SHIFT (32 + 8 - 2)

#define IDXD_BATCH_WORD \
	((uint64_t)IDXD_OPFLAGS(IDXD_OP_BATCH, IDXD_FLAG_CRAV | IDXD_FLAG_RCR) << 32)

/* ---- Portal writes (DSA spec §3.3; instruction encodings from the SDM).
 * Both take the portal in RAX and the descriptor in RDX; written as bytes
 * so any assembler takes them.
 */

/* MOVDIR64B: a 64-byte posted write, for dedicated WQs. */
static __rte_always_inline void
idxd_movdir64b(volatile void *portal, const struct idxd_hw_desc *d)
{
	asm volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
		     : : "a" (portal), "d" (d) : "memory");
}

/* ENQCMD: a deferrable write, for shared WQs; the device answers in ZF
 * (set: the WQ did not take it, try again).
 */
static __rte_always_inline bool
idxd_enqcmd(volatile void *portal, const struct idxd_hw_desc *d)
{
	uint8_t retry;

	asm volatile(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\t"
		     "setz %0"
		     : "=r" (retry) : "a" (portal), "d" (d) : "memory", "cc");
	return retry == 0;
}

static __rte_noinline bool
idxd_enqcmd_retry(struct idxd_queue *q, const struct idxd_hw_desc *d)
{
	unsigned int i;

	for (i = 0; i < IDXD_ENQCMD_RETRIES; i++) {
		if (idxd_enqcmd(q->portal, d))
			return true;
		q->stats.enqcmd_retries++;
		rte_pause();
	}
	return false;
}

/*
 * Portal write of submission idx, whose descriptors start at ring slot
 * first: the lone descriptor itself (reporting into the submission's
 * record; the ring slot stays as it was), or a Batch descriptor. Returns
 * false if a shared WQ kept refusing it.
 */
static __rte_always_inline bool
idxd_send(struct idxd_queue *q, uint16_t idx, uint16_t first, uint16_t count)
{
	uint64_t cr_iova = q->sub_cr_iova + idx * sizeof(struct idxd_completion);
	struct idxd_hw_desc *d;

	if (likely(count > 1)) {
		/* Only these fields change: the rest stays as init set it. */
		d = &q->batch_buf;
		d->completion_addr = cr_iova;
		d->desc_list = q->desc_iova + first * sizeof(struct idxd_hw_desc);
		d->size_word = count;
		q->stats.batches++;
	} else {
		d = &q->single_buf;
		*d = q->desc[first];
		d->op_flags = (d->op_flags | IDXD_FLAG_RCR) & ~IDXD_FLAG_FENCE;
		d->completion_addr = cr_iova;
		q->stats.singles++;
	}
	/* The members and the zeroed record must be visible to the device
	 * before the portal write that makes it read them.
	 */
	rte_wmb();
	if (likely(!q->shared)) {
		idxd_movdir64b(q->portal, d);
		return true;
	}
	return idxd_enqcmd_retry(q, d);
}

/* Whether every submission given to the device has completed. */
static bool
idxd_prior_done(const struct idxd_queue *q)
{
	uint16_t i;

	for (i = q->sub_read; i != q->sub_sent; i++)
		if (__atomic_load_n(&q->sub_cr[i & q->sub_mask].status,
				    __ATOMIC_ACQUIRE) == IDXD_ST_NONE)
			return false;
	return true;
}

/* Send the submissions held back (fence, or a busy shared WQ), in order. */
static __rte_noinline void
idxd_kick(struct idxd_queue *q)
{
	uint16_t slot = idxd_head_slot(q), i;

	for (i = q->sub_read; i != q->sub_sent; i++)
		slot += q->sub[i & q->sub_mask].desc_count;
	while (q->sub_sent != q->sub_write) {
		uint16_t idx = q->sub_sent & q->sub_mask;
		const struct idxd_submission *rec = &q->sub[idx];

		slot &= q->desc_mask;
		if ((rec->flags & IDXD_SUB_FENCE) && !idxd_prior_done(q))
			break;
		if (!idxd_send(q, idx, slot, rec->desc_count)) {
			q->stats.deferred++;
			break;
		}
		slot += rec->desc_count;
		q->sub_sent++;
	}
}

/* How far the open batch may grow before the ring, the job ids the
 * application may still hold, the batch size or the submissions in flight
 * stop it.
 */
static inline uint16_t
idxd_room(const struct idxd_queue *q)
{
	int count = idxd_open_count(q);
	int jobs = (uint16_t)(q->next_id - q->job_read);
	int used = RTE_MAX((int)q->desc_inflight, jobs - count);

	if ((uint16_t)(q->sub_write - q->sub_read) >= q->wq_slots)
		return 0;
	return RTE_MIN((int)q->batch_max, q->nb_desc - used);
}

/* Let the open batch grow to room descriptors. */
static inline void
idxd_set_room(struct idxd_queue *q)
{
	q->open_end = q->desc + q->open_slot + idxd_room(q);
}

/* Record the open batch as submission number sub_write and open the next
 * batch. Returns the submission's ring index.
 */
static __rte_always_inline uint16_t
idxd_record_batch(struct idxd_queue *q, uint16_t first, uint16_t count)
{
	uint16_t write = q->sub_write;
	uint16_t idx = write & q->sub_mask;
	struct idxd_submission *rec = &q->sub[idx];
	uint16_t jobs = q->next_id - q->open_first;

	rec->desc_count = count;
	rec->job_count = jobs;
	rec->flags = q->open_flags;
	q->sub_cr[idx].head = 0;
	q->sub_write = write + 1;
	q->desc_inflight += count;
	q->stats.submitted += jobs;

	q->open_slot = (first + count) & q->desc_mask;
	q->open_ptr = q->desc + q->open_slot;
	q->open_first = q->next_id;
	q->open_flags = 0;
	idxd_set_room(q);
	return idx;
}

/* Close the open batch (not empty) into a submission and send what can be
 * sent: this one, unless earlier ones are held or it waits for a fence.
 */
static __rte_noinline void
idxd_close_batch(struct idxd_queue *q)
{
	uint16_t first = q->open_slot;
	uint16_t count = q->open_ptr - (q->desc + first);

	idxd_record_batch(q, first, count);
	idxd_kick(q);
}

/*
 * submit(): in the common case (a dedicated WQ, nothing held back, no
 * fence, no job of several descriptors) everything inline and without a
 * call; anything else through idxd_close_batch().
 */
int
idxd_submit(void *dev_private, uint16_t vchan __rte_unused)
{
	struct idxd_queue *q = dev_private;
	uint16_t first = q->open_slot;
	uint16_t count = q->open_ptr - (q->desc + first);
	uint16_t idx;

	if (count == 0)
		return 0;
	if (unlikely(q->sub_sent != q->sub_write || q->open_flags != 0 || q->shared)) {
		idxd_close_batch(q);
		return 0;
	}
	idx = idxd_record_batch(q, first, count);
	idxd_send(q, idx, first, count);
	q->sub_sent++;
	return 0;
}

void
idxd_queue_flush(struct idxd_queue *q)
{
	idxd_submit(q, 0);
}

/* ---- Enqueue ---- */

/*
 * Make room in the open batch for one job of n descriptors; on success
 * returns the flags for its first descriptor's fence (0 or
 * IDXD_FLAG_FENCE), else a negative errno.
 */
static int
idxd_job_begin(struct idxd_queue *q, uint32_t n, uint64_t flags)
{
	uint32_t count = idxd_open_count(q);

	if (n > q->batch_max)
		return -EINVAL; /* a job must fit in one batch */
	idxd_set_room(q);
	if (q->open_ptr + n > q->open_end) {
		/* Only a full batch is worth sending early: other limits
		 * stay as they are.
		 */
		if (count == 0 || count + n <= q->batch_max)
			return -ENOSPC;
		if ((uint16_t)(q->sub_write + 1 - q->sub_read) >= q->wq_slots)
			return -ENOSPC;
		idxd_close_batch(q);
		count = 0;
		if (q->open_ptr + n > q->open_end)
			return -ENOSPC;
	}
	if (flags & RTE_DMA_OP_FLAG_FENCE) {
		q->open_flags |= IDXD_SUB_FENCE;
		/* Inside a batch the device orders it after earlier members;
		 * first in its batch, holding the batch back is enough.
		 */
		if (count != 0)
			return IDXD_FLAG_FENCE;
	}
	return 0;
}

/* Write piece k of the job being added to the open batch. */
static inline void
idxd_put(struct idxd_queue *q, uint32_t k, uint64_t word, uint64_t src,
	 uint64_t dst, uint32_t len)
{
	struct idxd_hw_desc *d = q->open_ptr + k;
	uint16_t slot = d - q->desc;

	d->op_word = word;
	d->src = src;
	d->dst = dst;
	d->size_word = len;
	q->desc_cont[slot] = k != 0;
}

static int
idxd_job_end(struct idxd_queue *q, uint32_t n, uint64_t flags)
{
	uint16_t id = q->next_id++;

	if (n > 1)
		q->open_flags |= IDXD_SUB_MULTI;
	q->open_ptr += n;
	if (flags & RTE_DMA_OP_FLAG_SUBMIT)
		idxd_close_batch(q);
	return id;
}

static inline uint64_t
idxd_rotate_pattern(uint64_t pattern, uint64_t offset)
{
	unsigned int shift = (offset & 7) * 8;

	return shift == 0 ? pattern : (pattern >> shift) | (pattern << (64 - shift));
}

/*
 * Everything the inline enqueue does not do: a full open batch, zero
 * length, transfers above the WQ's max transfer size (split into pieces of
 * one job, all in one batch), and any flag (fence, submit, LLC hint).
 */
static __rte_noinline int
idxd_enqueue_slow(struct idxd_queue *q, uint64_t word, uint64_t src,
		  uint64_t dst, uint32_t len, uint64_t flags, bool fill)
{
	uint32_t n, k;
	int fence;

	if (len == 0)
		return -EINVAL;
	n = (len - 1) / q->max_xfer + 1;
	fence = idxd_job_begin(q, n, flags);
	if (fence < 0)
		return fence;
	word |= (flags & q->llc_mask) << IDXD_LLC_SHIFT;
	for (k = 0; k < n; k++) {
		uint64_t off = (uint64_t)k * q->max_xfer;
		uint32_t piece = RTE_MIN((uint64_t)q->max_xfer, len - off);
		uint64_t w = word | (k == 0 ? (uint64_t)fence << 32 : 0);

		idxd_put(q, k, w, fill ? idxd_rotate_pattern(src, off) : src + off,
			 dst + off, piece);
	}
	return idxd_job_end(q, n, flags);
}

#define IDXD_SLOW_FLAGS \
	(RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT | RTE_DMA_OP_FLAG_LLC)

static __rte_always_inline int
idxd_enqueue(struct idxd_queue *q, uint64_t word, uint64_t src, uint64_t dst,
	     uint32_t len, uint64_t flags, bool fill)
{
	struct idxd_hw_desc *d = q->open_ptr;

	if (unlikely(d >= q->open_end || len - 1u >= q->max_xfer ||
		     (flags & IDXD_SLOW_FLAGS)))
		return idxd_enqueue_slow(q, word, src, dst, len, flags, fill);
	d->op_word = word;
	d->src = src;
	d->dst = dst;
	d->size_word = len;
	q->open_ptr = d + 1;
	return q->next_id++;
}

int
idxd_copy(void *dev_private, uint16_t vchan __rte_unused, rte_iova_t src,
	  rte_iova_t dst, uint32_t length, uint64_t flags)
{
	struct idxd_queue *q = dev_private;

	return idxd_enqueue(q, q->copy_word, src, dst, length, flags, false);
}

int
idxd_fill(void *dev_private, uint16_t vchan __rte_unused, uint64_t pattern,
	  rte_iova_t dst, uint32_t length, uint64_t flags)
{
	struct idxd_queue *q = dev_private;

	return idxd_enqueue(q, q->fill_word, pattern, dst, length, flags, true);
}

/*
 * Walk two scatter-gather lists in step, cutting pieces at every segment
 * boundary and at the max transfer size. Counts the pieces (stopping past
 * limit) or, with q, writes them into the open batch.
 */
static uint32_t
idxd_sg_walk(struct idxd_queue *q, uint64_t word, uint32_t max_xfer,
	     const struct rte_dma_sge *src, const struct rte_dma_sge *dst,
	     uint16_t nb_src, uint16_t nb_dst, uint32_t limit)
{
	uint32_t n = 0, s_off = 0, d_off = 0;
	uint16_t i = 0, j = 0;

	while (i < nb_src && j < nb_dst && n <= limit) {
		uint32_t s_left = src[i].length - s_off;
		uint32_t d_left = dst[j].length - d_off;
		uint32_t len;

		if (s_left == 0) {
			i++;
			s_off = 0;
			continue;
		}
		if (d_left == 0) {
			j++;
			d_off = 0;
			continue;
		}
		len = RTE_MIN(RTE_MIN(s_left, d_left), max_xfer);
		if (q != NULL)
			idxd_put(q, n, n == 0 ? word : word & ~((uint64_t)IDXD_FLAG_FENCE << 32),
				 src[i].addr + s_off, dst[j].addr + d_off, len);
		s_off += len;
		d_off += len;
		n++;
	}
	return n;
}

int
idxd_copy_sg(void *dev_private, uint16_t vchan __rte_unused,
	     const struct rte_dma_sge *src, const struct rte_dma_sge *dst,
	     uint16_t nb_src, uint16_t nb_dst, uint64_t flags)
{
	struct idxd_queue *q = dev_private;
	uint64_t src_total = 0, dst_total = 0, word;
	uint32_t n;
	uint16_t i;
	int fence;

	if (src == NULL || dst == NULL || nb_src == 0 || nb_dst == 0)
		return -EINVAL;
	for (i = 0; i < nb_src; i++)
		src_total += src[i].length;
	for (i = 0; i < nb_dst; i++)
		dst_total += dst[i].length;
	if (src_total != dst_total || src_total == 0)
		return -EINVAL;
	n = idxd_sg_walk(NULL, 0, q->max_xfer, src, dst, nb_src, nb_dst, q->batch_max);
	fence = idxd_job_begin(q, n, flags);
	if (fence < 0)
		return fence;
	word = q->copy_word | ((flags & q->llc_mask) << IDXD_LLC_SHIFT) |
	       (uint64_t)fence << 32;
	idxd_sg_walk(q, word, q->max_xfer, src, dst, nb_src, nb_dst, n);
	return idxd_job_end(q, n, flags);
}

/* ---- Completion ---- */

enum rte_dma_status_code
idxd_status_code(uint8_t status)
{
	switch (status & IDXD_CR_STATUS_MASK) {
	case IDXD_ST_SUCCESS:
		return RTE_DMA_STATUS_SUCCESSFUL;
	case IDXD_ST_PAGE_FAULT:
		return RTE_DMA_STATUS_PAGE_FAULT;
	case IDXD_ST_PAGE_FAULT_PRS:
		/* The page request was refused: the address is invalid. */
		return (status & IDXD_CR_STATUS_WRITE) ?
			RTE_DMA_STATUS_INVALID_DST_ADDR :
			RTE_DMA_STATUS_INVALID_SRC_ADDR;
	case IDXD_ST_BATCH_LIST_FAULT:
	case IDXD_ST_LIST_MISALIGNED:
		return RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR;
	case IDXD_ST_INVALID_OPCODE:
		return RTE_DMA_STATUS_INVALID_OPCODE;
	case IDXD_ST_INVALID_SIZE:
		return RTE_DMA_STATUS_INVALID_LENGTH;
	case IDXD_ST_OVERLAP:
	case IDXD_ST_MISALIGNED:
		return RTE_DMA_STATUS_INVALID_ADDR;
	case IDXD_ST_HW_READ_ERROR:
		return RTE_DMA_STATUS_BUS_READ_ERROR;
	case IDXD_ST_HW_WRITE_ERROR:
		return RTE_DMA_STATUS_BUS_WRITE_ERROR;
	case IDXD_ST_TRANSLATION_ERROR:
		return RTE_DMA_STATUS_BUS_ERROR;
	default:
		return RTE_DMA_STATUS_ERROR_UNKNOWN;
	}
}

/* A page fault record must name an address the descriptor touches, in the
 * direction it touches it, and count fewer bytes than it moves.
 */
static bool
idxd_fault_plausible(const struct idxd_completion *cr,
		     const struct idxd_hw_desc *d)
{
	const uint64_t page_mask = ~(uint64_t)0xfff;
	uint8_t op = d->op_flags >> 24;
	uint64_t base, last, fault;

	if (cr->bytes_completed >= d->size || d->size == 0)
		return false;
	if (cr->status & IDXD_CR_STATUS_WRITE)
		base = d->dst;
	else if (op == IDXD_OP_MEMMOVE)
		base = d->src;
	else
		return false; /* a fill reads nothing */
	last = base + d->size - 1;
	if (last < base)
		last = UINT64_MAX;
	fault = cr->fault_addr & page_mask;
	return fault >= (base & page_mask) && fault <= (last & page_mask);
}

/* Status of one descriptor from the record written for it (status != 0). */
static enum rte_dma_status_code
idxd_classify(struct idxd_queue *q, const struct idxd_completion *cr,
	      const struct idxd_hw_desc *d)
{
	uint8_t code = cr->status & IDXD_CR_STATUS_MASK;

	switch (code) {
	case IDXD_ST_SUCCESS:
		return RTE_DMA_STATUS_SUCCESSFUL;
	case IDXD_ST_PAGE_FAULT:
	case IDXD_ST_PAGE_FAULT_PRS:
		if (!idxd_fault_plausible(cr, d)) {
			q->stats.bad_records++;
			return RTE_DMA_STATUS_ERROR_UNKNOWN;
		}
		return idxd_status_code(cr->status);
	case IDXD_ST_SUCCESS_PRED:
	case IDXD_ST_BATCH_FAIL:
	case IDXD_ST_BATCH_LIST_FAULT:
		/* Not answers to a memory move or fill. */
		q->stats.bad_records++;
		return RTE_DMA_STATUS_ERROR_UNKNOWN;
	default:
		return idxd_status_code(cr->status);
	}
}

/* Keep the worse of two statuses of one job: any error beats "not
 * attempted", which beats success; the first error stays.
 */
static inline enum rte_dma_status_code
idxd_worse(enum rte_dma_status_code have, enum rte_dma_status_code add)
{
	if (have == RTE_DMA_STATUS_SUCCESSFUL)
		return add;
	if (have == RTE_DMA_STATUS_NOT_ATTEMPTED && add != RTE_DMA_STATUS_SUCCESSFUL)
		return add;
	return have;
}

/* Load a record the device may still be writing: status first, the rest
 * only if it is set. Returns the status.
 */
static inline uint8_t
idxd_read_record(const struct idxd_completion *src, struct idxd_completion *dst)
{
	uint8_t status = __atomic_load_n(&src->status, __ATOMIC_ACQUIRE);

	if (status == IDXD_ST_NONE) {
		memset(dst, 0, sizeof(*dst));
		return status;
	}
	memcpy(dst, src, sizeof(*dst));
	dst->status = status;
	return status;
}

/*
 * The head submission did not simply succeed: work out every job's status
 * into err_status[] from the submission record, the members' records and
 * the descriptors, and start reporting them.
 */
static __rte_noinline void
idxd_expand(struct idxd_queue *q, const struct idxd_submission *rec, uint16_t idx)
{
	enum rte_dma_status_code *st = q->err_status;
	struct idxd_completion cr, member;
	uint16_t k, jobs = rec->job_count;
	uint16_t start = idxd_head_slot(q);
	uint8_t code;

	idxd_read_record(&q->sub_cr[idx], &cr);
	code = cr.status & IDXD_CR_STATUS_MASK;
	for (k = 0; k < jobs; k++)
		st[k] = RTE_DMA_STATUS_SUCCESSFUL;

	if (rec->desc_count == 1) {
		st[0] = idxd_classify(q, &cr, &q->desc[start]);
		if (st[0] == RTE_DMA_STATUS_SUCCESSFUL) {
			/* Success with bytes left over: not believable. */
			q->stats.bad_records++;
			st[0] = RTE_DMA_STATUS_ERROR_UNKNOWN;
		}
	} else if (code == IDXD_ST_BATCH_FAIL || code == IDXD_ST_BATCH_LIST_FAULT ||
		   code == IDXD_ST_SUCCESS) {
		uint32_t processed = cr.bytes_completed;
		bool failed = false;
		int job = -1;

		if (processed > rec->desc_count) {
			q->stats.bad_records++;
			processed = rec->desc_count;
		}
		for (k = 0; k < rec->desc_count; k++) {
			uint16_t slot = start + k;
			enum rte_dma_status_code s;
			uint8_t code_m;

			if (k == 0 || !q->desc_cont[slot])
				job++;
			/* Members report only failures: a success record is
			 * not an answer to this batch (a stale or stray
			 * write) and counts as none.
			 */
			idxd_read_record(&q->member_cr[slot], &member);
			code_m = member.status & IDXD_CR_STATUS_MASK;
			if (code_m != IDXD_ST_NONE && code_m != IDXD_ST_SUCCESS &&
			    code_m != IDXD_ST_SUCCESS_PRED)
				s = idxd_classify(q, &member, &q->desc[slot]);
			else if (k < processed)
				s = RTE_DMA_STATUS_SUCCESSFUL;
			else if (code == IDXD_ST_BATCH_LIST_FAULT)
				s = RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR;
			else
				s = RTE_DMA_STATUS_NOT_ATTEMPTED;
			if (s != RTE_DMA_STATUS_SUCCESSFUL)
				failed = true;
			st[job] = idxd_worse(st[job], s);
		}
		if (!failed) {
			/* The batch failed, yet no member says how: nothing
			 * in it can be vouched for.
			 */
			q->stats.bad_records++;
			for (k = 0; k < jobs; k++)
				st[k] = RTE_DMA_STATUS_ERROR_UNKNOWN;
		}
	} else {
		/* The batch descriptor itself was refused. */
		enum rte_dma_status_code s = idxd_status_code(cr.status);

		if (s == RTE_DMA_STATUS_SUCCESSFUL)
			s = RTE_DMA_STATUS_ERROR_UNKNOWN;
		for (k = 0; k < jobs; k++)
			st[k] = s;
	}
	/* Members that wrote records: clear them for the slots' next use. */
	for (k = 0; k < rec->desc_count; k++)
		q->member_cr[start + k].head = 0;

	q->err_active = true;
	q->err_pos = 0;
	q->err_count = jobs;
}

static __rte_always_inline void
idxd_retire(struct idxd_queue *q, const struct idxd_submission *rec)
{
	if (unlikely(rec->flags & IDXD_SUB_MULTI))
		memset(&q->desc_cont[idxd_head_slot(q)], 0, rec->desc_count);
	q->desc_inflight -= rec->desc_count;
	q->sub_read++;
}

/* Whether a submission record is a plain success: status Success, and the
 * count a batch record carries (or 0).
 */
static __rte_always_inline bool
idxd_record_ok(const struct idxd_queue *q, const struct idxd_submission *rec,
	       uint64_t head)
{
	uint32_t count = head >> 32;

	if ((uint8_t)head != IDXD_ST_SUCCESS)
		return false;
	if (count == 0)
		return true;
	return rec->desc_count == 1 ? count == q->desc[idxd_head_slot(q)].size :
				      count == rec->desc_count;
}

/*
 * Retire, in order, the submissions whose record says they all succeeded;
 * stop at one not complete yet, or at one that failed (expanded into the
 * error state). Must not be called in the error state.
 */
static void
idxd_poll(struct idxd_queue *q)
{
	while (q->sub_read != q->sub_sent) {
		uint16_t idx = q->sub_read & q->sub_mask;
		const struct idxd_submission *rec = &q->sub[idx];
		uint64_t head = __atomic_load_n(&q->sub_cr[idx].head, __ATOMIC_ACQUIRE);

		if ((uint8_t)head == IDXD_ST_NONE)
			break;
		if (!idxd_record_ok(q, rec, head)) {
			idxd_expand(q, rec, idx);
			break;
		}
		q->job_done += rec->job_count;
		idxd_retire(q, rec);
	}
	if (q->sub_sent != q->sub_write)
		idxd_kick(q);
}

/*
 * Completion calls in general: hand back the jobs known done, poll for
 * more, and through a failed submission report its jobs one status at a
 * time. completed() (status == NULL) stops before a job that did not
 * succeed and flags has_error.
 */
static __rte_noinline uint16_t
idxd_collect_slow(struct idxd_queue *q, uint16_t max, uint16_t *last_idx,
		  bool *has_error, enum rte_dma_status_code *status)
{
	uint16_t n = 0;

	for (;;) {
		uint16_t avail = q->job_done - q->job_read;
		uint16_t before;

		if (avail > max - n)
			avail = max - n;
		if (status != NULL)
			memset(&status[n], 0, avail * sizeof(*status));
		q->job_read += avail;
		n += avail;
		if (n == max)
			break;
		if (q->err_active) {
			while (n < max && q->err_pos < q->err_count) {
				enum rte_dma_status_code s = q->err_status[q->err_pos];

				if (s != RTE_DMA_STATUS_SUCCESSFUL) {
					if (status == NULL) {
						*has_error = true;
						goto out;
					}
					q->stats.errors++;
				}
				if (status != NULL)
					status[n] = s;
				q->err_pos++;
				q->job_read++;
				q->job_done++;
				n++;
			}
			if (q->err_pos < q->err_count)
				break;
			q->err_active = false;
			idxd_retire(q, &q->sub[q->sub_read & q->sub_mask]);
		}
		before = q->job_done;
		idxd_poll(q);
		if (q->job_done == before && !q->err_active)
			break;
	}
out:
	q->stats.completed += n;
	*last_idx = q->job_read - 1;
	return n;
}

/*
 * The common case inline: retire submissions that plainly succeeded and
 * hand back up to max jobs. Returns -1 when the general path must run
 * (a failure, a held submission, a job of several descriptors).
 */
static __rte_always_inline int
idxd_collect_fast(struct idxd_queue *q, uint16_t max)
{
	uint16_t avail = q->job_done - q->job_read;

	if (avail < max) {
		uint16_t read = q->sub_read;

		if (unlikely(q->err_active))
			return -1;
		while (read != q->sub_sent) {
			uint16_t idx = read & q->sub_mask;
			const struct idxd_submission *rec = &q->sub[idx];
			uint64_t head = __atomic_load_n(&q->sub_cr[idx].head,
							__ATOMIC_ACQUIRE);

			uint32_t count = head >> 32;

			if ((uint8_t)head == IDXD_ST_NONE)
				break;
			if (unlikely((uint8_t)head != IDXD_ST_SUCCESS ||
				     (count != 0 && (count != rec->desc_count ||
						     count == 1)) ||
				     (rec->flags & IDXD_SUB_MULTI))) {
				q->sub_read = read;
				return -1;
			}
			q->job_done += rec->job_count;
			q->desc_inflight -= rec->desc_count;
			read++;
		}
		q->sub_read = read;
		if (unlikely(q->sub_sent != q->sub_write))
			return -1;
		avail = q->job_done - q->job_read;
		if (avail > max)
			avail = max;
	} else {
		avail = max;
	}
	q->job_read += avail;
	q->stats.completed += avail;
	return avail;
}

uint16_t
idxd_completed(void *dev_private, uint16_t vchan __rte_unused, uint16_t nb_cpls,
	       uint16_t *last_idx, bool *has_error)
{
	struct idxd_queue *q = dev_private;
	int n = idxd_collect_fast(q, nb_cpls);

	if (unlikely(n < 0))
		return idxd_collect_slow(q, nb_cpls, last_idx, has_error, NULL);
	*last_idx = q->job_read - 1;
	return n;
}

uint16_t
idxd_completed_status(void *dev_private, uint16_t vchan __rte_unused,
		      uint16_t nb_cpls, uint16_t *last_idx,
		      enum rte_dma_status_code *status)
{
	struct idxd_queue *q = dev_private;
	int n = idxd_collect_fast(q, nb_cpls);
	int i;

	if (unlikely(n < 0))
		return idxd_collect_slow(q, nb_cpls, last_idx, NULL, status);
	for (i = 0; i < n; i++)
		status[i] = RTE_DMA_STATUS_SUCCESSFUL;
	*last_idx = q->job_read - 1;
	return n;
}

uint16_t
idxd_burst_capacity(const void *dev_private, uint16_t vchan __rte_unused)
{
	const struct idxd_queue *q = dev_private;
	uint16_t subs = q->sub_write - q->sub_read;
	int by_subs, by_desc, by_jobs, cap;

	if (subs >= q->wq_slots)
		return 0;
	by_subs = (q->wq_slots - subs) * q->batch_max - idxd_open_count(q);
	by_desc = q->nb_desc - q->desc_inflight - idxd_open_count(q);
	by_jobs = q->nb_desc - (uint16_t)(q->next_id - q->job_read);
	cap = RTE_MIN(by_subs, RTE_MIN(by_desc, by_jobs));
	return cap < 0 ? 0 : cap;
}

/* ---- Set-up and control-path helpers ---- */

static inline size_t
idxd_align64(size_t n)
{
	return RTE_ALIGN_CEIL(n, 64);
}

/* The effective limits, derived the same way by the size and init calls. */
static void
idxd_queue_limits(const struct idxd_queue_conf *conf, uint16_t *batch_max,
		  uint16_t *wq_slots, uint16_t *sub_ring)
{
	*batch_max = RTE_MIN(conf->batch_max, conf->nb_desc);
	*wq_slots = RTE_MIN(conf->wq_slots, conf->nb_desc);
	*sub_ring = (uint16_t)rte_align32pow2(*wq_slots);
}

size_t
idxd_queue_mem_size(const struct idxd_queue_conf *conf)
{
	uint16_t batch_max, wq_slots, sub_ring;
	size_t slots;

	idxd_queue_limits(conf, &batch_max, &wq_slots, &sub_ring);
	slots = (size_t)conf->nb_desc + batch_max;
	return idxd_align64(slots * sizeof(struct idxd_hw_desc)) +
	       idxd_align64(slots * sizeof(struct idxd_completion)) +
	       idxd_align64(sub_ring * sizeof(struct idxd_completion)) +
	       idxd_align64(sub_ring * sizeof(struct idxd_submission)) +
	       idxd_align64(batch_max * sizeof(enum rte_dma_status_code)) +
	       idxd_align64(slots);
}

int
idxd_queue_init(struct idxd_queue *q, const struct idxd_queue_conf *conf,
		void *mem, uint64_t mem_iova)
{
	uint16_t batch_max, wq_slots, sub_ring;
	uint8_t *p = mem;
	size_t slots, off;

	if (conf->nb_desc < IDXD_MIN_DESC || conf->nb_desc > IDXD_MAX_DESC ||
	    !rte_is_power_of_2(conf->nb_desc) || conf->batch_max == 0 ||
	    conf->wq_slots == 0 || conf->max_xfer == 0 || conf->portal == NULL ||
	    ((uintptr_t)mem & 63) != 0 || (mem_iova & 63) != 0)
		return -EINVAL;
	idxd_queue_limits(conf, &batch_max, &wq_slots, &sub_ring);
	slots = (size_t)conf->nb_desc + batch_max;
	memset(q, 0, sizeof(*q));
	memset(mem, 0, idxd_queue_mem_size(conf));

	off = 0;
	q->desc = (struct idxd_hw_desc *)(p + off);
	q->desc_iova = mem_iova + off;
	off += idxd_align64(slots * sizeof(struct idxd_hw_desc));
	q->member_cr = (struct idxd_completion *)(p + off);
	/* Each slot's member record address never changes: set it once. */
	for (size_t i = 0; i < slots; i++)
		q->desc[i].completion_addr = mem_iova + off +
					     i * sizeof(struct idxd_completion);
	off += idxd_align64(slots * sizeof(struct idxd_completion));
	q->sub_cr = (struct idxd_completion *)(p + off);
	q->sub_cr_iova = mem_iova + off;
	off += idxd_align64(sub_ring * sizeof(struct idxd_completion));
	q->sub = (struct idxd_submission *)(p + off);
	off += idxd_align64(sub_ring * sizeof(struct idxd_submission));
	q->err_status = (enum rte_dma_status_code *)(p + off);
	off += idxd_align64(batch_max * sizeof(enum rte_dma_status_code));
	q->desc_cont = p + off;

	q->copy_word = (uint64_t)IDXD_OPFLAGS(IDXD_OP_MEMMOVE, IDXD_FLAG_CRAV) << 32;
	q->fill_word = (uint64_t)IDXD_OPFLAGS(IDXD_OP_FILL, IDXD_FLAG_CRAV) << 32;
	q->llc_mask = conf->cache_control ? RTE_DMA_OP_FLAG_LLC : 0;
	q->max_xfer = conf->max_xfer;
	q->shared = conf->shared;
	q->portal = conf->portal;
	q->sub_mask = sub_ring - 1;
	q->desc_mask = conf->nb_desc - 1;
	q->nb_desc = conf->nb_desc;
	q->batch_max = batch_max;
	q->wq_slots = wq_slots;
	q->open_ptr = q->desc;
	q->batch_buf.op_word = IDXD_BATCH_WORD;
	idxd_set_room(q);
	return 0;
}

bool
idxd_queue_rewind(struct idxd_queue *q)
{
	if (idxd_open_count(q) != 0 || q->sub_write != q->sub_read || q->err_active ||
	    q->job_read != q->next_id)
		return false;
	q->open_slot = 0;
	q->open_ptr = q->desc;
	q->next_id = 0;
	q->open_first = 0;
	q->open_flags = 0;
	q->job_read = 0;
	q->job_done = 0;
	q->sub_write = 0;
	q->sub_sent = 0;
	q->sub_read = 0;
	q->desc_inflight = 0;
	idxd_set_room(q);
	return true;
}

bool
idxd_queue_busy(struct idxd_queue *q)
{
	if (q->sub_sent != q->sub_write)
		idxd_kick(q);
	if (q->sub_sent != q->sub_write)
		return true;
	return !idxd_prior_done(q);
}

void
idxd_queue_dump(const struct idxd_queue *q, FILE *f)
{
	fprintf(f, "  ring: %u slots (+%u past the end), batch max %u, "
		"submissions in flight max %u, max transfer %u\n",
		q->nb_desc, q->batch_max, q->batch_max, q->wq_slots, q->max_xfer);
	fprintf(f, "  portal %p (%s), cache control %s\n", (void *)(uintptr_t)q->portal,
		q->shared ? "shared WQ, ENQCMD" : "dedicated WQ, MOVDIR64B",
		q->llc_mask ? "on LLC hint" : "unsupported");
	fprintf(f, "  open batch: slot %u, %u descriptors, room %u, next job %u%s\n",
		q->open_slot, idxd_open_count(q), (unsigned int)(q->open_end - q->open_ptr),
		q->next_id, (q->open_flags & IDXD_SUB_FENCE) ? ", fenced" : "");
	fprintf(f, "  submissions: built %u, sent %u, retired %u; "
		"descriptors in flight %u\n",
		q->sub_write, q->sub_sent, q->sub_read, q->desc_inflight);
	fprintf(f, "  jobs: next to return %u, done up to %u%s\n",
		q->job_read, q->job_done,
		q->err_active ? ", reporting a failed submission" : "");
	fprintf(f, "  stats: submitted %" PRIu64 ", completed %" PRIu64
		", errors %" PRIu64 "\n", q->stats.submitted, q->stats.completed,
		q->stats.errors);
	fprintf(f, "  batches %" PRIu64 ", singles %" PRIu64 ", ENQCMD retries %"
		PRIu64 ", deferred %" PRIu64 ", implausible records %" PRIu64 "\n",
		q->stats.batches, q->stats.singles, q->stats.enqcmd_retries,
		q->stats.deferred, q->stats.bad_records);
}
