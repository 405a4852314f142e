/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio_net_hdr offloads <-> mbuf ol_flags, with DPDK's rte_net helpers.
 * Everything here is the rare path of the datapath (see net_hdr.h); the
 * burst loops only test a flag before calling in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "net_hdr.h"
#include "vhp_internal.h"

/* Offsets in the L4 header: checksums (TCP 16, UDP 6), TCP flags (13). */
#define TCP_CSUM_OFF	offsetof(struct rte_tcp_hdr, cksum)
#define UDP_CSUM_OFF	offsetof(struct rte_udp_hdr, dgram_cksum)
#define TCP_FLAGS_OFF	offsetof(struct rte_tcp_hdr, tcp_flags)

void
vhp_vq_offload_init(struct vhp_virtqueue *vq)
{
	uint64_t f = vq->dev != NULL ? vq->dev->features : 0;
	uint16_t flags = vq->flags & (uint16_t)~(VHP_VQ_F_HOST_OL |
						 VHP_VQ_F_GUEST_CSUM);
	uint8_t ol = 0;

	if (vq->flags & VHP_VQ_F_TX) {
		/* Guest TX: what the guest may ask of us. */
		if (f & VHP_BIT(VIRTIO_NET_F_CSUM)) {
			ol |= VHP_OL_CSUM;
			if (f & VHP_BIT(VIRTIO_NET_F_HOST_TSO4))
				ol |= VHP_OL_TSO4;
			if (f & VHP_BIT(VIRTIO_NET_F_HOST_TSO6))
				ol |= VHP_OL_TSO6;
			if (f & VHP_BIT(VIRTIO_NET_F_HOST_ECN))
				ol |= VHP_OL_ECN;
			if (f & VHP_BIT(VIRTIO_NET_F_HOST_UFO))
				ol |= VHP_OL_UFO;
			flags |= VHP_VQ_F_HOST_OL;
		}
	} else if (f & VHP_BIT(VIRTIO_NET_F_GUEST_CSUM)) {
		/* Guest RX: what the guest takes from us. */
		ol |= VHP_OL_CSUM;
		if (f & VHP_BIT(VIRTIO_NET_F_GUEST_TSO4))
			ol |= VHP_OL_TSO4;
		if (f & VHP_BIT(VIRTIO_NET_F_GUEST_TSO6))
			ol |= VHP_OL_TSO6;
		if (f & VHP_BIT(VIRTIO_NET_F_GUEST_ECN))
			ol |= VHP_OL_ECN;
		if (f & VHP_BIT(VIRTIO_NET_F_GUEST_UFO))
			ol |= VHP_OL_UFO;
		flags |= VHP_VQ_F_GUEST_CSUM;
	}
	vq->ol_features = ol;
	/* The control plane reads flags for introspection: one store. */
	__atomic_store_n(&vq->flags, (uint16_t)(flags | VHP_VQ_F_OL_INIT),
			 __ATOMIC_RELAXED);
}

/* Write @p len bytes at offset @p off of a (possibly chained) mbuf. */
static void
mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), s, n);
		s += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

/* One's complement sum of [off, off + len) of an mbuf chain (raw). */
static uint32_t
mbuf_raw_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t s = 0;

	if (len == 0 || rte_raw_cksum_mbuf(m, off, len, &s) != 0)
		return 0;
	return s;
}

static uint16_t
csum_finish(uint32_t sum, bool udp)
{
	uint16_t c = (uint16_t)~__rte_raw_cksum_reduce(sum);

	/* UDP: 0 means "no checksum"; a computed 0 is sent as 0xffff. */
	return (c == 0 && udp) ? 0xffff : c;
}

