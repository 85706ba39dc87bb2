/*
 * console_job.c: the network side of the raw protocol console. One job per
 * connection: it connects (implicit TLS when asked), then waits at once on
 * the server (mb_conn_poll: every line that arrives goes through the tap
 * to the transcript, annotated, secrets masked) and on the pipe through
 * which the console screen hands over what the user typed; each line goes
 * out with CRLF, as `ncat -C` does. When the user asked for STARTTLS (STLS
 * in POP3) and the server gives its go-ahead, the job starts TLS
 * (mb_conn_start_tls refuses bytes injected after the go-ahead); lines
 * typed meanwhile wait for the handshake. The session is stored in the
 * cache like any other (L lists it). Cancel (Esc, Ctrl-C, closing the
 * console) closes the connection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mailbench/base64.h"
#include "mailbench/cli.h"
#include "mailbench/reply.h"
#include "mailbench/tstore.h"
#include "mailbench/xalloc.h"
#include "ui/screens.h"

/* ---- the link between the screen and the job -------------------------------------------- */

struct console_link *
console_link_new(void)
{
	struct console_link *l = xcalloc(1, sizeof *l);

	pthread_mutex_init(&l->mu, NULL);
	if (pipe2(l->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("mailbench: pipe");
		abort();
	}
	l->refs = 1;
	return l;
}

void
console_cmd_free(struct console_cmd *c)
{
	if (c == NULL)
		return;
	free(c->text);
	free(c->user);
	if (c->pw != NULL)
		mb_password_free(c->pw);
	free(c);
}

void
console_link_unref(struct console_link *l)
{
	struct console_cmd *c, *next;
	int left;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	left = --l->refs;
	pthread_mutex_unlock(&l->mu);
	if (left > 0)
		return;
	for (c = l->head; c != NULL; c = next) {
		next = c->next;
		console_cmd_free(c);
	}
	close(l->pipe[0]);
	close(l->pipe[1]);
	pthread_mutex_destroy(&l->mu);
	free(l->host);
	free(l->cache_path);
	free(l);
}

void
console_link_push(struct console_link *l, struct console_cmd *c)
{
	ssize_t r;

	c->next = NULL;
	pthread_mutex_lock(&l->mu);
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	pthread_mutex_unlock(&l->mu);
	r = write(l->pipe[1], "c", 1);
	(void)r;
}

struct console_cmd *
console_link_take(struct console_link *l)
{
	struct console_cmd *c;
	char buf[64];
	int guard;

	for (guard = 0; guard < 1000 && read(l->pipe[0], buf, sizeof buf) > 0; guard++)
		;
	pthread_mutex_lock(&l->mu);
	c = l->head;
	l->head = l->tail = NULL;
	pthread_mutex_unlock(&l->mu);
	return c;
}

/* ---- the job ---------------------------------------------------------------------------- */

struct session {
	struct console_link *l;
	struct mb_conn *c;
	struct ui_work w;
	bool tls_asked;   /* STARTTLS/STLS sent, its reply not seen yet */
	char tls_tag[32]; /* IMAP: the tag of that STARTTLS */
	bool quit_sent;   /* QUIT/LOGOUT: the end of the connection is expected */
	struct console_cmd *held, **held_tail; /* typed while TLS was being set up */
};

static const char *
proto_name(enum mb_proto p)
{
	return p == MB_PROTO_POP3 ? "POP3" : p == MB_PROTO_IMAP ? "IMAP" : "SMTP";
}

/* The n-th word of a line (upper-cased, at most size-1 bytes), "" when there is none. */
static void
word(const char *line, int n, char *out, size_t size)
{
	size_t k = 0;

	while (n-- > 0) {
		line += strspn(line, " ");
		line += strcspn(line, " ");
	}
	line += strspn(line, " ");
	while (*line != '\0' && *line != ' ' && k + 1 < size)
		out[k++] = (char)(*line >= 'a' && *line <= 'z' ? *line - 32 : *line), line++;
	out[k] = '\0';
}

/* Note what a command means for the job: a STARTTLS to follow up, an expected end. */
static void
watch(struct session *ss, const char *line)
{
	char w0[32], w1[32];

	word(line, 0, w0, sizeof w0);
	word(line, 1, w1, sizeof w1);
	switch (ss->l->proto) {
	case MB_PROTO_SMTP:
		ss->tls_asked = strcmp(w0, "STARTTLS") == 0;
		ss->quit_sent |= strcmp(w0, "QUIT") == 0;
		break;
	case MB_PROTO_POP3:
		ss->tls_asked = strcmp(w0, "STLS") == 0;
		ss->quit_sent |= strcmp(w0, "QUIT") == 0;
		break;
	default:
		if (strcmp(w1, "STARTTLS") == 0) {
			ss->tls_asked = true;
			word(line, 0, ss->tls_tag, sizeof ss->tls_tag);
		}
		ss->quit_sent |= strcmp(w1, "LOGOUT") == 0;
		break;
	}
}

static int
send_line(struct session *ss, const char *text, struct mb_error *err)
{
	if (mb_conn_printf(ss->c, err, "%s\r\n", text) < 0 || mb_conn_flush(ss->c, err) < 0)
		return -1;
	watch(ss, text);
	return 0;
}

/* Quote a string for IMAP (RFC 3501 quoted: \ and " escaped). */
static void
imap_quote(struct mb_buf *b, const char *s)
{
	mb_buf_addch(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			mb_buf_addch(b, '\\');
		mb_buf_addch(b, *s);
	}
	mb_buf_addch(b, '"');
}

/* The login helper: AUTH PLAIN (SMTP, POP3) or LOGIN (IMAP), the tap masks it. */
static int
send_auth(struct session *ss, struct console_cmd *cmd, struct mb_error *err)
{
	struct mb_buf plain = MB_BUF_INIT, line = MB_BUF_INIT;
	struct mb_error perr = MB_ERROR_INIT;
	char *pw = NULL;
	int r;

	if (cmd->pw != NULL && cmd->pw[0] != '\0')
		pw = xstrdup(cmd->pw);
	else if (ui_work_password(ss->l->acct, NULL, &pw, &perr) < 0 || pw == NULL) {
		mb_conn_note(ss->c, MB_TDIR_INFO, MB_TL_WARN, "login helper: %s",
		             perr.msg[0] ? perr.msg : "no password for this account");
		return 0;
	}
	if (ss->l->proto == MB_PROTO_IMAP) {
		mb_conn_note(ss->c, MB_TDIR_INFO, 0,
		             "login helper: %s LOGIN with the user and the password as quoted "
		             "strings (masked below)",
		             cmd->text);
		mb_buf_addf(&line, "%s LOGIN ", cmd->text);
		imap_quote(&line, cmd->user);
		mb_buf_addch(&line, ' ');
		imap_quote(&line, pw);
	} else {
		mb_buf_addch(&plain, '\0');
		mb_buf_addstr(&plain, cmd->user);
		mb_buf_addch(&plain, '\0');
		mb_buf_addstr(&plain, pw);
		mb_conn_note(ss->c, MB_TDIR_INFO, 0,
		             "login helper: AUTH PLAIN sends base64(NUL \"%s\" NUL password) "
		             "(masked below)",
		             cmd->user);
		mb_buf_addstr(&line, "AUTH PLAIN ");
		mb_base64_encode(plain.data, plain.len, 0, &line);
	}
	r = send_line(ss, line.data, err);
	memset(line.data, 0, line.len);
	if (plain.cap)
		memset(plain.data, 0, plain.len);
	mb_buf_release(&line);
	mb_buf_release(&plain);
	mb_password_free(pw);
	return r;
}

static int
run_cmd(struct session *ss, struct console_cmd *cmd, struct mb_error *err)
{
	if (cmd->kind == CONSOLE_AUTH)
		return send_auth(ss, cmd, err);
	return send_line(ss, cmd->text, err);
}

/* Run the held commands in order, until one asks for TLS (the rest wait for it). */
static int
run_held(struct session *ss, struct mb_error *err)
{
	struct console_cmd *cmd;
	int r = 0;

	while (r == 0 && !ss->tls_asked && (cmd = ss->held) != NULL) {
		ss->held = cmd->next;
		if (ss->held == NULL)
			ss->held_tail = &ss->held;
		r = run_cmd(ss, cmd, err);
		console_cmd_free(cmd);
	}
	return r;
}

/* Take what the screen queued; lines typed while TLS is being set up wait for it. */
static int
take_cmds(struct session *ss, struct mb_error *err)
{
	struct console_cmd *cmd = console_link_take(ss->l), *next;

	for (; cmd != NULL; cmd = next) {
		next = cmd->next;
		cmd->next = NULL;
		*ss->held_tail = cmd;
		ss->held_tail = &cmd->next;
	}
	return run_held(ss, err);
}

/* A line from the server: is it the go-ahead (or the refusal) of our STARTTLS? */
static int
on_line(struct session *ss, const char *line, size_t len, struct mb_error *err)
{
	size_t tl = strlen(ss->tls_tag);
	bool go = false, done = false;

	if (!ss->tls_asked)
		return 0;
	switch (ss->l->proto) {
	case MB_PROTO_SMTP:
		if (len >= 3 && (len == 3 || line[3] != '-')) {
			done = true;
			go = strncmp(line, "220", 3) == 0;
		}
		break;
	case MB_PROTO_POP3:
		done = len >= 1 && (line[0] == '+' || line[0] == '-');
		go = len >= 3 && strncmp(line, "+OK", 3) == 0;
		break;
	default:
		if (tl > 0 && len > tl && strncasecmp(line, ss->tls_tag, tl) == 0 &&
		    line[tl] == ' ') {
			done = true;
			go = len >= tl + 3 && strncasecmp(line + tl + 1, "OK", 2) == 0;
		}
		break;
	}
	if (!done)
		return 0;
	ss->tls_asked = false;
	if (go && mb_conn_start_tls(ss->c, 0, err) < 0)
		return -1;
	if (go)
		mb_conn_note(ss->c, MB_TDIR_INFO, 0,
		             "TLS is on: the server forgets what was said before it (%s)",
		             ss->l->proto == MB_PROTO_SMTP   ? "say EHLO again"
		             : ss->l->proto == MB_PROTO_IMAP ? "ask CAPABILITY again"
		                                             : "CAPA again");
	return run_held(ss, err);
}

/* Read every whole line the server has sent. */
static int
read_lines(struct session *ss, struct mb_buf *line, struct mb_error *err)
{
	int guard;

	for (guard = 0; guard < 100000; guard++) {
		if (mb_conn_read_line(ss->c, line, NULL, err) < 0)
			return -1;
		if (on_line(ss, line->data, line->len, err) < 0)
			return -1;
		if (!(mb_conn_poll(ss->c, -1, 0, err) & MB_CONN_READY_LINE))
			return 0;
	}
	return 0;
}

static void
open_store(struct session *ss, struct mb_store **st, int64_t *sid, struct mb_tstore *ts)
{
	struct mb_session_in si = {0};
	struct mb_error err = MB_ERROR_INIT;
	const struct console_link *l = ss->l;

	*sid = 0;
	if (mb_store_open(st, l->cache_path, &err) < 0)
		return;
	si.account = l->acct->name;
	si.protocol = l->proto == MB_PROTO_POP3   ? MB_STORE_POP3
	              : l->proto == MB_PROTO_IMAP ? MB_STORE_IMAP
	                                          : MB_STORE_SMTP;
	si.host = l->host;
	si.port = l->port;
	si.security = mb_security_name(l->security);
	if (mb_store_session_begin(*st, &si, sid, &err) < 0)
		return;
	mb_tstore_init(ts, *st, *sid);
	mb_conn_add_sink(ss->c, mb_tstore_sink, ts);
	mb_conn_set_session_id(ss->c, (uint64_t)*sid);
}

void
console_job_main(struct mb_job *job, void *arg)
{
	struct session ss = {0};
	struct mb_conn_opts co = {0};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_buf line = MB_BUF_INIT;
	struct mb_store *st = NULL;
	struct mb_tstore ts = {0};
	const struct mb_account *a;
	int64_t sid = 0;
	int r = 0, ready, exit = 0;

	ss.l = arg;
	ss.held_tail = &ss.held;
	a = ss.l->acct;
	ui_work_init(&ss.w, job, proto_name(ss.l->proto));
	co.ca_file = a->ca_file;
	co.tls_verify = a->tls_verify;
	co.show_data = true; /* a console shows what is typed and read, data included */
	co.user = a->user;
	co.timeout = a->timeout;
	ss.c = mb_conn_new(ss.l->proto, &co);
	mb_conn_set_annotator(ss.c, ss.l->proto == MB_PROTO_POP3   ? mb_pop3_annotate
	                            : ss.l->proto == MB_PROTO_IMAP ? mb_imap_annotate
	                                                           : mb_smtp_annotate);
	mb_conn_add_sink(ss.c, ui_work_sink, &ss.w);
	open_store(&ss, &st, &sid, &ts);
	ui_work_on_conn(&ss.w, ss.c);
	mb_job_status(job, "console %s %s:%d", proto_name(ss.l->proto), ss.l->host, ss.l->port);
	if (mb_conn_connect(ss.c, ss.l->host, ss.l->port, ss.l->security == MB_SEC_TLS, &err) < 0)
		r = -1;
	mb_conn_set_deadline(ss.c, 0); /* a console waits for the user as long as it takes */
	while (r == 0) {
		ready = mb_conn_poll(ss.c, ss.l->pipe[0], -1, &err);
		if (ready < 0) {
			r = -1;
			break;
		}
		if (ready & MB_CONN_READY_LINE)
			r = read_lines(&ss, &line, &err);
		if (r == 0 && (ready & MB_CONN_READY_FD))
			r = take_cmds(&ss, &err);
	}
	if (mb_job_cancelled(job)) {
		mb_error_set(&err, MB_ERR_CANCEL, "connection closed by the user");
		exit = MB_EXIT_CANCEL;
	} else if (ss.quit_sent && err.kind == MB_ERR_CONN) {
		mb_conn_note(ss.c, MB_TDIR_INFO, 0, "the server closed the connection, as asked");
		exit = 0;
	} else {
		exit = mb_cli_exit_for(err.kind);
	}
	ui_work_on_conn(&ss.w, NULL);
	if (st != NULL && sid > 0) {
		mb_tstore_release(&ts);
		mb_store_session_end(st, sid, exit == 0 ? MB_SESSION_OK : MB_SESSION_ERROR,
		                     exit == 0 ? NULL : err.msg, NULL);
	}
	ui_work_done(&ss.w, exit, &err, sid);
	while (ss.held != NULL) {
		struct console_cmd *n = ss.held->next;

		console_cmd_free(ss.held);
		ss.held = n;
	}
	mb_conn_free(ss.c);
	mb_store_close(st);
	mb_buf_release(&line);
}
