/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-ring datapath against the guest-side driver model: every feature
 * (chains, indirect tables, mergeable RX buffers, IN_ORDER, header
 * placement, multi-segment mbufs, index wrap, buffers spanning regions,
 * notification coalescing) and every bad input the guest can give.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_split.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(32u << 20)
#define F_RX		0
#define F_TX		VHP_VQ_F_TX

static struct rte_mempool *pool;	/* 2048-byte data room */
static uint8_t scratch[100000];

struct env {
	struct guest_mem gm;
	struct guest_split g;
	struct vhp_virtqueue *vq;
};

static void
setup_mem(struct env *e, uint16_t q, uint16_t flags, uint8_t hdr_len,
	  uint16_t base, uint64_t split_at)
{
	memset(e, 0, sizeof(*e));
	if (guest_mem_create(&e->gm, GPA_BASE, MEM_SIZE) != 0)
		abort();
	if (split_at != 0 && guest_mem_split_regions(&e->gm, split_at) != 0)
		abort();
	if (guest_split_init(&e->g, &e->gm, q, flags, hdr_len, base) != 0)
		abort();
	e->vq = e->g.vq;
}

static void
setup(struct env *e, uint16_t q, uint16_t flags, uint8_t hdr_len,
      uint16_t base)
{
	setup_mem(e, q, flags, hdr_len, base, 0);
}

static void
teardown(struct env *e)
{
	guest_split_fini(&e->g);
	guest_mem_destroy(&e->gm);
}

static uint8_t
pat(uint32_t i, uint32_t seed)
{
	return (uint8_t)(i * 7u + seed * 13u + (i >> 8));
}

static void
fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(i, seed);
}

static int
same(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(i, seed))
			return 0;
	return 1;
}

/* A packet of @p len bytes, chained when it exceeds one mbuf. */
static struct rte_mbuf *
mk_pkt(uint32_t len, uint32_t seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *last = m, *s;
	uint32_t off = 0, n;

	if (m == NULL)
		abort();
	fill(scratch, len, seed);
	while (off < len) {
		uint8_t *dst;

		if (off != 0) {
			s = rte_pktmbuf_alloc(pool);
			if (s == NULL || rte_pktmbuf_chain(m, s) != 0)
				abort();
			last = s;
		}
		n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(last));
		dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		if (dst == NULL)
			abort();
		memcpy(dst, scratch + off, n);
		off += n;
	}
	return m;
}

static int
mbuf_is(struct rte_mbuf *m, uint32_t len, uint32_t seed)
{
	const uint8_t *p;

	if (m->pkt_len != len)
		return 0;
	p = rte_pktmbuf_read(m, 0, len, scratch);
	return p != NULL && same(p, len, seed);
}

static uint16_t
enq(struct env *e, struct rte_mbuf **pkts, uint16_t n)
{
	return vhp_split_enqueue(e->vq, pkts, n);
}

static uint16_t
deq(struct env *e, struct rte_mbuf **pkts, uint16_t n)
{
	return vhp_split_dequeue(e->vq, pool, pkts, n);
}

static uint64_t
errs(struct env *e)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < VHP_ERR_MAX; i++)
		s += e->vq->stats.errors[i];
	return s;
}

/* ---- RX (enqueue) ---- */

static void
test_rx_single(void)
{
	static const uint32_t lens[3] = { 60, 1000, 1514 };
	uint32_t l2k = 2048, id, len;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *pkts[3];
	uint8_t out[2048];
	uint16_t nb;
	int heads[4], i;
	struct env e;

	setup(&e, 16, F_RX, 12, 0);
	for (i = 0; i < 4; i++)
		heads[i] = guest_split_post_rx(&e.g, &l2k, 1, false);
	for (i = 0; i < 3; i++)
		pkts[i] = mk_pkt(lens[i], (uint32_t)i);
	CHECK_EQ(enq(&e, pkts, 3), 3);
	CHECK_EQ(e.g.used->idx, 3);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(e.g.used->ring[i].id, heads[i]);
		CHECK_EQ(e.g.used->ring[i].len, 12 + lens[i]);
		CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out,
					       sizeof(out)), lens[i]);
		CHECK(same(out, lens[i], (uint32_t)i));
		CHECK_EQ(hdr.flags, 0);
		CHECK_EQ(hdr.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CHECK_EQ(hdr.num_buffers, 1);
	}
	CHECK_EQ(e.vq->stats.packets, 3);
	CHECK_EQ(e.vq->stats.bytes, 60 + 1000 + 1514);
	CHECK_EQ(e.vq->stats.dropped, 0);
	CHECK_EQ(errs(&e), 0);
	CHECK_EQ(e.vq->last_avail_idx, 3);
	/* The fourth buffer was not touched. */
	CHECK_EQ(*(uint8_t *)guest_mem_ptr(&e.gm,
					   e.g.priv_segs[heads[3]][0].gpa),
		 0xee);
	CHECK_EQ(guest_split_get_used(&e.g, &id, &len, NULL, 0), -1);
	teardown(&e);
}

static void
test_rx_hdr10(void)
{
	uint32_t l = 1600;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m = mk_pkt(1514, 5);
	uint8_t out[2048];
	uint16_t nb;
	uint8_t *buf;
	int h;
	struct env e;

	setup(&e, 8, F_RX, 10, 0);
	h = guest_split_post_rx(&e.g, &l, 1, false);
	buf = guest_mem_ptr(&e.gm, e.g.priv_segs[h][0].gpa);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->ring[0].len, 10 + 1514);
	/* Data starts right after the 10-byte header. */
	CHECK_EQ(buf[10], pat(0, 5));
	CHECK_EQ(buf[9], 0);
	CHECK_EQ(buf[10 + 1514], 0xee);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 1514);
	CHECK(same(out, 1514, 5));
	teardown(&e);
}

static void
test_rx_chain_split_header(void)
{
	/* Header split across two descriptors, data across three. */
	static const uint32_t lens[5] = { 5, 9, 100, 700, 3000 };
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m = mk_pkt(1500, 9);
	uint8_t out[4096];
	uint16_t nb;
	struct env e;

	setup(&e, 16, F_RX, 12, 0);
	CHECK(guest_split_post_rx(&e.g, lens, 5, false) == 0);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->ring[0].id, 0);
	CHECK_EQ(e.g.used->ring[0].len, 1512);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 1500);
	CHECK(same(out, 1500, 9));
	CHECK_EQ(hdr.num_buffers, 1);
	CHECK_EQ(e.vq->stats.packets, 1);
	CHECK_EQ(e.vq->stats.bytes, 1500);
	CHECK_EQ(errs(&e), 0);
	teardown(&e);
}

