/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio_net_hdr offloads against the guest-side ring models, split and
 * packed: guest TX headers (NEEDS_CSUM, DATA_VALID, GSO TCPv4/v6, each kind
 * of invalid header) into mbuf offload requests, and offload-marked mbufs
 * into guest RX headers with and without the guest features (software
 * checksums checked byte by byte with an independent checksum routine,
 * 64 KB TSO frames into mergeable and into big non-mergeable buffers).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "guest_packed.h"
#include "guest_split.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(64u << 20)
#define RING		64
#define BUF_SIZE	70000u		/* packed: per-id buffer */
#define BIG		65000u		/* a TSO frame near 64 KB */

static struct rte_mempool *pool;	/* 2048-byte data room */
static uint8_t frame[70000];
static uint8_t got[70000];

/* ---- rings: one API over the split and packed models ---- */

struct ring {
	bool packed;
	uint8_t hdr_len;
	struct guest_mem gm;
	struct guest_split gs;
	struct guest_packed gp;
	struct vhp_virtqueue *vq;
};

static void
ring_init_hdr(struct ring *r, bool packed, uint16_t flags,
	      uint8_t ol_features, uint8_t hdr_len)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->packed = packed;
	r->hdr_len = hdr_len;
	if (guest_mem_create(&r->gm, GPA_BASE, MEM_SIZE) != 0)
		abort();
	flags |= VHP_VQ_F_OL_INIT;
	if (packed)
		rc = gp_init(&r->gp, &r->gm, RING, BUF_SIZE, flags, hdr_len);
	else
		rc = guest_split_init(&r->gs, &r->gm, RING, flags, hdr_len, 0);
	if (rc != 0)
		abort();
	r->vq = packed ? r->gp.vq : r->gs.vq;
	r->vq->ol_features = ol_features;
}

static void
ring_init(struct ring *r, bool packed, uint16_t flags, uint8_t ol_features)
{
	ring_init_hdr(r, packed, flags, ol_features, 12);
}

static void
ring_fini(struct ring *r)
{
	if (r->packed)
		gp_free(&r->gp);
	else
		guest_split_fini(&r->gs);
	guest_mem_destroy(&r->gm);
}

/* Guest TX of @p len frame bytes behind header @p h, in @p nseg pieces. */
static void
tx_post(struct ring *r, const struct virtio_net_hdr *h, const uint8_t *f,
	uint32_t len, unsigned int nseg)
{
	const uint8_t *hb = (const uint8_t *)h;
	uint32_t segl[3], i, done = 0;
	uint16_t id;
	int head;

	if (r->packed) {
		if (gp_post_tx(&r->gp, f, len, nseg, false, &id) != 0)
			abort();
		/* Posted, not yet seen by the back-end: patch the header. */
		memcpy(gp_buf(&r->gp, id), h, r->hdr_len);
		return;
	}
	if (nseg == 1) {
		head = guest_split_post_tx(&r->gs, f, len, NULL, 0, false);
	} else {
		/* Header split over the first two descriptors. */
		segl[0] = 5;
		segl[1] = 9;
		segl[2] = r->hdr_len + len - 14;
		head = guest_split_post_tx(&r->gs, f, len, segl, 3, false);
	}
	if (head < 0)
		abort();
	for (i = 0; done < r->hdr_len; i++) {
		struct gs_seg *s = &r->gs.priv_segs[head][i];
		uint32_t n = RTE_MIN(s->len, r->hdr_len - done);

		memcpy(guest_mem_ptr(&r->gm, s->gpa), hb + done, n);
		done += n;
	}
}

static uint16_t
deq(struct ring *r, struct rte_mbuf **pkts, uint16_t n)
{
	return r->packed ? vhp_packed_dequeue(r->vq, pool, pkts, n) :
		vhp_split_dequeue(r->vq, pool, pkts, n);
}

static uint16_t
enq(struct ring *r, struct rte_mbuf **pkts, uint16_t n)
{
	return r->packed ? vhp_packed_enqueue(r->vq, pkts, n) :
		vhp_split_enqueue(r->vq, pkts, n);
}

/* Post one RX buffer of @p len bytes (split: in @p nseg descriptors). */
static void
rx_post(struct ring *r, uint32_t len, unsigned int nseg)
{
	uint32_t lens[32];
	unsigned int i;
	uint16_t id;

	if (r->packed) {
		if (gp_post_rx(&r->gp, len, &id) != 0)
			abort();
		return;
	}
	for (i = 0; i < nseg; i++)
		lens[i] = len / nseg;
	if (guest_split_post_rx(&r->gs, lens, nseg, false) < 0)
		abort();
}

/* Receive one packet: header and data. @return data length or -1. */
static int
rx_get(struct ring *r, struct virtio_net_hdr *h, uint8_t *out)
{
	struct gp_used u;
	uint16_t nb, i;
	uint32_t have;
	uint8_t *b;

	if (!r->packed)
		return guest_split_rx_packet(&r->gs, h, &nb, out, 70000);
	if (gp_get_used(&r->gp, &u) != 1 || u.len < r->hdr_len)
		return -1;
	b = gp_buf(&r->gp, u.id);
	memset(h, 0, sizeof(*h));
	memcpy(h, b, r->hdr_len);
	memcpy(out, b + r->hdr_len, u.len - r->hdr_len);
	have = u.len - r->hdr_len;
	nb = (r->vq->flags & VHP_VQ_F_MRG_RXBUF) ? h->num_buffers : 1;
	for (i = 1; i < nb; i++) {
		if (gp_get_used(&r->gp, &u) != 1)
			return -1;
		memcpy(out + have, gp_buf(&r->gp, u.id), u.len);
		have += u.len;
	}
	return (int)have;
}

/* ---- packets and an independent checksum ---- */

enum kind { TCP4, TCP6, UDP4, UDP6, ICMP4 };
enum field { F_FULL, F_PHDR_LEN, F_PHDR_NOLEN, F_JUNK };

static uint32_t
sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static bool
is_v6(enum kind k)
{
	return k == TCP6 || k == UDP6;
}

static uint32_t
l4_off_of(enum kind k)
{
	return 14 + (is_v6(k) ? 40 : 20);
}

