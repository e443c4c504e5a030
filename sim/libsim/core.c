/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lifecycle of the simulator inside one process: configuration, lazy start
 * (owner or attached), exit, fork, and runtime control.
 *
 * Nothing happens until the process first touches a modelled path. The
 * first process to do so in a simrun session becomes the owner: it builds
 * the testbed and runs the models' threads. Later processes attach to the
 * shared state while the owner lives, or take over when it has died.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "libsim.h"
#include "../include/udrv_sim.h"

extern const struct sim_model hv_model;
extern const struct sim_model dsa_model;

static const struct sim_model *const models[] = {
	&hv_model,
	&dsa_model,
};

/* Written once the testbed is built; a persistent session keeps it. */
#define BUILT_MARKER ".built"

#define NMODELS (sizeof(models) / sizeof(models[0]))

enum sim_role {
	ROLE_NONE,
	ROLE_OWNER,
	ROLE_ATTACHED,
};

int sim_verbose;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_once_t act_once = PTHREAD_ONCE_INIT;
static int init_done;
static bool configured;
static bool model_on[NMODELS];
static enum sim_role role = ROLE_NONE;
/* Some model's state outlives the owner: keep the testbed between owners. */
static bool persistent;
static char tb_dir[SIM_TB_MAX];
static const char *tb_ready;

void
sim_log(const char *prefix, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n, m;

	n = snprintf(buf, sizeof(buf), "%s: ", prefix);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write, no stdio lock: usable from any thread. */
	if (sim_raw_write(2, buf, (size_t)n) < 0)
		return;
}

uint64_t
sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
do_init(void)
{
	const char *cfg = getenv(SIM_ENV_CONFIG);
	const char *dir = getenv(SIM_ENV_DIR);
	char err[256];
	unsigned int i;

	if (cfg == NULL || dir == NULL || dir[0] != '/')
		goto out;
	if (strlen(dir) >= sizeof(tb_dir)) {
		sim_log("udrv-sim", "%s too long; simulator disabled", SIM_ENV_DIR);
		goto out;
	}
	if (sim_config_parse(cfg, err, sizeof(err)) < 0 ||
	    sim_config_finish(err, sizeof(err)) < 0) {
		sim_log("udrv-sim", "bad %s: %s; simulator disabled", SIM_ENV_CONFIG, err);
		goto out;
	}
	sim_verbose = sim_opts.verbose;
	snprintf(tb_dir, sizeof(tb_dir), "%s", dir);
	for (i = 0; i < NMODELS; i++) {
		if (!models[i]->enabled())
			continue;
		if (models[i]->setup() < 0) {
			sim_log("udrv-sim", "model %s: setup failed", models[i]->name);
			continue;
		}
		model_on[i] = true;
		configured = true;
		if (models[i]->resume != NULL)
			persistent = true;
	}
out:
	__atomic_store_n(&init_done, 1, __ATOMIC_RELEASE);
}

void
sim_init(void)
{
	if (__atomic_load_n(&init_done, __ATOMIC_ACQUIRE) == 0)
		pthread_once(&init_once, do_init);
}

static void
atfork_child(void)
{
	unsigned int i;

	/* The child has no host thread: it is a guest of its parent's host. */
	if (role == ROLE_OWNER) {
		role = ROLE_ATTACHED;
		sim_testbed_forget();
		for (i = 0; i < NMODELS; i++)
			if (model_on[i] && models[i]->atfork_child != NULL)
				models[i]->atfork_child();
	}
}

static bool
testbed_built(void)
{
	char path[SIM_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", tb_dir, BUILT_MARKER);
	return syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) == 0;
}

