/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RNDIS and the NDIS objects carried in it, as a Hyper-V synthetic NIC
 * speaks them: message layouts, status codes, OIDs, per-packet info
 * (PPI) and the offload/RSS objects of the OIDs.
 *
 * All fields are little endian u32 unless stated. Offsets inside messages
 * are relative, not absolute (see the *_OFFSET_BASE constants). RNDIS
 * messages are packed; the NDIS objects are naturally aligned, except the
 * object header and the RSS capabilities, which are packed.
 */
#ifndef UDRV_RNDIS_PROTO_H
#define UDRV_RNDIS_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* ---- messages ---- */

#define RNDIS_MSG_PACKET        0x00000001u
#define RNDIS_MSG_INIT          0x00000002u
#define RNDIS_MSG_HALT          0x00000003u
#define RNDIS_MSG_QUERY         0x00000004u
#define RNDIS_MSG_SET           0x00000005u
#define RNDIS_MSG_RESET         0x00000006u
#define RNDIS_MSG_INDICATE      0x00000007u
#define RNDIS_MSG_KEEPALIVE     0x00000008u
#define RNDIS_MSG_SET_EX        0x00000009u
#define RNDIS_MSG_COMPLETION    0x80000000u

#define RNDIS_MAJOR_VERSION     1
#define RNDIS_MINOR_VERSION     0

#define RNDIS_STATUS_SUCCESS            0x00000000u
#define RNDIS_STATUS_PENDING            0x00000103u
#define RNDIS_STATUS_MEDIA_CONNECT      0x4001000bu
#define RNDIS_STATUS_MEDIA_DISCONNECT   0x4001000cu
#define RNDIS_STATUS_LINK_SPEED_CHANGE  0x40010013u
#define RNDIS_STATUS_NETWORK_CHANGE     0x40010018u
#define RNDIS_STATUS_FAILURE            0xc0000001u
#define RNDIS_STATUS_INVALID_PARAMETER  0xc000000du
#define RNDIS_STATUS_NOT_SUPPORTED      0xc00000bbu
#define RNDIS_STATUS_INVALID_LENGTH     0xc0010014u
#define RNDIS_STATUS_INVALID_DATA       0xc0010015u
#define RNDIS_STATUS_BUFFER_TOO_SHORT   0xc0010016u

#define RNDIS_DF_CONNECTIONLESS 0x00000001u
#define RNDIS_MEDIUM_802_3      0x00000000u

struct rndis_msg_hdr {
	uint32_t type;
	uint32_t len;
} __attribute__((packed));

struct rndis_packet {
	uint32_t type;
	uint32_t len;
	uint32_t data_offset;           /* from data_offset's own field */
	uint32_t data_len;
	uint32_t oob_offset;
	uint32_t oob_len;
	uint32_t oob_count;
	uint32_t ppi_offset;            /* from data_offset's own field */
	uint32_t ppi_len;
	uint32_t vc_handle;
	uint32_t reserved;
} __attribute__((packed));

/* packet offsets count from here; smallest legal data/PPI offset */
#define RNDIS_PACKET_OFFSET_BASE  offsetof(struct rndis_packet, data_offset)
#define RNDIS_PACKET_OFFSET_MIN \
	(sizeof(struct rndis_packet) - RNDIS_PACKET_OFFSET_BASE)

struct rndis_init_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t major;
	uint32_t minor;
	uint32_t max_xfer_size;
} __attribute__((packed));

struct rndis_init_cmplt {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
	uint32_t major;
	uint32_t minor;
	uint32_t dev_flags;
	uint32_t medium;
	uint32_t max_pkts;              /* aggregation: packets per message */
	uint32_t max_xfer_size;         /* aggregation: bytes per message */
	uint32_t align_shift;           /* aggregation: log2 alignment */
	uint32_t af_list_offset;
	uint32_t af_list_size;
} __attribute__((packed));

/* QUERY and SET requests */
struct rndis_oid_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t oid;
	uint32_t info_len;
	uint32_t info_offset;           /* from rid */
	uint32_t dev_vc_handle;
} __attribute__((packed));

