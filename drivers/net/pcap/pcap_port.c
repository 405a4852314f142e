/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port driver over libpcap files: replay one as RX, write TX to another.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <pcap/pcap.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "../json.h"
#include "../sw_offload.h"
#include "pcap_port.h"

/** Snapshot length of the TX file: the largest IPv4/IPv6 packet. */
#define PCAP_TX_SNAPLEN		65535
/** Default cap of the memory holding the RX file's packets, in MiB. */
#define PCAP_DEFAULT_MAX_MB	1024
/** Largest max-mb= accepted (1 TiB). */
#define PCAP_MAX_MAX_MB		(1024 * 1024)
/** Stdio buffer of the TX file. */
#define PCAP_TX_BUF_SIZE	(1024 * 1024)
/** Longest file name, with the terminating NUL. */
#define PCAP_PATH_LEN		512
/** Argument syntax, for messages. */
#define PPORT_SYNTAX \
	"rx=IN.pcap[,tx=OUT.pcap][,loop=1][,max-mb=N] | tx=OUT.pcap"

/* One packet of the RX file, in pport_priv.rx_data. */
struct pport_pkt {
	size_t off;
	uint32_t len;
};

/* Counters of one direction; written by one lcore, read by any. */
struct pport_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t dropped;
	uint64_t errors;
};

struct pport_priv {
	/* RX: written by the lcore polling RX queue 0. */
	const struct pport_pkt *rx_pkts;	/* NULL: no rx= or not started */
	const uint8_t *rx_data;
	size_t rx_next;			/* next packet to replay */
	size_t rx_nb;			/* packets loaded */
	bool loop;
	uint64_t rx_loops;		/* times the file was restarted */
	uint64_t rx_alloc_failed;	/* bursts cut short: no mbuf */
	struct pport_counters rx;

	/* TX: written by the lcore transmitting on TX queue 0. */
	pcap_dumper_t *dumper __rte_cache_aligned; /* NULL: no tx= */
	FILE *tx_file;
	uint8_t *tx_scratch;		/* linearized chained packets */
	int tx_errno;			/* first write error, 0: none */
	struct pport_counters tx;
	/* Offload requests finished before writing (segments, checksums). */
	struct vhp_swol swol;

	/* Control. */
	struct pport_counters rx_base __rte_cache_aligned; /* stats_reset */
	struct pport_counters tx_base;
	uint64_t swol_dropped_base;	/* swol.stats.dropped at reset */
	pcap_t *tx_pcap;
	char *tx_buf;
	size_t rx_bytes_loaded;
	uint64_t rx_truncated;		/* loaded with caplen < len */
	uint32_t max_mb;
	char rx_path[PCAP_PATH_LEN];	/* "": no rx= */
	char tx_path[PCAP_PATH_LEN];	/* "": no tx= */
};

static inline uint64_t
pport_counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Single writer: the lcore owning the direction. */
static inline void
pport_counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static void
pport_counters_read(const struct pport_counters *c, struct pport_counters *out)
{
	out->packets = pport_counter_read(&c->packets);
	out->bytes = pport_counter_read(&c->bytes);
	out->dropped = pport_counter_read(&c->dropped);
	out->errors = pport_counter_read(&c->errors);
}

/*
 * Copy @p len bytes into the empty mbuf @p head, chaining more mbufs from
 * @p mp when they do not fit. On failure the caller frees @p head (and
 * whatever was chained to it).
 */
static int
pport_mbuf_fill(struct rte_mempool *mp, struct rte_mbuf *head,
	       const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *last = head, *seg;
	uint32_t off, copy;

	copy = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(head));
	rte_memcpy(rte_pktmbuf_mtod(head, void *), data, copy);
	head->data_len = (uint16_t)copy;
	head->pkt_len = len;
	for (off = copy; off < len; off += copy) {
		seg = rte_pktmbuf_alloc(mp);
		if (unlikely(seg == NULL))
			return -ENOMEM;
		copy = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(seg));
		rte_memcpy(rte_pktmbuf_mtod(seg, void *), data + off, copy);
		seg->data_len = (uint16_t)copy;
		last->next = seg;
		last = seg;
		head->nb_segs++;
	}
	return 0;
}

static uint16_t
pport_rx_burst(struct vhp_app_port *port, uint16_t queue,
	      struct rte_mbuf **pkts, uint16_t n)
{
	struct pport_priv *p = port->priv;
	const struct pport_pkt *pkt;
	size_t next = p->rx_next;
	uint64_t bytes = 0;
	uint16_t i, k;