static int
become_owner(void)
{
	char path[SIM_PATH_MAX];
	bool resume = persistent && testbed_built();
	unsigned int i;
	int err;

	/* A persistent session keeps what earlier owners left (a device
	 * configured by accel-config stays configured for the next program).
	 */
	if (!resume) {
		err = sim_testbed_clean();
		if (err < 0)
			return err;
	}
	for (i = 0; i < NMODELS; i++) {
		if (!model_on[i])
			continue;
		if (resume && models[i]->resume != NULL)
			err = models[i]->resume(tb_dir);
		else
			err = models[i]->build(tb_dir);
		if (err < 0) {
			sim_log("udrv-sim", "model %s: cannot %s testbed: %s",
				models[i]->name, resume ? "resume" : "build",
				strerror(-err));
			return err;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", tb_dir, BUILT_MARKER);
	if (!resume && sim_write_file(path, "", 0) < 0)
		return -EIO;
	for (i = 0; i < NMODELS; i++) {
		if (!model_on[i])
			continue;
		err = models[i]->start();
		if (err < 0)
			return err;
	}
	return 0;
}

static int
attach(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < NMODELS; i++) {
		if (!model_on[i])
			continue;
		err = models[i]->attach(tb_dir);
		if (err < 0) {
			sim_log("udrv-sim", "model %s: cannot attach: %s",
				models[i]->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void
do_activate(void)
{
	bool owner = false;
	int err;

	if (!configured)
		return;
	err = sim_testbed_enter(tb_dir, &owner);
	if (err < 0) {
		sim_log("udrv-sim", "testbed %s: %s", tb_dir, strerror(-err));
		return;
	}
	err = owner ? become_owner() : attach();
	sim_testbed_ready();
	if (err < 0) {
		if (owner)
			sim_testbed_leave(false);
		return;
	}
	role = owner ? ROLE_OWNER : ROLE_ATTACHED;
	if (sim_verbose)
		sim_log("udrv-sim", "pid %d %s testbed %s", (int)getpid(),
			owner ? "owns" : "attached to", tb_dir);
	pthread_atfork(NULL, NULL, atfork_child);
	__atomic_store_n(&tb_ready, tb_dir, __ATOMIC_RELEASE);
}

bool
sim_activate(void)
{
	sim_init();
	if (__atomic_load_n(&tb_ready, __ATOMIC_ACQUIRE) == NULL)
		pthread_once(&act_once, do_activate);
	return role == ROLE_OWNER;
}

const char *
sim_testbed_dir(void)
{
	return __atomic_load_n(&tb_ready, __ATOMIC_ACQUIRE);
}

__attribute__((constructor)) static void
sim_ctor(void)
{
	sim_init();
}

__attribute__((destructor)) static void
sim_dtor(void)
{
	unsigned int i;

	if (role == ROLE_NONE)
		return;
	/* Close this process's device fds first, so the host sees the
	 * closes, as the kernel would when the process exits.
	 */
	sim_fd_release_all();
	if (role != ROLE_OWNER)
		return;
	for (i = 0; i < NMODELS; i++)
		if (model_on[i])
			models[i]->stop();
	/* simrun removes a persistent testbed at the end of the session. */
	sim_testbed_leave(!sim_opts.keep && !persistent);
	role = ROLE_NONE;
}

__attribute__((visibility("default"))) int
udrv_sim_ctl(const char *cmd, char *reply, unsigned int reply_len)
{
	unsigned int i;
	int r;

	if (reply != NULL && reply_len > 0)
		reply[0] = '\0';
	if (cmd == NULL)
		return -EINVAL;
	sim_activate();
	if (sim_testbed_dir() == NULL) {
		if (reply != NULL && reply_len > 0)
			snprintf(reply, reply_len, "simulator not active\n");
		return -ENODEV;
	}
	for (i = 0; i < NMODELS; i++) {
		if (!model_on[i] || models[i]->ctl == NULL)
			continue;
		r = models[i]->ctl(cmd, reply, reply_len);
		if (r != -ENOSYS)
			return r;
	}
	if (reply != NULL && reply_len > 0)
		snprintf(reply, reply_len, "unknown command: %s\n", cmd);
	return -EINVAL;
}
