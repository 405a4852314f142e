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
 * Fast path: four available, single, direct descriptors starting on a
 * 64-byte line (index % 4 == 0) are checked with one look at their flags and
 * copied together. Everything else takes the single-buffer path, which
 * handles chains, indirect tables, mergeable RX buffers and multi-segment
 * mbufs, and validates everything the guest wrote (read once, into locals or
 * into vq->desc_scratch).
 *
 * Offloads (net_hdr.c): the batches take only packets without offload work
 * (a zero flags/gso_type TX header, RX mbufs without offload flags); the
 * others go through the single-buffer path, which applies a guest TX header
 * with vhp_net_hdr_dequeue() and writes the header and patched packet
 * headers vhp_net_hdr_enqueue() built in front of an RX packet.
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

/* Write the shadow to the ring: ids/lens, barrier, flags, head flags last. */
static __rte_always_inline void
packed_flush(struct vhp_virtqueue *vq)
{
	struct vring_packed_desc *ring = vq->desc_packed;
	uint16_t n = vq->shadow_count;
	uint16_t head = vq->last_used_idx;
	uint16_t idx = head;
	uint8_t wrap = vq->used_wrap;
	/* RX buffers were written: VIRTQ_DESC_F_WRITE says their length is
	 * valid (virtio 1.2, 2.8.4); TX used descriptors carry neither. */
	const uint16_t wflag = (vq->flags & VHP_VQ_F_TX) ? 0 :
		VRING_DESC_F_WRITE;
	struct vhp_dirty_log *log = __atomic_load_n(&vq->log,
						       __ATOMIC_ACQUIRE);
	uint16_t head_flags, i, ndesc = 0;

	/* Live migration: RX buffers are marked while their descriptors
	 * still hold the driver's addresses (one test a flush when off). */
	if (unlikely(log != NULL))
		vhp_log_packed_buffers(vq, log);
	for (i = 0; i < n; i++) {
		ring[idx].id = (uint16_t)vq->shadow_used[i].id;
		ring[idx].len = vq->shadow_used[i].len;
		packed_advance(vq, &idx, &wrap, vq->shadow_count_desc[i]);
	}
	rte_atomic_thread_fence(__ATOMIC_RELEASE);

	idx = head;
	wrap = vq->used_wrap;
	head_flags = wflag | (wrap ? (VRING_PACKED_DESC_F_AVAIL |
				      VRING_PACKED_DESC_F_USED) : 0);
	packed_advance(vq, &idx, &wrap, vq->shadow_count_desc[0]);
	for (i = 1; i < n; i++) {
		__atomic_store_n(&ring[idx].flags,
				 wflag | (wrap ? (VRING_PACKED_DESC_F_AVAIL |
						  VRING_PACKED_DESC_F_USED) : 0),
				 __ATOMIC_RELAXED);
		packed_advance(vq, &idx, &wrap, vq->shadow_count_desc[i]);
	}
	__atomic_store_n(&ring[head].flags, head_flags, __ATOMIC_RELEASE);
	if (unlikely(log != NULL)) {
		for (i = 0; i < n; i++)
			ndesc = (uint16_t)(ndesc + vq->shadow_count_desc[i]);
		vhp_log_packed_descs(vq, log, head, ndesc);
	}

	vq->last_used_idx = idx;
	vq->used_wrap = wrap;
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
packed_flush_and_notify(struct vhp_virtqueue *vq)
{
	if (vq->shadow_count == 0)
		return;
	packed_flush(vq);
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

/* Chains and indirect descriptors. The head flags were read (acquire). */
static __rte_noinline enum packed_parse
packed_parse_slow(struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
		  uint16_t budget, bool write, struct packed_chain *c)
{
	struct vring_packed_desc *scratch =
		(struct vring_packed_desc *)vq->desc_scratch;
	const struct vring_packed_desc *ring = vq->desc_packed;
	struct vring_packed_desc d = c->head;
	uint32_t i, n;
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
		if (packed_addr_overflows(&d) ||
		    packed_copy_indirect(vq, d.addr, d.len, scratch) != 0) {
			vhp_vq_error(vq, VHP_ERR_ADDR,
				     "indirect table at 0x%" PRIx64 " len %u",
				     d.addr, d.len);
			return PARSE_DROP;
		}
		n = d.len / sizeof(struct vring_packed_desc);
		for (i = 0; i < n; i++) {
			if (scratch[i].flags & VRING_DESC_F_INDIRECT) {
				vhp_vq_error(vq, VHP_ERR_INDIRECT,
					     "nested indirect table");
				return PARSE_DROP;
			}
			/*
			 * RX entries must be device-writable. In TX tables
			 * WRITE is tolerated: DPDK's virtio PMD presets it
			 * on every packed indirect entry and leaves it on
			 * the header one; we only read those buffers.
			 */
			if (write && !(scratch[i].flags & VRING_DESC_F_WRITE)) {
				vhp_vq_error(vq, VHP_ERR_CHAIN,
					     "read-only descriptor in an RX "
					     "buffer");
				return PARSE_DROP;
			}
			if (packed_addr_overflows(&scratch[i])) {
				vhp_vq_error(vq, VHP_ERR_ADDR,
					     "addr+len overflows");
				return PARSE_DROP;
			}
		}
		c->seg = scratch;
		c->nseg = n;
		return PARSE_OK;
	}

	/* A chain in the ring (INDIRECT with NEXT is walked, then refused). */
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
	for (i = 0; i < c->ndesc; i++) {
		if (scratch[i].flags & VRING_DESC_F_INDIRECT) {
			vhp_vq_error(vq, VHP_ERR_INDIRECT,
				     "indirect descriptor in a chain");
			return PARSE_DROP;
		}
		if (packed_dir_bad(scratch[i].flags, write)) {
			vhp_vq_error(vq, VHP_ERR_CHAIN,
				     "%s descriptor in %s buffer",
				     write ? "read-only" : "writable",
				     write ? "an RX" : "a TX");
			return PARSE_DROP;
		}
		if (packed_addr_overflows(&scratch[i])) {
			vhp_vq_error(vq, VHP_ERR_ADDR, "addr+len overflows");
			return PARSE_DROP;
		}
	}
	c->seg = scratch;
	c->nseg = c->ndesc;
	return PARSE_OK;
}

/*
 * Read the buffer at (idx, wrap). @budget is the number of ring slots the
 * burst may still consume (a burst never returns more than the ring size).
 */
static __rte_always_inline enum packed_parse
packed_parse(struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
	     uint16_t budget, bool write, struct packed_chain *c)
{
	const struct vring_packed_desc *d = &vq->desc_packed[idx];
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);

	if (!packed_desc_avail(flags, wrap))
		return PARSE_EMPTY;
	c->head.flags = flags;
	packed_desc_read(d, &c->head);
	if (unlikely(flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT)))
		return packed_parse_slow(vq, idx, wrap, budget, write, c);
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

