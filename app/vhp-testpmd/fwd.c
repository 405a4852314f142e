/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streams, their lcore assignment, and the polling loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <vhp.h>

#include "fwd.h"
#include "pool.h"

/*
 * With more than FWD_SKIP_MIN_STREAMS running streams on a lcore, a stream
 * that received nothing for FWD_IDLE_STREAM_US moves from the busy part of
 * the lcore's slot array to the idle part. Every loop polls each busy
 * stream, and idle streams in turn, ceil(idle / FWD_IDLE_STREAM_EVERY) of
 * them, so that each is polled once every FWD_IDLE_STREAM_EVERY loops; one
 * that receives moves back. Tens of idle guests then cost the busy ones
 * about two empty bursts a loop, not one each (several cache misses each
 * once the ports outgrow L1), and nothing per idle stream otherwise. The
 * first packet after such a pause waits at most that many loops.
 */
#define FWD_SKIP_MIN_STREAMS	2
#define FWD_IDLE_STREAM_US	1000
#define FWD_IDLE_STREAM_EVERY	32

/** A running stream in a lcore's loop. */
struct fwd_slot {
	struct fwd_stream *fs;
	uint64_t last_rx_tsc;	/* last burst that moved packets */
};

/** One polling lcore and its (contiguous) streams. */
struct fwd_lcore {
	unsigned int lcore_id;
	unsigned int first;	/* first stream index */
	unsigned int nb;	/* number of streams */
	bool launched;
	/* Sleeps when idle (--idle-mode); NULL: polls. */
	struct vhp_idle *idle;
	/* Why it cannot sleep (a port without a wake-up source), or NULL. */
	const char *no_sleep;
	/* Counters of the last run's idle object (kept after stop). */
	struct vhp_idle_stats idle_stats;
	bool had_idle;
	/* Streams whose ports run: the loop visits only these. */
	struct fwd_slot *active;
	unsigned int nb_active;
};

static struct fwd_stream *streams;
static unsigned int nb_streams;
static struct fwd_lcore fwd_lcores[RTE_MAX_LCORE];
static unsigned int nb_fwd_lcores;
static const struct fwd_engine *engine;
static const struct app_config *fwd_cfg;
static bool running;
static bool record_cycles = true;
static uint32_t stop_flag;
static uint64_t start_tsc, stop_tsc;
static enum vhp_idle_mode idle_mode = VHP_IDLE_POLL;
static void fwd_lcores_idle_free(void);
static uint32_t idle_polls = APP_DEFAULT_IDLE_POLLS;

const struct fwd_engine *
fwd_engine(void)
{
	return engine;
}

unsigned int
fwd_nb_streams(void)
{
	return nb_streams;
}

const struct fwd_stream *
fwd_stream_get(unsigned int i)
{
	return i < nb_streams ? &streams[i] : NULL;
}

bool
fwd_running(void)
{
	return running;
}

/* Stream list before the lcore assignment. */
struct raw_stream {
	uint16_t rx_port, rx_queue, tx_port, tx_queue;
	unsigned int group;	/* streams sharing a TX queue */
	unsigned int core;	/* index into fwd_lcores */
};

static int
raw_core_cmp(const void *a, const void *b)
{
	const struct raw_stream *x = a, *y = b;

	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	/* qsort is not stable: keep queue/port order within a core. */
	if (x->rx_queue != y->rx_queue)
		return x->rx_queue < y->rx_queue ? -1 : 1;
	return x->rx_port < y->rx_port ? -1 : x->rx_port > y->rx_port;
}

