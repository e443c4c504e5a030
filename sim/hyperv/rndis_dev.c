/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RNDIS device behind a synthetic NIC: what the Hyper-V host answers
 * to RNDIS control messages, the settings a guest makes through OIDs
 * (packet filter, multicast list, checksum and LSO offloads, RSS), link
 * indications, and the work on data messages in both directions:
 *  - guest sends: PACKET_MSG checked field by field, per-packet info
 *    honoured (checksum, LSOv2, VLAN), frames put on the wire;
 *  - receives: packet filter, VLAN tag stripped into per-packet info,
 *    checksums validated, RSS picks the channel, one PACKET_MSG per
 *    receive slot.
 * A guest's packet filter of 0 holds received frames back (the switch
 * keeps them and offers them again) instead of dropping them, as the
 * OpenVMM host pends them: a guest that stops and restarts its port loses
 * nothing queued in between.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netvsp.h"
#include "nic_offload.h"

#define RESP_MAX        1024u
#define VENDOR_ID       0x0000155du     /* the Hyper-V OUI */
#define VENDOR_DESC     "udrv model of the Hyper-V synthetic NIC"
#define DRIVER_VERSION  0x0600u
#define RSS_HASH_TYPES  (NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4 | \
			 NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6)

static const uint32_t supported_oids[] = {
	OID_GEN_SUPPORTED_LIST,
	OID_GEN_HARDWARE_STATUS,
	OID_GEN_MEDIA_SUPPORTED,
	OID_GEN_MEDIA_IN_USE,
	OID_GEN_MAXIMUM_LOOKAHEAD,
	OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED,
	OID_GEN_TRANSMIT_BLOCK_SIZE,
	OID_GEN_RECEIVE_BLOCK_SIZE,
	OID_GEN_VENDOR_ID,
	OID_GEN_VENDOR_DESCRIPTION,
	OID_GEN_CURRENT_PACKET_FILTER,
	OID_GEN_CURRENT_LOOKAHEAD,
	OID_GEN_MAXIMUM_TOTAL_SIZE,
	OID_GEN_MAC_OPTIONS,
	OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_MAXIMUM_SEND_PACKETS,
	OID_GEN_VENDOR_DRIVER_VERSION,
	OID_GEN_NETWORK_LAYER_ADDRESSES,
	OID_GEN_RECEIVE_SCALE_CAPABILITIES,
	OID_GEN_RECEIVE_SCALE_PARAMETERS,
	OID_GEN_RNDIS_CONFIG_PARAMETER,
	OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS,
	OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
	OID_TCP_OFFLOAD_PARAMETERS,
	OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
};

void
rndis_reset(struct nic *nic)
{
	nic->rndis_ready = false;
	nic->filter = 0;
	nic->mcast_count = 0;
	/* Offloads are off until the guest turns them on. */
	nic->csum_ip4 = NDIS_OFFLOAD_OFF;
	nic->csum_tcp4 = NDIS_OFFLOAD_OFF;
	nic->csum_udp4 = NDIS_OFFLOAD_OFF;
	nic->csum_tcp6 = NDIS_OFFLOAD_OFF;
	nic->csum_udp6 = NDIS_OFFLOAD_OFF;
	nic->lso4 = false;
	nic->lso6 = false;
	nic->rss_on = false;
	nic->rss_hash = 0;
	nic->rss_table_len = 0;
}

bool
rndis_link_state(const struct nic *nic)
{
	return nic->admin_up && nic->wire_up;
}

static void
respond(struct nic *nic, const void *msg, uint32_t len)
{
	nic_interleave(nic);
	nic_send_control(nic, msg, len);
	nic->stats.ctrl_responses++;
}

void
rndis_indicate(struct nic *nic, uint32_t status)
{
	struct rndis_indicate m = {
		.type = RNDIS_MSG_INDICATE,
		.len = sizeof(m),
		.status = status,
	};

	nic_send_control(nic, &m, sizeof(m));
	nic->stats.indications++;
}

void
rndis_link_update(struct nic *nic, uint64_t now, uint64_t *next)
{
	bool up = rndis_link_state(nic);
	uint64_t hold = (uint64_t)nic->spec->link_hold_ms * 1000000ull;

	if (up == nic->link_reported)
		return;
	if (!nic->rndis_ready || !nic->recv_connected) {
		/* Nobody to tell: the guest will ask. */
		nic->link_reported = up;
		return;
	}
	/* Guests miss changes that come too close together. */
	if (nic->link_changed_ns != 0 && now < nic->link_changed_ns + hold) {
		if (nic->link_changed_ns + hold < *next)
			*next = nic->link_changed_ns + hold;
		return;
	}
	nic->link_reported = up;
	nic->link_changed_ns = now;
	nic->stats.link_changes++;
	rndis_indicate(nic, up ? RNDIS_STATUS_MEDIA_CONNECT :
		       RNDIS_STATUS_MEDIA_DISCONNECT);
	if (sim_verbose)
		nic_log(nic, "link %s", up ? "up" : "down");
}

/* ---- OIDs ---- */

