/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "dsa" bus: scans /sys/bus/dsa/devices for work queues, decides which
 * of them DPDK may use, and probes those with the kernel-WQ backend.
 *
 * A WQ is used when it is a user WQ (type "user"), enabled, and either named
 * with the prefix "dpdk_" or "<EAL file prefix>_", or named in an -a option
 * (-a wqN.M or -a dsa:wqN.M), which then selects it whatever its name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bus_driver.h>
#include <rte_devargs.h>
#include <rte_memory.h>
#include <rte_eal.h>
#include <rte_string_fns.h>

#include "idxd_bus.h"
#include "idxd_devargs.h"

TAILQ_HEAD(dsa_wq_list, dsa_wq);
static struct dsa_wq_list dsa_wqs = TAILQ_HEAD_INITIALIZER(dsa_wqs);
static struct rte_bus dsa_bus;
static const struct rte_driver dsa_driver = { .name = DSA_DRIVER_NAME };

/* ---- sysfs ---- */

static int
dsa_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int
dsa_read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", DSA_SYSFS_DEVICES, dir, attr);
	return dsa_read_text(path, buf, len);
}

/* An unsigned attribute, in decimal or 0x hex; -EINVAL on junk. */
static int
dsa_read_u64(const char *dir, const char *attr, uint64_t *out)
{
	char buf[64], *end;
	int ret = dsa_read_attr(dir, attr, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	return 0;
}

int
dsa_wq_read_state(const struct dsa_wq *wq, char *buf, size_t len)
{
	return dsa_read_attr(wq->name, "state", buf, len);
}

/* Read what the WQ allows; sets why_not if something is missing. */
static void
dsa_read_limits(struct dsa_wq *wq)
{
	char dsa[16], mode[16];
	uint64_t size, batch, xfer, threshold = 0, gencap = 0, numa;
	int64_t numa_signed;
	char buf[32];

	wq->info_ok = false;
	if (dsa_read_attr(wq->name, "mode", mode, sizeof(mode)) < 0 ||
	    (strcmp(mode, "dedicated") != 0 && strcmp(mode, "shared") != 0)) {
		snprintf(wq->why_not, sizeof(wq->why_not), "unknown mode \"%s\"", mode);
		return;
	}
	wq->info.shared = strcmp(mode, "shared") == 0;
	if (dsa_read_u64(wq->name, "size", &size) < 0 ||
	    dsa_read_u64(wq->name, "max_batch_size", &batch) < 0 ||
	    dsa_read_u64(wq->name, "max_transfer_size", &xfer) < 0) {
		snprintf(wq->why_not, sizeof(wq->why_not),
			 "size, max_batch_size or max_transfer_size unreadable");
		return;
	}
	if (size == 0 || size > UINT16_MAX || batch == 0 || batch > UINT16_MAX ||
	    xfer == 0) {
		snprintf(wq->why_not, sizeof(wq->why_not),
			 "unusable limits: size %" PRIu64 ", max_batch_size %" PRIu64
			 ", max_transfer_size %" PRIu64, size, batch, xfer);
		return;
	}
	if (wq->info.shared)
		dsa_read_u64(wq->name, "threshold", &threshold);
	wq->info.size = size;
	wq->info.max_batch = batch;
	wq->info.max_xfer = xfer;
	wq->info.threshold = threshold <= size ? threshold : size;

	snprintf(dsa, sizeof(dsa), "dsa%u", wq->dev_idx);
	if (dsa_read_u64(dsa, "gen_cap", &gencap) == 0)
		wq->info.cache_control = (gencap & IDXD_GENCAP_CACHE_CONTROL) != 0;
	wq->device.numa_node = SOCKET_ID_ANY;
	if (dsa_read_attr(dsa, "numa_node", buf, sizeof(buf)) == 0) {
		numa_signed = strtoll(buf, NULL, 10);
		numa = numa_signed;
		if (numa_signed >= 0 && numa < RTE_MAX_NUMA_NODES)
			wq->device.numa_node = numa_signed;
	}
	wq->info_ok = true;
}

/* ---- selection ---- */

static struct rte_devargs *
dsa_devargs(const char *name)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH(DSA_BUS_NAME, da)
		if (strcmp(da->name, name) == 0)
			return da;
	return NULL;
}

static bool
dsa_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The EAL file prefix: the last component of the runtime directory. */
static const char *
dsa_file_prefix(char *buf, size_t len)
{
	rte_strscpy(buf, rte_eal_get_runtime_dir(), len);
	return basename(buf);
}

