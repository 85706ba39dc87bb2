/* Unit tests: src/mime/date.c (RFC 5322 and broken dates to Unix time). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/mime.h"
#include "tap.h"

static void
date_is(const char *s, long long want, const char *name)
{
	time_t t = 12345;

	is_int(mb_date_parse(s, &t), 0, "%s: parsed", name);
	is_int((long long)t, want, "%s: value", name);
}

static void
date_bad(const char *s, const char *name)
{
	time_t t = 12345;

	is_int(mb_date_parse(s, &t), -1, "%s: refused", name);
	is_int((long long)t, 0, "%s: result 0", name);
}

int
main(void)
{
	date_bad(NULL, "NULL");
	date_bad("", "empty");
	date_bad("   ", "blanks");
	date_bad("not a date", "words");
	date_is("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, "RFC 5322");
	date_is("1 Jul 2003 10:52:37 +0200", 1057049557, "no weekday");
	date_is("Tue, 01 Jul 2003 08:52:37 GMT", 1057049557, "GMT");
	date_is("Tue, 1 Jul 2003 08:52:37 UT", 1057049557, "UT");
	date_is("Tue, 1 Jul 2003 08:52:37 Z", 1057049557, "Z");
	date_is("Tue, 1 Jul 2003 08:52:37", 1057049557, "no zone means UTC");
	date_is("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", 1057049557, "trailing comment");
	date_is("Tue, 1 Jul 03 10:52:37 +0200", 1057049557, "2-digit year");
	date_is("Tue,  1 Jul 2003 10:52:37 +02:00", 1057049557, "zone with a colon");
	date_is("Tuesday, 1 July 2003 10:52:37 +0200", 1057049557, "full names");
	date_is("1 jul 2003 10:52:37 +0200", 1057049557, "lower-case month");
	date_is("Mon, 2 Jan 2006 15:04:05 -0700", 1136239445, "negative zone");
	date_is("Mon, 2 Jan 2006 08:04:05 PDT", 1136214245, "PDT");
	date_is("Mon Jan  2 15:04:05 2006", 1136214245, "asctime");
	date_is("2006-01-02T15:04:05Z", 1136214245, "ISO 8601 Z");
	date_is("2006-01-02T08:04:05-07:00", 1136214245, "ISO 8601 offset");
	date_is("2006-01-02 15:04:05", 1136214245, "ISO 8601 with a blank");
	date_is("2006-01-02T15:04:05.123Z", 1136214245, "ISO 8601 fractions");
	date_is("2-Jan-2006 15:04:05 +0000", 1136214245, "IMAP style");
	date_is("Mon, 2 Jan 2006 15.04.05 +0000", 1136214245, "dotted time");
	date_is("Mon, 2 Jan 2006 15:04 +0000", 1136214245 - 5, "no seconds");
	date_is("Thu, 29 Feb 2024 00:00:00 +0000", 1709164800, "leap day");
	date_is("Fri, 31 Dec 1999 23:59:00 EST", 946702740, "EST");
	date_is("Tue, 19 Jan 2038 03:14:08 +0000", 2147483648LL, "past 2038");
	date_is("Wed, 31 Dec 1969 23:59:59 +0000", -1, "before 1970");
	date_is("Thu, 20 Jun 2002 05:53:48 UT", 1024552428, "corpus-style UT");
	date_is("Tue, 12 Oct 2010 16:21:05 H0500", 1286900465, "bad zone H0500 read as UTC");
	date_is("2 Jan 2006 3:04:05 pm +0000", 1136214245, "12-hour clock pm");
	date_bad("Tue, 06 Jun 2017 27:39:33 +0600", "hour 27");
	date_bad("Tue, 32 Jan 2017 10:00:00 +0000", "day 32");
	date_bad("Tue, 29 Feb 2023 10:00:00 +0000", "29 February of a common year");
	date_bad("Tue, 1 Foo 2017 10:00:00 +0000", "unknown month");
	date_bad("Tue, 1 Jan 1800 10:00:00 +0000", "year 1800");
	date_bad("Tue, 1 Jan 2017 10:61:00 +0000", "minute 61");
	date_bad("2006-13-02T15:04:05Z", "ISO month 13");
	date_bad("((((((((((((((((((((", "unclosed comments");
	return done_testing();
}
