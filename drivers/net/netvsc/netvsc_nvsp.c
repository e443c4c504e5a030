/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NetVSP session on the primary channel: version negotiation, NDIS
 * configuration, receive and send buffers, sub-channel allocation, data
 * path switching, and the host's own messages (VF association, data path,
 * send indirection table).
 *
 * Requests are synchronous: send, then take everything off the primary
 * channel until the answer arrives. Whatever else the host sends in the
 * meantime (data, link indications, VF offers) is handled as usual, never
 * treated as an error, because hosts do interleave.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "netvsc.h"

static const uint32_t nvsp_versions[] = {
	NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5,
	NVSP_VERSION_4, NVSP_VERSION_2, NVSP_VERSION_1,
};

/* Take the primary channel's packets until the awaited answer is in. */
int
netvsc_ctrl_wait(struct netvsc_dev *nd)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t deadline = rte_get_timer_cycles() +
		hz * nd->args.ctrl_timeout_ms / 1000;

	for (;;) {
		struct netvsc_rxq *q0 = nd->rxq[0];

		rte_spinlock_lock(&q0->lock);
		netvsc_rxq_drain(q0);
		rte_spinlock_unlock(&q0->lock);
		if (nd->ctrl_done)
			return 0;
		if (nd->failed || vmbus_device_is_rescinded(nd->vdev))
			return -ENODEV;
		if (rte_get_timer_cycles() > deadline) {
			nd->ctrl_timeouts++;
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(50);
	}
}

/*
 * Send one NVSP request on the primary channel. With resp != NULL, ask for
 * a completion and wait for it; *resp_len: in, room; out, bytes received.
 */
static int
nvsp_request(struct netvsc_dev *nd, const void *req, uint32_t len,
	     void *resp, uint32_t *resp_len)
{
	uint8_t msg[NVSP_REQ_SIZE];
	uint32_t type;
	int ret;

	memset(msg, 0, sizeof(msg));
	memcpy(msg, req, len);
	memcpy(&type, req, sizeof(type));
	if (resp == NULL) {
		rte_spinlock_lock(&nd->send_lock[0]);
		ret = vmbus_chan_send(nd->primary, VMBUS_PKT_INBAND, msg,
				      sizeof(msg), 0, 0, NULL);
		rte_spinlock_unlock(&nd->send_lock[0]);
		return ret;
	}
	rte_spinlock_recursive_lock(&nd->ctrl_lock);
	nd->ctrl_done = false;
	nd->ctrl_resp_len = 0;
	nd->ctrl_wait_xid = NETVSC_XID_CTRL | ++nd->ctrl_xid;
	rte_spinlock_lock(&nd->send_lock[0]);
	ret = vmbus_chan_send(nd->primary, VMBUS_PKT_INBAND, msg, sizeof(msg),
			      nd->ctrl_wait_xid,
			      VMBUS_PKT_FLAG_COMPLETION_REQUESTED, NULL);
	rte_spinlock_unlock(&nd->send_lock[0]);
	if (ret == 0)
		ret = netvsc_ctrl_wait(nd);
	nd->ctrl_wait_xid = 0;
	if (ret == 0 && *resp_len != 0)
		memcpy(resp, nd->ctrl_resp, RTE_MIN(*resp_len, nd->ctrl_resp_len));
	rte_spinlock_recursive_unlock(&nd->ctrl_lock);
	if (ret == -ETIMEDOUT)
		NETVSC_LOG(ERR, nd, "host did not answer NVSP request %u within %u ms",
			   type, nd->args.ctrl_timeout_ms);
	else if (ret < 0)
		NETVSC_LOG(ERR, nd, "NVSP request %u failed: %s", type,
			   rte_strerror(-ret));
	if (ret < 0)
		return ret;
	if (nd->ctrl_resp_len < *resp_len) {
		NETVSC_LOG(ERR, nd, "NVSP answer to %u too short: %u bytes, need %u",
			   type, nd->ctrl_resp_len, *resp_len);
		return -EPROTO;
	}
	return 0;
}

