/*
 * config.c: the INI-style config file (see include/mailbench/config.h), the
 * built-in "lab" and "mailpit" presets, and where the lab lives.
 *
 * The parser reads the whole text into a private list of accounts and only
 * hands it to the caller's struct mb_config when every line was good, so a
 * bad line never leaves a half-loaded config behind. The password check on
 * the file's mode and owner happens in mb_config_load(), on the descriptor
 * that was read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/buf.h"
#include "mailbench/config.h"
#include "mailbench/xalloc.h"

#define CFG_LINE_MAX     4096
#define CFG_FILE_MAX     (1024 * 1024)
#define CFG_TIMEOUT_MAX  86400
#define CFG_SHOW_MAX     40
#define LAB_BASE_DEFAULT 10000
#define LAB_BASE_MIN     1024
#define LAB_BASE_MAX     (65535 - 995) /* the highest port the lab uses is base+995 */
#define SUGGEST_KEY_MAX  64

/* The keys of an [account NAME] section, then those of [ui]. */
enum cfg_key {
	KEY_FROM,
	KEY_SMTP_HOST, /* host, port, security for smtp, imap, pop3: keep together */
	KEY_SMTP_PORT,
	KEY_SMTP_SECURITY,
	KEY_IMAP_HOST,
	KEY_IMAP_PORT,
	KEY_IMAP_SECURITY,
	KEY_POP3_HOST,
	KEY_POP3_PORT,
	KEY_POP3_SECURITY,
	KEY_USER,
	KEY_PASSWORD_COMMAND,
	KEY_PASSWORD,
	KEY_CA_FILE,
	KEY_TLS_VERIFY,
	KEY_EHLO_NAME,
	KEY_TIMEOUT,
	KEY_THEME, /* [ui] from here */
	KEY_DEFAULT_ACCOUNT,
	KEY_IDLE,
	KEY_COUNT,
};

#define KEY_FIRST_UI KEY_THEME

static const char *const key_names[KEY_COUNT] = {
        [KEY_FROM] = "from",
        [KEY_SMTP_HOST] = "smtp_host",
        [KEY_SMTP_PORT] = "smtp_port",
        [KEY_SMTP_SECURITY] = "smtp_security",
        [KEY_IMAP_HOST] = "imap_host",
        [KEY_IMAP_PORT] = "imap_port",
        [KEY_IMAP_SECURITY] = "imap_security",
        [KEY_POP3_HOST] = "pop3_host",
        [KEY_POP3_PORT] = "pop3_port",
        [KEY_POP3_SECURITY] = "pop3_security",
        [KEY_USER] = "user",
        [KEY_PASSWORD_COMMAND] = "password_command",
        [KEY_PASSWORD] = "password",
        [KEY_CA_FILE] = "ca_file",
        [KEY_TLS_VERIFY] = "tls_verify",
        [KEY_EHLO_NAME] = "ehlo_name",
        [KEY_TIMEOUT] = "timeout",
        [KEY_THEME] = "theme",
        [KEY_DEFAULT_ACCOUNT] = "default_account",
        [KEY_IDLE] = "idle",
};

/* Names other programs use for our keys (msmtp, mutt, fetchmail). */
static const struct {
	const char *alias;
	enum cfg_key key;
} key_aliases[] = {
        {"username", KEY_USER},
        {"login", KEY_USER},
        {"passwordeval", KEY_PASSWORD_COMMAND},
        {"password_cmd", KEY_PASSWORD_COMMAND},
        {"passcmd", KEY_PASSWORD_COMMAND},
        {"pass", KEY_PASSWORD},
        {"tls_trust_file", KEY_CA_FILE},
        {"cafile", KEY_CA_FILE},
        {"tls_certcheck", KEY_TLS_VERIFY},
        {"helo_name", KEY_EHLO_NAME},
        {"domain", KEY_EHLO_NAME},
};

enum section {
	SECTION_NONE,
	SECTION_ACCOUNT,
	SECTION_UI,
};

struct parser {
	const char *name; /* the file's name in messages */
	const char *dir;  /* relative paths start here; NULL: leave them relative */
	struct mb_error *err;
	int line;
	enum section section;
	int section_line;
	int key_line[KEY_COUNT]; /* where each key of this section was set; 0: not */
	struct mb_account *acct; /* the open [account NAME] section */
	struct mb_account **accounts;
	int *account_lines;
	size_t naccounts;
	int ui_line; /* 0: no [ui] yet */
	char *theme;
	char *default_account;
	int default_line;
	bool idle, idle_set;
	bool has_password;
};

