/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueue datapath (VIRTIO_F_RING_PACKED, virtio 1.2, 2.8).
 *
 * One descriptor ring shared by both sides. A descriptor at the device's
 * avail position is available when its AVAIL bit equals the avail wrap
 * counter and its USED bit does not. A buffer (a chain of descriptors, or one
 * INDIRECT descriptor) consumes as many ring slots as it has descriptors; its
 * used descriptor is written at the first slot, carrying the buffer id of the
 * chain's last descriptor, with AVAIL == USED == the used wrap counter.
 *
 * Fast path (rx_fast(), tx_fast()): the burst is taken in passes of up to
 * PACKED_CHUNK single, direct descriptors, as the split ring does: first
 * the flags (a group of four on one 64-byte line with one compare of its
 * four flag words, any other descriptor on its own, so an unaligned ring
 * base or the ring end only costs the grouping), then addr/len/id read
 * once after the acquire fence, then the checks and translations with
 * prefetches, then the copies. A pass that stops early limits the next
 * one to one descriptor more than it got. A larger or chained RX packet
 * over mergeable buffers that are each one descriptor takes rx_mrg_fast()
 * (descriptors gathered and checked, then header and segments copied
 * across them). Everything else takes the single-buffer path, which
 * handles chains, indirect tables, mergeable RX buffers and multi-segment
 * mbufs, and validates everything the guest wrote (read once, into locals
 * or into vq->desc_scratch).
 *
 * Offloads (net_hdr.c) stay on the fast path: an RX mbuf's checksum status
 * becomes DATA_VALID in the header (GUEST_CSUM), a TX offload request the
 * header and patched packet headers vhp_net_hdr_enqueue() builds; a guest
 * TX header with flags or gso_type set goes through vhp_net_hdr_dequeue_ol()
 * (a zero one costs one test). The single-buffer path does the same for
 * the packets it takes.
 *
 * Cost of guest-built buffers: every descriptor is read at most once. A
 * chain in the ring is walked to its end (at most the ring size); an
 * indirect table is read in place entry by entry, for RX only as far as
 * the packet needs; empty descriptors are checked and skipped. See
 * packed_parse_slow() and doc/performance.md for the figures.
 *
 * Used descriptors collect in the shadow (vq->shadow_used id/len,
 * vq->shadow_count_desc slots) and are flushed once per burst: ids and
 * lengths, one barrier, the flags, and the first one's flags last with a
 * release store. Then at most one callfd write, when the driver event
 * suppression structure asks for it.
 *
 * Guest errors. A bad buffer is returned used with len 0 and counted, the
 * packet dropped (an RX packet counts as taken): VHP_ERR_ADDR for addresses
 * outside guest memory or addr+len overflow, VHP_ERR_CHAIN for a writable
 * descriptor in a TX chain or a read-only one in an RX buffer (WRITE in a
 * TX indirect table is tolerated: DPDK's virtio PMD sets it), VHP_ERR_LEN
 * for a buffer shorter than the header (or than the packet without
 * MRG_RXBUF), VHP_ERR_INDIRECT for bad tables (len 0 or not a multiple of
 * 16, more than size entries, nested, INDIRECT with NEXT, feature not
 * negotiated). A buffer id >= size (VHP_ERR_INDEX) or a chain longer than
 * the ring (VHP_ERR_CHAIN) means the ring itself is corrupt: it is marked
 * broken. A burst never consumes more than size slots, so a driver that
 * re-arms descriptors behind us cannot overflow the shadow.
 *
 * Invariant between bursts: every consumed descriptor has been returned, so
 * last_used_idx/used_wrap equal last_avail_idx/avail_wrap and the four fields
 * fully describe the ring position (GET/SET_VRING_BASE).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "copy.h"
#include "vhp_internal.h"

/* Descriptors per batch: one 64-byte cache line. */
#define PACKED_BATCH_SIZE	4
#define PACKED_BATCH_MASK	(PACKED_BATCH_SIZE - 1)

/* Descriptors a pass of the burst fast path covers. */
#define PACKED_CHUNK		32

/* Buffers one RX packet may span on the mergeable fast path. */
#define PACKED_MRG_MAX		64

/* Flag bits that decide whether a descriptor can join a batch. */
#define PACKED_BATCH_FLAGS	(VRING_PACKED_DESC_F_AVAIL | \
				 VRING_PACKED_DESC_F_USED | \
				 VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT | \
				 VRING_DESC_F_WRITE)

/* Largest packet a guest may transmit: an IP datagram plus L2 headers. */
#define PACKED_TX_MAX_LEN	(UINT16_MAX + 32u)

/* Outcome of reading one buffer from the ring. */
enum packed_parse {
	PARSE_OK,	/* chain read and valid */
	PARSE_EMPTY,	/* nothing available (or not within the budget) */
	PARSE_DROP,	/* bad buffer: error counted, return it with len 0 */
	PARSE_BROKEN,	/* ring corrupt: marked broken, stop */
};

/* One guest buffer as read from the ring. */
struct packed_chain {
	const struct vring_packed_desc *seg;	/* nseg local copies */
	uint32_t nseg;
	uint16_t id;		/* buffer id (of the last descriptor) */
	uint16_t ndesc;		/* ring slots the buffer occupies */
	struct vring_packed_desc head;	/* copy of a single descriptor */
};

/* Source of one RX packet while it is spread over guest buffers. */
struct rx_src {
	const struct rte_mbuf *m;	/* current segment */
	uint32_t off;			/* offset in the current segment */
	uint32_t left;			/* packet bytes not yet written */
	uint32_t hdr_off;		/* header bytes already written */
	uint32_t hdr_len;		/* virtio_net_hdr + patched prefix */
	uint32_t vhdr_len;		/* virtio_net_hdr alone (10 or 12) */
	/* virtio_net_hdr, then (offloads) the packet's patched headers */
	uint8_t hdr[VHP_NET_HDR_BLOB_MAX];
	uint8_t *nb_ptr[2];		/* num_buffers bytes in the guest */
};

static const uint8_t packed_hdr12[12] = { [10] = 1 };
static const uint8_t packed_hdr10[10];

static __rte_always_inline bool
packed_desc_avail(uint16_t flags, uint8_t wrap)
{
	return wrap == !!(flags & VRING_PACKED_DESC_F_AVAIL) &&
		wrap != !!(flags & VRING_PACKED_DESC_F_USED);
}

static __rte_always_inline void
packed_advance(const struct vhp_virtqueue *vq, uint16_t *idx, uint8_t *wrap,
	       uint16_t n)
{
	uint32_t i = (uint32_t)*idx + n;

	if (i >= vq->size) {
		i -= vq->size;
		*wrap ^= 1;
	}
	*idx = (uint16_t)i;
}

/* Read the non-flag fields of a ring descriptor once. */
static __rte_always_inline void
packed_desc_read(const struct vring_packed_desc *d,
		 struct vring_packed_desc *out)
{
	out->addr = __atomic_load_n(&d->addr, __ATOMIC_RELAXED);
	out->len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
	out->id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
}

static __rte_always_inline bool
packed_addr_overflows(const struct vring_packed_desc *d)
{
	return d->len > UINT64_MAX - d->addr;
}

/* Queue one used entry in the shadow. */
static __rte_always_inline void
packed_shadow(struct vhp_virtqueue *vq, uint16_t id, uint32_t len,
	      uint16_t ndesc)
{
	uint16_t i = vq->shadow_count++;

	vq->shadow_used[i].id = id;
	vq->shadow_used[i].len = len;
	vq->shadow_count_desc[i] = ndesc;
}

