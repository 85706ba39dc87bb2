/*
 * screen_envelope.c: the envelope-versus-headers view (e). Two columns,
 * the envelope (MAIL FROM, RCPT TO: what servers route by) and the headers
 * (From, To, Cc: what people see), lines matched, every difference
 * highlighted and explained in one sentence (envelope.h does the
 * comparing). For a sent message the envelope is what mailbench sent; for
 * a received one it is what the receiving side recorded: Return-Path
 * (MAIL FROM) and Delivered-To / Received "for" (RCPT TO).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/envelope.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

struct envv {
	char *title, *note;
	struct mb_env_report rep;
	char **strs; /* what the report's borrowed pointers point to */
	size_t nstrs;
	bool received;
	bool unknown_sender; /* no Return-Path */
	struct ui_doc doc;
	int width; /* the doc's layout width */
	int page;
};

static const struct ui_keydoc env_keys[] = {
        {"j k ↓ ↑", "scroll"},
        {"PgUp PgDn g G", "page / top / bottom"},
        {"q Esc", "back"},
        {NULL, NULL},
};

static const char *
keep(struct envv *v, char *s)
{
	v->strs = xreallocarray(v->strs, v->nstrs + 1, sizeof *v->strs);
	v->strs[v->nstrs++] = s;
	return s;
}

/* Append one cell made exactly cols wide (sanitised). */
static void
cell(struct ui_doc *d, int elem, const char *text, int cols)
{
	char *safe = mb_sanitize(text, MB_SANITIZE_LINE), *fit;

	fit = mb_width_fit(safe, (size_t)(cols > 1 ? cols : 1));
	ui_doc_adds(d, elem, fit);
	free(fit);
	free(safe);
}

static void
build(struct ui *ui, struct envv *v, int width)
{
	struct ui_doc *d = &v->doc;
	int col = (width - 3) / 2;
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	ui_doc_release(d);
	ui_doc_init(d);
	ui_doc_add_net(d, UI_E_PANE_TITLE, v->title, strlen(v->title), MB_SANITIZE_LINE);
	ui_doc_newline(d);
	if (v->note != NULL) {
		ui_doc_add_net(d, UI_E_DIM, v->note, strlen(v->note), MB_SANITIZE_LINE);
		ui_doc_newline(d);
	}
	ui_doc_newline(d);
	cell(d, UI_E_COLUMN, "Envelope (routes the message)", col);
	ui_doc_adds(d, UI_E_NORMAL, "   ");
	cell(d, UI_E_COLUMN, "Headers (shown to people)", col);
	ui_doc_newline(d);
	for (i = 0; i < v->rep.n; i++) {
		const struct mb_env_row *r = &v->rep.rows[i];
		bool diff = r->note != MB_ENV_SAME;
		int e = diff ? UI_E_ENV_DIFF : UI_E_ENV_SAME;

		mb_buf_reset(&b);
		if (r->kind == MB_ENV_SENDER && v->unknown_sender)
			mb_buf_addstr(&b, "MAIL FROM: (not recorded)");
		else if (r->envelope != NULL)
			mb_buf_addf(&b, "%s:<%s>",
			            r->kind == MB_ENV_SENDER ? "MAIL FROM" : "RCPT TO",
			            r->envelope);
		else
			mb_buf_addstr(&b, "(not in the envelope)");
		if (r->code > 0)
			mb_buf_addf(&b, " %d", r->code);
		cell(d, e, b.data, col);
		ui_doc_adds(d, UI_E_NORMAL,
		            diff ? ui_sym(ui, " \xe2\x89\xa0 ", " # ") : ui_sym(ui, " = ", " = "));
		if (r->header != NULL) {
			mb_buf_reset(&b);
			mb_buf_addf(&b, "%s%s", r->kind == MB_ENV_SENDER ? "From: " : "",
			            r->header);
			cell(d, e, b.data, col);
		} else {
			cell(d, e,
			     r->kind == MB_ENV_SENDER ? "(no From: header)" : "(in no header)",
			     col);
		}
		ui_doc_newline(d);
		if (r->explain != NULL) {
			ui_doc_adds(d, UI_E_ENV_EXPLAIN, ui_sym(ui, "  \xe2\x86\x92 ", "  -> "));
			ui_doc_indent(d, 5);
			ui_doc_add_net(d, UI_E_ENV_EXPLAIN, r->explain, strlen(r->explain),
			               MB_SANITIZE_LINE);
			ui_doc_newline(d);
		}
	}
	ui_doc_newline(d);
	if (v->rep.differences == 0)
		ui_doc_adds(d, UI_E_OK, "The envelope and the headers agree.");
	else
		ui_doc_addf(d, UI_E_WARN, "%zu difference%s.", v->rep.differences,
		            v->rep.differences == 1 ? "" : "s");
	ui_doc_newline(d);
	ui_doc_newline(d);
	ui_doc_indent(d, 0);
	ui_doc_adds(d, UI_E_DIM,
	            "SMTP never checks one side against the other: MAIL FROM and RCPT TO route the "
	            "message, From:, To: and Cc: are only text inside it.");
	ui_doc_newline(d);
	mb_buf_release(&b);
	v->width = width;
}

