/*
 * send.c: `mailbench send`: compose (or take ready-made .eml files), queue
 * in the outbox, send over SMTP while the conversation scrolls by, then
 * show the envelope against the headers and each recipient's fate.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/private.h"
#include "mailbench/cli.h"
#include "mailbench/compose.h"
#include "mailbench/config.h"
#include "mailbench/envelope.h"
#include "mailbench/sanitize.h"
#include "mailbench/send.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: mailbench send [--account A] --to ADDR... [--from ADDR] [--cc ADDR...]\n"
	        "                      [--bcc ADDR...] [--subject S] [--body FILE|-] [--html "
	        "FILE]\n"
	        "                      [--attach FILE...] [--envelope-from ADDR] [--envelope-to "
	        "ADDR...]\n"
	        "                      [--quiet] [--show-data] [--timeout SEC] [--auth MECH] "
	        "[--no-auth]\n"
	        "       mailbench send [--account A] --eml FILE... [--envelope-from A] "
	        "[--envelope-to A...]\n"
	        "\n"
	        "Builds the message, stores it in the outbox, sends it and prints the SMTP\n"
	        "conversation live (C: client, S: server, with what each reply means), then\n"
	        "the envelope (MAIL FROM, RCPT TO) beside the headers (From, To, Cc).\n"
	        "Address options may repeat or hold comma-separated lists. Without --body the\n"
	        "body is read from standard input when it is not a terminal.\n"
	        "--envelope-from/--envelope-to set the envelope apart from the headers, as SMTP\n"
	        "allows (this is what spoofing looks like). --eml sends ready-made RFC 5322\n"
	        "files over one connection; their envelope comes from the flags or from their\n"
	        "From, To, Cc and Bcc headers (a Bcc header is removed before sending).\n"
	        "\n"
	        "Exit status: 0 every recipient accepted it; 8 some recipients refused; 7 the\n"
	        "server refused the message or every recipient; 4 connection failed or timed\n"
	        "out; 5 TLS failed; 6 authentication failed; 9 the server broke the protocol;\n"
	        "2 bad usage or input; 3 bad configuration; 11 cache error.\n");
}

struct send_args {
	const char *account, *from, *subject, *body_path, *html_path, *env_from, *auth;
	struct mb_buf to, cc, bcc;
	const char **attach;
	size_t nattach;
	const char **env_to;
	size_t nenv_to;
	const char **eml;
	size_t neml;
	bool quiet, show_data, no_auth, confirmed;
	int timeout;
};

static void
add_list(struct mb_buf *b, const char *v)
{
	if (b->len)
		mb_buf_addstr(b, ", ");
	mb_buf_addstr(b, v);
}

static void
add_vec(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

static int
parse_args(struct send_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"account", required_argument, NULL, 'a'},
	        {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},
	        {"cc", required_argument, NULL, 'c'},
	        {"bcc", required_argument, NULL, 'b'},
	        {"subject", required_argument, NULL, 's'},
	        {"body", required_argument, NULL, 'B'},
	        {"html", required_argument, NULL, 'H'},
	        {"attach", required_argument, NULL, 'A'},
	        {"envelope-from", required_argument, NULL, 'E'},
	        {"envelope-to", required_argument, NULL, 'T'},
	        {"eml", required_argument, NULL, 'e'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"show-data", no_argument, NULL, 'D'},
	        {"timeout", required_argument, NULL, 'w'},
	        {"auth", required_argument, NULL, 'M'},
	        {"no-auth", no_argument, NULL, 'N'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	while ((c = mb_cli_getopt("send", argc, argv, "a:f:t:c:b:s:qh", longopts)) != -1) {
		switch (c) {
		case 'a':
			a->account = optarg;
			break;
		case 'f':
			a->from = optarg;
			break;
		case 't':
			add_list(&a->to, optarg);
			break;
		case 'c':
			add_list(&a->cc, optarg);
			break;
		case 'b':
			add_list(&a->bcc, optarg);
			break;
		case 's':
			a->subject = optarg;
			break;
		case 'B':
			a->body_path = optarg;
			break;
		case 'H':
			a->html_path = optarg;
			break;
		case 'A':
			add_vec(&a->attach, &a->nattach, optarg);
			break;
		case 'E':
			a->env_from = optarg;
			break;
		case 'T':
			add_vec(&a->env_to, &a->nenv_to, optarg);
			break;
		case 'e':
			add_vec(&a->eml, &a->neml, optarg);
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'D':
			a->show_data = true;
			break;
		case 'M':
			a->auth = optarg;
			break;
		case 'N':
			a->no_auth = true;
			break;
		case 'w':
			a->timeout = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || a->timeout <= 0 || a->timeout > 86400)
				return mb_cli_usage_error("send",
				                          "--timeout needs seconds (1 to 86400)");
			break;
		case 'h':
			usage(stdout);
			return -2;
		default:
			return MB_EXIT_USAGE;
		}
	}
	/* "--eml a.eml b.eml": the operands after --eml are files too */
	for (; optind < argc; optind++) {
		if (a->neml == 0)
			return mb_cli_usage_error("send", "unexpected argument '%s'", argv[optind]);
		add_vec(&a->eml, &a->neml, argv[optind]);
	}
	if (a->neml > 0 && (a->to.len || a->cc.len || a->bcc.len || a->subject || a->body_path ||
	                    a->html_path || a->nattach))
		return mb_cli_usage_error("send",
		                          "--eml cannot be combined with composing options");
	if (a->neml == 0 && !a->to.len && !a->cc.len && !a->bcc.len && !a->nenv_to)
		return mb_cli_usage_error("send",
		                          "no recipient: give --to, --cc, --bcc or --envelope-to");
	return 0;
}

