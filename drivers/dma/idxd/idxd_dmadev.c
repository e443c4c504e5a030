/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dmadev side of the idxd PMD, common to both ways of reaching a work
 * queue: device info, configuration, the ring's life cycle, stop with jobs
 * in flight, statistics and dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "idxd_internal.h"

RTE_LOG_REGISTER_SUFFIX(idxd_logtype, idxd, NOTICE);

/* How long stop waits for jobs in flight before it gives up on them. */
#define IDXD_DRAIN_TIMEOUT_MS 3000

/* The WQ can keep size submissions of max_batch descriptors in flight: a
 * larger ring would never fill.
 */
static uint16_t
idxd_max_desc(const struct idxd_dev *dev)
{
	uint64_t inflight = (uint64_t)dev->wq.size * dev->wq.max_batch;
	uint16_t max = (uint16_t)rte_align32prevpow2((uint32_t)RTE_MAX(
		RTE_MIN(inflight, (uint64_t)IDXD_MAX_DESC), (uint64_t)1));

	return RTE_MAX(max, (uint16_t)IDXD_MIN_DESC);
}

static uint16_t
idxd_batch_max(const struct idxd_dev *dev)
{
	return RTE_MIN(dev->wq.max_batch, (uint32_t)IDXD_MAX_DESC);
}

static int
idxd_info_get(const struct rte_dma_dev *dmadev, struct rte_dma_info *info,
	      uint32_t info_sz)
{
	const struct idxd_dev *dev = dmadev->data->dev_private;

	if (info_sz < sizeof(*info))
		return -EINVAL;
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_HANDLES_ERRORS |
			 RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG |
			 RTE_DMA_CAPA_OPS_FILL;
	if (dev->backend->sva)
		info->dev_capa |= RTE_DMA_CAPA_SVA;
	info->max_vchans = 1;
	info->max_desc = idxd_max_desc(dev);
	info->min_desc = IDXD_MIN_DESC;
	/* A scatter-gather job is one batch: src + dst - 1 pieces at most. */
	info->max_sges = RTE_MAX(idxd_batch_max(dev) / 2, 1);
	return 0;
}

static int
idxd_configure(struct rte_dma_dev *dmadev, const struct rte_dma_conf *conf,
	       uint32_t conf_sz)
{
	if (conf_sz < sizeof(*conf) || conf->nb_vchans != 1)
		return -EINVAL;
	return 0;
}

/* Free the ring memory, unless the device may still write into it. */
static void
idxd_ring_release(struct idxd_dev *dev)
{
	if (dev->ring_mem == NULL)
		return;
	if (dev->ring_unsafe)
		IDXD_LOG(WARNING, "%s: keeping the old ring's memory: jobs on it never completed",
			 dev->dmadev->data->dev_name);
	else
		rte_free(dev->ring_mem);
	dev->ring_mem = NULL;
	dev->ring_unsafe = false;
}

static int
idxd_vchan_setup(struct rte_dma_dev *dmadev, uint16_t vchan,
		 const struct rte_dma_vchan_conf *qconf, uint32_t qconf_sz)
{
	struct idxd_dev *dev = dmadev->data->dev_private;
	const char *name = dmadev->data->dev_name;
	struct idxd_queue_conf conf;
	uint64_t iova;
	size_t size;
	void *mem;
	int ret;

	if (qconf_sz < sizeof(*qconf) || vchan != 0)
		return -EINVAL;
	memset(&conf, 0, sizeof(conf));
	conf.portal = dev->portal;
	conf.shared = dev->wq.shared;
	conf.cache_control = dev->wq.cache_control;
	conf.nb_desc = rte_align32pow2(RTE_MAX(qconf->nb_desc, (uint16_t)IDXD_MIN_DESC));
	if (conf.nb_desc > idxd_max_desc(dev)) {
		IDXD_LOG(ERR, "%s: ring of %u descriptors: at most %u with this WQ",
			 name, qconf->nb_desc, idxd_max_desc(dev));
		return -EINVAL;
	}
	conf.batch_max = idxd_batch_max(dev);
	/* Never more submissions in flight than the WQ holds: a dedicated
	 * WQ drops what does not fit. A shared WQ refuses (ENQCMD retry)
	 * once its occupancy reaches the threshold, which it may do sooner
	 * if other clients use it.
	 */
	conf.wq_slots = RTE_MIN(dev->wq.size, (uint32_t)IDXD_MAX_DESC);
	conf.max_xfer = RTE_MIN(dev->wq.max_xfer, (uint64_t)UINT32_MAX);

	size = idxd_queue_mem_size(&conf);
	mem = rte_zmalloc_socket("idxd_ring", size, 64, dmadev->data->numa_node);
	if (mem == NULL) {
		IDXD_LOG(ERR, "%s: cannot allocate %zu bytes for the ring", name, size);
		return -ENOMEM;
	}
	iova = dev->backend->sva ? (uint64_t)(uintptr_t)mem : rte_malloc_virt2iova(mem);
	if (iova == RTE_BAD_IOVA) {
		IDXD_LOG(ERR, "%s: the ring has no IO address", name);
		rte_free(mem);
		return -EFAULT;
	}
	idxd_ring_release(dev);
	ret = idxd_queue_init(&dev->q, &conf, mem, iova);
	if (ret < 0) {
		rte_free(mem);
		return ret;
	}
	dev->ring_mem = mem;
	IDXD_LOG(DEBUG, "%s: ring of %u descriptors, batches up to %u, %u submissions in flight",
		 name, conf.nb_desc, dev->q.batch_max, dev->q.wq_slots);
	return 0;
}

