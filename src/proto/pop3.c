/*
 * pop3.c: the POP3 client session (see pop3.h).
 */
#include "config.h"

#include <gnutls/crypto.h>
#include <stdarg.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailbench/base64.h"
#include "mailbench/pop3.h"
#include "mailbench/reply.h"
#include "mailbench/xalloc.h"

#define LIST_MAX_ENTRIES 1000000

struct mb_pop3 {
	char *host;
	int port;
	enum mb_security security;
	char *user, *password;
	bool no_apop;
	int timeout;
	int pipeline;
	bool tls_verify;
	struct mb_conn *conn;
	struct mb_pop3_caps caps;
	struct mb_buf line; /* the last status line, without "+OK " */
};

struct mb_pop3 *
mb_pop3_new(const struct mb_pop3_opts *o)
{
	struct mb_pop3 *p = xcalloc(1, sizeof *p);
	struct mb_conn_opts co = o->conn;

	p->host = xstrdup(o->host);
	p->port = o->port;
	p->security = o->security;
	p->user = o->user ? xstrdup(o->user) : NULL;
	p->password = o->password ? xstrdup(o->password) : NULL;
	p->no_apop = o->no_apop;
	p->timeout = o->timeout > 0 ? o->timeout : 60;
	p->pipeline = o->pipeline > 0 ? o->pipeline : 32;
	p->tls_verify = o->conn.tls_verify;
	if (co.user == NULL)
		co.user = o->user;
	if (co.timeout == 0)
		co.timeout = o->timeout;
	p->conn = mb_conn_new(MB_PROTO_POP3, &co);
	mb_conn_set_annotator(p->conn, mb_pop3_annotate);
	mb_buf_init(&p->line);
	return p;
}

void
mb_pop3_free(struct mb_pop3 *p)
{
	if (p == NULL)
		return;
	mb_conn_free(p->conn);
	free(p->host);
	free(p->user);
	if (p->password) {
		explicit_bzero(p->password, strlen(p->password));
		free(p->password);
	}
	free(p->caps.lines);
	mb_buf_release(&p->line);
	free(p);
}

void
mb_pop3_add_sink(struct mb_pop3 *p, mb_tsink_fn fn, void *ctx)
{
	mb_conn_add_sink(p->conn, fn, ctx);
}

void
mb_pop3_set_session_id(struct mb_pop3 *p, uint64_t id)
{
	mb_conn_set_session_id(p->conn, id);
}

struct mb_conn *
mb_pop3_conn(struct mb_pop3 *p)
{
	return p->conn;
}

void
mb_pop3_cancel(struct mb_pop3 *p)
{
	mb_conn_cancel(p->conn);
}

const struct mb_pop3_caps *
mb_pop3_caps(const struct mb_pop3 *p)
{
	return &p->caps;
}

/* --- lines and status --- */

static int
read_line(struct mb_pop3 *p, struct mb_buf *out, size_t max, struct mb_error *err)
{
	bool bare_lf;

	if (mb_conn_read_line_max(p->conn, out, max, &bare_lf, err) < 0)
		return -1;
	if (bare_lf)
		return mb_error_set(err, MB_ERR_PROTO,
		                    "server ended a line with a bare LF; POP3 requires CRLF");
	return 0;
}

/*
 * Read a status line: 1 for +OK, 0 for -ERR (p->line holds the text after
 * the indicator), -1 on error.
 */
static int
read_status(struct mb_pop3 *p, struct mb_error *err)
{
	struct mb_buf l = MB_BUF_INIT;
	int rc;

	mb_conn_set_deadline(p->conn, p->timeout);
	if (read_line(p, &l, MB_NET_LINE_MAX, err) < 0) {
		mb_buf_release(&l);
		return -1;
	}
	mb_buf_reset(&p->line);
	if (l.len >= 3 && strncmp(l.data, "+OK", 3) == 0 && (l.len == 3 || l.data[3] == ' ')) {
		mb_buf_add(&p->line, l.data + (l.len > 3 ? 4 : 3), l.len - (l.len > 3 ? 4 : 3));
		rc = 1;
	} else if (l.len >= 4 && strncmp(l.data, "-ERR", 4) == 0) {
		mb_buf_add(&p->line, l.data + (l.len > 4 ? 5 : 4), l.len > 4 ? l.len - 5 : 0);
		rc = 0;
	} else {
		rc = mb_error_set(err, MB_ERR_PROTO,
		                  "server sent '%.60s' where a POP3 status (+OK or -ERR) belongs",
		                  l.data);
		mb_conn_note(p->conn, MB_TDIR_INFO, MB_TL_ERROR, "%s", err->msg);
	}
	mb_buf_release(&l);
	return rc;
}

