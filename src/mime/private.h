/*
 * private.h: internals shared by the incoming-mail parser files in src/mime/.
 *
 * Not part of the public face (include/mailbench/mime.h); unit tests may use
 * it to reach the pieces directly.
 */
#ifndef MAILBENCH_MIME_PRIVATE_H
#define MAILBENCH_MIME_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"

/* ---- locale-independent ASCII helpers ---- */

static inline int
mime_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static inline int
mime_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline int
mime_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline int
mime_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Case-insensitive equality of s[0..n) and the NUL-terminated lit. */
int mime_eq(const char *s, size_t n, const char *lit);
/* A lower-cased copy of s[0..n). */
char *mime_lowerdup(const char *s, size_t n);

/* ---- header.c: header blocks ---- */

struct mime_hdr_ops {
	/* Nonzero when a line starting with "--" ends the header block (a delimiter). */
	int (*stop)(void *arg, const char *line, size_t len);
	/* One field: name (nlen bytes), raw value with folds (buf[voff..vend)), whole field. */
	void (*field)(void *arg, const char *name, size_t nlen, size_t voff, size_t vend,
	              size_t foff, size_t fend);
	void *arg;
};

struct mime_hdr_result {
	size_t body;   /* offset where the body starts */
	size_t nbad;   /* non-field lines skipped */
	bool complete; /* ended with an empty line */
};

/* Scan the header block in buf[start..end), calling ops for each field. */
void mime_header_scan(const char *buf, size_t start, size_t end, const struct mime_hdr_ops *ops,
                      struct mime_hdr_result *res);

/*
 * Append the unfolded value of raw[0..len) to out: line breaks removed,
 * NUL as space, blanks trimmed at both ends, at most max bytes. Returns
 * true when it was cut.
 */
bool mime_unfold(struct mb_buf *out, const char *raw, size_t len, size_t max);

/* Builds a struct mb_headers field by field. */
struct mime_hbuild {
	struct mb_headers *h;
	struct mb_buf arena;
	size_t *offs; /* name and value offsets into arena, two per field */
	size_t cap;
	size_t max; /* fields to store at most */
};

void mime_hbuild_start(struct mime_hbuild *b, struct mb_headers *h, size_t max);
void mime_hbuild_add(struct mime_hbuild *b, const char *buf, const char *name, size_t nlen,
                     size_t voff, size_t vend, size_t foff, size_t fend);
void mime_hbuild_finish(struct mime_hbuild *b, const struct mime_hdr_result *res);

/* ---- charset.c ---- */

/* Append in[0..len) as UTF-8 when it is valid UTF-8, else as Windows-1252. */
void mime_raw_to_utf8(struct mb_buf *out, const char *in, size_t len);
/* A malloc'd copy of s[0..n) that is valid UTF-8 (the same rule as mime_raw_to_utf8()). */
char *mime_utf8dup(const char *s, size_t n);
/* Can charset be converted (by iconv or built in)? */
bool mime_charset_known(const char *charset);
/* Replace every NUL in out[from..] by U+FFFD. */
void mime_nul_to_fffd(struct mb_buf *out, size_t from);

/* ---- rfc2047.c ---- */

/* mb_mime_decode_header() on s[0..len), appending to out. */
void mime_decode_header_add(struct mb_buf *out, const char *s, size_t len);

/* ---- params.c: Content-Type and Content-Disposition ---- */

struct mime_ctype {
	char *type;    /* lower case, NULL when absent or unreadable */
	char *subtype; /* lower case, NULL when absent */
	struct mb_param *params;
	size_t nparams;
};

/*
 * Parse "type/subtype; a=b; ..." (with_subtype) or "type; a=b" into ct,
 * tolerating missing ';', unquoted values with '=' or 8-bit bytes, comments,
 * and assembling RFC 2231 sections. Release with mime_ctype_release().
 */
void mime_ctype_parse(struct mime_ctype *ct, const char *s, size_t len, bool with_subtype);
void mime_ctype_release(struct mime_ctype *ct);
void mime_params_free(struct mb_param *p, size_t n);
/* A parameter by name, or NULL. */
const char *mime_param_get(const struct mb_param *p, size_t n, const char *name);

/* ---- decode.c ---- */

/* Strict base64 for encoded words: -1 when a character is outside the alphabet. */
int mime_base64_strict(struct mb_buf *out, const char *in, size_t len);

/* ---- parse.c / part.c ---- */

/* Free a part's own memory (not its children). */
void mime_part_free(struct mb_mime_part *p);

/* ---- html.c, address.c ---- */

/* Append the HTML-to-text conversion of html[0..len) to out. */
void mime_html_to_text_add(struct mb_buf *out, const char *html, size_t len);

#endif
