/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the Hyper-V host model, run under simrun (see
 * sim/meson.build for the device configuration it expects):
 *   A  echo, monitored, derived id, uio0, relid 14, monitor id 0,
 *      max-subch=4, subch-delay=30
 *   B  lowspeed (no monitor id), id 7f3c0a52-..., uio1, relid 15, numa 0
 *   C  netvsc class bound to hv_netvsc, id and numa_node omitted,
 *      class_id garbled, relid 16, monitor id 1
 *
 * It uses only what a user-space driver has on Linux (opendir, open,
 * read, write, poll, mmap on /sys and /dev paths), with its own minimal
 * ring writer and reader, plus the model's control entry point. Every
 * check prints one line; the exit status is non-zero if any failed.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/hv_echo_proto.h"

#include "sim_check.h"

#define DEV_A "5e5e0000-2c41-4d8a-b6e0-5f1c2d3e4a01"
#define DEV_B "7f3c0a52-1d2e-4b6a-9c8d-0e1f2a3b4c5d"
#define DEV_C "5e5e0000-df3e-46c5-913f-f2d2f965ed0e"
#define SYSDEV "/sys/bus/vmbus/devices/"
#define PAGE 4096u

#define PKT_INBAND 6
#define PKT_GPA    9
#define PKT_COMP   0xb
#define FLAG_RC    1



/* ---- sysfs helpers ---- */

