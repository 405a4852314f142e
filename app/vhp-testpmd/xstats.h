/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The extended statistics of a port, one list of (name, value) for
 * "show port xstats" and the telemetry commands /vhp/port/xstats and
 * /vhp/port/stats, so both say the same names.
 *
 * Names are DPDK's where the meaning is the same: ethdev's basic xstats
 * (rx_good_packets, rx_missed_errors, rx_errors, tx_errors,
 * rx_mbuf_allocation_errors, rx_qN_packets, rx_qN_errors, ...) and, for
 * vhost ports, the per-queue names of DPDK 22.11's net_vhost
 * (rx_qN_good_packets, rx_qN_multicast_packets, rx_qN_size_64_packets,
 * ..., rx_qN_guest_notifications). Counters DPDK has no name for keep
 * vhostpath's (rx_qN_dropped, vringV_error_bad_addr, ...).
 */
#ifndef VHP_TESTPMD_XSTATS_H
#define VHP_TESTPMD_XSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which counters app_xstats_foreach() lists. */
enum app_xstats_level {
	/** Port totals and per-queue packets, bytes, errors, drops. */
	APP_XSTATS_BASIC,
	/** Everything: plus packet classes, notifications, vrings. */
	APP_XSTATS_ALL,
};

/**
 * Called once per counter. @return 0 to go on, non-zero to stop (e.g. a
 * full telemetry dict).
 */
typedef int (*app_xstat_cb)(void *arg, const char *name, uint64_t value);

/**
 * List the counters of @p port in a fixed order. Any thread (counters
 * are read with relaxed loads); the caller holds the state lock.
 */
void app_xstats_foreach(struct vhp_app_port *port,
			enum app_xstats_level level, app_xstat_cb cb,
			void *arg);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_XSTATS_H */
