/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic generator and sink of the virtual switch.
 *
 * A generator builds Ethernet/IPv4 (optionally 802.1Q-tagged) UDP or TCP
 * frames for one NIC, round-robin over its flows, each frame carrying a
 * stamp at the start of the L4 payload:
 *
 *   0  u16 magic 0x5653 ("VS")      8  u32 sequence number within the flow
 *   2  u8  generator id (NIC index) 12 u32 FNV-1a of the L4 payload with
 *   3  u8  version 1                       this field taken as zero
 *   4  u16 flow
 *   6  u16 L4 payload length (stamp included)          (all big-endian)
 *
 * and a pattern that depends on the flow and sequence number after it,
 * so the hash also catches a payload mixed from two frames.
 *
 * A sink checks every frame a NIC sends: headers and checksums as the NIC
 * produced them, then the stamp, and then the flow's sequence against the
 * receive side of the generator's own flow table. Generator and sink live
 * in one process, so loss is exact: what was sent minus what arrived.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define STAMP_MAGIC     0x5653
#define STAMP_VERSION   1
#define STAMP_LEN       16
#define WIN_BITS        512            /* per-flow memory for dup/reorder */
#define ETH_HLEN        14
#define VLAN_HLEN       4
#define ETH_P_IPV4      0x0800
#define ETH_P_VLAN      0x8100
#define IPV4_HLEN       20
#define UDP_HLEN        8
#define TCP_HLEN        20
#define SINK_BURST      32             /* frames a rate-limited sink may bunch */
#define NS_PER_S        1000000000ull

/* Receive side of one flow. */
struct flow_rx {
	uint64_t top;                  /* highest sequence received + 1 */
	uint64_t uniq;                 /* distinct sequences received */
	uint64_t win[WIN_BITS / 64];   /* seq % WIN_BITS, for [top - WIN_BITS, top) */
};

enum gen_state {
	GEN_WAITING,                   /* until start_ns */
	GEN_RUNNING,
	GEN_STOPPED,
	GEN_DONE,                      /* count or duration reached */
};

static const char *const gen_state_names[] = {
	"waiting", "running", "stopped", "done",
};

struct wire_gen {
	unsigned int id;
	struct vsw_gen_spec spec;
	uint8_t dst[6];
	uint8_t src[6];
	enum gen_state state;
	uint64_t start_ns;             /* GEN_WAITING; UINT64_MAX: until told */
	uint64_t run_ns;               /* this run began */
	uint64_t run_sent;             /* sent when it began */
	uint64_t pace_ns;              /* pacing origin ... */
	uint64_t pace_sent;            /* ... and frames sent before it */
	uint64_t sent;
	uint64_t sent_bytes;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t blocked;              /* frames the wire pushed back */
	bool waiting;                  /* the pending frame was pushed back */
	uint32_t rng;
	bool pending;
	uint32_t pending_len;
	/* receive side, fed by every sink */
	uint64_t duplicated;
	uint64_t reordered;
	struct flow_rx *flow;
	uint8_t frame[VSW_MAX_FRAME];
};

struct wire_sink {
	unsigned int id;
	struct vsw_sink_spec spec;
	uint64_t frames;
	uint64_t bytes;
	uint64_t received;             /* intact stamped frames */
	uint64_t nostamp;
	uint64_t corrupt;
	uint64_t bad_ip_csum;
	uint64_t bad_l4_csum;
	uint64_t oversize;
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t pushback;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t credit;               /* token bucket, frames x 1e9 */
	uint64_t credit_ns;
	bool from_gen[VSW_MAX_PORTS];
};

/* The generators by id, for the sinks. */
static struct wire_gen *gens[VSW_MAX_PORTS];

/* ---- byte order and checksums ----
 * Deliberately not nic_offload.c's: the sink checks what the NIC model
 * computed, so it must not share its code.
 */

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 sum of big-endian 16-bit words, not yet folded. */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the IPv4 pseudo-header of an L4 segment of l4len bytes. */
static uint32_t
pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4len)
{
	return sum16(0, ip + 12, 8) + proto + l4len;
}

