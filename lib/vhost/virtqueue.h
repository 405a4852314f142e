/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-vring state. The first cache line holds what every burst reads; the
 * control-plane fields come after and are only written while the ring is
 * stopped (ready == 0 and the datapath quiescent).
 */
#ifndef VHP_VIRTQUEUE_H
#define VHP_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dirty_log.h"
#include "memory.h"
#include "vhp.h"
#include "virtio_defs.h"

struct vhp_device;

/** Reasons a guest buffer or ring is refused (index into stats). */
enum vhp_vq_error {
	VHP_ERR_ADDR,		/**< address outside guest memory */
	VHP_ERR_CHAIN,		/**< loop or chain longer than the ring */
	VHP_ERR_INDIRECT,	/**< nested/oversized/misaligned indirect */
	VHP_ERR_INDEX,		/**< head or avail index beyond the ring */
	VHP_ERR_LEN,		/**< buffer too small / header too short */
	VHP_ERR_OFFLOAD,	/**< virtio_net_hdr offload request invalid */
	VHP_ERR_MAX
};

/** Per-vring counters, written by the polling lcore only. */
struct vhp_vq_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t dropped;
	uint64_t alloc_failed;
	uint64_t notifications;
	uint64_t notifications_suppressed;
	uint64_t errors[VHP_ERR_MAX];
	uint64_t broken;
	/** Call fd writes that failed (the front-end does not read it). */
	uint64_t call_failed;
	/** Ring starts that took the position from the ring itself, not
	 * from the front-end's SET_VRING_BASE (control thread). */
	uint64_t resumed;
};

/**
 * Add @p n to counter @p field of @p vq. Each counter has one writer (the
 * thread that runs the ring, or the control thread while the ring is
 * stopped) and is read from any thread (vhp_vring_stats_get()): a relaxed
 * atomic store - a plain store on x86 - so that readers see whole values.
 */
#define VHP_STAT_ADD(vq, field, n) \
	__atomic_store_n(&(vq)->stats.field, (vq)->stats.field + (n), \
			 __ATOMIC_RELAXED)

/** Datapath bits of vq->flags, derived from negotiated features. */
#define VHP_VQ_F_EVENT_IDX	(1u << 0)
#define VHP_VQ_F_MRG_RXBUF	(1u << 1)
#define VHP_VQ_F_IN_ORDER	(1u << 2)
#define VHP_VQ_F_INDIRECT	(1u << 3)
#define VHP_VQ_F_PACKED		(1u << 4)
#define VHP_VQ_F_TX		(1u << 5)	/* odd vring: guest TX */
/*
 * Offload bits. They are derived from the negotiated features by the
 * datapath itself on the first burst after the control plane (re)wrote
 * vq->flags (VHP_VQ_F_OL_INIT clear), see vhp_vq_offload_init().
 */
#define VHP_VQ_F_OL_INIT	(1u << 6)	/* offload bits below are valid */
/* Guest TX: NET_F_CSUM negotiated, headers may carry NEEDS_CSUM / GSO. */
#define VHP_VQ_F_HOST_OL	(1u << 7)
/* Guest RX: GUEST_CSUM negotiated (NEEDS_CSUM / DATA_VALID accepted). */
#define VHP_VQ_F_GUEST_CSUM	(1u << 8)
/* Enqueue leaves the mbufs to the caller (VHP_PORT_KEEP_MBUFS). */
#define VHP_VQ_F_KEEP_MBUFS	(1u << 9)

/* vq->ol_features bits: the offload features negotiated, by direction. */
#define VHP_OL_CSUM		(1u << 0)	/* CSUM / GUEST_CSUM */
#define VHP_OL_TSO4		(1u << 1)	/* HOST_TSO4 / GUEST_TSO4 */
#define VHP_OL_TSO6		(1u << 2)	/* HOST_TSO6 / GUEST_TSO6 */
#define VHP_OL_ECN		(1u << 3)	/* HOST_ECN / GUEST_ECN */
#define VHP_OL_UFO		(1u << 4)	/* HOST_UFO / GUEST_UFO */

/** One vring of a device. */
struct vhp_virtqueue {
	/* ---- cache line 0: hot, read by every burst ---- */
	union {
		struct vring_desc *desc;
		struct vring_packed_desc *desc_packed;
	};
	union {
		struct vring_avail *avail;
		struct vring_packed_desc_event *driver_event;
	};
	union {
		struct vring_used *used;
		struct vring_packed_desc_event *device_event;
	};
	const struct vhp_mem *mem;	/**< guest memory of the device */
	/** Datapath may run: written by the control thread (release). */
	volatile uint8_t ready;
	uint8_t hdr_len;		/**< virtio_net_hdr size: 10 or 12 */
	uint16_t flags;			/**< VHP_VQ_F_* */
	uint16_t size;			/**< queue size, power of two */
	uint16_t size_mask;		/**< size - 1 */
	uint16_t last_avail_idx;	/**< next avail entry to read */
	uint16_t last_used_idx;		/**< next used entry to write */
	uint16_t shadow_count;		/**< entries in shadow_used */
	uint16_t signalled_used;	/**< used idx at the last notify */
	uint8_t avail_wrap;		/**< packed: driver wrap counter */
	uint8_t used_wrap;		/**< packed: device wrap counter */
	uint8_t signalled_used_valid;
	uint8_t broken;			/**< ring corrupt: stopped */
	int callfd;			/**< -1: no interrupt */
	/** Dirty log while LOG_ALL is on, else NULL (read once a flush). */
	struct vhp_dirty_log *log;

