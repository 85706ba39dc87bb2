/*
 * console.h: the raw console screen's state, shared by screen_console.c
 * (the session: its transcript view, input line, keys) and console_form.c
 * (the form that chooses account, protocol, host, port and security).
 */
#ifndef MAILBENCH_UI_CONSOLE_H
#define MAILBENCH_UI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/screens.h"

enum cstate { C_SETUP = 0, C_RUNNING, C_ENDED };

enum ffield { FF_ACCOUNT = 0, FF_PROTO, FF_HOST, FF_PORT, FF_SECURITY, FF_N };

struct cline {
	enum mb_tdir dir;
	int code, rtt_ms, flags;
	int64_t ts_us;
	char *text, *meaning; /* sanitised */
};

struct console {
	struct ui *ui;
	struct ui_screen *s;
	enum cstate state;
	/* the form */
	const struct mb_account **accts;
	size_t nacct, acct_i;
	enum mb_proto proto;
	enum mb_security sec;
	struct ui_edit host, port;
	int ff;
	/* the session */
	struct console_link *link;
	uint64_t job_id;
	struct ui_edit input;
	struct cline *lines; /* a ring of LINES_MAX: n lines from start */
	size_t start, n, top;
	bool follow;
	int page;
	struct mb_job *job; /* while running */
	struct console_proto pp;
	char *end_msg; /* why the session ended */
	char **hist;
	size_t nhist, hist_i;
};

extern const char *const console_proto_names[3]; /* "SMTP", "POP3", "IMAP" by enum mb_proto */
extern const char *const console_proto_keys[3];  /* "smtp", "pop3", "imap" */

/* console_form.c: the form */
/* Host, port and security from the account's endpoint for the protocol. */
void console_form_fill(struct console *c);
void console_form_draw(struct ui *ui, struct console *c, WINDOW *w, bool focused);
int console_form_key(struct console *c, int key);

/* screen_console.c: start the session the form describes. */
void console_connect(struct console *c);

#endif