static void
test_rx_indirect(void)
{
	static const uint32_t lens[3] = { 12, 64, 4000 };
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m[2];
	uint8_t out[4096];
	uint16_t nb;
	int h;
	struct env e;

	setup(&e, 8, F_RX | VHP_VQ_F_INDIRECT, 12, 0);
	h = guest_split_post_rx(&e.g, lens, 3, true);
	CHECK(h >= 0);
	m[0] = mk_pkt(3000, 1);
	CHECK_EQ(enq(&e, m, 1), 1);
	CHECK_EQ(e.g.used->ring[0].id, h);
	CHECK_EQ(e.g.used->ring[0].len, 3012);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 3000);
	CHECK(same(out, 3000, 1));
	/* Not negotiated: the buffer is refused and returned empty. */
	e.vq->flags &= (uint16_t)~VHP_VQ_F_INDIRECT;
	h = guest_split_post_rx(&e.g, lens, 3, true);
	m[1] = mk_pkt(100, 2);
	CHECK_EQ(enq(&e, &m[1], 1), 1);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_INDIRECT], 1);
	CHECK_EQ(e.g.used->ring[1].id, h);
	CHECK_EQ(e.g.used->ring[1].len, 0);
	CHECK_EQ(e.vq->stats.packets, 1);
	teardown(&e);
}

/*
 * Indirect tables are walked in place, only as far as the packet needs:
 * entries past the ones written are never read (here they would be
 * refused as nested tables). A table at a misaligned address still works
 * (through the private copy).
 */
static void
test_rx_indirect_in_place(void)
{
	struct gs_seg segs[16];
	struct vring_desc *t;
	struct rte_mbuf *m[1];
	struct env e;
	uint64_t gpa;
	uint32_t i;
	int h;

	setup(&e, 16, F_RX | VHP_VQ_F_INDIRECT, 12, 0);
	for (i = 0; i < 16; i++) {
		segs[i].gpa = 0;
		segs[i].len = 200;
	}
	h = guest_split_add(&e.g, segs, 16, true, true);
	CHECK(h >= 0);
	if (h < 0)
		goto out;
	t = guest_mem_ptr(&e.gm, e.g.desc[h].addr);
	for (i = 1; i < 16; i++)
		t[i].flags |= VRING_DESC_F_INDIRECT;
	guest_split_publish(&e.g);
	m[0] = mk_pkt(150, 5);
	CHECK_EQ(enq(&e, m, 1), 1);
	CHECK_EQ(errs(&e), 0);
	CHECK_EQ(e.g.used->ring[0].id, h);
	CHECK_EQ(e.g.used->ring[0].len, 162);
	CHECK(same((uint8_t *)guest_mem_ptr(&e.gm, t[0].addr) + 12, 150, 5));

	/* a table 4 bytes past an 8-byte boundary */
	h = guest_split_add(&e.g, segs, 2, true, true);
	CHECK(h >= 0);
	if (h < 0)
		goto out;
	gpa = guest_mem_alloc(&e.gm, 64, 16);
	CHECK(gpa != 0);
	gpa += 4;
	memcpy(guest_mem_ptr(&e.gm, gpa),
	       guest_mem_ptr(&e.gm, e.g.desc[h].addr), 32);
	e.g.desc[h].addr = gpa;
	t = guest_mem_ptr(&e.gm, gpa);
	guest_split_publish(&e.g);
	m[0] = mk_pkt(300, 6);
	CHECK_EQ(enq(&e, m, 1), 1);
	CHECK_EQ(errs(&e), 0);
	CHECK_EQ(e.g.used->ring[1].id, h);
	CHECK_EQ(e.g.used->ring[1].len, 312);
	{
		struct vring_desc t0, t1;

		memcpy(&t0, &t[0], sizeof(t0));
		memcpy(&t1, &t[1], sizeof(t1));
		CHECK(same((uint8_t *)guest_mem_ptr(&e.gm, t0.addr) + 12,
			   188, 6));
		fill(scratch, 300, 6);
		CHECK(memcmp(guest_mem_ptr(&e.gm, t1.addr), scratch + 188,
			     112) == 0);
	}
out:
	teardown(&e);
}

/* The indirect tables of one burst have at most ring-size entries in
 * all: a table that does not fit waits for the next burst. */
static void
test_tx_table_budget(void)
{
	uint32_t lens[16];
	struct rte_mbuf *m[4];
	struct env e;
	uint32_t i;

	setup(&e, 16, F_TX | VHP_VQ_F_INDIRECT, 12, 0);
	for (i = 0; i < 16; i++)
		lens[i] = i == 0 ? 12 + 100 : 0;
	for (i = 0; i < 2; i++) {
		fill(scratch, 100, 30 + i);
		CHECK(guest_split_post_tx(&e.g, scratch, 100, lens, 16,
					  true) >= 0);
	}
	CHECK_EQ(deq(&e, m, 4), 1);
	CHECK(mbuf_is(m[0], 100, 30));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(deq(&e, m, 4), 1);
	CHECK(mbuf_is(m[0], 100, 31));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(errs(&e), 0);
	CHECK_EQ(e.vq->stats.packets, 2);
	teardown(&e);
}

static void
test_rx_too_small_no_mrg(void)
{
	uint32_t l = 200;
	struct rte_mbuf *m[2];
	struct virtio_net_hdr hdr;
	uint8_t out[256];
	uint16_t nb;
	struct env e;

	setup(&e, 8, F_RX, 12, 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	m[0] = mk_pkt(500, 1);
	m[1] = mk_pkt(150, 2);
	/* First does not fit: taken and dropped; the buffer stays for the
	 * second. */
	CHECK_EQ(enq(&e, m, 2), 2);
	CHECK_EQ(e.vq->stats.dropped, 1);
	CHECK_EQ(e.vq->stats.packets, 1);
	CHECK_EQ(e.vq->stats.bytes, 150);
	CHECK_EQ(errs(&e), 0);
	CHECK_EQ(e.g.used->idx, 1);
	CHECK_EQ(e.g.used->ring[0].len, 162);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 150);
	CHECK(same(out, 150, 2));
	teardown(&e);
}

static void
test_rx_mrg(void)
{
	uint32_t l = 1024;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m[2];
	uint8_t out[8192];
	uint16_t nb = 0;
	int heads[8], i;
	struct env e;

	setup(&e, 16, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	for (i = 0; i < 8; i++)
		heads[i] = guest_split_post_rx(&e.g, &l, 1, false);
	m[0] = mk_pkt(3000, 3);
	m[1] = mk_pkt(500, 4);
	CHECK_EQ(enq(&e, m, 2), 2);
	CHECK_EQ(e.g.used->idx, 4);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	for (i = 0; i < 4; i++)
		CHECK_EQ(e.g.used->ring[i].id, heads[i]);
	CHECK_EQ(e.g.used->ring[0].len, 1024);
	CHECK_EQ(e.g.used->ring[1].len, 1024);
	CHECK_EQ(e.g.used->ring[2].len, 3012 - 2048);
	CHECK_EQ(e.g.used->ring[3].len, 512);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 3000);
	CHECK_EQ(nb, 3);
	CHECK_EQ(hdr.num_buffers, 3);
	CHECK(same(out, 3000, 3));
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 500);
	CHECK_EQ(nb, 1);
	CHECK(same(out, 500, 4));
	CHECK_EQ(e.vq->stats.packets, 2);
	CHECK_EQ(e.vq->stats.bytes, 3500);
	teardown(&e);
}

