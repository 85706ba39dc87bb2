/*
 * send.c: send queued messages over one SMTP session (see send.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/send.h"
#include "mailbench/tstore.h"
#include "mailbench/xalloc.h"

char *
mb_send_rcpt_results(const struct mb_smtp_result *r)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	for (i = 0; i < r->nrcpts; i++) {
		const struct mb_smtp_rcpt_result *rr = &r->rcpts[i];

		if (rr->addr == NULL)
			continue;
		mb_buf_addf(&b, "%s %d %s\n", rr->addr, rr->code, rr->text ? rr->text : "");
	}
	return mb_buf_detach(&b, NULL);
}

void
mb_send_item_release(struct mb_send_item *it)
{
	mb_smtp_result_release(&it->res);
}

/* Record a failure that happened before or instead of a transaction. */
static void
fail_item(struct mb_store *st, struct mb_send_item *it, const struct mb_error *why, bool claimed)
{
	struct mb_error e = MB_ERROR_INIT;

	it->err = *why;
	if (!claimed && mb_store_outbox_start(st, it->outbox_id, false, &e) < 0)
		return; /* not ours to mark: already sent, or being sent elsewhere */
	mb_store_outbox_failed(st, it->outbox_id, why->msg, mb_err_name(why->kind), NULL, &e);
}

/* One message: claim it, send it, record what happened. Returns -1 when the session broke. */
static int
send_one(const struct mb_send_opts *o, struct mb_smtp *s, struct mb_send_item *it)
{
	struct mb_outbox row = {0};
	struct mb_buf raw = MB_BUF_INIT;
	struct mb_smtp_envelope env;
	struct mb_error e = MB_ERROR_INIT;
	char *results = NULL;
	int rc = 0;

	if (mb_store_outbox_start(o->st, it->outbox_id, o->confirmed, &it->err) < 0)
		return 0; /* not sendable now; the session goes on */
	if (mb_store_outbox_get(o->st, it->outbox_id, &row, &it->err) < 0 ||
	    mb_store_outbox_raw(o->st, it->outbox_id, &raw, &it->err) < 0) {
		mb_store_outbox_failed(o->st, it->outbox_id, it->err.msg, mb_err_name(it->err.kind),
		                       NULL, &e);
		goto out;
	}
	env.from = row.envelope_from;
	env.to = (const char *const *)row.rcpts;
	env.nto = row.nrcpts;
	mb_conn_note(mb_smtp_conn(s), MB_TDIR_INFO, 0, "sending outbox message %lld (%zu bytes)",
	             (long long)it->outbox_id, raw.len);
	if (mb_smtp_send(s, &env, raw.data, raw.len, &it->res, &it->err) < 0) {
		if (it->res.maybe_sent) {
			mb_error_set(&it->err, it->err.kind,
			             "%s; the whole message had been sent, so the server may have "
			             "accepted it: check the recipient's mailbox before retrying",
			             it->err.msg);
			mb_store_outbox_failed(o->st, it->outbox_id, it->err.msg, "unknown", NULL,
			                       &e);
		} else {
			results = mb_send_rcpt_results(&it->res);
			mb_store_outbox_failed(o->st, it->outbox_id, it->err.msg,
			                       mb_err_name(it->err.kind), results, &e);
		}
		/* a refusal of the input leaves the session usable; anything else ends it */
		rc = it->err.kind == MB_ERR_INPUT || it->err.kind == MB_ERR_TOOBIG ? 0 : -1;
		goto out;
	}
	results = mb_send_rcpt_results(&it->res);
	if (it->res.sent) {
		it->sent = true;
		if (mb_store_outbox_sent(o->st, it->outbox_id, results, &it->err) < 0) {
			/* the server has it: never let it look unsent */
			mb_error_prefix(&it->err, "sent, but the cache could not record it");
		}
	} else {
		mb_error_set(&it->err, MB_ERR_RESP, "%s refused: %d %s",
		             mb_smtp_phase_name(it->res.phase), it->res.code,
		             it->res.text ? it->res.text : "");
		mb_store_outbox_failed(o->st, it->outbox_id, it->err.msg, mb_err_name(MB_ERR_RESP),
		                       results, &e);
	}
out:
	free(results);
	mb_buf_release(&raw);
	mb_outbox_release(&row);
	return rc;
}

static struct mb_smtp *
new_session(const struct mb_send_opts *o)
{
	const struct mb_account *a = o->acct;
	struct mb_smtp_opts so = {0};

	so.host = a->smtp.host;
	so.port = mb_endpoint_port(&a->smtp, "smtp");
	so.security = a->smtp.security;
	so.ehlo_name = a->ehlo_name;
	so.user = o->password ? a->user : NULL;
	so.password = o->password;
	so.auth_mech = o->auth_mech;
	so.conn.ca_file = a->ca_file;
	so.conn.tls_verify = a->tls_verify;
	so.conn.show_data = o->show_data;
	so.conn.user = a->user;
	so.timeout = o->timeout > 0 ? o->timeout : a->timeout;
	return mb_smtp_new(&so);
}

int
mb_send_outbox(const struct mb_send_opts *o, struct mb_send_item *items, size_t n,
               int64_t *session_id, enum mb_smtp_phase *phase, struct mb_error *err)
{
	const struct mb_account *a = o->acct;
	struct mb_session_in si = {0};
	struct mb_tstore ts;
	struct mb_smtp *s;
	int64_t sid = 0;
	size_t i;
	int rc = -1;

	if (a->smtp.host == NULL)
		return mb_error_set(err, MB_ERR_CONFIG, "account '%s' has no smtp_host", a->name);
	si.account = a->name;
	si.protocol = MB_STORE_SMTP;
	si.host = a->smtp.host;
	si.port = mb_endpoint_port(&a->smtp, "smtp");
	si.security = mb_security_name(a->smtp.security);
	si.outbox_id = n > 0 ? items[0].outbox_id : 0;
	if (mb_store_session_begin(o->st, &si, &sid, err) < 0)
		return -1;
	for (i = 1; i < n; i++)
		mb_store_session_link_outbox(o->st, sid, items[i].outbox_id, err);
	if (session_id)
		*session_id = sid;

	s = new_session(o);
	mb_tstore_init(&ts, o->st, sid);
	mb_smtp_add_sink(s, mb_tstore_sink, &ts);
	if (o->sink)
		mb_smtp_add_sink(s, o->sink, o->sink_ctx);
	mb_smtp_set_session_id(s, (uint64_t)sid);
	if (o->on_session)
		o->on_session(o->ctx, s);

	if (mb_smtp_open(s, err) < 0) {
		for (i = 0; i < n; i++)
			fail_item(o->st, &items[i], err, false);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (send_one(o, s, &items[i]) < 0) {
			*err = items[i].err;
			for (i++; i < n; i++)
				fail_item(o->st, &items[i], err, false);
			goto done;
		}
	}
	mb_smtp_quit(s);
	rc = 0;
done:
	if (phase)
		*phase = mb_smtp_phase(s);
	if (o->on_session)
		o->on_session(o->ctx, NULL);
	mb_smtp_free(s);
	mb_tstore_release(&ts);
	mb_store_session_end(o->st, sid, rc == 0 ? MB_SESSION_OK : MB_SESSION_ERROR,
	                     rc == 0 ? NULL : err->msg, &ts.err);
	return rc;
}
