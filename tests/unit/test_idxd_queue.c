/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the idxd data path (drivers/dma/idxd/idxd_dp.c) on plain
 * memory, with the fake device of idxd_fake_dev.h behind a trapped portal:
 * descriptor building, batching, ring arithmetic and id wrap, burst
 * capacity, flow control, fences, splitting, scatter-gather, fill, shared-WQ
 * retries, and completion-record handling including records a broken or
 * hostile device could write.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idxd_queue.h"
#include "idxd_fake_dev.h"
#include "unit_check.h"

static struct idxd_queue q;
static void *qmem;

static struct idxd_queue_conf
conf_of(uint16_t nb_desc, uint16_t batch, uint16_t slots, uint32_t xfer)
{
	struct idxd_queue_conf c = {
		.portal = NULL, .shared = false, .cache_control = true,
		.nb_desc = nb_desc, .batch_max = batch, .wq_slots = slots,
		.max_xfer = xfer,
	};
	return c;
}

static void
setup_conf(struct idxd_queue_conf c)
{
	size_t size;

	fake_init(c.wq_slots, c.batch_max);
	c.portal = fake.portal;
	size = idxd_queue_mem_size(&c);
	qmem = aligned_alloc(64, RTE_ALIGN_CEIL(size, 64));
	if (qmem == NULL || idxd_queue_init(&q, &c, qmem, (uintptr_t)qmem) != 0)
		abort();
}

static void
setup(uint16_t nb_desc, uint16_t batch, uint16_t slots, uint32_t xfer)
{
	setup_conf(conf_of(nb_desc, batch, slots, xfer));
}

static void
teardown(void)
{
	CHECK_EQ(fake.violations, 0);
	if (fake.violations)
		printf("  last violation: %s\n", fake.last_violation);
	fake_fini();
	free(qmem);
}

static uint8_t src_buf[1 << 16] __attribute__((aligned(64)));
static uint8_t dst_buf[1 << 16] __attribute__((aligned(64)));

static void
fill_src(void)
{
	size_t i;

	for (i = 0; i < sizeof(src_buf); i++)
		src_buf[i] = (uint8_t)(i * 7 + 3);
	memset(dst_buf, 0, sizeof(dst_buf));
}

static uint64_t
va(const void *p)
{
	return (uintptr_t)p;
}

/* ---- tests ---- */

static void
test_init_limits(void)
{
	struct idxd_queue_conf c = conf_of(64, 32, 8, 4096);
	static uint8_t mem[1 << 16] __attribute__((aligned(64)));
	struct idxd_queue t;

	c.portal = mem;
	CHECK_EQ(idxd_queue_init(&t, &c, mem, va(mem)), 0);
	c.nb_desc = 48; /* not a power of 2 */
	CHECK_EQ(idxd_queue_init(&t, &c, mem, va(mem)), -EINVAL);
	c.nb_desc = 8192;
	CHECK_EQ(idxd_queue_init(&t, &c, mem, va(mem)), -EINVAL);
	c.nb_desc = 64;
	c.max_xfer = 0;
	CHECK_EQ(idxd_queue_init(&t, &c, mem, va(mem)), -EINVAL);
	c.max_xfer = 4096;
	CHECK_EQ(idxd_queue_init(&t, &c, mem + 8, va(mem) + 8), -EINVAL);
	c.portal = NULL;
	CHECK_EQ(idxd_queue_init(&t, &c, mem, va(mem)), -EINVAL);
}

