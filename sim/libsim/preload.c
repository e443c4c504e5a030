/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interposers: libc entry points that the program under test calls.
 *
 * A path outside the modelled prefixes and an fd that no model owns go
 * straight to the real function (found with dlsym(RTLD_NEXT)); the cost is
 * a prefix comparison for paths and one array load for fds. Nothing here
 * allocates on those fast paths, so the interposers stay usable from signal
 * handlers and from any thread.
 */

/* Meson builds with -D_FILE_OFFSET_BITS=64, which would rename open() to
 * open64() in the headers; this file defines both names itself.
 */
#undef _FILE_OFFSET_BITS
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "libsim.h"

#define SIM_EXPORT __attribute__((visibility("default")))

/* Old-ABI stat entry points: glibc >= 2.33 no longer declares them. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int flags);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* Resolve the next definition of a symbol once; racing threads store the
 * same value, so a relaxed atomic is enough.
 */
#define REAL(name, ...) \
	static __typeof__(name) *real_p; \
	__typeof__(name) *real = __atomic_load_n(&real_p, __ATOMIC_RELAXED); \
	if (__builtin_expect(real == NULL, 0)) { \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
		if (real == NULL) { \
			errno = ENOSYS; \
			return __VA_ARGS__; \
		} \
		__atomic_store_n(&real_p, real, __ATOMIC_RELAXED); \
	}

/* Redirect an absolute modelled path; relative paths are left alone. */
static const char *
redirect(const char *path, char *buf, sim_open_hook_t *hook)
{
	const char *p;

	*hook = NULL;
	if (path == NULL || path[0] != '/')
		return path;
	p = sim_vfs_redirect(path, buf, SIM_PATH_MAX, hook);
	return p != NULL ? p : path;
}

/*
 * openat(dirfd, "relative") where dirfd is a directory of the testbed
 * (accel-config opens attributes that way): give it the modelled
 * absolute path, so that the open hooks see it.
 */
static const char *
relative_model_path(int dirfd, const char *path, char *buf, size_t len)
{
	char dir[SIM_PATH_MAX];
	int n;

	if (path == NULL || path[0] == '/' || dirfd == AT_FDCWD ||
	    sim_testbed_dir() == NULL)
		return NULL;
	if (sim_fd_model_path(dirfd, dir, sizeof(dir)) == NULL)
		return NULL;
	n = snprintf(buf, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, path);
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return buf;
}

static int
open_common(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[SIM_PATH_MAX], rel[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p, *abs = relative_model_path(dirfd, path, rel, sizeof(rel));
	int fd;

	if (abs != NULL) {
		path = abs;
		dirfd = AT_FDCWD;
	}
	p = redirect(path, buf, &hook);

	REAL(openat, -1);
	fd = real(dirfd, p, flags, mode);
	if (fd < 0)
		return fd;
	/* A number the kernel just handed out cannot belong to a model:
	 * drop a stale entry left by a close we did not see (dup2, exec).
	 */
	sim_fd_release(fd);
	if (p != path && hook != NULL) {
		int r = hook(fd, path, flags);

		if (r < 0) {
			errno = -r;
			return -1;
		}
		fd = r;
	}
	return fd;
}

static mode_t
open_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return va_arg(ap, mode_t);
	return 0;
}

SIM_EXPORT int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_common(AT_FDCWD, path, flags, mode);
}

SIM_EXPORT int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_common(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

SIM_EXPORT int
__open_2(const char *path, int flags)
{
	return open_common(AT_FDCWD, path, flags, 0);
}

SIM_EXPORT int
__open64_2(const char *path, int flags)
{
	return open_common(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

SIM_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_common(dirfd, path, flags, mode);
}

SIM_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_common(dirfd, path, flags | O_LARGEFILE, mode);
}

SIM_EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	return open_common(dirfd, path, flags, 0);
}

SIM_EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	return open_common(dirfd, path, flags | O_LARGEFILE, 0);
}

/* stdio calls glibc's internal read/write, which no interposer sees; a
 * stream on a modelled fd goes through these instead.
 */
static ssize_t
cookie_read(void *c, char *buf, size_t len)
{
	return read((int)(intptr_t)c, buf, len);
}

