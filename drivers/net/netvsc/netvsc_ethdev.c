/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netvsc ethdev: probe on the vmbus bus, devargs, and the ethdev
 * operations that drive the NetVSP session and the RNDIS device.
 *
 * The NetVSP session belongs to the open channel: a new MTU or another
 * sub-channel count needs a new session, so the device is closed,
 * unmapped, mapped and brought up again (netvsc_session_restart).
 */
#include <errno.h>
#include <string.h>

#include <rte_kvargs.h>
#include <rte_memzone.h>

#include "netvsc.h"

RTE_LOG_REGISTER_DEFAULT(netvsc_logtype, NOTICE);

#define NETVSC_ARG_LATENCY        "latency"
#define NETVSC_ARG_RX_COPYBREAK   "rx_copybreak"
#define NETVSC_ARG_TX_COPYBREAK   "tx_copybreak"
#define NETVSC_ARG_RX_EXTMBUF     "rx_extmbuf_enable"
#define NETVSC_ARG_CTRL_TIMEOUT   "ctrl_timeout_ms"

#define NETVSC_SUBCH_TIMEOUT_MS   10000

static const char *const netvsc_valid_args[] = {
	NETVSC_ARG_LATENCY,
	NETVSC_ARG_RX_COPYBREAK,
	NETVSC_ARG_TX_COPYBREAK,
	NETVSC_ARG_RX_EXTMBUF,
	NETVSC_ARG_CTRL_TIMEOUT,
	NULL,
};

