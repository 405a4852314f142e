/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port event messages ("Port 0: link up ...") printed from any thread
 * (the vhost control thread, an ethdev interrupt thread). The interactive
 * command line installs a sink so it can print them between its own
 * output and redraw the prompt; without one they go to stdout.
 *
 * Verbosity (testpmd's "set verbose"): 0 prints one line per link event;
 * 1 also every vring/queue state change.
 */
#ifndef VHP_APP_EVENT_H
#define VHP_APP_EVENT_H

#include <stdarg.h>

#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Where event lines go: called with one complete line ('\n' ended). */
typedef void (*vhp_app_event_sink_t)(const char *line);

/** Set the sink (NULL: stdout). Call before the ports start. */
void vhp_app_event_sink_set(vhp_app_event_sink_t sink);

/** Set the verbosity of event messages (0 or more). */
void vhp_app_verbose_set(unsigned int level);

/** The verbosity of event messages. */
unsigned int vhp_app_verbose(void);

/**
 * Print one event line (a '\n' is added) when @p level <= the verbosity.
 * Any thread.
 */
void vhp_app_event(unsigned int level, const char *fmt, ...)
	__rte_format_printf(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_EVENT_H */
