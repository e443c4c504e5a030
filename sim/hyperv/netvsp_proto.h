/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVSP, the network VSP protocol: the messages a netvsc guest and the host
 * exchange in VMBus packets on a synthetic NIC's channels, and the
 * transfer-page header the host uses to hand over receive-buffer ranges.
 *
 * All fields are little endian and every struct is packed. Every message
 * starts with a u32 type. Payloads are 28 bytes for versions before 6.1
 * and 40 bytes from 6.1 on; the structs below hold only the used fields,
 * senders pad with zeros.
 */
#ifndef UDRV_NETVSP_PROTO_H
#define UDRV_NETVSP_PROTO_H

#include <stdint.h>

/* Versions, major << 16 | minor. */
#define NVSP_V1                 0x00002u
#define NVSP_V2                 0x30002u
#define NVSP_V4                 0x40000u
#define NVSP_V5                 0x50000u
#define NVSP_V6                 0x60000u
#define NVSP_V61                0x60001u

#define NVSP_MSG_SIZE_V1        28u
#define NVSP_MSG_SIZE_V61       40u

/* NDIS versions a guest announces, major << 16 | minor. */
#define NVSP_NDIS_6_0           0x00060000u
#define NVSP_NDIS_6_1           0x00060001u
#define NVSP_NDIS_6_20          0x00060014u
#define NVSP_NDIS_6_30          0x0006001eu

enum nvsp_msg_type {
	NVSP_MSG_INIT = 1,
	NVSP_MSG_INIT_COMPLETE = 2,
	/* version 1 */
	NVSP_MSG1_NDIS_VERSION = 100,
	NVSP_MSG1_RECV_BUF = 101,
	NVSP_MSG1_RECV_BUF_COMPLETE = 102,
	NVSP_MSG1_REVOKE_RECV_BUF = 103,
	NVSP_MSG1_SEND_BUF = 104,
	NVSP_MSG1_SEND_BUF_COMPLETE = 105,
	NVSP_MSG1_REVOKE_SEND_BUF = 106,
	NVSP_MSG1_RNDIS_PACKET = 107,
	NVSP_MSG1_RNDIS_PACKET_COMPLETE = 108,
	/* version 2 */
	NVSP_MSG2_NDIS_CONFIG = 125,
	/* version 4 */
	NVSP_MSG4_VF_ASSOCIATION = 128,
	NVSP_MSG4_SWITCH_DATA_PATH = 129,
	/* version 5 */
	NVSP_MSG5_SUBCHANNEL = 133,
	NVSP_MSG5_SEND_INDIRECTION_TABLE = 134,
};

enum nvsp_status {
	NVSP_STATUS_NONE = 0,
	NVSP_STATUS_SUCCESS = 1,
	NVSP_STATUS_FAILURE = 2,
};

/* The receive and send buffer ids guests use (Linux sends 0 for send). */
#define NVSP_RECV_BUF_ID        0xcafe
#define NVSP_SEND_BUF_ID        0xface
#define NVSP_NO_SECTION         0xffffffffu

/* NVSP_MSG1_RNDIS_PACKET channel_type */
#define NVSP_RNDIS_DATA         0
#define NVSP_RNDIS_CONTROL      1

/* NDIS_CONFIG capabilities (a u64 bit field). */
#define NVSP_CAP_VMQ            0x01u
#define NVSP_CAP_CHIMNEY        0x02u
#define NVSP_CAP_SRIOV          0x04u
#define NVSP_CAP_IEEE8021Q      0x08u
#define NVSP_CAP_CORRELATION_ID 0x10u
#define NVSP_CAP_TEAMING        0x20u
#define NVSP_CAP_VSID           0x40u
#define NVSP_CAP_RSC            0x80u

/* MTU as NDIS_CONFIG carries it: the frame size without FCS or tag. */
#define NVSP_MTU_MIN            1514u
#define NVSP_MTU_MAX            (9216u + 14u)
#define NVSP_MTU_DEFAULT        1514u

#define NVSP_DATA_PATH_SYNTHETIC 0
#define NVSP_DATA_PATH_VF       1

#define NVSP_SUBCH_ALLOCATE     1

