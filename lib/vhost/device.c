/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device state of one connection: vrings (allocation, NUMA placement,
 * translation of ring addresses), readiness, the new_device /
 * destroy_device lifecycle, quiescing, reset. Control thread only.
 *
 * A vring is ready for the datapath when the device runs, the ring is
 * started (kick set, fd or NOFD), its addresses are translated, it is
 * enabled (at once without PROTOCOL_FEATURES) and not broken. The device
 * runs (new_device fired) once rings 0 and 1 have num, addresses, kick and
 * call and are enabled, no ring stopped by GET_VRING_BASE waits for a
 * restart, and DRIVER_OK is set when the STATUS protocol feature is in use.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_memory.h>

#include "vhp_internal.h"

static void
port_lock(struct vhp_device *dev)
{
	pthread_mutex_lock(&dev->port->lock);
}

static void
port_unlock(struct vhp_device *dev)
{
	pthread_mutex_unlock(&dev->port->lock);
}

void
vhp_device_init(struct vhp_port *port)
{
	struct vhp_device *dev = &port->dev;

	/* Introspection reads the device under the port lock. */
	pthread_mutex_lock(&port->lock);
	memset(dev, 0, sizeof(*dev));
	dev->port = port;
	dev->log_fd = -1;
	pthread_mutex_unlock(&port->lock);
}

/* Drop the dirty log and its fd (rings already freed or not marking). */
static void
device_drop_log(struct vhp_device *dev)
{
	vhp_device_set_log(dev, NULL);
	if (dev->log_fd >= 0)
		close(dev->log_fd);
	dev->log_fd = -1;
}

uint8_t
vhp_device_status(const struct vhp_device *dev)
{
	uint8_t st = dev->status;

	if (__atomic_load_n(&dev->needs_reset, __ATOMIC_ACQUIRE))
		st |= VIRTIO_STATUS_NEEDS_RESET;
	return st;
}

/* NUMA node of rte_malloc'ed memory, -1 when unknown. */
static int
node_of_malloc(const void *p)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(p, NULL);

	return ms != NULL ? ms->socket_id : -1;
}

/*
 * Move a stopped ring's state onto the node of its ring memory (the
 * shadow arrays are already there). The datapath may still load the old
 * pointer from dev->vq[] (and find ready == 0): free it only after a
 * quiescent point. Keeps the old struct when the node has no memory.
 */
static struct vhp_virtqueue *
vq_relocate(struct vhp_device *dev, struct vhp_virtqueue *vq)
{
	struct vhp_virtqueue *nvq;

	if (vq->numa_node < 0 || vq->alloc_node == vq->numa_node ||
	    vq->published)
		return vq;
	nvq = rte_malloc_socket("vhp_vq", sizeof(*nvq), RTE_CACHE_LINE_SIZE,
				vq->numa_node);
	if (nvq == NULL) {
		VHP_LOG(DEBUG, "port %s: ring %u: no memory on node %d for "
			"the ring state: kept on node %d", dev->port->name,
			vq->index, vq->numa_node, vq->alloc_node);
		vq->alloc_node = vq->numa_node;	/* do not retry each time */
		return vq;
	}
	if (vq->kickfd >= 0)
		vhp_ctrl_unwatch_kick(vq);
	memcpy(nvq, vq, sizeof(*nvq));
	nvq->alloc_node = vq->numa_node;
	port_lock(dev);
	__atomic_store_n(&dev->vq[vq->index], nvq, __ATOMIC_RELEASE);
	port_unlock(dev);
	if (nvq->kickfd >= 0)
		vhp_ctrl_watch_kick(nvq);
	vhp_rcu_synchronize();
	rte_free(vq);
	VHP_LOG(DEBUG, "port %s: ring %u state moved to node %d",
		dev->port->name, nvq->index, nvq->numa_node);
	return nvq;
}

