/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NIC offloads on byte buffers: checksums, LSO, 802.1Q, Toeplitz.
 * Header fields are big endian on the wire; nothing here trusts a length
 * in a header without checking it against the frame.
 */
#include <errno.h>
#include <string.h>

#include "nic_offload.h"
#include "rndis_proto.h"

#define IPV4_MIN_HLEN   20u
#define IPV6_HLEN       40u
#define TCP_MIN_HLEN    20u
#define UDP_HLEN        8u
#define TCP_CSUM_OFF    16u
#define UDP_CSUM_OFF    6u
#define TCP_FIN         0x01
#define TCP_PSH         0x08
#define TCP_CWR         0x80

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* IPv6 extension headers a NIC walks past; anything else ends the chain. */
static bool
ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60;
}

int
nic_parse(const uint8_t *f, uint32_t len, struct nic_hdrs *h)
{
	uint32_t off = NIC_ETH_HLEN;

	memset(h, 0, sizeof(*h));
	if (len < NIC_ETH_HLEN)
		return -EINVAL;
	h->ethertype = rd16(f + 12);
	if (h->ethertype == NIC_ETH_P_VLAN) {
		if (len < NIC_ETH_HLEN + NIC_VLAN_HLEN)
			return -EINVAL;
		h->ethertype = rd16(f + 16);
		off += NIC_VLAN_HLEN;
	}
	h->l3_off = off;
	if (h->ethertype == NIC_ETH_P_IPV4) {
		uint32_t ihl, tot;
		uint16_t frag;

		if (len < off + IPV4_MIN_HLEN || (f[off] >> 4) != 4)
			return -EINVAL;
		ihl = (uint32_t)(f[off] & 0xf) * 4;
		tot = rd16(f + off + 2);
		if (ihl < IPV4_MIN_HLEN || tot < ihl || off + tot > len)
			return -EINVAL;
		h->ip_ver = 4;
		frag = rd16(f + off + 6);
		/* Only an unfragmented datagram has a whole L4 header. */
		if ((frag & 0x3fff) == 0) {
			h->l4_proto = f[off + 9];
			h->l4_off = off + ihl;
			h->l4_len = tot - ihl;
		}
		return 0;
	}
	if (h->ethertype == NIC_ETH_P_IPV6) {
		uint32_t plen, end, l4;
		uint8_t nh;

		if (len < off + IPV6_HLEN || (f[off] >> 4) != 6)
			return -EINVAL;
		plen = rd16(f + off + 4);
		end = off + IPV6_HLEN + plen;
		if (end > len)
			return -EINVAL;
		h->ip_ver = 6;
		nh = f[off + 6];
		l4 = off + IPV6_HLEN;
		while (ipv6_ext(nh)) {
			if (l4 + 8 > end)
				return -EINVAL;
			nh = f[l4];
			l4 += ((uint32_t)f[l4 + 1] + 1) * 8;
		}
		if (l4 > end)
			return -EINVAL;
		if (nh != 44) {         /* fragment header: no whole L4 */
			h->l4_proto = nh;
			h->l4_off = l4;
			h->l4_len = end - l4;
		}
		return 0;
	}
	return 0;
}

uint32_t
nic_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
nic_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the pseudo header of an L4 segment of l4_len bytes. */
static uint32_t
pseudo_sum(const uint8_t *f, const struct nic_hdrs *h, uint32_t l4_len)
{
	uint8_t tail[4] = { 0, 0, 0, h->l4_proto };
	uint32_t s;

	if (h->ip_ver == 4) {
		s = nic_csum_add(0, f + h->l3_off + 12, 8);
		s = nic_csum_add(s, tail + 2, 2);
		return s + l4_len;
	}
	s = nic_csum_add(0, f + h->l3_off + 8, 32);
	s += l4_len >> 16;
	s += l4_len & 0xffff;
	return nic_csum_add(s, tail, 4);
}

static void
ipv4_csum_set(uint8_t *f, const struct nic_hdrs *h)
{
	uint8_t *ip = f + h->l3_off;
	uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;

	wr16(ip + 10, 0);
	wr16(ip + 10, nic_csum_fold(nic_csum_add(0, ip, ihl)));
}

/* Compute the L4 checksum of a segment of l4_len bytes at h->l4_off. */
static void
l4_csum_set(uint8_t *f, const struct nic_hdrs *h, uint32_t l4_len)
{
	uint32_t field = h->l4_proto == NIC_PROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	uint8_t *l4 = f + h->l4_off;
	uint16_t c;

	wr16(l4 + field, 0);
	c = nic_csum_fold(nic_csum_add(pseudo_sum(f, h, l4_len), l4, l4_len));
	/* UDP sends 0 as all ones: 0 means "no checksum". */
	if (c == 0 && h->l4_proto == NIC_PROTO_UDP)
		c = 0xffff;
	wr16(l4 + field, c);
}

