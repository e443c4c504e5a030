/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive side of a channel: everything the host puts on a channel's
 * receive ring goes through rxq_process(): frames from the receive buffer
 * (copied into mbufs, then acked), RNDIS completions and indications (on
 * the primary channel), completions of our sends, and the host's own NVSP
 * messages.
 *
 * Every transfer-page packet is acked exactly once, whatever its content
 * and whether or not the port is started: an unacked section is lost to
 * the host for good. Acks are queued as packets are taken and written to
 * the ring in one batch at the end of each pass; those that do not fit
 * wait and go out first next time.
 */
#include <errno.h>
#include <string.h>

#include <rte_net.h>
#include <rte_ring.h>

#include "netvsc.h"

struct rx_batch {
	rte_spinlock_t *send_lock;
	bool locked;
	bool signal;        /* our sends need a host signal */
};

static inline void
batch_lock(struct rx_batch *b)
{
	if (!b->locked) {
		rte_spinlock_lock(b->send_lock);
		b->locked = true;
	}
}

/* The ack of a transfer-page packet: the same bytes for every packet. */
static const union {
	struct nvsp_rndis_ack ack;
	uint8_t bytes[NVSP_REQ_SIZE];
} rndis_ack_msg = {
	.ack = { .type = NVSP_MSG_RNDIS_ACK, .status = NVSP_STATUS_OK },
};

/*
 * Send the queued acks, oldest first, in as few ring writes as the queue's
 * wrap allows. False if some still wait for room.
 */
static bool
flush_acks(struct netvsc_rxq *rxq, struct rx_batch *b)
{
	while (rxq->ack_count > 0) {
		uint32_t run = RTE_MIN(rxq->ack_count, rxq->ack_cap - rxq->ack_head);
		int sent;

		batch_lock(b);
		sent = vmbus_chan_send_comps(rxq->chan,
					     rxq->ack_pending + rxq->ack_head, run,
					     rndis_ack_msg.bytes,
					     sizeof(rndis_ack_msg.bytes),
					     &b->signal);
		if (sent == -EAGAIN) {
			rxq->stats.acks_deferred += rxq->ack_count;
			return false;
		}
		if (sent < 0) {
			/* The channel is gone or broken: so are the acks. */
			rxq->stats.errors += rxq->ack_count;
			rxq->ack_count = 0;
			return true;
		}
		rxq->ack_head = (rxq->ack_head + (uint32_t)sent) % rxq->ack_cap;
		rxq->ack_count -= (uint32_t)sent;
	}
	return true;
}

/* Queue an ack; rxq_process() sends the queue as one batch. */
static inline void
ack_xfer(struct netvsc_rxq *rxq, uint64_t xid)
{
	if (unlikely(rxq->ack_count == rxq->ack_cap)) {
		/* More unacked packets than the host has sections: the host
		 * is replaying ids. Nothing valid is lost by dropping this.
		 */
		rxq->nd->protocol_errors++;
		return;
	}
	rxq->ack_pending[(rxq->ack_head + rxq->ack_count) % rxq->ack_cap] = xid;
	rxq->ack_count++;
}

static inline void
count_size(uint64_t *bins, uint32_t len)
{
	unsigned int i;

	if (len <= 64)
		i = 0;
	else if (len >= 1519)
		i = len >= 9000 ? 7 : 6;
	else
		i = 32 - __builtin_clz(len - 1) - 6; /* 65-127:1 ... 1024-1518:5 */
	bins[i]++;
}

static struct rte_mbuf *
rx_copy(struct netvsc_rxq *rxq, const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *head, *m;
	uint32_t left = len;

	head = rte_pktmbuf_alloc(rxq->mp);
	if (unlikely(head == NULL))
		return NULL;
	m = head;
	for (;;) {
		uint32_t room = rte_pktmbuf_tailroom(m);
		uint32_t n = RTE_MIN(room, left);

		netvsc_copy(rte_pktmbuf_mtod(m, void *), src, n);
		m->data_len = (uint16_t)n;
		src += n;
		left -= n;
		if (left == 0)
			break;
		m->next = rte_pktmbuf_alloc(rxq->mp);
		if (unlikely(m->next == NULL)) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		m = m->next;
		head->nb_segs++;
	}
	head->pkt_len = len;
	return head;
}

