/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * switch engine: MAC-learning L2 switch across all ports (see
 * fwd_switch.h for the table layout and its concurrency).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "fwd_switch.h"
#include "json.h"

#define MAC_MASK	(VHP_SWITCH_MAC_TABLE_SIZE - 1)
#define KEY_IN_USE	(UINT64_C(1) << 48)
/* Group (multicast/broadcast) bit of the first address byte, in a key. */
#define KEY_GROUP	(UINT64_C(1) << 40)
/* Slots the sweep examines per burst. */
#define SWEEP_SLOTS	4
/* Last-seen time of a static entry: in the future, it never ages. */
#define STATIC_MS	((UINT64_C(1) << 48) - 1)
/* Longest interval between refreshes of a station's last-seen time. */
#define REFRESH_MAX_MS	UINT64_C(1000)

/* A slot: see fwd_switch.h. */
struct mac_slot {
	uint64_t key;	/* MAC | KEY_IN_USE, 0: free */
	uint64_t val;	/* ms << 16 | (port + 1), 0: none */
};

/* Counters written by the forwarding lcore only. */
struct switch_counters {
	struct vhp_switch_port_stats port[VHP_SWITCH_MAX_PORTS];
	struct vhp_switch_table_stats table;
} __rte_cache_aligned;

/* Frames waiting for one port's tx_burst. */
struct switch_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[APP_MAX_BURST];
};

static struct mac_slot mac_table[VHP_SWITCH_MAC_TABLE_SIZE]
	__rte_cache_aligned;
static struct switch_counters counters;
/* The counters at the last rebase ("clear port/fwd stats"): main lcore. */
static struct switch_counters counters_base;
/* Used by the one forwarding lcore only (fwd_switch.h: one lcore). */
static struct switch_txbuf txbuf[VHP_SWITCH_MAX_PORTS];
static struct vhp_app_port *sw_ports[VHP_SWITCH_MAX_PORTS];
static uint16_t sw_nb_ports;
static uint32_t sweep_next;
static uint64_t age_ms = (uint64_t)APP_DEFAULT_MAC_AGE * 1000; /* 0: none */
static uint64_t refresh_ms = REFRESH_MAX_MS;
static uint64_t tsc_per_ms;
/* Static entries ("mac table add"), put back whenever the table is
 * emptied; written only while no switch lcore runs. */
static struct {
	uint64_t key;
	uint16_t port;
} statics[VHP_SWITCH_MAX_STATIC];
static unsigned int nb_statics;

