/* Unit tests: src/core/config.c and src/core/password.c (config file, presets, passwords). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailbench/config.h"
#include "mailbench/xalloc.h"
#include "tap.h"

static char tmpdir[256];

/* Parse text as "t.conf"; the error message, or NULL on success. */
static const char *
parse(struct mb_config *cfg, const char *text)
{
	static struct mb_error err;

	mb_error_clear(&err);
	if (mb_config_parse(cfg, "t.conf", text, strlen(text), &err) == 0)
		return NULL;
	return err.msg;
}

/* text must fail with exactly want, and leave cfg empty. */
static void
parse_fails(const char *text, size_t len, const char *want, const char *what)
{
	struct mb_config cfg;
	struct mb_error err = MB_ERROR_INIT;
	int r;

	memset(&cfg, 0x5a, sizeof cfg);
	r = mb_config_parse(&cfg, "t.conf", text, len, &err);
	is_int(r, -1, "%s: refused", what);
	is_str(err.msg, want, "%s: message", what);
	ok(err.kind == MB_ERR_CONFIG && cfg.naccounts == 0 && cfg.accounts == NULL &&
	           cfg.path == NULL && cfg.theme == NULL && cfg.default_account == NULL,
	   "%s: nothing loaded", what);
	mb_config_release(&cfg);
}

#define FAILS(text, want, what) parse_fails(text, strlen(text), want, what)

