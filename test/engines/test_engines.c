/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the icmpecho, flowgen and switch engines: in-memory ports
 * (a test driver registered like any other) feed crafted frames to the
 * engines' burst functions through the real stream configuration, and the
 * frames each port was given to transmit are checked byte by byte.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "config.h"
#include "fwd.h"
#include "fwd_flowgen.h"
#include "fwd_icmpecho.h"
#include "fwd_switch.h"
#include "pool.h"
#include "port.h"
#include "stats.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

#define NB_PORTS	3
/* RTE_IPV4() shifts an int (undefined from 128.0.0.0 up). */
#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define FAKE_RING	1024

/* An in-memory port: RX pops what the test pushed, TX keeps frames. */
struct fake_port {
	struct rte_mbuf *rx[FAKE_RING];
	unsigned int rx_n, rx_pos;
	struct rte_mbuf *tx[FAKE_RING];
	unsigned int tx_n;
};

static int
fake_create(struct vhp_app_port *port, const char *args)
{
	(void)args;
	port->priv = calloc(1, sizeof(struct fake_port));
	return port->priv != NULL ? 0 : -ENOMEM;
}

static int
fake_start(struct vhp_app_port *port)
{
	vhp_app_port_link_set(port, true);
	return 0;
}

static void
fake_stop(struct vhp_app_port *port)
{
	(void)port;
}

static uint16_t
fake_rx(struct vhp_app_port *port, uint16_t q, struct rte_mbuf **pkts,
	uint16_t n)
{
	struct fake_port *f = port->priv;
	uint16_t i = 0;

	(void)q;
	while (i < n && f->rx_pos < f->rx_n)
		pkts[i++] = f->rx[f->rx_pos++];
	if (f->rx_pos == f->rx_n)
		f->rx_pos = f->rx_n = 0;
	return i;
}

static uint16_t
fake_tx(struct vhp_app_port *port, uint16_t q, struct rte_mbuf **pkts,
	uint16_t n)
{
	struct fake_port *f = port->priv;
	uint16_t i = 0;

	(void)q;
	if (!vhp_app_port_link_get(port))
		return 0;
	while (i < n && f->tx_n < FAKE_RING)
		f->tx[f->tx_n++] = pkts[i++];
	return i;
}

static int
fake_stats(struct vhp_app_port *port, struct vhp_app_port_stats *st)
{
	(void)port;
	(void)st;
	return 0;
}

static void
fake_stats_reset(struct vhp_app_port *port)
{
	(void)port;
}

static int
fake_info(struct vhp_app_port *port, struct vhp_app_port_info *info)
{
	(void)port;
	(void)info;
	return 0;
}

static void
fake_close(struct vhp_app_port *port)
{
	free(port->priv);
}

static const struct vhp_app_port_driver fake_driver = {
	.name = "fake", .usage = "", .create = fake_create,
	.start = fake_start, .stop = fake_stop, .rx_burst = fake_rx,
	.tx_burst = fake_tx, .stats_get = fake_stats,
	.stats_reset = fake_stats_reset, .info = fake_info,
	.close = fake_close,
};

static struct rte_mempool *pool;
static struct app_config cfg;

static struct fake_port *
fp(uint16_t id)
{
	return vhp_app_port_get(id)->priv;
}

static void
push_rx(uint16_t id, struct rte_mbuf *m)
{
	struct fake_port *f = fp(id);

	f->rx[f->rx_n++] = m;
}

/* Free everything the ports transmitted. */
static void
tx_reset(void)
{
	uint16_t p;

	for (p = 0; p < NB_PORTS; p++) {
		rte_pktmbuf_free_bulk(fp(p)->tx, fp(p)->tx_n);
		fp(p)->tx_n = 0;
	}
}

static struct rte_mbuf *
mbuf_from(const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL) {
		printf("FAIL: out of mbufs\n");
		exit(1);
	}
	memcpy(rte_pktmbuf_append(m, len), data, len);
	return m;
}

static struct fwd_stream *
stream_of(uint16_t rx_port)
{
	unsigned int i;

	for (i = 0; i < fwd_nb_streams(); i++)
		if (fwd_stream_get(i)->rx_port->id == rx_port)
			return (struct fwd_stream *)(uintptr_t)fwd_stream_get(i);
	printf("FAIL: no stream for port %u\n", rx_port);
	exit(1);
}

