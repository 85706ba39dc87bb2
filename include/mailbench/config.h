/*
 * config.h: accounts and settings from the INI-style config file.
 *
 * The file is $XDG_CONFIG_HOME/mailbench/config (default
 * ~/.config/mailbench/config) unless --config names another. Sections:
 *
 *     [account NAME]
 *     from = Alice <alice@example.org>
 *     smtp_host = smtp.example.org
 *     smtp_port = 587
 *     smtp_security = starttls        ; none | starttls | tls
 *     imap_host / imap_port / imap_security
 *     pop3_host / pop3_port / pop3_security
 *     user = alice
 *     password_command = pass show mail/alice   ; first line of output
 *     ca_file = /path/to/ca.pem
 *     tls_verify = yes                ; yes | no
 *     ehlo_name = mailbench.local     ; optional, the name sent in EHLO
 *     timeout = 60                    ; optional, seconds per operation
 *
 *     [ui]
 *     theme = dark
 *     default_account = work
 *     idle = yes                      ; the TUI watches INBOX live (IMAP IDLE)
 *
 * Comments start with '#' or ';' at the beginning of a line. A bad line is
 * reported as "FILE:LINE: what is wrong" and nothing is half-loaded. A
 * literal `password = ...` line is accepted only when the file is readable
 * by its owner alone; otherwise loading fails (mailbench never writes a
 * password anywhere itself).
 *
 * Built-in presets, usable without any file: "lab" (the local lab started
 * by `mailbench lab start`) and "mailpit" (localhost, SMTP 1025, POP3
 * 1110, no TLS). A file's account of the same name overrides a preset.
 *
 * Usage:
 *
 *     struct mb_config cfg;
 *     struct mb_error err = MB_ERROR_INIT;
 *     if (mb_config_load(&cfg, cli->config_path, &err) < 0) { ...err.msg... }
 *     const struct mb_account *a = mb_config_account(&cfg, name);
 *     ...
 *     mb_config_release(&cfg);
 */
#ifndef MAILBENCH_CONFIG_H
#define MAILBENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mailbench/error.h"

enum mb_security {
	MB_SEC_NONE = 0, /* plain text */
	MB_SEC_STARTTLS, /* plain connect, then STARTTLS/STLS; required */
	MB_SEC_TLS,      /* implicit TLS from the first byte */
};

struct mb_endpoint {
	char *host; /* NULL when the account has no such server */
	int port;   /* 0: the protocol's default for the security */
	enum mb_security security;
};

struct mb_account {
	char *name;
	char *from; /* "Alice <alice@example.org>" or NULL */
	struct mb_endpoint smtp, imap, pop3;
	char *user;
	char *password_command; /* run through /bin/sh; first line is the password */
	char *password;         /* only from a file readable by its owner alone */
	char *ca_file;          /* PEM file of trusted CAs, or NULL for the system store */
	bool tls_verify;        /* default true */
	char *ehlo_name;        /* NULL: mailbench's default name */
	int timeout;            /* seconds per operation; 0: the default */
	bool builtin;           /* a preset, not from the file */
	char *origin;           /* "FILE:LINE" of the section header, or "built-in" */
};

struct mb_config {
	char *path; /* the file read, or NULL when there was none */
	struct mb_account **accounts;
	size_t naccounts;      /* presets included, file accounts first */
	char *theme;           /* [ui] theme, or NULL */
	char *default_account; /* [ui] default_account, or NULL */
	bool no_idle;          /* [ui] idle = no: the TUI keeps no IMAP IDLE connection */
};

/* The default path: $XDG_CONFIG_HOME/mailbench/config or ~/.config/mailbench/config. */
char *mb_config_default_path(void);

/*
 * Load path (NULL: the default path; a missing default file is not an
 * error, a missing explicit one is). Presets are always present.
 * On failure cfg is left empty and err says "FILE:LINE: ...".
 */
int mb_config_load(struct mb_config *cfg, const char *path, struct mb_error *err);

/* Parse a config from memory; name is used in messages. For tests and fuzzing. */
int mb_config_parse(struct mb_config *cfg, const char *name, const char *text, size_t len,
                    struct mb_error *err);

void mb_config_release(struct mb_config *cfg);

/* Find an account by name, or NULL. */
const struct mb_account *mb_config_account(const struct mb_config *cfg, const char *name);

/*
 * The account to use when none is named: [ui] default_account, else the
 * first account from the file, else the "lab" preset.
 */
const struct mb_account *mb_config_default(const struct mb_config *cfg);

/* The port to use for an endpoint: its own, or the protocol default. */
int mb_endpoint_port(const struct mb_endpoint *ep, const char *proto);

const char *mb_security_name(enum mb_security s);

/*
 * Obtain the account's password: the literal password, else the first
 * line of password_command's output, else a prompt on /dev/tty with echo
 * off ("Password for alice@host: "). The caller frees it with
 * mb_password_free(), which wipes it first.
 */
int mb_account_password(const struct mb_account *acct, const char *what, char **out,
                        struct mb_error *err);
void mb_password_free(char *pw);

/* The lab's state directory: $MAILBENCH_LAB_DIR or $XDG_STATE_HOME/mailbench/lab. */
char *mb_lab_dir(void);
/* The lab's port base: $MAILBENCH_LAB_BASE or 10000. */
int mb_lab_base(void);

#endif