static void
rx_offload_flags(struct netvsc_rxq *rxq, struct rte_mbuf *m,
		 const struct netvsc_rx_info *ri)
{
	uint64_t fl = 0;

	if (ri->has_vlan) {
		uint32_t v = ri->vlan;

		m->vlan_tci = (uint16_t)(RNDIS_VLAN_ID(v) |
					 RNDIS_VLAN_CFI(v) << 12 |
					 RNDIS_VLAN_PRIO(v) << 13);
		fl |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	}
	if (ri->has_csum) {
		uint32_t c = ri->csum;

		if (c & RNDIS_RXCSUM_IP_OK)
			fl |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		else if (c & RNDIS_RXCSUM_IP_BAD)
			fl |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
		if (c & (RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_UDP_OK))
			fl |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		else if (c & (RNDIS_RXCSUM_TCP_BAD | RNDIS_RXCSUM_UDP_BAD))
			fl |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	}
	if (ri->has_hash) {
		m->hash.rss = ri->hash;
		fl |= RTE_MBUF_F_RX_RSS_HASH;
	}
	m->ol_flags = fl;
	/* The host always strips; put the tag back if the app did not ask. */
	if (ri->has_vlan && !rxq->nd->vlan_strip) {
		if (rte_vlan_insert(&m) == 0)
			m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN |
					 RTE_MBUF_F_RX_VLAN_STRIPPED);
	}
}

/* Lend the frame in the receive buffer instead of copying it. */
static struct rte_mbuf *
rx_lend(struct netvsc_rxq *rxq, struct netvsc_rx_loan *loan,
	const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rxq->mp);

	if (unlikely(m == NULL))
		return NULL;
	/* The buffer is shared host memory, not DPDK memory: no IOVA. */
	rte_mbuf_ext_refcnt_update(&loan->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, (void *)(uintptr_t)frame, RTE_BAD_IOVA,
				  (uint16_t)len, &loan->shinfo);
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	rxq->stats.zero_copy++;
	return m;
}

/* One RNDIS data message; returns the mbuf or NULL (counted). */
static struct rte_mbuf *
rx_frame(struct netvsc_rxq *rxq, const uint8_t *msg, uint32_t len,
	 struct netvsc_rx_loan *loan)
{
	struct netvsc_dev *nd = rxq->nd;
	struct netvsc_rx_info ri;
	struct rte_mbuf *m;
	const struct rte_ether_hdr *eh;

	if (unlikely(netvsc_parse_rndis_packet(msg, len, NETVSC_MAX_FRAME,
					       &ri) != 0)) {
		rxq->stats.errors++;
		return NULL;
	}
	if (unlikely(!nd->started || rxq->mp == NULL)) {
		rxq->stats.dropped++;
		return NULL;
	}
	if (loan != NULL && ri.data_len > nd->args.rx_copybreak &&
	    ri.data_len <= UINT16_MAX)
		m = rx_lend(rxq, loan, msg + ri.data_off, ri.data_len);
	else
		m = rx_copy(rxq, msg + ri.data_off, ri.data_len);
	if (unlikely(m == NULL)) {
		rxq->stats.nombuf++;
		nd->data->rx_mbuf_alloc_failed++;
		return NULL;
	}
	m->port = nd->port_id;
	m->packet_type = 0;
	rx_offload_flags(rxq, m, &ri);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
		if (rte_is_broadcast_ether_addr(&eh->dst_addr))
			rxq->stats.broadcast++;
		else
			rxq->stats.multicast++;
	}
	rxq->stats.packets++;
	rxq->stats.bytes += m->pkt_len;
	count_size(rxq->stats.size_bins, m->pkt_len);
	return m;
}

struct rx_out {
	struct rte_mbuf **pkts;
	uint16_t n;
	uint16_t count;
};

