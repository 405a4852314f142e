/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver over libvhostpath.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <vhp.h>

#include "../event.h"
#include "../json.h"
#include "../sw_offload.h"
#include "vhost_port.h"

/** Longest socket path (sun_path, NUL included). */
#define VHOST_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

/* Virtio feature bits the driver looks at (virtio 1.2, 5.1.3). */
#define VHOST_F_GUEST_TSO4	(UINT64_C(1) << 7)
#define VHOST_F_GUEST_TSO6	(UINT64_C(1) << 8)
#define VHOST_F_GUEST_UFO	(UINT64_C(1) << 10)
#define VHOST_F_HOST_UFO	(UINT64_C(1) << 14)

/*
 * Packet classes of one queue pair. RX queue q and TX queue q may be
 * polled by different lcores: each direction has its own lines.
 */
struct vhost_qcount {
	/* RX queue (guest TX vring), written by its polling lcore */
	struct vhp_pkt_stats rx __rte_cache_aligned;
	/* TX queue (guest RX vring), written by the lcore sending on it */
	struct vhp_pkt_stats tx __rte_cache_aligned;
} __rte_cache_aligned;

struct vhost_priv {
	struct vhp_port *vp;		/* NULL while stopped */
	struct vhp_app_port *port;
	uint32_t flags;			/* VHP_PORT_* */
	uint16_t queues;		/* queue pairs */
	bool pkt_stats;			/* count packet classes (xstats) */
	uint64_t features_off;		/* given (features-off, offloads) */
	uint64_t features_off_eff;	/* with the dependants added */
	char path[VHOST_PATH_MAX];
	/* Software segmentation per TX queue (one lcore each). */
	struct vhp_swol swol[VHP_APP_MAX_QUEUES];
	/* Packet classes per queue, and their values at the last reset
	 * (the control thread never writes what an lcore writes). */
	struct vhost_qcount qc[VHP_APP_MAX_QUEUES];
	struct vhost_qcount qc_base[VHP_APP_MAX_QUEUES];
};

struct vhp_port *
vhp_vhost_port_lib(const struct vhp_app_port *port)
{
	const struct vhost_priv *v;

	if (port == NULL || port->driver != &vhp_vhost_driver ||
	    port->priv == NULL)
		return NULL;
	v = port->priv;
	return v->vp;
}

static uint16_t
vhost_rx_burst(struct vhp_app_port *port, uint16_t queue,
	       struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_priv *v = port->priv;
	uint16_t got;

	got = vhp_dequeue_burst(v->vp, queue, port->pool, pkts, n);
	if (got != 0 && v->pkt_stats)
		vhp_pkt_stats_count(&v->qc[queue].rx, pkts, got);
	return got;
}

/*
 * What the guest of @p arg (struct vhost_priv) can take: every checksum
 * request (the library writes NEEDS_CSUM headers or finishes them), TSO
 * frames when it negotiated GUEST_TSO4/6. Read once per burst, only when
 * a TSO packet is seen.
 */
static uint32_t
vhost_swol_capa(void *arg)
{
	const struct vhost_priv *v = arg;
	uint64_t features = vhp_port_features(v->vp);

	return VHP_SWOL_CAPA_CKSUM |
		((features & VHOST_F_GUEST_TSO4) ? VHP_SWOL_CAPA_TSO4 : 0) |
		((features & VHOST_F_GUEST_TSO6) ? VHP_SWOL_CAPA_TSO6 : 0);
}

static uint16_t
vhost_enqueue(struct vhp_app_port *port, uint16_t queue,
	      struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_priv *v = port->priv;
	uint32_t cnt[VHP_PKT_NB_STATS] = { 0 }, left[VHP_PKT_NB_STATS];
	unsigned int i;
	uint16_t sent;

	if (!v->pkt_stats)
		return vhp_enqueue_burst(v->vp, queue, pkts, n);
	/* Classified before: the ring frees what it takes. */
	vhp_pkt_stats_classify(cnt, pkts, n);
	sent = vhp_enqueue_burst(v->vp, queue, pkts, n);
	if (unlikely(sent < n)) {
		memset(left, 0, sizeof(left));
		vhp_pkt_stats_classify(left, pkts + sent, n - sent);
		for (i = 0; i < VHP_PKT_NB_STATS; i++)
			cnt[i] -= left[i];
	}
	vhp_pkt_stats_add(&v->qc[queue].tx, cnt);
	return sent;
}

