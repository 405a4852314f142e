/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Commands that change ports at runtime: port attach/detach, mac_addr set,
 * set eth-peer, the switch's static MAC entries, show port summary; and
 * the port argument token (TAB offers "all" and the port ids).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "cmdline_int.h"
#include "fwd.h"
#include "fwd_switch.h"
#include "port.h"
#include "stats.h"
#include "telemetry.h"

/* ------------------------------------------------------------------ */
/* The port token.                                                     */

static int
port_tok_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
	       unsigned int size)
{
	unsigned int len = 0;

	RTE_SET_USED(tk);
	if (buf == NULL)
		return -1;
	while (!cmdline_isendoftoken(buf[len]))
		len++;
	if (len == 0 || len >= sizeof(cmdline_fixed_string_t))
		return -1;
	if (res != NULL) {
		if (size < len + 1)
			return -1;
		memcpy(res, buf, len);
		((char *)res)[len] = '\0';
	}
	return (int)len;
}

static int
port_tok_nb(cmdline_parse_token_hdr_t *tk)
{
	RTE_SET_USED(tk);
	return vhp_app_nb_ports() + 1;
}

static int
port_tok_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst,
	     unsigned int size)
{
	RTE_SET_USED(tk);
	if (idx < 0 || idx > vhp_app_nb_ports())
		return -1;
	if (idx == 0)
		return snprintf(dst, size, "all") < (int)size ? 0 : -1;
	return snprintf(dst, size, "%d", idx - 1) < (int)size ? 0 : -1;
}

static int
port_tok_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	RTE_SET_USED(tk);
	snprintf(dst, size, "all|P (port id 0..%d)",
		 vhp_app_nb_ports() - 1);
	return 0;
}

struct cmdline_token_ops cli_port_tok_ops = {
	.parse = port_tok_parse,
	.complete_get_nb = port_tok_nb,
	.complete_get_elt = port_tok_elt,
	.get_help = port_tok_help,
};

/* One port id (not "all"); message on error. */
static int
one_port(const char *arg, uint16_t *id)
{
	uint16_t last;

	if (strcmp(arg, "all") == 0) {
		printf("Invalid port id 'all': this command takes one port "
		       "id\n");
		return -1;
	}
	return cli_ports(arg, id, &last);
}

/* ------------------------------------------------------------------ */
/* show port summary all|P                                             */