static void
test_descriptor_layout(void)
{
	const struct idxd_hw_desc *d;
	uint16_t last;
	bool err = false;

	setup(64, 32, 8, 1 << 20);
	fill_src();
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 100, 0), 0);
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf + 128), 60, RTE_DMA_OP_FLAG_LLC), 1);
	CHECK_EQ(idxd_fill(&q, 0, 0x1122334455667788ull, va(dst_buf + 256), 24, 0), 2);
	CHECK_EQ(fake.n_log, 0); /* nothing before submit */

	d = &q.desc[0];
	CHECK_EQ(d->op_flags >> 24, IDXD_OP_MEMMOVE);
	CHECK_EQ(d->op_flags & 0xffffff, IDXD_FLAG_CRAV);
	CHECK_EQ(d->src, va(src_buf));
	CHECK_EQ(d->dst, va(dst_buf));
	CHECK_EQ(d->size, 100);
	CHECK_EQ(d->completion_addr, va(&q.member_cr[0]));
	CHECK(fake_reserved_zero(d));
	CHECK_EQ(q.desc[1].op_flags & 0xffffff, IDXD_FLAG_CRAV | IDXD_FLAG_CACHE_CONTROL);
	CHECK_EQ(q.desc[2].op_flags >> 24, IDXD_OP_FILL);
	CHECK_EQ(q.desc[2].pattern, 0x1122334455667788ull);
	CHECK_EQ(q.desc[2].completion_addr, va(&q.member_cr[2]));

	CHECK_EQ(idxd_submit(&q, 0), 0);
	CHECK_EQ(fake.n_log, 1);
	d = &fake.log[0];
	CHECK_EQ(d->op_flags >> 24, IDXD_OP_BATCH);
	CHECK_EQ(d->op_flags & 0xffffff, IDXD_FLAG_CRAV | IDXD_FLAG_RCR);
	CHECK_EQ(d->desc_list, va(&q.desc[0]));
	CHECK_EQ(d->size, 3);
	CHECK_EQ(d->completion_addr, va(&q.sub_cr[0]));
	CHECK(fake_reserved_zero(d));
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 0);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 3);
	CHECK_EQ(last, 2);
	CHECK(!err);
	CHECK(memcmp(dst_buf, src_buf, 100) == 0);
	CHECK(memcmp(dst_buf + 128, src_buf, 60) == 0);
	CHECK_EQ(dst_buf[256], 0x88);
	CHECK_EQ(dst_buf[263], 0x11);
	CHECK_EQ(dst_buf[280], 0);
	CHECK_EQ(q.stats.batches, 1);
	teardown();

	/* Without device cache control the LLC hint sets nothing. */
	{
		struct idxd_queue_conf c = conf_of(64, 32, 8, 4096);

		c.cache_control = false;
		setup_conf(c);
		idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_LLC);
		CHECK_EQ(q.desc[0].op_flags & 0xffffff, IDXD_FLAG_CRAV);
		idxd_submit(&q, 0);
		fake_run_all();
		teardown();
	}
}

static void
test_single_descriptor(void)
{
	const struct idxd_hw_desc *d;
	uint16_t last;
	bool err = false;

	setup(64, 32, 8, 1 << 20);
	fill_src();
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 512, RTE_DMA_OP_FLAG_SUBMIT), 0);
	CHECK_EQ(fake.n_log, 1);
	d = &fake.log[0];
	CHECK_EQ(d->op_flags >> 24, IDXD_OP_MEMMOVE);
	CHECK_EQ(d->op_flags & 0xffffff, IDXD_FLAG_CRAV | IDXD_FLAG_RCR);
	CHECK_EQ(d->completion_addr, va(&q.sub_cr[0]));
	/* The ring slot keeps its member form. */
	CHECK_EQ(q.desc[0].completion_addr, va(&q.member_cr[0]));
	CHECK_EQ(q.desc[0].op_flags & IDXD_FLAG_RCR, 0);
	CHECK_EQ(idxd_submit(&q, 0), 0); /* nothing open: no portal write */
	CHECK_EQ(fake.n_log, 1);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 4, &last, &err), 1);
	CHECK_EQ(last, 0);
	CHECK(memcmp(dst_buf, src_buf, 512) == 0);
	/* Nothing more: last_idx stays. */
	last = 77;
	CHECK_EQ(idxd_completed(&q, 0, 4, &last, &err), 0);
	CHECK_EQ(last, 0);
	CHECK_EQ(q.stats.singles, 1);
	CHECK_EQ(q.stats.submitted, 1);
	CHECK_EQ(q.stats.completed, 1);
	teardown();
}