static bool
read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool
attr_is(const char *path, const char *want)
{
	char buf[256];

	return read_attr(path, buf, sizeof(buf)) && strcmp(buf, want) == 0;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool
link_is(const char *path, const char *want)
{
	char buf[512];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int
count_dir(const char *path, bool numeric_only)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (numeric_only && (e->d_name[0] < '0' || e->d_name[0] > '9'))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/* ---- control ---- */

static udrv_sim_ctl_t ctl_fn;

static int
ctl(const char *cmd, char *reply, unsigned int len)
{
	if (ctl_fn == NULL)
		*(void **)&ctl_fn = dlsym(RTLD_DEFAULT, HV_SIM_CTL_SYMBOL);
	if (ctl_fn == NULL)
		return -ENOSYS;
	return ctl_fn(cmd, reply, len);
}

/* One counter of one channel from "stats <uuid>", or -1. */
static long long
stat_get(const char *uuid, unsigned int relid, const char *key)
{
	static char reply[8192];
	char cmd[128], want[32], *line, *save = NULL, *p;

	snprintf(cmd, sizeof(cmd), "stats %s", uuid);
	if (ctl(cmd, reply, sizeof(reply)) != 0)
		return -1;
	snprintf(want, sizeof(want), "relid=%u ", relid);
	for (line = strtok_r(reply, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		snprintf(cmd, sizeof(cmd), " %s=", key);
		p = strstr(line, cmd);
		if (p == NULL)
			return -1;
		if (strcmp(key, "state") == 0)
			return strncmp(p + strlen(cmd), "dead", 4) == 0 ? 3 :
			       strncmp(p + strlen(cmd), "open", 4) == 0 ? 2 : 1;
		return atoll(p + strlen(cmd));
	}
	return -1;
}

/* ---- the guest side of a channel ---- */

struct ring_hdr {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved[12];
	uint32_t feature_bits;
};

struct mon_page {
	uint32_t state;
	uint32_t rsvd1;
	struct {
		uint32_t pending;
		uint32_t armed;
	} trigs[4];
	uint8_t rsvd2[536];
	uint16_t latency[4][32];
};

struct gdev {
	int fd;
	uint8_t *ring;
	size_t ring_len;
	uint32_t *int_send;            /* second half of the interrupt page */
	struct mon_page *mon;
};

struct gchan {
	struct gdev *dev;
	uint32_t relid;
	int monitor_id;
	struct ring_hdr *tx, *rx;
	uint8_t *txd, *rxd;
	uint32_t dsize;
};

struct rpkt {
	uint16_t type;
	uint16_t flags;
	uint64_t xid;
	uint8_t *payload;
	uint32_t plen;
};

static uint64_t next_xid = 1;

static void
chan_setup(struct gchan *c, struct gdev *d, uint8_t *base, size_t len,
	   uint32_t relid, int monitor_id)
{
	c->dev = d;
	c->relid = relid;
	c->monitor_id = monitor_id;
	c->tx = (struct ring_hdr *)base;
	c->rx = (struct ring_hdr *)(base + len / 2);
	c->txd = base + PAGE;
	c->rxd = base + len / 2 + PAGE;
	c->dsize = (uint32_t)(len / 2 - PAGE);
}

static void
g_signal(struct gchan *c)
{
	int32_t one = 1;

	if (c->monitor_id >= 0) {
		__atomic_fetch_or(&c->dev->mon->trigs[c->monitor_id / 32].pending,
				  1u << (c->monitor_id % 32), __ATOMIC_SEQ_CST);
		return;
	}
	__atomic_fetch_or(&c->dev->int_send[c->relid / 32], 1u << (c->relid % 32),
			  __ATOMIC_SEQ_CST);
	if (write(c->dev->fd, &one, sizeof(one)) != sizeof(one))
		perror("uio write");
}

static uint32_t
used(const struct gchan *c, uint32_t w, uint32_t r)
{
	return w >= r ? w - r : c->dsize - r + w;
}

static void
ring_put(uint8_t *data, uint32_t dsize, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = dsize - off;

	if (len <= first) {
		memcpy(data + off, src, len);
	} else {
		memcpy(data + off, src, first);
		memcpy(data, (const uint8_t *)src + first, len - first);
	}
}

static void
ring_get(const uint8_t *data, uint32_t dsize, uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = dsize - off;

	if (len <= first) {
		memcpy(dst, data + off, len);
	} else {
		memcpy(dst, data + off, first);
		memcpy((uint8_t *)dst + first, data, len - first);
	}
}

/* Write one packet: descriptor, ext (type header), payload, pad, trailer. */
static int
g_send_raw(struct gchan *c, uint16_t type, uint16_t flags, uint16_t offset8_override,
	   uint64_t xid, const void *ext, uint32_t elen, const void *pl, uint32_t plen)
{
	uint32_t hlen = 16 + elen, len = (hlen + plen + 7) & ~7u, total = len + 8;
	uint32_t w = c->tx->write_index, r = __atomic_load_n(&c->tx->read_index, __ATOMIC_ACQUIRE);
	uint64_t trailer = (uint64_t)w << 32;
	uint8_t *pkt;
	struct {
		uint16_t type, offset8, len8, flags;
		uint64_t xid;
	} d = { type, (uint16_t)(hlen / 8), (uint16_t)(len / 8), flags, xid };

	if (offset8_override != 0)
		d.offset8 = offset8_override;
	if (c->dsize - used(c, w, r) <= total)
		return -EAGAIN;
	pkt = calloc(1, len);
	memcpy(pkt, &d, sizeof(d));
	if (elen)
		memcpy(pkt + 16, ext, elen);
	if (plen)
		memcpy(pkt + hlen, pl, plen);
	ring_put(c->txd, c->dsize, w, pkt, len);
	ring_put(c->txd, c->dsize, (w + len) % c->dsize, &trailer, 8);
	free(pkt);
	__atomic_store_n(&c->tx->write_index, (w + total) % c->dsize, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->tx->interrupt_mask, __ATOMIC_ACQUIRE) == 0 &&
	    __atomic_load_n(&c->tx->read_index, __ATOMIC_ACQUIRE) == w)
		g_signal(c);
	return 0;
}

static int
g_send(struct gchan *c, uint16_t type, uint16_t flags, uint64_t xid,
       const void *ext, uint32_t elen, const void *pl, uint32_t plen)
{
	return g_send_raw(c, type, flags, 0, xid, ext, elen, pl, plen);
}

/* Read one packet into buf; honours the host's pending_send_sz. */
static int
g_recv(struct gchan *c, uint8_t *buf, uint32_t buflen, struct rpkt *p)
{
	uint32_t w = __atomic_load_n(&c->rx->write_index, __ATOMIC_ACQUIRE);
	uint32_t r = c->rx->read_index, nr, len, pending, before, after;
	struct {
		uint16_t type, offset8, len8, flags;
		uint64_t xid;
	} d;

	if (w == r)
		return -EAGAIN;
	ring_get(c->rxd, c->dsize, r, &d, sizeof(d));
	len = (uint32_t)d.len8 * 8;
	if (len > buflen || d.offset8 * 8u > len)
		return -EPROTO;
	ring_get(c->rxd, c->dsize, r, buf, len);
	nr = (r + len + 8) % c->dsize;
	__atomic_store_n(&c->rx->read_index, nr, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = __atomic_load_n(&c->rx->pending_send_sz, __ATOMIC_ACQUIRE);
	if (pending != 0) {
		w = __atomic_load_n(&c->rx->write_index, __ATOMIC_ACQUIRE);
		before = c->dsize - used(c, w, r);
		after = c->dsize - used(c, w, nr);
		if (before < pending && after >= pending)
			g_signal(c);
	}
	p->type = d.type;
	p->flags = d.flags;
	p->xid = d.xid;
	p->payload = buf + d.offset8 * 8;
	p->plen = len - d.offset8 * 8u;
	return 0;
}

static int
g_wait(struct gchan *c, uint8_t *buf, uint32_t buflen, struct rpkt *p, unsigned int ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	int r;

	while ((r = g_recv(c, buf, buflen, p)) == -EAGAIN && now_us() < end)
		usleep(20);
	return r;
}

static uint8_t rbuf[1 << 20];

static void
fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 13 + i * 5 + 3);
}

/* One ECHO round trip of size data bytes; false on any mismatch. */
static bool
echo_once(struct gchan *c, uint32_t size, bool rc)
{
	uint8_t *msg = malloc(sizeof(struct hv_echo_msg) + size);
	struct hv_echo_msg *m = (struct hv_echo_msg *)msg;
	uint64_t xid = next_xid++;
	struct rpkt p;
	bool ok;

	m->op = HV_ECHO_OP_ECHO;
	m->arg0 = size;
	m->arg1 = 0;
	m->seq = (uint32_t)xid;
	fill(m->data, size, (uint32_t)xid);
	ok = g_send(c, PKT_INBAND, rc ? FLAG_RC : 0, xid, NULL, 0, msg,
		    (uint32_t)sizeof(*m) + size) == 0 &&
	     g_wait(c, rbuf, sizeof(rbuf), &p, 2000) == 0 &&
	     p.type == (rc ? PKT_COMP : PKT_INBAND) && p.xid == xid && p.flags == 0 &&
	     p.plen >= sizeof(*m) + size &&
	     memcmp(p.payload, msg, sizeof(*m) + size) == 0;
	free(msg);
	return ok;
}

static int
send_op(struct gchan *c, uint32_t op, uint32_t arg0, uint32_t arg1, uint16_t flags,
	uint64_t xid)
{
	struct hv_echo_msg m = { op, arg0, arg1, (uint32_t)xid };

	return g_send(c, PKT_INBAND, flags, xid, NULL, 0, &m, sizeof(m));
}

static bool
open_device(struct gdev *d, const char *uio, size_t ring_len)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", uio);
	d->fd = open(path, O_RDWR);
	if (d->fd < 0)
		return false;
	d->ring_len = ring_len;
	d->ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	d->int_send = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, PAGE);
	d->mon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 2 * PAGE);
	if (d->ring == MAP_FAILED || d->int_send == MAP_FAILED || d->mon == MAP_FAILED)
		return false;
	d->int_send = (uint32_t *)((uint8_t *)d->int_send + PAGE / 2);
	return true;
}