/* Default RSS key (a common Toeplitz key; any 40 bytes will do). */
static const uint8_t netvsc_default_rss_key[NETVSC_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define NETVSC_RSS_HF (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | \
		       RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_IPV6_EX | \
		       RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_IPV6_TCP_EX)

static int
parse_u32_arg(const char *key, const char *value, void *opaque)
{
	uint32_t *out = opaque;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || v > UINT32_MAX ||
	    value[0] == '-') {
		RTE_LOG(ERR, PMD, "netvsc: invalid value '%s' for devarg %s\n",
			value, key);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_devargs(struct netvsc_dev *nd, const struct rte_devargs *da)
{
	struct rte_kvargs *kv;
	uint32_t extmbuf = 0;
	int ret = 0;

	nd->args.latency_us = 50;
	nd->args.rx_copybreak = 256;
	/* Copy whatever fits in a send-buffer section, as Linux does: a copy
	 * costs less than the host mapping guest pages. Set at attach.
	 */
	nd->args.tx_copybreak = UINT32_MAX;
	nd->args.rx_extmbuf = false;
	nd->args.ctrl_timeout_ms = 5000;
	if (da == NULL || da->args == NULL || da->args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(da->args, netvsc_valid_args);
	if (kv == NULL) {
		NETVSC_LOG(ERR, nd, "invalid devargs '%s' (known: latency, rx_copybreak, tx_copybreak, rx_extmbuf_enable, ctrl_timeout_ms)",
			   da->args);
		return -EINVAL;
	}
	ret |= rte_kvargs_process(kv, NETVSC_ARG_LATENCY, parse_u32_arg,
				  &nd->args.latency_us);
	ret |= rte_kvargs_process(kv, NETVSC_ARG_RX_COPYBREAK, parse_u32_arg,
				  &nd->args.rx_copybreak);
	ret |= rte_kvargs_process(kv, NETVSC_ARG_TX_COPYBREAK, parse_u32_arg,
				  &nd->args.tx_copybreak);
	ret |= rte_kvargs_process(kv, NETVSC_ARG_RX_EXTMBUF, parse_u32_arg,
				  &extmbuf);
	ret |= rte_kvargs_process(kv, NETVSC_ARG_CTRL_TIMEOUT, parse_u32_arg,
				  &nd->args.ctrl_timeout_ms);
	rte_kvargs_free(kv);
	if (ret != 0)
		return -EINVAL;
	if (extmbuf > 1 || nd->args.latency_us > 6553 ||
	    nd->args.ctrl_timeout_ms == 0) {
		NETVSC_LOG(ERR, nd, "devarg out of range: rx_extmbuf_enable is 0 or 1, latency at most 6553 us, ctrl_timeout_ms not 0");
		return -EINVAL;
	}
	nd->args.rx_extmbuf = extmbuf != 0;
	return 0;
}

static void
session_close(struct netvsc_dev *nd)
{
	unsigned int i;

	if (nd->primary == NULL)
		return;
	if (nd->session_up && !nd->failed &&
	    !vmbus_device_is_rescinded(nd->vdev)) {
		netvsc_rndis_detach(nd);
		netvsc_nvsp_detach(nd);
	}
	nd->session_up = false;
	for (i = nd->nchan; i-- > 1;) {
		vmbus_chan_close(nd->chan[i]);
		nd->chan[i] = NULL;
	}
	vmbus_chan_close(nd->primary);
	nd->primary = NULL;
	nd->chan[0] = NULL;
	nd->nchan = 0;
}

static int
rxq_alloc(struct netvsc_dev *nd, uint16_t q)
{
	struct netvsc_rxq *rxq;
	int ret;

	if (nd->rxq[q] != NULL)
		return 0;
	rxq = rte_zmalloc_socket("netvsc_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE,
				 nd->vdev->device.numa_node);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->queue_id = q;
	ret = netvsc_rxq_init(nd, rxq);
	if (ret < 0) {
		rte_free(rxq);
		return ret;
	}
	nd->rxq[q] = rxq;
	return 0;
}

static void
rxq_free(struct netvsc_dev *nd, uint16_t q)
{
	if (nd->rxq[q] == NULL)
		return;
	netvsc_rxq_fini(nd->rxq[q]);
	rte_free(nd->rxq[q]);
	nd->rxq[q] = NULL;
}

static void
bind_channel(struct netvsc_dev *nd, uint16_t q)
{
	if (nd->rxq[q] != NULL)
		nd->rxq[q]->chan = nd->chan[q];
	if (nd->txq[q] != NULL)
		nd->txq[q]->chan = nd->chan[q];
	if (nd->args.latency_us != 0 &&
	    vmbus_chan_monitor_id(nd->chan[q]) != VMBUS_NO_MONITOR)
		vmbus_chan_set_latency(nd->chan[q], nd->args.latency_us * 1000);
}

/* Bring up a session on the mapped device, with nchan channels. */
static int
session_open(struct netvsc_dev *nd, uint16_t nchan)
{
	struct vmbus_channel *subs[NETVSC_MAX_QUEUES];
	int ret, granted, i;

	nd->failed = false;
	ret = vmbus_chan_open(nd->vdev, &nd->primary);
	if (ret < 0) {
		NETVSC_LOG(ERR, nd, "cannot open the primary channel: %s",
			   rte_strerror(-ret));
		return ret;
	}
	nd->chan[0] = nd->primary;
	nd->nchan = 1;
	ret = rxq_alloc(nd, 0);
	if (ret < 0)
		return ret;
	bind_channel(nd, 0);
	ret = netvsc_nvsp_attach(nd, nd->mtu != 0 ? nd->mtu : RTE_ETHER_MTU);
	if (ret < 0)
		return ret;
	/* The receive buffer geometry is known now: size the ack lists. */
	ret = netvsc_rxq_reset(nd->rxq[0]);
	if (ret < 0)
		return ret;
	ret = netvsc_rndis_attach(nd);
	if (ret < 0)
		return ret;
	if (nchan <= 1)
		return 0;
	granted = netvsc_nvsp_subch_alloc(nd, nchan - 1);
	if (granted < 0)
		return granted;
	if (granted < nchan - 1) {
		NETVSC_LOG(ERR, nd, "host granted %d of %u sub-channels", granted,
			   nchan - 1);
		return -ENOSPC;
	}
	ret = vmbus_subchan_open_all(nd->primary, nchan - 1,
				     NETVSC_SUBCH_TIMEOUT_MS, subs);
	if (ret < 0) {
		NETVSC_LOG(ERR, nd, "sub-channels did not appear: %s",
			   rte_strerror(-ret));
		return ret;
	}
	for (i = 1; i < nchan; i++) {
		nd->chan[i] = subs[i - 1];
		nd->nchan++;
		if (nd->rxq[i] != NULL)
			ret = netvsc_rxq_reset(nd->rxq[i]);
		else
			ret = rxq_alloc(nd, (uint16_t)i);
		if (ret < 0)
			return ret;
		bind_channel(nd, (uint16_t)i);
	}
	return 0;
}

static int
session_restart(struct netvsc_dev *nd, uint16_t nchan)
{
	unsigned int q;
	int ret;

	session_close(nd);
	/* Queue objects stay (the application holds them); their channels
	 * and per-session state go.
	 */
	for (q = 0; q < NETVSC_MAX_QUEUES; q++) {
		if (nd->rxq[q] != NULL) {
			netvsc_rxq_flush_stash(nd->rxq[q]);
			nd->rxq[q]->chan = NULL;
		}
		if (nd->txq[q] != NULL) {
			netvsc_txq_reset(nd->txq[q]);
			nd->txq[q]->chan = NULL;
		}
	}
	vmbus_device_unmap(nd->vdev);
	ret = vmbus_device_map(nd->vdev);
	if (ret < 0) {
		NETVSC_LOG(ERR, nd, "cannot map the device again: %s",
			   rte_strerror(-ret));
		return ret;
	}
	ret = session_open(nd, nchan);
	if (ret < 0)
		session_close(nd);
	return ret;
}

static int
netvsc_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = NETVSC_MAX_FRAME;
	info->min_mtu = NETVSC_MIN_MTU;
	info->max_mtu = NETVSC_MAX_MTU;
	info->max_rx_queues = (uint16_t)nd->max_rx_queues;
	info->max_tx_queues = (uint16_t)nd->max_rx_queues;
	info->rx_offload_capa = nd->rx_offload_capa;
	info->tx_offload_capa = nd->tx_offload_capa;
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	info->flow_type_rss_offloads = nd->max_rx_queues > 1 ? NETVSC_RSS_HF : 0;
	info->hash_key_size = NETVSC_RSS_KEY_SIZE;
	info->reta_size = NETVSC_RSS_IND_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->tx_desc_lim.nb_max = NETVSC_TX_DESC_MAX;
	info->tx_desc_lim.nb_min = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.ring_size = NETVSC_TX_DESC_DEFAULT;
	info->default_rxportconf.ring_size = 512;
	info->dev_capa = 0;
	return 0;
}

static void
rss_defaults(struct netvsc_dev *nd, uint16_t nb_rx)
{
	unsigned int i;

	for (i = 0; i < NETVSC_RSS_IND_SIZE; i++)
		nd->reta[i] = (uint16_t)(i % nb_rx);
}

static int
netvsc_dev_configure(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	struct rte_eth_conf *conf = &dev->data->dev_conf;
	uint64_t rxo = conf->rxmode.offloads, txo = conf->txmode.offloads;
	uint16_t nchan = RTE_MAX(dev->data->nb_rx_queues,
				 dev->data->nb_tx_queues);
	int ret;

	if (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		rxo |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	if ((rxo & ~nd->rx_offload_capa) != 0 || (txo & ~nd->tx_offload_capa) != 0) {
		NETVSC_LOG(ERR, nd, "offloads not supported by the host: rx %#" PRIx64 " tx %#" PRIx64,
			   rxo & ~nd->rx_offload_capa, txo & ~nd->tx_offload_capa);
		return -EINVAL;
	}
	if (nchan > nd->max_rx_queues) {
		NETVSC_LOG(ERR, nd, "%u queues asked, the host allows %u", nchan,
			   nd->max_rx_queues);
		return -EINVAL;
	}
	netvsc_vf_dev_configured(nd);
	if (nd->failed || nchan != nd->nchan) {
		ret = session_restart(nd, nchan);
		if (ret < 0)
			return ret;
	}
	nd->nb_rxq = dev->data->nb_rx_queues;
	nd->nb_txq = dev->data->nb_tx_queues;
	nd->vlan_strip = rxo & RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	if (nd->nb_rxq > 1) {
		struct rte_eth_rss_conf *rc = &conf->rx_adv_conf.rss_conf;

		nd->rss_hf = rc->rss_hf & NETVSC_RSS_HF;
		if (rc->rss_hf != 0 && nd->rss_hf == 0) {
			NETVSC_LOG(ERR, nd, "RSS types %#" PRIx64 " not supported (the host hashes IPv4/IPv6 and TCP only)",
				   rc->rss_hf);
			return -EINVAL;
		}
		if (rc->rss_key != NULL) {
			if (rc->rss_key_len != NETVSC_RSS_KEY_SIZE) {
				NETVSC_LOG(ERR, nd, "RSS key must be %u bytes",
					   NETVSC_RSS_KEY_SIZE);
				return -EINVAL;
			}
			memcpy(nd->rss_key, rc->rss_key, NETVSC_RSS_KEY_SIZE);
		}
		rss_defaults(nd, nd->nb_rxq);
		ret = netvsc_rndis_set_rss(nd, false);
		if (ret == 0 && nd->rss_hf != 0)
			ret = netvsc_rndis_set_rss(nd, true);
		if (ret < 0)
			return ret;
	}
	return netvsc_rndis_set_offloads(nd, txo, rxo);
}

static uint32_t
current_filter(const struct netvsc_dev *nd)
{
	if (nd->promisc)
		return RNDIS_FILTER_PROMISCUOUS;
	return RNDIS_FILTER_DIRECTED | RNDIS_FILTER_BROADCAST |
		(nd->allmulti ? RNDIS_FILTER_ALL_MULTICAST : 0);
}

static int
netvsc_dev_start(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int q;
	int ret;

	if (nd->failed) {
		NETVSC_LOG(ERR, nd, "port failed: configure it again to start a new session");
		return -EIO;
	}
	for (q = 0; q < nd->nb_txq; q++)
		if (nd->txq[q] == NULL)
			return -EINVAL;
	netvsc_txq_assign_sections(nd);
	ret = netvsc_rndis_link_query(nd);
	if (ret < 0)
		return ret;
	/* The filter last: frames flow from here on, and the ones that come
	 * before its completion wait in the stash for the first rx_burst.
	 */
	nd->started = true;
	ret = netvsc_rndis_set_filter(nd, current_filter(nd));
	if (ret < 0) {
		nd->started = false;
		return ret;
	}
	netvsc_link_report(nd);
	/* A VF failing to come up leaves us on the synthetic path. */
	netvsc_vf_dev_start(nd);
	for (q = 0; q < nd->nb_rxq; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	for (q = 0; q < nd->nb_txq; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
netvsc_dev_stop(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int q;

	if (!nd->started)
		return 0;
	netvsc_vf_dev_stop(nd);
	nd->started = false;
	if (!nd->failed && nd->session_up)
		netvsc_rndis_set_filter(nd, 0);
	/* Ack what is still on the rings, drop what was stashed. */
	for (q = 0; q < nd->nchan; q++) {
		struct netvsc_rxq *rxq = nd->rxq[q];

		if (rxq == NULL)
			continue;
		rte_spinlock_lock(&rxq->lock);
		netvsc_rxq_drain(rxq);
		netvsc_rxq_flush_stash(rxq);
		rte_spinlock_unlock(&rxq->lock);
	}
	for (q = 0; q < nd->nb_rxq; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < nd->nb_txq; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static void
txq_free(struct netvsc_dev *nd, uint16_t q)
{
	if (nd->txq[q] == NULL)
		return;
	netvsc_txq_fini(nd->txq[q]);
	rte_free(nd->txq[q]);
	nd->txq[q] = NULL;
}

static int
netvsc_rx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
		      unsigned int socket, const struct rte_eth_rxconf *conf,
		      struct rte_mempool *mp)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	int ret;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	ret = rxq_alloc(nd, q);
	if (ret < 0)
		return ret;
	nd->rxq[q]->mp = mp;
	nd->rxq[q]->configured = true;
	dev->data->rx_queues[q] = nd->rxq[q];
	return 0;
}

static void
netvsc_rx_queue_release(struct rte_eth_dev *dev, uint16_t q)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	/* The object polls its channel for as long as the channel is open. */
	if (nd->rxq[q] != NULL) {
		nd->rxq[q]->mp = NULL;
		nd->rxq[q]->configured = false;
	}
}

static int
netvsc_tx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
		      unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	struct netvsc_txq *txq;
	int ret;

	RTE_SET_USED(conf);
	if (q >= nd->nchan)
		return -EINVAL;
	txq_free(nd, q);
	txq = rte_zmalloc_socket("netvsc_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE,
				 (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	txq->queue_id = q;
	txq->chan = nd->chan[q];
	ret = netvsc_txq_init(nd, txq, RTE_MIN(nb_desc, NETVSC_TX_DESC_MAX),
			      (int)socket);
	if (ret < 0) {
		rte_free(txq);
		return ret;
	}
	nd->txq[q] = txq;
	dev->data->tx_queues[q] = txq;
	return 0;
}

static void
netvsc_tx_queue_release(struct rte_eth_dev *dev, uint16_t q)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	struct netvsc_rxq *rxq = nd->rxq[q];

	/* Completions for it are handled under the channel's locks. */
	if (rxq != NULL)
		rte_spinlock_lock(&rxq->lock);
	rte_spinlock_lock(&nd->send_lock[q]);
	txq_free(nd, q);
	rte_spinlock_unlock(&nd->send_lock[q]);
	if (rxq != NULL)
		rte_spinlock_unlock(&rxq->lock);
}

static int
netvsc_dev_close(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	netvsc_dev_stop(dev);
	netvsc_vf_fini(nd);
	session_close(nd);
	for (q = 0; q < NETVSC_MAX_QUEUES; q++) {
		txq_free(nd, (uint16_t)q);
		rxq_free(nd, (uint16_t)q);
	}
	rte_memzone_free(nd->rndis_req_mz);
	nd->rndis_req_mz = NULL;
	nd->vdev->drv_private = NULL;
	return 0;
}

/* Publish the link as we know it (atomic: any thread may call this). */
void
netvsc_link_report(struct netvsc_dev *nd)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	link.link_status = nd->link_up && !nd->failed ? RTE_ETH_LINK_UP :
		RTE_ETH_LINK_DOWN;
	link.link_speed = link.link_status == RTE_ETH_LINK_UP ?
		nd->link_speed_mbps : RTE_ETH_SPEED_NUM_NONE;
	rte_eth_linkstatus_set(netvsc_eth_dev(nd), &link);
}

static int
netvsc_link_update(struct rte_eth_dev *dev, int wait)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	struct rte_eth_link old;

	RTE_SET_USED(wait);
	rte_eth_linkstatus_get(dev, &old);
	netvsc_link_report(nd);
	/* 0: changed, -1: unchanged (ethdev convention) */
	return old.link_status != (nd->link_up && !nd->failed) ? 0 : -1;
}

static int
set_filter_flags(struct netvsc_dev *nd, bool promisc, bool allmulti)
{
	bool p = nd->promisc, a = nd->allmulti;
	int ret;

	nd->promisc = promisc;
	nd->allmulti = allmulti;
	if (!nd->started)
		return 0;
	ret = netvsc_rndis_set_filter(nd, current_filter(nd));
	if (ret < 0) {
		nd->promisc = p;
		nd->allmulti = a;
	}
	return ret;
}

static int
netvsc_promisc_enable(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	return set_filter_flags(nd, true, nd->allmulti);
}

static int
netvsc_promisc_disable(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	return set_filter_flags(nd, false, nd->allmulti);
}

static int
netvsc_allmulti_enable(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	return set_filter_flags(nd, nd->promisc, true);
}

static int
netvsc_allmulti_disable(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	return set_filter_flags(nd, nd->promisc, false);
}

static int
netvsc_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int q;

	for (q = 0; q < nd->nchan; q++) {
		const struct netvsc_rxq *rxq = nd->rxq[q];
		const struct netvsc_txq *txq = nd->txq[q];

		if (rxq != NULL) {
			st->ipackets += rxq->stats.packets;
			st->ibytes += rxq->stats.bytes;
			st->ierrors += rxq->stats.errors;
			st->imissed += rxq->stats.dropped + rxq->stats.stash_full;
			st->rx_nombuf += rxq->stats.nombuf;
			if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
				st->q_ipackets[q] = rxq->stats.packets;
				st->q_ibytes[q] = rxq->stats.bytes;
				st->q_errors[q] = rxq->stats.errors;
			}
		}
		if (txq != NULL) {
			st->opackets += txq->stats.packets;
			st->obytes += txq->stats.bytes;
			st->oerrors += txq->stats.errors + txq->stats.host_failed;
			if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
				st->q_opackets[q] = txq->stats.packets;
				st->q_obytes[q] = txq->stats.bytes;
			}
		}
	}
	netvsc_vf_stats_add(nd, st);
	return 0;
}