struct vhp_virtqueue *
vhp_device_vq(struct vhp_device *dev, uint32_t idx)
{
	struct vhp_virtqueue *vq;

	if (idx >= VHP_MAX_VRINGS)
		return NULL;
	if (dev->vq[idx] != NULL)
		return dev->vq[idx];
	/* The ring memory is unknown yet: any node. The shadow arrays go on
	 * the ring's node once SET_VRING_ADDR tells where it is. */
	vq = rte_zmalloc_socket("vhp_vq", sizeof(*vq), RTE_CACHE_LINE_SIZE,
				SOCKET_ID_ANY);
	if (vq == NULL)
		return NULL;
	vq->dev = dev;
	vq->index = (uint16_t)idx;
	vq->kickfd = -1;
	vq->callfd = -1;
	vq->errfd = -1;
	vq->numa_node = -1;
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	vq->base_unchecked = true;
	vq->mem = &dev->mem;
	vq->alloc_node = node_of_malloc(vq);
	port_lock(dev);
	__atomic_store_n(&dev->vq[idx], vq, __ATOMIC_RELEASE);
	port_unlock(dev);
	if (idx + 1 > dev->nr_vrings)
		dev->nr_vrings = (uint16_t)(idx + 1);
	return vq;
}

/*
 * Take @p vq off the datapath: ready = 0. Returns true when a burst may
 * still be running on it (the control thread published it and has not
 * waited since), i.e. when the caller must wait for a grace period. A ring
 * the datapath marked broken has ready = 0 already but is still published:
 * the burst that broke it may be flushing and notifying.
 */
static bool
vq_unpublish(struct vhp_virtqueue *vq)
{
	if (!vq->published)
		return false;
	__atomic_store_n(&vq->ready, 0, __ATOMIC_RELEASE);
	vq->published = false;
	return true;
}

void
vhp_vq_quiesce(struct vhp_virtqueue *vq)
{
	if (vq_unpublish(vq))
		vhp_rcu_synchronize();
}

void
vhp_device_quiesce(struct vhp_device *dev)
{
	bool any = false;
	uint32_t i;

	for (i = 0; i < VHP_MAX_VRINGS; i++)
		if (dev->vq[i] != NULL && vq_unpublish(dev->vq[i]))
			any = true;
	if (any)
		vhp_rcu_synchronize();
}

void
vhp_vq_stop(struct vhp_virtqueue *vq)
{
	vhp_vq_quiesce(vq);
	port_lock(vq->dev);
	vq->started = false;
	vq->kick_set = false;
	if (vq->kickfd >= 0) {
		vhp_ctrl_unwatch_kick(vq);
		close(vq->kickfd);
		vq->kickfd = -1;
	}
	port_unlock(vq->dev);
}

static void
vq_free_arrays(struct vhp_virtqueue *vq)
{
	rte_free(vq->shadow_used);
	rte_free(vq->shadow_count_desc);
	rte_free(vq->desc_scratch);
	vq->shadow_used = NULL;
	vq->shadow_count_desc = NULL;
	vq->desc_scratch = NULL;
}

/*
 * Free every vring of @p dev. The datapath may still load a pointer from
 * dev->vq[] (and then find ready == 0), so the structs are freed only after
 * the pointers are cleared and a grace period has passed; one wait for all.
 */
static void
device_free_vqs(struct vhp_device *dev)
{
	struct vhp_virtqueue *gone[VHP_MAX_VRINGS];
	uint32_t i, n = 0;

	vhp_device_quiesce(dev);
	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		struct vhp_virtqueue *vq = dev->vq[i];

		if (vq == NULL)
			continue;
		vhp_vq_stop(vq);
		/* Under the lock: vhp_vring_call() reads callfd with it. */
		port_lock(dev);
		if (vq->callfd >= 0)
			close(vq->callfd);
		if (vq->errfd >= 0)
			close(vq->errfd);
		vq->callfd = -1;
		vq->errfd = -1;
		vhp_port_save_counters(dev->port, vq);
		__atomic_store_n(&dev->vq[i], NULL, __ATOMIC_RELEASE);
		port_unlock(dev);
		gone[n++] = vq;
	}
	if (n == 0)
		return;
	vhp_rcu_synchronize();
	for (i = 0; i < n; i++) {
		vq_free_arrays(gone[i]);
		rte_free(gone[i]);
	}
}

