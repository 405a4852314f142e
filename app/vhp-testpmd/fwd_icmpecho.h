/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The icmpecho forwarding engine (as dpdk-testpmd's): answers ARP requests
 * for any IPv4 address with the receiving port's MAC, and ICMP echo
 * requests to a unicast IPv4 address with an echo reply (MACs and IPs
 * swapped, type 0, ICMP checksum updated incrementally; the IPv4 header
 * checksum is unchanged by the swap). Up to two VLAN tags (802.1Q/802.1ad)
 * are kept as they are. Replies leave on the receiving port and queue;
 * everything else is freed and counted.
 */
#ifndef VHP_TESTPMD_FWD_ICMPECHO_H
#define VHP_TESTPMD_FWD_ICMPECHO_H

#include <stdint.h>
#include <stdio.h>

#include "fwd.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Counters of the icmpecho engine, summed over its streams. */
struct fwd_icmpecho_stats {
	uint64_t arp_replies;	/**< ARP requests answered */
	uint64_t echo_replies;	/**< ICMP echo requests answered */
	uint64_t dropped;	/**< other frames, freed */
};

/**
 * One icmpecho burst: receive, answer in place, transmit the replies on
 * the stream's TX queue (its own RX port).
 * @return packets received.
 */
uint16_t fwd_icmpecho_burst(struct fwd_stream *fs);

/** Zero the counters (fwd_start()). */
void fwd_icmpecho_begin(void);

/** Read the counters (any thread). */
void fwd_icmpecho_stats_get(struct fwd_icmpecho_stats *st);

/** Print the counters (forward statistics). */
void fwd_icmpecho_show(FILE *f);

/** Write "icmpecho": {arp_replies, echo_replies, dropped} into @p w. */
void fwd_icmpecho_json(struct vhp_json *w);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_FWD_ICMPECHO_H */