static int
netvsc_stats_reset(struct rte_eth_dev *dev)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int q;

	for (q = 0; q < NETVSC_MAX_QUEUES; q++) {
		if (nd->rxq[q] != NULL)
			memset(&nd->rxq[q]->stats, 0, sizeof(nd->rxq[q]->stats));
		if (nd->txq[q] != NULL)
			memset(&nd->txq[q]->stats, 0, sizeof(nd->txq[q]->stats));
	}
	nd->protocol_errors = 0;
	nd->ctrl_timeouts = 0;
	return 0;
}

struct xstat_def {
	const char *name;
	size_t offset;
};

#define RXS(f) { #f, offsetof(struct netvsc_rx_stats, f) }
#define TXS(f) { #f, offsetof(struct netvsc_tx_stats, f) }
static const struct xstat_def rx_xstats[] = {
	RXS(packets), RXS(bytes), RXS(errors), RXS(nombuf), RXS(dropped),
	RXS(multicast), RXS(broadcast), RXS(acks_deferred), RXS(zero_copy), RXS(stash_full), RXS(parked),
	{ "size_64_packets", offsetof(struct netvsc_rx_stats, size_bins[0]) },
	{ "size_65_127_packets", offsetof(struct netvsc_rx_stats, size_bins[1]) },
	{ "size_128_255_packets", offsetof(struct netvsc_rx_stats, size_bins[2]) },
	{ "size_256_511_packets", offsetof(struct netvsc_rx_stats, size_bins[3]) },
	{ "size_512_1023_packets", offsetof(struct netvsc_rx_stats, size_bins[4]) },
	{ "size_1024_1518_packets", offsetof(struct netvsc_rx_stats, size_bins[5]) },
	{ "size_1519_8999_packets", offsetof(struct netvsc_rx_stats, size_bins[6]) },
	{ "size_9000_max_packets", offsetof(struct netvsc_rx_stats, size_bins[7]) },
};
static const struct xstat_def tx_xstats[] = {
	TXS(packets), TXS(bytes), TXS(errors), TXS(chimney), TXS(gpa),
	TXS(ring_full), TXS(desc_full), TXS(host_failed),
};
#define DEV_XSTATS 3

