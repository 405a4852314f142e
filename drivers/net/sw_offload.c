/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software TX offloads shared by the port drivers (sw_offload.h): TCP
 * segmentation and checksums a destination cannot do. Everything here but
 * the inline test of sw_offload.h is the rare path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>

#include <vhp.h>

#include "json.h"
#include "sw_offload.h"

/* What to do with a packet that carries a flag of check_mask. */
enum swol_action {
	SWOL_NONE,	/* the destination does it all */
	SWOL_INPLACE,	/* finish its checksums in place */
	SWOL_REPLACE,	/* segment it, copy it, or drop it */
};

/* A TSO packet the destination cannot segment, and more than one segment
 * long: 0 when it cannot be segmented (bad request) or is one segment. */
static uint32_t
swol_tso_nseg(const struct rte_mbuf *m, bool *bad)
{
	const uint32_t hdr = (uint32_t)m->l2_len + m->l3_len + m->l4_len;
	const uint32_t mss = m->tso_segsz;

	*bad = false;
	if (!(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ||
	    m->l2_len == 0 || m->l3_len == 0 || m->l4_len == 0 || mss == 0 ||
	    hdr + mss > UINT16_MAX) {
		*bad = true;
		return 0;
	}
	if (m->pkt_len <= hdr + mss)
		return 0;
	return (m->pkt_len - hdr + mss - 1) / mss;
}

/* May the packet's first segment (flags, headers) be written? */
static inline bool
swol_private(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
}

/* Capabilities a packet's checksum requests need. */
static uint32_t
swol_csum_need(uint64_t ol)
{
	uint32_t need = 0;

	if (ol & RTE_MBUF_F_TX_IP_CKSUM)
		need |= VHP_SWOL_CAPA_IPV4_CKSUM;
	switch (ol & RTE_MBUF_F_TX_L4_MASK) {
	case RTE_MBUF_F_TX_TCP_CKSUM:
		need |= VHP_SWOL_CAPA_TCP_CKSUM;
		break;
	case RTE_MBUF_F_TX_UDP_CKSUM:
		need |= VHP_SWOL_CAPA_UDP_CKSUM;
		break;
	case 0:
		break;
	default:	/* SCTP: nobody here does it */
		need |= UINT32_C(1) << 31;
		break;
	}
	return need;
}

static enum swol_action
swol_classify(const struct vhp_swol *so, const struct rte_mbuf *m,
	      uint32_t capa)
{
	const uint64_t ol = m->ol_flags;
	const bool vhost = (so->flags & VHP_SWOL_F_VHOST) != 0;
	uint32_t need;
	bool bad;

	if (ol & RTE_MBUF_F_TX_UDP_SEG)
		return vhost ? SWOL_NONE : SWOL_REPLACE;	/* dropped */
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		need = (ol & RTE_MBUF_F_TX_IPV6) ? VHP_SWOL_CAPA_TSO6 :
			VHP_SWOL_CAPA_TSO4;
		if (capa & need)
			return SWOL_NONE;
		if (swol_tso_nseg(m, &bad) != 0)
			return SWOL_REPLACE;
		/* One segment's worth, or a request we cannot follow: the
		 * vhost library takes or refuses it itself. */
		if (vhost)
			return SWOL_NONE;
		if (bad)
			return SWOL_REPLACE;	/* dropped */
		/* A checksum request then. */
		return swol_private(m) ? SWOL_INPLACE : SWOL_REPLACE;
	}
	need = swol_csum_need(ol);
	if ((need & ~capa) == 0 || vhost)
		return SWOL_NONE;
	return swol_private(m) ? SWOL_INPLACE : SWOL_REPLACE;
}

/*
 * Checksums of private packet @p m, whose requests (IP_CKSUM, TCP/UDP
 * checksum; a one-segment TSO packet becomes a TCP checksum request) the
 * destination cannot all do: computed in software, flags cleared. When
 * it can do them all (a one-segment TSO packet for a device with checksum
 * offload but no TSO), only the pseudo-header sum is rewritten, with the
 * length. @return 0, or a negative errno (@p m unchanged).
 */