static inline void
rx_deliver(struct netvsc_rxq *rxq, struct rx_out *out, struct rte_mbuf *m)
{
	if (out->count < out->n) {
		out->pkts[out->count++] = m;
		return;
	}
	if (unlikely(rxq->stash_count == NETVSC_STASH_SIZE)) {
		/* more frames in one packet than we had room for */
		rte_pktmbuf_free(m);
		rxq->stats.stash_full++;
		return;
	}
	rxq->stash[(rxq->stash_head + rxq->stash_count) % NETVSC_STASH_SIZE] = m;
	rxq->stash_count++;
}

static void
rx_xfer(struct netvsc_rxq *rxq, struct rx_out *out, const struct vmbus_pkt *pkt)
{
	struct netvsc_dev *nd = rxq->nd;
	struct netvsc_rx_loan *loan = NULL;
	struct netvsc_xfer_info xi;
	uint64_t xid = pkt->trans_id;
	uint32_t i;

	/* The id names the host's receive slot: one beyond them is a host
	 * bug; its content is not trusted (but the packet is still acked).
	 */
	if (unlikely(netvsc_parse_xfer(pkt, nd->rxbuf_size, &xi) != 0 ||
		     xid >= nd->rxbuf_slots)) {
		rxq->stats.errors++;
		goto ack;
	}
	/* A drain (control path) with nowhere to put frames: leave the
	 * packet in its slot, unacked, for rx_burst; keep the order.
	 */
	if (out->n == 0 && xi.mtype == NVSP_RNDIS_MTYPE_DATA &&
	    xi.range_count == 1 && nd->started && rxq->parked != NULL &&
	    (rxq->park_count > 0 ||
	     rxq->stash_count == NETVSC_STASH_SIZE) &&
	    rxq->park_count < rxq->ack_cap) {
		struct netvsc_parked *pk = &rxq->parked[(rxq->park_head +
			rxq->park_count) % rxq->ack_cap];
		struct vmbus_xfer_range r;

		memcpy(&r, &xi.ranges[0], sizeof(r));
		pk->xid = xid;
		pk->offset = r.byte_offset;
		pk->len = r.byte_count;
		rxq->park_count++;
		rxq->stats.parked++;
		return;
	}
	/* Lend only while half the slots remain for copies, so that the
	 * host never starves because the application holds frames.
	 */
	if (rxq->loans != NULL && !rxq->loans[xid].busy &&
	    rxq->loans_out < nd->rxbuf_slots / 2 &&
	    xi.mtype == NVSP_RNDIS_MTYPE_DATA) {
		loan = &rxq->loans[xid];
		loan->busy = true;
		loan->xid = xid;
		/* our own reference while frames are attached */
		rte_mbuf_ext_refcnt_set(&loan->shinfo, 1);
		rxq->loans_out++;
	}
	for (i = 0; i < xi.range_count; i++) {
		struct vmbus_xfer_range r;
		const uint8_t *msg;
		uint32_t type, rid;
		struct rte_mbuf *m;

		/* Checked by the parser; the packet sits in our ring, which
		 * the host does not write while we own it.
		 */
		memcpy(&r, &xi.ranges[i], sizeof(r));
		msg = nd->rxbuf + r.byte_offset;
		if (likely(xi.mtype == NVSP_RNDIS_MTYPE_DATA)) {
			m = rx_frame(rxq, msg, r.byte_count, loan);
			if (m != NULL)
				rx_deliver(rxq, out, m);
			continue;
		}
		if (rxq->queue_id != 0 ||
		    netvsc_parse_rndis_ctrl(msg, r.byte_count, &type, &rid) != 0) {
			nd->protocol_errors++;
			continue;
		}
		/* Copy out of shared memory before acting on it. */
		{
			uint8_t copy[NETVSC_CTRL_RESP_MAX];
			uint32_t len = RTE_MIN(r.byte_count,
					       (uint32_t)sizeof(copy));

			memcpy(copy, msg, len);
			netvsc_rndis_receive_ctrl(nd, copy, len, type);
		}
	}
	if (loan != NULL) {
		/* Drop our reference; the last mbuf free returns the loan. */
		if (rte_mbuf_ext_refcnt_update(&loan->shinfo, -1) != 0)
			return;
		loan->busy = false;
		rxq->loans_out--;
	}
ack:
	ack_xfer(rxq, xid);
}