/* FNV-1a over the payload, the stamp's checksum field read as zero. */
static uint32_t
payload_hash(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u;
	uint32_t i;

	for (i = 0; i < len; i++) {
		uint8_t b = i >= 12 && i < 16 ? 0 : p[i];

		h = (h ^ b) * 16777619u;
	}
	return h;
}

static inline uint8_t
pattern_byte(uint32_t flow, uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 13u + flow * 7u + off);
}

/* ---- generator ---- */

struct wire_gen *
wire_gen_create(unsigned int id, const struct vsw_gen_spec *spec)
{
	struct wire_gen *g;

	if (id >= VSW_MAX_PORTS || spec->flows == 0 || spec->flows > VSW_MAX_FLOWS)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->flow = calloc(spec->flows, sizeof(*g->flow));
	if (g->flow == NULL) {
		free(g);
		return NULL;
	}
	g->id = id;
	g->spec = *spec;
	g->state = GEN_WAITING;
	g->start_ns = UINT64_MAX;
	g->rng = 0x9e3779b9u ^ (id + 1) * 2654435761u;
	/* Locally administered, "vs" and the generator id. */
	memcpy(g->src, (const uint8_t[6]){ 0x02, 0x76, 0x73, 0x00, 0x00, (uint8_t)id }, 6);
	vsw_nic_mac(id, g->dst);
	gens[id] = g;
	return g;
}

void
wire_gen_destroy(struct wire_gen *g)
{
	if (g == NULL)
		return;
	if (gens[g->id] == g)
		gens[g->id] = NULL;
	free(g->flow);
	free(g);
}

void
wire_gen_set_dst(struct wire_gen *g, const uint8_t mac[6])
{
	memcpy(g->dst, mac, 6);
}

bool
wire_gen_lossless(const struct wire_gen *g)
{
	return g->spec.lossless;
}

void
wire_gen_start(struct wire_gen *g, uint64_t at_ns)
{
	g->state = GEN_WAITING;
	g->start_ns = at_ns;
}

void
wire_gen_stop(struct wire_gen *g)
{
	g->state = GEN_STOPPED;
	g->pending = false;            /* built, never sent: not counted */
	g->waiting = false;
}

void
wire_gen_resume(struct wire_gen *g, uint64_t now)
{
	g->pace_ns = now;
	g->pace_sent = g->sent;
}

void
wire_gen_set_rate(struct wire_gen *g, uint64_t pps, uint64_t now)
{
	g->spec.rate_pps = pps;
	wire_gen_resume(g, now);
}

static uint32_t
next_rand(struct wire_gen *g)
{
	/* xorshift32: reproducible from run to run */
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 17;
	g->rng ^= g->rng << 5;
	return g->rng;
}

static uint32_t
pick_size(struct wire_gen *g)
{
	/* Simple IMIX 7:4:1, interleaved. */
	static const uint16_t imix[12] = {
		64, 570, 64, 64, 1518, 64, 570, 64, 570, 64, 64, 570,
	};

	switch (g->spec.size_mode) {
	case VSW_SIZE_RANGE:
		return g->spec.size_min +
		       next_rand(g) % (g->spec.size_max - g->spec.size_min + 1);
	case VSW_SIZE_IMIX:
		return imix[g->sent % 12];
	default:
		return g->spec.size_min;
	}
}

