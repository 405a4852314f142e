/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option parsing of vhp-testpmd.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "config.h"
#include "fwd.h"
#include "pool.h"

enum {
	OPT_HELP = 'h',
	OPT_INTERACTIVE = 'i',
	OPT_FWD_MODE = 0x100,
	OPT_NB_CORES,
	OPT_BURST,
	OPT_TXPKTS,
	OPT_TX_FIRST,
	OPT_TX_RETRY,
	OPT_DURATION,
	OPT_STATS_JSON,
	OPT_STATS_PERIOD,
	OPT_NB_MBUFS,
	OPT_MBUF_SIZE,
	OPT_ETH_PEER,
	OPT_FLOWGEN_FLOWS,
	OPT_MAC_AGE,
	OPT_AUTO_START,
	OPT_CMDLINE_FILE,
	OPT_IDLE_MODE,
	OPT_IDLE_POLLS,
	OPT_DRIVER = 0x1000,	/* + driver index */
};

static const struct option app_fixed_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "forward-mode", required_argument, NULL, OPT_FWD_MODE },
	{ "nb-cores", required_argument, NULL, OPT_NB_CORES },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "txpkts", required_argument, NULL, OPT_TXPKTS },
	{ "tx-first", no_argument, NULL, OPT_TX_FIRST },
	{ "tx-retry", required_argument, NULL, OPT_TX_RETRY },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-json", required_argument, NULL, OPT_STATS_JSON },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "total-num-mbufs", required_argument, NULL, OPT_NB_MBUFS },
	{ "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
	{ "eth-peer", required_argument, NULL, OPT_ETH_PEER },
	{ "flowgen-flows", required_argument, NULL, OPT_FLOWGEN_FLOWS },
	{ "mac-age", required_argument, NULL, OPT_MAC_AGE },
	{ "interactive", no_argument, NULL, OPT_INTERACTIVE },
	{ "auto-start", no_argument, NULL, OPT_AUTO_START },
	{ "cmdline-file", required_argument, NULL, OPT_CMDLINE_FILE },
	{ "idle-mode", required_argument, NULL, OPT_IDLE_MODE },
	{ "idle-polls", required_argument, NULL, OPT_IDLE_POLLS },
};

/* Fixed options, one per driver, terminator. */
#define APP_MAX_OPTIONS	(RTE_DIM(app_fixed_options) + 16 + 1)

void
app_fwd_modes_print(FILE *f, const char *sep)
{
	const struct fwd_engine *e;
	unsigned int i;

	for (i = 0; (e = fwd_engine_get(i)) != NULL; i++)
		fprintf(f, "%s%s", i == 0 ? "" : sep, e->name);
}

