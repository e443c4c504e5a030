/* SPDX-License-Identifier: BSD-3-Clause */
/* Device-argument parsing for both idxd drivers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "idxd_devargs.h"

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static int
idxd_parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Split args into pairs, refusing keys outside known[] by name. */
static struct rte_kvargs *
idxd_split_args(const char *args, const char *const known[], char *err,
		size_t errlen)
{
	struct rte_kvargs *kv = rte_kvargs_parse(args, NULL);
	unsigned int i, k;

	if (kv == NULL) {
		snprintf(err, errlen, "cannot parse device arguments \"%s\"", args);
		return NULL;
	}
	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key;

		for (k = 0; known[k] != NULL; k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (known[k] == NULL) {
			if (known[0] == NULL)
				snprintf(err, errlen, "unknown device argument \"%s\" "
					 "(this device takes none)", key);
			else
				snprintf(err, errlen, "unknown device argument \"%s\"",
					 key);
			rte_kvargs_free(kv);
			return NULL;
		}
	}
	return kv;
}

int
idxd_parse_pci_args(const char *args, struct idxd_pci_args *out, char *err,
		    size_t errlen)
{
	static const char *const known[] = { IDXD_ARG_MAX_QUEUES, NULL };
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = idxd_split_args(args, known, err, errlen);
	if (kv == NULL)
		return -EINVAL;
	for (i = 0; i < kv->count && ret == 0; i++) {
		const char *value = kv->pairs[i].value;

		if (idxd_parse_uint(value, 255, &out->max_queues) < 0) {
			snprintf(err, errlen, "%s=%s: expected a number of work "
				 "queues, 0 (all) to 255", IDXD_ARG_MAX_QUEUES,
				 value != NULL ? value : "");
			ret = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return ret;
}

int
idxd_parse_wq_args(const char *args, char *err, size_t errlen)
{
	static const char *const known[] = { NULL };
	struct rte_kvargs *kv;

	if (errlen > 0)
		err[0] = '\0';
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = idxd_split_args(args, known, err, errlen);
	if (kv == NULL)
		return -EINVAL;
	rte_kvargs_free(kv);
	return 0;
}
