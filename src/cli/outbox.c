/*
 * outbox.c: `mailbench outbox`: what is waiting to be sent, what failed and
 * why, one message in full (with its per-recipient results and the ids of
 * its transcripts), sending one again exactly as `mailbench send` does, and
 * deleting one.
 *
 * The outbox's rule (store.h) decides what a retry may do: a sent message
 * is never sent again, and one whose last attempt's fate is unknown (the
 * connection broke after the final dot, or mailbench died while sending) is
 * sent again only with --confirm, once the user has checked that it did not
 * arrive.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/private.h"
#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/envelope.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/send.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailbench outbox [list] [--all] [--account A]\n"
	           "       mailbench outbox show ID\n"
	           "       mailbench outbox retry ID [--confirm] [--show-data] [--timeout SEC]\n"
	           "       mailbench outbox delete ID\n"
	           "\n"
	           "Every message is stored in the outbox before mailbench connects, and is\n"
	           "marked sent only after the server's final 250. list shows the queued and\n"
	           "failed messages (--all: the sent ones too) with their last error; the status\n"
	           "'unknown' means the last attempt broke off after the whole message had gone\n"
	           "out (or mailbench was killed while sending): the server may have it.\n"
	           "show prints one message: envelope, headers, each recipient's result and the\n"
	           "ids of its transcripts (mailbench transcript show ID).\n"
	           "retry sends it again over its account, with the live transcript, exactly like\n"
	           "mailbench send; a sent message is refused, and a message of unknown fate is\n"
	           "refused unless --confirm says you checked that it did not arrive.\n"
	           "delete removes it from the outbox (its transcripts stay).\n"
	           "\n"
	           "Exit status: 0 done; 10 no such message; 2 bad usage, or a retry refused\n"
	           "(already sent, or unknown fate without --confirm); 11 cache error or being\n"
	           "sent right now; retry also exits like mailbench send: 8 some recipients\n"
	           "refused, 7 refused, 4 connection failed, 5 TLS failed, 6 authentication\n"
	           "failed, 9 protocol error, 3 bad configuration.\n");
}

/* The status as the user should read it: 'unknown' for an interrupted failure. */
static const char *
status_shown(const struct mb_outbox *o)
{
	if (o->status == MB_OUTBOX_FAILED && o->interrupted)
		return "unknown";
	return mb_outbox_status_name(o->status);
}

/* "KIND: MESSAGE" of the last error (the kind once, even when the message starts with it). */
static char *
error_text(const struct mb_outbox *o)
{
	const char *k = o->last_error_kind[0] ? o->last_error_kind : "error";
	size_t n = strlen(k);

	if (strncmp(o->last_error, k, n) == 0 && o->last_error[n] == ':')
		return xstrdup(o->last_error);
	return xasprintf("%s: %s", k, o->last_error);
}

/* "a@x, b@y" from the envelope recipients. */
static char *
rcpt_list(const struct mb_outbox *o)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	for (i = 0; i < o->nrcpts; i++)
		mb_buf_addf(&b, "%s%s", i ? ", " : "", o->rcpts[i]);
	return mb_buf_detach(&b, NULL);
}

/* Read row id; on failure report it and return the exit code. */
static int
get_row(struct mb_store *st, const char *cmd, int64_t id, struct mb_outbox *o)
{
	struct mb_error err = MB_ERROR_INIT;

	if (mb_store_outbox_get(st, id, o, &err) == 0)
		return 0;
	if (err.kind == MB_ERR_NOTFOUND)
		mb_cli_err(cmd, "no outbox message %lld (see mailbench outbox list --all)",
		           (long long)id);
	else
		mb_cli_err(cmd, "%s", err.msg);
	return mb_cli_exit_for(err.kind);
}

/* --- list --- */