static uint16_t
run_burst(uint16_t rx_port)
{
	return fwd_engine()->pkt_burst(stream_of(rx_port));
}

static int
setup(const char *mode)
{
	int ret;

	cfg.fwd_mode = mode;
	ret = fwd_config_setup(&cfg);
	if (ret == 0)
		ret = fwd_streams_init();
	if (ret == 0 && fwd_engine()->begin != NULL)
		fwd_engine()->begin();
	return ret;
}

/* Ones'-complement sum of @p len bytes, folded. */
static uint16_t
csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static const struct rte_ether_addr mac_a = {{ 0x02, 0, 0, 0, 0, 0x0a }};
static const struct rte_ether_addr mac_b = {{ 0x02, 0, 0, 0, 0, 0x0b }};
static const struct rte_ether_addr mac_c = {{ 0x02, 0, 0, 0, 0, 0x0c }};
static const struct rte_ether_addr mac_bcast = {{ 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff }};
static const struct rte_ether_addr mac_mcast = {{ 0x01, 0x00, 0x5e, 0, 0,
						  0x01 }};

/* Ethernet header (+ @p vlan tag when non-zero); returns its length. */
static size_t
put_eth(uint8_t *b, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src, uint16_t type, uint16_t vlan)
{
	size_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (vlan != 0) {
		b[off++] = 0x81;
		b[off++] = 0x00;
		b[off++] = (uint8_t)(vlan >> 8);
		b[off++] = (uint8_t)vlan;
	}
	b[off++] = (uint8_t)(type >> 8);
	b[off++] = (uint8_t)type;
	return off;
}

static struct rte_mbuf *
make_arp_request(uint16_t vlan, uint32_t sip, uint32_t tip)
{
	uint8_t b[128] = { 0 };
	struct rte_arp_hdr *arp;
	size_t off = put_eth(b, &mac_bcast, &mac_a, RTE_ETHER_TYPE_ARP, vlan);

	arp = (struct rte_arp_hdr *)(b + off);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = mac_a;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return mbuf_from(b, 60);
}

/* IPv4 + ICMP of @p type with @p plen payload bytes from @p seed. */
static struct rte_mbuf *
make_icmp(uint16_t vlan, uint8_t type, uint32_t dst_ip, uint16_t plen,
	  uint32_t seed)
{
	uint8_t b[1600] = { 0 };
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	size_t off = put_eth(b, &mac_b, &mac_a, RTE_ETHER_TYPE_IPV4, vlan);
	uint16_t i;

	ip = (struct rte_ipv4_hdr *)(b + off);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + plen);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)seed);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(IP4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~csum(ip, 20, 0));
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = type;
	icmp->icmp_ident = rte_cpu_to_be_16((uint16_t)(seed * 7919));
	icmp->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)seed);
	for (i = 0; i < plen; i++)
		((uint8_t *)(icmp + 1))[i] = (uint8_t)(seed * 31 + i * 17);
	icmp->icmp_cksum = rte_cpu_to_be_16(
		(uint16_t)~csum(icmp, 8 + plen, 0));
	return mbuf_from(b, (uint16_t)RTE_MAX(off + 28 + plen, (size_t)60));
}

static struct rte_mbuf *
make_frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	   uint16_t len)
{
	uint8_t b[256] = { 0 };

	put_eth(b, dst, src, 0x88b5, 0);	/* local experimental */
	b[14] = (uint8_t)len;
	return mbuf_from(b, len);
}