void
vhp_device_untranslate(struct vhp_device *dev)
{
	uint32_t i;

	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		struct vhp_virtqueue *vq = dev->vq[i];

		if (vq == NULL)
			continue;
		vq->translated = false;
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
	}
}

/* (Re)allocate the per-ring arrays for @p size entries on @p node. */
static int
vq_alloc_arrays(struct vhp_virtqueue *vq, uint16_t size, int node)
{
	int socket = node >= 0 ? node : SOCKET_ID_ANY;
	struct vring_used_elem *su;
	struct vring_desc *ds;
	uint16_t *sc;

	if (vq->shadow_used != NULL && vq->size == size &&
	    vq->numa_node == node)
		return 0;
	su = rte_zmalloc_socket("vhp_shadow_used", sizeof(*su) * size,
				RTE_CACHE_LINE_SIZE, socket);
	sc = rte_zmalloc_socket("vhp_shadow_count", sizeof(*sc) * size,
				RTE_CACHE_LINE_SIZE, socket);
	ds = rte_zmalloc_socket("vhp_desc_scratch", sizeof(*ds) * size,
				RTE_CACHE_LINE_SIZE, socket);
	if (su == NULL || sc == NULL || ds == NULL) {
		rte_free(su);
		rte_free(sc);
		rte_free(ds);
		return -ENOMEM;
	}
	vq_free_arrays(vq);
	vq->shadow_used = su;
	vq->shadow_count_desc = sc;
	vq->desc_scratch = ds;
	return 0;
}

/* Datapath state that follows from the ring position. */
static void
vq_reset_positions(struct vhp_virtqueue *vq)
{
	vq->shadow_count = 0;
	vq->shadow_last_used = vq->last_used_idx;
	vq->shadow_used_wrap = vq->used_wrap;
	vq->signalled_used = vq->last_used_idx;
	vq->signalled_used_valid = 0;
}

/*
 * The ring position the front-end gave (SET_VRING_BASE, or none: 0) against
 * what the ring itself says, once per SET_VRING_BASE. A back-end keeps no
 * buffer across a stop, so on a consistent ring the two agree. They differ
 * when this back-end restarted under a running driver: the front-end does
 * not know where the old process stopped (virtio-user sends 0 after every
 * reconnect; QEMU without a successful GET_VRING_BASE sends what it last
 * had). Then the ring wins:
 *  - split: used->idx is the count of buffers the device returned; every
 *    buffer before it is done, every one after it is still the device's.
 *    Buffers the old process took and never returned are processed again
 *    (a TX packet sent twice, an RX buffer filled again).
 *  - packed: no index is kept in guest memory; the position is found from
 *    the descriptors' USED bits (vhp_packed_find_position()).
 */
static void
vq_check_base(struct vhp_virtqueue *vq)
{
	const char *name = vq->dev->port->name;
	uint16_t idx, used;
	uint8_t wrap;

	if (!(vq->flags & VHP_VQ_F_PACKED)) {
		used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
		if (used != vq->last_used_idx) {
			VHP_LOG(WARNING, "port %s: ring %u: the front-end's "
				"base %u differs from the ring's used index %u "
				"(the back-end restarted under a running "
				"driver?): resuming at %u", name, vq->index,
				vq->last_avail_idx, used, used);
			VHP_STAT_ADD(vq, resumed, 1);
		}
		vq->last_used_idx = used;
		vq->last_avail_idx = used;
		return;
	}
	/* Only the front-end's "no idea" value is second-guessed: a real
	 * position (QEMU's, after GET_VRING_BASE) is exact. */
	if (vq->last_avail_idx != 0 || vq->avail_wrap != 1)
		return;
	vhp_packed_find_position(vq, &idx, &wrap);
	if (idx == 0 && wrap == 1)
		return;
	VHP_LOG(WARNING, "port %s: ring %u: the front-end's base is 0 but the "
		"descriptors show the device at %u (wrap %u) (the back-end "
		"restarted under a running driver?): resuming there", name,
		vq->index, idx, wrap);
	VHP_STAT_ADD(vq, resumed, 1);
	vq->last_avail_idx = idx;
	vq->last_used_idx = idx;
	vq->avail_wrap = wrap;
	vq->used_wrap = wrap;
}

