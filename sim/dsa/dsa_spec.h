/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel DSA hardware definitions used by the model: descriptor, completion
 * record, opcodes, flags, status codes, registers and commands.
 *
 * Source: Intel Data Streaming Accelerator Architecture Specification
 * (341204, rev 3.0), chapters 5, 8 and 9; names follow the spec.
 */
#ifndef UDRV_DSA_SPEC_H
#define UDRV_DSA_SPEC_H

#include <stdint.h>

/* ---- descriptor (spec 8.1) ---- */

struct dsa_desc {
	uint32_t pasid_priv;           /* 19:0 PASID, 31 Priv */
	uint32_t flags_op;             /* 23:0 flags, 31:24 operation */
	uint64_t completion_addr;
	uint64_t src;                  /* or pattern, descriptor list, readback 1 */
	uint64_t dst;                  /* or source 2, pattern, readback 2 */
	uint32_t xfer_size;            /* or descriptor count */
	uint16_t int_handle;
	uint16_t rsvd1;
	uint8_t op_specific[24];       /* bytes 40..63 */
};

_Static_assert(sizeof(struct dsa_desc) == 64, "descriptor is 64 bytes");

#define DSA_DESC_OP(d)        ((d)->flags_op >> 24)
#define DSA_DESC_FLAGS(d)     ((d)->flags_op & 0xffffffu)

/* Operations (spec table 8-2). */
enum dsa_opcode {
	DSA_OP_NOOP = 0x00,
	DSA_OP_BATCH = 0x01,
	DSA_OP_DRAIN = 0x02,
	DSA_OP_MEMMOVE = 0x03,
	DSA_OP_FILL = 0x04,
	DSA_OP_COMPARE = 0x05,
	DSA_OP_COMPVAL = 0x06,         /* compare pattern */
	DSA_OP_CR_DELTA = 0x07,
	DSA_OP_AP_DELTA = 0x08,
	DSA_OP_DUALCAST = 0x09,
	DSA_OP_CRCGEN = 0x10,
	DSA_OP_COPY_CRC = 0x11,
	DSA_OP_DIF_CHECK = 0x12,
	DSA_OP_DIF_INS = 0x13,
	DSA_OP_DIF_STRP = 0x14,
	DSA_OP_DIF_UPDT = 0x15,
	DSA_OP_CFLUSH = 0x20,
};

/* Flags (spec table 8-3). */
#define DSA_FLAG_FENCE        (1u << 0)
#define DSA_FLAG_BOF          (1u << 1)
#define DSA_FLAG_CRAV         (1u << 2)
#define DSA_FLAG_RCR          (1u << 3)
#define DSA_FLAG_RCI          (1u << 4)
#define DSA_FLAG_CC3          (1u << 5)
#define DSA_FLAG_CR           (1u << 7)  /* check result */
#define DSA_FLAG_CC1          (1u << 8)  /* cache control: write to cache */
#define DSA_FLAG_ADDR1_TCS    (1u << 9)
#define DSA_FLAG_ADDR2_TCS    (1u << 10)
#define DSA_FLAG_ADDR3_TCS    (1u << 11)
#define DSA_FLAG_CR_TCS       (1u << 12)
#define DSA_FLAG_STORD        (1u << 13)
#define DSA_FLAG_CC2          (1u << 14)
/* Operation-specific flags, bits 23:16. */
#define DSA_FLAG_FILL16       (1u << 18) /* fill: 16-byte pattern */
#define DSA_FLAG_CRC_SEED_ADDR (1u << 16) /* CRC: read the seed from memory */
#define DSA_FLAG_DRAIN_RB1    (1u << 16)
#define DSA_FLAG_DRAIN_RB2    (1u << 17)

/* ---- completion record (spec 8.2) ---- */

struct dsa_completion {
	uint8_t status;                /* 5:0 status, 7 R/W of a fault */
	uint8_t result;
	uint8_t fault_info;
	uint8_t rsvd;
	uint32_t bytes_completed;      /* descriptors completed for a batch */
	uint64_t fault_addr;
	union {
		uint32_t invalid_flags;    /* 23:0, status 0x11 */
		uint32_t crc_val;          /* CRC generation, copy with CRC */
	};
	uint8_t op_specific[12];
};

_Static_assert(sizeof(struct dsa_completion) == 32, "completion record is 32 bytes");

#define DSA_COMP_WRITE_FAULT  0x80

