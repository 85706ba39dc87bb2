/*
 * screen_message.c: the message view, in four tabs: 1 Message (decoded
 * headers and the body text: text/plain preferred, an HTML-only message
 * rendered as text), 2 Parts (the MIME tree with type, encoding, charset
 * and size per part; view a part, save an attachment), 3 Raw (the source
 * byte for byte with control characters and line ends made visible) and
 * 4 Trace (Return-Path, Delivered-To, the Received hops oldest first with
 * their times, Authentication-Results: the received side of the envelope).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/fileio.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "ui/private.h"

#define RAW_SHOWN_MAX (8 * 1024 * 1024) /* bytes of source laid out in the raw tab */
#define SAVE_TRIES    100               /* name-1.ext .. name-99.ext when a name is taken */

enum tab { TAB_MESSAGE = 0, TAB_PARTS, TAB_RAW, TAB_TRACE, NTABS };

static const char *const tab_names[NTABS] = {"Message", "Parts", "Raw", "Trace"};

struct msgv {
	int64_t id;
	struct mb_msg msg;
	struct mb_buf raw;
	struct mb_mime_tree *tree;
	struct mb_summary sum;
	enum tab tab;
	struct ui_doc docs[NTABS];
	bool built[NTABS];
	struct ui_list parts;
	size_t *psize; /* decoded size per part, computed once (SIZE_MAX: not a leaf) */
	bool viewing;  /* a part's content is shown in the parts tab */
	struct ui_doc partdoc;
	int page;
};

static const struct ui_keydoc msg_keys[] = {
        {"1 2 3 4", "tabs: Message, Parts (MIME tree), Raw source, Trace"},
        {"← → h l", "previous / next tab"},
        {"j k ↓ ↑", "scroll (Parts: select a part)"},
        {"PgUp PgDn Space b", "page up / down"},
        {"g G", "top / bottom"},
        {"Enter", "Parts: show the selected part"},
        {"s", "save the selected part (or the first attachment) to a directory"},
        {"r  A  f", "reply / reply to all / forward"},
        {"e", "envelope versus headers"},
        {"T", "the stored transcript of the session that fetched this message"},
        {"q Esc", "back to the list"},
        {NULL, NULL},
};

/* ---- building the tabs ------------------------------------------------------------------ */

static void
header_line(struct ui_doc *d, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	ui_doc_addf(d, UI_E_HEADER_NAME, "%-10s", name);
	ui_doc_indent(d, 10);
	ui_doc_add_net(d, strcmp(name, "Subject:") == 0 ? UI_E_SUBJECT : UI_E_HEADER_VALUE, value,
	               strlen(value), MB_SANITIZE_LINE);
	ui_doc_newline(d);
}

static const char *
cte_name(enum mb_cte c)
{
	switch (c) {
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
	default:
		return "unknown";
	}
}

/* Decoded part sizes, computed once (base64 of megabytes is not free). */
static size_t
part_size(struct msgv *v, size_t i)
{
	size_t k;

	if (v->psize == NULL) {
		v->psize = xcalloc(v->tree->nparts ? v->tree->nparts : 1, sizeof *v->psize);
		for (k = 0; k < v->tree->nparts; k++)
			v->psize[k] =
			        v->tree->parts[k]->kind == MB_PART_SINGLE
			                ? mb_mime_part_decoded_size(v->tree, v->tree->parts[k])
			                : SIZE_MAX;
	}
	return v->psize[i];
}

