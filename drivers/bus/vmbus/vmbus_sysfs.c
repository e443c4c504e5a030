/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading sysfs attributes strictly: one value, nothing trailing. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmbus_private.h"

int
vmbus_sysfs_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if ((size_t)n == len - 1 && n > 0 && buf[n - 1] != '\n')
		return -EOVERFLOW; /* longer than any value we expect */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int
vmbus_sysfs_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	unsigned long long v;
	int ret;

	ret = vmbus_sysfs_read_str(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (buf[0] == '\0' || buf[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 0); /* decimal, or 0x for uio map sizes */
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*val = v;
	return 0;
}

/* Linux prints GUIDs as {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
int
vmbus_sysfs_read_uuid(const char *path, rte_uuid_t uuid)
{
	char buf[64];
	size_t n;
	int ret;

	ret = vmbus_sysfs_read_str(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	n = strlen(buf);
	if (n != RTE_UUID_STRLEN + 1 || buf[0] != '{' || buf[n - 1] != '}')
		return -EINVAL;
	buf[n - 1] = '\0';
	return rte_uuid_parse(buf + 1, uuid) == 0 ? 0 : -EINVAL;
}
