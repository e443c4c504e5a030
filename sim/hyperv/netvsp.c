/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NVSP service of the synthetic NIC (class netvsc): what the Hyper-V
 * host does on a netvsc channel, strictly.
 *
 * - Version negotiation within the configured range, then the message set
 *   of the negotiated version only; NDIS_CONFIG before the receive buffer
 *   from version 2 on.
 * - The receive buffer is one section of fixed-size slots. Each frame or
 *   control message the host sends occupies one slot, described by a
 *   transfer-page packet whose transaction id is the slot number; the slot
 *   is the guest's until it completes that id with RNDIS_PACKET_COMPLETE
 *   on the same channel. A few slots are kept for control messages.
 * - The send buffer is cut into 6144-byte sections; the guest's RNDIS data
 *   comes from a section (several aggregated messages) or from guest
 *   physical pages (GPA direct). Every guest send is completed, if it
 *   asked for it, once its frames are on the wire.
 * - Sub-channels are granted through hv_dev_offer_subch; once all are
 *   open the host sends its send indirection table. RNDIS control is only
 *   accepted on the primary; data on any channel.
 * - VF association once the guest's data path is up, data-path switches
 *   both ways.
 * Malformed messages are logged with the NIC number and counted; the
 * channel goes on (only ring-level corruption stops one, in vmbus_host.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netvsp.h"

#define RECV_MAP        (HV_STD_MAPS + 0)
#define SEND_MAP        (HV_STD_MAPS + 1)
#define RETRY_NS        50000ull        /* wire pushed back: try again */
/* Slot size when the options give none: RNDIS header area + frame +
 * the 36 bytes some guests (co-netvsc) write past the frame.
 */
#define SLOT_HEADROOM   256u
#define SLOT_TAILROOM   36u

static struct nic *nics[HV_MAX_DEVICES];        /* by device index */

static const struct hv_map_spec netvsp_maps[] = {
	{ "recv", 16u << 20 },
	{ "send", 16u << 20 },
};

static const uint32_t nvsp_versions[] = {
	NVSP_V1, NVSP_V2, NVSP_V4, NVSP_V5, NVSP_V6, NVSP_V61,
};

/* ---- helpers ---- */

void
nic_log(const struct nic *nic, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_log(HV_LOG, "nic %u: %s", nic->index, msg);
}

void
nic_proto_error(struct nic *nic, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nic->stats.proto_errors++;
	sim_log(HV_LOG, "nic %u: protocol error: %s", nic->index, msg);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint32_t
nic_msg_size(const struct nic *nic)
{
	return nic->nvsp_ver >= NVSP_V61 ? NVSP_MSG_SIZE_V61 : NVSP_MSG_SIZE_V1;
}

unsigned int
nic_num_channels(const struct nic *nic)
{
	return 1 + nic->subch_granted;
}

struct nic_chan *
nic_chan_get(struct nic *nic, unsigned int index)
{
	return index < HV_MAX_CHANNELS ? nic->chan[index] : NULL;
}

/* A message of the negotiated size, zero padded. */
static void
send_inband(struct nic_chan *c, uint16_t flags, uint64_t trans_id,
	    const void *msg, uint32_t len, const void *tail, uint32_t tail_len)
{
	uint8_t buf[NVSP_MSG_SIZE_V61] = { 0 };

	memcpy(buf, msg, len);
	hv_chan_send(c->ch, HV_PKT_INBAND, flags, trans_id, buf,
		     nic_msg_size(c->nic), tail, tail_len);
	hv_chan_kick(c->ch);
}

static void
send_completion(struct nic_chan *c, uint64_t trans_id, const void *msg, uint32_t len)
{
	uint8_t buf[NVSP_MSG_SIZE_V61] = { 0 };

	memcpy(buf, msg, len);
	hv_chan_send(c->ch, HV_PKT_COMP, 0, trans_id, buf, nic_msg_size(c->nic),
		     NULL, 0);
	hv_chan_kick(c->ch);
}

/* ---- host-initiated NVSP messages ---- */

static void
send_txtbl(struct nic *nic)
{
	struct nic_chan *c = nic->chan[0];
	uint32_t table[NVSP_SEND_TABLE_SIZE], i, n = 1 + nic->subch_opened;
	struct nvsp_send_table m = {
		.type = NVSP_MSG5_SEND_INDIRECTION_TABLE,
		.count = NVSP_SEND_TABLE_SIZE,
		.offset = nic_msg_size(nic),    /* the table follows the message */
	};

	if (c == NULL)
		return;
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		table[i] = i % n;
	send_inband(c, 0, hv_chan_new_trans_id(c->ch), &m, sizeof(m),
		    table, sizeof(table));
	nic->stats.txtbl_sent++;
}

static bool
vf_allowed(const struct nic *nic)
{
	return nic->port != NULL && vsw_vf_ifname(nic->port) != NULL &&
	       nic->nvsp_ver >= NVSP_V4 && (nic->caps & NVSP_CAP_SRIOV);
}

static void
send_vf_association(struct nic *nic, bool allocated)
{
	struct nvsp_vf_association m = {
		.type = NVSP_MSG4_VF_ASSOCIATION,
		.allocated = allocated,
		.serial = allocated ? vsw_vf_serial(nic->port) : 0,
	};

	if (nic->chan[0] == NULL)
		return;
	send_inband(nic->chan[0], HV_PKT_FLAG_RC, NVSP_TID_VF_ASSOCIATION,
		    &m, sizeof(m), NULL, 0);
	nic->vf_announced = allocated;
	nic->stats.vf_assoc_sent++;
}

static void
set_datapath(struct nic *nic, bool vf)
{
	if (nic->datapath_vf != vf)
		nic->stats.datapath_switches++;
	nic->datapath_vf = vf;
	if (nic->port != NULL)
		vsw_set_datapath(nic->port, vf ? VSW_PATH_VF : VSW_PATH_SYNTHETIC);
}

/* The host takes the data path back (VF going away, or on command). */
static void
host_switch_synthetic(struct nic *nic)
{
	struct nvsp_switch_data_path m = {
		.type = NVSP_MSG4_SWITCH_DATA_PATH,
		.active_path = NVSP_DATA_PATH_SYNTHETIC,
	};

	if (nic->chan[0] != NULL && nic->nvsp_ver >= NVSP_V4)
		send_inband(nic->chan[0], HV_PKT_FLAG_RC, NVSP_TID_SWITCH_DATA_PATH,
			    &m, sizeof(m), NULL, 0);
	set_datapath(nic, false);
}

static void
offer_vf(struct nic *nic)
{
	if (vf_allowed(nic) && nic->vf_present && !nic->vf_announced &&
	    nic->data_path_up)
		send_vf_association(nic, true);
}

void
nic_data_path_up(struct nic *nic)
{
	nic->data_path_up = true;
	offer_vf(nic);
}

/*
 * interleave=: before answering a synchronous request, slip in a host
 * message a real host may send at any time.
 */
void
nic_interleave(struct nic *nic)
{
	unsigned int k;

	if (nic->spec->interleave == NETVSP_INTERLEAVE_NO)
		return;
	for (k = 0; k < 3; k++) {
		switch (nic->interleave_turn++ % 3) {
		case 0:
			if (nic->nvsp_ver < NVSP_V5)
				continue;
			send_txtbl(nic);
			break;
		case 1:
			if (!nic->rndis_ready || !nic->recv_connected)
				continue;
			rndis_indicate(nic, nic->link_reported ?
				       RNDIS_STATUS_MEDIA_CONNECT :
				       RNDIS_STATUS_MEDIA_DISCONNECT);
			break;
		default:
			if (nic->spec->interleave != NETVSP_INTERLEAVE_ALL ||
			    !vf_allowed(nic) || !nic->vf_present)
				continue;
			send_vf_association(nic, true);
			break;
		}
		nic->stats.injected++;
		return;
	}
}

/* ---- receive slots ---- */

static void
slots_free(struct nic *nic)
{
	free(nic->slot_free);
	free(nic->slot_owner);
	nic->slot_free = NULL;
	nic->slot_owner = NULL;
	nic->slot_count = 0;
	nic->slot_nfree = 0;
}

static int
slots_init(struct nic *nic, uint32_t size)
{
	uint32_t i, count = (uint32_t)(nic->recv_len / size);

	slots_free(nic);
	if (count <= nic->spec->ctrl_slots + 1)
		return -ENOSPC;
	nic->slot_free = malloc(count * sizeof(uint32_t));
	nic->slot_owner = calloc(count, 1);
	if (nic->slot_free == NULL || nic->slot_owner == NULL) {
		slots_free(nic);
		return -ENOMEM;
	}
	/* A stack: slot 0 goes out first. */
	for (i = 0; i < count; i++)
		nic->slot_free[i] = count - 1 - i;
	nic->slot_size = size;
	nic->slot_count = count;
	nic->slot_nfree = count;
	return 0;
}

int
nic_slot_get(struct nic *nic, bool control, uint8_t **mem)
{
	uint32_t keep = control ? 0 : nic->spec->ctrl_slots, slot;

	if (!nic->recv_connected || nic->slot_nfree <= keep)
		return -ENOSPC;
	slot = nic->slot_free[--nic->slot_nfree];
	*mem = nic->recv_buf + (size_t)slot * nic->slot_size;
	return (int)slot;
}

void
nic_slot_put(struct nic *nic, uint32_t slot)
{
	nic->slot_owner[slot] = 0;
	nic->slot_free[nic->slot_nfree++] = slot;
}

int
nic_slot_post(struct nic *nic, struct nic_chan *c, uint32_t slot,
	      uint32_t len, bool control)
{
	struct {
		struct nvsp_xfer_hdr hdr;
		struct nvsp_xfer_range range;
	} __attribute__((packed)) x = {
		.hdr = { .pageset_id = NVSP_RECV_BUF_ID, .range_count = 1 },
		.range = {
			.byte_count = len,
			.byte_offset = slot * nic->slot_size,
		},
	};
	struct nvsp_rndis_packet m = {
		.type = NVSP_MSG1_RNDIS_PACKET,
		.channel_type = control ? NVSP_RNDIS_CONTROL : NVSP_RNDIS_DATA,
		.section_index = NVSP_NO_SECTION,
	};
	uint8_t msg[NVSP_MSG_SIZE_V61] = { 0 };
	int r;

	memcpy(msg, &m, sizeof(m));
	nic->slot_owner[slot] = (uint8_t)(c->index + 1);
	r = hv_chan_send_hdr(c->ch, HV_PKT_XFER_PAGES, HV_PKT_FLAG_RC, slot,
			     &x, sizeof(x), msg, nic_msg_size(nic));
	if (r < 0) {
		nic_slot_put(nic, slot);
		return r;
	}
	hv_chan_kick(c->ch);
	return 0;
}

static void
ctrl_queue_free(struct nic *nic)
{
	while (nic->ctrl_head != NULL) {
		struct nic_ctrl_item *q = nic->ctrl_head;

		nic->ctrl_head = q->next;
		free(q);
	}
	nic->ctrl_tail = NULL;
}

/* Post queued control messages while slots last. */
static void
ctrl_flush(struct nic *nic)
{
	struct nic_chan *c = nic->chan[0];

	while (c != NULL && nic->ctrl_head != NULL) {
		struct nic_ctrl_item *q = nic->ctrl_head;
		uint8_t *mem;
		int slot = nic_slot_get(nic, true, &mem);

		if (slot < 0)
			return;
		memcpy(mem, q->msg, q->len);
		if (nic_slot_post(nic, c, (uint32_t)slot, q->len, true) < 0)
			return;
		nic->ctrl_head = q->next;
		if (nic->ctrl_head == NULL)
			nic->ctrl_tail = NULL;
		free(q);
	}
}

void
nic_send_control(struct nic *nic, const void *msg, uint32_t len)
{
	struct nic_ctrl_item *q;

	if (len > nic->slot_size || !nic->recv_connected) {
		nic_log(nic, "control message of %u bytes has no receive buffer; dropped",
			len);
		return;
	}
	q = malloc(sizeof(*q) + len);
	if (q == NULL)
		return;
	q->next = NULL;
	q->len = len;
	memcpy(q->msg, msg, len);
	if (nic->ctrl_tail != NULL)
		nic->ctrl_tail->next = q;
	else
		nic->ctrl_head = q;
	nic->ctrl_tail = q;
	ctrl_flush(nic);
}

/* ---- guest sends: wire output and completions ---- */

static void
completion_write(struct nic_chan *c, uint64_t trans_id, uint32_t status)
{
	struct nvsp_rndis_complete m = {
		.type = NVSP_MSG1_RNDIS_PACKET_COMPLETE,
		.status = status,
	};

	send_completion(c, trans_id, &m, sizeof(m));
	c->nic->stats.completions++;
	if (status != NVSP_STATUS_SUCCESS)
		c->nic->stats.completions_failed++;
}

static struct nic_txq_item *
txq_item(uint32_t len)
{
	struct nic_txq_item *it = calloc(1, sizeof(*it) + len);

	return it;
}

static void
txq_append(struct nic_txq_item **head, struct nic_txq_item **tail,
	   struct nic_txq_item *it)
{
	it->next = NULL;
	if (*tail != NULL)
		(*tail)->next = it;
	else
		*head = it;
	*tail = it;
}

static void
txq_free(struct nic_txq_item **head, struct nic_txq_item **tail)
{
	while (*head != NULL) {
		struct nic_txq_item *it = *head;

		*head = it->next;
		free(it);
	}
	*tail = NULL;
}

/* Complete a guest send now, or withhold it ("noack"). */
static void
complete_send(struct nic_chan *c, uint64_t trans_id, uint32_t status)
{
	struct nic *nic = c->nic;
	struct nic_txq_item *it;

	if (!nic->noack) {
		completion_write(c, trans_id, status);
		return;
	}
	it = txq_item(0);
	if (it == NULL)
		return;
	it->completion = true;
	it->trans_id = trans_id;
	it->status = status;
	/* Completions go back where the send came from. */
	it->chan = c->index;
	txq_append(&nic->held_head, &nic->held_tail, it);
	nic->stats.completions_held++;
}

static void
release_held(struct nic *nic)
{
	while (nic->held_head != NULL) {
		struct nic_txq_item *it = nic->held_head;
		struct nic_chan *c = nic_chan_get(nic, it->chan);

		nic->held_head = it->next;
		if (c != NULL)
			completion_write(c, it->trans_id, it->status);
		free(it);
	}
	nic->held_tail = NULL;
}

static int
wire_put(struct nic_chan *c, const uint8_t *frame, uint32_t len)
{
	struct nic *nic = c->nic;
	int r;

	if (nic->port == NULL) {
		nic->stats.tx_no_wire++;
		return 0;
	}
	r = vsw_transmit(nic->port, frame, len);
	if (r == -ENOSPC)
		return r;
	nic->stats.tx_frames++;
	nic->stats.tx_bytes += len;
	nic->stats.q[c->index].tx_frames++;
	return 0;
}

void
nic_wire_tx(struct nic_chan *c, const uint8_t *frame, uint32_t len)
{
	struct nic_txq_item *it;

	if (c->txq_head == NULL && wire_put(c, frame, len) == 0)
		return;
	/* The wire pushed back: keep the frame, read no more from this
	 * channel until it has gone.
	 */
	if (c->txq_head == NULL) {
		c->nic->stats.tx_wire_busy++;
		hv_chan_hold(c->ch, true);
	}
	it = txq_item(len);
	if (it == NULL)
		return;
	it->len = len;
	memcpy(it->frame, frame, len);
	txq_append(&c->txq_head, &c->txq_tail, it);
}

/* The send is done once the frames before it are on the wire. */
static void
tx_complete(struct nic_chan *c, const struct hv_pkt *pkt, uint32_t status)
{
	struct nic_txq_item *it;

	if (!(pkt->flags & HV_PKT_FLAG_RC))
		return;
	if (c->txq_head == NULL) {
		complete_send(c, pkt->trans_id, status);
		return;
	}
	it = txq_item(0);
	if (it == NULL)
		return;
	it->completion = true;
	it->trans_id = pkt->trans_id;
	it->status = status;
	txq_append(&c->txq_head, &c->txq_tail, it);
}

/* Retry what the wire pushed back; true if something is still waiting. */
static bool
txq_flush(struct nic_chan *c)
{
	while (c->txq_head != NULL) {
		struct nic_txq_item *it = c->txq_head;

		if (it->completion)
			complete_send(c, it->trans_id, it->status);
		else if (wire_put(c, it->frame, it->len) == -ENOSPC)
			return true;
		c->txq_head = it->next;
		if (c->txq_head == NULL)
			c->txq_tail = NULL;
		free(it);
	}
	hv_chan_hold(c->ch, false);
	return false;
}

/* ---- session ---- */

static void
session_reset(struct nic *nic)
{
	nic->nvsp_ver = 0;
	nic->ndis_ver = 0;
	nic->ndis_config = false;
	nic->mtu = NVSP_MTU_DEFAULT;
	nic->caps = 0;
	nic->recv_connected = false;
	slots_free(nic);
	nic->send_connected = false;
	nic->section_count = 0;
	nic->subch_granted = 0;
	nic->subch_opened = 0;
	nic->txtbl_sent = false;
	ctrl_queue_free(nic);
	txq_free(&nic->held_head, &nic->held_tail);
	nic->vf_announced = false;
	nic->data_path_up = false;
	if (nic->datapath_vf)
		set_datapath(nic, false);
	rndis_reset(nic);
}

/* ---- NVSP messages from the guest ---- */

/* Minimum NVSP version of each guest message type; 0: not from a guest. */
static uint32_t
msg_min_version(uint32_t type)
{
	switch (type) {
	case NVSP_MSG_INIT:
	case NVSP_MSG1_NDIS_VERSION:
	case NVSP_MSG1_RECV_BUF:
	case NVSP_MSG1_REVOKE_RECV_BUF:
	case NVSP_MSG1_SEND_BUF:
	case NVSP_MSG1_REVOKE_SEND_BUF:
	case NVSP_MSG1_RNDIS_PACKET:
		return NVSP_V1;
	case NVSP_MSG2_NDIS_CONFIG:
		return NVSP_V2;
	case NVSP_MSG4_SWITCH_DATA_PATH:
		return NVSP_V4;
	case NVSP_MSG5_SUBCHANNEL:
		return NVSP_V5;
	default:
		return 0;
	}
}

static bool
need_len(struct nic *nic, const struct hv_pkt *pkt, uint32_t len, const char *what)
{
	if (pkt->payload_len >= len)
		return true;
	nic_proto_error(nic, "%s: %u-byte message, needs %u", what,
			pkt->payload_len, len);
	return false;
}

/* Answer a synchronous request, if the guest asked for an answer. */
static void
answer(struct nic_chan *c, const struct hv_pkt *pkt, const void *msg,
       uint32_t len, const char *what)
{
	if (!(pkt->flags & HV_PKT_FLAG_RC)) {
		nic_log(c->nic, "%s without completion requested: no answer", what);
		return;
	}
	nic_interleave(c->nic);
	send_completion(c, pkt->trans_id, msg, len);
}

/* Messages that have no answer still get a completion if asked for. */
static void
ack_if_asked(struct nic_chan *c, const struct hv_pkt *pkt, uint32_t type,
	     uint32_t status)
{
	struct nvsp_rndis_complete m = { .type = type, .status = status };

	if (pkt->flags & HV_PKT_FLAG_RC)
		send_completion(c, pkt->trans_id, &m, sizeof(m));
}

static void
on_init(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_init m;
	struct nvsp_init_complete r = {
		.type = NVSP_MSG_INIT_COMPLETE,
		.deprecated = 0xffffffffu,
		.max_mdl_chain = NVSP_MAX_MDL_CHAIN,
		.status = NVSP_STATUS_FAILURE,
	};
	uint32_t v = 0;
	int i;

	if (!need_len(nic, pkt, sizeof(m), "INIT"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (nic->nvsp_ver != 0) {
		nic_proto_error(nic, "INIT again after version %#x was agreed",
				nic->nvsp_ver);
		answer(c, pkt, &r, sizeof(r), "INIT");
		return;
	}
	for (i = (int)(sizeof(nvsp_versions) / sizeof(nvsp_versions[0])) - 1; i >= 0; i--) {
		uint32_t cand = nvsp_versions[i];

		if (cand >= m.ver_min && cand <= m.ver_max &&
		    cand >= nic->spec->nvsp_min && cand <= nic->spec->nvsp_max) {
			v = cand;
			break;
		}
	}
	if (v == 0) {
		if (sim_verbose)
			nic_log(nic, "INIT for %#x..%#x refused", m.ver_min, m.ver_max);
		answer(c, pkt, &r, sizeof(r), "INIT");
		return;
	}
	nic->nvsp_ver = v;
	/* Until NDIS_VERSION: what the guests pick for this version. */
	nic->ndis_ver = v <= NVSP_V4 ? NVSP_NDIS_6_1 : NVSP_NDIS_6_30;
	r.status = NVSP_STATUS_SUCCESS;
	if (v == NVSP_V1)
		r.deprecated = v;
	if (sim_verbose)
		nic_log(nic, "NVSP version %#x", v);
	answer(c, pkt, &r, sizeof(r), "INIT");
}

static void
on_ndis_version(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_ndis_version m;

	if (!need_len(nic, pkt, sizeof(m), "NDIS_VERSION"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (m.major != 6 || m.minor > 30) {
		nic_proto_error(nic, "NDIS version %u.%u not supported", m.major, m.minor);
		ack_if_asked(c, pkt, NVSP_MSG1_NDIS_VERSION, NVSP_STATUS_FAILURE);
		return;
	}
	if (nic->recv_connected)
		nic_proto_error(nic, "NDIS_VERSION after the receive buffer");
	nic->ndis_ver = m.major << 16 | m.minor;
	ack_if_asked(c, pkt, NVSP_MSG1_NDIS_VERSION, NVSP_STATUS_SUCCESS);
}

static void
on_ndis_config(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_ndis_config m;

	if (!need_len(nic, pkt, sizeof(m), "NDIS_CONFIG"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (nic->recv_connected) {
		nic_proto_error(nic, "NDIS_CONFIG after the receive buffer: ignored");
		ack_if_asked(c, pkt, NVSP_MSG2_NDIS_CONFIG, NVSP_STATUS_FAILURE);
		return;
	}
	if (m.mtu < NVSP_MTU_MIN || m.mtu > NVSP_MTU_MAX) {
		nic_log(nic, "NDIS_CONFIG MTU %u out of %u..%u: using %u", m.mtu,
			NVSP_MTU_MIN, NVSP_MTU_MAX, NVSP_MTU_DEFAULT);
		m.mtu = NVSP_MTU_DEFAULT;
	}
	nic->mtu = m.mtu;
	nic->caps = m.caps;
	nic->ndis_config = true;
	ack_if_asked(c, pkt, NVSP_MSG2_NDIS_CONFIG, NVSP_STATUS_SUCCESS);
}

static void
on_recv_buf(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_recv_buf_complete r = {
		.type = NVSP_MSG1_RECV_BUF_COMPLETE,
		.status = NVSP_STATUS_FAILURE,
	};
	struct nvsp_buf m;
	uint32_t size;

	if (!need_len(nic, pkt, sizeof(m), "SEND_RECEIVE_BUFFER"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	size = nic->spec->slot_size;
	if (size == 0)
		size = (SLOT_HEADROOM + nic->mtu + SLOT_TAILROOM + 7) & ~7u;
	if (nic->recv_connected)
		nic_proto_error(nic, "receive buffer sent twice");
	else if (nic->nvsp_ver >= NVSP_V2 && !nic->ndis_config)
		nic_proto_error(nic, "receive buffer before NDIS_CONFIG (version %#x)",
				nic->nvsp_ver);
	else if (m.gpadl != nic->recv_gpadl)
		nic_proto_error(nic, "receive buffer GPADL %u is not the recv: map's %u",
				m.gpadl, nic->recv_gpadl);
	else if (m.id != NVSP_RECV_BUF_ID)
		nic_proto_error(nic, "receive buffer id %#x, not %#x", m.id,
				NVSP_RECV_BUF_ID);
	else if (slots_init(nic, size) < 0)
		nic_log(nic, "receive buffer of %zu bytes too small for %u-byte slots",
			nic->recv_len, size);
	else
		r.status = NVSP_STATUS_SUCCESS;
	if (r.status == NVSP_STATUS_SUCCESS) {
		nic->recv_connected = true;
		r.num_sections = 1;
		r.section.offset = 0;
		r.section.sub_alloc_size = nic->slot_size;
		r.section.sub_alloc_count = nic->slot_count;
		r.section.end_offset = nic->slot_size * nic->slot_count;
		if (sim_verbose)
			nic_log(nic, "receive buffer: %u slots of %u bytes",
				nic->slot_count, nic->slot_size);
	}
	answer(c, pkt, &r, sizeof(r), "SEND_RECEIVE_BUFFER");
}

static void
on_send_buf(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_send_buf_complete r = {
		.type = NVSP_MSG1_SEND_BUF_COMPLETE,
		.status = NVSP_STATUS_FAILURE,
	};
	struct nvsp_buf m;

	if (!need_len(nic, pkt, sizeof(m), "SEND_SEND_BUFFER"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (nic->send_connected)
		nic_proto_error(nic, "send buffer sent twice");
	else if (m.gpadl != nic->send_gpadl)
		nic_proto_error(nic, "send buffer GPADL %u is not the send: map's %u",
				m.gpadl, nic->send_gpadl);
	else if (m.id != NVSP_SEND_BUF_ID && m.id != 0)
		nic_proto_error(nic, "send buffer id %#x", m.id);
	else
		r.status = NVSP_STATUS_SUCCESS;
	if (r.status == NVSP_STATUS_SUCCESS) {
		nic->send_connected = true;
		nic->section_count = (uint32_t)(nic->send_len / NETVSP_SECTION_SIZE);
		r.section_size = NETVSP_SECTION_SIZE;
	}
	answer(c, pkt, &r, sizeof(r), "SEND_SEND_BUFFER");
}

static void
on_revoke(struct nic_chan *c, const struct hv_pkt *pkt, bool recv)
{
	struct nic *nic = c->nic;
	struct nvsp_revoke_buf m;
	bool *connected = recv ? &nic->recv_connected : &nic->send_connected;

	if (!need_len(nic, pkt, sizeof(m), "REVOKE_BUFFER"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (!*connected) {
		nic_proto_error(nic, "%s buffer revoked but not connected",
				recv ? "receive" : "send");
	} else if (recv ? m.id != NVSP_RECV_BUF_ID :
		   (m.id != NVSP_SEND_BUF_ID && m.id != 0)) {
		nic_proto_error(nic, "revoke of buffer id %#x", m.id);
	} else {
		/* Slots still out stay valid for their completions. */
		*connected = false;
		if (recv)
			ctrl_queue_free(nic);
	}
	ack_if_asked(c, pkt, recv ? NVSP_MSG1_REVOKE_RECV_BUF :
		     NVSP_MSG1_REVOKE_SEND_BUF, NVSP_STATUS_SUCCESS);
}

static void
on_switch_data_path(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_switch_data_path m;
	uint32_t status = NVSP_STATUS_SUCCESS;

	if (!need_len(nic, pkt, sizeof(m), "SWITCH_DATA_PATH"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (m.active_path == NVSP_DATA_PATH_VF && !nic->vf_announced) {
		nic_proto_error(nic, "data path to a VF the host did not offer");
		status = NVSP_STATUS_FAILURE;
	} else if (m.active_path > NVSP_DATA_PATH_VF) {
		nic_proto_error(nic, "data path %u", m.active_path);
		status = NVSP_STATUS_FAILURE;
	} else {
		set_datapath(nic, m.active_path == NVSP_DATA_PATH_VF);
		if (sim_verbose)
			nic_log(nic, "data path %s", nic->datapath_vf ? "VF" : "synthetic");
	}
	ack_if_asked(c, pkt, NVSP_MSG4_SWITCH_DATA_PATH, status);
}

static void
on_subchannel(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct hv_dev_spec *spec = &hv_cfg.dev[hv_dev_index(nic->dev)];
	struct nvsp_subchannel_complete r = {
		.type = NVSP_MSG5_SUBCHANNEL,
		.status = NVSP_STATUS_FAILURE,
	};
	struct nvsp_subchannel m;

	if (!need_len(nic, pkt, sizeof(m), "SUBCHANNEL"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (m.op != NVSP_SUBCH_ALLOCATE) {
		nic_proto_error(nic, "sub-channel operation %u", m.op);
	} else if (m.count == 0 || m.count > spec->max_subch) {
		/* The request must stay below the number of queues. */
		nic_log(nic, "%u sub-channels asked, %u queues: refused", m.count,
			1 + spec->max_subch);
	} else {
		r.count = hv_dev_offer_subch(nic->dev, m.count);
		nic->subch_granted += r.count;
		r.status = NVSP_STATUS_SUCCESS;
		if (sim_verbose)
			nic_log(nic, "%u sub-channels asked, %u granted", m.count, r.count);
	}
	answer(c, pkt, &r, sizeof(r), "SUBCHANNEL");
}

/* The guest's 107 once its RNDIS bytes are in c->msg (total bytes, of
 * which first were in the first GPA range or the whole section).
 */
static void
rndis_from_guest(struct nic_chan *c, const struct hv_pkt *pkt, uint32_t type,
		 uint32_t total, uint32_t first, bool section)
{
	struct nic *nic = c->nic;
	uint32_t status = NVSP_STATUS_SUCCESS, off = 0, n = 0;
	uint32_t align = 8;

	if (type == NVSP_RNDIS_CONTROL) {
		nic->stats.ctrl_msgs++;
		if (c->index != 0) {
			nic_proto_error(nic, "RNDIS control on sub-channel %u", c->index);
			status = NVSP_STATUS_FAILURE;
		} else if (rndis_control(nic, c->msg, total) < 0) {
			status = NVSP_STATUS_FAILURE;
		}
		tx_complete(c, pkt, status);
		return;
	}
	if (!nic->rndis_ready) {
		nic_proto_error(nic, "RNDIS data before RNDIS INITIALIZE");
		tx_complete(c, pkt, NVSP_STATUS_FAILURE);
		return;
	}
	/* Aggregated messages: back to back, each at the alignment the
	 * host announced, at most the announced count.
	 */
	while (off < total) {
		uint32_t len;

		if (total - off < sizeof(struct rndis_msg_hdr)) {
			nic_proto_error(nic, "%u stray bytes after RNDIS message %u",
					total - off, n);
			status = NVSP_STATUS_FAILURE;
			break;
		}
		len = rd32(c->msg + off + 4);
		if (len < sizeof(struct rndis_msg_hdr) || len > total - off) {
			nic_proto_error(nic, "RNDIS message %u: length %u, %u bytes left",
					n, len, total - off);
			status = NVSP_STATUS_FAILURE;
			break;
		}
		if (n == nic->spec->agg_pkts) {
			nic_proto_error(nic, "more than %u RNDIS messages in one send",
					nic->spec->agg_pkts);
			status = NVSP_STATUS_FAILURE;
			break;
		}
		if (rndis_tx_packet(c, c->msg + off, len, section ? len : first) < 0) {
			nic->stats.tx_dropped++;
			status = NVSP_STATUS_FAILURE;
		}
		n++;
		off += len;
		if (!section)
			break;
		if (off < total && (off & (align - 1)) != 0) {
			nic_proto_error(nic, "RNDIS message %u at offset %u is not %u-aligned",
					n, off, align);
			status = NVSP_STATUS_FAILURE;
			break;
		}
	}
	if (!section && off < total && status == NVSP_STATUS_SUCCESS) {
		nic_proto_error(nic, "%u bytes after the RNDIS message", total - off);
		status = NVSP_STATUS_FAILURE;
	}
	tx_complete(c, pkt, status);
}

static void
on_rndis_section(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_rndis_packet m;

	if (!need_len(nic, pkt, sizeof(m), "RNDIS_PACKET"))
		return;
	memcpy(&m, pkt->payload, sizeof(m));
	if (m.channel_type > NVSP_RNDIS_CONTROL) {
		nic_proto_error(nic, "RNDIS channel type %u", m.channel_type);
	} else if (m.section_index == NVSP_NO_SECTION) {
		nic_proto_error(nic, "inband RNDIS_PACKET without data (no section)");
	} else if (!nic->send_connected) {
		nic_proto_error(nic, "send section %u without a send buffer",
				m.section_index);
	} else if (m.section_index >= nic->section_count ||
		   m.section_size == 0 || m.section_size > NETVSP_SECTION_SIZE) {
		nic_proto_error(nic, "send section %u size %u (%u sections of %u)",
				m.section_index, m.section_size, nic->section_count,
				NETVSP_SECTION_SIZE);
	} else if (m.section_size > nic->spec->agg_size) {
		nic_proto_error(nic, "send of %u bytes, more than the %u announced",
				m.section_size, nic->spec->agg_size);
	} else {
		/* A private copy: the guest may write the section meanwhile. */
		memcpy(c->msg, nic->send_buf + (size_t)m.section_index * NETVSP_SECTION_SIZE,
		       m.section_size);
		rndis_from_guest(c, pkt, m.channel_type, m.section_size,
				 m.section_size, true);
		return;
	}
	tx_complete(c, pkt, NVSP_STATUS_FAILURE);
}

static void
on_gpa_direct(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	struct nvsp_rndis_packet m;
	uint32_t i, total = 0;

	if (pkt->payload_len < sizeof(m) ||
	    rd32(pkt->payload) != NVSP_MSG1_RNDIS_PACKET) {
		nic_proto_error(nic, "GPA-direct packet without RNDIS_PACKET");
		tx_complete(c, pkt, NVSP_STATUS_FAILURE);
		return;
	}
	if (nic->nvsp_ver == 0) {
		nic_proto_error(nic, "RNDIS_PACKET before INIT");
		tx_complete(c, pkt, NVSP_STATUS_FAILURE);
		return;
	}
	memcpy(&m, pkt->payload, sizeof(m));
	if (m.channel_type > NVSP_RNDIS_CONTROL || m.section_index != NVSP_NO_SECTION ||
	    m.section_size != 0) {
		nic_proto_error(nic, "GPA-direct RNDIS with channel type %u section %#x size %u",
				m.channel_type, m.section_index, m.section_size);
		tx_complete(c, pkt, NVSP_STATUS_FAILURE);
		return;
	}
	for (i = 0; i < pkt->range_count; i++) {
		const struct hv_gpa_range *g = &pkt->ranges[i];
		uint64_t gpa = g->pfn * HV_PAGE_SIZE + g->offset;

		if (g->len > NETVSP_MAX_TX_MSG - total) {
			nic_proto_error(nic, "GPA-direct send of more than %u bytes",
					NETVSP_MAX_TX_MSG);
			tx_complete(c, pkt, NVSP_STATUS_FAILURE);
			return;
		}
		if (hv_gpa_read(gpa, c->msg + total, g->len) < 0) {
			nic_proto_error(nic, "GPA range %u (%#" PRIx64 ", %u bytes) unreadable",
					i, gpa, g->len);
			tx_complete(c, pkt, NVSP_STATUS_FAILURE);
			return;
		}
		total += g->len;
	}
	rndis_from_guest(c, pkt, m.channel_type, total, pkt->ranges[0].len, false);
}

static void
on_inband(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	uint32_t type, min;

	if (pkt->payload_len < sizeof(struct nvsp_hdr)) {
		nic_proto_error(nic, "queue %u: inband packet of %u bytes", c->index,
				pkt->payload_len);
		return;
	}
	type = rd32(pkt->payload);
	min = msg_min_version(type);
	if (min == 0) {
		nic_proto_error(nic, "queue %u: NVSP message type %u from the guest",
				c->index, type);
		return;
	}
	if (type != NVSP_MSG_INIT && nic->nvsp_ver == 0) {
		nic_proto_error(nic, "NVSP message %u before INIT", type);
		return;
	}
	if (type != NVSP_MSG_INIT && nic->nvsp_ver < min) {
		nic_proto_error(nic, "NVSP message %u needs version %#x, agreed %#x",
				type, min, nic->nvsp_ver);
		return;
	}
	if (c->index != 0 && type != NVSP_MSG1_RNDIS_PACKET) {
		nic_proto_error(nic, "NVSP message %u on sub-channel %u", type, c->index);
		return;
	}
	switch (type) {
	case NVSP_MSG_INIT:
		on_init(c, pkt);
		break;
	case NVSP_MSG1_NDIS_VERSION:
		on_ndis_version(c, pkt);
		break;
	case NVSP_MSG2_NDIS_CONFIG:
		on_ndis_config(c, pkt);
		break;
	case NVSP_MSG1_RECV_BUF:
		on_recv_buf(c, pkt);
		break;
	case NVSP_MSG1_REVOKE_RECV_BUF:
		on_revoke(c, pkt, true);
		break;
	case NVSP_MSG1_SEND_BUF:
		on_send_buf(c, pkt);
		break;
	case NVSP_MSG1_REVOKE_SEND_BUF:
		on_revoke(c, pkt, false);
		break;
	case NVSP_MSG1_RNDIS_PACKET:
		on_rndis_section(c, pkt);
		break;
	case NVSP_MSG4_SWITCH_DATA_PATH:
		on_switch_data_path(c, pkt);
		break;
	case NVSP_MSG5_SUBCHANNEL:
		on_subchannel(c, pkt);
		break;
	}
}

/* A completion from the guest: a receive slot given back, or the answer
 * to a host request.
 */
static void
on_completion(struct nic_chan *c, const struct hv_pkt *pkt)
{
	struct nic *nic = c->nic;
	uint64_t slot = pkt->trans_id;

	if (slot == NVSP_TID_VF_ASSOCIATION || slot == NVSP_TID_SWITCH_DATA_PATH)
		return;
	if (pkt->payload_len < sizeof(struct nvsp_rndis_complete) ||
	    rd32(pkt->payload) != NVSP_MSG1_RNDIS_PACKET_COMPLETE) {
		nic_proto_error(nic, "queue %u: completion %#" PRIx64 " is not RNDIS_PACKET_COMPLETE",
				c->index, slot);
		nic->stats.bad_acks++;
		return;
	}
	if (slot >= nic->slot_count || nic->slot_owner[slot] == 0) {
		nic_proto_error(nic, "queue %u: completion for receive slot %" PRIu64
				" that is not the guest's", c->index, slot);
		nic->stats.bad_acks++;
		return;
	}
	if (nic->slot_owner[slot] != c->index + 1) {
		nic_proto_error(nic, "queue %u: completion for slot %" PRIu64
				" sent on queue %u", c->index, slot,
				nic->slot_owner[slot] - 1);
		nic->stats.bad_acks++;
		return;
	}
	/* The slot comes back whatever the status; only 1 and 2 exist. */
	if (rd32(pkt->payload + 4) != NVSP_STATUS_SUCCESS &&
	    rd32(pkt->payload + 4) != NVSP_STATUS_FAILURE)
		nic_proto_error(nic, "queue %u: completion status %u", c->index,
				rd32(pkt->payload + 4));
	nic->stats.acks++;
	nic_slot_put(nic, (uint32_t)slot);
	ctrl_flush(nic);
}

/* ---- the service ---- */

static struct nic *
chan_nic(struct hv_chan *ch)
{
	return nics[hv_dev_index(hv_chan_dev(ch))];
}

static void
netvsp_open(struct hv_chan *ch)
{
	struct nic_chan *c = hv_chan_priv(ch);
	struct nic *nic = chan_nic(ch);

	if (nic == NULL)
		return;
	c->nic = nic;
	c->ch = ch;
	c->index = hv_chan_index(ch);
	c->msg = malloc(NETVSP_MAX_TX_MSG);
	nic->chan[c->index] = c;
	if (c->index == 0) {
		session_reset(nic);
		nic->session = true;
		return;
	}
	nic->subch_opened++;
	/* All granted sub-channels are open: tell the guest where to send. */
	if (nic->subch_opened == nic->subch_granted && !nic->txtbl_sent &&
	    nic->nvsp_ver >= NVSP_V5) {
		nic->txtbl_sent = true;
		send_txtbl(nic);
	}
}

static void
netvsp_close(struct hv_chan *ch)
{
	struct nic_chan *c = hv_chan_priv(ch);
	struct nic *nic = c->nic;

	if (nic == NULL)
		return;
	txq_free(&c->txq_head, &c->txq_tail);
	free(c->msg);
	c->msg = NULL;
	nic->chan[c->index] = NULL;
	if (c->index == 0) {
		session_reset(nic);
		nic->session = false;
	}
}

static void
netvsp_packet(struct hv_chan *ch, const struct hv_pkt *pkt)
{
	struct nic_chan *c = hv_chan_priv(ch);

	if (c->nic == NULL || c->msg == NULL)
		return;
	switch (pkt->type) {
	case HV_PKT_COMP:
		on_completion(c, pkt);
		break;
	case HV_PKT_INBAND:
		on_inband(c, pkt);
		break;
	case HV_PKT_GPA_DIRECT:
		on_gpa_direct(c, pkt);
		break;
	default:
		nic_proto_error(c->nic, "queue %u: VMBus packet type %u", c->index,
				pkt->type);
		break;
	}
}

static int
nic_deliver(void *arg, const uint8_t *frame, uint32_t len)
{
	return rndis_rx_frame(arg, frame, len);
}

static void
nic_link(void *arg, bool up)
{
	struct nic *nic = arg;

	nic->wire_up = up;
}

static const struct vsw_nic_ops nic_ops = {
	.deliver = nic_deliver,
	.link = nic_link,
};

static void *
map_buffer(unsigned int dev, unsigned int map, size_t *len)
{
	char path[SIM_PATH_MAX];

	*len = hv_map_size(dev, map);
	hv_map_file(path, sizeof(path), dev, map);
	return sim_map_file(path, *len);
}

static void
netvsp_dev_init(struct hv_dev *dev)
{
	unsigned int idx = hv_dev_index(dev);
	const struct hv_dev_spec *spec = &hv_cfg.dev[idx];
	struct nic *nic;
	int index = vsw_nic_index(idx);

	/* A netvsc device bound to another driver has no buffers. */
	if (!spec->uio || index < 0)
		return;
	nic = calloc(1, sizeof(*nic));
	if (nic == NULL)
		return;
	nic->index = (unsigned int)index;
	nic->dev = dev;
	nic->spec = &spec->nic;
	vsw_nic_mac(nic->index, nic->mac);
	nic->recv_buf = map_buffer(idx, RECV_MAP, &nic->recv_len);
	nic->send_buf = map_buffer(idx, SEND_MAP, &nic->send_len);
	nic->recv_gpadl = hv_shm->dev[idx].gpadl[RECV_MAP];
	nic->send_gpadl = hv_shm->dev[idx].gpadl[SEND_MAP];
	if (nic->recv_buf == NULL || nic->send_buf == NULL) {
		sim_log(HV_LOG, "nic %u: cannot map its buffers", nic->index);
		free(nic);
		return;
	}
	nic->admin_up = !nic->spec->link_down;
	nic->vf_present = true;
	nic->mtu = NVSP_MTU_DEFAULT;
	nic->port = vsw_attach_nic(nic->index, nic->mac, &nic_ops, nic);
	nic->wire_up = nic->port != NULL && vsw_link_up(nic->port);
	nic->link_reported = rndis_link_state(nic);
	rndis_reset(nic);
	nics[idx] = nic;
}

static void
netvsp_dev_tick(struct hv_dev *dev, uint64_t now, uint64_t *next)
{
	struct nic *nic = nics[hv_dev_index(dev)];
	unsigned int i;

	if (nic == NULL)
		return;
	for (i = 0; i < HV_MAX_CHANNELS; i++) {
		struct nic_chan *c = nic->chan[i];

		if (c != NULL && c->txq_head != NULL && txq_flush(c) &&
		    now + RETRY_NS < *next)
			*next = now + RETRY_NS;
	}
	rndis_link_update(nic, now, next);
}

static size_t nic_report(struct nic *nic, char *out, size_t len);

/* The counters once more at the end, one "hvsim-nic:" line each. */
static void
final_report(struct nic *nic)
{
	static char buf[16384];
	char *line, *save = NULL;

	nic_report(nic, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char pre[] = "hvsim-nic: ";

		if (sim_raw_write(2, pre, sizeof(pre) - 1) < 0 ||
		    sim_raw_write(2, line, strlen(line)) < 0 ||
		    sim_raw_write(2, "\n", 1) < 0)
			return;
	}
}

static void
netvsp_dev_fini(struct hv_dev *dev)
{
	unsigned int idx = hv_dev_index(dev);
	struct nic *nic = nics[idx];

	if (nic == NULL)
		return;
	/* Only NICs a guest talked to, so other tests stay quiet. */
	if (nic->stats.ctrl_msgs != 0)
		final_report(nic);
	if (nic->port != NULL)
		vsw_detach_nic(nic->port);
	ctrl_queue_free(nic);
	txq_free(&nic->held_head, &nic->held_tail);
	slots_free(nic);
	sim_raw_munmap(nic->recv_buf, nic->recv_len);
	sim_raw_munmap(nic->send_buf, nic->send_len);
	free(nic);
	nics[idx] = NULL;
}

/* ---- control commands ---- */

static struct nic *
nic_find(const char *arg)
{
	unsigned int i;
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	for (i = 0; i < HV_MAX_DEVICES; i++) {
		struct nic *nic = nics[i];

		if (nic == NULL)
			continue;
		if ((*end == '\0' && end != arg && nic->index == n) ||
		    strcasecmp(hv_cfg.dev[i].id, arg) == 0)
			return nic;
	}
	return NULL;
}

#define STAT(name) { #name, offsetof(struct nic_stats, name) }
static const struct {
	const char *name;
	size_t off;
} stat_names[] = {
	STAT(rx_frames), STAT(rx_bytes), STAT(rx_held), STAT(rx_no_slot),
	STAT(rx_dropped_down), STAT(rx_dropped_filter), STAT(rx_dropped_size),
	STAT(rx_vlan_stripped), STAT(rx_csum_ok), STAT(rx_csum_bad),
	STAT(rx_hashed), STAT(rx_rss_fallback), STAT(tx_packets), STAT(tx_frames),
	STAT(tx_bytes), STAT(tx_no_wire), STAT(tx_wire_busy), STAT(tx_csum_ip),
	STAT(tx_csum_tcp), STAT(tx_csum_udp), STAT(tx_lso_packets),
	STAT(tx_lso_segments), STAT(tx_vlan_inserted), STAT(tx_offload_errors),
	STAT(tx_offload_unneg), STAT(tx_dropped), STAT(completions),
	STAT(completions_failed), STAT(completions_held), STAT(acks),
	STAT(bad_acks), STAT(proto_errors), STAT(ctrl_msgs), STAT(ctrl_responses),
	STAT(indications), STAT(link_changes), STAT(vf_assoc_sent),
	STAT(datapath_switches), STAT(txtbl_sent), STAT(injected),
};

/* Channels the host stopped serving: ring-level corruption. */
static unsigned int
corrupt_channels(const struct nic *nic)
{
	const struct hv_shm_dev *d = &hv_shm->dev[hv_dev_index(nic->dev)];
	unsigned int i, n = 0;

	for (i = 0; i < HV_MAX_CHANNELS; i++)
		n += d->chan[i].stats.corrupt != 0;
	return n;
}

static size_t
nic_report(struct nic *nic, char *out, size_t len)
{
	size_t off = 0;
	unsigned int i;

#define PUT(...) do { \
		if (off < len) \
			off += (size_t)snprintf(out + off, len - off, __VA_ARGS__); \
	} while (0)
	PUT("nic=%u uuid=%s mac=%02x:%02x:%02x:%02x:%02x:%02x session=%s nvsp=%#x "
	    "ndis=%u.%u mtu=%u link=%s filter=%#x rss=%s channels=%u "
	    "slots=%u slot_size=%u acks_outstanding=%u datapath=%s vf=%s noack=%s",
	    nic->index, hv_cfg.dev[hv_dev_index(nic->dev)].id, nic->mac[0],
	    nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5],
	    nic->session ? "open" : "closed", nic->nvsp_ver, nic->ndis_ver >> 16,
	    nic->ndis_ver & 0xffff, nic->mtu,
	    rndis_link_state(nic) ? "up" : "down", nic->filter,
	    nic->rss_on ? "on" : "off", nic_num_channels(nic), nic->slot_count,
	    nic->slot_size, nic->slot_count - nic->slot_nfree,
	    nic->datapath_vf ? "vf" : "synthetic",
	    nic->vf_announced ? "announced" : (nic->port != NULL &&
	    vsw_vf_ifname(nic->port) != NULL ? "idle" : "none"),
	    nic->noack ? "on" : "off");
	PUT(" corrupt_channels=%u", corrupt_channels(nic));
	for (i = 0; i < sizeof(stat_names) / sizeof(stat_names[0]); i++)
		PUT(" %s=%" PRIu64, stat_names[i].name,
		    *(const uint64_t *)((const uint8_t *)&nic->stats + stat_names[i].off));
	PUT("\n");
	for (i = 0; i < nic_num_channels(nic) && i < HV_MAX_CHANNELS; i++)
		PUT("nic=%u queue=%u open=%s rx_frames=%" PRIu64 " tx_frames=%" PRIu64 "\n",
		    nic->index, i, nic->chan[i] != NULL ? "yes" : "no",
		    nic->stats.q[i].rx_frames, nic->stats.q[i].tx_frames);
#undef PUT
	return off;
}

/* Fault injection: a packet that is well formed for the ring but wrong
 * for NVSP or RNDIS, as a buggy or hostile host might send.
 */
static int
inject(struct nic *nic, const char *kind, unsigned int q, char *out, size_t len)
{
	struct nic_chan *c = nic_chan_get(nic, q);
	uint8_t *mem;
	int slot;

	if (c == NULL || !nic->recv_connected) {
		snprintf(out, len, "queue %u is not open with a receive buffer\n", q);
		return -ENOTCONN;
	}
	if (strcmp(kind, "nvsp-unknown") == 0) {
		struct nvsp_hdr m = { .type = 999 };

		send_inband(c, 0, hv_chan_new_trans_id(c->ch), &m, sizeof(m), NULL, 0);
	} else if (strcmp(kind, "comp-unknown") == 0) {
		struct nvsp_rndis_complete m = {
			.type = NVSP_MSG1_RNDIS_PACKET_COMPLETE,
			.status = NVSP_STATUS_SUCCESS,
		};

		send_completion(c, 0x5a5a5a5a5a5aull, &m, sizeof(m));
	} else if (strcmp(kind, "indicate-unknown") == 0) {
		if (q != 0 || !nic->rndis_ready) {
			snprintf(out, len, "needs queue 0 and RNDIS initialized\n");
			return -EINVAL;
		}
		rndis_indicate(nic, 0x40ffff00u);
	} else if (strcmp(kind, "xfer-id") == 0 || strcmp(kind, "xfer-range") == 0 ||
		   strcmp(kind, "xfer-tid") == 0 || strcmp(kind, "rndis-len") == 0) {
		struct {
			struct nvsp_xfer_hdr hdr;
			struct nvsp_xfer_range range;
		} __attribute__((packed)) x = {
			.hdr = { .pageset_id = NVSP_RECV_BUF_ID, .range_count = 1 },
		};
		struct nvsp_rndis_packet m = {
			.type = NVSP_MSG1_RNDIS_PACKET,
			.section_index = NVSP_NO_SECTION,
		};
		struct rndis_packet p = {
			.type = RNDIS_MSG_PACKET,
			.len = sizeof(p) + 60,
			.data_offset = RNDIS_PACKET_OFFSET_MIN,
			.data_len = 60,
		};
		uint8_t msg[NVSP_MSG_SIZE_V61] = { 0 };
		uint64_t tid;

		slot = nic_slot_get(nic, true, &mem);
		if (slot < 0) {
			snprintf(out, len, "no free receive slot\n");
			return -ENOSPC;
		}
		tid = (uint64_t)slot;
		x.range.byte_count = sizeof(p) + 60;
		x.range.byte_offset = (uint32_t)slot * nic->slot_size;
		if (strcmp(kind, "xfer-id") == 0)
			x.hdr.pageset_id = 0xbeef;
		else if (strcmp(kind, "xfer-range") == 0)
			x.range.byte_offset = (uint32_t)nic->recv_len - 8;
		else if (strcmp(kind, "xfer-tid") == 0)
			tid = nic->slot_count;  /* one past the last slot */
		else
			p.len = 1u << 20;       /* longer than the range */
		memset(mem, 0, sizeof(p) + 60);
		memcpy(mem, &p, sizeof(p));
		memcpy(msg, &m, sizeof(m));
		/* The guest owns the slot; its completion (if it can tell
		 * which) gives it back, else it is lost, as on Hyper-V.
		 */
		nic->slot_owner[slot] = (uint8_t)(c->index + 1);
		hv_chan_send_hdr(c->ch, HV_PKT_XFER_PAGES, HV_PKT_FLAG_RC, tid,
				 &x, sizeof(x), msg, nic_msg_size(nic));
		hv_chan_kick(c->ch);
	} else {
		snprintf(out, len, "inject kinds: nvsp-unknown comp-unknown indicate-unknown "
			 "xfer-id xfer-range xfer-tid rndis-len\n");
		return -EINVAL;
	}
	nic->stats.injected++;
	return 0;
}

/* Ring-level corruption of the guest's receive ring. */
static int
corrupt(struct nic *nic, const char *kind, unsigned int q, char *out, size_t len)
{
	struct nic_chan *c = nic_chan_get(nic, q);
	uint64_t raw[4] = { 0 };
	struct hv_pkt_desc d = {
		.type = HV_PKT_INBAND,
		.offset8 = 2,
		.len8 = 4,
		.trans_id = 0,
	};

	if (c == NULL) {
		snprintf(out, len, "queue %u is not open\n", q);
		return -ENOTCONN;
	}
	if (strcmp(kind, "desc") == 0) {
		d.offset8 = 6;          /* header longer than the packet */
	} else if (strcmp(kind, "type") == 0) {
		d.type = 0x55;
	} else if (strcmp(kind, "len") == 0) {
		d.len8 = 0x8000;        /* claims far more than was written */
	} else {
		snprintf(out, len, "corrupt kinds: desc type len\n");
		return -EINVAL;
	}
	memcpy(raw, &d, sizeof(d));
	hv_chan_send_raw(c->ch, raw, sizeof(raw));
	hv_chan_kick(c->ch);
	nic->stats.injected++;
	return 0;
}

static int
netvsp_ctl(const char *cmd, char *out, size_t len)
{
	char verb[32] = "", who[64] = "", arg[32] = "", arg2[32] = "";
	struct nic *nic;
	int nf = sscanf(cmd, "%31s %63s %31s %31s", verb, who, arg, arg2);
	unsigned long q;

	if (strcmp(verb, "nic") != 0 && strcmp(verb, "link") != 0 &&
	    strcmp(verb, "vf") != 0 && strcmp(verb, "datapath") != 0 &&
	    strcmp(verb, "noack") != 0 && strcmp(verb, "corrupt") != 0 &&
	    strcmp(verb, "inject") != 0)
		return -ENOSYS;
	if (strcmp(verb, "nic") == 0 && strcmp(who, "all") == 0 &&
	    strcmp(arg, "stats") == 0) {
		size_t off = 0;
		unsigned int i;

		out[0] = '\0';
		for (i = 0; i < HV_MAX_DEVICES; i++)
			if (nics[i] != NULL && off < len)
				off += nic_report(nics[i], out + off, len - off);
		return 0;
	}
	nic = nf >= 2 ? nic_find(who) : NULL;
	if (nic == NULL) {
		snprintf(out, len, "%s: unknown or missing NIC (number or uuid)\n", verb);
		return -ENODEV;
	}
	if (strcmp(verb, "nic") == 0) {
		if (strcmp(arg, "stats") != 0) {
			snprintf(out, len, "usage: nic <n|uuid|all> stats\n");
			return -EINVAL;
		}
		nic_report(nic, out, len);
		return 0;
	}
	if (strcmp(verb, "link") == 0) {
		if (strcmp(arg, "up") != 0 && strcmp(arg, "down") != 0) {
			snprintf(out, len, "usage: link <nic> up|down\n");
			return -EINVAL;
		}
		/* The indication goes out on this loop's tick. */
		nic->admin_up = strcmp(arg, "up") == 0;
		return 0;
	}
	if (strcmp(verb, "vf") == 0) {
		if (strcmp(arg, "add") == 0) {
			nic->vf_present = true;
			offer_vf(nic);
		} else if (strcmp(arg, "remove") == 0) {
			nic->vf_present = false;
			if (nic->datapath_vf)
				host_switch_synthetic(nic);
			if (nic->vf_announced)
				send_vf_association(nic, false);
		} else {
			snprintf(out, len, "usage: vf <nic> add|remove\n");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(verb, "datapath") == 0) {
		if (strcmp(arg, "synthetic") != 0) {
			snprintf(out, len, "usage: datapath <nic> synthetic\n");
			return -EINVAL;
		}
		host_switch_synthetic(nic);
		return 0;
	}
	if (strcmp(verb, "noack") == 0) {
		if (strcmp(arg, "on") == 0) {
			nic->noack = true;
		} else if (strcmp(arg, "off") == 0) {
			nic->noack = false;
			release_held(nic);
		} else {
			snprintf(out, len, "usage: noack <nic> on|off\n");
			return -EINVAL;
		}
		return 0;
	}
	/* corrupt <nic> <queue> <kind>; inject <nic> <kind> [queue] */
	if (strcmp(verb, "corrupt") == 0) {
		q = strtoul(arg, NULL, 10);
		return corrupt(nic, arg2, (unsigned int)q, out, len);
	}
	q = nf >= 4 ? strtoul(arg2, NULL, 10) : 0;
	return inject(nic, arg, (unsigned int)q, out, len);
}

const struct hv_service hv_netvsp_service = {
	.name = "netvsc",
	.class_guid = NETVSP_CLASS_GUID,
	.nmaps = sizeof(netvsp_maps) / sizeof(netvsp_maps[0]),
	.maps = netvsp_maps,
	.chan_priv_size = sizeof(struct nic_chan),
	.on_open = netvsp_open,
	.on_packet = netvsp_packet,
	.on_close = netvsp_close,
	.dev_init = netvsp_dev_init,
	.dev_tick = netvsp_dev_tick,
	.dev_fini = netvsp_dev_fini,
	.ctl = netvsp_ctl,
};