static void
build_message(struct ui *ui, struct msgv *v)
{
	struct ui_doc *d = &v->docs[TAB_MESSAGE];
	struct mb_buf b = MB_BUF_INIT;
	char when[64], sz[16];
	time_t t = v->sum.date;
	struct tm tm;
	size_t i, start, n = 0;

	if (t > 0) {
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S %z", &tm);
		header_line(d, "Date:", when);
	} else {
		header_line(d, "Date:", v->sum.date_raw[0] ? v->sum.date_raw : "(none)");
	}
	header_line(d, "From:", v->sum.from[0] ? v->sum.from : "(none)");
	header_line(d, "Reply-To:", v->sum.reply_to);
	header_line(d, "To:", v->sum.to);
	header_line(d, "Cc:", v->sum.cc);
	header_line(d, "Subject:", v->sum.subject[0] ? v->sum.subject : "(no subject)");
	for (i = 0; i < v->tree->nparts; i++) {
		const struct mb_mime_part *p = v->tree->parts[i];
		char *id;

		if (!mb_mime_part_is_attachment(p))
			continue;
		id = mb_mime_part_id(p);
		ui_doc_addf(d, UI_E_HEADER_NAME, "%-10s", n++ == 0 ? "Attached:" : "");
		ui_doc_indent(d, 10);
		ui_fmt_size((int64_t)part_size(v, i), sz, sizeof sz);
		ui_doc_add_net(d, UI_E_ATTACHMENT, p->filename ? p->filename : "(no name)",
		               strlen(p->filename ? p->filename : "(no name)"), MB_SANITIZE_LINE);
		ui_doc_addf(d, UI_E_DIM, "  %s/%s, %s, part %s", p->type, p->subtype, sz,
		            id[0] ? id : "root");
		ui_doc_newline(d);
		free(id);
	}
	if (n > 0) {
		ui_doc_adds(d, UI_E_DIM, "          (2: the parts; s saves one)");
		ui_doc_newline(d);
	}
	ui_doc_newline(d);
	mb_sanitize_add(&b, v->sum.body_text, v->sum.body_len, MB_SANITIZE_TEXT);
	for (start = 0, i = 0; i <= b.len; i++) {
		if (i < b.len && b.data[i] != '\n')
			continue;
		ui_doc_add(d, b.data[start] == '>' && i > start ? UI_E_QUOTE : UI_E_NORMAL,
		           b.data + start, i - start);
		ui_doc_newline(d);
		start = i + 1;
	}
	if (v->sum.body_len == 0) {
		ui_doc_adds(d, UI_E_DIM, "(no text in this message: see its parts, 2)");
		ui_doc_newline(d);
	}
	if (v->sum.body_truncated) {
		ui_doc_adds(d, UI_E_WARN,
		            "(the text is cut here: the raw source, 3, has all of it)");
		ui_doc_newline(d);
	}
	mb_buf_release(&b);
	(void)ui;
}

/* One row of the parts tab. */
static void
part_row(struct ui *ui, struct msgv *v, size_t i, struct mb_buf *out)
{
	const struct mb_mime_part *p = v->tree->parts[i];
	char *id = mb_mime_part_id(p), sz[16], type[80];

	snprintf(type, sizeof type, "%s/%s", p->type, p->subtype);
	mb_buf_addf(out, "%*s%-6s %-26s", (int)(p->depth > 8 ? 16 : p->depth * 2), "",
	            id[0] ? id : "root", type);
	if (p->kind == MB_PART_SINGLE) {
		ui_fmt_size((int64_t)part_size(v, i), sz, sizeof sz);
		mb_buf_addf(out, " %-16s %-12s %6s", cte_name(p->cte),
		            p->charset ? p->charset : "-", sz);
	} else if (p->kind == MB_PART_MULTIPART) {
		mb_buf_addf(out, " (%zu part%s)", p->nchildren, p->nchildren == 1 ? "" : "s");
	} else if (p->kind == MB_PART_LIMIT) {
		mb_buf_addstr(out, " (not parsed: a limit was reached)");
	}
	if (p->filename != NULL) {
		mb_buf_addstr(out, "  ");
		mb_sanitize_add(out, p->filename, strlen(p->filename), MB_SANITIZE_LINE);
	}
	if (mb_mime_part_is_attachment(p))
		mb_buf_addstr(out, " [attachment]");
	if (p->flags & MB_PART_BAD_MULTIPART)
		mb_buf_addstr(out, " [broken multipart: read as text]");
	if (p->flags & MB_PART_UNCLOSED)
		mb_buf_addstr(out, " [never closed]");
	free(id);
	(void)ui;
}