static int
swol_csum(struct vhp_swol *so, struct rte_mbuf *m, uint32_t capa)
{
	const uint64_t ol = m->ol_flags;
	uint64_t nol = ol;
	int ret;

	if (ol & RTE_MBUF_F_TX_TCP_SEG)
		nol = (ol & ~(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK)) |
			RTE_MBUF_F_TX_TCP_CKSUM;
	if ((swol_csum_need(nol) & ~capa) == 0) {
		/* The device does them: DPDK's convention for checksum
		 * requests (pseudo-header sum with the length). */
		if ((uint32_t)m->l2_len + m->l3_len + m->l4_len > m->data_len ||
		    m->l2_len == 0 || m->l3_len == 0)
			return -ENOTSUP;
		m->ol_flags = nol;
		ret = rte_net_intel_cksum_flags_prepare(m, nol);
		if (ret != 0) {
			m->ol_flags = ol;
			return ret;
		}
		return 0;
	}
	m->ol_flags = nol;
	ret = vhp_mbuf_offload_sw(m);
	if (ret != 0) {
		m->ol_flags = ol;
		return ret;
	}
	so->stats.csum++;
	return 0;
}

/*
 * Append @p len bytes of @p src from offset @p off to chain @p dst,
 * taking further mbufs from @p mp. @return 0 or -ENOMEM.
 */
static int
swol_mbuf_append(struct rte_mbuf *dst, struct rte_mempool *mp,
		 const struct rte_mbuf *src, uint32_t off, uint32_t len)
{
	struct rte_mbuf *tail = rte_pktmbuf_lastseg(dst);

	while (src != NULL && off >= src->data_len) {
		off -= src->data_len;
		src = src->next;
	}
	while (len > 0 && src != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)src->data_len - off);

		if (rte_pktmbuf_tailroom(tail) == 0) {
			struct rte_mbuf *t = rte_pktmbuf_alloc(mp);

			if (t == NULL)
				return -ENOMEM;
			tail->next = t;
			tail = t;
			dst->nb_segs++;
		}
		n = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(tail));
		memcpy(rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len),
		       rte_pktmbuf_mtod_offset(src, const uint8_t *, off), n);
		tail->data_len = (uint16_t)(tail->data_len + n);
		dst->pkt_len += n;
		len -= n;
		off += n;
		if (off == src->data_len) {
			src = src->next;
			off = 0;
		}
	}
	return len == 0 ? 0 : -EINVAL;
}

/*
 * TCP over IPv6 segmentation (DPDK 22.11's rte_gso has no IPv6 TCP): each
 * segment a copy of the headers (payload length, sequence number and
 * flags fixed up) and of its part of the payload.
 * @return segments in @p segs, or a negative errno (nothing allocated):
 *   -EINVAL a request we cannot follow, -ENOMEM no mbuf.
 */
static int
swol_tcp6_segment(struct rte_mbuf *m, struct rte_mempool *mp,
		  struct rte_mbuf **segs, uint16_t max)
{
	const uint32_t l4_off = (uint32_t)m->l2_len + m->l3_len;
	const uint32_t hdr = l4_off + m->l4_len;
	const uint32_t mss = m->tso_segsz;
	const uint32_t payload = m->pkt_len - hdr;
	uint32_t n = (payload + mss - 1) / mss, i, off, seq, len;
	uint8_t hbuf[256], flags;
	const uint8_t *h;
	rte_be16_t plen;
	rte_be32_t sseq;
	uint8_t *d;

