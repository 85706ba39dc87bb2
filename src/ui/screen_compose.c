/*
 * screen_compose.c: the compose screen. To, Cc, Bcc and Subject are line
 * editors checked as you type (a bad address is marked in its field and
 * the line under the fields says why); below them the envelope panel, MAIL
 * FROM and RCPT TO, which follows the headers until the user edits it (an
 * emptied field follows them again), with every difference from the
 * headers explained as it appears (envelope.h); then the body in a built-in
 * editor (body.c). This file draws it and takes the keys; the fields' checks
 * and the envelope model are in compose_fields.c, drafts and attachments in
 * compose_draft.c, the external editor and sending in compose_send.c.
 *
 * Leaving compose never loses text: Esc saves the draft and closes; the
 * draft is also saved when the focus moves to another field, every few
 * seconds while typing, and when the screen goes away for any other
 * reason (quit, SIGHUP). ^Q deletes it (after asking); sending moves the
 * message to the outbox and deletes the draft.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/compose.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/compose.h"

#define LABEL_W     10 /* "MAIL FROM " */
#define AUTOSAVE_MS 3000
#define EXPLAIN_MAX 4 /* explanation rows of the envelope panel */
#define BODY_MIN    4 /* below this the headers fold into one line while in the body */

static const struct ui_keydoc compose_keys[] = {
        {"F1", "this help (? is a character in compose)"},
        {"Tab  S-Tab", "next / previous field (in the body Tab inserts a tab; S-Tab leaves it)"},
        {"↓ ↑  Enter", "next / previous field (Enter in Subject: to the body)"},
        {"S-Tab on To", "to the transcript pane (when shown)"},
        {"^X", "send: build, queue in the outbox, send; the transcript pane shows it"},
        {"Esc", "close; the draft is saved (it is also saved as you type)"},
        {"^S", "save the draft now"},
        {"^O", "open a saved draft (the one open now is saved first)"},
        {"^Q", "discard this message and its draft (asks first)"},
        {"^T", "attach a file (Tab completes the path)"},
        {"^R", "remove an attachment"},
        {"^N", "HTML alternative on/off: a text/html part made from the text"},
        {"^V", "edit the body in $VISUAL or $EDITOR (one must be set)"},
        {"MAIL FROM  RCPT TO", "the envelope: follows the headers until you edit it; "
                               "empty it to follow again; <> is the null sender"},
        {"Body", "arrows, Home/End (^A ^E), PgUp/PgDn, Enter, Backspace, Delete, "
                 "^K ^U cut to the end / start of the line"},
        {"Fields", "← → Home End, ^A ^E ^U ^K ^W as in prompts"},
        {NULL, NULL},
};

/* ---- drawing ---------------------------------------------------------------------------- */

/* The bad entry of field i over what ui_edit_draw() drew at (y, x) in width columns. */
static void
mark_bad(struct ui *ui, struct compose *c, int i, WINDOW *w, int y, int x, int width)
{
	const struct ui_edit *e = &c->f[i];
	size_t a = c->bad_from[i], z = c->bad_to[i];
	int col;

	if (c->err[i] == NULL || z <= e->scroll || z > e->text.len || a >= z)
		return;
	if (a < e->scroll)
		a = e->scroll;
	col = (int)mb_display_width(e->text.data + e->scroll, a - e->scroll);
	if (col >= width - 1)
		return;
	ui_set(ui, w, UI_E_ERROR);
	ui_put(ui, w, y, x + col, e->text.data + a, z - a, width - 1 - col);
	ui_set(ui, w, UI_E_NORMAL);
}

static void
draw_field(struct ui *ui, struct compose *c, WINDOW *w, int y, int i, int width, bool focused)
{
	int elem = UI_E_INPUT;

	c->row[i] = y;

	ui_set(ui, w, c->err[i] ? UI_E_ERROR : UI_E_HEADER_NAME);
	ui_fill(w, y, 0, LABEL_W);
	ui_puts(ui, w, y, 0, compose_labels[i], LABEL_W - 1);
	if (c->err[i] != NULL)
		ui_puts(ui, w, y, LABEL_W - 2, ui_sym(ui, "\xe2\x9c\x97", "!"), 1);
	if (i == CF_ENV_FROM || i == CF_ENV_RCPT) {
		size_t k;

		for (k = 0; k < c->rep.n; k++)
			if (c->rep.rows[k].note != MB_ENV_SAME &&
			    (c->rep.rows[k].kind == MB_ENV_SENDER) == (i == CF_ENV_FROM))
				elem = UI_E_ENV_DIFF;
	}
	ui_edit_draw(ui, &c->f[i], w, y, LABEL_W, width - LABEL_W, elem, focused && c->focus == i);
	mark_bad(ui, c, i, w, y, LABEL_W, width - LABEL_W);
}

