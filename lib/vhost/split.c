/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-ring datapath: enqueue into the guest's RX ring (even vring) and
 * dequeue from its TX ring (odd vring).
 *
 * Every guest-written value is read once into a local (descriptors with two
 * 64-bit loads, in the ring's table or in an indirect table, only those the
 * chain reaches) and checked before use. The avail index is read once per burst (acquire); used entries
 * collect in vq->shadow_used and are published once per burst by
 * vhp_split_flush_and_notify(). With IN_ORDER, a TX burst is returned as one
 * batch: a single used entry naming the last buffer, used->idx advanced by
 * the number of buffers (virtio 1.2, 2.7.9); RX keeps one entry per buffer
 * because each carries its own length.
 *
 * RX paths: bursts of one-segment packets into single descriptors
 * (split_enqueue_batch()); a larger or chained packet over mergeable
 * buffers that are each one descriptor (split_enqueue_mrg(): descriptors
 * gathered and checked first, then header and segments copied across
 * them); everything else, one packet at a time (split_enqueue_slow()).
 *
 * Offloads (net_hdr.c): with NET_F_CSUM negotiated (VHP_VQ_F_HOST_OL) a TX
 * header whose flags/gso_type are not zero is turned into mbuf offload
 * requests, or the packet dropped as bad_offload, on the fast path as on
 * the slow one. An RX mbuf carrying an offload flag (vhp_net_hdr_ol_mask())
 * stays on the fast path too: an RX checksum status is the header's
 * DATA_VALID bit, a TX offload request the header vhp_net_hdr_enqueue()
 * builds plus the patched packet headers. Packets without either cost one
 * flag test each.
 *
 * Bad guest buffers are dropped and counted (vhp_vq_error), and the buffer is
 * still returned to the guest with used len 0. A bad head index carries no
 * buffer: it is skipped. An avail index more than a ring ahead means the ring
 * itself is corrupt: the queue is marked broken.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "copy.h"
#include "vhp_internal.h"

/** Heads gathered (and their descriptors prefetched) ahead of copying. */
#define SPLIT_BATCH		32
/** Largest packet accepted from the guest: the largest GSO frame (IP
 * length 65535) plus L2 headers. Bounds mbuf use per packet. */
#define SPLIT_TX_MAX_PKT	(UINT16_MAX + 32u)
/** Largest virtio_net_hdr. */
#define SPLIT_HDR_MAX		12u
/** Buffers one RX packet may span on the mergeable fast path. */
#define SPLIT_MRG_MAX		64

/* Chain walk state. The table is the guest's descriptor table or an
 * indirect table (in guest memory; a private copy when misaligned). Every
 * descriptor is read once, when the walk reaches it, and the walk is
 * bounded by the table size (budget): a chain of empty descriptors costs
 * one read and check per descriptor, at most the ring size. */
struct split_chain {
	const struct vring_desc *table;
	uint32_t table_size;
	uint32_t budget;	/* descriptors still allowed in this chain */
	uint64_t gpa;		/* rest of the current descriptor */
	uint32_t len;
	uint16_t flags;		/* current descriptor's flags */
	uint16_t next;
	uint16_t want;		/* VRING_DESC_F_WRITE for RX, 0 for TX */
};

/* Read one descriptor with two loads (read once: TOCTOU). */
static __rte_always_inline struct vring_desc
split_desc_read(const struct vring_desc *d)
{
	const volatile uint64_t *p = (const volatile uint64_t *)d;
	struct vring_desc r;
	uint64_t w1;

	r.addr = p[0];
	w1 = p[1];
	r.len = (uint32_t)w1;
	r.flags = (uint16_t)(w1 >> 32);
	r.next = (uint16_t)(w1 >> 48);
	return r;
}

static __rte_always_inline uint16_t
split_avail_entry(const struct vhp_virtqueue *vq, uint16_t pos)
{
	return __atomic_load_n(&vq->avail->ring[pos & vq->size_mask],
			       __ATOMIC_RELAXED);
}

static __rte_always_inline void
split_shadow_add(struct vhp_virtqueue *vq, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &vq->shadow_used[vq->shadow_count++];

	e->id = id;
	e->len = len;
}