static int command(struct mb_pop3 *p, struct mb_error *err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Send one command and read its status line. */
static int
command(struct mb_pop3 *p, struct mb_error *err, const char *fmt, ...)
{
	struct mb_buf b = MB_BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	mb_buf_add(&b, "\r\n", 2);
	r = mb_conn_write(p->conn, b.data, b.len, err);
	explicit_bzero(b.data, b.len);
	mb_buf_release(&b);
	if (r < 0 || mb_conn_flush(p->conn, err) < 0)
		return -1;
	return read_status(p, err);
}

/* --- opening --- */

void
mb_pop3_parse_capa(struct mb_pop3_caps *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	struct mb_buf list = MB_BUF_INIT;

	c->capa = true;
	for (; p < end; p = nl + 2) {
		nl = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (nl == NULL)
			break;
		mb_buf_add(&list, p, (size_t)(nl - p));
		mb_buf_addch(&list, '\n');
#define KW(k)                                                                  \
	((size_t)(nl - p) >= strlen(k) && strncasecmp(p, k, strlen(k)) == 0 && \
	 ((size_t)(nl - p) == strlen(k) || p[strlen(k)] == ' '))
		if (KW("UIDL"))
			c->uidl = true;
		else if (KW("TOP"))
			c->top = true;
		else if (KW("PIPELINING"))
			c->pipelining = true;
		else if (KW("STLS"))
			c->stls = true;
		else if (KW("USER"))
			c->user = true;
		else if (KW("RESP-CODES"))
			c->resp_codes = true;
		else if (KW("SASL")) {
			const char *q = p + 4;

			while (q + 5 <= nl) {
				if (strncasecmp(q, " PLAIN", 6) == 0 &&
				    (q + 6 == nl || q[6] == ' '))
					c->sasl_plain = true;
				q++;
			}
		}
#undef KW
	}
	free(c->lines);
	c->lines = mb_buf_detach(&list, NULL);
}

static int
capa(struct mb_pop3 *p, struct mb_error *err)
{
	struct mb_buf lines = MB_BUF_INIT;
	int r;

	free(p->caps.lines);
	{
		char stamp[256];

		memcpy(stamp, p->caps.apop_stamp, sizeof stamp);
		memset(&p->caps, 0, sizeof p->caps);
		memcpy(p->caps.apop_stamp, stamp, sizeof stamp);
	}
	if ((r = command(p, err, "CAPA")) < 0)
		return -1;
	if (r == 0) {
		mb_conn_note(p->conn, MB_TDIR_INFO, 0,
		             "the server does not answer CAPA: no extensions assumed");
		return 0;
	}
	if (mb_conn_read_dotted(p->conn, &lines, 64 * 1024, err) < 0) {
		mb_buf_release(&lines);
		return -1;
	}
	mb_pop3_parse_capa(&p->caps, lines.data, lines.len);
	mb_buf_release(&lines);
	return 0;
}

static void
greeting_stamp(struct mb_pop3 *p)
{
	const char *lt = strchr(p->line.data, '<'), *gt;

	p->caps.apop_stamp[0] = '\0';
	if (lt == NULL || (gt = strchr(lt, '>')) == NULL || !memchr(lt, '@', (size_t)(gt - lt)))
		return;
	if ((size_t)(gt - lt + 1) < sizeof p->caps.apop_stamp)
		snprintf(p->caps.apop_stamp, sizeof p->caps.apop_stamp, "%.*s", (int)(gt - lt + 1),
		         lt);
}

static bool
is_loopback(const char *peer)
{
	return strncmp(peer, "127.", 4) == 0 || strncmp(peer, "[::1]", 5) == 0;
}

static int
login(struct mb_pop3 *p, struct mb_error *err)
{
	int r;

	if (p->caps.apop_stamp[0] && !p->no_apop) {
		unsigned char md5[16];
		char hex[33];
		struct mb_buf in = MB_BUF_INIT;
		int i;

		mb_buf_addstr(&in, p->caps.apop_stamp);
		mb_buf_addstr(&in, p->password);
		gnutls_hash_fast(GNUTLS_DIG_MD5, in.data, in.len, md5);
		explicit_bzero(in.data, in.len);
		mb_buf_release(&in);
		for (i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", md5[i]);
		if ((r = command(p, err, "APOP %s %s", p->user, hex)) < 0)
			return -1;
		if (r == 0)
			return mb_error_set(err, MB_ERR_AUTH, "APOP refused: -ERR %s",
			                    p->line.data);
		return 0;
	}
	if (!mb_conn_is_tls(p->conn)) {
		if (!is_loopback(mb_conn_peer(p->conn)))
			return mb_error_set(
			        err, MB_ERR_AUTH,
			        "refusing to send the password in plain text to '%s': use "
			        "pop3_security = starttls or tls",
			        p->host);
		mb_conn_note(p->conn, MB_TDIR_INFO, MB_TL_WARN,
		             "the password goes in plain text: allowed only because the server is "
		             "on this machine (loopback)");
	}
	if (p->caps.capa && !p->caps.user && p->caps.sasl_plain) {
		struct mb_buf raw = MB_BUF_INIT, b64 = MB_BUF_INIT;

		mb_buf_addch(&raw, '\0');
		mb_buf_addstr(&raw, p->user);
		mb_buf_addch(&raw, '\0');
		mb_buf_addstr(&raw, p->password);
		mb_base64_encode(raw.data, raw.len, 0, &b64);
		explicit_bzero(raw.data, raw.len);
		mb_buf_release(&raw);
		r = command(p, err, "AUTH PLAIN %s", b64.data);
		explicit_bzero(b64.data, b64.len);
		mb_buf_release(&b64);
		if (r < 0)
			return -1;
		if (r == 0)
			return mb_error_set(err, MB_ERR_AUTH, "authentication failed: -ERR %s",
			                    p->line.data);
		return 0;
	}
	if ((r = command(p, err, "USER %s", p->user)) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_AUTH, "USER refused: -ERR %s", p->line.data);
	if ((r = command(p, err, "PASS %s", p->password)) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_AUTH, "authentication failed: -ERR %s",
		                    p->line.data);
	return 0;
}

int
mb_pop3_open(struct mb_pop3 *p, struct mb_error *err)
{
	int r;

	if (!p->tls_verify)
		mb_conn_note(p->conn, MB_TDIR_TLS, MB_TL_WARN,
		             "WARNING: this account has tls_verify = no: certificates are not "
		             "checked, a man in the middle would go unnoticed");
	if (mb_conn_connect(p->conn, p->host, p->port, p->security == MB_SEC_TLS, err) < 0)
		return -1;
	if ((r = read_status(p, err)) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_RESP, "server refused the connection: -ERR %s",
		                    p->line.data);
	if (mb_conn_pending(p->conn) > 0)
		return mb_error_set(
		        err, MB_ERR_PROTO,
		        "server sent more after its greeting, before mailbench spoke: a "
		        "broken or hostile server");
	greeting_stamp(p);
	if (capa(p, err) < 0)
		return -1;
	if (p->security == MB_SEC_STARTTLS) {
		if (p->caps.capa && !p->caps.stls)
			return mb_error_set(
			        err, MB_ERR_TLS,
			        "'%s' does not offer STLS, and this account requires TLS "
			        "(pop3_security = starttls): nothing more is sent in plain "
			        "text",
			        p->host);
		if ((r = command(p, err, "STLS")) < 0)
			return -1;
		if (r == 0)
			return mb_error_set(err, MB_ERR_TLS, "server refused STLS: -ERR %s",
			                    p->line.data);
		if (mb_conn_start_tls(p->conn, 0, err) < 0)
			return -1;
		mb_conn_note(p->conn, MB_TDIR_INFO, 0,
		             "capabilities learned before TLS are discarded; asking again");
		if (capa(p, err) < 0)
			return -1;
	}
	if (p->user == NULL || p->password == NULL)
		return mb_error_set(err, MB_ERR_AUTH, "no user or password for POP3 on '%s'",
		                    p->host);
	return login(p, err);
}

/* --- commands --- */

int
mb_pop3_stat(struct mb_pop3 *p, uint32_t *count, uint64_t *size, struct mb_error *err)
{
	unsigned long c;
	unsigned long long s;
	int r;

	if ((r = command(p, err, "STAT")) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_RESP, "STAT refused: -ERR %s", p->line.data);
	if (sscanf(p->line.data, "%lu %llu", &c, &s) != 2 || c > UINT32_MAX)
		return mb_error_set(err, MB_ERR_PROTO, "server sent a malformed STAT reply");
	*count = (uint32_t)c;
	*size = s;
	return 0;
}

int
mb_pop3_parse_listing(const char *text, size_t len, struct mb_pop3_msg **msgs, size_t *n, bool uidl,
                      struct mb_error *err)
{
	const char *q = text, *end = text + len, *nl;
	size_t cap = *n, i = 0;

	for (; q < end; q = nl + 2) {
		unsigned long num;
		unsigned long long size;
		char id[80], line[128];

		nl = memmem(q, (size_t)(end - q), "\r\n", 2);
		if (nl == NULL)
			break;
		if (memchr(q, '\0', (size_t)(nl - q)) != NULL)
			return mb_error_set(err, MB_ERR_PROTO,
			                    "server sent a NUL byte in a listing");
		/* a line of ours, NUL-terminated, for sscanf; longer ones are malformed */
		if ((size_t)(nl - q) >= sizeof line) {
			if (!uidl)
				return mb_error_set(err, MB_ERR_PROTO,
				                    "server sent a malformed LIST line");
			return 1;
		}
		memcpy(line, q, (size_t)(nl - q));
		line[nl - q] = '\0';
		if (!uidl) {
			if (sscanf(line, "%lu %llu", &num, &size) != 2 || num == 0 ||
			    num > UINT32_MAX)
				return mb_error_set(err, MB_ERR_PROTO,
				                    "server sent a malformed LIST line");
			if (*n >= LIST_MAX_ENTRIES)
				return mb_error_set(err, MB_ERR_PROTO,
				                    "more than %d messages in LIST",
				                    LIST_MAX_ENTRIES);
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*msgs = xreallocarray(*msgs, cap, sizeof **msgs);
			}
			memset(&(*msgs)[*n], 0, sizeof **msgs);
			(*msgs)[*n].num = (uint32_t)num;
			(*msgs)[*n].size = size;
			(*n)++;
			continue;
		}
		/* UIDL lines are 1 to 70 printable characters (RFC 1939) */
		if (sscanf(line, "%lu %79[!-~]", &num, id) != 2 || strlen(id) > 70)
			return 1; /* a malformed UIDL line: the caller ignores UIDLs */
		/* the listings come in the same order; look near i first */
		for (; i < *n && (*msgs)[i].num != num; i++)
			;
		if (i == *n)
			for (i = 0; i < *n && (*msgs)[i].num != num; i++)
				;
		if (i < *n)
			snprintf((*msgs)[i].uidl, sizeof(*msgs)[i].uidl, "%s", id);
	}
	return 0;
}

static int
cmp_uidl(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Duplicate or missing UIDLs make them useless for telling messages apart. */
static bool
uidls_usable(const struct mb_pop3_msg *msgs, size_t n)
{
	char **v;
	size_t i;
	bool ok = true;

	if (n == 0)
		return true;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++) {
		if (msgs[i].uidl[0] == '\0')
			ok = false;
		v[i] = (char *)msgs[i].uidl;
	}
	qsort(v, n, sizeof *v, cmp_uidl);
	for (i = 1; ok && i < n; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			ok = false;
	free(v);
	return ok;
}

int
mb_pop3_list(struct mb_pop3 *p, struct mb_pop3_msg **msgs, size_t *n, struct mb_error *err)
{
	struct mb_buf lines = MB_BUF_INIT;
	int r;
	size_t i;

	*msgs = NULL;
	*n = 0;
	if ((r = command(p, err, "LIST")) < 0)
		goto fail;
	if (r == 0) {
		mb_error_set(err, MB_ERR_RESP, "LIST refused: -ERR %s", p->line.data);
		goto fail;
	}
	if (mb_conn_read_dotted(p->conn, &lines, 256u * 1024 * 1024, err) < 0 ||
	    mb_pop3_parse_listing(lines.data, lines.len, msgs, n, false, err) < 0)
		goto fail;
	mb_buf_reset(&lines);
	if (p->caps.capa && !p->caps.uidl) {
		mb_conn_note(p->conn, MB_TDIR_INFO, 0, "the server has no UIDL");
		goto done;
	}
	if ((r = command(p, err, "UIDL")) < 0)
		goto fail;
	if (r == 0) {
		mb_conn_note(p->conn, MB_TDIR_INFO, 0, "the server has no UIDL (-ERR)");
		goto done;
	}
	if (mb_conn_read_dotted(p->conn, &lines, 256u * 1024 * 1024, err) < 0)
		goto fail;
	r = mb_pop3_parse_listing(lines.data, lines.len, msgs, n, true, err);
	if (r < 0)
		goto fail;
	if (r > 0)
		mb_conn_note(p->conn, MB_TDIR_INFO, MB_TL_WARN,
		             "server sent a malformed UIDL line: ignoring UIDLs");
	if (r > 0 || !uidls_usable(*msgs, *n)) {
		if (r == 0)
			mb_conn_note(
			        p->conn, MB_TDIR_INFO, MB_TL_WARN,
			        "the server's UIDLs are missing or not unique: not using them");
		for (i = 0; i < *n; i++)
			(*msgs)[i].uidl[0] = '\0';
	}
done:
	mb_buf_release(&lines);
	return 0;
fail:
	mb_buf_release(&lines);
	free(*msgs);
	*msgs = NULL;
	*n = 0;
	return -1;
}

/* The room to make for a message whose status line says "N octets" (RFC 1939's example,
   and Dovecot's): one allocation rather than a doubling series, which the store would then
   copy. The server's number is only a hint, and never past RETR_PREALLOC_MAX. */
#define RETR_PREALLOC_MAX ((size_t)4 << 20)

static size_t
octets_hint(const char *text)
{
	unsigned long long n;
	char *end;

	if (*text < '0' || *text > '9')
		return 0;
	n = strtoull(text, &end, 10);
	if (strncmp(end, " octets", 7) != 0)
		return 0;
	return n < RETR_PREALLOC_MAX ? (size_t)n : RETR_PREALLOC_MAX;
}

int
mb_pop3_retr(struct mb_pop3 *p, const uint32_t *nums, size_t n, mb_pop3_msg_fn fn, void *ctx,
             struct mb_error *err)
{
	size_t sent = 0, done = 0, depth = p->caps.pipelining ? (size_t)p->pipeline : 1;
	struct mb_buf data = MB_BUF_INIT;
	int r, rc = -1;

	while (done < n) {
		/* refill the pipeline when half of it is answered: one write for many RETRs,
		   not a write (and a loopback round of TCP) per message */
		if (sent < n && sent - done <= depth / 2) {
			while (sent < n && sent - done < depth) {
				if (mb_conn_printf(p->conn, err, "RETR %u\r\n", nums[sent]) < 0)
					goto out;
				sent++;
			}
			if (mb_conn_flush(p->conn, err) < 0)
				goto out;
		}
		if ((r = read_status(p, err)) < 0)
			goto out;
		if (r == 0) {
			mb_conn_note(p->conn, MB_TDIR_INFO, MB_TL_WARN,
			             "message %u could not be retrieved (-ERR %s): skipped",
			             nums[done], p->line.data);
			done++;
			continue;
		}
		mb_buf_reset(&data);
		mb_buf_grow(&data, octets_hint(p->line.data));
		mb_conn_set_deadline(p->conn, p->timeout + 60);
		if (mb_conn_read_dotted(p->conn, &data, MB_POP3_MESSAGE_MAX, err) < 0)
			goto out;
		/* a count far above what came (a lie): what it sized is given back, so the
		   messages queued for storing hold what they are, not what was claimed */
		if (data.cap > 2 * data.len + 65536)
			mb_buf_fit(&data);
		if (fn(nums[done], &data, ctx, err) < 0)
			goto out;
		done++;
	}
	rc = 0;
out:
	mb_buf_release(&data);
	return rc;
}

int
mb_pop3_top(struct mb_pop3 *p, uint32_t num, unsigned lines, struct mb_buf *out,
            struct mb_error *err)
{
	int r;

	if ((r = command(p, err, "TOP %u %u", num, lines)) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_RESP, "TOP refused: -ERR %s", p->line.data);
	mb_buf_reset(out);
	return mb_conn_read_dotted(p->conn, out, MB_POP3_MESSAGE_MAX, err);
}

int
mb_pop3_dele(struct mb_pop3 *p, uint32_t num, struct mb_error *err)
{
	int r;

	if ((r = command(p, err, "DELE %u", num)) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_RESP, "DELE %u refused: -ERR %s", num,
		                    p->line.data);
	return 0;
}

int
mb_pop3_quit(struct mb_pop3 *p, struct mb_error *err)
{
	int r;

	if ((r = command(p, err, "QUIT")) < 0)
		return -1;
	if (r == 0)
		return mb_error_set(err, MB_ERR_RESP,
		                    "QUIT refused: -ERR %s (deletions may not have happened)",
		                    p->line.data);
	return 0;
}