/* mbuf free callback, on any lcore: hand the loan back to its queue. */
static void
rx_loan_return(void *addr, void *opaque)
{
	struct netvsc_rx_loan *loan = opaque;

	RTE_SET_USED(addr);
	/* The ring holds every slot: it cannot be full. */
	rte_ring_mp_enqueue(loan->rxq->loans_back, loan);
}

/* Ack the packets whose lent frames the application has freed. */
static void
rx_loans_collect(struct netvsc_rxq *rxq)
{
	void *back[32];
	unsigned int n, i;

	do {
		n = rte_ring_sc_dequeue_burst(rxq->loans_back, back,
					      RTE_DIM(back), NULL);
		for (i = 0; i < n; i++) {
			struct netvsc_rx_loan *loan = back[i];

			loan->busy = false;
			rxq->loans_out--;
			ack_xfer(rxq, loan->xid);
		}
	} while (n == RTE_DIM(back));
}

static void
rx_completion(struct netvsc_rxq *rxq, struct rx_batch *b,
	      const struct vmbus_pkt *pkt)
{
	struct netvsc_dev *nd = rxq->nd;
	uint64_t xid = pkt->trans_id;

	switch (xid & NETVSC_XID_TAG_MASK) {
	case NETVSC_XID_TX:
		if (likely(nd->txq[rxq->queue_id] != NULL)) {
			batch_lock(b);
			netvsc_tx_complete(nd->txq[rxq->queue_id], xid, pkt,
					   &b->signal);
			return;
		}
		break;
	case NETVSC_XID_CTRL:
		if (rxq->queue_id == 0) {
			netvsc_ctrl_complete(nd, xid, pkt->data, pkt->data_len);
			return;
		}
		break;
	default:
		break;
	}
	nd->protocol_errors++;
}

static void
rx_inband(struct netvsc_rxq *rxq, struct rx_batch *b,
	  const struct vmbus_pkt *pkt)
{
	uint8_t msg[NVSP_REQ_SIZE] = { 0 };
	struct nvsp_rndis_ack comp;
	uint32_t type;

	type = netvsc_handle_inband(rxq->nd, rxq, pkt);
	if (type == 0)
		return;
	comp.type = type;
	comp.status = NVSP_STATUS_OK;
	memcpy(msg, &comp, sizeof(comp));
	batch_lock(b);
	if (vmbus_chan_send(rxq->chan, VMBUS_PKT_COMP, msg, sizeof(msg),
			    pkt->trans_id, 0, &b->signal) != 0)
		rxq->stats.errors++;
}

static void
rx_channel_failed(struct netvsc_rxq *rxq, int err)
{
	struct netvsc_dev *nd = rxq->nd;

	if (nd->failed)
		return;
	nd->failed = true;
	nd->link_up = false;
	netvsc_link_report(nd);
	NETVSC_LOG(ERR, nd, "channel %u unusable (%s): port failed, restart it",
		   rxq->queue_id, rte_strerror(-err));
	rte_eth_dev_callback_process(netvsc_eth_dev(nd), RTE_ETH_EVENT_INTR_RESET,
				     NULL);
}

/*
 * Take packets off the channel until it is empty or n frames are out;
 * with n == 0 (a drain), take everything and stash the frames (dropping
 * what does not fit). Caller holds rxq->lock.
 */
