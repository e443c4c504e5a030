/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The redirect table: modelled path prefixes and where they live.
 *
 * A modelled path P is served by the file <testbed>/P, so the testbed is a
 * copy of the parts of / that the models own. Models register prefixes
 * once, before the first lookup, so lookups need no lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libsim.h"

#define SIM_MAX_PREFIXES 32

struct sim_prefix {
	char path[64];
	size_t len;
	bool name_prefix;
	sim_open_hook_t hook;
};

static struct sim_prefix prefixes[SIM_MAX_PREFIXES];
static unsigned int nprefixes;

int
sim_vfs_register(const char *prefix, bool name_prefix, sim_open_hook_t hook)
{
	struct sim_prefix *p;

	if (nprefixes == SIM_MAX_PREFIXES || strlen(prefix) >= sizeof(p->path))
		return -ENOSPC;
	p = &prefixes[nprefixes];
	snprintf(p->path, sizeof(p->path), "%s", prefix);
	p->len = strlen(prefix);
	p->name_prefix = name_prefix;
	p->hook = hook;
	__atomic_store_n(&nprefixes, nprefixes + 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct sim_prefix *
match(const char *path)
{
	unsigned int i, n = __atomic_load_n(&nprefixes, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++) {
		const struct sim_prefix *p = &prefixes[i];

		if (strncmp(path, p->path, p->len) != 0)
			continue;
		if (p->name_prefix || path[p->len] == '\0' || path[p->len] == '/')
			return p;
	}
	return NULL;
}

const char *
sim_vfs_redirect(const char *path, char *buf, size_t len, sim_open_hook_t *hook)
{
	const struct sim_prefix *p;
	const char *dir;
	int n;

	sim_init();
	p = match(path);
	if (p == NULL)
		return NULL;
	sim_activate();
	dir = sim_testbed_dir();
	if (dir == NULL)
		return NULL;
	n = snprintf(buf, len, "%s%s", dir, path);
	if (n < 0 || (size_t)n >= len)
		return NULL;
	*hook = p->hook;
	return buf;
}

const char *
sim_untestbed(const char *path, char *buf, size_t len)
{
	const char *dir = sim_testbed_dir();
	size_t n;

	if (dir == NULL || path == NULL)
		return NULL;
	n = strlen(dir);
	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	if (snprintf(buf, len, "%s", path[n] == '\0' ? "/" : path + n) >= (int)len)
		return NULL;
	return buf;
}

const char *
sim_fd_model_path(int fd, char *buf, size_t len)
{
	char link[64], target[SIM_PATH_MAX];
	long n;

	if (fd < 0 || sim_testbed_dir() == NULL)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	/* Raw: readlink is interposed. */
	n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	return sim_untestbed(target, buf, len);
}