/* Lower-case ASCII, whatever the locale says. */
static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
ascii_casecmp(const char *a, const char *b)
{
	while (*a != '\0' && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return ascii_lower((unsigned char)*a) - ascii_lower((unsigned char)*b);
}

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Strip spaces and tabs at both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (is_blank((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* The first control character other than TAB, or -1. */
static int
find_control(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return c;
	}
	return -1;
}

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool
utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		unsigned int c = *s, cp;
		int n, i;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* A value cut for a message: at most CFG_SHOW_MAX bytes, on a character boundary. */
static const char *
shorten(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);

	if (n <= CFG_SHOW_MAX)
		return s;
	n = CFG_SHOW_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(buf, size, "%.*s...", (int)n, s);
	return buf;
}

/*
 * Edit distance (insert, delete, replace, swap two neighbours), ignoring ASCII
 * case; -1 when a string is too long to bother.
 */
static int
edit_distance(const char *a, const char *b)
{
	int d[SUGGEST_KEY_MAX + 1][SUGGEST_KEY_MAX + 1], i, j;
	int la = (int)strlen(a), lb = (int)strlen(b);

	if (la > SUGGEST_KEY_MAX || lb > SUGGEST_KEY_MAX)
		return -1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = ascii_lower((unsigned char)a[i - 1]);
			int cb = ascii_lower((unsigned char)b[j - 1]);
			int best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == ascii_lower((unsigned char)b[j - 2]) &&
			    ascii_lower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* Whether a typo of length len at distance d is close enough to suggest. */
static bool
close_enough(size_t len, int d)
{
	return d >= 0 && d <= 2 && (size_t)d * 3 <= len + 1;
}

/* Set err to "NAME:LINE: message" and return -1. */
static int __attribute__((format(printf, 3, 4)))
parse_error(struct parser *p, int line, const char *fmt, ...)
{
	char msg[MB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mb_error_set(p->err, MB_ERR_CONFIG, "%s:%d: %s", p->name, line, msg);
}

/* $HOME, else the password database's home directory; NULL if neither (caller frees). */
static char *
home_dir(void)
{
	const char *env = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res != NULL &&
	    res->pw_dir != NULL && res->pw_dir[0] != '\0')
		return xstrdup(res->pw_dir);
	return NULL;
}

/* An absolute directory from the environment, without trailing slashes, or NULL. */
static char *
env_dir(const char *var)
{
	const char *v = getenv(var);
	size_t n;

	if (v == NULL || v[0] != '/')
		return NULL;
	n = strlen(v);
	while (n > 1 && v[n - 1] == '/')
		n--;
	return xstrndup(v, n);
}

char *
mb_config_default_path(void)
{
	char *dir, *path;

	if ((dir = env_dir("XDG_CONFIG_HOME")) != NULL) {
		path = xasprintf("%s/mailbench/config", dir);
		free(dir);
		return path;
	}
	if ((dir = home_dir()) == NULL)
		return NULL;
	path = xasprintf("%s/.config/mailbench/config", dir);
	free(dir);
	return path;
}

char *
mb_lab_dir(void)
{
	const char *env = getenv("MAILBENCH_LAB_DIR");
	char *dir, *path;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if ((dir = env_dir("XDG_STATE_HOME")) != NULL) {
		path = xasprintf("%s/mailbench/lab", dir);
		free(dir);
		return path;
	}
	if ((dir = home_dir()) == NULL)
		return NULL;
	path = xasprintf("%s/.local/state/mailbench/lab", dir);
	free(dir);
	return path;
}

/* Digits only, at most max; -1 otherwise. */
static long
parse_number(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int
mb_lab_base(void)
{
	const char *env = getenv("MAILBENCH_LAB_BASE");
	long v;

	if (env == NULL)
		return LAB_BASE_DEFAULT;
	v = parse_number(env, LAB_BASE_MAX);
	if (v < LAB_BASE_MIN)
		return LAB_BASE_DEFAULT;
	return (int)v;
}

const char *
mb_security_name(enum mb_security s)
{
	switch (s) {
	case MB_SEC_NONE:
		return "none";
	case MB_SEC_STARTTLS:
		return "starttls";
	case MB_SEC_TLS:
		return "tls";
	}
	return "unknown";
}

int
mb_endpoint_port(const struct mb_endpoint *ep, const char *proto)
{
	bool tls;

	if (ep == NULL)
		return 0;
	if (ep->port != 0)
		return ep->port;
	if (proto == NULL)
		return 0;
	tls = ep->security == MB_SEC_TLS;
	if (ascii_casecmp(proto, "smtp") == 0) {
		if (tls)
			return 465;
		return ep->security == MB_SEC_STARTTLS ? 587 : 25;
	}
	if (ascii_casecmp(proto, "imap") == 0)
		return tls ? 993 : 143;
	if (ascii_casecmp(proto, "pop3") == 0)
		return tls ? 995 : 110;
	return 0;
}

static struct mb_account *
account_new(const char *name)
{
	struct mb_account *a = xcalloc(1, sizeof *a);

	a->name = xstrdup(name);
	a->tls_verify = true;
	return a;
}

static void
account_free(struct mb_account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->from);
	free(a->smtp.host);
	free(a->imap.host);
	free(a->pop3.host);
	free(a->user);
	free(a->password_command);
	if (a->password != NULL)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	free(a->ca_file);
	free(a->ehlo_name);
	free(a->origin);
	free(a);
}

static void
endpoint_set(struct mb_endpoint *ep, const char *host, int port, enum mb_security sec)
{
	ep->host = xstrdup(host);
	ep->port = port;
	ep->security = sec;
}

/* Quote s for /bin/sh: 'it'\''s'. */
static void
shell_quote(struct mb_buf *b, const char *s)
{
	mb_buf_addch(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			mb_buf_addstr(b, "'\\''");
		else
			mb_buf_addch(b, *s);
	}
	mb_buf_addch(b, '\'');
}

/* The "lab" preset: the servers of `mailbench lab start`. */
static struct mb_account *
preset_lab(void)
{
	struct mb_account *a = account_new("lab");
	char *dir = mb_lab_dir();
	int base = mb_lab_base();

	a->from = xstrdup("Alice <alice@lab.test>");
	endpoint_set(&a->smtp, "localhost", base + 587, MB_SEC_STARTTLS);
	endpoint_set(&a->imap, "localhost", base + 143, MB_SEC_STARTTLS);
	endpoint_set(&a->pop3, "localhost", base + 110, MB_SEC_STARTTLS);
	a->user = xstrdup("alice");
	if (dir != NULL) {
		struct mb_buf b = MB_BUF_INIT;
		char *path = xasprintf("%s/secrets/alice", dir);

		mb_buf_addstr(&b, "cat ");
		shell_quote(&b, path);
		a->password_command = mb_buf_detach(&b, NULL);
		a->ca_file = xasprintf("%s/ca/ca.pem", dir);
		free(path);
	}
	a->builtin = true;
	a->origin = xstrdup("built-in");
	free(dir);
	return a;
}

/* The "mailpit" preset: Mailpit's defaults, no TLS, no login. */
static struct mb_account *
preset_mailpit(void)
{
	struct mb_account *a = account_new("mailpit");

	endpoint_set(&a->smtp, "localhost", 1025, MB_SEC_NONE);
	endpoint_set(&a->pop3, "localhost", 1110, MB_SEC_NONE);
	a->builtin = true;
	a->origin = xstrdup("built-in");
	return a;
}

static const char *const preset_names[] = {"lab", "mailpit"};

static struct mb_account *
preset_new(size_t i)
{
	return i == 0 ? preset_lab() : preset_mailpit();
}

static void
parser_push(struct parser *p, struct mb_account *a, int line)
{
	p->accounts = xreallocarray(p->accounts, p->naccounts + 1, sizeof *p->accounts);
	p->account_lines =
	        xreallocarray(p->account_lines, p->naccounts + 1, sizeof *p->account_lines);
	p->accounts[p->naccounts] = a;
	p->account_lines[p->naccounts] = line;
	p->naccounts++;
}

static void
parser_release(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->naccounts; i++)
		account_free(p->accounts[i]);
	free(p->accounts);
	free(p->account_lines);
	account_free(p->acct);
	free(p->theme);
	free(p->default_account);
}

/* Close the open section: an account needs a server, and a port or security a host. */
static int
finish_section(struct parser *p)
{
	static const enum cfg_key hosts[] = {KEY_SMTP_HOST, KEY_IMAP_HOST, KEY_POP3_HOST};
	struct mb_account *a = p->acct;
	size_t i;

	if (p->section != SECTION_ACCOUNT || a == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		enum cfg_key h = hosts[i], k;

		if (p->key_line[h] != 0)
			continue;
		for (k = h + 1; k <= h + 2; k++)
			if (p->key_line[k] != 0)
				return parse_error(p, p->key_line[k], "%s without %s", key_names[k],
				                   key_names[h]);
	}
	if (a->smtp.host == NULL && a->imap.host == NULL && a->pop3.host == NULL)
		return parse_error(
		        p, p->section_line,
		        "account '%s' has no server: set smtp_host, imap_host or pop3_host",
		        a->name);
	parser_push(p, a, p->section_line);
	p->acct = NULL;
	return 0;
}

static void
open_section(struct parser *p, enum section s)
{
	p->section = s;
	p->section_line = p->line;
	memset(p->key_line, 0, sizeof p->key_line);
}

/* Account names are used on command lines: no spaces, quotes or brackets. */
static bool
account_name_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._-@+", c) != NULL)
			continue;
		return false;
	}
	return true;
}

