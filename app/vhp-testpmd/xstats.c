/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The extended statistics list (names: xstats.h).
 */
#include <stdio.h>

#include <vhp.h>

#include "fwd.h"
#include "vhost/vhost_port.h"
#include "xstats.h"

/* Counter name with a queue or vring number. */
#define XS_NAME_LEN	64

struct xs_ctx {
	app_xstat_cb cb;
	void *arg;
	bool stop;
};

static void
xs(struct xs_ctx *c, const char *name, uint64_t v)
{
	if (!c->stop && c->cb(c->arg, name, v) != 0)
		c->stop = true;
}

static void
xs_n(struct xs_ctx *c, const char *fmt, unsigned int n, uint64_t v)
{
	char name[XS_NAME_LEN];

	snprintf(name, sizeof(name), fmt, n);
	xs(c, name, v);
}

/* "rx_qN_..." / "tx_qN_..." as DPDK 22.11's net_vhost names them. */
static void
xs_vhost_queue(struct xs_ctx *c, const char *dir, unsigned int q,
	       uint64_t packets, uint64_t bytes,
	       const struct vhp_pkt_stats *pkt, uint64_t notifications)
{
	char name[XS_NAME_LEN];
	unsigned int i;

	snprintf(name, sizeof(name), "%s_q%u_good_packets", dir, q);
	xs(c, name, packets);
	snprintf(name, sizeof(name), "%s_q%u_good_bytes", dir, q);
	xs(c, name, bytes);
	for (i = 0; i < VHP_PKT_NB_STATS; i++) {
		snprintf(name, sizeof(name), "%s_q%u_%s", dir, q,
			 vhp_pkt_stat_name(i));
		xs(c, name, pkt->v[i]);
	}
	snprintf(name, sizeof(name), "%s_q%u_guest_notifications", dir, q);
	xs(c, name, notifications);
}

static void
xs_vrings(struct xs_ctx *c, struct vhp_port *vp, uint16_t nb_vrings)
{
	struct vhp_vring_stats vs;
	struct vhp_port_info pi;
	uint16_t v;

	if (vhp_port_info_get(vp, &pi) == 0) {
		xs(c, "connections", pi.connections);
		xs(c, "protocol_errors", pi.errors);
	}
	for (v = 0; v < nb_vrings; v++) {
		if (vhp_vring_stats_get(vp, v, &vs) != 0)
			continue;
		xs_n(c, "vring%u_packets", v, vs.packets);
		xs_n(c, "vring%u_bytes", v, vs.bytes);
		xs_n(c, "vring%u_dropped", v, vs.dropped);
		xs_n(c, "vring%u_errors", v, vs.errors);
		xs_n(c, "vring%u_notifications", v, vs.notifications);
		xs_n(c, "vring%u_notifications_suppressed", v,
		     vs.notifications_suppressed);
		xs_n(c, "vring%u_kicks", v, vs.kicks);
		xs_n(c, "vring%u_error_bad_addr", v, vs.bad_addr);
		xs_n(c, "vring%u_error_bad_chain", v, vs.bad_chain);
		xs_n(c, "vring%u_error_bad_indirect", v, vs.bad_indirect);
		xs_n(c, "vring%u_error_bad_index", v, vs.bad_index);
		xs_n(c, "vring%u_error_bad_len", v, vs.bad_len);
		xs_n(c, "vring%u_error_bad_offload", v, vs.bad_offload);
		xs_n(c, "vring%u_alloc_failed", v, vs.alloc_failed);
		xs_n(c, "vring%u_times_broken", v, vs.broken);
		xs_n(c, "vring%u_call_failed", v, vs.call_failed);
		xs_n(c, "vring%u_resumed_from_ring", v, vs.resumed);
	}
}

void
app_xstats_foreach(struct vhp_app_port *port, enum app_xstats_level level,
		   app_xstat_cb cb, void *arg)
{
	struct xs_ctx c = { .cb = cb, .arg = arg };
	struct vhp_app_port_stats st;
	struct vhp_port *vp;
	uint16_t q;

	vhp_app_port_stats_get(port, &st);
	/* ethdev's basic xstats. */
	xs(&c, "rx_good_packets", st.rx_packets);
	xs(&c, "tx_good_packets", st.tx_packets);
	xs(&c, "rx_good_bytes", st.rx_bytes);
	xs(&c, "tx_good_bytes", st.tx_bytes);
	xs(&c, "rx_missed_errors", st.rx_dropped);
	xs(&c, "rx_errors", st.rx_errors);
	xs(&c, "tx_errors", st.tx_dropped);
	xs(&c, "rx_mbuf_allocation_errors", st.rx_nombuf);
	for (q = 0; q < st.nb_queues && q < VHP_APP_MAX_QUEUES; q++) {
		const struct vhp_app_queue_stats *qs = &st.queue[q];

		xs_n(&c, "rx_q%u_packets", q, qs->rx_packets);
		xs_n(&c, "rx_q%u_bytes", q, qs->rx_bytes);
		xs_n(&c, "rx_q%u_errors", q, qs->rx_errors);
		xs_n(&c, "tx_q%u_packets", q, qs->tx_packets);
		xs_n(&c, "tx_q%u_bytes", q, qs->tx_bytes);
	}
	/* vhostpath's own. */
	xs(&c, "errors", st.errors);
	xs(&c, "fwd_tx_dropped", fwd_port_dropped(port->id));
	for (q = 0; q < st.nb_queues && q < VHP_APP_MAX_QUEUES; q++) {
		xs_n(&c, "rx_q%u_dropped", q, st.queue[q].rx_dropped);
		xs_n(&c, "tx_q%u_dropped", q, st.queue[q].tx_dropped);
	}
	if (level == APP_XSTATS_BASIC)
		return;
	/* net_vhost's per-queue names. */
	for (q = 0; q < st.nb_queues && q < VHP_APP_MAX_QUEUES; q++) {
		const struct vhp_app_queue_stats *qs = &st.queue[q];

		if (!qs->has_pkt_stats)
			continue;
		xs_vhost_queue(&c, "rx", q, qs->rx_packets, qs->rx_bytes,
			       &qs->rx_pkt, qs->rx_notifications);
		xs_vhost_queue(&c, "tx", q, qs->tx_packets, qs->tx_bytes,
			       &qs->tx_pkt, qs->tx_notifications);
	}
	for (q = 0; q < st.nb_queues && q < VHP_APP_MAX_QUEUES; q++) {
		const struct vhp_app_queue_stats *qs = &st.queue[q];

		if (!qs->has_notifications)
			continue;
		xs_n(&c, "q%u_notifications_suppressed", q,
		     qs->notifications_suppressed);
		xs_n(&c, "q%u_kicks", q, qs->kicks);
	}
	vp = port->started ? vhp_vhost_port_lib(port) : NULL;
	if (vp != NULL)
		xs_vrings(&c, vp, (uint16_t)(2 * port->nb_rxq));
}
