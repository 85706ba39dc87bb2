/*
 * html.c: readable plain text from an HTML body (for HTML-only messages and search).
 *
 * Not an HTML parser: a single forward scan that drops tags, skips the
 * contents of script, style, title, template and Outlook's xml islands,
 * decodes entities, collapses blanks (except inside <pre>), turns block
 * elements into line breaks, list items into "- " lines and links into
 * "text <url>". Every loop moves forward, so the time is linear and any
 * input is safe; unclosed tags, comments and quotes run to the end.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "private.h"

#define ATTR_MAX 4096

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
        {"amp", '&'},      {"lt", '<'},        {"gt", '>'},       {"quot", '"'},
        {"apos", '\''},    {"nbsp", ' '},      {"copy", 0xA9},    {"reg", 0xAE},
        {"trade", 0x2122}, {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
        {"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201C}, {"rdquo", 0x201D},
        {"sbquo", 0x201A}, {"bdquo", 0x201E},  {"laquo", 0xAB},   {"raquo", 0xBB},
        {"bull", 0x2022},  {"middot", 0xB7},   {"euro", 0x20AC},  {"pound", 0xA3},
        {"yen", 0xA5},     {"cent", 0xA2},     {"sect", 0xA7},    {"deg", 0xB0},
        {"plusmn", 0xB1},  {"times", 0xD7},    {"divide", 0xF7},  {"para", 0xB6},
        {"iexcl", 0xA1},   {"iquest", 0xBF},   {"shy", 0xAD},     {"auml", 0xE4},
        {"ouml", 0xF6},    {"uuml", 0xFC},     {"Auml", 0xC4},    {"Ouml", 0xD6},
        {"Uuml", 0xDC},    {"szlig", 0xDF},    {"eacute", 0xE9},  {"egrave", 0xE8},
        {"ecirc", 0xEA},   {"Eacute", 0xC9},   {"aacute", 0xE1},  {"agrave", 0xE0},
        {"acirc", 0xE2},   {"ccedil", 0xE7},   {"iacute", 0xED},  {"oacute", 0xF3},
        {"uacute", 0xFA},  {"ntilde", 0xF1},   {"oslash", 0xF8},  {"aring", 0xE5},
        {"aelig", 0xE6},   {"ordf", 0xAA},     {"ordm", 0xBA},    {"rarr", 0x2192},
        {"larr", 0x2190},  {"zwnj", 0x200C},   {"zwj", 0x200D},   {"thinsp", 0x2009},
        {"ensp", 0x2002},  {"emsp", 0x2003},
};

/* Elements whose whole contents are skipped. */
static const char *const skipped[] = {"script", "style", "title", "template", "xml", NULL};
/* Elements that start and end a line; "para" ones also leave an empty line. */
static const char *const blocks[] = {
        "div", "tr", "table",   "section", "article", "header", "footer", "nav",     "form", "dl",
        "dt",  "dd", "address", "center",  "body",    "html",   "hr",     "caption", "main", NULL};
static const char *const paras[] = {"p",  "h1",         "h2", "h3", "h4",  "h5",
                                    "h6", "blockquote", "ul", "ol", "pre", NULL};

struct html {
	struct mb_buf *out;
	size_t start;   /* where this conversion's output begins */
	bool space;     /* a collapsed blank is pending */
	int pre;        /* depth of <pre> */
	char *href;     /* the open link's target */
	size_t link_at; /* where the link text began */
};

static bool
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, name) == 0)
			return true;
	}
	return false;
}

/* Trailing newlines of the output so far (up to 2). */
static int
trailing_nl(const struct html *h)
{
	int n = 0;
	size_t i = h->out->len;

	while (i > h->start && n < 2 && h->out->data[i - 1] == '\n') {
		i--;
		n++;
	}
	return n;
}

/* End the line: at least want newlines at the end, never at the very start. */
static void
newline(struct html *h, int want)
{
	int n;

	h->space = false;
	if (h->out->len == h->start)
		return;
	while (h->out->len > h->start && h->out->data[h->out->len - 1] == ' ')
		h->out->len--;
	h->out->data[h->out->len] = '\0';
	for (n = trailing_nl(h); n < want; n++)
		mb_buf_addch(h->out, '\n');
}

/* Emit text, with a pending collapsed blank first. */
static void
emit(struct html *h, const char *s, size_t n)
{
	if (h->space && h->out->len > h->start && h->out->data[h->out->len - 1] != '\n')
		mb_buf_addch(h->out, ' ');
	h->space = false;
	mb_buf_add(h->out, s, n);
}

static void
emit_cp(struct html *h, uint32_t cp)
{
	struct mb_buf tmp = MB_BUF_INIT;

	if (cp == 0 || cp == 0xAD)
		return;
	mb_utf8_add(&tmp, cp);
	emit(h, tmp.data, tmp.len);
	mb_buf_release(&tmp);
}

