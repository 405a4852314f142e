/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user requests (QEMU docs/interop/vhost-user.rst): a table of the
 * payload size and fd count each request carries, validation, dispatch
 * and replies.
 *
 * Every fd a message carries is either kept by its handler (which sets the
 * slot to -1) or closed here. With REPLY_ACK negotiated and NEED_REPLY set,
 * every request without a reply of its own gets a u64 reply: 0 success,
 * 1 failure. Errors are logged "port NAME: REQUEST: ring N: what: what to
 * do" and counted in port->errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vhp_internal.h"

/** How the payload size of a request is checked. */
enum size_rule {
	SZ_EXACT,	/**< size == n */
	SZ_UPTO,	/**< size <= n (requests without payload) */
	SZ_ANY,		/**< anything up to VHOST_USER_PAYLOAD_MAX */
};

/** How many fds a request carries. */
enum fd_rule {
	FD_NONE,	/**< none */
	FD_ONE,		/**< exactly one */
	FD_VRING,	/**< one, or none when the NOFD bit is set */
	FD_REGIONS,	/**< one per region (SET_MEM_TABLE) */
	FD_IGNORE,	/**< any number, all closed */
};

/** One request being handled. */
struct req {
	struct vhp_port *port;
	struct vhp_device *dev;
	struct vhost_user_msg *msg;
	const char *name;
	uint32_t reply_size;	/**< own reply payload size */
};

typedef int (*req_handler)(struct req *r);

struct req_spec {
	req_handler fn;
	uint16_t size;
	uint8_t size_rule;
	uint8_t fd_rule;
	bool reply;		/**< the request has a reply of its own */
};

static void __rte_format_printf(2, 3)
req_err(struct req *r, const char *fmt, ...)
{
	char buf[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&r->port->errors, 1, __ATOMIC_RELAXED);
	VHP_LOG(ERR, "port %s: %s: %s", r->port->name, r->name, buf);
}

/* Ring index of a per-ring message: in range for this port? */
static int
ring_check(struct req *r, uint32_t idx, struct vhp_virtqueue **vqp)
{
	uint32_t max = 2u * r->port->queue_pairs;
	struct vhp_virtqueue *vq;

	if (idx >= VHP_MAX_VRINGS || idx >= max) {
		req_err(r, "ring %u out of range: this port offers %u queue "
			"pair(s), rings 0..%u; configure the front-end with "
			"at most %u queues", idx, r->port->queue_pairs,
			max - 1, r->port->queue_pairs);
		return -1;
	}
	vq = vhp_device_vq(r->dev, idx);
	if (vq == NULL) {
		req_err(r, "ring %u: out of memory for the ring state", idx);
		return -1;
	}
	*vqp = vq;
	return 0;
}

static void
reply_u64(struct req *r, uint64_t v)
{
	r->msg->payload.u64 = v;
	r->reply_size = sizeof(uint64_t);
}

/* ---- features ---- */

static int
h_get_features(struct req *r)
{
	reply_u64(r, r->port->features_offered);
	return 0;
}

static void
log_features(struct req *r, uint64_t f, bool proto)
{
	char buf[512];
	size_t n = 0;
	unsigned int b;

	buf[0] = '\0';
	for (b = 0; b < 64 && n < sizeof(buf) - 1; b++) {
		const char *nm;

		if (!(f & VHP_BIT(b)))
			continue;
		nm = proto ? vhp_protocol_feature_name(b) : vhp_feature_name(b);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " " : "", nm ? nm : "?");
	}
	VHP_LOG(INFO, "port %s: %s 0x%" PRIx64 ": %s", r->port->name, r->name,
		f, buf);
}

static int
h_set_features(struct req *r)
{
	uint64_t f = r->msg->payload.u64;
	uint64_t bad = f & ~r->port->features_offered;

	if (bad != 0) {
		req_err(r, "features 0x%" PRIx64 " were not offered (offered "
			"0x%" PRIx64 "); the front-end must only ack offered "
			"features", bad, r->port->features_offered);
		return -1;
	}
	/* Only LOG_ALL may change under a running device: QEMU turns it on
	 * and off around a live migration. */
	if (r->dev->running &&
	    ((f ^ r->dev->features) & ~VHP_BIT(VIRTIO_F_LOG_ALL)) != 0) {
		req_err(r, "features change 0x%" PRIx64 " -> 0x%" PRIx64
			" while the device runs is not allowed (only LOG_ALL "
			"may change); reset the device first",
			r->dev->features, f);
		return -1;
	}
	if ((f ^ r->dev->features) & VHP_BIT(VIRTIO_F_LOG_ALL))
		VHP_LOG(INFO, "port %s: dirty-page logging %s%s", r->port->name,
			(f & VHP_BIT(VIRTIO_F_LOG_ALL)) ? "on" : "off",
			(f & VHP_BIT(VIRTIO_F_LOG_ALL)) && r->dev->log == NULL ?
			" (no log yet: SET_LOG_BASE must follow)" : "");
	__atomic_store_n(&r->dev->features, f, __ATOMIC_RELAXED);
	r->dev->features_set = true;
	log_features(r, f, false);
	/* Rings mark the log iff LOG_ALL: tell the running ones. */
	vhp_device_set_log(r->dev, r->dev->log);
	return 0;
}

