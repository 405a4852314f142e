/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A vhost-user front-end for unit tests (test_protocol, test_concurrency):
 * connect, send requests with fds, read replies. Every wait is bounded by
 * FE_TIMEOUT_MS.
 */
#ifndef VHP_TEST_FE_SOCK_H
#define VHP_TEST_FE_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_defs.h"

/** How long a reply may take. */
#define FE_TIMEOUT_MS	5000

/** Connect to the back-end's socket; -1 on failure. */
int fe_connect(const char *path);
/** Send @p len raw bytes with @p nfds fds; 0 or -1. */
int fe_send_raw(int fd, const void *buf, size_t len, const int *fds,
		unsigned int nfds);
/** Send request @p req (header + payload, fds); 0 or -1. */
int fe_send(int fd, uint32_t req, uint32_t flags, const void *payload,
	    uint32_t size, const int *fds, unsigned int nfds);
/** Read one reply into @p h and @p payload; its payload size, or -1. */
int fe_recv(int fd, struct vhost_user_hdr *h, void *payload, size_t max);
/** Did the back-end close the connection within the timeout? */
bool fe_closed(int fd);
/** The u64 reply to @p req; -1 on a malformed or missing reply. */
int64_t fe_reply_u64(int fd, uint32_t req);
/** Send @p req without payload and return its u64 reply (or -1). */
int64_t fe_get_u64(int fd, uint32_t req);
/** Send with NEED_REPLY: the ack (0 ok, > 0 failure, -1 none). */
int64_t fe_req(int fd, uint32_t req, const void *payload, uint32_t size,
	       const int *fds, unsigned int nfds);
/** fe_req() with a u64 payload. */
int64_t fe_u64(int fd, uint32_t req, uint64_t v);
/** fe_req() with a vring state {idx, num}. */
int64_t fe_state(int fd, uint32_t req, uint32_t idx, uint32_t num);

#endif /* VHP_TEST_FE_SOCK_H */
