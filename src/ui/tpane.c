/*
 * tpane.c: the transcript pane: the live protocol conversation of every
 * job (C:/S: lines coloured by direction, timestamps, round-trip times,
 * TLS boundaries, each reply's meaning beside it), or a stored session
 * from the cache; scrollback, follow mode, wrapping, and export to a text
 * or Markdown file.
 *
 * Secrets are masked and message bodies summarised by the tap before a
 * line ever reaches the pane. Expanding a summary is a decision made per
 * session, not per line: D turns "show data" on for the sessions started
 * after it (the tap then passes bodies line by line); a stored session
 * keeps what was recorded. A message's own bytes are in its raw view.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/fileio.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define LIVE_MAX    5000                /* lines kept of the live transcript */
#define STORED_MAX  50000               /* lines loaded of a stored session */
#define STORED_RING (STORED_MAX + 1000) /* and room for the rules the pane adds */
#define SESSION_MAX 200                 /* sessions offered by the picker */

struct tl {
	uint64_t session;
	int64_t ts_us;
	enum mb_tdir dir;
	int code, rtt_ms, flags;
	char *text;    /* sanitised */
	char *meaning; /* sanitised, or NULL */
	bool sep;      /* a separator the pane made between sessions */
};

struct view {
	struct tl *v; /* a ring of cap lines */
	size_t cap, start, n;
	uint64_t dropped;
};

struct ui_tpane {
	struct view live, stored;
	bool showing_stored;
	char *stored_title;
	size_t top, cur; /* first line shown, selected line (view order) */
	bool follow, wrap, show_data;
	uint64_t last_session, last_job;
	int page;
};

const struct ui_keydoc ui_tpane_keys[] = {
        {"j k ↓ ↑", "select a line (stops following)"},
        {"PgUp PgDn g G", "scroll; G also follows new lines again"},
        {"f", "follow new lines on/off"},
        {"w", "wrap long lines on/off"},
        {"Enter", "about the selected line (a reply's command and meaning, a summary)"},
        {"D", "show message data in full in the next sessions (else summarised)"},
        {"x", "export to a file: text, or Markdown when the name ends in .md"},
        {"L", "open a stored session; l: back to the live transcript"},
        {"C", "clear the live transcript"},
        {"q Esc", "back to the screen (the pane stays); t hides it"},
        {NULL, NULL},
};

/* ---- the model -------------------------------------------------------------------------- */

static void
tl_release(struct tl *l)
{
	free(l->text);
	free(l->meaning);
}

static void
view_clear(struct view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		tl_release(&v->v[(v->start + i) % v->cap]);
	free(v->v);
	memset(v, 0, sizeof *v);
}

static struct tl *
view_at(struct view *v, size_t i)
{
	return &v->v[(v->start + i) % v->cap];
}

/* Append a line (taken over); the oldest goes when the ring is full. */
static void
view_push(struct view *v, size_t max, struct tl *l)
{
	if (v->cap == 0) {
		v->cap = max;
		v->v = xcalloc(v->cap, sizeof *v->v);
	}
	if (v->n == v->cap) {
		tl_release(&v->v[v->start]);
		v->start = (v->start + 1) % v->cap;
		v->n--;
		v->dropped++;
	}
	v->v[(v->start + v->n) % v->cap] = *l;
	v->n++;
}

struct ui_tpane *
ui_tpane_new(void)
{
	struct ui_tpane *tp = xcalloc(1, sizeof *tp);

	tp->follow = true;
	tp->wrap = true;
	return tp;
}

void
ui_tpane_free(struct ui_tpane *tp)
{
	if (tp == NULL)
		return;
	view_clear(&tp->live);
	view_clear(&tp->stored);
	free(tp->stored_title);
	free(tp);
}

static struct view *
cur_view(struct ui_tpane *tp)
{
	return tp->showing_stored ? &tp->stored : &tp->live;
}

