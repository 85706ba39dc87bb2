/*
 * compose_fields.c: what compose knows about its fields, apart from
 * drawing them: address lists split into entries, each field checked as it
 * is typed (the reason and the bytes of the bad entry kept for the screen),
 * and the envelope panel's model: MAIL FROM and RCPT TO derived from From,
 * To, Cc and Bcc until the user edits them, compared with the headers by
 * mb_envelope_compare() so every difference can be explained.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/addr.h"
#include "mailbench/compose.h"
#include "mailbench/xalloc.h"
#include "ui/compose.h"

const char *const compose_labels[CF_NFIELDS] = {"To",      "Cc",        "Bcc",
                                                "Subject", "MAIL FROM", "RCPT TO"};

const char *
compose_text(const struct compose *c, int field)
{
	return c->f[field].text.data;
}

/* ---- address entries -------------------------------------------------------------------- */

size_t
compose_entries(const char *text, void (*cb)(void *ctx, const char *text, size_t from, size_t to),
                void *ctx)
{
	size_t i = 0, start, end, n = 0, len = strlen(text);
	bool quoted;
	int angle, paren;

	while (i <= len) {
		start = i;
		quoted = false;
		angle = paren = 0;
		for (; i < len; i++) {
			char ch = text[i];

			if (quoted) {
				if (ch == '\\' && i + 1 < len)
					i++;
				else if (ch == '"')
					quoted = false;
				continue;
			}
			if (ch == '"')
				quoted = true;
			else if (ch == '<')
				angle++;
			else if (ch == '>' && angle > 0)
				angle--;
			else if (ch == '(')
				paren++;
			else if (ch == ')' && paren > 0)
				paren--;
			else if (ch == ',' && angle == 0 && paren == 0)
				break;
		}
		end = i;
		while (start < end && (text[start] == ' ' || text[start] == '\t'))
			start++;
		while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
			end--;
		if (end > start) {
			if (cb != NULL)
				cb(ctx, text, start, end);
			n++;
		}
		i++;
	}
	return n;
}

struct bad {
	struct compose *c;
	int field;
};

static void
check_entry(void *ctx, const char *text, size_t from, size_t to)
{
	struct bad *b = ctx;
	struct compose *c = b->c;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_caddr_list l;
	char *entry;

	if (c->err[b->field] != NULL)
		return;
	entry = xmemdup0(text + from, to - from);
	if (mb_caddr_list_parse(entry, &l, &err) < 0) {
		c->err[b->field] = xstrdup(err.msg);
		c->bad_from[b->field] = from;
		c->bad_to[b->field] = to;
	} else {
		mb_caddr_list_release(&l);
	}
	free(entry);
}

/* MAIL FROM as typed: "<>" or "" for the null sender, "<a@b>" or "a@b". */
static char *
env_from_value(const char *text)
{
	size_t len;

	while (*text == ' ')
		text++;
	len = strlen(text);
	while (len > 0 && text[len - 1] == ' ')
		len--;
	if (len >= 2 && text[0] == '<' && text[len - 1] == '>')
		return xmemdup0(text + 1, len - 2);
	return xmemdup0(text, len);
}

char *
compose_env_from(const struct compose *c)
{
	return env_from_value(compose_text(c, CF_ENV_FROM));
}

/* Why field i is wrong (NULL: fine), and where. */
static void
check(struct compose *c, int i)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_caddr_list l;
	struct bad b = {c, i};
	const char *t = compose_text(c, i);
	char *v;

	XFREE(c->err[i]);
	c->bad_from[i] = c->bad_to[i] = 0;
	switch (i) {
	case CF_SUBJECT:
		if (mb_compose_check_field("Subject", t, &err) < 0)
			c->err[i] = xstrdup(err.msg);
		break;
	case CF_ENV_FROM:
		v = env_from_value(t);
		if (mb_addr_check(v, true, true, &err) < 0) {
			c->err[i] = xstrdup(err.msg);
			c->bad_to[i] = strlen(t);
		}
		free(v);
		break;
	default:
		compose_entries(t, check_entry, &b);
		if (c->err[i] == NULL && mb_caddr_list_parse(t, &l, &err) < 0) {
			c->err[i] = xstrdup(err.msg);
			c->bad_to[i] = strlen(t);
		} else if (c->err[i] == NULL) {
			mb_caddr_list_release(&l);
		}
		break;
	}
}

/* ---- the envelope panel ----------------------------------------------------------------- */

static const char *
keep(struct compose *c, char *s)
{
	c->strs = xreallocarray(c->strs, c->nstrs + 1, sizeof *c->strs);
	c->strs[c->nstrs++] = s;
	return s;
}

