/*
 * smtp.c: the SMTP client session (see smtp.h).
 *
 * Written on src/net's connection rather than libetpan's mailsmtp: the
 * session needs its own EHLO name, AUTH without SASL plug-ins, PIPELINING,
 * per-recipient results, enhanced status codes, reply limits and
 * per-command deadlines, none of which libetpan 1.9.4 gives (see
 * ../shared/docs/libetpan.md section 3). The connection still carries every
 * byte through the transcript tap, which masks AUTH by protocol state.
 */
#include "config.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailbench/addr.h"
#include "mailbench/base64.h"
#include "mailbench/reply.h"
#include "mailbench/smtp.h"
#include "mailbench/testhook.h"
#include "mailbench/xalloc.h"

#define BODY_CHUNK (64 * 1024)

struct mb_smtp {
	char *host;
	int port;
	enum mb_security security;
	char *ehlo_name;
	char *user;
	char *password;
	char *auth_mech;
	struct mb_smtp_timeouts to;

	struct mb_conn *conn;
	struct mb_smtp_caps caps;
	enum mb_smtp_phase phase;
	int last_code;
	struct mb_buf last_text;
	int transactions; /* started on this connection: RSET before the next */
	bool tls_verify;
};

static const char *const phase_names[] = {
        [MB_SMTP_CONNECT] = "connect",   [MB_SMTP_GREETING] = "greeting",
        [MB_SMTP_EHLO] = "EHLO",         [MB_SMTP_STARTTLS] = "TLS",
        [MB_SMTP_AUTH] = "AUTH",         [MB_SMTP_MAIL] = "MAIL",
        [MB_SMTP_RCPT] = "RCPT",         [MB_SMTP_DATA] = "DATA",
        [MB_SMTP_BODY] = "message body", [MB_SMTP_QUIT] = "QUIT",
        [MB_SMTP_DONE] = "done",
};

const char *
mb_smtp_phase_name(enum mb_smtp_phase p)
{
	if ((unsigned)p >= sizeof phase_names / sizeof phase_names[0])
		return "?";
	return phase_names[p];
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct mb_smtp *
mb_smtp_new(const struct mb_smtp_opts *o)
{
	struct mb_smtp *s = xcalloc(1, sizeof *s);
	struct mb_conn_opts co = o->conn;
	int t = o->timeout;

	s->host = xstrdup(o->host);
	s->port = o->port;
	s->security = o->security;
	s->ehlo_name = dup_or_null(o->ehlo_name);
	s->user = dup_or_null(o->user);
	s->password = dup_or_null(o->password);
	s->auth_mech = dup_or_null(o->auth_mech);
	s->tls_verify = o->conn.tls_verify;
	/* RFC 5321 section 4.5.3.2, or the account's one timeout for all */
	s->to.greeting = t > 0 ? t : 300;
	s->to.mail = t > 0 ? t : 300;
	s->to.rcpt = t > 0 ? t : 300;
	s->to.data_init = t > 0 ? t : 120;
	s->to.data_block = t > 0 ? t : 180;
	s->to.data_end = t > 0 ? t : 600;
	if (co.user == NULL)
		co.user = o->user;
	if (co.timeout == 0 && t > 0)
		co.timeout = t;
	s->conn = mb_conn_new(MB_PROTO_SMTP, &co);
	mb_conn_set_annotator(s->conn, mb_smtp_annotate);
	mb_buf_init(&s->last_text);
	return s;
}

void
mb_smtp_free(struct mb_smtp *s)
{
	if (s == NULL)
		return;
	mb_conn_free(s->conn);
	free(s->host);
	free(s->ehlo_name);
	free(s->user);
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->auth_mech);
	free(s->caps.lines);
	mb_buf_release(&s->last_text);
	free(s);
}

void
mb_smtp_add_sink(struct mb_smtp *s, mb_tsink_fn fn, void *ctx)
{
	mb_conn_add_sink(s->conn, fn, ctx);
}

void
mb_smtp_set_session_id(struct mb_smtp *s, uint64_t id)
{
	mb_conn_set_session_id(s->conn, id);
}

struct mb_conn *
mb_smtp_conn(struct mb_smtp *s)
{
	return s->conn;
}

