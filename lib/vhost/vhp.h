/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libvhostpath: a vhost-user net back-end (device side) on DPDK.
 *
 * A *port* is one vhost-user socket (server or client mode) with at most one
 * connected front-end at a time. Ports are served by one control thread
 * (epoll) that the library starts on the first vhp_port_create() and stops
 * after the last vhp_port_destroy().
 *
 * Queue numbering: the burst API takes a queue *pair* index q. Virtio-net
 * ring 2q is the guest's RX ring (vhp_enqueue_burst() fills it), ring 2q+1
 * its TX ring (vhp_dequeue_burst() drains it). Introspection calls that say
 * "vring" take the raw virtio ring index.
 *
 * Threading rules:
 * - One polling lcore per queue (pair direction); the burst calls of one
 *   ring must never run concurrently. They take no lock and make no
 *   syscall except an eventfd write when the guest asked for an interrupt.
 * - Every thread that calls a burst function registers once with
 *   vhp_thread_register(), reports vhp_thread_quiescent() between bursts
 *   (once per poll-loop iteration is ideal), and calls vhp_thread_offline()
 *   before it stops polling for a while (vhp_thread_online() to resume).
 * - Quiescent-state rule (DPDK rte_rcu_qsbr): the control thread never
 *   unmaps guest memory, frees a queue or closes a call fd that a burst may
 *   be using until every registered online thread has reported quiescent
 *   after the queue was stopped. A thread that stays online without
 *   reporting blocks the control thread (never the datapath).
 * - When a port has no ready device, or the ring is not started/enabled,
 *   the burst functions return 0 and count nothing as an error.
 */
#ifndef VHP_H
#define VHP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct rte_mempool;

/** Opaque handle of one vhost-user port. */
struct vhp_port;

/** Most queue pairs a port supports. */
#define VHP_MAX_QUEUE_PAIRS	8
/** Most vrings a port supports (two per queue pair). */
#define VHP_MAX_VRINGS		(2 * VHP_MAX_QUEUE_PAIRS)
/** Memory slots offered with CONFIGURE_MEM_SLOTS. */
#define VHP_MAX_MEM_SLOTS	32

/** Port flag: connect to the socket (client mode) instead of listening. */
#define VHP_PORT_CLIENT		(1u << 0)
/**
 * Port flag: vhp_enqueue_burst() copies packets into the guest and leaves
 * every mbuf to the caller, who frees them (rte_vhost's rule), instead of
 * freeing the ones it took.
 */
#define VHP_PORT_KEEP_MBUFS	(1u << 1)
/**
 * Port flag (client mode): connect once. vhp_port_create() fails when the
 * first connection cannot be made, and the port does not reconnect after
 * the front-end goes away.
 */
#define VHP_PORT_NO_RECONNECT	(1u << 2)

/** Callbacks a port calls on its control thread. All are optional. */
struct vhp_port_ops {
	/**
	 * The device became ready: the first queue pair is fully set up (and
	 * DRIVER_OK was set where the front-end uses SET_STATUS). Return 0 to
	 * accept; non-zero leaves the device not running.
	 */
	int (*new_device)(struct vhp_port *port, void *ctx);
	/**
	 * The device stopped: disconnect, reset, or GET_VRING_BASE of a
	 * running ring. After it returns no burst on this port moves packets
	 * until the next new_device.
	 */
	void (*destroy_device)(struct vhp_port *port, void *ctx);
	/** A vring was enabled or disabled by the front-end. */
	void (*vring_state_changed)(struct vhp_port *port, uint16_t vring,
				    bool enabled, void *ctx);
	/**
	 * A front-end connected (before any message). Non-zero closes the
	 * connection (destroy_connection follows).
	 */
	int (*new_connection)(struct vhp_port *port, void *ctx);
	/** The front-end's connection closed (after destroy_device). */
	void (*destroy_connection)(struct vhp_port *port, void *ctx);
};

/** Configuration of a port (copied by vhp_port_create()). */
struct vhp_port_conf {
	/** Unix socket path. */
	const char *path;
	/** VHP_PORT_* flags. */
	uint32_t flags;
	/** Queue pairs offered (1..VHP_MAX_QUEUE_PAIRS; 0 means 1). */
	uint16_t queue_pairs;
	/** Virtio feature bits never offered (bit n = feature n). */
	uint64_t features_off;
	/** Callbacks, may be NULL. */
	const struct vhp_port_ops *ops;
	/** Opaque pointer passed to the callbacks. */
	void *ctx;
	/** Name used in logs; defaults to the socket path. */
	const char *name;
};

