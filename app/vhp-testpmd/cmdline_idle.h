/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * CLI commands of the idle mode: set idle-mode, show idle.
 */
#ifndef VHP_TESTPMD_CMDLINE_IDLE_H
#define VHP_TESTPMD_CMDLINE_IDLE_H

#include <cmdline_parse.h>

/** set idle-mode poll|sleep|adaptive */
extern cmdline_parse_inst_t cmd_set_idle_mode;
/** set idle-mode poll|sleep|adaptive N */
extern cmdline_parse_inst_t cmd_set_idle_mode_n;
/** show idle */
extern cmdline_parse_inst_t cmd_show_idle;

#endif /* VHP_TESTPMD_CMDLINE_IDLE_H */
