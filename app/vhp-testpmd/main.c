/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhp-testpmd: testpmd-style forwarding over vhostpath ports.
 *
 * Lifecycle: EAL, options, ports created (arguments checked), forwarding
 * configuration (streams on lcores), ports started, telemetry commands
 * registered, --cmdline-file commands run, forwarding started (always
 * without -i; with -i only with --auto-start); the main lcore then runs
 * the prompt (-i, cmdline_cli.h) or supervises (statistics, --duration,
 * signals) until it stops forwarding, prints the forward statistics,
 * writes the JSON file, destroys the ports and cleans EAL up.
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
#include <sys/resource.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "cmdline_cli.h"
#include "config.h"
#include "fwd.h"
#include "pool.h"
#include "port.h"
#include "stats.h"
#include "telemetry.h"

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

/*
 * --help (or the hidden --list-commands) after "--" works before EAL
 * starts (and without its options).
 */
static bool
app_wants(int argc, char **argv, const char *opt, const char *alias)
{
	bool app_part = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!app_part) {
			app_part = strcmp(argv[i], "--") == 0;
			continue;
		}
		if (strcmp(argv[i], opt) == 0 ||
		    (alias != NULL && strcmp(argv[i], alias) == 0))
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

/* Deadlines of the main lcore while it waits (prompt or supervision). */
struct app_clock {
	const struct app_config *cfg;
	uint64_t end;		/* --duration, UINT64_MAX: none */
	uint64_t period;	/* --stats-period in TSC, 0: none */
	uint64_t next_period;
	bool expired;		/* --duration elapsed or a signal came */
};

static void
app_clock_init(struct app_clock *c, const struct app_config *cfg)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();

	c->cfg = cfg;
	c->end = cfg->duration > 0 ?
		now + (uint64_t)(cfg->duration * (double)hz) : UINT64_MAX;
	c->period = (uint64_t)(cfg->stats_period * (double)hz);
	c->next_period = now + c->period;
	c->expired = false;
}

/*
 * One tick: false once --duration elapsed or a signal came. Every
 * --stats-period it writes the JSON file, and prints the statistics
 * screen unless a prompt shares the terminal.
 */
static bool
app_tick(void *arg)
{
	struct app_clock *c = arg;
	uint64_t now = rte_rdtsc();

	if (app_signal != 0 || now >= c->end) {
		c->expired = true;
		return false;
	}
	if (c->period != 0 && now >= c->next_period) {
		if (!c->cfg->interactive)
			stats_periodic_show(stdout);
		app_json(c->cfg);
		c->next_period += c->period;
		if (c->next_period < now)
			c->next_period = now + c->period;
	}
	return true;
}

/* The main lcore's loop without a prompt: until --duration or a signal. */
static void
app_supervise(struct app_clock *c)
{
	const struct timespec tick = { 0, APP_TICK_NS };

	while (app_tick(c))
		nanosleep(&tick, NULL);
}

/* Start forwarding at launch (no prompt, or --auto-start). */
static int
app_autostart(const struct app_config *cfg)
{
	int ret;

	if (cfg->interactive)
		return cli_fwd_start(cfg->tx_first ? 1 : 0);
	stats_fwd_begin();
	ret = fwd_start();
	if (ret != 0)
		return ret;
	printf("Forwarding started (%s mode, burst %u%s)%s\n",
	       fwd_engine()->name, cfg->burst,
	       cfg->tx_first ? ", tx-first" : "",
	       cfg->duration > 0 ? "" : "; SIGINT/SIGTERM stops it");
	return 0;
}

static int
app_run(struct app_config *cfg)
{
	struct app_clock clock;
	bool was_running;
	int ret;

	vhp_app_pool_config(cfg->nb_mbufs, cfg->mbuf_size);
	if (cfg->interactive)
		cli_quiet_init();
	ret = app_ports_create(cfg);
	if (ret == 0)
		ret = fwd_idle_mode_set(cfg->idle_mode, cfg->idle_polls);
	if (ret == 0)
		ret = fwd_config_setup(cfg);
	if (ret == 0)
		ret = app_ports_start();
	if (ret == 0)
		ret = fwd_streams_init();
	if (ret != 0)
		return ret;
	cli_init(cfg);
	app_telemetry_init();
	if (!cfg->interactive)
		fwd_config_show(stdout);
	stats_fwd_begin();
	app_clock_init(&clock, cfg);
	if (cfg->cmdline_file != NULL) {
		ret = cli_run_file(cfg->cmdline_file, app_tick, &clock);
		if (ret != 0)
			return ret;
	}
	if (!cli_quit_requested() && !clock.expired && !fwd_running() &&
	    (!cfg->interactive || cfg->auto_start)) {
		ret = app_autostart(cfg);
		if (ret != 0)
			return ret;
	}
	if (app_json(cfg) != 0) {
		printf("error: cannot write --stats-json=%s; check that its "
		       "directory exists and is writable\n", cfg->stats_json);
		fwd_stop();
		return -EIO;
	}
	if (!cli_quit_requested() && !clock.expired) {
		if (cfg->interactive)
			ret = cli_run_stdin(app_tick, &clock);
		else
			app_supervise(&clock);
	}
	if (app_signal != 0)
		printf("\nSignal %d received, stopping\n", (int)app_signal);
	was_running = fwd_running();
	if (was_running || !cfg->interactive) {
		printf("Telling cores to stop...\nWaiting for lcores to "
		       "finish...\n");
		fwd_stop();
		stats_fwd_show(stdout);
	}
	app_json(cfg);
	printf("\nDone.\n");
	return ret;
}

/*
 * A vhost port holds about ten fds (socket, kick and call fds, guest memory
 * regions): hundreds of ports need more than the usual soft limit of 1024.
 */
static void
app_fd_limit_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		printf("warning: cannot raise the open-file limit to %llu "
		       "(%s): many ports may run out of fds\n",
		       (unsigned long long)rl.rlim_max, strerror(errno));
}

/* EAL's --help (before "--") prints its options, then ours. */
static void
app_usage_hook(const char *prog)
{
	printf("\n");
	app_usage(stdout, prog);
}

int
main(int argc, char **argv)
{
	struct app_config cfg;
	enum app_parse_result pr;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (app_wants(argc, argv, "--help", "-h")) {
		app_usage(stdout, argv[0]);
		return EXIT_SUCCESS;
	}
	if (app_wants(argc, argv, "--list-commands", NULL)) {
		cli_list_commands(stdout);
		return EXIT_SUCCESS;
	}
	rte_set_application_usage_hook(app_usage_hook);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;
	app_signals_init();
	app_fd_limit_raise();
	app_config_defaults(&cfg);
	pr = app_config_parse(&cfg, argc, argv, stderr);
	if (pr != APP_PARSE_OK) {
		rte_eal_cleanup();
		return pr == APP_PARSE_HELP ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	ret = app_run(&cfg);
	fwd_stop();
	printf("Closing ports...\n");
	app_state_lock();
	vhp_app_ports_close();
	fwd_config_free();
	app_state_unlock();
	vhp_app_pools_free();
	rte_eal_cleanup();
	if (ret == 0)
		printf("Bye.\n");
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