	RTE_SET_USED(queue);
	if (unlikely(p->rx_pkts == NULL || p->rx_nb == 0))
		return 0;
	if (next == p->rx_nb) {
		if (!p->loop)
			return 0;
		next = 0;
		pport_counter_add(&p->rx_loops, 1);
	}
	k = p->loop ? n : (uint16_t)RTE_MIN((size_t)n, p->rx_nb - next);
	if (unlikely(rte_pktmbuf_alloc_bulk(port->pool, pkts, k) != 0)) {
		pport_counter_add(&p->rx_alloc_failed, 1);
		__atomic_store_n(&p->rx_next, next, __ATOMIC_RELAXED);
		return 0;
	}
	for (i = 0; i < k; i++) {
		if (next == p->rx_nb) {
			/* Only with loop: k may exceed what is left. */
			next = 0;
			pport_counter_add(&p->rx_loops, 1);
		}
		pkt = &p->rx_pkts[next];
		if (unlikely(pport_mbuf_fill(port->pool, pkts[i],
					    p->rx_data + pkt->off,
					    pkt->len) != 0)) {
			/* The packet stays first for the next burst. */
			pport_counter_add(&p->rx_alloc_failed, 1);
			rte_pktmbuf_free_bulk(pkts + i, k - i);
			break;
		}
		bytes += pkt->len;
		next++;
	}
	__atomic_store_n(&p->rx_next, next, __ATOMIC_RELAXED);
	if (i != 0) {
		pport_counter_add(&p->rx.packets, i);
		pport_counter_add(&p->rx.bytes, bytes);
	}
	return i;
}

/* Write @p n packets to the file and free them. */
static void
pport_dump(struct vhp_app_port *port, struct pport_priv *p,
	   struct rte_mbuf **pkts, uint16_t n)
{
	struct pcap_pkthdr hdr;
	const void *data;
	uint64_t bytes = 0;
	uint32_t len;
	uint16_t i, nb = 0;

