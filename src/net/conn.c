/*
 * conn.c: a connection: TCP connect with a deadline and cancel, buffered
 * writes, line reads with limits, and the tap every byte passes through.
 * TLS lives in tls.c; the bridge that lets libetpan sessions run on a
 * connection in stream.c.
 *
 * The socket is non-blocking from the start and every wait is a poll() on
 * it and on the cancel pipe, bounded by the operation's deadline: a server
 * that trickles one byte a second cannot hold a session beyond it, and
 * another thread can always cancel.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "net/private.h"

/* Bytes asked for per read: a large message in few calls. */
#define CONN_READ_CHUNK 65536

int64_t
mb_net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct mb_conn *
mb_conn_new(enum mb_proto proto, const struct mb_conn_opts *opts)
{
	struct mb_conn *c = xcalloc(1, sizeof *c);

	c->proto = proto;
	c->fd = -1;
	c->tls_verify = true;
	c->timeout = 30;
	if (opts != NULL) {
		c->ca_file = opts->ca_file ? xstrdup(opts->ca_file) : NULL;
		c->tls_verify = opts->tls_verify;
		if (opts->timeout > 0)
			c->timeout = opts->timeout;
	}
	if (pipe2(c->cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("mailbench: pipe");
		abort();
	}
	atomic_init(&c->cancelled, false);
	c->tap = mb_tap_new(proto);
	if (opts != NULL) {
		mb_tap_set_show_data(c->tap, opts->show_data);
		if (opts->user)
			mb_tap_set_user(c->tap, opts->user);
	}
	mb_buf_init(&c->rbuf);
	mb_buf_init(&c->wbuf);
	return c;
}

void
mb_conn_free(struct mb_conn *c)
{
	if (c == NULL)
		return;
	mb_tls_close(c);
	if (c->fd >= 0)
		close(c->fd);
	close(c->cancel_pipe[0]);
	close(c->cancel_pipe[1]);
	mb_tap_free(c->tap);
	/* written data may hold credentials */
	if (c->wbuf.cap)
		memset(c->wbuf.data, 0, c->wbuf.cap);
	mb_buf_release(&c->wbuf);
	mb_buf_release(&c->rbuf);
	free(c->ca_file);
	free(c);
}

void
mb_conn_add_sink(struct mb_conn *c, mb_tsink_fn fn, void *ctx)
{
	mb_tap_add_sink(c->tap, fn, ctx);
}

void
mb_conn_set_session_id(struct mb_conn *c, uint64_t id)
{
	mb_tap_set_session(c->tap, id);
}

void
mb_conn_set_annotator(struct mb_conn *c, mb_annotate_fn fn)
{
	mb_tap_set_annotator(c->tap, fn);
}

void
mb_conn_note(struct mb_conn *c, enum mb_tdir dir, int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mb_tap_vnote(c->tap, dir, flags, fmt, ap);
	va_end(ap);
}

int
mb_net_fail(struct mb_conn *c, struct mb_error *err)
{
	if (c->err.kind == MB_OK && err != NULL) {
		c->err = *err;
		mb_tap_note(c->tap, MB_TDIR_INFO, MB_TL_ERROR, "%s", err->msg);
	}
	return -1;
}

void
mb_conn_cancel(struct mb_conn *c)
{
	ssize_t r;

	atomic_store(&c->cancelled, true);
	r = write(c->cancel_pipe[1], "x", 1);
	(void)r;
}

bool
mb_conn_cancelled(const struct mb_conn *c)
{
	return atomic_load(&((struct mb_conn *)c)->cancelled);
}

const struct mb_error *
mb_conn_error(const struct mb_conn *c)
{
	return &c->err;
}

void
mb_conn_set_deadline(struct mb_conn *c, int seconds)
{
	c->deadline_s = seconds;
	c->deadline_ms = seconds > 0 ? mb_net_now_ms() + (int64_t)seconds * 1000 : 0;
}

int
mb_net_wait(struct mb_conn *c, short events, int64_t limit_ms, const char *what,
            struct mb_error *err)
{
	struct pollfd pfd[2];
	int64_t until, left;
	int r;

	for (;;) {
		if (atomic_load(&c->cancelled))
			return mb_error_set(err, MB_ERR_CANCEL, "cancelled by the user while %s",
			                    what);
		until = c->deadline_ms;
		if (limit_ms > 0 && (until == 0 || limit_ms < until))
			until = limit_ms;
		left = -1;
		if (until > 0) {
			left = until - mb_net_now_ms();
			if (left <= 0) {
				if (until == c->deadline_ms && c->deadline_s > 0)
					return mb_error_set(err, MB_ERR_TIMEOUT,
					                    "timed out after %d s %s",
					                    c->deadline_s, what);
				return mb_error_set(err, MB_ERR_TIMEOUT, "timed out %s", what);
			}
		}
		pfd[0].fd = c->fd;
		pfd[0].events = events;
		pfd[0].revents = 0;
		pfd[1].fd = c->cancel_pipe[0];
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		r = poll(pfd, 2, left > 0x7fffffff ? 0x7fffffff : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return mb_error_set(err, MB_ERR_IO, "poll failed while %s: %s", what,
			                    strerror(errno));
		if (pfd[1].revents)
			continue; /* the flag is checked at the top */
		if (pfd[0].revents)
			return 0;
	}
}

/* --- connect --- */

static int
try_connect(struct mb_conn *c, const struct addrinfo *ai, int64_t limit, struct mb_error *err)
{
	int fd, one = 1, soerr = 0;
	socklen_t sl = sizeof soerr;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return mb_error_set(err, MB_ERR_CONN, "%s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		mb_error_set(err, MB_ERR_CONN, "%s", strerror(errno));
		goto fail;
	}
	if (mb_net_wait(c, POLLOUT, limit, "connecting", err) < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr != 0) {
		mb_error_set(err, MB_ERR_CONN, "%s", strerror(soerr));
		goto fail;
	}
	return 0;
fail:
	close(fd);
	c->fd = -1;
	return -1;
}

static void
addr_string(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];

	if (getnameinfo(sa, len, h, sizeof h, p, sizeof p, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, outlen, "?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%s", h, p);
	else
		snprintf(out, outlen, "%s:%s", h, p);
}

int
mb_conn_connect(struct mb_conn *c, const char *host, int port, bool tls, struct mb_error *err)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	struct mb_error last = MB_ERROR_INIT;
	char portstr[16];
	int64_t t0 = mb_net_now_ms(), limit;
	int r;

	snprintf(c->host, sizeof c->host, "%s", host);
	snprintf(portstr, sizeof portstr, "%d", port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	mb_tap_note(c->tap, MB_TDIR_INFO, 0, "connecting to %s port %d (%s)", host, port,
	            tls ? "implicit TLS" : "plain TCP");
	if ((r = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		mb_error_set(err, MB_ERR_CONN, "cannot resolve '%s': %s", host, gai_strerror(r));
		return mb_net_fail(c, err);
	}
	limit = t0 + (int64_t)c->timeout * 1000;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (try_connect(c, ai, limit, &last) == 0)
			break;
		if (last.kind == MB_ERR_CANCEL || last.kind == MB_ERR_TIMEOUT)
			break;
	}
	if (ai == NULL || c->fd < 0) {
		freeaddrinfo(res);
		if (last.kind == MB_ERR_CANCEL || last.kind == MB_ERR_TIMEOUT)
			mb_error_set(err, last.kind, "cannot connect to '%s:%d': %s", host, port,
			             last.msg);
		else
			mb_error_set(err, MB_ERR_CONN, "cannot connect to '%s:%d': %s", host, port,
			             last.msg[0] ? last.msg : "no address");
		return mb_net_fail(c, err);
	}
	addr_string(ai->ai_addr, ai->ai_addrlen, c->peer, sizeof c->peer);
	freeaddrinfo(res);
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;

		if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
			getnameinfo((struct sockaddr *)&ss, sl, c->local, sizeof c->local, NULL, 0,
			            NI_NUMERICHOST);
	}
	mb_tap_note(c->tap, MB_TDIR_INFO, 0, "connected to %s in %lld ms", c->peer,
	            (long long)(mb_net_now_ms() - t0));
	if (tls)
		return mb_tls_handshake(c, err);
	return 0;
}

/* --- reading --- */

size_t
mb_conn_pending(const struct mb_conn *c)
{
	return c->rbuf.len - c->rpos;
}

/* Make room in rbuf: drop what was consumed before it grows. */
static void
compact(struct mb_conn *c)
{
	if (c->rpos > 0 && c->rpos == c->rbuf.len) {
		mb_buf_reset(&c->rbuf);
		c->rpos = 0;
	} else if (c->rpos > 65536) {
		mb_buf_consume(&c->rbuf, c->rpos);
		c->rpos = 0;
	}
}

/* Room for one read at the end of rbuf (consumed bytes dropped first); where it starts. */
static char *
read_room(struct mb_conn *c)
{
	compact(c);
	mb_buf_grow(&c->rbuf, CONN_READ_CHUNK);
	return c->rbuf.data + c->rbuf.len;
}

/* n bytes received at the end of rbuf (0: the end): through the tap, then taken into rbuf.
   As fill() returns. */
static int
took(struct mb_conn *c, ssize_t n, struct mb_error *err)
{
	if (n == 0) {
		c->eof = true;
		mb_tap_eof(c->tap);
		return 0;
	}
	c->bytes_in += (uint64_t)n;
	if (mb_tap_server(c->tap, c->rbuf.data + c->rbuf.len, (size_t)n, err) < 0) {
		c->eof = true; /* nothing more is read from this server */
		return mb_net_fail(c, err);
	}
	c->rbuf.len += (size_t)n;
	c->rbuf.data[c->rbuf.len] = '\0';
	return 1;
}

/* Receive more bytes into rbuf; 0 at EOF (c->eof set), 1 when bytes came, -1 on error. */
static int
fill(struct mb_conn *c, const char *what, struct mb_error *err)
{
	char *dst;
	ssize_t n;

	if (c->eof)
		return 0;
	if (c->fd < 0) {
		mb_error_set(err, MB_ERR_CONN, "not connected");
		return -1;
	}
	dst = read_room(c); /* straight into rbuf: no copy, few calls for a large message */
	if (c->tls != NULL) {
		n = mb_tls_recv(c, dst, CONN_READ_CHUNK, err);
		if (n < 0)
			return mb_net_fail(c, err);
	} else {
		for (;;) {
			n = recv(c->fd, dst, CONN_READ_CHUNK, 0);
			if (n >= 0)
				break;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				mb_error_set(err, MB_ERR_CONN, "connection to '%s' failed: %s",
				             c->host, strerror(errno));
				return mb_net_fail(c, err);
			}
			if (mb_net_wait(c, POLLIN, 0, what, err) < 0)
				return mb_net_fail(c, err);
		}
	}
	return took(c, n, err);
}

