/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's virtual switch (contract: vswitch.h).
 *
 * One port per NIC that the options mention, created on first use by the
 * host thread and kept for the session, so counters, generators and flow
 * tables survive a guest closing and reopening its NIC. A port has:
 *  - a wire for the frames its NIC sends: none, loop, link (to another
 *    port), TAP interface or sink;
 *  - inputs for its NIC: the wire (loop, the linked port, the TAP), a
 *    generator, and the VF interface's traffic when the data path is VF;
 *  - a bounded receive queue in front of deliver(): frames wait there
 *    while the NIC has no room, in order, and are dropped (counted) when
 *    it is full. A generator in lossless mode never queues: it waits.
 * Frames a NIC sends are only ever queued for a NIC, never delivered from
 * inside vsw_transmit(), so the NIC model is not re-entered.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_model.h"
#include "wire.h"

#define VSW_LOG          "hvsim-vswitch"
#define RXQ_BYTES        (256u * 1024)  /* per port */
#define RXQ_FRAMES       1024u
#define RXQ_WRAP         UINT32_MAX
#define BURST            64u            /* frames per source per poll */
#define RETRY_NS         100000ull      /* NIC or wire pushed back */
#define DOWN_RETRY_NS    1000000ull     /* NIC not up yet (lossless generator) */
#define IO_FAST_NS       20000ull       /* fd polling while traffic flows */
#define IO_SLOW_NS       1000000ull     /* ... and when idle */
#define VF_CHECK_NS      200000000ull   /* looking for the VF interface */

/* Receive queue: records {u32 length, frame} padded to 8 in a byte ring. */
struct rxq {
	uint8_t *buf;
	uint32_t head;                 /* free-running byte offsets */
	uint32_t tail;
	uint32_t count;
	bool busy;                     /* the NIC pushed back on the head */
};

struct port_stats {
	uint64_t tx_frames;            /* NIC -> wire, synthetic path */
	uint64_t tx_bytes;
	uint64_t rx_frames;            /* wire -> NIC, taken by deliver() */
	uint64_t rx_bytes;
	uint64_t vf_tx_frames;         /* read from the VF interface */
	uint64_t vf_tx_bytes;
	uint64_t vf_rx_frames;         /* written to the VF interface */
	uint64_t vf_rx_bytes;
	uint64_t nic_busy;             /* deliver() said -ENOSPC */
	uint64_t tx_pushback;          /* vsw_transmit() said -ENOSPC */
	uint64_t queue_max;
	uint64_t drop_no_wire;
	uint64_t drop_link_down;
	uint64_t drop_queue_full;
	uint64_t drop_nic;             /* deliver() failed */
	uint64_t drop_nic_down;        /* ... with -ENETDOWN: NIC not up */
	uint64_t drop_detached;        /* no NIC attached */
	uint64_t drop_tap;
	uint64_t drop_vf;
	uint64_t drop_bad_frame;       /* runt or oversize */
	uint64_t link_flaps;
	uint64_t datapath_switches;
	uint64_t attaches;
};

struct vsw_port {
	unsigned int index;
	const struct vsw_port_spec *spec;
	uint8_t mac[6];
	const struct vsw_nic_ops *ops; /* NULL while no NIC is attached */
	void *nic;
	bool link_up;
	enum vsw_path path;
	struct rxq rxq;
	int tap_fd;
	char tap_name[IFNAMSIZ];
	int vf_fd;
	int vf_ifindex;
	int vf_err;                    /* last open error, logged once */
	uint64_t vf_check_ns;
	uint64_t io_next_ns;
	uint64_t io_interval_ns;
	struct wire_gen *gen;
	struct wire_sink *sink;
	struct port_stats st;
};

static struct vsw_port ports[VSW_MAX_PORTS];
static bool vsw_ready;
static bool at_armed;                  /* a NIC attached: --at runs */
static uint64_t at_base_ns;
static unsigned int at_next;
static uint8_t io_buf[VSW_MAX_FRAME];

static inline void
lower(uint64_t *next, uint64_t t)
{
	if (t < *next)
		*next = t;
}