	if (unlikely(p->tx_errno != 0)) {
		pport_counter_add(&p->tx.dropped, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	gettimeofday(&hdr.ts, NULL);
	errno = 0;
	for (i = 0; i < n; i++) {
		len = rte_pktmbuf_pkt_len(pkts[i]);
		hdr.len = len;
		hdr.caplen = RTE_MIN(len, (uint32_t)PCAP_TX_SNAPLEN);
		data = rte_pktmbuf_read(pkts[i], 0, hdr.caplen, p->tx_scratch);
		if (unlikely(data == NULL)) {
			/* pkt_len larger than its segments: a bad mbuf. */
			pport_counter_add(&p->tx.errors, 1);
			continue;
		}
		pcap_dump((u_char *)p->dumper, &hdr, data);
		bytes += len;
		nb++;
	}
	if (unlikely(ferror(p->tx_file))) {
		__atomic_store_n(&p->tx_errno, errno != 0 ? errno : EIO,
				 __ATOMIC_RELAXED);
		pport_counter_add(&p->tx.dropped, nb);
		printf("error: port %u: pcap: cannot write tx=%s: %s; "
		       "dropping what the port transmits from now on\n",
		       port->id, p->tx_path, strerror(p->tx_errno));
		fflush(stdout);
	} else {
		pport_counter_add(&p->tx.packets, nb);
		pport_counter_add(&p->tx.bytes, bytes);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

/*
 * The file holds frames as a NIC would have sent them: TX offload
 * requests (TSO, checksums) are finished in software first.
 */
static uint16_t
pport_tx_burst(struct vhp_app_port *port, uint16_t queue,
	      struct rte_mbuf **pkts, uint16_t n)
{
	struct pport_priv *p = port->priv;
	struct rte_mbuf *out[VHP_SWOL_MAX_SEGS + 32];
	const uint64_t mask = p->swol.check_mask;
	uint16_t i, done, used, nb;

	RTE_SET_USED(queue);
	if (unlikely(p->dumper == NULL || p->tx_errno != 0)) {
		/* A source-only port, or the file cannot be written. */
		pport_counter_add(&p->tx.dropped, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	}
	for (i = 0; i < n; i++)
		if (unlikely(pkts[i]->ol_flags & mask))
			break;
	if (likely(i == n)) {
		pport_dump(port, p, pkts, n);
		return n;
	}
	for (done = 0; done < n; done = (uint16_t)(done + used)) {
		nb = vhp_swol_burst(&p->swol, &pkts[done],
				    (uint16_t)(n - done), out, RTE_DIM(out),
				    &used);
		pport_dump(port, p, out, nb);
	}
	return n;
}

static int
pport_parse_path(struct vhp_app_port *port, const char *key, const char *val,
		char *out)
{
	if (val[0] == '\0') {
		printf("error: port %u: %s= needs a file name\n", port->id,
		       key);
		return -EINVAL;
	}
	if (strlen(val) >= PCAP_PATH_LEN) {
		printf("error: port %u: %s=%s: file name longer than %d "
		       "characters\n", port->id, key, val, PCAP_PATH_LEN - 1);
		return -ENAMETOOLONG;
	}
	strcpy(out, val);
	return 0;
}

static int
pport_parse(struct vhp_app_port *port, struct pport_priv *p, const char *args)
{
	char buf[2 * PCAP_PATH_LEN + 64], *tok, *save = NULL, *val;
	unsigned long n;

	if (strlen(args) >= sizeof(buf)) {
		printf("error: port %u: --pcap value too long\n", port->id);
		return -EINVAL;
	}
	strcpy(buf, args);
	p->max_mb = PCAP_DEFAULT_MAX_MB;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		val = strchr(tok, '=');
		if (val == NULL) {
			printf("error: port %u: '%s' is not KEY=VALUE in "
			       "--pcap=%s (%s)\n", port->id, tok, args,
			       PPORT_SYNTAX);
			return -EINVAL;
		}
		*val++ = '\0';
		if (strcmp(tok, "rx") == 0) {
			if (pport_parse_path(port, tok, val, p->rx_path) != 0)
				return -EINVAL;
		} else if (strcmp(tok, "tx") == 0) {
			if (pport_parse_path(port, tok, val, p->tx_path) != 0)
				return -EINVAL;
		} else if (strcmp(tok, "loop") == 0) {
			if (vhp_app_parse_uint(val, 0, 1, &n) != 0) {
				printf("error: port %u: loop=%s: expected 0 "
				       "or 1\n", port->id, val);
				return -EINVAL;
			}
			p->loop = n != 0;
		} else if (strcmp(tok, "max-mb") == 0) {
			if (vhp_app_parse_uint(val, 1, PCAP_MAX_MAX_MB, &n) != 0) {
				printf("error: port %u: max-mb=%s: expected "
				       "1..%d MiB\n", port->id, val,
				       PCAP_MAX_MAX_MB);
				return -EINVAL;
			}
			p->max_mb = (uint32_t)n;
		} else {
			printf("error: port %u: unknown key '%s' in --pcap "
			       "(expected %s)\n", port->id, tok,
			       PPORT_SYNTAX);
			return -EINVAL;
		}
	}
	if (p->rx_path[0] == '\0' && p->tx_path[0] == '\0') {
		printf("error: port %u: --pcap needs rx=FILE, tx=FILE or both "
		       "(%s)\n", port->id, PPORT_SYNTAX);
		return -EINVAL;
	}
	if (p->loop && p->rx_path[0] == '\0') {
		printf("error: port %u: --pcap loop=1 needs rx=FILE\n",
		       port->id);
		return -EINVAL;
	}
	if (strcmp(p->rx_path, p->tx_path) == 0) {
		printf("error: port %u: --pcap rx= and tx= are the same file "
		       "%s; writing would destroy the capture\n", port->id,
		       p->rx_path);
		return -EINVAL;
	}
	return 0;
}

static int
pport_create(struct vhp_app_port *port, const char *args)
{
	struct pport_priv *p, *o;
	uint16_t i;

	/* Cache-aligned members: RX and TX state on different lines. */
	p = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	if (pport_parse(port, p, args) != 0) {
		free(p);
		return -EINVAL;
	}
	/* A file written by one port must not be read or written by another. */
	for (i = 0; i < port->id; i++) {
		struct vhp_app_port *op = vhp_app_port_get(i);
		const char *clash = NULL;

		if (op == NULL || op->driver != &vhp_pcap_driver)
			continue;
		o = op->priv;
		if (p->tx_path[0] != '\0' &&
		    (strcmp(p->tx_path, o->tx_path) == 0 ||
		     strcmp(p->tx_path, o->rx_path) == 0))
			clash = p->tx_path;
		else if (o->tx_path[0] != '\0' &&
			 strcmp(p->rx_path, o->tx_path) == 0)
			clash = p->rx_path;
		if (clash != NULL) {
			printf("error: port %u: file %s is also used by port "
			       "%u, which %s it\n", port->id, clash, i,
			       strcmp(clash, o->tx_path) == 0 ?
			       "writes" : "reads");
			free(p);
			return -EEXIST;
		}
	}
	port->priv = p;
	port->nb_rxq = 1;
	port->nb_txq = 1;
	snprintf(port->name, sizeof(port->name), "%s", args);
	return 0;
}

/* Read the whole RX file into memory. */
static int
pport_rx_load(struct vhp_app_port *port, struct pport_priv *p)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const size_t max = (size_t)p->max_mb << 20;
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	struct pport_pkt *pkts = NULL, *np;
	uint8_t *data = NULL, *nd;
	size_t nb = 0, cap_pkts = 0, used = 0, cap_data = 0, need;
	struct stat st;
	pcap_t *pc;
	int ret, dlt;

	errbuf[0] = '\0';
	pc = pcap_open_offline(p->rx_path, errbuf);
	if (pc == NULL) {
		printf("error: port %u: pcap: cannot read rx=%s: %s\n",
		       port->id, p->rx_path, errbuf);
		if (stat(p->rx_path, &st) == 0)
			printf("  hint: the file exists but is not a pcap or "
			       "pcapng capture (convert it with editcap -F "
			       "pcap)\n");
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	if (dlt != DLT_EN10MB) {
		printf("error: port %u: pcap: rx=%s has link type %s, not "
		       "Ethernet (EN10MB); only Ethernet frames can be "
		       "replayed\n", port->id, p->rx_path,
		       pcap_datalink_val_to_name(dlt) != NULL ?
		       pcap_datalink_val_to_name(dlt) : "unknown");
		pcap_close(pc);
		return -EINVAL;
	}
	ret = -EINVAL;
	while ((ret = pcap_next_ex(pc, &hdr, &bytes)) == 1) {
		if (hdr->caplen == 0)
			continue;
		if (hdr->caplen < hdr->len)
			p->rx_truncated++;
		need = used + hdr->caplen;
		if (need + (nb + 1) * sizeof(*pkts) > max) {
			printf("error: port %u: pcap: rx=%s holds more than "
			       "max-mb=%u MiB of packets (%zu loaded); cut it "
			       "(editcap -c N) or raise max-mb=\n", port->id,
			       p->rx_path, p->max_mb, nb);
			ret = -EFBIG;
			goto fail;
		}
		if (need > cap_data) {
			cap_data = RTE_MAX(need, RTE_MAX(cap_data * 2,
							 (size_t)65536));
			nd = realloc(data, cap_data);
			if (nd == NULL)
				goto nomem;
			data = nd;
		}
		if (nb == cap_pkts) {
			cap_pkts = RTE_MAX(cap_pkts * 2, (size_t)1024);
			np = realloc(pkts, cap_pkts * sizeof(*pkts));
			if (np == NULL)
				goto nomem;
			pkts = np;
		}
		memcpy(data + used, bytes, hdr->caplen);
		pkts[nb].off = used;
		pkts[nb].len = hdr->caplen;
		used = need;
		nb++;
	}
	if (ret == PCAP_ERROR)
		printf("warning: port %u: pcap: rx=%s: %s; replaying the %zu "
		       "packets before it\n", port->id, p->rx_path,
		       pcap_geterr(pc), nb);
	pcap_close(pc);
	if (p->rx_truncated != 0)
		printf("warning: port %u: pcap: rx=%s: %" PRIu64 " packets "
		       "were captured truncated (snaplen); replaying what was "
		       "captured\n", port->id, p->rx_path, p->rx_truncated);
	if (nb == 0)
		printf("warning: port %u: pcap: rx=%s holds no packet\n",
		       port->id, p->rx_path);
	p->rx_data = data;
	p->rx_pkts = pkts;
	p->rx_nb = nb;
	p->rx_next = 0;
	p->rx_bytes_loaded = used;
	return 0;
nomem:
	printf("error: port %u: pcap: out of memory loading rx=%s (%zu "
	       "packets, %zu bytes so far)\n", port->id, p->rx_path, nb,
	       used);
	ret = -ENOMEM;
fail:
	pcap_close(pc);
	free(data);
	free(pkts);
	return ret;
}

static void
pport_rx_unload(struct pport_priv *p)
{
	free((void *)(uintptr_t)p->rx_data);
	free((void *)(uintptr_t)p->rx_pkts);
	p->rx_data = NULL;
	p->rx_pkts = NULL;
	p->rx_nb = 0;
	p->rx_next = 0;
}

/* Flush and close the TX file; reports a write error. */
static void
pport_tx_close(struct vhp_app_port *port, struct pport_priv *p)
{
	if (p->dumper != NULL) {
		if ((pcap_dump_flush(p->dumper) != 0 ||
		     ferror(p->tx_file)) && p->tx_errno == 0) {
			p->tx_errno = errno != 0 ? errno : EIO;
			printf("error: port %u: pcap: cannot write tx=%s: "
			       "%s; the file is incomplete\n", port->id,
			       p->tx_path, strerror(p->tx_errno));
		}
		pcap_dump_close(p->dumper);	/* fclose()s tx_file */
	} else if (p->tx_file != NULL) {
		fclose(p->tx_file);
	}
	if (p->tx_pcap != NULL)
		pcap_close(p->tx_pcap);
	free(p->tx_buf);
	free(p->tx_scratch);
	p->dumper = NULL;
	p->tx_file = NULL;
	p->tx_pcap = NULL;
	p->tx_buf = NULL;
	p->tx_scratch = NULL;
}

static int
pport_tx_open(struct vhp_app_port *port, struct pport_priv *p)
{
	struct stat rs, ts;
	int err;

	if (p->rx_path[0] != '\0' && stat(p->rx_path, &rs) == 0 &&
	    stat(p->tx_path, &ts) == 0 && rs.st_dev == ts.st_dev &&
	    rs.st_ino == ts.st_ino) {
		printf("error: port %u: pcap: tx=%s is the rx= file %s; "
		       "writing would destroy the capture\n", port->id,
		       p->tx_path, p->rx_path);
		return -EINVAL;
	}
	p->tx_errno = 0;
	p->tx_scratch = malloc(PCAP_TX_SNAPLEN);
	p->tx_buf = malloc(PCAP_TX_BUF_SIZE);
	p->tx_pcap = pcap_open_dead(DLT_EN10MB, PCAP_TX_SNAPLEN);
	if (p->tx_scratch == NULL || p->tx_buf == NULL || p->tx_pcap == NULL) {
		printf("error: port %u: pcap: out of memory opening tx=%s\n",
		       port->id, p->tx_path);
		pport_tx_close(port, p);
		return -ENOMEM;
	}
	p->tx_file = fopen(p->tx_path, "wb");
	if (p->tx_file == NULL) {
		err = errno;
		printf("error: port %u: pcap: cannot create tx=%s: %s\n",
		       port->id, p->tx_path, strerror(err));
		pport_tx_close(port, p);
		return -err;
	}
	setvbuf(p->tx_file, p->tx_buf, _IOFBF, PCAP_TX_BUF_SIZE);
	p->dumper = pcap_dump_fopen(p->tx_pcap, p->tx_file);
	if (p->dumper == NULL) {
		printf("error: port %u: pcap: cannot write tx=%s: %s\n",
		       port->id, p->tx_path, pcap_geterr(p->tx_pcap));
		pport_tx_close(port, p);
		return -EIO;
	}
	return 0;
}

static int
pport_start(struct vhp_app_port *port)
{
	struct pport_priv *p = port->priv;
	int ret;

	if (p->rx_path[0] != '\0') {
		ret = pport_rx_load(port, p);
		if (ret != 0)
			return ret;
	}
	if (p->tx_path[0] != '\0') {
		/* A file does no offload: everything in software. */
		vhp_swol_init(&p->swol, port->pool, 0, 0, NULL, NULL);
		ret = pport_tx_open(port, p);
		if (ret != 0) {
			pport_rx_unload(p);
			return ret;
		}
	}
	if (p->rx_path[0] != '\0')
		printf("Port %u: pcap rx=%s: %zu packets, %zu bytes in memory"
		       "%s\n", port->id, p->rx_path, p->rx_nb,
		       p->rx_bytes_loaded, p->loop ? ", replayed in a loop" :
		       ", replayed once");
	if (p->tx_path[0] != '\0')
		printf("Port %u: pcap tx=%s: writing (snaplen %d)\n", port->id,
		       p->tx_path, PCAP_TX_SNAPLEN);
	vhp_app_port_link_set(port, true);
	return 0;
}

static void
pport_stop(struct vhp_app_port *port)
{
	struct pport_priv *p = port->priv;

	pport_tx_close(port, p);
	pport_rx_unload(p);
}

static int
pport_stats_get(struct vhp_app_port *port, struct vhp_app_port_stats *st)
{
	struct pport_priv *p = port->priv;
	struct vhp_app_queue_stats *q = &st->queue[0];
	struct pport_counters rx, tx;

	pport_counters_read(&p->rx, &rx);
	pport_counters_read(&p->tx, &tx);
	st->nb_queues = 1;
	q->rx_packets = rx.packets - p->rx_base.packets;
	q->rx_bytes = rx.bytes - p->rx_base.bytes;
	q->rx_dropped = rx.dropped - p->rx_base.dropped;
	q->tx_packets = tx.packets - p->tx_base.packets;
	q->tx_bytes = tx.bytes - p->tx_base.bytes;
	q->tx_dropped = tx.dropped - p->tx_base.dropped +
		__atomic_load_n(&p->swol.stats.dropped, __ATOMIC_RELAXED) -
		p->swol_dropped_base;
	q->errors = rx.errors - p->rx_base.errors +
		tx.errors - p->tx_base.errors;
	q->rx_errors = rx.errors - p->rx_base.errors;
	st->rx_errors = q->rx_errors;
	st->rx_packets = q->rx_packets;
	st->rx_bytes = q->rx_bytes;
	st->rx_dropped = q->rx_dropped;
	st->tx_packets = q->tx_packets;
	st->tx_bytes = q->tx_bytes;
	st->tx_dropped = q->tx_dropped;
	st->errors = q->errors;
	return 0;
}

static void
pport_stats_reset(struct vhp_app_port *port)
{
	struct pport_priv *p = port->priv;

	pport_counters_read(&p->rx, &p->rx_base);
	pport_counters_read(&p->tx, &p->tx_base);
	p->swol_dropped_base = __atomic_load_n(&p->swol.stats.dropped,
					       __ATOMIC_RELAXED);
}

static int
pport_info(struct vhp_app_port *port, struct vhp_app_port_info *info)
{
	RTE_SET_USED(info);
	RTE_SET_USED(port);
	return 0;
}

static void
pport_json(struct vhp_app_port *port, struct vhp_json *w)
{
	struct pport_priv *p = port->priv;
	size_t next = __atomic_load_n(&p->rx_next, __ATOMIC_RELAXED);
	int tx_errno;

	vhp_json_str(w, "rx_file", p->rx_path[0] != '\0' ? p->rx_path : NULL);
	vhp_json_str(w, "tx_file", p->tx_path[0] != '\0' ? p->tx_path : NULL);
	vhp_json_bool(w, "loop", p->loop);
	vhp_json_u64(w, "max_mb", p->max_mb);
	vhp_json_u64(w, "rx_packets_loaded", p->rx_nb);
	vhp_json_u64(w, "rx_bytes_loaded", p->rx_bytes_loaded);
	vhp_json_u64(w, "rx_truncated", p->rx_truncated);
	vhp_json_u64(w, "rx_next", next);
	vhp_json_bool(w, "rx_done", p->rx_pkts != NULL && !p->loop &&
		      next == p->rx_nb);
	vhp_json_u64(w, "rx_loops", pport_counter_read(&p->rx_loops));
	vhp_json_u64(w, "rx_alloc_failed",
		     pport_counter_read(&p->rx_alloc_failed));
	vhp_json_u64(w, "tx_snaplen", PCAP_TX_SNAPLEN);
	tx_errno = __atomic_load_n(&p->tx_errno, __ATOMIC_RELAXED);
	vhp_json_str(w, "tx_error", tx_errno != 0 ? strerror(tx_errno) : NULL);
	vhp_swol_json(w, "gso", &p->swol, 1);
}

static void
pport_close(struct vhp_app_port *port)
{
	free(port->priv);
	port->priv = NULL;
}

const struct vhp_app_port_driver vhp_pcap_driver = {
	.name = "pcap",
	.usage = PPORT_SYNTAX "\n"
		 "                         replay IN as received packets "
		 "(once, or in a loop;\n"
		 "                         preloaded, at most N MiB, default "
		 "1024), write what is\n"
		 "                         transmitted to OUT",
	.create = pport_create,
	.start = pport_start,
	.stop = pport_stop,
	.rx_burst = pport_rx_burst,
	.tx_burst = pport_tx_burst,
	.stats_get = pport_stats_get,
	.stats_reset = pport_stats_reset,
	.info = pport_info,
	.json = pport_json,
	.close = pport_close,
};
