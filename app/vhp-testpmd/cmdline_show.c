/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output of the CLI's port and vhost show commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>

#include <vhp.h>

#include "cmdline_show.h"
#include "fwd.h"
#include "vhost/vhost_port.h"
#include "xstats.h"

/* Counters and TSC of the last "show port stats", per port. */
static struct vhp_app_port_stats show_prev[VHP_APP_MAX_PORTS];
static uint64_t show_prev_tsc[VHP_APP_MAX_PORTS];

static const char info_border[] = "*********************";
static const char stats_border[] = "########################";

struct vhp_port *
cli_vhost_port(struct vhp_app_port *port)
{
	if (port == NULL || !port->started)
		return NULL;
	return vhp_vhost_port_lib(port);
}

void
cli_status_names(uint8_t status, char *buf, size_t size)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = {
		{ 1, "ACKNOWLEDGE" }, { 2, "DRIVER" }, { 8, "FEATURES_OK" },
		{ 4, "DRIVER_OK" }, { 64, "NEEDS_RESET" }, { 128, "FAILED" },
		{ 16, "bit4" }, { 32, "bit5" },
	};
	size_t len = 0;
	unsigned int i;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(bits); i++) {
		if (!(status & bits[i].bit))
			continue;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
				len == 0 ? "" : "|", bits[i].name);
		if (len >= size)
			return;
	}
	if (len == 0)
		snprintf(buf, size, "-");
}

void
cli_show_port_info(FILE *f, struct vhp_app_port *port)
{
	struct vhp_app_port_info info;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	vhp_app_port_info_get(port, &info);
	rte_ether_format_addr(mac, sizeof(mac), &info.mac);
	fprintf(f, "\n%s Infos for port %-2u %s\n", info_border, port->id,
		info_border);
	fprintf(f, "MAC address: %s\n", mac);
	fprintf(f, "Device name: %s\n", info.name);
	fprintf(f, "Driver name: %s\n", info.driver);
	fprintf(f, "Port state: %s\n", port->started ? "started" : "stopped");
	fprintf(f, "memory allocation on the socket: %d\n", port->socket_id);
	fprintf(f, "Link status: %s\n", info.link_up ? "up" : "down");
	fprintf(f, "Promiscuous mode: %s\n",
		port->driver == &vhp_vhost_driver ? "enabled (always)" :
		"n/a");
	fprintf(f, "Current number of RX queues: %u\n", info.nb_rxq);
	fprintf(f, "Current number of TX queues: %u\n", info.nb_txq);
	if (port->driver == &vhp_vhost_driver)
		fprintf(f, "(RX queue q drains the guest's TX vring 2q+1, TX "
			"queue q fills its RX vring 2q; see 'show vhost %u')\n",
			port->id);
}

void
cli_show_port_stats(FILE *f, struct vhp_app_port *port)
{
	struct vhp_app_port_stats st;
	struct vhp_app_port_stats *prev = &show_prev[port->id];
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	double dt = 0;

	vhp_app_port_stats_get(port, &st);
	if (show_prev_tsc[port->id] != 0 && hz != 0)
		dt = (double)(now - show_prev_tsc[port->id]) / (double)hz;
	fprintf(f, "\n  %s NIC statistics for port %-2u %s\n", stats_border,
		port->id, stats_border);
	fprintf(f, "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64
		" RX-bytes:  %-" PRIu64 "\n", st.rx_packets, st.rx_dropped,
		st.rx_bytes);
	fprintf(f, "  RX-errors: %-" PRIu64 "\n", st.errors);
	fprintf(f, "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64
		" TX-bytes:  %-" PRIu64 "\n", st.tx_packets, st.tx_dropped,
		st.tx_bytes);
	fprintf(f, "  TX-dropped (forwarding, peer ring full): %-" PRIu64
		"\n", fwd_port_dropped(port->id));
	fprintf(f, "\n  Throughput (since last show)\n");
	/* Counters that went backwards were cleared: no rate. */
	if (dt > 0 && st.rx_packets >= prev->rx_packets &&
	    st.tx_packets >= prev->tx_packets &&
	    st.rx_bytes >= prev->rx_bytes && st.tx_bytes >= prev->tx_bytes)
		fprintf(f, "  Rx-pps: %12.0f          Rx-bps: %12.0f\n"
			"  Tx-pps: %12.0f          Tx-bps: %12.0f\n",
			(double)(st.rx_packets - prev->rx_packets) / dt,
			(double)(st.rx_bytes - prev->rx_bytes) * 8 / dt,
			(double)(st.tx_packets - prev->tx_packets) / dt,
			(double)(st.tx_bytes - prev->tx_bytes) * 8 / dt);
	else
		fprintf(f, "  Rx-pps: %12d          Rx-bps: %12d\n"
			"  Tx-pps: %12d          Tx-bps: %12d\n", 0, 0, 0, 0);
	fprintf(f, "  %s############################%s\n", stats_border,
		stats_border);
	*prev = st;
	show_prev_tsc[port->id] = now;
}

