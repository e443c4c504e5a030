/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DSA model's entry points for libsim: setup, testbed build, attach and
 * resume, fork, and the runtime control commands.
 *
 * The model's state is kernel state (a device configured by accel-config
 * stays configured for the next program), so it outlives its owner: the
 * model provides resume, and libsim keeps the testbed for the session.
 * There is no host thread; each process that maps a portal runs its own
 * engine (see dsa_engine.c).
 *
 * Control (udrv_sim_ctl):
 *   dsa stats             one line of counters per device
 *   dsa report            the same with a line per active WQ
 *   dsa swerr <dev>       the device's SWERROR register, 4 hex words
 *   dsa clear-swerr <dev> clear SWERROR (as software writing Valid)
 * <dev> is dsaN or a PCI address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dsa_model.h"

struct dsa_shm *dsa_shm;
char dsa_tb[SIM_TB_MAX];

static int
map_shared(bool create)
{
	char path[SIM_PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/.dsasim", dsa_tb);
	if (create) {
		err = sim_mkdir_p(path, 0700);
		if (err < 0)
			return err;
	}
	snprintf(path, sizeof(path), "%s/.dsasim/state", dsa_tb);
	if (create) {
		err = sim_create_sized(path, sizeof(struct dsa_shm));
		if (err < 0)
			return err;
	}
	dsa_shm = sim_map_file(path, sizeof(struct dsa_shm));
	return dsa_shm != NULL ? 0 : -ENOENT;
}

static void
init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

/* The kernel's SWERROR interrupt handler: keep a copy for sysfs, clear the
 * register, wake pollers of the char devices (device lock held).
 */
static void
kernel_swerr(unsigned int dev)
{
	struct dsa_shm_dev *d = &dsa_shm->dev[dev];
	unsigned int i;

	if (dsa_cfg.dev[dev].vfio)
		return;
	for (i = 0; i < 4; i++)
		d->sw_err[i] = dsa_hw_read(dev, DSA_REG_SWERR + 8 * i, 8);
	dsa_hw_write(dev, DSA_REG_SWERR, 8, 3);
	dsa_sysfs_render(dev);
	dsa_cdev_notify(dev);
}

static bool
dsa_enabled(void)
{
	return dsa_cfg.enabled;
}

static int
dsa_setup(void)
{
	char prefix[64];
	unsigned int i, j;
	int err;

	err = sim_vfs_register("/sys/bus/dsa", false, dsa_sysfs_open_hook);
	if (err == 0)
		err = sim_vfs_register("/sys/module/idxd", false, dsa_sysfs_open_hook);
	if (err == 0)
		err = sim_vfs_register("/dev/dsa", false, dsa_cdev_open_hook);
	/* The devices' real parents (realpath of the bus links). */
	for (i = 0; err == 0 && i < dsa_cfg.ndev; i++) {
		const struct dsa_dev_spec *s = &dsa_cfg.dev[i];
		bool seen = false;

		for (j = 0; j < i; j++)
			if (dsa_cfg.dev[j].domain == s->domain && dsa_cfg.dev[j].bus == s->bus)
				seen = true;
		if (seen)
			continue;
		snprintf(prefix, sizeof(prefix), "/sys/devices/pci%04x:%02x", s->domain, s->bus);
		err = sim_vfs_register(prefix, false, dsa_sysfs_open_hook);
	}
	if (err == 0)
		err = dsa_vfio_setup();
	dsa_hw_swerr_hook = kernel_swerr;
	return err;
}

static int
dsa_build(const char *dir)
{
	unsigned int i;
	int err;

	snprintf(dsa_tb, sizeof(dsa_tb), "%s", dir);
	err = map_shared(true);
	if (err < 0)
		return err;
	memset(dsa_shm, 0, sizeof(*dsa_shm));
	dsa_shm->size = sizeof(*dsa_shm);
	dsa_shm->ndev = dsa_cfg.ndev;
	for (i = 0; i < dsa_cfg.ndev; i++) {
		init_mutex(&dsa_shm->dev[i].lock);
		dsa_hw_init(i);
		dsa_idxd_reset_state(i);
	}
	err = dsa_sysfs_build();
	if (err == 0)
		err = dsa_vfio_build();
	if (err < 0)
		return err;
	for (i = 0; i < dsa_cfg.ndev; i++) {
		dsa_lock(i);
		dsa_idxd_boot_config(i);
		dsa_sysfs_render(i);
		dsa_unlock(i);
	}
	__atomic_store_n(&dsa_shm->magic, DSA_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static int
dsa_attach(const char *dir)
{
	int err;

	snprintf(dsa_tb, sizeof(dsa_tb), "%s", dir);
	err = map_shared(false);
	if (err < 0)
		return err;
	if (__atomic_load_n(&dsa_shm->magic, __ATOMIC_ACQUIRE) != DSA_SHM_MAGIC ||
	    dsa_shm->size != sizeof(*dsa_shm) || dsa_shm->ndev != dsa_cfg.ndev)
		return -EPROTO;
	return 0;
}

static int
dsa_start(void)
{
	/* Engines start in the processes that map portals. */
	return 0;
}

static void
dsa_stop(void)
{
}

static void
dsa_atfork_child(void)
{
	dsa_portal_atfork_child();
	dsa_engine_atfork_child();
	dsa_cdev_atfork_child();
	dsa_mem_atfork_child();
}

static int
find_dev(const char *name)
{
	unsigned int i;
	char bdf[32];

	for (i = 0; i < dsa_cfg.ndev; i++) {
		const struct dsa_dev_spec *s = &dsa_cfg.dev[i];
		unsigned int id;
		int n = 0;

		dsa_pci_name(i, bdf, sizeof(bdf));
		if (strcmp(name, bdf) == 0)
			return (int)i;
		if (!s->vfio && sscanf(name, "dsa%u%n", &id, &n) == 1 && name[n] == '\0' &&
		    id == s->id)
			return (int)i;
	}
	return -1;
}

static int
dsa_ctl(const char *cmd, char *reply, unsigned int reply_len)
{
	char verb[32], arg[64];
	int n, dev;

	if (strncmp(cmd, "dsa ", 4) != 0)
		return -ENOSYS;
	n = sscanf(cmd + 4, "%31s %63s", verb, arg);
	if (n < 1)
		return -EINVAL;
	if (strcmp(verb, "stats") == 0 || strcmp(verb, "report") == 0) {
		if (reply != NULL)
			dsa_report_format(dsa_shm, &dsa_cfg, reply, reply_len,
					  strcmp(verb, "report") == 0);
		return 0;
	}
	if (n < 2 || (dev = find_dev(arg)) < 0) {
		if (reply != NULL && reply_len > 0)
			snprintf(reply, reply_len, "no such DSA device\n");
		return -ENODEV;
	}
	if (strcmp(verb, "swerr") == 0) {
		const uint64_t *e = dsa_cfg.dev[dev].vfio ? NULL : dsa_shm->dev[dev].sw_err;
		uint64_t r[4];
		unsigned int i;

		dsa_lock((unsigned int)dev);
		for (i = 0; i < 4; i++)
			r[i] = e != NULL ? e[i] :
			       dsa_hw_read((unsigned int)dev, DSA_REG_SWERR + 8 * i, 8);
		dsa_unlock((unsigned int)dev);
		if (reply != NULL)
			snprintf(reply, reply_len, "%#llx %#llx %#llx %#llx\n",
				 (unsigned long long)r[0], (unsigned long long)r[1],
				 (unsigned long long)r[2], (unsigned long long)r[3]);
		return 0;
	}
	if (strcmp(verb, "clear-swerr") == 0) {
		dsa_lock((unsigned int)dev);
		memset(dsa_shm->dev[dev].sw_err, 0, sizeof(dsa_shm->dev[dev].sw_err));
		dsa_hw_write((unsigned int)dev, DSA_REG_SWERR, 8, 3);
		dsa_sysfs_render((unsigned int)dev);
		dsa_unlock((unsigned int)dev);
		return 0;
	}
	if (reply != NULL && reply_len > 0)
		snprintf(reply, reply_len, "unknown dsa command: %s\n", verb);
	return -EINVAL;
}

const struct sim_model dsa_model = {
	.name = "dsa",
	.enabled = dsa_enabled,
	.setup = dsa_setup,
	.build = dsa_build,
	.attach = dsa_attach,
	.start = dsa_start,
	.stop = dsa_stop,
	.atfork_child = dsa_atfork_child,
	.ctl = dsa_ctl,
	.resume = dsa_attach,
};