/* Record the answer to the awaited request (primary channel, rx lock). */
void
netvsc_ctrl_complete(struct netvsc_dev *nd, uint64_t xid, const uint8_t *data,
		     uint32_t len)
{
	if (xid != nd->ctrl_wait_xid || nd->ctrl_done)
		return; /* late answer to a request that timed out */
	len = RTE_MIN(len, (uint32_t)sizeof(nd->ctrl_resp));
	memcpy(nd->ctrl_resp, data, len);
	nd->ctrl_resp_len = len;
	nd->ctrl_done = true;
}

static int
nvsp_negotiate(struct netvsc_dev *nd)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(nvsp_versions); i++) {
		struct nvsp_init req = {
			.type = NVSP_MSG_INIT,
			.ver_min = nvsp_versions[i],
			.ver_max = nvsp_versions[i],
		};
		struct nvsp_init_resp resp;
		uint32_t rlen = sizeof(resp);
		int ret;

		ret = nvsp_request(nd, &req, sizeof(req), &resp, &rlen);
		if (ret < 0)
			return ret;
		if (resp.type != NVSP_MSG_INIT_RESP) {
			NETVSC_LOG(ERR, nd, "host answered INIT with type %u",
				   resp.type);
			return -EPROTO;
		}
		if (resp.status == NVSP_STATUS_OK) {
			nd->nvsp_version = nvsp_versions[i];
			return 0;
		}
	}
	NETVSC_LOG(ERR, nd, "host accepts no NVSP version we speak");
	return -EPROTONOSUPPORT;
}

static int
nvsp_connect_rxbuf(struct netvsc_dev *nd)
{
	struct vmbus_map *m = &nd->vdev->map[VMBUS_MAP_RECV_BUF];
	struct nvsp_buf_conn req = {
		.type = NVSP_MSG_RXBUF_CONN,
		.gpadl = m->gpadl,
		.sig = NVSP_RXBUF_SIG,
	};
	struct {
		struct nvsp_rxbuf_resp hdr;
		struct nvsp_rxbuf_section sect;
	} resp;
	uint32_t rlen = sizeof(resp);
	struct nvsp_rxbuf_section s;
	int ret;

	ret = nvsp_request(nd, &req, sizeof(req), &resp, &rlen);
	if (ret < 0)
		return ret;
	s = resp.sect;
	if (resp.hdr.type != NVSP_MSG_RXBUF_CONNRESP ||
	    resp.hdr.status != NVSP_STATUS_OK || resp.hdr.nsect != 1) {
		NETVSC_LOG(ERR, nd, "receive buffer refused (type %u status %u sections %u)",
			   resp.hdr.type, resp.hdr.status, resp.hdr.nsect);
		return -EPROTO;
	}
	if (s.slot_size == 0 || s.slot_count == 0 || s.start >= s.end ||
	    s.end > m->size ||
	    (uint64_t)s.slot_size * s.slot_count > s.end - s.start) {
		NETVSC_LOG(ERR, nd, "receive buffer section out of bounds (start %u end %u slot %u x %u, buffer %zu)",
			   s.start, s.end, s.slot_size, s.slot_count, m->size);
		return -EPROTO;
	}
	nd->rxbuf = m->addr;
	nd->rxbuf_size = (uint32_t)m->size;
	nd->rxbuf_slot_size = s.slot_size;
	nd->rxbuf_slots = s.slot_count;
	return 0;
}

