/*
 * draw.c: drawing helpers shared by every screen: width-aware text output
 * (every string is cut at a character boundary by display width, so wide
 * and combining characters never break a column), symbols with ASCII
 * stand-ins, size and date formats, scrollable lists, and documents
 * (styled lines laid out for a width and scrolled by rows).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

/* ---- text ------------------------------------------------------------------------------- */

int
ui_put(struct ui *ui, WINDOW *w, int y, int x, const char *s, size_t len, int width)
{
	int maxy, maxx, cols = 0;
	size_t n, fit, i, k;
	uint32_t cp;

	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx)
		return 0;
	if (width > maxx - x)
		width = maxx - x;
	if (width <= 0 || len == 0)
		return 0;
	if (ui->utf8) {
		n = mb_width_truncate(s, len, (size_t)width, &fit);
		mvwaddnstr(w, y, x, s, (int)n);
		return (int)fit;
	}
	/* not a UTF-8 locale: one '?' per non-ASCII character */
	wmove(w, y, x);
	for (i = 0; i < len && cols < width; i += k) {
		k = mb_utf8_next(s + i, len - i, &cp);
		if (k == 0)
			k = 1;
		waddch(w, (unsigned char)s[i] < 0x80 ? (chtype)(unsigned char)s[i] : '?');
		cols++;
	}
	return cols;
}

int
ui_puts(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width)
{
	return ui_put(ui, w, y, x, s, strlen(s), width);
}

int
ui_put_net(struct ui *ui, WINDOW *w, int y, int x, const char *raw, int width)
{
	char *safe = mb_sanitize(raw, MB_SANITIZE_LINE);
	char *fit;
	int n;

	if (width <= 0) {
		free(safe);
		return 0;
	}
	if ((int)mb_display_width(safe, strlen(safe)) > width) {
		fit = mb_width_fit(safe, (size_t)width);
		n = ui_puts(ui, w, y, x, fit, width);
		free(fit);
	} else {
		n = ui_puts(ui, w, y, x, safe, width);
	}
	free(safe);
	return n;
}

void
ui_put_fit(struct ui *ui, WINDOW *w, int y, int x, const char *s, int width)
{
	char *fit;

	if (width <= 0)
		return;
	fit = mb_width_fit(s, (size_t)width);
	ui_puts(ui, w, y, x, fit, width);
	free(fit);
}

void
ui_fill(WINDOW *w, int y, int x, int width)
{
	int maxy, maxx, i;

	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy)
		return;
	if (width > maxx - x)
		width = maxx - x;
	wmove(w, y, x);
	for (i = 0; i < width; i++)
		waddch(w, ' ');
}

void
ui_hline(struct ui *ui, WINDOW *w, int y, int x, int width)
{
	int maxy, maxx;

	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x >= maxx)
		return;
	if (width > maxx - x)
		width = maxx - x;
	/* box characters as text, not the terminal's alternate charset: vt100's SO/SI
	 * switching shows as letters in some emulators */
	for (; width > 0; width--, x++)
		mvwaddstr(w, y, x, ui->utf8 ? "\xe2\x94\x80" : "-");
}

void
ui_vline(struct ui *ui, WINDOW *w, int y, int x, int height)
{
	int maxy, maxx;

	getmaxyx(w, maxy, maxx);
	if (x < 0 || x >= maxx)
		return;
	for (; height > 0 && y < maxy; height--, y++)
		mvwaddstr(w, y, x, ui->utf8 ? "\xe2\x94\x82" : "|");
}

void
ui_box(struct ui *ui, WINDOW *w)
{
	int h, wd;

	getmaxyx(w, h, wd);
	ui_hline(ui, w, 0, 1, wd - 2);
	ui_hline(ui, w, h - 1, 1, wd - 2);
	ui_vline(ui, w, 1, 0, h - 2);
	ui_vline(ui, w, 1, wd - 1, h - 2);
	mvwaddstr(w, 0, 0, ui->utf8 ? "\xe2\x94\x8c" : "+");
	mvwaddstr(w, 0, wd - 1, ui->utf8 ? "\xe2\x94\x90" : "+");
	mvwaddstr(w, h - 1, 0, ui->utf8 ? "\xe2\x94\x94" : "+");
	/* the bottom-right cell: writing it may fail (the cursor cannot move on), harmlessly */
	mvwaddstr(w, h - 1, wd - 1, ui->utf8 ? "\xe2\x94\x98" : "+");
}

const char *
ui_sym(struct ui *ui, const char *utf8, const char *ascii)
{
	return ui->utf8 ? utf8 : ascii;
}

void
ui_fmt_size(int64_t n, char *buf, size_t size)
{
	if (n < 0)
		n = 0;
	if (n < 1000)
		snprintf(buf, size, "%d", (int)n);
	else if (n < 10 * 1000)
		snprintf(buf, size, "%.1fK", n / 1024.0);
	else if (n < 1000 * 1000)
		snprintf(buf, size, "%dK", (int)(n / 1024));
	else if (n < 10 * 1000 * 1000)
		snprintf(buf, size, "%.1fM", n / 1048576.0);
	else if (n < 1000LL * 1000 * 1000)
		snprintf(buf, size, "%dM", (int)(n / 1048576));
	else
		snprintf(buf, size, "%.1fG", n / 1073741824.0);
}

