/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_mem.h"

static void *
map_fd(int fd, uint64_t size, uint64_t off)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)off);
	return p == MAP_FAILED ? NULL : p;
}

static void
set_region(struct vhp_mem_region *r, struct guest_mem *gm, uint64_t off,
	   uint64_t size)
{
	memset(r, 0, sizeof(*r));
	r->gpa = gm->gpa_base + off;
	r->size = size;
	r->gpa_end = r->gpa + size;
	r->mmap_addr = map_fd(gm->fd, size, off);
	r->mmap_size = size;
	r->mmap_offset = off;
	r->hva = (uint64_t)(uintptr_t)r->mmap_addr;
	r->uaddr = (uint64_t)(uintptr_t)(gm->guest + off);
	r->fd = -1;
	r->numa_node = -1;
}

int
guest_mem_create(struct guest_mem *gm, uint64_t gpa_base, uint64_t size)
{
	memset(gm, 0, sizeof(*gm));
	gm->fd = memfd_create("vhp-test-guest", 0);
	if (gm->fd < 0)
		return -1;
	if (ftruncate(gm->fd, (off_t)size) != 0)
		goto fail;
	gm->gpa_base = gpa_base;
	gm->size = size;
	gm->guest = map_fd(gm->fd, size, 0);
	if (gm->guest == NULL)
		goto fail;
	gm->next = 4096;	/* keep gpa_base itself unused */
	gm->mem.nregions = 1;
	set_region(&gm->mem.regions[0], gm, 0, size);
	if (gm->mem.regions[0].mmap_addr == NULL)
		goto fail;
	return 0;
fail:
	close(gm->fd);
	gm->fd = -1;
	return -1;
}

int
guest_mem_split_regions(struct guest_mem *gm, uint64_t split)
{
	uint32_t i;

	if (split == 0 || split >= gm->size || (split & 4095) != 0)
		return -1;
	for (i = 0; i < gm->mem.nregions; i++)
		munmap(gm->mem.regions[i].mmap_addr,
		       gm->mem.regions[i].mmap_size);
	gm->mem.nregions = 2;
	set_region(&gm->mem.regions[0], gm, 0, split);
	set_region(&gm->mem.regions[1], gm, split, gm->size - split);
	return (gm->mem.regions[0].mmap_addr && gm->mem.regions[1].mmap_addr)
		? 0 : -1;
}

void
guest_mem_destroy(struct guest_mem *gm)
{
	uint32_t i;

	for (i = 0; i < gm->mem.nregions; i++)
		if (gm->mem.regions[i].mmap_addr != NULL)
			munmap(gm->mem.regions[i].mmap_addr,
			       gm->mem.regions[i].mmap_size);
	gm->mem.nregions = 0;
	if (gm->guest != NULL)
		munmap(gm->guest, gm->size);
	if (gm->fd >= 0)
		close(gm->fd);
	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
}

uint64_t
guest_mem_alloc(struct guest_mem *gm, uint64_t len, uint64_t align)
{
	uint64_t off;

	if (align == 0)
		align = 1;
	off = (gm->next + align - 1) & ~(align - 1);
	if (off + len > gm->size)
		return 0;
	gm->next = off + len;
	return gm->gpa_base + off;
}

void *
guest_mem_ptr(struct guest_mem *gm, uint64_t gpa)
{
	return gm->guest + (gpa - gm->gpa_base);
}
