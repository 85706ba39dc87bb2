/*
 * show.c: `mailbench show ID`: one cached message, read offline, in the
 * view that answers the question at hand: the text (default), every header
 * field (--headers), the path it took and its envelope (--trace), its MIME
 * structure (--parts), its exact bytes (--raw), or one part saved to a file
 * (--part N --save PATH).
 *
 * Everything shown came from the network. What reaches a terminal is
 * sanitised (sanitize.h): header fields always (one field, one line), the
 * body and --raw when standard output is a terminal. Saved parts never land
 * outside the directory given, whatever file name the message suggests, and
 * never replace an existing file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/private.h"
#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/envelope.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

#define SAVE_MAX_SUFFIX 1000 /* name-1 .. name-1000, then give up */

enum mode { MODE_TEXT, MODE_RAW, MODE_HEADERS, MODE_TRACE, MODE_PARTS, MODE_SAVE };

struct show_args {
	enum mode mode;
	int nmodes;
	const char *part, *save;
	int64_t id;
};

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: mailbench show ID [--raw | --headers | --trace | --parts]\n"
	        "       mailbench show ID --part N --save PATH\n"
	        "\n"
	        "Shows cached message ID (see mailbench list):\n"
	        "  (default)   From, To, Cc, Subject, Date decoded, then the text (text/plain\n"
	        "              preferred; an HTML-only message is shown as text) and a list of\n"
	        "              the attachments\n"
	        "  --headers   every header field, in order, decoded (RFC 2047)\n"
	        "  --trace     the delivery trace: Return-Path, Delivered-To, the Received hops\n"
	        "              oldest first with time and from/by/with/id/for, Authentication-\n"
	        "              Results, and the envelope the servers recorded against the headers\n"
	        "  --parts     the MIME tree: part number (as IMAP numbers them), type, transfer\n"
	        "              encoding, charset, decoded size, file name\n"
	        "  --raw       the stored source byte for byte. On a terminal it is sanitised\n"
	        "              (control characters visible as ^[, \\xNN...); redirected to a\n"
	        "              file or a pipe it is exact, unchanged\n"
	        "  --part N --save PATH\n"
	        "              write part N decoded. PATH a directory: saved in it under the\n"
	        "              part's file name made safe; else saved as PATH's file name (made\n"
	        "              safe) in PATH's directory. Never outside that directory, never\n"
	        "              over an existing file or through a symbolic link (NAME-1,\n"
	        "              NAME-2... are tried instead); files get mode 0600\n"
	        "Header fields are always shown on one line each, sanitised; the text is\n"
	        "sanitised when standard output is a terminal.\n"
	        "\n"
	        "Exit status: 0 done; 10 no such message or part; 2 bad usage; 1 cannot\n"
	        "write; 11 cache error.\n");
}

static int
parse_args(struct show_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"raw", no_argument, NULL, 'r'},        {"headers", no_argument, NULL, 'H'},
	        {"trace", no_argument, NULL, 't'},      {"parts", no_argument, NULL, 'p'},
	        {"part", required_argument, NULL, 'P'}, {"save", required_argument, NULL, 'S'},
	        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = mb_cli_getopt("show", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'r':
			a->mode = MODE_RAW;
			a->nmodes++;
			break;
		case 'H':
			a->mode = MODE_HEADERS;
			a->nmodes++;
			break;
		case 't':
			a->mode = MODE_TRACE;
			a->nmodes++;
			break;
		case 'p':
			a->mode = MODE_PARTS;
			a->nmodes++;
			break;
		case 'P':
			a->mode = MODE_SAVE;
			a->nmodes++;
			a->part = optarg;
			break;
		case 'S':
			a->save = optarg;
			break;
		case 'h':
			usage(stdout);
			return -2;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (a->nmodes > 1)
		return mb_cli_usage_error("show",
		                          "choose one of --raw, --headers, --trace, --parts, "
		                          "--part");
	if (a->save != NULL && a->mode != MODE_SAVE)
		return mb_cli_usage_error("show", "--save needs --part N (which part to save)");
	if (a->mode == MODE_SAVE && a->save == NULL)
		return mb_cli_usage_error("show",
		                          "--part N needs --save PATH (a directory or a file "
		                          "name)");
	if (a->mode == MODE_SAVE && a->save[0] == '\0')
		return mb_cli_usage_error("show", "--save needs a path");
	if (optind >= argc)
		return mb_cli_usage_error("show",
		                          "which message? give its ID (see mailbench list)");
	if (optind + 1 < argc)
		return mb_cli_usage_error("show", "unexpected argument '%s'", argv[optind + 1]);
	return mb_cli_parse_id("show", "ID", argv[optind], &a->id);
}

