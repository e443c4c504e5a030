/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the DSA model, run under simrun with the devices that
 * sim/meson.build gives it (no DPDK):
 *   dsa0  default: configured, 2 dedicated WQs of 64, fault= range F0
 *   dsa1  shared WQs (size 8, threshold 4), fill16, latency, window 1
 *   dsa2  configured=no: the sysfs rules, bind/unbind
 *   dsa3  one dedicated WQ of 4, window 1, long latency: WQ full
 *   dsa4  ooo=yes, window 16
 *   dsa5  invalid=3:0x13
 *
 * It uses what a user-space driver has on Linux: sysfs files, the
 * /dev/dsa char device, MOVDIR64B and ENQCMD to the mapped portal
 * (ENQCMD is emulated by the model on CPUs without it), completion
 * records in its own memory; and the model's control entry point for
 * the counters. One line per check; non-zero exit if any failed.
 *
 * "selftest use WQ" only submits a copy through an already enabled WQ:
 * the accel-config test runs it after configuring the model.
 * "selftest vfio BDF GROUP" tests the vfio-pci mode instead: VFIO
 * container, group and device, config space, BAR0 registers and commands
 * with the spec's rules, BAR2 portals, DMA through the IOMMU mappings.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <immintrin.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../dsa/dsa_spec.h"

#include "sim_check.h"

#define SYS "/sys/bus/dsa/devices/"
#define PAGE 4096u
/* Test memory at a fixed address, so that meson.build can name fault
 * ranges in it: F0 = the page at ARENA + 0x80000.
 */
#define ARENA       0x5a0000000000ull
#define ARENA_SIZE  (1u << 20)
#define FAULT_PAGE  (ARENA + 0x80000)



static void
sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- sysfs ---- */

static bool
read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return true;
}

static bool
attr_is(const char *path, const char *want)
{
	char buf[256];

	return read_attr(path, buf, sizeof(buf)) && strcmp(buf, want) == 0;
}

/* Write as accel-config does: open, one write, close; 0 or errno. */
static int
write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = errno;
	close(fd);
	return err;
}

static int
wq_write(const char *wq, const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), SYS "%s/%s", wq, attr);
	return write_attr(path, val);
}

static bool
wq_is(const char *wq, const char *attr, const char *want)
{
	char path[256];

	snprintf(path, sizeof(path), SYS "%s/%s", wq, attr);
	return attr_is(path, want);
}

/* ---- control ---- */

static int (*ctl_fn)(const char *, char *, unsigned int);

static int
ctl(const char *cmd, char *reply, unsigned int len)
{
	if (ctl_fn == NULL)
		*(void **)&ctl_fn = dlsym(RTLD_DEFAULT, "udrv_sim_ctl");
	return ctl_fn != NULL ? ctl_fn(cmd, reply, len) : -ENOSYS;
}

/* A counter of device dev from "dsa stats". */
static uint64_t
counter(unsigned int dev, const char *name)
{
	static char buf[16384];
	char key[64], prefix[32];
	const char *line, *p;

	if (ctl("dsa stats", buf, sizeof(buf)) < 0)
		return UINT64_MAX;
	snprintf(prefix, sizeof(prefix), "dsa%u ", dev);
	line = strstr(buf, prefix);
	if (line == NULL)
		return UINT64_MAX;
	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(line, key);
	if (p == NULL || (strchr(line, '\n') != NULL && p > strchr(line, '\n')))
		return 0;
	return strtoull(p + strlen(key), NULL, 10);
}

/* ---- descriptors and submission ---- */

static struct dsa_desc *descs;           /* 64-byte aligned */
static struct dsa_completion *comps;     /* 32-byte aligned */
static uint8_t *arena;

static void
desc_init(struct dsa_desc *d, unsigned int op, uint32_t flags)
{
	memset(d, 0, sizeof(*d));
	d->flags_op = (op << 24) | flags;
}

/* DPDK's encoding: destination in RAX, source in RDX. */
static inline void
movdir64b(void *portal, const void *desc)
{
	__asm__ volatile(".byte 0x66,0x0f,0x38,0xf8,0x02"
			 : : "a"(portal), "d"(desc) : "memory");
}

/* ZF after ENQCMD: 1 = retry. */
static inline int
enqcmd(void *portal, const void *desc)
{
	uint8_t retry;

	__asm__ volatile(".byte 0xf2,0x0f,0x38,0xf8,0x02\n\tsetz %0"
			 : "=r"(retry) : "a"(portal), "d"(desc) : "memory", "cc");
	return retry;
}

/* Wait for a status byte to become non-zero; 0 on timeout. */
static uint8_t
wait_status(volatile struct dsa_completion *c, unsigned int timeout_ms)
{
	uint64_t end = now_us() + timeout_ms * 1000ull;

	while (now_us() < end) {
		uint8_t s = __atomic_load_n(&c->status, __ATOMIC_ACQUIRE);

		if (s != 0)
			return s;
		sleep_us(20);
	}
	return 0;
}

struct wqh {
	int fd;
	void *portal;
};

static bool
wq_open(const char *name, struct wqh *h)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/dsa/%s", name);
	h->fd = open(path, O_RDWR);
	if (h->fd < 0)
		return false;
	h->portal = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, h->fd, 0);
	if (h->portal == MAP_FAILED) {
		close(h->fd);
		return false;
	}
	return true;
}

static void
wq_close(struct wqh *h)
{
	munmap(h->portal, PAGE);
	close(h->fd);
}

/* Wait until a WQ's occupancy (read live from sysfs) is n. */
static bool
wait_occupancy(const char *wq, const char *n)
{
	uint64_t end = now_us() + 3000000;

	while (now_us() < end) {
		if (wq_is(wq, "occupancy", n))
			return true;
		sleep_us(200);
	}
	return false;
}

/* Submit one descriptor with a requested record and wait for it. */
static uint8_t
run(struct wqh *h, struct dsa_desc *d, struct dsa_completion *c)
{
	memset(c, 0, sizeof(*c));
	d->flags_op |= DSA_FLAG_CRAV | DSA_FLAG_RCR;
	d->completion_addr = (uintptr_t)c;
	_mm_sfence();
	movdir64b(h->portal, d);
	return wait_status(c, 3000);
}

/* The engine runs a dedicated WQ in order (ooo=no): once a no-op behind
 * them completes, everything submitted before it has been processed.
 */
static void
settle(struct wqh *h)
{
	struct dsa_desc *d = &descs[60];
	struct dsa_completion *c = &comps[60];

	desc_init(d, DSA_OP_NOOP, 0);
	run(h, d, c);
}

/* ---- tests ---- */

