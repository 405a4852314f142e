/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed-ring datapath tests: vhp_packed_enqueue/dequeue against the guest
 * driver model of test/lib/guest_packed.c.
 */
#include <stdint.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_mem.h"
#include "guest_packed.h"
#include "test_common.h"
#include "virtqueue.h"

#define GPA_BASE	0x100000000ULL
#define MEM_SIZE	(64ULL << 20)
#define USED_BITS	(VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED)

static struct rte_mempool *pool;
static struct guest_mem gm;
static uint8_t pat[65536];
static uint8_t out[65536];

static void
mem_setup(void)
{
	if (guest_mem_create(&gm, GPA_BASE, MEM_SIZE) != 0) {
		fprintf(stderr, "guest_mem_create failed\n");
		exit(1);
	}
}

static void
ring_setup(struct guest_packed *gp, uint16_t size, uint32_t buf_size,
	   uint16_t flags, uint8_t hdr_len)
{
	if (gp_init(gp, &gm, size, buf_size, flags, hdr_len) != 0) {
		fprintf(stderr, "gp_init failed\n");
		exit(1);
	}
}

static void
teardown(struct guest_packed *gp)
{
	gp_free(gp);
	guest_mem_destroy(&gm);
}

/* A packet of @len pattern bytes (seed), chained when it needs to be. */
static struct rte_mbuf *
mk_pkt(struct rte_mempool *mp, uint32_t len, uint32_t seed)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0;

	gp_pattern(pat, len, seed);
	do {
		uint32_t n;
		char *p;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			goto fail;
		n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		p = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(p, pat + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			goto fail;
	} while (off < len);
	return head;
fail:
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(head);
	return NULL;
}

/* Do the mbuf's bytes equal pattern(len, seed)? */
static bool
mbuf_is(const struct rte_mbuf *m, uint32_t len, uint32_t seed)
{
	const void *p;

	if (m->pkt_len != len)
		return false;
	gp_pattern(pat, len, seed);
	p = rte_pktmbuf_read(m, 0, len, out);
	return p != NULL && memcmp(p, pat, len) == 0;
}

static bool
bytes_are(const uint8_t *p, uint32_t len, uint32_t seed)
{
	gp_pattern(pat, len, seed);
	return memcmp(p, pat, len) == 0;
}

/* Is the 12/10-byte header zero with num_buffers = nb (12 bytes)? */
static bool
hdr_ok(const uint8_t *p, uint8_t hdr_len, uint16_t nb)
{
	uint8_t exp[12] = { 0 };

	if (hdr_len == 12) {
		exp[10] = (uint8_t)nb;
		exp[11] = (uint8_t)(nb >> 8);
	}
	return memcmp(p, exp, hdr_len) == 0;
}

static uint64_t
err(const struct guest_packed *gp, enum vhp_vq_error e)
{
	return gp->vq->stats.errors[e];
}

static uint64_t
err_total(const struct guest_packed *gp)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < VHP_ERR_MAX; i++)
		s += gp->vq->stats.errors[i];
	return s;
}

static void
free_pkts(struct rte_mbuf **p, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(p[i]);
}

/* Ring position of back-end and model agree, all returned. */
static void
check_position(const struct guest_packed *gp)
{
	CHECK_EQ(gp->vq->last_avail_idx, gp->next_avail);
	CHECK_EQ(gp->vq->avail_wrap, gp->avail_wrap);
	CHECK_EQ(gp->vq->last_used_idx, gp->vq->last_avail_idx);
	CHECK_EQ(gp->vq->used_wrap, gp->vq->avail_wrap);
	CHECK_EQ(gp->vq->shadow_count, 0);
}

/* ---------------------------------------------------------------- */

static void
test_rx_basic(void)
{
	static const uint32_t lens[3] = { 60, 64, 1500 };
	struct guest_packed gp;
	struct rte_mbuf *pkts[3];
	struct gp_used u;
	unsigned int avail0 = rte_mempool_avail_count(pool);
	uint16_t id, i;

	mem_setup();
	ring_setup(&gp, 16, 2048, 0, 12);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
		CHECK_EQ(id, i);
		pkts[i] = mk_pkt(pool, lens[i], 100 + i);
	}
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 3), 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 12 + lens[i]);
		/* RX: written, so WRITE marks the length valid. */
		CHECK_EQ(u.flags, USED_BITS | VRING_DESC_F_WRITE);
		CHECK_EQ(u.slot, i);
		CHECK(u.id_match);
		CHECK(hdr_ok(gp_buf(&gp, i), 12, 1));
		CHECK(bytes_are(gp_buf(&gp, i) + 12, lens[i], 100 + i));
		/* nothing written past the packet */
		CHECK_EQ(gp_buf(&gp, i)[12 + lens[i]], 0xee);
	}
	CHECK_EQ(gp_get_used(&gp, &u), 0);
	CHECK_EQ(gp.vq->stats.packets, 3);
	CHECK_EQ(gp.vq->stats.bytes, 60 + 64 + 1500);
	CHECK_EQ(gp.vq->stats.dropped, 0);
	CHECK_EQ(err_total(&gp), 0);
	CHECK_EQ(gp_irq_count(&gp), 1);
	CHECK_EQ(gp.vq->stats.notifications, 1);
	/* taken mbufs were freed */
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);
	check_position(&gp);

	/* no buffer: nothing taken, not dropped, the caller keeps them */
	pkts[0] = mk_pkt(pool, 100, 1);
	pkts[1] = mk_pkt(pool, 100, 2);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 2), 0);
	CHECK_EQ(gp.vq->stats.dropped, 0);
	CHECK_EQ(gp_irq_count(&gp), 0);
	free_pkts(pkts, 2);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);

	/* 10-byte header (no VERSION_1 / MRG) */
	teardown(&gp);
	mem_setup();
	ring_setup(&gp, 16, 2048, 0, 10);
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	pkts[0] = mk_pkt(pool, 77, 9);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&gp, &u), 1);
	CHECK_EQ(u.len, 10 + 77);
	CHECK(hdr_ok(gp_buf(&gp, 0), 10, 1));
	CHECK(bytes_are(gp_buf(&gp, 0) + 10, 77, 9));
	teardown(&gp);
}

static void
test_tx_basic(void)
{
	static const uint32_t lens[3] = { 60, 64, 1514 };
	struct guest_packed gp;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	unsigned int avail0 = rte_mempool_avail_count(pool);
	uint16_t id, i;

	mem_setup();
	ring_setup(&gp, 16, 2048, VHP_VQ_F_TX, 12);
	CHECK_EQ(vhp_packed_dequeue(gp.vq, pool, pkts, 8), 0);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);
	for (i = 0; i < 3; i++) {
		gp_pattern(pat, lens[i], 200 + i);
		CHECK_EQ(gp_post_tx(&gp, pat, lens[i], 1, false, &id), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(gp.vq, pool, pkts, 8), 3);
	for (i = 0; i < 3; i++) {
		CHECK(mbuf_is(pkts[i], lens[i], 200 + i));
		CHECK_EQ(pkts[i]->nb_segs, 1);
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 0);
		CHECK_EQ(u.flags, USED_BITS);
	}
	free_pkts(pkts, 3);
	/* unused preallocated mbufs went back */
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);
	CHECK_EQ(gp.vq->stats.packets, 3);
	CHECK_EQ(gp.vq->stats.bytes, 60 + 64 + 1514);
	CHECK_EQ(err_total(&gp), 0);
	CHECK_EQ(gp_irq_count(&gp), 1);
	check_position(&gp);
	teardown(&gp);
}

/* Batches of four, batch fall-back, mixed single/chained/indirect. */
static void
test_batch_mixed(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[32];
	struct gp_used u;
	struct gp_seg s[3];
	uint16_t id, i, n;

	mem_setup();
	ring_setup(&rx, 32, 2048, VHP_VQ_F_INDIRECT, 12);
	ring_setup(&tx, 32, 2048, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);

	/* RX: 8 singles (two batches), a chain of 2, 3 singles, an
	 * indirect, 4 singles (slot 14: not aligned, then 16..19 batch) */
	for (i = 0; i < 8; i++)
		CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
	id = 8;
	rx.nfree_ids = 0;	/* ids chosen by hand from here */
	s[0].gpa = rx.id_buf[8];
	s[0].len = 30;
	s[1].gpa = rx.id_buf[8] + 30;
	s[1].len = 2000;
	CHECK_EQ(gp_post(&rx, s, 2, GP_WRITE, &id, true), 0);
	for (i = 9; i < 12; i++) {
		s[0].gpa = rx.id_buf[i];
		s[0].len = 2048;
		id = i;
		CHECK_EQ(gp_post(&rx, s, 1, GP_WRITE, &id, true), 0);
	}
	s[0].gpa = rx.id_buf[12];
	s[0].len = 7;
	s[1].gpa = rx.id_buf[12] + 7;
	s[1].len = 40;
	s[2].gpa = rx.id_buf[12] + 47;
	s[2].len = 2000;
	id = 12;
	CHECK_EQ(gp_post(&rx, s, 3, GP_WRITE | GP_INDIRECT, &id, true), 0);
	for (i = 13; i < 19; i++) {
		s[0].gpa = rx.id_buf[i];
		s[0].len = 2048;
		id = i;
		CHECK_EQ(gp_post(&rx, s, 1, GP_WRITE, &id, true), 0);
	}
	/* 19 buffers over 20 slots */
	for (i = 0; i < 19; i++)
		pkts[i] = mk_pkt(pool, 64 + i * 3, 300 + i);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 19), 19);
	for (i = 0; i < 19; i++) {
		uint32_t len = 64 + i * 3;

		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 12 + len);
		CHECK_EQ(u.ndesc, i == 8 ? 2 : 1);
		CHECK(hdr_ok(gp_buf(&rx, i), 12, 1));
		CHECK(bytes_are(gp_buf(&rx, i) + 12, len, 300 + i));
	}
	CHECK_EQ(rx.vq->last_avail_idx, 20);
	CHECK_EQ(rx.vq->stats.packets, 19);
	CHECK_EQ(err_total(&rx), 0);
	CHECK_EQ(gp_irq_count(&rx), 1);
	check_position(&rx);

	/* TX: same shapes */
	n = 0;
	for (i = 0; i < 8; i++) {
		gp_pattern(pat, 60 + i, 400 + n);
		CHECK_EQ(gp_post_tx(&tx, pat, 60 + i, 1, false, &id), 0);
		n++;
	}
	gp_pattern(pat, 1000, 400 + n);
	CHECK_EQ(gp_post_tx(&tx, pat, 1000, 3, false, &id), 0);
	n++;
	for (i = 0; i < 3; i++) {
		gp_pattern(pat, 100, 400 + n);
		CHECK_EQ(gp_post_tx(&tx, pat, 100, 1, false, &id), 0);
		n++;
	}
	gp_pattern(pat, 500, 400 + n);
	CHECK_EQ(gp_post_tx(&tx, pat, 500, 4, true, &id), 0);
	n++;
	for (i = 0; i < 6; i++) {
		gp_pattern(pat, 64, 400 + n);
		CHECK_EQ(gp_post_tx(&tx, pat, 64, 1, false, &id), 0);
		n++;
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 32), n);
	for (i = 0; i < n; i++) {
		uint32_t len = i < 8 ? 60u + i : i == 8 ? 1000u :
			i < 12 ? 100u : i == 12 ? 500u : 64u;

		CHECK(mbuf_is(pkts[i], len, 400 + i));
		CHECK_EQ(gp_get_used(&tx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 0);
		CHECK_EQ(u.ndesc, i == 8 ? 3 : 1);
	}
	free_pkts(pkts, n);
	CHECK_EQ(tx.vq->stats.packets, n);
	check_position(&tx);
	gp_free(&rx);
	teardown(&tx);
}