/* "[account NAME]" or "[ui]". */
static int
parse_section(struct parser *p, char *t)
{
	char show[CFG_SHOW_MAX + 8];
	size_t n = strlen(t), i;
	char *inner, *name;
	int c;

	if (finish_section(p) < 0)
		return -1;
	p->section = SECTION_NONE;
	if ((c = find_control(t)) >= 0)
		return parse_error(p, p->line, "control character (0x%02x) in line", c);
	if (!utf8_valid(t))
		return parse_error(p, p->line, "invalid UTF-8 in line");
	if (n < 2 || t[n - 1] != ']')
		return parse_error(p, p->line, "section header without closing ']'");
	t[n - 1] = '\0';
	inner = trim(t + 1);
	if (strcmp(inner, "ui") == 0) {
		if (p->ui_line != 0)
			return parse_error(p, p->line,
			                   "duplicate section '[ui]' (first at line %d)",
			                   p->ui_line);
		open_section(p, SECTION_UI);
		p->ui_line = p->line;
		return 0;
	}
	if (strncmp(inner, "account", 7) != 0 || (inner[7] != '\0' && !is_blank(inner[7])))
		return parse_error(p, p->line,
		                   "unknown section '[%s]': expected [account NAME] or [ui]",
		                   shorten(inner, show, sizeof show));
	name = trim(inner + 7);
	if (*name == '\0')
		return parse_error(p, p->line, "empty account name: write [account NAME]");
	if (!account_name_ok(name))
		return parse_error(p, p->line,
		                   "bad account name '%s': use letters, digits and . _ - @ +",
		                   shorten(name, show, sizeof show));
	for (i = 0; i < p->naccounts; i++)
		if (strcmp(p->accounts[i]->name, name) == 0)
			return parse_error(p, p->line, "duplicate account '%s' (first at line %d)",
			                   shorten(name, show, sizeof show), p->account_lines[i]);
	open_section(p, SECTION_ACCOUNT);
	p->acct = account_new(name);
	p->acct->origin = xasprintf("%s:%d", p->name, p->line);
	return 0;
}

