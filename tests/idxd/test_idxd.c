/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test-idxd: behaviour tests of the idxd PMD through the dmadev API, on the
 * DSA model (simrun --dsa ...). Each case names the model options it needs
 * (tests/meson.build passes them); the EAL loads the PMD with -d.
 *
 *   test-idxd <EAL args> -- <case> [args]
 *
 * A case prints one line per failed check and "PASS <case>" or
 * "FAIL <case>"; the exit status says the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_random.h>

static unsigned int checks_failed, checks_passed;

#define CHECK(cond, ...) do {                                          \
	if (cond) {                                                    \
		checks_passed++;                                       \
	} else {                                                       \
		checks_failed++;                                       \
		printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond); \
		printf(__VA_ARGS__);                                   \
		printf("\n");                                          \
	}                                                              \
} while (0)

#define BUF_SIZE (4u << 20)

static int16_t dev = -1;
static uint8_t *src, *dst;
static rte_iova_t src_iova, dst_iova;

/* ---- helpers ---- */

static int
setup(uint16_t nb_desc)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf qconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM, .nb_desc = nb_desc,
	};

	if (rte_dma_configure(dev, &conf) != 0 || rte_dma_vchan_setup(dev, 0, &qconf) != 0 ||
	    rte_dma_start(dev) != 0) {
		printf("cannot set up dmadev %d with %u descriptors\n", dev, nb_desc);
		return -1;
	}
	return 0;
}

static void
fill_random(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = rte_rand();

		memcpy(p + i, &r, 8);
	}
	for (; i < len; i++)
		p[i] = rte_rand();
}

/* Collect n jobs (statuses into st if not NULL), waiting up to 5 s.
 * Returns how many came back.
 */
static unsigned int
collect(unsigned int n, enum rte_dma_status_code *st, uint16_t *last)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	enum rte_dma_status_code tmp[64];
	unsigned int got = 0;

	while (got < n && rte_get_timer_cycles() < end) {
		uint16_t want = RTE_MIN(n - got, 64u);
		uint16_t k = rte_dma_completed_status(dev, 0, want, last, tmp);

		if (st != NULL)
			memcpy(&st[got], tmp, k * sizeof(*tmp));
		got += k;
		if (k == 0)
			rte_delay_us_sleep(20);
	}
	return got;
}

/* Text of rte_dma_dump(). */
static void
dump_text(char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (f == NULL)
		return;
	rte_dma_dump(dev, f);
	fclose(f);
}

static uint64_t
dump_counter(const char *name)
{
	char buf[4096], *p;

	dump_text(buf, sizeof(buf));
	p = strstr(buf, name);
	return p == NULL ? UINT64_MAX : strtoull(p + strlen(name), NULL, 10);
}

/* Enqueue a copy; while the ring is full (-ENOSPC), collect completed
 * jobs (successful ones, counted in *collected) to make room.
 */
static int
enqueue_copy(uint64_t s, uint64_t d, uint32_t len, uint64_t flags,
	     unsigned int *collected)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	int id;

	while ((id = rte_dma_copy(dev, 0, s, d, len, flags)) == -ENOSPC &&
	       rte_get_timer_cycles() < end) {
		uint16_t n = rte_dma_completed(dev, 0, 64, NULL, NULL);

		*collected += n;
		if (n == 0)
			rte_delay_us_sleep(10);
	}
	return id;
}

/* ---- cases ---- */

/* A shared WQ whose threshold is below what the PMD keeps in flight: the
 * model answers ENQCMD with "retry", and nothing is lost.
 */
