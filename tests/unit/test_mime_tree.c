/* Unit tests: src/mime/parse.c and part.c (the MIME tree walker and part accessors). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "tap.h"

/* The tree as "type/sub[child,child]"; '*' marks unclosed, '~' bad multipart, '!' limit. */
static void
shape_add(struct mb_buf *b, const struct mb_mime_part *p)
{
	const struct mb_mime_part *c;

	if (p->kind == MB_PART_LIMIT)
		mb_buf_addch(b, '!');
	mb_buf_addf(b, "%s/%s", p->type, p->subtype);
	if (p->flags & MB_PART_UNCLOSED)
		mb_buf_addch(b, '*');
	if (p->flags & MB_PART_BAD_MULTIPART)
		mb_buf_addch(b, '~');
	if (p->child == NULL)
		return;
	mb_buf_addch(b, '[');
	for (c = p->child; c != NULL; c = c->next) {
		shape_add(b, c);
		if (c->next != NULL)
			mb_buf_addch(b, ',');
	}
	mb_buf_addch(b, ']');
}

static struct mb_mime_tree *tree;
static struct mb_buf shape = MB_BUF_INIT;

static const char *
parse(const char *msg)
{
	mb_mime_free(tree);
	tree = mb_mime_parse(msg, strlen(msg));
	mb_buf_reset(&shape);
	shape_add(&shape, tree->root);
	return shape.data;
}

/* Raw body of part i as a string (static buffer). */
static const char *
body(size_t i)
{
	static struct mb_buf b = MB_BUF_INIT;

	mb_buf_reset(&b);
	if (i < tree->nparts)
		mb_buf_add(&b, tree->buf + tree->parts[i]->body_offset, tree->parts[i]->body_len);
	return b.data;
}

/* Decoded text of part i (static buffer). */
static const char *
text(size_t i)
{
	static struct mb_buf b = MB_BUF_INIT;

	mb_buf_reset(&b);
	mb_mime_part_text(tree, tree->parts[i], &b);
	return b.data;
}

static void
test_empty(void)
{
	struct mb_mime_tree *t = mb_mime_parse(NULL, 0);

	is_int(t->nparts, 1, "NULL: one part");
	is_str(t->root->type, "text", "NULL: text/plain");
	mb_mime_free(t);
	mb_mime_free(NULL);
	is_str(parse(""), "text/plain", "empty message");
	is_str(parse("\r\n"), "text/plain", "only CRLF");
	is_str(parse("Subject: x\r\n\r\nhello\r\n"), "text/plain", "single part");
	is_str(body(0), "hello\r\n", "single part body");
	is_int(tree->root->headers.nfields, 1, "root headers");
	is_str(parse("no headers at all\n"), "text/plain", "header-less");
	is_str(body(0), "no headers at all\n", "header-less body");
}

static void
test_multipart(void)
{
	const char *m = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	                "preamble\r\n"
	                "--b\r\n"
	                "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	                "one\r\n"
	                "--b \t\r\n"
	                "\r\n"
	                "two\r\n"
	                "--b--  \r\n"
	                "epilogue\r\n";

	is_str(parse(m), "multipart/mixed[text/plain,text/plain]", "two parts");
	is_str(body(1), "one", "first body, CRLF before the delimiter excluded");
	is_str(body(2), "two", "padding after the delimiter ignored; no headers");
	is_str(tree->parts[1]->charset, "utf-8", "charset");
	is_str(tree->parts[2]->charset, NULL, "no charset");
	ok(strstr(body(0), "preamble") != NULL && strstr(body(0), "epilogue") != NULL,
	   "preamble and epilogue inside the multipart body");
	ok(!(tree->root->flags & MB_PART_UNCLOSED), "closed");
	is_int(tree->parts[1]->body_offset, strstr(m, "one") - m, "body offset into the buffer");
	ok(tree->buf == m, "the tree points at the caller's buffer");

	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny\n--b--\n"),
	       "multipart/mixed[text/plain,text/plain]", "LF line ends");
	is_str(body(1), "x", "LF: first body");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny\n"),
	       "multipart/mixed*[text/plain,text/plain]", "never closed");
	is_str(body(2), "y\n", "never closed: last part runs to the end");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\nno delimiter here\n"),
	       "multipart/mixed*", "boundary never seen: all preamble");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b\n\n--b--"),
	       "multipart/mixed[text/plain,text/plain]", "empty parts");
	is_str(body(1), "", "empty part body");
	is_str(parse("Content-Type: multipart/mixed; boundary=\"\\\"\"\n\n--\"\n\nq\n--\"--\n"),
	       "multipart/mixed[text/plain]", "boundary=\"\\\"\" (libetpan's overflow) works");
	is_str(body(1), "q", "its body");
}