static int
idxd_start(struct rte_dma_dev *dmadev)
{
	struct idxd_dev *dev = dmadev->data->dev_private;

	if (dev->ring_mem == NULL) {
		IDXD_LOG(ERR, "%s: start before vchan 0 was set up",
			 dmadev->data->dev_name);
		return -EINVAL;
	}
	/* Job ids restart at 0 unless jobs from before the last stop are
	 * still to be handed back.
	 */
	if (!idxd_queue_rewind(&dev->q))
		IDXD_LOG(INFO, "%s: jobs from before the stop are still to be collected: ids continue",
			 dmadev->data->dev_name);
	return dev->backend->start != NULL ? dev->backend->start(dev) : 0;
}

/* Wait for every job handed to the queue to complete. */
static bool
idxd_drain(struct idxd_dev *dev)
{
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * IDXD_DRAIN_TIMEOUT_MS / 1000;

	if (dev->ring_mem == NULL)
		return true;
	idxd_queue_flush(&dev->q);
	while (idxd_queue_busy(&dev->q)) {
		if (rte_get_timer_cycles() > deadline)
			return false;
		rte_delay_us_sleep(50);
	}
	return true;
}

static int
idxd_stop(struct rte_dma_dev *dmadev)
{
	struct idxd_dev *dev = dmadev->data->dev_private;
	bool drained = idxd_drain(dev);

	if (!drained) {
		IDXD_LOG(ERR, "%s: jobs still in flight after %u ms: the device is not completing them",
			 dmadev->data->dev_name, IDXD_DRAIN_TIMEOUT_MS);
		dev->ring_unsafe = true;
	}
	return dev->backend->stop != NULL ? dev->backend->stop(dev, drained) : 0;
}

static int
idxd_close(struct rte_dma_dev *dmadev)
{
	struct idxd_dev *dev = dmadev->data->dev_private;

	if (dev->ring_mem != NULL && !idxd_drain(dev))
		dev->ring_unsafe = true;
	if (dev->backend->close != NULL)
		dev->backend->close(dev);
	idxd_ring_release(dev);
	return 0;
}

static int
idxd_stats_get(const struct rte_dma_dev *dmadev, uint16_t vchan,
	       struct rte_dma_stats *stats, uint32_t stats_sz)
{
	const struct idxd_dev *dev = dmadev->data->dev_private;

	if (stats_sz < sizeof(*stats) || (vchan != 0 && vchan != RTE_DMA_ALL_VCHAN))
		return -EINVAL;
	stats->submitted = dev->q.stats.submitted;
	stats->completed = dev->q.stats.completed;
	stats->errors = dev->q.stats.errors;
	return 0;
}

static int
idxd_stats_reset(struct rte_dma_dev *dmadev, uint16_t vchan)
{
	struct idxd_dev *dev = dmadev->data->dev_private;

	if (vchan != 0 && vchan != RTE_DMA_ALL_VCHAN)
		return -EINVAL;
	memset(&dev->q.stats, 0, sizeof(dev->q.stats));
	return 0;
}

static int
idxd_vchan_status(const struct rte_dma_dev *dmadev, uint16_t vchan,
		  enum rte_dma_vchan_status *status)
{
	/* The library hands us our own device as const; polling it may send
	 * held submissions, which is what a caller waiting on it wants.
	 */
	struct idxd_dev *dev = dmadev->data->dev_private;