static void
case_shared_retry(void)
{
	enum rte_dma_status_code st[64];
	unsigned int i, k, done = 0, total = 4000, bad = 0;
	uint16_t last;

	CHECK(setup(512) == 0, "setup");
	fill_random(src, 64 * 1024);
	for (i = 0; i < total; i += 16) {
		for (k = 0; k < 16; k++) {
			unsigned int j = (i + k) % 1024;

			CHECK(rte_dma_copy(dev, 0, src_iova + j * 64, dst_iova + j * 64, 64, 0) ==
			      (uint16_t)(i + k), "job %u", i + k);
		}
		rte_dma_submit(dev, 0);
		/* Keep a few bursts in flight. */
		while (i + 16 - done > 64) {
			uint16_t n = rte_dma_completed_status(dev, 0, 64, &last, st);

			for (k = 0; k < n; k++)
				bad += st[k] != RTE_DMA_STATUS_SUCCESSFUL;
			done += n;
		}
	}
	done += collect(total - done, NULL, &last);
	CHECK(done == total, "%u of %u jobs completed", done, total);
	CHECK(bad == 0, "%u jobs failed", bad);
	CHECK(memcmp(src, dst, 64 * 1024) == 0, "data");
	CHECK(dump_counter("ENQCMD retries ") > 0 && dump_counter("ENQCMD retries ") != UINT64_MAX,
	      "no ENQCMD retry seen (%" PRIu64 ")", dump_counter("ENQCMD retries "));
	printf("ENQCMD retries: %" PRIu64 ", submissions deferred: %" PRIu64 "\n",
	       dump_counter("ENQCMD retries "), dump_counter("deferred "));
}

/* Whether the model's SWERROR (sysfs dsa0/errors) is clear. */
static bool
swerror_clear(void)
{
	char buf[256];
	FILE *f = fopen("/sys/bus/dsa/devices/dsa0/errors", "r");
	size_t n;
	bool clear = true;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] >= '1' && buf[i] <= '9')
			clear = false;
	if (!clear)
		printf("dsa0/errors: %s", buf);
	return clear;
}

/* A dedicated WQ of 4 entries with a slow device: the PMD refuses work
 * rather than overflow the WQ (which would drop descriptors silently).
 */
static void
case_wq_full(void)
{
	unsigned int accepted = 0, i, done = 0, total = 3000;
	uint16_t last;
	int id;

	CHECK(setup(256) == 0, "setup");
	fill_random(src, 256 * 1024);
	for (i = 0; i < 64; i++) {
		id = rte_dma_copy(dev, 0, src_iova + i * 64, dst_iova + i * 64, 64,
				  RTE_DMA_OP_FLAG_SUBMIT);
		if (id < 0) {
			CHECK(id == -ENOSPC, "copy %u: %d", i, id);
			break;
		}
		accepted++;
	}
	CHECK(accepted == 4, "%u single submissions accepted with a WQ of 4", accepted);
	CHECK(rte_dma_burst_capacity(dev, 0) == 0, "capacity %u",
	      rte_dma_burst_capacity(dev, 0));
	done = collect(accepted, NULL, &last);
	CHECK(done == accepted, "%u of %u", done, accepted);
	/* Random bursts as fast as the PMD takes them. */
	for (i = accepted, done = accepted; i < total;) {
		unsigned int burst = 1 + rte_rand() % 48, k;

		for (k = 0; k < burst && i < total; k++, i++) {
			unsigned int j = i % 4096;

			id = rte_dma_copy(dev, 0, src_iova + j * 64, dst_iova + j * 64, 64, 0);
			if (id == -ENOSPC)
				break;
			CHECK(id == (uint16_t)i, "id %d for job %u", id, i);
		}
		rte_dma_submit(dev, 0);
		done += rte_dma_completed(dev, 0, 64, &last, NULL);
	}
	done += collect(total - done, NULL, &last);
	CHECK(done == total, "%u of %u jobs completed", done, total);
	CHECK(memcmp(src, dst, total * 64) == 0, "data");
	CHECK(swerror_clear(), "the device logged a software error (WQ overflow?)");
}