/* After lines arrived or the view changed: keep following the end. */
static void
fit(struct ui_tpane *tp)
{
	struct view *v = cur_view(tp);
	size_t page = tp->page > 0 ? (size_t)tp->page : 1;

	if (v->n == 0) {
		tp->top = tp->cur = 0;
		return;
	}
	if (tp->follow) {
		tp->cur = v->n - 1;
		tp->top = v->n > page ? v->n - page : 0;
		return;
	}
	if (tp->cur >= v->n)
		tp->cur = v->n - 1;
	if (tp->cur < tp->top)
		tp->top = tp->cur;
	if (tp->cur >= tp->top + page)
		tp->top = tp->cur - page + 1;
}

static void push_sep(struct view *v, size_t max, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
push_sep(struct view *v, size_t max, const char *fmt, ...)
{
	struct tl l = {0};
	struct mb_buf b = MB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	l.sep = true;
	l.dir = MB_TDIR_INFO;
	l.rtt_ms = -1;
	l.text = mb_buf_detach(&b, NULL);
	view_push(v, max, &l);
}

/* A TLS line after plain ones: mark the boundary with a rule of its own. */
static void
tls_boundary(struct view *v, size_t max, enum mb_tdir dir)
{
	const struct tl *prev = v->n > 0 ? view_at(v, v->n - 1) : NULL;

	if (dir == MB_TDIR_TLS && prev != NULL && prev->dir != MB_TDIR_TLS && !prev->sep)
		push_sep(v, max, "TLS from here: the handshake, then everything is encrypted");
}

void
ui_tpane_add(struct ui *ui, const struct mb_event *ev)
{
	struct ui_tpane *tp = ui->tp;
	struct tl l = {0};

	if (ev->tline.session != tp->last_session || ev->job != tp->last_job) {
		if (ev->tline.session != 0)
			push_sep(&tp->live, LIVE_MAX, "session %llu",
			         (unsigned long long)ev->tline.session);
		else
			push_sep(&tp->live, LIVE_MAX, "new session");
		tp->last_session = ev->tline.session;
		tp->last_job = ev->job;
	}
	tls_boundary(&tp->live, LIVE_MAX, ev->tline.dir);
	l.session = ev->tline.session;
	l.ts_us = ev->tline.ts_us;
	l.dir = ev->tline.dir;
	l.code = ev->tline.code;
	l.rtt_ms = ev->tline.rtt_ms;
	l.flags = ev->tline.flags;
	l.text = xmalloc(1);
	l.text[0] = '\0';
	{
		struct mb_buf b = MB_BUF_INIT;

		mb_sanitize_add(&b, ev->tline.text, ev->tline.len, MB_SANITIZE_LINE);
		free(l.text);
		l.text = mb_buf_detach(&b, NULL);
	}
	if (ev->tline.meaning != NULL)
		l.meaning = mb_sanitize(ev->tline.meaning, MB_SANITIZE_LINE);
	view_push(&tp->live, LIVE_MAX, &l);
	if (!tp->showing_stored)
		fit(tp);
	ui->tp_dirty = true;
}

void
ui_tpane_note(struct ui *ui, int flags, const char *fmt, ...)
{
	struct ui_tpane *tp = ui->tp;
	struct tl l = {0};
	struct mb_buf b = MB_BUF_INIT;
	struct timespec ts;
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	l.ts_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	l.dir = MB_TDIR_INFO;
	l.rtt_ms = -1;
	l.flags = flags;
	l.text = mb_sanitize(b.data, MB_SANITIZE_LINE);
	mb_buf_release(&b);
	view_push(&tp->live, LIVE_MAX, &l);
	if (!tp->showing_stored)
		fit(tp);
	ui->tp_dirty = true;
}

bool
ui_tpane_show_data(struct ui *ui)
{
	return ui->tp->show_data;
}

/* ---- stored sessions -------------------------------------------------------------------- */

static void
session_label(const struct mb_session *s, struct mb_buf *out)
{
	time_t t = (time_t)(s->started_us / 1000000);
	struct tm tm;
	char when[32];

	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	mb_buf_addf(out, "#%lld %s %s %s %s:%d %s, %lld lines", (long long)s->id, when,
	            mb_store_proto_name(s->protocol), s->account, s->host, s->port,
	            s->result == MB_SESSION_OK      ? "ok"
	            : s->result == MB_SESSION_ERROR ? "failed"
	                                            : "unfinished",
	            (long long)s->nlines);
}

int
ui_tpane_load_session(struct ui *ui, int64_t session_id)
{
	struct ui_tpane *tp = ui->tp;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_session s;
	struct mb_tline_list lines;
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	if (mb_store_session_get(ui->st, session_id, &s, &err) < 0) {
		ui_error_from(ui, "cannot open the transcript", &err);
		return -1;
	}
	if (mb_store_session_lines(ui->st, session_id, 0, STORED_MAX, &lines, &err) < 0) {
		mb_session_release(&s);
		ui_error_from(ui, "cannot read the transcript", &err);
		return -1;
	}
	view_clear(&tp->stored);
	session_label(&s, &b);
	free(tp->stored_title);
	tp->stored_title = mb_sanitize(b.data, MB_SANITIZE_LINE);
	push_sep(&tp->stored, STORED_RING, "stored session %s", tp->stored_title);
	for (i = 0; i < lines.n; i++) {
		struct tl l = {0};
		const struct mb_tline_rec *r = &lines.v[i];
		struct mb_buf t = MB_BUF_INIT;

		tls_boundary(&tp->stored, STORED_RING, (enum mb_tdir)r->dir);
		l.session = (uint64_t)session_id;
		l.ts_us = r->ts_us;
		l.dir = (enum mb_tdir)r->dir;
		l.code = r->code;
		l.rtt_ms = r->rtt_ms;
		l.flags = (int)r->flags;
		mb_sanitize_add(&t, r->text, r->len, MB_SANITIZE_LINE);
		l.text = mb_buf_detach(&t, NULL);
		if (r->meaning != NULL && r->meaning[0] != '\0')
			l.meaning = mb_sanitize(r->meaning, MB_SANITIZE_LINE);
		view_push(&tp->stored, STORED_RING, &l);
	}
	if ((int64_t)lines.n < s.nlines)
		push_sep(&tp->stored, STORED_RING, "only the first %zu of %lld lines are shown",
		         lines.n, (long long)s.nlines);
	if (s.error[0] != '\0')
		push_sep(&tp->stored, STORED_RING, "the session ended with: %s", s.error);
	tp->showing_stored = true;
	tp->follow = false;
	tp->top = tp->cur = 0;
	mb_buf_release(&b);
	mb_tline_list_release(&lines);
	mb_session_release(&s);
	ui_tpane_show(ui, true);
	ui->tp_focus = true;
	ui->tp_dirty = true;
	ui_screen_dirty(ui, NULL);
	ui_msg(ui, "stored transcript %s (l: back to the live one)", tp->stored_title);
	return 0;
}

struct pick_ctx {
	int64_t *ids;
	size_t n;
};

static void
picked(struct ui *ui, void *ctx, const char *text)
{
	struct pick_ctx *p = ctx;
	size_t i;

	if (text != NULL) {
		i = strtoul(text, NULL, 10);
		if (i < p->n)
			ui_tpane_load_session(ui, p->ids[i]);
	}
	free(p->ids);
	free(p);
}

void
ui_tpane_pick_session(struct ui *ui, int64_t outbox_id)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_session_list l;
	struct pick_ctx *p;
	char **items;
	size_t i;

	if (mb_store_session_list(ui->st, outbox_id, SESSION_MAX, &l, &err) < 0) {
		ui_error_from(ui, "cannot list the stored transcripts", &err);
		return;
	}
	if (l.n == 0) {
		ui_msg(ui, outbox_id ? "no stored transcript for this message"
		                     : "no stored transcripts yet: fetch or send first");
		mb_session_list_release(&l);
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->ids = xcalloc(l.n, sizeof *p->ids);
	p->n = l.n;
	items = xcalloc(l.n, sizeof *items);
	for (i = 0; i < l.n; i++) {
		struct mb_buf b = MB_BUF_INIT;

		session_label(&l.v[i], &b);
		items[i] = mb_buf_detach(&b, NULL);
		p->ids[i] = l.v[i].id;
	}
	ui_pick(ui, "Stored transcripts (newest first)", (const char *const *)items, l.n, 0, picked,
	        p);
	for (i = 0; i < l.n; i++)
		free(items[i]);
	free(items);
	mb_session_list_release(&l);
}

/* ---- drawing ---------------------------------------------------------------------------- */

enum ui_elem
ui_tline_elem(enum mb_tdir dir, int flags, int code)
{
	if (flags & MB_TL_ERROR)
		return UI_E_T_ERROR;
	if (flags & MB_TL_WARN)
		return UI_E_T_WARN;
	if (flags & (MB_TL_SUMMARY | MB_TL_LITERAL))
		return UI_E_T_SUMMARY;
	switch (dir) {
	case MB_TDIR_CLIENT:
		return UI_E_T_CLIENT;
	case MB_TDIR_SERVER:
		if (code >= 500 || code == 2 || code == 3)
			return UI_E_T_SERVER_PERM; /* 5xx, -ERR, NO, BAD */
		if (code >= 400)
			return UI_E_T_SERVER_TEMP;
		return UI_E_T_SERVER_OK;
	case MB_TDIR_TLS:
		return UI_E_T_TLS;
	default:
		return UI_E_T_INFO;
	}
}

static enum ui_elem
line_elem(const struct tl *l)
{
	return l->sep ? UI_E_T_SESSION : ui_tline_elem(l->dir, l->flags, l->code);
}

static const char *
dir_tag(struct ui *ui, const struct tl *l)
{
	switch (l->dir) {
	case MB_TDIR_CLIENT:
		return "C: ";
	case MB_TDIR_SERVER:
		return "S: ";
	case MB_TDIR_TLS:
		return "TLS ";
	default:
		return "*  ";
	}
}

/* One transcript line as a document line: time, tag, text, meaning. */
static void
render(struct ui *ui, struct ui_doc *d, const struct tl *l, bool selected, bool narrow)
{
	enum ui_elem e = selected ? UI_E_SELECTED : line_elem(l);
	time_t t = (time_t)(l->ts_us / 1000000);
	struct tm tm;
	char ts[16];
	const char *tag;

	if (l->sep) {
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_SESSION,
		            ui_sym(ui, "\xe2\x94\x80\xe2\x94\x80 ", "-- "));
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_SESSION, l->text);
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_SESSION,
		            ui_sym(ui, " \xe2\x94\x80\xe2\x94\x80", " --"));
		ui_doc_newline(d);
		return;
	}
	if (!narrow) {
		localtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%H:%M:%S", &tm);
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_TIME, ts);
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_TIME, " ");
	}
	tag = dir_tag(ui, l);
	ui_doc_indent(d, narrow ? 3 : 12);
	ui_doc_adds(d, e, tag);
	ui_doc_adds(d, e, l->text);
	if (l->meaning != NULL || l->rtt_ms >= 0) {
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_MEANING,
		            ui_sym(ui, "  \xe2\x86\x90 ", "  <- "));
		if (l->meaning != NULL)
			ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_MEANING, l->meaning);
		if (l->rtt_ms >= 0)
			ui_doc_addf(d, selected ? UI_E_SELECTED : UI_E_T_MEANING, "%s(%d ms)",
			            l->meaning != NULL ? " " : "", l->rtt_ms);
	}
	if (l->flags & (MB_TL_SUMMARY | MB_TL_LITERAL))
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_MEANING, "  [Enter]");
	if (l->flags & MB_TL_MASKED)
		ui_doc_adds(d, selected ? UI_E_SELECTED : UI_E_T_MEANING, "  (secret masked)");
	ui_doc_newline(d);
}

