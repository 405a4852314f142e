/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the packed-ring datapath against arbitrary ring
 * contents, wrap positions, event suppression and memory layouts.
 *
 * Input layout (little-endian; missing bytes read as zero), see also
 * gen_packed_seeds.py:
 *   0      ring size = 1 + b % 64
 *   1      bit0 EVENT_IDX, bit1 MRG_RXBUF, bit2 IN_ORDER, bit3 INDIRECT,
 *          bit4 12-byte header (else 10), bit5 offloads (guest TX headers
 *          parsed: NET_F_CSUM, TSO4/6, ECN; enqueued packets marked with
 *          TX offload requests), bit6 GUEST_CSUM/TSO4/TSO6
 *   2-3    start index (bits 0-14, modulo size), bit 15 wrap counter
 *   4      0: one memory region, else split at (b % 255 + 1) pages
 *   5      driver event flags (b % 4)
 *   6-7    driver event off_wrap
 *   8      rounds = 1 + b % 8
 *   9-15   unused
 *   16..   ring: size descriptors {addr u64, len u32, id u16, flags u16};
 *          addr with bit 63 clear is taken modulo the guest memory size
 *          (inside memory), with bit 63 set as is; flags bit 14 asks for
 *          AVAIL/USED to be set "available" for the slot's current lap
 *   then   8 rounds of 4 bytes: op (bit 0: enqueue, else dequeue),
 *          count (1 + b % 40), 16-bit seed of the packet lengths
 *   then   up to 64 KiB copied to guest memory at FUZZ_DATA_OFF (targets
 *          for indirect tables and buffers)
 * Each round rewrites the ring from the input (fresh laps), then runs one
 * burst and checks the queue invariants; a crash or abort is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_mem.h"
#include "guest_packed.h"
#include "test_common.h"
#include "virtqueue.h"

#define FUZZ_GPA_BASE	0x10000000ULL
#define FUZZ_MEM_SIZE	(1ULL << 20)
#define FUZZ_DATA_OFF	0x40000ULL
#define FUZZ_DATA_MAX	0x10000u
#define FUZZ_HDR	16
#define FUZZ_ROUNDS	8
#define FUZZ_AUTO_AVAIL	(1u << 14)
#define FUZZ_MAX_PKTS	40

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *fuzz_pool;

static uint64_t
rd_le(const uint8_t *data, size_t size, size_t off, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (off + i < size)
			v |= (uint64_t)data[off + i] << (8 * i);
	return v;
}