/* Check descriptor @p d (already read) and make it the current one. */
static __rte_always_inline int
split_chain_set(struct vhp_virtqueue *vq, struct split_chain *ch,
		const struct vring_desc *d)
{
	if (unlikely(d->flags & VRING_DESC_F_INDIRECT)) {
		vhp_vq_error(vq, VHP_ERR_INDIRECT,
			     "indirect descriptor inside a chain");
		return -EINVAL;
	}
	if (unlikely((d->flags & VRING_DESC_F_WRITE) != ch->want)) {
		vhp_vq_error(vq, VHP_ERR_CHAIN, "%s descriptor in a %s chain",
			     ch->want ? "read-only" : "write-only",
			     ch->want ? "RX" : "TX");
		return -EINVAL;
	}
	if (unlikely(d->addr + d->len < d->addr)) {
		vhp_vq_error(vq, VHP_ERR_ADDR,
			     "descriptor 0x%" PRIx64 "+%u wraps around",
			     d->addr, d->len);
		return -EINVAL;
	}
	ch->gpa = d->addr;
	ch->len = d->len;
	ch->flags = d->flags;
	ch->next = d->next;
	return 0;
}

/* Start walking the chain whose head descriptor (already read) is @p d,
 * or the indirect table it names. The tables of a burst may have ring-size
 * entries in all (*tbudget, counted by table size): -EAGAIN when this one
 * does not fit any more (nothing consumed, nothing counted; the next burst
 * takes it), so a burst reads at most twice the ring size in descriptors
 * of chains and tables, whatever the guest posts. */
static int
split_chain_start(struct vhp_virtqueue *vq, struct split_chain *ch,
		  const struct vring_desc *d, uint16_t want, uint32_t *tbudget)
{
	struct vring_desc first;
	const void *src;
	uint32_t n;

	ch->want = want;
	if (likely(!(d->flags & VRING_DESC_F_INDIRECT))) {
		ch->table = vq->desc;
		ch->table_size = vq->size;
		ch->budget = vq->size - 1u;
		return split_chain_set(vq, ch, d);
	}
	if (unlikely(!(vq->flags & VHP_VQ_F_INDIRECT))) {
		vhp_vq_error(vq, VHP_ERR_INDIRECT,
			     "indirect descriptor not negotiated");
		return -EINVAL;
	}
	if (unlikely(d->flags & VRING_DESC_F_NEXT)) {
		vhp_vq_error(vq, VHP_ERR_INDIRECT, "indirect with NEXT");
		return -EINVAL;
	}
	n = d->len / sizeof(struct vring_desc);
	if (unlikely((d->len & (sizeof(struct vring_desc) - 1)) != 0 ||
		     n == 0 || n > vq->size)) {
		vhp_vq_error(vq, VHP_ERR_INDIRECT,
			     "indirect table length %u", d->len);
		return -EINVAL;
	}
	if (n > *tbudget)
		return -EAGAIN;		/* the next burst takes it */
	*tbudget -= n;
	src = vhp_gpa_to_hva_full(vq->mem, d->addr, d->len, &vq->mem_hint);
	if (unlikely(src == NULL)) {
		vhp_vq_error(vq, VHP_ERR_ADDR,
			     "indirect table 0x%" PRIx64 "+%u not mapped",
			     d->addr, d->len);
		return -EINVAL;
	}
	/* Walked in place, each entry read once when the chain reaches it
	 * (as the ring's own table): a packet that needs one entry of a
	 * 1024-entry table reads one. A misaligned table is copied first
	 * (the 64-bit descriptor loads need 8-byte alignment). */
	if (unlikely(((uintptr_t)src & 7) != 0)) {
		rte_memcpy(vq->desc_scratch, src, d->len);
		src = vq->desc_scratch;
	}
	ch->table = src;
	ch->table_size = n;
	ch->budget = n - 1u;
	first = split_desc_read(&ch->table[0]);
	return split_chain_set(vq, ch, &first);
}

/*
 * Next host segment of the chain, at most @p max bytes.
 * @return host pointer, NULL at the end of the chain (*err = 0) or on a bad
 *   chain (*err < 0, counted).
 */