static int
h_get_protocol_features(struct req *r)
{
	if (!(r->port->features_offered &
	      VHP_BIT(VHOST_USER_F_PROTOCOL_FEATURES))) {
		req_err(r, "PROTOCOL_FEATURES is disabled on this port: "
			"answering 0");
		reply_u64(r, 0);
		return -1;
	}
	reply_u64(r, VHP_PROTOCOL_FEATURES);
	return 0;
}

static int
h_set_protocol_features(struct req *r)
{
	uint64_t f = r->msg->payload.u64;
	uint64_t bad = f & ~(uint64_t)VHP_PROTOCOL_FEATURES;

	if (bad != 0) {
		req_err(r, "protocol features 0x%" PRIx64 " were not offered "
			"(offered 0x%" PRIx64 ")", bad,
			(uint64_t)VHP_PROTOCOL_FEATURES);
		return -1;
	}
	r->dev->protocol_features = f;
	log_features(r, f, true);
	return 0;
}

/* ---- owner, reset, status ---- */

static int
h_set_owner(struct req *r)
{
	r->dev->owner_set = true;
	return 0;
}

static int
h_reset(struct req *r)
{
	VHP_LOG(INFO, "port %s: %s: resetting the device", r->port->name,
		r->name);
	vhp_device_soft_reset(r->dev);
	return 0;
}

static void
log_status(struct req *r, uint8_t old, uint8_t st)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ VIRTIO_STATUS_ACKNOWLEDGE, "ACKNOWLEDGE" },
		{ VIRTIO_STATUS_DRIVER, "DRIVER" },
		{ VIRTIO_STATUS_FEATURES_OK, "FEATURES_OK" },
		{ VIRTIO_STATUS_DRIVER_OK, "DRIVER_OK" },
		{ VIRTIO_STATUS_NEEDS_RESET, "DEVICE_NEEDS_RESET" },
		{ VIRTIO_STATUS_FAILED, "FAILED" },
	};
	char buf[128];
	size_t n = 0;
	unsigned int i;

	if (old == st)
		return;
	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(names); i++)
		if (st & names[i].bit)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
					      n ? "|" : "", names[i].name);
	if (st == 0)
		snprintf(buf, sizeof(buf), "RESET");
	if (st & VIRTIO_STATUS_FAILED)
		VHP_LOG(WARNING, "port %s: status 0x%02x %s: the front-end "
			"driver gave up on the device", r->port->name, st, buf);
	else
		VHP_LOG(INFO, "port %s: status 0x%02x %s", r->port->name, st,
			buf);
}

static int
h_set_status(struct req *r)
{
	uint64_t v = r->msg->payload.u64;
	uint8_t old = r->dev->status;

	if (v > 0xff) {
		req_err(r, "status 0x%" PRIx64 " does not fit a byte", v);
		return -1;
	}
	log_status(r, old, (uint8_t)v);
	if (v == 0) {
		/*
		 * QEMU (7.2) sends SET_STATUS(0) when it stops the device
		 * (guest reset, reboot, power-off, VM stop) and before
		 * GET_VRING_BASE, whose answer it keeps as the rings' next
		 * index. With CONFIGURE_MEM_SLOTS it also keeps its own copy
		 * of our memory table and at the next start only sends the
		 * regions that changed. So stop the device but keep the
		 * memory table and the ring state: the front-end sets the
		 * rings up again (NUM/BASE/ADDR/KICK) before DRIVER_OK.
		 */
		vhp_device_stop_running(r->dev);
		r->dev->status = 0;
		r->dev->refused = false;
		__atomic_store_n(&r->dev->needs_reset, 0, __ATOMIC_RELEASE);
		return 0;
	}
	r->dev->status = (uint8_t)v;
	if ((old & VIRTIO_STATUS_DRIVER_OK) &&
	    !(v & VIRTIO_STATUS_DRIVER_OK))
		vhp_device_stop_running(r->dev);
	if (v & VIRTIO_STATUS_FAILED)
		vhp_device_stop_running(r->dev);
	return 0;
}

static int
h_get_status(struct req *r)
{
	reply_u64(r, vhp_device_status(r->dev));
	return 0;
}

static int
h_get_queue_num(struct req *r)
{
	reply_u64(r, r->port->queue_pairs);
	return 0;
}

static int
h_get_max_mem_slots(struct req *r)
{
	reply_u64(r, VHP_MAX_MEM_SLOTS);
	return 0;
}

/* ---- memory ---- */

static bool
region_equal(const struct vhp_mem_region *m,
	     const struct vhost_user_mem_region *d)
{
	return m->gpa == d->guest_phys_addr && m->size == d->memory_size &&
		m->uaddr == d->userspace_addr &&
		m->mmap_offset == d->mmap_offset;
}

