/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dirty-page logging (live migration): with a log attached, an enqueue
 * marks exactly the pages it wrote - every buffer of a mergeable packet,
 * an indirect buffer, the used ring entries and index (split), the
 * descriptors written back (packed) - and nothing else; a dequeue marks
 * only the used ring; with no log, nothing is marked. Also the log's map
 * checks (SET_LOG_BASE): size 0, overflow, beyond the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_packed.h"
#include "guest_split.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(8u << 20)
#define PAGE		4096u
/* Bitmap bytes covering every page up to the end of guest memory. */
#define LOG_BYTES	((GPA_BASE + MEM_SIZE) / PAGE / 8)

static struct rte_mempool *pool;
static uint8_t bits[LOG_BYTES];
static uint8_t want[LOG_BYTES];

static void
want_range(uint64_t gpa, uint64_t len)
{
	uint64_t p;

	for (p = gpa / PAGE; p <= (gpa + len - 1) / PAGE; p++)
		want[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* Compare marks with expectations; print the first difference. */
static void
check_marks(const char *what)
{
	uint64_t i;

	for (i = 0; i < LOG_BYTES; i++)
		if ((bits[i] | want[i]) && getenv("DL_DEBUG"))
			fprintf(stderr, "  byte %" PRIu64 ": 0x%02x want "
				"0x%02x\n", i, bits[i], want[i]);
	for (i = 0; i < LOG_BYTES; i++) {
		if (bits[i] != want[i]) {
			fprintf(stderr, "  %s: byte %" PRIu64 " (pages from "
				"gpa 0x%" PRIx64 "): marked 0x%02x, expected "
				"0x%02x\n", what, i, i * 8 * PAGE, bits[i],
				want[i]);
			break;
		}
	}
	CHECK(i == LOG_BYTES);
}

static struct rte_mbuf *
mk_pkt(uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)len) == NULL)
		abort();
	memset(rte_pktmbuf_mtod(m, void *), 0x5a, len);
	return m;
}

static struct vhp_dirty_log the_log = { .bits = bits, .size = LOG_BYTES };

static void
log_reset(void)
{
	memset(bits, 0, sizeof(bits));
	memset(want, 0, sizeof(want));
}

/* Split, MRG_RXBUF: one packet over three page-aligned buffers. */
static void
test_split_mergeable(bool logging)
{
	struct guest_mem gm;
	struct guest_split g;
	struct rte_mbuf *m;
	uint64_t buf[4];
	unsigned int i;

	CHECK_EQ(guest_mem_create(&gm, GPA_BASE, MEM_SIZE), 0);
	CHECK_EQ(guest_split_init(&g, &gm, 64, VHP_VQ_F_MRG_RXBUF, 12, 0), 0);
	for (i = 0; i < 4; i++) {
		struct gs_seg s;

		buf[i] = guest_mem_alloc(&gm, 2 * PAGE, PAGE) + PAGE - 512;
		s.gpa = buf[i];		/* 1024 bytes across a page end */
		s.len = 1024;
		CHECK(guest_split_add(&g, &s, 1, true, false) >= 0);
	}
	guest_split_publish(&g);
	log_reset();
	g.vq->log = logging ? &the_log : NULL;
	g.vq->log_ring_gpa = g.used_gpa;
	m = mk_pkt(2500);		/* 12 + 2500 bytes: three buffers */
	CHECK_EQ(vhp_split_enqueue(g.vq, &m, 1), 1);
	if (logging) {
		want_range(buf[0], 1024);
		want_range(buf[1], 1024);
		want_range(buf[2], 2512 - 2048);
		want_range(g.used_gpa + 4, 3 * 8);	/* three entries */
		want_range(g.used_gpa + 2, 2);		/* used->idx */
	}
	check_marks(logging ? "split mergeable" : "split, log off");
	guest_split_fini(&g);
	guest_mem_destroy(&gm);
}

