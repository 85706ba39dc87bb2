/*
 * send_eml.c: `mailbench send --eml FILE...`: ready-made RFC 5322 files,
 * all over one connection (pipelined when the server allows, RSET between
 * messages). The envelope comes from the flags, or from each file's From,
 * To, Cc and Bcc headers; a Bcc header is taken out of the bytes sent, as
 * `sendmail -t` does, so it cannot leak to the other recipients.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/private.h"
#include "mailbench/cli.h"
#include "mailbench/config.h"
#include "mailbench/envelope.h"
#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/send.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

struct eml {
	const char *path;
	struct mb_buf raw; /* as it will be sent (Bcc removed) */
	char *env_from;
	char **rcpts;
	size_t nrcpts;
	struct mb_headers h; /* of raw */
	bool had_bcc;
};

static void
eml_release(struct eml *e)
{
	size_t i;

	mb_headers_release(&e->h);
	mb_buf_release(&e->raw);
	free(e->env_from);
	for (i = 0; i < e->nrcpts; i++)
		free(e->rcpts[i]);
	free(e->rcpts);
}

static void
add_rcpt(struct eml *e, const char *a)
{
	size_t i;

	for (i = 0; i < e->nrcpts; i++)
		if (strcmp(e->rcpts[i], a) == 0)
			return;
	e->rcpts = xreallocarray(e->rcpts, e->nrcpts + 1, sizeof *e->rcpts);
	e->rcpts[e->nrcpts++] = xstrdup(a);
}

/* Remove every Bcc field from the header block of e->raw. */
static void
strip_bcc(struct eml *e)
{
	struct mb_headers h;
	struct mb_buf out = MB_BUF_INIT;
	size_t i, pos = 0, body;

	body = mb_headers_parse(&h, e->raw.data, e->raw.len);
	(void)body;
	for (i = 0; i < h.nfields; i++) {
		if (strcasecmp(h.fields[i].name, "Bcc") != 0)
			continue;
		e->had_bcc = true;
		mb_buf_add(&out, e->raw.data + pos, h.fields[i].offset - pos);
		pos = h.fields[i].offset + h.fields[i].raw_len;
	}
	if (e->had_bcc) {
		mb_buf_add(&out, e->raw.data + pos, e->raw.len - pos);
		mb_buf_release(&e->raw);
		e->raw = out;
	}
	mb_headers_release(&h);
}

static int
load(struct eml *e, const char *env_from, const char *const *env_to, size_t nenv_to,
     struct mb_error *err)
{
	static const char *const fields[] = {"To", "Cc", "Bcc"};
	struct mb_headers orig;
	char **specs;
	size_t i, k, n;

	if (mb_cli_slurp(e->path, &e->raw, err) < 0)
		return -1;
	if (e->raw.len == 0)
		return mb_error_set(err, MB_ERR_INPUT, "'%s' is empty", e->path);
	/* the envelope from the original headers, Bcc included */
	mb_headers_parse(&orig, e->raw.data, e->raw.len);
	if (env_from != NULL)
		e->env_from = xstrdup(env_from);
	else {
		specs = mb_address_specs(mb_headers_get(&orig, "From"), &n);
		e->env_from = xstrdup(n > 0 ? specs[0] : "");
		mb_strv_free(specs);
		if (e->env_from[0] == '\0') {
			mb_headers_release(&orig);
			return mb_error_set(err, MB_ERR_INPUT,
			                    "'%s' has no From address: give --envelope-from",
			                    e->path);
		}
	}
	if (nenv_to > 0) {
		for (i = 0; i < nenv_to; i++)
			add_rcpt(e, env_to[i]);
	} else {
		for (k = 0; k < 3; k++) {
			const char **vals = mb_headers_get_all(&orig, fields[k], NULL);

			for (i = 0; vals[i] != NULL; i++) {
				size_t j;

				specs = mb_address_specs(vals[i], &n);
				for (j = 0; j < n; j++)
					add_rcpt(e, specs[j]);
				mb_strv_free(specs);
			}
			free(vals);
		}
	}
	mb_headers_release(&orig);
	if (e->nrcpts == 0)
		return mb_error_set(err, MB_ERR_INPUT,
		                    "'%s' names no recipient (To, Cc, Bcc): give --envelope-to",
		                    e->path);
	strip_bcc(e);
	mb_headers_parse(&e->h, e->raw.data, e->raw.len);
	return 0;
}

