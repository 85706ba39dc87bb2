/*
 * screen_mailbox.c: the mailbox view, the bottom screen: a sidebar of
 * accounts and their cached mailboxes with unread counts, and the message
 * list (flags, date, from, subject, size) with sort, a quick filter and
 * full-text search. Only the visible rows are in memory: scrolling reads
 * the rows after (or before) the ones shown with keyset paging, jumps read
 * by offset, so 100 000 messages scroll as fast as ten. F fetches and N
 * toggles read (the jobs of sync_job.c); the list reloads on MB_EV_CHANGED.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/mutf7.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define LIVE_FILTER_MAX 20000 /* filter as you type up to this many messages */
#define SEARCH_MAX      1000  /* search results shown */

enum sb_kind {
	SB_ACCOUNT,
	SB_MAILBOX,
};

struct sb_item {
	enum sb_kind kind;
	const struct mb_account *acct;
	int64_t mailbox_id;
	char *label; /* sanitised; a mailbox: its last level, indented by its depth */
	char *full;  /* sanitised; a mailbox: its whole name, decoded */
	int64_t total, unread;
};

struct mbox {
	struct sb_item *items;
	size_t nitems;
	struct ui_list sb;

	const struct mb_account *acct; /* the account of the list */
	int64_t mailbox_id;            /* 0: none */
	char *mailbox_name;            /* sanitised */
	enum mb_sort sort;
	bool desc;
	char *filter, *filter_before;
	int64_t total, unread;
	int64_t top, cur;        /* first row shown, cursor (list indices) */
	struct mb_msg_list rows; /* rows top .. top + rows.n - 1 */
	int page;                /* rows the list shows */

	bool searching;
	char *query;
	struct mb_msg_list results;
	struct ui_list rl;
};

static const struct ui_keydoc mbox_keys[] = {
        {"j k ↓ ↑", "move"},
        {"PgUp PgDn", "page up / down"},
        {"g G Home End", "first / last message"},
        {"Enter", "open the message, marked read (sidebar: show that mailbox)"},
        {"Tab", "sidebar, list, transcript pane"},
        {"F", "fetch new mail (IMAP or POP3) for this account"},
        {"N", "mark read / unread (synced to the IMAP server)"},
        {"s  S", "sort by date, from, subject, size / reverse the order"},
        {"l", "quick filter on From and Subject (empty: all)"},
        {"/", "full-text search (from: to: subject: body: \"a phrase\")"},
        {"Esc", "leave the search or the filter"},
        {"r  A  f", "reply / reply to all / forward"},
        {"e", "envelope versus headers of the message"},
        {NULL, NULL},
};

static const char *const sort_names[] = {"date", "from", "subject", "size"};

/* ---- the sidebar ------------------------------------------------------------------------ */

static void
sb_clear(struct mbox *m)
{
	size_t i;

	for (i = 0; i < m->nitems; i++) {
		free(m->items[i].label);
		free(m->items[i].full);
	}
	free(m->items);
	m->items = NULL;
	m->nitems = 0;
}

static struct sb_item *
sb_add(struct mbox *m, enum sb_kind kind, const struct mb_account *a, int64_t id, const char *name,
       int64_t total, int64_t unread)
{
	struct sb_item *it;

	m->items = xreallocarray(m->items, m->nitems + 1, sizeof *m->items);
	it = &m->items[m->nitems++];
	it->kind = kind;
	it->acct = a;
	it->mailbox_id = id;
	it->label = mb_sanitize(name, MB_SANITIZE_LINE);
	it->full = xstrdup(it->label);
	it->total = total;
	it->unread = unread;
	return it;
}

/*
 * A mailbox as people read it: IMAP names are modified UTF-7 on the wire
 * ("Entw&APw-rfe" is "Entwürfe"), and a child ("Archive/2024") shows as
 * its last level under its parent, indented.
 */
static void
sb_add_mailbox(struct mbox *m, const struct mb_account *a, const struct mb_mailbox *mb)
{
	struct sb_item *it = sb_add(m, SB_MAILBOX, a, mb->id, mb->name, mb->total, mb->unread);
	char *name, *leaf, *p;
	const char *d = mb->delimiter;
	int depth = 0;
	struct mb_buf b = MB_BUF_INIT;

	/* an account fetched over both has two INBOXes: the POP3 one says so */
	name = mb->protocol == MB_STORE_IMAP ? mb_mutf7_decode(mb->name)
	                                     : xasprintf("POP3 %s", mb->name);
	leaf = name;
	if (d != NULL && d[0] != '\0' && strcmp(mb->name, "INBOX") != 0)
		for (p = strstr(name, d); p != NULL && p[strlen(d)] != '\0'; p = strstr(p, d)) {
			p += strlen(d);
			leaf = p;
			depth++;
		}
	free(it->full);
	it->full = mb_sanitize(name, MB_SANITIZE_LINE);
	while (depth-- > 0 && b.len < 16)
		mb_buf_addstr(&b, "  ");
	free(it->label);
	p = mb_sanitize(leaf, MB_SANITIZE_LINE);
	mb_buf_addstr(&b, p);
	free(p);
	it->label = mb_buf_detach(&b, NULL);
	free(name);
}

