/*
 * show_trace.c: `mailbench show ID --trace`: how a message travelled, read
 * from the fields the servers added on the way (Return-Path, Delivered-To,
 * Received, Authentication-Results), and the envelope they recorded set
 * against the headers people see: the envelope-versus-headers lesson on
 * received mail (envelope.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/read.h"
#include "mailbench/envelope.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"

/* --- --trace --- */

static void
trace_field(struct mb_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	mb_buf_addf(b, "       %-5s ", name);
	mb_sanitize_add(b, value, strlen(value), MB_SANITIZE_LINE);
	mb_buf_addch(b, '\n');
}

static void
trace_hops(struct mb_buf *b, const struct mb_trace *tr)
{
	int64_t prev = 0;
	size_t k, hop = 0;
	char when[32];

	if (tr->nreceived == 0) {
		mb_buf_addstr(b, "Received: none (not delivered by a mail server, or the trace was "
		                 "removed)\n");
		return;
	}
	mb_buf_addf(b,
	            "Received: %zu hop(s), oldest first (the header lists them newest "
	            "first)\n",
	            tr->nreceived);
	for (k = tr->nreceived; k-- > 0;) {
		const struct mb_received *r = &tr->received[k];

		mb_cli_time(when, sizeof when, (int64_t)r->date, 1);
		mb_buf_addf(b, "  %2zu  %s", ++hop, r->date ? when : "(no date)");
		if (r->date && prev) {
			int64_t d = (int64_t)r->date - prev;

			if (d >= 0)
				mb_buf_addf(b, "  (+%lld s)", (long long)d);
			else
				mb_buf_addf(
				        b,
				        "  (%lld s: earlier than the hop before: clock skew, or "
				        "a forged line)",
				        (long long)d);
		}
		mb_buf_addch(b, '\n');
		if (r->date)
			prev = (int64_t)r->date;
		trace_field(b, "from", r->from);
		trace_field(b, "by", r->by);
		trace_field(b, "via", r->via);
		trace_field(b, "with", r->with);
		trace_field(b, "id", r->id);
		trace_field(b, "for", r->for_);
		if (!r->from && !r->by && !r->with && !r->id && !r->for_)
			trace_field(b, "raw", r->raw);
	}
}

static void
add_rcpt(char ***v, size_t *n, const char *a)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (mb_addr_same((*v)[i], a))
			return;
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = xstrdup(a);
	(*v)[*n] = NULL;
}

/* Append "  -> text", wrapped, its continuation lines under the text. */
static void
arrow(struct mb_buf *b, const char *text, size_t width)
{
	struct mb_buf w = MB_BUF_INIT;

	mb_cli_wrap(&w, text, 5, width);
	if (w.len >= 5)
		memcpy(w.data + 2, "->", 2);
	mb_buf_add(b, w.data, w.len);
	mb_buf_release(&w);
}

static void __attribute__((format(printf, 3, 4)))
arrow_f(struct mb_buf *b, size_t width, const char *fmt, ...)
{
	struct mb_buf t = MB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mb_buf_vaddf(&t, fmt, ap);
	va_end(ap);
	arrow(b, t.data, width);
	mb_buf_release(&t);
}

