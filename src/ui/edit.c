/*
 * edit.c: the one-line editor behind prompts (and compose's fields): UTF-8
 * text with a cursor, horizontal scrolling by display width, masking for
 * passwords, and file-name completion for path prompts.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define EDIT_MAX_DEFAULT 4096

void
ui_edit_init(struct ui_edit *e, const char *initial)
{
	memset(e, 0, sizeof *e);
	mb_buf_init(&e->text);
	ui_edit_set(e, initial);
}

void
ui_edit_release(struct ui_edit *e)
{
	if (e->text.cap > 0)
		memset(e->text.data, 0, e->text.cap); /* it may have held a password */
	mb_buf_release(&e->text);
}

/* Append s without control or invisible characters (pasted text stays one safe line). */
static void
add_clean(struct mb_buf *out, const char *s, size_t len)
{
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < len; i += k) {
		k = mb_utf8_next(s + i, len - i, &cp);
		if (k == 0)
			k = 1;
		if (cp == MB_UTF8_INVALID || cp < 0x20 || cp == 0x7f || mb_cp_hidden(cp))
			continue;
		mb_buf_add(out, s + i, k);
	}
}

void
ui_edit_set(struct ui_edit *e, const char *text)
{
	mb_buf_reset(&e->text);
	if (text != NULL)
		add_clean(&e->text, text, strlen(text));
	e->cur = e->text.len;
	e->scroll = 0;
}

static size_t
prev_char(const struct ui_edit *e, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)e->text.data[pos] & 0xC0) == 0x80)
		pos--;
	return pos;
}

static size_t
next_char(const struct ui_edit *e, size_t pos)
{
	uint32_t cp;
	size_t k;

	if (pos >= e->text.len)
		return e->text.len;
	k = mb_utf8_next(e->text.data + pos, e->text.len - pos, &cp);
	return pos + (k ? k : 1);
}

static void
edit_erase(struct ui_edit *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->text.data + from, e->text.data + to, e->text.len - to);
	mb_buf_truncate(&e->text, e->text.len - (to - from));
	e->cur = from;
}

static enum ui_edit_res
insert(struct ui_edit *e, int key)
{
	struct mb_buf c = MB_BUF_INIT;
	size_t max = e->max ? e->max : EDIT_MAX_DEFAULT;
	size_t tail;

	if (key < 0x20 || key == 0x7f || (key >= 0x80 && key < 0xa0) || key > 0x10ffff ||
	    mb_cp_hidden((uint32_t)key))
		return UI_EDIT_PASS;
	mb_utf8_add(&c, (uint32_t)key);
	if (e->text.len + c.len > max) {
		mb_buf_release(&c);
		return UI_EDIT_MOVED;
	}
	tail = e->text.len - e->cur;
	mb_buf_grow(&e->text, c.len);
	memmove(e->text.data + e->cur + c.len, e->text.data + e->cur, tail);
	memcpy(e->text.data + e->cur, c.data, c.len);
	e->text.len += c.len;
	e->text.data[e->text.len] = '\0';
	e->cur += c.len;
	mb_buf_release(&c);
	return UI_EDIT_CHANGED;
}

enum ui_edit_res
ui_edit_key(struct ui_edit *e, int key)
{
	size_t p;

	if (ui_key_is_enter(key))
		return UI_EDIT_ENTER;
	switch (key) {
	case UI_K_ESC:
	case UI_CTRL('g'):
	case UI_CTRL('c'):
		return UI_EDIT_CANCEL;
	case UI_K_TAB:
		return UI_EDIT_TAB;
	case UI_K_LEFT:
	case UI_CTRL('b'):
		e->cur = prev_char(e, e->cur);
		return UI_EDIT_MOVED;
	case UI_K_RIGHT:
	case UI_CTRL('f'):
		e->cur = next_char(e, e->cur);
		return UI_EDIT_MOVED;
	case UI_K_HOME:
	case UI_CTRL('a'):
		e->cur = 0;
		return UI_EDIT_MOVED;
	case UI_K_END:
	case UI_CTRL('e'):
		e->cur = e->text.len;
		return UI_EDIT_MOVED;
	case UI_K_BACKSPACE:
	case UI_CTRL('h'):
	case 0x7f:
		if (e->cur == 0)
			return UI_EDIT_MOVED;
		edit_erase(e, prev_char(e, e->cur), e->cur);
		return UI_EDIT_CHANGED;
	case UI_K_DC:
	case UI_CTRL('d'):
		if (e->cur >= e->text.len)
			return UI_EDIT_MOVED;
		edit_erase(e, e->cur, next_char(e, e->cur));
		return UI_EDIT_CHANGED;
	case UI_CTRL('u'):
		edit_erase(e, 0, e->cur);
		return UI_EDIT_CHANGED;
	case UI_CTRL('k'):
		mb_buf_truncate(&e->text, e->cur);
		return UI_EDIT_CHANGED;
	case UI_CTRL('w'):
		p = e->cur;
		while (p > 0 && e->text.data[p - 1] == ' ')
			p--;
		while (p > 0 && e->text.data[p - 1] != ' ')
			p = prev_char(e, p);
		edit_erase(e, p, e->cur);
		return UI_EDIT_CHANGED;
	default:
		if (UI_IS_FN(key))
			return UI_EDIT_PASS;
		return insert(e, key);
	}
}

