/*
 * compose_draft.c: drafts kept in the cache (saved as you go, listed and
 * reopened with ^O, discarded with ^Q) and attachments (a path prompt with
 * Tab completion, removal).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/xalloc.h"
#include "ui/compose.h"

#define AUTOSAVE_MS  3000
#define ATTACH_MAX   (25 * 1024 * 1024) /* bytes per attachment */
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
