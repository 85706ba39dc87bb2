/*
 * modal.c: what takes every key until it is answered: the prompt line
 * (with masking for passwords and completion for paths), yes/no
 * questions, pickers (a list in a centred box) and the `?` help box. The
 * screen under a modal keeps drawing and receiving events; callbacks run
 * after the modal is gone, so they may open another one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

enum modal_kind {
	MODAL_PROMPT,
	MODAL_CONFIRM,
	MODAL_PICK,
	MODAL_HELP,
};

struct ui_modal {
	enum modal_kind kind;
	struct ui_modal *next;
	WINDOW *w;
	int wy, wx, wh, ww; /* the window's place, to remake it after a resize */
	char *label;
	unsigned flags;
	struct ui_edit edit;
	ui_prompt_fn done, change, no;
	void *ctx;
	/* pick */
	char **items;
	struct ui_list list;
	/* help */
	struct ui_doc doc;
	int page;
};

static const struct ui_keydoc global_keys[] = {
        {"?", "this help"},
        {"q", "back; on the mailbox: quit"},
        {"Esc", "cancel the running job; else back"},
        {"Ctrl-C", "cancel the running job"},
        {"Tab  S-Tab", "next / previous pane"},
        {"t", "show or hide the live transcript pane"},
        {"L", "open a stored transcript of a past session"},
        {"c", "compose a new message"},
        {"R", "raw protocol console (SMTP, POP3, IMAP)"},
        {"o", "outbox: queued and failed messages"},
        {"Ctrl-L", "redraw the screen"},
        {"mouse", "wheel scrolls, click selects (never needed)"},
        {NULL, NULL},
};

bool
ui_modal_open(struct ui *ui)
{
	return ui->modals != NULL;
}

static struct ui_modal *
modal_new(struct ui *ui, enum modal_kind kind)
{
	struct ui_modal *m = xcalloc(1, sizeof *m);

	m->kind = kind;
	m->next = ui->modals;
	ui->modals = m;
	ui_edit_init(&m->edit, NULL);
	ui_doc_init(&m->doc);
	return m;
}

static void
modal_free(struct ui_modal *m)
{
	size_t i;

	if (m->w != NULL)
		delwin(m->w);
	free(m->label);
	ui_edit_release(&m->edit);
	for (i = 0; m->items != NULL && i < m->list.n; i++)
		free(m->items[i]);
	free(m->items);
	ui_doc_release(&m->doc);
	free(m);
}

/* Take the innermost modal off (the caller frees it after its callback). */
static struct ui_modal *
modal_pop(struct ui *ui)
{
	struct ui_modal *m = ui->modals;

	if (m != NULL)
		ui->modals = m->next;
	ui->all_dirty = true;
	return m;
}

/* ---- opening ---------------------------------------------------------------------------- */

void
ui_prompt(struct ui *ui, const char *label, const char *initial, unsigned flags, ui_prompt_fn done,
          ui_prompt_fn change, void *ctx)
{
	struct ui_modal *m = modal_new(ui, MODAL_PROMPT);

	m->label = mb_sanitize(label, MB_SANITIZE_LINE);
	m->flags = flags;
	m->done = done;
	m->change = change;
	m->ctx = ctx;
	ui_edit_set(&m->edit, initial);
	m->edit.mask = (flags & UI_PROMPT_MASK) != 0;
}

void
ui_confirm(struct ui *ui, const char *question, ui_prompt_fn yes, ui_prompt_fn no, void *ctx)
{
	struct ui_modal *m = modal_new(ui, MODAL_CONFIRM);

	m->label = mb_sanitize(question, MB_SANITIZE_LINE);
	m->done = yes;
	m->no = no;
	m->ctx = ctx;
}

void
ui_pick(struct ui *ui, const char *title, const char *const *items, size_t n, size_t sel,
        ui_prompt_fn done, void *ctx)
{
	struct ui_modal *m = modal_new(ui, MODAL_PICK);
	size_t i;

	m->label = mb_sanitize(title, MB_SANITIZE_LINE);
	m->items = xcalloc(n ? n : 1, sizeof *m->items);
	for (i = 0; i < n; i++)
		m->items[i] = mb_sanitize(items[i], MB_SANITIZE_LINE);
	m->list.n = n;
	m->list.cur = sel < n ? sel : 0;
	m->done = done;
	m->ctx = ctx;
}

