/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhp-testpmd options (the part of argv after EAL's "--").
 *
 * Parsing only checks syntax and ranges; ports are created from the
 * collected driver arguments once EAL is up.
 */
#ifndef VHP_TESTPMD_CONFIG_H
#define VHP_TESTPMD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include <vhp.h>

#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest --burst. */
#define APP_MAX_BURST		512
/** Default --burst. */
#define APP_DEFAULT_BURST	32
/** Default --txpkts. */
#define APP_DEFAULT_TXPKTS	64
/** Smallest --txpkts: Ethernet + IPv4 + UDP headers. */
#define APP_MIN_TXPKTS		42
/** Largest --tx-retry. */
#define APP_MAX_TX_RETRY	1000000
/** Default --flowgen-flows. */
#define APP_DEFAULT_FLOWGEN_FLOWS	1024
/** Largest --flowgen-flows (flow f: see fwd_flowgen.h). */
#define APP_MAX_FLOWGEN_FLOWS	(1u << 20)
/** Default --mac-age, seconds. */
#define APP_DEFAULT_MAC_AGE	300
/** Largest --mac-age, seconds. */
#define APP_MAX_MAC_AGE		1000000
#define APP_DEFAULT_IDLE_POLLS	8192
#define APP_MAX_IDLE_POLLS	(1u << 24)

/** One port given on the command line. */
struct app_port_arg {
	const struct vhp_app_port_driver *driver;	/**< its driver */
	const char *args;				/**< driver arguments */
};

/** Application options. */
struct app_config {
	struct app_port_arg ports[VHP_APP_MAX_PORTS];	/**< in order */
	uint16_t nb_ports;			/**< entries of ports[] */
	const char *fwd_mode;			/**< engine name */
	unsigned int nb_cores;			/**< forwarding lcores */
	uint16_t burst;				/**< packets per burst */
	uint16_t txpkts;			/**< txonly frame length */
	bool tx_first;				/**< one txonly burst first */
	uint32_t tx_retry;			/**< TX retries before drop */
	double duration;			/**< seconds, 0: until signal */
	double stats_period;			/**< seconds, 0: none */
	const char *stats_json;			/**< JSON file or NULL */
	uint32_t nb_mbufs;			/**< mbufs per pool or 0 */
	uint32_t mbuf_size;			/**< mbuf data room or 0 */
	uint32_t flowgen_flows;			/**< flowgen flows */
	uint32_t mac_age;			/**< switch ageing, s (0: none) */
	enum vhp_idle_mode idle_mode;		/**< poll, sleep, adaptive */
	uint32_t idle_polls;			/**< empty loops before sleep */
	bool interactive;			/**< -i: command prompt */
	bool auto_start;			/**< --auto-start */
	const char *cmdline_file;		/**< --cmdline-file or NULL */
	/** Destination MAC of packets sent on each port (--eth-peer). */
	struct rte_ether_addr peer[VHP_APP_MAX_PORTS];
};

/** Result of app_config_parse(). */
enum app_parse_result {
	APP_PARSE_OK = 0,	/**< run */
	APP_PARSE_HELP = 1,	/**< --help printed: exit 0 */
	APP_PARSE_ERROR = -1,	/**< message printed: exit non-zero */
};

/** Fill @p cfg with the defaults. */
void app_config_defaults(struct app_config *cfg);

/**
 * Parse the application options.
 * @param argc, argv Arguments; argv[0] is the program name.
 * @param err Stream for messages and the usage text.
 */
enum app_parse_result app_config_parse(struct app_config *cfg, int argc,
				       char **argv, FILE *err);

/** Print the forwarding mode names, separated by @p sep, to @p f. */
void app_fwd_modes_print(FILE *f, const char *sep);

/** Print the usage text for @p prog to @p f. */
void app_usage(FILE *f, const char *prog);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_CONFIG_H */