/* Split: an indirect RX buffer, and a TX dequeue (used ring only). */
static void
test_split_indirect_and_tx(void)
{
	struct guest_mem gm;
	struct guest_split rx, tx;
	struct rte_mbuf *m;
	uint8_t data[200];
	struct gs_seg s[2];

	CHECK_EQ(guest_mem_create(&gm, GPA_BASE, MEM_SIZE), 0);
	CHECK_EQ(guest_split_init(&rx, &gm, 64, VHP_VQ_F_INDIRECT, 12, 0), 0);
	CHECK_EQ(guest_split_init(&tx, &gm, 64, VHP_VQ_F_TX, 12, 0), 0);
	s[0].gpa = guest_mem_alloc(&gm, PAGE, PAGE);
	s[0].len = 40;
	s[1].gpa = guest_mem_alloc(&gm, 3 * PAGE, PAGE) + PAGE;
	s[1].len = 1500;
	CHECK(guest_split_add(&rx, s, 2, true, true) >= 0);
	guest_split_publish(&rx);
	memset(data, 1, sizeof(data));
	CHECK_EQ(guest_split_post_tx(&tx, data, 100, NULL, 1, false), 0);

	log_reset();
	rx.vq->log = &the_log;
	rx.vq->log_ring_gpa = rx.used_gpa;
	tx.vq->log = &the_log;
	tx.vq->log_ring_gpa = tx.used_gpa;
	m = mk_pkt(300);		/* 12 + 300: 40 + 272 bytes */
	CHECK_EQ(vhp_split_enqueue(rx.vq, &m, 1), 1);
	want_range(s[0].gpa, 40);
	want_range(s[1].gpa, 272);
	want_range(rx.used_gpa + 4, 8);
	want_range(rx.used_gpa + 2, 2);
	CHECK_EQ(vhp_split_dequeue(tx.vq, pool, &m, 1), 1);
	rte_pktmbuf_free(m);
	want_range(tx.used_gpa + 4, 8);		/* nothing of the buffer */
	want_range(tx.used_gpa + 2, 2);
	check_marks("split indirect RX + TX");
	guest_split_fini(&rx);
	guest_split_fini(&tx);
	guest_mem_destroy(&gm);
}

/* Packed: buffers and the descriptors written back. */
static void
test_packed(bool logging)
{
	struct guest_packed gp;
	struct guest_mem gm;
	struct rte_mbuf *m[3];
	uint16_t id[3];
	unsigned int i;

	CHECK_EQ(guest_mem_create(&gm, GPA_BASE, MEM_SIZE), 0);
	CHECK_EQ(gp_init(&gp, &gm, 64, 2048, VHP_VQ_F_MRG_RXBUF, 12), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(gp_post_rx(&gp, 0, &id[i]), 0);
	log_reset();
	gp.vq->log = logging ? &the_log : NULL;
	gp.vq->log_ring_gpa = gp.desc_gpa;
	for (i = 0; i < 2; i++)
		m[i] = mk_pkt(1000);
	m[2] = mk_pkt(2500);		/* two buffers of 2048 */
	CHECK_EQ(vhp_packed_enqueue(gp.vq, m, 3), 2);	/* third: no room */
	rte_pktmbuf_free(m[2]);
	if (logging) {
		want_range(gp.id_buf[id[0]], 1012);
		want_range(gp.id_buf[id[1]], 1012);
		want_range(gp.desc_gpa, 2 * sizeof(struct vring_packed_desc));
	}
	check_marks(logging ? "packed" : "packed, log off");
	gp_free(&gp);
	guest_mem_destroy(&gm);
}

/* SET_LOG_BASE's checks against the log's fd. */
static void
test_log_map(void)
{
	int fd = memfd_create("vhp-log", MFD_CLOEXEC);
	struct vhp_dirty_log *log = NULL;
	const char *why = NULL;

	CHECK(fd >= 0 && ftruncate(fd, 8192) == 0);
	CHECK_EQ(vhp_log_map(fd, 0, 0, &log, &why), -EINVAL);	/* size 0 */
	CHECK_EQ(vhp_log_map(fd, 8192, 1, &log, &why), -EINVAL); /* past end */
	CHECK_EQ(vhp_log_map(fd, UINT64_MAX, 4096, &log, &why), -EINVAL);
	CHECK_EQ(vhp_log_map(fd, 4096, UINT64_MAX - 10, &log, &why), -EINVAL);
	CHECK_EQ(vhp_log_map(fd, 4000, 100, &log, &why), 0);	/* unaligned */
	CHECK(log != NULL && log->size == 4000);
	if (log != NULL) {
		vhp_log_mark(log, 0, 1);
		vhp_log_mark(log, 4000ull * 8 * PAGE, 1);	/* beyond */
		CHECK_EQ(log->bits[0], 1);
		CHECK_EQ(log->skipped, 1);
		vhp_log_unmap(log);
	}
	close(fd);
}

static void
test_split_on(void)
{
	test_split_mergeable(true);
}

static void
test_split_off(void)
{
	test_split_mergeable(false);
}

static void
test_packed_on(void)
{
	test_packed(true);
}

static void
test_packed_off(void)
{
	test_packed(false);
}

int
main(void)
{
	vhp_test_eal_init("test_dirty_log");
	pool = rte_pktmbuf_pool_create("dl_pool", 1024, 0, 0,
				       4096 + RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	RUN_TEST(test_split_on);
	RUN_TEST(test_split_off);
	RUN_TEST(test_split_indirect_and_tx);
	RUN_TEST(test_packed_on);
	RUN_TEST(test_packed_off);
	RUN_TEST(test_log_map);
	return vhp_test_summary();
}
