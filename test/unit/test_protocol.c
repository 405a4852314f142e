/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user control plane driven through real unix sockets by a test
 * front-end written here: happy-path negotiation up to new_device, kick
 * counting, GET_VRING_BASE, replay, reconnects; every kind of bad input
 * (each must get an error reply with REPLY_ACK or a closed connection, be
 * counted, leak no fd, and leave the port serving the next connection);
 * server path rules and client mode with reconnects.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "fe_sock.h"
#include "test_common.h"
#include "vhp_internal.h"

#define GUEST_SIZE	(2u << 20)
#define GPA_BASE	0x40000000ull
#define QSIZE		256
#define TIMEOUT_MS	5000

static int new_count, destroy_count, state_count;
static char sock_path[108];

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

static void
cb_state(struct vhp_port *port, uint16_t vring, bool en, void *ctx)
{
	(void)port;
	(void)vring;
	(void)en;
	(void)ctx;
	__atomic_add_fetch(&state_count, 1, __ATOMIC_SEQ_CST);
}

static const struct vhp_port_ops test_ops = {
	.new_device = cb_new,
	.destroy_device = cb_destroy,
	.vring_state_changed = cb_state,
};

#define WAIT_FOR(cond) ({ \
	int _i; \
	for (_i = 0; _i < TIMEOUT_MS / 10 && !(cond); _i++) \
		usleep(10000); \
	(cond); \
})

static uint64_t
port_errors(struct vhp_port *p)
{
	struct vhp_port_info info;

	vhp_port_info_get(p, &info);
	return info.errors;
}

static struct vhp_port_info
pinfo(struct vhp_port *p)
{
	struct vhp_port_info info;

	vhp_port_info_get(p, &info);
	return info;
}

/* ---- test guest ---- */

struct fe_guest {
	int memfd;
	uint8_t *front;		/* front-end mapping: uaddr space */
	int kick[2];
	int call[2];
};

static int
guest_create(struct fe_guest *g)
{
	unsigned int i;

	g->memfd = memfd_create("vhp-fe-guest", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, GUEST_SIZE) != 0)
		return -1;
	g->front = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			g->memfd, 0);
	if (g->front == MAP_FAILED)
		return -1;
	for (i = 0; i < 2; i++) {
		g->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		g->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	return 0;
}

static void
guest_destroy(struct fe_guest *g)
{
	unsigned int i;

	munmap(g->front, GUEST_SIZE);
	close(g->memfd);
	for (i = 0; i < 2; i++) {
		close(g->kick[i]);
		close(g->call[i]);
	}
}

static uint64_t
uaddr(struct fe_guest *g, uint64_t off)
{
	return (uint64_t)(uintptr_t)(g->front + off);
}

static struct vhost_user_mem_region
guest_region(struct fe_guest *g)
{
	struct vhost_user_mem_region r = {
		.guest_phys_addr = GPA_BASE, .memory_size = GUEST_SIZE,
		.userspace_addr = uaddr(g, 0), .mmap_offset = 0,
	};
	return r;
}

static int64_t
send_mem_table(int fd, const struct vhost_user_mem_region *regs,
	       uint32_t n, const int *fds, unsigned int nfds)
{
	struct vhost_user_memory m;

	memset(&m, 0, sizeof(m));
	m.nregions = n;
	memcpy(m.regions, regs, RTE_MIN(n, 8u) * sizeof(regs[0]));
	return fe_req(fd, VHOST_USER_SET_MEM_TABLE, &m,
		      8 + RTE_MIN(n, 8u) * sizeof(regs[0]), fds, nfds);
}

/* Split ring i: desc at 0x10000 * (i + 1), avail +0x1000, used +0x2000. */
static struct vhost_vring_addr
ring_addr(struct fe_guest *g, uint32_t i)
{
	uint64_t base = 0x10000ull * (i + 1);
	struct vhost_vring_addr a = {
		.index = i,
		.desc_user_addr = uaddr(g, base),
		.avail_user_addr = uaddr(g, base + 0x1000),
		.used_user_addr = uaddr(g, base + 0x2000),
	};
	return a;
}

static struct vring_used *
ring_used(struct fe_guest *g, uint32_t i)
{
	return (struct vring_used *)(g->front + 0x10000ull * (i + 1) + 0x2000);
}

static struct vhp_port *
make_server(const char *name, uint16_t qp)
{
	struct vhp_port_conf conf = {
		.path = sock_path, .queue_pairs = qp, .ops = &test_ops,
		.name = name,
	};

	return vhp_port_create(&conf);
}

/* Protocol features with REPLY_ACK, owner, features. */
static void
negotiate_basic(int fd, uint64_t features)
{
	int64_t pf = fe_get_u64(fd, VHOST_USER_GET_PROTOCOL_FEATURES);

	CHECK_EQ(pf, VHP_PROTOCOL_FEATURES);
	CHECK_EQ(fe_send(fd, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &pf, 8,
			 NULL, 0), 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0), 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_FEATURES, features), 0);
}

/* Set ring @p i up with SET_VRING_BASE @p base while the split ring's
 * used->idx in guest memory says @p used. */
static void
setup_ring_used(int fd, struct fe_guest *g, uint32_t i, uint32_t base,
		uint16_t used)
{
	struct vhost_vring_addr a = ring_addr(g, i);
	uint64_t v = i;

	ring_used(g, i)->idx = used;
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, i, QSIZE), 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, i, base), 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0),
		 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8, &g->call[i], 1),
		 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_KICK, &v, 8, &g->kick[i], 1),
		 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, i, 1), 0);
}

/* A driver resuming at @p base has had that many buffers used: the ring
 * says so too (used->idx). */
static void
setup_ring(int fd, struct fe_guest *g, uint32_t i, uint32_t base)
{
	setup_ring_used(fd, g, i, base, (uint16_t)base);
}

static const uint64_t test_features = VHP_BIT(VIRTIO_F_VERSION_1) |
	VHP_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |
	VHP_BIT(VIRTIO_NET_F_MRG_RXBUF) | VHP_BIT(VIRTIO_F_EVENT_IDX);

/* ---- tests ---- */