/* Append a one-line header field "Name:  value", sanitised. */
static void
add_field(struct mb_buf *b, const char *name, int width, const char *value)
{
	mb_buf_addf(b, "%-*s ", width, name);
	mb_sanitize_add(b, value, strlen(value), MB_SANITIZE_LINE);
	mb_buf_addch(b, '\n');
}

/* Append text: sanitised for a terminal, else as it is (valid UTF-8 from the decoders). */
static void
add_text(struct mb_buf *b, const char *s, size_t len, bool tty)
{
	if (tty)
		mb_sanitize_add(b, s, len, MB_SANITIZE_TEXT);
	else
		mb_buf_add(b, s, len);
}

/* --- part numbers --- */

/*
 * The number of part p as IMAP gives it (RFC 3501 section 6.4.5): "1" for
 * the body of a single-part message, "N.1" for the body of an attached
 * single-part message; "" for the multipart root.
 */
static char *
part_number(const struct mb_mime_part *p)
{
	char *id = mb_mime_part_id(p), *s;

	if (p->kind == MB_PART_MULTIPART)
		return id;
	if (p->parent == NULL) {
		free(id);
		return xstrdup("1");
	}
	if (p->parent->kind == MB_PART_MESSAGE) {
		s = xasprintf("%s%s1", id, id[0] ? "." : "");
		free(id);
		return s;
	}
	return id;
}

static const struct mb_mime_part *
find_part(const struct mb_mime_tree *t, const char *num)
{
	size_t i;

	for (i = 0; i < t->nparts; i++) {
		char *n = part_number(t->parts[i]);
		bool hit = strcmp(n, num) == 0;

		free(n);
		if (hit)
			return t->parts[i];
	}
	return NULL;
}

static const char *
cte_name(const struct mb_mime_part *p)
{
	switch (p->cte) {
	case MB_CTE_7BIT:
		return "7bit";
	case MB_CTE_8BIT:
		return "8bit";
	case MB_CTE_BINARY:
		return "binary";
	case MB_CTE_QP:
		return "quoted-printable";
	case MB_CTE_BASE64:
		return "base64";
	case MB_CTE_UNKNOWN:
		break;
	}
	return "unknown";
}

/* Is p inside an attached message (below a message/rfc822 part)? */
static bool
inside_message(const struct mb_mime_part *p)
{
	for (p = p->parent; p != NULL; p = p->parent)
		if (p->kind == MB_PART_MESSAGE)
			return true;
	return false;
}

/* Is p a body text of subtype sub ("plain" or "html") of the message itself? */
static bool
is_body_text(const struct mb_mime_part *p, const char *sub)
{
	bool plain_fallback = (p->flags & MB_PART_BAD_MULTIPART) != 0;

	if (p->kind != MB_PART_SINGLE || inside_message(p) || mb_mime_part_is_attachment(p))
		return false;
	if (plain_fallback)
		return strcmp(sub, "plain") == 0;
	return strcmp(p->type, "text") == 0 && strcmp(p->subtype, sub) == 0;
}

/* --- default view --- */