/* The error for a key the section does not know, with a hint when one fits. */
static int
unknown_key(struct parser *p, const char *key)
{
	char show[CFG_SHOW_MAX + 8];
	enum cfg_key first = p->section == SECTION_UI ? KEY_FIRST_UI : 0;
	enum cfg_key last = p->section == SECTION_UI ? KEY_COUNT : KEY_FIRST_UI;
	int k, best = -1, best_d = 0;
	size_t i;

	key = shorten(key, show, sizeof show);
	for (k = 0; k < KEY_COUNT; k++) {
		if (strcmp(key, key_names[k]) != 0)
			continue;
		/* a known key in the wrong kind of section */
		return parse_error(p, p->line, "key '%s' belongs in %s, not in %s", key,
		                   k >= KEY_FIRST_UI ? "the [ui] section"
		                                     : "an [account NAME] section",
		                   p->section == SECTION_UI ? "[ui]" : "an account");
	}
	for (i = 0; i < sizeof key_aliases / sizeof key_aliases[0]; i++)
		if (ascii_casecmp(key, key_aliases[i].alias) == 0 && key_aliases[i].key >= first &&
		    key_aliases[i].key < last)
			return parse_error(p, p->line, "unknown key '%s' (did you mean '%s'?)", key,
			                   key_names[key_aliases[i].key]);
	for (k = (int)first; k < (int)last; k++) {
		int d = edit_distance(key, key_names[k]);

		if (d >= 0 && (best < 0 || d < best_d)) {
			best = k;
			best_d = d;
		}
	}
	if (best >= 0 && close_enough(strlen(key), best_d))
		return parse_error(p, p->line, "unknown key '%s' (did you mean '%s'?)", key,
		                   key_names[best]);
	return parse_error(p, p->line, "unknown key '%s' in %s", key,
	                   p->section == SECTION_UI ? "[ui]" : "[account NAME]");
}

