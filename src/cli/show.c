/*
 * show.c: `mailbench show ID`: one cached message, read offline, in the
 * view that answers the question at hand: the text (default), every header
 * field (--headers), the path it took and its envelope (--trace, in
 * show_trace.c), its MIME structure (--parts) or one part saved to a file
 * (--part N --save PATH, both in show_parts.c), its exact bytes (--raw).
 *
 * Everything shown came from the network. What reaches a terminal is
 * sanitised (sanitize.h): header fields always (one field, one line), the
 * body and --raw when standard output is a terminal. Saved parts never land
 * outside the directory given, whatever file name the message suggests, and
 * never replace an existing file.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/private.h"
#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

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
		num = mb_show_part_number(p);
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
		mb_show_trace(&out, &raw, mb_cli_term_width(stdout));
		break;
	case MODE_PARTS:
		mb_show_parts(&out, &raw, mb_cli_term_width(stdout));
		break;
	case MODE_SAVE:
		rc = mb_show_save(&raw, a.id, a.part, a.save);
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