static void
draw_attach(struct ui *ui, struct compose *c, WINDOW *w, int y, int width)
{
	struct mb_buf b = MB_BUF_INIT;
	char right[64];
	size_t i;
	int rw;

	snprintf(right, sizeof right, "  HTML alternative: %s (^N)", c->html ? "on" : "off");
	rw = (int)strlen(right);
	ui_set(ui, w, UI_E_HEADER_NAME);
	ui_puts(ui, w, y, 0, "Attach", LABEL_W);
	if (c->natt == 0)
		mb_buf_addstr(&b, "none (^T adds a file)");
	for (i = 0; i < c->natt; i++) {
		const char *base = strrchr(c->att[i], '/');

		mb_buf_addf(&b, "%s%s", i ? ", " : "", base ? base + 1 : c->att[i]);
	}
	if (c->natt > 0)
		mb_buf_addstr(&b, "  (^T add, ^R remove)");
	ui_set(ui, w, c->natt ? UI_E_ATTACHMENT : UI_E_DIM);
	ui_put_net(ui, w, y, LABEL_W, b.data, width - LABEL_W - rw);
	ui_set(ui, w, c->html ? UI_E_OK : UI_E_DIM);
	if (width - rw > LABEL_W + 10)
		ui_puts(ui, w, y, width - rw, right, rw);
	ui_set(ui, w, UI_E_NORMAL);
	mb_buf_release(&b);
}

/* The line under the fields: why the field is wrong, or what will be sent. */
static void
draw_check(struct ui *ui, struct compose *c, WINDOW *w, int y, int width)
{
	struct mb_buf b = MB_BUF_INIT;
	int i, bad = -1;
	size_t n[3];

	if (c->focus < CF_NFIELDS && c->err[c->focus] != NULL)
		bad = c->focus;
	for (i = 0; i < CF_NFIELDS && bad < 0; i++)
		if (c->err[i] != NULL)
			bad = i;
	if (bad >= 0) {
		mb_buf_addf(&b, "%s %s: %s", ui_sym(ui, "\xe2\x9c\x97", "!"), compose_labels[bad],
		            c->err[bad]);
		ui_set(ui, w, UI_E_ERROR);
	} else {
		for (i = 0; i < 3; i++)
			n[i] = compose_entries(compose_text(c, i), NULL, NULL);
		mb_buf_addf(&b, "%s To %zu, Cc %zu, Bcc %zu", ui_sym(ui, "\xe2\x9c\x93", "ok"),
		            n[0], n[1], n[2]);
		if (n[0] + n[1] + n[2] == 0 && !c->env_edited[1])
			mb_buf_addstr(&b, ": no recipient yet");
		mb_buf_addf(&b, "  %s  ^X sends, Esc saves and closes, F1 lists the keys",
		            ui_sym(ui, "\xc2\xb7", "-"));
		ui_set(ui, w, UI_E_DIM);
	}
	ui_put_net(ui, w, y, 0, b.data, width);
	ui_set(ui, w, UI_E_NORMAL);
	mb_buf_release(&b);
}

/* A rule with a title: "── title ──────". */
static void
rule(struct ui *ui, WINDOW *w, int y, int width, const char *title, int elem)
{
	int x;

	ui_set(ui, w, UI_E_BORDER);
	ui_hline(ui, w, y, 0, width);
	ui_set(ui, w, elem);
	x = ui_puts(ui, w, y, 2, " ", width - 2);
	x += ui_puts(ui, w, y, 2 + x, title, width - 4 - x);
	ui_puts(ui, w, y, 2 + x, " ", width - 2 - x);
	ui_set(ui, w, UI_E_NORMAL);
}

/* The explanations of the differences, wrapped for width (the caller releases d). */
static void
explanations(struct ui *ui, const struct compose *c, struct ui_doc *d)
{
	size_t i;

	ui_doc_init(d);
	for (i = 0; i < c->rep.n; i++) {
		const char *ex = c->rep.rows[i].explain;

		if (ex == NULL)
			continue;
		ui_doc_adds(d, UI_E_ENV_EXPLAIN, ui_sym(ui, "  \xe2\x86\x92 ", "  -> "));
		ui_doc_indent(d, 5);
		ui_doc_add_net(d, UI_E_ENV_EXPLAIN, ex, strlen(ex), MB_SANITIZE_LINE);
		ui_doc_newline(d);
	}
}