/* Batches of exactly the WQ's max batch size, one more, and singles. */
static void
case_batch_limits(void)
{
	static const unsigned int bursts[] = { 16, 17, 32, 1, 2, 15, 16, 48, 33 };
	enum rte_dma_status_code st[64];
	unsigned int b, k, id = 0, failed = 0;
	uint64_t batches0, singles0;
	uint16_t last;

	CHECK(setup(512) == 0, "setup");
	fill_random(src, 64 * 1024);
	batches0 = dump_counter("batches ");
	singles0 = dump_counter("singles ");
	for (b = 0; b < RTE_DIM(bursts); b++) {
		unsigned int got;

		memset(dst, 0, 64 * 1024);
		for (k = 0; k < bursts[b]; k++, id++)
			CHECK(rte_dma_copy(dev, 0, src_iova + k * 1024, dst_iova + k * 1024,
					   1024, 0) == (int)(uint16_t)id, "burst %u job %u", b, k);
		rte_dma_submit(dev, 0);
		got = collect(bursts[b], st, &last);
		CHECK(got == bursts[b], "burst %u: %u of %u", bursts[b], got, bursts[b]);
		for (k = 0; k < got; k++)
			failed += st[k] != RTE_DMA_STATUS_SUCCESSFUL;
		CHECK(memcmp(src, dst, bursts[b] * 1024) == 0, "burst %u data", bursts[b]);
	}
	CHECK(failed == 0, "%u jobs failed", failed);
	/* 16 16 32 1 2 15 16 48 33 with batches of at most 16 */
	printf("batches %" PRIu64 ", singles %" PRIu64 "\n",
	       dump_counter("batches ") - batches0, dump_counter("singles ") - singles0);
	CHECK(dump_counter("batches ") - batches0 == 1 + 1 + 2 + 0 + 1 + 1 + 1 + 3 + 2,
	      "batches");
	CHECK(dump_counter("singles ") - singles0 == 1 + 1 + 1, "singles");
}

/* A WQ with a 4 KiB max transfer size: longer copies and fills are split
 * into one job; what would not fit in one batch is refused.
 */
static void
case_max_transfer(void)
{
	static const uint32_t sizes[] = { 4096, 4097, 10000, 65536, 1, 8191 };
	const uint64_t pattern = 0x1122334455667788ull;
	enum rte_dma_status_code st[8];
	struct rte_dma_sge s[3], d[2];
	unsigned int i, j;
	uint16_t last;
	int id;

	CHECK(setup(256) == 0, "setup");
	fill_random(src, 1 << 20);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		memset(dst, 0, sizes[i] + 64);
		id = rte_dma_copy(dev, 0, src_iova + 3, dst_iova + 5, sizes[i],
				  RTE_DMA_OP_FLAG_SUBMIT);
		CHECK(id >= 0, "copy of %u: %d", sizes[i], id);
		CHECK(collect(1, st, &last) == 1 && st[0] == RTE_DMA_STATUS_SUCCESSFUL,
		      "copy of %u did not complete", sizes[i]);
		CHECK(memcmp(src + 3, dst + 5, sizes[i]) == 0 && dst[5 + sizes[i]] == 0,
		      "copy of %u: data", sizes[i]);
	}
	/* 17 pieces of 4 KiB: more than a batch of 16 holds. */
	CHECK(rte_dma_copy(dev, 0, src_iova, dst_iova, 16 * 4096 + 1, 0) == -EINVAL,
	      "oversized copy not refused");
	memset(dst, 0, 30000);
	id = rte_dma_fill(dev, 0, pattern, dst_iova + 3, 20000, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK(id >= 0, "fill %d", id);
	CHECK(collect(1, st, &last) == 1 && st[0] == RTE_DMA_STATUS_SUCCESSFUL, "fill");
	for (j = 0; j < 20000; j++)
		if (dst[3 + j] != (uint8_t)(pattern >> (8 * (j % 8))))
			break;
	CHECK(j == 20000 && dst[20003] == 0, "fill data wrong at %u", j);
	/* Scatter-gather with segments longer than a transfer. */
	s[0] = (struct rte_dma_sge){ .addr = src_iova, .length = 5000 };
	s[1] = (struct rte_dma_sge){ .addr = src_iova + 100000, .length = 7 };
	s[2] = (struct rte_dma_sge){ .addr = src_iova + 200000, .length = 9000 };
	d[0] = (struct rte_dma_sge){ .addr = dst_iova, .length = 6000 };
	d[1] = (struct rte_dma_sge){ .addr = dst_iova + 300000, .length = 8007 };
	memset(dst, 0, 400000);
	id = rte_dma_copy_sg(dev, 0, s, d, 3, 2, RTE_DMA_OP_FLAG_SUBMIT);
	CHECK(id >= 0, "copy_sg %d", id);
	CHECK(collect(1, st, &last) == 1 && st[0] == RTE_DMA_STATUS_SUCCESSFUL, "copy_sg");
	CHECK(memcmp(dst, src, 5000) == 0 && memcmp(dst + 5000, src + 100000, 7) == 0 &&
	      memcmp(dst + 5007, src + 200000, 993) == 0 &&
	      memcmp(dst + 300000, src + 200993, 8007) == 0, "copy_sg data");
}