struct rndis_query_cmplt {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
	uint32_t info_len;
	uint32_t info_offset;           /* from rid */
} __attribute__((packed));

/* SET, RESET and KEEPALIVE completions share the first fields */
struct rndis_status_cmplt {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
} __attribute__((packed));

/* HALT, RESET and KEEPALIVE requests */
struct rndis_rid_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
} __attribute__((packed));

struct rndis_indicate {
	uint32_t type;
	uint32_t len;
	uint32_t status;
	uint32_t buf_len;
	uint32_t buf_offset;            /* from status */
} __attribute__((packed));

#define RNDIS_OID_OFFSET_BASE   offsetof(struct rndis_oid_req, rid)

/* OID_GEN_RNDIS_CONFIG_PARAMETER value */
struct rndis_config_param {
	uint32_t name_offset;           /* from this struct */
	uint32_t name_len;              /* bytes, UTF-16 */
	uint32_t type;                  /* 0 numeric, 2 string */
	uint32_t value_offset;
	uint32_t value_len;
} __attribute__((packed));

/* ---- OIDs ---- */

#define OID_GEN_SUPPORTED_LIST          0x00010101u
#define OID_GEN_HARDWARE_STATUS         0x00010102u
#define OID_GEN_MEDIA_SUPPORTED         0x00010103u
#define OID_GEN_MEDIA_IN_USE            0x00010104u
#define OID_GEN_MAXIMUM_LOOKAHEAD       0x00010105u
#define OID_GEN_MAXIMUM_FRAME_SIZE      0x00010106u
#define OID_GEN_LINK_SPEED              0x00010107u
#define OID_GEN_TRANSMIT_BLOCK_SIZE     0x0001010au
#define OID_GEN_RECEIVE_BLOCK_SIZE      0x0001010bu
#define OID_GEN_VENDOR_ID               0x0001010cu
#define OID_GEN_VENDOR_DESCRIPTION      0x0001010du
#define OID_GEN_CURRENT_PACKET_FILTER   0x0001010eu
#define OID_GEN_CURRENT_LOOKAHEAD       0x0001010fu
#define OID_GEN_MAXIMUM_TOTAL_SIZE      0x00010111u
#define OID_GEN_MAC_OPTIONS             0x00010113u
#define OID_GEN_MEDIA_CONNECT_STATUS    0x00010114u
#define OID_GEN_MAXIMUM_SEND_PACKETS    0x00010115u
#define OID_GEN_VENDOR_DRIVER_VERSION   0x00010116u
#define OID_GEN_NETWORK_LAYER_ADDRESSES 0x00010118u
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES 0x00010203u
#define OID_GEN_RECEIVE_SCALE_PARAMETERS 0x00010204u
#define OID_GEN_RNDIS_CONFIG_PARAMETER  0x0001021bu
#define OID_802_3_PERMANENT_ADDRESS     0x01010101u
#define OID_802_3_CURRENT_ADDRESS       0x01010102u
#define OID_802_3_MULTICAST_LIST        0x01010103u
#define OID_802_3_MAXIMUM_LIST_SIZE     0x01010104u
#define OID_TCP_OFFLOAD_PARAMETERS      0xfc01020cu
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES 0xfc01020du

#define NDIS_MEDIA_STATE_CONNECTED      0
#define NDIS_MEDIA_STATE_DISCONNECTED   1

/* OID_GEN_CURRENT_PACKET_FILTER */
#define NDIS_PACKET_TYPE_DIRECTED       0x00000001u
#define NDIS_PACKET_TYPE_MULTICAST      0x00000002u
#define NDIS_PACKET_TYPE_ALL_MULTICAST  0x00000004u
#define NDIS_PACKET_TYPE_BROADCAST      0x00000008u
#define NDIS_PACKET_TYPE_PROMISCUOUS    0x00000020u

/* ---- per-packet info ---- */

struct rndis_ppi {
	uint32_t size;                  /* whole element, 4-aligned */
	uint32_t type;
	uint32_t offset;                /* of the value, from the element */
} __attribute__((packed));