/* ---- checks ---- */

static void
test_layout(void)
{
	char buf[512];
	struct stat st;
	int fd;

	check(count_dir(SYSDEV, false) == 3, "three devices in " SYSDEV);
	check(attr_is(SYSDEV DEV_A "/class_id", "{9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a01}\n"),
	      "class_id with braces");
	check(attr_is(SYSDEV DEV_A "/device_id", "{" DEV_A "}\n"),
	      "device_id derived from class and index");
	check(attr_is(SYSDEV DEV_A "/id", "14\n") && attr_is(SYSDEV DEV_B "/id", "15\n"),
	      "relids 14 and 15 in offer order");
	check(attr_is(SYSDEV DEV_A "/monitor_id", "0\n"), "monitored device has monitor_id 0");
	check(!exists(SYSDEV DEV_B "/monitor_id"), "lowspeed device has no monitor_id");
	check(attr_is(SYSDEV DEV_A "/vendor", "0x1414\n"), "vendor 0x1414");
	check(attr_is(SYSDEV DEV_A "/numa_node", "-1\n") &&
	      attr_is(SYSDEV DEV_B "/numa_node", "0\n"), "numa_node default and numa=0");
	check(attr_is(SYSDEV DEV_A "/modalias", "vmbus:5e7f3b9a412c8a4db6e05f1c2d3e4a01\n"),
	      "modalias in guid_t byte order");
	check(link_is(SYSDEV DEV_A "/driver", "../../drivers/uio_hv_generic"),
	      "driver link to uio_hv_generic");
	check(attr_is(SYSDEV DEV_A "/channels/14/subchannel_id", "0\n") &&
	      attr_is(SYSDEV DEV_A "/channels/14/monitor_id", "0\n"),
	      "primary channel directory");
	check(!exists(SYSDEV DEV_B "/channels/15/monitor_id") &&
	      exists(SYSDEV DEV_B "/channels/15/cpu"),
	      "non-monitored channel directory has no monitor_id");
	check(stat(SYSDEV DEV_A "/channels/14/ring", &st) == 0 && st.st_size == 2 * 65536 &&
	      stat(SYSDEV DEV_B "/channels/15/ring", &st) == 0 && st.st_size == 2 * 20480,
	      "ring file sizes are 2 x ring");
	check(attr_is(SYSDEV DEV_A "/uio/uio0/maps/map0/name", "txrx_rings\n") &&
	      attr_is(SYSDEV DEV_A "/uio/uio0/maps/map0/size", "0x0000000000020000\n") &&
	      attr_is(SYSDEV DEV_A "/uio/uio0/maps/map1/name", "int_page\n") &&
	      attr_is(SYSDEV DEV_A "/uio/uio0/maps/map1/size", "0x0000000000001000\n") &&
	      attr_is(SYSDEV DEV_A "/uio/uio0/maps/map2/name", "monitor_page\n") &&
	      attr_is(SYSDEV DEV_A "/uio/uio0/maps/map2/offset", "0x0\n") &&
	      !exists(SYSDEV DEV_A "/uio/uio0/maps/map3"),
	      "uio maps 0..2 with kernel formatting");
	check(link_is("/sys/class/uio/uio1",
		      "../../bus/vmbus/devices/" DEV_B "/uio/uio1") &&
	      attr_is("/sys/class/uio/uio1/name", "uio_hv_generic\n"),
	      "/sys/class/uio link resolves");
	check(exists("/dev/uio0") && exists("/dev/uio1") && !exists("/dev/uio2"),
	      "/dev/uio0 and /dev/uio1 only");
	check(!exists(SYSDEV DEV_C "/id") && !exists(SYSDEV DEV_C "/numa_node"),
	      "omit= leaves attributes out");
	check(read_attr(SYSDEV DEV_C "/class_id", buf, sizeof(buf)) &&
	      strstr(buf, "f8615163") == NULL, "garbage= garbles class_id");
	check(link_is(SYSDEV DEV_C "/driver", "../../drivers/hv_netvsc") &&
	      !exists(SYSDEV DEV_C "/uio") && !exists(SYSDEV DEV_C "/channels/16/ring"),
	      "device bound to hv_netvsc has no uio");
	fd = open("/sys/bus/vmbus/drivers/uio_hv_generic/new_id", O_WRONLY);
	check(fd >= 0 && write(fd, "f8615163-df3e-46c5-913f-f2d2f965ed0e", 36) == 36,
	      "new_id accepts a write");
	if (fd >= 0)
		close(fd);
}