/* Many laps, bursts straddling the wrap, mixed shapes. */
static void
test_wrap_many(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[16];
	struct gp_used u;
	uint32_t seed = 1000, it, laps_rx = 0, laps_tx = 0;
	uint8_t last_wrap_rx = 1, last_wrap_tx = 1;
	uint64_t npk_rx = 0, npk_tx = 0, bytes_rx = 0;
	uint16_t id, i, k;
	bool ok_rx = true, ok_tx = true;

	mem_setup();
	ring_setup(&rx, 8, 2048, VHP_VQ_F_INDIRECT, 12);
	ring_setup(&tx, 8, 2048, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);
	for (it = 0; it < 600; it++) {
		uint16_t ids[16];
		uint32_t lens[16];
		uint32_t seeds[16];
		unsigned int shape = it % 5;

		/* RX: post k buffers of varying shapes */
		k = (uint16_t)(1 + (it * 7) % 8);
		for (i = 0; i < k; i++) {
			struct gp_seg s[2];
			int rc;

			if (rx.nfree_ids == 0 || rx.num_free == 0)
				break;
			if (shape == 1 && rx.num_free >= 2) {
				id = rx.free_ids[rx.nfree_ids - 1];
				s[0].gpa = rx.id_buf[id];
				s[0].len = 40;
				s[1].gpa = rx.id_buf[id] + 40;
				s[1].len = 2008;
				rc = gp_post(&rx, s, 2, GP_WRITE, &id, false);
			} else if (shape == 3) {
				id = rx.free_ids[rx.nfree_ids - 1];
				s[0].gpa = rx.id_buf[id];
				s[0].len = 2048;
				rc = gp_post(&rx, s, 1, GP_WRITE | GP_INDIRECT,
					     &id, false);
			} else {
				rc = gp_post_rx(&rx, 0, &id);
			}
			if (rc != 0)
				break;
			ids[i] = id;
		}
		k = i;
		for (i = 0; i < k; i++) {
			lens[i] = 60 + (seed % 1400);
			seeds[i] = seed++;
			pkts[i] = mk_pkt(pool, lens[i], seeds[i]);
		}
		if (vhp_packed_enqueue(rx.vq, pkts, k) != k)
			ok_rx = false;
		for (i = 0; i < k; i++) {
			if (gp_get_used(&rx, &u) != 1 || u.id != ids[i] ||
			    u.len != 12 + lens[i] ||
			    !hdr_ok(gp_buf(&rx, u.id), 12, 1) ||
			    !bytes_are(gp_buf(&rx, u.id) + 12, lens[i],
				       seeds[i]))
				ok_rx = false;
			npk_rx++;
			bytes_rx += lens[i];
		}
		if (rx.vq->avail_wrap != last_wrap_rx) {
			laps_rx++;
			last_wrap_rx = rx.vq->avail_wrap;
		}
		if (rx.vq->last_avail_idx != rx.next_avail ||
		    rx.vq->avail_wrap != rx.avail_wrap ||
		    rx.vq->last_used_idx != rx.next_used ||
		    rx.vq->used_wrap != rx.used_wrap)
			ok_rx = false;

		/* TX */
		k = (uint16_t)(1 + (it * 5) % 8);
		for (i = 0; i < k; i++) {
			lens[i] = 60 + (seed % 1900);
			seeds[i] = seed++;
			gp_pattern(pat, lens[i], seeds[i]);
			if (gp_post_tx(&tx, pat, lens[i],
				       shape == 2 ? 2 : 1, shape == 4,
				       &ids[i]) != 0)
				break;
		}
		k = i;
		if (vhp_packed_dequeue(tx.vq, pool, pkts, 16) != k) {
			if (ok_tx)
				fprintf(stderr, "TX burst %u: short\n", it);
			ok_tx = false;
		}
		for (i = 0; i < k; i++) {
			if (!mbuf_is(pkts[i], lens[i], seeds[i]) ||
			    gp_get_used(&tx, &u) != 1 || u.id != ids[i] ||
			    u.len != 0) {
				if (ok_tx)
					fprintf(stderr, "TX burst %u pkt %u: "
						"bad (shape %u)\n", it, i,
						shape);
				ok_tx = false;
			}
			rte_pktmbuf_free(pkts[i]);
			npk_tx++;
		}
		if (tx.vq->avail_wrap != last_wrap_tx) {
			laps_tx++;
			last_wrap_tx = tx.vq->avail_wrap;
		}
		if (tx.vq->last_avail_idx != tx.next_avail ||
		    tx.vq->avail_wrap != tx.avail_wrap ||
		    tx.vq->last_used_idx != tx.next_used ||
		    tx.vq->used_wrap != tx.used_wrap)
			ok_tx = false;
	}
	CHECK(ok_rx);
	CHECK(ok_tx);
	CHECK(laps_rx > 100);
	CHECK(laps_tx > 100);
	CHECK_EQ(rx.vq->stats.packets, npk_rx);
	CHECK_EQ(rx.vq->stats.bytes, bytes_rx);
	CHECK_EQ(tx.vq->stats.packets, npk_tx);
	CHECK_EQ(err_total(&rx) + err_total(&tx), 0);
	CHECK_EQ(rx.vq->stats.dropped, 0);
	check_position(&rx);
	check_position(&tx);
	gp_free(&rx);
	teardown(&tx);
}

/* Headers split across descriptors, chains and indirect both ways. */
static void
test_chain_indirect(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[4];
	struct gp_used u;
	struct gp_seg s[4];
	uint8_t *b;
	uint16_t id;

	mem_setup();
	ring_setup(&rx, 16, 4096, VHP_VQ_F_INDIRECT | VHP_VQ_F_MRG_RXBUF, 12);
	ring_setup(&tx, 16, 4096, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);

	/* RX chain: 5 + 3 + 4 header bytes, then the data in two pieces */
	id = 0;
	rx.nfree_ids = 0;
	s[0].gpa = rx.id_buf[0];
	s[0].len = 5;
	s[1].gpa = rx.id_buf[0] + 100;	/* not contiguous */
	s[1].len = 3;
	s[2].gpa = rx.id_buf[0] + 200;
	s[2].len = 504;
	s[3].gpa = rx.id_buf[0] + 1000;
	s[3].len = 3000;
	memset(gp_buf(&rx, 0), 0xee, 4096);
	CHECK_EQ(gp_post(&rx, s, 4, GP_WRITE, &id, true), 0);
	pkts[0] = mk_pkt(pool, 2500, 77);	/* two mbuf segments */
	CHECK_EQ(pkts[0]->nb_segs, 2);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.id, 0);
	CHECK_EQ(u.len, 2512);
	CHECK_EQ(u.ndesc, 4);
	b = gp_buf(&rx, 0);
	{
		uint8_t hdr[12];

		memcpy(hdr, b, 5);
		memcpy(hdr + 5, b + 100, 3);
		memcpy(hdr + 8, b + 200, 4);
		CHECK(hdr_ok(hdr, 12, 1));
		gp_pattern(pat, 2500, 77);
		CHECK(memcmp(b + 204, pat, 500) == 0);
		CHECK(memcmp(b + 1000, pat + 500, 2000) == 0);
		CHECK_EQ(b[5], 0xee);
		CHECK_EQ(b[1000 + 2000], 0xee);
	}

	/* RX indirect with the num_buffers bytes split 1 + 1 */
	id = 1;
	s[0].gpa = rx.id_buf[1];
	s[0].len = 11;
	s[1].gpa = rx.id_buf[1] + 64;
	s[1].len = 1;
	s[2].gpa = rx.id_buf[1] + 128;
	s[2].len = 1000;
	memset(gp_buf(&rx, 1), 0xee, 4096);
	CHECK_EQ(gp_post(&rx, s, 3, GP_WRITE | GP_INDIRECT, &id, true), 0);
	pkts[0] = mk_pkt(pool, 999, 78);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.id, 1);
	CHECK_EQ(u.len, 12 + 999);
	CHECK_EQ(u.ndesc, 1);
	b = gp_buf(&rx, 1);
	CHECK_EQ(b[10], 1);
	CHECK_EQ(b[64], 0);
	CHECK(bytes_are(b + 128, 999, 78));
	CHECK_EQ(err_total(&rx), 0);

	/* TX: header split over 3 descriptors, indirect of 4 */
	gp_pattern(pat, 3000, 79);
	CHECK_EQ(gp_post_tx(&tx, pat, 3000, 4, false, &id), 0);
	gp_pattern(pat, 64, 80);
	CHECK_EQ(gp_post_tx(&tx, pat, 64, 30, false, &id), -1);
	gp_pattern(pat, 2000, 81);
	CHECK_EQ(gp_post_tx(&tx, pat, 2000, 4, true, &id), 0);
	/* the 30-descriptor chain does not fit: 16 slots */
	CHECK_EQ(tx.num_free, 16 - 4 - 1);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 2);
	CHECK(mbuf_is(pkts[0], 3000, 79));
	CHECK_EQ(pkts[0]->nb_segs, 2);
	CHECK(mbuf_is(pkts[1], 2000, 81));
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.ndesc, 4);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.ndesc, 1);
	free_pkts(pkts, 2);
	/* header split exactly into 12 one-byte descriptors + data */
	gp_pattern(pat, 4, 82);
	CHECK_EQ(gp_post_tx(&tx, pat, 4, 16, false, &id), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 1);
	CHECK(mbuf_is(pkts[0], 4, 82));
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.ndesc, 16);
	rte_pktmbuf_free(pkts[0]);
	CHECK_EQ(err_total(&tx), 0);
	check_position(&rx);
	check_position(&tx);
	gp_free(&rx);
	teardown(&tx);
}

