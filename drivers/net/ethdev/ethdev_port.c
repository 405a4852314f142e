/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver over any rte_ethdev, named by its EAL devargs.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "../json.h"
#include "../sw_offload.h"
#include "ethdev_port.h"

/** No ethdev port (not started). */
#define ETHDEV_NO_PORT		RTE_MAX_ETHPORTS
/** Argument syntax, for messages. */
#define ETHDEV_SYNTAX	"DEVARGS[;queues=N][;rxd=N][;txd=N][;promisc=0|1]" \
	"[;tx-offloads=0|1]"
/** Where EAL loads PMD plugins from by default (DPDK's build setting). */
#ifdef RTE_EAL_PMD_PATH
#define ETHDEV_PMD_DIR	RTE_EAL_PMD_PATH
#else
#define ETHDEV_PMD_DIR	"the default plugin directory"
#endif
/** Longest DEVARGS string, with the terminating NUL. */
#define ETHDEV_DEVARGS_LEN	1024
/** Largest rxd= / txd= accepted. */
#define ETHDEV_MAX_DESC		32768
/** How long start waits for the link to come up. */
#define ETHDEV_LINK_WAIT_MS	2000
/** Link poll interval while waiting. */
#define ETHDEV_LINK_POLL_MS	100
/** TX offloads used when the device has them (tx-offloads=1). */
#define ETHDEV_TX_OFFLOADS	(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
				 RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
				 RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
				 RTE_ETH_TX_OFFLOAD_TCP_TSO)
/** Frame that must fit the RX buffers without scatter (MTU 1500, QinQ). */
#define ETHDEV_MAX_FRAME	(RTE_ETHER_MAX_LEN + 2 * RTE_VLAN_HLEN)

struct ethdev_priv {
	uint16_t port_id;		/* ETHDEV_NO_PORT while stopped */
	uint16_t queues;		/* RX and TX queues */
	uint16_t rxd, txd;		/* requested descriptors (0: PMD's) */
	uint16_t nb_rxd, nb_txd;	/* descriptors in use */
	bool promisc;			/* turn promiscuous mode on */
	bool tx_hw_offloads;		/* use the device's TX offloads */
	bool probed;			/* start probed the device */
	bool eal_port_open;		/* EAL's device: close its port at close */
	bool lsc;			/* LSC callback registered */
	bool dev_started;		/* rte_eth_dev_start succeeded */
	char driver_name[64];		/* PMD name, once started */
	char devname[RTE_DEV_NAME_MAX_LEN]; /* DEVARGS up to the first ',' */
	char devargs[ETHDEV_DEVARGS_LEN];
	uint64_t tx_offload_capa;	/* the device's, once started */
	uint64_t tx_offloads;		/* of ETHDEV_TX_OFFLOADS, enabled */
	/* Software offloads per TX queue (one lcore each). */
	struct vhp_swol swol[VHP_APP_MAX_QUEUES];
};

static uint16_t
ethdev_rx_burst(struct vhp_app_port *port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n)
{
	const struct ethdev_priv *e = port->priv;

	return rte_eth_rx_burst(e->port_id, queue, pkts, n);
}

static uint16_t
ethdev_tx_raw(struct vhp_app_port *port, uint16_t queue,
	      struct rte_mbuf **pkts, uint16_t n)
{
	const struct ethdev_priv *e = port->priv;

	return rte_eth_tx_burst(e->port_id, queue, pkts, n);
}

/*
 * What the device cannot do of the packets' TX offload requests
 * (checksums, TSO) is finished in software first (sw_offload.c).
 */
static uint16_t
ethdev_tx_burst(struct vhp_app_port *port, uint16_t queue,
		struct rte_mbuf **pkts, uint16_t n)
{
	struct ethdev_priv *e = port->priv;

	return vhp_swol_tx_burst(&e->swol[queue], port, queue, pkts, n,
				 ethdev_tx_raw);
}

