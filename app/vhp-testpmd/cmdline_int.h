/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internals shared by the command-line files: result layouts, the port
 * argument token (TAB offers "all" and the port ids), helpers of the
 * callbacks, the commands defined outside cmdline.c, and the queue of
 * output that arrives while the prompt waits.
 */
#ifndef VHP_TESTPMD_CMDLINE_INT_H
#define VHP_TESTPMD_CMDLINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One word. */
struct res_w1 {
	cmdline_fixed_string_t w1;	/**< word 1 */
};

/** Two words. */
struct res_w2 {
	cmdline_fixed_string_t w1;	/**< word 1 */
	cmdline_fixed_string_t w2;	/**< word 2 */
};

/** Three words. */
struct res_w3 {
	cmdline_fixed_string_t w1;	/**< word 1 */
	cmdline_fixed_string_t w2;	/**< word 2 */
	cmdline_fixed_string_t w3;	/**< word 3 */
};

/** Four words. */
struct res_w4 {
	cmdline_fixed_string_t w1;	/**< word 1 */
	cmdline_fixed_string_t w2;	/**< word 2 */
	cmdline_fixed_string_t w3;	/**< word 3 */
	cmdline_fixed_string_t w4;	/**< word 4 */
};

/** Five words. */
struct res_w5 {
	cmdline_fixed_string_t w1;	/**< word 1 */
	cmdline_fixed_string_t w2;	/**< word 2 */
	cmdline_fixed_string_t w3;	/**< word 3 */
	cmdline_fixed_string_t w4;	/**< word 4 */
	cmdline_fixed_string_t w5;	/**< word 5 */
};

/** Two words and a number. */
struct res_num {
	cmdline_fixed_string_t w1;	/**< word 1 */
	cmdline_fixed_string_t w2;	/**< word 2 */
	uint32_t n;			/**< the number */
};

/** Token string: @p str words ("a#b"), NULL: any word. */
#define STR_TOK(res, field, str) \
	TOKEN_STRING_INITIALIZER(struct res, field, str)

/** Operations of the port token (cmdline_port.c). */
extern struct cmdline_token_ops cli_port_tok_ops;

/**
 * A port argument stored in a cmdline_fixed_string_t: any word parses
 * (the callback says "Invalid port id"), TAB offers "all" and the ids.
 */
#define PORT_TOK(res, field) \
	{ .hdr = { &cli_port_tok_ops, offsetof(struct res, field) } }

/** Token of PORT_TOK(). */
typedef struct {
	struct cmdline_token_hdr hdr;	/**< header */
} cli_port_token_t;

/** The options the commands change. */
struct app_config *cli_config(void);

/**
 * Parse "all" or a port id into [*first, *last].
 * @return 0, or -1 (a message was printed).
 */
int cli_ports(const char *arg, uint16_t *first, uint16_t *last);

/** True when forwarding is stopped; otherwise says so. */
bool cli_stopped_or_say(void);

/** Rebuild the streams from the options (forwarding stopped). */
int cli_reconfigure(void);

/** True when a stream of the forwarding configuration uses the port. */
bool cli_port_forwarded(uint16_t port_id);

/** @name Commands of cmdline_port.c */
/**@{*/
extern cmdline_parse_inst_t cmd_show_port_summary;	/**< */
extern cmdline_parse_inst_t cmd_port_attach;		/**< */
extern cmdline_parse_inst_t cmd_port_detach;		/**< */
extern cmdline_parse_inst_t cmd_mac_addr_set;		/**< */
extern cmdline_parse_inst_t cmd_set_eth_peer;		/**< */
extern cmdline_parse_inst_t cmd_mac_table_add;		/**< */
extern cmdline_parse_inst_t cmd_mac_table_del;		/**< */
/**@}*/

/**
 * Queue port events and log lines from now on (the prompt runs); they
 * are printed by cli_async_drain().
 */
void cli_async_begin(void);

/** Print what was queued; on a terminal, redraw the prompt after it. */
void cli_async_drain(struct cmdline *cl, bool redraw);

/** Stop queueing (print directly again) and print what is left. */
void cli_async_end(struct cmdline *cl);

/**
 * "set verbose N": 0 one line per link event; 1 also vring state changes
 * and the library's protocol trace (INFO); 2 and more its debug messages.
 */
void cli_verbose_set(unsigned int level);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_CMDLINE_INT_H */