void
ui_tpane_draw(struct ui *ui, WINDOW *w, bool focused)
{
	struct ui_tpane *tp = ui->tp;
	struct view *v = cur_view(tp);
	struct ui_doc d;
	struct mb_buf t = MB_BUF_INIT;
	int h, wd, x0 = 0, y0 = 1, rows, width;
	size_t i, first, rn;
	bool beside = ui->cols >= UI_WIDE_COLS;

	getmaxyx(w, h, wd);
	if (beside) {
		ui_set(ui, w, UI_E_BORDER);
		ui_vline(ui, w, 0, 0, h);
		x0 = 1;
	}
	width = wd - x0 - 1;
	rows = h - y0;
	tp->page = rows;
	/* the title row */
	ui_set(ui, w, focused ? UI_E_PANE_TITLE_FOCUS : UI_E_PANE_TITLE);
	ui_fill(w, 0, x0, wd - x0);
	mb_buf_addstr(&t, " Transcript ");
	if (tp->showing_stored)
		mb_buf_addf(&t, "(stored %s)", tp->stored_title);
	else
		mb_buf_addstr(&t, "(live)");
	mb_buf_addf(&t, "%s%s%s ", tp->follow ? " follow" : "", tp->wrap ? " wrap" : "",
	            tp->show_data ? " data:full" : "");
	if (v->dropped > 0 && !tp->showing_stored)
		mb_buf_addf(&t, "[%llu older lines dropped] ", (unsigned long long)v->dropped);
	if (!focused)
		mb_buf_addstr(&t, " Tab:focus t:hide");
	ui_puts(ui, w, 0, x0, t.data, width);
	mb_buf_release(&t);
	if (rows <= 0)
		return;
	fit(tp);
	ui_doc_init(&d);
	d.nowrap = !tp->wrap;
	if (v->n == 0) {
		ui_doc_adds(&d, UI_E_DIM,
		            tp->showing_stored ? "(an empty session)"
		                               : "No session yet. F fetches, c composes, R opens "
		                                 "the raw console: their conversation with the "
		                                 "server appears here as it happens.");
		ui_doc_newline(&d);
		ui_doc_draw(ui, &d, w, y0, x0 + 1, rows, width);
		ui_doc_release(&d);
		return;
	}
	/* build only the lines that can show; with follow, bottom-aligned */
	first = tp->top;
	if (tp->follow)
		first = v->n > (size_t)rows ? v->n - (size_t)rows : 0;
	for (i = first; i < v->n && i < first + (size_t)rows; i++)
		render(ui, &d, view_at(v, i), focused && i == tp->cur, width < 60);
	rn = ui_doc_rows(&d, width);
	if (tp->follow && rn > (size_t)rows)
		d.top = rn - (size_t)rows;
	ui_doc_draw(ui, &d, w, y0, x0 + 1, rows, width);
	ui_doc_release(&d);
}