/* ---- receive queue ---- */

static inline uint32_t
rec_size(uint32_t len)
{
	return (4 + len + 7) & ~7u;
}

/* Would rxq_put() take a frame of len bytes now? */
static bool
rxq_fits(const struct rxq *q, uint32_t len)
{
	uint32_t need = rec_size(len), pos = q->tail % RXQ_BYTES;
	uint32_t skip = need > RXQ_BYTES - pos ? RXQ_BYTES - pos : 0;

	return q->count < RXQ_FRAMES && q->tail - q->head + skip + need <= RXQ_BYTES;
}

static bool
rxq_put(struct rxq *q, const uint8_t *f, uint32_t len)
{
	uint32_t need = rec_size(len), pos = q->tail % RXQ_BYTES;
	uint32_t skip = need > RXQ_BYTES - pos ? RXQ_BYTES - pos : 0;

	if (!rxq_fits(q, len))
		return false;
	if (skip != 0) {
		/* No record wraps: mark the rest of the ring unused. */
		memcpy(q->buf + pos, &(uint32_t){ RXQ_WRAP }, 4);
		q->tail += skip;
		pos = 0;
	}
	memcpy(q->buf + pos, &len, 4);
	memcpy(q->buf + pos + 4, f, len);
	q->tail += need;
	q->count++;
	return true;
}

static const uint8_t *
rxq_peek(struct rxq *q, uint32_t *len)
{
	uint32_t pos;

	if (q->count == 0)
		return NULL;
	pos = q->head % RXQ_BYTES;
	memcpy(len, q->buf + pos, 4);
	if (*len == RXQ_WRAP) {
		q->head += RXQ_BYTES - pos;
		pos = 0;
		memcpy(len, q->buf, 4);
	}
	return q->buf + pos + 4;
}

static void
rxq_pop(struct rxq *q, uint32_t len)
{
	q->head += rec_size(len);
	q->count--;
	q->busy = false;
}

/* ---- ports ---- */

static void
port_init(struct vsw_port *p, unsigned int i)
{
	const struct vsw_port_spec *s = &vsw_cfg.port[i];
	int fd;

	memset(p, 0, sizeof(*p));
	p->index = i;
	p->spec = s;
	p->link_up = true;
	p->path = VSW_PATH_SYNTHETIC;
	p->tap_fd = -1;
	p->vf_fd = -1;
	p->io_interval_ns = IO_FAST_NS;
	vsw_nic_mac(i, p->mac);
	p->rxq.buf = malloc(RXQ_BYTES);
	if (p->rxq.buf == NULL)
		sim_log(VSW_LOG, "port %u: no memory for the receive queue", i);
	if (s->kind == VSW_WIRE_TAP) {
		snprintf(p->tap_name, sizeof(p->tap_name), "%s", s->tap_name);
		fd = wire_tap_open(p->tap_name);
		if (fd < 0)
			sim_log(VSW_LOG, "port %u: cannot create TAP %s: %s; frames to it"
				" are dropped", i, s->tap_name[0] != '\0' ? s->tap_name :
				"interface", strerror(-fd));
		else if (sim_verbose)
			sim_log(VSW_LOG, "port %u: TAP %s", i, p->tap_name);
		p->tap_fd = fd;
	}
	if (s->kind == VSW_WIRE_SINK) {
		p->sink = wire_sink_create(i, &s->sink);
		if (p->sink == NULL)
			sim_log(VSW_LOG, "port %u: no memory for the sink", i);
	}
	if (s->gen.on) {
		p->gen = wire_gen_create(i, &s->gen);
		if (p->gen == NULL)
			sim_log(VSW_LOG, "port %u: no memory for the generator", i);
	}
}

static void
vsw_init(void)
{
	unsigned int i;

	if (vsw_ready || !vsw_cfg.enabled)
		return;
	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (vsw_cfg.port[i].used)
			port_init(&ports[i], i);
	vsw_ready = true;
}