static void
test_happy_path(void)
{
	struct vhp_port *port = make_server("happy", 1);
	struct vhost_user_mem_region reg;
	struct vhost_vring_state st;
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct vhost_user_hdr h;
	struct fe_guest g;
	uint64_t one = 1;
	int fd, n0, n1;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	new_count = destroy_count = state_count = 0;
	fd = fe_connect(sock_path);
	CHECK(fd >= 0);

	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_FEATURES),
		 VHP_FEATURES_SUPPORTED);
	negotiate_basic(fd, test_features);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_QUEUE_NUM), 1);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_MAX_MEM_SLOTS),
		 VHP_MAX_MEM_SLOTS);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 1), 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 3), 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 11), 0);

	reg = guest_region(&g);
	CHECK_EQ(send_mem_table(fd, &reg, 1, &g.memfd, 1), 0);
	CHECK_EQ(pinfo(port).mem_regions, 1);
	/* An identical table: kept, its fd closed. */
	n0 = vhp_test_count_fds();
	CHECK_EQ(send_mem_table(fd, &reg, 1, &g.memfd, 1), 0);
	CHECK_EQ(vhp_test_count_fds(), n0);

	ring_used(&g, 0)->flags = 0;
	setup_ring(fd, &g, 0, 0);
	setup_ring(fd, &g, 1, 7);
	CHECK_EQ(state_count, 2);
	CHECK_EQ(new_count, 0);		/* STATUS negotiated: needs DRIVER_OK */
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 15), 0);
	CHECK(WAIT_FOR(__atomic_load_n(&new_count, __ATOMIC_SEQ_CST) == 1));
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_STATUS), 15);
	CHECK(pinfo(port).running);
	CHECK_EQ(pinfo(port).features, test_features);
	CHECK_EQ(pinfo(port).ring, VHP_RING_SPLIT);
	CHECK_EQ(vhp_vring_info_get(port, 0, &vi), 0);
	CHECK(vi.ready && vi.started && vi.enabled);
	CHECK_EQ(vi.size, QSIZE);
	CHECK(vi.kickfd >= 0 && vi.callfd >= 0);
	/* Kicks suppressed once ready: we poll. */
	CHECK_EQ(ring_used(&g, 0)->flags, VRING_USED_F_NO_NOTIFY);

	/* A stopped ring's state moves to the node of its ring memory; the
	 * kick watch follows it. Force a move by faking the current node
	 * (the control thread is idle between acked messages). */
	if (vi.numa_node >= 0) {
		struct vhp_virtqueue *old = port->dev.vq[0];

		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, 0, 0), 0);
		CHECK(!port->dev.vq[0]->ready);
		port->dev.vq[0]->alloc_node = vi.numa_node + 1;
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
		CHECK(port->dev.vq[0] != old);
		CHECK_EQ(port->dev.vq[0]->alloc_node, vi.numa_node);
		CHECK(port->dev.vq[0]->ready);
		CHECK_EQ(new_count, 1);
	}

	/* A kick is read and counted by the control thread. */
	CHECK_EQ(write(g.kick[0], &one, 8), 8);
	CHECK(WAIT_FOR(vhp_vring_stats_get(port, 0, &vs) == 0 &&
		       vs.kicks == 1));

	/* GET_VRING_BASE stops the ring, destroys the device, returns the
	 * base. */
	st.index = 1;
	st.num = 0;
	CHECK_EQ(fe_send(fd, VHOST_USER_GET_VRING_BASE, 0, &st, 8, NULL, 0),
		 0);
	n1 = fe_recv(fd, &h, &st, sizeof(st));
	CHECK_EQ(n1, 8);
	CHECK_EQ(h.request, VHOST_USER_GET_VRING_BASE);
	CHECK_EQ(st.index, 1);
	CHECK_EQ(st.num, 7);
	CHECK_EQ(destroy_count, 1);
	CHECK(!pinfo(port).running);
	CHECK_EQ(vhp_vring_info_get(port, 1, &vi), 0);
	CHECK(!vi.started && !vi.ready && vi.kickfd == -1);
	CHECK_EQ(vhp_vring_info_get(port, 0, &vi), 0);
	CHECK(!vi.ready);

	/* Replaying the ring's kick restarts it: ready again. */
	one = 1;
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_KICK, &one, 8, &g.kick[1], 1),
		 0);
	CHECK(WAIT_FOR(__atomic_load_n(&new_count, __ATOMIC_SEQ_CST) == 2));
	CHECK(pinfo(port).running);

	/* Disconnect: destroy_device, memory unmapped, port listens on. */
	close(fd);
	CHECK(WAIT_FOR(!pinfo(port).connected));
	CHECK_EQ(destroy_count, 2);
	CHECK_EQ(pinfo(port).mem_regions, 0);
	CHECK_EQ(vhp_vring_stats_get(port, 0, &vs), 0);
	CHECK_EQ(vs.kicks, 1);		/* counters survive the disconnect */
	vhp_port_stats_reset(port);
	CHECK_EQ(vhp_vring_stats_get(port, 0, &vs), 0);
	CHECK_EQ(vs.kicks, 0);

	fd = fe_connect(sock_path);
	CHECK(fd >= 0);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_FEATURES),
		 VHP_FEATURES_SUPPORTED);
	CHECK_EQ(pinfo(port).connections, 2);
	CHECK_EQ(pinfo(port).errors, 0);
	close(fd);
	CHECK(WAIT_FOR(!pinfo(port).connected));
	vhp_port_destroy(port);
	CHECK(access(sock_path, F_OK) != 0);	/* socket unlinked */
	guest_destroy(&g);
}

/* A bad request: error ack, one more error, every fd closed. */
static void
expect_error(struct vhp_port *port, int fd, uint32_t req, const void *pl,
	     uint32_t size, const int *fds, unsigned int nfds,
	     const char *what)
{
	uint64_t e0 = port_errors(port);
	int n0 = vhp_test_count_fds();
	int64_t ack = fe_req(fd, req, pl, size, fds, nfds);

	if (ack <= 0)
		fprintf(stderr, "  case '%s': ack %lld\n", what,
			(long long)ack);
	CHECK(ack > 0);
	CHECK_EQ(port_errors(port), e0 + 1);
	CHECK_EQ(vhp_test_count_fds(), n0);
}

