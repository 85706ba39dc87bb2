/*
 * body.c: the multi-line editor of compose's message body. The text is a
 * vector of lines (UTF-8, no control character but TAB, nothing invisible),
 * the cursor a line and a byte offset. On screen long lines wrap at
 * character boundaries (wide characters never split), TAB shows as spaces
 * to the next multiple of 8 columns, and the view scrolls by rows so the
 * cursor always shows. Keys: characters insert, Enter splits, Backspace
 * and Delete join lines at their ends, arrows move (Up/Down by rows on
 * screen, keeping the column), Home/End (^A/^E), PgUp/PgDn, ^K and ^U cut
 * to the end / the start of the line. A paste arrives as keys and lands as
 * typed: its line breaks (CR or LF) start lines, its TABs stay TABs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/screens.h"

#define BODY_MAX_LINES 200000 /* a body beyond this is cut when loaded */
#define TAB_COLS       8

/* ---- the lines -------------------------------------------------------------------------- */

static struct mb_buf *
line_insert(struct ui_body *b, size_t at)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->lines = xreallocarray(b->lines, b->cap, sizeof *b->lines);
	}
	memmove(b->lines + at + 1, b->lines + at, (b->n - at) * sizeof *b->lines);
	mb_buf_init(&b->lines[at]);
	b->n++;
	return &b->lines[at];
}

static void
line_remove(struct ui_body *b, size_t at)
{
	mb_buf_release(&b->lines[at]);
	memmove(b->lines + at, b->lines + at + 1, (b->n - at - 1) * sizeof *b->lines);
	b->n--;
}

static void
lines_clear(struct ui_body *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		mb_buf_release(&b->lines[i]);
	b->n = 0;
}

/* Append s[0..len) to line l without what may not be in the body. */
static void
add_clean(struct mb_buf *l, const char *s, size_t len)
{
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < len; i += k) {
		k = mb_utf8_next(s + i, len - i, &cp);
		if (k == 0)
			k = 1;
		if (cp == MB_UTF8_INVALID) {
			mb_utf8_add(l, 0xFFFD);
			continue;
		}
		if ((cp < 0x20 && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    mb_cp_hidden(cp))
			continue;
		mb_buf_add(l, s + i, k);
	}
}

void
ui_body_set(struct ui_body *b, const char *text, size_t len)
{
	size_t i, start = 0;
	struct mb_buf *l;

	lines_clear(b);
	for (i = 0; i <= len && b->n < BODY_MAX_LINES; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len && b->n > 0)
			break; /* the text's final line end starts no line */
		l = line_insert(b, b->n);
		/* CR LF is a line end; a CR elsewhere is dropped with the other controls */
		add_clean(l, text + start, i - start);
		start = i + 1;
	}
	if (b->n == 0)
		line_insert(b, 0);
	b->line = b->col = b->top = b->top_row = 0;
	b->goal = -1;
	b->changed = true;
}

void
ui_body_init(struct ui_body *b, const char *text)
{
	memset(b, 0, sizeof *b);
	ui_body_set(b, text != NULL ? text : "", text != NULL ? strlen(text) : 0);
	b->changed = false;
}

void
ui_body_release(struct ui_body *b)
{
	lines_clear(b);
	free(b->lines);
	memset(b, 0, sizeof *b);
}

void
ui_body_text(const struct ui_body *b, struct mb_buf *out)
{
	size_t i, n = b->n;

	/* trailing empty lines are not part of the message */
	while (n > 0 && b->lines[n - 1].len == 0)
		n--;
	for (i = 0; i < n; i++) {
		mb_buf_add(out, b->lines[i].data, b->lines[i].len);
		mb_buf_addch(out, '\n');
	}
}

bool
ui_body_empty(const struct ui_body *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->lines[i].len > 0)
			return false;
	return true;
}

/* ---- layout: rows of a line ------------------------------------------------------------- */

/* Columns of the character at s (k: its bytes) when it starts at column col of a row. */
static int
ch_cols(const char *s, size_t len, int col, size_t *k)
{
	uint32_t cp;

	if (s[0] == '\t') {
		*k = 1;
		return TAB_COLS - col % TAB_COLS;
	}
	if ((unsigned char)s[0] < 0x80) {
		*k = 1;
		return 1;
	}
	*k = mb_utf8_next(s, len, &cp);
	if (*k == 0)
		*k = 1;
	return (int)mb_display_width(s, *k);
}

