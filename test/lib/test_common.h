/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Minimal test harness: checks that count failures and print where, and an
 * EAL set-up that needs no hugepages and no PCI.
 */
#ifndef VHP_TEST_COMMON_H
#define VHP_TEST_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** Failures counted by CHECK() in this process. */
extern unsigned int vhp_test_failures;
/** Checks run in this process. */
extern unsigned int vhp_test_checks;

/** Record a check; print file:line and the expression when false. */
#define CHECK(cond) do { \
	vhp_test_checks++; \
	if (!(cond)) { \
		vhp_test_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", \
			__FILE__, __LINE__, #cond); \
	} \
} while (0)

/** Check integer equality, printing both values. */
#define CHECK_EQ(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	vhp_test_checks++; \
	if (_a != _b) { \
		vhp_test_failures++; \
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, " \
			"%s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); \
	} \
} while (0)

/**
 * Initialise EAL for a unit test: --no-huge -m 256 --no-pci
 * --file-prefix=<name>-<pid>, logs at warning level.
 * @return 0, exits on failure.
 */
int vhp_test_eal_init(const char *name);

/** Run one named test case function, printing its name and result. */
#define RUN_TEST(fn) do { \
	unsigned int _f = vhp_test_failures; \
	fn(); \
	printf("%s %s\n", vhp_test_failures == _f ? "ok  " : "FAIL", #fn); \
} while (0)

/** Number of open file descriptors of this process (-1 on error). */
int vhp_test_count_fds(void);

/**
 * Print the summary line ("N passed, N failed" over test cases is not
 * tracked; we print checks) and return the process exit code.
 */
int vhp_test_summary(void);

struct rte_mbuf;

/**
 * Fuzzing offloads: mark packet @p m (pattern bytes) with the TX offload
 * requests chosen by @p sel, and make it look like TCP/IPv4 when it is
 * long enough, so the enqueue offload path parses and patches it.
 */
void vhp_test_mark_offload(struct rte_mbuf *m, uint32_t sel);

#endif /* VHP_TEST_COMMON_H */