static void
test_icmpecho(void)
{
	struct fwd_icmpecho_stats st;
	struct rte_mbuf *m;
	struct fake_port *f;
	const uint8_t *b;
	const struct rte_arp_hdr *arp;
	const struct rte_ipv4_hdr *ip;
	const struct rte_icmp_hdr *icmp;
	uint8_t req[1600];
	uint32_t seed;
	unsigned int i, ok_csum = 0, nb_echo = 0;
	uint16_t vlan, plen, iplen;
	size_t off;

	printf("icmpecho\n");
	CHECK(setup("icmpecho") == 0);
	CHECK(fwd_engine()->reflect);
	/* Reflect: each stream transmits on its own port. */
	for (i = 0; i < fwd_nb_streams(); i++)
		CHECK(fwd_stream_get(i)->tx_port == fwd_stream_get(i)->rx_port);
	f = fp(1);
	push_rx(1, make_arp_request(0, IP4(10, 0, 0, 1),
				    IP4(10, 0, 0, 99)));
	push_rx(1, make_arp_request(100, IP4(10, 0, 0, 2),
				    IP4(192, 168, 1, 1)));
	push_rx(1, make_icmp(0, RTE_IP_ICMP_ECHO_REPLY, IP4(10, 0, 0, 2),
			     8, 1));	/* a reply: dropped */
	push_rx(1, make_icmp(0, RTE_IP_ICMP_ECHO_REQUEST,
			     IP4(224, 0, 0, 1), 8, 2)); /* mcast: dropped */
	push_rx(1, make_frame(&mac_b, &mac_a, 60));	/* not IP: dropped */
	push_rx(1, make_frame(&mac_b, &mac_a, 10));	/* runt: dropped */
	CHECK(run_burst(1) == 6);
	CHECK(f->tx_n == 2);
	for (i = 0; i < f->tx_n && i < 2; i++) {
		m = f->tx[i];
		b = rte_pktmbuf_mtod(m, const uint8_t *);
		off = i == 0 ? 14 : 18;
		CHECK(memcmp(b, &mac_a, 6) == 0);
		CHECK(memcmp(b + 6, &vhp_app_port_get(1)->mac, 6) == 0);
		if (i == 1)
			CHECK(b[12] == 0x81 && b[13] == 0 && b[15] == 100);
		arp = (const struct rte_arp_hdr *)(b + off);
		CHECK(arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY));
		CHECK(rte_is_same_ether_addr(&arp->arp_data.arp_sha,
					     &vhp_app_port_get(1)->mac));
		CHECK(rte_is_same_ether_addr(&arp->arp_data.arp_tha, &mac_a));
		CHECK(arp->arp_data.arp_sip == rte_cpu_to_be_32(i == 0 ?
			IP4(10, 0, 0, 99) : IP4(192, 168, 1, 1)));
		CHECK(arp->arp_data.arp_tip == rte_cpu_to_be_32(i == 0 ?
			IP4(10, 0, 0, 1) : IP4(10, 0, 0, 2)));
	}
	tx_reset();
	/* Many echo requests (sizes, payloads, VLAN or not): every reply
	 * must verify against a full checksum computation. */
	for (seed = 0; seed < 600; seed++) {
		vlan = seed % 3 == 0 ? (uint16_t)(seed + 1) : 0;
		plen = (uint16_t)(seed * 13 % 1400);
		push_rx(0, make_icmp(vlan, RTE_IP_ICMP_ECHO_REQUEST,
				     IP4(10, 0, 0, 2), plen, seed));
		if (fp(0)->rx_n < 32 && seed != 599)
			continue;
		while (run_burst(0) != 0)
			;
		for (i = 0; i < fp(0)->tx_n; i++) {
			m = fp(0)->tx[i];
			b = rte_pktmbuf_mtod(m, const uint8_t *);
			off = b[12] == 0x81 ? 18 : 14;
			ip = (const struct rte_ipv4_hdr *)(b + off);
			icmp = (const struct rte_icmp_hdr *)(ip + 1);
			iplen = rte_be_to_cpu_16(ip->total_length);
			nb_echo++;
			if (memcmp(b, &mac_a, 6) == 0 &&
			    memcmp(b + 6, &mac_b, 6) == 0 &&
			    ip->src_addr == rte_cpu_to_be_32(
				    IP4(10, 0, 0, 2)) &&
			    ip->dst_addr == rte_cpu_to_be_32(
				    IP4(10, 0, 0, 1)) &&
			    csum(ip, 20, 0) == 0xffff &&
			    icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY &&
			    icmp->icmp_code == 0 &&
			    csum(icmp, iplen - 20, 0) == 0xffff &&
			    rte_raw_cksum(icmp, iplen - 20) == 0xffff)
				ok_csum++;
			else
				printf("bad reply %u: ip %04x icmp %04x/%04x "
				       "type %u len %u cks %04x\n", nb_echo,
				       csum(ip, 20, 0),
				       csum(icmp, iplen - 20, 0),
				       rte_raw_cksum(icmp, iplen - 20),
				       icmp->icmp_type, iplen,
				       rte_be_to_cpu_16(icmp->icmp_cksum));
		}
		tx_reset();
	}
	CHECK(nb_echo == 600);
	CHECK(ok_csum == 600);
	/* The reply's payload is the request's. */
	seed = 7;
	m = make_icmp(0, RTE_IP_ICMP_ECHO_REQUEST, IP4(10, 0, 0, 2), 100,
		      seed);
	memcpy(req, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_data_len(m));
	push_rx(2, m);
	CHECK(run_burst(2) == 1);
	CHECK(fp(2)->tx_n == 1);
	if (fp(2)->tx_n == 1)
		CHECK(memcmp(rte_pktmbuf_mtod(fp(2)->tx[0], uint8_t *) +
			     14 + 28, req + 14 + 28, 100) == 0);
	tx_reset();
	fwd_icmpecho_stats_get(&st);
	CHECK(st.arp_replies == 2);
	CHECK(st.echo_replies == 601);
	CHECK(st.dropped == 4);
}