static void
dsa_select(struct dsa_wq *wq)
{
	struct rte_devargs *da = dsa_devargs(wq->name);
	char runtime[PATH_MAX], prefix[NAME_MAX + 2];

	wq->device.devargs = da;
	wq->explicit = da != NULL && da->policy == RTE_DEV_ALLOWED;
	wq->wanted = false;
	wq->why_not[0] = '\0';
	if (da != NULL && da->policy == RTE_DEV_BLOCKED) {
		snprintf(wq->why_not, sizeof(wq->why_not), "blocked (-b)");
		return;
	}
	if (dsa_bus.conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST && !wq->explicit) {
		snprintf(wq->why_not, sizeof(wq->why_not), "not in the -a list");
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s_", dsa_file_prefix(runtime, sizeof(runtime)));
	if (strcmp(wq->type, "user") != 0) {
		snprintf(wq->why_not, sizeof(wq->why_not),
			 "type is \"%s\", not \"user\" (accel-config config-wq --type=user)",
			 wq->type);
	} else if (!wq->explicit && !dsa_has_prefix(wq->wq_name, "dpdk_") &&
		   !dsa_has_prefix(wq->wq_name, prefix)) {
		snprintf(wq->why_not, sizeof(wq->why_not),
			 "name \"%s\" starts with neither \"dpdk_\" nor \"%s\" (rename it, or select it with -a %s)",
			 wq->wq_name, prefix, wq->name);
	} else if (strcmp(wq->state, "enabled") != 0) {
		snprintf(wq->why_not, sizeof(wq->why_not),
			 "WQ is %s (accel-config enable-wq dsa%u/%s)",
			 wq->state, wq->dev_idx, wq->name);
	} else {
		dsa_read_limits(wq);
		wq->wanted = wq->info_ok;
	}
}

/* Read the WQ's type, name and state again and decide about it. */
static void
dsa_refresh(struct dsa_wq *wq)
{
	if (dsa_read_attr(wq->name, "type", wq->type, sizeof(wq->type)) < 0)
		rte_strscpy(wq->type, "unknown", sizeof(wq->type));
	if (dsa_read_attr(wq->name, "name", wq->wq_name, sizeof(wq->wq_name)) < 0)
		wq->wq_name[0] = '\0';
	if (dsa_read_attr(wq->name, "state", wq->state, sizeof(wq->state)) < 0)
		rte_strscpy(wq->state, "unknown", sizeof(wq->state));
	dsa_select(wq);
}

/* ---- scan ---- */

static bool
dsa_parse_wq_name(const char *name, unsigned int *dev_idx, unsigned int *wq_idx)
{
	unsigned int d, w;
	int end = 0;

	if (sscanf(name, "wq%u.%u%n", &d, &w, &end) != 2 || name[end] != '\0' ||
	    end > 20)
		return false;
	if (dev_idx != NULL)
		*dev_idx = d;
	if (wq_idx != NULL)
		*wq_idx = w;
	return true;
}

static struct dsa_wq *
dsa_find_wq(const char *name)
{
	struct dsa_wq *wq;

	TAILQ_FOREACH(wq, &dsa_wqs, next)
		if (strcmp(wq->name, name) == 0)
			return wq;
	return NULL;
}

/* Keep the list in (device, WQ) order, so dmadev ids do not depend on
 * the order readdir() returns.
 */
static void
dsa_insert_sorted(struct dsa_wq *wq)
{
	struct dsa_wq *at;

	TAILQ_FOREACH(at, &dsa_wqs, next)
		if (at->dev_idx > wq->dev_idx ||
		    (at->dev_idx == wq->dev_idx && at->wq_idx > wq->wq_idx))
			break;
	if (at != NULL)
		TAILQ_INSERT_BEFORE(at, wq, next);
	else
		TAILQ_INSERT_TAIL(&dsa_wqs, wq, next);
}

static int
dsa_scan(void)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir(DSA_SYSFS_DEVICES);
	if (dir == NULL) {
		if (errno != ENOENT)
			IDXD_LOG(WARNING, "cannot read %s: %s", DSA_SYSFS_DEVICES,
				 strerror(errno));
		return 0; /* no idxd driver: no DSA work queues */
	}
	while ((de = readdir(dir)) != NULL) {
		unsigned int dev_idx, wq_idx;
		struct dsa_wq *wq;

		/* wqN.M only: not dsaN, engines, groups or dsa!wqN.M */
		if (!dsa_parse_wq_name(de->d_name, &dev_idx, &wq_idx) ||
		    dsa_find_wq(de->d_name) != NULL)
			continue;
		wq = calloc(1, sizeof(*wq));
		if (wq == NULL) {
			closedir(dir);
			return -ENOMEM;
		}
		rte_strscpy(wq->name, de->d_name, sizeof(wq->name));
		wq->dev_idx = dev_idx;
		wq->wq_idx = wq_idx;
		wq->device.name = wq->name;
		wq->device.bus = &dsa_bus;
		wq->device.numa_node = SOCKET_ID_ANY;
		dsa_refresh(wq);
		dsa_insert_sorted(wq);
		IDXD_LOG(DEBUG, "%s: type %s, name \"%s\", %s%s%s", wq->name,
			 wq->type, wq->wq_name, wq->state,
			 wq->wanted ? ", for DPDK" : ": not used, ", wq->why_not);
	}
	closedir(dir);
	return 0;
}

/* ---- probe ---- */

