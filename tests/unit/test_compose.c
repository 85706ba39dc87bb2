/* Unit tests: the message builder (src/mime), address checks and DATA stuffing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailbench/addr.h"
#include "mailbench/base64.h"
#include "mailbench/compose.h"
#include "mailbench/smtp.h"
#include "mailbench/xalloc.h"
#include "tap.h"

/* Every line ends in CRLF, none is longer than max, no byte is 8-bit or NUL. */
static int
wire_clean(const char *p, size_t len, size_t max)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0 || c >= 0x80)
			return 0;
		if (c == '\r') {
			if (i + 1 >= len || p[i + 1] != '\n')
				return 0;
			i++;
			run = 0;
			continue;
		}
		if (c == '\n')
			return 0;
		if (++run > max)
			return 0;
	}
	return len >= 2 && p[len - 2] == '\r' && p[len - 1] == '\n';
}

static char *
header_block(const struct mb_built *m)
{
	const char *e = strstr(m->data, "\r\n\r\n");

	return xmemdup0(m->data, e ? (size_t)(e - m->data) + 2 : m->len);
}

static void
test_address_lists(void)
{
	struct mb_caddr_list l;
	struct mb_error err = MB_ERROR_INIT;

	is_int(mb_caddr_list_parse(NULL, &l, &err), 0, "NULL is an empty list");
	is_int((int)l.n, 0, "with no entries");
	is_int(mb_caddr_list_parse("", &l, &err), 0, "empty text");
	is_int(mb_caddr_list_parse("a@x, Bob <b@y>, \"Last, First\" <c@z>, d@w (Dee),", &l, &err),
	       0, "a mixed list parses");
	is_int((int)l.n, 4, "four entries (a trailing comma is fine)");
	if (l.n == 4) {
		is_str(l.v[0].addr, "a@x", "bare address");
		ok(l.v[0].name == NULL, "without a name");
		is_str(l.v[1].name, "Bob", "display name");
		is_str(l.v[1].addr, "b@y", "angle address");
		is_str(l.v[2].name, "Last, First", "quoted name with a comma");
		is_str(l.v[3].name, "Dee", "comment as name");
		is_str(l.v[3].addr, "d@w", "address before a comment");
	}
	mb_caddr_list_release(&l);
	is_int(mb_caddr_list_parse("a@x\r\nBcc: evil@x", &l, &err), -1,
	       "CRLF in a list is refused");
	like(err.msg, "line break", "saying why");
	is_int(mb_caddr_list_parse("Bob <b@y", &l, &err), -1, "unclosed angle refused");
	is_int(mb_caddr_list_parse("no-at-sign", &l, &err), -1, "an address without @ is refused");
	like(err.msg, "no '@domain'", "saying why");
	is_int(mb_caddr_list_parse("José <jose@exämple.org>", &l, &err), 0, "UTF-8 is allowed");
	mb_caddr_list_release(&l);
}

static void
test_addr_check(void)
{
	struct mb_error err = MB_ERROR_INIT;
	char longlocal[80];

	is_int(mb_addr_check("alice@lab.test", false, false, &err), 0, "plain address");
	is_int(mb_addr_check("", true, false, &err), 0, "null sender where allowed");
	is_int(mb_addr_check("", false, false, &err), -1, "null sender elsewhere");
	is_int(mb_addr_check("a@b>\r\nRCPT TO:<victim@x", false, false, &err), -1,
	       "command injection refused");
	like(err.msg, "\\r\\n", "the message shows the CR LF escaped");
	ok(strchr(err.msg, '\r') == NULL && strchr(err.msg, '\n') == NULL,
	   "and never holds a raw line break");
	is_int(mb_addr_check("a@b\n", false, false, &err), -1, "bare LF refused");
	is_int(mb_addr_check("<a@b>", false, false, &err), -1, "angle brackets refused");
	is_int(mb_addr_check("a b@c", false, false, &err), -1, "space refused");
	is_int(mb_addr_check("\"a b\"@c", false, false, &err), 0, "quoted space allowed");
	is_int(mb_addr_check("a@", false, false, &err), -1, "empty domain refused");
	is_int(mb_addr_check("@b", false, false, &err), -1, "empty local part refused");
	is_int(mb_addr_check("a@b..c", false, false, &err), -1, "empty label refused");
	is_int(mb_addr_check("a@[127.0.0.1]", false, false, &err), 0, "address literal allowed");
	memset(longlocal, 'x', 65);
	strcpy(longlocal + 65, "@b.c");
	is_int(mb_addr_check(longlocal, false, false, &err), -1, "65-octet local part refused");
	like(err.msg, "64", "citing the limit");
	is_int(mb_addr_check("jösé@example.org", false, false, &err), -1,
	       "UTF-8 without SMTPUTF8 refused");
	like(err.msg, "SMTPUTF8", "naming SMTPUTF8");
	is_int(mb_addr_check("jösé@example.org", false, true, &err), 0,
	       "UTF-8 with SMTPUTF8 allowed");
	is_int(mb_addr_check("a\xff@b", false, true, &err), -1, "invalid UTF-8 refused");
	is_int(mb_addr_check("a\x01@b", false, false, &err), -1, "control character refused");
}