/*
 * TX used entries all have len 0: with IN_ORDER one entry carrying the last
 * id stands for the whole burst.
 */
static __rte_always_inline void
packed_shadow_tx(struct vhp_virtqueue *vq, uint16_t id, uint16_t ndesc)
{
	if ((vq->flags & VHP_VQ_F_IN_ORDER) && vq->shadow_count != 0) {
		vq->shadow_used[0].id = id;
		vq->shadow_count_desc[0] += ndesc;
		return;
	}
	packed_shadow(vq, id, 0, ndesc);
}

/*
 * packed_flush() when every shadow entry is one descriptor (the burst paths
 * of both directions without IN_ORDER, RX with it): the used descriptors
 * are the @p n slots from @p head, at most one wrap among them.
 */
static __rte_always_inline void
packed_flush_singles(struct vhp_virtqueue *vq, uint16_t head, uint16_t n,
		     uint16_t wflag)
{
	struct vring_packed_desc *ring = vq->desc_packed;
	const struct vring_used_elem *su = vq->shadow_used;
	const uint16_t au = VRING_PACKED_DESC_F_AVAIL |
		VRING_PACKED_DESC_F_USED;
	const uint16_t r1 = RTE_MIN(n, (uint16_t)(vq->size - head));
	const uint16_t r2 = (uint16_t)(n - r1);
	const uint16_t f = wflag | (vq->used_wrap ? au : 0);
	uint16_t i;

	for (i = 0; i < r1; i++) {
		ring[head + i].id = (uint16_t)su[i].id;
		ring[head + i].len = su[i].len;
	}
	for (i = 0; i < r2; i++) {
		ring[i].id = (uint16_t)su[r1 + i].id;
		ring[i].len = su[r1 + i].len;
	}
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 1; i < r1; i++)
		__atomic_store_n(&ring[head + i].flags, f, __ATOMIC_RELAXED);
	for (i = 0; i < r2; i++)
		__atomic_store_n(&ring[i].flags, f ^ au, __ATOMIC_RELAXED);
	__atomic_store_n(&ring[head].flags, f, __ATOMIC_RELEASE);
	if (head + n >= vq->size) {
		vq->last_used_idx = r2;
		vq->used_wrap ^= 1;
	} else {
		vq->last_used_idx = (uint16_t)(head + n);
	}
}

/* Write the shadow to the ring: ids/lens, barrier, flags, head flags last.
 * The used flags flip AVAIL and USED together when the ring wraps.
 * @p ndesc: ring slots the shadow covers (the sum of its counts). */
static __rte_always_inline void
packed_flush(struct vhp_virtqueue *vq, uint16_t ndesc)
{
	struct vring_packed_desc *ring = vq->desc_packed;
	const struct vring_used_elem *su = vq->shadow_used;
	const uint16_t *cnt = vq->shadow_count_desc;
	const uint16_t n = vq->shadow_count;
	const uint16_t size = vq->size;
	const uint16_t head = vq->last_used_idx;
	const uint16_t au = VRING_PACKED_DESC_F_AVAIL |
		VRING_PACKED_DESC_F_USED;
	/* RX buffers were written: VIRTQ_DESC_F_WRITE says their length is
	 * valid (virtio 1.2, 2.8.4); TX used descriptors carry neither. */
	const uint16_t wflag = (vq->flags & VHP_VQ_F_TX) ? 0 :
		VRING_DESC_F_WRITE;
	struct vhp_dirty_log *log = __atomic_load_n(&vq->log,
						       __ATOMIC_ACQUIRE);
	uint16_t head_flags, f, i, idx;
	uint32_t next;
	uint8_t wrap = vq->used_wrap;

	/* Live migration: RX buffers are marked while their descriptors
	 * still hold the driver's addresses (one test a flush when off). */
	if (unlikely(log != NULL))
		vhp_log_packed_buffers(vq, log);
	if (likely(ndesc == n)) {
		packed_flush_singles(vq, head, n, wflag);
		goto done;
	}
	idx = head;
	for (i = 0; i < n; i++) {
		ring[idx].id = (uint16_t)su[i].id;
		ring[idx].len = su[i].len;
		next = (uint32_t)idx + cnt[i];
		idx = (uint16_t)(next >= size ? next - size : next);
	}
	rte_atomic_thread_fence(__ATOMIC_RELEASE);

	head_flags = wflag | (wrap ? au : 0);
	f = head_flags;
	next = (uint32_t)head + cnt[0];
	if (next >= size) {
		next -= size;
		f ^= au;
		wrap ^= 1;
	}
	idx = (uint16_t)next;
	for (i = 1; i < n; i++) {
		__atomic_store_n(&ring[idx].flags, f, __ATOMIC_RELAXED);
		next = (uint32_t)idx + cnt[i];
		if (unlikely(next >= size)) {
			next -= size;
			f ^= au;
			wrap ^= 1;
		}
		idx = (uint16_t)next;
	}
	__atomic_store_n(&ring[head].flags, head_flags, __ATOMIC_RELEASE);
	vq->last_used_idx = idx;
	vq->used_wrap = wrap;
done:
	if (unlikely(log != NULL))
		vhp_log_packed_descs(vq, log, head, ndesc);
	vq->shadow_count = 0;
}

void
vhp_packed_find_position(const struct vhp_virtqueue *vq, uint16_t *idx,
			 uint8_t *wrap)
{
	const struct vring_packed_desc *ring = vq->desc_packed;
	uint16_t i, n = vq->size;
	bool u0, u;

	/*
	 * Every descriptor the device used in its current lap (before its
	 * position) carries USED == the device's wrap counter, and so does
	 * one the driver made available again since; every descriptor from
	 * the position on carries the opposite (made available in this lap,
	 * or left from the previous one). So the position is the first
	 * descriptor whose USED bit differs from the first one's, and the
	 * wrap counter is the inverse of its USED bit; when all agree the
	 * device is at 0 (a fresh ring, or one that has just wrapped).
	 */
	u0 = !!(__atomic_load_n(&ring[0].flags, __ATOMIC_ACQUIRE) &
		VRING_PACKED_DESC_F_USED);
	for (i = 1; i < n; i++) {
		u = !!(__atomic_load_n(&ring[i].flags, __ATOMIC_RELAXED) &
		       VRING_PACKED_DESC_F_USED);
		if (u != u0)
			break;
	}
	if (i == n) {
		*idx = 0;
		*wrap = !u0;
		return;
	}
	*idx = i;
	*wrap = u0;
}

/* Does the driver event suppression structure ask for an interrupt? */
static bool
packed_guest_wants_irq(struct vhp_virtqueue *vq)
{
	uint16_t new_idx = vq->last_used_idx;
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_used_valid;
	uint16_t flags, off_wrap, off;

	/* Order the used flag stores before reading the driver's request. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = __atomic_load_n(&vq->driver_event->flags, __ATOMIC_RELAXED);
	vq->signalled_used = new_idx;
	vq->signalled_used_valid = 1;
	if (flags == VRING_EVENT_F_DISABLE)
		return false;
	if (flags != VRING_EVENT_F_DESC || !(vq->flags & VHP_VQ_F_EVENT_IDX))
		return true;
	if (unlikely(!valid))
		return true;
	off_wrap = __atomic_load_n(&vq->driver_event->off_wrap,
				   __ATOMIC_RELAXED);
	off = off_wrap & 0x7fff;
	/* Work in one index space: the previous lap is below zero. */
	if (new_idx <= old)
		old = (uint16_t)(old - vq->size);
	if ((off_wrap >> 15) != vq->used_wrap)
		off = (uint16_t)(off - vq->size);
	return vring_need_event(off, new_idx, old);
}