static void
test_errors(void)
{
	char *big;

	FAILS("[account a]\nsmtp_host = h\nsmtp_hots = x\n",
	      "t.conf:3: unknown key 'smtp_hots' (did you mean 'smtp_host'?)", "typo of a key");
	FAILS("[account a]\nsmtp_host = h\nSMTP_PORT = 25\n",
	      "t.conf:3: unknown key 'SMTP_PORT' (did you mean 'smtp_port'?)",
	      "keys are lower case");
	FAILS("[account a]\nsmtp_host = h\nzzzzzz = 1\n",
	      "t.conf:3: unknown key 'zzzzzz' in [account NAME]", "unknown key, nothing close");
	FAILS("[account a]\nusername = alice\n",
	      "t.conf:2: unknown key 'username' (did you mean 'user'?)", "another program's key");
	FAILS("[account a]\nsmtp_host = h\ntheme = dark\n",
	      "t.conf:3: key 'theme' belongs in the [ui] section, not in an account",
	      "ui key in an account");
	FAILS("[ui]\nidle = sometimes\n", "t.conf:2: bad idle 'sometimes': expected yes or no",
	      "idle takes yes or no");
	FAILS("[ui]\nsmtp_host = h\n",
	      "t.conf:2: key 'smtp_host' belongs in an [account NAME] section, not in [ui]",
	      "account key in [ui]");
	FAILS("[ui]\nthem = dark\n", "t.conf:2: unknown key 'them' (did you mean 'theme'?)",
	      "typo in [ui]");
	FAILS("# comment\n\n[acount x]\n",
	      "t.conf:3: unknown section '[acount x]': expected [account NAME] or [ui]",
	      "unknown section");
	FAILS("[account a\n", "t.conf:1: section header without closing ']'", "unclosed section");
	FAILS("# comment\n\nfrom = x\n",
	      "t.conf:3: key 'from' outside a section: put it under [account NAME] or [ui]",
	      "key outside a section");
	FAILS("[account a]\nsmtp_host = h\n\nsmtp_host = i\n",
	      "t.conf:4: duplicate key 'smtp_host' (first at line 2)", "duplicate key");
	FAILS("[account a]\nsmtp_host = h\n[account b]\nsmtp_host = h\n[account a]\nsmtp_host = "
	      "h\n",
	      "t.conf:5: duplicate account 'a' (first at line 1)", "duplicate account");
	FAILS("[ui]\ntheme = x\n[ui]\n", "t.conf:3: duplicate section '[ui]' (first at line 1)",
	      "duplicate [ui]");
	FAILS("[account a]\nsmtp_host = h\nsmtp_port = 0\n",
	      "t.conf:3: bad smtp_port '0': expected a number from 1 to 65535", "port 0");
	FAILS("[account a]\nimap_host = h\nimap_port = 65536\n",
	      "t.conf:3: bad imap_port '65536': expected a number from 1 to 65535", "port 65536");
	FAILS("[account a]\npop3_host = h\npop3_port = 11o\n",
	      "t.conf:3: bad pop3_port '11o': expected a number from 1 to 65535",
	      "port not digits");
	FAILS("[account a]\nsmtp_host = h\nsmtp_port = +25\n",
	      "t.conf:3: bad smtp_port '+25': expected a number from 1 to 65535", "port with sign");
	FAILS("[account a]\nsmtp_host = h\nsmtp_port = 99999999999999999999999\n",
	      "t.conf:3: bad smtp_port '99999999999999999999999': expected a number from 1 to "
	      "65535",
	      "port that overflows");
	FAILS("[account a]\nsmtp_host = h\nsmtp_security = ssl\n",
	      "t.conf:3: bad smtp_security 'ssl': expected none, starttls or tls (ssl is called "
	      "tls)",
	      "security ssl");
	FAILS("[account a]\nimap_host = h\nimap_security = tls1.3\n",
	      "t.conf:3: bad imap_security 'tls1.3': expected none, starttls or tls",
	      "bad security");
	FAILS("[account a]\nsmtp_host = h\ntls_verify = maybe\n",
	      "t.conf:3: bad tls_verify 'maybe': expected yes or no", "bad yes/no");
	FAILS("[account a]\nsmtp_host = h\ntimeout = 0\n",
	      "t.conf:3: bad timeout '0': expected seconds from 1 to 86400", "bad timeout");
	FAILS("[account]\n", "t.conf:1: empty account name: write [account NAME]",
	      "empty account name");
	FAILS("\n[account   ]\n", "t.conf:2: empty account name: write [account NAME]",
	      "blank account name");
	FAILS("[account a b]\n",
	      "t.conf:1: bad account name 'a b': use letters, digits and . _ - @ +",
	      "account name with a space");
	FAILS("[account a]\nsmtp_host = h\npassword hunter2\n",
	      "t.conf:3: expected 'key = value' or a [section]", "line without '='");
	FAILS("[account a]\n = x\n", "t.conf:2: missing key before '='", "no key");
	FAILS("[account a]\nsmtp_host = h\nfrom =\n", "t.conf:3: no value for 'from'",
	      "empty value");
	FAILS("[account a]\nsmtp_host = h\nfrom = \"\"\n", "t.conf:3: no value for 'from'",
	      "empty quoted value");
	{
		static const char nul[] = "[account a]\nsmtp_host = h\nfrom = a\0b\n";

		parse_fails(nul, sizeof nul - 1, "t.conf:3: NUL byte in line", "NUL byte");
	}
	FAILS("[account a]\nsmtp_host = h\nfrom = a\x1b[31mb\n",
	      "t.conf:3: control character (0x1b) in the value of 'from'", "escape in a value");
	FAILS("[account a]\nsmtp_host = h\nfrom = a\rBcc: x\n",
	      "t.conf:3: control character (0x0d) in the value of 'from'", "CR inside from");
	FAILS("[account a]\nsmtp_host = h\nuser = a\x7f\n",
	      "t.conf:3: control character (0x7f) in the value of 'user'", "DEL in a value");
	FAILS("[account a]\nsmtp_host = h\nfrom = \xc3\x28\n",
	      "t.conf:3: invalid UTF-8 in the value of 'from'", "invalid UTF-8");
	FAILS("[account a]\nsmtp_host = h\nfrom = \xed\xa0\x80\n",
	      "t.conf:3: invalid UTF-8 in the value of 'from'", "UTF-8 surrogate");
	FAILS("[account a]\nfrom = x\n[account b]\nsmtp_host = h\n",
	      "t.conf:1: account 'a' has no server: set smtp_host, imap_host or pop3_host",
	      "account without a server, then another");
	FAILS("[account a]\nsmtp_host = h\n[account b]\nuser = x\n",
	      "t.conf:3: account 'b' has no server: set smtp_host, imap_host or pop3_host",
	      "last account without a server");
	FAILS("[account a]\nsmtp_host = h\nimap_port = 993\n",
	      "t.conf:3: imap_port without imap_host", "port without host");
	FAILS("[account a]\nsmtp_host = h\npop3_security = tls\n",
	      "t.conf:3: pop3_security without pop3_host", "security without host");
	FAILS("[account a]\nsmtp_host = h\npassword_command = x\npassword = y\n",
	      "t.conf:4: set password or password_command, not both", "password and command");
	FAILS("[account a]\nsmtp_host = my host\n",
	      "t.conf:2: bad smtp_host 'my host': no spaces allowed", "host with a space");
	FAILS("[account work]\nsmtp_host = h\n[ui]\ndefault_account = wrok\n",
	      "t.conf:4: default_account 'wrok' is not an account (did you mean 'work'?)",
	      "default account typo");
	FAILS("[ui]\ndefault_account = nothing-like-it\n",
	      "t.conf:2: default_account 'nothing-like-it' is not an account",
	      "default account unknown");

	/* line length: 4096 bytes are fine, 4097 are not (CR LF not counted) */
	big = xmalloc(5000);
	memset(big, 0, 5000);
	strcpy(big, "[account a]\nsmtp_host = h\nfrom = ");
	memset(big + strlen(big), 'x', 4096 - strlen("from = "));
	strcat(big, "\r\n");
	{
		struct mb_config cfg;

		is_str(parse(&cfg, big), NULL, "a line of 4096 bytes is accepted");
		is_int(cfg.naccounts > 0 ? strlen(cfg.accounts[0]->from) : 0, 4089,
		       "and kept whole");
		mb_config_release(&cfg);
	}
	strcpy(big + strlen(big) - 2, "x\n");
	FAILS(big, "t.conf:3: line longer than 4096 bytes", "a line of 4097 bytes");
	/* a long bad value is cut in the message */
	strcpy(big, "[account a]\nsmtp_host = h\nsmtp_port = ");
	memset(big + strlen(big), '9', 100);
	big[strlen("[account a]\nsmtp_host = h\nsmtp_port = ") + 100] = '\0';
	{
		char *want =
		        xasprintf("t.conf:3: bad smtp_port '%.40s...': expected a number from 1 "
		                  "to 65535",
		                  big + strlen("[account a]\nsmtp_host = h\nsmtp_port = "));

		FAILS(big, want, "a long value is cut in messages");
		free(want);
	}
	free(big);
}

