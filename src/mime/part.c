/*
 * part.c: what a caller asks of one part of a parsed tree: parameters, section
 * numbers, attachment status, and its body transfer-decoded or as UTF-8 text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

const char *
mb_mime_part_param(const struct mb_mime_part *p, const char *name)
{
	if (p == NULL || name == NULL)
		return NULL;
	return mime_param_get(p->params, p->nparams, name);
}

/* 1-based position of p among its parent's children. */
static size_t
sibling_no(const struct mb_mime_part *p)
{
	const struct mb_mime_part *c;
	size_t n = 1;

	for (c = p->parent->child; c != NULL && c != p; c = c->next)
		n++;
	return n;
}

char *
mb_mime_part_id(const struct mb_mime_part *p)
{
	size_t nums[MB_MIME_MAX_DEPTH + 2], n = 0, i;
	struct mb_buf b = MB_BUF_INIT;

	for (; p != NULL && p->parent != NULL && n < MB_MIME_MAX_DEPTH + 2; p = p->parent) {
		/* the message inside a message/rfc822 part shares that part's number */
		if (p->parent->kind == MB_PART_MULTIPART)
			nums[n++] = sibling_no(p);
	}
	for (i = n; i-- > 0;)
		mb_buf_addf(&b, i + 1 == n ? "%zu" : ".%zu", nums[i]);
	return mb_buf_detach(&b, NULL);
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

bool
mb_mime_part_is_attachment(const struct mb_mime_part *p)
{
	const struct mb_mime_part *up = p != NULL ? p->parent : NULL;

	if (p == NULL || p->kind == MB_PART_MULTIPART || p->kind == MB_PART_LIMIT ||
	    (p->flags & MB_PART_BAD_MULTIPART) != 0)
		return false;
	if (is(p->type, "application") &&
	    (is(p->subtype, "pgp-signature") || is(p->subtype, "pkcs7-signature") ||
	     is(p->subtype, "x-pkcs7-signature")))
		return false;
	if (is(p->disposition, "attachment"))
		return true;
	if (p->filename != NULL && !is(p->disposition, "inline"))
		return true;
	/* an inline file: an attachment unless it is text or an HTML body's picture */
	if (p->filename != NULL && !is(p->type, "text") &&
	    !(up != NULL && is(up->type, "multipart") && is(up->subtype, "related")))
		return true;
	if (is(p->type, "message") && (is(p->subtype, "rfc822") || is(p->subtype, "global")))
		return up != NULL && !(is(up->type, "multipart") && is(up->subtype, "digest"));
	if (p->disposition == NULL && !is(p->type, "text") && !is(p->type, "message") &&
	    up != NULL && is(up->type, "multipart") && !is(up->subtype, "related") &&
	    !is(up->subtype, "alternative"))
		return true;
	return false;
}

static size_t
decode(const struct mb_mime_tree *t, const struct mb_mime_part *p, struct mb_buf *out)
{
	const char *body;

	if (t == NULL || p == NULL || p->body_offset > t->len ||
	    p->body_len > t->len - p->body_offset)
		return 0;
	body = t->buf + p->body_offset;
	switch (p->cte) {
	case MB_CTE_QP:
		return mb_qp_decode(out, body, p->body_len);
	case MB_CTE_BASE64:
		return mb_base64_decode(out, body, p->body_len);
	default:
		if (out != NULL)
			mb_buf_add(out, body, p->body_len);
		return p->body_len;
	}
}

size_t
mb_mime_part_decode(const struct mb_mime_tree *t, const struct mb_mime_part *p, struct mb_buf *out)
{
	return decode(t, p, out);
}

size_t
mb_mime_part_decoded_size(const struct mb_mime_tree *t, const struct mb_mime_part *p)
{
	return decode(t, p, NULL);
}

/* CR LF -> LF in out[from..]. */
static void
crlf_to_lf(struct mb_buf *out, size_t from)
{
	size_t r, w = from;

	for (r = from; r < out->len; r++) {
		if (out->data[r] == '\r' && r + 1 < out->len && out->data[r + 1] == '\n')
			continue;
		out->data[w++] = out->data[r];
	}
	mb_buf_truncate(out, w);
}

int
mb_mime_part_text(const struct mb_mime_tree *t, const struct mb_mime_part *p, struct mb_buf *out)
{
	struct mb_buf raw = MB_BUF_INIT;
	size_t start = out->len;
	int rc;

	decode(t, p, &raw);
	rc = mb_charset_to_utf8(out, p != NULL ? p->charset : NULL, raw.data, raw.len);
	mb_buf_release(&raw);
	crlf_to_lf(out, start);
	mime_nul_to_fffd(out, start);
	return rc;
}