int
mb_conn_read_line_max(struct mb_conn *c, struct mb_buf *out, size_t max, bool *bare_lf,
                      struct mb_error *err)
{
	size_t scanned = 0, avail, len;
	char *start, *nl;
	int r;

	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	for (;;) {
		start = c->rbuf.data + c->rpos;
		avail = c->rbuf.len - c->rpos;
		nl = memchr(start + scanned, '\n', avail - scanned);
		if (nl != NULL)
			break;
		scanned = avail;
		if (avail > max) {
			mb_error_set(err, MB_ERR_PROTO,
			             "server sent a line longer than %zu bytes: session aborted",
			             max);
			return mb_net_fail(c, err);
		}
		r = fill(c, "waiting for the server", err);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (avail > 0)
				mb_error_set(err, MB_ERR_CONN,
				             "connection closed by '%s' in the middle of a line "
				             "(%zu bytes without a line end)",
				             c->host, avail);
			else
				mb_error_set(err, MB_ERR_CONN, "connection closed by '%s'",
				             c->host);
			return mb_net_fail(c, err);
		}
	}
	len = (size_t)(nl - start);
	if (len > max) {
		mb_error_set(err, MB_ERR_PROTO,
		             "server sent a line longer than %zu bytes: session aborted", max);
		return mb_net_fail(c, err);
	}
	if (bare_lf != NULL)
		*bare_lf = !(len > 0 && start[len - 1] == '\r');
	mb_buf_reset(out);
	mb_buf_add(out, start, len > 0 && start[len - 1] == '\r' ? len - 1 : len);
	c->rpos += len + 1;
	return 0;
}