static int
draw_envelope(struct ui *ui, struct compose *c, WINDOW *w, int y, int width, struct ui_doc *ex,
              int nexp, bool focused)
{
	const char *title;
	size_t rows = ui_doc_rows(ex, width);

	if (c->env_edited[0] || c->env_edited[1])
		title = "Envelope: edited (empty a field to follow the headers again)";
	else
		title = "Envelope: what SMTP will use; follows the headers until you edit it";
	rule(ui, w, y++, width, title, UI_E_PANE_TITLE);
	draw_field(ui, c, w, y++, CF_ENV_FROM, width, focused);
	draw_field(ui, c, w, y++, CF_ENV_RCPT, width, focused);
	if (nexp <= 0)
		return y;
	if (rows > (size_t)nexp) {
		/* the last row says there is more */
		ui_doc_draw(ui, ex, w, y, 0, nexp - 1, width);
		ui_set(ui, w, UI_E_DIM);
		ui_puts(ui, w, y + nexp - 1, 2,
		        "(more differences: e after sending shows them all)", width - 2);
		ui_set(ui, w, UI_E_NORMAL);
	} else {
		ui_doc_draw(ui, ex, w, y, 0, nexp, width);
	}
	return y + nexp;
}

/* One line standing for all the headers while the body has the room. */
static void
draw_folded(struct ui *ui, struct compose *c, WINDOW *w, int width)
{
	struct mb_buf b = MB_BUF_INIT;
	const char *dot = ui_sym(ui, "\xc2\xb7", "-");
	size_t n = compose_entries(compose_text(c, CF_TO), NULL, NULL) +
	           compose_entries(compose_text(c, CF_CC), NULL, NULL) +
	           compose_entries(compose_text(c, CF_BCC), NULL, NULL);

	mb_buf_addf(&b,
	            "To %s %s %zu recipient%s %s Subject %s %s %zu attachment%s %s S-Tab: headers",
	            compose_text(c, CF_TO), dot, n, n == 1 ? "" : "s", dot,
	            compose_text(c, CF_SUBJECT), dot, c->natt, c->natt == 1 ? "" : "s", dot);
	ui_set(ui, w, UI_E_HEADER_VALUE);
	ui_put_net(ui, w, 0, 0, b.data, width);
	ui_set(ui, w, UI_E_NORMAL);
	mb_buf_release(&b);
}

static void
compose_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct compose *c = s->priv;
	bool focused = ui_screen_focused(ui, s);
	int h, wd, y = 0, i, nexp, fixed = 12, bh;
	struct ui_doc ex;
	char pos[64];

	getmaxyx(w, h, wd);
	for (i = 0; i <= CF_BODY; i++)
		c->row[i] = -1;
	explanations(ui, c, &ex);
	nexp = (int)ui_doc_rows(&ex, wd);
	if (nexp > EXPLAIN_MAX)
		nexp = EXPLAIN_MAX;
	if (h - fixed - nexp < BODY_MIN)
		nexp = h - fixed - BODY_MIN > 0 ? h - fixed - BODY_MIN : 0;
	if (c->focus == CF_BODY && h - fixed - nexp < BODY_MIN) {
		draw_folded(ui, c, w, wd);
		y = 1;
	} else {
		ui_set(ui, w, UI_E_HEADER_NAME);
		ui_puts(ui, w, y, 0, "From", LABEL_W);
		ui_set(ui, w, UI_E_DIM);
		ui_put_net(ui, w, y++, LABEL_W, c->from, wd - LABEL_W);
		for (i = CF_TO; i <= CF_SUBJECT; i++)
			draw_field(ui, c, w, y++, i, wd, focused);
		draw_attach(ui, c, w, y++, wd);
		draw_check(ui, c, w, y++, wd);
		y = draw_envelope(ui, c, w, y, wd, &ex, nexp, focused);
	}
	snprintf(pos, sizeof pos, "Message (line %zu of %zu; ^V: $EDITOR)", c->body.line + 1,
	         c->body.n);
	rule(ui, w, y++, wd, pos,
	     c->focus == CF_BODY && focused ? UI_E_PANE_TITLE_FOCUS : UI_E_PANE_TITLE);
	ui_doc_release(&ex);
	bh = h - y;
	c->row[CF_BODY] = y;
	ui_body_draw(ui, &c->body, w, y, 0, bh, wd, focused && c->focus == CF_BODY);
}