const struct mb_smtp_caps *
mb_smtp_caps(const struct mb_smtp *s)
{
	return &s->caps;
}

enum mb_smtp_phase
mb_smtp_phase(const struct mb_smtp *s)
{
	return s->phase;
}

int
mb_smtp_last_code(const struct mb_smtp *s)
{
	return s->last_code;
}

const char *
mb_smtp_last_text(const struct mb_smtp *s)
{
	return s->last_text.data;
}

void
mb_smtp_cancel(struct mb_smtp *s)
{
	mb_conn_cancel(s->conn);
}

/* --- replies --- */

/* Read one whole reply within timeout seconds. */
static int
read_reply(struct mb_smtp *s, struct mb_smtp_reply *r, int timeout, struct mb_error *err)
{
	struct mb_buf line = MB_BUF_INIT;
	bool bare_lf = false;
	int rc;

	mb_smtp_reply_release(r);
	mb_conn_set_deadline(s->conn, timeout);
	for (;;) {
		if (mb_conn_read_line(s->conn, &line, &bare_lf, err) < 0) {
			rc = -1;
			break;
		}
		if (bare_lf) {
			rc = mb_error_set(err, MB_ERR_PROTO,
			                  "server ended a reply line with a bare LF; SMTP requires "
			                  "CRLF (RFC 5321 2.3.8)");
			break;
		}
		rc = mb_smtp_reply_feed(r, line.data, line.len, err);
		if (rc != 0)
			break;
	}
	mb_buf_release(&line);
	if (rc < 0) {
		if (err->kind == MB_ERR_PROTO || err->kind == MB_ERR_TOOBIG)
			mb_conn_note(s->conn, MB_TDIR_INFO, MB_TL_ERROR, "%s", err->msg);
		return -1;
	}
	s->last_code = r->code;
	mb_buf_reset(&s->last_text);
	{
		size_t n;
		const char *first = mb_smtp_reply_first(r, &n);

		mb_buf_add(&s->last_text, first, n);
	}
	return 0;
}

/* A failed reply as an error: "MAIL refused: 550 5.7.1 relay denied". */
static int
reply_error(struct mb_smtp *s, enum mb_err kind, const char *what, const struct mb_smtp_reply *r,
            struct mb_error *err)
{
	size_t n;
	const char *t = mb_smtp_reply_first(r, &n);

	return mb_error_set(err, kind, "%s: %d %.*s", what, r->code, (int)(n > 300 ? 300 : n), t);
}

/* --- EHLO --- */

/* Our own address as a literal: honest, and it names no host (RFC 5321 4.1.4). */
static void
ehlo_default_name(struct mb_smtp *s, char *out, size_t len)
{
	const char *local = mb_conn_local(s->conn);

	if (strchr(local, ':') != NULL)
		snprintf(out, len, "[IPv6:%s]", local);
	else
		snprintf(out, len, "[%s]", local[0] ? local : "127.0.0.1");
}

static void
caps_reset(struct mb_smtp_caps *c)
{
	free(c->lines);
	memset(c, 0, sizeof *c);
}