/* Random bursts across ring and id wrap; completions in odd-sized bites. */
static void
test_ring_wrap(void)
{
	unsigned int iter, i;
	uint16_t expect_id = 0, got = 0, last;
	bool err = false;
	int cap0;

	setup(128, 16, 8, 1 << 20);
	fill_src();
	cap0 = idxd_burst_capacity(&q, 0);
	CHECK_EQ(cap0, 128);
	srand(1);
	for (iter = 0; iter < 8000; iter++) {
		unsigned int burst = 1 + rand() % 40;
		int cap = idxd_burst_capacity(&q, 0);

		for (i = 0; i < burst; i++) {
			int id = idxd_copy(&q, 0, va(src_buf + (i & 63)), va(dst_buf + 64 * i),
					   64, 0);

			if (id == -ENOSPC) {
				CHECK_EQ(idxd_burst_capacity(&q, 0), 0);
				break;
			}
			CHECK_EQ(id, expect_id);
			CHECK_EQ(idxd_burst_capacity(&q, 0), cap - (int)i - 1);
			expect_id++;
		}
		idxd_submit(&q, 0);
		CHECK(idxd_burst_capacity(&q, 0) <= cap);
		if (rand() % 3 == 0) {
			fake_run_all();
			fake_compact();
		}
		for (;;) {
			uint16_t n = idxd_completed(&q, 0, 1 + rand() % 50, &last, &err);

			if (n == 0)
				break;
			got += n;
			CHECK_EQ(last, (uint16_t)(got - 1));
		}
	}
	fake_run_all();
	while (got != expect_id) {
		uint16_t n = idxd_completed(&q, 0, 64, &last, &err);

		if (n == 0)
			break;
		got += n;
	}
	CHECK_EQ(got, expect_id);
	CHECK(!err);
	CHECK(q.stats.completed > 65536); /* ids wrapped */
	CHECK_EQ(idxd_burst_capacity(&q, 0), cap0);
	CHECK(fake.max_outstanding <= 8);
	teardown();
}

/* More than a batch before submit: full batches go early, and capacity
 * still falls by exactly one per job.
 */
static void
test_auto_submit(void)
{
	unsigned int i;
	uint16_t last;
	bool err = false;
	int cap;

	setup(256, 8, 16, 1 << 20);
	cap = idxd_burst_capacity(&q, 0);
	for (i = 0; i < 20; i++) {
		CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, 0), (int)i);
		CHECK_EQ(idxd_burst_capacity(&q, 0), cap - (int)i - 1);
	}
	CHECK_EQ(fake.n_log, 2); /* two full batches of 8 */
	CHECK_EQ(fake.log[0].size, 8);
	CHECK_EQ(fake.log[1].size, 8);
	idxd_submit(&q, 0);
	CHECK_EQ(fake.n_log, 3);
	CHECK_EQ(fake.log[2].size, 4);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 64, &last, &err), 20);
	teardown();
}

/* The DWQ never holds more submissions than its size. */
static void
test_wq_never_full(void)
{
	unsigned int i, ok = 0, nospace = 0;
	uint16_t last;
	bool err = false;

	setup(256, 4, 3, 1 << 20);
	for (i = 0; i < 40; i++) {
		int id = idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64,
				   RTE_DMA_OP_FLAG_SUBMIT);

		if (id >= 0)
			ok++;
		else if (id == -ENOSPC)
			nospace++;
	}
	CHECK_EQ(ok, 3);
	CHECK_EQ(nospace, 37);
	CHECK_EQ(fake.max_outstanding, 3);
	CHECK_EQ(idxd_burst_capacity(&q, 0), 0);
	fake_exec(0);
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK(idxd_burst_capacity(&q, 0) > 0);
	CHECK(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT) >= 0);
	CHECK_EQ(fake.max_outstanding, 3);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 3);
	teardown();
}

