/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding engines: io, mac, macswap, rxonly, txonly; the table also
 * holds icmpecho, flowgen and switch (their own files).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "fwd.h"
#include "fwd_flowgen.h"
#include "fwd_icmpecho.h"
#include "fwd_switch.h"

/* 198.18.0.0 (RFC 2544 benchmarking range); RTE_IPV4() shifts an int. */
#define TXONLY_IP_NET	((UINT32_C(198) << 24) | (UINT32_C(18) << 16))

/* Receive one burst; counts it. */
static __rte_always_inline uint16_t
fwd_rx(struct fwd_stream *fs, struct rte_mbuf **pkts)
{
	uint16_t n;

	n = vhp_app_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (n != 0)
		fwd_counter_add(&fs->rx_packets, n);
	return n;
}

static uint16_t
io_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	uint16_t n = fwd_rx(fs, pkts);

	if (n != 0)
		fwd_tx(fs, pkts, n);
	return n;
}

static uint16_t
mac_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	uint8_t macs[2 * RTE_ETHER_ADDR_LEN];
	uint16_t n = fwd_rx(fs, pkts), i;
	uint64_t w0;
	uint32_t w1;
	uint8_t *eth;

	if (n == 0)
		return 0;
	/* Destination then source address: one 8-byte and one 4-byte store
	 * per packet. */
	memcpy(macs, &fs->dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(macs + RTE_ETHER_ADDR_LEN, &fs->src_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&w0, macs, sizeof(w0));
	memcpy(&w1, macs + sizeof(w0), sizeof(w1));
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(rte_pktmbuf_data_len(pkts[i]) <
			     sizeof(struct rte_ether_hdr)))
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], uint8_t *);
		memcpy(eth, &w0, sizeof(w0));
		memcpy(eth + sizeof(w0), &w1, sizeof(w1));
	}
	fwd_tx(fs, pkts, n);
	return n;
}

static uint16_t
macswap_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	struct rte_ether_addr tmp;
	struct rte_ether_hdr *eth;
	uint16_t n = fwd_rx(fs, pkts), i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(rte_pktmbuf_data_len(pkts[i]) <
			     sizeof(struct rte_ether_hdr)))
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		rte_ether_addr_copy(&eth->dst_addr, &tmp);
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
		rte_ether_addr_copy(&tmp, &eth->src_addr);
	}
	fwd_tx(fs, pkts, n);
	return n;
}

static uint16_t
rxonly_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	uint16_t n = fwd_rx(fs, pkts);

	if (n != 0)
		rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

int
fwd_txonly_alloc(struct fwd_stream *fs, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *m;
	uint16_t i;

	if (unlikely(rte_pktmbuf_alloc_bulk(fs->tx_pool, pkts, n) != 0)) {
		fwd_counter_add(&fs->alloc_failed, 1);
		return -ENOBUFS;
	}
	for (i = 0; i < n; i++) {
		m = pkts[i];
		m->data_len = fs->tx_len;
		m->pkt_len = fs->tx_len;
		m->l2_len = sizeof(struct rte_ether_hdr);
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		rte_memcpy(rte_pktmbuf_mtod(m, void *), fs->tx_template,
			   fs->tx_len);
	}
	return 0;
}

uint16_t
fwd_txonly_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];

	if (fwd_txonly_alloc(fs, pkts, fs->burst) != 0)
		return 0;
	fwd_tx(fs, pkts, fs->burst);
	return fs->burst;
}

void
fwd_txonly_template(uint8_t *buf, uint16_t len,
		    const struct rte_ether_addr *src,
		    const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ip_len = len - sizeof(*eth);

	memset(buf, 0, len);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* 198.18.0.1 -> 198.18.0.2 */
	ip->src_addr = rte_cpu_to_be_32(TXONLY_IP_NET | 1);
	ip->dst_addr = rte_cpu_to_be_32(TXONLY_IP_NET | 2);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(ip_len - sizeof(*ip));
	udp->dgram_cksum = 0;
}

static const struct fwd_engine fwd_engines[] = {
	{ .name = "io", .pkt_burst = io_burst },
	{ .name = "mac", .pkt_burst = mac_burst },
	{ .name = "macswap", .pkt_burst = macswap_burst },
	{ .name = "rxonly", .pkt_burst = rxonly_burst },
	{ .name = "txonly", .pkt_burst = fwd_txonly_burst,
	  .counts_tx = true },
	{ .name = "icmpecho", .pkt_burst = fwd_icmpecho_burst,
	  .reflect = true, .begin = fwd_icmpecho_begin,
	  .show = fwd_icmpecho_show, .json = fwd_icmpecho_json },
	{ .name = "flowgen", .pkt_burst = fwd_flowgen_burst,
	  .counts_tx = true, .setup = fwd_flowgen_setup,
	  .begin = fwd_flowgen_begin, .json = fwd_flowgen_json },
	{ .name = "switch", .pkt_burst = fwd_switch_burst,
	  .reflect = true, .max_lcores = 1, .setup = fwd_switch_setup,
	  .begin = fwd_switch_begin, .show = fwd_switch_show,
	  .json = fwd_switch_json, .rx_dropped = fwd_switch_rx_dropped,
	  .rebase = fwd_switch_rebase },
};

const struct fwd_engine *
fwd_engine_get(unsigned int i)
{
	return i < RTE_DIM(fwd_engines) ? &fwd_engines[i] : NULL;
}

const struct fwd_engine *
fwd_engine_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fwd_engines); i++)
		if (strcmp(fwd_engines[i].name, name) == 0)
			return &fwd_engines[i];
	return NULL;
}