static void
caps_parse(struct mb_smtp_caps *c, const struct mb_smtp_reply *r)
{
	const char *p = r->text.data, *end = p + r->text.len, *nl;
	struct mb_buf lines = MB_BUF_INIT;
	bool first = true;

	caps_reset(c);
	c->esmtp = true;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (first) { /* the server's name and greeting */
			first = false;
			continue;
		}
		mb_buf_add(&lines, p, (size_t)(nl - p));
		mb_buf_addch(&lines, '\n');
#define KW(k)                                                                  \
	((size_t)(nl - p) >= strlen(k) && strncasecmp(p, k, strlen(k)) == 0 && \
	 ((size_t)(nl - p) == strlen(k) || p[strlen(k)] == ' ' || p[strlen(k)] == '='))
		if (KW("PIPELINING"))
			c->pipelining = true;
		else if (KW("STARTTLS"))
			c->starttls = true;
		else if (KW("8BITMIME"))
			c->eightbitmime = true;
		else if (KW("SMTPUTF8"))
			c->smtputf8 = true;
		else if (KW("ENHANCEDSTATUSCODES"))
			c->enhanced = true;
		else if (KW("DSN"))
			c->dsn = true;
		else if (KW("CHUNKING"))
			c->chunking = true;
		else if (KW("SIZE")) {
			c->size = true;
			if ((size_t)(nl - p) > 5)
				c->size_max = strtoull(p + 5, NULL, 10);
		} else if (KW("AUTH")) {
			const char *q = p + 5;
			size_t n = (size_t)(nl - q);

			if ((size_t)(nl - p) <= 5)
				continue;
			snprintf(c->auth_list, sizeof c->auth_list, "%.*s", (int)n, q);
			/* mechanisms as words */
			while (q < nl) {
				const char *w = q;

				while (q < nl && *q != ' ')
					q++;
				if (q - w == 5 && strncasecmp(w, "PLAIN", 5) == 0)
					c->auth_plain = true;
				else if (q - w == 5 && strncasecmp(w, "LOGIN", 5) == 0)
					c->auth_login = true;
				else if (q - w == 8 && strncasecmp(w, "CRAM-MD5", 8) == 0)
					c->auth_cram_md5 = true;
				while (q < nl && *q == ' ')
					q++;
			}
		}
#undef KW
		if (nl == end)
			break;
	}
	c->lines = mb_buf_detach(&lines, NULL);
}

static int
ehlo(struct mb_smtp *s, struct mb_error *err)
{
	struct mb_smtp_reply r;
	char name[300];
	int rc = -1;

	s->phase = MB_SMTP_EHLO;
	if (s->ehlo_name)
		snprintf(name, sizeof name, "%s", s->ehlo_name);
	else
		ehlo_default_name(s, name, sizeof name);
	mb_smtp_reply_init(&r);
	if (mb_conn_printf(s->conn, err, "EHLO %s\r\n", name) < 0 ||
	    mb_conn_flush(s->conn, err) < 0 || read_reply(s, &r, s->to.mail, err) < 0)
		goto out;
	if (r.code == 250) {
		caps_parse(&s->caps, &r);
		rc = 0;
		goto out;
	}
	if (r.code == 421 || r.code / 100 == 4) {
		reply_error(s, MB_ERR_RESP, "server refused EHLO", &r, err);
		goto out;
	}
	/* an old server: fall back to HELO, without extensions */
	mb_conn_note(s->conn, MB_TDIR_INFO, 0,
	             "EHLO refused: falling back to HELO (no extensions)");
	caps_reset(&s->caps);
	if (mb_conn_printf(s->conn, err, "HELO %s\r\n", name) < 0 ||
	    mb_conn_flush(s->conn, err) < 0 || read_reply(s, &r, s->to.mail, err) < 0)
		goto out;
	if (r.code != 250) {
		reply_error(s, MB_ERR_RESP, "server refused HELO", &r, err);
		goto out;
	}
	rc = 0;
out:
	mb_smtp_reply_release(&r);
	return rc;
}

static void
note_caps(struct mb_smtp *s)
{
	const struct mb_smtp_caps *c = &s->caps;

	const char *p, *nl, *m;
	size_t len;

	if (!c->esmtp) {
		mb_conn_note(s->conn, MB_TDIR_INFO, 0, "an SMTP server without extensions (HELO)");
		return;
	}
	mb_conn_note(s->conn, MB_TDIR_INFO, 0, "the server's extensions (EHLO), explained:");
	for (p = c->lines; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		m = mb_smtp_ext_meaning(p, len);
		/* at most 60 bytes of the line: it is a server's text */
		mb_conn_note(s->conn, MB_TDIR_INFO, 0, "  %-22.*s %s%s", (int)(len > 60 ? 60 : len),
		             p, m ? m : "(an extension mailbench does not use)",
		             m && strncasecmp(p, "PIPELINING", 10) == 0 ? ": mailbench uses it"
		                                                        : "");
		if (*nl == '\0')
			break;
	}
}

/* --- STARTTLS --- */