/* Display columns of text[a..b), masked or not. */
static size_t
span_cols(const struct ui_edit *e, size_t a, size_t b)
{
	size_t n = 0, p;

	if (!e->mask)
		return mb_display_width(e->text.data + a, b - a);
	for (p = a; p < b; p = next_char(e, p))
		n++;
	return n;
}

void
ui_edit_draw(struct ui *ui, struct ui_edit *e, WINDOW *w, int y, int x, int width, int elem,
             bool focused)
{
	size_t p, n = 0;
	int cols;

	if (width < 2)
		return;
	if (e->cur > e->text.len)
		e->cur = e->text.len;
	if (e->scroll > e->cur)
		e->scroll = e->cur;
	while (e->scroll < e->cur && span_cols(e, e->scroll, e->cur) >= (size_t)width)
		e->scroll = next_char(e, e->scroll);
	ui_set(ui, w, (enum ui_elem)elem);
	ui_fill(w, y, x, width);
	if (e->mask) {
		for (p = e->scroll; p < e->text.len && n < (size_t)width - 1; p = next_char(e, p))
			n++;
		wmove(w, y, x);
		while (n-- > 0)
			waddch(w, '*');
	} else {
		ui_put(ui, w, y, x, e->text.data + e->scroll, e->text.len - e->scroll, width - 1);
	}
	cols = (int)span_cols(e, e->scroll, e->cur);
	if (focused)
		ui_cursor(ui, w, y, x + (cols < width ? cols : width - 1));
	ui_set(ui, w, UI_E_NORMAL);
}

/* ---- file name completion --------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
ui_edit_complete_path(struct ui_edit *e, struct mb_buf *choices)
{
	char *before = xmemdup0(e->text.data, e->cur), *slash, *dirpart, *base, *dirpath;
	const char *home = getenv("HOME");
	char **names = NULL, *full, *common = NULL;
	size_t n = 0, i, cl, blen;
	struct dirent *de;
	struct stat sb;
	bool changed = false;
	DIR *dir;

	slash = strrchr(before, '/');
	if (slash != NULL) {
		dirpart = xmemdup0(before, (size_t)(slash - before) + 1);
		base = slash + 1;
	} else {
		dirpart = xstrdup("");
		base = before;
	}
	if (strncmp(dirpart, "~/", 2) == 0 && home != NULL)
		dirpath = xasprintf("%s/%s", home, dirpart + 2);
	else
		dirpath = xstrdup(dirpart[0] ? dirpart : ".");
	blen = strlen(base);
	dir = opendir(dirpath);
	while (dir != NULL && n < 1000 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	if (dir != NULL)
		closedir(dir);
	if (n > 0) {
		qsort(names, n, sizeof *names, cmp_str);
		common = xstrdup(names[0]);
		for (i = 1; i < n; i++) {
			for (cl = 0; common[cl] && common[cl] == names[i][cl]; cl++)
				;
			common[cl] = '\0';
		}
		if (n == 1) {
			full = xasprintf("%s/%s", dirpath, names[0]);
			if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
				free(common);
				common = xasprintf("%s/", names[0]);
			}
			free(full);
		}
		if (strlen(common) > blen) {
			struct mb_buf nb = MB_BUF_INIT;

			mb_buf_add(&nb, e->text.data, e->cur);
			add_clean(&nb, common + blen, strlen(common) - blen);
			cl = nb.len;
			mb_buf_add(&nb, e->text.data + e->cur, e->text.len - e->cur);
			mb_buf_reset(&e->text);
			mb_buf_add(&e->text, nb.data, nb.len);
			e->cur = cl;
			mb_buf_release(&nb);
			changed = true;
		}
		if (n > 1 && choices != NULL)
			for (i = 0; i < n && choices->len < 400; i++) {
				mb_buf_addstr(choices, i ? "  " : "");
				mb_sanitize_add(choices, names[i], strlen(names[i]),
				                MB_SANITIZE_LINE);
			}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(common);
	free(dirpath);
	free(dirpart);
	free(before);
	return changed;
}
