/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

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