static int
nvsp_connect_chim(struct netvsc_dev *nd)
{
	struct vmbus_map *m = &nd->vdev->map[VMBUS_MAP_SEND_BUF];
	struct nvsp_buf_conn req = {
		.type = NVSP_MSG_CHIM_CONN,
		.gpadl = m->gpadl,
		.sig = NVSP_CHIM_SIG,
	};
	struct nvsp_chim_resp resp;
	uint32_t rlen = sizeof(resp);
	int ret;

	ret = nvsp_request(nd, &req, sizeof(req), &resp, &rlen);
	if (ret < 0)
		return ret;
	if (resp.type != NVSP_MSG_CHIM_CONNRESP ||
	    resp.status != NVSP_STATUS_OK) {
		NETVSC_LOG(ERR, nd, "send buffer refused (type %u status %u)",
			   resp.type, resp.status);
		return -EPROTO;
	}
	if (resp.sect_size < 256 || resp.sect_size % 8 != 0 ||
	    resp.sect_size > m->size) {
		NETVSC_LOG(ERR, nd, "send buffer section size %u unusable",
			   resp.sect_size);
		return -EPROTO;
	}
	nd->chim = m->addr;
	nd->chim_size = (uint32_t)m->size;
	nd->chim_sect_size = resp.sect_size;
	nd->chim_sects = (uint32_t)(m->size / resp.sect_size);
	if (nd->args.tx_copybreak == UINT32_MAX || nd->args.tx_copybreak_auto) {
		nd->args.tx_copybreak_auto = true;
		nd->args.tx_copybreak = resp.sect_size;
	}
	return 0;
}

int
netvsc_nvsp_attach(struct netvsc_dev *nd, uint32_t mtu)
{
	int ret;

	if (nd->vdev->map[VMBUS_MAP_RECV_BUF].addr == NULL ||
	    nd->vdev->map[VMBUS_MAP_SEND_BUF].addr == NULL) {
		NETVSC_LOG(ERR, nd, "device has no receive/send buffer maps");
		return -ENODEV;
	}
	ret = nvsp_negotiate(nd);
	if (ret < 0)
		return ret;
	if (nd->nvsp_version >= NVSP_VERSION_2) {
		uint64_t caps = NVSP_NDIS_CAP_VLAN;
		struct nvsp_ndis_conf conf = {
			.type = NVSP_MSG_NDIS_CONF,
			.mtu = mtu + RTE_ETHER_HDR_LEN,
		};

		if (nd->nvsp_version >= NVSP_VERSION_5)
			caps |= NVSP_NDIS_CAP_SRIOV;
		conf.caps_lo = (uint32_t)caps;
		conf.caps_hi = (uint32_t)(caps >> 32);
		ret = nvsp_request(nd, &conf, sizeof(conf), NULL, NULL);
		if (ret < 0)
			return ret;
	}
	nd->ndis_version = nd->nvsp_version <= NVSP_VERSION_4 ?
		NVSP_NDIS_VERSION_6_1 : NVSP_NDIS_VERSION_6_30;
	{
		struct nvsp_ndis_init ni = {
			.type = NVSP_MSG_NDIS_INIT,
			.ndis_major = nd->ndis_version >> 16,
			.ndis_minor = nd->ndis_version & 0xffff,
		};

		ret = nvsp_request(nd, &ni, sizeof(ni), NULL, NULL);
		if (ret < 0)
			return ret;
	}
	ret = nvsp_connect_rxbuf(nd);
	if (ret < 0)
		return ret;
	ret = nvsp_connect_chim(nd);
	if (ret < 0)
		return ret;
	nd->session_up = true;
	NETVSC_LOG(INFO, nd, "NVSP %#x, NDIS %u.%u, receive buffer %u slots of %u, send buffer %u sections of %u",
		   nd->nvsp_version, nd->ndis_version >> 16,
		   nd->ndis_version & 0xffff, nd->rxbuf_slots,
		   nd->rxbuf_slot_size, nd->chim_sects, nd->chim_sect_size);
	return 0;
}

