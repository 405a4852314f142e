/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the split-ring walkers: the input describes a queue (size, features,
 * start index), the descriptor tables, avail rings and avail indexes of an
 * RX and a TX ring, the guest memory layout (one region, two regions, two
 * with a hole) and the bytes of guest memory, then runs enqueue and dequeue
 * bursts. The back-end's view of guest memory is surrounded by guard pages,
 * so any access outside it faults; ASan/UBSan watch everything else. After
 * each burst the counters, the used ring and the mbufs are checked for
 * consistency, and no mbuf may leak.
 *
 * Input format (little-endian; reads past the end give zeros), mirrored by
 * gen_split_seeds.py:
 *   u8 qlog        Q = 2 << (qlog % 8); bit3 offloads negotiated (TX:
 *                  NET_F_CSUM with TSO4/6 and ECN, so the guest's headers
 *                  are parsed; RX packets marked with TX offload requests),
 *                  bit4 RX: GUEST_CSUM/TSO4/TSO6 (else done in software)
 *   u8 cfg         bit0 EVENT_IDX, bit1 MRG_RXBUF, bit2 IN_ORDER,
 *                  bit3 INDIRECT, bit4 12-byte header (else 10), bit5 two
 *                  regions, bit6 hole between them, bit7 NO_INTERRUPT
 *   u16 base       start of every index
 *   ring RX, ring TX, each:
 *     u8 n         n & 0x80: u16 raw avail delta follows; else n % (Q + 1)
 *     heads        min(delta, Q) times: u8 h; h == 0xff: u16 raw follows,
 *                  else h % Q
 *     descriptors  Q times: u8 asel, u16 a, u16 len, u8 flags, u8 next
 *                  asel < 224: gpa = DATA + 2 * a; < 240: memory end - a;
 *                  < 248: region split - 64 + (a & 127); else raw u64
 *                  (reads 8 more bytes instead of a); flags & 0x80: u16
 *                  high half of len follows; flags & 7 are the desc flags;
 *                  next % (Q + 1)
 *   u8 npkts       RX packets (npkts % 33), then u16 length each (% 9100)
 *   u8 ntx         TX burst size (ntx % 64 + 1)
 *   rest           copied to guest memory at DATA (packet bytes, indirect
 *                  tables)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_split.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GPA_BASE	0x100000ull
#define MEM_SIZE	(256u << 10)
#define DATA_OFF	(64u << 10)
#define SPLIT_OFF	(128u << 10)
#define HOLE		(64u << 10)
#define POOL_SIZE	1023u
#define PAGE		4096u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest_mem gm_one, gm_two;
static struct rte_mempool *pool;
static bool verbose;

#define FUZZ_ASSERT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, \
			__LINE__, #c); \
		abort(); \
	} \
} while (0)

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t
rd8(struct reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

static uint16_t
rd16(struct reader *r)
{
	uint16_t lo = rd8(r);

	return (uint16_t)(lo | (uint16_t)rd8(r) << 8);
}

static uint64_t
rd64(struct reader *r)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)rd8(r) << (8 * i);
	return v;
}

