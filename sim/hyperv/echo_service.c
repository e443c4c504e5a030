/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The echo service: the model's VMBus test peer (protocol in
 * sim/include/hv_echo_proto.h), served on the primary channel and on every
 * sub-channel, for both echo classes.
 */
#include <stdlib.h>
#include <string.h>

#include "hv_model.h"
#include "../include/hv_echo_proto.h"

#define ECHO_GPA_FAILED 0xffffffffu
#define FLOOD_BATCH     8

struct echo_chan {
	uint32_t flood_left;
	uint32_t flood_seq;
	uint32_t flood_bytes;
	uint8_t *scratch;              /* reply assembly, one ring's worth */
	uint32_t scratch_len;
};

static void
echo_open(struct hv_chan *ch)
{
	struct echo_chan *e = hv_chan_priv(ch);

	e->scratch_len = hv_chan_max_payload(ch);
	e->scratch = malloc(e->scratch_len);
}

static void
echo_close(struct hv_chan *ch)
{
	struct echo_chan *e = hv_chan_priv(ch);

	free(e->scratch);
	e->scratch = NULL;
}

static void
reply(struct hv_chan *ch, const struct hv_pkt *pkt, const void *a, size_t alen,
      const void *b, size_t blen)
{
	if (pkt->flags & HV_PKT_FLAG_RC)
		hv_chan_send(ch, HV_PKT_COMP, 0, pkt->trans_id, a, alen, b, blen);
	else
		hv_chan_send(ch, HV_PKT_INBAND, 0, pkt->trans_id, a, alen, b, blen);
}

/* GPA direct: gather every range, in order, after the message. */
static void
echo_gpa(struct hv_chan *ch, const struct hv_pkt *pkt, const struct hv_echo_msg *req)
{
	struct echo_chan *e = hv_chan_priv(ch);
	struct hv_echo_msg msg = *req;
	uint32_t i, total = 0, room;
	bool ok = e->scratch != NULL;

	room = e->scratch_len > sizeof(msg) ? e->scratch_len - (uint32_t)sizeof(msg) : 0;
	for (i = 0; ok && i < pkt->range_count; i++) {
		const struct hv_gpa_range *g = &pkt->ranges[i];
		uint64_t gpa = g->pfn * HV_PAGE_SIZE + g->offset;

		/* A reply that could never fit the ring counts as a failure. */
		if (g->len > room - total || hv_gpa_read(gpa, e->scratch + total, g->len) < 0)
			ok = false;
		else
			total += g->len;
	}
	if (!ok) {
		hv_chan_log(ch, "GPA direct echo: range %u unresolvable", i - 1);
		total = 0;
	}
	msg.arg1 = ok ? total : ECHO_GPA_FAILED;
	hv_chan_send(ch, HV_PKT_COMP, 0, pkt->trans_id, &msg, sizeof(msg),
		     e->scratch, total);
}

static void
echo_packet(struct hv_chan *ch, const struct hv_pkt *pkt)
{
	struct echo_chan *e = hv_chan_priv(ch);
	struct hv_echo_msg msg;

	if (pkt->type == HV_PKT_COMP)
		return;
	if (pkt->type != HV_PKT_INBAND && pkt->type != HV_PKT_GPA_DIRECT) {
		hv_chan_log(ch, "echo: ignoring packet type %u", pkt->type);
		return;
	}
	if (pkt->payload_len < sizeof(msg)) {
		hv_chan_log(ch, "echo: %u-byte payload is too short", pkt->payload_len);
		return;
	}
	memcpy(&msg, pkt->payload, sizeof(msg));
	switch (msg.op) {
	case HV_ECHO_OP_ECHO:
		if (pkt->type == HV_PKT_GPA_DIRECT)
			echo_gpa(ch, pkt, &msg);
		else
			reply(ch, pkt, pkt->payload, pkt->payload_len, NULL, 0);
		break;
	case HV_ECHO_OP_SUBCH:
		msg.arg0 = hv_chan_is_primary(ch) ?
			   hv_dev_offer_subch(hv_chan_dev(ch), msg.arg0) : 0;
		msg.arg1 = 0;
		reply(ch, pkt, &msg, sizeof(msg), NULL, 0);
		break;
	case HV_ECHO_OP_FLOOD:
		if ((uint64_t)msg.arg1 + sizeof(msg) > hv_chan_max_payload(ch)) {
			hv_chan_log(ch, "echo: flood packets of %u bytes exceed the ring",
				    msg.arg1);
			break;
		}
		e->flood_left = msg.arg0;
		e->flood_seq = 0;
		e->flood_bytes = msg.arg1;
		hv_chan_set_pump(ch, true);
		break;
	case HV_ECHO_OP_STALL:
		hv_chan_stall(ch, msg.arg0);
		break;
	default:
		hv_chan_log(ch, "echo: unknown op %u", msg.op);
		break;
	}
}

/* Queue a few flood packets; the host writes them as space allows. */
static bool
echo_pump(struct hv_chan *ch)
{
	struct echo_chan *e = hv_chan_priv(ch);
	unsigned int n;
	uint32_t i;

	if (e->scratch == NULL)
		return false;
	for (n = 0; n < FLOOD_BATCH && e->flood_left > 0; n++) {
		struct hv_echo_msg msg = {
			.op = HV_ECHO_OP_FLOOD,
			.arg0 = 0,
			.arg1 = e->flood_bytes,
			.seq = e->flood_seq,
		};

		for (i = 0; i < e->flood_bytes; i++)
			e->scratch[i] = hv_echo_pattern(e->flood_seq, i);
		hv_chan_send(ch, HV_PKT_INBAND, 0, hv_chan_new_trans_id(ch),
			     &msg, sizeof(msg), e->scratch, e->flood_bytes);
		e->flood_seq++;
		e->flood_left--;
	}
	return e->flood_left > 0;
}

const struct hv_service hv_echo_service = {
	.name = "echo",
	.class_guid = HV_ECHO_CLASS_GUID,
	.chan_priv_size = sizeof(struct echo_chan),
	.on_open = echo_open,
	.on_packet = echo_packet,
	.pump = echo_pump,
	.on_close = echo_close,
};

const struct hv_service hv_echo_lowspeed_service = {
	.name = "echo-lowspeed",
	.class_guid = HV_ECHO_LOWSPEED_CLASS_GUID,
	.chan_priv_size = sizeof(struct echo_chan),
	.on_open = echo_open,
	.on_packet = echo_packet,
	.pump = echo_pump,
	.on_close = echo_close,
};
