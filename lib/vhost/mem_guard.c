/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory the front-end could shrink under us.
 *
 * A region's size is checked against its file when it is mapped, but the
 * front-end keeps the file and may truncate it later: the next access to a
 * page past the new end raises SIGBUS in whichever thread touches it (a
 * polling core). Two defences:
 *  - memfds: F_SEAL_SHRINK is added (QEMU's memfd backend seals already;
 *    DPDK's virtio-user memfds allow it), so the file can no longer shrink.
 *  - other files (hugetlbfs, tmpfs): a SIGBUS handler. When the faulting
 *    address lies in a mapped guest region, the page is replaced by an
 *    anonymous zero page (MAP_FIXED), the device is flagged
 *    DEVICE_NEEDS_RESET and the control thread is woken to say so; the
 *    access is retried and succeeds. Any other SIGBUS goes to the handler
 *    that was there before (default: the process dies as it would have).
 *
 * The handler reads a fixed table of guarded ranges with atomic loads only;
 * a range is removed before its mapping is unmapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vhp_internal.h"

/** Guarded ranges at most (all ports' regions together). */
#define GUARD_SLOTS	1024

struct guard_slot {
	uintptr_t start;	/**< 0: free */
	uintptr_t end;
	uintptr_t page;		/**< page size of the mapping */
	uint8_t *needs_reset;	/**< the device's flag */
	uint32_t faults;	/**< SIGBUS caught in this range */
	uint32_t reported;	/**< faults already logged */
	uint64_t gpa;		/**< for the log */
	const char *name;	/**< port name, for the log */
};

static struct guard_slot slots[GUARD_SLOTS];
static struct sigaction old_action;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static bool installed;
static int notify_fd = -1;

static void
sigbus_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	unsigned int i;

	for (i = 0; i < GUARD_SLOTS; i++) {
		struct guard_slot *s = &slots[i];
		uintptr_t start = __atomic_load_n(&s->start, __ATOMIC_ACQUIRE);
		uintptr_t page;
		void *p;

		if (start == 0 || a < start ||
		    a >= __atomic_load_n(&s->end, __ATOMIC_RELAXED))
			continue;
		page = s->page;
		p = mmap((void *)(a & ~(page - 1)), page,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			break;
		__atomic_fetch_add(&s->faults, 1, __ATOMIC_RELAXED);
		if (s->needs_reset != NULL)
			__atomic_store_n(s->needs_reset, 1, __ATOMIC_RELEASE);
		if (notify_fd >= 0) {
			const uint64_t one = 1;
			ssize_t n = write(notify_fd, &one, sizeof(one));

			(void)n;
		}
		return;
	}
	/* Not ours: what would have happened without us. */
	if (old_action.sa_flags & SA_SIGINFO) {
		if (old_action.sa_sigaction != NULL) {
			old_action.sa_sigaction(sig, si, uctx);
			return;
		}
	} else if (old_action.sa_handler != SIG_DFL &&
		   old_action.sa_handler != SIG_IGN) {
		old_action.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL);	/* re-raised by the retried access */
}

static int
install_locked(void)
{
	struct sigaction sa;

	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old_action) != 0)
		return -errno;
	installed = true;
	return 0;
}

bool
vhp_mem_guard_seal(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0)
		return false;		/* not a memfd: no seals */
	if (seals & F_SEAL_SHRINK)
		return true;
	return fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0;
}

int
vhp_mem_guard_add(void *start, size_t len, size_t page, uint64_t gpa,
		  uint8_t *needs_reset, const char *name)
{
	unsigned int i;
	int ret;

	pthread_mutex_lock(&guard_lock);
	ret = install_locked();
	if (ret != 0)
		goto out;
	ret = -ENOSPC;
	for (i = 0; i < GUARD_SLOTS; i++) {
		struct guard_slot *s = &slots[i];

		if (s->start != 0)
			continue;
		s->end = (uintptr_t)start + len;
		s->page = page;
		s->needs_reset = needs_reset;
		s->faults = 0;
		s->reported = 0;
		s->gpa = gpa;
		s->name = name;
		__atomic_store_n(&s->start, (uintptr_t)start, __ATOMIC_RELEASE);
		ret = 0;
		break;
	}
out:
	pthread_mutex_unlock(&guard_lock);
	return ret;
}

void
vhp_mem_guard_del(void *start)
{
	unsigned int i;

	pthread_mutex_lock(&guard_lock);
	for (i = 0; i < GUARD_SLOTS; i++)
		if (slots[i].start == (uintptr_t)start)
			__atomic_store_n(&slots[i].start, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&guard_lock);
}

void
vhp_mem_guard_set_notify_fd(int fd)
{
	notify_fd = fd;
}

void
vhp_mem_guard_report(void)
{
	unsigned int i;

	pthread_mutex_lock(&guard_lock);
	for (i = 0; i < GUARD_SLOTS; i++) {
		struct guard_slot *s = &slots[i];
		uint32_t f;

		if (s->start == 0)
			continue;
		f = __atomic_load_n(&s->faults, __ATOMIC_RELAXED);
		if (f == s->reported)
			continue;
		s->reported = f;
		VHP_LOG(ERR, "port %s: guest memory region at gpa 0x%" PRIx64
			" shrank under us (the front-end truncated its file): "
			"%u page(s) past the new end were replaced by zero "
			"pages, DEVICE_NEEDS_RESET raised; the front-end must "
			"reset the device with a valid memory table",
			s->name != NULL ? s->name : "?", s->gpa, f);
	}
	pthread_mutex_unlock(&guard_lock);
}
