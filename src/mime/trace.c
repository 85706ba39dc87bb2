/*
 * trace.c: the delivery trace of a received message (RFC 5321 section 4.4).
 *
 * Return-Path, Delivered-To, every Received field in order (each split
 * into its from/by/via/with/id/for clauses and date, the raw value kept)
 * and Authentication-Results: what the "envelope versus headers" lesson
 * puts next to From: and To:.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "private.h"

static const char *const keywords[] = {"from", "by", "via", "with", "id", "for"};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Copy s[0..n) with runs of blanks made one space and the ends trimmed. */
static char *
collapse(const char *s, size_t n)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i;
	bool blank = false;

	for (i = 0; i < n; i++) {
		if (mime_is_space((unsigned char)s[i])) {
			blank = true;
			continue;
		}
		if (blank && b.len > 0)
			mb_buf_addch(&b, ' ');
		blank = false;
		mb_buf_addch(&b, s[i]);
	}
	if (!mb_utf8_valid(b.data, b.len)) {
		char *u = mime_utf8dup(b.data, b.len);

		mb_buf_release(&b);
		return u;
	}
	return mb_buf_detach(&b, NULL);
}

/* Which keyword is the word s[0..n)? -1 for none. */
static int
keyword(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < NKEYWORDS; k++) {
		if (mime_eq(s, n, keywords[k]))
			return (int)k;
	}
	return -1;
}

void
mb_received_parse(struct mb_received *r, const char *value)
{
	char **slot[NKEYWORDS];
	const char *semi;
	size_t len, i = 0, j, vstart = 0;
	int cur = -1, k, depth;
	unsigned seen = 0;

	memset(r, 0, sizeof(*r));
	if (value == NULL)
		value = "";
	r->raw = mime_utf8dup(value, strlen(value));
	slot[0] = &r->from;
	slot[1] = &r->by;
	slot[2] = &r->via;
	slot[3] = &r->with;
	slot[4] = &r->id;
	slot[5] = &r->for_;
	semi = strrchr(value, ';');
	if (semi != NULL)
		mb_date_parse(semi + 1, &r->date);
	len = semi != NULL ? (size_t)(semi - value) : strlen(value);
	while (i < len) {
		if (value[i] == '(' || value[i] == '[') {
			char open = value[i], shut = open == '(' ? ')' : ']';

			for (depth = 0; i < len; i++) {
				if (value[i] == '\\' && i + 1 < len)
					i++;
				else if (value[i] == open)
					depth++;
				else if (value[i] == shut && --depth == 0)
					break;
			}
			i++;
			continue;
		}
		if (mime_is_space((unsigned char)value[i])) {
			i++;
			continue;
		}
		for (j = i; j < len && !mime_is_space((unsigned char)value[j]) && value[j] != '(' &&
		            value[j] != '[';
		     j++)
			;
		k = keyword(value + i, j - i);
		if (k >= 0 && (seen & (1u << k)) == 0) {
			seen |= 1u << k;
			if (cur >= 0)
				*slot[cur] = collapse(value + vstart, i - vstart);
			cur = k;
			vstart = j;
		}
		i = j;
	}
	if (cur >= 0)
		*slot[cur] = collapse(value + vstart, len - vstart);
	for (k = 0; k < (int)NKEYWORDS; k++) {
		if (*slot[k] != NULL && (*slot[k])[0] == '\0')
			XFREE(*slot[k]);
	}
}

void
mb_received_release(struct mb_received *r)
{
	if (r == NULL)
		return;
	free(r->raw);
	free(r->from);
	free(r->by);
	free(r->via);
	free(r->with);
	free(r->id);
	free(r->for_);
	memset(r, 0, sizeof(*r));
}

/* "<a@b>" -> "a@b", "<>" -> "", "a@b" -> "a@b". */
static char *
path_addr(const char *v)
{
	const char *lt = strchr(v, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		return collapse(lt + 1, (size_t)(gt - lt - 1));
	return collapse(v, strlen(v));
}

void
mb_trace_parse(struct mb_trace *tr, const struct mb_headers *h)
{
	const struct mb_header_field *f;
	size_t i, n;

	memset(tr, 0, sizeof(*tr));
	if (h == NULL)
		return;
	for (i = 0; i < h->nfields; i++) {
		f = &h->fields[i];
		n = strlen(f->name);
		if (mime_eq(f->name, n, "return-path")) {
			if (tr->return_path == NULL)
				tr->return_path = path_addr(f->value);
		} else if (mime_eq(f->name, n, "delivered-to")) {
			tr->delivered_to = xreallocarray(tr->delivered_to, tr->ndelivered_to + 1,
			                                 sizeof(char *));
			tr->delivered_to[tr->ndelivered_to++] = collapse(f->value, f->value_len);
		} else if (mime_eq(f->name, n, "received")) {
			tr->received = xreallocarray(tr->received, tr->nreceived + 1,
			                             sizeof(*tr->received));
			mb_received_parse(&tr->received[tr->nreceived++], f->value);
		} else if (mime_eq(f->name, n, "authentication-results")) {
			tr->auth_results = xreallocarray(tr->auth_results, tr->nauth_results + 1,
			                                 sizeof(char *));
			tr->auth_results[tr->nauth_results++] = collapse(f->value, f->value_len);
		}
	}
}

void
mb_trace_release(struct mb_trace *tr)
{
	size_t i;

	if (tr == NULL)
		return;
	free(tr->return_path);
	for (i = 0; i < tr->ndelivered_to; i++)
		free(tr->delivered_to[i]);
	free(tr->delivered_to);
	for (i = 0; i < tr->nreceived; i++)
		mb_received_release(&tr->received[i]);
	free(tr->received);
	for (i = 0; i < tr->nauth_results; i++)
		free(tr->auth_results[i]);
	free(tr->auth_results);
	memset(tr, 0, sizeof(*tr));
}