static void
compose_title(struct ui_screen *s, struct ui *ui, struct mb_buf *out)
{
	struct compose *c = s->priv;
	static const char *const kinds[] = {"Compose", "Reply", "Reply to all", "Forward"};

	mb_buf_addstr(out, kinds[c->kind]);
	mb_buf_addf(out, " %s %s", ui_sym(ui, "\xc2\xb7", "-"), c->acct->name);
	/* short: the hints must fit beside it at 80 columns ("*": not saved yet) */
	if (c->draft_id > 0)
		mb_buf_addf(out, " %s draft %lld%s", ui_sym(ui, "\xc2\xb7", "-"),
		            (long long)c->draft_id, c->changed ? "*" : "");
}

/* ---- keys ------------------------------------------------------------------------------- */

static void
set_focus(struct compose *c, int f)
{
	if (f < 0)
		f = 0;
	if (f > CF_BODY)
		f = CF_BODY;
	if (f == c->focus)
		return;
	/* an envelope field left empty follows the headers again */
	if ((c->focus == CF_ENV_FROM || c->focus == CF_ENV_RCPT) && c->f[c->focus].text.len == 0) {
		c->env_edited[c->focus - CF_ENV_FROM] = false;
		compose_refresh(c);
	}
	compose_save(c, true);
	c->focus = f;
}

static int
field_key(struct compose *c, int key)
{
	int f = c->focus;

	switch (ui_edit_key(&c->f[f], key)) {
	case UI_EDIT_CHANGED:
		compose_changed(c, f);
		return UI_DIRTY;
	case UI_EDIT_MOVED:
		return UI_DIRTY;
	case UI_EDIT_ENTER:
		set_focus(c, f == CF_SUBJECT ? CF_BODY : f + 1);
		return UI_DIRTY;
	case UI_EDIT_TAB:
		set_focus(c, f + 1);
		return UI_DIRTY;
	case UI_EDIT_CANCEL:
		return UI_PASS; /* Esc: leave */
	default:
		break;
	}
	if (key == UI_K_DOWN) {
		set_focus(c, f + 1);
		return UI_DIRTY;
	}
	if (key == UI_K_UP) {
		set_focus(c, f - 1);
		return UI_DIRTY;
	}
	/* a printable key the editor refused (too long) is still ours */
	return UI_IS_FN(key) || key < 0x20 ? UI_PASS : UI_DONE;
}

static int
leave(struct compose *c)
{
	struct ui *ui = c->ui;

	if (compose_is_empty(c) && c->draft_id == 0) {
		c->changed = false;
		ui_msg(ui, "nothing written: no draft kept");
		return UI_CLOSE;
	}
	if (compose_save(c, true) < 0)
		return UI_DONE; /* the error is shown; stay rather than lose the text */
	ui_msg(ui, "draft #%lld saved: c, then ^O, opens it again", (long long)c->draft_id);
	return UI_CLOSE;
}

static int
compose_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct compose *c = s->priv;
	int r;

	switch (key) {
	case UI_FN(KEY_F(1)):
		ui_help_open(ui); /* ? is a character here */
		return UI_DONE;
	case UI_K_ESC:
		return leave(c);
	case UI_CTRL('x'):
		return compose_send(c) ? UI_CLOSE : UI_DIRTY;
	case UI_CTRL('s'):
		if (compose_is_empty(c) && c->draft_id == 0)
			ui_msg(ui, "nothing to save yet");
		else if (compose_save(c, true) == 0)
			ui_msg(ui, "draft #%lld saved", (long long)c->draft_id);
		return UI_DIRTY;
	case UI_CTRL('o'):
		compose_pick_draft(c);
		return UI_DIRTY;
	case UI_CTRL('q'):
		compose_discard(c);
		return UI_DONE;
	case UI_CTRL('t'):
		compose_attach(c);
		return UI_DIRTY;
	case UI_CTRL('r'):
		compose_detach(c);
		return UI_DIRTY;
	case UI_CTRL('n'):
		c->html = !c->html;
		c->changed = true;
		ui_msg(ui, "%s",
		       c->html ? "HTML alternative on: a text/html part (escaped paragraphs) is "
		                 "made from the text"
		               : "HTML alternative off: text/plain only");
		return UI_DIRTY;
	case UI_CTRL('v'):
		return compose_external_editor(c);
	case UI_K_BTAB:
		if (c->focus == CF_TO)
			return UI_PASS; /* to the transcript pane */
		set_focus(c, c->focus - 1);
		return UI_DIRTY;
	default:
		break;
	}
	if (c->focus < CF_NFIELDS) {
		r = field_key(c, key);
	} else {
		r = ui_body_key(&c->body, key);
	}
	if (c->focus == CF_BODY && r != UI_PASS && c->body.changed) {
		c->body.changed = false;
		c->changed = true;
	}
	if (r != UI_PASS)
		compose_save(c, false);
	/* the body takes every printable key; function keys it does not use go on */
	if (r == UI_PASS && !UI_IS_FN(key) && key >= 0x20)
		r = UI_DONE;
	return r;
}