/* Secrets never appear in error messages. */
static void
test_no_secret_in_errors(void)
{
	struct mb_config cfg;
	const char *msg;

	msg = parse(&cfg, "[account a]\nsmtp_host = h\npassword = hunter2\x01\n");
	ok(msg != NULL && strstr(msg, "hunter2") == NULL, "a bad password value is not echoed");
	msg = parse(&cfg, "[account a]\nsmtp_host = h\npassword: hunter2\n");
	ok(msg != NULL && strstr(msg, "hunter2") == NULL, "a line without '=' is not echoed");
}

static void
test_parse(void)
{
	struct mb_config cfg;
	const struct mb_account *a;
	const char *msg;

	msg = parse(&cfg, "# a comment\n"
	                  "; another\n"
	                  "   # indented comment\n"
	                  "\n"
	                  "[account work]\n"
	                  "from = Zoë Example <zoe@example.org>\n"
	                  "smtp_host = smtp.example.org\n"
	                  "smtp_port = 0587\n"
	                  "smtp_security = STARTTLS\n"
	                  "imap_host = imap.example.org\n"
	                  "imap_security = tls\n"
	                  "pop3_host = pop.example.org\n"
	                  "pop3_port = 995\n"
	                  "pop3_security = tls\n"
	                  "\tuser\t=\talice@example.org  \n"
	                  "password_command = pass show mail/alice # not a comment ; either\n"
	                  "ca_file = /etc/ssl/ca.pem\n"
	                  "tls_verify = off\n"
	                  "ehlo_name = client.example.org\n"
	                  "timeout = 30\n"
	                  "[account quoted]\n"
	                  "smtp_host=localhost\n"
	                  "from = \"  spaced out  \"\n"
	                  "password = #secret;with=signs \"x\"\n"
	                  "user = \"a\" \"b\"\n"
	                  "[ui]\n"
	                  "theme = dark\n"
	                  "idle = no\n");
	is_str(msg, NULL, "a full file parses");
	is_int(cfg.naccounts, 4, "two accounts and two presets");
	a = mb_config_account(&cfg, "work");
	ok(a != NULL && a == cfg.accounts[0], "file accounts come first");
	if (a == NULL)
		return;
	is_str(a->from, "Zoë Example <zoe@example.org>", "UTF-8 value");
	is_str(a->smtp.host, "smtp.example.org", "smtp_host");
	is_int(a->smtp.port, 587, "smtp_port with a leading zero");
	is_int(a->smtp.security, MB_SEC_STARTTLS, "security ignores case");
	is_int(a->imap.port, 0, "no imap_port: 0");
	is_int(mb_endpoint_port(&a->imap, "imap"), 993, "so the default for tls");
	is_int(a->imap.security, MB_SEC_TLS, "imap_security");
	is_int(a->pop3.port, 995, "pop3_port");
	is_str(a->user, "alice@example.org", "tabs and spaces trimmed");
	is_str(a->password_command, "pass show mail/alice # not a comment ; either",
	       "'#' and ';' inside a value are kept");
	is_str(a->password, NULL, "no password");
	is_str(a->ca_file, "/etc/ssl/ca.pem", "absolute ca_file kept");
	ok(!a->tls_verify, "tls_verify off");
	is_str(a->ehlo_name, "client.example.org", "ehlo_name");
	is_int(a->timeout, 30, "timeout");
	ok(!a->builtin, "not built in");
	is_str(a->origin, "t.conf:5", "origin names the section's line");
	a = mb_config_account(&cfg, "quoted");
	ok(a != NULL, "second account");
	if (a != NULL) {
		is_str(a->from, "  spaced out  ", "quotes keep spaces");
		is_str(a->password, "#secret;with=signs \"x\"", "password keeps # ; = and quotes");
		is_str(a->user, "\"a\" \"b\"", "inner quotes: the value is not unquoted");
		ok(a->tls_verify, "tls_verify defaults to yes");
		is_int(a->smtp.security, MB_SEC_NONE, "security defaults to none");
	}
	is_str(cfg.theme, "dark", "[ui] theme");
	is_str(cfg.default_account, NULL, "no default_account");
	ok(cfg.no_idle, "[ui] idle = no");
	is_str(cfg.path, NULL, "parse reads no file");
	mb_config_release(&cfg);
	mb_config_release(&cfg); /* released twice: still fine */

	/* CRLF line ends, a byte order mark, no final newline */
	msg = parse(&cfg, "\xef\xbb\xbf# windows\r\n[account w]\r\nsmtp_host = h\r\n"
	                  "from = \"x y\"\r\n\r\ntls_verify = No\r\n[ui]\r\ntheme = light");
	is_str(msg, NULL, "a CRLF file parses");
	a = mb_config_account(&cfg, "w");
	ok(a != NULL && strcmp(a->smtp.host, "h") == 0 && strcmp(a->from, "x y") == 0 &&
	           !a->tls_verify,
	   "CRs are not part of values");
	is_str(cfg.theme, "light", "last line without a newline");
	ok(!cfg.no_idle, "idle defaults to yes");
	mb_config_release(&cfg);

	/* yes/no spellings */
	{
		static const char *const yes[] = {"yes", "true", "1", "on", "YES", "True"};
		static const char *const no[] = {"no", "false", "0", "off", "OFF"};
		char text[128];
		size_t i;

		for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
			snprintf(text, sizeof text,
			         "[account a]\nsmtp_host=h\ntls_verify=no\n[account b]\n"
			         "smtp_host=h\ntls_verify=%s\n",
			         yes[i]);
			ok(parse(&cfg, text) == NULL && cfg.accounts[1]->tls_verify,
			   "tls_verify = %s", yes[i]);
			mb_config_release(&cfg);
		}
		for (i = 0; i < sizeof no / sizeof no[0]; i++) {
			snprintf(text, sizeof text, "[account a]\nsmtp_host=h\ntls_verify=%s\n",
			         no[i]);
			ok(parse(&cfg, text) == NULL && !cfg.accounts[0]->tls_verify,
			   "tls_verify = %s", no[i]);
			mb_config_release(&cfg);
		}
	}
	/* ports at the edges */
	ok(parse(&cfg, "[account a]\nsmtp_host=h\nsmtp_port=1\nimap_host=h\nimap_port=65535\n") ==
	                   NULL &&
	           cfg.accounts[0]->smtp.port == 1 && cfg.accounts[0]->imap.port == 65535,
	   "ports 1 and 65535");
	mb_config_release(&cfg);
	/* an empty file */
	is_str(parse(&cfg, ""), NULL, "an empty text parses");
	is_int(cfg.naccounts, 2, "presets only");
	mb_config_release(&cfg);
}