/* Rebuild the sidebar from the config's accounts and the cache's mailboxes. */
static void
sb_load(struct ui *ui, struct mbox *m)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_mailbox_list ml;
	int64_t aid, total, unread;
	size_t i, j, first;

	sb_clear(m);
	for (i = 0; i < ui->cfg.naccounts; i++) {
		const struct mb_account *a = ui->cfg.accounts[i];

		first = m->nitems;
		sb_add(m, SB_ACCOUNT, a, 0, a->name, 0, 0);
		total = unread = 0;
		if (mb_store_account_find(ui->st, a->name, &aid, &err) < 0 || aid == 0)
			continue;
		if (mb_store_mailbox_list(ui->st, aid, &ml, &err) < 0)
			continue;
		for (j = 0; j < ml.n; j++) {
			sb_add_mailbox(m, a, &ml.v[j]);
			total += ml.v[j].total;
			unread += ml.v[j].unread;
		}
		m->items[first].total = total;
		m->items[first].unread = unread;
		mb_mailbox_list_release(&ml);
	}
	m->sb.n = m->nitems;
	for (i = 0; i < m->nitems; i++)
		if ((m->mailbox_id != 0 && m->items[i].mailbox_id == m->mailbox_id) ||
		    (m->mailbox_id == 0 && m->items[i].kind == SB_ACCOUNT &&
		     m->items[i].acct == m->acct))
			m->sb.cur = i;
}

/* ---- the list --------------------------------------------------------------------------- */

static void
rows_clear(struct mb_msg_list *l)
{
	mb_msg_list_release(l);
	l->v = NULL;
	l->n = 0;
}

static struct mb_msg_query
query(const struct mbox *m)
{
	struct mb_msg_query q = {0};

	q.mailbox_id = m->mailbox_id;
	q.sort = m->sort;
	q.desc = m->desc;
	q.filter = m->filter;
	return q;
}

/* Read rows from offset top (jumps, reloads). */
static void
load_at(struct ui *ui, struct mbox *m, int64_t top)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_query q = query(m);
	int64_t maxtop = m->total > m->page ? m->total - m->page : 0;

	rows_clear(&m->rows);
	if (top > maxtop)
		top = maxtop;
	if (top < 0)
		top = 0;
	m->top = top;
	if (m->mailbox_id == 0 || m->page <= 0)
		return;
	q.offset = top;
	q.limit = (size_t)m->page;
	if (mb_store_msg_page(ui->st, &q, &m->rows, &err) < 0)
		ui_error_from(ui, "cannot read the message list", &err);
}

/* The last page, read backwards from the end (no offset to skip). */
static void
load_end(struct ui *ui, struct mbox *m)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_query q = query(m);
	struct mb_msg tmp;
	size_t i;

	rows_clear(&m->rows);
	if (m->mailbox_id == 0 || m->page <= 0)
		return;
	q.desc = !m->desc;
	q.limit = (size_t)m->page;
	if (mb_store_msg_page(ui->st, &q, &m->rows, &err) < 0) {
		ui_error_from(ui, "cannot read the message list", &err);
		return;
	}
	for (i = 0; i < m->rows.n / 2; i++) {
		tmp = m->rows.v[i];
		m->rows.v[i] = m->rows.v[m->rows.n - 1 - i];
		m->rows.v[m->rows.n - 1 - i] = tmp;
	}
	m->top = m->total - (int64_t)m->rows.n;
	if (m->top < 0)
		m->top = 0;
}

/* Move the window down by k rows: read k rows after the last one shown. */
static void
scroll_down(struct ui *ui, struct mbox *m, int64_t k)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_query q = query(m);
	struct mb_msg_list more;
	size_t i, keep;

	if (k <= 0)
		return;
	if (m->rows.n == 0 || k >= (int64_t)m->rows.n) {
		load_at(ui, m, m->top + k);
		return;
	}
	q.after = &m->rows.v[m->rows.n - 1];
	q.limit = (size_t)k;
	if (mb_store_msg_page(ui->st, &q, &more, &err) < 0) {
		ui_error_from(ui, "cannot read the message list", &err);
		return;
	}
	k = (int64_t)more.n; /* fewer at the end */
	keep = m->rows.n - (size_t)k;
	for (i = 0; i < (size_t)k; i++)
		mb_msg_release(&m->rows.v[i]);
	memmove(m->rows.v, m->rows.v + k, keep * sizeof *m->rows.v);
	for (i = 0; i < more.n; i++)
		m->rows.v[keep + i] = more.v[i];
	free(more.v);
	m->top += k;
}