static void
test_batch_limits(void)
{
	struct rte_dma_sge s[40], d[40];
	unsigned int i;
	uint16_t last;
	bool err = false;

	/* A batch of exactly max_batch, then max_batch + 1 (split in two). */
	setup(256, 32, 8, 1 << 20);
	for (i = 0; i < 32; i++)
		idxd_copy(&q, 0, va(src_buf), va(dst_buf), 8, 0);
	idxd_submit(&q, 0);
	CHECK_EQ(fake.n_log, 1);
	CHECK_EQ(fake.log[0].size, 32);
	for (i = 0; i < 33; i++)
		idxd_copy(&q, 0, va(src_buf), va(dst_buf), 8, 0);
	idxd_submit(&q, 0);
	CHECK_EQ(fake.n_log, 3);
	CHECK_EQ(fake.log[1].size, 32);
	CHECK_EQ(fake.log[2].op_flags >> 24, IDXD_OP_MEMMOVE); /* the 33rd alone */
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 100, &last, &err), 65);

	/* A scatter-gather job needing more pieces than a batch holds. */
	for (i = 0; i < 40; i++) {
		s[i] = (struct rte_dma_sge){ .addr = va(src_buf + i), .length = 1 };
		d[i] = (struct rte_dma_sge){ .addr = va(dst_buf + i), .length = 1 };
	}
	CHECK_EQ(idxd_copy_sg(&q, 0, s, d, 33, 33, 0), -EINVAL);
	CHECK_EQ(idxd_copy_sg(&q, 0, s, d, 32, 32, RTE_DMA_OP_FLAG_SUBMIT), 65);
	teardown();

	/* A WQ that takes no batches: every descriptor goes alone. */
	setup(64, 1, 8, 1 << 20);
	for (i = 0; i < 5; i++)
		CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 8, 0), (int)i);
	idxd_submit(&q, 0);
	CHECK_EQ(fake.n_log, 5);
	for (i = 0; i < 5; i++)
		CHECK_EQ(fake.log[i].op_flags >> 24, IDXD_OP_MEMMOVE);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 5);
	teardown();
}

static void
test_split_transfer(void)
{
	enum rte_dma_status_code st[4];
	uint16_t last;
	bool err = false;
	unsigned int i;

	setup(64, 32, 8, 4096);
	fill_src();
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 10000, RTE_DMA_OP_FLAG_SUBMIT), 0);
	CHECK_EQ(fake.n_log, 1);
	CHECK_EQ(fake.log[0].op_flags >> 24, IDXD_OP_BATCH);
	CHECK_EQ(fake.log[0].size, 3);
	CHECK_EQ(q.desc[0].size, 4096);
	CHECK_EQ(q.desc[2].size, 10000 - 8192);
	CHECK_EQ(q.desc[2].src, va(src_buf) + 8192);
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf + 20000), 100,
			   RTE_DMA_OP_FLAG_SUBMIT), 1);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 2);
	CHECK_EQ(last, 1);
	CHECK(memcmp(dst_buf, src_buf, 10000) == 0);

	/* Too many pieces for one batch: refused, nothing enqueued. */
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 4096 * 32 + 1, 0), -EINVAL);
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 0, 0), -EINVAL);

	/* A fault in the middle piece fails the one job. */
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, 0), 2);
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 12288, 0);
	q.open_ptr[-2].src = 0; /* the second piece of job 3 */
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT), 4);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK(err);
	CHECK_EQ(idxd_completed_status(&q, 0, 4, &last, st), 2);
	CHECK_EQ(st[0], RTE_DMA_STATUS_PAGE_FAULT);
	CHECK_EQ(st[1], RTE_DMA_STATUS_SUCCESSFUL);
	CHECK_EQ(last, 4);
	for (i = 0; i < 5; i++)
		CHECK_EQ(q.desc_cont[i], 0);
	teardown();
}

static void
test_copy_sg(void)
{
	struct rte_dma_sge s[3] = {
		{ .addr = va(src_buf), .length = 100 },
		{ .addr = va(src_buf + 1000), .length = 0 },
		{ .addr = va(src_buf + 2000), .length = 300 },
	};
	struct rte_dma_sge d[2] = {
		{ .addr = va(dst_buf), .length = 250 },
		{ .addr = va(dst_buf + 4000), .length = 150 },
	};
	uint16_t last;
	bool err = false;

	setup(64, 32, 8, 128);
	fill_src();
	/* pieces: 100 | 128 (src2 0..127) | 22 -> dst1 full | 128 | 22 */
	CHECK_EQ(idxd_copy_sg(&q, 0, s, d, 3, 2, RTE_DMA_OP_FLAG_SUBMIT), 0);
	CHECK_EQ(fake.log[0].size, 5);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK(memcmp(dst_buf, src_buf, 100) == 0);
	CHECK(memcmp(dst_buf + 100, src_buf + 2000, 150) == 0);
	CHECK(memcmp(dst_buf + 4000, src_buf + 2150, 150) == 0);

	d[1].length = 149;
	CHECK_EQ(idxd_copy_sg(&q, 0, s, d, 3, 2, 0), -EINVAL); /* totals differ */
	CHECK_EQ(idxd_copy_sg(&q, 0, s, d, 0, 2, 0), -EINVAL);
	teardown();
}

