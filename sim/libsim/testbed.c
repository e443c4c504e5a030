/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The testbed directory: locks, ownership and file helpers.
 *
 * Two lock files decide who is the host. ".setup.lock" serialises
 * processes that start at the same time; ".owner.lock" is held for the
 * owner's whole life, so the kernel releases it when the owner dies and the
 * next process knows it must rebuild. All I/O uses raw system calls.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "libsim.h"

#define SETUP_LOCK ".setup.lock"
#define OWNER_LOCK ".owner.lock"

static char tb_dir[SIM_TB_MAX];
static int setup_fd = -1;
static int owner_fd = -1;

int
sim_mkdir_p(const char *path, mode_t mode)
{
	char buf[SIM_PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (syscall(SYS_mkdirat, AT_FDCWD, buf, mode) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

int
sim_write_file(const char *path, const void *buf, size_t len)
{
	int fd = sim_raw_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = sim_raw_write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	sim_raw_close(fd);
	return err;
}

int
sim_printf_file(const char *path, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return sim_write_file(path, buf, (size_t)n);
}

int
sim_create_sized(const char *path, size_t len)
{
	int fd = sim_raw_open(path, O_RDWR | O_CREAT, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_ftruncate, fd, (off_t)len) < 0)
		err = -errno;
	sim_raw_close(fd);
	return err;
}

void *
sim_map_file(const char *path, size_t len)
{
	int fd = sim_raw_open(path, O_RDWR, 0);
	void *p;

	if (fd < 0)
		return NULL;
	p = sim_raw_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sim_raw_close(fd);
	/* A raw mmap returns -errno in the pointer. */
	if ((unsigned long)p > -4096UL)
		return NULL;
	return p;
}

/* Remove the entries of the open directory dfd, keeping names in keep. */
static int
rm_entries(int dfd, const char *const *keep)
{
	DIR *d;
	struct dirent *e;
	int err = 0;

	d = fdopendir(dfd);
	if (d == NULL) {
		sim_raw_close(dfd);
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		const char *const *k;
		bool kept = false;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (k = keep; k != NULL && *k != NULL; k++)
			if (strcmp(*k, e->d_name) == 0)
				kept = true;
		if (kept)
			continue;
		if (e->d_type == DT_DIR) {
			int sub = (int)syscall(SYS_openat, dirfd(d), e->d_name,
					       O_RDONLY | O_DIRECTORY | O_CLOEXEC |
					       O_NOFOLLOW);

			if (sub >= 0)
				rm_entries(sub, NULL);
			if (syscall(SYS_unlinkat, dirfd(d), e->d_name,
				    AT_REMOVEDIR) < 0)
				err = -errno;
		} else if (syscall(SYS_unlinkat, dirfd(d), e->d_name, 0) < 0) {
			err = -errno;
		}
	}
	closedir(d);
	return err;
}

int
sim_rm_rf(const char *path)
{
	int fd = sim_raw_open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (syscall(SYS_unlinkat, AT_FDCWD, path, 0) < 0)
			return -errno;
		return 0;
	}
	rm_entries(fd, NULL);
	if (syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR) < 0)
		return -errno;
	return 0;
}

static int
open_lock(const char *name)
{
	char path[SIM_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tb_dir, name);
	return sim_raw_open(path, O_RDWR | O_CREAT, 0600);
}

/* A lock on a file that the owner unlinked while we waited is worthless. */
static bool
still_linked(int fd, const char *name)
{
	char path[SIM_PATH_MAX];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/%s", tb_dir, name);
	if (syscall(SYS_fstat, fd, &a) < 0 ||
	    syscall(SYS_newfstatat, AT_FDCWD, path, &b, 0) < 0)
		return false;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int
sim_testbed_enter(const char *dir, bool *owner)
{
	char path[SIM_PATH_MAX];
	char pid[32];
	int tries, err, fd;

	snprintf(tb_dir, sizeof(tb_dir), "%s", dir);
	for (tries = 0; tries < 100; tries++) {
		err = sim_mkdir_p(tb_dir, 0700);
		if (err < 0)
			return err;
		setup_fd = open_lock(SETUP_LOCK);
		if (setup_fd < 0)
			return -errno;
		if (flock(setup_fd, LOCK_EX) == 0 && still_linked(setup_fd, SETUP_LOCK))
			break;
		sim_raw_close(setup_fd);
		setup_fd = -1;
	}
	if (setup_fd < 0)
		return -EAGAIN;
	snprintf(path, sizeof(path), "%s/%s", tb_dir, SIM_MARKER);
	fd = sim_raw_open(path, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		sim_raw_close(fd);

	fd = open_lock(OWNER_LOCK);
	if (fd < 0) {
		err = -errno;
		sim_testbed_ready();
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		owner_fd = fd;
		*owner = true;
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		syscall(SYS_ftruncate, fd, 0);
		syscall(SYS_pwrite64, fd, pid, strlen(pid), 0);
	} else {
		sim_raw_close(fd);
		*owner = false;
	}
	return 0;
}

void
sim_testbed_ready(void)
{
	if (setup_fd >= 0) {
		flock(setup_fd, LOCK_UN);
		sim_raw_close(setup_fd);
		setup_fd = -1;
	}
}

int
sim_testbed_clean(void)
{
	static const char *const keep[] = { SETUP_LOCK, OWNER_LOCK, SIM_MARKER, NULL };
	int fd = sim_raw_open(tb_dir, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0)
		return -errno;
	return rm_entries(fd, keep);
}

void
sim_testbed_leave(bool remove)
{
	bool locked = false;

	if (owner_fd < 0)
		return;
	/* Removing under the setup lock keeps a newcomer from attaching to a
	 * half-deleted testbed; it will find the lock file gone and retry.
	 */
	setup_fd = open_lock(SETUP_LOCK);
	if (setup_fd >= 0 && flock(setup_fd, LOCK_EX) == 0)
		locked = true;
	if (remove)
		sim_rm_rf(tb_dir);
	if (locked)
		sim_testbed_ready();
	else if (setup_fd >= 0)
		sim_raw_close(setup_fd);
	setup_fd = -1;
	sim_raw_close(owner_fd);
	owner_fd = -1;
}

void
sim_testbed_forget(void)
{
	if (owner_fd >= 0)
		sim_raw_close(owner_fd);
	owner_fd = -1;
	setup_fd = -1;
}
