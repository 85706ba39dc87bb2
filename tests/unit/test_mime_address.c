/* Unit tests: src/mime/address.c (address lists for display and addr-specs). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "tap.h"

/* Parse and format, compare the display string. */
static void
fmt_is(const char *in, const char *want, const char *name)
{
	struct mb_address_list l;
	char *s;

	mb_address_list_parse(&l, in);
	s = mb_address_list_format(&l);
	is_str(s, want, "%s", name);
	free(s);
	mb_address_list_release(&l);
}

static void
specs_is(const char *in, const char *want, const char *name)
{
	struct mb_buf b = MB_BUF_INIT;
	char **v = mb_address_specs(in, NULL);
	size_t i;

	for (i = 0; v[i] != NULL; i++)
		mb_buf_addf(&b, "%s%s", i > 0 ? "|" : "", v[i]);
	is_str(b.data, want, "specs: %s", name);
	mb_strv_free(v);
	mb_buf_release(&b);
}

static void
test_empty(void)
{
	struct mb_address_list l;
	size_t n = 99;
	char **v;

	mb_address_list_parse(&l, NULL);
	is_int(l.n, 0, "NULL: no addresses");
	mb_address_list_release(&l);
	mb_address_list_release(NULL);
	fmt_is("", "", "empty");
	fmt_is("   ", "", "blanks");
	fmt_is(",,,;;;", "", "only separators");
	v = mb_address_specs(NULL, &n);
	is_int(n, 0, "specs of NULL");
	ok(v[0] == NULL, "specs of NULL: empty vector");
	mb_strv_free(v);
	mb_strv_free(NULL);
}

static void
test_forms(void)
{
	struct mb_address_list l;

	mb_address_list_parse(&l, "Alice Example <alice@example.org>");
	is_int(l.n, 1, "one mailbox");
	is_str(l.v[0].name, "Alice Example", "display name");
	is_str(l.v[0].addr, "alice@example.org", "addr-spec");
	is_str(l.v[0].group, NULL, "no group");
	mb_address_list_release(&l);
	fmt_is("a@x", "a@x", "bare addr-spec");
	fmt_is("<a@x>", "a@x", "angle only");
	fmt_is("a@x (Alice)", "Alice <a@x>", "comment gives the name");
	fmt_is("\"Doe, John\" <j@x>", "\"Doe, John\" <j@x>", "quoted name with a comma");
	fmt_is("\"Bob \\\"the\\\" Builder\" <b@x>", "\"Bob \\\"the\\\" Builder\" <b@x>",
	       "escaped quotes");
	fmt_is("a@x, B <b@y>,c@z", "a@x, B <b@y>, c@z", "a list");
	fmt_is("A <a@x>, ", "A <a@x>", "trailing comma");
	fmt_is("<@route1,@route2:user@host>", "user@host", "source route dropped");
	fmt_is("\"KLAUS- H\xc3\x84NSCHEL\" <>", "KLAUS- H\xc3\x84NSCHEL <>", "empty angle address");
	fmt_is("Bob Dunite <bob@extern> Bobby Dunite <bobby@extern>",
	       "Bob Dunite <bob@extern>, Bobby Dunite <bobby@extern>",
	       "missing comma between mailboxes");
	fmt_is("a@x b@y", "a@x, b@y", "missing comma between bare addresses");
	fmt_is("a @ example . org", "a@example.org", "obsolete blanks in an addr-spec");
	fmt_is("John (comment) <j@x>", "John <j@x>", "comment inside the name dropped");
	fmt_is("(only (nested) comment) x@y", "\"only (nested) comment\" <x@y>", "nested comment");
	fmt_is("undisclosed recipients", "undisclosed recipients", "not an address at all");
}