/*
 * Read the flags of the four descriptors at @p ring into @p d: are they all
 * available for us, single and direct, with the WRITE bit @p expect asks?
 */
static __rte_always_inline bool
packed_batch_flags_ok(const struct vring_packed_desc *ring,
		      struct vring_packed_desc *d, uint16_t expect)
{
	uint32_t i;

	for (i = 0; i < PACKED_BATCH_SIZE; i++)
		d[i].flags = __atomic_load_n(&ring[i].flags, __ATOMIC_RELAXED);
	return (d[0].flags & PACKED_BATCH_FLAGS) == expect &&
	       (d[1].flags & PACKED_BATCH_FLAGS) == expect &&
	       (d[2].flags & PACKED_BATCH_FLAGS) == expect &&
	       (d[3].flags & PACKED_BATCH_FLAGS) == expect;
}

/*
 * Four packets into four single descriptors at idx (idx % 4 == 0).
 * Returns 0 when done, -1 when the batch does not apply (nothing written
 * to the ring state).
 */
static __rte_always_inline int
rx_batch(struct vhp_virtqueue *vq, struct rte_mbuf **pkts, uint16_t idx,
	 uint8_t wrap, uint64_t *bytes)
{
	struct vring_packed_desc *ring = &vq->desc_packed[idx];
	const uint16_t expect = VRING_DESC_F_WRITE |
		(wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED);
	uint32_t hdr_len = vq->hdr_len;
	struct vring_packed_desc d[PACKED_BATCH_SIZE];
	uint8_t *dst[PACKED_BATCH_SIZE];
	uint32_t i;

	if (!packed_batch_flags_ok(ring, d, expect))
		return -1;
	if ((pkts[0]->nb_segs | pkts[1]->nb_segs | pkts[2]->nb_segs |
	     pkts[3]->nb_segs) != 1 ||
	    ((pkts[0]->ol_flags | pkts[1]->ol_flags | pkts[2]->ol_flags |
	      pkts[3]->ol_flags) & vhp_net_hdr_ol_mask(vq)))
		return -1;
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < PACKED_BATCH_SIZE; i++)
		packed_desc_read(&ring[i], &d[i]);
	for (i = 0; i < PACKED_BATCH_SIZE; i++) {
		uint32_t need = hdr_len + pkts[i]->pkt_len;

		if (unlikely(d[i].id >= vq->size || d[i].len < need))
			return -1;
		dst[i] = vhp_gpa_to_hva_full(vq->mem, d[i].addr, need,
					     &vq->mem_hint);
		if (unlikely(dst[i] == NULL))
			return -1;
	}
	for (i = 0; i < PACKED_BATCH_SIZE; i++) {
		rx_write_hdr(dst[i], hdr_len);
		vhp_copy(dst[i] + hdr_len,
			   rte_pktmbuf_mtod(pkts[i], const void *),
			   pkts[i]->pkt_len);
	}
	for (i = 0; i < PACKED_BATCH_SIZE; i++) {
		packed_shadow(vq, d[i].id, hdr_len + pkts[i]->pkt_len, 1);
		*bytes += pkts[i]->pkt_len;
	}
	return 0;
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
	  uint8_t *wrap, uint16_t *budget, uint64_t *bytes, bool mrg)
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

	r = packed_parse(vq, lidx, lwrap, lbudget, true, &c);
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
		r = packed_parse(vq, lidx, lwrap, lbudget, true, &c);
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