/*
 * TSO packets for a guest without GUEST_TSO4/6 are segmented in software
 * (sw_offload.c: TCP/IPv4 with rte_gso, TCP/IPv6 by copying); each segment
 * asks for its checksums, which the library writes as NEEDS_CSUM or
 * finishes. Segments the ring does not take are dropped and counted.
 */
static uint16_t
vhost_tx_burst(struct vhp_app_port *port, uint16_t queue,
	       struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_priv *v = port->priv;

	return vhp_swol_tx_burst(&v->swol[queue], port, queue, pkts, n,
				 vhost_enqueue);
}

static void
vhost_feature_list(void)
{
	unsigned int bit;
	const char *name;

	printf("  known features:");
	for (bit = 0; bit < 64; bit++) {
		name = vhp_feature_name(bit);
		if (name != NULL)
			printf(" %s", name);
	}
	printf("\n");
}

static int
vhost_parse_features(struct vhp_app_port *port, struct vhost_priv *v,
		     const char *list)
{
	char buf[512], *tok, *save = NULL;
	int bit;

	if (strlen(list) >= sizeof(buf) || list[0] == '\0') {
		printf("error: port %u: bad features-off list '%s'\n",
		       port->id, list);
		return -EINVAL;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, "|", &save); tok != NULL;
	     tok = strtok_r(NULL, "|", &save)) {
		bit = vhp_feature_from_name(tok);
		if (bit < 0 || bit > 63) {
			printf("error: port %u: unknown virtio feature '%s' "
			       "in features-off\n", port->id, tok);
			vhost_feature_list();
			return -EINVAL;
		}
		v->features_off |= UINT64_C(1) << bit;
	}
	return 0;
}

static int
vhost_parse(struct vhp_app_port *port, struct vhost_priv *v,
	    const char *args)
{
	char buf[1024], *tok, *save = NULL, *val;
	unsigned long n;
	bool first = true;

	if (strlen(args) >= sizeof(buf)) {
		printf("error: port %u: --vhost value too long\n", port->id);
		return -EINVAL;
	}
	strcpy(buf, args);
	v->queues = 1;
	v->pkt_stats = true;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save), first = false) {
		val = strchr(tok, '=');
		if (first && (val == NULL || strncmp(tok, "path=", 5) == 0)) {
			if (val != NULL)
				tok = val + 1;
			if (strlen(tok) >= sizeof(v->path)) {
				printf("error: port %u: socket path '%s' is "
				       "longer than %zu characters\n",
				       port->id, tok, sizeof(v->path) - 1);
				return -ENAMETOOLONG;
			}
			strcpy(v->path, tok);
			continue;
		}
		if (val == NULL) {
			printf("error: port %u: '%s' is not KEY=VALUE in "
			       "--vhost=%s\n", port->id, tok, args);
			return -EINVAL;
		}
		*val++ = '\0';
		if (strcmp(tok, "queues") == 0) {
			if (vhp_app_parse_uint(val, 1, RTE_MIN(
					VHP_MAX_QUEUE_PAIRS,
					VHP_APP_MAX_QUEUES), &n) != 0) {
				printf("error: port %u: queues=%s: expected "
				       "1..%d\n", port->id, val,
				       RTE_MIN(VHP_MAX_QUEUE_PAIRS,
					       VHP_APP_MAX_QUEUES));
				return -EINVAL;
			}
			v->queues = (uint16_t)n;
		} else if (strcmp(tok, "client") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: client=%s: expected "
				       "0 or 1\n", port->id, val);
				return -EINVAL;
			}
			if (n != 0)
				v->flags |= VHP_PORT_CLIENT;
		} else if (strcmp(tok, "features-off") == 0) {
			if (vhost_parse_features(port, v, val) != 0)
				return -EINVAL;
		} else if (strcmp(tok, "pkt-stats") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: pkt-stats=%s: expected "
				       "0 or 1\n", port->id, val);
				return -EINVAL;
			}
			v->pkt_stats = n != 0;
		} else if (strcmp(tok, "offloads") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: offloads=%s: expected "
				       "0 or 1\n", port->id, val);
				return -EINVAL;
			}
			if (n == 0)
				v->features_off |= VHP_FEATURES_OFFLOAD;
		} else {
			printf("error: port %u: unknown key '%s' in --vhost "
			       "(expected %s)\n", port->id, tok,
			       vhp_vhost_driver.usage);
			return -EINVAL;
		}
	}
	if (v->path[0] == '\0') {
		printf("error: port %u: --vhost needs a socket path (%s)\n",
		       port->id, vhp_vhost_driver.usage);
		return -EINVAL;
	}
	return 0;
}

