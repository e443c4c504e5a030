/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NetVSP (Network Virtual Service Provider protocol) messages, as carried
 * in VMBus packets between the guest and the Hyper-V host. Every message
 * starts with a 32-bit type; bodies are little-endian.
 */
#ifndef NVSP_WIRE_H
#define NVSP_WIRE_H

#include <stdint.h>

/* Protocol versions, newest first is the order to offer them in. */
#define NVSP_VERSION_1      0x00002u
#define NVSP_VERSION_2      0x30002u
#define NVSP_VERSION_4      0x40000u
#define NVSP_VERSION_5      0x50000u
#define NVSP_VERSION_6      0x60000u
#define NVSP_VERSION_61     0x60001u

/* NDIS versions announced with NDIS_INIT. */
#define NVSP_NDIS_VERSION_6_1   0x00060001u
#define NVSP_NDIS_VERSION_6_30  0x0006001eu

/* Message types. */
#define NVSP_MSG_INIT           1
#define NVSP_MSG_INIT_RESP      2
#define NVSP_MSG_NDIS_INIT      100
#define NVSP_MSG_RXBUF_CONN     101
#define NVSP_MSG_RXBUF_CONNRESP 102
#define NVSP_MSG_RXBUF_DISCONN  103
#define NVSP_MSG_CHIM_CONN      104
#define NVSP_MSG_CHIM_CONNRESP  105
#define NVSP_MSG_CHIM_DISCONN   106
#define NVSP_MSG_RNDIS          107
#define NVSP_MSG_RNDIS_ACK      108
#define NVSP_MSG_NDIS_CONF      125
#define NVSP_MSG_VFASSOC        128
#define NVSP_MSG_DATAPATH       129
#define NVSP_MSG_SUBCH          133
#define NVSP_MSG_TXTBL          134

#define NVSP_STATUS_OK          1
#define NVSP_STATUS_FAILED      2

/* Receive/send buffer signatures (GPADL "ids"). */
#define NVSP_RXBUF_SIG          0xcafe
#define NVSP_CHIM_SIG           0xface
#define NVSP_CHIM_IDX_NONE      0xffffffffu

/* NDIS_CONF capabilities. */
#define NVSP_NDIS_CAP_SRIOV     0x4
#define NVSP_NDIS_CAP_VLAN      0x8

#define NVSP_RNDIS_MTYPE_DATA   0
#define NVSP_RNDIS_MTYPE_CTRL   1

#define NVSP_DATAPATH_SYNTHETIC 0
#define NVSP_DATAPATH_VF        1

#define NVSP_SUBCH_OP_ALLOC     1

/*
 * Size of a request: 6.1 hosts expect 40 bytes, older ones 28; 40 is
 * accepted by both (the extra bytes are reserved).
 */
#define NVSP_REQ_SIZE           40

struct nvsp_init {
	uint32_t type;
	uint32_t ver_min;
	uint32_t ver_max;
};

struct nvsp_init_resp {
	uint32_t type;
	uint32_t ver;          /* deprecated */
	uint32_t max_mdl;
	uint32_t status;
};

struct nvsp_ndis_init {
	uint32_t type;
	uint32_t ndis_major;
	uint32_t ndis_minor;
};

struct nvsp_ndis_conf {
	uint32_t type;
	uint32_t mtu;          /* frame size without FCS: MTU + 14 */
	uint32_t reserved;
	uint32_t caps_lo;      /* a u64 at offset 12: not naturally aligned */
	uint32_t caps_hi;
};

struct nvsp_buf_conn {
	uint32_t type;
	uint32_t gpadl;
	uint16_t sig;
} __attribute__((packed));

struct nvsp_buf_disconn {
	uint32_t type;
	uint16_t sig;
} __attribute__((packed));

struct nvsp_rxbuf_section {
	uint32_t start;
	uint32_t slot_size;
	uint32_t slot_count;
	uint32_t end;
};

struct nvsp_rxbuf_resp {
	uint32_t type;
	uint32_t status;
	uint32_t nsect;
	struct nvsp_rxbuf_section sect[];
};

struct nvsp_chim_resp {
	uint32_t type;
	uint32_t status;
	uint32_t sect_size;
};

struct nvsp_rndis {
	uint32_t type;
	uint32_t mtype;
	uint32_t chim_idx;
	uint32_t chim_size;
};

struct nvsp_rndis_ack {
	uint32_t type;
	uint32_t status;
};

struct nvsp_vfassoc {
	uint32_t type;
	uint32_t allocated;
	uint32_t serial;
};

struct nvsp_datapath {
	uint32_t type;
	uint32_t path;
};

struct nvsp_subch_req {
	uint32_t type;
	uint32_t op;
	uint32_t count;
};

struct nvsp_subch_resp {
	uint32_t type;
	uint32_t status;
	uint32_t count;
};

struct nvsp_txtbl {
	uint32_t type;
	uint32_t count;
	uint32_t offset;       /* of the u32 table, from the message start */
};

#define NVSP_TXTBL_MAX  16

#endif /* NVSP_WIRE_H */
