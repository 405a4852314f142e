/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Guest memory: regions mapped from the front-end's fds, and translation of
 * guest-physical (descriptor) and front-end user (ring) addresses to host
 * virtual addresses. Translation is on the per-packet path: inline, with a
 * per-queue cached last region.
 */
#ifndef VHP_MEMORY_H
#define VHP_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vhp.h"
#include "virtio_defs.h"

/** One mapped guest memory region. */
struct vhp_mem_region {
	uint64_t gpa;		/**< guest-physical start */
	uint64_t size;		/**< bytes */
	uint64_t gpa_end;	/**< gpa + size (no overflow: checked) */
	uint64_t hva;		/**< host address of gpa */
	uint64_t uaddr;		/**< front-end user address of gpa */
	void *mmap_addr;	/**< what mmap returned */
	size_t mmap_size;	/**< what was mapped (size + offset, aligned) */
	uint64_t mmap_offset;	/**< offset of gpa in the fd */
	int fd;			/**< the region's fd (kept open) */
	int numa_node;		/**< node of the first page, -1 unknown */
	uint64_t page_size;	/**< page size of the mapping */
	/** The fd cannot shrink (memfd with F_SEAL_SHRINK); otherwise the
	 * mapping is guarded against SIGBUS (mem_guard.c). */
	bool sealed;
};

/** A guest memory table. Immutable while any queue of the device runs. */
struct vhp_mem {
	uint32_t nregions;
	struct vhp_mem_region regions[VHP_MAX_MEM_SLOTS];
};

/**
 * The region a ring translated through last: a private copy of its bounds
 * and offset, so that a hit costs two compares and an add, without touching
 * the region table. All zero is empty. Reset whenever the ring is
 * (re)translated; the memory table only changes while rings are stopped.
 */
struct vhp_mem_cache {
	uint64_t gpa;		/**< region start */
	uint64_t gpa_end;	/**< region end (exclusive), 0 when empty */
	uint64_t delta;		/**< host address - guest-physical address */
};

/**
 * Cache miss of vhp_gpa_to_hva(): search the table, refill @p c
 * (memory.c; out of line so that the inlined hit path stays small).
 */
void *vhp_gpa_to_hva_miss(const struct vhp_mem *mem, uint64_t gpa,
			  uint64_t *len, struct vhp_mem_cache *c);

/**
 * Translate guest-physical [gpa, gpa + *len) to a host pointer.
 *
 * On return *len is the contiguous mapped length starting at gpa (it may be
 * smaller than asked when the range crosses into another region: the caller
 * then translates the rest separately). Returns NULL when gpa is not mapped.
 * @p c caches the last region used (see struct vhp_mem_cache).
 */
static __rte_always_inline void *
vhp_gpa_to_hva(const struct vhp_mem *mem, uint64_t gpa, uint64_t *len,
	       struct vhp_mem_cache *c)
{
	if (likely(gpa >= c->gpa && gpa < c->gpa_end)) {
		if (unlikely(*len > c->gpa_end - gpa))
			*len = c->gpa_end - gpa;
		return (void *)(uintptr_t)(gpa + c->delta);
	}
	return vhp_gpa_to_hva_miss(mem, gpa, len, c);
}

/**
 * Translate the whole guest-physical range [gpa, gpa + len) which must lie
 * in one region (rings, indirect tables, headers). NULL otherwise.
 */
static __rte_always_inline void *
vhp_gpa_to_hva_full(const struct vhp_mem *mem, uint64_t gpa, uint64_t len,
		    struct vhp_mem_cache *c)
{
	uint64_t l = len;
	void *p = vhp_gpa_to_hva(mem, gpa, &l, c);

	return (p != NULL && l == len) ? p : NULL;
}

/**
 * Translate a front-end user address range (SET_VRING_ADDR) that must lie in
 * one region. Control-thread only. NULL when not mapped.
 */
void *vhp_uaddr_to_hva(const struct vhp_mem *mem, uint64_t uaddr, uint64_t len);

/** Guest-physical address of front-end user address @p uaddr, or
 * UINT64_MAX when no region holds it. */
uint64_t vhp_uaddr_to_gpa(const struct vhp_mem *mem, uint64_t uaddr);

/**
 * Validate and map one region described by the front-end.
 * Checks zero size, gpa/uaddr overflow, fstat size vs size + offset, then
 * mmap(MAP_SHARED) with hugepage alignment where the fd is on hugetlbfs.
 * On success @p out is filled and owns @p fd. On failure @p fd is not closed
 * and @p err (when not NULL) receives a short reason.
 * @return 0 or a negative errno.
 */
int vhp_mem_region_map(struct vhp_mem_region *out,
		       const struct vhost_user_mem_region *desc, int fd,
		       const char **err);

/** Unmap a region and close its fd. */
void vhp_mem_region_unmap(struct vhp_mem_region *r);

/**
 * Does [gpa, gpa+size) or [uaddr, uaddr+size) overlap a region of @p mem?
 * @return index of the overlapping region, or -1.
 */
int vhp_mem_overlaps(const struct vhp_mem *mem,
		     const struct vhost_user_mem_region *desc);

/** Unmap every region of @p mem and set nregions to 0. */
void vhp_mem_free_all(struct vhp_mem *mem);

/**
 * Guard a mapped region whose file could shrink (not sealed): a SIGBUS in
 * it maps zero pages there and raises @p needs_reset (mem_guard.c).
 * No-op for sealed regions. Logs when the guard table is full.
 */
void vhp_mem_region_guard(struct vhp_mem_region *r, uint8_t *needs_reset,
			  const char *name);

/* ---- mem_guard.c ---- */

/**
 * Add F_SEAL_SHRINK to a memfd (kept if already there).
 * @return true when the file can no longer shrink.
 */
bool vhp_mem_guard_seal(int fd);

/**
 * Guard [start, start + len) against SIGBUS (installs the handler once).
 * @return 0, -ENOSPC (table full) or -errno from sigaction.
 */
int vhp_mem_guard_add(void *start, size_t len, size_t page, uint64_t gpa,
		      uint8_t *needs_reset, const char *name);

/** Stop guarding the range that starts at @p start (before munmap). */
void vhp_mem_guard_del(void *start);

/** An eventfd the SIGBUS handler writes so the control thread reports. */
void vhp_mem_guard_set_notify_fd(int fd);

/** Log the SIGBUS faults caught since the last call (control thread). */
void vhp_mem_guard_report(void);

/** NUMA node of the page holding @p addr, -1 when unknown. */
int vhp_numa_node_of(const void *addr);

#endif /* VHP_MEMORY_H */