static void
test_mergeable(void)
{
	struct guest_packed gp;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	uint16_t id, i, first;
	uint8_t *b;

	mem_setup();
	ring_setup(&gp, 16, 1024, VHP_VQ_F_MRG_RXBUF, 12);
	for (i = 0; i < 4; i++)
		CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	pkts[0] = mk_pkt(pool, 3000, 90);
	pkts[1] = mk_pkt(pool, 64, 91);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 2), 2);
	gp_pattern(pat, 3000, 90);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, i < 2 ? 1024 : 3012 - 2048);
	}
	b = gp_buf(&gp, 0);
	CHECK(hdr_ok(b, 12, 3));
	CHECK(memcmp(b + 12, pat, 1012) == 0);
	CHECK(memcmp(gp_buf(&gp, 1), pat + 1012, 1024) == 0);
	CHECK(memcmp(gp_buf(&gp, 2), pat + 2036, 964) == 0);
	CHECK_EQ(gp_get_used(&gp, &u), 1);
	CHECK_EQ(u.id, 3);
	CHECK_EQ(u.len, 12 + 64);
	CHECK(hdr_ok(gp_buf(&gp, 3), 12, 1));
	CHECK(bytes_are(gp_buf(&gp, 3) + 12, 64, 91));
	CHECK_EQ(gp.vq->stats.packets, 2);
	CHECK_EQ(gp.vq->stats.bytes, 3064);

	/* not enough buffers: the packet stays with the caller */
	CHECK_EQ(gp_post_rx(&gp, 0, &first), 0);
	pkts[0] = mk_pkt(pool, 3000, 92);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 1), 0);
	CHECK_EQ(gp.vq->stats.dropped, 0);
	CHECK_EQ(gp_get_used(&gp, &u), 0);
	CHECK_EQ(gp.vq->last_avail_idx, 4);
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 1), 1);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.len, i < 2 ? 1024 : 964);
	}
	CHECK(hdr_ok(gp_buf(&gp, first), 12, 3));
	CHECK_EQ(err_total(&gp), 0);
	check_position(&gp);

	/* a batch of small packets with MRG: num_buffers 1 */
	for (i = 0; i < 9; i++)
		CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	CHECK_EQ(gp.next_avail, 0);	/* wrapped: slots 7..15 */
	for (i = 0; i < 5; i++)
		pkts[i] = mk_pkt(pool, 100, 93 + i);
	/* slot 7 single, then slots 8..11 as a batch */
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 5), 5);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.len, 112);
		CHECK(hdr_ok(gp_buf(&gp, u.id), 12, 1));
		CHECK(bytes_are(gp_buf(&gp, u.id) + 12, 100, 93 + i));
	}
	teardown(&gp);
}

/* Mergeable buffers: a chained mbuf over single descriptors across the
 * ring end (the gathered path), and a packet whose third buffer is a
 * chain (the whole packet on the general path, nothing taken twice). */
static void
test_mergeable_gather(void)
{
	struct guest_packed gp;
	struct rte_mbuf *pkts[16];
	struct gp_used u;
	struct gp_seg s[2];
	uint16_t id, i, ids[9];
	uint32_t off;

	mem_setup();
	ring_setup(&gp, 16, 1024, VHP_VQ_F_MRG_RXBUF, 12);
	/* move to slot 10 */
	for (i = 0; i < 10; i++) {
		CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
		pkts[i] = mk_pkt(pool, 60, 100 + i);
	}
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 10), 10);
	for (i = 0; i < 10; i++)
		CHECK_EQ(gp_get_used(&gp, &u), 1);
	/* 9000 bytes in 5 segments over 9 buffers, slots 10..15, 0..2 */
	for (i = 0; i < 9; i++)
		CHECK_EQ(gp_post_rx(&gp, 0, &ids[i]), 0);
	pkts[0] = mk_pkt(pool, 9000, 120);
	CHECK_EQ(pkts[0]->nb_segs, 5);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 1), 1);
	gp_pattern(pat, 9000, 120);
	off = 0;
	for (i = 0; i < 9; i++) {
		uint32_t want = i == 0 ? 1012 : i < 8 ? 1024 : 9012 - 8 * 1024;

		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.id, ids[i]);
		CHECK_EQ(u.ndesc, 1);
		CHECK_EQ(u.len, i == 0 ? 1024 : want);
		if (i == 0)
			CHECK(hdr_ok(gp_buf(&gp, u.id), 12, 9));
		CHECK(memcmp(gp_buf(&gp, u.id) + (i == 0 ? 12 : 0),
			     pat + off, want) == 0);
		off += want;
	}
	CHECK_EQ(off, 9000);
	CHECK_EQ(gp.vq->last_avail_idx, 3);
	check_position(&gp);
	teardown(&gp);

	/* 1024, 1024, then a chain of 500 + 524: the general path */
	mem_setup();
	ring_setup(&gp, 16, 1024, VHP_VQ_F_MRG_RXBUF, 12);
	CHECK_EQ(gp_post_rx(&gp, 0, &ids[0]), 0);
	CHECK_EQ(gp_post_rx(&gp, 0, &ids[1]), 0);
	gp.nfree_ids = 0;	/* ids chosen by hand from here */
	id = 2;
	s[0].gpa = gp.id_buf[2];
	s[0].len = 500;
	s[1].gpa = gp.id_buf[2] + 500;
	s[1].len = 524;
	CHECK_EQ(gp_post(&gp, s, 2, GP_WRITE, &id, true), 0);
	pkts[0] = mk_pkt(pool, 3000, 121);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 1), 1);
	gp_pattern(pat, 3000, 121);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(gp_get_used(&gp, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.ndesc, i == 2 ? 2 : 1);
		CHECK_EQ(u.len, i < 2 ? 1024 : 3012 - 2048);
	}
	CHECK(hdr_ok(gp_buf(&gp, 0), 12, 3));
	CHECK(memcmp(gp_buf(&gp, 0) + 12, pat, 1012) == 0);
	CHECK(memcmp(gp_buf(&gp, 1), pat + 1012, 1024) == 0);
	CHECK(memcmp(gp_buf(&gp, 2), pat + 2036, 964) == 0);
	CHECK_EQ(gp.vq->stats.packets, 1);
	CHECK_EQ(gp.vq->stats.bytes, 3000);
	CHECK_EQ(err_total(&gp), 0);
	check_position(&gp);
	teardown(&gp);
}

static void
test_in_order(void)
{
	struct guest_packed tx, rx;
	struct rte_mbuf *pkts[16];
	struct gp_used u;
	uint16_t id, i, last = 0;

	mem_setup();
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX | VHP_VQ_F_IN_ORDER, 12);
	ring_setup(&rx, 16, 2048, VHP_VQ_F_IN_ORDER, 12);
	for (i = 0; i < 6; i++) {
		gp_pattern(pat, 64 + i, 500 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, 64 + i, i == 4 ? 2 : 1, false,
				    &last), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 16), 6);
	for (i = 0; i < 6; i++)
		CHECK(mbuf_is(pkts[i], 64 + i, 500 + i));
	free_pkts(pkts, 6);
	/* one used descriptor for the burst: the last id */
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.id, last);
	CHECK_EQ(u.slot, 0);
	CHECK_EQ(u.nbufs, 6);
	CHECK_EQ(u.ndesc, 7);
	CHECK_EQ(u.len, 0);
	CHECK_EQ(gp_get_used(&tx, &u), 0);
	/* the next burst writes at slot 7, across the wrap */
	for (i = 0; i < 12; i++) {
		gp_pattern(pat, 70, 600 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, 70, 1, false, &last), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 16), 12);
	for (i = 0; i < 12; i++)
		CHECK(mbuf_is(pkts[i], 70, 600 + i));
	free_pkts(pkts, 12);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.slot, 7);
	CHECK_EQ(u.id, last);
	CHECK_EQ(u.nbufs, 12);
	CHECK_EQ(tx.vq->used_wrap, 0);
	check_position(&tx);

	/* RX with IN_ORDER keeps one entry per buffer (lengths differ) */
	for (i = 0; i < 5; i++)
		CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
	for (i = 0; i < 5; i++)
		pkts[i] = mk_pkt(pool, 80 + i, 700 + i);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 5), 5);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.nbufs, 1);
		CHECK_EQ(u.len, 92 + i);
		CHECK(bytes_are(gp_buf(&rx, u.id) + 12, 80 + i, 700 + i));
	}
	gp_free(&rx);
	teardown(&tx);
}