static void
test_layout(void)
{
	char buf[256], path[256];
	char *rp;

	check(access("/sys/module/idxd", F_OK) == 0, "/sys/module/idxd exists");
	check(access("/sys/bus/dsa/drivers/idxd/bind", F_OK) == 0 &&
	      access("/sys/bus/dsa/drivers/user/bind", F_OK) == 0,
	      "drivers idxd and user with bind files");
	rp = realpath(SYS "dsa0", NULL);
	check(rp != NULL && strcmp(rp, "/sys/devices/pci0000:6a/0000:6a:01.0/dsa0") == 0,
	      "realpath of dsa0 is the PCI child (%s)", rp ? rp : "null");
	free(rp);
	check(readlink(SYS "dsa0", buf, sizeof(buf)) > 0 &&
	      strncmp(buf, "../../../devices/pci0000:6a/", 28) == 0,
	      "bus link relative like sysfs");
	check(attr_is(SYS "dsa0/version", "0x100") &&
	      attr_is(SYS "dsa0/max_work_queues", "8") &&
	      attr_is(SYS "dsa0/max_engines", "4") &&
	      attr_is(SYS "dsa0/max_groups", "4") &&
	      attr_is(SYS "dsa0/max_work_queues_size", "128") &&
	      attr_is(SYS "dsa0/max_batch_size", "1024") &&
	      attr_is(SYS "dsa0/max_transfer_size", "2147483648") &&
	      attr_is(SYS "dsa0/configurable", "1") &&
	      attr_is(SYS "dsa0/state", "enabled"),
	      "dsa0 device attributes");
	check(attr_is(SYS "dsa0/op_cap",
		      "00000000,00000000,00000000,00000000,00000000,00000000,00000000,0003027d"),
	      "op_cap without Batch (user submission not safe)");
	check(wq_is("wq0.0", "name", "dpdk_wq0.0") && wq_is("wq0.0", "type", "user") &&
	      wq_is("wq0.0", "mode", "dedicated") && wq_is("wq0.0", "size", "64") &&
	      wq_is("wq0.0", "state", "enabled") && wq_is("wq0.0", "max_batch_size", "32") &&
	      wq_is("wq0.0", "max_transfer_size", "2097152") &&
	      wq_is("wq0.0", "driver_name", "user") && wq_is("wq0.1", "group_id", "1"),
	      "pre-configured WQs wq0.0/wq0.1 as dpdk_idxd_cfg.py would leave them");
	check(wq_is("wq0.2", "state", "disabled") && wq_is("wq0.2", "size", "0") &&
	      wq_is("wq0.2", "group_id", "-1") && wq_is("wq0.2", "cdev_minor", ""),
	      "unused WQ: disabled, no group, no cdev_minor");
	check(access("/dev/dsa/wq0.0", F_OK) == 0 && access("/dev/dsa/wq0.2", F_OK) != 0,
	      "/dev/dsa has the user WQs only");
	check(readlink(SYS "wq0.0/driver", buf, sizeof(buf)) > 0 &&
	      strstr(buf, "bus/dsa/drivers/user") != NULL, "wq0.0 bound to user");
	check(attr_is(SYS "group0.0/work_queues", "wq0.0") &&
	      attr_is(SYS "group0.0/engines", "engine0.0"), "group0.0 lists its WQ and engine");
	check(wq_is("wq1.0", "mode", "shared") && wq_is("wq1.0", "threshold", "4") &&
	      wq_is("wq1.0", "size", "8"), "dsa1 shared WQs with threshold");
	check(attr_is(SYS "dsa2/state", "disabled"), "dsa2 left unconfigured");
	snprintf(path, sizeof(path), SYS "dsa0/numa_node");
	check(attr_is(path, "-1"), "numa_node -1");
	check(write_attr(SYS "dsa0/version", "1") == EACCES, "read-only attribute: EACCES");
}

static void
test_sysfs_rules(void)
{
	char buf[64];

	/* dsa2 is disabled: configuration is open. */
	check(wq_write("wq2.0", "size", "100") == 0 && wq_is("wq2.0", "size", "100"),
	      "size while device disabled");
	check(wq_write("wq2.1", "size", "29") == EINVAL, "sizes above the total: EINVAL");
	check(wq_write("wq2.0", "size", "0x10") == EINVAL, "size is decimal only");
	check(wq_write("wq2.0", "size", "16\n") == 0 && wq_is("wq2.0", "size", "16"),
	      "trailing newline accepted");
	check(wq_write("wq2.0", "priority", "16") == EINVAL, "priority above 15: EINVAL");
	check(wq_write("wq2.0", "group_id", "4") == EINVAL, "group_id out of range: EINVAL");
	check(wq_write("wq2.0", "mode", "fast") == EINVAL, "bad mode: EINVAL");
	check(wq_is("wq2.0", "mode", "shared"), "WQs start shared, as in Linux");
	check(wq_write("wq2.0", "mode", "dedicated") == 0 &&
	      wq_write("wq2.0", "threshold", "4") == EINVAL, "threshold on a dedicated WQ: EINVAL");
	check(wq_write("wq2.0", "mode", "shared") == 0 &&
	      wq_write("wq2.0", "threshold", "17") == EINVAL &&
	      wq_write("wq2.0", "threshold", "8") == 0 && wq_is("wq2.0", "threshold", "8"),
	      "threshold on a shared WQ: 1..size");
	check(wq_write("wq2.0", "mode", "dedicated") == 0 && wq_is("wq2.0", "threshold", "0"),
	      "dedicated mode zeroes the threshold");
	check(wq_write("wq2.0", "max_transfer_size", "3000") == 0 &&
	      wq_is("wq2.0", "max_transfer_size", "4096"), "max_transfer_size rounds up to 2^n");
	check(wq_write("wq2.0", "max_transfer_size", "0") == EINVAL &&
	      wq_write("wq2.0", "max_transfer_size", "4294967296") == EINVAL,
	      "max_transfer_size 0 or above the device's: EINVAL");
	check(wq_write("wq2.0", "max_batch_size", "33") == 0 &&
	      wq_is("wq2.0", "max_batch_size", "64") &&
	      wq_write("wq2.0", "max_batch_size", "2048") == EINVAL,
	      "max_batch_size rounds up, limited by the device");
	check(wq_write("wq2.0", "type", "user") == 0 &&
	      wq_write("wq2.0", "name", "  app0 \n") == 0 &&
	      wq_is("wq2.0", "name", "app0"), "name is trimmed");
	check(wq_write("wq2.0", "type", "kernel") == 0 && wq_is("wq2.0", "name", ""),
	      "changing type clears the name");
	check(wq_write("wq2.0", "type", "bogus") == EINVAL, "bad type: EINVAL");
	check(wq_write("wq2.0", "block_on_fault", "x") == EINVAL &&
	      wq_write("wq2.0", "block_on_fault", "1") == 0 &&
	      wq_write("wq2.0", "block_on_fault", "0") == 0, "block_on_fault takes a bool");

	/* Enabling without configuration fails like Linux. */
	check(write_attr("/sys/bus/dsa/drivers/idxd/bind", "dsa2") == ENXIO,
	      "bind of an unconfigured device: ENXIO");
	check(attr_is(SYS "dsa2/cmd_status", "0x800d0000"),
	      "cmd_status: no WQ configured (0x800d0000)");
	check(write_attr(SYS "dsa2/cmd_status", "0") == 0 && attr_is(SYS "dsa2/cmd_status", "0"),
	      "cmd_status cleared by a write");
	check(write_attr("/sys/bus/dsa/drivers/idxd/bind", "dsa9") == ENODEV,
	      "bind of an unknown device: ENODEV");
	check(write_attr("/sys/bus/dsa/drivers/user/bind", "dsa2") == ENODEV,
	      "user driver does not take devices");

	/* A group with a WQ but no engine: the device refuses (0x15). */
	check(wq_write("wq2.0", "group_id", "0") == 0 &&
	      write_attr(SYS "engine2.0/group_id", "1") == 0, "wq2.0 into group 0, engine into 1");
	check(write_attr("/sys/bus/dsa/drivers/idxd/bind", "dsa2") == ENXIO &&
	      attr_is(SYS "dsa2/cmd_status", "0x15"),
	      "Enable Device with a group without engines: ENXIO, cmd_status 0x15");
	check(write_attr(SYS "engine2.0/group_id", "0") == 0 &&
	      write_attr("/sys/bus/dsa/drivers/idxd/bind", "dsa2") == 0 &&
	      attr_is(SYS "dsa2/state", "enabled"), "device enabled through bind");
	check(wq_write("wq2.0", "size", "8") == EPERM, "size while the device is enabled: EPERM");
	check(wq_write("wq2.1", "size", "8") == EPERM, "any WQ size: EPERM");

	/* WQ enable checks, in Linux's order. */
	wq_write("wq2.0", "type", "user");
	check(write_attr("/sys/bus/dsa/drivers/user/bind", "wq2.0") == ENODEV &&
	      attr_is(SYS "dsa2/cmd_status", "0x80200000"),
	      "no driver_name: ENODEV, cmd_status 0x80200000");
	check(wq_write("wq2.0", "driver_name", "user") == 0, "driver_name set");
	check(write_attr("/sys/bus/dsa/drivers/user/bind", "wq2.0") == ENXIO &&
	      attr_is(SYS "dsa2/cmd_status", "0x80040000"),
	      "no name: ENXIO, cmd_status 0x80040000");
	check(wq_write("wq2.0", "name", "dpdk_two") == 0, "name set");
	check(write_attr("/sys/bus/dsa/drivers/user/bind", "wq2.0") == ENXIO &&
	      attr_is(SYS "dsa2/cmd_status", "0x23"),
	      "priority 0: Enable WQ fails with 0x23");
	check(wq_write("wq2.0", "priority", "3") == 0 &&
	      write_attr("/sys/bus/dsa/drivers/user/bind", "wq2.0\n") == 0 &&
	      wq_is("wq2.0", "state", "enabled") && access("/dev/dsa/wq2.0", F_OK) == 0,
	      "WQ enabled, /dev/dsa/wq2.0 created");
	check(write_attr("/sys/bus/dsa/drivers/user/bind", "wq2.0") == EBUSY,
	      "binding again: EBUSY");
	check(wq_write("wq2.0", "mode", "shared") == EPERM &&
	      wq_write("wq2.0", "name", "x") == EPERM &&
	      wq_write("wq2.0", "block_on_fault", "1") == ENXIO,
	      "WQ attributes locked while enabled (EPERM, ENXIO for BOF)");
	check(read_attr(SYS "wq2.0/cdev_minor", buf, sizeof(buf)) && buf[0] != '\0',
	      "cdev_minor %s", buf);
	check(write_attr(SYS "wq2.0/driver/unbind", "wq2.0") == 0 &&
	      wq_is("wq2.0", "state", "disabled") && access("/dev/dsa/wq2.0", F_OK) != 0 &&
	      wq_is("wq2.0", "name", "") && wq_is("wq2.0", "type", "none") &&
	      wq_is("wq2.0", "size", "16") && wq_is("wq2.0", "group_id", "0") &&
	      wq_is("wq2.0", "priority", "0"),
	      "unbind through wq2.0/driver/unbind resets all but size and group");
	check(write_attr("/sys/bus/dsa/drivers/idxd/unbind", "dsa2") == 0 &&
	      attr_is(SYS "dsa2/state", "disabled") && wq_is("wq2.0", "size", "0") &&
	      wq_is("wq2.0", "group_id", "-1") && attr_is(SYS "engine2.0/group_id", "-1"),
	      "device unbind disables it and clears the configuration");
}

