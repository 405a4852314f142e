/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle polling threads that sleep (vhp_idle_*).
 *
 * A polling thread that found nothing for a number of loop iterations
 * arms guest kicks on the rings it serves (split: clears NO_NOTIFY or sets
 * avail_event; packed: ENABLE), re-checks the rings (a buffer the guest
 * published before it could see the arming would not be kicked), goes
 * RCU-offline so that control messages never wait for it, and sleeps in
 * epoll on the rings' kick fds and on its own wake-up eventfd. The control
 * thread writes that eventfd whenever a ring starts or its kick fd changes
 * (vhp_idle_rings_changed()), and the application does (vhp_idle_wake())
 * to stop the thread. On wake-up the thread goes online, suppresses kicks
 * again and returns to polling.
 *
 * Lost wake-ups: the arming store and the re-check are ordered by a full
 * fence (vhp_vq_set_kicks()); the driver publishes a buffer, fences, then
 * reads the suppression state. Either we see its buffer, or it sees the
 * arming and kicks; the kick fd is level-triggered in epoll, so a kick
 * written before epoll_wait() is not lost either.
 *
 * The epoll set is rebuilt, never edited, when the kick fds changed: a
 * kick fd closed here stays registered in epoll as long as the front-end
 * holds the same file, so editing by fd number could hit the wrong file.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "vhp_internal.h"

#define IDLE_DEFAULT_POLLS	8192u
#define IDLE_DEFAULT_TIMEOUT_MS	1000
/* Adaptive: a sleep shorter than this means the traffic pauses for less
 * than a wake-up costs: stay awake longer next time. */
#define ADAPTIVE_SHORT_US	200u
/* Adaptive: a sleep longer than this means the port really went idle. */
#define ADAPTIVE_LONG_MS	50u
/* Adaptive: the threshold grows to at most this many times idle_polls. */
#define ADAPTIVE_MAX_FACTOR	256u

/* Epoll data of the wake-up eventfd; rings use their index. */
#define WAKE_TAG		UINT32_MAX

struct idle_ring {
	struct vhp_port *port;
	uint16_t vring;
	bool armed;		/* kicks enabled by the last arm */
};

struct vhp_idle {
	struct vhp_idle_hot hot;	/* must stay first (vhp.h) */
	enum vhp_idle_mode mode;
	uint32_t idle_polls;
	int timeout_ms;
	uint64_t short_ns;		/* adaptive: a short sleep */
	uint64_t long_ns;		/* adaptive: a long sleep */
	int epfd;			/* -1 until first built */
	int wakefd;
	uint32_t gen;			/* vhp_kick_gen the set was built at */
	unsigned int nb_rings;
	unsigned int max_rings;
	struct idle_ring *rings;
	struct epoll_event *events;
	struct vhp_idle_stats stats;	/* written by the owner (relaxed) */
	TAILQ_ENTRY(vhp_idle) next;
};

static TAILQ_HEAD(, vhp_idle) idle_list = TAILQ_HEAD_INITIALIZER(idle_list);
static pthread_mutex_t idle_list_lock = PTHREAD_MUTEX_INITIALIZER;
/* Bumped whenever a ring starts or a kick fd changes. */
static uint32_t vhp_kick_gen;

#define IDLE_STAT_ADD(w, field, n) \
	__atomic_store_n(&(w)->stats.field, (w)->stats.field + (n), \
			 __ATOMIC_RELAXED)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
wake_fd(int fd)
{
	const uint64_t one = 1;

	/* A full eventfd counter already means "wake up". */
	if (write(fd, &one, sizeof(one)) < 0) {
		/* nothing else to do: the fd is non-blocking */
	}
}

static void
drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

void
vhp_idle_rings_changed(void)
{
	struct vhp_idle *w;

	__atomic_fetch_add(&vhp_kick_gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&idle_list_lock);
	TAILQ_FOREACH(w, &idle_list, next)
		wake_fd(w->wakefd);
	pthread_mutex_unlock(&idle_list_lock);
}

