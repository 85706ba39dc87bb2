/*
 * Unit tests: the parser's limits and running time on hostile sizes (robustness plan
 * rows 29, 36, 37, 38). Timings are printed as diagnostics; the assertions only
 * demand generous bounds (5 s) so that slow CI machines and sanitizer builds pass.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "tap.h"

#define BOUND 5.0

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse, summarise and decode every part of msg; returns the seconds it took. */
static double
run(const struct mb_buf *msg, struct mb_mime_tree **keep)
{
	double t0 = now();
	struct mb_mime_tree *t = mb_mime_parse(msg->data, msg->len);
	struct mb_summary s;
	size_t i;

	for (i = 0; i < t->nparts; i++)
		mb_mime_part_decoded_size(t, t->parts[i]);
	mb_summary_parse(&s, msg->data, msg->len);
	mb_summary_release(&s);
	*keep = t;
	return now() - t0;
}

static void
timed(const char *name, const struct mb_buf *msg, struct mb_mime_tree **keep)
{
	double secs = run(msg, keep);

	diag("%s (%zu bytes): %.3f s", name, msg->len, secs);
	ok(secs < BOUND, "%s parses in under %.0f s", name, BOUND);
}

static void
test_big_line(void)
{
	struct mb_buf m = MB_BUF_INIT;
	struct mb_mime_tree *t;
	size_t i;

	mb_buf_addstr(&m, "Subject: big\nContent-Type: text/plain\n\n");
	mb_buf_grow(&m, 10 * 1024 * 1024);
	for (i = 0; i < 10 * 1024 * 1024; i++)
		m.data[m.len + i] = (char)('a' + i % 26);
	m.len += 10 * 1024 * 1024;
	m.data[m.len] = '\0';
	timed("10 MB single-line body", &m, &t);
	is_int(t->nparts, 1, "one part");
	is_int(t->root->body_len, 10 * 1024 * 1024, "whole body");
	mb_mime_free(t);

	mb_buf_reset(&m);
	mb_buf_addstr(&m, "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n");
	for (i = 0; i < 10 * 1024 * 1024; i++)
		mb_buf_addch(&m, i % 2 ? '-' : '\n');
	timed("10 MB of \"-\" lines inside a multipart", &m, &t);
	is_int(t->nparts, 2, "no false delimiters");
	mb_mime_free(t);
	mb_buf_release(&m);
}

static void
test_many_parts(void)
{
	struct mb_buf m = MB_BUF_INIT;
	struct mb_mime_tree *t;
	size_t i;

	mb_buf_addstr(&m, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 9998; i++)
		mb_buf_addf(&m, "--b\nContent-Type: text/plain\n\npart %zu\n", i);
	mb_buf_addstr(&m, "--b--\n");
	timed("9 999 parts", &m, &t);
	is_int(t->nparts, 9999, "all parts under the limit");
	ok(!t->limited, "no limit reached");
	mb_mime_free(t);

	mb_buf_reset(&m);
	mb_buf_addstr(&m, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 100000; i++)
		mb_buf_addf(&m, "--b\nContent-Type: text/plain\n\npart %zu\n", i);
	mb_buf_addstr(&m, "--b--\nepilogue\n");
	timed("100 000 parts", &m, &t);
	is_int(t->nparts, MB_MIME_MAX_PARTS, "parts capped");
	ok(t->limited, "limit reported");
	is_int(t->parts[MB_MIME_MAX_PARTS - 1]->kind, MB_PART_LIMIT,
	       "last slot: not parsed (limit)");
	ok(t->nskipped >= 100000 - MB_MIME_MAX_PARTS, "skipped parts counted");
	ok(!(t->root->flags & MB_PART_UNCLOSED), "the multipart still closes");
	mb_mime_free(t);
	mb_buf_release(&m);
}

/* n multiparts nested, each with its own boundary, a text leaf inside. */
static void
nested(struct mb_buf *m, size_t n, bool close)
{
	size_t i;

	mb_buf_reset(m);
	for (i = 0; i < n; i++)
		mb_buf_addf(m, "Content-Type: multipart/mixed; boundary=\"b%05zu\"\n\n--b%05zu\n",
		            i, i);
	mb_buf_addstr(m, "Content-Type: text/plain\n\ndeep\n");
	for (i = n; close && i-- > 0;)
		mb_buf_addf(m, "--b%05zu--\n", i);
}

