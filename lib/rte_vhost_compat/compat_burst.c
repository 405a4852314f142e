/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_vhost's bursts and per-vring statistics on vhostpath.
 *
 * Threads: rte_vhost applications (an OVS PMD thread, a testpmd lcore)
 * never register with vhostpath's quiescent-state tracking, and may stop
 * calling bursts at any time. So each burst registers its thread on first
 * use and is online only while it runs: the control thread never waits for
 * a thread that went away. Cost: one fence per burst.
 *
 * Mbufs: rte_vhost_enqueue_burst() copies and leaves every mbuf to the
 * caller (the port is created with VHP_PORT_KEEP_MBUFS);
 * rte_vhost_dequeue_burst() returns new mbufs from the caller's pool.
 *
 * Registration flags honoured here:
 *  - NET_STATS_ENABLE: packets, bytes, multicast/broadcast and RFC 2819
 *    size bins per vring, counted over each burst's mbufs as DPDK does.
 *  - LINEARBUF_SUPPORT (without EXTBUF): packets are single mbufs; a
 *    packet larger than one mbuf of the pool is dropped (and logged).
 *  - EXTBUF_SUPPORT: such a packet is copied into one external buffer.
 *  - NET_COMPLIANT_OL_FLAGS: guest offload requests are reported as RX
 *    flags (L4_CKSUM_NONE, LRO + tso_segsz) instead of TX requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_per_lcore.h>
#include <rte_vhost.h>

#include "compat.h"

/* 0: not yet registered, 1: registered, 2: registration failed. */
static RTE_DEFINE_PER_LCORE(uint8_t, thread_state);

/* Online for one burst; false when this thread cannot be tracked. */
static __rte_always_inline bool
burst_enter(void)
{
	uint8_t st = RTE_PER_LCORE(thread_state);

	if (unlikely(st != 1)) {
		if (st == 2)
			return false;
		if (vhp_thread_register() != 0) {
			RTE_PER_LCORE(thread_state) = 2;
			COMPAT_LOG(ERR, "a burst thread could not be registered "
				   "with vhostpath (too many threads): its "
				   "bursts move no packets");
			return false;
		}
		RTE_PER_LCORE(thread_state) = 1;
		return true;		/* registered online */
	}
	vhp_thread_online();
	return true;
}

static __rte_always_inline void
burst_leave(void)
{
	vhp_thread_offline();
}

void
compat_stats_count(struct compat_vq_stats *st, struct rte_mbuf **pkts,
		   uint16_t n)
{
	uint64_t bytes = vhp_pkt_stats_count(&st->pkt, pkts, n);

	st->packets += n;
	st->bytes += bytes;
}

uint16_t
rte_vhost_enqueue_burst(int vid, uint16_t queue_id, struct rte_mbuf **pkts,
			uint16_t count)
{
	struct compat_sock *s;
	struct vhp_port *port;
	uint16_t n;

	if (unlikely(vid < 0 || vid >= COMPAT_MAX_SOCKETS))
		return 0;
	s = &compat_socks[vid];
	if (unlikely((queue_id & 1) || queue_id >= VHP_MAX_VRINGS)) {
		COMPAT_LOG(ERR, "%s: invalid virtqueue idx %u (enqueue takes "
			   "an even, guest RX, vring)", s->path, queue_id);
		return 0;
	}
	if (unlikely(!burst_enter()))
		return 0;
	port = compat_port_of(s);
	n = port != NULL ? vhp_enqueue_burst(port, queue_id >> 1, pkts,
					      count) : 0;
	burst_leave();
	if (s->stats_on && n != 0)
		compat_stats_count(&s->stats[queue_id], pkts, n);
	return n;
}

/* Free callback of an external buffer made by copy_to_extbuf(). */
static void
extbuf_free(void *addr, void *opaque)
{
	(void)opaque;
	rte_free(addr);
}

/*
 * Replace the chain @p m by one mbuf whose data sits in an external buffer
 * (EXTBUF_SUPPORT). Returns the new mbuf or NULL (the chain is kept).
 */