bool
vhp_idle_owns_kick(const struct vhp_port *port, uint16_t vring)
{
	return vring < VHP_MAX_VRINGS &&
		(__atomic_load_n(&port->idle_rings, __ATOMIC_RELAXED) &
		 (1u << vring)) != 0;
}

static void
mode_apply(struct vhp_idle *w)
{
	w->hot.empty = 0;
	w->hot.threshold = w->mode == VHP_IDLE_POLL ? UINT32_MAX :
		w->idle_polls;
}

struct vhp_idle *
vhp_idle_create(const struct vhp_idle_conf *conf, int socket_id)
{
	struct vhp_idle *w;

	if (conf == NULL || conf->mode > VHP_IDLE_ADAPTIVE ||
	    conf->timeout_ms < -1) {
		VHP_LOG(ERR, "idle: bad configuration (mode %d, timeout %d "
			"ms): use poll, sleep or adaptive and a timeout >= -1",
			conf != NULL ? (int)conf->mode : -1,
			conf != NULL ? conf->timeout_ms : 0);
		return NULL;
	}
	w = rte_zmalloc_socket("vhp_idle", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (w == NULL)
		return NULL;
	w->mode = conf->mode;
	w->idle_polls = conf->idle_polls != 0 ? conf->idle_polls :
		IDLE_DEFAULT_POLLS;
	w->timeout_ms = conf->timeout_ms != 0 ? conf->timeout_ms :
		IDLE_DEFAULT_TIMEOUT_MS;
	w->short_ns = (uint64_t)(conf->short_sleep_us != 0 ?
		conf->short_sleep_us : ADAPTIVE_SHORT_US) * 1000u;
	w->long_ns = (uint64_t)(conf->long_sleep_ms != 0 ?
		conf->long_sleep_ms : ADAPTIVE_LONG_MS) * 1000000u;
	w->epfd = -1;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0) {
		VHP_LOG(ERR, "idle: cannot create the wake-up eventfd (%s)",
			strerror(errno));
		rte_free(w);
		return NULL;
	}
	mode_apply(w);
	w->stats.threshold = w->hot.threshold;
	pthread_mutex_lock(&idle_list_lock);
	TAILQ_INSERT_TAIL(&idle_list, w, next);
	pthread_mutex_unlock(&idle_list_lock);
	return w;
}

/* Give a ring's kick fd back to the control thread (it counts kicks). */
static void
ring_release(struct idle_ring *r)
{
	struct vhp_port *port = r->port;
	struct vhp_virtqueue *vq;

	pthread_mutex_lock(&port->lock);
	__atomic_fetch_and(&port->idle_rings, ~(1u << r->vring),
			   __ATOMIC_RELAXED);
	vq = port->dev.vq[r->vring];
	if (vq != NULL) {
		if (r->armed && vq->translated &&
		    __atomic_load_n(&vq->ready, __ATOMIC_ACQUIRE))
			vhp_vq_set_kicks(vq, __atomic_load_n(&vq->kicks_on,
							     __ATOMIC_RELAXED));
		vhp_ctrl_watch_kick(vq);
	}
	pthread_mutex_unlock(&port->lock);
	r->armed = false;
}

void
vhp_idle_free(struct vhp_idle *w)
{
	unsigned int i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&idle_list_lock);
	TAILQ_REMOVE(&idle_list, w, next);
	pthread_mutex_unlock(&idle_list_lock);
	for (i = 0; i < w->nb_rings; i++)
		ring_release(&w->rings[i]);
	if (w->epfd >= 0)
		close(w->epfd);
	close(w->wakefd);
	free(w->rings);
	free(w->events);
	rte_free(w);
}