/* The end of the row starting at byte start, and its columns. */
static size_t
row_end(const struct mb_buf *l, size_t start, int width, int *cols)
{
	size_t i = start, k;
	int col = 0, c;

	while (i < l->len) {
		c = ch_cols(l->data + i, l->len - i, col, &k);
		if (col + c > width && i > start)
			break;
		col += c;
		i += k;
	}
	*cols = col;
	return i;
}

/* Walking the rows of a line: [s, e) is row r. */
struct rows {
	const struct mb_buf *l;
	int width, cols;
	size_t s, e, r;
};

static void
rows_first(struct rows *it, const struct mb_buf *l, int width)
{
	it->l = l;
	it->width = width > 0 ? width : 1;
	it->s = 0;
	it->r = 0;
	it->e = row_end(l, 0, it->width, &it->cols);
}

static bool
rows_next(struct rows *it)
{
	if (it->e < it->l->len) {
		it->s = it->e;
		it->e = row_end(it->l, it->s, it->width, &it->cols);
		it->r++;
		return true;
	}
	/* a full last row: the cursor after it needs a row of its own */
	if (it->e > it->s && it->cols >= it->width) {
		it->s = it->e;
		it->cols = 0;
		it->r++;
		return true;
	}
	return false;
}

static size_t
nrows(const struct mb_buf *l, int width)
{
	struct rows it;

	rows_first(&it, l, width);
	while (rows_next(&it))
		;
	return it.r + 1;
}

/* The row the byte offset col is on; *x gets its column in that row. */
static size_t
cursor_row(const struct mb_buf *l, int width, size_t col, int *x)
{
	struct rows it;
	size_t i, k;
	int c = 0;

	rows_first(&it, l, width);
	for (;;) {
		struct rows nx = it;
		bool more = rows_next(&nx);

		if ((col >= it.s && col < it.e) || !more)
			break;
		it = nx;
	}
	for (i = it.s; i < col && i < l->len; i += k)
		c += ch_cols(l->data + i, l->len - i, c, &k);
	*x = c;
	return it.r;
}

/* The byte offset nearest to column x in row r of l. */
static size_t
col_at(const struct mb_buf *l, int width, size_t r, int x)
{
	struct rows it;
	size_t i, k;
	int c = 0, w;
	bool more;

	rows_first(&it, l, width);
	while (it.r < r && rows_next(&it))
		;
	more = it.e < l->len || (it.e > it.s && it.cols >= it.width);
	for (i = it.s; i < it.e; i += k) {
		w = ch_cols(l->data + i, l->len - i, c, &k);
		if (c + w > x)
			break;
		c += w;
	}
	/* the end of a row that is not the line's last is the next row's start */
	if (i >= it.e && more && it.e > it.s) {
		i = it.e - 1;
		while (i > it.s && ((unsigned char)l->data[i] & 0xC0) == 0x80)
			i--;
	}
	return i;
}

/* ---- moving ----------------------------------------------------------------------------- */

static size_t
prev_char(const struct mb_buf *l, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)l->data[pos] & 0xC0) == 0x80)
		pos--;
	return pos;
}

static size_t
next_char(const struct mb_buf *l, size_t pos)
{
	uint32_t cp;
	size_t k;

	if (pos >= l->len)
		return l->len;
	k = mb_utf8_next(l->data + pos, l->len - pos, &cp);
	return pos + (k ? k : 1);
}

/* One row up (dir -1) or down (+1), aiming at the goal column. */
static void
move_row(struct ui_body *b, int dir)
{
	const struct mb_buf *l = &b->lines[b->line];
	int x;
	size_t r = cursor_row(l, b->width, b->col, &x);

	if (b->goal < 0)
		b->goal = x;
	if (dir < 0) {
		if (r > 0) {
			b->col = col_at(l, b->width, r - 1, b->goal);
		} else if (b->line > 0) {
			b->line--;
			l = &b->lines[b->line];
			b->col = col_at(l, b->width, nrows(l, b->width) - 1, b->goal);
		}
	} else {
		if (r + 1 < nrows(l, b->width)) {
			b->col = col_at(l, b->width, r + 1, b->goal);
		} else if (b->line + 1 < b->n) {
			b->line++;
			b->col = col_at(&b->lines[b->line], b->width, 0, b->goal);
		}
	}
}