int
vhp_net_hdr_dequeue(struct vhp_virtqueue *vq, const struct virtio_net_hdr *h,
		    struct rte_mbuf *m)
{
	const uint8_t flags = h->flags, gso = h->gso_type;
	const uint8_t gso_base = gso & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	const uint16_t cstart = h->csum_start, coff = h->csum_offset;
	const uint16_t gso_size = h->gso_size;
	struct rte_net_hdr_lens hl;
	uint32_t ptype, l4, l4_off, sum;
	bool v4, v6, tcp, udp;
	uint64_t ol;
	uint16_t c;
	const char *why;
	void *l3;

	if (unlikely(flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			       VIRTIO_NET_HDR_F_DATA_VALID))) {
		why = "unknown flags";
		goto bad;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		if ((gso & VIRTIO_NET_HDR_GSO_ECN) &&
		    !(vq->ol_features & VHP_OL_ECN)) {
			why = "GSO ECN bit without HOST_ECN";
			goto bad;
		}
		if (!((gso_base == VIRTIO_NET_HDR_GSO_TCPV4 &&
		       (vq->ol_features & VHP_OL_TSO4)) ||
		      (gso_base == VIRTIO_NET_HDR_GSO_TCPV6 &&
		       (vq->ol_features & VHP_OL_TSO6)))) {
			why = gso_base == VIRTIO_NET_HDR_GSO_TCPV4 ?
				"GSO TCPV4 without HOST_TSO4" :
			      gso_base == VIRTIO_NET_HDR_GSO_TCPV6 ?
				"GSO TCPV6 without HOST_TSO6" :
				"GSO type not supported";
			goto bad;
		}
		if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
			why = "GSO without NEEDS_CSUM";
			goto bad;
		}
		if (gso_size == 0) {
			why = "GSO with gso_size 0";
			goto bad;
		}
	}
	if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		/* DATA_VALID alone: the guest vouches for the checksum. */
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		return 0;
	}
	if ((uint32_t)cstart + coff + 2u > m->pkt_len) {
		why = "csum_start + csum_offset outside the packet";
		goto bad;
	}

	if (likely(vhp_net_csum_frame_parse(m, &hl, &v4, &tcp))) {
		v6 = !v4;
		udp = !tcp;
	} else {
		ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
					  RTE_PTYPE_L3_MASK |
					  RTE_PTYPE_L4_MASK);
		l4 = ptype & RTE_PTYPE_L4_MASK;
		v4 = RTE_ETH_IS_IPV4_HDR(ptype) != 0;
		v6 = RTE_ETH_IS_IPV6_HDR(ptype) != 0;
		tcp = l4 == RTE_PTYPE_L4_TCP;
		udp = l4 == RTE_PTYPE_L4_UDP;
	}
	l4_off = (uint32_t)hl.l2_len + hl.l3_len;
	if ((v4 || v6) && cstart == l4_off &&
	    ((tcp && coff == TCP_CSUM_OFF) || (udp && coff == UDP_CSUM_OFF)) &&
	    l4_off + hl.l4_len <= m->data_len) {
		ol = (v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6) |
			(tcp ? RTE_MBUF_F_TX_TCP_CKSUM :
			 RTE_MBUF_F_TX_UDP_CKSUM);
		if (gso != VIRTIO_NET_HDR_GSO_NONE) {
			if (!tcp || (gso_base == VIRTIO_NET_HDR_GSO_TCPV4) !=
			    v4) {
				why = "GSO type does not match the packet";
				goto bad;
			}
			ol |= RTE_MBUF_F_TX_TCP_SEG;
			m->tso_segsz = gso_size;
		}
		m->l2_len = hl.l2_len;
		m->l3_len = hl.l3_len;
		m->l4_len = hl.l4_len;
		m->ol_flags |= ol;
		if (gso == VIRTIO_NET_HDR_GSO_NONE) {
			/* The field is the sum's seed, for a NIC as for the
			 * spec's device: left as the guest wrote it (the
			 * pseudo-header sum, which DPDK wants there too). */
			return 0;
		}
		/* TSO: DPDK wants the pseudo-header sum without the length;
		 * Linux put one with it. */
		l3 = rte_pktmbuf_mtod_offset(m, void *, hl.l2_len);
		c = v4 ? rte_ipv4_phdr_cksum(l3, ol) :
			rte_ipv6_phdr_cksum(l3, ol);
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off + coff),
		       &c, sizeof(c));
		return 0;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		why = "GSO packet is not TCP over IPv4/IPv6 with csum_start at "
			"the TCP header";
		goto bad;
	}
	/* A checksum no TX offload describes: finish it here, as the spec's
	 * device would (sum from csum_start to the end, field included). */
	sum = mbuf_raw_sum(m, cstart, m->pkt_len - cstart);
	/* Sums are in memory byte order, as the field is stored. */
	c = csum_finish(sum, udp && cstart == l4_off && coff == UDP_CSUM_OFF);
	mbuf_write(m, (uint32_t)cstart + coff, &c, sizeof(c));
	return 0;

