/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's counters as text: the `dsa stats` control command, the
 * report simrun prints when the session ends and --dsa-report FILE.
 *
 * Linked into simrun too: it reads only the shared state and the options.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dsa_model.h"

static const char *const op_names[32] = {
	[DSA_OP_NOOP] = "nop",
	[DSA_OP_BATCH] = "batch",
	[DSA_OP_DRAIN] = "drain",
	[DSA_OP_MEMMOVE] = "memmove",
	[DSA_OP_FILL] = "fill",
	[DSA_OP_COMPARE] = "compare",
	[DSA_OP_COMPVAL] = "compare_pattern",
	[DSA_OP_DUALCAST] = "dualcast",
	[DSA_OP_CRCGEN] = "crc",
	[DSA_OP_COPY_CRC] = "copy_crc",
};

struct out {
	char *buf;
	size_t len;
	size_t n;
};

static void
emit(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->n >= o->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n += (size_t)r < o->len - o->n ? (size_t)r : o->len - o->n - 1;
}

static void
emit_stats(struct out *o, const struct dsa_stats *st)
{
	unsigned int i;

	emit(o, "submitted=%llu portal_writes=%llu completions=%llu records=%llu "
	     "errors=%llu page_faults=%llu faults_injected=%llu faults_resolved=%llu "
	     "invalid_injected=%llu swerr=%llu dwq_full_drops=%llu enqcmd_retries=%llu "
	     "ignored_writes=%llu batch_members=%llu bytes=%llu",
	     (unsigned long long)st->submitted, (unsigned long long)st->portal_writes,
	     (unsigned long long)st->completions, (unsigned long long)st->records,
	     (unsigned long long)st->errors, (unsigned long long)st->page_faults,
	     (unsigned long long)st->faults_injected, (unsigned long long)st->faults_resolved,
	     (unsigned long long)st->invalid_injected, (unsigned long long)st->swerr,
	     (unsigned long long)st->dwq_full_drops, (unsigned long long)st->enqcmd_retries,
	     (unsigned long long)st->ignored_writes, (unsigned long long)st->batch_members,
	     (unsigned long long)st->bytes);
	for (i = 0; i < 32; i++)
		if (st->ops[i] != 0)
			emit(o, " op_%s=%llu", op_names[i] != NULL ? op_names[i] : "other",
			     (unsigned long long)st->ops[i]);
}

size_t
dsa_report_format(const struct dsa_shm *shm, const struct dsa_config *cfg,
		  char *buf, size_t len, bool verbose)
{
	struct out o = { buf, len, 0 };
	unsigned int d, w;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (d = 0; d < cfg->ndev && d < shm->ndev; d++) {
		const struct dsa_dev_spec *s = &cfg->dev[d];
		const struct dsa_shm_dev *sd = &shm->dev[d];

		if (s->vfio)
			emit(&o, "%04x:%02x:%02x.%x vfio-pci: ", s->domain, s->bus, s->devno,
			     s->fn);
		else
			emit(&o, "dsa%u %04x:%02x:%02x.%x: ", s->id, s->domain, s->bus,
			     s->devno, s->fn);
		emit_stats(&o, &sd->stats);
		emit(&o, "\n");
		if (!verbose)
			continue;
		for (w = 0; w < s->nwqs; w++) {
			if (sd->wq[w].stats.portal_writes == 0 && sd->wq[w].stats.completions == 0)
				continue;
			emit(&o, "  wq%u: ", w);
			emit_stats(&o, &sd->wq[w].stats);
			emit(&o, "\n");
		}
	}
	return o.n;
}
