/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The work operations of the model and the descriptor checks that come
 * before them (spec 5.4, 8.3): memory move, fill, compare, compare
 * pattern, dualcast, CRC generation and copy with CRC.
 *
 * A check failure gives the status the spec assigns (0x10 opcode, 0x11
 * flags, 0x12 reserved field, 0x13 transfer size, ...) with Bytes Completed
 * 0; the spec lets hardware check in any order, this model checks opcode,
 * flags, reserved fields, then sizes and alignments. A page fault during
 * the operation is a partial completion (0x03, bit 7 for a write) with
 * the bytes done and the fault address.
 */
#include <stddef.h>
#include <string.h>

#include "dsa_model.h"

#define CHUNK (64u * 1024)

/* Flag bits reserved for every operation in spec rev 3.0 (5, 6, 15). */
#define FLAGS_RESERVED     ((1u << 5) | (1u << 6) | (1u << 15))
#define FLAGS_COMMON       (DSA_FLAG_CRAV | DSA_FLAG_RCR | DSA_FLAG_RCI | \
			    DSA_FLAG_CC1 | DSA_FLAG_CC2 | DSA_FLAG_ADDR1_TCS | \
			    DSA_FLAG_ADDR2_TCS | DSA_FLAG_ADDR3_TCS | \
			    DSA_FLAG_CR_TCS | DSA_FLAG_STORD)

static const uint32_t crc32c_poly = 0x82f63b78; /* reflected 0x1EDC6F41 */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	unsigned int i, j;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ ((c & 1) ? crc32c_poly : 0);
		crc_table[0][i] = c;
	}
	/* Slicing by 8. */
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_table[j][i] = (crc_table[j - 1][i] >> 8) ^
					  crc_table[0][crc_table[j - 1][i] & 0xff];
}

/* Raw reflected CRC32C update, no inversions. */
static uint32_t
crc_update(uint32_t crc, const uint8_t *p, size_t len)
{
	pthread_once(&crc_once, crc_init);
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return crc;
}

uint32_t
dsa_crc32c(uint32_t seed, const void *buf, size_t len, uint32_t state, bool first)
{
	/* The seed is the previous CRC: with seed 0 the result is the
	 * standard CRC-32C, and a result fed back as the seed continues it.
	 */
	if (first)
		state = ~seed;
	return crc_update(state, buf, len);
}

static bool
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* ---- checks ---- */

struct dsa_check_ctx {
	uint64_t gencap;
	uint64_t opcap0;
	uint64_t max_xfer;
	bool wq_bof;
};

static bool
op_has_size(unsigned int op)
{
	switch (op) {
	case DSA_OP_MEMMOVE:
	case DSA_OP_FILL:
	case DSA_OP_COMPARE:
	case DSA_OP_COMPVAL:
	case DSA_OP_DUALCAST:
	case DSA_OP_CRCGEN:
	case DSA_OP_COPY_CRC:
		return true;
	default:
		return false;
	}
}

