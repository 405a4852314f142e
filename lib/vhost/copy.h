/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet data copies between guest buffers and mbufs.
 *
 * rte_memcpy is inlined with the instructions of the build's -march
 * (Debian's DPDK asks for corei7: 16-byte SSE moves), which is the best
 * choice for the short copies of small packets. For long copies glibc's
 * memcpy wins: it picks AVX2/AVX-512 and "rep movsb" at run time for the
 * CPU it runs on, so a portable build still gets wide copies. Measured on
 * this project's machine (AMD EPYC, AVX-512): see doc/performance.md.
 */
#ifndef VHP_COPY_H
#define VHP_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

/** Copies of at least this many bytes go to glibc's dispatched memcpy. */
#define VHP_COPY_WIDE_MIN	512

/** Copy @p n bytes of packet data (regions do not overlap). */
static __rte_always_inline void
vhp_copy(void *dst, const void *src, size_t n)
{
	if (unlikely(n >= VHP_COPY_WIDE_MIN))
		memcpy(dst, src, n);
	else
		rte_memcpy(dst, src, n);
}

/* The 12-byte header (@p h8, @p h4: its two little-endian words) into
 * @p dst unless it is there already. */
static __rte_always_inline void
vhp_hdr_put12(uint8_t *dst, uint64_t h8, uint32_t h4)
{
	uint64_t d8;
	uint32_t d4;

	memcpy(&d8, dst, 8);
	memcpy(&d4, dst + 8, 4);
	if (likely(d8 == h8 && d4 == h4))
		return;
	memcpy(dst, &h8, 8);
	memcpy(dst + 8, &h4, 4);
}

/*
 * Write the virtio_net_hdr template @p hdr (@p len bytes: 12, or the
 * legacy 10) into a guest RX buffer unless the buffer holds it already. A
 * guest driver reposts the same buffers, so it usually does (DPDK's vhost
 * does the same field by field): the line then stays shared between the
 * guest's core and ours instead of moving here and back, one cross-core
 * miss less per packet for the guest's driver. What the guest writes into
 * a buffer it gave us is its own business: we never read it back.
 */
static __rte_always_inline void
vhp_hdr_put(uint8_t *dst, const uint8_t *hdr, uint32_t len)
{
	uint64_t h8;
	uint32_t h4;

	if (likely(len == 12)) {
		memcpy(&h8, hdr, 8);
		memcpy(&h4, hdr + 8, 4);
		vhp_hdr_put12(dst, h8, h4);
	} else if (memcmp(dst, hdr, len) != 0) {
		memcpy(dst, hdr, len);
	}
}

/*
 * vhp_hdr_put() of the template @p hdr with its flags byte (byte 0)
 * replaced by @p flags: DATA_VALID for a packet whose checksum was checked.
 */
static __rte_always_inline void
vhp_hdr_put_flags(uint8_t *dst, const uint8_t *hdr, uint32_t len,
		  uint8_t flags)
{
	uint8_t h[12];
	uint64_t h8;
	uint32_t h4;

	if (likely(len == 12)) {
		memcpy(&h8, hdr, 8);
		memcpy(&h4, hdr + 8, 4);
		/* byte 0 of a little-endian load: its low byte */
		vhp_hdr_put12(dst, (h8 & ~UINT64_C(0xff)) | flags, h4);
		return;
	}
	len = RTE_MIN(len, (uint32_t)sizeof(h));
	memcpy(h, hdr, len);
	h[0] = flags;
	vhp_hdr_put(dst, h, len);
}

/** Read position in a (possibly chained) mbuf's packet data. */
struct vhp_mbuf_src {
	const struct rte_mbuf *seg;	/**< current segment */
	const uint8_t *p;		/**< next byte in it */
	uint32_t left;			/**< bytes left in it */
};

/** Start reading @p m's packet data at its first byte. */
static __rte_always_inline void
vhp_mbuf_src_init(struct vhp_mbuf_src *s, const struct rte_mbuf *m)
{
	s->seg = m;
	s->p = rte_pktmbuf_mtod(m, const uint8_t *);
	s->left = m->data_len;
}

/*
 * Copy the next @p n bytes of packet data to @p dst, crossing segments.
 * The caller never asks for more than the packet has left (its pkt_len).
 */
static __rte_always_inline void
vhp_mbuf_src_copy(struct vhp_mbuf_src *s, uint8_t *dst, uint32_t n)
{
	uint32_t l;

	while (n != 0) {
		while (s->left == 0) {
			s->seg = s->seg->next;
			s->p = rte_pktmbuf_mtod(s->seg, const uint8_t *);
			s->left = s->seg->data_len;
		}
		l = RTE_MIN(n, s->left);
		vhp_copy(dst, s->p, l);
		dst += l;
		s->p += l;
		s->left -= l;
		n -= l;
	}
}

/*
 * A packet over gathered mergeable RX buffers: the 12-byte header
 * @p tmpl with num_buffers set to @p nb into the first, then @p m's data
 * across dst[0] (after the header) .. dst[nb - 1], len[] bytes each
 * (header included in len[0]).
 */
static __rte_always_inline void
vhp_mrg_fill(const struct rte_mbuf *m, const uint8_t tmpl[12],
	     uint8_t *const *dst, const uint32_t *len, uint16_t nb)
{
	struct vhp_mbuf_src s;
	uint8_t h[12];
	uint16_t b;

	/* virtio_net_hdr_mrg_rxbuf: num_buffers (little endian) at 10 */
	memcpy(h, tmpl, sizeof(h));
	h[10] = (uint8_t)nb;
	h[11] = (uint8_t)(nb >> 8);
	vhp_hdr_put(dst[0], h, sizeof(h));
	vhp_mbuf_src_init(&s, m);
	vhp_mbuf_src_copy(&s, dst[0] + sizeof(h), len[0] - sizeof(h));
	for (b = 1; b < nb; b++)
		vhp_mbuf_src_copy(&s, dst[b], len[b]);
}

#endif /* VHP_COPY_H */
