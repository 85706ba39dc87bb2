/* Unit tests: src/mime/decode.c and charset.c (quoted-printable, base64, charsets to UTF-8). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "tap.h"

static void
qp_is(const char *in, const char *want, const char *name)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t n = mb_qp_decode(&b, in, strlen(in));

	is_str(b.data, want, "qp: %s", name);
	is_int(n, b.len, "qp: %s: returned length", name);
	is_int(mb_qp_decode(NULL, in, strlen(in)), b.len, "qp: %s: counting agrees", name);
	mb_buf_release(&b);
}

static void
b64_is(const char *in, const char *want, size_t wantlen, const char *name)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_base64_decode(&b, in, strlen(in));
	is_int(b.len, wantlen, "base64: %s: length", name);
	ok(b.len == wantlen && memcmp(b.data, want, wantlen) == 0, "base64: %s: bytes", name);
	is_int(mb_base64_decode(NULL, in, strlen(in)), wantlen, "base64: %s: counting agrees",
	       name);
	mb_buf_release(&b);
}

static void
test_qp(void)
{
	struct mb_buf b = MB_BUF_INIT;

	is_int(mb_qp_decode(&b, NULL, 0), 0, "qp: NULL");
	is_int(mb_qp_decode(&b, "", 0), 0, "qp: empty");
	is_int(b.len, 0, "qp: nothing appended");
	is_int(mb_qp_decode(&b, "=00nul", 6), 4, "qp: NUL escape gives 4 bytes");
	ok(b.data[0] == '\0' && memcmp(b.data + 1, "nul", 3) == 0, "qp: NUL escape decoded");
	mb_buf_release(&b);
	qp_is("plain", "plain", "plain text");
	qp_is("caf=E9", "caf\xe9", "escape upper case");
	qp_is("caf=e9", "caf\xe9", "escape lower case");
	qp_is("a=3D=3Db", "a==b", "escaped equals");
	qp_is("soft=\nbreak", "softbreak", "soft break LF");
	qp_is("soft=\r\nbreak", "softbreak", "soft break CRLF");
	qp_is("soft=  \r\nbreak", "softbreak", "soft break with blanks after =");
	qp_is("end soft=", "end soft", "soft break at the very end");
	qp_is("hard\r\nbreak", "hard\r\nbreak", "hard CRLF kept");
	qp_is("hard\nbreak", "hard\nbreak", "hard LF kept");
	qp_is("trailing   \nx", "trailing\nx", "trailing blanks dropped");
	qp_is("tab\t\r\nx", "tab\r\nx", "trailing tab dropped");
	qp_is("bad =ZZ escape", "bad =ZZ escape", "bad escape kept literally");
	qp_is("half =A", "half =A", "half escape at the end kept");
	qp_is("=4=41", "=4A", "bad then good escape");
	qp_is("lone = sign", "lone = sign", "lone equals kept");
	qp_is("\xff\xfe raw", "\xff\xfe raw", "raw 8-bit passes");
	qp_is("=\n=\n=\n", "", "only soft breaks");
}

static void
test_base64(void)
{
	is_int(mb_base64_decode(NULL, NULL, 0), 0, "base64: NULL");
	b64_is("", "", 0, "empty");
	b64_is("aGVsbG8=", "hello", 5, "hello");
	b64_is("aGVs\r\nbG8=", "hello", 5, "line breaks");
	b64_is("aG Vs*bG8", "hello", 5, "garbage skipped, no padding");
	b64_is("aGVsbG8=aGVsbG8=", "hellohello", 10, "two blocks with padding between");
	b64_is("QQ", "A", 1, "dangling 2 chars give 1 byte");
	b64_is("QUI", "AB", 2, "dangling 3 chars give 2 bytes");
	b64_is("Q", "", 0, "1 char gives nothing");
	b64_is("====", "", 0, "only padding");
	b64_is("AAEC/w==", "\x00\x01\x02\xff", 4, "binary bytes");
	b64_is("-_-_", "", 0, "base64url characters are garbage");
	b64_is("\xff\x80QUJD", "ABC", 3, "8-bit garbage skipped");
}

static void
cs_is(const char *charset, const char *in, size_t len, const char *want, int rc, const char *name)
{
	struct mb_buf b = MB_BUF_INIT;

	is_int(mb_charset_to_utf8(&b, charset, in, len), rc, "charset %s: return", name);
	is_str(b.data, want, "charset %s", name);
	ok(mb_utf8_valid(b.data, b.len), "charset %s: valid UTF-8", name);
	mb_buf_release(&b);
}

static void
test_charset(void)
{
	cs_is(NULL, NULL, 0, "", 0, "NULL input");
	cs_is(NULL, "caf\xc3\xa9", 5, "caf\xc3\xa9", 0, "no charset, UTF-8 bytes");
	cs_is(NULL, "caf\xe9", 4, "caf\xc3\xa9", 0, "no charset, Latin-1 bytes");
	cs_is("", "abc", 3, "abc", 0, "empty charset");
	cs_is("us-ascii", "caf\xe9", 4, "caf\xc3\xa9", 0, "us-ascii with 8-bit: cp1252 fallback");
	cs_is("UTF-8", "ok\xc3\xa9", 4, "ok\xc3\xa9", 0, "UTF-8 upper case");
	cs_is("utf-8",
	      "a\xff"
	      "b",
	      3,
	      "a\xef\xbf\xbd"
	      "b",
	      0, "invalid UTF-8 repaired");
	cs_is("iso-8859-1", "caf\xe9", 4, "caf\xc3\xa9", 0, "ISO-8859-1");
	cs_is("ISO-8859-1", "\x80", 1, "\xe2\x82\xac", 0, "ISO-8859-1 read as Windows-1252 (euro)");
	cs_is("windows-1252", "\x93q\x94", 3, "\xe2\x80\x9cq\xe2\x80\x9d", 0, "cp1252 quotes");
	cs_is("windows-1252", "\x81", 1, "\xc2\x81", 0, "cp1252 undefined byte to C1");
	cs_is("iso-8859-15", "\xa4", 1, "\xe2\x82\xac", 0, "ISO-8859-15 euro via iconv");
	cs_is("koi8-r", "\xc1\xc2", 2, "\xd0\xb0\xd0\xb1", 0, "KOI8-R");
	cs_is("windows-1251", "\xc0\xeb", 2, "\xd0\x90\xd0\xbb", 0, "windows-1251");
	cs_is("shift_jis", "\x93\xfa\x96\x7b", 4, "\xe6\x97\xa5\xe6\x9c\xac", 0, "Shift_JIS");
	cs_is("iso-2022-jp", "\x1b$BF|K\\\x1b(B", 10, "\xe6\x97\xa5\xe6\x9c\xac", 0, "ISO-2022-JP");
	cs_is("euc-kr", "\xc7\xd1", 2, "\xed\x95\x9c", 0, "EUC-KR");
	cs_is("gb2312", "\xd6\xd0", 2, "\xe4\xb8\xad", 0, "GB2312 via GB18030");
	cs_is("big5", "\xa4\xa4", 2, "\xe4\xb8\xad", 0, "Big5");
	cs_is("utf-16", "\xfe\xff\x00h\x00i", 6, "hi", 0, "UTF-16 with BOM");
	cs_is("utf-16le", "h\0i\0", 4, "hi", 0, "UTF-16LE (NULs in the input)");
	cs_is("x-bogus", "caf\xe9", 4, "caf\xc3\xa9", -1, "unknown charset: cp1252 fallback");
	cs_is("x-bogus", "caf\xc3\xa9", 5, "caf\xc3\xa9", -1, "unknown charset: UTF-8 bytes");
	cs_is("utf-8//TRANSLIT", "abc", 3, "abc", -1, "charset with a slash is refused");
	cs_is("ibm1047", "\x81", 1, "\xc2\x81", -1, "EBCDIC refused");
	cs_is("koi8-r\"", "x", 1, "x", -1, "charset with a quote refused");
	cs_is("shift_jis", "\x82", 1, "\xef\xbf\xbd", 0, "truncated Shift_JIS gives U+FFFD");
	cs_is("iso-2022-jp",
	      "a\xff"
	      "b",
	      3,
	      "a\xef\xbf\xbd"
	      "b",
	      0, "8-bit byte in ISO-2022-JP gives U+FFFD");
	cs_is("iso-2022-jp", "caf\xc3\xa9", 5, "caf\xc3\xa9", 0,
	      "charset lie: UTF-8 bytes under a 7-bit label stay UTF-8");
	cs_is("UTF-8*en", "ok", 2, "ok", 0, "RFC 2231 language suffix ignored");
	cs_is("shift_jis",
	      "\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96"
	      "\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa"
	      "\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93\xfa\x96\x7b\x93"
	      "\xfa\x96\x7b\x93\xfa\x96\x7b\x61",
	      65,
	      "\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5"
	      "\xe6"
	      "\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6"
	      "\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6"
	      "\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac\xe6"
	      "\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac"
	      "a",
	      0, "a character across the 64-byte iconv chunk");
	cs_is("iso-2022-jp",
	      "\x1b$BF|\x1b(Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x1b$"
	      "BK\\\x1b(B",
	      sizeof("\x1b$BF|\x1b("
	             "Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x1b$BK\\\x1b("
	             "B") -
	              1,
	      "\xe6\x97\xa5xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xe6\x9c"
	      "\xac",
	      0, "an escape sequence across the chunk");
}

int
main(void)
{
	test_qp();
	test_base64();
	test_charset();
	return done_testing();
}