static struct vsw_port *
port_get(unsigned long index)
{
	vsw_init();
	if (!vsw_ready || index >= VSW_MAX_PORTS || !vsw_cfg.port[index].used)
		return NULL;
	return &ports[index];
}

void
vsw_nic_mac(unsigned int index, uint8_t mac[6])
{
	/* Hyper-V's OUI; the index makes each NIC's MAC known in advance. */
	mac[0] = 0x00;
	mac[1] = 0x15;
	mac[2] = 0x5d;
	mac[3] = 0x00;
	mac[4] = (uint8_t)(index >> 8);
	mac[5] = (uint8_t)index;
}

struct vsw_port *
vsw_attach_nic(unsigned int index, const uint8_t mac[6],
	       const struct vsw_nic_ops *ops, void *nic)
{
	struct vsw_port *p = port_get(index);
	uint64_t now = sim_now_ns();

	if (p == NULL)
		return NULL;
	if (p->ops != NULL)
		sim_log(VSW_LOG, "port %u: a second NIC attaches; the first one is"
			" detached", index);
	memcpy(p->mac, mac, 6);
	p->ops = ops;
	p->nic = nic;
	p->path = VSW_PATH_SYNTHETIC;
	if (p->gen != NULL) {
		wire_gen_set_dst(p->gen, mac);
		if (p->st.attaches == 0 && p->spec->gen.start_ms >= 0)
			wire_gen_start(p->gen, now + (uint64_t)p->spec->gen.start_ms * 1000000ull);
	}
	p->st.attaches++;
	if (!at_armed) {
		at_armed = true;
		at_base_ns = now;
	}
	return p;
}

void
vsw_detach_nic(struct vsw_port *p)
{
	uint32_t len;

	if (p == NULL)
		return;
	p->ops = NULL;
	p->nic = NULL;
	p->path = VSW_PATH_SYNTHETIC;
	/* What waited for this NIC is gone with it. */
	while (rxq_peek(&p->rxq, &len) != NULL) {
		rxq_pop(&p->rxq, len);
		p->st.drop_detached++;
	}
}

bool
vsw_link_up(const struct vsw_port *p)
{
	return p != NULL && p->link_up;
}

const char *
vsw_vf_ifname(const struct vsw_port *p)
{
	return p != NULL && p->spec->vf ? p->spec->vf_name : NULL;
}

uint32_t
vsw_vf_serial(const struct vsw_port *p)
{
	return p != NULL && p->spec->vf ? p->spec->vf_serial : 0;
}

void
vsw_set_datapath(struct vsw_port *p, enum vsw_path path)
{
	if (p == NULL || p->path == path)
		return;
	p->path = path;
	p->st.datapath_switches++;
	if (sim_verbose)
		sim_log(VSW_LOG, "port %u: data path %s", p->index,
			path == VSW_PATH_VF ? "VF" : "synthetic");
}

/* ---- VF interface ---- */

static void
vf_close(struct vsw_port *p)
{
	wire_fd_close(p->vf_fd);
	p->vf_fd = -1;
	p->vf_ifindex = 0;
}

/* Open the VF socket when the interface appears (the guest may create it
 * after the host starts), and again when it is re-created.
 */
static void
vf_check(struct vsw_port *p, uint64_t now, uint64_t *next)
{
	int idx, fd;

	if (!p->spec->vf)
		return;
	if (now < p->vf_check_ns) {
		lower(next, p->vf_check_ns);
		return;
	}
	p->vf_check_ns = now + VF_CHECK_NS;
	lower(next, p->vf_check_ns);
	idx = wire_ifindex(p->spec->vf_name);
	if (p->vf_fd >= 0 && idx == p->vf_ifindex)
		return;
	if (p->vf_fd >= 0) {
		sim_log(VSW_LOG, "port %u: VF interface %s went away", p->index,
			p->spec->vf_name);
		vf_close(p);
	}
	if (idx == 0)
		return;
	fd = wire_packet_open(p->spec->vf_name, &p->vf_ifindex);
	if (fd < 0) {
		if (fd != p->vf_err)
			sim_log(VSW_LOG, "port %u: cannot open VF interface %s: %s",
				p->index, p->spec->vf_name, strerror(-fd));
		p->vf_err = fd;
		return;
	}
	p->vf_fd = fd;
	p->vf_err = 0;
	p->io_next_ns = now;
	if (sim_verbose)
		sim_log(VSW_LOG, "port %u: VF interface %s (ifindex %d)", p->index,
			p->spec->vf_name, p->vf_ifindex);
}