static uint32_t
put_u32(uint8_t *out, uint32_t *out_len, uint32_t v)
{
	memcpy(out, &v, sizeof(v));
	*out_len = sizeof(v);
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
query_offload_caps(const struct nic *nic, uint8_t *out, uint32_t *out_len)
{
	struct ndis_offload_caps c;
	uint32_t v4 = NDIS_CSUM_CAP_IP_OPTS | NDIS_CSUM_CAP_TCP_OPTS |
		      NDIS_CSUM_CAP_TCP | NDIS_CSUM_CAP_UDP | NDIS_CSUM_CAP_IP;
	uint32_t v6 = NDIS_CSUM_CAP_IP_OPTS | NDIS_CSUM_CAP_TCP_OPTS |
		      NDIS_CSUM_CAP_TCP | NDIS_CSUM_CAP_UDP;

	memset(&c, 0, sizeof(c));
	c.hdr.type = NDIS_OBJ_OFFLOAD;
	if (nic->ndis_ver >= NVSP_NDIS_6_30) {
		c.hdr.rev = 3;
		c.hdr.size = NDIS_OFFLOAD_CAPS_SIZE_3;
	} else if (nic->ndis_ver >= NVSP_NDIS_6_1) {
		c.hdr.rev = 2;
		c.hdr.size = NDIS_OFFLOAD_CAPS_SIZE_2;
	} else {
		c.hdr.rev = 1;
		c.hdr.size = NDIS_OFFLOAD_CAPS_SIZE_1;
	}
	c.csum.ip4_tx_encap = NDIS_ENCAP_IEEE_802_3;
	c.csum.ip4_tx = v4;
	c.csum.ip4_rx_encap = NDIS_ENCAP_IEEE_802_3;
	c.csum.ip4_rx = v4;
	c.csum.ip6_tx_encap = NDIS_ENCAP_IEEE_802_3;
	c.csum.ip6_tx = v6;
	c.csum.ip6_rx_encap = NDIS_ENCAP_IEEE_802_3;
	c.csum.ip6_rx = v6;
	/* LSOv1 and IPsec: not offered. */
	c.lsov2.ip4_encap = NDIS_ENCAP_IEEE_802_3;
	c.lsov2.ip4_max_size = NETVSP_LSO_MAX_SIZE;
	c.lsov2.ip4_min_segs = NETVSP_LSO_MIN_SEGS;
	c.lsov2.ip6_encap = NDIS_ENCAP_IEEE_802_3;
	c.lsov2.ip6_max_size = NETVSP_LSO_MAX_SIZE;
	c.lsov2.ip6_min_segs = NETVSP_LSO_MIN_SEGS;
	c.lsov2.ip6_opts = NDIS_LSOV2_CAP_IP6_EXT | NDIS_LSOV2_CAP_TCP6_OPTS;
	memcpy(out, &c, c.hdr.size);
	*out_len = c.hdr.size;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
query_rss_caps(const struct nic *nic, uint8_t *out, uint32_t *out_len)
{
	const struct hv_dev_spec *spec = &hv_cfg.dev[hv_dev_index(nic->dev)];
	struct ndis_rss_caps c;

	if (nic->ndis_ver < NVSP_NDIS_6_20)
		return RNDIS_STATUS_NOT_SUPPORTED;
	memset(&c, 0, sizeof(c));
	c.hdr.type = NDIS_OBJ_RSS_CAPS;
	if (nic->ndis_ver >= NVSP_NDIS_6_30) {
		c.hdr.rev = 2;
		c.hdr.size = NDIS_RSS_CAPS_SIZE_2;
	} else {
		c.hdr.rev = 1;
		c.hdr.size = NDIS_RSS_CAPS_SIZE_1;
	}
	c.caps = NDIS_RSS_CAP_MSIX | NDIS_RSS_CAP_HASH_TCP_IPV4 |
		 NDIS_RSS_CAP_HASH_TCP_IPV6 | NDIS_HASH_FUNCTION_TOEPLITZ;
	/* One queue per channel: the primary and every sub-channel. */
	c.num_queues = nic->nvsp_ver >= NVSP_V5 ? 1 + spec->max_subch : 1;
	c.num_msi = c.num_queues;
	/* Never 0: DPDK's PMD divides by it. */
	c.num_ind_entries = NDIS_RSS_TABLE_MAX;
	memcpy(out, &c, c.hdr.size);
	*out_len = c.hdr.size;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
query(struct nic *nic, uint32_t oid, uint8_t *out, uint32_t *out_len)
{
	*out_len = 0;
	switch (oid) {
	case OID_GEN_SUPPORTED_LIST:
		memcpy(out, supported_oids, sizeof(supported_oids));
		*out_len = sizeof(supported_oids);
		return RNDIS_STATUS_SUCCESS;
	case OID_GEN_HARDWARE_STATUS:
		return put_u32(out, out_len, 0);        /* ready */
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		return put_u32(out, out_len, RNDIS_MEDIUM_802_3);
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_CURRENT_LOOKAHEAD:
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		return put_u32(out, out_len, nic->mtu);
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		return put_u32(out, out_len, nic->mtu - NIC_ETH_HLEN);
	case OID_GEN_LINK_SPEED:
		return put_u32(out, out_len, nic->spec->link_speed);
	case OID_GEN_VENDOR_ID:
		return put_u32(out, out_len, VENDOR_ID);
	case OID_GEN_VENDOR_DESCRIPTION:
		memcpy(out, VENDOR_DESC, sizeof(VENDOR_DESC));
		*out_len = sizeof(VENDOR_DESC);
		return RNDIS_STATUS_SUCCESS;
	case OID_GEN_VENDOR_DRIVER_VERSION:
		return put_u32(out, out_len, DRIVER_VERSION);
	case OID_GEN_CURRENT_PACKET_FILTER:
		return put_u32(out, out_len, nic->filter);
	case OID_GEN_MAC_OPTIONS:
		return put_u32(out, out_len, 0);
	case OID_GEN_MEDIA_CONNECT_STATUS:
		/* The guest now knows: no indication needed for this state. */
		nic->link_reported = rndis_link_state(nic);
		return put_u32(out, out_len, nic->link_reported ?
			       NDIS_MEDIA_STATE_CONNECTED : NDIS_MEDIA_STATE_DISCONNECTED);
	case OID_GEN_MAXIMUM_SEND_PACKETS:
		return put_u32(out, out_len, nic->spec->agg_pkts);
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		memcpy(out, nic->mac, 6);
		*out_len = 6;
		return RNDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		memcpy(out, nic->mcast, nic->mcast_count * 6u);
		*out_len = nic->mcast_count * 6u;
		return RNDIS_STATUS_SUCCESS;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		return put_u32(out, out_len, NETVSP_MAX_MCAST);
	case OID_GEN_RECEIVE_SCALE_CAPABILITIES:
		return query_rss_caps(nic, out, out_len);
	case OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
		return query_offload_caps(nic, out, out_len);
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

static bool
csum_value_ok(uint8_t v)
{
	return v <= NDIS_OFFLOAD_TXRX;
}

static void
csum_apply(uint8_t *cur, uint8_t v)
{
	if (v != NDIS_OFFLOAD_NO_CHANGE)
		*cur = v;
}

static uint32_t
set_offload(struct nic *nic, const uint8_t *in, uint32_t in_len)
{
	struct ndis_offload_params p;
	uint32_t min;

	if (in_len < NDIS_OFFLOAD_PARAMS_SIZE_1)
		return RNDIS_STATUS_INVALID_LENGTH;
	memset(&p, 0, sizeof(p));
	memcpy(&p, in, in_len < sizeof(p) ? in_len : sizeof(p));
	min = p.hdr.rev >= 3 ? NDIS_OFFLOAD_PARAMS_SIZE_3 :
	      p.hdr.rev == 2 ? NDIS_OFFLOAD_PARAMS_SIZE_2 : NDIS_OFFLOAD_PARAMS_SIZE_1;
	if (p.hdr.type != NDIS_OBJ_DEFAULT || p.hdr.rev < 1 || p.hdr.size < min ||
	    p.hdr.size > in_len) {
		nic_proto_error(nic, "offload parameters: object type %#x rev %u size %u in %u bytes",
				p.hdr.type, p.hdr.rev, p.hdr.size, in_len);
		return RNDIS_STATUS_INVALID_PARAMETER;
	}
	if (!csum_value_ok(p.ip4_csum) || !csum_value_ok(p.tcp4_csum) ||
	    !csum_value_ok(p.udp4_csum) || !csum_value_ok(p.tcp6_csum) ||
	    !csum_value_ok(p.udp6_csum) || p.lsov2_ip4 > NDIS_OFFLOAD_LSO_ON ||
	    p.lsov2_ip6 > NDIS_OFFLOAD_LSO_ON) {
		nic_proto_error(nic, "offload parameters: value out of range");
		return RNDIS_STATUS_INVALID_PARAMETER;
	}
	/* LSOv1 is not offered; the object is refused as a whole. */
	if (p.lsov1 == NDIS_OFFLOAD_LSO_ON) {
		nic_log(nic, "offload parameters: LSOv1 refused");
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	csum_apply(&nic->csum_ip4, p.ip4_csum);
	csum_apply(&nic->csum_tcp4, p.tcp4_csum);
	csum_apply(&nic->csum_udp4, p.udp4_csum);
	csum_apply(&nic->csum_tcp6, p.tcp6_csum);
	csum_apply(&nic->csum_udp6, p.udp6_csum);
	if (p.lsov2_ip4 != NDIS_OFFLOAD_NO_CHANGE)
		nic->lso4 = p.lsov2_ip4 == NDIS_OFFLOAD_LSO_ON;
	if (p.lsov2_ip6 != NDIS_OFFLOAD_NO_CHANGE)
		nic->lso6 = p.lsov2_ip6 == NDIS_OFFLOAD_LSO_ON;
	/* RSC and encapsulation settings are taken and not acted on: the
	 * model never coalesces and knows no tunnels.
	 */
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set_rss(struct nic *nic, const uint8_t *in, uint32_t in_len)
{
	uint32_t table[NDIS_RSS_TABLE_MAX], n = 0, i, min, hash = nic->rss_hash;
	uint8_t key[NDIS_RSS_KEY_SIZE];
	struct ndis_rss_params p;

	if (in_len < NDIS_RSS_PARAMS_SIZE_1)
		return RNDIS_STATUS_INVALID_LENGTH;
	memset(&p, 0, sizeof(p));
	memcpy(&p, in, in_len < sizeof(p) ? in_len : sizeof(p));
	min = p.hdr.rev >= 2 ? NDIS_RSS_PARAMS_SIZE_2 : NDIS_RSS_PARAMS_SIZE_1;
	if (p.hdr.type != NDIS_OBJ_RSS_PARAMS || p.hdr.rev < 1 ||
	    p.hdr.size < min || p.hdr.size > in_len) {
		nic_proto_error(nic, "RSS parameters: object type %#x rev %u size %u in %u bytes",
				p.hdr.type, p.hdr.rev, p.hdr.size, in_len);
		return RNDIS_STATUS_INVALID_PARAMETER;
	}
	if (p.flags & NDIS_RSS_FLAG_DISABLE) {
		nic->rss_on = false;
		return RNDIS_STATUS_SUCCESS;
	}
	if (!(p.flags & NDIS_RSS_FLAG_HASH_UNCHANGED)) {
		hash = p.hash & NDIS_HASH_TYPE_MASK;
		if ((p.hash & NDIS_HASH_FUNCTION_MASK) != NDIS_HASH_FUNCTION_TOEPLITZ ||
		    (p.hash & ~(NDIS_HASH_TYPE_MASK | NDIS_HASH_FUNCTION_MASK)) != 0 ||
		    hash == 0 || (hash & ~RSS_HASH_TYPES) != 0) {
			nic_log(nic, "RSS hash %#x refused (Toeplitz with %#x only)",
				p.hash, RSS_HASH_TYPES);
			return RNDIS_STATUS_INVALID_PARAMETER;
		}
	}
	if (!(p.flags & NDIS_RSS_FLAG_TABLE_UNCHANGED)) {
		if (p.table_size == 0 || p.table_size % 4 != 0 ||
		    p.table_size > sizeof(table) ||
		    (uint64_t)p.table_offset + p.table_size > in_len) {
			nic_log(nic, "RSS table of %u bytes at %u refused", p.table_size,
				p.table_offset);
			return RNDIS_STATUS_INVALID_PARAMETER;
		}
		n = p.table_size / 4;
		memcpy(table, in + p.table_offset, p.table_size);
		for (i = 0; i < n; i++)
			if (table[i] >= nic_num_channels(nic)) {
				nic_log(nic, "RSS table entry %u names channel %u of %u",
					i, table[i], nic_num_channels(nic));
				return RNDIS_STATUS_INVALID_PARAMETER;
			}
	} else if (nic->rss_table_len == 0) {
		return RNDIS_STATUS_INVALID_PARAMETER;
	}
	if (!(p.flags & NDIS_RSS_FLAG_KEY_UNCHANGED)) {
		if (p.key_size != NDIS_RSS_KEY_SIZE ||
		    (uint64_t)p.key_offset + NDIS_RSS_KEY_SIZE > in_len) {
			nic_log(nic, "RSS key of %u bytes at %u refused", p.key_size,
				p.key_offset);
			return RNDIS_STATUS_INVALID_PARAMETER;
		}
		memcpy(key, in + p.key_offset, NDIS_RSS_KEY_SIZE);
		memcpy(nic->rss_key, key, NDIS_RSS_KEY_SIZE);
	}
	if (n != 0) {
		memcpy(nic->rss_table, table, n * 4);
		nic->rss_table_len = n;
	}
	nic->rss_hash = hash;
	nic->rss_on = true;
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set_config_param(struct nic *nic, const uint8_t *in, uint32_t in_len)
{
	struct rndis_config_param p;

	if (in_len < sizeof(p))
		return RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&p, in, sizeof(p));
	if ((uint64_t)p.name_offset + p.name_len > in_len ||
	    (uint64_t)p.value_offset + p.value_len > in_len) {
		nic_proto_error(nic, "config parameter outside its %u bytes", in_len);
		return RNDIS_STATUS_INVALID_DATA;
	}
	/* Accepted and not acted on (e.g. NetworkAddress: one MAC only). */
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
set(struct nic *nic, uint32_t oid, const uint8_t *in, uint32_t in_len)
{
	uint32_t v;

	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (in_len != sizeof(v))
			return RNDIS_STATUS_INVALID_LENGTH;
		memcpy(&v, in, sizeof(v));
		nic->filter = v;
		return RNDIS_STATUS_SUCCESS;
	case OID_GEN_CURRENT_LOOKAHEAD:
		return in_len == sizeof(v) ? RNDIS_STATUS_SUCCESS : RNDIS_STATUS_INVALID_LENGTH;
	case OID_802_3_MULTICAST_LIST:
		if (in_len % 6 != 0 || in_len / 6 > NETVSP_MAX_MCAST)
			return RNDIS_STATUS_INVALID_LENGTH;
		memcpy(nic->mcast, in, in_len);
		nic->mcast_count = in_len / 6;
		return RNDIS_STATUS_SUCCESS;
	case OID_TCP_OFFLOAD_PARAMETERS:
		return set_offload(nic, in, in_len);
	case OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return set_rss(nic, in, in_len);
	case OID_GEN_RNDIS_CONFIG_PARAMETER:
		return set_config_param(nic, in, in_len);
	case OID_GEN_NETWORK_LAYER_ADDRESSES:
		return RNDIS_STATUS_SUCCESS;
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

/* ---- control messages ---- */

static int
on_init(struct nic *nic, const uint8_t *msg, uint32_t len)
{
	struct rndis_init_req q;
	struct rndis_init_cmplt r = {
		.type = RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION,
		.len = sizeof(r),
		.status = RNDIS_STATUS_SUCCESS,
		.major = RNDIS_MAJOR_VERSION,
		.minor = RNDIS_MINOR_VERSION,
		.dev_flags = RNDIS_DF_CONNECTIONLESS,
		.medium = RNDIS_MEDIUM_802_3,
		.max_pkts = nic->spec->agg_pkts,
		.max_xfer_size = nic->spec->agg_size,
		.align_shift = 3,
	};

	if (len < sizeof(q)) {
		nic_proto_error(nic, "RNDIS INITIALIZE of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&q, msg, sizeof(q));
	r.rid = q.rid;
	if (q.major != RNDIS_MAJOR_VERSION) {
		nic_log(nic, "RNDIS version %u.%u refused", q.major, q.minor);
		r.status = RNDIS_STATUS_NOT_SUPPORTED;
	} else {
		if (nic->rndis_ready)
			nic_log(nic, "RNDIS INITIALIZE again");
		nic->rndis_ready = true;
	}
	respond(nic, &r, sizeof(r));
	/* Buffers and RNDIS up: the guest can take host messages now, and
	 * reads them while it waits for its RNDIS answers.
	 */
	if (nic->rndis_ready && !nic->data_path_up)
		nic_data_path_up(nic);
	return 0;
}

/* The information buffer of a QUERY or SET; false if outside the message. */
static bool
info_buffer(struct nic *nic, const struct rndis_oid_req *q, uint32_t len,
	    uint32_t *start)
{
	uint64_t begin = RNDIS_OID_OFFSET_BASE + (uint64_t)q->info_offset;

	*start = 0;
	if (q->info_len == 0)
		return true;
	if (begin < sizeof(*q) || begin + q->info_len > len) {
		nic_proto_error(nic, "OID %#x: information buffer %u+%u outside %u bytes",
				q->oid, q->info_offset, q->info_len, len);
		return false;
	}
	*start = (uint32_t)begin;
	return true;
}

static int
on_query(struct nic *nic, const uint8_t *msg, uint32_t len)
{
	uint8_t buf[RESP_MAX];
	struct rndis_query_cmplt *r = (struct rndis_query_cmplt *)buf;
	uint8_t *out = buf + sizeof(*r);
	struct rndis_oid_req q;
	uint32_t start, out_len = 0;

	if (len < sizeof(q)) {
		nic_proto_error(nic, "RNDIS QUERY of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&q, msg, sizeof(q));
	memset(r, 0, sizeof(*r));
	r->type = RNDIS_MSG_QUERY | RNDIS_MSG_COMPLETION;
	r->rid = q.rid;
	if (!info_buffer(nic, &q, len, &start)) {
		r->status = RNDIS_STATUS_INVALID_DATA;
	} else if (!nic->rndis_ready) {
		nic_proto_error(nic, "RNDIS QUERY %#x before INITIALIZE", q.oid);
		r->status = RNDIS_STATUS_FAILURE;
	} else {
		r->status = query(nic, q.oid, out, &out_len);
		if (r->status != RNDIS_STATUS_SUCCESS && sim_verbose)
			nic_log(nic, "QUERY %#x: status %#x", q.oid, r->status);
	}
	if (r->status != RNDIS_STATUS_SUCCESS)
		out_len = 0;
	r->info_len = out_len;
	r->info_offset = out_len != 0 ? sizeof(*r) - RNDIS_OID_OFFSET_BASE : 0;
	r->len = sizeof(*r) + out_len;
	respond(nic, buf, r->len);
	return 0;
}

static int
on_set(struct nic *nic, const uint8_t *msg, uint32_t len)
{
	struct rndis_status_cmplt r = {
		.type = RNDIS_MSG_SET | RNDIS_MSG_COMPLETION,
		.len = sizeof(r),
	};
	struct rndis_oid_req q;
	uint32_t start;

	if (len < sizeof(q)) {
		nic_proto_error(nic, "RNDIS SET of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&q, msg, sizeof(q));
	r.rid = q.rid;
	if (!info_buffer(nic, &q, len, &start)) {
		r.status = RNDIS_STATUS_INVALID_DATA;
	} else if (!nic->rndis_ready) {
		nic_proto_error(nic, "RNDIS SET %#x before INITIALIZE", q.oid);
		r.status = RNDIS_STATUS_FAILURE;
	} else {
		r.status = set(nic, q.oid, msg + start, q.info_len);
		if (sim_verbose)
			nic_log(nic, "SET %#x (%u bytes): status %#x", q.oid,
				q.info_len, r.status);
	}
	respond(nic, &r, sizeof(r));
	return 0;
}

static int
on_keepalive(struct nic *nic, const uint8_t *msg, uint32_t len)
{
	struct rndis_status_cmplt r = {
		.type = RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION,
		.len = sizeof(r),
		.status = RNDIS_STATUS_SUCCESS,
	};
	struct rndis_rid_req q;

	if (len < sizeof(q)) {
		nic_proto_error(nic, "RNDIS KEEPALIVE of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&q, msg, sizeof(q));
	r.rid = q.rid;
	respond(nic, &r, sizeof(r));
	return 0;
}

int
rndis_control(struct nic *nic, const uint8_t *msg, uint32_t len)
{
	struct rndis_msg_hdr h;

	if (len < sizeof(struct rndis_rid_req)) {
		nic_proto_error(nic, "RNDIS control message of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.len < sizeof(struct rndis_rid_req) || h.len > len) {
		nic_proto_error(nic, "RNDIS control message %#x: length %u in %u bytes",
				h.type, h.len, len);
		return -EPROTO;
	}
	switch (h.type) {
	case RNDIS_MSG_INIT:
		return on_init(nic, msg, h.len);
	case RNDIS_MSG_QUERY:
		return on_query(nic, msg, h.len);
	case RNDIS_MSG_SET:
		return on_set(nic, msg, h.len);
	case RNDIS_MSG_KEEPALIVE:
		return on_keepalive(nic, msg, h.len);
	case RNDIS_MSG_HALT:
		/* No answer; the guest tears down through NVSP anyway. */
		if (sim_verbose)
			nic_log(nic, "RNDIS HALT");
		return 0;
	default:
		/* RESET, SET_EX, INDICATE_STATUS, PACKET: not from a guest. */
		nic_proto_error(nic, "RNDIS control message type %#x from the guest",
				h.type);
		return -EPROTO;
	}
}

/* ---- guest sends ---- */

struct tx_ppi {
	uint32_t csum;
	uint32_t lso;
	uint32_t vlan;
	bool have_csum;
	bool have_lso;
	bool have_vlan;
};

static int
parse_ppis(struct nic *nic, const uint8_t *p, uint32_t len, struct tx_ppi *ppi)
{
	uint32_t off = 0;

	memset(ppi, 0, sizeof(*ppi));
	while (off < len) {
		struct rndis_ppi e;
		uint32_t value, type;
		bool *have = NULL;
		uint32_t *dst = NULL;

		if (len - off < sizeof(e)) {
			nic_proto_error(nic, "%u stray bytes of per-packet info", len - off);
			return -EPROTO;
		}
		memcpy(&e, p + off, sizeof(e));
		if (e.size < sizeof(e) || (e.size & 3) != 0 || e.size > len - off ||
		    e.offset < sizeof(e) || e.offset > e.size) {
			nic_proto_error(nic, "per-packet info size %u offset %u (%u left)",
					e.size, e.offset, len - off);
			return -EPROTO;
		}
		type = e.type & ~RNDIS_PPI_INTERNAL;
		if (type == RNDIS_PPI_CSUM) {
			have = &ppi->have_csum;
			dst = &ppi->csum;
		} else if (type == RNDIS_PPI_LSO) {
			have = &ppi->have_lso;
			dst = &ppi->lso;
		} else if (type == RNDIS_PPI_VLAN) {
			have = &ppi->have_vlan;
			dst = &ppi->vlan;
		}
		/* Others (hash value: DPDK's queue id) carry nothing for the host. */
		if (have != NULL) {
			if (e.size - e.offset < sizeof(value) || *have) {
				nic_proto_error(nic, "per-packet info type %u: %s", type,
						*have ? "given twice" : "value too short");
				nic->stats.tx_offload_errors++;
				return -EPROTO;
			}
			memcpy(&value, p + off + e.offset, sizeof(value));
			*dst = value;
			*have = true;
		}
		off += e.size;
	}
	return 0;
}

struct lso_out {
	struct nic_chan *c;
	const struct tx_ppi *ppi;
};

static uint16_t
vlan_tci(uint32_t info)
{
	return (uint16_t)(NDIS_VLAN_PRI(info) << 13 | NDIS_VLAN_CFI(info) << 12 |
			  NDIS_VLAN_ID(info));
}

/* seg has room for a tag (the segment buffer is a frame + 4). */
static void
lso_emit(void *arg, const uint8_t *seg, uint32_t len)
{
	struct lso_out *o = arg;

	if (o->ppi->have_vlan) {
		len = nic_vlan_insert((uint8_t *)seg, len, vlan_tci(o->ppi->vlan));
		o->c->nic->stats.tx_vlan_inserted++;
	}
	o->c->nic->stats.tx_lso_segments++;
	nic_wire_tx(o->c, seg, len);
}

static bool
csum_tx_on(uint8_t v)
{
	return v == NDIS_OFFLOAD_TX || v == NDIS_OFFLOAD_TXRX;
}

static bool
csum_rx_on(uint8_t v)
{
	return v == NDIS_OFFLOAD_RX || v == NDIS_OFFLOAD_TXRX;
}

/* Checksums asked per PPI but not enabled by OFFLOAD_PARAMETERS. */
static bool
csum_unnegotiated(const struct nic *nic, uint32_t info)
{
	bool v6 = info & NDIS_TXCSUM_IPV6;

	if ((info & NDIS_TXCSUM_IP) && !csum_tx_on(nic->csum_ip4))
		return true;
	if ((info & NDIS_TXCSUM_TCP) && !csum_tx_on(v6 ? nic->csum_tcp6 : nic->csum_tcp4))
		return true;
	if ((info & NDIS_TXCSUM_UDP) && !csum_tx_on(v6 ? nic->csum_udp6 : nic->csum_udp4))
		return true;
	return false;
}

int
rndis_tx_packet(struct nic_chan *c, const uint8_t *msg, uint32_t len,
		uint32_t hdr_room)
{
	static uint8_t frame[NETVSP_MAX_TX_MSG + NIC_VLAN_HLEN];
	static uint8_t seg[VSW_MAX_FRAME + NIC_VLAN_HLEN];
	struct nic *nic = c->nic;
	struct rndis_packet p;
	struct tx_ppi ppi;
	uint64_t data_abs, ppi_abs = 0;
	uint32_t flen, max;

	if (len < sizeof(p)) {
		nic_proto_error(nic, "RNDIS data message of %u bytes", len);
		return -EPROTO;
	}
	memcpy(&p, msg, sizeof(p));
	data_abs = RNDIS_PACKET_OFFSET_BASE + (uint64_t)p.data_offset;
	if (p.type != RNDIS_MSG_PACKET) {
		nic_proto_error(nic, "RNDIS message %#x on the data channel", p.type);
		return -EPROTO;
	}
	if (p.len > len || p.oob_offset != 0 || p.oob_len != 0 || p.oob_count != 0 ||
	    p.vc_handle != 0) {
		nic_proto_error(nic, "PACKET_MSG length %u (in %u) oob %u/%u/%u vc %u",
				p.len, len, p.oob_offset, p.oob_len, p.oob_count,
				p.vc_handle);
		return -EPROTO;
	}
	if (p.data_offset < RNDIS_PACKET_OFFSET_MIN || p.data_len == 0 ||
	    data_abs + p.data_len > p.len) {
		nic_proto_error(nic, "PACKET_MSG data %u+%u in %u bytes", p.data_offset,
				p.data_len, p.len);
		return -EPROTO;
	}
	if (p.ppi_len != 0) {
		ppi_abs = RNDIS_PACKET_OFFSET_BASE + (uint64_t)p.ppi_offset;
		if (p.ppi_offset < RNDIS_PACKET_OFFSET_MIN || (p.ppi_offset & 3) != 0 ||
		    ppi_abs + p.ppi_len > data_abs) {
			nic_proto_error(nic, "PACKET_MSG per-packet info %u+%u, data at %u",
					p.ppi_offset, p.ppi_len, p.data_offset);
			return -EPROTO;
		}
	}
	/* The header (with its per-packet info) must be in the first range. */
	if (data_abs > hdr_room) {
		nic_proto_error(nic, "PACKET_MSG header of %u bytes not in its first range of %u",
				(uint32_t)data_abs, hdr_room);
		return -EPROTO;
	}
	if (parse_ppis(nic, msg + ppi_abs, p.ppi_len, &ppi) < 0)
		return -EPROTO;
	flen = p.data_len;
	/* An inline 802.1Q tag may add 4 bytes to the MTU-sized frame. */
	max = ppi.have_lso ? NETVSP_LSO_MAX_SIZE + nic->mtu : nic->mtu;
	if (flen >= NIC_ETH_HLEN + NIC_VLAN_HLEN &&
	    msg[data_abs + 12] == 0x81 && msg[data_abs + 13] == 0x00)
		max += NIC_VLAN_HLEN;
	if (flen < NIC_ETH_HLEN || flen > max || flen > NETVSP_MAX_TX_MSG) {
		nic_proto_error(nic, "frame of %u bytes (MTU %u%s)", flen, nic->mtu,
				ppi.have_lso ? ", LSO" : "");
		return -EPROTO;
	}
	memcpy(frame, msg + data_abs, flen);
	nic->stats.tx_packets++;
	if (ppi.have_vlan && !(nic->caps & NVSP_CAP_IEEE8021Q))
		nic->stats.tx_offload_unneg++;
	if (ppi.have_lso) {
		bool v6 = ppi.lso & NDIS_LSO_IPV6;
		struct lso_out o = { .c = c, .ppi = &ppi };
		int n;

		if (!(ppi.lso & NDIS_LSO_V2)) {
			nic_proto_error(nic, "LSOv1 request: not offered");
			nic->stats.tx_offload_errors++;
			return -EPROTO;
		}
		if (!(v6 ? nic->lso6 : nic->lso4))
			nic->stats.tx_offload_unneg++;
		n = nic_lso(frame, flen, ppi.lso, nic->mtu, seg, lso_emit, &o);
		if (n < 0) {
			nic_proto_error(nic, "LSO request %#x does not match its %u-byte frame",
					ppi.lso, flen);
			nic->stats.tx_offload_errors++;
			return -EPROTO;
		}
		nic->stats.tx_lso_packets++;
		return 0;
	}
	if (ppi.have_csum) {
		unsigned int done;

		if (csum_unnegotiated(nic, ppi.csum))
			nic->stats.tx_offload_unneg++;
		/* A request that does not fit the frame: the frame goes out
		 * as it is, as hardware would send it, and is counted.
		 */
		if (nic_tx_csum(frame, flen, ppi.csum, &done) < 0) {
			nic->stats.tx_offload_errors++;
			if (sim_verbose)
				nic_log(nic, "checksum request %#x does not match its frame",
					ppi.csum);
		}
		if (done & NIC_DONE_IP)
			nic->stats.tx_csum_ip++;
		if (done & NIC_DONE_TCP)
			nic->stats.tx_csum_tcp++;
		if (done & NIC_DONE_UDP)
			nic->stats.tx_csum_udp++;
	}
	if (ppi.have_vlan) {
		flen = nic_vlan_insert(frame, flen, vlan_tci(ppi.vlan));
		nic->stats.tx_vlan_inserted++;
	}
	nic_wire_tx(c, frame, flen);
	return 0;
}

/* ---- receives ---- */

static bool
filter_accepts(const struct nic *nic, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t i;

	if (nic->filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (memcmp(dst, bcast, 6) == 0)
		return nic->filter & NDIS_PACKET_TYPE_BROADCAST;
	if (dst[0] & 1) {
		if (nic->filter & NDIS_PACKET_TYPE_ALL_MULTICAST)
			return true;
		if (!(nic->filter & NDIS_PACKET_TYPE_MULTICAST))
			return false;
		for (i = 0; i < nic->mcast_count; i++)
			if (memcmp(dst, nic->mcast[i], 6) == 0)
				return true;
		return false;
	}
	return (nic->filter & NDIS_PACKET_TYPE_DIRECTED) && memcmp(dst, nic->mac, 6) == 0;
}

static uint8_t *
put_ppi(uint8_t *p, uint32_t type, uint32_t value)
{
	struct rndis_ppi e = {
		.size = sizeof(e) + sizeof(value),
		.type = type,
		.offset = sizeof(e),
	};

	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), &value, sizeof(value));
	return p + e.size;
}

/* Receive checksums the guest enabled, for this frame's IP version. */
static unsigned int
csum_wanted(const struct nic *nic, const uint8_t *f, uint32_t len)
{
	struct nic_hdrs h;
	unsigned int want = 0;

	if (nic_parse(f, len, &h) < 0)
		return 0;
	if (h.ip_ver == 4) {
		if (csum_rx_on(nic->csum_ip4))
			want |= NIC_DONE_IP;
		if (csum_rx_on(nic->csum_tcp4))
			want |= NIC_DONE_TCP;
		if (csum_rx_on(nic->csum_udp4))
			want |= NIC_DONE_UDP;
	} else if (h.ip_ver == 6) {
		if (csum_rx_on(nic->csum_tcp6))
			want |= NIC_DONE_TCP;
		if (csum_rx_on(nic->csum_udp6))
			want |= NIC_DONE_UDP;
	}
	return want;
}

int
rndis_rx_frame(struct nic *nic, const uint8_t *in, uint32_t len)
{
	static uint8_t f[VSW_MAX_FRAME];
	uint32_t ppi_len, total, hash = 0, hash_type = 0, csum = 0, vlan = 0;
	struct rndis_packet p;
	struct nic_chan *c;
	bool tagged, hashed = false;
	uint8_t *mem, *q;
	unsigned int want;
	uint16_t tci;
	int slot;

	if (!nic->session || !nic->recv_connected || !nic->rndis_ready ||
	    nic->chan[0] == NULL || !rndis_link_state(nic)) {
		nic->stats.rx_dropped_down++;
		return -ENETDOWN;
	}
	tagged = len >= NIC_ETH_HLEN + NIC_VLAN_HLEN && in[12] == 0x81 && in[13] == 0;
	if (len < NIC_ETH_HLEN || len > sizeof(f) ||
	    len > nic->mtu + (tagged ? NIC_VLAN_HLEN : 0)) {
		nic->stats.rx_dropped_size++;
		return -EMSGSIZE;
	}
	if (nic->filter == 0) {
		nic->stats.rx_held++;
		return -ENOSPC;
	}
	if (!filter_accepts(nic, in)) {
		nic->stats.rx_dropped_filter++;
		return -EACCES;
	}
	memcpy(f, in, len);
	/* The host strips the tag for guests that handle 802.1Q. */
	if (tagged && (nic->caps & NVSP_CAP_IEEE8021Q) && nic_vlan_strip(f, &len, &tci)) {
		vlan = NDIS_VLAN_MAKE(tci & 0xfff, tci >> 13, (tci >> 12) & 1);
	} else {
		tagged = false;
	}
	c = nic->chan[0];
	if (nic->rss_on && nic->rss_table_len != 0 &&
	    nic_rss_hash(f, len, nic->rss_hash, nic->rss_key, &hash, &hash_type)) {
		uint32_t idx = nic->rss_table[hash % nic->rss_table_len];

		hashed = true;
		c = nic_chan_get(nic, idx);
		if (c == NULL) {
			nic->stats.rx_rss_fallback++;
			c = nic->chan[0];
		}
	}
	if (hv_chan_queued(c->ch) >= nic->spec->rx_queue_max) {
		nic->stats.rx_held++;
		return -ENOSPC;
	}
	want = csum_wanted(nic, f, len);
	if (want != 0)
		csum = nic_rx_csum(f, len, want);
	slot = nic_slot_get(nic, false, &mem);
	if (slot < 0) {
		nic->stats.rx_held++;
		nic->stats.rx_no_slot++;
		return -ENOSPC;
	}
	ppi_len = (csum != 0 ? 16 : 0) + (tagged ? 16 : 0) +
		  (hashed && nic->spec->hash_ppi ? 32 : 0);
	total = sizeof(p) + ppi_len + len;
	if (total > nic->slot_size) {
		nic_slot_put(nic, (uint32_t)slot);
		nic->stats.rx_dropped_size++;
		return -EMSGSIZE;
	}
	memset(&p, 0, sizeof(p));
	p.type = RNDIS_MSG_PACKET;
	p.len = total;
	p.ppi_offset = ppi_len != 0 ? sizeof(p) - RNDIS_PACKET_OFFSET_BASE : 0;
	p.ppi_len = ppi_len;
	p.data_offset = sizeof(p) + ppi_len - RNDIS_PACKET_OFFSET_BASE;
	p.data_len = len;
	memcpy(mem, &p, sizeof(p));
	q = mem + sizeof(p);
	if (csum != 0)
		q = put_ppi(q, RNDIS_PPI_CSUM, csum);
	if (tagged)
		q = put_ppi(q, RNDIS_PPI_VLAN, vlan);
	if (hashed && nic->spec->hash_ppi) {
		q = put_ppi(q, RNDIS_PPI_HASH_VALUE, hash);
		q = put_ppi(q, RNDIS_PPI_HASH_INFO, hash_type | NDIS_HASH_FUNCTION_TOEPLITZ);
	}
	memcpy(q, f, len);
	if (nic_slot_post(nic, c, (uint32_t)slot, total, false) < 0)
		return -ENOSPC;
	nic->stats.rx_frames++;
	nic->stats.rx_bytes += len + (tagged ? NIC_VLAN_HLEN : 0);
	nic->stats.q[c->index].rx_frames++;
	if (tagged)
		nic->stats.rx_vlan_stripped++;
	if (hashed)
		nic->stats.rx_hashed++;
	if (csum & (NDIS_RXCSUM_IP_FAILED | NDIS_RXCSUM_TCP_FAILED | NDIS_RXCSUM_UDP_FAILED))
		nic->stats.rx_csum_bad++;
	else if (csum != 0)
		nic->stats.rx_csum_ok++;
	return 0;
}
