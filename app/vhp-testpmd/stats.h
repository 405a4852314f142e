/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Statistics output: testpmd-style forward statistics, the periodic
 * one-screen refresh, and the JSON file.
 */
#ifndef VHP_TESTPMD_STATS_H
#define VHP_TESTPMD_STATS_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Snapshot the port counters: forward statistics count from here. */
void stats_fwd_begin(void);

/**
 * Print the forward statistics since stats_fwd_begin() as testpmd's
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
