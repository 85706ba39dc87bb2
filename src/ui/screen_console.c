/*
 * screen_console.c: the raw protocol console (R). First a short form:
 * account, protocol (SMTP, POP3, IMAP), host, port and security (none,
 * starttls, tls: the account's, overridable); then the session itself: a
 * transcript view of the conversation (C:/S: lines, each reply with its
 * meaning and round trip, TLS lines, secrets masked) with an input line at
 * the bottom. What the user types goes out with CRLF, as with `ncat -C`;
 * a hint line above the input suggests the legal next commands, worked out
 * from the replies seen so far. After SMTP's 354 the console is in DATA
 * mode: a line starting with '.' is sent dot-stuffed ("..line", shown so)
 * and a lone '.' ends the message. STARTTLS/STLS work (console_job.c), and
 * ^P logs in (AUTH PLAIN, or IMAP LOGIN) with the base64 done for you.
 * The network runs in a job (console_job.c); Esc or Ctrl-C closes the
 * connection, Esc again leaves. The form is in console_form.c, the hints
 * in console_proto.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/console.h"

#define LINES_MAX 5000 /* lines kept in the console's view */
#define HIST_MAX  100

static const struct ui_keydoc form_keys[] = {
        {"↓ ↑ Tab", "next / previous field"},
        {"F1", "this help (? is a character in Host and Port)"},
        {"← →", "change the account, the protocol, the security"},
        {"Enter", "connect"},
        {"q Esc", "back"},
        {NULL, NULL},
};

static const struct ui_keydoc session_keys[] = {
        {"F1", "this help (? is a character in the input line)"},
        {"Enter", "send the line with CRLF (an empty line too)"},
        {"↑ ↓", "earlier commands (history)"},
        {"PgUp PgDn", "scroll the conversation; PgDn at the end follows it again"},
        {"^P", "log in: asks user and password, sends AUTH PLAIN (IMAP: LOGIN); masked"},
        {"DATA mode", "after 354: lines starting with '.' are sent as '..' (dot-stuffed), "
                      "a lone '.' ends the message"},
        {"Esc  Ctrl-C", "close the connection; Esc again leaves the console"},
        {"Enter (closed)", "back to the form, to connect again"},
        {"Fields", "← → Home End, ^A ^E ^U ^K ^W as in prompts"},
        {NULL, NULL},
};

/* ---- the session: lines and state ------------------------------------------------------- */

/* Line i of the view (0: the oldest kept). */
static struct cline *
line_at(struct console *c, size_t i)
{
	return &c->lines[(c->start + i) % LINES_MAX];
}

static void
lines_clear(struct console *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(line_at(c, i)->text);
		free(line_at(c, i)->meaning);
	}
	free(c->lines);
	c->lines = NULL;
	c->n = c->top = c->start = 0;
}

static void
add_line(struct console *c, const struct mb_event *ev)
{
	struct cline *l;

	if (c->lines == NULL)
		c->lines = xcalloc(LINES_MAX, sizeof *c->lines);
	if (c->n == LINES_MAX) {
		/* a ring: the oldest line goes */
		free(line_at(c, 0)->text);
		free(line_at(c, 0)->meaning);
		c->start = (c->start + 1) % LINES_MAX;
		c->n--;
		if (c->top > 0)
			c->top--;
	}
	l = line_at(c, c->n++);
	memset(l, 0, sizeof *l);
	l->dir = ev->tline.dir;
	l->code = ev->tline.code;
	l->rtt_ms = ev->tline.rtt_ms;
	l->flags = ev->tline.flags;
	l->ts_us = ev->tline.ts_us;
	{
		struct mb_buf b = MB_BUF_INIT;

		mb_sanitize_add(&b, ev->tline.text, ev->tline.len, MB_SANITIZE_LINE);
		l->text = mb_buf_detach(&b, NULL);
	}
	l->meaning = ev->tline.meaning ? mb_sanitize(ev->tline.meaning, MB_SANITIZE_LINE) : NULL;
}