/* Toward the guest's VF. Returns 0 or -EAGAIN (socket full, hold only). */
static int
vf_output(struct vsw_port *p, const uint8_t *f, uint32_t len, bool hold)
{
	int r;

	if (p->vf_fd < 0) {
		if (hold)
			return -EAGAIN;
		p->st.drop_vf++;
		return 0;
	}
	r = wire_fd_write(p->vf_fd, true, f, len);
	if (r == -EAGAIN && hold)
		return r;
	if (r < 0) {
		p->st.drop_vf++;
		if (r == -ENXIO || r == -ENODEV) {
			vf_close(p);
			p->vf_check_ns = 0;
		}
		return 0;
	}
	p->st.vf_rx_frames++;
	p->st.vf_rx_bytes += len;
	return 0;
}

/* ---- forwarding ---- */

static bool
vf_selected(const struct vsw_port *p, const uint8_t *f)
{
	/* Unicast for the NIC's MAC takes the VF; broadcast and multicast
	 * stay synthetic, as on Hyper-V.
	 */
	return p->path == VSW_PATH_VF && p->spec->vf && !(f[0] & 1) &&
	       memcmp(f, p->mac, 6) == 0;
}

static void
count_nic_error(struct vsw_port *p, int r)
{
	if (r == -ENETDOWN)
		p->st.drop_nic_down++;
	else
		p->st.drop_nic++;
}

/*
 * A frame from the wire for port p's NIC. direct: deliver() may be
 * called now (not from inside the NIC model). hold: the caller keeps a
 * frame that cannot go at once (lossless generator) instead of queueing
 * or dropping it: -EAGAIN then, or -ENETDOWN while the NIC cannot
 * receive at all (not attached, or its guest not ready).
 */
static int
port_input(struct vsw_port *p, const uint8_t *f, uint32_t len, bool direct, bool hold)
{
	bool refused = false;
	int r;

	if (!p->link_up) {
		p->st.drop_link_down++;
		return 0;
	}
	if (vf_selected(p, f))
		return vf_output(p, f, len, hold);
	if (p->ops == NULL) {
		if (hold)
			return -ENETDOWN;
		p->st.drop_detached++;
		return 0;
	}
	if (direct && p->rxq.count == 0) {
		r = p->ops->deliver(p->nic, f, len);
		if (r == 0) {
			p->st.rx_frames++;
			p->st.rx_bytes += len;
			return 0;
		}
		if (r == -ENETDOWN && hold)
			return r;
		if (r != -ENOSPC) {
			count_nic_error(p, r);
			return 0;
		}
		p->st.nic_busy++;
		refused = true;
	}
	if (hold)
		return -EAGAIN;
	if (p->rxq.buf == NULL || !rxq_put(&p->rxq, f, len)) {
		p->st.drop_queue_full++;
		return 0;
	}
	/* The NIC just refused the new head: drain_rxq need not count it. */
	p->rxq.busy |= refused;
	if (p->rxq.count > p->st.queue_max)
		p->st.queue_max = p->rxq.count;
	return 0;
}

/* The port a loop or link wire feeds; NULL for other wires. */
static struct vsw_port *
wire_peer(struct vsw_port *p)
{
	if (p->spec->kind == VSW_WIRE_LOOP)
		return p;
	if (p->spec->kind == VSW_WIRE_LINK)
		return &ports[p->spec->peer];
	return NULL;
}

/*
 * A wire between two NICs (loop, link) is flow-controlled: while the
 * receiving port's queue cannot take the frame, the sender waits, as a
 * sink that is over its rate makes it wait. Frames the receiver would
 * drop anyway (link down, NIC detached, VF path) do not wait.
 */