static void
test_jumbo(void)
{
	struct guest_packed tx, rx, mrx;
	struct rte_mbuf *pkts[4], *m;
	struct gp_used u;
	uint16_t id, i;
	uint8_t *b;

	mem_setup();
	ring_setup(&tx, 16, 9100, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);
	ring_setup(&rx, 16, 9100, 0, 12);
	ring_setup(&mrx, 16, 2048, VHP_VQ_F_MRG_RXBUF, 12);

	gp_pattern(pat, 9000, 800);
	CHECK_EQ(gp_post_tx(&tx, pat, 9000, 1, false, &id), 0);
	gp_pattern(pat, 9000, 801);
	CHECK_EQ(gp_post_tx(&tx, pat, 9000, 3, false, &id), 0);
	gp_pattern(pat, 9000, 802);
	CHECK_EQ(gp_post_tx(&tx, pat, 9000, 2, true, &id), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 3);
	for (i = 0; i < 3; i++) {
		CHECK(mbuf_is(pkts[i], 9000, 800 + i));
		CHECK_EQ(pkts[i]->nb_segs, 5);
		CHECK_EQ(rte_mbuf_check(pkts[i], 1, NULL), 0);
		for (m = pkts[i]; m->next != NULL; m = m->next)
			CHECK_EQ(m->data_len, 2048);
		CHECK_EQ(m->data_len, 9000 - 4 * 2048);
		CHECK_EQ(gp_get_used(&tx, &u), 1);
	}
	CHECK_EQ(tx.vq->stats.bytes, 27000);

	/* 9000-byte chained mbuf into one 9012-byte guest buffer */
	CHECK_EQ(gp_post_rx(&rx, 9012, &id), 0);
	CHECK_EQ(gp_post_rx(&rx, 9011, &id), 0);	/* one byte short */
	pkts[3] = mk_pkt(pool, 9000, 803);
	CHECK_EQ(pkts[3]->nb_segs, 5);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, &pkts[3], 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.len, 9012);
	CHECK(hdr_ok(gp_buf(&rx, 0), 12, 1));
	CHECK(bytes_are(gp_buf(&rx, 0) + 12, 9000, 803));
	/* too small without MRG: the packet is dropped (taken, counted),
	 * the buffer stays available for the next packet */
	CHECK_EQ(vhp_packed_enqueue(rx.vq, &pkts[0], 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 0);
	CHECK_EQ(rx.vq->stats.dropped, 1);
	CHECK_EQ(err(&rx, VHP_ERR_LEN), 0);
	CHECK_EQ(rx.vq->stats.packets, 1);

	/* mergeable: 9012 bytes over five 2048-byte buffers */
	for (i = 0; i < 6; i++)
		CHECK_EQ(gp_post_rx(&mrx, 0, &id), 0);
	CHECK_EQ(vhp_packed_enqueue(mrx.vq, &pkts[1], 1), 1);
	b = gp_buf(&mrx, 0);
	CHECK(hdr_ok(b, 12, 5));
	gp_pattern(pat, 9000, 801);
	for (i = 0; i < 5; i++) {
		uint32_t exp = i < 4 ? 2048 : 9012 - 4 * 2048;

		CHECK_EQ(gp_get_used(&mrx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, exp);
		if (i == 0)
			CHECK(memcmp(b + 12, pat, 2036) == 0);
		else
			CHECK(memcmp(gp_buf(&mrx, i), pat + 2036 +
				     (i - 1) * 2048, exp) == 0);
	}
	CHECK_EQ(gp_get_used(&mrx, &u), 0);
	CHECK_EQ(mrx.vq->stats.bytes, 9000);
	/* the sixth buffer is still available */
	CHECK_EQ(mrx.vq->last_avail_idx, 5);
	CHECK_EQ(mrx.vq->last_used_idx, 5);
	CHECK_EQ(mrx.vq->shadow_count, 0);
	rte_pktmbuf_free(pkts[2]);
	gp_free(&rx);
	gp_free(&mrx);
	teardown(&tx);
}

/* Enqueue @n 64-byte packets after posting @n buffers; return irqs. */
static uint64_t
rx_burst_irq(struct guest_packed *gp, uint16_t n)
{
	struct rte_mbuf *pkts[32];
	struct gp_used u;
	uint16_t id, i;

	for (i = 0; i < n; i++) {
		if (gp_post_rx(gp, 0, &id) != 0)
			return 99;
		pkts[i] = mk_pkt(pool, 64, i);
	}
	if (vhp_packed_enqueue(gp->vq, pkts, n) != n)
		return 98;
	for (i = 0; i < n; i++)
		if (gp_get_used(gp, &u) != 1)
			return 97;
	return gp_irq_count(gp);
}

static void
test_event_suppression(void)
{
	struct guest_packed gp, tx;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	uint16_t id;

	mem_setup();
	ring_setup(&gp, 16, 2048, VHP_VQ_F_EVENT_IDX, 12);
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX, 12);

	/* kick suppression at ring start */
	vhp_vq_suppress_kicks(gp.vq);
	CHECK_EQ(__atomic_load_n(&gp.device_event->flags, __ATOMIC_ACQUIRE),
		 VRING_EVENT_F_DISABLE);

	/* ENABLE: one write per burst, even for a burst of 8 */
	gp_set_driver_event(&gp, VRING_EVENT_F_ENABLE, 0, 0);
	CHECK_EQ(rx_burst_irq(&gp, 2), 1);	/* used 2 */
	/* DESC: off 5 in this lap */
	gp_set_driver_event(&gp, VRING_EVENT_F_DESC, 5, 1);
	CHECK_EQ(rx_burst_irq(&gp, 2), 0);	/* used 2 -> 4 */
	CHECK_EQ(gp.vq->stats.notifications_suppressed, 1);
	CHECK_EQ(rx_burst_irq(&gp, 2), 1);	/* 4 -> 6 passes 5 */
	/* DESC in the next lap: off 2, wrap 0 */
	gp_set_driver_event(&gp, VRING_EVENT_F_DESC, 2, 0);
	CHECK_EQ(rx_burst_irq(&gp, 8), 0);	/* 6 -> 14 */
	CHECK_EQ(rx_burst_irq(&gp, 4), 0);	/* 14 -> 2 (wrapped) */
	CHECK_EQ(gp.vq->used_wrap, 0);
	CHECK_EQ(rx_burst_irq(&gp, 1), 1);	/* 2 -> 3 passes 2 */
	/* DESC asking for the index just reached in a large burst */
	gp_set_driver_event(&gp, VRING_EVENT_F_DESC, 10, 0);
	CHECK_EQ(rx_burst_irq(&gp, 8), 1);	/* 3 -> 11 */
	/* DISABLE */
	gp_set_driver_event(&gp, VRING_EVENT_F_DISABLE, 0, 0);
	CHECK_EQ(rx_burst_irq(&gp, 3), 0);
	CHECK_EQ(rx_burst_irq(&gp, 8), 0);
	CHECK_EQ(gp.vq->stats.notifications, 4);
	CHECK_EQ(gp.vq->stats.notifications_suppressed, 5);
	/* ENABLE again */
	gp_set_driver_event(&gp, VRING_EVENT_F_ENABLE, 0, 0);
	CHECK_EQ(rx_burst_irq(&gp, 8), 1);
	CHECK_EQ(rx_burst_irq(&gp, 1), 1);
	CHECK_EQ(gp.vq->stats.notifications, 6);
	/* 47 used so far: one more ends the lap (used_wrap 1 -> 0) */
	CHECK_EQ(gp.vq->last_used_idx, 15);
	CHECK_EQ(rx_burst_irq(&gp, 1), 1);
	CHECK_EQ(gp.vq->used_wrap, 0);
	/* offset 5 of the *next* lap (wrap 1): 0 -> 8 must not notify */
	gp_set_driver_event(&gp, VRING_EVENT_F_DESC, 5, 1);
	CHECK_EQ(rx_burst_irq(&gp, 8), 0);
	/* 8 -> 16 wraps to 0, used_wrap 1: offset 5 of the new lap is not
	 * reached yet */
	CHECK_EQ(rx_burst_irq(&gp, 8), 0);
	CHECK_EQ(gp.vq->used_wrap, 1);
	CHECK_EQ(rx_burst_irq(&gp, 6), 1);	/* 0 -> 6 passes 5 */

	/* DESC without EVENT_IDX negotiated: treated as ENABLE */
	gp_set_driver_event(&tx, VRING_EVENT_F_DESC, 100, 1);
	gp_pattern(pat, 64, 1);
	CHECK_EQ(gp_post_tx(&tx, pat, 64, 1, false, &id), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 1);
	rte_pktmbuf_free(pkts[0]);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(gp_irq_count(&tx), 1);
	gp_set_driver_event(&tx, VRING_EVENT_F_DISABLE, 0, 0);
	CHECK_EQ(gp_post_tx(&tx, pat, 64, 1, false, &id), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 1);
	rte_pktmbuf_free(pkts[0]);
	CHECK_EQ(gp_irq_count(&tx), 0);
	CHECK_EQ(tx.vq->stats.notifications_suppressed, 1);
	/* empty bursts neither notify nor count */
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 0);
	CHECK_EQ(tx.vq->stats.notifications_suppressed, 1);
	gp_free(&tx);
	teardown(&gp);
}