static __rte_always_inline void
packed_flush_and_notify(struct vhp_virtqueue *vq, uint16_t ndesc)
{
	if (vq->shadow_count == 0)
		return;
	packed_flush(vq, ndesc);
	if (vq->callfd < 0)
		return;
	if (packed_guest_wants_irq(vq))
		vhp_vq_kick_guest(vq);
	else
		VHP_STAT_ADD(vq, notifications_suppressed, 1);
}

/* Direction check: RX buffers are device-writable, TX read-only. */
static __rte_always_inline bool
packed_dir_bad(uint16_t flags, bool write)
{
	return !!(flags & VRING_DESC_F_WRITE) != write;
}

/* Copy an indirect table (possibly spanning regions) into scratch. */
static int
packed_copy_indirect(struct vhp_virtqueue *vq, uint64_t gpa, uint32_t len,
		     struct vring_packed_desc *dst)
{
	uint8_t *out = (uint8_t *)dst;

	while (len > 0) {
		uint64_t chunk = len;
		const void *src = vhp_gpa_to_hva(vq->mem, gpa, &chunk,
						 &vq->mem_hint);

		if (src == NULL)
			return -1;
		memcpy(out, src, chunk);
		out += chunk;
		gpa += chunk;
		len -= (uint32_t)chunk;
	}
	return 0;
}

/*
 * Check one descriptor of a chain or an indirect table (read once, into
 * @p d) and append it to the segment list unless it is empty.
 * @return false: bad descriptor (counted).
 */
static __rte_always_inline bool
packed_seg_add(struct vhp_virtqueue *vq, const struct vring_packed_desc *d,
	       bool write, bool in_table, struct vring_packed_desc *seg,
	       uint32_t *nseg)
{
	if (unlikely(d->flags & VRING_DESC_F_INDIRECT)) {
		vhp_vq_error(vq, VHP_ERR_INDIRECT, in_table ?
			     "nested indirect table" :
			     "indirect descriptor in a chain");
		return false;
	}
	/*
	 * RX descriptors must be device-writable, TX ones in the ring
	 * read-only. In TX tables WRITE is tolerated: DPDK's virtio PMD
	 * presets it on every packed indirect entry and leaves it on the
	 * header one; we only read those buffers.
	 */
	if (unlikely(write ? !(d->flags & VRING_DESC_F_WRITE) :
		     (!in_table && (d->flags & VRING_DESC_F_WRITE)))) {
		vhp_vq_error(vq, VHP_ERR_CHAIN, "%s descriptor in %s buffer",
			     write ? "read-only" : "writable",
			     write ? "an RX" : "a TX");
		return false;
	}
	if (unlikely(packed_addr_overflows(d))) {
		vhp_vq_error(vq, VHP_ERR_ADDR, "addr+len overflows");
		return false;
	}
	/* Empty descriptors carry nothing: later passes never see them. */
	if (d->len != 0)
		seg[(*nseg)++] = *d;
	return true;
}

/*
 * Read addr, len and id of a descriptor once, with two 64-bit loads.
 * Returns the second word (len, id, flags as they were read).
 */
static __rte_always_inline uint64_t
packed_desc_read2(const struct vring_packed_desc *d,
		  struct vring_packed_desc *out)
{
	const volatile uint64_t *p = (const volatile uint64_t *)d;
	uint64_t w1;

	out->addr = p[0];
	w1 = p[1];
	out->len = (uint32_t)w1;
	out->id = (uint16_t)(w1 >> 32);
	return w1;
}

/* Read a table entry (guest memory or the private copy) once. */
static __rte_always_inline void
packed_table_read(const struct vring_packed_desc *t,
		  struct vring_packed_desc *out)
{
	out->flags = (uint16_t)(packed_desc_read2(t, out) >> 48);
}

/*
 * Chains and indirect descriptors. The head flags were read (acquire).
 *
 * Cost bound: every descriptor is read once and at most once. A chain in
 * the ring is walked to its end (its length decides the slots it takes,
 * at most the ring size). An indirect table is read in place when it is
 * mapped in one piece and 8-byte aligned (else copied into scratch first),
 * entry by entry, and for RX only until the entries read hold @p need
 * bytes: a packet that fits the first entry of a 1024-entry table reads
 * one entry. Empty descriptors are checked and skipped: the copy passes
 * only see the non-empty ones, collected in vq->desc_scratch. The tables of
 * a burst may have ring-size entries in all (*tbudget, counted by table
 * size): a table that does not fit any more waits for the next burst, so a
 * burst reads at most twice the ring size in descriptors, whatever the
 * guest posts.
 */
static __rte_noinline enum packed_parse
packed_parse_slow(struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
		  uint16_t budget, bool write, uint32_t need, uint32_t *tbudget,
		  struct packed_chain *c)
{
	struct vring_packed_desc *scratch =
		(struct vring_packed_desc *)vq->desc_scratch;
	const struct vring_packed_desc *ring = vq->desc_packed;
	const struct vring_packed_desc *table;
	struct vring_packed_desc d = c->head;
	uint32_t i, n, nseg = 0;
	uint64_t sum = 0;
	uint16_t k = 0;

	if ((d.flags & VRING_DESC_F_INDIRECT) &&
	    !(d.flags & VRING_DESC_F_NEXT)) {
		c->id = d.id;
		c->ndesc = 1;
		if (unlikely(d.id >= vq->size)) {
			vhp_vq_error(vq, VHP_ERR_INDEX, "buffer id %u >= %u",
				     d.id, vq->size);
			vhp_vq_mark_broken(vq, "buffer id out of range");
			return PARSE_BROKEN;
		}
		if (!(vq->flags & VHP_VQ_F_INDIRECT) || d.len == 0 ||
		    (d.len % sizeof(struct vring_packed_desc)) != 0 ||
		    d.len / sizeof(struct vring_packed_desc) > vq->size) {
			vhp_vq_error(vq, VHP_ERR_INDIRECT,
				     "indirect table len %u", d.len);
			return PARSE_DROP;
		}
		table = packed_addr_overflows(&d) ? NULL :
			vhp_gpa_to_hva_full(vq->mem, d.addr, d.len,
					    &vq->mem_hint);
		if (table == NULL || ((uintptr_t)table & 7) != 0) {
			/* Across regions or misaligned: a private copy. */
			if (packed_addr_overflows(&d) ||
			    packed_copy_indirect(vq, d.addr, d.len,
						 scratch) != 0) {
				vhp_vq_error(vq, VHP_ERR_ADDR,
					     "indirect table at 0x%" PRIx64
					     " len %u", d.addr, d.len);
				return PARSE_DROP;
			}
			table = scratch;
		}
		n = d.len / sizeof(struct vring_packed_desc);
		if (n > *tbudget)
			return PARSE_EMPTY;	/* the next burst takes it */
		*tbudget -= n;
		for (i = 0; i < n && sum < need; i++) {
			packed_table_read(&table[i], &d);
			if (!packed_seg_add(vq, &d, write, true, scratch,
					    &nseg))
				return PARSE_DROP;
			sum += d.len;
		}
		c->seg = scratch;
		c->nseg = nseg;
		return PARSE_OK;
	}

