/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit: small frames are copied, RNDIS header first, into a send-
 * buffer section shared with the host, several per section up to the
 * host's aggregation limits, and the section goes out as one packet;
 * larger frames go by guest physical address (RNDIS header from a per-
 * descriptor slot, then the mbuf data page by page), held until the host
 * completes them.
 *
 * Each queue owns a fixed share of the send-buffer sections, so queues
 * never contend for them. The channel's send lock serialises this queue's
 * burst with the receive side, which writes acks to the same ring and
 * handles our completions.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_memzone.h>
#include <rte_net.h>

#include "netvsc.h"

#define TX_DESC_IDX_MASK   0xffffu
#define TX_CLEAN_THRESH    32

static inline uint32_t
rndis_ppi_put(uint8_t *p, uint32_t type, uint32_t value)
{
	struct rndis_ppi ppi = {
		.size = sizeof(ppi) + sizeof(value),
		.type = type,
		.offset = sizeof(ppi),
	};

	memcpy(p, &ppi, sizeof(ppi));
	memcpy(p + sizeof(ppi), &value, sizeof(value));
	return sizeof(ppi) + sizeof(value);
}

/* Build the RNDIS PACKET_MSG header for m; returns its length. */
static inline uint32_t
tx_rndis_header(uint8_t *hdr, const struct rte_mbuf *m, uint32_t msg_pad)
{
	struct rndis_packet_msg *pm = (struct rndis_packet_msg *)hdr;
	uint64_t fl = m->ol_flags;
	uint32_t ppi_len = 0;
	uint8_t *ppi = hdr + sizeof(*pm);

	if (fl & RTE_MBUF_F_TX_VLAN) {
		uint16_t tci = m->vlan_tci;
		uint32_t v = (tci & 0xfffu) << 4 | ((tci >> 12) & 1u) << 3 |
			(tci >> 13);

		ppi_len += rndis_ppi_put(ppi + ppi_len, RNDIS_PPI_VLAN, v);
	}
	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		uint32_t v = m->tso_segsz | RNDIS_LSO_V2 |
			(uint32_t)(m->l2_len + m->l3_len) << RNDIS_LSO_THOFF_SHIFT;

		if (fl & RTE_MBUF_F_TX_IPV6)
			v |= RNDIS_LSO_IPV6;
		ppi_len += rndis_ppi_put(ppi + ppi_len, RNDIS_PPI_LSO, v);
	} else if (fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)) {
		uint32_t v = (uint32_t)(m->l2_len + m->l3_len) <<
			RNDIS_TXCSUM_L4_SHIFT;

		v |= (fl & RTE_MBUF_F_TX_IPV6) ? RNDIS_TXCSUM_IPV6 :
			RNDIS_TXCSUM_IPV4;
		if (fl & RTE_MBUF_F_TX_IP_CKSUM)
			v |= RNDIS_TXCSUM_IP_HDR;
		switch (fl & RTE_MBUF_F_TX_L4_MASK) {
		case RTE_MBUF_F_TX_TCP_CKSUM:
			v |= RNDIS_TXCSUM_TCP;
			break;
		case RTE_MBUF_F_TX_UDP_CKSUM:
			v |= RNDIS_TXCSUM_UDP;
			break;
		default:
			break;
		}
		ppi_len += rndis_ppi_put(ppi + ppi_len, RNDIS_PPI_CSUM, v);
	}
	pm->type = RNDIS_MSG_PACKET;
	pm->len = (uint32_t)sizeof(*pm) + ppi_len + m->pkt_len + msg_pad;
	pm->data_offset = (uint32_t)sizeof(*pm) + ppi_len - RNDIS_OFFSET_BASE;
	pm->data_len = m->pkt_len;
	pm->oob_offset = 0;
	pm->oob_len = 0;
	pm->oob_count = 0;
	pm->ppi_offset = ppi_len != 0 ?
		(uint32_t)sizeof(*pm) - RNDIS_OFFSET_BASE : 0;
	pm->ppi_len = ppi_len;
	pm->vc_handle = 0;
	pm->reserved = 0;
	return (uint32_t)sizeof(*pm) + ppi_len;
}