static int
netvsc_xstats_get_names(struct rte_eth_dev *dev,
			struct rte_eth_xstat_name *names, unsigned int size)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int n = DEV_XSTATS + nd->nchan *
		(RTE_DIM(rx_xstats) + RTE_DIM(tx_xstats));
	unsigned int q, i, k = 0;

	if (names == NULL || size < n)
		return (int)n;
	snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "protocol_errors");
	snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "ctrl_timeouts");
	snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "port_failed");
	for (q = 0; q < nd->nchan; q++) {
		for (i = 0; i < RTE_DIM(rx_xstats); i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "rx_q%u_%s", q, rx_xstats[i].name);
		for (i = 0; i < RTE_DIM(tx_xstats); i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "tx_q%u_%s", q, tx_xstats[i].name);
	}
	return (int)n;
}

static int
netvsc_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		  unsigned int size)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int n = DEV_XSTATS + nd->nchan *
		(RTE_DIM(rx_xstats) + RTE_DIM(tx_xstats));
	unsigned int q, i, k = 0;

	if (xs == NULL || size < n)
		return (int)n;
	xs[k].id = k; xs[k].value = nd->protocol_errors; k++;
	xs[k].id = k; xs[k].value = nd->ctrl_timeouts; k++;
	xs[k].id = k; xs[k].value = nd->failed; k++;
	for (q = 0; q < nd->nchan; q++) {
		const uint8_t *rs = nd->rxq[q] != NULL ?
			(const uint8_t *)&nd->rxq[q]->stats : NULL;
		const uint8_t *ts = nd->txq[q] != NULL ?
			(const uint8_t *)&nd->txq[q]->stats : NULL;
		uint64_t v;

		for (i = 0; i < RTE_DIM(rx_xstats); i++, k++) {
			v = 0;
			if (rs != NULL)
				memcpy(&v, rs + rx_xstats[i].offset, sizeof(v));
			xs[k].id = k;
			xs[k].value = v;
		}
		for (i = 0; i < RTE_DIM(tx_xstats); i++, k++) {
			v = 0;
			if (ts != NULL)
				memcpy(&v, ts + tx_xstats[i].offset, sizeof(v));
			xs[k].id = k;
			xs[k].value = v;
		}
	}
	return (int)n;
}