	/* ---- cache line 1+: translation cache, shadow, scratch ---- */
	/** Last region translated through (reset by vhp_vq_translate). */
	struct vhp_mem_cache mem_hint __rte_cache_aligned;
	/** Used entries not yet published (split: id/len; packed: id/len). */
	struct vring_used_elem *shadow_used;
	/** Packed: number of descriptors each shadow entry consumed. */
	uint16_t *shadow_count_desc;
	/** Packed: avail wrap of each shadow entry's first descriptor. */
	uint16_t shadow_last_used;
	uint8_t shadow_used_wrap;
	/** Private copies: indirect tables that are misaligned or span regions,
	 * the non-empty segments of a packed buffer. */
	struct vring_desc *desc_scratch;
	/** VHP_OL_* negotiated for this ring's direction (rare paths only). */
	uint8_t ol_features;
	/** Guest-physical address of the area the log marks: split the used
	 * ring (log_guest_addr), packed the descriptor ring. */
	uint64_t log_ring_gpa;

	struct vhp_vq_stats stats __rte_cache_aligned;

	/* ---- control plane ---- */
	struct vhp_device *dev __rte_cache_aligned;
	uint16_t index;			/**< vring index */
	uint16_t num;			/**< SET_VRING_NUM value */
	uint32_t base;			/**< SET_VRING_BASE value */
	bool enabled;			/**< SET_VRING_ENABLE */
	bool started;			/**< kick fd set, not stopped */
	bool addr_set;			/**< SET_VRING_ADDR received */
	bool num_set;			/**< SET_VRING_NUM received */
	bool base_set;			/**< indexes known (SET_VRING_BASE or
					 * read from used->idx) */
	bool kick_set;			/**< SET_VRING_KICK (fd or NOFD) */
	bool call_set;			/**< SET_VRING_CALL (fd or NOFD) */
	bool translated;		/**< ring pointers valid for mem */
	/**
	 * The control thread set ready = 1 and has not waited for a grace
	 * period since. The datapath may clear ready itself (a broken ring)
	 * while a burst still runs, so only this flag says whether stopping
	 * the ring needs a wait.
	 */
	bool published;
	/** The application asked for guest kicks (vhp_vring_kicks_enable):
	 * applied when the ring starts. */
	bool kicks_on;
	/** The last SET_VRING_BASE was refused: no position, no start. */
	bool base_refused;
	/** SET_VRING_BASE (or creation) not yet checked against the ring's
	 * contents (split: used->idx; packed: a scan of the descriptors). */
	bool base_unchecked;
	struct vhost_vring_addr addr;	/**< as received */
	int kickfd;			/**< -1 none; polled for kick counting */
	int errfd;			/**< -1 none */
	int numa_node;			/**< node of the ring memory */
	int alloc_node;			/**< node this struct lives on */
	uint64_t kicks;			/**< control thread: kicks read */
	uint64_t last_log_tsc;		/**< rate limit of datapath logs */
	uint32_t log_suppressed;	/**< messages not printed since */
} __rte_cache_aligned;

_Static_assert(offsetof(struct vhp_virtqueue, log) + sizeof(void *) <=
	       RTE_CACHE_LINE_SIZE,
	       "the fields every burst reads fit one cache line");

extern int vhp_logtype;

/** Log from the control plane. */
#define VHP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vhp_logtype, "VHOSTPATH: " fmt "\n", \
		##__VA_ARGS__)

/**
 * Datapath error: count reason @p err on @p vq and log at most one line a
 * second per queue naming the port, vring and reason.
 */
void vhp_vq_error(struct vhp_virtqueue *vq, enum vhp_vq_error err,
		  const char *fmt, ...) __rte_format_printf(3, 4) __rte_cold;

/**
 * Log a datapath warning about @p vq (naming its port and vring) at most
 * once a second per vring; the count of suppressed lines goes with the
 * next one. Datapath-safe.
 */
void vhp_vq_log_limited(struct vhp_virtqueue *vq, const char *fmt, ...)
	__rte_format_printf(2, 3) __rte_cold;

/**
 * The ring itself is corrupt: stop serving it (ready = 0, broken = 1), raise
 * DEVICE_NEEDS_RESET on the device, log once and signal the SET_VRING_ERR
 * fd if the front-end gave one. Datapath-safe.
 */
