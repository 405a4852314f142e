/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vhost-user front-end for unit tests: messages over a unix socket, with
 * fds as SCM_RIGHTS, and their replies (fe_sock.h).
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fe_sock.h"

int
fe_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
fe_send_raw(int fd, const void *buf, size_t len, const int *fds,
	    unsigned int nfds)
{
	char control[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
			     .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (nfds > 0) {
		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int
fe_send(int fd, uint32_t req, uint32_t flags, const void *payload,
	uint32_t size, const int *fds, unsigned int nfds)
{
	uint8_t buf[12 + 512];
	struct vhost_user_hdr h = { .request = req,
		.flags = VHOST_USER_VERSION | flags, .size = size };

	if (size > sizeof(buf) - 12)
		return -1;
	memcpy(buf, &h, 12);
	if (size > 0)
		memcpy(buf + 12, payload, size);
	return fe_send_raw(fd, buf, 12 + size, fds, nfds);
}

/* Read one reply. Returns payload size, -1 on timeout/EOF. */
int
fe_recv(int fd, struct vhost_user_hdr *h, void *payload, size_t max)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, FE_TIMEOUT_MS) != 1)
		return -1;
	n = recv(fd, h, sizeof(*h), MSG_WAITALL);
	if (n != (ssize_t)sizeof(*h))
		return -1;
	if (h->size > max)
		return -1;
	if (h->size > 0 &&
	    recv(fd, payload, h->size, MSG_WAITALL) != (ssize_t)h->size)
		return -1;
	return (int)h->size;
}

/* Peer closed the connection within the timeout? */
bool
fe_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, FE_TIMEOUT_MS) != 1)
		return false;
	return recv(fd, &c, 1, 0) == 0;
}

/* u64 reply of @p req; -1 on a malformed or missing reply. */
int64_t
fe_reply_u64(int fd, uint32_t req)
{
	struct vhost_user_hdr h;
	uint64_t v = 0;
	int n = fe_recv(fd, &h, &v, sizeof(v));

	if (n != 8 || h.request != req ||
	    (h.flags & (VHOST_USER_REPLY_MASK | 3)) !=
	    (VHOST_USER_REPLY_MASK | 1))
		return -1;
	return (int64_t)v;
}

int64_t
fe_get_u64(int fd, uint32_t req)
{
	if (fe_send(fd, req, 0, NULL, 0, NULL, 0) != 0)
		return -1;
	return fe_reply_u64(fd, req);
}

/* Send with NEED_REPLY and return the ack (0 ok, >0 failure, -1 none). */
int64_t
fe_req(int fd, uint32_t req, const void *payload, uint32_t size,
       const int *fds, unsigned int nfds)
{
	if (fe_send(fd, req, VHOST_USER_NEED_REPLY, payload, size, fds,
		    nfds) != 0)
		return -1;
	return fe_reply_u64(fd, req);
}

int64_t
fe_u64(int fd, uint32_t req, uint64_t v)
{
	return fe_req(fd, req, &v, 8, NULL, 0);
}

int64_t
fe_state(int fd, uint32_t req, uint32_t idx, uint32_t num)
{
	struct vhost_vring_state s = { .index = idx, .num = num };

	return fe_req(fd, req, &s, sizeof(s), NULL, 0);
}