/* Entries of the send indirection table the host gives the guest. */
#define NVSP_SEND_TABLE_SIZE    16

/* Max MDL chain length the host announces in INIT_COMPLETE. */
#define NVSP_MAX_MDL_CHAIN      34

/* Transaction ids of host-initiated requests with completion. */
#define NVSP_TID_VF_ASSOCIATION 0x8000000000000000ull
#define NVSP_TID_SWITCH_DATA_PATH 0x8000000000000001ull

struct nvsp_hdr {
	uint32_t type;
} __attribute__((packed));

struct nvsp_init {
	uint32_t type;
	uint32_t ver_min;
	uint32_t ver_max;
} __attribute__((packed));

struct nvsp_init_complete {
	uint32_t type;
	uint32_t deprecated;            /* negotiated version for V1 only */
	uint32_t max_mdl_chain;
	uint32_t status;
} __attribute__((packed));

struct nvsp_ndis_version {
	uint32_t type;
	uint32_t major;
	uint32_t minor;
} __attribute__((packed));

struct nvsp_ndis_config {
	uint32_t type;
	uint32_t mtu;
	uint32_t reserved;
	uint64_t caps;
} __attribute__((packed));

/* NVSP_MSG1_RECV_BUF and NVSP_MSG1_SEND_BUF */
struct nvsp_buf {
	uint32_t type;
	uint32_t gpadl;
	uint16_t id;
	uint16_t reserved;
} __attribute__((packed));

struct nvsp_recv_section {
	uint32_t offset;
	uint32_t sub_alloc_size;
	uint32_t sub_alloc_count;
	uint32_t end_offset;
} __attribute__((packed));

struct nvsp_recv_buf_complete {
	uint32_t type;
	uint32_t status;
	uint32_t num_sections;
	struct nvsp_recv_section section;
} __attribute__((packed));

struct nvsp_send_buf_complete {
	uint32_t type;
	uint32_t status;
	uint32_t section_size;
} __attribute__((packed));

/* NVSP_MSG1_REVOKE_RECV_BUF and NVSP_MSG1_REVOKE_SEND_BUF */
struct nvsp_revoke_buf {
	uint32_t type;
	uint16_t id;
} __attribute__((packed));

struct nvsp_rndis_packet {
	uint32_t type;
	uint32_t channel_type;
	uint32_t section_index;
	uint32_t section_size;
} __attribute__((packed));

struct nvsp_rndis_complete {
	uint32_t type;
	uint32_t status;
} __attribute__((packed));

struct nvsp_vf_association {
	uint32_t type;
	uint32_t allocated;
	uint32_t serial;
} __attribute__((packed));

struct nvsp_switch_data_path {
	uint32_t type;
	uint32_t active_path;
} __attribute__((packed));

struct nvsp_subchannel {
	uint32_t type;
	uint32_t op;
	uint32_t count;
} __attribute__((packed));

struct nvsp_subchannel_complete {
	uint32_t type;
	uint32_t status;
	uint32_t count;
} __attribute__((packed));

/* The table (count u32 channel indexes) sits offset bytes from type. */
struct nvsp_send_table {
	uint32_t type;
	uint32_t count;
	uint32_t offset;
} __attribute__((packed));

/* VMBus transfer-page packet (type 7) header after the descriptor. */
struct nvsp_xfer_hdr {
	uint16_t pageset_id;            /* NVSP_RECV_BUF_ID */
	uint8_t sender_owns;
	uint8_t reserved;
	uint32_t range_count;
} __attribute__((packed));

struct nvsp_xfer_range {
	uint32_t byte_count;
	uint32_t byte_offset;
} __attribute__((packed));

_Static_assert(sizeof(struct nvsp_ndis_config) == 20, "NDIS_CONFIG layout");
_Static_assert(sizeof(struct nvsp_recv_buf_complete) == NVSP_MSG_SIZE_V1,
	       "RECV_BUF_COMPLETE fills a V1 message");
_Static_assert(sizeof(struct nvsp_xfer_hdr) == 8, "transfer-page header");

#endif /* UDRV_NETVSP_PROTO_H */
