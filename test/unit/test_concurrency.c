/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane changing a running device while a datapath thread
 * bursts: meant for ThreadSanitizer (usertools/vhp-test --tsan), and a
 * functional check in every build.
 *
 * A datapath thread (registered with vhp_thread_register(), quiescent once
 * per loop) plays the guest driver with the test/lib ring models and calls
 * vhp_dequeue_burst() / vhp_enqueue_burst() without pause; every packet
 * carries a sequence number and a pattern, checked on the other side. The
 * main thread is the front-end: over a real unix socket, with REPLY_ACK, it
 * replaces the memory table (one region <-> the same memory as two),
 * adds and removes a spare region (ADD/REM_MEM_REG), swaps call fds (new
 * eventfds, NOFD), stops and restarts rings (GET_VRING_BASE, SET_VRING_BASE
 * with the value returned, SET_VRING_KICK) and disables/enables them.
 * After each change it waits until packets move both ways again (a
 * liveness check with a generous bound, not a timing assertion). Split and
 * packed rings. A second case reads the introspection API (port, vring
 * info and counters) from the main thread while bursts run.
 *
 * Checked: no packet lost, duplicated, reordered or corrupted in either
 * direction, no guest error or broken ring counted, no protocol error,
 * GET_VRING_BASE of a stopped split ring equals the ring's used index,
 * every fd closed after the disconnect.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "guest_mem.h"
#include "guest_packed.h"
#include "guest_split.h"
#include "fe_sock.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GUEST_SIZE	(8u << 20)
#define GPA_BASE	0x40000000ull
#define SPARE_GPA	0x80000000ull
#define SPARE_SIZE	(64u << 10)
#define QSIZE		256
#define HDR_LEN		12
#define PKT_LEN		64
#define BUF_SIZE	2048
#define BURST		32
/* Changes of each kind per ring format. */
#define ROUNDS		6
/* Bound of each wait for the device to move packets again: generous,
 * ThreadSanitizer slows everything down 5-15 times. */
#define TIMEOUT_MS	30000

static const uint64_t features = VHP_BIT(VIRTIO_F_VERSION_1) |
	VHP_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |
	VHP_BIT(VIRTIO_NET_F_MRG_RXBUF);
static const uint64_t protocol_features =
	VHP_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
	VHP_BIT(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);

static char sock_path[108];
static struct rte_mempool *pool;
static int new_count, destroy_count;

static int
cb_new(struct vhp_port *port, void *ctx)
{
	(void)port;
	(void)ctx;
	__atomic_add_fetch(&new_count, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void
cb_destroy(struct vhp_port *port, void *ctx)
{
	(void)port;
	(void)ctx;
	__atomic_add_fetch(&destroy_count, 1, __ATOMIC_SEQ_CST);
}

static const struct vhp_port_ops ops = {
	.new_device = cb_new,
	.destroy_device = cb_destroy,
};

#define WAIT_FOR(cond) ({ \
	int _i; \
	for (_i = 0; _i < TIMEOUT_MS / 2 && !(cond); _i++) \
		usleep(2000); \
	(cond); \
})

/* ---- front-end: messages (test/lib/fe_sock.h) ---- */

/* SET_VRING_KICK / SET_VRING_CALL with a new eventfd (ours is closed once
 * sent: the back-end owns its copy), or NOFD. */
static int64_t
fe_vring_fd(int fd, uint32_t req, uint32_t idx, bool nofd)
{
	uint64_t v = idx | (nofd ? VHOST_USER_VRING_NOFD_MASK : 0);
	int efd = -1;
	int64_t ret;

	if (!nofd) {
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0)
			return -1;
	}
	ret = fe_req(fd, req, &v, sizeof(v), &efd, nofd ? 0 : 1);
	if (efd >= 0)
		close(efd);
	return ret;
}

/* ---- the guest ---- */

/* One ring format's guest: memory, the two rings, a spare region. */
struct guest {
	bool packed;
	struct guest_mem gm;
	struct guest_split srx, stx;	/* split: driver models */
	uint64_t rx_bufs, tx_bufs;	/* split: one buffer per descriptor */
	struct guest_packed prx, ptx;	/* packed: driver models */
	int spare_fd;			/* memfd of the spare region */
	void *spare;			/* its mapping (ADD/REM_MEM_REG) */
	bool two_regions;		/* the table sent last */
};

static uint64_t
uaddr(struct guest *g, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)guest_mem_ptr(&g->gm, gpa);
}