	/* A chain in the ring (INDIRECT with NEXT is walked, then refused):
	 * read to its end first, checked in the private copy after. */
	scratch[0] = d;
	while (d.flags & VRING_DESC_F_NEXT) {
		if (unlikely(++k >= vq->size)) {
			vhp_vq_error(vq, VHP_ERR_CHAIN,
				     "chain longer than the ring (%u)",
				     vq->size);
			vhp_vq_mark_broken(vq, "descriptor chain without end");
			return PARSE_BROKEN;
		}
		packed_advance(vq, &idx, &wrap, 1);
		d.flags = __atomic_load_n(&ring[idx].flags, __ATOMIC_RELAXED);
		packed_desc_read(&ring[idx], &d);
		scratch[k] = d;
	}
	c->id = d.id;
	c->ndesc = (uint16_t)(k + 1);
	if (c->ndesc > budget)
		return PARSE_EMPTY;
	if (unlikely(d.id >= vq->size)) {
		vhp_vq_error(vq, VHP_ERR_INDEX, "buffer id %u >= %u", d.id,
			     vq->size);
		vhp_vq_mark_broken(vq, "buffer id out of range");
		return PARSE_BROKEN;
	}
	/* In place: entry i moves to nseg <= i. */
	for (i = 0; i < c->ndesc; i++) {
		d = scratch[i];
		if (!packed_seg_add(vq, &d, write, false, scratch, &nseg))
			return PARSE_DROP;
	}
	c->seg = scratch;
	c->nseg = nseg;
	return PARSE_OK;
}

/*
 * Read the buffer at (idx, wrap). @budget is the number of ring slots the
 * burst may still consume (a burst never returns more than the ring size).
 */
static __rte_always_inline enum packed_parse
packed_parse(struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
	     uint16_t budget, bool write, uint32_t need, uint32_t *tbudget,
	     struct packed_chain *c)
{
	const struct vring_packed_desc *d = &vq->desc_packed[idx];
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);

	if (!packed_desc_avail(flags, wrap))
		return PARSE_EMPTY;
	c->head.flags = flags;
	packed_desc_read(d, &c->head);
	if (unlikely(flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT)))
		return packed_parse_slow(vq, idx, wrap, budget, write, need,
					 tbudget, c);
	c->seg = &c->head;
	c->nseg = 1;
	c->ndesc = 1;
	c->id = c->head.id;
	if (unlikely(c->id >= vq->size)) {
		vhp_vq_error(vq, VHP_ERR_INDEX, "buffer id %u >= %u", c->id,
			     vq->size);
		vhp_vq_mark_broken(vq, "buffer id out of range");
		return PARSE_BROKEN;
	}
	if (unlikely(packed_dir_bad(flags, write))) {
		vhp_vq_error(vq, VHP_ERR_CHAIN, "%s descriptor in %s buffer",
			     write ? "read-only" : "writable",
			     write ? "an RX" : "a TX");
		return PARSE_DROP;
	}
	if (unlikely(packed_addr_overflows(&c->head))) {
		vhp_vq_error(vq, VHP_ERR_ADDR, "addr+len overflows");
		return PARSE_DROP;
	}
	return PARSE_OK;
}

/* ------------------------------------------------------------------ */
/* RX: enqueue into the guest                                          */
/* ------------------------------------------------------------------ */

static __rte_always_inline void
rx_write_hdr(uint8_t *dst, uint32_t hdr_len)
{
	if (hdr_len == sizeof(packed_hdr12))
		memcpy(dst, packed_hdr12, sizeof(packed_hdr12));
	else
		memcpy(dst, packed_hdr10, sizeof(packed_hdr10));
}

/* ------------------------------------------------------------------ */
/* Burst fast path, both directions                                    */
/* ------------------------------------------------------------------ */

/* The four flag words of a group of four descriptors, one per 16 bits. */
static __rte_always_inline uint64_t
packed_flags4(const struct vring_packed_desc *g)
{
	return (uint64_t)__atomic_load_n(&g[0].flags, __ATOMIC_RELAXED) |
	       (uint64_t)__atomic_load_n(&g[1].flags, __ATOMIC_RELAXED) << 16 |
	       (uint64_t)__atomic_load_n(&g[2].flags, __ATOMIC_RELAXED) << 32 |
	       (uint64_t)__atomic_load_n(&g[3].flags, __ATOMIC_RELAXED) << 48;
}


/*
 * First pass of a burst: how many descriptors from (idx, wrap), at most
 * @p n, are available, single and direct, with the WRITE bit @p wbit asks
 * (a guest RX buffer is writable, a TX one read-only)? Their addr, len and
 * id are then read once into @p d (after an acquire fence: the flags were
 * read first). A group of four that starts a 64-byte line (ring base
 * 64-byte aligned, idx % 4 == 0, not crossing the ring end) is checked with
 * one compare of its four flag words; any other descriptor (unaligned ring
 * base, the burst's first or last few slots, the ring end, a group with one
 * descriptor that does not qualify) is checked on its own.
 * @return descriptors that qualify; stops at the first that does not.
 */
static __rte_always_inline uint16_t
packed_fast_scan(const struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
		 uint16_t n, uint16_t wbit, struct vring_packed_desc *d)
{
	const struct vring_packed_desc *ring = vq->desc_packed;
	const bool grp = ((uintptr_t)ring & (RTE_CACHE_LINE_SIZE - 1)) == 0;
	const uint16_t size = vq->size;
	uint16_t expect = wbit |
		(wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED);
	uint16_t i = idx, k = 0, j;

	while (k < n) {
		if (grp && (i & PACKED_BATCH_MASK) == 0 &&
		    n - k >= PACKED_BATCH_SIZE &&
		    i + PACKED_BATCH_SIZE <= size &&
		    (packed_flags4(&ring[i]) &
		     PACKED_BATCH_FLAGS * UINT64_C(0x0001000100010001)) ==
		    expect * UINT64_C(0x0001000100010001)) {
			k += PACKED_BATCH_SIZE;
			i += PACKED_BATCH_SIZE;
		} else {
			if ((__atomic_load_n(&ring[i].flags, __ATOMIC_RELAXED) &
			     PACKED_BATCH_FLAGS) != expect)
				break;
			k++;
			i++;
		}
		if (unlikely(i == size)) {
			i = 0;
			expect ^= VRING_PACKED_DESC_F_AVAIL |
				VRING_PACKED_DESC_F_USED;
		}
	}
	if (k == 0)
		return 0;
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* [idx, size) then, past the ring end, [0, ...). */
	i = RTE_MIN(k, (uint16_t)(size - idx));
	for (j = 0; j < i; j++)
		packed_desc_read2(&ring[idx + j], &d[j]);
	for (; j < k; j++)
		packed_desc_read2(&ring[j - i], &d[j]);
	return k;
}

/* Per-burst scratch of the RX fast path (on the caller's stack). */
struct rx_fast_scratch {
	struct vring_packed_desc d[PACKED_CHUNK];
	uint8_t *dst[PACKED_CHUNK];
	uint32_t skip[PACKED_CHUNK];
	/* virtio_net_hdr + patched prefix of packets with TX offload
	 * requests (vhp_net_hdr_enqueue()); untouched by other traffic */
	uint8_t blob[PACKED_CHUNK][VHP_NET_HDR_BLOB_MAX];
};

/*
 * Up to @p n (<= PACKED_CHUNK) RX packets, each a one-segment mbuf going
 * into one single, direct descriptor big enough for header and packet, in
 * three passes so that the misses of a burst overlap: the flags (and then
 * addr/len/id) of the descriptors; the checks, the translation and the
 * header of each packet (prefetching destination and source); the copies.
 * Offload-flagged mbufs stay here: an RX checksum status becomes the
 * header's DATA_VALID flag (GUEST_CSUM), a TX offload request the header
 * and patched prefix vhp_net_hdr_enqueue() builds. Stops at the first
 * packet it cannot take (nothing of it consumed); *refused is set when
 * that packet was refused by vhp_net_hdr_enqueue() (dropped and counted:
 * the caller takes it without a buffer).
 * @return packets written (and descriptors consumed).
 */
