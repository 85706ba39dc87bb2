/* Unit tests: src/util/sanitize.c (terminal sanitiser, display widths, UTF-8 helpers). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/sanitize.h"
#include "tap.h"

/* Sanitize len bytes of s in mode and compare. */
static void
san_is(const char *s, size_t len, enum mb_sanitize_mode mode, const char *want, const char *name)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_sanitize_add(&b, s, len, mode);
	is_str(b.data, want, "%s", name);
	ok(mb_utf8_valid(b.data, b.len), "%s: output is valid UTF-8", name);
	mb_buf_release(&b);
}

#define LINE(s, want, name) san_is(s, sizeof(s) - 1, MB_SANITIZE_LINE, want, name)
#define TEXT(s, want, name) san_is(s, sizeof(s) - 1, MB_SANITIZE_TEXT, want, name)

/* No byte below 0x20 except LF, no DEL, no C1 in UTF-8 form, in the output. */
static int
inert(const char *s, int allow_lf)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; u[i] != '\0'; i++) {
		if ((u[i] < 0x20 && !(allow_lf && u[i] == '\n')) || u[i] == 0x7F)
			return 0;
		if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			return 0;
		if (u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] >= 0xAA && u[i + 2] <= 0xAE)
			return 0;
	}
	return 1;
}

static void
test_empty(void)
{
	struct mb_buf b = MB_BUF_INIT;
	char *s;

	s = mb_sanitize(NULL, MB_SANITIZE_LINE);
	is_str(s, "", "NULL gives an empty string");
	free(s);
	s = mb_sanitize("", MB_SANITIZE_TEXT);
	is_str(s, "", "empty stays empty");
	free(s);
	mb_sanitize_add(&b, NULL, 0, MB_SANITIZE_LINE);
	is_int(b.len, 0, "NULL with length 0 appends nothing");
	mb_buf_release(&b);
	is_int(mb_display_width(NULL, 0), 0, "width of NULL");
	is_int(mb_display_width("", 0), 0, "width of empty");
	is_int(mb_width_truncate(NULL, 0, 5, NULL), 0, "truncate NULL");
	s = mb_width_fit(NULL, 3);
	is_str(s, "   ", "fit NULL pads");
	free(s);
	s = mb_width_fit("abc", 0);
	is_str(s, "", "fit to 0 columns");
	free(s);
}

static void
test_controls(void)
{
	LINE("plain ASCII text", "plain ASCII text", "printable ASCII unchanged");
	LINE("SAFE\rEVIL", "SAFE^MEVIL", "CR shown as ^M (no overwrite)");
	LINE("boss@corp\b\b\b\bevil", "boss@corp^H^H^H^Hevil", "BS shown as ^H");
	LINE("ding\a", "ding^G", "BEL shown as ^G");
	san_is("a\0b", 3, MB_SANITIZE_LINE, "a^@b", "NUL shown as ^@");
	LINE("\x1b[2J\x1b[H", "^[[2J^[[H", "CSI clear screen is inert");
	LINE("\x1b]0;pwned\x07", "^[]0;pwned^G", "OSC title change is inert");
	LINE("\x1b]52;c;ZXZpbA==\x07", "^[]52;c;ZXZpbA==^G", "OSC 52 clipboard is inert");
	LINE("\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\",
	     "^[]8;;http://evil/^[\\click^[]8;;^[\\", "OSC 8 hyperlink is inert");
	LINE("\x1b[21t", "^[[21t", "CSI title report is inert");
	LINE("del\x7f", "del^?", "DEL shown as ^?");
	LINE("a\x1f", "a^_", "unit separator shown as ^_");
	LINE("two\nlines", "two^Jlines", "LINE mode: LF is ^J");
	LINE("a\tb", "a^Ib", "LINE mode: TAB is ^I");
	LINE("a\r\nb", "a^M^Jb", "LINE mode: CR LF both visible");
	TEXT("two\nlines", "two\nlines", "TEXT mode keeps LF");
	TEXT("a\r\nb", "a\nb", "TEXT mode: CR LF becomes LF");
	TEXT("SAFE\rEVIL", "SAFE^MEVIL", "TEXT mode: lone CR still visible");
	TEXT("a\tb", "a       b", "TEXT mode: TAB to column 8");
	TEXT("abcdefgh\tx", "abcdefgh        x", "TEXT mode: TAB at a stop goes to the next");
	TEXT("x\n\ty", "x\n        y", "TEXT mode: columns restart after LF");
	TEXT("\xc3\xa9\tx", "\xc3\xa9       x", "TEXT mode: TAB counts columns, not bytes");
	TEXT("a\x1b[31mred", "a^[[31mred", "TEXT mode: ESC still visible");
}