static ssize_t
cookie_write(void *c, const char *buf, size_t len)
{
	ssize_t n = write((int)(intptr_t)c, buf, len);

	/* fopencookie wants 0 for an error, not -1. */
	return n < 0 ? 0 : n;
}

static int
cookie_close(void *c)
{
	return close((int)(intptr_t)c);
}

static int
fopen_flags(const char *mode)
{
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = 0;
		break;
	case 'w':
		flags = O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	if (strchr(mode, '+') != NULL)
		flags |= O_RDWR;
	else if (mode[0] != 'r')
		flags |= O_WRONLY;
	if (strchr(mode, 'e') != NULL)
		flags |= O_CLOEXEC;
	if (strchr(mode, 'x') != NULL)
		flags |= O_EXCL;
	return flags;
}

static FILE *
fopen_common(const char *path, const char *mode, bool large)
{
	static const cookie_io_functions_t io = {
		.read = cookie_read,
		.write = cookie_write,
		.close = cookie_close,
	};
	char buf[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p = redirect(path, buf, &hook);
	struct sim_fd *f;
	FILE *fp;
	int flags, fd;

	if (p == path || hook == NULL || mode == NULL ||
	    (flags = fopen_flags(mode)) < 0) {
		if (large) {
			REAL(fopen64, NULL);
			return real(p, mode);
		}
		REAL(fopen, NULL);
		return real(p, mode);
	}
	fd = open_common(AT_FDCWD, path, flags | (large ? O_LARGEFILE : 0), 0666);
	if (fd < 0)
		return NULL;
	f = sim_fd_get(fd);
	if (f == NULL)
		return fdopen(fd, mode);
	sim_fd_put(f);
	fp = fopencookie((void *)(intptr_t)fd, mode, io);
	if (fp == NULL)
		close(fd);
	return fp;
}

SIM_EXPORT FILE *
fopen(const char *path, const char *mode)
{
	return fopen_common(path, mode, false);
}

SIM_EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	return fopen_common(path, mode, true);
}