static void
print_list(const struct mb_outbox_list *l, size_t width)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i, wid = 2, wacct = 0, fixed, rest, wrcpt, wsubj;
	bool accounts = false;
	char num[32], when[32];

	for (i = 0; i < l->n; i++) {
		size_t w = (size_t)snprintf(num, sizeof num, "%lld", (long long)l->v[i].id);
		char *a = mb_sanitize(l->v[i].account, MB_SANITIZE_LINE);
		size_t aw = mb_display_width(a, strlen(a));

		free(a);
		wid = w > wid ? w : wid;
		wacct = aw > wacct ? aw : wacct;
		if (strcmp(l->v[i].account, l->v[0].account) != 0)
			accounts = true; /* the ACCOUNT column only when it tells rows apart */
	}
	wacct = !accounts ? 0 : wacct < 7 ? 7 : wacct > 16 ? 16 : wacct;
	/* id  status(7)  tries(5)  updated(16)  [account]  recipients  subject */
	fixed = wid + 2 + 7 + 2 + 5 + 2 + 16 + 2 + (accounts ? wacct + 2 : 0) + 2;
	rest = width > fixed + 20 ? width - fixed : 20;
	wrcpt = rest * 2 / 5;
	wrcpt = wrcpt < 10 ? 10 : wrcpt > 32 ? 32 : wrcpt;
	wsubj = rest > wrcpt + 10 ? rest - wrcpt : 10;
	mb_cli_cell_right(&b, "ID", wid);
	mb_buf_addstr(&b, "  STATUS   TRIES  UPDATED           ");
	if (accounts) {
		mb_cli_cell(&b, "ACCOUNT", wacct);
		mb_buf_addstr(&b, "  ");
	}
	mb_cli_cell(&b, "RECIPIENTS", wrcpt);
	mb_buf_addstr(&b, "  SUBJECT\n");
	for (i = 0; i < l->n; i++) {
		const struct mb_outbox *o = &l->v[i];
		char *r = rcpt_list(o);

		snprintf(num, sizeof num, "%lld", (long long)o->id);
		mb_cli_cell_right(&b, num, wid);
		mb_buf_addf(&b, "  %-7s  %5d  ", status_shown(o), o->attempts);
		mb_cli_time(when, sizeof when, o->updated, 0);
		mb_buf_addf(&b, "%-16s  ", when);
		if (accounts) {
			mb_cli_cell(&b, o->account, wacct);
			mb_buf_addstr(&b, "  ");
		}
		mb_cli_cell(&b, r, wrcpt);
		mb_buf_addstr(&b, "  ");
		mb_cli_cell_last(&b, o->subject[0] ? o->subject : "(no subject)", wsubj);
		mb_buf_addch(&b, '\n');
		if (o->last_error[0] && o->status != MB_OUTBOX_SENT) {
			char *e = error_text(o);

			mb_cli_wrap(&b, e, wid + 2, width);
			free(e);
		}
		free(r);
	}
	mb_cli_write(stdout, &b);
	mb_buf_release(&b);
}