static inline uint64_t
mac_key(const struct rte_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	return KEY_IN_USE | (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
		(uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 |
		(uint64_t)b[4] << 8 | (uint64_t)b[5];
}

static inline void
key_mac(uint64_t key, struct rte_ether_addr *a)
{
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		a->addr_bytes[i] = (uint8_t)(key >> (40 - 8 * i));
}

static inline uint32_t
mac_hash(uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 52) &
		MAC_MASK;
}

static inline uint64_t
val_make(uint64_t now, uint16_t port)
{
	return now << 16 | (uint64_t)(port + 1);
}

static inline uint16_t
val_port(uint64_t val)
{
	return (uint16_t)((val & 0xffff) - 1);
}

static inline uint64_t
val_ms(uint64_t val)
{
	return val >> 16;
}

/* A reader's "now" may precede a stamp the lcore has just written. */
static inline bool
val_live(uint64_t val, uint64_t now)
{
	uint64_t t = val_ms(val);

	return val != 0 && (age_ms == 0 || now <= t || now - t <= age_ms);
}

static inline uint64_t
now_ms(void)
{
	return tsc_per_ms != 0 ? rte_rdtsc() / tsc_per_ms : 0;
}

static inline uint64_t
load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Clear a slot (writer): key first, so readers never see a new pair. */
static inline void
slot_clear(struct mac_slot *s)
{
	__atomic_store_n(&s->key, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->val, 0, __ATOMIC_RELEASE);
}

/* Port of @p key, or -1 when unknown or aged. Writer lcore. */
static inline int
table_lookup(uint64_t key, uint64_t now)
{
	uint32_t h = mac_hash(key), i;
	const struct mac_slot *s;

	for (i = 0; i < VHP_SWITCH_MAC_PROBE; i++) {
		s = &mac_table[(h + i) & MAC_MASK];
		if (s->key == key)
			return val_live(s->val, now) ? val_port(s->val) : -1;
	}
	return -1;
}

/* Learn @p key on @p port. Writer lcore. */
static inline void
table_learn(uint64_t key, uint16_t port, uint64_t now)
{
	struct vhp_switch_table_stats *ts = &counters.table;
	struct mac_slot *s, *free_slot = NULL;
	uint32_t h = mac_hash(key), i;
	uint64_t val;

	for (i = 0; i < VHP_SWITCH_MAC_PROBE; i++) {
		s = &mac_table[(h + i) & MAC_MASK];
		if (s->key == key) {
			val = s->val;
			if (unlikely(val_ms(val) == STATIC_MS))
				return;		/* static: never moves */
			if (val == 0 || val_port(val) != port) {
				if (val != 0)
					fwd_counter_add(&ts->moved, 1);
				__atomic_store_n(&s->val, val_make(now, port),
						 __ATOMIC_RELEASE);
			} else if (now - val_ms(val) >= refresh_ms) {
				__atomic_store_n(&s->val, val_make(now, port),
						 __ATOMIC_RELEASE);
			}
			return;
		}
		if (free_slot == NULL && (s->key == 0 || !val_live(s->val, now)))
			free_slot = s;
	}
	if (unlikely(free_slot == NULL)) {
		fwd_counter_add(&ts->table_full, 1);
		return;
	}
	if (free_slot->key != 0) {
		fwd_counter_add(&ts->aged, 1);
		slot_clear(free_slot);
	}
	__atomic_store_n(&free_slot->val, val_make(now, port),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&free_slot->key, key, __ATOMIC_RELEASE);
	fwd_counter_add(&ts->learned, 1);
}

/* Remove aged entries, a few slots per call. Writer lcore. */
static inline void
table_sweep(uint64_t now)
{
	struct mac_slot *s;
	unsigned int i;

	if (age_ms == 0)
		return;
	for (i = 0; i < SWEEP_SLOTS; i++) {
		s = &mac_table[sweep_next];
		sweep_next = (sweep_next + 1) & MAC_MASK;
		if (s->key != 0 && !val_live(s->val, now)) {
			slot_clear(s);
			fwd_counter_add(&counters.table.aged, 1);
		}
	}
}

void
vhp_switch_mac_age_set(uint32_t seconds)
{
	age_ms = (uint64_t)seconds * 1000;
}

/* True while a switch lcore owns the table. */
static bool
switch_running(void)
{
	return fwd_running() && fwd_engine() != NULL &&
		fwd_engine()->pkt_burst == fwd_switch_burst;
}

/* Put a static entry in the table (no lcore runs). 0 or -ENOSPC. */
static int
static_put(uint64_t key, uint16_t port)
{
	uint32_t h = mac_hash(key), i;
	struct mac_slot *s, *free_slot = NULL;
	uint64_t now = now_ms();

	for (i = 0; i < VHP_SWITCH_MAC_PROBE; i++) {
		s = &mac_table[(h + i) & MAC_MASK];
		if (s->key == key) {
			free_slot = s;
			break;
		}
		if (free_slot == NULL &&
		    (s->key == 0 || !val_live(s->val, now)))
			free_slot = s;
	}
	if (free_slot == NULL)
		return -ENOSPC;
	if (free_slot->key != key)
		slot_clear(free_slot);
	__atomic_store_n(&free_slot->val, val_make(STATIC_MS, port),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&free_slot->key, key, __ATOMIC_RELEASE);
	return 0;
}

static void
statics_apply(void)
{
	unsigned int i;

	for (i = 0; i < nb_statics; i++)
		static_put(statics[i].key, statics[i].port);
}

int
vhp_switch_mac_static_add(const struct rte_ether_addr *mac, uint16_t port)
{
	uint64_t key = mac_key(mac);
	unsigned int i;

	if (switch_running())
		return -EBUSY;
	if (key & KEY_GROUP)
		return -EINVAL;
	for (i = 0; i < nb_statics && statics[i].key != key; i++)
		;
	if (i == nb_statics && nb_statics == VHP_SWITCH_MAX_STATIC)
		return -ENOSPC;
	if (static_put(key, port) != 0)
		return -ENOSPC;
	statics[i].key = key;
	statics[i].port = port;
	if (i == nb_statics)
		nb_statics++;
	return 0;
}

int
vhp_switch_mac_static_del(const struct rte_ether_addr *mac)
{
	uint64_t key = mac_key(mac);
	uint32_t h = mac_hash(key), i;

	if (switch_running())
		return -EBUSY;
	for (i = 0; i < nb_statics && statics[i].key != key; i++)
		;
	if (i == nb_statics)
		return -ENOENT;
	statics[i] = statics[--nb_statics];
	for (i = 0; i < VHP_SWITCH_MAC_PROBE; i++)
		if (mac_table[(h + i) & MAC_MASK].key == key)
			slot_clear(&mac_table[(h + i) & MAC_MASK]);
	return 0;
}

int
fwd_switch_setup(const struct app_config *cfg)
{
	uint16_t p;

	RTE_BUILD_BUG_ON(VHP_SWITCH_MAX_PORTS > 32);
	RTE_BUILD_BUG_ON((VHP_SWITCH_MAC_TABLE_SIZE &
			  (VHP_SWITCH_MAC_TABLE_SIZE - 1)) != 0);
	vhp_switch_mac_age_set(cfg->mac_age);
	refresh_ms = age_ms != 0 ? RTE_MIN(age_ms / 8, REFRESH_MAX_MS) :
		REFRESH_MAX_MS;
	if (refresh_ms == 0)
		refresh_ms = 1;
	tsc_per_ms = rte_get_tsc_hz() / 1000;
	if (tsc_per_ms == 0)
		tsc_per_ms = 1;
	if (vhp_app_nb_ports() > VHP_SWITCH_MAX_PORTS) {
		printf("error: the switch engine serves at most %u ports (%u "
		       "given): its flood sets are 32-bit masks; use io, mac "
		       "or macswap forwarding for more ports\n",
		       VHP_SWITCH_MAX_PORTS, vhp_app_nb_ports());
		return -EINVAL;
	}
	sw_nb_ports = vhp_app_nb_ports();
	for (p = 0; p < sw_nb_ports; p++)
		sw_ports[p] = vhp_app_port_get(p);
	for (p = 0; p < VHP_SWITCH_MAX_PORTS; p++)
		txbuf[p].n = 0;
	sweep_next = 0;
	memset(mac_table, 0, sizeof(mac_table));
	statics_apply();
	memset(&counters, 0, sizeof(counters));
	memset(&counters_base, 0, sizeof(counters_base));
	return 0;
}

void
fwd_switch_begin(void)
{
	memset(&counters, 0, sizeof(counters));
	memset(&counters_base, 0, sizeof(counters_base));
}

int
vhp_switch_mac_table_flush(void)
{
	unsigned int i;

	if (switch_running())
		return -EBUSY;
	for (i = 0; i < VHP_SWITCH_MAC_TABLE_SIZE; i++)
		slot_clear(&mac_table[i]);
	statics_apply();
	return 0;
}

static inline void
txbuf_add(uint16_t port, struct rte_mbuf *m, uint32_t *pending)
{
	struct switch_txbuf *b = &txbuf[port];

	b->pkts[b->n++] = m;
	*pending |= UINT32_C(1) << port;
}

/* Send to every port of @p mask (not empty). */
static inline void
switch_flood(struct rte_mbuf *m, uint32_t mask, uint32_t *pending)
{
	unsigned int k = (unsigned int)__builtin_popcount(mask);
	struct rte_mbuf *seg;

	if (k > 1)
		for (seg = m; seg != NULL; seg = seg->next)
			rte_mbuf_refcnt_update(seg, (int16_t)(k - 1));
	while (mask != 0) {
		txbuf_add((uint16_t)__builtin_ctz(mask), m, pending);
		mask &= mask - 1;
	}
}

/* Transmit the buffered frames of every pending port. */
static inline void
switch_flush(struct fwd_stream *fs, uint32_t pending)
{
	struct vhp_switch_port_stats *ps;
	struct vhp_app_port *port;
	struct switch_txbuf *b;
	uint16_t p, q, sent, n;
	uint32_t retry;

	while (pending != 0) {
		p = (uint16_t)__builtin_ctz(pending);
		pending &= pending - 1;
		b = &txbuf[p];
		n = b->n;
		b->n = 0;
		port = sw_ports[p];
		q = fs->rx_queue % port->nb_txq;
		sent = vhp_app_tx_burst(port, q, b->pkts, n);
		for (retry = 0; unlikely(sent < n) && retry < fs->tx_retry;
		     retry++) {
			rte_delay_us(1);
			sent += vhp_app_tx_burst(port, q, b->pkts + sent,
						 n - sent);
		}
		ps = &counters.port[p];
		fwd_counter_add(&ps->tx, sent);
		fwd_counter_add(&fs->tx_packets, sent);
		if (unlikely(sent < n)) {
			fwd_counter_add(&ps->tx_dropped, n - sent);
			fwd_counter_add(&fs->fwd_dropped, n - sent);
			rte_pktmbuf_free_bulk(b->pkts + sent, n - sent);
		}
	}
}

uint16_t
fwd_switch_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	const uint16_t in = fs->rx_port->id;
	struct vhp_switch_port_stats *ps = &counters.port[in];
	uint64_t now, src, dst, last_src = 0;
	uint32_t up = 0, pending = 0;
	uint64_t fwd = 0, flood = 0, filt = 0, drop = 0;
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m;
	uint16_t n, i, p;
	int out;

	n = vhp_app_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (n == 0)
		return 0;
	fwd_counter_add(&fs->rx_packets, n);
	fwd_counter_add(&ps->rx, n);
	now = now_ms();
	for (p = 0; p < sw_nb_ports; p++)
		if (p != in && vhp_app_port_link_get(sw_ports[p]))
			up |= UINT32_C(1) << p;
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(rte_pktmbuf_data_len(m) <
			     sizeof(struct rte_ether_hdr))) {
			rte_pktmbuf_free(m);
			drop++;
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		src = mac_key(&eth->src_addr);
		dst = mac_key(&eth->dst_addr);
		/* Bursts often come from one station: learn it once. */
		if (src != last_src && !(src & KEY_GROUP)) {
			table_learn(src, in, now);
			last_src = src;
		}
		out = (dst & KEY_GROUP) ? -1 : table_lookup(dst, now);
		if (out < 0) {
			if (up == 0) {
				rte_pktmbuf_free(m);
				drop++;
				continue;
			}
			switch_flood(m, up, &pending);
			flood++;
		} else if (out == in) {
			rte_pktmbuf_free(m);
			filt++;
		} else if (!(up & (UINT32_C(1) << out))) {
			rte_pktmbuf_free(m);
			drop++;
		} else {
			txbuf_add((uint16_t)out, m, &pending);
			fwd++;
		}
	}
	if (fwd != 0)
		fwd_counter_add(&ps->forwarded, fwd);
	if (flood != 0)
		fwd_counter_add(&ps->flooded, flood);
	if (filt != 0)
		fwd_counter_add(&ps->filtered, filt);
	if (drop != 0)
		fwd_counter_add(&ps->dropped, drop);
	switch_flush(fs, pending);
	table_sweep(now);
	return n;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct vhp_switch_mac_entry *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return memcmp(x->mac.addr_bytes, y->mac.addr_bytes,
		      RTE_ETHER_ADDR_LEN);
}