/* Read a whole file ("-": standard input) into out. */
int
mb_cli_slurp(const char *path, struct mb_buf *out, struct mb_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char tmp[65536];
	size_t n;

	if (f == NULL)
		return mb_error_set(err, MB_ERR_INPUT, "cannot read '%s': %s", path,
		                    strerror(errno));
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (out->len + n > 64u * 1024 * 1024) {
			if (f != stdin)
				fclose(f);
			return mb_error_set(err, MB_ERR_TOOBIG, "'%s' is larger than 64 MiB", path);
		}
		mb_buf_add(out, tmp, n);
	}
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		return mb_error_set(err, MB_ERR_INPUT, "cannot read '%s': %s", path,
		                    strerror(errno));
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

/* --- what the user sees after the session --- */

void
mb_cli_last_sink(void *ctx, const struct mb_tline *tl)
{
	struct mb_last_exchange *le = ctx;

	/* keep the last failing reply (and its command) once one came: a QUIT after it says nothing
	 */
	if (tl->dir == MB_TDIR_SERVER && !le->failed) {
		if (!(tl->flags & MB_TL_CONT)) {
			mb_buf_reset(&le->server);
			le->nlines = 0;
		}
		/* an abusive reply of 100 000 lines is quoted by its head and its end */
		if (le->nlines < 8 || (tl->flags & MB_TL_LAST)) {
			mb_buf_add(&le->server, tl->text, tl->len);
			mb_buf_addch(&le->server, '\n');
		} else if (le->nlines == 8)
			mb_buf_addstr(&le->server, "...\n");
		le->nlines++;
		if (tl->flags & MB_TL_LAST) {
			mb_buf_reset(&le->client);
			if (tl->answers)
				mb_buf_addstr(&le->client, tl->answers);
			le->failed = tl->code >= 400;
		}
	}
	mb_tprint_sink(le->printer, tl);
}