static void
check_flowgen_pkt(const struct rte_mbuf *m, uint32_t *flow_id)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(b + 14);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	uint16_t ulen = rte_be_to_cpu_16(udp->dgram_len), sport;
	uint32_t sum;

	CHECK(rte_pktmbuf_pkt_len(m) == cfg.txpkts);
	CHECK(memcmp(b, &cfg.peer[1], 6) == 0);
	CHECK(memcmp(b + 6, &vhp_app_port_get(1)->mac, 6) == 0);
	CHECK(csum(ip, 20, 0) == 0xffff);
	CHECK(ulen == cfg.txpkts - 14 - 20);
	CHECK(udp->dgram_cksum != 0);
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		IPPROTO_UDP + ulen;
	CHECK(csum(udp, ulen, sum) == 0xffff);
	CHECK((src >> 16) == ((198 << 8) | 18) && (dst >> 16) == ((198 << 8) | 19));
	sport = rte_be_to_cpu_16(udp->src_port);
	*flow_id = (uint32_t)(sport - 1024) << 8 | (src & 0xff);
	CHECK((src & 0xffff) == (*flow_id & 0xffff));
	CHECK((dst & 0xffff) == (*flow_id & 0xff));
}

static void
test_flowgen(void)
{
	static uint8_t seen[1 << 12];
	struct fake_port *f;
	struct fwd_stream *fs;
	uint32_t flow, distinct = 0, i, first = 0;
	unsigned int total;

	printf("flowgen\n");
	cfg.flowgen_flows = 1000;
	cfg.txpkts = 90;
	cfg.peer[1] = mac_c;
	CHECK(setup("flowgen") == 0);
	fs = stream_of(0);
	CHECK(fs->tx_port->id == 1);
	push_rx(0, make_frame(&mac_b, &mac_a, 60));
	push_rx(0, make_frame(&mac_b, &mac_a, 61));
	push_rx(0, make_frame(&mac_b, &mac_a, 62));
	f = fp(1);
	/* 40 bursts of 32: 1280 packets, flows 0..999 then 0..279. */
	for (i = 0; i < 40; i++)
		CHECK(fwd_engine()->pkt_burst(fs) == cfg.burst);
	CHECK(fwd_counter_read(&fs->rx_packets) == 3);
	CHECK(fwd_counter_read(&fs->tx_packets) == 1024);
	CHECK(f->tx_n == 1024);	/* the fake ring is full: rest dropped */
	CHECK(fwd_counter_read(&fs->fwd_dropped) == 1280 - 1024);
	total = f->tx_n;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < total; i++) {
		check_flowgen_pkt(f->tx[i], &flow);
		CHECK(flow == i % 1000);
		if (i == 0)
			first = flow;
		if (flow < sizeof(seen) && !seen[flow]) {
			seen[flow] = 1;
			distinct++;
		}
		/* IPv4 identification increments per packet. */
		CHECK(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(f->tx[i],
			struct rte_ipv4_hdr *, 14)->packet_id) == (uint16_t)i);
	}
	CHECK(first == 0);
	CHECK(distinct == 1000);
	tx_reset();
	cfg.flowgen_flows = APP_DEFAULT_FLOWGEN_FLOWS;
	cfg.txpkts = APP_DEFAULT_TXPKTS;
}