static int
vhost_create(struct vhp_app_port *port, const char *args)
{
	struct vhost_priv *v;
	uint16_t i;

	v = aligned_alloc(RTE_CACHE_LINE_SIZE,
			  RTE_ALIGN_CEIL(sizeof(*v), RTE_CACHE_LINE_SIZE));
	if (v == NULL)
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	if (vhost_parse(port, v, args) != 0) {
		free(v);
		return -EINVAL;
	}
	for (i = 0; i < port->id; i++) {
		struct vhp_app_port *o = vhp_app_port_get(i);

		if (o != NULL && o->driver == &vhp_vhost_driver &&
		    strcmp(((struct vhost_priv *)o->priv)->path,
			   v->path) == 0) {
			printf("error: port %u: socket %s is already used by "
			       "port %u\n", port->id, v->path, i);
			free(v);
			return -EEXIST;
		}
	}
	v->port = port;
	port->priv = v;
	port->nb_rxq = v->queues;
	port->nb_txq = v->queues;
	snprintf(port->name, sizeof(port->name), "%s", v->path);
	return 0;
}

/* Names of the bits of @p features, space separated, into @p buf. */
static void
vhost_feature_names(uint64_t features, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int bit;
	const char *name;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && len < size; bit++) {
		if (!(features >> bit & 1))
			continue;
		name = vhp_feature_name(bit);
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len == 0 ? "" : " ",
					name != NULL ? name : "?");
	}
}

static int
vhost_new_device(struct vhp_port *vp, void *ctx)
{
	struct vhp_app_port *port = ctx;
	struct vhp_port_info info;
	char names[384];

	if (vhp_port_info_get(vp, &info) == 0) {
		vhost_feature_names(info.features, names, sizeof(names));
		vhp_app_event(0, "Port %u: link up (%s ring, %u queue pair%s, "
			      "features 0x%" PRIx64 " %s)", port->id,
			      info.ring == VHP_RING_PACKED ? "packed" : "split",
			      info.nr_vrings / 2,
			      info.nr_vrings / 2 == 1 ? "" : "s",
			      info.features, names);
	} else {
		vhp_app_event(0, "Port %u: link up", port->id);
	}
	vhp_app_port_link_set(port, true);
	return 0;
}

static void
vhost_destroy_device(struct vhp_port *vp, void *ctx)
{
	struct vhp_app_port *port = ctx;

	RTE_SET_USED(vp);
	vhp_app_port_link_set(port, false);
	vhp_app_event(0, "Port %u: link down", port->id);
}

static void
vhost_vring_state_changed(struct vhp_port *vp, uint16_t vring, bool enabled,
			  void *ctx)
{
	struct vhp_app_port *port = ctx;

	RTE_SET_USED(vp);
	vhp_app_event(1, "Port %u: vring %u (queue %u %s) %s", port->id,
		      vring, vring / 2, vring & 1 ? "guest TX" : "guest RX",
		      enabled ? "enabled" : "disabled");
}

static const struct vhp_port_ops vhost_ops = {
	.new_device = vhost_new_device,
	.destroy_device = vhost_destroy_device,
	.vring_state_changed = vhost_vring_state_changed,
};