/* ---- drawing the session ---------------------------------------------------------------- */

static void
render(struct ui *ui, struct ui_doc *d, const struct cline *l, bool stamps)
{
	enum ui_elem e = ui_tline_elem(l->dir, l->flags, l->code);
	time_t t = (time_t)(l->ts_us / 1000000);
	struct tm tm;
	char ts[16];

	if (stamps) {
		localtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%H:%M:%S ", &tm);
		ui_doc_adds(d, UI_E_T_TIME, ts);
	}
	ui_doc_indent(d, stamps ? 13 : 4);
	ui_doc_adds(d, e,
	            l->dir == MB_TDIR_CLIENT   ? "C: "
	            : l->dir == MB_TDIR_SERVER ? "S: "
	            : l->dir == MB_TDIR_TLS    ? "TLS "
	                                       : "*  ");
	ui_doc_adds(d, e, l->text);
	if (l->meaning != NULL || l->rtt_ms >= 0) {
		ui_doc_adds(d, UI_E_T_MEANING, ui_sym(ui, "  \xe2\x86\x90 ", "  <- "));
		if (l->meaning != NULL)
			ui_doc_adds(d, UI_E_T_MEANING, l->meaning);
		if (l->rtt_ms >= 0)
			ui_doc_addf(d, UI_E_T_MEANING, "%s(%d ms)", l->meaning ? " " : "",
			            l->rtt_ms);
	}
	if (l->flags & MB_TL_MASKED)
		ui_doc_adds(d, UI_E_T_MEANING, "  (secret masked)");
	ui_doc_newline(d);
}

static void
draw_session(struct ui *ui, struct console *c, WINDOW *w, bool focused)
{
	struct ui_doc d;
	struct mb_buf b = MB_BUF_INIT;
	const char *prompt;
	int h, wd, rows, pw;
	size_t first, i, rn;

	getmaxyx(w, h, wd);
	rows = h - 2;
	c->page = rows > 1 ? rows : 1;
	if (c->follow)
		c->top = c->n > (size_t)rows ? c->n - (size_t)rows : 0;
	first = c->top;
	ui_doc_init(&d);
	for (i = first; i < c->n && i < first + (size_t)rows; i++)
		render(ui, &d, line_at(c, i), wd >= 100);
	if (c->n == 0) {
		ui_doc_adds(&d, UI_E_DIM, "connecting...");
		ui_doc_newline(&d);
	}
	rn = ui_doc_rows(&d, wd - 1);
	if (c->follow && rn > (size_t)rows)
		d.top = rn - (size_t)rows;
	ui_doc_draw(ui, &d, w, 0, 0, rows, wd - 1);
	ui_doc_release(&d);
	/* the hint line */
	if (c->state == C_ENDED)
		mb_buf_addf(&b, "closed: %s. Enter: connect again, Esc: leave",
		            c->end_msg ? c->end_msg : "the connection ended");
	else
		console_proto_hint(&c->pp, c->input.text.data, &b);
	ui_set(ui, w, c->state == C_ENDED ? UI_E_WARN : c->pp.data ? UI_E_MATCH : UI_E_HINT);
	ui_fill(w, h - 2, 0, wd);
	ui_put_net(ui, w, h - 2, 0, b.data, wd);
	mb_buf_release(&b);
	/* the input line */
	ui_set(ui, w, UI_E_PROMPT);
	ui_fill(w, h - 1, 0, wd);
	if (c->state == C_ENDED) {
		ui_set(ui, w, UI_E_NORMAL);
		return;
	}
	prompt = c->pp.data ? "DATA> " : "C> ";
	pw = ui_puts(ui, w, h - 1, 0, prompt, wd);
	ui_edit_draw(ui, &c->input, w, h - 1, pw, wd - pw, UI_E_INPUT, focused);
}