int
nic_tx_csum(uint8_t *f, uint32_t len, uint32_t info, unsigned int *done)
{
	bool v4 = info & NDIS_TXCSUM_IPV4, v6 = info & NDIS_TXCSUM_IPV6;
	bool tcp = info & NDIS_TXCSUM_TCP, udp = info & NDIS_TXCSUM_UDP;
	uint32_t thoff = (info >> NDIS_TXCSUM_THOFF_SHIFT) & NDIS_TXCSUM_THOFF_MASK;
	struct nic_hdrs h;

	*done = 0;
	if ((info & ~NDIS_TXCSUM_KNOWN) != 0 || (v4 && v6) || (tcp && udp) ||
	    ((info & NDIS_TXCSUM_IP) && !v4) || ((tcp || udp) && !v4 && !v6))
		return -EINVAL;
	if (nic_parse(f, len, &h) < 0)
		return -EINVAL;
	if ((v4 && h.ip_ver != 4) || (v6 && h.ip_ver != 6))
		return -EINVAL;
	if (tcp || udp) {
		uint32_t min = tcp ? TCP_MIN_HLEN : UDP_HLEN;

		if (h.l4_off == 0 || h.l4_off != thoff || h.l4_len < min ||
		    h.l4_proto != (tcp ? NIC_PROTO_TCP : NIC_PROTO_UDP))
			return -EINVAL;
	}
	if (info & NDIS_TXCSUM_IP) {
		ipv4_csum_set(f, &h);
		*done |= NIC_DONE_IP;
	}
	if (tcp || udp) {
		l4_csum_set(f, &h, h.l4_len);
		*done |= tcp ? NIC_DONE_TCP : NIC_DONE_UDP;
	}
	return 0;
}

uint32_t
nic_rx_csum(const uint8_t *f, uint32_t len, unsigned int want)
{
	struct nic_hdrs h;
	uint32_t r = 0;

	if (want == 0 || nic_parse(f, len, &h) < 0 || h.ip_ver == 0)
		return 0;
	if ((want & NIC_DONE_IP) && h.ip_ver == 4) {
		const uint8_t *ip = f + h.l3_off;
		uint32_t ihl = (uint32_t)(ip[0] & 0xf) * 4;

		r |= nic_csum_fold(nic_csum_add(0, ip, ihl)) == 0 ?
		     NDIS_RXCSUM_IP_OK : NDIS_RXCSUM_IP_FAILED;
	}
	if (h.l4_off == 0)
		return r;
	if ((want & NIC_DONE_TCP) && h.l4_proto == NIC_PROTO_TCP &&
	    h.l4_len >= TCP_MIN_HLEN) {
		uint32_t s = nic_csum_add(pseudo_sum(f, &h, h.l4_len),
					  f + h.l4_off, h.l4_len);

		r |= nic_csum_fold(s) == 0 ? NDIS_RXCSUM_TCP_OK : NDIS_RXCSUM_TCP_FAILED;
	} else if ((want & NIC_DONE_UDP) && h.l4_proto == NIC_PROTO_UDP &&
		   h.l4_len >= UDP_HLEN) {
		uint32_t s;

		/* IPv4 UDP without a checksum is valid as it is. */
		if (h.ip_ver == 4 && rd16(f + h.l4_off + UDP_CSUM_OFF) == 0)
			return r | NDIS_RXCSUM_UDP_OK;
		s = nic_csum_add(pseudo_sum(f, &h, h.l4_len), f + h.l4_off, h.l4_len);
		r |= nic_csum_fold(s) == 0 ? NDIS_RXCSUM_UDP_OK : NDIS_RXCSUM_UDP_FAILED;
	}
	return r;
}