static void
test_paths(void)
{
	struct mb_config cfg;
	struct mb_error err = MB_ERROR_INIT;
	const char *text = "[account a]\nsmtp_host = h\nca_file = ~/certs/ca.pem\n"
	                   "[account b]\nsmtp_host = h\nca_file = ca/ca.pem\n"
	                   "[account c]\nsmtp_host = h\nca_file = ~\n";

	setenv("HOME", "/home/tester", 1);
	ok(mb_config_parse(&cfg, "/etc/mb/config", text, strlen(text), &err) == 0, "paths parse");
	if (cfg.naccounts >= 3) {
		is_str(cfg.accounts[0]->ca_file, "/home/tester/certs/ca.pem",
		       "~/ expands to $HOME");
		is_str(cfg.accounts[1]->ca_file, "/etc/mb/ca/ca.pem",
		       "relative to the config file's directory");
		is_str(cfg.accounts[2]->ca_file, "/home/tester", "~ alone");
	}
	mb_config_release(&cfg);
	ok(mb_config_parse(&cfg, "config", text, strlen(text), &err) == 0, "name without a dir");
	if (cfg.naccounts >= 2)
		is_str(cfg.accounts[1]->ca_file, "ca/ca.pem", "then relative paths stay relative");
	mb_config_release(&cfg);
}

