/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interactive command line: command tokens, their callbacks, and the
 * prompt loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "cmdline_cli.h"
#include "cmdline_idle.h"
#include "cmdline_int.h"
#include "cmdline_show.h"
#include "event.h"
#include "fwd.h"
#include "fwd_switch.h"
#include "pool.h"
#include "stats.h"
#include "telemetry.h"
#include "vhost/vhost_port.h"

/** Longest command word the engine token accepts. */
#define CLI_WORD_MAX	64

static struct app_config *cli_cfg;
static bool cli_quit;
static unsigned int cli_verbose;

void
cli_quiet_init(void)
{
	int t = rte_log_register("lib.vhostpath");

	cli_verbose = 0;
	/* The library's trace stays as --log-level set it, if it did. */
	if (t < 0 || rte_log_get_level(t) == RTE_LOG_INFO)
		cli_verbose_set(0);
	else
		vhp_app_verbose_set(0);
}

void
cli_init(struct app_config *cfg)
{
	cli_cfg = cfg;
	vhp_switch_mac_age_set(cfg->mac_age);
}

struct app_config *
cli_config(void)
{
	return cli_cfg;
}

bool
cli_port_forwarded(uint16_t port_id)
{
	const struct fwd_stream *fs;
	unsigned int i;

	for (i = 0; (fs = fwd_stream_get(i)) != NULL; i++)
		if (fs->rx_port->id == port_id || fs->tx_port->id == port_id)
			return true;
	return false;
}

bool
cli_quit_requested(void)
{
	return cli_quit;
}

int
cli_ports(const char *arg, uint16_t *first, uint16_t *last)
{
	uint16_t n = vhp_app_nb_ports();
	unsigned long id;
	char *end;

	if (strcmp(arg, "all") == 0) {
		*first = 0;
		*last = n - 1;
		return n == 0 ? -1 : 0;
	}
	errno = 0;
	id = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    id >= n) {
		printf("Invalid port id '%s': expected 'all' or 0..%u\n", arg,
		       n - 1);
		return -1;
	}
	*first = (uint16_t)id;
	*last = (uint16_t)id;
	return 0;
}

bool
cli_stopped_or_say(void)
{
	if (!fwd_running())
		return true;
	printf("Packet forwarding is running: please stop forwarding first "
	       "(stop)\n");
	return false;
}

int
cli_reconfigure(void)
{
	int ret;

	app_state_lock();
	ret = fwd_config_setup(cli_cfg);
	if (ret == 0)
		ret = fwd_streams_init();
	app_state_unlock();
	return ret;
}

/* Rewrite the --stats-json file (forwarding started or stopped). */
static void
cli_json(void)
{
	if (cli_cfg != NULL && cli_cfg->stats_json != NULL)
		stats_json_write(cli_cfg->stats_json);
}

int
cli_fwd_start(uint32_t tx_first_bursts)
{
	struct vhp_app_port *port;
	uint16_t i;
	int ret;

	if (fwd_running()) {
		printf("Packet forwarding already started\n");
		return -EBUSY;
	}
	for (i = 0; i < vhp_app_nb_ports(); i++) {
		port = vhp_app_port_get(i);
		if (!port->started) {
			printf("error: port %u is stopped; run 'port start %u'"
			       " (or 'port start all') first\n", i, i);
			return -EINVAL;
		}
	}
	fwd_config_show(stdout);
	stats_fwd_begin();
	ret = fwd_start_tx_first(tx_first_bursts);
	if (ret != 0)
		printf("error: cannot start forwarding: %s\n", strerror(-ret));
	cli_json();
	return ret;
}

void
cli_fwd_stop(void)
{
	if (!fwd_running()) {
		printf("Packet forwarding not started\n");
		return;
	}
	printf("Telling cores to stop...\nWaiting for lcores to finish...\n");
	fwd_stop();
	stats_fwd_show(stdout);
	cli_json();
	printf("\nDone.\n");
}

/* ------------------------------------------------------------------ */
/* Token listing the forwarding engines (completion from the table).   */

static int
engine_tok_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
		 unsigned int size)
{
	const struct fwd_engine *e;
	char word[CLI_WORD_MAX];
	unsigned int len = 0;

	RTE_SET_USED(tk);
	if (buf == NULL)
		return -1;
	while (!cmdline_isendoftoken(buf[len])) {
		if (len + 1 >= sizeof(word))
			return -1;
		word[len] = buf[len];
		len++;
	}
	word[len] = '\0';
	if (len == 0)
		return -1;
	e = fwd_engine_find(word);
	if (e == NULL)
		return -1;
	if (res != NULL) {
		if (size < sizeof(e))
			return -1;
		memcpy(res, &e, sizeof(e));
	}
	return (int)len;
}

static int
engine_tok_nb(cmdline_parse_token_hdr_t *tk)
{
	unsigned int n = 0;

	RTE_SET_USED(tk);
	while (fwd_engine_get(n) != NULL)
		n++;
	return (int)n;
}

static int
engine_tok_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst,
	       unsigned int size)
{
	const struct fwd_engine *e;

	RTE_SET_USED(tk);
	e = idx >= 0 ? fwd_engine_get((unsigned int)idx) : NULL;
	if (e == NULL || strlen(e->name) >= size)
		return -1;
	strcpy(dst, e->name);
	return 0;
}

