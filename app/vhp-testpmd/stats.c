/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics printing and the JSON file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "fwd.h"
#include "json.h"
#include "port.h"
#include "stats.h"

/* Counters of one stream at the base. */
struct stream_base {
	uint64_t rx, tx, dropped, busy;
};

/*
 * The one counting base of the forward statistics: every figure of
 * "stop" and "show fwd stats" is a difference from here. Set when
 * forwarding starts (stream and engine counters restart at 0) and by
 * "clear port stats" / "clear fwd stats" (a snapshot of them all).
 */
static struct {
	struct vhp_app_port_stats port[VHP_APP_MAX_PORTS];
	uint64_t fwd_dropped[VHP_APP_MAX_PORTS];
	uint64_t eng_dropped[VHP_APP_MAX_PORTS];
	struct fwd_totals totals;
	struct stream_base stream[FWD_MAX_STREAMS];
} base;
/* Port counters and TSC at the last periodic display. */
static struct vhp_app_port_stats period_prev[VHP_APP_MAX_PORTS];
static uint64_t period_prev_tsc;

static uint64_t
eng_dropped(uint16_t port_id)
{
	const struct fwd_engine *e = fwd_engine();

	return e != NULL && e->rx_dropped != NULL ? e->rx_dropped(port_id) : 0;
}

void
stats_fwd_begin(void)
{
	uint16_t i;

	memset(&base, 0, sizeof(base));
	for (i = 0; i < vhp_app_nb_ports(); i++) {
		vhp_app_port_stats_get(vhp_app_port_get(i), &base.port[i]);
		period_prev[i] = base.port[i];
	}
	period_prev_tsc = rte_rdtsc();
}

void
stats_fwd_rebase(void)
{
	const struct fwd_engine *e = fwd_engine();
	const struct fwd_stream *fs;
	unsigned int s;
	uint16_t i;

	if (e != NULL && e->rebase != NULL)
		e->rebase();
	for (i = 0; i < vhp_app_nb_ports(); i++) {
		vhp_app_port_stats_get(vhp_app_port_get(i), &base.port[i]);
		base.fwd_dropped[i] = fwd_port_dropped(i);
		base.eng_dropped[i] = eng_dropped(i);
	}
	fwd_totals_get(&base.totals);
	for (s = 0; s < fwd_nb_streams() && s < FWD_MAX_STREAMS; s++) {
		fs = fwd_stream_get(s);
		base.stream[s].rx = fwd_counter_read(&fs->rx_packets);
		base.stream[s].tx = fwd_counter_read(&fs->tx_packets);
		base.stream[s].dropped = fwd_counter_read(&fs->fwd_dropped);
		base.stream[s].busy = fwd_counter_read(&fs->busy_cycles);
	}
}

void
stats_fwd_port_base(uint16_t port_id)
{
	if (port_id >= VHP_APP_MAX_PORTS || vhp_app_port_get(port_id) == NULL)
		return;
	vhp_app_port_stats_get(vhp_app_port_get(port_id), &base.port[port_id]);
	base.fwd_dropped[port_id] = fwd_port_dropped(port_id);
	base.eng_dropped[port_id] = eng_dropped(port_id);
	period_prev[port_id] = base.port[port_id];
}

/* The forwarding totals since the base. */
static void
stats_totals(struct fwd_totals *t)
{
	fwd_totals_get(t);
	t->rx_packets -= base.totals.rx_packets;
	t->tx_packets -= base.totals.tx_packets;
	t->fwd_dropped -= base.totals.fwd_dropped;
	t->busy_cycles -= base.totals.busy_cycles;
	t->fwd_packets -= base.totals.fwd_packets;
	t->duration_s -= base.totals.duration_s;
}

