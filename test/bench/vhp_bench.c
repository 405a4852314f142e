/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datapath microbenchmark: vhp_enqueue_burst() (into the guest's RX ring)
 * and vhp_dequeue_burst() (from the guest's TX ring) on one core, against
 * an in-process guest, for the split and the packed ring, per frame size.
 *
 * The rings and the back-end's struct vhp_virtqueue are built by the
 * guest-side models of test/lib (guest_split_init(), gp_init()) over a
 * memfd mapped twice; the two vrings are then hung on a zeroed struct
 * vhp_port so the public burst functions run unchanged. The guest side
 * here is a minimal driver of its own: descriptor i always holds buffer
 * i, every slot is posted, and after each burst it returns exactly the
 * slots the device used (split: by used->idx; packed: by the used
 * descriptors, in order). Interrupts are off as DPDK's virtio PMD sets
 * them (VRING_AVAIL_F_NO_INTERRUPT / driver event DISABLE).
 *
 * Timing: one rte_rdtsc() pair around each burst call and nothing else.
 * The guest's refill/harvest, the preparation of the mbufs to enqueue
 * (alloc + length) and the free of dequeued mbufs run outside the timed
 * section. The cost of an empty rte_rdtsc() pair is measured at start and
 * subtracted per burst. Enqueue includes the free of the mbufs it took
 * (the library frees what it copied into the guest); dequeue includes the
 * mbuf allocation.
 *
 * Everything runs on one core: guest and device lines never move between
 * cores, so this measures instructions and local cache behaviour, not the
 * cross-core line transfers that bound a PVP run.
 *
 * For instruction counts: --iterations N makes the run deterministic,
 * and valgrind --tool=callgrind --toggle-collect='vhp_*_burst' limits the
 * count to the datapath (warm-up bursts included).
 *
 * --offload: checksum offloads negotiated (GUEST_CSUM on the RX ring,
 * NET_F_CSUM on the TX ring), the enqueued mbufs carry RX_L4_CKSUM_GOOD
 * as from a NIC, and every guest TX packet is an IPv4/UDP frame whose
 * header asks for the checksum (NEEDS_CSUM), as virtio-user sends with TX
 * checksum offload.
 *
 * --txreq (with --offload): the enqueued mbufs are those IPv4/UDP frames
 * with a TX UDP checksum request (l2/l3 lengths set, the pseudo-header sum
 * in the field), as a guest's checksum request forwarded to a guest.
 *
 * --abuse MODE: the guest builds its buffers the way a hostile guest
 * would, to measure what that costs the back-end per packet:
 *   indirect  every buffer is one INDIRECT descriptor naming a table of
 *             ring-size entries: the first holds the buffer, all others
 *             are empty (chained with NEXT in the split ring)
 *   chain:N   every buffer is a chain of N ring descriptors, N-1 empty
 *             ones then the one holding the buffer (a burst needs
 *             burst * N <= ring size)
 * The back-end may then take fewer packets than the burst asks (it bounds
 * the descriptors a burst reads): the figures count the packets it took.
 * With callgrind, use --warmup 0 so that the count covers exactly the
 * packets printed.
 *
 * --pkt-stats adds the per-burst packet-class counting of vhp-testpmd's
 * vhost driver (vhp_pkt_stats.h: before the enqueue, after the dequeue,
 * as drivers/net/vhost does) to the timed section; count with
 * --toggle-collect='bench_*_burst' (the wrappers, with and without it).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_mem.h"
#include "guest_packed.h"
#include "guest_split.h"
#include "vhp.h"
#include "vhp_internal.h"
#include "vhp_pkt_stats.h"

#define GPA_BASE	0x40000000ull
#define BUF_SIZE	2048u	/* guest buffer, like virtio-user's */
#define MAX_BURST	256u
#define MAX_SIZES	8
#define NB_MBUFS	16384u

/* Classes of the packets the bursts moved (--pkt-stats). */
static struct vhp_pkt_stats bench_stats;

/* vhp_enqueue_burst(), with the driver's counting when @p count. */
static __rte_noinline uint16_t
bench_enqueue_burst(struct vhp_port *port, struct rte_mbuf **pkts,
		    uint16_t n, bool count)
{
	uint32_t cnt[VHP_PKT_NB_STATS] = { 0 }, left[VHP_PKT_NB_STATS];
	unsigned int i;
	uint16_t sent;

	if (!count)
		return vhp_enqueue_burst(port, 0, pkts, n);
	vhp_pkt_stats_classify(cnt, pkts, n);
	sent = vhp_enqueue_burst(port, 0, pkts, n);
	if (unlikely(sent < n)) {
		memset(left, 0, sizeof(left));
		vhp_pkt_stats_classify(left, pkts + sent, n - sent);
		for (i = 0; i < VHP_PKT_NB_STATS; i++)
			cnt[i] -= left[i];
	}
	vhp_pkt_stats_add(&bench_stats, cnt);
	return sent;
}

/* vhp_dequeue_burst(), with the driver's counting when @p count. */
static __rte_noinline uint16_t
bench_dequeue_burst(struct vhp_port *port, struct rte_mempool *pool,
		    struct rte_mbuf **pkts, uint16_t n, bool count)
{
	uint16_t got = vhp_dequeue_burst(port, 0, pool, pkts, n);

	if (count && got != 0)
		vhp_pkt_stats_count(&bench_stats, pkts, got);
	return got;
}

enum dir { DIR_ENQ, DIR_DEQ };

struct opts {
	uint64_t iterations;	/* timed bursts per case; 0: by time */
	double time_ms;		/* per case when iterations == 0 */
	uint64_t warmup;	/* untimed bursts before each case */
	uint16_t ring_size;
	uint16_t burst;
	bool split, packed;
	bool enq, deq;
	uint32_t sizes[MAX_SIZES];
	unsigned int nsizes;
	bool mrg, in_order, indirect;
	const char *variant;
	const char *json;
	unsigned int cpu;
	bool huge;
	bool quiet;
	bool pkt_stats;		/* count packet classes as the driver does */
	bool dirty_log;		/* live-migration logging forced on */
	bool offload;		/* checksum offloads on both rings */
	bool txreq;		/* enqueued mbufs ask for the UDP checksum */
	const char *abuse_name;
	enum { ABUSE_NONE, ABUSE_INDIRECT, ABUSE_CHAIN } abuse;
	uint16_t chain_len;	/* ABUSE_CHAIN: descriptors per buffer */
};

struct result {
	const char *ring;
	uint32_t size;
	enum dir dir;
	uint64_t bursts;
	uint64_t packets;
	uint64_t cycles;
	double cpp;
	double ns;
};

/* One ring as the minimal guest driver sees it. */
struct bguest {
	bool packed;
	bool tx;		/* guest TX ring (device dequeues) */
	uint16_t size;
	uint16_t mask;
	uint32_t desc_len;	/* bytes each posted buffer offers */
	struct guest_mem gm;
	struct guest_split gs;
	struct guest_packed gp;
	struct vhp_virtqueue *vq;
	/* split */
	uint16_t avail_idx;
	uint16_t used_idx;
	/* packed */
	uint16_t next_avail;
	uint8_t avail_wrap;
	uint16_t next_used;
	uint8_t used_wrap;
	uint64_t *slot_gpa;	/* buffer of slot i */
	uint16_t stride;	/* ring slots per buffer (chain length) */
	uint16_t nbufs;		/* buffers in the ring: size / stride */
	int abuse;
	bool mem_ok;		/* gm created */
	bool ring_ok;		/* gs or gp initialised */
};

static struct rte_mempool *pool;
static uint64_t rdtsc_overhead;

/* ---- minimal guest driver ---- */

static inline void
split_post(struct bguest *g, uint16_t n)
{
	struct vring_avail *avail = g->gs.avail;
	uint16_t i;

	for (i = 0; i < n; i++) {
		avail->ring[g->avail_idx & g->mask] = (uint16_t)
			((g->avail_idx & (g->nbufs - 1)) * g->stride);
		g->avail_idx++;
	}
	__atomic_store_n(&avail->idx, g->avail_idx, __ATOMIC_RELEASE);
}

/* Post buffers filling @p n ring slots (a multiple of the stride). With
 * chains, every descriptor of a buffer carries the id of its last slot,
 * and the head's flags are written last. */
static inline void
packed_post(struct bguest *g, uint16_t n)
{
	uint16_t i, k, s, flags, head_flags = 0;

	for (i = 0; i < n; i += g->stride) {
		struct vring_packed_desc *head = &g->gp.desc[g->next_avail];
		uint16_t id = (uint16_t)(g->next_avail + g->stride - 1);

		for (k = 0; k < g->stride; k++) {
			struct vring_packed_desc *d;
			bool last = k == g->stride - 1;

			s = g->next_avail;
			d = &g->gp.desc[s];
			d->addr = g->slot_gpa[id];
			d->id = id;
			flags = g->avail_wrap ? VRING_PACKED_DESC_F_AVAIL :
						VRING_PACKED_DESC_F_USED;
			if (!g->tx)
				flags |= VRING_DESC_F_WRITE;
			if (g->abuse == ABUSE_INDIRECT) {
				d->addr = g->gp.id_table[id];
				d->len = (uint32_t)g->size * 16u;
				flags = (uint16_t)((flags &
					~VRING_DESC_F_WRITE) |
					VRING_DESC_F_INDIRECT);
			} else {
				d->len = last ? g->desc_len : 0;
				if (!last)
					flags |= VRING_DESC_F_NEXT;
			}
			if (k == 0)
				head_flags = flags;
			else
				__atomic_store_n(&d->flags, flags,
						 __ATOMIC_RELEASE);
			if (++g->next_avail == g->size) {
				g->next_avail = 0;
				g->avail_wrap ^= 1;
			}
		}
		__atomic_store_n(&head->flags, head_flags, __ATOMIC_RELEASE);
	}
}

/*
 * Take back what the device used and post it again.
 * @return slots recycled, or -1 when the device reported an id the guest
 * did not expect (which would make every later figure meaningless).
 */
static inline int
guest_recycle(struct bguest *g)
{
	int total = 0;

	if (!g->packed) {
		uint16_t u = __atomic_load_n(&g->gs.used->idx,
					     __ATOMIC_ACQUIRE);
		uint16_t n = (uint16_t)(u - g->used_idx);

		if (n > g->size)
			return -1;
		g->used_idx = u;
		if (n != 0)
			split_post(g, n);
		return n;
	}
	for (;;) {
		struct vring_packed_desc *d = &g->gp.desc[g->next_used];
		uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
		bool a = (f & VRING_PACKED_DESC_F_AVAIL) != 0;
		bool u = (f & VRING_PACKED_DESC_F_USED) != 0;
		uint16_t n, next;

		if (a != u || u != (g->used_wrap != 0))
			break;
		/* Buffers complete in ring order; with IN_ORDER one used
		 * descriptor carries the id (= slot here) of a batch's last
		 * buffer. */
		if (d->id >= g->size)
			return -1;
		n = (uint16_t)(((uint32_t)d->id - g->next_used) & g->mask) + 1;
		if (total + n > g->size)
			return -1;
		next = (uint16_t)(g->next_used + n);
		if (next >= g->size) {
			next = (uint16_t)(next - g->size);
			g->used_wrap ^= 1;
		}
		g->next_used = next;
		packed_post(g, n);
		total += n;
	}
	return total;
}

static void
fill_frame(uint8_t *p, uint32_t len)
{
	static const uint8_t eth[14] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00
	};
	uint32_t i;

	memcpy(p, eth, RTE_MIN(len, (uint32_t)sizeof(eth)));
	for (i = sizeof(eth); i < len; i++)
		p[i] = (uint8_t)i;
}

/* Header and an IPv4/UDP frame of @p len bytes whose virtio_net_hdr asks
 * for the UDP checksum (NEEDS_CSUM, csum_start at the UDP header). */
static void
fill_udp_frame(uint8_t *p, uint32_t hdr_len, uint32_t len)
{
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 14 + 20,
		.csum_offset = 6,
	};
	uint8_t *f = p + hdr_len;
	uint16_t ip_len = (uint16_t)(len - 14), udp_len = (uint16_t)(len - 34);
	uint16_t udp_sum;

	memcpy(p, &h, 10);
	fill_frame(f, len);
	f[14] = 0x45;			/* IPv4, 20-byte header */
	f[15] = 0;
	f[16] = (uint8_t)(ip_len >> 8);
	f[17] = (uint8_t)ip_len;
	memset(f + 18, 0, 4);		/* id, fragment */
	f[22] = 64;			/* TTL */
	f[23] = 17;			/* UDP */
	f[24] = 0;
	f[25] = 0;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f[34] = 0x04;			/* ports 1234 -> 5678 */
	f[35] = 0xd2;
	f[36] = 0x16;
	f[37] = 0x2e;
	f[38] = (uint8_t)(udp_len >> 8);
	f[39] = (uint8_t)udp_len;
	/* the pseudo-header sum with the length, as virtio drivers put it */
	f[40] = 0;
	f[41] = 0;
	udp_sum = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)(f + 14), 0);
	memcpy(f + 40, &udp_sum, sizeof(udp_sum));
}