/* Mergeable buffers: single descriptors take the gathered path; a chain
 * after two of them sends the whole packet to the general path (nothing
 * of the gathered part consumed twice); more than one packet per burst. */
static void
test_rx_mrg_fallback(void)
{
	static const uint32_t chain[2] = { 500, 600 };
	uint32_t l = 1024;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m[3];
	static uint8_t out[16384];
	uint16_t nb = 0;
	int heads[7], i;
	struct env e;

	setup(&e, 16, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	heads[0] = guest_split_post_rx(&e.g, &l, 1, false);
	heads[1] = guest_split_post_rx(&e.g, &l, 1, false);
	heads[2] = guest_split_post_rx(&e.g, chain, 2, false);
	for (i = 3; i < 7; i++)
		heads[i] = guest_split_post_rx(&e.g, &l, 1, false);
	m[0] = mk_pkt(3000, 21);	/* 1024 + 1024 + chain: general */
	m[1] = mk_pkt(2100, 22);	/* three single buffers: gathered */
	m[2] = mk_pkt(9000, 23);	/* chained mbuf, one buffer left */
	CHECK_EQ(m[2]->nb_segs, 5);
	CHECK_EQ(enq(&e, m, 3), 2);
	CHECK_EQ(e.g.used->idx, 6);
	for (i = 0; i < 6; i++)
		CHECK_EQ(e.g.used->ring[i].id, heads[i]);
	CHECK_EQ(e.g.used->ring[2].len, 3012 - 2048);
	CHECK_EQ(e.g.used->ring[5].len, 2112 - 2048);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 3000);
	CHECK_EQ(nb, 3);
	CHECK_EQ(hdr.num_buffers, 3);
	CHECK(same(out, 3000, 21));
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 2100);
	CHECK_EQ(hdr.num_buffers, 3);
	CHECK(same(out, 2100, 22));
	/* The jumbo frame waits for buffers, intact. */
	CHECK_EQ(e.vq->last_avail_idx, 6);
	CHECK(mbuf_is(m[2], 9000, 23));
	for (i = 0; i < 8; i++)
		guest_split_post_rx(&e.g, &l, 1, false);
	CHECK_EQ(enq(&e, &m[2], 1), 1);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 9000);
	CHECK_EQ(nb, 9);
	CHECK_EQ(hdr.num_buffers, 9);
	CHECK(same(out, 9000, 23));
	CHECK_EQ(e.vq->stats.packets, 3);
	CHECK_EQ(e.vq->stats.bytes, 14100);
	CHECK_EQ(e.vq->stats.dropped, 0);
	teardown(&e);
}

static void
test_rx_mrg_split_header(void)
{
	/* num_buffers itself split across descriptors: buffer 1 is a chain
	 * 11 + 1 + ..., so bytes 10 and 11 of the header land in two. */
	static const uint32_t lens[3] = { 11, 1, 100 };
	uint32_t l = 100;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m = mk_pkt(250, 8);
	uint8_t out[1024];
	uint16_t nb = 0;
	struct env e;

	setup(&e, 16, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	guest_split_post_rx(&e.g, lens, 3, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->idx, 3);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 250);
	CHECK_EQ(nb, 3);
	CHECK(same(out, 250, 8));
	teardown(&e);
}

static void
test_rx_mrg_no_room(void)
{
	uint32_t l = 1024;
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m;
	uint8_t out[4096];
	uint16_t nb;
	struct env e;

	setup(&e, 16, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	m = mk_pkt(3000, 6);
	/* Needs three buffers, two posted: not taken, nothing consumed. */
	CHECK_EQ(enq(&e, &m, 1), 0);
	CHECK_EQ(e.g.used->idx, 0);
	CHECK_EQ(e.vq->last_avail_idx, 0);
	CHECK_EQ(e.vq->stats.dropped, 0);
	CHECK_EQ(guest_split_irqs(&e.g), 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->idx, 3);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 3000);
	CHECK_EQ(nb, 3);
	CHECK(same(out, 3000, 6));
	teardown(&e);
}

static void
test_rx_ring_full(void)
{
	uint32_t l = 2048;
	struct rte_mbuf *m[5];
	int i;
	struct env e;

	setup(&e, 8, F_RX, 12, 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	for (i = 0; i < 5; i++)
		m[i] = mk_pkt(100, (uint32_t)i);
	CHECK_EQ(enq(&e, m, 5), 2);
	CHECK_EQ(e.vq->stats.packets, 2);
	CHECK_EQ(e.vq->stats.dropped, 0);
	/* Not taken: still ours and intact. */
	for (i = 2; i < 5; i++)
		CHECK(mbuf_is(m[i], 100, (uint32_t)i));
	CHECK_EQ(enq(&e, &m[2], 3), 0);
	rte_pktmbuf_free_bulk(&m[2], 3);
	teardown(&e);
}

static void
test_rx_jumbo(void)
{
	uint32_t l = 9100, l4[3] = { 4096, 4096, 4096 };
	struct virtio_net_hdr hdr;
	struct rte_mbuf *m;
	static uint8_t out[16384];
	uint16_t nb;
	struct env e;

	/* Chained mbuf (5 segments) into one large buffer. */
	setup(&e, 8, F_RX, 12, 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	m = mk_pkt(9000, 11);
	CHECK_EQ(m->nb_segs, 5);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->ring[0].len, 9012);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 9000);
	CHECK(same(out, 9000, 11));
	CHECK_EQ(e.vq->stats.bytes, 9000);
	teardown(&e);

	/* Chained mbuf into mergeable 4 KiB buffers. */
	setup(&e, 8, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	guest_split_post_rx(&e.g, &l4[0], 1, false);
	guest_split_post_rx(&e.g, &l4[1], 1, false);
	guest_split_post_rx(&e.g, &l4[2], 1, false);
	m = mk_pkt(9000, 12);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->idx, 3);
	CHECK_EQ(e.g.used->ring[2].len, 9012 - 8192);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 9000);
	CHECK_EQ(nb, 3);
	CHECK(same(out, 9000, 12));
	teardown(&e);

	/* Chained mbuf into a chained descriptor list. */
	setup(&e, 8, F_RX, 12, 0);
	guest_split_post_rx(&e.g, l4, 3, false);
	m = mk_pkt(9000, 13);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 9000);
	CHECK(same(out, 9000, 13));
	teardown(&e);
}