static void
add_attachments(struct mb_buf *b, const struct mb_mime_tree *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		char sz[32], *num, *line;
		size_t size;

		if (p->kind == MB_PART_MULTIPART || p->kind == MB_PART_LIMIT || inside_message(p) ||
		    !mb_mime_part_is_attachment(p))
			continue;
		if (n++ == 0)
			mb_buf_addstr(b,
			              "\nAttachments (save one: mailbench show ID --part N --save "
			              "DIR):\n");
		num = part_number(p);
		size = mb_mime_part_decoded_size(t, p);
		if (size < 1024)
			snprintf(sz, sizeof sz, "%zu bytes", size);
		else
			mb_cli_size(sz, sizeof sz, (int64_t)size);
		line = xasprintf("  [%s] %s (%s/%s, %s)", num,
		                 p->filename ? p->filename : "(no name)", p->type, p->subtype, sz);
		mb_sanitize_add(b, line, strlen(line), MB_SANITIZE_LINE);
		mb_buf_addch(b, '\n');
		free(line);
		free(num);
	}
}

static void
show_text(struct mb_buf *b, const struct mb_msg *m, const struct mb_buf *raw, bool tty)
{
	struct mb_mime_tree *t = mb_mime_parse(raw->data, raw->len);
	struct mb_buf text = MB_BUF_INIT;
	size_t i, nplain = 0, nhtml = 0;

	add_field(b, "From:", 8, m->from[0] ? m->from : "(none)");
	add_field(b, "To:", 8, m->to[0] ? m->to : "(none)");
	if (m->cc[0])
		add_field(b, "Cc:", 8, m->cc);
	add_field(b, "Subject:", 8, m->subject[0] ? m->subject : "(none)");
	add_field(b, "Date:", 8, m->date_text[0] ? m->date_text : "(none)");
	mb_buf_addch(b, '\n');
	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];

		if (!is_body_text(p, "plain"))
			continue;
		if (nplain++ > 0)
			mb_buf_addch(&text, '\n');
		mb_mime_part_text(t, p, &text);
	}
	for (i = 0; nplain == 0 && i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		struct mb_buf html = MB_BUF_INIT;
		size_t len;
		char *s;

		if (!is_body_text(p, "html"))
			continue;
		if (nhtml++ > 0)
			mb_buf_addch(&text, '\n');
		mb_mime_part_text(t, p, &html);
		s = mb_html_to_text(html.data, html.len, &len);
		mb_buf_add(&text, s, len);
		free(s);
		mb_buf_release(&html);
	}
	if (nhtml > 0)
		mb_buf_addstr(b, "[an HTML-only message, shown as text]\n\n");
	if (nplain == 0 && nhtml == 0)
		mb_buf_addstr(b, "[no text part: see mailbench show ID --parts]\n");
	add_text(b, text.data, text.len, tty);
	if (text.len > 0 && text.data[text.len - 1] != '\n')
		mb_buf_addch(b, '\n');
	add_attachments(b, t);
	mb_buf_release(&text);
	mb_mime_free(t);
}

/* --- --headers --- */

static void
show_headers(struct mb_buf *b, const struct mb_buf *raw)
{
	struct mb_headers h;
	size_t i;

	mb_headers_parse(&h, raw->data, raw->len);
	for (i = 0; i < h.nfields; i++) {
		char *v = mb_mime_decode_header(h.fields[i].value);

		mb_sanitize_add(b, h.fields[i].name, strlen(h.fields[i].name), MB_SANITIZE_LINE);
		mb_buf_addstr(b, ": ");
		mb_sanitize_add(b, v, strlen(v), MB_SANITIZE_LINE);
		if (h.fields[i].truncated)
			mb_buf_addstr(b, " [cut: longer than mailbench keeps]");
		mb_buf_addch(b, '\n');
		free(v);
	}
	if (h.nfields == 0)
		mb_buf_addstr(b, "[no header fields]\n");
	if (h.ndropped)
		mb_buf_addf(b, "[%zu more header fields not shown: over the limit]\n", h.ndropped);
	if (h.nbad)
		mb_buf_addf(b, "[%zu lines in the header were not header fields]\n", h.nbad);
	mb_headers_release(&h);
}

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

static void
show_trace(struct mb_buf *b, const struct mb_buf *raw, size_t width)
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

/* --- --parts --- */

