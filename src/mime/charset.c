/*
 * charset.c: conversion of any declared charset to UTF-8, never failing.
 *
 * UTF-8 is validated and repaired here; Latin-1 / Windows-1252 (and every
 * fallback) use a built-in table so that they never depend on iconv; all
 * other charsets go through glibc's iconv with invalid sequences turned
 * into U+FFFD. Charset names are checked before iconv sees them (no '/',
 * so no "//TRANSLIT" tricks; no EBCDIC code pages, which mail never uses
 * and whose decoders had glibc bugs).
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "private.h"

#define CS_MAX 40
#define CHUNK  64 /* input bytes per iconv() call */

enum cs_kind { CS_UNKNOWN, CS_RAW, CS_UTF8, CS_1252, CS_ICONV };

static const uint16_t cp1252_hi[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static const struct {
	const char *alias;
	const char *name; /* NULL: see kind */
	enum cs_kind kind;
} aliases[] = {
        {"utf-8", NULL, CS_UTF8},
        {"utf8", NULL, CS_UTF8},
        {"us-ascii", NULL, CS_RAW},
        {"ascii", NULL, CS_RAW},
        {"ansi_x3.4-1968", NULL, CS_RAW},
        {"iso-8859-1", NULL, CS_1252},
        {"iso8859-1", NULL, CS_1252},
        {"iso_8859-1", NULL, CS_1252},
        {"latin1", NULL, CS_1252},
        {"l1", NULL, CS_1252},
        {"windows-1252", NULL, CS_1252},
        {"cp1252", NULL, CS_1252},
        {"x-cp1252", NULL, CS_1252},
        {"ks_c_5601-1987", "CP949", CS_ICONV},
        {"ks_c_5601", "CP949", CS_ICONV},
        {"euc-kr", "CP949", CS_ICONV},
        {"gb2312", "GB18030", CS_ICONV},
        {"gbk", "GB18030", CS_ICONV},
        {"x-gbk", "GB18030", CS_ICONV},
        {"cp936", "GB18030", CS_ICONV},
        {"big5", "CP950", CS_ICONV},
        {"shift_jis", "CP932", CS_ICONV},
        {"shift-jis", "CP932", CS_ICONV},
        {"x-sjis", "CP932", CS_ICONV},
        {"sjis", "CP932", CS_ICONV},
        {"iso-2022-jp", "ISO-2022-JP-2", CS_ICONV},
        {"iso-8859-8-i", "ISO-8859-8", CS_ICONV},
        {"iso-8859-8-e", "ISO-8859-8", CS_ICONV},
        {"windows-874", "CP874", CS_ICONV},
        {"unicode-1-1-utf-7", "UTF-7", CS_ICONV},
        {"x-mac-roman", "MACINTOSH", CS_ICONV},
};

/* Classify a charset name; *name gets the iconv name (static or the normalised input). */
static enum cs_kind
cs_lookup(const char *charset, char *norm, const char **name)
{
	size_t i, n = 0;
	const char *p, *star;

	if (charset == NULL || charset[0] == '\0')
		return CS_RAW;
	star = strchr(charset, '*'); /* RFC 2231 language suffix */
	for (p = charset; *p != '\0' && p != star; p++) {
		int c = mime_lower((unsigned char)*p);

		if (n == CS_MAX)
			return CS_UNKNOWN;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == ':' || c == '+'))
			return CS_UNKNOWN;
		norm[n++] = (char)c;
	}
	norm[n] = '\0';
	if (n == 0)
		return CS_RAW;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(norm, aliases[i].alias) == 0) {
			*name = aliases[i].name;
			return aliases[i].kind;
		}
	}
	if (strstr(norm, "ebcdic") != NULL ||
	    (strncmp(norm, "ibm", 3) == 0 && (strlen(norm) != 6 || strcmp(norm + 3, "900") >= 0)))
		return CS_UNKNOWN;
	*name = norm;
	return CS_ICONV;
}

static void
add_1252(struct mb_buf *out, const char *in, size_t len)
{
	size_t i;

	mb_buf_grow(out, len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x80)
			mb_buf_addch(out, c);
		else if (c < 0xA0)
			mb_utf8_add(out, cp1252_hi[c - 0x80]);
		else
			mb_utf8_add(out, c);
	}
}

void
mime_raw_to_utf8(struct mb_buf *out, const char *in, size_t len)
{
	if (mb_utf8_valid(in, len))
		mb_buf_add(out, in, len);
	else
		add_1252(out, in, len);
}

char *
mime_utf8dup(const char *s, size_t n)
{
	struct mb_buf b = MB_BUF_INIT;

	mime_raw_to_utf8(&b, s, n);
	return mb_buf_detach(&b, NULL);
}

