/*
 * sanitize.c: the terminal sanitiser, display widths and UTF-8 helpers (see sanitize.h).
 *
 * Widths come from wcwidth() under a private C.UTF-8 locale that is
 * switched in with uselocale() for the duration of a call, so results do
 * not depend on the caller's locale and threads do not disturb each other.
 */
#include "config.h"

#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"

#define MAX_MARKS 8 /* combining marks kept in a row */
#define TAB_STOP  8

static pthread_once_t loc_once = PTHREAD_ONCE_INIT;
static locale_t loc_utf8 = (locale_t)0;

size_t
mb_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {
		*cp = MB_UTF8_INVALID;
		return 1;
	}
	if (c < 0xE0) {
		need = 1;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || u[i] < lo || u[i] > hi) {
			*cp = MB_UTF8_INVALID;
			return i;
		}
		lo = 0x80;
		hi = 0xBF;
		v = (v << 6) | (u[i] & 0x3F);
	}
	*cp = v;
	return need + 1;
}

int
mb_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID)
			return 0;
		i += n;
	}
	return 1;
}

void
mb_utf8_add(struct mb_buf *out, uint32_t cp)
{
	char b[4];

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		mb_buf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(out, b, 4);
	}
}

void
mb_utf8_repair_add(struct mb_buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0, n;
	uint32_t cp;

	mb_buf_grow(out, len);
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID) {
			mb_buf_add(out, s + start, i - start);
			mb_utf8_add(out, 0xFFFD);
			start = i + n;
		}
		i += n;
	}
	mb_buf_add(out, s + start, len - start);
}

/* Open the private UTF-8 locale once. */
static void
loc_init(void)
{
	static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", NULL};
	int i;

	for (i = 0; names[i] != NULL && loc_utf8 == (locale_t)0; i++)
		loc_utf8 = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
}

/* Switch to the UTF-8 locale; returns the one to restore (0 when none was switched). */
static locale_t
loc_enter(void)
{
	pthread_once(&loc_once, loc_init);
	if (loc_utf8 == (locale_t)0)
		return (locale_t)0;
	return uselocale(loc_utf8);
}

static void
loc_leave(locale_t old)
{
	if (old != (locale_t)0)
		uselocale(old);
}

/* Columns of one code point (call between loc_enter and loc_leave). */
static size_t
cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x80)
		return 1;
	if (cp == MB_UTF8_INVALID)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w < 0) {
		/* no locale, or unassigned: a rough guess */
		if (cp >= 0x300 && cp < 0x370)
			return 0;
		if (cp >= 0x1100 &&
		    ((cp >= 0x2E80 && cp < 0xA4D0) || (cp >= 0xAC00 && cp < 0xD7A4) ||
		     (cp >= 0xF900 && cp < 0xFB00) || (cp >= 0xFF00 && cp < 0xFF61) ||
		     (cp >= 0x1F300 && cp < 0x1FA00) || (cp >= 0x20000 && cp < 0x3FFFE)))
			return 2;
		return 1;
	}
	return (size_t)w;
}

int
mb_cp_hidden(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0x9F)
		return 1;
	switch (cp) {
	case 0x061C: /* ARABIC LETTER MARK */
	case 0x115F:
	case 0x1160:
	case 0x180E:
	case 0x3164:
	case 0xFFA0: /* fillers that render as nothing */
	case 0x2028:
	case 0x2029:
	case 0xFEFF:
	case 0xFFFE:
	case 0xFFFF:
		return 1;
	default:
		break;
	}
	if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	    (cp >= 0xE0000 && cp <= 0xE007F))
		return 1;
	return 0;
}

struct san {
	struct mb_buf *out;
	enum mb_sanitize_mode mode;
	size_t col;   /* column in the current line (TEXT mode tabs) */
	size_t marks; /* combining marks in the current run */
	size_t extra; /* marks dropped from the current run */
};

/* Emit visible ASCII text of a replacement. */
static void
san_lit(struct san *st, const char *s, size_t n)
{
	mb_buf_add(st->out, s, n);
	st->col += n;
}

/* End a run of combining marks, saying how many were dropped. */
static void
san_end_marks(struct san *st)
{
	char tmp[32];
	int n;

	if (st->extra > 0) {
		n = snprintf(tmp, sizeof(tmp), "<+%zu>", st->extra);
		san_lit(st, tmp, (size_t)n);
	}
	st->marks = st->extra = 0;
}

