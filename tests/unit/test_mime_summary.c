/* Unit tests: src/mime/summary.c and trace.c, on fixtures in tests/unit/data/mime/. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "tap.h"

static struct mb_buf raw = MB_BUF_INIT;
static struct mb_summary s;

/* Load a fixture into raw and summarise it into s. */
static int
load(const char *name)
{
	char path[1024];
	char chunk[4096];
	FILE *f;
	size_t n;

	mb_summary_release(&s);
	mb_buf_reset(&raw);
	snprintf(path, sizeof(path), "%s/tests/unit/data/mime/%s", MB_SRCDIR, name);
	if ((f = fopen(path, "rb")) == NULL) {
		ok(0, "open fixture %s", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mb_buf_add(&raw, chunk, n);
	fclose(f);
	mb_summary_parse(&s, raw.data, raw.len);
	ok(mb_utf8_valid(s.subject, strlen(s.subject)) && mb_utf8_valid(s.from, strlen(s.from)) &&
	           mb_utf8_valid(s.body_text, s.body_len),
	   "%s: strings are UTF-8", name);
	return 0;
}

static void
test_empty(void)
{
	mb_summary_parse(&s, NULL, 0);
	is_str(s.subject, "", "NULL message: empty subject");
	is_str(s.from, "", "NULL message: empty from");
	is_int(s.date, 0, "NULL message: no date");
	is_int(s.body_len, 0, "NULL message: no body");
	ok(!s.has_attachments, "NULL message: no attachments");
	is_int(s.trace.nreceived, 0, "NULL message: no trace");
	mb_summary_release(&s);
	mb_summary_release(NULL);
	if (load("crlf-only.eml") == 0) {
		is_str(s.subject, "", "only CRLF: empty subject");
		is_str(s.body_text, "", "only CRLF: empty body");
	}
	if (load("headerless.eml") == 0) {
		is_str(s.subject, "", "header-less: no subject");
		is_str(s.body_text, "Just some text\nwith no header block at all.\n",
		       "header-less: everything is body");
	}
}

static void
test_trace_fixture(void)
{
	const struct mb_received *r;

	if (load("trace-latin1.eml") < 0)
		return;
	is_str(s.subject, "Caf\xc3\xa9 cr\xc3\xa8me et g\xc3\xa2teau", "folded ISO-8859-1 subject");
	is_str(s.from, "Ren\xc3\xa9 Dupont <rene@example.org>", "decoded From");
	is_str(s.from_addr, "rene@example.org", "From addr-spec");
	is_str(s.to, "course: alice@lab.example, \"Bob, B.\" <bob@lab.example>;", "group in To");
	is_str(s.cc,
	       "Miros\xc5\x82"
	       "aw <m@example.org>",
	       "UTF-8 B name in Cc");
	is_str(s.reply_to, "", "no Reply-To");
	is_int(s.date, 1057049557, "date");
	is_str(s.date_raw, "Tue, 1 Jul 2003 10:52:37 +0200", "raw date");
	is_str(s.message_id, "<msg-1@example.org>", "Message-ID");
	is_str(s.in_reply_to, "<parent@example.org>", "In-Reply-To without its comment");
	is_str(s.references, "<root@example.org> <parent@example.org>", "References");
	ok(!s.has_attachments, "no attachments");
	is_str(s.body_text,
	       "Bonjour \xc3\xa0 tous,\nvoici le g\xc3\xa2teau promis. Une ligne tr\xc3\xa8s "
	       "longue "
	       "qui est coup\xc3\xa9"
	       "e en deux.\n",
	       "QP Latin-1 body to UTF-8 with LF");
	is_str(s.trace.return_path, "bounce+123@lists.example.org", "Return-Path");
	is_int(s.trace.ndelivered_to, 2, "two Delivered-To");
	is_str(s.trace.delivered_to[1], "alias@lab.example", "Delivered-To order");
	is_int(s.trace.nreceived, 3, "three Received");
	r = &s.trace.received[0];
	is_str(r->from, "mx.lab.example (mx.lab.example [192.0.2.10])", "Received 1 from");
	is_str(r->by, "imap.lab.example (Postfix)", "Received 1 by");
	is_str(r->with, "ESMTPS", "Received 1 with");
	is_str(r->id, "4ABC123", "Received 1 id");
	is_str(r->for_, "<student@lab.example>", "Received 1 for");
	is_int(r->date, 1057049560, "Received 1 date");
	r = &s.trace.received[1];
	is_str(r->by, "mx.lab.example (Postfix)", "Received 2 folded 'by'");
	is_str(r->for_, NULL, "Received 2 no 'for'");
	r = &s.trace.received[2];
	is_str(r->from, NULL, "Received 3 (qmail comment) has no clauses");
	is_int(r->date, 1057049558, "Received 3 date");
	like(r->raw, "qmail 4242", "Received 3 raw kept");
	is_int(s.trace.nauth_results, 1, "Authentication-Results");
	is_str(s.trace.auth_results[0],
	       "mx.lab.example; spf=pass smtp.mailfrom=lists.example.org; dkim=none",
	       "Authentication-Results unfolded");
}

static void
test_html_fixture(void)
{
	if (load("html-only.eml") < 0)
		return;
	is_str(s.body_text,
	       "Hello & welcome to the \xe2\x80\x9clab\xe2\x80\x9d.\n\n- SMTP\n- IMAP\n\n"
	       "notes <https://lab.example/notes>",
	       "HTML-only body converted (cp1252 quotes, list, link)");
	ok(s.has_attachments, "PDF attachment");
	is_int(s.nattachments, 1, "one attachment");
	is_int(s.date, 1136239445, "date with -0700");
}

static void
test_nested_fixture(void)
{
	struct mb_mime_tree *t;
	const struct mb_mime_part *p;
	char *safe;

	if (load("nested.eml") < 0)
		return;
	is_str(s.subject,
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d",
	       "Shift_JIS subject");
	is_str(s.body_text, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e plain\n\nforwarded body",
	       "plain alternative (ISO-2022-JP) and the forwarded message; no HTML, no preamble");
	is_int(s.nattachments, 2, "executable and forwarded message");
	t = mb_mime_parse(raw.data, raw.len);
	is_int(t->nparts, 9, "nine parts");
	p = t->parts[4];
	is_str(p->type, "text", "part 4 is the HTML");
	is_str(p->subtype, "html", "part 4 subtype");
	p = t->parts[5];
	is_str(p->content_id, "logo@x", "inline image Content-ID");
	ok(!mb_mime_part_is_attachment(p), "inline image of an HTML body is no attachment");
	p = t->parts[6];
	is_str(p->filename,
	       "\xe2\x80\xae"
	       "fdp.exe",
	       "RFC 2231 continued filename decoded");
	safe = mb_filename_safe(p->filename, NULL, 6);
	is_str(safe, "fdp.exe", "saved without the RLO");
	free(safe);
	is_int(mb_mime_part_decoded_size(t, p), 57, "decoded size");
	mb_mime_free(t);
}

static void
test_hostile_fixture(void)
{
	char *shown;
	struct mb_mime_tree *t;

	if (load("hostile.eml") < 0)
		return;
	is_str(s.subject, "SAFE\rEVIL \x1b]52;c;ZXZpbA==\x07 \x1b[2J",
	       "decoded subject keeps the controls (for the sanitiser)");
	shown = mb_sanitize(s.subject, MB_SANITIZE_LINE);
	is_str(shown, "SAFE^MEVIL ^[]52;c;ZXZpbA==^G ^[[2J", "sanitised subject is inert");
	free(shown);
	shown = mb_sanitize(s.from, MB_SANITIZE_LINE);
	is_str(shown, "<U+202E>evil <boss@corp^H^H^H^Hevil.example>", "sanitised From is inert");
	free(shown);
	like(s.body_text, "caf\xc3\xa9", "bogus charset: fallback text");
	ok(s.has_attachments, "the .bashrc attachment");
	t = mb_mime_parse(raw.data, raw.len);
	is_int(t->nparts, 3, "boundary=\"\\\"\" parsed");
	shown = mb_filename_safe(t->parts[2]->filename, NULL, 2);
	is_str(shown, "bashrc", "../../.bashrc saved as bashrc");
	free(shown);
	mb_mime_free(t);
}

/* Raw 8-bit ids and trace text come out as UTF-8 (the fuzz_mime finding, generalised). */
static void
test_raw_8bit(void)
{
	const char *m = "Message-ID: <caf\xe9@x>\nReferences: <a\xff@x> <b@y>\n"
	                "Date: Tue, 1 Jul 2003 10:52:37 +0200 (\xe9t\xe9)\n"
	                "Received: from h\xe9 by x; Tue, 1 Jul 2003 10:52:37 +0200\n"
	                "Return-Path: <\xff@x>\nFrom: \xff\xff\n\nbody";

	mb_summary_release(&s);
	mb_summary_parse(&s, m, strlen(m));
	is_str(s.message_id, "<caf\xc3\xa9@x>", "8-bit Message-ID made UTF-8");
	is_str(s.references, "<a\xc3\xbf@x> <b@y>", "8-bit References made UTF-8");
	is_str(s.date_raw, "Tue, 1 Jul 2003 10:52:37 +0200 (\xc3\xa9t\xc3\xa9)",
	       "raw date made UTF-8");
	is_str(s.trace.received[0].from, "h\xc3\xa9", "Received clause made UTF-8");
	is_str(s.trace.return_path, "\xc3\xbf@x", "Return-Path made UTF-8");
	is_str(s.from, "\xc3\xbf\xc3\xbf", "From made UTF-8");
	is_int(s.date, 1057049557, "date with an 8-bit comment");
	mb_summary_release(&s);
}

static void
test_no_delimiter(void)
{
	const char *m = "Content-Type: multipart/alternative; boundary=never\n\nonly a preamble\n";

	mb_summary_release(&s);
	mb_summary_parse(&s, m, strlen(m));
	is_str(s.body_text, "only a preamble\n", "multipart without delimiters: body text kept");
	mb_summary_release(&s);
}

static void
test_cap(void)
{
	struct mb_buf m = MB_BUF_INIT;
	size_t i;

	mb_buf_addstr(&m, "Content-Type: text/plain; charset=utf-8\n\n");
	for (i = 0; i < 600000; i++)
		mb_buf_addstr(&m, "\xc3\xa9");
	mb_summary_release(&s);
	mb_summary_parse(&s, m.data, m.len);
	ok(s.body_truncated, "1.2 MB of text: truncated");
	ok(s.body_len <= MB_SUMMARY_MAX_TEXT, "at most the cap");
	ok(mb_utf8_valid(s.body_text, s.body_len), "cut on a character boundary");
	mb_summary_release(&s);
	mb_buf_release(&m);
}

int
main(void)
{
	test_empty();
	test_trace_fixture();
	test_html_fixture();
	test_nested_fixture();
	test_hostile_fixture();
	test_raw_8bit();
	test_no_delimiter();
	test_cap();
	mb_summary_release(&s);
	mb_buf_release(&raw);
	return done_testing();
}