/* Build frame number g->sent; returns its length. */
static uint32_t
build_frame(struct wire_gen *g)
{
	bool tcp = g->spec.proto == IPPROTO_TCP;
	uint32_t flow = (uint32_t)(g->sent % g->spec.flows);
	uint32_t seq = (uint32_t)(g->sent / g->spec.flows);
	uint32_t l4h = tcp ? TCP_HLEN : UDP_HLEN;
	uint32_t l2 = ETH_HLEN + (g->spec.vlan >= 0 ? VLAN_HLEN : 0);
	uint32_t hdrs = l2 + IPV4_HLEN + l4h;
	uint32_t len = pick_size(g) - 4;   /* the FCS is not carried */
	uint32_t plen, i;
	uint8_t *f = g->frame, *ip, *l4, *pl;

	/* Too small for headers and stamp (64-byte TCP or tagged frames):
	 * the frame grows rather than lose its stamp.
	 */
	if (len < hdrs + STAMP_LEN)
		len = hdrs + STAMP_LEN;
	if (len > VSW_MAX_FRAME)
		len = VSW_MAX_FRAME;
	plen = len - hdrs;

	memcpy(f, g->dst, 6);
	memcpy(f + 6, g->src, 6);
	if (g->spec.vlan >= 0) {
		put16(f + 12, ETH_P_VLAN);
		put16(f + 14, (uint16_t)g->spec.vlan);
	}
	put16(f + l2 - 2, ETH_P_IPV4);

	ip = f + l2;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(len - l2));
	put16(ip + 4, (uint16_t)g->sent);
	put16(ip + 6, 0x4000);             /* DF */
	ip[8] = 64;
	ip[9] = g->spec.proto;
	put16(ip + 10, 0);
	/* Benchmarking addresses (RFC 2544); the source varies per flow so
	 * that an IPv4 2-tuple hash (all netvsc offers for UDP) spreads too.
	 */
	ip[12] = 198, ip[13] = 18, ip[14] = (uint8_t)(flow >> 8), ip[15] = (uint8_t)flow;
	ip[16] = 198, ip[17] = 19, ip[18] = 0, ip[19] = (uint8_t)(g->id + 1);
	put16(ip + 10, fold(sum16(0, ip, IPV4_HLEN)));

	l4 = ip + IPV4_HLEN;
	put16(l4, (uint16_t)(1024 + flow));
	put16(l4 + 2, (uint16_t)(5001 + (flow & 15)));
	if (tcp) {
		put32(l4 + 4, seq * 1460u);
		put32(l4 + 8, 1);
		l4[12] = (TCP_HLEN / 4) << 4;
		l4[13] = 0x18;             /* PSH, ACK */
		put16(l4 + 14, 0xffff);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
	} else {
		put16(l4 + 4, (uint16_t)(UDP_HLEN + plen));
		put16(l4 + 6, 0);
	}

	pl = l4 + l4h;
	put16(pl, STAMP_MAGIC);
	pl[2] = (uint8_t)g->id;
	pl[3] = STAMP_VERSION;
	put16(pl + 4, (uint16_t)flow);
	put16(pl + 6, (uint16_t)plen);
	put32(pl + 8, seq);
	for (i = STAMP_LEN; i < plen; i++)
		pl[i] = pattern_byte(flow, seq, i);
	put32(pl + 12, payload_hash(pl, plen));

	{
		uint16_t c = fold(sum16(pseudo_sum(ip, g->spec.proto, l4h + plen),
					l4, l4h + plen));

		/* UDP sends a computed 0 as 0xffff (0 means "none"). */
		if (!tcp && c == 0)
			c = 0xffff;
		put16(l4 + (tcp ? 16 : 6), c);
	}
	return len;
}

/* When frame number i since the pacing origin is due. */
static uint64_t
frame_due_ns(const struct wire_gen *g, uint64_t i)
{
	uint64_t r = g->spec.rate_pps;

	return g->pace_ns + i / r * NS_PER_S + i % r * NS_PER_S / r;
}

static void
lower(uint64_t *next, uint64_t t)
{
	if (t < *next)
		*next = t;
}