/*
 * Take the complete lines of [p, end) into out, p at a line start: *done when the "."
 * line came. Returns how many bytes were used (whole lines only), or -1. One memchr per
 * line, one copy per run of lines up to the next that starts with a dot.
 */
static ssize_t
dotted_lines(const char *p, const char *end, struct mb_buf *out, size_t max, bool *done,
             struct mb_error *err)
{
	const char *start = p, *from, *q, *nl;

	while (p < end) {
		from = q = p;
		if (*p == '.') { /* "." ends the block; any other dot line loses its first dot */
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				break;
			if (nl[-1] != '\r')
				goto bare_lf;
			if (nl - p == 2) {
				*done = true;
				return nl + 1 - start;
			}
			from = p + 1;
			q = nl + 1;
		}
		while (q < end && *q != '.') {
			nl = memchr(q, '\n', (size_t)(end - q));
			if (nl == NULL)
				break;
			if (nl == q || nl[-1] != '\r')
				goto bare_lf;
			q = nl + 1;
		}
		if (q == p)
			break; /* a line that does not end yet */
		if ((size_t)(q - from) > max - out->len)
			goto too_big;
		mb_buf_add(out, from, (size_t)(q - from));
		p = q;
	}
	/* a line that does not end yet must still fit */
	if ((size_t)(end - p) > max - out->len + 3)
		goto too_big;
	return p - start;
too_big:
	return mb_error_set(err, MB_ERR_PROTO,
	                    "server sent more than %zu bytes in one response: refused", max);
bare_lf:
	return mb_error_set(err, MB_ERR_PROTO,
	                    "server ended a line with a bare LF; POP3 requires CRLF");
}