int
vhp_idle_add(struct vhp_idle *w, struct vhp_port *port, uint16_t vring)
{
	struct vhp_virtqueue *vq;
	uint32_t bit;

	if (w == NULL || port == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	bit = 1u << vring;
	if (w->nb_rings == w->max_rings) {
		unsigned int max = w->max_rings != 0 ? 2 * w->max_rings : 16;
		struct idle_ring *rings;
		struct epoll_event *ev;

		rings = realloc(w->rings, max * sizeof(*rings));
		if (rings == NULL)
			return -ENOMEM;
		w->rings = rings;
		ev = realloc(w->events, (max + 1) * sizeof(*ev));
		if (ev == NULL)
			return -ENOMEM;
		w->events = ev;
		w->max_rings = max;
	}
	pthread_mutex_lock(&port->lock);
	if (__atomic_load_n(&port->idle_rings, __ATOMIC_RELAXED) & bit) {
		pthread_mutex_unlock(&port->lock);
		VHP_LOG(ERR, "port %s: ring %u already has a sleeping poller: "
			"one thread polls a ring", port->name, vring);
		return -EBUSY;
	}
	__atomic_fetch_or(&port->idle_rings, bit, __ATOMIC_RELAXED);
	/* From now on the kick fd is ours to read: the control thread
	 * would take the wake-up we sleep on. */
	vq = port->dev.vq[vring];
	if (vq != NULL)
		vhp_ctrl_unwatch_kick(vq);
	pthread_mutex_unlock(&port->lock);
	w->rings[w->nb_rings++] = (struct idle_ring){
		.port = port, .vring = vring };
	w->gen = __atomic_load_n(&vhp_kick_gen, __ATOMIC_ACQUIRE) - 1;
	__atomic_store_n(&w->stats.nb_rings, w->nb_rings, __ATOMIC_RELAXED);
	return 0;
}

int
vhp_idle_remove_port(struct vhp_idle *w, const struct vhp_port *port)
{
	unsigned int i, j = 0;
	int n = 0;

	if (w == NULL || port == NULL)
		return -EINVAL;
	for (i = 0; i < w->nb_rings; i++) {
		if (w->rings[i].port == port) {
			ring_release(&w->rings[i]);
			n++;
		} else {
			w->rings[j++] = w->rings[i];
		}
	}
	w->nb_rings = j;
	w->gen = __atomic_load_n(&vhp_kick_gen, __ATOMIC_ACQUIRE) - 1;
	__atomic_store_n(&w->stats.nb_rings, w->nb_rings, __ATOMIC_RELAXED);
	return n;
}

void
vhp_idle_wake(struct vhp_idle *w)
{
	if (w != NULL)
		wake_fd(w->wakefd);
}

int
vhp_idle_mode_set(struct vhp_idle *w, enum vhp_idle_mode mode,
		  uint32_t idle_polls)
{
	if (w == NULL || mode > VHP_IDLE_ADAPTIVE)
		return -EINVAL;
	w->mode = mode;
	if (idle_polls != 0)
		w->idle_polls = idle_polls;
	mode_apply(w);
	__atomic_store_n(&w->stats.threshold, w->hot.threshold,
			 __ATOMIC_RELAXED);
	return 0;
}

/* Build a new epoll set: the wake-up fd and every current kick fd. */
static int
set_rebuild(struct vhp_idle *w)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;
	int ep;

	if (w->epfd >= 0)
		close(w->epfd);
	w->epfd = -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	ev.data.u32 = WAKE_TAG;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, w->wakefd, &ev) != 0) {
		close(ep);
		return -errno;
	}
	for (i = 0; i < w->nb_rings; i++) {
		struct idle_ring *r = &w->rings[i];
		struct vhp_virtqueue *vq;

		pthread_mutex_lock(&r->port->lock);
		vq = r->port->dev.vq[r->vring];
		if (vq != NULL && vq->kickfd >= 0) {
			ev.data.u32 = i;
			/* EEXIST: the same file twice (a front-end may pass
			 * one eventfd for several rings): once is enough. */
			if (epoll_ctl(ep, EPOLL_CTL_ADD, vq->kickfd, &ev) != 0 &&
			    errno != EEXIST)
				VHP_LOG(WARNING, "port %s: ring %u: cannot wait "
					"on its kick fd (%s): the thread will "
					"wake on timeouts only",
					r->port->name, r->vring,
					strerror(errno));
		}
		pthread_mutex_unlock(&r->port->lock);
	}
	w->epfd = ep;
	return 0;
}