static void
show_parts(struct mb_buf *b, const struct mb_buf *raw, size_t width)
{
	struct mb_mime_tree *t = mb_mime_parse(raw->data, raw->len);
	size_t i, wnum = 4, wtype = 4, wenc = 8, wcs = 7, wsize = 4, used;
	char **nums = xcalloc(t->nparts + 1, sizeof *nums), **sizes;

	sizes = xcalloc(t->nparts + 1, sizeof *sizes);
	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		size_t tw = p->depth * 2 + strlen(p->type) + 1 + strlen(p->subtype);

		/* a multipart that is a whole message shares its number: shown as "-" */
		if (p->kind == MB_PART_MULTIPART &&
		    (p->parent == NULL || p->parent->kind == MB_PART_MESSAGE))
			nums[i] = xstrdup("-");
		else
			nums[i] = part_number(p);
		if (p->kind != MB_PART_MULTIPART && p->kind != MB_PART_LIMIT)
			sizes[i] = xasprintf("%zu", mb_mime_part_decoded_size(t, p));
		else
			sizes[i] = xstrdup("");
		wnum = strlen(nums[i]) > wnum ? strlen(nums[i]) : wnum;
		wtype = tw > wtype ? tw : wtype;
		if (p->kind != MB_PART_MULTIPART && strlen(cte_name(p)) > wenc)
			wenc = strlen(cte_name(p));
		if (p->charset && mb_display_width(p->charset, strlen(p->charset)) > wcs)
			wcs = mb_display_width(p->charset, strlen(p->charset));
		wsize = strlen(sizes[i]) > wsize ? strlen(sizes[i]) : wsize;
	}
	wnum = wnum > 16 ? 16 : wnum;
	wtype = wtype > 40 ? 40 : wtype;
	wcs = wcs > 16 ? 16 : wcs;
	used = wnum + 2 + wtype + 2 + wenc + 2 + wcs + 2 + wsize + 2;
	mb_cli_cell(b, "PART", wnum);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "TYPE", wtype);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "ENCODING", wenc);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "CHARSET", wcs);
	mb_buf_addstr(b, "  ");
	mb_cli_cell_right(b, "SIZE", wsize);
	mb_buf_addstr(b, "  FILE NAME\n");
	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		char *type = xasprintf("%*s%s/%s", (int)(p->depth * 2), "", p->type, p->subtype);
		struct mb_buf name = MB_BUF_INIT;
		char *clean;

		mb_cli_cell(b, nums[i], wnum);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, type, wtype);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, p->kind == MB_PART_MULTIPART ? "" : cte_name(p), wenc);
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, p->charset ? p->charset : "", wcs);
		mb_buf_addstr(b, "  ");
		mb_cli_cell_right(b, sizes[i], wsize);
		mb_buf_addstr(b, "  ");
		if (p->filename)
			mb_buf_addstr(&name, p->filename);
		else if (mb_mime_part_is_attachment(p))
			mb_buf_addstr(&name, "(attachment, no name)");
		if (p->flags & MB_PART_UNCLOSED)
			mb_buf_addstr(&name, " [never closed]");
		if (p->flags & MB_PART_BAD_MULTIPART)
			mb_buf_addstr(&name, " [bad multipart: read as text]");
		if (p->flags & MB_PART_BAD_TYPE)
			mb_buf_addstr(&name, " [unreadable Content-Type]");
		if (p->kind == MB_PART_LIMIT)
			mb_buf_addstr(&name, " [not parsed: limit]");
		clean = mb_sanitize(name.data, MB_SANITIZE_LINE);
		if (used + mb_display_width(clean, strlen(clean)) <= width) {
			mb_buf_addstr(b, clean);
		} else {
			/* too long for the row: on a line of its own, whole if it fits */
			while (b->len > 0 && b->data[b->len - 1] == ' ')
				mb_buf_truncate(b, b->len - 1);
			mb_buf_addf(b, "\n%*sfile name: ", (int)(wnum + 2), "");
			mb_cli_cell_last(b, clean, width > wnum + 14 + 20 ? width - wnum - 14 : 20);
		}
		free(clean);
		/* a table row never ends in blanks */
		while (b->len > 0 && b->data[b->len - 1] == ' ')
			mb_buf_truncate(b, b->len - 1);
		mb_buf_addch(b, '\n');
		mb_buf_release(&name);
		free(type);
	}
	if (t->nskipped)
		mb_buf_addf(b, "[%zu more parts not parsed: over the limit of %d]\n", t->nskipped,
		            MB_MIME_MAX_PARTS);
	mb_strv_free(nums);
	mb_strv_free(sizes);
	mb_mime_free(t);
}