static int
starttls(struct mb_smtp *s, struct mb_error *err)
{
	struct mb_smtp_reply r;
	int rc = -1;

	s->phase = MB_SMTP_STARTTLS;
	if (!s->caps.starttls) {
		return mb_error_set(
		        err, MB_ERR_TLS,
		        "'%s' does not offer STARTTLS, and this account requires TLS "
		        "(smtp_security = starttls): nothing more is sent in plain text",
		        s->host);
	}
	mb_smtp_reply_init(&r);
	if (mb_conn_printf(s->conn, err, "STARTTLS\r\n") < 0 || mb_conn_flush(s->conn, err) < 0 ||
	    read_reply(s, &r, s->to.mail, err) < 0)
		goto out;
	if (r.code != 220) {
		reply_error(s, MB_ERR_TLS, "server refused STARTTLS", &r, err);
		goto out;
	}
	if (mb_conn_start_tls(s->conn, 0, err) < 0)
		goto out;
	/* what the server said before TLS may have been forged: forget it */
	caps_reset(&s->caps);
	mb_conn_note(s->conn, MB_TDIR_INFO, 0,
	             "capabilities learned before TLS are discarded; asking again");
	rc = ehlo(s, err);
out:
	mb_smtp_reply_release(&r);
	return rc;
}

/* --- AUTH --- */

static bool
is_loopback(const char *peer)
{
	return strncmp(peer, "127.", 4) == 0 || strncmp(peer, "[::1]", 5) == 0;
}

static const char *
choose_mech(struct mb_smtp *s, struct mb_error *err)
{
	const struct mb_smtp_caps *c = &s->caps;
	bool tls = mb_conn_is_tls(s->conn);

	if (s->auth_mech != NULL) {
		if ((strcasecmp(s->auth_mech, "PLAIN") == 0 && c->auth_plain) ||
		    (strcasecmp(s->auth_mech, "LOGIN") == 0 && c->auth_login) ||
		    (strcasecmp(s->auth_mech, "CRAM-MD5") == 0 && c->auth_cram_md5))
			return s->auth_mech;
		mb_error_set(err, MB_ERR_AUTH, "server does not offer AUTH %s (it offers: %s)",
		             s->auth_mech, c->auth_list[0] ? c->auth_list : "nothing");
		return NULL;
	}
	if (!tls && c->auth_cram_md5)
		return "CRAM-MD5"; /* the password never crosses in the clear */
	if (c->auth_plain)
		return "PLAIN";
	if (c->auth_login)
		return "LOGIN";
	if (c->auth_cram_md5)
		return "CRAM-MD5";
	if (!tls && s->security == MB_SEC_NONE)
		mb_error_set(err, MB_ERR_AUTH,
		             "'%s' offers no AUTH on this plain connection: many servers offer it "
		             "only after STARTTLS (set smtp_security = starttls)",
		             s->host);
	else
		mb_error_set(err, MB_ERR_AUTH, "'%s' offers no AUTH mechanism mailbench knows (%s)",
		             s->host, c->auth_list[0] ? c->auth_list : "none announced");
	return NULL;
}

static void
wipe_buf(struct mb_buf *b)
{
	if (b->cap)
		explicit_bzero(b->data, b->cap);
	mb_buf_release(b);
}

/* Send a line holding a secret (the tap masks it) and read the reply. */
static int
auth_step(struct mb_smtp *s, struct mb_buf *line, struct mb_smtp_reply *r, struct mb_error *err)
{
	int rc = 0;

	if (mb_conn_write(s->conn, line->data, line->len, err) < 0 ||
	    mb_conn_flush(s->conn, err) < 0 || read_reply(s, r, s->to.mail, err) < 0)
		rc = -1;
	wipe_buf(line);
	return rc;
}

static int
cram_md5_answer(struct mb_smtp *s, const struct mb_smtp_reply *r, struct mb_buf *line,
                struct mb_error *err)
{
	struct mb_buf chal = MB_BUF_INIT, ans = MB_BUF_INIT;
	unsigned char digest[16];
	size_t n, i;
	const char *t = mb_smtp_reply_first(r, &n);

	if (mb_b64_decode(t, n, 1, &chal) < 0 || chal.len == 0) {
		mb_buf_release(&chal);
		return mb_error_set(err, MB_ERR_PROTO,
		                    "server sent a malformed CRAM-MD5 challenge");
	}
	gnutls_hmac_fast(GNUTLS_MAC_MD5, s->password, strlen(s->password), chal.data, chal.len,
	                 digest);
	mb_buf_addf(&ans, "%s ", s->user);
	for (i = 0; i < sizeof digest; i++)
		mb_buf_addf(&ans, "%02x", digest[i]);
	mb_base64_encode(ans.data, ans.len, 0, line);
	mb_buf_add(line, "\r\n", 2);
	wipe_buf(&ans);
	mb_buf_release(&chal);
	return 0;
}