static void
test_bad_inputs(void)
{
	struct vhp_port *port = make_server("bad", 1);
	struct vhost_user_mem_region regs[9];
	struct vhost_vring_addr a;
	struct vhost_vring_state st;
	struct fe_guest g;
	struct vhost_user_hdr h;
	uint8_t cfg[12 + 8];
	uint64_t v;
	int fd, x[3], ro, i;
	char tmpl[] = "/tmp/vhp-test-ro-XXXXXX";

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	for (i = 0; i < 3; i++)
		x[i] = eventfd(0, EFD_CLOEXEC);

	/* Out of order: ring addresses before any memory table. */
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, 0, QSIZE), 0);
	a = ring_addr(&g, 0);
	expect_error(port, fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL,
		     0, "SET_VRING_ADDR before SET_MEM_TABLE");

	/* Short and wrong-size payloads. */
	st.index = 0;
	st.num = QSIZE;
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM, &st, 4, NULL, 0,
		     "short SET_VRING_NUM");
	expect_error(port, fd, VHOST_USER_SET_FEATURES, &v, 4, NULL, 0,
		     "short SET_FEATURES");
	expect_error(port, fd, VHOST_USER_SET_VRING_ADDR, &a, 16, NULL, 0,
		     "short SET_VRING_ADDR");

	/* Unknown and not-offered requests. */
	expect_error(port, fd, 99, NULL, 0, NULL, 0, "unknown request 99");
	expect_error(port, fd, 1000, &v, 8, x, 2, "unknown request with fds");
	expect_error(port, fd, VHOST_USER_NET_SET_MTU, &(uint64_t){ 67 }, 8,
		     NULL, 0, "NET_SET_MTU below 68");
	expect_error(port, fd, VHOST_USER_NET_SET_MTU, &(uint64_t){ 65536 },
		     8, NULL, 0, "NET_SET_MTU above 65535");
	expect_error(port, fd, VHOST_USER_SET_BACKEND_REQ_FD, &v, 0, x, 1,
		     "SET_BACKEND_REQ_FD");
	expect_error(port, fd, VHOST_USER_SET_LOG_BASE, &v, 8, x, 1,
		     "SET_LOG_BASE with a short payload");
	expect_error(port, fd, VHOST_USER_SET_LOG_FD, NULL, 0, NULL, 0,
		     "SET_LOG_FD without fd");
	expect_error(port, fd, VHOST_USER_SET_CONFIG, cfg, sizeof(cfg), NULL, 0,
		     "SET_CONFIG");
	v = VHP_BIT(VIRTIO_NET_F_CTRL_VQ);
	expect_error(port, fd, VHOST_USER_SET_FEATURES, &v, 8, NULL, 0,
		     "feature not offered");
	v = VHP_BIT(VHOST_USER_PROTOCOL_F_CRYPTO_SESSION);
	expect_error(port, fd, VHOST_USER_SET_PROTOCOL_FEATURES, &v, 8, NULL,
		     0, "protocol feature not offered");
	expect_error(port, fd, VHOST_USER_SET_STATUS, &(uint64_t){ 0x100 }, 8,
		     NULL, 0, "status beyond a byte");

	/* GET_CONFIG: not offered, answered with an empty payload. */
	CHECK_EQ(fe_send(fd, VHOST_USER_GET_CONFIG, 0, cfg, sizeof(cfg), NULL,
			 0), 0);
	CHECK_EQ(fe_recv(fd, &h, cfg, sizeof(cfg)), 0);
	CHECK_EQ(h.request, VHOST_USER_GET_CONFIG);

	/* Wrong fd counts: too many are closed, too few refused. */
	v = 0;
	expect_error(port, fd, VHOST_USER_SET_FEATURES, &(uint64_t){
		     test_features }, 8, x, 3, "SET_FEATURES with 3 fds");
	v = 0 | VHOST_USER_VRING_NOFD_MASK;
	expect_error(port, fd, VHOST_USER_SET_VRING_KICK, &v, 8, x, 1,
		     "KICK with NOFD and an fd");
	v = 0;
	expect_error(port, fd, VHOST_USER_SET_VRING_CALL, &v, 8, NULL, 0,
		     "CALL without fd nor NOFD");
	expect_error(port, fd, VHOST_USER_SET_VRING_CALL, &v, 8, x, 2,
		     "CALL with 2 fds");
	regs[0] = guest_region(&g);
	x[0] = x[0];
	{
		int two[2] = { g.memfd, x[1] };
		uint64_t e0 = port_errors(port);
		int n0 = vhp_test_count_fds();

		CHECK(send_mem_table(fd, regs, 1, two, 2) > 0);
		CHECK_EQ(port_errors(port), e0 + 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
		e0 = port_errors(port);
		CHECK(send_mem_table(fd, regs, 2, &g.memfd, 1) > 0);
		CHECK_EQ(port_errors(port), e0 + 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
	}

	/* Ring index out of range (queue_pairs = 1: rings 0 and 1). */
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM,
		     &(struct vhost_vring_state){ 2, QSIZE }, 8, NULL, 0,
		     "ring 2 of 1 queue pair");
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM,
		     &(struct vhost_vring_state){ 200, QSIZE }, 8, NULL, 0,
		     "ring 200");
	v = 17;
	expect_error(port, fd, VHOST_USER_SET_VRING_KICK, &v, 8, x, 1,
		     "KICK ring 17 (fd closed)");
	expect_error(port, fd, VHOST_USER_SET_VRING_ENABLE,
		     &(struct vhost_vring_state){ 5, 1 }, 8, NULL, 0,
		     "ENABLE ring 5");

	/* Queue sizes. */
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM,
		     &(struct vhost_vring_state){ 0, 100 }, 8, NULL, 0,
		     "size 100");
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM,
		     &(struct vhost_vring_state){ 0, 65536 }, 8, NULL, 0,
		     "size 65536");
	expect_error(port, fd, VHOST_USER_SET_VRING_NUM,
		     &(struct vhost_vring_state){ 0, 0 }, 8, NULL, 0,
		     "size 0");
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, 0, 32768), 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, 0, QSIZE), 0);

	/* Memory tables: overlapping, zero-sized, beyond the file, too
	 * many regions, unmappable fd. */
	regs[0] = guest_region(&g);
	regs[0].memory_size = GUEST_SIZE / 2;
	regs[1] = regs[0];
	regs[1].userspace_addr += GUEST_SIZE / 2;
	regs[1].mmap_offset = GUEST_SIZE / 2;
	{
		int two[2] = { g.memfd, g.memfd };
		uint64_t e0 = port_errors(port);
		int n0 = vhp_test_count_fds();

		CHECK(send_mem_table(fd, regs, 2, two, 2) > 0);	/* gpa */
		regs[1].guest_phys_addr += GUEST_SIZE / 2;
		regs[1].userspace_addr = regs[0].userspace_addr + 4096;
		CHECK(send_mem_table(fd, regs, 2, two, 2) > 0);	/* uaddr */
		regs[1] = guest_region(&g);
		regs[1].memory_size = 0;
		CHECK(send_mem_table(fd, &regs[1], 1, two, 1) > 0);
		regs[1] = guest_region(&g);
		regs[1].mmap_offset = 4096;	/* size + offset > file */
		CHECK(send_mem_table(fd, &regs[1], 1, two, 1) > 0);
		regs[1] = guest_region(&g);
		regs[1].guest_phys_addr = UINT64_MAX - 4096;
		CHECK(send_mem_table(fd, &regs[1], 1, two, 1) > 0);
		CHECK_EQ(port_errors(port), e0 + 5);
		CHECK_EQ(vhp_test_count_fds(), n0);
		CHECK_EQ(pinfo(port).mem_regions, 0);
	}
	{
		struct vhost_user_memory m;
		int fds9[8];
		uint64_t e0 = port_errors(port);
		int n0 = vhp_test_count_fds();

		memset(&m, 0, sizeof(m));
		m.nregions = 9;
		for (i = 0; i < 8; i++)
			fds9[i] = g.memfd;
		CHECK(fe_req(fd, VHOST_USER_SET_MEM_TABLE, &m, sizeof(m), fds9,
			     8) > 0);
		CHECK_EQ(port_errors(port), e0 + 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
	}
	ro = mkstemp(tmpl);
	CHECK_EQ(ftruncate(ro, GUEST_SIZE), 0);
	close(ro);
	ro = open(tmpl, O_RDONLY | O_CLOEXEC);
	unlink(tmpl);
	regs[0] = guest_region(&g);
	{
		uint64_t e0 = port_errors(port);
		int n0 = vhp_test_count_fds();

		CHECK(send_mem_table(fd, regs, 1, &ro, 1) > 0);	/* mmap fails */
		CHECK_EQ(port_errors(port), e0 + 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
	}
	close(ro);

	/* Valid table; then ring addresses outside every region. */
	CHECK_EQ(send_mem_table(fd, regs, 1, &g.memfd, 1), 0);
	a = ring_addr(&g, 0);
	a.used_user_addr = uaddr(&g, GUEST_SIZE - 16);	/* runs past end */
	expect_error(port, fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL,
		     0, "used ring crossing the region end");
	a = ring_addr(&g, 0);
	a.desc_user_addr = 0x1000;
	expect_error(port, fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL,
		     0, "desc outside memory");
	a = ring_addr(&g, 0);
	a.desc_user_addr += 8;
	expect_error(port, fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL,
		     0, "misaligned desc");
	a = ring_addr(&g, 0);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0),
		 0);

	/* ADD/REM_MEM_REG: a region equal to a mapped one is accepted and
	 * kept once (QEMU sends one per queue pair), overlap refused, add
	 * and remove work, an fd sent with REM_MEM_REG is closed. */
	{
		struct vhost_user_single_mem sm = { 0, guest_region(&g) };
		int n0;

		n0 = vhp_test_count_fds();
		CHECK_EQ(fe_req(fd, VHOST_USER_ADD_MEM_REG, &sm, sizeof(sm),
				&g.memfd, 1), 0);
		CHECK_EQ(pinfo(port).mem_regions, 1);
		CHECK_EQ(vhp_test_count_fds(), n0);	/* fd closed */
		sm.region.guest_phys_addr += 4096;
		sm.region.userspace_addr += 4096;
		expect_error(port, fd, VHOST_USER_ADD_MEM_REG, &sm, sizeof(sm),
			     &g.memfd, 1, "ADD_MEM_REG overlapping");
		sm.region.guest_phys_addr = 0x80000000ull;
		sm.region.userspace_addr = 0x7e0000000000ull;
		sm.region.memory_size = 4096;
		expect_error(port, fd, VHOST_USER_ADD_MEM_REG, &sm, sizeof(sm),
			     NULL, 0, "ADD_MEM_REG without fd");
		n0 = vhp_test_count_fds();
		CHECK_EQ(fe_req(fd, VHOST_USER_ADD_MEM_REG, &sm, sizeof(sm),
				&g.memfd, 1), 0);
		CHECK_EQ(pinfo(port).mem_regions, 2);
		CHECK_EQ(vhp_test_count_fds(), n0 + 1);	/* kept */
		CHECK_EQ(fe_req(fd, VHOST_USER_REM_MEM_REG, &sm, sizeof(sm),
				x, 1), 0);
		CHECK_EQ(pinfo(port).mem_regions, 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
		/* Removed again (QEMU sends it once per queue pair): done
		 * already, not an error; nothing else is removed. */
		uint64_t errs = port_errors(port);

		CHECK_EQ(fe_req(fd, VHOST_USER_REM_MEM_REG, &sm, sizeof(sm),
				NULL, 0), 0);
		CHECK_EQ(port_errors(port), errs);
		CHECK_EQ(pinfo(port).mem_regions, 1);
		CHECK_EQ(vhp_test_count_fds(), n0);
	}

	/* Still serving this connection after all that. */
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_QUEUE_NUM), 1);
	close(fd);
	CHECK(WAIT_FOR(!pinfo(port).connected));

	/* Oversized message: connection closed, counted. */
	{
		struct vhost_user_hdr big = { VHOST_USER_SET_FEATURES, 1,
			(uint32_t)VHOST_USER_PAYLOAD_MAX + 1 };
		uint64_t e0 = port_errors(port);

		fd = fe_connect(sock_path);
		CHECK_EQ(fe_send_raw(fd, &big, sizeof(big), NULL, 0), 0);
		CHECK(fe_closed(fd));
		CHECK_EQ(port_errors(port), e0 + 1);
		close(fd);
	}
	/* Truncated header then EOF. */
	{
		uint64_t e0 = port_errors(port);

		fd = fe_connect(sock_path);
		CHECK(WAIT_FOR(pinfo(port).connected));
		CHECK_EQ(fe_send_raw(fd, "\x01\0\0\0\x01\0", 6, NULL, 0), 0);
		shutdown(fd, SHUT_WR);
		CHECK(fe_closed(fd));
		CHECK(WAIT_FOR(port_errors(port) == e0 + 1));
		close(fd);
	}
	/* More fds than a message may carry: closed, nothing leaks. */
	{
		int many[12];
		uint64_t e0 = port_errors(port);
		int n0;

		for (i = 0; i < 12; i++)
			many[i] = x[0];
		CHECK(WAIT_FOR(!pinfo(port).connected));
		fd = fe_connect(sock_path);
		CHECK(WAIT_FOR(pinfo(port).connected));
		n0 = vhp_test_count_fds();	/* includes the back-end's socket */
		CHECK_EQ(fe_send(fd, VHOST_USER_GET_FEATURES, 0, NULL, 0, many,
				 12), 0);
		CHECK(fe_closed(fd));
		CHECK_EQ(port_errors(port), e0 + 1);
		CHECK(WAIT_FOR(!pinfo(port).connected));
		CHECK_EQ(vhp_test_count_fds(), n0 - 1);
		close(fd);
	}
	/* Bad version flags: connection closed. */
	{
		struct vhost_user_hdr bad = { VHOST_USER_GET_FEATURES, 2, 0 };

		CHECK(WAIT_FOR(!pinfo(port).connected));
		fd = fe_connect(sock_path);
		CHECK_EQ(fe_send_raw(fd, &bad, sizeof(bad), NULL, 0), 0);
		CHECK(fe_closed(fd));
		close(fd);
	}
	/* A second concurrent connection is refused; the first works. */
	CHECK(WAIT_FOR(!pinfo(port).connected));
	fd = fe_connect(sock_path);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_QUEUE_NUM), 1);
	{
		int fd2 = fe_connect(sock_path);

		CHECK(fe_closed(fd2));
		close(fd2);
	}
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_FEATURES),
		 VHP_FEATURES_SUPPORTED);
	close(fd);

	for (i = 0; i < 3; i++)
		close(x[i]);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

