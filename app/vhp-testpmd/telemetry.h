/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK telemetry commands of vhp-testpmd (EAL's telemetry socket,
 * /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2):
 *
 * - /vhp/ports: list of port ids
 * - /vhp/port/stats,<id>: dict of the port's counters
 * - /vhp/vhost/info,<id>: dict of a vhost port's state and vrings
 *
 * The callbacks run on the telemetry thread; they take the application
 * state lock, which the main lcore holds while it changes ports or
 * streams (port start/stop, forwarding reconfiguration, exit).
 */
#ifndef VHP_TESTPMD_TELEMETRY_H
#define VHP_TESTPMD_TELEMETRY_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Register the /vhp/ commands (call once, after rte_eal_init()).
 * @return 0, or a negative errno (message printed).
 */
int app_telemetry_init(void);

/** Take the application state lock (main lcore, before a change). */
void app_state_lock(void);

/** Release the application state lock. */
void app_state_unlock(void);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_TELEMETRY_H */