void
ui_fmt_date(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t, now = time(NULL);
	struct tm tm, tn;

	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	localtime_r(&tt, &tm);
	localtime_r(&now, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, size, "%H:%M", &tm);
	else if (tm.tm_year == tn.tm_year)
		strftime(buf, size, "%b %d", &tm);
	else
		strftime(buf, size, "%Y-%m-%d", &tm);
}

/* ---- lists ------------------------------------------------------------------------------ */

void
ui_list_fit(struct ui_list *l, int page)
{
	size_t p = page > 0 ? (size_t)page : 1;

	if (l->n == 0) {
		l->cur = l->top = 0;
		return;
	}
	if (l->cur >= l->n)
		l->cur = l->n - 1;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + p)
		l->top = l->cur - p + 1;
	if (l->top + p > l->n)
		l->top = l->n > p ? l->n - p : 0;
}

int
ui_list_key(struct ui_list *l, int key, int page)
{
	size_t old_cur = l->cur, old_top = l->top, p = page > 1 ? (size_t)page : 1;

	switch (key) {
	case 'j':
	case UI_K_DOWN:
		if (l->cur + 1 < l->n)
			l->cur++;
		break;
	case 'k':
	case UI_K_UP:
		if (l->cur > 0)
			l->cur--;
		break;
	case 'g':
	case UI_K_HOME:
		l->cur = 0;
		break;
	case 'G':
	case UI_K_END:
		l->cur = l->n > 0 ? l->n - 1 : 0;
		break;
	case UI_K_PGDN:
	case ' ':
	case UI_CTRL('f'):
		l->top += p;
		l->cur += p;
		if (l->n == 0)
			l->cur = 0;
		else if (l->cur >= l->n)
			l->cur = l->n - 1;
		break;
	case UI_K_PGUP:
	case UI_CTRL('b'):
		l->top = l->top > p ? l->top - p : 0;
		l->cur = l->cur > p ? l->cur - p : 0;
		break;
	default:
		return UI_PASS;
	}
	ui_list_fit(l, page);
	return l->cur != old_cur || l->top != old_top ? UI_DIRTY : UI_DONE;
}

/* ---- documents -------------------------------------------------------------------------- */

void
ui_doc_init(struct ui_doc *d)
{
	memset(d, 0, sizeof *d);
}

void
ui_doc_release(struct ui_doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->lines[i].text);
		free(d->lines[i].segs);
	}
	free(d->lines);
	free(d->rows);
	ui_doc_init(d);
}

static struct ui_dline *
cur_line(struct ui_doc *d)
{
	if (!d->open_line) {
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 64;
			d->lines = xreallocarray(d->lines, d->cap, sizeof *d->lines);
		}
		memset(&d->lines[d->n], 0, sizeof d->lines[d->n]);
		d->n++;
		d->open_line = true;
	}
	d->width = 0;
	return &d->lines[d->n - 1];
}

void
ui_doc_add(struct ui_doc *d, int elem, const char *s, size_t len)
{
	struct ui_dline *l = cur_line(d);
	struct ui_seg *last;

	if (len == 0)
		return;
	l->text = realloc(l->text, l->len + len + 1);
	if (l->text == NULL)
		abort();
	memcpy(l->text + l->len, s, len);
	last = l->nsegs > 0 ? &l->segs[l->nsegs - 1] : NULL;
	if (last != NULL && last->elem == elem && last->off + last->len == l->len) {
		last->len += (uint32_t)len;
	} else {
		l->segs = xreallocarray(l->segs, l->nsegs + 1, sizeof *l->segs);
		l->segs[l->nsegs].off = (uint32_t)l->len;
		l->segs[l->nsegs].len = (uint32_t)len;
		l->segs[l->nsegs].elem = (uint16_t)elem;
		l->nsegs++;
	}
	l->len += len;
	l->text[l->len] = '\0';
}

void
ui_doc_adds(struct ui_doc *d, int elem, const char *s)
{
	ui_doc_add(d, elem, s, strlen(s));
}

void
ui_doc_addf(struct ui_doc *d, int elem, const char *fmt, ...)
{
	struct mb_buf b = MB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	ui_doc_add(d, elem, b.data, b.len);
	mb_buf_release(&b);
}

void
ui_doc_add_net(struct ui_doc *d, int elem, const char *raw, size_t len, int mode)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i, start = 0;

	mb_sanitize_add(&b, raw, len, (enum mb_sanitize_mode)mode);
	if (mode != MB_SANITIZE_TEXT) {
		ui_doc_add(d, elem, b.data, b.len);
		mb_buf_release(&b);
		return;
	}
	for (i = 0; i <= b.len; i++) {
		if (i < b.len && b.data[i] != '\n')
			continue;
		ui_doc_add(d, elem, b.data + start, i - start);
		if (i < b.len)
			ui_doc_newline(d);
		start = i + 1;
	}
	mb_buf_release(&b);
}

