/*
 * reply.h: server replies and what they mean.
 *
 * SMTP reply lines are checked and assembled here (RFC 5321 section 4.2),
 * with enhanced status codes (RFC 3463) recognised; each protocol has an
 * annotator that gives a transcript line its code and a one-line meaning
 * for the reader: "550 5.1.1" is "mailbox unavailable — bad destination
 * mailbox address". No I/O: lines in, facts out (fuzzed).
 */
#ifndef MAILBENCH_REPLY_H
#define MAILBENCH_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/transcript.h"

/* Limits on one SMTP reply: a real server sends a few dozen lines. */
#define MB_SMTP_REPLY_MAX_LINES 1000
#define MB_SMTP_REPLY_MAX_BYTES (256 * 1024)

/*
 * One SMTP reply line: "250-SIZE 1000" or "250 ok" or "250". Returns 0
 * with the code, whether it is the last line, and the text after the
 * separator; -1 when the line is not a reply line (a 3-digit code from 200
 * to 599, then ' ', '-' or the end).
 */
int mb_smtp_reply_line(const char *line, size_t len, int *code, bool *last, size_t *text_off);

/* A whole SMTP reply, assembled from its lines. */
struct mb_smtp_reply {
	int code;           /* 250 */
	char status[16];    /* "2.1.0" or "" */
	struct mb_buf text; /* the lines' texts (after the code), joined with '\n' */
	int nlines;
};

void mb_smtp_reply_init(struct mb_smtp_reply *r);
void mb_smtp_reply_release(struct mb_smtp_reply *r);
/*
 * Feed one line. Returns 1 when the reply is complete, 0 when more lines
 * are expected, -1 (MB_ERR_PROTO or MB_ERR_TOOBIG) when the line is not a
 * reply line, its code differs from the reply's first line, or the reply
 * is over its limits.
 */
int mb_smtp_reply_feed(struct mb_smtp_reply *r, const char *line, size_t len, struct mb_error *err);
/* The first line of the reply's text ("ok", "Ok: queued as 123") */
const char *mb_smtp_reply_first(const struct mb_smtp_reply *r, size_t *len);

/* "5.1.1" at the start of text: copy it to out (16 bytes), return its length with the space. */
size_t mb_enhanced_status(const char *text, size_t len, char *out);

/* Meanings, one line each, or NULL when unknown. */
const char *mb_smtp_code_meaning(int code);
const char *mb_enhanced_meaning(const char *status);

/* What an EHLO keyword line ("SIZE 52428800") offers, with its RFC; NULL when unknown. */
const char *mb_smtp_ext_meaning(const char *line, size_t len);

/* Transcript annotators (see mb_annotate_fn in net.h). */
void mb_smtp_annotate(const char *text, size_t len, struct mb_tline *out);
void mb_pop3_annotate(const char *text, size_t len, struct mb_tline *out);
void mb_imap_annotate(const char *text, size_t len, struct mb_tline *out);

#endif