/* "~", "~/x" and paths relative to the config file's directory. */
static char *
expand_path(struct parser *p, const char *v)
{
	char *home, *path;

	if (v[0] == '~' && (v[1] == '\0' || v[1] == '/')) {
		if ((home = home_dir()) == NULL) {
			parse_error(p, p->line, "cannot expand '~': HOME is not set");
			return NULL;
		}
		path = xasprintf("%s%s", home, v + 1);
		free(home);
		return path;
	}
	if (v[0] != '/' && p->dir != NULL)
		return xasprintf("%s/%s", p->dir, v);
	return xstrdup(v);
}

static int
parse_security(struct parser *p, enum cfg_key k, const char *v, enum mb_security *out)
{
	char show[CFG_SHOW_MAX + 8];

	if (ascii_casecmp(v, "none") == 0)
		*out = MB_SEC_NONE;
	else if (ascii_casecmp(v, "starttls") == 0)
		*out = MB_SEC_STARTTLS;
	else if (ascii_casecmp(v, "tls") == 0)
		*out = MB_SEC_TLS;
	else
		return parse_error(p, p->line, "bad %s '%s': expected none, starttls or tls%s",
		                   key_names[k], shorten(v, show, sizeof show),
		                   ascii_casecmp(v, "ssl") == 0 ? " (ssl is called tls)" : "");
	return 0;
}

