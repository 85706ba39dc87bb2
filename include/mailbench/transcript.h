/*
 * transcript.h: the protocol transcript, mailbench's heart.
 *
 * Every byte a session sends or receives goes through one tap (src/net/tap.c)
 * that cuts it into lines and turns each line into a struct mb_tline: who
 * spoke (client, server, or mailbench itself: info and tls), when, the text
 * of the line without its line end, and for server replies the code and a
 * one-line meaning. Secrets are masked and message bodies summarised at the
 * tap, before any sink sees a line, so nothing downstream (screen, cache,
 * export) can leak a password.
 *
 * Lines are handed to sinks synchronously, on the thread that runs the
 * session; a sink copies what it keeps (struct mb_tline's pointers are
 * borrowed and valid only during the call).
 *
 * The text is raw bytes from the network: sanitise it (sanitize.h) before it
 * reaches a terminal.
 */
#ifndef MAILBENCH_TRANSCRIPT_H
#define MAILBENCH_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

enum mb_tdir {
	MB_TDIR_CLIENT = 0, /* C: what mailbench sent */
	MB_TDIR_SERVER,     /* S: what the server sent */
	MB_TDIR_INFO,       /* mailbench's own notes: connecting, errors, summaries */
	MB_TDIR_TLS,        /* TLS boundaries, certificate and verification results */
};

enum mb_tflag {
	MB_TL_MASKED = 1 << 0,  /* a secret was replaced in this line */
	MB_TL_SUMMARY = 1 << 1, /* this line stands for data not shown (a body, a literal) */
	MB_TL_BODY = 1 << 2,    /* a line of message data, shown in full on request */
	MB_TL_CONT = 1 << 3,    /* a continuation line of a multi-line reply */
	MB_TL_NOCR = 1 << 4,    /* the line ended with a bare LF, not CRLF */
	MB_TL_PARTIAL = 1 << 5, /* the connection ended before the line did */
	MB_TL_TRUNC = 1 << 6,   /* the line was too long and is cut */
	MB_TL_WARN = 1 << 7,    /* a warning (e.g. TLS not verified) */
	MB_TL_ERROR = 1 << 8,   /* an error that ended or failed the session */
	MB_TL_LAST = 1 << 9,    /* the last line of a server reply */
	MB_TL_LITERAL = 1 << 10 /* an IMAP literal's summary */
};

struct mb_tline {
	uint64_t session; /* the session's id (set by the tap's owner), 0 if none */
	uint32_t seq;     /* line number within the session, from 1 */
	enum mb_tdir dir;
	int64_t ts_us; /* wall clock, microseconds since the epoch */
	const char *text;
	size_t len; /* text may hold any byte, NUL included */
	int code;   /* SMTP reply code; POP3 +OK 1 / -ERR 2; IMAP OK 1 NO 2 BAD 3 PREAUTH 4 BYE 5;
	               else 0 */
	const char *status;  /* enhanced status code "5.1.1", or NULL */
	const char *meaning; /* one-line meaning of the reply, or NULL */
	int rtt_ms;          /* last line of a reply: ms since its command was sent; else -1 */
	const char *
	        answers; /* last line of a reply: the command line it answers (as shown), or NULL */
	int flags;       /* enum mb_tflag */
};

typedef void (*mb_tsink_fn)(void *ctx, const struct mb_tline *line);

/* Short names: "C", "S", "*", "TLS" and "client", "server", "info", "tls". */
const char *mb_tdir_tag(enum mb_tdir dir);
const char *mb_tdir_name(enum mb_tdir dir);

#endif
