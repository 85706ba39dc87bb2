/*
 * net.h: connections for every protocol: plain TCP, implicit TLS and the
 * STARTTLS upgrade, with certificate and host name verification (GnuTLS),
 * limits libetpan does not enforce, deadlines, cancel, and the transcript
 * tap that every byte passes through.
 *
 * A connection belongs to one thread (the session's); only mb_conn_cancel()
 * may be called from another thread.
 *
 *     struct mb_conn *c = mb_conn_new(MB_PROTO_SMTP, &opts);
 *     mb_conn_add_sink(c, print_line, NULL);
 *     if (mb_conn_connect(c, "localhost", 587, &err) < 0) ...
 *     mb_conn_set_deadline(c, 300);           // this operation: 5 minutes
 *     mb_conn_read_line(c, &line, &err);      // "220 ..." without CRLF
 *     mb_conn_printf(c, "EHLO %s\r\n", name); // buffered
 *     mb_conn_flush(c, &err);
 *     ... STARTTLS, "220 go ahead" ...
 *     mb_conn_start_tls(c, &err);             // refuses pipelined bytes, verifies
 *     mb_conn_free(c);
 *
 * Lines read are limited to MB_NET_LINE_MAX bytes, IMAP literals to
 * MB_NET_LITERAL_MAX: beyond, the read fails with MB_ERR_TOOBIG. A
 * line cut off by the end of the connection is an error (MB_ERR_CONN),
 * never a short success.
 */
#ifndef MAILBENCH_NET_H
#define MAILBENCH_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/transcript.h"

#define MB_NET_LINE_MAX    (64 * 1024)
#define MB_NET_LITERAL_MAX (64 * 1024 * 1024)

enum mb_proto {
	MB_PROTO_SMTP = 0,
	MB_PROTO_POP3,
	MB_PROTO_IMAP,
	MB_PROTO_RAW, /* no framing knowledge: lines only */
};

struct mb_conn_opts {
	const char *ca_file; /* PEM file of trusted CAs; NULL: the system store */
	bool tls_verify;     /* false: connect anyway, warn in the transcript */
	bool show_data;      /* show message bodies and literals in full */
	const char *user;    /* shown in masked secrets: "<masked: user alice>" */
	int timeout;         /* seconds for connect and the TLS handshake; 0: 30 */
};

struct mb_conn;

struct mb_conn *mb_conn_new(enum mb_proto proto, const struct mb_conn_opts *opts);
/* Close (without any protocol goodbye) and free. NULL is fine. */
void mb_conn_free(struct mb_conn *c);

