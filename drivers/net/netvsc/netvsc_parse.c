/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks of everything the host writes that the data path reads: the
 * transfer-page header of a received packet and the RNDIS message in the
 * receive buffer. Pure functions (no EAL), so that unit tests and fuzzers
 * can call them on arbitrary bytes.
 *
 * The host may rewrite shared memory while we read it, so every field is
 * loaded once into a local, checked, and only the local is used.
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>

#include "netvsc_parse.h"

static inline uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int
netvsc_parse_xfer(const struct vmbus_pkt *pkt, uint32_t rxbuf_size,
		  struct netvsc_xfer_info *info)
{
	struct vmbus_xfer_pages_hdr xh;
	struct nvsp_rndis msg;
	uint32_t i, count;

	if (pkt->hdr_len < sizeof(xh) || pkt->data_len < sizeof(msg))
		return -EINVAL;
	memcpy(&xh, pkt->hdr, sizeof(xh));
	if (xh.xfer_pageset_id != NVSP_RXBUF_SIG)
		return -EINVAL;
	count = xh.range_count;
	if (count == 0 ||
	    count > (pkt->hdr_len - sizeof(xh)) / sizeof(struct vmbus_xfer_range))
		return -EINVAL;
	memcpy(&msg, pkt->data, sizeof(msg));
	if (msg.type != NVSP_MSG_RNDIS)
		return -EPROTO;
	for (i = 0; i < count; i++) {
		struct vmbus_xfer_range r;

		memcpy(&r, pkt->hdr + sizeof(xh) + i * sizeof(r), sizeof(r));
		if (r.byte_count == 0 || r.byte_offset >= rxbuf_size ||
		    r.byte_count > rxbuf_size - r.byte_offset)
			return -ERANGE;
	}
	info->range_count = count;
	info->ranges = (const struct vmbus_xfer_range *)(pkt->hdr + sizeof(xh));
	info->mtype = msg.mtype;
	return 0;
}

/* Walk the per-packet information; unknown types are skipped. */
static int
parse_ppi(const uint8_t *p, uint32_t len, struct netvsc_rx_info *info)
{
	while (len > 0) {
		uint32_t size, type, off;

		if (len < sizeof(struct rndis_ppi))
			return -EINVAL;
		size = load32(p);
		type = load32(p + 4);
		off = load32(p + 8);
		if (size < sizeof(struct rndis_ppi) || size > len ||
		    off < sizeof(struct rndis_ppi) || off > size)
			return -EINVAL;
		if (size - off >= sizeof(uint32_t)) {
			uint32_t v = load32(p + off);

			switch (type) {
			case RNDIS_PPI_CSUM:
				info->csum = v;
				info->has_csum = 1;
				break;
			case RNDIS_PPI_VLAN:
				info->vlan = v;
				info->has_vlan = 1;
				break;
			case RNDIS_PPI_HASH_VALUE:
				info->hash = v;
				info->has_hash = 1;
				break;
			default:
				break;
			}
		}
		p += size;
		len -= size;
	}
	return 0;
}

int
netvsc_parse_rndis_packet(const uint8_t *msg, uint32_t avail,
			  uint32_t max_frame, struct netvsc_rx_info *info)
{
	struct rndis_packet_msg h;
	uint64_t data_start, ppi_start;

	if (avail < sizeof(h))
		return -EINVAL;
	memcpy(&h, msg, sizeof(h));
	if (h.type != RNDIS_MSG_PACKET || h.len < sizeof(h) || h.len > avail)
		return -EINVAL;
	data_start = (uint64_t)h.data_offset + RNDIS_OFFSET_BASE;
	if (data_start < sizeof(h) || data_start + h.data_len > h.len)
		return -EINVAL;
	if (h.data_len < RTE_ETHER_HDR_LEN || h.data_len > max_frame)
		return -EMSGSIZE;
	memset(info, 0, sizeof(*info));
	info->data_off = (uint32_t)data_start;
	info->data_len = h.data_len;
	if (h.ppi_len != 0) {
		ppi_start = (uint64_t)h.ppi_offset + RNDIS_OFFSET_BASE;
		if (ppi_start < sizeof(h) || (ppi_start & 3) != 0 ||
		    ppi_start + h.ppi_len > h.len)
			return -EINVAL;
		if (parse_ppi(msg + ppi_start, h.ppi_len, info) < 0)
			return -EINVAL;
	}
	return 0;
}

int
netvsc_parse_rndis_ctrl(const uint8_t *msg, uint32_t avail, uint32_t *type,
			uint32_t *rid)
{
	struct rndis_msg_hdr h;

	if (avail < sizeof(h) + sizeof(uint32_t))
		return -EINVAL;
	memcpy(&h, msg, sizeof(h));
	if (h.len < sizeof(h) + sizeof(uint32_t) || h.len > avail)
		return -EINVAL;
	*type = h.type;
	/* Completions carry the request id; indications their status. */
	*rid = load32(msg + sizeof(h));
	return 0;
}

int
netvsc_parse_host_msg(const uint8_t *data, uint32_t len,
		      struct netvsc_host_msg *m)
{
	uint32_t count, offset;

	/* Defined on every return: callers log m->type on errors. */
	memset(m, 0, sizeof(*m));
	if (len < sizeof(uint32_t))
		return -EINVAL;
	m->type = load32(data);
	switch (m->type) {
	case NVSP_MSG_VFASSOC:
		if (len < sizeof(struct nvsp_vfassoc))
			return -EINVAL;
		m->vf_allocated = load32(data + 4);
		m->vf_serial = load32(data + 8);
		return 0;
	case NVSP_MSG_DATAPATH:
		if (len < sizeof(struct nvsp_datapath))
			return -EINVAL;
		m->datapath = load32(data + 4);
		return m->datapath <= NVSP_DATAPATH_VF ? 0 : -EINVAL;
	case NVSP_MSG_TXTBL:
		if (len < sizeof(struct nvsp_txtbl))
			return -EINVAL;
		count = load32(data + 4);
		offset = load32(data + 8);
		if (count > NVSP_TXTBL_MAX || offset < sizeof(struct nvsp_txtbl) ||
		    offset > len || count * sizeof(uint32_t) > len - offset)
			return -EINVAL;
		m->txtbl_count = count;
		memcpy(m->txtbl, data + offset, count * sizeof(uint32_t));
		return 0;
	default:
		return -ENOTSUP;
	}
}
