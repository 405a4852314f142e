/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ThreadSanitizer builds only (test/unit/meson.build adds this file when
 * b_sanitize has "thread").
 *
 * The library waits for its datapath threads with
 * rte_rcu_qsbr_synchronize(): the readers' side (quiescent, online,
 * offline) is inline in rte_rcu_qsbr.h and compiled into our code, so TSan
 * sees its release stores, but the waiting side lives in DPDK's
 * librte_rcu.so, which is not instrumented: TSan never sees the acquire
 * loads that order a burst before the control thread's next change, and
 * reports every ring, memory table and fd change as a race with the last
 * burst. This is DPDK 22.11's rte_rcu_qsbr_synchronize()
 * (lib/rcu/rte_rcu_qsbr.c) made of the same inline header functions; the
 * test executable's definition takes precedence over the shared library's.
 */
#include <rte_rcu_qsbr.h>

void
rte_rcu_qsbr_synchronize(struct rte_rcu_qsbr *v, unsigned int thread_id)
{
	uint64_t t;

	t = rte_rcu_qsbr_start(v);
	/* The caller's own read-side section ends here. */
	if (thread_id != RTE_QSBR_THRID_INVALID)
		rte_rcu_qsbr_quiescent(v, thread_id);
	/* Wait for every other registered online reader. */
	rte_rcu_qsbr_check(v, t, true);
}