uint16_t
vhp_packed_enqueue(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
		   uint16_t count)
{
	uint16_t idx = vq->last_avail_idx;
	uint8_t wrap = vq->avail_wrap;
	uint16_t budget = vq->size;
	bool mrg = !!(vq->flags & VHP_VQ_F_MRG_RXBUF);
	uint64_t bytes = 0;
	uint16_t nb = 0;

	if (unlikely(vq->broken || count == 0))
		return 0;
	rte_prefetch0(&vq->desc_packed[idx]);
	while (nb < count && budget > 0) {
		if ((idx & PACKED_BATCH_MASK) == 0 &&
		    idx + PACKED_BATCH_SIZE <= vq->size &&
		    count - nb >= PACKED_BATCH_SIZE &&
		    budget >= PACKED_BATCH_SIZE) {
			if (idx + 2 * PACKED_BATCH_SIZE <= vq->size)
				rte_prefetch0(&vq->desc_packed[idx +
						PACKED_BATCH_SIZE]);
			if (nb + 2 * PACKED_BATCH_SIZE <= count) {
				rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + 4],
							       void *));
				rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + 5],
							       void *));
				rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + 6],
							       void *));
				rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + 7],
							       void *));
			}
			if (rx_batch(vq, &pkts[nb], idx, wrap, &bytes) == 0) {
				packed_advance(vq, &idx, &wrap,
					       PACKED_BATCH_SIZE);
				budget -= PACKED_BATCH_SIZE;
				nb += PACKED_BATCH_SIZE;
				VHP_STAT_ADD(vq, packets, PACKED_BATCH_SIZE);
				continue;
			}
		}
		if (nb + 1 < count)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[nb + 1], void *));
		if (rx_packet(vq, pkts[nb], &idx, &wrap, &budget, &bytes,
			      mrg) != RX_TAKEN)
			break;
		nb++;
	}
	vq->last_avail_idx = idx;
	vq->avail_wrap = wrap;
	VHP_STAT_ADD(vq, bytes, bytes);
	/* Packets not taken stay with the caller (it may retry): they are
	 * not counted as dropped here. */
	packed_flush_and_notify(vq);
	if (nb > 0 && !(vq->flags & VHP_VQ_F_KEEP_MBUFS))
		vhp_mbuf_free_burst(pkts, nb);
	return nb;
}