static int
engine_tok_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	const struct fwd_engine *e;
	size_t len = 0;
	unsigned int i;

	RTE_SET_USED(tk);
	if (size == 0)
		return -1;
	dst[0] = '\0';
	for (i = 0; (e = fwd_engine_get(i)) != NULL; i++) {
		len += snprintf(dst + len, len < size ? size - len : 0, "%s%s",
				i == 0 ? "" : "|", e->name);
		if (len >= size)
			break;
	}
	return 0;
}

static struct cmdline_token_ops engine_tok_ops = {
	.parse = engine_tok_parse,
	.complete_get_nb = engine_tok_nb,
	.complete_get_elt = engine_tok_elt,
	.get_help = engine_tok_help,
};

#define TOKEN_ENGINE_INITIALIZER(structure, field) \
	{ &engine_tok_ops, offsetof(structure, field) }

/* ------------------------------------------------------------------ */
/* Results of the commands (one structure per word layout).            */

struct res_engine {
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	const struct fwd_engine *engine;
};

/* ------------------------------------------------------------------ */
/* Callbacks.                                                          */

static void
cmd_start_cb(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	cli_fwd_start(0);
	fflush(stdout);
}

static void
cmd_start_tx_first_cb(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	cli_fwd_start(1);
	fflush(stdout);
}

static void
cmd_start_tx_first_n_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_num *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (r->n == 0)
		printf("Invalid number of tx_first bursts 0: expected >= 1\n");
	else
		cli_fwd_start(r->n);
	fflush(stdout);
}

static void
cmd_stop_cb(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	cli_fwd_stop();
	fflush(stdout);
}

static void
cmd_set_fwd_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_engine *r = res;
	const char *old = cli_cfg->fwd_mode;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_stopped_or_say()) {
		cli_cfg->fwd_mode = r->engine->name;
		if (cli_reconfigure() == 0) {
			printf("Set %s packet forwarding mode\n",
			       r->engine->name);
		} else {
			cli_cfg->fwd_mode = old;
			cli_reconfigure();
		}
	}
	fflush(stdout);
}

static void
cmd_set_burst_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_num *r = res;
	uint16_t old = cli_cfg->burst;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (r->n < 1 || r->n > APP_MAX_BURST) {
		printf("Invalid burst %u: expected 1..%d\n", r->n,
		       APP_MAX_BURST);
	} else if (cli_stopped_or_say()) {
		cli_cfg->burst = (uint16_t)r->n;
		if (cli_reconfigure() == 0) {
			printf("Number of packets per burst set to %u\n", r->n);
		} else {
			cli_cfg->burst = old;
			cli_reconfigure();
		}
	}
	fflush(stdout);
}

static void
cmd_set_nbcore_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_num *r = res;
	unsigned int old = cli_cfg->nb_cores;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (r->n < 1 || r->n > rte_lcore_count() - 1) {
		printf("Invalid number of forwarding cores %u: expected "
		       "1..%u (EAL worker lcores; give more with -l)\n", r->n,
		       rte_lcore_count() - 1);
	} else if (cli_stopped_or_say()) {
		cli_cfg->nb_cores = r->n;
		if (cli_reconfigure() == 0) {
			printf("Number of forwarding cores set to %u\n", r->n);
		} else {
			cli_cfg->nb_cores = old;
			cli_reconfigure();
		}
	}
	fflush(stdout);
}

/* "LEN[,LEN...]": segment lengths, summed into one frame. */
static int
parse_txpkts(const char *s, unsigned int *total, unsigned int *nb_segs)
{
	unsigned long v;
	char *end;

	*total = 0;
	*nb_segs = 0;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || v == 0 || v > UINT16_MAX)
			return -EINVAL;
		*total += (unsigned int)v;
		(*nb_segs)++;
		if (*total > UINT16_MAX)
			return -EINVAL;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}

static void
cmd_set_txpkts_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	uint32_t room = cli_cfg->mbuf_size != 0 ? cli_cfg->mbuf_size :
		VHP_APP_POOL_DEFAULT_MBUF_SIZE;
	unsigned int total, nb_segs;
	uint16_t old = cli_cfg->txpkts;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (parse_txpkts(r->w3, &total, &nb_segs) != 0) {
		printf("Invalid txpkts '%s': expected LEN[,LEN...] (bytes, "
		       "each >= 1)\n", r->w3);
	} else if (total < APP_MIN_TXPKTS ||
		   total + RTE_PKTMBUF_HEADROOM > room) {
		printf("Invalid txpkts total %u: expected %d..%u bytes (one "
		       "mbuf of %u B with %u B headroom)\n", total,
		       APP_MIN_TXPKTS, room - RTE_PKTMBUF_HEADROOM, room,
		       RTE_PKTMBUF_HEADROOM);
	} else if (cli_stopped_or_say()) {
		cli_cfg->txpkts = (uint16_t)total;
		if (cli_reconfigure() == 0) {
			printf("txpkts set to %u bytes%s\n", total, nb_segs > 1 ?
			       " (segments summed into one single-segment "
			       "frame)" : "");
		} else {
			cli_cfg->txpkts = old;
			cli_reconfigure();
		}
	}
	fflush(stdout);
}

static void
cmd_set_record_cycles_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_stopped_or_say()) {
		fwd_record_cycles_set(strcmp(r->w3, "on") == 0);
		printf("record-core-cycles %s\n", r->w3);
	}
	fflush(stdout);
}