static int
netvsc_reta_update(struct rte_eth_dev *dev,
		   struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	uint16_t old[NETVSC_RSS_IND_SIZE];
	unsigned int i;
	int ret;

	if (size != NETVSC_RSS_IND_SIZE)
		return -EINVAL;
	memcpy(old, nd->reta, sizeof(old));
	for (i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *c =
			&conf[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned int s = i % RTE_ETH_RETA_GROUP_SIZE;

		if (!(c->mask & (1ull << s)))
			continue;
		if (c->reta[s] >= nd->nb_rxq) {
			memcpy(nd->reta, old, sizeof(old));
			return -EINVAL;
		}
		nd->reta[i] = c->reta[s];
	}
	ret = netvsc_rndis_set_rss(nd, nd->rss_hf != 0);
	if (ret < 0)
		memcpy(nd->reta, old, sizeof(old));
	return ret;
}

static int
netvsc_reta_query(struct rte_eth_dev *dev,
		  struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int i;

	if (size != NETVSC_RSS_IND_SIZE)
		return -EINVAL;
	for (i = 0; i < size; i++) {
		struct rte_eth_rss_reta_entry64 *c =
			&conf[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned int s = i % RTE_ETH_RETA_GROUP_SIZE;

		if (c->mask & (1ull << s))
			c->reta[s] = nd->reta[i];
	}
	return 0;
}

static int
netvsc_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rc)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	uint8_t old_key[NETVSC_RSS_KEY_SIZE];
	uint64_t old_hf = nd->rss_hf;
	int ret;

	if (nd->nb_rxq <= 1)
		return -ENOTSUP;
	if ((rc->rss_hf & ~NETVSC_RSS_HF) != 0)
		return -EINVAL;
	if (rc->rss_key != NULL && rc->rss_key_len != NETVSC_RSS_KEY_SIZE)
		return -EINVAL;
	memcpy(old_key, nd->rss_key, sizeof(old_key));
	if (rc->rss_key != NULL)
		memcpy(nd->rss_key, rc->rss_key, NETVSC_RSS_KEY_SIZE);
	nd->rss_hf = rc->rss_hf;
	ret = netvsc_rndis_set_rss(nd, false);
	if (ret == 0 && nd->rss_hf != 0)
		ret = netvsc_rndis_set_rss(nd, true);
	if (ret < 0) {
		memcpy(nd->rss_key, old_key, sizeof(old_key));
		nd->rss_hf = old_hf;
	}
	return ret;
}