static void
test_groups(void)
{
	struct mb_address_list l;

	mb_address_list_parse(&l, "team: a@x, B <b@y>;, c@z");
	is_int(l.n, 3, "group: three addresses");
	is_str(l.v[0].group, "team", "first in the group");
	is_str(l.v[1].group, "team", "second in the group");
	is_str(l.v[2].group, NULL, "after the group");
	mb_address_list_release(&l);
	fmt_is("team: a@x, B <b@y>;, c@z", "team: a@x, B <b@y>;, c@z", "group display");
	fmt_is("undisclosed-recipients:;", "undisclosed-recipients:;", "empty group");
	fmt_is("unlisted-recipients:; (no To-header on input)", "unlisted-recipients:;",
	       "empty group with a comment");
	fmt_is("g: a@x", "g: a@x;", "unterminated group");
	specs_is("team: a@x, B <b@y>;, c@z", "a@x|b@y|c@z", "group members");
	specs_is("undisclosed-recipients:;", "", "empty group has no specs");
}

static void
test_encoded(void)
{
	fmt_is("=?UTF-8?Q?H=C3=B6rst=2C_Kenny?= <K.Hoerst@invalid>, Bug Reporter <new@x>",
	       "\"H\xc3\xb6rst, Kenny\" <K.Hoerst@invalid>, Bug Reporter <new@x>",
	       "encoded comma stays in the name");
	fmt_is("\"=?UTF-8?Q?Miros=C5=82aw_Marczak?=\" <m@x>",
	       "Miros\xc5\x82"
	       "aw Marczak <m@x>",
	       "encoded word inside quotes decoded");
	fmt_is("=?ISO-8859-1?Q?Andr=E9?= Pirard <p@x>", "Andr\xc3\xa9 Pirard <p@x>",
	       "encoded word next to plain text");
	fmt_is("=?utf-8?Q?a:b?= <x@y>", "\"a:b\" <x@y>",
	       "a colon inside an encoded word is no group");
	fmt_is("Caf\xe9 <c@x>", "Caf\xc3\xa9 <c@x>", "raw Latin-1 name");
	/* found by fuzz_mime: raw 8-bit bytes where the addr-spec goes */
	fmt_is("\xff\xff"
	       "c",
	       "\xc3\xbf\xc3\xbf"
	       "c",
	       "8-bit non-address made UTF-8");
	fmt_is("<caf\xe9@x>", "caf\xc3\xa9@x", "8-bit addr-spec made UTF-8");
	fmt_is("=?UTF-8?B?4oCuZXZpbA==?= <e@x>",
	       "\xe2\x80\xae"
	       "evil <e@x>",
	       "RLO in a name is decoded (the sanitiser marks it)");
}

static void
test_specs(void)
{
	size_t n;
	char **v;

	specs_is("Alice <alice@example.org>, bob@example.org", "alice@example.org|bob@example.org",
	         "two specs");
	specs_is("\"x@evil\" <real@good>", "real@good", "an address-looking name is not the spec");
	specs_is("A <>", "", "empty angle has no spec");
	v = mb_address_specs("a@x, b@y, c@z", &n);
	is_int(n, 3, "count");
	mb_strv_free(v);
}

static void
test_limits(void)
{
	struct mb_buf b = MB_BUF_INIT;
	struct mb_address_list l;
	clock_t t0;
	size_t i;

	for (i = 0; i < 100000; i++)
		mb_buf_addf(&b, "u%zu@example.org, ", i);
	t0 = clock();
	mb_address_list_parse(&l, b.data);
	diag("100000 addresses: %.3f s", (double)(clock() - t0) / CLOCKS_PER_SEC);
	is_int(l.n, MB_MIME_MAX_ADDRESSES, "addresses capped");
	is_int(l.ndropped, 100000 - MB_MIME_MAX_ADDRESSES, "the rest counted");
	mb_address_list_release(&l);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, ";;;;");
	mb_address_list_parse(&l, b.data);
	is_int(l.n, 0, "400000 semicolons: nothing");
	mb_address_list_release(&l);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, "g:;");
	mb_address_list_parse(&l, b.data);
	is_int(l.n, MB_MIME_MAX_ADDRESSES, "100000 empty groups: capped");
	mb_address_list_release(&l);
	mb_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		mb_buf_addstr(&b, "((((");
	mb_address_list_parse(&l, b.data);
	is_int(l.n, 0, "unclosed nested comments: nothing");
	mb_address_list_release(&l);
	mb_buf_release(&b);
}

int
main(void)
{
	test_empty();
	test_forms();
	test_groups();
	test_encoded();
	test_specs();
	test_limits();
	return done_testing();
}