static int
ethdev_parse(struct vhp_app_port *port, struct ethdev_priv *e,
	     const char *args)
{
	char buf[ETHDEV_DEVARGS_LEN], *tok, *save = NULL, *val;
	unsigned long n;
	size_t len;

	if (strlen(args) >= sizeof(buf)) {
		printf("error: port %u: --ethdev value longer than %zu "
		       "characters\n", port->id, sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, args);
	e->queues = 1;
	e->promisc = true;
	e->tx_hw_offloads = true;
	/* DEVARGS: everything up to the first ';'. */
	tok = strtok_r(buf, ";", &save);
	if (tok == NULL || args[0] == ';' || tok[0] == ',') {
		printf("error: port %u: --ethdev needs EAL devargs first "
		       "(%s), e.g. --ethdev='net_tap0,iface=vhptap0;queues=1'"
		       "\n", port->id, ETHDEV_SYNTAX);
		return -EINVAL;
	}
	strcpy(e->devargs, tok);
	len = strcspn(tok, ",");
	if (len >= sizeof(e->devname)) {
		printf("error: port %u: device name in '%s' is longer than "
		       "%zu characters\n", port->id, tok,
		       sizeof(e->devname) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(e->devname, tok, len);
	e->devname[len] = '\0';
	for (tok = strtok_r(NULL, ";", &save); tok != NULL;
	     tok = strtok_r(NULL, ";", &save)) {
		val = strchr(tok, '=');
		if (val == NULL) {
			printf("error: port %u: '%s' is not KEY=VALUE in "
			       "--ethdev=%s (%s)\n", port->id, tok, args,
			       ETHDEV_SYNTAX);
			return -EINVAL;
		}
		*val++ = '\0';
		if (strcmp(tok, "queues") == 0) {
			if (vhp_app_parse_uint(val, 1, VHP_APP_MAX_QUEUES,
					      &n) != 0) {
				printf("error: port %u: queues=%s: expected "
				       "1..%d\n", port->id, val,
				       VHP_APP_MAX_QUEUES);
				return -EINVAL;
			}
			e->queues = (uint16_t)n;
		} else if (strcmp(tok, "rxd") == 0 ||
			   strcmp(tok, "txd") == 0) {
			if (vhp_app_parse_uint(val, 1, ETHDEV_MAX_DESC,
					      &n) != 0) {
				printf("error: port %u: %s=%s: expected "
				       "1..%d descriptors\n", port->id, tok,
				       val, ETHDEV_MAX_DESC);
				return -EINVAL;
			}
			if (tok[0] == 'r')
				e->rxd = (uint16_t)n;
			else
				e->txd = (uint16_t)n;
		} else if (strcmp(tok, "promisc") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: promisc=%s: expected "
				       "0 or 1\n", port->id, val);
				return -EINVAL;
			}
			e->promisc = n != 0;
		} else if (strcmp(tok, "tx-offloads") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: tx-offloads=%s: "
				       "expected 0 or 1\n", port->id, val);
				return -EINVAL;
			}
			e->tx_hw_offloads = n != 0;
		} else {
			printf("error: port %u: unknown key '%s' in --ethdev "
			       "(expected %s; the device's own arguments go "
			       "before the first ';')\n", port->id, tok,
			       ETHDEV_SYNTAX);
			return -EINVAL;
		}
	}
	return 0;
}

static int
ethdev_create(struct vhp_app_port *port, const char *args)
{
	struct ethdev_priv *e;
	uint16_t i;

	e = aligned_alloc(RTE_CACHE_LINE_SIZE,
			  RTE_ALIGN_CEIL(sizeof(*e), RTE_CACHE_LINE_SIZE));
	if (e == NULL)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	if (ethdev_parse(port, e, args) != 0) {
		free(e);
		return -EINVAL;
	}
	for (i = 0; i < port->id; i++) {
		struct vhp_app_port *o = vhp_app_port_get(i);

		if (o != NULL && o->driver == &vhp_ethdev_driver &&
		    strcmp(((struct ethdev_priv *)o->priv)->devname,
			   e->devname) == 0) {
			printf("error: port %u: device %s is already used by "
			       "port %u\n", port->id, e->devname, i);
			free(e);
			return -EEXIST;
		}
	}
	e->port_id = ETHDEV_NO_PORT;
	port->priv = e;
	port->nb_rxq = e->queues;
	port->nb_txq = e->queues;
	snprintf(port->name, sizeof(port->name), "%s", e->devname);
	return 0;
}

