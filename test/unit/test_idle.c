/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle pollers (vhp_idle_*): a datapath thread that sleeps on the guest's
 * kick fd when its ring is empty, against the test/lib ring models.
 *
 * A port with one queue pair is assembled by hand around the model's
 * back-end vring (vring 1, the guest's TX ring) and an eventfd as kick fd.
 * A datapath thread dequeues and calls vhp_idle_loop_end(); the main thread
 * plays the guest driver: it posts a packet and kicks when the ring asks
 * for kicks, exactly as virtio drivers decide (NO_NOTIFY, avail_event with
 * EVENT_IDX, the packed device event area).
 *
 * Checked: the thread sleeps after the empty loops, with kicks armed
 * (split with and without EVENT_IDX, packed); a kick wakes it and the
 * packet is received; kicks are suppressed again after the wake-up; a
 * buffer published without a kick before the sleep is found by the
 * re-check (the sleep is given up); the control thread's wake-up
 * (vhp_idle_rings_changed) and vhp_idle_wake() end a sleep; a grace period
 * does not wait for a sleeping thread; a ring without kick fd is never
 * slept on; the timeout ends a sleep; adaptive mode raises its threshold
 * after short sleeps. Waits are liveness bounds, not timing assertions.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_packed.h"
#include "guest_split.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(8u << 20)
#define QSIZE		256
#define HDR_LEN		12
#define PKT_LEN		64
#define TIMEOUT_MS	20000

static struct rte_mempool *pool;

#define WAIT_FOR(cond) ({ \
	int _i; \
	for (_i = 0; _i < TIMEOUT_MS / 2 && !(cond); _i++) \
		usleep(2000); \
	(cond); \
})

struct env {
	bool packed;
	struct guest_mem gm;
	struct guest_split gs;
	struct guest_packed gp;
	struct vhp_virtqueue *vq;
	struct vhp_port port;
	struct vhp_idle *idle;
	pthread_t thread;
	uint32_t stop;
	uint64_t received;
	uint32_t seq;
};

static void
env_setup(struct env *e, bool packed, uint16_t extra_flags,
	  const struct vhp_idle_conf *conf)
{
	memset(e, 0, sizeof(*e));
	e->packed = packed;
	if (guest_mem_create(&e->gm, GPA_BASE, MEM_SIZE) != 0)
		abort();
	if (packed) {
		if (gp_init(&e->gp, &e->gm, QSIZE, 2048,
			    VHP_VQ_F_TX | extra_flags, HDR_LEN) != 0)
			abort();
		e->vq = e->gp.vq;
	} else {
		if (guest_split_init(&e->gs, &e->gm, QSIZE,
				     VHP_VQ_F_TX | extra_flags, HDR_LEN, 0) != 0)
			abort();
		e->vq = e->gs.vq;
	}
	pthread_mutex_init(&e->port.lock, NULL);
	snprintf(e->port.name, sizeof(e->port.name), "idle-test");
	e->port.dev.port = &e->port;
	e->port.dev.vq[1] = e->vq;
	e->vq->dev = &e->port.dev;
	e->vq->index = 1;
	e->vq->translated = true;
	e->vq->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->vq->kickfd < 0)
		abort();
	vhp_vq_suppress_kicks(e->vq);	/* as a ring starts */
	e->idle = vhp_idle_create(conf, SOCKET_ID_ANY);
	CHECK(e->idle != NULL);
	CHECK_EQ(vhp_idle_add(e->idle, &e->port, 1), 0);
	CHECK_EQ(vhp_idle_add(e->idle, &e->port, 1), -EBUSY);
}

static void
env_teardown(struct env *e)
{
	int kickfd = e->vq->kickfd;

	vhp_idle_free(e->idle);
	CHECK_EQ(e->port.idle_rings, 0);
	e->port.dev.vq[1] = NULL;
	if (e->packed)
		gp_free(&e->gp);
	else
		guest_split_fini(&e->gs);
	if (kickfd >= 0)
		close(kickfd);
	guest_mem_destroy(&e->gm);
	pthread_mutex_destroy(&e->port.lock);
}

/* Does the ring ask the driver to kick after publishing a buffer? The
 * decision a virtio driver makes (virtio 1.2, 2.7.10 and 2.8.10). */
