/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet mbuf pools shared by the ports: one pool per NUMA node, created on
 * first use, named vhp_pool_<node>.
 */
#ifndef VHP_APP_POOL_H
#define VHP_APP_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mempool;

/** Default mbufs per pool (fits EAL -m 512 --no-huge). */
#define VHP_APP_POOL_DEFAULT_MBUFS	16384
/** Default mbuf data room: RTE_MBUF_DEFAULT_BUF_SIZE (2048 + headroom). */
#define VHP_APP_POOL_DEFAULT_MBUF_SIZE	2176
/** Smallest --mbuf-size accepted. */
#define VHP_APP_POOL_MIN_MBUF_SIZE	512
/** Largest --mbuf-size accepted (mbuf data_len is 16 bits). */
#define VHP_APP_POOL_MAX_MBUF_SIZE	65535
/** Fewest mbufs per pool accepted. */
#define VHP_APP_POOL_MIN_MBUFS		1024

/**
 * Set the size of the pools created from now on.
 * @param nb_mbufs Mbufs per pool (0: default).
 * @param mbuf_size Data room of one mbuf, headroom included (0: default).
 */
void vhp_app_pool_config(uint32_t nb_mbufs, uint32_t mbuf_size);

/** Data room of the pools' mbufs, headroom included. */
uint32_t vhp_app_pool_mbuf_size(void);

/**
 * The pool of NUMA node @p socket_id, created (and its sizing printed) on
 * first use. SOCKET_ID_ANY means node 0.
 * @return the pool, or NULL (a message was printed).
 */
struct rte_mempool *vhp_app_pool_get(int socket_id);

/** Free every pool (no mbuf may be in use). */
void vhp_app_pools_free(void);

#ifdef __cplusplus
}
#endif

#endif /* VHP_APP_POOL_H */
