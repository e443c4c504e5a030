/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udrv netvsc PMD: private state shared by its files.
 *
 * Layering: netvsc_ethdev.c (ethdev ops, probe, devargs) drives
 * netvsc_nvsp.c (NetVSP session: versions, buffers, sub-channels) and
 * netvsc_rndis.c (RNDIS control: OIDs, RSS, offloads, link); the data path
 * is netvsc_rx.c / netvsc_tx.c; netvsc_parse.c holds the pure parsers of
 * what the host writes (also built into the unit tests and fuzzers).
 */
#ifndef NETVSC_H
#define NETVSC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_rwlock.h>
#include <rte_spinlock.h>

#include <bus_vmbus.h>

#include "netvsc_parse.h"

extern int netvsc_logtype;
#define NETVSC_LOG(level, nd, fmt, ...) \
	rte_log(RTE_LOG_ ## level, netvsc_logtype, "netvsc: %s: " fmt "\n", \
		(nd)->name, ##__VA_ARGS__)

#define NETVSC_MAX_QUEUES      64
#define NETVSC_MAX_MTU         9216
#define NETVSC_MIN_MTU         68
#define NETVSC_MAX_FRAME       (NETVSC_MAX_MTU + RTE_ETHER_HDR_LEN + 4)
#define NETVSC_RSS_IND_SIZE    NDIS_RSS_IND_SIZE
#define NETVSC_RSS_KEY_SIZE    NDIS_RSS_KEY_SIZE
#define NETVSC_TX_DESC_MAX     4096
#define NETVSC_TX_DESC_DEFAULT 1024
#define NETVSC_STASH_SIZE      1024
#define NETVSC_CTRL_RESP_MAX   2048
/* Largest RNDIS header we build: PACKET_MSG, VLAN and LSO/checksum PPIs. */
#define NETVSC_TX_HDR_SLOT     128
#define NETVSC_GPA_RANGES      VMBUS_GPA_RANGE_MAX

/* Transaction-id tags of our requests; completions echo them. */
#define NETVSC_XID_TAG_SHIFT   56
#define NETVSC_XID_TX          (1ull << NETVSC_XID_TAG_SHIFT)
#define NETVSC_XID_CTRL        (2ull << NETVSC_XID_TAG_SHIFT)
#define NETVSC_XID_TAG_MASK    (0xffull << NETVSC_XID_TAG_SHIFT)

struct netvsc_rx_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;       /* malformed messages from the host */
	uint64_t nombuf;
	uint64_t dropped;      /* port stopped, filtered, too big */
	uint64_t multicast;
	uint64_t broadcast;
	uint64_t acks_deferred;
	uint64_t zero_copy;    /* frames lent as external mbufs */
	uint64_t stash_full;   /* taken off the ring with nowhere to go */
	uint64_t parked;       /* left in the host's slot by a drain */
	uint64_t size_bins[8];
};

struct netvsc_tx_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t chimney;      /* packets copied into send-buffer sections */
	uint64_t gpa;          /* packets sent by guest physical address */
	uint64_t ring_full;
	uint64_t desc_full;    /* no free descriptor: host slow to complete */
	uint64_t host_failed;  /* completions with a failure status */
	uint64_t size_bins[8];
};

struct netvsc_dev;
struct netvsc_txq;

struct netvsc_parked {
	uint64_t xid;
	uint32_t offset;
	uint32_t len;
};

/* A receive-buffer packet lent to the application as external mbufs. */
struct netvsc_rx_loan {
	struct rte_mbuf_ext_shared_info shinfo;
	struct netvsc_rxq *rxq;
	uint64_t xid;
	bool busy;
};

struct netvsc_rxq {
	struct netvsc_dev *nd;
	struct vmbus_channel *chan;
	struct netvsc_txq *txq;        /* completions arrive on our ring */
	struct rte_mempool *mp;
	uint16_t queue_id;
	bool configured;               /* set up by the application */
	rte_spinlock_t lock;           /* one consumer of the ring */
	/* Frames taken off the ring by someone other than rx_burst. */
	uint16_t stash_head;
	uint16_t stash_count;
	struct rte_mbuf *stash[NETVSC_STASH_SIZE];
	/* Data packets a drain found with the stash full: left in the
	 * host's slot (not acked) until rx_burst takes them. At most one
	 * per slot, so this never overflows.
	 */
	uint32_t park_head;
	uint32_t park_count;
	struct netvsc_parked *parked;
	/* Receive-buffer acks the TX ring had no room for, oldest first. */
	uint32_t ack_head;
	uint32_t ack_count;
	uint32_t ack_cap;
	uint64_t *ack_pending;
	/* Zero-copy receive (rx_extmbuf_enable): one loan per receive-buffer
	 * slot; mbuf frees return loans through a ring, acked here.
	 */
	struct netvsc_rx_loan *loans;
	struct rte_ring *loans_back;
	uint32_t loans_out;
	struct netvsc_rx_stats stats;
	uint8_t bounce[4096];          /* packets that wrap the ring end */
};