static void
test_depth(void)
{
	struct mb_buf m = MB_BUF_INIT;
	struct mb_mime_tree *t;
	size_t i, maxd = 0;

	nested(&m, 99, true);
	timed("100 levels", &m, &t);
	is_int(t->nparts, 100, "every level a part");
	is_str(t->parts[99]->type, "text", "the leaf at depth 99");
	ok(!t->limited, "within the limit");
	mb_mime_free(t);

	nested(&m, 10000, false);
	timed("10 000 levels, never closed", &m, &t);
	for (i = 0; i < t->nparts; i++)
		maxd = t->parts[i]->depth > maxd ? t->parts[i]->depth : maxd;
	is_int(maxd, MB_MIME_MAX_DEPTH, "depth capped");
	ok(t->limited, "limit reported");
	is_int(t->parts[t->nparts - 1]->kind, MB_PART_LIMIT, "deepest part: not parsed (limit)");
	mb_mime_free(t);

	mb_buf_reset(&m);
	for (i = 0; i < 10000; i++)
		mb_buf_addstr(&m, "Content-Type: message/rfc822\n\n");
	timed("10 000 nested message/rfc822", &m, &t);
	is_int(t->nparts, MB_MIME_MAX_DEPTH + 1, "message nesting capped");
	mb_mime_free(t);

	/* 100 boundaries that are prefixes of each other, and lines that almost match */
	mb_buf_reset(&m);
	for (i = 0; i < 99; i++) {
		mb_buf_addstr(&m, "Content-Type: multipart/mixed; boundary=\"");
		mb_buf_addf(&m, "%0*d\"\n\n--%0*d\n", (int)(198 - i), 0, (int)(198 - i), 0);
	}
	for (i = 0; i < 20000; i++)
		mb_buf_addf(&m, "--%0*dx\n", 250, 0);
	timed("100 prefix boundaries, 20 000 near-miss lines", &m, &t);
	ok(t->nparts <= MB_MIME_MAX_PARTS, "bounded");
	mb_mime_free(t);
	mb_buf_release(&m);
}

/*
 * Found by fuzz_mime: glibc converts ahead and, after an error in a later
 * step, converts again from the start of the iconv() call, so feeding it
 * the whole input was quadratic in the length of an invalid UTF-7 run.
 */
static void
test_charset_errors(void)
{
	struct mb_buf m = MB_BUF_INIT;
	struct mb_mime_tree *t;
	size_t i;

	/* one UTF-7 base64 run of invalid characters: 60 KB took 1.5 s before */
	mb_buf_addstr(&m, "Content-Type: text/plain; charset=utf-7\n\n+");
	for (i = 0; i < 150000; i++)
		mb_buf_addstr(&m, "/9");
	timed("300 KB UTF-7 run of invalid characters", &m, &t);
	mb_mime_free(t);
	mb_buf_reset(&m);
	mb_buf_addstr(&m, "Content-Type: text/html; charset=utf-7\n\n");
	for (i = 0; i < 200000; i++)
		mb_buf_addstr(&m, "+2AA-x");
	timed("1.2 MB of UTF-7 lone surrogates", &m, &t);
	mb_mime_free(t);
	mb_buf_reset(&m);
	mb_buf_addstr(&m, "Content-Type: text/plain; charset=shift_jis\n\n");
	for (i = 0; i < 300000; i++)
		mb_buf_addstr(&m, "\x82\xa0\xff");
	timed("900 KB of Shift_JIS with an invalid byte every 3", &m, &t);
	mb_mime_free(t);
	mb_buf_release(&m);
}

static void
test_headers(void)
{
	struct mb_buf m = MB_BUF_INIT;
	struct mb_mime_tree *t;
	size_t i;

	for (i = 0; i < 10000; i++)
		mb_buf_addf(&m, "X-Header-%zu: value %zu\n", i, i);
	mb_buf_addstr(&m, "\nbody\n");
	timed("10 000 headers", &m, &t);
	is_int(t->root->headers.nfields, MB_MIME_MAX_FIELDS, "fields capped");
	mb_mime_free(t);

	mb_buf_reset(&m);
	mb_buf_addstr(&m, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 5000; i++) {
		size_t k;

		mb_buf_addstr(&m, "--b\n");
		for (k = 0; k < 100; k++)
			mb_buf_addstr(&m, "A: b\n");
		mb_buf_addstr(&m, "\nx\n");
	}
	timed("5 000 parts with 100 fields each", &m, &t);
	{
		size_t total = 0;

		for (i = 0; i < t->nparts; i++)
			total += t->parts[i]->headers.nfields;
		ok(total <= MB_MIME_MAX_TREE_FIELDS, "stored fields per message capped (%zu)",
		   total);
	}
	is_int(t->nparts, 5001, "but every part is still there");
	mb_mime_free(t);

	mb_buf_reset(&m);
	mb_buf_addstr(&m, "To: ");
	for (i = 0; i < 100000; i++)
		mb_buf_addf(&m, "User %zu <u%zu@example.org>,\n ", i, i);
	mb_buf_addstr(&m, "\n\nbody\n");
	timed("100 000 addresses in To", &m, &t);
	mb_mime_free(t);

	mb_buf_reset(&m);
	mb_buf_addstr(&m, "To: ");
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&m, "g:;;;,");
	mb_buf_addstr(&m, "\n\nbody\n");
	timed("100 000 groups and semicolons", &m, &t);
	mb_mime_free(t);
	mb_buf_release(&m);
}

int
main(void)
{
	test_big_line();
	test_many_parts();
	test_depth();
	test_charset_errors();
	test_headers();
	return done_testing();
}