/*
 * Convert with iconv; -1 when iconv does not know the charset (nothing
 * appended), else the number of invalid sequences met.
 *
 * The input goes to iconv in small chunks: glibc converts ahead into an
 * internal buffer and, when a later step fails, converts again from the
 * start of the call, so one call per error over the whole remaining input
 * would be quadratic (fuzz_mime found it with UTF-7 lone surrogates).
 */
static int
conv_iconv(struct mb_buf *out, const char *name, const char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", name);
	char *ip = (char *)(uintptr_t)in, *op;
	size_t il = len, ol, room, r, chunk = CHUNK, cl, before;
	bool flushing = false;
	int bad = 0;

	if (cd == (iconv_t)-1)
		return -1;
	for (;;) {
		cl = before = il < chunk ? il : chunk;
		room = cl * 8 + 64;
		mb_buf_grow(out, room);
		op = out->data + out->len;
		ol = room;
		if (!flushing) {
			r = iconv(cd, &ip, &cl, &op, &ol);
			il -= before - cl;
		} else {
			r = iconv(cd, NULL, NULL, &op, &ol); /* end the shift state */
		}
		out->len += room - ol;
		out->data[out->len] = '\0';
		if (r != (size_t)-1) {
			if (flushing)
				break;
			chunk = CHUNK;
			flushing = il == 0;
			continue;
		}
		if (errno == E2BIG && ol < room)
			continue;
		if (flushing)
			break;
		if (errno == EILSEQ && il > 0) {
			bad++;
			mb_utf8_add(out, 0xFFFD);
			ip++;
			il--;
			continue;
		}
		if (errno == EINVAL && il > cl) {
			/* a sequence cut by the chunk: give it more room */
			chunk = before * 2;
			continue;
		}
		if (errno == EINVAL) {
			/* an incomplete sequence at the very end */
			bad++;
			mb_utf8_add(out, 0xFFFD);
			il = 0;
			flushing = true;
			continue;
		}
		break;
	}
	iconv_close(cd);
	return bad;
}

static bool
has_8bit(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return true;
	}
	return false;
}

bool
mime_charset_known(const char *charset)
{
	char norm[CS_MAX + 1];
	const char *name = NULL;
	iconv_t cd;

	switch (cs_lookup(charset, norm, &name)) {
	case CS_UNKNOWN:
		return false;
	case CS_ICONV:
		cd = iconv_open("UTF-8", name);
		if (cd == (iconv_t)-1)
			return false;
		iconv_close(cd);
		return true;
	default:
		return true;
	}
}

int
mb_charset_to_utf8(struct mb_buf *out, const char *charset, const char *in, size_t len)
{
	char norm[CS_MAX + 1];
	const char *name = NULL;
	size_t start = out->len;
	int bad;

	if (in == NULL)
		len = 0;
	switch (cs_lookup(charset, norm, &name)) {
	case CS_UTF8:
		mb_utf8_repair_add(out, in, len);
		return 0;
	case CS_RAW:
		mime_raw_to_utf8(out, in, len);
		return 0;
	case CS_1252:
		add_1252(out, in, len);
		return 0;
	case CS_ICONV:
		bad = conv_iconv(out, name, in, len);
		if (bad < 0)
			break;
		if (bad > 0 && has_8bit(in, len) && mb_utf8_valid(in, len)) {
			/* a charset lie: the bytes are not that charset, but UTF-8 */
			mb_buf_truncate(out, start);
			mb_buf_add(out, in, len);
		} else if (!mb_utf8_valid(out->data + start, out->len - start)) {
			/* glibc's output is UTF-8; check anyway, the rest relies on it */
			struct mb_buf tmp = MB_BUF_INIT;

			mb_utf8_repair_add(&tmp, out->data + start, out->len - start);
			mb_buf_truncate(out, start);
			mb_buf_add(out, tmp.data, tmp.len);
			mb_buf_release(&tmp);
		}
		return 0;
	case CS_UNKNOWN:
		break;
	}
	mime_raw_to_utf8(out, in, len);
	return -1;
}

void
mime_nul_to_fffd(struct mb_buf *out, size_t from)
{
	struct mb_buf tmp = MB_BUF_INIT;
	size_t i;

	if (from >= out->len || memchr(out->data + from, '\0', out->len - from) == NULL)
		return;
	for (i = from; i < out->len; i++) {
		if (out->data[i] == '\0')
			mb_buf_addstr(&tmp, "\xEF\xBF\xBD");
		else
			mb_buf_addch(&tmp, out->data[i]);
	}
	mb_buf_truncate(out, from);
	mb_buf_add(out, tmp.data, tmp.len);
	mb_buf_release(&tmp);
}
