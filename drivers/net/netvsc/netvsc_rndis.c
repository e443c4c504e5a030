/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RNDIS control: requests go to the host as one-page GPA-direct packets on
 * the primary channel; completions and status indications come back
 * through the receive buffer like data, and are picked out by the receive
 * path (netvsc_rndis_receive_ctrl).
 */
#include <errno.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_cycles.h>

#include "netvsc.h"

#define RNDIS_MAX_XFER  0x4000
#define PAGE_MASK_4K    (VMBUS_HV_PAGE_SIZE - 1)

static uint32_t
rndis_next_rid(struct netvsc_dev *nd)
{
	if (++nd->rndis_rid == 0)
		nd->rndis_rid = 1;
	return nd->rndis_rid;
}

static int rndis_query_locked(struct netvsc_dev *nd, uint32_t oid,
			      const void *in, uint32_t in_len, void *out,
			      uint32_t *out_len);
static int rndis_set_locked(struct netvsc_dev *nd, uint32_t oid,
			    const void *val, uint32_t len);

/* The request page and the response buffer are shared: one exchange at
 * a time, from building the request to reading the answer.
 */
int
netvsc_rndis_query(struct netvsc_dev *nd, uint32_t oid, const void *in,
		   uint32_t in_len, void *out, uint32_t *out_len)
{
	int ret;

	rte_spinlock_recursive_lock(&nd->ctrl_lock);
	ret = rndis_query_locked(nd, oid, in, in_len, out, out_len);
	rte_spinlock_recursive_unlock(&nd->ctrl_lock);
	return ret;
}

int
netvsc_rndis_set(struct netvsc_dev *nd, uint32_t oid, const void *val,
		 uint32_t len)
{
	int ret;

	rte_spinlock_recursive_lock(&nd->ctrl_lock);
	ret = rndis_set_locked(nd, oid, val, len);
	rte_spinlock_recursive_unlock(&nd->ctrl_lock);
	return ret;
}

/* Send the request in nd->rndis_req (len bytes); wait for the completion
 * if rid != 0. The completion is left in nd->ctrl_resp.
 */
static int
rndis_exchange(struct netvsc_dev *nd, uint32_t len, uint32_t rid)
{
	struct vmbus_gpa_range range;
	struct nvsp_rndis msg[3] = { 0 }; /* 48 bytes >= NVSP_REQ_SIZE */
	uint32_t type;
	uint64_t xid;
	int ret;

	RTE_BUILD_BUG_ON(sizeof(msg) < NVSP_REQ_SIZE);
	if ((nd->rndis_req_iova & PAGE_MASK_4K) + len > VMBUS_HV_PAGE_SIZE)
		return -E2BIG;
	memcpy(&type, nd->rndis_req, sizeof(type));
	range.len = len;
	range.offset = (uint32_t)(nd->rndis_req_iova & PAGE_MASK_4K);
	range.pfn = nd->rndis_req_iova >> VMBUS_HV_PAGE_SHIFT;
	msg[0].type = NVSP_MSG_RNDIS;
	msg[0].mtype = NVSP_RNDIS_MTYPE_CTRL;
	msg[0].chim_idx = NVSP_CHIM_IDX_NONE;
	msg[0].chim_size = 0;
	nd->ctrl_done = false;
	nd->ctrl_resp_len = 0;
	nd->rndis_wait_rid = rid;
	xid = NETVSC_XID_CTRL | ++nd->ctrl_xid;
	/* A request without an answer (HALT) waits for the host to complete
	 * the packet instead: the page must not be reused or freed before
	 * the host has read it.
	 */
	if (rid == 0)
		nd->ctrl_wait_xid = xid;
	rte_spinlock_lock(&nd->send_lock[0]);
	ret = vmbus_chan_send_gpa(nd->primary, &range, 1, msg, NVSP_REQ_SIZE,
				  xid, VMBUS_PKT_FLAG_COMPLETION_REQUESTED, NULL);
	rte_spinlock_unlock(&nd->send_lock[0]);
	if (ret == 0)
		ret = netvsc_ctrl_wait(nd);
	nd->rndis_wait_rid = 0;
	nd->ctrl_wait_xid = 0;
	if (ret == -ETIMEDOUT)
		NETVSC_LOG(ERR, nd, "host did not answer RNDIS request %#x within %u ms",
			   type, nd->args.ctrl_timeout_ms);
	else if (ret < 0)
		NETVSC_LOG(ERR, nd, "RNDIS request %#x failed: %s", type,
			   rte_strerror(-ret));
	return ret;
}