/* Worst-case header length, to decide on the copy path before building. */
static inline uint32_t
tx_header_len(const struct rte_mbuf *m)
{
	uint32_t len = sizeof(struct rndis_packet_msg);
	uint64_t fl = m->ol_flags;

	if (fl & RTE_MBUF_F_TX_VLAN)
		len += sizeof(struct rndis_ppi) + 4;
	if (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM |
		  RTE_MBUF_F_TX_L4_MASK))
		len += sizeof(struct rndis_ppi) + 4;
	return len;
}

static inline int
txdesc_get(struct netvsc_txq *txq)
{
	if (unlikely(txq->free_count == 0))
		return -1;
	return txq->free_desc[--txq->free_count];
}

static inline void
txdesc_put(struct netvsc_txq *txq, uint16_t idx)
{
	txq->free_desc[txq->free_count++] = idx;
}

static int tx_flush_section(struct netvsc_txq *txq, bool *signal);

void
netvsc_tx_complete(struct netvsc_txq *txq, uint64_t xid,
		   const struct vmbus_pkt *pkt, bool *signal)
{
	uint32_t idx = (uint32_t)(xid & TX_DESC_IDX_MASK);
	struct nvsp_rndis_ack ack;
	struct netvsc_txdesc *d;

	if (unlikely(idx >= txq->nb_desc || (xid & ~NETVSC_XID_TAG_MASK) != idx)) {
		txq->nd->protocol_errors++;
		return;
	}
	d = &txq->desc[idx];
	if (unlikely(d->pkts == 0)) {
		/* not in flight: a duplicate or invented completion */
		txq->nd->protocol_errors++;
		return;
	}
	if (pkt->data_len >= sizeof(ack)) {
		memcpy(&ack, pkt->data, sizeof(ack));
		if (unlikely(ack.type != NVSP_MSG_RNDIS_ACK ||
			     ack.status != NVSP_STATUS_OK))
			txq->stats.host_failed += d->pkts;
	} else {
		txq->nd->protocol_errors++;
	}
	if (d->m != NULL)
		rte_pktmbuf_free(d->m);
	if (d->chim_idx != NVSP_CHIM_IDX_NONE)
		txq->free_sect[txq->free_sect_count++] = d->chim_idx;
	d->m = NULL;
	d->chim_idx = NVSP_CHIM_IDX_NONE;
	d->pkts = 0;
	txdesc_put(txq, (uint16_t)idx);
	txq->last_progress_tsc = rte_get_timer_cycles();
	txq->stall_reported = false;
	/* Frames accepted into a section that found no descriptor go out
	 * now, not whenever the application next sends (we hold the lock).
	 */
	if (unlikely(txq->agg_sect != NVSP_CHIM_IDX_NONE))
		tx_flush_section(txq, signal);
}