static void
test_presets(void)
{
	struct mb_config cfg;
	const struct mb_account *a;

	setenv("MAILBENCH_LAB_DIR", "/var/tmp/lab dir/it's", 1);
	setenv("MAILBENCH_LAB_BASE", "20000", 1);
	is_str(parse(&cfg, ""), NULL, "presets without a file");
	is_int(cfg.naccounts, 2, "two presets");
	a = mb_config_account(&cfg, "lab");
	ok(a != NULL && a == cfg.accounts[0], "lab comes first");
	if (a != NULL) {
		is_str(a->from, "Alice <alice@lab.test>", "lab from");
		is_str(a->smtp.host, "localhost", "lab smtp host");
		is_int(a->smtp.port, 20587, "lab smtp port is base+587");
		is_int(a->smtp.security, MB_SEC_STARTTLS, "lab smtp starttls");
		is_str(a->imap.host, "localhost", "lab imap host");
		is_int(a->imap.port, 20143, "lab imap port is base+143");
		is_int(a->imap.security, MB_SEC_STARTTLS, "lab imap starttls");
		is_int(a->pop3.port, 20110, "lab pop3 port is base+110");
		is_int(a->pop3.security, MB_SEC_STARTTLS, "lab pop3 starttls");
		is_str(a->user, "alice", "lab user");
		is_str(a->password_command, "cat '/var/tmp/lab dir/it'\\''s/secrets/alice'",
		       "lab password_command quotes the path for the shell");
		is_str(a->password, NULL, "lab has no literal password");
		is_str(a->ca_file, "/var/tmp/lab dir/it's/ca/ca.pem", "lab ca_file");
		ok(a->tls_verify, "lab verifies certificates");
		ok(a->builtin, "lab is built in");
		is_str(a->origin, "built-in", "lab origin");
	}
	a = mb_config_account(&cfg, "mailpit");
	ok(a != NULL, "mailpit preset");
	if (a != NULL) {
		is_str(a->smtp.host, "localhost", "mailpit smtp host");
		is_int(a->smtp.port, 1025, "mailpit smtp port");
		is_int(a->smtp.security, MB_SEC_NONE, "mailpit smtp plain");
		is_str(a->pop3.host, "localhost", "mailpit pop3 host");
		is_int(a->pop3.port, 1110, "mailpit pop3 port");
		is_int(a->pop3.security, MB_SEC_NONE, "mailpit pop3 plain");
		is_str(a->imap.host, NULL, "mailpit has no imap");
		is_str(a->user, NULL, "mailpit has no user");
		is_str(a->from, NULL, "mailpit has no from");
		is_str(a->password_command, NULL, "mailpit has no password_command");
		is_str(a->origin, "built-in", "mailpit origin");
	}
	ok(mb_config_default(&cfg) == mb_config_account(&cfg, "lab"), "default: lab");
	is_str(mb_config_account(&cfg, "nope") == NULL ? NULL : "found", NULL, "unknown account");
	ok(mb_config_account(&cfg, NULL) == NULL && mb_config_account(NULL, "lab") == NULL,
	   "NULL lookups");
	mb_config_release(&cfg);

	/* a file account replaces the preset of the same name */
	is_str(parse(&cfg, "[account mine]\nsmtp_host = m\n[account lab]\nsmtp_host = elsewhere\n"),
	       NULL, "override parses");
	is_int(cfg.naccounts, 3, "mine, lab (file), mailpit");
	if (cfg.naccounts == 3) {
		is_str(cfg.accounts[0]->name, "mine", "file order kept");
		is_str(cfg.accounts[1]->name, "lab", "the file's lab");
		is_str(cfg.accounts[1]->smtp.host, "elsewhere", "with the file's values");
		ok(!cfg.accounts[1]->builtin, "not built in");
		is_str(cfg.accounts[1]->password_command, NULL,
		       "nothing inherited from the preset");
		is_str(cfg.accounts[2]->name, "mailpit", "the other preset stays");
	}
	ok(mb_config_default(&cfg) == cfg.accounts[0], "default: the first file account");
	mb_config_release(&cfg);

	/* [ui] default_account, before or after the accounts */
	is_str(parse(&cfg, "[ui]\ndefault_account = b\n[account a]\nsmtp_host = h\n"
	                   "[account b]\nimap_host = h\n"),
	       NULL, "default_account before its account");
	ok(mb_config_default(&cfg) == mb_config_account(&cfg, "b"),
	   "default: [ui] default_account");
	is_str(cfg.default_account, "b", "default_account kept");
	mb_config_release(&cfg);
	is_str(parse(&cfg, "[account a]\nsmtp_host = h\n[ui]\ndefault_account = mailpit\n"), NULL,
	       "default_account naming a preset");
	ok(mb_config_default(&cfg) == mb_config_account(&cfg, "mailpit"), "default: a preset");
	mb_config_release(&cfg);
	ok(mb_config_default(&cfg) == NULL, "no default in an empty config");
}

static void
test_ports(void)
{
	static const struct {
		const char *proto;
		enum mb_security sec;
		int port;
	} cases[] = {
	        {"smtp", MB_SEC_NONE, 25},      {"smtp", MB_SEC_STARTTLS, 587},
	        {"smtp", MB_SEC_TLS, 465},      {"imap", MB_SEC_NONE, 143},
	        {"imap", MB_SEC_STARTTLS, 143}, {"imap", MB_SEC_TLS, 993},
	        {"pop3", MB_SEC_NONE, 110},     {"pop3", MB_SEC_STARTTLS, 110},
	        {"pop3", MB_SEC_TLS, 995},
	};
	struct mb_endpoint ep = {NULL, 0, MB_SEC_NONE};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ep.port = 0;
		ep.security = cases[i].sec;
		is_int(mb_endpoint_port(&ep, cases[i].proto), cases[i].port,
		       "default %s port for %s", cases[i].proto, mb_security_name(cases[i].sec));
	}
	ep.port = 2525;
	is_int(mb_endpoint_port(&ep, "smtp"), 2525, "an explicit port wins");
	ep.port = 0;
	is_int(mb_endpoint_port(&ep, "gopher"), 0, "unknown protocol: 0");
	is_str(mb_security_name(MB_SEC_NONE), "none", "security name none");
	is_str(mb_security_name(MB_SEC_STARTTLS), "starttls", "security name starttls");
	is_str(mb_security_name(MB_SEC_TLS), "tls", "security name tls");
}

