/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of the NIC model's offloads (sim/hyperv/nic_offload.c):
 * Toeplitz against the published RSS verification vectors, checksums
 * computed for sends and validated on receive, LSO segmentation, and
 * 802.1Q insertion and stripping. Prints one line per check and a closing
 * "N passed, M failed".
 */
#include <stdio.h>
#include <string.h>

#include "../hyperv/nic_offload.h"
#include "../hyperv/rndis_proto.h"

static unsigned int passed, failed;

#define CHECK(cond, ...) do { \
		if (cond) { \
			passed++; \
		} else { \
			failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

/* The Toeplitz key of the RSS verification suite. */
static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Ethernet + IPv4 + TCP or UDP with payload bytes; returns the length. */
static uint32_t
build_v4(uint8_t *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
	 uint16_t sport, uint16_t dport, uint32_t payload)
{
	uint32_t l4len = (proto == NIC_PROTO_TCP ? 20 : 8) + payload, i;
	uint8_t *ip = f + 14, *l4 = ip + 20;

	memset(f, 0, 14 + 20 + l4len);
	memset(f, 0x02, 12);
	put16(f + 12, NIC_ETH_P_IPV4);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000);          /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == NIC_PROTO_TCP) {
		put16(l4 + 4, 0x1000);  /* seq 0x10000000 */
		l4[12] = 5 << 4;
		l4[13] = 0x18 | 0x01;   /* PSH ACK FIN */
	} else {
		put16(l4 + 4, (uint16_t)l4len);
	}
	for (i = 0; i < payload; i++)
		l4[(proto == NIC_PROTO_TCP ? 20 : 8) + i] = (uint8_t)(i * 7 + 3);
	return 14 + 20 + l4len;
}