int
mb_conn_read_dotted(struct mb_conn *c, struct mb_buf *out, size_t max, struct mb_error *err)
{
	bool done = false;
	ssize_t used;
	int r;

	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	for (;;) {
		used = dotted_lines(c->rbuf.data + c->rpos, c->rbuf.data + c->rbuf.len, out, max,
		                    &done, err);
		if (used < 0)
			return -1;
		c->rpos += (size_t)used;
		if (done)
			return 0;
		r = fill(c, "waiting for the server", err);
		if (r < 0)
			return -1;
		if (r == 0) {
			mb_error_set(err, MB_ERR_CONN,
			             "connection closed by '%s' before the end of a response "
			             "(%zu bytes of it came)",
			             c->host, out->len + (c->rbuf.len - c->rpos));
			return mb_net_fail(c, err);
		}
	}
}

int
mb_conn_read_line(struct mb_conn *c, struct mb_buf *out, bool *bare_lf, struct mb_error *err)
{
	return mb_conn_read_line_max(c, out, MB_NET_LINE_MAX, bare_lf, err);
}

/*
 * Receive what has arrived, without waiting (a TLS record not complete yet,
 * or one that holds no data, such as a session ticket, is not waited for).
 * Returns 1 when bytes came, 0 at the end, -1 on an error (recorded in c),
 * 2 when there is nothing yet.
 */
