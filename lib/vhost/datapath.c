/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Burst entry points: pick the vring of the queue pair, check that the
 * datapath may run (one acquire load), derive the ring's offload bits once
 * after each (re)configuration (VHP_VQ_F_OL_INIT), dispatch on the ring
 * format.
 */
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "vhp_internal.h"

static __rte_always_inline struct vhp_virtqueue *
vhp_ready_vq(struct vhp_port *port, uint32_t vring)
{
	struct vhp_virtqueue *vq;

	if (unlikely(port == NULL || vring >= VHP_MAX_VRINGS))
		return NULL;
	vq = __atomic_load_n(&port->dev.vq[vring], __ATOMIC_ACQUIRE);
	if (unlikely(vq == NULL || !__atomic_load_n(&vq->ready,
						    __ATOMIC_ACQUIRE)))
		return NULL;
	return vq;
}

uint16_t
vhp_enqueue_burst(struct vhp_port *port, uint16_t queue,
		  struct rte_mbuf **pkts, uint16_t count)
{
	struct vhp_virtqueue *vq = vhp_ready_vq(port, 2u * queue);

	if (unlikely(vq == NULL || count == 0))
		return 0;
	if (unlikely(!(vq->flags & VHP_VQ_F_OL_INIT)))
		vhp_vq_offload_init(vq);
	if (vq->flags & VHP_VQ_F_PACKED)
		return vhp_packed_enqueue(vq, pkts, count);
	return vhp_split_enqueue(vq, pkts, count);
}

uint16_t
vhp_dequeue_burst(struct vhp_port *port, uint16_t queue,
		  struct rte_mempool *pool, struct rte_mbuf **pkts,
		  uint16_t count)
{
	struct vhp_virtqueue *vq = vhp_ready_vq(port, 2u * queue + 1);

	if (unlikely(vq == NULL || count == 0 || pool == NULL))
		return 0;
	if (unlikely(!(vq->flags & VHP_VQ_F_OL_INIT)))
		vhp_vq_offload_init(vq);
	if (vq->flags & VHP_VQ_F_PACKED)
		return vhp_packed_dequeue(vq, pool, pkts, count);
	return vhp_split_dequeue(vq, pool, pkts, count);
}

uint64_t
vhp_port_features(const struct vhp_port *port)
{
	if (port == NULL)
		return 0;
	return __atomic_load_n(&port->dev.features, __ATOMIC_RELAXED);
}