static uint32_t
csum_off_of(enum kind k)
{
	return k == TCP4 || k == TCP6 ? 16 : k == ICMP4 ? 2 : 6;
}

/* Pseudo-header sum of frame @p f (L4 length @p l4len, 0: none). */
static uint32_t
phdr_sum(const uint8_t *f, enum kind k, uint32_t l4len)
{
	uint8_t proto = (k == TCP4 || k == TCP6) ? 6 : 17;

	if (is_v6(k))
		return sum16(f + 14 + 8, 32, 0) + proto + (l4len >> 16) +
			(l4len & 0xffff);
	return sum16(f + 14 + 12, 8, 0) + proto + l4len;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Is the L4 checksum of frame @p f (length @p len) right? */
static bool
l4_ok(const uint8_t *f, uint32_t len, enum kind k)
{
	uint32_t off = l4_off_of(k), s = sum16(f + off, len - off, 0);

	if (k != ICMP4)
		s += phdr_sum(f, k, len - off);
	return fold(s) == 0xffff;
}

static bool
ip4_ok(const uint8_t *f)
{
	return fold(sum16(f + 14, 20, 0)) == 0xffff;
}

/*
 * Build an Ethernet frame with @p payload pattern bytes; the L4 checksum
 * field as @p fm says. @return frame length.
 */
static uint32_t
build(uint8_t *f, enum kind k, uint32_t payload, enum field fm,
      uint32_t seed)
{
	uint32_t off = l4_off_of(k), l4h, len, i;
	uint16_t c = 0;

	l4h = (k == TCP4 || k == TCP6) ? 20 : 8;
	len = off + l4h + payload;
	memset(f, 0, off + l4h);
	memset(f, 0x02, 12);
	if (is_v6(k)) {
		put16(f + 12, RTE_ETHER_TYPE_IPV6);
		f[14] = 0x60;
		put16(f + 18, (uint16_t)(l4h + payload));
		f[20] = (k == TCP6) ? 6 : 17;
		f[21] = 64;
		for (i = 0; i < 32; i++)
			f[22 + i] = (uint8_t)(i + 1);
	} else {
		put16(f + 12, RTE_ETHER_TYPE_IPV4);
		f[14] = 0x45;
		put16(f + 16, (uint16_t)(20 + l4h + payload));
		f[22] = 64;
		f[23] = k == TCP4 ? 6 : k == UDP4 ? 17 : 1;
		f[26] = 10; f[27] = 0; f[28] = 0; f[29] = 1;
		f[30] = 10; f[31] = 0; f[32] = 0; f[33] = 2;
		put16(f + 24, (uint16_t)~fold(sum16(f + 14, 20, 0)));
	}
	if (k == TCP4 || k == TCP6) {
		put16(f + off, 1234);
		put16(f + off + 2, 80);
		f[off + 12] = 5 << 4;
		f[off + 13] = 0x18;
		put16(f + off + 14, 65535);
	} else if (k == ICMP4) {
		f[off] = 8;
	} else {
		put16(f + off, 1234);
		put16(f + off + 2, 53);
		put16(f + off + 4, (uint16_t)(8 + payload));
	}
	for (i = 0; i < payload; i++)
		f[off + l4h + i] = (uint8_t)(i * 7 + seed + (i >> 8));
	switch (fm) {
	case F_FULL:
		c = (uint16_t)~fold(sum16(f + off, len - off, k == ICMP4 ? 0 :
					  phdr_sum(f, k, len - off)));
		break;
	case F_PHDR_LEN:
		c = fold(phdr_sum(f, k, len - off));
		break;
	case F_PHDR_NOLEN:
		c = fold(phdr_sum(f, k, 0));
		break;
	case F_JUNK:
		c = 0xbeef;
		break;
	}
	put16(f + off + csum_off_of(k), c);
	return len;
}

/* An mbuf (chained past 2048 bytes) holding @p len bytes of @p f. */
static struct rte_mbuf *
mk_mbuf(const uint8_t *f, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *last = m, *s;
	uint32_t off = 0, n;

	if (m == NULL)
		abort();
	while (off < len) {
		if (off != 0) {
			s = rte_pktmbuf_alloc(pool);
			if (s == NULL || rte_pktmbuf_chain(m, s) != 0)
				abort();
			last = s;
		}
		n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(last));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), f + off, n);
		off += n;
	}
	return m;
}

static const uint8_t *
mbuf_bytes(const struct rte_mbuf *m)
{
	return rte_pktmbuf_read(m, 0, m->pkt_len, got);
}

static struct virtio_net_hdr
vh(uint8_t flags, uint8_t gso, uint16_t gso_size, uint16_t cstart,
   uint16_t coff)
{
	struct virtio_net_hdr h = { .flags = flags, .gso_type = gso,
		.gso_size = gso_size, .csum_start = cstart,
		.csum_offset = coff, .hdr_len = 0, .num_buffers = 0 };

	return h;
}

#define NC	VIRTIO_NET_HDR_F_NEEDS_CSUM
#define ALL_OL	(VHP_OL_CSUM | VHP_OL_TSO4 | VHP_OL_TSO6 | VHP_OL_ECN)

/* ---- guest TX ---- */

/* One guest TX packet through dequeue. @return the mbuf or NULL. */
static struct rte_mbuf *
tx_one(struct ring *r, const struct virtio_net_hdr *h, const uint8_t *f,
       uint32_t len, unsigned int nseg)
{
	struct rte_mbuf *m = NULL;

	tx_post(r, h, f, len, nseg);
	if (deq(r, &m, 1) != 1)
		return NULL;
	return m;
}

/*
 * Guest TX of frame[0, len) with a checksum request at (@p cstart,
 * @p coff): the mbuf carries @p ol, an Ethernet header and @p l3 / @p l4
 * lengths, and the frame unchanged, its checksum field included.
 */