unsigned int
vhp_switch_mac_table_get(struct vhp_switch_mac_entry *entries,
			 unsigned int max)
{
	uint64_t now = now_ms(), k1, k2, v;
	unsigned int i, n = 0;

	for (i = 0; i < VHP_SWITCH_MAC_TABLE_SIZE && n < max; i++) {
		k1 = load(&mac_table[i].key);
		if (k1 == 0)
			continue;
		v = load(&mac_table[i].val);
		k2 = load(&mac_table[i].key);
		if (k1 != k2 || !val_live(v, now))
			continue;
		key_mac(k1, &entries[n].mac);
		entries[n].port = val_port(v);
		entries[n].is_static = val_ms(v) == STATIC_MS;
		entries[n].age_s = now >= val_ms(v) ?
			(double)(now - val_ms(v)) / 1000.0 : 0.0;
		n++;
	}
	qsort(entries, n, sizeof(*entries), entry_cmp);
	return n;
}

/* The table as a sorted array (caller frees); NULL when out of memory. */
static struct vhp_switch_mac_entry *
table_snapshot(unsigned int *n)
{
	struct vhp_switch_mac_entry *e;

	e = malloc(VHP_SWITCH_MAC_TABLE_SIZE * sizeof(*e));
	*n = e != NULL ? vhp_switch_mac_table_get(e,
			VHP_SWITCH_MAC_TABLE_SIZE) : 0;
	return e;
}

