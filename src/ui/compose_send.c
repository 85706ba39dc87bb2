/*
 * compose_send.c: the last steps of compose: the body in $VISUAL/$EDITOR
 * (curses suspended, a private temporary file, the text read back), the
 * HTML alternative made from the text (escaped paragraphs, quotes as
 * blockquotes), and sending: the message is built (mb_compose_build),
 * queued in the outbox before any connection, and sent in a job
 * (send_job.c) while compose closes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbench/compose.h"
#include "mailbench/fileio.h"
#include "mailbench/xalloc.h"
#include "ui/compose.h"

#define EDITOR_MAX (16 * 1024 * 1024) /* bytes read back from the editor */

/* ---- the external editor ---------------------------------------------------------------- */

/* Run "editor path" through the shell with the terminal handed over; its wait status. */
static int
run_editor(const char *editor, const char *path)
{
	struct sigaction ign, old_int, old_quit;
	char *cmd = xasprintf("%s \"$1\"", editor);
	int status = -1;
	pid_t pid;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	/* like system(): ^C in the editor must not end mailbench */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		dup2(STDOUT_FILENO, STDERR_FILENO); /* the editor's messages on the terminal */
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	free(cmd);
	return pid > 0 ? status : -1;
}

static int
slurp(const char *path, struct mb_buf *out)
{
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	while ((n = read(fd, tmp, sizeof tmp)) > 0 && out->len <= EDITOR_MAX)
		mb_buf_add(out, tmp, (size_t)n);
	close(fd);
	return n < 0 || out->len > EDITOR_MAX ? -1 : 0;
}

int
compose_external_editor(struct compose *c)
{
	struct ui *ui = c->ui;
	const char *editor = getenv("VISUAL"), *dir = getenv("TMPDIR");
	struct mb_buf text = MB_BUF_INIT;
	char *path;
	int fd, status;

	if (editor == NULL || editor[0] == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || editor[0] == '\0') {
		ui_error(ui, "^V: $VISUAL and $EDITOR are unset (export EDITOR=nano, for one)");
		return UI_DONE;
	}
	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	path = xasprintf("%s/mailbench-body-XXXXXX.txt", dir);
	fd = mkstemps(path, 4); /* mode 0600 */
	ui_body_text(&c->body, &text);
	if (fd < 0 || mb_write_all(fd, text.data, text.len) < 0) {
		ui_error(ui, "cannot write a temporary file in '%s': %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		mb_buf_release(&text);
		return UI_DONE;
	}
	close(fd);
	def_prog_mode();
	endwin();
	status = run_editor(editor, path);
	reset_prog_mode();
	clearok(curscr, TRUE);
	mb_buf_reset(&text);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ui_error(ui, "the editor ('%s') failed (status %d): the body is unchanged", editor,
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (slurp(path, &text) < 0) {
		ui_error(ui,
		         "cannot read the edited text back (over %d MiB?): the body is unchanged",
		         EDITOR_MAX >> 20);
	} else {
		ui_body_set(&c->body, text.data, text.len);
		c->body.changed = false;
		c->changed = true;
		c->focus = CF_BODY;
		compose_save(c, true);
		ui_msg(ui, "the body is back from the editor: %zu lines", c->body.n);
	}
	unlink(path);
	free(path);
	mb_buf_release(&text);
	return UI_ALL;
}

/* ---- HTML alternative ------------------------------------------------------------------- */

static void
add_escaped(struct mb_buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			mb_buf_addstr(b, "&amp;");
			break;
		case '<':
			mb_buf_addstr(b, "&lt;");
			break;
		case '>':
			mb_buf_addstr(b, "&gt;");
			break;
		case '"':
			mb_buf_addstr(b, "&quot;");
			break;
		default:
			mb_buf_addch(b, s[i]);
			break;
		}
	}
}

/* One paragraph (lines [p, e) of the text): <p> with <br>, or a quote. */
static void
paragraph(struct mb_buf *b, const char *p, const char *e)
{
	const char *q, *nl;
	bool quote = true;

	for (q = p; q < e; q = nl + 1) {
		nl = memchr(q, '\n', (size_t)(e - q));
		if (nl == NULL)
			nl = e;
		if (*q != '>')
			quote = false;
	}
	mb_buf_addstr(b, quote ? "<blockquote><p>" : "<p>");
	for (q = p; q < e; q = nl + 1) {
		nl = memchr(q, '\n', (size_t)(e - q));
		if (nl == NULL)
			nl = e;
		if (q > p)
			mb_buf_addstr(b, "<br>\n");
		if (quote) {
			q++;
			if (q < nl && *q == ' ')
				q++;
		}
		add_escaped(b, q, (size_t)(nl - q));
	}
	mb_buf_addstr(b, quote ? "</p></blockquote>\n" : "</p>\n");
}