/* ---- export ----------------------------------------------------------------------------- */

static void
export_line(struct mb_buf *b, const struct tl *l, bool md)
{
	time_t t = (time_t)(l->ts_us / 1000000);
	struct tm tm;
	char ts[32];
	const char *tag;
	size_t i;

	if (l->sep) {
		mb_buf_addf(b, md ? "| | | **%s** | |\n" : "---- %s ----\n", l->text);
		return;
	}
	localtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	tag = l->dir == MB_TDIR_CLIENT   ? "C"
	      : l->dir == MB_TDIR_SERVER ? "S"
	      : l->dir == MB_TDIR_TLS    ? "TLS"
	                                 : "*";
	if (!md) {
		mb_buf_addf(b, "%s.%03d %-3s %s", ts, (int)(l->ts_us / 1000 % 1000), tag, l->text);
		if (l->meaning != NULL || l->rtt_ms >= 0) {
			mb_buf_addstr(b, "    <- ");
			if (l->meaning != NULL)
				mb_buf_addstr(b, l->meaning);
			if (l->rtt_ms >= 0)
				mb_buf_addf(b, "%s(%d ms)", l->meaning ? " " : "", l->rtt_ms);
		}
		mb_buf_addch(b, '\n');
		return;
	}
	mb_buf_addf(b, "| %s.%03d | %s | `", ts, (int)(l->ts_us / 1000 % 1000), tag);
	for (i = 0; l->text[i] != '\0'; i++) {
		if (l->text[i] == '|')
			mb_buf_addstr(b, "\\|");
		else if (l->text[i] == '`')
			mb_buf_addch(b, '\'');
		else
			mb_buf_addch(b, l->text[i]);
	}
	mb_buf_addstr(b, "` | ");
	for (i = 0; l->meaning != NULL && l->meaning[i] != '\0'; i++) {
		if (l->meaning[i] == '|')
			mb_buf_addstr(b, "\\|");
		else
			mb_buf_addch(b, l->meaning[i]);
	}
	if (l->rtt_ms >= 0)
		mb_buf_addf(b, "%s%d ms", l->meaning ? ", " : "", l->rtt_ms);
	mb_buf_addstr(b, " |\n");
}

