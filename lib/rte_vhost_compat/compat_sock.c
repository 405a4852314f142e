/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_vhost's socket and device API on vhostpath ports: driver
 * register/start/unregister, callbacks (called from vhostpath's control
 * thread with the path's vid, rings numbered as virtio numbers them), and
 * the device queries applications make from their own threads.
 *
 * rte_vhost_driver_register() only reserves the path; the vhostpath port is
 * created by rte_vhost_driver_start(), when the callbacks and the features
 * to disable are known.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_vhost.h>

#include "compat.h"

RTE_LOG_REGISTER(compat_logtype, lib.vhostpath.compat, INFO);

struct compat_sock compat_socks[COMPAT_MAX_SOCKETS];

/* Serialises register/start/unregister and path lookups. */
static pthread_mutex_t socks_lock = PTHREAD_MUTEX_INITIALIZER;

/* Set while this thread runs an application callback: unregistering from
 * there would wait for the control thread that runs it. */
static __thread bool in_callback;

/* Registration flags this library implements. */
#define FLAGS_SUPPORTED (RTE_VHOST_USER_CLIENT | \
	RTE_VHOST_USER_NO_RECONNECT | RTE_VHOST_USER_EXTBUF_SUPPORT | \
	RTE_VHOST_USER_LINEARBUF_SUPPORT | \
	RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS | \
	RTE_VHOST_USER_NET_STATS_ENABLE)

struct compat_sock *
compat_sock_of(int vid, const char *fn)
{
	struct compat_sock *s;

	if (vid < 0 || vid >= COMPAT_MAX_SOCKETS ||
	    !__atomic_load_n(&compat_socks[vid].used, __ATOMIC_ACQUIRE)) {
		COMPAT_LOG(ERR, "%s: device %d not found", fn, vid);
		return NULL;
	}
	s = &compat_socks[vid];
	return s;
}

static int
vid_of_sock(const struct compat_sock *s)
{
	return (int)(s - compat_socks);
}

/* Slot of @p path, -1 when not registered. socks_lock held. */
static int
find_path(const char *path)
{
	unsigned int i;

	if (path == NULL)
		return -1;
	for (i = 0; i < COMPAT_MAX_SOCKETS; i++)
		if (compat_socks[i].used &&
		    strcmp(compat_socks[i].path, path) == 0)
			return (int)i;
	return -1;
}

/* ---- callbacks: vhostpath port -> rte_vhost application ---- */

static int
cb_new_device(struct vhp_port *port, void *ctx)
{
	struct compat_sock *s = ctx;
	int ret = 0;

	(void)port;
	if (s->ops != NULL && s->ops->new_device != NULL) {
		in_callback = true;
		ret = s->ops->new_device(vid_of_sock(s));
		in_callback = false;
	}
	return ret;
}

static void
cb_destroy_device(struct vhp_port *port, void *ctx)
{
	struct compat_sock *s = ctx;

	(void)port;
	if (s->ops != NULL && s->ops->destroy_device != NULL) {
		in_callback = true;
		s->ops->destroy_device(vid_of_sock(s));
		in_callback = false;
	}
}

static void
cb_vring_state(struct vhp_port *port, uint16_t vring, bool en, void *ctx)
{
	struct compat_sock *s = ctx;

	(void)port;
	if (s->ops != NULL && s->ops->vring_state_changed != NULL) {
		in_callback = true;
		s->ops->vring_state_changed(vid_of_sock(s), vring, en);
		in_callback = false;
	}
}

static int
cb_new_connection(struct vhp_port *port, void *ctx)
{
	struct compat_sock *s = ctx;
	int ret = 0;

	(void)port;
	if (s->ops != NULL && s->ops->new_connection != NULL) {
		in_callback = true;
		ret = s->ops->new_connection(vid_of_sock(s));
		in_callback = false;
	}
	return ret;
}

static void
cb_destroy_connection(struct vhp_port *port, void *ctx)
{
	struct compat_sock *s = ctx;
	struct vhp_vring_stats vs;
	unsigned int i;

	/* rte_vhost's counters belong to one connection: the next one
	 * starts from 0. */
	for (i = 0; i < VHP_MAX_VRINGS; i++) {
		s->base[i] = s->stats[i];
		if (vhp_vring_stats_get(port, (uint16_t)i, &vs) == 0)
			s->notif_base[i] = vs.notifications;
	}
	if (s->ops != NULL && s->ops->destroy_connection != NULL) {
		in_callback = true;
		s->ops->destroy_connection(vid_of_sock(s));
		in_callback = false;
	}
}

static const struct vhp_port_ops compat_port_ops = {
	.new_device = cb_new_device,
	.destroy_device = cb_destroy_device,
	.vring_state_changed = cb_vring_state,
	.new_connection = cb_new_connection,
	.destroy_connection = cb_destroy_connection,
};

/* ---- driver API ---- */