static bool
wire_peer_fits(struct vsw_port *p, const uint8_t *f, uint32_t len)
{
	const struct vsw_port *dst = wire_peer(p);

	if (dst == NULL || !dst->link_up || dst->ops == NULL ||
	    dst->rxq.buf == NULL || vf_selected(dst, f))
		return true;
	return rxq_fits(&dst->rxq, len);
}

/* A frame the NIC sent (synthetic path or VF) goes onto its wire. */
static void
wire_output(struct vsw_port *p, const uint8_t *f, uint32_t len)
{
	struct vsw_port *dst = wire_peer(p);

	if (dst != NULL) {
		port_input(dst, f, len, false, false);
		return;
	}
	switch (p->spec->kind) {
	case VSW_WIRE_TAP:
		if (p->tap_fd < 0 || wire_fd_write(p->tap_fd, false, f, len) < 0)
			p->st.drop_tap++;
		break;
	case VSW_WIRE_SINK:
		if (p->sink != NULL)
			wire_sink_consume(p->sink, f, len, sim_now_ns());
		break;
	default:
		p->st.drop_no_wire++;
		break;
	}
}

int
vsw_transmit(struct vsw_port *p, const uint8_t *f, uint32_t len)
{
	if (p == NULL)
		return 0;
	if (len < 14 || len > VSW_MAX_FRAME) {
		p->st.drop_bad_frame++;
		return 0;
	}
	if (!p->link_up) {
		p->st.drop_link_down++;
		return 0;
	}
	if ((p->sink != NULL && !wire_sink_admit(p->sink, sim_now_ns())) ||
	    !wire_peer_fits(p, f, len)) {
		p->st.tx_pushback++;
		return -ENOSPC;
	}
	p->st.tx_frames++;
	p->st.tx_bytes += len;
	wire_output(p, f, len);
	return 0;
}

/* ---- polling ---- */

/* Offer queued frames to the NIC again. */
static bool
drain_rxq(struct vsw_port *p, uint64_t now, uint64_t *next)
{
	const uint8_t *f;
	uint32_t len;
	bool work = false;
	int r;

	if (p->ops == NULL)
		return false;
	while ((f = rxq_peek(&p->rxq, &len)) != NULL) {
		r = p->ops->deliver(p->nic, f, len);
		if (r == -ENOSPC) {
			if (!p->rxq.busy)
				p->st.nic_busy++;
			p->rxq.busy = true;
			lower(next, now + RETRY_NS);
			break;
		}
		if (r == 0) {
			p->st.rx_frames++;
			p->st.rx_bytes += len;
		} else {
			count_nic_error(p, r);
		}
		rxq_pop(&p->rxq, len);
		work = true;
	}
	return work;
}

/* Read the TAP and the VF socket, at a pace that follows the traffic. */
static bool
poll_fds(struct vsw_port *p, uint64_t now, uint64_t *next)
{
	unsigned int n = 0, i;
	int r;

	if (p->tap_fd < 0 && p->vf_fd < 0)
		return false;
	if (now < p->io_next_ns) {
		lower(next, p->io_next_ns);
		return false;
	}
	for (i = 0; p->tap_fd >= 0 && i < BURST; i++) {
		r = wire_fd_read(p->tap_fd, false, io_buf, sizeof(io_buf));
		if (r == -EMSGSIZE) {
			p->st.drop_bad_frame++;
			continue;
		}
		if (r <= 0)
			break;
		port_input(p, io_buf, (uint32_t)r, true, false);
		n++;
	}
	for (i = 0; p->vf_fd >= 0 && i < BURST; i++) {
		r = wire_fd_read(p->vf_fd, true, io_buf, sizeof(io_buf));
		if (r == -EMSGSIZE) {
			p->st.drop_bad_frame++;
			continue;
		}
		if (r < 0) {
			/* The interface went down or away: look again later. */
			vf_close(p);
			p->vf_check_ns = now + VF_CHECK_NS;
			break;
		}
		if (r == 0)
			break;
		/* The guest's VF sent it: it counts as sent by the NIC. */
		p->st.vf_tx_frames++;
		p->st.vf_tx_bytes += (uint32_t)r;
		if (p->link_up)
			wire_output(p, io_buf, (uint32_t)r);
		else
			p->st.drop_link_down++;
		n++;
	}
	if (n == 0) {
		p->io_interval_ns *= 2;
		if (p->io_interval_ns > IO_SLOW_NS)
			p->io_interval_ns = IO_SLOW_NS;
	} else {
		p->io_interval_ns = IO_FAST_NS;
	}
	p->io_next_ns = n >= BURST ? now : now + p->io_interval_ns;
	lower(next, p->io_next_ns);
	return n != 0;
}