static void
fuzz_init(void)
{
	if (fuzz_pool != NULL)
		return;
	vhp_test_eal_init("fuzz_packed");
	/* guest errors are expected here: keep the fuzzer fast */
	rte_log_set_global_level(RTE_LOG_CRIT);
	fuzz_pool = rte_pktmbuf_pool_create("fuzz_packed", 2047, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	if (fuzz_pool == NULL)
		abort();
}

/* Write the ring from the input, relative to the device's position. */
static void
fuzz_fill_ring(struct guest_packed *gp, const uint8_t *data, size_t size)
{
	const struct vhp_virtqueue *vq = gp->vq;
	uint16_t i;

	for (i = 0; i < gp->size; i++) {
		size_t off = FUZZ_HDR + (size_t)i * 16;
		uint64_t addr = rd_le(data, size, off, 8);
		uint16_t flags = (uint16_t)rd_le(data, size, off + 14, 2);
		struct vring_packed_desc *d = &gp->desc[i];

		if (!(addr >> 63))
			addr = FUZZ_GPA_BASE + addr % FUZZ_MEM_SIZE;
		if (flags & FUZZ_AUTO_AVAIL) {
			/* Slots before the device's position are in the
			 * next lap. */
			uint8_t wrap = i >= vq->last_avail_idx ?
				vq->avail_wrap : !vq->avail_wrap;

			flags &= (uint16_t)~(VRING_PACKED_DESC_F_AVAIL |
					     VRING_PACKED_DESC_F_USED);
			flags |= wrap ? VRING_PACKED_DESC_F_AVAIL :
				VRING_PACKED_DESC_F_USED;
		}
		d->addr = addr;
		d->len = (uint32_t)rd_le(data, size, off + 8, 4);
		d->id = (uint16_t)rd_le(data, size, off + 12, 2);
		d->flags = flags;
	}
}

static struct rte_mbuf *
fuzz_pkt(uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0;

	do {
		uint16_t n;

		m = rte_pktmbuf_alloc(fuzz_pool);
		if (m == NULL)
			break;
		n = (uint16_t)RTE_MIN(len - off,
				      (uint32_t)rte_pktmbuf_tailroom(m));
		memset(rte_pktmbuf_append(m, n), (int)(len & 0xff), n);
		off += n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
	} while (off < len);
	return head;
}

static bool fuzz_ol;	/* this input negotiates offloads */

static void
fuzz_check(const struct vhp_virtqueue *vq, uint16_t got, uint16_t count)
{
	if (got > count || vq->shadow_count != 0 ||
	    vq->last_avail_idx >= vq->size || vq->last_used_idx >= vq->size)
		abort();
	if (!vq->broken && (vq->last_used_idx != vq->last_avail_idx ||
			    vq->used_wrap != vq->avail_wrap))
		abort();
}

static void
fuzz_round(struct guest_packed *gp, const uint8_t *op)
{
	struct rte_mbuf *pkts[FUZZ_MAX_PKTS];
	uint16_t count = (uint16_t)(1 + op[1] % FUZZ_MAX_PKTS);
	uint32_t seed = op[2] | ((uint32_t)op[3] << 8);
	uint16_t n = 0, got, i;

	if (op[0] & 1) {
		for (i = 0; i < count; i++) {
			uint32_t len = 1 + (uint32_t)(((uint64_t)seed *
				(i + 1) * 2654435761u) % 9500);

			pkts[n] = fuzz_pkt(len);
			if (pkts[n] != NULL && fuzz_ol)
				vhp_test_mark_offload(pkts[n], len + seed);
			if (pkts[n] != NULL)
				n++;
		}
		got = vhp_packed_enqueue(gp->vq, pkts, n);
		fuzz_check(gp->vq, got, n);
		for (i = got; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
	} else {
		got = vhp_packed_dequeue(gp->vq, fuzz_pool, pkts, count);
		fuzz_check(gp->vq, got, count);
		for (i = 0; i < got; i++) {
			if (rte_mbuf_check(pkts[i], 1, NULL) != 0)
				abort();
			rte_pktmbuf_free(pkts[i]);
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem gm;
	struct guest_packed gp;
	uint16_t qsize, vq_flags = 0, start, r, rounds;
	unsigned int avail0;
	uint8_t cfg, split;
	size_t ops_off, mem_off;

	fuzz_init();
	avail0 = rte_mempool_avail_count(fuzz_pool);
	qsize = (uint16_t)(1 + rd_le(data, size, 0, 1) % 64);
	cfg = (uint8_t)rd_le(data, size, 1, 1);
	start = (uint16_t)rd_le(data, size, 2, 2);
	split = (uint8_t)rd_le(data, size, 4, 1);
	rounds = (uint16_t)(1 + rd_le(data, size, 8, 1) % FUZZ_ROUNDS);
	if (cfg & 1)
		vq_flags |= VHP_VQ_F_EVENT_IDX;
	if (cfg & 2)
		vq_flags |= VHP_VQ_F_MRG_RXBUF;
	if (cfg & 4)
		vq_flags |= VHP_VQ_F_IN_ORDER;
	if (cfg & 8)
		vq_flags |= VHP_VQ_F_INDIRECT;
	/* One ring does both directions here: HOST_OL applies to dequeue,
	 * GUEST_CSUM to enqueue. */
	fuzz_ol = (cfg & 32) != 0;
	vq_flags |= VHP_VQ_F_OL_INIT;
	if (fuzz_ol)
		vq_flags |= VHP_VQ_F_HOST_OL;
	if (cfg & 64)
		vq_flags |= VHP_VQ_F_GUEST_CSUM;

	if (guest_mem_create(&gm, FUZZ_GPA_BASE, FUZZ_MEM_SIZE) != 0)
		abort();
	if (split != 0 &&
	    guest_mem_split_regions(&gm, (uint64_t)(split % 255 + 1) * 4096)
	    != 0)
		abort();
	if (gp_init(&gp, &gm, qsize, 0, vq_flags, (cfg & 16) ? 12 : 10) != 0) {
		/* The ring straddles the split: not a datapath case. */
		guest_mem_destroy(&gm);
		return 0;
	}
	start &= 0x7fff;
	if (gp_rebuild_vq(&gp, (uint16_t)(start % qsize),
			  (uint8_t)(rd_le(data, size, 3, 1) >> 7),
			  (uint16_t)(start % qsize),
			  (uint8_t)(rd_le(data, size, 3, 1) >> 7)) != 0)
		abort();
	gp.driver_event->flags = (uint16_t)(rd_le(data, size, 5, 1) % 4);
	gp.driver_event->off_wrap = (uint16_t)rd_le(data, size, 6, 2);
	if (cfg & 96)
		gp.vq->ol_features = VHP_OL_CSUM | VHP_OL_TSO4 | VHP_OL_TSO6 |
			VHP_OL_ECN;

	ops_off = FUZZ_HDR + (size_t)qsize * 16;
	mem_off = ops_off + FUZZ_ROUNDS * 4;
	if (mem_off < size)
		memcpy(guest_mem_ptr(&gm, FUZZ_GPA_BASE + FUZZ_DATA_OFF),
		       data + mem_off,
		       RTE_MIN(size - mem_off, (size_t)FUZZ_DATA_MAX));

	for (r = 0; r < rounds && !gp.vq->broken; r++) {
		uint8_t op[4];
		unsigned int k;

		for (k = 0; k < 4; k++)
			op[k] = (uint8_t)rd_le(data, size, ops_off + r * 4 + k,
					       1);
		fuzz_fill_ring(&gp, data, size);
		fuzz_round(&gp, op);
	}
	gp_free(&gp);
	guest_mem_destroy(&gm);
	/* every mbuf came back: none leaked, none freed twice */
	if (rte_mempool_avail_count(fuzz_pool) != avail0)
		abort();
	return 0;
}