/* --- --part N --save PATH --- */

/* "name-k.ext" from "name.ext" (the extension: after the last dot, not a leading one). */
static char *
with_suffix(const char *name, unsigned k)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name || strlen(dot) > 17)
		return xasprintf("%s-%u", name, k);
	return xasprintf("%.*s-%u%s", (int)(dot - name), name, k, dot);
}

/* Write all of buf to fd. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Create a new file for name in directory dfd: never over an existing file,
 * never through a symbolic link; name-1, name-2... when taken. *used gets
 * the name chosen.
 */
static int
create_new(int dfd, const char *name, char **used, struct mb_error *err)
{
	unsigned k;
	int fd;

	for (k = 0; k <= SAVE_MAX_SUFFIX; k++) {
		char *cand = k == 0 ? xstrdup(name) : with_suffix(name, k);

		fd = openat(dfd, cand, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*used = cand;
			return fd;
		}
		free(cand);
		if (errno != EEXIST)
			return mb_error_set(err, MB_ERR_IO, "cannot create '%s': %s", name,
			                    strerror(errno));
	}
	return mb_error_set(err, MB_ERR_IO, "cannot create '%s': it and %d numbered variants exist",
	                    name, SAVE_MAX_SUFFIX);
}

static int
save_part(const struct mb_mime_tree *t, const struct mb_mime_part *p, const char *num,
          const char *path)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_buf data = MB_BUF_INIT;
	struct stat sb;
	char *dir, *name, *ctype = xasprintf("%s/%s", p->type, p->subtype), *used = NULL;
	const char *base, *slash;
	int dfd = -1, fd = -1, rc = MB_EXIT_FAIL;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		dir = xstrdup(path);
		name = mb_filename_safe(p->filename, ctype, (unsigned)p->index);
	} else {
		slash = strrchr(path, '/');
		base = slash ? slash + 1 : path;
		if (*base == '\0') {
			mb_cli_err("show", "cannot save to '%s': no such directory", path);
			free(ctype);
			return MB_EXIT_FAIL;
		}
		dir = slash == NULL   ? xstrdup(".")
		      : slash == path ? xstrdup("/")
		                      : xstrndup(path, (size_t)(slash - path));
		name = mb_filename_safe(base, ctype, (unsigned)p->index);
	}
	/* mb_filename_safe() promises one plain component; check it all the same */
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		mb_cli_err("show", "refusing the file name '%s'", name);
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		mb_cli_err("show", "cannot save in '%s': %s", dir, strerror(errno));
		goto out;
	}
	mb_mime_part_decode(t, p, &data);
	if ((fd = create_new(dfd, name, &used, &err)) < 0) {
		mb_cli_err("show", "%s in '%s'", err.msg, dir);
		goto out;
	}
	if (write_all(fd, data.data, data.len) < 0 || close(fd) < 0) {
		int e = errno;

		fd = -1;
		unlinkat(dfd, used, 0);
		mb_cli_err("show", "cannot write '%s/%s': %s", dir, used, strerror(e));
		goto out;
	}
	fd = -1;
	{
		char *where =
		        xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", used);
		char *shown = mb_sanitize(where, MB_SANITIZE_LINE);

		printf("saved part %s (%s, %zu bytes) as %s\n", num, ctype, data.len, shown);
		free(shown);
		free(where);
	}
	rc = MB_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	mb_buf_release(&data);
	free(used);
	free(name);
	free(dir);
	free(ctype);
	return rc;
}

