/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal state of the rte_vhost compatibility library: DPDK 22.11's
 * rte_vhost API (what Open vSwitch and DPDK's net_vhost PMD call) on the
 * public vhostpath API (vhp.h).
 *
 * A registered socket path is one slot of a fixed table; its index is the
 * "vid" the application sees. The vid stays the same across the
 * connections of one path (rte_vhost allocates a new one per connection;
 * applications only compare it with what new_device gave them and look
 * paths up with rte_vhost_get_ifname()).
 */
#ifndef VHP_RTE_VHOST_COMPAT_H
#define VHP_RTE_VHOST_COMPAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_vhost.h>

#include "vhp.h"
#include "vhp_pkt_stats.h"

/** Sockets at most (DPDK's MAX_VHOST_SOCKET). */
#define COMPAT_MAX_SOCKETS	1024

/**
 * Per-vring packet statistics (RTE_VHOST_USER_NET_STATS_ENABLE), written
 * only by the thread that runs the vring's bursts.
 */
struct compat_vq_stats {
	uint64_t packets;
	uint64_t bytes;
	/** multicast, broadcast, size bins (shared with vhp-testpmd) */
	struct vhp_pkt_stats pkt;
	uint64_t dropped;	/**< not linearisable (LINEARBUF) */
} __rte_cache_aligned;

/** One registered socket path. */
struct compat_sock {
	/** The vhostpath port once started (read by bursts: atomic). */
	struct vhp_port *port;
	uint64_t flags;			/**< RTE_VHOST_USER_* */
	bool stats_on;			/**< NET_STATS_ENABLE */
	bool compliant_ol;		/**< NET_COMPLIANT_OL_FLAGS */
	bool linear;			/**< LINEARBUF without EXTBUF */
	bool extbuf;			/**< EXTBUF */
	bool used;			/**< slot taken */
	bool started;			/**< rte_vhost_driver_start() done */
	uint64_t features_off;		/**< disable_features() so far */
	const struct rte_vhost_device_ops *ops;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct compat_vq_stats stats[VHP_MAX_VRINGS];
	/** rte_vhost_vring_stats_reset(): counters at the last reset. */
	struct compat_vq_stats base[VHP_MAX_VRINGS];
	uint64_t notif_base[VHP_MAX_VRINGS];
};

/** The socket table (compat_sock.c). */
extern struct compat_sock compat_socks[COMPAT_MAX_SOCKETS];

extern int compat_logtype;

/** Log with the library's own type ("lib.vhostpath.compat"). */
#define COMPAT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, compat_logtype, \
		"VHOST_COMPAT: " fmt "\n", ##__VA_ARGS__)

/**
 * The socket of @p vid, or NULL (logged) when @p vid is not a registered
 * path. @p fn names the API function for the log.
 */
struct compat_sock *compat_sock_of(int vid, const char *fn);

/** The running vhostpath port of @p vid, NULL when none. */
static inline struct vhp_port *
compat_port_of(const struct compat_sock *s)
{
	return __atomic_load_n(&s->port, __ATOMIC_ACQUIRE);
}

/** Count @p n packets of a burst in @p st (NET_STATS_ENABLE). */
void compat_stats_count(struct compat_vq_stats *st, struct rte_mbuf **pkts,
			uint16_t n);

#endif /* VHP_RTE_VHOST_COMPAT_H */