static int
guest_create(struct guest *g, bool packed)
{
	memset(g, 0, sizeof(*g));
	g->packed = packed;
	g->spare_fd = -1;
	if (guest_mem_create(&g->gm, GPA_BASE, GUEST_SIZE) != 0)
		return -1;
	if (packed) {
		if (gp_init(&g->prx, &g->gm, QSIZE, BUF_SIZE,
			    VHP_VQ_F_MRG_RXBUF, HDR_LEN) != 0 ||
		    gp_init(&g->ptx, &g->gm, QSIZE, BUF_SIZE,
			    VHP_VQ_F_MRG_RXBUF | VHP_VQ_F_TX, HDR_LEN) != 0)
			return -1;
	} else {
		if (guest_split_init(&g->srx, &g->gm, QSIZE,
				     VHP_VQ_F_MRG_RXBUF, HDR_LEN, 0) != 0 ||
		    guest_split_init(&g->stx, &g->gm, QSIZE,
				     VHP_VQ_F_MRG_RXBUF | VHP_VQ_F_TX,
				     HDR_LEN, 0) != 0)
			return -1;
		g->rx_bufs = guest_mem_alloc(&g->gm, QSIZE * BUF_SIZE, 64);
		g->tx_bufs = guest_mem_alloc(&g->gm, QSIZE * BUF_SIZE, 64);
		if (g->rx_bufs == 0 || g->tx_bufs == 0)
			return -1;
	}
	g->spare_fd = memfd_create("vhp-tc-spare", MFD_CLOEXEC);
	if (g->spare_fd < 0 || ftruncate(g->spare_fd, SPARE_SIZE) != 0)
		return -1;
	g->spare = mmap(NULL, SPARE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			g->spare_fd, 0);
	return g->spare == MAP_FAILED ? -1 : 0;
}

static void
guest_destroy(struct guest *g)
{
	if (g->packed) {
		gp_free(&g->prx);
		gp_free(&g->ptx);
	} else {
		guest_split_fini(&g->srx);
		guest_split_fini(&g->stx);
	}
	if (g->spare != NULL && g->spare != MAP_FAILED)
		munmap(g->spare, SPARE_SIZE);
	if (g->spare_fd >= 0)
		close(g->spare_fd);
	guest_mem_destroy(&g->gm);
}

/* Split: post one buffer of @p len bytes; the buffer of descriptor d is
 * always the d-th of @p bufs (the model's own buffers come from a bump
 * allocator that a long run would exhaust). */
static int
split_post(struct guest_split *s, uint64_t bufs, bool write,
	   const void *data, uint32_t len)
{
	struct gs_seg seg = { .gpa = bufs, .len = len };
	uint64_t gpa;
	int head;

	head = guest_split_add(s, &seg, 1, write, false);
	if (head < 0)
		return -1;
	gpa = bufs + (uint64_t)head * BUF_SIZE;
	s->desc[head].addr = gpa;
	s->priv_segs[head][0].gpa = gpa;
	if (write)
		memset(guest_mem_ptr(s->gm, gpa), 0xee, len);
	else
		memcpy(guest_mem_ptr(s->gm, gpa), data, len);
	guest_split_publish(s);
	return head;
}

static uint16_t
split_free(const struct guest_split *s)
{
	return (uint16_t)(s->free_tail - s->free_head);
}

/* A frame: sequence number, then a pattern derived from it. */
static void
frame_fill(uint8_t *p, uint32_t seq)
{
	memcpy(p, &seq, sizeof(seq));
	gp_pattern(p + sizeof(seq), PKT_LEN - sizeof(seq), seq);
}

static bool
frame_ok(const uint8_t *p, uint32_t len, uint32_t seq)
{
	uint8_t want[PKT_LEN];

	if (len != PKT_LEN)
		return false;
	frame_fill(want, seq);
	return memcmp(p, want, PKT_LEN) == 0;
}

/* ---- the datapath thread ---- */

struct dp {
	struct vhp_port *port;
	struct guest *g;
	bool stop;			/* atomic: main -> datapath */
	uint64_t moved_tx;		/* atomic: guest TX dequeued so far */
	uint64_t moved_rx;		/* atomic: guest RX received so far */
	/* Below: datapath thread only until joined. */
	uint32_t tx_seq;		/* next sequence the guest sends */
	uint32_t tx_expect;		/* next one dequeue must return */
	uint32_t rx_seq;		/* next sequence we enqueue */
	uint32_t rx_expect;		/* next one the guest must receive */
	uint64_t bad_tx, bad_rx;	/* lost, reordered or corrupt */
	uint64_t bad_guest;		/* used entries the model refused */
	uint64_t alloc_failed;
	struct rte_mbuf *pending[BURST];	/* not taken by enqueue yet */
	uint16_t npending;
	int reg;			/* vhp_thread_register() result */
};