#define RNDIS_PPI_CSUM          0
#define RNDIS_PPI_LSO           2
#define RNDIS_PPI_VLAN          6
#define RNDIS_PPI_HASH_VALUE    8
#define RNDIS_PPI_HASH_INFO     9
#define RNDIS_PPI_INTERNAL      0x80000000u /* Linux: RSC PPIs */

/* transmit checksum request */
#define NDIS_TXCSUM_IPV4        0x00000001u
#define NDIS_TXCSUM_IPV6        0x00000002u
#define NDIS_TXCSUM_TCP         0x00000004u
#define NDIS_TXCSUM_UDP         0x00000008u
#define NDIS_TXCSUM_IP          0x00000010u
#define NDIS_TXCSUM_THOFF_SHIFT 16
#define NDIS_TXCSUM_THOFF_MASK  0x3ffu
#define NDIS_TXCSUM_KNOWN       0x03ff001fu

/* receive checksum result */
#define NDIS_RXCSUM_TCP_FAILED  0x0001u
#define NDIS_RXCSUM_UDP_FAILED  0x0002u
#define NDIS_RXCSUM_IP_FAILED   0x0004u
#define NDIS_RXCSUM_TCP_OK      0x0008u
#define NDIS_RXCSUM_UDP_OK      0x0010u
#define NDIS_RXCSUM_IP_OK       0x0020u

/* LSO (v2 when bit 30 is set) */
#define NDIS_LSO_MSS_MASK       0x000fffffu
#define NDIS_LSO_THOFF_SHIFT    20
#define NDIS_LSO_THOFF_MASK     0x3ffu
#define NDIS_LSO_V2             0x40000000u
#define NDIS_LSO_IPV6           0x80000000u

/* VLAN: priority bits 0-2, CFI/DEI bit 3, VLAN id bits 4-15 */
#define NDIS_VLAN_PRI(v)        ((v) & 0x7u)
#define NDIS_VLAN_CFI(v)        (((v) >> 3) & 0x1u)
#define NDIS_VLAN_ID(v)         (((v) >> 4) & 0xfffu)
#define NDIS_VLAN_MAKE(id, pri, cfi) \
	(((uint32_t)(id) << 4) | ((uint32_t)(cfi) << 3) | (uint32_t)(pri))

/* ---- NDIS objects ---- */

#define NDIS_OBJ_DEFAULT        0x80
#define NDIS_OBJ_RSS_CAPS       0x88
#define NDIS_OBJ_RSS_PARAMS     0x89
#define NDIS_OBJ_OFFLOAD        0xa7

struct ndis_obj_hdr {
	uint8_t type;
	uint8_t rev;
	uint16_t size;
} __attribute__((packed));

/* OID_TCP_OFFLOAD_PARAMETERS */
struct ndis_offload_params {
	struct ndis_obj_hdr hdr;
	uint8_t ip4_csum;
	uint8_t tcp4_csum;
	uint8_t udp4_csum;
	uint8_t tcp6_csum;
	uint8_t udp6_csum;
	uint8_t lsov1;
	uint8_t ipsecv1;
	uint8_t lsov2_ip4;
	uint8_t lsov2_ip6;
	uint8_t tcp4_conn;
	uint8_t tcp6_conn;
	uint32_t flags;
	/* rev 2 (NDIS 6.1) */
	uint8_t ipsecv2;
	uint8_t ipsecv2_ip4;
	/* rev 3 (NDIS 6.30) */
	uint8_t rsc_ip4;
	uint8_t rsc_ip6;
	uint8_t encap;
	uint8_t encap_types;
};

#define NDIS_OFFLOAD_PARAMS_SIZE_1  offsetof(struct ndis_offload_params, ipsecv2)
#define NDIS_OFFLOAD_PARAMS_SIZE_2  offsetof(struct ndis_offload_params, rsc_ip4)
#define NDIS_OFFLOAD_PARAMS_SIZE_3  sizeof(struct ndis_offload_params)

/* checksum parameter values */
#define NDIS_OFFLOAD_NO_CHANGE  0
#define NDIS_OFFLOAD_OFF        1
#define NDIS_OFFLOAD_TX         2
#define NDIS_OFFLOAD_RX         3
#define NDIS_OFFLOAD_TXRX       4
/* LSO parameter values */
#define NDIS_OFFLOAD_LSO_OFF    1
#define NDIS_OFFLOAD_LSO_ON     2

/* OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES */
struct ndis_csum_caps {
	uint32_t ip4_tx_encap;
	uint32_t ip4_tx;
	uint32_t ip4_rx_encap;
	uint32_t ip4_rx;
	uint32_t ip6_tx_encap;
	uint32_t ip6_tx;
	uint32_t ip6_rx_encap;
	uint32_t ip6_rx;
};

#define NDIS_CSUM_CAP_IP_OPTS   0x001u   /* v4 options / v6 extension headers */
#define NDIS_CSUM_CAP_TCP_OPTS  0x004u
#define NDIS_CSUM_CAP_TCP       0x010u
#define NDIS_CSUM_CAP_UDP       0x040u
#define NDIS_CSUM_CAP_IP        0x100u   /* v4 header checksum */

struct ndis_lsov1_caps {
	uint32_t encap;
	uint32_t max_size;
	uint32_t min_segs;
	uint32_t opts;
};

struct ndis_ipsecv1_caps {
	uint32_t encap;
	uint32_t ah_esp;
	uint32_t xport_tun;
	uint32_t ip4_opts;
	uint32_t flags;
	uint32_t ip4_ah;
	uint32_t ip4_esp;
};

struct ndis_lsov2_caps {
	uint32_t ip4_encap;
	uint32_t ip4_max_size;
	uint32_t ip4_min_segs;
	uint32_t ip6_encap;
	uint32_t ip6_max_size;
	uint32_t ip6_min_segs;
	uint32_t ip6_opts;
};

#define NDIS_LSOV2_CAP_IP6_EXT  0x001u
#define NDIS_LSOV2_CAP_TCP6_OPTS 0x004u

struct ndis_ipsecv2_caps {
	uint32_t encap;
	uint8_t ip6;
	uint8_t ip4_opts;
	uint8_t ip6_ext;
	uint8_t ah;
	uint8_t esp;
	uint8_t ah_esp;
	uint8_t xport;
	uint8_t tun;
	uint8_t xport_tun;
	uint8_t lso;
	uint8_t ext_seq;
	uint32_t udp_esp;
	uint32_t auth;
	uint32_t crypto;
	uint32_t sa_caps;
};

struct ndis_rsc_caps {
	uint8_t ip4;
	uint8_t ip6;
};

struct ndis_encap_caps {
	uint32_t flags;
	uint32_t max_hdr;
};

struct ndis_offload_caps {
	struct ndis_obj_hdr hdr;
	struct ndis_csum_caps csum;
	struct ndis_lsov1_caps lsov1;
	struct ndis_ipsecv1_caps ipsecv1;
	struct ndis_lsov2_caps lsov2;
	uint32_t flags;
	/* rev 2 (NDIS 6.1) */
	struct ndis_ipsecv2_caps ipsecv2;
	/* rev 3 (NDIS 6.30) */
	struct ndis_rsc_caps rsc;
	struct ndis_encap_caps encap_gre;
};

#define NDIS_OFFLOAD_CAPS_SIZE_1 offsetof(struct ndis_offload_caps, ipsecv2)
#define NDIS_OFFLOAD_CAPS_SIZE_2 offsetof(struct ndis_offload_caps, rsc)
#define NDIS_OFFLOAD_CAPS_SIZE_3 sizeof(struct ndis_offload_caps)

#define NDIS_ENCAP_IEEE_802_3   0x0002u

/* OID_GEN_RECEIVE_SCALE_CAPABILITIES */
struct ndis_rss_caps {
	struct ndis_obj_hdr hdr;
	uint32_t caps;
	uint32_t num_msi;
	uint32_t num_queues;
	/* rev 2 (NDIS 6.30) */
	uint16_t num_ind_entries;
	uint16_t pad;
} __attribute__((packed));

/* rev 2 ends with the table size: the trailing pad is not counted */
#define NDIS_RSS_CAPS_SIZE_1    offsetof(struct ndis_rss_caps, num_ind_entries)
#define NDIS_RSS_CAPS_SIZE_2    offsetof(struct ndis_rss_caps, pad)

