/*
 * header.c: split a header block into fields (RFC 5322 section 2.2) and look them up.
 *
 * One linear pass over the lines. A field line is a name of printable
 * ASCII without blanks, optional blanks, then ':'; lines starting with a
 * blank continue the field before them. Anything else is a "bad" line: if
 * the next line is a field it is skipped (mbox "From " lines, headers
 * wrapped without folding), otherwise the body starts there. The tree
 * walker passes a stop callback so that a MIME delimiter ends a header
 * block even without an empty line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

int
mime_eq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lit[i] == '\0' ||
		    mime_lower((unsigned char)s[i]) != mime_lower((unsigned char)lit[i]))
			return 0;
	}
	return lit[n] == '\0';
}

char *
mime_lowerdup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (char)mime_lower((unsigned char)s[i]);
	d[n] = '\0';
	return d;
}

/* Is line[0..len) a field line? Sets *nlen (name without blanks) and *colon. */
static int
field_line(const char *line, size_t len, size_t *nlen, size_t *colon)
{
	size_t i = 0, n;

	while (i < len && (unsigned char)line[i] > 32 && (unsigned char)line[i] < 127 &&
	       line[i] != ':')
		i++;
	n = i;
	if (n == 0)
		return 0;
	while (i < len && mime_is_wsp(line[i]))
		i++;
	if (i >= len || line[i] != ':')
		return 0;
	*nlen = n;
	*colon = i;
	return 1;
}

/* The line starting at pos: its length without the line end, and where the next one starts. */
static size_t
line_at(const char *buf, size_t pos, size_t end, size_t *next)
{
	const char *nl = memchr(buf + pos, '\n', end - pos);
	size_t e = nl != NULL ? (size_t)(nl - buf) : end;

	*next = nl != NULL ? e + 1 : end;
	if (e > pos && buf[e - 1] == '\r')
		e--;
	return e - pos;
}

/* Is the line at pos a field line (and no delimiter)? */
static int
next_is_field(const char *buf, size_t pos, size_t end, const struct mime_hdr_ops *ops)
{
	size_t next, ll = line_at(buf, pos, end, &next), nlen, colon;

	if (ll >= 2 && buf[pos] == '-' && buf[pos + 1] == '-' && ops != NULL && ops->stop != NULL &&
	    ops->stop(ops->arg, buf + pos, ll))
		return 0;
	return field_line(buf + pos, ll, &nlen, &colon);
}

struct cur {
	bool have;
	size_t foff, noff, nlen, voff, fend;
};

static void
flush(const char *buf, struct cur *c, const struct mime_hdr_ops *ops)
{
	if (c->have && ops != NULL && ops->field != NULL)
		ops->field(ops->arg, buf + c->noff, c->nlen, c->voff, c->fend, c->foff, c->fend);
	c->have = false;
}

void
mime_header_scan(const char *buf, size_t start, size_t end, const struct mime_hdr_ops *ops,
                 struct mime_hdr_result *res)
{
	struct cur c = {false, 0, 0, 0, 0, 0};
	size_t pos = start, next, ll, nlen, colon;

	res->nbad = 0;
	res->complete = false;
	while (pos < end) {
		const char *line = buf + pos;

		ll = line_at(buf, pos, end, &next);
		if (ll == 0) {
			flush(buf, &c, ops);
			res->complete = true;
			res->body = next;
			return;
		}
		if (ll >= 2 && line[0] == '-' && line[1] == '-' && ops != NULL &&
		    ops->stop != NULL && ops->stop(ops->arg, line, ll)) {
			flush(buf, &c, ops);
			res->body = pos;
			return;
		}
		if (mime_is_wsp(line[0]) && c.have) {
			c.fend = next;
			pos = next;
			continue;
		}
		if (!mime_is_wsp(line[0]) && field_line(line, ll, &nlen, &colon)) {
			flush(buf, &c, ops);
			c.have = true;
			c.foff = c.noff = pos;
			c.nlen = nlen;
			c.voff = pos + colon + 1;
			c.fend = next;
			pos = next;
			continue;
		}
		/* not a field */
		flush(buf, &c, ops);
		if (next < end && next_is_field(buf, next, end, ops)) {
			res->nbad++;
			pos = next;
			continue;
		}
		res->body = pos;
		return;
	}
	flush(buf, &c, ops);
	res->body = end;
}

bool
mime_unfold(struct mb_buf *out, const char *raw, size_t len, size_t max)
{
	size_t i = 0, start = out->len, n = 0;
	bool cut = false;

	while (i < len && mime_is_space((unsigned char)raw[i]))
		i++;
	mb_buf_grow(out, len - i < max ? len - i : max);
	for (; i < len; i++) {
		char ch = raw[i];

		if (ch == '\n' || (ch == '\r' && (i + 1 == len || raw[i + 1] == '\n')))
			continue;
		if (n == max) {
			cut = true;
			break;
		}
		mb_buf_addch(out, ch == '\0' ? ' ' : ch);
		n++;
	}
	while (out->len > start && mime_is_space((unsigned char)out->data[out->len - 1]))
		out->len--;
	out->data[out->len] = '\0';
	return cut;
}