static void
guest_post(struct dp *d)
{
	struct guest *g = d->g;
	uint8_t pkt[HDR_LEN + PKT_LEN];
	uint16_t id;

	memset(pkt, 0, HDR_LEN);
	if (g->packed) {
		while (g->ptx.num_free > QSIZE / 2) {
			frame_fill(pkt + HDR_LEN, d->tx_seq);
			if (gp_post_tx(&g->ptx, pkt + HDR_LEN, PKT_LEN, 1,
				       false, &id) != 0)
				break;
			d->tx_seq++;
		}
		while (g->prx.num_free > QSIZE / 2)
			if (gp_post_rx(&g->prx, 0, &id) != 0)
				break;
		return;
	}
	while (split_free(&g->stx) > QSIZE / 2) {
		frame_fill(pkt + HDR_LEN, d->tx_seq);
		if (split_post(&g->stx, g->tx_bufs, false, pkt,
			       sizeof(pkt)) < 0)
			break;
		d->tx_seq++;
	}
	while (split_free(&g->srx) > QSIZE / 2)
		if (split_post(&g->srx, g->rx_bufs, true, NULL, BUF_SIZE) < 0)
			break;
}

static void
guest_harvest(struct dp *d)
{
	struct guest *g = d->g;
	struct virtio_net_hdr hdr;
	uint8_t out[BUF_SIZE];
	struct gp_used u;
	uint32_t id, len;
	uint16_t nb;
	int n;

	if (g->packed) {
		while ((n = gp_get_used(&g->ptx, &u)) != 0)
			if (n < 0) {
				d->bad_guest++;
				break;
			}
		while ((n = gp_get_used(&g->prx, &u)) != 0) {
			const uint8_t *b = gp_buf(&g->prx, u.id);

			if (n < 0) {
				d->bad_guest++;
				break;
			}
			memcpy(&hdr, b, HDR_LEN);
			if (hdr.num_buffers != 1 || u.len < HDR_LEN ||
			    !frame_ok(b + HDR_LEN, u.len - HDR_LEN,
				      d->rx_expect))
				d->bad_rx++;
			d->rx_expect++;
		}
		return;
	}
	while (guest_split_used_pending(&g->stx) > 0)
		if (guest_split_get_used(&g->stx, &id, &len, NULL, 0) < 0) {
			d->bad_guest++;
			break;
		}
	while (guest_split_used_pending(&g->srx) > 0) {
		n = guest_split_rx_packet(&g->srx, &hdr, &nb, out,
					  sizeof(out));
		if (n < 0 || nb != 1 || !frame_ok(out, (uint32_t)n,
						  d->rx_expect))
			d->bad_rx++;
		d->rx_expect++;
	}
}

static uint16_t
dp_dequeue(struct dp *d)
{
	struct rte_mbuf *m[BURST];
	uint16_t n, i;

	n = vhp_dequeue_burst(d->port, 0, pool, m, BURST);
	for (i = 0; i < n; i++) {
		if (m[i]->nb_segs != 1 ||
		    !frame_ok(rte_pktmbuf_mtod(m[i], const uint8_t *),
			      m[i]->pkt_len, d->tx_expect))
			d->bad_tx++;
		d->tx_expect++;
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

static uint16_t
dp_enqueue(struct dp *d)
{
	struct rte_mbuf *m;
	uint16_t n;
	char *p;

	while (d->npending < BURST) {
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL) {
			d->alloc_failed++;
			break;
		}
		p = rte_pktmbuf_append(m, PKT_LEN);
		frame_fill((uint8_t *)p, d->rx_seq++);
		d->pending[d->npending++] = m;
	}
	/* The library frees what it takes; the rest stays ours, in order. */
	n = vhp_enqueue_burst(d->port, 0, d->pending, d->npending);
	memmove(d->pending, d->pending + n,
		(d->npending - n) * sizeof(d->pending[0]));
	d->npending = (uint16_t)(d->npending - n);
	return n;
}

static void *
dp_thread(void *arg)
{
	struct dp *d = arg;
	uint16_t ntx, nrx;

	d->reg = vhp_thread_register();
	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		guest_post(d);
		ntx = dp_dequeue(d);
		nrx = dp_enqueue(d);
		guest_harvest(d);
		vhp_thread_quiescent();
		if (ntx > 0)
			__atomic_store_n(&d->moved_tx, d->tx_expect,
					 __ATOMIC_RELEASE);
		if (nrx > 0)
			__atomic_store_n(&d->moved_rx, d->rx_expect,
					 __ATOMIC_RELEASE);
		if (ntx == 0 && nrx == 0)
			sched_yield();	/* CPUs are shared */
	}
	vhp_thread_offline();
	vhp_thread_unregister();
	rte_pktmbuf_free_bulk(d->pending, d->npending);
	d->npending = 0;
	return NULL;
}