static void
console_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct console *c = s->priv;

	if (c->state == C_SETUP)
		console_form_draw(ui, c, w, ui_screen_focused(ui, s));
	else
		draw_session(ui, c, w, ui_screen_focused(ui, s));
}

static void
console_title(struct ui_screen *s, struct ui *ui, struct mb_buf *out)
{
	struct console *c = s->priv;

	if (c->state == C_SETUP) {
		mb_buf_addstr(out, "Raw console");
		return;
	}
	mb_buf_addf(out, "Console %s %s:%d %s", console_proto_names[c->proto], c->link->host,
	            c->link->port, mb_security_name(c->sec));
	if (c->state == C_ENDED)
		mb_buf_addstr(out, " (closed)");
}

static const struct ui_keydoc *
console_keydoc(struct ui_screen *s)
{
	struct console *c = s->priv;

	return c->state == C_SETUP ? form_keys : session_keys;
}

/* ---- starting and ending the session ---------------------------------------------------- */

static void
session_done(struct ui *ui, void *ctx, const struct mb_event *ev)
{
	struct console *c = ctx;

	c->state = C_ENDED;
	c->job = NULL;
	c->pp.data = false;
	free(c->end_msg);
	if (ev->done.exit == 0)
		c->end_msg = xstrdup("the session ended");
	else
		c->end_msg = xstrdup(ev->done.err.msg[0] ? ev->done.err.msg : "it failed");
	if (ev->done.exit == 0)
		ui_msg(ui, "console: the session ended");
	ui_screen_dirty(ui, c->s);
}

static void
link_unref(void *l)
{
	console_link_unref(l);
}

void
console_connect(struct console *c)
{
	struct ui *ui = c->ui;
	struct ui_jobopts o = {.what = "console", .quiet = true, .done = session_done, .ctx = c};
	struct console_link *l;
	struct mb_job *job;
	long port = strtol(c->port.text.data, NULL, 10);

	if (c->host.text.len == 0 || port < 1 || port > 65535) {
		ui_error(ui, "cannot connect: %s",
		         c->host.text.len == 0 ? "no host"
		                               : "a port is 1 to "
		                                 "65535");
		return;
	}
	lines_clear(c);
	c->follow = true;
	console_proto_reset(&c->pp, c->proto, c->sec == MB_SEC_TLS);
	XFREE(c->end_msg);
	l = console_link_new();
	l->acct = c->accts[c->acct_i];
	l->proto = c->proto;
	l->host = xstrdup(c->host.text.data);
	l->port = (int)port;
	l->security = c->sec;
	l->cache_path = xstrdup(ui->cache_path);
	l->refs = 2; /* the screen's and the job's */
	console_link_unref(c->link);
	c->link = l;
	ui_set_account(ui, l->acct);
	job = ui_job_start(ui, &o, console_job_main, l, link_unref);
	c->job = job;
	c->job_id = mb_job_id(job);
	c->state = C_RUNNING;
	ui_edit_set(&c->input, c->proto == MB_PROTO_IMAP ? "a1 " : "");
}

static void
remember(struct console *c, const char *line)
{
	char v[16];
	size_t k = 0;
	const char *p = line;

	if (c->proto == MB_PROTO_IMAP)
		p += strcspn(p, " "), p += strspn(p, " ");
	while (p[k] != '\0' && p[k] != ' ' && k + 1 < sizeof v) {
		v[k] = (char)(p[k] >= 'a' && p[k] <= 'z' ? p[k] - 32 : p[k]);
		k++;
	}
	v[k] = '\0';
	/* commands that carry a secret are not kept */
	if (line[0] == '\0' || c->pp.data || strcmp(v, "PASS") == 0 || strcmp(v, "AUTH") == 0 ||
	    strcmp(v, "LOGIN") == 0 || strcmp(v, "AUTHENTICATE") == 0 || strcmp(v, "APOP") == 0)
		return;
	if (c->nhist == HIST_MAX) {
		free(c->hist[0]);
		memmove(c->hist, c->hist + 1, (HIST_MAX - 1) * sizeof *c->hist);
		c->nhist--;
	}
	c->hist = xreallocarray(c->hist, c->nhist + 1, sizeof *c->hist);
	c->hist[c->nhist++] = xstrdup(line);
}