static struct gdev da, db;
static struct gchan ca, cb;

static void
test_open_and_maps(void)
{
	void *p;
	char c8[8];
	int r;

	check(open_device(&da, "uio0", 2 * 65536), "open and map /dev/uio0");
	check(open_device(&db, "uio1", 2 * 20480), "open and map /dev/uio1");
	if (da.fd < 0 || db.fd < 0)
		exit(1);
	chan_setup(&ca, &da, da.ring, da.ring_len, 14, 0);
	chan_setup(&cb, &db, db.ring, db.ring_len, 15, -1);

	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, da.fd, 3 * PAGE);
	check(p == MAP_FAILED && errno == EINVAL, "mmap of unknown map index: EINVAL");
	p = mmap(NULL, 3 * 65536, PROT_READ, MAP_SHARED, da.fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mmap longer than the map: EINVAL");
	r = (int)read(da.fd, c8, sizeof(c8));
	check(r < 0 && errno == EINVAL, "uio read of 8 bytes: EINVAL");
	r = (int)write(da.fd, c8, 2);
	check(r < 0 && errno == EINVAL, "uio write of 2 bytes: EINVAL");
	check((ca.tx->feature_bits & 1) && (ca.rx->feature_bits & 1) &&
	      ca.tx->write_index == 0 && ca.rx->read_index == 0 &&
	      ca.rx->interrupt_mask == 0 && ca.tx->interrupt_mask == 0,
	      "channel open initialised both ring headers");
}

static void
test_echo(struct gchan *c, const char *name, const char *uuid)
{
	uint32_t i, size, bad = 0, n = 0, maxsz = c->dsize / 3;
	uint64_t sig_before = stat_get(uuid, c->relid,
				       c->monitor_id >= 0 ? "host_signals_monitor" :
							    "host_signals_event");

	for (i = 0; i < 400; i++) {
		size = (i * 997u) % maxsz;
		if (!echo_once(c, size, i & 1))
			bad++;
		n++;
	}
	/* Every size around the header and padding boundaries. */
	for (size = 0; size < 40; size++, n++)
		if (!echo_once(c, size, false))
			bad++;
	check(bad == 0, "%s: %u echo round trips across wrap-around, %u bad", name, n, bad);
	check(stat_get(uuid, c->relid, c->monitor_id >= 0 ? "host_signals_monitor" :
				       "host_signals_event") > (long long)sig_before,
	      "%s: host saw %s signals", name, c->monitor_id >= 0 ? "monitor" : "event");
}

static void *
blocking_reader(void *arg)
{
	int fd = *(int *)arg;
	uint32_t v;
	intptr_t r = read(fd, &v, sizeof(v));

	return (void *)(r == 4 ? (intptr_t)4 : -(intptr_t)errno);
}

