/*
 * parse.c: the MIME tree walker (RFC 2045, RFC 2046) for incoming messages.
 *
 * One pass over the lines of the buffer, with an explicit stack of open
 * parts instead of recursion. Every open multipart contributes its
 * boundary; a line starting with "--" is a delimiter of the open multipart
 * whose boundary is the longest prefix of the rest of the line (innermost
 * on a tie), which closes every part opened inside it. Each byte is looked
 * at a bounded number of times, so time is linear in the message size
 * (times the depth for lines starting with "--"). Limits: depth
 * MB_MIME_MAX_DEPTH (deeper containers become MB_PART_LIMIT leaves), count
 * MB_MIME_MAX_PARTS (the last slot becomes a MB_PART_LIMIT placeholder that
 * absorbs the rest of its multipart), stored header fields
 * MB_MIME_MAX_TREE_FIELDS.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

struct frame {
	struct mb_mime_part *part;
	char *boundary; /* NULL: a leaf, a message, or a multipart already closed */
	size_t blen;
	bool placeholder;
	struct mb_mime_part *last; /* last child so far */
};

struct walker {
	const char *buf;
	size_t len;
	struct mb_mime_tree *t;
	struct frame stack[MB_MIME_MAX_DEPTH + 2];
	size_t nframes;
	size_t nactive; /* frames with a boundary */
	size_t fields_left;
	size_t pos; /* where the line scan continues */
	size_t cap; /* room in t->parts */
};

/* What the header scan of one part collects. */
struct hctx {
	struct walker *w;
	struct mime_hbuild hb;
	const struct mb_headers *h;
	struct mime_ctype ct;
	bool have_ct, have_cte, have_disp, have_cid;
	struct mb_buf cte, disp, cid;
	const char *pending; /* the boundary of the part being opened, once seen */
	size_t plen;
};

/* Does line (starting with "--") delimit boundary b? Sets *close. */
static bool
delim_match(const char *b, size_t blen, const char *line, size_t len, bool *close)
{
	size_t i;

	if (len < 2 + blen || memcmp(line + 2, b, blen) != 0)
		return false;
	i = 2 + blen;
	*close = i + 1 < len && line[i] == '-' && line[i + 1] == '-';
	if (blen > 0)
		return true;
	/* an empty boundary: nothing but blanks may follow "--" or "----" */
	if (*close)
		i += 2;
	for (; i < len; i++) {
		if (!mime_is_wsp(line[i]))
			return false;
	}
	return true;
}

/*
 * The frame a delimiter line belongs to: its index, -2 for the pending
 * boundary of the part being opened, -1 for none.
 */
static int
find_delim(const struct walker *w, const char *line, size_t len, const char *pending, size_t plen,
           bool *close)
{
	int best = -1;
	size_t bestlen = 0, i;
	bool c;

	if (pending != NULL && delim_match(pending, plen, line, len, &c)) {
		best = -2;
		bestlen = plen;
		*close = c;
	}
	for (i = w->nframes; i-- > 0;) {
		const struct frame *f = &w->stack[i];

		if (f->boundary == NULL || (best != -1 && f->blen <= bestlen))
			continue;
		if (delim_match(f->boundary, f->blen, line, len, &c)) {
			best = (int)i;
			bestlen = f->blen;
			*close = c;
		}
	}
	return best;
}

static int
hdr_stop(void *arg, const char *line, size_t len)
{
	struct hctx *hc = arg;
	bool c;

	return find_delim(hc->w, line, len, hc->pending, hc->plen, &c) != -1;
}