void
mime_hbuild_start(struct mime_hbuild *b, struct mb_headers *h, size_t max)
{
	memset(h, 0, sizeof(*h));
	b->h = h;
	mb_buf_init(&b->arena);
	b->offs = NULL;
	b->cap = 0;
	b->max = max;
}

void
mime_hbuild_add(struct mime_hbuild *b, const char *buf, const char *name, size_t nlen, size_t voff,
                size_t vend, size_t foff, size_t fend)
{
	struct mb_headers *h = b->h;
	struct mb_header_field *f;
	size_t vstart;

	if (h->nfields >= b->max) {
		h->ndropped++;
		return;
	}
	if (h->nfields == b->cap) {
		b->cap = b->cap == 0 ? 8 : b->cap * 2;
		h->fields = xreallocarray(h->fields, b->cap, sizeof(*h->fields));
		b->offs = xreallocarray(b->offs, b->cap, 2 * sizeof(*b->offs));
	}
	f = &h->fields[h->nfields];
	memset(f, 0, sizeof(*f));
	b->offs[2 * h->nfields] = b->arena.len;
	mb_buf_add(&b->arena, name, nlen);
	mb_buf_addch(&b->arena, '\0');
	vstart = b->arena.len;
	b->offs[2 * h->nfields + 1] = vstart;
	f->truncated = mime_unfold(&b->arena, buf + voff, vend - voff, MB_MIME_MAX_FIELD_LEN);
	f->value_len = b->arena.len - vstart;
	mb_buf_addch(&b->arena, '\0');
	f->offset = foff;
	f->raw_len = fend - foff;
	h->nfields++;
}

void
mime_hbuild_finish(struct mime_hbuild *b, const struct mime_hdr_result *res)
{
	struct mb_headers *h = b->h;
	size_t i;

	h->nbad = res->nbad;
	h->complete = res->complete;
	h->store = mb_buf_detach(&b->arena, NULL);
	for (i = 0; i < h->nfields; i++) {
		h->fields[i].name = h->store + b->offs[2 * i];
		h->fields[i].value = h->store + b->offs[2 * i + 1];
	}
	free(b->offs);
	b->offs = NULL;
}

struct plain_ctx {
	struct mime_hbuild *b;
	const char *buf;
};

static void
plain_field(void *arg, const char *name, size_t nlen, size_t voff, size_t vend, size_t foff,
            size_t fend)
{
	struct plain_ctx *pc = arg;

	mime_hbuild_add(pc->b, pc->buf, name, nlen, voff, vend, foff, fend);
}

size_t
mb_headers_parse(struct mb_headers *h, const char *buf, size_t len)
{
	struct mime_hbuild b;
	struct plain_ctx pc = {&b, buf};
	struct mime_hdr_ops ops = {NULL, plain_field, &pc};
	struct mime_hdr_result res;

	mime_hbuild_start(&b, h, MB_MIME_MAX_FIELDS);
	if (buf == NULL)
		len = 0;
	mime_header_scan(buf, 0, len, &ops, &res);
	mime_hbuild_finish(&b, &res);
	return res.body;
}

void
mb_headers_release(struct mb_headers *h)
{
	if (h == NULL)
		return;
	free(h->fields);
	free(h->store);
	memset(h, 0, sizeof(*h));
}

const char *
mb_headers_get(const struct mb_headers *h, const char *name)
{
	size_t i;

	if (h == NULL || name == NULL)
		return NULL;
	for (i = 0; i < h->nfields; i++) {
		if (mime_eq(h->fields[i].name, strlen(h->fields[i].name), name))
			return h->fields[i].value;
	}
	return NULL;
}

const char **
mb_headers_get_all(const struct mb_headers *h, const char *name, size_t *n)
{
	const char **v;
	size_t i, k = 0, cnt = 0;

	if (h != NULL && name != NULL) {
		for (i = 0; i < h->nfields; i++)
			cnt += mime_eq(h->fields[i].name, strlen(h->fields[i].name), name);
	}
	v = xcalloc(cnt + 1, sizeof(*v));
	for (i = 0; cnt > 0 && i < h->nfields; i++) {
		if (mime_eq(h->fields[i].name, strlen(h->fields[i].name), name))
			v[k++] = h->fields[i].value;
	}
	v[k] = NULL;
	if (n != NULL)
		*n = k;
	return v;
}