static int
authenticate(struct mb_smtp *s, struct mb_error *err)
{
	struct mb_smtp_reply r;
	struct mb_buf line = MB_BUF_INIT, tmp = MB_BUF_INIT;
	const char *mech;
	int rc = -1;

	s->phase = MB_SMTP_AUTH;
	if ((mech = choose_mech(s, err)) == NULL)
		return -1;
	if (!mb_conn_is_tls(s->conn) && strcasecmp(mech, "CRAM-MD5") != 0) {
		if (!is_loopback(mb_conn_peer(s->conn)))
			return mb_error_set(err, MB_ERR_AUTH,
			                    "refusing to send the password in plain text to '%s': "
			                    "use smtp_security = starttls or tls",
			                    s->host);
		mb_conn_note(s->conn, MB_TDIR_INFO, MB_TL_WARN,
		             "AUTH %s over a plain connection: allowed only because the server is "
		             "on this machine (loopback)",
		             mech);
	}
	mb_smtp_reply_init(&r);
	if (strcasecmp(mech, "PLAIN") == 0) {
		mb_buf_addch(&tmp, '\0');
		mb_buf_addstr(&tmp, s->user);
		mb_buf_addch(&tmp, '\0');
		mb_buf_addstr(&tmp, s->password);
		mb_buf_addstr(&line, "AUTH PLAIN ");
		mb_base64_encode(tmp.data, tmp.len, 0, &line);
		mb_buf_add(&line, "\r\n", 2);
		wipe_buf(&tmp);
		if (auth_step(s, &line, &r, err) < 0)
			goto out;
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		mb_buf_addstr(&line, "AUTH LOGIN\r\n");
		if (auth_step(s, &line, &r, err) < 0)
			goto out;
		if (r.code == 334) {
			mb_base64_encode(s->user, strlen(s->user), 0, &line);
			mb_buf_add(&line, "\r\n", 2);
			if (auth_step(s, &line, &r, err) < 0)
				goto out;
		}
		if (r.code == 334) {
			mb_base64_encode(s->password, strlen(s->password), 0, &line);
			mb_buf_add(&line, "\r\n", 2);
			if (auth_step(s, &line, &r, err) < 0)
				goto out;
		}
	} else {
		mb_buf_addstr(&line, "AUTH CRAM-MD5\r\n");
		if (auth_step(s, &line, &r, err) < 0)
			goto out;
		if (r.code == 334) {
			if (cram_md5_answer(s, &r, &line, err) < 0 ||
			    auth_step(s, &line, &r, err) < 0)
				goto out;
		}
	}
	if (r.code == 235) {
		rc = 0;
		goto out;
	}
	if (r.code == 334) {
		/* an exchange we cannot finish: cancel it */
		mb_buf_addstr(&line, "*\r\n");
		auth_step(s, &line, &r, err);
	}
	reply_error(s, MB_ERR_AUTH, "authentication failed", &r, err);
out:
	wipe_buf(&line);
	wipe_buf(&tmp);
	mb_smtp_reply_release(&r);
	return rc;
}

/* --- opening --- */