static void
cmd_set_promisc_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	uint16_t first, last, i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w3, &first, &last) == 0) {
		for (i = first; i <= last; i++)
			printf("Port %u: promiscuous mode is always on (a "
			       "vhost-user port receives every frame the "
			       "guest sends)%s\n", i, strcmp(r->w4, "off") == 0
			       ? "; 'off' has no effect" : "");
	}
	fflush(stdout);
}

static void
cmd_show_config_fwd_cb(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	fwd_config_show(stdout);
	printf("burst=%u txpkts=%u nb-cores=%u record-core-cycles=%s "
	       "forwarding=%s\n", cli_cfg->burst, cli_cfg->txpkts,
	       cli_cfg->nb_cores, fwd_record_cycles() ? "on" : "off",
	       fwd_running() ? "started" : "stopped");
	fflush(stdout);
}

static void
cmd_mac_table_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (strcmp(r->w1, "show") == 0) {
		vhp_switch_mac_table_dump(stdout);
	} else if (vhp_switch_mac_table_flush() != 0) {
		printf("Please stop forwarding first: the switch lcore owns "
		       "the MAC table while it runs\n");
	} else {
		printf("MAC table cleared (static entries kept)\n");
	}
	fflush(stdout);
}

/* Run @p fn on each port of "all|P". */
static void
for_ports(const char *arg, void (*fn)(FILE *f, struct vhp_app_port *port))
{
	uint16_t first, last, i;

	if (cli_ports(arg, &first, &last) == 0)
		for (i = first; i <= last; i++)
			fn(stdout, vhp_app_port_get(i));
	fflush(stdout);
}

static void
cmd_show_port_info_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	for_ports(r->w4, cli_show_port_info);
}

static void
cmd_show_port_stats_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	for_ports(r->w4, cli_show_port_stats);
}

static void
cmd_show_port_xstats_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	for_ports(r->w4, cli_show_port_xstats);
}

static void
cmd_clear_port_stats_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	uint16_t first, last;

	if (cli_ports(r->w4, &first, &last) != 0) {
		fflush(stdout);
		return;
	}
	for_ports(r->w4, cli_clear_port_stats);
	/* One base: forward statistics count from the cleared counters. */
	stats_fwd_rebase();
}

/*
 * True when forwarding may go on while ports [first, last] stop or start:
 * no stream uses them (e.g. attached while forwarding).
 */
static bool
port_stop_unused(uint16_t first, uint16_t last)
{
	uint16_t i;

	if (!fwd_running())
		return false;
	for (i = first; i <= last; i++)
		if (cli_port_forwarded(i))
			return false;
	return true;
}

static void
cmd_port_stop_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	uint16_t first, last, i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w3, &first, &last) == 0 &&
	    (port_stop_unused(first, last) || cli_stopped_or_say())) {
		printf("Stopping ports...\n");
		app_state_lock();
		for (i = first; i <= last; i++)
			vhp_app_port_stop(vhp_app_port_get(i));
		app_state_unlock();
		printf("Done\n");
	}
	fflush(stdout);
}

static void
cmd_port_start_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	uint16_t first, last, i;
	int ret = 0;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w3, &first, &last) == 0 &&
	    (port_stop_unused(first, last) || cli_stopped_or_say())) {
		app_state_lock();
		for (i = first; i <= last && ret == 0; i++)
			ret = vhp_app_port_start(vhp_app_port_get(i));
		app_state_unlock();
		if (ret == 0)
			printf("Done\n");
		else
			printf("Fail to start port %u\n", i - 1);
	}
	fflush(stdout);
}

static void
cmd_show_vhost_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	uint16_t first, last, i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w3, &first, &last) == 0)
		for (i = first; i <= last; i++)
			if (cli_show_vhost(stdout, vhp_app_port_get(i)) != 0)
				printf("Port %u is not a vhost port\n", i);
	fflush(stdout);
}

static void
cmd_show_vhost_stats_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	uint16_t first, last, i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w4, &first, &last) == 0)
		for (i = first; i <= last; i++)
			if (cli_show_vhost_stats(stdout,
						 vhp_app_port_get(i)) != 0)
				printf("Port %u is not a vhost port\n", i);
	fflush(stdout);
}

static void
cmd_fwd_stats_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (strcmp(r->w1, "show") == 0) {
		stats_fwd_show(stdout);
	} else {
		stats_fwd_rebase();
		printf("\n  Forward statistics cleared (they count from "
		       "now)\n");
	}
	fflush(stdout);
}

static void
cmd_show_config_rxtx_cb(void *res, struct cmdline *cl, void *data)
{
	const struct fwd_engine *e = fwd_engine();
	struct vhp_app_port *port;
	uint16_t i;

	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("  %s packet forwarding packets/burst=%u\n",
	       e != NULL ? e->name : "no", cli_cfg->burst);
	printf("  nb forwarding cores=%u - nb forwarding ports=%u\n",
	       cli_cfg->nb_cores, vhp_app_nb_ports());
	printf("  txpkts=%u tx-retry=%u mbufs per pool=%u mbuf size=%u\n",
	       cli_cfg->txpkts, cli_cfg->tx_retry,
	       cli_cfg->nb_mbufs != 0 ? cli_cfg->nb_mbufs :
	       VHP_APP_POOL_DEFAULT_MBUFS, cli_cfg->mbuf_size != 0 ?
	       cli_cfg->mbuf_size : VHP_APP_POOL_DEFAULT_MBUF_SIZE);
	for (i = 0; i < vhp_app_nb_ports(); i++) {
		port = vhp_app_port_get(i);
		printf("  port %u (%s): RX queue number: %u Tx queue number: "
		       "%u\n", i, port->driver->name, port->nb_rxq,
		       port->nb_txq);
		if (port->driver == &vhp_vhost_driver)
			printf("    ring sizes and offloads are the front-end's"
			       " choice: see 'show vhost %u'\n", i);
	}
	fflush(stdout);
}

