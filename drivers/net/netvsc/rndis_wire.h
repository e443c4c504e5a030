/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RNDIS messages and the NDIS objects they carry, as exchanged with the
 * Hyper-V host over NetVSP. All fields little-endian. Offsets inside
 * messages are relative to byte 8 (the field after type and length).
 */
#ifndef RNDIS_WIRE_H
#define RNDIS_WIRE_H

#include <stdint.h>

#define RNDIS_MSG_PACKET        0x00000001u
#define RNDIS_MSG_INIT          0x00000002u
#define RNDIS_MSG_HALT          0x00000003u
#define RNDIS_MSG_QUERY         0x00000004u
#define RNDIS_MSG_SET           0x00000005u
#define RNDIS_MSG_RESET         0x00000006u
#define RNDIS_MSG_INDICATE      0x00000007u
#define RNDIS_MSG_KEEPALIVE     0x00000008u
#define RNDIS_MSG_CMPLT         0x80000000u

#define RNDIS_STATUS_SUCCESS            0x00000000u
#define RNDIS_STATUS_MEDIA_CONNECT      0x4001000bu
#define RNDIS_STATUS_MEDIA_DISCONNECT   0x4001000cu
#define RNDIS_STATUS_LINK_SPEED_CHANGE  0x40010013u
#define RNDIS_STATUS_NETWORK_CHANGE     0x40010018u
#define RNDIS_STATUS_OFFLOAD_CONFIG     0x40020006u

/* Offsets count from this byte of a message. */
#define RNDIS_OFFSET_BASE       8u

struct rndis_msg_hdr {
	uint32_t type;
	uint32_t len;
};

/* Data: PACKET_MSG; dataoffset and pktinfooffset count from byte 8. */
struct rndis_packet_msg {
	uint32_t type;
	uint32_t len;
	uint32_t data_offset;
	uint32_t data_len;
	uint32_t oob_offset;
	uint32_t oob_len;
	uint32_t oob_count;
	uint32_t ppi_offset;
	uint32_t ppi_len;
	uint32_t vc_handle;
	uint32_t reserved;
};

/* Per-packet information element; value follows at ppi_offset (12). */
struct rndis_ppi {
	uint32_t size;
	uint32_t type;
	uint32_t offset;
};

#define RNDIS_PPI_CSUM          0
#define RNDIS_PPI_LSO           2
#define RNDIS_PPI_VLAN          6
#define RNDIS_PPI_HASH_VALUE    8
#define RNDIS_PPI_HASH_INFO     9
#define RNDIS_PPI_INTERNAL      0x80000000u

/* TX checksum request bits. */
#define RNDIS_TXCSUM_IPV4       0x00000001u
#define RNDIS_TXCSUM_IPV6       0x00000002u
#define RNDIS_TXCSUM_TCP        0x00000004u
#define RNDIS_TXCSUM_UDP        0x00000008u
#define RNDIS_TXCSUM_IP_HDR     0x00000010u
#define RNDIS_TXCSUM_L4_SHIFT   16

/* RX checksum result bits. */
#define RNDIS_RXCSUM_TCP_BAD    0x01u
#define RNDIS_RXCSUM_UDP_BAD    0x02u
#define RNDIS_RXCSUM_IP_BAD     0x04u
#define RNDIS_RXCSUM_TCP_OK     0x08u
#define RNDIS_RXCSUM_UDP_OK     0x10u
#define RNDIS_RXCSUM_IP_OK      0x20u

/* LSOv2 request: MSS bits 0-19, TCP header offset bits 20-29. */
#define RNDIS_LSO_MSS_MAX       0xfffffu
#define RNDIS_LSO_THOFF_SHIFT   20
#define RNDIS_LSO_THOFF_MAX     0x3ffu
#define RNDIS_LSO_V2            0x40000000u
#define RNDIS_LSO_IPV6          0x80000000u

/* VLAN PPI: priority bits 0-2, CFI bit 3, VLAN id bits 4-15. */
#define RNDIS_VLAN_PRIO(v)      ((v) & 0x7u)
#define RNDIS_VLAN_CFI(v)       (((v) >> 3) & 0x1u)
#define RNDIS_VLAN_ID(v)        (((v) >> 4) & 0xfffu)

/* Control messages. rid: request id, echoed in the completion. */
struct rndis_init_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t ver_major;
	uint32_t ver_minor;
	uint32_t max_xfer;
};

struct rndis_init_comp {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
	uint32_t ver_major;
	uint32_t ver_minor;
	uint32_t dev_flags;
	uint32_t medium;
	uint32_t pkt_max_count;
	uint32_t pkt_max_size;
	uint32_t align_shift;
	uint32_t af_list_offset;
	uint32_t af_list_size;
};

/* QUERY and SET requests; the info buffer follows. */
struct rndis_oid_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t oid;
	uint32_t info_len;
	uint32_t info_offset;  /* from byte 8 */
	uint32_t dev_vc_handle;
};

struct rndis_query_comp {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
	uint32_t info_len;
	uint32_t info_offset;  /* from byte 8 */
};

/* SET, RESET and KEEPALIVE completions. */
struct rndis_status_comp {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
	uint32_t status;
};

struct rndis_halt_req {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
};

struct rndis_keepalive {
	uint32_t type;
	uint32_t len;
	uint32_t rid;
};

struct rndis_indicate {
	uint32_t type;
	uint32_t len;
	uint32_t status;
	uint32_t buf_len;
	uint32_t buf_offset;   /* from byte 8 */
};