static __rte_always_inline void *
split_chain_seg(struct vhp_virtqueue *vq, struct split_chain *ch,
		uint32_t max, uint32_t *seg_len, int *err)
{
	struct vring_desc d;
	uint64_t l;
	void *p;

	while (ch->len == 0) {
		if (!(ch->flags & VRING_DESC_F_NEXT)) {
			*err = 0;
			return NULL;
		}
		if (unlikely(ch->next >= ch->table_size)) {
			vhp_vq_error(vq, VHP_ERR_CHAIN,
				     "next %u beyond table of %u", ch->next,
				     ch->table_size);
			*err = -EINVAL;
			return NULL;
		}
		if (unlikely(ch->budget == 0)) {
			vhp_vq_error(vq, VHP_ERR_CHAIN,
				     "chain loops or exceeds %u descriptors",
				     ch->table_size);
			*err = -EINVAL;
			return NULL;
		}
		ch->budget--;
		d = split_desc_read(&ch->table[ch->next]);
		if (unlikely(split_chain_set(vq, ch, &d) != 0)) {
			*err = -EINVAL;
			return NULL;
		}
	}
	l = RTE_MIN(ch->len, max);
	p = vhp_gpa_to_hva(vq->mem, ch->gpa, &l, &vq->mem_hint);
	if (unlikely(p == NULL)) {
		vhp_vq_error(vq, VHP_ERR_ADDR,
			     "buffer 0x%" PRIx64 "+%u not mapped", ch->gpa,
			     ch->len);
		*err = -EINVAL;
		return NULL;
	}
	ch->gpa += l;
	ch->len -= (uint32_t)l;
	*seg_len = (uint32_t)l;
	return p;
}

/* Read avail->idx (acquire) and check it. @return entries, or -1 broken. */
static __rte_always_inline int
split_avail_count(struct vhp_virtqueue *vq, uint16_t *avail_idx)
{
	uint16_t idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vq->last_avail_idx);

	if (unlikely(n > vq->size)) {
		vhp_vq_mark_broken(vq, "avail index more than a ring ahead");
		return -1;
	}
	*avail_idx = idx;
	return n;
}

/* Header placed in front of every packet written to the guest. */
static __rte_always_inline void
split_rx_hdr(uint8_t hdr[SPLIT_HDR_MAX])
{
	struct virtio_net_hdr h = { .flags = 0,
		.gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };

	memcpy(hdr, &h, SPLIT_HDR_MAX);
}

/*
 * RX of one packet (one or more segments, no offload work) over mergeable
 * buffers that are each one direct, writable descriptor: the usual shape
 * of a large frame going into a virtio-net driver's page- or mbuf-sized
 * buffers. The buffers are gathered first (each descriptor read once,
 * checked and translated), then the header (num_buffers set) and the data
 * are copied across them, segment by segment. A buffer of any other
 * shape, a ring short of buffers or a packet over more than SPLIT_MRG_MAX
 * of them is left to split_enqueue_slow(), nothing consumed.
 * @return 1 packet delivered, 0 not taken.
 */
static __rte_noinline int
split_enqueue_mrg(struct vhp_virtqueue *vq, const struct rte_mbuf *m,
		  uint16_t avail_idx, const uint8_t *tmpl)
{
	const uint32_t hdr_len = SPLIT_HDR_MAX;	/* with num_buffers */
	const uint16_t idx = vq->last_avail_idx;
	uint32_t need = hdr_len + m->pkt_len;
	uint16_t heads[SPLIT_MRG_MAX];
	uint32_t len[SPLIT_MRG_MAX];
	uint8_t *dst[SPLIT_MRG_MAX];
	struct vring_desc d;
	uint16_t nb = 0, b;
	uint32_t l;

	while (need != 0) {
		if (unlikely(nb == SPLIT_MRG_MAX ||
			     (uint16_t)(idx + nb) == avail_idx))
			return 0;
		heads[nb] = split_avail_entry(vq, (uint16_t)(idx + nb));
		if (unlikely(heads[nb] >= vq->size))
			return 0;
		d = split_desc_read(&vq->desc[heads[nb]]);
		if (unlikely((d.flags & (VRING_DESC_F_NEXT |
					 VRING_DESC_F_WRITE |
					 VRING_DESC_F_INDIRECT)) !=
			     VRING_DESC_F_WRITE))
			return 0;
		l = RTE_MIN(d.len, need);
		if (unlikely(l == 0 || (nb == 0 && l < hdr_len)))
			return 0;
		dst[nb] = vhp_gpa_to_hva_full(vq->mem, d.addr, l,
					      &vq->mem_hint);
		if (unlikely(dst[nb] == NULL))
			return 0;
		len[nb] = l;
		need -= l;
		nb++;
	}
	vhp_mrg_fill(m, tmpl, dst, len, nb);
	for (b = 0; b < nb; b++)
		split_shadow_add(vq, heads[b], len[b]);
	vq->last_avail_idx = (uint16_t)(idx + nb);
	return 1;
}

/*
 * Slow path of one RX packet: chains, indirect tables, split headers,
 * chained mbufs, mergeable buffers. The first head @p head (descriptor
 * @p d) is already taken from the avail ring.
 * @return 1 packet taken (delivered, dropped or refused as bad), 0 no room
 *   (not taken; ring state rolled back).
 */