const uint8_t *
wire_gen_peek(struct wire_gen *g, uint64_t now, uint32_t *len, uint64_t *next_ns)
{
	if (g->pending) {
		*len = g->pending_len;
		return g->frame;
	}
	if (g->state == GEN_WAITING) {
		if (g->start_ns == UINT64_MAX)
			return NULL;
		if (now < g->start_ns) {
			lower(next_ns, g->start_ns);
			return NULL;
		}
		g->state = GEN_RUNNING;
		g->run_ns = now;
		g->run_sent = g->sent;
		wire_gen_resume(g, now);
	}
	if (g->state != GEN_RUNNING)
		return NULL;
	if ((g->spec.count != 0 && g->sent - g->run_sent >= g->spec.count) ||
	    (g->spec.duration_ms != 0 &&
	     now - g->run_ns >= g->spec.duration_ms * 1000000ull)) {
		g->state = GEN_DONE;
		return NULL;
	}
	if (g->spec.rate_pps != 0) {
		uint64_t due = frame_due_ns(g, g->sent - g->pace_sent);

		if (now < due) {
			lower(next_ns, due);
			return NULL;
		}
	}
	g->pending_len = build_frame(g);
	g->pending = true;
	*len = g->pending_len;
	return g->frame;
}

void
wire_gen_sent(struct wire_gen *g, uint64_t now)
{
	if (!g->pending)
		return;
	/* After a wait, pacing starts again from here: the rate is a
	 * ceiling, never made up for by a burst.
	 */
	if (g->waiting && g->spec.rate_pps != 0)
		wire_gen_resume(g, now);
	g->pending = false;
	g->waiting = false;
	if (g->sent == 0)
		g->first_ns = now;
	g->last_ns = now;
	g->sent++;
	g->sent_bytes += g->pending_len;
}

void
wire_gen_blocked(struct wire_gen *g)
{
	if (!g->waiting)
		g->blocked++;
	g->waiting = true;
}

/* ---- receive side of a flow ---- */

enum seq_verdict {
	SEQ_NEW,
	SEQ_REORDERED,
	SEQ_DUPLICATE,
};

static inline bool
win_test(const struct flow_rx *fr, uint64_t s)
{
	return fr->win[s % WIN_BITS / 64] >> (s % 64) & 1;
}

static inline void
win_set(struct flow_rx *fr, uint64_t s, bool on)
{
	uint64_t bit = 1ull << (s % 64);

	if (on)
		fr->win[s % WIN_BITS / 64] |= bit;
	else
		fr->win[s % WIN_BITS / 64] &= ~bit;
}

static enum seq_verdict
flow_receive(struct flow_rx *fr, uint32_t seq32)
{
	/* Widen the 32-bit sequence around what was seen so far. */
	int64_t s = (int64_t)fr->top + (int32_t)(seq32 - (uint32_t)fr->top);
	uint64_t i;

	if (s < 0)
		s = 0;
	if ((uint64_t)s >= fr->top) {
		if ((uint64_t)s - fr->top >= WIN_BITS)
			memset(fr->win, 0, sizeof(fr->win));
		else
			for (i = fr->top; i < (uint64_t)s; i++)
				win_set(fr, i, false);
		win_set(fr, (uint64_t)s, true);
		fr->top = (uint64_t)s + 1;
		fr->uniq++;
		return SEQ_NEW;
	}
	if (fr->top - (uint64_t)s > WIN_BITS) {
		/* Older than the window remembers: taken as a late first copy. */
		fr->uniq++;
		return SEQ_REORDERED;
	}
	if (win_test(fr, (uint64_t)s))
		return SEQ_DUPLICATE;
	win_set(fr, (uint64_t)s, true);
	fr->uniq++;
	return SEQ_REORDERED;
}

/* Sent frames of flow f so far (frames go round-robin over the flows). */
static uint64_t
flow_sent(const struct wire_gen *g, uint32_t f)
{
	return g->sent / g->spec.flows + (f < g->sent % g->spec.flows ? 1 : 0);
}

struct gen_rx_totals {
	uint64_t received;
	uint64_t lost;
	uint64_t in_flight;
};

static void
gen_rx_totals(const struct wire_gen *g, bool final, struct gen_rx_totals *t)
{
	uint32_t f;

	memset(t, 0, sizeof(*t));
	for (f = 0; f < g->spec.flows; f++) {
		const struct flow_rx *fr = &g->flow[f];
		uint64_t sent = flow_sent(g, f);
		uint64_t top = fr->top < sent ? fr->top : sent;
		uint64_t uniq = fr->uniq < top ? fr->uniq : top;

		t->received += fr->uniq;
		t->lost += top - uniq;           /* gaps below the newest */
		if (final)
			t->lost += sent - top;   /* never arrived */
		else
			t->in_flight += sent - top;
	}
}

