/*
 * transcript.c: `mailbench transcript`: the protocol sessions stored in the
 * cache, listed, shown as the live printer showed them (tprint.c), or
 * exported as text or as Markdown for a lab report.
 *
 * Lines are read from the cache a page at a time, so a transcript of any
 * length prints in bounded memory. Every byte that came from the network is
 * sanitised by the printers before it reaches a terminal or a file.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/private.h"
#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/sanitize.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

#define PAGE_LINES 1000

/* errno of the last failed write: a reader that went away (EPIPE) is not worth a message */
static int write_errno;

/* Write b to f, or fill err. */
static int
put(FILE *f, const struct mb_buf *b, struct mb_error *err)
{
	if (mb_cli_write(f, b) == 0)
		return 0;
	write_errno = errno;
	return mb_error_set(err, MB_ERR_IO, "cannot write: %s", strerror(errno));
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: mailbench transcript list [--limit N] [--outbox ID]\n"
	        "       mailbench transcript show ID\n"
	        "       mailbench transcript export ID [--format text|markdown] [--output FILE]\n"
	        "\n"
	        "Every SMTP, POP3 and IMAP session mailbench runs is stored with its\n"
	        "conversation (secrets masked, message data summarised). list shows the\n"
	        "newest sessions (--limit N, default 20, 0 for all; --outbox ID: only those\n"
	        "that sent that outbox message); show prints one as it scrolled by live\n"
	        "(coloured on a terminal); export writes it as plain text or as Markdown\n"
	        "(a table of session facts, then one table row per line: fit for a lab\n"
	        "report) to standard output or to FILE (which is replaced).\n"
	        "\n"
	        "Exit status: 0 done; 10 no such transcript or outbox message; 2 bad usage;\n"
	        "1 cannot write FILE; 11 cache error.\n");
}

static const char *
result_name(const struct mb_session *s)
{
	switch (s->result) {
	case MB_SESSION_OK:
		return "ok";
	case MB_SESSION_ERROR:
		return "error";
	case MB_SESSION_RUNNING:
		break;
	}
	return "not ended";
}

/* "0.412 s", "2 min 3 s", or "not ended". */
static void
duration(char *buf, size_t len, const struct mb_session *s)
{
	int64_t us = s->ended_us - s->started_us;

	if (s->ended_us == 0 || us < 0)
		snprintf(buf, len, "-");
	else if (us < 60 * 1000000LL)
		snprintf(buf, len, "%.3f s", (double)us / 1e6);
	else
		snprintf(buf, len, "%lld min %lld s", (long long)(us / 60000000),
		         (long long)(us / 1000000 % 60));
}