void
cli_clear_port_stats(FILE *f, struct vhp_app_port *port)
{
	port->driver->stats_reset(port);
	memset(&show_prev[port->id], 0, sizeof(show_prev[port->id]));
	show_prev_tsc[port->id] = 0;
	fprintf(f, "\n  NIC statistics for port %u cleared\n", port->id);
}

static bool xstats_hide_zero;

void
cli_xstats_hide_zero_set(bool on)
{
	xstats_hide_zero = on;
}

static int
xstat_print(void *arg, const char *name, uint64_t v)
{
	if (v != 0 || !xstats_hide_zero)
		fprintf(arg, "%s: %" PRIu64 "\n", name, v);
	return 0;
}

void
cli_show_port_xstats(FILE *f, struct vhp_app_port *port)
{
	fprintf(f, "###### NIC extended statistics for port %-2u\n", port->id);
	app_xstats_foreach(port, APP_XSTATS_ALL, xstat_print, f);
}

static void
print_feature_names(FILE *f, uint64_t bits,
		    const char *(*name_of)(unsigned int bit))
{
	unsigned int b;
	const char *name;
	bool first = true;

	for (b = 0; b < 64; b++) {
		if (!(bits >> b & 1))
			continue;
		name = name_of(b);
		if (name != NULL)
			fprintf(f, "%s%s", first ? "" : " ", name);
		else
			fprintf(f, "%sbit%u", first ? "" : " ", b);
		first = false;
	}
	fprintf(f, "%s\n", first ? "-" : "");
}

static void
show_vring(FILE *f, struct vhp_port *vp, uint16_t v, bool packed)
{
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;

	if (vhp_vring_info_get(vp, v, &vi) != 0 ||
	    vhp_vring_stats_get(vp, v, &vs) != 0)
		return;
	fprintf(f, "  vring %-2u (queue %u, guest %s): size %u%s%s%s%s\n", v,
		v / 2, v & 1 ? "TX" : "RX", vi.size,
		vi.enabled ? " enabled" : " disabled",
		vi.started ? " started" : "", vi.ready ? " ready" : "",
		vi.broken ? " BROKEN" : "");
	if (packed)
		fprintf(f, "    last_avail %u (wrap %u)  last_used %u (wrap "
			"%u)\n", vi.last_avail_idx, vi.avail_wrap,
			vi.last_used_idx, vi.used_wrap);
	else
		fprintf(f, "    avail idx %u  used idx %u  last_avail %u  "
			"last_used %u\n", vi.avail_idx, vi.used_idx,
			vi.last_avail_idx, vi.last_used_idx);
	fprintf(f, "    numa node %d  kickfd %d  callfd %d\n", vi.numa_node,
		vi.kickfd, vi.callfd);
	fprintf(f, "    notifications sent %" PRIu64 "  suppressed %" PRIu64
		"  kicks %" PRIu64 "  errors %" PRIu64 "\n", vs.notifications,
		vs.notifications_suppressed, vs.kicks, vs.errors);
}