static int
parse_bool(struct parser *p, enum cfg_key k, const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};
	char show[CFG_SHOW_MAX + 8];
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (ascii_casecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (ascii_casecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return parse_error(p, p->line, "bad %s '%s': expected yes or no", key_names[k],
	                   shorten(v, show, sizeof show));
}

/* A host or a name: one word. */
static int
check_word(struct parser *p, enum cfg_key k, const char *v)
{
	char show[CFG_SHOW_MAX + 8];

	if (strpbrk(v, " \t") != NULL)
		return parse_error(p, p->line, "bad %s '%s': no spaces allowed", key_names[k],
		                   shorten(v, show, sizeof show));
	return 0;
}

/* Store one endpoint key (host, port or security of smtp, imap or pop3). */
static int
set_endpoint(struct parser *p, enum cfg_key k, const char *v)
{
	struct mb_account *a = p->acct;
	struct mb_endpoint *eps[] = {&a->smtp, &a->imap, &a->pop3};
	struct mb_endpoint *ep = eps[(k - KEY_SMTP_HOST) / 3];
	char show[CFG_SHOW_MAX + 8];
	long port;

	switch ((k - KEY_SMTP_HOST) % 3) {
	case 0:
		if (check_word(p, k, v) < 0)
			return -1;
		ep->host = xstrdup(v);
		return 0;
	case 1:
		if ((port = parse_number(v, 65535)) < 1)
			return parse_error(p, p->line,
			                   "bad %s '%s': expected a number from 1 to 65535",
			                   key_names[k], shorten(v, show, sizeof show));
		ep->port = (int)port;
		return 0;
	default:
		return parse_security(p, k, v, &ep->security);
	}
}

/* Store a key's value in the open section. */
static int
set_value(struct parser *p, enum cfg_key k, const char *v)
{
	struct mb_account *a = p->acct;
	char show[CFG_SHOW_MAX + 8];
	long n;

	if (k >= KEY_SMTP_HOST && k <= KEY_POP3_SECURITY)
		return set_endpoint(p, k, v);
	switch (k) {
	case KEY_FROM:
		a->from = xstrdup(v);
		return 0;
	case KEY_USER:
		a->user = xstrdup(v);
		return 0;
	case KEY_PASSWORD_COMMAND:
	case KEY_PASSWORD:
		if (p->key_line[k == KEY_PASSWORD ? KEY_PASSWORD_COMMAND : KEY_PASSWORD] != 0)
			return parse_error(p, p->line,
			                   "set password or password_command, not both");
		if (k == KEY_PASSWORD) {
			a->password = xstrdup(v);
			p->has_password = true;
		} else {
			a->password_command = xstrdup(v);
		}
		return 0;
	case KEY_CA_FILE:
		a->ca_file = expand_path(p, v);
		return a->ca_file == NULL ? -1 : 0;
	case KEY_TLS_VERIFY:
		return parse_bool(p, k, v, &a->tls_verify);
	case KEY_EHLO_NAME:
		if (check_word(p, k, v) < 0)
			return -1;
		a->ehlo_name = xstrdup(v);
		return 0;
	case KEY_TIMEOUT:
		if ((n = parse_number(v, CFG_TIMEOUT_MAX)) < 1)
			return parse_error(p, p->line,
			                   "bad timeout '%s': expected seconds from 1 to %d",
			                   shorten(v, show, sizeof show), CFG_TIMEOUT_MAX);
		a->timeout = (int)n;
		return 0;
	case KEY_THEME:
		if (check_word(p, k, v) < 0)
			return -1;
		p->theme = xstrdup(v);
		return 0;
	case KEY_DEFAULT_ACCOUNT:
		p->default_account = xstrdup(v);
		p->default_line = p->line;
		return 0;
	case KEY_IDLE:
		p->idle_set = true;
		return parse_bool(p, k, v, &p->idle);
	default:
		break;
	}
	return mb_error_set(p->err, MB_ERR_INTERNAL, "config key %d not handled", (int)k);
}

/* A value wholly inside one pair of double quotes loses them (to keep its spaces). */
static char *
unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"' && memchr(v + 1, '"', n - 2) == NULL) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* "key = value" in the open section. */
static int
parse_key(struct parser *p, char *t)
{
	char show[CFG_SHOW_MAX + 8];
	char *eq = strchr(t, '='), *key, *value;
	int k, c;

	if (eq == NULL)
		return parse_error(p, p->line, "expected 'key = value' or a [section]");
	*eq = '\0';
	key = trim(t);
	value = trim(eq + 1);
	if ((c = find_control(key)) >= 0)
		return parse_error(p, p->line, "control character (0x%02x) in line", c);
	if (!utf8_valid(key))
		return parse_error(p, p->line, "invalid UTF-8 in line");
	if (*key == '\0')
		return parse_error(p, p->line, "missing key before '='");
	for (k = 0; k < KEY_COUNT; k++)
		if (strcmp(key, key_names[k]) == 0)
			break;
	if (p->section == SECTION_NONE)
		return parse_error(
		        p, p->line,
		        "key '%s' outside a section: put it under [account NAME] or [ui]",
		        shorten(key, show, sizeof show));
	if (k == KEY_COUNT || (p->section == SECTION_UI) != (k >= KEY_FIRST_UI))
		return unknown_key(p, key);
	if (p->key_line[k] != 0)
		return parse_error(p, p->line, "duplicate key '%s' (first at line %d)", key,
		                   p->key_line[k]);
	/* never echo a value here: it may be a password */
	if ((c = find_control(value)) >= 0)
		return parse_error(p, p->line, "control character (0x%02x) in the value of '%s'", c,
		                   key);
	if (!utf8_valid(value))
		return parse_error(p, p->line, "invalid UTF-8 in the value of '%s'", key);
	value = unquote(value);
	if (*value == '\0')
		return parse_error(p, p->line, "no value for '%s'", key);
	p->key_line[k] = p->line;
	return set_value(p, (enum cfg_key)k, value);
}

/* One line without its line end. */
static int
parse_line(struct parser *p, const char *s, size_t n)
{
	char buf[CFG_LINE_MAX + 1], *t;
	int ret;

	if (memchr(s, '\0', n) != NULL)
		return parse_error(p, p->line, "NUL byte in line");
	if (n > CFG_LINE_MAX)
		return parse_error(p, p->line, "line longer than %d bytes", CFG_LINE_MAX);
	memcpy(buf, s, n);
	buf[n] = '\0';
	t = trim(buf);
	if (*t == '\0' || *t == '#' || *t == ';')
		ret = 0;
	else if (*t == '[')
		ret = parse_section(p, t);
	else
		ret = parse_key(p, t);
	explicit_bzero(buf, n);
	return ret;
}

/* default_account must name an account of the file or a preset. */
static int
check_default(struct parser *p)
{
	char show[CFG_SHOW_MAX + 8];
	const char *name = p->default_account, *best = NULL;
	int best_d = 0, d;
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof preset_names / sizeof preset_names[0]; i++) {
		if (strcmp(name, preset_names[i]) == 0)
			return 0;
		d = edit_distance(name, preset_names[i]);
		if (d >= 0 && (best == NULL || d < best_d)) {
			best = preset_names[i];
			best_d = d;
		}
	}
	for (i = 0; i < p->naccounts; i++) {
		if (strcmp(name, p->accounts[i]->name) == 0)
			return 0;
		d = edit_distance(name, p->accounts[i]->name);
		if (d >= 0 && (best == NULL || d < best_d)) {
			best = p->accounts[i]->name;
			best_d = d;
		}
	}
	name = shorten(name, show, sizeof show);
	if (best != NULL && close_enough(strlen(name), best_d))
		return parse_error(p, p->default_line,
		                   "default_account '%s' is not an account (did you mean '%s'?)",
		                   name, best);
	return parse_error(p, p->default_line, "default_account '%s' is not an account", name);
}