/* Add one raw line: controls as ^X in the ctrl colour, then its line end. */
static void
raw_line(struct ui *ui, struct ui_doc *d, const char *s, size_t len, int eol)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i = 0, j;
	char ctl[3];

	while (i < len) {
		for (j = i; j < len && (unsigned char)s[j] >= 0x20 && s[j] != 0x7f; j++)
			;
		if (j > i) {
			mb_buf_reset(&b);
			mb_sanitize_add(&b, s + i, j - i, MB_SANITIZE_LINE);
			ui_doc_add(d, UI_E_NORMAL, b.data, b.len);
			i = j;
			continue;
		}
		ctl[0] = '^';
		ctl[1] = s[i] == 0x7f ? '?' : (char)(s[i] + '@');
		ctl[2] = '\0';
		ui_doc_adds(d, UI_E_CTRL, ctl);
		i++;
	}
	if (eol == 2)
		ui_doc_adds(d, UI_E_EOL, ui_sym(ui, "\xe2\x90\x8d\xe2\x90\x8a", "<CR><LF>"));
	else if (eol == 1)
		ui_doc_adds(d, UI_E_CTRL, ui_sym(ui, "\xe2\x90\x8a", "<LF>"));
	else
		ui_doc_adds(d, UI_E_DIM, " (no line end)");
	ui_doc_newline(d);
	mb_buf_release(&b);
}

static void
build_raw(struct ui *ui, struct msgv *v)
{
	struct ui_doc *d = &v->docs[TAB_RAW];
	size_t len = v->raw.len < RAW_SHOWN_MAX ? v->raw.len : RAW_SHOWN_MAX, i = 0, e, n;
	const char *s = v->raw.data;
	char sz[16];

	ui_fmt_size((int64_t)v->raw.len, sz, sizeof sz);
	ui_doc_addf(d, UI_E_DIM,
	            "%zu bytes (%s) as stored; line ends: %s = CR LF, %s = a bare LF; "
	            "^X = a control character",
	            v->raw.len, sz, ui_sym(ui, "\xe2\x90\x8d\xe2\x90\x8a", "<CR><LF>"),
	            ui_sym(ui, "\xe2\x90\x8a", "<LF>"));
	ui_doc_newline(d);
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);

		e = nl != NULL ? (size_t)(nl - s) : len;
		n = e - i;
		if (nl != NULL && n > 0 && s[e - 1] == '\r')
			raw_line(ui, d, s + i, n - 1, 2);
		else
			raw_line(ui, d, s + i, n, nl != NULL ? 1 : 0);
		i = e + 1;
	}
	if (v->raw.len > len) {
		ui_doc_addf(d, UI_E_WARN, "(%zu more bytes not shown)", v->raw.len - len);
		ui_doc_newline(d);
	}
}

static void
fmt_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, size, "(no time)");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S %z", &tm);
}

static void
trace_field(struct ui_doc *d, const char *label, const char *value, int ind)
{
	if (value == NULL)
		return;
	ui_doc_addf(d, UI_E_HEADER_NAME, "%*s%-6s", ind, "", label);
	ui_doc_indent(d, ind + 6);
	ui_doc_add_net(d, UI_E_HEADER_VALUE, value, strlen(value), MB_SANITIZE_LINE);
	ui_doc_newline(d);
}

static void
explain(struct ui_doc *d, int ind, const char *text)
{
	ui_doc_addf(d, UI_E_DIM, "%*s", ind, "");
	ui_doc_indent(d, ind);
	ui_doc_adds(d, UI_E_DIM, text);
	ui_doc_newline(d);
}