static void
export_to(struct ui *ui, void *ctx, const char *path)
{
	struct ui_tpane *tp = ui->tp;
	struct view *v = cur_view(tp);
	struct mb_buf b = MB_BUF_INIT;
	const char *home = getenv("HOME");
	char *full;
	size_t i, len;
	bool md;
	int fd;

	(void)ctx;
	if (path == NULL || path[0] == '\0')
		return;
	if (strncmp(path, "~/", 2) == 0 && home != NULL)
		full = xasprintf("%s/%s", home, path + 2);
	else
		full = xstrdup(path);
	len = strlen(full);
	md = len > 3 && strcmp(full + len - 3, ".md") == 0;
	if (md)
		mb_buf_addf(&b,
		            "# mailbench transcript%s%s\n\n| time | dir | line | meaning |\n"
		            "|---|---|---|---|\n",
		            tp->showing_stored ? ": " : " (live)",
		            tp->showing_stored ? tp->stored_title : "");
	else
		mb_buf_addf(&b, "# mailbench transcript%s%s\n",
		            tp->showing_stored ? ": " : " (live)",
		            tp->showing_stored ? tp->stored_title : "");
	for (i = 0; i < v->n; i++)
		export_line(&b, view_at(v, i), md);
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* the reason first: a long path is what the status bar cuts */
		if (errno == EEXIST)
			ui_error(ui,
			         "not exported: the file exists already (choose another "
			         "name): '%s'",
			         full);
		else
			ui_error(ui, "cannot create the file (%s): '%s'", strerror(errno), full);
	} else if (mb_write_all(fd, b.data, b.len) < 0 || close(fd) < 0) {
		ui_error(ui, "cannot write the file (%s): '%s'", strerror(errno), full);
	} else {
		ui_msg(ui, "transcript (%zu lines, %s) written to '%s'", v->n,
		       md ? "Markdown" : "text", full);
	}
	free(full);
	mb_buf_release(&b);
}