static int
dsa_probe_wq(struct dsa_wq *wq)
{
	char err[160];
	int ret;

	if (wq->probed)
		return 0;
	if (!wq->wanted) {
		if (wq->explicit)
			IDXD_LOG(ERR, "%s: cannot be used: %s", wq->name, wq->why_not);
		return -ENODEV;
	}
	ret = idxd_parse_wq_args(wq->device.devargs != NULL ?
				 wq->device.devargs->args : NULL, err, sizeof(err));
	if (ret < 0) {
		IDXD_LOG(ERR, "%s: %s", wq->name, err);
		return ret;
	}
	ret = idxd_kernel_wq_probe(wq);
	if (ret < 0)
		return ret;
	wq->probed = true;
	wq->device.driver = &dsa_driver;
	return 0;
}

static int
dsa_probe(void)
{
	unsigned int nb_wq = 0, nb_probed = 0, nb_failed = 0;
	bool any_explicit = false;
	struct dsa_wq *wq;

	TAILQ_FOREACH(wq, &dsa_wqs, next) {
		nb_wq++;
		any_explicit |= wq->explicit;
	}
	if (nb_wq == 0)
		return 0;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IDXD_LOG(NOTICE, "kernel work queues are not shared with secondary processes: not probing them");
		return 0;
	}
	TAILQ_FOREACH(wq, &dsa_wqs, next) {
		if (!wq->wanted && !wq->explicit)
			continue;
		if (dsa_probe_wq(wq) < 0)
			nb_failed++;
		else
			nb_probed++;
	}
	if (nb_probed == 0 && nb_failed == 0 && !any_explicit &&
	    dsa_bus.conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST) {
		IDXD_LOG(NOTICE, "%u DSA work queue(s), none usable by DPDK:", nb_wq);
		TAILQ_FOREACH(wq, &dsa_wqs, next)
			IDXD_LOG(NOTICE, "  %s: %s", wq->name, wq->why_not);
	}
	return nb_failed > 0 ? -1 : 0;
}

static struct rte_device *
dsa_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
		const void *data)
{
	struct dsa_wq *wq;
	bool started = start == NULL;

	TAILQ_FOREACH(wq, &dsa_wqs, next) {
		if (!started) {
			started = &wq->device == start;
			continue;
		}
		if (cmp(&wq->device, data) == 0)
			return &wq->device;
	}
	return NULL;
}

static int
dsa_remove_wq(struct dsa_wq *wq)
{
	int id, ret = 0;

	if (!wq->probed)
		return 0;
	/* The application may have closed the dmadev already. */
	id = rte_dma_get_dev_id_by_name(wq->name);
	if (id >= 0)
		ret = idxd_dmadev_destroy(wq->idxd);
	if (ret == 0) {
		wq->probed = false;
		wq->idxd = NULL;
		wq->device.driver = NULL;
	}
	return ret;
}

static int
dsa_plug(struct rte_device *dev)
{
	struct dsa_wq *wq = container_of(dev, struct dsa_wq, device);

	if (wq->probed)
		return 0;
	/* Hot-plug (rte_dev_probe) added devargs naming it: look again. */
	dsa_refresh(wq);
	wq->explicit = true;
	return dsa_probe_wq(wq);
}

static int
dsa_unplug(struct rte_device *dev)
{
	struct dsa_wq *wq = container_of(dev, struct dsa_wq, device);

	return dsa_remove_wq(wq);
}

static int
dsa_parse(const char *name, void *addr)
{
	if (!dsa_parse_wq_name(name, NULL, NULL))
		return 1;
	if (addr != NULL)
		rte_strscpy(addr, name, RTE_DEV_NAME_MAX_LEN);
	return 0;
}

/* User WQs submit process virtual addresses (SVA/PASID). */
static enum rte_iova_mode
dsa_iommu_class(void)
{
	struct dsa_wq *wq;

	TAILQ_FOREACH(wq, &dsa_wqs, next)
		if (wq->wanted)
			return RTE_IOVA_VA;
	return RTE_IOVA_DC;
}

static int
dsa_cleanup(void)
{
	struct dsa_wq *wq;
	int ret = 0;

	while ((wq = TAILQ_FIRST(&dsa_wqs)) != NULL) {
		if (dsa_remove_wq(wq) < 0)
			ret = -EBUSY;
		TAILQ_REMOVE(&dsa_wqs, wq, next);
		free(wq);
	}
	return ret;
}

static struct rte_bus dsa_bus = {
	.name = DSA_BUS_NAME,
	.scan = dsa_scan,
	.probe = dsa_probe,
	.find_device = dsa_find_device,
	.plug = dsa_plug,
	.unplug = dsa_unplug,
	.parse = dsa_parse,
	.get_iommu_class = dsa_iommu_class,
	.cleanup = dsa_cleanup,
};

RTE_REGISTER_BUS(dsa, dsa_bus);
RTE_PMD_REGISTER_PARAM_STRING(dmadev_idxd, "");
