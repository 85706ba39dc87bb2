/*
 * compose_draft.c: what compose does beyond its fields: drafts kept in the
 * cache (saved as you go, listed and reopened with ^O, discarded with ^Q),
 * attachments (a path prompt with Tab completion, removal), the body in
 * $VISUAL/$EDITOR (curses suspended, a private temporary file, the text
 * read back), the HTML alternative made from the text, and sending: the
 * message is built (mb_compose_build), queued in the outbox before any
 * connection, and sent in a job (send_job.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/compose.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/compose.h"

#define AUTOSAVE_MS  3000
#define ATTACH_MAX   (25 * 1024 * 1024) /* bytes per attachment */
#define EDITOR_MAX   (16 * 1024 * 1024) /* bytes read back from the editor */
#define DRAFTS_SHOWN 200

/* ---- drafts ----------------------------------------------------------------------------- */

bool
compose_is_empty(const struct compose *c)
{
	int i;

	for (i = CF_TO; i <= CF_SUBJECT; i++)
		if (c->f[i].text.len > 0)
			return false;
	return c->natt == 0 && !c->env_edited[0] && !c->env_edited[1] && ui_body_empty(&c->body);
}

struct strv {
	char **v;
	size_t n;
};

static void
collect(void *ctx, const char *text, size_t from, size_t to)
{
	struct strv *sv = ctx;

	sv->v = xreallocarray(sv->v, sv->n + 1, sizeof *sv->v);
	sv->v[sv->n++] = xmemdup0(text + from, to - from);
}

static void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof *sv);
}

int
compose_save(struct compose *c, bool force)
{
	struct ui *ui = c->ui;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_draft_row d = {0};
	struct mb_buf body = MB_BUF_INIT;
	struct strv rcpts = {0};
	int r;

	if (!c->changed)
		return 0;
	if (!force && ui_now_ms() - c->saved_at < AUTOSAVE_MS)
		return 0;
	if (compose_is_empty(c) && c->draft_id == 0)
		return 0;
	ui_body_text(&c->body, &body);
	d.id = c->draft_id;
	d.account = c->acct->name;
	d.to = c->f[CF_TO].text.data;
	d.cc = c->f[CF_CC].text.data;
	d.bcc = c->f[CF_BCC].text.data;
	d.subject = c->f[CF_SUBJECT].text.data;
	d.body = body.data;
	d.html = c->html;
	d.attachments = c->att;
	d.nattachments = c->natt;
	if (c->env_edited[0] && c->f[CF_ENV_FROM].text.len > 0)
		d.envelope_from = c->f[CF_ENV_FROM].text.data;
	if (c->env_edited[1] && c->f[CF_ENV_RCPT].text.len > 0) {
		compose_entries(compose_text(c, CF_ENV_RCPT), collect, &rcpts);
		d.envelope_rcpts = rcpts.v;
		d.nenvelope_rcpts = rcpts.n;
	}
	r = mb_store_draft_save(ui->st, &d, &err);
	strv_free(&rcpts);
	mb_buf_release(&body);
	if (r < 0) {
		ui_error_from(ui, "cannot save the draft", &err);
		return -1;
	}
	c->draft_id = d.id;
	c->changed = false;
	c->saved_at = ui_now_ms();
	ui_screen_dirty(ui, c->s);
	return 0;
}

static void
clear_attachments(struct compose *c)
{
	size_t i;

	for (i = 0; i < c->natt; i++)
		free(c->att[i]);
	free(c->att);
	c->att = NULL;
	c->natt = 0;
}