/* --txreq: IPv4/UDP frames (headers in the first segment) with the UDP
 * checksum requested as DPDK's convention has it. */
static void
txreq_frames(struct rte_mbuf **pkts, uint16_t n, uint32_t len)
{
	uint8_t f[12 + 64];
	uint16_t i;

	fill_udp_frame(f, 12, RTE_MIN(len, 64u));
	/* the lengths of the whole frame */
	f[12 + 16] = (uint8_t)((len - 14) >> 8);
	f[12 + 17] = (uint8_t)(len - 14);
	f[12 + 38] = (uint8_t)((len - 34) >> 8);
	f[12 + 39] = (uint8_t)(len - 34);
	f[12 + 40] = 0;
	f[12 + 41] = 0;
	{
		uint16_t c = rte_ipv4_phdr_cksum(
			(const struct rte_ipv4_hdr *)(f + 12 + 14), 0);

		memcpy(f + 12 + 40, &c, sizeof(c));
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		memcpy(rte_pktmbuf_mtod(m, uint8_t *), f + 12,
		       RTE_MIN(m->data_len, 42u));
		m->l2_len = 14;
		m->l3_len = 20;
	}
}

/* --abuse indirect, split ring: @p d names a ring-size table chained with
 * NEXT whose first entry holds the buffer d held and the others are
 * empty. */