/* Re-map every back-end region between PROT_NONE guard pages. */
static void
guard_regions(struct guest_mem *gm)
{
	uint32_t i;

	for (i = 0; i < gm->mem.nregions; i++) {
		struct vhp_mem_region *r = &gm->mem.regions[i];
		uint8_t *res = mmap(NULL, r->size + 2 * PAGE, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		void *p;

		FUZZ_ASSERT(res != MAP_FAILED);
		p = mmap(res + PAGE, r->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, gm->fd, (off_t)r->mmap_offset);
		FUZZ_ASSERT(p == res + PAGE);
		munmap(r->mmap_addr, r->mmap_size);
		r->mmap_addr = p;
		r->hva = (uint64_t)(uintptr_t)p;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vhp_test_eal_init("fuzz_split");
	rte_log_set_global_level(RTE_LOG_CRIT);
	verbose = getenv("FUZZ_SPLIT_VERBOSE") != NULL;
	pool = rte_pktmbuf_pool_create("fuzz_split", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	FUZZ_ASSERT(pool != NULL);
	FUZZ_ASSERT(guest_mem_create(&gm_one, GPA_BASE, MEM_SIZE) == 0);
	FUZZ_ASSERT(guest_mem_create(&gm_two, GPA_BASE, MEM_SIZE) == 0);
	FUZZ_ASSERT(guest_mem_split_regions(&gm_two, SPLIT_OFF) == 0);
	guard_regions(&gm_one);
	guard_regions(&gm_two);
	return 0;
}

/* Fill one ring's avail entries and descriptor table from the input. */
static void
read_ring(struct reader *r, struct guest_split *g, uint16_t base)
{
	uint16_t q = g->size, delta, i, n;
	uint8_t b = rd8(r);

	delta = (b & 0x80) ? rd16(r) : (uint16_t)(b % (q + 1u));
	n = RTE_MIN(delta, q);
	for (i = 0; i < n; i++) {
		uint8_t h = rd8(r);

		g->avail->ring[(uint16_t)(base + i) & (q - 1)] =
			h == 0xff ? rd16(r) : (uint16_t)(h % q);
	}
	g->avail->idx = (uint16_t)(base + delta);
	for (i = 0; i < q; i++) {
		struct vring_desc *d = &g->desc[i];
		uint8_t asel = rd8(r), fl;
		uint64_t addr;
		uint32_t len;

		if (asel < 248) {
			uint16_t a = rd16(r);

			if (asel < 224)
				addr = GPA_BASE + DATA_OFF + 2ull * a;
			else if (asel < 240)
				addr = GPA_BASE + MEM_SIZE - a;
			else
				addr = GPA_BASE + SPLIT_OFF - 64 + (a & 127);
		} else {
			addr = rd64(r);
		}
		len = rd16(r);
		fl = rd8(r);
		if (fl & 0x80)
			len |= (uint32_t)rd16(r) << 16;
		d->addr = addr;
		d->len = len;
		d->flags = fl & 7;
		d->next = (uint16_t)(rd8(r) % (q + 1u));
	}
}

/* Check what one burst did to the ring and the counters. */
static void
check_ring(struct guest_split *g, uint16_t used_before, uint16_t avail_before,
	   bool tx)
{
	struct vhp_virtqueue *vq = g->vq;
	uint16_t used_n = (uint16_t)(vq->last_used_idx - used_before);
	uint16_t avail_n = (uint16_t)(vq->last_avail_idx - avail_before);
	uint16_t i;

	FUZZ_ASSERT(vq->shadow_count == 0);
	FUZZ_ASSERT(g->used->idx == vq->last_used_idx);
	FUZZ_ASSERT(used_n <= avail_n);
	FUZZ_ASSERT(avail_n <= vq->size);
	if (vq->broken) {
		FUZZ_ASSERT(vq->ready == 0 && used_n == 0 && avail_n == 0);
		return;
	}
	FUZZ_ASSERT((uint16_t)(g->avail->idx - vq->last_avail_idx) <=
		    vq->size);
	for (i = 0; i < used_n; i++) {
		struct vring_used_elem *e =
			&g->used->ring[(uint16_t)(used_before + i) &
				       (vq->size - 1)];

		FUZZ_ASSERT(e->id < vq->size);
		if (tx)
			FUZZ_ASSERT(e->len == 0);
	}
}

static bool fuzz_ol;	/* this input negotiates offloads */

static void
run_rx(struct reader *r, struct guest_split *g)
{
	struct vhp_virtqueue *vq = g->vq;
	struct rte_mbuf *pkts[32];
	uint16_t used0 = vq->last_used_idx, avail0 = vq->last_avail_idx;
	uint64_t pk0 = vq->stats.packets, dr0 = vq->stats.dropped;
	uint64_t by0 = vq->stats.bytes;
	uint16_t npk = rd8(r) % 33, i, taken;

	for (i = 0; i < npk; i++) {
		uint32_t len = rd16(r) % 9100u, off = 0;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *last = m;

		FUZZ_ASSERT(m != NULL);
		while (off < len) {
			uint16_t n;
			char *p;

			if (off != 0) {
				last = rte_pktmbuf_alloc(pool);
				FUZZ_ASSERT(last != NULL);
				FUZZ_ASSERT(rte_pktmbuf_chain(m, last) == 0);
			}
			n = (uint16_t)RTE_MIN(len - off,
				(uint32_t)rte_pktmbuf_tailroom(last));
			p = rte_pktmbuf_append(m, n);
			FUZZ_ASSERT(p != NULL);
			memset(p, (int)(off & 0xff), n);
			off += n;
		}
		if (fuzz_ol)
			vhp_test_mark_offload(m, len);
		pkts[i] = m;
	}
	if (npk == 0 || !vq->ready)
		goto out;
	taken = vhp_split_enqueue(vq, pkts, npk);
	FUZZ_ASSERT(taken <= npk);
	FUZZ_ASSERT(vq->stats.packets - pk0 + vq->stats.dropped - dr0 <=
		    taken);
	check_ring(g, used0, avail0, false);
	/* Bytes count delivered packets only: at most 9099 each. */
	FUZZ_ASSERT(vq->stats.bytes - by0 <=
		    (vq->stats.packets - pk0) * 9099u);
	/* Taken packets are the library's; the rest are ours. */
	memmove(pkts, pkts + taken, (npk - taken) * sizeof(pkts[0]));
	npk = (uint16_t)(npk - taken);
out:
	if (npk != 0)
		rte_pktmbuf_free_bulk(pkts, npk);
}

static void
run_tx(struct reader *r, struct guest_split *g)
{
	struct vhp_virtqueue *vq = g->vq;
	struct rte_mbuf *pkts[64];
	uint16_t used0 = vq->last_used_idx, avail0 = vq->last_avail_idx;
	uint64_t pk0 = vq->stats.packets, by0 = vq->stats.bytes, sum = 0;
	uint16_t n = (uint16_t)(rd8(r) % 64 + 1), got, i;

	if (!vq->ready)
		return;
	got = vhp_split_dequeue(vq, pool, pkts, n);
	FUZZ_ASSERT(got <= n);
	check_ring(g, used0, avail0, true);
	for (i = 0; i < got; i++) {
		struct rte_mbuf *m = pkts[i], *s;
		uint32_t len = 0;
		uint16_t segs = 0;

		for (s = m; s != NULL; s = s->next) {
			len += s->data_len;
			segs++;
		}
		FUZZ_ASSERT(len == m->pkt_len);
		FUZZ_ASSERT(segs == m->nb_segs);
		FUZZ_ASSERT(m->pkt_len <= UINT16_MAX + 32u);
		sum += m->pkt_len;
	}
	FUZZ_ASSERT(vq->stats.packets - pk0 == got);
	FUZZ_ASSERT(vq->stats.bytes - by0 == sum);
	if (got != 0)
		rte_pktmbuf_free_bulk(pkts, got);
}

/* FUZZ_SPLIT_VERBOSE=1: what each input did (to check the seeds). */
static void
print_stats(uint16_t q, uint8_t cfg, struct guest_split *rx,
	    struct guest_split *tx)
{
	struct guest_split *g[2] = { rx, tx };
	int i, k;

	fprintf(stderr, "Q=%u cfg=0x%02x\n", q, cfg);
	for (i = 0; i < 2; i++) {
		const struct vhp_vq_stats *st = &g[i]->vq->stats;

		fprintf(stderr, "  %s: packets %" PRIu64 " bytes %" PRIu64
			" dropped %" PRIu64 " broken %" PRIu64 " errors",
			i ? "tx" : "rx", st->packets, st->bytes, st->dropped,
			st->broken);
		for (k = 0; k < VHP_ERR_MAX; k++)
			fprintf(stderr, " %s=%" PRIu64,
				vhp_vq_error_name((enum vhp_vq_error)k),
				st->errors[k]);
		fprintf(stderr, "\n");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct guest_split rx, tx;
	struct guest_mem *gm;
	uint16_t q, flags = 0, base;
	uint8_t cfg, hdr_len, qlog;
	bool hole;

	qlog = rd8(&r);
	q = (uint16_t)(2u << (qlog % 8));
	fuzz_ol = (qlog & 8) != 0;
	cfg = rd8(&r);
	base = rd16(&r);
	if (cfg & 1)
		flags |= VHP_VQ_F_EVENT_IDX;
	if (cfg & 2)
		flags |= VHP_VQ_F_MRG_RXBUF;
	if (cfg & 4)
		flags |= VHP_VQ_F_IN_ORDER;
	if (cfg & 8)
		flags |= VHP_VQ_F_INDIRECT;
	hdr_len = (cfg & 16) ? 12 : 10;
	gm = (cfg & 32) ? &gm_two : &gm_one;
	hole = (cfg & 32) && (cfg & 64);
	gm->next = PAGE;
	memset(gm->guest, 0, MEM_SIZE);
	flags |= VHP_VQ_F_OL_INIT;
	FUZZ_ASSERT(guest_split_init(&rx, gm, q, flags |
				     ((qlog & 16) ? VHP_VQ_F_GUEST_CSUM : 0),
				     hdr_len, base) == 0);
	FUZZ_ASSERT(guest_split_init(&tx, gm, q, flags | VHP_VQ_F_TX |
				     (fuzz_ol ? VHP_VQ_F_HOST_OL : 0),
				     hdr_len, base) == 0);
	rx.vq->ol_features = (qlog & 16) ? (VHP_OL_CSUM | VHP_OL_TSO4 |
					    VHP_OL_TSO6) : 0;
	tx.vq->ol_features = fuzz_ol ? (VHP_OL_CSUM | VHP_OL_TSO4 |
					VHP_OL_TSO6 | VHP_OL_ECN) : 0;
	FUZZ_ASSERT(gm->next <= DATA_OFF);
	guest_split_set_no_interrupt(&rx, cfg & 128);
	guest_split_set_no_interrupt(&tx, cfg & 128);
	read_ring(&r, &rx, base);
	read_ring(&r, &tx, base);
	if (hole) {
		gm->mem.regions[1].gpa += HOLE;
		gm->mem.regions[1].gpa_end += HOLE;
	}
	{
		struct reader tail = r;
		uint8_t npk = rd8(&tail);
		size_t skip = 1 + 2u * (npk % 33) + 1, n;

		skip = RTE_MIN(skip, r.left);
		n = RTE_MIN(r.left - skip, (size_t)(MEM_SIZE - DATA_OFF));
		memcpy(gm->guest + DATA_OFF, r.p + skip, n);
	}
	run_rx(&r, &rx);
	run_tx(&r, &tx);
	/* A second round over what is left (and for the empty path). */
	run_tx(&r, &tx);
	if (hole) {
		gm->mem.regions[1].gpa -= HOLE;
		gm->mem.regions[1].gpa_end -= HOLE;
	}
	if (verbose)
		print_stats(q, cfg, &rx, &tx);
	guest_split_fini(&rx);
	guest_split_fini(&tx);
	FUZZ_ASSERT(rte_mempool_avail_count(pool) == POOL_SIZE);
	return 0;
}