struct netvsc_txdesc {
	struct rte_mbuf *m;            /* GPA packet: freed on completion */
	uint32_t chim_idx;             /* section, or NVSP_CHIM_IDX_NONE */
	uint32_t pkts;
	uint64_t bytes;
};

struct netvsc_txq {
	struct netvsc_dev *nd;
	struct vmbus_channel *chan;
	uint16_t queue_id;
	bool configured;
	uint16_t nb_desc;
	uint16_t free_count;
	uint16_t *free_desc;           /* stack of free descriptor indexes */
	struct netvsc_txdesc *desc;
	uint8_t *hdr_slots;            /* one RNDIS header slot per desc */
	rte_iova_t hdr_slots_iova;
	const struct rte_memzone *hdr_mz;
	/* Send-buffer sections owned by this queue. */
	uint32_t *free_sect;
	uint32_t free_sect_count;
	uint32_t free_sect_cap;
	/* Section being filled by the current burst. */
	uint32_t agg_sect;             /* NVSP_CHIM_IDX_NONE when none */
	uint32_t agg_used;
	uint32_t agg_pkts;
	uint64_t agg_bytes;
	uint64_t last_progress_tsc;    /* for "host not completing" reports */
	bool stall_reported;
	struct netvsc_tx_stats stats;
};

struct netvsc_devargs {
	uint32_t latency_us;
	uint32_t rx_copybreak;
	uint32_t tx_copybreak;
	bool tx_copybreak_auto;        /* not given: the section size */
	bool rx_extmbuf;
	uint32_t ctrl_timeout_ms;
};

struct netvsc_dev {
	char name[RTE_UUID_STRLEN + 8];
	struct vmbus_device *vdev;     /* the primary process's */
	/* Shared with secondary processes: no pointer into one process's
	 * ethdev array (netvsc_eth_dev() finds the caller's).
	 */
	uint16_t port_id;
	struct rte_eth_dev_data *data;
	struct netvsc_devargs args;

	/* NetVSP session. Per channel: the queue pair polling it and the
	 * lock of its TX ring (data, acks and completions share the ring).
	 */
	struct vmbus_channel *primary;
	struct vmbus_channel *chan[NETVSC_MAX_QUEUES];
	struct netvsc_rxq *rxq[NETVSC_MAX_QUEUES];
	struct netvsc_txq *txq[NETVSC_MAX_QUEUES];
	rte_spinlock_t send_lock[NETVSC_MAX_QUEUES];
	uint16_t nchan;                /* channels open, primary included */
	uint32_t nvsp_version;
	uint32_t ndis_version;
	uint8_t *rxbuf;
	uint32_t rxbuf_size;
	uint32_t rxbuf_slot_size;
	uint32_t rxbuf_slots;
	uint8_t *chim;
	uint32_t chim_size;
	uint32_t chim_sect_size;
	uint32_t chim_sects;
	bool session_up;

	/* Synchronous control exchange (primary channel). */
	/* One control exchange at a time (application and alarm threads). */
	rte_spinlock_recursive_t ctrl_lock;
	uint64_t ctrl_xid;
	uint64_t ctrl_wait_xid;        /* NVSP completion awaited, 0 if none */
	uint32_t rndis_wait_rid;       /* RNDIS completion awaited, 0 if none */
	uint32_t rndis_rid;
	bool ctrl_done;
	uint32_t ctrl_resp_len;
	uint8_t ctrl_resp[NETVSC_CTRL_RESP_MAX];
	uint8_t *rndis_req;            /* one page, IOVA-contiguous */
	rte_iova_t rndis_req_iova;
	const struct rte_memzone *rndis_req_mz;

	/* RNDIS device properties. */
	struct rte_ether_addr mac;
	uint32_t mtu;
	uint32_t agg_max_pkts;
	uint32_t agg_max_size;
	uint32_t agg_align;
	uint32_t max_rx_queues;        /* from RSS capabilities */
	uint32_t rss_hash_caps;
	uint64_t tx_offload_capa;
	uint64_t rx_offload_capa;
	uint32_t lso_max_size;
	uint32_t packet_filter;
	bool promisc;
	bool allmulti;
	uint8_t rss_key[NETVSC_RSS_KEY_SIZE];
	uint16_t reta[NETVSC_RSS_IND_SIZE];
	uint64_t rss_hf;

	/* Link. */
	volatile bool link_up;
	uint32_t link_speed_mbps;
	volatile bool lsc_pending;

	/* Host's send indirection table (informational). */
	uint32_t txtbl[NVSP_TXTBL_MAX];
	uint32_t txtbl_count;

	/* VF association (netvsc_vf.c). */
	volatile bool vf_offered;      /* host says a VF is allocated */
	uint32_t vf_serial;
	bool datapath_vf;              /* host moved the data path to the VF */
	rte_rwlock_t vf_lock;          /* data path: read; changes: write */
	volatile bool vf_tx;           /* send through the VF */
	volatile bool vf_rx;           /* poll the VF too */
	uint16_t vf_port;
	bool vf_attached;
	bool vf_configured;
	volatile bool vf_remove;
	bool vf_mp_counted;           /* counted in the users of the MP action */
	uint64_t owner_id;

