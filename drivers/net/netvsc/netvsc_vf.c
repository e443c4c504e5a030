/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accelerated networking: the host may pair the synthetic NIC with a VF
 * (an SR-IOV port with the same MAC, driven by its own PMD). The netvsc
 * port then owns the VF port, sends through it once the host has switched
 * the data path, and keeps polling the synthetic channels, where
 * broadcast, multicast and first-of-flow frames still arrive.
 *
 * Ordering rules: the VF is fully up (configured like us, started) before
 * we ask the host for the VF data path; we switch back to synthetic
 * before the VF stops or goes away. The data path reads vf_tx/vf_rx under
 * vf_lock's read side; changes take the write side, so no burst is in the
 * VF when it is stopped.
 *
 * Work that configures ports runs from EAL alarms (the interrupt thread),
 * never from a data-path lcore: the receive path only notes what the host
 * said.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "netvsc.h"

#define VF_RETRY_US   (1000 * 1000)
#define VF_MP_ACTION  "udrv_netvsc_vf"

static void vf_alarm(void *arg);

/*
 * A secondary process polling the primary channel sees the host's VF
 * messages, but the work they start (configuring the VF, asking the host
 * to switch) belongs to the primary, which owns the VF: the secondary
 * passes it on through EAL's multi-process channel.
 */
struct vf_mp_request {
	uint16_t port;
	uint64_t us;
};

static unsigned int vf_mp_users;

static int
vf_mp_action(const struct rte_mp_msg *msg, const void *peer)
{
	struct vf_mp_request req;
	struct netvsc_dev *nd;

	RTE_SET_USED(peer);
	if (msg->len_param != sizeof(req))
		return -EINVAL;
	memcpy(&req, msg->param, sizeof(req));
	nd = netvsc_dev_of_port(req.port);
	if (nd == NULL)
		return -ENODEV;
	netvsc_vf_schedule(nd, req.us);
	return 0;
}

static void
vf_mp_forward(struct netvsc_dev *nd, uint64_t us)
{
	struct vf_mp_request req = { .port = nd->port_id, .us = us };
	struct rte_mp_msg msg;

	memset(&msg, 0, sizeof(msg));
	snprintf(msg.name, sizeof(msg.name), "%s", VF_MP_ACTION);
	RTE_BUILD_BUG_ON(sizeof(req) > sizeof(msg.param));
	memcpy(msg.param, &req, sizeof(req));
	msg.len_param = sizeof(req);
	if (rte_mp_sendmsg(&msg) < 0)
		NETVSC_LOG(ERR, nd, "cannot pass VF work to the primary process: %s",
			   rte_strerror(rte_errno));
}

void
netvsc_vf_schedule(struct netvsc_dev *nd, uint64_t us)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		vf_mp_forward(nd, us);
		return;
	}
	rte_eal_alarm_cancel(vf_alarm, nd);
	/* EAL alarms need at least 1 us */
	if (rte_eal_alarm_set(RTE_MAX(us, (uint64_t)1), vf_alarm, nd) < 0)
		NETVSC_LOG(ERR, nd, "cannot schedule VF work");
}

static int
vf_find(struct netvsc_dev *nd, uint16_t *out)
{
	uint64_t pid;

	for (pid = rte_eth_find_next_owned_by(0, RTE_ETH_DEV_NO_OWNER);
	     pid < RTE_MAX_ETHPORTS;
	     pid = rte_eth_find_next_owned_by((uint16_t)pid + 1,
					      RTE_ETH_DEV_NO_OWNER)) {
		struct rte_ether_addr mac;

		if (pid == nd->port_id)
			continue;
		if (rte_eth_macaddr_get((uint16_t)pid, &mac) != 0)
			continue;
		if (rte_is_same_ether_addr(&mac, &nd->mac)) {
			*out = (uint16_t)pid;
			return 0;
		}
	}
	return -ENODEV;
}