/*
 * First ethdev port of the device @p devargs names, or ETHDEV_NO_PORT;
 * @p nb counts all of them.
 */
static uint16_t
ethdev_lookup(const char *devargs, unsigned int *nb)
{
	struct rte_dev_iterator it;
	uint16_t pid, first = ETHDEV_NO_PORT;

	*nb = 0;
	RTE_ETH_FOREACH_MATCHING_DEV(pid, devargs, &it) {
		if (first == ETHDEV_NO_PORT)
			first = pid;
		(*nb)++;
	}
	return first;
}

/* A started ethdev port of this application using @p pid, or NULL. */
static const struct vhp_app_port *
ethdev_port_user(const struct vhp_app_port *self, uint16_t pid)
{
	const struct vhp_app_port *o;
	uint16_t i;

	for (i = 0; i < vhp_app_nb_ports(); i++) {
		o = vhp_app_port_get(i);
		if (o != NULL && o != self && o->driver == &vhp_ethdev_driver &&
		    ((const struct ethdev_priv *)o->priv)->port_id == pid)
			return o;
	}
	return NULL;
}

static void
ethdev_link_update(struct vhp_app_port *port, struct rte_eth_link *link)
{
	const struct ethdev_priv *e = port->priv;
	struct rte_eth_link l;

	if (link == NULL)
		link = &l;
	memset(link, 0, sizeof(*link));
	if (e->port_id == ETHDEV_NO_PORT ||
	    rte_eth_link_get_nowait(e->port_id, link) != 0)
		memset(link, 0, sizeof(*link));
	vhp_app_port_link_set(port, link->link_status == RTE_ETH_LINK_UP);
}

static int
ethdev_lsc_event(uint16_t port_id, enum rte_eth_event_type type,
		 void *param, void *ret_param)
{
	struct vhp_app_port *port = param;
	struct rte_eth_link link;

	RTE_SET_USED(port_id);
	RTE_SET_USED(type);
	RTE_SET_USED(ret_param);
	ethdev_link_update(port, &link);
	printf("Port %u: ethdev link %s\n", port->id,
	       link.link_status == RTE_ETH_LINK_UP ? "up" : "down");
	fflush(stdout);
	return 0;
}

static void
ethdev_sleep_ms(unsigned int ms)
{
	const struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
}

/*
 * Block SIGPIPE in this thread around calls into the PMD that may write to
 * a socket whose peer has gone (virtio-user stopping after its vhost-user
 * back-end closed the connection): it must not kill the application.
 */