static void
env_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct envv *v = s->priv;
	int h, wd;

	getmaxyx(w, h, wd);
	if (v->width != wd - 2) {
		size_t top = v->doc.top;

		build(ui, v, wd - 2);
		v->doc.top = top;
	}
	v->page = h;
	ui_doc_draw(ui, &v->doc, w, 0, 1, h, wd - 2);
}

static int
env_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct envv *v = s->priv;

	return ui_doc_key(&v->doc, key, v->page);
}

static void
env_free(struct ui_screen *s)
{
	struct envv *v = s->priv;
	size_t i;

	mb_env_report_release(&v->rep);
	for (i = 0; i < v->nstrs; i++)
		free(v->strs[i]);
	free(v->strs);
	ui_doc_release(&v->doc);
	free(v->title);
	free(v->note);
	free(v);
}

static const struct ui_screen_ops env_ops = {
        .name = "Envelope versus headers",
        .hints = "q:back",
        .nfocus = 1,
        .draw = env_draw,
        .key = env_key,
        .keys = env_keys,
        .free = env_free,
};

/* Header recipients of one field into hdrs (strings kept by v). */
static void
add_hdrs(struct envv *v, const char *field, const char *value, struct mb_env_hdr **hdrs, size_t *n)
{
	struct mb_address_list l;
	size_t i;

	mb_address_list_parse(&l, value);
	for (i = 0; i < l.n; i++) {
		struct mb_env_hdr *h;

		if (l.v[i].addr[0] == '\0')
			continue;
		*hdrs = xreallocarray(*hdrs, *n + 1, sizeof **hdrs);
		h = &(*hdrs)[(*n)++];
		h->field = field;
		h->addr = keep(v, xstrdup(l.v[i].addr));
		h->shown = keep(v, l.v[i].name[0] ? xasprintf("%s: %s <%s>", field, l.v[i].name,
		                                              l.v[i].addr)
		                                  : xasprintf("%s: %s", field, l.v[i].addr));
	}
	mb_address_list_release(&l);
}

/* Compare and push the view; v owns what in points to only through keep(). */
static void
open_view(struct ui *ui, struct envv *v, const struct ui_envelope_in *in)
{
	struct mb_env_hdr from = {"From", NULL, NULL}, *hdrs = NULL;
	struct mb_address_list fl;
	size_t nh = 0, i;
	const char *env_from = in->env_from;

	mb_address_list_parse(&fl, in->from);
	if (fl.n > 0 && fl.v[0].addr[0] != '\0') {
		from.addr = keep(v, xstrdup(fl.v[0].addr));
		from.shown =
		        keep(v, fl.v[0].name[0] ? xasprintf("%s <%s>", fl.v[0].name, fl.v[0].addr)
		                                : xstrdup(fl.v[0].addr));
	}
	mb_address_list_release(&fl);
	add_hdrs(v, "To", in->to, &hdrs, &nh);
	add_hdrs(v, "Cc", in->cc, &hdrs, &nh);
	if (env_from == NULL) {
		/* not recorded: compare nothing on the sender's line, say so instead */
		v->unknown_sender = true;
		env_from = from.addr != NULL ? from.addr : "";
	}
	mb_envelope_compare(env_from, in->rcpts, in->codes, in->nrcpts,
	                    from.addr != NULL ? &from : NULL, hdrs, nh, &v->rep);
	for (i = 0; i < v->rep.n; i++) {
		struct mb_env_row *r = &v->rep.rows[i];

		if (r->kind == MB_ENV_SENDER && v->unknown_sender) {
			free(r->explain);
			r->explain =
			        xstrdup("no Return-Path header: the receiving server did not "
			                "record the envelope sender (a message not delivered by "
			                "SMTP, or saved from a Sent folder)");
			if (r->note == MB_ENV_SAME)
				v->rep.differences++;
			r->note = MB_ENV_SENDER_DIFFERS;
		} else if (r->note == MB_ENV_ONLY_ENVELOPE && v->received) {
			free(r->explain);
			r->explain =
			        xasprintf("%s received this copy but is in no header: it was a "
			                  "Bcc recipient, or a mailing list or an alias sent it on",
			                  r->envelope);
		} else if (r->note == MB_ENV_ONLY_HEADER && v->received) {
			free(r->explain);
			r->explain =
			        xasprintf("%s is in the headers but this copy was not delivered "
			                  "to it: every recipient's copy travels with its own "
			                  "envelope",
			                  r->header);
		}
	}
	free(hdrs);
	v->title = xstrdup(in->title != NULL ? in->title : "Envelope versus headers");
	v->note = in->note != NULL ? xstrdup(in->note) : NULL;
	ui_doc_init(&v->doc);
	ui_screen_push(ui, &env_ops, v);
}