static int
show_save(const struct mb_buf *raw, const struct show_args *a)
{
	struct mb_mime_tree *t = mb_mime_parse(raw->data, raw->len);
	const struct mb_mime_part *p = find_part(t, a->part);
	int rc;

	if (p == NULL) {
		mb_cli_err("show",
		           "message %lld has no part '%s' (see mailbench show %lld --parts)",
		           (long long)a->id, a->part, (long long)a->id);
		rc = MB_EXIT_NOTFOUND;
	} else if (p->kind == MB_PART_MULTIPART || p->kind == MB_PART_LIMIT) {
		mb_cli_err("show", "part %s of message %lld is a %s: save the parts inside it",
		           a->part, (long long)a->id,
		           p->kind == MB_PART_LIMIT ? "part mailbench did not parse" : "multipart");
		rc = MB_EXIT_USAGE;
	} else {
		rc = save_part(t, p, a->part, a->save);
	}
	mb_mime_free(t);
	return rc;
}

/* --- --raw --- */

static int
raw_chunk(const void *chunk, size_t len, void *arg)
{
	return fwrite(chunk, 1, len, (FILE *)arg) == len ? 0 : -1;
}

static int
show_raw(struct mb_store *st, int64_t id, bool tty)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_buf raw = MB_BUF_INIT, out = MB_BUF_INIT;
	int rc = 0;

	if (tty) {
		if (mb_store_msg_raw(st, id, &raw, &err) == 0) {
			mb_sanitize_add(&out, raw.data, raw.len, MB_SANITIZE_TEXT);
			if (mb_cli_write(stdout, &out) < 0)
				rc = -1;
		} else {
			rc = -2;
		}
	} else if (mb_store_msg_raw_stream(st, id, raw_chunk, stdout, &err) < 0) {
		rc = err.kind == MB_ERR_CANCEL ? -1 : -2;
	}
	if (rc == 0 && fflush(stdout) != 0)
		rc = -1;
	mb_buf_release(&raw);
	mb_buf_release(&out);
	if (rc == -1) {
		if (errno != EPIPE)
			mb_cli_err("show", "cannot write to standard output: %s", strerror(errno));
		return MB_EXIT_FAIL;
	}
	if (rc == -2) {
		mb_cli_err("show", "%s", err.msg);
		return mb_cli_exit_for(err.kind);
	}
	return MB_EXIT_OK;
}

int
mb_cmd_show(struct mb_cli *cli, int argc, char **argv)
{
	struct show_args a = {0};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_msg m = {0};
	struct mb_buf raw = MB_BUF_INIT, out = MB_BUF_INIT;
	bool tty = isatty(STDOUT_FILENO);
	int rc;

	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc == -2 ? MB_EXIT_OK : rc;
	if ((rc = mb_cli_open_store(cli, "show", &st)) != 0)
		return rc;
	if (mb_store_msg_get(st, a.id, &m, &err) < 0) {
		if (err.kind == MB_ERR_NOTFOUND)
			mb_cli_err("show", "no message %lld in the cache (see mailbench list)",
			           (long long)a.id);
		else
			mb_cli_err("show", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
		goto out;
	}
	if (a.mode == MODE_RAW) {
		rc = show_raw(st, a.id, tty);
		goto out;
	}
	if (mb_store_msg_raw(st, a.id, &raw, &err) < 0) {
		mb_cli_err("show", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
		goto out;
	}
	switch (a.mode) {
	case MODE_HEADERS:
		show_headers(&out, &raw);
		break;
	case MODE_TRACE:
		show_trace(&out, &raw, mb_cli_term_width(stdout));
		break;
	case MODE_PARTS:
		show_parts(&out, &raw, mb_cli_term_width(stdout));
		break;
	case MODE_SAVE:
		rc = show_save(&raw, &a);
		goto out;
	case MODE_TEXT:
	case MODE_RAW:
		show_text(&out, &m, &raw, tty);
		break;
	}
	if (mb_cli_write(stdout, &out) < 0 || fflush(stdout) != 0) {
		if (errno != EPIPE)
			mb_cli_err("show", "cannot write to standard output: %s", strerror(errno));
		rc = MB_EXIT_FAIL;
	}
out:
	mb_buf_release(&raw);
	mb_buf_release(&out);
	mb_msg_release(&m);
	mb_store_close(st);
	return rc;
}