int
nic_lso(const uint8_t *f, uint32_t len, uint32_t info, uint32_t max_frame,
	uint8_t *seg, void (*emit)(void *arg, const uint8_t *seg, uint32_t len),
	void *arg)
{
	uint32_t mss = info & NDIS_LSO_MSS_MASK;
	uint32_t thoff = (info >> NDIS_LSO_THOFF_SHIFT) & NDIS_LSO_THOFF_MASK;
	uint32_t hlen, tcp_hlen, payload, off, seq;
	uint16_t ip_id = 0;
	struct nic_hdrs h;
	uint8_t flags;
	int n = 0;

	if (!(info & NDIS_LSO_V2) || mss == 0 || nic_parse(f, len, &h) < 0)
		return -EINVAL;
	if (h.ip_ver != ((info & NDIS_LSO_IPV6) ? 6 : 4) ||
	    h.l4_off == 0 || h.l4_proto != NIC_PROTO_TCP || h.l4_off != thoff ||
	    h.l4_len < TCP_MIN_HLEN)
		return -EINVAL;
	tcp_hlen = (uint32_t)(f[h.l4_off + 12] >> 4) * 4;
	if (tcp_hlen < TCP_MIN_HLEN || tcp_hlen > h.l4_len)
		return -EINVAL;
	hlen = h.l4_off + tcp_hlen;
	/* The IP length must cover the frame exactly: no trailing bytes. */
	payload = h.l4_len - tcp_hlen;
	if (hlen + payload != len || hlen + (mss < payload ? mss : payload) > max_frame)
		return -EINVAL;
	seq = rd32(f + h.l4_off + 4);
	flags = f[h.l4_off + 13];
	if (h.ip_ver == 4)
		ip_id = rd16(f + h.l3_off + 4);
	off = 0;
	do {
		uint32_t chunk = payload - off < mss ? payload - off : mss;
		bool first = off == 0, last = off + chunk == payload;
		uint8_t *ip = seg + h.l3_off, *tcp = seg + h.l4_off;

		memcpy(seg, f, hlen);
		memcpy(seg + hlen, f + hlen + off, chunk);
		if (h.ip_ver == 4) {
			wr16(ip + 2, (uint16_t)(hlen - h.l3_off + chunk));
			wr16(ip + 4, (uint16_t)(ip_id + n));
			ipv4_csum_set(seg, &h);
		} else {
			wr16(ip + 4, (uint16_t)(hlen - h.l3_off - IPV6_HLEN + chunk));
		}
		wr32(tcp + 4, seq + off);
		tcp[13] = flags;
		if (!last)
			tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (!first)
			tcp[13] &= (uint8_t)~TCP_CWR;
		l4_csum_set(seg, &h, tcp_hlen + chunk);
		emit(arg, seg, hlen + chunk);
		n++;
		off += chunk;
	} while (off < payload);
	return n;
}

uint32_t
nic_vlan_insert(uint8_t *f, uint32_t len, uint16_t tci)
{
	memmove(f + 16, f + 12, len - 12);
	wr16(f + 12, NIC_ETH_P_VLAN);
	wr16(f + 14, tci);
	return len + NIC_VLAN_HLEN;
}

bool
nic_vlan_strip(uint8_t *f, uint32_t *len, uint16_t *tci)
{
	if (*len < NIC_ETH_HLEN + NIC_VLAN_HLEN || rd16(f + 12) != NIC_ETH_P_VLAN)
		return false;
	*tci = rd16(f + 14);
	memmove(f + 12, f + 16, *len - 16);
	*len -= NIC_VLAN_HLEN;
	return true;
}

uint32_t
nic_toeplitz(const uint8_t key[40], const uint8_t *in, uint32_t n)
{
	uint32_t hash = 0, window = rd32(key);
	uint32_t i, b, next = 4;

	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80 >> b))
				hash ^= window;
			/* Slide the 32-bit key window one bit to the left. */
			window <<= 1;
			if (next < 40 && (key[next] & (0x80 >> b)))
				window |= 1;
		}
		next++;
	}
	return hash;
}

bool
nic_rss_hash(const uint8_t *f, uint32_t len, uint32_t types,
	     const uint8_t key[40], uint32_t *hash, uint32_t *type)
{
	uint8_t in[36];
	uint32_t n, addr_len, tcp_type, ip_type;
	struct nic_hdrs h;

	if (nic_parse(f, len, &h) < 0)
		return false;
	if (h.ip_ver == 4) {
		addr_len = 4;
		tcp_type = NDIS_HASH_TCP_IPV4;
		ip_type = NDIS_HASH_IPV4;
		memcpy(in, f + h.l3_off + 12, 8);
	} else if (h.ip_ver == 6) {
		addr_len = 16;
		tcp_type = NDIS_HASH_TCP_IPV6;
		ip_type = NDIS_HASH_IPV6;
		memcpy(in, f + h.l3_off + 8, 32);
	} else {
		return false;
	}
	n = 2 * addr_len;
	if ((types & tcp_type) && h.l4_off != 0 && h.l4_proto == NIC_PROTO_TCP &&
	    h.l4_len >= TCP_MIN_HLEN) {
		memcpy(in + n, f + h.l4_off, 4);
		*hash = nic_toeplitz(key, in, n + 4);
		*type = tcp_type;
		return true;
	}
	if (types & ip_type) {
		*hash = nic_toeplitz(key, in, n);
		*type = ip_type;
		return true;
	}
	return false;
}
