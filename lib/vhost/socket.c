/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unix sockets and the control thread.
 *
 * One control thread (started with the first port, joined after the last)
 * runs epoll over: a wake-up eventfd, each server port's listening socket,
 * each connection, and each started ring's kick eventfd (kicks are
 * counted; we poll, so they are normally suppressed). Client ports
 * reconnect with a back-off from 100 ms doubling to 2 s.
 *
 * Ownership: the application thread only links a new port into the list
 * or flags it for destruction, then wakes the control thread; all fds of a
 * port (listen, connection, kicks) are added, removed and closed by the
 * control thread. epoll_wait() returns one event at a time, so an event
 * never refers to an object freed while handling an earlier one.
 *
 * epoll data: a pointer with a 2-bit tag (ports and vrings are at least
 * 8-byte aligned).
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "vhp_internal.h"

#define TAG_WAKE	0u
#define TAG_LISTEN	1u
#define TAG_CONN	2u
#define TAG_KICK	3u
#define TAG_MASK	3u

#define RECONNECT_MIN_MS	100u
#define RECONNECT_MAX_MS	2000u
/** A front-end that stalls mid-message is dropped after this. */
#define SOCK_TIMEOUT_MS		2000

static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ports_cond = PTHREAD_COND_INITIALIZER;
/** Serialises create/destroy so the thread start/stop does not race. */
static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vhp_port *ports;
static int ep_fd = -1;
static int wake_fd = -1;
static pthread_t ctrl_tid;
static bool ctrl_running;
static bool ctrl_stop;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
ep_add(int fd, void *ptr, unsigned int tag)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = (uint64_t)(uintptr_t)ptr | tag,
	};

	if (ep_fd < 0)
		return -ENODEV;
	return epoll_ctl(ep_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static void
ep_del(int fd)
{
	if (ep_fd >= 0 && fd >= 0)
		epoll_ctl(ep_fd, EPOLL_CTL_DEL, fd, NULL);
}

static void
wake(void)
{
	const uint64_t one = 1;

	if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0)
		VHP_LOG(DEBUG, "control thread wake-up write failed: %s",
			strerror(errno));
}

/* ---- messages ---- */

static int
read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = recv(fd, p, len, 0);
		if (n == 0)
			return -EPROTO;		/* closed mid-message */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