char *
compose_html_from_text(const char *text)
{
	struct mb_buf b = MB_BUF_INIT;
	const char *p = text, *end = text + strlen(text), *start = NULL, *nl;

	mb_buf_addstr(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p || strspn(p, " \t") >= (size_t)(nl - p)) {
			if (start != NULL)
				paragraph(&b, start, p > start ? p - 1 : p);
			start = NULL;
		} else if (start == NULL) {
			start = p;
		}
		if (nl == end)
			break;
	}
	if (start != NULL)
		paragraph(&b, start, end > start && end[-1] == '\n' ? end - 1 : end);
	mb_buf_addstr(&b, "</body></html>\n");
	return mb_buf_detach(&b, NULL);
}

/* ---- sending ---------------------------------------------------------------------------- */

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

bool
compose_send(struct compose *c)
{
	static const char *const names[CF_NFIELDS] = {"To",      "Cc",        "Bcc",
	                                              "Subject", "MAIL FROM", "RCPT TO"};
	struct ui *ui = c->ui;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_draft d = {0};
	struct mb_built m = {0};
	struct mb_outbox_in oi = {0};
	struct mb_attachment *att = NULL;
	struct mb_buf body = MB_BUF_INIT;
	struct mb_caddr_list rl = {0};
	const char **env_to = NULL;
	char *html = NULL, *env_from = NULL;
	int64_t id = 0;
	bool ok = false;
	size_t i;

	for (i = 0; i < CF_NFIELDS; i++)
		if (c->err[i] != NULL) {
			ui_error(ui, "not sent: %s: %s", names[i], c->err[i]);
			c->focus = (int)i;
			return false;
		}
	if (c->acct->smtp.host == NULL) {
		ui_error(ui, "not sent: account '%s' has no smtp_host (see mailbench config)",
		         c->acct->name);
		return false;
	}
	ui_body_text(&c->body, &body);
	att = xcalloc(c->natt + 1, sizeof *att);
	for (i = 0; i < c->natt; i++)
		att[i].path = c->att[i];
	d.from = c->from;
	d.to = nonempty(compose_text(c, CF_TO));
	d.cc = nonempty(compose_text(c, CF_CC));
	d.bcc = nonempty(compose_text(c, CF_BCC));
	d.subject = compose_text(c, CF_SUBJECT);
	d.body = body.data;
	d.body_len = body.len;
	if (c->html)
		d.html = html = compose_html_from_text(body.data);
	d.attachments = att;
	d.nattachments = c->natt;
	d.in_reply_to = c->in_reply_to;
	d.references = c->references;
	/* an envelope field left empty follows the headers */
	if (c->env_edited[0] && c->f[CF_ENV_FROM].text.len > 0)
		d.env_from = env_from = compose_env_from(c);
	if (c->env_edited[1] && c->f[CF_ENV_RCPT].text.len > 0 &&
	    mb_caddr_list_parse(compose_text(c, CF_ENV_RCPT), &rl, &err) == 0) {
		env_to = xcalloc(rl.n + 1, sizeof *env_to);
		for (i = 0; i < rl.n; i++)
			env_to[i] = rl.v[i].addr;
		d.env_to = env_to;
		d.nenv_to = rl.n;
	}
	if (mb_compose_build(&d, &m, &err) < 0) {
		ui_error_from(ui, "not sent", &err);
		goto out;
	}
	if (m.nrcpts == 0) {
		ui_error(ui, "not sent: no recipient (To, Cc, Bcc or RCPT TO)");
		goto out;
	}
	/* the outbox first: nothing is sent that is not stored */
	oi.account = c->acct->name;
	oi.envelope_from = m.env_from;
	oi.rcpts = (const char *const *)m.rcpts;
	oi.nrcpts = m.nrcpts;
	oi.raw = m.data;
	oi.raw_len = m.len;
	oi.from = d.from;
	oi.to = d.to;
	oi.cc = d.cc;
	oi.subject = d.subject;
	if (mb_store_outbox_add(ui->st, &oi, &id, &err) < 0) {
		ui_error_from(ui, "not sent: cannot queue it in the outbox", &err);
		goto out;
	}
	if (c->draft_id > 0 && mb_store_draft_delete(ui->st, c->draft_id, &err) < 0)
		ui_error_from(ui, "queued, but the draft stays", &err);
	c->draft_id = 0;
	c->changed = false;
	ui_msg(ui, "queued as outbox message %lld; sending...", (long long)id);
	ui_send_outbox_start(ui, c->acct, id, false, true);
	ok = true;
out:
	mb_built_release(&m);
	mb_caddr_list_release(&rl);
	mb_buf_release(&body);
	free(env_to);
	free(env_from);
	free(html);
	free(att);
	return ok;
}
