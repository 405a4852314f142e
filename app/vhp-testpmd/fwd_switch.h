/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The switch forwarding engine: a MAC-learning L2 switch across all ports
 * (the NFV virtual switch: several VMs' vhost ports and an uplink).
 *
 * Every received frame teaches its source MAC -> ingress port (unless the
 * source is a group address). A unicast destination found in the table
 * goes to its port only; if that port is the ingress port the frame is
 * dropped ("filtered"). Unknown unicast, broadcast and multicast
 * destinations are flooded to every other port whose link is up: the
 * frame's reference count (every segment) is raised so that each port's
 * tx_burst frees its own reference; drivers must not write into an mbuf
 * whose reference count is above 1 (the vhost driver copies, DPDK's
 * virtio PMD only prepends its header in place when the count is 1).
 *
 * Ageing: an entry not refreshed for --mac-age seconds (default 300; 0:
 * never) is no longer used (frames to it are flooded again), is removed
 * by an incremental sweep, and its slot is reused. A MAC seen on another
 * port moves to that port at once.
 *
 * Streams and lcores: each RX queue q of each port is a stream; its
 * frames go out on queue (q modulo the port's TX queues) of the ports
 * the table chooses. As any stream may transmit on any port, two lcores
 * would share TX queues: switch forwarding therefore runs on one lcore
 * (fwd_config_setup() refuses --nb-cores > 1 with a message).
 *
 * The MAC table: 4096 slots of open addressing, a MAC probing at most 8
 * consecutive slots from its hash. A slot is two 64-bit words: the key
 * (the 48-bit MAC | bit 48 "in use"; 0: free) and the value (last-seen
 * time in ms << 16 | port id + 1; 0: none). Concurrency: the forwarding
 * lcore is the only writer and stores both words with atomic stores
 * (the value before the key when a slot is (re)filled, the key cleared
 * first when it is emptied or reused). Readers on other threads (the
 * dump, JSON, CLI) never block it: they load key, value, key again
 * (acquire) and skip the slot unless both key loads match, so they never
 * pair a MAC with another MAC's port. No locks anywhere.
 */
#ifndef VHP_TESTPMD_FWD_SWITCH_H
#define VHP_TESTPMD_FWD_SWITCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "config.h"
#include "fwd.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Slots of the MAC table (the most MACs it can hold). */
#define VHP_SWITCH_MAC_TABLE_SIZE	4096
/** Most ports the switch engine serves (flood sets are 32-bit masks). */
#define VHP_SWITCH_MAX_PORTS		32
/** Slots probed per MAC, from its hash. */
#define VHP_SWITCH_MAC_PROBE		8
/** Most static entries ("mac table add"). */
#define VHP_SWITCH_MAX_STATIC		64

/** One entry of the MAC table. */
struct vhp_switch_mac_entry {
	struct rte_ether_addr mac;	/**< station address */
	uint16_t port;			/**< port it was last seen on */
	double age_s;			/**< seconds since it was last seen */
	bool is_static;			/**< added by "mac table add" */
};

/** Switch counters of one port. */
struct vhp_switch_port_stats {
	uint64_t rx;		/**< frames received on the port */
	uint64_t forwarded;	/**< received, sent to their learned port */
	uint64_t flooded;	/**< received, sent to every other port */
	uint64_t filtered;	/**< received, destination on this port: dropped */
	uint64_t dropped;	/**< received, runt or no port to send to */
	uint64_t tx;		/**< frames (flood copies included) sent */
	uint64_t tx_dropped;	/**< frames the port did not take */
};

/** MAC table counters. */
struct vhp_switch_table_stats {
	uint64_t learned;	/**< new entries */
	uint64_t moved;		/**< MACs re-learned on another port */
	uint64_t aged;		/**< entries removed by ageing */
	uint64_t table_full;	/**< MACs not learned: their slots all used */
};

/**
 * Copy the live (not aged) MAC table entries into @p entries, sorted by
 * port then MAC. Safe from any thread, while forwarding too.
 * @param entries Output array.
 * @param max Room in @p entries (VHP_SWITCH_MAC_TABLE_SIZE holds all).
 * @return entries written.
 */
unsigned int vhp_switch_mac_table_get(struct vhp_switch_mac_entry *entries,
				      unsigned int max);

/**
 * Print the MAC table for a "show mac table" command: a header, then one
 * line per entry "MAC  port  age(s)", then the entry count. Safe from any
 * thread, while forwarding too; empty unless switch forwarding ran.
 */
void vhp_switch_mac_table_dump(FILE *f);

/**
 * Empty the MAC table but its static entries (e.g. "clear mac table").
 * @return 0, or -EBUSY while switch forwarding runs (its lcore owns the
 * table).
 */
int vhp_switch_mac_table_flush(void);

/** Set the ageing time (--mac-age), seconds (0: never). */
void vhp_switch_mac_age_set(uint32_t seconds);

/**
 * Add (or move) a static entry: frames to @p mac always go to @p port,
 * the entry never ages and is never re-learned elsewhere; it survives
 * "clear mac table" and mode changes.
 * @return 0; -EBUSY while switch forwarding runs; -EINVAL for a group
 * address; -ENOSPC when the static list or the MAC's slots are full.
 */
int vhp_switch_mac_static_add(const struct rte_ether_addr *mac,
			      uint16_t port);

/**
 * Remove a static entry. @return 0, -ENOENT (not static) or -EBUSY.
 */
int vhp_switch_mac_static_del(const struct rte_ether_addr *mac);

/**
 * Read the switch counters of port @p port_id since forwarding started
 * or the last fwd_switch_rebase().
 * @return 0, or -EINVAL for a bad port id.
 */
int vhp_switch_port_stats_get(uint16_t port_id,
			      struct vhp_switch_port_stats *st);

/** Read the MAC table counters since forwarding started or the last
 * fwd_switch_rebase(). */
void vhp_switch_table_stats_get(struct vhp_switch_table_stats *st);

/**
 * Engine setup (fwd_config_setup()): take --mac-age, the ports, and
 * empty the table. @return 0.
 */
int fwd_switch_setup(const struct app_config *cfg);

/** Zero the counters (fwd_start()). */
void fwd_switch_begin(void);

/**
 * The counters read from now on count from here ("clear port stats",
 * "clear fwd stats"); the lcore's own counters are not written.
 */
void fwd_switch_rebase(void);

/**
 * One switch burst: receive on the stream's RX queue, learn, and send
 * every frame to its port(s).
 * @return packets received.
 */
uint16_t fwd_switch_burst(struct fwd_stream *fs);

/**
 * Frames received on @p port_id the switch dropped: filtered (destination
 * on the same port), runts, no port to send to.
 */
uint64_t fwd_switch_rx_dropped(uint16_t port_id);

/** Print the per-port switch counters and the table counters. */
void fwd_switch_show(FILE *f);

/**
 * Write "mac_table": [{mac, port, age_s}] and "switch": {counters,
 * "ports": [...]} into @p w.
 */
void fwd_switch_json(struct vhp_json *w);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_FWD_SWITCH_H */