static void
test_fill_split_pattern(void)
{
	const uint64_t pat = 0x0706050403020100ull;
	uint16_t last;
	bool err = false;
	unsigned int i;

	setup(64, 32, 8, 12); /* pieces not a multiple of 8 */
	memset(dst_buf, 0xee, 256);
	CHECK_EQ(idxd_fill(&q, 0, pat, va(dst_buf), 50, RTE_DMA_OP_FLAG_SUBMIT), 0);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	for (i = 0; i < 50; i++)
		CHECK_EQ(dst_buf[i], i % 8);
	CHECK_EQ(dst_buf[50], 0xee);
	teardown();
}

/* Fenced jobs: the batch waits for earlier submissions; inside a batch the
 * member carries the fence flag; a lone fenced job carries none.
 */
static void
test_fence(void)
{
	uint16_t last;
	bool err = false;

	setup(64, 32, 8, 1 << 20);
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK_EQ(fake.n_log, 1);
	/* Fenced first job of a batch, earlier work outstanding: held. */
	idxd_copy(&q, 0, va(src_buf), va(dst_buf + 64), 64, RTE_DMA_OP_FLAG_FENCE);
	idxd_copy(&q, 0, va(src_buf), va(dst_buf + 128), 64, RTE_DMA_OP_FLAG_FENCE);
	idxd_submit(&q, 0);
	CHECK_EQ(fake.n_log, 1);
	CHECK_EQ(q.desc[1].op_flags & IDXD_FLAG_FENCE, 0);
	CHECK_EQ(q.desc[2].op_flags & IDXD_FLAG_FENCE, IDXD_FLAG_FENCE);
	/* Later submissions queue behind it. */
	idxd_copy(&q, 0, va(src_buf), va(dst_buf + 192), 64, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK_EQ(fake.n_log, 1);
	CHECK(idxd_queue_busy(&q));
	fake_exec(0);
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK_EQ(fake.n_log, 3); /* released once job 0 completed */
	CHECK_EQ(fake.log[1].op_flags >> 24, IDXD_OP_BATCH);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 3);
	CHECK(!idxd_queue_busy(&q));

	/* A lone fenced job with nothing outstanding goes at once. */
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64,
		  RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT);
	CHECK_EQ(fake.n_log, 4);
	CHECK_EQ(fake.log[3].op_flags & IDXD_FLAG_FENCE, 0);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	teardown();
}

/* The autotest's error cases, on the fake device. */
static void
run_failure_burst(unsigned int fail_idx, bool fence)
{
	enum rte_dma_status_code st[16];
	uint16_t last, base = q.next_id, n, total;
	bool err = false;
	unsigned int i, errors = 0;
	uint64_t errs0 = q.stats.errors;

	for (i = 0; i < 16; i++)
		idxd_copy(&q, 0, i == fail_idx ? 0 : va(src_buf), va(dst_buf + 64 * i), 64,
			  fence && i == 8 ? RTE_DMA_OP_FLAG_FENCE : 0);
	idxd_submit(&q, 0);
	fake_run_all();
	n = idxd_completed(&q, 0, 16, &last, &err);
	CHECK_EQ(n, fail_idx);
	CHECK(err);
	CHECK_EQ(last, (uint16_t)(base + fail_idx - 1));
	for (i = 0; i < 3; i++) {
		err = false;
		CHECK_EQ(idxd_completed(&q, 0, 16, &last, &err), 0);
		CHECK(err);
		CHECK_EQ(last, (uint16_t)(base + fail_idx - 1));
	}
	total = idxd_completed_status(&q, 0, 16, &last, st);
	CHECK_EQ(total, 16 - fail_idx);
	CHECK_EQ(st[0], RTE_DMA_STATUS_PAGE_FAULT);
	for (i = 1; i < total; i++) {
		if (fence && fail_idx < 8 && fail_idx + i >= 8)
			CHECK_EQ(st[i], RTE_DMA_STATUS_NOT_ATTEMPTED);
		else
			CHECK_EQ(st[i], RTE_DMA_STATUS_SUCCESSFUL);
	}
	for (i = 0; i < total; i++)
		errors += st[i] != RTE_DMA_STATUS_SUCCESSFUL;
	CHECK_EQ(q.stats.errors - errs0, errors);
	CHECK_EQ(last, (uint16_t)(base + 15));
}

