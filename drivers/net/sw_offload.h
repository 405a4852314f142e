/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Software TX offloads shared by the port drivers: finish, before a packet
 * leaves through a port, the TX offload requests of its mbuf that the
 * destination cannot do itself. TCP segmentation (TSO: IPv4 with DPDK's
 * rte_gso, IPv6 by copying, which rte_gso cannot do in 22.11), IPv4 header
 * and TCP/UDP checksums (vhp_mbuf_offload_sw()), offload flags cleared.
 *
 * A context (struct vhp_swol) belongs to one TX queue of one port and is
 * used by one lcore at a time. It holds what the destination can do
 * (VHP_SWOL_CAPA_*), the mempools segments and copies come from, and
 * counters. The fast path costs one ol_flags test per packet when no
 * packet asks for anything the destination lacks; otherwise nothing is
 * allocated per packet but segments, and copies of shared (refcnt > 1) or
 * indirect mbufs whose data must be written.
 *
 * Two ways to use it:
 * - vhp_swol_burst(): a burst in, a burst of finished packets out (for a
 *   destination that takes every packet, e.g. a pcap file);
 * - vhp_swol_tx_burst(): wraps a driver's raw transmit function and keeps
 *   its contract (returns the packets taken, the caller owns the others).
 *   Segments the destination does not take are dropped and counted; the
 *   TSO packet they came from counts as taken.
 */
#ifndef VHP_SW_OFFLOAD_H
#define VHP_SW_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_gso.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vhp_app_port;
struct vhp_json;

/** The destination computes IPv4 header checksums (RTE_MBUF_F_TX_IP_CKSUM). */
#define VHP_SWOL_CAPA_IPV4_CKSUM	(UINT32_C(1) << 0)
/** The destination computes TCP checksums (RTE_MBUF_F_TX_TCP_CKSUM). */
#define VHP_SWOL_CAPA_TCP_CKSUM		(UINT32_C(1) << 1)
/** The destination computes UDP checksums (RTE_MBUF_F_TX_UDP_CKSUM). */
#define VHP_SWOL_CAPA_UDP_CKSUM		(UINT32_C(1) << 2)
/** The destination segments TCP/IPv4 (RTE_MBUF_F_TX_TCP_SEG). */
#define VHP_SWOL_CAPA_TSO4		(UINT32_C(1) << 3)
/** The destination segments TCP/IPv6 (RTE_MBUF_F_TX_TCP_SEG). */
#define VHP_SWOL_CAPA_TSO6		(UINT32_C(1) << 4)
/** The three checksums. */
#define VHP_SWOL_CAPA_CKSUM	(VHP_SWOL_CAPA_IPV4_CKSUM | \
				 VHP_SWOL_CAPA_TCP_CKSUM | \
				 VHP_SWOL_CAPA_UDP_CKSUM)
/** Everything: nothing is ever done in software. */
#define VHP_SWOL_CAPA_ALL	(VHP_SWOL_CAPA_CKSUM | VHP_SWOL_CAPA_TSO4 | \
				 VHP_SWOL_CAPA_TSO6)

/**
 * Context flag: the destination is a vhost port. Its library finishes
 * checksum requests from the packet headers alone (the L4 field need not
 * hold the pseudo-header sum) and takes TSO packets that need no
 * segmenting, or that cannot be segmented (it refuses them itself, with a
 * message). Segments keep their checksum requests.
 */
#define VHP_SWOL_F_VHOST	(UINT32_C(1) << 0)

/** Most segments one TSO packet may become (64 KB with a 536-byte MSS). */
#define VHP_SWOL_MAX_SEGS	128

/** Counters of one context (written by its lcore, read by any thread). */
struct vhp_swol_stats {
	uint64_t packets;	/**< TSO packets segmented in software */
	uint64_t segments;	/**< segments they became */
	/** packets (or segments) with a checksum computed in software */
	uint64_t csum;
	uint64_t copied;	/**< shared/indirect packets copied first */
	uint64_t dropped;	/**< packets or segments lost (sum of below) */
	uint64_t dropped_nomem;	/**< no mbuf for a segment or a copy */
	/** Requests that cannot be followed: not TCP/UDP over IPv4/IPv6,
	 * headers not in the first segment, UDP segmentation, SCTP, more
	 * than VHP_SWOL_MAX_SEGS segments. */
	uint64_t dropped_bad;
	uint64_t dropped_full;	/**< segments the destination did not take */
};

/**
 * Reads the destination's capabilities (VHP_SWOL_CAPA_*) when they may
 * change (a vhost guest's features); called at most once per burst, only
 * when a packet asks for an offload.
 */
typedef uint32_t (*vhp_swol_capa_fn)(void *arg);

/** Software offload context of one TX queue. */
struct vhp_swol {
	/** ol_flags that make a packet worth a closer look (the fast path
	 * test); derived from capa. */
	uint64_t check_mask;
	uint32_t capa;			/**< VHP_SWOL_CAPA_* it does */
	uint32_t flags;			/**< VHP_SWOL_F_* */
	vhp_swol_capa_fn capa_get;	/**< NULL: capa is fixed */
	void *capa_arg;			/**< argument of capa_get */
	struct rte_mempool *pool;	/**< segments and copies */
	struct vhp_swol_stats stats;	/**< counters */
} __rte_cache_aligned;

/**
 * Raw transmit function of a driver (the port driver's tx_burst
 * signature): returns how many of @p pkts it took.
 */
typedef uint16_t (*vhp_swol_tx_fn)(struct vhp_app_port *port, uint16_t queue,
				   struct rte_mbuf **pkts, uint16_t n);