static __rte_noinline int
split_enqueue_slow(struct vhp_virtqueue *vq, struct rte_mbuf *m,
		   uint16_t avail_idx, uint16_t head, struct vring_desc d,
		   uint32_t *tbudget)
{
	const uint16_t start_avail = (uint16_t)(vq->last_avail_idx - 1);
	const uint16_t start_shadow = vq->shadow_count;
	const bool mrg = (vq->flags & VHP_VQ_F_MRG_RXBUF) != 0;
	const uint32_t vhdr_len = RTE_MIN(vq->hdr_len, SPLIT_HDR_MAX);
	const struct rte_mbuf *seg = m;
	struct vhp_mbuf_src src;
	uint32_t data_left;
	uint32_t hdr_done = 0, hdr_len = vhdr_len, skip = 0;
	/* virtio_net_hdr, then (offloads) the packet's patched headers */
	uint8_t hdr[VHP_NET_HDR_BLOB_MAX];
	uint8_t *nb_ptr[2] = { NULL, NULL };
	uint16_t nbufs = 0;
	struct split_chain ch;
	uint32_t written, l, k;
	uint8_t *p;
	int err;

	if (m->ol_flags & vhp_net_hdr_ol_mask(vq)) {
		if (vhp_net_hdr_enqueue(vq, m, hdr, &skip) != 0) {
			/* Dropped (counted): the buffer stays for the next
			 * packet. */
			vq->last_avail_idx = start_avail;
			return 1;
		}
		hdr_len += skip;
	} else {
		split_rx_hdr(hdr);
	}
	/* The packet data after the prefix carried in hdr[]. */
	data_left = m->pkt_len - skip;
	while (skip >= seg->data_len && seg->next != NULL) {
		skip -= seg->data_len;
		seg = seg->next;
	}
	src.seg = seg;
	src.p = rte_pktmbuf_mtod_offset(seg, const uint8_t *, skip);
	src.left = seg->data_len - skip;
	for (;;) {
		err = split_chain_start(vq, &ch, &d, VRING_DESC_F_WRITE,
					tbudget);
		if (unlikely(err == -EAGAIN)) {
			vq->last_avail_idx = start_avail;
			vq->shadow_count = start_shadow;
			return 0;
		}
		if (unlikely(err != 0))
			goto bad;
		written = 0;
		err = 0;
		while (hdr_done < hdr_len || data_left != 0) {
			if (hdr_done < hdr_len) {
				p = split_chain_seg(vq, &ch,
						    hdr_len - hdr_done, &l,
						    &err);
				if (p == NULL)
					break;
				memcpy(p, hdr + hdr_done, l);
				for (k = 10; k < vhdr_len; k++)
					if (k >= hdr_done && k < hdr_done + l)
						nb_ptr[k - 10] =
							p + (k - hdr_done);
				hdr_done += l;
				written += l;
				continue;
			}
			p = split_chain_seg(vq, &ch, data_left, &l, &err);
			if (p == NULL)
				break;
			written += l;
			data_left -= l;
			vhp_mbuf_src_copy(&src, p, l);
		}
		if (unlikely(err != 0 && (hdr_done < hdr_len ||
					  data_left != 0)))
			goto bad;
		split_shadow_add(vq, head, written);
		nbufs++;
		if (hdr_done == hdr_len && data_left == 0)
			break;
		if (!mrg) {
			/* Does not fit the buffer: drop the packet, leave the
			 * buffer to the next one. */
			vq->last_avail_idx = start_avail;
			vq->shadow_count = start_shadow;
			VHP_STAT_ADD(vq, dropped, 1);
			return 1;
		}
		if (vq->last_avail_idx == avail_idx) {
			vq->last_avail_idx = start_avail;
			vq->shadow_count = start_shadow;
			return 0;
		}
		head = split_avail_entry(vq, vq->last_avail_idx++);
		if (unlikely(head >= vq->size)) {
			vhp_vq_error(vq, VHP_ERR_INDEX, "head %u >= size %u",
				     head, vq->size);
			goto bad_nohead;
		}
		d = split_desc_read(&vq->desc[head]);
	}
	if (nb_ptr[0] != NULL)
		*nb_ptr[0] = (uint8_t)nbufs;
	if (nb_ptr[1] != NULL)
		*nb_ptr[1] = (uint8_t)(nbufs >> 8);
	VHP_STAT_ADD(vq, packets, 1);
	VHP_STAT_ADD(vq, bytes, m->pkt_len);
	return 1;

bad:
	split_shadow_add(vq, head, 0);
bad_nohead:
	/* The guest must not see a partial packet: every buffer it spans is
	 * returned empty. */
	for (k = start_shadow; k < vq->shadow_count; k++)
		vq->shadow_used[k].len = 0;
	return 1;
}

