/*
 * fuzz_mime.c: libFuzzer target for the incoming-mail parser (src/mime/).
 *
 * Each input is a raw message: it is summarised, walked into a tree, and
 * every part is transfer-decoded, converted to text and (for HTML) to
 * plain text; file names and header values go through the safe-name and
 * decode functions, addresses and dates through their parsers. The first
 * byte also picks a split point so that a message cut anywhere is tried.
 * Build and run: see tests/fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s, size_t n)
{
	if (s != NULL && !mb_utf8_valid(s, n))
		abort();
}

static void
walk(const char *buf, size_t len)
{
	struct mb_mime_tree *t = mb_mime_parse(buf, len);
	struct mb_buf b = MB_BUF_INIT;
	size_t i, k;

	for (i = 0; i < t->nparts; i++) {
		const struct mb_mime_part *p = t->parts[i];
		char *s;

		if (p->body_offset > len || p->body_len > len - p->body_offset)
			abort();
		mb_buf_reset(&b);
		if (mb_mime_part_decode(t, p, &b) != b.len ||
		    mb_mime_part_decoded_size(t, p) != b.len)
			abort();
		mb_buf_reset(&b);
		mb_mime_part_text(t, p, &b);
		check_utf8(b.data, b.len);
		if (strcmp(p->subtype, "html") == 0) {
			size_t n;

			s = mb_html_to_text(b.data, b.len, &n);
			check_utf8(s, n);
			free(s);
		}
		s = mb_filename_safe(p->filename, p->type, (unsigned)i);
		if (s[0] == '\0' || s[0] == '.' || strchr(s, '/') != NULL ||
		    strstr(s, "..") != NULL)
			abort();
		free(s);
		check_utf8(p->filename, p->filename != NULL ? strlen(p->filename) : 0);
		free(mb_mime_part_id(p));
		mb_mime_part_is_attachment(p);
		for (k = 0; k < p->headers.nfields && k < 8; k++) {
			s = mb_mime_decode_header(p->headers.fields[k].value);
			check_utf8(s, strlen(s));
			free(s);
		}
	}
	mb_buf_release(&b);
	mb_mime_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct mb_summary s;
	struct mb_headers h;
	size_t cut;
	char *copy;
	time_t when;
	char **v;

	mb_summary_parse(&s, buf, size);
	check_utf8(s.subject, strlen(s.subject));
	check_utf8(s.from, strlen(s.from));
	check_utf8(s.body_text, s.body_len);
	if (s.body_len > MB_SUMMARY_MAX_TEXT)
		abort();
	mb_summary_release(&s);
	walk(buf, size);
	if (size > 1) {
		cut = 1 + data[0] % (size - 1);
		walk(buf + 1, cut);
	}
	mb_headers_parse(&h, buf, size);
	mb_headers_release(&h);
	/* the whole input as one header value of each kind */
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	v = mb_address_specs(copy, NULL);
	mb_strv_free(v);
	mb_date_parse(copy, &when);
	free(copy);
	return 0;
}