static void
test_env(void)
{
	char *s;

	setenv("HOME", "/home/tester", 1);
	setenv("XDG_CONFIG_HOME", "/x/cfg/", 1);
	s = mb_config_default_path();
	is_str(s, "/x/cfg/mailbench/config", "default path under $XDG_CONFIG_HOME");
	free(s);
	setenv("XDG_CONFIG_HOME", "relative/cfg", 1);
	s = mb_config_default_path();
	is_str(s, "/home/tester/.config/mailbench/config", "a relative XDG_CONFIG_HOME is ignored");
	free(s);
	unsetenv("XDG_CONFIG_HOME");
	s = mb_config_default_path();
	is_str(s, "/home/tester/.config/mailbench/config", "default path under $HOME");
	free(s);

	setenv("MAILBENCH_LAB_DIR", "/srv/lab", 1);
	setenv("XDG_STATE_HOME", "/x/state", 1);
	s = mb_lab_dir();
	is_str(s, "/srv/lab", "lab dir from $MAILBENCH_LAB_DIR");
	free(s);
	setenv("MAILBENCH_LAB_DIR", "", 1);
	s = mb_lab_dir();
	is_str(s, "/x/state/mailbench/lab", "empty MAILBENCH_LAB_DIR: $XDG_STATE_HOME");
	free(s);
	unsetenv("MAILBENCH_LAB_DIR");
	unsetenv("XDG_STATE_HOME");
	s = mb_lab_dir();
	is_str(s, "/home/tester/.local/state/mailbench/lab", "lab dir under $HOME");
	free(s);

	{
		static const struct {
			const char *env;
			int base;
		} cases[] = {
		        {NULL, 10000},    {"20000", 20000}, {"", 10000},
		        {"abc", 10000},   {"12a", 10000},   {"-5", 10000},
		        {"1023", 10000},  {"1024", 1024},   {"64540", 64540},
		        {"64541", 10000}, {"99999", 10000}, {"99999999999999999999", 10000},
		};
		size_t i;

		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			if (cases[i].env == NULL)
				unsetenv("MAILBENCH_LAB_BASE");
			else
				setenv("MAILBENCH_LAB_BASE", cases[i].env, 1);
			is_int(mb_lab_base(), cases[i].base, "MAILBENCH_LAB_BASE=%s",
			       cases[i].env ? cases[i].env : "(unset)");
		}
	}
	unsetenv("MAILBENCH_LAB_BASE");
}