/* Per-burst scratch of the RX fast path (on the caller's stack). */
struct split_rx_scratch {
	uint16_t heads[SPLIT_BATCH];
	uint8_t *dst[SPLIT_BATCH];
	uint32_t skip[SPLIT_BATCH];
	/* virtio_net_hdr + patched prefix of packets with TX offload
	 * requests (vhp_net_hdr_enqueue()); untouched by other traffic */
	uint8_t blob[SPLIT_BATCH][VHP_NET_HDR_BLOB_MAX];
};

/*
 * Fast path of up to SPLIT_BATCH RX packets, each a one-segment mbuf going
 * into one writable descriptor big enough for header and data. Three
 * passes, so that the cache misses of a batch overlap instead of queueing
 * one behind the other: gather heads and prefetch their descriptors; read
 * and check the descriptors, translate them, build the header and prefetch
 * the destinations for writing; then the copies. Offload-flagged mbufs stay
 * here: an RX checksum status becomes DATA_VALID (GUEST_CSUM), a TX offload
 * request the header and patched prefix vhp_net_hdr_enqueue() builds. Stops
 * at the first packet the fast path cannot take (nothing of it consumed);
 * *refused: that packet was refused by vhp_net_hdr_enqueue() (dropped and
 * counted: the caller takes it without a buffer).
 * @return packets delivered.
 */
static __rte_always_inline uint16_t
split_enqueue_batch(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
		    uint16_t n, const uint8_t *hdr, uint32_t hdr_len,
		    uint64_t ol_mask, struct split_rx_scratch *s,
		    uint64_t *bytes, bool *refused)
{
	const uint16_t idx = vq->last_avail_idx;
	struct vring_desc d;
	struct rte_mbuf *m;
	uint64_t ol, any = 0;
	uint16_t j, k;
	uint32_t need, l;

	for (j = 0; j < n; j++) {
		s->heads[j] = split_avail_entry(vq, (uint16_t)(idx + j));
		rte_prefetch0(&vq->desc[s->heads[j] & vq->size_mask]);
	}
	for (k = 0; k < n; k++) {
		m = pkts[k];
		need = hdr_len + m->pkt_len;
		if (unlikely(s->heads[k] >= vq->size))
			break;
		d = split_desc_read(&vq->desc[s->heads[k]]);
		if (unlikely(m->nb_segs != 1 ||
			     (d.flags & (VRING_DESC_F_NEXT |
					 VRING_DESC_F_WRITE |
					 VRING_DESC_F_INDIRECT)) !=
			     VRING_DESC_F_WRITE || d.len < need))
			break;
		s->dst[k] = vhp_gpa_to_hva_full(vq->mem, d.addr, need,
						&vq->mem_hint);
		if (unlikely(s->dst[k] == NULL))
			break;
		ol = m->ol_flags & ol_mask;
		if (unlikely(ol != 0)) {
			any = ol;
			if ((ol & VHP_NET_HDR_OL_TX) &&
			    vhp_net_hdr_enqueue(vq, m, s->blob[k],
						&s->skip[k]) != 0) {
				*refused = true;
				break;
			}
		}
		/* The header line is often left as it is (vhp_hdr_put()). */
		rte_prefetch0(s->dst[k]);
		rte_prefetch0_write(s->dst[k] + hdr_len);
		rte_prefetch0(rte_pktmbuf_mtod(m, void *));
	}
	for (j = 0; likely(any == 0) && j < k; j++) {
		/* A batch without offload work: the header template. */
		m = pkts[j];
		l = m->pkt_len;
		vhp_hdr_put(s->dst[j], hdr, hdr_len);
		vhp_copy(s->dst[j] + hdr_len, rte_pktmbuf_mtod(m, void *), l);
		split_shadow_add(vq, s->heads[j], hdr_len + l);
		*bytes += l;
	}
	for (; j < k; j++) {
		m = pkts[j];
		l = m->pkt_len;
		vhp_net_hdr_put_ol(s->dst[j], m, m->ol_flags & ol_mask, hdr,
				   s->blob[j], s->skip[j], hdr_len);
		split_shadow_add(vq, s->heads[j], hdr_len + l);
		*bytes += l;
	}
	vq->last_avail_idx = (uint16_t)(idx + k);
	return k;
}

