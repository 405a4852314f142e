/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quiescent-state tracking of datapath threads (DPDK rte_rcu_qsbr).
 *
 * The control thread stops a ring (ready = 0), then calls
 * vhp_rcu_synchronize(): when it returns, every online datapath thread has
 * passed a quiescent point, so none still holds a pointer into the guest
 * memory or queue state being changed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "vhp_internal.h"

/** Most datapath threads that can register at once. */
#define VHP_RCU_MAX_THREADS	128

static struct rte_rcu_qsbr *vhp_qsbr;
static pthread_mutex_t vhp_rcu_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t vhp_rcu_used[VHP_RCU_MAX_THREADS];
static RTE_DEFINE_PER_LCORE(int, vhp_rcu_tid) = -1;
/** This thread is registered and online (reports quiescent states). */
static RTE_DEFINE_PER_LCORE(bool, vhp_rcu_online);

static int
vhp_rcu_init_locked(void)
{
	size_t sz;

	if (vhp_qsbr != NULL)
		return 0;
	sz = rte_rcu_qsbr_get_memsize(VHP_RCU_MAX_THREADS);
	vhp_qsbr = rte_zmalloc("vhp_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (vhp_qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(vhp_qsbr, VHP_RCU_MAX_THREADS) != 0) {
		rte_free(vhp_qsbr);
		vhp_qsbr = NULL;
		return -rte_errno;
	}
	return 0;
}

int
vhp_thread_register(void)
{
	int tid = -1, i, ret;

	if (RTE_PER_LCORE(vhp_rcu_tid) >= 0)
		return 0;
	pthread_mutex_lock(&vhp_rcu_lock);
	ret = vhp_rcu_init_locked();
	if (ret == 0) {
		for (i = 0; i < VHP_RCU_MAX_THREADS; i++) {
			if (!vhp_rcu_used[i]) {
				tid = i;
				break;
			}
		}
		if (tid < 0) {
			ret = -ENOSPC;
		} else {
			vhp_rcu_used[tid] = 1;
			rte_rcu_qsbr_thread_register(vhp_qsbr, tid);
			rte_rcu_qsbr_thread_online(vhp_qsbr, tid);
			RTE_PER_LCORE(vhp_rcu_tid) = tid;
			RTE_PER_LCORE(vhp_rcu_online) = true;
		}
	}
	pthread_mutex_unlock(&vhp_rcu_lock);
	if (ret == -ENOSPC)
		VHP_LOG(ERR, "more than %d datapath threads registered; "
			"unregister idle threads first", VHP_RCU_MAX_THREADS);
	return ret;
}

void
vhp_thread_unregister(void)
{
	int tid = RTE_PER_LCORE(vhp_rcu_tid);

	if (tid < 0)
		return;
	pthread_mutex_lock(&vhp_rcu_lock);
	rte_rcu_qsbr_thread_offline(vhp_qsbr, tid);
	rte_rcu_qsbr_thread_unregister(vhp_qsbr, tid);
	vhp_rcu_used[tid] = 0;
	pthread_mutex_unlock(&vhp_rcu_lock);
	RTE_PER_LCORE(vhp_rcu_tid) = -1;
	RTE_PER_LCORE(vhp_rcu_online) = false;
}

void
vhp_thread_quiescent(void)
{
	int tid = RTE_PER_LCORE(vhp_rcu_tid);

	if (likely(tid >= 0))
		rte_rcu_qsbr_quiescent(vhp_qsbr, tid);
}

void
vhp_thread_offline(void)
{
	int tid = RTE_PER_LCORE(vhp_rcu_tid);

	if (tid >= 0)
		rte_rcu_qsbr_thread_offline(vhp_qsbr, tid);
	RTE_PER_LCORE(vhp_rcu_online) = false;
}

void
vhp_thread_online(void)
{
	int tid = RTE_PER_LCORE(vhp_rcu_tid);

	if (tid >= 0) {
		rte_rcu_qsbr_thread_online(vhp_qsbr, tid);
		RTE_PER_LCORE(vhp_rcu_online) = true;
	}
}

bool
vhp_rcu_park(void)
{
	if (!RTE_PER_LCORE(vhp_rcu_online))
		return false;
	vhp_thread_offline();
	return true;
}

void
vhp_rcu_unpark(bool parked)
{
	if (parked)
		vhp_thread_online();
}

void
vhp_thread_synchronize(void)
{
	vhp_rcu_synchronize();
}

void
vhp_rcu_synchronize(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&vhp_qsbr, __ATOMIC_ACQUIRE);

	/* Make the ready = 0 stores visible before sampling the token. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* A registered caller (e.g. an lcore destroying a port) reports its
	 * own quiescent state instead of waiting for itself. */
	if (v != NULL)
		rte_rcu_qsbr_synchronize(v, RTE_PER_LCORE(vhp_rcu_tid) >= 0 ?
			(unsigned int)RTE_PER_LCORE(vhp_rcu_tid) :
			RTE_QSBR_THRID_INVALID);
}