/* Move the window up by k rows: read k rows before the first one shown. */
static void
scroll_up(struct ui *ui, struct mbox *m, int64_t k)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_query q = query(m);
	struct mb_msg_list more;
	size_t i, keep;

	if (k > m->top)
		k = m->top;
	if (k <= 0)
		return;
	if (m->rows.n == 0 || k >= (int64_t)m->rows.n) {
		load_at(ui, m, m->top - k);
		return;
	}
	q.desc = !m->desc; /* the rows before, nearest first */
	q.after = &m->rows.v[0];
	q.limit = (size_t)k;
	if (mb_store_msg_page(ui->st, &q, &more, &err) < 0) {
		ui_error_from(ui, "cannot read the message list", &err);
		return;
	}
	k = (int64_t)more.n;
	keep = m->rows.n - (size_t)k;
	for (i = keep; i < m->rows.n; i++)
		mb_msg_release(&m->rows.v[i]);
	memmove(m->rows.v + k, m->rows.v, keep * sizeof *m->rows.v);
	for (i = 0; i < more.n; i++)
		m->rows.v[(size_t)k - 1 - i] = more.v[i];
	free(more.v);
	m->top -= k;
}

/* Count the list (the mailbox's own counters unless filtered). */
static void
recount(struct ui *ui, struct mbox *m)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_mailbox mb;

	m->total = m->unread = 0;
	if (m->mailbox_id == 0)
		return;
	if (mb_store_mailbox_get(ui->st, m->mailbox_id, &mb, &err) == 0) {
		m->total = mb.total;
		m->unread = mb.unread;
		mb_mailbox_release(&mb);
	}
	if (m->filter != NULL && m->filter[0] != '\0' &&
	    mb_store_msg_count(ui->st, m->mailbox_id, m->filter, &m->total, &err) < 0)
		ui_error_from(ui, "cannot count the messages", &err);
}

/* Everything again, keeping the position where it can. */
static void
reload(struct ui *ui, struct mbox *m)
{
	int64_t top = m->top;

	recount(ui, m);
	load_at(ui, m, top);
	if (m->cur >= m->total)
		m->cur = m->total > 0 ? m->total - 1 : 0;
	if (m->cur < m->top)
		m->cur = m->top;
}

static void
select_mailbox(struct ui *ui, struct mbox *m, const struct mb_account *a, int64_t id,
               const char *name)
{
	m->acct = a;
	m->mailbox_id = id;
	free(m->mailbox_name);
	m->mailbox_name = name != NULL ? xstrdup(name) : NULL; /* sanitised already */
	XFREE(m->filter);
	m->searching = false;
	m->top = m->cur = 0;
	ui_set_account(ui, a);
	recount(ui, m);
	load_at(ui, m, 0);
}

/* The account's INBOX, else its first mailbox, else none. */
static void
select_account(struct ui *ui, struct mbox *m, const struct mb_account *a)
{
	size_t i, pick = (size_t)-1;

	for (i = 0; i < m->nitems; i++) {
		if (m->items[i].kind != SB_MAILBOX || m->items[i].acct != a)
			continue;
		if (pick == (size_t)-1 || strcmp(m->items[i].full, "INBOX") == 0)
			pick = i;
		if (strcmp(m->items[i].full, "INBOX") == 0)
			break;
	}
	if (pick == (size_t)-1)
		select_mailbox(ui, m, a, 0, NULL);
	else
		select_mailbox(ui, m, a, m->items[pick].mailbox_id, m->items[pick].full);
}

/* ---- moving ----------------------------------------------------------------------------- */

static void
move_to(struct ui *ui, struct mbox *m, int64_t cur)
{
	int64_t page = m->page > 0 ? m->page : 1;

	if (cur >= m->total)
		cur = m->total - 1;
	if (cur < 0)
		cur = 0;
	m->cur = cur;
	if (cur < m->top)
		scroll_up(ui, m, m->top - cur);
	else if (cur >= m->top + page)
		scroll_down(ui, m, cur - (m->top + page) + 1);
}

static int
list_move(struct ui *ui, struct mbox *m, int key)
{
	int64_t page = m->page > 0 ? m->page : 1, maxtop = m->total > page ? m->total - page : 0;
	int64_t old_cur = m->cur, old_top = m->top, d;

	switch (key) {
	case 'j':
	case UI_K_DOWN:
		move_to(ui, m, m->cur + 1);
		break;
	case 'k':
	case UI_K_UP:
		move_to(ui, m, m->cur - 1);
		break;
	case UI_K_PGDN:
	case ' ':
	case UI_CTRL('f'):
		d = m->top + page <= maxtop ? page : maxtop - m->top;
		if (d > 0)
			scroll_down(ui, m, d);
		m->cur = m->cur + page < m->total ? m->cur + page : m->total - 1;
		if (m->cur < m->top)
			m->cur = m->top;
		break;
	case UI_K_PGUP:
	case UI_CTRL('b'):
		d = m->top >= page ? page : m->top;
		if (d > 0)
			scroll_up(ui, m, d);
		m->cur = m->cur >= page ? m->cur - page : 0;
		if (m->cur >= m->top + page)
			m->cur = m->top + page - 1;
		break;
	case 'g':
	case UI_K_HOME:
		if (m->top != 0)
			load_at(ui, m, 0);
		m->cur = 0;
		break;
	case 'G':
	case UI_K_END:
		if (m->top != maxtop)
			load_end(ui, m);
		m->cur = m->total > 0 ? m->total - 1 : 0;
		break;
	default:
		return UI_PASS;
	}
	if (m->cur < 0)
		m->cur = 0;
	return m->cur != old_cur || m->top != old_top ? UI_DIRTY : UI_DONE;
}