void
ui_doc_newline(struct ui_doc *d)
{
	cur_line(d);
	d->open_line = false;
}

void
ui_doc_indent(struct ui_doc *d, int cols)
{
	cur_line(d)->indent = (uint16_t)(cols < 0 ? 0 : cols > 200 ? 200 : cols);
}

static void
add_row(struct ui_doc *d, size_t line, size_t off, size_t len, int indent)
{
	if (d->nrows == d->rows_cap) {
		d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 256;
		d->rows = xreallocarray(d->rows, d->rows_cap, sizeof *d->rows);
	}
	d->rows[d->nrows].line = (uint32_t)line;
	d->rows[d->nrows].off = (uint32_t)off;
	d->rows[d->nrows].len = (uint32_t)len;
	d->rows[d->nrows].indent = (uint16_t)indent;
	d->nrows++;
}

/* The columns of one character at s (sanitised text: no controls). */
static size_t
char_cols(const char *s, size_t len, size_t *k)
{
	uint32_t cp;

	if ((unsigned char)s[0] < 0x80) {
		*k = 1;
		return 1;
	}
	*k = mb_utf8_next(s, len, &cp);
	if (*k == 0)
		*k = 1;
	return mb_display_width(s, *k);
}

/* Wrap line li into rows of at most width columns, preferring to break after a blank. */
static void
layout_line(struct ui_doc *d, size_t li, int width)
{
	const struct ui_dline *l = &d->lines[li];
	size_t start = 0, i, k = 1, cols, c, brk;
	int avail, indent = 0;

	if (l->len == 0 || d->nowrap) {
		add_row(d, li, 0, l->len, 0);
		return;
	}
	while (start < l->len) {
		avail = width - indent;
		if (avail < 8)
			avail = width > 0 ? width : 1;
		cols = 0;
		brk = 0;
		for (i = start; i < l->len; i += k) {
			c = char_cols(l->text + i, l->len - i, &k);
			if (cols + c > (size_t)avail)
				break;
			cols += c;
			if (l->text[i] == ' ')
				brk = i + 1;
		}
		if (i < l->len && brk > start && (brk - start) * 3 >= (i - start))
			i = brk;
		if (i == start)
			i = start + k; /* a character wider than the row: show it anyway */
		add_row(d, li, start, i - start, indent);
		start = i;
		indent = l->indent;
	}
}

static void
doc_layout(struct ui_doc *d, int width)
{
	size_t i;

	if (width < 1)
		width = 1;
	if (d->width == width)
		return;
	d->nrows = 0;
	for (i = 0; i < d->n; i++)
		layout_line(d, i, width);
	d->width = width;
}

size_t
ui_doc_rows(struct ui_doc *d, int width)
{
	doc_layout(d, width);
	return d->nrows;
}

void
ui_doc_draw(struct ui *ui, struct ui_doc *d, WINDOW *w, int y, int x, int h, int width)
{
	size_t r, s, a, b, maxtop;
	int row, cx;
	const struct ui_drow *dr;
	const struct ui_dline *l;
	const struct ui_seg *sg;

	doc_layout(d, width);
	maxtop = d->nrows > (size_t)h ? d->nrows - (size_t)h : 0;
	if (d->top > maxtop)
		d->top = maxtop;
	for (row = 0, r = d->top; row < h && r < d->nrows; row++, r++) {
		dr = &d->rows[r];
		l = &d->lines[dr->line];
		cx = x + dr->indent;
		for (s = 0; s < l->nsegs; s++) {
			sg = &l->segs[s];
			a = sg->off > dr->off ? sg->off : dr->off;
			b = sg->off + sg->len < dr->off + dr->len ? sg->off + sg->len
			                                          : dr->off + dr->len;
			if (a >= b)
				continue;
			ui_set(ui, w, (enum ui_elem)sg->elem);
			cx += ui_put(ui, w, y + row, cx, l->text + a, b - a, x + width - cx);
		}
	}
	ui_set(ui, w, UI_E_NORMAL);
}

int
ui_doc_key(struct ui_doc *d, int key, int page)
{
	size_t old = d->top, p = page > 1 ? (size_t)page - 1 : 1;
	size_t maxtop = d->nrows > (size_t)page ? d->nrows - (size_t)page : 0;

	switch (key) {
	case 'j':
	case UI_K_DOWN:
	case UI_K_ENTER:
		d->top++;
		break;
	case 'k':
	case UI_K_UP:
		if (d->top > 0)
			d->top--;
		break;
	case 'g':
	case UI_K_HOME:
		d->top = 0;
		break;
	case 'G':
	case UI_K_END:
		d->top = maxtop;
		break;
	case UI_K_PGDN:
	case ' ':
	case UI_CTRL('f'):
		d->top += p;
		break;
	case UI_K_PGUP:
	case 'b':
	case UI_CTRL('b'):
		d->top = d->top > p ? d->top - p : 0;
		break;
	default:
		return UI_PASS;
	}
	if (d->top > maxtop)
		d->top = maxtop;
	return d->top != old ? UI_DIRTY : UI_DONE;
}