static void
stats_stream_show(FILE *f, unsigned int s)
{
	const struct fwd_stream *fs = fwd_stream_get(s);
	const struct stream_base *b = &base.stream[s];
	uint64_t rx = fwd_counter_read(&fs->rx_packets) - b->rx;
	uint64_t tx = fwd_counter_read(&fs->tx_packets) - b->tx;
	uint64_t drop = fwd_counter_read(&fs->fwd_dropped) - b->dropped;
	uint64_t busy = fwd_counter_read(&fs->busy_cycles) - b->busy;

	fprintf(f, "\n  ------- Forward Stats for RX Port=%2u/Queue=%2u -> "
		"TX Port=%2u/Queue=%2u -------\n", fs->rx_port->id,
		fs->rx_queue, fs->tx_port->id, fs->tx_queue);
	fprintf(f, "  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64
		" TX-dropped: %-14" PRIu64 "\n", rx, tx, drop);
	if (rx != 0 && fwd_record_cycles())
		fprintf(f, "  CPU cycles/packet=%.2f (busy cycles=%" PRIu64
			" / RX packets=%" PRIu64 ")\n",
			(double)busy / (double)rx, busy, rx);
}

void
stats_fwd_show(FILE *f)
{
	const struct fwd_engine *e = fwd_engine();
	struct vhp_app_port_stats st;
	struct fwd_totals t;
	uint64_t rx, rx_drop, tx, tx_drop;
	uint64_t all_rx = 0, all_rx_drop = 0, all_tx = 0, all_tx_drop = 0;
	uint16_t nb_ports = vhp_app_nb_ports(), i;
	bool tx_mode = e != NULL && e->counts_tx;
	unsigned int s;

	if (fwd_nb_streams() > nb_ports)
		for (s = 0; s < fwd_nb_streams() && s < FWD_MAX_STREAMS; s++)
			stats_stream_show(f, s);
	for (i = 0; i < nb_ports; i++) {
		vhp_app_port_stats_get(vhp_app_port_get(i), &st);
		rx = st.rx_packets - base.port[i].rx_packets;
		rx_drop = st.rx_dropped - base.port[i].rx_dropped +
			eng_dropped(i) - base.eng_dropped[i];
		tx = st.tx_packets - base.port[i].tx_packets;
		tx_drop = fwd_port_dropped(i) - base.fwd_dropped[i];
		all_rx += rx;
		all_rx_drop += rx_drop;
		all_tx += tx;
		all_tx_drop += tx_drop;
		fprintf(f, "\n  ---------------------- Forward statistics for "
			"port %-2u ----------------------\n", i);
		fprintf(f, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14"
			PRIu64 "RX-total: %-" PRIu64 "\n", rx, rx_drop,
			rx + rx_drop);
		fprintf(f, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14"
			PRIu64 "TX-total: %-" PRIu64 "\n", tx, tx_drop,
			tx + tx_drop);
		fprintf(f, "  ---------------------------------------------"
			"-------------------------------\n");
	}
	fprintf(f, "\n  +++++++++++++++ Accumulated forward statistics for "
		"all ports+++++++++++++++\n");
	fprintf(f, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
		"RX-total: %-" PRIu64 "\n", all_rx, all_rx_drop,
		all_rx + all_rx_drop);
	fprintf(f, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
		"TX-total: %-" PRIu64 "\n", all_tx, all_tx_drop,
		all_tx + all_tx_drop);
	fprintf(f, "  ++++++++++++++++++++++++++++++++++++++++++++++++++++"
		"++++++++++++++++++++++++\n");
	stats_totals(&t);
	if (!fwd_record_cycles())
		fprintf(f, "\n  CPU cycles/packet not recorded (set "
			"record-core-cycles on)\n");
	else if (t.fwd_packets != 0)
		fprintf(f, "\n  CPU cycles/packet=%.2f (busy cycles=%" PRIu64
			" / total %s packets=%" PRIu64 ") at %" PRIu64
			" MHz Clock\n", fwd_cycles_per_packet(&t),
			t.busy_cycles, tx_mode ? "TX" : "RX",
			t.fwd_packets, t.tsc_hz / 1000000);
	else
		fprintf(f, "\n  CPU cycles/packet=0 (no packets forwarded) at "
			"%" PRIu64 " MHz Clock\n", t.tsc_hz / 1000000);
	fprintf(f, "  Forwarded for %.3f s: %.3f Mpps %s\n", t.duration_s,
		t.duration_s > 0 ? (double)(tx_mode ? t.tx_packets :
		t.rx_packets) / t.duration_s / 1e6 : 0.0, tx_mode ? "TX" : "RX");
	if (e != NULL && e->show != NULL)
		e->show(f);
	fflush(f);
}