static uint16_t
rxq_process(struct netvsc_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct rx_batch b = {
		.send_lock = &rxq->nd->send_lock[rxq->queue_id],
	};
	struct rx_out out = { .pkts = pkts, .n = n };
	uint32_t cursor = 0, done = 0;
	bool ack_room = true;
	struct vmbus_pkt pkt;
	int ret = 0;

	if (unlikely(rxq->nd->failed))
		return 0;
	if (rxq->ack_count > 0 && !flush_acks(rxq, &b)) {
		ack_room = false;
		goto out; /* no room to ack what we would read */
	}
	if (rxq->loans_out != 0)
		rx_loans_collect(rxq);
	/* A stopped port gives parked packets back to the host. */
	while (unlikely(rxq->park_count > 0) && !rxq->nd->started) {
		ack_xfer(rxq, rxq->parked[rxq->park_head].xid);
		rxq->park_head = (rxq->park_head + 1) % rxq->ack_cap;
		rxq->park_count--;
		rxq->stats.dropped++;
	}
	/* Parked packets are older than anything on the ring. */
	while (unlikely(rxq->park_count > 0) && out.count < out.n) {
		struct netvsc_parked *pk = &rxq->parked[rxq->park_head];
		struct rte_mbuf *m;

		/* re-checked: the host may have rewritten its slot */
		m = rx_frame(rxq, rxq->nd->rxbuf + pk->offset, pk->len, NULL);
		if (m != NULL)
			out.pkts[out.count++] = m;
		ack_xfer(rxq, pk->xid);
		rxq->park_head = (rxq->park_head + 1) % rxq->ack_cap;
		rxq->park_count--;
	}
	if (rxq->park_count > 0 && out.n != 0)
		goto out;
	for (;;) {
		ret = vmbus_chan_peek(rxq->chan, &cursor, &pkt, rxq->bounce,
				      sizeof(rxq->bounce));
		if (ret != 0)
			break;
		switch (pkt.type) {
		case VMBUS_PKT_XFER_PAGES:
			/* A burst stops when full; a drain takes all. */
			if (out.count == out.n && out.n != 0)
				goto out;
			rx_xfer(rxq, &out, &pkt);
			break;
		case VMBUS_PKT_COMP:
			rx_completion(rxq, &b, &pkt);
			break;
		case VMBUS_PKT_INBAND:
			rx_inband(rxq, &b, &pkt);
			break;
		default:
			rxq->nd->protocol_errors++;
			break;
		}
		done = cursor;
	}
	if (ret != -EAGAIN)
		rx_channel_failed(rxq, ret);
out:
	if (ack_room && rxq->ack_count > 0)
		flush_acks(rxq, &b);
	if (done != 0 && vmbus_chan_release(rxq->chan, done) != 0)
		rx_channel_failed(rxq, -EIO);
	if (b.signal)
		vmbus_chan_signal(rxq->chan);
	if (b.locked)
		rte_spinlock_unlock(b.send_lock);
	return out.count;
}

void
netvsc_rxq_drain(struct netvsc_rxq *rxq)
{
	rxq_process(rxq, NULL, 0);
}

static uint16_t
rx_from_vf(struct netvsc_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct netvsc_dev *nd = rxq->nd;
	uint16_t got = 0, i;

	rte_rwlock_read_lock(&nd->vf_lock);
	if (nd->vf_rx)
		got = rte_eth_rx_burst(nd->vf_port, rxq->queue_id, pkts, n);
	rte_rwlock_read_unlock(&nd->vf_lock);
	for (i = 0; i < got; i++)
		pkts[i]->port = nd->port_id;
	return got;
}

uint16_t
netvsc_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct netvsc_rxq *rxq = queue;
	uint16_t got = 0;

	/* The stash is filled under the lock by whoever drained the ring. */
	if (rte_spinlock_trylock(&rxq->lock)) {
		while (unlikely(rxq->stash_count > 0) && got < n) {
			pkts[got++] = rxq->stash[rxq->stash_head];
			rxq->stash_head = (rxq->stash_head + 1) % NETVSC_STASH_SIZE;
			rxq->stash_count--;
		}
		if (got < n)
			got += rxq_process(rxq, pkts + got, n - got);
		rte_spinlock_unlock(&rxq->lock);
	}
	/* With a VF, both paths deliver: exception traffic stays synthetic. */
	if (unlikely(rxq->nd->vf_rx) && got < n)
		got += rx_from_vf(rxq, pkts + got, n - got);
	return got;
}