int
vhp_vq_translate(struct vhp_virtqueue *vq, const char **why)
{
	struct vhp_device *dev = vq->dev;
	const struct vhp_mem *mem = &dev->mem;
	bool packed = dev->features & VHP_BIT(VIRTIO_F_RING_PACKED);
	const char *dummy;
	uint64_t q, alen, ulen;
	void *d, *a, *u;
	uint16_t flags;
	int node;

	if (why == NULL)
		why = &dummy;
	if (mem->nregions == 0) {
		*why = "no guest memory yet: SET_MEM_TABLE must come first";
		return -ENOENT;
	}
	if (!vq->addr_set) {
		*why = "no ring addresses yet: SET_VRING_ADDR missing";
		return -ENOENT;
	}
	if (!vq->num_set) {
		*why = "no ring size yet: SET_VRING_NUM missing";
		return -ENOENT;
	}
	q = vq->num;
	alen = packed ? sizeof(struct vring_packed_desc_event) : 6 + 2 * q;
	ulen = packed ? sizeof(struct vring_packed_desc_event) : 6 + 8 * q;
	d = vhp_uaddr_to_hva(mem, vq->addr.desc_user_addr, 16 * q);
	a = vhp_uaddr_to_hva(mem, vq->addr.avail_user_addr, alen);
	u = vhp_uaddr_to_hva(mem, vq->addr.used_user_addr, ulen);
	if (d == NULL) {
		*why = "descriptor table is outside every memory region";
		return -EFAULT;
	}
	if (a == NULL) {
		*why = packed ? "driver event area is outside every memory "
			"region" : "avail ring is outside every memory region";
		return -EFAULT;
	}
	if (u == NULL) {
		*why = packed ? "device event area is outside every memory "
			"region" : "used ring is outside every memory region";
		return -EFAULT;
	}
	if (((uintptr_t)d & 15) != 0 || ((uintptr_t)a & 1) != 0 ||
	    ((uintptr_t)u & 3) != 0 || (packed && ((uintptr_t)a & 3) != 0)) {
		*why = "ring address misaligned (descriptors need 16 bytes, "
			"avail 2, used and event areas 4)";
		return -EINVAL;
	}
	if (packed && (vq->last_avail_idx >= q || vq->last_used_idx >= q)) {
		*why = "ring position from SET_VRING_BASE is beyond the ring "
			"size (packed index must be below SET_VRING_NUM)";
		return -ERANGE;
	}
	node = vhp_numa_node_of(d);
	if (vq_alloc_arrays(vq, vq->num, node) != 0) {
		*why = "out of memory for the ring's shadow arrays";
		return -ENOMEM;
	}

	flags = 0;
	if (dev->features & VHP_BIT(VIRTIO_F_EVENT_IDX))
		flags |= VHP_VQ_F_EVENT_IDX;
	if (dev->features & VHP_BIT(VIRTIO_NET_F_MRG_RXBUF))
		flags |= VHP_VQ_F_MRG_RXBUF;
	if (dev->features & VHP_BIT(VIRTIO_F_IN_ORDER))
		flags |= VHP_VQ_F_IN_ORDER;
	if (dev->features & VHP_BIT(VIRTIO_F_INDIRECT_DESC))
		flags |= VHP_VQ_F_INDIRECT;
	if (packed)
		flags |= VHP_VQ_F_PACKED;
	if (vq->index & 1)
		flags |= VHP_VQ_F_TX;
	if (dev->port->flags & VHP_PORT_KEEP_MBUFS)
		flags |= VHP_VQ_F_KEEP_MBUFS;

	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->mem = mem;
	memset(&vq->mem_hint, 0, sizeof(vq->mem_hint));
	vq->flags = flags;
	vq->hdr_len = (dev->features & (VHP_BIT(VIRTIO_F_VERSION_1) |
			VHP_BIT(VIRTIO_NET_F_MRG_RXBUF))) ? 12 : 10;
	vhp_vq_offload_init(vq);
	vq->size = vq->num;
	vq->size_mask = (uint16_t)(vq->num - 1);
	/* What the dirty log marks: split the used ring, at the address the
	 * front-end gave for logging when it gave one; packed the
	 * descriptor ring (written back in place). */
	if (packed)
		vq->log_ring_gpa = vhp_uaddr_to_gpa(mem,
						    vq->addr.desc_user_addr);
	else if (vq->addr.flags & VHOST_VRING_F_LOG)
		vq->log_ring_gpa = vq->addr.log_guest_addr;
	else
		vq->log_ring_gpa = vhp_uaddr_to_gpa(mem,
						    vq->addr.used_user_addr);
	vq->numa_node = node;
	vq_reset_positions(vq);
	vq->translated = true;
	return 0;
}