static void
cmd_set_verbose_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_num *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("Change verbose level from %u to %u\n", cli_verbose, r->n);
	cli_verbose = r->n;
	cli_verbose_set(r->n);
	printf("  %s\n", r->n == 0 ? "one line per link event" : r->n == 1 ?
	       "link events, vring state changes and the vhost-user "
	       "protocol trace" : "all that and the library's debug "
	       "messages");
	fflush(stdout);
}

/* A log level name (emerg..debug) or number 1..8; 0 when bad. */
static uint32_t
log_level_parse(const char *s)
{
	static const char *const names[] = { "emerg", "alert", "crit",
		"err", "warning", "notice", "info", "debug" };
	unsigned long n;
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++)
		if (strcasecmp(s, names[i]) == 0)
			return i + 1;
	if (vhp_app_parse_uint(s, RTE_LOG_EMERG, RTE_LOG_DEBUG, &n) == 0)
		return (uint32_t)n;
	return 0;
}

static void
cmd_set_log_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	uint32_t level = log_level_parse(r->w4);
	int ret;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (level == 0) {
		printf("Invalid log level '%s': expected emerg, alert, crit, "
		       "err, warning, notice, info, debug or 1..8\n", r->w4);
	} else if (strcmp(r->w3, "global") == 0) {
		rte_log_set_global_level(level);
		printf("Global log level set to %s\n", r->w4);
	} else {
		ret = rte_log_set_level_pattern(r->w3, level);
		if (ret != 0)
			printf("Cannot set log level of '%s': %s\n", r->w3,
			       strerror(-ret));
		else
			printf("Log level of '%s' set to %s (e.g. "
			       "lib.vhostpath, lib.vhostpath.*, pmd.*)\n",
			       r->w3, r->w4);
	}
	fflush(stdout);
}

static void
cmd_set_xstats_hide_zero_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	cli_xstats_hide_zero_set(strcmp(r->w3, "on") == 0);
	printf("xstats-hide-zero %s\n", r->w3);
	fflush(stdout);
}

/* dpdk-testpmd commands vhp-testpmd has not, and why. */
static const struct {
	const char *words;	/* first words, space separated */
	const char *why;
} unsupported[] = {
	{ "flow", "vhost-user ports have no flow engine (rte_flow needs "
	  "NIC hardware)" },
	{ "vlan", "VLAN filtering and stripping are NIC offloads; frames "
	  "pass with their tags" },
	{ "rx_vlan", "VLAN offloads are NIC hardware features" },
	{ "tx_vlan", "VLAN insertion is a NIC offload" },
	{ "csum", "checksum offloads are negotiated with the guest "
	  "(features-off=... on --vhost), not set per port" },
	{ "tso", "TSO is negotiated with the guest (HOST_TSO4/6, "
	  "GUEST_TSO4/6); vhost ports segment in software when needed" },
	{ "gso", "segmentation follows the guest's features (see tso)" },
	{ "gro", "no GRO engine: the guest's MRG_RXBUF takes large frames" },
	{ "ptype", "packet types are not parsed by the vhost driver" },
	{ "mcast_addr", "vhost ports are always promiscuous: every frame "
	  "the guest sends is received" },
	{ "set allmulti", "vhost ports are always promiscuous" },
	{ "set flow_ctrl", "a virtio ring has no pause frames" },
	{ "set link-up", "the link follows the front-end's DRIVER_OK "
	  "status (port stop/start closes and opens the socket)" },
	{ "set link-down", "the link follows the front-end (port stop "
	  "closes the socket)" },
	{ "set stat_qmap", "every queue has its own counters (show port "
	  "xstats)" },
	{ "set portlist", "every port forwards; pairs are 0<->1, 2<->3" },
	{ "set corelist", "forwarding lcores are the EAL workers (-l), "
	  "see set nbcore" },
	{ "set coremask", "forwarding lcores are the EAL workers (-l)" },
	{ "set portmask", "every port forwards" },
	{ "set numa", "a port's mbufs come from the node of its polling "
	  "lcore" },
	{ "set rxpkts", "received frames are sized by the guest" },
	{ "set txsplit", "txonly frames are one segment" },
	{ "set bonding", "no bonding driver" },
	{ "set vf", "no virtual functions on vhost ports" },
	{ "port config", "queues are set by --vhost queues=N; rings, MTU "
	  "and offloads by the front-end" },
	{ "port reset", "use port stop P and port start P" },
	{ "port close", "use port stop P, then port detach P" },
	{ "show port rss-hash", "no RSS: the guest picks the queue" },
	{ "show port fec", "no forward error correction on a virtio ring" },
	{ "show port cap", "vhost capabilities are the negotiated features:"
	  " show vhost P" },
	{ "show rxq", "ring state of each queue: show vhost P" },
	{ "show txq", "ring state of each queue: show vhost P" },
	{ "show device", "devices are the ports: show port summary all" },
	{ "show bonding", "no bonding driver" },
};