static void
vhost_explain_error(const struct vhost_priv *v, int err)
{
	char dir[VHOST_PATH_MAX], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", v->path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	switch (err) {
	case ENOENT:
		if (v->flags & VHP_PORT_CLIENT)
			printf("  hint: directory %s or socket %s does not "
			       "exist; start the front-end (server) first or "
			       "create the directory\n", dir, v->path);
		else
			printf("  hint: directory %s does not exist; create "
			       "it (mkdir -p %s) or choose another path\n",
			       dir, dir);
		break;
	case EADDRINUSE:
		printf("  hint: %s is in use by another process; stop it, or "
		       "remove the socket file if it is stale (rm %s)\n",
		       v->path, v->path);
		break;
	case EEXIST:
		if (stat(v->path, &st) == 0 && !S_ISSOCK(st.st_mode))
			printf("  hint: %s exists and is not a socket; remove "
			       "it or choose another path\n", v->path);
		else
			printf("  hint: %s is already used by another port of "
			       "this process\n", v->path);
		break;
	case EACCES:
		printf("  hint: no permission to create a socket in %s\n",
		       dir);
		break;
	default:
		break;
	}
}

/* Log the features turned off only because one they depend on is off. */
static void
vhost_log_dependants(const struct vhp_app_port *port,
		     const struct vhost_priv *v)
{
	uint64_t added = v->features_off_eff & ~v->features_off;
	unsigned int bit;

	if (added == 0 || (v->features_off & VHP_FEATURES_OFFLOAD) ==
	    VHP_FEATURES_OFFLOAD)
		return;
	printf("Port %u: also turning off", port->id);
	for (bit = 0; bit < 64; bit++)
		if (added & (UINT64_C(1) << bit))
			printf(" %s", vhp_feature_name(bit));
	printf(" (they depend on a feature turned off)\n");
}

static void vhost_qcount_rebase(struct vhost_priv *v);

static int
vhost_start(struct vhp_app_port *port)
{
	struct vhost_priv *v = port->priv;
	struct vhp_port_conf conf = {
		.path = v->path,
		.flags = v->flags,
		.queue_pairs = v->queues,
		.features_off = v->features_off,
		.ops = &vhost_ops,
		.ctx = port,
		.name = port->name,
	};
	uint16_t q;
	int err;

	/* Counters survive a restart (the context was zeroed at create). */
	for (q = 0; q < v->queues; q++)
		vhp_swol_init(&v->swol[q], port->pool, VHP_SWOL_CAPA_CKSUM,
			      VHP_SWOL_F_VHOST, vhost_swol_capa, v);
	/* A driver refuses e.g. HOST_TSO4 without CSUM: turn dependants
	 * off too, and say so. */
	v->features_off_eff = vhp_features_off_closure(v->features_off,
		VHP_FEATURES_OFFLOAD & ~(VHOST_F_GUEST_UFO | VHOST_F_HOST_UFO));
	conf.features_off = v->features_off_eff;
	vhost_log_dependants(port, v);
	vhp_app_port_link_set(port, false);
	vhost_qcount_rebase(v);
	v->vp = vhp_port_create(&conf);
	if (v->vp == NULL) {
		err = rte_errno;
		printf("error: port %u: cannot %s vhost-user socket %s: %s\n",
		       port->id, v->flags & VHP_PORT_CLIENT ?
		       "connect to" : "listen on", v->path,
		       rte_strerror(err));
		vhost_explain_error(v, err);
		return -err;
	}
	printf("Port %u: vhost-user %s on %s, %u queue pair%s, features "
	       "off 0x%" PRIx64 "\n", port->id,
	       v->flags & VHP_PORT_CLIENT ? "client" : "server", v->path,
	       v->queues, v->queues == 1 ? "" : "s", v->features_off_eff);
	return 0;
}

static void
vhost_stop(struct vhp_app_port *port)
{
	struct vhost_priv *v = port->priv;

	vhp_port_destroy(v->vp);
	v->vp = NULL;
}

/* Counters of @p cur since @p base. */
static void
vhost_qcount_read(struct vhp_pkt_stats *out, const struct vhp_pkt_stats *cur,
		  const struct vhp_pkt_stats *base)
{
	unsigned int i;

	for (i = 0; i < VHP_PKT_NB_STATS; i++)
		out->v[i] = __atomic_load_n(&cur->v[i], __ATOMIC_RELAXED) -
			base->v[i];
}

/* The packet classes count from now (reset, or a new library port). */
static void
vhost_qcount_rebase(struct vhost_priv *v)
{
	unsigned int q, i;

	for (q = 0; q < VHP_APP_MAX_QUEUES; q++)
		for (i = 0; i < VHP_PKT_NB_STATS; i++) {
			v->qc_base[q].rx.v[i] = __atomic_load_n(
				&v->qc[q].rx.v[i], __ATOMIC_RELAXED);
			v->qc_base[q].tx.v[i] = __atomic_load_n(
				&v->qc[q].tx.v[i], __ATOMIC_RELAXED);
		}
}