static void
test_cdev(void)
{
	struct wqh h;
	int fd2, fdr;
	void *p;
	char clients[16];

	check(wq_open("wq0.0", &h), "open and mmap /dev/dsa/wq0.0");
	fd2 = open("/dev/dsa/wq0.0", O_RDWR);
	check(fd2 < 0 && errno == EBUSY, "second open of a dedicated WQ: EBUSY");
	if (fd2 >= 0)
		close(fd2);
	check(read_attr(SYS "wq0.0/clients", clients, sizeof(clients)) &&
	      strcmp(clients, "1") == 0, "clients = 1");
	check(open("/dev/dsa/wq0.2", O_RDWR) < 0 && errno == ENOENT, "no node for a disabled WQ");
	p = mmap(NULL, 2 * PAGE, PROT_WRITE, MAP_SHARED, h.fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mapping more than a page: EINVAL");
	/* The mapping holds the file: DPDK closes the fd after mmap. */
	close(h.fd);
	fd2 = open("/dev/dsa/wq0.0", O_RDWR);
	check(fd2 < 0 && errno == EBUSY, "mapping keeps the WQ open after close()");
	munmap(h.portal, PAGE);
	check(attr_is(SYS "wq0.0/clients", "0"), "munmap releases the last reference");
	fdr = open("/dev/dsa/wq0.0", O_RDONLY);
	p = fdr >= 0 ? mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, fdr, 0) : MAP_FAILED;
	check(fdr >= 0 && p == MAP_FAILED && errno == EACCES,
	      "PROT_WRITE mapping of a read-only open: EACCES");
	if (fdr >= 0)
		close(fdr);
	/* Privilege and SVA errors a user can act on. */
	fd2 = open("/dev/dsa/wq6.0", O_RDWR);
	p = fd2 >= 0 ? mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, fd2, 0) : MAP_FAILED;
	check(fd2 >= 0 && p == MAP_FAILED && errno == EPERM,
	      "portal mmap without CAP_SYS_RAWIO (rawio=no): EPERM");
	if (fd2 >= 0)
		close(fd2);
	check(wq_is("wq7.0", "state", "disabled") && attr_is(SYS "dsa7/pasid_enabled", "0") &&
	      attr_is(SYS "dsa7/cmd_status", "0x80110000") && access("/dev/dsa/wq7.0", F_OK) != 0,
	      "user WQ without SVA (pasid=no) not enabled: cmd_status 0x80110000");
	/* write(): the kernel submits on the caller's behalf. */
	fd2 = open("/dev/dsa/wq0.1", O_RDWR);
	if (fd2 >= 0) {
		desc_init(&descs[0], DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		descs[0].completion_addr = (uintptr_t)&comps[0];
		memset(&comps[0], 0, 32);
		check(write(fd2, &descs[0], 64) == 64 && wait_status(&comps[0], 3000) == 1,
		      "write() of a descriptor to the cdev");
		desc_init(&descs[0], DSA_OP_BATCH, 0);
		check(write(fd2, &descs[0], 64) < 0 && errno == EINVAL,
		      "write() of a batch: EINVAL (not user-submission safe)");
		close(fd2);
	}
	/* Shared WQs take many openers. */
	fd2 = open("/dev/dsa/wq1.0", O_RDWR);
	fdr = open("/dev/dsa/wq1.0", O_RDWR);
	check(fd2 >= 0 && fdr >= 0 && attr_is(SYS "wq1.0/clients", "2"),
	      "shared WQ: two openers, clients = 2");
	close(fd2);
	close(fdr);
}

static void
test_submission_forms(struct wqh *h)
{
	struct dsa_desc *d = &descs[0];
	struct dsa_completion *c = &comps[0];
	uint64_t before = counter(0, "submitted");

	desc_init(d, DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
	d->completion_addr = (uintptr_t)c;

	memset(c, 0, sizeof(*c));
	movdir64b(h->portal, d);
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS,
	      "MOVDIR64B rax<-[rdx] (DPDK's form): nop done");

	memset(c, 0, sizeof(*c));
	__asm__ volatile(".byte 0x66,0x0f,0x38,0xf8,0x3e" : : "D"(h->portal), "S"(d) : "memory");
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS, "MOVDIR64B rdi<-[rsi]");

	memset(c, 0, sizeof(*c));
	{
		register void *r8 __asm__("r8") = (uint8_t *)h->portal + 0x40;
		register const void *r9 __asm__("r9") = (const uint8_t *)d - 0x40;

		/* REX.RB, disp8: movdir64b 0x40(%r9), %r8; any 64-byte slot
		 * of the portal page is the same portal.
		 */
		__asm__ volatile(".byte 0x66,0x45,0x0f,0x38,0xf8,0x41,0x40"
				 : : "r"(r8), "r"(r9) : "memory");
	}
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS, "MOVDIR64B r8<-0x40(r9) (REX, disp8)");

	memset(c, 0, sizeof(*c));
	__asm__ volatile(".byte 0x66,0x0f,0x38,0xf8,0x14,0xc8"
			 : : "d"(h->portal), "a"((uintptr_t)d - 8 * 3), "c"(3ul) : "memory");
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS, "MOVDIR64B rdx<-[rax+rcx*8] (SIB)");

	memset(c, 0, sizeof(*c));
	_movdir64b(h->portal, d);
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS, "compiler's _movdir64b()");

	check(counter(0, "submitted") - before == 5, "each submission seen exactly once (5)");
}