/* ------------------------------------------------------------------ */
/* TX: dequeue from the guest                                          */
/* ------------------------------------------------------------------ */

/*
 * Four single descriptors at idx (idx % 4 == 0) into four preallocated
 * single-segment mbufs. Returns 0 when done, -1 when it does not apply.
 */
static __rte_always_inline int
tx_batch(struct vhp_virtqueue *vq, struct rte_mbuf **pkts, uint16_t idx,
	 uint8_t wrap, uint64_t *bytes)
{
	struct vring_packed_desc *ring = &vq->desc_packed[idx];
	const uint16_t expect =
		wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED;
	uint32_t hdr_len = vq->hdr_len;
	struct vring_packed_desc d[PACKED_BATCH_SIZE];
	const uint8_t *src[PACKED_BATCH_SIZE];
	uint32_t i;

	if (!packed_batch_flags_ok(ring, d, expect))
		return -1;
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < PACKED_BATCH_SIZE; i++)
		packed_desc_read(&ring[i], &d[i]);
	for (i = 0; i < PACKED_BATCH_SIZE; i++) {
		if (unlikely(d[i].id >= vq->size || d[i].len <= hdr_len ||
			     d[i].len - hdr_len >
				rte_pktmbuf_tailroom(pkts[i]) ||
			     packed_addr_overflows(&d[i])))
			return -1;
		src[i] = vhp_gpa_to_hva_full(vq->mem, d[i].addr, d[i].len,
					     &vq->mem_hint);
		if (unlikely(src[i] == NULL))
			return -1;
		if (unlikely(vq->flags & VHP_VQ_F_HOST_OL)) {
			uint16_t w;

			/* Offload headers take the single-buffer path. */
			memcpy(&w, src[i], sizeof(w));
			if (w != 0)
				return -1;
		}
		src[i] += hdr_len;	/* prefetched by packed_count_avail */
	}
	for (i = 0; i < PACKED_BATCH_SIZE; i++) {
		uint32_t len = d[i].len - hdr_len;

		vhp_copy(rte_pktmbuf_mtod(pkts[i], void *), src[i], len);
		pkts[i]->data_len = (uint16_t)len;
		pkts[i]->pkt_len = len;
		*bytes += len;
	}
	if ((vq->flags & VHP_VQ_F_IN_ORDER) && vq->shadow_count != 0) {
		/* The burst's single in-order entry grows by the batch. */
		vq->shadow_used[0].id = d[PACKED_BATCH_SIZE - 1].id;
		vq->shadow_count_desc[0] += PACKED_BATCH_SIZE;
	} else {
		for (i = 0; i < PACKED_BATCH_SIZE; i++)
			packed_shadow_tx(vq, d[i].id, 1);
	}
	return 0;
}

/*
 * Available ring slots from (idx, wrap), at most @max: an upper bound of the
 * packets a burst can take (chains take several slots).
 *
 * Also starts fetching each slot's packet data (the line after the
 * virtio-net header): the guest wrote it on another core, and a prefetch
 * issued just before the copy (tx_batch) leaves most of that miss exposed.
 * The address is only a hint here (read before the acquire fence, not
 * validated beyond being mapped); the parse reads and checks it again.
 */
