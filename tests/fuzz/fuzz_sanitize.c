/*
 * fuzz_sanitize.c: libFuzzer target for the terminal sanitiser (src/util/sanitize.c).
 *
 * Checks the promise, not just the absence of crashes: the output is valid
 * UTF-8, holds no C0 control (LF only in TEXT mode), no DEL, no C1 control
 * and none of the bidi or zero-width characters; widths and truncation stay
 * within bounds and never split a character.
 * Build and run: see tests/fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct mb_buf *b, int text)
{
	size_t i = 0, n;
	uint32_t cp;

	if (!mb_utf8_valid(b->data, b->len) || strlen(b->data) != b->len)
		abort();
	while (i < b->len) {
		n = mb_utf8_next(b->data + i, b->len - i, &cp);
		if ((cp < 0x20 && !(text && cp == '\n')) || cp == 0x7F || mb_cp_hidden(cp))
			abort();
		i += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t cols = size > 0 ? data[0] : 0, w, n;
	char *s;

	mb_sanitize_add(&b, (const char *)data, size, MB_SANITIZE_LINE);
	check(&b, 0);
	n = mb_width_truncate(b.data, b.len, cols, &w);
	if (n > b.len || w > cols || !mb_utf8_valid(b.data, n))
		abort();
	s = mb_width_fit(b.data, cols);
	if (mb_display_width(s, strlen(s)) != cols)
		abort();
	free(s);
	mb_buf_reset(&b);
	mb_sanitize_add(&b, (const char *)data, size, MB_SANITIZE_TEXT);
	check(&b, 1);
	mb_display_width((const char *)data, size);
	mb_buf_release(&b);
	return 0;
}