static void
test_no_reply_ack(void)
{
	struct vhp_port *port = make_server("noack", 2);
	uint64_t v = VHP_BIT(VIRTIO_NET_F_CTRL_VQ);
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	fd = fe_connect(sock_path);
	/* Without REPLY_ACK negotiated a failed SET gets no reply, but is
	 * counted; the next GET is answered. */
	CHECK_EQ(fe_send(fd, VHOST_USER_SET_FEATURES, VHOST_USER_NEED_REPLY,
			 &v, 8, NULL, 0), 0);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_QUEUE_NUM), 2);
	CHECK_EQ(port_errors(port), 1);
	/* Unknown request with NEED_REPLY: failure reply even so. */
	CHECK(fe_req(fd, 77, NULL, 0, NULL, 0) > 0);
	/* Rings 2 and 3 exist with 2 queue pairs; 4 does not. */
	CHECK_EQ(fe_send(fd, VHOST_USER_SET_VRING_NUM, 0,
			 &(struct vhost_vring_state){ 3, 64 }, 8, NULL, 0), 0);
	CHECK_EQ(fe_send(fd, VHOST_USER_SET_VRING_NUM, 0,
			 &(struct vhost_vring_state){ 4, 64 }, 8, NULL, 0), 0);
	CHECK_EQ(fe_get_u64(fd, VHOST_USER_GET_FEATURES),
		 VHP_FEATURES_SUPPORTED);
	CHECK_EQ(port_errors(port), 3);
	CHECK_EQ(pinfo(port).nr_vrings, 4);
	close(fd);
	vhp_port_destroy(port);
}