uint16_t
vhp_split_enqueue(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
		  uint16_t count)
{
	const uint32_t hdr_len = RTE_MIN(vq->hdr_len, SPLIT_HDR_MAX);
	const uint64_t ol_mask = vhp_net_hdr_ol_mask(vq);
	const bool mrg = (vq->flags & VHP_VQ_F_MRG_RXBUF) != 0;
	uint8_t hdr[SPLIT_HDR_MAX];
	uint16_t avail_idx, head, i, nb, k;
	struct split_rx_scratch s;
	struct vring_desc d;
	uint64_t bytes = 0;
	uint16_t delivered = 0, lim = SPLIT_BATCH;
	uint32_t tbudget = vq->size;	/* indirect table entries */
	bool refused;
	int navail;

	navail = split_avail_count(vq, &avail_idx);
	if (unlikely(navail <= 0))
		return 0;
	split_rx_hdr(hdr);

	for (i = 0; i < count; ) {
		nb = (uint16_t)RTE_MIN(RTE_MIN(count - i, lim),
				       (uint16_t)(avail_idx -
						  vq->last_avail_idx));
		if (unlikely(nb == 0))
			break;
		refused = false;
		k = split_enqueue_batch(vq, pkts + i, nb, hdr, hdr_len,
					ol_mask, &s, &bytes, &refused);
		i = (uint16_t)(i + k);
		delivered = (uint16_t)(delivered + k);
		if (likely(k == nb)) {
			lim = SPLIT_BATCH;
			continue;
		}
		if (unlikely(refused)) {
			/* Dropped (counted), no buffer used. */
			i++;
			continue;
		}
		/* Gather no further than this batch got next time: traffic
		 * that keeps leaving the fast path (chains, indirect tables,
		 * chained mbufs) must not pay a whole gather per packet. */
		lim = (uint16_t)(k + 1);
		/* Larger than one buffer (or chained), no offload work:
		 * spread over single-descriptor mergeable buffers. */
		if (mrg && hdr_len == SPLIT_HDR_MAX &&
		    !(pkts[i]->ol_flags & ol_mask) &&
		    split_enqueue_mrg(vq, pkts[i], avail_idx, hdr) != 0) {
			bytes += pkts[i]->pkt_len;
			delivered++;
			i++;
			continue;
		}
		/* Packet i needs the slow path (or its head is bad). */
		head = split_avail_entry(vq, vq->last_avail_idx++);
		if (unlikely(head >= vq->size)) {
			vhp_vq_error(vq, VHP_ERR_INDEX, "head %u >= size %u",
				     head, vq->size);
			continue;
		}
		d = split_desc_read(&vq->desc[head]);
		if (split_enqueue_slow(vq, pkts[i], avail_idx, head, d,
				       &tbudget) == 0)
			break;
		i++;
	}
	VHP_STAT_ADD(vq, packets, delivered);
	VHP_STAT_ADD(vq, bytes, bytes);
	if (i != 0 && !(vq->flags & VHP_VQ_F_KEEP_MBUFS))
		vhp_mbuf_free_burst(pkts, i);
	vhp_split_flush_and_notify(vq);
	return i;
}

/* Give a (possibly partly chained) mbuf back its fresh state. */
static void
split_mbuf_recycle(struct rte_mbuf *m)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
}

/*
 * Slow path of one TX packet into @p m (fresh mbuf from @p mp).
 * @return 0 packet built, -EINVAL bad chain (counted), -ENOMEM no mbuf
 *   for a further segment, -EAGAIN its indirect table is over the burst's
 *   budget (nothing consumed).
 */