static void
tx_csum_req(struct ring *r, uint32_t len, uint16_t cstart, uint16_t coff,
	    unsigned int nseg, uint64_t ol, uint32_t l3, uint32_t l4)
{
	struct virtio_net_hdr h = vh(NC, 0, 0, cstart, coff);
	struct rte_mbuf *m = tx_one(r, &h, frame, len, nseg);

	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_EQ(m->ol_flags, ol);
	CHECK_EQ(m->l2_len, 14);
	CHECK_EQ(m->l3_len, l3);
	CHECK_EQ(m->l4_len, l4);
	CHECK_EQ(m->tso_segsz, 0);
	CHECK(memcmp(mbuf_bytes(m), frame, len) == 0);
	rte_pktmbuf_free(m);
}

static void
tx_valid(bool packed, unsigned int nseg)
{
	struct virtio_net_hdr h;
	struct rte_mbuf *m;
	const uint8_t *b;
	struct ring r;
	uint32_t len;

	ring_init(&r, packed, VHP_VQ_F_TX | VHP_VQ_F_HOST_OL, ALL_OL);

	/* NEEDS_CSUM TCPv4 as Linux sends it */
	len = build(frame, TCP4, 1000, F_PHDR_LEN, 1);
	tx_csum_req(&r, len, 34, 16, nseg, RTE_MBUF_F_TX_IPV4 |
		    RTE_MBUF_F_TX_TCP_CKSUM, 20, 20);
	/* UDP over IPv6 */
	len = build(frame, UDP6, 300, F_PHDR_LEN, 2);
	tx_csum_req(&r, len, 54, 6, nseg, RTE_MBUF_F_TX_IPV6 |
		    RTE_MBUF_F_TX_UDP_CKSUM, 40, 8);
	/* The field is the checksum's seed: a request whose field is not
	 * the pseudo-header sum (0xbeef) keeps it (the guest's own
	 * checksum), UDP over IPv4 on the inline path; TCP over IPv4 with
	 * an option-length TCP header too */
	len = build(frame, UDP4, 18, F_JUNK, 8);
	tx_csum_req(&r, len, 34, 6, nseg, RTE_MBUF_F_TX_IPV4 |
		    RTE_MBUF_F_TX_UDP_CKSUM, 20, 8);
	len = build(frame, TCP4, 200, F_PHDR_LEN, 9);
	frame[34 + 12] = 8 << 4;	/* 32-byte TCP header */
	tx_csum_req(&r, len, 34, 16, nseg, RTE_MBUF_F_TX_IPV4 |
		    RTE_MBUF_F_TX_TCP_CKSUM, 20, 32);
	/* csum_start not at the L4 header: not an offload, finished here */
	len = build(frame, UDP4, 100, F_FULL, 10);
	h = vh(NC, 0, 0, 30, 10);	/* sum from the IPv4 destination */
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->ol_flags, 0);
		rte_pktmbuf_free(m);
	}

	/* DATA_VALID */
	len = build(frame, TCP4, 100, F_FULL, 3);
	h = vh(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0);
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
		rte_pktmbuf_free(m);
	}

	/* A checksum no TX offload describes (ICMP): done in software */
	len = build(frame, ICMP4, 500, F_JUNK, 4);
	put16(frame + 34 + 2, 0);
	h = vh(NC, 0, 0, 34, 2);
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->ol_flags, 0);
		b = mbuf_bytes(m);
		CHECK(l4_ok(b, len, ICMP4));
		CHECK(memcmp(b, frame, 36) == 0);
		CHECK(memcmp(b + 38, frame + 38, len - 38) == 0);
		rte_pktmbuf_free(m);
	}

	/* A 64 KB TSO frame: a chain, TCP_SEG, field as DPDK wants it */
	len = build(frame, TCP4, BIG - 54, F_PHDR_LEN, 5);
	h = vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34, 16);
	h.hdr_len = 54;
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->pkt_len, len);
		CHECK(m->nb_segs > 30);
		CHECK_EQ(m->ol_flags, RTE_MBUF_F_TX_IPV4 |
			 RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG);
		CHECK_EQ(m->tso_segsz, 1448);
		CHECK_EQ(m->l4_len, 20);
		b = mbuf_bytes(m);
		CHECK_EQ(be16(b + 34 + 16), fold(phdr_sum(frame, TCP4, 0)));
		CHECK(memcmp(b, frame, 50) == 0);
		CHECK(memcmp(b + 52, frame + 52, len - 52) == 0);
		rte_pktmbuf_free(m);
	}

	/* TSO over IPv6, hdr_len 0 as Linux may send */
	len = build(frame, TCP6, 5000, F_PHDR_LEN, 6);
	h = vh(NC, VIRTIO_NET_HDR_GSO_TCPV6, 1428, 54, 16);
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->ol_flags, RTE_MBUF_F_TX_IPV6 |
			 RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG);
		CHECK_EQ(m->tso_segsz, 1428);
		CHECK_EQ(be16(mbuf_bytes(m) + 54 + 16),
			 fold(phdr_sum(frame, TCP6, 0)));
		rte_pktmbuf_free(m);
	}

	/* ECN bit with HOST_ECN */
	len = build(frame, TCP4, 3000, F_PHDR_LEN, 7);
	h = vh(NC, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 1000,
	       34, 16);
	m = tx_one(&r, &h, frame, len, nseg);
	CHECK(m != NULL);
	rte_pktmbuf_free(m);

	CHECK_EQ(r.vq->stats.errors[VHP_ERR_OFFLOAD], 0);
	CHECK_EQ(r.vq->stats.packets, 10);
	ring_fini(&r);
}

static void
test_tx_valid(void)
{
	tx_valid(false, 1);
	tx_valid(false, 3);
	tx_valid(true, 1);
	tx_valid(true, 3);
}

struct bad_case {
	const char *what;
	enum kind k;
	struct virtio_net_hdr h;
	uint8_t ol;		/* vq->ol_features */
};

