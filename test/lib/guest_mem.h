/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Guest memory for unit tests: one memfd mapped twice, once as the "guest"
 * sees it (addressed by guest-physical address) and once as the back-end's
 * struct vhp_mem region (a different host address, as in real life).
 */
#ifndef VHP_GUEST_MEM_H
#define VHP_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "memory.h"

/** A test guest's memory. */
struct guest_mem {
	int fd;			/**< memfd */
	uint64_t gpa_base;	/**< guest-physical address of byte 0 */
	uint64_t size;		/**< bytes */
	uint8_t *guest;		/**< guest's mapping */
	uint64_t next;		/**< bump allocator offset */
	struct vhp_mem mem;	/**< back-end view: one region, own mapping */
};

/**
 * Create @p size bytes of guest memory at guest-physical @p gpa_base.
 * @return 0 or -1.
 */
int guest_mem_create(struct guest_mem *gm, uint64_t gpa_base, uint64_t size);

/**
 * Split the back-end view into two regions at offset @p split (both still
 * mapped), to test buffers spanning regions.
 */
int guest_mem_split_regions(struct guest_mem *gm, uint64_t split);

/** Unmap and close everything. */
void guest_mem_destroy(struct guest_mem *gm);

/** Allocate @p len bytes aligned to @p align; returns the gpa (0: full). */
uint64_t guest_mem_alloc(struct guest_mem *gm, uint64_t len, uint64_t align);

/** Guest pointer of @p gpa (must be inside). */
void *guest_mem_ptr(struct guest_mem *gm, uint64_t gpa);

#endif /* VHP_GUEST_MEM_H */