/* One C0 control or DEL. Returns the bytes consumed (CR LF in TEXT mode is 2). */
static size_t
san_control(struct san *st, const char *s, size_t left)
{
	unsigned char c = (unsigned char)s[0];
	char caret[2];

	if (st->mode == MB_SANITIZE_TEXT) {
		if (c == '\n' || (c == '\r' && left > 1 && s[1] == '\n')) {
			mb_buf_addch(st->out, '\n');
			st->col = 0;
			return c == '\r' ? 2 : 1;
		}
		if (c == '\t') {
			do {
				mb_buf_addch(st->out, ' ');
				st->col++;
			} while (st->col % TAB_STOP != 0);
			return 1;
		}
	}
	caret[0] = '^';
	caret[1] = (char)(c ^ 0x40);
	san_lit(st, caret, 2);
	return 1;
}

void
mb_sanitize_add(struct mb_buf *out, const char *in, size_t len, enum mb_sanitize_mode mode)
{
	struct san st = {out, mode, 0, 0, 0};
	size_t i = 0, n, k, w;
	uint32_t cp;
	locale_t old;
	char tmp[16];

	if (in == NULL || len == 0)
		return;
	mb_buf_grow(out, len);
	old = loc_enter();
	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c < 0x7F) {
			san_end_marks(&st);
			mb_buf_addch(out, c);
			st.col++;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			san_end_marks(&st);
			i += san_control(&st, in + i, len - i);
			continue;
		}
		n = mb_utf8_next(in + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID) {
			san_end_marks(&st);
			for (k = 0; k < n; k++) {
				snprintf(tmp, sizeof(tmp), "\\x%02X", (unsigned char)in[i + k]);
				san_lit(&st, tmp, 4);
			}
		} else if (mb_cp_hidden(cp)) {
			san_end_marks(&st);
			snprintf(tmp, sizeof(tmp), "<U+%04X>", (unsigned)cp);
			san_lit(&st, tmp, strlen(tmp));
		} else if ((w = cp_width(cp)) == 0) {
			if (st.marks < MAX_MARKS) {
				mb_buf_add(out, in + i, n);
				st.marks++;
			} else {
				st.extra++;
			}
		} else {
			san_end_marks(&st);
			mb_buf_add(out, in + i, n);
			st.col += w;
		}
		i += n;
	}
	san_end_marks(&st);
	loc_leave(old);
}

char *
mb_sanitize(const char *s, enum mb_sanitize_mode mode)
{
	struct mb_buf b = MB_BUF_INIT;

	if (s != NULL)
		mb_sanitize_add(&b, s, strlen(s), mode);
	return mb_buf_detach(&b, NULL);
}

/* Width of the character at s (n bytes, code point cp). */
static size_t
char_width(uint32_t cp, size_t n)
{
	if (cp == MB_UTF8_INVALID)
		return n;
	if (cp < 0x20 || cp == 0x7F)
		return 1;
	return cp_width(cp);
}

size_t
mb_display_width(const char *s, size_t len)
{
	size_t i = 0, n, w = 0;
	uint32_t cp;
	locale_t old;

	if (s == NULL)
		return 0;
	old = loc_enter();
	while (i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		w += char_width(cp, n);
		i += n;
	}
	loc_leave(old);
	return w;
}

size_t
mb_width_truncate(const char *s, size_t len, size_t cols, size_t *width)
{
	size_t i = 0, n, w = 0, cw;
	uint32_t cp;
	locale_t old;

	if (s == NULL)
		len = 0;
	old = loc_enter();
	while (i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		cw = char_width(cp, n);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	loc_leave(old);
	if (width != NULL)
		*width = w;
	return i;
}

char *
mb_width_fit(const char *s, size_t cols)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t len = s != NULL ? strlen(s) : 0, w, n;

	if (cols == 0)
		return xstrdup("");
	if (mb_display_width(s, len) <= cols) {
		n = mb_width_truncate(s, len, cols, &w);
	} else {
		n = mb_width_truncate(s, len, cols - 1, &w);
		w++;
	}
	mb_buf_add(&b, s, n);
	if (n < len)
		mb_buf_addstr(&b, "\xE2\x80\xA6"); /* U+2026 HORIZONTAL ELLIPSIS */
	while (w < cols) {
		mb_buf_addch(&b, ' ');
		w++;
	}
	return mb_buf_detach(&b, NULL);
}