void
mb_cli_print_envelope(FILE *f, const char *env_from, const char *const *rcpts, size_t nrcpts,
                      const struct mb_smtp_result *res, const struct mb_env_hdr *from,
                      const struct mb_env_hdr *hdrs, size_t nhdrs)
{
	struct mb_env_report rep;
	int *codes = NULL;
	size_t i;

	if (res != NULL && res->nrcpts == nrcpts) {
		codes = xcalloc(nrcpts ? nrcpts : 1, sizeof *codes);
		for (i = 0; i < nrcpts; i++)
			codes[i] = res->rcpts[i].code;
	}
	mb_envelope_compare(env_from, rcpts, codes, nrcpts, from, hdrs, nhdrs, &rep);
	fprintf(f, "\nEnvelope (what SMTP routed)              Headers (what people see)\n");
	for (i = 0; i < rep.n; i++) {
		const struct mb_env_row *r = &rep.rows[i];
		char left[300], *l, *h;

		if (r->envelope == NULL)
			snprintf(left, sizeof left, "(not in the envelope)");
		else if (r->kind == MB_ENV_SENDER)
			snprintf(left, sizeof left, "MAIL FROM:<%s>", r->envelope);
		else if (r->code)
			snprintf(left, sizeof left, "RCPT TO:<%s> %d", r->envelope, r->code);
		else
			snprintf(left, sizeof left, "RCPT TO:<%s>", r->envelope);
		l = mb_sanitize(left, MB_SANITIZE_LINE);
		h = mb_sanitize(r->header ? r->header : "(in no header)", MB_SANITIZE_LINE);
		fprintf(f, "  %-40s %s\n", l, h);
		free(l);
		free(h);
	}
	for (i = 0; i < rep.n; i++)
		if (rep.rows[i].explain) {
			char *e = mb_sanitize(rep.rows[i].explain, MB_SANITIZE_LINE);

			fprintf(f, "  -> %s\n", e);
			free(e);
		}
	mb_env_report_release(&rep);
	free(codes);
}

static void
print_envelope(FILE *f, const struct mb_built *m, const struct mb_send_item *it)
{
	struct mb_env_hdr from, *hdrs;
	char **shown;
	size_t i, n = 0, k;
	const struct mb_caddr_list *lists[2] = {&m->to, &m->cc};
	static const char *const names[2] = {"To", "Cc"};

	hdrs = xcalloc(m->to.n + m->cc.n + 1, sizeof *hdrs);
	shown = xcalloc(m->to.n + m->cc.n + 2, sizeof *shown);
	for (k = 0; k < 2; k++)
		for (i = 0; i < lists[k]->n; i++) {
			const struct mb_caddr *ad = &lists[k]->v[i];

			shown[n] = ad->name ? xasprintf("%s: %s <%s>", names[k], ad->name, ad->addr)
			                    : xasprintf("%s: %s", names[k], ad->addr);
			hdrs[n].field = names[k];
			hdrs[n].shown = shown[n];
			hdrs[n].addr = ad->addr;
			n++;
		}
	shown[n] = m->from.v[0].name
	                   ? xasprintf("From: %s <%s>", m->from.v[0].name, m->from.v[0].addr)
	                   : xasprintf("From: %s", m->from.v[0].addr);
	from.field = "From";
	from.shown = shown[n];
	from.addr = m->from.v[0].addr;
	mb_cli_print_envelope(f, m->env_from, (const char *const *)m->rcpts, m->nrcpts,
	                      it ? &it->res : NULL, &from, hdrs, n);
	for (i = 0; i <= n; i++)
		free(shown[i]);
	free(shown);
	free(hdrs);
}