static void
test_unicode(void)
{
	LINE("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	     "valid UTF-8 kept");
	LINE("\xc2\x9b"
	     "31m",
	     "<U+009B>31m", "C1 CSI (C2 9B) made visible");
	LINE("\xc2\x85", "<U+0085>", "C1 NEL made visible");
	LINE("\x9b"
	     "31m",
	     "\\x9B31m", "a raw 0x9B byte is \\x9B");
	LINE("a\xff\xfe", "a\\xFF\\xFE", "invalid bytes as \\xNN");
	LINE("\xe2\x82", "\\xE2\\x82", "truncated sequence byte by byte");
	LINE("\xc0\xaf", "\\xC0\\xAF", "overlong '/' rejected");
	LINE("\xed\xa0\x80", "\\xED\\xA0\\x80", "surrogate rejected");
	LINE("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80", "beyond U+10FFFF rejected");
	LINE("invoice\xe2\x80\xae"
	     "fdp.exe",
	     "invoice<U+202E>fdp.exe", "RLO made visible");
	LINE("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "<U+202A><U+202B><U+202C><U+202D>",
	     "LRE RLE PDF LRO made visible");
	LINE("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "<U+2066><U+2067><U+2068><U+2069>",
	     "isolates made visible");
	LINE("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "<U+200E><U+200F><U+061C>",
	     "LRM RLM ALM made visible");
	LINE("pay\xe2\x80\x8bpal", "pay<U+200B>pal", "ZWSP made visible");
	LINE("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf", "<U+200C><U+200D><U+2060><U+FEFF>",
	     "ZWNJ ZWJ WJ BOM made visible");
	LINE("a\xe2\x80\xa8"
	     "b",
	     "a<U+2028>b", "line separator made visible");
	LINE("\xf3\xa0\x80\x81", "<U+E0001>", "tag character made visible");
	LINE("e\xcc\x81", "e\xcc\x81", "a combining accent kept");
	LINE("a\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87\xcc\x88\xcc\x89\xcc\x8a"
	     "b",
	     "a\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87\xcc\x88<+2>b",
	     "a flood of combining marks is cut at 8");
}

static void
test_hostile_all_bytes(void)
{
	char in[256 * 2];
	char *s;
	struct mb_buf b = MB_BUF_INIT;
	int i;

	for (i = 0; i < 256; i++) {
		in[2 * i] = (char)i;
		in[2 * i + 1] = 'x';
	}
	mb_sanitize_add(&b, in, sizeof(in), MB_SANITIZE_LINE);
	ok(mb_utf8_valid(b.data, b.len), "every byte value: valid UTF-8 out");
	ok(inert(b.data, 0), "every byte value: LINE output has no controls");
	mb_buf_reset(&b);
	mb_sanitize_add(&b, in, sizeof(in), MB_SANITIZE_TEXT);
	ok(inert(b.data, 1), "every byte value: TEXT output has no controls but LF");
	mb_buf_release(&b);
	s = mb_sanitize("\xe2\x80\xae\xc2\x9b\x1b\x07\x08\r", MB_SANITIZE_LINE);
	ok(inert(s, 0), "mixed hostile string inert");
	free(s);
}

static void
test_width(void)
{
	size_t w;

	is_int(mb_display_width("abc", 3), 3, "ASCII width");
	is_int(mb_display_width("caf\xc3\xa9", 5), 4, "precomposed e-acute is 1 column");
	is_int(mb_display_width("cafe\xcc\x81", 6), 4, "combining accent is 0 columns");
	is_int(mb_display_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4, "CJK is 2 columns each");
	is_int(mb_display_width("\xef\xbc\xa1", 3), 2, "fullwidth A is 2 columns");
	is_int(mb_display_width("a\xff", 2), 2, "an invalid byte counts 1");
	is_int(mb_width_truncate("abcdef", 6, 3, &w), 3, "truncate ASCII to 3");
	is_int(w, 3, "truncate ASCII width");
	is_int(mb_width_truncate("\xe6\x97\xa5\xe6\x9c\xac", 6, 3, &w), 3,
	       "a wide char that does not fit is left out");
	is_int(w, 2, "so the width is 2 of 3");
	is_int(mb_width_truncate("e\xcc\x81x", 4, 1, &w), 3, "combining mark stays with its base");
	is_int(mb_width_truncate("caf\xc3\xa9", 5, 4, &w), 5, "never splits a 2-byte char");
	is_int(mb_width_truncate("caf\xc3\xa9", 5, 3, &w), 3, "cut before the 2-byte char");
	is_int(mb_width_truncate("abc", 3, 10, &w), 3, "short string whole");
}

static void
test_fit(void)
{
	char *s;

	s = mb_width_fit("abc", 5);
	is_str(s, "abc  ", "fit pads");
	free(s);
	s = mb_width_fit("abcdef", 4);
	is_str(s, "abc\xe2\x80\xa6", "fit cuts with an ellipsis");
	free(s);
	s = mb_width_fit("abcd", 4);
	is_str(s, "abcd", "fit exact");
	free(s);
	s = mb_width_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4);
	is_str(s, "\xe6\x97\xa5\xe2\x80\xa6 ", "fit wide: char, ellipsis, pad to the column");
	is_int(mb_display_width(s, strlen(s)), 4, "fit wide is exactly 4 columns");
	free(s);
}

