/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options of the Hyper-V model: --vmbus CLASS[,key=value...] and --gpa.
 *
 * Linked into simrun as well, so it depends on nothing else of the model.
 * Everything derived from the options (instance GUIDs, relids, uio
 * numbers, monitor ids) is computed here, deterministically, so every
 * process of a session agrees on it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_model.h"
#include "../libsim/sim_parse.h"
#include "../include/hv_echo_proto.h"

struct hv_config hv_cfg;

const char *const hv_attr_names[HV_ATTR_COUNT] = {
	[HV_ATTR_CLASS_ID] = "class_id",
	[HV_ATTR_DEVICE_ID] = "device_id",
	[HV_ATTR_ID] = "id",
	[HV_ATTR_MONITOR_ID] = "monitor_id",
	[HV_ATTR_NUMA_NODE] = "numa_node",
	[HV_ATTR_VENDOR] = "vendor",
	[HV_ATTR_DEVICE] = "device",
	[HV_ATTR_STATE] = "state",
	[HV_ATTR_MODALIAS] = "modalias",
	[HV_ATTR_DRIVER_OVERRIDE] = "driver_override",
};

static bool
parse_guid(const char *s, char out[HV_GUID_LEN + 1])
{
	static const int dash[] = { 8, 13, 18, 23 };
	unsigned int i, d = 0;

	if (strlen(s) != HV_GUID_LEN)
		return false;
	for (i = 0; i < HV_GUID_LEN; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[HV_GUID_LEN] = '\0';
	return true;
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (!sim_parse_dec(s, max, &v))
		return false;
	*out = (unsigned long)v;
	return true;
}

/* "64K", "2M", "16K+4K", "20480". */
static bool
parse_size(const char *s, unsigned long *out)
{
	unsigned long total = 0;

	while (*s != '\0') {
		unsigned long v, mul = 1;
		char *end;

		if (!isdigit((unsigned char)*s))
			return false;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0)
			return false;
		if (*end == 'K' || *end == 'k')
			mul = 1024, end++;
		else if (*end == 'M' || *end == 'm')
			mul = 1024 * 1024, end++;
		if (v > (1ul << 30) / mul)
			return false;
		total += v * mul;
		if (*end == '+')
			end++;
		else if (*end != '\0')
			return false;
		s = end;
	}
	*out = total;
	return total != 0;
}

static bool
parse_attrs(const char *s, uint32_t *mask)
{
	char buf[256], *tok, *save = NULL;
	unsigned int i;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok != NULL;
	     tok = strtok_r(NULL, ":", &save)) {
		for (i = 0; i < HV_ATTR_COUNT; i++)
			if (strcmp(tok, hv_attr_names[i]) == 0)
				break;
		if (i == HV_ATTR_COUNT)
			return false;
		*mask |= 1u << i;
	}
	return *mask != 0;
}

