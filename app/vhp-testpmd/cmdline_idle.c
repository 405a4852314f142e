/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set idle-mode MODE [N], show idle.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "cmdline_idle.h"
#include "config.h"
#include "fwd.h"

struct res_idle {
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t mode;
	uint32_t n;
};

static void
idle_mode_set(const char *name, uint32_t polls)
{
	enum vhp_idle_mode mode;

	if (vhp_idle_mode_from_name(name, &mode) != 0 ||
	    fwd_idle_mode_set(mode, polls) != 0) {
		printf("Bad idle mode '%s' or empty-loop count %u: expected "
		       "poll, sleep or adaptive and 1..%u\n", name, polls,
		       APP_MAX_IDLE_POLLS);
		return;
	}
	fwd_idle_mode_get(&mode, &polls);
	printf("Idle mode %s, %u empty loops before sleeping%s\n",
	       vhp_idle_mode_name(mode), polls, fwd_running() ?
	       " (forwarding runs: applies from the next start)" : "");
}

static void
cmd_set_idle_mode_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_idle *r = res;

	(void)cl;
	(void)data;
	idle_mode_set(r->mode, 0);
	fflush(stdout);
}

static void
cmd_set_idle_mode_n_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_idle *r = res;

	(void)cl;
	(void)data;
	if (r->n == 0)
		printf("Bad empty-loop count 0: expected 1..%u\n",
		       APP_MAX_IDLE_POLLS);
	else
		idle_mode_set(r->mode, r->n);
	fflush(stdout);
}

static void
cmd_show_idle_cb(void *res, struct cmdline *cl, void *data)
{
	(void)res;
	(void)cl;
	(void)data;
	fwd_idle_show(stdout);
}

static cmdline_parse_token_string_t t_set =
	TOKEN_STRING_INITIALIZER(struct res_idle, w1, "set");
static cmdline_parse_token_string_t t_idle_mode =
	TOKEN_STRING_INITIALIZER(struct res_idle, w2, "idle-mode");
static cmdline_parse_token_string_t t_mode =
	TOKEN_STRING_INITIALIZER(struct res_idle, mode, "poll#sleep#adaptive");
static cmdline_parse_token_num_t t_n =
	TOKEN_NUM_INITIALIZER(struct res_idle, n, RTE_UINT32);

cmdline_parse_inst_t cmd_set_idle_mode = {
	.f = cmd_set_idle_mode_cb,
	.help_str = "set idle-mode poll|sleep|adaptive: what polling lcores "
		"do when their vhost rings are empty (from the next start)",
	.tokens = { (void *)&t_set, (void *)&t_idle_mode, (void *)&t_mode,
		    NULL },
};

cmdline_parse_inst_t cmd_set_idle_mode_n = {
	.f = cmd_set_idle_mode_n_cb,
	.help_str = "set idle-mode poll|sleep|adaptive N: the same, sleeping "
		"after N empty loop iterations",
	.tokens = { (void *)&t_set, (void *)&t_idle_mode, (void *)&t_mode,
		    (void *)&t_n, NULL },
};

static cmdline_parse_token_string_t t_show =
	TOKEN_STRING_INITIALIZER(struct res_idle, w1, "show");
static cmdline_parse_token_string_t t_idle =
	TOKEN_STRING_INITIALIZER(struct res_idle, w2, "idle");

cmdline_parse_inst_t cmd_show_idle = {
	.f = cmd_show_idle_cb,
	.help_str = "show idle: idle mode and sleep counters of each polling "
		"lcore",
	.tokens = { (void *)&t_show, (void *)&t_idle, NULL },
};