/* The envelope-versus-headers table of one file. */
static void
show_envelope(const struct eml *e, const struct mb_send_item *it)
{
	static const char *const fields[] = {"To", "Cc"};
	struct mb_env_hdr from = {"From", NULL, NULL}, *hdrs = NULL;
	struct mb_address_list from_l;
	struct mb_address_list lists[2];
	char **shown = NULL;
	size_t n = 0, k, i;

	mb_address_list_parse(&from_l, mb_headers_get(&e->h, "From"));
	for (k = 0; k < 2; k++) {
		mb_address_list_parse(&lists[k], mb_headers_get(&e->h, fields[k]));
		for (i = 0; i < lists[k].n; i++) {
			const struct mb_address *a = &lists[k].v[i];

			if (a->addr[0] == '\0')
				continue;
			hdrs = xreallocarray(hdrs, n + 1, sizeof *hdrs);
			shown = xreallocarray(shown, n + 1, sizeof *shown);
			shown[n] = a->name[0]
			                   ? xasprintf("%s: %s <%s>", fields[k], a->name, a->addr)
			                   : xasprintf("%s: %s", fields[k], a->addr);
			hdrs[n].field = fields[k];
			hdrs[n].shown = shown[n];
			hdrs[n].addr = a->addr;
			n++;
		}
	}
	char *fs = NULL;

	if (from_l.n > 0) {
		fs = from_l.v[0].name[0]
		             ? xasprintf("From: %s <%s>", from_l.v[0].name, from_l.v[0].addr)
		             : xasprintf("From: %s", from_l.v[0].addr);
		from.shown = fs;
		from.addr = from_l.v[0].addr;
	}
	mb_cli_print_envelope(stdout, e->env_from, (const char *const *)e->rcpts, e->nrcpts,
	                      &it->res, from_l.n ? &from : NULL, hdrs, n);
	if (e->had_bcc)
		printf("  -> the file's Bcc header was removed before sending: only the envelope "
		       "carries Bcc recipients\n");
	for (i = 0; i < n; i++)
		free(shown[i]);
	free(shown);
	free(hdrs);
	free(fs);
	mb_address_list_release(&from_l);
	mb_address_list_release(&lists[0]);
	mb_address_list_release(&lists[1]);
}