static void
help_section(struct ui *ui, struct ui_doc *d, const char *title, const struct ui_keydoc *k)
{
	int kw = 0, l;
	const struct ui_keydoc *p;

	ui_doc_adds(d, UI_E_PANE_TITLE, title);
	ui_doc_newline(d);
	for (p = k; p->keys != NULL; p++) {
		l = (int)mb_display_width(p->keys, strlen(p->keys));
		if (l > kw)
			kw = l;
	}
	if (kw > 16)
		kw = 16;
	for (p = k; p->keys != NULL; p++) {
		l = (int)mb_display_width(p->keys, strlen(p->keys));
		ui_doc_adds(d, UI_E_NORMAL, "  ");
		ui_doc_adds(d, UI_E_HELP_KEY, p->keys);
		ui_doc_addf(d, UI_E_NORMAL, "%*s  ", l < kw ? kw - l : 0, "");
		ui_doc_indent(d, kw + 4);
		ui_doc_adds(d, UI_E_NORMAL, p->what);
		ui_doc_newline(d);
	}
	ui_doc_newline(d);
}

void
ui_help_open(struct ui *ui)
{
	struct ui_modal *m = modal_new(ui, MODAL_HELP);
	struct ui_screen *s = ui->top;
	const struct ui_keydoc *k = s->ops->keydoc != NULL ? s->ops->keydoc(s) : s->ops->keys;
	char title[128];

	m->label = xstrdup("Keys");
	if (ui->tp_focus) {
		help_section(ui, &m->doc, "Transcript pane (it has the focus)", ui_tpane_keys);
	}
	snprintf(title, sizeof title, "%s", s->ops->name);
	if (k != NULL)
		help_section(ui, &m->doc, title, k);
	if (!ui->tp_focus && ui->tp_open)
		help_section(ui, &m->doc, "Transcript pane (Tab to it)", ui_tpane_keys);
	help_section(ui, &m->doc, "Everywhere", global_keys);
	ui_doc_adds(&m->doc, UI_E_DIM, "j k PgUp PgDn scroll this help; q, Esc or ? close it.");
	ui_doc_newline(&m->doc);
}

/* ---- closing ---------------------------------------------------------------------------- */

static void
finish(struct ui *ui, ui_prompt_fn fn, const char *text)
{
	struct ui_modal *m = modal_pop(ui);

	if (fn != NULL)
		fn(ui, m->ctx, text);
	modal_free(m);
}

void
ui_modal_close_all(struct ui *ui)
{
	int guard;

	for (guard = 0; ui->modals != NULL && guard < 100; guard++) {
		struct ui_modal *m = ui->modals;

		if (m->kind == MODAL_CONFIRM)
			finish(ui, m->no, NULL);
		else if (m->kind == MODAL_HELP)
			finish(ui, NULL, NULL);
		else
			finish(ui, m->done, NULL);
	}
}

/* ---- keys ------------------------------------------------------------------------------- */

static int
prompt_key(struct ui *ui, struct ui_modal *m, int key)
{
	struct mb_buf choices = MB_BUF_INIT;
	enum ui_edit_res r = ui_edit_key(&m->edit, key);
	char *text;

	switch (r) {
	case UI_EDIT_ENTER:
		text = xstrdup(m->edit.text.data);
		finish(ui, m->done, text);
		memset(text, 0, strlen(text));
		free(text);
		return UI_DONE;
	case UI_EDIT_CANCEL:
		finish(ui, m->done, NULL);
		return UI_DONE;
	case UI_EDIT_TAB:
		if (m->flags & UI_PROMPT_PATH) {
			ui_edit_complete_path(&m->edit, &choices);
			if (choices.len)
				ui_msg(ui, "%s", choices.data);
			mb_buf_release(&choices);
			if (m->change != NULL && (m->flags & UI_PROMPT_LIVE))
				m->change(ui, m->ctx, m->edit.text.data);
		}
		return UI_DONE;
	case UI_EDIT_CHANGED:
		if (m->change != NULL && (m->flags & UI_PROMPT_LIVE))
			m->change(ui, m->ctx, m->edit.text.data);
		return UI_DONE;
	default:
		return UI_DONE;
	}
}