/* The envelope the receiving servers recorded (Return-Path, Delivered-To, Received for). */
static void
trace_envelope(struct mb_buf *b, const struct mb_trace *tr, const struct mb_headers *h,
               size_t width)
{
	static const char *const names[] = {"To", "Cc"};
	struct mb_address_list from_l, lists[2];
	struct mb_env_hdr from = {"From", NULL, NULL}, *hdrs = NULL;
	struct mb_env_report rep;
	struct mb_buf only_hdr = MB_BUF_INIT;
	char **rcpts = NULL, **shown = NULL, *fs = NULL, **specs;
	size_t nr = 0, nh = 0, i, k, ns, nonly = 0;

	for (i = 0; i < tr->ndelivered_to; i++) {
		specs = mb_address_specs(tr->delivered_to[i], &ns);
		for (k = 0; k < ns; k++)
			add_rcpt(&rcpts, &nr, specs[k]);
		mb_strv_free(specs);
	}
	for (i = tr->nreceived; i-- > 0;) {
		if (tr->received[i].for_ == NULL)
			continue;
		specs = mb_address_specs(tr->received[i].for_, &ns);
		for (k = 0; k < ns; k++)
			add_rcpt(&rcpts, &nr, specs[k]);
		mb_strv_free(specs);
	}
	mb_buf_addstr(b, "\nEnvelope recorded on delivery          Headers (what people see)\n");
	if (tr->return_path == NULL && nr == 0) {
		mb_buf_addstr(b, "  no Return-Path, Delivered-To or Received ... for: no server "
		                 "recorded the envelope of this message\n");
		free(rcpts);
		return;
	}
	mb_address_list_parse(&from_l, mb_headers_get(h, "From"));
	for (k = 0; k < 2; k++) {
		mb_address_list_parse(&lists[k], mb_headers_get(h, names[k]));
		for (i = 0; i < lists[k].n; i++) {
			const struct mb_address *a = &lists[k].v[i];

			if (a->addr[0] == '\0')
				continue;
			hdrs = xreallocarray(hdrs, nh + 1, sizeof *hdrs);
			shown = xreallocarray(shown, nh + 1, sizeof *shown);
			shown[nh] = a->name[0]
			                    ? xasprintf("%s: %s <%s>", names[k], a->name, a->addr)
			                    : xasprintf("%s: %s", names[k], a->addr);
			hdrs[nh].field = names[k];
			hdrs[nh].shown = shown[nh];
			hdrs[nh].addr = a->addr;
			nh++;
		}
	}
	if (from_l.n > 0) {
		fs = from_l.v[0].name[0]
		             ? xasprintf("From: %s <%s>", from_l.v[0].name, from_l.v[0].addr)
		             : xasprintf("From: %s", from_l.v[0].addr);
		from.shown = fs;
		from.addr = from_l.v[0].addr;
	}
	/* without a Return-Path there is no sender to compare: pretend agreement, say so below */
	mb_envelope_compare(tr->return_path ? tr->return_path : (from.addr ? from.addr : ""),
	                    (const char *const *)rcpts, NULL, nr, from_l.n ? &from : NULL, hdrs, nh,
	                    &rep);
	for (i = 0; i < rep.n; i++) {
		const struct mb_env_row *r = &rep.rows[i];
		char *left;

		if (r->kind == MB_ENV_SENDER)
			left = tr->return_path ? xasprintf("MAIL FROM:<%s>", tr->return_path)
			                       : xstrdup("(no Return-Path)");
		else if (r->envelope)
			left = xasprintf("RCPT TO:<%s>", r->envelope);
		else
			left = xstrdup("(not in this delivery)");
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, left, 37);
		mb_buf_addch(b, ' ');
		mb_cli_cell_last(b, r->header ? r->header : "(in no header)", 60);
		mb_buf_addch(b, '\n');
		free(left);
	}
	for (i = 0; i < rep.n; i++) {
		const struct mb_env_row *r = &rep.rows[i];

		if (r->kind == MB_ENV_SENDER && tr->return_path == NULL)
			arrow(b,
			      "no Return-Path: the delivering server did not record the envelope "
			      "sender",
			      width);
		else if (r->note == MB_ENV_ONLY_ENVELOPE && r->envelope)
			arrow_f(b, width,
			        "%s got this copy but is in no header: a Bcc recipient, or a "
			        "mailing list or an alias delivered it",
			        r->envelope);
		else if (r->note == MB_ENV_ONLY_HEADER && r->header)
			mb_buf_addf(&only_hdr, "%s%s", nonly++ ? ", " : "", r->header);
		else if (r->explain)
			arrow(b, r->explain, width);
	}
	if (only_hdr.len)
		arrow_f(b, width,
		        "%s: named in the headers, but this copy was not delivered to %s: "
		        "everyone gets a copy of their own, and this trace records only this "
		        "mailbox's delivery (or the headers name someone who never got it)",
		        only_hdr.data, nonly > 1 ? "them" : "it");
	mb_buf_release(&only_hdr);
	mb_env_report_release(&rep);
	for (i = 0; i < nh; i++)
		free(shown[i]);
	free(shown);
	free(hdrs);
	free(fs);
	mb_strv_free(rcpts);
	mb_address_list_release(&from_l);
	mb_address_list_release(&lists[0]);
	mb_address_list_release(&lists[1]);
}

void
mb_show_trace(struct mb_buf *b, const struct mb_buf *raw, size_t width)
{
	struct mb_headers h;
	struct mb_trace tr;
	size_t i;

	mb_headers_parse(&h, raw->data, raw->len);
	mb_trace_parse(&tr, &h);
	mb_buf_addstr(b, "Return-Path:  ");
	if (tr.return_path == NULL)
		mb_buf_addstr(b, "none\n");
	else {
		mb_buf_addch(b, '<');
		mb_sanitize_add(b, tr.return_path, strlen(tr.return_path), MB_SANITIZE_LINE);
		mb_buf_addstr(b, ">   (the envelope sender, MAIL FROM)\n");
	}
	for (i = 0; i < tr.ndelivered_to; i++) {
		mb_buf_addstr(b, "Delivered-To: ");
		mb_sanitize_add(b, tr.delivered_to[i], strlen(tr.delivered_to[i]),
		                MB_SANITIZE_LINE);
		mb_buf_addstr(b, i == 0 ? "   (an envelope recipient, RCPT TO)\n" : "\n");
	}
	if (tr.ndelivered_to == 0)
		mb_buf_addstr(b, "Delivered-To: none\n");
	mb_buf_addch(b, '\n');
	trace_hops(b, &tr);
	mb_buf_addch(b, '\n');
	if (tr.nauth_results == 0)
		mb_buf_addstr(b, "Authentication-Results: none (no server recorded SPF, DKIM or "
		                 "DMARC checks)\n");
	for (i = 0; i < tr.nauth_results; i++) {
		mb_buf_addstr(b, "Authentication-Results: ");
		mb_sanitize_add(b, tr.auth_results[i], strlen(tr.auth_results[i]),
		                MB_SANITIZE_LINE);
		mb_buf_addch(b, '\n');
	}
	trace_envelope(b, &tr, &h, width);
	mb_trace_release(&tr);
	mb_headers_release(&h);
}