/* Stop a ring, rebuild the queue from its saved position, continue. */
static void
test_restart(void)
{
	struct guest_packed gp, tx;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	uint16_t id, i, round;
	uint32_t base;

	mem_setup();
	ring_setup(&gp, 8, 2048, 0, 12);
	ring_setup(&tx, 8, 2048, VHP_VQ_F_TX, 12);
	for (round = 0; round < 7; round++) {
		for (i = 0; i < 5; i++) {
			CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
			pkts[i] = mk_pkt(pool, 70 + i, round * 10 + i);
		}
		CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 5), 5);
		for (i = 0; i < 5; i++) {
			CHECK_EQ(gp_get_used(&gp, &u), 1);
			CHECK(bytes_are(gp_buf(&gp, u.id) + 12, 70 + i,
					round * 10 + i));
		}
		for (i = 0; i < 3; i++) {
			gp_pattern(pat, 90 + i, 50 + round * 10 + i);
			CHECK_EQ(gp_post_tx(&tx, pat, 90 + i, 1, false, &id),
				 0);
		}
		CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 3);
		for (i = 0; i < 3; i++) {
			CHECK(mbuf_is(pkts[i], 90 + i, 50 + round * 10 + i));
			rte_pktmbuf_free(pkts[i]);
			CHECK_EQ(gp_get_used(&tx, &u), 1);
		}
		/* GET_VRING_BASE: bits 0-14 index, bit 15 wrap */
		check_position(&gp);
		base = gp.vq->last_avail_idx |
			((uint32_t)gp.vq->avail_wrap << 15);
		CHECK_EQ(gp_rebuild_vq(&gp, base & 0x7fff, base >> 15,
				       base & 0x7fff, base >> 15), 0);
		check_position(&tx);
		base = tx.vq->last_avail_idx |
			((uint32_t)tx.vq->avail_wrap << 15);
		CHECK_EQ(gp_rebuild_vq(&tx, base & 0x7fff, base >> 15,
				       base & 0x7fff, base >> 15), 0);
	}
	/* buffers posted while stopped are picked up after the restart */
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	CHECK_EQ(gp_rebuild_vq(&gp, gp.vq->last_avail_idx, gp.vq->avail_wrap,
			       gp.vq->last_used_idx, gp.vq->used_wrap), 0);
	pkts[0] = mk_pkt(pool, 66, 1);
	pkts[1] = mk_pkt(pool, 67, 2);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 2), 2);
	CHECK_EQ(gp_get_used(&gp, &u), 1);
	CHECK_EQ(u.len, 78);
	CHECK_EQ(gp_get_used(&gp, &u), 1);
	CHECK_EQ(u.len, 79);
	check_position(&gp);
	gp_free(&tx);
	teardown(&gp);
}

/* A descriptor for raw posts. */
static struct vring_packed_desc
rd(uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	struct vring_packed_desc d = {
		.addr = addr, .len = len, .id = id, .flags = flags,
	};
	return d;
}

static void
test_bad_id(void)
{
	struct guest_packed gp, tx;
	struct rte_mbuf *pkts[4];
	struct vring_packed_desc d[3];
	uint16_t id;

	mem_setup();
	ring_setup(&gp, 16, 2048, 0, 12);
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX, 12);

	/* RX: a good buffer then id 16 in a ring of 16 */
	CHECK_EQ(gp_post_rx(&gp, 0, &id), 0);
	d[0] = rd(gp.id_buf[1], 2048, 16, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&gp, d, 1), 0);
	pkts[0] = mk_pkt(pool, 64, 1);
	pkts[1] = mk_pkt(pool, 64, 2);
	CHECK_EQ(vhp_packed_enqueue(gp.vq, pkts, 2), 1);
	CHECK_EQ(err(&gp, VHP_ERR_INDEX), 1);
	CHECK_EQ(gp.vq->broken, 1);
	CHECK_EQ(gp.vq->ready, 0);
	CHECK_EQ(gp.vq->stats.broken, 1);
	/* the good one before it was still published */
	CHECK_EQ(gp.vq->last_used_idx, 1);
	CHECK_EQ(gp.desc[0].flags & USED_BITS, USED_BITS);
	/* broken: nothing more */
	CHECK_EQ(vhp_packed_enqueue(gp.vq, &pkts[1], 1), 0);
	rte_pktmbuf_free(pkts[1]);

	/* TX: chain whose last descriptor (the id) is out of range */
	d[0] = rd(tx.id_buf[0], 12, 0, VRING_DESC_F_NEXT);
	d[1] = rd(tx.id_buf[0] + 12, 64, 0xffff, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 2), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 0);
	CHECK_EQ(err(&tx, VHP_ERR_INDEX), 1);
	CHECK_EQ(tx.vq->broken, 1);
	CHECK_EQ(tx.vq->last_used_idx, 0);
	gp_free(&tx);
	teardown(&gp);
}

static void
test_bad_chain(void)
{
	struct guest_packed tx;
	struct rte_mbuf *pkts[4];
	struct vring_packed_desc d[16];
	unsigned int avail0 = rte_mempool_avail_count(pool);
	uint16_t i;

	/* a chain through all 16 slots that never ends */
	mem_setup();
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX, 12);
	for (i = 0; i < 16; i++)
		d[i] = rd(tx.id_buf[0], 64, 0, VRING_DESC_F_NEXT);
	CHECK_EQ(gp_post_raw(&tx, d, 16), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 0);
	CHECK_EQ(err(&tx, VHP_ERR_CHAIN), 1);
	CHECK_EQ(tx.vq->broken, 1);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);
	teardown(&tx);
}

static void
test_bad_indirect(void)
{
	struct guest_packed tx, rx;
	struct rte_mbuf *pkts[8];
	struct vring_packed_desc d[2], *t;
	struct gp_used u;
	uint64_t tgpa;
	uint16_t id;

	mem_setup();
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);
	ring_setup(&rx, 16, 2048, 0, 12);	/* no INDIRECT feature */
	tgpa = tx.id_table[0];
	t = guest_mem_ptr(&gm, tgpa);
	t[0] = rd(tx.id_buf[0], 12, 0, 0);
	t[1] = rd(tx.id_buf[0] + 12, 64, 0, 0);
	t[2] = rd(tx.id_buf[0] + 12, 64, 0, VRING_DESC_F_INDIRECT);

	/* len not a multiple of 16 */
	d[0] = rd(tgpa, 24, 0, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* more entries than the ring size */
	d[0] = rd(tgpa, 17 * 16, 1, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* zero length */
	d[0] = rd(tgpa, 0, 2, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* nested */
	d[0] = rd(tgpa, 3 * 16, 3, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* INDIRECT with NEXT (two slots) */
	d[0] = rd(tgpa, 2 * 16, 4, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	d[1] = rd(tx.id_buf[1], 64, 4, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 2), 0);
	/* table outside guest memory */
	d[0] = rd(GPA_BASE + MEM_SIZE, 32, 5, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* WRITE on TX table entries is accepted (DPDK's virtio PMD sets it
	 * on the header entry of every packed indirect table) */
	t = guest_mem_ptr(&gm, tx.id_table[1]);
	t[0] = rd(tx.id_buf[1], 12, 0, VRING_DESC_F_WRITE);
	t[1] = rd(tx.id_buf[1] + 12, 64, 0,
		  VRING_DESC_F_NEXT | VRING_PACKED_DESC_F_AVAIL);
	gp_pattern(pat, 64, 6);
	memcpy(gp_buf(&tx, 1) + 12, pat, 64);
	d[0] = rd(tx.id_table[1], 32, 6, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* and a good one: 2 entries */
	gp_pattern(pat, 64, 5);
	memset(gp_buf(&tx, 0), 0, 12);
	memcpy(gp_buf(&tx, 0) + 12, pat, 64);
	d[0] = rd(tgpa, 2 * 16, 7, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);

	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 2);
	CHECK(mbuf_is(pkts[0], 64, 6));
	CHECK(mbuf_is(pkts[1], 64, 5));
	free_pkts(pkts, 2);
	for (id = 0; id < 8; id++) {
		CHECK_EQ(gp_get_used(&tx, &u), 1);
		CHECK_EQ(u.id, id);
		CHECK_EQ(u.len, 0);
		CHECK_EQ(u.ndesc, id == 4 ? 2 : 1);
	}
	CHECK_EQ(err(&tx, VHP_ERR_INDIRECT), 5);
	CHECK_EQ(err(&tx, VHP_ERR_ADDR), 1);
	CHECK_EQ(err(&tx, VHP_ERR_CHAIN), 0);
	CHECK_EQ(tx.vq->stats.packets, 2);
	CHECK_EQ(tx.vq->broken, 0);
	check_position(&tx);

	/* RX: INDIRECT not negotiated */
	t = guest_mem_ptr(&gm, rx.id_table[0]);
	t[0] = rd(rx.id_buf[0], 2048, 0, VRING_DESC_F_WRITE);
	d[0] = rd(rx.id_table[0], 16, 0, VRING_DESC_F_INDIRECT);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	pkts[0] = mk_pkt(pool, 64, 1);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.len, 0);
	CHECK_EQ(err(&rx, VHP_ERR_INDIRECT), 1);
	CHECK_EQ(rx.vq->stats.packets, 0);
	gp_free(&rx);
	teardown(&tx);
}

static void
test_bad_addr_dir_len(void)
{
	struct guest_packed tx, rx;
	struct rte_mbuf *pkts[16];
	struct vring_packed_desc d[2];
	struct gp_used u;
	uint16_t i, id;
	unsigned int avail0 = rte_mempool_avail_count(pool);

	mem_setup();
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX, 12);
	ring_setup(&rx, 16, 2048, 0, 12);

	/* TX, slots 0..3 (a batch that falls back): good, outside memory,
	 * good, addr+len overflow */
	gp_pattern(pat, 64, 1);
	memcpy(gp_buf(&tx, 0) + 12, pat, 64);
	d[0] = rd(tx.id_buf[0], 76, 0, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	d[0] = rd(GPA_BASE + MEM_SIZE - 40, 76, 1, 0);	/* past the end */
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	d[0] = rd(tx.id_buf[0], 76, 2, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	d[0] = rd(UINT64_MAX - 20, 76, 3, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* WRITE descriptor in TX; WRITE in the middle of a TX chain */
	d[0] = rd(tx.id_buf[0], 76, 4, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	d[0] = rd(tx.id_buf[0], 12, 5, VRING_DESC_F_NEXT);
	d[1] = rd(tx.id_buf[0] + 12, 64, 5, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&tx, d, 2), 0);
	/* too short: header only, less than the header */
	d[0] = rd(tx.id_buf[0], 12, 6, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	d[0] = rd(tx.id_buf[0], 5, 7, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* huge */
	d[0] = rd(tx.id_buf[0], 1u << 20, 8, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 1), 0);
	/* the header outside memory is fine (not read); data outside not */
	d[0] = rd(tx.id_buf[0], 12, 9, VRING_DESC_F_NEXT);
	d[1] = rd(GPA_BASE + MEM_SIZE, 64, 9, 0);
	CHECK_EQ(gp_post_raw(&tx, d, 2), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 16), 2);
	CHECK(mbuf_is(pkts[0], 64, 1));
	CHECK(mbuf_is(pkts[1], 64, 1));
	free_pkts(pkts, 2);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(gp_get_used(&tx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 0);
	}
	CHECK_EQ(err(&tx, VHP_ERR_ADDR), 3);
	CHECK_EQ(err(&tx, VHP_ERR_CHAIN), 2);
	CHECK_EQ(err(&tx, VHP_ERR_LEN), 3);
	CHECK_EQ(tx.vq->stats.packets, 2);
	CHECK_EQ(tx.vq->stats.bytes, 128);
	CHECK_EQ(tx.vq->broken, 0);
	check_position(&tx);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);

	/* RX: good, read-only, outside memory, too small for the header
	 * (11 and 5 bytes), read-only in a chain, overflow. (A buffer that
	 * holds the header but not the packet is not a guest error: see
	 * test_jumbo.) */
	CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
	rx.nfree_ids = 0;
	d[0] = rd(rx.id_buf[1], 2048, 1, 0);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	d[0] = rd(GPA_BASE + MEM_SIZE - 8, 2048, 2, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	d[0] = rd(rx.id_buf[3], 11, 3, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	d[0] = rd(rx.id_buf[4], 5, 4, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	d[0] = rd(rx.id_buf[5], 12, 5, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	d[1] = rd(rx.id_buf[5] + 12, 2000, 5, 0);
	CHECK_EQ(gp_post_raw(&rx, d, 2), 0);
	d[0] = rd(UINT64_MAX, 2, 6, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	d[0] = rd(rx.id_buf[7], 2048, 7, VRING_DESC_F_WRITE);
	CHECK_EQ(gp_post_raw(&rx, d, 1), 0);
	for (i = 0; i < 8; i++)
		pkts[i] = mk_pkt(pool, 64, 10 + i);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 8), 8);
	for (i = 0; i < 8; i++) {
		uint32_t exp = (i == 0 || i == 7) ? 76 : 0;

		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, exp);
	}
	CHECK(bytes_are(gp_buf(&rx, 0) + 12, 64, 10));
	CHECK(bytes_are(gp_buf(&rx, 7) + 12, 64, 17));
	/* the read-only buffer was not written */
	CHECK_EQ(gp_buf(&rx, 1)[0], 0);
	CHECK_EQ(err(&rx, VHP_ERR_CHAIN), 2);
	CHECK_EQ(err(&rx, VHP_ERR_ADDR), 2);
	CHECK_EQ(err(&rx, VHP_ERR_LEN), 2);
	CHECK_EQ(rx.vq->stats.packets, 2);
	CHECK_EQ(rx.vq->stats.bytes, 128);
	CHECK_EQ(rx.vq->stats.dropped, 0);
	check_position(&rx);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0);
	gp_free(&rx);
	teardown(&tx);
}

/* Four aligned descriptors of the wrong direction: the batch must not
 * take them; each is dropped on its own. */
static void
test_bad_dir_batch(void)
{
	struct guest_packed tx, rx;
	struct rte_mbuf *pkts[8];
	struct vring_packed_desc d;
	struct gp_used u;
	uint16_t i;

	mem_setup();
	ring_setup(&tx, 8, 2048, VHP_VQ_F_TX, 12);
	ring_setup(&rx, 8, 2048, 0, 12);
	for (i = 0; i < 4; i++) {
		d = rd(tx.id_buf[i], 76, i, VRING_DESC_F_WRITE);
		CHECK_EQ(gp_post_raw(&tx, &d, 1), 0);
		d = rd(rx.id_buf[i], 2048, i, 0);
		CHECK_EQ(gp_post_raw(&rx, &d, 1), 0);
		pkts[i] = mk_pkt(pool, 64, i);
	}
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 4), 4);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 0);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.len, 0);
		CHECK_EQ(gp_get_used(&tx, &u), 1);
		CHECK_EQ(u.len, 0);
	}
	CHECK_EQ(err(&rx, VHP_ERR_CHAIN), 4);
	CHECK_EQ(err(&tx, VHP_ERR_CHAIN), 4);
	CHECK_EQ(rx.vq->stats.packets + tx.vq->stats.packets, 0);
	gp_free(&rx);

	/* RX indirect table with a read-only entry */
	ring_setup(&rx, 8, 2048, VHP_VQ_F_INDIRECT, 12);
	{
		struct vring_packed_desc *t = guest_mem_ptr(&gm,
							    rx.id_table[0]);

		t[0] = rd(rx.id_buf[0], 12, 0, VRING_DESC_F_WRITE);
		t[1] = rd(rx.id_buf[0] + 12, 2000, 0, 0);
		d = rd(rx.id_table[0], 32, 0, VRING_DESC_F_INDIRECT);
		CHECK_EQ(gp_post_raw(&rx, &d, 1), 0);
	}
	pkts[0] = mk_pkt(pool, 64, 1);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.len, 0);
	CHECK_EQ(err(&rx, VHP_ERR_CHAIN), 1);
	gp_free(&rx);
	teardown(&tx);
}