/* ---- TX (dequeue) ---- */

static void
test_tx_single_and_chains(void)
{
	static const uint32_t sep[2] = { 12, 1000 };	/* header apart */
	static const uint32_t split[4] = { 4, 20, 500, 488 };
	static const uint32_t shared[2] = { 400, 612 };	/* hdr + data */
	struct rte_mbuf *m[8];
	int h[5], i;
	struct env e;

	setup(&e, 16, F_TX, 12, 0);
	fill(scratch, 1000, 1);
	h[0] = guest_split_post_tx(&e.g, scratch, 1000, NULL, 0, false);
	h[1] = guest_split_post_tx(&e.g, scratch, 1000, sep, 2, false);
	h[2] = guest_split_post_tx(&e.g, scratch, 1000, split, 4, false);
	h[3] = guest_split_post_tx(&e.g, scratch, 1000, shared, 2, false);
	CHECK_EQ(deq(&e, m, 8), 4);
	CHECK_EQ(e.g.used->idx, 4);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	for (i = 0; i < 4; i++) {
		CHECK(mbuf_is(m[i], 1000, 1));
		CHECK_EQ(m[i]->nb_segs, 1);
		CHECK_EQ(e.g.used->ring[i].id, h[i]);
		CHECK_EQ(e.g.used->ring[i].len, 0);
	}
	CHECK_EQ(e.vq->stats.packets, 4);
	CHECK_EQ(e.vq->stats.bytes, 4000);
	CHECK_EQ(errs(&e), 0);
	rte_pktmbuf_free_bulk(m, 4);
	/* Nothing pending: no packets, no interrupt. */
	CHECK_EQ(deq(&e, m, 8), 0);
	CHECK_EQ(guest_split_irqs(&e.g), 0);
	teardown(&e);
}

static void
test_tx_indirect_hdr10(void)
{
	static const uint32_t segs[3] = { 10, 90, 1400 };
	struct rte_mbuf *m[2];
	int h;
	struct env e;

	setup(&e, 8, F_TX | VHP_VQ_F_INDIRECT, 10, 0);
	fill(scratch, 1490, 2);
	h = guest_split_post_tx(&e.g, scratch, 1490, segs, 3, true);
	CHECK_EQ(deq(&e, m, 2), 1);
	CHECK(mbuf_is(m[0], 1490, 2));
	CHECK_EQ(e.g.used->ring[0].id, h);
	rte_pktmbuf_free(m[0]);
	/* Single descriptor with a 10-byte header. */
	fill(scratch, 64, 3);
	guest_split_post_tx(&e.g, scratch, 64, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 2), 1);
	CHECK(mbuf_is(m[0], 64, 3));
	rte_pktmbuf_free(m[0]);
	teardown(&e);
}

static void
test_tx_jumbo(void)
{
	static const uint32_t segs[3] = { 12, 4500, 4500 };
	struct rte_mbuf *m[2];
	struct env e;

	setup(&e, 8, F_TX, 12, 0);
	fill(scratch, 9000, 4);
	guest_split_post_tx(&e.g, scratch, 9000, NULL, 0, false);
	guest_split_post_tx(&e.g, scratch, 9000, segs, 3, false);
	CHECK_EQ(deq(&e, m, 2), 2);
	CHECK_EQ(m[0]->nb_segs, 5);
	CHECK_EQ(m[0]->data_len, 2048);
	CHECK(mbuf_is(m[0], 9000, 4));
	CHECK_EQ(m[1]->nb_segs, 5);
	CHECK(mbuf_is(m[1], 9000, 4));
	CHECK_EQ(e.vq->stats.bytes, 18000);
	rte_pktmbuf_free_bulk(m, 2);
	teardown(&e);
}

/*
 * Driver side of an IN_ORDER TX batch: the single used entry at the
 * driver's used position must name @p last_id with len 0, and used->idx
 * must cover @p n buffers. The driver infers the skipped entries (buffers
 * in ring order ending at last_id): write them out for the guest model,
 * then harvest each. @return 0 when all holds.
 */
static int
in_order_harvest(struct guest_split *g, uint16_t n, uint32_t last_id)
{
	const uint16_t mask = (uint16_t)(g->size - 1);
	struct vring_used_elem e = g->used->ring[g->last_used & mask];
	uint32_t id, len;
	uint16_t k;

	if ((uint16_t)(g->used->idx - g->last_used) < n || e.id != last_id ||
	    e.len != 0)
		return -1;
	for (k = 0; k < n; k++) {
		g->used->ring[(uint16_t)(g->last_used + k) & mask].id =
			(last_id - (n - 1u - k)) & mask;
		g->used->ring[(uint16_t)(g->last_used + k) & mask].len = 0;
	}
	for (k = 0; k < n; k++)
		if (guest_split_get_used(g, &id, &len, NULL, 0) != 0 ||
		    id != ((last_id - (n - 1u - k)) & mask))
			return -1;
	return 0;
}

static void
test_in_order(void)
{
	struct rte_mbuf *m[8];
	uint32_t l = 2048;
	struct virtio_net_hdr hdr;
	uint8_t out[2048];
	uint16_t nb;
	int i, r;
	struct env e;

	setup(&e, 8, F_TX | VHP_VQ_F_IN_ORDER, 12, 0);
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 8; i++) {
			fill(scratch, 100, (uint32_t)(i + r));
			CHECK_EQ(guest_split_post_tx(&e.g, scratch, 100, NULL,
						     0, false), i);
		}
		CHECK_EQ(deq(&e, m, 8), 8);
		CHECK_EQ(guest_split_irqs(&e.g), 1);
		for (i = 0; i < 8; i++)
			CHECK(mbuf_is(m[i], 100, (uint32_t)(i + r)));
		/* One used entry for the batch, at the offset of its first
		 * buffer, with the last buffer's id; used->idx skips all 8 */
		CHECK_EQ(in_order_harvest(&e.g, 8, 7), 0);
		rte_pktmbuf_free_bulk(m, 8);
	}
	/* Two bursts: two batch entries, each at its first buffer's slot */
	for (i = 0; i < 8; i++)
		CHECK_EQ(guest_split_post_tx(&e.g, scratch, 100, NULL, 0,
					     false), i);
	CHECK_EQ(deq(&e, m, 3), 3);
	CHECK_EQ(deq(&e, m + 3, 8), 5);
	CHECK_EQ(e.g.used->idx, (uint16_t)32);
	CHECK_EQ(in_order_harvest(&e.g, 3, 2), 0);
	CHECK_EQ(in_order_harvest(&e.g, 5, 7), 0);
	rte_pktmbuf_free_bulk(m, 8);
	/* A bad head in the batch carries no buffer: not counted in the
	 * batch, the batch entry still names the last good buffer */
	for (i = 0; i < 3; i++)
		CHECK_EQ(guest_split_post_tx(&e.g, scratch, 100, NULL, 0,
					     false), i);
	e.g.avail->ring[(uint16_t)(e.g.avail->idx - 1) & 7] = 999;
	CHECK_EQ(deq(&e, m, 8), 2);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_INDEX], 1);
	CHECK_EQ(in_order_harvest(&e.g, 2, 1), 0);
	rte_pktmbuf_free_bulk(m, 2);
	teardown(&e);

	/* Bad chain inside an IN_ORDER TX batch: returned in the batch */
	setup(&e, 8, F_TX | VHP_VQ_F_IN_ORDER, 12, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(guest_split_post_tx(&e.g, scratch, 100, NULL, 0,
					     false), i);
	e.g.desc[1].flags = VRING_DESC_F_WRITE;
	CHECK_EQ(deq(&e, m, 8), 2);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_CHAIN], 1);
	CHECK_EQ(in_order_harvest(&e.g, 3, 2), 0);
	rte_pktmbuf_free_bulk(m, 2);
	teardown(&e);

	setup(&e, 8, F_RX | VHP_VQ_F_IN_ORDER, 12, 0);
	for (i = 0; i < 8; i++)
		guest_split_post_rx(&e.g, &l, 1, false);
	for (i = 0; i < 8; i++)
		m[i] = mk_pkt(64 + (uint32_t)i, (uint32_t)i);
	CHECK_EQ(enq(&e, m, 8), 8);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(e.g.used->ring[i].id, i);
		CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out,
					       sizeof(out)), 64 + i);
		CHECK(same(out, 64 + (uint32_t)i, (uint32_t)i));
	}
	teardown(&e);
}