/* Write text to tmpdir/name with mode; returns the path (caller frees). */
static char *
write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
test_load(void)
{
	struct mb_config cfg;
	struct mb_error err = MB_ERROR_INIT;
	char *path, *want, *dir;
	const char *secret = "[account a]\nsmtp_host = h\npassword = s3cret hunter2\n";

	/* a missing explicit file is an error */
	path = xasprintf("%s/missing", tmpdir);
	is_int(mb_config_load(&cfg, path, &err), -1, "missing explicit file fails");
	want = xasprintf("cannot open '%s': no such file or directory", path);
	is_str(err.msg, want, "missing file message");
	is_int(err.kind, MB_ERR_CONFIG, "a config error");
	ok(cfg.naccounts == 0 && cfg.path == NULL, "nothing loaded");
	free(want);
	free(path);

	/* a missing default file is fine */
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	is_int(mb_config_load(&cfg, NULL, &err), 0, "missing default file is fine");
	ok(cfg.path == NULL && cfg.naccounts == 2, "presets only, no path");
	mb_config_release(&cfg);

	/* the default file, when there is one */
	dir = xasprintf("%s/mailbench", tmpdir);
	mkdir(dir, 0700);
	path = write_file("mailbench/config", "[account d]\nsmtp_host = h\nca_file = ca.pem\n",
	                  0644);
	is_int(mb_config_load(&cfg, NULL, &err), 0, "default file loads");
	is_str(cfg.path, path, "its path is kept");
	want = xasprintf("%s/ca.pem", dir);
	ok(cfg.naccounts == 3 && strcmp(cfg.accounts[0]->ca_file, want) == 0,
	   "a relative ca_file is relative to the file's directory");
	is_str(mb_config_default(&cfg)->name, "d", "the file's account is the default");
	mb_config_release(&cfg);
	free(want);
	free(path);
	free(dir);
	unsetenv("XDG_CONFIG_HOME");

	/* a relative --config path still gives an absolute ca_file */
	{
		char cwd[1024];
		char *expect;

		ok(getcwd(cwd, sizeof cwd) != NULL && chdir(tmpdir) == 0, "into the temp dir");
		path = write_file("rel.conf", "[account r]\nsmtp_host = h\nca_file = x.pem\n",
		                  0600);
		is_int(mb_config_load(&cfg, "rel.conf", &err), 0, "a relative config path loads");
		expect = xasprintf("%s/x.pem", tmpdir);
		ok(cfg.naccounts > 0 && strcmp(cfg.accounts[0]->ca_file, expect) == 0,
		   "ca_file is absolute");
		mb_config_release(&cfg);
		free(expect);
		free(path);
		ok(chdir(cwd) == 0, "back");
	}

	/* a password in a file others can read is refused */
	path = write_file("pw644", secret, 0644);
	is_int(mb_config_load(&cfg, path, &err), -1, "password in a 0644 file is refused");
	want = xasprintf("%s: holds a password but is readable by others (mode 0644): chmod 600 "
	                 "%s or use password_command",
	                 path, path);
	is_str(err.msg, want, "refusal message");
	ok(cfg.naccounts == 0 && cfg.accounts == NULL && cfg.path == NULL, "nothing loaded");
	unlike(err.msg, "hunter2", "the password is not in the message");
	free(want);
	free(path);
	path = write_file("pw620", secret, 0620);
	is_int(mb_config_load(&cfg, path, &err), -1, "password in a group-writable file");
	like(err.msg, "holds a password but is writable by others (mode 0620)", "says writable");
	free(path);
	path = write_file("pw604", secret, 0604);
	is_int(mb_config_load(&cfg, path, &err), -1, "password in a world-readable file");
	free(path);

	/* in a 0600 file it is accepted */
	path = write_file("pw600", secret, 0600);
	is_int(mb_config_load(&cfg, path, &err), 0, "password in a 0600 file is accepted");
	if (cfg.naccounts > 0) {
		char *pw = NULL;

		is_str(cfg.accounts[0]->password, "s3cret hunter2", "the literal password");
		is_int(mb_account_password(cfg.accounts[0], "smtp", &pw, &err), 0,
		       "mb_account_password gives it");
		is_str(pw, "s3cret hunter2", "the same password");
		mb_password_free(pw);
	}
	mb_config_release(&cfg);

	/* not owned by the user: only root can make such a file here */
	if (geteuid() == 0) {
		ok(chown(path, 65534, 65534) == 0, "file given to nobody");
		is_int(mb_config_load(&cfg, path, &err), -1, "a password file of another user");
		like(err.msg, "holds a password but belongs to uid 65534, not to you",
		     "refused for its owner");
	} else {
		printf("ok %d # SKIP not root: cannot make a file owned by another user\n",
		       ++tap_n);
		printf("ok %d # SKIP not root\n", ++tap_n);
		printf("ok %d # SKIP not root\n", ++tap_n);
	}
	free(path);

	/* without a password, mode and owner do not matter */
	path = write_file("nopw", "[account a]\nsmtp_host = h\npassword_command = x\n", 0666);
	is_int(mb_config_load(&cfg, path, &err), 0, "a 0666 file without a password loads");
	mb_config_release(&cfg);
	free(path);

	/* a syntax error names the file and line */
	path = write_file("bad", "[account a]\nsmtp_host = h\n\nsmtp_prot = 25\n", 0600);
	is_int(mb_config_load(&cfg, path, &err), -1, "a bad file fails");
	want = xasprintf("%s:4: unknown key 'smtp_prot' (did you mean 'smtp_port'?)", path);
	is_str(err.msg, want, "FILE:LINE: message");
	free(want);
	free(path);

	/* not a regular file */
	is_int(mb_config_load(&cfg, tmpdir, &err), -1, "a directory fails");
	like(err.msg, "not a regular file", "says why");
}

/* An account whose password comes from cmd. */
static struct mb_account *
cmd_account(const char *cmd)
{
	struct mb_account *a = xcalloc(1, sizeof *a);

	a->name = xstrdup("acct");
	a->password_command = cmd != NULL ? xstrdup(cmd) : NULL;
	a->user = xstrdup("alice");
	a->smtp.host = xstrdup("mx.test");
	return a;
}

static void
free_account(struct mb_account *a)
{
	free(a->name);
	free(a->password_command);
	free(a->user);
	free(a->smtp.host);
	free(a);
}

/* Run a password_command; the password or NULL, with err filled. */
static char *
run_cmd(const char *cmd, struct mb_error *err)
{
	struct mb_account *a = cmd_account(cmd);
	char *pw = (char *)"unset";
	int r;

	mb_error_clear(err);
	r = mb_account_password(a, "smtp", &pw, err);
	free_account(a);
	if (r < 0 && pw != NULL)
		return (char *)"out was set on failure";
	return pw;
}