int
rte_vhost_driver_register(const char *path, uint64_t flags)
{
	struct compat_sock *s = NULL;
	unsigned int i;
	int ret = -1;

	if (path == NULL || path[0] == '\0' ||
	    strlen(path) >= sizeof(s->path)) {
		COMPAT_LOG(ERR, "driver_register: socket path %s is empty or "
			   "longer than %zu bytes", path ? path : "(null)",
			   sizeof(s->path) - 1);
		return -1;
	}
	if (flags & (RTE_VHOST_USER_IOMMU_SUPPORT |
		     RTE_VHOST_USER_POSTCOPY_SUPPORT |
		     RTE_VHOST_USER_ASYNC_COPY)) {
		COMPAT_LOG(ERR, "%s: %s is not supported by vhostpath's "
			   "rte_vhost (IOMMU, postcopy migration and async copy "
			   "are not implemented): register without it, or use "
			   "DPDK's librte_vhost", path,
			   (flags & RTE_VHOST_USER_IOMMU_SUPPORT) ?
			   "IOMMU_SUPPORT" :
			   (flags & RTE_VHOST_USER_POSTCOPY_SUPPORT) ?
			   "POSTCOPY_SUPPORT" : "ASYNC_COPY");
		return -1;
	}
	if (flags & ~(uint64_t)FLAGS_SUPPORTED)
		COMPAT_LOG(WARNING, "%s: unknown registration flags 0x%" PRIx64
			   " ignored", path, flags & ~(uint64_t)FLAGS_SUPPORTED);
	pthread_mutex_lock(&socks_lock);
	if (find_path(path) >= 0) {
		COMPAT_LOG(ERR, "driver_register: %s is already registered",
			   path);
		goto out;
	}
	for (i = 0; i < COMPAT_MAX_SOCKETS; i++) {
		if (!compat_socks[i].used) {
			s = &compat_socks[i];
			break;
		}
	}
	if (s == NULL) {
		COMPAT_LOG(ERR, "driver_register: %s: all %d sockets in use",
			   path, COMPAT_MAX_SOCKETS);
		goto out;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->flags = flags;
	s->stats_on = !!(flags & RTE_VHOST_USER_NET_STATS_ENABLE);
	s->compliant_ol = !!(flags & RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS);
	s->extbuf = !!(flags & RTE_VHOST_USER_EXTBUF_SUPPORT);
	s->linear = !!(flags & RTE_VHOST_USER_LINEARBUF_SUPPORT) &&
		!s->extbuf;
	__atomic_store_n(&s->used, true, __ATOMIC_RELEASE);
	ret = 0;
out:
	pthread_mutex_unlock(&socks_lock);
	return ret;
}

int
rte_vhost_driver_callback_register(const char *path,
				   struct rte_vhost_device_ops const * const ops)
{
	int i, ret = -1;

	pthread_mutex_lock(&socks_lock);
	i = find_path(path);
	if (i >= 0) {
		compat_socks[i].ops = ops;
		if (ops != NULL && ops->guest_notified != NULL)
			COMPAT_LOG(WARNING, "%s: the guest_notified callback is "
				   "not called by vhostpath (interrupts are "
				   "counted per vring: guest_notifications)",
				   path);
		ret = 0;
	}
	pthread_mutex_unlock(&socks_lock);
	return ret;
}

int
rte_vhost_driver_disable_features(const char *path, uint64_t features)
{
	int i, ret = -1;

	pthread_mutex_lock(&socks_lock);
	i = find_path(path);
	if (i >= 0 && compat_socks[i].started) {
		COMPAT_LOG(ERR, "%s: features can only be disabled before "
			   "rte_vhost_driver_start()", path);
	} else if (i >= 0) {
		compat_socks[i].features_off |= features;
		ret = 0;
	}
	pthread_mutex_unlock(&socks_lock);
	return ret;
}

int
rte_vhost_driver_start(const char *path)
{
	struct vhp_port_conf conf;
	struct compat_sock *s;
	struct vhp_port *port;
	int i, ret = -1;

	pthread_mutex_lock(&socks_lock);
	i = find_path(path);
	if (i < 0)
		goto out;
	s = &compat_socks[i];
	if (s->started) {
		ret = 0;
		goto out;
	}
	memset(&conf, 0, sizeof(conf));
	conf.path = s->path;
	conf.flags = VHP_PORT_KEEP_MBUFS;
	if (s->flags & RTE_VHOST_USER_CLIENT)
		conf.flags |= VHP_PORT_CLIENT;
	if ((s->flags & RTE_VHOST_USER_CLIENT) &&
	    (s->flags & RTE_VHOST_USER_NO_RECONNECT))
		conf.flags |= VHP_PORT_NO_RECONNECT;
	conf.queue_pairs = VHP_MAX_QUEUE_PAIRS;
	conf.features_off = s->features_off;
	conf.ops = &compat_port_ops;
	conf.ctx = s;
	conf.name = s->path;
	port = vhp_port_create(&conf);
	if (port == NULL) {
		COMPAT_LOG(ERR, "%s: cannot start the vhost-user socket (%s)",
			   path, rte_strerror(rte_errno));
		goto out;
	}
	__atomic_store_n(&s->port, port, __ATOMIC_RELEASE);
	s->started = true;
	ret = 0;
out:
	pthread_mutex_unlock(&socks_lock);
	return ret;
}

int
rte_vhost_driver_unregister(const char *path)
{
	struct vhp_port *port;
	struct compat_sock *s;
	int i;

	if (in_callback) {
		COMPAT_LOG(ERR, "%s: rte_vhost_driver_unregister() called from "
			   "a vhost callback: not allowed", path);
		return -1;
	}
	pthread_mutex_lock(&socks_lock);
	i = find_path(path);
	if (i < 0) {
		pthread_mutex_unlock(&socks_lock);
		return -1;
	}
	s = &compat_socks[i];
	port = s->port;
	pthread_mutex_unlock(&socks_lock);
	/* Outside the lock: the port's callbacks (destroy_device, ...) run
	 * on the control thread meanwhile and may call the query API. */
	if (port != NULL) {
		vhp_port_destroy(port);
		__atomic_store_n(&s->port, NULL, __ATOMIC_RELEASE);
		/* A burst that loaded the pointer is done after this. */
		vhp_thread_synchronize();
	}
	pthread_mutex_lock(&socks_lock);
	__atomic_store_n(&s->used, false, __ATOMIC_RELEASE);
	s->started = false;
	s->ops = NULL;
	pthread_mutex_unlock(&socks_lock);
	return 0;
}

/* ---- device queries ---- */

int
rte_vhost_get_ifname(int vid, char *buf, size_t len)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);

	if (s == NULL || buf == NULL || len == 0)
		return -1;
	snprintf(buf, len, "%s", s->path);
	return 0;
}