	if (n > max || hdr > sizeof(hbuf) || m->l4_len < 20 ||
	    m->l3_len < 40)
		return -EINVAL;
	h = rte_pktmbuf_read(m, 0, hdr, hbuf);
	if (h == NULL)
		return -EINVAL;
	memcpy(&seq, h + l4_off + 4, sizeof(seq));	/* unaligned */
	seq = rte_be_to_cpu_32(seq);
	flags = h[l4_off + 13];
	for (i = 0, off = 0; i < n; i++, off += len) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp);

		len = RTE_MIN(mss, payload - off);
		if (s == NULL)
			goto fail;
		segs[i] = s;
		d = (uint8_t *)rte_pktmbuf_append(s, (uint16_t)hdr);
		if (d == NULL ||
		    swol_mbuf_append(s, mp, m, hdr + off, len) != 0) {
			i++;
			goto fail;
		}
		memcpy(d, h, hdr);
		/* IPv6 payload length, TCP sequence number and flags
		 * (headers at any alignment) */
		plen = rte_cpu_to_be_16((uint16_t)(m->l3_len - 40 +
						   m->l4_len + len));
		memcpy(d + m->l2_len + 4, &plen, sizeof(plen));
		sseq = rte_cpu_to_be_32(seq + off);
		memcpy(d + l4_off + 4, &sseq, sizeof(sseq));
		d[l4_off + 13] = flags;
		if (i + 1 < n)
			d[l4_off + 13] &= (uint8_t)~(RTE_TCP_FIN_FLAG |
						     RTE_TCP_PSH_FLAG);
		if (i > 0)
			d[l4_off + 13] &= (uint8_t)~RTE_TCP_CWR_FLAG;
		s->ol_flags = RTE_MBUF_F_TX_IPV6;
	}
	return (int)n;
fail:
	while (i-- > 0)
		rte_pktmbuf_free(segs[i]);
	return -ENOMEM;
}

static void
swol_drop(struct vhp_swol *so, struct rte_mbuf *m, uint64_t *reason)
{
	(*reason)++;
	so->stats.dropped++;
	rte_pktmbuf_free(m);
}

/*
 * Segment TSO packet @p m (more than one segment long, checked) into
 * @p segs: TCP/IPv4 with rte_gso, TCP/IPv6 by copying. Each segment asks
 * for its checksums; they are finished here unless the destination does
 * them. @p m is consumed. @return segments, 0: dropped (counted).
 */
static uint16_t
swol_segment(struct vhp_swol *so, struct rte_mbuf *m, uint32_t capa,
	     struct rte_mbuf **segs, uint16_t max)
{
	struct rte_gso_ctx ctx = {
		.direct_pool = so->pool,
		.indirect_pool = so->pool,
		.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
		.flag = 0,
	};
	const uint64_t ol = m->ol_flags;
	const bool v4 = (ol & RTE_MBUF_F_TX_IPV4) != 0;
	const uint8_t l2 = (uint8_t)m->l2_len, l4 = (uint8_t)m->l4_len;
	const uint16_t l3 = (uint16_t)m->l3_len;
	const uint32_t hdr = (uint32_t)l2 + l3 + l4;
	const uint64_t sol = (v4 ? RTE_MBUF_F_TX_IPV4 |
			      RTE_MBUF_F_TX_IP_CKSUM : RTE_MBUF_F_TX_IPV6) |
		RTE_MBUF_F_TX_TCP_CKSUM;
	bool sw, ip_sw, bad;
	int ns, i;