/* Whether frame @p i that port @p p was given is @p src -> @p dst. */
static bool
tx_has(uint16_t p, unsigned int i, const struct rte_ether_addr *src,
       const struct rte_ether_addr *dst)
{
	const uint8_t *b;

	if (i >= fp(p)->tx_n)
		return false;
	b = rte_pktmbuf_mtod(fp(p)->tx[i], const uint8_t *);
	return memcmp(b, dst, 6) == 0 && memcmp(b + 6, src, 6) == 0;
}

static int
table_port_of(const struct rte_ether_addr *mac)
{
	struct vhp_switch_mac_entry e[VHP_SWITCH_MAC_TABLE_SIZE];
	unsigned int n = vhp_switch_mac_table_get(e, RTE_DIM(e)), i;

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(&e[i].mac, mac))
			return e[i].port;
	return -1;
}

static void
test_switch(void)
{
	struct vhp_switch_port_stats ps;
	struct vhp_switch_table_stats ts;
	struct vhp_switch_mac_entry e[VHP_SWITCH_MAC_TABLE_SIZE];
	struct rte_ether_addr mac;
	struct rte_mbuf *m, *seg;
	char *dump = NULL, path[64];
	size_t dump_len = 0;
	FILE *f;
	unsigned int i, n;
	uint16_t p;

	printf("switch\n");
	cfg.mac_age = 1;
	cfg.nb_cores = 2;
	CHECK(setup("switch") == -EINVAL);	/* one lcore only */
	cfg.nb_cores = 1;
	CHECK(setup("switch") == 0);
	CHECK(fwd_nb_streams() == NB_PORTS);

	/* a (port 0) -> b, unknown: flooded to ports 1 and 2 only. */
	m = make_frame(&mac_b, &mac_a, 64);
	push_rx(0, m);
	CHECK(run_burst(0) == 1);
	CHECK(fp(0)->tx_n == 0 && fp(1)->tx_n == 1 && fp(2)->tx_n == 1);
	CHECK(tx_has(1, 0, &mac_a, &mac_b) && tx_has(2, 0, &mac_a, &mac_b));
	CHECK(rte_mbuf_refcnt_read(m) == 2);
	CHECK(table_port_of(&mac_a) == 0);
	tx_reset();
	/* b (port 1) -> a, known: port 0 only. */
	push_rx(1, make_frame(&mac_a, &mac_b, 64));
	CHECK(run_burst(1) == 1);
	CHECK(fp(0)->tx_n == 1 && fp(1)->tx_n == 0 && fp(2)->tx_n == 0);
	CHECK(tx_has(0, 0, &mac_b, &mac_a));
	CHECK(table_port_of(&mac_b) == 1);
	tx_reset();
	/* a -> b now learned: port 1 only, several in one burst. */
	for (i = 0; i < 5; i++)
		push_rx(0, make_frame(&mac_b, &mac_a, 64));
	CHECK(run_burst(0) == 5);
	CHECK(fp(0)->tx_n == 0 && fp(1)->tx_n == 5 && fp(2)->tx_n == 0);
	tx_reset();
	/* Broadcast and multicast from c (port 2): flooded to 0 and 1. */
	push_rx(2, make_frame(&mac_bcast, &mac_c, 64));
	push_rx(2, make_frame(&mac_mcast, &mac_c, 64));
	CHECK(run_burst(2) == 2);
	CHECK(fp(0)->tx_n == 2 && fp(1)->tx_n == 2 && fp(2)->tx_n == 0);
	CHECK(table_port_of(&mac_c) == 2);
	tx_reset();
	/* A frame to a station on its own ingress port: filtered. */
	mac = mac_a;
	mac.addr_bytes[5] = 0x1a;
	push_rx(0, make_frame(&mac_a, &mac, 64));
	CHECK(run_burst(0) == 1);
	CHECK(fp(0)->tx_n == 0 && fp(1)->tx_n == 0 && fp(2)->tx_n == 0);
	vhp_switch_port_stats_get(0, &ps);
	CHECK(ps.filtered == 1);
	CHECK(ps.rx == 7 && ps.forwarded == 5 && ps.flooded == 1);
	vhp_switch_port_stats_get(1, &ps);
	CHECK(ps.tx == 1 + 5 + 2 && ps.forwarded == 1);
	/* a moves to port 2: re-learned there; b -> a goes to port 2. */
	push_rx(2, make_frame(&mac_bcast, &mac_a, 64));
	CHECK(run_burst(2) == 1);
	CHECK(table_port_of(&mac_a) == 2);
	tx_reset();
	push_rx(1, make_frame(&mac_a, &mac_b, 64));
	CHECK(run_burst(1) == 1);
	CHECK(fp(0)->tx_n == 0 && fp(2)->tx_n == 1);
	tx_reset();
	vhp_switch_table_stats_get(&ts);
	CHECK(ts.moved == 1);
	CHECK(ts.learned == 4);	/* a, b, c, a' */
	/* Flooding a chained (two-segment) frame: both copies freed
	 * return every segment to the pool. */
	n = rte_mempool_avail_count(pool);
	m = make_frame(&mac_bcast, &mac_b, 64);
	seg = make_frame(&mac_bcast, &mac_b, 100);
	CHECK(rte_pktmbuf_chain(m, seg) == 0);
	push_rx(1, m);
	CHECK(run_burst(1) == 1);
	CHECK(fp(0)->tx_n == 1 && fp(2)->tx_n == 1);
	CHECK(rte_mbuf_refcnt_read(seg) == 2);
	tx_reset();
	CHECK(rte_mempool_avail_count(pool) == n);
	/* A port whose link is down gets nothing. */
	vhp_app_port_link_set(vhp_app_port_get(2), false);
	push_rx(0, make_frame(&mac_bcast, &mac_c, 64));
	CHECK(run_burst(0) == 1);
	CHECK(fp(1)->tx_n == 1 && fp(2)->tx_n == 0);
	vhp_app_port_link_set(vhp_app_port_get(2), true);
	tx_reset();

	/* The dump and the JSON list the table. */
	n = vhp_switch_mac_table_get(e, RTE_DIM(e));
	CHECK(n == 4);	/* a (2), b (1), c (0 now), a' (0) */
	for (i = 1; i < n; i++)
		CHECK(e[i - 1].port <= e[i].port);
	f = open_memstream(&dump, &dump_len);
	vhp_switch_mac_table_dump(f);
	fclose(f);
	CHECK(dump != NULL && strstr(dump, "02:00:00:00:00:0A") != NULL);
	CHECK(dump != NULL && strstr(dump, "4 entries") != NULL);
	printf("%s", dump != NULL ? dump : "");
	free(dump);
	snprintf(path, sizeof(path), "/tmp/vhp-test-engines-%d.json",
		 (int)getpid());
	CHECK(stats_json_write(path) == 0);
	f = fopen(path, "r");
	dump = calloc(1, 65536);
	if (f != NULL && dump != NULL) {
		CHECK(fread(dump, 1, 65535, f) > 0);
		CHECK(strstr(dump, "\"mac_table\"") != NULL);
		CHECK(strstr(dump, "\"02:00:00:00:00:0B\"") != NULL);
		CHECK(strstr(dump, "\"filtered\"") != NULL);
	}
	if (f != NULL)
		fclose(f);
	free(dump);
	unlink(path);

	/* Ageing (--mac-age=1): after 2.2 s nothing is known, b -> a is
	 * flooded again, and b is learned anew. */
	usleep(2200 * 1000);
	CHECK(vhp_switch_mac_table_get(e, RTE_DIM(e)) == 0);
	push_rx(1, make_frame(&mac_a, &mac_b, 64));
	CHECK(run_burst(1) == 1);
	CHECK(fp(0)->tx_n == 1 && fp(2)->tx_n == 1);
	CHECK(table_port_of(&mac_b) == 1);
	CHECK(vhp_switch_mac_table_get(e, RTE_DIM(e)) == 1);
	tx_reset();
	/* Sweeping: enough bursts visit every slot and remove the rest. */
	for (i = 0; i < VHP_SWITCH_MAC_TABLE_SIZE; i++) {
		push_rx(1, make_frame(&mac_a, &mac_b, 64));
		run_burst(1);
		tx_reset();
	}
	vhp_switch_table_stats_get(&ts);
	CHECK(ts.aged >= 3);
	CHECK(vhp_switch_mac_table_flush() == 0);
	CHECK(vhp_switch_mac_table_get(e, RTE_DIM(e)) == 0);
	for (p = 0; p < NB_PORTS; p++)
		CHECK(fp(p)->rx_n == 0);
}

