/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VMBus driver for the host model's echo service, used by test-hv to
 * exercise the bus the way a real driver would. Devices of the echo class
 * are polled; devices of the low-speed class are interrupt driven.
 */
#ifndef TEST_HV_ECHO_DRIVER_H
#define TEST_HV_ECHO_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <bus_vmbus.h>

#include "hv_echo_proto.h"

#define ECHO_MAX_CHANNELS 65

struct echo_dev {
	TAILQ_ENTRY(echo_dev) next;
	struct vmbus_device *vdev;
	struct vmbus_channel *chan[ECHO_MAX_CHANNELS]; /* [0] primary */
	unsigned int nchan;
	bool intr;                  /* interrupt-driven (low-speed class) */
	volatile bool rescind_seen; /* driver's rescind callback ran */
};

TAILQ_HEAD(echo_dev_list, echo_dev);
extern struct echo_dev_list echo_devs;

unsigned int echo_dev_count(void);
struct echo_dev *echo_dev_by_index(unsigned int i);

/* A reply or host-initiated packet. */
struct echo_reply {
	uint16_t type;
	uint64_t trans_id;
	uint32_t len;
	uint8_t buf[65536];
};

/* Wait up to timeout_ms for the next packet on chan. 0, -ETIMEDOUT,
 * -ENODEV (rescinded) or a bus error.
 */
int echo_recv(struct echo_dev *ed, struct vmbus_channel *chan,
	      struct echo_reply *r, unsigned int timeout_ms);

/* Send msg (+ data) inband and wait for its reply. */
int echo_call(struct echo_dev *ed, struct vmbus_channel *chan,
	      const struct hv_echo_msg *msg, const void *data, uint32_t len,
	      uint64_t trans_id, uint16_t flags, struct echo_reply *r);

/* Send one inband message without waiting, retrying while the ring is
 * full for up to timeout_ms.
 */
int echo_send(struct vmbus_channel *chan, const struct hv_echo_msg *msg,
	      const void *data, uint32_t len, uint64_t trans_id,
	      uint16_t flags);

/* Request n sub-channels and open them as they are offered. */
int echo_open_subchannels(struct echo_dev *ed, unsigned int n,
			  unsigned int timeout_ms);

#endif