static void
test_stuff(void)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_smtp_stuff(".\r\n..x\r\n.y\r\nz.\r\n", 16, &b);
	is_str(b.data, "..\r\n...x\r\n..y\r\nz.\r\n", "leading dots doubled once");
	mb_buf_reset(&b);
	mb_smtp_stuff("a\nb\rc\r\nd", 8, &b);
	is_str(b.data, "a\r\nb\r\nc\r\nd\r\n", "bare LF and CR become CRLF, a final CRLF is added");
	mb_buf_reset(&b);
	mb_smtp_stuff("x\n.\r\n", 5, &b);
	is_str(b.data, "x\r\n..\r\n", "a lone dot line can never end DATA early");
	mb_buf_reset(&b);
	mb_smtp_stuff("\n.\r", 3, &b);
	is_str(b.data, "\r\n..\r\n", "smuggling shapes are neutralised");
	mb_buf_reset(&b);
	mb_smtp_stuff("", 0, &b);
	is_str(b.data, "", "empty stays empty");
	mb_buf_release(&b);
	ok(mb_smtp_is_8bit("caf\xc3\xa9", 5), "8-bit detected");
	ok(!mb_smtp_is_8bit("cafe", 4), "7-bit detected");
}

static void
test_qp(void)
{
	struct mb_buf b = MB_BUF_INIT;
	char line[200];

	mb_qp_encode("a=b \r\nc\t\nd", 10, &b);
	is_str(b.data, "a=3Db=20\r\nc=09\r\nd", "= escaped, trailing white space escaped");
	mb_buf_reset(&b);
	mb_qp_encode("caf\xc3\xa9", 5, &b);
	is_str(b.data, "caf=C3=A9", "8-bit escaped");
	mb_buf_reset(&b);
	memset(line, 'a', 150);
	mb_qp_encode(line, 150, &b);
	ok(wire_clean(b.data, b.len, 76) || strstr(b.data, "=\r\n") != NULL,
	   "long lines get soft breaks");
	ok(strlen(b.data) > 150 && strchr(b.data, '\r') - b.data <= 76, "first line at most 76");
	mb_buf_release(&b);
}

