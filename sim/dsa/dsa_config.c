/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options of the DSA model: --dsa, --dsa-vfio and --dsa-report.
 *
 * Linked into simrun as well, so it depends on nothing else of the model.
 * Device numbers, PCI addresses and IOMMU groups are derived here,
 * deterministically, so every process of a session agrees on them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsa_model.h"
#include "../libsim/sim_parse.h"

struct dsa_config dsa_cfg;

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0)
		return false;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ull * 1024 * 1024, end++;
	if (*end != '\0' || v > max / mul)
		return false;
	*out = v * mul;
	return true;
}

static bool
parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (!parse_u64(s, max, &v) || v < min)
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static unsigned int
log2_u64(uint64_t v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* "DDDD:BB:DD.F" */
static bool
parse_bdf(const char *s, struct dsa_dev_spec *d)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) != 4 ||
	    strlen(s) != 12 || bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	d->domain = dom;
	d->bus = bus;
	d->devno = dev;
	d->fn = fn;
	return true;
}

/* "A-B" (B exclusive) or "A+LEN", numbers in any base strtoull takes. */
static bool
parse_range(const char *s, struct dsa_range *r)
{
	char buf[128], *sep;
	uint64_t a, b;
	bool plus;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	sep = strpbrk(buf + 1, "-+");
	if (sep == NULL)
		return false;
	plus = *sep == '+';
	*sep = '\0';
	if (!parse_u64(buf, UINT64_MAX, &a) || !parse_u64(sep + 1, UINT64_MAX, &b))
		return false;
	if (plus)
		b = a + b;
	if (b <= a)
		return false;
	r->start = a;
	r->end = b;
	return true;
}

static void
spec_defaults(struct dsa_dev_spec *d, bool vfio)
{
	memset(d, 0, sizeof(*d));
	d->vfio = vfio;
	d->numa = -1;
	/* Sapphire Rapids: 8 WQs, 4 engines, 4 groups, 128 WQ entries,
	 * 2 GiB max transfer, 1024 max batch.
	 */
	d->nwqs = 8;
	d->nengines = 4;
	d->ngroups = 4;
	d->wq_total = 128;
	d->max_xfer_shift = 31;
	d->max_batch_shift = 10;
	d->bof = true;
	d->pasid = true;
	d->gpa = vfio ? DSA_GPA_IOMMU : DSA_GPA_VA;
	d->configured = !vfio;
	d->enabled_wqs = 2;
	snprintf(d->prefix, sizeof(d->prefix), "dpdk");
	d->wq_max_xfer = DSA_WQ_DEFAULT_MAX_XFER;
	/* 0: the device's maximum, as dpdk_idxd_cfg.py sets it. */
	d->wq_max_batch = 0;
	d->ooo_window = 8;
	d->invalid_status = DSA_COMP_BAD_OPCODE;
	d->seed = 1;
}

