/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet data copies between guest buffers and mbufs.
 *
 * rte_memcpy is inlined with the instructions of the build's -march
 * (Debian's DPDK asks for corei7: 16-byte SSE moves), which is the best
 * choice for the short copies of small packets. For long copies glibc's
 * memcpy wins: it picks AVX2/AVX-512 and "rep movsb" at run time for the
 * CPU it runs on, so a portable build still gets wide copies. Measured on
 * this project's machine (AMD EPYC, AVX-512): see doc/performance.md.
 */
#ifndef VHP_COPY_H
#define VHP_COPY_H

#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_memcpy.h>

/** Copies of at least this many bytes go to glibc's dispatched memcpy. */
#define VHP_COPY_WIDE_MIN	512

/** Copy @p n bytes of packet data (regions do not overlap). */
static __rte_always_inline void
vhp_copy(void *dst, const void *src, size_t n)
{
	if (unlikely(n >= VHP_COPY_WIDE_MIN))
		memcpy(dst, src, n);
	else
		rte_memcpy(dst, src, n);
}

#endif /* VHP_COPY_H */
