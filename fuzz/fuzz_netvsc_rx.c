/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the netvsc receive path on what a hostile host can
 * write. Input (fuzz_input.h): one transfer-page packet as on the ring,
 * then the receive buffer. Runs netvsc_parse_xfer, then both RNDIS
 * parsers on every range, and reads every byte a parser declared valid,
 * each from a heap block of exactly the bytes the parser was given, so
 * that ASan reports any read past them. A parser result that contradicts
 * its own checks aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netvsc_parse.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RNDIS_PACKET_HDR_LEN 44u
#define XFER_RANGES_AT       24u

static volatile uint32_t sink;

static uint32_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
touch(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i < len; i++)
		sum = sum * 31 + p[i];
	return sum;
}

static void
check_data(const uint8_t *msg, uint32_t avail)
{
	struct netvsc_rx_info ri;
	uint32_t msg_len, ppi_len;
	uint64_t ppi_start;
	int ret;

	ret = netvsc_parse_rndis_packet(msg, avail, FUZZ_MAX_FRAME, &ri);
	if (ret == -EINVAL || ret == -EMSGSIZE)
		return;
	if (ret != 0)
		abort();
	/* what was accepted obeys the wire rules, read independently */
	msg_len = load32(msg + 4);
	ppi_start = (uint64_t)load32(msg + 28) + 8;
	ppi_len = load32(msg + 32);
	if (msg_len > avail ||
	    ri.data_off != (uint64_t)load32(msg + 8) + 8 ||
	    ri.data_len != load32(msg + 12) ||
	    ri.data_off < RNDIS_PACKET_HDR_LEN ||
	    (uint64_t)ri.data_off + ri.data_len > msg_len ||
	    ri.data_len < 14 || ri.data_len > FUZZ_MAX_FRAME ||
	    ri.has_vlan > 1 || ri.has_csum > 1 || ri.has_hash > 1)
		abort();
	if (ppi_len != 0 &&
	    (ppi_start < RNDIS_PACKET_HDR_LEN || ppi_start % 4 != 0 ||
	     ppi_start + ppi_len > msg_len))
		abort();
	if (ppi_len == 0 && (ri.has_vlan || ri.has_csum || ri.has_hash))
		abort();
	/* what the PMD copies into the mbuf */
	sink += touch(msg + ri.data_off, ri.data_len);
}

static void
check_ctrl(const uint8_t *msg, uint32_t avail)
{
	uint32_t type, rid, len;
	int ret;

	ret = netvsc_parse_rndis_ctrl(msg, avail, &type, &rid);
	if (ret == -EINVAL)
		return;
	if (ret != 0)
		abort();
	len = load32(msg + 4);
	if (len < 12 || len > avail || type != load32(msg) ||
	    rid != load32(msg + 8))
		abort();
	sink += touch(msg, len);
}

/* One range: its bytes alone, in a block of exactly their size. */
static void
check_range(const uint8_t *rxbuf, uint32_t offset, uint32_t count)
{
	uint8_t *msg = malloc(count);

	if (msg == NULL)
		abort();
	memcpy(msg, rxbuf + offset, count);
	check_data(msg, count);
	check_ctrl(msg, count);
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmbus_pkt_desc desc;
	struct netvsc_xfer_info xi;
	struct vmbus_pkt pkt;
	uint32_t len, hlen, rxbuf_size, i;
	uint8_t *ring, *rxbuf;
	int ret;

	if (size < sizeof(desc) || size > UINT32_MAX)
		return 0;
	memcpy(&desc, data, sizeof(desc));
	len = (uint32_t)desc.len8 * 8;
	hlen = (uint32_t)desc.offset8 * 8;
	/* what vmbus_ring_peek guarantees before the PMD sees a packet */
	if (hlen < sizeof(desc) || hlen > len || len > size)
		return 0;

	ring = malloc(len);
	rxbuf_size = (uint32_t)(size - len);
	rxbuf = malloc(rxbuf_size != 0 ? rxbuf_size : 1);
	if (ring == NULL || rxbuf == NULL)
		abort();
	memcpy(ring, data, len);
	memcpy(rxbuf, data + len, rxbuf_size);

	memset(&pkt, 0, sizeof(pkt));
	pkt.type = desc.type;
	pkt.flags = desc.flags;
	pkt.trans_id = desc.trans_id;
	pkt.hdr = ring;
	pkt.hdr_len = hlen;
	pkt.data = ring + hlen;
	pkt.data_len = len - hlen;

	ret = netvsc_parse_xfer(&pkt, rxbuf_size, &xi);
	if (ret == 0) {
		if (xi.range_count == 0 ||
		    (const uint8_t *)xi.ranges != ring + XFER_RANGES_AT ||
		    XFER_RANGES_AT + (uint64_t)xi.range_count * 8 > hlen ||
		    load32(pkt.data) != NVSP_MSG_RNDIS)
			abort();
		for (i = 0; i < xi.range_count; i++) {
			struct vmbus_xfer_range r;

			memcpy(&r, &xi.ranges[i], sizeof(r));
			if (r.byte_count == 0 ||
			    (uint64_t)r.byte_offset + r.byte_count > rxbuf_size)
				abort();
			check_range(rxbuf, r.byte_offset, r.byte_count);
		}
	} else if (ret != -EINVAL && ret != -ERANGE && ret != -EPROTO) {
		abort();
	}

	/* The whole receive buffer as one message, too: reaches the RNDIS
	 * parsers without a valid transfer-page header in front.
	 */
	if (rxbuf_size != 0) {
		check_data(rxbuf, rxbuf_size);
		check_ctrl(rxbuf, rxbuf_size);
	}
	free(ring);
	free(rxbuf);
	return 0;
}
