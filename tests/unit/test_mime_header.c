/* Unit tests: src/mime/header.c (header blocks: split, unfold, look up, limits). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "tap.h"

static size_t
parse(struct mb_headers *h, const char *s)
{
	return mb_headers_parse(h, s, strlen(s));
}

static void
test_empty(void)
{
	struct mb_headers h;

	is_int(mb_headers_parse(&h, NULL, 0), 0, "NULL buffer: body at 0");
	is_int(h.nfields, 0, "NULL buffer: no fields");
	is_str(mb_headers_get(&h, "Subject"), NULL, "NULL buffer: no Subject");
	mb_headers_release(&h);
	is_int(parse(&h, ""), 0, "empty: body at 0");
	ok(!h.complete, "empty: no blank line seen");
	mb_headers_release(&h);
	is_int(parse(&h, "\r\n"), 2, "only CRLF: body after it");
	is_int(h.nfields, 0, "only CRLF: no fields");
	ok(h.complete, "only CRLF: complete");
	mb_headers_release(&h);
	is_int(parse(&h, "\n"), 1, "only LF: body after it");
	mb_headers_release(&h);
	is_str(mb_headers_get(NULL, "x"), NULL, "get on NULL headers");
	mb_headers_release(NULL);
	ok(1, "release NULL is fine");
}

static void
test_basic(void)
{
	struct mb_headers h;
	const char *m = "From: a@b\r\nSubject: hello\r\n  world\r\nX-Empty:\r\n\r\nbody\r\n";
	const char **all;
	size_t n;

	is_int(parse(&h, m), strstr(m, "body") - m, "CRLF: body offset");
	is_int(h.nfields, 3, "CRLF: three fields");
	is_str(h.fields[0].name, "From", "name as written");
	is_str(mb_headers_get(&h, "subject"), "hello  world", "folded value unfolded, blanks kept");
	is_str(mb_headers_get(&h, "SUBJECT"), "hello  world", "lookup is case-insensitive");
	is_str(mb_headers_get(&h, "x-empty"), "", "empty value");
	is_str(mb_headers_get(&h, "To"), NULL, "missing field");
	is_int(h.fields[1].offset, strstr(m, "Subject") - m, "field offset");
	is_int(h.fields[1].raw_len, strlen("Subject: hello\r\n  world\r\n"),
	       "raw length with fold");
	ok(h.complete, "complete");
	all = mb_headers_get_all(&h, "nothing", &n);
	is_int(n, 0, "get_all of a missing field: 0");
	ok(all[0] == NULL, "get_all: NULL-terminated");
	free(all);
	mb_headers_release(&h);

	parse(&h, "Received: one\nReceived: two\nX: y\nReceived: three\n\n");
	all = mb_headers_get_all(&h, "received", &n);
	is_int(n, 3, "get_all counts");
	is_str(all[0], "one", "get_all order 1");
	is_str(all[2], "three", "get_all order 3");
	free(all);
	mb_headers_release(&h);
}

static void
test_odd_lines(void)
{
	struct mb_headers h;
	const char *m;

	m = "Subject: no blank line";
	is_int(parse(&h, m), strlen(m), "no blank line, no newline: all header");
	ok(!h.complete, "not complete");
	is_str(mb_headers_get(&h, "Subject"), "no blank line", "value read");
	mb_headers_release(&h);

	m = "Subject: x\nthis is the body, no blank line\nmore\n";
	is_int(parse(&h, m), strstr(m, "this") - m,
	       "a non-field line not followed by a field starts the body");
	is_int(h.nfields, 1, "one field");
	mb_headers_release(&h);

	m = "Hello, this is a header-less message\nsecond line\n";
	is_int(parse(&h, m), 0, "header-less message: body at 0");
	is_int(h.nfields, 0, "header-less: no fields");
	mb_headers_release(&h);

	m = "From someone@example.org Mon Jan  1 00:00:00 2024\nSubject: mbox\n\nbody";
	is_int(parse(&h, m), strstr(m, "body") - m, "mbox From_ line skipped");
	is_str(mb_headers_get(&h, "Subject"), "mbox", "field after From_ line");
	is_int(h.nbad, 1, "From_ line counted as bad");
	mb_headers_release(&h);

	m = "X-Long: aaaa\nwrapped-without-fold\nSubject: after\n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "after", "a wrapped line between fields is skipped");
	is_int(h.nbad, 1, "and counted");
	mb_headers_release(&h);

	m = "Sub ject: smuggled\nSub\tject: tab\n\nbody\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), NULL, "names with blanks are no Subject");
	mb_headers_release(&h);

	m = "Subject : obsolete\n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "obsolete", "blanks before the colon allowed");
	mb_headers_release(&h);

	m = " folded first line\nSubject: x\n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "x", "a leading continuation line is skipped");
	mb_headers_release(&h);

	m = "Garbage line\n Subject: x\n\nbody";
	is_int(parse(&h, m), 0, "garbage then a fold: all body");
	mb_headers_release(&h);

	m = "Subject: a\r\n\r\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "a", "CR not part of the value");
	mb_headers_release(&h);

	m = "Subject: SAFE\rEVIL\n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "SAFE\rEVIL",
	       "a lone CR stays (the sanitiser shows it)");
	mb_headers_release(&h);

	m = "Subject:\n folded only\n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "folded only", "value starting with a fold");
	mb_headers_release(&h);

	m = "Subject:   \t \n\n";
	parse(&h, m);
	is_str(mb_headers_get(&h, "Subject"), "", "blank value trimmed");
	mb_headers_release(&h);
}

static void
test_binary(void)
{
	struct mb_headers h;
	const char m[] = "Subject: a\0b\nX-8bit: caf\xe9 \xff\xfe\n\xc3\xa9t\xc3\xa9: v\n\nbody";

	mb_headers_parse(&h, m, sizeof(m) - 1);
	is_str(mb_headers_get(&h, "Subject"), "a b", "NUL in a value becomes a space");
	is_str(mb_headers_get(&h, "X-8bit"), "caf\xe9 \xff\xfe", "8-bit bytes kept raw");
	is_int(h.nfields, 2, "an 8-bit name is not a field");
	is_int(h.nbad, 0, "it ended the header block");
	mb_headers_release(&h);
}

static void
test_limits(void)
{
	struct mb_headers h;
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	mb_buf_addstr(&b, "X-Big: ");
	for (i = 0; i < 1024 * 1024; i++)
		mb_buf_addch(&b, 'a' + (int)(i % 26));
	mb_buf_addstr(&b, "\nSubject: after the big one\n\nbody");
	parse(&h, b.data);
	is_int(h.nfields, 2, "1 MB header line: two fields");
	is_int(h.fields[0].value_len, MB_MIME_MAX_FIELD_LEN, "value cut at the limit");
	ok(h.fields[0].truncated, "and marked truncated");
	is_str(mb_headers_get(&h, "Subject"), "after the big one", "the next field is intact");
	mb_headers_release(&h);

	mb_buf_reset(&b);
	for (i = 0; i < 10000; i++)
		mb_buf_addf(&b, "X-H%zu: %zu\n", i, i);
	mb_buf_addstr(&b, "Subject: late\n\nbody");
	is_int(parse(&h, b.data), b.len - 4, "10000 headers: body found");
	is_int(h.nfields, MB_MIME_MAX_FIELDS, "fields capped");
	is_int(h.ndropped, 10001 - MB_MIME_MAX_FIELDS, "the rest counted as dropped");
	is_str(mb_headers_get(&h, "X-H999"), "999", "the last stored field");
	mb_headers_release(&h);
	mb_buf_release(&b);
}

int
main(void)
{
	test_empty();
	test_basic();
	test_odd_lines();
	test_binary();
	test_limits();
	return done_testing();
}