/* The message under the cursor, or NULL. */
static const struct mb_msg *
current(struct mbox *m)
{
	if (m->searching)
		return m->rl.cur < m->results.n ? &m->results.v[m->rl.cur] : NULL;
	if (m->cur < m->top || m->cur >= m->top + (int64_t)m->rows.n)
		return NULL;
	return &m->rows.v[m->cur - m->top];
}

/* ---- prompts: filter and search --------------------------------------------------------- */

static void
apply_filter(struct ui *ui, struct mbox *m, const char *text)
{
	free(m->filter);
	m->filter = text != NULL && text[0] != '\0' ? xstrdup(text) : NULL;
	recount(ui, m);
	m->cur = 0;
	load_at(ui, m, 0);
}

static void
filter_change(struct ui *ui, void *ctx, const char *text)
{
	struct ui_screen *s = ctx;

	apply_filter(ui, s->priv, text);
	ui_screen_dirty(ui, s);
}

static void
filter_done(struct ui *ui, void *ctx, const char *text)
{
	struct ui_screen *s = ctx;
	struct mbox *m = s->priv;

	if (text == NULL) {
		apply_filter(ui, m, m->filter_before);
	} else {
		apply_filter(ui, m, text);
		ui_msg(ui,
		       m->filter ? "%lld messages match (Esc clears the filter)" : "%lld messages",
		       (long long)m->total);
	}
	XFREE(m->filter_before);
	ui_screen_dirty(ui, s);
}

static void
search_done(struct ui *ui, void *ctx, const char *text)
{
	struct ui_screen *s = ctx;
	struct mbox *m = s->priv;
	struct mb_error err = MB_ERROR_INIT;

	if (text == NULL || text[0] == '\0')
		return;
	rows_clear(&m->results);
	if (mb_store_search(ui->st, m->mailbox_id, text, SEARCH_MAX, &m->results, &err) < 0) {
		ui_error_from(ui, "search failed", &err);
		return;
	}
	free(m->query);
	m->query = mb_sanitize(text, MB_SANITIZE_LINE);
	m->searching = true;
	m->rl.n = m->results.n;
	m->rl.cur = m->rl.top = 0;
	ui_msg(ui, "%zu result%s%s (Esc: back to the list)", m->results.n,
	       m->results.n == 1 ? "" : "s",
	       m->results.n == SEARCH_MAX ? " shown (the newest)" : "");
	ui_screen_dirty(ui, s);
}

/* ---- drawing ---------------------------------------------------------------------------- */

static int
sidebar_width(int w)
{
	int sw = w / 5;

	if (sw < 16)
		sw = 16;
	if (sw > 28)
		sw = 28;
	return w < 56 ? 0 : sw;
}

static void
draw_sidebar(struct ui *ui, struct ui_screen *s, WINDOW *w, int h, int sw)
{
	struct mbox *m = s->priv;
	bool focused = ui_screen_focused(ui, s) && s->focus == 0;
	int r, vis = h - 1;
	size_t i;
	char count[32];

	ui_set(ui, w, focused ? UI_E_PANE_TITLE_FOCUS : UI_E_PANE_TITLE);
	ui_fill(w, 0, 0, sw);
	ui_puts(ui, w, 0, 1, "Accounts", sw - 1);
	ui_list_fit(&m->sb, vis);
	for (r = 0; r < vis && m->sb.top + (size_t)r < m->nitems; r++) {
		const struct sb_item *it;

		i = m->sb.top + (size_t)r;
		it = &m->items[i];
		if (i == m->sb.cur && focused)
			ui_set(ui, w, UI_E_SELECTED);
		else if ((it->kind == SB_MAILBOX && it->mailbox_id == m->mailbox_id &&
		          it->mailbox_id) ||
		         (it->kind == SB_ACCOUNT && m->mailbox_id == 0 && it->acct == m->acct))
			ui_set(ui, w, UI_E_SELECTED_DIM);
		else if (it->kind == SB_ACCOUNT)
			ui_set(ui, w, UI_E_HEADER_NAME);
		else
			ui_set(ui, w, it->unread > 0 ? UI_E_UNREAD : UI_E_NORMAL);
		ui_fill(w, r + 1, 0, sw - 1);
		count[0] = '\0';
		if (it->unread > 0)
			snprintf(count, sizeof count, "%lld", (long long)it->unread);
		/* a cut label keeps a blank before its count */
		ui_put_fit(ui, w, r + 1, it->kind == SB_ACCOUNT ? 1 : 3, it->label,
		           sw - (it->kind == SB_ACCOUNT ? 2 : 4) - (int)strlen(count) -
		                   (count[0] != '\0' ? 2 : 1));
		ui_puts(ui, w, r + 1, sw - 2 - (int)strlen(count), count, (int)strlen(count));
	}
	ui_set(ui, w, UI_E_BORDER);
	ui_vline(ui, w, 0, sw - 1, h);
	ui_set(ui, w, UI_E_NORMAL);
}