bad:
	vhp_vq_error(vq, VHP_ERR_OFFLOAD,
		     "%s (flags 0x%x gso_type 0x%x gso_size %u csum_start %u "
		     "csum_offset %u, %u-byte packet)", why, flags, gso,
		     gso_size, cstart, coff, m->pkt_len);
	return -1;
}

/* A packet the guest cannot take: counted as dropped, logged at most once
 * a second per ring (not a guest error). */
static int __rte_format_printf(2, 3)
enq_refuse(struct vhp_virtqueue *vq, const char *fmt, ...)
{
	uint64_t now = rte_get_tsc_cycles();
	char buf[160];
	va_list ap;

	VHP_STAT_ADD(vq, dropped, 1);
	if (vq->last_log_tsc != 0 &&
	    now - vq->last_log_tsc < rte_get_tsc_hz()) {
		vq->log_suppressed++;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rte_log(RTE_LOG_WARNING, vhp_logtype,
		"VHOSTPATH: port %s vring %u: packet dropped: %s (%u similar "
		"messages suppressed)\n",
		vq->dev != NULL && vq->dev->port != NULL ?
		vq->dev->port->name : "?", vq->index, buf, vq->log_suppressed);
	vq->log_suppressed = 0;
	vq->last_log_tsc = now;
	return -1;
}

/* vhp_net_hdr_enqueue() past its short path. */
static __rte_noinline int
net_hdr_enqueue_general(struct vhp_virtqueue *vq, const struct rte_mbuf *m,
			uint8_t *out, uint32_t *prefix)
{
	const uint64_t ol = m->ol_flags;
	const bool guest_csum = (vq->flags & VHP_VQ_F_GUEST_CSUM) != 0;
	struct virtio_net_hdr h = { .num_buffers = 1 };
	uint64_t l4req = ol & RTE_MBUF_F_TX_L4_MASK;
	bool tso = (ol & RTE_MBUF_F_TX_TCP_SEG) != 0;
	uint32_t l2 = m->l2_len, l3 = m->l3_len, l4_off, field, plen = 0;
	uint8_t *pkt = out + vq->hdr_len;
	bool v4, v6, tcp;
	uint32_t sum;
	uint16_t c;
	const void *p;

	if (unlikely(ol & RTE_MBUF_F_TX_UDP_SEG))
		return enq_refuse(vq, "UDP segmentation offload is not "
				  "supported");
	if (tso)
		l4req = RTE_MBUF_F_TX_TCP_CKSUM;
	if (l4req == RTE_MBUF_F_TX_SCTP_CKSUM)
		return enq_refuse(vq, "SCTP checksum offload is not "
				  "supported");
	if (l4req != 0 || (ol & RTE_MBUF_F_TX_IP_CKSUM)) {
		v4 = (ol & RTE_MBUF_F_TX_IPV4) != 0;
		v6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;
		if (l2 == 0 || l3 == 0 || v4 == v6) {
			/* The application left the lengths out: parse. */
			struct rte_net_hdr_lens hl;
			uint32_t pt = rte_net_get_ptype(m, &hl,
				RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK);

			l2 = hl.l2_len;
			l3 = hl.l3_len;
			v4 = RTE_ETH_IS_IPV4_HDR(pt) != 0;
			v6 = RTE_ETH_IS_IPV6_HDR(pt) != 0;
		}
		if (!v4 && !v6)
			return enq_refuse(vq, "checksum offload requested on a "
					  "packet that is not IPv4/IPv6");
		l4_off = l2 + l3;
		tcp = l4req == RTE_MBUF_F_TX_TCP_CKSUM;
		field = l4_off + (tcp ? TCP_CSUM_OFF : UDP_CSUM_OFF);
		plen = l4req != 0 ? field + 2 : l4_off;
		if (plen > VHP_NET_HDR_PREFIX_MAX || plen > m->pkt_len)
			return enq_refuse(vq, "offload headers (%u bytes) "
					  "longer than %u or than the %u-byte "
					  "packet", plen,
					  VHP_NET_HDR_PREFIX_MAX, m->pkt_len);
		p = rte_pktmbuf_read(m, 0, plen, pkt);
		if (p != pkt)
			memcpy(pkt, p, plen);
		if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && v4) {
			struct rte_ipv4_hdr *ip = (void *)(pkt + l2);

			if (rte_ipv4_hdr_len(ip) > l3)
				return enq_refuse(vq, "IPv4 header longer than "
						  "l3_len %u", l3);
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		if (l4req != 0) {
			void *ip = pkt + l2;
			uint32_t phdr = v4 ? rte_ipv4_phdr_cksum(ip, 0) :
				rte_ipv6_phdr_cksum(ip, 0);

			if (tso && m->pkt_len <= l4_off +
			    ((uint32_t)(pkt[l4_off + 12] >> 4) << 2) +
			    m->tso_segsz) {
				/* One segment's worth: a checksum offload. */
				tso = false;
			}
			if (tso) {
				uint8_t need = v4 ? VHP_OL_TSO4 : VHP_OL_TSO6;
				bool cwr = pkt[l4_off + TCP_FLAGS_OFF] &
					RTE_TCP_CWR_FLAG;

				if (!(vq->ol_features & need) ||
				    (cwr && !(vq->ol_features & VHP_OL_ECN)))
					return enq_refuse(vq, "TSO packet (%u "
						"bytes) for a guest without "
						"GUEST_TSO%c%s", m->pkt_len,
						v4 ? '4' : '6',
						cwr ? "/GUEST_ECN" : "");
				if (m->tso_segsz == 0)
					return enq_refuse(vq, "TSO packet "
							  "with tso_segsz 0");
				h.gso_type = (uint8_t)((v4 ?
					VIRTIO_NET_HDR_GSO_TCPV4 :
					VIRTIO_NET_HDR_GSO_TCPV6) |
					(cwr ? VIRTIO_NET_HDR_GSO_ECN : 0));
				h.gso_size = m->tso_segsz;
				h.hdr_len = (uint16_t)(l4_off +
					((pkt[l4_off + 12] >> 4) << 2));
			}
			if (guest_csum) {
				/* The guest finishes it: pseudo-header sum
				 * (with the length, as Linux has it). */
				h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
				h.csum_start = (uint16_t)l4_off;
				h.csum_offset = (uint16_t)(field - l4_off);
				c = (uint16_t)phdr;
			} else {
				/* Finish it in software. */
				pkt[field] = 0;
				pkt[field + 1] = 0;
				sum = phdr + rte_raw_cksum(pkt + l4_off,
							   plen - l4_off) +
					mbuf_raw_sum(m, plen,
						     m->pkt_len - plen);
				c = csum_finish(sum, !tcp);
			}
			memcpy(pkt + field, &c, sizeof(c));
		}
	} else if (guest_csum && (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		   RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	memcpy(out, &h, vq->hdr_len);
	*prefix = plen;
	return 0;
}

int
vhp_net_hdr_enqueue(struct vhp_virtqueue *vq, const struct rte_mbuf *m,
		    uint8_t *out, uint32_t *prefix)
{
	const uint64_t req = m->ol_flags & (VHP_NET_HDR_OL_TX |
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
	const uint32_t l2 = m->l2_len, l3 = m->l3_len;
	const void *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2);
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.num_buffers = 1,
	};
	uint16_t want, have;

	switch (req) {
	case RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM:
	case RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM:
		h.csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	case RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM:
	case RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM:
		h.csum_offset = offsetof(struct rte_tcp_hdr, cksum);
		break;
	default:
		return net_hdr_enqueue_general(vq, m, out, prefix);
	}
	if (unlikely(!(vq->flags & VHP_VQ_F_GUEST_CSUM) || l2 == 0 ||
		     l3 < ((req & RTE_MBUF_F_TX_IPV4) ?
			   sizeof(struct rte_ipv4_hdr) :
			   sizeof(struct rte_ipv6_hdr)) ||
		     l2 + l3 + h.csum_offset + 2u > m->data_len))
		return net_hdr_enqueue_general(vq, m, out, prefix);
	want = (req & RTE_MBUF_F_TX_IPV4) ? rte_ipv4_phdr_cksum(ip, 0) :
		rte_ipv6_phdr_cksum(ip, 0);
	memcpy(&have, (const uint8_t *)ip + l3 + h.csum_offset, sizeof(have));
	if (unlikely(have != want))
		return net_hdr_enqueue_general(vq, m, out, prefix);
	h.csum_start = (uint16_t)(l2 + l3);
	memcpy(out, &h, sizeof(h));
	*prefix = 0;
	return 0;
}

int
vhp_mbuf_offload_sw(struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;
	uint64_t l4req = ol & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l2 = m->l2_len, l3 = m->l3_len, l4_off, field = 0;
	bool v4 = (ol & RTE_MBUF_F_TX_IPV4) != 0;
	bool v6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;
	uint8_t *pkt;
	uint16_t c;

	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		return -ENOTSUP;
	if (l4req == 0 && !(ol & RTE_MBUF_F_TX_IP_CKSUM))
		return 0;
	if (l4req == RTE_MBUF_F_TX_SCTP_CKSUM)
		return -ENOTSUP;
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
		return -EPERM;
	if (l2 == 0 || l3 == 0 || v4 == v6) {
		struct rte_net_hdr_lens hl;
		uint32_t pt = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
						RTE_PTYPE_L3_MASK);

		l2 = hl.l2_len;
		l3 = hl.l3_len;
		v4 = RTE_ETH_IS_IPV4_HDR(pt) != 0;
		v6 = RTE_ETH_IS_IPV6_HDR(pt) != 0;
	}
	l4_off = l2 + l3;
	if (l4req != 0)
		field = l4_off + (l4req == RTE_MBUF_F_TX_TCP_CKSUM ?
				  TCP_CSUM_OFF : UDP_CSUM_OFF);
	if ((!v4 && !v6) || l4_off + (l4req != 0 ? field - l4_off + 2 : 0) >
	    m->data_len || field + 2u > m->pkt_len)
		return -ENOTSUP;
	pkt = rte_pktmbuf_mtod(m, uint8_t *);
	if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && v4) {
		struct rte_ipv4_hdr *ip = (void *)(pkt + l2);

		if (rte_ipv4_hdr_len(ip) > l3)
			return -ENOTSUP;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (l4req != 0) {
		void *ip = pkt + l2;
		uint32_t sum = v4 ? rte_ipv4_phdr_cksum(ip, 0) :
			rte_ipv6_phdr_cksum(ip, 0);

		pkt[field] = 0;
		pkt[field + 1] = 0;
		sum += mbuf_raw_sum(m, l4_off, m->pkt_len - l4_off);
		c = csum_finish(sum, l4req == RTE_MBUF_F_TX_UDP_CKSUM);
		memcpy(pkt + field, &c, sizeof(c));
	}
	m->ol_flags &= ~(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM);
	return 0;
}