static int
split_indirect_table(struct bguest *g, struct vring_desc *d)
{
	uint64_t gpa = guest_mem_alloc(&g->gm, (uint64_t)g->size * 16u, 16);
	struct vring_desc *t;
	uint16_t j;

	if (gpa == 0)
		return -1;
	t = guest_mem_ptr(&g->gm, gpa);
	for (j = 0; j < g->size; j++) {
		t[j].addr = d->addr;
		t[j].len = j == 0 ? d->len : 0;
		t[j].flags = (uint16_t)(d->flags |
			(j + 1u < g->size ? VRING_DESC_F_NEXT : 0));
		t[j].next = (uint16_t)(j + 1u < g->size ? j + 1u : 0);
	}
	d->addr = gpa;
	d->len = (uint32_t)g->size * 16u;
	d->flags = VRING_DESC_F_INDIRECT;
	return 0;
}

static int
guest_setup(struct bguest *g, const struct opts *o, bool packed, bool tx,
	    uint32_t frame)
{
	uint16_t flags = 0, i;
	uint8_t hdr_len = 12;	/* VERSION_1 (and MRG_RXBUF) */
	uint32_t buf;
	uint64_t mem;

	memset(g, 0, sizeof(*g));
	g->gm.fd = -1;
	g->packed = packed;
	g->tx = tx;
	g->size = o->ring_size;
	g->mask = (uint16_t)(o->ring_size - 1);
	if (o->mrg)
		flags |= VHP_VQ_F_MRG_RXBUF;
	if (o->in_order)
		flags |= VHP_VQ_F_IN_ORDER;
	if (o->indirect || o->abuse == ABUSE_INDIRECT)
		flags |= VHP_VQ_F_INDIRECT;
	if (tx)
		flags |= VHP_VQ_F_TX;
	g->abuse = o->abuse;
	g->stride = o->abuse == ABUSE_CHAIN ? o->chain_len : 1;
	g->nbufs = (uint16_t)(g->size / g->stride);
	/* TX: one buffer holds header + frame. RX: virtio-user's 2 KB
	 * buffers with MRG_RXBUF, else buffers that fit the frame. */
	buf = RTE_ALIGN_CEIL(hdr_len + frame, 64u);
	if (!tx && o->mrg)
		buf = BUF_SIZE;
	buf = RTE_MAX(buf, BUF_SIZE);
	g->desc_len = tx ? hdr_len + frame : buf;
	mem = (uint64_t)g->size * buf + (4u << 20);
	/* gp_init: an indirect table per id as well; split: --abuse */
	mem += (uint64_t)g->size * g->size * 16u;
	mem = RTE_ALIGN_CEIL(mem, 1u << 20);
	if (guest_mem_create(&g->gm, GPA_BASE, mem) != 0)
		return -1;
	g->mem_ok = true;
	g->slot_gpa = calloc(g->size, sizeof(*g->slot_gpa));
	if (g->slot_gpa == NULL)
		return -1;
	if (packed) {
		if (gp_init(&g->gp, &g->gm, g->size, buf, flags, hdr_len) != 0)
			return -1;
		g->ring_ok = true;
		g->vq = g->gp.vq;
		for (i = 0; i < g->size; i++)
			g->slot_gpa[i] = g->gp.id_buf[i];
		if (o->abuse == ABUSE_INDIRECT) {
			/* Entry 0 holds the buffer, the others are empty. */
			for (i = 0; i < g->size; i++) {
				struct vring_packed_desc *t = guest_mem_ptr(
					&g->gm, g->gp.id_table[i]);
				uint16_t j;

				for (j = 0; j < g->size; j++) {
					t[j].addr = g->slot_gpa[i];
					t[j].len = j == 0 ? g->desc_len : 0;
					t[j].id = 0;
					t[j].flags = tx ? 0 :
						VRING_DESC_F_WRITE;
				}
			}
		}
		gp_set_driver_event(&g->gp, VRING_EVENT_F_DISABLE, 0, 0);
		g->avail_wrap = 1;
		g->used_wrap = 1;
	} else {
		if (guest_split_init(&g->gs, &g->gm, g->size, flags, hdr_len,
				     0) != 0)
			return -1;
		g->ring_ok = true;
		g->vq = g->gs.vq;
		for (i = 0; i < g->size; i++) {
			struct vring_desc *d = &g->gs.desc[i];
			/* chains: slot i belongs to the buffer of its head */
			bool last = i % g->stride == g->stride - 1u;

			g->slot_gpa[i] = guest_mem_alloc(&g->gm, buf, 64);
			if (g->slot_gpa[i] == 0)
				return -1;
			d->addr = g->slot_gpa[i];
			d->len = g->desc_len;
			d->flags = tx ? 0 : VRING_DESC_F_WRITE;
			d->next = 0;
			if (o->abuse == ABUSE_CHAIN) {
				/* N-1 empty descriptors, then the buffer */
				g->slot_gpa[i] = 0;
				if (!last) {
					d->len = 0;
					d->flags |= VRING_DESC_F_NEXT;
					d->next = (uint16_t)(i + 1);
				}
			} else if (o->abuse == ABUSE_INDIRECT &&
				   split_indirect_table(g, d) != 0) {
				return -1;
			}
		}
		if (o->abuse == ABUSE_CHAIN) {
			/* the buffer of a chain is that of its last slot;
			 * the guest fills (TX) the head's slot_gpa */
			for (i = 0; i < g->size; i += g->stride)
				g->slot_gpa[i] = g->gs.desc[i + g->stride -
							    1].addr;
		}
		guest_split_set_no_interrupt(&g->gs, true);
	}
	for (i = 0; i < g->size; i++) {
		uint8_t *p;

		if (g->slot_gpa[i] == 0)
			continue;
		p = guest_mem_ptr(&g->gm, g->slot_gpa[i]);
		memset(p, 0, hdr_len);
		if (tx && o->offload)
			fill_udp_frame(p, hdr_len, frame);
		else if (tx)
			fill_frame(p + hdr_len, frame);
	}
	if (o->offload) {
		/* As vhp_vq_offload_init() sets them for a front-end that
		 * negotiated NET_F_CSUM / GUEST_CSUM. */
		g->vq->ol_features = VHP_OL_CSUM;
		g->vq->flags |= VHP_VQ_F_OL_INIT |
			(tx ? VHP_VQ_F_HOST_OL : VHP_VQ_F_GUEST_CSUM);
	}
	if (packed)
		packed_post(g, g->size);
	else
		split_post(g, g->nbufs);
	return 0;
}