void
vhp_switch_mac_table_dump(FILE *f)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vhp_switch_mac_entry *e;
	unsigned int n, i;

	e = table_snapshot(&n);
	if (e == NULL) {
		fprintf(f, "error: out of memory for the MAC table\n");
		return;
	}
	fprintf(f, "  MAC address        Port  Age (s)\n");
	for (i = 0; i < n; i++) {
		rte_ether_format_addr(mac, sizeof(mac), &e[i].mac);
		if (e[i].is_static)
			fprintf(f, "  %-17s  %4u   static\n", mac, e[i].port);
		else
			fprintf(f, "  %-17s  %4u  %7.0f\n", mac, e[i].port,
				e[i].age_s);
	}
	fprintf(f, "  %u entr%s (of %u), ageing %" PRIu64 " s%s\n", n,
		n == 1 ? "y" : "ies", VHP_SWITCH_MAC_TABLE_SIZE,
		age_ms / 1000, age_ms == 0 ? " (off)" : "");
	if (fwd_engine() == NULL || fwd_engine()->pkt_burst != fwd_switch_burst)
		fprintf(f, "  (forward mode is %s, not switch: the table is "
			"not updated)\n", fwd_engine() != NULL ?
			fwd_engine()->name : "not set");
	free(e);
	fflush(f);
}

