/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet mbuf pools: one per NUMA node, shared by the ports of that node.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pool.h"

/** Per-lcore cache of a pool. */
#define POOL_CACHE_SIZE	256

static uint32_t pool_nb_mbufs = VHP_APP_POOL_DEFAULT_MBUFS;
static uint32_t pool_mbuf_size = VHP_APP_POOL_DEFAULT_MBUF_SIZE;
static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

void
vhp_app_pool_config(uint32_t nb_mbufs, uint32_t mbuf_size)
{
	pool_nb_mbufs = nb_mbufs != 0 ? nb_mbufs : VHP_APP_POOL_DEFAULT_MBUFS;
	pool_mbuf_size = mbuf_size != 0 ? mbuf_size :
		VHP_APP_POOL_DEFAULT_MBUF_SIZE;
}

uint32_t
vhp_app_pool_mbuf_size(void)
{
	return pool_mbuf_size;
}

struct rte_mempool *
vhp_app_pool_get(int socket_id)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	unsigned int cache;
	size_t obj;

	if (socket_id < 0 || socket_id >= RTE_MAX_NUMA_NODES)
		socket_id = 0;
	if (pools[socket_id] != NULL)
		return pools[socket_id];
	snprintf(name, sizeof(name), "vhp_pool_%d", socket_id);
	cache = RTE_MIN((unsigned int)POOL_CACHE_SIZE, pool_nb_mbufs / 8);
	mp = rte_pktmbuf_pool_create(name, pool_nb_mbufs, cache, 0,
				     (uint16_t)pool_mbuf_size, socket_id);
	if (mp == NULL) {
		printf("error: cannot create mempool %s (%u mbufs x %u B on "
		       "socket %d): %s; lower --total-num-mbufs or give EAL "
		       "more memory (-m)\n", name, pool_nb_mbufs,
		       pool_mbuf_size, socket_id, rte_strerror(rte_errno));
		return NULL;
	}
	obj = (size_t)mp->header_size + mp->elt_size + mp->trailer_size;
	printf("mempool %s: %u mbufs x %u B = %.1f MiB (%zu B per object "
	       "with mbuf header = %.1f MiB, cache %u, socket %d)\n",
	       name, pool_nb_mbufs, pool_mbuf_size,
	       (double)pool_nb_mbufs * pool_mbuf_size / (1024.0 * 1024.0),
	       obj, (double)pool_nb_mbufs * obj / (1024.0 * 1024.0), cache,
	       socket_id);
	pools[socket_id] = mp;
	return mp;
}

void
vhp_app_pools_free(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(pools); i++) {
		rte_mempool_free(pools[i]);
		pools[i] = NULL;
	}
}