static void
guest_teardown(struct bguest *g)
{
	if (g->ring_ok && g->packed)
		gp_free(&g->gp);
	else if (g->ring_ok)
		guest_split_fini(&g->gs);
	if (g->mem_ok)
		guest_mem_destroy(&g->gm);
	free(g->slot_gpa);
	memset(g, 0, sizeof(*g));
}

/* ---- mbufs to enqueue ---- */

/* @p n packets of @p len bytes (chained beyond one mbuf's room). The data
 * is whatever the mbuf held: only the copy cost matters here. */
static int
prepare_mbufs(struct rte_mbuf **pkts, uint16_t n, uint32_t len,
	      uint64_t ol_flags)
{
	uint16_t room = (uint16_t)(rte_pktmbuf_data_room_size(pool) -
				   RTE_PKTMBUF_HEADROOM);
	uint16_t i;

	if (rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *last = m;
		uint32_t left = len;

		m->data_len = (uint16_t)RTE_MIN(left, (uint32_t)room);
		left -= m->data_len;
		while (left != 0) {
			struct rte_mbuf *s = rte_pktmbuf_alloc(pool);

			if (s == NULL)
				return -1;
			s->data_len = (uint16_t)RTE_MIN(left, (uint32_t)room);
			left -= s->data_len;
			last->next = s;
			last = s;
			m->nb_segs++;
		}
		m->pkt_len = len;
		m->ol_flags = ol_flags;
	}
	return 0;
}