static int
netvsc_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rc)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	if (rc->rss_key != NULL) {
		if (rc->rss_key_len < NETVSC_RSS_KEY_SIZE)
			return -EINVAL;
		memcpy(rc->rss_key, nd->rss_key, NETVSC_RSS_KEY_SIZE);
	}
	rc->rss_key_len = NETVSC_RSS_KEY_SIZE;
	rc->rss_hf = nd->rss_hf;
	return 0;
}

static int
netvsc_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	uint32_t old = nd->mtu;
	int ret;

	if (dev->data->dev_started) {
		NETVSC_LOG(ERR, nd, "stop the port before changing the MTU");
		return -EBUSY;
	}
	if (mtu == nd->mtu && !nd->failed)
		return 0;
	/* NDIS_CONFIG carries the MTU: it needs a new session. */
	nd->mtu = mtu;
	ret = session_restart(nd, RTE_MAX(nd->nchan, (uint16_t)1));
	if (ret == 0 && nd->mtu != mtu) {
		NETVSC_LOG(ERR, nd, "host set MTU %u, not %u", nd->mtu, mtu);
		ret = -EINVAL;
	}
	if (ret < 0) {
		nd->mtu = old;
		return ret;
	}
	NETVSC_LOG(INFO, nd, "MTU %u", mtu);
	return 0;
}

static void
netvsc_rxq_info_get(struct rte_eth_dev *dev, uint16_t q,
		    struct rte_eth_rxq_info *qi)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	qi->mp = nd->rxq[q] != NULL ? nd->rxq[q]->mp : NULL;
	qi->nb_desc = (uint16_t)RTE_MIN(nd->rxbuf_slots, (uint32_t)UINT16_MAX);
	qi->scattered_rx = 1;
}

static void
netvsc_txq_info_get(struct rte_eth_dev *dev, uint16_t q,
		    struct rte_eth_txq_info *qi)
{
	struct netvsc_dev *nd = dev->data->dev_private;

	qi->nb_desc = nd->txq[q] != NULL ? nd->txq[q]->nb_desc : 0;
}

