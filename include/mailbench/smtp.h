/*
 * smtp.h: an SMTP client session (RFC 5321) with ESMTP extensions:
 * STARTTLS (RFC 3207), AUTH PLAIN/LOGIN/CRAM-MD5 (RFC 4954), SIZE
 * (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), PIPELINING
 * (RFC 2920) and ENHANCEDSTATUSCODES (RFC 2034).
 *
 * A session runs on one thread; mb_smtp_cancel() may be called from any.
 * Everything it says and hears goes to the connection's transcript sinks.
 *
 *     struct mb_smtp *s = mb_smtp_new(&opts);
 *     mb_smtp_add_sink(s, sink, ctx);
 *     if (mb_smtp_open(s, &err) < 0) ...        // connect, EHLO, STARTTLS, AUTH
 *     mb_smtp_send(s, &env, msg, len, &res, &err); // MAIL, RCPT..., DATA
 *     mb_smtp_send(s, &env2, ...);                 // RSET first, by itself
 *     mb_smtp_quit(s);
 *     mb_smtp_free(s);
 */
#ifndef MAILBENCH_SMTP_H
#define MAILBENCH_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/net.h"
#include "mailbench/transcript.h"

/* Where a session or a transaction stopped; named in failure cards. */
enum mb_smtp_phase {
	MB_SMTP_CONNECT = 0,
	MB_SMTP_GREETING,
	MB_SMTP_EHLO,
	MB_SMTP_STARTTLS, /* "TLS": STARTTLS or the implicit handshake */
	MB_SMTP_AUTH,
	MB_SMTP_MAIL,
	MB_SMTP_RCPT,
	MB_SMTP_DATA,
	MB_SMTP_BODY, /* the message and the final dot */
	MB_SMTP_QUIT,
	MB_SMTP_DONE,
};

const char *mb_smtp_phase_name(enum mb_smtp_phase p);

/* RFC 5321 section 4.5.3.2 timeouts, in seconds. */
struct mb_smtp_timeouts {
	int greeting;   /* 300 */
	int mail;       /* 300 */
	int rcpt;       /* 300 */
	int data_init;  /* 120 */
	int data_block; /* 180 */
	int data_end;   /* 600 */
};

struct mb_smtp_opts {
	const char *host;
	int port;
	enum mb_security security;
	const char *ehlo_name; /* NULL: the address literal of our end, "[127.0.0.1]" */
	const char *user;      /* NULL: no AUTH */
	const char *password;
	const char *auth_mech; /* NULL: the best the server offers */
	struct mb_conn_opts conn;
	int timeout; /* > 0: use it for every step instead of RFC 5321's */
};

struct mb_smtp_caps {
	bool esmtp; /* EHLO worked (else HELO) */
	bool pipelining, starttls, eightbitmime, smtputf8, enhanced, dsn, chunking, size;
	uint64_t size_max; /* 0: no limit announced */
	bool auth_plain, auth_login, auth_cram_md5;
	char auth_list[128]; /* as announced: "PLAIN LOGIN" */
	char *lines;         /* the EHLO reply's lines after the first, '\n'-separated */
};

struct mb_smtp_envelope {
	const char *from; /* "" for the null sender <> */
	const char *const *to;
	size_t nto;
};

struct mb_smtp_rcpt_result {
	char *addr;
	int code;
	char status[16];
	char *text;
};

struct mb_smtp_result {
	size_t naccepted, nrefused;
	struct mb_smtp_rcpt_result *rcpts; /* one per envelope recipient */
	size_t nrcpts;
	int code; /* the final reply (to the dot, or the one that failed) */
	char status[16];
	char *text;
	enum mb_smtp_phase phase; /* MB_SMTP_DONE when the server took the message */
	bool sent;                /* the server accepted the message (250 to the dot) */
	bool maybe_sent;          /* the whole message went out but no reply came back */
};

void mb_smtp_result_release(struct mb_smtp_result *r);

struct mb_smtp;

struct mb_smtp *mb_smtp_new(const struct mb_smtp_opts *opts);
void mb_smtp_free(struct mb_smtp *s);
void mb_smtp_add_sink(struct mb_smtp *s, mb_tsink_fn fn, void *ctx);
void mb_smtp_set_session_id(struct mb_smtp *s, uint64_t id);
struct mb_conn *mb_smtp_conn(struct mb_smtp *s);

/* Connect, greeting, EHLO, STARTTLS (+ EHLO again), AUTH. */
int mb_smtp_open(struct mb_smtp *s, struct mb_error *err);
const struct mb_smtp_caps *mb_smtp_caps(const struct mb_smtp *s);
/* Where the session failed (when open or send returned -1). */
enum mb_smtp_phase mb_smtp_phase(const struct mb_smtp *s);
/* The last reply read: code, and its first line of text. */
int mb_smtp_last_code(const struct mb_smtp *s);
const char *mb_smtp_last_text(const struct mb_smtp *s);

/*
 * Send one message: (RSET,) MAIL FROM, RCPT TO for each recipient, DATA,
 * the message (CRLF-normalised and dot-stuffed here, exactly once), the
 * final dot. Pipelined when the server offers PIPELINING. Returns 0 when
 * the transaction ran to its end (res says who accepted; res->sent whether
 * the server took the message), -1 when the session failed (err; the
 * connection is no longer usable).
 */
int mb_smtp_send(struct mb_smtp *s, const struct mb_smtp_envelope *env, const char *msg, size_t len,
                 struct mb_smtp_result *res, struct mb_error *err);

/* QUIT and wait for the 221 (briefly). */
void mb_smtp_quit(struct mb_smtp *s);
/* From any thread. */
void mb_smtp_cancel(struct mb_smtp *s);

/* True when the message holds bytes over 127 (needs 8BITMIME). */
bool mb_smtp_is_8bit(const char *msg, size_t len);

/*
 * Dot-stuff and CRLF-normalise a message body for DATA, appending to out
 * (no final dot). Bare CR and bare LF both become CRLF; a line starting
 * with '.' gets one more; a missing final line end is added.
 */
void mb_smtp_stuff(const char *msg, size_t len, struct mb_buf *out);

#endif