static void
test_wrap_around(void)
{
	struct rte_mbuf *m[8];
	uint32_t l = 512;
	struct virtio_net_hdr hdr;
	uint8_t out[512];
	uint16_t nb;
	int i, r;
	struct env tx, rx;

	setup(&tx, 8, F_TX, 12, 65530);
	setup(&rx, 8, F_RX, 12, 65530);
	for (r = 0; r < 4; r++) {
		for (i = 0; i < 5; i++) {
			fill(scratch, 200, (uint32_t)(r * 5 + i));
			guest_split_post_tx(&tx.g, scratch, 200, NULL, 0,
					    false);
			guest_split_post_rx(&rx.g, &l, 1, false);
		}
		CHECK_EQ(deq(&tx, m, 8), 5);
		for (i = 0; i < 5; i++) {
			uint32_t id, len;

			CHECK(mbuf_is(m[i], 200, (uint32_t)(r * 5 + i)));
			CHECK_EQ(guest_split_get_used(&tx.g, &id, &len, NULL,
						      0), 0);
		}
		CHECK_EQ(enq(&rx, m, 5), 5);
		for (i = 0; i < 5; i++) {
			CHECK_EQ(guest_split_rx_packet(&rx.g, &hdr, &nb, out,
						       sizeof(out)), 200);
			CHECK(same(out, 200, (uint32_t)(r * 5 + i)));
		}
	}
	CHECK_EQ(tx.vq->last_avail_idx, (uint16_t)(65530 + 20));
	CHECK_EQ(rx.g.used->idx, (uint16_t)(65530 + 20));
	CHECK_EQ(tx.vq->stats.packets, 20);
	CHECK_EQ(rx.vq->stats.packets, 20);
	CHECK_EQ(errs(&tx) + errs(&rx), 0);
	teardown(&tx);
	teardown(&rx);
}

static void
test_two_regions(void)
{
	const uint64_t split = 1u << 20;
	struct gs_seg s;
	struct rte_mbuf *m;
	struct virtio_net_hdr hdr;
	uint8_t out[2048], *p;
	uint16_t nb;
	uint32_t id, len;
	struct env e;

	/* TX: one descriptor of 1512 bytes straddling the region boundary. */
	setup_mem(&e, 8, F_TX, 12, 0, split);
	CHECK_EQ(e.gm.mem.nregions, 2);
	s.gpa = GPA_BASE + split - 700;
	s.len = 1512;
	p = guest_mem_ptr(&e.gm, s.gpa);
	memset(p, 0, 12);
	fill(p + 12, 1500, 21);
	CHECK_EQ(guest_split_add(&e.g, &s, 1, false, false), 0);
	guest_split_publish(&e.g);
	CHECK_EQ(deq(&e, &m, 1), 1);
	CHECK(mbuf_is(m, 1500, 21));
	CHECK_EQ(errs(&e), 0);
	teardown(&e);

	/* RX into the same kind of buffer. */
	setup_mem(&e, 8, F_RX, 12, 0, split);
	s.gpa = GPA_BASE + split - 5;	/* header split by the boundary */
	s.len = 2048;
	CHECK_EQ(guest_split_add(&e.g, &s, 1, true, false), 0);
	guest_split_publish(&e.g);
	CHECK_EQ(enq(&e, &m, 1), 1);
	CHECK_EQ(e.g.used->ring[0].len, 1512);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 1500);
	CHECK(same(out, 1500, 21));
	CHECK_EQ(hdr.num_buffers, 1);
	CHECK_EQ(guest_split_get_used(&e.g, &id, &len, NULL, 0), -1);
	teardown(&e);
}

/* ---- notifications ---- */

static void
test_notify(void)
{
	uint16_t avail_event;
	struct rte_mbuf *m[8];
	int i;
	struct env e;

	/* Without EVENT_IDX: NO_INTERRUPT suppresses, one write a burst. */
	setup(&e, 16, F_TX, 12, 0);
	guest_split_set_no_interrupt(&e.g, true);
	fill(scratch, 60, 0);
	for (i = 0; i < 4; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 4);
	rte_pktmbuf_free_bulk(m, 4);
	CHECK_EQ(guest_split_irqs(&e.g), 0);
	CHECK_EQ(e.vq->stats.notifications_suppressed, 1);
	guest_split_set_no_interrupt(&e.g, false);
	for (i = 0; i < 8; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 8);
	rte_pktmbuf_free_bulk(m, 8);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	CHECK_EQ(e.vq->stats.notifications, 1);
	teardown(&e);

	/* EVENT_IDX: interrupt only when used idx passes used_event. */
	setup(&e, 16, F_TX | VHP_VQ_F_EVENT_IDX, 12, 0);
	for (i = 0; i < 2; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 2);		/* first: always */
	rte_pktmbuf_free_bulk(m, 2);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	guest_split_set_used_event(&e.g, 5);	/* wants a kick past 5 */
	for (i = 0; i < 3; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 3);		/* used 2 -> 5: not past */
	rte_pktmbuf_free_bulk(m, 3);
	CHECK_EQ(guest_split_irqs(&e.g), 0);
	CHECK_EQ(e.vq->stats.notifications_suppressed, 1);
	for (i = 0; i < 4; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 4);		/* 5 -> 9 passes 5 */
	rte_pktmbuf_free_bulk(m, 4);
	CHECK_EQ(guest_split_irqs(&e.g), 1);
	CHECK_EQ(e.vq->stats.notifications, 2);
	/* used_event already behind: no interrupt. */
	guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 8), 1);
	rte_pktmbuf_free_bulk(m, 1);
	CHECK_EQ(guest_split_irqs(&e.g), 0);
	/* Kicks are suppressed: NO_NOTIFY set and avail_event parked. */
	CHECK_EQ(e.g.used->flags, VRING_USED_F_NO_NOTIFY);
	memcpy(&avail_event, &e.g.used->ring[16], sizeof(avail_event));
	CHECK_EQ(avail_event, (uint16_t)(0 - 1));
	teardown(&e);
}