/* Install @p mem as the device's table (rings already quiesced). */
static void
mem_install(struct vhp_device *dev, const struct vhp_mem *mem)
{
	uint32_t i;

	pthread_mutex_lock(&dev->port->lock);
	vhp_device_untranslate(dev);
	vhp_mem_free_all(&dev->mem);
	dev->mem = *mem;
	pthread_mutex_unlock(&dev->port->lock);
	for (i = 0; i < dev->mem.nregions; i++)
		vhp_mem_region_guard(&dev->mem.regions[i], &dev->needs_reset,
				     dev->port->name);
}

static int
h_set_mem_table(struct req *r)
{
	static struct vhp_mem newmem;	/* control thread only; 2.5 KiB */
	const struct vhost_user_memory *m = &r->msg->payload.memory;
	const struct vhost_user_mem_region *d;
	const char *why = NULL;
	uint32_t i, n = m->nregions;
	int ret, ov;

	/* Size and fd count were checked against nregions already. */
	if (n == r->dev->mem.nregions) {
		for (i = 0; i < n; i++)
			if (!region_equal(&r->dev->mem.regions[i],
					  &m->regions[i]))
				break;
		if (i == n) {
			VHP_LOG(DEBUG, "port %s: %s: same table, kept",
				r->port->name, r->name);
			return 0;	/* fds closed by the caller */
		}
	}
	memset(&newmem, 0, sizeof(newmem));
	for (i = 0; i < n; i++) {
		d = &m->regions[i];
		ov = vhp_mem_overlaps(&newmem, d);
		if (ov >= 0) {
			req_err(r, "region %u [gpa 0x%" PRIx64 " size 0x%"
				PRIx64 " uaddr 0x%" PRIx64 "] overlaps region "
				"%d: table refused, the previous one is kept",
				i, d->guest_phys_addr, d->memory_size,
				d->userspace_addr, ov);
			goto fail;
		}
		ret = vhp_mem_region_map(&newmem.regions[i], d,
					 r->msg->fds[i], &why);
		if (ret != 0) {
			req_err(r, "region %u [gpa 0x%" PRIx64 " size 0x%"
				PRIx64 " offset 0x%" PRIx64 "]: %s (%s): "
				"table refused, the previous one is kept", i,
				d->guest_phys_addr, d->memory_size,
				d->mmap_offset, why, strerror(-ret));
			goto fail;
		}
		r->msg->fds[i] = -1;
		newmem.nregions = i + 1;
	}
	vhp_device_quiesce(r->dev);
	mem_install(r->dev, &newmem);
	VHP_LOG(INFO, "port %s: %s: %u region(s) mapped", r->port->name,
		r->name, n);
	return 0;
fail:
	vhp_mem_free_all(&newmem);
	return -1;
}

static int
h_add_mem_reg(struct req *r)
{
	const struct vhost_user_mem_region *d = &r->msg->payload.mem_reg.region;
	struct vhp_mem_region reg;
	const char *why = NULL;
	struct vhp_mem *mem = &r->dev->mem;
	uint32_t i;
	int ret, ov;

	/*
	 * QEMU keeps one copy of our memory table per queue pair (one
	 * vhost_dev each, all on this connection), so with several queue
	 * pairs every region comes once per pair: a region equal to a
	 * mapped one is already there (its fd is closed by the caller).
	 */
	for (i = 0; i < mem->nregions; i++) {
		if (region_equal(&mem->regions[i], d)) {
			VHP_LOG(DEBUG, "port %s: %s: region [gpa 0x%" PRIx64
				" size 0x%" PRIx64 "] already mapped, kept",
				r->port->name, r->name, d->guest_phys_addr,
				d->memory_size);
			return 0;
		}
	}
	if (mem->nregions >= VHP_MAX_MEM_SLOTS) {
		req_err(r, "all %u memory slots are in use (GET_MAX_MEM_SLOTS "
			"said %u); remove a region first", VHP_MAX_MEM_SLOTS,
			VHP_MAX_MEM_SLOTS);
		return -1;
	}
	ov = vhp_mem_overlaps(mem, d);
	if (ov >= 0) {
		req_err(r, "region [gpa 0x%" PRIx64 " size 0x%" PRIx64
			"] overlaps region %d: refused", d->guest_phys_addr,
			d->memory_size, ov);
		return -1;
	}
	ret = vhp_mem_region_map(&reg, d, r->msg->fds[0], &why);
	if (ret != 0) {
		req_err(r, "region [gpa 0x%" PRIx64 " size 0x%" PRIx64
			" offset 0x%" PRIx64 "]: %s (%s): refused",
			d->guest_phys_addr, d->memory_size, d->mmap_offset,
			why, strerror(-ret));
		return -1;
	}
	r->msg->fds[0] = -1;
	vhp_device_quiesce(r->dev);
	pthread_mutex_lock(&r->port->lock);
	mem->regions[mem->nregions] = reg;
	mem->nregions++;
	pthread_mutex_unlock(&r->port->lock);
	vhp_mem_region_guard(&mem->regions[mem->nregions - 1],
			     &r->dev->needs_reset, r->port->name);
	return 0;
}

