/*
 * encode.c: encodings for outgoing mail: quoted-printable bodies
 * (RFC 2045 6.7), encoded words in headers (RFC 2047), parameters with
 * RFC 2231 extended values, and header folding so that no line exceeds
 * 78 characters where it can be avoided and never 998.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mailbench/addr.h"
#include "mailbench/base64.h"
#include "mailbench/buf.h"
#include "mailbench/compose.h"
#include "mime/compose_private.h"

static const char hexdigits[] = "0123456789ABCDEF";

/* --- quoted-printable --- */

static void
qp_put(struct mb_buf *out, int *col, const char *s, size_t n)
{
	/* a soft break keeps every line at 76 characters at most */
	if (*col + (int)n > 75) {
		mb_buf_add(out, "=\r\n", 3);
		*col = 0;
	}
	mb_buf_add(out, s, n);
	*col += (int)n;
}

void
mb_qp_encode(const char *data, size_t len, struct mb_buf *out)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	int col = 0;
	char esc[3];

	for (; p < end; p++) {
		bool eol = p + 1 == end || p[1] == '\r' || p[1] == '\n';

		if (*p == '\r' || *p == '\n') {
			/* every line end, whatever its form, becomes CRLF */
			if (*p == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			mb_buf_add(out, "\r\n", 2);
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !eol)) {
			qp_put(out, &col, (const char *)p, 1);
			continue;
		}
		esc[0] = '=';
		esc[1] = hexdigits[*p >> 4];
		esc[2] = hexdigits[*p & 15];
		qp_put(out, &col, esc, 3);
	}
}

/* --- RFC 2047 encoded words --- */

bool
mb_compose_needs_encoding(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20 || *p == 0x7f)
			return true;
	return strstr(s, "=?") != NULL;
}

/* Q encoding is readable when most of the text is ASCII; B is shorter otherwise. */
static bool
prefer_q(const char *s)
{
	size_t high = 0, n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s >= 0x80)
			high++;
	return high * 3 < n;
}