	if (swol_tso_nseg(m, &bad) > max) {
		swol_drop(so, m, &so->stats.dropped_bad);
		return 0;
	}
	if (v4) {
		ctx.gso_size = (uint16_t)(hdr + m->tso_segsz);
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		ns = rte_gso_segment(m, &ctx, segs, max);
		/* The packet may be shared (flooded to other ports): give it
		 * its flags back. */
		m->ol_flags = ol;
		if (ns == 0)	/* e.g. an IP fragment */
			ns = -EINVAL;
		else if (ns < 0)
			ns = -ENOMEM;
	} else {
		ns = swol_tcp6_segment(m, so->pool, segs, max);
	}
	if (ns < 0) {
		swol_drop(so, m, ns == -ENOMEM ? &so->stats.dropped_nomem :
			  &so->stats.dropped_bad);
		return 0;
	}
	/* The segments hold references to its data (IPv4) or copies. */
	rte_pktmbuf_free(m);
	/* The TCP checksum in software unless the destination does it; the
	 * IPv4 header checksum alone when only that one is missing. */
	sw = !(so->flags & VHP_SWOL_F_VHOST) &&
		!(capa & VHP_SWOL_CAPA_TCP_CKSUM);
	ip_sw = !(so->flags & VHP_SWOL_F_VHOST) && !sw && v4 &&
		!(capa & VHP_SWOL_CAPA_IPV4_CKSUM);
	for (i = 0; i < ns; i++) {
		struct rte_mbuf *s = segs[i];

		s->ol_flags = sol;
		s->l2_len = l2;
		s->l3_len = l3;
		s->l4_len = l4;
		if (so->flags & VHP_SWOL_F_VHOST)
			continue;	/* the library finishes them */
		if (sw) {
			if (vhp_mbuf_offload_sw(s) != 0)
				break;
			continue;
		}
		if (ip_sw) {
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(s,
				struct rte_ipv4_hdr *, l2);

			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			s->ol_flags &= ~RTE_MBUF_F_TX_IP_CKSUM;
		}
		/* The device's: the pseudo-header sum, with the length. */
		if (rte_net_intel_cksum_flags_prepare(s, s->ol_flags) != 0)
			break;
	}
	if (i < ns) {
		/* (headers are in each segment's first mbuf: not seen) */
		rte_pktmbuf_free_bulk(segs, (unsigned int)ns);
		so->stats.dropped_bad++;
		so->stats.dropped++;
		return 0;
	}
	so->stats.packets++;
	so->stats.segments += (uint64_t)ns;
	if (sw || ip_sw)
		so->stats.csum += (uint64_t)ns;
	return (uint16_t)ns;
}

/*
 * Finish packet @p m, classified SWOL_REPLACE, into @p out (room for
 * @p max). @p m is consumed. @return packets in @p out, 0: dropped.
 */
static uint16_t
swol_replace(struct vhp_swol *so, struct rte_mbuf *m, uint32_t capa,
	     struct rte_mbuf **out, uint16_t max)
{
	struct rte_mbuf *c;
	bool bad;

	if (m->ol_flags & RTE_MBUF_F_TX_UDP_SEG) {
		swol_drop(so, m, &so->stats.dropped_bad);
		return 0;
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) &&
	    !(capa & ((m->ol_flags & RTE_MBUF_F_TX_IPV6) ?
		      VHP_SWOL_CAPA_TSO6 : VHP_SWOL_CAPA_TSO4))) {
		if (swol_tso_nseg(m, &bad) != 0)
			return swol_segment(so, m, capa, out, max);
		if (bad) {
			swol_drop(so, m, &so->stats.dropped_bad);
			return 0;
		}
	}
	/* Checksums of a shared or indirect packet: on a private copy. */
	c = rte_pktmbuf_copy(m, so->pool, 0, UINT32_MAX);
	if (c == NULL) {
		swol_drop(so, m, &so->stats.dropped_nomem);
		return 0;
	}
	rte_pktmbuf_free(m);
	so->stats.copied++;
	if (swol_csum(so, c, capa) != 0) {
		swol_drop(so, c, &so->stats.dropped_bad);
		return 0;
	}
	out[0] = c;
	return 1;
}

/* Packets swol_replace() may put in out for @p m. */
static uint16_t
swol_replace_room(const struct rte_mbuf *m)
{
	uint32_t n;
	bool bad;

	if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		return 1;
	n = swol_tso_nseg(m, &bad);
	return (uint16_t)RTE_MIN(RTE_MAX(n, 1u), (uint32_t)VHP_SWOL_MAX_SEGS);
}

static inline uint32_t
swol_capa(const struct vhp_swol *so)
{
	return so->capa_get != NULL ? so->capa_get(so->capa_arg) : so->capa;
}