/* ---- one case ---- */

static uint64_t
calibrate_rdtsc(void)
{
	uint64_t best = UINT64_MAX, t0, t1;
	int i;

	for (i = 0; i < 10000; i++) {
		t0 = rte_rdtsc();
		t1 = rte_rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static int
run_case(const struct opts *o, bool packed, uint32_t size, enum dir dir,
	 struct result *r)
{
	struct rte_mbuf *pkts[MAX_BURST];
	struct bguest g;
	struct vhp_port *port;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t deadline, it, busy = 0, pk = 0, nb_bursts = 0;
	uint64_t limit = o->iterations;
	uint16_t n;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->ring = packed ? "packed" : "split";
	r->size = size;
	r->dir = dir;
	if (guest_setup(&g, o, packed, dir == DIR_DEQ, size) != 0) {
		fprintf(stderr, "guest set-up failed (%s %u)\n", r->ring, size);
		guest_teardown(&g);
		return -1;
	}
	/* A port with no socket: only dev.vq[] is read by the burst calls. */
	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		guest_teardown(&g);
		return -1;
	}
	port->dev.vq[dir == DIR_ENQ ? 0 : 1] = g.vq;
	if (o->dirty_log) {
		/* A bitmap covering all of guest memory, as QEMU's does. */
		static struct vhp_dirty_log blog;
		uint64_t pages = (g.gm.gpa_base + g.gm.size) / VHP_LOG_PAGE;

		free(blog.bits);
		blog.size = pages / 8 + 1;
		blog.bits = calloc(1, blog.size);
		if (blog.bits == NULL)
			goto out;
		g.vq->log = &blog;
		g.vq->log_ring_gpa = packed ? g.gp.desc_gpa : g.gs.used_gpa;
	}

	deadline = 0;
	for (it = 0; ; it++) {
		bool timed = it >= o->warmup;
		uint64_t t0, t1;

		if (timed && nb_bursts == 0)
			deadline = rte_rdtsc() + (uint64_t)(o->time_ms * 1e-3 *
							    (double)hz);
		if (timed && (limit != 0 ? nb_bursts >= limit :
			      rte_rdtsc() >= deadline))
			break;
		if (dir == DIR_ENQ) {
			if (prepare_mbufs(pkts, o->burst, size, o->txreq ?
					  RTE_MBUF_F_TX_IPV4 |
					  RTE_MBUF_F_TX_UDP_CKSUM :
					  o->offload ?
					  RTE_MBUF_F_RX_L4_CKSUM_GOOD |
					  RTE_MBUF_F_RX_IP_CKSUM_GOOD :
					  0) != 0) {
				fprintf(stderr, "mbuf allocation failed\n");
				goto out;
			}
			if (o->txreq)
				txreq_frames(pkts, o->burst, size);
			t0 = rte_rdtsc();
			n = bench_enqueue_burst(port, pkts, o->burst,
						o->pkt_stats);
			t1 = rte_rdtsc();
			if (n != o->burst)
				rte_pktmbuf_free_bulk(pkts + n,
						      o->burst - n);
			if (n == 0 || (n != o->burst &&
				       o->abuse == ABUSE_NONE)) {
				fprintf(stderr, "%s %u enqueue: %u of %u "
					"taken: the guest model and the "
					"device disagree\n", r->ring, size, n,
					o->burst);
				goto out;
			}
		} else {
			t0 = rte_rdtsc();
			n = bench_dequeue_burst(port, pool, pkts, o->burst,
						o->pkt_stats);
			t1 = rte_rdtsc();
			if (n == 0 || (n != o->burst &&
				       o->abuse == ABUSE_NONE)) {
				rte_pktmbuf_free_bulk(pkts, n);
				fprintf(stderr, "%s %u dequeue: %u of %u "
					"packets: the guest model and the "
					"device disagree\n", r->ring, size, n,
					o->burst);
				goto out;
			}
			rte_pktmbuf_free_bulk(pkts, n);
		}
		if (guest_recycle(&g) < 0) {
			fprintf(stderr, "%s %u: unexpected used descriptor\n",
				r->ring, size);
			goto out;
		}
		if (timed) {
			uint64_t c = t1 - t0;

			busy += c > rdtsc_overhead ? c - rdtsc_overhead : 0;
			pk += n;
			nb_bursts++;
		}
	}
	if (g.vq->stats.dropped != 0 || g.vq->stats.alloc_failed != 0) {
		fprintf(stderr, "%s %u: %" PRIu64 " dropped, %" PRIu64
			" allocation failures\n", r->ring, size,
			g.vq->stats.dropped, g.vq->stats.alloc_failed);
		goto out;
	}
	r->bursts = nb_bursts;
	r->packets = pk;
	r->cycles = busy;
	r->cpp = pk != 0 ? (double)busy / (double)pk : 0.0;
	r->ns = r->cpp * 1e9 / (double)hz;
	ret = 0;
out:
	port->dev.vq[0] = NULL;
	port->dev.vq[1] = NULL;
	free(port);
	guest_teardown(&g);
	return ret;
}

/* ---- options, output ---- */

static void
usage(const char *prog)
{
	printf("usage: %s [options]\n"
	       "  --iterations N   timed bursts per case (deterministic; for "
	       "callgrind)\n"
	       "  --time-ms MS     time per case when no --iterations "
	       "(default 500)\n"
	       "  --warmup N       untimed bursts first (default 2 rings' "
	       "worth)\n"
	       "  --ring R         split|packed|all (default all)\n"
	       "  --dir D          enqueue|dequeue|all (default all)\n"
	       "  --sizes L,L      frame sizes in bytes (default 64,1518)\n"
	       "  --burst N        packets per burst (default 32)\n"
	       "  --ring-size N    descriptors per ring (default 1024)\n"
	       "  --variant V      default (MRG_RXBUF, IN_ORDER, "
	       "INDIRECT_DESC: virtio-user's),\n"
	       "                   in_order=0 or mrg_rxbuf=0\n"
	       "  --json FILE      write the results as JSON\n"
	       "  --cpu N          core to run on (default 0)\n"
	       "  --huge           mbufs in hugepages (default --no-huge)\n"
	       "  --quiet          no table\n"
	       "  --dirty-log      mark a dirty-page log as during a live "
	       "migration\n"
	       "  --pkt-stats      count packet classes in the bursts as "
	       "vhp-testpmd's vhost\n"
	       "                   driver does (callgrind: --toggle-collect="
	       "'bench_*_burst')\n"
	       "  --offload        checksum offloads negotiated: RX mbufs "
	       "with RX_L4_CKSUM_GOOD,\n"
	       "                   guest TX IPv4/UDP with NEEDS_CSUM (sizes "
	       ">= 42)\n"
	       "  --txreq          with --offload: RX mbufs ask for the UDP "
	       "checksum instead\n"
	       "                   (pseudo-header sum in the field, l2/l3 "
	       "lengths set)\n"
	       "  --abuse MODE     hostile guest buffers: indirect (one "
	       "ring-size table per\n"
	       "                   buffer, one entry used) or chain:N (N-1 "
	       "empty descriptors\n"
	       "                   before the buffer; burst * N <= ring "
	       "size)\n", prog);
}

static int
parse_sizes(struct opts *o, char *s)
{
	char *tok, *save = NULL;

	o->nsizes = 0;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned long v = strtoul(tok, NULL, 0);

		if (o->nsizes == MAX_SIZES || v < 14 || v > 65535 - 64)
			return -1;
		o->sizes[o->nsizes++] = (uint32_t)v;
	}
	return o->nsizes != 0 ? 0 : -1;
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "time-ms", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "ring", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ "sizes", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'b' },
		{ "ring-size", required_argument, NULL, 'q' },
		{ "variant", required_argument, NULL, 'v' },
		{ "json", required_argument, NULL, 'j' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "huge", no_argument, NULL, 'H' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "dirty-log", no_argument, NULL, 'L' },
		{ "pkt-stats", no_argument, NULL, 'P' },
		{ "offload", no_argument, NULL, 'O' },
		{ "txreq", no_argument, NULL, 'T' },
		{ "abuse", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool warmup_set = false;
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->time_ms = 500;
	o->ring_size = 1024;
	o->burst = 32;
	o->split = o->packed = true;
	o->enq = o->deq = true;
	o->sizes[0] = 64;
	o->sizes[1] = 1518;
	o->nsizes = 2;
	o->mrg = o->in_order = o->indirect = true;
	o->variant = "default";
	o->abuse_name = "none";
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iterations = strtoull(optarg, NULL, 0);
			if (o->iterations == 0)
				return -1;
			break;
		case 't':
			o->time_ms = strtod(optarg, NULL);
			if (!(o->time_ms > 0))
				return -1;
			break;
		case 'w':
			o->warmup = strtoull(optarg, NULL, 0);
			warmup_set = true;
			break;
		case 'r':
			o->split = strcmp(optarg, "packed") != 0;
			o->packed = strcmp(optarg, "split") != 0;
			if (strcmp(optarg, "split") != 0 &&
			    strcmp(optarg, "packed") != 0 &&
			    strcmp(optarg, "all") != 0)
				return -1;
			break;
		case 'd':
			o->enq = strcmp(optarg, "dequeue") != 0;
			o->deq = strcmp(optarg, "enqueue") != 0;
			if (strcmp(optarg, "enqueue") != 0 &&
			    strcmp(optarg, "dequeue") != 0 &&
			    strcmp(optarg, "all") != 0)
				return -1;
			break;
		case 's':
			if (parse_sizes(o, optarg) != 0)
				return -1;
			break;
		case 'b':
			v = strtoul(optarg, NULL, 0);
			if (v == 0 || v > MAX_BURST)
				return -1;
			o->burst = (uint16_t)v;
			break;
		case 'q':
			v = strtoul(optarg, NULL, 0);
			if (v < 64 || v > 32768 || (v & (v - 1)) != 0)
				return -1;
			o->ring_size = (uint16_t)v;
			break;
		case 'v':
			o->variant = optarg;
			if (strcmp(optarg, "in_order=0") == 0)
				o->in_order = false;
			else if (strcmp(optarg, "mrg_rxbuf=0") == 0)
				o->mrg = false;
			else if (strcmp(optarg, "default") != 0 &&
				 strcmp(optarg, "in_order=1") != 0)
				return -1;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'c':
			o->cpu = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			o->huge = true;
			break;
		case 'Q':
			o->quiet = true;
			break;
		case 'L':
			o->dirty_log = true;
			break;
		case 'P':
			o->pkt_stats = true;
			break;
		case 'O':
			o->offload = true;
			break;
		case 'T':
			o->offload = true;
			o->txreq = true;
			break;
		case 'A':
			o->abuse_name = optarg;
			if (strcmp(optarg, "indirect") == 0) {
				o->abuse = ABUSE_INDIRECT;
			} else if (strncmp(optarg, "chain:", 6) == 0) {
				v = strtoul(optarg + 6, NULL, 0);
				if (v < 2 || v > 32768 || (v & (v - 1)) != 0)
					return -1;
				o->abuse = ABUSE_CHAIN;
				o->chain_len = (uint16_t)v;
			} else {
				return -1;
			}
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (o->burst > o->ring_size / 2)
		return -1;
	if (o->abuse == ABUSE_CHAIN &&
	    (uint32_t)o->burst * o->chain_len > o->ring_size)
		return -1;
	if (o->offload) {
		unsigned int i;

		for (i = 0; i < o->nsizes; i++)
			if (o->sizes[i] < 42)
				return -1;
	}
	if (!warmup_set)
		o->warmup = 2u * o->ring_size / o->burst;
	return 0;
}

