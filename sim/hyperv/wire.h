/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the virtual switch, shared by its files:
 *   wire_config.c  --wire / --at / --report options (also linked into simrun)
 *   vswitch.c      ports, forwarding, path selection, counters, report,
 *                  scheduled commands
 *   wire_gen.c     traffic generator and sink (frames, stamps, flow table)
 *   wire_tap.c     TAP interfaces and AF_PACKET sockets (VF path)
 * The contract with the NIC model is vswitch.h; nothing here is for it.
 */
#ifndef UDRV_HV_WIRE_H
#define UDRV_HV_WIRE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vswitch.h"

#define VSW_MAX_PORTS      32          /* = HV_MAX_DEVICES */
#define VSW_MAX_AT         64
#define VSW_CMD_MAX        256         /* = the ctl mailbox's command size */
#define VSW_MAX_FLOWS      1024
#define VSW_REPORT_PATH    1024
#define VSW_MIN_SIZE       64          /* frame sizes count a 4-byte FCS */
#define VSW_MAX_SIZE       (VSW_MAX_FRAME + 4)
#define VSW_DEFAULT_MTU    1500

/* Netvsc device class (synthetic network adapter). */
#define VSW_NETVSC_CLASS_GUID "f8615163-df3e-46c5-913f-f2d2f965ed0e"

/* ---- configuration (wire_config.c) ---- */

/* Where the frames a NIC sends go (and what feeds it besides a generator). */
enum vsw_wire_kind {
	VSW_WIRE_NONE,
	VSW_WIRE_LOOP,
	VSW_WIRE_LINK,
	VSW_WIRE_TAP,
	VSW_WIRE_SINK,
};

/* "none", "loop", "link", "tap", "sink" */
extern const char *const vsw_wire_kind_names[];

enum vsw_size_mode {
	VSW_SIZE_FIXED,
	VSW_SIZE_RANGE,
	VSW_SIZE_IMIX,
};

struct vsw_gen_spec {
	bool on;
	uint64_t rate_pps;                 /* 0: as fast as the wire takes */
	enum vsw_size_mode size_mode;
	uint32_t size_min;                 /* with FCS, like traffic generators */
	uint32_t size_max;
	uint32_t flows;
	uint64_t count;                    /* 0: no limit */
	int vlan;                          /* -1: untagged */
	uint8_t proto;                     /* IPPROTO_UDP or IPPROTO_TCP */
	bool lossless;
	uint64_t duration_ms;              /* 0: no limit */
	int64_t start_ms;                  /* after the NIC attaches; -1: ctl only */
};

struct vsw_sink_spec {
	uint32_t mtu;
	uint64_t rate_pps;                 /* 0: never pushes back */
};

struct vsw_port_spec {
	bool used;                         /* any option names this NIC */
	enum vsw_wire_kind kind;
	unsigned int peer;                 /* VSW_WIRE_LINK */
	char tap_name[IFNAMSIZ];           /* VSW_WIRE_TAP; "" = kernel picks */
	struct vsw_sink_spec sink;         /* VSW_WIRE_SINK */
	struct vsw_gen_spec gen;
	bool vf;
	char vf_name[IFNAMSIZ];
	uint32_t vf_serial;
};

struct vsw_at {
	uint64_t ms;
	char cmd[VSW_CMD_MAX];
};

struct vsw_config {
	bool enabled;                      /* any switch option at all */
	struct vsw_port_spec port[VSW_MAX_PORTS];
	unsigned int nat;
	struct vsw_at at[VSW_MAX_AT];
	char report[VSW_REPORT_PATH];
};

extern struct vsw_config vsw_cfg;

/* Forget every switch option (self-test). */
void vsw_config_reset(void);

/* ---- generator and sink (wire_gen.c) ---- */

struct wire_gen;
struct wire_sink;

/* A generator of NIC index id; NULL on allocation failure. */
struct wire_gen *wire_gen_create(unsigned int id, const struct vsw_gen_spec *spec);
void wire_gen_destroy(struct wire_gen *g);
/* Destination MAC of the frames (the NIC's). */
void wire_gen_set_dst(struct wire_gen *g, const uint8_t mac[6]);
/* Begin at time at_ns (now or later); restarts a stopped generator. */
void wire_gen_start(struct wire_gen *g, uint64_t at_ns);
void wire_gen_stop(struct wire_gen *g);
/* New rate (0: max); pacing restarts from now. */
void wire_gen_set_rate(struct wire_gen *g, uint64_t pps, uint64_t now);
/* A waiting generator (not started yet, or paused) resumes pacing at now. */
void wire_gen_resume(struct wire_gen *g, uint64_t now);
bool wire_gen_lossless(const struct wire_gen *g);
/*
 * The frame to send now, built on first call and kept until
 * wire_gen_sent(): NULL if none is due (*next_ns is lowered to when one
 * will be).
 */
const uint8_t *wire_gen_peek(struct wire_gen *g, uint64_t now, uint32_t *len,
			     uint64_t *next_ns);
/* The peeked frame left the generator (taken, queued, or dropped later). */
void wire_gen_sent(struct wire_gen *g, uint64_t now);
/* The wire pushed back on the peeked frame (lossless mode). */
void wire_gen_blocked(struct wire_gen *g);
int wire_gen_report(const struct wire_gen *g, bool final, char *buf, size_t len);

struct wire_sink *wire_sink_create(unsigned int id, const struct vsw_sink_spec *spec);
void wire_sink_destroy(struct wire_sink *s);
/* Rate limit: false if the sink takes no frame now (the NIC retries). */
bool wire_sink_admit(struct wire_sink *s, uint64_t now);
/* Check and count one frame. */
void wire_sink_consume(struct wire_sink *s, const uint8_t *frame, uint32_t len,
		       uint64_t now);
int wire_sink_report(const struct wire_sink *s, bool final, char *buf, size_t len);

/* ---- TAP and AF_PACKET (wire_tap.c) ---- */

/* Create TAP interface name ("" or "x%d": the kernel picks), bring it
 * up; the fd is non-blocking. Returns the fd (name gets the real name)
 * or -errno.
 */
int wire_tap_open(char name[IFNAMSIZ]);
/*
 * Open a non-blocking AF_PACKET socket bound to interface name, in
 * promiscuous mode, not seeing its own frames. Returns the fd (and the
 * ifindex) or -errno (-ENODEV: no such interface yet).
 */
int wire_packet_open(const char *name, int *ifindex);
/* Read one frame; returns its length, 0 if none, -EMSGSIZE for a frame
 * that was too long or too short (consumed), another -errno on error.
 * For a packet socket a VLAN tag the kernel took out is put back.
 */
int wire_fd_read(int fd, bool packet, uint8_t *buf, uint32_t len);
/* Write one frame; 0 or -errno (-EAGAIN: no room now). */
int wire_fd_write(int fd, bool packet, const uint8_t *frame, uint32_t len);
/* Index of interface name now, 0 if it does not exist. */
int wire_ifindex(const char *name);
void wire_fd_close(int fd);

#endif /* UDRV_HV_WIRE_H */