static void
usual_causes(FILE *f, enum mb_smtp_phase ph, int code, const struct mb_error *err)
{
	fprintf(f, "  usual causes:\n");
	if (err->kind == MB_ERR_CONN && ph == MB_SMTP_CONNECT)
		fprintf(f, "    - the server is not running or listens on another port "
		           "(the lab: mailbench lab start)\n"
		           "    - a wrong smtp_host or smtp_port in the config\n");
	else if (err->kind == MB_ERR_TIMEOUT)
		fprintf(f, "    - a firewall drops the connection, or the server is overloaded\n"
		           "    - a wrong port: implicit TLS (465) and STARTTLS (587) differ\n");
	else if (err->kind == MB_ERR_TLS)
		fprintf(f, "    - a private CA: set ca_file = /path/to/ca.pem for this account\n"
		           "    - a wrong host name: the certificate names the host to use\n"
		           "    - only for testing: tls_verify = no (shown as a warning)\n");
	else if (err->kind == MB_ERR_AUTH && strstr(err->msg, "offers no AUTH") != NULL)
		fprintf(f, "    - the server offers AUTH only after STARTTLS: set smtp_security = "
		           "starttls\n"
		           "    - a port without AUTH (like Mailpit's 1025): remove user from the "
		           "account\n");
	else if (code == 535 || (err->kind == MB_ERR_AUTH && code == 0))
		fprintf(f, "    - a wrong user or password (check password_command)\n"
		           "    - the provider wants an app password instead of the normal one\n");
	else if (code == 530)
		fprintf(f, "    - STARTTLS or AUTH first: smtp_security = starttls and a user\n");
	else if (code == 550 || code == 553 || code == 554)
		fprintf(f,
		        "    - an unknown recipient (5.1.1), or relaying denied (5.7.1): the "
		        "server does not take mail for that domain from you\n"
		        "    - the message was refused by policy (spam filter, missing headers)\n");
	else if (code == 552)
		fprintf(f, "    - the message is too big for the server (see SIZE in EHLO)\n");
	else if (code == 421 || code / 100 == 4)
		fprintf(f, "    - a temporary problem (busy server, greylisting): retry later\n");
	else
		fprintf(f, "    - see the last exchange above and the reply's meaning\n");
}

