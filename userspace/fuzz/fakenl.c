// SPDX-License-Identifier: GPL-2.0
/*
 * The fake netlink socket of the fuzz targets; see fakenl.h. The __wrap_
 * functions replace, in the objects linked with --wrap=NAME, libmnl's
 * socket calls, the three libc calls libqkd makes on the descriptor, and
 * time(). The descriptor is a real one (of /dev/null), so that a call we
 * did not wrap fails harmlessly instead of reaching a socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sanitizer/asan_interface.h>

#include "libqkd.h"
#include "fakenl.h"

#define QUEUE_MAX	256
#define STORE_SIZE	(256 * 1024)

static struct {
	unsigned int flags;
	fakenl_request_fn fn;
	unsigned int head, tail;
	struct {
		size_t off, len;
	} q[QUEUE_MAX];
	size_t used;
	/* The receive buffer poisoned behind the last datagram, if any. */
	char *poisoned;
	size_t poisoned_len;
} fake;

static uint8_t store[STORE_SIZE];
static int fake_fd = -1;
/* What mnl_socket_open2() returns: never dereferenced, only compared. */
static char fake_sock;

static void unpoison(void)
{
	if (fake.poisoned)
		ASAN_UNPOISON_MEMORY_REGION(fake.poisoned, fake.poisoned_len);
	fake.poisoned = NULL;
}

void fakenl_reset(unsigned int flags, fakenl_request_fn fn)
{
	unpoison();
	fake.flags = flags;
	fake.fn = fn;
	fake.head = fake.tail = 0;
	fake.used = 0;
}

void fakenl_push(const void *buf, size_t len)
{
	/* More than a run can use: the rest is dropped. */
	if (fake.tail == QUEUE_MAX || len > STORE_SIZE - fake.used)
		return;
	memcpy(store + fake.used, buf, len);
	fake.q[fake.tail].off = fake.used;
	fake.q[fake.tail].len = len;
	fake.tail++;
	fake.used += len;
}

void fakenl_push_input(const uint8_t *data, size_t size)
{
	size_t len;

	while (size >= 2) {
		len = data[0] | data[1] << 8;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		fakenl_push(data, len);
		data += len;
		size -= len;
	}
}

static struct nlmsghdr *reply_start(char *buf, uint16_t type, uint16_t flags,
				    const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKENL_PORTID;
	return nlh;
}

void fakenl_push_error(const struct nlmsghdr *req, int error, const char *msg,
		       int offs, const void *cookie, size_t cookie_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool tlvs = msg || offs >= 0 || cookie;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	nlh = reply_start(buf, NLMSG_ERROR,
			  NLM_F_CAPPED | (tlvs ? NLM_F_ACK_TLVS : 0), req);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	if (cookie)
		mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, cookie_len, cookie);
	fakenl_push(buf, nlh->nlmsg_len);
}

/* The controller's answer to the lookup of "qkd", then its ACK. */
static void push_family(const struct nlmsghdr *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *groups, *grp;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	nlh = reply_start(buf, GENL_ID_CTRL, 0, req);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_NEWFAMILY;
	genl->version = 2;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, QKD_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKENL_FAMILY);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, QKD_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, FAKENL_GROUP);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	fakenl_push(buf, nlh->nlmsg_len);
	fakenl_push_error(req, 0, NULL, -1, NULL, 0);
}

/*
 * The next datagram into @buf, the rest of @buf poisoned: its length (cut
 * to @size, *trunc saying so), or -1 with EAGAIN once the queue is empty
 * (a real socket would block for ever).
 */