static void
test_interrupts(void)
{
	int fd2 = open("/dev/uio0", O_RDWR | O_NONBLOCK);
	int32_t on = 1, off = 0;
	uint32_t v, v2;
	struct pollfd pfd = { .fd = fd2, .events = POLLIN };
	pthread_t t;
	void *res;
	int r;

	check(fd2 >= 0, "second open of /dev/uio0 (O_NONBLOCK)");
	r = (int)read(fd2, &v, sizeof(v));
	check(r < 0 && errno == EAGAIN, "no interrupt yet: read gives EAGAIN");
	check(write(da.fd, &on, 4) == 4 && ca.rx->interrupt_mask == 0,
	      "write(1) clears the RX interrupt_mask");
	echo_once(&ca, 8, false);
	check(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN),
	      "poll: readable after an interrupt");
	r = (int)read(fd2, &v, sizeof(v));
	check(r == 4 && v >= 1, "read returns the interrupt count (%u)", v);
	r = (int)read(fd2, &v2, sizeof(v2));
	check(r < 0 && errno == EAGAIN && poll(&pfd, 1, 0) == 0,
	      "count consumed: EAGAIN and not readable");
	echo_once(&ca, 8, false);
	r = (int)read(fd2, &v2, sizeof(v2));
	check(r == 4 && v2 > v, "empty -> non-empty write interrupts again (%u > %u)", v2, v);

	check(write(da.fd, &off, 4) == 4 && ca.rx->interrupt_mask == 1,
	      "write(0) sets the RX interrupt_mask");
	echo_once(&ca, 8, false);
	usleep(2000);
	r = (int)read(fd2, &v, sizeof(v));
	check(r < 0 && errno == EAGAIN, "no interrupt while masked");

	/* A blocking reader wakes on the next interrupt. */
	write(da.fd, &on, 4);
	pthread_create(&t, NULL, blocking_reader, &da.fd);
	usleep(20000);
	echo_once(&ca, 8, false);
	pthread_join(t, &res);
	check((intptr_t)res == 4, "blocking read woken by an interrupt");
	close(fd2);
	write(da.fd, &off, 4);
}

static void
test_gpa(void)
{
	struct {
		uint32_t reserved;
		uint32_t count;
		struct {
			uint32_t len, offset;
			uint64_t pfn;
		} r[3];
	} ext;
	struct hv_echo_msg m = { HV_ECHO_OP_ECHO, 0, 0, 77 };
	uint8_t *buf, *bad, want[4096 + 200];
	struct rpkt p;
	uint64_t xid = next_xid++;
	const struct hv_echo_msg *rm;
	bool ok;

	if (posix_memalign((void **)&buf, PAGE, 3 * PAGE) != 0)
		return;
	fill(buf, 3 * PAGE, 9);
	ext.reserved = 0;
	ext.count = 3;
	ext.r[0].len = 100, ext.r[0].offset = 50, ext.r[0].pfn = (uintptr_t)buf / PAGE;
	ext.r[1].len = 4096, ext.r[1].offset = 0, ext.r[1].pfn = (uintptr_t)buf / PAGE + 1;
	ext.r[2].len = 10, ext.r[2].offset = 4000, ext.r[2].pfn = (uintptr_t)buf / PAGE + 2;
	memcpy(want, buf + 50, 100);
	memcpy(want + 100, buf + PAGE, 4096);
	memcpy(want + 4196, buf + 2 * PAGE + 4000, 10);
	ok = g_send(&ca, PKT_GPA, FLAG_RC, xid, &ext, sizeof(ext), &m, sizeof(m)) == 0 &&
	     g_wait(&ca, rbuf, sizeof(rbuf), &p, 2000) == 0;
	rm = (const struct hv_echo_msg *)p.payload;
	check(ok && p.type == PKT_COMP && p.xid == xid && rm->op == HV_ECHO_OP_ECHO &&
	      rm->seq == 77 && rm->arg1 == 4206 && p.plen >= 16 + 4206 &&
	      memcmp(rm->data, want, 4206) == 0,
	      "GPA direct echo gathers 3 ranges (4206 bytes)");

	bad = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ext.count = 1;
	ext.r[0].len = 64, ext.r[0].offset = 0, ext.r[0].pfn = (uintptr_t)bad / PAGE;
	xid = next_xid++;
	ok = g_send(&ca, PKT_GPA, FLAG_RC, xid, &ext, 8 + 16, &m, sizeof(m)) == 0 &&
	     g_wait(&ca, rbuf, sizeof(rbuf), &p, 2000) == 0;
	rm = (const struct hv_echo_msg *)p.payload;
	check(ok && p.type == PKT_COMP && p.xid == xid && rm->arg1 == 0xffffffffu &&
	      p.plen < 16 + 64, "GPA direct echo of an unmapped page: arg1 = 0xffffffff");
	munmap(bad, PAGE);
	free(buf);
}

static void
test_flood(struct gchan *c, const char *name, const char *uuid, uint32_t count,
	   uint32_t bytes)
{
	uint64_t full_before = stat_get(uuid, c->relid, "ring_full_waits");
	uint32_t got = 0, bad = 0, waited_ms, i;
	struct rpkt p;

	send_op(c, HV_ECHO_OP_FLOOD, count, bytes, 0, next_xid++);
	/* Read nothing until the host has filled the ring and waits for
	 * room: it must, the flood is larger than the ring, however fast
	 * or slow the host runs.
	 */
	for (waited_ms = 0; waited_ms < 5000 &&
	     stat_get(uuid, c->relid, "ring_full_waits") <= (long long)full_before;
	     waited_ms++)
		usleep(1000);
	while (got < count && g_wait(c, rbuf, sizeof(rbuf), &p, 2000) == 0) {
		const struct hv_echo_msg *m = (const struct hv_echo_msg *)p.payload;
		bool ok = p.type == PKT_INBAND && m->op == HV_ECHO_OP_FLOOD &&
			  m->seq == got && m->arg1 == bytes;

		for (i = 0; ok && i < bytes; i++)
			ok = m->data[i] == hv_echo_pattern(got, i);
		if (!ok)
			bad++;
		got++;
		if (got % 16 == 0)
			usleep(200);    /* a slow reader: the host must wait */
	}
	check(got == count && bad == 0, "%s: flood of %u x %u bytes (%u KiB > ring) "
	      "received in order, %u bad", name, count, bytes,
	      count * (bytes + 40) / 1024, bad);
	check(stat_get(uuid, c->relid, "ring_full_waits") > (long long)full_before,
	      "%s: host waited on a full ring (pending_send_sz)", name);
}