/* Send the section being filled. Returns 0, or -EAGAIN (kept for later). */
static int
tx_flush_section(struct netvsc_txq *txq, bool *signal)
{
	struct nvsp_rndis msg[3] = { 0 };
	struct netvsc_txdesc *d;
	int idx, ret;

	if (txq->agg_sect == NVSP_CHIM_IDX_NONE)
		return 0;
	idx = txdesc_get(txq);
	if (unlikely(idx < 0)) {
		txq->stats.desc_full++;
		return -EAGAIN;
	}
	msg[0].type = NVSP_MSG_RNDIS;
	msg[0].mtype = NVSP_RNDIS_MTYPE_DATA;
	msg[0].chim_idx = txq->agg_sect;
	msg[0].chim_size = txq->agg_used;
	ret = vmbus_chan_send(txq->chan, VMBUS_PKT_INBAND, msg, NVSP_REQ_SIZE,
			      NETVSC_XID_TX | (uint64_t)idx,
			      VMBUS_PKT_FLAG_COMPLETION_REQUESTED, signal);
	if (unlikely(ret != 0)) {
		txdesc_put(txq, (uint16_t)idx);
		if (ret == -EAGAIN)
			txq->stats.ring_full++;
		return -EAGAIN;
	}
	d = &txq->desc[idx];
	d->m = NULL;
	d->chim_idx = txq->agg_sect;
	d->pkts = txq->agg_pkts;
	txq->stats.packets += txq->agg_pkts;
	txq->stats.bytes += txq->agg_bytes;
	txq->agg_sect = NVSP_CHIM_IDX_NONE;
	txq->agg_used = 0;
	txq->agg_pkts = 0;
	txq->agg_bytes = 0;
	return 0;
}

/* Copy m into the current section. Returns 0, or -EAGAIN. */
static int
tx_copy(struct netvsc_txq *txq, struct rte_mbuf *m, uint32_t need,
	bool *signal)
{
	struct netvsc_dev *nd = txq->nd;
	uint32_t hlen, pad, len = m->pkt_len;
	const struct rte_mbuf *seg;
	uint8_t *p;

	if (txq->agg_sect != NVSP_CHIM_IDX_NONE &&
	    (txq->agg_used + need > nd->agg_max_size ||
	     txq->agg_pkts == nd->agg_max_pkts)) {
		if (tx_flush_section(txq, signal) != 0)
			return -EAGAIN;
	}
	if (txq->agg_sect == NVSP_CHIM_IDX_NONE) {
		if (unlikely(txq->free_sect_count == 0))
			return -EAGAIN;
		txq->agg_sect = txq->free_sect[--txq->free_sect_count];
	}
	p = nd->chim + (size_t)txq->agg_sect * nd->chim_sect_size +
		txq->agg_used;
	/* Pad every message to the host's alignment so the next starts
	 * aligned; the padding is counted in the message length.
	 */
	pad = need - (tx_header_len(m) + len);
	hlen = tx_rndis_header(p, m, pad);
	p += hlen;
	if (likely(m->nb_segs == 1)) {
		netvsc_copy(p, rte_pktmbuf_mtod(m, void *), len);
	} else {
		for (seg = m; seg != NULL; seg = seg->next) {
			netvsc_copy(p, rte_pktmbuf_mtod(seg, void *),
				    seg->data_len);
			p += seg->data_len;
		}
	}
	txq->agg_used += need;
	txq->agg_pkts++;
	txq->agg_bytes += len;
	txq->stats.chimney++;
	return 0;
}

/* Frames lent by a netvsc receive buffer have no IOVA: copy them. */
static inline bool
tx_has_iova(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (unlikely(m->buf_iova == RTE_BAD_IOVA))
			return false;
	return true;
}

/* Page-split the mbuf data into GPA ranges after range[0]. */
static inline int
tx_gpa_ranges(const struct rte_mbuf *m, struct vmbus_gpa_range *range)
{
	unsigned int n = 1;

	for (; m != NULL; m = m->next) {
		rte_iova_t iova = rte_mbuf_data_iova(m);
		uint32_t left = m->data_len;

		while (left > 0) {
			uint32_t off = (uint32_t)(iova & (VMBUS_HV_PAGE_SIZE - 1));
			uint32_t n_bytes = RTE_MIN(left, VMBUS_HV_PAGE_SIZE - off);

			if (unlikely(n == NETVSC_GPA_RANGES))
				return -E2BIG;
			range[n].len = n_bytes;
			range[n].offset = off;
			range[n].pfn = iova >> VMBUS_HV_PAGE_SHIFT;
			n++;
			iova += n_bytes;
			left -= n_bytes;
		}
	}
	return (int)n;
}