/* Completion status codes (spec table 5-6). */
enum dsa_status {
	DSA_COMP_NONE = 0x00,
	DSA_COMP_SUCCESS = 0x01,
	DSA_COMP_SUCCESS_PRED = 0x02,
	DSA_COMP_PAGE_FAULT_NOBOF = 0x03,
	DSA_COMP_PAGE_FAULT_IR = 0x04,
	DSA_COMP_BATCH_FAIL = 0x05,
	DSA_COMP_BATCH_PAGE_FAULT = 0x06,
	DSA_COMP_DR_OFFSET_NOINC = 0x07,
	DSA_COMP_DR_OFFSET_ERANGE = 0x08,
	DSA_COMP_DIF_ERR = 0x09,
	DSA_COMP_BAD_OPCODE = 0x10,
	DSA_COMP_INVALID_FLAGS = 0x11,
	DSA_COMP_NOZERO_RESERVE = 0x12,
	DSA_COMP_XFER_ERANGE = 0x13,
	DSA_COMP_DESC_CNT_ERANGE = 0x14,
	DSA_COMP_DR_ERANGE = 0x15,
	DSA_COMP_OVERLAP_BUFFERS = 0x16,
	DSA_COMP_DCAST_ERR = 0x17,
	DSA_COMP_DESCLIST_ALIGN = 0x18,
	DSA_COMP_INT_HANDLE_INVAL = 0x19,
	DSA_COMP_CRA_XLAT = 0x1a,
	DSA_COMP_CRA_ALIGN = 0x1b,
	DSA_COMP_ADDR_ALIGN = 0x1c,
	DSA_COMP_PRIV_BAD = 0x1d,
	DSA_COMP_TRAFFIC_CLASS_CONF = 0x1e,
	DSA_COMP_PFAULT_RDBA = 0x1f,
	DSA_COMP_HW_ERR1 = 0x20,
	DSA_COMP_HW_ERR_DRB = 0x21,
	DSA_COMP_TRANSLATION_FAIL = 0x22,
};

/* Software errors that are not descriptor errors (spec table 5-7). */
#define DSA_SWERR_CMD_ACTIVE  0x52
#define DSA_SWERR_DWQ_FULL    0x53

/* ---- registers (spec 9.2) ---- */

#define DSA_REG_VERSION       0x00
#define DSA_REG_GENCAP        0x10
#define DSA_REG_WQCAP         0x20
#define DSA_REG_GRPCAP        0x30
#define DSA_REG_ENGCAP        0x38
#define DSA_REG_OPCAP         0x40   /* 4 x 64 bits */
#define DSA_REG_OFFSETS       0x60   /* 2 x 64 bits */
#define DSA_REG_GENCFG        0x80
#define DSA_REG_GENCTRL       0x88
#define DSA_REG_GENSTS        0x90
#define DSA_REG_INTCAUSE      0x98
#define DSA_REG_CMD           0xa0
#define DSA_REG_CMDSTATUS     0xa8
#define DSA_REG_CMDCAP        0xb0
#define DSA_REG_SWERR         0xc0   /* 4 x 64 bits */

/* GENCAP fields. */
#define DSA_GENCAP_BOF            (1ull << 0)
#define DSA_GENCAP_OVERLAP_COPY   (1ull << 1)
#define DSA_GENCAP_CACHE_CTRL_MEM (1ull << 2)
#define DSA_GENCAP_CACHE_CTRL_CACHE (1ull << 3)
#define DSA_GENCAP_CMDCAP         (1ull << 4)
#define DSA_GENCAP_DEST_READBACK  (1ull << 8)
#define DSA_GENCAP_DRAIN_READBACK (1ull << 9)
#define DSA_GENCAP_FILL16         (1ull << 10)
#define DSA_GENCAP_MAX_XFER_SHIFT 16     /* 20:16 */
#define DSA_GENCAP_MAX_BATCH_SHIFT 21    /* 24:21 */
#define DSA_GENCAP_IMS_SHIFT      25     /* 30:25, x256 */
#define DSA_GENCAP_CONFIGURABLE   (1ull << 31)

/* WQCAP fields. */
#define DSA_WQCAP_TOTAL_MASK      0xffffull
#define DSA_WQCAP_NUM_SHIFT       16
#define DSA_WQCAP_CFG_SIZE_SHIFT  24
#define DSA_WQCAP_SHARED          (1ull << 48)
#define DSA_WQCAP_DEDICATED       (1ull << 49)
#define DSA_WQCAP_ATS_DISABLE     (1ull << 50)
#define DSA_WQCAP_PRIORITY        (1ull << 51)
#define DSA_WQCAP_OCCUPANCY       (1ull << 52)

/* GENSTS state. */
#define DSA_GENSTS_DISABLED   0
#define DSA_GENSTS_ENABLED    1
#define DSA_GENSTS_DRAINING   2
#define DSA_GENSTS_HALTED     3

/* CMD register: 31 interrupt request, 24:20 command, 19:0 operand. */
#define DSA_CMD_SHIFT         20
#define DSA_CMD_INT_REQ       (1u << 31)

enum dsa_cmd {
	DSA_CMD_ENABLE_DEVICE = 1,
	DSA_CMD_DISABLE_DEVICE = 2,
	DSA_CMD_DRAIN_ALL = 3,
	DSA_CMD_ABORT_ALL = 4,
	DSA_CMD_RESET_DEVICE = 5,
	DSA_CMD_ENABLE_WQ = 6,
	DSA_CMD_DISABLE_WQ = 7,
	DSA_CMD_DRAIN_WQ = 8,
	DSA_CMD_ABORT_WQ = 9,
	DSA_CMD_RESET_WQ = 10,
	DSA_CMD_DRAIN_PASID = 11,
	DSA_CMD_ABORT_PASID = 12,
	DSA_CMD_REQUEST_INT_HANDLE = 13,
	DSA_CMD_RELEASE_INT_HANDLE = 14,
};