static bool
ring_wants_kick(const struct env *e, uint16_t new_avail)
{
	const struct vhp_virtqueue *vq = e->vq;

	if (e->packed)
		return __atomic_load_n(&vq->device_event->flags,
				       __ATOMIC_ACQUIRE) !=
			VRING_EVENT_F_DISABLE;
	if (vq->flags & VHP_VQ_F_EVENT_IDX) {
		uint16_t ev = __atomic_load_n(
			(const uint16_t *)&vq->used->ring[vq->size],
			__ATOMIC_ACQUIRE);

		return vring_need_event(ev, new_avail,
					(uint16_t)(new_avail - 1));
	}
	return !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
		 VRING_USED_F_NO_NOTIFY);
}

static bool
kicks_armed(const struct env *e)
{
	return ring_wants_kick(e, (uint16_t)(e->vq->last_avail_idx + 1));
}

/* The guest sends one packet; kicks when the ring asks. @return kicked */
static bool
guest_send(struct env *e, bool may_kick)
{
	uint8_t data[PKT_LEN];
	const uint64_t one = 1;
	uint16_t id;
	int ret;

	memset(data, (int)(e->seq++ & 0xff), sizeof(data));
	if (e->packed)
		ret = gp_post_tx(&e->gp, data, sizeof(data), 1, false, &id);
	else
		ret = guest_split_post_tx(&e->gs, data, sizeof(data), NULL, 1,
					  false);
	CHECK(ret >= 0);
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!may_kick || !ring_wants_kick(e, e->packed ? 0 :
					  e->gs.avail_idx))
		return false;
	CHECK(write(e->vq->kickfd, &one, sizeof(one)) == sizeof(one));
	return true;
}

static void *
dp_thread(void *arg)
{
	struct env *e = arg;
	struct rte_mbuf *pkts[32];
	uint16_t n;

	if (vhp_thread_register() != 0)
		abort();
	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
		n = vhp_dequeue_burst(&e->port, 0, pool, pkts, 32);
		if (n != 0) {
			rte_pktmbuf_free_bulk(pkts, n);
			__atomic_add_fetch(&e->received, n, __ATOMIC_RELEASE);
		}
		vhp_thread_quiescent();
		vhp_idle_loop_end(e->idle, n);
	}
	vhp_thread_offline();
	vhp_thread_unregister();
	return NULL;
}

static void
thread_start(struct env *e)
{
	e->stop = 0;
	if (pthread_create(&e->thread, NULL, dp_thread, e) != 0)
		abort();
}

static void
thread_stop(struct env *e)
{
	__atomic_store_n(&e->stop, 1, __ATOMIC_RELEASE);
	vhp_idle_wake(e->idle);
	pthread_join(e->thread, NULL);
}

static struct vhp_idle_stats
stats(const struct env *e)
{
	struct vhp_idle_stats st;

	memset(&st, 0, sizeof(st));
	CHECK_EQ(vhp_idle_stats_get(e->idle, &st), 0);
	return st;
}

/* The thread sleeps now (a sleep not yet ended), with kicks armed. */
static bool
asleep(const struct env *e)
{
	struct vhp_idle_stats st = stats(e);

	return st.sleeps > st.wake_kick + st.wake_timeout + st.wake_ctrl +
		st.errors && kicks_armed(e);
}

/* Wait until the thread sleeps, kick, wait for the packet. */
static void
kick_once(struct env *e)
{
	uint64_t before = __atomic_load_n(&e->received, __ATOMIC_ACQUIRE);

	CHECK(WAIT_FOR(asleep(e)));
	CHECK(guest_send(e, true));
	CHECK(WAIT_FOR(__atomic_load_n(&e->received, __ATOMIC_ACQUIRE) ==
		       before + 1));
}