static void
export_prompt(struct ui *ui)
{
	char name[64], *cwd = getcwd(NULL, 0), *def;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(name, sizeof name, "transcript-%Y%m%d-%H%M%S.txt", &tm);
	def = xasprintf("%s/%s", cwd != NULL ? cwd : ".", name);
	ui_prompt(ui, "Export transcript to (.md for Markdown)", def, UI_PROMPT_PATH, export_to,
	          NULL, NULL);
	free(def);
	free(cwd);
}

/* ---- keys ------------------------------------------------------------------------------- */

static void
about_line(struct ui *ui, const struct tl *l)
{
	if (l->sep) {
		ui_msg(ui, "%s", l->text);
	} else if (l->flags & (MB_TL_SUMMARY | MB_TL_LITERAL)) {
		ui_msg(ui, "message data is summarised here; D shows it in full in the next "
		           "sessions, and a message's raw view (3) has its exact bytes");
	} else if (l->dir == MB_TDIR_SERVER && l->meaning != NULL) {
		ui_msg(ui, "reply %d: %s%s", l->code, l->meaning,
		       l->rtt_ms >= 0 ? " (round trip shown in ms)" : "");
	} else if (l->flags & MB_TL_MASKED) {
		ui_msg(ui,
		       "a secret was on this line: it is masked before anything shows or stores "
		       "it");
	} else {
		ui_msg(ui, "%s", l->text);
	}
}

