/*
 * params.c: Content-Type and Content-Disposition values, with RFC 2231 parameters.
 *
 * "type/subtype; name=value; ..." is read tolerantly: comments anywhere,
 * a missing ';' between parameters, unquoted values holding '=', 8-bit
 * bytes or blanks, unterminated quotes. Parameters in RFC 2231 form
 * (name*=charset'lang'%XX, name*0=, name*1*=) are assembled and decoded to
 * UTF-8; they win over a plain parameter of the same name. Plain values
 * are kept as raw bytes (a boundary must match byte for byte).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

#define RAW_MAX     MB_MIME_MAX_PARAMS
#define SECTION_MAX 999

struct raw {
	char *base;  /* lower-cased name without the RFC 2231 suffix */
	int section; /* -1: none */
	bool ext;    /* value is charset'lang'%XX or %XX */
	char *value;
	size_t vlen;
};

/* Skip blanks, line breaks and (nested) comments. */
static size_t
skip_cfws(const char *s, size_t len, size_t i)
{
	int depth;

	for (;;) {
		while (i < len && mime_is_space((unsigned char)s[i]))
			i++;
		if (i >= len || s[i] != '(')
			return i;
		depth = 0;
		for (; i < len; i++) {
			if (s[i] == '\\' && i + 1 < len) {
				i++;
			} else if (s[i] == '(') {
				depth++;
			} else if (s[i] == ')') {
				if (--depth == 0) {
					i++;
					break;
				}
			}
		}
	}
}

static bool
is_tspecial(int c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* Read a MIME token at s[i]; returns its length (0 when none). */
static size_t
token_len(const char *s, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && (unsigned char)s[j] > 32 && (unsigned char)s[j] < 127 &&
	       !is_tspecial((unsigned char)s[j]))
		j++;
	return j - i;
}

/* Does s[i..] look like "name=" (the start of another parameter)? */
static bool
looks_like_param(const char *s, size_t len, size_t i)
{
	size_t n = token_len(s, len, i);

	if (n == 0)
		return false;
	i += n;
	while (i < len && mime_is_space((unsigned char)s[i]))
		i++;
	return i < len && s[i] == '=';
}

/* Read a parameter value at s[i] into out; returns the offset after it. */
static size_t
read_value(const char *s, size_t len, size_t i, struct mb_buf *out)
{
	size_t j;

	if (i < len && s[i] == '"') {
		for (i++; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			if (s[i] != '\r' && s[i] != '\n')
				mb_buf_addch(out, s[i]);
		}
		return i < len ? i + 1 : i;
	}
	for (;;) {
		while (i < len && s[i] != ';' && !mime_is_space((unsigned char)s[i]))
			mb_buf_addch(out, s[i++]);
		j = i;
		while (j < len && mime_is_space((unsigned char)s[j]))
			j++;
		if (j == i || j >= len || s[j] == ';' || s[j] == '(' || s[j] == '"' ||
		    looks_like_param(s, len, j))
			return i;
		mb_buf_addch(out, ' '); /* "name=my file.txt": blanks inside an unquoted value */
		i = j;
	}
}

/* Split "name*3*" into base, section and ext. */
static void
split_name(struct raw *r, const char *n, size_t nlen)
{
	const char *star = memchr(n, '*', nlen);
	size_t k;
	int sec = 0;

	r->section = -1;
	r->ext = false;
	if (star == NULL || star == n) {
		r->base = mime_lowerdup(n, nlen);
		return;
	}
	k = (size_t)(star - n) + 1;
	if (k == nlen) {
		r->ext = true;
	} else {
		size_t d = k;

		while (k < nlen && n[k] >= '0' && n[k] <= '9' && k - d < 3)
			sec = sec * 10 + (n[k++] - '0');
		if (k == d || !(k == nlen || (k + 1 == nlen && n[k] == '*'))) {
			r->base = mime_lowerdup(n, nlen); /* not RFC 2231 after all */
			return;
		}
		r->section = sec;
		r->ext = k + 1 == nlen;
	}
	r->base = mime_lowerdup(n, (size_t)(star - n));
}

/* Append %XX-decoded s[0..len). */
static void
pct_decode(struct mb_buf *out, const char *s, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (hi = mime_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = mime_hexval((unsigned char)s[i + 2])) >= 0) {
			mb_buf_addch(out, hi << 4 | lo);
			i += 2;
		} else {
			mb_buf_addch(out, s[i]);
		}
	}
}

/* Decode an extended value: "charset'lang'%XX" (first section) or "%XX". */
static void
ext_decode(struct mb_buf *out, const char *v, size_t len, bool first, char **charset)
{
	const char *q1, *q2;

	if (first && (q1 = memchr(v, '\'', len)) != NULL) {
		*charset = xmemdup0(v, (size_t)(q1 - v));
		q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - v));
		if (q2 != NULL)
			q1 = q2;
		len -= (size_t)(q1 + 1 - v);
		v = q1 + 1;
	}
	pct_decode(out, v, len);
}

