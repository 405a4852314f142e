/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the polling lcores do when idle: `show idle`, the "idle" member of
 * the JSON statistics and the /vhp/idle telemetry command.
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "fwd.h"
#include "json.h"
#include "telemetry.h"

/* Percentage of the run's wall time an lcore slept. */
static double
asleep_pct(const struct fwd_idle_info *in)
{
	struct fwd_totals t;

	fwd_totals_get(&t);
	if (t.duration_s <= 0)
		return 0.0;
	/* The sleep clock (CLOCK_MONOTONIC) and the run's (TSC) differ by a
	 * few parts per thousand: an lcore asleep all along shows 100%. */
	return RTE_MIN(100.0, 100.0 * (double)in->stats.asleep_ns / 1e9 /
		       t.duration_s);
}

void
fwd_idle_show(FILE *f)
{
	struct fwd_idle_info in;
	enum vhp_idle_mode mode;
	uint32_t polls;
	unsigned int i;

	fwd_idle_mode_get(&mode, &polls);
	fprintf(f, "Idle mode: %s, %" PRIu32 " empty loops before sleeping "
		"(from the next start)\n", vhp_idle_mode_name(mode), polls);
	for (i = 0; fwd_idle_lcore_get(i, &in) == 0; i++) {
		fprintf(f, "  lcore %u: %s, %u/%u streams running", in.lcore_id,
			in.can_sleep ? vhp_idle_mode_name(in.stats.mode) :
			"poll", in.nb_active, in.nb_streams);
		if (in.no_sleep != NULL)
			fprintf(f, " (keeps polling: a %s port has no wake-up "
				"event)", in.no_sleep);
		fprintf(f, "\n");
		if (!in.can_sleep)
			continue;
		fprintf(f, "    sleeps %" PRIu64 " (asleep %.1f%%), woken by "
			"kick %" PRIu64 ", timeout %" PRIu64 ", control %"
			PRIu64 "\n", in.stats.sleeps, asleep_pct(&in),
			in.stats.wake_kick, in.stats.wake_timeout,
			in.stats.wake_ctrl);
		fprintf(f, "    kicks %" PRIu64 ", aborted (work on re-check) %"
			PRIu64 ", no kick fd %" PRIu64 ", errors %" PRIu64
			", threshold %" PRIu32 " loops, %" PRIu32 " rings\n",
			in.stats.kicks, in.stats.aborted,
			in.stats.no_kick_fd, in.stats.errors,
			in.stats.threshold, in.stats.nb_rings);
	}
	fflush(f);
}

void
fwd_idle_json(struct vhp_json *w)
{
	struct fwd_idle_info in;
	enum vhp_idle_mode mode;
	uint32_t polls;
	unsigned int i;

	fwd_idle_mode_get(&mode, &polls);
	vhp_json_obj_begin(w, "idle");
	vhp_json_str(w, "mode", vhp_idle_mode_name(mode));
	vhp_json_u64(w, "idle_polls", polls);
	vhp_json_arr_begin(w, "lcores");
	for (i = 0; fwd_idle_lcore_get(i, &in) == 0; i++) {
		vhp_json_obj_begin(w, NULL);
		vhp_json_u64(w, "lcore", in.lcore_id);
		vhp_json_str(w, "mode", in.can_sleep ?
			     vhp_idle_mode_name(in.stats.mode) : "poll");
		vhp_json_u64(w, "streams", in.nb_streams);
		vhp_json_u64(w, "streams_running", in.nb_active);
		vhp_json_u64(w, "sleeps", in.stats.sleeps);
		vhp_json_u64(w, "asleep_ns", in.stats.asleep_ns);
		vhp_json_u64(w, "wake_kick", in.stats.wake_kick);
		vhp_json_u64(w, "wake_timeout", in.stats.wake_timeout);
		vhp_json_u64(w, "wake_control", in.stats.wake_ctrl);
		vhp_json_u64(w, "kicks", in.stats.kicks);
		vhp_json_u64(w, "aborted", in.stats.aborted);
		vhp_json_u64(w, "no_kick_fd", in.stats.no_kick_fd);
		vhp_json_u64(w, "errors", in.stats.errors);
		vhp_json_u64(w, "threshold", in.stats.threshold);
		vhp_json_u64(w, "rings", in.stats.nb_rings);
		vhp_json_obj_end(w);
	}
	vhp_json_arr_end(w);
	vhp_json_obj_end(w);
}

static int
tel_idle(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct fwd_idle_info in;
	enum vhp_idle_mode mode;
	uint32_t polls;
	unsigned int i;
	char key[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	app_state_lock();
	fwd_idle_mode_get(&mode, &polls);
	rte_tel_data_add_dict_string(d, "mode", vhp_idle_mode_name(mode));
	rte_tel_data_add_dict_u64(d, "idle_polls", polls);
	for (i = 0; fwd_idle_lcore_get(i, &in) == 0; i++) {
		struct rte_tel_data *l = rte_tel_data_alloc();

		if (l == NULL)
			break;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_string(l, "mode", in.can_sleep ?
			vhp_idle_mode_name(in.stats.mode) : "poll");
		rte_tel_data_add_dict_u64(l, "streams_running", in.nb_active);
		rte_tel_data_add_dict_u64(l, "sleeps", in.stats.sleeps);
		rte_tel_data_add_dict_u64(l, "asleep_ns", in.stats.asleep_ns);
		rte_tel_data_add_dict_u64(l, "wake_kick", in.stats.wake_kick);
		rte_tel_data_add_dict_u64(l, "wake_timeout",
					  in.stats.wake_timeout);
		rte_tel_data_add_dict_u64(l, "wake_control",
					  in.stats.wake_ctrl);
		rte_tel_data_add_dict_u64(l, "kicks", in.stats.kicks);
		rte_tel_data_add_dict_u64(l, "threshold", in.stats.threshold);
		snprintf(key, sizeof(key), "lcore%u", in.lcore_id);
		rte_tel_data_add_dict_container(d, key, l, 0);
	}
	app_state_unlock();
	return 0;
}

int
fwd_idle_telemetry_init(void)
{
	return rte_telemetry_register_cmd("/vhp/idle", tel_idle,
		"Idle mode and sleep counters of the polling lcores. Takes no "
		"parameters");
}