/* Hand the parsed accounts, then the presets they do not replace, to cfg. */
static void
build_config(struct parser *p, struct mb_config *cfg)
{
	size_t i, j, n = p->naccounts;

	cfg->accounts = xreallocarray(NULL, n + 2, sizeof *cfg->accounts);
	for (i = 0; i < n; i++)
		cfg->accounts[i] = p->accounts[i];
	for (j = 0; j < sizeof preset_names / sizeof preset_names[0]; j++) {
		for (i = 0; i < p->naccounts; i++)
			if (strcmp(p->accounts[i]->name, preset_names[j]) == 0)
				break;
		if (i == p->naccounts)
			cfg->accounts[n++] = preset_new(j);
	}
	cfg->naccounts = n;
	cfg->theme = p->theme;
	cfg->default_account = p->default_account;
	cfg->no_idle = p->idle_set && !p->idle;
	free(p->accounts);
	free(p->account_lines);
	memset(p, 0, sizeof *p);
}

/* Parse text into cfg, relative paths starting at dir. */
static int
config_parse(struct mb_config *cfg, const char *name, const char *dir, const char *text, size_t len,
             bool *has_password, struct mb_error *err)
{
	struct parser p;
	size_t pos = 0;

	memset(cfg, 0, sizeof *cfg);
	memset(&p, 0, sizeof p);
	p.name = name;
	p.dir = dir;
	p.err = err;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3; /* a UTF-8 byte order mark */
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len, n = end - pos;

		p.line++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		if (parse_line(&p, text + pos, n) < 0)
			goto fail;
		pos = end + 1;
	}
	if (finish_section(&p) < 0 || check_default(&p) < 0)
		goto fail;
	if (has_password != NULL)
		*has_password = p.has_password;
	build_config(&p, cfg);
	return 0;
fail:
	parser_release(&p);
	return -1;
}

/* The directory of name, or NULL when it has none. */
static char *
dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');

	if (slash == NULL)
		return NULL;
	if (slash == name)
		return xstrdup("/");
	return xstrndup(name, (size_t)(slash - name));
}

int
mb_config_parse(struct mb_config *cfg, const char *name, const char *text, size_t len,
                struct mb_error *err)
{
	char *dir = dir_of(name);
	int ret;

	ret = config_parse(cfg, name, dir, len > 0 ? text : "", len, NULL, err);
	free(dir);
	return ret;
}

/* The absolute directory of path (relative to the working directory). */
static char *
abs_dir_of(const char *path)
{
	char cwd[4096], *dir = dir_of(path), *abs;

	if (dir != NULL && dir[0] == '/')
		return dir;
	if (getcwd(cwd, sizeof cwd) == NULL)
		return dir;
	abs = dir != NULL ? xasprintf("%s/%s", cwd, dir) : xstrdup(cwd);
	free(dir);
	return abs;
}

