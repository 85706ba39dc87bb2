/*
 * fetch.c: `mailbench fetch`: retrieve mail over IMAP or POP3 into the
 * cache, with a progress bar on a terminal and one summary line otherwise.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/private.h"
#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/store.h"
#include "mailbench/sync.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: mailbench fetch [--account A] [--protocol imap|pop3] [--mailbox NAME | "
	        "--all]\n"
	        "                       [--delete] [--transcript] [--show-data] [--full-check]\n"
	        "                       [--timeout SEC]\n"
	        "\n"
	        "Retrieves new mail into the cache. IMAP (the default when the account has an\n"
	        "imap_host) syncs by UID: new messages, flags both ways, expunges; POP3 fetches\n"
	        "new messages by UIDL and leaves them on the server unless --delete, which\n"
	        "removes only messages already safely stored in the cache.\n"
	        "\n"
	        "  --mailbox NAME  one IMAP mailbox (default INBOX)\n"
	        "  --all           every IMAP mailbox\n"
	        "  --transcript    print the protocol conversation as it happens\n"
	        "  --show-data     with --transcript: message data in full, not summarised\n"
	        "  --full-check    compare every UID with the server, whatever CONDSTORE says\n"
	        "\n"
	        "Exit status: 0 done; 4 connection failed; 5 TLS failed; 6 authentication failed;\n"
	        "9 the server broke the protocol; 3 bad configuration; 11 cache error; 2 usage.\n");
}

struct progress {
	bool tty;
	int64_t t0_ms;
	int64_t last_ms;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
human(char *out, size_t len, double bytes)
{
	if (bytes >= 1e9)
		snprintf(out, len, "%.2f GB", bytes / 1e9);
	else if (bytes >= 1e6)
		snprintf(out, len, "%.1f MB", bytes / 1e6);
	else if (bytes >= 1e3)
		snprintf(out, len, "%.1f kB", bytes / 1e3);
	else
		snprintf(out, len, "%.0f B", bytes);
}

static void
on_progress(void *ctx, const struct mb_sync_progress *p)
{
	struct progress *pr = ctx;
	int64_t now = now_ms(), el;
	char b[32], bt[32], rate[32], eta[32] = "";
	double secs, bps;
	int width = 24, fill;

	if (!pr->tty || (now - pr->last_ms < 100 && p->done < p->total))
		return;
	pr->last_ms = now;
	el = now - pr->t0_ms;
	secs = el > 0 ? (double)el / 1000.0 : 0.001;
	bps = (double)p->bytes / secs;
	human(b, sizeof b, (double)p->bytes);
	human(bt, sizeof bt, (double)p->bytes_total);
	human(rate, sizeof rate, bps);
	if (p->total > 0 && p->done > 0 && p->done < p->total) {
		double left = secs * (double)(p->total - p->done) / (double)p->done;

		snprintf(eta, sizeof eta, " ETA %d:%02d", (int)left / 60, (int)left % 60);
	}
	fill = p->total ? (int)((uint64_t)width * (p->done > p->total ? p->total : p->done) /
	                        p->total)
	                : 0;
	fprintf(stderr, "\r%-10.10s [%.*s%*s] %llu/%llu msgs  %s/%s  %s/s%s\033[K",
	        p->mailbox ? p->mailbox : "", fill, "########################", width - fill, "",
	        (unsigned long long)p->done, (unsigned long long)p->total, b,
	        p->bytes_total ? bt : "?", rate, eta);
	fflush(stderr);
}

int
mb_cmd_fetch(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"account", required_argument, NULL, 'a'},
	        {"protocol", required_argument, NULL, 'p'},
	        {"mailbox", required_argument, NULL, 'm'},
	        {"all", no_argument, NULL, 'A'},
	        {"delete", no_argument, NULL, 'd'},
	        {"transcript", no_argument, NULL, 't'},
	        {"show-data", no_argument, NULL, 'D'},
	        {"full-check", no_argument, NULL, 'F'},
	        {"timeout", required_argument, NULL, 'w'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_config cfg = {0};
	struct mb_error err = MB_ERROR_INIT;
	const struct mb_account *acct;
	struct mb_store *st = NULL;
	struct mb_sync_opts so = {0};
	struct mb_sync_stats stats;
	struct mb_tprinter pr;
	struct progress prog = {0};
	const char *account = NULL;
	char *pw = NULL, *end;
	bool transcript = false;
	int c, rc, exit_code = MB_EXIT_FAIL;
	int64_t t0;

	while ((c = mb_cli_getopt("fetch", argc, argv, "a:p:m:h", longopts)) != -1) {
		switch (c) {
		case 'a':
			account = optarg;
			break;
		case 'p':
			if (strcmp(optarg, "imap") == 0)
				so.protocol = MB_SYNC_IMAP;
			else if (strcmp(optarg, "pop3") == 0)
				so.protocol = MB_SYNC_POP3;
			else
				return mb_cli_usage_error(
				        "fetch", "--protocol is imap or pop3, not '%s'", optarg);
			break;
		case 'm':
			so.mailbox = optarg;
			break;
		case 'A':
			so.all = true;
			break;
		case 'd':
			so.delete_after = true;
			break;
		case 't':
			transcript = true;
			break;
		case 'D':
			so.show_data = true;
			break;
		case 'F':
			so.full_check = true;
			break;
		case 'w':
			so.timeout = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || so.timeout <= 0 || so.timeout > 86400)
				return mb_cli_usage_error("fetch",
				                          "--timeout needs seconds (1 to 86400)");
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return mb_cli_usage_error("fetch", "unexpected argument '%s'", argv[optind]);
	if (so.all && so.mailbox)
		return mb_cli_usage_error("fetch", "--mailbox and --all exclude each other");
	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		return MB_EXIT_CONFIG;
	}
	acct = account ? mb_config_account(&cfg, account) : mb_config_default(&cfg);
	if (acct == NULL) {
		mb_cli_err("fetch", "no account named '%s' (see mailbench config)", account);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	if (so.protocol == MB_SYNC_AUTO && so.delete_after)
		so.protocol = MB_SYNC_POP3;
	if ((exit_code = mb_cli_open_store(cli, "fetch", &st)) != 0)
		goto out;
	if (acct->user != NULL &&
	    mb_account_password(acct, so.protocol == MB_SYNC_POP3 ? "pop3" : "imap", &pw, &err) <
	            0) {
		mb_cli_err("fetch", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	pr.f = stdout;
	pr.color = mb_cli_color(stdout, cli->no_color);
	pr.quiet = false;
	so.acct = acct;
	so.password = pw;
	so.st = st;
	so.sink = transcript ? mb_tprint_sink : NULL;
	so.sink_ctx = &pr;
	prog.tty = !transcript && isatty(STDERR_FILENO);
	prog.t0_ms = now_ms();
	so.progress = on_progress;
	so.ctx = &prog;
	t0 = now_ms();
	rc = mb_sync(&so, &stats, &err);
	if (prog.tty)
		fprintf(stderr, "\r\033[K");
	printf("%s: %llu new message(s), %.1f MB, %llu flag change(s), %llu removed", acct->name,
	       (unsigned long long)stats.new_msgs, (double)stats.new_bytes / 1e6,
	       (unsigned long long)stats.flags_changed, (unsigned long long)stats.removed);
	if (so.delete_after)
		printf(", %llu deleted on the server", (unsigned long long)stats.deleted_server);
	printf(" in %.2f s (transcript %lld)\n", (double)(now_ms() - t0) / 1000.0,
	       (long long)stats.session_id);
	if (rc < 0) {
		mb_cli_err("fetch", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	exit_code = MB_EXIT_OK;
out:
	mb_password_free(pw);
	mb_store_close(st);
	mb_config_release(&cfg);
	return exit_code;
}
