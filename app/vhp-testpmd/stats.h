/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Statistics output: testpmd-style forward statistics, the periodic
 * one-screen refresh, and the JSON file.
 */
#ifndef VHP_TESTPMD_STATS_H
#define VHP_TESTPMD_STATS_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Forwarding starts: forward statistics count from the port counters of
 * now and from zero stream and engine counters.
 */
void stats_fwd_begin(void);

/**
 * Forward statistics count from now ("clear port stats", "clear fwd
 * stats"): port, stream, engine counters and the duration, all alike.
 */
void stats_fwd_rebase(void);

/** A port attached at runtime counts from its counters of now. */
void stats_fwd_port_base(uint16_t port_id);

/**
 * Print the forward statistics since the base as testpmd's
 * "stop" does: per stream (when there are more streams than ports), per
 * port, accumulated, and CPU cycles/packet.
 */
void stats_fwd_show(FILE *f);

/** Print one screen of port statistics (rates since the last call). */
void stats_periodic_show(FILE *f);

/**
 * Write the JSON statistics to @p path (atomically: a temporary file in
 * the same directory renamed over it).
 * @return 0, or -1 (a message was printed).
 */
int stats_json_write(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_STATS_H */