/** Ring format of a connected device. */
enum vhp_ring_format {
	VHP_RING_SPLIT = 0,	/**< split virtqueues */
	VHP_RING_PACKED = 1,	/**< packed virtqueues (VIRTIO_F_RING_PACKED) */
};

/** Snapshot of a port's state. */
struct vhp_port_info {
	const char *path;		/**< socket path */
	bool client;			/**< client mode */
	bool connected;			/**< a front-end is connected */
	bool running;			/**< new_device fired and no destroy since */
	uint8_t status;			/**< last device status byte */
	uint64_t features;		/**< negotiated virtio features */
	uint64_t protocol_features;	/**< negotiated protocol features */
	uint64_t features_offered;	/**< virtio features we offer */
	enum vhp_ring_format ring;	/**< ring format */
	uint16_t queue_pairs;		/**< queue pairs offered */
	uint16_t nr_vrings;		/**< vrings the front-end set up */
	uint64_t connections;		/**< front-end connections so far */
	uint64_t errors;		/**< protocol errors so far */
	uint32_t mem_regions;		/**< mapped guest memory regions */
	/** MTU the front-end set (NET_SET_MTU, QEMU's host_mtu), 0 none. */
	uint16_t mtu;
	/** Dirty-page logging active (LOG_ALL negotiated, log mapped). */
	bool logging;
};

/** Snapshot of one vring. */
struct vhp_vring_info {
	uint16_t size;			/**< queue size (0: not set) */
	bool enabled;			/**< SET_VRING_ENABLE state */
	bool started;			/**< kick set, not stopped */
	bool ready;			/**< datapath serves it */
	bool broken;			/**< marked broken (needs reset) */
	uint16_t last_avail_idx;	/**< next avail index we will read */
	uint16_t last_used_idx;		/**< next used index we will write */
	uint16_t avail_idx;		/**< driver's avail index (split) */
	uint16_t used_idx;		/**< used index in guest memory (split) */
	bool avail_wrap;		/**< packed: avail wrap counter */
	bool used_wrap;			/**< packed: used wrap counter */
	int numa_node;			/**< node of the ring memory, -1 unknown */
	int kickfd;			/**< kick eventfd, -1 none */
	int callfd;			/**< call eventfd, -1 none */
	/**
	 * Ring areas in this process (NULL until translated): descriptor
	 * table, avail ring (packed: driver event area), used ring (packed:
	 * device event area). Valid while the device runs.
	 */
	void *desc;
	void *avail;			/**< see desc */
	void *used;			/**< see desc */
	uint64_t log_guest_addr;	/**< SET_VRING_ADDR's log address */
};

/** Per-vring counters (monotonic since port creation). */
struct vhp_vring_stats {
	uint64_t packets;	/**< packets moved */
	uint64_t bytes;		/**< bytes moved (without virtio-net header) */
	/**
	 * Packets the library discarded without a guest error: RX (guest
	 * receive ring) a packet larger than the guest buffer without
	 * MRG_RXBUF; TX a packet for which no mbuf could be allocated.
	 * Packets vhp_enqueue_burst() does not take (ring full) stay with
	 * the caller and are not counted here.
	 */
	uint64_t dropped;
	uint64_t errors;	/**< packets dropped for bad guest input */
	uint64_t notifications;	/**< callfd writes */
	uint64_t notifications_suppressed; /**< bursts where guest asked none */
	uint64_t kicks;		/**< guest kicks seen by the control thread */
	uint64_t bad_addr;	/**< descriptor outside guest memory */
	uint64_t bad_chain;	/**< looping or over-long chain */
	uint64_t bad_indirect;	/**< bad indirect table */
	uint64_t bad_index;	/**< head or index beyond the ring */
	uint64_t bad_len;	/**< buffer too small or header too short */
	uint64_t alloc_failed;	/**< mbuf allocation failures */
	uint64_t broken;	/**< times the ring was marked broken */
	/**
	 * Guest TX packets dropped for an invalid virtio_net_hdr offload
	 * request (NEEDS_CSUM outside the packet, GSO type not negotiated or
	 * not matching the packet, gso_size 0, ...). Included in errors.
	 */
	uint64_t bad_offload;
	/**
	 * Interrupts that could not be written to the call fd: the front-end
	 * does not read it (a full pipe, a saturated eventfd). The polling
	 * core never blocks on it; the interrupt is dropped and counted.
	 */
	uint64_t call_failed;
	/**
	 * Times the ring started at the position found in the ring itself
	 * (split: used->idx; packed: the descriptors' flags) because the
	 * front-end's SET_VRING_BASE disagreed: a back-end restart under a
	 * running driver (doc/lifecycle.md).
	 */
	uint64_t resumed;
};

