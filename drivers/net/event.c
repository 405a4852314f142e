/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port event messages (event.h).
 */
#include <stdio.h>

#include "event.h"

/** Longest event line. */
#define EVENT_LINE_MAX	512

static vhp_app_event_sink_t event_sink;
static unsigned int event_verbose = 1;

void
vhp_app_event_sink_set(vhp_app_event_sink_t sink)
{
	__atomic_store_n(&event_sink, sink, __ATOMIC_RELEASE);
}

void
vhp_app_verbose_set(unsigned int level)
{
	__atomic_store_n(&event_verbose, level, __ATOMIC_RELAXED);
}

unsigned int
vhp_app_verbose(void)
{
	return __atomic_load_n(&event_verbose, __ATOMIC_RELAXED);
}

void
vhp_app_event(unsigned int level, const char *fmt, ...)
{
	vhp_app_event_sink_t sink;
	char line[EVENT_LINE_MAX];
	va_list ap;
	int n;

	if (level > vhp_app_verbose())
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = '\0';
	sink = __atomic_load_n(&event_sink, __ATOMIC_ACQUIRE);
	if (sink != NULL) {
		sink(line);
	} else {
		fputs(line, stdout);
		fflush(stdout);
	}
}