static int
rndis_oid_request(struct netvsc_dev *nd, uint32_t type, uint32_t oid,
		  const void *in, uint32_t in_len)
{
	struct rndis_oid_req *req = (struct rndis_oid_req *)nd->rndis_req;
	uint32_t rid = rndis_next_rid(nd);

	if (sizeof(*req) + in_len > VMBUS_HV_PAGE_SIZE)
		return -E2BIG;
	memset(req, 0, sizeof(*req));
	req->type = type;
	req->len = sizeof(*req) + in_len;
	req->rid = rid;
	req->oid = oid;
	req->info_len = in_len;
	req->info_offset = in_len != 0 ? sizeof(*req) - RNDIS_OFFSET_BASE : 0;
	if (in_len != 0)
		memcpy(req + 1, in, in_len);
	return rndis_exchange(nd, req->len, rid);
}

static int
rndis_query_locked(struct netvsc_dev *nd, uint32_t oid, const void *in,
		   uint32_t in_len, void *out, uint32_t *out_len)
{
	struct rndis_query_comp c;
	uint64_t start;
	int ret;

	ret = rndis_oid_request(nd, RNDIS_MSG_QUERY, oid, in, in_len);
	if (ret < 0)
		return ret;
	if (nd->ctrl_resp_len < sizeof(c))
		goto bad;
	memcpy(&c, nd->ctrl_resp, sizeof(c));
	if (c.type != (RNDIS_MSG_QUERY | RNDIS_MSG_CMPLT))
		goto bad;
	if (c.status != RNDIS_STATUS_SUCCESS) {
		NETVSC_LOG(DEBUG, nd, "query of OID %#x: status %#x", oid,
			   c.status);
		return -EOPNOTSUPP;
	}
	start = (uint64_t)c.info_offset + RNDIS_OFFSET_BASE;
	if (c.info_len != 0 &&
	    (start < sizeof(c) || start + c.info_len > nd->ctrl_resp_len ||
	     start + c.info_len > c.len))
		goto bad;
	if (c.info_len > *out_len) {
		NETVSC_LOG(ERR, nd, "answer to OID %#x is %u bytes, more than %u",
			   oid, c.info_len, *out_len);
		return -EMSGSIZE;
	}
	memcpy(out, nd->ctrl_resp + start, c.info_len);
	*out_len = c.info_len;
	return 0;
bad:
	nd->protocol_errors++;
	NETVSC_LOG(ERR, nd, "malformed answer to query of OID %#x", oid);
	return -EPROTO;
}

static int
rndis_set_locked(struct netvsc_dev *nd, uint32_t oid, const void *val,
		 uint32_t len)
{
	struct rndis_status_comp c;
	int ret;

	ret = rndis_oid_request(nd, RNDIS_MSG_SET, oid, val, len);
	if (ret < 0)
		return ret;
	if (nd->ctrl_resp_len < sizeof(c)) {
		nd->protocol_errors++;
		return -EPROTO;
	}
	memcpy(&c, nd->ctrl_resp, sizeof(c));
	if (c.type != (RNDIS_MSG_SET | RNDIS_MSG_CMPLT)) {
		nd->protocol_errors++;
		return -EPROTO;
	}
	if (c.status != RNDIS_STATUS_SUCCESS) {
		NETVSC_LOG(ERR, nd, "host refused OID %#x: status %#x", oid,
			   c.status);
		return -EINVAL;
	}
	return 0;
}

static int
query_u32(struct netvsc_dev *nd, uint32_t oid, uint32_t *v)
{
	uint32_t len = sizeof(*v);
	int ret;

	ret = netvsc_rndis_query(nd, oid, NULL, 0, v, &len);
	if (ret == 0 && len != sizeof(*v)) {
		NETVSC_LOG(ERR, nd, "OID %#x: %u bytes, expected 4", oid, len);
		return -EPROTO;
	}
	return ret;
}