/* ---- bad input ---- */

/* Post one TX/RX buffer, corrupt its head descriptor via @p fn, run one
 * burst and check it is dropped with error @p err and returned empty. */
static void
bad_desc_case(bool rx, uint16_t flags, enum vhp_vq_error err,
	      void (*fn)(struct env *e, int head))
{
	uint32_t l = 1024;
	struct rte_mbuf *m[2];
	int h;
	struct env e;

	unsigned int f0 = vhp_test_failures;

	setup(&e, 8, (uint16_t)((rx ? F_RX : F_TX) | flags), 12, 0);
	fill(scratch, 100, 1);
	if (rx)
		h = guest_split_post_rx(&e.g, &l, 1, false);
	else
		h = guest_split_post_tx(&e.g, scratch, 100, NULL, 0, false);
	fn(&e, h);
	/* A good one after it still goes through. */
	if (rx) {
		guest_split_post_rx(&e.g, &l, 1, false);
		m[0] = mk_pkt(100, 1);
		m[1] = mk_pkt(100, 2);
		CHECK_EQ(enq(&e, m, 2), 2);
		CHECK_EQ(e.vq->stats.packets, 1);
		CHECK_EQ(e.g.used->ring[1].len, 112);
	} else {
		guest_split_post_tx(&e.g, scratch, 100, NULL, 0, false);
		CHECK_EQ(deq(&e, m, 2), 1);
		CHECK(mbuf_is(m[0], 100, 1));
		rte_pktmbuf_free(m[0]);
		CHECK_EQ(e.vq->stats.packets, 1);
	}
	CHECK_EQ(e.g.used->idx, 2);
	CHECK_EQ(e.g.used->ring[0].id, h);
	CHECK_EQ(e.g.used->ring[0].len, 0);
	CHECK_EQ(e.vq->stats.errors[err], 1);
	CHECK_EQ(errs(&e), 1);
	CHECK_EQ(e.vq->broken, 0);
	CHECK_EQ(e.vq->ready, 1);
	if (vhp_test_failures != f0)
		fprintf(stderr, "  in bad_desc_case(%s, %s)\n",
			rx ? "rx" : "tx", vhp_vq_error_name(err));
	teardown(&e);
}

static void
c_addr_outside(struct env *e, int h)
{
	e->g.desc[h].addr = GPA_BASE + MEM_SIZE + 4096;
}

static void
c_addr_tail_outside(struct env *e, int h)
{
	e->g.desc[h].addr = GPA_BASE + MEM_SIZE - 50;
}

static void
c_addr_below(struct env *e, int h)
{
	e->g.desc[h].addr = GPA_BASE - 4096;
}

static void
c_addr_overflow(struct env *e, int h)
{
	e->g.desc[h].addr = UINT64_MAX - 0x20;
	e->g.desc[h].len = 0x400;
}

static void
c_loop(struct env *e, int h)
{
	/* h -> 7 -> 6 -> 7 ... (h only holds the header: the walk must go
	 * on) */
	e->g.desc[h].len = 12;
	e->g.desc[h].flags |= VRING_DESC_F_NEXT;
	e->g.desc[h].next = 7;
	e->g.desc[7] = e->g.desc[h];
	e->g.desc[7].len = 1;
	e->g.desc[7].next = 6;
	e->g.desc[6] = e->g.desc[7];
	e->g.desc[6].next = 7;
}

static void
c_chain_over_q(struct env *e, int h)
{
	uint16_t i;

	/* A cycle through every descriptor but the good buffer's (1): the
	 * walk passes Q descriptors without ending. */
	e->g.desc[h].len = 12;
	for (i = 0; i < 8; i++) {
		if (i == 1)
			continue;
		if (i != h) {
			e->g.desc[i] = e->g.desc[h];
			e->g.desc[i].len = 1;
		}
		e->g.desc[i].flags |= VRING_DESC_F_NEXT;
		e->g.desc[i].next = (uint16_t)(i == 0 ? 2 : (i + 1) & 7);
	}
}

static void
c_next_beyond(struct env *e, int h)
{
	e->g.desc[h].flags |= VRING_DESC_F_NEXT;
	e->g.desc[h].len = 12;
	e->g.desc[h].next = 8;
}

static void
c_write_in_tx(struct env *e, int h)
{
	e->g.desc[h].flags |= VRING_DESC_F_WRITE;
}

static void
c_read_in_rx(struct env *e, int h)
{
	e->g.desc[h].flags &= (uint16_t)~VRING_DESC_F_WRITE;
}

static void
c_short_hdr(struct env *e, int h)
{
	e->g.desc[h].len = 8;
}

static void
c_rx_short_hdr_chain(struct env *e, int h)
{
	/* MRG would be needed; without it a too-short buffer is a drop, but
	 * a chain whose second link is unmapped while the header is being
	 * written is an address error. */
	e->g.desc[h].len = 6;
	e->g.desc[h].flags |= VRING_DESC_F_NEXT;
	e->g.desc[h].next = 7;
	e->g.desc[7].addr = 0x10;
	e->g.desc[7].len = 100;
	e->g.desc[7].flags = VRING_DESC_F_WRITE;
}

static uint64_t
mk_table(struct env *e, struct vring_desc **t, unsigned int n)
{
	uint64_t gpa = guest_mem_alloc(&e->gm, 16u * n, 16);

	*t = guest_mem_ptr(&e->gm, gpa);
	memset(*t, 0, 16u * n);
	return gpa;
}

static void
c_ind_nested(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 2);

	t[0] = e->g.desc[h];
	t[0].len = 12;
	t[0].flags |= VRING_DESC_F_NEXT;
	t[0].next = 1;
	t[1].addr = g;
	t[1].len = 32;
	t[1].flags = VRING_DESC_F_INDIRECT;
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 32;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_misaligned(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 2);

	t[0] = e->g.desc[h];
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 24;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_oversized(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 9);

	t[0] = e->g.desc[h];
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 16 * 9;	/* more than Q = 8 entries */
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_next(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 1);

	t[0] = e->g.desc[h];
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 16;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT;
	e->g.desc[h].next = 1;
}