/* With a device that completes out of order, a chain of fenced copies
 * still runs in order, within a burst and across submissions.
 */
static void
case_fence(void)
{
	const unsigned int len = 4096, hops = 40;
	enum rte_dma_status_code st[64];
	unsigned int round, h, bad = 0;
	uint16_t last;

	CHECK(setup(256) == 0, "setup");
	for (round = 0; round < 20; round++) {
		fill_random(src, len);
		memset(dst, 0, (hops + 1) * len);
		/* src -> hop 0 -> hop 1 -> ...: each copy reads what the one
		 * before wrote; submitted in groups of 1..7.
		 */
		CHECK(rte_dma_copy(dev, 0, src_iova, dst_iova, len, 0) >= 0, "first");
		for (h = 1; h < hops; h++) {
			uint64_t flags = RTE_DMA_OP_FLAG_FENCE;

			if (rte_rand() % 4 == 0)
				flags |= RTE_DMA_OP_FLAG_SUBMIT;
			CHECK(rte_dma_copy(dev, 0, dst_iova + (h - 1) * len, dst_iova + h * len,
					   len, flags) >= 0, "hop %u", h);
		}
		rte_dma_submit(dev, 0);
		CHECK(collect(hops, st, &last) == hops, "round %u", round);
		for (h = 0; h < hops; h++)
			bad += st[h] != RTE_DMA_STATUS_SUCCESSFUL;
		CHECK(memcmp(src, dst + (hops - 1) * len, len) == 0,
		      "round %u: the chain lost its order", round);
	}
	CHECK(bad == 0, "%u hops failed", bad);
}

/* Completion order scrambled by the device: ids come back in order. */
static void
case_out_of_order(void)
{
	unsigned int i, k, issued = 0, done = 0, total = 5000;
	uint16_t last = 0;
	bool err = false;
	int id;

	CHECK(setup(1024) == 0, "setup");
	fill_random(src, 1 << 20);
	while (done < total) {
		if (issued < total && issued - done < 512) {
			unsigned int burst = 1 + rte_rand() % 32;

			for (k = 0; k < burst && issued < total; k++, issued++) {
				i = issued % 1024;
				id = enqueue_copy(src_iova + i * 1024, dst_iova + i * 1024,
						  1024, 0, &done);
				CHECK(id == (int)(uint16_t)issued, "job %u", issued);
			}
			rte_dma_submit(dev, 0);
		}
		k = rte_dma_completed(dev, 0, 1 + rte_rand() % 40, &last, &err);
		if (k > 0)
			CHECK(last == (uint16_t)(done + k - 1), "last %u after %u", last, done + k);
		done += k;
		CHECK(!err, "error at %u", done);
		if (err)
			break;
	}
	CHECK(memcmp(src, dst, 1 << 20) == 0, "data");
}