/* glibc's realpath and scandir use internal calls: wrap them whole. */
static char *
realpath_common(const char *path, char *resolved, size_t resolved_len)
{
	char buf[SIM_PATH_MAX], tb[SIM_PATH_MAX], out[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p = redirect(path, buf, &hook);
	char *r;

	REAL(realpath, NULL);
	if (p == path)
		return real(path, resolved);
	r = real(p, tb);
	if (r == NULL)
		return NULL;
	/* Back from the testbed to the modelled name space. */
	if (sim_untestbed(tb, out, sizeof(out)) == NULL)
		snprintf(out, sizeof(out), "%s", tb);
	if (resolved == NULL)
		return strdup(out);
	if (strlen(out) >= resolved_len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(resolved, out);
	return resolved;
}

SIM_EXPORT char *
realpath(const char *path, char *resolved)
{
	return realpath_common(path, resolved, PATH_MAX);
}

char *__realpath_chk(const char *path, char *resolved, size_t len);

SIM_EXPORT char *
__realpath_chk(const char *path, char *resolved, size_t len)
{
	return realpath_common(path, resolved, len < PATH_MAX ? len : PATH_MAX);
}

SIM_EXPORT char *
canonicalize_file_name(const char *path)
{
	return realpath_common(path, NULL, PATH_MAX);
}

SIM_EXPORT int
scandir(const char *path, struct dirent ***list,
	int (*filter)(const struct dirent *),
	int (*compar)(const struct dirent **, const struct dirent **))
{
	char buf[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p = redirect(path, buf, &hook);

	REAL(scandir, -1);
	return real(p, list, filter, compar);
}

SIM_EXPORT int
scandir64(const char *path, struct dirent64 ***list,
	  int (*filter)(const struct dirent64 *),
	  int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	char buf[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p = redirect(path, buf, &hook);

	REAL(scandir64, -1);
	return real(p, list, filter, compar);
}

SIM_EXPORT DIR *
opendir(const char *path)
{
	char buf[SIM_PATH_MAX];
	sim_open_hook_t hook;
	const char *p = redirect(path, buf, &hook);

	REAL(opendir, NULL);
	return real(p);
}

/* The stat family: same arguments, only the path changes. */
#define PATH_WRAP(ret, name, decl, args, pathp) \
SIM_EXPORT ret name decl \
{ \
	char buf[SIM_PATH_MAX]; \
	sim_open_hook_t hook; \
	const char *p = redirect(pathp, buf, &hook); \
	REAL(name, -1); \
	return real args; \
}

PATH_WRAP(int, stat, (const char *path, struct stat *st), (p, st), path)
PATH_WRAP(int, stat64, (const char *path, struct stat64 *st), (p, st), path)
PATH_WRAP(int, lstat, (const char *path, struct stat *st), (p, st), path)
PATH_WRAP(int, lstat64, (const char *path, struct stat64 *st), (p, st), path)
PATH_WRAP(int, fstatat, (int dirfd, const char *path, struct stat *st,
			 int flags), (dirfd, p, st, flags), path)
PATH_WRAP(int, fstatat64, (int dirfd, const char *path, struct stat64 *st,
			   int flags), (dirfd, p, st, flags), path)
PATH_WRAP(int, __xstat, (int ver, const char *path, struct stat *st),
	  (ver, p, st), path)
PATH_WRAP(int, __xstat64, (int ver, const char *path, struct stat64 *st),
	  (ver, p, st), path)
PATH_WRAP(int, __lxstat, (int ver, const char *path, struct stat *st),
	  (ver, p, st), path)
PATH_WRAP(int, __lxstat64, (int ver, const char *path, struct stat64 *st),
	  (ver, p, st), path)
PATH_WRAP(int, __fxstatat, (int ver, int dirfd, const char *path,
			    struct stat *st, int flags),
	  (ver, dirfd, p, st, flags), path)
PATH_WRAP(int, __fxstatat64, (int ver, int dirfd, const char *path,
			      struct stat64 *st, int flags),
	  (ver, dirfd, p, st, flags), path)
PATH_WRAP(int, statx, (int dirfd, const char *path, int flags,
		       unsigned int mask, struct statx *stx),
	  (dirfd, p, flags, mask, stx), path)
PATH_WRAP(int, access, (const char *path, int mode), (p, mode), path)
PATH_WRAP(int, faccessat, (int dirfd, const char *path, int mode, int flags),
	  (dirfd, p, mode, flags), path)
PATH_WRAP(ssize_t, readlink, (const char *path, char *out, size_t len),
	  (p, out, len), path)
PATH_WRAP(ssize_t, readlinkat, (int dirfd, const char *path, char *out,
				size_t len), (dirfd, p, out, len), path)
/* ls -l asks for ACLs and labels; sysfs answers, so must the testbed. */
PATH_WRAP(ssize_t, getxattr, (const char *path, const char *name, void *val,
			      size_t len), (p, name, val, len), path)
PATH_WRAP(ssize_t, lgetxattr, (const char *path, const char *name, void *val,
			       size_t len), (p, name, val, len), path)
PATH_WRAP(ssize_t, listxattr, (const char *path, char *list, size_t len),
	  (p, list, len), path)
PATH_WRAP(ssize_t, llistxattr, (const char *path, char *list, size_t len),
	  (p, list, len), path)

/* ---- fd-based calls ---- */

void *
sim_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	REAL(mmap, MAP_FAILED);
	return real(addr, len, prot, flags, fd, off);
}

static void *
mmap_common(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct sim_fd *f = fd >= 0 ? sim_fd_get(fd) : NULL;

	if (f != NULL) {
		const struct sim_fd_ops *ops = sim_fd_ops(f);
		void *r;

		if (ops->mmap != NULL) {
			r = ops->mmap(sim_fd_priv(f), fd, addr, len, prot, flags, off);
			sim_fd_put(f);
			return r;
		}
		sim_fd_put(f);
	}
	return sim_real_mmap(addr, len, prot, flags, fd, off);
}

SIM_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_common(addr, len, prot, flags, fd, off);
}

SIM_EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return mmap_common(addr, len, prot, flags, fd, (off_t)off);
}

SIM_EXPORT int
munmap(void *addr, size_t len)
{
	int r;

	REAL(munmap, -1);
	r = real(addr, len);
	/* A trapped device mapping going away drops what it holds (the
	 * file reference of a mapped portal, as the kernel's vma does).
	 */
	if (r == 0 && sim_trap_any())
		sim_trap_unregister(addr, len);
	return r;
}

SIM_EXPORT int
ioctl(int fd, unsigned long req, ...)
{
	struct sim_fd *f;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	f = sim_fd_get(fd);
	if (f != NULL) {
		const struct sim_fd_ops *ops = sim_fd_ops(f);

		if (ops->ioctl != NULL) {
			int r = ops->ioctl(sim_fd_priv(f), fd, req, arg);

			sim_fd_put(f);
			return r;
		}
		sim_fd_put(f);
	}
	REAL(ioctl, -1);
	return real(fd, req, arg);
}

ssize_t
sim_real_read(int fd, void *buf, size_t len)
{
	REAL(read, -1);
	return real(fd, buf, len);
}

ssize_t
sim_real_write(int fd, const void *buf, size_t len)
{
	REAL(write, -1);
	return real(fd, buf, len);
}

int
sim_real_close(int fd)
{
	REAL(close, -1);
	return real(fd);
}

/* Character devices ignore the file position, as uio does, unless the
 * model has positioned ops (a VFIO device fd's regions).
 */
static bool
chardev_read(int fd, void *buf, size_t len, off_t off, bool positioned, ssize_t *ret)
{
	struct sim_fd *f = sim_fd_get(fd);
	const struct sim_fd_ops *ops;

	if (f == NULL)
		return false;
	ops = sim_fd_ops(f);
	if (positioned && ops->pread != NULL) {
		*ret = ops->pread(sim_fd_priv(f), fd, buf, len, off);
	} else if (ops->read != NULL) {
		*ret = ops->read(sim_fd_priv(f), fd, buf, len);
	} else {
		sim_fd_put(f);
		return false;
	}
	sim_fd_put(f);
	return true;
}

static bool
chardev_write(int fd, const void *buf, size_t len, off_t off, bool positioned,
	      ssize_t *ret)
{
	struct sim_fd *f = sim_fd_get(fd);
	const struct sim_fd_ops *ops;

	if (f == NULL)
		return false;
	ops = sim_fd_ops(f);
	if (positioned && ops->pwrite != NULL) {
		*ret = ops->pwrite(sim_fd_priv(f), fd, buf, len, off);
	} else if (ops->write != NULL) {
		*ret = ops->write(sim_fd_priv(f), fd, buf, len);
	} else {
		sim_fd_put(f);
		return false;
	}
	sim_fd_put(f);
	return true;
}

SIM_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	ssize_t r;

	if (chardev_read(fd, buf, len, 0, false, &r))
		return r;
	return sim_real_read(fd, buf, len);
}

SIM_EXPORT ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t r;

	if (chardev_read(fd, buf, len, (off_t)off, true, &r))
		return r;
	REAL(pread, -1);
	return real(fd, buf, len, off);
}

SIM_EXPORT ssize_t
pread64(int fd, void *buf, size_t len, off64_t off)
{
	ssize_t r;

	if (chardev_read(fd, buf, len, (off_t)off, true, &r))
		return r;
	REAL(pread64, -1);
	return real(fd, buf, len, off);
}

SIM_EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	ssize_t r;

	if (chardev_write(fd, buf, len, 0, false, &r))
		return r;
	return sim_real_write(fd, buf, len);
}

SIM_EXPORT ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t r;

	if (chardev_write(fd, buf, len, (off_t)off, true, &r))
		return r;
	REAL(pwrite, -1);
	return real(fd, buf, len, off);
}

SIM_EXPORT ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	ssize_t r;

	if (chardev_write(fd, buf, len, (off_t)off, true, &r))
		return r;
	REAL(pwrite64, -1);
	return real(fd, buf, len, off);
}

SIM_EXPORT int
close(int fd)
{
	int saved = errno;

	if (sim_fd_release(fd))
		errno = saved;
	return sim_real_close(fd);
}