int
compose_load_draft(struct compose *c, int64_t id, struct mb_error *err)
{
	struct mb_draft_row d;
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	if (mb_store_draft_get(c->ui->st, id, &d, err) < 0)
		return -1;
	ui_edit_set(&c->f[CF_TO], d.to);
	ui_edit_set(&c->f[CF_CC], d.cc);
	ui_edit_set(&c->f[CF_BCC], d.bcc);
	ui_edit_set(&c->f[CF_SUBJECT], d.subject);
	ui_body_set(&c->body, d.body, strlen(d.body));
	c->body.changed = false;
	clear_attachments(c);
	for (i = 0; i < d.nattachments; i++) {
		c->att = xreallocarray(c->att, c->natt + 1, sizeof *c->att);
		c->att[c->natt++] = xstrdup(d.attachments[i]);
	}
	c->html = d.html;
	c->env_edited[0] = d.envelope_from != NULL && d.envelope_from[0] != '\0';
	c->env_edited[1] = d.nenvelope_rcpts > 0;
	ui_edit_set(&c->f[CF_ENV_FROM], c->env_edited[0] ? d.envelope_from : "");
	for (i = 0; i < d.nenvelope_rcpts; i++)
		mb_buf_addf(&b, "%s%s", i ? ", " : "", d.envelope_rcpts[i]);
	ui_edit_set(&c->f[CF_ENV_RCPT], b.data);
	mb_buf_release(&b);
	/* the draft table keeps no In-Reply-To: a reopened reply is a new message */
	c->kind = UI_COMPOSE_NEW;
	XFREE(c->in_reply_to);
	XFREE(c->references);
	c->draft_id = d.id;
	c->changed = false;
	c->focus = CF_TO;
	mb_draft_row_release(&d);
	compose_refresh(c);
	return 0;
}

struct pick {
	struct compose *c;
	int64_t *ids;
	size_t n;
};

static void
draft_picked(struct ui *ui, void *ctx, const char *text)
{
	struct pick *p = ctx;
	struct compose *c = p->c;
	struct mb_error err = MB_ERROR_INIT;
	size_t i;

	if (text != NULL && (i = strtoul(text, NULL, 10)) < p->n && p->ids[i] != c->draft_id) {
		if (compose_save(c, true) == 0) {
			if (compose_load_draft(c, p->ids[i], &err) < 0)
				ui_error_from(ui, "cannot open the draft", &err);
			else
				ui_msg(ui, "draft #%lld opened", (long long)c->draft_id);
		}
	}
	ui_screen_dirty(ui, c->s);
	free(p->ids);
	free(p);
}

void
compose_pick_draft(struct compose *c)
{
	struct ui *ui = c->ui;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_draft_row_list l;
	struct pick *p;
	char **items, when[32];
	size_t i, n;

	if (mb_store_draft_list(ui->st, c->acct->name, &l, &err) < 0) {
		ui_error_from(ui, "cannot list the drafts", &err);
		return;
	}
	if (l.n == 0) {
		ui_msg(ui, "no saved drafts for account '%s'", c->acct->name);
		mb_draft_row_list_release(&l);
		return;
	}
	n = l.n < DRAFTS_SHOWN ? l.n : DRAFTS_SHOWN;
	p = xcalloc(1, sizeof *p);
	p->c = c;
	p->ids = xcalloc(n, sizeof *p->ids);
	p->n = n;
	items = xcalloc(n, sizeof *items);
	for (i = 0; i < n; i++) {
		const struct mb_draft_row *d = &l.v[i];

		ui_fmt_date(d->updated, when, sizeof when);
		p->ids[i] = d->id;
		items[i] = xasprintf("#%lld %s%s  To: %s  Subject: %s", (long long)d->id, when,
		                     d->id == c->draft_id ? " (open)" : "", d->to[0] ? d->to : "-",
		                     d->subject[0] ? d->subject : "-");
	}
	ui_pick(ui, "Drafts (newest first)", (const char *const *)items, n, 0, draft_picked, p);
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
	mb_draft_row_list_release(&l);
}

static void
discard_yes(struct ui *ui, void *ctx, const char *text)
{
	struct compose *c = ctx;
	struct mb_error err = MB_ERROR_INIT;

	(void)text;
	if (c->draft_id > 0 && mb_store_draft_delete(ui->st, c->draft_id, &err) < 0 &&
	    err.kind != MB_ERR_NOTFOUND) {
		ui_error_from(ui, "cannot delete the draft", &err);
		return;
	}
	ui_msg(ui, "message discarded%s", c->draft_id > 0 ? " and its draft deleted" : "");
	c->changed = false;
	c->draft_id = 0;
	if (ui_screen_top(ui) == c->s)
		ui_screen_pop(ui);
}

