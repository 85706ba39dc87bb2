/*
 * buf.c: growable NUL-terminated byte buffer (see buf.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h"

char mb_buf_empty[1];

void
mb_buf_init(struct mb_buf *b)
{
	b->data = mb_buf_empty;
	b->len = b->cap = 0;
}

void
mb_buf_release(struct mb_buf *b)
{
	if (b->cap != 0)
		free(b->data);
	mb_buf_init(b);
}

void
mb_buf_grow(struct mb_buf *b, size_t extra)
{
	size_t want, cap;

	if (extra > (size_t)-1 / 2 - b->len)
		abort();
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < want)
		cap *= 2;
	if (b->cap == 0) {
		b->data = xmalloc(cap);
		b->data[0] = '\0';
	} else
		b->data = xreallocarray(b->data, 1, cap);
	b->cap = cap;
}

void
mb_buf_fit(struct mb_buf *b)
{
	if (b->cap == 0 || b->cap == b->len + 1)
		return;
	b->data = xreallocarray(b->data, 1, b->len + 1);
	b->cap = b->len + 1;
}

void
mb_buf_add(struct mb_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	mb_buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
mb_buf_addstr(struct mb_buf *b, const char *s)
{
	mb_buf_add(b, s, strlen(s));
}

void
mb_buf_addch(struct mb_buf *b, int c)
{
	char ch = (char)c;

	mb_buf_add(b, &ch, 1);
}

void
mb_buf_vaddf(struct mb_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	mb_buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
mb_buf_addf(struct mb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
mb_buf_reset(struct mb_buf *b)
{
	b->len = 0;
	if (b->cap != 0)
		b->data[0] = '\0';
}

void
mb_buf_consume(struct mb_buf *b, size_t len)
{
	if (len >= b->len) {
		mb_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + len, b->len - len);
	b->len -= len;
	b->data[b->len] = '\0';
}

void
mb_buf_truncate(struct mb_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

char *
mb_buf_detach(struct mb_buf *b, size_t *len)
{
	char *p;

	if (b->cap == 0)
		p = xstrdup("");
	else
		p = b->data;
	if (len != NULL)
		*len = b->len;
	mb_buf_init(b);
	return p;
}
