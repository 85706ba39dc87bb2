/*
 * config.c: `mailbench config [--check] [--path]`, which shows the config
 * file in use and every account mailbench knows (presets included), or
 * just checks the file. It says where a password comes from, never what
 * it is.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailbench config [--check | --path] [--config FILE]\n"
	           "\n"
	           "Shows the config file in use and every account mailbench knows, with its\n"
	           "servers and where its password comes from (never the password itself).\n"
	           "\n"
	           "  --check   only check the file: exit 0 if it is good, 3 if not\n"
	           "  --path    print the path of the config file and exit\n"
	           "  --help    this text\n"
	           "\n"
	           "The default file is $XDG_CONFIG_HOME/mailbench/config\n"
	           "(~/.config/mailbench/config). See mailbench(1) for its keys.\n");
}

/* Print s with control characters (from the environment, say) made harmless. */
static void
put_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		putchar((c < 0x20 && c != '\t') || c == 0x7f ? '?' : c);
	}
}

/* "  key             value" */
static void
field(const char *key, const char *value)
{
	printf("  %-15s ", key);
	put_safe(value);
	putchar('\n');
}

static void
show_endpoint(const char *proto, const struct mb_endpoint *ep)
{
	char *s;

	if (ep->host == NULL) {
		field(proto, "-");
		return;
	}
	s = xasprintf("%s:%d %s%s", ep->host, mb_endpoint_port(ep, proto),
	              mb_security_name(ep->security),
	              ep->security == MB_SEC_NONE ? " (plain text)" : "");
	field(proto, s);
	free(s);
}

/* Where the password comes from; never the password or the command's output. */
static const char *
password_source(const struct mb_account *a)
{
	if (a->password != NULL)
		return "password (in file)";
	if (a->password_command != NULL)
		return "password_command";
	return "prompt";
}

static void
show_account(const struct mb_account *a, bool is_default)
{
	char num[32];

	printf("account ");
	put_safe(a->name);
	printf(" (");
	put_safe(a->origin != NULL ? a->origin : "?");
	printf(")%s\n", is_default ? " [default]" : "");
	field("from", a->from != NULL ? a->from : "-");
	show_endpoint("smtp", &a->smtp);
	show_endpoint("imap", &a->imap);
	show_endpoint("pop3", &a->pop3);
	field("user", a->user != NULL ? a->user : "-");
	field("password", password_source(a));
	field("ca_file", a->ca_file != NULL ? a->ca_file : "(system store)");
	field("tls_verify",
	      a->tls_verify ? "yes" : "no   <- WARNING: certificates are not checked");
	if (a->ehlo_name != NULL)
		field("ehlo_name", a->ehlo_name);
	if (a->timeout != 0) {
		snprintf(num, sizeof num, "%d s", a->timeout);
		field("timeout", num);
	}
}

static void
show_config(const struct mb_config *cfg, const char *path)
{
	const struct mb_account *def = mb_config_default(cfg);
	size_t i;

	printf("config file: ");
	if (cfg->path != NULL) {
		put_safe(cfg->path);
	} else if (path != NULL) {
		put_safe(path);
		printf(" (not found: built-in accounts only)");
	} else {
		printf("none (HOME is not set: built-in accounts only)");
	}
	putchar('\n');
	for (i = 0; i < cfg->naccounts; i++) {
		putchar('\n');
		show_account(cfg->accounts[i], cfg->accounts[i] == def);
	}
	printf("\n[ui]\n");
	field("theme", cfg->theme != NULL ? cfg->theme : "(default)");
	field("default_account", cfg->default_account != NULL ? cfg->default_account : "(none)");
	field("idle", cfg->no_idle ? "no" : "yes");
}

int
mb_cmd_config(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"check", no_argument, NULL, 'c'},
	        {"path", no_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_config cfg;
	struct mb_error err = MB_ERROR_INIT;
	bool check = false, path_only = false;
	char *def = NULL;
	int c;

	while ((c = mb_cli_getopt("config", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'c':
			check = true;
			break;
		case 'p':
			path_only = true;
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return mb_cli_usage_error("config", "unexpected argument '%s'", argv[optind]);
	if (check && path_only)
		return mb_cli_usage_error("config", "--check and --path do not go together");
	if (cli->config_path == NULL)
		def = mb_config_default_path();
	if (path_only) {
		if (cli->config_path == NULL && def == NULL) {
			mb_cli_err(NULL, "no config path: neither XDG_CONFIG_HOME nor HOME is set");
			return MB_EXIT_CONFIG;
		}
		put_safe(cli->config_path != NULL ? cli->config_path : def);
		putchar('\n');
		free(def);
		return MB_EXIT_OK;
	}
	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		free(def);
		return mb_cli_exit_for(err.kind);
	}
	if (!check)
		show_config(&cfg, def);
	mb_config_release(&cfg);
	free(def);
	return fflush(stdout) == 0 ? MB_EXIT_OK : MB_EXIT_FAIL;
}
