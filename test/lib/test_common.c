/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include <rte_mbuf.h>

#include "test_common.h"

unsigned int vhp_test_failures;
unsigned int vhp_test_checks;

int
vhp_test_eal_init(const char *name)
{
	char prefix[96];
	char *argv[] = {
		(char *)name, "--no-huge", "-m", "256", "--no-pci",
		"--no-telemetry", "-l", "0", "--log-level", "*:warning",
		prefix, NULL
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s-%d", name,
		 (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed\n", name);
		exit(1);
	}
	return 0;
}

int
vhp_test_summary(void)
{
	printf("%u passed, %u failed\n", vhp_test_checks - vhp_test_failures,
	       vhp_test_failures);
	rte_eal_cleanup();
	return vhp_test_failures == 0 ? 0 : 1;
}

int
vhp_test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory stream's own fd */
}

/*
 * Offload fuzzing: mark packet @p m (pattern bytes) with TX offload
 * requests chosen by @p sel, and make it look like TCP/IPv4 when it is
 * long enough, so the enqueue offload path parses and patches it.
 */
void
vhp_test_mark_offload(struct rte_mbuf *m, uint32_t sel)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	if (m->data_len >= 54) {
		p[12] = 0x08;
		p[13] = 0x00;
		p[14] = 0x45;
		p[16] = (uint8_t)((m->pkt_len - 14) >> 8);
		p[17] = (uint8_t)(m->pkt_len - 14);
		p[20] = 0;
		p[23] = 6;
		p[46] = 0x50;
	}
	switch (sel % 7) {
	case 1:
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_TCP_CKSUM;
		m->l2_len = 14;
		m->l3_len = 20;
		break;
	case 2:
		m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
		m->l2_len = 14;
		m->l3_len = 40;
		break;
	case 3:
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
		m->l2_len = 14;
		m->l3_len = 20;
		m->l4_len = 20;
		m->tso_segsz = (uint16_t)(sel % 1500);
		break;
	case 4:
		m->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;	/* lengths parsed */
		break;
	case 5:
		m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		break;
	case 6:
		m->ol_flags = RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_SCTP_CKSUM;
		break;
	default:
		break;
	}
}