/**
 * Set up a context at port start. The counters are left as they are, so
 * that they survive a restart (a zeroed context starts at zero).
 *
 * @param so
 *   The context.
 * @param pool
 *   Mempool of segments and copies (the port's mbuf pool); rte_gso's
 *   indirect mbufs come from it too.
 * @param capa
 *   VHP_SWOL_CAPA_* the destination can do; the rest is done here.
 * @param flags
 *   VHP_SWOL_F_*.
 * @param capa_get
 *   NULL, or a function giving capa when it may change (see
 *   vhp_swol_capa_fn); @p capa must then hold every bit it may return
 *   except TSO4/TSO6.
 * @param capa_arg
 *   Argument of @p capa_get.
 */
void vhp_swol_init(struct vhp_swol *so, struct rte_mempool *pool,
		   uint32_t capa, uint32_t flags, vhp_swol_capa_fn capa_get,
		   void *capa_arg);

/**
 * VHP_SWOL_CAPA_* matching an ethdev's RTE_ETH_TX_OFFLOAD_* bits
 * (IPV4_CKSUM, TCP_CKSUM, UDP_CKSUM, TCP_TSO: both TSO4 and TSO6).
 */
uint32_t vhp_swol_capa_from_ethdev(uint64_t tx_offloads);

/**
 * Finish a burst: every packet of @p pkts asking for an offload the
 * destination cannot do is finished (segmented, checksums computed, flags
 * cleared). Packets needing nothing, or finished in place, go to @p out
 * unchanged (same mbuf); TSO packets are replaced by their segments,
 * shared or indirect ones by a private copy; packets that cannot be
 * finished are freed and counted (stats.dropped_*). Order is kept.
 *
 * @param so
 *   The context.
 * @param pkts
 *   Input packets.
 * @param n
 *   Number of @p pkts.
 * @param out
 *   Output packets (may not be @p pkts).
 * @param out_size
 *   Room in @p out; processing stops before a packet whose result might
 *   not fit (at least VHP_SWOL_MAX_SEGS lets every packet through).
 * @param nb_in
 *   Set to the number of @p pkts consumed (all of them are now in @p out,
 *   or freed); the caller still owns the others.
 * @return number of packets in @p out.
 */
uint16_t vhp_swol_burst(struct vhp_swol *so, struct rte_mbuf **pkts,
			uint16_t n, struct rte_mbuf **out, uint16_t out_size,
			uint16_t *nb_in);

/**
 * Transmit a burst through @p tx, finishing in software what the
 * destination cannot do. Same contract as a port driver's tx_burst: the
 * return value is the number of @p pkts taken (sent, or dropped and
 * counted), the caller still owns the others. Packets finished in place
 * stay where they are (if the destination does not take them the caller
 * still owns them, finished); a TSO packet is taken once its segments
 * were given to @p tx, those not taken being dropped (stats.dropped_full).
 * Called by vhp_swol_tx_burst() from the first packet needing a look.
 *
 * @param so
 *   Context of the TX queue.
 * @param port
 *   Port given to @p tx.
 * @param queue
 *   TX queue given to @p tx.
 * @param pkts
 *   Packets.
 * @param n
 *   Number of @p pkts.
 * @param tx
 *   The driver's raw transmit function.
 * @param first
 *   Index of the first packet with a flag of so->check_mask (those before
 *   it need nothing).
 * @return number of @p pkts taken.
 */
uint16_t vhp_swol_tx_burst_slow(struct vhp_swol *so, struct vhp_app_port *port,
				uint16_t queue, struct rte_mbuf **pkts,
				uint16_t n, vhp_swol_tx_fn tx, uint16_t first);

/**
 * Transmit a burst through @p tx, finishing in software what the
 * destination cannot do (see vhp_swol_tx_burst_slow() for the contract).
 * Inline fast path: one ol_flags test per packet, then @p tx on the whole
 * burst when none needs a look.
 *
 * @param so
 *   Context of the TX queue.
 * @param port
 *   Port given to @p tx.
 * @param queue
 *   TX queue given to @p tx.
 * @param pkts
 *   Packets.
 * @param n
 *   Number of @p pkts.
 * @param tx
 *   The driver's raw transmit function.
 * @return number of @p pkts taken.
 */
static inline uint16_t
vhp_swol_tx_burst(struct vhp_swol *so, struct vhp_app_port *port,
		  uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		  vhp_swol_tx_fn tx)
{
	const uint64_t mask = so->check_mask;
	uint16_t i;

	for (i = 0; i < n; i++)
		if (unlikely(pkts[i]->ol_flags & mask))
			return vhp_swol_tx_burst_slow(so, port, queue, pkts,
						      n, tx, i);
	return tx(port, queue, pkts, n);
}

/**
 * Add the counters of @p so to @p sum.
 */
void vhp_swol_stats_add(const struct vhp_swol *so, struct vhp_swol_stats *sum);

/** Zero the counters of @p so (its lcore must not be transmitting). */
void vhp_swol_stats_reset(struct vhp_swol *so);

/**
 * Write the counters of @p nb contexts as a JSON array @p key of objects
 * (queue, packets, segments, csum, copied, dropped, dropped_nomem,
 * dropped_bad, dropped_full), one per TX queue.
 */
void vhp_swol_json(struct vhp_json *w, const char *key,
		   const struct vhp_swol *so, uint16_t nb);

/**
 * Write VHP_SWOL_CAPA_* bits as names ("ipv4_cksum tcp_cksum ...", "none")
 * into @p buf of @p size bytes.
 * @return @p buf.
 */
const char *vhp_swol_capa_str(uint32_t capa, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VHP_SW_OFFLOAD_H */