static void
build_trace(struct ui *ui, struct msgv *v)
{
	struct ui_doc *d = &v->docs[TAB_TRACE];
	const struct mb_trace *tr = &v->sum.trace;
	const struct mb_received *r, *prev = NULL;
	char when[64];
	size_t i, hop;

	ui_doc_adds(d, UI_E_PANE_TITLE,
	            "The delivery trace: the envelope as the receiving "
	            "servers recorded it");
	ui_doc_newline(d);
	ui_doc_newline(d);
	ui_doc_adds(d, UI_E_HEADER_NAME, "Return-Path   ");
	ui_doc_indent(d, 14);
	if (tr->return_path != NULL) {
		ui_doc_adds(d, UI_E_HEADER_VALUE, "<");
		ui_doc_add_net(d, UI_E_HEADER_VALUE, tr->return_path, strlen(tr->return_path),
		               MB_SANITIZE_LINE);
		ui_doc_adds(d, UI_E_HEADER_VALUE, ">");
	} else {
		ui_doc_adds(d, UI_E_WARN, "(none)");
	}
	ui_doc_newline(d);
	explain(d, 14,
	        tr->return_path == NULL
	                ? "no Return-Path: no server recorded the envelope sender (not delivered "
	                  "by SMTP, or saved from a Sent folder)"
	        : tr->return_path[0] == '\0'
	                ? "MAIL FROM:<> - the null sender of bounces and auto-replies"
	                : "the envelope sender (MAIL FROM) the last server saw; bounces go there");
	for (i = 0; i < tr->ndelivered_to; i++) {
		ui_doc_adds(d, UI_E_HEADER_NAME, "Delivered-To  ");
		ui_doc_indent(d, 14);
		ui_doc_add_net(d, UI_E_HEADER_VALUE, tr->delivered_to[i],
		               strlen(tr->delivered_to[i]), MB_SANITIZE_LINE);
		ui_doc_newline(d);
	}
	if (tr->ndelivered_to == 0) {
		ui_doc_adds(d, UI_E_HEADER_NAME, "Delivered-To  ");
		ui_doc_adds(d, UI_E_DIM, "(none)");
		ui_doc_newline(d);
	}
	explain(d, 14, "the envelope recipient (RCPT TO) this copy was delivered for");
	ui_doc_newline(d);
	ui_doc_addf(d, UI_E_PANE_TITLE, "Received hops, oldest first (%zu)", tr->nreceived);
	ui_doc_newline(d);
	explain(d, 2,
	        "each server adds a Received line on top, so the headers read bottom-up; "
	        "here hop 1 is the first server");
	for (hop = 1, i = tr->nreceived; i > 0; i--, hop++) {
		r = &tr->received[i - 1];
		fmt_time(r->date, when, sizeof when);
		ui_doc_addf(d, UI_E_SUBJECT, "%2zu  %s", hop, when);
		if (prev != NULL && prev->date > 0 && r->date > 0)
			ui_doc_addf(d, r->date < prev->date ? UI_E_WARN : UI_E_DIM, "  (%+lld s)",
			            (long long)(r->date - prev->date));
		ui_doc_newline(d);
		trace_field(d, "from", r->from, 4);
		trace_field(d, "by", r->by, 4);
		trace_field(d, "via", r->via, 4);
		trace_field(d, "with", r->with, 4);
		trace_field(d, "id", r->id, 4);
		trace_field(d, "for", r->for_, 4);
		if (r->from == NULL && r->by == NULL)
			trace_field(d, "raw", r->raw, 4);
		prev = r;
	}
	if (tr->nreceived == 0)
		explain(d, 4, "(no Received line: the message never passed a mail server)");
	ui_doc_newline(d);
	ui_doc_addf(d, UI_E_PANE_TITLE, "Authentication-Results (%zu)", tr->nauth_results);
	ui_doc_newline(d);
	for (i = 0; i < tr->nauth_results; i++) {
		ui_doc_adds(d, UI_E_NORMAL, "    ");
		ui_doc_indent(d, 4);
		ui_doc_add_net(d, UI_E_HEADER_VALUE, tr->auth_results[i],
		               strlen(tr->auth_results[i]), MB_SANITIZE_LINE);
		ui_doc_newline(d);
	}
	if (tr->nauth_results == 0)
		explain(d, 4, "(none: no server on the way recorded SPF, DKIM or DMARC checks)");
	(void)ui;
}

static void
build(struct ui *ui, struct msgv *v, enum tab t)
{
	if (v->built[t])
		return;
	v->built[t] = true;
	switch (t) {
	case TAB_MESSAGE:
		build_message(ui, v);
		break;
	case TAB_RAW:
		build_raw(ui, v);
		break;
	case TAB_TRACE:
		build_trace(ui, v);
		break;
	default:
		break;
	}
}

/* ---- a part's content ------------------------------------------------------------------- */