static void
test_server_paths(void)
{
	struct vhp_port_conf conf = { .path = "/nonexistent-dir-vhp/x.sock" };
	struct vhp_port *p1, *p2;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	CHECK(vhp_port_create(&conf) == NULL);
	CHECK_EQ(rte_errno, ENOENT);
	conf.path = sock_path;
	p1 = vhp_port_create(&conf);
	CHECK(p1 != NULL);
	p2 = vhp_port_create(&conf);
	CHECK(p2 == NULL);
	CHECK_EQ(rte_errno, EADDRINUSE);
	vhp_port_destroy(p1);
	/* A stale socket file (nobody listening) is replaced. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	CHECK_EQ(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	CHECK_EQ(access(sock_path, F_OK), 0);
	p1 = vhp_port_create(&conf);
	CHECK(p1 != NULL);
	vhp_port_destroy(p1);
	conf.queue_pairs = VHP_MAX_QUEUE_PAIRS + 1;
	CHECK(vhp_port_create(&conf) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
}

static int
accept_timeout(int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, TIMEOUT_MS) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

static void
test_client_mode(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vhp_port_conf conf = { .path = sock_path,
		.flags = VHP_PORT_CLIENT, .ops = &test_ops,
		.features_off = VHP_BIT(VIRTIO_F_RING_PACKED) };
	struct vhp_port *port;
	int lfd, c;

	unlink(sock_path);
	/* Nobody listens yet: the port retries. */
	port = vhp_port_create(&conf);
	CHECK(port != NULL);
	if (port == NULL)
		return;
	usleep(300000);
	CHECK(!pinfo(port).connected);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(lfd, 4), 0);

	c = accept_timeout(lfd);
	CHECK(c >= 0);
	CHECK_EQ(fe_get_u64(c, VHOST_USER_GET_FEATURES),
		 VHP_FEATURES_SUPPORTED & ~VHP_BIT(VIRTIO_F_RING_PACKED));
	CHECK(pinfo(port).connected && pinfo(port).client);
	/* The front-end goes away: the port reconnects. */
	close(c);
	c = accept_timeout(lfd);
	CHECK(c >= 0);
	CHECK_EQ(fe_get_u64(c, VHOST_USER_GET_QUEUE_NUM), 1);
	CHECK_EQ(pinfo(port).connections, 2);
	close(c);
	vhp_port_destroy(port);
	close(lfd);
	unlink(sock_path);
}

