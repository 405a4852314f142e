/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Live-migration dirty-page logging (VHOST_F_LOG_ALL, LOG_SHMFD).
 *
 * The front-end shares a bitmap (SET_LOG_BASE): one bit per 4 KiB page of
 * guest-physical memory. While LOG_ALL is negotiated every page the
 * back-end writes is marked with an atomic OR after the write and before
 * the guest is notified: RX buffers, the split used ring (entries and
 * index), the packed descriptors written back. The datapath tests one
 * pointer per flush (vq->log); NULL when logging is off.
 */
#ifndef VHP_DIRTY_LOG_H
#define VHP_DIRTY_LOG_H

#include <stdint.h>

#include <rte_branch_prediction.h>

/** Page size of the dirty bitmap (VHOST_LOG_PAGE). */
#define VHP_LOG_PAGE		4096u

/** A mapped dirty bitmap. */
struct vhp_dirty_log {
	uint8_t *bits;		/**< first byte of the bitmap */
	uint64_t size;		/**< bytes of bitmap */
	void *map;		/**< what mmap returned */
	size_t map_len;		/**< mapped length */
	uint64_t skipped;	/**< marks beyond the bitmap (front-end bug) */
};

/** Mark the pages of [gpa, gpa + len) dirty, any length (dirty_log.c). */
void vhp_log_mark_range(struct vhp_dirty_log *log, uint64_t gpa,
			uint64_t len);

/**
 * Mark the pages of [gpa, gpa + len) dirty. Datapath-safe. Most marks hit
 * a page already marked since the front-end last collected the log: a
 * load instead of a locked OR then. (A bit the front-end clears after our
 * load is collected after our write, which came before the load.)
 */
static inline void
vhp_log_mark(struct vhp_dirty_log *log, uint64_t gpa, uint64_t len)
{
	uint64_t page = gpa / VHP_LOG_PAGE;
	uint8_t bit, *b;

	if (unlikely(len == 0 || page != (gpa + len - 1) / VHP_LOG_PAGE ||
		     page / 8 >= log->size)) {
		vhp_log_mark_range(log, gpa, len);
		return;
	}
	bit = (uint8_t)(1u << (page % 8));
	b = &log->bits[page / 8];
	if (!(__atomic_load_n(b, __ATOMIC_RELAXED) & bit))
		__atomic_fetch_or(b, bit, __ATOMIC_RELAXED);
}

#endif /* VHP_DIRTY_LOG_H */