/* Buffers and indirect tables spanning two memory regions. */
static void
test_two_regions(void)
{
	struct guest_packed tx, rx;
	struct rte_mbuf *pkts[8];
	struct gp_seg s;
	struct gp_used u;
	uint64_t split = 8ULL << 20, gpa;
	uint16_t id, i;

	mem_setup();
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);
	ring_setup(&rx, 16, 2048, 0, 12);
	CHECK_EQ(guest_mem_split_regions(&gm, split), 0);
	CHECK_EQ(gm.mem.nregions, 2);
	/* the back-end mapping moved: rebuild the queues on it */
	CHECK_EQ(gp_rebuild_vq(&tx, 0, 1, 0, 1), 0);
	CHECK_EQ(gp_rebuild_vq(&rx, 0, 1, 0, 1), 0);
	gpa = GPA_BASE + split - 100;

	/* TX: the data crosses the region boundary */
	for (i = 0; i < 4; i++) {
		gp_pattern(pat, 500, 40 + i);
		memset(guest_mem_ptr(&gm, gpa), 0, 12);
		memcpy(guest_mem_ptr(&gm, gpa + 12), pat, 500);
		s.gpa = gpa;
		s.len = 512;
		CHECK_EQ(gp_post(&tx, &s, 1, 0, &id, false), 0);
		CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 1);
		CHECK(mbuf_is(pkts[0], 500, 40 + i));
		rte_pktmbuf_free(pkts[0]);
		CHECK_EQ(gp_get_used(&tx, &u), 1);
	}
	/* indirect table across the boundary */
	{
		struct vring_packed_desc d, *t;
		uint64_t tg = GPA_BASE + split - 16;

		t = guest_mem_ptr(&gm, tg);
		t[0] = rd(tx.id_buf[0], 12, 0, 0);
		t[1] = rd(tx.id_buf[0] + 12, 64, 0, 0);
		gp_pattern(pat, 64, 45);
		memcpy(gp_buf(&tx, 0) + 12, pat, 64);
		d = rd(tg, 32, 0, VRING_DESC_F_INDIRECT);
		CHECK_EQ(gp_post_raw(&tx, &d, 1), 0);
		CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 1);
		CHECK(mbuf_is(pkts[0], 64, 45));
		rte_pktmbuf_free(pkts[0]);
	}
	/* RX: header and data across the boundary, batch of 4 and single */
	for (i = 0; i < 5; i++) {
		s.gpa = GPA_BASE + split - 6 - i * 4096;
		s.len = 2048;
		CHECK_EQ(gp_post(&rx, &s, 1, GP_WRITE, &id, false), 0);
		pkts[i] = mk_pkt(pool, 300, 60 + i);
	}
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 5), 5);
	for (i = 0; i < 5; i++) {
		uint8_t *b = guest_mem_ptr(&gm, GPA_BASE + split - 6 -
					   i * 4096);

		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.len, 312);
		CHECK(hdr_ok(b, 12, 1));
		CHECK(bytes_are(b + 12, 300, 60 + i));
	}
	CHECK_EQ(err_total(&rx) + err_total(&tx), 0);
	gp_free(&rx);
	teardown(&tx);
}

static void
test_alloc_failure(void)
{
	struct rte_mempool *small;
	struct guest_packed tx;
	struct rte_mbuf *pkts[16], *hold[8];
	struct gp_used u;
	uint16_t id, i;

	small = rte_pktmbuf_pool_create("pk_small", 8, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	CHECK(small != NULL);
	if (small == NULL)
		return;
	mem_setup();
	ring_setup(&tx, 16, 9100, VHP_VQ_F_TX, 12);

	/* bulk allocation fails (10 > 8): per-packet path, stops at 8 */
	for (i = 0; i < 10; i++) {
		gp_pattern(pat, 100, 70 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, 100, 1, false, &id), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, small, pkts, 10), 8);
	CHECK_EQ(tx.vq->stats.alloc_failed, 1);
	for (i = 0; i < 8; i++)
		CHECK(mbuf_is(pkts[i], 100, 70 + i));
	free_pkts(pkts, 8);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, small, pkts, 10), 2);
	CHECK(mbuf_is(pkts[0], 100, 78));
	CHECK(mbuf_is(pkts[1], 100, 79));
	free_pkts(pkts, 2);
	for (i = 0; i < 10; i++)
		CHECK_EQ(gp_get_used(&tx, &u), 1);

	/* a 9000-byte frame needs 5 mbufs; only 3 left: stays in the ring */
	for (i = 0; i < 5; i++)
		hold[i] = rte_pktmbuf_alloc(small);
	gp_pattern(pat, 9000, 90);
	CHECK_EQ(gp_post_tx(&tx, pat, 9000, 1, false, &id), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, small, pkts, 1), 0);
	CHECK_EQ(tx.vq->stats.alloc_failed, 2);
	CHECK_EQ(gp_get_used(&tx, &u), 0);
	CHECK_EQ(rte_mempool_avail_count(small), 3);
	free_pkts(hold, 5);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, small, pkts, 1), 1);
	CHECK(mbuf_is(pkts[0], 9000, 90));
	rte_pktmbuf_free(pkts[0]);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(err_total(&tx), 0);
	CHECK_EQ(rte_mempool_avail_count(small), 8);
	check_position(&tx);
	teardown(&tx);
	rte_mempool_free(small);
}