void
vhp_swol_init(struct vhp_swol *so, struct rte_mempool *pool, uint32_t capa,
	      uint32_t flags, vhp_swol_capa_fn capa_get, void *capa_arg)
{
	uint64_t mask = 0;

	so->pool = pool;
	so->capa = capa & VHP_SWOL_CAPA_ALL;
	so->flags = flags;
	so->capa_get = capa_get;
	so->capa_arg = capa_arg;
	if (!(capa & VHP_SWOL_CAPA_IPV4_CKSUM))
		mask |= RTE_MBUF_F_TX_IP_CKSUM;
	if ((capa & (VHP_SWOL_CAPA_TCP_CKSUM | VHP_SWOL_CAPA_UDP_CKSUM)) !=
	    (VHP_SWOL_CAPA_TCP_CKSUM | VHP_SWOL_CAPA_UDP_CKSUM))
		mask |= RTE_MBUF_F_TX_L4_MASK;
	if (capa_get != NULL || (capa & (VHP_SWOL_CAPA_TSO4 |
		VHP_SWOL_CAPA_TSO6)) != (VHP_SWOL_CAPA_TSO4 |
					 VHP_SWOL_CAPA_TSO6))
		mask |= RTE_MBUF_F_TX_TCP_SEG;
	if (!(flags & VHP_SWOL_F_VHOST))
		mask |= RTE_MBUF_F_TX_UDP_SEG;
	so->check_mask = mask;
}