static int
netvsc_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	struct netvsc_dev *nd = dev->data->dev_private;
	unsigned int i;

	fprintf(f, "netvsc %s: NVSP %#x NDIS %u.%u, %u channels, MTU %u%s\n",
		nd->name, nd->nvsp_version, nd->ndis_version >> 16,
		nd->ndis_version & 0xffff, nd->nchan, nd->mtu,
		nd->failed ? ", FAILED" : "");
	fprintf(f, "  receive buffer %u slots of %u; send buffer %u sections of %u, aggregation %u packets / %u bytes / align %u\n",
		nd->rxbuf_slots, nd->rxbuf_slot_size, nd->chim_sects,
		nd->chim_sect_size, nd->agg_max_pkts, nd->agg_max_size,
		nd->agg_align);
	fprintf(f, "  VF: %s%s%s, data path %s\n",
		nd->vf_offered ? "offered" : "none",
		nd->vf_attached ? ", attached" : "",
		nd->vf_tx ? ", active" : "",
		nd->datapath_vf ? "VF" : "synthetic");
	fprintf(f, "  host send table:");
	for (i = 0; i < nd->txtbl_count; i++)
		fprintf(f, " %u", nd->txtbl[i]);
	fprintf(f, "\n");
	for (i = 0; i < nd->nchan; i++)
		vmbus_chan_dump(f, nd->chan[i]);
	return 0;
}

static const struct eth_dev_ops netvsc_ops = {
	.eth_dev_priv_dump = netvsc_priv_dump,
	.dev_configure = netvsc_dev_configure,
	.dev_start = netvsc_dev_start,
	.dev_stop = netvsc_dev_stop,
	.dev_close = netvsc_dev_close,
	.dev_infos_get = netvsc_dev_infos_get,
	.link_update = netvsc_link_update,
	.promiscuous_enable = netvsc_promisc_enable,
	.promiscuous_disable = netvsc_promisc_disable,
	.allmulticast_enable = netvsc_allmulti_enable,
	.allmulticast_disable = netvsc_allmulti_disable,
	.stats_get = netvsc_stats_get,
	.stats_reset = netvsc_stats_reset,
	.xstats_get = netvsc_xstats_get,
	.xstats_get_names = netvsc_xstats_get_names,
	.xstats_reset = netvsc_stats_reset,
	.reta_update = netvsc_reta_update,
	.reta_query = netvsc_reta_query,
	.rss_hash_update = netvsc_rss_hash_update,
	.rss_hash_conf_get = netvsc_rss_hash_conf_get,
	.mtu_set = netvsc_mtu_set,
	.rx_queue_setup = netvsc_rx_queue_setup,
	.rx_queue_release = netvsc_rx_queue_release,
	.tx_queue_setup = netvsc_tx_queue_setup,
	.tx_queue_release = netvsc_tx_queue_release,
	.tx_done_cleanup = netvsc_tx_done_cleanup,
	.rxq_info_get = netvsc_rxq_info_get,
	.txq_info_get = netvsc_txq_info_get,
};

struct netvsc_dev *
netvsc_dev_of_port(uint16_t port)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port))
		return NULL;
	dev = &rte_eth_devices[port];
	return dev->dev_ops == &netvsc_ops ? dev->data->dev_private : NULL;
}

/*
 * A secondary process shares the primary's port: it may poll queues the
 * primary does not, and read state and counters. Everything that changes
 * the device stays with the primary.
 */
static const struct eth_dev_ops netvsc_secondary_ops = {
	.dev_infos_get = netvsc_dev_infos_get,
	.dev_close = netvsc_dev_close,
	.link_update = netvsc_link_update,
	.stats_get = netvsc_stats_get,
	.xstats_get = netvsc_xstats_get,
	.xstats_get_names = netvsc_xstats_get_names,
	.reta_query = netvsc_reta_query,
	.rss_hash_conf_get = netvsc_rss_hash_conf_get,
	.rxq_info_get = netvsc_rxq_info_get,
	.txq_info_get = netvsc_txq_info_get,
};

static int
netvsc_probe_secondary(struct vmbus_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(vdev->name);
	struct netvsc_dev *nd;

	if (dev == NULL) {
		RTE_LOG(ERR, PMD, "netvsc: %s: not a port of the primary process\n",
			vdev->name);
		return -ENODEV;
	}
	nd = dev->data->dev_private;
	/* A lent receive buffer's free callback is an address in the
	 * process that lent it: such mbufs cannot cross processes.
	 */
	if (nd->args.rx_extmbuf) {
		NETVSC_LOG(ERR, nd, "the primary lends receive buffers (rx_extmbuf_enable): secondary processes cannot share the port");
		rte_eth_dev_release_port(dev);
		return -ENOTSUP;
	}
	dev->device = &vdev->device;
	dev->dev_ops = &netvsc_secondary_ops;
	dev->rx_pkt_burst = netvsc_rx_burst;
	dev->tx_pkt_burst = netvsc_tx_burst;
	dev->tx_pkt_prepare = netvsc_tx_prepare;
	rte_eth_dev_probing_finish(dev);
	NETVSC_LOG(INFO, nd, "port %u attached in a secondary process",
		   dev->data->port_id);
	return 0;
}

