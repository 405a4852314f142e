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
#include <stdint.h>
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

/*
 * Write the virtio_net_hdr template @p hdr (@p len bytes: 12, or the
 * legacy 10) into a guest RX buffer unless the buffer holds it already. A
 * guest driver reposts the same buffers, so it usually does (DPDK's vhost
 * does the same field by field): the line then stays shared between the
 * guest's core and ours instead of moving here and back, one cross-core
 * miss less per packet for the guest's driver. What the guest writes into
 * a buffer it gave us is its own business: we never read it back.
 */
static __rte_always_inline void
vhp_hdr_put(uint8_t *dst, const uint8_t *hdr, uint32_t len)
{
	uint64_t d8, h8;
	uint32_t d4, h4;

	if (likely(len == 12)) {
		memcpy(&d8, dst, 8);
		memcpy(&d4, dst + 8, 4);
		memcpy(&h8, hdr, 8);
		memcpy(&h4, hdr + 8, 4);
		if (likely(d8 == h8 && d4 == h4))
			return;
		memcpy(dst, hdr, 12);
	} else if (memcmp(dst, hdr, len) != 0) {
		memcpy(dst, hdr, len);
	}
}

#endif /* VHP_COPY_H */