static void
test_failures(void)
{
	static const unsigned int fails[] = { 0, 7, 14, 15 };
	enum rte_dma_status_code st[16];
	unsigned int i, got, errors;
	uint16_t last;
	bool err;

	setup(512, 32, 16, 1 << 20);
	for (i = 0; i < RTE_DIM(fails); i++) {
		run_failure_burst(fails[i], false);
		run_failure_burst(fails[i], true);
	}
	/* Several failures, collected error by error with completed(). */
	for (i = 0; i < 16; i++)
		idxd_copy(&q, 0, (i == 0 || i == 7 || i == 14 || i == 15) ? 0 : va(src_buf),
			  va(dst_buf), 64, 0);
	idxd_submit(&q, 0);
	fake_run_all();
	got = errors = 0;
	while (got + errors < 16) {
		err = false;
		got += idxd_completed(&q, 0, 16, &last, &err);
		if (err) {
			CHECK_EQ(idxd_completed_status(&q, 0, 1, &last, st), 1);
			CHECK(st[0] != RTE_DMA_STATUS_SUCCESSFUL);
			errors++;
		}
	}
	CHECK_EQ(errors, 4);
	CHECK_EQ(got, 12);
	/* A failing single and a write fault. */
	idxd_copy(&q, 0, va(src_buf), 0, 64, RTE_DMA_OP_FLAG_SUBMIT);
	fake_run_all();
	err = false;
	CHECK_EQ(idxd_completed(&q, 0, 4, &last, &err), 0);
	CHECK(err);
	CHECK_EQ(idxd_completed_status(&q, 0, 4, &last, st), 1);
	CHECK_EQ(st[0], RTE_DMA_STATUS_PAGE_FAULT);
	CHECK_EQ(q.stats.submitted, q.stats.completed);
	teardown();
}

/* Submissions completing in reverse order are still reported in order. */
static void
test_out_of_order(void)
{
	uint16_t last;
	bool err = false;
	int i;

	setup(128, 8, 8, 1 << 20);
	for (i = 0; i < 5; i++) {
		idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, 0);
		idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	}
	for (i = 4; i >= 1; i--)
		fake_exec(i);
	CHECK_EQ(idxd_completed(&q, 0, 64, &last, &err), 0);
	fake_exec(0);
	CHECK_EQ(idxd_completed(&q, 0, 64, &last, &err), 10);
	CHECK_EQ(last, 9);
	teardown();
}

static void
test_shared_retry(void)
{
	struct idxd_queue_conf c = conf_of(64, 32, 8, 1 << 20);
	uint16_t last;
	bool err = false;

	c.shared = true;
	setup_conf(c);
	fake.refuse_enqcmd = 5;
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK_EQ(fake.n_log, 1);
	CHECK(fake.via_enqcmd[0]);
	CHECK_EQ(q.stats.enqcmd_retries, 5);
	/* Busy for longer than the PMD retries: held, sent later. */
	fake.refuse_enqcmd = 2 * IDXD_ENQCMD_RETRIES + 3;
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK_EQ(fake.n_log, 1);
	CHECK_EQ(q.stats.deferred, 1);
	CHECK(idxd_queue_busy(&q)); /* tried again: still refused */
	CHECK_EQ(fake.n_log, 1);
	fake_exec(0);
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1); /* and sends the held one */
	CHECK_EQ(fake.n_log, 2);
	CHECK_EQ(q.stats.enqcmd_retries, 5 + 2 * IDXD_ENQCMD_RETRIES + 3);
	CHECK_EQ(q.stats.deferred, 2);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK(!idxd_queue_busy(&q));
	teardown();
}

/* Records a broken or hostile device might write. */
static void
hostile_batch(uint8_t batch_status, uint32_t processed, int member, uint8_t mstatus,
	      uint32_t mbytes, uint64_t mfault, enum rte_dma_status_code want_first,
	      enum rte_dma_status_code want_member)
{
	enum rte_dma_status_code st[8];
	uint16_t first = q.next_id, last;
	unsigned int i, n;
	const struct idxd_hw_desc *b;

