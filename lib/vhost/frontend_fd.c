/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Notification fds a front-end gives us (SET_VRING_KICK, _CALL, _ERR): we
 * must never block on them. The polling cores write call and err fds; the
 * control thread reads kick fds. A front-end that does not read its call
 * fd must cost it interrupts, not stall a core that serves every port.
 *
 * The spec says these are eventfds. What we accept:
 *  - an eventfd: O_NONBLOCK is set on it. Its open file description is
 *    shared with the front-end (real front-ends create them non-blocking
 *    anyway). A write blocks only when the counter would pass 2^64 - 2,
 *    which our writes of 1 never reach alone.
 *  - a pipe or FIFO: reopened through /proc/self/fd as a description of
 *    our own with O_NONBLOCK, so the front-end cannot make it blocking
 *    again. A full pipe then fails the write (counted, call_failed).
 *  - anything else (socket, regular file, device, ...) is refused: a
 *    regular file would grow by 8 bytes per interrupt, a socket or device
 *    has no reason to be here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vhp_internal.h"

static bool
fd_is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

int
vhp_frontend_fd_adopt(int fd, bool for_write, const char **why)
{
	char path[64];
	struct stat st;
	int fl, nfd;

	if (fstat(fd, &st) != 0) {
		*why = "fstat of the fd failed";
		return -errno;
	}
	if (S_ISFIFO(st.st_mode)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		nfd = open(path, (for_write ? O_WRONLY : O_RDONLY) |
			   O_NONBLOCK | O_CLOEXEC);
		if (nfd < 0) {
			*why = for_write ? "a pipe that cannot be opened for "
				"writing without blocking (no reader?)" :
				"a pipe that cannot be reopened";
			return -errno;
		}
		close(fd);
		return nfd;
	}
	if (!fd_is_eventfd(fd)) {
		*why = S_ISSOCK(st.st_mode) ? "a socket, not an eventfd" :
			S_ISREG(st.st_mode) ? "a regular file, not an eventfd" :
			"not an eventfd";
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		*why = "O_NONBLOCK could not be set on the eventfd";
		return -errno;
	}
	return fd;
}