void
stats_periodic_show(FILE *f)
{
	struct vhp_app_port_stats st;
	struct vhp_app_port_info info;
	struct fwd_totals t;
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	double dt = (double)(now - period_prev_tsc) / (double)hz;
	uint16_t i;

	if (isatty(fileno(f)))
		fputs("\033[2J\033[1;1H", f);	/* clear, cursor home */
	for (i = 0; i < vhp_app_nb_ports(); i++) {
		struct vhp_app_port *port = vhp_app_port_get(i);
		struct vhp_app_port_stats *prev = &period_prev[i];

		vhp_app_port_stats_get(port, &st);
		vhp_app_port_info_get(port, &info);
		fprintf(f, "  ######## NIC statistics for port %-2u (%s %s, "
			"link %s) ########\n", i, info.driver, info.name,
			info.link_up ? "up" : "down");
		fprintf(f, "  RX-packets: %-12" PRIu64 " RX-dropped: %-10"
			PRIu64 " RX-bytes: %" PRIu64 "\n", st.rx_packets,
			st.rx_dropped, st.rx_bytes);
		fprintf(f, "  TX-packets: %-12" PRIu64 " TX-dropped: %-10"
			PRIu64 " TX-bytes: %" PRIu64 "\n", st.tx_packets,
			st.tx_dropped, st.tx_bytes);
		fprintf(f, "  Errors: %" PRIu64 "\n", st.errors);
		if (dt > 0)
			fprintf(f, "  Rx-pps: %12.0f          Rx-bps: %14.0f\n"
				"  Tx-pps: %12.0f          Tx-bps: %14.0f\n",
				(double)(st.rx_packets - prev->rx_packets) / dt,
				(double)(st.rx_bytes - prev->rx_bytes) * 8 / dt,
				(double)(st.tx_packets - prev->tx_packets) / dt,
				(double)(st.tx_bytes - prev->tx_bytes) * 8 /
				dt);
		fprintf(f, "  ##########################################"
			"##################################\n");
		*prev = st;
	}
	fwd_totals_get(&t);
	fprintf(f, "  %s fwd: %.1f s, RX %" PRIu64 " TX %" PRIu64
		" TX-dropped %" PRIu64 ", CPU cycles/packet=%.2f\n",
		fwd_engine() != NULL ? fwd_engine()->name : "no",
		t.duration_s, t.rx_packets, t.tx_packets,
		t.fwd_dropped, fwd_cycles_per_packet(&t));
	fflush(f);
	period_prev_tsc = now;
}

static void
json_queue_stats(struct vhp_json *w, const struct vhp_app_queue_stats *q,
		 uint16_t id)
{
	vhp_json_obj_begin(w, NULL);
	vhp_json_u64(w, "queue", id);
	vhp_json_u64(w, "rx_packets", q->rx_packets);
	vhp_json_u64(w, "tx_packets", q->tx_packets);
	vhp_json_u64(w, "rx_bytes", q->rx_bytes);
	vhp_json_u64(w, "tx_bytes", q->tx_bytes);
	vhp_json_u64(w, "rx_dropped", q->rx_dropped);
	vhp_json_u64(w, "tx_dropped", q->tx_dropped);
	vhp_json_u64(w, "errors", q->errors);
	vhp_json_u64(w, "notifications", q->notifications);
	vhp_json_u64(w, "notifications_suppressed",
		     q->notifications_suppressed);
	vhp_json_u64(w, "kicks", q->kicks);
	vhp_json_obj_end(w);
}

