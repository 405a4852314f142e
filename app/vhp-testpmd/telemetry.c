/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands: /vhp/ports, /vhp/port/stats, /vhp/vhost/info.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include <vhp.h>

#include "cmdline_show.h"
#include "fwd.h"
#include "port.h"
#include "telemetry.h"
#include "xstats.h"

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

void
app_state_lock(void)
{
	pthread_mutex_lock(&state_lock);
}

void
app_state_unlock(void)
{
	pthread_mutex_unlock(&state_lock);
}

/* Port of the "<id>" parameter, or NULL. Called with the lock held. */
static struct vhp_app_port *
tel_port(const char *params)
{
	unsigned long id;
	char *end;

	if (params == NULL || params[0] < '0' || params[0] > '9')
		return NULL;
	errno = 0;
	id = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || id >= vhp_app_nb_ports())
		return NULL;
	return vhp_app_port_get((uint16_t)id);
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	app_state_lock();
	for (i = 0; i < vhp_app_nb_ports(); i++)
		rte_tel_data_add_array_int(d, i);
	app_state_unlock();
	return 0;
}

static void
tel_hex(struct rte_tel_data *d, const char *name, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	rte_tel_data_add_dict_string(d, name, s);
}

static int
tel_dict_add(void *arg, const char *name, uint64_t v)
{
	return rte_tel_data_add_dict_u64(arg, name, v);
}

/* /vhp/port/stats (basic) and /vhp/port/xstats (all): xstats.h names. */
static int
tel_port_counters(const char *params, struct rte_tel_data *d,
		  enum app_xstats_level level)
{
	struct vhp_app_port_stats st;
	struct vhp_app_port *port;

	app_state_lock();
	port = tel_port(params);
	if (port == NULL) {
		app_state_unlock();
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	if (level == APP_XSTATS_BASIC) {
		/* The names of the --stats-json file, too. */
		vhp_app_port_stats_get(port, &st);
		rte_tel_data_add_dict_u64(d, "rx_packets", st.rx_packets);
		rte_tel_data_add_dict_u64(d, "tx_packets", st.tx_packets);
		rte_tel_data_add_dict_u64(d, "rx_bytes", st.rx_bytes);
		rte_tel_data_add_dict_u64(d, "tx_bytes", st.tx_bytes);
		rte_tel_data_add_dict_u64(d, "rx_dropped", st.rx_dropped);
		rte_tel_data_add_dict_u64(d, "tx_dropped", st.tx_dropped);
		rte_tel_data_add_dict_u64(d, "fwd_dropped",
					  fwd_port_dropped(port->id));
		rte_tel_data_add_dict_int(d, "link_up",
					  vhp_app_port_link_get(port));
	}
	app_xstats_foreach(port, level, tel_dict_add, d);
	app_state_unlock();
	return 0;
}

static int
tel_port_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_port_counters(params, d, APP_XSTATS_BASIC);
}

static int
tel_port_xstats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_port_counters(params, d, APP_XSTATS_ALL);
}

/* One vring as a dict container. */
static struct rte_tel_data *
tel_vring(struct vhp_port *vp, uint16_t v)
{
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct rte_tel_data *d;

	if (vhp_vring_info_get(vp, v, &vi) != 0 ||
	    vhp_vring_stats_get(vp, v, &vs) != 0)
		return NULL;
	d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "size", vi.size);
	rte_tel_data_add_dict_int(d, "enabled", vi.enabled);
	rte_tel_data_add_dict_int(d, "ready", vi.ready);
	rte_tel_data_add_dict_int(d, "broken", vi.broken);
	rte_tel_data_add_dict_u64(d, "avail_idx", vi.avail_idx);
	rte_tel_data_add_dict_u64(d, "used_idx", vi.used_idx);
	rte_tel_data_add_dict_u64(d, "last_avail_idx", vi.last_avail_idx);
	rte_tel_data_add_dict_u64(d, "last_used_idx", vi.last_used_idx);
	rte_tel_data_add_dict_int(d, "avail_wrap", vi.avail_wrap);
	rte_tel_data_add_dict_int(d, "used_wrap", vi.used_wrap);
	rte_tel_data_add_dict_int(d, "numa_node", vi.numa_node);
	rte_tel_data_add_dict_u64(d, "packets", vs.packets);
	rte_tel_data_add_dict_u64(d, "bytes", vs.bytes);
	rte_tel_data_add_dict_u64(d, "dropped", vs.dropped);
	rte_tel_data_add_dict_u64(d, "errors", vs.errors);
	rte_tel_data_add_dict_u64(d, "notifications", vs.notifications);
	rte_tel_data_add_dict_u64(d, "notifications_suppressed",
				  vs.notifications_suppressed);
	rte_tel_data_add_dict_u64(d, "kicks", vs.kicks);
	rte_tel_data_add_dict_u64(d, "bad_addr", vs.bad_addr);
	rte_tel_data_add_dict_u64(d, "bad_chain", vs.bad_chain);
	rte_tel_data_add_dict_u64(d, "bad_indirect", vs.bad_indirect);
	rte_tel_data_add_dict_u64(d, "bad_index", vs.bad_index);
	rte_tel_data_add_dict_u64(d, "bad_len", vs.bad_len);
	rte_tel_data_add_dict_u64(d, "alloc_failed", vs.alloc_failed);
	rte_tel_data_add_dict_u64(d, "times_broken", vs.broken);
	rte_tel_data_add_dict_u64(d, "call_failed", vs.call_failed);
	rte_tel_data_add_dict_u64(d, "resumed_from_ring", vs.resumed);
	return d;
}