vhp_msg_recv(int fd, struct vhost_user_msg *msg)
{
	char control[CMSG_SPACE(VHOST_USER_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = &msg->hdr,
			     .iov_len = sizeof(msg->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	unsigned int i, n;
	ssize_t got;
	int ret = 0;

	msg->nfds = 0;
	for (i = 0; i < VHOST_USER_MAX_FDS; i++)
		msg->fds[i] = -1;
	do {
		got = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (got < 0 && errno == EINTR);
	if (got == 0)
		return 0;
	if (got < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;

	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < n; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (msg->nfds < VHOST_USER_MAX_FDS)
				msg->fds[msg->nfds++] = f;
			else
				close(f);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		ret = -EMSGSIZE;	/* more fds than a message may carry */
		goto fail;
	}
	if ((size_t)got < sizeof(msg->hdr)) {
		ret = read_full(fd, (uint8_t *)&msg->hdr + got,
				sizeof(msg->hdr) - (size_t)got);
		if (ret != 0)
			goto fail;
	}
	if (msg->hdr.size > VHOST_USER_PAYLOAD_MAX) {
		ret = -E2BIG;
		goto fail;
	}
	if (msg->hdr.size > 0) {
		ret = read_full(fd, &msg->payload, msg->hdr.size);
		if (ret != 0)
			goto fail;
	}
	return 1;
fail:
	for (i = 0; i < msg->nfds; i++) {
		close(msg->fds[i]);
		msg->fds[i] = -1;
	}
	msg->nfds = 0;
	return ret;
}

int
vhp_msg_send(int fd, const struct vhost_user_msg *msg)
{
	const uint8_t *p = (const uint8_t *)&msg->hdr;
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	uint8_t buf[sizeof(msg->hdr) + VHOST_USER_PAYLOAD_MAX];
	ssize_t n;

	if (fd < 0)
		return -EBADF;
	if (msg->hdr.size > VHOST_USER_PAYLOAD_MAX)
		return -EINVAL;
	memcpy(buf, p, sizeof(msg->hdr));
	memcpy(buf + sizeof(msg->hdr), &msg->payload, msg->hdr.size);
	p = buf;
	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- kicks ---- */

void
vhp_ctrl_watch_kick(struct vhp_virtqueue *vq)
{
	int ret;

	/* With kicks on, the application waits on the fd and reads it: a
	 * read here could take the wake-up it waits for. */
	if (vq->kickfd < 0 || __atomic_load_n(&vq->kicks_on, __ATOMIC_RELAXED) ||
	    vhp_idle_owns_kick(vq->dev->port, vq->index))
		return;
	ret = ep_add(vq->kickfd, vq, TAG_KICK);
	if (ret != 0 && ret != -ENODEV)
		VHP_LOG(DEBUG, "port %s: ring %u: kick fd not watched (%s); "
			"kicks are not counted", vq->dev->port->name,
			vq->index, strerror(-ret));
}

void
vhp_ctrl_unwatch_kick(struct vhp_virtqueue *vq)
{
	ep_del(vq->kickfd);
}

static void
handle_kick(struct vhp_virtqueue *vq, uint32_t events)
{
	uint64_t v;

	if (events & EPOLLIN) {
		if (read(vq->kickfd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			__atomic_store_n(&vq->kicks, vq->kicks + 1,
					 __ATOMIC_RELAXED);
	}
	if (events & (EPOLLHUP | EPOLLERR))
		ep_del(vq->kickfd);
}

/* ---- connections ---- */

static void conn_close(struct vhp_port *port, const char *why);

static void
conn_setup(struct vhp_port *port, int fd)
{
	struct timeval tv = {
		.tv_sec = SOCK_TIMEOUT_MS / 1000,
		.tv_usec = (SOCK_TIMEOUT_MS % 1000) * 1000,
	};
	int ret;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	vhp_device_init(port);
	ret = ep_add(fd, port, TAG_CONN);
	if (ret != 0) {
		VHP_LOG(ERR, "port %s: cannot watch the connection (%s): "
			"closing it", port->name, strerror(-ret));
		close(fd);
		__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
		return;
	}
	pthread_mutex_lock(&port->lock);
	port->conn_fd = fd;
	port->connected = true;
	port->connections++;
	pthread_mutex_unlock(&port->lock);
	port->reconnect_delay_ms = RECONNECT_MIN_MS;
	port->connect_failed_logged = false;
	VHP_LOG(INFO, "port %s: front-end connected (connection %" PRIu64 ")",
		port->name, port->connections);
	if (port->ops.new_connection != NULL &&
	    port->ops.new_connection(port, port->ctx) != 0) {
		VHP_LOG(WARNING, "port %s: the application refused the "
			"connection (new_connection): closing it", port->name);
		conn_close(port, "refused by new_connection");
	}
}

static void
schedule_reconnect(struct vhp_port *port, uint32_t delay_ms)
{
	port->reconnect_tsc = now_ms() + delay_ms;
}

static void
conn_close(struct vhp_port *port, const char *why)
{
	if (port->conn_fd < 0)
		return;
	ep_del(port->conn_fd);
	close(port->conn_fd);
	vhp_device_reset(&port->dev);
	pthread_mutex_lock(&port->lock);
	port->conn_fd = -1;
	port->connected = false;
	pthread_mutex_unlock(&port->lock);
	if (port->ops.destroy_connection != NULL)
		port->ops.destroy_connection(port, port->ctx);
	if (__atomic_load_n(&port->destroying, __ATOMIC_ACQUIRE) ||
	    (port->flags & VHP_PORT_NO_RECONNECT)) {
		VHP_LOG(INFO, "port %s: front-end disconnected (%s)%s",
			port->name, why,
			(port->flags & VHP_PORT_NO_RECONNECT) ?
			": not reconnecting (no-reconnect)" : "");
		return;
	}
	VHP_LOG(INFO, "port %s: front-end disconnected (%s)%s", port->name,
		why, (port->flags & VHP_PORT_CLIENT) ? ": reconnecting" :
		": waiting for the next connection");
	if (port->flags & VHP_PORT_CLIENT) {
		port->reconnect_delay_ms = RECONNECT_MIN_MS;
		schedule_reconnect(port, RECONNECT_MIN_MS);
	}
}

static void
handle_conn(struct vhp_port *port, uint32_t events)
{
	struct vhost_user_msg msg;
	enum vhp_msg_result res;
	int ret;

	if (!(events & EPOLLIN)) {
		conn_close(port, "socket hung up");
		return;
	}
	ret = vhp_msg_recv(port->conn_fd, &msg);
	if (ret == 0) {
		conn_close(port, "front-end closed the socket");
		return;
	}
	if (ret < 0) {
		__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
		VHP_LOG(ERR, "port %s: bad message (request %u %s): %s: "
			"closing the connection; the front-end may reconnect",
			port->name, msg.hdr.request,
			vhp_request_name(msg.hdr.request),
			ret == -E2BIG ? "payload larger than any request" :
			ret == -EMSGSIZE ? "more than 8 file descriptors" :
			ret == -EPROTO ? "message truncated" :
			ret == -ETIMEDOUT ? "message incomplete after 2 s" :
			strerror(-ret));
		conn_close(port, "bad message");
		return;
	}
	VHP_LOG(DEBUG, "port %s: %s size %u fds %u", port->name,
		vhp_request_name(msg.hdr.request), msg.hdr.size, msg.nfds);
	res = vhp_protocol_handle(port, port->conn_fd, &msg);
	if (res == VHP_MSG_CLOSE)
		conn_close(port, "protocol error");
}

static void
handle_listen(struct vhp_port *port)
{
	int fd = accept4(port->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			VHP_LOG(WARNING, "port %s: accept failed: %s",
				port->name, strerror(errno));
		return;
	}
	if (port->conn_fd >= 0) {
		port->refused++;
		__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
		VHP_LOG(WARNING, "port %s: second front-end connection "
			"refused: one is already active (one front-end per "
			"port)", port->name);
		close(fd);
		return;
	}
	conn_setup(port, fd);
}

/* One connect attempt: a blocking connected socket, or -errno. */
static int
connect_socket(const struct vhp_port *port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, fl, err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, port->path, sizeof(sa.sun_path));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		err = errno;
		close(fd);
		return -err;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static void
try_connect(struct vhp_port *port)
{
	int fd;

	port->reconnect_tsc = 0;
	fd = connect_socket(port);
	if (fd < 0) {
		if (!port->connect_failed_logged)
			VHP_LOG(INFO, "port %s: cannot connect to %s (%s): "
				"retrying with back-off up to %u ms",
				port->name, port->path, strerror(-fd),
				RECONNECT_MAX_MS);
		port->connect_failed_logged = true;
		goto retry;
	}
	conn_setup(port, fd);
	return;
retry:
	schedule_reconnect(port, port->reconnect_delay_ms);
	port->reconnect_delay_ms = RTE_MIN(port->reconnect_delay_ms * 2,
					   RECONNECT_MAX_MS);
}

/* ---- port lifecycle on the control thread ---- */

static void
port_register(struct vhp_port *port)
{
	int ret;

	port->registered = true;
	if (port->pending_fd >= 0) {
		/* Connected by vhp_port_create() (no-reconnect). */
		conn_setup(port, port->pending_fd);
		port->pending_fd = -1;
		return;
	}
	if (port->flags & VHP_PORT_CLIENT) {
		try_connect(port);
		return;
	}
	ret = ep_add(port->listen_fd, port, TAG_LISTEN);
	if (ret != 0) {
		__atomic_fetch_add(&port->errors, 1, __ATOMIC_RELAXED);
		VHP_LOG(ERR, "port %s: cannot watch the listening socket (%s): "
			"the port will not accept connections", port->name,
			strerror(-ret));
	}
}

static void
port_teardown(struct vhp_port *port)
{
	struct vhp_port **pp;

	conn_close(port, "port destroyed");
	if (port->pending_fd >= 0) {
		close(port->pending_fd);
		port->pending_fd = -1;
	}
	if (port->listen_fd >= 0) {
		ep_del(port->listen_fd);
		close(port->listen_fd);
		port->listen_fd = -1;
		unlink(port->path);
	}
	pthread_mutex_lock(&ports_lock);
	for (pp = &ports; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == port) {
			*pp = port->next;
			break;
		}
	}
	port->destroyed = true;
	pthread_cond_broadcast(&ports_cond);
	pthread_mutex_unlock(&ports_lock);
}

/* Register new ports, tear down destroyed ones, retry due connects.
 * @return epoll timeout in ms (-1: none). */
static int
scan_ports(void)
{
	struct vhp_port *p, *next;
	uint64_t now = now_ms();
	int timeout = -1;

	pthread_mutex_lock(&ports_lock);
	p = ports;
	pthread_mutex_unlock(&ports_lock);
	/* Only this thread removes ports, so walking without the lock is
	 * safe; new ports are linked in at the head. */
	for (; p != NULL; p = next) {
		next = p->next;
		if (__atomic_load_n(&p->destroying, __ATOMIC_ACQUIRE)) {
			port_teardown(p);
			continue;
		}
		if (!p->registered)
			port_register(p);
		if (!(p->flags & VHP_PORT_CLIENT) || p->conn_fd >= 0 ||
		    p->reconnect_tsc == 0)
			continue;
		if (p->reconnect_tsc <= now) {
			try_connect(p);
			if (p->conn_fd >= 0)
				continue;
		}
		if (p->reconnect_tsc > now) {
			uint64_t d = p->reconnect_tsc - now;

			if (timeout < 0 || d < (uint64_t)timeout)
				timeout = (int)d;
		} else {
			timeout = 0;
		}
	}
	return timeout;
}

static void *
ctrl_thread(void *arg)
{
	struct epoll_event ev;
	uint64_t v;
	int n, timeout;
	void *ptr;

	(void)arg;
	for (;;) {
		timeout = scan_ports();
		if (__atomic_load_n(&ctrl_stop, __ATOMIC_ACQUIRE))
			break;
		n = epoll_wait(ep_fd, &ev, 1, timeout);
		if (n <= 0)
			continue;
		ptr = (void *)(uintptr_t)(ev.data.u64 & ~(uint64_t)TAG_MASK);
		switch (ev.data.u64 & TAG_MASK) {
		case TAG_WAKE:
			if (read(wake_fd, &v, sizeof(v)) < 0)
				VHP_LOG(DEBUG, "wake-up read: %s",
					strerror(errno));
			vhp_mem_guard_report();
			break;
		case TAG_LISTEN:
			handle_listen(ptr);
			break;
		case TAG_CONN:
			handle_conn(ptr, ev.events);
			break;
		case TAG_KICK:
			handle_kick(ptr, ev.events);
			break;
		}
	}
	return NULL;
}

static int
ctrl_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_WAKE };
	int ret;

	if (ctrl_running)
		return 0;
	ep_fd = epoll_create1(EPOLL_CLOEXEC);
	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ep_fd < 0 || wake_fd < 0 ||
	    epoll_ctl(ep_fd, EPOLL_CTL_ADD, wake_fd, &ev) != 0) {
		ret = -errno;
		goto fail;
	}
	ctrl_stop = false;
	vhp_mem_guard_set_notify_fd(wake_fd);
	ret = rte_ctrl_thread_create(&ctrl_tid, "vhp-ctrl", NULL,
				     ctrl_thread, NULL);
	if (ret != 0)
		goto fail;
	ctrl_running = true;
	return 0;
fail:
	if (ep_fd >= 0)
		close(ep_fd);
	if (wake_fd >= 0)
		close(wake_fd);
	ep_fd = -1;
	wake_fd = -1;
	return ret < 0 ? ret : -ret;
}

static void
ctrl_stop_join(void)
{
	if (!ctrl_running)
		return;
	__atomic_store_n(&ctrl_stop, true, __ATOMIC_RELEASE);
	wake();
	pthread_join(ctrl_tid, NULL);
	ctrl_running = false;
	vhp_mem_guard_set_notify_fd(-1);
	close(ep_fd);
	close(wake_fd);
	ep_fd = -1;
	wake_fd = -1;
}

/* ---- public API ---- */

/* Server mode: bind and listen, refusing live sockets. */
static int
listen_on(struct vhp_port *port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	struct stat st;
	int fd, probe;

	snprintf(dir, sizeof(dir), "%s", port->path);
	if (stat(dirname(dir), &st) != 0 || !S_ISDIR(st.st_mode)) {
		VHP_LOG(ERR, "port %s: directory of %s does not exist: create "
			"it first", port->name, port->path);
		return -ENOENT;
	}
	memcpy(sa.sun_path, port->path, sizeof(sa.sun_path));
	if (lstat(port->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			VHP_LOG(ERR, "port %s: %s exists and is not a socket: "
				"remove it or choose another path", port->name,
				port->path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			VHP_LOG(ERR, "port %s: %s is in use by a live listener: "
				"stop it or choose another path", port->name,
				port->path);
			return -EADDRINUSE;
		}
		close(probe);
		VHP_LOG(INFO, "port %s: removing stale socket %s", port->name,
			port->path);
		unlink(port->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0) {
		int err = errno;

		close(fd);
		VHP_LOG(ERR, "port %s: cannot listen on %s: %s", port->name,
			port->path, strerror(err));
		return -err;
	}
	port->listen_fd = fd;
	return 0;
}

struct vhp_port *
vhp_port_create(const struct vhp_port_conf *conf)
{
	struct vhp_port *port;
	uint16_t qp;
	int ret;

	if (conf == NULL || conf->path == NULL || conf->path[0] == '\0') {
		VHP_LOG(ERR, "port create: no socket path given");
		rte_errno = EINVAL;
		return NULL;
	}
	if (strlen(conf->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		VHP_LOG(ERR, "port create: socket path %s is longer than %zu "
			"bytes", conf->path,
			sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	qp = conf->queue_pairs == 0 ? 1 : conf->queue_pairs;
	if (qp > VHP_MAX_QUEUE_PAIRS) {
		VHP_LOG(ERR, "port %s: %u queue pairs requested, at most %u",
			conf->path, qp, VHP_MAX_QUEUE_PAIRS);
		rte_errno = EINVAL;
		return NULL;
	}
	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(port->path, sizeof(port->path), "%s", conf->path);
	snprintf(port->name, sizeof(port->name), "%s",
		 conf->name != NULL ? conf->name : conf->path);
	port->flags = conf->flags;
	port->queue_pairs = qp;
	/* Turning a feature off turns off what depends on it. */
	port->features_offered = VHP_FEATURES_SUPPORTED &
		~vhp_features_off_closure(conf->features_off,
					  VHP_FEATURES_SUPPORTED);
	if (conf->ops != NULL)
		port->ops = *conf->ops;
	port->ctx = conf->ctx;
	port->listen_fd = -1;
	port->conn_fd = -1;
	port->pending_fd = -1;
	port->reconnect_delay_ms = RECONNECT_MIN_MS;
	pthread_mutex_init(&port->lock, NULL);
	vhp_device_init(port);

	pthread_mutex_lock(&life_lock);
	if (!(port->flags & VHP_PORT_CLIENT)) {
		ret = listen_on(port);
		if (ret != 0)
			goto fail;
	} else if (port->flags & VHP_PORT_NO_RECONNECT) {
		/* One attempt, now, so that the caller learns its result. */
		ret = connect_socket(port);
		if (ret < 0) {
			VHP_LOG(ERR, "port %s: cannot connect to %s (%s) and "
				"no-reconnect is set: port not created",
				port->name, port->path, strerror(-ret));
			goto fail;
		}
		port->pending_fd = ret;
	}
	ret = ctrl_start();
	if (ret != 0) {
		VHP_LOG(ERR, "port %s: cannot start the control thread: %s",
			port->name, strerror(-ret));
		goto fail;
	}
	pthread_mutex_lock(&ports_lock);
	port->next = ports;
	ports = port;
	pthread_mutex_unlock(&ports_lock);
	wake();
	pthread_mutex_unlock(&life_lock);
	VHP_LOG(INFO, "port %s: created (%s mode, %s, %u queue pair(s))",
		port->name, (port->flags & VHP_PORT_CLIENT) ? "client" :
		"server", port->path, qp);
	return port;
fail:
	if (port->listen_fd >= 0) {
		close(port->listen_fd);
		unlink(port->path);
	}
	if (port->pending_fd >= 0)
		close(port->pending_fd);
	if (ports == NULL)
		ctrl_stop_join();
	pthread_mutex_unlock(&life_lock);
	pthread_mutex_destroy(&port->lock);
	free(port);
	rte_errno = -ret;
	return NULL;
}

void
vhp_port_destroy(struct vhp_port *port)
{
	bool parked;

	if (port == NULL)
		return;
	if (ctrl_running && pthread_equal(pthread_self(), ctrl_tid)) {
		VHP_LOG(ERR, "port %s: vhp_port_destroy() called from a port "
			"callback: not allowed (it would wait for itself)",
			port->name);
		return;
	}
	/* A datapath thread (registered, online) would never report the
	 * quiescent state the control thread waits for while tearing the
	 * port down: it steps offline for the wait. */
	parked = vhp_rcu_park();
	pthread_mutex_lock(&life_lock);
	__atomic_store_n(&port->destroying, true, __ATOMIC_RELEASE);
	wake();
	pthread_mutex_lock(&ports_lock);
	while (!port->destroyed)
		pthread_cond_wait(&ports_cond, &ports_lock);
	pthread_mutex_unlock(&ports_lock);
	if (ports == NULL)
		ctrl_stop_join();
	pthread_mutex_unlock(&life_lock);
	vhp_rcu_unpark(parked);
	VHP_LOG(INFO, "port %s: destroyed", port->name);
	pthread_mutex_destroy(&port->lock);
	free(port);
}