/* Configure and set up the VF's queues like ours. */
static int
vf_configure(struct netvsc_dev *nd)
{
	struct rte_eth_dev_data *data = nd->data;
	struct rte_eth_conf conf = data->dev_conf;
	struct rte_eth_dev_info info;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(nd->vf_port, &info);
	if (ret < 0)
		return ret;
	if (info.max_rx_queues < nd->nb_rxq || info.max_tx_queues < nd->nb_txq) {
		NETVSC_LOG(ERR, nd, "VF port %u has too few queues (%u/%u)",
			   nd->vf_port, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	/* The VF gets what it can do of what we were asked. */
	conf.rxmode.offloads &= info.rx_offload_capa;
	conf.txmode.offloads &= info.tx_offload_capa;
	conf.rx_adv_conf.rss_conf.rss_hf &= info.flow_type_rss_offloads;
	if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	conf.intr_conf.lsc = 0;
	conf.intr_conf.rmv = 0;
	ret = rte_eth_dev_configure(nd->vf_port, nd->nb_rxq, nd->nb_txq, &conf);
	if (ret < 0)
		return ret;
	if (data->mtu != 0)
		rte_eth_dev_set_mtu(nd->vf_port, data->mtu);
	for (q = 0; q < nd->nb_rxq; q++) {
		struct netvsc_rxq *rxq = nd->rxq[q];

		if (rxq == NULL || rxq->mp == NULL)
			return -EINVAL;
		ret = rte_eth_rx_queue_setup(nd->vf_port, q, 512,
					     rte_eth_dev_socket_id(nd->vf_port),
					     NULL, rxq->mp);
		if (ret < 0)
			return ret;
	}
	for (q = 0; q < nd->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(nd->vf_port, q,
					     nd->txq[q] != NULL ? nd->txq[q]->nb_desc : 512,
					     rte_eth_dev_socket_id(nd->vf_port),
					     NULL);
		if (ret < 0)
			return ret;
	}
	nd->vf_configured = true;
	return 0;
}

/* Start the VF and move the data path to it. Control thread. */
static int
vf_start(struct netvsc_dev *nd)
{
	int ret;

	if (!nd->vf_attached || !nd->started)
		return 0;
	if (!nd->vf_configured) {
		ret = vf_configure(nd);
		if (ret < 0) {
			NETVSC_LOG(ERR, nd, "cannot configure VF port %u: %s",
				   nd->vf_port, rte_strerror(-ret));
			return ret;
		}
	}
	if (!nd->vf_rx) {
		ret = rte_eth_dev_start(nd->vf_port);
		if (ret < 0) {
			NETVSC_LOG(ERR, nd, "cannot start VF port %u: %s",
				   nd->vf_port, rte_strerror(-ret));
			return ret;
		}
		if (nd->promisc)
			rte_eth_promiscuous_enable(nd->vf_port);
		if (nd->allmulti)
			rte_eth_allmulticast_enable(nd->vf_port);
		rte_rwlock_write_lock(&nd->vf_lock);
		nd->vf_rx = true;
		rte_rwlock_write_unlock(&nd->vf_lock);
	}
	/* Still up when a withdrawal and a new offer came in one go: only
	 * the data path has to be asked for again.
	 */
	if (!nd->vf_offered || nd->vf_tx)
		return 0;
	ret = netvsc_nvsp_set_datapath(nd, true);
	if (ret < 0) {
		NETVSC_LOG(ERR, nd, "host refused the VF data path; staying synthetic");
		return ret;
	}
	rte_rwlock_write_lock(&nd->vf_lock);
	nd->vf_tx = true;
	rte_rwlock_write_unlock(&nd->vf_lock);
	NETVSC_LOG(INFO, nd, "data path on VF port %u", nd->vf_port);
	return 0;
}

/* Synthetic data path first, then stop the VF. Control thread. */
static void
vf_stop(struct netvsc_dev *nd, bool tell_host)
{
	if (nd->vf_tx || nd->datapath_vf) {
		rte_rwlock_write_lock(&nd->vf_lock);
		nd->vf_tx = false;
		rte_rwlock_write_unlock(&nd->vf_lock);
		if (tell_host && nd->datapath_vf && nd->session_up && !nd->failed)
			netvsc_nvsp_set_datapath(nd, false);
		nd->datapath_vf = false;
		NETVSC_LOG(INFO, nd, "data path synthetic");
	}
	if (nd->vf_rx) {
		rte_rwlock_write_lock(&nd->vf_lock);
		nd->vf_rx = false;
		rte_rwlock_write_unlock(&nd->vf_lock);
		rte_eth_dev_stop(nd->vf_port);
	}
}

static int
vf_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct netvsc_dev *nd = arg;

	RTE_SET_USED(ret);
	switch (type) {
	case RTE_ETH_EVENT_NEW:
		/* A port appeared: maybe our VF (hot-add). */
		if (!nd->vf_attached && nd->vf_offered)
			netvsc_vf_schedule(nd, 1000);
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		if (nd->vf_attached && port == nd->vf_port) {
			nd->vf_remove = true;
			netvsc_vf_schedule(nd, 0);
		}
		break;
	case RTE_ETH_EVENT_DESTROY:
		/* Someone removes the VF now: leave it before it is gone. */
		if (nd->vf_attached && port == nd->vf_port)
			netvsc_vf_detach(nd, false);
		break;
	default:
		break;
	}
	return 0;
}

static int
vf_attach(struct netvsc_dev *nd, uint16_t vf)
{
	struct rte_eth_dev_owner owner;
	int ret;

	if (nd->owner_id == 0) {
		ret = rte_eth_dev_owner_new(&nd->owner_id);
		if (ret < 0)
			return ret;
	}
	owner.id = nd->owner_id;
	snprintf(owner.name, sizeof(owner.name), "netvsc port %u",
		 nd->port_id);
	ret = rte_eth_dev_owner_set(vf, &owner);
	if (ret < 0) {
		NETVSC_LOG(ERR, nd, "cannot take ownership of VF port %u", vf);
		return ret;
	}
	nd->vf_port = vf;
	nd->vf_configured = false;
	rte_eth_dev_callback_register(vf, RTE_ETH_EVENT_INTR_RMV, vf_event, nd);
	rte_eth_dev_callback_register(vf, RTE_ETH_EVENT_DESTROY, vf_event, nd);
	nd->vf_attached = true;
	NETVSC_LOG(INFO, nd, "VF is port %u", vf);
	if (nd->data->dev_configured && nd->started)
		return vf_start(nd);
	return 0;
}

void
netvsc_vf_detach(struct netvsc_dev *nd, bool remove_device)
{
	uint16_t vf = nd->vf_port;
	char name[RTE_DEV_NAME_MAX_LEN];

	if (!nd->vf_attached)
		return;
	vf_stop(nd, true);
	rte_eth_dev_callback_unregister(vf, RTE_ETH_EVENT_INTR_RMV, vf_event, nd);
	rte_eth_dev_callback_unregister(vf, RTE_ETH_EVENT_DESTROY, vf_event, nd);
	nd->vf_attached = false;
	nd->vf_configured = false;
	rte_eth_dev_owner_unset(vf, nd->owner_id);
	NETVSC_LOG(INFO, nd, "VF port %u released", vf);
	if (remove_device && rte_eth_dev_get_name_by_port(vf, name) == 0) {
		struct rte_eth_dev_info info;

		rte_eth_dev_close(vf);
		if (rte_eth_dev_info_get(vf, &info) == 0 && info.device != NULL)
			rte_dev_remove(info.device);
	}
}

static void
vf_alarm(void *arg)
{
	struct netvsc_dev *nd = arg;
	uint16_t vf;

	if (nd->vf_remove) {
		nd->vf_remove = false;
		netvsc_vf_detach(nd, true);
		return;
	}
	if (nd->vf_attached && !nd->vf_offered) {
		/* The host withdrew the VF: back to synthetic, keep the port. */
		vf_stop(nd, false);
		return;
	}
	if (nd->vf_attached && nd->vf_offered && nd->started && !nd->vf_tx) {
		vf_start(nd);
		return;
	}
	if (nd->vf_attached || !nd->vf_offered)
		return;
	if (vf_find(nd, &vf) == 0)
		vf_attach(nd, vf);
	else
		netvsc_vf_schedule(nd, VF_RETRY_US);
}

int
netvsc_vf_dev_start(struct netvsc_dev *nd)
{
	uint16_t vf;

	if (!nd->vf_attached && vf_find(nd, &vf) == 0)
		return vf_attach(nd, vf);
	return vf_start(nd);
}

void
netvsc_vf_dev_stop(struct netvsc_dev *nd)
{
	vf_stop(nd, true);
}

void
netvsc_vf_dev_configured(struct netvsc_dev *nd)
{
	if (nd->vf_attached) {
		vf_stop(nd, true);
		nd->vf_configured = false;
	}
}

void
netvsc_vf_init(struct netvsc_dev *nd)
{
	rte_rwlock_init(&nd->vf_lock);
	nd->vf_port = RTE_MAX_ETHPORTS;
	rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_NEW, vf_event,
				      nd);
	/* Without multi-process support (--no-shconf, in-memory) there is
	 * no secondary to hear from.
	 */
	nd->vf_mp_counted = true;
	if (vf_mp_users++ == 0 &&
	    rte_mp_action_register(VF_MP_ACTION, vf_mp_action) < 0 &&
	    rte_errno != ENOTSUP && rte_errno != EEXIST)
		NETVSC_LOG(WARNING, nd, "VF work from secondary processes cannot reach us: %s",
			   rte_strerror(rte_errno));
}