static int
vhost_stats_get(struct vhp_app_port *port, struct vhp_app_port_stats *st)
{
	struct vhost_priv *v = port->priv;
	struct vhp_vring_stats rs, ts;
	struct vhp_app_queue_stats *q;
	struct vhp_port_info info;
	uint16_t i;

	st->nb_queues = v->queues;
	if (v->vp == NULL)
		return 0;
	for (i = 0; i < v->queues; i++) {
		/* RX queue i: guest TX ring; TX queue i: guest RX ring. */
		if (vhp_vring_stats_get(v->vp, 2 * i + 1, &rs) != 0 ||
		    vhp_vring_stats_get(v->vp, 2 * i, &ts) != 0)
			return -EINVAL;
		q = &st->queue[i];
		q->rx_packets = rs.packets;
		q->rx_bytes = rs.bytes;
		q->rx_dropped = rs.dropped;
		q->tx_packets = ts.packets;
		q->tx_bytes = ts.bytes;
		q->tx_dropped = ts.dropped + __atomic_load_n(
			&v->swol[i].stats.dropped, __ATOMIC_RELAXED);
		q->errors = rs.errors + ts.errors;
		q->notifications = rs.notifications + ts.notifications;
		q->notifications_suppressed = rs.notifications_suppressed +
			ts.notifications_suppressed;
		q->kicks = rs.kicks + ts.kicks;
		q->rx_errors = rs.errors;
		q->rx_nombuf = rs.alloc_failed;
		q->rx_notifications = rs.notifications;
		q->tx_notifications = ts.notifications;
		q->has_notifications = true;
		q->has_pkt_stats = v->pkt_stats;
		vhost_qcount_read(&q->rx_pkt, &v->qc[i].rx, &v->qc_base[i].rx);
		vhost_qcount_read(&q->tx_pkt, &v->qc[i].tx, &v->qc_base[i].tx);
		st->rx_errors += q->rx_errors;
		st->rx_nombuf += q->rx_nombuf;
		st->rx_packets += q->rx_packets;
		st->rx_bytes += q->rx_bytes;
		st->rx_dropped += q->rx_dropped;
		st->tx_packets += q->tx_packets;
		st->tx_bytes += q->tx_bytes;
		st->tx_dropped += q->tx_dropped;
		st->errors += q->errors;
	}
	if (vhp_port_info_get(v->vp, &info) == 0)
		st->errors += info.errors;
	return 0;
}

static void
vhost_stats_reset(struct vhp_app_port *port)
{
	struct vhost_priv *v = port->priv;

	if (v->vp != NULL)
		vhp_port_stats_reset(v->vp);
	vhost_qcount_rebase(v);
}

static int
vhost_info(struct vhp_app_port *port, struct vhp_app_port_info *info)
{
	struct vhost_priv *v = port->priv;
	struct vhp_port_info pi;

	info->name = v->path;
	if (v->vp == NULL || vhp_port_info_get(v->vp, &pi) != 0) {
		info->link_up = false;
		return 0;
	}
	info->link_up = pi.running;
	return 0;
}

/* Ring state and the error breakdown of one vring. */
static void
vhost_json_vring(struct vhp_json *w, const struct vhp_port *vp,
		 uint16_t vring)
{
	struct vhp_vring_stats st;
	struct vhp_vring_info vi;

	if (vhp_vring_info_get(vp, vring, &vi) != 0 ||
	    vhp_vring_stats_get(vp, vring, &st) != 0)
		return;
	vhp_json_obj_begin(w, NULL);
	vhp_json_u64(w, "vring", vring);
	vhp_json_u64(w, "size", vi.size);
	vhp_json_bool(w, "enabled", vi.enabled);
	vhp_json_bool(w, "ready", vi.ready);
	vhp_json_bool(w, "broken", vi.broken);
	vhp_json_u64(w, "last_avail_idx", vi.last_avail_idx);
	vhp_json_u64(w, "last_used_idx", vi.last_used_idx);
	vhp_json_bool(w, "avail_wrap", vi.avail_wrap);
	vhp_json_bool(w, "used_wrap", vi.used_wrap);
	vhp_json_u64(w, "packets", st.packets);
	vhp_json_u64(w, "dropped", st.dropped);
	vhp_json_u64(w, "errors", st.errors);
	vhp_json_u64(w, "bad_addr", st.bad_addr);
	vhp_json_u64(w, "bad_chain", st.bad_chain);
	vhp_json_u64(w, "bad_indirect", st.bad_indirect);
	vhp_json_u64(w, "bad_index", st.bad_index);
	vhp_json_u64(w, "bad_len", st.bad_len);
	vhp_json_u64(w, "bad_offload", st.bad_offload);
	vhp_json_u64(w, "alloc_failed", st.alloc_failed);
	vhp_json_u64(w, "times_broken", st.broken);
	vhp_json_u64(w, "call_failed", st.call_failed);
	vhp_json_u64(w, "resumed_from_ring", st.resumed);
	vhp_json_obj_end(w);
}

