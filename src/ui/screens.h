/*
 * screens.h: what the compose, console and outbox screens share among
 * themselves (the frame's API is private.h): the send job that compose and
 * the outbox's retry both start, the multi-line body editor of compose,
 * and the raw console's link between the screen and its network job.
 */
#ifndef MAILBENCH_UI_SCREENS_H
#define MAILBENCH_UI_SCREENS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/config.h"
#include "mailbench/net.h"
#include "ui/private.h"

/* ---- sending an outbox row (send_job.c) -------------------------------------------------- */

/*
 * Send outbox row outbox_id with acct in a job: the password first (a
 * masked prompt when the account has none), then mb_send_outbox() on a
 * worker thread while the transcript pane streams the session; when it
 * ends, the status bar says how it went and, with envelope, the envelope
 * view of the row opens (once the session got as far as the recipients).
 * confirmed: the user agreed to resend a message whose last attempt's fate
 * is unknown.
 */
void ui_send_outbox_start(struct ui *ui, const struct mb_account *acct, int64_t outbox_id,
                          bool confirmed, bool envelope);

/* ---- the body editor of compose (body.c) ------------------------------------------------- */

/*
 * Lines of UTF-8 text without control characters other than TAB, a cursor
 * (line, byte offset at a character boundary) and a scroll position. Long
 * lines wrap on screen at character boundaries; TAB shows as spaces to the
 * next multiple of 8 columns.
 */
struct ui_body {
	struct mb_buf *lines;
	size_t n, cap;
	size_t line, col;    /* the cursor */
	size_t top, top_row; /* the first row shown: row top_row of line top */
	int goal;            /* the column Up/Down aim for, -1: the cursor's */
	int width, page;     /* of the last draw */
	bool changed;        /* edited since the flag was last cleared */
};

void ui_body_init(struct ui_body *b, const char *text);
void ui_body_release(struct ui_body *b);
/* Replace the text (cleaned: CR LF to LF, controls and invisible characters dropped). */
void ui_body_set(struct ui_body *b, const char *text, size_t len);
/* The text, lines joined with LF (a final LF when the last line is not empty). */
void ui_body_text(const struct ui_body *b, struct mb_buf *out);
/* True when every line is empty. */
bool ui_body_empty(const struct ui_body *b);
/* An editing key: UI_DIRTY when it did something, UI_PASS when it is not one. */
int ui_body_key(struct ui_body *b, int key);
/* Draw in h rows of width columns at (y, x); places the cursor when focused. */
void ui_body_draw(struct ui *ui, struct ui_body *b, WINDOW *w, int y, int x, int h, int width,
                  bool focused);

/* ---- the raw console's command queue (console_job.c) ------------------------------------- */

enum console_cmd_kind {
	CONSOLE_LINE = 0, /* send text + CRLF */
	CONSOLE_AUTH,     /* log in with user and password (AUTH PLAIN, USER/PASS, LOGIN) */
};

struct console_cmd {
	enum console_cmd_kind kind;
	char *text;      /* the line (CONSOLE_LINE), the IMAP tag (CONSOLE_AUTH) */
	char *user, *pw; /* CONSOLE_AUTH; pw NULL or "": the account's own */
	struct console_cmd *next;
};

/*
 * What the console screen and its job share: a queue of commands the
 * screen appends to (under mu) and the job takes from, woken by a byte on
 * pipe[1]. Reference counted: the screen and the job each hold one, so
 * either may go first.
 */
struct console_link {
	pthread_mutex_t mu;
	int pipe[2];
	struct console_cmd *head, *tail;
	int refs;
	/* set before the job starts, read-only after */
	const struct mb_account *acct;
	enum mb_proto proto;
	char *host;
	int port;
	enum mb_security security;
	char *cache_path;
};

struct console_link *console_link_new(void);
/* Drop a reference; the last one frees the link and the commands left in it. */
void console_link_unref(struct console_link *l);
/* Queue a command (taken over) and wake the job. */
void console_link_push(struct console_link *l, struct console_cmd *c);
/* The job: the commands queued so far, oldest first (the caller frees them). */
struct console_cmd *console_link_take(struct console_link *l);
void console_cmd_free(struct console_cmd *c);
/* The job's function (arg: the link, with a reference for the job). */
void console_job_main(struct mb_job *job, void *arg);

/* ---- where a console session stands (console_proto.c) ------------------------------------ */

enum console_pstate {
	CP_CONNECTING = 0,
	CP_GREETED,   /* SMTP: EHLO next; POP3: authorization; IMAP: not authenticated */
	CP_HELLO,     /* SMTP: after EHLO; POP3: after USER */
	CP_TLS_AGAIN, /* TLS is on: EHLO / CAPA / CAPABILITY again */
	CP_MAIL,
	CP_RCPT,
	CP_DATA,
	CP_QUEUED,
	CP_AUTHED, /* POP3: transaction; IMAP: authenticated */
	CP_SELECTED,
	CP_QUIT,
};

struct console_proto {
	enum mb_proto proto;
	enum console_pstate ps;
	char verb[32]; /* the last command's verb (IMAP: the word after the tag) */
	bool refused;  /* the last reply refused it */
	bool data;     /* SMTP: between 354 and the lone dot: lines are message data */
	bool tls, starttls_offered, auth_offered, authed, ehlo_reply;
	int tag; /* IMAP: the suggested next tag is "a<tag>" */
};

void console_proto_reset(struct console_proto *p, enum mb_proto proto, bool tls);
/* A transcript line of the session (client, server or TLS). */
void console_proto_line(struct console_proto *p, const struct mb_event *ev);
/* The user sent line (before it shows in the transcript): the lone dot, the IMAP tag. */
void console_proto_sent(struct console_proto *p, const char *line);
/* The hint line for what is typed so far (input). */
void console_proto_hint(const struct console_proto *p, const char *input, struct mb_buf *out);

#endif