/* ---- sink ---- */

struct wire_sink *
wire_sink_create(unsigned int id, const struct vsw_sink_spec *spec)
{
	struct wire_sink *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->id = id;
	s->spec = *spec;
	if (s->spec.mtu == 0)
		s->spec.mtu = VSW_DEFAULT_MTU;
	s->credit = SINK_BURST * NS_PER_S;
	return s;
}

void
wire_sink_destroy(struct wire_sink *s)
{
	free(s);
}

bool
wire_sink_admit(struct wire_sink *s, uint64_t now)
{
	uint64_t dt, cap = SINK_BURST * NS_PER_S;

	if (s->spec.rate_pps == 0)
		return true;
	if (s->credit_ns == 0)
		s->credit_ns = now;
	dt = now - s->credit_ns;
	if (dt > NS_PER_S)
		dt = NS_PER_S;
	s->credit_ns = now;
	s->credit += dt * s->spec.rate_pps;
	if (s->credit > cap)
		s->credit = cap;
	if (s->credit < NS_PER_S) {
		s->pushback++;
		return false;
	}
	s->credit -= NS_PER_S;
	return true;
}

/* Check the stamp and sequence of an intact IPv4 UDP/TCP payload. */
static void
sink_stamp(struct wire_sink *s, const uint8_t *pl, uint32_t plen, int vlan)
{
	struct wire_gen *g;
	uint32_t flow, seq;

	if (plen < STAMP_LEN || get16(pl) != STAMP_MAGIC || pl[3] != STAMP_VERSION ||
	    pl[2] >= VSW_MAX_PORTS || (g = gens[pl[2]]) == NULL) {
		s->nostamp++;
		return;
	}
	flow = get16(pl + 4);
	seq = get32(pl + 8);
	if (flow >= g->spec.flows || get16(pl + 6) != plen ||
	    get32(pl + 12) != payload_hash(pl, plen) ||
	    (vlan >= 0 && vlan != g->spec.vlan)) {
		s->corrupt++;
		return;
	}
	s->received++;
	s->from_gen[g->id] = true;
	switch (flow_receive(&g->flow[flow], seq)) {
	case SEQ_DUPLICATE:
		s->duplicated++;
		g->duplicated++;
		break;
	case SEQ_REORDERED:
		s->reordered++;
		g->reordered++;
		break;
	default:
		break;
	}
}