/* capability flags: hash types the NIC can compute */
#define NDIS_RSS_CAP_MSI            0x01000000u
#define NDIS_RSS_CAP_CLASSIFY_ISR   0x02000000u
#define NDIS_RSS_CAP_CLASSIFY_DPC   0x04000000u
#define NDIS_RSS_CAP_MSIX           0x08000000u
#define NDIS_RSS_CAP_HASH_TCP_IPV4  0x00000100u
#define NDIS_RSS_CAP_HASH_TCP_IPV6  0x00000200u
#define NDIS_RSS_CAP_HASH_TCP_IPV6_EX 0x00000400u

/* OID_GEN_RECEIVE_SCALE_PARAMETERS; offsets count from the object */
struct ndis_rss_params {
	struct ndis_obj_hdr hdr;
	uint16_t flags;
	uint16_t base_cpu;
	uint32_t hash;                  /* function | types */
	uint16_t table_size;            /* bytes */
	uint32_t table_offset;
	uint16_t key_size;
	uint32_t key_offset;
	/* rev 2 (NDIS 6.20) */
	uint32_t cpu_mask_offset;
	uint32_t cpu_mask_count;
	uint32_t cpu_mask_entry_size;
};

#define NDIS_RSS_PARAMS_SIZE_1  offsetof(struct ndis_rss_params, cpu_mask_offset)
#define NDIS_RSS_PARAMS_SIZE_2  sizeof(struct ndis_rss_params)

#define NDIS_RSS_FLAG_BASE_CPU_UNCHANGED 0x0001u
#define NDIS_RSS_FLAG_HASH_UNCHANGED     0x0002u
#define NDIS_RSS_FLAG_TABLE_UNCHANGED    0x0004u
#define NDIS_RSS_FLAG_KEY_UNCHANGED      0x0008u
#define NDIS_RSS_FLAG_DISABLE            0x0010u

#define NDIS_HASH_FUNCTION_MASK     0x000000ffu
#define NDIS_HASH_FUNCTION_TOEPLITZ 0x00000001u
#define NDIS_HASH_TYPE_MASK         0x00ffff00u
#define NDIS_HASH_IPV4              0x00000100u
#define NDIS_HASH_TCP_IPV4          0x00000200u
#define NDIS_HASH_IPV6              0x00000400u
#define NDIS_HASH_IPV6_EX           0x00000800u
#define NDIS_HASH_TCP_IPV6          0x00001000u
#define NDIS_HASH_TCP_IPV6_EX       0x00002000u

#define NDIS_RSS_KEY_SIZE       40
#define NDIS_RSS_TABLE_MAX      128

_Static_assert(sizeof(struct rndis_packet) == 44, "PACKET_MSG layout");
_Static_assert(RNDIS_PACKET_OFFSET_MIN == 36, "PACKET_MSG minimum offset");
_Static_assert(sizeof(struct rndis_init_cmplt) == 52, "INIT_CMPLT layout");
_Static_assert(sizeof(struct ndis_offload_params) == 28, "offload params rev 3");
_Static_assert(NDIS_OFFLOAD_PARAMS_SIZE_2 == 22, "offload params rev 2");
_Static_assert(offsetof(struct ndis_offload_params, flags) == 16,
	       "offload params flags");
_Static_assert(NDIS_OFFLOAD_CAPS_SIZE_1 == 112, "offload caps rev 1");
_Static_assert(NDIS_OFFLOAD_CAPS_SIZE_2 == 144, "offload caps rev 2");
_Static_assert(NDIS_OFFLOAD_CAPS_SIZE_3 == 156, "offload caps rev 3");
_Static_assert(NDIS_RSS_CAPS_SIZE_2 == 18, "RSS caps rev 2");
_Static_assert(NDIS_RSS_CAPS_SIZE_1 == 16, "RSS caps rev 1");
_Static_assert(sizeof(struct ndis_rss_params) == 40, "RSS params rev 2");
_Static_assert(NDIS_RSS_PARAMS_SIZE_1 == 28, "RSS params rev 1");

#endif /* UDRV_RNDIS_PROTO_H */