static const char *
dir_name(enum dir d)
{
	return d == DIR_ENQ ? "enqueue" : "dequeue";
}

static int
write_json(const struct opts *o, const struct result *res, unsigned int nres)
{
	FILE *f = fopen(o->json, "w");
	unsigned int i;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", o->json, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"tsc_hz\": %" PRIu64 ",\n  \"ring_size\": %u,\n"
		"  \"burst\": %u,\n  \"variant\": \"%s\",\n"
		"  \"dirty_log\": %s,\n"
		"  \"offload\": %s,\n  \"txreq\": %s,\n"
		"  \"abuse\": \"%s\",\n"
		"  \"mrg_rxbuf\": %s,\n  \"in_order\": %s,\n"
		"  \"iterations\": %" PRIu64 ",\n  \"time_ms\": %.1f,\n"
		"  \"rdtsc_overhead_cycles\": %" PRIu64 ",\n  \"cases\": [",
		rte_get_tsc_hz(), o->ring_size, o->burst, o->variant,
		o->dirty_log ? "true" : "false",
		o->offload ? "true" : "false", o->txreq ? "true" : "false",
		o->abuse_name, o->mrg ? "true" : "false", o->in_order ? "true" : "false",
		o->iterations, o->iterations ? 0.0 : o->time_ms,
		rdtsc_overhead);
	for (i = 0; i < nres; i++)
		fprintf(f, "%s\n    {\"ring\": \"%s\", \"size\": %u, "
			"\"dir\": \"%s\", \"bursts\": %" PRIu64 ", "
			"\"packets\": %" PRIu64 ", \"cycles\": %" PRIu64 ", "
			"\"cycles_per_packet\": %.2f, \"ns_per_packet\": %.3f}",
			i ? "," : "", res[i].ring, res[i].size,
			dir_name(res[i].dir), res[i].bursts, res[i].packets,
			res[i].cycles, res[i].cpp, res[i].ns);
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return -1;
	return 0;
}