static void
hdr_field(void *arg, const char *name, size_t nlen, size_t voff, size_t vend, size_t foff,
          size_t fend)
{
	struct hctx *hc = arg;
	const char *buf = hc->w->buf;
	struct mb_buf tmp = MB_BUF_INIT;
	const char *b;

	mime_hbuild_add(&hc->hb, buf, name, nlen, voff, vend, foff, fend);
	if (!hc->have_ct && mime_eq(name, nlen, "content-type")) {
		hc->have_ct = true;
		mime_unfold(&tmp, buf + voff, vend - voff, MB_MIME_MAX_FIELD_LEN);
		mime_ctype_parse(&hc->ct, tmp.data, tmp.len, true);
		mb_buf_release(&tmp);
		b = mime_param_get(hc->ct.params, hc->ct.nparams, "boundary");
		if (hc->ct.type != NULL && strcmp(hc->ct.type, "multipart") == 0 && b != NULL &&
		    strlen(b) <= MB_MIME_MAX_BOUNDARY) {
			hc->pending = b;
			hc->plen = strlen(b);
		}
	} else if (!hc->have_cte && mime_eq(name, nlen, "content-transfer-encoding")) {
		hc->have_cte = true;
		mime_unfold(&hc->cte, buf + voff, vend - voff, 256);
	} else if (!hc->have_disp && mime_eq(name, nlen, "content-disposition")) {
		hc->have_disp = true;
		mime_unfold(&hc->disp, buf + voff, vend - voff, MB_MIME_MAX_FIELD_LEN);
	} else if (!hc->have_cid && mime_eq(name, nlen, "content-id")) {
		hc->have_cid = true;
		mime_unfold(&hc->cid, buf + voff, vend - voff, 1024);
	}
}

static enum mb_cte
cte_parse(const char *s)
{
	static const struct {
		const char *name;
		enum mb_cte cte;
	} names[] = {{"7bit", MB_CTE_7BIT},
	             {"8bit", MB_CTE_8BIT},
	             {"binary", MB_CTE_BINARY},
	             {"quoted-printable", MB_CTE_QP},
	             {"base64", MB_CTE_BASE64}};
	size_t i = 0, n, k;

	while (mime_is_space((unsigned char)s[i]))
		i++;
	n = i;
	while (s[n] != '\0' && !mime_is_space((unsigned char)s[n]) && s[n] != '(' && s[n] != ';')
		n++;
	if (n == i)
		return MB_CTE_7BIT;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (mime_eq(s + i, n - i, names[k].name))
			return names[k].cte;
	}
	return MB_CTE_UNKNOWN;
}

/* "<id@host>" -> "id@host". */
static char *
cid_parse(const char *s)
{
	const char *lt = strchr(s, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt + 1, '>')) != NULL)
		return mime_utf8dup(lt + 1, (size_t)(gt - lt - 1));
	return s[0] != '\0' ? mime_utf8dup(s, strlen(s)) : NULL;
}

/* Is boundary b already the boundary of an open multipart? */
static bool
boundary_open(const struct walker *w, const char *b)
{
	size_t i;

	for (i = 0; i < w->nframes; i++) {
		if (w->stack[i].boundary != NULL && strcmp(w->stack[i].boundary, b) == 0)
			return true;
	}
	return false;
}