static void
test_password_command(void)
{
	struct mb_error err = MB_ERROR_INIT;
	char *pw;
	long long t0;
	struct timespec ts;

	pw = run_cmd("printf 'secret\\n'", &err);
	is_str(pw, "secret", "password_command output");
	mb_password_free(pw);
	pw = run_cmd("printf 'first line\\nsecond\\n'", &err);
	is_str(pw, "first line", "only the first line");
	mb_password_free(pw);
	pw = run_cmd("printf 'crlf\\r\\nnext\\r\\n'", &err);
	is_str(pw, "crlf", "CRLF output: no CR in the password");
	mb_password_free(pw);
	pw = run_cmd("printf 'no-newline'", &err);
	is_str(pw, "no-newline", "output without a newline");
	mb_password_free(pw);
	pw = run_cmd("echo ' spaces kept '", &err);
	is_str(pw, " spaces kept ", "spaces are part of the password");
	mb_password_free(pw);
	pw = run_cmd("echo first; head -c 300000 /dev/zero | tr '\\0' x", &err);
	is_str(pw, "first", "long output after the first line is drained");
	mb_password_free(pw);

	pw = run_cmd("echo leaked-output; exit 3", &err);
	is_str(pw, NULL, "non-zero exit fails");
	is_str(err.msg, "password_command of account 'acct' failed: exit status 3",
	       "exit status named");
	unlike(err.msg, "leaked", "the output is not echoed");
	pw = run_cmd("kill -9 $$", &err);
	is_str(pw, NULL, "killed command fails");
	is_str(err.msg, "password_command of account 'acct' failed: killed by signal 9",
	       "signal named");
	pw = run_cmd("true", &err);
	is_str(pw, NULL, "empty output fails");
	is_str(err.msg, "password_command of account 'acct' printed no password", "says so");
	pw = run_cmd("printf '\\nsecond\\n'", &err);
	is_str(pw, NULL, "an empty first line fails");
	pw = run_cmd("head -c 5000 /dev/zero | tr '\\0' a", &err);
	is_str(pw, NULL, "a first line over 4096 bytes fails");
	is_str(err.msg, "password_command of account 'acct' printed a line over 4096 bytes",
	       "says so");
	pw = run_cmd("printf 'a\\0b\\n'", &err);
	is_str(pw, NULL, "a NUL byte fails");
	pw = run_cmd("/nonexistent/command/x 2>/dev/null", &err);
	is_str(pw, NULL, "a missing command fails");
	like(err.msg, "exit status 127", "with the shell's status");

	/* a daemon keeping stdout open does not hold us up */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	pw = run_cmd("(sleep 3 &); echo daemon", &err);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	is_str(pw, "daemon", "a background child holding the pipe");
	ok((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - t0 < 2000,
	   "returns when the command exits, not when the pipe closes");
	mb_password_free(pw);

	/* the command's stderr passes through */
	{
		char *errpath = xasprintf("%s/stderr", tmpdir), got[256] = "";
		int saved = dup(2), fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		FILE *f;

		fflush(stderr);
		dup2(fd, 2);
		close(fd);
		pw = run_cmd("echo 'to stderr' >&2; echo pw", &err);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		is_str(pw, "pw", "stdout is the password");
		mb_password_free(pw);
		f = fopen(errpath, "r");
		if (f != NULL) {
			if (fgets(got, sizeof got, f) == NULL)
				got[0] = '\0';
			fclose(f);
		}
		is_str(got, "to stderr\n", "stderr reaches our stderr");
		free(errpath);
	}

	/* the lab preset's command reads the secret file, quotes and all */
	{
		char *lab = xasprintf("%s/lab dir's", tmpdir), *sec = xasprintf("%s/secrets", lab);
		char *file = xasprintf("%s/alice", sec);
		struct mb_config cfg;
		FILE *f;

		mkdir(lab, 0700);
		mkdir(sec, 0700);
		f = fopen(file, "w");
		if (f != NULL) {
			fputs("lab-pass\n", f);
			fclose(f);
		}
		setenv("MAILBENCH_LAB_DIR", lab, 1);
		is_str(parse(&cfg, ""), NULL, "presets");
		pw = NULL;
		is_int(mb_account_password(mb_config_account(&cfg, "lab"), "imap", &pw, &err), 0,
		       "lab password_command runs");
		is_str(pw, "lab-pass", "and reads the lab's secret");
		mb_password_free(pw);
		mb_config_release(&cfg);
		unsetenv("MAILBENCH_LAB_DIR");
		free(file);
		free(sec);
		free(lab);
	}
	mb_password_free(NULL);
	ok(1, "mb_password_free(NULL) is a no-op");
}

/* Without a controlling terminal there is nobody to ask. */
static void
test_no_tty(void)
{
	int fds[2], status;
	char msg[MB_ERROR_MSG_MAX] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct mb_account *a = cmd_account(NULL);
		struct mb_error err = MB_ERROR_INIT;
		char *pw = NULL;
		int r;

		close(fds[0]);
		setsid(); /* no controlling terminal from here */
		r = mb_account_password(a, NULL, &pw, &err);
		if (write(fds[1], err.msg, strlen(err.msg)) < 0)
			_exit(2);
		close(fds[1]);
		free_account(a);
		_exit(r == -1 && pw == NULL ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "no tty: mb_account_password fails");
	like(msg, "no password for account 'acct': set password_command", "and says what to do");
}

static void
cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/mb-test-config-XXXXXX", t != NULL && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	unsetenv("MAILBENCH_LAB_DIR");
	unsetenv("MAILBENCH_LAB_BASE");
	test_errors();
	test_no_secret_in_errors();
	test_parse();
	test_paths();
	test_presets();
	test_ports();
	test_env();
	test_load();
	test_password_command();
	test_no_tty();
	cleanup();
	return done_testing();
}