int
netvsc_rndis_set_filter(struct netvsc_dev *nd, uint32_t filter)
{
	int ret = netvsc_rndis_set(nd, RNDIS_OID_GEN_PACKET_FILTER, &filter,
				   sizeof(filter));

	if (ret == 0)
		nd->packet_filter = filter;
	return ret;
}

int
netvsc_rndis_link_query(struct netvsc_dev *nd)
{
	uint32_t status, speed;
	int ret;

	ret = query_u32(nd, RNDIS_OID_GEN_MEDIA_STATUS, &status);
	if (ret < 0)
		return ret;
	ret = query_u32(nd, RNDIS_OID_GEN_LINK_SPEED, &speed);
	if (ret < 0)
		return ret;
	nd->link_up = status == RNDIS_MEDIA_CONNECTED;
	/* units of 100 bit/s */
	nd->link_speed_mbps = speed / 10000;
	return 0;
}

static int
rndis_init_locked(struct netvsc_dev *nd)
{
	struct rndis_init_req *req = (struct rndis_init_req *)nd->rndis_req;
	struct rndis_init_comp c;
	uint32_t rid = rndis_next_rid(nd);
	int ret;

	memset(req, 0, sizeof(*req));
	req->type = RNDIS_MSG_INIT;
	req->len = sizeof(*req);
	req->rid = rid;
	req->ver_major = 1;
	req->ver_minor = 0;
	req->max_xfer = RNDIS_MAX_XFER;
	ret = rndis_exchange(nd, sizeof(*req), rid);
	if (ret < 0)
		return ret;
	if (nd->ctrl_resp_len < sizeof(c))
		goto bad;
	memcpy(&c, nd->ctrl_resp, sizeof(c));
	if (c.type != (RNDIS_MSG_INIT | RNDIS_MSG_CMPLT))
		goto bad;
	if (c.status != RNDIS_STATUS_SUCCESS) {
		NETVSC_LOG(ERR, nd, "RNDIS initialize refused: status %#x",
			   c.status);
		return -EIO;
	}
	/* Aggregation limits for send-buffer sections. */
	nd->agg_max_pkts = c.pkt_max_count != 0 ? c.pkt_max_count : 1;
	nd->agg_max_size = RTE_MIN(c.pkt_max_size, nd->chim_sect_size);
	if (c.align_shift > 12)
		goto bad;
	nd->agg_align = RTE_MAX(1u << c.align_shift, 8u);
	return 0;
bad:
	nd->protocol_errors++;
	NETVSC_LOG(ERR, nd, "malformed RNDIS initialize completion");
	return -EPROTO;
}

static void
rndis_query_rss_caps(struct netvsc_dev *nd)
{
	struct ndis_rss_caps in = {
		.hdr = { NDIS_OBJ_TYPE_RSS_CAPS, 2, sizeof(in) },
	};
	struct ndis_rss_caps caps;
	uint32_t len = sizeof(caps);

	nd->max_rx_queues = 1;
	if (nd->nvsp_version < NVSP_VERSION_5 ||
	    nd->ndis_version < NVSP_NDIS_VERSION_6_30)
		return;
	memset(&caps, 0, sizeof(caps));
	if (netvsc_rndis_query(nd, RNDIS_OID_GEN_RSS_CAPS, &in, sizeof(in),
			       &caps, &len) < 0)
		return;
	if (len < offsetof(struct ndis_rss_caps, nind) ||
	    caps.hdr.type != NDIS_OBJ_TYPE_RSS_CAPS || caps.nrxr == 0) {
		NETVSC_LOG(WARNING, nd, "unusable RSS capabilities: one queue");
		return;
	}
	nd->rss_hash_caps = caps.caps;
	nd->max_rx_queues = RTE_MIN(caps.nrxr, (uint32_t)NETVSC_MAX_QUEUES);
	nd->max_rx_queues = RTE_MIN(nd->max_rx_queues,
				    vmbus_max_channels(nd->vdev));
}

