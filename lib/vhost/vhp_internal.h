/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal structures of libvhostpath shared by the control-plane files
 * (socket.c, protocol.c, device.c, memory.c) and the datapath.
 */
#ifndef VHP_INTERNAL_H
#define VHP_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "memory.h"
#include "net_hdr.h"
#include "vhp.h"
#include "virtio_defs.h"
#include "virtqueue.h"

/** Virtio features the library can offer (before the port's mask). */
#define VHP_FEATURES_SUPPORTED ( \
	VHP_BIT(VIRTIO_F_VERSION_1) | \
	VHP_BIT(VIRTIO_F_RING_PACKED) | \
	VHP_BIT(VIRTIO_F_EVENT_IDX) | \
	VHP_BIT(VIRTIO_F_INDIRECT_DESC) | \
	VHP_BIT(VIRTIO_F_IN_ORDER) | \
	VHP_BIT(VIRTIO_F_ANY_LAYOUT) | \
	VHP_BIT(VIRTIO_NET_F_MRG_RXBUF) | \
	VHP_BIT(VIRTIO_NET_F_MQ) | \
	VHP_BIT(VIRTIO_NET_F_CSUM) | \
	VHP_BIT(VIRTIO_NET_F_GUEST_CSUM) | \
	VHP_BIT(VIRTIO_NET_F_HOST_TSO4) | \
	VHP_BIT(VIRTIO_NET_F_HOST_TSO6) | \
	VHP_BIT(VIRTIO_NET_F_HOST_ECN) | \
	VHP_BIT(VIRTIO_NET_F_GUEST_TSO4) | \
	VHP_BIT(VIRTIO_NET_F_GUEST_TSO6) | \
	VHP_BIT(VIRTIO_NET_F_GUEST_ECN) | \
	VHP_BIT(VIRTIO_NET_F_MTU) | \
	VHP_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) | \
	VHP_BIT(VIRTIO_F_LOG_ALL) | \
	VHP_BIT(VHOST_USER_F_PROTOCOL_FEATURES))

/** Protocol features offered. */
#define VHP_PROTOCOL_FEATURES ( \
	VHP_BIT(VHOST_USER_PROTOCOL_F_MQ) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_RARP) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_NET_MTU) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_STATUS) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) | \
	VHP_BIT(VHOST_USER_PROTOCOL_F_RESET_DEVICE))

/** Counters of one vring kept by the port across connections. */
struct vhp_vring_counters {
	struct vhp_vq_stats stats;	/**< datapath counters */
	uint64_t kicks;			/**< kicks read by the control thread */
};

/** Per-connection device state. Reset on disconnect / RESET_DEVICE. */
struct vhp_device {
	struct vhp_port *port;
	uint64_t features;		/**< SET_FEATURES value */
	uint64_t protocol_features;	/**< SET_PROTOCOL_FEATURES value */
	bool features_set;		/**< SET_FEATURES received */
	bool owner_set;			/**< SET_OWNER received */
	bool running;			/**< new_device fired */
	uint8_t status;			/**< SET_STATUS value */
	/** Set by the datapath when a ring is corrupt (atomic). */
	uint8_t needs_reset;
	uint16_t nr_vrings;		/**< highest vring index touched + 1 */
	/** Rings stopped by GET_VRING_BASE and not restarted (bit = ring):
	 * the device is not ready again until they are. */
	uint32_t stopped_mask;
	/** new_device returned non-zero: stay stopped until a reset. */
	bool refused;
	struct vhp_mem mem;		/**< guest memory */
	/** Dirty log (SET_LOG_BASE); rings mark it while LOG_ALL is on. */
	struct vhp_dirty_log *log;
	int log_fd;			/**< SET_LOG_FD, -1 none */
	uint16_t mtu;			/**< NET_SET_MTU, 0 none */
	/** SEND_RARP: a RARP for rarp_mac goes to the application on the
	 * next dequeue of queue pair 0 (atomic; the datapath clears it). */
	uint8_t rarp_pending;
	uint8_t rarp_mac[6];
	struct vhp_virtqueue *vq[VHP_MAX_VRINGS]; /**< allocated lazily */
};

