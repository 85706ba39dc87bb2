/* Unit tests: src/mime/html.c (HTML to readable text). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "tap.h"

static void
html_is(const char *in, const char *want, const char *name)
{
	size_t n = 0;
	char *s = mb_html_to_text(in, in != NULL ? strlen(in) : 0, &n);

	is_str(s, want, "%s", name);
	is_int(n, strlen(s), "%s: length", name);
	free(s);
}

static void
test_basic(void)
{
	html_is(NULL, "", "NULL");
	html_is("", "", "empty");
	html_is("plain text", "plain text", "no tags");
	html_is("<b>bold</b> and <i>italic</i>", "bold and italic", "inline tags stripped");
	html_is("a   b\n\t c", "a b c", "blanks collapsed");
	html_is("<p>one</p><p>two</p>", "one\n\ntwo", "paragraphs");
	html_is("line<br>break<br/>again<br />x", "line\nbreak\nagain\nx", "br");
	html_is("<div>a</div><div>b</div>", "a\nb", "divs");
	html_is("<h1>Title</h1>text", "Title\n\ntext", "heading");
	html_is("<ul><li>one</li><li>two</li></ul>", "- one\n- two", "list items");
	html_is("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc",
	        "table cells");
	html_is("<pre>  keep\n    this</pre>after", "  keep\n    this\n\nafter",
	        "pre keeps blanks");
	html_is("x<br><br><br><br><br>y", "x\n\ny", "at most one empty line");
	html_is("<html><head><title>T</title><style>p{color:red}</style></head>"
	        "<body><script>alert(1)</script>visible</body></html>",
	        "visible", "head, title, style, script skipped");
	html_is("<SCRIPT type=x>var a = '</b>';</SCRIPT>ok", "ok", "script with tags inside");
	html_is("<!-- a comment <b> -->shown", "shown", "comment skipped");
	html_is("<!--[if mso]><xml><o:x>96</o:x></xml><![endif]-->ok", "ok", "Outlook conditional");
	html_is("<xml><o:OfficeDocumentSettings>96</o:OfficeDocumentSettings></xml>text", "text",
	        "xml island skipped");
	html_is("<!DOCTYPE html><?xml version=\"1.0\"?>doc", "doc", "declarations skipped");
	html_is("a < b and c > d", "a < b and c > d", "lone brackets kept");
}

static void
test_entities(void)
{
	html_is("&amp; &lt; &gt; &quot; &apos;", "& < > \" '", "basic entities");
	html_is("a&nbsp;&nbsp;b", "a  b", "nbsp is a blank that stays");
	html_is("&#65;&#x42;&#X43;", "ABC", "numeric entities");
	html_is("&#233;t&#xe9;", "\xc3\xa9t\xc3\xa9", "numeric to UTF-8");
	html_is("&copy; &euro; &hellip; &mdash;", "\xc2\xa9 \xe2\x82\xac \xe2\x80\xa6 \xe2\x80\x94",
	        "named entities");
	html_is("&amp without semicolon", "& without semicolon", "classic entity without ';'");
	html_is("&copy without", "&copy without", "other entity needs ';'");
	html_is("&unknown; &", "&unknown; &", "unknown entity kept");
	html_is("&#0;&#xD800;&#x110000;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	        "bad code points replaced");
	html_is("&#99999999999;",
	        "\xef\xbf\xbd"
	        "999;",
	        "huge number bounded");
	html_is("&#27;[31m", "\x1b[31m", "an entity may produce ESC (the sanitiser shows it)");
}

static void
test_links(void)
{
	html_is("<a href=\"https://example.org/x\">click here</a>",
	        "click here <https://example.org/x>", "link text and URL");
	html_is("<a href='https://example.org'>https://example.org</a>", "https://example.org",
	        "URL shown once when it is the text");
	html_is("<a href=\"mailto:a@b\">a@b</a>", "a@b", "mailto same as text");
	html_is("<a href=\"#top\">top</a>", "top", "fragment links hidden");
	html_is("<a href=\"?a=1&amp;b=2\">q</a>", "q <?a=1&b=2>", "entities in href decoded");
	html_is("see <a href=x>this</a>.", "see this <x>.", "unquoted href");
	html_is("<a name=\"n\">anchor</a>", "anchor", "a without href");
	html_is("<img src=\"x.png\" alt=\"Logo\">", "[Logo]", "img alt");
	html_is("<a href=\"unterminated>text", "", "unterminated quote swallows the rest");
	html_is("<a href=\"javascript:alert(1)\">js</a>", "js", "javascript links hidden");
}

static void
test_hostile(void)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i, n;
	char *s;
	clock_t t0;

	for (i = 0; i < 200000; i++)
		mb_buf_addstr(&b, "<a href=x><b><div>");
	t0 = clock();
	s = mb_html_to_text(b.data, b.len, &n);
	diag("3.6 MB of tags: %.3f s", (double)(clock() - t0) / CLOCKS_PER_SEC);
	ok(n < b.len, "many tags: bounded output");
	free(s);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, "<script>");
	s = mb_html_to_text(b.data, b.len, &n);
	is_str(s, "", "unclosed scripts");
	free(s);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, "&#x");
	s = mb_html_to_text(b.data, b.len, &n);
	is_int(n, b.len, "broken entities kept");
	free(s);
	mb_buf_release(&b);
	/* found by fuzz_mime: a 5 KB href was cut at 4 KB inside a character */
	mb_buf_reset(&b);
	mb_buf_addstr(&b, "<a href=\"");
	for (i = 0; i < 4095; i++)
		mb_buf_addch(&b, 'u');
	mb_buf_addstr(&b, "\xc3\xa9\xc3\xa9\">t</a>");
	s = mb_html_to_text(b.data, b.len, &n);
	ok(mb_utf8_valid(s, n), "long href cut on a character boundary");
	like(s, "uuu>", "long href cut before the character");
	free(s);
	s = mb_html_to_text("a\xff<b>c", 7, &n);
	is_str(s,
	       "a\xef\xbf\xbd"
	       "c",
	       "invalid UTF-8 input repaired");
	free(s);
	mb_buf_release(&b);
	s = mb_html_to_text("<", 1, &n);
	is_str(s, "<", "lone '<'");
	free(s);
	s = mb_html_to_text("<a", 2, &n);
	is_str(s, "", "unterminated tag");
	free(s);
	s = mb_html_to_text("<!--", 4, &n);
	is_str(s, "", "unterminated comment");
	free(s);
	s = mb_html_to_text("x<p", 3, &n);
	is_str(s, "x", "unterminated p");
	free(s);
	s = mb_html_to_text("<a href=", 8, &n);
	is_str(s, "", "attribute at the end");
	free(s);
}

int
main(void)
{
	test_basic();
	test_entities();
	test_links();
	test_hostile();
	return done_testing();
}
