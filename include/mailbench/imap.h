/*
 * imap.h: an IMAP client session (RFC 3501), spoken by libetpan over a
 * mailbench connection (net.h): TLS, verification, limits, deadline, cancel
 * and the transcript tap stay mailbench's. Extensions used: STARTTLS,
 * SASL-IR with AUTHENTICATE PLAIN, CONDSTORE (RFC 7162), IDLE (RFC 2177).
 *
 * Message bodies never sit in libetpan's memory: they stream through a
 * body handler into a buffer of ours, capped at MB_NET_LITERAL_MAX (a larger
 * literal is refused by the tap before anything is allocated), and each
 * message is handed to a callback as soon as its FETCH response is parsed.
 * Duplicate or descending UIDs within a response are a server error.
 *
 *     struct mb_imap *i = mb_imap_new(&opts);
 *     mb_imap_open(i, &err);                      // greeting, STARTTLS, LOGIN
 *     mb_imap_select(i, "INBOX", &sel, &err);
 *     mb_imap_fetch(i, "5:*", MB_IMAP_FETCH_BODY, 0, on_msg, ctx, &err);
 *     mb_imap_logout(i);
 *     mb_imap_free(i);
 */
#ifndef MAILBENCH_IMAP_H
#define MAILBENCH_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/config.h"
#include "mailbench/error.h"
#include "mailbench/net.h"

struct mb_imap_opts {
	const char *host;
	int port;
	enum mb_security security;
	const char *user;
	const char *password;
	const char
	        *auth; /* "login", "plain" or NULL: PLAIN with SASL-IR when offered, else LOGIN */
	struct mb_conn_opts conn;
	int timeout; /* seconds per command; 0: 60 */
};

struct mb_imap_mailbox {
	char *name;     /* as on the server (modified UTF-7) */
	char *display;  /* decoded UTF-8 */
	char delimiter; /* 0 when flat */
	bool noselect;
};

struct mb_imap_select {
	uint32_t uidvalidity, uidnext, exists;
	uint64_t highestmodseq; /* 0: no CONDSTORE for this mailbox */
};

/* MB_FLAG_* of store.h, as the server's flags */
struct mb_imap_msg {
	uint32_t uid;
	unsigned flags;
	uint64_t size;        /* RFC822.SIZE */
	int64_t internaldate; /* unix time, 0 if not asked */
	uint64_t modseq;      /* 0 if none */
	const char *body;     /* BODY[] when asked: the message as the server has it */
	size_t body_len;
	bool has_body;
};

enum mb_imap_fetch_what {
	MB_IMAP_FETCH_FLAGS = 0, /* UID FLAGS (MODSEQ) */
	MB_IMAP_FETCH_BODY = 1,  /* UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[] (MODSEQ) */
};

typedef int (*mb_imap_msg_fn)(const struct mb_imap_msg *m, void *ctx, struct mb_error *err);

struct mb_imap;

struct mb_imap *mb_imap_new(const struct mb_imap_opts *opts);
void mb_imap_free(struct mb_imap *i);
void mb_imap_add_sink(struct mb_imap *i, mb_tsink_fn fn, void *ctx);
void mb_imap_set_session_id(struct mb_imap *i, uint64_t id);
struct mb_conn *mb_imap_conn(struct mb_imap *i);
void mb_imap_cancel(struct mb_imap *i);

/* Connect, greeting (PREAUTH refused when TLS is required), STARTTLS, login, CAPABILITY. */
int mb_imap_open(struct mb_imap *i, struct mb_error *err);
/* Has the server announced this capability ("CONDSTORE", "IDLE")? */
bool mb_imap_has(struct mb_imap *i, const char *cap);

/* Every mailbox (LIST "" "*"); free with mb_imap_mailboxes_free(). */
int mb_imap_list(struct mb_imap *i, struct mb_imap_mailbox **v, size_t *n, struct mb_error *err);
void mb_imap_mailboxes_free(struct mb_imap_mailbox *v, size_t n);

/* SELECT (with CONDSTORE when the server has it). */
int mb_imap_select(struct mb_imap *i, const char *mailbox, struct mb_imap_select *out,
                   struct mb_error *err);

/*
 * UID FETCH set: each message to fn in the server's order (UIDs must
 * ascend). changedsince > 0 adds (CHANGEDSINCE n) (CONDSTORE).
 */
int mb_imap_fetch(struct mb_imap *i, const char *uidset, enum mb_imap_fetch_what what,
                  uint64_t changedsince, mb_imap_msg_fn fn, void *ctx, struct mb_error *err);

/* Every UID of the selected mailbox, ascending (UID SEARCH ALL); free(*uids). */
int mb_imap_uids(struct mb_imap *i, uint32_t **uids, size_t *n, struct mb_error *err);

/* UID STORE uid +FLAGS.SILENT / -FLAGS.SILENT (MB_FLAG_* bits). */
int mb_imap_store(struct mb_imap *i, uint32_t uid, unsigned add, unsigned remove,
                  struct mb_error *err);

/*
 * IDLE for at most seconds: returns 1 when the server reported a change
 * (EXISTS, EXPUNGE, FETCH), 0 on timeout, -1 on error or cancel.
 */
int mb_imap_idle(struct mb_imap *i, int seconds, struct mb_error *err);

/* LOGOUT (briefly); the connection stays for mb_imap_free(). */
void mb_imap_logout(struct mb_imap *i);

#endif