static void
test_build_plain(void)
{
	struct mb_draft d = {0};
	struct mb_built m;
	struct mb_error err = MB_ERROR_INIT;
	char *h;

	d.from = "Alice <alice@lab.test>";
	d.to = "Bob <bob@lab.test>";
	d.cc = "carol@lab.test";
	d.bcc = "dave@lab.test";
	d.subject = "Lab 1";
	d.body = "Hello Bob,\n.\n..dots stay\nbye\n";
	d.date = 1700000000;
	is_int(mb_compose_build(&d, &m, &err), 0, "a plain message builds");
	h = header_block(&m);
	like(h, "From: Alice <alice@lab.test>\r\n", "From header");
	like(h, "To: Bob <bob@lab.test>\r\n", "To header");
	like(h, "Cc: carol@lab.test\r\n", "Cc header");
	unlike(m.data, "dave@lab.test", "the Bcc address is nowhere in the message");
	unlike(m.data, "Bcc", "nor a Bcc header");
	like(h, "Subject: Lab 1\r\n", "Subject header");
	like(h, "Date: ", "Date header");
	like(h, "Message-ID: <", "Message-ID header");
	like(h, "@lab.test>\r\n", "Message-ID in the From domain (no host name leaked)");
	like(h, "MIME-Version: 1.0\r\n", "MIME-Version");
	like(h, "Content-Type: text/plain; charset=utf-8\r\n", "Content-Type");
	like(h, "Content-Transfer-Encoding: 7bit\r\n", "ASCII text goes 7bit");
	like(m.data, "\r\n\r\nHello Bob,\r\n.\r\n..dots stay\r\nbye\r\n",
	     "the body as written, CRLF, not stuffed");
	ok(wire_clean(m.data, m.len, 998), "CRLF everywhere, 7-bit, lines <= 998");
	is_str(m.env_from, "alice@lab.test", "envelope sender from From");
	is_int((int)m.nrcpts, 3, "three envelope recipients");
	if (m.nrcpts == 3) {
		is_str(m.rcpts[0], "bob@lab.test", "To first");
		is_str(m.rcpts[1], "carol@lab.test", "then Cc");
		is_str(m.rcpts[2], "dave@lab.test", "then Bcc, envelope only");
	}
	free(h);
	mb_built_release(&m);

	/* the envelope set apart from the headers: how spoofing looks */
	{
		const char *env_to[] = {"eve@lab.test"};

		d.env_from = "boss@corp.example";
		d.env_to = env_to;
		d.nenv_to = 1;
		is_int(mb_compose_build(&d, &m, &err), 0, "an independent envelope builds");
		is_str(m.env_from, "boss@corp.example", "envelope sender as given");
		is_int((int)m.nrcpts, 1, "envelope recipients as given");
		like(m.data, "From: Alice <alice@lab.test>", "headers unchanged");
		mb_built_release(&m);
		d.env_from = "x@y\r\nRCPT TO:<z@w>";
		is_int(mb_compose_build(&d, &m, &err), -1,
		       "CRLF in the envelope sender is refused");
		d.env_from = NULL;
		d.env_to = NULL;
		d.nenv_to = 0;
	}
}

static void
test_build_refusals(void)
{
	struct mb_draft d = {0};
	struct mb_built m;
	struct mb_error err = MB_ERROR_INIT;

	d.from = "alice@lab.test";
	d.to = "bob@lab.test";
	d.subject = "hi\r\nBcc: victim@x";
	is_int(mb_compose_build(&d, &m, &err), -1, "CRLF in Subject refused");
	like(err.msg, "Subject", "naming the field");
	is_int(err.kind, MB_ERR_INPUT, "as bad input");
	d.subject = "hi\nX: y";
	is_int(mb_compose_build(&d, &m, &err), -1, "bare LF in Subject refused");
	d.subject = "ok";
	d.to = "bob@lab.test\r\n";
	is_int(mb_compose_build(&d, &m, &err), -1, "CRLF in To refused");
	d.to = NULL;
	is_int(mb_compose_build(&d, &m, &err), -1, "no recipient refused");
	like(err.msg, "no recipients", "saying so");
	d.to = "bob@lab.test";
	d.from = "a@x, b@y";
	is_int(mb_compose_build(&d, &m, &err), -1, "two From addresses refused");
	d.from = NULL;
	is_int(mb_compose_build(&d, &m, &err), -1, "no From refused");
	d.from = "alice@lab.test";
	d.in_reply_to = "<a@b>\r\nX-Evil: 1";
	is_int(mb_compose_build(&d, &m, &err), -1, "CRLF in In-Reply-To refused");
}

static void
test_build_utf8(void)
{
	struct mb_draft d = {0};
	struct mb_built m;
	struct mb_error err = MB_ERROR_INIT;
	char *h;
	char subject[600];
	int i;

	d.from = "José Müller <jose@lab.test>";
	d.to = "\"Doe, Jane\" <jane@lab.test>";
	d.subject = "Café — résumé ✓";
	d.body = "Grüße aus dem Labor\n";
	is_int(mb_compose_build(&d, &m, &err), 0, "a UTF-8 message builds");
	h = header_block(&m);
	like(h, "From: =?UTF-8?", "a UTF-8 display name is an encoded word");
	like(h, "<jose@lab.test>", "the address stays readable");
	like(h, "To: \"Doe, Jane\" <jane@lab.test>", "a name with a comma is quoted");
	like(h, "Subject: =?UTF-8?", "a UTF-8 subject is encoded");
	like(h, "quoted-printable", "UTF-8 text goes quoted-printable");
	like(m.data, "Gr=C3=BC=C3=9Fe aus dem Labor", "and is encoded");
	ok(wire_clean(m.data, m.len, 78), "all 7-bit, CRLF, lines <= 78");
	free(h);
	mb_built_release(&m);

	for (i = 0; i < 50; i++)
		memcpy(subject + i * 10, "Ünïcødé×  ", 10 + 0);
	subject[400] = '\0';
	d.subject = "A rather long subject line that goes on and on and on, well past "
	            "seventy-eight columns, really";
	is_int(mb_compose_build(&d, &m, &err), 0, "a long ASCII subject builds");
	ok(wire_clean(m.data, m.len, 78), "and is folded to 78 columns");
	like(m.data, "\r\n ", "with folding white space");
	mb_built_release(&m);
}