static void
test_stall(void)
{
	uint64_t t0, waits0 = stat_get(DEV_A, 14, "pending_send_waits");
	uint32_t sent = 0, got = 0, bad = 0, first_ms = 0;
	uint8_t msg[16 + 1000];
	struct hv_echo_msg *m = (struct hv_echo_msg *)msg;
	struct rpkt p;
	int32_t on = 1;
	bool ok;

	send_op(&ca, HV_ECHO_OP_STALL, 300, 0, 0, next_xid++);
	usleep(5000);
	t0 = now_us();
	/* Fill our TX ring while the host is not reading. */
	m->op = HV_ECHO_OP_ECHO;
	for (;;) {
		m->seq = sent;
		fill(m->data, 1000, sent);
		if (g_send(&ca, PKT_INBAND, 0, 1000 + sent, NULL, 0, msg, sizeof(msg)) < 0)
			break;
		sent++;
	}
	check(g_recv(&ca, rbuf, sizeof(rbuf), &p) == -EAGAIN && now_us() - t0 < 250000,
	      "stalled host: TX ring full (%u packets), no reply", sent);
	/* Ask to be told when 4 KiB are free again, as a sleeping driver would. */
	__atomic_store_n(&ca.tx->pending_send_sz, 4096, __ATOMIC_SEQ_CST);
	write(da.fd, &on, 4);
	while (got < sent && g_wait(&ca, rbuf, sizeof(rbuf), &p, 2000) == 0) {
		const struct hv_echo_msg *r = (const struct hv_echo_msg *)p.payload;

		if (got == 0)
			first_ms = (uint32_t)((now_us() - t0) / 1000);
		fill(msg + 16, 1000, got);
		if (r->seq != got || p.xid != 1000 + got || p.plen < sizeof(msg) ||
		    memcmp(r->data, msg + 16, 1000) != 0)
			bad++;
		got++;
	}
	__atomic_store_n(&ca.tx->pending_send_sz, 0, __ATOMIC_SEQ_CST);
	check(got == sent && bad == 0 && first_ms >= 250,
	      "after the stall the burst is served in order (first reply at %u ms)",
	      first_ms);
	check(stat_get(DEV_A, 14, "pending_send_waits") > (long long)waits0,
	      "host honoured the guest's pending_send_sz");
	on = 0;
	write(da.fd, &on, 4);

	/* The same through the control command. */
	check(ctl("stall " DEV_B " all 200", NULL, 0) == 0, "ctl stall accepted");
	t0 = now_us();
	ok = echo_once(&cb, 16, false);
	t0 = now_us() - t0;
	check(ok && t0 >= 150000, "ctl stall delays the reply (%llu ms)",
	      (unsigned long long)t0 / 1000);
}

struct subch {
	struct gchan c;
	uint8_t *map;
	size_t len;
	uint32_t id;
};

static struct subch subs[8];
static unsigned int nsubs;