static int
tel_vhost_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vhp_app_port *port;
	struct rte_tel_data *vd;
	struct vhp_port_info pi;
	struct vhp_port *vp;
	char name[32], status[128];
	uint16_t v;

	RTE_SET_USED(cmd);
	app_state_lock();
	port = tel_port(params);
	if (port == NULL || strcmp(port->driver->name, "vhost") != 0) {
		app_state_unlock();
		return -EINVAL;
	}
	vp = cli_vhost_port(port);
	memset(&pi, 0, sizeof(pi));
	if (vp != NULL && vhp_port_info_get(vp, &pi) != 0)
		vp = NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "path", port->name);
	rte_tel_data_add_dict_int(d, "started", port->started);
	rte_tel_data_add_dict_int(d, "client", pi.client);
	rte_tel_data_add_dict_int(d, "connected", pi.connected);
	rte_tel_data_add_dict_int(d, "running", pi.running);
	rte_tel_data_add_dict_int(d, "status", pi.status);
	cli_status_names(pi.status, status, sizeof(status));
	rte_tel_data_add_dict_string(d, "status_names", status);
	tel_hex(d, "features", pi.features);
	tel_hex(d, "features_offered", pi.features_offered);
	tel_hex(d, "protocol_features", pi.protocol_features);
	rte_tel_data_add_dict_string(d, "ring",
		pi.ring == VHP_RING_PACKED ? "packed" : "split");
	rte_tel_data_add_dict_int(d, "queues", port->nb_rxq);
	rte_tel_data_add_dict_int(d, "nr_vrings", pi.nr_vrings);
	rte_tel_data_add_dict_u64(d, "connections", pi.connections);
	rte_tel_data_add_dict_u64(d, "protocol_errors", pi.errors);
	rte_tel_data_add_dict_u64(d, "mem_regions", pi.mem_regions);
	rte_tel_data_add_dict_u64(d, "mtu", pi.mtu);
	rte_tel_data_add_dict_int(d, "dirty_logging", pi.logging);
	for (v = 0; vp != NULL && v < pi.nr_vrings && v < VHP_MAX_VRINGS;
	     v++) {
		vd = tel_vring(vp, v);
		if (vd == NULL)
			continue;
		snprintf(name, sizeof(name), "vring%u", v);
		if (rte_tel_data_add_dict_container(d, name, vd, 0) != 0)
			rte_tel_data_free(vd);
	}
	app_state_unlock();
	return 0;
}

int
app_telemetry_init(void)
{
	int ret;

	ret = rte_telemetry_register_cmd("/vhp/ports", tel_ports,
		"Ids of the vhp-testpmd ports. Takes no parameters");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/vhp/port/stats",
			tel_port_stats,
			"Counters of a vhp-testpmd port. Parameters: int port_id");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/vhp/port/xstats",
			tel_port_xstats,
			"Every counter of a vhp-testpmd port, named as 'show port "
			"xstats'. Parameters: int port_id");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/vhp/vhost/info",
			tel_vhost_info,
			"State, features and vrings of a vhost port. "
			"Parameters: int port_id");
	if (ret == 0)
		ret = fwd_idle_telemetry_init();
	if (ret != 0)
		printf("warning: cannot register telemetry commands: %s\n",
		       strerror(-ret));
	return ret;
}