/* ---- editing ---------------------------------------------------------------------------- */

static void
insert_bytes(struct ui_body *b, const char *s, size_t len)
{
	struct mb_buf *l = &b->lines[b->line];
	size_t tail = l->len - b->col;

	mb_buf_grow(l, len);
	memmove(l->data + b->col + len, l->data + b->col, tail);
	memcpy(l->data + b->col, s, len);
	l->len += len;
	l->data[l->len] = '\0';
	b->col += len;
}

static void
cut(struct mb_buf *l, size_t from, size_t to)
{
	memmove(l->data + from, l->data + to, l->len - to);
	mb_buf_truncate(l, l->len - (to - from));
}

static void
split_line(struct ui_body *b)
{
	struct mb_buf *l, *nl;

	if (b->n >= BODY_MAX_LINES)
		return;
	nl = line_insert(b, b->line + 1);
	l = &b->lines[b->line];
	mb_buf_add(nl, l->data + b->col, l->len - b->col);
	mb_buf_truncate(l, b->col);
	b->line++;
	b->col = 0;
}

/* Join line i + 1 onto line i. */
static void
join_next(struct ui_body *b, size_t i)
{
	mb_buf_add(&b->lines[i], b->lines[i + 1].data, b->lines[i + 1].len);
	line_remove(b, i + 1);
}

static bool
insertable(int key)
{
	if (key == '\t')
		return true;
	return !UI_IS_FN(key) && key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0) &&
	       key <= 0x10ffff && !(key >= 0xd800 && key <= 0xdfff) && !mb_cp_hidden((uint32_t)key);
}