static void
c_ind_loop(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 2);

	t[0] = e->g.desc[h];
	t[0].len = 12;
	t[0].flags |= VRING_DESC_F_NEXT;
	t[0].next = 1;
	t[1] = t[0];
	t[1].next = 0;
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 32;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_unmapped(struct env *e, int h)
{
	e->g.desc[h].addr = GPA_BASE + MEM_SIZE - 16;
	e->g.desc[h].len = 32;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_empty(struct env *e, int h)
{
	e->g.desc[h].len = 0;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
c_ind_next_beyond(struct env *e, int h)
{
	struct vring_desc *t;
	uint64_t g = mk_table(e, &t, 2);

	t[0] = e->g.desc[h];
	t[0].len = 12;
	t[0].flags |= VRING_DESC_F_NEXT;
	t[0].next = 2;
	t[1] = t[0];
	e->g.desc[h].addr = g;
	e->g.desc[h].len = 32;
	e->g.desc[h].flags = VRING_DESC_F_INDIRECT;
}

static void
test_bad_descriptors(void)
{
	const uint16_t ind = VHP_VQ_F_INDIRECT;
	int rx;

	for (rx = 0; rx < 2; rx++) {
		bad_desc_case(rx, 0, VHP_ERR_ADDR, c_addr_outside);
		bad_desc_case(rx, 0, VHP_ERR_ADDR, c_addr_tail_outside);
		bad_desc_case(rx, 0, VHP_ERR_ADDR, c_addr_below);
		bad_desc_case(rx, 0, VHP_ERR_ADDR, c_addr_overflow);
		bad_desc_case(rx, 0, VHP_ERR_CHAIN, c_loop);
		bad_desc_case(rx, 0, VHP_ERR_CHAIN, c_chain_over_q);
		bad_desc_case(rx, 0, VHP_ERR_CHAIN, c_next_beyond);
		bad_desc_case(rx, ind, VHP_ERR_INDIRECT, c_ind_nested);
		bad_desc_case(rx, ind, VHP_ERR_INDIRECT, c_ind_misaligned);
		bad_desc_case(rx, ind, VHP_ERR_INDIRECT, c_ind_oversized);
		bad_desc_case(rx, ind, VHP_ERR_INDIRECT, c_ind_next);
		bad_desc_case(rx, ind, VHP_ERR_INDIRECT, c_ind_empty);
		bad_desc_case(rx, ind, VHP_ERR_CHAIN, c_ind_loop);
		bad_desc_case(rx, ind, VHP_ERR_CHAIN, c_ind_next_beyond);
		bad_desc_case(rx, ind, VHP_ERR_ADDR, c_ind_unmapped);
	}
	bad_desc_case(false, 0, VHP_ERR_CHAIN, c_write_in_tx);
	bad_desc_case(true, 0, VHP_ERR_CHAIN, c_read_in_rx);
	bad_desc_case(false, 0, VHP_ERR_LEN, c_short_hdr);
	bad_desc_case(true, 0, VHP_ERR_ADDR, c_rx_short_hdr_chain);
}

static void
test_chain_exactly_q(void)
{
	static const uint32_t lens[8] = { 12, 10, 10, 10, 10, 10, 10, 10 };
	struct rte_mbuf *m;
	struct env e;

	/* A chain of all Q descriptors is legal. */
	setup(&e, 8, F_TX, 12, 0);
	fill(scratch, 70, 5);
	CHECK_EQ(guest_split_post_tx(&e.g, scratch, 70, lens, 8, false), 0);
	CHECK_EQ(deq(&e, &m, 1), 1);
	CHECK(mbuf_is(m, 70, 5));
	CHECK_EQ(errs(&e), 0);
	rte_pktmbuf_free(m);
	teardown(&e);
}

static void
test_bad_head(void)
{
	uint32_t l = 1024;
	struct rte_mbuf *m[4];
	int h;
	struct env e;

	setup(&e, 8, F_TX, 12, 0);
	guest_split_add_raw(&e.g, 8);
	guest_split_add_raw(&e.g, 0xffff);
	fill(scratch, 80, 3);
	h = guest_split_post_tx(&e.g, scratch, 80, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 4), 1);	/* two bad heads skipped, one good */
	CHECK(mbuf_is(m[0], 80, 3));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_INDEX], 2);
	CHECK_EQ(e.g.used->idx, 1);	/* no entry for a non-buffer */
	CHECK_EQ(e.g.used->ring[0].id, h);
	CHECK_EQ(e.vq->last_avail_idx, 3);
	teardown(&e);

	setup(&e, 8, F_RX, 12, 0);
	guest_split_add_raw(&e.g, 9);
	h = guest_split_post_rx(&e.g, &l, 1, false);
	m[0] = mk_pkt(80, 3);
	CHECK_EQ(enq(&e, m, 1), 1);	/* the packet goes to the next one */
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_INDEX], 1);
	CHECK_EQ(e.vq->stats.packets, 1);
	CHECK_EQ(e.g.used->idx, 1);
	CHECK_EQ(e.g.used->ring[0].id, h);
	CHECK_EQ(e.g.used->ring[0].len, 92);
	teardown(&e);
}

static void
test_avail_jump(void)
{
	struct vhp_device *dev = calloc(1, sizeof(*dev));
	struct rte_mbuf *m[2];
	struct env e, other;
	int rx;

	for (rx = 0; rx < 2; rx++) {
		setup(&e, 8, rx ? F_RX : F_TX, 12, 65533);
		setup(&other, 8, F_TX, 12, 0);
		dev->needs_reset = 0;
		e.vq->dev = dev;
		fill(scratch, 60, 1);
		guest_split_post_tx(&other.g, scratch, 60, NULL, 0, false);
		/* 9 entries ahead of a ring of 8. */
		e.g.avail->idx = (uint16_t)(65533 + 9);
		m[0] = mk_pkt(60, 1);
		if (rx)
			CHECK_EQ(enq(&e, m, 1), 0);
		else
			CHECK_EQ(deq(&e, m, 1), 0);
		CHECK_EQ(e.vq->broken, 1);
		CHECK_EQ(e.vq->ready, 0);
		CHECK_EQ(e.vq->stats.broken, 1);
		CHECK_EQ(dev->needs_reset, 1);
		CHECK_EQ(e.g.used->idx, 65533);
		CHECK_EQ(e.vq->last_avail_idx, 65533);
		CHECK_EQ(guest_split_irqs(&e.g), 0);
		/* Exactly a ring ahead is legal (on another ring). */
		CHECK_EQ(deq(&other, &m[1], 1), 1);
		CHECK(mbuf_is(m[1], 60, 1));
		rte_pktmbuf_free(m[1]);
		CHECK_EQ(other.vq->broken, 0);
		rte_pktmbuf_free(m[0]);
		teardown(&e);
		teardown(&other);
	}
	/* dev == NULL works too. */
	setup(&e, 8, F_TX, 12, 0);
	e.g.avail->idx = 100;
	CHECK_EQ(deq(&e, m, 1), 0);
	CHECK_EQ(e.vq->broken, 1);
	teardown(&e);
	free(dev);
}

