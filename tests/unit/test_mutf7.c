/* test_mutf7.c: IMAP modified UTF-7 mailbox names to UTF-8 (RFC 3501 5.1.3). */
#include "config.h"

#include <stdlib.h>

#include "mailbench/mutf7.h"
#include "tap.h"

static void
dec(const char *in, const char *want, const char *what)
{
	char *got = mb_mutf7_decode(in);

	is_str(got, want, "%s: '%s'", what, in);
	free(got);
}

int
main(void)
{
	dec("INBOX", "INBOX", "ASCII stays");
	dec("", "", "empty");
	dec("Entw&APw-rfe", "Entwürfe", "one shifted character");
	dec("&AMk-t&AOk-", "Été", "two runs");
	dec("Tom &- Jerry", "Tom & Jerry", "&- is &");
	dec("&ZeVnLIqe-", "日本語", "three CJK characters in one run");
	dec("&2D3eAA-", "\xf0\x9f\x98\x80", "a surrogate pair (U+1F600)");
	dec("Archive/&AOk-t&AOk-", "Archive/été", "a hierarchy keeps its delimiter");
	dec("&A,8-", "\xcf\xbf", "',' stands for '/' in the base64 (U+03FF)");
	/* malformed input is shown as sent, never half-decoded into something else */
	dec("&AMk", "&AMk", "a run without its '-'");
	dec("&2D0-", "&2D0-", "a lone high surrogate");
	dec("&!!-", "&!!-", "not base64");
	dec("&AGE-", "&AGE-", "an ASCII letter encoded (must be sent as itself)");
	return done_testing();
}