/* The log the rings mark: set and LOG_ALL negotiated, else NULL. */
static struct vhp_dirty_log *
device_log(const struct vhp_device *dev)
{
	return (dev->features & VHP_BIT(VIRTIO_F_LOG_ALL)) ? dev->log : NULL;
}

void
vhp_device_set_log(struct vhp_device *dev, struct vhp_dirty_log *log)
{
	struct vhp_dirty_log *old = dev->log;
	uint32_t i;

	port_lock(dev);
	dev->log = log;
	port_unlock(dev);
	for (i = 0; i < VHP_MAX_VRINGS; i++)
		if (dev->vq[i] != NULL)
			__atomic_store_n(&dev->vq[i]->log, device_log(dev),
					 __ATOMIC_RELEASE);
	if (old != NULL && old != log) {
		/* A burst may still be marking the old bitmap. */
		vhp_rcu_synchronize();
		vhp_log_unmap(old);
	}
}

static bool
vq_enabled(const struct vhp_device *dev, const struct vhp_virtqueue *vq)
{
	if (!(dev->features & VHP_BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		return true;
	return vq->enabled;
}

static bool
vq_can_run(const struct vhp_device *dev, const struct vhp_virtqueue *vq)
{
	return vq != NULL && vq->num_set && vq->addr_set && vq->translated &&
		vq->started && !vq->base_refused &&
		!__atomic_load_n(&vq->broken, __ATOMIC_ACQUIRE) &&
		vq_enabled(dev, vq);
}

static bool
device_ready(const struct vhp_device *dev)
{
	if (dev->refused || dev->stopped_mask != 0)
		return false;
	if (!vq_can_run(dev, dev->vq[0]) || !vq_can_run(dev, dev->vq[1]))
		return false;
	if (!dev->vq[0]->call_set || !dev->vq[1]->call_set)
		return false;
	if (dev->status & VIRTIO_STATUS_FAILED)
		return false;
	if ((dev->protocol_features & VHP_BIT(VHOST_USER_PROTOCOL_F_STATUS)) &&
	    !(dev->status & VIRTIO_STATUS_DRIVER_OK))
		return false;
	return true;
}

void
vhp_device_stop_running(struct vhp_device *dev)
{
	struct vhp_port *port = dev->port;

	if (!dev->running)
		return;
	vhp_device_quiesce(dev);
	port_lock(dev);
	dev->running = false;
	port_unlock(dev);
	VHP_LOG(INFO, "port %s: device stopped (destroy_device)", port->name);
	if (port->ops.destroy_device != NULL)
		port->ops.destroy_device(port, port->ctx);
}

void
vhp_device_update(struct vhp_device *dev)
{
	struct vhp_port *port = dev->port;
	struct vhp_virtqueue *vq;
	bool off = false, started;
	const char *why;
	uint32_t i;
	int ret;

	/* Pass 1: stop what may no longer run, then wait once. */
	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		vq = dev->vq[i];
		if (vq != NULL && vq->published &&
		    !(dev->running && vq_can_run(dev, vq)) &&
		    vq_unpublish(vq))
			off = true;
	}
	if (off)
		vhp_rcu_synchronize();

	/* Pass 2: translate stopped rings that have what they need. */
	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		vq = dev->vq[i];
		if (vq == NULL || vq->published || !vq->addr_set ||
		    !vq->num_set || dev->mem.nregions == 0)
			continue;
		ret = vhp_vq_translate(vq, &why);
		if (ret == 0)
			vq = vq_relocate(dev, vq);
		if (ret != 0 && vq->translated) {
			vq->translated = false;
			VHP_LOG(ERR, "port %s: ring %u: %s: the ring stays "
				"stopped until the front-end sets valid "
				"addresses", port->name, i, why);
		}
	}

	if (!dev->running && device_ready(dev)) {
		ret = 0;
		if (port->ops.new_device != NULL)
			ret = port->ops.new_device(port, port->ctx);
		if (ret != 0) {
			dev->refused = true;
			__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
			VHP_LOG(ERR, "port %s: new_device callback refused the "
				"device (%d): it stays stopped until the "
				"front-end resets or reconnects", port->name,
				ret);
			return;
		}
		port_lock(dev);
		dev->running = true;
		port_unlock(dev);
		VHP_LOG(INFO, "port %s: device ready (new_device): %s rings, "
			"%u vrings", port->name,
			(dev->features & VHP_BIT(VIRTIO_F_RING_PACKED)) ?
			"packed" : "split", dev->nr_vrings);
	}
	if (!dev->running)
		return;
	/* Pass 3: publish the rings that may run. */
	started = false;
	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		vq = dev->vq[i];
		if (vq == NULL || vq->published || !vq_can_run(dev, vq))
			continue;
		/*
		 * The base is checked against the ring when the ring starts,
		 * not when it is translated: QEMU 7.2 sends SET_VRING_BASE
		 * while the previous boot's addresses are still set (they are
		 * kept across SET_STATUS 0 / GET_VRING_BASE), and the ring's
		 * new addresses only come with SET_VRING_ADDR, before the kick
		 * that starts it.
		 */
		if (vq->base_unchecked) {
			vq_check_base(vq);
			vq->base_unchecked = false;
			vq->base_set = true;
			vq_reset_positions(vq);
		}
		vhp_vq_set_kicks(vq, __atomic_load_n(&vq->kicks_on,
						     __ATOMIC_RELAXED));
		__atomic_store_n(&vq->log, device_log(dev), __ATOMIC_RELAXED);
		vq->published = true;
		__atomic_store_n(&vq->ready, 1, __ATOMIC_RELEASE);
		started = true;
	}
	/* Sleeping pollers wait on the kick fds of running rings only. */
	if (started)
		vhp_idle_rings_changed();
}