static void
test_full_ring_of_avail(void)
{
	struct rte_mbuf *m[16];
	int i;
	struct env e;

	/* Exactly Q entries pending is not corrupt. */
	setup(&e, 8, F_TX, 12, 65535);
	fill(scratch, 60, 2);
	for (i = 0; i < 8; i++)
		guest_split_post_tx(&e.g, scratch, 60, NULL, 0, false);
	CHECK_EQ(deq(&e, m, 16), 8);
	CHECK_EQ(e.vq->broken, 0);
	CHECK_EQ(e.g.used->idx, 7);
	rte_pktmbuf_free_bulk(m, 8);
	teardown(&e);
}

static void
test_tx_too_long(void)
{
	uint32_t segs[3] = { 12, 40000, 40000 };
	struct rte_mbuf *m;
	struct env e;

	setup(&e, 8, F_TX, 12, 0);
	guest_split_post_tx(&e.g, scratch, 80000, segs, 3, false);
	CHECK_EQ(deq(&e, &m, 1), 0);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_LEN], 1);
	CHECK_EQ(e.g.used->idx, 1);
	CHECK_EQ(e.g.used->ring[0].len, 0);
	teardown(&e);
}

static void
test_rx_mrg_bad_mid(void)
{
	uint32_t l = 1024;
	struct rte_mbuf *m[2];
	struct virtio_net_hdr hdr;
	uint8_t out[2048];
	uint16_t nb;
	int h1;
	struct env e;

	/* Second buffer of a mergeable packet is bad: every buffer of that
	 * packet goes back empty, the next packet is fine. */
	setup(&e, 8, F_RX | VHP_VQ_F_MRG_RXBUF, 12, 0);
	guest_split_post_rx(&e.g, &l, 1, false);
	h1 = guest_split_post_rx(&e.g, &l, 1, false);
	guest_split_post_rx(&e.g, &l, 1, false);
	e.g.desc[h1].addr = 0x1000;
	m[0] = mk_pkt(1500, 1);
	m[1] = mk_pkt(300, 2);
	CHECK_EQ(enq(&e, m, 2), 2);
	CHECK_EQ(e.g.used->idx, 3);
	CHECK_EQ(e.g.used->ring[0].len, 0);
	CHECK_EQ(e.g.used->ring[1].len, 0);
	CHECK_EQ(e.g.used->ring[2].len, 312);
	CHECK_EQ(e.vq->stats.errors[VHP_ERR_ADDR], 1);
	CHECK_EQ(e.vq->stats.packets, 1);
	CHECK_EQ(e.vq->stats.bytes, 300);
	guest_split_get_used(&e.g, (uint32_t *)&h1, &l, NULL, 0);
	guest_split_get_used(&e.g, (uint32_t *)&h1, &l, NULL, 0);
	CHECK_EQ(guest_split_rx_packet(&e.g, &hdr, &nb, out, sizeof(out)),
		 300);
	CHECK(same(out, 300, 2));
	teardown(&e);
}

static void
test_no_mbufs(void)
{
	struct rte_mempool *small = rte_pktmbuf_pool_create("split_small", 63,
		0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct rte_mbuf *held[64], *m[4];
	unsigned int nheld = 0;
	struct env e;

	CHECK(small != NULL);
	if (small == NULL)
		return;
	setup(&e, 8, F_TX, 12, 0);
	fill(scratch, 9000, 7);
	guest_split_post_tx(&e.g, scratch, 9000, NULL, 0, false);
	while (nheld < RTE_DIM(held) &&
	       (held[nheld] = rte_pktmbuf_alloc(small)) != NULL)
		nheld++;
	/* Empty pool: nothing consumed. */
	CHECK_EQ(vhp_split_dequeue(e.vq, small, m, 4), 0);
	CHECK_EQ(e.vq->stats.alloc_failed, 1);
	CHECK_EQ(e.vq->last_avail_idx, 0);
	CHECK_EQ(e.g.used->idx, 0);
	/* Two mbufs: the 5-segment jumbo cannot be built, retried later. */
	rte_pktmbuf_free(held[--nheld]);
	rte_pktmbuf_free(held[--nheld]);
	CHECK_EQ(vhp_split_dequeue(e.vq, small, m, 4), 0);
	CHECK_EQ(e.vq->stats.alloc_failed, 2);
	CHECK_EQ(e.vq->last_avail_idx, 0);
	CHECK_EQ(e.g.used->idx, 0);
	CHECK_EQ(rte_mempool_avail_count(small), 2);
	rte_pktmbuf_free_bulk(held, nheld);
	CHECK_EQ(vhp_split_dequeue(e.vq, small, m, 4), 1);
	CHECK(mbuf_is(m[0], 9000, 7));
	CHECK_EQ(e.g.used->idx, 1);
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(rte_mempool_avail_count(small), 63);
	teardown(&e);
	rte_mempool_free(small);
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vhp_test_eal_init("test_split");
	pool = rte_pktmbuf_pool_create("split_pool", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mempool\n");
		return 1;
	}
	RUN_TEST(test_rx_single);
	RUN_TEST(test_rx_hdr10);
	RUN_TEST(test_rx_chain_split_header);
	RUN_TEST(test_rx_indirect);
	RUN_TEST(test_rx_too_small_no_mrg);
	RUN_TEST(test_rx_mrg);
	RUN_TEST(test_rx_mrg_split_header);
	RUN_TEST(test_rx_mrg_no_room);
	RUN_TEST(test_rx_mrg_bad_mid);
	RUN_TEST(test_rx_mrg_fallback);
	RUN_TEST(test_rx_ring_full);
	RUN_TEST(test_rx_jumbo);
	RUN_TEST(test_tx_single_and_chains);
	RUN_TEST(test_tx_indirect_hdr10);
	RUN_TEST(test_tx_jumbo);
	RUN_TEST(test_tx_too_long);
	RUN_TEST(test_in_order);
	RUN_TEST(test_wrap_around);
	RUN_TEST(test_two_regions);
	RUN_TEST(test_notify);
	RUN_TEST(test_bad_descriptors);
	RUN_TEST(test_chain_exactly_q);
	RUN_TEST(test_bad_head);
	RUN_TEST(test_avail_jump);
	RUN_TEST(test_full_ring_of_avail);
	RUN_TEST(test_no_mbufs);
	RUN_TEST(test_rx_indirect_in_place);
	RUN_TEST(test_tx_table_budget);
	CHECK_EQ(rte_mempool_avail_count(pool), 4095);
	rte_mempool_free(pool);
	return vhp_test_summary();
}