void
wire_sink_consume(struct wire_sink *s, const uint8_t *f, uint32_t len, uint64_t now)
{
	uint32_t l2 = ETH_HLEN, ihl, tot, l4h;
	const uint8_t *ip, *l4;
	int vlan = -1;
	uint16_t type;
	uint8_t proto;

	if (s->frames == 0)
		s->first_ns = now;
	s->last_ns = now;
	s->frames++;
	s->bytes += len;
	if (len > s->spec.mtu + 18)
		s->oversize++;
	if (len < ETH_HLEN) {
		s->corrupt++;
		return;
	}
	type = get16(f + 12);
	if (type == ETH_P_VLAN) {
		if (len < ETH_HLEN + VLAN_HLEN) {
			s->corrupt++;
			return;
		}
		vlan = get16(f + 14) & 0xfff;
		type = get16(f + 16);
		l2 += VLAN_HLEN;
	}
	if (type != ETH_P_IPV4 || len < l2 + IPV4_HLEN) {
		s->nostamp++;
		return;
	}
	ip = f + l2;
	ihl = (ip[0] & 0xf) * 4u;
	tot = get16(ip + 2);
	if (ip[0] >> 4 != 4 || ihl < IPV4_HLEN || tot < ihl || l2 + tot > len) {
		s->corrupt++;                  /* mangled or truncated */
		return;
	}
	if (fold(sum16(0, ip, ihl)) != 0)
		s->bad_ip_csum++;
	proto = ip[9];
	l4h = proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN;
	if ((proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    (get16(ip + 6) & 0x3fff) != 0 || tot - ihl < l4h) {
		s->nostamp++;                  /* not ours, or a fragment */
		return;
	}
	l4 = ip + ihl;
	if (proto == IPPROTO_TCP)
		l4h = (l4[12] >> 4) * 4u;
	if (l4h < (proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) || tot - ihl < l4h) {
		s->corrupt++;
		return;
	}
	if ((proto == IPPROTO_TCP || get16(l4 + 6) != 0) &&
	    fold(sum16(pseudo_sum(ip, proto, tot - ihl), l4, tot - ihl)) != 0)
		s->bad_l4_csum++;
	sink_stamp(s, l4 + l4h, tot - ihl - l4h, vlan);
}

/* ---- report ---- */

static void
rates(uint64_t n, uint64_t bytes, uint64_t first, uint64_t last,
      uint64_t *pps, double *mbps)
{
	uint64_t dt = last - first;

	*pps = 0;
	*mbps = 0;
	if (n < 2 || dt == 0)
		return;
	/* n frames span n - 1 intervals. */
	*pps = (uint64_t)((double)(n - 1) * 1e9 / (double)dt);
	*mbps = (double)bytes * (double)(n - 1) / (double)n * 8e3 / (double)dt;
}

int
wire_gen_report(const struct wire_gen *g, bool final, char *buf, size_t len)
{
	struct gen_rx_totals t;
	uint64_t pps;
	double mbps;

	gen_rx_totals(g, final, &t);
	rates(g->sent, g->sent_bytes, g->first_ns, g->last_ns, &pps, &mbps);
	return snprintf(buf, len,
		"gen=%u port=%u state=%s proto=%s flows=%u lossless=%s sent=%llu "
		"sent_bytes=%llu received=%llu lost=%llu in_flight=%llu "
		"duplicated=%llu reordered=%llu blocked=%llu pps=%llu mbps=%.3f\n",
		g->id, g->id, gen_state_names[g->state],
		g->spec.proto == IPPROTO_TCP ? "tcp" : "udp", g->spec.flows,
		g->spec.lossless ? "yes" : "no",
		(unsigned long long)g->sent, (unsigned long long)g->sent_bytes,
		(unsigned long long)t.received, (unsigned long long)t.lost,
		(unsigned long long)t.in_flight, (unsigned long long)g->duplicated,
		(unsigned long long)g->reordered, (unsigned long long)g->blocked,
		(unsigned long long)pps, mbps);
}

int
wire_sink_report(const struct wire_sink *s, bool final, char *buf, size_t len)
{
	struct gen_rx_totals t;
	uint64_t pps, lost = 0;
	unsigned int i;
	double mbps;

	for (i = 0; i < VSW_MAX_PORTS; i++)
		if (s->from_gen[i] && gens[i] != NULL) {
			gen_rx_totals(gens[i], final, &t);
			lost += t.lost;
		}
	rates(s->frames, s->bytes, s->first_ns, s->last_ns, &pps, &mbps);
	return snprintf(buf, len,
		"sink=%u port=%u frames=%llu bytes=%llu received=%llu lost=%llu "
		"duplicated=%llu reordered=%llu corrupt=%llu bad_csum=%llu "
		"bad_ip_csum=%llu bad_l4_csum=%llu oversize=%llu nostamp=%llu "
		"pushback=%llu pps=%llu mbps=%.3f\n",
		s->id, s->id, (unsigned long long)s->frames,
		(unsigned long long)s->bytes, (unsigned long long)s->received,
		(unsigned long long)lost, (unsigned long long)s->duplicated,
		(unsigned long long)s->reordered, (unsigned long long)s->corrupt,
		(unsigned long long)(s->bad_ip_csum + s->bad_l4_csum),
		(unsigned long long)s->bad_ip_csum, (unsigned long long)s->bad_l4_csum,
		(unsigned long long)s->oversize, (unsigned long long)s->nostamp,
		(unsigned long long)s->pushback, (unsigned long long)pps, mbps);
}
