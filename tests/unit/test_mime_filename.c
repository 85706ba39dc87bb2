/* Unit tests: src/mime/filename.c (safe base names for saving attachments, plan row 34). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "tap.h"

/* No separator, control, hidden character, "..", leading dot; not empty. */
static int
safe(const char *s)
{
	size_t i = 0, n, len = strlen(s);
	uint32_t cp;

	if (len == 0 || s[0] == '.' || strstr(s, "..") != NULL || !mb_utf8_valid(s, len))
		return 0;
	while (i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == '/' || cp == '\\' || cp < 0x20 || cp == 0x7F || mb_cp_hidden(cp))
			return 0;
		i += n;
	}
	return 1;
}

static void
fn_is(const char *in, const char *type, unsigned n, const char *want, const char *name)
{
	char *s = mb_filename_safe(in, type, n);

	is_str(s, want, "%s", name);
	ok(safe(s), "%s: safe", name);
	free(s);
}

int
main(void)
{
	struct mb_buf b = MB_BUF_INIT;
	char *s;
	size_t i;

	fn_is(NULL, NULL, 1, "attachment-1.bin", "NULL name");
	fn_is("", "image/png", 2, "attachment-2.png", "empty name, type gives the extension");
	fn_is("", "application/pdf; name=x", 3, "attachment-3.pdf", "type with parameters");
	fn_is("", "x-unknown/thing", 4, "attachment-4.bin", "unknown type");
	fn_is("report.pdf", NULL, 1, "report.pdf", "ordinary name kept");
	fn_is("r\xc3\xa9sum\xc3\xa9 2024.pdf", NULL, 1, "r\xc3\xa9sum\xc3\xa9 2024.pdf",
	      "UTF-8 and blanks kept");
	fn_is("../../.bashrc", NULL, 1, "bashrc", "../../.bashrc");
	fn_is("/etc/passwd", NULL, 1, "passwd", "/etc/passwd");
	fn_is("a/../../b", NULL, 1, "b", "a/../../b");
	fn_is("..\\x", NULL, 1, "x", "..\\x");
	fn_is("C:\\Windows\\evil.dll", NULL, 1, "evil.dll", "Windows path");
	fn_is(".bashrc", NULL, 1, "bashrc", ".bashrc");
	fn_is("..", NULL, 5, "attachment-5.bin", "..");
	fn_is("../..", NULL, 6, "attachment-6.bin", "../..");
	fn_is("dir/", NULL, 1, "dir", "trailing slash");
	fn_is("...", NULL, 7, "attachment-7.bin", "only dots");
	fn_is("a..b", NULL, 1, "a.b", "no .. inside");
	fn_is("name. ", NULL, 1, "name", "trailing dot and blank");
	fn_is("  spaced", NULL, 1, "spaced", "leading blanks");
	fn_is("-rf", NULL, 1, "_rf", "leading dash");
	fn_is("a\x01\x1b[31mb\x7f.txt", NULL, 1, "a[31mb.txt", "control characters dropped");
	fn_is("a\xc2\x9b"
	      "b",
	      NULL, 1, "ab", "C1 control dropped");
	fn_is("invoice\xe2\x80\xae"
	      "fdp.exe",
	      NULL, 1, "invoicefdp.exe", "RLO removed: the real extension shows");
	fn_is("pay\xe2\x80\x8bpal.pdf", NULL, 1, "paypal.pdf", "zero-width space removed");
	fn_is("\xef\xbb\xbf"
	      "bom.txt",
	      NULL, 1, "bom.txt", "BOM removed");
	fn_is("what?*:<>|\".txt", NULL, 1, "what_______.txt",
	      "shell and Windows specials replaced");
	fn_is("bad\xff.txt", NULL, 1, "bad_.txt", "invalid UTF-8 replaced");
	fn_is("\xe2\x80\xae", "text/plain", 8, "attachment-8.txt", "only an RLO");
	fn_is("/", "message/rfc822", 9, "attachment-9.eml", "only a slash");

	for (i = 0; i < 4096; i++)
		mb_buf_addch(&b, 'a');
	mb_buf_addstr(&b, ".pdf");
	s = mb_filename_safe(b.data, NULL, 1);
	ok(strlen(s) <= 200, "4 KB name capped (%zu bytes)", strlen(s));
	ok(strlen(s) > 4 && strcmp(s + strlen(s) - 4, ".pdf") == 0, "extension kept");
	ok(safe(s), "long name safe");
	free(s);
	mb_buf_reset(&b);
	for (i = 0; i < 2000; i++)
		mb_buf_addstr(&b, "\xe6\x97\xa5");
	mb_buf_addstr(&b, ".txt");
	s = mb_filename_safe(b.data, NULL, 1);
	ok(strlen(s) <= 200, "long CJK name capped");
	ok(mb_utf8_valid(s, strlen(s)), "cut on a character boundary");
	ok(strcmp(s + strlen(s) - 4, ".txt") == 0, "CJK: extension kept");
	free(s);
	mb_buf_reset(&b);
	for (i = 0; i < 300; i++)
		mb_buf_addch(&b, 'x');
	mb_buf_addstr(&b, ".averyveryverylongextension");
	s = mb_filename_safe(b.data, NULL, 1);
	ok(strlen(s) <= 200 && safe(s), "overlong extension: cut, safe");
	free(s);
	mb_buf_release(&b);
	return done_testing();
}
