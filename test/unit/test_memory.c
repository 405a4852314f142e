/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory regions: validation before mmap (zero size, overflows,
 * size + offset beyond the file), mapping with an offset, user-address
 * translation bounds, overlap detection, fd ownership, NUMA lookup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_common.h"
#include "vhp_internal.h"

#define MEMSZ	(1u << 20)

static int
make_memfd(size_t size)
{
	int fd = memfd_create("vhp-test-mem", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static struct vhost_user_mem_region
desc_of(uint64_t gpa, uint64_t size, uint64_t uaddr, uint64_t off)
{
	struct vhost_user_mem_region d = {
		.guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = uaddr, .mmap_offset = off,
	};
	return d;
}

static void
test_map_ok_with_offset(void)
{
	int fd = make_memfd(MEMSZ);
	struct vhost_user_mem_region d = desc_of(0x100000, MEMSZ - 0x1100,
						 0x7f0000000000, 0x1100);
	struct vhp_mem_region r;
	const char *err = NULL;
	uint8_t *front;

	CHECK(fd >= 0);
	front = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(front != MAP_FAILED);
	front[0x1100] = 0xab;
	front[MEMSZ - 1] = 0xcd;
	CHECK_EQ(vhp_mem_region_map(&r, &d, fd, &err), 0);
	CHECK_EQ(r.fd, fd);
	CHECK_EQ(r.gpa_end, 0x100000 + MEMSZ - 0x1100);
	/* hva points at byte mmap_offset of the file. */
	CHECK_EQ(*(uint8_t *)(uintptr_t)r.hva, 0xab);
	CHECK_EQ(*(uint8_t *)(uintptr_t)(r.hva + r.size - 1), 0xcd);
	CHECK(r.numa_node >= -1);
	vhp_mem_region_unmap(&r);
	CHECK(!fd_open(fd));	/* unmap closes the fd it owns */
	munmap(front, MEMSZ);
}

static void
expect_refused(const struct vhost_user_mem_region *d, int fd,
	       const char *what)
{
	struct vhp_mem_region r;
	const char *err = NULL;
	int ret = vhp_mem_region_map(&r, d, fd, &err);

	CHECK(ret < 0);
	CHECK(err != NULL);
	CHECK(fd < 0 || fd_open(fd));	/* not closed on failure */
	if (ret == 0)
		vhp_mem_region_unmap(&r);
	else
		printf("  refused %s: %s\n", what, err ? err : "?");
}

static void
test_map_refusals(void)
{
	int fd = make_memfd(MEMSZ);
	struct vhost_user_mem_region d;
	int ro;
	char tmpl[] = "/tmp/vhp-test-ro-XXXXXX";

	d = desc_of(0, 0, 0, 0);
	expect_refused(&d, fd, "zero size");
	d = desc_of(UINT64_MAX - 100, 4096, 0, 0);
	expect_refused(&d, fd, "gpa overflow");
	d = desc_of(0, 4096, UINT64_MAX - 100, 0);
	expect_refused(&d, fd, "uaddr overflow");
	d = desc_of(0, 4096, 0, UINT64_MAX - 100);
	expect_refused(&d, fd, "offset overflow");
	d = desc_of(0, MEMSZ, 0, 4096);
	expect_refused(&d, fd, "size + offset beyond the file");
	d = desc_of(0, MEMSZ + 1, 0, 0);
	expect_refused(&d, fd, "size beyond the file");
	d = desc_of(0, 4096, 0, 0);
	expect_refused(&d, -1, "no fd");
	/* mmap failure: a read-only file cannot be mapped shared+writable. */
	ro = mkstemp(tmpl);
	CHECK(ro >= 0);
	CHECK_EQ(ftruncate(ro, 8192), 0);
	close(ro);
	ro = open(tmpl, O_RDONLY | O_CLOEXEC);
	unlink(tmpl);
	CHECK(ro >= 0);
	d = desc_of(0, 8192, 0, 0);
	expect_refused(&d, ro, "read-only fd (mmap fails)");
	close(ro);
	close(fd);
}

static void
test_translate_and_overlap(void)
{
	struct vhp_mem mem;
	struct vhost_user_mem_region d;
	const char *err;
	int fd1 = make_memfd(MEMSZ), fd2 = make_memfd(MEMSZ);
	uint8_t *p;

	memset(&mem, 0, sizeof(mem));
	d = desc_of(0, MEMSZ, 0x10000000, 0);
	CHECK_EQ(vhp_mem_region_map(&mem.regions[0], &d, fd1, &err), 0);
	mem.nregions = 1;
	d = desc_of(0x200000, MEMSZ, 0x20000000, 0);
	CHECK_EQ(vhp_mem_overlaps(&mem, &d), -1);
	CHECK_EQ(vhp_mem_region_map(&mem.regions[1], &d, fd2, &err), 0);
	mem.nregions = 2;

	/* gpa overlap with region 0 */
	d = desc_of(MEMSZ - 1, 10, 0x30000000, 0);
	CHECK_EQ(vhp_mem_overlaps(&mem, &d), 0);
	/* uaddr overlap with region 1 */
	d = desc_of(0x900000, 4096, 0x20000000 + MEMSZ - 4096, 0);
	CHECK_EQ(vhp_mem_overlaps(&mem, &d), 1);
	/* adjacent is fine */
	d = desc_of(MEMSZ, 4096, 0x10000000 + MEMSZ, 0);
	CHECK_EQ(vhp_mem_overlaps(&mem, &d), -1);
	/* saturating end: huge size still detects overlap, no wrap */
	d = desc_of(0x100, UINT64_MAX, 0x40000000, 0);
	CHECK_EQ(vhp_mem_overlaps(&mem, &d), 0);

	p = vhp_uaddr_to_hva(&mem, 0x10000000, 16);
	CHECK(p == (void *)(uintptr_t)mem.regions[0].hva);
	p = vhp_uaddr_to_hva(&mem, 0x20000000 + 100, 100);
	CHECK(p == (void *)(uintptr_t)(mem.regions[1].hva + 100));
	/* whole range must fit: last byte ok, one past not */
	CHECK(vhp_uaddr_to_hva(&mem, 0x10000000 + MEMSZ - 16, 16) != NULL);
	CHECK(vhp_uaddr_to_hva(&mem, 0x10000000 + MEMSZ - 16, 17) == NULL);
	CHECK(vhp_uaddr_to_hva(&mem, 0x10000000 + MEMSZ, 1) == NULL);
	CHECK(vhp_uaddr_to_hva(&mem, 0x0fffffff, 1) == NULL);
	CHECK(vhp_uaddr_to_hva(&mem, 0x10000000, UINT64_MAX) == NULL);

	CHECK(vhp_numa_node_of((void *)(uintptr_t)mem.regions[0].hva) >= -1);
	CHECK_EQ(vhp_numa_node_of(NULL), -1);

	vhp_mem_free_all(&mem);
	CHECK_EQ(mem.nregions, 0);
	CHECK(!fd_open(fd1));
	CHECK(!fd_open(fd2));
}

/* A memfd region is sealed against shrinking when mapped. */
static void
test_memfd_sealed(void)
{
	int fd = memfd_create("vhp-test-seal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct vhost_user_mem_region d = desc_of(0, MEMSZ, 0x7f0000000000, 0);
	struct vhp_mem_region r;
	const char *err = NULL;
	int keep;

	CHECK(fd >= 0 && ftruncate(fd, MEMSZ) == 0);
	keep = dup(fd);
	CHECK_EQ(vhp_mem_region_map(&r, &d, fd, &err), 0);
	CHECK(r.sealed);
	CHECK(fcntl(keep, F_GET_SEALS) & F_SEAL_SHRINK);
	/* The front-end can no longer pull pages from under us. */
	CHECK(ftruncate(keep, 4096) != 0 && errno == EPERM);
	vhp_mem_region_unmap(&r);
	close(keep);
}

/*
 * A region whose file is not a memfd (hugetlbfs, tmpfs) cannot be sealed:
 * when the front-end truncates it, the access that would SIGBUS maps a
 * zero page instead and flags the device for reset.
 */
static void
test_truncated_file_guarded(void)
{
	char path[] = "/dev/shm/vhp-test-guard-XXXXXX";
	struct vhost_user_mem_region d = desc_of(0, MEMSZ, 0x7f0000000000, 0);
	struct vhp_mem_region r;
	const char *err = NULL;
	uint8_t needs_reset = 0;
	volatile uint8_t *p;
	int fd = mkstemp(path), keep;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	unlink(path);
	CHECK_EQ(ftruncate(fd, MEMSZ), 0);
	keep = dup(fd);
	CHECK_EQ(vhp_mem_region_map(&r, &d, fd, &err), 0);
	CHECK(!r.sealed);
	vhp_mem_region_guard(&r, &needs_reset, "guard-test");
	p = (volatile uint8_t *)(uintptr_t)r.hva;
	p[MEMSZ - 1] = 0x5a;
	CHECK_EQ(p[MEMSZ - 1], 0x5a);
	CHECK_EQ(ftruncate(keep, 0), 0);	/* the front-end shrinks it */
	/* Would be SIGBUS: a zero page now. */
	CHECK_EQ(p[MEMSZ - 1], 0);
	p[10] = 1;
	CHECK_EQ(p[10], 1);
	CHECK_EQ(needs_reset, 1);
	vhp_mem_guard_report();
	vhp_mem_region_unmap(&r);
	close(keep);
}

int
main(void)
{
	vhp_test_eal_init("test_memory");
	RUN_TEST(test_map_ok_with_offset);
	RUN_TEST(test_map_refusals);
	RUN_TEST(test_translate_and_overlap);
	RUN_TEST(test_memfd_sealed);
	RUN_TEST(test_truncated_file_guarded);
	return vhp_test_summary();
}
