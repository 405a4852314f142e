/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Interactive command line of vhp-testpmd (DPDK's cmdline library), with
 * dpdk-testpmd's command words: start/stop, set fwd/burst/txpkts/nbcore,
 * show port info/stats/xstats, port start/stop, show vhost, quit, help.
 *
 * The main lcore runs the prompt; "start" launches the forwarding lcores
 * (fwd.h) and returns to the prompt at once. Commands come from a
 * terminal (history, tab completion), a pipe (line by line; end of input
 * quits) or a file (--cmdline-file).
 */
#ifndef VHP_TESTPMD_CMDLINE_CLI_H
#define VHP_TESTPMD_CMDLINE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The prompt. */
#define CLI_PROMPT	"vhp-testpmd> "

/**
 * Called by the prompt loop about every 100 ms while it waits for input
 * (signals, --duration, periodic JSON). @return false to leave the loop.
 */
typedef bool (*cli_tick_t)(void *arg);

/**
 * Give the command line the application's options: the "set" commands
 * change @p cfg and rebuild the forwarding configuration from it.
 */
void cli_init(struct app_config *cfg);

/**
 * Quiet port events for a prompt (-i): one line per link event, the
 * library's protocol trace off unless --log-level set it ("set verbose"
 * and "set log" bring it back at runtime). Call before the ports start.
 */
void cli_quiet_init(void);

/**
 * Run the commands of @p path, one per line, echoing each after the
 * prompt. Returns at the end of the file, on "quit" (cli_quit_requested()
 * then says so) or when @p tick returns false.
 * @return 0, or -errno when the file cannot be opened (message printed).
 */
int cli_run_file(const char *path, cli_tick_t tick, void *arg);

/**
 * Read commands from standard input until "quit", end of input, Ctrl-C
 * or Ctrl-D on a terminal, or until @p tick returns false. A terminal is
 * put in raw mode (line editing, history, completion) and restored.
 * @return 0, or -errno on a read error.
 */
int cli_run_stdin(cli_tick_t tick, void *arg);

/** True once "quit" was entered. */
bool cli_quit_requested(void);

/**
 * Start forwarding as the "start" command does: check that every port is
 * started, print the forwarding configuration, reset the forward
 * statistics and launch the lcores with @p tx_first_bursts txonly bursts
 * per stream first.
 * @return 0, or -errno (message printed).
 */
int cli_fwd_start(uint32_t tx_first_bursts);

/**
 * Stop forwarding as the "stop" command does and print the forward
 * statistics. Prints "Packet forwarding not started" when not running.
 */
void cli_fwd_stop(void);

/** Print the syntax of every command, one per line (--list-commands). */
void cli_list_commands(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* VHP_TESTPMD_CMDLINE_CLI_H */