/* Transcript sinks: up to four; each sees every line (see transcript.h). */
void mb_conn_add_sink(struct mb_conn *c, mb_tsink_fn fn, void *ctx);
void mb_conn_set_session_id(struct mb_conn *c, uint64_t id);
/* Write an info line (or a tls line with MB_TDIR_TLS) into the transcript. */
void mb_conn_note(struct mb_conn *c, enum mb_tdir dir, int flags, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * The per-protocol annotator: called for each complete server line to fill
 * code, status, meaning and MB_TL_CONT/MB_TL_LAST (proto/reply.c has one
 * per protocol).
 */
typedef void (*mb_annotate_fn)(const char *text, size_t len, struct mb_tline *out);
void mb_conn_set_annotator(struct mb_conn *c, mb_annotate_fn fn);

/*
 * Connect to host:port (every address in turn), within opts.timeout,
 * cancellable. With tls, the TLS handshake and verification follow at once
 * (implicit TLS, e.g. 465/993/995).
 */
int mb_conn_connect(struct mb_conn *c, const char *host, int port, bool tls, struct mb_error *err);

/*
 * Upgrade to TLS after the server's go-ahead to STARTTLS/STLS. Fails, and
 * the session must end, when the server sent anything after its go-ahead
 * (STARTTLS injection, CVE-2020-15953 class) — including bytes an upper
 * layer buffered, given as upper_pending — when the handshake fails, when
 * the protocol version is below TLS 1.2, or when verification fails (unless
 * tls_verify is off, in which case a warning goes to the transcript).
 */
int mb_conn_start_tls(struct mb_conn *c, size_t upper_pending, struct mb_error *err);

bool mb_conn_is_tls(const struct mb_conn *c);
/* True when TLS is on and the certificate was verified. */
bool mb_conn_tls_verified(const struct mb_conn *c);
/* "TLS1.3 / TLS_AES_256_GCM_SHA384", or "" */
const char *mb_conn_tls_desc(const struct mb_conn *c);

/* The deadline for what follows: now + seconds (0: none). */
void mb_conn_set_deadline(struct mb_conn *c, int seconds);

/* Buffered writes; nothing is sent before mb_conn_flush(). */
int mb_conn_write(struct mb_conn *c, const void *data, size_t len, struct mb_error *err);
int mb_conn_printf(struct mb_conn *c, struct mb_error *err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int mb_conn_flush(struct mb_conn *c, struct mb_error *err);

/*
 * Read one line: out receives it without its CRLF (a bare LF is accepted
 * and flagged in the transcript; *bare_lf tells the caller when not NULL).
 */
int mb_conn_read_line(struct mb_conn *c, struct mb_buf *out, bool *bare_lf, struct mb_error *err);
/* The same with another length limit (message data: a 10 MB line is legal there). */
int mb_conn_read_line_max(struct mb_conn *c, struct mb_buf *out, size_t max, bool *bare_lf,
                          struct mb_error *err);
/*
 * Read a dot-terminated block (a POP3 multi-line response, RFC 1939 section 3) into out:
 * lines with CRLF, a leading dot taken off each line that has one, the final "." consumed
 * and not stored. Whole runs of lines are copied at once, not line by line. Every line
 * must end in CRLF (a bare LF is MB_ERR_PROTO); more than max bytes in out is
 * MB_ERR_PROTO "server sent more than MAX bytes in one response: refused".
 */
int mb_conn_read_dotted(struct mb_conn *c, struct mb_buf *out, size_t max, struct mb_error *err);
/* Read exactly n bytes (an IMAP literal). */
int mb_conn_read_exact(struct mb_conn *c, struct mb_buf *out, size_t n, struct mb_error *err);
/*
 * Wait until the server sends something, at most ms milliseconds: 1 when
 * data is there, 0 when the time passed, -1 on error or cancel.
 */
int mb_conn_wait(struct mb_conn *c, int ms, struct mb_error *err);
/* Bytes received and not yet consumed. */
size_t mb_conn_pending(const struct mb_conn *c);

/* What mb_conn_poll() found ready (a mask). */
enum {
	MB_CONN_READY_LINE = 1 << 0, /* a whole line, or the end of the connection, can be read */
	MB_CONN_READY_FD = 1 << 1,   /* the other descriptor is readable */
};

/*
 * For interactive sessions (the raw console), where the server may speak
 * at any time: wait at most timeout_ms (-1: no limit) until a whole line
 * is received (mb_conn_read_line() then returns it at once), the
 * connection ended or failed (the next read says so), or fd (-1: none)
 * becomes readable. Bytes that arrive meanwhile are received and go
 * through the tap. Returns the ready mask, 0 when the time is up, -1 when
 * cancelled (MB_ERR_CANCEL) or when poll() fails (MB_ERR_IO).
 */
int mb_conn_poll(struct mb_conn *c, int fd, int timeout_ms, struct mb_error *err);

/* Cancel whatever the connection is doing, from any thread. */
void mb_conn_cancel(struct mb_conn *c);
bool mb_conn_cancelled(const struct mb_conn *c);

/*
 * The first error the connection met (a cap, the deadline, a reset),
 * for callers that go through libetpan and only see "stream error".
 */
const struct mb_error *mb_conn_error(const struct mb_conn *c);

/* Counters for summaries and benchmarks. */
uint64_t mb_conn_bytes_in(const struct mb_conn *c);
uint64_t mb_conn_bytes_out(const struct mb_conn *c);

/* The peer address we are connected to, "127.0.0.1:10587" */
const char *mb_conn_peer(const struct mb_conn *c);
/* Our end's address, without the port: "127.0.0.1" or "::1" ("" before connecting). */
const char *mb_conn_local(const struct mb_conn *c);

#endif