static void
cmd_show_port_summary_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	struct vhp_app_port_info info;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t first, last, i;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (cli_ports(r->w4, &first, &last) == 0) {
		printf("Number of available ports: %u\n", vhp_app_nb_ports());
		printf("%-4s %-17s %-8s %-8s %-6s %s\n", "Port", "MAC Address",
		       "Driver", "State", "Link", "Name");
		for (i = first; i <= last; i++) {
			struct vhp_app_port *port = vhp_app_port_get(i);

			vhp_app_port_info_get(port, &info);
			rte_ether_format_addr(mac, sizeof(mac), &info.mac);
			printf("%-4u %-17s %-8s %-8s %-6s %s\n", i, mac,
			       info.driver, port->started ? "started" :
			       "stopped", info.link_up ? "up" : "down",
			       info.name);
		}
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_sps_show = STR_TOK(res_w4, w1, "show");
static cmdline_parse_token_string_t t_sps_port = STR_TOK(res_w4, w2, "port");
static cmdline_parse_token_string_t t_sps_summary =
	STR_TOK(res_w4, w3, "summary");
static cli_port_token_t t_sps_p = PORT_TOK(res_w4, w4);
cmdline_parse_inst_t cmd_show_port_summary = {
	.f = cmd_show_port_summary_cb,
	.help_str = "show port summary all|P: one line per port: MAC, "
		"driver, state, link, name",
	.tokens = { (void *)&t_sps_show, (void *)&t_sps_port,
		    (void *)&t_sps_summary, (void *)&t_sps_p, NULL },
};

/* ------------------------------------------------------------------ */
/* port attach DRIVER:ARGS, port detach P                              */

static void
cmd_port_attach_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	const struct vhp_app_port_driver *drv;
	struct vhp_app_port *port;
	char name[32], *colon = strchr(r->w3, ':');
	size_t len = colon != NULL ? (size_t)(colon - r->w3) : 0;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	drv = NULL;
	if (colon != NULL && len < sizeof(name)) {
		memcpy(name, r->w3, len);
		name[len] = '\0';
		drv = vhp_app_driver_find(name);
	}
	if (drv == NULL || colon[1] == '\0') {
		printf("Invalid port attach '%s': expected DRIVER:ARGS, e.g. "
		       "vhost:/tmp/sock1[,queues=2][,client=1] (drivers: ",
		       r->w3);
		for (len = 0; (drv = vhp_app_driver_get(len)) != NULL; len++)
			printf("%s%s", len == 0 ? "" : ", ", drv->name);
		printf(")\n");
		fflush(stdout);
		return;
	}
	app_state_lock();
	port = vhp_app_port_create(drv, colon + 1);
	if (port != NULL && vhp_app_port_start(port) != 0) {
		vhp_app_port_destroy_last();
		port = NULL;
	}
	app_state_unlock();
	if (port != NULL)
		stats_fwd_port_base(port->id);
	if (port == NULL) {
		printf("Failed to attach port '%s'\n", r->w3);
	} else if (fwd_running()) {
		printf("Port %u is attached; the ports already forwarding "
		       "go on; it forwards after the next 'stop' and "
		       "'start'\n", port->id);
	} else {
		cli_reconfigure();
		printf("Port %u is attached. Now total ports is %u\nDone\n",
		       port->id, vhp_app_nb_ports());
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_pa_port = STR_TOK(res_w3, w1, "port");
static cmdline_parse_token_string_t t_pa_attach =
	STR_TOK(res_w3, w2, "attach");
static cmdline_parse_token_string_t t_pa_arg = STR_TOK(res_w3, w3, NULL);
cmdline_parse_inst_t cmd_port_attach = {
	.f = cmd_port_attach_cb,
	.help_str = "port attach DRIVER:ARGS: create and open a port at "
		"runtime, e.g. vhost:/tmp/sock1,queues=2",
	.tokens = { (void *)&t_pa_port, (void *)&t_pa_attach,
		    (void *)&t_pa_arg, NULL },
};

static void
cmd_port_detach_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w3 *r = res;
	uint16_t id, n = vhp_app_nb_ports();
	int ret;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (one_port(r->w3, &id) != 0) {
		fflush(stdout);
		return;
	}
	if (id != n - 1) {
		printf("Port %u cannot be detached: port ids stay dense in "
		       "vhp-testpmd, only the last port (%u) can be\n", id,
		       n - 1);
	} else if (vhp_app_port_get(id)->started) {
		printf("Please stop port %u first (port stop %u)\n", id, id);
	} else if (n == 1) {
		printf("Port %u is the only port: it cannot be detached\n",
		       id);
	} else if (fwd_running() && cli_port_forwarded(id)) {
		printf("Port %u is forwarding: stop forwarding first (stop)\n",
		       id);
	} else {
		app_state_lock();
		ret = vhp_app_port_destroy_last();
		app_state_unlock();
		if (ret != 0)
			printf("Failed to detach port %u: %s\n", id,
			       strerror(-ret));
		else if (!fwd_running())
			cli_reconfigure();
		if (ret == 0)
			printf("Port %u is detached. Now total ports is %u\n"
			       "Done\n", id, vhp_app_nb_ports());
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_pd_port = STR_TOK(res_w3, w1, "port");
static cmdline_parse_token_string_t t_pd_detach =
	STR_TOK(res_w3, w2, "detach");
static cli_port_token_t t_pd_p = PORT_TOK(res_w3, w3);
cmdline_parse_inst_t cmd_port_detach = {
	.f = cmd_port_detach_cb,
	.help_str = "port detach P: close and remove the last port (stop it "
		"first)",
	.tokens = { (void *)&t_pd_port, (void *)&t_pd_detach,
		    (void *)&t_pd_p, NULL },
};

/* ------------------------------------------------------------------ */
/* mac_addr set P MAC, set eth-peer P MAC                              */

static int
parse_mac(const char *s, struct rte_ether_addr *mac)
{
	if (rte_ether_unformat_addr(s, mac) != 0) {
		printf("Invalid MAC address '%s': expected XX:XX:XX:XX:XX:XX\n",
		       s);
		return -1;
	}
	return 0;
}

static void
cmd_mac_addr_set_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	struct rte_ether_addr mac, old;
	struct vhp_app_port *port;
	uint16_t id;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (one_port(r->w3, &id) == 0 && parse_mac(r->w4, &mac) == 0 &&
	    cli_stopped_or_say()) {
		if (!rte_is_unicast_ether_addr(&mac)) {
			printf("Invalid MAC address %s: a port address must "
			       "be unicast\n", r->w4);
		} else {
			port = vhp_app_port_get(id);
			old = port->mac;
			port->mac = mac;
			if (cli_reconfigure() == 0) {
				printf("Port %u: MAC address set to %s (source "
				       "of mac, macswap, txonly, flowgen)\n",
				       id, r->w4);
			} else {
				port->mac = old;
				cli_reconfigure();
			}
		}
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_ma_mac_addr =
	STR_TOK(res_w4, w1, "mac_addr");
static cmdline_parse_token_string_t t_ma_set = STR_TOK(res_w4, w2, "set");
static cli_port_token_t t_ma_p = PORT_TOK(res_w4, w3);
static cmdline_parse_token_string_t t_ma_mac = STR_TOK(res_w4, w4, NULL);
cmdline_parse_inst_t cmd_mac_addr_set = {
	.f = cmd_mac_addr_set_cb,
	.help_str = "mac_addr set P MAC: the port's MAC address (source of "
		"generated and rewritten frames)",
	.tokens = { (void *)&t_ma_mac_addr, (void *)&t_ma_set,
		    (void *)&t_ma_p, (void *)&t_ma_mac, NULL },
};

static void
cmd_set_eth_peer_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	struct app_config *cfg = cli_config();
	struct rte_ether_addr mac, old;
	uint16_t id;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (one_port(r->w3, &id) == 0 && parse_mac(r->w4, &mac) == 0 &&
	    cli_stopped_or_say()) {
		old = cfg->peer[id];
		cfg->peer[id] = mac;
		if (cli_reconfigure() == 0) {
			printf("Port %u: peer MAC address set to %s "
			       "(destination of mac, txonly, flowgen)\n", id,
			       r->w4);
		} else {
			cfg->peer[id] = old;
			cli_reconfigure();
		}
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_ep_set = STR_TOK(res_w4, w1, "set");
static cmdline_parse_token_string_t t_ep_eth_peer =
	STR_TOK(res_w4, w2, "eth-peer");
static cli_port_token_t t_ep_p = PORT_TOK(res_w4, w3);
static cmdline_parse_token_string_t t_ep_mac = STR_TOK(res_w4, w4, NULL);
cmdline_parse_inst_t cmd_set_eth_peer = {
	.f = cmd_set_eth_peer_cb,
	.help_str = "set eth-peer P MAC: destination MAC of frames sent on "
		"port P (as --eth-peer)",
	.tokens = { (void *)&t_ep_set, (void *)&t_ep_eth_peer,
		    (void *)&t_ep_p, (void *)&t_ep_mac, NULL },
};

/* ------------------------------------------------------------------ */
/* mac table add MAC P, mac table del MAC (switch engine)              */

static void
say_static_error(int ret, const char *mac)
{
	if (ret == -EBUSY)
		printf("Please stop forwarding first: the switch lcore owns "
		       "the MAC table while it runs\n");
	else if (ret == -EINVAL)
		printf("Invalid MAC address %s: a static entry must be "
		       "unicast (group addresses are flooded)\n", mac);
	else if (ret == -ENOENT)
		printf("%s is not a static entry\n", mac);
	else
		printf("Cannot add %s: the static list (%u) or the MAC's "
		       "slots are full\n", mac, VHP_SWITCH_MAX_STATIC);
}

static void
cmd_mac_table_add_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w5 *r = res;
	struct rte_ether_addr mac;
	uint16_t id;
	int ret;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (parse_mac(r->w4, &mac) == 0 && one_port(r->w5, &id) == 0) {
		ret = vhp_switch_mac_static_add(&mac, id);
		if (ret == 0)
			printf("Static MAC entry %s -> port %u added\n", r->w4,
			       id);
		else
			say_static_error(ret, r->w4);
	}
	fflush(stdout);
}

static void
cmd_mac_table_del_cb(void *res, struct cmdline *cl, void *data)
{
	struct res_w4 *r = res;
	struct rte_ether_addr mac;
	int ret;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	if (parse_mac(r->w4, &mac) == 0) {
		ret = vhp_switch_mac_static_del(&mac);
		if (ret == 0)
			printf("Static MAC entry %s removed\n", r->w4);
		else
			say_static_error(ret, r->w4);
	}
	fflush(stdout);
}

static cmdline_parse_token_string_t t_mt5_mac = STR_TOK(res_w5, w1, "mac");
static cmdline_parse_token_string_t t_mt5_table =
	STR_TOK(res_w5, w2, "table");
static cmdline_parse_token_string_t t_mt5_add = STR_TOK(res_w5, w3, "add");
static cmdline_parse_token_string_t t_mt5_addr = STR_TOK(res_w5, w4, NULL);
static cli_port_token_t t_mt5_p = PORT_TOK(res_w5, w5);
cmdline_parse_inst_t cmd_mac_table_add = {
	.f = cmd_mac_table_add_cb,
	.help_str = "mac table add MAC P: switch: a static entry, frames to "
		"MAC always go to port P",
	.tokens = { (void *)&t_mt5_mac, (void *)&t_mt5_table,
		    (void *)&t_mt5_add, (void *)&t_mt5_addr,
		    (void *)&t_mt5_p, NULL },
};

static cmdline_parse_token_string_t t_mt4_mac = STR_TOK(res_w4, w1, "mac");
static cmdline_parse_token_string_t t_mt4_table =
	STR_TOK(res_w4, w2, "table");
static cmdline_parse_token_string_t t_mt4_del = STR_TOK(res_w4, w3, "del");
static cmdline_parse_token_string_t t_mt4_addr = STR_TOK(res_w4, w4, NULL);
cmdline_parse_inst_t cmd_mac_table_del = {
	.f = cmd_mac_table_del_cb,
	.help_str = "mac table del MAC: switch: remove a static entry",
	.tokens = { (void *)&t_mt4_mac, (void *)&t_mt4_table,
		    (void *)&t_mt4_del, (void *)&t_mt4_addr, NULL },
};
