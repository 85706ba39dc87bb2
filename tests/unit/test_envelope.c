/* Unit tests: envelope versus headers (src/core/envelope.c). */
#include "config.h"

#include "mailbench/envelope.h"
#include "tap.h"

int
main(void)
{
	struct mb_env_report r;
	struct mb_env_hdr from = {"From", "Alice <alice@lab.test>", "alice@lab.test"};
	struct mb_env_hdr hdrs[] = {
	        {"To", "Bob <bob@lab.test>", "bob@lab.test"},
	        {"Cc", "erin@lab.test", "erin@lab.test"},
	};
	const char *rcpts[] = {"bob@LAB.test", "dave@lab.test", "nobody@lab.test"};
	int codes[] = {250, 250, 550};
	size_t i;
	int bcc = -1, only_hdr = -1, refused = -1;

	ok(mb_addr_same("a@X.org", "a@x.ORG"), "domains compare in any case");
	ok(!mb_addr_same("A@x.org", "a@x.org"), "local parts compare exactly");

	mb_envelope_compare("alice@lab.test", rcpts, codes, 3, &from, hdrs, 2, &r);
	is_int((int)r.n, 5, "a sender row, three recipients, one header-only recipient");
	is_int(r.rows[0].note, MB_ENV_SAME, "the same sender on both sides");
	is_int(r.rows[1].note, MB_ENV_SAME, "bob is in To: (domain case ignored)");
	for (i = 0; i < r.n; i++) {
		if (r.rows[i].note == MB_ENV_ONLY_ENVELOPE)
			bcc = (int)i;
		if (r.rows[i].note == MB_ENV_ONLY_HEADER)
			only_hdr = (int)i;
		if (r.rows[i].note == MB_ENV_REFUSED)
			refused = (int)i;
	}
	ok(bcc >= 0, "dave is envelope-only");
	if (bcc >= 0)
		like(r.rows[bcc].explain,
		     "dave@lab.test received this message but is in no header: a Bcc recipient",
		     "explained as a Bcc");
	ok(only_hdr >= 0, "erin is header-only");
	if (only_hdr >= 0)
		like(r.rows[only_hdr].explain, "erin@lab.test is in Cc: but not in the envelope",
		     "explained");
	ok(refused >= 0, "nobody was refused");
	if (refused >= 0)
		like(r.rows[refused].explain, "refused nobody@lab.test (550)", "explained");
	is_int((int)r.differences, 3, "three differences");
	mb_env_report_release(&r);

	mb_envelope_compare("boss@corp.example", rcpts, NULL, 1, &from, hdrs, 1, &r);
	is_int(r.rows[0].note, MB_ENV_SENDER_DIFFERS, "a different envelope sender is flagged");
	like(r.rows[0].explain, "this is how spoofing works", "and called what it looks like");
	mb_env_report_release(&r);

	mb_envelope_compare("", rcpts, NULL, 1, &from, hdrs, 1, &r);
	is_int(r.rows[0].note, MB_ENV_NULL_SENDER, "the null sender is explained");
	mb_env_report_release(&r);

	mb_envelope_compare("a@x", rcpts, NULL, 1, NULL, NULL, 0, &r);
	is_int(r.rows[0].note, MB_ENV_SENDER_DIFFERS, "no From: at all is flagged");
	like(r.rows[1].explain, "was sent", "without reply codes, 'was sent'");
	mb_env_report_release(&r);
	return done_testing();
}