/**
 * Create a port: listen on (server) or connect to (client) a unix socket.
 * Starts the control thread if needed. Requires rte_eal_init() done.
 *
 * @param conf Port configuration.
 * @return The port, or NULL with rte_errno set (EINVAL, EEXIST, ENOMEM,
 *   EADDRINUSE, ENOENT...). The reason is logged.
 */
struct vhp_port *vhp_port_create(const struct vhp_port_conf *conf);

/**
 * Destroy a port: disconnect the front-end (destroy_device fires), wait for
 * the datapath to be quiescent, unmap memory, close and (server mode)
 * unlink the socket.
 *
 * @param port The port; NULL is ignored.
 */
void vhp_port_destroy(struct vhp_port *port);

/**
 * Fill @p info with a snapshot of the port's state.
 * @return 0, or -EINVAL.
 */
int vhp_port_info_get(const struct vhp_port *port, struct vhp_port_info *info);

/**
 * Fill @p info with a snapshot of one vring. On a running ring the
 * positions are read while the datapath moves them: each is whole, but
 * they may be a burst apart from each other.
 * @param vring Virtio ring index (0..VHP_MAX_VRINGS-1).
 * @return 0, or -EINVAL.
 */
int vhp_vring_info_get(const struct vhp_port *port, uint16_t vring,
		       struct vhp_vring_info *info);

/**
 * Read one vring's counters.
 * @return 0, or -EINVAL.
 */
int vhp_vring_stats_get(const struct vhp_port *port, uint16_t vring,
			struct vhp_vring_stats *stats);

/** Zero one port's vring counters (not the protocol error count). */
void vhp_port_stats_reset(struct vhp_port *port);

/**
 * Buffers the guest made available on @p vring that the device has not
 * read yet (split: avail->idx - last_avail_idx; packed: available
 * descriptors counted from the device's position). Meant for the thread
 * that polls the ring, between bursts; takes no lock.
 * @return the count, 0 when the ring is not ready.
 */
uint32_t vhp_vring_avail_count(struct vhp_port *port, uint16_t vring);

/**
 * Ask the guest to kick (notify) when it adds buffers to @p vring, or not.
 * Rings start with kicks off (we poll); a thread that wants to sleep until
 * the guest adds work turns them on, re-checks the ring, then waits on the
 * kick fd (vhp_vring_info.kickfd) and reads it: while kicks are on, the
 * control thread no longer reads (counts) that fd. Split:
 * VRING_USED_F_NO_NOTIFY and, with EVENT_IDX, avail_event; packed: the
 * device event suppression area.
 * @return 0; -EINVAL bad port/vring; -EAGAIN the ring is not ready.
 */
int vhp_vring_kicks_enable(struct vhp_port *port, uint16_t vring,
			   bool enable);

/** One mapped guest memory region (vhp_port_mem_get()). */
struct vhp_mem_region_info {
	uint64_t guest_phys_addr;	/**< guest-physical start */
	uint64_t guest_user_addr;	/**< front-end's user address */
	uint64_t host_user_addr;	/**< where it is mapped here */
	uint64_t size;			/**< bytes */
	void *mmap_addr;		/**< start of our mapping */
	uint64_t mmap_size;		/**< length of our mapping */
	int fd;				/**< the region's fd (ours; do not close) */
};

/**
 * Copy the port's guest memory table into @p regs (at most @p max).
 * @return the number of regions mapped (may exceed @p max), -EINVAL.
 */