static void
test_subchannels(void)
{
	char path[256], val[64];
	struct hv_echo_msg *r;
	unsigned int enodev = 0, bad = 0, i;
	uint64_t t0, xid = next_xid++;
	struct rpkt p;
	DIR *d;
	struct dirent *e;

	send_op(&ca, HV_ECHO_OP_SUBCH, 3, 0, FLAG_RC, xid);
	r = g_wait(&ca, rbuf, sizeof(rbuf), &p, 2000) == 0 ?
	    (struct hv_echo_msg *)p.payload : NULL;
	check(r != NULL && p.type == PKT_COMP && p.xid == xid && r->op == HV_ECHO_OP_SUBCH &&
	      r->arg0 == 3, "SUBCH request for 3 granted 3");
	check(count_dir(SYSDEV DEV_A "/channels", true) == 1,
	      "sub-channels are not offered at once");
	t0 = now_us();
	while (nsubs < 3 && now_us() - t0 < 3000000) {
		d = opendir(SYSDEV DEV_A "/channels");
		while (d != NULL && (e = readdir(d)) != NULL) {
			uint32_t relid = (uint32_t)atoi(e->d_name);
			bool known = relid == 14;
			struct subch *s;
			int fd;

			for (i = 0; i < nsubs; i++)
				known |= subs[i].c.relid == relid;
			if (e->d_name[0] == '.' || known)
				continue;
			snprintf(path, sizeof(path), SYSDEV DEV_A "/channels/%u/ring", relid);
			fd = open(path, O_RDWR);
			if (fd < 0)
				continue;
			s = &subs[nsubs];
			s->len = 2 * 65536;
			s->map = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			close(fd);
			if (s->map == MAP_FAILED) {
				if (errno == ENODEV)
					enodev++;
				continue;
			}
			snprintf(path, sizeof(path), SYSDEV DEV_A "/channels/%u/subchannel_id",
				 relid);
			read_attr(path, val, sizeof(val));
			s->id = (uint32_t)atoi(val);
			snprintf(path, sizeof(path), SYSDEV DEV_A "/channels/%u/monitor_id", relid);
			chan_setup(&s->c, &da, s->map, s->len, relid,
				   read_attr(path, val, sizeof(val)) ? atoi(val) : -1);
			nsubs++;
		}
		if (d != NULL)
			closedir(d);
		usleep(200);
	}
	check(nsubs == 3 && now_us() - t0 >= 20000,
	      "3 sub-channels appeared after the offer delay");
	check(enodev > 0, "ring mmap gave ENODEV before the channel was open (%u times)",
	      enodev);
	for (i = 0; i < nsubs; i++)
		if (subs[i].id < 1 || subs[i].id > 3 || subs[i].c.monitor_id >= 0)
			bad++;
	check(nsubs == 3 && bad == 0 && subs[0].id != subs[1].id && subs[1].id != subs[2].id,
	      "subchannel_id 1..3, no monitor_id");
	for (i = 0, bad = 0; i < nsubs; i++) {
		uint32_t k;

		for (k = 0; k < 50; k++)
			if (!echo_once(&subs[i].c, (k * 331) % 20000, k & 1))
				bad++;
	}
	check(nsubs == 3 && bad == 0, "echo on each sub-channel over the event path");

	xid = next_xid++;
	send_op(&ca, HV_ECHO_OP_SUBCH, 5, 0, 0, xid);
	r = g_wait(&ca, rbuf, sizeof(rbuf), &p, 2000) == 0 ?
	    (struct hv_echo_msg *)p.payload : NULL;
	check(r != NULL && p.type == PKT_INBAND && r->arg0 == 1,
	      "second SUBCH limited by max-subch=4 (granted %u)", r != NULL ? r->arg0 : 0);
	if (nsubs > 0) {
		xid = next_xid++;
		send_op(&subs[0].c, HV_ECHO_OP_SUBCH, 2, 0, FLAG_RC, xid);
		r = g_wait(&subs[0].c, rbuf, sizeof(rbuf), &p, 2000) == 0 ?
		    (struct hv_echo_msg *)p.payload : NULL;
		check(r != NULL && r->arg0 == 0, "SUBCH on a sub-channel grants 0");
	}
	usleep(100000);
	check(count_dir(SYSDEV DEV_A "/channels", true) == 5, "4th sub-channel offered");
}

static void
test_corruption(void)
{
	struct hv_echo_msg m = { HV_ECHO_OP_ECHO, 0, 0, 1 };
	struct {
		uint32_t reserved, count;
		uint32_t len, offset;
		uint64_t pfn;
	} ext = { 0, 1, 200, 4000, 1 };
	struct rpkt p;

	if (nsubs < 3)
		return;
	/* offset8 = 1 is shorter than the descriptor itself. */
	g_send_raw(&subs[1].c, PKT_INBAND, 0, 1, next_xid++, NULL, 0, &m, sizeof(m));
	usleep(50000);
	check(stat_get(DEV_A, subs[1].c.relid, "corrupt") == 1 &&
	      stat_get(DEV_A, subs[1].c.relid, "state") == 3,
	      "bad descriptor: corruption counted, channel stopped");
	g_send(&subs[1].c, PKT_INBAND, 0, next_xid++, NULL, 0, &m, sizeof(m));
	check(g_wait(&subs[1].c, rbuf, sizeof(rbuf), &p, 200) == -EAGAIN,
	      "stopped channel is not served");
	g_send(&subs[2].c, PKT_GPA, FLAG_RC, next_xid++, &ext, sizeof(ext), &m, sizeof(m));
	usleep(50000);
	check(stat_get(DEV_A, subs[2].c.relid, "corrupt") == 1,
	      "GPA range crossing its page: corruption");
	/* An index outside the ring. */
	__atomic_store_n(&subs[0].c.tx->write_index, 0x7ffffff8u, __ATOMIC_SEQ_CST);
	g_signal(&subs[0].c);
	usleep(50000);
	check(stat_get(DEV_A, subs[0].c.relid, "corrupt") == 1,
	      "write_index beyond the ring: corruption");
	check(echo_once(&ca, 100, true), "primary channel still served");
}