/* The counters as the lcore wrote them. */
static void
port_raw(uint16_t port_id, struct vhp_switch_port_stats *st)
{
	const struct vhp_switch_port_stats *c = &counters.port[port_id];

	st->rx = fwd_counter_read(&c->rx);
	st->forwarded = fwd_counter_read(&c->forwarded);
	st->flooded = fwd_counter_read(&c->flooded);
	st->filtered = fwd_counter_read(&c->filtered);
	st->dropped = fwd_counter_read(&c->dropped);
	st->tx = fwd_counter_read(&c->tx);
	st->tx_dropped = fwd_counter_read(&c->tx_dropped);
}

static void
table_raw(struct vhp_switch_table_stats *st)
{
	const struct vhp_switch_table_stats *c = &counters.table;

	st->learned = fwd_counter_read(&c->learned);
	st->moved = fwd_counter_read(&c->moved);
	st->aged = fwd_counter_read(&c->aged);
	st->table_full = fwd_counter_read(&c->table_full);
}

int
vhp_switch_port_stats_get(uint16_t port_id, struct vhp_switch_port_stats *st)
{
	const struct vhp_switch_port_stats *b;

	if (port_id >= VHP_SWITCH_MAX_PORTS)
		return -EINVAL;
	port_raw(port_id, st);
	b = &counters_base.port[port_id];
	st->rx -= b->rx;
	st->forwarded -= b->forwarded;
	st->flooded -= b->flooded;
	st->filtered -= b->filtered;
	st->dropped -= b->dropped;
	st->tx -= b->tx;
	st->tx_dropped -= b->tx_dropped;
	return 0;
}

