/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idxd-bench: copy throughput and fast-path cost of a dmadev, built against
 * any DPDK 22.11 (udrv's SDK or Debian's), so both idxd PMDs run the same
 * code on the same device.
 *
 *   idxd-bench <EAL args> -- [--dev NAME] [--sizes 64,...] [--bursts 1,...]
 *                            [--ops N] [--callgrind]
 *
 * Throughput mode keeps several bursts in flight and reports operations per
 * second for each copy size and burst. Callgrind mode (run under
 * valgrind --tool=callgrind --collect-atstart=no --toggle-collect=bench_*)
 * does one burst at a time: enqueue, submit, wait for the device without
 * calling the PMD, then one completed() call; it dumps the counters after
 * each (size, burst) so the per-operation instructions of enqueue + submit
 * + completed can be read per configuration. Only the bench_* wrappers and
 * what they call are counted.
 *
 * Every configuration ends with a data check of the last copies.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define MAX_SIZE   (64 * 1024)
#define SLOTS      64
#define MAX_LIST   16

static int16_t dev_id = -1;
static uint16_t nb_desc;

/* The counted calls: one function each, never inlined, so callgrind can
 * toggle collection on them by name whatever the PMD's symbols are.
 */
__attribute__((noinline)) int
bench_copy(rte_iova_t src, rte_iova_t dst, uint32_t len)
{
	return rte_dma_copy(dev_id, 0, src, dst, len, 0);
}

__attribute__((noinline)) int
bench_submit(void)
{
	return rte_dma_submit(dev_id, 0);
}

__attribute__((noinline)) uint16_t
bench_completed(uint16_t max, bool *err)
{
	return rte_dma_completed(dev_id, 0, max, NULL, err);
}

static int
parse_list(const char *s, unsigned int *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s != '\0' && n < max) {
		out[n++] = strtoul(s, &end, 0);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int
wait_idle(void)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	enum rte_dma_vchan_status st = RTE_DMA_VCHAN_ACTIVE;

	while (rte_get_timer_cycles() < end) {
		if (rte_dma_vchan_status(dev_id, 0, &st) < 0) {
			rte_delay_us_sleep(100);
			return 0;
		}
		if (st != RTE_DMA_VCHAN_ACTIVE)
			return 0;
		rte_pause();
	}
	return -ETIMEDOUT;
}

struct result {
	uint64_t ops;
	double secs;
	bool data_ok;
};

static int
run_one(uint8_t *src, uint8_t *dst, rte_iova_t src_iova, rte_iova_t dst_iova,
	unsigned int size, unsigned int burst, uint64_t ops, bool callgrind,
	struct result *res)
{
	uint64_t done = 0, issued = 0, start, i;
	unsigned int window = RTE_MIN(nb_desc / 2u, burst * 8);
	uint64_t inflight = 0;
	bool err = false;
	char label[64];
	unsigned int k;

	window = RTE_MAX(window, burst);
	memset(dst, 0, (size_t)SLOTS * size);
	for (k = 0; k < SLOTS * size; k++)
		src[k] = (uint8_t)(k * 131 + size + burst);