int
cli_show_vhost(FILE *f, struct vhp_app_port *port)
{
	struct vhp_port *vp;
	struct vhp_port_info pi;
	char status[128];
	uint16_t v;

	if (port->driver != &vhp_vhost_driver)
		return -ENOTSUP;
	fprintf(f, "\n%s vhost port %-2u %s\n", info_border, port->id,
		info_border);
	fprintf(f, "Socket path: %s\n", port->name);
	vp = cli_vhost_port(port);
	if (vp == NULL || vhp_port_info_get(vp, &pi) != 0) {
		fprintf(f, "Port state: stopped (no socket; 'port start %u' "
			"opens it)\n", port->id);
		return 0;
	}
	fprintf(f, "Mode: %s\n", pi.client ? "client" : "server");
	fprintf(f, "Connected: %s\n", pi.connected ? "yes" : "no");
	fprintf(f, "Running: %s\n", pi.running ? "yes" : "no");
	cli_status_names(pi.status, status, sizeof(status));
	fprintf(f, "Device status: 0x%02x %s\n", pi.status, status);
	fprintf(f, "Features: 0x%016" PRIx64 " ", pi.features);
	print_feature_names(f, pi.features, vhp_feature_name);
	fprintf(f, "Features offered: 0x%016" PRIx64 " ", pi.features_offered);
	print_feature_names(f, pi.features_offered, vhp_feature_name);
	fprintf(f, "Protocol features: 0x%016" PRIx64 " ",
		pi.protocol_features);
	print_feature_names(f, pi.protocol_features,
			    vhp_protocol_feature_name);
	fprintf(f, "Ring format: %s\n",
		pi.ring == VHP_RING_PACKED ? "packed" : "split");
	fprintf(f, "Queue pairs: %u offered, %u vrings set up\n",
		pi.queue_pairs, pi.nr_vrings);
	fprintf(f, "Connections: %" PRIu64 "  Protocol errors: %" PRIu64
		"  Memory regions: %u\n", pi.connections, pi.errors,
		pi.mem_regions);
	if (pi.mtu != 0)
		fprintf(f, "MTU: %u (set by the front-end)\n", pi.mtu);
	else
		fprintf(f, "MTU: not set by the front-end\n");
	fprintf(f, "Dirty-page logging: %s\n", pi.logging ?
		"on (live migration in progress)" : "off");
	for (v = 0; v < pi.nr_vrings && v < VHP_MAX_VRINGS; v++)
		show_vring(f, vp, v, pi.ring == VHP_RING_PACKED);
	return 0;
}

int
cli_show_vhost_stats(FILE *f, struct vhp_app_port *port)
{
	struct vhp_vring_stats vs;
	struct vhp_port *vp;
	uint16_t v;

	if (port->driver != &vhp_vhost_driver)
		return -ENOTSUP;
	fprintf(f, "\n%s vhost statistics for port %-2u %s\n", info_border,
		port->id, info_border);
	vp = cli_vhost_port(port);
	if (vp == NULL) {
		fprintf(f, "Port state: stopped\n");
		return 0;
	}
	for (v = 0; v < 2 * port->nb_rxq && v < VHP_MAX_VRINGS; v++) {
		if (vhp_vring_stats_get(vp, v, &vs) != 0)
			continue;
		fprintf(f, "  vring %-2u (queue %u, guest %s, %s):\n", v, v / 2,
			v & 1 ? "TX" : "RX", v & 1 ? "our RX" : "our TX");
		fprintf(f, "    packets %-14" PRIu64 " bytes %-16" PRIu64
			" dropped %" PRIu64 "\n", vs.packets, vs.bytes,
			vs.dropped);
		fprintf(f, "    notifications %-8" PRIu64 " suppressed %-12"
			PRIu64 " kicks %" PRIu64 "\n", vs.notifications,
			vs.notifications_suppressed, vs.kicks);
		fprintf(f, "    errors %" PRIu64 " (bad_addr %" PRIu64
			" bad_chain %" PRIu64 " bad_indirect %" PRIu64
			" bad_index %" PRIu64 " bad_len %" PRIu64
			" bad_offload %" PRIu64 ")"
			" alloc_failed %" PRIu64 " broken %" PRIu64 "\n",
			vs.errors, vs.bad_addr, vs.bad_chain, vs.bad_indirect,
			vs.bad_index, vs.bad_len, vs.bad_offload,
			vs.alloc_failed, vs.broken);
		if (vs.call_failed != 0 || vs.resumed != 0)
			fprintf(f, "    call_failed %" PRIu64
				" resumed_from_ring %" PRIu64 "\n",
				vs.call_failed, vs.resumed);
	}
	return 0;
}