int vhp_port_mem_get(struct vhp_port *port, struct vhp_mem_region_info *regs,
		     unsigned int max);

/**
 * Interrupt the guest on @p vring now (write its call fd), whatever its
 * suppression flags say. Not counted as a datapath notification.
 * @return 0; -EINVAL; -EAGAIN no call fd.
 */
int vhp_vring_call(struct vhp_port *port, uint16_t vring);

/** Where a sleeping poller can wait for new work on a ring (UMWAIT). */
struct vhp_monitor_cond {
	volatile void *addr;	/**< address to watch */
	uint64_t val;		/**< value compared after masking */
	uint64_t mask;		/**< mask applied to the value at addr */
	uint8_t size;		/**< bytes at addr (2) */
	/** 1: work when (value & mask) == val; 0: when it differs. */
	uint8_t match;
};

/**
 * Fill @p c with the location that changes when the guest adds a buffer
 * to @p vring: split the avail index, packed the flags of the next
 * descriptor. Datapath thread of the ring, between bursts.
 * @return 0; -EINVAL; -EAGAIN when the ring is not ready.
 */
int vhp_vring_monitor_cond(struct vhp_port *port, uint16_t vring,
			   struct vhp_monitor_cond *c);

/** Name of the port given at creation (or its path). */
const char *vhp_port_name(const struct vhp_port *port);

/** Name of virtio feature bit @p bit, or NULL when unknown. */
const char *vhp_feature_name(unsigned int bit);
/** Name of protocol feature bit @p bit, or NULL when unknown. */
const char *vhp_protocol_feature_name(unsigned int bit);
/** Name of a vhost-user request code ("SET_MEM_TABLE"), "UNKNOWN" else. */
const char *vhp_request_name(uint32_t request);
/**
 * Look a virtio feature up by name ("MRG_RXBUF", "EVENT_IDX",
 * case-insensitive, with or without VIRTIO_F_/VIRTIO_NET_F_ prefix).
 * @return the bit, or -1.
 */
int vhp_feature_from_name(const char *name);

/** Offload features of virtio-net (CSUM, GUEST_CSUM, TSO, ECN, UFO). */
#define VHP_FEATURES_OFFLOAD	UINT64_C(0x7f83)

/**
 * Complete a set of features to turn off with the features that depend on
 * them, so that what is left is a consistent set a driver accepts
 * (virtio 1.2, 5.1.3.1): no HOST_TSO4/6, HOST_UFO or HOST_ECN without CSUM,
 * no GUEST_TSO4/6, GUEST_UFO or GUEST_ECN without GUEST_CSUM, no ECN
 * without TSO4 or TSO6 in the same direction.
 *
 * @param off
 *   Feature bits to turn off.
 * @param offered
 *   Feature bits that would be offered otherwise (only those are added).
 * @return @p off plus the dependants of its bits within @p offered.
 */
uint64_t vhp_features_off_closure(uint64_t off, uint64_t offered);

/**
 * Virtio features the front-end of @p port negotiated (SET_FEATURES), read
 * without a lock: meant for a datapath thread deciding per burst whether a
 * packet needs software help (e.g. TCP segmentation when the guest lacks
 * GUEST_TSO4). Only stable while the port's queues are ready.
 *
 * @return the feature bits, 0 when @p port is NULL or not negotiated.
 */
uint64_t vhp_port_features(const struct vhp_port *port);

/**
 * Finish in software the checksum offloads an mbuf asks for
 * (RTE_MBUF_F_TX_IP_CKSUM, RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_UDP_CKSUM),
 * for a port that cannot do them (a pcap file, a device without the
 * offload): packets a guest sent with partial checksums come out of
 * vhp_dequeue_burst() with these requests. The checksums are written into
 * the packet and the request flags cleared. l2_len/l3_len are used when
 * set, else the headers are parsed.
 *
 * @param m
 *   The packet; must be writable (direct, not shared) with its headers in
 *   the first segment.
 * @return 0 done (or nothing to do); -ENOTSUP a segmentation request
 *   (RTE_MBUF_F_TX_TCP_SEG/UDP_SEG: use rte_gso first), SCTP, or headers
 *   that are not IPv4/IPv6 in the first segment; -EPERM a shared or
 *   indirect mbuf. The packet is unchanged on error.
 */
