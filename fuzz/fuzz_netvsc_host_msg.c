/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: host-initiated NVSP messages (INBAND packets) through
 * netvsc_parse_host_msg. The input is the packet payload, in a heap block
 * of exactly its size; what the parser accepts is checked against the
 * input bytes, read independently.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netvsc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
check_accepted(const uint8_t *p, uint32_t len, const struct netvsc_host_msg *m)
{
	uint32_t offset, i;

	switch (m->type) {
	case NVSP_MSG_VFASSOC:
		if (len < 12 || m->vf_allocated != load32(p + 4) ||
		    m->vf_serial != load32(p + 8))
			abort();
		break;
	case NVSP_MSG_DATAPATH:
		if (len < 8 || m->datapath != load32(p + 4) || m->datapath > 1)
			abort();
		break;
	case NVSP_MSG_TXTBL:
		if (len < 12 || m->txtbl_count != load32(p + 4) ||
		    m->txtbl_count > NVSP_TXTBL_MAX)
			abort();
		offset = load32(p + 8);
		if (offset < 12 ||
		    (uint64_t)offset + 4ull * m->txtbl_count > len)
			abort();
		for (i = 0; i < m->txtbl_count; i++)
			if (m->txtbl[i] != load32(p + offset + 4 * i))
				abort();
		break;
	default:
		abort(); /* accepted a type the guest does not handle */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netvsc_host_msg m;
	uint8_t *p;
	int ret;

	if (size > UINT32_MAX)
		return 0;
	p = malloc(size != 0 ? size : 1);
	if (p == NULL)
		abort();
	memcpy(p, data, size);
	ret = netvsc_parse_host_msg(p, (uint32_t)size, &m);
	/* the type is defined on every return (the PMD logs it) */
	if (m.type != (size >= 4 ? load32(p) : 0))
		abort();
	if (ret == 0) {
		check_accepted(p, (uint32_t)size, &m);
	} else if (ret == -ENOTSUP) {
		/* only for a complete type the guest does not handle */
		if (size < 4 || m.type == NVSP_MSG_VFASSOC ||
		    m.type == NVSP_MSG_DATAPATH || m.type == NVSP_MSG_TXTBL)
			abort();
	} else if (ret != -EINVAL) {
		abort();
	}
	free(p);
	return 0;
}