static struct rte_mbuf *
copy_to_extbuf(struct rte_mbuf *m, struct rte_mempool *mp)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *src;
	uint16_t buf_len;
	struct rte_mbuf *n;
	uint32_t total;
	void *buf, *dst;

	total = RTE_PKTMBUF_HEADROOM + len + sizeof(*shinfo) + 8;
	if (total > UINT16_MAX)
		return NULL;
	n = rte_pktmbuf_alloc(mp);
	if (n == NULL)
		return NULL;
	buf = rte_malloc(NULL, total, RTE_CACHE_LINE_SIZE);
	if (buf == NULL) {
		rte_pktmbuf_free(n);
		return NULL;
	}
	buf_len = (uint16_t)total;
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(buf, &buf_len, extbuf_free,
						    NULL);
	if (shinfo == NULL) {
		rte_free(buf);
		rte_pktmbuf_free(n);
		return NULL;
	}
	rte_pktmbuf_attach_extbuf(n, buf, rte_malloc_virt2iova(buf), buf_len,
				  shinfo);
	rte_pktmbuf_reset_headroom(n);
	dst = rte_pktmbuf_mtod(n, void *);
	src = rte_pktmbuf_read(m, 0, len, dst);	/* copies a chain */
	if (src != dst)
		rte_memcpy(dst, src, len);
	n->data_len = (uint16_t)len;
	n->pkt_len = len;
	n->ol_flags |= m->ol_flags;
	n->packet_type = m->packet_type;
	n->tx_offload = m->tx_offload;
	n->vlan_tci = m->vlan_tci;
	rte_pktmbuf_free(m);
	return n;
}

/*
 * Legacy (TX request) offload flags of a dequeued mbuf as rte_vhost's
 * compliant mode reports them: a partial checksum is "not checked"
 * (L4_CKSUM_NONE), a large segment is LRO with its segment size.
 */
static void
to_compliant_flags(struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags;
	const uint64_t tx = RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG |
		RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_IPV4 |
		RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM;

	if (!(f & tx))
		return;
	if (f & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		f |= RTE_MBUF_F_RX_LRO;
	if (f & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG |
		 RTE_MBUF_F_TX_UDP_SEG)) {
		f &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
		f |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	}
	m->ol_flags = f & ~tx;
}

/* Apply the registration's rules to dequeued packets; returns how many
 * remain (compacted). */
static uint16_t
dequeue_fixup(struct compat_sock *s, uint16_t queue_id,
	      struct rte_mempool *mp, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(m->nb_segs > 1) && (s->linear || s->extbuf)) {
			struct rte_mbuf *x = s->extbuf ?
				copy_to_extbuf(m, mp) : NULL;

			if (x == NULL) {
				s->stats[queue_id].dropped++;
				COMPAT_LOG(DEBUG, "%s: packet of %u bytes does "
					   "not fit one mbuf (LINEARBUF): "
					   "dropped", s->path,
					   rte_pktmbuf_pkt_len(m));
				rte_pktmbuf_free(m);
				continue;
			}
			m = x;
		}
		if (s->compliant_ol)
			to_compliant_flags(m);
		pkts[k++] = m;
	}
	return k;
}

uint16_t
rte_vhost_dequeue_burst(int vid, uint16_t queue_id,
			struct rte_mempool *mbuf_pool, struct rte_mbuf **pkts,
			uint16_t count)
{
	struct compat_sock *s;
	struct vhp_port *port;
	uint16_t n, i;
	bool fix;

	if (unlikely(vid < 0 || vid >= COMPAT_MAX_SOCKETS))
		return 0;
	s = &compat_socks[vid];
	if (unlikely(!(queue_id & 1) || queue_id >= VHP_MAX_VRINGS)) {
		COMPAT_LOG(ERR, "%s: invalid virtqueue idx %u (dequeue takes "
			   "an odd, guest TX, vring)", s->path, queue_id);
		return 0;
	}
	if (unlikely(!burst_enter()))
		return 0;
	port = compat_port_of(s);
	n = port != NULL ? vhp_dequeue_burst(port, queue_id >> 1, mbuf_pool,
					      pkts, count) : 0;
	burst_leave();
	if (n == 0)
		return 0;
	fix = s->compliant_ol;
	if (s->linear || s->extbuf)
		for (i = 0; i < n && !fix; i++)
			fix = pkts[i]->nb_segs > 1;
	if (unlikely(fix))
		n = dequeue_fixup(s, queue_id, mbuf_pool, pkts, n);
	if (s->stats_on && n != 0)
		compat_stats_count(&s->stats[queue_id], pkts, n);
	return n;
}