/* Returns 0, -EAGAIN (retry later), or another error (drop). */
static int
tx_gpa(struct netvsc_txq *txq, struct rte_mbuf *m, bool *signal)
{
	struct vmbus_gpa_range range[NETVSC_GPA_RANGES];
	struct nvsp_rndis msg[3] = { 0 };
	struct netvsc_txdesc *d;
	uint32_t hlen;
	uint8_t *hdr;
	int idx, n, ret;

	if (unlikely(!tx_has_iova(m)))
		return -EFAULT;
	n = tx_gpa_ranges(m, range);
	if (unlikely(n < 0))
		return n;
	idx = txdesc_get(txq);
	if (unlikely(idx < 0)) {
		txq->stats.desc_full++;
		return -EAGAIN;
	}
	hdr = txq->hdr_slots + (size_t)idx * NETVSC_TX_HDR_SLOT;
	hlen = tx_rndis_header(hdr, m, 0);
	range[0].len = hlen;
	range[0].offset = (uint32_t)((txq->hdr_slots_iova +
				      (size_t)idx * NETVSC_TX_HDR_SLOT) &
				     (VMBUS_HV_PAGE_SIZE - 1));
	range[0].pfn = (txq->hdr_slots_iova + (size_t)idx * NETVSC_TX_HDR_SLOT) >>
		VMBUS_HV_PAGE_SHIFT;
	msg[0].type = NVSP_MSG_RNDIS;
	msg[0].mtype = NVSP_RNDIS_MTYPE_DATA;
	msg[0].chim_idx = NVSP_CHIM_IDX_NONE;
	msg[0].chim_size = 0;
	ret = vmbus_chan_send_gpa(txq->chan, range, (unsigned int)n, msg,
				  NVSP_REQ_SIZE, NETVSC_XID_TX | (uint64_t)idx,
				  VMBUS_PKT_FLAG_COMPLETION_REQUESTED, signal);
	if (unlikely(ret != 0)) {
		txdesc_put(txq, (uint16_t)idx);
		if (ret == -EAGAIN)
			txq->stats.ring_full++;
		return ret;
	}
	d = &txq->desc[idx];
	d->m = m;
	d->chim_idx = NVSP_CHIM_IDX_NONE;
	d->pkts = 1;
	txq->stats.gpa++;
	txq->stats.packets++;
	txq->stats.bytes += m->pkt_len;
	return 0;
}