struct cols {
	int flags, date, from, subject, size;
};

static struct cols
columns(int w)
{
	struct cols c = {3, 10, 20, 0, 5};

	if (w < 70)
		c.from = 14;
	if (w >= 120)
		c.from = 26;
	c.subject = w - 1 - (c.flags + 1 + c.date + 1 + c.from + 1 + 1 + c.size);
	if (c.subject < 8)
		c.subject = 8;
	return c;
}

/* The column text of a From value: the first name, else the first address. */
static char *
from_cell(const char *from)
{
	struct mb_address_list l;
	char *s;

	mb_address_list_parse(&l, from);
	if (l.n > 0 && l.v[0].name[0] != '\0')
		s = mb_sanitize(l.v[0].name, MB_SANITIZE_LINE);
	else if (l.n > 0 && l.v[0].addr[0] != '\0')
		s = mb_sanitize(l.v[0].addr, MB_SANITIZE_LINE);
	else
		s = mb_sanitize(from, MB_SANITIZE_LINE);
	mb_address_list_release(&l);
	return s;
}

static void
draw_row(struct ui *ui, WINDOW *w, int y, int x, int width, const struct mb_msg *msg, bool sel,
         bool focused)
{
	struct cols c = columns(width);
	char flags[4], date[32], size[16], *from, *subj;
	int cx = x;

	flags[0] = (msg->flags & MB_FLAG_DELETED) ? 'D' : !(msg->flags & MB_FLAG_SEEN) ? 'N' : ' ';
	flags[1] = (msg->flags & MB_FLAG_FLAGGED)    ? '!'
	           : (msg->flags & MB_FLAG_ANSWERED) ? 'r'
	                                             : ' ';
	flags[2] = msg->has_attachments ? '@' : ' ';
	flags[3] = '\0';
	ui_fmt_date(msg->date, date, sizeof date);
	ui_fmt_size(msg->size, size, sizeof size);
	if (sel)
		ui_set(ui, w, focused ? UI_E_SELECTED : UI_E_SELECTED_DIM);
	else if (msg->flags & MB_FLAG_DELETED)
		ui_set(ui, w, UI_E_DELETED);
	else if (msg->flags & MB_FLAG_FLAGGED)
		ui_set(ui, w, UI_E_FLAGGED);
	else if (!(msg->flags & MB_FLAG_SEEN))
		ui_set(ui, w, UI_E_UNREAD);
	else
		ui_set(ui, w, UI_E_NORMAL);
	ui_fill(w, y, x, width);
	ui_puts(ui, w, y, cx, flags, c.flags);
	cx += c.flags + 1;
	ui_put_fit(ui, w, y, cx, date, c.date);
	cx += c.date + 1;
	from = from_cell(msg->from);
	ui_put_fit(ui, w, y, cx, from, c.from);
	cx += c.from + 1;
	subj = mb_sanitize(msg->subject, MB_SANITIZE_LINE);
	ui_put_fit(ui, w, y, cx, subj[0] ? subj : "(no subject)", c.subject);
	cx += c.subject + 1;
	ui_puts(ui, w, y, cx + c.size - (int)strlen(size), size, c.size);
	free(from);
	free(subj);
}

static void
draw_header(struct ui *ui, WINDOW *w, int x, int width, const struct mbox *m)
{
	struct cols c = columns(width);
	const char *arrow =
	        m->desc ? ui_sym(ui, "\xe2\x86\x93", "v") : ui_sym(ui, "\xe2\x86\x91", "^");
	char buf[64];
	int cx = x;

	ui_set(ui, w, UI_E_COLUMN);
	ui_fill(w, 0, x, width);
	ui_puts(ui, w, 0, cx, "St", c.flags);
	cx += c.flags + 1;
	snprintf(buf, sizeof buf, "Date%s", m->sort == MB_SORT_DATE ? arrow : "");
	ui_puts(ui, w, 0, cx, buf, c.date);
	cx += c.date + 1;
	snprintf(buf, sizeof buf, "From%s", m->sort == MB_SORT_FROM ? arrow : "");
	ui_puts(ui, w, 0, cx, buf, c.from);
	cx += c.from + 1;
	snprintf(buf, sizeof buf, "Subject%s", m->sort == MB_SORT_SUBJECT ? arrow : "");
	ui_puts(ui, w, 0, cx, buf, c.subject);
	cx += c.subject + 1;
	snprintf(buf, sizeof buf, "Size%s", m->sort == MB_SORT_SIZE ? arrow : "");
	ui_puts(ui, w, 0, cx + c.size - (int)mb_display_width(buf, strlen(buf)), buf, c.size + 1);
	ui_set(ui, w, UI_E_NORMAL);
}

