/* Unit tests: src/mime/rfc2047.c (encoded words and raw 8-bit header text). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "tap.h"

static void
dec_is(const char *in, const char *want, const char *name)
{
	char *s = mb_mime_decode_header(in);

	is_str(s, want, "%s", name);
	ok(mb_utf8_valid(s, strlen(s)), "%s: valid UTF-8", name);
	free(s);
}

static void
test_empty(void)
{
	dec_is(NULL, "", "NULL");
	dec_is("", "", "empty");
	dec_is("plain subject", "plain subject", "no encoded words");
	dec_is("=?", "=?", "just =?");
	dec_is("=?=", "=?=", "=?=");
	dec_is("a =? b ?= c", "a =? b ?= c", "=? ?= with blanks is no word");
}

static void
test_charsets(void)
{
	dec_is("=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Caf\xc3\xa9 cr\xc3\xa8me", "ISO-8859-1 Q");
	dec_is("=?ISO-8859-1?B?x2EgdmEgdHLocyBiaWVu?=",
	       "\xc3\x87"
	       "a va tr\xc3\xa8s bien",
	       "ISO-8859-1 B");
	dec_is("=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=",
	       "Gr\xc3\xbc\xc3\x9f"
	       "e aus K\xc3\xb6ln",
	       "UTF-8 B");
	dec_is("=?utf-8?q?Gr=C3=BC=C3=9Fe?=",
	       "Gr\xc3\xbc\xc3\x9f"
	       "e",
	       "UTF-8 q lower case");
	dec_is("=?Shift_JIS?B?k/qWe4zqgsyMj5a8?=",
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d",
	       "Shift_JIS B");
	dec_is("=?ISO-2022-JP?B?GyRCRnxLXDhsJE4lRiU5JUgbKEI=?=",
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xb9\xe3\x83"
	       "\x88",
	       "ISO-2022-JP B");
	dec_is("=?ISO-2022-JP?B?GyRCJUYlOQ==?= =?ISO-2022-JP?B?JUgbKEI=?=",
	       "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	       "ISO-2022-JP shift state split across two words");
	dec_is("=?KOI8-R?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	       "KOI8-R B");
	dec_is("=?UTF-16?B?//5oAGkA?=", "hi", "UTF-16 B (NUL bytes decoded away)");
	dec_is("=?utf-8*en?Q?hello?=", "hello", "RFC 2231 language in the charset");
}

static void
test_joining(void)
{
	dec_is("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab", "blank between adjacent words dropped");
	dec_is("=?UTF-8?Q?a?=\t  =?UTF-8?Q?b?=", "ab", "several blanks dropped");
	dec_is("=?UTF-8?Q?a?==?UTF-8?Q?b?=", "ab", "glued words");
	dec_is("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=", "caf\xc3\xa9",
	       "UTF-8 char split across Q words");
	dec_is("=?UTF-8?B?5pc=?= =?UTF-8?B?pQ==?=", "\xe6\x97\xa5",
	       "UTF-8 char split across B words");
	dec_is("=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKw=?=", "\xe6\x97\xa5\xe6\x9c\xac",
	       "two chars split 4+2 across words");
	dec_is("=?UTF-8?Q?caf=C3?= x =?UTF-8?Q?=A9?=", "caf\xef\xbf\xbd x \xef\xbf\xbd",
	       "split with text between: each half replaced");
	dec_is("=?ISO-8859-1?Q?a?= =?UTF-8?Q?b?=", "ab", "different charsets: blank still dropped");
	dec_is("Re: =?UTF-8?Q?caf=C3=A9?= ok", "Re: caf\xc3\xa9 ok", "text around a word kept");
	dec_is("a=?UTF-8?Q?b?=c", "abc", "word glued to text decoded");
	dec_is("\"=?UTF-8?Q?quoted?=\"", "\"quoted\"", "word inside quotes decoded");
	dec_is("=?UTF-8?Q?under_score?=", "under score", "underscore is a space");
	dec_is("=?UTF-8?Q?"
	       "?=",
	       "", "empty encoded text");
	dec_is("a\tb", "a b", "raw TAB shown as a space");
}

static void
test_bad(void)
{
	dec_is("=?x-bogus?B?aGVsbG8=?=", "=?x-bogus?B?aGVsbG8=?=", "unknown charset kept raw");
	dec_is("=?NONE?B?VEVTVA=?=", "=?NONE?B?VEVTVA=?=", "charset NONE kept raw");
	dec_is("x =?x-bogus?Q?a?= =?UTF-8?Q?b?=", "x =?x-bogus?Q?a?= b",
	       "raw word then a good one");
	dec_is("=?UTF-8?B?a*b?=", "=?UTF-8?B?a*b?=", "B with a bad character kept raw");
	dec_is("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", "unknown encoding kept raw");
	dec_is("=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated", "no ?= kept raw");
	dec_is("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=", "blank inside a word kept raw");
	dec_is("=?UTF-8?Q?bad=ZZ?=", "bad=ZZ", "bad Q escape kept literally");
	dec_is("=?UTF-8?B?/w==?=", "\xef\xbf\xbd", "invalid UTF-8 after decoding: U+FFFD");
	dec_is("=?UTF-8?Q?a=00b?=",
	       "a\xef\xbf\xbd"
	       "b",
	       "NUL after decoding: U+FFFD");
	dec_is("=?UTF-8?Q?SAFE=0DEVIL?=", "SAFE\rEVIL", "CR after decoding kept for the sanitiser");
	dec_is("=?utf-8//translit?Q?a?=", "=?utf-8//translit?Q?a?=", "charset with '/' kept raw");
	dec_is("=?iso-8859-1?q?=?=", "=", "a lone = as Q text");
}

static void
test_raw8bit(void)
{
	dec_is("caf\xc3\xa9", "caf\xc3\xa9", "raw UTF-8 kept");
	dec_is("caf\xe9", "caf\xc3\xa9", "raw Latin-1 as Windows-1252");
	dec_is("\x93quoted\x94", "\xe2\x80\x9cquoted\xe2\x80\x9d", "raw cp1252 quotes");
	dec_is("caf\xe9 =?UTF-8?Q?na=C3=AFve?=", "caf\xc3\xa9 na\xc3\xafve",
	       "raw Latin-1 text next to an encoded word");
}

static void
test_long(void)
{
	struct mb_buf b = MB_BUF_INIT, want = MB_BUF_INIT;
	char *s;
	size_t i;

	for (i = 0; i < 20000; i++) {
		mb_buf_addstr(&b, i > 0 ? " =?UTF-8?Q?=C3=A9?=" : "=?UTF-8?Q?=C3=A9?=");
		mb_buf_addstr(&want, "\xc3\xa9");
	}
	s = mb_mime_decode_header(b.data);
	is_str(s, want.data, "20000 adjacent words joined");
	free(s);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, "=?a?q?");
	s = mb_mime_decode_header(b.data);
	is_int(strlen(s), b.len, "100000 unterminated starts kept raw");
	free(s);
	mb_buf_release(&b);
	mb_buf_release(&want);
}

int
main(void)
{
	test_empty();
	test_charsets();
	test_joining();
	test_bad();
	test_raw8bit();
	test_long();
	return done_testing();
}
