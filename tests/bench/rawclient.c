/*
 * rawclient.c: the smallest clients that move the benchmark's mail, as the limit the
 * benchmarks (tests/bench/) measure mailbench against. Plain TCP on loopback, no TLS,
 * no parsing beyond finding where each reply ends, data discarded; every write is one
 * send() of a whole command (TCP_NODELAY) so no delayed ACK slows it down.
 *
 *     rawclient smtp PORT FROM TO FILE...   one connection, MAIL/RCPT/DATA per file
 *     rawclient imap PORT USER PASSFILE     LOGIN, SELECT INBOX, UID FETCH 1:* BODY.PEEK[]
 *     rawclient pop3 PORT USER PASSFILE N   USER/PASS, STAT, RETR all, N in flight
 *
 * Prints one line: how many messages and bytes moved. Exit 0 on success, 1 on any error.
 * Each read waits at most 60 s (SO_RCVTIMEO), so a stuck server ends the run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define RBUF_SIZE (256 * 1024)

struct conn {
	int fd;
	char buf[RBUF_SIZE];
	size_t start, end;
	unsigned long long bytes; /* read from the server */
};

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void conn_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("rawclient: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
conn_open(struct conn *c, int port)
{
	struct sockaddr_in sa = {0};
	struct timeval tv = {60, 0};
	int one = 1;

	c->start = c->end = 0;
	c->bytes = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		die("cannot create a socket: %s", strerror(errno));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("cannot connect to '127.0.0.1:%d': %s", port, strerror(errno));
}

static void
conn_write(struct conn *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("cannot write: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

static void
conn_printf(struct conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		die("command too long");
	conn_write(c, line, (size_t)n);
}

/* Read more bytes into the buffer (moving what is unread to its start). */
static void
conn_fill(struct conn *c)
{
	ssize_t n;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == sizeof c->buf)
		die("line longer than %d bytes", RBUF_SIZE);
	do
		n = recv(c->fd, c->buf + c->end, sizeof c->buf - c->end, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("cannot read: %s", strerror(errno));
	if (n == 0)
		die("the server closed the connection");
	c->end += (size_t)n;
	c->bytes += (unsigned long long)n;
}

/* The next line, CRLF removed and NUL-terminated in place; valid until the next read. */
static char *
conn_line(struct conn *c, size_t *lenp)
{
	char *line, *nl;
	size_t len;

	while ((nl = memchr(c->buf + c->start, '\n', c->end - c->start)) == NULL)
		conn_fill(c);
	line = c->buf + c->start;
	len = (size_t)(nl - line);
	c->start += len + 1;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return line;
}

/* Skip n bytes of data (an IMAP literal). */
static void
conn_skip(struct conn *c, unsigned long long n)
{
	while (n > 0) {
		size_t have = c->end - c->start;

		if (have == 0) {
			c->start = c->end = 0;
			conn_fill(c);
			continue;
		}
		if (have > n)
			have = (size_t)n;
		c->start += have;
		n -= have;
	}
}

/* --- SMTP ------------------------------------------------------------------------------ */

/* Read one reply (all its lines); die unless its code starts with want. */
static void
smtp_reply(struct conn *c, char want, const char *what)
{
	char *line;
	size_t len;

	do {
		line = conn_line(c, &len);
		if (len < 3)
			die("short SMTP reply after %s", what);
	} while (len > 3 && line[3] == '-');
	if (line[0] != want)
		die("unexpected reply after %s: %s", what, line);
}

/* The file as DATA: CRLF line ends, dot-stuffed, with the final dot. */
static char *
smtp_data(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *out = NULL;
	size_t len = 0, cap = 0;
	int ch, bol = 1;

	if (f == NULL)
		die("cannot open '%s': %s", path, strerror(errno));
	while ((ch = getc(f)) != EOF) {
		if (len + 8 > cap) {
			cap = cap ? cap * 2 : 4096;
			out = realloc(out, cap);
			if (out == NULL)
				die("out of memory");
		}
		if (bol && ch == '.')
			out[len++] = '.';
		if (ch == '\r')
			continue;
		if (ch == '\n')
			out[len++] = '\r';
		out[len++] = (char)ch;
		bol = ch == '\n';
	}
	fclose(f);
	if (len + 8 > cap && (out = realloc(out, len + 8)) == NULL)
		die("out of memory");
	if (len > 0 && !bol) {
		out[len++] = '\r';
		out[len++] = '\n';
	}
	memcpy(out + len, ".\r\n", 3);
	*lenp = len + 3;
	return out;
}

static int
run_smtp(struct conn *c, const char *from, const char *to, char **files, int n)
{
	unsigned long long sent = 0;
	int i;

	smtp_reply(c, '2', "the greeting");
	conn_printf(c, "EHLO rawclient.lab.test\r\n");
	smtp_reply(c, '2', "EHLO");
	for (i = 0; i < n; i++) {
		size_t len;
		char *data = smtp_data(files[i], &len);

		conn_printf(c, "MAIL FROM:<%s>\r\n", from);
		smtp_reply(c, '2', "MAIL");
		conn_printf(c, "RCPT TO:<%s>\r\n", to);
		smtp_reply(c, '2', "RCPT");
		conn_printf(c, "DATA\r\n");
		smtp_reply(c, '3', "DATA");
		conn_write(c, data, len);
		smtp_reply(c, '2', "the message data");
		sent += len;
		free(data);
	}
	conn_printf(c, "QUIT\r\n");
	smtp_reply(c, '2', "QUIT");
	printf("smtp: %d messages, %llu bytes sent\n", n, sent);
	return 0;
}

/* --- IMAP ------------------------------------------------------------------------------ */

/* Read responses up to the tagged one; skip literals; count FETCH responses. */
static unsigned long
imap_until(struct conn *c, const char *tag)
{
	size_t taglen = strlen(tag), len;
	unsigned long fetches = 0;
	char *line;

	for (;;) {
		line = conn_line(c, &len);
		if (len > taglen && strncmp(line, tag, taglen) == 0 && line[taglen] == ' ') {
			if (strncmp(line + taglen + 1, "OK", 2) != 0)
				die("%s", line);
			return fetches;
		}
		if (strstr(line, " FETCH ") != NULL && line[0] == '*')
			fetches++;
		/* a line may end in one literal after another: skip each */
		while (len > 0 && line[len - 1] == '}') {
			char *open = strrchr(line, '{');
			unsigned long long n;

			if (open == NULL)
				die("bad literal in: %s", line);
			n = strtoull(open + 1, NULL, 10);
			conn_skip(c, n);
			line = conn_line(c, &len);
		}
	}
}

static int
run_imap(struct conn *c, const char *user, const char *pass)
{
	unsigned long n;
	char *line;

	line = conn_line(c, NULL);
	if (strncmp(line, "* OK", 4) != 0)
		die("unexpected IMAP greeting: %s", line);
	conn_printf(c, "a1 LOGIN \"%s\" \"%s\"\r\n", user, pass);
	imap_until(c, "a1");
	conn_printf(c, "a2 SELECT INBOX\r\n");
	imap_until(c, "a2");
	conn_printf(c, "a3 UID FETCH 1:* BODY.PEEK[]\r\n");
	n = imap_until(c, "a3");
	conn_printf(c, "a4 LOGOUT\r\n");
	imap_until(c, "a4");
	printf("imap: %lu messages, %llu bytes received\n", n, c->bytes);
	return 0;
}

/* --- POP3 ------------------------------------------------------------------------------ */

static char *
pop3_ok(struct conn *c, const char *what)
{
	char *line = conn_line(c, NULL);

	if (strncmp(line, "+OK", 3) != 0)
		die("unexpected reply to %s: %s", what, line);
	return line;
}

static int
run_pop3(struct conn *c, const char *user, const char *pass, long depth)
{
	long count, sent = 0, done = 0;
	char *line;
	size_t len;

	pop3_ok(c, "the greeting");
	conn_printf(c, "USER %s\r\n", user);
	pop3_ok(c, "USER");
	conn_printf(c, "PASS %s\r\n", pass);
	pop3_ok(c, "PASS");
	conn_printf(c, "STAT\r\n");
	line = pop3_ok(c, "STAT");
	count = strtol(line + 3, NULL, 10);
	while (done < count) {
		char cmds[64 * 24];
		size_t clen = 0;

		/* top the pipeline up to depth commands in flight, in one write */
		while (sent < count && sent - done < depth && clen + 24 < sizeof cmds)
			clen += (size_t)snprintf(cmds + clen, sizeof cmds - clen, "RETR %ld\r\n",
			                         ++sent);
		if (clen > 0)
			conn_write(c, cmds, clen);
		pop3_ok(c, "RETR");
		do
			line = conn_line(c, &len);
		while (!(len == 1 && line[0] == '.'));
		done++;
	}
	conn_printf(c, "QUIT\r\n");
	pop3_ok(c, "QUIT");
	printf("pop3: %ld messages, %llu bytes received\n", count, c->bytes);
	return 0;
}

/* The first line of a file (a lab password). */
static char *
read_secret(const char *path)
{
	static char pw[256];
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(pw, sizeof pw, f) == NULL)
		die("cannot read '%s'", path);
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw;
}

int
main(int argc, char **argv)
{
	static struct conn c;
	int port;

	if (argc < 5) {
		fprintf(stderr, "usage: rawclient smtp PORT FROM TO FILE...\n"
		                "       rawclient imap PORT USER PASSFILE\n"
		                "       rawclient pop3 PORT USER PASSFILE DEPTH\n");
		return 2;
	}
	port = atoi(argv[2]);
	if (port <= 0 || port > 65535)
		die("bad port '%s'", argv[2]);
	if (strcmp(argv[1], "smtp") == 0 && argc >= 6) {
		conn_open(&c, port);
		return run_smtp(&c, argv[3], argv[4], argv + 5, argc - 5);
	}
	if (strcmp(argv[1], "imap") == 0 && argc == 5) {
		conn_open(&c, port);
		return run_imap(&c, argv[3], read_secret(argv[4]));
	}
	if (strcmp(argv[1], "pop3") == 0 && argc == 6) {
		long depth = strtol(argv[5], NULL, 10);

		if (depth < 1 || depth > 64)
			die("bad depth '%s': 1 to 64", argv[5]);
		conn_open(&c, port);
		return run_pop3(&c, argv[3], read_secret(argv[4]), depth);
	}
	die("bad arguments (run without any for the usage)");
}