int
ui_body_key(struct ui_body *b, int key)
{
	struct mb_buf *l = &b->lines[b->line];
	bool keep_goal = false;
	int i;

	if (ui_key_is_enter(key)) {
		split_line(b);
		b->changed = true;
	} else if (key == UI_K_BACKSPACE || key == UI_CTRL('h') || key == 0x7f) {
		if (b->col > 0) {
			size_t p = prev_char(l, b->col);

			cut(l, p, b->col);
			b->col = p;
		} else if (b->line > 0) {
			b->line--;
			b->col = b->lines[b->line].len;
			join_next(b, b->line);
		}
		b->changed = true;
	} else if (key == UI_K_DC || key == UI_CTRL('d')) {
		if (b->col < l->len)
			cut(l, b->col, next_char(l, b->col));
		else if (b->line + 1 < b->n)
			join_next(b, b->line);
		b->changed = true;
	} else if (key == UI_K_LEFT || key == UI_CTRL('b')) {
		if (b->col > 0)
			b->col = prev_char(l, b->col);
		else if (b->line > 0)
			b->col = b->lines[--b->line].len;
	} else if (key == UI_K_RIGHT || key == UI_CTRL('f')) {
		if (b->col < l->len)
			b->col = next_char(l, b->col);
		else if (b->line + 1 < b->n) {
			b->line++;
			b->col = 0;
		}
	} else if (key == UI_K_UP || key == UI_K_DOWN) {
		move_row(b, key == UI_K_UP ? -1 : 1);
		keep_goal = true;
	} else if (key == UI_K_PGUP || key == UI_K_PGDN) {
		for (i = 0; i < (b->page > 2 ? b->page - 1 : 1); i++)
			move_row(b, key == UI_K_PGUP ? -1 : 1);
		keep_goal = true;
	} else if (key == UI_K_HOME || key == UI_CTRL('a')) {
		b->col = 0;
	} else if (key == UI_K_END || key == UI_CTRL('e')) {
		b->col = l->len;
	} else if (key == UI_CTRL('k')) {
		if (b->col < l->len)
			mb_buf_truncate(l, b->col);
		else if (b->line + 1 < b->n)
			join_next(b, b->line);
		b->changed = true;
	} else if (key == UI_CTRL('u')) {
		cut(l, 0, b->col);
		b->col = 0;
		b->changed = true;
	} else if (insertable(key)) {
		struct mb_buf c = MB_BUF_INIT;

		mb_utf8_add(&c, (uint32_t)key);
		insert_bytes(b, c.data, c.len);
		mb_buf_release(&c);
		b->changed = true;
	} else {
		return UI_PASS;
	}
	if (!keep_goal)
		b->goal = -1;
	return UI_DIRTY;
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* Keep the cursor's row inside the h rows shown from (top, top_row). */
static void
scroll_to_cursor(struct ui_body *b, int h)
{
	int x;
	size_t crow = cursor_row(&b->lines[b->line], b->width, b->col, &x), rows, li;

	if (b->top >= b->n) {
		b->top = b->n - 1;
		b->top_row = 0;
	}
	if (b->top_row >= nrows(&b->lines[b->top], b->width))
		b->top_row = 0;
	if (b->line < b->top || (b->line == b->top && crow < b->top_row)) {
		b->top = b->line;
		b->top_row = crow;
		return;
	}
	/* rows from the top of the view down to the cursor's row, inclusive */
	for (;;) {
		rows = 0;
		for (li = b->top; li < b->line && rows <= (size_t)h; li++)
			rows += nrows(&b->lines[li], b->width) - (li == b->top ? b->top_row : 0);
		rows += crow + 1 - (b->line == b->top ? b->top_row : 0);
		if (rows <= (size_t)h)
			return;
		/* one row down */
		if (b->top_row + 1 < nrows(&b->lines[b->top], b->width)) {
			b->top_row++;
		} else {
			b->top++;
			b->top_row = 0;
		}
	}
}

/* Draw l[s..e) at (y, x), TABs as spaces. */
static void
draw_row(struct ui *ui, WINDOW *w, int y, int x, const struct mb_buf *l, size_t s, size_t e)
{
	size_t i, run = s, k;
	int col = 0, c, j;

	for (i = s; i < e; i += k) {
		c = ch_cols(l->data + i, l->len - i, col, &k);
		if (l->data[i] == '\t') {
			if (i > run)
				ui_put(ui, w, y,
				       x + col - (int)mb_display_width(l->data + run, i - run),
				       l->data + run, i - run,
				       (int)mb_display_width(l->data + run, i - run));
			for (j = 0; j < c; j++)
				mvwaddch(w, y, x + col + j, ' ');
			run = i + 1;
		}
		col += c;
	}
	if (e > run) {
		int rw = (int)mb_display_width(l->data + run, e - run);

		ui_put(ui, w, y, x + col - rw, l->data + run, e - run, rw);
	}
}

void
ui_body_draw(struct ui *ui, struct ui_body *b, WINDOW *w, int y, int x, int h, int width,
             bool focused)
{
	struct rows it;
	size_t li;
	int row = 0, cx, crow_y = -1, more;

	if (h <= 0 || width <= 0)
		return;
	b->width = width;
	b->page = h;
	scroll_to_cursor(b, h);
	ui_set(ui, w, UI_E_NORMAL);
	for (li = b->top; li < b->n && row < h; li++) {
		rows_first(&it, &b->lines[li], width);
		do {
			if (li == b->top && it.r < b->top_row)
				continue;
			if (row >= h)
				break;
			draw_row(ui, w, y + row, x, &b->lines[li], it.s, it.e);
			row++;
		} while (rows_next(&it));
	}
	more = li < b->n;
	if (row < h && !more) {
		ui_set(ui, w, UI_E_DIM);
		ui_puts(ui, w, y + row, x, ui_sym(ui, "\xe2\x88\x8e", "~"), 1);
		ui_set(ui, w, UI_E_NORMAL);
	}
	if (focused) {
		size_t r = cursor_row(&b->lines[b->line], width, b->col, &cx), rows = 0;

		for (li = b->top; li < b->line; li++)
			rows += nrows(&b->lines[li], width) - (li == b->top ? b->top_row : 0);
		rows += r - (b->line == b->top ? b->top_row : 0);
		crow_y = (int)rows;
		if (crow_y >= 0 && crow_y < h)
			ui_cursor(ui, w, y + crow_y, x + (cx < width ? cx : width - 1));
	}
}