/* Packets move both ways again: each counter grows by more than a ring. */
static bool
dp_moves(struct dp *d)
{
	uint64_t tx = __atomic_load_n(&d->moved_tx, __ATOMIC_ACQUIRE);
	uint64_t rx = __atomic_load_n(&d->moved_rx, __ATOMIC_ACQUIRE);

	return WAIT_FOR(__atomic_load_n(&d->moved_tx, __ATOMIC_ACQUIRE) >
			tx + QSIZE &&
			__atomic_load_n(&d->moved_rx, __ATOMIC_ACQUIRE) >
			rx + QSIZE);
}

/* ---- front-end: set-up and changes ---- */

static int64_t
send_table(int fd, struct guest *g, bool two)
{
	struct vhost_user_memory m;
	int fds[2] = { g->gm.fd, g->gm.fd };
	uint64_t half = GUEST_SIZE / 2;

	memset(&m, 0, sizeof(m));
	m.nregions = two ? 2 : 1;
	m.regions[0].guest_phys_addr = GPA_BASE;
	m.regions[0].memory_size = two ? half : GUEST_SIZE;
	m.regions[0].userspace_addr = uaddr(g, GPA_BASE);
	m.regions[0].mmap_offset = 0;
	if (two) {
		m.regions[1].guest_phys_addr = GPA_BASE + half;
		m.regions[1].memory_size = half;
		m.regions[1].userspace_addr = uaddr(g, GPA_BASE + half);
		m.regions[1].mmap_offset = half;
	}
	g->two_regions = two;
	return fe_req(fd, VHOST_USER_SET_MEM_TABLE, &m,
		      8 + m.nregions * sizeof(m.regions[0]), fds, m.nregions);
}

static struct vhost_vring_addr
ring_addr(struct guest *g, uint32_t i)
{
	struct vhost_vring_addr a = { .index = i };

	if (g->packed) {
		struct guest_packed *p = i == 0 ? &g->prx : &g->ptx;

		a.desc_user_addr = uaddr(g, p->desc_gpa);
		a.avail_user_addr = uaddr(g, p->driver_event_gpa);
		a.used_user_addr = uaddr(g, p->device_event_gpa);
	} else {
		struct guest_split *s = i == 0 ? &g->srx : &g->stx;

		a.desc_user_addr = uaddr(g, s->desc_gpa);
		a.avail_user_addr = uaddr(g, s->avail_gpa);
		a.used_user_addr = uaddr(g, s->used_gpa);
	}
	return a;
}

/* Connect and bring the device up: both rings, base 0. */
static int
fe_bring_up(struct vhp_port *port, struct guest *g)
{
	uint64_t feat = features | (g->packed ?
				    VHP_BIT(VIRTIO_F_RING_PACKED) : 0);
	struct vhp_port_info info;
	uint64_t pf = protocol_features;
	struct vhost_vring_addr a;
	int fd, n = __atomic_load_n(&new_count, __ATOMIC_SEQ_CST);
	uint32_t i;

	fd = fe_connect(sock_path);
	if (fd < 0)
		return -1;
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_FEATURES) & (int64_t)feat,
		 (int64_t)feat);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_PROTOCOL_FEATURES) &
		 (int64_t)pf, (int64_t)pf);
	CHECK_EQ(fe_send(fd, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &pf, 8,
			 NULL, 0), 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0), 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_FEATURES, &feat, 8, NULL, 0), 0);
	CHECK_EQ(send_table(fd, g, false), 0);
	for (i = 0; i < 2; i++) {
		a = ring_addr(g, i);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, i, QSIZE), 0);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, i,
				  g->packed ? 0x8000 : 0), 0);
		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a),
				NULL, 0), 0);
		CHECK_EQ(fe_vring_fd(fd, VHOST_USER_SET_VRING_CALL, i, false),
			 0);
		CHECK_EQ(fe_vring_fd(fd, VHOST_USER_SET_VRING_KICK, i, false),
			 0);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, i, 1), 0);
	}
	CHECK(WAIT_FOR(__atomic_load_n(&new_count, __ATOMIC_SEQ_CST) > n));
	vhp_port_info_get(port, &info);
	CHECK(info.running);
	return fd;
}