void
app_usage(FILE *f, const char *prog)
{
	const struct vhp_app_port_driver *drv;
	unsigned int i;

	fprintf(f, "Usage: %s [EAL options] -- PORT... [options]\n\n", prog);
	fprintf(f, "Ports (forwarded in pairs 0<->1, 2<->3, ...; a lone last "
		"port forwards to itself):\n");
	for (i = 0; (drv = vhp_app_driver_get(i)) != NULL; i++)
		fprintf(f, "  --%s=%s\n", drv->name, drv->usage);
	fprintf(f, "\nOptions:\n  --forward-mode=MODE    ");
	app_fwd_modes_print(f, "|");
	fprintf(f, " (default io)\n");
	fprintf(f,
		"  -i, --interactive      command prompt (forwarding starts "
		"on 'start')\n"
		"  --auto-start           with -i: start forwarding at "
		"launch\n"
		"  --cmdline-file=FILE    run the commands of FILE first, then "
		"go on\n"
		"                         (prompt with -i, else until "
		"--duration/signal)\n"
		"  --nb-cores=N           forwarding lcores, from the EAL "
		"worker lcores (default 1)\n"
		"  --burst=N              packets per burst, 1..%d "
		"(default %d)\n"
		"  --txpkts=LEN           txonly/--tx-first frame length in "
		"bytes (default %d)\n"
		"  --tx-first             send one txonly burst per stream "
		"before forwarding\n"
		"  --tx-retry=N           retry a partial TX burst N times "
		"(1 us apart) before\n"
		"                         dropping the rest (default 0)\n"
		"  --eth-peer=N,MAC       destination MAC of packets sent on "
		"port N (mac, txonly,\n"
		"                         flowgen; default 02:00:00:00:00:<N>)"
		"\n"
		"  --flowgen-flows=N      flowgen: UDP flows generated in turn, "
		"1..%u (default %u)\n"
		"  --mac-age=SEC          switch: forget a MAC not seen for SEC "
		"seconds (0: never;\n"
		"                         default %u)\n"
		"  --idle-mode=MODE       poll|sleep|adaptive: what a polling "
		"lcore does when its\n"
		"                         vhost rings are empty (default poll:"
		" spin; sleep: wait\n"
		"                         for a guest kick after --idle-polls "
		"empty loops;\n"
		"                         adaptive: as sleep, polls longer "
		"while sleeps are short)\n"
		"  --idle-polls=N         empty loop iterations before sleeping"
		" (default %u)\n"
		"  --duration=SEC         stop after SEC seconds (default: "
		"until SIGINT/SIGTERM)\n"
		"  --stats-period=SEC     print port statistics every SEC "
		"seconds\n"
		"  --stats-json=FILE      write statistics as JSON at start, "
		"every stats period\n"
		"                         and at exit\n"
		"  --total-num-mbufs=N    mbufs per NUMA node pool (default "
		"%d)\n"
		"  --mbuf-size=N          mbuf data room incl. %d B headroom "
		"(default %d)\n"
		"  --help                 this text\n"
		"\nModes: icmpecho answers ARP requests and ICMP echo requests"
		" on the receiving\n"
		"port; flowgen sends UDP/IPv4 frames of --txpkts bytes over "
		"--flowgen-flows\n"
		"flows and drops what it receives; switch is a MAC-learning "
		"switch across all\n"
		"ports (floods unknown, broadcast and multicast destinations; "
		"one lcore).\n",
		APP_MAX_BURST, APP_DEFAULT_BURST, APP_DEFAULT_TXPKTS,
		APP_MAX_FLOWGEN_FLOWS, APP_DEFAULT_FLOWGEN_FLOWS,
		APP_DEFAULT_MAC_AGE, APP_DEFAULT_IDLE_POLLS,
		VHP_APP_POOL_DEFAULT_MBUFS, RTE_PKTMBUF_HEADROOM,
		VHP_APP_POOL_DEFAULT_MBUF_SIZE);
}

void
app_config_defaults(struct app_config *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->fwd_mode = "io";
	cfg->nb_cores = 1;
	cfg->burst = APP_DEFAULT_BURST;
	cfg->txpkts = APP_DEFAULT_TXPKTS;
	cfg->flowgen_flows = APP_DEFAULT_FLOWGEN_FLOWS;
	cfg->mac_age = APP_DEFAULT_MAC_AGE;
	cfg->idle_mode = VHP_IDLE_POLL;
	cfg->idle_polls = APP_DEFAULT_IDLE_POLLS;
	for (i = 0; i < VHP_APP_MAX_PORTS; i++)
		cfg->peer[i] = (struct rte_ether_addr){
			.addr_bytes = { 0x02, 0, 0, 0, 0, (uint8_t)i } };
}

static int
parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(*out) ||
	    *out <= 0 || *out > 1e9)
		return -EINVAL;
	return 0;
}

static int
parse_eth_peer(struct app_config *cfg, const char *s)
{
	struct rte_ether_addr mac;
	unsigned long port;
	const char *comma = strchr(s, ',');
	char num[16];

	if (comma == NULL || (size_t)(comma - s) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, comma - s);
	num[comma - s] = '\0';
	if (vhp_app_parse_uint(num, 0, VHP_APP_MAX_PORTS - 1, &port) != 0)
		return -EINVAL;
	if (rte_ether_unformat_addr(comma + 1, &mac) != 0)
		return -EINVAL;
	cfg->peer[port] = mac;
	return 0;
}

