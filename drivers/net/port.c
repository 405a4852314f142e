/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port registry: the drivers compiled in, and the ports in creation order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "pool.h"
#include "port.h"
#include "vhost/vhost_port.h"
#include "ethdev/ethdev_port.h"
#include "pcap/pcap_port.h"

uint32_t vhp_app_link_gen;

/* Drivers, in the order the usage text lists them. */
static const struct vhp_app_port_driver *const drivers[] = {
	&vhp_vhost_driver,
	&vhp_ethdev_driver,
	&vhp_pcap_driver,
};

static struct vhp_app_port *ports[VHP_APP_MAX_PORTS];
static uint16_t nb_ports;

const struct vhp_app_port_driver *
vhp_app_driver_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(drivers); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const struct vhp_app_port_driver *
vhp_app_driver_get(unsigned int i)
{
	return i < RTE_DIM(drivers) ? drivers[i] : NULL;
}

struct vhp_app_port *
vhp_app_port_create(const struct vhp_app_port_driver *driver,
		    const char *args)
{
	struct vhp_app_port *port;

	if (nb_ports >= VHP_APP_MAX_PORTS) {
		printf("error: too many ports (at most %d)\n",
		       VHP_APP_MAX_PORTS);
		return NULL;
	}
	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		printf("error: out of memory creating port %u\n", nb_ports);
		return NULL;
	}
	port->id = nb_ports;
	port->driver = driver;
	port->rx_burst = driver->rx_burst;
	port->tx_burst = driver->tx_burst;
	port->socket_id = 0;
	port->nb_rxq = 1;
	port->nb_txq = 1;
	port->mac = (struct rte_ether_addr){
		.addr_bytes = { 0x56, 0x48, 0x50, 0x00, 0x00,
				(uint8_t)port->id } };
	snprintf(port->name, sizeof(port->name), "%s%u", driver->name,
		 port->id);
	if (driver->create(port, args) != 0) {
		free(port);
		return NULL;
	}
	ports[nb_ports++] = port;
	return port;
}

uint16_t
vhp_app_nb_ports(void)
{
	return nb_ports;
}

struct vhp_app_port *
vhp_app_port_get(uint16_t id)
{
	return id < nb_ports ? ports[id] : NULL;
}

int
vhp_app_port_start(struct vhp_app_port *port)
{
	int ret;

	if (port->started)
		return 0;
	port->pool = vhp_app_pool_get(port->socket_id);
	if (port->pool == NULL)
		return -ENOMEM;
	ret = port->driver->start(port);
	if (ret != 0)
		return ret;
	port->started = true;
	return 0;
}

void
vhp_app_port_stop(struct vhp_app_port *port)
{
	if (!port->started)
		return;
	port->driver->stop(port);
	vhp_app_port_link_set(port, false);
	port->started = false;
}

void
vhp_app_ports_close(void)
{
	uint16_t i;

	/* Reverse creation order: a port may depend on an earlier one (an
	 * in-process virtio-user ethdev talks to an earlier vhost socket). */
	for (i = nb_ports; i-- > 0;) {
		vhp_app_port_stop(ports[i]);
		ports[i]->driver->close(ports[i]);
		free(ports[i]);
		ports[i] = NULL;
	}
	nb_ports = 0;
}

int
vhp_app_port_destroy_last(void)
{
	struct vhp_app_port *port;

	if (nb_ports == 0)
		return -ENOENT;
	port = ports[nb_ports - 1];
	if (port->started)
		return -EBUSY;
	port->driver->close(port);
	free(port);
	ports[--nb_ports] = NULL;
	return 0;
}

int
vhp_app_port_stats_get(struct vhp_app_port *port,
		       struct vhp_app_port_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	return port->driver->stats_get(port, stats);
}

int
vhp_app_port_info_get(struct vhp_app_port *port,
		      struct vhp_app_port_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = port->name;
	info->driver = port->driver->name;
	info->nb_rxq = port->nb_rxq;
	info->nb_txq = port->nb_txq;
	info->mac = port->mac;
	info->link_up = vhp_app_port_link_get(port);
	return port->driver->info(port, info);
}

int
vhp_app_parse_uint(const char *s, unsigned long min, unsigned long max,
		   unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || *out < min || *out > max)
		return -EINVAL;
	return 0;
}