static void
test_utf8(void)
{
	struct mb_buf b = MB_BUF_INIT;
	uint32_t cp;

	is_int(mb_utf8_next("A", 1, &cp), 1, "ASCII length");
	is_int(cp, 'A', "ASCII code point");
	is_int(mb_utf8_next("\xe2\x82\xac", 3, &cp), 3, "euro length");
	is_int(cp, 0x20AC, "euro code point");
	is_int(mb_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4, "emoji length");
	is_int(cp, 0x1F600, "emoji code point");
	is_int(mb_utf8_next("\xe2\x82", 2, &cp), 2, "truncated: maximal subpart 2");
	ok(cp == MB_UTF8_INVALID, "truncated is invalid");
	is_int(mb_utf8_next("\x80", 1, &cp), 1, "lone continuation 1");
	ok(mb_utf8_valid("", 0), "empty is valid");
	ok(!mb_utf8_valid("\xc3", 1), "lone lead invalid");
	mb_utf8_repair_add(&b,
	                   "a\xff"
	                   "b\xe2\x82",
	                   5);
	is_str(b.data,
	       "a\xef\xbf\xbd"
	       "b\xef\xbf\xbd",
	       "repair replaces with U+FFFD");
	mb_buf_reset(&b);
	mb_utf8_add(&b, 0xD800);
	is_str(b.data, "\xef\xbf\xbd", "a surrogate is written as U+FFFD");
	mb_buf_release(&b);
	ok(mb_cp_hidden(0x202E), "RLO is hidden");
	ok(!mb_cp_hidden('a'), "a is not");
}

int
main(void)
{
	test_empty();
	test_controls();
	test_unicode();
	test_hostile_all_bytes();
	test_width();
	test_fit();
	test_utf8();
	return done_testing();
}