/* Negotiate, map the guest, set both rings up, DRIVER_OK: running. */
static void
bring_up(struct vhp_port *port, int fd, struct fe_guest *g, uint64_t feat,
	 bool mem)
{
	struct vhost_user_mem_region reg = guest_region(g);
	int n = __atomic_load_n(&new_count, __ATOMIC_SEQ_CST);

	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_FEATURES, feat), 0);
	if (mem)
		CHECK_EQ(send_mem_table(fd, &reg, 1, &g->memfd, 1), 0);
	setup_ring(fd, g, 0, 0);
	setup_ring(fd, g, 1, 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 15), 0);
	CHECK(WAIT_FOR(__atomic_load_n(&new_count, __ATOMIC_SEQ_CST) == n + 1));
	CHECK(pinfo(port).running);
}

/*
 * RESET_DEVICE (QEMU >= 9.1, every guest reboot) keeps the memory table:
 * QEMU then sets the rings up again without re-sending an unchanged table,
 * and the device must run. RESET_OWNER does the same.
 */
static void
test_reset_keeps_memory(void)
{
	struct vhp_port *port = make_server("reset", 1);
	uint32_t req[] = { VHOST_USER_RESET_DEVICE, VHOST_USER_RESET_OWNER };
	struct fe_guest g;
	unsigned int i;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	new_count = destroy_count = 0;
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);
	for (i = 0; i < RTE_DIM(req); i++) {
		CHECK_EQ(fe_req(fd, req[i], NULL, 0, NULL, 0), 0);
		CHECK(WAIT_FOR(__atomic_load_n(&destroy_count,
					       __ATOMIC_SEQ_CST) == (int)i + 1));
		CHECK(!pinfo(port).running);
		CHECK_EQ(pinfo(port).mem_regions, 1);
		CHECK_EQ(pinfo(port).status, 0);
		/* The next driver: features, rings, DRIVER_OK; no table. */
		bring_up(port, fd, &g, test_features, false);
	}
	CHECK_EQ(port_errors(port), 0);
	close(fd);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

/*
 * A back-end restart under a running split driver: the front-end
 * (virtio-user) sends SET_VRING_BASE 0, but the ring has moved on. The
 * ring's used->idx wins, and the start is counted.
 */
static void
test_split_resume_from_ring(void)
{
	struct vhp_port *port = make_server("resume", 1);
	struct vhost_user_mem_region reg;
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct fe_guest g;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	reg = guest_region(&g);
	CHECK_EQ(send_mem_table(fd, &reg, 1, &g.memfd, 1), 0);
	setup_ring_used(fd, &g, 0, 0, 0);
	setup_ring_used(fd, &g, 1, 0, 40123);
	/* Checked when the rings start (DRIVER_OK: STATUS negotiated). */
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 15), 0);
	CHECK(pinfo(port).running);
	CHECK_EQ(vhp_vring_info_get(port, 1, &vi), 0);
	CHECK_EQ(vi.last_avail_idx, 40123);
	CHECK_EQ(vi.last_used_idx, 40123);
	CHECK_EQ(vhp_vring_stats_get(port, 1, &vs), 0);
	CHECK_EQ(vs.resumed, 1);
	CHECK_EQ(vhp_vring_stats_get(port, 0, &vs), 0);
	CHECK_EQ(vs.resumed, 0);
	CHECK_EQ(port_errors(port), 0);
	close(fd);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

/*
 * QEMU 7.2's reboot: SET_STATUS 0 and GET_VRING_BASE keep the previous
 * boot's ring addresses; the new driver's SET_VRING_BASE 0 comes before its
 * SET_VRING_ADDR (a fresh ring elsewhere). The base must be checked against
 * the new ring, not the old one (whose used->idx has moved on).
 */
static void
test_base_checked_at_start(void)
{
	struct vhp_port *port = make_server("reboot72", 1);
	struct vhost_vring_state st = { .index = 1, .num = 0 };
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct vhost_user_hdr h;
	struct fe_guest g;
	uint32_t i;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);
	/* The first boot's driver used 500 buffers on each ring. */
	for (i = 0; i < 2; i++)
		ring_used(&g, i)->idx = 500;
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 0), 0);
	for (i = 0; i < 2; i++) {
		st.index = i;
		CHECK_EQ(fe_send(fd, VHOST_USER_GET_VRING_BASE, 0, &st, 8,
				 NULL, 0), 0);
		CHECK_EQ(fe_recv(fd, &h, &st, sizeof(st)), 8);
	}
	/* The second boot: new rings 0x40000 further, used->idx 0. */
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_FEATURES, test_features), 0);
	for (i = 0; i < 2; i++) {
		struct vhost_vring_addr a = ring_addr(&g, i);
		uint64_t v = i;

		a.desc_user_addr += 0x40000;
		a.avail_user_addr += 0x40000;
		a.used_user_addr += 0x40000;
		memset(g.front + (a.used_user_addr - uaddr(&g, 0)), 0, 8);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, i, QSIZE), 0);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, i, 0), 0);
		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a),
				NULL, 0), 0);
		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_KICK, &v, 8,
				&g.kick[i], 1), 0);
		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8,
				&g.call[i], 1), 0);
	}
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_STATUS, 15), 0);
	CHECK(WAIT_FOR(pinfo(port).running));
	for (i = 0; i < 2; i++) {
		CHECK_EQ(vhp_vring_info_get(port, (uint16_t)i, &vi), 0);
		CHECK_EQ(vi.last_avail_idx, 0);
		CHECK_EQ(vhp_vring_stats_get(port, (uint16_t)i, &vs), 0);
		CHECK_EQ(vs.resumed, 0);
	}
	CHECK_EQ(port_errors(port), 0);
	close(fd);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