int
fwd_config_setup(const struct app_config *cfg)
{
	struct raw_stream *raw;
	unsigned int nb_workers, nb_groups = 0, i, j, lcore;
	uint16_t nb_ports = vhp_app_nb_ports(), p, q, peer, max_q = 0;
	struct vhp_app_port *rx, *tx;

	if (running)
		return -EBUSY;
	fwd_config_free();
	engine = fwd_engine_find(cfg->fwd_mode);
	if (engine == NULL)
		return -EINVAL;
	fwd_cfg = cfg;
	nb_workers = rte_lcore_count() - 1;
	if (cfg->nb_cores > nb_workers) {
		printf("error: --nb-cores=%u but EAL has only %u worker "
		       "lcore%s (the main lcore %u only supervises); give "
		       "more lcores with -l (e.g. -l 0-%u)\n", cfg->nb_cores,
		       nb_workers, nb_workers == 1 ? "" : "s",
		       rte_get_main_lcore(), cfg->nb_cores);
		return -EINVAL;
	}
	if (engine->max_lcores != 0 && cfg->nb_cores > engine->max_lcores) {
		printf("error: %s forwarding runs on at most %u lcore%s: it "
		       "transmits on the TX queues of every port, which two "
		       "lcores must never share; use --nb-cores=%u\n",
		       engine->name, engine->max_lcores,
		       engine->max_lcores == 1 ? "" : "s", engine->max_lcores);
		return -EINVAL;
	}
	if (engine->setup != NULL && engine->setup(cfg) != 0)
		return -EINVAL;
	raw = calloc(FWD_MAX_STREAMS, sizeof(*raw));
	if (raw == NULL)
		return -ENOMEM;
	/* Queue-major order, as testpmd's RSS forwarding configuration:
	 * a core's block then holds both directions of its queues. */
	nb_streams = 0;
	for (p = 0; p < nb_ports; p++)
		max_q = RTE_MAX(max_q, vhp_app_port_get(p)->nb_rxq);
	for (q = 0; q < max_q; q++) {
		for (p = 0; p < nb_ports; p++) {
			struct raw_stream *s = &raw[nb_streams];

			peer = !engine->reflect &&
				(uint16_t)(p ^ 1) < nb_ports ?
				(uint16_t)(p ^ 1) : p;
			rx = vhp_app_port_get(p);
			tx = vhp_app_port_get(peer);
			if (q >= rx->nb_rxq)
				continue;
			s->rx_port = p;
			s->rx_queue = q;
			s->tx_port = peer;
			s->tx_queue = q % tx->nb_txq;
			s->group = nb_groups;
			for (j = 0; j < nb_streams; j++) {
				if (raw[j].tx_port == s->tx_port &&
				    raw[j].tx_queue == s->tx_queue) {
					s->group = raw[j].group;
					break;
				}
			}
			if (s->group == nb_groups)
				nb_groups++;
			nb_streams++;
		}
	}
	nb_fwd_lcores = RTE_MIN(cfg->nb_cores, nb_groups);
	if (nb_fwd_lcores < cfg->nb_cores)
		printf("warning: %u streams can use only %u of --nb-cores=%u "
		       "lcores\n", nb_streams, nb_fwd_lcores, cfg->nb_cores);
	/* Contiguous blocks of TX-queue groups per lcore, as testpmd. */
	for (i = 0; i < nb_streams; i++)
		raw[i].core = raw[i].group * nb_fwd_lcores / nb_groups;
	qsort(raw, nb_streams, sizeof(*raw), raw_core_cmp);

	streams = rte_zmalloc("fwd_streams", nb_streams * sizeof(*streams),
			      RTE_CACHE_LINE_SIZE);
	if (streams == NULL) {
		free(raw);
		printf("error: out of memory for %u streams\n", nb_streams);
		return -ENOMEM;
	}
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == nb_fwd_lcores)
			break;
		fwd_lcores[i] = (struct fwd_lcore){ .lcore_id = lcore };
		i++;
	}
	for (i = 0; i < nb_streams; i++) {
		struct fwd_stream *fs = &streams[i];
		struct fwd_lcore *lc = &fwd_lcores[raw[i].core];

		if (lc->nb == 0)
			lc->first = i;
		lc->nb++;
		fs->rx_port = vhp_app_port_get(raw[i].rx_port);
		fs->tx_port = vhp_app_port_get(raw[i].tx_port);
		fs->rx_queue = raw[i].rx_queue;
		fs->tx_queue = raw[i].tx_queue;
		fs->lcore_id = lc->lcore_id;
	}
	free(raw);
	/* A port's mbufs come from the node of its first polling lcore. */
	for (p = 0; p < nb_ports; p++) {
		rx = vhp_app_port_get(p);
		rx->socket_id = (int)rte_socket_id();
		for (i = 0; i < nb_streams; i++) {
			if (streams[i].rx_port == rx) {
				rx->socket_id = (int)rte_lcore_to_socket_id(
					streams[i].lcore_id);
				break;
			}
		}
		if (rx->socket_id < 0)
			rx->socket_id = 0;
	}
	return 0;
}