static int
cmd_list(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"all", no_argument, NULL, 'A'},
	        {"account", required_argument, NULL, 'a'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_outbox_list l = {0};
	const char *account = NULL;
	bool all = false;
	int c, rc;

	while ((c = mb_cli_getopt("outbox", argc, argv, "a:h", longopts)) != -1) {
		switch (c) {
		case 'A':
			all = true;
			break;
		case 'a':
			account = optarg;
			break;
		case 'h':
			usage(stdout);
			return MB_EXIT_OK;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc && strcmp(argv[optind], "list") == 0)
		optind++; /* "outbox --all list" */
	if (optind < argc)
		return mb_cli_usage_error("outbox", "unexpected argument '%s'", argv[optind]);
	if ((rc = mb_cli_open_store(cli, "outbox", &st)) != 0)
		return rc;
	if (mb_store_outbox_list(st, account, all, &l, &err) < 0) {
		mb_cli_err("outbox", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
	} else if (l.n == 0) {
		printf("the outbox has no %smessages%s%s%s\n", all ? "" : "queued or failed ",
		       account ? " of account '" : "", account ? account : "", account ? "'" : "");
		if (!all)
			printf("(mailbench outbox --all lists the sent ones too)\n");
	} else {
		print_list(&l, mb_cli_term_width(stdout));
	}
	mb_outbox_list_release(&l);
	mb_store_close(st);
	return rc;
}

/* --- show --- */

/* "  name:         value", sanitised, long values wrapped under themselves. */
static void
field(const char *name, const char *value)
{
	struct mb_buf b = MB_BUF_INIT;
	char head[32];

	mb_cli_wrap(&b, value, 16, mb_cli_term_width(stdout));
	snprintf(head, sizeof head, "  %-13s ", name);
	if (b.len >= 16)
		memcpy(b.data, head, 16);
	else
		mb_buf_addf(&b, "  %s\n", name);
	mb_cli_write(stdout, &b);
	mb_buf_release(&b);
}

/* The stored per-recipient results ("addr code text" lines) as a list. */
static void
print_rcpt_results(const char *results)
{
	char *copy = xstrdup(results), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		int code = sp ? atoi(sp + 1) : 0;
		char *t = mb_sanitize(line, MB_SANITIZE_LINE);

		printf("  %-8s %s\n", code >= 200 && code < 300 ? "accepted" : "REFUSED", t);
		free(t);
	}
	free(copy);
}

static void
print_sessions(struct mb_store *st, int64_t id, size_t width)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_session_list l = {0};
	size_t i;

	if (mb_store_session_list(st, id, 0, &l, &err) < 0) {
		mb_cli_err("outbox", "%s", err.msg);
		return;
	}
	printf("\nTranscripts (%zu):\n", l.n);
	for (i = 0; i < l.n; i++) {
		const struct mb_session *s = &l.v[i];
		struct mb_buf b = MB_BUF_INIT;
		char when[32];
		char *host = mb_sanitize(s->host, MB_SANITIZE_LINE);

		mb_cli_time(when, sizeof when, s->started_us / 1000000, 1);
		mb_buf_addf(&b, "  #%lld  %s  %s %s:%d  %s\n", (long long)s->id, when,
		            mb_store_proto_name(s->protocol), host, s->port,
		            s->result == MB_SESSION_OK      ? "ok"
		            : s->result == MB_SESSION_ERROR ? "error"
		                                            : "not ended");
		if (s->error[0])
			mb_cli_wrap(&b, s->error, 6, width);
		mb_cli_write(stdout, &b);
		mb_buf_release(&b);
		free(host);
	}
	if (l.n > 0)
		printf("  -> mailbench transcript show %lld\n", (long long)l.v[0].id);
	mb_session_list_release(&l);
}