void
netvsc_vf_fini(struct netvsc_dev *nd)
{
	rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
					vf_event, nd);
	rte_eal_alarm_cancel(vf_alarm, nd);
	netvsc_vf_detach(nd, false);
	if (nd->vf_mp_counted) {
		nd->vf_mp_counted = false;
		if (--vf_mp_users == 0)
			rte_mp_action_unregister(VF_MP_ACTION);
	}
}

/* The VF's statistics are part of ours: the application sees one port. */
void
netvsc_vf_stats_add(struct netvsc_dev *nd, struct rte_eth_stats *st)
{
	struct rte_eth_stats vs;
	unsigned int q;

	if (!nd->vf_attached || rte_eth_stats_get(nd->vf_port, &vs) != 0)
		return;
	st->ipackets += vs.ipackets;
	st->opackets += vs.opackets;
	st->ibytes += vs.ibytes;
	st->obytes += vs.obytes;
	st->ierrors += vs.ierrors;
	st->oerrors += vs.oerrors;
	st->imissed += vs.imissed;
	st->rx_nombuf += vs.rx_nombuf;
	for (q = 0; q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
		st->q_ipackets[q] += vs.q_ipackets[q];
		st->q_opackets[q] += vs.q_opackets[q];
		st->q_ibytes[q] += vs.q_ibytes[q];
		st->q_obytes[q] += vs.q_obytes[q];
	}
}
