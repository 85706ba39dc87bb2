/*
 * addrlist.c: address lists as people type them, for composing:
 * "a@x, Name <b@y>, \"Last, First\" <c@z>, d@w (Dee)".
 *
 * This is the outgoing side: strict about what would break the wire (CR,
 * LF, NUL, an address that does not check), tolerant about spacing. The
 * incoming side, which must accept anything a server hands over, is the
 * MIME parser's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/addr.h"
#include "mailbench/buf.h"
#include "mailbench/compose.h"
#include "mailbench/xalloc.h"

static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *
trim_end(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

/* Find the end of one entry: the next comma outside quotes, <> and (). */
static const char *
entry_end(const char *p, const char *end)
{
	bool quoted = false;
	int angle = 0, paren = 0;

	for (; p < end; p++) {
		if (quoted) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = false;
			continue;
		}
		if (*p == '"')
			quoted = true;
		else if (*p == '<')
			angle++;
		else if (*p == '>' && angle > 0)
			angle--;
		else if (*p == '(')
			paren++;
		else if (*p == ')' && paren > 0)
			paren--;
		else if (*p == ',' && angle == 0 && paren == 0)
			return p;
	}
	return end;
}

/* A display name: unquote "..." (with \ escapes), else take it as typed. */
static char *
display_name(const char *p, const char *end)
{
	struct mb_buf b = MB_BUF_INIT;

	p = skip_space(p, end);
	end = trim_end(p, end);
	if (p == end)
		return NULL;
	if (end - p >= 2 && *p == '"' && end[-1] == '"') {
		for (p++, end--; p < end; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			mb_buf_addch(&b, *p);
		}
		return mb_buf_detach(&b, NULL);
	}
	return xmemdup0(p, (size_t)(end - p));
}

static int
parse_entry(const char *p, const char *end, struct mb_caddr *a, struct mb_error *err)
{
	const char *lt = NULL, *gt, *q, *addr_end;
	bool quoted = false;
	char *entry;

	for (q = p; q < end; q++) {
		if (*q == '"')
			quoted = !quoted;
		else if (*q == '<' && !quoted) {
			lt = q;
			break;
		}
	}
	if (lt != NULL) {
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL || skip_space(gt + 1, end) != end) {
			entry = xmemdup0(p, (size_t)(end - p));
			mb_error_set(err, MB_ERR_INPUT,
			             "cannot read the address '%s': '<' without a matching '>' at "
			             "the end",
			             entry);
			free(entry);
			return -1;
		}
		a->name = display_name(p, lt);
		a->addr = xmemdup0(lt + 1, (size_t)(gt - lt - 1));
	} else {
		/* "addr" or "addr (Comment)" */
		q = memchr(p, '(', (size_t)(end - p));
		addr_end = q ? trim_end(p, q) : end;
		a->addr = xmemdup0(p, (size_t)(addr_end - p));
		if (q != NULL) {
			const char *cp = memchr(q, ')', (size_t)(end - q));

			if (cp != NULL && cp > q + 1)
				a->name = xmemdup0(q + 1, (size_t)(cp - q - 1));
		}
	}
	if (mb_addr_check(a->addr, false, true, err) < 0)
		return -1;
	return 0;
}

int
mb_caddr_list_parse(const char *text, struct mb_caddr_list *out, struct mb_error *err)
{
	const char *p, *end, *e;
	size_t cap = 0;

	memset(out, 0, sizeof *out);
	if (text == NULL)
		return 0;
	if (strpbrk(text, "\r\n") != NULL)
		return mb_error_set(err, MB_ERR_INPUT,
		                    "an address list contains a line break (CR or LF): refused");
	p = text;
	end = text + strlen(text);
	while (p < end) {
		e = entry_end(p, end);
		p = skip_space(p, e);
		if (p < trim_end(p, e)) {
			if (out->n == cap) {
				cap = cap ? cap * 2 : 4;
				out->v = xreallocarray(out->v, cap, sizeof *out->v);
			}
			memset(&out->v[out->n], 0, sizeof out->v[out->n]);
			out->n++;
			if (parse_entry(p, trim_end(p, e), &out->v[out->n - 1], err) < 0) {
				mb_caddr_list_release(out);
				return -1;
			}
		}
		p = e < end ? e + 1 : e;
	}
	return 0;
}

void
mb_caddr_list_release(struct mb_caddr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