static bool
run_gen(struct vsw_port *p, uint64_t now, uint64_t *next)
{
	struct wire_gen *g = p->gen;
	const uint8_t *f;
	unsigned int n;
	uint32_t len;
	int r;

	/* A generator whose link is down waits, as a real one would. */
	if (g == NULL || !p->link_up)
		return false;
	for (n = 0; n < BURST; n++) {
		f = wire_gen_peek(g, now, &len, next);
		if (f == NULL)
			break;
		r = port_input(p, f, len, true, wire_gen_lossless(g));
		if (r != 0) {
			wire_gen_blocked(g);
			lower(next, now + (r == -ENETDOWN ? DOWN_RETRY_NS : RETRY_NS));
			break;
		}
		wire_gen_sent(g, now);
	}
	if (n == BURST)
		lower(next, now);
	return n != 0;
}

/* ---- link state ---- */

static void
set_link(struct vsw_port *p, bool up, uint64_t now)
{
	struct vsw_port *ends[2] = { p, NULL };
	unsigned int i;

	/* A cable goes down at both ends. */
	if (p->spec->kind == VSW_WIRE_LINK)
		ends[1] = &ports[p->spec->peer];
	for (i = 0; i < 2; i++) {
		struct vsw_port *q = ends[i];

		if (q == NULL || q->link_up == up)
			continue;
		q->link_up = up;
		if (!up)
			q->st.link_flaps++;
		if (up && q->gen != NULL)
			wire_gen_resume(q->gen, now);
		if (q->ops != NULL && q->ops->link != NULL)
			q->ops->link(q->nic, up);
	}
}

/* ---- report ---- */

static int
port_report(const struct vsw_port *p, char *buf, size_t len)
{
	const struct port_stats *s = &p->st;
	char wire[IFNAMSIZ + 8];

	if (p->spec->kind == VSW_WIRE_LINK)
		snprintf(wire, sizeof(wire), "link:%u", p->spec->peer);
	else if (p->spec->kind == VSW_WIRE_TAP)
		snprintf(wire, sizeof(wire), "tap:%s",
			 p->tap_fd >= 0 ? p->tap_name : "(none)");
	else
		snprintf(wire, sizeof(wire), "%s", vsw_wire_kind_names[p->spec->kind]);
	return snprintf(buf, len,
		"port=%u mac=%02x:%02x:%02x:%02x:%02x:%02x wire=%s link=%s nic=%s "
		"datapath=%s vf=%s vf_open=%s tx_frames=%" PRIu64 " tx_bytes=%" PRIu64
		" rx_frames=%" PRIu64 " rx_bytes=%" PRIu64 " vf_tx_frames=%" PRIu64
		" vf_tx_bytes=%" PRIu64 " vf_rx_frames=%" PRIu64 " vf_rx_bytes=%" PRIu64
		" queued=%u queue_max=%" PRIu64 " nic_busy=%" PRIu64
		" tx_pushback=%" PRIu64 " drop_no_wire=%" PRIu64
		" drop_link_down=%" PRIu64 " drop_queue_full=%" PRIu64
		" drop_nic=%" PRIu64 " drop_nic_down=%" PRIu64
		" drop_detached=%" PRIu64 " drop_tap=%" PRIu64
		" drop_vf=%" PRIu64 " drop_bad_frame=%" PRIu64 " link_flaps=%" PRIu64
		" datapath_switches=%" PRIu64 " attaches=%" PRIu64 "\n",
		p->index, p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4],
		p->mac[5], wire, p->link_up ? "up" : "down",
		p->ops != NULL ? "attached" : "detached",
		p->path == VSW_PATH_VF ? "vf" : "synthetic",
		p->spec->vf ? p->spec->vf_name : "-", p->vf_fd >= 0 ? "yes" : "no",
		s->tx_frames, s->tx_bytes, s->rx_frames, s->rx_bytes,
		s->vf_tx_frames, s->vf_tx_bytes, s->vf_rx_frames, s->vf_rx_bytes,
		p->rxq.count, s->queue_max, s->nic_busy, s->tx_pushback,
		s->drop_no_wire, s->drop_link_down, s->drop_queue_full, s->drop_nic,
		s->drop_nic_down,
		s->drop_detached, s->drop_tap, s->drop_vf, s->drop_bad_frame,
		s->link_flaps, s->datapath_switches, s->attaches);
}

