/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel Data Streaming Accelerator: the hardware structures and constants
 * this PMD uses, written from the DSA Architecture Specification (Intel
 * order no. 341204). Section numbers below refer to it. Everything is
 * little-endian, as on the only architecture DSA exists for.
 */
#ifndef IDXD_HW_H
#define IDXD_HW_H

#include <stdint.h>

/* ---- Descriptor (§8.1) ---- */

/* Operation codes (§8.1, Table 8-2). */
#define IDXD_OP_NOOP     0x00
#define IDXD_OP_BATCH    0x01
#define IDXD_OP_DRAIN    0x02
#define IDXD_OP_MEMMOVE  0x03
#define IDXD_OP_FILL     0x04

/* Descriptor flags (§8.1.3, Table 8-3). */
#define IDXD_FLAG_FENCE          (1u << 0)  /* only inside a batch */
#define IDXD_FLAG_BLOCK_ON_FAULT (1u << 1)
#define IDXD_FLAG_CRAV           (1u << 2)  /* completion record address valid */
#define IDXD_FLAG_RCR            (1u << 3)  /* request a record on success too */
#define IDXD_FLAG_RCI            (1u << 4)  /* request completion interrupt */
#define IDXD_FLAG_CACHE_CONTROL  (1u << 8)  /* write destination to cache */

/* The operation code sits in bits 31:24 of the second dword. */
#define IDXD_OPFLAGS(op, flags) (((uint32_t)(op) << 24) | (uint32_t)(flags))

/*
 * The 64-byte work descriptor. Only the fields of the operations used here
 * are named; everything after the transfer size is operation-specific and
 * must be zero for no-op, batch, memory move and fill.
 */
struct idxd_hw_desc {
	union {
		struct {
			uint32_t pasid_priv; /* 19:0 PASID, 31 Priv (ignored for DWQs) */
			uint32_t op_flags;   /* 23:0 flags, 31:24 operation */
		};
		uint64_t op_word;        /* the two as one qword */
	};
	uint64_t completion_addr; /* 32-byte aligned, if CRAV */
	union {
		uint64_t src;         /* memory move */
		uint64_t pattern;     /* fill: low 8 bytes of the pattern */
		uint64_t desc_list;   /* batch: 64-byte aligned */
	};
	uint64_t dst;
	union {
		struct {
			uint32_t size;        /* bytes; batch: descriptor count */
			uint16_t intr_handle; /* if RCI */
			uint16_t op_specific0;
		};
		uint64_t size_word;      /* the three as one qword */
	};
	uint64_t op_specific[3];
} __attribute__((aligned(64)));

/* ---- Completion record (§8.2) ---- */

struct idxd_completion {
	union {
		struct {
			/* 5:0 status code, 7 read (0) / write (1) of a
			 * faulting access. The device never writes 0 and
			 * writes this byte last.
			 */
			uint8_t status;
			uint8_t result;
			uint8_t fault_info;
			uint8_t rsvd;
			/* Partial completion: bytes done; batch:
			 * descriptors completed.
			 */
			uint32_t bytes_completed;
		};
		uint64_t head;           /* the fields above as one qword */
	};
	uint64_t fault_addr;      /* bits 11:0 may read as 0 */
	uint32_t invalid_flags;   /* 23:0, with status IDXD_ST_INVALID_FLAGS */
	uint32_t op_specific[3];
} __attribute__((aligned(32)));

#define IDXD_CR_STATUS_MASK  0x3f
#define IDXD_CR_STATUS_WRITE 0x80 /* the fault was on a write */

