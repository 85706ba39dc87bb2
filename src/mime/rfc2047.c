/*
 * rfc2047.c: decode header values for display: encoded words and raw 8-bit text.
 *
 * "=?charset?B|Q?text?=" words are found anywhere in the value (also glued
 * to other text and inside quotes, as real mailers produce them). Words in
 * a row separated only by blanks form a group: their bytes are joined
 * before the charset conversion when the charsets agree, so a character
 * split across two words comes out whole; the blanks between them are
 * dropped. A word that is malformed, or whose charset cannot be converted,
 * is kept as written. The scan is linear: after a failed word it resumes
 * past the failure.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "private.h"

#define CS_NAME_MAX 64

struct word {
	size_t end;                    /* offset after "?=" */
	char charset[CS_NAME_MAX + 1]; /* as written, language suffix included */
	char enc;                      /* 'b' or 'q' */
	size_t text, textlen;          /* the encoded text */
};

/*
 * Parse an encoded word at s[i] ("=?" seen). Returns 1 on success, 0 when
 * it is not a word; *resume is where scanning may continue after a failure.
 */
static int
parse_word(const char *s, size_t len, size_t i, struct word *w, size_t *resume)
{
	size_t p = i + 2, n = 0, j;

	*resume = i + 1;
	while (p < len && s[p] != '?') {
		unsigned char c = (unsigned char)s[p];

		if (n == CS_NAME_MAX || c <= ' ' || c >= 127)
			return 0;
		w->charset[n++] = (char)c;
		p++;
	}
	w->charset[n] = '\0';
	if (n == 0 || p + 3 > len || s[p + 2] != '?')
		return 0;
	w->enc = (char)mime_lower((unsigned char)s[p + 1]);
	if (w->enc != 'b' && w->enc != 'q')
		return 0;
	w->text = p + 3;
	for (j = w->text; j < len; j++) {
		if (s[j] == '?' && j + 1 < len && s[j + 1] == '=') {
			w->textlen = j - w->text;
			w->end = j + 2;
			return 1;
		}
		if (mime_is_space((unsigned char)s[j]))
			break;
	}
	/* no "?=" before a blank or the end: no later "=?" before j can end either */
	*resume = j > i + 1 ? j : i + 1;
	return 0;
}

/* Decode a word's text to bytes; -1 when it is malformed. */
static int
decode_word(struct mb_buf *out, const char *s, const struct word *w)
{
	const char *t = s + w->text;
	size_t i;
	int hi, lo;

	if (w->enc == 'b')
		return mime_base64_strict(out, t, w->textlen);
	for (i = 0; i < w->textlen; i++) {
		if (t[i] == '_') {
			mb_buf_addch(out, ' ');
		} else if (t[i] == '=' && i + 2 < w->textlen &&
		           (hi = mime_hexval((unsigned char)t[i + 1])) >= 0 &&
		           (lo = mime_hexval((unsigned char)t[i + 2])) >= 0) {
			mb_buf_addch(out, hi << 4 | lo);
			i += 2;
		} else {
			mb_buf_addch(out, t[i]);
		}
	}
	return 0;
}

/* Base charset names equal (case-insensitive, language suffix ignored)? */
static bool
same_charset(const char *a, const char *b)
{
	while (*a != '\0' && *a != '*' && *b != '\0' && *b != '*') {
		if (mime_lower((unsigned char)*a) != mime_lower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
	return (*a == '\0' || *a == '*') && (*b == '\0' || *b == '*');
}

struct dec {
	struct mb_buf *out;
	const char *s;
	bool raw_utf8;
	struct mb_buf bytes;      /* decoded bytes of the open group */
	char cs[CS_NAME_MAX + 1]; /* its charset; "" when no group is open */
	char known_cs[CS_NAME_MAX + 1];
	bool known;
};

/* Literal text: raw 8-bit as UTF-8 or Windows-1252, TAB as space. */
static void
add_literal(struct dec *d, size_t from, size_t to)
{
	size_t start = d->out->len, i;

	if (to <= from)
		return;
	if (d->raw_utf8)
		mb_buf_add(d->out, d->s + from, to - from);
	else
		mime_raw_to_utf8(d->out, d->s + from, to - from);
	for (i = start; i < d->out->len; i++) {
		if (d->out->data[i] == '\t')
			d->out->data[i] = ' ';
	}
}

static void
close_group(struct dec *d)
{
	if (d->cs[0] == '\0')
		return;
	mb_charset_to_utf8(d->out, d->cs, d->bytes.data, d->bytes.len);
	mb_buf_reset(&d->bytes);
	d->cs[0] = '\0';
}

static bool
charset_ok(struct dec *d, const char *cs)
{
	if (strcmp(d->known_cs, cs) != 0) {
		strcpy(d->known_cs, cs);
		d->known = mime_charset_known(cs);
	}
	return d->known;
}

/* Only blanks in s[from..to)? */
static bool
all_blank(const char *s, size_t from, size_t to)
{
	for (; from < to; from++) {
		if (!mime_is_space((unsigned char)s[from]))
			return false;
	}
	return true;
}

void
mime_decode_header_add(struct mb_buf *out, const char *s, size_t len)
{
	struct dec d;
	struct word w;
	struct mb_buf wb = MB_BUF_INIT;
	size_t i = 0, lit = 0, resume, start = out->len;
	bool prev_word = false; /* the text since lit follows an encoded word */

	if (s == NULL || len == 0)
		return;
	memset(&d, 0, sizeof(d));
	d.out = out;
	d.s = s;
	d.raw_utf8 = mb_utf8_valid(s, len);
	mb_buf_init(&d.bytes);
	while (i + 1 < len) {
		if (s[i] != '=' || s[i + 1] != '?') {
			i++;
			continue;
		}
		if (!parse_word(s, len, i, &w, &resume)) {
			i = resume;
			continue;
		}
		if (!charset_ok(&d, w.charset)) {
			i = w.end; /* kept as written */
			continue;
		}
		mb_buf_reset(&wb);
		if (decode_word(&wb, s, &w) < 0) {
			i = w.end; /* kept as written */
			continue;
		}
		if (!prev_word || !all_blank(s, lit, i)) {
			close_group(&d);
			add_literal(&d, lit, i);
		} else if (d.cs[0] != '\0' && !same_charset(d.cs, w.charset)) {
			/* adjacent words in another charset: the blanks between them go */
			close_group(&d);
		}
		if (d.cs[0] == '\0')
			strcpy(d.cs, w.charset);
		mb_buf_add(&d.bytes, wb.data, wb.len);
		prev_word = true;
		i = lit = w.end;
	}
	close_group(&d);
	add_literal(&d, lit, len);
	mb_buf_release(&d.bytes);
	mb_buf_release(&wb);
	mime_nul_to_fffd(out, start);
}

char *
mb_mime_decode_header(const char *value)
{
	struct mb_buf b = MB_BUF_INIT;

	if (value != NULL)
		mime_decode_header_add(&b, value, strlen(value));
	return mb_buf_detach(&b, NULL);
}
