/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's virtual switch: joins the synthetic NICs (NetVSP devices) to
 * wire backends (loopback, port-to-port, a TAP interface, a traffic
 * generator/sink) and to each NIC's VF path.
 *
 * Contract between the NIC model (netvsp_*.c, rndis_*.c) and the switch
 * (vswitch.c, wire_*.c). Everything here runs on the host thread only.
 *
 * Frames are complete Ethernet frames as on a wire: an 802.1Q tag, if any,
 * is inline; checksums are final; no frame is longer than the MTU the NIC
 * was configured with plus 18 bytes. The NIC model does the offload work
 * (VLAN insertion from the PPI, checksums, LSO segmentation) before
 * vsw_transmit(), and the RX-side work (VLAN strip into a PPI, checksum
 * validation, RSS) after deliver().
 */
#ifndef UDRV_HV_VSWITCH_H
#define UDRV_HV_VSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSW_MAX_FRAME   (9216 + 18)

struct vsw_port;

enum vsw_path {
	VSW_PATH_SYNTHETIC,
	VSW_PATH_VF,
};

struct vsw_nic_ops {
	/*
	 * A frame from the wire for the NIC's synthetic path.
	 * Returns 0 when taken; -ENOSPC when the NIC has no room now (or
	 * pends frames, e.g. while the packet filter is 0): the
	 * switch keeps the frame and offers it again later, in order (a
	 * generator in lossless mode then waits; other backends drop and
	 * count after a bounded queue fills); any other negative errno: the
	 * frame is dropped and counted against the NIC. -ENETDOWN (the NIC
	 * cannot receive at all: guest not ready) is counted apart, and a
	 * lossless generator waits for the NIC instead of losing frames.
	 */
	int (*deliver)(void *nic, const uint8_t *frame, uint32_t len);
	/* The wire's link state changed (e.g. a scheduled flap). */
	void (*link)(void *nic, bool up);
};

/*
 * Attach NIC number index (the order of netvsc devices in the options,
 * from 0) with its MAC. Returns the port, or NULL if the options give
 * this NIC no wire (frames it sends are then counted and dropped).
 */
struct vsw_port *vsw_attach_nic(unsigned int index, const uint8_t mac[6],
				const struct vsw_nic_ops *ops, void *nic);
void vsw_detach_nic(struct vsw_port *port);

/*
 * The NIC puts a frame on the wire. Returns 0, or -ENOSPC when the wire
 * pushes back (the NIC then keeps the guest's send pending and retries).
 */
int vsw_transmit(struct vsw_port *port, const uint8_t *frame, uint32_t len);

/* Whether the wire is up for this NIC (false when it has no wire). */
bool vsw_link_up(const struct vsw_port *port);

/*
 * VF path. The options may give a NIC a VF: a network interface (the
 * kernel side of the guest's VF, e.g. the TAP interface of a net_tap
 * port) that the switch reaches through an AF_PACKET socket. While the
 * data path is VSW_PATH_VF, unicast frames for the NIC's MAC go to the VF
 * interface, and broadcast/multicast still go to deliver(); frames read
 * from the VF interface count as sent by the NIC. The NIC model calls
 * this on SWITCH_DATA_PATH (and when it switches back by itself).
 */
const char *vsw_vf_ifname(const struct vsw_port *port); /* NULL: no VF */
void vsw_set_datapath(struct vsw_port *port, enum vsw_path path);

/*
 * Move frames between NICs and backends; run generators and scheduled
 * events. Called from the host thread's loop. Returns true if it did any
 * work; *next_ns (CLOCK_MONOTONIC) is lowered to when it next needs to run.
 */
bool vsw_poll(uint64_t now_ns, uint64_t *next_ns);

/* Report (key=value lines) of every port, generator and sink. */
int vsw_report(char *buf, unsigned int len);

/*
 * Additions for the host and the NIC model (the switch's options and
 * control commands, documented in doc/simulator.md).
 */

/*
 * NIC index of VMBus device dev (its position among all --vmbus
 * devices): devices of the netvsc class bound to uio_hv_generic count
 * from 0 in option order. Returns -1 for any other device. Same in every
 * process.
 */
int vsw_nic_index(unsigned int dev);

/* The MAC that NIC index is given: 00:15:5d:00:00:<index>. */
void vsw_nic_mac(unsigned int index, uint8_t mac[6]);

/* The serial number the host announces for the NIC's VF (VFASSOC). */
uint32_t vsw_vf_serial(const struct vsw_port *port);

/* Whether verb is a switch command ("wire", "gen", "vswitch"). */
bool vsw_ctl_verb(const char *verb);

/*
 * Run a switch command on the host thread: reply text in out. Returns 0,
 * a negative errno, or -ENOSYS if cmd is not a switch command.
 */
int vsw_ctl(const char *cmd, char *out, size_t len);

/*
 * The host thread is ending: final report (stderr and --report file when
 * anything was configured), TAP interfaces removed, everything freed.
 */
void vsw_fini(void);

#endif /* UDRV_HV_VSWITCH_H */
