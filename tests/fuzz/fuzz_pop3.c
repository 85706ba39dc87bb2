/*
 * fuzz_pop3.c: mailbench's own response parsing for POP3 (CAPA, LIST,
 * UIDL) and IMAP mailbox names (modified UTF-7).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mutf7.h"
#include "mailbench/pop3.h"
#include "mailbench/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_pop3_caps caps = {0};
	struct mb_pop3_msg *msgs = NULL;
	struct mb_error err = MB_ERROR_INIT;
	size_t n = 0, i;
	char *s, *d;

	mb_pop3_parse_capa(&caps, (const char *)data, size);
	free(caps.lines);
	if (mb_pop3_parse_listing((const char *)data, size, &msgs, &n, false, &err) == 0)
		mb_pop3_parse_listing((const char *)data, size, &msgs, &n, true, &err);
	for (i = 0; i < n; i++)
		if (strlen(msgs[i].uidl) > 70)
			abort();
	free(msgs);
	s = xmemdup0(data, size);
	d = mb_mutf7_decode(s);
	free(d);
	free(s);
	return 0;
}
