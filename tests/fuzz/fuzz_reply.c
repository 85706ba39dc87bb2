/*
 * fuzz_reply.c: SMTP reply lines and replies (multi-line assembly, codes,
 * enhanced codes, limits) and the three transcript annotators.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_smtp_reply r;
	struct mb_error err = MB_ERROR_INIT;
	const char *p = (const char *)data, *end = p + size, *nl;
	struct mb_tline tl;
	int rc = 0;

	mb_smtp_reply_init(&r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		memset(&tl, 0, sizeof tl);
		mb_smtp_annotate(p, len, &tl);
		mb_pop3_annotate(p, len, &tl);
		mb_imap_annotate(p, len, &tl);
		if (tl.meaning != NULL && strlen(tl.meaning) > 1000)
			abort();
		if (rc == 0) {
			rc = mb_smtp_reply_feed(&r, p, len, &err);
			if (rc == 1) {
				size_t flen;

				mb_smtp_reply_first(&r, &flen);
				if (r.code < 200 || r.code > 599 || flen > r.text.len)
					abort();
				mb_smtp_reply_release(&r);
				mb_smtp_reply_init(&r);
				rc = 0;
			}
		}
		p = nl ? nl + 1 : end;
	}
	mb_smtp_reply_release(&r);
	return 0;
}