static void
send_input(struct console *c)
{
	struct console_cmd *cmd = xcalloc(1, sizeof *cmd);
	const char *in = c->input.text.data;

	cmd->kind = CONSOLE_LINE;
	if (c->pp.data && in[0] == '.' && in[1] != '\0')
		cmd->text = xasprintf(".%s", in); /* dot-stuffing, RFC 5321 4.5.2 */
	else
		cmd->text = xstrdup(in);
	remember(c, in);
	c->hist_i = c->nhist;
	console_proto_sent(&c->pp, in);
	console_link_push(c->link, cmd);
	c->follow = true;
	if (c->proto == MB_PROTO_IMAP && !c->pp.data) {
		char tag[16];

		snprintf(tag, sizeof tag, "a%d ", c->pp.tag);
		ui_edit_set(&c->input, tag);
	} else {
		ui_edit_set(&c->input, "");
	}
}

/* ^P: user (prefilled), then the password (masked; empty: the account's own). */
struct login {
	struct console *c;
	char *user;
};

static void
login_pw(struct ui *ui, void *ctx, const char *pw)
{
	struct login *lg = ctx;
	struct console *c = lg->c;
	struct console_cmd *cmd;
	char tag[16];

	(void)ui;
	if (pw != NULL && c->state == C_RUNNING) {
		cmd = xcalloc(1, sizeof *cmd);
		cmd->kind = CONSOLE_AUTH;
		cmd->user = lg->user;
		lg->user = NULL;
		cmd->pw = xstrdup(pw);
		snprintf(tag, sizeof tag, "a%d", c->pp.tag);
		cmd->text = xstrdup(tag);
		if (c->proto == MB_PROTO_IMAP) {
			c->pp.tag++;
			snprintf(tag, sizeof tag, "a%d ", c->pp.tag);
			ui_edit_set(&c->input, tag);
		}
		console_link_push(c->link, cmd);
		ui_screen_dirty(ui, c->s);
	}
	free(lg->user);
	free(lg);
}

static void
login_user(struct ui *ui, void *ctx, const char *user)
{
	struct login *lg = ctx;

	if (user == NULL || user[0] == '\0') {
		free(lg);
		return;
	}
	lg->user = xstrdup(user);
	ui_prompt(ui, "Password (masked; empty: the account's own)", NULL, UI_PROMPT_MASK, login_pw,
	          NULL, lg);
}

static void
login(struct console *c)
{
	struct login *lg = xcalloc(1, sizeof *lg);
	const struct mb_account *a = c->accts[c->acct_i];

	lg->c = c;
	ui_prompt(c->ui, "Log in as", a->user ? a->user : "", 0, login_user, NULL, lg);
}

/* ---- keys ------------------------------------------------------------------------------- */