/* A burst asking for more than the ring holds returns what is there. */
static void
test_burst_bound(void)
{
	struct guest_packed tx;
	struct rte_mbuf *pkts[64];
	uint16_t id, i, n;

	mem_setup();
	ring_setup(&tx, 8, 2048, VHP_VQ_F_TX, 12);
	for (i = 0; i < 8; i++) {
		gp_pattern(pat, 64, i);
		CHECK_EQ(gp_post_tx(&tx, pat, 64, 1, false, &id), 0);
	}
	n = vhp_packed_dequeue(tx.vq, pool, pkts, 64);
	CHECK_EQ(n, 8);
	free_pkts(pkts, n);
	CHECK_EQ(tx.vq->shadow_count, 0);
	check_position(&tx);
	teardown(&tx);

	/* A chain that runs on into slots this burst already consumed
	 * (6, 7, then 0): a burst never takes more than the ring size; the
	 * chain waits for the next burst. */
	mem_setup();
	ring_setup(&tx, 8, 2048, VHP_VQ_F_TX, 12);
	for (i = 0; i < 6; i++) {
		struct vring_packed_desc d = {
			.addr = tx.id_buf[i], .len = 76, .id = i, .flags = 0,
		};

		CHECK_EQ(gp_post_raw(&tx, &d, 1), 0);
	}
	{
		struct vring_packed_desc d[2] = {
			{ .addr = tx.id_buf[6], .len = 76, .id = 6,
			  .flags = VRING_DESC_F_NEXT },
			{ .addr = tx.id_buf[7], .len = 76, .id = 7,
			  .flags = VRING_DESC_F_NEXT },
		};

		CHECK_EQ(gp_post_raw(&tx, d, 2), 0);
	}
	n = vhp_packed_dequeue(tx.vq, pool, pkts, 64);
	CHECK_EQ(n, 6);
	free_pkts(pkts, n);
	CHECK_EQ(tx.vq->last_avail_idx, 6);
	CHECK_EQ(tx.vq->last_used_idx, 6);
	CHECK_EQ(tx.vq->broken, 0);
	CHECK_EQ(err_total(&tx), 0);
	teardown(&tx);
}

/* Queue sizes need not be powers of two with packed rings; a batch group
 * holding a chained mbuf falls back to the single path. */
static void
test_odd_size(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	uint32_t it, seed = 5000;
	uint16_t id, i, k;
	bool ok = true;

	mem_setup();
	ring_setup(&rx, 6, 4096, 0, 12);
	ring_setup(&tx, 6, 4096, VHP_VQ_F_TX, 12);
	for (it = 0; it < 200; it++) {
		uint32_t lens[8], seeds[8];

		k = (uint16_t)(1 + it % 6);
		for (i = 0; i < k; i++) {
			CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
			/* every 7th packet is a two-segment mbuf */
			lens[i] = (seed % 7 == 0) ? 3000 : 64 + seed % 64;
			seeds[i] = seed++;
			pkts[i] = mk_pkt(pool, lens[i], seeds[i]);
		}
		if (vhp_packed_enqueue(rx.vq, pkts, k) != k)
			ok = false;
		for (i = 0; i < k; i++)
			if (gp_get_used(&rx, &u) != 1 ||
			    u.len != 12 + lens[i] ||
			    !bytes_are(gp_buf(&rx, u.id) + 12, lens[i],
				       seeds[i]))
				ok = false;
		for (i = 0; i < k; i++) {
			lens[i] = 64 + seed % 64;
			seeds[i] = seed++;
			gp_pattern(pat, lens[i], seeds[i]);
			CHECK_EQ(gp_post_tx(&tx, pat, lens[i], 1, false, &id),
				 0);
		}
		if (vhp_packed_dequeue(tx.vq, pool, pkts, 8) != k)
			ok = false;
		for (i = 0; i < k; i++) {
			if (!mbuf_is(pkts[i], lens[i], seeds[i]) ||
			    gp_get_used(&tx, &u) != 1)
				ok = false;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	CHECK(ok);
	CHECK_EQ(err_total(&rx) + err_total(&tx), 0);
	CHECK_EQ(rx.vq->stats.packets, tx.vq->stats.packets);
	check_position(&rx);
	check_position(&tx);

	/* size 8, a batch of four where the third mbuf is chained */
	gp_free(&rx);
	ring_setup(&rx, 8, 4096, 0, 12);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
		pkts[i] = mk_pkt(pool, i == 2 ? 2500 : 100, 900 + i);
	}
	CHECK_EQ(pkts[2]->nb_segs, 2);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 4), 4);
	for (i = 0; i < 4; i++) {
		uint32_t len = i == 2 ? 2500 : 100;

		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 12 + len);
		CHECK(bytes_are(gp_buf(&rx, i) + 12, len, 900 + i));
	}
	gp_free(&rx);
	teardown(&tx);
}

/*
 * Where a restarted back-end resumes on a packed ring: from the USED bits
 * alone, in each state a driver can leave the ring in.
 */
static void
test_find_position(void)
{
	static struct vring_packed_desc ring[8];
	struct vhp_virtqueue vq;
	const uint16_t A = VRING_PACKED_DESC_F_AVAIL;
	const uint16_t U = VRING_PACKED_DESC_F_USED;
	static const struct {
		uint16_t flags[8];
		uint16_t idx;
		uint8_t wrap;
		const char *what;
	} cases[] = {
		{ { 0 }, 0, 1, "fresh ring, nothing posted" },
		{ { A, A, A, 0, 0, 0, 0, 0 }, 0, 1, "fresh, 3 posted" },
		{ { A, A, A, A, A, A, A, A }, 0, 1, "fresh, full" },
		{ { A | U, A | U, A | U, A, A, 0, 0, 0 }, 3, 1,
		  "lap 1: 3 used, 2 available" },
		{ { A | U, A | U, A | U, 0, 0, 0, 0, 0 }, 3, 1,
		  "lap 1: 3 used, none available" },
		{ { U, U, A | U, A | U, A, A, A, A }, 4, 1,
		  "lap 1: 2 used re-posted for lap 2, 2 used, 4 available" },
		{ { U, U, U, U, U, U, U, U }, 0, 0,
		  "lap 1 done, all re-posted: lap 2 at 0" },
		{ { 0, 0, U, U, U, U, U, U }, 2, 0,
		  "lap 2: 2 used, 6 available" },
		{ { 0, A, A | U, A | U, U, U, U, U }, 2, 0,
		  "lap 2: 1 used, 1 re-posted for lap 3, 2 left from lap 1" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0 }, 0, 1,
		  "lap 2 done: lap 3 at 0 (as fresh)" },
	};
	unsigned int c, j;
	uint16_t idx;
	uint8_t wrap;

	memset(&vq, 0, sizeof(vq));
	vq.desc_packed = ring;
	vq.size = 8;
	vq.size_mask = 7;
	for (c = 0; c < RTE_DIM(cases); c++) {
		for (j = 0; j < 8; j++)
			ring[j].flags = cases[c].flags[j];
		vhp_packed_find_position(&vq, &idx, &wrap);
		if (idx != cases[c].idx || wrap != cases[c].wrap)
			fprintf(stderr, "  case '%s': got %u/%u\n",
				cases[c].what, idx, wrap);
		CHECK_EQ(idx, cases[c].idx);
		CHECK_EQ(wrap, cases[c].wrap);
	}
}

/* Move the (still empty) ring to a base 16 bytes past a 64-byte line:
 * no group of four then shares one line. */
static void
ring_unalign(struct guest_packed *gp)
{
	uint64_t len = (uint64_t)gp->size * sizeof(struct vring_packed_desc);
	uint64_t gpa = guest_mem_alloc(&gm, len + 64, 64);
	struct vhp_mem_cache hint = { 0 };

	CHECK(gpa != 0);
	gpa += 16;
	memcpy(guest_mem_ptr(&gm, gpa), gp->desc, len);
	gp->desc_gpa = gpa;
	gp->desc = guest_mem_ptr(&gm, gpa);
	gp->vq->desc_packed = vhp_gpa_to_hva_full(gp->vq->mem, gpa, len,
						  &hint);
	CHECK(gp->vq->desc_packed != NULL);
	CHECK(((uintptr_t)gp->vq->desc_packed & 63) == 16);
}

/* Fast path on a ring whose base is not 64-byte aligned, bursts of 7 on a
 * 16-slot ring crossing the ring end in both directions. */
static void
test_fast_unaligned_wrap(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	uint16_t id, i, r;

	mem_setup();
	ring_setup(&rx, 16, 2048, 0, 12);
	ring_setup(&tx, 16, 2048, VHP_VQ_F_TX, 12);
	ring_unalign(&rx);
	ring_unalign(&tx);
	for (r = 0; r < 6; r++) {
		for (i = 0; i < 7; i++) {
			CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
			pkts[i] = mk_pkt(pool, 60u + r * 7u + i, 500u + i);
		}
		CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 7), 7);
		for (i = 0; i < 7; i++) {
			CHECK_EQ(gp_get_used(&rx, &u), 1);
			CHECK_EQ(u.len, 12u + 60u + r * 7u + i);
			CHECK(hdr_ok(gp_buf(&rx, u.id), 12, 1));
			CHECK(bytes_are(gp_buf(&rx, u.id) + 12,
					60u + r * 7u + i, 500u + i));
		}
		check_position(&rx);
		for (i = 0; i < 7; i++) {
			gp_pattern(pat, 70u + r * 7u + i, 600u + i);
			CHECK_EQ(gp_post_tx(&tx, pat, 70u + r * 7u + i, 1,
					    false, &id), 0);
		}
		CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 7);
		for (i = 0; i < 7; i++) {
			CHECK(mbuf_is(pkts[i], 70u + r * 7u + i, 600u + i));
			CHECK_EQ(gp_get_used(&tx, &u), 1);
		}
		free_pkts(pkts, 7);
		check_position(&tx);
	}
	CHECK_EQ(rx.vq->stats.packets, 42);
	CHECK_EQ(tx.vq->stats.packets, 42);
	CHECK_EQ(err_total(&rx) + err_total(&tx), 0);
	gp_free(&rx);
	teardown(&tx);
}