static void
tx_invalid(bool packed)
{
	const struct bad_case cases[] = {
		{ "unknown flag", TCP4, vh(NC | 4, 0, 0, 34, 16), ALL_OL },
		{ "csum outside", TCP4, vh(NC, 0, 0, 34, 2000), ALL_OL },
		{ "csum_start outside", TCP4, vh(NC, 0, 0, 1100, 0), ALL_OL },
		{ "gso_size 0", TCP4, vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 0, 34,
					 16), ALL_OL },
		{ "gso without csum", TCP4, vh(0, VIRTIO_NET_HDR_GSO_TCPV4,
					       1000, 34, 16), ALL_OL },
		{ "tcpv4 on ipv6", TCP6, vh(NC, VIRTIO_NET_HDR_GSO_TCPV4,
					    1000, 54, 16), ALL_OL },
		{ "tcpv6 on ipv4", TCP4, vh(NC, VIRTIO_NET_HDR_GSO_TCPV6,
					    1000, 34, 16), ALL_OL },
		{ "tcp gso on udp", UDP4, vh(NC, VIRTIO_NET_HDR_GSO_TCPV4,
					     1000, 34, 6), ALL_OL },
		{ "ufo", UDP4, vh(NC, VIRTIO_NET_HDR_GSO_UDP, 1000, 34, 6),
		  ALL_OL },
		{ "unknown gso", TCP4, vh(NC, 2, 1000, 34, 16), ALL_OL },
		{ "ecn not negotiated", TCP4,
		  vh(NC, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
		     1000, 34, 16), VHP_OL_CSUM | VHP_OL_TSO4 },
		{ "tso4 not negotiated", TCP4,
		  vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 34, 16),
		  VHP_OL_CSUM | VHP_OL_TSO6 },
		{ "gso csum not at l4", TCP4,
		  vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 14, 16), ALL_OL },
		{ "gso csum_offset wrong", TCP4,
		  vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 34, 6), ALL_OL },
		{ "gso on icmp", ICMP4,
		  vh(NC, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 34, 2), ALL_OL },
	};
	struct rte_mbuf *m[2];
	struct ring r;
	uint32_t len, i, good;
	uint16_t n;
	uint64_t e;

	for (i = 0; i < RTE_DIM(cases); i++) {
		ring_init(&r, packed, VHP_VQ_F_TX | VHP_VQ_F_HOST_OL,
			  cases[i].ol);
		len = build(frame, cases[i].k, 1000, F_PHDR_LEN, i);
		tx_post(&r, &cases[i].h, frame, len, 1);
		/* a good packet after it still goes through */
		good = build(frame, TCP4, 200, F_FULL, 99);
		tx_post(&r, &(struct virtio_net_hdr){ 0 }, frame, good, 1);
		n = deq(&r, m, 2);
		e = r.vq->stats.errors[VHP_ERR_OFFLOAD];
		if (n != 1 || e != 1)
			fprintf(stderr, "  case '%s' (%s)\n", cases[i].what,
				packed ? "packed" : "split");
		CHECK_EQ(e, 1);
		CHECK_EQ(r.vq->stats.packets, 1);
		CHECK_EQ(n, 1);
		if (n == 1) {
			CHECK_EQ(m[0]->pkt_len, good);
			rte_pktmbuf_free(m[0]);
		}
		/* both buffers returned to the guest */
		if (packed) {
			struct gp_used u;
			uint32_t n = 0;

			while (gp_get_used(&r.gp, &u) == 1)
				n += u.nbufs;
			CHECK_EQ(n, 2);
		} else {
			CHECK_EQ(r.gs.used->idx, 2);
		}
		ring_fini(&r);
	}
}

static void
test_tx_invalid(void)
{
	tx_invalid(false);
	tx_invalid(true);
}

/* Without NET_F_CSUM negotiated the header is not looked at. */
static void
test_tx_not_negotiated(void)
{
	struct virtio_net_hdr h = vh(NC | 0x40, 0x77, 0, 60000, 60000);
	struct rte_mbuf *m;
	struct ring r;
	uint32_t len;
	int p;

	for (p = 0; p < 2; p++) {
		ring_init(&r, p, VHP_VQ_F_TX, 0);
		len = build(frame, TCP4, 100, F_JUNK, 1);
		m = tx_one(&r, &h, frame, len, 1);
		CHECK(m != NULL);
		if (m != NULL) {
			CHECK_EQ(m->ol_flags, 0);
			CHECK(memcmp(mbuf_bytes(m), frame, len) == 0);
			rte_pktmbuf_free(m);
		}
		CHECK_EQ(r.vq->stats.errors[VHP_ERR_OFFLOAD], 0);
		ring_fini(&r);
	}
}

/* Packed: a batch of four with one offload header among them. */
static void
test_tx_packed_batch(void)
{
	struct virtio_net_hdr z = { 0 }, h = vh(NC, 0, 0, 34, 16);
	struct rte_mbuf *m[4];
	struct ring r;
	uint32_t len;
	int i;

	ring_init(&r, true, VHP_VQ_F_TX | VHP_VQ_F_HOST_OL, ALL_OL);
	len = build(frame, TCP4, 100, F_PHDR_LEN, 1);
	for (i = 0; i < 4; i++)
		tx_post(&r, i == 2 ? &h : &z, frame, len, 1);
	CHECK_EQ(deq(&r, m, 4), 4);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(m[i]->ol_flags, i == 2 ? (RTE_MBUF_F_TX_IPV4 |
			 RTE_MBUF_F_TX_TCP_CKSUM) : 0);
		rte_pktmbuf_free(m[i]);
	}
	ring_fini(&r);
}

/*
 * A burst of offload-flagged traffic on the fast paths (both rings), with
 * packets the offload code refuses among them: the others keep their order,
 * their headers and their data, and only the refused one is lost.
 */
