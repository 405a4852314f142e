/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Used-ring publication and guest notification.
 *
 * Used entries collect in the per-queue shadow during a burst; one flush per
 * burst copies them to the used ring and publishes them with a single
 * release store of used->idx (with IN_ORDER, a TX burst writes a single
 * entry for the whole batch: vhp_split_flush_in_order()). Then at most one
 * callfd write, and only when the guest asked for it: with EVENT_IDX when
 * the new used index passes used_event, else when VRING_AVAIL_F_NO_INTERRUPT
 * is clear. Kicks are suppressed for good when a ring starts, because we
 * poll.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>

#include "vhp_internal.h"

/* A call fd write failed: count it, say it once a second at most. */
static void __rte_cold
call_failed(struct vhp_virtqueue *vq, int err)
{
	VHP_STAT_ADD(vq, call_failed, 1);
	vhp_vq_log_limited(vq, "interrupt not delivered: the call fd write "
			   "failed (%s): the front-end does not read its call "
			   "fd; the core goes on, interrupts are dropped until "
			   "it does (call_failed counts them)", strerror(err));
}

void
vhp_vq_kick_guest(struct vhp_virtqueue *vq)
{
	const uint64_t one = 1;
	ssize_t n;

	if (vq->callfd < 0)
		return;
	/* Never blocks: the fd was made non-blocking when it came
	 * (vhp_frontend_fd_adopt()). */
	n = write(vq->callfd, &one, sizeof(one));
	if (likely(n == (ssize_t)sizeof(one)))
		VHP_STAT_ADD(vq, notifications, 1);
	else
		call_failed(vq, n < 0 ? errno : EIO);
}

/* Must the guest be interrupted for used entries up to vq->last_used_idx? */
static inline bool
split_guest_wants_irq(struct vhp_virtqueue *vq)
{
	uint16_t new_idx = vq->last_used_idx;
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_used_valid;
	uint16_t event;

	/* Order the used->idx store before reading the guest's request
	 * (it may have just re-enabled interrupts). */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->flags & VHP_VQ_F_EVENT_IDX) {
		vq->signalled_used = new_idx;
		vq->signalled_used_valid = 1;
		if (unlikely(!valid))
			return true;
		event = __atomic_load_n(&vq->avail->ring[vq->size],
					__ATOMIC_RELAXED);
		return vring_need_event(event, new_idx, old);
	}
	return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
		 VRING_AVAIL_F_NO_INTERRUPT);
}

/* Publish used entries up to @p new_idx (one release store), then
 * interrupt the guest if it asked. */
static __rte_always_inline void
split_publish(struct vhp_virtqueue *vq, uint16_t new_idx,
	      struct vhp_dirty_log *log)
{
	vq->last_used_idx = new_idx;
	__atomic_store_n(&vq->used->idx, new_idx, __ATOMIC_RELEASE);
	if (unlikely(log != NULL))
		vhp_log_split_used_idx(vq, log);

	if (vq->callfd < 0)
		return;
	if (split_guest_wants_irq(vq))
		vhp_vq_kick_guest(vq);
	else
		VHP_STAT_ADD(vq, notifications_suppressed, 1);
}

void
vhp_split_flush_and_notify(struct vhp_virtqueue *vq)
{
	uint16_t n = vq->shadow_count;
	uint16_t start = vq->last_used_idx;
	struct vhp_dirty_log *log;
	uint16_t i, first;

	if (n == 0)
		return;
	first = start & vq->size_mask;
	if (likely(first + n <= vq->size)) {
		for (i = 0; i < n; i++)
			vq->used->ring[first + i] = vq->shadow_used[i];
	} else {
		for (i = 0; i < n; i++)
			vq->used->ring[(start + i) & vq->size_mask] =
				vq->shadow_used[i];
	}
	/* Live migration: the pages written, before the guest may see them
	 * (one pointer test a flush when off). */
	log = __atomic_load_n(&vq->log, __ATOMIC_ACQUIRE);
	if (unlikely(log != NULL))
		vhp_log_split_flush(vq, log, start, n);
	vq->shadow_count = 0;
	split_publish(vq, (uint16_t)(start + n), log);
}

void
vhp_split_flush_in_order(struct vhp_virtqueue *vq, uint16_t last_id,
			 uint32_t last_len, uint16_t n)
{
	struct vring_used_elem *e;
	uint16_t start = vq->last_used_idx;
	struct vhp_dirty_log *log;

	if (n == 0)
		return;
	/* Virtio 1.2, 2.7.9: the entry sits at the offset of the batch's
	 * first buffer and carries the id of its last one; the used index
	 * skips over the whole batch. */
	e = &vq->used->ring[start & vq->size_mask];
	e->id = last_id;
	e->len = last_len;
	log = __atomic_load_n(&vq->log, __ATOMIC_ACQUIRE);
	if (unlikely(log != NULL))
		vhp_log_split_flush(vq, log, start, 1);	/* TX: no buffers */
	split_publish(vq, (uint16_t)(start + n), log);
}

void
vhp_vq_set_kicks(struct vhp_virtqueue *vq, bool on)
{
	if (!on) {
		vhp_vq_suppress_kicks(vq);
		return;
	}
	if (vq->flags & VHP_VQ_F_PACKED) {
		if (vq->device_event != NULL)
			__atomic_store_n(&vq->device_event->flags,
					 VRING_EVENT_F_ENABLE,
					 __ATOMIC_RELEASE);
	} else if (vq->used != NULL) {
		/* With EVENT_IDX the driver kicks when its avail index passes
		 * avail_event: ask for a kick at the next buffer. */
		if (vq->flags & VHP_VQ_F_EVENT_IDX)
			__atomic_store_n((uint16_t *)&vq->used->ring[vq->size],
					 vq->last_avail_idx, __ATOMIC_RELEASE);
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELEASE);
	}
	/* The driver reads the suppression state after it publishes a
	 * buffer: order our store before the caller re-checks the ring. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void
vhp_vq_suppress_kicks(struct vhp_virtqueue *vq)
{
	if (vq->flags & VHP_VQ_F_PACKED) {
		if (vq->device_event != NULL)
			__atomic_store_n(&vq->device_event->flags,
					 VRING_EVENT_F_DISABLE,
					 __ATOMIC_RELEASE);
		return;
	}
	if (vq->used == NULL)
		return;
	__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY,
			 __ATOMIC_RELEASE);
	/* Under EVENT_IDX the driver ignores NO_NOTIFY and kicks when its
	 * avail index crosses avail_event: park avail_event one ring lap
	 * behind, so it kicks at most once per 65536 buffers. */
	if (vq->flags & VHP_VQ_F_EVENT_IDX)
		__atomic_store_n((uint16_t *)&vq->used->ring[vq->size],
				 (uint16_t)(vq->last_avail_idx - 1),
				 __ATOMIC_RELEASE);
}