/*
 * If the line being entered is a dpdk-testpmd command we have not, say so
 * and why, and empty the line (it is kept in the history). Checked before
 * the command parser sees the line, so these commands never show up in
 * TAB completion.
 */
static bool
cli_unsupported_line(struct cmdline *cl)
{
	struct rdline *rdl = cmdline_get_rdline(cl);
	const char *line = rdline_get_buffer(rdl), *p, *w;
	unsigned int i;
	size_t len;

	if (line == NULL)
		return false;
	for (i = 0; i < RTE_DIM(unsupported); i++) {
		/* Each word of the entry, in order, spaces between. */
		p = line;
		for (w = unsupported[i].words; *w != '\0'; w += len) {
			while (*p == ' ' || *p == '\t')
				p++;
			while (*w == ' ')
				w++;
			len = strcspn(w, " ");
			if (strncmp(p, w, len) != 0 ||
			    (p[len] != '\0' && p[len] != ' ' &&
			     p[len] != '\t' && p[len] != '\n' &&
			     p[len] != '\r'))
				break;
			p += len;
		}
		if (*w != '\0')
			continue;
		rdline_add_history(rdl, line);
		printf("\n'%s' is not supported by vhp-testpmd: %s",
		       unsupported[i].words, unsupported[i].why);
		fflush(stdout);
		rdline_reset(rdl);
		return true;
	}
	return false;
}

static void
cmd_quit_cb(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(data);
	cli_quit = true;
	cmdline_quit(cl);	/* no new prompt after quit */
}

static void cmd_help_cb(void *res, struct cmdline *cl, void *data);

/* ------------------------------------------------------------------ */
/* Instructions. help_str is "SYNTAX: description".                    */

/* start */
static cmdline_parse_token_string_t t_start =
	STR_TOK(res_w1, w1, "start");
static cmdline_parse_inst_t cmd_start = {
	.f = cmd_start_cb,
	.help_str = "start: start packet forwarding",
	.tokens = { (void *)&t_start, NULL },
};

/* start tx_first [N] */
static cmdline_parse_token_string_t t_start2 =
	STR_TOK(res_w2, w1, "start");
static cmdline_parse_token_string_t t_tx_first =
	STR_TOK(res_w2, w2, "tx_first");
static cmdline_parse_inst_t cmd_start_tx_first = {
	.f = cmd_start_tx_first_cb,
	.help_str = "start tx_first: start forwarding after one txonly "
		"burst per stream",
	.tokens = { (void *)&t_start2, (void *)&t_tx_first, NULL },
};

static cmdline_parse_token_string_t t_start3 =
	STR_TOK(res_num, w1, "start");
static cmdline_parse_token_string_t t_tx_first3 =
	STR_TOK(res_num, w2, "tx_first");
static cmdline_parse_token_num_t t_tx_first_n =
	TOKEN_NUM_INITIALIZER(struct res_num, n, RTE_UINT32);
static cmdline_parse_inst_t cmd_start_tx_first_n = {
	.f = cmd_start_tx_first_n_cb,
	.help_str = "start tx_first N: start forwarding after N txonly "
		"bursts per stream",
	.tokens = { (void *)&t_start3, (void *)&t_tx_first3,
		    (void *)&t_tx_first_n, NULL },
};

/* stop */
static cmdline_parse_token_string_t t_stop = STR_TOK(res_w1, w1, "stop");
static cmdline_parse_inst_t cmd_stop = {
	.f = cmd_stop_cb,
	.help_str = "stop: stop forwarding and print the forward statistics",
	.tokens = { (void *)&t_stop, NULL },
};

/* set fwd MODE */
static cmdline_parse_token_string_t t_set_e = STR_TOK(res_engine, w1, "set");
static cmdline_parse_token_string_t t_fwd = STR_TOK(res_engine, w2, "fwd");
static struct cmdline_token_hdr t_engine =
	TOKEN_ENGINE_INITIALIZER(struct res_engine, engine);
static cmdline_parse_inst_t cmd_set_fwd = {
	.f = cmd_set_fwd_cb,
	.help_str = "set fwd MODE: set the forwarding mode (TAB lists the "
		"modes)",
	.tokens = { (void *)&t_set_e, (void *)&t_fwd, &t_engine, NULL },
};

/* set burst N, set nbcore N */
static cmdline_parse_token_string_t t_set_n = STR_TOK(res_num, w1, "set");
static cmdline_parse_token_string_t t_burst = STR_TOK(res_num, w2, "burst");
static cmdline_parse_token_num_t t_num =
	TOKEN_NUM_INITIALIZER(struct res_num, n, RTE_UINT32);
static cmdline_parse_inst_t cmd_set_burst = {
	.f = cmd_set_burst_cb,
	.help_str = "set burst N: packets per burst (1..512)",
	.tokens = { (void *)&t_set_n, (void *)&t_burst, (void *)&t_num,
		    NULL },
};

static cmdline_parse_token_string_t t_nbcore =
	STR_TOK(res_num, w2, "nbcore");
static cmdline_parse_inst_t cmd_set_nbcore = {
	.f = cmd_set_nbcore_cb,
	.help_str = "set nbcore N: number of forwarding lcores",
	.tokens = { (void *)&t_set_n, (void *)&t_nbcore, (void *)&t_num,
		    NULL },
};