void
vhp_device_reset(struct vhp_device *dev)
{
	struct vhp_port *port = dev->port;

	vhp_device_quiesce(dev);
	vhp_device_stop_running(dev);
	device_free_vqs(dev);
	device_drop_log(dev);
	port_lock(dev);
	vhp_mem_free_all(&dev->mem);
	port_unlock(dev);
	vhp_device_init(port);
}

/*
 * RESET_DEVICE, RESET_OWNER. The spec: "disable all rings and reset all
 * internal device state to the initial state, ready to be reinitialized";
 * ownership stays. The memory table stays too: QEMU >= 9.1 sends
 * RESET_DEVICE at every virtio reset (each guest reboot) and, with
 * CONFIGURE_MEM_SLOTS, keeps its own copy of our table and afterwards only
 * sends the regions that changed (none, for a reboot). Forgetting it left
 * the rebooted guest's rings without memory. A front-end that wants a new
 * table sends one (SET_MEM_TABLE replaces it, REM_MEM_REG removes).
 */
void
vhp_device_soft_reset(struct vhp_device *dev)
{
	vhp_device_quiesce(dev);
	vhp_device_stop_running(dev);
	device_free_vqs(dev);
	/* The log goes with LOG_ALL; the MTU (sent once per connection by
	 * QEMU) stays with the memory table. */
	device_drop_log(dev);
	__atomic_store_n(&dev->rarp_pending, 0, __ATOMIC_RELAXED);
	dev->features = 0;
	dev->features_set = false;
	port_lock(dev);
	dev->running = false;
	port_unlock(dev);
	dev->status = 0;
	__atomic_store_n(&dev->needs_reset, 0, __ATOMIC_RELEASE);
	dev->nr_vrings = 0;
	dev->stopped_mask = 0;
	dev->refused = false;
}