static void
test_nesting(void)
{
	is_str(parse("Content-Type: multipart/mixed; boundary=o\n\n"
	             "--o\nContent-Type: multipart/alternative; boundary=i\n\n"
	             "--i\n\na\n--i\nContent-Type: text/html\n\n<b>a</b>\n--i--\n"
	             "--o\nContent-Type: image/png\n\nPNG\n--o--\n"),
	       "multipart/mixed[multipart/alternative[text/plain,text/html],image/png]", "nested");
	is_str(parse("Content-Type: multipart/mixed; boundary=o\n\n"
	             "--o\nContent-Type: multipart/alternative; boundary=i\n\n"
	             "--i\n\na\n"
	             "--o\n\nb\n--o--\n"),
	       "multipart/mixed[multipart/alternative*[text/plain],text/plain]",
	       "inner closed by the outer delimiter");
	is_str(body(2), "a", "inner part ends at the outer delimiter");
	is_str(body(3), "b", "sibling after it");
	is_str(parse("Content-Type: multipart/mixed; boundary=a\n\n"
	             "--a\nContent-Type: multipart/mixed; boundary=a\n\n"
	             "--a\nContent-Type: text/plain\n\nbody\n"),
	       "multipart/mixed*[text/plain~,text/plain]",
	       "same boundary nested: inner read as text, no recursion");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n"
	             "--b\nContent-Type: multipart/alternative; boundary=b_alt\n\n"
	             "--b_alt\n\nplain\n--b_alt\n\nhtml\n--b_alt--\n"
	             "--b\n\nafter\n--b--\n"),
	       "multipart/mixed[multipart/alternative[text/plain,text/plain],text/plain]",
	       "outer boundary a prefix of the inner one");
	is_str(parse("Content-Type: multipart/mixed; boundary=a\n\n"
	             "--ab\n\nx\n--ac\n\ny\n--a--\n"),
	       "multipart/mixed[text/plain,text/plain]", "delimiters with junk after the boundary");
	is_str(parse("Content-Type: multipart/mixed; boundary=a\n\n"
	             "--a\nContent-Type: multipart/mixed; boundary=ab\nMIME-Version: 1.0\n"
	             "--ab\nContent-Type: text/plain\n\n--ab--\n--a--\n"),
	       "multipart/mixed[multipart/mixed[text/plain]]",
	       "part header running into its own first delimiter");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n"
	             "body without a blank line\n--b--\n"),
	       "multipart/mixed[text/plain]", "part without the blank line");
	is_str(body(1), "body without a blank line", "its body");
}

static void
test_boundaries(void)
{
	is_str(parse("Content-Type: multipart/alternative; boundary=\"\"\n\n"
	             "--\n\nfirst\n--\n\nsecond\n----\n"),
	       "multipart/alternative[text/plain,text/plain]", "empty boundary: bare -- lines");
	is_str(body(2), "second", "empty boundary: second body");
	is_str(parse("Content-Type: multipart/alternative; boundary=\"\"\n\n"
	             "--x\n\nnot a delimiter\n"),
	       "multipart/alternative*", "empty boundary: --x is no delimiter");
	is_str(parse("Content-Type: multipart/mixed; boundary=\"----\"\n\n"
	             "------\n\ndash\n--------\n"),
	       "multipart/mixed[text/plain]", "boundary of dashes");
	is_str(body(1), "dash", "boundary of dashes: body");
	is_str(parse("Content-Type: multipart/mixed\n\n--x\n\nbody\n"), "text/plain~",
	       "no boundary parameter: read as text");
	is_str(parse("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
	             "text/plain\n\n"
	             "second part ends here--b--\n"),
	       "multipart/mixed*[text/plain]", "a close delimiter glued to text is no delimiter");
}

static void
test_messages(void)
{
	const char *m = "Content-Type: multipart/mixed; boundary=b\n\n"
	                "--b\nContent-Type: message/rfc822\n\n"
	                "Subject: inner\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n"
	                "--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
	                "U3ViamVjdDogeAoKeQo=\n"
	                "--b--\n";

	is_str(parse(m), "multipart/mixed[message/rfc822[text/plain],message/rfc822]",
	       "message/rfc822 walked into; base64 one left a leaf");
	is_str(mb_headers_get(&tree->parts[2]->headers, "Subject"), "inner",
	       "inner message headers");
	is_str(text(2), "caf\xc3\xa9", "inner body as UTF-8");
	ok(tree->parts[3]->flags & MB_PART_ENCODED_MESSAGE, "encoded message flagged");
	ok(mb_mime_part_is_attachment(tree->parts[1]), "attached message is an attachment");
	is_str(parse("Content-Type: multipart/digest; boundary=d\n\n"
	             "--d\n\nSubject: one\n\n1\n--d\nContent-Type: text/plain\n\n2\n--d--\n"),
	       "multipart/digest[message/rfc822[text/plain],text/plain]",
	       "digest parts default to message/rfc822");
	is_str(parse("Content-Type: message/rfc822\n\n"
	             "Content-Type: message/rfc822\n\nContent-Type: text/html\n\n<p>deep</p>\n"),
	       "message/rfc822[message/rfc822[text/html]]", "message in a message");
}

