/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmpecho engine: ARP and ICMP echo responder.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "fwd_icmpecho.h"
#include "json.h"

/* Per-stream counters, one cache line each (streams run on any lcore). */
struct icmpecho_counters {
	uint64_t arp_replies;
	uint64_t echo_replies;
	uint64_t dropped;
} __rte_cache_aligned;

static struct icmpecho_counters counters[FWD_MAX_STREAMS];

/* Index of a stream: streams are one array (fwd.c). */
static inline unsigned int
stream_index(const struct fwd_stream *fs)
{
	return (unsigned int)(fs - fwd_stream_get(0));
}

/*
 * Answer an ARP request in place. @p off is the ARP header offset.
 * @return true when the frame became a reply.
 */
static bool
icmpecho_arp(struct rte_mbuf *m, struct rte_ether_hdr *eth, uint32_t off,
	     const struct rte_ether_addr *port_mac)
{
	struct rte_arp_hdr *arp;
	uint32_t ip;

	if (rte_pktmbuf_data_len(m) < off + sizeof(*arp))
		return false;
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, off);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return false;
	/* Reply to the asker, from us, for whatever IP it asked. */
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(port_mac, &eth->src_addr);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	rte_ether_addr_copy(port_mac, &arp->arp_data.arp_sha);
	ip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sip = arp->arp_data.arp_tip;
	arp->arp_data.arp_tip = ip;
	return true;
}

/*
 * Turn an ICMP echo request into the reply, in place. @p off is the IPv4
 * header offset. @return true when the frame became a reply.
 */
static bool
icmpecho_icmp(struct rte_mbuf *m, struct rte_ether_hdr *eth, uint32_t off)
{
	struct rte_ether_addr mac;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint32_t ihl, addr, sum, icmp_len;
	uint16_t cksum;

	if (rte_pktmbuf_data_len(m) < off + sizeof(*ip))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    ip->next_proto_id != IPPROTO_ICMP ||
	    rte_pktmbuf_data_len(m) < off + ihl + sizeof(*icmp))
		return false;
	/* Fragments cannot be answered; nor can multicast/broadcast. */
	if ((ip->fragment_offset & rte_cpu_to_be_16(
		RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	addr = rte_be_to_cpu_32(ip->dst_addr);
	if ((addr >> 28) == 0xe || addr == UINT32_MAX)	/* 224.0.0.0/4 */
		return false;
	icmp_len = rte_be_to_cpu_16(ip->total_length);
	if (icmp_len < ihl + sizeof(*icmp) ||
	    rte_pktmbuf_pkt_len(m) < off + icmp_len)
		return false;
	icmp_len -= ihl;
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off + ihl);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp->icmp_code != 0)
		return false;
	rte_ether_addr_copy(&eth->src_addr, &mac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&mac, &eth->dst_addr);
	/* Swapping the addresses keeps the header's ones'-complement sum. */
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	/*
	 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), with m the old first
	 * word (type 8, code 0) and m' the new one (type 0, code 0).
	 */
	sum = (~(uint32_t)rte_be_to_cpu_16(icmp->icmp_cksum) & 0xffff) +
		(~(uint32_t)(RTE_IP_ICMP_ECHO_REQUEST << 8) & 0xffff) +
		(uint32_t)(RTE_IP_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	/*
	 * 0 is ambiguous (the sum was 0xffff, or the message is all zeros
	 * and needs 0xffff): compute it over the whole message then.
	 */
	if (unlikely(icmp->icmp_cksum == 0)) {
		icmp->icmp_cksum = 0;
		if (rte_raw_cksum_mbuf(m, off + ihl, icmp_len, &cksum) != 0)
			return false;
		icmp->icmp_cksum = (uint16_t)~cksum;
	}
	return true;
}

/* One frame: 0 dropped, 1 ARP reply, 2 echo reply. */
static int
icmpecho_one(struct rte_mbuf *m, const struct rte_ether_addr *port_mac)
{
	struct rte_ether_hdr *eth;
	struct rte_vlan_hdr *vlan;
	uint32_t off = sizeof(*eth);
	uint16_t type;
	int tags;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth)))
		return 0;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	type = eth->ether_type;
	for (tags = 0; tags < 2 &&
	     (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	      type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ)); tags++) {
		if (rte_pktmbuf_data_len(m) < off + sizeof(*vlan))
			return 0;
		vlan = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *, off);
		type = vlan->eth_proto;
		off += sizeof(*vlan);
	}
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		return icmpecho_arp(m, eth, off, port_mac) ? 1 : 0;
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return icmpecho_icmp(m, eth, off) ? 2 : 0;
	return 0;
}

uint16_t
fwd_icmpecho_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	struct rte_mbuf *drop[APP_MAX_BURST];
	struct icmpecho_counters *c = &counters[stream_index(fs)];
	const struct rte_ether_addr *mac = &fs->rx_port->mac;
	uint16_t n, i, nb_tx = 0, nb_drop = 0, arp = 0, echo = 0;

	n = vhp_app_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (n == 0)
		return 0;
	fwd_counter_add(&fs->rx_packets, n);
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		switch (icmpecho_one(pkts[i], mac)) {
		case 1:
			arp++;
			pkts[nb_tx++] = pkts[i];
			break;
		case 2:
			echo++;
			pkts[nb_tx++] = pkts[i];
			break;
		default:
			drop[nb_drop++] = pkts[i];
			break;
		}
	}
	if (nb_drop != 0) {
		rte_pktmbuf_free_bulk(drop, nb_drop);
		fwd_counter_add(&c->dropped, nb_drop);
	}
	if (arp != 0)
		fwd_counter_add(&c->arp_replies, arp);
	if (echo != 0)
		fwd_counter_add(&c->echo_replies, echo);
	if (nb_tx != 0)
		fwd_tx(fs, pkts, nb_tx);
	return n;
}

void
fwd_icmpecho_begin(void)
{
	memset(counters, 0, sizeof(counters));
}

void
fwd_icmpecho_stats_get(struct fwd_icmpecho_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < fwd_nb_streams(); i++) {
		st->arp_replies += fwd_counter_read(&counters[i].arp_replies);
		st->echo_replies += fwd_counter_read(&counters[i].echo_replies);
		st->dropped += fwd_counter_read(&counters[i].dropped);
	}
}

void
fwd_icmpecho_show(FILE *f)
{
	struct fwd_icmpecho_stats st;

	fwd_icmpecho_stats_get(&st);
	fprintf(f, "  icmpecho: ARP replies %" PRIu64 ", echo replies %"
		PRIu64 ", dropped %" PRIu64 "\n", st.arp_replies,
		st.echo_replies, st.dropped);
}

void
fwd_icmpecho_json(struct vhp_json *w)
{
	struct fwd_icmpecho_stats st;

	fwd_icmpecho_stats_get(&st);
	vhp_json_obj_begin(w, "icmpecho");
	vhp_json_u64(w, "arp_replies", st.arp_replies);
	vhp_json_u64(w, "echo_replies", st.echo_replies);
	vhp_json_u64(w, "dropped", st.dropped);
	vhp_json_obj_end(w);
}