static void
draw_empty(struct ui *ui, WINDOW *w, int y, int x, int width, const struct mbox *m)
{
	const char *name = m->acct != NULL ? m->acct->name : "?";
	char line[256];

	ui_set(ui, w, UI_E_NORMAL);
	if (m->mailbox_id != 0 && m->filter != NULL) {
		snprintf(line, sizeof line, "No message matches '%s'. Esc clears the filter.",
		         m->filter);
		ui_put_net(ui, w, y, x + 2, line, width - 2);
		return;
	}
	if (m->mailbox_id != 0)
		snprintf(line, sizeof line, "This mailbox is empty in the cache.");
	else
		snprintf(line, sizeof line, "No messages cached for account '%s' yet.", name);
	ui_put_net(ui, w, y, x + 2, line, width - 2);
	ui_set(ui, w, UI_E_HELP_KEY);
	ui_puts(ui, w, y + 2, x + 2, "Press F to fetch", width - 2);
	ui_set(ui, w, UI_E_NORMAL);
	ui_puts(ui, w, y + 2, x + 18, " (IMAP, or POP3) - the conversation shows in", width - 20);
	ui_puts(ui, w, y + 3, x + 2, "the transcript pane (t) as it happens. ? lists every key.",
	        width - 2);
	if (m->acct != NULL && strcmp(m->acct->name, "lab") == 0 && m->acct->builtin &&
	    ui->lab_state == 0) {
		ui_set(ui, w, UI_E_WARN);
		ui_puts(ui, w, y + 5, x + 2, "The lab is not running: start it with", width - 2);
		ui_set(ui, w, UI_E_HELP_KEY);
		ui_puts(ui, w, y + 6, x + 4, "mailbench lab start", width - 4);
		ui_set(ui, w, UI_E_NORMAL);
		ui_puts(ui, w, y + 6, x + 24, "(in another terminal), then F.", width - 24);
	}
}

static void
draw_results(struct ui *ui, struct ui_screen *s, WINDOW *w, int x, int width, int h)
{
	struct mbox *m = s->priv;
	bool focused = ui_screen_focused(ui, s) && s->focus == 1;
	char head[300];
	int r;

	ui_set(ui, w, UI_E_MATCH);
	ui_fill(w, 0, x, width);
	snprintf(head, sizeof head, " search '%s': %zu result%s  (Enter opens, Esc: back)",
	         m->query, m->results.n, m->results.n == 1 ? "" : "s");
	ui_puts(ui, w, 0, x, head, width);
	m->page = h - 1;
	ui_list_fit(&m->rl, m->page);
	for (r = 0; r < m->page && m->rl.top + (size_t)r < m->results.n; r++)
		draw_row(ui, w, r + 1, x, width, &m->results.v[m->rl.top + (size_t)r],
		         m->rl.top + (size_t)r == m->rl.cur, focused);
	if (m->results.n == 0) {
		ui_set(ui, w, UI_E_NORMAL);
		ui_puts(ui, w, 2, x + 2, "Nothing found. Words match as prefixes; try fewer words.",
		        width - 2);
	}
	ui_set(ui, w, UI_E_NORMAL);
}

static void
mbox_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct mbox *m = s->priv;
	int h, wd, sw, x, width, r, page;
	bool focused;

	getmaxyx(w, h, wd);
	sw = sidebar_width(wd);
	if (sw == 0 && s->focus == 0)
		sw = wd; /* narrow: the sidebar takes the whole width while it has the focus */
	if (sw > 0)
		draw_sidebar(ui, s, w, h, sw);
	if (sw >= wd)
		return;
	x = sw;
	width = wd - sw;
	if (m->searching) {
		draw_results(ui, s, w, x, width, h);
		return;
	}
	page = h - 1;
	if (page != m->page) {
		/* the window changed size: read the rows that now show */
		m->page = page;
		load_at(ui, m, m->top);
		move_to(ui, m, m->cur);
	}
	draw_header(ui, w, x, width, m);
	focused = ui_screen_focused(ui, s) && s->focus == 1;
	for (r = 0; r < (int)m->rows.n && r < page; r++)
		draw_row(ui, w, r + 1, x, width, &m->rows.v[r], m->top + r == m->cur, focused);
	if (m->total == 0)
		draw_empty(ui, w, 2, x, width, m);
}