void
netvsc_rxq_flush_stash(struct netvsc_rxq *rxq)
{
	while (rxq->stash_count > 0) {
		rte_pktmbuf_free(rxq->stash[rxq->stash_head]);
		rxq->stash_head = (rxq->stash_head + 1) % NETVSC_STASH_SIZE;
		rxq->stash_count--;
	}
}

static void
rxq_free_state(struct netvsc_rxq *rxq)
{
	rte_free(rxq->ack_pending);
	rxq->ack_pending = NULL;
	rxq->ack_head = 0;
	rxq->ack_count = 0;
	rte_free(rxq->parked);
	rxq->parked = NULL;
	rxq->park_head = 0;
	rxq->park_count = 0;
	if (rxq->loans_out != 0) {
		/* Their free callbacks will still come: keep what they use. */
		NETVSC_LOG(WARNING, rxq->nd, "queue %u: %u receive-buffer packets still held by the application",
			   rxq->queue_id, rxq->loans_out);
	} else {
		rte_ring_free(rxq->loans_back);
		rte_free(rxq->loans);
	}
	rxq->loans_back = NULL;
	rxq->loans = NULL;
	rxq->loans_out = 0;
}

/* Per-session state, sized by the host's receive buffer. */
static int
rxq_alloc_state(struct netvsc_rxq *rxq)
{
	struct netvsc_dev *nd = rxq->nd;
	int socket = nd->vdev->device.numa_node;
	static unsigned int generation;

	/* Never more outstanding sections than the host has slots. */
	rxq->ack_cap = nd->rxbuf_slots != 0 ? nd->rxbuf_slots : 1024;
	rxq->ack_pending = rte_calloc_socket("netvsc_acks", rxq->ack_cap,
					     sizeof(uint64_t), 0, socket);
	rxq->parked = rte_calloc_socket("netvsc_parked", rxq->ack_cap,
					sizeof(*rxq->parked), 0, socket);
	rxq->park_head = 0;
	rxq->park_count = 0;
	if (rxq->ack_pending == NULL || rxq->parked == NULL) {
		rte_free(rxq->ack_pending);
		rte_free(rxq->parked);
		rxq->ack_pending = NULL;
		rxq->parked = NULL;
		return -ENOMEM;
	}
	if (nd->args.rx_extmbuf && nd->rxbuf_slots != 0) {
		char name[RTE_RING_NAMESIZE];
		uint32_t i;

		snprintf(name, sizeof(name), "nvsc%u_lo%u_%u",
			 nd->port_id, rxq->queue_id,
			 generation++);
		rxq->loans = rte_zmalloc_socket("netvsc_loans",
				sizeof(*rxq->loans) * nd->rxbuf_slots,
				RTE_CACHE_LINE_SIZE, socket);
		rxq->loans_back = rte_ring_create(name,
				rte_align32pow2(nd->rxbuf_slots + 1), socket,
				RING_F_SC_DEQ);
		if (rxq->loans == NULL || rxq->loans_back == NULL) {
			rxq_free_state(rxq);
			return -ENOMEM;
		}
		for (i = 0; i < nd->rxbuf_slots; i++) {
			rxq->loans[i].rxq = rxq;
			rxq->loans[i].shinfo.free_cb = rx_loan_return;
			rxq->loans[i].shinfo.fcb_opaque = &rxq->loans[i];
		}
	}
	return 0;
}

int
netvsc_rxq_init(struct netvsc_dev *nd, struct netvsc_rxq *rxq)
{
	rxq->nd = nd;
	rte_spinlock_init(&rxq->lock);
	return rxq_alloc_state(rxq);
}

/* A new session: what was pending belongs to the old one. */
int
netvsc_rxq_reset(struct netvsc_rxq *rxq)
{
	netvsc_rxq_flush_stash(rxq);
	rxq_free_state(rxq);
	return rxq_alloc_state(rxq);
}

void
netvsc_rxq_fini(struct netvsc_rxq *rxq)
{
	netvsc_rxq_flush_stash(rxq);
	rxq_free_state(rxq);
}
