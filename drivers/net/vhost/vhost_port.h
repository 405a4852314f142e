/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port driver over libvhostpath: one vhost-user socket per port.
 *
 * Arguments: PATH[,queues=N][,client=1][,features-off=NAME|NAME...]
 * [,offloads=0]. features-off turns virtio features off (dependants
 * follow: csum takes host_tso4/6 and host_ecn, guest_csum the guest_*
 * offloads); offloads=0 turns every checksum/TSO/ECN feature off.
 * TSO packets for a guest without GUEST_TSO4/6 are segmented here (IPv4
 * with rte_gso, IPv6 by copying); checksums are left to the library.
 * RX queue q drains the guest's TX ring (vring 2q+1), TX queue q fills the
 * guest's RX ring (vring 2q).
 */
#ifndef VHP_APP_VHOST_PORT_H
#define VHP_APP_VHOST_PORT_H

#include "../port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The "vhost" driver. */
extern const struct vhp_app_port_driver vhp_vhost_driver;

struct vhp_port;

/**
 * The library port behind a started vhost port, for vhost-specific
 * introspection (show vhost, telemetry).
 * @return the port, or NULL when @p port is not a started vhost port.
 */
struct vhp_port *vhp_vhost_port_lib(const struct vhp_app_port *port);

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_VHOST_PORT_H */