static int
pick_key(struct ui *ui, struct ui_modal *m, int key)
{
	char idx[32];

	if (ui_key_is_enter(key)) {
		if (m->list.n == 0) {
			finish(ui, m->done, NULL);
			return UI_DONE;
		}
		snprintf(idx, sizeof idx, "%zu", m->list.cur);
		finish(ui, m->done, idx);
		return UI_DONE;
	}
	if (key == UI_K_ESC || key == 'q' || key == UI_CTRL('c') || key == UI_CTRL('g')) {
		finish(ui, m->done, NULL);
		return UI_DONE;
	}
	ui_list_key(&m->list, key, m->page > 0 ? m->page : 1);
	return UI_DONE;
}

int
ui_modal_key(struct ui *ui, int key)
{
	struct ui_modal *m = ui->modals;

	if (m == NULL)
		return UI_PASS;
	if (key == UI_K_MOUSE) {
		MEVENT me;

		if (getmouse(&me) == OK && m->kind == MODAL_HELP) {
			if (me.bstate & BUTTON4_PRESSED)
				ui_doc_key(&m->doc, UI_K_UP, m->page);
#ifdef BUTTON5_PRESSED
			else if (me.bstate & BUTTON5_PRESSED)
				ui_doc_key(&m->doc, UI_K_DOWN, m->page);
#endif
		}
		return UI_DONE;
	}
	switch (m->kind) {
	case MODAL_PROMPT:
		return prompt_key(ui, m, key);
	case MODAL_CONFIRM:
		if (key == 'y' || key == 'Y')
			finish(ui, m->done, "y");
		else
			finish(ui, m->no, NULL);
		return UI_DONE;
	case MODAL_PICK:
		return pick_key(ui, m, key);
	case MODAL_HELP:
		if (key == 'q' || key == UI_K_ESC || key == '?' || ui_key_is_enter(key))
			finish(ui, NULL, NULL);
		else
			ui_doc_key(&m->doc, key, m->page);
		return UI_DONE;
	}
	return UI_DONE;
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* (Re)make the modal's window at this place and size. */
static WINDOW *
modal_win(struct ui_modal *m, int y, int x, int h, int w)
{
	if (m->w != NULL && (m->wy != y || m->wx != x || m->wh != h || m->ww != w)) {
		delwin(m->w);
		m->w = NULL;
	}
	if (m->w == NULL) {
		m->w = newwin(h, w, y, x);
		m->wy = y;
		m->wx = x;
		m->wh = h;
		m->ww = w;
	}
	return m->w;
}

/* The prompt row: the last row of the screen area. */
static void
draw_line(struct ui *ui, struct ui_modal *m, bool focused)
{
	int my, mx, mh, mw, lw;
	WINDOW *w;

	getbegyx(ui->wmain, my, mx);
	getmaxyx(ui->wmain, mh, mw);
	w = modal_win(m, my + mh - 1, mx, 1, mw);
	if (w == NULL)
		return;
	werase(w);
	ui_set(ui, w, UI_E_PROMPT);
	ui_fill(w, 0, 0, mw);
	if (m->kind == MODAL_CONFIRM) {
		lw = ui_puts(ui, w, 0, 0, m->label, mw);
		lw += ui_puts(ui, w, 0, lw, " (y/n) ", mw - lw);
		if (focused)
			ui_cursor(ui, w, 0, lw < mw ? lw : mw - 1);
	} else {
		lw = ui_puts(ui, w, 0, 0, m->label, mw / 2);
		lw += ui_puts(ui, w, 0, lw, ": ", mw - lw);
		ui_edit_draw(ui, &m->edit, w, 0, lw, mw - lw, UI_E_INPUT, focused);
	}
	ui_set(ui, w, UI_E_NORMAL);
	wnoutrefresh(w);
}

static WINDOW *
draw_box(struct ui *ui, struct ui_modal *m, int want_h, int want_w)
{
	int h = want_h, w = want_w, y, x;
	WINDOW *win;

	if (h > ui->rows - 2)
		h = ui->rows - 2;
	if (w > ui->cols - 2)
		w = ui->cols - 2;
	if (h < 3)
		h = 3;
	if (w < 10)
		w = 10;
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	win = modal_win(m, y, x, h, w);
	if (win == NULL)
		return NULL;
	werase(win);
	ui_set(ui, win, UI_E_BORDER);
	ui_box(ui, win);
	ui_set(ui, win, UI_E_PANE_TITLE);
	mvwaddch(win, 0, 2, ' ');
	ui_puts(ui, win, 0, 3, m->label, w - 6);
	waddch(win, ' ');
	ui_set(ui, win, UI_E_NORMAL);
	return win;
}

static void
draw_pick(struct ui *ui, struct ui_modal *m)
{
	size_t i, wmax = 20;
	int h, w, r;
	WINDOW *win;

	for (i = 0; i < m->list.n; i++) {
		size_t l = mb_display_width(m->items[i], strlen(m->items[i]));

		if (l > wmax)
			wmax = l;
	}
	win = draw_box(ui, m, (int)m->list.n + 2, (int)wmax + 4);
	if (win == NULL)
		return;
	getmaxyx(win, h, w);
	m->page = h - 2;
	ui_list_fit(&m->list, m->page);
	for (r = 0; r < m->page && m->list.top + (size_t)r < m->list.n; r++) {
		i = m->list.top + (size_t)r;
		ui_set(ui, win, i == m->list.cur ? UI_E_SELECTED : UI_E_NORMAL);
		ui_fill(win, r + 1, 1, w - 2);
		ui_put_fit(ui, win, r + 1, 2, m->items[i], w - 4);
	}
	if (m->list.n == 0) {
		ui_set(ui, win, UI_E_DIM);
		ui_puts(ui, win, 1, 2, "(nothing to choose)", w - 4);
	}
	ui_set(ui, win, UI_E_NORMAL);
	wnoutrefresh(win);
}

static void
draw_help(struct ui *ui, struct ui_modal *m)
{
	int h, w, rows;
	WINDOW *win;

	rows = (int)ui_doc_rows(&m->doc, (ui->cols < 80 ? ui->cols - 2 : 78) - 4);
	win = draw_box(ui, m, rows + 2, 80);
	if (win == NULL)
		return;
	getmaxyx(win, h, w);
	m->page = h - 2;
	ui_doc_draw(ui, &m->doc, win, 1, 2, h - 2, w - 4);
	if ((size_t)rows > (size_t)m->page) {
		char more[48];

		snprintf(more, sizeof more, " %s %zu/%d ",
		         m->doc.top + (size_t)m->page >= (size_t)rows ? "end" : "more: j PgDn",
		         m->doc.top + (size_t)m->page < (size_t)rows ? m->doc.top + (size_t)m->page
		                                                     : (size_t)rows,
		         rows);
		ui_set(ui, win, UI_E_PANE_TITLE);
		ui_puts(ui, win, h - 1, w - 2 - (int)strlen(more), more, (int)strlen(more));
		ui_set(ui, win, UI_E_NORMAL);
	}
	wnoutrefresh(win);
}

void
ui_modal_draw(struct ui *ui)
{
	struct ui_modal *stack[16], *m;
	int n = 0, i;

	/* outermost first, so the innermost ends on top */
	for (m = ui->modals; m != NULL && n < 16; m = m->next)
		stack[n++] = m;
	for (i = n - 1; i >= 0; i--) {
		m = stack[i];
		switch (m->kind) {
		case MODAL_PROMPT:
		case MODAL_CONFIRM:
			draw_line(ui, m, i == 0);
			break;
		case MODAL_PICK:
			draw_pick(ui, m);
			break;
		case MODAL_HELP:
			draw_help(ui, m);
			break;
		}
	}
}
