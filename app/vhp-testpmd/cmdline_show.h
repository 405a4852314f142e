/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Output of the CLI's show/clear commands for one port: testpmd's port
 * info, port statistics (with throughput since the last show) and
 * extended statistics, and the vhost-specific views.
 */
#ifndef VHP_TESTPMD_CMDLINE_SHOW_H
#define VHP_TESTPMD_CMDLINE_SHOW_H

#include <stdint.h>
#include <stdio.h>

#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vhp_port;

/**
 * The libvhostpath port behind a started vhost port.
 * @return the handle, or NULL (not a vhost port, or stopped).
 */
struct vhp_port *cli_vhost_port(struct vhp_app_port *port);

/**
 * Write the names of the device status bits set in @p status, separated
 * by '|', into @p buf ("-" when none).
 */
void cli_status_names(uint8_t status, char *buf, size_t size);

/** testpmd's "show port info P". */
void cli_show_port_info(FILE *f, struct vhp_app_port *port);

/** testpmd's "show port stats P": counters and rates since last show. */
void cli_show_port_stats(FILE *f, struct vhp_app_port *port);

/** "clear port stats P": zero the port's counters. */
void cli_clear_port_stats(FILE *f, struct vhp_app_port *port);

/** "show port xstats P": every counter of the port as "name: value". */
void cli_show_port_xstats(FILE *f, struct vhp_app_port *port);

/** "set xstats-hide-zero on|off": leave zero counters out of xstats. */
void cli_xstats_hide_zero_set(bool on);

/**
 * "show vhost P": socket, mode, connection, status, features, rings.
 * @return 0, or -ENOTSUP when the port is not a vhost port.
 */
int cli_show_vhost(FILE *f, struct vhp_app_port *port);

/**
 * "show vhost stats P": counters of every vring.
 * @return 0, or -ENOTSUP when the port is not a vhost port.
 */
int cli_show_vhost_stats(FILE *f, struct vhp_app_port *port);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_CMDLINE_SHOW_H */