/** Port: one socket and its (at most one) connection. */
struct vhp_port {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char name[64];
	uint32_t flags;				/**< VHP_PORT_* */
	uint16_t queue_pairs;
	uint64_t features_offered;
	struct vhp_port_ops ops;
	void *ctx;

	int listen_fd;				/**< server mode, else -1 */
	int conn_fd;				/**< connected socket, else -1 */
	/** Connected by vhp_port_create() (no-reconnect), not yet handed to
	 * the control thread; else -1. */
	int pending_fd;
	bool connected;
	bool destroying;
	uint64_t reconnect_tsc;			/**< client: next try */
	uint32_t reconnect_delay_ms;		/**< client back-off */

	uint64_t connections;
	uint64_t errors;			/**< protocol errors */

	struct vhp_device dev;
	struct vhp_port *next;			/**< control thread's list */

	/**
	 * Protects, against introspection from other threads, the lifetime
	 * of dev.vq[] structs and of dev.mem mappings. Held only briefly and
	 * never across an RCU wait or a callback.
	 */
	pthread_mutex_t lock;
	/**
	 * Counters survive reconnects: when a vring is freed its counters
	 * are added to saved[]; vhp_port_stats_reset() snapshots the totals
	 * into base[]. Reported = saved + live - base.
	 */
	struct vhp_vring_counters saved[VHP_MAX_VRINGS];
	struct vhp_vring_counters base[VHP_MAX_VRINGS];
	bool registered;			/**< control thread set it up */
	bool destroyed;				/**< control thread let go */
	bool connect_failed_logged;		/**< client: quiet retries */
	uint64_t refused;			/**< extra connections refused */
	/** Rings whose kick fd a sleeping poller reads (vhp_idle_add();
	 * bit = vring, atomic): the control thread leaves those fds alone. */
	uint32_t idle_rings;
};

/* ---- idle.c ---- */

/**
 * Control thread: a ring started or a kick fd changed; sleeping pollers
 * rebuild their wait set (each one's wake-up fd is written).
 */
void vhp_idle_rings_changed(void);

/** Does a sleeping poller own (read) the kick fd of @p vring? */
bool vhp_idle_owns_kick(const struct vhp_port *port, uint16_t vring);

/* ---- protocol.c ---- */

/** What vhp_protocol_handle() asks the socket layer to do next. */
enum vhp_msg_result {
	VHP_MSG_OK = 0,		/**< handled; reply sent if one was due */
	VHP_MSG_ERROR = 1,	/**< failed; counted, error reply sent if due */
	VHP_MSG_CLOSE = 2,	/**< close this connection */
};

/**
 * Validate and handle one message already read from @p fd. Owns msg->fds:
 * every fd is either kept or closed. Replies are written to @p fd.
 * Errors are logged with the port and message name and counted.
 */
enum vhp_msg_result vhp_protocol_handle(struct vhp_port *port, int fd,
					struct vhost_user_msg *msg);

/**
 * Read one message (header, payload and SCM_RIGHTS fds) from @p fd.
 * @return 1 message read, 0 peer closed, negative errno on a bad message
 *   (any fds received are closed).
 */
int vhp_msg_recv(int fd, struct vhost_user_msg *msg);

/** Send @p msg (header + hdr.size payload, no fds). @return 0 or -errno. */
int vhp_msg_send(int fd, const struct vhost_user_msg *msg);

/* ---- device.c ---- */

/** Initialise device state for a new connection. */
void vhp_device_init(struct vhp_port *port);

/**
 * Tear everything down (disconnect / RESET_OWNER / RESET_DEVICE): stop the
 * rings, destroy_device if running, quiesce, unmap memory, close fds.
 */
void vhp_device_reset(struct vhp_device *dev);

/**
 * Reset the device like RESET_DEVICE / SET_STATUS 0: everything but the
 * connection, SET_OWNER and the negotiated protocol features.
 */