static void
view_part(struct ui *ui, struct msgv *v)
{
	const struct mb_mime_part *p;
	struct mb_buf b = MB_BUF_INIT, html = MB_BUF_INIT;
	char *text, sz[16];
	size_t len;

	if (v->parts.cur >= v->tree->nparts)
		return;
	p = v->tree->parts[v->parts.cur];
	ui_doc_release(&v->partdoc);
	ui_doc_init(&v->partdoc);
	if (p->kind != MB_PART_SINGLE) {
		ui_msg(ui, "a container part: its children are listed below it");
		return;
	}
	if (strcmp(p->type, "text") == 0) {
		mb_mime_part_text(v->tree, p, &b);
		if (strcmp(p->subtype, "html") == 0) {
			text = mb_html_to_text(b.data, b.len, &len);
			ui_doc_adds(&v->partdoc, UI_E_DIM, "(HTML shown as text)");
			ui_doc_newline(&v->partdoc);
			ui_doc_add_net(&v->partdoc, UI_E_NORMAL, text, len, MB_SANITIZE_TEXT);
			free(text);
		} else {
			ui_doc_add_net(&v->partdoc, UI_E_NORMAL, b.data, b.len, MB_SANITIZE_TEXT);
		}
	} else {
		ui_fmt_size((int64_t)part_size(v, v->parts.cur), sz, sizeof sz);
		ui_doc_addf(&v->partdoc, UI_E_DIM,
		            "%s/%s, %s: not text. s saves it to a directory, 3 shows its encoded "
		            "form in the source.",
		            p->type, p->subtype, sz);
	}
	ui_doc_newline(&v->partdoc);
	v->viewing = true;
	mb_buf_release(&b);
	mb_buf_release(&html);
}

/* ---- saving a part ---------------------------------------------------------------------- */

/* "name-N.ext" for the N-th try. */
static char *
numbered(const char *name, int n)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name)
		return xasprintf("%s-%d", name, n);
	return xasprintf("%.*s-%d%s", (int)(dot - name), name, n, dot);
}

struct save_ctx {
	struct ui_screen *s;
	size_t part;
};

static void
save_to(struct ui *ui, void *ctx, const char *dir)
{
	struct save_ctx *c = ctx;
	struct msgv *v = c->s->priv;
	const struct mb_mime_part *p = v->tree->parts[c->part];
	const char *home = getenv("HOME");
	struct mb_buf data = MB_BUF_INIT;
	char *path, *base, *name = NULL, type[80], *shown;
	int dfd, fd = -1, n;

	if (dir == NULL || dir[0] == '\0') {
		free(c);
		return;
	}
	if (strncmp(dir, "~/", 2) == 0 && home != NULL)
		path = xasprintf("%s/%s", home, dir + 2);
	else
		path = xstrdup(dir);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ui_error(ui, "cannot open the directory '%s': %s", path, strerror(errno));
		goto out;
	}
	snprintf(type, sizeof type, "%s/%s", p->type, p->subtype);
	base = mb_filename_safe(p->filename, type, (unsigned)c->part);
	/* inside the directory only, never through a link, never over a file */
	for (n = 0; n < SAVE_TRIES && fd < 0; n++) {
		free(name);
		name = n == 0 ? xstrdup(base) : numbered(base, n);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	free(base);
	close(dfd);
	shown = mb_sanitize(name, MB_SANITIZE_LINE);
	if (fd < 0) {
		ui_error(ui, "cannot create '%s' in '%s': %s", shown, path, strerror(errno));
		free(shown);
		goto out;
	}
	mb_mime_part_decode(v->tree, p, &data);
	if (mb_write_all(fd, data.data, data.len) < 0 || close(fd) < 0)
		ui_error(ui, "cannot write '%s' in '%s': %s", shown, path, strerror(errno));
	else
		ui_msg(ui, "saved '%s' (%zu bytes) in '%s'", shown, data.len, path);
	free((char *)ui->save_dir);
	ui->save_dir = xstrdup(path);
	free(shown);
	mb_buf_release(&data);
out:
	free(name);
	free(path);
	free(c);
}