void
vhp_switch_table_stats_get(struct vhp_switch_table_stats *st)
{
	const struct vhp_switch_table_stats *b = &counters_base.table;

	table_raw(st);
	st->learned -= b->learned;
	st->moved -= b->moved;
	st->aged -= b->aged;
	st->table_full -= b->table_full;
}

void
fwd_switch_rebase(void)
{
	uint16_t p;

	for (p = 0; p < VHP_SWITCH_MAX_PORTS; p++)
		port_raw(p, &counters_base.port[p]);
	table_raw(&counters_base.table);
}

uint64_t
fwd_switch_rx_dropped(uint16_t port_id)
{
	struct vhp_switch_port_stats ps;

	if (vhp_switch_port_stats_get(port_id, &ps) != 0)
		return 0;
	return ps.filtered + ps.dropped;
}

void
fwd_switch_show(FILE *f)
{
	struct vhp_switch_port_stats ps;
	struct vhp_switch_table_stats ts;
	uint16_t p;

	fprintf(f, "\n  switch:\n");
	for (p = 0; p < sw_nb_ports; p++) {
		vhp_switch_port_stats_get(p, &ps);
		fprintf(f, "  port %-2u RX %-10" PRIu64 " forwarded %-10"
			PRIu64 " flooded %-10" PRIu64 " filtered %-8" PRIu64
			" dropped %-8" PRIu64 " TX %-10" PRIu64
			" TX-dropped %" PRIu64 "\n", p, ps.rx, ps.forwarded,
			ps.flooded, ps.filtered, ps.dropped, ps.tx,
			ps.tx_dropped);
	}
	vhp_switch_table_stats_get(&ts);
	fprintf(f, "  MAC table: learned %" PRIu64 ", moved %" PRIu64
		", aged %" PRIu64 ", table full %" PRIu64 "\n", ts.learned,
		ts.moved, ts.aged, ts.table_full);
}

void
fwd_switch_json(struct vhp_json *w)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vhp_switch_mac_entry *e;
	struct vhp_switch_port_stats ps;
	struct vhp_switch_table_stats ts;
	unsigned int n, i;
	uint16_t p;

	e = table_snapshot(&n);
	vhp_json_arr_begin(w, "mac_table");
	for (i = 0; i < n; i++) {
		rte_ether_format_addr(mac, sizeof(mac), &e[i].mac);
		vhp_json_obj_begin(w, NULL);
		vhp_json_str(w, "mac", mac);
		vhp_json_u64(w, "port", e[i].port);
		vhp_json_double(w, "age_s", e[i].age_s);
		vhp_json_obj_end(w);
	}
	vhp_json_arr_end(w);
	free(e);
	vhp_switch_table_stats_get(&ts);
	vhp_json_obj_begin(w, "switch");
	vhp_json_u64(w, "mac_age_s", age_ms / 1000);
	vhp_json_u64(w, "entries", n);
	vhp_json_u64(w, "learned", ts.learned);
	vhp_json_u64(w, "moved", ts.moved);
	vhp_json_u64(w, "aged", ts.aged);
	vhp_json_u64(w, "table_full", ts.table_full);
	vhp_json_arr_begin(w, "ports");
	for (p = 0; p < sw_nb_ports; p++) {
		vhp_switch_port_stats_get(p, &ps);
		vhp_json_obj_begin(w, NULL);
		vhp_json_u64(w, "port", p);
		vhp_json_u64(w, "rx", ps.rx);
		vhp_json_u64(w, "forwarded", ps.forwarded);
		vhp_json_u64(w, "flooded", ps.flooded);
		vhp_json_u64(w, "filtered", ps.filtered);
		vhp_json_u64(w, "dropped", ps.dropped);
		vhp_json_u64(w, "tx", ps.tx);
		vhp_json_u64(w, "tx_dropped", ps.tx_dropped);
		vhp_json_obj_end(w);
	}
	vhp_json_arr_end(w);
	vhp_json_obj_end(w);
}