static int
h_rem_mem_reg(struct req *r)
{
	const struct vhost_user_mem_region *d = &r->msg->payload.mem_reg.region;
	struct vhp_mem *mem = &r->dev->mem;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++)
		if (mem->regions[i].gpa == d->guest_phys_addr &&
		    mem->regions[i].uaddr == d->userspace_addr &&
		    mem->regions[i].size == d->memory_size)
			break;
	if (i == mem->nregions) {
		/* QEMU keeps one copy of our table per queue pair and sends
		 * each removal once per pair, like ADD_MEM_REG: a region that
		 * is not mapped (any more) is already removed. */
		VHP_LOG(DEBUG, "port %s: %s: no region [gpa 0x%" PRIx64
			" uaddr 0x%" PRIx64 " size 0x%" PRIx64 "] mapped: "
			"already removed", r->port->name, r->name,
			d->guest_phys_addr, d->userspace_addr, d->memory_size);
		return 0;
	}
	vhp_device_quiesce(r->dev);
	pthread_mutex_lock(&r->port->lock);
	vhp_device_untranslate(r->dev);
	vhp_mem_region_unmap(&mem->regions[i]);
	memmove(&mem->regions[i], &mem->regions[i + 1],
		(mem->nregions - i - 1) * sizeof(mem->regions[0]));
	mem->nregions--;
	pthread_mutex_unlock(&r->port->lock);
	return 0;
}

static bool
proto_negotiated(const struct req *r, unsigned int bit)
{
	return (r->dev->protocol_features & VHP_BIT(bit)) != 0;
}

static int
h_set_log_base(struct req *r)
{
	/* Read the payload before the reply overwrites it. */
	const uint64_t size = r->msg->payload.log.mmap_size;
	const uint64_t off = r->msg->payload.log.mmap_offset;
	struct vhp_dirty_log *log;
	const char *why = NULL;
	int ret;

	reply_u64(r, 1);
	if (!proto_negotiated(r, VHOST_USER_PROTOCOL_F_LOG_SHMFD)) {
		req_err(r, "LOG_SHMFD not negotiated: no shared log to map");
		return -1;
	}
	ret = vhp_log_map(r->msg->fds[0], size, off, &log, &why);
	if (ret != 0) {
		req_err(r, "log of 0x%" PRIx64 " bytes at offset 0x%" PRIx64
			": %s (%s): refused, the previous log is kept", size,
			off, why, strerror(-ret));
		return -1;
	}
	/* The mapping holds the memory: the fd is closed by the caller. */
	vhp_device_set_log(r->dev, log);
	reply_u64(r, 0);
	VHP_LOG(INFO, "port %s: dirty log of %" PRIu64 " bytes mapped (covers "
		"%" PRIu64 " MiB of guest memory)", r->port->name, size,
		(size * 8 * VHP_LOG_PAGE) >> 20);
	return 0;
}

static int
h_set_log_fd(struct req *r)
{
	const char *why = NULL;
	int fd;

	fd = vhp_frontend_fd_adopt(r->msg->fds[0], true, &why);
	if (fd < 0) {
		req_err(r, "the log fd is %s (%s): refused; pass an eventfd",
			why, strerror(-fd));
		return -1;
	}
	r->msg->fds[0] = -1;
	if (r->dev->log_fd >= 0)
		close(r->dev->log_fd);
	r->dev->log_fd = fd;
	return 0;
}