/* Groups of four where one member cannot take the fast path (a chained
 * mbuf, a too-long TX buffer, an indirect one), and a burst that ends in
 * the middle of a group because the guest posted no more. */
static void
test_fast_group_mixed(void)
{
	struct guest_packed rx, tx;
	struct rte_mbuf *pkts[8];
	struct gp_used u;
	struct gp_seg s;
	uint32_t len;
	uint16_t id, i;

	mem_setup();
	ring_setup(&rx, 16, 4096, VHP_VQ_F_INDIRECT, 12);
	ring_setup(&tx, 16, 4096, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);

	/* RX: the third mbuf has two segments; only 6 buffers posted */
	for (i = 0; i < 6; i++)
		CHECK_EQ(gp_post_rx(&rx, 0, &id), 0);
	for (i = 0; i < 8; i++)
		pkts[i] = mk_pkt(pool, i == 2 ? 3000 : 100 + i, 700 + i);
	CHECK_EQ(pkts[2]->nb_segs, 2);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 8), 6);
	for (i = 0; i < 6; i++) {
		len = i == 2 ? 3000 : 100u + i;
		CHECK_EQ(gp_get_used(&rx, &u), 1);
		CHECK_EQ(u.id, i);
		CHECK_EQ(u.len, 12 + len);
		CHECK(bytes_are(gp_buf(&rx, i) + 12, len, 700 + i));
	}
	free_pkts(pkts + 6, 2);
	check_position(&rx);

	/* TX: the second buffer is longer than an mbuf, the sixth one is
	 * indirect */
	for (i = 0; i < 8; i++) {
		len = i == 1 ? 3000 : 80u + i;
		gp_pattern(pat, len, 800 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, len, 1, i == 5, &id), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 8), 8);
	for (i = 0; i < 8; i++) {
		len = i == 1 ? 3000 : 80u + i;
		CHECK(mbuf_is(pkts[i], len, 800 + i));
		CHECK_EQ(gp_get_used(&tx, &u), 1);
		CHECK_EQ(u.id, i);
	}
	CHECK_EQ(pkts[1]->nb_segs, 2);
	free_pkts(pkts, 8);
	check_position(&tx);

	/* RX again from slot 6: a single posted buffer whose length the
	 * guest set below the packet: the burst stops there */
	s.gpa = rx.id_buf[6];
	s.len = 50;
	id = 6;
	rx.nfree_ids = 0;
	CHECK_EQ(gp_post(&rx, &s, 1, GP_WRITE, &id, true), 0);
	pkts[0] = mk_pkt(pool, 100, 900);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);	/* dropped */
	CHECK_EQ(rx.vq->stats.dropped, 1);
	CHECK_EQ(gp_get_used(&rx, &u), 0);
	CHECK_EQ(err_total(&rx) + err_total(&tx), 0);
	gp_free(&rx);
	teardown(&tx);
}

/*
 * The cost of guest-built buffers is bounded by what the packet needs: an
 * RX packet that fits the first entry of an indirect table reads only that
 * entry (the others here would be refused: nested, read-only), and empty
 * descriptors in TX chains and tables carry nothing.
 */
static void
test_indirect_bounded(void)
{
	struct guest_packed rx, tx;
	struct vring_packed_desc *t;
	struct rte_mbuf *pkts[2];
	struct gp_used u;
	struct gp_seg s[16];
	uint16_t id, i;
	uint8_t *b;

	mem_setup();
	ring_setup(&rx, 16, 4096, VHP_VQ_F_INDIRECT, 12);
	ring_setup(&tx, 16, 4096, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);

	rx.nfree_ids = 0;
	id = 3;
	for (i = 0; i < 16; i++) {
		s[i].gpa = rx.id_buf[3] + i * 200u;
		s[i].len = 200;
	}
	CHECK_EQ(gp_post(&rx, s, 16, GP_WRITE | GP_INDIRECT, &id, true), 0);
	t = guest_mem_ptr(&gm, rx.id_table[3]);
	for (i = 1; i < 16; i++)
		t[i].flags = VRING_DESC_F_INDIRECT;
	pkts[0] = mk_pkt(pool, 150, 910);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.id, 3);
	CHECK_EQ(u.len, 162);
	CHECK(bytes_are(gp_buf(&rx, 3) + 12, 150, 910));
	CHECK_EQ(err_total(&rx), 0);
	/* one entry more than the first holds: the second is read, bad */
	id = 4;
	for (i = 0; i < 16; i++)
		s[i].gpa = rx.id_buf[4] + i * 200u;
	CHECK_EQ(gp_post(&rx, s, 16, GP_WRITE | GP_INDIRECT, &id, true), 0);
	t = guest_mem_ptr(&gm, rx.id_table[4]);
	for (i = 1; i < 16; i++)
		t[i].flags = VRING_DESC_F_INDIRECT;
	pkts[0] = mk_pkt(pool, 300, 911);
	CHECK_EQ(vhp_packed_enqueue(rx.vq, pkts, 1), 1);
	CHECK_EQ(gp_get_used(&rx, &u), 1);
	CHECK_EQ(u.len, 0);
	CHECK_EQ(err(&rx, VHP_ERR_INDIRECT), 1);

	/* TX chain in the ring: empty, header + 40, empty, 60, empty */
	tx.nfree_ids = 0;
	id = 0;
	b = gp_buf(&tx, 0);
	memset(b, 0, 12);
	gp_pattern(pat, 100, 912);
	memcpy(b + 12, pat, 40);
	memcpy(b + 1000, pat + 40, 60);
	s[0].gpa = tx.id_buf[0] + 500;
	s[0].len = 0;
	s[1].gpa = tx.id_buf[0];
	s[1].len = 52;
	s[2].gpa = tx.id_buf[0] + 600;
	s[2].len = 0;
	s[3].gpa = tx.id_buf[0] + 1000;
	s[3].len = 60;
	s[4].gpa = tx.id_buf[0] + 700;
	s[4].len = 0;
	CHECK_EQ(gp_post(&tx, s, 5, 0, &id, true), 0);
	/* the same as an indirect table */
	id = 1;
	b = gp_buf(&tx, 1);
	memset(b, 0, 12);
	memcpy(b + 12, pat, 40);
	memcpy(b + 1000, pat + 40, 60);
	for (i = 0; i < 5; i++)
		s[i].gpa += tx.id_buf[1] - tx.id_buf[0];
	CHECK_EQ(gp_post(&tx, s, 5, GP_INDIRECT, &id, true), 0);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 2), 2);
	CHECK(mbuf_is(pkts[0], 100, 912));
	CHECK(mbuf_is(pkts[1], 100, 912));
	free_pkts(pkts, 2);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.ndesc, 5);
	CHECK_EQ(gp_get_used(&tx, &u), 1);
	CHECK_EQ(u.ndesc, 1);
	CHECK_EQ(err_total(&tx), 0);
	check_position(&tx);
	gp_free(&rx);
	teardown(&tx);
}

/* The indirect tables of one burst have at most ring-size entries in
 * all: a table that does not fit waits for the next burst. */
static void
test_table_budget(void)
{
	struct guest_packed tx;
	struct rte_mbuf *pkts[4];
	uint16_t id, i;

	mem_setup();
	ring_setup(&tx, 16, 4096, VHP_VQ_F_TX | VHP_VQ_F_INDIRECT, 12);
	/* two 16-entry tables: one a burst */
	for (i = 0; i < 2; i++) {
		gp_pattern(pat, 200, 950 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, 200, 16, true, &id), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 1);
	CHECK(mbuf_is(pkts[0], 200, 950));
	rte_pktmbuf_free(pkts[0]);
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 1);
	CHECK(mbuf_is(pkts[0], 200, 951));
	rte_pktmbuf_free(pkts[0]);
	/* two 8-entry tables fit one burst */
	for (i = 0; i < 2; i++) {
		gp_pattern(pat, 200, 960 + i);
		CHECK_EQ(gp_post_tx(&tx, pat, 200, 8, true, &id), 0);
	}
	CHECK_EQ(vhp_packed_dequeue(tx.vq, pool, pkts, 4), 2);
	CHECK(mbuf_is(pkts[0], 200, 960));
	CHECK(mbuf_is(pkts[1], 200, 961));
	free_pkts(pkts, 2);
	CHECK_EQ(err_total(&tx), 0);
	CHECK_EQ(tx.vq->stats.packets, 4);
	teardown(&tx);
}

int
main(void)
{
	vhp_test_eal_init("test_packed");
	pool = rte_pktmbuf_pool_create("pk", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mempool creation failed\n");
		return 1;
	}
	RUN_TEST(test_rx_basic);
	RUN_TEST(test_tx_basic);
	RUN_TEST(test_batch_mixed);
	RUN_TEST(test_wrap_many);
	RUN_TEST(test_chain_indirect);
	RUN_TEST(test_mergeable);
	RUN_TEST(test_mergeable_gather);
	RUN_TEST(test_in_order);
	RUN_TEST(test_jumbo);
	RUN_TEST(test_event_suppression);
	RUN_TEST(test_restart);
	RUN_TEST(test_bad_id);
	RUN_TEST(test_bad_chain);
	RUN_TEST(test_bad_indirect);
	RUN_TEST(test_bad_addr_dir_len);
	RUN_TEST(test_bad_dir_batch);
	RUN_TEST(test_two_regions);
	RUN_TEST(test_alloc_failure);
	RUN_TEST(test_burst_bound);
	RUN_TEST(test_odd_size);
	RUN_TEST(test_find_position);
	RUN_TEST(test_fast_unaligned_wrap);
	RUN_TEST(test_fast_group_mixed);
	RUN_TEST(test_indirect_bounded);
	RUN_TEST(test_table_budget);
	rte_mempool_free(pool);
	return vhp_test_summary();
}
