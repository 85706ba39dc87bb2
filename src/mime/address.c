/*
 * address.c: tolerant parsing of address fields (RFC 5322 section 3.4) for display.
 *
 * A single scan over the raw value cuts it into entries at ',' and ';'
 * (outside quotes, comments and angle brackets), a ':' opens a group, and
 * a '>' followed by more text ends an entry even without a comma. Only
 * then are display names decoded (RFC 2047), so an encoded comma stays in
 * the name. Memory is bounded by MB_MIME_MAX_ADDRESSES entries; runs of
 * separators allocate nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "private.h"

struct ap {
	struct mb_address_list *l;
	struct mb_buf phrase, comment, angle;
	bool has_angle;
	char *group; /* decoded name of the open group, or NULL */
	size_t group_members;
	bool space; /* a blank came since the last phrase word */
};

static void
add(struct ap *a, const char *name, size_t nlen, bool decode, const char *addr, size_t alen)
{
	struct mb_address_list *l = a->l;
	struct mb_address *e;
	struct mb_buf b = MB_BUF_INIT;

	if (l->n >= MB_MIME_MAX_ADDRESSES) {
		l->ndropped++;
		return;
	}
	/* room for 16, then doubling: the capacity is n whenever n is a power of two */
	if (l->n == 0)
		l->v = xreallocarray(NULL, 16, sizeof(*l->v));
	else if (l->n >= 16 && (l->n & (l->n - 1)) == 0)
		l->v = xreallocarray(l->v, l->n * 2, sizeof(*l->v));
	e = &l->v[l->n++];
	if (decode)
		mime_decode_header_add(&b, name, nlen);
	else
		mb_buf_add(&b, name, nlen);
	e->name = mb_buf_detach(&b, NULL);
	e->addr = mime_utf8dup(addr, alen);
	e->group = a->group != NULL ? xstrdup(a->group) : NULL;
	a->group_members++;
}

/* Trim blanks at both ends of s[0..*n); returns the new start. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && mime_is_space((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && mime_is_space((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* Bare addr-specs "a@x b@y" (a missing comma): add each word that holds '@'. */
static bool
add_bare_words(struct ap *a, const char *s, size_t n)
{
	size_t i = 0, j, words = 0, ats = 0;

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j > i) {
			words++;
			ats += memchr(s + i, '@', j - i) != NULL;
		}
		i = j;
	}
	if (words < 2 || ats != words)
		return false;
	for (i = 0; i < n;) {
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j > i)
			add(a, "", 0, false, s + i, j - i);
		i = j;
	}
	return true;
}

/* The entry collected so far is complete. */
static void
finish(struct ap *a)
{
	size_t pn = a->phrase.len, an = a->angle.len, cn = a->comment.len, i, k;
	const char *p = trim(a->phrase.data, &pn), *c = trim(a->comment.data, &cn);
	const char *r, *colon;
	char *addr;

	if (a->has_angle) {
		r = trim(a->angle.data, &an);
		/* an obsolete source route "@a,@b:user@host" */
		if (an > 0 && r[0] == '@' && (colon = memchr(r, ':', an)) != NULL) {
			an -= (size_t)(colon + 1 - r);
			r = colon + 1;
		}
		if (pn > 0)
			add(a, p, pn, true, r, an);
		else
			add(a, c, cn, true, r, an);
	} else if (pn > 0 && !add_bare_words(a, p, pn)) {
		if (memchr(p, '@', pn) != NULL) {
			/* "a @ b.c" (obsolete blanks): drop them */
			addr = xmalloc(pn + 1);
			for (i = k = 0; i < pn; i++) {
				if (p[i] != ' ')
					addr[k++] = p[i];
			}
			add(a, c, cn, true, addr, k);
			free(addr);
		} else {
			add(a, c, cn, true, p, pn);
		}
	}
	mb_buf_reset(&a->phrase);
	mb_buf_reset(&a->comment);
	mb_buf_reset(&a->angle);
	a->has_angle = false;
	a->space = false;
}

static void
end_group(struct ap *a)
{
	if (a->group == NULL)
		return;
	if (a->group_members == 0)
		add(a, "", 0, false, "", 0);
	XFREE(a->group);
}

/* A comment at s[i] ('('); returns the offset after it. */
static size_t
comment(struct ap *a, const char *s, size_t len, size_t i)
{
	int depth = 0;
	bool keep = a->comment.len == 0;

	for (; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
		} else if (s[i] == '(') {
			if (depth++ == 0)
				continue;
		} else if (s[i] == ')') {
			if (--depth == 0)
				return i + 1;
		}
		if (keep)
			mb_buf_addch(&a->comment, s[i]);
	}
	return len;
}

static void
phrase_word(struct ap *a, const char *w, size_t n)
{
	if (a->space && a->phrase.len > 0)
		mb_buf_addch(&a->phrase, ' ');
	mb_buf_add(&a->phrase, w, n);
	a->space = false;
}

/*
 * The length of an RFC 2047 encoded word at s[i] ("=?cs?B?text?="), taken
 * whole even when its text holds specials such as ':' or ','; 0 when there
 * is none. *fail gets where a failed search stopped: no word can start
 * before it.
 */
static size_t
encoded_word(const char *s, size_t len, size_t i, size_t *fail)
{
	size_t j = i + 2, n = 0;

	while (j < len && s[j] != '?' && n < 64 && !mime_is_space((unsigned char)s[j])) {
		j++;
		n++;
	}
	if (n == 0 || j + 3 >= len || s[j] != '?' || s[j + 2] != '?' ||
	    strchr("bBqQ", s[j + 1]) == NULL)
		return 0;
	for (j += 3; j + 1 < len && !mime_is_space((unsigned char)s[j]); j++) {
		if (s[j] == '?' && s[j + 1] == '=')
			return j + 2 - i;
	}
	*fail = j;
	return 0;
}