static int
netvsc_probe(struct vmbus_driver *drv, struct vmbus_device *vdev)
{
	struct rte_eth_dev *dev;
	struct netvsc_dev *nd;
	char mzname[RTE_MEMZONE_NAMESIZE];
	int ret;

	RTE_SET_USED(drv);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return netvsc_probe_secondary(vdev);
	if (rte_eal_iova_mode() != RTE_IOVA_PA) {
		RTE_LOG(ERR, PMD, "netvsc: %s: the host reads guest physical addresses, but EAL runs with IOVA as VA; run with --iova-mode=pa and hugepages (as root)\n",
			vdev->name);
		return -ENOTSUP;
	}
	dev = rte_eth_dev_allocate(vdev->name);
	if (dev == NULL)
		return -ENOMEM;
	nd = rte_zmalloc_socket("netvsc_dev", sizeof(*nd), RTE_CACHE_LINE_SIZE,
				vdev->device.numa_node);
	dev->data->mac_addrs = rte_zmalloc("netvsc_mac", RTE_ETHER_ADDR_LEN, 0);
	if (nd == NULL || dev->data->mac_addrs == NULL) {
		rte_free(nd);
		ret = -ENOMEM;
		goto fail_release;
	}
	dev->data->dev_private = nd;
	snprintf(nd->name, sizeof(nd->name), "%s", vdev->name);
	nd->vdev = vdev;
	nd->port_id = dev->data->port_id;
	nd->data = dev->data;
	for (ret = 0; ret < NETVSC_MAX_QUEUES; ret++)
		rte_spinlock_init(&nd->send_lock[ret]);
	rte_spinlock_recursive_init(&nd->ctrl_lock);
	memcpy(nd->rss_key, netvsc_default_rss_key, sizeof(nd->rss_key));
	ret = parse_devargs(nd, vdev->device.devargs);
	if (ret < 0)
		goto fail_release;
	snprintf(mzname, sizeof(mzname), "netvsc_%u_rndis", dev->data->port_id);
	nd->rndis_req_mz = rte_memzone_reserve_aligned(mzname,
			VMBUS_HV_PAGE_SIZE, vdev->device.numa_node,
			RTE_MEMZONE_IOVA_CONTIG, VMBUS_HV_PAGE_SIZE);
	if (nd->rndis_req_mz == NULL) {
		ret = -ENOMEM;
		goto fail_release;
	}
	nd->rndis_req = nd->rndis_req_mz->addr;
	nd->rndis_req_iova = nd->rndis_req_mz->iova;
	dev->device = &vdev->device;
	dev->dev_ops = &netvsc_ops;
	dev->rx_pkt_burst = netvsc_rx_burst;
	dev->tx_pkt_burst = netvsc_tx_burst;
	dev->tx_pkt_prepare = netvsc_tx_prepare;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC |
		RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	netvsc_vf_init(nd);
	ret = session_open(nd, 1);
	if (ret < 0)
		goto fail_session;
	rte_ether_addr_copy(&nd->mac, dev->data->mac_addrs);
	netvsc_link_report(nd);
	dev->data->mtu = (uint16_t)nd->mtu;
	vdev->drv_private = nd;
	rte_eth_dev_probing_finish(dev);
	NETVSC_LOG(INFO, nd, "port %u, MAC " RTE_ETHER_ADDR_PRT_FMT ", MTU %u, up to %u queues, link %s",
		   dev->data->port_id, RTE_ETHER_ADDR_BYTES(&nd->mac), nd->mtu,
		   nd->max_rx_queues, nd->link_up ? "up" : "down");
	return 0;

fail_session:
	netvsc_vf_fini(nd);
	session_close(nd);
	for (ret = 0; ret < NETVSC_MAX_QUEUES; ret++)
		rxq_free(nd, (uint16_t)ret);
	rte_memzone_free(nd->rndis_req_mz);
	ret = -EIO;
fail_release:
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
netvsc_remove(struct vmbus_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(vdev->name);

	if (dev == NULL)
		return 0;
	rte_eth_dev_close(dev->data->port_id);
	return rte_eth_dev_release_port(dev);
}

static void
netvsc_rescind(struct vmbus_device *vdev)
{
	struct netvsc_dev *nd = vdev->drv_private;

	if (nd == NULL)
		return;
	nd->link_up = false;
	rte_eth_dev_callback_process(netvsc_eth_dev(nd), RTE_ETH_EVENT_INTR_RMV, NULL);
}

static rte_uuid_t netvsc_ids[2];

static struct vmbus_driver netvsc_driver = {
	.id_table = netvsc_ids,
	.probe = netvsc_probe,
	.remove = netvsc_remove,
	.rescind = netvsc_rescind,
	.drv_flags = VMBUS_DRV_NEED_MAPPING,
};

RTE_INIT(netvsc_register)
{
	rte_uuid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0e", netvsc_ids[0]);
	netvsc_driver.driver.name = "net_netvsc";
	vmbus_register_driver(&netvsc_driver);
}
RTE_PMD_EXPORT_NAME(net_netvsc, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(net_netvsc,
	NETVSC_ARG_LATENCY "=<us> "
	NETVSC_ARG_RX_COPYBREAK "=<bytes> "
	NETVSC_ARG_TX_COPYBREAK "=<bytes> "
	NETVSC_ARG_RX_EXTMBUF "=<0|1> "
	NETVSC_ARG_CTRL_TIMEOUT "=<ms>");
RTE_PMD_REGISTER_KMOD_DEP(net_netvsc, "* uio_hv_generic");
