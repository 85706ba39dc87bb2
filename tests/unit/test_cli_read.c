/*
 * test_cli_read.c: the helpers of the reading commands (src/cli/read.h):
 * ids and counts, sizes and times, table cells, and the JSON, TSV and
 * Markdown escapers on hostile input.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/read.h"
#include "mailbench/buf.h"
#include "mailbench/cli.h"
#include "mailbench/sanitize.h"
#include "tap.h"

static char *
json(const char *s, size_t len)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_cli_json_str(&b, s, len);
	return mb_buf_detach(&b, NULL);
}

static char *
tsv(const char *s, size_t len)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_cli_tsv_field(&b, s, len);
	return mb_buf_detach(&b, NULL);
}

static char *
md(const char *s)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_cli_md_cell(&b, s);
	return mb_buf_detach(&b, NULL);
}

static void
check_json(const char *in, size_t len, const char *want, const char *name)
{
	char *got = json(in, len);

	is_str(got, want, "json: %s", name);
	ok(mb_utf8_valid(got, strlen(got)), "json: %s: valid UTF-8", name);
	free(got);
}

static void
check_tsv(const char *in, size_t len, const char *want, const char *name)
{
	char *got = tsv(in, len);
	size_t i;
	int clean = 1;

	is_str(got, want, "tsv: %s", name);
	for (i = 0; got[i]; i++)
		if ((unsigned char)got[i] < 0x20 || got[i] == 0x7f)
			clean = 0;
	ok(clean && mb_utf8_valid(got, strlen(got)), "tsv: %s: no control byte, valid UTF-8", name);
	free(got);
}

static void
test_json(void)
{
	char all[32];
	char *got;
	size_t i;
	int bad = 0;

	check_json(NULL, 0, "\"\"", "NULL is the empty string");
	check_json("", 0, "\"\"", "empty");
	check_json("plain", 5, "\"plain\"", "ASCII as it is");
	check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash");
	check_json("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"", "short escapes");
	check_json("\x1b[2J\x07", 5, "\"\\u001b[2J\\u0007\"", "ESC and BEL as \\u");
	check_json("a\0b", 3, "\"a\\u0000b\"", "NUL inside");
	check_json("\x7f", 1, "\"\\u007f\"", "DEL");
	check_json("\xc2\x9b"
	           "31m",
	           5, "\"\\u009b31m\"", "C1 CSI");
	check_json("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"", "line separators");
	check_json("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa7", 17,
	           "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa7\"", "UTF-8 passes");
	check_json("\xe2\x80\xae"
	           "evil",
	           7, "\"\\u202eevil\"", "bidi override escaped");
	check_json("a\xe2\x80\x8b"
	           "b",
	           5, "\"a\\u200bb\"", "zero-width space escaped");
	check_json("\xf3\xa0\x80\x81", 4, "\"\\udb40\\udc01\"",
	           "tag character as a surrogate pair");
	check_json("a\xff"
	           "b\xc3",
	           4, "\"a\\ufffdb\\ufffd\"", "invalid UTF-8 repaired");
	check_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "surrogate repaired");
	check_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "overlong slash repaired");

	/* every C0 control is escaped, none left raw */
	for (i = 0; i < 31; i++)
		all[i] = (char)(i + 1);
	got = json(all, 31);
	for (i = 0; got[i]; i++)
		if ((unsigned char)got[i] < 0x20)
			bad = 1;
	ok(!bad, "json: no raw control byte for any of 0x01..0x1f");
	free(got);
}

static void
test_tsv(void)
{
	check_tsv("", 0, "", "empty");
	check_tsv("a\tb\nc\rd\\e", 9, "a\\tb\\nc\\rd\\\\e", "tab, newline, CR, backslash");
	check_tsv("\x1b]52;c;x\x07", 9, "\\x1b]52;c;x\\x07", "OSC 52 made inert");
	check_tsv("\x7f", 1, "\\x7f", "DEL");
	check_tsv("\xc2\x85", 2, "\\u0085", "C1 NEL");
	check_tsv("\xe2\x80\xae"
	          "x",
	          4, "\\u202ex", "bidi override");
	check_tsv("\xf3\xa0\x80\x81", 4, "\\U000e0001", "tag character");
	check_tsv("\xff", 1, "\xef\xbf\xbd", "invalid byte becomes U+FFFD");
	check_tsv("Gr\xc3\xbc\xc3\x9f"
	          "e",
	          7,
	          "Gr\xc3\xbc\xc3\x9f"
	          "e",
	          "UTF-8 passes");
}

static void
test_md(void)
{
	char *got;

	got = md(NULL);
	is_str(got, "\xe2\x80\x94", "md: NULL is an em dash");
	free(got);
	got = md("a|b`c");
	is_str(got, "a\\|b\\`c", "md: pipe and backtick escaped");
	free(got);
	got = md("<script>*x*_y_[l](u)\\");
	is_str(got, "\\<script\\>\\*x\\*\\_y\\_\\[l\\](u)\\\\",
	       "md: HTML, emphasis, links escaped");
	free(got);
	got = md("two\nlines\x1b[31m");
	ok(strchr(got, '\n') == NULL && strchr(got, '\x1b') == NULL, "md: one line, no ESC");
	free(got);
}