/* Port info of a connected device, or -1. */
static int
port_info(int vid, const char *fn, struct vhp_port_info *pi)
{
	struct compat_sock *s = compat_sock_of(vid, fn);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;

	if (port == NULL || vhp_port_info_get(port, pi) != 0 ||
	    !pi->connected)
		return -1;
	return 0;
}

int
rte_vhost_get_negotiated_features(int vid, uint64_t *features)
{
	struct vhp_port_info pi;

	if (features == NULL || port_info(vid, __func__, &pi) != 0)
		return -1;
	*features = pi.features;
	return 0;
}

int
rte_vhost_get_mtu(int vid, uint16_t *mtu)
{
	struct vhp_port_info pi;

	if (mtu == NULL || port_info(vid, __func__, &pi) != 0)
		return -ENODEV;
	if (!pi.running)
		return -EAGAIN;
	if (!(pi.features & (1ULL << VIRTIO_NET_F_MTU)) || pi.mtu == 0)
		return -ENOTSUP;
	*mtu = pi.mtu;
	return 0;
}

int
rte_vhost_get_numa_node(int vid)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_vring_info vi;

	if (port == NULL || vhp_vring_info_get(port, 0, &vi) != 0)
		return -1;
	return vi.numa_node;
}

uint16_t
rte_vhost_get_vring_num(int vid)
{
	struct vhp_port_info pi;

	if (port_info(vid, __func__, &pi) != 0)
		return 0;
	return pi.nr_vrings;
}

int
rte_vhost_get_vhost_vring(int vid, uint16_t vring_idx,
			  struct rte_vhost_vring *vring)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_vring_info vi;

	if (port == NULL || vring == NULL || vring_idx >= VHP_MAX_VRINGS ||
	    vhp_vring_info_get(port, vring_idx, &vi) != 0 || vi.size == 0)
		return -1;
	memset(vring, 0, sizeof(*vring));
	vring->desc = vi.desc;
	vring->avail = vi.avail;
	vring->used = vi.used;
	vring->log_guest_addr = vi.log_guest_addr;
	vring->callfd = vi.callfd;
	vring->kickfd = vi.kickfd;
	vring->size = vi.size;
	return 0;
}

int
rte_vhost_enable_guest_notification(int vid, uint16_t queue_id, int enable)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	int ret;

	if (port == NULL || queue_id >= VHP_MAX_VRINGS)
		return -1;
	ret = vhp_vring_kicks_enable(port, queue_id, enable != 0);
	/* Not running yet: remembered and applied when the ring starts. */
	return ret == 0 || ret == -EAGAIN ? 0 : -1;
}

uint32_t
rte_vhost_rx_queue_count(int vid, uint16_t qid)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;

	if (port == NULL || (qid & 1) == 0 || qid >= VHP_MAX_VRINGS) {
		if (port != NULL)
			COMPAT_LOG(ERR, "%s: invalid virtqueue idx %u",
				   __func__, qid);
		return 0;
	}
	return vhp_vring_avail_count(port, qid);
}

int
rte_vhost_get_monitor_addr(int vid, uint16_t queue_id,
			   struct rte_vhost_power_monitor_cond *pmc)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_monitor_cond c;

	if (port == NULL || pmc == NULL ||
	    vhp_vring_monitor_cond(port, queue_id, &c) != 0)
		return -1;
	pmc->addr = c.addr;
	pmc->val = c.val;
	pmc->mask = c.mask;
	pmc->size = c.size;
	pmc->match = c.match;
	return 0;
}
