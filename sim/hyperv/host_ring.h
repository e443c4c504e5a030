/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's side of one VMBus ring (one direction).
 *
 * The host reads the guest-to-host ring and writes the host-to-guest ring.
 * It keeps its own copy of the index it owns and loads each index the
 * guest owns exactly once per operation, so nothing the guest writes can
 * make it read or write outside the mapping.
 */
#ifndef UDRV_HOST_RING_H
#define UDRV_HOST_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_model.h"

struct host_ring {
	struct hv_ring_hdr *hdr;
	uint8_t *data;
	uint32_t dsize;                /* data area bytes */
	uint32_t index;                /* host-owned index, private copy */
};

enum host_ring_status {
	HR_OK,
	HR_EMPTY,
	HR_FULL,
	HR_CORRUPT,
};

/* base = start of this direction (its header page); size includes it. */
void host_ring_attach(struct host_ring *r, uint8_t *base, uint32_t size);
/* Channel open: indices 0, pending_send_sz 0, feature bit set, mask. */
void host_ring_reset(struct host_ring *r, uint32_t interrupt_mask);

/* ---- guest -> host ---- */

/*
 * Copy the next packet into buf (at least dsize bytes, 8-aligned) and
 * describe it in pkt. *len = bytes to consume (packet + trailer). The read
 * index is not moved. On HR_CORRUPT, why says what was wrong.
 */
int host_ring_read(struct host_ring *r, uint8_t *buf, struct hv_pkt *pkt,
		   uint32_t *len, char *why, size_t whylen);
/*
 * Consume len bytes. Returns true if the guest asked (pending_send_sz)
 * to be told when this much space is free and this read crossed it.
 */
bool host_ring_consume(struct host_ring *r, uint32_t len);
/* Host-owned interrupt_mask of the guest -> host ring. */
void host_ring_set_mask(struct host_ring *r, uint32_t mask);
/* Is there data (or a bad index, which the next read reports)? */
bool host_ring_has_data(struct host_ring *r);

/* ---- host -> guest ---- */

/*
 * Write one packet (descriptor + payload, len a multiple of 8) and its
 * trailer. HR_FULL: pending_send_sz is set, wait for the guest's signal.
 * *interrupt tells whether the guest must be interrupted.
 */
int host_ring_write(struct host_ring *r, const uint8_t *pkt, uint32_t len,
		    bool *interrupt, char *why, size_t whylen);
/* Largest packet (without trailer) the ring can ever take. */
uint32_t host_ring_max_packet(const struct host_ring *r);

#endif /* UDRV_HOST_RING_H */