static int
session_key(struct console *c, int key)
{
	if (c->state == C_ENDED) {
		if (ui_key_is_enter(key)) {
			c->state = C_SETUP;
			return UI_ALL;
		}
		if (key == UI_K_PGUP || key == UI_K_PGDN)
			goto scroll;
		return key == UI_K_ESC ? UI_CLOSE : UI_PASS;
	}
	switch (key) {
	case UI_CTRL('p'):
		login(c);
		return UI_DONE;
	case UI_K_UP:
	case UI_K_DOWN:
		if (c->nhist == 0)
			return UI_DONE;
		if (key == UI_K_UP && c->hist_i > 0)
			c->hist_i--;
		else if (key == UI_K_DOWN && c->hist_i < c->nhist)
			c->hist_i++;
		ui_edit_set(&c->input, c->hist_i < c->nhist ? c->hist[c->hist_i] : "");
		return UI_DIRTY;
	case UI_K_PGUP:
	case UI_K_PGDN:
		goto scroll;
	case UI_K_ESC:
		return UI_CLOSE; /* only when no job runs: the frame cancels it first */
	default:
		break;
	}
	switch (ui_edit_key(&c->input, key)) {
	case UI_EDIT_ENTER:
		send_input(c);
		return UI_DIRTY;
	case UI_EDIT_PASS:
	case UI_EDIT_TAB:
		return UI_IS_FN(key) || key < 0x20 ? UI_PASS : UI_DONE;
	default:
		return UI_DIRTY;
	}
scroll:
	if (key == UI_K_PGUP) {
		if (c->follow)
			c->top = c->n > (size_t)c->page ? c->n - (size_t)c->page : 0;
		c->follow = false;
		c->top = c->top > (size_t)c->page ? c->top - (size_t)c->page : 0;
	} else if (!c->follow) {
		c->top += (size_t)c->page;
		if (c->top + (size_t)c->page >= c->n)
			c->follow = true;
	}
	return UI_DIRTY;
}

static int
console_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct console *c = s->priv;

	if (key == UI_FN(KEY_F(1))) {
		ui_help_open(ui); /* ? is a character in the fields */
		return UI_DONE;
	}
	return c->state == C_SETUP ? console_form_key(c, key) : session_key(c, key);
}

static void
console_event(struct ui_screen *s, struct ui *ui, const struct mb_event *ev)
{
	struct console *c = s->priv;

	if (c->state != C_RUNNING || ev->kind != MB_EV_TLINE || ev->job != c->job_id)
		return;
	add_line(c, ev);
	console_proto_line(&c->pp, ev);
	ui_screen_dirty(ui, s);
}

static void
console_free(struct ui_screen *s)
{
	struct console *c = s->priv;
	size_t i;

	ui_job_forget(c->ui, c);
	/* closing the console closes its connection (the job is alive until its end is seen) */
	if (c->state == C_RUNNING && c->job != NULL)
		mb_job_cancel(c->job);
	console_link_unref(c->link);
	lines_clear(c);
	for (i = 0; i < c->nhist; i++) {
		memset(c->hist[i], 0, strlen(c->hist[i]));
		free(c->hist[i]);
	}
	free(c->hist);
	ui_edit_release(&c->host);
	ui_edit_release(&c->port);
	ui_edit_release(&c->input);
	free(c->accts);
	free(c->end_msg);
	free(c);
}

static const struct ui_screen_ops console_ops = {
        .name = "Raw console",
        .hints = "F1:help",
        .nfocus = 1,
        .draw = console_draw,
        .key = console_key,
        .event = console_event,
        .title = console_title,
        .keydoc = console_keydoc,
        .free = console_free,
};

void
ui_console_open(struct ui *ui)
{
	struct console *c;
	size_t i;

	c = xcalloc(1, sizeof *c);
	c->ui = ui;
	c->accts = xcalloc(ui->cfg.naccounts + 1, sizeof *c->accts);
	for (i = 0; i < ui->cfg.naccounts; i++) {
		const struct mb_account *a = ui->cfg.accounts[i];

		if (a->smtp.host == NULL && a->pop3.host == NULL && a->imap.host == NULL)
			continue;
		if (a == ui->acct)
			c->acct_i = c->nacct;
		c->accts[c->nacct++] = a;
	}
	if (c->nacct == 0) {
		ui_error(ui, "no account with a server to talk to (see mailbench config)");
		free(c->accts);
		free(c);
		return;
	}
	ui_edit_init(&c->host, NULL);
	ui_edit_init(&c->port, NULL);
	c->port.max = 5;
	ui_edit_init(&c->input, NULL);
	c->proto = MB_PROTO_SMTP;
	console_form_fill(c);
	c->s = ui_screen_push(ui, &console_ops, c);
}