uint16_t
netvsc_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct netvsc_txq *txq = queue;
	struct netvsc_dev *nd = txq->nd;
	rte_spinlock_t *lock = &nd->send_lock[txq->queue_id];
	struct rte_mbuf *copied[64];
	unsigned int ncopied = 0;
	bool signal = false;
	uint16_t i;

	if (unlikely(!nd->started || nd->failed))
		return 0;
	if (unlikely(nd->vf_tx)) {
		uint16_t sent = 0;
		bool via_vf;

		rte_rwlock_read_lock(&nd->vf_lock);
		via_vf = nd->vf_tx;
		if (via_vf)
			sent = rte_eth_tx_burst(nd->vf_port, txq->queue_id,
						pkts, n);
		rte_rwlock_read_unlock(&nd->vf_lock);
		if (via_vf)
			return sent;
	}
	/* Completions arrive on our channel's receive ring: take them off
	 * when we run short, in case nobody polls that queue.
	 */
	if (txq->free_count < TX_CLEAN_THRESH || txq->free_sect_count == 0) {
		struct netvsc_rxq *rxq = nd->rxq[txq->queue_id];

		if (rxq != NULL && rte_spinlock_trylock(&rxq->lock)) {
			netvsc_rxq_drain(rxq);
			rte_spinlock_unlock(&rxq->lock);
		}
	}
	rte_spinlock_lock(lock);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		/* agg_align is a power of two (the host gives a shift) */
		uint32_t need = RTE_ALIGN_CEIL(tx_header_len(m) + m->pkt_len,
					       nd->agg_align);
		int ret;

		if ((m->pkt_len <= nd->args.tx_copybreak ||
		     unlikely(!tx_has_iova(m))) &&
		    need <= nd->agg_max_size) {
			ret = tx_copy(txq, m, need, &signal);
			if (unlikely(ret != 0))
				break;
			copied[ncopied++] = m;
			if (ncopied == RTE_DIM(copied)) {
				rte_pktmbuf_free_bulk(copied, ncopied);
				ncopied = 0;
			}
			continue;
		}
		/* Keep the order: what is in the section goes first. */
		if (tx_flush_section(txq, &signal) != 0)
			break;
		ret = tx_gpa(txq, m, &signal);
		if (unlikely(ret == -EAGAIN))
			break;
		if (unlikely(ret != 0)) {
			/* cannot be sent at all: drop, count, move on */
			txq->stats.errors++;
			rte_pktmbuf_free(m);
		}
	}
	tx_flush_section(txq, &signal);
	if (signal)
		vmbus_chan_signal(txq->chan);
	if (unlikely(i == 0 && n != 0 && txq->free_count == 0)) {
		uint64_t now = rte_get_timer_cycles();

		if (!txq->stall_reported &&
		    now - txq->last_progress_tsc > rte_get_timer_hz() * 5) {
			txq->stall_reported = true;
			NETVSC_LOG(WARNING, nd, "queue %u: host has completed no send for 5 s",
				   txq->queue_id);
		}
	}
	rte_spinlock_unlock(lock);
	if (ncopied != 0)
		rte_pktmbuf_free_bulk(copied, ncopied);
	return i;
}

uint16_t
netvsc_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct netvsc_txq *txq = queue;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t fl = m->ol_flags;

		if (fl & RTE_MBUF_F_TX_TCP_SEG) {
			if (m->tso_segsz == 0 ||
			    (uint32_t)(m->l2_len + m->l3_len) > RNDIS_LSO_THOFF_MAX ||
			    m->pkt_len > txq->nd->lso_max_size + m->l2_len) {
				rte_errno = EINVAL;
				return i;
			}
		} else if (m->pkt_len > txq->nd->mtu + RTE_ETHER_HDR_LEN +
			   RTE_VLAN_HLEN) {
			rte_errno = EMSGSIZE;
			return i;
		}
		if (fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK |
			  RTE_MBUF_F_TX_TCP_SEG)) {
			if (m->l2_len == 0 || m->l3_len == 0 ||
			    m->l2_len + m->l3_len > 0x3ff) {
				rte_errno = EINVAL;
				return i;
			}
		}
	}
	return i;
}

int
netvsc_tx_done_cleanup(void *queue, uint32_t free_cnt)
{
	struct netvsc_txq *txq = queue;
	struct netvsc_rxq *rxq = txq->nd->rxq[txq->queue_id];
	uint16_t before = txq->free_count;

	RTE_SET_USED(free_cnt);
	if (rxq != NULL) {
		rte_spinlock_lock(&rxq->lock);
		netvsc_rxq_drain(rxq);
		rte_spinlock_unlock(&rxq->lock);
	}
	return txq->free_count > before ? txq->free_count - before : 0;
}

/* Split the send-buffer sections among the configured TX queues. */
void
netvsc_txq_assign_sections(struct netvsc_dev *nd)
{
	uint32_t per, q, s;

	if (nd->nb_txq == 0)
		return;
	per = nd->chim_sects / nd->nb_txq;
	for (q = 0; q < nd->nb_txq; q++) {
		struct netvsc_txq *txq = nd->txq[q];

		if (txq == NULL)
			continue;
		if (per > txq->free_sect_cap) {
			uint32_t *fs = rte_realloc(txq->free_sect,
						   sizeof(uint32_t) * per, 0);

			if (fs == NULL) {
				per = txq->free_sect_cap;
			} else {
				txq->free_sect = fs;
				txq->free_sect_cap = per;
			}
		}
		txq->free_sect_count = 0;
		for (s = 0; s < per; s++)
			txq->free_sect[txq->free_sect_count++] = q * per + s;
		txq->agg_sect = NVSP_CHIM_IDX_NONE;
		txq->agg_used = 0;
		txq->agg_pkts = 0;
		txq->agg_bytes = 0;
	}
}