static void
mbox_title(struct ui_screen *s, struct ui *ui, struct mb_buf *out)
{
	struct mbox *m = s->priv;

	mb_buf_addf(out, "%s", m->acct != NULL ? m->acct->name : "?");
	if (m->mailbox_name != NULL)
		mb_buf_addf(out, " %s %s", ui_sym(ui, "\xc2\xb7", "-"), m->mailbox_name);
	mb_buf_addf(out, " %s %lld message%s", ui_sym(ui, "\xc2\xb7", "-"), (long long)m->total,
	            m->total == 1 ? "" : "s");
	if (m->unread > 0 && m->filter == NULL)
		mb_buf_addf(out, ", %lld unread", (long long)m->unread);
	if (m->filter != NULL) {
		char *f = mb_sanitize(m->filter, MB_SANITIZE_LINE);

		mb_buf_addf(out, " matching '%s'", f);
		free(f);
	}
	if (m->sort != MB_SORT_DATE || !m->desc)
		mb_buf_addf(out, " %s by %s%s", ui_sym(ui, "\xc2\xb7", "-"), sort_names[m->sort],
		            m->desc ? " desc" : "");
}

/* ---- keys ------------------------------------------------------------------------------- */

/* Open the message under the cursor. Read here is read on the server: an unread message
   is marked \Seen there first, then in the cache (the job N starts, without the transcript
   pane over the message), when that needs no password prompt; a message of an account
   without a server is marked in the cache. */
static int
open_current(struct ui *ui, struct mbox *m)
{
	const struct mb_msg *msg = current(m);
	const struct mb_account *acct = m->acct != NULL ? m->acct : ui->acct;
	struct mb_error err = MB_ERROR_INIT;
	int64_t id;
	unsigned flags;

	if (msg == NULL)
		return UI_DONE;
	id = msg->id;
	flags = msg->flags;
	if (ui_message_open(ui, id) < 0 || (flags & MB_FLAG_SEEN) || acct == NULL)
		return UI_DONE;
	if (acct->imap.host == NULL && acct->pop3.host == NULL) {
		if (mb_store_msg_set_flags_id(ui->st, id, flags | MB_FLAG_SEEN, &err) < 0)
			ui_error_from(ui, "cannot mark the message read", &err);
		sb_load(ui, m); /* the unread counts */
		reload(ui, m);
	} else if (ui_password_at_hand(ui, acct))
		ui_sync_flags(ui, acct, id, flags | MB_FLAG_SEEN, true);
	else
		ui_msg(ui, "not marked read on the server: N does it (it asks for the password)");
	return UI_DONE;
}

static int
sidebar_key(struct ui *ui, struct ui_screen *s, int key)
{
	struct mbox *m = s->priv;
	const struct sb_item *it;
	int h = getmaxy(ui->wmain) - 1;

	if (ui_key_is_enter(key) || key == UI_K_RIGHT) {
		if (m->sb.cur >= m->nitems)
			return UI_DONE;
		it = &m->items[m->sb.cur];
		if (it->kind == SB_ACCOUNT)
			select_account(ui, m, it->acct);
		else
			select_mailbox(ui, m, it->acct, it->mailbox_id, it->full);
		s->focus = 1;
		return UI_DIRTY;
	}
	return ui_list_key(&m->sb, key, h);
}

static int
reply_key(struct ui *ui, struct mbox *m, enum ui_compose_kind kind)
{
	const struct mb_msg *msg = current(m);
	struct ui_compose_prefill p;
	struct mb_error err = MB_ERROR_INIT;

	if (msg == NULL)
		return UI_DONE;
	if (ui_reply_prefill(ui, msg->id, kind, &p, &err) < 0) {
		ui_error_from(ui, "cannot read the message", &err);
		return UI_DONE;
	}
	ui_compose_open(ui, &p);
	return UI_DONE;
}

static int
mbox_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct mbox *m = s->priv;
	const struct mb_msg *msg;
	int r;

	if (s->focus == 0) {
		r = sidebar_key(ui, s, key);
		if (r != UI_PASS)
			return r;
	}
	switch (key) {
	case 'F':
		ui_sync_fetch(ui, m->acct != NULL ? m->acct : ui->acct);
		return UI_DONE;
	case 'N':
		msg = current(m);
		if (msg != NULL)
			ui_sync_flags(ui, m->acct != NULL ? m->acct : ui->acct, msg->id,
			              msg->flags ^ MB_FLAG_SEEN, false);
		return UI_DONE;
	case 's':
		m->sort = (enum mb_sort)((m->sort + 1) % 4);
		m->desc = m->sort == MB_SORT_DATE || m->sort == MB_SORT_SIZE;
		m->cur = 0;
		load_at(ui, m, 0);
		ui_msg(ui, "sorted by %s", sort_names[m->sort]);
		return UI_DIRTY;
	case 'S':
		m->desc = !m->desc;
		m->cur = 0;
		load_at(ui, m, 0);
		return UI_DIRTY;
	case 'l':
		if (m->mailbox_id == 0)
			return UI_DONE;
		free(m->filter_before);
		m->filter_before = m->filter != NULL ? xstrdup(m->filter) : NULL;
		ui_prompt(ui, "Filter (From or Subject contains)", m->filter,
		          m->total <= LIVE_FILTER_MAX ? UI_PROMPT_LIVE : 0, filter_done,
		          filter_change, s);
		return UI_DONE;
	case '/':
		ui_prompt(ui, "Search (words; from: to: subject: body:)", NULL, 0, search_done,
		          NULL, s);
		return UI_DONE;
	case UI_K_ESC:
		if (m->searching) {
			m->searching = false;
			return UI_DIRTY;
		}
		if (m->filter != NULL) {
			apply_filter(ui, m, NULL);
			return UI_DIRTY;
		}
		return UI_PASS;
	case 'r':
		return reply_key(ui, m, UI_COMPOSE_REPLY);
	case 'A':
		return reply_key(ui, m, UI_COMPOSE_REPLY_ALL);
	case 'f':
		return reply_key(ui, m, UI_COMPOSE_FORWARD);
	case 'e':
		msg = current(m);
		if (msg != NULL)
			ui_envelope_open_msg(ui, msg->id);
		return UI_DONE;
	default:
		break;
	}
	if (ui_key_is_enter(key))
		return open_current(ui, m);
	if (m->searching)
		return ui_list_key(&m->rl, key, m->page);
	return list_move(ui, m, key);
}