/* Assemble the value of base name from the raw parameters; NULL when there is none. */
static char *
assemble(const struct raw *r, size_t n, const char *base)
{
	struct mb_buf bytes = MB_BUF_INIT, out = MB_BUF_INIT;
	const char *plain = NULL, *single = NULL;
	size_t i, single_len = 0;
	char *charset = NULL;
	int sec;
	bool found, any = false;

	for (i = 0; i < n; i++) {
		if (strcmp(r[i].base, base) != 0)
			continue;
		if (r[i].section < 0 && !r[i].ext && plain == NULL)
			plain = r[i].value;
		if (r[i].section < 0 && r[i].ext && single == NULL) {
			single = r[i].value;
			single_len = r[i].vlen;
		}
	}
	for (sec = 0; sec <= SECTION_MAX; sec++) {
		found = false;
		for (i = 0; i < n && !found; i++) {
			if (r[i].section != sec || strcmp(r[i].base, base) != 0)
				continue;
			found = true;
			if (r[i].ext)
				ext_decode(&bytes, r[i].value, r[i].vlen, sec == 0, &charset);
			else
				mb_buf_add(&bytes, r[i].value, r[i].vlen);
		}
		if (!found)
			break;
		any = true;
	}
	if (!any && single != NULL) {
		ext_decode(&bytes, single, single_len, true, &charset);
		any = true;
	}
	if (!any) {
		mb_buf_release(&bytes);
		return plain != NULL ? xstrdup(plain) : NULL;
	}
	mb_charset_to_utf8(&out, charset, bytes.data, bytes.len);
	mime_nul_to_fffd(&out, 0);
	mb_buf_release(&bytes);
	free(charset);
	return mb_buf_detach(&out, NULL);
}

/* Read the raw parameters from s[i..). */
static size_t
read_params(const char *s, size_t len, size_t i, struct raw *r)
{
	struct mb_buf v = MB_BUF_INIT;
	size_t n = 0, nlen, start;

	while (i < len && n < RAW_MAX) {
		i = skip_cfws(s, len, i);
		if (i < len && s[i] == ';') {
			i++;
			continue;
		}
		if (i >= len)
			break;
		start = i;
		while (i < len && s[i] != '=' && s[i] != ';' && s[i] != '"' && s[i] != '(' &&
		       !mime_is_space((unsigned char)s[i]))
			i++;
		nlen = i - start;
		i = skip_cfws(s, len, i);
		if (i >= len || s[i] != '=') {
			if (nlen == 0)
				i++; /* a stray '"' or '=': skip it */
			continue;
		}
		i = skip_cfws(s, len, i + 1);
		mb_buf_reset(&v);
		i = read_value(s, len, i, &v);
		if (nlen == 0)
			continue;
		split_name(&r[n], s + start, nlen);
		r[n].vlen = v.len;
		r[n].value = xmemdup0(v.data, v.len);
		n++;
	}
	mb_buf_release(&v);
	return n;
}

void
mime_ctype_parse(struct mime_ctype *ct, const char *s, size_t len, bool with_subtype)
{
	struct raw *r;
	size_t i, j, n, t1, t2 = 0;

	memset(ct, 0, sizeof(*ct));
	if (s == NULL)
		return;
	i = skip_cfws(s, len, 0);
	t1 = token_len(s, len, i);
	j = skip_cfws(s, len, i + t1);
	if (with_subtype && t1 > 0 && j < len && s[j] == '/') {
		j = skip_cfws(s, len, j + 1);
		t2 = token_len(s, len, j);
	}
	if (t1 > 0 && t1 < 128 && (!with_subtype || (t2 > 0 && t2 < 128))) {
		ct->type = mime_lowerdup(s + i, t1);
		if (with_subtype)
			ct->subtype = mime_lowerdup(s + j, t2);
		i = j + t2;
	}
	/* the parameters start after the type, or after the first ';' when it was unreadable */
	if (ct->type == NULL) {
		while (i < len && s[i] != ';')
			i++;
	}
	r = xcalloc(RAW_MAX, sizeof(*r));
	n = read_params(s, len, i, r);
	ct->params = xcalloc(n + 1, sizeof(*ct->params));
	for (i = 0; i < n && ct->nparams < MB_MIME_MAX_PARAMS; i++) {
		if (mime_param_get(ct->params, ct->nparams, r[i].base) != NULL)
			continue;
		ct->params[ct->nparams].value = assemble(r, n, r[i].base);
		if (ct->params[ct->nparams].value == NULL)
			continue;
		ct->params[ct->nparams].name = xstrdup(r[i].base);
		ct->nparams++;
	}
	for (i = 0; i < n; i++) {
		free(r[i].base);
		free(r[i].value);
	}
	free(r);
}

void
mime_params_free(struct mb_param *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

void
mime_ctype_release(struct mime_ctype *ct)
{
	free(ct->type);
	free(ct->subtype);
	mime_params_free(ct->params, ct->nparams);
	memset(ct, 0, sizeof(*ct));
}

const char *
mime_param_get(const struct mb_param *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++) {
		if (mime_eq(p[i].name, strlen(p[i].name), name))
			return p[i].value;
	}
	return NULL;
}