/* Decode the entity at s[i] ('&') into *cp; returns its length, 0 when it is none. */
static size_t
entity(const char *s, size_t len, size_t i, uint32_t *cp)
{
	size_t j = i + 1, k, n;
	uint32_t v = 0;
	int d, digits = 0;

	if (j < len && s[j] == '#') {
		bool hex = j + 1 < len && (s[j + 1] == 'x' || s[j + 1] == 'X');

		j += hex ? 2 : 1;
		for (; j < len && digits < 8; j++, digits++) {
			d = hex ? mime_hexval((unsigned char)s[j])
			        : (s[j] >= '0' && s[j] <= '9' ? s[j] - '0' : -1);
			if (d < 0)
				break;
			v = v * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (digits == 0)
			return 0;
		if (j < len && s[j] == ';')
			j++;
		*cp = v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0xFFFD : v;
		return j - i;
	}
	for (n = 0; j + n < len && n < 10 &&
	            ((s[j + n] >= 'a' && s[j + n] <= 'z') || (s[j + n] >= 'A' && s[j + n] <= 'Z'));
	     n++)
		;
	for (k = 0; n > 0 && k < sizeof(entities) / sizeof(entities[0]); k++) {
		if (strlen(entities[k].name) == n && memcmp(entities[k].name, s + j, n) == 0) {
			bool semi = j + n < len && s[j + n] == ';';

			if (!semi && k > 5)
				return 0; /* only the classic ones may lack the ';' */
			*cp = entities[k].cp;
			return n + 1 + (semi ? 1 : 0);
		}
	}
	return 0;
}

/* Text between tags. */
static void
text(struct html *h, const char *s, size_t len)
{
	size_t i = 0, n, j;
	uint32_t cp;

	while (i < len) {
		char c = s[i];

		if (c == '&' && (n = entity(s, len, i, &cp)) > 0) {
			if (s[i + 1] == 'n' && cp == ' ') { /* &nbsp;: a blank that stays */
				emit(h, " ", 1);
			} else {
				emit_cp(h, cp);
			}
			i += n;
		} else if (mime_is_space((unsigned char)c) || c == '\f') {
			if (h->pre > 0) {
				if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
					i++;
				emit(h, c == '\r' ? "\n" : &s[i], 1);
			} else {
				h->space = true;
			}
			i++;
		} else {
			for (j = i + 1; j < len && s[j] != '&' &&
			                !mime_is_space((unsigned char)s[j]) && s[j] != '\f';
			     j++)
				;
			emit(h, s + i, j - i);
			i = j;
		}
	}
}

/* Append the attribute value at s[*i] (after '='), entities decoded, to v (up to ATTR_MAX). */
static void
attr_value(const char *s, size_t len, size_t *i, struct mb_buf *v)
{
	size_t j = *i, end, n;
	char q = 0;
	struct html h = {v, v != NULL ? v->len : 0, false, 1, NULL, 0};

	while (j < len && mime_is_space((unsigned char)s[j]))
		j++;
	if (j < len && (s[j] == '"' || s[j] == '\'')) {
		q = s[j++];
		for (end = j; end < len && s[end] != q; end++)
			;
	} else {
		for (end = j; end < len && !mime_is_space((unsigned char)s[end]) && s[end] != '>';
		     end++)
			;
	}
	n = end - j < ATTR_MAX ? end - j : ATTR_MAX;
	while (n > 0 && n < end - j && ((unsigned char)s[j + n] & 0xC0) == 0x80)
		n--; /* never cut a character */
	if (v != NULL)
		text(&h, s + j, n);
	*i = q != 0 && end < len ? end + 1 : end;
}

/* Skip to just after the '>' that ends the thing starting at i. */
static size_t
after_gt(const char *s, size_t len, size_t i)
{
	const char *gt = memchr(s + i, '>', len - i);

	return gt != NULL ? (size_t)(gt - s) + 1 : len;
}

/* Skip the contents of a raw-text element up to and including "</name...>". */
static size_t
skip_element(const char *s, size_t len, size_t i, const char *name)
{
	size_t n = strlen(name);
	const char *lt;

	while (i < len && (lt = memchr(s + i, '<', len - i)) != NULL) {
		i = (size_t)(lt - s);
		if (i + 2 + n <= len && s[i + 1] == '/' && mime_eq(s + i + 2, n, name))
			return after_gt(s, len, i);
		i++;
	}
	return len;
}

/* The element's effect on the text. */
static void
element(struct html *h, const char *name, bool close, struct mb_buf *href, struct mb_buf *alt)
{
	size_t tl, hl;
	const char *t, *u;

	if (strcmp(name, "br") == 0) {
		h->space = false;
		if (h->out->len > h->start && trailing_nl(h) < 2)
			mb_buf_addch(h->out, '\n');
	} else if (strcmp(name, "li") == 0) {
		newline(h, 1);
		if (!close)
			emit(h, "- ", 2);
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		h->space = true;
	} else if (strcmp(name, "img") == 0) {
		if (alt->len > 0) {
			emit(h, "[", 1);
			mb_buf_add(h->out, alt->data, alt->len);
			mb_buf_addch(h->out, ']');
		}
	} else if (strcmp(name, "a") == 0 && !close) {
		free(h->href);
		h->href = href->len > 0 ? xstrdup(href->data) : NULL;
		if (h->space && h->out->len > h->start && h->out->data[h->out->len - 1] != '\n') {
			mb_buf_addch(h->out, ' ');
			h->space = false;
		}
		h->link_at = h->out->len;
	} else if (strcmp(name, "a") == 0 && h->href != NULL) {
		u = h->href;
		t = h->out->data + h->link_at;
		tl = h->out->len - h->link_at;
		hl = strlen(u);
		if (u[0] != '#' && strncmp(u, "javascript:", 11) != 0 &&
		    strncmp(u, "cid:", 4) != 0 && !(tl == hl && memcmp(t, u, hl) == 0) &&
		    !(strncmp(u, "mailto:", 7) == 0 && tl == hl - 7 && memcmp(t, u + 7, tl) == 0)) {
			if (tl > 0)
				mb_buf_addch(h->out, ' ');
			mb_buf_addf(h->out, "<%s>", u);
		}
		XFREE(h->href);
	} else if (strcmp(name, "pre") == 0) {
		newline(h, 2);
		h->pre += close ? (h->pre > 0 ? -1 : 0) : 1;
	} else if (in_list(paras, name)) {
		newline(h, 2);
	} else if (in_list(blocks, name)) {
		newline(h, 1);
	}
}

/* A tag, comment or declaration at s[i] ('<'); returns the offset after it. */
static size_t
tag(struct html *h, const char *s, size_t len, size_t i)
{
	struct mb_buf href = MB_BUF_INIT, alt = MB_BUF_INIT;
	size_t j = i + 1, n = 0, a, an;
	bool close = false;
	char name[16];

	if (j < len && s[j] == '!') {
		if (j + 2 < len && s[j + 1] == '-' && s[j + 2] == '-') {
			for (j += 3; j + 2 < len; j++) {
				if (s[j] == '-' && s[j + 1] == '-' && s[j + 2] == '>')
					return j + 3;
			}
			return len;
		}
		return after_gt(s, len, j);
	}
	if (j < len && s[j] == '?')
		return after_gt(s, len, j);
	if (j < len && s[j] == '/') {
		close = true;
		j++;
	}
	if (j >= len || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) {
		emit(h, "<", 1);
		return i + 1;
	}
	for (; j < len && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
	                   (s[j] >= '0' && s[j] <= '9'));
	     j++) {
		if (n < sizeof(name) - 1)
			name[n++] = (char)mime_lower((unsigned char)s[j]);
	}
	name[n] = '\0';
	/* attributes */
	while (j < len && s[j] != '>') {
		if (mime_is_space((unsigned char)s[j]) || s[j] == '/' || s[j] == '"' ||
		    s[j] == '\'') {
			j++;
			continue;
		}
		for (a = j;
		     j < len && s[j] != '=' && s[j] != '>' && !mime_is_space((unsigned char)s[j]);
		     j++)
			;
		an = j - a;
		if (an == 0 && j < len && s[j] == '=')
			j++; /* a stray '=' */
		while (j < len && mime_is_space((unsigned char)s[j]))
			j++;
		if (j < len && s[j] == '=') {
			j++;
			if (mime_eq(s + a, an, "href") && strcmp(name, "a") == 0 && href.len == 0)
				attr_value(s, len, &j, &href);
			else if (mime_eq(s + a, an, "alt") && strcmp(name, "img") == 0 &&
			         alt.len == 0)
				attr_value(s, len, &j, &alt);
			else
				attr_value(s, len, &j, NULL);
		}
	}
	j = j < len ? j + 1 : len;
	element(h, name, close, &href, &alt);
	mb_buf_release(&href);
	mb_buf_release(&alt);
	if (!close && in_list(skipped, name))
		j = skip_element(s, len, j, name);
	return j;
}