/* Sleep, wake by kick, receive; N rounds. */
static void
kick_rounds(struct env *e, unsigned int rounds)
{
	struct vhp_idle_stats st;
	unsigned int i;

	thread_start(e);
	for (i = 0; i < rounds; i++)
		kick_once(e);
	thread_stop(e);
	/* Stopped after a wake-up: kicks are off again. */
	CHECK(!kicks_armed(e));
	st = stats(e);
	CHECK(st.wake_kick >= rounds);
	CHECK(st.kicks >= rounds);
	CHECK_EQ(st.errors, 0);
	CHECK_EQ(st.no_kick_fd, 0);
	CHECK_EQ(__atomic_load_n(&e->vq->kicks, __ATOMIC_RELAXED), st.kicks);
}

static void
run_kick_case(bool packed, uint16_t flags)
{
	const struct vhp_idle_conf conf = {
		.mode = VHP_IDLE_SLEEP, .idle_polls = 64, .timeout_ms = -1 };
	struct env e;

	env_setup(&e, packed, flags, &conf);
	kick_rounds(&e, 5);
	CHECK_EQ(e.received, 5);
	env_teardown(&e);
}

static void
test_split_kick(void)
{
	run_kick_case(false, 0);
}

static void
test_split_event_idx_kick(void)
{
	run_kick_case(false, VHP_VQ_F_EVENT_IDX);
}

static void
test_packed_kick(void)
{
	run_kick_case(true, 0);
}

/* A buffer published without a kick (before the ring was armed) is found
 * by the re-check: no sleep, and it is received. */
static void
test_recheck(void)
{
	const struct vhp_idle_conf conf = {
		.mode = VHP_IDLE_SLEEP, .idle_polls = 1, .timeout_ms = 5000 };
	bool packed;

	for (packed = false; ; packed = true) {
		struct env e;
		struct vhp_idle_stats st;
		struct rte_mbuf *m[4];

		env_setup(&e, packed, 0, &conf);
		CHECK_EQ(vhp_thread_register(), 0);
		CHECK(!guest_send(&e, false));
		CHECK_EQ(vhp_idle_sleep(e.idle), 0);
		st = stats(&e);
		CHECK_EQ(st.aborted, 1);
		CHECK_EQ(st.sleeps, 0);
		CHECK(!kicks_armed(&e));	/* disarmed again */
		CHECK_EQ(vhp_dequeue_burst(&e.port, 0, pool, m, 4), 1);
		rte_pktmbuf_free(m[0]);
		vhp_thread_offline();
		vhp_thread_unregister();
		env_teardown(&e);
		if (packed)
			break;
	}
}

/* Wake-ups that are not kicks, grace periods while asleep. */
static void
test_wake_sources(void)
{
	const struct vhp_idle_conf conf = {
		.mode = VHP_IDLE_SLEEP, .idle_polls = 16, .timeout_ms = -1 };
	struct vhp_idle_stats st;
	struct env e;

	env_setup(&e, false, 0, &conf);
	thread_start(&e);
	CHECK(WAIT_FOR(asleep(&e)));
	/* A grace period must not wait for the sleeping thread. */
	vhp_thread_synchronize();
	/* The control thread: a ring started somewhere. */
	vhp_idle_rings_changed();
	CHECK(WAIT_FOR(stats(&e).wake_ctrl >= 1));
	CHECK(WAIT_FOR(asleep(&e)));
	/* A new kick fd: the set is rebuilt, the new fd wakes it. */
	pthread_mutex_lock(&e.port.lock);
	close(e.vq->kickfd);
	e.vq->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_unlock(&e.port.lock);
	vhp_idle_rings_changed();
	CHECK(WAIT_FOR(stats(&e).wake_ctrl >= 2));
	CHECK(WAIT_FOR(asleep(&e)));
	CHECK(guest_send(&e, true));
	CHECK(WAIT_FOR(__atomic_load_n(&e.received, __ATOMIC_ACQUIRE) == 1));
	thread_stop(&e);	/* vhp_idle_wake() */
	st = stats(&e);
	CHECK(st.wake_ctrl >= 2);
	CHECK(st.wake_kick >= 1);
	CHECK_EQ(st.wake_timeout, 0);
	env_teardown(&e);
}

/* A ring without kick fd (NOFD: the device must poll) is never slept on;
 * the timeout ends a sleep. */