	for (i = 0; i < 4; i++)
		idxd_copy(&q, 0, va(src_buf), va(dst_buf + 64 * i), 64, 0);
	idxd_submit(&q, 0);
	b = &fake.log[fake.n_log - 1];
	fake.executed[fake.n_log - 1] = true;
	if (member >= 0)
		fake_write_cr(((const struct idxd_hw_desc *)(uintptr_t)b->desc_list)[member]
			      .completion_addr, mstatus, mbytes, mfault);
	fake_write_cr(b->completion_addr, batch_status, processed, 0);
	n = idxd_completed_status(&q, 0, 8, &last, st);
	CHECK_EQ(n, 4);
	CHECK_EQ(last, (uint16_t)(first + 3));
	CHECK_EQ(st[0], want_first);
	if (member >= 0)
		CHECK_EQ(st[member], want_member);
	for (i = 0; i < 4; i++)
		CHECK(st[i] == RTE_DMA_STATUS_SUCCESSFUL || st[i] == RTE_DMA_STATUS_NOT_ATTEMPTED ||
		      st[i] == RTE_DMA_STATUS_PAGE_FAULT || st[i] == RTE_DMA_STATUS_ERROR_UNKNOWN ||
		      st[i] == RTE_DMA_STATUS_INVALID_SRC_ADDR ||
		      st[i] == RTE_DMA_STATUS_INVALID_DST_ADDR ||
		      st[i] == RTE_DMA_STATUS_INVALID_OPCODE);
}

static void
test_hostile_records(void)
{
	enum rte_dma_status_code st[4];
	const struct idxd_hw_desc *d;
	uint64_t bad0;
	uint16_t last;
	bool err = false;

	setup(64, 8, 8, 1 << 20);
	fill_src();
	/* Garbage batch status: every job in it is reported failed. */
	hostile_batch(0x3f, 0, -1, 0, 0, 0, RTE_DMA_STATUS_ERROR_UNKNOWN, 0);
	/* "A member failed", yet none says so. */
	bad0 = q.stats.bad_records;
	hostile_batch(IDXD_ST_BATCH_FAIL, 4, -1, 0, 0, 0, RTE_DMA_STATUS_ERROR_UNKNOWN, 0);
	CHECK(q.stats.bad_records > bad0);
	/* Descriptors completed beyond the count is clamped. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 1000, 2, IDXD_ST_PAGE_FAULT, 0, va(src_buf),
		      RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_PAGE_FAULT);
	/* A fault at an address the descriptor never touches. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 4, 1, IDXD_ST_PAGE_FAULT, 0, 0xdead0000,
		      RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_ERROR_UNKNOWN);
	/* Bytes completed beyond the transfer size. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 4, 1, IDXD_ST_PAGE_FAULT, 64, va(src_buf),
		      RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_ERROR_UNKNOWN);
	/* A write fault on the destination, properly reported. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 4, 3, IDXD_ST_PAGE_FAULT | IDXD_CR_STATUS_WRITE, 8,
		      va(dst_buf + 192), RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_PAGE_FAULT);
	/* Page request refused: invalid source address. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 4, 0, IDXD_ST_PAGE_FAULT_PRS, 0, va(src_buf),
		      RTE_DMA_STATUS_INVALID_SRC_ADDR, RTE_DMA_STATUS_INVALID_SRC_ADDR);
	/* Fewer processed than the count, no member record: not attempted. */
	hostile_batch(IDXD_ST_BATCH_FAIL, 2, 1, IDXD_ST_INVALID_OPCODE, 0, 0,
		      RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_INVALID_OPCODE);
	/* A member "success" record (members report only failures) does not
	 * make an abandoned member successful.
	 */
	hostile_batch(IDXD_ST_BATCH_FAIL, 1, 2, IDXD_ST_SUCCESS, 0, 0,
		      RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_NOT_ATTEMPTED);
	/* Success claimed with a count that does not match. */
	hostile_batch(IDXD_ST_SUCCESS, 2, -1, 0, 0, 0, RTE_DMA_STATUS_SUCCESSFUL, 0);
	/* A batch status on a single descriptor; success with bytes left. */
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	d = &fake.log[fake.n_log - 1];
	fake.executed[fake.n_log - 1] = true;
	fake_write_cr(d->completion_addr, IDXD_ST_BATCH_FAIL, 0, 0);
	CHECK_EQ(idxd_completed_status(&q, 0, 4, &last, st), 1);
	CHECK_EQ(st[0], RTE_DMA_STATUS_ERROR_UNKNOWN);
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT);
	d = &fake.log[fake.n_log - 1];
	fake.executed[fake.n_log - 1] = true;
	fake_write_cr(d->completion_addr, IDXD_ST_SUCCESS, 17, 0);
	CHECK_EQ(idxd_completed(&q, 0, 4, &last, &err), 0);
	CHECK(err);
	CHECK_EQ(idxd_completed_status(&q, 0, 4, &last, st), 1);
	CHECK_EQ(st[0], RTE_DMA_STATUS_ERROR_UNKNOWN);
	/* Member records were cleared for the slots' next use. */
	for (unsigned int i = 0; i < 64 + 8; i++)
		CHECK_EQ(q.member_cr[i].status, 0);
	CHECK_EQ(q.stats.submitted, q.stats.completed);
	teardown();
}