/* set txpkts LEN[,LEN...] */
static cmdline_parse_token_string_t t_set3 = STR_TOK(res_w3, w1, "set");
static cmdline_parse_token_string_t t_txpkts = STR_TOK(res_w3, w2, "txpkts");
static cmdline_parse_token_string_t t_any3 = STR_TOK(res_w3, w3, NULL);
static cmdline_parse_inst_t cmd_set_txpkts = {
	.f = cmd_set_txpkts_cb,
	.help_str = "set txpkts LEN[,LEN...]: txonly/tx_first frame length "
		"(segment lengths are summed)",
	.tokens = { (void *)&t_set3, (void *)&t_txpkts, (void *)&t_any3,
		    NULL },
};

/* set record-core-cycles on|off */
static cmdline_parse_token_string_t t_rcc =
	STR_TOK(res_w3, w2, "record-core-cycles");
static cmdline_parse_token_string_t t_onoff3 = STR_TOK(res_w3, w3, "on#off");
static cmdline_parse_inst_t cmd_set_record_cycles = {
	.f = cmd_set_record_cycles_cb,
	.help_str = "set record-core-cycles on|off: count CPU cycles per "
		"packet (default on)",
	.tokens = { (void *)&t_set3, (void *)&t_rcc, (void *)&t_onoff3,
		    NULL },
};

/* set promisc all|P on|off */
static cmdline_parse_token_string_t t_set4 = STR_TOK(res_w4, w1, "set");
static cmdline_parse_token_string_t t_promisc =
	STR_TOK(res_w4, w2, "promisc");
static cli_port_token_t t_any4_3 = PORT_TOK(res_w4, w3);
static cmdline_parse_token_string_t t_onoff4 = STR_TOK(res_w4, w4, "on#off");
static cmdline_parse_inst_t cmd_set_promisc = {
	.f = cmd_set_promisc_cb,
	.help_str = "set promisc all|P on|off: accepted; vhost ports are "
		"always promiscuous",
	.tokens = { (void *)&t_set4, (void *)&t_promisc, (void *)&t_any4_3,
		    (void *)&t_onoff4, NULL },
};

/* show config fwd */
static cmdline_parse_token_string_t t_show3 = STR_TOK(res_w3, w1, "show");
static cmdline_parse_token_string_t t_config = STR_TOK(res_w3, w2, "config");
static cmdline_parse_token_string_t t_cfg_fwd = STR_TOK(res_w3, w3, "fwd");
static cmdline_parse_inst_t cmd_show_config_fwd = {
	.f = cmd_show_config_fwd_cb,
	.help_str = "show config fwd: streams, lcores and forwarding "
		"settings",
	.tokens = { (void *)&t_show3, (void *)&t_config, (void *)&t_cfg_fwd,
		    NULL },
};

/* show|clear mac table (switch engine) */
static cmdline_parse_token_string_t t_showclear3 =
	STR_TOK(res_w3, w1, "show#clear");
static cmdline_parse_token_string_t t_mac = STR_TOK(res_w3, w2, "mac");
static cmdline_parse_token_string_t t_table = STR_TOK(res_w3, w3, "table");
static cmdline_parse_inst_t cmd_mac_table = {
	.f = cmd_mac_table_cb,
	.help_str = "show|clear mac table: the switch engine's learned MAC "
		"addresses (port, age)",
	.tokens = { (void *)&t_showclear3, (void *)&t_mac, (void *)&t_table,
		    NULL },
};

/* show port info|stats|xstats all|P, clear port stats all|P */
static cmdline_parse_token_string_t t_show4 = STR_TOK(res_w4, w1, "show");
static cmdline_parse_token_string_t t_port4 = STR_TOK(res_w4, w2, "port");
static cli_port_token_t t_any4 = PORT_TOK(res_w4, w4);
static cmdline_parse_token_string_t t_info = STR_TOK(res_w4, w3, "info");
static cmdline_parse_token_string_t t_stats4 = STR_TOK(res_w4, w3, "stats");
static cmdline_parse_token_string_t t_xstats = STR_TOK(res_w4, w3, "xstats");
static cmdline_parse_token_string_t t_clear = STR_TOK(res_w4, w1, "clear");

static cmdline_parse_inst_t cmd_show_port_info = {
	.f = cmd_show_port_info_cb,
	.help_str = "show port info all|P: port MAC, name, driver, link, "
		"queues",
	.tokens = { (void *)&t_show4, (void *)&t_port4, (void *)&t_info,
		    (void *)&t_any4, NULL },
};

static cmdline_parse_inst_t cmd_show_port_stats = {
	.f = cmd_show_port_stats_cb,
	.help_str = "show port stats all|P: port counters and throughput "
		"since the last show",
	.tokens = { (void *)&t_show4, (void *)&t_port4, (void *)&t_stats4,
		    (void *)&t_any4, NULL },
};

static cmdline_parse_inst_t cmd_show_port_xstats = {
	.f = cmd_show_port_xstats_cb,
	.help_str = "show port xstats all|P: every counter: per queue, "
		"per vring, error reasons, notifications",
	.tokens = { (void *)&t_show4, (void *)&t_port4, (void *)&t_xstats,
		    (void *)&t_any4, NULL },
};

static cmdline_parse_inst_t cmd_clear_port_stats = {
	.f = cmd_clear_port_stats_cb,
	.help_str = "clear port stats all|P: zero the port counters",
	.tokens = { (void *)&t_clear, (void *)&t_port4, (void *)&t_stats4,
		    (void *)&t_any4, NULL },
};