int
netvsc_txq_init(struct netvsc_dev *nd, struct netvsc_txq *txq,
		uint16_t nb_desc, int socket)
{
	char name[RTE_MEMZONE_NAMESIZE];
	uint16_t i;

	txq->nd = nd;
	txq->nb_desc = nb_desc;
	txq->agg_sect = NVSP_CHIM_IDX_NONE;
	txq->desc = rte_zmalloc_socket("netvsc_txdesc",
				       sizeof(*txq->desc) * nb_desc,
				       RTE_CACHE_LINE_SIZE, socket);
	txq->free_desc = rte_malloc_socket("netvsc_txfree",
					   sizeof(uint16_t) * nb_desc, 0,
					   socket);
	txq->free_sect_cap = nd->chim_sects;
	txq->free_sect = rte_malloc_socket("netvsc_txsect",
					   sizeof(uint32_t) * nd->chim_sects, 0,
					   socket);
	snprintf(name, sizeof(name), "netvsc_%u_txh%u",
		 nd->port_id, txq->queue_id);
	/* Headers are read by the host by address: IOVA-contiguous, and a
	 * slot never crosses a page (slots divide the page size).
	 */
	txq->hdr_mz = rte_memzone_reserve_aligned(name,
			(size_t)nb_desc * NETVSC_TX_HDR_SLOT, socket,
			RTE_MEMZONE_IOVA_CONTIG, VMBUS_HV_PAGE_SIZE);
	if (txq->desc == NULL || txq->free_desc == NULL ||
	    txq->free_sect == NULL || txq->hdr_mz == NULL) {
		netvsc_txq_fini(txq);
		return -ENOMEM;
	}
	txq->hdr_slots = txq->hdr_mz->addr;
	txq->hdr_slots_iova = txq->hdr_mz->iova;
	for (i = 0; i < nb_desc; i++) {
		txq->desc[i].chim_idx = NVSP_CHIM_IDX_NONE;
		txq->free_desc[i] = (uint16_t)(nb_desc - 1 - i);
	}
	txq->free_count = nb_desc;
	txq->last_progress_tsc = rte_get_timer_cycles();
	return 0;
}

/* A new session: sends in flight will never be completed. */
void
netvsc_txq_reset(struct netvsc_txq *txq)
{
	uint16_t i;

	for (i = 0; i < txq->nb_desc; i++) {
		rte_pktmbuf_free(txq->desc[i].m);
		txq->desc[i].m = NULL;
		txq->desc[i].chim_idx = NVSP_CHIM_IDX_NONE;
		txq->desc[i].pkts = 0;
		txq->free_desc[i] = (uint16_t)(txq->nb_desc - 1 - i);
	}
	txq->free_count = txq->nb_desc;
	txq->free_sect_count = 0;
	txq->agg_sect = NVSP_CHIM_IDX_NONE;
	txq->agg_used = 0;
	txq->agg_pkts = 0;
	txq->agg_bytes = 0;
}

void
netvsc_txq_fini(struct netvsc_txq *txq)
{
	uint16_t i;

	if (txq->desc != NULL)
		for (i = 0; i < txq->nb_desc; i++)
			rte_pktmbuf_free(txq->desc[i].m);
	rte_free(txq->desc);
	rte_free(txq->free_desc);
	rte_free(txq->free_sect);
	rte_memzone_free(txq->hdr_mz);
	txq->desc = NULL;
	txq->free_desc = NULL;
	txq->free_sect = NULL;
	txq->hdr_mz = NULL;
}