static __rte_always_inline uint16_t
packed_count_avail(struct vhp_virtqueue *vq, uint16_t idx, uint8_t wrap,
		   uint16_t max)
{
	const struct vring_packed_desc *ring = vq->desc_packed;
	const struct vhp_mem *mem = vq->mem;
	uint32_t hdr_len = vq->hdr_len;
	uint16_t size = vq->size;
	uint16_t n = 0;

	while (n < max &&
	       packed_desc_avail(__atomic_load_n(&ring[idx].flags,
						 __ATOMIC_RELAXED), wrap)) {
		uint64_t l = 1;
		void *p = vhp_gpa_to_hva(mem,
			__atomic_load_n(&ring[idx].addr, __ATOMIC_RELAXED) +
			hdr_len, &l, &vq->mem_hint);

		if (p != NULL)
			rte_prefetch0(p);
		n++;
		if (unlikely(++idx >= size)) {
			idx = 0;
			wrap ^= 1;
		}
	}
	return n;
}

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
	return vhp_net_hdr_dequeue(vq, &h, m);
}

enum tx_result {
	TX_GOT,		/* packet stored in the mbuf */
	TX_DROPPED,	/* bad buffer returned empty, mbuf unused */
	TX_STOP,	/* nothing (more) to do now */
};

static enum tx_result
tx_packet(struct vhp_virtqueue *vq, struct rte_mempool *mp,
	  struct rte_mbuf **slot, bool prealloc, uint16_t *idx,
	  uint8_t *wrap, uint16_t *budget, uint64_t *bytes)
{
	struct packed_chain c;
	struct rte_mbuf *m;
	enum packed_parse r;
	enum tx_copy_result cr;
	uint64_t total = 0;
	uint32_t i;

	r = packed_parse(vq, *idx, *wrap, *budget, false, &c);
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
	if (prealloc) {
		m = *slot;
	} else {
		m = rte_pktmbuf_alloc(mp);
		if (unlikely(m == NULL)) {
			VHP_STAT_ADD(vq, alloc_failed, 1);
			return TX_STOP;
		}
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
		if (prealloc)
			tx_mbuf_reset(m);
		else
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
		if (prealloc)
			tx_mbuf_reset(m);
		else
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

uint16_t
vhp_packed_dequeue(struct vhp_virtqueue *vq, struct rte_mempool *mp,
		   struct rte_mbuf **pkts, uint16_t count)
{
	uint16_t idx = vq->last_avail_idx;
	uint8_t wrap = vq->avail_wrap;
	uint16_t budget = vq->size;
	uint64_t bytes = 0;
	uint16_t nb = 0;
	bool prealloc;
	enum tx_result r;

	if (unlikely(vq->broken || count == 0))
		return 0;
	/* Allocate no more mbufs than there are available slots: bursts are
	 * often short, and an unused mbuf costs an alloc and a free. */
	count = packed_count_avail(vq, idx, wrap, RTE_MIN(count, vq->size));
	if (count == 0)
		return 0;
	prealloc = rte_pktmbuf_alloc_bulk(mp, pkts, count) == 0;
	while (nb < count && budget > 0) {
		if (prealloc && (idx & PACKED_BATCH_MASK) == 0 &&
		    idx + PACKED_BATCH_SIZE <= vq->size &&
		    count - nb >= PACKED_BATCH_SIZE &&
		    budget >= PACKED_BATCH_SIZE) {
			if (idx + 2 * PACKED_BATCH_SIZE <= vq->size)
				rte_prefetch0(&vq->desc_packed[idx +
						PACKED_BATCH_SIZE]);
			if (tx_batch(vq, &pkts[nb], idx, wrap, &bytes) == 0) {
				packed_advance(vq, &idx, &wrap,
					       PACKED_BATCH_SIZE);
				budget -= PACKED_BATCH_SIZE;
				nb += PACKED_BATCH_SIZE;
				continue;
			}
		}
		r = tx_packet(vq, mp, &pkts[nb], prealloc, &idx, &wrap,
			      &budget, &bytes);
		if (r == TX_STOP)
			break;
		if (r == TX_GOT)
			nb++;
	}
	vq->last_avail_idx = idx;
	vq->avail_wrap = wrap;
	VHP_STAT_ADD(vq, packets, nb);
	VHP_STAT_ADD(vq, bytes, bytes);
	packed_flush_and_notify(vq);
	if (prealloc && nb < count)
		rte_pktmbuf_free_bulk(&pkts[nb], count - nb);
	return nb;
}