int
mb_smtp_open(struct mb_smtp *s, struct mb_error *err)
{
	struct mb_smtp_reply r;
	int rc = -1;

	if (!s->tls_verify)
		mb_conn_note(s->conn, MB_TDIR_TLS, MB_TL_WARN,
		             "WARNING: this account has tls_verify = no: certificates are not "
		             "checked, a man in the middle would go unnoticed");
	s->phase = MB_SMTP_CONNECT;
	if (mb_conn_connect(s->conn, s->host, s->port, s->security == MB_SEC_TLS, err) < 0) {
		if (err->kind == MB_ERR_TLS)
			s->phase = MB_SMTP_STARTTLS; /* the TLS phase, implicit here */
		return -1;
	}
	s->phase = MB_SMTP_GREETING;
	mb_smtp_reply_init(&r);
	if (read_reply(s, &r, s->to.greeting, err) < 0)
		goto out;
	if (r.code != 220) {
		/* nothing was refused yet: the server would not talk (421 busy, 554 no service) */
		reply_error(s, MB_ERR_CONN, "server refused the connection", &r, err);
		goto out;
	}
	if (mb_conn_pending(s->conn) > 0) {
		mb_error_set(err, MB_ERR_PROTO,
		             "server sent more after its greeting, before mailbench spoke (%zu "
		             "bytes): a broken or hostile server",
		             mb_conn_pending(s->conn));
		goto out;
	}
	if (ehlo(s, err) < 0)
		goto out;
	if (s->security == MB_SEC_STARTTLS) {
		if (starttls(s, err) < 0)
			goto out;
	} else if (s->security == MB_SEC_NONE && s->caps.starttls) {
		mb_conn_note(s->conn, MB_TDIR_INFO, 0,
		             "the server offers STARTTLS, but this account does not use it "
		             "(smtp_security = none)");
	}
	note_caps(s);
	if (s->user != NULL && s->password != NULL && authenticate(s, err) < 0)
		goto out;
	rc = 0;
out:
	mb_smtp_reply_release(&r);
	if (rc < 0)
		mb_conn_note(s->conn, MB_TDIR_INFO, MB_TL_ERROR, "session failed at %s: %s",
		             mb_smtp_phase_name(s->phase), err->msg);
	return rc;
}

/* --- sending --- */

void
mb_smtp_result_release(struct mb_smtp_result *r)
{
	size_t i;

	for (i = 0; i < r->nrcpts; i++) {
		free(r->rcpts[i].addr);
		free(r->rcpts[i].text);
	}
	free(r->rcpts);
	free(r->text);
	memset(r, 0, sizeof *r);
}

static void
result_final(struct mb_smtp_result *res, enum mb_smtp_phase phase, const struct mb_smtp_reply *r)
{
	size_t n;
	const char *t = mb_smtp_reply_first(r, &n);

	res->phase = phase;
	res->code = r->code;
	snprintf(res->status, sizeof res->status, "%s", r->status);
	free(res->text);
	res->text = xmemdup0(t, n);
}

static bool
has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* Check the envelope and the message against what the server offers. */
static int
precheck(struct mb_smtp *s, const struct mb_smtp_envelope *env, const char *msg, size_t len,
         bool *utf8, bool *eightbit, struct mb_error *err)
{
	size_t i;

	*utf8 = has_non_ascii(env->from);
	if (env->nto == 0)
		return mb_error_set(err, MB_ERR_INPUT, "no recipients: nothing to send");
	if (mb_addr_check(env->from, true, true, err) < 0)
		return -1;
	for (i = 0; i < env->nto; i++) {
		if (mb_addr_check(env->to[i], false, true, err) < 0)
			return -1;
		*utf8 = *utf8 || has_non_ascii(env->to[i]);
	}
	if (*utf8 && !s->caps.smtputf8)
		return mb_error_set(
		        err, MB_ERR_INPUT,
		        "the envelope has non-ASCII addresses, which need SMTPUTF8, and "
		        "'%s' does not offer it",
		        s->host);
	*eightbit = mb_smtp_is_8bit(msg, len);
	if (*eightbit && !s->caps.eightbitmime && !*utf8)
		return mb_error_set(
		        err, MB_ERR_INPUT,
		        "the message holds 8-bit bytes and '%s' does not offer 8BITMIME: "
		        "re-encode it (quoted-printable or base64); mailbench's own "
		        "messages are 7-bit",
		        s->host);
	return 0;
}

/* Write MAIL FROM with its parameters. */
static int
write_mail(struct mb_smtp *s, const struct mb_smtp_envelope *env, size_t size, bool utf8,
           bool eightbit, struct mb_error *err)
{
	struct mb_buf cmd = MB_BUF_INIT;
	int rc;

	mb_buf_addf(&cmd, "MAIL FROM:<%s>", env->from);
	if (s->caps.size)
		mb_buf_addf(&cmd, " SIZE=%zu", size);
	if (eightbit && s->caps.eightbitmime)
		mb_buf_addstr(&cmd, " BODY=8BITMIME");
	if (utf8)
		mb_buf_addstr(&cmd, " SMTPUTF8");
	mb_buf_add(&cmd, "\r\n", 2);
	rc = mb_conn_write(s->conn, cmd.data, cmd.len, err);
	mb_buf_release(&cmd);
	return rc;
}