static void
batch_offload(bool packed)
{
	/* RX: per mbuf, the flags it carries */
	static const uint64_t rx_ol[8] = {
		RTE_MBUF_F_RX_L4_CKSUM_GOOD, 0, RTE_MBUF_F_RX_L4_CKSUM_BAD,
		RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM,
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_SEG,	/* refused */
		RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN,
		RTE_MBUF_F_RX_L4_CKSUM_GOOD,
	};
	struct virtio_net_hdr h, z = { 0 }, nc = vh(NC, 0, 0, 34, 6);
	struct virtio_net_hdr bad = vh(0x80, 0, 0, 0, 0);
	struct rte_mbuf *m[8];
	uint8_t frames[8][200];
	uint32_t len[8];
	struct ring r;
	int i, n;

	/* guest RX with GUEST_CSUM */
	ring_init(&r, packed, VHP_VQ_F_GUEST_CSUM, VHP_OL_CSUM);
	for (i = 0; i < 8; i++) {
		rx_post(&r, 2048, 1);
		len[i] = build(frames[i], UDP4, 100 + (uint32_t)i, F_FULL,
			       20 + (uint32_t)i);
		m[i] = mk_mbuf(frames[i], len[i]);
		m[i]->ol_flags = rx_ol[i];
		m[i]->l2_len = 14;
		m[i]->l3_len = 20;
	}
	CHECK_EQ(enq(&r, m, 8), 8);
	CHECK_EQ(r.vq->stats.dropped, 1);
	CHECK_EQ(r.vq->stats.packets, 7);
	for (i = 0; i < 8; i++) {
		if (i == 5)
			continue;
		n = rx_get(&r, &h, got);
		CHECK_EQ(n, (int)len[i]);
		if (n != (int)len[i])
			continue;
		if (i == 4) {
			/* pseudo-header sum in the field, guest finishes */
			CHECK_EQ(h.flags, NC);
			CHECK_EQ(h.csum_start, 34);
			CHECK_EQ(h.csum_offset, 6);
			CHECK(memcmp(got, frames[i], 40) == 0);
			CHECK(memcmp(got + 42, frames[i] + 42,
				     len[i] - 42) == 0);
			continue;
		}
		CHECK_EQ(h.flags, (rx_ol[i] & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			 RTE_MBUF_F_RX_L4_CKSUM_GOOD ?
			 VIRTIO_NET_HDR_F_DATA_VALID : 0);
		CHECK_EQ(h.gso_type, 0);
		CHECK(memcmp(got, frames[i], len[i]) == 0);
	}
	CHECK_EQ(rx_get(&r, &h, got), -1);	/* the 8th buffer is left */
	ring_fini(&r);

	/* guest TX with NET_F_CSUM: checksum requests, one bad header */
	ring_init(&r, packed, VHP_VQ_F_TX | VHP_VQ_F_HOST_OL, ALL_OL);
	for (i = 0; i < 8; i++) {
		len[i] = build(frames[i], UDP4, 100 + (uint32_t)i,
			       F_PHDR_LEN, 40 + (uint32_t)i);
		tx_post(&r, i == 3 ? &bad : i == 6 ? &z : &nc, frames[i],
			len[i], 1);
	}
	CHECK_EQ(deq(&r, m, 8), 7);
	CHECK_EQ(r.vq->stats.errors[VHP_ERR_OFFLOAD], 1);
	for (i = 0, n = 0; i < 8; i++) {
		if (i == 3)
			continue;
		CHECK_EQ(m[n]->pkt_len, len[i]);
		CHECK_EQ(m[n]->ol_flags, i == 6 ? 0 :
			 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM);
		CHECK(memcmp(mbuf_bytes(m[n]), frames[i], len[i]) == 0);
		rte_pktmbuf_free(m[n]);
		n++;
	}
	/* all eight buffers back with the guest */
	if (packed) {
		struct gp_used u;

		for (i = 0; i < 8; i++)
			CHECK_EQ(gp_get_used(&r.gp, &u), 1);
	} else {
		CHECK_EQ(guest_split_used_pending(&r.gs), 8);
	}
	ring_fini(&r);
}

static void
test_batch_offload(void)
{
	batch_offload(false);
	batch_offload(true);
}

/* ---- guest RX ---- */

/* Enqueue @p m (kept: refcnt +1 to check it is not written) and read
 * what the guest got. @return data length or -1. */
static int
rx_one(struct ring *r, struct rte_mbuf *m, struct virtio_net_hdr *h,
       uint8_t *out, uint16_t *taken)
{
	uint8_t before[256];
	uint32_t n = RTE_MIN(m->pkt_len, (uint32_t)sizeof(before));
	int ret;

	memcpy(before, rte_pktmbuf_read(m, 0, n, got), n);
	rte_pktmbuf_refcnt_update(m, 1);
	*taken = enq(r, &m, 1);
	CHECK(memcmp(rte_pktmbuf_read(m, 0, n, got), before, n) == 0);
	rte_pktmbuf_free(m);
	ret = rx_get(r, h, out);
	return ret;
}

static void
rx_csum(bool packed, bool guest_csum)
{
	static const enum kind kinds[] = { TCP4, TCP6, UDP4, UDP6 };
	struct virtio_net_hdr h;
	struct rte_mbuf *m;
	struct ring r;
	uint32_t len, i, off, payload;
	uint16_t taken;
	int n;

	ring_init(&r, packed, VHP_VQ_F_MRG_RXBUF |
		  (guest_csum ? VHP_VQ_F_GUEST_CSUM : 0),
		  guest_csum ? VHP_OL_CSUM : 0);
	for (i = 0; i < 3 * RTE_DIM(kinds) + 6; i++)
		rx_post(&r, 2048, 1);
	for (i = 0; i < 2 * RTE_DIM(kinds); i++) {
		enum kind k = kinds[i % RTE_DIM(kinds)];
		bool tcp = k == TCP4 || k == TCP6;

		/* small, then multi-segment (3000 bytes over 2 mbufs) */
		payload = i < RTE_DIM(kinds) ? 700 : 3000;
		len = build(frame, k, payload, F_PHDR_LEN, i);
		m = mk_mbuf(frame, len);
		off = l4_off_of(k);
		m->l2_len = 14;
		m->l3_len = off - 14;
		m->ol_flags = (is_v6(k) ? RTE_MBUF_F_TX_IPV6 :
			       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
			(tcp ? RTE_MBUF_F_TX_TCP_CKSUM :
			 RTE_MBUF_F_TX_UDP_CKSUM);
		if (!is_v6(k))
			put16(rte_pktmbuf_mtod_offset(m, uint8_t *, 24),
			      0x1234);	/* IP checksum to be computed */
		n = rx_one(&r, m, &h, got + 35000, &taken);
		CHECK_EQ(taken, 1);
		CHECK_EQ(n, (int)len);
		if (n != (int)len)
			continue;
		if (!is_v6(k))
			CHECK(ip4_ok(got + 35000));
		if (guest_csum) {
			CHECK_EQ(h.flags, NC);
			CHECK_EQ(h.csum_start, off);
			CHECK_EQ(h.csum_offset, csum_off_of(k));
			CHECK_EQ(be16(got + 35000 + off + csum_off_of(k)),
				 fold(phdr_sum(frame, k, len - off)));
		} else {
			CHECK_EQ(h.flags, 0);
			CHECK(l4_ok(got + 35000, len, k));
		}
		CHECK_EQ(h.gso_type, 0);
		CHECK(memcmp(got + 35000 + off + csum_off_of(k) + 2,
			     frame + off + csum_off_of(k) + 2,
			     len - off - csum_off_of(k) - 2) == 0);
	}
	/* RX_L4_CKSUM_GOOD: DATA_VALID with GUEST_CSUM only */
	len = build(frame, TCP4, 100, F_FULL, 50);
	m = mk_mbuf(frame, len);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	n = rx_one(&r, m, &h, got + 35000, &taken);
	CHECK_EQ(n, (int)len);
	CHECK_EQ(h.flags, guest_csum ? VIRTIO_NET_HDR_F_DATA_VALID : 0);
	CHECK(memcmp(got + 35000, frame, len) == 0);
	/* l2/l3_len not set by the application: parsed */
	len = build(frame, TCP4, 100, F_PHDR_LEN, 51);
	m = mk_mbuf(frame, len);
	m->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;
	n = rx_one(&r, m, &h, got + 35000, &taken);
	CHECK_EQ(n, (int)len);
	if (!guest_csum)
		CHECK(l4_ok(got + 35000, len, TCP4));
	else
		CHECK_EQ(h.csum_start, 34);
	/* UDP over IPv4 without an IP checksum request, the field holding
	 * the pseudo-header sum (header alone with GUEST_CSUM) or 0 as an
	 * application may leave it (patched): the guest gets the same */
	for (i = 0; i < 2; i++) {
		len = build(frame, UDP4, 26, F_PHDR_LEN, 52 + i);
		m = mk_mbuf(frame, len);
		if (i == 1)
			put16(rte_pktmbuf_mtod_offset(m, uint8_t *, 40), 0);
		m->l2_len = 14;
		m->l3_len = 20;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
		n = rx_one(&r, m, &h, got + 35000, &taken);
		CHECK_EQ(taken, 1);
		CHECK_EQ(n, (int)len);
		if (guest_csum) {
			CHECK_EQ(h.flags, NC);
			CHECK_EQ(h.csum_start, 34);
			CHECK_EQ(h.csum_offset, 6);
			CHECK(memcmp(got + 35000, frame, len) == 0);
		} else {
			CHECK_EQ(h.flags, 0);
			CHECK(l4_ok(got + 35000, len, UDP4));
		}
	}
	CHECK_EQ(r.vq->stats.dropped, 0);
	ring_fini(&r);
}

static void
test_rx_csum(void)
{
	rx_csum(false, false);
	rx_csum(false, true);
	rx_csum(true, false);
	rx_csum(true, true);
}

/* A TSO mbuf of @p len bytes (frame in frame[]). */
static struct rte_mbuf *
mk_tso(enum kind k, uint32_t payload, uint16_t mss, uint32_t *len)
{
	struct rte_mbuf *m;

	*len = build(frame, k, payload, F_PHDR_NOLEN, 7);
	m = mk_mbuf(frame, *len);
	m->l2_len = 14;
	m->l3_len = l4_off_of(k) - 14;
	m->l4_len = 20;
	m->tso_segsz = mss;
	m->ol_flags = (is_v6(k) ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
		RTE_MBUF_F_TX_TCP_SEG;
	return m;
}

static void
rx_tso(bool packed, bool mrg)
{
	struct virtio_net_hdr h;
	struct rte_mbuf *m;
	struct ring r;
	uint32_t len, i;
	uint16_t taken;
	int n;

	ring_init(&r, packed, VHP_VQ_F_GUEST_CSUM |
		  (mrg ? VHP_VQ_F_MRG_RXBUF : 0),
		  VHP_OL_CSUM | VHP_OL_TSO4 | VHP_OL_TSO6);
	if (mrg)
		for (i = 0; i < 50; i++)
			rx_post(&r, 2048, 1);
	else
		/* Linux without MRG_RXBUF: big buffers, 17 x 4 KB chains */
		for (i = 0; i < 3; i++)
			rx_post(&r, packed ? BUF_SIZE : 17 * 4096, 17);

	m = mk_tso(TCP4, BIG - 54, 1448, &len);
	n = rx_one(&r, m, &h, got + 1, &taken);
	CHECK_EQ(taken, 1);
	CHECK_EQ(n, (int)len);
	CHECK_EQ(h.flags, NC);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, 1448);
	CHECK_EQ(h.hdr_len, 54);
	CHECK_EQ(h.csum_start, 34);
	CHECK_EQ(h.csum_offset, 16);
	if (mrg)
		CHECK_EQ(h.num_buffers, (len + 12 + 2047) / 2048);
	/* the field: pseudo-header with the length, as Linux has it */
	CHECK_EQ(be16(got + 1 + 50), fold(phdr_sum(frame, TCP4, len - 34)));
	CHECK(memcmp(got + 1, frame, 50) == 0);
	CHECK(memcmp(got + 1 + 52, frame + 52, len - 52) == 0);

	m = mk_tso(TCP6, 20000, 1400, &len);
	n = rx_one(&r, m, &h, got + 1, &taken);
	CHECK_EQ(n, (int)len);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	CHECK_EQ(h.hdr_len, 74);
	CHECK_EQ(r.vq->stats.dropped, 0);
	ring_fini(&r);
}

static void
test_rx_tso(void)
{
	rx_tso(false, true);
	rx_tso(false, false);
	rx_tso(true, true);
	rx_tso(true, false);
}

/* TSO to a guest that cannot take it: dropped, counted, buffer kept. */
static void
rx_tso_refused(bool packed, bool guest_csum)
{
	struct virtio_net_hdr h;
	struct rte_mbuf *m[2];
	struct ring r;
	uint32_t len, small;
	int n;

	ring_init(&r, packed, VHP_VQ_F_MRG_RXBUF |
		  (guest_csum ? VHP_VQ_F_GUEST_CSUM : 0),
		  guest_csum ? (VHP_OL_CSUM | VHP_OL_TSO6) : 0);
	rx_post(&r, 2048, 1);
	m[0] = mk_tso(TCP4, 3000, 1000, &len);
	small = build(frame, TCP4, 64, F_FULL, 3);
	m[1] = mk_mbuf(frame, small);
	CHECK_EQ(enq(&r, m, 2), 2);
	CHECK_EQ(r.vq->stats.dropped, 1);
	CHECK_EQ(r.vq->stats.packets, 1);
	n = rx_get(&r, &h, got);
	CHECK_EQ(n, (int)small);
	CHECK(memcmp(got, frame, small) == 0);
	CHECK_EQ(h.gso_type, 0);
	ring_fini(&r);
}

static void
test_rx_tso_refused(void)
{
	rx_tso_refused(false, false);
	rx_tso_refused(false, true);
	rx_tso_refused(true, false);
	rx_tso_refused(true, true);
}

/* Packed: a batch of four with one offload mbuf among them. */
static void
test_rx_packed_batch(void)
{
	struct virtio_net_hdr h;
	struct rte_mbuf *m[4];
	struct ring r;
	uint32_t len;
	int i;

	ring_init(&r, true, 0, 0);
	for (i = 0; i < 4; i++)
		rx_post(&r, 2048, 1);
	len = build(frame, UDP4, 100, F_PHDR_LEN, 9);
	for (i = 0; i < 4; i++) {
		m[i] = mk_mbuf(frame, len);
		if (i == 1) {
			m[i]->l2_len = 14;
			m[i]->l3_len = 20;
			m[i]->ol_flags = RTE_MBUF_F_TX_IPV4 |
				RTE_MBUF_F_TX_UDP_CKSUM;
		}
	}
	CHECK_EQ(enq(&r, m, 4), 4);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(rx_get(&r, &h, got), (int)len);
		if (i == 1)
			CHECK(l4_ok(got, len, UDP4));
		else
			CHECK(memcmp(got, frame, len) == 0);
	}
	ring_fini(&r);
}

/* Legacy 10-byte header (no VERSION_1, no MRG_RXBUF), both directions. */
static void
test_hdr10(void)
{
	const struct virtio_net_hdr tx_h = vh(NC, 0, 0, 34, 16);
	struct virtio_net_hdr h;
	struct rte_mbuf *m;
	struct ring r;
	uint32_t len;
	uint16_t taken;
	int p, n;

	for (p = 0; p < 2; p++) {
		ring_init_hdr(&r, p, VHP_VQ_F_TX | VHP_VQ_F_HOST_OL, ALL_OL,
			      10);
		len = build(frame, TCP4, 500, F_PHDR_LEN, 3);
		m = tx_one(&r, &tx_h, frame, len, 3);
		CHECK(m != NULL);
		if (m != NULL) {
			CHECK_EQ(m->ol_flags, RTE_MBUF_F_TX_IPV4 |
				 RTE_MBUF_F_TX_TCP_CKSUM);
			CHECK(memcmp(mbuf_bytes(m), frame, len) == 0);
			rte_pktmbuf_free(m);
		}
		ring_fini(&r);

		ring_init_hdr(&r, p, VHP_VQ_F_GUEST_CSUM, VHP_OL_CSUM, 10);
		rx_post(&r, 2048, 1);
		rx_post(&r, 2048, 1);
		m = mk_mbuf(frame, len);
		m->l2_len = 14;
		m->l3_len = 20;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		n = rx_one(&r, m, &h, got, &taken);
		CHECK_EQ(n, (int)len);
		CHECK_EQ(h.flags, NC);
		CHECK_EQ(h.csum_start, 34);
		CHECK(memcmp(got + 36, frame + 36, 14) == 0);
		CHECK_EQ(be16(got + 50), fold(phdr_sum(frame, TCP4, len - 34)));
		/* without GUEST_CSUM: software */
		r.vq->flags &= (uint16_t)~VHP_VQ_F_GUEST_CSUM;
		m = mk_mbuf(frame, len);
		m->l2_len = 14;
		m->l3_len = 20;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		n = rx_one(&r, m, &h, got, &taken);
		CHECK_EQ(n, (int)len);
		CHECK_EQ(h.flags, 0);
		CHECK(l4_ok(got, len, TCP4));
		ring_fini(&r);
	}
}

/* vhp_mbuf_offload_sw(): what a pcap or NIC port without offloads uses. */
static void
test_mbuf_offload_sw(void)
{
	static const enum kind kinds[] = { TCP4, TCP6, UDP4, UDP6 };
	struct rte_mbuf *m;
	uint32_t len, i;

	for (i = 0; i < 2 * RTE_DIM(kinds); i++) {
		enum kind k = kinds[i % RTE_DIM(kinds)];
		bool tcp = k == TCP4 || k == TCP6;

		len = build(frame, k, i < RTE_DIM(kinds) ? 300 : 5000,
			    F_PHDR_LEN, i);
		m = mk_mbuf(frame, len);
		if (!is_v6(k))
			put16(rte_pktmbuf_mtod_offset(m, uint8_t *, 24), 0);
		m->ol_flags = (is_v6(k) ? RTE_MBUF_F_TX_IPV6 :
			       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
			(tcp ? RTE_MBUF_F_TX_TCP_CKSUM :
			 RTE_MBUF_F_TX_UDP_CKSUM);
		if (i & 1) {
			m->l2_len = 14;
			m->l3_len = l4_off_of(k) - 14;
		}
		CHECK_EQ(vhp_mbuf_offload_sw(m), 0);
		CHECK_EQ(m->ol_flags & (RTE_MBUF_F_TX_L4_MASK |
					RTE_MBUF_F_TX_IP_CKSUM), 0);
		CHECK(l4_ok(mbuf_bytes(m), len, k));
		if (!is_v6(k))
			CHECK(ip4_ok(mbuf_bytes(m)));
		rte_pktmbuf_free(m);
	}
	/* TSO, shared: refused, untouched */
	m = mk_tso(TCP4, 3000, 1000, &len);
	CHECK_EQ(vhp_mbuf_offload_sw(m), -ENOTSUP);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	rte_pktmbuf_refcnt_update(m, 1);
	CHECK_EQ(vhp_mbuf_offload_sw(m), -EPERM);
	CHECK(memcmp(mbuf_bytes(m), frame, len) == 0);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(m);
	/* nothing asked */
	m = mk_mbuf(frame, 100);
	CHECK_EQ(vhp_mbuf_offload_sw(m), 0);
	rte_pktmbuf_free(m);
}

/* The offload bits come from the device's negotiated features. */
static void
test_offload_init(void)
{
	static struct vhp_device dev;
	struct ring r;

	ring_init(&r, false, VHP_VQ_F_TX, 0);
	r.vq->dev = &dev;
	dev.features = VHP_BIT(VIRTIO_NET_F_CSUM) |
		VHP_BIT(VIRTIO_NET_F_HOST_TSO4) |
		VHP_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		VHP_BIT(VIRTIO_NET_F_GUEST_TSO6);
	r.vq->flags = VHP_VQ_F_TX;
	vhp_vq_offload_init(r.vq);
	CHECK_EQ(r.vq->flags, VHP_VQ_F_TX | VHP_VQ_F_OL_INIT |
		 VHP_VQ_F_HOST_OL);
	CHECK_EQ(r.vq->ol_features, VHP_OL_CSUM | VHP_OL_TSO4);
	r.vq->flags = 0;
	vhp_vq_offload_init(r.vq);
	CHECK_EQ(r.vq->flags, VHP_VQ_F_OL_INIT | VHP_VQ_F_GUEST_CSUM);
	CHECK_EQ(r.vq->ol_features, VHP_OL_CSUM | VHP_OL_TSO6);
	dev.features = VHP_BIT(VIRTIO_F_VERSION_1);
	r.vq->flags = VHP_VQ_F_TX;
	vhp_vq_offload_init(r.vq);
	CHECK_EQ(r.vq->flags, VHP_VQ_F_TX | VHP_VQ_F_OL_INIT);
	r.vq->dev = NULL;
	ring_fini(&r);
}

static void
test_features_closure(void)
{
	const uint64_t all = VHP_FEATURES_SUPPORTED;
	uint64_t off;

	CHECK_EQ(vhp_features_off_closure(0, all), 0);
	off = vhp_features_off_closure(VHP_BIT(VIRTIO_NET_F_CSUM), all);
	CHECK_EQ(off, VHP_BIT(VIRTIO_NET_F_CSUM) |
		 VHP_BIT(VIRTIO_NET_F_HOST_TSO4) |
		 VHP_BIT(VIRTIO_NET_F_HOST_TSO6) |
		 VHP_BIT(VIRTIO_NET_F_HOST_ECN));
	off = vhp_features_off_closure(VHP_BIT(VIRTIO_NET_F_GUEST_CSUM), all);
	CHECK_EQ(off, VHP_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		 VHP_BIT(VIRTIO_NET_F_GUEST_TSO4) |
		 VHP_BIT(VIRTIO_NET_F_GUEST_TSO6) |
		 VHP_BIT(VIRTIO_NET_F_GUEST_ECN));
	/* one TSO left: ECN stays */
	off = vhp_features_off_closure(VHP_BIT(VIRTIO_NET_F_GUEST_TSO4), all);
	CHECK_EQ(off, VHP_BIT(VIRTIO_NET_F_GUEST_TSO4));
	off = vhp_features_off_closure(VHP_BIT(VIRTIO_NET_F_HOST_TSO4) |
				       VHP_BIT(VIRTIO_NET_F_HOST_TSO6), all);
	CHECK_EQ(off, VHP_BIT(VIRTIO_NET_F_HOST_TSO4) |
		 VHP_BIT(VIRTIO_NET_F_HOST_TSO6) |
		 VHP_BIT(VIRTIO_NET_F_HOST_ECN));
	/* the names features-off uses */
	CHECK_EQ(vhp_feature_from_name("csum"), VIRTIO_NET_F_CSUM);
	CHECK_EQ(vhp_feature_from_name("guest_csum"), VIRTIO_NET_F_GUEST_CSUM);
	CHECK_EQ(vhp_feature_from_name("host_tso4"), VIRTIO_NET_F_HOST_TSO4);
	CHECK_EQ(vhp_feature_from_name("guest_tso6"),
		 VIRTIO_NET_F_GUEST_TSO6);
	CHECK_EQ(vhp_feature_from_name("host_ecn"), VIRTIO_NET_F_HOST_ECN);
	CHECK_EQ(vhp_feature_from_name("guest_ecn"), VIRTIO_NET_F_GUEST_ECN);
	CHECK((all & VHP_FEATURES_OFFLOAD) == (VHP_FEATURES_OFFLOAD &
	      ~(VHP_BIT(VIRTIO_NET_F_HOST_UFO) |
		VHP_BIT(VIRTIO_NET_F_GUEST_UFO))));
}

int
main(void)
{
	vhp_test_eal_init("test_net_hdr");
	pool = rte_pktmbuf_pool_create("nh", 8191, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mempool creation failed\n");
		return 1;
	}
	RUN_TEST(test_features_closure);
	RUN_TEST(test_offload_init);
	RUN_TEST(test_tx_valid);
	RUN_TEST(test_tx_invalid);
	RUN_TEST(test_tx_not_negotiated);
	RUN_TEST(test_tx_packed_batch);
	RUN_TEST(test_batch_offload);
	RUN_TEST(test_rx_csum);
	RUN_TEST(test_rx_tso);
	RUN_TEST(test_rx_tso_refused);
	RUN_TEST(test_rx_packed_batch);
	RUN_TEST(test_hdr10);
	RUN_TEST(test_mbuf_offload_sw);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	rte_mempool_free(pool);
	return vhp_test_summary();
}
