/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory regions: validation and mmap of the front-end's fds,
 * front-end user address translation (rings), and the NUMA node of a page.
 */
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "vhp_internal.h"

/* End of [start, start + size), saturated instead of wrapping. */
static uint64_t
range_end(uint64_t start, uint64_t size)
{
	return start > UINT64_MAX - size ? UINT64_MAX : start + size;
}

static int
map_fail(const char **err, const char *why, int ret)
{
	if (err != NULL)
		*err = why;
	return ret;
}

int
vhp_mem_region_map(struct vhp_mem_region *out,
		   const struct vhost_user_mem_region *desc, int fd,
		   const char **err)
{
	uint64_t size = desc->memory_size;
	uint64_t off = desc->mmap_offset;
	uint64_t page, map_off, map_len;
	struct statfs sfs;
	struct stat st;
	bool sealed;
	void *addr;

	if (fd < 0)
		return map_fail(err, "no file descriptor for the region",
				-EBADF);
	if (size == 0)
		return map_fail(err, "zero-size region", -EINVAL);
	if (desc->guest_phys_addr > UINT64_MAX - size)
		return map_fail(err, "guest_phys_addr + memory_size overflows",
				-EINVAL);
	if (desc->userspace_addr > UINT64_MAX - size)
		return map_fail(err, "userspace_addr + memory_size overflows",
				-EINVAL);
	if (off > UINT64_MAX - size || off + size > (uint64_t)INT64_MAX)
		return map_fail(err, "mmap_offset + memory_size overflows",
				-EINVAL);
	/* Seal first, then measure: the size checked is the size kept. */
	sealed = vhp_mem_guard_seal(fd);
	if (fstat(fd, &st) != 0)
		return map_fail(err, "fstat of the region fd failed", -errno);
	if (st.st_size < 0 || off + size > (uint64_t)st.st_size)
		return map_fail(err, "mmap_offset + memory_size is beyond the "
				"end of the region's file (would SIGBUS)",
				-EINVAL);

	page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (fstatfs(fd, &sfs) == 0 &&
	    (uint64_t)sfs.f_type == (uint64_t)HUGETLBFS_MAGIC &&
	    sfs.f_bsize > 0)
		page = (uint64_t)sfs.f_bsize;
	map_off = off & ~(page - 1);
	map_len = RTE_ALIGN_CEIL(off + size - map_off, page);
	if (map_len > SIZE_MAX)
		return map_fail(err, "region too large to map", -ENOMEM);

	addr = mmap(NULL, (size_t)map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, (off_t)map_off);
	if (addr == MAP_FAILED)
		return map_fail(err, "mmap of the region failed", -errno);

	memset(out, 0, sizeof(*out));
	out->gpa = desc->guest_phys_addr;
	out->size = size;
	out->gpa_end = desc->guest_phys_addr + size;
	out->hva = (uint64_t)(uintptr_t)addr + (off - map_off);
	out->uaddr = desc->userspace_addr;
	out->mmap_addr = addr;
	out->mmap_size = (size_t)map_len;
	out->mmap_offset = off;
	out->fd = fd;
	out->numa_node = vhp_numa_node_of((void *)(uintptr_t)out->hva);
	out->page_size = page;
	out->sealed = sealed;
	return 0;
}

void
vhp_mem_region_unmap(struct vhp_mem_region *r)
{
	if (r->mmap_addr != NULL) {
		if (!r->sealed)
			vhp_mem_guard_del(r->mmap_addr);
		munmap(r->mmap_addr, r->mmap_size);
	}
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

int
vhp_mem_overlaps(const struct vhp_mem *mem,
		 const struct vhost_user_mem_region *desc)
{
	uint64_t g0 = desc->guest_phys_addr;
	uint64_t g1 = range_end(g0, desc->memory_size);
	uint64_t u0 = desc->userspace_addr;
	uint64_t u1 = range_end(u0, desc->memory_size);
	const struct vhp_mem_region *r;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if (g0 < r->gpa_end && r->gpa < g1)
			return (int)i;
		if (u0 < range_end(r->uaddr, r->size) && r->uaddr < u1)
			return (int)i;
	}
	return -1;
}

void
vhp_mem_region_guard(struct vhp_mem_region *r, uint8_t *needs_reset,
		     const char *name)
{
	int ret;

	if (r->sealed || r->mmap_addr == NULL)
		return;
	ret = vhp_mem_guard_add(r->mmap_addr, r->mmap_size, r->page_size,
				r->gpa, needs_reset, name);
	if (ret != 0)
		VHP_LOG(WARNING, "port %s: region at gpa 0x%" PRIx64 " is not "
			"sealed against shrinking and cannot be guarded (%s): "
			"a front-end that truncates its file would crash "
			"this process", name, r->gpa, strerror(-ret));
}

void
vhp_mem_free_all(struct vhp_mem *mem)
{
	uint32_t i;

	for (i = 0; i < mem->nregions && i < VHP_MAX_MEM_SLOTS; i++)
		vhp_mem_region_unmap(&mem->regions[i]);
	mem->nregions = 0;
}

void *
vhp_uaddr_to_hva(const struct vhp_mem *mem, uint64_t uaddr, uint64_t len)
{
	const struct vhp_mem_region *r;
	uint64_t off;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if (uaddr < r->uaddr)
			continue;
		off = uaddr - r->uaddr;
		if (off >= r->size || len > r->size - off)
			continue;
		return (void *)(uintptr_t)(r->hva + off);
	}
	return NULL;
}

uint64_t
vhp_uaddr_to_gpa(const struct vhp_mem *mem, uint64_t uaddr)
{
	const struct vhp_mem_region *r;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if (uaddr >= r->uaddr && uaddr - r->uaddr < r->size)
			return r->gpa + (uaddr - r->uaddr);
	}
	return UINT64_MAX;
}

int
vhp_numa_node_of(const void *addr)
{
	int node = -1;

	if (addr == NULL)
		return -1;
	if (get_mempolicy(&node, NULL, 0, (void *)(uintptr_t)addr,
			  MPOL_F_NODE | MPOL_F_ADDR) != 0)
		return -1;
	return node;
}

void *
vhp_gpa_to_hva_miss(const struct vhp_mem *mem, uint64_t gpa, uint64_t *len,
		    struct vhp_mem_cache *c)
{
	const struct vhp_mem_region *r;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if (gpa >= r->gpa && gpa < r->gpa_end) {
			c->gpa = r->gpa;
			c->gpa_end = r->gpa_end;
			c->delta = r->hva - r->gpa;
			if (*len > r->gpa_end - gpa)
				*len = r->gpa_end - gpa;
			return (void *)(uintptr_t)(gpa + c->delta);
		}
	}
	return NULL;
}