/* Object ids. */
#define RNDIS_OID_GEN_MAX_FRAME_SIZE      0x00010106u
#define RNDIS_OID_GEN_LINK_SPEED          0x00010107u
#define RNDIS_OID_GEN_PACKET_FILTER       0x0001010eu
#define RNDIS_OID_GEN_MEDIA_STATUS        0x00010114u
#define RNDIS_OID_GEN_RSS_CAPS            0x00010203u
#define RNDIS_OID_GEN_RSS_PARAMS          0x00010204u
#define RNDIS_OID_802_3_PERM_ADDR         0x01010101u
#define RNDIS_OID_TCP_OFFLOAD_PARAMS      0xfc01020cu
#define RNDIS_OID_TCP_OFFLOAD_HW_CAPS     0xfc01020du

#define RNDIS_MEDIA_CONNECTED             0

/* Packet filter. */
#define RNDIS_FILTER_DIRECTED       0x01u
#define RNDIS_FILTER_MULTICAST      0x02u
#define RNDIS_FILTER_ALL_MULTICAST  0x04u
#define RNDIS_FILTER_BROADCAST      0x08u
#define RNDIS_FILTER_PROMISCUOUS    0x20u

/* NDIS object header. */
struct ndis_obj_hdr {
	uint8_t type;
	uint8_t rev;
	uint16_t size;
};

#define NDIS_OBJ_TYPE_DEFAULT     0x80
#define NDIS_OBJ_TYPE_RSS_CAPS    0x88
#define NDIS_OBJ_TYPE_RSS_PARAMS  0x89
#define NDIS_OBJ_TYPE_OFFLOAD     0xa7

/* RSS capabilities (packed on the wire). */
struct ndis_rss_caps {
	struct ndis_obj_hdr hdr;
	uint32_t caps;
	uint32_t nmsi;
	uint32_t nrxr;
	uint16_t nind;         /* rev 2 */
	uint16_t pad;
} __attribute__((packed));

#define NDIS_RSS_CAP_IPV4       0x100u
#define NDIS_RSS_CAP_IPV6       0x200u
#define NDIS_RSS_CAP_IPV6_EX    0x400u
#define NDIS_RSS_CAP_TOEPLITZ   0x1u

/* RSS parameters (revision 2, 40 bytes, naturally aligned). */
struct ndis_rss_params {
	struct ndis_obj_hdr hdr;
	uint16_t flags;
	uint16_t base_cpu;
	uint32_t hash;
	uint16_t ind_size;     /* bytes */
	uint32_t ind_offset;   /* from the object start */
	uint16_t key_size;
	uint32_t key_offset;
	uint32_t cpu_mask_offset;
	uint32_t cpu_mask_count;
	uint32_t cpu_mask_entry_size;
};

#define NDIS_RSS_PARAMS_REV2    2
#define NDIS_RSS_FLAG_DISABLE   0x10u
#define NDIS_HASH_FUNC_TOEPLITZ 0x00000001u
#define NDIS_HASH_IPV4          0x00000100u
#define NDIS_HASH_TCP_IPV4      0x00000200u
#define NDIS_HASH_IPV6          0x00000400u
#define NDIS_HASH_IPV6_EX       0x00000800u
#define NDIS_HASH_TCP_IPV6      0x00001000u
#define NDIS_HASH_TCP_IPV6_EX   0x00002000u

#define NDIS_RSS_KEY_SIZE       40
#define NDIS_RSS_IND_SIZE       128

/* Offload parameters (set). Values: 0 unchanged, 1 off, 2 TX, 3 RX, 4 both. */
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
	uint32_t flags;        /* offset 16 */
	uint8_t ipsecv2;
	uint8_t ipsecv2_ip4;
	uint8_t rsc_ip4;       /* rev 3 from here */
	uint8_t rsc_ip6;
	uint8_t encap;
	uint8_t encap_types;
};

#define NDIS_OFFLOAD_PARAMS_REV2_SIZE  22
#define NDIS_OFFLOAD_PARAMS_REV3_SIZE  28
#define NDIS_OFFLOAD_CSUM_OFF     1
#define NDIS_OFFLOAD_CSUM_TX      2
#define NDIS_OFFLOAD_CSUM_RX      3
#define NDIS_OFFLOAD_CSUM_TXRX    4
#define NDIS_OFFLOAD_LSOV2_OFF    1
#define NDIS_OFFLOAD_LSOV2_ON     2

/* Hardware offload capabilities (query); only the parts we read. */
struct ndis_offload_caps {
	struct ndis_obj_hdr hdr;
	uint32_t ip4_tx_enc;
	uint32_t ip4_tx_caps;
	uint32_t ip4_rx_enc;
	uint32_t ip4_rx_caps;
	uint32_t ip6_tx_enc;
	uint32_t ip6_tx_caps;
	uint32_t ip6_rx_enc;
	uint32_t ip6_rx_caps;
	uint32_t lsov1[4];
	uint32_t ipsecv1[7];
	uint32_t lsov2_ip4_enc;
	uint32_t lsov2_ip4_maxsz;
	uint32_t lsov2_ip4_minsg;
	uint32_t lsov2_ip6_enc;
	uint32_t lsov2_ip6_maxsz;
	uint32_t lsov2_ip6_minsg;
	uint32_t lsov2_ip6_opts;
	uint32_t flags;
};

#define NDIS_OFFLOAD_CAPS_MIN_SIZE  112
#define NDIS_CSUM_CAP_IP4       0x100u
#define NDIS_CSUM_CAP_TCP4      0x10u
#define NDIS_CSUM_CAP_UDP4      0x40u
#define NDIS_CSUM_CAP_TCP6      0x10u
#define NDIS_CSUM_CAP_UDP6      0x40u

#endif /* RNDIS_WIRE_H */