/* port stop|start all|P */
static cmdline_parse_token_string_t t_port3 = STR_TOK(res_w3, w1, "port");
static cmdline_parse_token_string_t t_pstop = STR_TOK(res_w3, w2, "stop");
static cmdline_parse_token_string_t t_pstart = STR_TOK(res_w3, w2, "start");
static cli_port_token_t t_port_arg3 = PORT_TOK(res_w3, w3);

static cmdline_parse_inst_t cmd_port_stop = {
	.f = cmd_port_stop_cb,
	.help_str = "port stop all|P: close the port (a vhost port "
		"disconnects and removes its socket)",
	.tokens = { (void *)&t_port3, (void *)&t_pstop, (void *)&t_port_arg3,
		    NULL },
};

static cmdline_parse_inst_t cmd_port_start = {
	.f = cmd_port_start_cb,
	.help_str = "port start all|P: open the port again",
	.tokens = { (void *)&t_port3, (void *)&t_pstart, (void *)&t_port_arg3,
		    NULL },
};

/* show vhost P, show vhost stats P */
static cmdline_parse_token_string_t t_vhost3 = STR_TOK(res_w3, w2, "vhost");
static cmdline_parse_inst_t cmd_show_vhost = {
	.f = cmd_show_vhost_cb,
	.help_str = "show vhost all|P: socket, mode, status, features, "
		"ring format and vring indexes",
	.tokens = { (void *)&t_show3, (void *)&t_vhost3, (void *)&t_port_arg3,
		    NULL },
};

static cmdline_parse_token_string_t t_vhost4 = STR_TOK(res_w4, w2, "vhost");
static cmdline_parse_inst_t cmd_show_vhost_stats = {
	.f = cmd_show_vhost_stats_cb,
	.help_str = "show vhost stats all|P: counters of every vring",
	.tokens = { (void *)&t_show4, (void *)&t_vhost4, (void *)&t_stats4,
		    (void *)&t_any4, NULL },
};

/* show|clear fwd stats all */
static cmdline_parse_token_string_t t_fs_w1 = STR_TOK(res_w4, w1, "show#clear");
static cmdline_parse_token_string_t t_fs_fwd = STR_TOK(res_w4, w2, "fwd");
static cmdline_parse_token_string_t t_fs_stats = STR_TOK(res_w4, w3, "stats");
static cmdline_parse_token_string_t t_fs_all = STR_TOK(res_w4, w4, "all");
static cmdline_parse_inst_t cmd_fwd_stats = {
	.f = cmd_fwd_stats_cb,
	.help_str = "show|clear fwd stats all: the forward statistics of "
		"'stop' while forwarding runs, or count them from now",
	.tokens = { (void *)&t_fs_w1, (void *)&t_fs_fwd, (void *)&t_fs_stats,
		    (void *)&t_fs_all, NULL },
};

/* show config rxtx */
static cmdline_parse_token_string_t t_cfg_rxtx = STR_TOK(res_w3, w3, "rxtx");
static cmdline_parse_inst_t cmd_show_config_rxtx = {
	.f = cmd_show_config_rxtx_cb,
	.help_str = "show config rxtx: burst, cores, mbufs and the queues "
		"of each port",
	.tokens = { (void *)&t_show3, (void *)&t_config, (void *)&t_cfg_rxtx,
		    NULL },
};

/* set verbose N */
static cmdline_parse_token_string_t t_verbose =
	STR_TOK(res_num, w2, "verbose");
static cmdline_parse_inst_t cmd_set_verbose = {
	.f = cmd_set_verbose_cb,
	.help_str = "set verbose N: 0 one line per link event (default "
		"with -i), 1 + vring changes and protocol trace, 2 + debug",
	.tokens = { (void *)&t_set_n, (void *)&t_verbose, (void *)&t_num,
		    NULL },
};

/* set log TYPE|global LEVEL */
static cmdline_parse_token_string_t t_log = STR_TOK(res_w4, w2, "log");
static cmdline_parse_token_string_t t_log_type = STR_TOK(res_w4, w3, NULL);
static cmdline_parse_token_string_t t_log_level = STR_TOK(res_w4, w4, NULL);
static cmdline_parse_inst_t cmd_set_log = {
	.f = cmd_set_log_cb,
	.help_str = "set log global|TYPE LEVEL: EAL log level of a type "
		"pattern (lib.vhostpath, pmd.*) or of all",
	.tokens = { (void *)&t_set4, (void *)&t_log, (void *)&t_log_type,
		    (void *)&t_log_level, NULL },
};

/* set xstats-hide-zero on|off */
static cmdline_parse_token_string_t t_xhz =
	STR_TOK(res_w3, w2, "xstats-hide-zero");
static cmdline_parse_inst_t cmd_set_xstats_hide_zero = {
	.f = cmd_set_xstats_hide_zero_cb,
	.help_str = "set xstats-hide-zero on|off: leave zero counters out "
		"of show port xstats",
	.tokens = { (void *)&t_set3, (void *)&t_xhz, (void *)&t_onoff3,
		    NULL },
};

/* quit, help */
static cmdline_parse_token_string_t t_quit = STR_TOK(res_w1, w1, "quit");
static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_cb,
	.help_str = "quit: stop forwarding, close the ports and exit",
	.tokens = { (void *)&t_quit, NULL },
};

static cmdline_parse_token_string_t t_help = STR_TOK(res_w1, w1, "help");
static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_cb,
	.help_str = "help: list the commands",
	.tokens = { (void *)&t_help, NULL },
};