static ssize_t pop(void *buf, size_t size, bool *trunc)
{
	size_t off, len, pad;

	if (fake.head == fake.tail) {
		errno = EAGAIN;
		return -1;
	}
	off = fake.q[fake.head].off;
	len = fake.q[fake.head].len;
	fake.head++;
	unpoison();
	ASAN_UNPOISON_MEMORY_REGION(buf, size);
	*trunc = len > size;
	if (*trunc)
		len = size;
	memcpy(buf, store + off, len);
	/*
	 * libmnl walks a message's attributes up to its aligned length, so
	 * that with a last message of unaligned length it reads up to 3 bytes
	 * past the datagram: still inside the buffer, whose size is aligned
	 * (and the kernel's messages are). Those bytes are zeroed instead.
	 */
	pad = MNL_ALIGN(len) - len;
	if (pad > size - len)
		pad = size - len;
	memset((char *)buf + len, 0, pad);
	fake.poisoned = (char *)buf + len + pad;
	fake.poisoned_len = size - len - pad;
	ASAN_POISON_MEMORY_REGION(fake.poisoned, fake.poisoned_len);
	return len;
}

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags);
int __wrap_mnl_socket_close(struct mnl_socket *nl);
int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type,
				 void *buf, socklen_t len);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups,
			   pid_t pid);
unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl);
int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req,
				 size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
				   size_t bufsiz);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
time_t __wrap_time(time_t *t);
void __wrap_explicit_bzero(void *p, size_t n);
void __real_explicit_bzero(void *p, size_t n);

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	(void)bus;
	(void)flags;
	if (fake_fd < 0)
		fake_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fake_fd < 0)
		abort();
	return (struct mnl_socket *)&fake_sock;
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	(void)nl;
	/* The buffer is about to be freed. */
	unpoison();
	return 0;
}

int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type,
				 void *buf, socklen_t len)
{
	(void)nl;
	(void)type;
	(void)buf;
	(void)len;
	return 0;
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups,
			   pid_t pid)
{
	(void)nl;
	(void)groups;
	(void)pid;
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return FAKENL_PORTID;
}

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	(void)nl;
	return fake_fd;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req,
				 size_t len)
{
	const struct nlmsghdr *nlh = req;

	(void)nl;
	/* libqkd sends one whole message at a time; anything else is its bug. */
	if (len < sizeof(*nlh) || nlh->nlmsg_len != len)
		abort();
	if ((fake.flags & FAKENL_AUTO_FAMILY) && nlh->nlmsg_type == GENL_ID_CTRL)
		push_family(nlh);
	else if (fake.fn)
		fake.fn(nlh);
	return len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
				   size_t bufsiz)
{
	bool trunc;
	ssize_t n;

	(void)nl;
	n = pop(buf, bufsiz, &trunc);
	/* What libmnl makes of a datagram larger than the buffer. */
	if (n >= 0 && trunc) {
		errno = ENOSPC;
		return -1;
	}
	return n;
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	bool trunc;

	if (fd != fake_fd)
		return __real_recv(fd, buf, len, flags);
	return pop(buf, len, &trunc);
}

/* Every datagram comes from the kernel (port 0), as events must. */
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	bool trunc;
	ssize_t n;

	if (fd != fake_fd)
		return __real_recvmsg(fd, msg, flags);
	if (msg->msg_iovlen != 1)
		abort();
	n = pop(msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, &trunc);
	if (n < 0)
		return n;
	if (msg->msg_name && msg->msg_namelen >= sizeof(addr)) {
		memcpy(msg->msg_name, &addr, sizeof(addr));
		msg->msg_namelen = sizeof(addr);
	}
	msg->msg_flags = trunc ? MSG_TRUNC : 0;
	return n;
}

/* Readable while datagrams are queued; else at once a timeout. */
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	bool ready = fake.head != fake.tail;

	if (n != 1 || fds[0].fd != fake_fd)
		return __real_poll(fds, n, timeout);
	fds[0].revents = ready ? fds[0].events & POLLIN : 0;
	return fds[0].revents ? 1 : 0;
}

time_t __wrap_time(time_t *t)
{
	if (t)
		*t = FAKENL_TIME;
	return FAKENL_TIME;
}

void __wrap_explicit_bzero(void *p, size_t n)
{
	char *c = p;

	if (fake.poisoned && c < fake.poisoned + fake.poisoned_len &&
	    c + n > fake.poisoned)
		unpoison();
	__real_explicit_bzero(p, n);
}
