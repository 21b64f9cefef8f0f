/*
 * The prober's raw ICMP socket (Linux): echo requests out, echo replies in
 * (the kernel's ICMP_FILTER passes nothing else up to us), each with the
 * kernel's receive time (SO_TIMESTAMPNS), non-blocking,
 * waited on with ppoll() (nanoseconds: the pacing needs better than poll's
 * milliseconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"
#include "util/err.h"

struct raw {
	int	fd;
};

static int64_t
raw_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
raw_send(void *ctx, uint32_t dst, const uint8_t *pkt, size_t len)
{
	struct raw *r = ctx;
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(dst) };

	if (sendto(r->fd, pkt, len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) != (ssize_t)len)
		return errno == EINTR ? LL_EINTR : LL_ENET;
	return 0;
}

/* The kernel's receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) of the
 * message, on our monotonic clock; the present when it gave none. */
static int64_t
arrival(struct msghdr *mh, int64_t mono)
{
	struct timespec real;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(struct timespec)))
			continue;
		struct timespec k;
		memcpy(&k, CMSG_DATA(c), sizeof(k));
		clock_gettime(CLOCK_REALTIME, &real);
		int64_t ago = ((int64_t)real.tv_sec - k.tv_sec) * 1000000000 +
		    (real.tv_nsec - k.tv_nsec);
		return ago > 0 ? mono - ago : mono;
	}
	return mono;
}

static int
raw_recv(void *ctx, int64_t deadline, uint8_t *buf, size_t cap, int64_t *at)
{
	struct raw *r = ctx;
	union {
		char		 b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr	 align;
	} cm;

	for (;;) {
		struct iovec iov = { buf, cap };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
		ssize_t n = recvmsg(r->fd, &mh, 0);
		if (n > 0) {
			*at = arrival(&mh, raw_now(r));
			return n > (ssize_t)cap ? (int)cap : (int)n;
		}
		if (n < 0 && errno == EINTR)
			return LL_EINTR;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return LL_EIO;
		int64_t left = deadline - raw_now(r);
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		struct timespec ts = { (time_t)(left / 1000000000),
		    (long)(left % 1000000000) };
		if (ppoll(&p, 1, &ts, NULL) < 0)
			return errno == EINTR ? LL_EINTR : LL_EIO;
	}
}

int
probe_io_raw_open(struct probe_io *io, char *err, size_t errlen)
{
	struct raw *r = calloc(1, sizeof(*r));
	struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
	int buf = 1 << 20, on = 1;

	memset(io, 0, sizeof(*io));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return LL_ENOMEM;
	}
	r->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (r->fd < 0) {
		snprintf(err, errlen, "raw ICMP socket: %s (needs root or "
		    "CAP_NET_RAW)", strerror(errno));
		free(r);
		return LL_EIO;
	}
	if (setsockopt(r->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) != 0) {
		snprintf(err, errlen, "ICMP_FILTER: %s", strerror(errno));
		close(r->fd);
		free(r);
		return LL_EIO;
	}
	(void)setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(r->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	*io = (struct probe_io){ .ctx = r, .now = raw_now, .send = raw_send,
	    .recv = raw_recv };
	return 0;
}

void
probe_io_raw_close(struct probe_io *io)
{
	struct raw *r = io != NULL ? io->ctx : NULL;

	if (r == NULL)
		return;
	close(r->fd);
	free(r);
	io->ctx = NULL;
}
