/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhp-testpmd unit tests that need no EAL: option parsing, the JSON
 * writer, the txonly frame template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "config.h"
#include "fwd.h"
#include "json.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

static enum app_parse_result
parse(struct app_config *cfg, const char *line)
{
	static char buf[1024];
	char *argv[64], *save = NULL, *tok;
	int argc = 0;
	FILE *devnull = fopen("/dev/null", "w");
	enum app_parse_result r;

	snprintf(buf, sizeof(buf), "vhp-testpmd %s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < 63;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	app_config_defaults(cfg);
	r = app_config_parse(cfg, argc, argv, devnull);
	fclose(devnull);
	return r;
}

static void
test_parse(void)
{
	struct app_config cfg;

	CHECK(parse(&cfg, "--vhost=/tmp/a.sock") == APP_PARSE_OK);
	CHECK(cfg.nb_ports == 1);
	CHECK(strcmp(cfg.ports[0].args, "/tmp/a.sock") == 0);
	CHECK(strcmp(cfg.ports[0].driver->name, "vhost") == 0);
	CHECK(strcmp(cfg.fwd_mode, "io") == 0);
	CHECK(cfg.burst == 32 && cfg.nb_cores == 1 && cfg.txpkts == 64);
	CHECK(!cfg.tx_first && cfg.tx_retry == 0 && cfg.duration == 0);
	CHECK(cfg.peer[3].addr_bytes[0] == 0x02 &&
	      cfg.peer[3].addr_bytes[5] == 3);

	CHECK(parse(&cfg, "--vhost=/a,queues=2 --vhost=/b,client=1 "
		    "--forward-mode=macswap --nb-cores=2 --burst=64 "
		    "--txpkts=128 --tx-first --tx-retry=4 --duration=1.5 "
		    "--stats-json=/tmp/x.json --stats-period=2 "
		    "--total-num-mbufs=8192 --mbuf-size=4096 "
		    "--eth-peer=1,aa:bb:cc:dd:ee:ff") == APP_PARSE_OK);
	CHECK(cfg.nb_ports == 2);
	CHECK(strcmp(cfg.ports[1].args, "/b,client=1") == 0);
	CHECK(strcmp(cfg.fwd_mode, "macswap") == 0);
	CHECK(cfg.nb_cores == 2 && cfg.burst == 64 && cfg.txpkts == 128);
	CHECK(cfg.tx_first && cfg.tx_retry == 4 && cfg.duration == 1.5);
	CHECK(cfg.stats_period == 2 && cfg.nb_mbufs == 8192);
	CHECK(cfg.mbuf_size == 4096);
	CHECK(strcmp(cfg.stats_json, "/tmp/x.json") == 0);
	CHECK(cfg.peer[1].addr_bytes[0] == 0xaa &&
	      cfg.peer[1].addr_bytes[5] == 0xff);

	CHECK(parse(&cfg, "--vhost=/a --burst=512") == APP_PARSE_OK);
	CHECK(parse(&cfg, "--vhost=/a --burst=513") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --burst=0") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --burst=12x") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --burst") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --nb-cores=0") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --forward-mode=csum") ==
	      APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --unknown") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a extra") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --duration=-1") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --txpkts=41") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --txpkts=3000") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--vhost=/a --txpkts=3000 --mbuf-size=4096") ==
	      APP_PARSE_OK);
	CHECK(parse(&cfg, "--vhost=/a --eth-peer=1,zz") == APP_PARSE_ERROR);
	CHECK(parse(&cfg, "--forward-mode=io") == APP_PARSE_ERROR);
}

static void
test_json(void)
{
	struct vhp_json w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *expect =
		"{\n"
		"  \"a\": 1,\n"
		"  \"s\": \"x\\\"y\\\\z\\n\",\n"
		"  \"l\": [\n"
		"    -1,\n"
		"    {\n"
		"      \"h\": \"0x1f\",\n"
		"      \"b\": true\n"
		"    }\n"
		"  ],\n"
		"  \"e\": [],\n"
		"  \"d\": 1.500,\n"
		"  \"n\": null\n"
		"}\n";

	vhp_json_init(&w, f);
	vhp_json_obj_begin(&w, NULL);
	vhp_json_u64(&w, "a", 1);
	vhp_json_str(&w, "s", "x\"y\\z\n");
	vhp_json_arr_begin(&w, "l");
	vhp_json_i64(&w, NULL, -1);
	vhp_json_obj_begin(&w, NULL);
	vhp_json_hex(&w, "h", 31);
	vhp_json_bool(&w, "b", true);
	vhp_json_obj_end(&w);
	vhp_json_arr_end(&w);
	vhp_json_arr_begin(&w, "e");
	vhp_json_arr_end(&w);
	vhp_json_double(&w, "d", 1.5);
	vhp_json_null(&w, "n");
	vhp_json_obj_end(&w);
	CHECK(vhp_json_finish(&w) == 0);
	fclose(f);
	CHECK(strcmp(buf, expect) == 0);
	if (strcmp(buf, expect) != 0)
		printf("got:\n%s\nexpected:\n%s\n", buf, expect);
	free(buf);

	f = fopen("/dev/null", "w");
	vhp_json_init(&w, f);
	vhp_json_obj_begin(&w, NULL);
	CHECK(vhp_json_finish(&w) != 0);	/* unclosed object */
	fclose(f);
}

static void
test_template(void)
{
	uint8_t buf[64];
	struct rte_ether_addr src = { .addr_bytes = { 2, 0, 0, 0, 0, 1 } };
	struct rte_ether_addr dst = { .addr_bytes = { 2, 0, 0, 0, 0, 2 } };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	fwd_txonly_template(buf, sizeof(buf), &src, &dst);
	CHECK(rte_is_same_ether_addr(&eth->src_addr, &src));
	CHECK(rte_is_same_ether_addr(&eth->dst_addr, &dst));
	CHECK(eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
	CHECK(rte_be_to_cpu_16(ip->total_length) == 64 - 14);
	CHECK(rte_be_to_cpu_16(udp->dgram_len) == 64 - 14 - 20);
	/* A valid header sums to 0xffff (checksum field included). */
	CHECK(rte_raw_cksum(ip, sizeof(*ip)) == 0xffff);
}

int
main(void)
{
	test_parse();
	test_json();
	test_template();
	if (failures != 0) {
		printf("%d check(s) failed\n", failures);
		return 1;
	}
	printf("all checks passed\n");
	return 0;
}
