/*
 * reply.c: what compose opens with when replying to or forwarding a cached
 * message: the addresses, "Re:"/"Fwd:" subject, the quoted or forwarded
 * text, In-Reply-To and References (RFC 5322 section 3.6.4).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

void
ui_compose_prefill_release(struct ui_compose_prefill *p)
{
	if (p == NULL)
		return;
	free(p->to);
	free(p->cc);
	free(p->bcc);
	free(p->subject);
	free(p->body);
	free(p->in_reply_to);
	free(p->references);
	memset(p, 0, sizeof *p);
}

/* Append text without control characters other than LF and TAB (it goes into an editor). */
static void
add_text(struct mb_buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x20 || s[i] == '\n' || s[i] == '\t')
			if (s[i] != 0x7f)
				mb_buf_addch(b, s[i]);
}

static char *
prefixed(const char *prefix, const char *subject)
{
	size_t n = strlen(prefix);

	if (strncasecmp(subject, prefix, n) == 0)
		return xstrdup(subject);
	return xasprintf("%s %s", prefix, subject);
}

/* "To" and "Cc" of the original without the account's own address, for reply-all. */
static char *
others(const char *to, const char *cc, const char *self)
{
	struct mb_buf b = MB_BUF_INIT;
	struct mb_address_list l;
	const char *fields[2] = {to, cc};
	size_t f, i;

	for (f = 0; f < 2; f++) {
		mb_address_list_parse(&l, fields[f]);
		for (i = 0; i < l.n; i++) {
			if (l.v[i].addr[0] == '\0' ||
			    (self != NULL && strcasecmp(l.v[i].addr, self) == 0))
				continue;
			if (b.len > 0)
				mb_buf_addstr(&b, ", ");
			if (l.v[i].name[0] != '\0')
				mb_buf_addf(&b, "\"%s\" <%s>", l.v[i].name, l.v[i].addr);
			else
				mb_buf_addstr(&b, l.v[i].addr);
		}
		mb_address_list_release(&l);
	}
	return b.len > 0 ? mb_buf_detach(&b, NULL) : (mb_buf_release(&b), NULL);
}

static char *
self_addr(struct ui *ui)
{
	struct mb_address_list l;
	char *a = NULL;

	if (ui->acct == NULL || ui->acct->from == NULL)
		return NULL;
	mb_address_list_parse(&l, ui->acct->from);
	if (l.n > 0)
		a = xstrdup(l.v[0].addr);
	mb_address_list_release(&l);
	return a;
}

int
ui_reply_prefill(struct ui *ui, int64_t msg_id, enum ui_compose_kind kind,
                 struct ui_compose_prefill *out, struct mb_error *err)
{
	struct mb_buf raw = MB_BUF_INIT, body = MB_BUF_INIT;
	struct mb_summary s;
	const char *p, *e;
	char when[64], *self;
	time_t t;
	struct tm tm;

	memset(out, 0, sizeof *out);
	if (mb_store_msg_raw(ui->st, msg_id, &raw, err) < 0)
		return -1;
	mb_summary_parse(&s, raw.data, raw.len);
	out->kind = kind;
	out->msg_id = msg_id;
	when[0] = '\0';
	if (s.date > 0) {
		t = s.date;
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%a, %d %b %Y %H:%M", &tm);
	}
	if (kind == UI_COMPOSE_FORWARD) {
		out->subject = prefixed("Fwd:", s.subject);
		mb_buf_addstr(&body, "\n\n---------- Forwarded message ----------\n");
		mb_buf_addstr(&body, "From: ");
		add_text(&body, s.from, strlen(s.from));
		mb_buf_addf(&body, "\nDate: %s\nSubject: ", when[0] ? when : s.date_raw);
		add_text(&body, s.subject, strlen(s.subject));
		mb_buf_addstr(&body, "\nTo: ");
		add_text(&body, s.to, strlen(s.to));
		if (s.cc[0] != '\0') {
			mb_buf_addstr(&body, "\nCc: ");
			add_text(&body, s.cc, strlen(s.cc));
		}
		mb_buf_addstr(&body, "\n\n");
		add_text(&body, s.body_text, s.body_len);
	} else {
		out->to = xstrdup(s.reply_to[0] != '\0' ? s.reply_to : s.from);
		if (kind == UI_COMPOSE_REPLY_ALL) {
			self = self_addr(ui);
			out->cc = others(s.to, s.cc, self);
			free(self);
		}
		out->subject = prefixed("Re:", s.subject);
		if (s.message_id[0] != '\0') {
			out->in_reply_to = xstrdup(s.message_id);
			out->references = s.references[0] != '\0'
			                          ? xasprintf("%s %s", s.references, s.message_id)
			                          : xstrdup(s.message_id);
		}
		mb_buf_addstr(&body, "\n\n");
		if (when[0])
			mb_buf_addf(&body, "On %s, ", when);
		add_text(&body, s.from, strlen(s.from));
		mb_buf_addstr(&body, " wrote:\n");
		for (p = s.body_text; p < s.body_text + s.body_len; p = e + 1) {
			e = memchr(p, '\n', (size_t)(s.body_text + s.body_len - p));
			if (e == NULL)
				e = s.body_text + s.body_len;
			mb_buf_addstr(&body, e > p && *p == '>' ? ">" : "> ");
			add_text(&body, p, (size_t)(e - p));
			mb_buf_addch(&body, '\n');
		}
	}
	out->body = mb_buf_detach(&body, NULL);
	mb_summary_release(&s);
	mb_buf_release(&raw);
	return 0;
}