int
ui_tpane_key(struct ui *ui, int key)
{
	struct ui_tpane *tp = ui->tp;
	struct view *v = cur_view(tp);
	struct ui_list l = {v->n, tp->cur, tp->top};
	int r;

	switch (key) {
	case 'f':
		tp->follow = !tp->follow;
		fit(tp);
		ui_msg(ui, "follow %s", tp->follow ? "on" : "off");
		return UI_DIRTY;
	case 'w':
		tp->wrap = !tp->wrap;
		return UI_DIRTY;
	case 'D':
		tp->show_data = !tp->show_data;
		ui_msg(ui, "%s",
		       tp->show_data ? "message data will show in full in the next sessions"
		                     : "message data will be summarised in the next "
		                       "sessions");
		return UI_DIRTY;
	case 'x':
		export_prompt(ui);
		return UI_DONE;
	case 'L':
		ui_tpane_pick_session(ui, 0);
		return UI_DONE;
	case 'l':
		if (tp->showing_stored) {
			tp->showing_stored = false;
			tp->follow = true;
			fit(tp);
			ui_msg(ui, "live transcript");
		}
		return UI_DIRTY;
	case 'C':
		if (!tp->showing_stored) {
			view_clear(&tp->live);
			tp->top = tp->cur = 0;
		}
		return UI_DIRTY;
	default:
		break;
	}
	if (ui_key_is_enter(key)) {
		if (v->n > 0 && tp->cur < v->n)
			about_line(ui, view_at(v, tp->cur));
		return UI_DONE;
	}
	r = ui_list_key(&l, key, tp->page);
	if (r == UI_PASS)
		return UI_PASS;
	tp->cur = l.cur;
	tp->top = l.top;
	tp->follow = v->n > 0 && tp->cur == v->n - 1 && (key == 'G' || key == UI_K_END);
	return UI_DIRTY;
}

int
ui_tpane_mouse(struct ui *ui, int y, int x, mmask_t bstate)
{
	struct ui_tpane *tp = ui->tp;
	int r = UI_DONE, i;

	(void)x;
	if (bstate & BUTTON4_PRESSED) {
		for (i = 0; i < 3; i++)
			r |= ui_tpane_key(ui, UI_K_UP);
		return r;
	}
#ifdef BUTTON5_PRESSED
	if (bstate & BUTTON5_PRESSED) {
		for (i = 0; i < 3; i++)
			r |= ui_tpane_key(ui, UI_K_DOWN);
		return r;
	}
#endif
	if ((bstate & BUTTON1_PRESSED) && y >= 1 && !tp->follow) {
		size_t n = cur_view(tp)->n, c = tp->top + (size_t)(y - 1);

		if (c < n)
			tp->cur = c;
	}
	return UI_DIRTY;
}
