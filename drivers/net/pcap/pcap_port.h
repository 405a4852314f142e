/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port driver over libpcap files.
 *
 * Arguments: rx=IN.pcap[,tx=OUT.pcap][,loop=1][,max-mb=N] or tx=OUT.pcap
 *
 * Start reads every packet of IN into memory (at most max-mb MiB, default
 * 1024), so that RX bursts replay them without a system call: each packet
 * is copied into an mbuf of the port's pool (chained when it is larger
 * than one mbuf). After the last packet RX returns nothing, or with loop=1
 * starts again from the first one. TX writes every packet to OUT (Ethernet
 * link type, snaplen 65535, a gettimeofday() timestamp per burst), which
 * stop flushes and closes. One queue. A port without tx= drops what it is
 * given to send (counted in tx_dropped); one without rx= receives nothing.
 */
#ifndef VHP_APP_PCAP_PORT_H
#define VHP_APP_PCAP_PORT_H

#include "../port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The "pcap" driver. */
extern const struct vhp_app_port_driver vhp_pcap_driver;

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_PCAP_PORT_H */
