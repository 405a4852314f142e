/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rte_vhost compatibility library through its public API only, linked
 * against our librte_vhost.so.23 (never DPDK's): registration rules and
 * refused flags, callbacks and features before start, client no-reconnect,
 * a real connection (new_connection / destroy_connection with the path's
 * vid, the queries on it), unregister from a callback refused, vDPA
 * registration refused. Traffic through it is tested with the real
 * programs (test/integration: net_vhost, Open vSwitch).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_vhost.h>

#include "test_common.h"

struct rte_vdpa_device;
struct rte_device;
struct rte_vdpa_dev_ops;
struct rte_vdpa_device *rte_vdpa_register_device(struct rte_device *rte_dev,
						 struct rte_vdpa_dev_ops *ops);

static char path[108];
static int conn_vid = -1, disconn_vid = -1, unreg_ret = 0;

static int
cb_new_connection(int vid)
{
	__atomic_store_n(&conn_vid, vid, __ATOMIC_SEQ_CST);
	/* Not allowed from a callback: would wait for this thread. */
	__atomic_store_n(&unreg_ret, rte_vhost_driver_unregister(path),
			 __ATOMIC_SEQ_CST);
	return 0;
}

static void
cb_destroy_connection(int vid)
{
	__atomic_store_n(&disconn_vid, vid, __ATOMIC_SEQ_CST);
}

static const struct rte_vhost_device_ops ops = {
	.new_connection = cb_new_connection,
	.destroy_connection = cb_destroy_connection,
};

static bool
wait_for(int *v, int want)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (__atomic_load_n(v, __ATOMIC_SEQ_CST) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static void
test_registration(void)
{
	char name[128];
	uint64_t f;

	CHECK_EQ(rte_vhost_driver_register(NULL, 0), -1);
	CHECK_EQ(rte_vhost_driver_register(path,
					   RTE_VHOST_USER_IOMMU_SUPPORT), -1);
	CHECK_EQ(rte_vhost_driver_register(path,
					   RTE_VHOST_USER_POSTCOPY_SUPPORT), -1);
	CHECK_EQ(rte_vhost_driver_register(path,
					   RTE_VHOST_USER_NET_STATS_ENABLE), 0);
	CHECK_EQ(rte_vhost_driver_register(path, 0), -1);	/* twice */
	CHECK_EQ(rte_vhost_driver_callback_register("/nope", &ops), -1);
	CHECK_EQ(rte_vhost_driver_callback_register(path, &ops), 0);
	CHECK_EQ(rte_vhost_driver_disable_features(path,
						   1ULL << VIRTIO_NET_F_CSUM), 0);
	CHECK_EQ(rte_vhost_driver_start("/nope"), -1);
	CHECK_EQ(rte_vhost_driver_start(path), 0);
	/* After start the offer is fixed. */
	CHECK_EQ(rte_vhost_driver_disable_features(path, 1ULL << 15), -1);

	/* No connection yet: the vid-based queries fail cleanly. */
	CHECK_EQ(rte_vhost_get_negotiated_features(0, &f), -1);
	CHECK_EQ(rte_vhost_get_vring_num(0), 0);
	CHECK_EQ(rte_vhost_get_ifname(0, name, sizeof(name)), 0);
	CHECK(strcmp(name, path) == 0);
	CHECK_EQ(rte_vhost_get_ifname(77, name, sizeof(name)), -1);
	CHECK_EQ(rte_vhost_get_ifname(-1, name, sizeof(name)), -1);
	CHECK_EQ(rte_vhost_enqueue_burst(-1, 0, NULL, 0), 0);
	CHECK_EQ(rte_vhost_dequeue_burst(5000, 1, NULL, NULL, 0), 0);
	CHECK_EQ(rte_vhost_enqueue_burst(0, 1, NULL, 0), 0);	/* odd */
	CHECK(rte_vhost_get_vdpa_device(0) == NULL);
	CHECK(rte_vdpa_register_device(NULL, NULL) == NULL);
}

static void
test_connection(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint16_t mtu;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_EQ(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK(wait_for(&conn_vid, 0));
	CHECK_EQ(__atomic_load_n(&unreg_ret, __ATOMIC_SEQ_CST), -1);
	/* Connected, not negotiated: no MTU (never offered), no device. */
	CHECK(rte_vhost_get_mtu(0, &mtu) < 0);
	close(fd);
	CHECK(wait_for(&disconn_vid, 0));
	CHECK_EQ(rte_vhost_driver_unregister(path), 0);
	CHECK_EQ(rte_vhost_driver_unregister(path), -1);
	CHECK(access(path, F_OK) != 0);		/* socket removed */
}

static void
test_client_no_reconnect(void)
{
	char p2[128];

	snprintf(p2, sizeof(p2), "%s.cl", path);
	unlink(p2);
	CHECK_EQ(rte_vhost_driver_register(p2, RTE_VHOST_USER_CLIENT |
					   RTE_VHOST_USER_NO_RECONNECT), 0);
	/* Nobody listens: start fails at once. */
	CHECK_EQ(rte_vhost_driver_start(p2), -1);
	CHECK_EQ(rte_vhost_driver_unregister(p2), 0);
}

int
main(void)
{
	vhp_test_eal_init("test_rte_vhost_compat");
	snprintf(path, sizeof(path), "/tmp/vhp-compat-%d.sock", (int)getpid());
	unlink(path);
	RUN_TEST(test_registration);
	RUN_TEST(test_connection);
	RUN_TEST(test_client_no_reconnect);
	unlink(path);
	return vhp_test_summary();
}