static int
parse_vmbus(const char *val, char *err, size_t errlen)
{
	struct hv_dev_spec spec;
	char buf[512], *tok, *save = NULL;
	unsigned long count = 1, v;
	unsigned int i;
	bool nic;
	int r;

	if (val == NULL || strlen(val) >= sizeof(buf)) {
		snprintf(err, errlen, "--vmbus needs CLASS[,key=value...]");
		return -1;
	}
	strcpy(buf, val);
	memset(&spec, 0, sizeof(spec));
	spec.max_subch = 8;
	spec.subch_delay_ms = 20;
	spec.numa = -1;
	spec.latency_us = 100;
	snprintf(spec.driver, sizeof(spec.driver), "%s", HV_UIO_DRIVER);

	tok = strtok_r(buf, ",", &save);
	if (tok == NULL) {
		snprintf(err, errlen, "--vmbus %s: missing class", val);
		return -1;
	}
	if (strcmp(tok, "echo") == 0) {
		strcpy(spec.class_guid, HV_ECHO_CLASS_GUID);
		spec.monitor = true;
		spec.ring_size = 64 * 1024;
	} else if (strcmp(tok, "lowspeed") == 0) {
		strcpy(spec.class_guid, HV_ECHO_LOWSPEED_CLASS_GUID);
		spec.monitor = false;
		spec.ring_size = 16 * 1024 + 4096;
	} else if (strcmp(tok, "netvsc") == 0) {
		strcpy(spec.class_guid, HV_NETVSC_CLASS_GUID);
		spec.monitor = true;
	} else if (parse_guid(tok, spec.class_guid)) {
		spec.monitor = true;
		spec.ring_size = 64 * 1024;
	} else {
		snprintf(err, errlen,
			 "--vmbus %s: class must be echo, lowspeed, netvsc or a GUID", val);
		return -1;
	}
	nic = strcmp(spec.class_guid, HV_NETVSC_CLASS_GUID) == 0;
	if (nic)
		netvsp_config_defaults(&spec);

	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		const char *k = tok, *x;
		bool ok = true;

		if (eq == NULL) {
			snprintf(err, errlen, "--vmbus %s: '%s' is not key=value", val, tok);
			return -1;
		}
		*eq = '\0';
		x = eq + 1;
		if (strcmp(k, "count") == 0) {
			ok = parse_uint(x, HV_MAX_DEVICES, &count) && count > 0;
		} else if (strcmp(k, "id") == 0) {
			ok = parse_guid(x, spec.id);
			spec.id_set = ok;
		} else if (strcmp(k, "ring") == 0) {
			ok = parse_size(x, &v) && v % HV_PAGE_SIZE == 0 &&
			     v >= 2 * HV_PAGE_SIZE && v <= 64ul * 1024 * 1024;
			spec.ring_size = (uint32_t)v;
		} else if (strcmp(k, "monitor") == 0) {
			ok = sim_parse_bool(x, &spec.monitor);
		} else if (strcmp(k, "subch-monitor") == 0) {
			ok = sim_parse_bool(x, &spec.subch_monitor);
		} else if (strcmp(k, "subch-ring") == 0) {
			ok = strcmp(x, "early") == 0 || strcmp(x, "late") == 0;
			spec.subch_ring_late = strcmp(x, "late") == 0;
		} else if (strcmp(k, "max-subch") == 0) {
			ok = parse_uint(x, HV_MAX_SUBCH, &v);
			spec.max_subch = (unsigned int)v;
		} else if (strcmp(k, "subch-delay") == 0) {
			ok = parse_uint(x, 600000, &v);
			spec.subch_delay_ms = (unsigned int)v;
		} else if (strcmp(k, "numa") == 0) {
			ok = parse_uint(x, 1023, &v);
			spec.numa = (int)v;
		} else if (strcmp(k, "driver") == 0) {
			ok = x[0] != '\0' && strlen(x) < sizeof(spec.driver) &&
			     strchr(x, '/') == NULL && strcmp(x, ".") != 0 &&
			     strcmp(x, "..") != 0;
			if (ok)
				snprintf(spec.driver, sizeof(spec.driver), "%s", x);
		} else if (strcmp(k, "omit") == 0) {
			ok = parse_attrs(x, &spec.omit);
		} else if (strcmp(k, "garbage") == 0) {
			ok = parse_attrs(x, &spec.garbage);
		} else if (strcmp(k, "latency-us") == 0) {
			/* The monitor page holds at most 65535 x 100 ns. */
			ok = parse_uint(x, 6553, &v) && v > 0;
			spec.latency_us = (unsigned int)v;
		} else if (nic && (r = netvsp_config_key(&spec, k, x, err, errlen)) != 0) {
			if (r < 0)
				return -1;
		} else {
			snprintf(err, errlen, "--vmbus %s: unknown key '%s'", val, k);
			return -1;
		}
		if (!ok) {
			snprintf(err, errlen, "--vmbus %s: bad value for %s: '%s'",
				 val, k, x);
			if (strcmp(k, "ring") == 0)
				snprintf(err + strlen(err), errlen - strlen(err),
					 " (a multiple of 4K, 8K..64M, per direction)");
			return -1;
		}
	}
	if (spec.id_set && count > 1) {
		snprintf(err, errlen, "--vmbus %s: id= needs count=1", val);
		return -1;
	}
	if (hv_cfg.ndev + count > HV_MAX_DEVICES) {
		snprintf(err, errlen, "--vmbus: at most %d devices", HV_MAX_DEVICES);
		return -1;
	}
	spec.uio = strcmp(spec.driver, HV_UIO_DRIVER) == 0;
	for (i = 0; i < count; i++)
		hv_cfg.dev[hv_cfg.ndev++] = spec;
	hv_cfg.enabled = true;
	return 0;
}

int
hv_config_option(const char *key, const char *val, char *err, size_t errlen)
{
	if (strcmp(key, "vmbus") == 0)
		return parse_vmbus(val, err, errlen) < 0 ? -1 : 1;
	if (strcmp(key, "gpa") == 0) {
		if (val != NULL && strcmp(val, "va") == 0) {
			hv_cfg.gpa_va = true;
		} else if (val != NULL && strcmp(val, "dpdk") == 0) {
			hv_cfg.gpa_va = false;
		} else {
			snprintf(err, errlen, "--gpa must be dpdk or va");
			return -1;
		}
		return 1;
	}
	return 0;
}

int
hv_config_finish(char *err, size_t errlen)
{
	unsigned int i, j, k, uio = 0, nmon = 0;

	for (i = 0; i < hv_cfg.ndev; i++) {
		struct hv_dev_spec *s = &hv_cfg.dev[i];

		if (!s->id_set) {
			/* Instance GUID: the class GUID with its first group
			 * replaced by 5e5e<4-hex-digit index within the class>.
			 */
			for (j = 0, k = 0; j < i; j++)
				if (strcmp(hv_cfg.dev[j].class_guid, s->class_guid) == 0)
					k++;
			char head[9];

			snprintf(head, sizeof(head), "5e5e%04x", k & 0xffff);
			memcpy(s->id, head, 8);
			memcpy(s->id + 8, s->class_guid + 8, HV_GUID_LEN - 8 + 1);
		}
		s->relid = HV_FIRST_RELID + i;
		s->uio_index = s->uio ? (int)uio++ : -1;
		if (s->monitor) {
			if (nmon == HV_MAX_MONITOR) {
				snprintf(err, errlen, "--vmbus: more than %d monitored devices",
					 HV_MAX_MONITOR);
				return -1;
			}
			s->monitor_id = (int)nmon++;
		} else {
			s->monitor_id = HV_NO_MONITOR;
		}
	}
	for (i = 0; i < hv_cfg.ndev; i++)
		for (j = i + 1; j < hv_cfg.ndev; j++)
			if (strcmp(hv_cfg.dev[i].id, hv_cfg.dev[j].id) == 0) {
				snprintf(err, errlen, "--vmbus: two devices with id %s"
					 " (set id= explicitly)", hv_cfg.dev[i].id);
				return -1;
			}
	return 0;
}