static void
test_toeplitz(void)
{
	/* Vectors of the RSS verification suite (IPv4). */
	static const struct {
		uint8_t src[4], dst[4];
		uint16_t sport, dport;
		uint32_t h2, h4;
	} v[] = {
		{ {66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766, 0x323e8fc2, 0x51ccc178 },
		{ {199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739, 0xd718262a, 0xc626b0ea },
		{ {24, 19, 198, 95}, {12, 22, 207, 184}, 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	};
	uint8_t f[256];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t len = build_v4(f, NIC_PROTO_TCP, v[i].src, v[i].dst,
					v[i].sport, v[i].dport, 0);
		uint32_t hash = 0, type = 0;

		CHECK(nic_rss_hash(f, len, NDIS_HASH_IPV4, rss_key, &hash, &type) &&
		      hash == v[i].h2 && type == NDIS_HASH_IPV4,
		      "vector %u 2-tuple: %#x", i, hash);
		CHECK(nic_rss_hash(f, len, NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4, rss_key,
				   &hash, &type) &&
		      hash == v[i].h4 && type == NDIS_HASH_TCP_IPV4,
		      "vector %u 4-tuple: %#x", i, hash);
	}
	/* UDP only hashes on addresses; non-IP not at all. */
	{
		uint32_t len = build_v4(f, NIC_PROTO_UDP, v[0].src, v[0].dst, 1, 2, 10);
		uint32_t hash = 0, type = 0;

		CHECK(nic_rss_hash(f, len, NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4, rss_key,
				   &hash, &type) && hash == v[0].h2,
		      "UDP hashed on addresses: %#x", hash);
		put16(f + 12, 0x0806);
		CHECK(!nic_rss_hash(f, len, NDIS_HASH_IPV4, rss_key, &hash, &type),
		      "ARP not hashed");
	}
	printf("toeplitz: RSS verification vectors\n");
}

static void
test_csum(void)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	uint8_t f[256];
	uint32_t len;
	unsigned int done;
	int r;

	len = build_v4(f, NIC_PROTO_UDP, a, b, 1000, 2000, 33);
	r = nic_tx_csum(f, len, NDIS_TXCSUM_IPV4 | NDIS_TXCSUM_IP | NDIS_TXCSUM_UDP |
			(34u << NDIS_TXCSUM_THOFF_SHIFT), &done);
	CHECK(r == 0 && done == (NIC_DONE_IP | NIC_DONE_UDP), "UDP/IPv4 computed");
	CHECK(nic_rx_csum(f, len, NIC_DONE_IP | NIC_DONE_UDP) ==
	      (NDIS_RXCSUM_IP_OK | NDIS_RXCSUM_UDP_OK), "UDP/IPv4 validates");
	f[len - 1] ^= 0xff;
	CHECK(nic_rx_csum(f, len, NIC_DONE_IP | NIC_DONE_UDP) ==
	      (NDIS_RXCSUM_IP_OK | NDIS_RXCSUM_UDP_FAILED), "corrupt payload fails UDP");
	f[14 + 8] ^= 1;                 /* TTL */
	CHECK(nic_rx_csum(f, len, NIC_DONE_IP) == NDIS_RXCSUM_IP_FAILED,
	      "corrupt header fails IP");

	len = build_v4(f, NIC_PROTO_TCP, a, b, 1000, 2000, 100);
	r = nic_tx_csum(f, len, NDIS_TXCSUM_IPV4 | NDIS_TXCSUM_TCP |
			(34u << NDIS_TXCSUM_THOFF_SHIFT), &done);
	CHECK(r == 0 && done == NIC_DONE_TCP, "TCP/IPv4 computed");
	CHECK(nic_rx_csum(f, len, NIC_DONE_TCP) == NDIS_RXCSUM_TCP_OK, "TCP validates");
	/* Requests that do not match the frame change nothing. */
	CHECK(nic_tx_csum(f, len, NDIS_TXCSUM_IPV4 | NDIS_TXCSUM_UDP |
			  (34u << NDIS_TXCSUM_THOFF_SHIFT), &done) < 0, "UDP asked on TCP");
	CHECK(nic_tx_csum(f, len, NDIS_TXCSUM_IPV4 | NDIS_TXCSUM_TCP |
			  (30u << NDIS_TXCSUM_THOFF_SHIFT), &done) < 0, "wrong offset");
	CHECK(nic_tx_csum(f, len, NDIS_TXCSUM_IPV6 | NDIS_TXCSUM_TCP |
			  (34u << NDIS_TXCSUM_THOFF_SHIFT), &done) < 0, "IPv6 asked on IPv4");
	CHECK(nic_tx_csum(f, len, NDIS_TXCSUM_IP, &done) < 0, "IP checksum without IPv4");
	printf("checksums: computed, validated, bad requests refused\n");
}

struct segs {
	unsigned int n;
	uint32_t total_payload;
	uint32_t next_seq;
	bool ok;
	uint16_t first_id;
};

static void
check_seg(void *arg, const uint8_t *seg, uint32_t len)
{
	struct segs *s = arg;
	const uint8_t *ip = seg + 14, *tcp = ip + 20;
	uint32_t payload = len - 14 - 20 - 20;

	if (get16(ip + 2) != len - 14 || get16(ip + 4) != (uint16_t)(s->first_id + s->n) ||
	    get32(tcp + 4) != s->next_seq ||
	    nic_rx_csum(seg, len, NIC_DONE_IP | NIC_DONE_TCP) !=
	    (NDIS_RXCSUM_IP_OK | NDIS_RXCSUM_TCP_OK))
		s->ok = false;
	/* FIN and PSH only on the last segment. */
	if (s->n < 4 && (tcp[13] & 0x09) != 0)
		s->ok = false;
	s->next_seq += payload;
	s->total_payload += payload;
	s->n++;
}

static void
test_lso(void)
{
	static const uint8_t a[4] = { 192, 168, 1, 1 }, b[4] = { 192, 168, 1, 2 };
	static uint8_t f[8192], seg[2048];
	struct segs s = { .ok = true, .next_seq = 0x10000000, .first_id = 0x1234 };
	uint32_t len = build_v4(f, NIC_PROTO_TCP, a, b, 5000, 80, 6000);
	uint32_t info = 1460u | (34u << NDIS_LSO_THOFF_SHIFT) | NDIS_LSO_V2;
	int n = nic_lso(f, len, info, 1514, seg, check_seg, &s);

	CHECK(n == 5 && s.n == 5 && s.total_payload == 6000 && s.ok,
	      "6000 bytes in 1460-byte segments: %d segments, %u bytes", n,
	      s.total_payload);
	CHECK(nic_lso(f, len, 1460u | (34u << NDIS_LSO_THOFF_SHIFT), 1514, seg,
		      check_seg, &s) < 0, "LSOv1 refused");
	CHECK(nic_lso(f, len, 1600u | (34u << NDIS_LSO_THOFF_SHIFT) | NDIS_LSO_V2,
		      1514, seg, check_seg, &s) < 0, "segments above the MTU refused");
	CHECK(nic_lso(f, len, info | NDIS_LSO_IPV6, 1514, seg, check_seg, &s) < 0,
	      "IPv6 flag on IPv4 refused");
	printf("LSO: segment lengths, ids, sequence numbers, flags, checksums\n");
}

static void
test_vlan(void)
{
	static const uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
	uint8_t f[256], copy[256];
	uint32_t len = build_v4(f, NIC_PROTO_UDP, a, b, 1, 2, 20), len2;
	uint16_t tci = 0;

	memcpy(copy, f, len);
	len2 = nic_vlan_insert(f, len, 0xa005);
	CHECK(len2 == len + 4 && get16(f + 12) == NIC_ETH_P_VLAN && get16(f + 14) == 0xa005,
	      "tag inserted");
	CHECK(nic_vlan_strip(f, &len2, &tci) && tci == 0xa005 && len2 == len &&
	      memcmp(f, copy, len) == 0, "tag stripped back");
	CHECK(!nic_vlan_strip(f, &len2, &tci), "untagged frame left alone");
	printf("802.1Q: insert and strip\n");
}

int
main(void)
{
	test_toeplitz();
	test_csum();
	test_lso();
	test_vlan();
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