/* Memory table: one region <-> the same memory as two (always a change). */
static void
change_mem_table(int fd, struct guest *g)
{
	CHECK_EQ(send_table(fd, g, !g->two_regions), 0);
}

static void
change_add_rem(int fd, struct guest *g, struct dp *d)
{
	struct vhost_user_single_mem sm;

	memset(&sm, 0, sizeof(sm));
	sm.region.guest_phys_addr = SPARE_GPA;
	sm.region.memory_size = SPARE_SIZE;
	sm.region.userspace_addr = (uint64_t)(uintptr_t)g->spare;
	CHECK_EQ(fe_req(fd, VHOST_USER_ADD_MEM_REG, &sm, sizeof(sm),
			&g->spare_fd, 1), 0);
	CHECK(dp_moves(d));		/* bursts with the region mapped */
	CHECK_EQ(fe_req(fd, VHOST_USER_REM_MEM_REG, &sm, sizeof(sm), NULL,
			0), 0);
}

static void
change_call(int fd, uint32_t ring, bool nofd)
{
	CHECK_EQ(fe_vring_fd(fd, VHOST_USER_SET_VRING_CALL, ring, nofd), 0);
}

/* GET_VRING_BASE (stops the ring and the device), then start it again at
 * the position returned: SET_VRING_BASE, SET_VRING_KICK. */
static void
change_base(int fd, struct guest *g, uint32_t ring)
{
	struct vhost_vring_state st = { .index = ring, .num = 0 };

	CHECK_EQ(fe_send(fd, VHOST_USER_GET_VRING_BASE, 0, &st, sizeof(st),
			 NULL, 0), 0);
	{
		struct vhost_user_hdr h;

		CHECK_EQ(fe_recv(fd, &h, &st, sizeof(st)), (int)sizeof(st));
		CHECK_EQ(h.request, VHOST_USER_GET_VRING_BASE);
	}
	CHECK_EQ(st.index, ring);
	if (!g->packed) {
		/* Stopped: nothing in flight, the ring agrees. */
		struct guest_split *s = ring == 0 ? &g->srx : &g->stx;

		CHECK_EQ(st.num, __atomic_load_n(&s->used->idx,
						 __ATOMIC_ACQUIRE));
	} else {
		/* Avail and used halves equal once stopped. */
		CHECK_EQ(st.num & 0xffff, st.num >> 16);
	}
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, ring, st.num), 0);
	CHECK_EQ(fe_vring_fd(fd, VHOST_USER_SET_VRING_KICK, ring, false), 0);
}

static void
change_enable(int fd, uint32_t ring)
{
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, ring, 0), 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, ring, 1), 0);
}

static struct vhp_port *
make_port(const char *name)
{
	struct vhp_port_conf conf = {
		.path = sock_path, .queue_pairs = 1, .ops = &ops,
		.name = name,
	};

	return vhp_port_create(&conf);
}

/* Counters of both rings: no guest error, nothing broken. */
static void
check_rings(struct vhp_port *port)
{
	struct vhp_vring_stats vs;
	uint16_t i;

	for (i = 0; i < 2; i++) {
		CHECK_EQ(vhp_vring_stats_get(port, i, &vs), 0);
		CHECK(vs.packets > 0);
		CHECK_EQ(vs.errors, 0);
		CHECK_EQ(vs.broken, 0);
		CHECK_EQ(vs.dropped, 0);
		CHECK_EQ(vs.alloc_failed, 0);
	}
}

static void
check_dp(const struct dp *d)
{
	CHECK_EQ(d->reg, 0);
	CHECK_EQ(d->bad_tx, 0);
	CHECK_EQ(d->bad_rx, 0);
	CHECK_EQ(d->bad_guest, 0);
	CHECK_EQ(d->alloc_failed, 0);
	CHECK(d->tx_expect > 0 && d->rx_expect > 0);
}

