/*
 * mark.c: `mailbench mark ID read|unread|flagged|unflagged|answered|unanswered`:
 * change a cached message's flags here and on the IMAP server (the
 * command-line twin of the TUI's N key).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/private.h"
#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/store.h"
#include "mailbench/sync.h"

static const struct {
	const char *word;
	unsigned flag;
	bool set;
} marks[] = {
        {"read", MB_FLAG_SEEN, true},         {"unread", MB_FLAG_SEEN, false},
        {"flagged", MB_FLAG_FLAGGED, true},   {"unflagged", MB_FLAG_FLAGGED, false},
        {"answered", MB_FLAG_ANSWERED, true}, {"unanswered", MB_FLAG_ANSWERED, false},
        {"deleted", MB_FLAG_DELETED, true},   {"undeleted", MB_FLAG_DELETED, false},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailbench mark ID read|unread|flagged|unflagged|answered|unanswered|"
	           "deleted|undeleted\n"
	           "\n"
	           "Changes the flags of cached message ID (see mailbench list) in the cache and,\n"
	           "for IMAP, on the server (UID STORE). 'deleted' only sets \\Deleted; nothing\n"
	           "is expunged.\n");
}

/* The account a stored message belongs to, by name. */
static char *
account_name(struct mb_store *st, int64_t account_id, struct mb_error *err)
{
	struct mb_store_account_list l;
	char *name = NULL;
	size_t i;

	if (mb_store_account_list(st, &l, err) < 0)
		return NULL;
	for (i = 0; i < l.n; i++)
		if (l.v[i].id == account_id)
			name = strdup(l.v[i].name);
	mb_store_account_list_release(&l);
	return name;
}

int
mb_cmd_mark(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_config cfg = {0};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_msg m = {0};
	struct mb_sync_opts so = {0};
	const struct mb_account *acct;
	char *name = NULL, *pw = NULL, *end;
	int64_t id;
	size_t k;
	unsigned flags;
	int c, exit_code = MB_EXIT_FAIL;

	while ((c = mb_cli_getopt("mark", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return MB_EXIT_OK;
		}
		return MB_EXIT_USAGE;
	}
	if (argc - optind != 2)
		return mb_cli_usage_error("mark", "needs a message id and a mark");
	id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0)
		return mb_cli_usage_error("mark", "'%s' is not a message id", argv[optind]);
	for (k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (strcmp(argv[optind + 1], marks[k].word) == 0)
			break;
	if (k == sizeof marks / sizeof marks[0])
		return mb_cli_usage_error("mark", "unknown mark '%s'", argv[optind + 1]);
	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		return MB_EXIT_CONFIG;
	}
	if ((exit_code = mb_cli_open_store(cli, "mark", &st)) != 0)
		goto out;
	if (mb_store_msg_get(st, id, &m, &err) < 0 ||
	    (name = account_name(st, m.account_id, &err)) == NULL) {
		mb_cli_err("mark", "%s",
		           err.kind != MB_OK ? err.msg : "message without an account");
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	if ((acct = mb_config_account(&cfg, name)) == NULL) {
		mb_cli_err("mark",
		           "message %lld belongs to account '%s', which the config no longer "
		           "has",
		           (long long)id, name);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	flags = marks[k].set ? m.flags | marks[k].flag : m.flags & ~marks[k].flag;
	if (acct->imap.host != NULL && acct->user != NULL &&
	    mb_account_password(acct, "imap", &pw, &err) < 0) {
		mb_cli_err("mark", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	so.acct = acct;
	so.password = pw;
	so.st = st;
	if (mb_sync_set_flags(&so, id, flags, &err) < 0) {
		mb_cli_err("mark", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	printf("message %lld marked %s\n", (long long)id, marks[k].word);
	exit_code = MB_EXIT_OK;
out:
	mb_password_free(pw);
	free(name);
	mb_msg_release(&m);
	mb_store_close(st);
	mb_config_release(&cfg);
	return exit_code;
}