static cmdline_parse_ctx_t cli_ctx[] = {
	&cmd_start,
	&cmd_start_tx_first,
	&cmd_start_tx_first_n,
	&cmd_stop,
	&cmd_set_fwd,
	&cmd_set_burst,
	&cmd_set_txpkts,
	&cmd_set_nbcore,
	&cmd_set_record_cycles,
	&cmd_set_promisc,
	&cmd_show_config_fwd,
	&cmd_show_port_info,
	&cmd_show_port_stats,
	&cmd_show_port_xstats,
	&cmd_clear_port_stats,
	&cmd_port_stop,
	&cmd_port_start,
	&cmd_show_vhost,
	&cmd_show_vhost_stats,
	&cmd_mac_table,
	&cmd_set_idle_mode,
	&cmd_set_idle_mode_n,
	&cmd_show_idle,
	&cmd_fwd_stats,
	&cmd_show_config_rxtx,
	&cmd_show_port_summary,
	&cmd_set_verbose,
	&cmd_set_log,
	&cmd_set_xstats_hide_zero,
	&cmd_set_eth_peer,
	&cmd_mac_addr_set,
	&cmd_port_attach,
	&cmd_port_detach,
	&cmd_mac_table_add,
	&cmd_mac_table_del,
	&cmd_quit,
	&cmd_help,
	NULL,
};

/* Print the syntax (text before ": ") of every command. */
void
cli_list_commands(FILE *f)
{
	const char *h, *colon;
	unsigned int i;

	for (i = 0; cli_ctx[i] != NULL; i++) {
		h = cli_ctx[i]->help_str;
		if (h == NULL)
			continue;	/* not a command of ours */
		colon = strstr(h, ": ");
		fprintf(f, "%.*s\n", colon != NULL ? (int)(colon - h) :
			(int)strlen(h), h);
	}
}

static void
cmd_help_cb(void *res, struct cmdline *cl, void *data)
{
	const char *h, *colon;
	unsigned int i;

	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("\nCommands (P is a port id; TAB completes, arrows recall "
	       "history):\n\n");
	for (i = 0; cli_ctx[i] != NULL; i++) {
		h = cli_ctx[i]->help_str;
		if (h == NULL)
			continue;
		colon = strstr(h, ": ");
		if (colon == NULL)
			printf("  %s\n", h);
		else
			printf("  %-32.*s %s\n", (int)(colon - h), h,
			       colon + 2);
	}
	printf("\nForwarding modes: ");
	app_fwd_modes_print(stdout, " ");
	printf("\n\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Prompt loop.                                                        */

/*
 * Feed the command line from @p fd until quit, end of input, or @p tick
 * says stop. Returns 0, or -errno on a read error.
 */
static int
cli_loop(struct cmdline *cl, int fd, cli_tick_t tick, void *arg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[256], last = '\n';
	bool tty = isatty(fd) != 0;
	ssize_t n, i;
	int ret;

	while (!cli_quit) {
		if (tick != NULL && !tick(arg))
			return 0;
		/* Events and log lines of other threads, between keys. */
		cli_async_drain(cl, tty);
		ret = poll(&pfd, 1, 100);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0) {
			/* End of input: run an unterminated last line. */
			if (last != '\n' && last != '\r')
				cmdline_in(cl, "\n", 1);
			return 0;
		}
		for (i = 0; i < n && !cli_quit; i++) {
			if (buf[i] == 0x03) {	/* Ctrl-C on a raw terminal */
				printf("\n");
				cli_quit = true;
				break;
			}
			/* A testpmd command we have not: say why, empty the
			 * line; the newline then shows a new prompt. */
			if (buf[i] == '\n' || buf[i] == '\r')
				cli_unsupported_line(cl);
			/* Ctrl-D on an empty line: cmdline says end. */
			if (cmdline_in(cl, &buf[i], 1) < 0) {
				cli_quit = true;
				break;
			}
			last = buf[i];
		}
	}
	return 0;
}

int
cli_run_file(const char *path, cli_tick_t tick, void *arg)
{
	struct cmdline *cl;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		printf("error: cannot open --cmdline-file=%s: %s\n", path,
		       strerror(errno));
		return ret;
	}
	printf("Read CLI commands from %s\n", path);
	fflush(stdout);
	/* cmdline_free() closes fd. */
	cl = cmdline_new(cli_ctx, CLI_PROMPT, fd, STDOUT_FILENO);
	if (cl == NULL) {
		close(fd);
		printf("error: cannot create the command line\n");
		return -ENOMEM;
	}
	ret = cli_loop(cl, fd, tick, arg);
	printf("\n");
	cmdline_free(cl);
	if (ret == 0 && !cli_quit)
		printf("Read all CLI commands from %s\n", path);
	fflush(stdout);
	return ret;
}

int
cli_run_stdin(cli_tick_t tick, void *arg)
{
	struct cmdline *cl;
	int ret;

	cl = cmdline_stdin_new(cli_ctx, CLI_PROMPT);
	if (cl == NULL) {
		printf("error: cannot create the command line\n");
		return -ENOMEM;
	}
	cli_async_begin();
	ret = cli_loop(cl, STDIN_FILENO, tick, arg);
	cli_async_end(cl);
	printf("\n");
	fflush(stdout);
	cmdline_stdin_exit(cl);
	if (ret != 0)
		printf("error: reading commands: %s\n", strerror(-ret));
	return ret;
}
