/*
 * pop3.h: a POP3 client session (RFC 1939) with CAPA (RFC 2449), STLS
 * (RFC 2595), UIDL, TOP, APOP, AUTH PLAIN (RFC 5034) and PIPELINING.
 *
 * Written on src/net's connection: RETR can be pipelined (libetpan's
 * mailpop3 cannot), message data is read line by line under a size limit,
 * and every byte passes the transcript tap (PASS and APOP masked, message
 * data summarised).
 *
 *     struct mb_pop3 *p = mb_pop3_new(&opts);
 *     mb_pop3_open(p, &err);               // greeting, CAPA, STLS, login
 *     mb_pop3_list(p, &msgs, &n, &err);    // LIST + UIDL
 *     mb_pop3_retr(p, nums, k, on_message, ctx, &err);
 *     mb_pop3_dele(p, num, &err);          // takes effect at QUIT only
 *     mb_pop3_quit(p, &err);
 *     mb_pop3_free(p);
 */
#ifndef MAILBENCH_POP3_H
#define MAILBENCH_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/net.h"

/* The largest message mailbench accepts (bigger ones are refused, not truncated). */
#define MB_POP3_MESSAGE_MAX MB_NET_LITERAL_MAX

struct mb_pop3_opts {
	const char *host;
	int port;
	enum mb_security security;
	const char *user;
	const char *password;
	bool no_apop; /* never use APOP even when offered */
	struct mb_conn_opts conn;
	int timeout;  /* seconds per command; 0: 60 */
	int pipeline; /* RETRs in flight with PIPELINING; 0: 32 */
};

struct mb_pop3_caps {
	bool capa; /* the server answered CAPA */
	bool uidl, top, pipelining, stls, user, sasl_plain, resp_codes;
	char *lines;          /* CAPA's lines, '\n'-separated */
	char apop_stamp[256]; /* "<...>" from the greeting, "" if none */
};

struct mb_pop3_msg {
	uint32_t num;
	uint64_t size; /* as LIST says (octets, dot-stuffed, CRLF) */
	char uidl[72]; /* "" when the server has no UIDL */
};

struct mb_pop3;

struct mb_pop3 *mb_pop3_new(const struct mb_pop3_opts *opts);
void mb_pop3_free(struct mb_pop3 *p);
void mb_pop3_add_sink(struct mb_pop3 *p, mb_tsink_fn fn, void *ctx);
void mb_pop3_set_session_id(struct mb_pop3 *p, uint64_t id);
struct mb_conn *mb_pop3_conn(struct mb_pop3 *p);
void mb_pop3_cancel(struct mb_pop3 *p);

/* Connect, greeting, CAPA, STLS (+ CAPA again), APOP or USER/PASS or AUTH PLAIN. */
int mb_pop3_open(struct mb_pop3 *p, struct mb_error *err);
const struct mb_pop3_caps *mb_pop3_caps(const struct mb_pop3 *p);

int mb_pop3_stat(struct mb_pop3 *p, uint32_t *count, uint64_t *size, struct mb_error *err);
/*
 * Every message: LIST, then UIDL when the server has it. Duplicate or empty
 * UIDLs make the UIDLs unusable: they are cleared and the transcript says
 * so. Free *msgs with free().
 */
int mb_pop3_list(struct mb_pop3 *p, struct mb_pop3_msg **msgs, size_t *n, struct mb_error *err);

/*
 * Called with each message retrieved: its number, and its bytes as stored
 * (dot-unstuffed, CRLF line ends) in data, which the callback may take
 * (mb_buf_detach) rather than copy. Return 0 to go on, -1 (with err set) to
 * stop the session.
 */
typedef int (*mb_pop3_msg_fn)(uint32_t num, struct mb_buf *data, void *ctx, struct mb_error *err);

/* RETR each message in nums, pipelined when the server allows it. */
int mb_pop3_retr(struct mb_pop3 *p, const uint32_t *nums, size_t n, mb_pop3_msg_fn fn, void *ctx,
                 struct mb_error *err);
/* TOP num lines: the headers and the first lines of the body. */
int mb_pop3_top(struct mb_pop3 *p, uint32_t num, unsigned lines, struct mb_buf *out,
                struct mb_error *err);
/* Mark a message deleted; the server removes it when QUIT succeeds. */
int mb_pop3_dele(struct mb_pop3 *p, uint32_t num, struct mb_error *err);
/* QUIT: the server commits deletions (UPDATE state). */
int mb_pop3_quit(struct mb_pop3 *p, struct mb_error *err);

/* --- parsers, public for tests and fuzzing (no I/O) --- */

/* CAPA's lines (CRLF-separated, no final ".") into c. */
void mb_pop3_parse_capa(struct mb_pop3_caps *c, const char *text, size_t len);
/*
 * LIST lines ("N SIZE", uidl false: appended to *msgs) or UIDL lines ("N ID",
 * uidl true: matched to *msgs by number). Returns 0, 1 when a UIDL line is
 * malformed (UIDLs are then unusable), -1 on a malformed LIST.
 */
int mb_pop3_parse_listing(const char *text, size_t len, struct mb_pop3_msg **msgs, size_t *n,
                          bool uidl, struct mb_error *err);

#endif