int
mb_cli_send_eml(struct mb_cli *cli, const char *account, const char *const *files, size_t n,
                const char *env_from, const char *const *env_to, size_t nenv_to, bool quiet,
                bool show_data, int timeout, const char *auth, bool no_auth)
{
	struct mb_config cfg = {0};
	struct mb_error err = MB_ERROR_INIT;
	const struct mb_account *acct;
	struct mb_store *st = NULL;
	struct eml *e = xcalloc(n, sizeof *e);
	struct mb_send_item *items = xcalloc(n, sizeof *items);
	struct mb_send_opts so = {0};
	struct mb_tprinter pr;
	struct mb_last_exchange le = {MB_BUF_INIT, MB_BUF_INIT, &pr};
	enum mb_smtp_phase phase = MB_SMTP_CONNECT;
	size_t i, nsent = 0;
	char *pw = NULL;
	int exit_code = MB_EXIT_FAIL, rc;

	if (mb_config_load(&cfg, cli->config_path, &err) < 0) {
		mb_cli_err(NULL, "%s", err.msg);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	acct = account ? mb_config_account(&cfg, account) : mb_config_default(&cfg);
	if (acct == NULL) {
		mb_cli_err("send", "no account named '%s' (see mailbench config)", account);
		exit_code = MB_EXIT_CONFIG;
		goto out;
	}
	for (i = 0; i < n; i++) {
		e[i].path = files[i];
		mb_buf_init(&e[i].raw);
		if (load(&e[i], env_from, env_to, nenv_to, &err) < 0) {
			mb_cli_err("send", "%s", err.msg);
			exit_code = mb_cli_exit_for(err.kind);
			goto out;
		}
	}
	if ((exit_code = mb_cli_open_store(cli, "send", &st)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct mb_outbox_in oi = {0};
		char *subj = mb_mime_decode_header(mb_headers_get(&e[i].h, "Subject"));

		oi.account = acct->name;
		oi.envelope_from = e[i].env_from;
		oi.rcpts = (const char *const *)e[i].rcpts;
		oi.nrcpts = e[i].nrcpts;
		oi.raw = e[i].raw.data;
		oi.raw_len = e[i].raw.len;
		oi.from = mb_headers_get(&e[i].h, "From");
		oi.to = mb_headers_get(&e[i].h, "To");
		oi.cc = mb_headers_get(&e[i].h, "Cc");
		oi.subject = subj;
		rc = mb_store_outbox_add(st, &oi, &items[i].outbox_id, &err);
		free(subj);
		if (rc < 0) {
			mb_cli_err("send", "%s", err.msg);
			exit_code = mb_cli_exit_for(err.kind);
			goto out;
		}
	}
	if (mb_cli_smtp_password(acct, no_auth, &pw, &err) < 0) {
		mb_cli_err("send", "%s (the messages stay in the outbox)", err.msg);
		exit_code = mb_cli_exit_for(err.kind);
		goto out;
	}
	pr.f = stdout;
	pr.color = mb_cli_color(stdout, cli->no_color);
	pr.quiet = quiet;
	so.acct = acct;
	so.password = pw;
	so.st = st;
	so.show_data = show_data;
	so.timeout = timeout;
	so.auth_mech = auth;
	so.sink = mb_cli_last_sink;
	so.sink_ctx = &le;
	rc = mb_send_outbox(&so, items, n, NULL, &phase, &err);

	exit_code = MB_EXIT_OK;
	for (i = 0; i < n; i++) {
		int x = mb_cli_send_exit(&items[i]);

		if (items[i].sent) {
			nsent++;
			if (!quiet)
				show_envelope(&e[i], &items[i]);
		}
		if (!quiet || x != MB_EXIT_OK) {
			char *p = mb_sanitize(e[i].path, MB_SANITIZE_LINE);

			char *m = mb_sanitize(items[i].err.msg, MB_SANITIZE_LINE);

			printf("%s: outbox #%lld %s%s%s\n", p, (long long)items[i].outbox_id,
			       items[i].sent ? "sent" : "NOT sent", items[i].sent ? "" : ": ",
			       items[i].sent ? "" : m);
			free(p);
			free(m);
			if (!quiet)
				mb_cli_print_results(stdout, &items[i]);
		}
		if (x != MB_EXIT_OK && (exit_code == MB_EXIT_OK || exit_code == MB_EXIT_PARTIAL))
			exit_code = x;
	}
	printf("%zu of %zu message(s) sent\n", nsent, n);
	if (rc < 0) {
		mb_cli_failure_card(stderr, phase, &err, &le, 0);
		exit_code = mb_cli_exit_for(err.kind);
	}
out:
	mb_password_free(pw);
	for (i = 0; i < n; i++) {
		eml_release(&e[i]);
		mb_send_item_release(&items[i]);
	}
	free(e);
	free(items);
	mb_store_close(st);
	mb_config_release(&cfg);
	mb_buf_release(&le.client);
	mb_buf_release(&le.server);
	return exit_code;
}