static int
mbox_mouse(struct ui_screen *s, struct ui *ui, int y, int x, mmask_t bstate)
{
	struct mbox *m = s->priv;
	int wd = getmaxx(ui->wmain), sw = sidebar_width(wd), i, r = UI_DONE;
	bool up = (bstate & BUTTON4_PRESSED) != 0, down = false;
	int64_t row;

#ifdef BUTTON5_PRESSED
	down = (bstate & BUTTON5_PRESSED) != 0;
#endif
	if (x < sw) {
		s->focus = 0;
		if (up || down) {
			for (i = 0; i < 3; i++)
				ui_list_key(&m->sb, up ? UI_K_UP : UI_K_DOWN,
				            getmaxy(ui->wmain) - 1);
			return UI_DIRTY;
		}
		if ((bstate & BUTTON1_PRESSED) && y >= 1 &&
		    m->sb.top + (size_t)(y - 1) < m->nitems) {
			bool again = m->sb.cur == m->sb.top + (size_t)(y - 1);

			m->sb.cur = m->sb.top + (size_t)(y - 1);
			if (again)
				return sidebar_key(ui, s, UI_K_ENTER);
		}
		return UI_DIRTY;
	}
	s->focus = 1;
	if (up || down) {
		for (i = 0; i < 3; i++)
			r |= mbox_key(s, ui, up ? UI_K_UP : UI_K_DOWN);
		return r | UI_DIRTY;
	}
	if (!(bstate & BUTTON1_PRESSED) || y < 1)
		return UI_DIRTY;
	if (m->searching) {
		if (m->rl.top + (size_t)(y - 1) < m->results.n) {
			if (m->rl.cur == m->rl.top + (size_t)(y - 1))
				return open_current(ui, m);
			m->rl.cur = m->rl.top + (size_t)(y - 1);
		}
		return UI_DIRTY;
	}
	row = m->top + y - 1;
	if (row < m->top + (int64_t)m->rows.n) {
		if (row == m->cur)
			return open_current(ui, m);
		m->cur = row;
	}
	return UI_DIRTY;
}

static void
mbox_event(struct ui_screen *s, struct ui *ui, const struct mb_event *ev)
{
	struct mbox *m = s->priv;

	if (ev->kind != MB_EV_CHANGED && ev->kind != MB_EV_DONE)
		return;
	sb_load(ui, m);
	if (m->mailbox_id == 0 && m->acct != NULL)
		select_account(ui, m, m->acct);
	else
		reload(ui, m);
	ui_screen_dirty(ui, s);
}

static void
mbox_free(struct ui_screen *s)
{
	struct mbox *m = s->priv;

	sb_clear(m);
	rows_clear(&m->rows);
	rows_clear(&m->results);
	free(m->mailbox_name);
	free(m->filter);
	free(m->filter_before);
	free(m->query);
	free(m);
}

static const struct ui_screen_ops mbox_ops = {
        .name = "Mailbox",
        .hints = "Enter:open F:fetch /:search",
        .nfocus = 2,
        .draw = mbox_draw,
        .key = mbox_key,
        .mouse = mbox_mouse,
        .event = mbox_event,
        .title = mbox_title,
        .keys = mbox_keys,
        .free = mbox_free,
};

void
ui_mailbox_open(struct ui *ui)
{
	struct mbox *m = xcalloc(1, sizeof *m);
	struct ui_screen *s;

	m->sort = MB_SORT_DATE;
	m->desc = true;
	m->acct = ui->acct;
	m->page = ui->wmain != NULL ? getmaxy(ui->wmain) - 1 : 0;
	sb_load(ui, m);
	select_account(ui, m, ui->acct);
	sb_load(ui, m); /* mark the selection */
	s = ui_screen_push(ui, &mbox_ops, m);
	s->focus = 1;
}