static void
ethdev_sigpipe_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Discard a SIGPIPE raised meanwhile, then restore the signal mask. */
static void
ethdev_sigpipe_restore(const sigset_t *old)
{
	const struct timespec zero = { 0, 0 };
	sigset_t set;

	if (!sigismember(old, SIGPIPE)) {
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	}
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/*
 * Undo start: stop the port, close it and remove the device if start
 * probed it (a device EAL probed stays, closed only by ethdev_close).
 */
static void
ethdev_release(struct vhp_app_port *port)
{
	struct ethdev_priv *e = port->priv;
	struct rte_eth_dev_info di;
	struct rte_device *dev = NULL;
	uint16_t pid = e->port_id;
	int ret;

	if (pid == ETHDEV_NO_PORT)
		return;
	if (e->lsc) {
		do {
			ret = rte_eth_dev_callback_unregister(pid,
				RTE_ETH_EVENT_INTR_LSC, ethdev_lsc_event, port);
			if (ret == -EAGAIN)
				ethdev_sleep_ms(1);
		} while (ret == -EAGAIN);
		e->lsc = false;
	}
	if (e->dev_started) {
		ret = rte_eth_dev_stop(pid);
		if (ret != 0)
			printf("warning: port %u: ethdev %s: stop failed: "
			       "%s\n", port->id, e->devname,
			       rte_strerror(-ret));
		e->dev_started = false;
	}
	vhp_app_port_link_set(port, false);
	e->port_id = ETHDEV_NO_PORT;
	if (!e->probed) {
		e->eal_port_open = true;
		return;
	}
	if (rte_eth_dev_info_get(pid, &di) == 0)
		dev = di.device;
	ret = rte_eth_dev_close(pid);
	if (ret != 0)
		printf("warning: port %u: ethdev %s: close failed: %s\n",
		       port->id, e->devname, rte_strerror(-ret));
	/* Remove the device only when none of its ports is left. */
	if (dev != NULL && rte_eth_find_next_of(0, dev) == RTE_MAX_ETHPORTS) {
		ret = rte_dev_remove(dev);
		if (ret != 0)
			printf("warning: port %u: cannot remove device %s: "
			       "%s\n", port->id, e->devname,
			       rte_strerror(-ret));
	}
	e->probed = false;
}

static void
ethdev_stop(struct vhp_app_port *port)
{
	sigset_t old;

	ethdev_sigpipe_block(&old);
	ethdev_release(port);
	ethdev_sigpipe_restore(&old);
}

/* Probe the device unless EAL (or an earlier start) did; find its port. */
static int
ethdev_attach(struct vhp_app_port *port)
{
	struct ethdev_priv *e = port->priv;
	const struct vhp_app_port *user;
	unsigned int nb;
	uint16_t pid;
	int ret;

	pid = ethdev_lookup(e->devargs, &nb);
	e->probed = false;
	if (pid == ETHDEV_NO_PORT) {
		ret = rte_dev_probe(e->devargs);
		if (ret < 0) {
			printf("error: port %u: ethdev: cannot probe '%s': "
			       "%s; check the driver name and arguments "
			       "(dpdk-testpmd --vdev syntax)\n", port->id,
			       e->devargs, rte_strerror(-ret));
			if (strncmp(e->devname, "net_virtio_user", 15) == 0)
				printf("  hint: virtio-user connects to its path= "
				       "socket when probed: the vhost-user "
				       "back-end must listen first (a --vhost="
				       "SOCK port of this process must come "
				       "before the --ethdev)\n");
			else if (ret == -EFAULT || ret == -ENOTSUP)
				printf("  hint: no bus or driver knows '%s'; a "
				       "vdev name starts with its PMD (net_tap0, "
				       "net_virtio_user0, ...); load a PMD from "
				       "elsewhere than %s with EAL -d\n",
				       e->devname, ETHDEV_PMD_DIR);
			else if (strchr(e->devname, ':') != NULL)
				printf("  hint: a PCI device must be bound to "
				       "vfio-pci (dpdk-devbind.py) and EAL run "
				       "without --no-pci\n");
			return ret;
		}
		e->probed = true;
		pid = ethdev_lookup(e->devargs, &nb);
		if (pid == ETHDEV_NO_PORT) {
			printf("error: port %u: device '%s' was probed but "
			       "has no ethdev port (not a network "
			       "driver?)\n", port->id, e->devargs);
			e->probed = false;
			return -ENODEV;
		}
	}
	user = ethdev_port_user(port, pid);
	if (user != NULL) {
		printf("error: port %u: ethdev port %u (%s) is already used "
		       "by port %u\n", port->id, pid, e->devname, user->id);
		return -EBUSY;
	}
	if (nb > 1)
		printf("warning: port %u: '%s' has %u ethdev ports; using "
		       "the first (ethdev port %u)\n", port->id, e->devname,
		       nb, pid);
	e->port_id = pid;
	return 0;
}

static int
ethdev_configure(struct vhp_app_port *port,
		 const struct rte_eth_dev_info *di)
{
	struct ethdev_priv *e = port->priv;
	struct rte_eth_conf conf;
	uint16_t pid = e->port_id, q;
	uint32_t room;
	int ret;

	if (e->queues > di->max_rx_queues || e->queues > di->max_tx_queues) {
		printf("error: port %u: ethdev %s: queues=%u but the device "
		       "supports at most %u RX and %u TX queues\n", port->id,
		       e->devname, e->queues, di->max_rx_queues,
		       di->max_tx_queues);
		if (strncmp(di->driver_name, "net_virtio_user", 15) == 0)
			printf("  hint: give virtio-user the queue pairs in "
			       "its devargs too: --ethdev='%s,queues=%u;"
			       "queues=%u'\n", e->devargs, e->queues,
			       e->queues);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	if (e->queues > 1 && (di->flow_type_rss_offloads & RTE_ETH_RSS_IP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			di->flow_type_rss_offloads & RTE_ETH_RSS_IP;
	}
	room = rte_pktmbuf_data_room_size(port->pool) - RTE_PKTMBUF_HEADROOM;
	if (room < ETHDEV_MAX_FRAME) {
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		else
			printf("warning: port %u: ethdev %s cannot scatter "
			       "RX: frames above %u B (the mbuf data room) "
			       "are dropped\n", port->id, e->devname, room);
	}
	/* Forwarded packets may be chains (vhost, pcap ports). */
	if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* Checksums and TSO the device does; the rest in software. */
	e->tx_offload_capa = di->tx_offload_capa;
	e->tx_offloads = e->tx_hw_offloads ?
		di->tx_offload_capa & ETHDEV_TX_OFFLOADS : 0;
	conf.txmode.offloads |= e->tx_offloads;
	if (di->dev_flags != NULL && (*di->dev_flags & RTE_ETH_DEV_INTR_LSC))
		conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(pid, e->queues, e->queues, &conf);
	if (ret != 0) {
		printf("error: port %u: ethdev %s: cannot configure %u "
		       "queue%s: %s\n", port->id, e->devname, e->queues,
		       e->queues == 1 ? "" : "s", rte_strerror(-ret));
		return ret;
	}
	e->nb_rxd = e->rxd != 0 ? e->rxd : di->default_rxportconf.ring_size;
	if (e->nb_rxd == 0)
		e->nb_rxd = RTE_ETH_DEV_FALLBACK_RX_RINGSIZE;
	e->nb_txd = e->txd != 0 ? e->txd : di->default_txportconf.ring_size;
	if (e->nb_txd == 0)
		e->nb_txd = RTE_ETH_DEV_FALLBACK_TX_RINGSIZE;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &e->nb_rxd, &e->nb_txd);
	if (ret != 0) {
		printf("error: port %u: ethdev %s: descriptor limits: %s\n",
		       port->id, e->devname, rte_strerror(-ret));
		return ret;
	}
	if ((e->rxd != 0 && e->rxd != e->nb_rxd) ||
	    (e->txd != 0 && e->txd != e->nb_txd))
		printf("warning: port %u: ethdev %s: descriptors adjusted to "
		       "the device's limits: rxd=%u txd=%u\n", port->id,
		       e->devname, e->nb_rxd, e->nb_txd);
	for (q = 0; q < e->queues; q++) {
		ret = rte_eth_rx_queue_setup(pid, q, e->nb_rxd,
					     (unsigned int)port->socket_id,
					     NULL, port->pool);
		if (ret != 0) {
			printf("error: port %u: ethdev %s: RX queue %u setup "
			       "(%u descriptors): %s\n", port->id,
			       e->devname, q, e->nb_rxd, rte_strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(pid, q, e->nb_txd,
					     (unsigned int)port->socket_id,
					     NULL);
		if (ret != 0) {
			printf("error: port %u: ethdev %s: TX queue %u setup "
			       "(%u descriptors): %s\n", port->id,
			       e->devname, q, e->nb_txd, rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Say which TX offloads the device does and which are done in software. */
static void
ethdev_log_offloads(const struct vhp_app_port *port,
		    const struct ethdev_priv *e)
{
	uint32_t hw = vhp_swol_capa_from_ethdev(e->tx_offloads);
	char hbuf[64], sbuf[64];

	printf("Port %u: ethdev %s: TX offloads in hardware: %s; in software: "
	       "%s%s\n", port->id, e->devname,
	       vhp_swol_capa_str(hw, hbuf, sizeof(hbuf)),
	       vhp_swol_capa_str(VHP_SWOL_CAPA_ALL & ~hw, sbuf, sizeof(sbuf)),
	       e->tx_hw_offloads ? "" : " (tx-offloads=0)");
}

static int
ethdev_start(struct vhp_app_port *port)
{
	struct ethdev_priv *e = port->priv;
	char mac[RTE_ETHER_ADDR_FMT_SIZE], link_str[RTE_ETH_LINK_MAX_STR_LEN];
	struct rte_eth_dev_info di;
	struct rte_eth_link link;
	unsigned int waited = 0;
	uint16_t q;
	int ret;

	vhp_app_port_link_set(port, false);
	e->eal_port_open = false;
	ret = ethdev_attach(port);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_info_get(e->port_id, &di);
	if (ret != 0) {
		printf("error: port %u: ethdev %s: cannot get device info: "
		       "%s\n", port->id, e->devname, rte_strerror(-ret));
		goto fail;
	}
	snprintf(e->driver_name, sizeof(e->driver_name), "%s",
		 di.driver_name != NULL ? di.driver_name : "?");
	ret = ethdev_configure(port, &di);
	if (ret != 0)
		goto fail;
	if (di.dev_flags != NULL && (*di.dev_flags & RTE_ETH_DEV_INTR_LSC)) {
		ret = rte_eth_dev_callback_register(e->port_id,
			RTE_ETH_EVENT_INTR_LSC, ethdev_lsc_event, port);
		if (ret != 0) {
			printf("error: port %u: ethdev %s: cannot register "
			       "the link callback: %s\n", port->id,
			       e->devname, rte_strerror(-ret));
			goto fail;
		}
		e->lsc = true;
	}
	ret = rte_eth_dev_start(e->port_id);
	if (ret != 0) {
		printf("error: port %u: ethdev %s: cannot start: %s\n",
		       port->id, e->devname, rte_strerror(-ret));
		goto fail;
	}
	e->dev_started = true;
	for (q = 0; q < e->queues; q++)
		vhp_swol_init(&e->swol[q], port->pool,
			      vhp_swol_capa_from_ethdev(e->tx_offloads), 0,
			      NULL, NULL);
	ethdev_log_offloads(port, e);
	if (e->promisc) {
		ret = rte_eth_promiscuous_enable(e->port_id);
		if (ret != 0 && ret != -ENOTSUP)
			printf("warning: port %u: ethdev %s: cannot turn "
			       "promiscuous mode on: %s\n", port->id,
			       e->devname, rte_strerror(-ret));
	}
	if (rte_eth_macaddr_get(e->port_id, &port->mac) != 0)
		printf("warning: port %u: ethdev %s: no MAC address; using "
		       "the default one\n", port->id, e->devname);
	ethdev_link_update(port, &link);
	while (link.link_status != RTE_ETH_LINK_UP &&
	       waited < ETHDEV_LINK_WAIT_MS) {
		ethdev_sleep_ms(ETHDEV_LINK_POLL_MS);
		waited += ETHDEV_LINK_POLL_MS;
		ethdev_link_update(port, &link);
	}
	rte_eth_link_to_str(link_str, sizeof(link_str), &link);
	rte_ether_format_addr(mac, sizeof(mac), &port->mac);
	printf("Port %u: ethdev %s (ethdev port %u, %s%s), %u queue%s, "
	       "rxd %u, txd %u, MAC %s, %s\n", port->id, e->devname,
	       e->port_id, e->driver_name, e->probed ? "" : ", probed by EAL",
	       e->queues, e->queues == 1 ? "" : "s", e->nb_rxd, e->nb_txd,
	       mac, link_str);
	return 0;
fail:
	ethdev_stop(port);
	return ret < 0 ? ret : -EIO;
}

static int
ethdev_stats_get(struct vhp_app_port *port, struct vhp_app_port_stats *st)
{
	const struct ethdev_priv *e = port->priv;
	struct vhp_app_queue_stats *q;
	struct rte_eth_stats es;
	uint64_t qsum = 0;
	uint16_t i, nb;
	int ret;

	st->nb_queues = e->queues;
	if (e->port_id == ETHDEV_NO_PORT)
		return 0;
	ret = rte_eth_stats_get(e->port_id, &es);
	if (ret != 0)
		return ret;
	st->rx_packets = es.ipackets;
	st->tx_packets = es.opackets;
	st->rx_bytes = es.ibytes;
	st->tx_bytes = es.obytes;
	st->rx_dropped = es.imissed + es.rx_nombuf;
	st->tx_dropped = es.oerrors;
	for (i = 0; i < e->queues; i++) {
		uint64_t d = __atomic_load_n(&e->swol[i].stats.dropped,
					     __ATOMIC_RELAXED);

		st->tx_dropped += d;
		if (e->queues > 1)
			st->queue[i].tx_dropped = d;
	}
	st->errors = es.ierrors;
	st->rx_errors = es.ierrors;
	st->rx_nombuf = es.rx_nombuf;
	nb = RTE_MIN(e->queues, (uint16_t)RTE_ETHDEV_QUEUE_STAT_CNTRS);
	for (i = 0; i < nb; i++) {
		q = &st->queue[i];
		q->rx_packets = es.q_ipackets[i];
		q->tx_packets = es.q_opackets[i];
		q->rx_bytes = es.q_ibytes[i];
		q->tx_bytes = es.q_obytes[i];
		q->errors = es.q_errors[i];
		q->rx_errors = es.q_errors[i];
		qsum += q->rx_packets + q->tx_packets;
	}
	/* A one-queue port whose PMD keeps no per-queue counters. */
	if (e->queues == 1 && qsum == 0) {
		q = &st->queue[0];
		q->rx_packets = st->rx_packets;
		q->tx_packets = st->tx_packets;
		q->rx_bytes = st->rx_bytes;
		q->tx_bytes = st->tx_bytes;
		q->errors = st->errors;
		q->rx_errors = st->rx_errors;
	}
	if (e->queues == 1) {
		st->queue[0].rx_dropped = st->rx_dropped;
		st->queue[0].tx_dropped = st->tx_dropped;
	}
	return 0;
}

static void
ethdev_stats_reset(struct vhp_app_port *port)
{
	const struct ethdev_priv *e = port->priv;

	if (e->port_id != ETHDEV_NO_PORT)
		rte_eth_stats_reset(e->port_id);
}

static int
ethdev_info(struct vhp_app_port *port, struct vhp_app_port_info *info)
{
	const struct ethdev_priv *e = port->priv;

	info->name = e->devname;
	if (e->port_id == ETHDEV_NO_PORT) {
		info->link_up = false;
		return 0;
	}
	ethdev_link_update(port, NULL);
	info->link_up = vhp_app_port_link_get(port);
	info->mac = port->mac;
	return 0;
}

static void
ethdev_json(struct vhp_app_port *port, struct vhp_json *w)
{
	const struct ethdev_priv *e = port->priv;
	struct rte_eth_stats es;
	struct rte_eth_link link;
	uint16_t mtu = 0;
	bool started = e->port_id != ETHDEV_NO_PORT;

	vhp_json_str(w, "devargs", e->devargs);
	vhp_json_str(w, "device", e->devname);
	if (started)
		vhp_json_u64(w, "ethdev_port", e->port_id);
	else
		vhp_json_null(w, "ethdev_port");
	vhp_json_str(w, "pmd", e->driver_name[0] != '\0' ?
		     e->driver_name : NULL);
	vhp_json_bool(w, "probed_by_port", e->probed);
	vhp_json_u64(w, "rxd", e->nb_rxd);
	vhp_json_u64(w, "txd", e->nb_txd);
	memset(&link, 0, sizeof(link));
	memset(&es, 0, sizeof(es));
	if (started) {
		rte_eth_link_get_nowait(e->port_id, &link);
		rte_eth_dev_get_mtu(e->port_id, &mtu);
		rte_eth_stats_get(e->port_id, &es);
		vhp_json_bool(w, "promiscuous",
			      rte_eth_promiscuous_get(e->port_id) == 1);
	} else {
		vhp_json_bool(w, "promiscuous", false);
	}
	vhp_json_bool(w, "link_up", link.link_status == RTE_ETH_LINK_UP);
	if (link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN)
		vhp_json_null(w, "link_speed_mbps");
	else
		vhp_json_u64(w, "link_speed_mbps", link.link_speed);
	vhp_json_str(w, "link_duplex", link.link_duplex ==
		     RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half");
	vhp_json_bool(w, "link_autoneg", link.link_autoneg != 0);
	vhp_json_u64(w, "mtu", mtu);
	vhp_json_u64(w, "imissed", es.imissed);
	vhp_json_u64(w, "ierrors", es.ierrors);
	vhp_json_u64(w, "oerrors", es.oerrors);
	vhp_json_u64(w, "rx_nombuf", es.rx_nombuf);
	vhp_json_bool(w, "tx_hw_offloads", e->tx_hw_offloads);
	vhp_json_hex(w, "tx_offload_capa", e->tx_offload_capa);
	vhp_json_hex(w, "tx_offloads", e->tx_offloads);
	vhp_swol_json(w, "gso", e->swol, e->queues);
}

static void
ethdev_close(struct vhp_app_port *port)
{
	struct ethdev_priv *e = port->priv;
	unsigned int nb;
	sigset_t old;
	uint16_t pid;

	/* A device EAL probed: close its port now, EAL removes it. */
	if (e->eal_port_open) {
		pid = ethdev_lookup(e->devargs, &nb);
		if (pid != ETHDEV_NO_PORT) {
			ethdev_sigpipe_block(&old);
			rte_eth_dev_close(pid);
			ethdev_sigpipe_restore(&old);
		}
	}
	free(port->priv);
	port->priv = NULL;
}

const struct vhp_app_port_driver vhp_ethdev_driver = {
	.name = "ethdev",
	.usage = ETHDEV_SYNTAX "\n"
		 "                         DEVARGS as dpdk-testpmd --vdev or -a "
		 "takes it, e.g.\n"
		 "                         'net_virtio_user0,path=SOCK' or "
		 "0000:01:00.0; probed at\n"
		 "                         start unless EAL did (rxd/txd "
		 "default: the PMD's); TX checksum\n"
		 "                         and TSO offloads the device lacks "
		 "are done in software\n"
		 "                         (tx-offloads=0: all of them)",
	.create = ethdev_create,
	.start = ethdev_start,
	.stop = ethdev_stop,
	.rx_burst = ethdev_rx_burst,
	.tx_burst = ethdev_tx_burst,
	.stats_get = ethdev_stats_get,
	.stats_reset = ethdev_stats_reset,
	.info = ethdev_info,
	.json = ethdev_json,
	.close = ethdev_close,
};