/* Ids restart at 0 only when nothing is left to hand back. */
static void
test_rewind(void)
{
	uint16_t last;
	bool err = false;

	setup(64, 8, 8, 1 << 20);
	idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, 0);
	CHECK(!idxd_queue_rewind(&q)); /* open batch */
	idxd_queue_flush(&q);
	CHECK_EQ(fake.n_log, 1);
	CHECK(idxd_queue_busy(&q));
	CHECK(!idxd_queue_rewind(&q));
	fake_run_all();
	CHECK(!idxd_queue_busy(&q));
	CHECK(!idxd_queue_rewind(&q)); /* not handed back yet */
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK(idxd_queue_rewind(&q));
	CHECK_EQ(idxd_copy(&q, 0, va(src_buf), va(dst_buf), 64, RTE_DMA_OP_FLAG_SUBMIT), 0);
	fake_run_all();
	CHECK_EQ(idxd_completed(&q, 0, 8, &last, &err), 1);
	CHECK_EQ(last, 0);
	teardown();
}

static void
test_status_codes(void)
{
	CHECK_EQ(idxd_status_code(IDXD_ST_SUCCESS), RTE_DMA_STATUS_SUCCESSFUL);
	CHECK_EQ(idxd_status_code(IDXD_ST_PAGE_FAULT), RTE_DMA_STATUS_PAGE_FAULT);
	CHECK_EQ(idxd_status_code(IDXD_ST_PAGE_FAULT | IDXD_CR_STATUS_WRITE),
		 RTE_DMA_STATUS_PAGE_FAULT);
	CHECK_EQ(idxd_status_code(IDXD_ST_PAGE_FAULT_PRS | IDXD_CR_STATUS_WRITE),
		 RTE_DMA_STATUS_INVALID_DST_ADDR);
	CHECK_EQ(idxd_status_code(IDXD_ST_INVALID_OPCODE), RTE_DMA_STATUS_INVALID_OPCODE);
	CHECK_EQ(idxd_status_code(IDXD_ST_INVALID_SIZE), RTE_DMA_STATUS_INVALID_LENGTH);
	CHECK_EQ(idxd_status_code(IDXD_ST_HW_READ_ERROR), RTE_DMA_STATUS_BUS_READ_ERROR);
	CHECK_EQ(idxd_status_code(IDXD_ST_BATCH_LIST_FAULT),
		 RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR);
	CHECK_EQ(idxd_status_code(0x2f), RTE_DMA_STATUS_ERROR_UNKNOWN);
	CHECK_EQ(idxd_status_code(0), RTE_DMA_STATUS_ERROR_UNKNOWN);
}

int
main(void)
{
	RUN(test_init_limits);
	RUN(test_status_codes);
	RUN(test_descriptor_layout);
	RUN(test_single_descriptor);
	RUN(test_ring_wrap);
	RUN(test_auto_submit);
	RUN(test_wq_never_full);
	RUN(test_batch_limits);
	RUN(test_split_transfer);
	RUN(test_copy_sg);
	RUN(test_fill_split_pattern);
	RUN(test_fence);
	RUN(test_failures);
	RUN(test_out_of_order);
	RUN(test_shared_retry);
	RUN(test_hostile_records);
	RUN(test_rewind);
	return unit_summary();
}