static void
proto_upper(char *buf, size_t len, enum mb_store_proto p)
{
	const char *n = mb_store_proto_name(p);
	size_t i;

	for (i = 0; n[i] && i + 1 < len; i++)
		buf[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
	buf[i] = '\0';
}

/* Read session id; on failure report it and return the exit code. */
static int
get_session(struct mb_store *st, const char *cmd, int64_t id, struct mb_session *s)
{
	struct mb_error err = MB_ERROR_INIT;

	if (mb_store_session_get(st, id, s, &err) == 0)
		return 0;
	if (err.kind == MB_ERR_NOTFOUND)
		mb_cli_err(cmd, "no transcript %lld (see mailbench transcript list)",
		           (long long)id);
	else
		mb_cli_err(cmd, "%s", err.msg);
	return mb_cli_exit_for(err.kind);
}

/* --- list --- */

static void
print_list(const struct mb_session_list *l, size_t width)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i, wid = 2, wacct = 7, wsrv = 6, used, wres;
	char num[32];

	for (i = 0; i < l->n; i++) {
		const struct mb_session *s = &l->v[i];
		char *a = mb_sanitize(s->account, MB_SANITIZE_LINE);
		char *h = mb_sanitize(s->host, MB_SANITIZE_LINE);
		size_t w = (size_t)snprintf(num, sizeof num, "%lld", (long long)s->id);
		size_t aw = mb_display_width(a, strlen(a));
		size_t hw = mb_display_width(h, strlen(h)) + 6;

		wid = w > wid ? w : wid;
		wacct = aw > wacct ? aw : wacct;
		wsrv = hw > wsrv ? hw : wsrv;
		free(a);
		free(h);
	}
	wacct = wacct > 12 ? 12 : wacct;
	wsrv = wsrv > 24 ? 24 : wsrv;
	/* id  started(16)  proto(5)  account  server  time(8)  outbox(6)  result */
	used = wid + 2 + 16 + 2 + 5 + 2 + wacct + 2 + wsrv + 2 + 8 + 2 + 6 + 2;
	wres = width > used + 8 ? width - used : 8;
	mb_cli_cell_right(&b, "ID", wid);
	mb_buf_addstr(&b, "  STARTED           PROTO  ");
	mb_cli_cell(&b, "ACCOUNT", wacct);
	mb_buf_addstr(&b, "  ");
	mb_cli_cell(&b, "SERVER", wsrv);
	mb_buf_addstr(&b, "      TIME  OUTBOX  RESULT\n");
	for (i = 0; i < l->n; i++) {
		const struct mb_session *s = &l->v[i];
		char when[32], dur[32], ob[32];
		char *srv = xasprintf("%s:%d", s->host, s->port);

		snprintf(num, sizeof num, "%lld", (long long)s->id);
		mb_cli_cell_right(&b, num, wid);
		mb_cli_time(when, sizeof when, s->started_us / 1000000, 0);
		mb_buf_addf(&b, "  %-16s  %-5s  ", when, mb_store_proto_name(s->protocol));
		mb_cli_cell(&b, s->account, wacct);
		mb_buf_addstr(&b, "  ");
		mb_cli_cell(&b, srv, wsrv);
		duration(dur, sizeof dur, s);
		if (s->outbox_id)
			snprintf(ob, sizeof ob, "#%lld", (long long)s->outbox_id);
		else
			snprintf(ob, sizeof ob, "-");
		mb_buf_addstr(&b, "  ");
		mb_cli_cell_right(&b, dur, 8);
		mb_buf_addf(&b, "  %-6s  ", ob);
		mb_cli_cell_last(&b, result_name(s), wres);
		mb_buf_addch(&b, '\n');
		if (s->error[0])
			mb_cli_wrap(&b, s->error, wid + 2, width);
		free(srv);
	}
	mb_cli_write(stdout, &b);
	mb_buf_release(&b);
}