static int
parse_dsa(const char *val, bool vfio, char *err, size_t errlen)
{
	const char *opt = vfio ? "--dsa-vfio" : "--dsa";
	struct dsa_dev_spec d;
	char buf[1024], *tok, *save = NULL;
	bool id_set = false;
	unsigned int i;

	if (dsa_cfg.ndev == DSA_MAX_DEVICES) {
		snprintf(err, errlen, "%s: at most %d devices", opt, DSA_MAX_DEVICES);
		return -1;
	}
	spec_defaults(&d, vfio);
	if (val == NULL)
		val = "";
	if (strlen(val) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: value too long", opt);
		return -1;
	}
	strcpy(buf, val);
	tok = strtok_r(buf, ",", &save);
	/* The first word may name the device: dsaN, or a BDF for vfio. */
	if (tok != NULL && strchr(tok, '=') == NULL) {
		if (vfio) {
			if (!parse_bdf(tok, &d)) {
				snprintf(err, errlen, "%s %s: '%s' is not a PCI address "
					 "DDDD:BB:DD.F", opt, val, tok);
				return -1;
			}
			id_set = true;
		} else if (strcmp(tok, "default") == 0) {
			/* Just the defaults, with the next free name. */
		} else {
			if (strncmp(tok, "dsa", 3) != 0 ||
			    !parse_uint(tok + 3, 0, 255, &d.id)) {
				snprintf(err, errlen, "%s %s: '%s' is not dsaN", opt, val, tok);
				return -1;
			}
			id_set = true;
		}
		tok = strtok_r(NULL, ",", &save);
	}
	for (; tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *k = tok, *x;
		uint64_t v;
		bool ok = true;

		if (eq == NULL) {
			snprintf(err, errlen, "%s %s: '%s' is not key=value", opt, val, tok);
			return -1;
		}
		*eq = '\0';
		x = eq + 1;
		if (strcmp(k, "wqs") == 0) {
			ok = parse_uint(x, 1, DSA_MAX_WQS, &d.nwqs);
		} else if (strcmp(k, "engines") == 0) {
			ok = parse_uint(x, 1, DSA_MAX_ENGINES, &d.nengines);
		} else if (strcmp(k, "groups") == 0) {
			ok = parse_uint(x, 1, DSA_MAX_GROUPS, &d.ngroups);
		} else if (strcmp(k, "wq-size") == 0) {
			ok = parse_uint(x, 1, 1024, &d.wq_total);
		} else if (strcmp(k, "max-transfer") == 0) {
			ok = parse_u64(x, 1ull << 31, &v) && is_pow2(v) && v >= 4096;
			d.max_xfer_shift = log2_u64(v);
		} else if (strcmp(k, "max-batch") == 0) {
			ok = parse_u64(x, 1024, &v) && is_pow2(v) && v >= 2;
			d.max_batch_shift = log2_u64(v);
		} else if (strcmp(k, "configured") == 0) {
			ok = sim_parse_bool(x, &d.configured);
		} else if (strcmp(k, "enabled-wqs") == 0) {
			ok = parse_uint(x, 0, DSA_MAX_WQS, &d.enabled_wqs);
		} else if (strcmp(k, "mode") == 0) {
			if (strcmp(x, "dedicated") == 0)
				d.shared = false;
			else if (strcmp(x, "shared") == 0)
				d.shared = true;
			else
				ok = false;
		} else if (strcmp(k, "prefix") == 0) {
			ok = x[0] != '\0' && strlen(x) < sizeof(d.prefix) &&
			     strpbrk(x, "/ \n") == NULL;
			if (ok)
				snprintf(d.prefix, sizeof(d.prefix), "%s", x);
		} else if (strcmp(k, "wq-max-transfer") == 0) {
			ok = parse_u64(x, 1ull << 31, &d.wq_max_xfer) &&
			     is_pow2(d.wq_max_xfer);
		} else if (strcmp(k, "wq-max-batch") == 0) {
			ok = parse_uint(x, 1, 1024, &d.wq_max_batch) &&
			     is_pow2(d.wq_max_batch);
		} else if (strcmp(k, "threshold") == 0) {
			ok = parse_uint(x, 1, 1024, &d.threshold);
		} else if (strcmp(k, "block-on-fault") == 0) {
			ok = sim_parse_bool(x, &d.bof_wq);
		} else if (strcmp(k, "bof") == 0) {
			ok = sim_parse_bool(x, &d.bof);
		} else if (strcmp(k, "fill16") == 0) {
			ok = sim_parse_bool(x, &d.fill16);
		} else if (strcmp(k, "pasid") == 0) {
			ok = sim_parse_bool(x, &d.pasid);
		} else if (strcmp(k, "rawio") == 0) {
			if (strcmp(x, "auto") == 0)
				d.rawio = DSA_RAWIO_AUTO;
			else if (strcmp(x, "yes") == 0)
				d.rawio = DSA_RAWIO_YES;
			else if (strcmp(x, "no") == 0)
				d.rawio = DSA_RAWIO_NO;
			else
				ok = false;
		} else if (strcmp(k, "gpa") == 0) {
			if (strcmp(x, "va") == 0 && !vfio)
				d.gpa = DSA_GPA_VA;
			else if (strcmp(x, "dpdk") == 0 && !vfio)
				d.gpa = DSA_GPA_DPDK;
			else if (strcmp(x, "iommu") == 0 && vfio)
				d.gpa = DSA_GPA_IOMMU;
			else
				ok = false;
		} else if (strcmp(k, "ooo") == 0) {
			ok = sim_parse_bool(x, &d.ooo);
		} else if (strcmp(k, "window") == 0 || strcmp(k, "ooo-window") == 0) {
			ok = parse_uint(x, 1, 256, &d.ooo_window);
		} else if (strcmp(k, "latency-ns") == 0) {
			ok = parse_u64(x, 10ull * 1000 * 1000 * 1000, &d.latency_ns);
		} else if (strcmp(k, "fault") == 0) {
			ok = d.nfaults < DSA_MAX_FAULTS &&
			     parse_range(x, &d.faults[d.nfaults]);
			if (ok)
				d.nfaults++;
		} else if (strcmp(k, "invalid") == 0) {
			char tmp[64], *colon;

			ok = strlen(x) < sizeof(tmp);
			if (ok) {
				strcpy(tmp, x);
				colon = strchr(tmp, ':');
				if (colon != NULL) {
					*colon = '\0';
					ok = parse_uint(colon + 1, 0x02, 0x3f, &d.invalid_status);
				}
				ok = ok && parse_uint(tmp, 1, 1u << 30, &d.invalid_every);
			}
		} else if (strcmp(k, "numa") == 0) {
			unsigned int n;

			ok = parse_uint(x, 0, 1023, &n);
			d.numa = (int)n;
		} else if (strcmp(k, "seed") == 0) {
			ok = parse_u64(x, UINT64_MAX, &d.seed);
		} else if (strcmp(k, "name") == 0 && !vfio) {
			ok = strncmp(x, "dsa", 3) == 0 && parse_uint(x + 3, 0, 255, &d.id);
			id_set = ok;
		} else if (strcmp(k, "bdf") == 0) {
			ok = parse_bdf(x, &d);
		} else {
			snprintf(err, errlen, "%s %s: unknown key '%s'", opt, val, k);
			return -1;
		}
		if (!ok) {
			snprintf(err, errlen, "%s %s: bad value for %s: '%s'", opt, val, k, x);
			return -1;
		}
	}
	if (d.enabled_wqs > d.nwqs) {
		snprintf(err, errlen, "%s %s: enabled-wqs=%u but only %u WQs", opt, val,
			 d.enabled_wqs, d.nwqs);
		return -1;
	}
	if (d.enabled_wqs > d.wq_total) {
		snprintf(err, errlen, "%s %s: %u WQs cannot share %u WQ entries", opt,
			 val, d.enabled_wqs, d.wq_total);
		return -1;
	}
	if (d.wq_max_batch == 0)
		d.wq_max_batch = 1u << d.max_batch_shift;
	if (d.wq_max_xfer > (1ull << d.max_xfer_shift) ||
	    d.wq_max_batch > (1u << d.max_batch_shift)) {
		snprintf(err, errlen, "%s %s: WQ limits above the device's", opt, val);
		return -1;
	}
	if (!id_set && !vfio) {
		/* The lowest number not taken by an earlier device. */
		for (d.id = 0;; d.id++) {
			for (i = 0; i < dsa_cfg.ndev; i++)
				if (!dsa_cfg.dev[i].vfio && dsa_cfg.dev[i].id == d.id)
					break;
			if (i == dsa_cfg.ndev)
				break;
		}
	}
	dsa_cfg.dev[dsa_cfg.ndev++] = d;
	dsa_cfg.enabled = true;
	return 0;
}

