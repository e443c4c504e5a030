/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the virtual switch (sim/hyperv/vswitch.c, wire_*.c),
 * without the host or DPDK: fake NICs implement vsw_nic_ops and play the
 * guest (an io-forwarding app that can lose, duplicate, delay and damage
 * frames), time is a fake clock handed to vsw_poll(), and the checks read
 * the switch's own report. The TAP and VF checks create real interfaces
 * when /dev/net/tun is usable and remove them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../hyperv/hv_model.h"
#include "../hyperv/wire.h"
#include "../libsim/sim_options.h"

#include "sim_check.h"

#define MS              1000000ull
#define STORE_FRAMES    2048
#define STORE_BYTES     1600
#define RXQ_LIMIT_FRAMES 1024         /* the switch's per-port queue */


/* ---- what the switch needs from the rest of the model ---- */

int sim_verbose;
struct hv_config hv_cfg;
static uint64_t fake_now = 1000 * MS;
static char ctl_seen[8][VSW_CMD_MAX];
static unsigned int nctl_seen;

uint64_t
sim_now_ns(void)
{
	return fake_now;
}

void
sim_log(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* The host's command runner: switch commands, others recorded. */
int
hv_ctl_exec(const char *cmd, char *out, size_t len)
{
	int r = vsw_ctl(cmd, out, len);

	if (r != -ENOSYS)
		return r;
	if (nctl_seen < 8)
		snprintf(ctl_seen[nctl_seen++], VSW_CMD_MAX, "%s", cmd);
	snprintf(out, len, "recorded\n");
	return 0;
}

/* ---- fake NIC: stores what it is given, like a guest's RX ring ---- */

struct stored {
	uint32_t len;
	uint8_t data[STORE_BYTES];
};

struct fake_nic {
	struct vsw_port *port;
	unsigned int cap;              /* frames held before -ENOSPC */
	int fail;                      /* deliver() error, 0: none */
	uint64_t delivered;
	unsigned int n;
	struct stored *store;
	bool link;
	unsigned int link_calls;
};

static struct fake_nic nics[4];

static int
fake_deliver(void *priv, const uint8_t *frame, uint32_t len)
{
	struct fake_nic *nic = priv;

	if (nic->fail != 0)
		return nic->fail;
	if (nic->n >= nic->cap)
		return -ENOSPC;
	if (len > STORE_BYTES)
		return -EMSGSIZE;
	nic->store[nic->n].len = len;
	memcpy(nic->store[nic->n].data, frame, len);
	nic->n++;
	nic->delivered++;
	return 0;
}

static void
fake_link(void *priv, bool up)
{
	struct fake_nic *nic = priv;

	nic->link = up;
	nic->link_calls++;
}

static const struct vsw_nic_ops fake_ops = {
	.deliver = fake_deliver,
	.link = fake_link,
};

static void
nic_attach(unsigned int i)
{
	struct fake_nic *nic = &nics[i];
	uint8_t mac[6];

	if (nic->store == NULL)
		nic->store = calloc(STORE_FRAMES, sizeof(*nic->store));
	nic->cap = STORE_FRAMES;
	nic->fail = 0;
	nic->n = 0;
	nic->delivered = 0;
	nic->link = true;
	nic->link_calls = 0;
	vsw_nic_mac(i, mac);
	nic->port = vsw_attach_nic(i, mac, &fake_ops, nic);
}

/* What the guest app does with its received frames. */
enum fwd_action {
	FWD_PASS,
	FWD_DROP,
	FWD_DUP,
	FWD_DELAY4,                    /* send after the 4th next frame */
	FWD_CORRUPT,                   /* flip the last payload byte */
	FWD_BAD_IP_CSUM,
	FWD_BAD_L4_CSUM,
	FWD_OVERSIZE,                  /* pad the frame past MTU + 18 */
};

typedef enum fwd_action (*fwd_policy)(uint64_t k);

static enum fwd_action
pass_all(uint64_t k)
{
	(void)k;
	return FWD_PASS;
}

/* Forward every held frame of nic to port out, in order, as io mode. */
static void
guest_forward(struct fake_nic *nic, struct vsw_port *out, fwd_policy policy,
	      uint64_t *k)
{
	static struct stored delayed;
	static int delay_left = -1;
	unsigned int i;
	uint8_t buf[STORE_BYTES + 2048];

	for (i = 0; i < nic->n; i++) {
		struct stored *s = &nic->store[i];
		uint32_t len = s->len;
		uint32_t l2 = s->data[12] == 0x81 ? 18 : 14;

		memcpy(buf, s->data, len);
		switch (policy(*k)) {
		case FWD_DROP:
			len = 0;
			break;
		case FWD_DUP:
			vsw_transmit(out, buf, len);
			break;
		case FWD_DELAY4:
			/* 5: this frame's own turn counts down once */
			delayed = *s;
			delay_left = 5;
			len = 0;
			break;
		case FWD_CORRUPT:
			buf[len - 1] ^= 0x40;
			break;
		case FWD_BAD_IP_CSUM:
			buf[l2 + 10] ^= 0x01;
			break;
		case FWD_BAD_L4_CSUM:
			buf[l2 + 20 + 6] ^= 0x01;  /* UDP checksum */
			break;
		case FWD_OVERSIZE:
			memset(buf + len, 0, 1600 - len);
			len = 1600;
			break;
		default:
			break;
		}
		if (len != 0)
			vsw_transmit(out, buf, len);
		(*k)++;
		if (delay_left > 0 && --delay_left == 0) {
			vsw_transmit(out, delayed.data, delayed.len);
			delay_left = -1;
		}
	}
	nic->n = 0;
}

/* ---- reading the report ---- */

static char rep[65536];

static void
report_now(void)
{
	vsw_report(rep, sizeof(rep));
}

/* Value of key on the report line that starts with "what=index ". */
static long long
rep_get(const char *what, unsigned int index, const char *key)
{
	char head[32], pat[64];
	const char *line = rep, *end, *p;

	snprintf(head, sizeof(head), "%s=%u ", what, index);
	snprintf(pat, sizeof(pat), " %s=", key);
	while (line != NULL && *line != '\0') {
		end = strchr(line, '\n');
		if (strncmp(line, head, strlen(head)) == 0) {
			p = strstr(line, pat);
			if (p == NULL || (end != NULL && p > end))
				return -1;
			return strtoll(p + strlen(pat), NULL, 10);
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return -1;
}

/* ---- configuration helpers ---- */

static void
set_nics(unsigned int n)
{
	unsigned int i;

	memset(&hv_cfg, 0, sizeof(hv_cfg));
	hv_cfg.enabled = true;
	hv_cfg.ndev = n;
	for (i = 0; i < n; i++) {
		snprintf(hv_cfg.dev[i].class_guid, sizeof(hv_cfg.dev[i].class_guid),
			 "%s", VSW_NETVSC_CLASS_GUID);
		hv_cfg.dev[i].uio = true;
	}
}

static int
opt(const char *key, const char *val)
{
	char err[512];
	int r = vsw_config_option(key, val, err, sizeof(err));

	if (r < 0)
		printf("  (option error: %s)\n", err);
	return r;
}

static bool
configure(unsigned int n, const char *const *opts)
{
	char err[512];

	vsw_config_reset();
	set_nics(n);
	for (; opts[0] != NULL; opts += 2)
		if (opt(opts[0], opts[1]) < 0)
			return false;
	if (vsw_config_finish(err, sizeof(err)) < 0) {
		printf("  (finish error: %s)\n", err);
		return false;
	}
	return true;
}

static void
run_ms(unsigned int ms, void (*each)(void))
{
	uint64_t next;
	unsigned int i;

	for (i = 0; i < ms; i++) {
		next = UINT64_MAX;
		vsw_poll(fake_now, &next);
		if (each != NULL)
			each();
		fake_now += MS;
	}
}

/* ---- options ---- */

static void
test_options(void)
{
	char err[512];
	bool ok;

	vsw_config_reset();
	set_nics(0);
	check(opt("wire", "loop:0") == 1 && vsw_config_finish(err, sizeof(err)) < 0 &&
	      strstr(err, "no NIC 0") != NULL, "a wire for a missing NIC is refused: %s", err);

	set_nics(2);
	vsw_config_reset();
	check(opt("wire", "link:1-1") < 0, "link:1-1 refused");
	check(opt("wire", "gen:0,rate=0") < 0, "gen rate=0 refused");
	check(opt("wire", "gen:0,size=63") < 0, "gen size=63 refused");
	check(opt("wire", "gen:0,size=200-100") < 0, "gen size=200-100 refused");
	check(opt("wire", "gen:0,flows=2000") < 0, "gen flows=2000 refused");
	check(opt("wire", "gen:0,bogus=1") < 0, "unknown gen key refused");
	check(opt("wire", "vf:0") < 0, "vf without ifname refused");
	check(opt("wire", "tap:0,ifname=a/b") < 0, "bad ifname refused");
	check(opt("wire", "nope:0") < 0, "unknown kind refused");
	check(opt("wire", "loop:40") < 0, "NIC index out of range refused");
	check(opt("at", "abc") < 0 && opt("at", "5:") < 0 && opt("at", ":x") < 0,
	      "malformed --at refused");
	check(opt("report", "") < 0, "empty --report refused");
	check(!vsw_cfg.enabled, "rejected options leave nothing configured");
	check(opt("wire", "loop:0") == 1 && opt("wire", "tap:0") < 0 &&
	      opt("wire", "link:1-0") < 0, "a second wire on one NIC refused");
	ok = opt("wire", "gen:1,rate=max,size=64-1518,flows=16,count=10,vlan=5,"
		 "proto=tcp,lossless=yes,duration=100,start=no") == 1;
	{
		const struct vsw_gen_spec *g = &vsw_cfg.port[1].gen;

		check(ok && g->on && g->rate_pps == 0 && g->size_mode == VSW_SIZE_RANGE &&
		      g->size_min == 64 && g->size_max == 1518 && g->flows == 16 &&
		      g->count == 10 && g->vlan == 5 && g->proto == 6 && g->lossless &&
		      g->duration_ms == 100 && g->start_ms == -1,
		      "every gen key parsed");
	}
	check(opt("wire", "gen:1") < 0, "a second generator on one NIC refused");
	check(opt("at", "30:gen 1 stop") == 1 && opt("at", "10:wire 0 down") == 1 &&
	      opt("at", "20:wire 0 up") == 1 && opt("at", "10:vswitch report") == 1 &&
	      vsw_config_finish(err, sizeof(err)) == 0 &&
	      vsw_cfg.at[0].ms == 10 && strcmp(vsw_cfg.at[0].cmd, "wire 0 down") == 0 &&
	      vsw_cfg.at[1].ms == 10 && strcmp(vsw_cfg.at[1].cmd, "vswitch report") == 0 &&
	      vsw_cfg.at[2].ms == 20 && vsw_cfg.at[3].ms == 30,
	      "--at commands sorted by time, ties in option order");

	/* NIC numbering: netvsc devices bound to uio, in option order. */
	set_nics(4);
	snprintf(hv_cfg.dev[0].class_guid, sizeof(hv_cfg.dev[0].class_guid),
		 "9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a01");
	hv_cfg.dev[2].uio = false;
	check(vsw_nic_index(0) == -1 && vsw_nic_index(1) == 0 && vsw_nic_index(2) == -1 &&
	      vsw_nic_index(3) == 1 && vsw_nic_index(9) == -1,
	      "NIC index counts netvsc devices on uio only");
	vsw_config_reset();
}

/* ---- generator -> NIC 0 -> guest forwards -> NIC 1 -> sink ---- */

static uint64_t fwd_k;
static fwd_policy cur_policy = pass_all;

static void
forward_0_to_1(void)
{
	guest_forward(&nics[0], nics[1].port, cur_policy, &fwd_k);
}

static enum fwd_action
impair(uint64_t k)
{
	switch (k) {
	case 10:
	case 11:
		return FWD_DROP;
	case 20:
		return FWD_DUP;
	case 30:
		return FWD_DELAY4;
	case 40:
		return FWD_CORRUPT;
	case 50:
		return FWD_BAD_IP_CSUM;
	case 60:
		return FWD_BAD_L4_CSUM;
	case 70:
		return FWD_OVERSIZE;
	default:
		return FWD_PASS;
	}
}

static void
test_gen_sink(void)
{
	static const char *const opts[] = {
		"wire", "gen:0,rate=1000,count=200,flows=4",
		"wire", "sink:1",
		NULL, NULL,
	};
	static const uint8_t arp[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
	};
	long long sent;

	if (!configure(2, opts)) {
		check(false, "gen/sink configuration");
		return;
	}
	run_ms(5, NULL);
	report_now();
	check(rep_get("gen", 0, "sent") == 0, "the generator waits for its NIC");
	nic_attach(0);
	nic_attach(1);
	check(nics[0].port != NULL && nics[1].port != NULL && vsw_link_up(nics[0].port),
	      "ports for NICs 0 and 1, link up");
	cur_policy = impair;
	fwd_k = 0;
	run_ms(100, forward_0_to_1);
	report_now();
	/* Frame i is due at i ms: 0..99 in the first 100 ms. */
	sent = rep_get("gen", 0, "sent");
	check(sent >= 99 && sent <= 101, "paced: %lld frames in 100 ms at 1000 pps", sent);
	vsw_transmit(nics[1].port, arp, sizeof(arp));
	run_ms(200, forward_0_to_1);
	report_now();
	check(rep_get("gen", 0, "sent") == 200 &&
	      strstr(rep, "gen=0 port=0 state=done") != NULL,
	      "count=200 stops the generator");
	check(rep_get("gen", 0, "lost") == 3 && rep_get("gen", 0, "in_flight") == 0,
	      "lost: 2 dropped + 1 corrupted (got %lld)", rep_get("gen", 0, "lost"));
	check(rep_get("gen", 0, "received") == 197, "197 distinct frames arrived intact");
	check(rep_get("sink", 1, "frames") == 200, "sink saw 200 frames (got %lld)",
	      rep_get("sink", 1, "frames"));
	check(rep_get("sink", 1, "received") == 198, "198 intact stamped frames (dup included)");
	check(rep_get("sink", 1, "duplicated") == 1 && rep_get("gen", 0, "duplicated") == 1,
	      "one duplicate");
	check(rep_get("sink", 1, "reordered") == 1 && rep_get("gen", 0, "reordered") == 1,
	      "one reordered within its flow");
	check(rep_get("sink", 1, "corrupt") == 1, "one corrupt payload");
	/* The corrupted payload breaks its UDP checksum too. */
	check(rep_get("sink", 1, "bad_ip_csum") == 1 && rep_get("sink", 1, "bad_l4_csum") == 2 &&
	      rep_get("sink", 1, "bad_csum") == 3, "bad checksums: 1 IP, 2 UDP");
	check(rep_get("sink", 1, "oversize") == 1, "one oversize frame");
	check(rep_get("sink", 1, "nostamp") == 1, "one frame without a stamp (ARP)");
	check(rep_get("sink", 1, "lost") == 3, "sink line carries the generator's loss");
	check(rep_get("sink", 1, "pps") > 0 && rep_get("gen", 0, "pps") >= 990 &&
	      rep_get("gen", 0, "pps") <= 1010, "rates reported (gen %lld pps)",
	      rep_get("gen", 0, "pps"));
	check(rep_get("port", 0, "rx_frames") == 200 && rep_get("port", 1, "tx_frames") == 200,
	      "port counters: 200 in on NIC 0, 200 out of NIC 1");
	cur_policy = pass_all;
	vsw_fini();
}

/* ---- back-pressure: the guest drains slowly ---- */

static void
slow_guest(void)
{
	/* Forward at most 100 frames per ms; the NIC holds at most 256. */
	unsigned int n = nics[0].n < 100 ? nics[0].n : 100;
	unsigned int keep = nics[0].n - n;

	nics[0].n = n;
	guest_forward(&nics[0], nics[1].port, pass_all, &fwd_k);
	memmove(nics[0].store, nics[0].store + n, keep * sizeof(*nics[0].store));
	nics[0].n = keep;
}

static void
test_backpressure(bool lossless)
{
	const char *opts[] = {
		"wire", lossless ? "gen:0,rate=max,count=3000,lossless=yes,flows=8" :
				   "gen:0,rate=max,count=3000,lossless=no,flows=8",
		"wire", "sink:1",
		NULL, NULL,
	};
	long long lost, qdrop;
	unsigned int i;

	if (!configure(2, opts)) {
		check(false, "back-pressure configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	nics[0].cap = 256;
	fwd_k = 0;
	for (i = 0; i < 200; i++) {
		uint64_t next = UINT64_MAX;
		unsigned int j;

		/* The host polls more often than the guest drains. */
		for (j = 0; j < 20; j++)
			vsw_poll(fake_now, &next);
		slow_guest();
		fake_now += MS;
	}
	run_ms(50, slow_guest);
	report_now();
	/* Mid-run, a flow's frames after its last arrival are in flight. */
	lost = rep_get("gen", 0, "lost") + rep_get("gen", 0, "in_flight");
	qdrop = rep_get("port", 0, "drop_queue_full");
	if (lossless) {
		check(rep_get("gen", 0, "sent") == 3000 && lost == 0 &&
		      rep_get("gen", 0, "received") == 3000 && qdrop == 0,
		      "lossless: 3000 sent, all received, nothing dropped (lost %lld)", lost);
		check(rep_get("gen", 0, "blocked") > 0 && rep_get("port", 0, "queue_max") == 0,
		      "lossless: the generator waited (%lld times), never queued",
		      rep_get("gen", 0, "blocked"));
	} else {
		check(rep_get("gen", 0, "sent") == 3000 && qdrop > 0 && lost == qdrop &&
		      rep_get("gen", 0, "received") + lost == 3000,
		      "lossy: sink loss %lld equals queue drops %lld exactly", lost, qdrop);
		check(rep_get("port", 0, "queue_max") == 1024 &&
		      rep_get("gen", 0, "reordered") == 0,
		      "lossy: bounded queue (max %lld), order kept",
		      rep_get("port", 0, "queue_max"));
	}
	vsw_fini();
}

/* ---- a NIC that is not up yet (-ENETDOWN) ---- */

static void
test_nic_down(void)
{
	static const char *const opts[] = {
		"wire", "gen:0,rate=1000,count=50,lossless=yes",
		"wire", "gen:1,rate=1000,count=50",
		NULL, NULL,
	};
	long long sent1;

	if (!configure(2, opts)) {
		check(false, "NIC down configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	nics[0].fail = nics[1].fail = -ENETDOWN;
	run_ms(20, NULL);
	report_now();
	sent1 = rep_get("gen", 1, "sent");
	check(rep_get("gen", 0, "sent") == 0 && rep_get("gen", 0, "blocked") == 1 &&
	      rep_get("port", 0, "drop_nic_down") == 0,
	      "lossless: the generator waits for a NIC that is not up");
	check(sent1 >= 19 && rep_get("port", 1, "drop_nic_down") == sent1 &&
	      rep_get("port", 1, "drop_nic") == 0,
	      "lossy: frames for a NIC that is not up are dropped apart (%lld)", sent1);
	nics[0].fail = nics[1].fail = 0;
	run_ms(10, NULL);
	report_now();
	check(rep_get("gen", 0, "sent") >= 9 && rep_get("gen", 0, "sent") <= 11,
	      "lossless: after the wait, no burst to catch up (%lld in 10 ms)",
	      rep_get("gen", 0, "sent"));
	run_ms(100, NULL);
	report_now();
	check(rep_get("gen", 0, "sent") == 50 && rep_get("port", 0, "rx_frames") == 50,
	      "lossless: all 50 frames once the NIC is up");
	vsw_fini();
}

/* ---- loop, link, flap, detach, scheduled commands ---- */

static uint8_t test_frame[60] = {
	0x00, 0x15, 0x5d, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 9, 0x88, 0xb5, 'h', 'i',
};

static void
test_wires(void)
{
	static const char *const opts[] = {
		"wire", "loop:0",
		"wire", "link:1-2",
		"at", "10:wire 1 down",
		"at", "20:wire 2 up",
		"at", "25:nic 0 noop",
		"at", "25:wire 1 sideways",
		NULL, NULL,
	};
	uint8_t mac[6];

	if (!configure(4, opts)) {
		check(false, "wires configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	nic_attach(2);
	vsw_nic_mac(3, mac);
	check(vsw_attach_nic(3, mac, &fake_ops, &nics[3]) == NULL &&
	      vsw_transmit(NULL, test_frame, sizeof(test_frame)) == 0 &&
	      !vsw_link_up(NULL) && vsw_vf_ifname(NULL) == NULL,
	      "a NIC without a wire gets no port; NULL port is safe");

	check(vsw_transmit(nics[0].port, test_frame, sizeof(test_frame)) == 0 &&
	      nics[0].n == 0, "loop: nothing is delivered from inside vsw_transmit");
	run_ms(1, NULL);
	check(nics[0].n == 1 && memcmp(nics[0].store[0].data, test_frame, 60) == 0,
	      "loop: the frame comes back to NIC 0");
	vsw_transmit(nics[1].port, test_frame, sizeof(test_frame));
	vsw_transmit(nics[2].port, test_frame, sizeof(test_frame));
	run_ms(1, NULL);
	check(nics[2].n == 1 && nics[1].n == 1, "link: each end gets the other's frame");

	run_ms(10, NULL);
	check(!vsw_link_up(nics[1].port) && !vsw_link_up(nics[2].port) &&
	      !nics[1].link && !nics[2].link && nics[1].link_calls == 1 &&
	      vsw_link_up(nics[0].port), "--at 10:wire 1 down: both cable ends down");
	vsw_transmit(nics[1].port, test_frame, sizeof(test_frame));
	run_ms(10, NULL);
	check(nics[2].n == 1 && nics[1].link && nics[2].link &&
	      vsw_link_up(nics[1].port), "--at 20:wire 2 up; the frame sent while down is lost");
	run_ms(6, NULL);
	check(nctl_seen == 1 && strcmp(ctl_seen[0], "nic 0 noop") == 0,
	      "--at passes other commands to the host");
	report_now();
	check(rep_get("port", 1, "drop_link_down") == 1 && rep_get("port", 1, "link_flaps") == 1,
	      "flap and drop counted");

	vsw_detach_nic(nics[2].port);
	vsw_transmit(nics[1].port, test_frame, sizeof(test_frame));
	run_ms(1, NULL);
	report_now();
	check(rep_get("port", 2, "drop_detached") == 1 && strstr(rep, "port=2 mac=00:15:5d:00:00:02 wire=link:1 link=up nic=detached") != NULL,
	      "frames for a detached NIC are dropped and counted");

	/* deliver() errors other than -ENOSPC drop the frame. */
	nics[0].fail = -EIO;
	vsw_transmit(nics[0].port, test_frame, sizeof(test_frame));
	run_ms(1, NULL);
	nics[0].fail = 0;
	report_now();
	check(rep_get("port", 0, "drop_nic") == 1, "a NIC error drops the frame (counted)");

	/* A loop wire makes its sender wait rather than drop. */
	{
		static uint8_t big[1400];
		unsigned int queued = 0;
		int r = 0;

		memcpy(big, test_frame, sizeof(test_frame));
		nics[0].n = 0;
		while (queued < 2 * RXQ_LIMIT_FRAMES &&
		       (r = vsw_transmit(nics[0].port, big, sizeof(big))) == 0)
			queued++;
		check(r == -ENOSPC && queued > 100 && queued < RXQ_LIMIT_FRAMES,
		      "loop: the sender is pushed back when the queue is full (after %u)",
		      queued);
		run_ms(1, NULL);
		check(vsw_transmit(nics[0].port, big, sizeof(big)) == 0,
		      "loop: the sender may go on once the queue drained");
		run_ms(1, NULL);
		report_now();
		check(nics[0].n == queued + 1 &&
		      rep_get("port", 0, "drop_queue_full") == 0 &&
		      rep_get("port", 0, "tx_pushback") == 1,
		      "loop: all %u frames arrived, none dropped, one push-back",
		      queued + 1);
	}

	{
		char out[256];

		check(vsw_ctl("wire 7 down", out, sizeof(out)) == -ENODEV &&
		      vsw_ctl("wire 0 sideways", out, sizeof(out)) == -EINVAL &&
		      vsw_ctl("gen 0 start", out, sizeof(out)) == -ENOENT &&
		      vsw_ctl("stats x", out, sizeof(out)) == -ENOSYS &&
		      vsw_ctl("vswitch report", out, sizeof(out)) == 0 &&
		      strncmp(out, "port=0 ", 7) == 0,
		      "control command errors and the report command");
	}
	vsw_fini();
}

/* ---- sink rate limit pushes back on the NIC ---- */

static void
test_sink_rate(void)
{
	static const char *const opts[] = {
		"wire", "sink:0,rate=1000",
		"report", "/dev/null",
		NULL, NULL,
	};
	unsigned int i, ok = 0, busy = 0;

	if (!configure(1, opts)) {
		check(false, "sink rate configuration");
		return;
	}
	nic_attach(0);
	for (i = 0; i < 100; i++) {
		int r = vsw_transmit(nics[0].port, test_frame, sizeof(test_frame));

		ok += r == 0;
		busy += r == -ENOSPC;
	}
	fake_now += 5 * MS;
	for (i = 0; i < 10; i++)
		ok += vsw_transmit(nics[0].port, test_frame, sizeof(test_frame)) == 0;
	check(ok == 32 + 5 && busy == 68,
	      "sink rate=1000: a burst of 32, then one per ms; -ENOSPC otherwise");
	vsw_fini();
}

/* ---- frame shapes: TCP, VLAN, IMIX, ranges ---- */

static uint16_t
ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	/* Independent of the switch's: 32-bit accumulate, then fold. */
	for (i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static bool
frame_ok(const uint8_t *f, uint32_t len, int vlan, uint8_t proto)
{
	uint32_t l2 = vlan >= 0 ? 18 : 14, tot, l4len;
	const uint8_t *ip = f + l2;
	uint32_t ps;

	if (vlan >= 0 && (f[12] != 0x81 || f[13] != 0 || (f[14] << 8 | f[15]) != vlan))
		return false;
	if (f[l2 - 2] != 0x08 || f[l2 - 1] != 0 || ip[9] != proto)
		return false;
	tot = (uint32_t)(ip[2] << 8 | ip[3]);
	if (l2 + tot != len || ref_csum(ip, 20, 0) != 0)
		return false;
	l4len = tot - 20;
	ps = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
	     (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) +
	     proto + l4len;
	return ref_csum(ip + 20, l4len, ps) == 0;
}

static void
test_shapes(void)
{
	static const char *const opts[] = {
		"wire", "gen:0,proto=tcp,vlan=7,size=imix,count=24,rate=max",
		"wire", "gen:1,size=100-200,count=500,rate=max,flows=1024",
		NULL, NULL,
	};
	unsigned int i, n64 = 0, n570 = 0, n1518 = 0, bad = 0, out = 0;
	bool seen_lo = false, seen_hi = false;
	bool srcs[1024] = { false };
	unsigned int nsrc = 0;

	if (!configure(2, opts)) {
		check(false, "shapes configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	run_ms(20, NULL);
	for (i = 0; i < nics[0].n; i++) {
		const struct stored *s = &nics[0].store[i];

		bad += !frame_ok(s->data, s->len, 7, 6);
		/* 64-byte TCP with a tag grows to hold headers and stamp. */
		n64 += s->len == 74;
		n570 += s->len == 566;
		n1518 += s->len == 1514;
	}
	check(nics[0].n == 24 && bad == 0, "TCP/VLAN frames: 24, headers and checksums"
	      " right by an independent check (%u bad)", bad);
	check(n64 == 14 && n570 == 8 && n1518 == 2, "IMIX 7:4:1 (%u/%u/%u)", n64, n570, n1518);
	for (i = 0; i < nics[1].n; i++) {
		const struct stored *s = &nics[1].store[i];
		unsigned int src = (unsigned int)(s->data[14 + 14] << 8 | s->data[14 + 15]);

		bad += !frame_ok(s->data, s->len, -1, 17);
		out += s->len < 96 || s->len > 196;
		seen_lo |= s->len == 96;
		seen_hi |= s->len == 196;
		if (src < 1024 && !srcs[src]) {
			srcs[src] = true;
			nsrc++;
		}
	}
	check(nics[1].n == 500 && bad == 0 && out == 0 && seen_lo && seen_hi,
	      "size=100-200: UDP frames of 96..196 bytes, both ends seen");
	check(nsrc == 500, "flows vary the source address (%u distinct)", nsrc);
	vsw_fini();
}

/* ---- generator start, stop, rate and duration ---- */

static void
test_gen_control(void)
{
	static const char *const opts[] = {
		"wire", "gen:0,rate=1000,start=no",
		"wire", "gen:1,rate=2000,duration=50,start=10",
		NULL, NULL,
	};
	char out[256];
	long long a, b;

	if (!configure(2, opts)) {
		check(false, "gen control configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	run_ms(100, NULL);
	report_now();
	check(rep_get("gen", 0, "sent") == 0, "start=no: waits for 'gen 0 start'");
	a = rep_get("gen", 1, "sent");
	check(a >= 99 && a <= 101 && strstr(rep, "gen=1 port=1 state=done") != NULL,
	      "start=10,duration=50 at 2000 pps: %lld frames, then done", a);
	vsw_ctl("gen 0 start", out, sizeof(out));
	run_ms(10, NULL);
	vsw_ctl("gen 0 rate 100", out, sizeof(out));
	run_ms(100, NULL);
	vsw_ctl("gen 0 stop", out, sizeof(out));
	report_now();
	a = rep_get("gen", 0, "sent");
	check(a >= 18 && a <= 22, "10 ms at 1000 pps then 100 ms at 100 pps: %lld", a);
	run_ms(50, NULL);
	report_now();
	b = rep_get("gen", 0, "sent");
	check(b == a && strstr(rep, "gen=0 port=0 state=stopped") != NULL,
	      "'gen 0 stop' stops it");
	check(vsw_ctl("gen 0 rate 0", out, sizeof(out)) == -EINVAL &&
	      vsw_ctl("gen 0 rate max", out, sizeof(out)) == 0, "rate checks");
	/* A generator whose link is down waits. */
	vsw_ctl("gen 0 rate 1000", out, sizeof(out));
	vsw_ctl("gen 0 start", out, sizeof(out));
	vsw_ctl("wire 0 down", out, sizeof(out));
	run_ms(20, NULL);
	report_now();
	check(rep_get("gen", 0, "sent") == b && rep_get("port", 0, "drop_link_down") == 0,
	      "the generator pauses while its link is down");
	vsw_ctl("wire 0 up", out, sizeof(out));
	run_ms(20, NULL);
	report_now();
	a = rep_get("gen", 0, "sent") - b;
	check(a >= 19 && a <= 21, "and resumes at its rate without a burst (%lld)", a);
	vsw_fini();
}

/* ---- TAP round trip and the VF path, with real interfaces ---- */

static bool
tun_usable(void)
{
	int fd = open("/dev/net/tun", O_RDWR);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int
packet_socket(const char *ifname)
{
	struct sockaddr_ll sll;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Poll the switch in real time until cond() or about a second passed. */
static bool
wait_for(bool (*cond)(void))
{
	uint64_t next;
	unsigned int i;

	for (i = 0; i < 500; i++) {
		next = UINT64_MAX;
		vsw_poll(fake_now, &next);
		if (cond())
			return true;
		usleep(2000);
		fake_now += 2 * MS;
	}
	return false;
}

static bool
nic0_got_marker(void)
{
	unsigned int i;

	for (i = 0; i < nics[0].n; i++)
		if (nics[0].store[i].len >= 16 &&
		    memcmp(nics[0].store[i].data + 12, "\x88\xb5hi", 4) == 0)
			return true;
	return false;
}

static int test_sock = -1;

static bool
sock_got_marker(void)
{
	uint8_t buf[2048];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(test_sock, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl)) > 0)
		if (from.sll_pkttype != PACKET_OUTGOING && n >= 16 &&
		    memcmp(buf + 12, "\x88\xb5ho", 4) == 0)
			return true;
	return false;
}

static void
test_tap(void)
{
	char name[IFNAMSIZ], opt_tap[64];
	const char *opts[] = { "wire", opt_tap, NULL, NULL };
	uint8_t reply[60];

	snprintf(name, sizeof(name), "vswt%u", (unsigned int)getpid() % 100000);
	snprintf(opt_tap, sizeof(opt_tap), "tap:0,ifname=%s", name);
	if (!configure(1, opts)) {
		check(false, "tap configuration");
		return;
	}
	nic_attach(0);
	check(if_nametoindex(name) != 0, "TAP %s created", name);
	test_sock = packet_socket(name);
	check(test_sock >= 0 && send(test_sock, test_frame, sizeof(test_frame), 0) == 60 &&
	      wait_for(nic0_got_marker), "a frame sent on %s reaches NIC 0", name);
	memcpy(reply, test_frame, sizeof(reply));
	reply[15] = 'o';
	vsw_transmit(nics[0].port, reply, sizeof(reply));
	check(wait_for(sock_got_marker), "a frame NIC 0 sends comes out of %s", name);
	close(test_sock);
	test_sock = -1;
	vsw_fini();
	check(if_nametoindex(name) == 0, "TAP %s removed at the end", name);
}

static int vf_tap = -1;
static unsigned int vf_seen, vf_marker;

/* The guest's VF: echo every IPv4 frame back (io forwarding). */
static bool
vf_echo(void)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = read(vf_tap, buf, sizeof(buf))) > 0) {
		if (n > 14 && buf[12] == 0x08 && buf[13] == 0x00) {
			vf_seen++;
			if (write(vf_tap, buf, (size_t)n) != n)
				return false;
		}
		if (n >= 16 && memcmp(buf + 12, "\x88\xb5hi", 4) == 0)
			vf_marker++;
	}
	return vf_seen >= 10 && nics[1].n >= 10;
}

static bool
vf_got_marker(void)
{
	vf_echo();
	return vf_marker > 0;
}

static bool
vf_open(void)
{
	return vsw_report(rep, sizeof(rep)) > 0 && strstr(rep, "vf_open=yes") != NULL;
}

static void
test_vf(void)
{
	char name[IFNAMSIZ], opt_vf[64];
	const char *opts[] = {
		"wire", opt_vf,
		"wire", "gen:0,count=10,rate=1000,start=no",
		"wire", "link:0-1",
		NULL, NULL,
	};
	uint8_t bcast[60];
	struct ifreq ifr;
	unsigned int i, stamped = 0;
	char out[64];
	bool ok;
	int s;

	snprintf(name, sizeof(name), "vswv%u", (unsigned int)getpid() % 100000);
	snprintf(opt_vf, sizeof(opt_vf), "vf:0,ifname=%s,serial=77", name);
	if (!configure(2, opts)) {
		check(false, "vf configuration");
		return;
	}
	nic_attach(0);
	nic_attach(1);
	check(strcmp(vsw_vf_ifname(nics[0].port), name) == 0 &&
	      vsw_vf_serial(nics[0].port) == 77 && vsw_vf_ifname(nics[1].port) == NULL,
	      "VF name and serial for the NIC model");
	run_ms(300, NULL);
	report_now();
	check(strstr(rep, "vf_open=no") != NULL, "no VF interface yet: nothing open");

	/* The guest creates its VF interface late (as net_tap would). */
	vf_tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (vf_tap < 0 || ioctl(vf_tap, TUNSETIFF, &ifr) < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP,
	    ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		check(false, "create the VF TAP %s: %s", name, strerror(errno));
		close(s);
		return;
	}
	close(s);
	check(wait_for(vf_open), "the switch finds %s when it appears", name);

	vsw_set_datapath(nics[0].port, VSW_PATH_VF);
	vsw_ctl("gen 0 start", out, sizeof(out));
	vf_seen = 0;
	nics[0].n = 0;
	nics[1].n = 0;
	ok = wait_for(vf_echo);
	check(ok, "VF path: the generator's 10 frames reach the VF interface (%u),"
	      " its echoes reach NIC 1 (%u)", vf_seen, nics[1].n);
	for (i = 0; i < nics[1].n; i++)
		stamped += frame_ok(nics[1].store[i].data, nics[1].store[i].len, -1, 17);
	report_now();
	check(stamped == 10 && rep_get("gen", 0, "sent") == 10 &&
	      rep_get("port", 0, "vf_rx_frames") == 10 &&
	      rep_get("port", 0, "vf_tx_frames") == 10 && rep_get("port", 0, "rx_frames") == 0,
	      "frames the VF sends count as NIC 0's (vf_tx_frames %lld)",
	      rep_get("port", 0, "vf_tx_frames"));

	/* From the wire: broadcast stays synthetic, unicast takes the VF. */
	memset(bcast, 0xff, 6);
	memcpy(bcast + 6, test_frame + 6, sizeof(bcast) - 6);
	vsw_transmit(nics[1].port, bcast, sizeof(bcast));
	vsw_transmit(nics[1].port, test_frame, sizeof(test_frame));
	check(wait_for(vf_got_marker) && nics[0].n == 1 && nics[0].store[0].data[0] == 0xff,
	      "on the VF path, broadcast goes to deliver() and unicast to the VF");
	report_now();
	check(rep_get("port", 0, "datapath_switches") == 1 && strstr(rep, "datapath=vf") != NULL,
	      "data path switch counted");
	vsw_set_datapath(nics[0].port, VSW_PATH_SYNTHETIC);
	nics[0].n = 0;
	vsw_transmit(nics[1].port, test_frame, sizeof(test_frame));
	run_ms(1, NULL);
	check(nics[0].n == 1, "back on the synthetic path, unicast goes to deliver()");
	close(vf_tap);
	vf_tap = -1;
	vsw_fini();
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_options();
	test_gen_sink();
	test_backpressure(true);
	test_backpressure(false);
	test_nic_down();
	test_wires();
	test_sink_rate();
	test_shapes();
	test_gen_control();
	if (tun_usable() && geteuid() == 0) {
		test_tap();
		test_vf();
	} else {
		printf("skip: TAP and VF checks need root and /dev/net/tun\n");
	}
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
