/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire protocol of the host model's VMBus test service ("echo service").
 *
 * The service exists only in the device model: it gives the VMBus bus a
 * peer that is independent of any network protocol, so the bus can be
 * tested (and demonstrated) before and apart from netvsc.
 *
 * Every guest message is a struct hv_echo_msg at the start of the packet
 * payload (after the VMBus descriptor and, for GPA-direct packets, after the
 * range array). All fields little endian.
 */
#ifndef HV_ECHO_PROTO_H
#define HV_ECHO_PROTO_H

#include <stdint.h>

/* Class GUIDs the model offers the echo service under. Two classes so that
 * scan/probe can be tested with several classes; the "lowspeed" class is
 * offered without a monitor id by default, like Hyper-V's low-speed
 * integration services (fcopy and friends).
 */
#define HV_ECHO_CLASS_GUID          "9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a01"
#define HV_ECHO_LOWSPEED_CLASS_GUID "9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a02"

enum hv_echo_op {
	/* Reply with the same bytes. Inband without completion-requested:
	 * the reply is an inband packet (type 6, flags 0) with the same
	 * transaction id. With completion-requested: the reply is a completion
	 * packet (type 0xb) with the same transaction id and the same bytes.
	 * GPA-direct (type 9): the reply is a completion whose payload is the
	 * message followed by the bytes gathered from every range in order.
	 */
	HV_ECHO_OP_ECHO = 1,
	/* arg0 = number of sub-channels wanted. The reply (completion if
	 * requested, inband otherwise) is a hv_echo_msg with op SUBCH and
	 * arg0 = number granted; the offers themselves appear later,
	 * asynchronously, after the model's sub-channel delay.
	 */
	HV_ECHO_OP_SUBCH = 2,
	/* arg0 = count, arg1 = data bytes: the host sends count inband packets,
	 * each a hv_echo_msg {op FLOOD, seq = i, arg1 = data bytes} followed
	 * by data bytes with hv_echo_pattern(seq, i); it blocks on a full ring
	 * (pending_send_sz) and never drops. No separate reply.
	 */
	HV_ECHO_OP_FLOOD = 3,
	/* arg0 = milliseconds: the host stops reading this channel for that
	 * long (as a stalled host would), then resumes. No reply.
	 */
	HV_ECHO_OP_STALL = 4,
};

struct hv_echo_msg {
	uint32_t op;
	uint32_t arg0;
	uint32_t arg1;
	uint32_t seq;
	uint8_t data[];
};

/* Byte i of the data of packet seq in a flood. */
static inline uint8_t
hv_echo_pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31u + i * 7u + 1u);
}

/* Runtime control of the model from a test program in the same process:
 * resolve with dlsym(RTLD_DEFAULT, HV_SIM_CTL_SYMBOL). Returns 0 or a
 * negative errno; a textual reply is written to reply (may be NULL).
 */
#define HV_SIM_CTL_SYMBOL "udrv_sim_ctl"
typedef int (*udrv_sim_ctl_t)(const char *cmd, char *reply, unsigned int reply_len);

#endif /* HV_ECHO_PROTO_H */
