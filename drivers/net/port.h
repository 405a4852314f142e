/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port drivers: one small interface over every kind of port (vhost-user
 * through libvhostpath, any rte_ethdev, libpcap files).
 *
 * The application and its forwarding engines only see struct vhp_app_port
 * and call the driver through it; they never know which driver a port is.
 *
 * Lifecycle: vhp_app_port_create() parses the driver's argument string
 * (nothing is opened yet), vhp_app_port_start() opens the port (socket,
 * device, file), vhp_app_port_stop() closes it, vhp_app_port_close() frees
 * it. Bursts are only valid between start and stop, and never concurrently
 * on the same queue and direction.
 */
#ifndef VHP_APP_PORT_H
#define VHP_APP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include <vhp_pkt_stats.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct rte_mempool;
struct vhp_json;
struct vhp_app_port;
struct vhp_idle;

/** Most ports of the application. */
#define VHP_APP_MAX_PORTS	256
/** Most RX (and TX) queues of one port. */
#define VHP_APP_MAX_QUEUES	8
/** Longest port name, with the terminating NUL. */
#define VHP_APP_PORT_NAME_LEN	128

/** Counters of one queue (RX queue q and TX queue q of a port). */
struct vhp_app_queue_stats {
	uint64_t rx_packets;	/**< packets received */
	uint64_t tx_packets;	/**< packets transmitted */
	uint64_t rx_bytes;	/**< bytes received */
	uint64_t tx_bytes;	/**< bytes transmitted */
	uint64_t rx_dropped;	/**< packets lost on receive (no mbuf, ...) */
	uint64_t tx_dropped;	/**< packets the port could not transmit */
	uint64_t errors;	/**< packets dropped for bad input */
	uint64_t notifications;	/**< interrupts sent to the peer (0: n/a) */
	/** bursts that needed no interrupt (0: n/a) */
	uint64_t notifications_suppressed;
	uint64_t kicks;		/**< notifications received from the peer */
	uint64_t rx_errors;	/**< RX packets dropped for bad input */
	uint64_t rx_nombuf;	/**< RX mbuf allocation failures */
	/** interrupts sent for the RX queue's ring (0: n/a) */
	uint64_t rx_notifications;
	/** interrupts sent for the TX queue's ring (0: n/a) */
	uint64_t tx_notifications;
	/** RX packet classes; valid when has_pkt_stats */
	struct vhp_pkt_stats rx_pkt;
	/** TX packet classes; valid when has_pkt_stats */
	struct vhp_pkt_stats tx_pkt;
	bool has_pkt_stats;	/**< the driver counts the classes */
	bool has_notifications;	/**< the driver counts interrupts */
};

/** Counters of a port: totals plus one entry per queue. */
struct vhp_app_port_stats {
	uint64_t rx_packets;	/**< packets received */
	uint64_t tx_packets;	/**< packets transmitted */
	uint64_t rx_bytes;	/**< bytes received */
	uint64_t tx_bytes;	/**< bytes transmitted */
	uint64_t rx_dropped;	/**< packets lost on receive */
	uint64_t tx_dropped;	/**< packets the port could not transmit */
	uint64_t errors;	/**< protocol and datapath errors */
	uint64_t rx_errors;	/**< RX packets dropped for bad input */
	uint64_t rx_nombuf;	/**< RX mbuf allocation failures */
	uint16_t nb_queues;	/**< valid entries of queue[] */
	/** Per-queue counters. */
	struct vhp_app_queue_stats queue[VHP_APP_MAX_QUEUES];
};

/** Static and link information of a port. */
struct vhp_app_port_info {
	const char *name;		/**< port name (e.g. socket path) */
	const char *driver;		/**< driver name ("vhost") */
	uint16_t nb_rxq;		/**< RX queues */
	uint16_t nb_txq;		/**< TX queues */
	bool link_up;			/**< peer connected and running */
	struct rte_ether_addr mac;	/**< the port's MAC address */
};

/** Operations of a port driver. Only json is optional. */
struct vhp_app_port_driver {
	/** Driver name; also its command-line option ("--vhost=ARGS"). */
	const char *name;
	/** Syntax of the argument string, for the usage text. */
	const char *usage;
	/**
	 * Parse @p args, allocate port->priv, set name, nb_rxq, nb_txq.
	 * Prints a message and returns a negative errno on bad arguments.
	 */
	int (*create)(struct vhp_app_port *port, const char *args);
	/** Open the port (port->pool is set). @return 0 or -errno. */
	int (*start)(struct vhp_app_port *port);
	/** Close what start opened; no burst may run. */
	void (*stop)(struct vhp_app_port *port);
	/** Receive up to @p n packets from RX queue @p queue. */
	uint16_t (*rx_burst)(struct vhp_app_port *port, uint16_t queue,
			     struct rte_mbuf **pkts, uint16_t n);
	/**
	 * Transmit up to @p n packets on TX queue @p queue. Returns how many
	 * were taken; the caller still owns the others.
	 */
	uint16_t (*tx_burst)(struct vhp_app_port *port, uint16_t queue,
			     struct rte_mbuf **pkts, uint16_t n);
	/** Read the port's counters. @return 0 or -errno. */
	int (*stats_get)(struct vhp_app_port *port,
			 struct vhp_app_port_stats *stats);
	/** Zero the port's counters. */
	void (*stats_reset)(struct vhp_app_port *port);
	/** Fill @p info. @return 0 or -errno. */
	int (*info)(struct vhp_app_port *port, struct vhp_app_port_info *info);
	/** Write driver-specific fields into the port's JSON object. */
	void (*json)(struct vhp_app_port *port, struct vhp_json *w);
	/**
	 * Optional: register what wakes the polling lcore when RX queue
	 * @p queue gets packets (vhost: the guest's kick) with @p idle, so
	 * that an idle lcore can sleep (--idle-mode). Without it, a lcore
	 * that polls the queue never sleeps. @return 0 or -errno.
	 */
	int (*idle_add)(struct vhp_app_port *port, uint16_t queue,
			struct vhp_idle *idle);
	/** Free port->priv (the port is stopped). */
	void (*close)(struct vhp_app_port *port);
};

