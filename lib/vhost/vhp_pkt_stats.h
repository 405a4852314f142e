/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet classes counted over a burst as DPDK 22.11's vhost library does
 * (RTE_VHOST_USER_NET_STATS_ENABLE): multicast and broadcast destinations
 * and the RFC 2819 size bins. Shared by the rte_vhost compatibility
 * library and vhp-testpmd's vhost port driver, so both report the same
 * counts under DPDK's names.
 *
 * Cost: one pass over the burst reading each mbuf's pkt_len and the first
 * byte of its destination MAC (both already in cache after the copy),
 * counted into a local array, then one add per counter per burst.
 */
#ifndef VHP_PKT_STATS_H
#define VHP_PKT_STATS_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size bins: <64, 64, 65-127, 128-255, 256-511, 512-1023, 1024-1518,
 * >= 1519 bytes. */
#define VHP_PKT_SIZE_BINS	8

/** Index of the counters in struct vhp_pkt_stats's v[]. */
enum vhp_pkt_stat {
	VHP_PKT_MULTICAST = 0,	/**< group destination, not broadcast */
	VHP_PKT_BROADCAST,	/**< ff:ff:ff:ff:ff:ff destination */
	VHP_PKT_SIZE0,		/**< first size bin (undersize) */
	VHP_PKT_NB_STATS = VHP_PKT_SIZE0 + VHP_PKT_SIZE_BINS, /**< count */
};

/** Per-class packet counters of one queue direction. */
struct vhp_pkt_stats {
	uint64_t v[VHP_PKT_NB_STATS];	/**< indexed by enum vhp_pkt_stat */
};

/**
 * DPDK's name of counter @p i without the "rx_qN_"/"tx_qN_" prefix
 * ("multicast_packets", ..., "size_1519_max_packets"), or NULL.
 */
static inline const char *
vhp_pkt_stat_name(unsigned int i)
{
	static const char *const names[VHP_PKT_NB_STATS] = {
		"multicast_packets", "broadcast_packets",
		"undersize_packets", "size_64_packets",
		"size_65_127_packets", "size_128_255_packets",
		"size_256_511_packets", "size_512_1023_packets",
		"size_1024_1518_packets", "size_1519_max_packets",
	};

	return i < VHP_PKT_NB_STATS ? names[i] : NULL;
}

/**
 * Size bin of a frame of @p len bytes (0 .. VHP_PKT_SIZE_BINS - 1). Two
 * predictable branches for the common sizes (64, 1024-1518 and jumbo).
 */
static inline unsigned int
vhp_pkt_size_bin(uint32_t len)
{
	if (len <= 64)
		return len == 64;
	if (len >= 1024)
		return 6u + (len >= 1519);
	/* 65-127 -> 2, 128-255 -> 3, ... 512-1023 -> 5 */
	return 27u - (unsigned int)__builtin_clz(len);
}

/**
 * Count the classes of @p n packets into @p cnt (plain local counters,
 * added to) and return their bytes.
 */
static inline uint64_t
vhp_pkt_stats_classify(uint32_t cnt[VHP_PKT_NB_STATS],
		       struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		const struct rte_ether_addr *ea =
			rte_pktmbuf_mtod(m, const struct rte_ether_addr *);
		uint32_t len = rte_pktmbuf_pkt_len(m);

		bytes += len;
		cnt[VHP_PKT_SIZE0 + vhp_pkt_size_bin(len)]++;
		if (unlikely(rte_is_multicast_ether_addr(ea)))
			cnt[rte_is_broadcast_ether_addr(ea) ?
			    VHP_PKT_BROADCAST : VHP_PKT_MULTICAST]++;
	}
	return bytes;
}

/**
 * Add local counts @p cnt (from vhp_pkt_stats_classify()) to @p st,
 * written by one thread only; other threads read it with relaxed loads.
 */
static inline void
vhp_pkt_stats_add(struct vhp_pkt_stats *st,
		  const uint32_t cnt[VHP_PKT_NB_STATS])
{
	unsigned int i;

	for (i = 0; i < VHP_PKT_NB_STATS; i++)
		if (cnt[i] != 0)
			__atomic_store_n(&st->v[i], st->v[i] + cnt[i],
					 __ATOMIC_RELAXED);
}

/** Count @p n packets into @p st (one writer). @return their bytes. */
static inline uint64_t
vhp_pkt_stats_count(struct vhp_pkt_stats *st, struct rte_mbuf *const *pkts,
		    uint16_t n)
{
	uint32_t cnt[VHP_PKT_NB_STATS] = { 0 };
	uint64_t bytes;

	bytes = vhp_pkt_stats_classify(cnt, pkts, n);
	vhp_pkt_stats_add(st, cnt);
	return bytes;
}

#ifdef __cplusplus
}
#endif

#endif /* VHP_PKT_STATS_H */