/* ---- per-vring statistics (names and order as DPDK 22.11) ---- */

/* Before and after the packet classes of vhp_pkt_stats.h. */
static const char *const stat_names_head[] = { "good_packets", "good_bytes" };
static const char *const stat_names_tail[] = {
	"guest_notifications", "iotlb_hits", "iotlb_misses",
	"inflight_submitted", "inflight_completed",
};
#define NB_HEAD RTE_DIM(stat_names_head)
#define NB_STATS (NB_HEAD + VHP_PKT_NB_STATS + RTE_DIM(stat_names_tail))

static const char *
stat_name(unsigned int i)
{
	if (i < NB_HEAD)
		return stat_names_head[i];
	if (i < NB_HEAD + VHP_PKT_NB_STATS)
		return vhp_pkt_stat_name(i - NB_HEAD);
	return stat_names_tail[i - NB_HEAD - VHP_PKT_NB_STATS];
}

/* The socket of a stats call, or NULL: stats off, bad vid or queue. */
static struct compat_sock *
stats_sock(int vid, uint16_t queue_id, const char *fn)
{
	struct compat_sock *s = compat_sock_of(vid, fn);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_port_info pi;

	if (port == NULL || !s->stats_on)
		return NULL;
	if (vhp_port_info_get(port, &pi) != 0 || queue_id >= pi.nr_vrings ||
	    queue_id >= VHP_MAX_VRINGS)
		return NULL;
	return s;
}

int
rte_vhost_vring_stats_get_names(int vid, uint16_t queue_id,
				struct rte_vhost_stat_name *name,
				unsigned int size)
{
	unsigned int i;

	if (stats_sock(vid, queue_id, __func__) == NULL)
		return -1;
	if (name == NULL || size < NB_STATS)
		return NB_STATS;
	/* Named from the host's side: odd vrings are received ("rx"). */
	for (i = 0; i < NB_STATS; i++)
		snprintf(name[i].name, sizeof(name[i].name), "%s_q%u_%s",
			 (queue_id & 1) ? "rx" : "tx", queue_id / 2,
			 stat_name(i));
	return NB_STATS;
}

int
rte_vhost_vring_stats_get(int vid, uint16_t queue_id,
			  struct rte_vhost_stat *stats, unsigned int n)
{
	struct compat_sock *s = stats_sock(vid, queue_id, __func__);
	struct compat_vq_stats cur, base;
	struct vhp_vring_stats vs;
	uint64_t v[NB_STATS];
	unsigned int i;

	if (s == NULL)
		return -1;
	if (stats == NULL || n < NB_STATS)
		return NB_STATS;
	cur = s->stats[queue_id];
	base = s->base[queue_id];
	memset(&vs, 0, sizeof(vs));
	vhp_vring_stats_get(compat_port_of(s), queue_id, &vs);
	memset(v, 0, sizeof(v));
	v[0] = cur.packets - base.packets;
	v[1] = cur.bytes - base.bytes;
	for (i = 0; i < VHP_PKT_NB_STATS; i++)
		v[NB_HEAD + i] = cur.pkt.v[i] - base.pkt.v[i];
	v[NB_HEAD + VHP_PKT_NB_STATS] = vs.notifications - s->notif_base[queue_id];
	/* 13-16: no IOTLB, no inflight tracking: 0. */
	for (i = 0; i < NB_STATS; i++) {
		stats[i].id = i;
		stats[i].value = v[i];
	}
	return NB_STATS;
}

int
rte_vhost_vring_stats_reset(int vid, uint16_t queue_id)
{
	struct compat_sock *s = stats_sock(vid, queue_id, __func__);
	struct vhp_vring_stats vs;

	if (s == NULL)
		return -1;
	/* A snapshot, not a write to counters the datapath increments. */
	s->base[queue_id] = s->stats[queue_id];
	if (vhp_vring_stats_get(compat_port_of(s), queue_id, &vs) == 0)
		s->notif_base[queue_id] = vs.notifications;
	return 0;
}