void
mime_html_to_text_add(struct mb_buf *out, const char *s, size_t len)
{
	struct html h = {out, out->len, false, 0, NULL, 0};
	size_t i = 0, e;
	const char *lt;

	while (s != NULL && i < len) {
		lt = memchr(s + i, '<', len - i);
		e = lt != NULL ? (size_t)(lt - s) : len;
		text(&h, s + i, e - i);
		if (lt == NULL)
			break;
		i = tag(&h, s, len, e);
	}
	free(h.href);
	while (out->len > h.start && mime_is_space((unsigned char)out->data[out->len - 1]))
		out->len--;
	if (out->cap > 0)
		out->data[out->len] = '\0';
	if (!mb_utf8_valid(out->data + h.start, out->len - h.start)) {
		/* the input was not UTF-8: keep the promise anyway */
		struct mb_buf tmp = MB_BUF_INIT;

		mb_utf8_repair_add(&tmp, out->data + h.start, out->len - h.start);
		mb_buf_truncate(out, h.start);
		mb_buf_add(out, tmp.data, tmp.len);
		mb_buf_release(&tmp);
	}
}

char *
mb_html_to_text(const char *html, size_t len, size_t *outlen)
{
	struct mb_buf b = MB_BUF_INIT;

	mime_html_to_text_add(&b, html, len);
	return mb_buf_detach(&b, outlen);
}