void
netvsc_nvsp_detach(struct netvsc_dev *nd)
{
	struct nvsp_buf_disconn rx = {
		.type = NVSP_MSG_RXBUF_DISCONN, .sig = NVSP_RXBUF_SIG,
	};
	struct nvsp_buf_disconn chim = {
		.type = NVSP_MSG_CHIM_DISCONN, .sig = NVSP_CHIM_SIG,
	};

	if (!nd->session_up)
		return;
	/* No answer exists for these; the channel close that follows is
	 * ordered after them on the ring.
	 */
	nvsp_request(nd, &rx, sizeof(rx), NULL, NULL);
	nvsp_request(nd, &chim, sizeof(chim), NULL, NULL);
	nd->session_up = false;
}

int
netvsc_nvsp_subch_alloc(struct netvsc_dev *nd, uint16_t want)
{
	struct nvsp_subch_req req = {
		.type = NVSP_MSG_SUBCH,
		.op = NVSP_SUBCH_OP_ALLOC,
		.count = want,
	};
	struct nvsp_subch_resp resp;
	uint32_t rlen = sizeof(resp);
	int ret;

	ret = nvsp_request(nd, &req, sizeof(req), &resp, &rlen);
	if (ret < 0)
		return ret;
	if (resp.type != NVSP_MSG_SUBCH || resp.status != NVSP_STATUS_OK) {
		NETVSC_LOG(ERR, nd, "host refused %u sub-channels (type %u status %u)",
			   want, resp.type, resp.status);
		return -EPROTO;
	}
	if (resp.count > want) {
		NETVSC_LOG(ERR, nd, "host granted %u sub-channels, more than the %u asked",
			   resp.count, want);
		return -EPROTO;
	}
	return (int)resp.count;
}

int
netvsc_nvsp_set_datapath(struct netvsc_dev *nd, bool vf)
{
	/* Hosts complete SET_DATAPATH when asked; wait so that the switch
	 * has happened before we use (or stop) the VF.
	 */
	struct nvsp_datapath req = {
		.type = NVSP_MSG_DATAPATH,
		.path = vf ? NVSP_DATAPATH_VF : NVSP_DATAPATH_SYNTHETIC,
	};
	uint32_t any = 0;   /* the completion's body is not specified */
	uint8_t dummy[4];
	int ret;

	ret = nvsp_request(nd, &req, sizeof(req), dummy, &any);
	if (ret == 0)
		nd->datapath_vf = vf;
	return ret;
}

uint32_t
netvsc_handle_inband(struct netvsc_dev *nd, struct netvsc_rxq *rxq,
		     const struct vmbus_pkt *pkt)
{
	struct netvsc_host_msg m;
	int ret;

	ret = netvsc_parse_host_msg(pkt->data, pkt->data_len, &m);
	if (ret < 0) {
		nd->protocol_errors++;
		NETVSC_LOG(WARNING, nd, "%s host message type %u (%u bytes) on channel %u",
			   ret == -ENOTSUP ? "unexpected" : "malformed", m.type,
			   pkt->data_len, rxq->queue_id);
		return 0;
	}
	switch (m.type) {
	case NVSP_MSG_VFASSOC:
		nd->vf_serial = m.vf_serial;
		nd->vf_offered = m.vf_allocated != 0;
		if (!nd->vf_offered) {
			/* stop sending there now; the rest from an alarm */
			nd->vf_tx = false;
			nd->datapath_vf = false;
		}
		NETVSC_LOG(INFO, nd, "host %s VF (serial %u)",
			   m.vf_allocated ? "offers" : "withdraws", m.vf_serial);
		netvsc_vf_schedule(nd, 0);
		break;
	case NVSP_MSG_DATAPATH:
		if (m.datapath == NVSP_DATAPATH_SYNTHETIC && nd->datapath_vf) {
			nd->vf_tx = false;
			nd->datapath_vf = false;
			NETVSC_LOG(INFO, nd, "host switched the data path to synthetic");
		}
		break;
	case NVSP_MSG_TXTBL:
		memcpy(nd->txtbl, m.txtbl, sizeof(nd->txtbl));
		nd->txtbl_count = m.txtbl_count;
		break;
	}
	return (pkt->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED) ? m.type : 0;
}