/* The model page-faults on one page (fault=0x6f0000010000+0x1000): jobs
 * touching it report RTE_DMA_STATUS_PAGE_FAULT, the others succeed.
 */
#define FAULT_BASE 0x6f0000000000ull
#define FAULT_PAGE (FAULT_BASE + 0x10000)

static void
case_page_fault(void)
{
	enum rte_dma_status_code st[16];
	uint8_t *area;
	unsigned int i, n;
	uint16_t last;
	bool err = false;
	struct rte_dma_stats stats;

	area = mmap((void *)FAULT_BASE, 0x40000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(area == (void *)FAULT_BASE, "cannot map the test area");
	if (area != (void *)FAULT_BASE)
		return;
	memset(area, 0x5a, 0x40000);
	CHECK(setup(256) == 0, "setup");
	/* A burst of 16: job 5 reads from the faulting page, job 11 writes
	 * into it; the rest copy between good pages.
	 */
	for (i = 0; i < 16; i++) {
		uint64_t s = FAULT_BASE + i * 256, d = FAULT_BASE + 0x20000 + i * 256;

		if (i == 5)
			s = FAULT_PAGE + 0x80;
		if (i == 11)
			d = FAULT_PAGE + 0x800;
		CHECK(rte_dma_copy(dev, 0, s, d, 256, 0) == (int)i, "job %u", i);
	}
	rte_dma_submit(dev, 0);
	rte_delay_us_sleep(20000);
	n = rte_dma_completed(dev, 0, 16, &last, &err);
	CHECK(n == 5 && err && last == 4, "completed %u, error %d, last %u", n, err, last);
	CHECK(rte_dma_completed(dev, 0, 16, &last, &err) == 0 && err && last == 4,
	      "completed() went past the failure");
	n = collect(11, st, &last);
	CHECK(n == 11, "%u statuses", n);
	for (i = 0; i < n; i++) {
		enum rte_dma_status_code want = (i == 0 || i == 6) ?
			RTE_DMA_STATUS_PAGE_FAULT : RTE_DMA_STATUS_SUCCESSFUL;

		CHECK(st[i] == want, "job %u: status %d, want %d", i + 5, st[i], want);
	}
	rte_dma_stats_get(dev, 0, &stats);
	CHECK(stats.errors == 2 && stats.completed == 16 && stats.submitted == 16,
	      "stats %" PRIu64 "/%" PRIu64 "/%" PRIu64, stats.submitted, stats.completed,
	      stats.errors);
	/* A lone faulting job, and one that faults in a fill. */
	CHECK(rte_dma_copy(dev, 0, FAULT_PAGE, FAULT_BASE, 64, RTE_DMA_OP_FLAG_SUBMIT) == 16,
	      "single");
	CHECK(rte_dma_fill(dev, 0, 7, FAULT_PAGE + 0xff0, 64, RTE_DMA_OP_FLAG_SUBMIT) == 17,
	      "fill");
	CHECK(collect(2, st, &last) == 2 && st[0] == RTE_DMA_STATUS_PAGE_FAULT &&
	      st[1] == RTE_DMA_STATUS_PAGE_FAULT, "statuses %d %d", st[0], st[1]);
	for (i = 0; i < 16; i++)
		if (i != 5 && i != 11)
			CHECK(area[0x20000 + i * 256] == 0x5a, "job %u data", i);
	munmap(area, 0x40000);
}

/* Every 7th descriptor the model executes fails with an invalid opcode:
 * every failure is reported, never silently dropped.
 */
static void
case_invalid(void)
{
	enum rte_dma_status_code st[64];
	unsigned int i, k, got, failed = 0, other = 0, total = 700;
	uint16_t last;

	CHECK(setup(256) == 0, "setup");
	for (i = 0; i < total; i += 10) {
		for (k = 0; k < 10; k++)
			CHECK(rte_dma_copy(dev, 0, src_iova + k * 64, dst_iova + k * 64, 64,
					   0) >= 0, "copy");
		rte_dma_submit(dev, 0);
		got = collect(10, st, &last);
		CHECK(got == 10, "%u of 10", got);
		for (k = 0; k < got; k++) {
			failed += st[k] != RTE_DMA_STATUS_SUCCESSFUL;
			other += st[k] != RTE_DMA_STATUS_SUCCESSFUL &&
				 st[k] != RTE_DMA_STATUS_INVALID_OPCODE;
		}
	}
	printf("%u of %u jobs failed\n", failed, total);
	CHECK(failed >= total / 10, "%u failures", failed);
	CHECK(other == 0, "%u failures with another status", other);
}

/* Stop with jobs in flight: stop waits for them; nothing is lost; ids
 * restart at 0 only once everything was collected; reconfiguration after
 * a stop with work outstanding is safe.
 */
static void
case_stop_start(void)
{
	struct rte_dma_vchan_conf qconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM, .nb_desc = 128,
	};
	enum rte_dma_status_code st[128];
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	unsigned int i, got, bad = 0;
	uint64_t t0;
	uint16_t last;

	CHECK(setup(256) == 0, "setup");
	fill_random(src, 1 << 20);
	for (i = 0; i < 64; i++) {
		uint64_t flags = i % 16 == 15 ? RTE_DMA_OP_FLAG_SUBMIT : 0;

		CHECK(rte_dma_copy(dev, 0, src_iova + i * 4096, dst_iova + i * 4096, 4096,
				   flags) == (int)i, "job %u", i);
	}
	/* 8 more enqueued, never submitted: stop sends them too. */
	for (; i < 72; i++)
		CHECK(rte_dma_copy(dev, 0, src_iova + i * 4096, dst_iova + i * 4096, 4096, 0) ==
		      (int)i, "job %u", i);
	t0 = rte_get_timer_cycles();
	CHECK(rte_dma_stop(dev) == 0, "stop");
	printf("stop took %.1f ms\n",
	       (double)(rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz());
	/* The device finished everything before stop returned. */
	CHECK(memcmp(src, dst, 72 * 4096) == 0, "data after stop");
	CHECK(rte_dma_start(dev) == 0, "restart");
	got = collect(72, st, &last);
	for (i = 0; i < got; i++)
		bad += st[i] != RTE_DMA_STATUS_SUCCESSFUL;
	CHECK(got == 72 && bad == 0 && last == 71, "after restart: %u back, %u bad, last %u",
	      got, bad, last);
	/* All collected: ids restart at 0 after stop/start. */
	CHECK(rte_dma_stop(dev) == 0 && rte_dma_start(dev) == 0, "stop/start");
	CHECK(rte_dma_copy(dev, 0, src_iova, dst_iova, 64, RTE_DMA_OP_FLAG_SUBMIT) == 0,
	      "id did not restart");
	CHECK(collect(1, NULL, &last) == 1, "job 0");

	/* Stop with jobs in flight and uncollected, then reconfigure. */
	memset(dst, 0, 1 << 20);
	for (i = 0; i < 48; i++)
		rte_dma_copy(dev, 0, src_iova + i * 4096, dst_iova + i * 4096, 4096,
			     i % 8 == 7 ? RTE_DMA_OP_FLAG_SUBMIT : 0);
	CHECK(rte_dma_stop(dev) == 0, "stop 2");
	CHECK(memcmp(src, dst, 48 * 4096) == 0, "data after stop 2");
	CHECK(rte_dma_configure(dev, &conf) == 0 && rte_dma_vchan_setup(dev, 0, &qconf) == 0 &&
	      rte_dma_start(dev) == 0, "reconfigure");
	CHECK(rte_dma_burst_capacity(dev, 0) == 128, "capacity %u",
	      rte_dma_burst_capacity(dev, 0));
	for (i = 0, got = 0; i < 100; i++) {
		CHECK(enqueue_copy(src_iova + i * 64, dst_iova + 0x80000 + i * 64, 64,
				   RTE_DMA_OP_FLAG_SUBMIT, &got) == (int)i,
		      "job %u after reconfigure", i);
		got += rte_dma_completed(dev, 0, 64, &last, NULL);
	}
	got += collect(100 - got, NULL, &last);
	CHECK(got == 100 && last == 99, "after reconfigure: %u, last %u", got, last);
	CHECK(memcmp(src, dst + 0x80000, 6400) == 0, "data after reconfigure");
}

/* How many dmadevs were probed, and which names. */
static void
case_probe(int argc, char **argv)
{
	unsigned int want = argc > 0 ? atoi(argv[0]) : 0, n = 0;
	struct rte_dma_info info;
	int16_t id;
	int i;

	RTE_DMA_FOREACH_DEV(id) {
		rte_dma_info_get(id, &info);
		printf("dmadev %d: %s\n", id, info.dev_name);
		for (i = 1; i < argc; i++)
			if (strcmp(argv[i], info.dev_name) == 0)
				break;
		CHECK(argc <= 1 || i < argc, "unexpected device %s", info.dev_name);
		n++;
	}
	CHECK(n == want, "%u devices, want %u", n, want);
	if (n > 0) {
		dev = rte_dma_next_dev(0);
		CHECK(setup(64) == 0, "setup");
		CHECK(rte_dma_copy(dev, 0, src_iova, dst_iova, 64, RTE_DMA_OP_FLAG_SUBMIT) == 0,
		      "copy");
		CHECK(collect(1, NULL, NULL) == 1, "copy completed");
	}
}

int
main(int argc, char **argv)
{
	const char *name;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (argc >= 2 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc < 2) {
		printf("usage: test-idxd <EAL> -- <case> [args]\n");
		return 2;
	}
	name = argv[1];
	src = rte_malloc(NULL, BUF_SIZE, 4096);
	dst = rte_malloc(NULL, BUF_SIZE, 4096);
	if (src == NULL || dst == NULL) {
		printf("out of memory\n");
		return 1;
	}
	src_iova = rte_malloc_virt2iova(src);
	dst_iova = rte_malloc_virt2iova(dst);
	memset(dst, 0, BUF_SIZE);

	if (strcmp(name, "probe") == 0) {
		case_probe(argc - 2, argv + 2);
	} else {
		dev = rte_dma_next_dev(0);
		if (dev < 0) {
			printf("no dmadev\n");
			return 1;
		}
		if (strcmp(name, "shared-retry") == 0)
			case_shared_retry();
		else if (strcmp(name, "wq-full") == 0)
			case_wq_full();
		else if (strcmp(name, "batch-limits") == 0)
			case_batch_limits();
		else if (strcmp(name, "max-transfer") == 0)
			case_max_transfer();
		else if (strcmp(name, "fence") == 0)
			case_fence();
		else if (strcmp(name, "out-of-order") == 0)
			case_out_of_order();
		else if (strcmp(name, "page-fault") == 0)
			case_page_fault();
		else if (strcmp(name, "invalid") == 0)
			case_invalid();
		else if (strcmp(name, "stop-start") == 0)
			case_stop_start();
		else {
			printf("unknown case %s\n", name);
			return 2;
		}
	}
	if (dev >= 0) {
		rte_dma_stop(dev);
		rte_dma_close(dev);
	}
	rte_free(src);
	rte_free(dst);
	rte_eal_cleanup();
	printf("%s %s (%u checks, %u failed)\n", checks_failed ? "FAIL" : "PASS", name,
	       checks_passed + checks_failed, checks_failed);
	return checks_failed ? 1 : 0;
}