static void
record_rcpt(struct mb_smtp_result *res, size_t i, const char *addr, const struct mb_smtp_reply *r)
{
	size_t n;
	const char *t = mb_smtp_reply_first(r, &n);
	struct mb_smtp_rcpt_result *rr = &res->rcpts[i];

	rr->addr = xstrdup(addr);
	rr->code = r->code;
	snprintf(rr->status, sizeof rr->status, "%s", r->status);
	rr->text = xmemdup0(t, n);
	if (r->code / 100 == 2)
		res->naccepted++;
	else
		res->nrefused++;
}

/* The message, stuffed, in chunks, then the final dot and its reply. */
static int
send_body(struct mb_smtp *s, const struct mb_buf *body, struct mb_smtp_result *res,
          struct mb_error *err)
{
	struct mb_smtp_reply r;
	size_t off = 0, n;
	int rc = -1;

	s->phase = MB_SMTP_BODY;
	res->phase = MB_SMTP_BODY;
	while (off < body->len) {
		n = body->len - off < BODY_CHUNK ? body->len - off : BODY_CHUNK;
		mb_conn_set_deadline(s->conn, s->to.data_block);
		if (mb_conn_write(s->conn, body->data + off, n, err) < 0 ||
		    mb_conn_flush(s->conn, err) < 0)
			return -1;
		off += n;
	}
	mb_conn_set_deadline(s->conn, s->to.data_block);
	if (mb_conn_write(s->conn, ".\r\n", 3, err) < 0 || mb_conn_flush(s->conn, err) < 0)
		return -1;
	/* from here on, the server may have the message even if we never hear back */
	res->maybe_sent = true;
	mb_test_crash_point("smtp-after-dot");
	mb_smtp_reply_init(&r);
	if (read_reply(s, &r, s->to.data_end, err) < 0)
		goto out;
	res->maybe_sent = false;
	result_final(res, r.code == 250 ? MB_SMTP_DONE : MB_SMTP_BODY, &r);
	res->sent = r.code / 100 == 2;
	rc = 0;
out:
	mb_smtp_reply_release(&r);
	return rc;
}

/* After MAIL, RCPT and DATA replies: go on with the body or stop. */
static int
after_data_reply(struct mb_smtp *s, const struct mb_smtp_reply *dr, const struct mb_buf *body,
                 struct mb_smtp_result *res, struct mb_error *err)
{
	struct mb_smtp_reply r;
	int rc;

	if (dr->code != 354) {
		if (res->phase < MB_SMTP_DATA)
			return 0; /* an earlier refusal says it all */
		result_final(res, MB_SMTP_DATA, dr);
		return 0;
	}
	if (res->naccepted == 0 || res->phase < MB_SMTP_DATA) {
		/* 354 although nothing can be delivered: end the empty message */
		s->phase = MB_SMTP_BODY;
		mb_smtp_reply_init(&r);
		rc = mb_conn_write(s->conn, ".\r\n", 3, err) < 0 ||
		                     mb_conn_flush(s->conn, err) < 0 ||
		                     read_reply(s, &r, s->to.data_end, err) < 0
		             ? -1
		             : 0;
		mb_smtp_reply_release(&r);
		return rc;
	}
	return send_body(s, body, res, err);
}