void vhp_vq_mark_broken(struct vhp_virtqueue *vq, const char *why) __rte_cold;

/** Name of a vhp_vq_error value. */
const char *vhp_vq_error_name(enum vhp_vq_error err);

/* ---- split ring datapath (split.c) ---- */

/** Enqueue into a split RX ring. vq->ready was checked by the caller. */
uint16_t vhp_split_enqueue(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
			   uint16_t count);
/** Dequeue from a split TX ring. vq->ready was checked by the caller. */
uint16_t vhp_split_dequeue(struct vhp_virtqueue *vq, struct rte_mempool *mp,
			   struct rte_mbuf **pkts, uint16_t count);

/* ---- packed ring datapath (packed.c) ---- */

/** Enqueue into a packed RX ring. */
uint16_t vhp_packed_enqueue(struct vhp_virtqueue *vq, struct rte_mbuf **pkts,
			    uint16_t count);
/**
 * Where the device stands on a packed ring, read from the descriptors
 * alone (no index is kept in guest memory): used after a back-end restart,
 * when the front-end does not know the position. Exact when every buffer
 * is a single descriptor or an indirect one; a chain of several direct
 * descriptors in flight at the restart may be misread (doc/lifecycle.md).
 * Control thread, ring translated and stopped.
 *
 * @param[out] idx   Next descriptor the device reads.
 * @param[out] wrap  The device's wrap counter there.
 */
void vhp_packed_find_position(const struct vhp_virtqueue *vq, uint16_t *idx,
			      uint8_t *wrap);
/** Dequeue from a packed TX ring. */
uint16_t vhp_packed_dequeue(struct vhp_virtqueue *vq, struct rte_mempool *mp,
			    struct rte_mbuf **pkts, uint16_t count);

/* ---- mbufs ---- */

/**
 * Free the @p n mbufs an enqueue burst copied into the guest. The usual
 * burst (one pool, direct, single-segment, not shared) goes back to the
 * pool in one put; anything else takes rte_pktmbuf_free_bulk().
 */
static __rte_always_inline void
vhp_mbuf_free_burst(struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mempool *mp;
	uint16_t i;

	if (unlikely(n == 0))
		return;
	mp = pkts[0]->pool;
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		if (unlikely(m->pool != mp || rte_mbuf_refcnt_read(m) != 1 ||
			     !RTE_MBUF_DIRECT(m) || m->next != NULL)) {
			rte_pktmbuf_free_bulk(pkts, n);
			return;
		}
	}
	rte_mempool_put_bulk(mp, (void **)pkts, n);
}

/* ---- dirty-page log (dirty_log.c) ---- */

/** Mark RX buffers of the shadow (@p n entries) and the used entries
 * from @p start (split, before used->idx is published). */
void vhp_log_split_flush(struct vhp_virtqueue *vq, struct vhp_dirty_log *log,
			 uint16_t start, uint16_t n);
/** Mark the split used index (after it is published). */
void vhp_log_split_used_idx(struct vhp_virtqueue *vq,
			    struct vhp_dirty_log *log);
/** Mark the RX buffers of the packed shadow (before the flush writes). */
void vhp_log_packed_buffers(struct vhp_virtqueue *vq,
			    struct vhp_dirty_log *log);
/** Mark @p ndesc packed descriptors from @p head (after the flush). */
void vhp_log_packed_descs(struct vhp_virtqueue *vq, struct vhp_dirty_log *log,
			  uint16_t head, uint16_t ndesc);

/* ---- notifications (notify.c) ---- */

/**
 * Publish the split shadow used entries (one release store of used->idx)
 * and write the callfd if the guest asked for an interrupt.
 */
void vhp_split_flush_and_notify(struct vhp_virtqueue *vq);

/**
 * IN_ORDER batch (split): write one used entry (@p last_id, @p last_len) at
 * the offset of the batch's first buffer, advance used->idx by @p n buffers
 * (one release store) and notify as vhp_split_flush_and_notify() does.
 * The shadow must be empty.
 */
void vhp_split_flush_in_order(struct vhp_virtqueue *vq, uint16_t last_id,
			      uint32_t last_len, uint16_t n);

/**
 * Set kick suppression on a ring when it starts: VRING_USED_F_NO_NOTIFY
 * (split) / device event DISABLE (packed). Control thread.
 */
void vhp_vq_suppress_kicks(struct vhp_virtqueue *vq);

/**
 * Turn guest kicks on (@p on) or off on a running ring: off as
 * vhp_vq_suppress_kicks(); on clears NO_NOTIFY (split; with EVENT_IDX
 * avail_event = last_avail_idx) or enables device events (packed), then a
 * full fence so that the caller's re-check of the ring is ordered after.
 */
void vhp_vq_set_kicks(struct vhp_virtqueue *vq, bool on);

/** Write the callfd (eventfd) if any; counts a notification. */
void vhp_vq_kick_guest(struct vhp_virtqueue *vq);

#endif /* VHP_VIRTQUEUE_H */