void
ui_envelope_open(struct ui *ui, const struct ui_envelope_in *in)
{
	struct envv *v = xcalloc(1, sizeof *v);
	char **rc = xcalloc(in->nrcpts + 1, sizeof *rc);
	struct ui_envelope_in copy = *in;
	size_t i;

	/* the report borrows its strings: keep copies for the life of the view */
	for (i = 0; i < in->nrcpts; i++)
		rc[i] = (char *)keep(v, xstrdup(in->rcpts[i]));
	copy.rcpts = (const char *const *)rc;
	if (in->env_from != NULL)
		copy.env_from = keep(v, xstrdup(in->env_from));
	open_view(ui, v, &copy);
	free(rc);
}

/* Add addr (a Delivered-To value or a Received "for <a@b>") to rcpts unless it is there. */
static void
add_rcpt(struct envv *v, const char *value, const char ***rcpts, size_t *n)
{
	struct mb_address_list l;
	size_t i, j;

	if (value == NULL)
		return;
	mb_address_list_parse(&l, value);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].addr[0] == '\0')
			continue;
		for (j = 0; j < *n; j++)
			if (mb_addr_same((*rcpts)[j], l.v[i].addr))
				break;
		if (j < *n)
			continue;
		*rcpts = xreallocarray(*rcpts, *n + 1, sizeof **rcpts);
		(*rcpts)[(*n)++] = keep(v, xstrdup(l.v[i].addr));
	}
	mb_address_list_release(&l);
}

int
ui_envelope_open_msg(struct ui *ui, int64_t msg_id)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_buf raw = MB_BUF_INIT;
	struct mb_summary s;
	struct ui_envelope_in in = {0};
	struct envv *v;
	const char **rcpts = NULL;
	size_t n = 0, i;

	if (mb_store_msg_raw(ui->st, msg_id, &raw, &err) < 0) {
		ui_error_from(ui, "cannot read the message", &err);
		return -1;
	}
	mb_summary_parse(&s, raw.data, raw.len);
	v = xcalloc(1, sizeof *v);
	v->received = true;
	for (i = 0; i < s.trace.ndelivered_to; i++)
		add_rcpt(v, s.trace.delivered_to[i], &rcpts, &n);
	for (i = 0; i < s.trace.nreceived; i++)
		add_rcpt(v, s.trace.received[i].for_, &rcpts, &n);
	in.title = "Envelope versus headers of a received message";
	in.note = "The envelope side is what the receiving servers recorded: Return-Path (MAIL "
	          "FROM), Delivered-To and Received \"for\" (RCPT TO).";
	in.env_from = s.trace.return_path != NULL ? keep(v, xstrdup(s.trace.return_path)) : NULL;
	in.rcpts = rcpts;
	in.nrcpts = n;
	in.from = keep(v, xstrdup(s.from));
	in.to = keep(v, xstrdup(s.to));
	in.cc = keep(v, xstrdup(s.cc));
	open_view(ui, v, &in);
	free(rcpts);
	mb_summary_release(&s);
	mb_buf_release(&raw);
	return 0;
}

/* The reply code after each "addr code ..." line of the outbox's rcpt_results. */
static int
code_for(const char *results, const char *addr)
{
	const char *p = results, *sp;
	size_t al = strlen(addr);

	while (p != NULL && *p != '\0') {
		sp = strchr(p, ' ');
		if (sp != NULL && (size_t)(sp - p) == al && strncmp(p, addr, al) == 0)
			return atoi(sp + 1);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

int
ui_envelope_open_outbox(struct ui *ui, int64_t outbox_id)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_outbox o;
	struct ui_envelope_in in = {0};
	int *codes;
	bool any = false;
	char *title;
	size_t i;

	if (mb_store_outbox_get(ui->st, outbox_id, &o, &err) < 0) {
		ui_error_from(ui, "cannot read the outbox entry", &err);
		return -1;
	}
	codes = xcalloc(o.nrcpts + 1, sizeof *codes);
	for (i = 0; i < o.nrcpts; i++) {
		codes[i] = code_for(o.rcpt_results, o.rcpts[i]);
		any |= codes[i] != 0;
	}
	title = xasprintf("Envelope versus headers of outbox message %lld (%s)", (long long)o.id,
	                  mb_outbox_status_name(o.status));
	in.title = title;
	in.note = "The envelope side is what mailbench sent: MAIL FROM and each RCPT TO, with "
	          "the server's reply.";
	in.env_from = o.envelope_from;
	in.rcpts = (const char *const *)o.rcpts;
	in.codes = any ? codes : NULL;
	in.nrcpts = o.nrcpts;
	in.from = o.from;
	in.to = o.to;
	in.cc = o.cc;
	ui_envelope_open(ui, &in);
	free(title);
	free(codes);
	mb_outbox_release(&o);
	return 0;
}
