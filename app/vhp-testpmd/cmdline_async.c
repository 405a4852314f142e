/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output that arrives while the prompt waits: port events (event.h) and
 * EAL/library log lines from other threads are queued, then printed by the
 * main lcore between two keystrokes, and the prompt with the line being
 * typed is redrawn after them (on a terminal).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_rdline.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "cmdline_int.h"
#include "event.h"

/** Queued output at most; more is counted and dropped. */
#define ASYNC_BUF_SIZE	16384

static struct {
	rte_spinlock_t lock;
	size_t len;
	uint64_t lost;		/* bytes dropped: the queue was full */
	char buf[ASYNC_BUF_SIZE];
} aq = { .lock = RTE_SPINLOCK_INITIALIZER };
static FILE *log_stream;
static bool async_on;

static void
async_put(const char *data, size_t n)
{
	rte_spinlock_lock(&aq.lock);
	if (aq.len + n <= sizeof(aq.buf)) {
		memcpy(aq.buf + aq.len, data, n);
		aq.len += n;
	} else {
		aq.lost += n;
	}
	rte_spinlock_unlock(&aq.lock);
}

static void
async_event(const char *line)
{
	async_put(line, strlen(line));
}

static ssize_t
log_write(void *cookie, const char *data, size_t n)
{
	RTE_SET_USED(cookie);
	async_put(data, n);
	return (ssize_t)n;
}

void
cli_async_begin(void)
{
	cookie_io_functions_t io = { .write = log_write };

	if (log_stream == NULL)
		log_stream = fopencookie(NULL, "w", io);
	if (log_stream != NULL) {
		setvbuf(log_stream, NULL, _IOLBF, 0);
		rte_openlog_stream(log_stream);
	}
	vhp_app_event_sink_set(async_event);
	async_on = true;
}

void
cli_async_end(struct cmdline *cl)
{
	if (!async_on)
		return;
	vhp_app_event_sink_set(NULL);
	/* The stream stays open: a thread may still be writing a line. */
	rte_openlog_stream(NULL);
	async_on = false;
	cli_async_drain(cl, false);
}

void
cli_async_drain(struct cmdline *cl, bool redraw)
{
	static char out[ASYNC_BUF_SIZE];
	uint64_t lost;
	size_t n;

	if (__atomic_load_n(&aq.len, __ATOMIC_RELAXED) == 0 &&
	    __atomic_load_n(&aq.lost, __ATOMIC_RELAXED) == 0)
		return;
	rte_spinlock_lock(&aq.lock);
	n = aq.len;
	memcpy(out, aq.buf, n);
	aq.len = 0;
	lost = aq.lost;
	aq.lost = 0;
	rte_spinlock_unlock(&aq.lock);
	if (redraw)
		fputs("\r\033[K", stdout);	/* over the prompt line */
	fwrite(out, 1, n, stdout);
	if (lost != 0)
		printf("(%" PRIu64 " bytes of messages lost: they came faster "
		       "than the terminal took them)\n", lost);
	fflush(stdout);
	if (redraw && cl != NULL)
		rdline_redisplay(cmdline_get_rdline(cl));
}

void
cli_verbose_set(unsigned int level)
{
	/* Trace levels of the library; --log-level is read at EAL init. */
	vhp_app_verbose_set(level == 0 ? 0 : 1);
	rte_log_set_level_pattern("lib.vhostpath*", level == 0 ?
				  RTE_LOG_NOTICE : level == 1 ?
				  RTE_LOG_INFO : RTE_LOG_DEBUG);
}