/* Completion status codes (§5.4, Table 5-6). */
#define IDXD_ST_NONE               0x00 /* not written yet */
#define IDXD_ST_SUCCESS            0x01
#define IDXD_ST_SUCCESS_PRED       0x02
#define IDXD_ST_PAGE_FAULT         0x03 /* partial, block-on-fault off */
#define IDXD_ST_PAGE_FAULT_PRS     0x04 /* partial, page request refused */
#define IDXD_ST_BATCH_FAIL         0x05 /* a member did not succeed */
#define IDXD_ST_BATCH_LIST_FAULT   0x06 /* fault reading the descriptor list */
#define IDXD_ST_INVALID_OPCODE     0x10
#define IDXD_ST_INVALID_FLAGS      0x11
#define IDXD_ST_NONZERO_RESERVED   0x12
#define IDXD_ST_INVALID_SIZE       0x13
#define IDXD_ST_INVALID_COUNT      0x14
#define IDXD_ST_INVALID_VALUE      0x15
#define IDXD_ST_OVERLAP            0x16
#define IDXD_ST_LIST_MISALIGNED    0x18
#define IDXD_ST_INVALID_INT_HANDLE 0x19
#define IDXD_ST_MISALIGNED         0x1c
#define IDXD_ST_HW_READ_ERROR      0x20
#define IDXD_ST_HW_WRITE_ERROR     0x21
#define IDXD_ST_TRANSLATION_ERROR  0x22

/* ---- Portals (§9.3) ---- */

/* Each WQ owns four 4 KiB portal pages in BAR2: unlimited MSI-X, limited
 * MSI-X, unlimited IMS, limited IMS. Bits 11:6 of a portal address are
 * ignored.
 */
#define IDXD_PORTAL_SIZE        0x1000
#define IDXD_WQ_PORTAL_STRIDE   (4 * IDXD_PORTAL_SIZE)

/* ---- BAR0 registers (§9.2) ---- */

#define IDXD_REG_VERSION    0x00 /* 32 */
#define IDXD_REG_GENCAP     0x10 /* 64 */
#define IDXD_REG_WQCAP      0x20 /* 64 */
#define IDXD_REG_GRPCAP     0x30 /* 64 */
#define IDXD_REG_ENGCAP     0x38 /* 64 */
#define IDXD_REG_OPCAP      0x40 /* 4 x 64 */
#define IDXD_REG_OFFSETS    0x60 /* 2 x 64 */
#define IDXD_REG_GENCFG     0x80 /* 32 */
#define IDXD_REG_GENCTRL    0x88 /* 32 */
#define IDXD_REG_GENSTS     0x90 /* 32 */
#define IDXD_REG_INTCAUSE   0x98 /* 32 */
#define IDXD_REG_CMD        0xa0 /* 32 */
#define IDXD_REG_CMDSTATUS  0xa8 /* 32 */
#define IDXD_REG_SWERROR    0xc0 /* 4 x 64 */

/* GENCAP fields. */
#define IDXD_GENCAP_BLOCK_ON_FAULT   (1ull << 0)
#define IDXD_GENCAP_OVERLAP_COPY     (1ull << 1)
#define IDXD_GENCAP_CACHE_CONTROL    (1ull << 2)
#define IDXD_GENCAP_CMDCAP           (1ull << 4)
#define IDXD_GENCAP_MAX_XFER_SHIFT(v)  (((v) >> 16) & 0x1f)
#define IDXD_GENCAP_MAX_BATCH_SHIFT(v) (((v) >> 21) & 0xf)
#define IDXD_GENCAP_CONFIGURABLE     (1ull << 31)

/* WQCAP fields. */
#define IDXD_WQCAP_TOTAL_SIZE(v)     ((uint32_t)((v) & 0xffff))
#define IDXD_WQCAP_NUM_WQS(v)        ((uint32_t)(((v) >> 16) & 0xff))
#define IDXD_WQCAP_WQCFG_SIZE_CODE(v) ((uint32_t)(((v) >> 24) & 0xf))
#define IDXD_WQCAP_SHARED            (1ull << 48)
#define IDXD_WQCAP_DEDICATED         (1ull << 49)
#define IDXD_WQCAP_PRIORITY          (1ull << 51)

/* GRPCAP / ENGCAP fields. */
#define IDXD_GRPCAP_NUM_GROUPS(v)    ((uint32_t)((v) & 0xff))
#define IDXD_ENGCAP_NUM_ENGINES(v)   ((uint32_t)((v) & 0xff))

/* OFFSETS: table offsets in units of 0x100 bytes from BAR0. */
#define IDXD_OFFSETS_UNIT            0x100
#define IDXD_OFFSETS_GRPCFG(v)       ((uint32_t)((v) & 0xffff))
#define IDXD_OFFSETS_WQCFG(v)        ((uint32_t)(((v) >> 16) & 0xffff))