static void
test_build_parts(void)
{
	struct mb_draft d = {0};
	struct mb_built m;
	struct mb_error err = MB_ERROR_INIT;
	struct mb_attachment at[2];
	char path[] = "/tmp/mb-test-attach-XXXXXX";
	char dir[] = "/tmp/mb-test-dir-XXXXXX";
	char upath[300];
	FILE *f;
	int fd, i;
	struct mb_buf enc = MB_BUF_INIT;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	for (i = 0; i < 3000; i++)
		fputc(i % 256, f);
	fclose(f);
	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(upath, sizeof upath, "%s/résumé 2026.pdf", dir);
	f = fopen(upath, "w");
	fputs("%PDF-1.4 fake", f);
	fclose(f);

	d.from = "alice@lab.test";
	d.to = "bob@lab.test";
	d.subject = "parts";
	d.body = "see attached\n";
	d.html = "<p>see <b>attached</b></p>\n";
	at[0].path = path;
	at[0].name = "data.bin";
	at[0].mime_type = NULL;
	at[1].path = upath;
	at[1].name = NULL;
	at[1].mime_type = NULL;
	d.attachments = at;
	d.nattachments = 2;
	is_int(mb_compose_build(&d, &m, &err), 0, "text, HTML and attachments build");
	like(m.data, "Content-Type: multipart/mixed; boundary=", "multipart/mixed outside");
	like(m.data,
	     "Content-Type: multipart/alternative; boundary=", "multipart/alternative inside");
	like(m.data, "Content-Type: text/html; charset=utf-8", "the HTML part");
	like(m.data, "filename=\"data.bin\"", "an ASCII file name as is");
	like(m.data, "filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf",
	     "a UTF-8 file name per RFC 2231");
	like(m.data, "Content-Type: application/pdf", "type from the content");
	unlike(m.data, dir, "the directory of the file never appears");
	mb_base64_encode("\x00\x01\x02\x03\x04\x05", 6, 0, &enc);
	like(m.data, enc.data, "attachment bytes base64-encoded");
	ok(wire_clean(m.data, m.len, 998), "7-bit, CRLF, short lines");
	mb_built_release(&m);
	mb_buf_release(&enc);

	at[0].path = "/nonexistent/file";
	d.nattachments = 1;
	is_int(mb_compose_build(&d, &m, &err), -1, "a missing attachment is an error");
	like(err.msg, "/nonexistent/file", "naming it");
	unlink(path);
	unlink(upath);
	rmdir(dir);
}

static void
test_mime_types(void)
{
	is_str(mb_guess_mime_type("x.bin", (const unsigned char *)"%PDF-1.7", 8), "application/pdf",
	       "PDF by content");
	is_str(mb_guess_mime_type("x.png", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8),
	       "image/png", "PNG by content");
	is_str(mb_guess_mime_type("notes.csv", (const unsigned char *)"a,b", 3), "text/csv",
	       "by name");
	is_str(mb_guess_mime_type("README", (const unsigned char *)"hello\n", 6), "text/plain",
	       "text by content");
	is_str(mb_guess_mime_type("blob", (const unsigned char *)"\x00\x01\x02", 3),
	       "application/octet-stream", "unknown binary");
	is_str(mb_guess_mime_type("a.docx", (const unsigned char *)"PK\x03\x04", 4),
	       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	       "zip container named docx");
}

int
main(void)
{
	test_address_lists();
	test_addr_check();
	test_stuff();
	test_qp();
	test_build_plain();
	test_build_refusals();
	test_build_utf8();
	test_build_parts();
	test_mime_types();
	return done_testing();
}
