/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhp-testpmd: testpmd-style forwarding over vhostpath ports.
 *
 * Lifecycle: EAL, options, ports created (arguments checked), forwarding
 * configuration (streams on lcores), ports started, forwarding started;
 * the main lcore then supervises (statistics, --duration, signals) until
 * it stops forwarding, prints the forward statistics, writes the JSON
 * file, destroys the ports and cleans EAL up.
 *
 * Everything main() sequences is a call into fwd.h (fwd_config_setup,
 * fwd_config_show, fwd_start, fwd_stop), stats.h (stats_fwd_begin,
 * stats_fwd_show, stats_periodic_show, stats_json_write) and port.h
 * (vhp_app_port_start/stop), so an interactive command line can drive the
 * same functions in place of app_supervise().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "config.h"
#include "fwd.h"
#include "pool.h"
#include "port.h"
#include "stats.h"

/** Supervision tick of the main lcore. */
#define APP_TICK_NS	(20 * 1000 * 1000)

static volatile sig_atomic_t app_signal;

static void
app_on_signal(int sig)
{
	app_signal = sig;
}

static void
app_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* --help after "--" works before EAL starts (and without its options). */
static bool
app_wants_help(int argc, char **argv)
{
	bool app_part = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!app_part) {
			app_part = strcmp(argv[i], "--") == 0;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static int
app_ports_create(const struct app_config *cfg)
{
	uint16_t i;

	for (i = 0; i < cfg->nb_ports; i++)
		if (vhp_app_port_create(cfg->ports[i].driver,
					cfg->ports[i].args) == NULL)
			return -EINVAL;
	return 0;
}

static int
app_ports_start(void)
{
	uint16_t i;
	int ret;

	for (i = 0; i < vhp_app_nb_ports(); i++) {
		ret = vhp_app_port_start(vhp_app_port_get(i));
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
app_json(const struct app_config *cfg)
{
	if (cfg->stats_json == NULL)
		return 0;
	return stats_json_write(cfg->stats_json);
}

/* The main lcore's loop: returns when --duration elapsed or on a signal. */
static void
app_supervise(const struct app_config *cfg)
{
	const struct timespec tick = { 0, APP_TICK_NS };
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now;
	uint64_t end = cfg->duration > 0 ?
		start + (uint64_t)(cfg->duration * (double)hz) : UINT64_MAX;
	uint64_t period = (uint64_t)(cfg->stats_period * (double)hz);
	uint64_t next_period = start + period;

	while (app_signal == 0) {
		nanosleep(&tick, NULL);
		now = rte_rdtsc();
		if (now >= end)
			break;
		if (period != 0 && now >= next_period) {
			stats_periodic_show(stdout);
			app_json(cfg);
			next_period += period;
			if (next_period < now)
				next_period = now + period;
		}
	}
	if (app_signal != 0)
		printf("\nSignal %d received, stopping\n", (int)app_signal);
}

static int
app_run(const struct app_config *cfg)
{
	int ret;

	vhp_app_pool_config(cfg->nb_mbufs, cfg->mbuf_size);
	ret = app_ports_create(cfg);
	if (ret == 0)
		ret = fwd_config_setup(cfg);
	if (ret == 0)
		ret = app_ports_start();
	if (ret == 0)
		ret = fwd_streams_init();
	if (ret != 0)
		return ret;
	fwd_config_show(stdout);
	stats_fwd_begin();
	ret = fwd_start();
	if (ret != 0)
		return ret;
	printf("Forwarding started (%s mode, burst %u%s)%s\n",
	       fwd_engine()->name, cfg->burst,
	       cfg->tx_first ? ", tx-first" : "",
	       cfg->duration > 0 ? "" : "; SIGINT/SIGTERM stops it");
	if (app_json(cfg) != 0) {
		printf("error: cannot write --stats-json=%s; check that its "
		       "directory exists and is writable\n", cfg->stats_json);
		fwd_stop();
		return -EIO;
	}
	app_supervise(cfg);
	printf("Telling cores to stop...\nWaiting for lcores to finish...\n");
	fwd_stop();
	stats_fwd_show(stdout);
	app_json(cfg);
	printf("\nDone.\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct app_config cfg;
	enum app_parse_result pr;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_wants_help(argc, argv)) {
		app_usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;
	app_signals_init();
	app_config_defaults(&cfg);
	pr = app_config_parse(&cfg, argc, argv, stderr);
	if (pr != APP_PARSE_OK) {
		rte_eal_cleanup();
		return pr == APP_PARSE_HELP ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	ret = app_run(&cfg);
	fwd_stop();
	printf("Closing ports...\n");
	vhp_app_ports_close();
	fwd_config_free();
	vhp_app_pools_free();
	rte_eal_cleanup();
	if (ret == 0)
		printf("Bye.\n");
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