static unsigned int
build_options(struct option *opts)
{
	const struct vhp_app_port_driver *drv;
	unsigned int n = 0, i;

	for (i = 0; i < RTE_DIM(app_fixed_options); i++)
		opts[n++] = app_fixed_options[i];
	for (i = 0; (drv = vhp_app_driver_get(i)) != NULL &&
	     n < APP_MAX_OPTIONS - 1; i++)
		opts[n++] = (struct option){ drv->name, required_argument,
					     NULL, OPT_DRIVER + (int)i };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	return n;
}

/* Checks that need several options together. */
static int
config_check(const struct app_config *cfg, FILE *err)
{
	uint32_t room = cfg->mbuf_size != 0 ? cfg->mbuf_size :
		VHP_APP_POOL_DEFAULT_MBUF_SIZE;

	if (cfg->nb_ports == 0) {
		fprintf(err, "error: no port given; add at least one "
			"--vhost=PATH\n");
		return -EINVAL;
	}
	if ((uint32_t)cfg->txpkts + RTE_PKTMBUF_HEADROOM > room) {
		fprintf(err, "error: --txpkts=%u does not fit one mbuf of "
			"--mbuf-size=%u (%u B headroom)\n", cfg->txpkts, room,
			RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	return 0;
}

enum app_parse_result
app_config_parse(struct app_config *cfg, int argc, char **argv, FILE *err)
{
	struct option opts[APP_MAX_OPTIONS];
	const struct vhp_app_port_driver *drv;
	const char *prog = argc > 0 ? argv[0] : "vhp-testpmd";
	const char *bad = NULL;
	unsigned long n;
	int c, idx;

	build_options(opts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi", opts, &idx)) != -1) {
		switch (c) {
		case OPT_HELP:
			app_usage(stdout, prog);
			return APP_PARSE_HELP;
		case OPT_FWD_MODE:
			if (fwd_engine_find(optarg) == NULL) {
				fprintf(err, "error: unknown --forward-mode=%s"
					" (", optarg);
				app_fwd_modes_print(err, ", ");
				fprintf(err, ")\n");
				return APP_PARSE_ERROR;
			}
			cfg->fwd_mode = optarg;
			break;
		case OPT_NB_CORES:
			if (vhp_app_parse_uint(optarg, 1, RTE_MAX_LCORE, &n) != 0)
				bad = "--nb-cores: expected a number of lcores"
				      " >= 1";
			else
				cfg->nb_cores = (unsigned int)n;
			break;
		case OPT_BURST:
			if (vhp_app_parse_uint(optarg, 1, APP_MAX_BURST, &n) != 0)
				bad = "--burst: expected 1..512";
			else
				cfg->burst = (uint16_t)n;
			break;
		case OPT_TXPKTS:
			if (vhp_app_parse_uint(optarg, APP_MIN_TXPKTS, UINT16_MAX,
				       &n) != 0)
				bad = "--txpkts: expected 42..65535 bytes";
			else
				cfg->txpkts = (uint16_t)n;
			break;
		case OPT_TX_FIRST:
			cfg->tx_first = true;
			break;
		case OPT_INTERACTIVE:
			cfg->interactive = true;
			break;
		case OPT_AUTO_START:
			cfg->auto_start = true;
			break;
		case OPT_CMDLINE_FILE:
			if (optarg[0] == '\0')
				bad = "--cmdline-file: expected a file name";
			else
				cfg->cmdline_file = optarg;
			break;
		case OPT_TX_RETRY:
			if (vhp_app_parse_uint(optarg, 0, APP_MAX_TX_RETRY, &n) != 0)
				bad = "--tx-retry: expected 0..1000000";
			else
				cfg->tx_retry = (uint32_t)n;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &cfg->duration) != 0)
				bad = "--duration: expected seconds > 0";
			break;
		case OPT_STATS_PERIOD:
			if (parse_seconds(optarg, &cfg->stats_period) != 0)
				bad = "--stats-period: expected seconds > 0";
			break;
		case OPT_STATS_JSON:
			if (optarg[0] == '\0')
				bad = "--stats-json: expected a file name";
			else
				cfg->stats_json = optarg;
			break;
		case OPT_NB_MBUFS:
			if (vhp_app_parse_uint(optarg, VHP_APP_POOL_MIN_MBUFS,
				       UINT32_MAX, &n) != 0)
				bad = "--total-num-mbufs: expected >= 1024";
			else
				cfg->nb_mbufs = (uint32_t)n;
			break;
		case OPT_MBUF_SIZE:
			if (vhp_app_parse_uint(optarg, VHP_APP_POOL_MIN_MBUF_SIZE,
				       VHP_APP_POOL_MAX_MBUF_SIZE, &n) != 0)
				bad = "--mbuf-size: expected 512..65535";
			else
				cfg->mbuf_size = (uint32_t)n;
			break;
		case OPT_FLOWGEN_FLOWS:
			if (vhp_app_parse_uint(optarg, 1, APP_MAX_FLOWGEN_FLOWS,
				       &n) != 0)
				bad = "--flowgen-flows: expected 1..1048576";
			else
				cfg->flowgen_flows = (uint32_t)n;
			break;
		case OPT_MAC_AGE:
			if (vhp_app_parse_uint(optarg, 0, APP_MAX_MAC_AGE, &n) != 0)
				bad = "--mac-age: expected 0..1000000 seconds";
			else
				cfg->mac_age = (uint32_t)n;
			break;
		case OPT_IDLE_MODE:
			if (vhp_idle_mode_from_name(optarg,
						    &cfg->idle_mode) != 0)
				bad = "--idle-mode: expected poll, sleep or "
				      "adaptive";
			break;
		case OPT_IDLE_POLLS:
			if (vhp_app_parse_uint(optarg, 1, APP_MAX_IDLE_POLLS,
					       &n) != 0)
				bad = "--idle-polls: expected 1..16777216";
			else
				cfg->idle_polls = (uint32_t)n;
			break;
		case OPT_ETH_PEER:
			if (parse_eth_peer(cfg, optarg) != 0)
				bad = "--eth-peer: expected PORT,XX:XX:XX:XX:"
				      "XX:XX";
			break;
		case ':':
			fprintf(err, "error: option %s needs a value\n",
				argv[optind - 1]);
			app_usage(err, prog);
			return APP_PARSE_ERROR;
		case '?':
			fprintf(err, "error: unknown option %s\n",
				argv[optind - 1]);
			app_usage(err, prog);
			return APP_PARSE_ERROR;
		default:
			drv = c >= OPT_DRIVER ? vhp_app_driver_get(
				(unsigned int)(c - OPT_DRIVER)) : NULL;
			if (drv == NULL) {
				fprintf(err, "error: bad option %s\n",
					argv[optind - 1]);
				return APP_PARSE_ERROR;
			}
			if (cfg->nb_ports >= VHP_APP_MAX_PORTS) {
				fprintf(err, "error: too many ports (at most "
					"%d)\n", VHP_APP_MAX_PORTS);
				return APP_PARSE_ERROR;
			}
			cfg->ports[cfg->nb_ports].driver = drv;
			cfg->ports[cfg->nb_ports++].args = optarg;
			break;
		}
		if (bad != NULL) {
			fprintf(err, "error: bad value '%s': %s\n", optarg,
				bad);
			return APP_PARSE_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(err, "error: unexpected argument '%s'\n",
			argv[optind]);
		app_usage(err, prog);
		return APP_PARSE_ERROR;
	}
	return config_check(cfg, err) == 0 ? APP_PARSE_OK : APP_PARSE_ERROR;
}