uint8_t
dsa_op_check(unsigned int dev, int wq, const struct dsa_desc *d, bool in_batch,
	     uint32_t *bad_flags)
{
	const struct dsa_shm_wq *w = wq >= 0 ? &dsa_shm->dev[dev].wq[wq] : NULL;
	uint64_t gencap = dsa_hw_gencap(dev);
	uint64_t opcap0 = dsa_hw_read(dev, DSA_REG_OPCAP, 8);
	unsigned int op = DSA_DESC_OP(d);
	uint32_t flags = DSA_DESC_FLAGS(d), allowed = FLAGS_COMMON, required = 0;
	const uint8_t *x = d->op_specific;
	uint64_t max_xfer = w != NULL ? 1ull << w->hw_max_xfer_shift : 1ull << 31;
	bool wq_bof = w != NULL && w->hw_bof;

	*bad_flags = 0;
	/* Opcode: supported, and no Batch or Drain inside a batch. */
	if (op >= 64 || !(opcap0 & (1ull << op)) ||
	    (in_batch && (op == DSA_OP_BATCH || op == DSA_OP_DRAIN)))
		return DSA_COMP_BAD_OPCODE;

	/* Flags. */
	if (in_batch)
		allowed |= DSA_FLAG_FENCE;
	if (wq_bof && op != DSA_OP_NOOP && op != DSA_OP_DRAIN && op != DSA_OP_BATCH)
		allowed |= DSA_FLAG_BOF;
	if (!(gencap & (DSA_GENCAP_CACHE_CTRL_MEM | DSA_GENCAP_CACHE_CTRL_CACHE)))
		allowed &= ~DSA_FLAG_CC1;
	if (!(gencap & DSA_GENCAP_DEST_READBACK))
		allowed &= ~DSA_FLAG_CC2;
	switch (op) {
	case DSA_OP_FILL:
		if (gencap & DSA_GENCAP_FILL16)
			allowed |= DSA_FLAG_FILL16;
		break;
	case DSA_OP_COMPARE:
	case DSA_OP_COMPVAL:
		allowed |= DSA_FLAG_CR;
		required = DSA_FLAG_CRAV | DSA_FLAG_RCR;
		break;
	case DSA_OP_CRCGEN:
	case DSA_OP_COPY_CRC:
		allowed |= DSA_FLAG_CRC_SEED_ADDR;
		required = DSA_FLAG_CRAV | DSA_FLAG_RCR;
		break;
	case DSA_OP_DRAIN:
		allowed |= DSA_FLAG_DRAIN_RB1 | DSA_FLAG_DRAIN_RB2;
		break;
	default:
		break;
	}
	allowed &= ~FLAGS_RESERVED;
	*bad_flags = flags & ~allowed;
	if ((flags & DSA_FLAG_RCR) && !(flags & DSA_FLAG_CRAV))
		*bad_flags |= DSA_FLAG_RCR;
	*bad_flags |= required & ~flags;
	/* A Drain has nothing to say but its completion. */
	if (op == DSA_OP_DRAIN && !(flags & (DSA_FLAG_RCR | DSA_FLAG_RCI)))
		*bad_flags |= DSA_FLAG_RCR;
	if (*bad_flags != 0)
		return DSA_COMP_INVALID_FLAGS;

	/* Reserved fields must be zero. */
	if (!(flags & DSA_FLAG_RCI) && d->int_handle != 0)
		return DSA_COMP_NOZERO_RESERVE;
	if (d->rsvd1 != 0)
		return DSA_COMP_NOZERO_RESERVE;
	switch (op) {
	case DSA_OP_NOOP:
		if (d->src || d->dst || d->xfer_size || !all_zero(x, 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_DRAIN:
		if ((!(flags & DSA_FLAG_DRAIN_RB1) && d->src) ||
		    (!(flags & DSA_FLAG_DRAIN_RB2) && d->dst) ||
		    d->xfer_size || !all_zero(x, 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_BATCH:
		if (d->dst || !all_zero(x, 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_MEMMOVE:
		if (!all_zero(x, 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_FILL:
		if (!all_zero(x + ((flags & DSA_FLAG_FILL16) ? 8 : 0),
			      (flags & DSA_FLAG_FILL16) ? 16 : 24))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_COMPARE:
	case DSA_OP_COMPVAL:
		/* Byte 40: expected result, bit 0 only. */
		if ((x[0] & ~1u) || !all_zero(x + 1, 23))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_DUALCAST:
		if (!all_zero(x + 8, 16))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	case DSA_OP_CRCGEN:
	case DSA_OP_COPY_CRC:
		if ((op == DSA_OP_CRCGEN && d->dst) || !all_zero(x + 4, 4) ||
		    (!(flags & DSA_FLAG_CRC_SEED_ADDR) && !all_zero(x + 8, 8)) ||
		    !all_zero(x + 16, 8))
			return DSA_COMP_NOZERO_RESERVE;
		break;
	}

	if (op_has_size(op) && (d->xfer_size == 0 || d->xfer_size > max_xfer))
		return DSA_COMP_XFER_ERANGE;
	if (op == DSA_OP_DUALCAST) {
		uint64_t dst2;

		memcpy(&dst2, x, 8);
		if ((d->dst & 0xfff) != (dst2 & 0xfff))
			return DSA_COMP_DCAST_ERR;
	}
	if ((op == DSA_OP_CRCGEN || op == DSA_OP_COPY_CRC) &&
	    (flags & DSA_FLAG_CRC_SEED_ADDR)) {
		uint64_t seed_addr;

		memcpy(&seed_addr, x + 8, 8);
		if (seed_addr & 3)
			return DSA_COMP_ADDR_ALIGN;
	}
	return 0;
}

/* ---- execution ---- */

static uint8_t
fault_status(struct dsa_dma *dma, struct dsa_completion *cr, size_t done)
{
	uint8_t st;

	/* Block on fault: the OS could not resolve it (invalid address),
	 * which the device reports as 0x04; without BOF it is 0x03.
	 */
	st = dma->bof && !dma->fault.injected ? DSA_COMP_PAGE_FAULT_IR :
						DSA_COMP_PAGE_FAULT_NOBOF;
	if (dma->fault.write)
		st |= DSA_COMP_WRITE_FAULT;
	cr->bytes_completed = (uint32_t)done;
	cr->fault_addr = dma->fault.addr;
	DSA_COUNT(dma->dev, dma->wq, page_faults, 1);
	return st;
}

static uint8_t
do_compare(struct dsa_dma *dma, const struct dsa_desc *d, struct dsa_completion *cr,
	   bool pattern)
{
	static uint8_t a[CHUNK], b[CHUNK];
	size_t done = 0, len = d->xfer_size, i;
	uint8_t result = 0;

	if (pattern)
		for (i = 0; i < CHUNK; i++)
			b[i] = (uint8_t)(d->dst >> (8 * (i % 8)));
	while (done < len) {
		size_t c = len - done < CHUNK ? len - done : CHUNK, n;

		n = dsa_dma_read(dma, a, d->src + done, c);
		if (!pattern && n == c)
			n = dsa_dma_read(dma, b, d->dst + done, c);
		for (i = 0; i < n; i++)
			if (a[i] != b[i])
				break;
		if (i < n) {
			/* Bytes Completed: where the first difference is. */
			result = 1;
			done += i;
			break;
		}
		if (n < c)
			return fault_status(dma, cr, done + n);
		done += c;
	}
	DSA_COUNT(dma->dev, dma->wq, bytes, len);
	cr->result = result;
	cr->bytes_completed = result ? (uint32_t)done : 0;
	if ((DSA_DESC_FLAGS(d) & DSA_FLAG_CR) && result != (d->op_specific[0] & 1))
		return DSA_COMP_SUCCESS_PRED;
	return DSA_COMP_SUCCESS;
}

static uint8_t
do_crc(struct dsa_dma *dma, const struct dsa_desc *d, struct dsa_completion *cr, bool copy)
{
	static uint8_t buf[CHUNK];
	size_t done = 0, len = d->xfer_size;
	uint32_t seed, state = 0;
	bool first = true;

	memcpy(&seed, d->op_specific, 4);
	if (DSA_DESC_FLAGS(d) & DSA_FLAG_CRC_SEED_ADDR) {
		uint64_t seed_addr;

		memcpy(&seed_addr, d->op_specific + 8, 8);
		if (dsa_dma_read(dma, &seed, seed_addr, 4) < 4)
			return fault_status(dma, cr, 0);
	}
	while (done < len) {
		size_t c = len - done < CHUNK ? len - done : CHUNK, n;

		n = dsa_dma_read(dma, buf, d->src + done, c);
		state = dsa_crc32c(seed, buf, n, state, first);
		first = false;
		if (n < c) {
			cr->crc_val = ~state;
			return fault_status(dma, cr, done + n);
		}
		if (copy) {
			n = dsa_dma_write(dma, d->dst + done, buf, c);
			if (n < c) {
				cr->crc_val = ~state;
				return fault_status(dma, cr, done + n);
			}
		}
		done += c;
	}
	if (first)
		state = ~seed;
	cr->crc_val = ~state;
	DSA_COUNT(dma->dev, dma->wq, bytes, len);
	return DSA_COMP_SUCCESS;
}

uint8_t
dsa_op_execute(struct dsa_dma *dma, const struct dsa_desc *d, struct dsa_completion *cr)
{
	unsigned int op = DSA_DESC_OP(d);
	size_t n, len = d->xfer_size;

	switch (op) {
	case DSA_OP_NOOP:
		return DSA_COMP_SUCCESS;
	case DSA_OP_MEMMOVE: {
		bool reversed;

		n = dsa_dma_copy(dma, d->dst, d->src, len, &reversed);
		if (n < len) {
			/* Result 1: the copy ran backwards (overlap). */
			cr->result = reversed;
			return fault_status(dma, cr, n);
		}
		DSA_COUNT(dma->dev, dma->wq, bytes, len);
		return DSA_COMP_SUCCESS;
	}
	case DSA_OP_FILL: {
		uint8_t pat[16];
		unsigned int plen = 8;

		memcpy(pat, &d->src, 8);
		if (DSA_DESC_FLAGS(d) & DSA_FLAG_FILL16) {
			memcpy(pat + 8, d->op_specific, 8);
			plen = 16;
		}
		n = dsa_dma_fill(dma, d->dst, pat, plen, len);
		if (n < len)
			return fault_status(dma, cr, n);
		DSA_COUNT(dma->dev, dma->wq, bytes, len);
		return DSA_COMP_SUCCESS;
	}
	case DSA_OP_COMPARE:
		return do_compare(dma, d, cr, false);
	case DSA_OP_COMPVAL:
		return do_compare(dma, d, cr, true);
	case DSA_OP_DUALCAST: {
		static uint8_t buf[CHUNK];
		uint64_t dst2;
		size_t done = 0;

		memcpy(&dst2, d->op_specific, 8);
		while (done < len) {
			size_t c = len - done < CHUNK ? len - done : CHUNK;

			n = dsa_dma_read(dma, buf, d->src + done, c);
			if (n < c)
				return fault_status(dma, cr, done + n);
			n = dsa_dma_write(dma, d->dst + done, buf, c);
			if (n < c)
				return fault_status(dma, cr, done + n);
			n = dsa_dma_write(dma, dst2 + done, buf, c);
			if (n < c)
				return fault_status(dma, cr, done + n);
			done += c;
		}
		DSA_COUNT(dma->dev, dma->wq, bytes, len);
		return DSA_COMP_SUCCESS;
	}
	case DSA_OP_CRCGEN:
		return do_crc(dma, d, cr, false);
	case DSA_OP_COPY_CRC:
		return do_crc(dma, d, cr, true);
	default:
		return DSA_COMP_BAD_OPCODE;
	}
}