int
fwd_streams_init(void)
{
	const struct app_config *cfg = fwd_cfg;
	unsigned int i;

	for (i = 0; i < nb_streams; i++) {
		struct fwd_stream *fs = &streams[i];

		fs->burst = cfg->burst;
		fs->tx_retry = cfg->tx_retry;
		fs->tx_len = cfg->txpkts;
		fs->src_mac = fs->tx_port->mac;
		fs->dst_mac = cfg->peer[fs->tx_port->id];
		fs->tx_pool = vhp_app_pool_get(fs->tx_port->socket_id);
		if (fs->tx_pool == NULL)
			return -ENOMEM;
		fs->tx_template = rte_malloc_socket("fwd_template",
			fs->tx_len, RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(fs->lcore_id));
		if (fs->tx_template == NULL) {
			printf("error: out of memory for txonly templates\n");
			return -ENOMEM;
		}
		fwd_txonly_template(fs->tx_template, fs->tx_len,
				    &fs->src_mac, &fs->dst_mac);
		fs->tx_first_pkts = rte_zmalloc("fwd_tx_first",
			fs->burst * sizeof(*fs->tx_first_pkts), 0);
		if (fs->tx_first_pkts == NULL) {
			printf("error: out of memory for --tx-first\n");
			return -ENOMEM;
		}
	}
	return 0;
}

void
fwd_config_free(void)
{
	unsigned int i;

	for (i = 0; i < nb_streams; i++) {
		rte_free(streams[i].tx_template);
		rte_free(streams[i].tx_first_pkts);
	}
	fwd_lcores_idle_free();
	rte_free(streams);
	streams = NULL;
	nb_streams = 0;
	nb_fwd_lcores = 0;
}

void
fwd_config_show(FILE *f)
{
	unsigned int i, j;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	fprintf(f, "%s packet forwarding - ports=%u - cores=%u - streams=%u "
		"- NUMA support enabled\n", engine->name, vhp_app_nb_ports(),
		nb_fwd_lcores, nb_streams);
	for (i = 0; i < nb_fwd_lcores; i++) {
		const struct fwd_lcore *lc = &fwd_lcores[i];

		fprintf(f, "Logical Core %u (socket %u) forwards packets on "
			"%u streams:\n", lc->lcore_id,
			rte_lcore_to_socket_id(lc->lcore_id), lc->nb);
		for (j = lc->first; j < lc->first + lc->nb; j++) {
			const struct fwd_stream *fs = &streams[j];

			rte_ether_format_addr(mac, sizeof(mac), &fs->dst_mac);
			fprintf(f, "  RX P=%u/Q=%u (socket %d) -> TX P=%u/"
				"Q=%u (socket %d) peer=%s\n", fs->rx_port->id,
				fs->rx_queue, fs->rx_port->socket_id,
				fs->tx_port->id, fs->tx_queue,
				fs->tx_port->socket_id, mac);
		}
	}
	fflush(f);
}

/*
 * The --tx-first burst: generated once the TX port's peer is running, then
 * offered on every iteration until all of it was taken (a guest may post
 * its RX buffers a little after the device is ready).
 */
static void
fwd_tx_first(struct fwd_stream *fs)
{
	uint16_t sent;

	if (!vhp_app_port_link_get(fs->tx_port))
		return;
	if (fs->tx_first_nb == 0) {
		if (fwd_txonly_alloc(fs, fs->tx_first_pkts, fs->burst) != 0)
			return;
		fs->tx_first_nb = fs->burst;
		fs->tx_first_sent = 0;
	}
	sent = vhp_app_tx_burst(fs->tx_port, fs->tx_queue,
				fs->tx_first_pkts + fs->tx_first_sent,
				fs->tx_first_nb - fs->tx_first_sent);
	fwd_counter_add(&fs->tx_packets, sent);
	fs->tx_first_sent += sent;
	if (fs->tx_first_sent < fs->tx_first_nb)
		return;
	/* Burst done: generate the next one, if any, on the next pass. */
	fs->tx_first_nb = 0;
	fs->tx_first_sent = 0;
	if (fs->tx_first_left <= 1) {
		fs->tx_first_left = 0;
		fs->tx_first_pending = false;
	} else {
		fs->tx_first_left--;
	}
}

/* Free (and count as dropped) what is left of the --tx-first burst. */
static void
fwd_tx_first_flush(struct fwd_stream *fs)
{
	if (fs->tx_first_sent < fs->tx_first_nb) {
		fwd_counter_add(&fs->fwd_dropped,
				fs->tx_first_nb - fs->tx_first_sent);
		rte_pktmbuf_free_bulk(fs->tx_first_pkts + fs->tx_first_sent,
				      fs->tx_first_nb - fs->tx_first_sent);
	}
	fs->tx_first_nb = 0;
	fs->tx_first_sent = 0;
	fs->tx_first_left = 0;
	fs->tx_first_pending = false;
}