	if (vchan != 0)
		return -EINVAL;
	if (dev->backend->halted != NULL && dev->backend->halted(dev))
		*status = RTE_DMA_VCHAN_HALTED_ERROR;
	else if (dev->ring_mem != NULL && idxd_queue_busy(&dev->q))
		*status = RTE_DMA_VCHAN_ACTIVE;
	else
		*status = RTE_DMA_VCHAN_IDLE;
	return 0;
}

static int
idxd_dump(const struct rte_dma_dev *dmadev, FILE *f)
{
	const struct idxd_dev *dev = dmadev->data->dev_private;

	fprintf(f, "idxd %s: %s, %s WQ of %u entries, max batch %u, max transfer %" PRIu64 "\n",
		dmadev->data->dev_name, dev->backend->name,
		dev->wq.shared ? "shared" : "dedicated", dev->wq.size,
		dev->wq.max_batch, dev->wq.max_xfer);
	if (dev->backend->dump != NULL)
		dev->backend->dump(dev, f);
	if (dev->ring_mem != NULL)
		idxd_queue_dump(&dev->q, f);
	else
		fprintf(f, "  vchan 0 not set up\n");
	return 0;
}

static const struct rte_dma_dev_ops idxd_dmadev_ops = {
	.dev_info_get = idxd_info_get,
	.dev_configure = idxd_configure,
	.dev_start = idxd_start,
	.dev_stop = idxd_stop,
	.dev_close = idxd_close,
	.vchan_setup = idxd_vchan_setup,
	.stats_get = idxd_stats_get,
	.stats_reset = idxd_stats_reset,
	.vchan_status = idxd_vchan_status,
	.dev_dump = idxd_dump,
};

int
idxd_dmadev_create(const char *name, struct rte_device *device, int numa,
		   const struct idxd_backend *backend, void *backend_priv,
		   const struct idxd_wq_info *wq, volatile void *portal,
		   struct idxd_dev **out)
{
	struct rte_dma_dev *dmadev;
	struct idxd_dev *dev;

	RTE_BUILD_BUG_ON(sizeof(struct idxd_hw_desc) != 64);
	RTE_BUILD_BUG_ON(offsetof(struct idxd_hw_desc, size) != 32);
	RTE_BUILD_BUG_ON(sizeof(struct idxd_completion) != 32);
	RTE_BUILD_BUG_ON(offsetof(struct idxd_dev, q) != 0);

	if (wq->size == 0 || wq->max_batch == 0 || wq->max_xfer == 0) {
		IDXD_LOG(ERR, "%s: the WQ has a zero size, batch or transfer limit", name);
		return -EINVAL;
	}
	dmadev = rte_dma_pmd_allocate(name, numa, sizeof(struct idxd_dev));
	if (dmadev == NULL) {
		IDXD_LOG(ERR, "%s: cannot allocate a dmadev", name);
		return -ENOMEM;
	}
	dev = dmadev->data->dev_private;
	dev->backend = backend;
	dev->backend_priv = backend_priv;
	dev->portal = portal;
	dev->wq = *wq;
	dev->dmadev = dmadev;

	dmadev->device = device;
	dmadev->dev_ops = &idxd_dmadev_ops;
	dmadev->fp_obj->dev_private = dev;
	dmadev->fp_obj->copy = idxd_copy;
	dmadev->fp_obj->copy_sg = idxd_copy_sg;
	dmadev->fp_obj->fill = idxd_fill;
	dmadev->fp_obj->submit = idxd_submit;
	dmadev->fp_obj->completed = idxd_completed;
	dmadev->fp_obj->completed_status = idxd_completed_status;
	dmadev->fp_obj->burst_capacity = idxd_burst_capacity;
	dmadev->state = RTE_DMA_DEV_READY;

	IDXD_LOG(INFO, "%s: %s, %s WQ, %u entries, batches up to %u, transfers up to %" PRIu64 " bytes",
		 name, backend->name, wq->shared ? "shared" : "dedicated",
		 wq->size, wq->max_batch, wq->max_xfer);
	*out = dev;
	return 0;
}

int
idxd_dmadev_destroy(struct idxd_dev *dev)
{
	struct rte_dma_dev *dmadev = dev->dmadev;

	if (dmadev->data->dev_started)
		rte_dma_stop(dmadev->data->dev_id);
	return rte_dma_pmd_release(dmadev->data->dev_name);
}