static __rte_noinline int
split_dequeue_slow(struct vhp_virtqueue *vq, struct rte_mempool *mp,
		   struct rte_mbuf *m, const struct vring_desc *d,
		   uint32_t *tbudget)
{
	const uint32_t hdr_len = vq->hdr_len;
	struct virtio_net_hdr vh;
	struct rte_mbuf *cur = m, *seg;
	uint32_t hdr_left = hdr_len;
	uint32_t room = rte_pktmbuf_tailroom(m);
	uint8_t *dst = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t pkt_len = 0;
	struct split_chain ch;
	const uint8_t *p;
	uint32_t l, n;
	int err;

	err = split_chain_start(vq, &ch, d, 0, tbudget);
	if (unlikely(err != 0))
		return err;
	for (;;) {
		if (hdr_left != 0) {
			/* Header, possibly split across descriptors: copied
			 * (read once) for the offload check. */
			p = split_chain_seg(vq, &ch, hdr_left, &l, &err);
			if (p == NULL)
				break;
			memcpy((uint8_t *)&vh + (hdr_len - hdr_left), p, l);
			hdr_left -= l;
			continue;
		}
		p = split_chain_seg(vq, &ch, UINT32_MAX, &l, &err);
		if (p == NULL)
			break;
		if (unlikely(l > SPLIT_TX_MAX_PKT - pkt_len)) {
			vhp_vq_error(vq, VHP_ERR_LEN,
				     "packet longer than %u bytes",
				     SPLIT_TX_MAX_PKT);
			return -EINVAL;
		}
		pkt_len += l;
		while (l != 0) {
			if (unlikely(room == 0)) {
				seg = rte_pktmbuf_alloc(mp);
				if (unlikely(seg == NULL)) {
					VHP_STAT_ADD(vq, alloc_failed, 1);
					return -ENOMEM;
				}
				cur->next = seg;
				cur = seg;
				m->nb_segs++;
				room = rte_pktmbuf_tailroom(seg);
				dst = rte_pktmbuf_mtod(seg, uint8_t *);
			}
			n = RTE_MIN(l, room);
			vhp_copy(dst, p, n);
			dst += n;
			p += n;
			l -= n;
			room -= n;
			cur->data_len = (uint16_t)(cur->data_len + n);
		}
	}
	if (unlikely(err != 0))
		return -EINVAL;
	if (unlikely(hdr_left != 0)) {
		vhp_vq_error(vq, VHP_ERR_LEN,
			     "chain shorter than the %u-byte header", hdr_len);
		return -EINVAL;
	}
	m->pkt_len = pkt_len;
	if ((vq->flags & VHP_VQ_F_HOST_OL) &&
	    (vh.flags | vh.gso_type) != 0 &&
	    vhp_net_hdr_dequeue_ol(vq, &vh, m) != 0)
		return -EINVAL;
	return 0;
}

/*
 * Offload header of a guest TX packet at @p p (mapped, read here once):
 * a zero flags/gso_type pair costs one test.
 * @return 0 keep the packet, -1 drop it (counted).
 */
static __rte_always_inline int
split_tx_offload(struct vhp_virtqueue *vq, const uint8_t *p,
		 struct rte_mbuf *m)
{
	struct virtio_net_hdr h;
	uint16_t w;

	memcpy(&w, p, sizeof(w));
	if (likely(w == 0))
		return 0;
	memcpy(&h, p, 10);
	h.flags = (uint8_t)w;
	h.gso_type = (uint8_t)(w >> 8);
	return vhp_net_hdr_dequeue_ol(vq, &h, m);
}

/* Record one used TX buffer (len 0): in the shadow, or with IN_ORDER as
 * the last id of the burst's single batch entry. */
static __rte_always_inline void
split_tx_used(struct vhp_virtqueue *vq, bool in_order, uint16_t head,
	      uint16_t *last_id, uint16_t *nused)
{
	if (in_order) {
		*last_id = head;
		(*nused)++;
	} else {
		split_shadow_add(vq, head, 0);
	}
}

/*
 * Fast path of up to SPLIT_BATCH TX packets, each in one read-only
 * descriptor (header then data) that fits one fresh mbuf. Same three passes
 * as split_enqueue_batch(): heads (+ prefetch descriptors), descriptors
 * (+ translate, prefetch the packet data and the mbuf's data room), copies.
 * Stops at the first buffer the fast path cannot take, and after a packet
 * dropped for a bad offload header (its buffer returned, its mbuf reset
 * for the next packet).
 * @return avail entries consumed; *nout gets the packets built.
 */
