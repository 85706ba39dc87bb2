/* Unit tests: src/mime/params.c (Content-Type / Content-Disposition, RFC 2231). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mime/private.h"
#include "tap.h"

static struct mime_ctype ct;

static void
parse(const char *s, bool sub)
{
	mime_ctype_release(&ct);
	mime_ctype_parse(&ct, s, s != NULL ? strlen(s) : 0, sub);
}

static const char *
param(const char *name)
{
	return mime_param_get(ct.params, ct.nparams, name);
}

static void
test_empty(void)
{
	parse(NULL, true);
	is_str(ct.type, NULL, "NULL: no type");
	is_int(ct.nparams, 0, "NULL: no parameters");
	parse("", true);
	is_str(ct.type, NULL, "empty: no type");
	parse(";", true);
	is_int(ct.nparams, 0, "lone ';'");
	parse("text/", true);
	is_str(ct.type, NULL, "type without subtype after '/' is unreadable");
}

static void
test_types(void)
{
	parse("Text/HTML; Charset=\"UTF-8\"", true);
	is_str(ct.type, "text", "type lower-cased");
	is_str(ct.subtype, "html", "subtype lower-cased");
	is_str(param("charset"), "UTF-8", "quoted value unquoted, name lower-cased");
	parse(" text / plain (a comment) ; charset = us-ascii (Plain text)", true);
	is_str(ct.subtype, "plain", "blanks and comments around '/'");
	is_str(param("charset"), "us-ascii", "comment after the value dropped");
	parse("text plain", true);
	is_str(ct.type, NULL, "\"text plain\" is unreadable");
	parse("application-x-gzip; name=\"document.xml.gz\"", true);
	is_str(ct.type, NULL, "no slash: unreadable");
	is_str(param("name"), "document.xml.gz", "but its parameters are kept");
	parse("attachment; filename=a.txt", false);
	is_str(ct.type, "attachment", "disposition type");
	is_str(param("filename"), "a.txt", "disposition filename");
	parse(";\n filename=\"x.png\"", false);
	is_str(ct.type, NULL, "disposition ';' only");
	is_str(param("filename"), "x.png", "filename after an empty type");
}

static void
test_values(void)
{
	parse("multipart/mixed boundary=\"abc\"", true);
	is_str(param("boundary"), "abc", "missing ';' before a parameter");
	parse("multipart/alternative; boundary=----=_NextPart_000_0093_01C81419.EB75E850", true);
	is_str(param("boundary"), "----=_NextPart_000_0093_01C81419.EB75E850",
	       "unquoted value with '='");
	parse("text/plain; name=my file.txt", true);
	is_str(param("name"), "my file.txt", "unquoted value with a blank");
	parse("text/plain; a=1 b=2", true);
	is_str(param("a"), "1", "two parameters without ';' (1)");
	is_str(param("b"), "2", "two parameters without ';' (2)");
	parse("text/plain; name=\"a \\\"quoted\\\" \\\\ name\"", true);
	is_str(param("name"), "a \"quoted\" \\ name", "backslash escapes in quotes");
	parse("text/plain; name=\"unterminated", true);
	is_str(param("name"), "unterminated", "unterminated quote runs to the end");
	parse("text/plain; name=caf\xc3\xa9.txt", true);
	is_str(param("name"), "caf\xc3\xa9.txt", "8-bit unquoted value kept raw");
	parse("text/plain; name=\"first\"; name=\"second\"", true);
	is_str(param("name"), "first", "duplicate parameter: first wins");
	parse("text/plain; =x; y; \"z\"=1; charset=utf-8", true);
	is_str(param("charset"), "utf-8", "junk parameters skipped");
	parse("multipart/mixed; boundary=\"\\\"\"", true);
	is_str(param("boundary"), "\"", "boundary=\"\\\"\" (the libetpan crash) is one quote");
	parse("multipart/mixed; boundary=\"\"", true);
	is_str(param("boundary"), "", "empty boundary");
}

static void
test_rfc2231(void)
{
	parse("attachment; filename*=UTF-8''%C3%A9t%C3%A9.txt", false);
	is_str(param("filename"), "\xc3\xa9t\xc3\xa9.txt", "extended value");
	parse("attachment; filename*=iso-8859-1'fr'caf%E9", false);
	is_str(param("filename"), "caf\xc3\xa9", "extended with charset and language");
	parse("attachment; filename*0=\"long \"; filename*1=\"name\"; filename*2=.txt", false);
	is_str(param("filename"), "long name.txt", "continuations");
	parse("attachment; filename*0*=UTF-8''%C3; filename*1*=%A9.txt", false);
	is_str(param("filename"), "\xc3\xa9.txt", "encoded continuations join bytes first");
	parse("attachment; filename*1=b; filename*0=a", false);
	is_str(param("filename"), "ab", "sections out of order");
	parse("attachment; filename*0=a; filename*2=c", false);
	is_str(param("filename"), "a", "a gap ends the value");
	parse("attachment; filename=plain.txt; filename*=UTF-8''ext.txt", false);
	is_str(param("filename"), "ext.txt", "RFC 2231 form wins over the plain one");
	parse("attachment; filename*1=orphan; filename=plain", false);
	is_str(param("filename"), "plain", "sections without 0 ignored");
	parse("multipart/mixed; boundary*0*=us-ascii''%3D_abc; boundary*1*=24f3", true);
	is_str(param("boundary"), "=_abc24f3", "continued encoded boundary");
	parse("attachment; filename*=x-bogus''caf%E9", false);
	is_str(param("filename"), "caf\xc3\xa9", "unknown charset: fallback");
	parse("attachment; filename*=UTF-8''%ZZ%4", false);
	is_str(param("filename"), "%ZZ%4", "bad percent escapes kept");
	parse("attachment; filename*=noquotes%41", false);
	is_str(param("filename"), "noquotesA", "no charset part");
	parse("attachment; filename*0*=UTF-8''%00x", false);
	is_str(param("filename"), "\xef\xbf\xbdx", "NUL from %%00 becomes U+FFFD");
	parse("attachment; filename*99999=x; f*=y", false);
	is_str(param("f"), "y", "silly section number tolerated");
}

static void
test_limits(void)
{
	char buf[64 * 1024];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "text/plain");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "; p%d=v", i);
	parse(buf, true);
	ok(ct.nparams <= MB_MIME_MAX_PARAMS, "parameter count capped");
	is_str(param("p0"), "v", "the first ones kept");
	n = (size_t)snprintf(buf, sizeof(buf), "text/plain");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "; x*%d=a", i);
	parse(buf, true);
	ok(param("x") != NULL && strlen(param("x")) <= MB_MIME_MAX_PARAMS,
	   "many sections: bounded");
}

int
main(void)
{
	test_empty();
	test_types();
	test_values();
	test_rfc2231();
	test_limits();
	mime_ctype_release(&ct);
	return done_testing();
}