static enum app_parse_result
parse(const char *opts, struct app_config *c)
{
	char buf[256], *argv[16], *save = NULL, *tok;
	FILE *devnull = fopen("/dev/null", "w");
	enum app_parse_result r;
	int n = 0;

	snprintf(buf, sizeof(buf), "test --vhost=/tmp/unused.sock %s", opts);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && n < 15;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	app_config_defaults(c);
	r = app_config_parse(c, n, argv, devnull != NULL ? devnull : stderr);
	if (devnull != NULL)
		fclose(devnull);
	return r;
}

static void
test_options(void)
{
	struct app_config c;

	printf("options\n");
	CHECK(parse("", &c) == APP_PARSE_OK);
	CHECK(c.flowgen_flows == 1024 && c.mac_age == 300);
	CHECK(parse("--forward-mode=icmpecho", &c) == APP_PARSE_OK);
	CHECK(parse("--forward-mode=flowgen --flowgen-flows=7", &c) ==
	      APP_PARSE_OK && c.flowgen_flows == 7);
	CHECK(parse("--forward-mode=switch --mac-age=0", &c) ==
	      APP_PARSE_OK && c.mac_age == 0 && strcmp(c.fwd_mode,
						       "switch") == 0);
	CHECK(parse("--mac-age=1000000", &c) == APP_PARSE_OK);
	CHECK(parse("--flowgen-flows=1048576", &c) == APP_PARSE_OK);
	CHECK(parse("--flowgen-flows=0", &c) == APP_PARSE_ERROR);
	CHECK(parse("--flowgen-flows=1048577", &c) == APP_PARSE_ERROR);
	CHECK(parse("--mac-age=-1", &c) == APP_PARSE_ERROR);
	CHECK(parse("--mac-age=1000001", &c) == APP_PARSE_ERROR);
	CHECK(parse("--forward-mode=switchx", &c) == APP_PARSE_ERROR);
}