int vhp_mbuf_offload_sw(struct rte_mbuf *m);

/**
 * Register the calling thread as a datapath thread (QSBR reader).
 * @return 0, or a negative errno.
 */
int vhp_thread_register(void);
/** Unregister the calling thread. */
void vhp_thread_unregister(void);
/** Report a quiescent state: the thread holds no guest pointer now. */
void vhp_thread_quiescent(void);
/** The calling thread stops polling for a while. */
void vhp_thread_offline(void);
/** The calling thread resumes polling. */
void vhp_thread_online(void);
/**
 * Wait until every registered online thread has reported a quiescent
 * state: after it returns no burst that started before the call still runs.
 * Must not be called from a callback of the control thread.
 */
void vhp_thread_synchronize(void);

/**
 * @name Idle pollers
 * A polling thread that finds its rings empty for a while can sleep until
 * a guest kicks: vhp_idle_create() one object per polling thread,
 * vhp_idle_add() every ring the thread dequeues from, then call
 * vhp_idle_loop_end() once per loop iteration with the packets the
 * iteration handled. After @c idle_polls empty iterations it arms guest
 * kicks on the rings (split: VRING_USED_F_NO_NOTIFY cleared, avail_event
 * set with EVENT_IDX; packed: the device event area ENABLE), re-checks
 * them, goes RCU-offline and waits in epoll on their kick fds; the first
 * kick (or a ring starting, or vhp_idle_wake()) wakes it, kicks are
 * suppressed again and polling resumes. While a ring is registered, its
 * kick fd belongs to the sleeping thread (the control thread does not
 * count kicks on it; the idle object does).
 * @{
 */

/** What a polling thread does when its rings are empty. */
enum vhp_idle_mode {
	VHP_IDLE_POLL = 0,	/**< spin: lowest latency, a whole core */
	/** Sleep after idle_polls empty loop iterations until a kick. */
	VHP_IDLE_SLEEP,
	/**
	 * As SLEEP, but the number of empty iterations before sleeping
	 * doubles (up to 256 x idle_polls) after each sleep a kick ended
	 * within short_sleep_us (200 us) and after each sleep given up
	 * because work came while arming, and halves after a sleep longer
	 * than long_sleep_ms (50 ms): a steady stream with short gaps keeps
	 * the thread polling.
	 */
	VHP_IDLE_ADAPTIVE,
};

/** Configuration of an idle object. */
struct vhp_idle_conf {
	enum vhp_idle_mode mode;	/**< poll, sleep or adaptive */
	/** Empty loop iterations before sleeping (0: 8192). */
	uint32_t idle_polls;
	/**
	 * Longest sleep in ms (0: 1000; -1: until woken), so that an
	 * application's periodic work (e.g. MAC ageing) still runs.
	 */
	int timeout_ms;
	/** Adaptive: a sleep a kick ends sooner counts as short (0: 200). */
	uint32_t short_sleep_us;
	/** Adaptive: a sleep longer than this counts as idle (0: 50). */
	uint32_t long_sleep_ms;
};

/** Counters of an idle object (vhp_idle_stats_get()). */
struct vhp_idle_stats {
	uint64_t sleeps;	/**< times the thread went to sleep */
	/** Sleeps given up: a ring had work when re-checked after arming. */
	uint64_t aborted;
	uint64_t wake_kick;	/**< sleeps a guest kick ended */
	uint64_t wake_timeout;	/**< sleeps the timeout ended */
	/** Sleeps the control thread (a ring started) or the
	 * application (vhp_idle_wake()) ended. */
	uint64_t wake_ctrl;
	uint64_t kicks;		/**< kick fd reads that returned a kick */
	uint64_t asleep_ns;	/**< nanoseconds spent asleep */
	/** Sleeps refused: a running ring has no kick fd (the front-end
	 * sent SET_VRING_KICK with NOFD: the device must poll it). */
	uint64_t no_kick_fd;
	uint64_t errors;	/**< epoll failures (the thread kept polling) */
	uint32_t threshold;	/**< empty iterations before the next sleep */
	uint32_t nb_rings;	/**< rings registered */
	enum vhp_idle_mode mode;	/**< current mode */
};