/* MOVDIR64B with a 32-bit address size prefix needs low addresses. */
static void
test_addr32(void)
{
	struct dsa_desc *d;
	struct dsa_completion *c;
	void *low, *portal;
	int fd = open("/dev/dsa/wq0.1", O_RDWR);

	low = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	portal = fd >= 0 ? mmap((void *)0x70000000, PAGE, PROT_WRITE,
				MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0) : MAP_FAILED;
	if (low == MAP_FAILED || portal == MAP_FAILED || (uintptr_t)portal != 0x70000000) {
		check(false, "low mappings for the 67-prefixed MOVDIR64B");
		return;
	}
	d = low;
	c = (struct dsa_completion *)((uint8_t *)low + 128);
	desc_init(d, DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
	d->completion_addr = (uintptr_t)c;
	memset(c, 0, sizeof(*c));
	__asm__ volatile(".byte 0x67,0x66,0x0f,0x38,0xf8,0x3e"
			 : : "D"((uint32_t)(uintptr_t)portal), "S"((uint32_t)(uintptr_t)d)
			 : "memory");
	check(wait_status(c, 3000) == DSA_COMP_SUCCESS, "MOVDIR64B edi<-[esi] (67 prefix)");
	munmap(portal, PAGE);
	munmap(low, PAGE);
	close(fd);
}

static void
test_ops(struct wqh *h)
{
	struct dsa_desc *d = &descs[0];
	struct dsa_completion *c = &comps[0];
	uint8_t *src = arena, *dst = arena + 0x10000, *dst2 = arena + 0x30000;
	uint64_t pat = 0xfedcba9876543210ull;
	bool ok;
	size_t i;

	for (i = 0; i < 8192; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	memset(dst, 0, 0x10000);
	desc_init(d, DSA_OP_MEMMOVE, DSA_FLAG_CC1);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 8192;
	check(run(h, d, c) == DSA_COMP_SUCCESS && memcmp(src, dst, 8192) == 0 &&
	      dst[8192] == 0 && c->bytes_completed == 0, "memmove 8 KiB");

	/* Overlapping, destination above the source: memmove semantics. */
	for (i = 0; i < 256; i++)
		dst[i] = (uint8_t)i;
	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->src = (uintptr_t)dst;
	d->dst = (uintptr_t)dst + 3;
	d->xfer_size = 200;
	ok = run(h, d, c) == DSA_COMP_SUCCESS;
	for (i = 0; i < 200; i++)
		ok = ok && dst[3 + i] == (uint8_t)i;
	check(ok, "overlapping memmove");

	memset(dst, 0xaa, 200);
	desc_init(d, DSA_OP_FILL, 0);
	d->src = pat;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 89;
	ok = run(h, d, c) == DSA_COMP_SUCCESS;
	for (i = 0; i < 89; i++)
		ok = ok && dst[i] == (uint8_t)(pat >> (8 * (i % 8)));
	check(ok && dst[89] == 0xaa, "fill 89 bytes, 8-byte pattern, nothing beyond");

	desc_init(d, DSA_OP_FILL, DSA_FLAG_FILL16);
	d->src = pat;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	check(run(h, d, c) == DSA_COMP_INVALID_FLAGS && c->invalid_flags == DSA_FLAG_FILL16,
	      "16-byte fill without GENCAP Fill16: 0x11, invalid flags reported");

	memcpy(dst, src, 4096);
	desc_init(d, DSA_OP_COMPARE, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 4096;
	check(run(h, d, c) == DSA_COMP_SUCCESS && c->result == 0, "compare equal: result 0");
	dst[1234] ^= 1;
	check(run(h, d, c) == DSA_COMP_SUCCESS && c->result == 1 && c->bytes_completed == 1234,
	      "compare different: result 1, bytes completed = first difference");
	desc_init(d, DSA_OP_COMPARE, DSA_FLAG_CR);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 4096;
	check(run(h, d, c) == DSA_COMP_SUCCESS_PRED, "check result, expected equal: 0x02");
	desc_init(d, DSA_OP_COMPARE, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 4096;
	memset(c, 0, sizeof(*c));
	d->flags_op |= DSA_FLAG_CRAV;
	d->completion_addr = (uintptr_t)c;
	movdir64b(h->portal, d);
	check(wait_status(c, 3000) == DSA_COMP_INVALID_FLAGS && c->invalid_flags == DSA_FLAG_RCR,
	      "compare without RCR: 0x11, RCR reported missing");

	desc_init(d, DSA_OP_FILL, 0);
	d->src = pat;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 1000;
	run(h, d, c);
	desc_init(d, DSA_OP_COMPVAL, 0);
	d->src = (uintptr_t)dst;
	d->dst = pat;
	d->xfer_size = 1000;
	check(run(h, d, c) == DSA_COMP_SUCCESS && c->result == 0, "compare pattern equal");
	dst[999] = 0;
	check(run(h, d, c) == DSA_COMP_SUCCESS && c->result == 1 && c->bytes_completed == 999,
	      "compare pattern different at 999");

	memset(dst, 0, 4096);
	memset(dst2, 0, 4096);
	desc_init(d, DSA_OP_DUALCAST, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	memcpy(d->op_specific, &(uint64_t){ (uintptr_t)dst2 }, 8);
	d->xfer_size = 3000;
	check(run(h, d, c) == DSA_COMP_SUCCESS && memcmp(dst, src, 3000) == 0 &&
	      memcmp(dst2, src, 3000) == 0, "dualcast to two destinations");
	memcpy(d->op_specific, &(uint64_t){ (uintptr_t)dst2 + 64 }, 8);
	check(run(h, d, c) == DSA_COMP_DCAST_ERR, "dualcast destinations misaligned: 0x17");

	memcpy(src, "123456789", 9);
	desc_init(d, DSA_OP_CRCGEN, 0);
	d->src = (uintptr_t)src;
	d->xfer_size = 9;
	ok = run(h, d, c) == DSA_COMP_SUCCESS;
	check(ok && c->crc_val == 0xe3069283,
	      "CRC-32C of \"123456789\" = 0xe3069283 (got %#x)", c->crc_val);
	{
		uint32_t first;

		desc_init(d, DSA_OP_CRCGEN, 0);
		d->src = (uintptr_t)src;
		d->xfer_size = 4;
		run(h, d, c);
		first = c->crc_val;
		desc_init(d, DSA_OP_CRCGEN, 0);
		d->src = (uintptr_t)src + 4;
		d->xfer_size = 5;
		memcpy(d->op_specific, &first, 4);
		check(run(h, d, c) == DSA_COMP_SUCCESS && c->crc_val == 0xe3069283,
		      "CRC seeded with a previous CRC continues it");
	}
	memset(dst, 0, 64);
	desc_init(d, DSA_OP_COPY_CRC, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 9;
	check(run(h, d, c) == DSA_COMP_SUCCESS && c->crc_val == 0xe3069283 &&
	      memcmp(dst, "123456789", 9) == 0, "copy with CRC");

	desc_init(d, DSA_OP_NOOP, 0);
	check(run(h, d, c) == DSA_COMP_SUCCESS, "nop");
	desc_init(d, DSA_OP_DRAIN, 0);
	check(run(h, d, c) == DSA_COMP_SUCCESS, "drain");
}

static void
test_records(struct wqh *h)
{
	struct dsa_desc *d = &descs[0];
	struct dsa_completion *c = &comps[0];
	uint8_t *src = arena, *dst = arena + 0x10000;
	uint64_t sw;

	/* CRAV without RCR: success writes nothing. */
	desc_init(d, DSA_OP_MEMMOVE, DSA_FLAG_CRAV);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	d->completion_addr = (uintptr_t)c;
	memset(c, 0, sizeof(*c));
	memset(dst, 0, 64);
	movdir64b(h->portal, d);
	settle(h);
	check(c->status == 0 && memcmp(src, dst, 64) == 0,
	      "success without RCR: data moved, no completion record");

	/* ... failure writes it. */
	desc_init(d, DSA_OP_CR_DELTA, DSA_FLAG_CRAV);
	d->completion_addr = (uintptr_t)c;
	memset(c, 0, sizeof(*c));
	movdir64b(h->portal, d);
	check(wait_status(c, 3000) == DSA_COMP_BAD_OPCODE,
	      "failure without RCR: record written (unsupported opcode 0x10)");

	/* No CRAV: the error goes to SWERROR. */
	sw = counter(0, "swerr");
	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->xfer_size = 0;
	movdir64b(h->portal, d);
	settle(h);
	check(counter(0, "swerr") == sw + 1, "error without CRAV: counted in SWERROR");
	{
		char e[256];

		check(read_attr(SYS "dsa0/errors", e, sizeof(e)) &&
		      strstr(e, "00000003,0000130d") != NULL,
		      "sysfs errors: code 0x13, op 3, valid/desc/WQ bits (%s)", e);
	}

	/* Misaligned record address: discarded, SWERROR 0x1b. */
	sw = counter(0, "swerr");
	desc_init(d, DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
	d->completion_addr = (uintptr_t)c + 8;
	memset(c, 0, 64);
	movdir64b(h->portal, d);
	settle(h);
	check(c->status == 0 && ((uint8_t *)c)[8] == 0 && counter(0, "swerr") == sw + 1,
	      "misaligned completion address: no record, SWERROR");

	/* Limits and checks. */
	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 0;
	check(run(h, d, c) == DSA_COMP_XFER_ERANGE, "transfer size 0: 0x13");
	d->xfer_size = 2 * 1024 * 1024 + 1;
	d->flags_op &= ~(DSA_FLAG_CRAV | DSA_FLAG_RCR);
	check(run(h, d, c) == DSA_COMP_XFER_ERANGE, "above the WQ's max_transfer_size: 0x13");
	desc_init(d, DSA_OP_MEMMOVE, DSA_FLAG_FENCE);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	check(run(h, d, c) == DSA_COMP_INVALID_FLAGS && c->invalid_flags == DSA_FLAG_FENCE,
	      "fence outside a batch: 0x11");
	desc_init(d, DSA_OP_MEMMOVE, DSA_FLAG_BOF);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	check(run(h, d, c) == DSA_COMP_INVALID_FLAGS,
	      "block on fault on a WQ without BOF enabled: 0x11");
	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	d->op_specific[10] = 1;
	check(run(h, d, c) == DSA_COMP_NOZERO_RESERVE, "non-zero reserved field: 0x12");
	desc_init(d, DSA_OP_NOOP, DSA_FLAG_RCR);
	d->completion_addr = (uintptr_t)c;
	memset(c, 0, sizeof(*c));
	sw = counter(0, "swerr");
	movdir64b(h->portal, d);
	settle(h);
	check(c->status == 0 && counter(0, "swerr") == sw + 1, "RCR without CRAV: SWERROR");
}

static void
test_faults(struct wqh *h)
{
	struct dsa_desc *d = &descs[0];
	struct dsa_completion *c = &comps[0];
	uint8_t *src = arena, *dst = arena + 0x10000;
	uint64_t inj = counter(0, "faults_injected");

	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->src = FAULT_PAGE - 1000;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 4000;
	check(run(h, d, c) == DSA_COMP_PAGE_FAULT_NOBOF && c->bytes_completed == 1000 &&
	      c->fault_addr == FAULT_PAGE,
	      "read fault in fault= range: 0x03, 1000 bytes, fault address");
	check(counter(0, "faults_injected") == inj + 1, "injected fault counted");
	d->src = (uintptr_t)src;
	d->dst = FAULT_PAGE - 200;
	check(run(h, d, c) == (DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_WRITE_FAULT) &&
	      c->bytes_completed == 200 && c->fault_addr == FAULT_PAGE,
	      "write fault: 0x83 (R/W bit), 200 bytes");
	d->src = 0;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 64;
	check(run(h, d, c) == DSA_COMP_PAGE_FAULT_NOBOF && c->fault_addr == 0 &&
	      c->bytes_completed == 0, "source address 0: page fault, no crash");
	{
		/* A real hole: an unmapped page in the middle. */
		uint8_t *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap(m + PAGE, PAGE);
		d->src = (uintptr_t)src;
		d->dst = (uintptr_t)m + 100;
		d->xfer_size = 2 * PAGE;
		check(run(h, d, c) == (DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_WRITE_FAULT) &&
		      c->bytes_completed == PAGE - 100 && c->fault_addr == (uintptr_t)m + PAGE,
		      "unmapped destination page: partial completion at the hole");
		munmap(m, 3 * PAGE);
	}
	desc_init(d, DSA_OP_FILL, 0);
	d->dst = FAULT_PAGE + 4000;
	d->xfer_size = 1000;
	check(run(h, d, c) == (DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_WRITE_FAULT) &&
	      c->bytes_completed == 0 && c->fault_addr == FAULT_PAGE + 4000,
	      "fill into the fault range");
}

static void
test_batch(struct wqh *h)
{
	struct dsa_desc *list = &descs[8], *b = &descs[0];
	struct dsa_completion *c = &comps[0];
	uint8_t *src = arena, *dst = arena + 0x10000;
	volatile uint8_t *slot;
	unsigned int i;
	bool ok;

	memset(dst, 0, 4096);
	for (i = 0; i < 4; i++) {
		/* DPDK style: members' records in their own slots. */
		desc_init(&list[i], DSA_OP_MEMMOVE, DSA_FLAG_CRAV | DSA_FLAG_CC1);
		list[i].src = (uintptr_t)src + i * 256;
		list[i].dst = (uintptr_t)dst + i * 256;
		list[i].xfer_size = 256;
		list[i].completion_addr = (uintptr_t)&list[i];
	}
	desc_init(b, DSA_OP_BATCH, 0);
	b->src = (uintptr_t)list;
	b->xfer_size = 4;
	check(run(h, b, c) == DSA_COMP_SUCCESS && c->bytes_completed == 4 &&
	      memcmp(src, dst, 1024) == 0, "batch of 4 copies, descriptors completed 4");
	ok = true;
	for (i = 0; i < 4; i++) {
		slot = (volatile uint8_t *)&list[i];
		ok = ok && slot[0] == 0 && (slot[7] >> 0) == DSA_OP_MEMMOVE;
	}
	check(ok, "successful members without RCR wrote no record (slots untouched)");

	/* Member 1 faults; member 2 is fenced: 2 and 3 are abandoned. */
	for (i = 0; i < 4; i++) {
		desc_init(&list[i], DSA_OP_MEMMOVE, DSA_FLAG_CRAV);
		list[i].src = (uintptr_t)src + i * 256;
		list[i].dst = (uintptr_t)dst + i * 256;
		list[i].xfer_size = 256;
		list[i].completion_addr = (uintptr_t)&comps[8 + i];
		memset(&comps[8 + i], 0, 32);
	}
	list[1].src = FAULT_PAGE - 16;
	list[2].flags_op |= DSA_FLAG_FENCE;
	desc_init(b, DSA_OP_BATCH, 0);
	b->src = (uintptr_t)list;
	b->xfer_size = 4;
	check(run(h, b, c) == DSA_COMP_BATCH_FAIL && c->bytes_completed == 2,
	      "fault before a fence: batch 0x05, descriptors completed 2");
	check(comps[8].status == 0 && comps[9].status == DSA_COMP_PAGE_FAULT_NOBOF &&
	      comps[9].bytes_completed == 16 && comps[10].status == 0 && comps[11].status == 0,
	      "member records: only the failed one; abandoned ones none");

	/* No fence: the failure does not stop the others. */
	list[2].flags_op &= ~DSA_FLAG_FENCE;
	memset(&comps[8], 0, 4 * 32);
	check(run(h, b, c) == DSA_COMP_BATCH_FAIL && c->bytes_completed == 4,
	      "failure without fence: all 4 processed");

	desc_init(b, DSA_OP_BATCH, 0);
	b->src = (uintptr_t)list;
	b->xfer_size = 1;
	check(run(h, b, c) == DSA_COMP_DESC_CNT_ERANGE, "batch of 1: 0x14");
	b->xfer_size = 33;
	b->flags_op &= ~(DSA_FLAG_CRAV | DSA_FLAG_RCR);
	check(run(h, b, c) == DSA_COMP_DESC_CNT_ERANGE, "batch above max_batch_size 32: 0x14");
	b->xfer_size = 2;
	b->src = (uintptr_t)list + 32;
	b->flags_op &= ~(DSA_FLAG_CRAV | DSA_FLAG_RCR);
	check(run(h, b, c) == DSA_COMP_DESCLIST_ALIGN, "descriptor list not 64-byte aligned: 0x18");
	desc_init(&list[0], DSA_OP_BATCH, DSA_FLAG_CRAV);
	list[0].completion_addr = (uintptr_t)&comps[8];
	desc_init(&list[1], DSA_OP_DRAIN, DSA_FLAG_CRAV | DSA_FLAG_RCR);
	list[1].completion_addr = (uintptr_t)&comps[9];
	memset(&comps[8], 0, 64);
	desc_init(b, DSA_OP_BATCH, 0);
	b->src = (uintptr_t)list;
	b->xfer_size = 2;
	check(run(h, b, c) == DSA_COMP_BATCH_FAIL && comps[8].status == DSA_COMP_BAD_OPCODE &&
	      comps[9].status == DSA_COMP_BAD_OPCODE, "batch and drain inside a batch: 0x10");
	/* Members with RCR report success, batch record last. */
	for (i = 0; i < 32; i++) {
		desc_init(&list[i], DSA_OP_FILL, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		list[i].src = i;
		list[i].dst = (uintptr_t)dst + i * 8;
		list[i].xfer_size = 8;
		list[i].completion_addr = (uintptr_t)&comps[8 + i];
		memset(&comps[8 + i], 0, 32);
	}
	desc_init(b, DSA_OP_BATCH, 0);
	b->src = (uintptr_t)list;
	b->xfer_size = 32;
	ok = run(h, b, c) == DSA_COMP_SUCCESS && c->bytes_completed == 32;
	for (i = 0; i < 32; i++)
		ok = ok && comps[8 + i].status == DSA_COMP_SUCCESS && dst[i * 8] == i;
	check(ok, "batch at max_batch_size 32, every member record before the batch record");
}

static void
test_shared(void)
{
	struct wqh h, hd;
	struct dsa_desc *d = &descs[0];
	struct dsa_completion *c = &comps[0];
	unsigned int i, accepted = 0;
	int retry = 0;
	uint64_t ign;

	if (!wq_open("wq1.0", &h)) {
		check(false, "open shared wq1.0");
		return;
	}
	desc_init(d, DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
	d->completion_addr = (uintptr_t)c;
	memset(c, 0, sizeof(*c));
	retry = enqcmd(h.portal, d);
	check(retry == 0 && wait_status(c, 3000) == DSA_COMP_SUCCESS,
	      "ENQCMD to a shared WQ (emulated): accepted, ZF = 0");
	memset(c, 0, sizeof(*c));
	check(_enqcmd(h.portal, d) == 0 && wait_status(c, 3000) == DSA_COMP_SUCCESS,
	      "compiler's _enqcmd()");
	ign = counter(1, "ignored_writes");
	memset(c, 0, sizeof(*c));
	movdir64b(h.portal, d);
	check(c->status == 0 && counter(1, "ignored_writes") == ign + 1,
	      "MOVDIR64B to a shared WQ is ignored");

	/* latency 100 ms, window 1, threshold 4: the 6th retries. */
	for (i = 0; i < 8; i++) {
		desc_init(&descs[8 + i], DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		descs[8 + i].completion_addr = (uintptr_t)&comps[8 + i];
		memset(&comps[8 + i], 0, 32);
	}
	retry = 0;
	for (i = 0; i < 8 && !retry; i++) {
		retry = enqcmd(h.portal, &descs[8 + i]);
		if (!retry)
			accepted++;
		if (i == 0)
			/* The engine takes the first into its window. */
			wait_occupancy("wq1.0", "0");
	}
	check(retry == 1 && accepted == 5,
	      "limited portal: retry (ZF = 1) after threshold (%u accepted)",
	      accepted);
	for (i = 0; i < accepted; i++)
		wait_status(&comps[8 + i], 3000);
	check(comps[8 + accepted].status == 0, "retried descriptor was not taken");
	check(enqcmd(h.portal, &descs[8 + accepted]) == 0, "accepted once the WQ drained");
	wait_status(&comps[8 + accepted], 3000);

	/* 16-byte fill (dsa1 has Fill16). */
	{
		uint8_t *dst = arena + 0x40000;
		bool ok;

		desc_init(d, DSA_OP_FILL, DSA_FLAG_FILL16 | DSA_FLAG_CRAV | DSA_FLAG_RCR);
		d->src = 0x0706050403020100ull;
		memcpy(d->op_specific, &(uint64_t){ 0x0f0e0d0c0b0a0908ull }, 8);
		d->dst = (uintptr_t)dst;
		d->xfer_size = 40;
		d->completion_addr = (uintptr_t)c;
		memset(c, 0, sizeof(*c));
		enqcmd(h.portal, d);
		ok = wait_status(c, 3000) == DSA_COMP_SUCCESS;
		for (i = 0; i < 40; i++)
			ok = ok && dst[i] == i % 16;
		check(ok, "16-byte pattern fill");
	}
	wq_close(&h);

	/* ENQCMD to a dedicated WQ: retry. */
	if (wq_open("wq0.1", &hd)) {
		memset(c, 0, sizeof(*c));
		check(enqcmd(hd.portal, d) == 1, "ENQCMD to a dedicated WQ: retry");
		wq_close(&hd);
	}
}

static void
test_dwq_full(void)
{
	struct wqh h;
	unsigned int i;
	char e[256];
	struct pollfd pfd;

	if (!wq_open("wq3.0", &h)) {
		check(false, "open wq3.0");
		return;
	}
	pfd.fd = h.fd;
	pfd.events = POLLIN;
	check(poll(&pfd, 1, 0) == 0, "cdev not readable before an error");
	for (i = 0; i < 7; i++) {
		desc_init(&descs[8 + i], DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		descs[8 + i].completion_addr = (uintptr_t)&comps[8 + i];
		memset(&comps[8 + i], 0, 32);
	}
	/* Size 4, window 1, latency 300 ms: 1 dispatched + 4 queued. */
	movdir64b(h.portal, &descs[8]);
	check(wait_occupancy("wq3.0", "0"), "occupancy 0 once the engine took it");
	for (i = 1; i < 7; i++)
		movdir64b(h.portal, &descs[8 + i]);
	check(wq_is("wq3.0", "occupancy", "4"), "occupancy 4 of 4");
	for (i = 0; i < 5; i++)
		wait_status(&comps[8 + i], 5000);
	check(comps[8 + 5].status == 0 && comps[8 + 6].status == 0 &&
	      comps[8 + 4].status == DSA_COMP_SUCCESS,
	      "full dedicated WQ drops the descriptors beyond its size");
	check(counter(3, "dwq_full_drops") == 2, "two drops counted");
	check(read_attr(SYS "dsa3/errors", e, sizeof(e)) && strstr(e, "0000530d") != NULL,
	      "SWERROR 0x53 with valid, descriptor and WQ-valid bits (%s)", e);
	check(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN), "cdev readable after the error");
	wq_close(&h);
}

static void
test_ooo(void)
{
	struct wqh h;
	uint64_t *target = (uint64_t *)(arena + 0x50000);
	uint64_t *vals = (uint64_t *)(arena + 0x51000);
	unsigned int i, round, reordered = 0;

	if (!wq_open("wq4.0", &h)) {
		check(false, "open wq4.0");
		return;
	}
	for (round = 0; round < 4; round++) {
		/* 16 copies to the same place: the last executed wins. */
		for (i = 0; i < 16; i++) {
			vals[i] = i + 1;
			desc_init(&descs[8 + i], DSA_OP_MEMMOVE, 0);
			descs[8 + i].src = (uintptr_t)&vals[i];
			descs[8 + i].dst = (uintptr_t)target;
			descs[8 + i].xfer_size = 8;
		}
		desc_init(&descs[24], DSA_OP_DRAIN, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		descs[24].completion_addr = (uintptr_t)&comps[2];
		memset(&comps[2], 0, 32);
		*target = 0;
		for (i = 0; i < 16; i++)
			movdir64b(h.portal, &descs[8 + i]);
		movdir64b(h.portal, &descs[24]);
		if (wait_status(&comps[2], 3000) != DSA_COMP_SUCCESS)
			break;
		if (*target != 16)
			reordered++;
	}
	check(round == 4, "drain completes after everything before it");
	check(reordered > 0, "ooo=yes: execution order differs from submission (%u of 4 rounds)",
	      reordered);
	wq_close(&h);
}

static void
test_invalid(void)
{
	struct wqh h;
	unsigned int i, bad = 0;

	if (!wq_open("wq5.0", &h)) {
		check(false, "open wq5.0");
		return;
	}
	for (i = 0; i < 6; i++) {
		desc_init(&descs[0], DSA_OP_NOOP, 0);
		if (run(&h, &descs[0], &comps[0]) == 0x13)
			bad++;
	}
	check(bad == 2 && counter(5, "invalid_injected") == 2,
	      "invalid=3:0x13 fails every third descriptor with 0x13");
	wq_close(&h);
}

static void
test_counters(void)
{
	char buf[8192];

	check(ctl("dsa stats", buf, sizeof(buf)) == 0 && strstr(buf, "dsa0 ") != NULL &&
	      strstr(buf, "op_memmove=") != NULL, "dsa stats reports counters");
	/* Batch members complete too, so completions exceed submissions. */
	check(counter(0, "completions") > counter(0, "submitted") &&
	      counter(0, "batch_members") > 0,
	      "completions counted (%llu, %llu submitted)",
	      (unsigned long long)counter(0, "completions"),
	      (unsigned long long)counter(0, "submitted"));
	check(ctl("dsa swerr dsa3", buf, sizeof(buf)) == 0 && strstr(buf, "0x") != NULL,
	      "dsa swerr: %s", buf);
	check(ctl("bogus", NULL, 0) == -EINVAL, "unknown command refused");
}

static int
use_main(const char *wq)
{
	struct wqh h;
	uint8_t *src = malloc(4096), *dst = calloc(1, 4096);
	struct dsa_completion *c = aligned_alloc(32, 64);
	struct dsa_desc *d = aligned_alloc(64, 64);
	unsigned int i;

	for (i = 0; i < 4096; i++)
		src[i] = (uint8_t)i;
	if (!wq_open(wq, &h)) {
		fprintf(stderr, "cannot open/map %s: %s\n", wq, strerror(errno));
		return 1;
	}
	desc_init(d, DSA_OP_MEMMOVE, 0);
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->xfer_size = 4096;
	if (run(&h, d, c) != DSA_COMP_SUCCESS || memcmp(src, dst, 4096) != 0) {
		fprintf(stderr, "copy through %s failed (status %#x)\n", wq, c->status);
		return 1;
	}
	printf("copied 4096 bytes through %s\n", wq);
	wq_close(&h);
	return 0;
}

/* ---- vfio-pci mode ---- */

#define REG(b, off, type) (*(volatile type *)((uint8_t *)(b) + (off)))
#define VREGION(i) ((off_t)(i) << 40)
#define IOVA_BASE 0x100000000ull

static uint32_t
vcmd(void *bar0, uint32_t cmd, uint32_t operand)
{
	REG(bar0, DSA_REG_CMD, uint32_t) = (cmd << DSA_CMD_SHIFT) | operand;
	/* Commands complete synchronously: Active is never seen. */
	return REG(bar0, DSA_REG_CMDSTATUS, uint32_t);
}

static int
vfio_main(const char *bdf, const char *group)
{
	char path[64];
	int cfd, gfd, dfd;
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_region_info *ri;
	struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	uint8_t cfg[256];
	uint32_t v32, wqcfg, grpcfg;
	uint16_t cmd;
	uint64_t v64;
	void *bar0, *bar2;
	unsigned int cap;
	bool msix = false;

	cfd = open("/dev/vfio/vfio", O_RDWR);
	check(cfd >= 0 && ioctl(cfd, VFIO_GET_API_VERSION) == VFIO_API_VERSION &&
	      ioctl(cfd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1 &&
	      ioctl(cfd, VFIO_CHECK_EXTENSION, 8) == 0, "container: API version, type1 IOMMU");
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	gfd = open(path, O_RDWR);
	check(gfd >= 0 && ioctl(gfd, VFIO_GROUP_GET_STATUS, &gs) == 0 &&
	      gs.flags == VFIO_GROUP_FLAGS_VIABLE, "group viable, no container yet");
	check(ioctl(cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 && errno == EINVAL,
	      "SET_IOMMU before a group is attached: EINVAL");
	check(ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd) == 0 &&
	      ioctl(cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0 &&
	      ioctl(gfd, VFIO_GROUP_GET_STATUS, &gs) == 0 &&
	      (gs.flags & VFIO_GROUP_FLAGS_CONTAINER_SET), "group in container, type1v2 set");
	check(ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, "0000:00:00.0") < 0 && errno == EINVAL,
	      "unknown device name: EINVAL");
	dfd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	check(dfd >= 0 && ioctl(dfd, VFIO_DEVICE_GET_INFO, &di) == 0 &&
	      di.num_regions == VFIO_PCI_NUM_REGIONS && (di.flags & VFIO_DEVICE_FLAGS_PCI) &&
	      (di.flags & VFIO_DEVICE_FLAGS_RESET), "device fd, info");
	check(pread(dfd, cfg, sizeof(cfg), VREGION(VFIO_PCI_CONFIG_REGION_INDEX)) == 256 &&
	      cfg[0] == 0x86 && cfg[1] == 0x80 && cfg[2] == 0x25 && cfg[3] == 0x0b &&
	      cfg[0xb] == 0x08, "config space: 8086:0b25, class 08");
	for (cap = cfg[0x34]; cap != 0 && cap < 256; cap = cfg[cap + 1])
		if (cfg[cap] == 0x11) {
			msix = ((cfg[cap + 2] | (cfg[cap + 3] << 8)) & 0x7ff) == 8 &&
			       (cfg[cap + 4] & 7) == 0;
			break;
		}
	check(msix, "MSI-X capability: 9 vectors, table in BAR0");
	check(ioctl(dfd, VFIO_DEVICE_GET_IRQ_INFO, &irq) == 0 && irq.count == 9 &&
	      (irq.flags & VFIO_IRQ_INFO_EVENTFD), "MSI-X irq info");
	ri = calloc(1, 256);
	ri->argsz = sizeof(*ri);
	ri->index = VFIO_PCI_BAR0_REGION_INDEX;
	check(ioctl(dfd, VFIO_DEVICE_GET_REGION_INFO, ri) == 0 && ri->argsz > sizeof(*ri) &&
	      ri->size == 0x10000 && (ri->flags & VFIO_REGION_INFO_FLAG_MMAP),
	      "BAR0 region: 64 KiB, mmap, asks for room for its capability");
	ri->index = VFIO_PCI_BAR0_REGION_INDEX;
	check(ioctl(dfd, VFIO_DEVICE_GET_REGION_INFO, ri) == 0 && ri->cap_offset != 0 &&
	      ((struct vfio_info_cap_header *)((uint8_t *)ri + ri->cap_offset))->id ==
	      VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, "MSI-X mappable capability");
	free(ri);
	bar0 = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
		    VREGION(VFIO_PCI_BAR0_REGION_INDEX));
	bar2 = mmap(NULL, 0x20000, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
		    VREGION(VFIO_PCI_BAR2_REGION_INDEX));
	if (bar0 == MAP_FAILED || bar2 == MAP_FAILED) {
		check(false, "map BAR0 and BAR2");
		return 1;
	}
	check(REG(bar0, DSA_REG_VERSION, uint32_t) == 0x100 &&
	      ((REG(bar0, DSA_REG_GENCAP, uint64_t) >> 16) & 0x1f) == 31 &&
	      ((REG(bar0, DSA_REG_WQCAP, uint64_t) >> 16) & 0xff) == 8 &&
	      (REG(bar0, DSA_REG_WQCAP, uint64_t) & 0xffff) == 128 &&
	      REG(bar0, DSA_REG_GRPCAP, uint8_t) == 4 && REG(bar0, DSA_REG_ENGCAP, uint8_t) == 4,
	      "capability registers through trapped loads (8/32/64-bit)");
	v64 = REG(bar0, DSA_REG_OFFSETS, uint64_t);
	grpcfg = (uint32_t)(v64 & 0xffff) * 0x100;
	wqcfg = (uint32_t)((v64 >> 16) & 0xffff) * 0x100;
	check(grpcfg != 0 && wqcfg > grpcfg, "table offsets GRPCFG %#x WQCFG %#x", grpcfg, wqcfg);
	check(REG(bar0, DSA_REG_GENSTS, uint32_t) == 0, "device disabled at start");

	/* Configuration for WQ 0 in group 0 with engine 0. */
	REG(bar0, grpcfg + DSA_GRPCFG_WQS, uint64_t) = 1;
	REG(bar0, grpcfg + DSA_GRPCFG_ENGINES, uint64_t) = 1;
	REG(bar0, wqcfg + 0, uint32_t) = 200;
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == DSA_CMDSTS_BUSMASTER_EN,
	      "Enable Device without bus mastering: 0x12");
	pread(dfd, &cmd, 2, VREGION(VFIO_PCI_CONFIG_REGION_INDEX) + 4);
	cmd |= 6;
	pwrite(dfd, &cmd, 2, VREGION(VFIO_PCI_CONFIG_REGION_INDEX) + 4);
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == DSA_CMDSTS_WQ_SIZE_ERANGE,
	      "WQ sizes above the total: 0x14");
	REG(bar0, wqcfg + 0, uint32_t) = 16;
	REG(bar0, wqcfg + DSA_WQCFG_SIZE, uint32_t) = 16; /* WQ 1: size, no group */
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == DSA_CMDSTS_GRP_CONFIG2,
	      "a WQ with a size but no group: 0x16");
	REG(bar0, wqcfg + DSA_WQCFG_SIZE, uint32_t) = 0;
	REG(bar0, grpcfg + DSA_GRPCFG_SIZE + DSA_GRPCFG_ENGINES, uint64_t) = 2;
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == DSA_CMDSTS_GRP_CONFIG,
	      "a group with engines but no WQ: 0x15");
	REG(bar0, grpcfg + DSA_GRPCFG_SIZE + DSA_GRPCFG_ENGINES, uint64_t) = 0;
	/* WQ 0: dedicated, priority 1, 2 MiB transfers, batches of 32. */
	REG(bar0, wqcfg + 8, uint32_t) = DSA_WQCFG_MODE_DEDICATED | (1u << DSA_WQCFG_PRIO_SHIFT);
	REG(bar0, wqcfg + 12, uint32_t) = 21 | (5u << 5);
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == 0 &&
	      (REG(bar0, DSA_REG_GENSTS, uint32_t) & 3) == DSA_GENSTS_ENABLED, "device enabled");
	check(vcmd(bar0, DSA_CMD_ENABLE_DEVICE, 0) == DSA_CMDSTS_DEV_ENABLED,
	      "Enable Device twice: 0x10");
	REG(bar0, grpcfg + DSA_GRPCFG_ENGINES, uint64_t) = 0xf;
	REG(bar0, wqcfg, uint32_t) = 99;
	check(REG(bar0, grpcfg + DSA_GRPCFG_ENGINES, uint64_t) == 1 &&
	      REG(bar0, wqcfg, uint32_t) == 16,
	      "GRPCFG and WQ size read-only while the device is enabled");
	check(vcmd(bar0, DSA_CMD_ENABLE_WQ, 1) == DSA_CMDSTS_WQ_SIZE, "Enable WQ of size 0: 0x22");
	check(vcmd(bar0, DSA_CMD_ENABLE_WQ, 0) == 0 &&
	      (REG(bar0, wqcfg + 24, uint32_t) >> 30) == DSA_WQ_STATE_ENABLED,
	      "WQ 0 enabled, WQCFG state 1");
	check(vcmd(bar0, DSA_CMD_ENABLE_WQ, 0) == DSA_CMDSTS_WQ_ENABLED, "Enable WQ twice: 0x21");
	REG(bar0, wqcfg + 8, uint32_t) = DSA_WQCFG_MODE_DEDICATED | (9u << DSA_WQCFG_PRIO_SHIFT);
	check(((REG(bar0, wqcfg + 8, uint32_t) >> 4) & 0xf) == 1,
	      "WQ mode/priority read-only while the WQ is enabled");
	check(vcmd(bar0, 0x1f, 0) == DSA_CMDSTS_INVAL_CMD, "unknown command: 0x01");

	/* DMA through the IOMMU. */
	{
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)arena, .iova = IOVA_BASE, .size = ARENA_SIZE,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = IOVA_BASE, .size = ARENA_SIZE,
		};
		struct dsa_desc *d = (struct dsa_desc *)(arena + 0x70000);
		struct dsa_completion *c = (struct dsa_completion *)(arena + 0x71000);
		uint64_t c_iova = IOVA_BASE + 0x71000;
		unsigned int i;
		struct wqh h = { .portal = bar2 };

		check(ioctl(cfd, VFIO_IOMMU_MAP_DMA, &map) == 0, "IOMMU_MAP_DMA of 1 MiB");
		for (i = 0; i < 4096; i++)
			arena[i] = (uint8_t)(i ^ 0x5a);
		memset(arena + 0x8000, 0, 4096);
		desc_init(d, DSA_OP_MEMMOVE, DSA_FLAG_CRAV | DSA_FLAG_RCR);
		d->src = IOVA_BASE;
		d->dst = IOVA_BASE + 0x8000;
		d->xfer_size = 4096;
		d->completion_addr = c_iova;
		memset(c, 0, sizeof(*c));
		movdir64b(bar2, d);
		check(wait_status(c, 3000) == DSA_COMP_SUCCESS &&
		      memcmp(arena, arena + 0x8000, 4096) == 0,
		      "memmove through BAR2 with IOVAs translated by the IOMMU");
		d->src = IOVA_BASE + ARENA_SIZE - 100;
		memset(c, 0, sizeof(*c));
		movdir64b(bar2, d);
		check(wait_status(c, 3000) == DSA_COMP_PAGE_FAULT_NOBOF &&
		      c->bytes_completed == 100 && c->fault_addr == IOVA_BASE + ARENA_SIZE,
		      "unmapped IOVA: page fault at the end of the mapping");
		memset(c, 0, sizeof(*c));
		d->src = IOVA_BASE;
		movdir64b((uint8_t *)bar2 + 0x4000, d);
		check(c->status == 0, "portal of a disabled WQ ignores MOVDIR64B");
		check(enqcmd((uint8_t *)bar2 + 0x2000, d) == 1, "IMS portal (no IMS): retry");
		check(enqcmd(bar2, d) == 1, "ENQCMD to a dedicated WQ: retry");
		check(REG(bar2, 0x40, uint32_t) == 0xffffffff, "portal reads return all ones");
		/* A software error, then RW1C. */
		d->completion_addr = c_iova + 8;
		movdir64b(bar2, d);
		{
			/* In order: once a no-op behind it completes, the bad
			 * descriptor has been looked at.
			 */
			struct dsa_desc *n = (struct dsa_desc *)(arena + 0x72000);
			struct dsa_completion *nc = (struct dsa_completion *)(arena + 0x73000);

			desc_init(n, DSA_OP_NOOP, DSA_FLAG_CRAV | DSA_FLAG_RCR);
			n->completion_addr = IOVA_BASE + 0x73000;
			memset(nc, 0, sizeof(*nc));
			movdir64b(bar2, n);
			wait_status(nc, 3000);
		}
		v64 = REG(bar0, DSA_REG_SWERR, uint64_t);
		check((v64 & 1) && ((v64 >> 8) & 0xff) == DSA_COMP_CRA_ALIGN,
		      "SWERROR valid with code 0x1b (%#llx)", (unsigned long long)v64);
		REG(bar0, DSA_REG_SWERR, uint64_t) = 1;
		check((REG(bar0, DSA_REG_SWERR, uint64_t) & 1) == 0, "SWERROR Valid is RW1C");
		check(ioctl(cfd, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0 && unmap.size == ARENA_SIZE,
		      "IOMMU_UNMAP_DMA reports the size unmapped");
		d->completion_addr = c_iova;
		(void)h;
	}
	check(vcmd(bar0, DSA_CMD_DISABLE_WQ, 1) == 0 &&
	      (REG(bar0, wqcfg + 24, uint32_t) >> 30) == 0, "Disable WQ (bitmap operand)");
	check(vcmd(bar0, DSA_CMD_DISABLE_WQ, 1) == DSA_CMDSTS_DEV_WQ_NOT_EN,
	      "Disable WQ of a disabled WQ: 0x32");
	check(vcmd(bar0, DSA_CMD_DISABLE_DEVICE, 0) == 0 &&
	      REG(bar0, DSA_REG_GENSTS, uint32_t) == 0,
	      "Disable Device");
	check(vcmd(bar0, DSA_CMD_DISABLE_DEVICE, 0) == DSA_CMDSTS_DIS_DEV_EN,
	      "Disable Device when disabled: 0x31");
	check(ioctl(dfd, VFIO_DEVICE_RESET) == 0 && REG(bar0, wqcfg, uint32_t) == 0 &&
	      REG(bar0, grpcfg + DSA_GRPCFG_WQS, uint64_t) == 0,
	      "VFIO_DEVICE_RESET clears the configuration");
	v32 = 0;
	pread(dfd, &v32, 2, VREGION(VFIO_PCI_CONFIG_REGION_INDEX) + 4);
	check((v32 & 4) != 0, "reset keeps bus mastering (config space restored)");
	munmap(bar0, 0x10000);
	munmap(bar2, 0x20000);
	close(dfd);
	close(gfd);
	close(cfd);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct wqh h;

	setvbuf(stdout, NULL, _IOLBF, 0);
	descs = aligned_alloc(64, 64 * 64);
	comps = aligned_alloc(32, 64 * 32);
	if (argc == 3 && strcmp(argv[1], "use") == 0)
		return use_main(argv[2]);
	arena = mmap((void *)ARENA, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (arena != (void *)ARENA) {
		fprintf(stderr, "cannot map the test arena at %#llx\n", ARENA);
		return 1;
	}
	if (argc == 4 && strcmp(argv[1], "vfio") == 0)
		return vfio_main(argv[2], argv[3]);

	test_layout();
	test_sysfs_rules();
	test_cdev();
	if (!wq_open("wq0.0", &h)) {
		check(false, "open wq0.0 for the data path: %s", strerror(errno));
		return 1;
	}
	test_submission_forms(&h);
	test_addr32();
	test_ops(&h);
	test_records(&h);
	test_faults(&h);
	test_batch(&h);
	wq_close(&h);
	test_shared();
	test_dwq_full();
	test_ooo();
	test_invalid();
	test_counters();

	printf("%d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