static int
compose_mouse(struct ui_screen *s, struct ui *ui, int y, int x, mmask_t bstate)
{
	struct compose *c = s->priv;

	(void)ui;
	(void)x;
	if (!(bstate & BUTTON1_PRESSED))
		return UI_PASS;
	int i;

	for (i = 0; i < CF_NFIELDS; i++)
		if (c->row[i] == y)
			set_focus(c, i);
	if (c->row[CF_BODY] >= 0 && y >= c->row[CF_BODY])
		set_focus(c, CF_BODY);
	return UI_DIRTY;
}

static void
compose_free(struct ui_screen *s)
{
	struct compose *c = s->priv;
	size_t i;

	/* quit, SIGHUP, SIGTERM: whatever closes the screen keeps the text */
	if (c->changed && !(compose_is_empty(c) && c->draft_id == 0))
		compose_save(c, true);
	for (i = 0; i < CF_NFIELDS; i++) {
		ui_edit_release(&c->f[i]);
		free(c->err[i]);
	}
	ui_body_release(&c->body);
	for (i = 0; i < c->natt; i++)
		free(c->att[i]);
	free(c->att);
	mb_env_report_release(&c->rep);
	for (i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	free(c->strs);
	free(c->from);
	free(c->in_reply_to);
	free(c->references);
	free(c);
}

static const struct ui_screen_ops compose_ops = {
        .name = "Compose",
        .hints = "^X:send F1:help",
        .nfocus = 1,
        .draw = compose_draw,
        .key = compose_key,
        .mouse = compose_mouse,
        .title = compose_title,
        .keys = compose_keys,
        .free = compose_free,
};

void
ui_compose_open(struct ui *ui, struct ui_compose_prefill *p)
{
	const struct mb_account *a = ui->acct;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_draft_row_list dl;
	struct compose *c;
	int i;

	if (a == NULL) {
		ui_error(ui, "no account to send with (see mailbench config)");
		ui_compose_prefill_release(p);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->ui = ui;
	c->acct = a;
	if (a->from != NULL)
		c->from = xstrdup(a->from);
	else if (a->user != NULL && a->smtp.host != NULL)
		c->from = xasprintf("%s@%s", a->user, a->smtp.host);
	else
		c->from = xstrdup("");
	for (i = 0; i < CF_NFIELDS; i++)
		ui_edit_init(&c->f[i], NULL);
	c->f[CF_SUBJECT].max = 998;
	ui_body_init(&c->body, NULL);
	if (p != NULL && p->draft_id > 0) {
		if (compose_load_draft(c, p->draft_id, &err) < 0)
			ui_error_from(ui, "cannot open the draft", &err);
	} else if (p != NULL) {
		c->kind = p->kind;
		ui_edit_set(&c->f[CF_TO], p->to);
		ui_edit_set(&c->f[CF_CC], p->cc);
		ui_edit_set(&c->f[CF_BCC], p->bcc);
		ui_edit_set(&c->f[CF_SUBJECT], p->subject);
		ui_body_set(&c->body, p->body ? p->body : "", p->body ? strlen(p->body) : 0);
		c->body.changed = false;
		c->in_reply_to = p->in_reply_to ? xstrdup(p->in_reply_to) : NULL;
		c->references = p->references ? xstrdup(p->references) : NULL;
	}
	/* a reply starts in the body (its cursor line comes first), a new message in To */
	c->focus = p != NULL && p->kind != UI_COMPOSE_NEW && p->kind != UI_COMPOSE_FORWARD &&
	                           c->f[CF_TO].text.len > 0
	                   ? CF_BODY
	                   : CF_TO;
	ui_compose_prefill_release(p);
	compose_refresh(c);
	c->saved_at = ui_now_ms();
	c->s = ui_screen_push(ui, &compose_ops, c);
	if (c->draft_id == 0 && mb_store_draft_list(ui->st, a->name, &dl, &err) == 0) {
		if (dl.n > 0)
			ui_msg(ui, "%zu saved draft%s: ^O opens one", dl.n, dl.n == 1 ? "" : "s");
		mb_draft_row_list_release(&dl);
	}
}