/* Add the addresses of field i (when it parses) to *v, each once. */
static void
add_addrs(struct compose *c, int i, const char ***v, size_t *n)
{
	struct mb_caddr_list l;
	size_t k, j;

	if (c->err[i] != NULL || mb_caddr_list_parse(compose_text(c, i), &l, NULL) < 0)
		return;
	for (k = 0; k < l.n; k++) {
		for (j = 0; j < *n; j++)
			if (mb_addr_same((*v)[j], l.v[k].addr))
				break;
		if (j < *n)
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = keep(c, xstrdup(l.v[k].addr));
	}
	mb_caddr_list_release(&l);
}

/* Header recipients of field i for the comparison. */
static void
add_hdrs(struct compose *c, int i, struct mb_env_hdr **h, size_t *n)
{
	struct mb_caddr_list l;
	size_t k;

	if (c->err[i] != NULL || mb_caddr_list_parse(compose_text(c, i), &l, NULL) < 0)
		return;
	for (k = 0; k < l.n; k++) {
		struct mb_env_hdr *e;

		*h = xreallocarray(*h, *n + 1, sizeof **h);
		e = &(*h)[(*n)++];
		e->field = compose_labels[i];
		e->addr = keep(c, xstrdup(l.v[k].addr));
		e->shown =
		        keep(c, l.v[k].name ? xasprintf("%s: %s <%s>", compose_labels[i],
		                                        l.v[k].name, l.v[k].addr)
		                            : xasprintf("%s: %s", compose_labels[i], l.v[k].addr));
	}
	mb_caddr_list_release(&l);
}

/* The envelope fields that follow the headers take their values again. */
static void
derive(struct compose *c)
{
	struct mb_caddr_list l;
	struct mb_buf b = MB_BUF_INIT;
	const char **v = NULL;
	size_t n = 0, i;

	if (!c->env_edited[0]) {
		if (mb_caddr_list_parse(c->from, &l, NULL) == 0) {
			ui_edit_set(&c->f[CF_ENV_FROM], l.n > 0 ? l.v[0].addr : "");
			mb_caddr_list_release(&l);
		} else {
			ui_edit_set(&c->f[CF_ENV_FROM], "");
		}
	}
	if (!c->env_edited[1]) {
		add_addrs(c, CF_TO, &v, &n);
		add_addrs(c, CF_CC, &v, &n);
		add_addrs(c, CF_BCC, &v, &n);
		for (i = 0; i < n; i++)
			mb_buf_addf(&b, "%s%s", i ? ", " : "", v[i]);
		ui_edit_set(&c->f[CF_ENV_RCPT], b.data);
		free(v);
		mb_buf_release(&b);
	}
}

static void
compare(struct compose *c)
{
	struct mb_env_hdr from = {"From", NULL, NULL}, *hdrs = NULL;
	struct mb_caddr_list fl;
	const char **rcpts = NULL, *env_from;
	size_t nh = 0, nr = 0, i;

	mb_env_report_release(&c->rep);
	memset(&c->rep, 0, sizeof c->rep);
	for (i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	c->nstrs = 0;
	if (c->err[CF_ENV_FROM] != NULL || c->err[CF_ENV_RCPT] != NULL)
		return;
	if (mb_caddr_list_parse(c->from, &fl, NULL) == 0 && fl.n > 0) {
		from.addr = keep(c, xstrdup(fl.v[0].addr));
		from.shown = keep(c, fl.v[0].name ? xasprintf("%s <%s>", fl.v[0].name, fl.v[0].addr)
		                                  : xstrdup(fl.v[0].addr));
		mb_caddr_list_release(&fl);
	}
	add_hdrs(c, CF_TO, &hdrs, &nh);
	add_hdrs(c, CF_CC, &hdrs, &nh);
	env_from = keep(c, env_from_value(compose_text(c, CF_ENV_FROM)));
	add_addrs(c, CF_ENV_RCPT, &rcpts, &nr);
	mb_envelope_compare(env_from, rcpts, NULL, nr, from.addr ? &from : NULL, hdrs, nh, &c->rep);
	free(rcpts);
	free(hdrs);
}

void
compose_refresh(struct compose *c)
{
	int i;

	for (i = 0; i < CF_NFIELDS; i++)
		check(c, i);
	derive(c);
	check(c, CF_ENV_FROM);
	check(c, CF_ENV_RCPT);
	compare(c);
}

/* After field i changed (typed into). */
void
compose_changed(struct compose *c, int i)
{
	c->changed = true;
	if (i == CF_ENV_FROM || i == CF_ENV_RCPT)
		c->env_edited[i - CF_ENV_FROM] = true; /* until it is left empty: see set_focus() */
	compose_refresh(c);
}