/* A new part, linked under the top frame's part; NULL past the count limit. */
static struct mb_mime_part *
new_part(struct walker *w, size_t off)
{
	struct mb_mime_tree *t = w->t;
	struct frame *top = w->nframes > 0 ? &w->stack[w->nframes - 1] : NULL;
	struct mb_mime_part *p, *parent = top != NULL ? top->part : NULL;

	if (t->nparts >= MB_MIME_MAX_PARTS) {
		t->nskipped++;
		t->limited = true;
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	if (t->nparts == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		t->parts = xreallocarray(t->parts, w->cap, sizeof(*t->parts));
	}
	p->index = t->nparts;
	t->parts[t->nparts++] = p;
	p->parent = parent;
	p->offset = p->body_offset = off;
	if (parent != NULL) {
		p->depth = parent->depth + 1;
		if (top->last == NULL)
			parent->child = p;
		else
			top->last->next = p;
		top->last = p;
		parent->nchildren++;
	} else {
		t->root = p;
	}
	return p;
}

static void
push(struct walker *w, struct mb_mime_part *p, const char *boundary, bool placeholder)
{
	struct frame *f = &w->stack[w->nframes++];

	f->part = p;
	f->boundary = boundary != NULL ? xstrdup(boundary) : NULL;
	f->blen = boundary != NULL ? strlen(boundary) : 0;
	f->placeholder = placeholder;
	f->last = NULL;
	if (boundary != NULL)
		w->nactive++;
}

/* Fill in what the header block said. */
static void
apply_headers(struct mb_mime_part *p, struct hctx *hc, bool digest)
{
	struct mime_ctype dc;
	const char *v;
	struct mb_buf fn = MB_BUF_INIT;
	size_t k;

	if (hc->ct.type != NULL && hc->ct.subtype != NULL) {
		p->type = hc->ct.type;
		p->subtype = hc->ct.subtype;
	} else {
		free(hc->ct.type);
		free(hc->ct.subtype);
		p->type = xstrdup(digest ? "message" : "text");
		p->subtype = xstrdup(digest ? "rfc822" : "plain");
		if (hc->have_ct)
			p->flags |= MB_PART_BAD_TYPE;
	}
	p->params = hc->ct.params;
	p->nparams = hc->ct.nparams;
	memset(&hc->ct, 0, sizeof(hc->ct));
	if ((v = mb_mime_part_param(p, "charset")) != NULL && v[0] != '\0') {
		p->charset = mime_utf8dup(v, strlen(v));
		for (k = 0; p->charset[k] != '\0'; k++)
			p->charset[k] = (char)mime_lower((unsigned char)p->charset[k]);
	}
	p->cte = hc->have_cte ? cte_parse(hc->cte.data) : MB_CTE_7BIT;
	if (hc->have_disp) {
		mime_ctype_parse(&dc, hc->disp.data, hc->disp.len, false);
		p->disposition = dc.type;
		p->dparams = dc.params;
		p->ndparams = dc.nparams;
	}
	v = mime_param_get(p->dparams, p->ndparams, "filename");
	if (v == NULL || v[0] == '\0')
		v = mb_mime_part_param(p, "name");
	if (v != NULL) {
		mime_decode_header_add(&fn, v, strlen(v));
		if (fn.len > 0)
			p->filename = mb_buf_detach(&fn, NULL);
		mb_buf_release(&fn);
	}
	if (hc->have_cid)
		p->content_id = cid_parse(hc->cid.data);
}

/* Decide the part's kind and push its frame. */
static void
classify(struct walker *w, struct mb_mime_part *p)
{
	const char *b;

	if (strcmp(p->type, "multipart") == 0) {
		b = mb_mime_part_param(p, "boundary");
		if (b == NULL || strlen(b) > MB_MIME_MAX_BOUNDARY || boundary_open(w, b)) {
			p->flags |= MB_PART_BAD_MULTIPART;
			free(p->type);
			free(p->subtype);
			p->type = xstrdup("text");
			p->subtype = xstrdup("plain");
		} else if (p->depth >= MB_MIME_MAX_DEPTH) {
			p->kind = MB_PART_LIMIT;
			w->t->limited = true;
		} else {
			p->kind = MB_PART_MULTIPART;
			push(w, p, b, false);
			return;
		}
	} else if (strcmp(p->type, "message") == 0 &&
	           (strcmp(p->subtype, "rfc822") == 0 || strcmp(p->subtype, "global") == 0)) {
		if (p->cte == MB_CTE_BASE64 || p->cte == MB_CTE_QP) {
			p->flags |= MB_PART_ENCODED_MESSAGE;
		} else if (p->depth >= MB_MIME_MAX_DEPTH) {
			p->kind = MB_PART_LIMIT;
			w->t->limited = true;
		} else {
			p->kind = MB_PART_MESSAGE;
		}
	}
	push(w, p, NULL, false);
}

/* Open the part whose header starts at off; NULL past the count limit. */
static struct mb_mime_part *
open_one(struct walker *w, size_t off)
{
	struct mb_mime_part *p, *parent = w->nframes > 0 ? w->stack[w->nframes - 1].part : NULL;
	struct hctx hc;
	struct mime_hdr_ops ops = {hdr_stop, hdr_field, &hc};
	struct mime_hdr_result res;
	bool digest;

	if (w->t->nparts == MB_MIME_MAX_PARTS - 1 && parent != NULL) {
		/* the last slot: a placeholder for everything that does not fit */
		p = new_part(w, off);
		p->kind = MB_PART_LIMIT;
		p->type = xstrdup("text");
		p->subtype = xstrdup("plain");
		push(w, p, NULL, true);
		w->t->nskipped++;
		w->t->limited = true;
		return p;
	}
	if ((p = new_part(w, off)) == NULL)
		return NULL;
	digest = parent != NULL && strcmp(parent->type, "multipart") == 0 &&
	         strcmp(parent->subtype, "digest") == 0;
	memset(&hc, 0, sizeof(hc));
	hc.w = w;
	mb_buf_init(&hc.cte);
	mb_buf_init(&hc.disp);
	mb_buf_init(&hc.cid);
	mime_hbuild_start(&hc.hb, &p->headers,
	                  w->fields_left < MB_MIME_MAX_FIELDS ? w->fields_left
	                                                      : MB_MIME_MAX_FIELDS);
	mime_header_scan(w->buf, off, w->len, &ops, &res);
	mime_hbuild_finish(&hc.hb, &res);
	w->fields_left -= p->headers.nfields;
	if (p->headers.ndropped > 0)
		w->t->limited = true;
	p->body_offset = res.body;
	apply_headers(p, &hc, digest);
	mb_buf_release(&hc.cte);
	mb_buf_release(&hc.disp);
	mb_buf_release(&hc.cid);
	classify(w, p);
	return p;
}

/* Open a part and, through message/rfc822 parts, the messages inside it. */
static void
open_chain(struct walker *w, size_t off)
{
	struct mb_mime_part *p;

	w->pos = off;
	while ((p = open_one(w, off)) != NULL) {
		w->pos = p->body_offset;
		if (p->kind != MB_PART_MESSAGE)
			break;
		off = p->body_offset;
	}
}

/* Close the innermost open part; its body ends at end. */
static void
close_top(struct walker *w, size_t end)
{
	struct frame *f = &w->stack[--w->nframes];
	struct mb_mime_part *p = f->part;

	p->body_len = end > p->body_offset ? end - p->body_offset : 0;
	if (f->boundary != NULL) {
		p->flags |= MB_PART_UNCLOSED;
		XFREE(f->boundary);
		w->nactive--;
	}
}

/* A delimiter of frame k on the line [pos, next). */
static void
on_delimiter(struct walker *w, size_t k, size_t pos, size_t next, bool close)
{
	size_t end = pos;
	struct frame *f;

	if (end > 0 && w->buf[end - 1] == '\n') {
		end--;
		if (end > 0 && w->buf[end - 1] == '\r')
			end--;
	}
	w->pos = next;
	if (!close && w->nframes > k + 1 && w->stack[k + 1].placeholder) {
		w->t->nskipped++;
		return;
	}
	while (w->nframes > k + 1)
		close_top(w, end);
	f = &w->stack[k];
	if (close) {
		XFREE(f->boundary);
		w->nactive--;
		return;
	}
	open_chain(w, next);
}

struct mb_mime_tree *
mb_mime_parse(const char *buf, size_t len)
{
	struct mb_mime_tree *t = xcalloc(1, sizeof(*t));
	struct walker *w = xcalloc(1, sizeof(*w));
	size_t pos, next, e, ll;
	const char *nl;
	bool close;
	int k;

	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	t->buf = buf;
	t->len = len;
	w->buf = buf;
	w->len = len;
	w->t = t;
	w->fields_left = MB_MIME_MAX_TREE_FIELDS;
	open_chain(w, 0);
	pos = w->pos;
	while (pos < len && w->nactive > 0) {
		nl = memchr(buf + pos, '\n', len - pos);
		e = nl != NULL ? (size_t)(nl - buf) : len;
		next = nl != NULL ? e + 1 : len;
		ll = e > pos && buf[e - 1] == '\r' ? e - 1 - pos : e - pos;
		if (ll >= 2 && buf[pos] == '-' && buf[pos + 1] == '-' &&
		    (k = find_delim(w, buf + pos, ll, NULL, 0, &close)) >= 0) {
			on_delimiter(w, (size_t)k, pos, next, close);
			pos = w->pos;
			continue;
		}
		pos = next;
	}
	while (w->nframes > 0)
		close_top(w, len);
	free(w);
	return t;
}

void
mime_part_free(struct mb_mime_part *p)
{
	mb_headers_release(&p->headers);
	free(p->type);
	free(p->subtype);
	mime_params_free(p->params, p->nparams);
	free(p->charset);
	free(p->disposition);
	mime_params_free(p->dparams, p->ndparams);
	free(p->filename);
	free(p->content_id);
	free(p);
}

void
mb_mime_free(struct mb_mime_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nparts; i++)
		mime_part_free(t->parts[i]);
	free(t->parts);
	free(t);
}