static __rte_always_inline uint16_t
rx_fast(struct vhp_virtqueue *vq, struct rte_mbuf **pkts, uint16_t n,
	uint16_t idx, uint8_t wrap, const uint8_t *hdr, uint64_t ol_mask,
	struct rx_fast_scratch *s, uint64_t *bytes, bool *refused)
{
	const uint32_t hdr_len = vq->hdr_len;
	const uint16_t size = vq->size;
	struct vring_used_elem *su;
	struct rte_mbuf *m;
	uint32_t need, l;
	uint16_t *sd;
	uint64_t ol, any = 0;
	uint16_t j, k;

	k = packed_fast_scan(vq, idx, wrap, n, VRING_DESC_F_WRITE, s->d);
	for (j = 0; j < k; j++) {
		m = pkts[j];
		need = hdr_len + m->pkt_len;
		if (unlikely(s->d[j].id >= size || s->d[j].len < need ||
			     m->nb_segs != 1))
			break;
		s->dst[j] = vhp_gpa_to_hva_full(vq->mem, s->d[j].addr, need,
						&vq->mem_hint);
		if (unlikely(s->dst[j] == NULL))
			break;
		ol = m->ol_flags & ol_mask;
		if (unlikely(ol != 0)) {
			any = ol;
			if ((ol & VHP_NET_HDR_OL_TX) &&
			    vhp_net_hdr_enqueue(vq, m, s->blob[j],
						&s->skip[j]) != 0) {
				*refused = true;
				break;
			}
		}
		/* The header line is often left as it is (vhp_hdr_put()). */
		rte_prefetch0(s->dst[j]);
		rte_prefetch0_write(s->dst[j] + hdr_len);
		rte_prefetch0(rte_pktmbuf_mtod(m, void *));
	}
	su = &vq->shadow_used[vq->shadow_count];
	sd = &vq->shadow_count_desc[vq->shadow_count];
	for (k = 0; likely(any == 0) && k < j; k++) {
		/* A pass without offload work: the header template. */
		m = pkts[k];
		l = m->pkt_len;
		vhp_hdr_put(s->dst[k], hdr, hdr_len);
		vhp_copy(s->dst[k] + hdr_len,
			 rte_pktmbuf_mtod(m, const void *), l);
		su[k].id = s->d[k].id;
		su[k].len = hdr_len + l;
		sd[k] = 1;
		*bytes += l;
	}
	for (; k < j; k++) {
		m = pkts[k];
		l = m->pkt_len;
		vhp_net_hdr_put_ol(s->dst[k], m, m->ol_flags & ol_mask, hdr,
				   s->blob[k], s->skip[k], hdr_len);
		su[k].id = s->d[k].id;
		su[k].len = hdr_len + l;
		sd[k] = 1;
		*bytes += l;
	}
	vq->shadow_count = (uint16_t)(vq->shadow_count + j);
	return j;
}

static __rte_always_inline bool
rx_src_done(const struct rx_src *s)
{
	return s->left == 0 && s->hdr_off == s->hdr_len;
}

/*
 * Write as much of the packet (header first) as fits in buffer @c.
 * *written: bytes written. Returns false on an unmapped address.
 */
static bool
rx_fill(struct vhp_virtqueue *vq, const struct packed_chain *c,
	struct rx_src *s, uint32_t *written)
{
	uint32_t total = 0, i;

	for (i = 0; i < c->nseg && !rx_src_done(s); i++) {
		uint64_t gpa = c->seg[i].addr;
		uint32_t len = c->seg[i].len;

		while (len > 0 && !rx_src_done(s)) {
			uint32_t want = RTE_MIN(len, s->hdr_len - s->hdr_off +
						s->left);
			uint64_t chunk = want;
			uint8_t *dst = vhp_gpa_to_hva(vq->mem, gpa, &chunk,
						      &vq->mem_hint);
			uint32_t n, done = 0;

			if (unlikely(dst == NULL)) {
				*written = total;
				return false;
			}
			if (s->hdr_off < s->hdr_len) {
				n = RTE_MIN((uint32_t)chunk,
					    s->hdr_len - s->hdr_off);
				memcpy(dst, s->hdr + s->hdr_off, n);
				if (s->vhdr_len == 12) {
					if (s->hdr_off <= 10 &&
					    s->hdr_off + n > 10)
						s->nb_ptr[0] =
							dst + 10 - s->hdr_off;
					if (s->hdr_off <= 11 &&
					    s->hdr_off + n > 11)
						s->nb_ptr[1] =
							dst + 11 - s->hdr_off;
				}
				s->hdr_off += n;
				done = n;
			}
			while (done < chunk && s->left > 0) {
				if (s->off == s->m->data_len) {
					s->m = s->m->next;
					s->off = 0;
					if (unlikely(s->m == NULL)) {
						s->left = 0;
						break;
					}
					continue;
				}
				n = RTE_MIN((uint32_t)chunk - done,
					    s->m->data_len - s->off);
				n = RTE_MIN(n, s->left);
				vhp_copy(dst + done,
					   rte_pktmbuf_mtod_offset(s->m,
						const uint8_t *, s->off), n);
				s->off += n;
				s->left -= n;
				done += n;
			}
			gpa += chunk;
			len -= (uint32_t)chunk;
			total += (uint32_t)chunk;
		}
	}
	*written = total;
	return true;
}

enum rx_result {
	RX_TAKEN,	/* packet written (or dropped for bad guest input) */
	RX_STOP,	/* no guest buffer, or ring broken: not taken */
};

/*
 * One packet through the single-buffer path: one buffer, or several with
 * MRG_RXBUF. Updates *idx, *wrap, *budget when the packet is taken.
 */
