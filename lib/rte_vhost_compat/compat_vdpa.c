/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The part of rte_vhost that DPDK's vDPA drivers (librte_vdpa_ifc, _mlx5,
 * _sfc) link against. EAL loads every driver of its plugin directory at
 * start, so a librte_vhost.so.23 without these names stops every DPDK
 * program (Open vSwitch included) before main(). vhostpath has no vDPA
 * support: a vDPA device cannot register (logged), no device is ever
 * attached to a socket. The ring and memory queries are answered from the
 * vhostpath port as rte_vhost answers them.
 *
 * The INTERNAL functions are declared in DPDK's vdpa_driver.h, which
 * Debian does not ship: their prototypes are repeated here as DPDK 22.11
 * defines them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "compat.h"

struct rte_device;
struct rte_vdpa_dev_ops;

struct rte_vdpa_device *rte_vdpa_register_device(struct rte_device *rte_dev,
						 struct rte_vdpa_dev_ops *ops);
int rte_vdpa_unregister_device(struct rte_vdpa_device *dev);
int rte_vdpa_relay_vring_used(int vid, uint16_t qid, void *vring_m);
int rte_vhost_host_notifier_ctrl(int vid, uint16_t qid, bool enable);

struct rte_vdpa_device *
rte_vdpa_register_device(struct rte_device *rte_dev,
			 struct rte_vdpa_dev_ops *ops)
{
	(void)rte_dev;
	(void)ops;
	COMPAT_LOG(ERR, "a vDPA driver tried to register a device: vhostpath's "
		   "librte_vhost does not offload rings to vDPA hardware; the "
		   "device stays unused (run with DPDK's librte_vhost to use "
		   "it)");
	return NULL;
}

int
rte_vdpa_unregister_device(struct rte_vdpa_device *dev)
{
	(void)dev;
	return -1;	/* none was registered */
}

int
rte_vdpa_relay_vring_used(int vid, uint16_t qid, void *vring_m)
{
	(void)vring_m;
	COMPAT_LOG(ERR, "%s: vid %d vring %u: no vDPA device is attached",
		   __func__, vid, qid);
	return -1;
}

struct rte_vdpa_device *
rte_vhost_get_vdpa_device(int vid)
{
	(void)compat_sock_of(vid, __func__);
	return NULL;	/* never attached */
}

int
rte_vhost_host_notifier_ctrl(int vid, uint16_t qid, bool enable)
{
	(void)qid;
	(void)enable;
	if (compat_sock_of(vid, __func__) == NULL)
		return -ENODEV;
	/* Needs the BACKEND_REQ channel and HOST_NOTIFIER: not offered. */
	return -ENOTSUP;
}

int
rte_vhost_slave_config_change(int vid, bool need_reply)
{
	(void)need_reply;
	if (compat_sock_of(vid, __func__) == NULL)
		return -ENODEV;
	/* No back-end request channel (BACKEND_REQ is not offered). */
	return -ENOTSUP;
}

int
rte_vhost_get_vring_base(int vid, uint16_t queue_id, uint16_t *last_avail_idx,
			 uint16_t *last_used_idx)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_vring_info vi;

	if (port == NULL || last_avail_idx == NULL || last_used_idx == NULL ||
	    vhp_vring_info_get(port, queue_id, &vi) != 0 || vi.size == 0)
		return -1;
	/* Packed: the wrap counter in bit 15, as rte_vhost reports it. */
	*last_avail_idx = (uint16_t)(vi.last_avail_idx |
				     (vi.avail_wrap ? 0x8000 : 0));
	*last_used_idx = (uint16_t)(vi.last_used_idx |
				    (vi.used_wrap ? 0x8000 : 0));
	return 0;
}

int
rte_vhost_set_vring_base(int vid, uint16_t queue_id, uint16_t last_avail_idx,
			 uint16_t last_used_idx)
{
	(void)last_avail_idx;
	(void)last_used_idx;
	if (compat_sock_of(vid, __func__) == NULL)
		return -1;
	/* Only a vDPA driver moves the rings' positions behind rte_vhost's
	 * back; vhostpath's datapath owns them. */
	COMPAT_LOG(ERR, "%s: vid %d vring %u: ring positions are owned by "
		   "vhostpath's datapath and cannot be set", __func__, vid,
		   queue_id);
	return -1;
}

int
rte_vhost_get_mem_table(int vid, struct rte_vhost_memory **mem)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;
	struct vhp_mem_region_info regs[VHP_MAX_MEM_SLOTS];
	struct rte_vhost_memory *m;
	int i, n;

	if (port == NULL || mem == NULL)
		return -1;
	n = vhp_port_mem_get(port, regs, VHP_MAX_MEM_SLOTS);
	if (n < 0)
		return -1;
	if (n > VHP_MAX_MEM_SLOTS)
		n = VHP_MAX_MEM_SLOTS;
	/* Freed by the caller with free(), as rte_vhost's is. */
	m = malloc(sizeof(*m) + (size_t)n * sizeof(m->regions[0]));
	if (m == NULL)
		return -1;
	m->nregions = (uint32_t)n;
	for (i = 0; i < n; i++) {
		m->regions[i].guest_phys_addr = regs[i].guest_phys_addr;
		m->regions[i].guest_user_addr = regs[i].guest_user_addr;
		m->regions[i].host_user_addr = regs[i].host_user_addr;
		m->regions[i].size = regs[i].size;
		m->regions[i].mmap_addr = regs[i].mmap_addr;
		m->regions[i].mmap_size = regs[i].mmap_size;
		m->regions[i].fd = regs[i].fd;
	}
	*mem = m;
	return 0;
}

int
rte_vhost_get_log_base(int vid, uint64_t *log_base, uint64_t *log_size)
{
	if (compat_sock_of(vid, __func__) == NULL || log_base == NULL ||
	    log_size == NULL)
		return -1;
	/* No dirty log is shared (LOG_SHMFD is not offered). */
	*log_base = 0;
	*log_size = 0;
	return 0;
}

void
rte_vhost_log_used_vring(int vid, uint16_t vring_idx, uint64_t offset,
			 uint64_t len)
{
	(void)vid;
	(void)vring_idx;
	(void)offset;
	(void)len;
	/* Logging is never on (LOG_ALL is not offered): nothing to mark,
	 * as rte_vhost does when the front-end did not ask for a log. */
}

int
rte_vhost_vring_call(int vid, uint16_t vring_idx)
{
	struct compat_sock *s = compat_sock_of(vid, __func__);
	struct vhp_port *port = s != NULL ? compat_port_of(s) : NULL;

	if (port == NULL)
		return -1;
	return vhp_vring_call(port, vring_idx) == 0 ? 0 : -1;
}