uint32_t
vhp_swol_capa_from_ethdev(uint64_t tx_offloads)
{
	uint32_t capa = 0;

	if (tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		capa |= VHP_SWOL_CAPA_IPV4_CKSUM;
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
		capa |= VHP_SWOL_CAPA_TCP_CKSUM;
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
		capa |= VHP_SWOL_CAPA_UDP_CKSUM;
	if (tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		capa |= VHP_SWOL_CAPA_TSO4 | VHP_SWOL_CAPA_TSO6;
	return capa;
}

uint16_t
vhp_swol_burst(struct vhp_swol *so, struct rte_mbuf **pkts, uint16_t n,
	       struct rte_mbuf **out, uint16_t out_size, uint16_t *nb_in)
{
	const uint64_t mask = so->check_mask;
	uint32_t capa = 0;
	bool checked = false;
	uint16_t i, j = 0;

	for (i = 0; i < n && out_size > 0; i++) {
		struct rte_mbuf *m = pkts[i];
		enum swol_action act = SWOL_NONE;

		if (unlikely(m->ol_flags & mask)) {
			if (!checked) {
				capa = swol_capa(so);
				checked = true;
			}
			act = swol_classify(so, m, capa);
		}
		if (act == SWOL_REPLACE) {
			/* (a first packet goes anyway: dropped if too big) */
			if (j > 0 && (uint32_t)j + swol_replace_room(m) >
			    out_size)
				break;
			j = (uint16_t)(j + swol_replace(so, m, capa, &out[j],
					(uint16_t)(out_size - j)));
			continue;
		}
		if (j >= out_size)
			break;
		if (act == SWOL_INPLACE && swol_csum(so, m, capa) != 0) {
			swol_drop(so, m, &so->stats.dropped_bad);
			continue;
		}
		out[j++] = m;
	}
	*nb_in = i;
	return j;
}

uint16_t
vhp_swol_tx_burst_slow(struct vhp_swol *so, struct vhp_app_port *port,
		       uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		       vhp_swol_tx_fn tx, uint16_t first)
{
	struct rte_mbuf *segs[VHP_SWOL_MAX_SEGS];
	const uint64_t mask = so->check_mask;
	const uint32_t capa = swol_capa(so);
	uint16_t i, start = 0, sent, taken = 0, ns;

	for (i = first; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum swol_action act;

		if (likely(!(m->ol_flags & mask)))
			continue;
		act = swol_classify(so, m, capa);
		if (act == SWOL_NONE)
			continue;
		if (act == SWOL_INPLACE && swol_csum(so, m, capa) == 0)
			continue;	/* finished: it stays in the run */
		/* Packets before it go as they are. */
		if (i > start) {
			sent = tx(port, queue, &pkts[start],
				  (uint16_t)(i - start));
			taken = (uint16_t)(taken + sent);
			if (sent < i - start)
				return taken;
		}
		if (act == SWOL_INPLACE) {
			swol_drop(so, m, &so->stats.dropped_bad);
		} else {
			ns = swol_replace(so, m, capa, segs, RTE_DIM(segs));
			sent = ns > 0 ? tx(port, queue, segs, ns) : 0;
			if (sent < ns) {
				so->stats.dropped_full += (uint64_t)(ns - sent);
				so->stats.dropped += (uint64_t)(ns - sent);
				rte_pktmbuf_free_bulk(&segs[sent],
					(unsigned int)(ns - sent));
			}
		}
		taken++;
		start = (uint16_t)(i + 1);
	}
	if (n > start)
		taken = (uint16_t)(taken + tx(port, queue, &pkts[start],
					      (uint16_t)(n - start)));
	return taken;
}

void
vhp_swol_stats_add(const struct vhp_swol *so, struct vhp_swol_stats *sum)
{
	const struct vhp_swol_stats *s = &so->stats;

	sum->packets += __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
	sum->segments += __atomic_load_n(&s->segments, __ATOMIC_RELAXED);
	sum->csum += __atomic_load_n(&s->csum, __ATOMIC_RELAXED);
	sum->copied += __atomic_load_n(&s->copied, __ATOMIC_RELAXED);
	sum->dropped += __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
	sum->dropped_nomem += __atomic_load_n(&s->dropped_nomem,
					      __ATOMIC_RELAXED);
	sum->dropped_bad += __atomic_load_n(&s->dropped_bad,
					    __ATOMIC_RELAXED);
	sum->dropped_full += __atomic_load_n(&s->dropped_full,
					     __ATOMIC_RELAXED);
}

void
vhp_swol_stats_reset(struct vhp_swol *so)
{
	memset(&so->stats, 0, sizeof(so->stats));
}

void
vhp_swol_json(struct vhp_json *w, const char *key, const struct vhp_swol *so,
	      uint16_t nb)
{
	struct vhp_swol_stats s;
	uint16_t i;

	vhp_json_arr_begin(w, key);
	for (i = 0; i < nb; i++) {
		memset(&s, 0, sizeof(s));
		vhp_swol_stats_add(&so[i], &s);
		vhp_json_obj_begin(w, NULL);
		vhp_json_u64(w, "queue", i);
		vhp_json_u64(w, "packets", s.packets);
		vhp_json_u64(w, "segments", s.segments);
		vhp_json_u64(w, "csum", s.csum);
		vhp_json_u64(w, "copied", s.copied);
		vhp_json_u64(w, "dropped", s.dropped);
		vhp_json_u64(w, "dropped_nomem", s.dropped_nomem);
		vhp_json_u64(w, "dropped_bad", s.dropped_bad);
		vhp_json_u64(w, "dropped_full", s.dropped_full);
		vhp_json_obj_end(w);
	}
	vhp_json_arr_end(w);
}

const char *
vhp_swol_capa_str(uint32_t capa, char *buf, size_t size)
{
	static const char *const names[] = {
		"ipv4_cksum", "tcp_cksum", "udp_cksum", "tso4", "tso6",
	};
	size_t len = 0;
	unsigned int b;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (b = 0; b < RTE_DIM(names); b++) {
		if (!(capa & (UINT32_C(1) << b)))
			continue;
		len += (size_t)snprintf(buf + RTE_MIN(len, size - 1),
					size - RTE_MIN(len, size - 1), "%s%s",
					len > 0 ? " " : "", names[b]);
	}
	if (len == 0)
		snprintf(buf, size, "none");
	return buf;
}