/* Packed: indexes beyond the ring refused; GET_VRING_BASE both halves. */
static void
test_packed_base(void)
{
	struct vhp_port *port = make_server("pbase", 1);
	const uint64_t feat = test_features | VHP_BIT(VIRTIO_F_RING_PACKED);
	struct vhost_user_mem_region reg;
	struct vhost_vring_state st;
	struct vhost_user_hdr h;
	struct fe_guest g;
	uint32_t i;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, feat);
	reg = guest_region(&g);
	CHECK_EQ(send_mem_table(fd, &reg, 1, &g.memfd, 1), 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, 0, QSIZE), 0);
	CHECK(fe_state(fd, VHOST_USER_SET_VRING_BASE, 0, QSIZE) > 0);
	CHECK(fe_state(fd, VHOST_USER_SET_VRING_BASE, 0, 0x8000 | 300) > 0);
	CHECK(fe_state(fd, VHOST_USER_SET_VRING_BASE, 0,
		       0x8000 | (300u << 16)) > 0);
	CHECK_EQ(port_errors(port), 3);
	/* Base before size: checked when the ring is set up. */
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, 1, 0x7000), 0);
	CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, 1, QSIZE), 0);
	{
		struct vhost_vring_addr a = ring_addr(&g, 1);

		CHECK(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a),
			     NULL, 0) > 0);
	}
	CHECK_EQ(port_errors(port), 4);
	/* A real position: kept as sent, answered with both halves. */
	for (i = 0; i < 2; i++) {
		struct vhost_vring_addr a = ring_addr(&g, i);

		memset(g.front + 0x10000ull * (i + 1), 0, QSIZE * 16);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_NUM, i, QSIZE), 0);
		CHECK_EQ(fe_state(fd, VHOST_USER_SET_VRING_BASE, i,
				  0x8000 | 5), 0);
		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a),
				NULL, 0), 0);
	}
	st.index = 0;
	st.num = 0;
	CHECK_EQ(fe_send(fd, VHOST_USER_GET_VRING_BASE, 0, &st, 8, NULL, 0),
		 0);
	CHECK_EQ(fe_recv(fd, &h, &st, sizeof(st)), 8);
	CHECK_EQ(st.num, 0x80058005u);
	close(fd);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

/*
 * Call fds: a pipe nobody reads must not block the polling core (it is
 * reopened non-blocking; failed writes are counted); sockets and regular
 * files are refused.
 */
static void
test_call_fd_kinds(void)
{
	struct vhp_port *port = make_server("callfd", 1);
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct fe_guest g;
	uint64_t v = 0;
	int fd, p[2], sv[2], i;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);

	CHECK(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8, &sv[0], 1) > 0);
	CHECK(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8, &g.memfd, 1) > 0);
	CHECK(fe_req(fd, VHOST_USER_SET_VRING_KICK, &v, 8, &sv[0], 1) > 0);
	CHECK_EQ(port_errors(port), 3);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8, &p[1], 1), 0);
	CHECK_EQ(vhp_vring_info_get(port, 0, &vi), 0);
	CHECK(vi.callfd >= 0);
	CHECK(fcntl(vi.callfd, F_GETFL) & O_NONBLOCK);
	CHECK(!(fcntl(p[1], F_GETFL) & O_NONBLOCK));	/* theirs unchanged */
	/* 64 KiB of pipe holds 8192 interrupts; 20000 must not block. */
	for (i = 0; i < 20000; i++)
		vhp_vq_kick_guest(port->dev.vq[0]);
	CHECK_EQ(vhp_vring_stats_get(port, 0, &vs), 0);
	CHECK(vs.call_failed > 0);
	CHECK_EQ(vs.notifications + vs.call_failed, 20000);
	/* The eventfd again: interrupts flow. */
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_CALL, &v, 8, &g.call[0], 1),
		 0);
	/* SET_VRING_ERR: signalled when the datapath finds the ring corrupt;
	 * the device then says DEVICE_NEEDS_RESET. */
	{
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		uint64_t cnt = 0;

		CHECK_EQ(fe_req(fd, VHOST_USER_SET_VRING_ERR, &v, 8, &efd, 1),
			 0);
		vhp_vq_mark_broken(port->dev.vq[0], "unit test");
		CHECK_EQ(read(efd, &cnt, 8), 8);
		CHECK_EQ(cnt, 1);
		CHECK(fe_get_u64(fd, VHOST_USER_GET_STATUS) &
		      VIRTIO_STATUS_NEEDS_RESET);
		close(efd);
	}
	close(fd);
	vhp_port_destroy(port);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	guest_destroy(&g);
}

/*
 * Live migration messages: SET_LOG_BASE (checked against its fd, replied),
 * LOG_ALL switched on and off under a running device (the rings mark the
 * log only then), SET_LOG_FD, NET_SET_MTU, SEND_RARP (a RARP for the MAC
 * is the next packet received on queue pair 0).
 */
