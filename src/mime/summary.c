/*
 * summary.c: what the cache stores about a message, from its raw bytes.
 *
 * Decoded Subject and address fields, the date, the threading ids, an
 * attachment count, the text for full-text search (at most
 * MB_SUMMARY_MAX_TEXT bytes) and the delivery trace (trace.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

struct collect {
	const struct mb_mime_tree *t;
	struct mb_buf text;
	bool full;
};

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* Append one leaf's text, converting HTML; stop at the cap. */
static void
add_leaf(struct collect *c, const struct mb_mime_part *p)
{
	struct mb_buf part = MB_BUF_INIT;
	size_t cut;

	mb_mime_part_text(c->t, p, &part);
	if (is(p->subtype, "html")) {
		struct mb_buf txt = MB_BUF_INIT;

		mime_html_to_text_add(&txt, part.data, part.len);
		mb_buf_release(&part);
		part = txt;
	}
	if (part.len > 0) {
		if (c->text.len > 0)
			mb_buf_addstr(&c->text, "\n\n");
		mb_buf_add(&c->text, part.data, part.len);
	}
	mb_buf_release(&part);
	if (c->text.len > MB_SUMMARY_MAX_TEXT) {
		cut = MB_SUMMARY_MAX_TEXT;
		while (cut > 0 && ((unsigned char)c->text.data[cut] & 0xC0) == 0x80)
			cut--;
		mb_buf_truncate(&c->text, cut);
		c->full = true;
	}
}

/* The alternative to show: text/plain, else a multipart, else HTML, else the first. */
static const struct mb_mime_part *
pick_alternative(const struct mb_mime_part *p)
{
	const struct mb_mime_part *c, *multi = NULL, *html = NULL;

	for (c = p->child; c != NULL; c = c->next) {
		if (c->kind == MB_PART_SINGLE && is(c->type, "text") && is(c->subtype, "plain") &&
		    !is(c->disposition, "attachment") && c->body_len > 0)
			return c;
		if (c->kind == MB_PART_MULTIPART && multi == NULL)
			multi = c;
		if (c->kind == MB_PART_SINGLE && is(c->type, "text") && is(c->subtype, "html") &&
		    html == NULL)
			html = c;
	}
	return multi != NULL ? multi : html != NULL ? html : p->child;
}

static void
collect(struct collect *c, const struct mb_mime_part *p)
{
	const struct mb_mime_part *ch;

	if (p == NULL || c->full)
		return;
	switch (p->kind) {
	case MB_PART_MULTIPART:
		if (p->child == NULL) {
			/* no delimiter ever came: the body is all preamble, show it as text */
			add_leaf(c, p);
			break;
		}
		if (is(p->subtype, "alternative")) {
			collect(c, pick_alternative(p));
			break;
		}
		for (ch = p->child; ch != NULL && !c->full; ch = ch->next)
			collect(c, ch);
		break;
	case MB_PART_MESSAGE:
		collect(c, p->child);
		break;
	case MB_PART_SINGLE:
		if (is(p->type, "text") && (is(p->subtype, "plain") || is(p->subtype, "html")) &&
		    !is(p->disposition, "attachment"))
			add_leaf(c, p);
		break;
	case MB_PART_LIMIT:
		break;
	}
}

/* Append every "<id>" of value, separated by one space; the count. */
static size_t
msgids(struct mb_buf *out, const char *value, size_t max)
{
	const char *p = value, *lt, *gt;
	size_t n = 0;

	while (p != NULL && n < max && (lt = strchr(p, '<')) != NULL &&
	       (gt = strchr(lt, '>')) != NULL) {
		if (out->len > 0)
			mb_buf_addch(out, ' ');
		mb_buf_add(out, lt, (size_t)(gt - lt) + 1);
		n++;
		p = gt + 1;
	}
	return n;
}

/* The buffer's contents as a valid UTF-8 string; the buffer is left empty. */
static char *
utf8_detach(struct mb_buf *b)
{
	char *s = mime_utf8dup(b->data, b->len);

	mb_buf_release(b);
	return s;
}

static char *
first_msgid(const char *value, bool raw_fallback)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t n;

	if (msgids(&b, value, 1) == 0 && raw_fallback && value != NULL) {
		n = strlen(value);
		while (n > 0 && mime_is_space((unsigned char)value[n - 1]))
			n--;
		mb_buf_add(&b, value, n);
	}
	return utf8_detach(&b);
}

/* An address field: its display string, and the first addr-spec. */
static char *
addresses(const char *value, char **first)
{
	struct mb_address_list l;
	char *s;

	mb_address_list_parse(&l, value);
	s = mb_address_list_format(&l);
	if (first != NULL)
		*first = xstrdup(l.n > 0 ? l.v[0].addr : "");
	mb_address_list_release(&l);
	return s;
}

void
mb_summary_parse(struct mb_summary *s, const char *buf, size_t len)
{
	struct mb_mime_tree *t = mb_mime_parse(buf, len);
	const struct mb_headers *h = &t->root->headers;
	struct collect c = {t, MB_BUF_INIT, false};
	struct mb_buf refs = MB_BUF_INIT;
	const char *v;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->subject = mb_mime_decode_header(mb_headers_get(h, "Subject"));
	s->from = addresses(mb_headers_get(h, "From"), &s->from_addr);
	s->to = addresses(mb_headers_get(h, "To"), NULL);
	s->cc = addresses(mb_headers_get(h, "Cc"), NULL);
	s->reply_to = addresses(mb_headers_get(h, "Reply-To"), NULL);
	v = mb_headers_get(h, "Date");
	s->date_raw = mime_utf8dup(v != NULL ? v : "", v != NULL ? strlen(v) : 0);
	mb_date_parse(v, &s->date);
	s->message_id = first_msgid(mb_headers_get(h, "Message-ID"), true);
	s->in_reply_to = first_msgid(mb_headers_get(h, "In-Reply-To"), false);
	msgids(&refs, mb_headers_get(h, "References"), (size_t)-1);
	s->references = utf8_detach(&refs);
	for (i = 0; i < t->nparts; i++)
		s->nattachments += mb_mime_part_is_attachment(t->parts[i]);
	s->has_attachments = s->nattachments > 0;
	collect(&c, t->root);
	s->body_truncated = c.full;
	s->body_text = mb_buf_detach(&c.text, &s->body_len);
	mb_trace_parse(&s->trace, h);
	mb_mime_free(t);
}

void
mb_summary_release(struct mb_summary *s)
{
	if (s == NULL)
		return;
	free(s->subject);
	free(s->from);
	free(s->from_addr);
	free(s->to);
	free(s->cc);
	free(s->reply_to);
	free(s->date_raw);
	free(s->message_id);
	free(s->in_reply_to);
	free(s->references);
	free(s->body_text);
	mb_trace_release(&s->trace);
	memset(s, 0, sizeof(*s));
}