static int
cmd_list(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"limit", required_argument, NULL, 'n'},
	        {"outbox", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_session_list l = {0};
	long limit = 20;
	int64_t outbox = 0;
	int c, rc;

	while ((c = mb_cli_getopt("transcript list", argc, argv, "n:h", longopts)) != -1) {
		switch (c) {
		case 'n':
			if ((rc = mb_cli_parse_count("transcript list", "--limit", optarg,
			                             1000000000L, &limit)) != 0)
				return rc;
			break;
		case 'o':
			if ((rc = mb_cli_parse_id("transcript list", "--outbox", optarg,
			                          &outbox)) != 0)
				return rc;
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return mb_cli_usage_error("transcript list", "unexpected argument '%s'",
		                          argv[optind]);
	if ((rc = mb_cli_open_store(cli, "transcript list", &st)) != 0)
		return rc;
	if (mb_store_session_list(st, outbox, (size_t)limit, &l, &err) < 0) {
		mb_cli_err("transcript list", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
	} else if (l.n == 0 && outbox != 0) {
		struct mb_outbox o = {0};

		if (mb_store_outbox_get(st, outbox, &o, &err) < 0) {
			if (err.kind == MB_ERR_NOTFOUND)
				mb_cli_err("transcript list", "no outbox message %lld",
				           (long long)outbox);
			else
				mb_cli_err("transcript list", "%s", err.msg);
			rc = mb_cli_exit_for(err.kind);
		} else {
			printf("no transcripts of outbox message #%lld (it was never sent)\n",
			       (long long)outbox);
		}
		mb_outbox_release(&o);
	} else if (l.n == 0) {
		printf("no transcripts in the cache yet\n");
	} else {
		print_list(&l, mb_cli_term_width(stdout));
	}
	mb_session_list_release(&l);
	mb_store_close(st);
	return rc;
}

/* --- show and export --- */

enum fmt { FMT_TEXT, FMT_MARKDOWN };

static void
text_head(struct mb_buf *b, const struct mb_session *s)
{
	char p[16], when[32], dur[32];
	char *acct = mb_sanitize(s->account, MB_SANITIZE_LINE);
	char *host = mb_sanitize(s->host, MB_SANITIZE_LINE);
	char *err = mb_sanitize(s->error, MB_SANITIZE_LINE);

	proto_upper(p, sizeof p, s->protocol);
	mb_cli_time(when, sizeof when, s->started_us / 1000000, 1);
	duration(dur, sizeof dur, s);
	mb_buf_addf(b, "Transcript #%lld: %s, account %s, %s:%d (%s)\n", (long long)s->id, p, acct,
	            host, s->port, s->security);
	if (s->ended_us == 0)
		mb_buf_addf(b,
		            "started %s, not ended (still running, or its mailbench was stopped)",
		            when);
	else
		mb_buf_addf(b, "started %s, %s, %s%s%s", when, dur, result_name(s),
		            err[0] ? ": " : "", err);
	if (s->outbox_id)
		mb_buf_addf(b, "; outbox message #%lld", (long long)s->outbox_id);
	mb_buf_addf(b, "; %lld lines\n\n", (long long)s->nlines);
	free(acct);
	free(host);
	free(err);
}

static void
md_row(struct mb_buf *b, const char *name, const char *value)
{
	mb_buf_addf(b, "| %s | ", name);
	mb_cli_md_cell(b, value);
	mb_buf_addstr(b, " |\n");
}

static void
md_head(struct mb_buf *b, const struct mb_session *s)
{
	char p[16], when[64], dur[32], tmp[64];
	time_t t = (time_t)(s->started_us / 1000000);
	struct tm tm;
	char *acct = mb_sanitize(s->account, MB_SANITIZE_LINE);
	char *srv;

	proto_upper(p, sizeof p, s->protocol);
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
	duration(dur, sizeof dur, s);
	mb_buf_addf(b, "# %s session #%lld (account ", p, (long long)s->id);
	mb_cli_md_cell(b, acct);
	mb_buf_addstr(b, ")\n\n| Session | Value |\n|---|---|\n");
	md_row(b, "Protocol", p);
	md_row(b, "Account", s->account);
	srv = xasprintf("%s:%d", s->host, s->port);
	md_row(b, "Server", srv);
	free(srv);
	md_row(b, "Security", s->security);
	md_row(b, "Started", when);
	md_row(b, "Duration", dur);
	md_row(b, "Result", result_name(s));
	md_row(b, "Error", s->error);
	if (s->outbox_id) {
		snprintf(tmp, sizeof tmp, "#%lld", (long long)s->outbox_id);
		md_row(b, "Outbox message", tmp);
	}
	snprintf(tmp, sizeof tmp, "%lld", (long long)s->nlines);
	md_row(b, "Lines", tmp);
	mb_buf_addstr(b, "\n| Time | Who | Line | Meaning |\n|---|---|---|---|\n");
	free(acct);
}

static void
md_foot(struct mb_buf *b)
{
	mb_buf_addstr(b, "\n*C: mailbench (the client), S: the server, \\*: mailbench's own "
	                 "notes, TLS: TLS events. Secrets are masked and message data "
	                 "summarised; times are local, with the round trip of each reply.*\n");
}

/* Print every line of session s to f, a page at a time. */
static int
print_lines(struct mb_store *st, const struct mb_session *s, FILE *f, enum fmt fmt, bool color,
            struct mb_error *err)
{
	struct mb_tline_list l = {0};
	struct mb_buf b = MB_BUF_INIT;
	int64_t after = 0;
	size_t i;
	int rc = 0;

	for (;;) {
		if (mb_store_session_lines(st, s->id, after, PAGE_LINES, &l, err) < 0) {
			rc = -1;
			break;
		}
		for (i = 0; i < l.n; i++) {
			const struct mb_tline_rec *r = &l.v[i];
			struct mb_tprint_line pl;

			pl.dir = (enum mb_tdir)r->dir;
			pl.ts_us = r->ts_us;
			pl.text = r->text;
			pl.len = r->len;
			pl.code = r->code;
			pl.meaning = r->meaning[0] ? r->meaning : NULL;
			pl.rtt_ms = r->rtt_ms;
			pl.flags = (int)r->flags;
			if (fmt == FMT_MARKDOWN)
				mb_tprint_markdown_row(&b, &pl);
			else
				mb_tprint_format(&b, &pl, color);
			after = r->seq;
		}
		if (put(f, &b, err) < 0) {
			rc = -1;
			break;
		}
		mb_buf_reset(&b);
		if (l.n < PAGE_LINES)
			break;
		mb_tline_list_release(&l);
	}
	mb_tline_list_release(&l);
	mb_buf_release(&b);
	return rc;
}

/* Show or export one session to f (stdout or a file). */
static int
output(struct mb_store *st, const struct mb_session *s, FILE *f, enum fmt fmt, bool color,
       struct mb_error *err)
{
	struct mb_buf b = MB_BUF_INIT;
	int rc;

	if (fmt == FMT_MARKDOWN)
		md_head(&b, s);
	else
		text_head(&b, s);
	rc = put(f, &b, err);
	mb_buf_release(&b);
	if (rc < 0)
		return -1;
	if (print_lines(st, s, f, fmt, color, err) < 0)
		return -1;
	if (fmt == FMT_MARKDOWN) {
		md_foot(&b);
		rc = put(f, &b, err);
		mb_buf_release(&b);
		if (rc < 0)
			return -1;
	}
	if (fflush(f) != 0) {
		write_errno = errno;
		return mb_error_set(err, MB_ERR_IO, "cannot write: %s", strerror(errno));
	}
	return 0;
}

static int
cmd_show(struct mb_cli *cli, int argc, char **argv, bool export)
{
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *cmd = export ? "transcript export" : "transcript show";
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_session s = {0};
	const char *path = NULL;
	enum fmt fmt = FMT_TEXT;
	FILE *f = stdout;
	int64_t id;
	int c, rc;

	while ((c = mb_cli_getopt(cmd, argc, argv, export ? "f:o:h" : "h", longopts)) != -1) {
		switch (c) {
		case 'f':
			if (!export)
				return mb_cli_usage_error(cmd,
				                          "--format belongs to transcript export");
			if (strcmp(optarg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				fmt = FMT_MARKDOWN;
			else
				return mb_cli_usage_error(
				        cmd, "unknown format '%s' (text or markdown)", optarg);
			break;
		case 'o':
			if (!export)
				return mb_cli_usage_error(cmd,
				                          "--output belongs to transcript export");
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return mb_cli_usage_error(cmd, "which transcript? give its ID");
	if (optind + 1 < argc)
		return mb_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if ((rc = mb_cli_parse_id(cmd, "ID", argv[optind], &id)) != 0)
		return rc;
	if ((rc = mb_cli_open_store(cli, cmd, &st)) != 0)
		return rc;
	if ((rc = get_session(st, cmd, id, &s)) != 0)
		goto out;
	if (path != NULL && strcmp(path, "-") != 0 && (f = fopen(path, "w")) == NULL) {
		mb_cli_err(cmd, "cannot write '%s': %s", path, strerror(errno));
		rc = MB_EXIT_FAIL;
		goto out;
	}
	if (output(st, &s, f, fmt, !export && mb_cli_color(stdout, cli->no_color), &err) < 0) {
		if (write_errno != EPIPE || f != stdout)
			mb_cli_err(cmd, "%s%s%s", path && f != stdout ? path : "",
			           path && f != stdout ? ": " : "", err.msg);
		rc = err.kind == MB_ERR_IO ? MB_EXIT_FAIL : mb_cli_exit_for(err.kind);
	}
	if (f != stdout) {
		if (fclose(f) != 0 && rc == 0) {
			mb_cli_err(cmd, "cannot write '%s': %s", path, strerror(errno));
			rc = MB_EXIT_FAIL;
		}
		if (rc == 0)
			printf("transcript #%lld written to '%s' (%s, %lld lines)\n", (long long)id,
			       path, fmt == FMT_MARKDOWN ? "markdown" : "text",
			       (long long)s.nlines);
	}
out:
	mb_session_release(&s);
	mb_store_close(st);
	return rc;
}

int
mb_cmd_transcript(struct mb_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_list(cli, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return cmd_show(cli, argc - 1, argv + 1, false);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_show(cli, argc - 1, argv + 1, true);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return MB_EXIT_OK;
	}
	if (argc < 2)
		return cmd_list(cli, argc, argv);
	return mb_cli_usage_error("transcript", "unknown subcommand '%s' (list, show, export)",
	                          argv[1]);
}