static __rte_always_inline uint16_t
split_dequeue_batch(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
		    uint16_t n, uint16_t *nout, uint32_t hdr_len, bool in_order,
		    bool ol, uint16_t *last_id, uint16_t *nused,
		    uint64_t *bytes)
{
	const uint16_t idx = vq->last_avail_idx;
	uint16_t heads[SPLIT_BATCH];
	const uint8_t *src[SPLIT_BATCH];
	uint32_t len[SPLIT_BATCH];
	struct vring_desc d;
	struct rte_mbuf *m;
	uint16_t j, k;
	const uint8_t *p;

	for (j = 0; j < n; j++) {
		heads[j] = split_avail_entry(vq, (uint16_t)(idx + j));
		rte_prefetch0(&vq->desc[heads[j] & vq->size_mask]);
	}
	for (k = 0; k < n; k++) {
		m = pkts[k];
		if (unlikely(heads[k] >= vq->size))
			break;
		d = split_desc_read(&vq->desc[heads[k]]);
		len[k] = d.len - hdr_len;
		if (unlikely((d.flags & (VRING_DESC_F_NEXT |
					 VRING_DESC_F_WRITE |
					 VRING_DESC_F_INDIRECT)) ||
			     d.len <= hdr_len ||
			     len[k] > rte_pktmbuf_tailroom(m)))
			break;
		p = vhp_gpa_to_hva_full(vq->mem, d.addr, d.len,
					&vq->mem_hint);
		if (unlikely(p == NULL))
			break;
		src[k] = p + hdr_len;
		if (ol)
			rte_prefetch0(p);
		rte_prefetch0(src[k]);
		rte_prefetch0_write(rte_pktmbuf_mtod(m, void *));
	}
	for (j = 0; j < k; j++) {
		m = pkts[j];
		vhp_copy(rte_pktmbuf_mtod(m, void *), src[j], len[j]);
		m->data_len = (uint16_t)len[j];
		m->pkt_len = len[j];
		split_tx_used(vq, in_order, heads[j], last_id, nused);
		if (unlikely(ol) && unlikely(split_tx_offload(vq,
				src[j] - hdr_len, m) != 0)) {
			split_mbuf_recycle(m);
			k = (uint16_t)(j + 1);
			break;
		}
		*bytes += len[j];
	}
	*nout = j;
	vq->last_avail_idx = (uint16_t)(idx + k);
	return k;
}

uint16_t
vhp_split_dequeue(struct vhp_virtqueue *vq, struct rte_mempool *mp,
		  struct rte_mbuf **pkts, uint16_t count)
{
	const uint32_t hdr_len = vq->hdr_len;
	const bool in_order = (vq->flags & VHP_VQ_F_IN_ORDER) != 0;
	const bool ol = (vq->flags & VHP_VQ_F_HOST_OL) != 0;
	uint16_t avail_idx, n, nb, k, got, head, nout = 0, taken = 0;
	uint16_t last_id = 0, nused = 0, lim = SPLIT_BATCH;
	uint32_t tbudget = vq->size;	/* indirect table entries */
	struct vring_desc d;
	struct rte_mbuf *m;
	uint64_t bytes = 0;
	int navail, ret;

	navail = split_avail_count(vq, &avail_idx);
	if (unlikely(navail <= 0))
		return 0;
	n = (uint16_t)RTE_MIN((uint32_t)navail, (uint32_t)count);
	if (unlikely(rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0)) {
		VHP_STAT_ADD(vq, alloc_failed, 1);
		return 0;
	}

	/* taken: avail entries consumed; nout: packets built (<= taken) */
	while (taken < n) {
		nb = (uint16_t)RTE_MIN(n - taken, lim);
		k = split_dequeue_batch(vq, pkts + nout, nb, &got, hdr_len,
					in_order, ol, &last_id, &nused,
					&bytes);
		nout = (uint16_t)(nout + got);
		taken = (uint16_t)(taken + k);
		if (likely(k == nb) || k != got) {
			lim = SPLIT_BATCH;
			continue;	/* whole batch, or one dropped */
		}
		lim = (uint16_t)(k + 1);	/* as in vhp_split_enqueue() */
		/* The next buffer needs the slow path (or is bad). */
		m = pkts[nout];
		head = split_avail_entry(vq, vq->last_avail_idx++);
		taken++;
		if (unlikely(head >= vq->size)) {
			vhp_vq_error(vq, VHP_ERR_INDEX, "head %u >= size %u",
				     head, vq->size);
			continue;
		}
		d = split_desc_read(&vq->desc[head]);
		ret = split_dequeue_slow(vq, mp, m, &d, &tbudget);
		if (likely(ret == 0)) {
			split_tx_used(vq, in_order, head, &last_id, &nused);
			bytes += m->pkt_len;
			nout++;
			continue;
		}
		split_mbuf_recycle(m);
		if (ret == -ENOMEM || ret == -EAGAIN) {
			/* Retry this packet next burst. */
			vq->last_avail_idx--;
			break;
		}
		/* Bad chain: return the buffer empty. */
		split_tx_used(vq, in_order, head, &last_id, &nused);
	}
	if (nout != n)
		rte_pktmbuf_free_bulk(&pkts[nout], n - nout);
	VHP_STAT_ADD(vq, packets, nout);
	VHP_STAT_ADD(vq, bytes, bytes);
	if (in_order)
		vhp_split_flush_in_order(vq, last_id, 0, nused);
	else
		vhp_split_flush_and_notify(vq);
	return nout;
}