/** One port of the application. */
struct vhp_app_port {
	/** Copy of driver->rx_burst (hot path). */
	uint16_t (*rx_burst)(struct vhp_app_port *port, uint16_t queue,
			     struct rte_mbuf **pkts, uint16_t n);
	/** Copy of driver->tx_burst (hot path). */
	uint16_t (*tx_burst)(struct vhp_app_port *port, uint16_t queue,
			     struct rte_mbuf **pkts, uint16_t n);
	void *priv;			/**< driver data */
	struct rte_mempool *pool;	/**< mbufs for received packets */
	uint16_t id;			/**< port id (command-line order) */
	uint16_t nb_rxq;		/**< RX queues */
	uint16_t nb_txq;		/**< TX queues */
	int socket_id;			/**< NUMA node of its mbufs */
	bool started;			/**< between start and stop */
	/** Peer connected and running; written by drivers (atomic). */
	uint8_t link_up;
	struct rte_ether_addr mac;	/**< the port's MAC address */
	const struct vhp_app_port_driver *driver; /**< its driver */
	char name[VHP_APP_PORT_NAME_LEN]; /**< name set by the driver */
};

/**
 * Find a driver by name.
 * @return the driver, or NULL.
 */
const struct vhp_app_port_driver *vhp_app_driver_find(const char *name);

/**
 * Iterate the registered drivers.
 * @param i Index, from 0.
 * @return driver @p i, or NULL past the last one.
 */
const struct vhp_app_port_driver *vhp_app_driver_get(unsigned int i);

/**
 * Parse an unsigned number option value (decimal, or 0x hex) in
 * [@p min, @p max]; the whole string must be the number.
 * @return 0, or -EINVAL.
 */
int vhp_app_parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out);

/**
 * Create the next port (id = number of ports so far) with @p driver.
 * @return the port, or NULL (a message was printed).
 */
struct vhp_app_port *vhp_app_port_create(
	const struct vhp_app_port_driver *driver, const char *args);

/** Number of ports created. */
uint16_t vhp_app_nb_ports(void);

/** Port @p id, or NULL. */
struct vhp_app_port *vhp_app_port_get(uint16_t id);

/**
 * Start a port: take the mbuf pool of its socket, then driver start.
 * @return 0 or -errno (a message was printed).
 */
int vhp_app_port_start(struct vhp_app_port *port);

/** Stop a started port (no burst may run on it). */
void vhp_app_port_stop(struct vhp_app_port *port);

/**
 * Free the last port created (port detach); it must be stopped. Ids are
 * dense, so only the last port can go.
 * @return 0, -ENOENT (no port) or -EBUSY (started).
 */
int vhp_app_port_destroy_last(void);

/** Stop and free every port. */
void vhp_app_ports_close(void);

/** Read a port's counters. @return 0 or -errno. */
int vhp_app_port_stats_get(struct vhp_app_port *port,
			   struct vhp_app_port_stats *stats);

/** Fill @p info for a port. @return 0 or -errno. */
int vhp_app_port_info_get(struct vhp_app_port *port,
			  struct vhp_app_port_info *info);

/** Set a port's link state (drivers, any thread). */
/**
 * Bumped after every link change of any port: a polling lcore that saw a
 * different value rebuilds the list of streams it visits.
 */
extern uint32_t vhp_app_link_gen;

static inline void
vhp_app_port_link_set(struct vhp_app_port *port, bool up)
{
	__atomic_store_n(&port->link_up, up ? 1 : 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&vhp_app_link_gen, 1, __ATOMIC_RELEASE);
}

/** Read a port's link state (any thread). */
static inline bool
vhp_app_port_link_get(const struct vhp_app_port *port)
{
	return __atomic_load_n(&port->link_up, __ATOMIC_ACQUIRE) != 0;
}

/** Receive a burst from @p port queue @p queue. */
static inline uint16_t
vhp_app_rx_burst(struct vhp_app_port *port, uint16_t queue,
		 struct rte_mbuf **pkts, uint16_t n)
{
	return port->rx_burst(port, queue, pkts, n);
}

/** Transmit a burst on @p port queue @p queue; returns packets taken. */
static inline uint16_t
vhp_app_tx_burst(struct vhp_app_port *port, uint16_t queue,
		 struct rte_mbuf **pkts, uint16_t n)
{
	return port->tx_burst(port, queue, pkts, n);
}

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_PORT_H */