static void
test_migration_messages(void)
{
	struct vhp_port *port = make_server("migr", 1);
	const uint64_t feat = test_features | VHP_BIT(VIRTIO_F_LOG_ALL);
	struct vhost_user_log l = { .mmap_size = 4096, .mmap_offset = 0 };
	const uint8_t mac[8] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct rte_mempool *mp;
	struct rte_mbuf *m[4];
	struct fe_guest g;
	int fd, lfd, efd;
	uint16_t n;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	lfd = memfd_create("vhp-log", MFD_CLOEXEC);
	CHECK(lfd >= 0 && ftruncate(lfd, 8192) == 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);
	CHECK(port->dev.vq[0]->log == NULL);

	/* Hostile logs: refused with a non-zero reply, previous kept. */
	l.mmap_size = 0;
	CHECK(fe_req(fd, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1) > 0);
	l.mmap_size = 8192;
	l.mmap_offset = 4096;		/* past the end of the fd */
	CHECK(fe_req(fd, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1) > 0);
	l.mmap_size = UINT64_MAX;
	l.mmap_offset = 4096;		/* overflow */
	CHECK(fe_req(fd, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1) > 0);
	CHECK_EQ(port_errors(port), 3);
	CHECK(port->dev.log == NULL);
	/* A good one, then LOG_ALL: the running rings mark it. */
	l.mmap_size = 4096;
	l.mmap_offset = 4096;
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1),
		 0);
	CHECK(port->dev.log != NULL && port->dev.vq[0]->log == NULL);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_FEATURES, feat), 0);
	CHECK(pinfo(port).running);
	CHECK(port->dev.vq[0]->log == port->dev.log);
	CHECK(port->dev.vq[1]->log == port->dev.log);
	CHECK(pinfo(port).logging);
	/* Anything but LOG_ALL still may not change while running. */
	CHECK(fe_u64(fd, VHOST_USER_SET_FEATURES,
		     feat & ~VHP_BIT(VIRTIO_F_EVENT_IDX)) > 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_SET_FEATURES, test_features), 0);
	CHECK(port->dev.vq[0]->log == NULL);
	CHECK(!pinfo(port).logging);

	efd = eventfd(0, EFD_CLOEXEC);
	CHECK_EQ(fe_req(fd, VHOST_USER_SET_LOG_FD, NULL, 0, &efd, 1), 0);
	CHECK_EQ(fe_u64(fd, VHOST_USER_NET_SET_MTU, 9000), 0);
	CHECK_EQ(pinfo(port).mtu, 9000);

	mp = rte_pktmbuf_pool_create("migr_pool", 256, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CHECK(mp != NULL);
	CHECK_EQ(fe_req(fd, VHOST_USER_SEND_RARP, mac, 8, NULL, 0), 0);
	n = vhp_dequeue_burst(port, 0, mp, m, 4);
	CHECK_EQ(n, 1);
	if (n == 1) {
		const uint8_t *p = rte_pktmbuf_mtod(m[0], const uint8_t *);

		CHECK_EQ(rte_pktmbuf_pkt_len(m[0]), 60);
		CHECK(memcmp(p, "\xff\xff\xff\xff\xff\xff", 6) == 0);
		CHECK(memcmp(p + 6, mac, 6) == 0);
		CHECK_EQ(p[12], 0x80);		/* ethertype 0x8035 */
		CHECK_EQ(p[13], 0x35);
		CHECK_EQ(p[21], 3);		/* RARP request */
		CHECK(memcmp(p + 22, mac, 6) == 0);
		rte_pktmbuf_free(m[0]);
	}
	CHECK_EQ(vhp_dequeue_burst(port, 0, mp, m, 4), 0);	/* once */
	CHECK_EQ(port_errors(port), 4);
	close(fd);
	vhp_port_destroy(port);
	rte_mempool_free(mp);
	close(efd);
	close(lfd);
	guest_destroy(&g);
}

/*
 * Guest kicks switched on by the application (a poller that wants to
 * sleep): NO_NOTIFY cleared, the kick fd left to the application (the
 * control thread stops reading it); switched off again: suppressed and
 * counted by the control thread.
 */
static void
test_kicks_enable(void)
{
	struct vhp_port *port = make_server("kicks", 1);
	struct vhp_vring_info vi;
	struct vhp_vring_stats vs;
	struct fe_guest g;
	uint64_t one = 1, v = 0;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);
	CHECK_EQ(ring_used(&g, 1)->flags, VRING_USED_F_NO_NOTIFY);
	CHECK_EQ(vhp_vring_kicks_enable(port, 1, true), 0);
	CHECK_EQ(ring_used(&g, 1)->flags, 0);
	/* EVENT_IDX: kick at the next buffer. */
	{
		uint16_t ev;

		memcpy(&ev, &ring_used(&g, 1)->ring[QSIZE], sizeof(ev));
		CHECK_EQ(ev, 0);
	}
	CHECK_EQ(write(g.kick[1], &one, 8), 8);
	CHECK_EQ(vhp_vring_info_get(port, 1, &vi), 0);
	usleep(100000);
	CHECK_EQ(read(vi.kickfd, &v, 8), 8);	/* still there: ours */
	CHECK_EQ(v, 1);
	CHECK_EQ(vhp_vring_stats_get(port, 1, &vs), 0);
	CHECK_EQ(vs.kicks, 0);
	CHECK_EQ(vhp_vring_kicks_enable(port, 1, false), 0);
	CHECK_EQ(ring_used(&g, 1)->flags, VRING_USED_F_NO_NOTIFY);
	CHECK_EQ(write(g.kick[1], &one, 8), 8);
	CHECK(WAIT_FOR(vhp_vring_stats_get(port, 1, &vs) == 0 &&
		       vs.kicks == 1));
	CHECK_EQ(vhp_vring_kicks_enable(port, VHP_MAX_VRINGS, true), -EINVAL);
	CHECK_EQ(vhp_vring_kicks_enable(port, 9, true), -EAGAIN);
	close(fd);
	vhp_port_destroy(port);
	guest_destroy(&g);
}

/* A registered, online datapath thread destroys a running port. */
static void
test_destroy_from_datapath_thread(void)
{
	struct vhp_port *port = make_server("online", 1);
	struct fe_guest g;
	int fd;

	CHECK(port != NULL);
	if (port == NULL)
		return;
	CHECK_EQ(guest_create(&g), 0);
	fd = fe_connect(sock_path);
	negotiate_basic(fd, test_features);
	bring_up(port, fd, &g, test_features, true);
	CHECK_EQ(vhp_thread_register(), 0);
	vhp_thread_quiescent();
	vhp_port_destroy(port);		/* used to wait for itself */
	vhp_thread_quiescent();
	vhp_thread_unregister();
	close(fd);
	guest_destroy(&g);
}

int
main(void)
{
	vhp_test_eal_init("test_protocol");
	snprintf(sock_path, sizeof(sock_path), "/tmp/vhp-tp-%d.sock",
		 (int)getpid());
	RUN_TEST(test_server_paths);
	RUN_TEST(test_happy_path);
	RUN_TEST(test_bad_inputs);
	RUN_TEST(test_no_reply_ack);
	RUN_TEST(test_client_mode);
	RUN_TEST(test_reset_keeps_memory);
	RUN_TEST(test_split_resume_from_ring);
	RUN_TEST(test_base_checked_at_start);
	RUN_TEST(test_packed_base);
	RUN_TEST(test_call_fd_kinds);
	RUN_TEST(test_destroy_from_datapath_thread);
	RUN_TEST(test_migration_messages);
	RUN_TEST(test_kicks_enable);
	unlink(sock_path);
	return vhp_test_summary();
}