static int
fill_nowait(struct mb_conn *c, struct mb_error *err)
{
	char *dst;
	ssize_t n;

	if (c->eof || c->fd < 0)
		return 0;
	dst = read_room(c);
	if (c->tls != NULL) {
		n = gnutls_record_recv(c->tls, dst, CONN_READ_CHUNK);
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			n = 0;
		else if (n < 0 && !gnutls_error_is_fatal((int)n))
			return 2; /* GNUTLS_E_AGAIN and friends */
		else if (n < 0) {
			mb_error_set(err, MB_ERR_CONN, "TLS connection to '%s' failed: %s", c->host,
			             gnutls_strerror((int)n));
			return mb_net_fail(c, err);
		}
	} else {
		n = recv(c->fd, dst, CONN_READ_CHUNK, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 2;
		if (n < 0) {
			mb_error_set(err, MB_ERR_CONN, "connection to '%s' failed: %s", c->host,
			             strerror(errno));
			return mb_net_fail(c, err);
		}
	}
	return took(c, n, err);
}

/* A whole line, the end or an error is waiting in c: a read returns at once. */
static bool
line_ready(const struct mb_conn *c)
{
	return c->err.kind != MB_OK || c->eof || c->fd < 0 ||
	       memchr(c->rbuf.data + c->rpos, '\n', c->rbuf.len - c->rpos) != NULL;
}

int
mb_conn_poll(struct mb_conn *c, int fd, int timeout_ms, struct mb_error *err)
{
	struct mb_error e = MB_ERROR_INIT;
	struct pollfd pfd[3];
	int64_t until = timeout_ms >= 0 ? mb_net_now_ms() + timeout_ms : 0, left;
	int ready, r, guard;

	for (guard = 0; guard < 1000000; guard++) {
		if (atomic_load(&c->cancelled))
			return mb_error_set(err, MB_ERR_CANCEL, "cancelled by the user");
		ready = line_ready(c) ? MB_CONN_READY_LINE : 0;
		if (!ready && c->tls != NULL && gnutls_record_check_pending(c->tls) > 0 &&
		    fill_nowait(c, &e) != 2)
			continue; /* decrypted bytes GnuTLS held */
		left = -1;
		if (ready)
			left = 0; /* only look whether fd is readable too */
		else if (until > 0 && (left = until - mb_net_now_ms()) < 0)
			left = 0;
		pfd[0].fd = ready ? -1 : c->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		pfd[2].fd = c->cancel_pipe[0];
		pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		r = poll(pfd, 3, left > 0x7fffffff ? 0x7fffffff : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return mb_error_set(err, MB_ERR_IO, "poll failed: %s", strerror(errno));
		if (pfd[1].revents)
			ready |= MB_CONN_READY_FD;
		if (ready)
			return ready;
		if (pfd[0].revents) {
			fill_nowait(c, &e); /* an error or the end stays in c */
			continue;
		}
		if (pfd[2].revents)
			continue; /* the flag is checked at the top */
		if (r == 0 && until > 0)
			return 0;
	}
	return 0;
}

int
mb_conn_read_exact(struct mb_conn *c, struct mb_buf *out, size_t n, struct mb_error *err)
{
	size_t avail;
	int r;

	mb_buf_reset(out);
	while (out->len < n) {
		avail = c->rbuf.len - c->rpos;
		if (avail > 0) {
			size_t take = avail < n - out->len ? avail : n - out->len;

			mb_buf_add(out, c->rbuf.data + c->rpos, take);
			c->rpos += take;
			continue;
		}
		r = fill(c, "reading data from the server", err);
		if (r < 0)
			return -1;
		if (r == 0) {
			mb_error_set(err, MB_ERR_CONN,
			             "connection closed by '%s' after %zu of %zu bytes", c->host,
			             out->len, n);
			return mb_net_fail(c, err);
		}
	}
	return 0;
}

ssize_t
mb_conn_read_some(struct mb_conn *c, void *buf, size_t len, struct mb_error *err)
{
	size_t avail = c->rbuf.len - c->rpos;
	int r;

	if (avail == 0) {
		if (c->err.kind != MB_OK)
			return -1;
		r = fill(c, "waiting for the server", err);
		if (r <= 0)
			return r;
		avail = c->rbuf.len - c->rpos;
	}
	if (len > avail)
		len = avail;
	memcpy(buf, c->rbuf.data + c->rpos, len);
	c->rpos += len;
	return (ssize_t)len;
}

int
mb_conn_wait(struct mb_conn *c, int ms, struct mb_error *err)
{
	int64_t saved = c->deadline_ms;
	int saved_s = c->deadline_s;
	int r;

	if (mb_conn_pending(c) > 0 || (c->tls != NULL && gnutls_record_check_pending(c->tls) > 0))
		return 1;
	c->deadline_ms = 0;
	c->deadline_s = 0;
	r = mb_net_wait(c, POLLIN, mb_net_now_ms() + ms, "waiting", err);
	c->deadline_ms = saved;
	c->deadline_s = saved_s;
	if (r == 0)
		return 1;
	if (err->kind == MB_ERR_TIMEOUT)
		return 0;
	return mb_net_fail(c, err);
}

/* --- writing --- */

int
mb_conn_write(struct mb_conn *c, const void *data, size_t len, struct mb_error *err)
{
	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	mb_buf_add(&c->wbuf, data, len);
	return 0;
}

int
mb_conn_printf(struct mb_conn *c, struct mb_error *err, const char *fmt, ...)
{
	va_list ap;

	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	va_start(ap, fmt);
	mb_buf_vaddf(&c->wbuf, fmt, ap);
	va_end(ap);
	return 0;
}

/* Send bytes at once, through the tap. */
int
mb_conn_send_now(struct mb_conn *c, const void *data, size_t len, bool private,
                 struct mb_error *err)
{
	const char *p = data;
	ssize_t n;

	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	if (c->fd < 0)
		return mb_error_set(err, MB_ERR_CONN, "not connected");
	mb_tap_client(c->tap, data, len, private);
	while (len > 0) {
		if (c->tls != NULL) {
			n = mb_tls_send(c, p, len, err);
			if (n < 0)
				return mb_net_fail(c, err);
		} else {
			n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK) {
					if (mb_net_wait(c, POLLOUT, 0, "sending to the server",
					                err) < 0)
						return mb_net_fail(c, err);
					continue;
				}
				mb_error_set(err, MB_ERR_CONN, "connection to '%s' failed: %s",
				             c->host, strerror(errno));
				return mb_net_fail(c, err);
			}
		}
		p += n;
		len -= (size_t)n;
		c->bytes_out += (uint64_t)n;
	}
	return 0;
}