static int
h_send_rarp(struct req *r)
{
	const uint8_t *mac = r->msg->payload.raw;

	if (!proto_negotiated(r, VHOST_USER_PROTOCOL_F_RARP)) {
		req_err(r, "RARP protocol feature not negotiated");
		return -1;
	}
	memcpy(r->dev->rarp_mac, mac, sizeof(r->dev->rarp_mac));
	__atomic_store_n(&r->dev->rarp_pending, 1, __ATOMIC_RELEASE);
	vhp_idle_rings_changed();	/* a sleeping poller sends it now */
	VHP_LOG(INFO, "port %s: SEND_RARP %02x:%02x:%02x:%02x:%02x:%02x: a "
		"RARP goes to the application on the next receive",
		r->port->name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

static int
h_net_set_mtu(struct req *r)
{
	uint64_t mtu = r->msg->payload.u64;

	if (!proto_negotiated(r, VHOST_USER_PROTOCOL_F_NET_MTU)) {
		req_err(r, "NET_MTU protocol feature not negotiated");
		return -1;
	}
	if (mtu < 68 || mtu > 65535) {
		req_err(r, "MTU %" PRIu64 " outside 68..65535: refused", mtu);
		return -1;
	}
	r->dev->mtu = (uint16_t)mtu;
	VHP_LOG(INFO, "port %s: MTU %u", r->port->name, r->dev->mtu);
	return 0;
}

/* ---- vrings ---- */

static int
h_set_vring_num(struct req *r)
{
	const struct vhost_vring_state *s = &r->msg->payload.state;
	struct vhp_virtqueue *vq;

	if (ring_check(r, s->index, &vq) != 0)
		return -1;
	if (s->num == 0 || s->num > VIRTQ_MAX_SIZE ||
	    (s->num & (s->num - 1)) != 0) {
		req_err(r, "ring %u: queue size %u must be a power of two "
			"between 1 and %u", s->index, s->num, VIRTQ_MAX_SIZE);
		return -1;
	}
	vhp_vq_quiesce(vq);
	vq->num = (uint16_t)s->num;
	vq->num_set = true;
	vq->translated = false;
	return 0;
}

static int
h_set_vring_base(struct req *r)
{
	const struct vhost_vring_state *s = &r->msg->payload.state;
	bool packed = r->dev->features & VHP_BIT(VIRTIO_F_RING_PACKED);
	struct vhp_virtqueue *vq;

	if (ring_check(r, s->index, &vq) != 0)
		return -1;
	/*
	 * Packed rings: bits 0-14 avail index, bit 15 avail wrap counter;
	 * QEMU also sends its used index and wrap counter in bits 16-31.
	 * Once a ring was stopped every buffer taken was returned, so the
	 * used position equals the avail one (what GET_VRING_BASE answered
	 * and DPDK assumes): the upper half is checked and not needed.
	 * Indexes are positions in the descriptor ring: below its size
	 * (checked again when the ring is set up, if NUM comes later).
	 */
	if (s->num > 0xffff && !packed) {
		req_err(r, "ring %u: base 0x%x does not fit 16 bits",
			s->index, s->num);
		return -1;
	}
	if (packed && vq->num_set &&
	    ((s->num & 0x7fff) >= vq->num ||
	     ((s->num >> 16) & 0x7fff) >= vq->num)) {
		req_err(r, "ring %u: packed base 0x%x: index %u (used %u) is "
			"not below the ring size %u: refused, the ring stays "
			"stopped until a valid base comes", s->index, s->num,
			s->num & 0x7fff, (s->num >> 16) & 0x7fff, vq->num);
		vhp_vq_quiesce(vq);
		vq->base_refused = true;
		return -1;
	}
	vhp_vq_quiesce(vq);
	if (packed) {
		vq->last_avail_idx = s->num & 0x7fff;
		vq->last_used_idx = vq->last_avail_idx;
		vq->avail_wrap = (s->num >> 15) & 1;
		vq->used_wrap = vq->avail_wrap;
	} else {
		vq->last_avail_idx = (uint16_t)s->num;
		vq->last_used_idx = (uint16_t)s->num;
	}
	vq->base = s->num;
	vq->base_set = true;
	vq->base_unchecked = true;
	vq->base_refused = false;
	vq->broken = 0;
	vq->translated = false;
	return 0;
}

static int
h_get_vring_base(struct req *r)
{
	struct vhost_vring_state *s = &r->msg->payload.state;
	struct vhp_virtqueue *vq;
	bool was_running = r->dev->running;
	uint32_t idx = s->index;
	bool was_started;

	r->reply_size = sizeof(*s);
	if (ring_check(r, idx, &vq) != 0) {
		s->num = 0;
		return -1;
	}
	was_started = vq->started;
	if (was_running && was_started)
		vhp_device_stop_running(r->dev);
	vhp_vq_stop(vq);
	/* A ring stopped under a running device must be restarted
	 * (SET_VRING_KICK) before the device is ready again. */
	if (was_running && was_started)
		r->dev->stopped_mask |= 1u << idx;
	/* Packed: avail index and wrap in bits 0-15, used index and wrap
	 * in bits 16-31 (equal: nothing is in flight once stopped). */
	if (r->dev->features & VHP_BIT(VIRTIO_F_RING_PACKED))
		s->num = (uint32_t)(vq->last_avail_idx & 0x7fff) |
			((uint32_t)(vq->avail_wrap & 1) << 15) |
			((uint32_t)(vq->last_used_idx & 0x7fff) << 16) |
			((uint32_t)(vq->used_wrap & 1) << 31);
	else
		s->num = vq->last_avail_idx;
	VHP_LOG(DEBUG, "port %s: ring %u stopped at %u", r->port->name, idx,
		s->num);
	return 0;
}

static int
h_set_vring_addr(struct req *r)
{
	const struct vhost_vring_addr *a = &r->msg->payload.addr;
	struct vhp_virtqueue *vq;
	const char *why;
	int ret;

	if (ring_check(r, a->index, &vq) != 0)
		return -1;
	if (r->dev->mem.nregions == 0) {
		req_err(r, "ring %u: no guest memory yet: the front-end must "
			"send SET_MEM_TABLE before SET_VRING_ADDR", a->index);
		return -1;
	}
	vhp_vq_quiesce(vq);
	vq->addr = *a;
	if (!vq->num_set) {
		/* Size unknown: check the start of each area now, the whole
		 * ring when SET_VRING_NUM comes. */
		if (vhp_uaddr_to_hva(&r->dev->mem, a->desc_user_addr, 1) ==
			NULL ||
		    vhp_uaddr_to_hva(&r->dev->mem, a->avail_user_addr, 1) ==
			NULL ||
		    vhp_uaddr_to_hva(&r->dev->mem, a->used_user_addr, 1) ==
			NULL) {
			req_err(r, "ring %u: ring address outside every "
				"memory region: send a memory table covering "
				"the rings", a->index);
			vq->addr_set = false;
			return -1;
		}
		vq->addr_set = true;
		vq->translated = false;
		return 0;
	}
	vq->addr_set = true;
	ret = vhp_vq_translate(vq, &why);
	if (ret != 0) {
		vq->addr_set = false;
		vq->translated = false;
		req_err(r, "ring %u: desc 0x%" PRIx64 " avail 0x%" PRIx64
			" used 0x%" PRIx64 " (size %u): %s: send addresses "
			"inside the memory table", a->index,
			a->desc_user_addr, a->avail_user_addr,
			a->used_user_addr, vq->num, why);
		return -1;
	}
	return 0;
}

static int
h_set_vring_fd(struct req *r)
{
	uint64_t v = r->msg->payload.u64;
	uint32_t idx = (uint32_t)(v & VHOST_USER_VRING_IDX_MASK);
	bool nofd = (v & VHOST_USER_VRING_NOFD_MASK) != 0;
	int fd = nofd ? -1 : r->msg->fds[0];
	uint32_t req = r->msg->hdr.request;
	struct vhp_virtqueue *vq;
	int old;

	if (ring_check(r, idx, &vq) != 0)
		return -1;
	if (!nofd) {
		const char *why = NULL;

		fd = vhp_frontend_fd_adopt(fd, req != VHOST_USER_SET_VRING_KICK,
					   &why);
		if (fd < 0) {
			req_err(r, "ring %u: the fd is %s (%s): refused; pass "
				"an eventfd", idx, why, strerror(-fd));
			return -1;	/* the caller closes fds[0] */
		}
		r->msg->fds[0] = -1;
	}
	if (req == VHOST_USER_SET_VRING_KICK) {
		vhp_vq_quiesce(vq);
		if (vq->kickfd >= 0) {
			vhp_ctrl_unwatch_kick(vq);
			close(vq->kickfd);
		}
		vq->kickfd = fd;
		vq->kick_set = true;
		vq->started = true;
		vq->broken = 0;
		vq->translated = false;
		r->dev->stopped_mask &= ~(1u << idx);
		if (fd >= 0)
			vhp_ctrl_watch_kick(vq);
		vhp_idle_rings_changed();
	} else if (req == VHOST_USER_SET_VRING_CALL) {
		/* The datapath may be writing the old fd: stop it first;
		 * vhp_vring_call() reads it under the port lock. */
		vhp_vq_quiesce(vq);
		pthread_mutex_lock(&r->port->lock);
		old = vq->callfd;
		vq->callfd = fd;
		vq->call_set = true;
		pthread_mutex_unlock(&r->port->lock);
		if (old >= 0)
			close(old);
	} else {
		/* The datapath writes it when the ring breaks. */
		vhp_vq_quiesce(vq);
		old = vq->errfd;
		vq->errfd = fd;
		if (old >= 0)
			close(old);
	}
	return 0;
}

static int
h_set_vring_enable(struct req *r)
{
	const struct vhost_vring_state *s = &r->msg->payload.state;
	struct vhp_virtqueue *vq;
	bool en;

	if (ring_check(r, s->index, &vq) != 0)
		return -1;
	if (s->num > 1) {
		req_err(r, "ring %u: enable value %u is neither 0 nor 1",
			s->index, s->num);
		return -1;
	}
	en = s->num == 1;
	if (!en)
		vhp_vq_quiesce(vq);
	if (vq->enabled == en)
		return 0;
	vq->enabled = en;
	VHP_LOG(DEBUG, "port %s: ring %u %s", r->port->name, s->index,
		en ? "enabled" : "disabled");
	if (r->port->ops.vring_state_changed != NULL)
		r->port->ops.vring_state_changed(r->port, (uint16_t)s->index, en,
						 r->port->ctx);
	return 0;
}

/* ---- not offered ---- */

static int
h_get_config(struct req *r)
{
	/* Spec: a zero-size reply payload tells the front-end it failed. */
	r->reply_size = 0;
	req_err(r, "CONFIG protocol feature not offered: answered with an "
		"empty payload (failure)");
	return -1;
}

static int
h_not_offered(struct req *r)
{
	req_err(r, "request not supported: its protocol feature is not "
		"offered by this back-end; the front-end must not send it");
	return -1;
}

static const struct req_spec specs[VHOST_USER_MAX] = {
	[VHOST_USER_GET_FEATURES] = { h_get_features, 8, SZ_UPTO, FD_NONE,
		true },
	[VHOST_USER_SET_FEATURES] = { h_set_features, 8, SZ_EXACT, FD_NONE,
		false },
	[VHOST_USER_SET_OWNER] = { h_set_owner, 8, SZ_UPTO, FD_NONE, false },
	[VHOST_USER_RESET_OWNER] = { h_reset, 8, SZ_UPTO, FD_NONE, false },
	[VHOST_USER_SET_MEM_TABLE] = { h_set_mem_table, 8, SZ_ANY,
		FD_REGIONS, false },
	[VHOST_USER_SET_LOG_BASE] = { h_set_log_base,
		sizeof(struct vhost_user_log), SZ_EXACT, FD_ONE, true },
	[VHOST_USER_SET_LOG_FD] = { h_set_log_fd, 8, SZ_UPTO, FD_ONE, false },
	[VHOST_USER_SEND_RARP] = { h_send_rarp, 8, SZ_EXACT, FD_NONE, false },
	[VHOST_USER_NET_SET_MTU] = { h_net_set_mtu, 8, SZ_EXACT, FD_NONE,
		false },
	[VHOST_USER_SET_VRING_NUM] = { h_set_vring_num, 8, SZ_EXACT, FD_NONE,
		false },
	[VHOST_USER_SET_VRING_ADDR] = { h_set_vring_addr,
		sizeof(struct vhost_vring_addr), SZ_EXACT, FD_NONE, false },
	[VHOST_USER_SET_VRING_BASE] = { h_set_vring_base, 8, SZ_EXACT,
		FD_NONE, false },
	[VHOST_USER_GET_VRING_BASE] = { h_get_vring_base, 8, SZ_EXACT,
		FD_NONE, true },
	[VHOST_USER_SET_VRING_KICK] = { h_set_vring_fd, 8, SZ_EXACT, FD_VRING,
		false },
	[VHOST_USER_SET_VRING_CALL] = { h_set_vring_fd, 8, SZ_EXACT, FD_VRING,
		false },
	[VHOST_USER_SET_VRING_ERR] = { h_set_vring_fd, 8, SZ_EXACT, FD_VRING,
		false },
	[VHOST_USER_GET_PROTOCOL_FEATURES] = { h_get_protocol_features, 8,
		SZ_UPTO, FD_NONE, true },
	[VHOST_USER_SET_PROTOCOL_FEATURES] = { h_set_protocol_features, 8,
		SZ_EXACT, FD_NONE, false },
	[VHOST_USER_GET_QUEUE_NUM] = { h_get_queue_num, 8, SZ_UPTO, FD_NONE,
		true },
	[VHOST_USER_SET_VRING_ENABLE] = { h_set_vring_enable, 8, SZ_EXACT,
		FD_NONE, false },
	[VHOST_USER_GET_CONFIG] = { h_get_config, 0, SZ_ANY, FD_NONE, true },
	[VHOST_USER_RESET_DEVICE] = { h_reset, 8, SZ_UPTO, FD_NONE, false },
	[VHOST_USER_GET_MAX_MEM_SLOTS] = { h_get_max_mem_slots, 8, SZ_UPTO,
		FD_NONE, true },
	[VHOST_USER_ADD_MEM_REG] = { h_add_mem_reg,
		sizeof(struct vhost_user_single_mem), SZ_EXACT, FD_ONE, false },
	[VHOST_USER_REM_MEM_REG] = { h_rem_mem_reg,
		sizeof(struct vhost_user_single_mem), SZ_EXACT, FD_IGNORE,
		false },
	[VHOST_USER_SET_STATUS] = { h_set_status, 8, SZ_EXACT, FD_NONE,
		false },
	[VHOST_USER_GET_STATUS] = { h_get_status, 8, SZ_UPTO, FD_NONE, true },
};

/* Payload size and fd count of a request as the table says. */
static int
validate(struct req *r, const struct req_spec *sp)
{
	const struct vhost_user_msg *m = r->msg;
	uint32_t size = m->hdr.size, want_fds = 0, n;

	switch (sp->size_rule) {
	case SZ_EXACT:
		if (size != sp->size) {
			req_err(r, "payload of %u bytes, expected %u: message "
				"refused", size, sp->size);
			return -1;
		}
		break;
	case SZ_UPTO:
		if (size > sp->size) {
			req_err(r, "payload of %u bytes, expected at most %u: "
				"message refused", size, sp->size);
			return -1;
		}
		break;
	default:
		break;
	}
	switch (sp->fd_rule) {
	case FD_ONE:
		want_fds = 1;
		break;
	case FD_VRING:
		want_fds = (m->payload.u64 & VHOST_USER_VRING_NOFD_MASK) ? 0 : 1;
		break;
	case FD_REGIONS:
		if (size < 8) {
			req_err(r, "payload of %u bytes has no region count: "
				"message refused", size);
			return -1;
		}
		n = m->payload.memory.nregions;
		if (n == 0 || n > VHOST_USER_MEMORY_MAX_NREGIONS) {
			req_err(r, "%u regions: between 1 and %u allowed "
				"(use ADD_MEM_REG for more): table refused",
				n, VHOST_USER_MEMORY_MAX_NREGIONS);
			return -1;
		}
		if (size < 8 + n * sizeof(struct vhost_user_mem_region)) {
			req_err(r, "payload of %u bytes is too short for %u "
				"regions: table refused", size, n);
			return -1;
		}
		want_fds = n;
		break;
	case FD_IGNORE:
		return 0;
	default:
		break;
	}
	if (m->nfds != want_fds) {
		req_err(r, "carries %u file descriptor(s), expected %u: "
			"message refused, descriptors closed", m->nfds,
			want_fds);
		return -1;
	}
	return 0;
}

static void
close_fds(struct vhost_user_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->nfds && i < VHOST_USER_MAX_FDS; i++) {
		if (msg->fds[i] >= 0)
			close(msg->fds[i]);
		msg->fds[i] = -1;
	}
	msg->nfds = 0;
}

/*
 * Send a reply. A reply that could not be written whole (the front-end
 * stopped reading for the socket timeout, or went away) leaves the stream
 * out of step: the connection must be closed, not read on.
 */
static int
reply_send(struct vhp_port *port, int fd, const struct vhost_user_msg *msg,
	   const char *name)
{
	int ret = vhp_msg_send(fd, msg);

	if (ret == 0)
		return 0;
	__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
	VHP_LOG(ERR, "port %s: %s: reply could not be sent (%s): closing the "
		"connection; the front-end may reconnect", port->name, name,
		strerror(-ret));
	return -1;
}

enum vhp_msg_result
vhp_protocol_handle(struct vhp_port *port, int fd, struct vhost_user_msg *msg)
{
	struct vhp_device *dev = &port->dev;
	const struct req_spec *sp = NULL;
	struct req r = {
		.port = port, .dev = dev, .msg = msg,
		.name = vhp_request_name(msg->hdr.request),
	};
	bool need_reply = (msg->hdr.flags & VHOST_USER_NEED_REPLY) != 0;
	bool known;
	int ret;

	if (msg->nfds > VHOST_USER_MAX_FDS)
		msg->nfds = VHOST_USER_MAX_FDS;
	if ((msg->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    (msg->hdr.flags & VHOST_USER_REPLY_MASK)) {
		req_err(&r, "header flags 0x%x: version must be 1 and REPLY "
			"clear: closing the connection", msg->hdr.flags);
		close_fds(msg);
		return VHP_MSG_CLOSE;
	}
	if (msg->hdr.size > VHOST_USER_PAYLOAD_MAX) {
		req_err(&r, "payload of %u bytes exceeds %zu: closing the "
			"connection", msg->hdr.size, VHOST_USER_PAYLOAD_MAX);
		close_fds(msg);
		return VHP_MSG_CLOSE;
	}
	if (msg->hdr.request < VHOST_USER_MAX)
		sp = &specs[msg->hdr.request];
	known = sp != NULL && sp->fn != NULL;
	if (!known) {
		if (msg->hdr.request < VHOST_USER_MAX &&
		    msg->hdr.request != VHOST_USER_NONE)
			h_not_offered(&r);
		else
			req_err(&r, "unknown request code %u: refused",
				msg->hdr.request);
		ret = -1;
	} else {
		/* Zero what the payload did not cover: handlers read fixed
		 * layouts. */
		if (msg->hdr.size < sizeof(msg->payload))
			memset(msg->payload.raw + msg->hdr.size, 0,
			       sizeof(msg->payload) - msg->hdr.size);
		ret = validate(&r, sp);
		if (ret == 0)
			ret = sp->fn(&r);
		else if (sp->reply) {
			memset(&msg->payload, 0, sizeof(msg->payload));
			/* Its reply is a status: non-zero is failure. */
			if (msg->hdr.request == VHOST_USER_SET_LOG_BASE) {
				msg->payload.u64 = 1;
				r.reply_size = sizeof(uint64_t);
			}
		}
	}
	close_fds(msg);
	/* Apply the effects (rings, new_device) before acknowledging; also
	 * after a failure: a refused message may have stopped a ring that can
	 * run again. */
	vhp_device_update(dev);

	if (known && sp->reply) {
		if (sp->fn != h_get_config && r.reply_size == 0 && ret != 0)
			r.reply_size = msg->hdr.request ==
				VHOST_USER_GET_VRING_BASE ?
				sizeof(struct vhost_vring_state) :
				sizeof(uint64_t);
		msg->hdr.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;
		msg->hdr.size = r.reply_size;
		if (reply_send(port, fd, msg, r.name) != 0)
			return VHP_MSG_CLOSE;
	} else if (need_reply &&
		   ((dev->protocol_features &
		     VHP_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK)) || !known)) {
		msg->hdr.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;
		msg->hdr.size = sizeof(uint64_t);
		msg->payload.u64 = ret == 0 ? 0 : 1;
		if (reply_send(port, fd, msg, r.name) != 0)
			return VHP_MSG_CLOSE;
	}
	return ret == 0 ? VHP_MSG_OK : VHP_MSG_ERROR;
}