static int
eal_init(const struct opts *o, const char *prog)
{
	char lcores[16], prefix[64];
	char *argv[16];
	int argc = 0;

	snprintf(lcores, sizeof(lcores), "%u", o->cpu);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhp-bench-%d",
		 (int)getpid());
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = lcores;
	if (!o->huge) {
		argv[argc++] = (char *)(uintptr_t)"--no-huge";
		argv[argc++] = (char *)(uintptr_t)"-m";
		argv[argc++] = (char *)(uintptr_t)"256";
	}
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = (char *)(uintptr_t)"--no-telemetry";
	argv[argc++] = (char *)(uintptr_t)"--log-level";
	argv[argc++] = (char *)(uintptr_t)"*:warning";
	argv[argc++] = prefix;
	argv[argc] = NULL;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct result res[2 * 2 * MAX_SIZES];
	unsigned int nres = 0, r, s, d;
	struct opts o;
	int failed = 0;

	if (parse_opts(&o, argc, argv) != 0) {
		usage(argv[0]);
		return 2;
	}
	if (eal_init(&o, argv[0]) != 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("bench", NB_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "mempool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	rdtsc_overhead = calibrate_rdtsc();
	if (!o.quiet) {
		printf("vhp-bench: one core (lcore %u), ring %u, burst %u, "
		       "variant %s%s, abuse %s, %s; TSC %.0f MHz, rdtsc pair "
		       "%" PRIu64 " cycles (subtracted)\n", o.cpu,
		       o.ring_size, o.burst, o.variant,
		       o.offload ? " + offload" : "", o.abuse_name,
		       o.iterations ? "fixed iterations" : "timed",
		       (double)rte_get_tsc_hz() / 1e6, rdtsc_overhead);
		printf("%-7s %6s %-8s %12s %10s %9s %9s\n", "ring", "size",
		       "dir", "packets", "cyc/pkt", "ns/pkt", "Mpps");
	}
	for (r = 0; r < 2; r++) {
		bool packed = r == 1;

		if ((packed && !o.packed) || (!packed && !o.split))
			continue;
		for (s = 0; s < o.nsizes; s++) {
			for (d = 0; d < 2; d++) {
				enum dir dir = d == 0 ? DIR_ENQ : DIR_DEQ;
				struct result *x = &res[nres];

				if ((dir == DIR_ENQ && !o.enq) ||
				    (dir == DIR_DEQ && !o.deq))
					continue;
				if (run_case(&o, packed, o.sizes[s], dir,
					     x) != 0) {
					printf("%-7s %6u %-8s FAILED\n",
					       packed ? "packed" : "split",
					       o.sizes[s], dir_name(dir));
					failed = 1;
					continue;
				}
				nres++;
				if (!o.quiet)
					printf("%-7s %6u %-8s %12" PRIu64
					       " %10.2f %9.3f %9.2f\n",
					       x->ring, x->size,
					       dir_name(x->dir), x->packets,
					       x->cpp, x->ns,
					       x->ns > 0 ? 1e3 / x->ns : 0.0);
				fflush(stdout);
			}
		}
	}
	if (o.json != NULL && write_json(&o, res, nres) != 0)
		failed = 1;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
