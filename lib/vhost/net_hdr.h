/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * virtio_net_hdr offloads <-> mbuf ol_flags (net_hdr.c).
 *
 * Guest TX (dequeue): a header with NEEDS_CSUM and/or a GSO type becomes
 * mbuf TX offload requests (RTE_MBUF_F_TX_IPV4/IPV6, TX_TCP_CKSUM/
 * TX_UDP_CKSUM, TX_TCP_SEG with tso_segsz, l2/l3/l4_len) after checking it
 * against the packet. A checksum request leaves the L4 checksum field as
 * the guest wrote it (the spec's device sums from csum_start with the
 * field included, as a NIC does with the field as its seed; drivers put
 * the pseudo-header sum there, which is DPDK's convention too); for TSO
 * the field is set to the pseudo-header sum without the length, as DPDK
 * wants it. A checksum request that is no TCP/UDP offload (csum_start
 * elsewhere) is finished in software. DATA_VALID becomes
 * RTE_MBUF_F_RX_L4_CKSUM_GOOD.
 *
 * Guest RX (enqueue): TX offload requests become NEEDS_CSUM/GSO headers
 * when the guest negotiated them, else the checksums are finished in
 * software; RX_L4_CKSUM_GOOD becomes DATA_VALID. The packet is never
 * written: patched header bytes go out through a prefix copy.
 *
 * Both are only called for packets that carry offload work: dequeue when
 * the ring negotiated NET_F_CSUM and the header's flags or gso_type is not
 * zero, enqueue when an mbuf carries one of VHP_NET_HDR_OL_TX (or RX_L4
 * flags with GUEST_CSUM). The usual checksum request takes a short path in
 * each direction (vhp_net_hdr_dequeue_ol(), the start of
 * vhp_net_hdr_enqueue()): a forwarded guest checksum request costs a header
 * check and the mbuf lengths, not a parse and a patched prefix.
 */
#ifndef VHP_NET_HDR_H
#define VHP_NET_HDR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "copy.h"
#include "virtio_defs.h"
#include "virtqueue.h"

/** mbuf flags that need a header or software work on enqueue. */
#define VHP_NET_HDR_OL_TX (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | \
			   RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_IP_CKSUM)

/** Largest packet prefix (L2+L3+L4 up to the checksum field) patched. */
#define VHP_NET_HDR_PREFIX_MAX	256u

/** Header blob: virtio_net_hdr (12) + patched packet prefix. */
#define VHP_NET_HDR_BLOB_MAX	(12u + VHP_NET_HDR_PREFIX_MAX)

/**
 * mbuf ol_flags that send an enqueued packet to the offload path of
 * @p vq: TX offload requests always; RX_L4 checksum status only when the
 * guest takes DATA_VALID (GUEST_CSUM).
 */
static __rte_always_inline uint64_t
vhp_net_hdr_ol_mask(const struct vhp_virtqueue *vq)
{
	return VHP_NET_HDR_OL_TX | ((vq->flags & VHP_VQ_F_GUEST_CSUM) ?
				    RTE_MBUF_F_RX_L4_CKSUM_MASK : 0);
}

/**
 * Derive the offload bits of @p vq (VHP_VQ_F_OL_INIT, VHP_VQ_F_HOST_OL,
 * VHP_VQ_F_GUEST_CSUM, vq->ol_features) from the device's negotiated
 * features. Called by the datapath on the first burst after the control
 * plane rewrote vq->flags. Without a device: no offloads.
 */
void vhp_vq_offload_init(struct vhp_virtqueue *vq) __rte_cold;

/**
 * Guest TX: apply header @p h (a copy; flags or gso_type not zero) to
 * packet @p m just built from the guest's buffer (private, headers in its
 * first segment when they fit). Invalid requests are counted
 * (VHP_ERR_OFFLOAD) and logged.
 * @return 0 packet good (offload flags set or checksum finished),
 *   -1 drop it.
 */
int vhp_net_hdr_dequeue(struct vhp_virtqueue *vq,
			const struct virtio_net_hdr *h, struct rte_mbuf *m);

/**
 * The frames virtio drivers send with a checksum request nearly always
 * are: untagged Ethernet, IPv4 without options or fragmentation or IPv6
 * without extension headers, then TCP or UDP, all in the first segment.
 * Parse those directly (what rte_net_get_ptype() would find, for a tenth
 * of its instructions): @p hl gets l2/l3/l4_len, @p v4 IPv4 (else IPv6),
 * @p tcp TCP (else UDP). @return false for anything else (the caller then
 * asks rte_net_get_ptype()).
 */
static __rte_always_inline bool
vhp_net_csum_frame_parse(const struct rte_mbuf *m,
			 struct rte_net_hdr_lens *hl, bool *v4, bool *tcp)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t dl = m->data_len;
	uint32_t l3, off;
	uint8_t proto;

	if (dl < 14 + 20 + 8)
		return false;
	if (p[12] == 0x08 && p[13] == 0x00 && p[14] == 0x45 &&
	    (p[20] & 0x3f) == 0 && p[21] == 0) {
		/* IPv4, IHL 5, neither MF nor a fragment offset */
		proto = p[23];
		l3 = 20;
		*v4 = true;
	} else if (p[12] == 0x86 && p[13] == 0xdd && dl >= 14 + 40 + 8) {
		proto = p[20];
		l3 = 40;
		*v4 = false;
	} else {
		return false;
	}
	off = 14 + l3;
	if (proto == IPPROTO_TCP) {
		if (dl < off + 20)
			return false;
		hl->l4_len = (uint8_t)((p[off + 12] & 0xf0) >> 2);
		*tcp = true;
	} else if (proto == IPPROTO_UDP) {
		hl->l4_len = sizeof(struct rte_udp_hdr);
		*tcp = false;
	} else {
		return false;
	}
	hl->l2_len = 14;
	hl->l3_len = (uint16_t)l3;
	return true;
}