/* Like snprintf: returns the length the whole report needs. */
static int
report(bool final, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i, pass;
	int n;

	if (len > 0)
		buf[0] = '\0';
	vsw_init();
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < VSW_MAX_PORTS; i++) {
			const struct vsw_port *p = &ports[i];

			if (!vsw_ready || !vsw_cfg.port[i].used)
				continue;
			if (pass == 0)
				n = port_report(p, buf + off, off < len ? len - off : 0);
			else if (pass == 1 && p->gen != NULL)
				n = wire_gen_report(p->gen, final, buf + off,
						    off < len ? len - off : 0);
			else if (pass == 2 && p->sink != NULL)
				n = wire_sink_report(p->sink, final, buf + off,
						     off < len ? len - off : 0);
			else
				continue;
			if (n > 0)
				off += (size_t)n;
		}
	}
	return (int)off;
}

int
vsw_report(char *buf, unsigned int len)
{
	return report(false, buf, len);
}

static void
write_report_file(const char *text, size_t len)
{
	int fd;

	if (vsw_cfg.report[0] == '\0')
		return;
	fd = sim_raw_open(vsw_cfg.report, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || sim_raw_write(fd, text, len) != (ssize_t)len)
		sim_log(VSW_LOG, "cannot write report %s", vsw_cfg.report);
	if (fd >= 0)
		sim_raw_close(fd);
}

/* The whole report in a fresh buffer (NULL if out of memory). */
static char *
report_alloc(bool final, size_t *len)
{
	size_t size = (size_t)report(final, NULL, 0) + 1;
	char *text = malloc(size);

	if (text == NULL)
		return NULL;
	*len = (size_t)report(final, text, size);
	return text;
}

/* ---- control commands ---- */

bool
vsw_ctl_verb(const char *verb)
{
	return strcmp(verb, "wire") == 0 || strcmp(verb, "gen") == 0 ||
	       strcmp(verb, "vswitch") == 0;
}