static void
test_nofd_and_timeout(void)
{
	const struct vhp_idle_conf conf = {
		.mode = VHP_IDLE_SLEEP, .idle_polls = 1, .timeout_ms = 10 };
	struct vhp_idle_stats st;
	struct env e;
	int kickfd;

	env_setup(&e, false, 0, &conf);
	CHECK_EQ(vhp_thread_register(), 0);
	CHECK_EQ(vhp_idle_sleep(e.idle), 1);
	st = stats(&e);
	CHECK_EQ(st.wake_timeout, 1);
	CHECK(st.asleep_ns > 0);
	kickfd = e.vq->kickfd;
	e.vq->kickfd = -1;
	CHECK_EQ(vhp_idle_sleep(e.idle), 0);
	CHECK_EQ(stats(&e).no_kick_fd, 1);
	CHECK(!kicks_armed(&e));
	e.vq->kickfd = kickfd;
	/* A ring that is not running is skipped, not waited on. */
	__atomic_store_n(&e.vq->ready, 0, __ATOMIC_RELEASE);
	CHECK_EQ(vhp_idle_sleep(e.idle), 1);
	CHECK_EQ(stats(&e).wake_timeout, 2);
	__atomic_store_n(&e.vq->ready, 1, __ATOMIC_RELEASE);
	/* Poll mode never sleeps. */
	CHECK_EQ(vhp_idle_mode_set(e.idle, VHP_IDLE_POLL, 0), 0);
	CHECK_EQ(stats(&e).threshold, UINT32_MAX);
	CHECK_EQ(vhp_idle_sleep(e.idle), 0);
	vhp_thread_offline();
	vhp_thread_unregister();
	env_teardown(&e);
}

/*
 * Adaptive: every sleep a kick ends within short_sleep_us doubles the
 * threshold (here every kick-ended sleep is "short": 60 s), a sleep over
 * long_sleep_ms halves it, never below idle_polls.
 */
static void
test_adaptive(void)
{
	const struct vhp_idle_conf conf = {
		.mode = VHP_IDLE_ADAPTIVE, .idle_polls = 8, .timeout_ms = 30,
		.short_sleep_us = 60u * 1000 * 1000, .long_sleep_ms = 20 };
	struct env e;

	env_setup(&e, false, 0, &conf);
	CHECK_EQ(stats(&e).threshold, 8);
	thread_start(&e);
	kick_once(&e);
	kick_once(&e);
	kick_once(&e);
	CHECK_EQ(stats(&e).threshold, 64);
	/* Idle: timeouts (30 ms > 20 ms) halve it back to idle_polls. */
	CHECK(WAIT_FOR(stats(&e).threshold == 8));
	thread_stop(&e);
	CHECK(stats(&e).wake_timeout >= 3);
	env_teardown(&e);
}

static void
test_api_errors(void)
{
	struct vhp_idle_conf bad = { .mode = (enum vhp_idle_mode)7 };
	enum vhp_idle_mode m;

	CHECK(vhp_idle_create(&bad, SOCKET_ID_ANY) == NULL);
	CHECK(vhp_idle_create(NULL, SOCKET_ID_ANY) == NULL);
	CHECK_EQ(vhp_idle_add(NULL, NULL, 0), -EINVAL);
	CHECK_EQ(vhp_idle_mode_from_name("adaptive", &m), 0);
	CHECK_EQ(m, VHP_IDLE_ADAPTIVE);
	CHECK_EQ(vhp_idle_mode_from_name("nap", &m), -EINVAL);
	CHECK(strcmp(vhp_idle_mode_name(VHP_IDLE_SLEEP), "sleep") == 0);
	vhp_idle_wake(NULL);
	vhp_idle_free(NULL);
}

int
main(void)
{
	int fds;

	if (vhp_test_eal_init("test_idle") != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("idle_pool", 1024, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	fds = vhp_test_count_fds();
	RUN_TEST(test_api_errors);
	RUN_TEST(test_split_kick);
	RUN_TEST(test_split_event_idx_kick);
	RUN_TEST(test_packed_kick);
	RUN_TEST(test_recheck);
	RUN_TEST(test_wake_sources);
	RUN_TEST(test_nofd_and_timeout);
	RUN_TEST(test_adaptive);
	CHECK_EQ(vhp_test_count_fds(), fds);
	return vhp_test_summary();
}