/**
 * vhp_net_hdr_dequeue() with the usual request inline: what Linux and
 * DPDK's virtio driver send for a UDP/TCP checksum offload, NEEDS_CSUM
 * without GSO on an untagged IPv4 (20-byte header, not a fragment) or IPv6
 * (no extension header) frame whose headers are in the first segment,
 * csum_start at the L4 header and csum_offset at its checksum field. It
 * becomes TX_IPV4/TX_IPV6 + TX_UDP_CKSUM/TX_TCP_CKSUM and the three header
 * lengths; the packet is not touched. Anything else (and anything this
 * parse does not recognise) goes to vhp_net_hdr_dequeue().
 * @return as vhp_net_hdr_dequeue().
 */
static __rte_always_inline int
vhp_net_hdr_dequeue_ol(struct vhp_virtqueue *vq,
		       const struct virtio_net_hdr *h, struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t l4_off, coff;
	bool v4, tcp;

	if (unlikely(h->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM ||
		     h->gso_type != VIRTIO_NET_HDR_GSO_NONE ||
		     !vhp_net_csum_frame_parse(m, &hl, &v4, &tcp)))
		return vhp_net_hdr_dequeue(vq, h, m);
	l4_off = (uint32_t)hl.l2_len + hl.l3_len;
	coff = tcp ? offsetof(struct rte_tcp_hdr, cksum) :
		offsetof(struct rte_udp_hdr, dgram_cksum);
	if (unlikely(h->csum_start != l4_off || h->csum_offset != coff ||
		     hl.l4_len < coff + 2u ||
		     m->data_len < l4_off + hl.l4_len))
		return vhp_net_hdr_dequeue(vq, h, m);
	m->tx_offload = rte_mbuf_tx_offload(hl.l2_len, hl.l3_len, hl.l4_len,
					    0, 0, 0, 0);
	m->ol_flags |= (v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6) |
		(tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	return 0;
}

/**
 * Guest RX: build, for @p m (which carries a flag of
 * vhp_net_hdr_ol_mask()), the bytes to write in front of the packet data:
 * the vq->hdr_len-byte virtio_net_hdr (num_buffers 1) followed by the first
 * @p *prefix bytes of the packet with its checksum fields patched. The
 * caller then copies the packet from offset @p *prefix.
 * @param out
 *   At least VHP_NET_HDR_BLOB_MAX bytes.
 * The usual request takes a short path: a UDP or TCP checksum (neither
 * TSO nor an IPv4 header checksum) for a guest that finishes checksums
 * (GUEST_CSUM), l2/l3_len set, the headers up to the field in the first
 * segment and the field holding the pseudo-header sum with the length
 * (DPDK's convention for the application, and what a guest's own request
 * carries through vhp_net_hdr_dequeue_ol()): a NEEDS_CSUM header and no
 * patched prefix (*prefix 0).
 * @return 0, or -1 when the packet cannot be given to this guest (counted
 *   in stats.dropped and logged; the caller drops it).
 */
int vhp_net_hdr_enqueue(struct vhp_virtqueue *vq, const struct rte_mbuf *m,
			uint8_t *out, uint32_t *prefix);

/**
 * Burst paths of RX: header and data of offload-flagged packet @p m (@p ol:
 * its ol_flags under vhp_net_hdr_ol_mask()) into the guest buffer @p dst.
 * Without a TX offload request: the template @p hdr, DATA_VALID set for a
 * good L4 checksum (GUEST_CSUM). With one: the header and the @p skip bytes
 * of patched packet prefix that vhp_net_hdr_enqueue() built in @p blob. The
 * header goes through vhp_hdr_put(): a guest that reposts its buffers
 * usually finds the same header there (its own TX header of the same
 * checksum request, or ours of the last lap), and the line stays shared.
 */
static __rte_always_inline void
vhp_net_hdr_put_ol(uint8_t *dst, const struct rte_mbuf *m, uint64_t ol,
		   const uint8_t *hdr, const uint8_t *blob, uint32_t skip,
		   uint32_t hdr_len)
{
	if (likely(!(ol & VHP_NET_HDR_OL_TX))) {
		if ((ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		    RTE_MBUF_F_RX_L4_CKSUM_GOOD)
			vhp_hdr_put_flags(dst, hdr, hdr_len,
					  VIRTIO_NET_HDR_F_DATA_VALID);
		else
			vhp_hdr_put(dst, hdr, hdr_len);
		vhp_copy(dst + hdr_len, rte_pktmbuf_mtod(m, const void *),
			 m->pkt_len);
		return;
	}
	vhp_hdr_put(dst, blob, hdr_len);
	memcpy(dst + hdr_len, blob + hdr_len, skip);
	vhp_copy(dst + hdr_len + skip,
		 rte_pktmbuf_mtod_offset(m, const uint8_t *, skip),
		 m->pkt_len - skip);
}

#endif /* VHP_NET_HDR_H */