int
dsa_config_option(const char *key, const char *val, char *err, size_t errlen)
{
	if (strcmp(key, "dsa") == 0)
		return parse_dsa(val, false, err, errlen) < 0 ? -1 : 1;
	if (strcmp(key, "dsa-vfio") == 0)
		return parse_dsa(val, true, err, errlen) < 0 ? -1 : 1;
	if (strcmp(key, "dsa-report") == 0) {
		if (val == NULL || val[0] == '\0' ||
		    strlen(val) >= sizeof(dsa_cfg.report)) {
			snprintf(err, errlen, "--dsa-report needs a file name");
			return -1;
		}
		snprintf(dsa_cfg.report, sizeof(dsa_cfg.report), "%s", val);
		return 1;
	}
	return 0;
}

int
dsa_config_finish(char *err, size_t errlen)
{
	unsigned int i, j, nvfio = 0;

	for (i = 0; i < dsa_cfg.ndev; i++) {
		struct dsa_dev_spec *d = &dsa_cfg.dev[i];

		if (d->vfio) {
			/* vfio devices are not dsaN for the kernel; number them
			 * after all idxd ones for the model's own naming.
			 */
			d->id = 1000 + nvfio;
			if (d->bus == 0 && d->devno == 0)
				d->bus = 0x6a + 5 * (nvfio + 4), d->devno = 1;
			d->iommu_group = 60 + nvfio;
			nvfio++;
		} else if (d->bus == 0 && d->devno == 0) {
			/* Sapphire Rapids places DSA N at bus 0x6a + 5N, 01.0. */
			d->bus = 0x6a + 5 * (d->id % 32);
			d->devno = 1;
		}
	}
	for (i = 0; i < dsa_cfg.ndev; i++)
		for (j = i + 1; j < dsa_cfg.ndev; j++) {
			const struct dsa_dev_spec *a = &dsa_cfg.dev[i], *b = &dsa_cfg.dev[j];

			if (!a->vfio && !b->vfio && a->id == b->id) {
				snprintf(err, errlen, "--dsa: two devices named dsa%u", a->id);
				return -1;
			}
			if (a->domain == b->domain && a->bus == b->bus &&
			    a->devno == b->devno && a->fn == b->fn) {
				snprintf(err, errlen, "--dsa: two devices at %04x:%02x:%02x.%x",
					 a->domain, a->bus, a->devno, a->fn);
				return -1;
			}
		}
	return 0;
}
