/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowgen engine: UDP/IPv4 flow generator.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "fwd_flowgen.h"
#include "json.h"

#define FLOWGEN_SRC_NET	((UINT32_C(198) << 24) | (UINT32_C(18) << 16))
#define FLOWGEN_DST_NET	((UINT32_C(198) << 24) | (UINT32_C(19) << 16))
#define FLOWGEN_SPORT	1024
#define FLOWGEN_DPORT	9

/* Per-stream generator state, one cache line each. */
struct flowgen_state {
	uint32_t next_flow;	/* flow of the next packet */
	uint16_t ip_id;		/* IPv4 identification of the next packet */
} __rte_cache_aligned;

static struct flowgen_state state[FWD_MAX_STREAMS];
static uint32_t nb_flows = APP_DEFAULT_FLOWGEN_FLOWS;

int
fwd_flowgen_setup(const struct app_config *cfg)
{
	nb_flows = cfg->flowgen_flows != 0 ? cfg->flowgen_flows :
		APP_DEFAULT_FLOWGEN_FLOWS;
	return 0;
}

void
fwd_flowgen_begin(void)
{
	memset(state, 0, sizeof(state));
}

/* Add the 16-bit halves of @p v to a ones'-complement sum. */
static inline uint32_t
sum32(uint32_t v)
{
	return (v >> 16) + (v & 0xffff);
}

/* Rewrite the template copy in @p m as flow @p f. */
static inline void
flowgen_fill(struct rte_mbuf *m, uint32_t f, uint16_t ip_id)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t src = FLOWGEN_SRC_NET | (f & 0xffff);
	uint32_t dst = FLOWGEN_DST_NET | (f & 0xff);
	uint16_t sport = (uint16_t)(FLOWGEN_SPORT + (f >> 8));
	uint16_t ulen = rte_be_to_cpu_16(udp->dgram_len);
	uint32_t sum;

	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->packet_id = rte_cpu_to_be_16(ip_id);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(FLOWGEN_DPORT);
	/* Pseudo header + UDP header; the payload is all zeros. */
	sum = sum32(src) + sum32(dst) + IPPROTO_UDP + ulen + sport +
		FLOWGEN_DPORT + ulen;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	udp->dgram_cksum = rte_cpu_to_be_16(sum == 0 ? 0xffff : (uint16_t)sum);
}

uint16_t
fwd_flowgen_burst(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[APP_MAX_BURST];
	struct flowgen_state *st =
		&state[(unsigned int)(fs - fwd_stream_get(0))];
	uint32_t f = st->next_flow, flows = nb_flows;
	uint16_t n, i, id = st->ip_id;

	n = vhp_app_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
	if (n != 0) {
		fwd_counter_add(&fs->rx_packets, n);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	if (fwd_txonly_alloc(fs, pkts, fs->burst) != 0)
		return 0;
	for (i = 0; i < fs->burst; i++) {
		flowgen_fill(pkts[i], f, id++);
		if (++f == flows)
			f = 0;
	}
	st->next_flow = f;
	st->ip_id = id;
	fwd_tx(fs, pkts, fs->burst);
	return fs->burst;
}

void
fwd_flowgen_json(struct vhp_json *w)
{
	vhp_json_obj_begin(w, "flowgen");
	vhp_json_u64(w, "flows", nb_flows);
	vhp_json_obj_end(w);
}