static bool
q_literal(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* The encoded size of one character in the chosen encoding. */
static size_t
enc_size(const unsigned char *p, size_t n, bool q)
{
	size_t i, sz = 0;

	if (!q)
		return n; /* counted per group of 3 by the caller */
	for (i = 0; i < n; i++)
		sz += (q_literal(p[i]) || p[i] == ' ') ? 1 : 3;
	return sz;
}

static void
flush_word(struct mb_buf *out, const unsigned char *w, size_t n, bool q, int *col, bool first)
{
	size_t i;
	struct mb_buf word = MB_BUF_INIT;

	mb_buf_addstr(&word, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
	if (q) {
		for (i = 0; i < n; i++) {
			if (w[i] == ' ')
				mb_buf_addch(&word, '_');
			else if (q_literal(w[i]))
				mb_buf_addch(&word, (char)w[i]);
			else
				mb_buf_addf(&word, "=%c%c", hexdigits[w[i] >> 4],
				            hexdigits[w[i] & 15]);
		}
	} else {
		mb_base64_encode(w, n, 0, &word);
	}
	mb_buf_addstr(&word, "?=");
	if (!first) {
		/* encoded words are separated by folding white space */
		if (*col + 1 + (int)word.len > 76) {
			mb_buf_add(out, "\r\n ", 3);
			*col = 1;
		} else {
			mb_buf_addch(out, ' ');
			(*col)++;
		}
	}
	mb_buf_add(out, word.data, word.len);
	*col += (int)word.len;
	mb_buf_release(&word);
}

void
mb_rfc2047_encode(struct mb_buf *out, const char *text, int *col)
{
	const unsigned char *p = (const unsigned char *)text, *start = p;
	bool q = prefer_q(text), first = true;
	size_t used = 0, n, cost;
	/* "=?UTF-8?Q?" + "?=" is 12; an encoded word is at most 75 */
	const size_t budget = 75 - 12;

	while (*p) {
		n = mb_utf8_seq_len(p);
		if (n == 0)
			n = 1; /* an invalid byte travels as itself, encoded */
		if (q)
			cost = enc_size(p, n, true);
		else
			cost = ((size_t)(p - start) + n + 2) / 3 * 4 - used;
		if ((q ? used + cost : ((size_t)(p - start) + n + 2) / 3 * 4) > budget &&
		    p > start) {
			flush_word(out, start, (size_t)(p - start), q, col, first);
			first = false;
			start = p;
			used = 0;
			continue;
		}
		used += q ? cost : 0;
		p += n;
	}
	if (p > start || first)
		flush_word(out, start, (size_t)(p - start), q, col, first);
}

/* --- headers --- */

int
mb_compose_check_field(const char *name, const char *value, struct mb_error *err)
{
	if (value == NULL)
		return 0;
	if (strpbrk(value, "\r\n") != NULL)
		return mb_error_set(err, MB_ERR_INPUT,
		                    "the %s field contains a line break (CR or LF): refused, it "
		                    "could inject headers",
		                    name);
	return 0;
}

/* Append text folded at spaces, so lines stay near 78 characters. */
void
mb_compose_fold_ascii(struct mb_buf *out, const char *text, int *col)
{
	const char *p = text, *w;
	size_t wlen;
	bool first = true;

	while (*p) {
		const char *sp = p;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		wlen = (size_t)(p - w);
		if (wlen == 0) {
			mb_buf_add(out, sp, (size_t)(p - sp));
			break;
		}
		if (!first && *col + (int)(w - sp) + (int)wlen > 78) {
			mb_buf_add(out, "\r\n ", 3);
			*col = 1;
		} else {
			mb_buf_add(out, sp, (size_t)(w - sp));
			*col += (int)(w - sp);
		}
		mb_buf_add(out, w, wlen);
		*col += (int)wlen;
		first = false;
	}
}

static bool
has_long_word(const char *s, size_t max)
{
	size_t run = 0;

	for (; *s; s++) {
		run = (*s == ' ' || *s == '\t') ? 0 : run + 1;
		if (run > max)
			return true;
	}
	return false;
}

void
mb_compose_header(struct mb_buf *out, const char *name, const char *value)
{
	int col;

	mb_buf_addf(out, "%s: ", name);
	col = (int)strlen(name) + 2;
	if (mb_compose_needs_encoding(value) || has_long_word(value, 900))
		mb_rfc2047_encode(out, value, &col);
	else
		mb_compose_fold_ascii(out, value, &col);
	mb_buf_add(out, "\r\n", 2);
}

/* --- parameters --- */

static bool
param_plain(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			return false;
	return strlen(v) <= 60;
}

static bool
attr_char(unsigned char c)
{
	/* RFC 2231 attribute-char: no specials, no '*', ''', '%' */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '#' || c == '$' || c == '&' || c == '+' || c == '-' || c == '.' ||
	       c == '^' || c == '_' || c == '`' || c == '|' || c == '~';
}

void
mb_compose_param(struct mb_buf *out, const char *attr, const char *value)
{
	const unsigned char *p;
	struct mb_buf enc = MB_BUF_INIT;
	size_t i, part, n;

	if (param_plain(value)) {
		mb_buf_addf(out, ";\r\n\t%s=\"%s\"", attr, value);
		return;
	}
	/* RFC 2231: attr*=UTF-8''percent-encoded, split into continuations */
	for (p = (const unsigned char *)value; *p; p++) {
		if (attr_char(*p))
			mb_buf_addch(&enc, (char)*p);
		else
			mb_buf_addf(&enc, "%%%c%c", hexdigits[*p >> 4], hexdigits[*p & 15]);
	}
	if (enc.len <= 60) {
		mb_buf_addf(out, ";\r\n\t%s*=UTF-8''%s", attr, enc.data);
	} else {
		for (i = 0, part = 0; i < enc.len; part++) {
			n = enc.len - i > 60 ? 60 : enc.len - i;
			/* never split a %XX escape */
			if (n >= 2 && i + n < enc.len && enc.data[i + n - 1] == '%')
				n -= 1;
			else if (n >= 3 && i + n < enc.len && enc.data[i + n - 2] == '%')
				n -= 2;
			mb_buf_addf(out, ";\r\n\t%s*%zu*=%s%.*s", attr, part,
			            part == 0 ? "UTF-8''" : "", (int)n, enc.data + i);
			i += n;
		}
	}
	mb_buf_release(&enc);
}