static void
vhost_json(struct vhp_app_port *port, struct vhp_json *w)
{
	struct vhost_priv *v = port->priv;
	struct vhp_vring_info vi;
	struct vhp_port_info pi;
	uint16_t i;

	memset(&pi, 0, sizeof(pi));
	if (v->vp != NULL)
		vhp_port_info_get(v->vp, &pi);
	vhp_json_str(w, "path", v->path);
	vhp_json_bool(w, "client", (v->flags & VHP_PORT_CLIENT) != 0);
	vhp_json_bool(w, "connected", pi.connected);
	vhp_json_bool(w, "running", pi.running);
	vhp_json_u64(w, "status", pi.status);
	vhp_json_hex(w, "features", pi.features);
	vhp_json_hex(w, "protocol_features", pi.protocol_features);
	vhp_json_hex(w, "features_offered", pi.features_offered);
	vhp_json_str(w, "ring", pi.ring == VHP_RING_PACKED ?
		     "packed" : "split");
	vhp_json_u64(w, "nr_vrings", pi.nr_vrings);
	vhp_json_u64(w, "connections", pi.connections);
	vhp_json_u64(w, "protocol_errors", pi.errors);
	vhp_json_u64(w, "mem_regions", pi.mem_regions);
	vhp_json_u64(w, "mtu", pi.mtu);
	vhp_json_bool(w, "dirty_logging", pi.logging);
	vhp_json_arr_begin(w, "numa");
	for (i = 0; i < 2 * v->queues; i++) {
		if (v->vp != NULL && vhp_vring_info_get(v->vp, i, &vi) == 0)
			vhp_json_i64(w, NULL, vi.numa_node);
		else
			vhp_json_i64(w, NULL, -1);
	}
	vhp_json_arr_end(w);
	vhp_json_hex(w, "features_off", v->features_off_eff);
	vhp_swol_json(w, "gso", v->swol, v->queues);
	vhp_json_arr_begin(w, "vrings");
	for (i = 0; v->vp != NULL && i < 2 * v->queues; i++)
		vhost_json_vring(w, v->vp, i);
	vhp_json_arr_end(w);
}

/* The guest kicks on its TX ring (our RX) wake a sleeping lcore. */
static int
vhost_idle_add(struct vhp_app_port *port, uint16_t queue,
	       struct vhp_idle *idle)
{
	struct vhost_priv *v = port->priv;

	if (v->vp == NULL)
		return -ENODEV;
	return vhp_idle_add(idle, v->vp, (uint16_t)(2 * queue + 1));
}

static void
vhost_close(struct vhp_app_port *port)
{
	free(port->priv);
	port->priv = NULL;
}

const struct vhp_app_port_driver vhp_vhost_driver = {
	.name = "vhost",
	.usage = "PATH[,queues=N][,client=1][,features-off=NAME|NAME...]"
		 "[,offloads=0][,pkt-stats=0]",
	.create = vhost_create,
	.start = vhost_start,
	.stop = vhost_stop,
	.rx_burst = vhost_rx_burst,
	.tx_burst = vhost_tx_burst,
	.stats_get = vhost_stats_get,
	.stats_reset = vhost_stats_reset,
	.info = vhost_info,
	.json = vhost_json,
	.idle_add = vhost_idle_add,
	.close = vhost_close,
};