static int
transaction(struct mb_smtp *s, const struct mb_smtp_envelope *env, const struct mb_buf *body,
            bool utf8, bool eightbit, struct mb_smtp_result *res, struct mb_error *err)
{
	struct mb_smtp_reply r;
	bool pipe = s->caps.pipelining;
	bool rset = s->transactions > 0;
	size_t i;
	int rc = -1;

	mb_smtp_reply_init(&r);
	s->transactions++;
	res->rcpts = xcalloc(env->nto, sizeof *res->rcpts);
	res->nrcpts = env->nto;
	res->phase = MB_SMTP_MAIL;

	/* with PIPELINING, RSET, MAIL, every RCPT and DATA go out at once (RFC 2920) */
	if (rset && mb_conn_write(s->conn, "RSET\r\n", 6, err) < 0)
		goto out;
	if (!pipe && rset) {
		if (mb_conn_flush(s->conn, err) < 0 || read_reply(s, &r, s->to.mail, err) < 0)
			goto out;
		rset = false;
	}
	s->phase = MB_SMTP_MAIL;
	if (write_mail(s, env, body->len, utf8, eightbit, err) < 0)
		goto out;
	if (pipe) {
		for (i = 0; i < env->nto; i++)
			if (mb_conn_printf(s->conn, err, "RCPT TO:<%s>\r\n", env->to[i]) < 0)
				goto out;
		if (mb_conn_write(s->conn, "DATA\r\n", 6, err) < 0)
			goto out;
	}
	if (mb_conn_flush(s->conn, err) < 0)
		goto out;
	if (rset && read_reply(s, &r, s->to.mail, err) < 0)
		goto out;
	if (read_reply(s, &r, s->to.mail, err) < 0)
		goto out;
	if (r.code / 100 != 2)
		result_final(res, MB_SMTP_MAIL, &r);
	else
		res->phase = MB_SMTP_RCPT;
	s->phase = MB_SMTP_RCPT;
	for (i = 0; i < env->nto; i++) {
		if (!pipe) {
			if (res->phase == MB_SMTP_MAIL)
				break; /* MAIL refused: no RCPT without pipelining */
			if (mb_conn_printf(s->conn, err, "RCPT TO:<%s>\r\n", env->to[i]) < 0 ||
			    mb_conn_flush(s->conn, err) < 0)
				goto out;
		}
		if (read_reply(s, &r, s->to.rcpt, err) < 0)
			goto out;
		record_rcpt(res, i, env->to[i], &r);
	}
	if (res->phase == MB_SMTP_RCPT && res->naccepted == 0) {
		result_final(res, MB_SMTP_RCPT, &r);
	} else if (res->phase == MB_SMTP_RCPT)
		res->phase = MB_SMTP_DATA;
	s->phase = MB_SMTP_DATA;
	if (!pipe) {
		if (res->phase != MB_SMTP_DATA) {
			rc = 0; /* nothing to send: the next transaction begins with RSET */
			goto out;
		}
		if (mb_conn_write(s->conn, "DATA\r\n", 6, err) < 0 ||
		    mb_conn_flush(s->conn, err) < 0)
			goto out;
	}
	if (read_reply(s, &r, s->to.data_init, err) < 0)
		goto out;
	rc = after_data_reply(s, &r, body, res, err);
out:
	mb_smtp_reply_release(&r);
	return rc;
}

int
mb_smtp_send(struct mb_smtp *s, const struct mb_smtp_envelope *env, const char *msg, size_t len,
             struct mb_smtp_result *res, struct mb_error *err)
{
	struct mb_buf body = MB_BUF_INIT;
	bool utf8 = false, eightbit = false;
	int rc;

	memset(res, 0, sizeof *res);
	res->phase = MB_SMTP_MAIL;
	if (precheck(s, env, msg, len, &utf8, &eightbit, err) < 0)
		return -1;
	mb_smtp_stuff(msg, len, &body);
	if (s->caps.size_max > 0 && body.len > s->caps.size_max) {
		mb_error_set(err, MB_ERR_TOOBIG,
		             "the message is %zu bytes and '%s' accepts at most %llu (SIZE): not "
		             "sent",
		             body.len, s->host, (unsigned long long)s->caps.size_max);
		mb_buf_release(&body);
		return -1;
	}
	rc = transaction(s, env, &body, utf8, eightbit, res, err);
	mb_buf_release(&body);
	if (rc < 0)
		res->phase = s->phase;
	return rc;
}

void
mb_smtp_quit(struct mb_smtp *s)
{
	struct mb_smtp_reply r;
	struct mb_error err = MB_ERROR_INIT;

	if (mb_conn_error(s->conn)->kind != MB_OK)
		return;
	s->phase = MB_SMTP_QUIT;
	mb_smtp_reply_init(&r);
	if (mb_conn_printf(s->conn, &err, "QUIT\r\n") == 0 && mb_conn_flush(s->conn, &err) == 0)
		read_reply(s, &r, 10, &err);
	mb_smtp_reply_release(&r);
}
