/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port introspection: state snapshots and counters, callable from any
 * thread. Snapshots take the port lock, which the control thread holds
 * while it frees a vring or unmaps guest memory, so no pointer read here
 * dangles.
 *
 * Counters survive reconnects: a freed vring's counters are added to
 * port->saved[]; a stats reset snapshots the totals into port->base[]
 * (the datapath's live counters are never written from here).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vhp_internal.h"

/* Every counter of struct vhp_vq_stats is a uint64_t: add or subtract
 * them as one array. */
#define VQ_STATS_N	(sizeof(struct vhp_vq_stats) / sizeof(uint64_t))
_Static_assert(sizeof(struct vhp_vq_stats) % sizeof(uint64_t) == 0,
	       "struct vhp_vq_stats holds only uint64_t counters");

/*
 * dst += src, or dst -= src with @p sub. src may be a live ring's counters,
 * written meanwhile by the thread that runs it (VHP_STAT_ADD): each is
 * read with an atomic load.
 */
static void
stats_acc(struct vhp_vq_stats *dst, const struct vhp_vq_stats *src, bool sub)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	unsigned int i;

	for (i = 0; i < VQ_STATS_N; i++) {
		uint64_t v = __atomic_load_n(&s[i], __ATOMIC_RELAXED);

		d[i] = sub ? d[i] - v : d[i] + v;
	}
}

void
vhp_port_save_counters(struct vhp_port *port, const struct vhp_virtqueue *vq)
{
	struct vhp_vring_counters *c = &port->saved[vq->index];

	stats_acc(&c->stats, &vq->stats, false);
	c->kicks += __atomic_load_n(&vq->kicks, __ATOMIC_RELAXED);
}

/* saved + live, without the reset baseline. Port lock held. */
static void
counters_total(const struct vhp_port *port, uint16_t vring,
	       struct vhp_vring_counters *out)
{
	const struct vhp_virtqueue *vq = port->dev.vq[vring];

	*out = port->saved[vring];
	if (vq != NULL) {
		stats_acc(&out->stats, &vq->stats, false);
		out->kicks += __atomic_load_n(&vq->kicks, __ATOMIC_RELAXED);
	}
}

int
vhp_port_info_get(const struct vhp_port *port, struct vhp_port_info *info)
{
	struct vhp_port *p = (struct vhp_port *)(uintptr_t)port;
	const struct vhp_device *dev;

	if (port == NULL || info == NULL)
		return -EINVAL;
	dev = &port->dev;
	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&p->lock);
	info->path = port->path;
	info->client = (port->flags & VHP_PORT_CLIENT) != 0;
	info->connected = port->connected;
	info->running = dev->running;
	info->status = vhp_device_status(dev);
	info->features = dev->features;
	info->protocol_features = dev->protocol_features;
	info->features_offered = port->features_offered;
	info->ring = (dev->features & VHP_BIT(VIRTIO_F_RING_PACKED)) ?
		VHP_RING_PACKED : VHP_RING_SPLIT;
	info->queue_pairs = port->queue_pairs;
	info->nr_vrings = dev->nr_vrings;
	info->connections = port->connections;
	info->errors = __atomic_load_n(&port->errors, __ATOMIC_RELAXED);
	info->mem_regions = dev->mem.nregions;
	info->mtu = dev->mtu;
	info->logging = dev->log != NULL &&
		(dev->features & VHP_BIT(VIRTIO_F_LOG_ALL));
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int
vhp_vring_info_get(const struct vhp_port *port, uint16_t vring,
		   struct vhp_vring_info *info)
{
	struct vhp_port *p = (struct vhp_port *)(uintptr_t)port;
	const struct vhp_virtqueue *vq;

