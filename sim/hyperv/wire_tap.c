/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's way out to the machine's network stack: a TAP interface it
 * creates (a wire to the kernel), and an AF_PACKET socket on an existing
 * interface (the VF path: the kernel side of the guest's VF). Both are
 * non-blocking and polled by the host thread; nothing here keeps state.
 *
 * The model's own fds use raw system calls, like the rest of the model,
 * so the preloaded interposers never see them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../libsim/libsim.h"
#include "wire.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define TAP_DEFAULT_NAME "hvsw%d"

static int
raw_ioctl(int fd, unsigned long req, void *arg)
{
	return syscall(SYS_ioctl, fd, req, arg) < 0 ? -errno : 0;
}

static int
raw_socket(int domain, int type, int proto)
{
	int fd = (int)syscall(SYS_socket, domain, type | SOCK_CLOEXEC, proto);

	return fd < 0 ? -errno : fd;
}

int
wire_ifindex(const char *name)
{
	struct ifreq ifr;
	int s, r;

	s = raw_socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = raw_ioctl(s, SIOCGIFINDEX, &ifr);
	sim_raw_close(s);
	return r < 0 ? 0 : ifr.ifr_ifindex;
}

/* Set IFF_UP on an interface. */
static int
if_up(const char *name)
{
	struct ifreq ifr;
	int s, r;

	s = raw_socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return s;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = raw_ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = raw_ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	sim_raw_close(s);
	return r;
}

int
wire_tap_open(char name[IFNAMSIZ])
{
	struct ifreq ifr;
	int fd, r;

	fd = sim_raw_open("/dev/net/tun", O_RDWR | O_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* Frames as on the wire: no packet-information header. Not
	 * persistent: the interface goes away with the last fd.
	 */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		 name[0] != '\0' ? name : TAP_DEFAULT_NAME);
	r = raw_ioctl(fd, TUNSETIFF, &ifr);
	if (r == 0)
		r = if_up(ifr.ifr_name);
	if (r < 0) {
		sim_raw_close(fd);
		return r;
	}
	snprintf(name, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}

int
wire_packet_open(const char *name, int *ifindex)
{
	struct packet_mreq mr;
	struct sockaddr_ll sll;
	int fd, idx, one = 1;

	idx = wire_ifindex(name);
	if (idx == 0)
		return -ENODEV;
	/* Protocol 0: no frames until bound to the one interface. */
	fd = raw_socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = idx;
	if (syscall(SYS_bind, fd, &sll, sizeof(sll)) < 0)
		goto fail;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = idx;
	mr.mr_type = PACKET_MR_PROMISC;
	if (syscall(SYS_setsockopt, fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP,
		    &mr, sizeof(mr)) < 0)
		goto fail;
	/* VLAN tags the kernel moved out of the frame come back as aux data. */
	if (syscall(SYS_setsockopt, fd, SOL_PACKET, PACKET_AUXDATA, &one,
		    sizeof(one)) < 0)
		goto fail;
	/* Our own transmissions are filtered in the kernel where it can
	 * (Linux 4.20); wire_fd_read() drops them otherwise.
	 */
	syscall(SYS_setsockopt, fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		sizeof(one));
	*ifindex = idx;
	return fd;
fail:
	idx = -errno;
	sim_raw_close(fd);
	return idx;
}

static int
packet_read(int fd, uint8_t *buf, uint32_t len)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct sockaddr_ll from;
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	for (;;) {
		/* Leave room for a tag to put back. */
		iov.iov_base = buf;
		iov.iov_len = len - 4;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = &ctl;
		msg.msg_controllen = sizeof(ctl);
		n = syscall(SYS_recvmsg, fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((size_t)n > len - 4 || n < 14)
			return -EMSGSIZE;  /* too long for any NIC, or runt */
		break;
	}
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		struct tpacket_auxdata aux;
		uint16_t tpid = 0x8100;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
			continue;
		if (aux.tp_status & TP_STATUS_VLAN_TPID_VALID)
			tpid = aux.tp_vlan_tpid;
		memmove(buf + 16, buf + 12, (size_t)n - 12);
		buf[12] = (uint8_t)(tpid >> 8);
		buf[13] = (uint8_t)tpid;
		buf[14] = (uint8_t)(aux.tp_vlan_tci >> 8);
		buf[15] = (uint8_t)aux.tp_vlan_tci;
		n += 4;
	}
	return (int)n;
}

int
wire_fd_read(int fd, bool packet, uint8_t *buf, uint32_t len)
{
	ssize_t n;

	if (packet)
		return packet_read(fd, buf, len);
	n = sim_raw_read(fd, buf, len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n < 14)
		return n == 0 ? 0 : -EMSGSIZE;
	return (int)n;
}

int
wire_fd_write(int fd, bool packet, const uint8_t *frame, uint32_t len)
{
	ssize_t n;

	if (packet)
		n = syscall(SYS_sendto, fd, frame, len, MSG_DONTWAIT, NULL, 0);
	else
		n = sim_raw_write(fd, frame, len);
	if (n < 0)
		return errno == EWOULDBLOCK || errno == ENOBUFS ? -EAGAIN : -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void
wire_fd_close(int fd)
{
	if (fd >= 0)
		sim_raw_close(fd);
}