/* Start the datapath thread on a running device; false on failure. */
static bool
dp_start(struct dp *d, pthread_t *t, struct vhp_port *port, struct guest *g)
{
	memset(d, 0, sizeof(*d));
	d->port = port;
	d->g = g;
	if (pthread_create(t, NULL, dp_thread, d) != 0) {
		CHECK(false);
		return false;
	}
	return true;
}

static void
dp_stop(struct dp *d, pthread_t t)
{
	__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
}

static void
run_changes(bool packed)
{
	struct vhp_port *port;
	struct vhp_port_info info;
	struct guest g;
	struct dp d;
	pthread_t t;
	int fd, fds0, r, k;

	fds0 = vhp_test_count_fds();
	port = make_port(packed ? "conc-packed" : "conc-split");
	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g, packed), 0);
	fd = fe_bring_up(port, &g);
	CHECK(fd >= 0);
	if (fd < 0 || !dp_start(&d, &t, port, &g)) {
		vhp_port_destroy(port);
		guest_destroy(&g);
		return;
	}
	CHECK(dp_moves(&d));
	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < 5; k++) {
			switch (k) {
			case 0:
				change_mem_table(fd, &g);
				break;
			case 1:
				change_add_rem(fd, &g, &d);
				break;
			case 2:
				change_call(fd, (uint32_t)r & 1, r % 3 == 2);
				break;
			case 3:
				change_base(fd, &g, (uint32_t)r & 1);
				break;
			default:
				change_enable(fd, (uint32_t)(r + 1) & 1);
				break;
			}
			if (!dp_moves(&d)) {
				fprintf(stderr, "  %s: no traffic after change "
					"%d of round %d\n", packed ? "packed" :
					"split", k, r);
				CHECK(false);
				r = ROUNDS;
				break;
			}
		}
	}
	dp_stop(&d, t);
	check_dp(&d);
	check_rings(port);
	vhp_port_info_get(port, &info);
	CHECK(info.running);
	CHECK_EQ(info.errors, 0);
	CHECK_EQ(info.mem_regions, g.two_regions ? 2 : 1);

	close(fd);
	CHECK(WAIT_FOR(vhp_port_info_get(port, &info) == 0 &&
		       !info.connected));
	vhp_port_destroy(port);
	guest_destroy(&g);
	CHECK_EQ(vhp_test_count_fds(), fds0);
}

static void
test_changes_split(void)
{
	run_changes(false);
}

static void
test_changes_packed(void)
{
	run_changes(true);
}

/*
 * The introspection API from another thread while bursts run (an
 * application's statistics thread): port and vring snapshots, counters.
 */
static void
test_introspection_while_bursts(void)
{
	struct vhp_port *port = make_port("conc-info");
	struct vhp_vring_stats vs;
	struct vhp_vring_info vi;
	struct vhp_port_info info;
	uint64_t last = 0;
	struct guest g;
	struct dp d;
	pthread_t t;
	int fd, i;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g, false), 0);
	fd = fe_bring_up(port, &g);
	CHECK(fd >= 0);
	if (fd < 0 || !dp_start(&d, &t, port, &g)) {
		vhp_port_destroy(port);
		guest_destroy(&g);
		return;
	}
	CHECK(dp_moves(&d));
	for (i = 0; i < 200; i++) {
		CHECK_EQ(vhp_port_info_get(port, &info), 0);
		CHECK_EQ(vhp_vring_info_get(port, (uint16_t)(i & 1), &vi), 0);
		CHECK_EQ(vhp_vring_stats_get(port, 1, &vs), 0);
		CHECK(vs.packets >= last);	/* monotonic */
		last = vs.packets;
		usleep(500);
	}
	CHECK(dp_moves(&d));
	dp_stop(&d, t);
	check_dp(&d);
	check_rings(port);
	close(fd);
	CHECK(WAIT_FOR(vhp_port_info_get(port, &info) == 0 &&
		       !info.connected));
	vhp_port_destroy(port);
	guest_destroy(&g);
}

int
main(void)
{
	vhp_test_eal_init("test_concurrency");
	snprintf(sock_path, sizeof(sock_path), "/tmp/vhp-tc-%d.sock",
		 (int)getpid());
	pool = rte_pktmbuf_pool_create("tc_pool", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	CHECK(pool != NULL);
	if (pool == NULL)
		return vhp_test_summary();
	RUN_TEST(test_changes_split);
	RUN_TEST(test_changes_packed);
	RUN_TEST(test_introspection_while_bursts);
	rte_mempool_free(pool);
	unlink(sock_path);
	return vhp_test_summary();
}