void vhp_device_soft_reset(struct vhp_device *dev);

/** Fire destroy_device if the device runs (rings already quiesced). */
void vhp_device_stop_running(struct vhp_device *dev);

/** Stop one ring's datapath (ready = 0) and wait for quiescence. */
void vhp_vq_quiesce(struct vhp_virtqueue *vq);

/** Invalidate every ring's guest pointers (memory table changes). */
void vhp_device_untranslate(struct vhp_device *dev);

/**
 * Install @p log (NULL: none) as the device's dirty log and point every
 * ring at it while LOG_ALL is negotiated; a replaced log is unmapped after
 * a grace period. Also call after LOG_ALL changes (same @p log).
 */
void vhp_device_set_log(struct vhp_device *dev, struct vhp_dirty_log *log);

/* ---- dirty_log.c ---- */

/**
 * Map a dirty log (SET_LOG_BASE): @p size bytes at @p offset of @p fd,
 * checked against the file. The fd stays the caller's.
 * @return 0 and *out, or -errno with *why.
 */
int vhp_log_map(int fd, uint64_t size, uint64_t offset,
		struct vhp_dirty_log **out, const char **why);

/** Unmap and free a log (no ring may use it any more). */
void vhp_log_unmap(struct vhp_dirty_log *log);

/** Get (allocating on the ring's NUMA node) vring @p idx. NULL: bad idx. */
struct vhp_virtqueue *vhp_device_vq(struct vhp_device *dev, uint32_t idx);

/**
 * Re-evaluate readiness after any change: start/stop rings, fire
 * new_device / destroy_device / vring_state_changed as needed.
 */
void vhp_device_update(struct vhp_device *dev);

/**
 * Stop every ring's datapath (ready = 0) and wait for quiescence, before
 * memory or ring changes. vhp_device_update() restarts what may run.
 */
void vhp_device_quiesce(struct vhp_device *dev);

/** Stop one ring (GET_VRING_BASE): datapath quiesced, fds kept. */
void vhp_vq_stop(struct vhp_virtqueue *vq);

/** Compute the datapath fields of @p vq from the negotiated features. */
int vhp_vq_translate(struct vhp_virtqueue *vq, const char **why);

/** Effective device status including NEEDS_RESET raised by the datapath. */
uint8_t vhp_device_status(const struct vhp_device *dev);

/* ---- frontend_fd.c ---- */

/**
 * Make a kick/call/err fd from the front-end safe to use without ever
 * blocking: an eventfd gets O_NONBLOCK, a pipe/FIFO is reopened as our own
 * non-blocking description (the original is closed), anything else is
 * refused.
 *
 * @param fd         The fd received (owned by the caller until success).
 * @param for_write  We write it (call, err) rather than read it (kick).
 * @param[out] why   On failure, what the fd is / what went wrong.
 * @return the fd to keep (@p fd or a new one), or -errno (@p fd untouched).
 */
int vhp_frontend_fd_adopt(int fd, bool for_write, const char **why);

/* ---- rcu.c ---- */

/** Wait until every online datapath thread reported quiescent. */
void vhp_rcu_synchronize(void);

/**
 * Before a registered datapath thread waits for the control thread (which
 * may itself wait for a grace period): go offline if online.
 * @return whether it went offline (pass to vhp_rcu_unpark()).
 */
bool vhp_rcu_park(void);

/** After the wait: back online if vhp_rcu_park() took it offline. */
void vhp_rcu_unpark(bool parked);

/* ---- socket.c ---- */

/** Register/unregister a kick fd with the control thread's epoll. */
void vhp_ctrl_watch_kick(struct vhp_virtqueue *vq);
/** Stop watching a kick fd (before closing it). */
void vhp_ctrl_unwatch_kick(struct vhp_virtqueue *vq);

/* ---- port.c ---- */

/** Add a freed vring's counters to the port's saved totals. */
void vhp_port_save_counters(struct vhp_port *port,
			    const struct vhp_virtqueue *vq);

#endif /* VHP_INTERNAL_H */