static void
test_close_reopen(void)
{
	volatile uint32_t sink;

	close(da.fd);
	check(count_dir(SYSDEV DEV_A "/channels", true) == 1,
	      "last close removes the sub-channel directories");
	if (nsubs > 0)
		sink = subs[0].c.tx->write_index; /* old mappings stay valid */
	(void)sink;
	munmap(da.ring, da.ring_len);
	check(open_device(&da, "uio0", 2 * 65536), "reopen /dev/uio0");
	chan_setup(&ca, &da, da.ring, da.ring_len, 14, 0);
	check(ca.tx->write_index == 0 && ca.rx->write_index == 0 && echo_once(&ca, 64, false),
	      "reopened channel starts fresh and echoes");
}

static void
test_ctl(void)
{
	char reply[4096];
	int r;

	r = ctl("list", reply, sizeof(reply));
	check(r == 0 && strstr(reply, DEV_A " 9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a01 14 uio0 0\n") &&
	      strstr(reply, DEV_B " 9a3b7f5e-2c41-4d8a-b6e0-5f1c2d3e4a02 15 uio1 -\n") &&
	      strstr(reply, DEV_C " f8615163-df3e-46c5-913f-f2d2f965ed0e 16 - 1\n"),
	      "ctl list");
	r = ctl("frobnicate", reply, sizeof(reply));
	check(r == -EINVAL && reply[0] != '\0', "ctl unknown command: -EINVAL with a message");
	r = ctl("stats 00000000-0000-0000-0000-000000000000", reply, sizeof(reply));
	check(r == -ENODEV, "ctl stats of an unknown device: -ENODEV");
}

/* Run by a second process: attach to the owner's host and use device A. */
static int
attached_main(void)
{
	struct gdev d;
	struct gchan c;
	char reply[2048];
	int32_t on = 1;
	uint32_t v;
	bool ok;

	ok = attr_is(SYSDEV DEV_A "/id", "14\n") && ctl("list", reply, sizeof(reply)) == 0 &&
	     open_device(&d, "uio0", 2 * 65536);
	if (!ok)
		return 10;
	chan_setup(&c, &d, d.ring, d.ring_len, 14, 0);
	c.rx->read_index = c.rx->write_index;  /* start where the ring is */
	if (write(d.fd, &on, 4) != 4 || !echo_once(&c, 500, false))
		return 11;
	/* The interrupt crossed processes: read must not block forever. */
	if (read(d.fd, &v, 4) != 4)
		return 12;
	on = 0;
	write(d.fd, &on, 4);
	close(d.fd);
	/* The event path: this process's uio write must reach the host. */
	if (!open_device(&d, "uio1", 2 * 20480))
		return 13;
	chan_setup(&c, &d, d.ring, d.ring_len, 15, -1);
	c.rx->read_index = c.rx->write_index;
	if (!echo_once(&c, 3000, true))
		return 14;
	close(d.fd);
	return 0;
}

static void
test_attach(const char *self)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		execl(self, self, "--attached", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "second process attaches and echoes on both signalling paths (status %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void
test_rescind(void)
{
	struct pollfd pfd = { .fd = db.fd, .events = POLLIN };
	pthread_t t;
	void *res;
	uint32_t v;
	int32_t on = 1;
	volatile uint32_t sink;
	int r;

	/* Mask interrupts and consume the pending ones, so the reader blocks. */
	on = 0;
	write(db.fd, &on, sizeof(on));
	while (poll(&pfd, 1, 0) == 1)
		read(db.fd, &v, sizeof(v));
	on = 1;
	pthread_create(&t, NULL, blocking_reader, &db.fd);
	usleep(20000);
	check(ctl("rescind " DEV_B, NULL, 0) == 0, "ctl rescind accepted");
	pthread_join(t, &res);
	check((intptr_t)res == -EIO, "rescind wakes a blocked reader with EIO (%d)",
	      (int)(intptr_t)res);
	r = (int)read(db.fd, &v, sizeof(v));
	check(r < 0 && errno == EIO, "read after rescind: EIO");
	check(poll(&pfd, 1, 0) == 1, "rescinded fd is poll-readable");
	r = (int)write(db.fd, &on, sizeof(on));
	check(r < 0 && errno == EIO, "write after rescind: EIO");
	check(!exists(SYSDEV DEV_B) && !exists("/sys/class/uio/uio1") && !exists("/dev/uio1"),
	      "rescind removes the sysfs directory, class link and node");
	sink = cb.rx->write_index;
	(void)sink;
	check(true, "existing mappings stay valid after rescind");
	check(open("/dev/uio1", O_RDWR) < 0 && errno == ENOENT, "open after rescind: ENOENT");
	close(db.fd);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--attached") == 0)
		return attached_main();
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_layout();
	test_open_and_maps();
	test_echo(&ca, "monitored (A)", DEV_A);
	test_echo(&cb, "event (B)", DEV_B);
	test_interrupts();
	test_gpa();
	test_flood(&cb, "event (B)", DEV_B, 300, 500);
	test_flood(&ca, "monitored (A)", DEV_A, 400, 1500);
	test_stall();
	test_subchannels();
	test_corruption();
	test_close_reopen();
	test_ctl();
	test_attach(argv[0]);
	test_rescind();
	check(ctl("list", NULL, 0) == 0, "model still alive at the end");

	printf("%d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
