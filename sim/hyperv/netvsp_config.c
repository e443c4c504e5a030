/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options of the synthetic NIC: the keys --vmbus netvsc,... takes beyond
 * the VMBus ones. Linked into simrun too, so it depends on nothing else
 * of the model.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netvsp.h"

#define MB (1024ul * 1024ul)

static const struct {
	const char *name;
	uint32_t version;
} versions[] = {
	{ "1", NVSP_V1 }, { "2", NVSP_V2 }, { "4", NVSP_V4 },
	{ "5", NVSP_V5 }, { "6", NVSP_V6 }, { "6.1", NVSP_V61 },
	{ "61", NVSP_V61 },
};

/* "6.1", "5" or the protocol's own number, "0x60001". */
static bool
parse_version(const char *s, uint32_t *out)
{
	unsigned long v;
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(s, versions[i].name) == 0) {
			*out = versions[i].version;
			return true;
		}
	if (strncmp(s, "0x", 2) != 0)
		return false;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno != 0 || *end != '\0')
		return false;
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].version == v) {
			*out = (uint32_t)v;
			return true;
		}
	return false;
}

static bool
parse_num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno == 0 && *end == '\0' && *out >= min && *out <= max;
}

/* Bytes with an optional K or M suffix. */
static bool
parse_bytes(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long mul = 1;
	char buf[32], *end;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if (buf[n - 1] == 'K' || buf[n - 1] == 'k')
		mul = 1024;
	else if (buf[n - 1] == 'M' || buf[n - 1] == 'm')
		mul = MB;
	if (mul != 1)
		buf[n - 1] = '\0';
	if (!isdigit((unsigned char)buf[0]))
		return false;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max / mul)
		return false;
	*out *= mul;
	return *out >= min && *out <= max;
}

void
netvsp_config_defaults(struct hv_dev_spec *s)
{
	struct hv_nic_spec *n = &s->nic;

	memset(n, 0, sizeof(*n));
	n->nvsp_min = NVSP_V1;
	n->nvsp_max = NVSP_V61;
	n->ctrl_slots = 16;
	n->agg_pkts = 8;
	n->agg_size = NETVSP_SECTION_SIZE;
	n->link_speed = 100000000;      /* 10 Gbit/s in 100 bit/s */
	n->rx_queue_max = 512;
	n->hash_ppi = true;
	/* What uio_hv_generic gives a NIC. */
	s->ring_size = 2 * MB;
	/* Hyper-V gives NIC sub-channels monitor ids while it has some;
	 * DPDK 22.11's bus cannot use a channel without one.
	 */
	s->subch_monitor = true;
	/* As the kernels of DPDK 22.11's time: a sub-channel's ring file
	 * appears once the channel is open (22.11's bus gives up on ENODEV).
	 */
	s->subch_ring_late = true;
	s->map_size[HV_STD_MAPS] = 16 * MB;
	s->map_size[HV_STD_MAPS + 1] = 16 * MB;
}

int
netvsp_config_key(struct hv_dev_spec *s, const char *k, const char *x,
		  char *err, size_t errlen)
{
	struct hv_nic_spec *n = &s->nic;
	unsigned long v;
	bool ok = true;

	if (strcmp(k, "nvsp") == 0) {
		ok = parse_version(x, &n->nvsp_min);
		n->nvsp_max = n->nvsp_min;
	} else if (strcmp(k, "nvsp-min") == 0) {
		ok = parse_version(x, &n->nvsp_min);
	} else if (strcmp(k, "nvsp-max") == 0) {
		ok = parse_version(x, &n->nvsp_max);
	} else if (strcmp(k, "recv") == 0) {
		ok = parse_bytes(x, 64 * 1024, 256 * MB, &v);
		s->map_size[HV_STD_MAPS] = (v + HV_PAGE_SIZE - 1) & ~(HV_PAGE_SIZE - 1ul);
	} else if (strcmp(k, "send") == 0) {
		ok = parse_bytes(x, NETVSP_SECTION_SIZE, 256 * MB, &v);
		s->map_size[HV_STD_MAPS + 1] = (v + HV_PAGE_SIZE - 1) & ~(HV_PAGE_SIZE - 1ul);
	} else if (strcmp(k, "slot") == 0) {
		ok = parse_bytes(x, 512, 64 * 1024, &v) && v % 8 == 0;
		n->slot_size = (uint32_t)v;
	} else if (strcmp(k, "ctrl-slots") == 0) {
		ok = parse_num(x, 1, 1024, &v);
		n->ctrl_slots = (uint32_t)v;
	} else if (strcmp(k, "agg-pkts") == 0) {
		ok = parse_num(x, 1, 64, &v);
		n->agg_pkts = (uint32_t)v;
	} else if (strcmp(k, "agg-size") == 0) {
		ok = parse_bytes(x, 256, NETVSP_SECTION_SIZE, &v);
		n->agg_size = (uint32_t)v;
	} else if (strcmp(k, "speed") == 0) {
		/* Mbit/s; the OID counts 100 bit/s. */
		ok = parse_num(x, 1, 400000, &v);
		n->link_speed = (uint32_t)(v * 10000);
	} else if (strcmp(k, "link") == 0) {
		ok = strcmp(x, "up") == 0 || strcmp(x, "down") == 0;
		n->link_down = strcmp(x, "down") == 0;
	} else if (strcmp(k, "link-hold") == 0) {
		ok = parse_num(x, 0, 60000, &v);
		n->link_hold_ms = (uint32_t)v;
	} else if (strcmp(k, "interleave") == 0) {
		if (strcmp(x, "no") == 0)
			n->interleave = NETVSP_INTERLEAVE_NO;
		else if (strcmp(x, "yes") == 0)
			n->interleave = NETVSP_INTERLEAVE_YES;
		else if (strcmp(x, "all") == 0)
			n->interleave = NETVSP_INTERLEAVE_ALL;
		else
			ok = false;
	} else if (strcmp(k, "hash-ppi") == 0) {
		ok = strcmp(x, "yes") == 0 || strcmp(x, "no") == 0;
		n->hash_ppi = strcmp(x, "yes") == 0;
	} else if (strcmp(k, "rx-queue") == 0) {
		ok = parse_num(x, 1, 65536, &v);
		n->rx_queue_max = (uint32_t)v;
	} else {
		return 0;
	}
	if (!ok) {
		snprintf(err, errlen, "--vmbus netvsc: bad value for %s: '%s'", k, x);
		return -1;
	}
	if (n->nvsp_min > n->nvsp_max) {
		snprintf(err, errlen, "--vmbus netvsc: nvsp-min %#x above nvsp-max %#x",
			 n->nvsp_min, n->nvsp_max);
		return -1;
	}
	return 1;
}