/*
 * A stream is visited while its RX port runs (a transmit-only engine:
 * while its TX port runs), and while a --tx-first burst is pending.
 */
static bool
fwd_stream_active(const struct fwd_stream *fs)
{
	return vhp_app_port_link_get(fs->rx_port) ||
		(engine->counts_tx && vhp_app_port_link_get(fs->tx_port)) ||
		fs->tx_first_pending;
}

static void
fwd_active_rebuild(struct fwd_lcore *lc)
{
	const uint64_t now = rte_rdtsc();
	unsigned int i, n = 0;

	for (i = 0; i < lc->nb; i++) {
		struct fwd_stream *fs = &streams[lc->first + i];

		if (fwd_stream_active(fs))
			lc->active[n++] = (struct fwd_slot){
				.fs = fs, .last_rx_tsc = now };
	}
	__atomic_store_n(&lc->nb_active, n, __ATOMIC_RELAXED);
}

/* One poll of a stream: its tx_first burst if pending, then a burst. */
static __rte_always_inline uint16_t
fwd_slot_poll(struct fwd_stream *fs, uint16_t (*pkt_burst)(struct fwd_stream *),
	      bool record, uint32_t *nb_pkts)
{
	uint64_t tsc;
	uint16_t n;

	if (unlikely(fs->tx_first_pending)) {
		fwd_tx_first(fs);
		(*nb_pkts)++;	/* not idle */
	}
	if (record) {
		tsc = rte_rdtsc();
		n = pkt_burst(fs);
		if (n != 0)
			fwd_counter_add(&fs->busy_cycles, rte_rdtsc() - tsc);
	} else {
		n = pkt_burst(fs);
	}
	*nb_pkts += n;
	return n;
}

static __rte_always_inline void
fwd_slot_swap(struct fwd_slot *a, struct fwd_slot *b)
{
	struct fwd_slot t = *a;

	*a = *b;
	*b = t;
}

static int
fwd_lcore_main(void *arg)
{
	struct fwd_lcore *lc = arg;
	uint16_t (*pkt_burst)(struct fwd_stream *) = engine->pkt_burst;
	struct vhp_idle *idle = lc->idle;
	struct fwd_slot *active = lc->active;
	const bool record = record_cycles;
	const uint64_t idle_tsc = rte_get_tsc_hz() / 1000000 *
		FWD_IDLE_STREAM_US;
	/* active[0, nb_busy): polled every loop; [nb_busy, nb): in turn */
	unsigned int nb, nb_busy, i, k, cursor = 0;
	uint32_t gen, nb_pkts;
	uint64_t now = 0;
	bool skipping;
	int ret;

	ret = vhp_thread_register();
	if (ret != 0) {
		printf("error: lcore %u: vhp_thread_register: %s\n",
		       lc->lcore_id, strerror(-ret));
		return ret;
	}
	gen = __atomic_load_n(&vhp_app_link_gen, __ATOMIC_ACQUIRE);
	fwd_active_rebuild(lc);
	nb = nb_busy = lc->nb_active;
	skipping = nb > FWD_SKIP_MIN_STREAMS;
	while (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
		/* A link went up or down: visit the running ports only. */
		if (unlikely(gen != __atomic_load_n(&vhp_app_link_gen,
						    __ATOMIC_ACQUIRE))) {
			gen = __atomic_load_n(&vhp_app_link_gen,
					      __ATOMIC_ACQUIRE);
			fwd_active_rebuild(lc);
			nb = nb_busy = lc->nb_active;
			skipping = nb > FWD_SKIP_MIN_STREAMS;
		}
		nb_pkts = 0;
		if (!skipping) {
			for (i = 0; i < nb; i++)
				fwd_slot_poll(active[i].fs, pkt_burst, record,
					      &nb_pkts);
			goto loop_end;
		}
		now = rte_rdtsc();
		for (i = 0; i < nb_busy; ) {
			struct fwd_slot *sl = &active[i];

			if (fwd_slot_poll(sl->fs, pkt_burst, record,
					  &nb_pkts) != 0) {
				sl->last_rx_tsc = now;
			} else if (now - sl->last_rx_tsc > idle_tsc) {
				/* Idle: to the idle part; the busy slot
				 * swapped in is polled next. */
				fwd_slot_swap(sl, &active[--nb_busy]);
				continue;
			}
			i++;
		}
		for (k = (nb - nb_busy + FWD_IDLE_STREAM_EVERY - 1) /
			 FWD_IDLE_STREAM_EVERY; k > 0; k--) {
			struct fwd_slot *sl;

			if (cursor < nb_busy || cursor >= nb)
				cursor = nb_busy;
			sl = &active[cursor];
			if (fwd_slot_poll(sl->fs, pkt_burst, record,
					  &nb_pkts) == 0) {
				cursor++;
				continue;
			}
			/* Received: back to the busy part. The first idle
			 * slot comes to the cursor (polled next). */
			sl->last_rx_tsc = now;
			fwd_slot_swap(sl, &active[nb_busy++]);
		}
loop_end:
		vhp_thread_quiescent();
		if (idle != NULL)
			vhp_idle_loop_end(idle, nb_pkts);
	}
	for (i = 0; i < lc->nb; i++)
		fwd_tx_first_flush(&streams[lc->first + i]);
	vhp_thread_offline();
	vhp_thread_unregister();
	return 0;
}