static enum rx_result
rx_packet(struct vhp_virtqueue *vq, struct rte_mbuf *m, uint16_t *idx,
	  uint8_t *wrap, uint16_t *budget, uint32_t *tbudget, uint64_t *bytes,
	  bool mrg)
{
	uint16_t sc0 = vq->shadow_count;
	uint16_t lidx = *idx, lbudget = *budget;
	uint8_t lwrap = *wrap;
	uint16_t nbufs = 0, i;
	struct packed_chain c;
	struct rx_src s;
	uint32_t written, skip = 0;
	enum packed_parse r;
	const bool ol = (m->ol_flags & vhp_net_hdr_ol_mask(vq)) != 0;

	r = packed_parse(vq, lidx, lwrap, lbudget, true,
			 vq->hdr_len + m->pkt_len, tbudget, &c);
	if (r == PARSE_EMPTY || r == PARSE_BROKEN)
		return RX_STOP;
	if (likely(r == PARSE_OK && c.nseg == 1 && m->nb_segs == 1 && !ol)) {
		uint32_t need = vq->hdr_len + m->pkt_len;
		uint8_t *dst;

		if (likely(c.seg[0].len >= need)) {
			dst = vhp_gpa_to_hva_full(vq->mem, c.seg[0].addr, need,
						  &vq->mem_hint);
			if (likely(dst != NULL)) {
				rx_write_hdr(dst, vq->hdr_len);
				vhp_copy(dst + vq->hdr_len,
					   rte_pktmbuf_mtod(m, const void *),
					   m->pkt_len);
				packed_shadow(vq, c.id, need, c.ndesc);
				packed_advance(vq, idx, wrap, c.ndesc);
				*budget = (uint16_t)(lbudget - c.ndesc);
				*bytes += m->pkt_len;
				VHP_STAT_ADD(vq, packets, 1);
				return RX_TAKEN;
			}
		}
	}

	s.vhdr_len = vq->hdr_len;
	if (ol) {
		/* Dropped (counted) when the guest cannot take it: the
		 * buffer stays for the next packet. */
		if (vhp_net_hdr_enqueue(vq, m, s.hdr, &skip) != 0)
			return RX_TAKEN;
	} else {
		memcpy(s.hdr, packed_hdr12, sizeof(packed_hdr12));
	}
	s.m = m;
	s.off = skip;
	while (s.off >= s.m->data_len && s.m->next != NULL) {
		s.off -= s.m->data_len;
		s.m = s.m->next;
	}
	s.left = m->pkt_len - skip;
	s.hdr_off = 0;
	s.hdr_len = vq->hdr_len + skip;
	s.nb_ptr[0] = NULL;
	s.nb_ptr[1] = NULL;
	for (;;) {
		if (r == PARSE_EMPTY || r == PARSE_BROKEN) {
			/* Not enough buffers for this packet: leave it. */
			vq->shadow_count = sc0;
			return RX_STOP;
		}
		if (r == PARSE_DROP)
			goto drop;
		if (!rx_fill(vq, &c, &s, &written)) {
			vhp_vq_error(vq, VHP_ERR_ADDR,
				     "RX buffer id %u outside guest memory",
				     c.id);
			goto drop;
		}
		if (nbufs == 0 && s.hdr_off < s.hdr_len) {
			vhp_vq_error(vq, VHP_ERR_LEN,
				     "RX buffer id %u (%u bytes) smaller than "
				     "the header", c.id, written);
			goto drop;
		}
		if (!rx_src_done(&s) && !mrg) {
			/* Larger than the guest's buffer and no mergeable
			 * buffers: drop the packet (taken, counted) and leave
			 * the buffer for the next one, as vhost-net does. */
			vq->shadow_count = sc0;
			VHP_STAT_ADD(vq, dropped, 1);
			return RX_TAKEN;
		}
		packed_shadow(vq, c.id, written, c.ndesc);
		packed_advance(vq, &lidx, &lwrap, c.ndesc);
		lbudget = (uint16_t)(lbudget - c.ndesc);
		nbufs++;
		if (rx_src_done(&s))
			break;
		if (lbudget == 0) {
			vq->shadow_count = sc0;
			return RX_STOP;
		}
		r = packed_parse(vq, lidx, lwrap, lbudget, true,
				 s.hdr_len - s.hdr_off + s.left, tbudget, &c);
	}
	if (nbufs > 1) {
		/* num_buffers lives in the first buffer's header. */
		if (s.nb_ptr[0] != NULL)
			*s.nb_ptr[0] = (uint8_t)nbufs;
		if (s.nb_ptr[1] != NULL)
			*s.nb_ptr[1] = (uint8_t)(nbufs >> 8);
	}
	*idx = lidx;
	*wrap = lwrap;
	*budget = lbudget;
	*bytes += m->pkt_len;
	VHP_STAT_ADD(vq, packets, 1);
	return RX_TAKEN;

drop:
	/* The packet is dropped; every buffer it touched goes back empty. */
	for (i = sc0; i < vq->shadow_count; i++)
		vq->shadow_used[i].len = 0;
	packed_shadow(vq, c.id, 0, c.ndesc);
	packed_advance(vq, &lidx, &lwrap, c.ndesc);
	*idx = lidx;
	*wrap = lwrap;
	*budget = (uint16_t)(lbudget - c.ndesc);
	return RX_TAKEN;
}

/*
 * RX of one packet (one or more segments, no offload work) over mergeable
 * buffers that are each one direct, writable descriptor in the ring: the
 * usual shape of a large frame going into a virtio-net driver's page- or
 * mbuf-sized buffers. The descriptors are read first (flags with acquire,
 * then addr/len/id once), checked and translated; then the header
 * (num_buffers set) and the data are copied across them, segment by
 * segment. Any other shape, a ring short of buffers or more than
 * PACKED_MRG_MAX of them leave the packet to rx_packet(), nothing
 * consumed.
 * @return true the packet was delivered.
 */
static __rte_noinline bool
rx_mrg_fast(struct vhp_virtqueue *vq, const struct rte_mbuf *m,
	    uint16_t *idx, uint8_t *wrap, uint16_t *budget, uint64_t *bytes)
{
	const struct vring_packed_desc *ring = vq->desc_packed;
	const uint32_t hdr_len = sizeof(packed_hdr12);
	uint32_t need = hdr_len + m->pkt_len;
	struct vring_packed_desc d[PACKED_MRG_MAX];
	uint32_t len[PACKED_MRG_MAX];
	uint8_t *dst[PACKED_MRG_MAX];
	uint16_t i = *idx, nb = 0, b, expect;
	uint8_t w = *wrap;
	uint32_t l;

	while (need != 0) {
		if (unlikely(nb == PACKED_MRG_MAX || nb == *budget))
			return false;
		expect = VRING_DESC_F_WRITE | (w ? VRING_PACKED_DESC_F_AVAIL :
					       VRING_PACKED_DESC_F_USED);
		if ((__atomic_load_n(&ring[i].flags, __ATOMIC_ACQUIRE) &
		     PACKED_BATCH_FLAGS) != expect)
			return false;
		packed_desc_read2(&ring[i], &d[nb]);
		if (unlikely(d[nb].id >= vq->size))
			return false;
		l = RTE_MIN(d[nb].len, need);
		if (unlikely(l == 0 || (nb == 0 && l < hdr_len)))
			return false;
		dst[nb] = vhp_gpa_to_hva_full(vq->mem, d[nb].addr, l,
					      &vq->mem_hint);
		if (unlikely(dst[nb] == NULL))
			return false;
		len[nb] = l;
		need -= l;
		nb++;
		if (unlikely(++i == vq->size)) {
			i = 0;
			w ^= 1;
		}
	}
	vhp_mrg_fill(m, packed_hdr12, dst, len, nb);
	for (b = 0; b < nb; b++)
		packed_shadow(vq, d[b].id, len[b], 1);
	*idx = i;
	*wrap = w;
	*budget = (uint16_t)(*budget - nb);
	*bytes += m->pkt_len;
	VHP_STAT_ADD(vq, packets, 1);
	return true;
}

