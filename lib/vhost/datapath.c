/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Burst entry points: pick the vring of the queue pair, check that the
 * datapath may run (one acquire load), derive the ring's offload bits once
 * after each (re)configuration (VHP_VQ_F_OL_INIT), dispatch on the ring
 * format.
 */
#include <errno.h>

#include <string.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
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

/*
 * SEND_RARP after a live migration: a RARP from the guest's MAC, so that
 * switches learn where the VM is now (what QEMU does for emulated NICs).
 * Returns 1 when pkts[0] holds it.
 */
static __rte_noinline uint16_t
rarp_take(struct vhp_device *dev, struct rte_mempool *pool,
	  struct rte_mbuf **pkts)
{
	static const uint8_t bcast[RTE_ETHER_ADDR_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;
	const uint16_t len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;

	if (!__atomic_exchange_n(&dev->rarp_pending, 0, __ATOMIC_ACQ_REL))
		return 0;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL || rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		__atomic_store_n(&dev->rarp_pending, 1, __ATOMIC_RELEASE);
		return 0;	/* next burst */
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eth, 0, len);
	memcpy(&eth->dst_addr, bcast, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, dev->rarp_mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST);
	memcpy(&arp->arp_data.arp_sha, dev->rarp_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&arp->arp_data.arp_tha, dev->rarp_mac, RTE_ETHER_ADDR_LEN);
	pkts[0] = m;
	return 1;
}

uint16_t
vhp_dequeue_burst(struct vhp_port *port, uint16_t queue,
		  struct rte_mempool *pool, struct rte_mbuf **pkts,
		  uint16_t count)
{
	struct vhp_virtqueue *vq = vhp_ready_vq(port, 2u * queue + 1);
	uint16_t r = 0;

	if (unlikely(vq == NULL || count == 0 || pool == NULL))
		return 0;
	if (unlikely(!(vq->flags & VHP_VQ_F_OL_INIT)))
		vhp_vq_offload_init(vq);
	if (unlikely(__atomic_load_n(&port->dev.rarp_pending,
				     __ATOMIC_RELAXED)) && queue == 0) {
		r = rarp_take(&port->dev, pool, pkts);
		pkts += r;
		count = (uint16_t)(count - r);
		if (count == 0)
			return r;
	}
	if (vq->flags & VHP_VQ_F_PACKED)
		return (uint16_t)(r + vhp_packed_dequeue(vq, pool, pkts,
							 count));
	return (uint16_t)(r + vhp_split_dequeue(vq, pool, pkts, count));
}

uint32_t
vhp_vring_avail_count(struct vhp_port *port, uint16_t vring)
{
	struct vhp_virtqueue *vq = vhp_ready_vq(port, vring);
	const struct vring_packed_desc *ring;
	uint16_t idx, n;
	uint8_t wrap;
	uint16_t f;

	if (vq == NULL)
		return 0;
	if (!(vq->flags & VHP_VQ_F_PACKED))
		return (uint16_t)(__atomic_load_n(&vq->avail->idx,
						  __ATOMIC_ACQUIRE) -
				  vq->last_avail_idx);
	ring = vq->desc_packed;
	idx = vq->last_avail_idx;
	wrap = vq->avail_wrap;
	for (n = 0; n < vq->size; n++) {
		f = __atomic_load_n(&ring[idx].flags, __ATOMIC_ACQUIRE);
		if (wrap != !!(f & VRING_PACKED_DESC_F_AVAIL) ||
		    wrap == !!(f & VRING_PACKED_DESC_F_USED))
			break;
		if (++idx == vq->size) {
			idx = 0;
			wrap ^= 1;
		}
	}
	return n;
}

int
vhp_vring_monitor_cond(struct vhp_port *port, uint16_t vring,
		       struct vhp_monitor_cond *c)
{
	struct vhp_virtqueue *vq;

	if (port == NULL || c == NULL || vring >= VHP_MAX_VRINGS)
		return -EINVAL;
	vq = vhp_ready_vq(port, vring);
	if (vq == NULL)
		return -EAGAIN;
	if (vq->flags & VHP_VQ_F_PACKED) {
		/* The next descriptor becomes available: its AVAIL bit equals
		 * our wrap counter and its USED bit differs. */
		c->addr = &vq->desc_packed[vq->last_avail_idx].flags;
		c->val = vq->avail_wrap ? VRING_PACKED_DESC_F_AVAIL :
			VRING_PACKED_DESC_F_USED;
		c->mask = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;
		c->match = 1;
	} else {
		/* The avail index moves past where we are. */
		c->addr = &vq->avail->idx;
		c->val = vq->last_avail_idx;
		c->mask = 0xffff;
		c->match = 0;
	}
	c->size = sizeof(uint16_t);
	return 0;
}

uint64_t
vhp_port_features(const struct vhp_port *port)
{
	if (port == NULL)
		return 0;
	return __atomic_load_n(&port->dev.features, __ATOMIC_RELAXED);
}