int
mb_conn_flush(struct mb_conn *c, struct mb_error *err)
{
	int r;

	if (c->wbuf.len == 0)
		return 0;
	r = mb_conn_send_now(c, c->wbuf.data, c->wbuf.len, false, err);
	memset(c->wbuf.data, 0, c->wbuf.len);
	mb_buf_reset(&c->wbuf);
	return r;
}

/* --- STARTTLS --- */

int
mb_conn_start_tls(struct mb_conn *c, size_t upper_pending, struct mb_error *err)
{
	int waiting = 0;

	if (c->err.kind != MB_OK) {
		if (err)
			*err = c->err;
		return -1;
	}
	/*
	 * Anything the server sent after its go-ahead arrived in plain text
	 * and would be read as if it came through TLS: the STARTTLS injection
	 * of CVE-2020-15953 and its kin. The server cannot legitimately send
	 * a byte before our ClientHello.
	 */
	if (ioctl(c->fd, FIONREAD, &waiting) < 0)
		waiting = 0;
	if (mb_conn_pending(c) + upper_pending > 0 || waiting > 0) {
		mb_error_set(err, MB_ERR_PROTO,
		             "server sent %zu bytes after its STARTTLS go-ahead, before TLS began "
		             "(STARTTLS injection, CVE-2020-15953 class): session aborted",
		             mb_conn_pending(c) + upper_pending +
		                     (size_t)(waiting > 0 ? waiting : 0));
		return mb_net_fail(c, err);
	}
	return mb_tls_handshake(c, err);
}

bool
mb_conn_is_tls(const struct mb_conn *c)
{
	return c->tls != NULL;
}

bool
mb_conn_tls_verified(const struct mb_conn *c)
{
	return c->tls != NULL && c->tls_verified;
}

const char *
mb_conn_tls_desc(const struct mb_conn *c)
{
	return c->tls_desc;
}

uint64_t
mb_conn_bytes_in(const struct mb_conn *c)
{
	return c->bytes_in;
}

uint64_t
mb_conn_bytes_out(const struct mb_conn *c)
{
	return c->bytes_out;
}

const char *
mb_conn_peer(const struct mb_conn *c)
{
	return c->peer;
}

const char *
mb_conn_local(const struct mb_conn *c)
{
	return c->local;
}
