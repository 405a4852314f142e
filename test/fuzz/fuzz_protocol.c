/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: vhost-user messages through vhp_protocol_handle().
 *
 * Input: a sequence of records
 *   u8  fdspec   low nibble: fds to attach (0..15, more than 8 clipped);
 *                high nibble: each fd is a memfd of (n * 64 KiB) bytes
 *   12  header   u32 request, u32 flags, u32 size (little-endian)
 *   ... payload  min(size, VHOST_USER_PAYLOAD_MAX, rest of input) bytes
 * Each message is handled on one end of a socketpair whose other end is
 * drained of replies; VHP_MSG_CLOSE acts as a disconnect. The device is
 * reset at the end: every fd and mapping must be released (ASan/LSan and
 * an fd count check catch leaks).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "test_common.h"
#include "vhp_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vhp_port fuzz_port;
static int eal_done;

static void
init_once(void)
{
	char prefix[64];
	char *argv[] = {
		"fuzz_protocol", "--no-huge", "-m", "128", "--no-pci",
		"--no-telemetry", "-l", "0", "--log-level", "*:error",
		prefix, NULL
	};

	if (eal_done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fuzz-proto-%d",
		 (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "fuzz_protocol: rte_eal_init failed\n");
		abort();
	}
	/* Logging every refused message would dominate the run time. */
	rte_log_set_level(vhp_logtype, RTE_LOG_EMERG);
	snprintf(fuzz_port.name, sizeof(fuzz_port.name), "fuzz");
	snprintf(fuzz_port.path, sizeof(fuzz_port.path), "fuzz");
	fuzz_port.queue_pairs = 2;
	fuzz_port.features_offered = VHP_FEATURES_SUPPORTED;
	fuzz_port.listen_fd = -1;
	fuzz_port.conn_fd = -1;
	pthread_mutex_init(&fuzz_port.lock, NULL);
	vhp_device_init(&fuzz_port);
	eal_done = 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	init_once();
	return 0;
}

static void
drain(int fd)
{
	uint8_t buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost_user_msg msg;
	size_t pos = 0, take;
	unsigned int i, nfds;
	uint64_t fdsize;
	int sv[2], fds_before;

	init_once();
	fds_before = vhp_test_count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	fuzz_port.conn_fd = sv[0];
	vhp_device_init(&fuzz_port);

	while (size - pos >= 1 + sizeof(struct vhost_user_hdr)) {
		uint8_t spec = data[pos++];

		memset(&msg, 0, sizeof(msg));
		memcpy(&msg.hdr, data + pos, sizeof(msg.hdr));
		pos += sizeof(msg.hdr);
		take = RTE_MIN((size_t)msg.hdr.size,
			       (size_t)VHOST_USER_PAYLOAD_MAX);
		take = RTE_MIN(take, size - pos);
		memcpy(msg.payload.raw, data + pos, take);
		pos += take;

		nfds = RTE_MIN(spec & 0xfu, (unsigned int)VHOST_USER_MAX_FDS);
		fdsize = (uint64_t)(spec >> 4) * 65536;
		for (i = 0; i < VHOST_USER_MAX_FDS; i++)
			msg.fds[i] = -1;
		for (i = 0; i < nfds; i++) {
			/* Size 0: an eventfd (what KICK/CALL/ERR take),
			 * else a memfd of that size (memory regions). */
			int fd = fdsize == 0 ?
				eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) :
				memfd_create("fuzz", MFD_CLOEXEC);

			if (fd < 0)
				break;
			if (fdsize && ftruncate(fd, (off_t)fdsize) != 0) {
				close(fd);
				break;
			}
			msg.fds[msg.nfds++] = fd;
		}
		if (vhp_protocol_handle(&fuzz_port, sv[0], &msg) ==
		    VHP_MSG_CLOSE) {
			drain(sv[1]);
			break;
		}
		drain(sv[1]);
	}
	vhp_device_reset(&fuzz_port.dev);
	fuzz_port.conn_fd = -1;
	close(sv[0]);
	close(sv[1]);
	if (vhp_test_count_fds() != fds_before) {
		fprintf(stderr, "fuzz_protocol: fd leak: %d open before, %d "
			"after\n", fds_before, vhp_test_count_fds());
		abort();
	}
	return 0;
}