static int
cmd_show(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_store *st = NULL;
	struct mb_outbox o = {0};
	int64_t id;
	char when[32], sz[32], *s;
	size_t i;
	int c, rc;

	while ((c = mb_cli_getopt("outbox show", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return MB_EXIT_OK;
		}
		return MB_EXIT_USAGE;
	}
	if (optind >= argc)
		return mb_cli_usage_error("outbox show", "which message? give its ID");
	if (optind + 1 < argc)
		return mb_cli_usage_error("outbox show", "unexpected argument '%s'",
		                          argv[optind + 1]);
	if ((rc = mb_cli_parse_id("outbox show", "ID", argv[optind], &id)) != 0)
		return rc;
	if ((rc = mb_cli_open_store(cli, "outbox show", &st)) != 0)
		return rc;
	if ((rc = get_row(st, "outbox show", id, &o)) != 0)
		goto out;
	printf("Outbox message #%lld\n", (long long)o.id);
	field("account:", o.account);
	s = xasprintf("%s after %d attempt(s)%s", status_shown(&o), o.attempts,
	              o.status == MB_OUTBOX_FAILED && o.interrupted
	                      ? " (the server may have it: check before retrying with --confirm)"
	                      : "");
	field("status:", s);
	free(s);
	mb_cli_time(when, sizeof when, o.created, 1);
	field("created:", when);
	mb_cli_time(when, sizeof when, o.updated, 1);
	field("updated:", when);
	if (o.sent_at) {
		mb_cli_time(when, sizeof when, o.sent_at, 1);
		field("sent:", when);
	}
	mb_cli_size(sz, sizeof sz, o.raw_len);
	s = o.raw_len < 1024 ? xasprintf("%lld bytes", (long long)o.raw_len)
	                     : xasprintf("%s (%lld bytes)", sz, (long long)o.raw_len);
	field("size:", s);
	free(s);
	s = xasprintf("<%s>", o.envelope_from);
	field("MAIL FROM:", s);
	free(s);
	for (i = 0; i < o.nrcpts; i++) {
		s = xasprintf("<%s>", o.rcpts[i]);
		field(i == 0 ? "RCPT TO:" : "", s);
		free(s);
	}
	field("From:", o.from);
	field("To:", o.to);
	if (o.cc[0])
		field("Cc:", o.cc);
	field("Subject:", o.subject);
	if (o.last_error[0]) {
		s = error_text(&o);
		field("last error:", s);
		free(s);
	}
	if (o.rcpt_results[0]) {
		printf("\nRecipients (%s):\n",
		       o.status == MB_OUTBOX_SENT ? "the server's replies" : "the last attempt");
		print_rcpt_results(o.rcpt_results);
	}
	print_sessions(st, o.id, mb_cli_term_width(stdout));
	if (o.status == MB_OUTBOX_QUEUED || o.status == MB_OUTBOX_FAILED)
		printf("\nSend it again: mailbench outbox retry %lld%s\n", (long long)o.id,
		       o.interrupted ? " --confirm (only after checking it did not arrive)" : "");
out:
	mb_outbox_release(&o);
	mb_store_close(st);
	return rc;
}

/* --- retry --- */

/* The envelope-versus-headers table, the headers read from the stored bytes. */
static void
print_envelope(const struct mb_outbox *o, const struct mb_buf *raw, const struct mb_send_item *it)
{
	static const char *const names[] = {"To", "Cc"};
	struct mb_headers h;
	struct mb_address_list from_l, lists[2];
	struct mb_env_hdr from = {"From", NULL, NULL}, *hdrs = NULL;
	char **shown = NULL, *fs = NULL;
	size_t n = 0, i, k;

	mb_headers_parse(&h, raw->data, raw->len);
	mb_address_list_parse(&from_l, mb_headers_get(&h, "From"));
	for (k = 0; k < 2; k++) {
		mb_address_list_parse(&lists[k], mb_headers_get(&h, names[k]));
		for (i = 0; i < lists[k].n; i++) {
			const struct mb_address *a = &lists[k].v[i];

			if (a->addr[0] == '\0')
				continue;
			hdrs = xreallocarray(hdrs, n + 1, sizeof *hdrs);
			shown = xreallocarray(shown, n + 1, sizeof *shown);
			shown[n] = a->name[0] ? xasprintf("%s: %s <%s>", names[k], a->name, a->addr)
			                      : xasprintf("%s: %s", names[k], a->addr);
			hdrs[n].field = names[k];
			hdrs[n].shown = shown[n];
			hdrs[n].addr = a->addr;
			n++;
		}
	}
	if (from_l.n > 0) {
		const struct mb_address *a = &from_l.v[0];

		fs = a->name[0] ? xasprintf("From: %s <%s>", a->name, a->addr)
		                : xasprintf("From: %s", a->addr);
		from.shown = fs;
		from.addr = a->addr;
	}
	mb_cli_print_envelope(stdout, o->envelope_from, (const char *const *)o->rcpts, o->nrcpts,
	                      &it->res, from_l.n > 0 ? &from : NULL, hdrs, n);
	for (i = 0; i < n; i++)
		free(shown[i]);
	free(shown);
	free(hdrs);
	free(fs);
	mb_address_list_release(&from_l);
	mb_address_list_release(&lists[0]);
	mb_address_list_release(&lists[1]);
	mb_headers_release(&h);
}

/* Refuse what the outbox's rule forbids, before any connection; 0 when the retry may go. */
static int
may_retry(const struct mb_outbox *o, bool confirmed)
{
	char when[32];

	switch (o->status) {
	case MB_OUTBOX_SENT:
		mb_cli_time(when, sizeof when, o->sent_at, 1);
		mb_cli_err("outbox retry",
		           "outbox message %lld was already sent (%s, the server answered 250): "
		           "sending it again would deliver it twice",
		           (long long)o->id, when);
		return MB_EXIT_USAGE;
	case MB_OUTBOX_SENDING:
		mb_cli_err("outbox retry",
		           "outbox message %lld is being sent right now by another mailbench",
		           (long long)o->id);
		return MB_EXIT_STORE;
	case MB_OUTBOX_FAILED:
		if (o->interrupted && !confirmed) {
			char *e = mb_sanitize(o->last_error, MB_SANITIZE_LINE);

			mb_cli_err(
			        "outbox retry",
			        "outbox message %lld may already have been delivered: its last "
			        "attempt broke off after the whole message had been sent, before "
			        "the server's final reply (or mailbench was stopped while sending)",
			        (long long)o->id);
			fprintf(stderr,
			        "  last error: %s\n"
			        "  Look in the recipients' mailboxes first. Only if it did not "
			        "arrive:\n"
			        "    mailbench outbox retry %lld --confirm\n",
			        e, (long long)o->id);
			free(e);
			return MB_EXIT_USAGE;
		}
		return 0;
	case MB_OUTBOX_QUEUED:
		return 0;
	}
	return MB_EXIT_FAIL;
}

struct retry_args {
	bool confirmed, show_data, quiet;
	long timeout;
	int64_t id;
};

static int
retry_args(struct retry_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"confirm", no_argument, NULL, 'C'},       {"show-data", no_argument, NULL, 'D'},
	        {"timeout", required_argument, NULL, 'w'}, {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = mb_cli_getopt("outbox retry", argc, argv, "qh", longopts)) != -1) {
		switch (c) {
		case 'C':
			a->confirmed = true;
			break;
		case 'D':
			a->show_data = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'w':
			if ((rc = mb_cli_parse_count("outbox retry", "--timeout", optarg, 86400,
			                             &a->timeout)) != 0)
				return rc;
			if (a->timeout == 0)
				return mb_cli_usage_error("outbox retry",
				                          "--timeout needs seconds (1 to 86400)");
			break;
		case 'h':
			usage(stdout);
			return -2;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return mb_cli_usage_error("outbox retry", "which message? give its ID");
	if (optind + 1 < argc)
		return mb_cli_usage_error("outbox retry", "unexpected argument '%s'",
		                          argv[optind + 1]);
	return mb_cli_parse_id("outbox retry", "ID", argv[optind], &a->id);
}

static int
cmd_retry(struct mb_cli *cli, int argc, char **argv)
{
	struct retry_args a = {0};
	struct mb_config cfg = {0};
	struct mb_error err = MB_ERROR_INIT;
	const struct mb_account *acct;
	struct mb_store *st = NULL;
	struct mb_outbox o = {0};
	struct mb_buf raw = MB_BUF_INIT;
	struct mb_send_item item = {0};
	struct mb_send_opts so = {0};
	struct mb_tprinter pr;
	struct mb_last_exchange le = {MB_BUF_INIT, MB_BUF_INIT, &pr, false};
	enum mb_smtp_phase phase = MB_SMTP_CONNECT;
	char *pw = NULL, *r;
	int rc, exit_code;

	if ((rc = retry_args(&a, argc, argv)) != 0)
		return rc == -2 ? MB_EXIT_OK : rc;
	if ((exit_code = mb_cli_open_store(cli, "outbox retry", &st)) != 0)
		goto out;
	if ((exit_code = get_row(st, "outbox retry", a.id, &o)) != 0)
		goto out;
	if ((exit_code = may_retry(&o, a.confirmed)) != 0)
		goto out;
	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	acct = mb_config_account(&cfg, o.account);
	if (acct == NULL) {
		mb_cli_err("outbox retry",
		           "outbox message %lld belongs to account '%s', which is not configured "
		           "(see mailbench config)",
		           (long long)o.id, o.account);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	if (mb_store_outbox_raw(st, o.id, &raw, &err) < 0) {
		mb_cli_err("outbox retry", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	if (mb_cli_smtp_password(acct, false, &pw, &err) < 0) {
		mb_cli_err("outbox retry", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	r = rcpt_list(&o);
	if (!a.quiet) {
		char *rs = mb_sanitize(r, MB_SANITIZE_LINE);
		char *an = mb_sanitize(o.account, MB_SANITIZE_LINE);

		printf("Retrying outbox message #%lld (attempt %d) to %s over account '%s'\n",
		       (long long)o.id, o.attempts + 1, rs, an);
		free(rs);
		free(an);
	}
	free(r);
	fflush(stdout);
	pr.f = stdout;
	pr.color = mb_cli_color(stdout, cli->no_color);
	pr.quiet = a.quiet;
	so.acct = acct;
	so.password = pw;
	so.st = st;
	so.show_data = a.show_data;
	so.confirmed = a.confirmed;
	so.timeout = (int)a.timeout;
	so.sink = mb_cli_last_sink;
	so.sink_ctx = &le;
	item.outbox_id = o.id;
	rc = mb_send_outbox(&so, &item, 1, NULL, &phase, &err);
	if (item.sent) {
		if (!a.quiet)
			print_envelope(&o, &raw, &item);
		printf("\n%s: outbox message #%lld, %zu of %zu recipient(s) accepted\n",
		       item.res.nrefused ? "Sent, partly" : "Sent", (long long)o.id,
		       item.res.naccepted, item.res.nrcpts);
		mb_cli_print_results(stdout, &item);
		exit_code = mb_cli_send_exit(&item);
	} else {
		const struct mb_error *why = rc < 0 ? &err : &item.err;

		if (!a.quiet && item.res.nrcpts > 0)
			mb_cli_print_results(stdout, &item);
		fflush(stdout);
		mb_cli_failure_card(stderr, rc < 0 ? phase : item.res.phase, why, &le, o.id);
		exit_code = rc < 0 ? (int)mb_cli_exit_for(err.kind) : mb_cli_send_exit(&item);
	}
out:
	mb_password_free(pw);
	mb_send_item_release(&item);
	mb_outbox_release(&o);
	mb_buf_release(&raw);
	mb_buf_release(&le.client);
	mb_buf_release(&le.server);
	mb_config_release(&cfg);
	mb_store_close(st);
	return exit_code;
}

/* --- delete --- */

static int
cmd_delete(struct mb_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct mb_outbox o = {0};
	int64_t id;
	int c, rc;

	while ((c = mb_cli_getopt("outbox delete", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return MB_EXIT_OK;
		}
		return MB_EXIT_USAGE;
	}
	if (optind >= argc)
		return mb_cli_usage_error("outbox delete", "which message? give its ID");
	if (optind + 1 < argc)
		return mb_cli_usage_error("outbox delete", "unexpected argument '%s'",
		                          argv[optind + 1]);
	if ((rc = mb_cli_parse_id("outbox delete", "ID", argv[optind], &id)) != 0)
		return rc;
	if ((rc = mb_cli_open_store(cli, "outbox delete", &st)) != 0)
		return rc;
	if ((rc = get_row(st, "outbox delete", id, &o)) != 0)
		goto out;
	if (mb_store_outbox_delete(st, id, &err) < 0) {
		mb_cli_err("outbox delete", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
		goto out;
	}
	{
		char *s = mb_sanitize(o.subject[0] ? o.subject : "(no subject)", MB_SANITIZE_LINE);

		printf("deleted outbox message #%lld (%s, %s); its transcripts stay\n",
		       (long long)id, status_shown(&o), s);
		free(s);
	}
out:
	mb_outbox_release(&o);
	mb_store_close(st);
	return rc;
}

int
mb_cmd_outbox(struct mb_cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct mb_cli *, int, char **);
	} subs[] = {
	        {"list", cmd_list},
	        {"show", cmd_show},
	        {"retry", cmd_retry},
	        {"delete", cmd_delete},
	};
	size_t i;

	if (argc >= 2 && argv[1][0] != '-') {
		for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
			if (strcmp(argv[1], subs[i].name) == 0)
				return subs[i].run(cli, argc - 1, argv + 1);
		return mb_cli_usage_error(
		        "outbox", "unknown subcommand '%s' (list, show, retry, delete)", argv[1]);
	}
	return cmd_list(cli, argc, argv);
}