uint16_t
vhp_packed_enqueue(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
		   uint16_t count)
{
	const uint64_t ol_mask = vhp_net_hdr_ol_mask(vq);
	const bool mrg = !!(vq->flags & VHP_VQ_F_MRG_RXBUF);
	uint16_t idx = vq->last_avail_idx;
	uint8_t wrap = vq->avail_wrap;
	uint16_t budget = vq->size;
	uint32_t tbudget = vq->size;	/* indirect table entries */
	struct rx_fast_scratch s;
	uint64_t bytes = 0;
	uint16_t nb = 0, n, k, lim = PACKED_CHUNK;
	bool refused;

	if (unlikely(vq->broken || count == 0))
		return 0;
	while (nb < count && budget > 0) {
		n = RTE_MIN(RTE_MIN(count - nb, lim), budget);
		refused = false;
		k = rx_fast(vq, &pkts[nb], n, idx, wrap, packed_hdr12, ol_mask,
			    &s, &bytes, &refused);
		if (k != 0) {
			packed_advance(vq, &idx, &wrap, k);
			budget = (uint16_t)(budget - k);
			nb = (uint16_t)(nb + k);
			VHP_STAT_ADD(vq, packets, k);
		}
		if (unlikely(refused)) {
			/* Dropped (counted), no buffer used. */
			nb++;
			continue;
		}
		if (likely(k == n)) {
			lim = PACKED_CHUNK;
			continue;
		}
		/* Scan no further than this pass got next time: traffic that
		 * keeps leaving the fast path (chains, indirect tables,
		 * mergeable or chained packets) must not pay a whole scan of
		 * up to PACKED_CHUNK descriptors per packet. */
		lim = (uint16_t)(k + 1);
		/* Larger than one buffer (or chained), no offload work:
		 * spread over single-descriptor mergeable buffers. */
		if (mrg && vq->hdr_len == sizeof(packed_hdr12) &&
		    !(pkts[nb]->ol_flags & ol_mask) &&
		    rx_mrg_fast(vq, pkts[nb], &idx, &wrap, &budget, &bytes)) {
			nb++;
			continue;
		}
		/* Packet nb needs the single-buffer path, or the ring has
		 * nothing more. */
		if (rx_packet(vq, pkts[nb], &idx, &wrap, &budget, &tbudget,
			      &bytes, mrg) != RX_TAKEN)
			break;
		nb++;
	}
	vq->last_avail_idx = idx;
	vq->avail_wrap = wrap;
	VHP_STAT_ADD(vq, bytes, bytes);
	/* Packets not taken stay with the caller (it may retry): they are
	 * not counted as dropped here. */
	packed_flush_and_notify(vq, (uint16_t)(vq->size - budget));
	if (nb > 0 && !(vq->flags & VHP_VQ_F_KEEP_MBUFS))
		vhp_mbuf_free_burst(pkts, nb);
	return nb;
}

/* ------------------------------------------------------------------ */
/* TX: dequeue from the guest                                          */
/* ------------------------------------------------------------------ */

/* Undo a partly filled mbuf so it can carry the next packet. */
static void
tx_mbuf_reset(struct rte_mbuf *m)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
}

enum tx_copy_result {
	TX_COPY_OK,
	TX_COPY_ADDR,
	TX_COPY_NOMEM,
};

/* Copy the buffer (after the header) into @m, chaining mbufs from @mp. */
static enum tx_copy_result
tx_copy(struct vhp_virtqueue *vq, const struct packed_chain *c,
	struct rte_mbuf *m, struct rte_mempool *mp)
{
	struct rte_mbuf *cur = m;
	uint32_t skip = vq->hdr_len;
	uint32_t room = rte_pktmbuf_tailroom(m);
	uint32_t i;

	for (i = 0; i < c->nseg; i++) {
		uint64_t gpa = c->seg[i].addr;
		uint32_t len = c->seg[i].len;

		if (skip > 0) {
			uint32_t n = RTE_MIN(skip, len);

			skip -= n;
			gpa += n;
			len -= n;
		}
		while (len > 0) {
			uint64_t chunk = len;
			const uint8_t *src = vhp_gpa_to_hva(vq->mem, gpa,
							    &chunk,
							    &vq->mem_hint);
			uint32_t done = 0;

			if (unlikely(src == NULL))
				return TX_COPY_ADDR;
			while (done < chunk) {
				uint32_t n;

				if (room == 0) {
					struct rte_mbuf *nm =
						rte_pktmbuf_alloc(mp);

					if (unlikely(nm == NULL))
						return TX_COPY_NOMEM;
					cur->next = nm;
					cur = nm;
					m->nb_segs++;
					room = rte_pktmbuf_tailroom(cur);
					if (unlikely(room == 0))
						return TX_COPY_NOMEM;
				}
				n = RTE_MIN((uint32_t)chunk - done, room);
				vhp_copy(rte_pktmbuf_mtod_offset(cur,
						uint8_t *, cur->data_len),
					   src + done, n);
				cur->data_len = (uint16_t)(cur->data_len + n);
				m->pkt_len += n;
				room -= n;
				done += n;
			}
			gpa += chunk;
			len -= (uint32_t)chunk;
		}
	}
	return TX_COPY_OK;
}

/*
 * Guest TX offload header of buffer @p c (read once, possibly across
 * descriptors) applied to @p m. A zero flags/gso_type pair costs one test.
 * @return 0 keep the packet, -1 drop it (counted).
 */
static __rte_always_inline int
tx_offload(struct vhp_virtqueue *vq, const struct packed_chain *c,
	   struct rte_mbuf *m)
{
	struct virtio_net_hdr h;
	uint8_t *dst = (uint8_t *)&h;
	uint32_t need = vq->hdr_len, i;
	uint16_t w;

	if (likely(c->seg[0].len >= 2)) {
		const void *p = vhp_gpa_to_hva_full(vq->mem, c->seg[0].addr, 2,
						    &vq->mem_hint);

		if (likely(p != NULL)) {
			memcpy(&w, p, sizeof(w));
			if (likely(w == 0))
				return 0;
		}
	}
	for (i = 0; i < c->nseg && need > 0; i++) {
		uint64_t gpa = c->seg[i].addr;
		uint32_t len = RTE_MIN(c->seg[i].len, need);

		while (len > 0) {
			uint64_t chunk = len;
			const void *p = vhp_gpa_to_hva(vq->mem, gpa, &chunk,
						       &vq->mem_hint);

			if (unlikely(p == NULL)) {
				vhp_vq_error(vq, VHP_ERR_ADDR, "TX header of "
					     "buffer id %u outside guest "
					     "memory", c->id);
				return -1;
			}
			memcpy(dst, p, chunk);
			dst += chunk;
			gpa += chunk;
			len -= (uint32_t)chunk;
			need -= (uint32_t)chunk;
		}
	}
	if ((h.flags | h.gso_type) == 0)
		return 0;
	return vhp_net_hdr_dequeue_ol(vq, &h, m);
}

enum tx_result {
	TX_GOT,		/* packet stored in the mbuf */
	TX_DROPPED,	/* bad buffer returned empty, mbuf unused */
	TX_STOP,	/* nothing (more) to do now */
};