#define DSA_CMDSTS_ACTIVE     (1u << 31)

/* CMDSTATUS error codes (spec table 5-8). */
enum dsa_cmdsts_err {
	DSA_CMDSTS_SUCCESS = 0x00,
	DSA_CMDSTS_INVAL_CMD = 0x01,
	DSA_CMDSTS_INVAL_WQIDX = 0x02,
	DSA_CMDSTS_HW_ERR = 0x03,
	DSA_CMDSTS_RSVD = 0x04,
	DSA_CMDSTS_HALTED = 0x05,
	DSA_CMDSTS_DEV_ENABLED = 0x10,
	DSA_CMDSTS_CONFIG = 0x11,
	DSA_CMDSTS_BUSMASTER_EN = 0x12,
	DSA_CMDSTS_PASID_INVAL = 0x13,
	DSA_CMDSTS_WQ_SIZE_ERANGE = 0x14,
	DSA_CMDSTS_GRP_CONFIG = 0x15,
	DSA_CMDSTS_GRP_CONFIG2 = 0x16,
	DSA_CMDSTS_GRP_CONFIG3 = 0x17,
	DSA_CMDSTS_GRP_CONFIG4 = 0x18,
	DSA_CMDSTS_DEV_NOTEN = 0x20,
	DSA_CMDSTS_WQ_ENABLED = 0x21,
	DSA_CMDSTS_WQ_SIZE = 0x22,
	DSA_CMDSTS_WQ_PRIOR = 0x23,
	DSA_CMDSTS_WQ_MODE = 0x24,
	DSA_CMDSTS_BOF_EN = 0x25,
	DSA_CMDSTS_PASID_EN = 0x26,
	DSA_CMDSTS_MAX_BATCH_SIZE = 0x27,
	DSA_CMDSTS_MAX_XFER_SIZE = 0x28,
	DSA_CMDSTS_DIS_DEV_EN = 0x31,
	DSA_CMDSTS_DEV_WQ_NOT_EN = 0x32,
	DSA_CMDSTS_INVAL_INT_IDX = 0x41,
	DSA_CMDSTS_NO_INT_HANDLE = 0x42,
};

/* GRPCFG: 64 bytes per group. */
#define DSA_GRPCFG_SIZE       64
#define DSA_GRPCFG_WQS        0      /* 256-bit WQ bitmap */
#define DSA_GRPCFG_ENGINES    32     /* 64-bit engine bitmap */
#define DSA_GRPCFG_FLAGS      40     /* 32 bits */

/* WQCFG: 32 bytes per WQ (WQCAP size code 0); dword indexes. */
#define DSA_WQCFG_SIZE        32
#define DSA_WQCFG_DW_SIZE     0      /* 15:0 WQ size */
#define DSA_WQCFG_DW_THRESH   1      /* 15:0 threshold */
#define DSA_WQCFG_DW_MODE     2      /* 0 dedicated, 1 BOF, 2 ATS dis, 3 PRS dis,
					* 7:4 priority, 27:8 PASID, 28 PASID en,
					* 29 priv */
#define DSA_WQCFG_DW_SIZES    3      /* 4:0 max xfer shift, 8:5 max batch shift */
#define DSA_WQCFG_DW_OCC_INT  4
#define DSA_WQCFG_DW_OCC_LIM  5
#define DSA_WQCFG_DW_STATE    6      /* 15:0 occupancy, 31:30 state */

#define DSA_WQCFG_MODE_DEDICATED (1u << 0)
#define DSA_WQCFG_MODE_BOF       (1u << 1)
#define DSA_WQCFG_MODE_ATS_DIS   (1u << 2)
#define DSA_WQCFG_MODE_PRS_DIS   (1u << 3)
#define DSA_WQCFG_PRIO_SHIFT     4
#define DSA_WQCFG_PASID_SHIFT    8
#define DSA_WQCFG_PASID_EN       (1u << 28)
#define DSA_WQCFG_PRIV           (1u << 29)
#define DSA_WQCFG_STATE_SHIFT    30

#define DSA_WQ_STATE_DISABLED 0
#define DSA_WQ_STATE_ENABLED  1

/* Portals (spec 9.3): 4 pages per WQ in BAR2. */
#define DSA_PORTAL_PAGE       4096u
#define DSA_PORTALS_PER_WQ    4
#define DSA_PORTAL_UNLIMITED  0
#define DSA_PORTAL_LIMITED    1

/* PCI identity (Sapphire Rapids DSA). */
#define DSA_PCI_VENDOR        0x8086
#define DSA_PCI_DEVICE        0x0b25
#define DSA_PCI_CLASS         0x088000

#endif /* UDRV_DSA_SPEC_H */