static void
test_numbers(void)
{
	int64_t id = 0;
	long n = 0;
	char buf[32];

	is_int(mb_cli_parse_id("t", "ID", "42", &id), 0, "id 42 parses");
	is_int(id, 42, "id is 42");
	is_int(mb_cli_parse_id("t", "ID", "9223372036854775807", &id), 0, "id 2^63-1 parses");
	is_int(mb_cli_parse_id("t", "ID", "9223372036854775808", &id), MB_EXIT_USAGE,
	       "id 2^63 is refused");
	is_int(mb_cli_parse_id("t", "ID", "0", &id), MB_EXIT_USAGE, "id 0 is refused");
	is_int(mb_cli_parse_id("t", "ID", "-1", &id), MB_EXIT_USAGE, "id -1 is refused");
	is_int(mb_cli_parse_id("t", "ID", "12abc", &id), MB_EXIT_USAGE, "id 12abc is refused");
	is_int(mb_cli_parse_id("t", "ID", "", &id), MB_EXIT_USAGE, "empty id is refused");
	is_int(mb_cli_parse_id("t", "ID", " 1", &id), MB_EXIT_USAGE, "blank before id refused");
	is_int(mb_cli_parse_count("t", "--limit", "0", 100, &n), 0, "count 0 parses");
	is_int(mb_cli_parse_count("t", "--limit", "100", 100, &n), 0, "count at max parses");
	is_int(n, 100, "count is 100");
	is_int(mb_cli_parse_count("t", "--limit", "101", 100, &n), MB_EXIT_USAGE,
	       "count over max refused");

	mb_cli_size(buf, sizeof buf, 0);
	is_str(buf, "0", "size 0");
	mb_cli_size(buf, sizeof buf, 1023);
	is_str(buf, "1023", "size 1023");
	mb_cli_size(buf, sizeof buf, 1536);
	is_str(buf, "1.5K", "size 1.5K");
	mb_cli_size(buf, sizeof buf, 5 * 1024 * 1024);
	is_str(buf, "5.0M", "size 5.0M");
	mb_cli_size(buf, sizeof buf, 300 * 1024);
	is_str(buf, "300K", "size 300K");
	mb_cli_time_iso(buf, sizeof buf, 1714559462);
	is_str(buf, "2024-05-01T10:31:02Z", "ISO time in UTC");
	mb_cli_time(buf, sizeof buf, 0, 1);
	is_str(buf, "-", "unknown time is -");
}

static void
test_cells(void)
{
	struct mb_buf b = MB_BUF_INIT;

	mb_cli_cell(&b, "ab", 5);
	is_str(b.data, "ab   ", "cell pads");
	mb_buf_reset(&b);
	mb_cli_cell(&b, "abcdefgh", 5);
	is_int(mb_display_width(b.data, b.len), 5, "cell cuts to the width");
	mb_buf_reset(&b);
	mb_cli_cell(&b, "a\x1b[2Jb\nc", 20);
	ok(strchr(b.data, '\x1b') == NULL && strchr(b.data, '\n') == NULL,
	   "cell sanitises ESC and LF");
	is_int(mb_display_width(b.data, b.len), 20, "sanitised cell keeps its width");
	mb_buf_reset(&b);
	mb_cli_cell(&b, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5);
	is_int(mb_display_width(b.data, b.len), 5, "wide characters fit exactly");
	mb_buf_reset(&b);
	mb_cli_cell_last(&b, "short", 20);
	is_str(b.data, "short", "last cell is not padded");
	mb_buf_reset(&b);
	mb_cli_cell_right(&b, "42", 5);
	is_str(b.data, "   42", "right-aligned cell");
	mb_buf_release(&b);
}

static void
test_wrap(void)
{
	struct mb_buf b = MB_BUF_INIT;
	char long_word[101];

	mb_cli_wrap(&b, "one two three", 4, 80);
	is_str(b.data, "    one two three\n", "wrap: short text on one indented line");
	mb_buf_reset(&b);
	mb_cli_wrap(&b, "aaaa bbbb cccc dddd eeee ffff gggg hhhh", 2, 24);
	is_str(b.data, "  aaaa bbbb cccc dddd\n  eeee ffff gggg hhhh\n",
	       "wrap: at blanks, indented");
	mb_buf_reset(&b);
	memset(long_word, 'x', 100);
	long_word[100] = '\0';
	mb_cli_wrap(&b, long_word, 0, 40);
	is_str(b.data,
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	       "xxxxxxxxxxxxxxxxxxxx\n",
	       "wrap: a long word is cut");
	mb_buf_reset(&b);
	mb_cli_wrap(&b, "evil\x1b[2J\ntext", 0, 80);
	is_str(b.data, "evil^[[2J^Jtext\n", "wrap: sanitised");
	mb_buf_reset(&b);
	mb_cli_wrap(&b, "", 2, 80);
	is_str(b.data, "", "wrap: empty gives nothing");
	mb_buf_release(&b);
}

int
main(void)
{
	test_json();
	test_tsv();
	test_md();
	test_numbers();
	test_cells();
	test_wrap();
	return done_testing();
}