	if (callgrind) {
		CALLGRIND_ZERO_STATS;
		for (issued = 0; issued < ops; issued += burst) {
			for (k = 0; k < burst; k++) {
				unsigned int slot = (issued + k) % SLOTS;

				if (bench_copy(src_iova + (uint64_t)slot * size,
					       dst_iova + (uint64_t)slot * size, size) < 0)
					return -ENOSPC;
			}
			bench_submit();
			if (wait_idle() < 0)
				return -ETIMEDOUT;
			done += bench_completed(burst, &err);
			if (err)
				return -EIO;
		}
		snprintf(label, sizeof(label), "size=%u,burst=%u,ops=%" PRIu64, size, burst, done);
		CALLGRIND_DUMP_STATS_AT(label);
		start = 0;
	} else {
		start = rte_get_timer_cycles();
		while (done < ops) {
			if (issued < ops && inflight + burst <= window) {
				for (k = 0; k < burst; k++) {
					unsigned int slot = (issued + k) % SLOTS;

					if (bench_copy(src_iova + (uint64_t)slot * size,
						       dst_iova + (uint64_t)slot * size, size) < 0)
						break;
				}
				if (k > 0)
					bench_submit();
				issued += k;
				inflight += k;
			}
			i = bench_completed(RTE_MIN(burst * 2, 256u), &err);
			if (err)
				return -EIO;
			done += i;
			inflight -= i;
		}
	}
	res->ops = done;
	res->secs = callgrind ? 0 :
		(double)(rte_get_timer_cycles() - start) / rte_get_timer_hz();
	res->data_ok = memcmp(src, dst, (size_t)RTE_MIN(ops, (uint64_t)SLOTS) * size) == 0;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int sizes[MAX_LIST] = { 64, 256, 1024, 4096, 16384, 65536 };
	unsigned int bursts[MAX_LIST] = { 1, 8, 32, 64 };
	unsigned int nb_sizes = 6, nb_bursts = 4, s, b;
	const char *dev_name = NULL;
	uint64_t ops = 20000;
	bool callgrind = false;
	struct rte_dma_info info;
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf qconf = { .direction = RTE_DMA_DIR_MEM_TO_MEM };
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "bursts", required_argument, NULL, 'b' },
		{ "ops", required_argument, NULL, 'o' },
		{ "callgrind", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t *src, *dst;
	int ret, opt, failures = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "idxd-bench: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dev_name = optarg; break;
		case 's': nb_sizes = parse_list(optarg, sizes, MAX_LIST); break;
		case 'b': nb_bursts = parse_list(optarg, bursts, MAX_LIST); break;
		case 'o': ops = strtoull(optarg, NULL, 0); break;
		case 'c': callgrind = true; break;
		default:
			fprintf(stderr, "usage: idxd-bench <EAL> -- [--dev NAME] [--sizes L] "
				"[--bursts L] [--ops N] [--callgrind]\n");
			return 2;
		}
	}
	if (dev_name != NULL)
		dev_id = rte_dma_get_dev_id_by_name(dev_name);
	else if (rte_dma_count_avail() > 0)
		dev_id = rte_dma_next_dev(0);
	if (dev_id < 0 || rte_dma_info_get(dev_id, &info) != 0) {
		fprintf(stderr, "idxd-bench: no dmadev%s%s\n", dev_name ? " named " : "",
			dev_name ? dev_name : "");
		return 1;
	}
	nb_desc = RTE_MIN(info.max_desc, 1024);
	qconf.nb_desc = nb_desc;
	if (rte_dma_configure(dev_id, &conf) != 0 ||
	    rte_dma_vchan_setup(dev_id, 0, &qconf) != 0 || rte_dma_start(dev_id) != 0) {
		fprintf(stderr, "idxd-bench: cannot set up %s\n", info.dev_name);
		return 1;
	}
	src = rte_malloc(NULL, (size_t)SLOTS * MAX_SIZE, 4096);
	dst = rte_malloc(NULL, (size_t)SLOTS * MAX_SIZE, 4096);
	if (src == NULL || dst == NULL) {
		fprintf(stderr, "idxd-bench: out of memory\n");
		return 1;
	}
	printf("# device %s, ring %u, mode %s\n", info.dev_name, nb_desc,
	       callgrind ? "callgrind" : "throughput");
	printf("# size burst ops seconds ops_per_sec data\n");
	for (s = 0; s < nb_sizes; s++) {
		for (b = 0; b < nb_bursts; b++) {
			struct result res;

			if (sizes[s] == 0 || sizes[s] > MAX_SIZE || bursts[b] == 0 ||
			    bursts[b] > nb_desc / 2)
				continue;
			ret = run_one(src, dst, rte_malloc_virt2iova(src),
				      rte_malloc_virt2iova(dst), sizes[s], bursts[b],
				      ops, callgrind, &res);
			if (ret < 0) {
				printf("%u %u error %s\n", sizes[s], bursts[b], strerror(-ret));
				failures++;
				continue;
			}
			printf("%u %u %" PRIu64 " %.6f %.0f %s\n", sizes[s], bursts[b], res.ops,
			       res.secs, res.secs > 0 ? res.ops / res.secs : 0.0,
			       res.data_ok ? "ok" : "BAD");
			failures += !res.data_ok;
			fflush(stdout);
		}
	}
	rte_dma_stop(dev_id);
	rte_dma_close(dev_id);
	rte_free(src);
	rte_free(dst);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