void
mb_cli_failure_card(FILE *f, enum mb_smtp_phase ph, const struct mb_error *err,
                    const struct mb_last_exchange *le, int64_t outbox_id)
{
	const char *sv = le->server.data;
	int code = 0;

	if (le->server.len >= 3 && sv[0] >= '2' && sv[0] <= '5' && sv[1] >= '0' && sv[1] <= '9' &&
	    sv[2] >= '0' && sv[2] <= '9')
		code = (sv[0] - '0') * 100 + (sv[1] - '0') * 10 + (sv[2] - '0');
	{
		char *m = mb_sanitize(err->msg, MB_SANITIZE_LINE);

		fprintf(f, "\nSend failed at %s: %s\n", mb_smtp_phase_name(ph), m);
		free(m);
	}
	if (le->client.len || le->server.len) {
		char *c = mb_sanitize(le->client.data, MB_SANITIZE_LINE);
		char *s = mb_sanitize(le->server.data, MB_SANITIZE_TEXT);

		fprintf(f, "  last exchange:\n");
		if (le->client.len)
			fprintf(f, "    C: %s\n", c);
		if (le->server.len) {
			char *line, *save = NULL;

			for (line = strtok_r(s, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				fprintf(f, "    S: %s\n", line);
		}
		free(c);
		free(s);
	}
	usual_causes(f, ph, code, err);
	if (outbox_id > 0)
		fprintf(f,
		        "  the message stays in the outbox as #%lld: mailbench outbox retry %lld\n",
		        (long long)outbox_id, (long long)outbox_id);
}

int
mb_cli_send_exit(const struct mb_send_item *it)
{
	if (it->sent)
		return it->res.nrefused > 0 ? MB_EXIT_PARTIAL : MB_EXIT_OK;
	if (it->err.kind == MB_ERR_RESP || it->res.phase >= MB_SMTP_MAIL)
		if (it->err.kind == MB_ERR_RESP || it->err.kind == MB_OK)
			return MB_EXIT_REFUSED;
	return mb_cli_exit_for(it->err.kind);
}

void
mb_cli_print_results(FILE *f, const struct mb_send_item *it)
{
	size_t i;

	for (i = 0; i < it->res.nrcpts; i++) {
		const struct mb_smtp_rcpt_result *r = &it->res.rcpts[i];
		char *t;

		if (r->addr == NULL)
			continue;
		t = mb_sanitize(r->text, MB_SANITIZE_LINE);
		fprintf(f, "  %-8s %s (%d %s)\n", r->code / 100 == 2 ? "accepted" : "REFUSED",
		        r->addr, r->code, t);
		free(t);
	}
}

/* --- the command --- */

int
mb_cli_smtp_password(const struct mb_account *acct, bool no_auth, char **pw, struct mb_error *err)
{
	*pw = NULL;
	if (no_auth || acct->user == NULL)
		return 0;
	return mb_account_password(acct, "smtp", pw, err);
}

int
mb_cli_open_store(struct mb_cli *cli, const char *cmd, struct mb_store **st)
{
	struct mb_error err = MB_ERROR_INIT;
	size_t n = 0;

	if (mb_store_open(st, cli->cache_path, &err) < 0) {
		mb_cli_err(cmd, "%s", err.msg);
		return mb_cli_exit_for(err.kind);
	}
	if (mb_store_outbox_recover(*st, &n, &err) == 0 && n > 0)
		mb_cli_err(cmd,
		           "%zu message(s) of an interrupted send are marked unknown: see "
		           "mailbench outbox",
		           n);
	return 0;
}

int
mb_cmd_send(struct mb_cli *cli, int argc, char **argv)
{
	struct send_args a = {0};
	struct mb_config cfg = {0};
	struct mb_error err = MB_ERROR_INIT;
	const struct mb_account *acct;
	struct mb_store *st = NULL;
	struct mb_built m = {0};
	struct mb_draft d = {0};
	struct mb_attachment *att = NULL;
	struct mb_buf body = MB_BUF_INIT, html = MB_BUF_INIT;
	struct mb_outbox_in oi = {0};
	struct mb_send_item item = {0};
	struct mb_send_opts so = {0};
	struct mb_tprinter pr;
	struct mb_last_exchange le = {MB_BUF_INIT, MB_BUF_INIT, &pr};
	enum mb_smtp_phase phase = MB_SMTP_CONNECT;
	char *pw = NULL, *from_alloc = NULL;
	int rc, exit_code = MB_EXIT_FAIL;
	size_t i;

	mb_buf_init(&a.to);
	mb_buf_init(&a.cc);
	mb_buf_init(&a.bcc);
	if ((rc = parse_args(&a, argc, argv)) != 0) {
		exit_code = rc == -2 ? MB_EXIT_OK : rc;
		goto out;
	}
	if (a.neml > 0) {
		exit_code = mb_cli_send_eml(cli, a.account, a.eml, a.neml, a.env_from, a.env_to,
		                            a.nenv_to, a.quiet, a.show_data, a.timeout, a.auth,
		                            a.no_auth);
		goto out;
	}
	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	acct = a.account ? mb_config_account(&cfg, a.account) : mb_config_default(&cfg);
	if (acct == NULL) {
		mb_cli_err("send", "no account named '%s' (see mailbench config)", a.account);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}

	/* 1. build the message: bad input stops here, before anything is stored or sent */
	if (a.body_path)
		rc = mb_cli_slurp(a.body_path, &body, &err);
	else if (!isatty(STDIN_FILENO))
		rc = mb_cli_slurp("-", &body, &err);
	else
		rc = 0;
	if (rc == 0 && a.html_path)
		rc = mb_cli_slurp(a.html_path, &html, &err);
	if (rc < 0) {
		mb_cli_err("send", "%s", err.msg);
		exit_code = MB_EXIT_USAGE;
		goto out;
	}
	att = xcalloc(a.nattach + 1, sizeof *att);
	for (i = 0; i < a.nattach; i++)
		att[i].path = a.attach[i];
	d.from = a.from ? a.from : acct->from;
	if (d.from == NULL && acct->user && acct->smtp.host)
		d.from = from_alloc = xasprintf("%s@%s", acct->user, acct->smtp.host);
	d.to = a.to.len ? a.to.data : NULL;
	d.cc = a.cc.len ? a.cc.data : NULL;
	d.bcc = a.bcc.len ? a.bcc.data : NULL;
	d.subject = a.subject;
	d.body = body.data;
	d.body_len = body.len;
	d.html = a.html_path ? html.data : NULL;
	d.attachments = att;
	d.nattachments = a.nattach;
	d.env_from = a.env_from;
	d.env_to = a.env_to;
	d.nenv_to = a.nenv_to;
	if (mb_compose_build(&d, &m, &err) < 0) {
		mb_cli_err("send", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}

	/* 2. the outbox, before any connection */
	if ((exit_code = mb_cli_open_store(cli, "send", &st)) != 0)
		goto out;
	oi.account = acct->name;
	oi.envelope_from = m.env_from;
	oi.rcpts = (const char *const *)m.rcpts;
	oi.nrcpts = m.nrcpts;
	oi.raw = m.data;
	oi.raw_len = m.len;
	oi.from = d.from;
	oi.to = d.to;
	oi.cc = d.cc;
	oi.subject = a.subject;
	if (mb_store_outbox_add(st, &oi, &item.outbox_id, &err) < 0) {
		mb_cli_err("send", "%s", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}

	/* 3. the password, then the session */
	if (mb_cli_smtp_password(acct, a.no_auth, &pw, &err) < 0) {
		mb_cli_err("send", "%s (the message stays in the outbox as #%lld)", err.msg,
		           (long long)item.outbox_id);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	pr.f = stdout;
	pr.color = mb_cli_color(stdout, cli->no_color);
	pr.quiet = a.quiet;
	so.acct = acct;
	so.password = pw;
	so.st = st;
	so.show_data = a.show_data;
	so.timeout = a.timeout;
	so.auth_mech = a.auth;
	so.sink = mb_cli_last_sink;
	so.sink_ctx = &le;
	rc = mb_send_outbox(&so, &item, 1, NULL, &phase, &err);

	/* 4. what happened */
	if (item.sent) {
		if (!a.quiet)
			print_envelope(stdout, &m, &item);
		printf("\n%s: outbox message #%lld, %zu of %zu recipient(s) accepted\n",
		       item.res.nrefused ? "Sent, partly" : "Sent", (long long)item.outbox_id,
		       item.res.naccepted, item.res.nrcpts);
		mb_cli_print_results(stdout, &item);
		exit_code = mb_cli_send_exit(&item);
	} else {
		const struct mb_error *why = rc < 0 ? &err : &item.err;

		if (!a.quiet && item.res.nrcpts > 0)
			mb_cli_print_results(stdout, &item);
		mb_cli_failure_card(stderr, rc < 0 ? phase : item.res.phase, why, &le,
		                    item.outbox_id);
		exit_code = rc < 0 ? (int)mb_cli_exit_for(err.kind) : mb_cli_send_exit(&item);
	}
out:
	mb_password_free(pw);
	mb_send_item_release(&item);
	mb_store_close(st);
	mb_built_release(&m);
	mb_config_release(&cfg);
	mb_buf_release(&body);
	mb_buf_release(&html);
	mb_buf_release(&a.to);
	mb_buf_release(&a.cc);
	mb_buf_release(&a.bcc);
	mb_buf_release(&le.client);
	mb_buf_release(&le.server);
	free(a.attach);
	free(a.env_to);
	free(a.eml);
	free(att);
	free(from_alloc);
	return exit_code;
}