/* After '>': does more text follow before ',' or ';'? */
static bool
more_follows(const char *s, size_t len, size_t i)
{
	while (i < len && mime_is_space((unsigned char)s[i]))
		i++;
	return i < len && s[i] != ',' && s[i] != ';' && s[i] != '(';
}

void
mb_address_list_parse(struct mb_address_list *l, const char *value)
{
	struct ap a;
	size_t i = 0, len = value != NULL ? strlen(value) : 0, j, ew, no_ew_before = 0;

	memset(l, 0, sizeof(*l));
	memset(&a, 0, sizeof(a));
	a.l = l;
	mb_buf_init(&a.phrase);
	mb_buf_init(&a.comment);
	mb_buf_init(&a.angle);
	while (i < len) {
		char c = value[i];

		if (c == '=' && i + 1 < len && value[i + 1] == '?' && i >= no_ew_before &&
		    (ew = encoded_word(value, len, i, &no_ew_before)) > 0) {
			phrase_word(&a, value + i, ew);
			i += ew;
		} else if (mime_is_space((unsigned char)c)) {
			a.space = true;
			i++;
		} else if (c == '(') {
			i = comment(&a, value, len, i);
			a.space = true;
		} else if (c == '"') {
			if (a.space && a.phrase.len > 0)
				mb_buf_addch(&a.phrase, ' ');
			a.space = false;
			for (i++; i < len && value[i] != '"'; i++) {
				if (value[i] == '\\' && i + 1 < len)
					i++;
				mb_buf_addch(&a.phrase, value[i]);
			}
			i++;
		} else if (c == '<') {
			for (j = i + 1; j < len && value[j] != '>'; j++) {
				if (!a.has_angle && !mime_is_space((unsigned char)value[j]))
					mb_buf_addch(&a.angle, value[j]);
			}
			a.has_angle = true;
			i = j < len ? j + 1 : len;
			if (more_follows(value, len, i))
				finish(&a);
		} else if (c == ',') {
			finish(&a);
			i++;
		} else if (c == ';') {
			finish(&a);
			end_group(&a);
			i++;
		} else if (c == ':' && !a.has_angle && a.group == NULL &&
		           memchr(a.phrase.data, '@', a.phrase.len) == NULL) {
			struct mb_buf g = MB_BUF_INIT;
			size_t pn = a.phrase.len;
			const char *p = trim(a.phrase.data, &pn);

			mime_decode_header_add(&g, p, pn);
			a.group = mb_buf_detach(&g, NULL);
			a.group_members = 0;
			mb_buf_reset(&a.phrase);
			mb_buf_reset(&a.comment);
			a.space = false;
			i++;
		} else if (c == '>') {
			i++;
		} else {
			for (j = i;
			     j < len && !mime_is_space((unsigned char)value[j]) &&
			     strchr(",;<>()\"", value[j]) == NULL &&
			     !(value[j] == ':' && a.group == NULL) &&
			     !(j > i && value[j] == '=' && j + 1 < len && value[j + 1] == '?');
			     j++)
				;
			if (j == i)
				j++; /* a ':' inside a group */
			phrase_word(&a, value + i, j - i);
			i = j;
		}
	}
	finish(&a);
	end_group(&a);
	mb_buf_release(&a.phrase);
	mb_buf_release(&a.comment);
	mb_buf_release(&a.angle);
}

void
mb_address_list_release(struct mb_address_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
		free(l->v[i].group);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Append name, quoted when it holds characters that would confuse a reader. */
static void
add_name(struct mb_buf *b, const char *name)
{
	const char *p;

	if (strpbrk(name, ",;:<>\"@()\\") == NULL) {
		mb_buf_addstr(b, name);
		return;
	}
	mb_buf_addch(b, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			mb_buf_addch(b, '\\');
		mb_buf_addch(b, *p);
	}
	mb_buf_addch(b, '"');
}

static bool
same_group(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

char *
mb_address_list_format(const struct mb_address_list *l)
{
	struct mb_buf b = MB_BUF_INIT;
	const struct mb_address *e, *prev = NULL;
	size_t i;

	for (i = 0; l != NULL && i < l->n; prev = e, i++) {
		e = &l->v[i];
		if (prev != NULL)
			mb_buf_addstr(&b, ", ");
		if (e->group != NULL && (prev == NULL || !same_group(prev->group, e->group))) {
			add_name(&b, e->group);
			mb_buf_addstr(&b, e->addr[0] != '\0' ? ": " : ":");
		}
		if (e->name[0] != '\0') {
			add_name(&b, e->name);
			mb_buf_addf(&b, " <%s>", e->addr);
		} else {
			mb_buf_addstr(&b, e->addr);
		}
		if (e->group != NULL && (i + 1 == l->n || !same_group(l->v[i + 1].group, e->group)))
			mb_buf_addch(&b, ';');
	}
	return mb_buf_detach(&b, NULL);
}

char **
mb_address_specs(const char *value, size_t *n)
{
	struct mb_address_list l;
	char **v;
	size_t i, k = 0;

	mb_address_list_parse(&l, value);
	v = xcalloc(l.n + 1, sizeof(*v));
	for (i = 0; i < l.n; i++) {
		if (l.v[i].addr[0] != '\0')
			v[k++] = xstrdup(l.v[i].addr);
	}
	v[k] = NULL;
	if (n != NULL)
		*n = k;
	mb_address_list_release(&l);
	return v;
}