	if (port == NULL || info == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->numa_node = -1;
	info->kickfd = -1;
	info->callfd = -1;
	pthread_mutex_lock(&p->lock);
	vq = port->dev.vq[vring];
	if (vq != NULL) {
		info->size = vq->num_set ? vq->num : 0;
		info->enabled = vq->enabled;
		info->started = vq->started;
		info->ready = __atomic_load_n(&vq->ready, __ATOMIC_ACQUIRE);
		info->broken = __atomic_load_n(&vq->broken, __ATOMIC_RELAXED);
		info->last_avail_idx = vq->last_avail_idx;
		info->last_used_idx = vq->last_used_idx;
		info->avail_wrap = vq->avail_wrap;
		info->used_wrap = vq->used_wrap;
		info->numa_node = vq->numa_node;
		info->kickfd = vq->kickfd;
		info->callfd = vq->callfd;
		/* Guest memory is mapped while translated (the lock keeps it
		 * so). */
		if (vq->translated) {
			info->desc = vq->desc;
			info->avail = vq->avail;
			info->used = vq->used;
		}
		info->log_guest_addr = vq->addr.log_guest_addr;
		if (vq->translated && !(vq->flags & VHP_VQ_F_PACKED) &&
		    vq->avail != NULL && vq->used != NULL) {
			info->avail_idx = __atomic_load_n(&vq->avail->idx,
							  __ATOMIC_ACQUIRE);
			info->used_idx = __atomic_load_n(&vq->used->idx,
							 __ATOMIC_ACQUIRE);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int
vhp_vring_stats_get(const struct vhp_port *port, uint16_t vring,
		    struct vhp_vring_stats *stats)
{
	struct vhp_port *p = (struct vhp_port *)(uintptr_t)port;
	struct vhp_vring_counters c;

	if (port == NULL || stats == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	counters_total(port, vring, &c);
	stats_acc(&c.stats, &port->base[vring].stats, true);
	c.kicks -= port->base[vring].kicks;
	pthread_mutex_unlock(&p->lock);

	memset(stats, 0, sizeof(*stats));
	stats->packets = c.stats.packets;
	stats->bytes = c.stats.bytes;
	stats->dropped = c.stats.dropped;
	stats->errors = c.stats.errors[VHP_ERR_ADDR] +
		c.stats.errors[VHP_ERR_CHAIN] +
		c.stats.errors[VHP_ERR_INDIRECT] +
		c.stats.errors[VHP_ERR_INDEX] + c.stats.errors[VHP_ERR_LEN] +
		c.stats.errors[VHP_ERR_OFFLOAD];
	stats->notifications = c.stats.notifications;
	stats->notifications_suppressed = c.stats.notifications_suppressed;
	stats->kicks = c.kicks;
	stats->bad_addr = c.stats.errors[VHP_ERR_ADDR];
	stats->bad_chain = c.stats.errors[VHP_ERR_CHAIN];
	stats->bad_indirect = c.stats.errors[VHP_ERR_INDIRECT];
	stats->bad_index = c.stats.errors[VHP_ERR_INDEX];
	stats->bad_len = c.stats.errors[VHP_ERR_LEN];
	stats->bad_offload = c.stats.errors[VHP_ERR_OFFLOAD];
	stats->alloc_failed = c.stats.alloc_failed;
	stats->broken = c.stats.broken;
	stats->call_failed = c.stats.call_failed;
	stats->resumed = c.stats.resumed;
	return 0;
}

void
vhp_port_stats_reset(struct vhp_port *port)
{
	uint16_t i;

	if (port == NULL)
		return;
	pthread_mutex_lock(&port->lock);
	for (i = 0; i < VHP_MAX_VRINGS; i++)
		counters_total(port, i, &port->base[i]);
	pthread_mutex_unlock(&port->lock);
}

int
vhp_vring_kicks_enable(struct vhp_port *port, uint16_t vring, bool enable)
{
	struct vhp_virtqueue *vq;
	int ret = -EAGAIN;

	if (port == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	/* The lock keeps the ring's memory mapped while we write it. */
	pthread_mutex_lock(&port->lock);
	vq = port->dev.vq[vring];
	if (vq != NULL) {
		bool was = __atomic_load_n(&vq->kicks_on, __ATOMIC_RELAXED);

		if (was && !enable) {
			__atomic_store_n(&vq->kicks_on, false,
					 __ATOMIC_RELAXED);
			vhp_ctrl_watch_kick(vq);	/* count them again */
		} else if (!was && enable) {
			/* The kick fd is the caller's to read now. */
			vhp_ctrl_unwatch_kick(vq);
			__atomic_store_n(&vq->kicks_on, true, __ATOMIC_RELAXED);
		}
		if (vq->translated && __atomic_load_n(&vq->ready,
						      __ATOMIC_ACQUIRE)) {
			vhp_vq_set_kicks(vq, enable);
			ret = 0;
		}
	}
	pthread_mutex_unlock(&port->lock);
	return ret;
}

int
vhp_port_mem_get(struct vhp_port *port, struct vhp_mem_region_info *regs,
		 unsigned int max)
{
	const struct vhp_mem *mem;
	unsigned int i, n;

	if (port == NULL || (regs == NULL && max != 0))
		return -EINVAL;
	pthread_mutex_lock(&port->lock);
	mem = &port->dev.mem;
	n = mem->nregions;
	for (i = 0; i < n && i < max; i++) {
		const struct vhp_mem_region *r = &mem->regions[i];

		regs[i].guest_phys_addr = r->gpa;
		regs[i].guest_user_addr = r->uaddr;
		regs[i].host_user_addr = r->hva;
		regs[i].size = r->size;
		regs[i].mmap_addr = r->mmap_addr;
		regs[i].mmap_size = r->mmap_size;
		regs[i].fd = r->fd;
	}
	pthread_mutex_unlock(&port->lock);
	return (int)n;
}

int
vhp_vring_call(struct vhp_port *port, uint16_t vring)
{
	const uint64_t one = 1;
	struct vhp_virtqueue *vq;
	int ret = -EAGAIN;

	if (port == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	/* The lock keeps the fd open (it is closed after a grace period
	 * with the lock held). Non-blocking: vhp_frontend_fd_adopt(). */
	pthread_mutex_lock(&port->lock);
	vq = port->dev.vq[vring];
	if (vq != NULL && vq->callfd >= 0)
		ret = write(vq->callfd, &one, sizeof(one)) ==
			(ssize_t)sizeof(one) ? 0 : -errno;
	pthread_mutex_unlock(&port->lock);
	return ret;
}

const char *
vhp_port_name(const struct vhp_port *port)
{
	return port != NULL ? port->name : NULL;
}