/* Does the ring hold buffers the device has not read yet? */
static bool
vq_has_work(const struct vhp_virtqueue *vq)
{
	uint16_t f;

	if (!(vq->flags & VHP_VQ_F_PACKED))
		return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
			vq->last_avail_idx;
	f = __atomic_load_n(&vq->desc_packed[vq->last_avail_idx].flags,
			    __ATOMIC_ACQUIRE);
	return vq->avail_wrap == !!(f & VRING_PACKED_DESC_F_AVAIL) &&
		vq->avail_wrap != !!(f & VRING_PACKED_DESC_F_USED);
}

enum arm_result { ARM_OK, ARM_WORK, ARM_NOFD };

/*
 * Arm kicks on one ring and re-check it. A ring that is not running is
 * skipped: it will start with a control-thread wake-up.
 */
static enum arm_result
ring_arm(struct vhp_idle *w, struct idle_ring *r)
{
	struct vhp_virtqueue *vq;
	enum arm_result res = ARM_OK;

	pthread_mutex_lock(&r->port->lock);
	vq = r->port->dev.vq[r->vring];
	if (vq == NULL || !vq->translated ||
	    !__atomic_load_n(&vq->ready, __ATOMIC_ACQUIRE))
		goto out;
	if (vq->kickfd < 0) {
		/* SET_VRING_KICK with NOFD: the device must poll. */
		res = ARM_NOFD;
		goto out;
	}
	/* No drain of old kicks here (a syscall per ring per sleep): the
	 * kicks of the last sleep were read when it ended, and a stray one
	 * (EVENT_IDX kicks once a ring lap even when parked) only ends the
	 * next sleep early. */
	vhp_vq_set_kicks(vq, true);
	r->armed = true;
	if (vq_has_work(vq))
		res = ARM_WORK;
	(void)w;
out:
	pthread_mutex_unlock(&r->port->lock);
	return res;
}