static void
save_prompt(struct ui *ui, struct ui_screen *s, size_t part)
{
	struct msgv *v = s->priv;
	const struct mb_mime_part *p = v->tree->parts[part];
	const char *home = getenv("HOME");
	struct save_ctx *c;
	char *label, *safe, *def, type[80];
	struct stat sb;

	if (p->kind != MB_PART_SINGLE) {
		ui_msg(ui, "choose a part with content (not a container) to save");
		return;
	}
	snprintf(type, sizeof type, "%s/%s", p->type, p->subtype);
	safe = mb_filename_safe(p->filename, type, (unsigned)part);
	label = xasprintf("Save '%s' to directory", safe);
	if (ui->save_dir != NULL)
		def = xstrdup(ui->save_dir);
	else if (home != NULL && (def = xasprintf("%s/Downloads", home)) != NULL &&
	         !(stat(def, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		free(def);
		def = xstrdup(home);
	} else if (home == NULL) {
		def = xstrdup(".");
	}
	c = xcalloc(1, sizeof *c);
	c->s = s;
	c->part = part;
	ui_prompt(ui, label, def, UI_PROMPT_PATH, save_to, NULL, c);
	free(def);
	free(label);
	free(safe);
}

/* ---- the screen ------------------------------------------------------------------------- */

static void
draw_tabs(struct ui *ui, WINDOW *w, int width, enum tab cur)
{
	int x = 0, i;
	char buf[32];

	ui_set(ui, w, UI_E_TAB);
	ui_fill(w, 0, 0, width);
	for (i = 0; i < NTABS; i++) {
		snprintf(buf, sizeof buf, " %d %s ", i + 1, tab_names[i]);
		ui_set(ui, w, i == (int)cur ? UI_E_TAB_ACTIVE : UI_E_TAB);
		x += ui_puts(ui, w, 0, x, buf, width - x);
		ui_set(ui, w, UI_E_TAB);
		x += ui_puts(ui, w, 0, x, " ", width - x);
	}
	ui_set(ui, w, UI_E_NORMAL);
}

static void
draw_parts(struct ui *ui, struct ui_screen *s, WINDOW *w, int y, int h, int width)
{
	struct msgv *v = s->priv;
	struct mb_buf b = MB_BUF_INIT;
	int r;
	size_t i;

	if (v->viewing) {
		ui_set(ui, w, UI_E_DIM);
		ui_fill(w, y, 0, width);
		ui_puts(ui, w, y, 0, " the selected part (q or Esc: back to the list of parts)",
		        width);
		v->page = h - 1;
		ui_doc_draw(ui, &v->partdoc, w, y + 1, 1, h - 1, width - 2);
		return;
	}
	ui_set(ui, w, UI_E_COLUMN);
	ui_fill(w, y, 0, width);
	ui_puts(ui, w, y, 1,
	        "part   type                       encoding         charset        size",
	        width - 1);
	v->page = h - 1;
	v->parts.n = v->tree->nparts;
	ui_list_fit(&v->parts, v->page);
	for (r = 0; r < v->page && v->parts.top + (size_t)r < v->tree->nparts; r++) {
		i = v->parts.top + (size_t)r;
		mb_buf_reset(&b);
		part_row(ui, v, i, &b);
		ui_set(ui, w,
		       i == v->parts.cur                               ? UI_E_SELECTED
		       : mb_mime_part_is_attachment(v->tree->parts[i]) ? UI_E_ATTACHMENT
		                                                       : UI_E_NORMAL);
		ui_fill(w, y + 1 + r, 0, width);
		ui_puts(ui, w, y + 1 + r, 1, b.data, width - 1);
	}
	if (v->tree->nskipped > 0 && r < v->page) {
		ui_set(ui, w, UI_E_WARN);
		mb_buf_reset(&b);
		mb_buf_addf(&b, "%zu more parts not parsed (limit)", v->tree->nskipped);
		ui_puts(ui, w, y + 1 + r, 1, b.data, width - 1);
	}
	ui_set(ui, w, UI_E_NORMAL);
	mb_buf_release(&b);
}

static void
msg_draw(struct ui_screen *s, struct ui *ui, WINDOW *w)
{
	struct msgv *v = s->priv;
	int h, wd;

	getmaxyx(w, h, wd);
	draw_tabs(ui, w, wd, v->tab);
	if (v->tab == TAB_PARTS) {
		draw_parts(ui, s, w, 1, h - 1, wd);
		return;
	}
	build(ui, v, v->tab);
	v->page = h - 1;
	ui_doc_draw(ui, &v->docs[v->tab], w, 1, 1, h - 1, wd - 2);
}

static void
msg_title(struct ui_screen *s, struct ui *ui, struct mb_buf *out)
{
	struct msgv *v = s->priv;
	char *subj = mb_sanitize(v->sum.subject, MB_SANITIZE_LINE);

	mb_buf_addf(out, "message %s %s", ui_sym(ui, "\xc2\xb7", "-"),
	            subj[0] ? subj : "(no subject)");
	free(subj);
}

/* The stored transcript of the session that fetched (or sent) this message. */
static void
open_session(struct ui *ui, struct msgv *v)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_session_list l;
	struct mb_store_account_list al;
	const char *acct = NULL;
	int64_t at = v->msg.fetched_at * 1000000;
	size_t i;
	struct mb_session linked;

	/* the cache names the session (messages fetched since schema 3) */
	if (v->msg.session_id != 0 &&
	    mb_store_session_get(ui->st, v->msg.session_id, &linked, &err) == 0) {
		mb_session_release(&linked);
		ui_tpane_load_session(ui, v->msg.session_id);
		return;
	}
	/* else the session of this account that ran when the message was stored */
	if (mb_store_account_list(ui->st, &al, &err) == 0) {
		for (i = 0; i < al.n; i++)
			if (al.v[i].id == v->msg.account_id)
				acct = al.v[i].name;
	}
	if (acct == NULL || mb_store_session_list(ui->st, 0, 500, &l, &err) < 0) {
		if (acct != NULL)
			mb_store_account_list_release(&al);
		ui_tpane_pick_session(ui, 0);
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct mb_session *se = &l.v[i];

		if (se->protocol == MB_STORE_SMTP || strcmp(se->account, acct) != 0)
			continue;
		/* the session that was running when the message was stored */
		if (se->started_us <= at + 1000000 &&
		    (se->ended_us == 0 || se->ended_us + 1000000 >= at))
			break;
	}
	if (i < l.n) {
		ui_tpane_load_session(ui, l.v[i].id);
	} else {
		ui_msg(ui, "no stored session fetched this message (it came from elsewhere): "
		           "pick one");
		ui_tpane_pick_session(ui, 0);
	}
	mb_session_list_release(&l);
	mb_store_account_list_release(&al);
}

static int
reply(struct ui *ui, struct msgv *v, enum ui_compose_kind kind)
{
	struct ui_compose_prefill p;
	struct mb_error err = MB_ERROR_INIT;

	if (ui_reply_prefill(ui, v->id, kind, &p, &err) < 0)
		ui_error_from(ui, "cannot read the message", &err);
	else
		ui_compose_open(ui, &p);
	return UI_DONE;
}

static int
first_attachment(const struct msgv *v)
{
	size_t i;

	for (i = 0; i < v->tree->nparts; i++)
		if (mb_mime_part_is_attachment(v->tree->parts[i]))
			return (int)i;
	return -1;
}

static int
msg_key(struct ui_screen *s, struct ui *ui, int key)
{
	struct msgv *v = s->priv;
	int a;

	if (v->viewing && (key == 'q' || key == UI_K_ESC)) {
		v->viewing = false;
		return UI_DIRTY;
	}
	if (key >= '1' && key < '1' + NTABS) {
		v->tab = (enum tab)(key - '1');
		v->viewing = false;
		return UI_DIRTY;
	}
	switch (key) {
	case UI_K_LEFT:
	case 'h':
		v->tab = (enum tab)((v->tab + NTABS - 1) % NTABS);
		v->viewing = false;
		return UI_DIRTY;
	case UI_K_RIGHT:
	case 'l':
		v->tab = (enum tab)((v->tab + 1) % NTABS);
		v->viewing = false;
		return UI_DIRTY;
	case 'r':
		return reply(ui, v, UI_COMPOSE_REPLY);
	case 'A':
		return reply(ui, v, UI_COMPOSE_REPLY_ALL);
	case 'f':
		return reply(ui, v, UI_COMPOSE_FORWARD);
	case 'e':
		ui_envelope_open_msg(ui, v->id);
		return UI_DONE;
	case 'T':
		open_session(ui, v);
		return UI_DONE;
	case 's':
		if (v->tab == TAB_PARTS && !v->viewing) {
			save_prompt(ui, s, v->parts.cur);
			return UI_DIRTY;
		}
		a = first_attachment(v);
		if (v->tab == TAB_PARTS && v->viewing)
			a = (int)v->parts.cur;
		if (a < 0) {
			ui_msg(ui, "no attachment: choose a part in the Parts tab (2), then s");
			return UI_DONE;
		}
		v->tab = TAB_PARTS;
		v->viewing = false;
		v->parts.cur = (size_t)a;
		save_prompt(ui, s, (size_t)a);
		return UI_DIRTY;
	default:
		break;
	}
	if (v->tab == TAB_PARTS && !v->viewing) {
		if (ui_key_is_enter(key)) {
			view_part(ui, v);
			return UI_DIRTY;
		}
		return ui_list_key(&v->parts, key, v->page);
	}
	if (v->tab == TAB_PARTS)
		return ui_doc_key(&v->partdoc, key, v->page);
	return ui_doc_key(&v->docs[v->tab], key, v->page);
}

static int
msg_mouse(struct ui_screen *s, struct ui *ui, int y, int x, mmask_t bstate)
{
	struct msgv *v = s->priv;
	int i, cx = 0;
	char buf[32];

	if (y == 0 && (bstate & BUTTON1_PRESSED)) {
		for (i = 0; i < NTABS; i++) {
			snprintf(buf, sizeof buf, " %d %s  ", i + 1, tab_names[i]);
			if (x >= cx && x < cx + (int)strlen(buf)) {
				v->tab = (enum tab)i;
				v->viewing = false;
				return UI_DIRTY;
			}
			cx += (int)strlen(buf);
		}
		return UI_DONE;
	}
	if (v->tab == TAB_PARTS && !v->viewing && (bstate & BUTTON1_PRESSED) && y >= 2 &&
	    v->parts.top + (size_t)(y - 2) < v->tree->nparts) {
		v->parts.cur = v->parts.top + (size_t)(y - 2);
		return UI_DIRTY;
	}
	return UI_PASS;
}

static void
msg_free(struct ui_screen *s)
{
	struct msgv *v = s->priv;
	int t;

	for (t = 0; t < NTABS; t++)
		ui_doc_release(&v->docs[t]);
	ui_doc_release(&v->partdoc);
	free(v->psize);
	mb_mime_free(v->tree);
	mb_summary_release(&v->sum);
	mb_buf_release(&v->raw);
	mb_msg_release(&v->msg);
	free(v);
}

static const struct ui_screen_ops msg_ops = {
        .name = "Message",
        .hints = "1-4:tabs r:reply e:envelope",
        .nfocus = 1,
        .draw = msg_draw,
        .key = msg_key,
        .mouse = msg_mouse,
        .title = msg_title,
        .keys = msg_keys,
        .free = msg_free,
};

int
ui_message_open(struct ui *ui, int64_t msg_id)
{
	struct mb_error err = MB_ERROR_INIT;
	struct msgv *v = xcalloc(1, sizeof *v);
	int t;

	v->id = msg_id;
	mb_buf_init(&v->raw);
	if (mb_store_msg_get(ui->st, msg_id, &v->msg, &err) < 0 ||
	    mb_store_msg_raw(ui->st, msg_id, &v->raw, &err) < 0) {
		ui_error_from(ui, "cannot open the message", &err);
		mb_buf_release(&v->raw);
		free(v);
		return -1;
	}
	v->tree = mb_mime_parse(v->raw.data, v->raw.len);
	mb_summary_parse(&v->sum, v->raw.data, v->raw.len);
	for (t = 0; t < NTABS; t++)
		ui_doc_init(&v->docs[t]);
	ui_doc_init(&v->partdoc);
	v->docs[TAB_RAW].nowrap = false;
	ui_screen_push(ui, &msg_ops, v);
	return 0;
}