static void
rndis_query_offloads(struct netvsc_dev *nd)
{
	struct ndis_offload_caps in = {
		.hdr = { NDIS_OBJ_TYPE_OFFLOAD, 1, NDIS_OFFLOAD_CAPS_MIN_SIZE },
	};
	struct ndis_offload_caps caps;
	uint8_t buf[256];
	uint32_t len = sizeof(buf);
	uint64_t tx = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	uint64_t rx = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_SCATTER;

	if (netvsc_rndis_query(nd, RNDIS_OID_TCP_OFFLOAD_HW_CAPS, &in,
			       NDIS_OFFLOAD_CAPS_MIN_SIZE, buf, &len) < 0 ||
	    len < NDIS_OFFLOAD_CAPS_MIN_SIZE) {
		NETVSC_LOG(WARNING, nd, "no offload capabilities from the host");
		goto out;
	}
	memcpy(&caps, buf, sizeof(caps));
	if (caps.hdr.type != NDIS_OBJ_TYPE_OFFLOAD ||
	    caps.hdr.size < NDIS_OFFLOAD_CAPS_MIN_SIZE) {
		NETVSC_LOG(WARNING, nd, "malformed offload capabilities");
		nd->protocol_errors++;
		goto out;
	}
	if (caps.ip4_tx_caps & NDIS_CSUM_CAP_IP4)
		tx |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if ((caps.ip4_tx_caps & NDIS_CSUM_CAP_TCP4) &&
	    (caps.ip6_tx_caps & NDIS_CSUM_CAP_TCP6))
		tx |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if ((caps.ip4_tx_caps & NDIS_CSUM_CAP_UDP4) &&
	    (caps.ip6_tx_caps & NDIS_CSUM_CAP_UDP6))
		tx |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (caps.lsov2_ip4_maxsz != 0 && caps.lsov2_ip6_maxsz != 0 &&
	    (tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) {
		tx |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		nd->lso_max_size = RTE_MIN(caps.lsov2_ip4_maxsz,
					   caps.lsov2_ip6_maxsz);
	}
	if ((caps.ip4_rx_caps & NDIS_CSUM_CAP_IP4))
		rx |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if ((caps.ip4_rx_caps & NDIS_CSUM_CAP_TCP4) &&
	    (caps.ip6_rx_caps & NDIS_CSUM_CAP_TCP6))
		rx |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if ((caps.ip4_rx_caps & NDIS_CSUM_CAP_UDP4) &&
	    (caps.ip6_rx_caps & NDIS_CSUM_CAP_UDP6))
		rx |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
out:
	if (nd->max_rx_queues > 1)
		rx |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	nd->tx_offload_capa = tx;
	nd->rx_offload_capa = rx;
}

int
netvsc_rndis_attach(struct netvsc_dev *nd)
{
	uint32_t mtu, len;
	int ret;

	rte_spinlock_recursive_lock(&nd->ctrl_lock);
	ret = rndis_init_locked(nd);
	rte_spinlock_recursive_unlock(&nd->ctrl_lock);
	if (ret < 0)
		return ret;
	/* Some hosts keep an old filter across sessions. */
	ret = netvsc_rndis_set_filter(nd, 0);
	if (ret < 0)
		return ret;
	ret = query_u32(nd, RNDIS_OID_GEN_MAX_FRAME_SIZE, &mtu);
	if (ret < 0)
		return ret;
	if (mtu < NETVSC_MIN_MTU || mtu > NETVSC_MAX_MTU) {
		NETVSC_LOG(ERR, nd, "host reports MTU %u", mtu);
		return -EPROTO;
	}
	nd->mtu = mtu;
	len = RTE_ETHER_ADDR_LEN;
	ret = netvsc_rndis_query(nd, RNDIS_OID_802_3_PERM_ADDR, NULL, 0,
				 nd->mac.addr_bytes, &len);
	if (ret == 0 && (len != RTE_ETHER_ADDR_LEN ||
			 !rte_is_valid_assigned_ether_addr(&nd->mac))) {
		NETVSC_LOG(ERR, nd, "host reports an invalid MAC address");
		ret = -EPROTO;
	}
	if (ret < 0)
		return ret;
	rndis_query_rss_caps(nd);
	rndis_query_offloads(nd);
	return netvsc_rndis_link_query(nd);
}

void
netvsc_rndis_detach(struct netvsc_dev *nd)
{
	struct rndis_halt_req *req = (struct rndis_halt_req *)nd->rndis_req;

	if (!nd->session_up)
		return;
	rte_spinlock_recursive_lock(&nd->ctrl_lock);
	req->type = RNDIS_MSG_HALT;
	req->len = sizeof(*req);
	req->rid = rndis_next_rid(nd);
	/* HALT has no completion. */
	rndis_exchange(nd, sizeof(*req), 0);
	rte_spinlock_recursive_unlock(&nd->ctrl_lock);
}

static uint8_t
csum_param(uint64_t tx, uint64_t rx, uint64_t txbit, uint64_t rxbit)
{
	bool t = (tx & txbit) != 0, r = (rx & rxbit) != 0;

	if (t && r)
		return NDIS_OFFLOAD_CSUM_TXRX;
	if (t)
		return NDIS_OFFLOAD_CSUM_TX;
	if (r)
		return NDIS_OFFLOAD_CSUM_RX;
	return NDIS_OFFLOAD_CSUM_OFF;
}

int
netvsc_rndis_set_offloads(struct netvsc_dev *nd, uint64_t tx, uint64_t rx)
{
	struct ndis_offload_params p;
	uint16_t size;

	memset(&p, 0, sizeof(p));
	if (nd->ndis_version >= NVSP_NDIS_VERSION_6_30) {
		p.hdr.rev = 3;
		size = NDIS_OFFLOAD_PARAMS_REV3_SIZE;
	} else {
		p.hdr.rev = 2;
		size = NDIS_OFFLOAD_PARAMS_REV2_SIZE;
	}
	p.hdr.type = NDIS_OBJ_TYPE_DEFAULT;
	p.hdr.size = size;
	p.ip4_csum = csum_param(tx, rx, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM,
				RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	p.tcp4_csum = csum_param(tx, rx, RTE_ETH_TX_OFFLOAD_TCP_CKSUM,
				 RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	p.tcp6_csum = p.tcp4_csum;
	p.udp4_csum = csum_param(tx, rx, RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
				 RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	p.udp6_csum = p.udp4_csum;
	p.lsov2_ip4 = (tx & RTE_ETH_TX_OFFLOAD_TCP_TSO) ?
		NDIS_OFFLOAD_LSOV2_ON : NDIS_OFFLOAD_LSOV2_OFF;
	p.lsov2_ip6 = p.lsov2_ip4;
	return netvsc_rndis_set(nd, RNDIS_OID_TCP_OFFLOAD_PARAMS, &p, size);
}

static uint32_t
rss_hash_types(uint64_t rss_hf)
{
	uint32_t h = 0;

	if (rss_hf & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 |
		      RTE_ETH_RSS_NONFRAG_IPV4_OTHER))
		h |= NDIS_HASH_IPV4;
	if (rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP)
		h |= NDIS_HASH_TCP_IPV4;
	if (rss_hf & (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 |
		      RTE_ETH_RSS_NONFRAG_IPV6_OTHER))
		h |= NDIS_HASH_IPV6;
	if (rss_hf & RTE_ETH_RSS_IPV6_EX)
		h |= NDIS_HASH_IPV6_EX;
	if (rss_hf & RTE_ETH_RSS_NONFRAG_IPV6_TCP)
		h |= NDIS_HASH_TCP_IPV6;
	if (rss_hf & RTE_ETH_RSS_IPV6_TCP_EX)
		h |= NDIS_HASH_TCP_IPV6_EX;
	return h;
}

int
netvsc_rndis_set_rss(struct netvsc_dev *nd, bool enable)
{
	struct {
		struct ndis_rss_params p;
		uint32_t ind[NETVSC_RSS_IND_SIZE];
		uint8_t key[NETVSC_RSS_KEY_SIZE];
	} __rte_packed req;
	unsigned int i;

	RTE_BUILD_BUG_ON(sizeof(struct ndis_rss_params) != 40);
	memset(&req, 0, sizeof(req));
	req.p.hdr.type = NDIS_OBJ_TYPE_RSS_PARAMS;
	req.p.hdr.rev = NDIS_RSS_PARAMS_REV2;
	req.p.hdr.size = sizeof(req.p);
	req.p.flags = enable ? 0 : NDIS_RSS_FLAG_DISABLE;
	req.p.hash = NDIS_HASH_FUNC_TOEPLITZ | rss_hash_types(nd->rss_hf);
	req.p.ind_size = sizeof(req.ind);
	req.p.ind_offset = offsetof(typeof(req), ind);
	req.p.key_size = sizeof(req.key);
	req.p.key_offset = offsetof(typeof(req), key);
	for (i = 0; i < NETVSC_RSS_IND_SIZE; i++)
		req.ind[i] = nd->reta[i];
	memcpy(req.key, nd->rss_key, sizeof(req.key));
	return netvsc_rndis_set(nd, RNDIS_OID_GEN_RSS_PARAMS, &req,
				sizeof(req));
}

static void
lsc_alarm(void *arg)
{
	struct netvsc_dev *nd = arg;

	nd->lsc_pending = false;
	rte_eth_dev_callback_process(netvsc_eth_dev(nd), RTE_ETH_EVENT_INTR_LSC, NULL);
}

static void
rndis_indication(struct netvsc_dev *nd, const uint8_t *msg, uint32_t len)
{
	struct rndis_indicate ind;
	bool up;

	if (len < sizeof(ind)) {
		nd->protocol_errors++;
		return;
	}
	memcpy(&ind, msg, sizeof(ind));
	switch (ind.status) {
	case RNDIS_STATUS_MEDIA_CONNECT:
	case RNDIS_STATUS_MEDIA_DISCONNECT:
		up = ind.status == RNDIS_STATUS_MEDIA_CONNECT;
		if (up == nd->link_up)
			return;
		nd->link_up = up;
		NETVSC_LOG(INFO, nd, "link %s", up ? "up" : "down");
		break;
	case RNDIS_STATUS_LINK_SPEED_CHANGE:
		/* the new speed is read on the next link query */
		break;
	case RNDIS_STATUS_NETWORK_CHANGE:
	case RNDIS_STATUS_OFFLOAD_CONFIG:
		return;
	default:
		NETVSC_LOG(DEBUG, nd, "RNDIS indication %#x ignored", ind.status);
		return;
	}
	netvsc_link_report(nd);
	/* Report from the alarm thread, not from a data-path lcore. */
	if (nd->data->dev_conf.intr_conf.lsc && !nd->lsc_pending) {
		nd->lsc_pending = true;
		if (rte_eal_alarm_set(10, lsc_alarm, nd) < 0)
			nd->lsc_pending = false;
	}
}

void
netvsc_rndis_receive_ctrl(struct netvsc_dev *nd, const uint8_t *msg,
			  uint32_t len, uint32_t type)
{
	uint32_t rid;

	switch (type) {
	case RNDIS_MSG_INDICATE:
		rndis_indication(nd, msg, len);
		return;
	case RNDIS_MSG_INIT | RNDIS_MSG_CMPLT:
	case RNDIS_MSG_QUERY | RNDIS_MSG_CMPLT:
	case RNDIS_MSG_SET | RNDIS_MSG_CMPLT:
	case RNDIS_MSG_RESET | RNDIS_MSG_CMPLT:
	case RNDIS_MSG_KEEPALIVE | RNDIS_MSG_CMPLT:
		memcpy(&rid, msg + RNDIS_OFFSET_BASE, sizeof(rid));
		if (rid == 0 || rid != nd->rndis_wait_rid || nd->ctrl_done) {
			NETVSC_LOG(DEBUG, nd, "stale RNDIS completion %#x rid %u",
				   type, rid);
			return;
		}
		len = RTE_MIN(len, (uint32_t)sizeof(nd->ctrl_resp));
		memcpy(nd->ctrl_resp, msg, len);
		nd->ctrl_resp_len = len;
		nd->ctrl_done = true;
		return;
	default:
		nd->protocol_errors++;
		NETVSC_LOG(WARNING, nd, "unexpected RNDIS message %#x from host",
			   type);
	}
}