static void
ring_disarm(struct vhp_idle *w, struct idle_ring *r, bool fired)
{
	struct vhp_virtqueue *vq;
	uint64_t v;

	if (!r->armed && !fired)
		return;
	pthread_mutex_lock(&r->port->lock);
	vq = r->port->dev.vq[r->vring];
	if (vq != NULL) {
		if (fired && vq->kickfd >= 0 &&
		    read(vq->kickfd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
			__atomic_store_n(&vq->kicks, vq->kicks + 1,
					 __ATOMIC_RELAXED);
			IDLE_STAT_ADD(w, kicks, 1);
		}
		if (r->armed && vq->translated &&
		    __atomic_load_n(&vq->ready, __ATOMIC_ACQUIRE))
			vhp_vq_set_kicks(vq, __atomic_load_n(&vq->kicks_on,
							     __ATOMIC_RELAXED));
	}
	pthread_mutex_unlock(&r->port->lock);
	r->armed = false;
}

static void
adapt(struct vhp_idle *w, uint64_t slept_ns, bool by_kick)
{
	uint32_t t = w->hot.threshold;
	const uint32_t max = w->idle_polls * ADAPTIVE_MAX_FACTOR;

	if (by_kick && slept_ns < w->short_ns)
		t = t >= max / 2 ? max : 2 * t;
	else if (slept_ns > w->long_ns)
		t = RTE_MAX(t / 2, w->idle_polls);
	w->hot.threshold = t;
	__atomic_store_n(&w->stats.threshold, t, __ATOMIC_RELAXED);
}

int
vhp_idle_sleep(struct vhp_idle *w)
{
	enum arm_result res = ARM_OK;
	bool by_kick = false, by_ctrl = false;
	uint64_t t0, slept;
	unsigned int i;
	uint32_t gen;
	int n, k;

	w->hot.empty = 0;
	if (w->mode == VHP_IDLE_POLL || w->nb_rings == 0)
		return 0;
	drain_fd(w->wakefd);
	gen = __atomic_load_n(&vhp_kick_gen, __ATOMIC_ACQUIRE);
	if (gen != w->gen || w->epfd < 0) {
		if (set_rebuild(w) != 0) {
			IDLE_STAT_ADD(w, errors, 1);
			return 0;
		}
		w->gen = gen;
	}
	for (i = 0; i < w->nb_rings && res == ARM_OK; i++)
		res = ring_arm(w, &w->rings[i]);
	if (res != ARM_OK) {
		for (i = 0; i < w->nb_rings; i++)
			ring_disarm(w, &w->rings[i], false);
		if (res == ARM_WORK) {
			IDLE_STAT_ADD(w, aborted, 1);
			/* Work came while arming: as a short sleep, it says
			 * the traffic pauses for less than a sleep costs. */
			if (w->mode == VHP_IDLE_ADAPTIVE)
				adapt(w, 0, true);
		} else {
			IDLE_STAT_ADD(w, no_kick_fd, 1);
		}
		return 0;
	}
	IDLE_STAT_ADD(w, sleeps, 1);
	t0 = now_ns();
	/* Control messages must not wait for a sleeping thread. */
	vhp_thread_offline();
	do {
		n = epoll_wait(w->epfd, w->events, (int)w->nb_rings + 1,
			       w->timeout_ms);
	} while (n < 0 && errno == EINTR);
	vhp_thread_online();
	slept = now_ns() - t0;
	IDLE_STAT_ADD(w, asleep_ns, slept);
	for (k = 0; k < n; k++) {
		uint32_t tag = w->events[k].data.u32;

		if (tag == WAKE_TAG) {
			by_ctrl = true;
		} else if (tag < w->nb_rings) {
			by_kick = true;
			ring_disarm(w, &w->rings[tag], true);
		}
	}
	for (i = 0; i < w->nb_rings; i++)
		ring_disarm(w, &w->rings[i], false);
	if (by_kick)
		IDLE_STAT_ADD(w, wake_kick, 1);
	else if (by_ctrl)
		IDLE_STAT_ADD(w, wake_ctrl, 1);
	else if (n == 0)
		IDLE_STAT_ADD(w, wake_timeout, 1);
	else
		IDLE_STAT_ADD(w, errors, 1);
	if (w->mode == VHP_IDLE_ADAPTIVE)
		adapt(w, slept, by_kick);
	return 1;
}

int
vhp_idle_stats_get(const struct vhp_idle *w, struct vhp_idle_stats *st)
{
	const uint64_t *src;
	uint64_t *dst;
	unsigned int i;

	if (w == NULL || st == NULL)
		return -EINVAL;
	RTE_BUILD_BUG_ON(offsetof(struct vhp_idle_stats, threshold) %
			 sizeof(uint64_t) != 0);
	src = (const uint64_t *)&w->stats;
	dst = (uint64_t *)st;
	for (i = 0; i < offsetof(struct vhp_idle_stats, threshold) /
		     sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	st->threshold = __atomic_load_n(&w->stats.threshold,
					__ATOMIC_RELAXED);
	st->nb_rings = __atomic_load_n(&w->stats.nb_rings, __ATOMIC_RELAXED);
	st->mode = w->mode;
	return 0;
}

const char *
vhp_idle_mode_name(enum vhp_idle_mode mode)
{
	switch (mode) {
	case VHP_IDLE_POLL:
		return "poll";
	case VHP_IDLE_SLEEP:
		return "sleep";
	case VHP_IDLE_ADAPTIVE:
		return "adaptive";
	}
	return NULL;
}

int
vhp_idle_mode_from_name(const char *name, enum vhp_idle_mode *mode)
{
	static const enum vhp_idle_mode all[] = {
		VHP_IDLE_POLL, VHP_IDLE_SLEEP, VHP_IDLE_ADAPTIVE };
	unsigned int i;

	for (i = 0; i < RTE_DIM(all); i++) {
		if (name != NULL && strcmp(name, vhp_idle_mode_name(all[i])) == 0) {
			*mode = all[i];
			return 0;
		}
	}
	return -EINVAL;
}