/* Free the idle objects and active lists (the lcores do not run). */
static void
fwd_lcores_idle_free(void)
{
	unsigned int i;

	for (i = 0; i < nb_fwd_lcores; i++) {
		if (fwd_lcores[i].idle != NULL)
			vhp_idle_stats_get(fwd_lcores[i].idle,
					   &fwd_lcores[i].idle_stats);
		vhp_idle_free(fwd_lcores[i].idle);
		fwd_lcores[i].idle = NULL;
		free(fwd_lcores[i].active);
		fwd_lcores[i].active = NULL;
		fwd_lcores[i].nb_active = 0;
	}
}

/*
 * Before the launch: each lcore's active list and, unless it polls, its
 * idle object with the RX queues of its streams. A lcore with a stream
 * whose port has no wake-up source (pcap, ethdev) keeps polling.
 */
static int
fwd_lcores_prepare(void)
{
	const struct vhp_idle_conf conf = {
		.mode = idle_mode, .idle_polls = idle_polls };
	unsigned int i, j;
	int ret;

	for (i = 0; i < nb_fwd_lcores; i++) {
		struct fwd_lcore *lc = &fwd_lcores[i];

		lc->no_sleep = NULL;
		lc->had_idle = false;
		memset(&lc->idle_stats, 0, sizeof(lc->idle_stats));
		lc->active = calloc(RTE_MAX(lc->nb, 1u), sizeof(*lc->active));
		if (lc->active == NULL)
			goto nomem;
		if (idle_mode == VHP_IDLE_POLL)
			continue;
		for (j = lc->first; j < lc->first + lc->nb; j++)
			if (streams[j].rx_port->driver->idle_add == NULL) {
				lc->no_sleep = streams[j].rx_port->driver->name;
				break;
			}
		if (lc->no_sleep != NULL) {
			printf("warning: lcore %u polls a %s port, which has no "
			       "wake-up event: it keeps polling (--idle-mode="
			       "%s applies to lcores with vhost ports only)\n",
			       lc->lcore_id, lc->no_sleep,
			       vhp_idle_mode_name(idle_mode));
			continue;
		}
		lc->idle = vhp_idle_create(&conf, (int)rte_lcore_to_socket_id(
						   lc->lcore_id));
		if (lc->idle == NULL)
			goto nomem;
		lc->had_idle = true;
		for (j = lc->first; j < lc->first + lc->nb; j++) {
			struct fwd_stream *fs = &streams[j];

			ret = fs->rx_port->driver->idle_add(fs->rx_port,
							    fs->rx_queue,
							    lc->idle);
			if (ret != 0) {
				printf("error: lcore %u: port %u queue %u "
				       "cannot wake it up (%s): use "
				       "--idle-mode=poll\n", lc->lcore_id,
				       fs->rx_port->id, fs->rx_queue,
				       strerror(-ret));
				fwd_lcores_idle_free();
				return ret;
			}
		}
	}
	return 0;
nomem:
	printf("error: out of memory for the polling lcores\n");
	fwd_lcores_idle_free();
	return -ENOMEM;
}

int
fwd_idle_mode_set(enum vhp_idle_mode mode, uint32_t polls)
{
	if (vhp_idle_mode_name(mode) == NULL || polls > APP_MAX_IDLE_POLLS)
		return -EINVAL;
	idle_mode = mode;
	if (polls != 0)
		idle_polls = polls;
	return 0;
}

