/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMBus wire formats shared by the guest and the Hyper-V host: ring buffer
 * control page, packet descriptors, GPA ranges, the monitor page.
 * Layouts from the Hyper-V TLFS and Linux include/linux/hyperv.h (facts
 * only); every field is little endian.
 */
#ifndef VMBUS_WIRE_H
#define VMBUS_WIRE_H

#include <stdint.h>

/* Hyper-V's page: ring header size, GPA page granule. Independent of the
 * guest's page size.
 */
#define VMBUS_HV_PAGE_SIZE  4096u
#define VMBUS_HV_PAGE_SHIFT 12

/* The control page at the start of each ring direction. */
struct vmbus_ring_ctrl {
	uint32_t write_index;     /* producer's next byte offset in data */
	uint32_t read_index;      /* consumer's next byte offset in data */
	uint32_t interrupt_mask;  /* consumer: 1 = do not interrupt me */
	uint32_t pending_send_sz; /* producer: signal me when this is free */
	uint32_t reserved1[12];
	uint32_t feature_bits;    /* bit 0: pending_send_sz supported */
};

#define VMBUS_RING_FEAT_PENDING_SEND_SZ 0x1u

/* Packet types (VM_PKT_*). */
#define VMBUS_PKT_INBAND     0x6
#define VMBUS_PKT_XFER_PAGES 0x7
#define VMBUS_PKT_GPADL      0x8
#define VMBUS_PKT_GPA_DIRECT 0x9
#define VMBUS_PKT_COMP       0xb

/* Packet flags. */
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 0x1

/* Every packet starts with this; offsets and lengths in 8-byte units,
 * len8 covers descriptor + payload + padding but not the 8-byte trailer.
 */
struct vmbus_pkt_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
};

#define VMBUS_PKT_TRAILER_LEN 8u
#define VMBUS_PKT_ALIGN       8u

/* One guest page of a GPA-direct packet (single-page range form). */
struct vmbus_gpa_range {
	uint32_t len;
	uint32_t offset;   /* within the page, offset + len <= 4096 */
	uint64_t pfn;      /* guest physical address >> 12 */
};

/* GPA-direct packet header: descriptor, then the range array. */
struct vmbus_gpa_direct_hdr {
	struct vmbus_pkt_desc desc;
	uint32_t reserved;
	uint32_t range_count;
	struct vmbus_gpa_range range[];
};

/* Transfer-page packet header (host to guest receive buffers). */
struct vmbus_xfer_range {
	uint32_t byte_count;
	uint32_t byte_offset;
};

struct vmbus_xfer_pages_hdr {
	struct vmbus_pkt_desc desc;
	uint16_t xfer_pageset_id;
	uint8_t sender_owns_set;
	uint8_t reserved;
	uint32_t range_count;
	struct vmbus_xfer_range range[];
};

/* The guest-to-host ("child to parent") monitor page. */
#define VMBUS_MONITOR_GROUPS     4
#define VMBUS_MONITOR_PER_GROUP  32
#define VMBUS_MONITOR_ID_MAX     (VMBUS_MONITOR_GROUPS * VMBUS_MONITOR_PER_GROUP)

struct vmbus_monitor_trigger {
	uint32_t pending;
	uint32_t armed;
};

struct vmbus_monitor_page {
	uint32_t state;
	uint32_t reserved1;
	struct vmbus_monitor_trigger trigger[VMBUS_MONITOR_GROUPS];
	uint8_t reserved2[536];
	uint16_t latency[VMBUS_MONITOR_GROUPS][VMBUS_MONITOR_PER_GROUP];
	uint8_t reserved3[256];
	struct {
		uint32_t connection_id;
		uint16_t event_flag_offset;
		uint16_t reserved;
	} parameter[VMBUS_MONITOR_GROUPS][VMBUS_MONITOR_PER_GROUP];
	uint8_t reserved4[1984];
};

/* The interrupt page: the second half holds one bit per relid for
 * guest-to-host events.
 */
#define VMBUS_INT_PAGE_SEND_OFFSET 2048u
#define VMBUS_INT_PAGE_RELID_MAX   (2048u * 8u)

#endif /* VMBUS_WIRE_H */