/* Remove EAL's runtime directory of this process (its files, then it). */
static void
remove_dir(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--lcores=0@0,1@0,2@0", "--no-huge",
			"-m", "256", "--no-pci", "--no-shconf",
			"--log-level=lib.eal:error", prefix, NULL };
	char rundir[PATH_MAX];
	unsigned int avail;
	uint16_t p;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhpeng%d",
		 (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		printf("FAIL: EAL init\n");
		return 1;
	}
	vhp_app_pool_config(4096, 0);
	app_config_defaults(&cfg);
	for (p = 0; p < NB_PORTS; p++)
		if (vhp_app_port_create(&fake_driver, "") == NULL)
			return 1;
	cfg.nb_ports = NB_PORTS;
	if (setup("io") != 0)
		return 1;
	for (p = 0; p < NB_PORTS; p++)
		if (vhp_app_port_start(vhp_app_port_get(p)) != 0)
			return 1;
	pool = vhp_app_pool_get(0);
	if (pool == NULL)
		return 1;
	avail = rte_mempool_avail_count(pool);
	test_options();
	test_icmpecho();
	test_flowgen();
	test_switch();
	tx_reset();
	/* Every mbuf (flood copies included) went back to the pool. */
	CHECK(rte_mempool_avail_count(pool) == avail);
	fwd_config_free();
	vhp_app_ports_close();
	vhp_app_pools_free();
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_dir(rundir);
	if (failures != 0) {
		printf("%d check(s) failed\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