static void
test_fields(void)
{
	const char *m =
	        "Content-Type: multipart/mixed; boundary=b\n\n"
	        "--b\nContent-Type: application/pdf; name=\"fallback.pdf\"\n"
	        "Content-Transfer-Encoding: BASE64\nContent-Disposition: attachment;\n"
	        " filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\nContent-ID: <part1@x>\n\n"
	        "aGVsbG8=\n"
	        "--b\nContent-Type: image/png; name=\"=?UTF-8?B?w6k=?=.png\"\n"
	        "Content-Transfer-Encoding: quoted-printable\n\nA=3DB=\n\n"
	        "--b\nContent-Type: text plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n"
	        "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: 8BIT (raw)\n"
	        "Content-Type: text/html\n\nfirst type wins\n"
	        "--b\nContent-Type: application/pgp-signature\nContent-Disposition: attachment; "
	        "filename=sig.asc\n\nsig\n--b--\n";
	const struct mb_mime_part *p;
	struct mb_buf b = MB_BUF_INIT;
	char *id;

	parse(m);
	is_int(tree->nparts, 6, "six parts");
	p = tree->parts[1];
	is_str(p->filename, "r\xc3\xa9sum\xc3\xa9.pdf", "RFC 2231 filename wins over name=");
	is_int(p->cte, MB_CTE_BASE64, "CTE case-insensitive");
	is_str(p->disposition, "attachment", "disposition");
	is_str(p->content_id, "part1@x", "Content-ID without brackets");
	is_str(mb_mime_part_param(p, "NAME"), "fallback.pdf", "param lookup");
	is_int(mb_mime_part_decode(tree, p, &b), 5, "decoded length");
	is_str(b.data, "hello", "decoded body");
	is_int(mb_mime_part_decoded_size(tree, p), 5, "decoded size");
	ok(mb_mime_part_is_attachment(p), "attachment");
	p = tree->parts[2];
	is_str(p->filename, "\xc3\xa9.png", "RFC 2047 name= decoded");
	is_int(p->cte, MB_CTE_QP, "quoted-printable");
	mb_buf_reset(&b);
	mb_mime_part_decode(tree, p, &b);
	is_str(b.data, "A=B", "QP body");
	ok(mb_mime_part_is_attachment(p), "image with a name is an attachment");
	p = tree->parts[3];
	is_str(p->type, "text", "unreadable type falls back to text");
	ok(p->flags & MB_PART_BAD_TYPE, "flagged");
	is_int(p->cte, MB_CTE_UNKNOWN, "x-uuencode is unknown");
	p = tree->parts[4];
	is_str(p->subtype, "plain", "first Content-Type wins");
	is_int(p->cte, MB_CTE_8BIT, "CTE with a comment");
	ok(!mb_mime_part_is_attachment(p), "inline text is no attachment");
	ok(!mb_mime_part_is_attachment(tree->parts[5]), "a signature is no attachment");
	ok(!mb_mime_part_is_attachment(tree->root), "a multipart is no attachment");
	id = mb_mime_part_id(tree->parts[2]);
	is_str(id, "2", "section number");
	free(id);
	id = mb_mime_part_id(tree->root);
	is_str(id, "", "root section");
	free(id);
	mb_buf_release(&b);

	parse("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	      "Content-Type: multipart/alternative; "
	      "boundary=i\n\n--i\n\na\n--i\n\nb\n--i--\n--o--\n");
	id = mb_mime_part_id(tree->parts[3]);
	is_str(id, "1.2", "nested section number");
	free(id);
}

static void
test_text(void)
{
	parse("Content-Type: text/plain; charset=ISO-8859-1\n"
	      "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\r\nna=EFve=\r\n end\r\n");
	is_str(text(0), "caf\xc3\xa9\nna\xc3\xafve end\n", "QP + Latin-1 to UTF-8, CRLF to LF");
	parse("Content-Type: text/plain; charset=utf-8\n\nnul\0here");
	is_str(text(0), "nul", "body up to the C string end");
	{
		const char m[] = "Content-Type: text/plain; charset=utf-8\n\na\0b";
		struct mb_mime_tree *t = mb_mime_parse(m, sizeof(m) - 1);
		struct mb_buf b = MB_BUF_INIT;

		mb_mime_part_text(t, t->root, &b);
		is_str(b.data,
		       "a\xef\xbf\xbd"
		       "b",
		       "NUL in text becomes U+FFFD");
		mb_buf_release(&b);
		mb_mime_free(t);
	}
	parse("Content-Type: text/plain; charset=x-unknown\n\ncaf\xe9");
	{
		struct mb_buf b = MB_BUF_INIT;

		is_int(mb_mime_part_text(tree, tree->root, &b), -1, "unknown charset reported");
		is_str(b.data, "caf\xc3\xa9", "with the fallback text");
		mb_buf_release(&b);
	}
}

int
main(void)
{
	test_empty();
	test_multipart();
	test_nesting();
	test_boundaries();
	test_messages();
	test_fields();
	test_text();
	mb_mime_free(tree);
	mb_buf_release(&shape);
	return done_testing();
}
