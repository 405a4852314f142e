/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The flowgen forwarding engine (as dpdk-testpmd's): each stream sends
 * UDP/IPv4 frames of --txpkts bytes, one flow after the other over
 * --flowgen-flows flows, and frees what its RX queue receives.
 *
 * Flow f (0 <= f < flows) is, with the stream's Ethernet addresses (its
 * TX port's MAC -> --eth-peer of that port):
 *   IPv4 198.18.0.0 + (f mod 65536) -> 198.19.0.0 + (f mod 256),
 *   UDP 1024 + f / 256 -> 9,
 * so every flow has its own 5-tuple, and the source/destination addresses
 * and the source port all vary. The IPv4 identification increments per
 * packet; the IPv4 header checksum and the UDP checksum (zero payload) are
 * computed for every packet.
 */
#ifndef VHP_TESTPMD_FWD_FLOWGEN_H
#define VHP_TESTPMD_FWD_FLOWGEN_H

#include <stdint.h>

#include "config.h"
#include "fwd.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Take --flowgen-flows from @p cfg. @return 0. */
int fwd_flowgen_setup(const struct app_config *cfg);

/** Restart every stream at flow 0 (fwd_start()). */
void fwd_flowgen_begin(void);

/**
 * One flowgen burst: receive and free a burst, then generate and transmit
 * one burst of the next flows.
 * @return packets generated.
 */
uint16_t fwd_flowgen_burst(struct fwd_stream *fs);

/** Write "flowgen": {flows} into @p w. */
void fwd_flowgen_json(struct vhp_json *w);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_FWD_FLOWGEN_H */