int
vsw_ctl(const char *cmd, char *out, size_t len)
{
	char verb[16] = "", what[16] = "", arg[24] = "";
	unsigned long index = VSW_MAX_PORTS;
	uint64_t now = sim_now_ns();
	struct vsw_port *p;
	char *end;
	int nf;

	out[0] = '\0';
	nf = sscanf(cmd, "%15s %lu %15s %23s", verb, &index, what, arg);
	if (!vsw_ctl_verb(verb))
		return -ENOSYS;
	if (strcmp(verb, "vswitch") == 0) {
		size_t n;
		char *text;

		if (sscanf(cmd, "%*s %15s", what) != 1 || strcmp(what, "report") != 0) {
			snprintf(out, len, "usage: vswitch report\n");
			return -EINVAL;
		}
		text = report_alloc(false, &n);
		if (text == NULL)
			return -ENOMEM;
		write_report_file(text, n);
		snprintf(out, len, "%s", text);
		free(text);
		return 0;
	}
	p = nf >= 2 ? port_get(index) : NULL;
	if (p == NULL) {
		snprintf(out, len, "%s: no switch port %s\n", verb,
			 nf >= 2 ? "with that index" : "given");
		return -ENODEV;
	}
	if (strcmp(verb, "wire") == 0) {
		if (nf != 3 || (strcmp(what, "up") != 0 && strcmp(what, "down") != 0)) {
			snprintf(out, len, "usage: wire <nic> up|down\n");
			return -EINVAL;
		}
		set_link(p, what[0] == 'u', now);
		return 0;
	}
	/* gen */
	if (p->gen == NULL) {
		snprintf(out, len, "gen: NIC %lu has no generator\n", index);
		return -ENOENT;
	}
	if (nf == 3 && strcmp(what, "start") == 0) {
		wire_gen_start(p->gen, now);
		return 0;
	}
	if (nf == 3 && strcmp(what, "stop") == 0) {
		wire_gen_stop(p->gen);
		return 0;
	}
	if (nf == 4 && strcmp(what, "rate") == 0) {
		uint64_t pps = 0;

		if (strcmp(arg, "max") != 0) {
			pps = strtoull(arg, &end, 10);
			if (*end != '\0' || pps == 0 || pps > 100000000) {
				snprintf(out, len, "gen: bad rate %s\n", arg);
				return -EINVAL;
			}
		}
		wire_gen_set_rate(p->gen, pps, now);
		return 0;
	}
	snprintf(out, len, "usage: gen <nic> start|stop|rate <pps|max>\n");
	return -EINVAL;
}

/* Scheduled commands (--at), timed from the first NIC attach. */
static void
run_at(uint64_t now, uint64_t *next)
{
	char reply[512];

	while (at_armed && at_next < vsw_cfg.nat) {
		const struct vsw_at *a = &vsw_cfg.at[at_next];
		uint64_t t = at_base_ns + a->ms * 1000000ull;
		int r;

		if (now < t) {
			lower(next, t);
			return;
		}
		at_next++;
		r = hv_ctl_exec(a->cmd, reply, sizeof(reply));
		reply[strcspn(reply, "\n")] = '\0';
		if (r < 0)
			sim_log(VSW_LOG, "--at %" PRIu64 ":%s failed: %s%s%s", a->ms,
				a->cmd, strerror(-r), reply[0] != '\0' ? ": " : "", reply);
		else if (sim_verbose)
			sim_log(VSW_LOG, "--at %" PRIu64 ":%s done", a->ms, a->cmd);
	}
}

bool
vsw_poll(uint64_t now, uint64_t *next_ns)
{
	bool work = false;
	unsigned int i;

	if (!vsw_cfg.enabled)
		return false;
	vsw_init();
	run_at(now, next_ns);
	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = &ports[i];

		if (!vsw_cfg.port[i].used)
			continue;
		vf_check(p, now, next_ns);
		work |= drain_rxq(p, now, next_ns);
		work |= poll_fds(p, now, next_ns);
		work |= run_gen(p, now, next_ns);
	}
	/* Frames went to NICs: let the host serve their channels at once. */
	if (work)
		lower(next_ns, now);
	return work;
}

void
vsw_fini(void)
{
	unsigned int i;
	size_t n;
	char *text;

	if (!vsw_cfg.enabled)
		return;
	vsw_init();
	text = report_alloc(true, &n);
	if (text != NULL) {
		static const char head[] = "vswitch report:\n";

		/* stderr may be gone; the file still gets the report. */
		if (sim_raw_write(2, head, sizeof(head) - 1) > 0)
			(void)!sim_raw_write(2, text, n);
		write_report_file(text, n);
		free(text);
	}
	for (i = 0; i < VSW_MAX_PORTS; i++) {
		struct vsw_port *p = &ports[i];

		if (!vsw_cfg.port[i].used)
			continue;
		wire_fd_close(p->tap_fd);
		vf_close(p);
		wire_gen_destroy(p->gen);
		wire_sink_destroy(p->sink);
		free(p->rxq.buf);
		memset(p, 0, sizeof(*p));
	}
	vsw_ready = false;
	at_armed = false;
	at_next = 0;
}