void
compose_discard(struct compose *c)
{
	char q[128];

	if (c->draft_id > 0)
		snprintf(q, sizeof q, "Discard this message and delete draft #%lld?",
		         (long long)c->draft_id);
	else
		snprintf(q, sizeof q, "Discard this message?");
	ui_confirm(c->ui, q, discard_yes, NULL, c);
}

/* ---- attachments ------------------------------------------------------------------------ */

static char *
expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (strncmp(path, "~/", 2) == 0 && home != NULL)
		return xasprintf("%s/%s", home, path + 2);
	return xstrdup(path);
}

static void
attach_done(struct ui *ui, void *ctx, const char *text)
{
	struct compose *c = ctx;
	struct stat sb;
	char *path;
	size_t i;

	if (text == NULL || text[0] == '\0')
		return;
	path = expand_home(text);
	if (stat(path, &sb) < 0) {
		ui_error(ui, "cannot attach '%s': %s", path, strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		ui_error(ui, "cannot attach '%s': not a regular file", path);
	} else if (access(path, R_OK) < 0) {
		ui_error(ui, "cannot attach '%s': %s", path, strerror(errno));
	} else if (sb.st_size > ATTACH_MAX) {
		ui_error(ui, "cannot attach '%s': larger than %d MiB", path, ATTACH_MAX >> 20);
	} else {
		for (i = 0; i < c->natt; i++)
			if (strcmp(c->att[i], path) == 0)
				break;
		if (i < c->natt) {
			ui_msg(ui, "'%s' is attached already", path);
		} else {
			char size[16];

			c->att = xreallocarray(c->att, c->natt + 1, sizeof *c->att);
			c->att[c->natt++] = path;
			path = NULL;
			c->changed = true;
			compose_save(c, true);
			ui_fmt_size(sb.st_size, size, sizeof size);
			ui_msg(ui, "attached '%s' (%s)", c->att[c->natt - 1], size);
		}
	}
	free(path);
	ui_screen_dirty(ui, c->s);
}

void
compose_attach(struct compose *c)
{
	char *cwd = getcwd(NULL, 0), *init;

	init = xasprintf("%s/", cwd != NULL ? cwd : ".");
	ui_prompt(c->ui, "Attach file (Tab completes)", init, UI_PROMPT_PATH, attach_done, NULL, c);
	free(init);
	free(cwd);
}

static void
remove_at(struct compose *c, size_t i)
{
	ui_msg(c->ui, "'%s' is no longer attached", c->att[i]);
	free(c->att[i]);
	memmove(c->att + i, c->att + i + 1, (c->natt - i - 1) * sizeof *c->att);
	c->natt--;
	c->changed = true;
	compose_save(c, true);
	ui_screen_dirty(c->ui, c->s);
}

static void
detach_picked(struct ui *ui, void *ctx, const char *text)
{
	struct compose *c = ctx;
	size_t i;

	(void)ui;
	if (text != NULL && (i = strtoul(text, NULL, 10)) < c->natt)
		remove_at(c, i);
}

static void
detach_yes(struct ui *ui, void *ctx, const char *text)
{
	(void)ui;
	(void)text;
	remove_at(ctx, 0);
}

void
compose_detach(struct compose *c)
{
	char q[300];

	if (c->natt == 0) {
		ui_msg(c->ui, "no attachment to remove (^T attaches a file)");
	} else if (c->natt == 1) {
		snprintf(q, sizeof q, "Remove the attachment '%s'?", c->att[0]);
		ui_confirm(c->ui, q, detach_yes, NULL, c);
	} else {
		ui_pick(c->ui, "Remove which attachment?", (const char *const *)c->att, c->natt, 0,
		        detach_picked, c);
	}
}

/* ---- the external editor ---------------------------------------------------------------- */

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

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
	if (fd < 0 || write_all(fd, text.data, text.len) < 0) {
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
