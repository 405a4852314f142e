/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port driver over any DPDK ethdev: a vdev (net_virtio_user, net_tap, ...)
 * or a PCI device, named by its EAL devargs.
 *
 * Arguments: DEVARGS[;queues=N][;rxd=N][;txd=N][;promisc=0|1]
 *
 * DEVARGS is what dpdk-testpmd takes after --vdev or -a (it contains
 * commas, hence ';' before the driver's own keys). Start probes the device
 * with rte_dev_probe() unless EAL already did (--vdev, -a), configures
 * N RX and N TX queues on it with the application's mbuf pool, starts it
 * and turns promiscuous mode on. Stop closes it, and removes the device
 * again if start probed it.
 */
#ifndef VHP_APP_ETHDEV_PORT_H
#define VHP_APP_ETHDEV_PORT_H

#include "../port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The "ethdev" driver. */
extern const struct vhp_app_port_driver vhp_ethdev_driver;

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_ETHDEV_PORT_H */
