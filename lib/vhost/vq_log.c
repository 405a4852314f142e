/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datapath errors: per-reason counters and rate-limited logs naming the
 * port, the vring and the reason; marking a corrupt ring broken.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "vhp_internal.h"

RTE_LOG_REGISTER(vhp_logtype, lib.vhostpath, INFO);

static const char *const vhp_vq_error_names[VHP_ERR_MAX] = {
	[VHP_ERR_ADDR] = "bad_addr",
	[VHP_ERR_CHAIN] = "bad_chain",
	[VHP_ERR_INDIRECT] = "bad_indirect",
	[VHP_ERR_INDEX] = "bad_index",
	[VHP_ERR_LEN] = "bad_len",
	[VHP_ERR_OFFLOAD] = "bad_offload",
};

const char *
vhp_vq_error_name(enum vhp_vq_error err)
{
	return (unsigned int)err < VHP_ERR_MAX ? vhp_vq_error_names[err] :
		"unknown";
}

static const char *
vq_port_name(const struct vhp_virtqueue *vq)
{
	if (vq->dev != NULL && vq->dev->port != NULL)
		return vq->dev->port->name;
	return "?";
}

/* One datapath log line a second per vring at most; false: suppressed. */
static bool
vq_log_due(struct vhp_virtqueue *vq)
{
	uint64_t now = rte_get_tsc_cycles();

	if (vq->last_log_tsc != 0 && now - vq->last_log_tsc < rte_get_tsc_hz()) {
		vq->log_suppressed++;
		return false;
	}
	vq->last_log_tsc = now;
	return true;
}

/* Print one rate-limited line about @p vq (vq_log_due() said yes). */
static void
vq_log_emit(struct vhp_virtqueue *vq, const char *fmt, va_list ap,
	    const char *prefix, const char *suffix)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	rte_log(RTE_LOG_WARNING, vhp_logtype,
		"VHOSTPATH: port %s vring %u: %s%s%s (%u similar messages "
		"suppressed)\n", vq_port_name(vq), vq->index, prefix, buf,
		suffix, vq->log_suppressed);
	vq->log_suppressed = 0;
}

void
vhp_vq_error(struct vhp_virtqueue *vq, enum vhp_vq_error err,
	     const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	if ((unsigned int)err < VHP_ERR_MAX)
		VHP_STAT_ADD(vq, errors[err], 1);
	if (!vq_log_due(vq))
		return;
	snprintf(prefix, sizeof(prefix), "guest error %s: ",
		 vhp_vq_error_name(err));
	va_start(ap, fmt);
	vq_log_emit(vq, fmt, ap, prefix, "; packet dropped");
	va_end(ap);
}

void
vhp_vq_log_limited(struct vhp_virtqueue *vq, const char *fmt, ...)
{
	va_list ap;

	if (!vq_log_due(vq))
		return;
	va_start(ap, fmt);
	vq_log_emit(vq, fmt, ap, "", "");
	va_end(ap);
}

void
vhp_vq_mark_broken(struct vhp_virtqueue *vq, const char *why)
{
	if (vq->broken)
		return;
	__atomic_store_n(&vq->broken, 1, __ATOMIC_RELEASE);
	VHP_STAT_ADD(vq, broken, 1);
	__atomic_store_n(&vq->ready, 0, __ATOMIC_RELEASE);
	if (vq->dev != NULL)
		__atomic_store_n(&vq->dev->needs_reset, 1, __ATOMIC_RELEASE);
	rte_log(RTE_LOG_ERR, vhp_logtype,
		"VHOSTPATH: port %s vring %u: ring is corrupt (%s); vring "
		"stopped, DEVICE_NEEDS_RESET raised: the guest driver must "
		"reset the device\n", vq_port_name(vq), vq->index, why);
	/* SET_VRING_ERR: tell the front-end (non-blocking fd, like the
	 * call fd; a failed write changes nothing more). */
	if (vq->errfd >= 0) {
		const uint64_t one = 1;

		if (write(vq->errfd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			VHP_STAT_ADD(vq, call_failed, 1);
	}
}