/** Hot part of an idle object, read by vhp_idle_loop_end() inline. */
struct vhp_idle_hot {
	uint32_t empty;		/**< consecutive empty loop iterations */
	uint32_t threshold;	/**< empty iterations before sleeping */
};

struct vhp_idle;

/**
 * Create an idle object for one polling thread.
 * @param socket_id NUMA node for its memory (SOCKET_ID_ANY).
 * @return the object, or NULL (logged).
 */
struct vhp_idle *vhp_idle_create(const struct vhp_idle_conf *conf,
				 int socket_id);

/** Release the rings (their kick fds go back to the control thread). */
void vhp_idle_free(struct vhp_idle *idle);

/**
 * Register @p vring of @p port with the polling thread of @p idle. The
 * ring need not run yet: a ring that starts later wakes the thread.
 * Call from the polling thread or while it does not run.
 * @return 0; -EINVAL; -ENOMEM; -EBUSY another idle object has the ring.
 */
int vhp_idle_add(struct vhp_idle *idle, struct vhp_port *port,
		 uint16_t vring);

/**
 * Unregister every ring of @p port (before vhp_port_destroy()).
 * Call from the polling thread or while it does not run.
 * @return the number of rings removed, or -EINVAL.
 */
int vhp_idle_remove_port(struct vhp_idle *idle, const struct vhp_port *port);

/**
 * Change the mode (and, when non-zero, idle_polls). Call from the polling
 * thread or while it does not run. @return 0 or -EINVAL.
 */
int vhp_idle_mode_set(struct vhp_idle *idle, enum vhp_idle_mode mode,
		      uint32_t idle_polls);

/**
 * Arm kicks, re-check the rings and sleep until woken (see above). Called
 * by vhp_idle_loop_end(); the polling thread must be registered
 * (vhp_thread_register()) and hold no guest pointer.
 * @return 1 slept; 0 did not (poll mode, no ring, work found, a ring
 *   without kick fd).
 */
int vhp_idle_sleep(struct vhp_idle *idle);

/**
 * End of one loop iteration of the polling thread: sleeps when the mode
 * says so. Costs a compare and an increment when it does not.
 * @param nb_pkts packets the iteration received or sent.
 * @return 1 when the thread slept.
 */
static inline int
vhp_idle_loop_end(struct vhp_idle *idle, uint32_t nb_pkts)
{
	struct vhp_idle_hot *h = (struct vhp_idle_hot *)idle;

	if (nb_pkts != 0) {
		h->empty = 0;
		return 0;
	}
	if (__builtin_expect(++h->empty < h->threshold, 1))
		return 0;
	return vhp_idle_sleep(idle);
}

/** Wake the thread of @p idle if it sleeps (any thread). */
void vhp_idle_wake(struct vhp_idle *idle);

/** Read the counters (any thread). @return 0 or -EINVAL. */
int vhp_idle_stats_get(const struct vhp_idle *idle,
		       struct vhp_idle_stats *stats);

/** "poll", "sleep", "adaptive" (NULL for an unknown value). */
const char *vhp_idle_mode_name(enum vhp_idle_mode mode);

/** Parse a mode name. @return 0 and *mode, or -EINVAL. */
int vhp_idle_mode_from_name(const char *name, enum vhp_idle_mode *mode);

/** @} */

/**
 * Copy packets into the guest's RX ring of queue pair @p queue.
 *
 * Returns how many of @p pkts were taken; the caller still owns (and must
 * free or retry) the others, as with rte_eth_tx_burst(). Taken mbufs are
 * freed by the library, unless the port was created with
 * VHP_PORT_KEEP_MBUFS (then the caller frees all of them).
 *
 * @return Packets taken (0 when the device or ring is not ready).
 */
uint16_t vhp_enqueue_burst(struct vhp_port *port, uint16_t queue,
			   struct rte_mbuf **pkts, uint16_t count);

/**
 * Receive packets the guest transmitted on queue pair @p queue, as mbufs
 * allocated from @p pool (chained when a packet exceeds one mbuf).
 *
 * @return Packets stored in @p pkts (0 when not ready).
 */
uint16_t vhp_dequeue_burst(struct vhp_port *port, uint16_t queue,
			   struct rte_mempool *pool, struct rte_mbuf **pkts,
			   uint16_t count);

#ifdef __cplusplus
}
#endif

#endif /* VHP_H */