static void
json_port(struct vhp_json *w, struct vhp_app_port *port)
{
	struct vhp_app_port_stats st;
	struct vhp_app_port_info info;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t q;

	vhp_app_port_stats_get(port, &st);
	vhp_app_port_info_get(port, &info);
	rte_ether_format_addr(mac, sizeof(mac), &info.mac);
	vhp_json_obj_begin(w, NULL);
	vhp_json_u64(w, "id", port->id);
	vhp_json_str(w, "driver", info.driver);
	vhp_json_str(w, "name", info.name);
	vhp_json_str(w, "mac", mac);
	vhp_json_bool(w, "link_up", info.link_up);
	if (port->driver->json != NULL)
		port->driver->json(port, w);
	vhp_json_u64(w, "queues", info.nb_rxq);
	vhp_json_u64(w, "rx_packets", st.rx_packets);
	vhp_json_u64(w, "tx_packets", st.tx_packets);
	vhp_json_u64(w, "rx_bytes", st.rx_bytes);
	vhp_json_u64(w, "tx_bytes", st.tx_bytes);
	vhp_json_u64(w, "rx_dropped", st.rx_dropped);
	vhp_json_u64(w, "tx_dropped", st.tx_dropped);
	vhp_json_u64(w, "errors", st.errors);
	vhp_json_u64(w, "fwd_dropped", fwd_port_dropped(port->id));
	vhp_json_arr_begin(w, "queue_stats");
	for (q = 0; q < st.nb_queues && q < VHP_APP_MAX_QUEUES; q++)
		json_queue_stats(w, &st.queue[q], q);
	vhp_json_arr_end(w);
	vhp_json_obj_end(w);
}

static void
json_streams(struct vhp_json *w)
{
	unsigned int i;

	vhp_json_arr_begin(w, "streams");
	for (i = 0; i < fwd_nb_streams(); i++) {
		const struct fwd_stream *fs = fwd_stream_get(i);

		vhp_json_obj_begin(w, NULL);
		vhp_json_u64(w, "lcore", fs->lcore_id);
		vhp_json_u64(w, "rx_port", fs->rx_port->id);
		vhp_json_u64(w, "rx_queue", fs->rx_queue);
		vhp_json_u64(w, "tx_port", fs->tx_port->id);
		vhp_json_u64(w, "tx_queue", fs->tx_queue);
		vhp_json_u64(w, "rx_packets",
			     fwd_counter_read(&fs->rx_packets));
		vhp_json_u64(w, "tx_packets",
			     fwd_counter_read(&fs->tx_packets));
		vhp_json_u64(w, "fwd_dropped",
			     fwd_counter_read(&fs->fwd_dropped));
		vhp_json_u64(w, "busy_cycles",
			     fwd_counter_read(&fs->busy_cycles));
		vhp_json_obj_end(w);
	}
	vhp_json_arr_end(w);
}

int
stats_json_write(const char *path)
{
	char tmp[4096];
	struct vhp_json w;
	struct fwd_totals t;
	uint16_t i;
	FILE *f;
	int ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path,
			     (int)getpid()) >= sizeof(tmp)) {
		printf("error: --stats-json path too long\n");
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		printf("error: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fwd_totals_get(&t);
	vhp_json_init(&w, f);
	vhp_json_obj_begin(&w, NULL);
	vhp_json_arr_begin(&w, "ports");
	for (i = 0; i < vhp_app_nb_ports(); i++)
		json_port(&w, vhp_app_port_get(i));
	vhp_json_arr_end(&w);
	vhp_json_str(&w, "forward_mode",
		     fwd_engine() != NULL ? fwd_engine()->name : NULL);
	vhp_json_bool(&w, "running", fwd_running());
	vhp_json_double(&w, "cycles_per_packet", fwd_cycles_per_packet(&t));
	vhp_json_u64(&w, "busy_cycles", t.busy_cycles);
	vhp_json_u64(&w, "fwd_packets", t.fwd_packets);
	vhp_json_u64(&w, "fwd_rx_packets", t.rx_packets);
	vhp_json_u64(&w, "fwd_tx_packets", t.tx_packets);
	vhp_json_u64(&w, "fwd_dropped", t.fwd_dropped);
	vhp_json_double(&w, "duration_s", t.duration_s);
	vhp_json_u64(&w, "tsc_hz", t.tsc_hz);
	json_streams(&w);
	fwd_idle_json(&w);
	if (fwd_engine() != NULL && fwd_engine()->json != NULL)
		fwd_engine()->json(&w);
	vhp_json_obj_end(&w);
	ret = vhp_json_finish(&w);
	if (fclose(f) != 0 || ret != 0) {
		printf("error: writing %s failed\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		printf("error: cannot rename %s to %s: %s\n", tmp, path,
		       strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