/* strerror() in house style: lower case. */
static void
error_errno(struct mb_error *err, int errnum, const char *what, const char *path)
{
	char msg[128];

	snprintf(msg, sizeof msg, "%s", strerror(errnum));
	msg[0] = (char)ascii_lower((unsigned char)msg[0]);
	mb_error_set(err, MB_ERR_CONFIG, "%s '%s': %s", what, path, msg);
}

/* Read the whole regular file behind fd, at most CFG_FILE_MAX bytes. */
static int
read_all(int fd, const char *path, const struct stat *st, struct mb_buf *b, struct mb_error *err)
{
	char chunk[8192];
	ssize_t n;

	if (!S_ISREG(st->st_mode))
		return mb_error_set(err, MB_ERR_CONFIG, "cannot read '%s': not a regular file",
		                    path);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_errno(err, errno, "cannot read", path);
			break;
		}
		if (n == 0)
			break;
		if (b->len + (size_t)n > CFG_FILE_MAX) {
			mb_error_set(err, MB_ERR_CONFIG, "cannot read '%s': larger than %d bytes",
			             path, CFG_FILE_MAX);
			n = -1;
			break;
		}
		mb_buf_add(b, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof chunk);
	return n < 0 ? -1 : 0;
}

/* A file holding a password must be its owner's alone. */
static int
check_private(const char *path, const struct stat *st, struct mb_error *err)
{
	mode_t mode = st->st_mode & 07777;

	if (st->st_uid != geteuid())
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "%s: holds a password but belongs to uid %ld, not to you "
		                    "(uid %ld): use password_command",
		                    path, (long)st->st_uid, (long)geteuid());
	if (mode & 077)
		return mb_error_set(err, MB_ERR_CONFIG,
		                    "%s: holds a password but is %s by others (mode %04o): "
		                    "chmod 600 %s or use password_command",
		                    path, (mode & 044) ? "readable" : "writable", (unsigned)mode,
		                    path);
	return 0;
}

int
mb_config_load(struct mb_config *cfg, const char *path, struct mb_error *err)
{
	struct mb_buf text = MB_BUF_INIT;
	char *def = NULL, *dir = NULL;
	bool has_password = false;
	struct stat st;
	int fd, ret = -1;

	memset(cfg, 0, sizeof *cfg);
	if (path == NULL && (path = def = mb_config_default_path()) == NULL)
		return config_parse(cfg, "(none)", NULL, "", 0, NULL, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (def != NULL && errno == ENOENT)
			ret = config_parse(cfg, "(none)", NULL, "", 0, NULL, err);
		else
			error_errno(err, errno, "cannot open", path);
		goto done;
	}
	if (fstat(fd, &st) < 0) {
		error_errno(err, errno, "cannot read", path);
		goto done;
	}
	if (read_all(fd, path, &st, &text, err) < 0)
		goto done;
	dir = abs_dir_of(path);
	if (config_parse(cfg, path, dir, text.data, text.len, &has_password, err) < 0)
		goto done;
	if (has_password && check_private(path, &st, err) < 0) {
		mb_config_release(cfg);
		goto done;
	}
	cfg->path = xstrdup(path);
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	if (text.len > 0)
		explicit_bzero(text.data, text.len);
	mb_buf_release(&text);
	free(dir);
	free(def);
	return ret;
}

void
mb_config_release(struct mb_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->naccounts; i++)
		account_free(cfg->accounts[i]);
	free(cfg->accounts);
	free(cfg->path);
	free(cfg->theme);
	free(cfg->default_account);
	memset(cfg, 0, sizeof *cfg);
}

const struct mb_account *
mb_config_account(const struct mb_config *cfg, const char *name)
{
	size_t i;

	if (cfg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < cfg->naccounts; i++)
		if (strcmp(cfg->accounts[i]->name, name) == 0)
			return cfg->accounts[i];
	return NULL;
}

const struct mb_account *
mb_config_default(const struct mb_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return NULL;
	if (cfg->default_account != NULL)
		return mb_config_account(cfg, cfg->default_account);
	for (i = 0; i < cfg->naccounts; i++)
		if (!cfg->accounts[i]->builtin)
			return cfg->accounts[i];
	return mb_config_account(cfg, "lab");
}