	bool started;
	bool failed;                   /* host broke the protocol */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint64_t vlan_strip;
	uint64_t protocol_errors;
	uint64_t ctrl_timeouts;
};

/* netvsc_nvsp.c */
int netvsc_nvsp_attach(struct netvsc_dev *nd, uint32_t mtu);
void netvsc_nvsp_detach(struct netvsc_dev *nd);
int netvsc_nvsp_subch_alloc(struct netvsc_dev *nd, uint16_t want);
int netvsc_nvsp_set_datapath(struct netvsc_dev *nd, bool vf);
int netvsc_ctrl_wait(struct netvsc_dev *nd);
void netvsc_ctrl_complete(struct netvsc_dev *nd, uint64_t xid,
			  const uint8_t *data, uint32_t len);

/* Act on a host-initiated NVSP message; returns the message type to
 * complete (the host asked for a completion) or 0.
 */
uint32_t netvsc_handle_inband(struct netvsc_dev *nd, struct netvsc_rxq *rxq,
			      const struct vmbus_pkt *pkt);

/* netvsc_ethdev.c */
void netvsc_link_report(struct netvsc_dev *nd);

/* netvsc_vf.c */
void netvsc_vf_init(struct netvsc_dev *nd);
void netvsc_vf_fini(struct netvsc_dev *nd);
void netvsc_vf_schedule(struct netvsc_dev *nd, uint64_t us);
int netvsc_vf_dev_start(struct netvsc_dev *nd);
void netvsc_vf_dev_stop(struct netvsc_dev *nd);
void netvsc_vf_dev_configured(struct netvsc_dev *nd);
void netvsc_vf_detach(struct netvsc_dev *nd, bool remove_device);
void netvsc_vf_stats_add(struct netvsc_dev *nd, struct rte_eth_stats *st);

/* netvsc_rndis.c */
int netvsc_rndis_attach(struct netvsc_dev *nd);
void netvsc_rndis_detach(struct netvsc_dev *nd);
int netvsc_rndis_query(struct netvsc_dev *nd, uint32_t oid, const void *in,
		       uint32_t in_len, void *out, uint32_t *out_len);
int netvsc_rndis_set(struct netvsc_dev *nd, uint32_t oid, const void *val,
		     uint32_t len);
int netvsc_rndis_set_filter(struct netvsc_dev *nd, uint32_t filter);
int netvsc_rndis_set_rss(struct netvsc_dev *nd, bool enable);
int netvsc_rndis_set_offloads(struct netvsc_dev *nd, uint64_t tx, uint64_t rx);
int netvsc_rndis_link_query(struct netvsc_dev *nd);
void netvsc_rndis_receive_ctrl(struct netvsc_dev *nd, const uint8_t *msg,
			       uint32_t len, uint32_t type);

/*
 * Frame data copies. rte_memcpy is inlined, which is what small frames
 * want, but bound to the instruction set DPDK was built for (SSE for a
 * generic build); the C library's memcpy picks the widest vector unit at
 * run time, which is what large frames want.
 */
#define NETVSC_COPY_INLINE_MAX 256

static inline void
netvsc_copy(void *dst, const void *src, uint32_t n)
{
	if (n <= NETVSC_COPY_INLINE_MAX)
		rte_memcpy(dst, src, n);
	else
		memcpy(dst, src, n);
}

/* This process's ethdev of the port. */
static inline struct rte_eth_dev *
netvsc_eth_dev(const struct netvsc_dev *nd)
{
	return &rte_eth_devices[nd->port_id];
}

/* The netvsc port's state, or NULL when port is not one of ours. */
struct netvsc_dev *netvsc_dev_of_port(uint16_t port);

/* netvsc_rx.c */
uint16_t netvsc_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
/* Take what is on the channel off it; frames go to the stash. */
void netvsc_rxq_drain(struct netvsc_rxq *rxq);
int netvsc_rxq_init(struct netvsc_dev *nd, struct netvsc_rxq *rxq);
int netvsc_rxq_reset(struct netvsc_rxq *rxq);
void netvsc_rxq_fini(struct netvsc_rxq *rxq);
void netvsc_rxq_flush_stash(struct netvsc_rxq *rxq);

/* netvsc_tx.c */
uint16_t netvsc_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t netvsc_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t n);
/* A completion of ours; caller holds the channel's send lock. */
void netvsc_tx_complete(struct netvsc_txq *txq, uint64_t xid,
			const struct vmbus_pkt *pkt, bool *signal);
int netvsc_txq_init(struct netvsc_dev *nd, struct netvsc_txq *txq,
		    uint16_t nb_desc, int socket);
void netvsc_txq_fini(struct netvsc_txq *txq);
void netvsc_txq_reset(struct netvsc_txq *txq);
void netvsc_txq_assign_sections(struct netvsc_dev *nd);
int netvsc_tx_done_cleanup(void *queue, uint32_t free_cnt);

#endif /* NETVSC_H */