static enum tx_result
tx_packet(struct vhp_virtqueue *vq, struct rte_mempool *mp,
	  struct rte_mbuf **slot, uint16_t *idx, uint8_t *wrap,
	  uint16_t *budget, uint32_t *tbudget, uint64_t *bytes)
{
	struct packed_chain c;
	struct rte_mbuf *m;
	enum packed_parse r;
	enum tx_copy_result cr;
	uint64_t total = 0;
	uint32_t i;

	r = packed_parse(vq, *idx, *wrap, *budget, false, UINT32_MAX, tbudget,
			 &c);
	if (r == PARSE_EMPTY || r == PARSE_BROKEN)
		return TX_STOP;
	if (r == PARSE_DROP)
		goto drop;
	for (i = 0; i < c.nseg; i++)
		total += c.seg[i].len;
	if (unlikely(total <= vq->hdr_len ||
		     total - vq->hdr_len > PACKED_TX_MAX_LEN)) {
		vhp_vq_error(vq, VHP_ERR_LEN, "TX buffer id %u: %" PRIu64
			     " bytes with a %u byte header", c.id, total,
			     vq->hdr_len);
		goto drop;
	}
	m = rte_pktmbuf_alloc(mp);
	if (unlikely(m == NULL)) {
		VHP_STAT_ADD(vq, alloc_failed, 1);
		return TX_STOP;
	}
	if (likely(c.nseg == 1 &&
		   total - vq->hdr_len <= rte_pktmbuf_tailroom(m))) {
		uint32_t len = (uint32_t)total - vq->hdr_len;
		const void *src = vhp_gpa_to_hva_full(vq->mem,
				c.seg[0].addr + vq->hdr_len, len,
				&vq->mem_hint);

		if (likely(src != NULL)) {
			vhp_copy(rte_pktmbuf_mtod(m, void *), src, len);
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			goto got;
		}
	}
	cr = tx_copy(vq, &c, m, mp);
	if (unlikely(cr != TX_COPY_OK)) {
		rte_pktmbuf_free(m);
		if (cr == TX_COPY_NOMEM) {
			/* Leave the buffer in the ring for a later burst. */
			VHP_STAT_ADD(vq, alloc_failed, 1);
			return TX_STOP;
		}
		vhp_vq_error(vq, VHP_ERR_ADDR,
			     "TX buffer id %u outside guest memory", c.id);
		goto drop;
	}
got:
	if (unlikely(vq->flags & VHP_VQ_F_HOST_OL) &&
	    unlikely(tx_offload(vq, &c, m) != 0)) {
		rte_pktmbuf_free(m);
		goto drop;
	}
	*slot = m;
	*bytes += m->pkt_len;
	packed_shadow_tx(vq, c.id, c.ndesc);
	packed_advance(vq, idx, wrap, c.ndesc);
	*budget = (uint16_t)(*budget - c.ndesc);
	return TX_GOT;

drop:
	packed_shadow_tx(vq, c.id, c.ndesc);
	packed_advance(vq, idx, wrap, c.ndesc);
	*budget = (uint16_t)(*budget - c.ndesc);
	return TX_DROPPED;
}

/*
 * Up to @p n (<= PACKED_CHUNK) TX packets, each in one single, direct,
 * read-only descriptor (header then packet) that fits one mbuf of @p mp.
 * Passes as rx_fast(): the flags (then addr/len/id) of the descriptors;
 * checks and translation (prefetching the packet data, and the header when
 * offloads are negotiated); one bulk allocation of the mbufs; the copies,
 * each followed by the offload header test (a header with flags or
 * gso_type set goes through vhp_net_hdr_dequeue_ol(); a packet it refuses is
 * dropped, its buffer returned and its mbuf reused for the next packet).
 * Stops at the first descriptor it cannot take. *nomem: the bulk
 * allocation failed (nothing consumed; the caller goes on one packet at a
 * time, counting a failure only when a single mbuf is missing).
 * @return descriptors consumed; *got: packets stored in pkts[].
 */
static __rte_always_inline uint16_t
tx_fast(struct vhp_virtqueue *vq, struct rte_mempool *mp,
	struct rte_mbuf **pkts, uint16_t n, uint16_t idx, uint8_t wrap,
	uint32_t room, uint64_t *bytes, uint16_t *got, bool *nomem)
{
	const uint32_t hdr_len = vq->hdr_len;
	const uint16_t size = vq->size;
	const bool ol = (vq->flags & VHP_VQ_F_HOST_OL) != 0;
	const bool in_order = (vq->flags & VHP_VQ_F_IN_ORDER) != 0;
	struct vring_packed_desc d[PACKED_CHUNK];
	const uint8_t *src[PACKED_CHUNK];
	struct virtio_net_hdr h;
	struct rte_mbuf *m;
	uint16_t j, k, o = 0, w;
	uint32_t len;

	*got = 0;
	k = packed_fast_scan(vq, idx, wrap, n, 0, d);
	for (j = 0; j < k; j++) {
		if (unlikely(d[j].id >= size || d[j].len <= hdr_len ||
			     d[j].len - hdr_len > room))
			break;
		src[j] = vhp_gpa_to_hva_full(vq->mem, d[j].addr, d[j].len,
					     &vq->mem_hint);
		if (unlikely(src[j] == NULL))
			break;
		if (ol)
			rte_prefetch0(src[j]);
		rte_prefetch0(src[j] + hdr_len);
	}
	k = j;
	if (k == 0)
		return 0;
	if (unlikely(rte_pktmbuf_alloc_bulk(mp, pkts, k) != 0)) {
		*nomem = true;
		return 0;
	}
	for (j = 0; j < k; j++) {
		/* After a refused packet pkts[o] is its reset mbuf. */
		m = pkts[o];
		len = d[j].len - hdr_len;
		vhp_copy(rte_pktmbuf_mtod(m, void *), src[j] + hdr_len, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		if (!in_order)
			packed_shadow(vq, d[j].id, 0, 1);
		if (unlikely(ol)) {
			/* The header is read once, into a local. */
			memcpy(&w, src[j], sizeof(w));
			if (unlikely(w != 0)) {
				memcpy(&h, src[j], 10);
				h.flags = (uint8_t)w;
				h.gso_type = (uint8_t)(w >> 8);
				if (vhp_net_hdr_dequeue_ol(vq, &h, m) != 0) {
					tx_mbuf_reset(m);
					continue;
				}
			}
		}
		*bytes += len;
		o++;
	}
	if (in_order) {
		/* The burst's single in-order entry grows by the pass. */
		if (vq->shadow_count == 0)
			packed_shadow(vq, d[k - 1].id, 0, k);
		else {
			vq->shadow_used[0].id = d[k - 1].id;
			vq->shadow_count_desc[0] =
				(uint16_t)(vq->shadow_count_desc[0] + k);
		}
	}
	if (unlikely(o != k))
		rte_pktmbuf_free_bulk(&pkts[o], k - o);
	*got = o;
	return k;
}

uint16_t
vhp_packed_dequeue(struct vhp_virtqueue *vq, struct rte_mempool *mp,
		   struct rte_mbuf **pkts, uint16_t count)
{
	const uint32_t room = rte_pktmbuf_data_room_size(mp) -
		RTE_MIN((uint32_t)RTE_PKTMBUF_HEADROOM,
			(uint32_t)rte_pktmbuf_data_room_size(mp));
	uint16_t idx = vq->last_avail_idx;
	uint8_t wrap = vq->avail_wrap;
	uint16_t budget = vq->size;
	uint32_t tbudget = vq->size;	/* indirect table entries */
	uint64_t bytes = 0;
	uint16_t nb = 0, n, k, got, lim = PACKED_CHUNK;
	bool nomem = false;
	enum tx_result r;

	if (unlikely(vq->broken || count == 0))
		return 0;
	while (nb < count && budget > 0) {
		n = RTE_MIN(RTE_MIN(count - nb, lim), budget);
		if (likely(!nomem)) {
			k = tx_fast(vq, mp, &pkts[nb], n, idx, wrap, room,
				    &bytes, &got, &nomem);
			if (k != 0) {
				packed_advance(vq, &idx, &wrap, k);
				budget = (uint16_t)(budget - k);
				nb = (uint16_t)(nb + got);
			}
			if (likely(k == n)) {
				lim = PACKED_CHUNK;
				continue;
			}
			if (budget == 0 || nb == count)
				break;
			lim = (uint16_t)(k + 1);	/* as in RX */
		}
		/* The next buffer needs the single-buffer path, the pool is
		 * short of mbufs, or the ring has nothing more. */
		r = tx_packet(vq, mp, &pkts[nb], &idx, &wrap, &budget,
			      &tbudget, &bytes);
		if (r == TX_STOP)
			break;
		if (r == TX_GOT)
			nb++;
	}
	vq->last_avail_idx = idx;
	vq->avail_wrap = wrap;
	VHP_STAT_ADD(vq, packets, nb);
	VHP_STAT_ADD(vq, bytes, bytes);
	packed_flush_and_notify(vq, (uint16_t)(vq->size - budget));
	return nb;
}