void
fwd_idle_mode_get(enum vhp_idle_mode *mode, uint32_t *polls)
{
	*mode = idle_mode;
	*polls = idle_polls;
}

unsigned int
fwd_idle_lcores(void)
{
	return nb_fwd_lcores;
}

int
fwd_idle_lcore_get(unsigned int i, struct fwd_idle_info *info)
{
	const struct fwd_lcore *lc;

	if (i >= nb_fwd_lcores)
		return -EINVAL;
	lc = &fwd_lcores[i];
	memset(info, 0, sizeof(*info));
	info->lcore_id = lc->lcore_id;
	info->nb_streams = lc->nb;
	info->nb_active = __atomic_load_n(&lc->nb_active, __ATOMIC_RELAXED);
	info->no_sleep = lc->no_sleep;
	info->can_sleep = lc->had_idle;
	if (lc->idle != NULL)
		vhp_idle_stats_get(lc->idle, &info->stats);
	else
		info->stats = lc->idle_stats;
	if (!lc->had_idle)
		info->stats.mode = VHP_IDLE_POLL;
	return 0;
}

void
fwd_record_cycles_set(bool on)
{
	record_cycles = on;
}

bool
fwd_record_cycles(void)
{
	return record_cycles;
}

int
fwd_start(void)
{
	return fwd_start_tx_first(fwd_cfg != NULL && fwd_cfg->tx_first ? 1 : 0);
}

int
fwd_start_tx_first(uint32_t nb_bursts)
{
	unsigned int i;
	int ret;

	if (running)
		return 0;
	for (i = 0; i < nb_streams; i++) {
		struct fwd_stream *fs = &streams[i];

		fs->rx_packets = 0;
		fs->tx_packets = 0;
		fs->fwd_dropped = 0;
		fs->busy_cycles = 0;
		fs->alloc_failed = 0;
		fs->tx_first_pending = nb_bursts != 0;
		fs->tx_first_left = nb_bursts;
		fs->tx_first_nb = 0;
		fs->tx_first_sent = 0;
	}
	if (engine->begin != NULL)
		engine->begin();
	ret = fwd_lcores_prepare();
	if (ret != 0)
		return ret;
	__atomic_store_n(&stop_flag, 0, __ATOMIC_RELEASE);
	start_tsc = rte_rdtsc();
	stop_tsc = 0;
	for (i = 0; i < nb_fwd_lcores; i++) {
		ret = rte_eal_remote_launch(fwd_lcore_main, &fwd_lcores[i],
					    fwd_lcores[i].lcore_id);
		if (ret != 0) {
			printf("error: cannot launch lcore %u: %s\n",
			       fwd_lcores[i].lcore_id, strerror(-ret));
			running = true;
			fwd_stop();
			return ret;
		}
		fwd_lcores[i].launched = true;
	}
	running = true;
	return 0;
}

void
fwd_stop(void)
{
	unsigned int i;

	if (!running)
		return;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nb_fwd_lcores; i++)
		vhp_idle_wake(fwd_lcores[i].idle);	/* if it sleeps */
	for (i = 0; i < nb_fwd_lcores; i++) {
		if (fwd_lcores[i].launched)
			rte_eal_wait_lcore(fwd_lcores[i].lcore_id);
		fwd_lcores[i].launched = false;
	}
	fwd_lcores_idle_free();
	stop_tsc = rte_rdtsc();
	running = false;
}

void
fwd_totals_get(struct fwd_totals *t)
{
	unsigned int i;
	uint64_t end;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nb_streams; i++) {
		const struct fwd_stream *fs = &streams[i];

		t->rx_packets += fwd_counter_read(&fs->rx_packets);
		t->tx_packets += fwd_counter_read(&fs->tx_packets);
		t->fwd_dropped += fwd_counter_read(&fs->fwd_dropped);
		t->busy_cycles += fwd_counter_read(&fs->busy_cycles);
	}
	t->fwd_packets = engine != NULL && engine->counts_tx ?
		t->tx_packets : t->rx_packets;
	t->tsc_hz = rte_get_tsc_hz();
	end = running || stop_tsc == 0 ? rte_rdtsc() : stop_tsc;
	t->duration_s = start_tsc != 0 && t->tsc_hz != 0 ?
		(double)(end - start_tsc) / (double)t->tsc_hz : 0.0;
}

uint64_t
fwd_port_dropped(uint16_t port_id)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < nb_streams; i++)
		if (streams[i].tx_port->id == port_id)
			sum += fwd_counter_read(&streams[i].fwd_dropped);
	return sum;
}