/* GENSTS: device state in bits 1:0. */
#define IDXD_GENSTS_STATE(v)         ((v) & 0x3)
#define IDXD_DEV_DISABLED            0
#define IDXD_DEV_ENABLED             1
#define IDXD_DEV_DRAINING            2
#define IDXD_DEV_HALTED              3

/* CMD: bits 24:20 command, 19:0 operand (§9.2.12). */
#define IDXD_CMD_SHIFT               20
#define IDXD_CMD_ENABLE_DEVICE       1
#define IDXD_CMD_DISABLE_DEVICE      2
#define IDXD_CMD_DRAIN_ALL           3
#define IDXD_CMD_ABORT_ALL           4
#define IDXD_CMD_RESET_DEVICE        5
#define IDXD_CMD_ENABLE_WQ           6  /* operand: WQ index */
#define IDXD_CMD_DISABLE_WQ          7  /* operand: WQ bitmap, see below */
#define IDXD_CMD_DRAIN_WQ            8
#define IDXD_CMD_ABORT_WQ            9
#define IDXD_CMD_RESET_WQ            10

/* Operand of the WQ bitmap commands: bits 19:16 select a group of 16 WQs,
 * bits 15:0 the WQs within it.
 */
#define IDXD_CMD_WQ_BITMAP(wq) ((((uint32_t)(wq) >> 4) << 16) | (1u << ((wq) & 0xf)))

/* CMDSTATUS: bit 31 active, 7:0 error code (§9.2.13, Table 5-8). */
#define IDXD_CMDSTS_ACTIVE           (1u << 31)
#define IDXD_CMDSTS_ERR(v)           ((v) & 0xff)

/* SWERROR qword 0 fields. */
#define IDXD_SWERR_VALID             (1ull << 0)
#define IDXD_SWERR_CODE(v)           (((v) >> 8) & 0xff)
#define IDXD_SWERR_WQ(v)             (((v) >> 16) & 0xff)
#define IDXD_SWERR_DWQ_FULL          0x53

/* Group configuration table: 64 bytes per group (§9.2.23). */
#define IDXD_GRPCFG_STRIDE           64
#define IDXD_GRPCFG_WQS              0  /* 256-bit WQ bitmap, 4 x 64 */
#define IDXD_GRPCFG_ENGINES          32 /* 64-bit engine bitmap */
#define IDXD_GRPCFG_FLAGS            40 /* 32 */
#define IDXD_GRPFLAGS_TC_A(tc)       ((uint32_t)(tc) & 0x7)
#define IDXD_GRPFLAGS_TC_B(tc)       (((uint32_t)(tc) & 0x7) << 3)

/* WQ configuration table: 32 << WQCAP size code bytes per WQ (§9.2.24),
 * addressed here as 32-bit words.
 */
#define IDXD_WQCFG_SIZE              0  /* 15:0 WQ size */
#define IDXD_WQCFG_THRESHOLD         1  /* 15:0, shared WQs */
#define IDXD_WQCFG_MODE              2  /* see below */
#define IDXD_WQCFG_LIMITS            3  /* 4:0 max transfer shift, 8:5 max batch shift */
#define IDXD_WQCFG_STATE             6  /* 15:0 occupancy, 31:30 state */

#define IDXD_WQMODE_DEDICATED        (1u << 0)
#define IDXD_WQMODE_PRIORITY(p)      (((uint32_t)(p) & 0xf) << 4)
#define IDXD_WQLIMITS(xfer_shift, batch_shift) \
	(((uint32_t)(xfer_shift) & 0x1f) | (((uint32_t)(batch_shift) & 0xf) << 5))
#define IDXD_WQSTATE(v)              (((v) >> 30) & 0x3)
#define IDXD_WQ_DISABLED             0
#define IDXD_WQ_ENABLED              1

/* PCI identity (vendor Intel, class "system peripheral"). */
#define IDXD_PCI_VENDOR_INTEL        0x8086
#define IDXD_PCI_DEVICE_DSA_SPR      0x0b25
#define IDXD_PCI_DEVICE_DSA_GNRD     0x11fb
#define IDXD_PCI_DEVICE_DSA_DMR      0x1212

#endif /* IDXD_HW_H */
