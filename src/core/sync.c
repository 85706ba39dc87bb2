/*
 * sync.c: the common part of retrieval (see sync.h): the protocol choice,
 * the session record, and messages into the cache in batches.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sync_private.h"
#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/xalloc.h"

int
mb_sync_commit(struct sync_run *r, struct mb_error *err)
{
	if (r->in_batch == 0 && mb_store_depth(r->o->st) == 0)
		return 0;
	/* a failed commit keeps the counts, for mb_sync_abort to take back */
	if (mb_store_commit(r->o->st, err) < 0)
		return -1;
	r->in_batch = 0;
	r->batch_bytes = 0;
	/* the transcript of the batch goes in after it, in its own transaction */
	mb_tstore_flush(&r->ts);
	return 0;
}

void
mb_sync_abort(struct sync_run *r)
{
	while (mb_store_depth(r->o->st) > 0)
		mb_store_rollback(r->o->st);
	/* what the rollback took away was never stored: do not count it */
	r->stats->new_msgs -= (uint64_t)r->in_batch;
	r->stats->new_bytes -= r->batch_bytes;
	r->in_batch = 0;
	r->batch_bytes = 0;
}

void
mb_sync_progress(struct sync_run *r)
{
	struct mb_sync_progress p;

	if (r->o->progress == NULL)
		return;
	p.mailbox = r->mailbox;
	p.done = r->done;
	p.total = r->total;
	p.bytes = r->bytes;
	p.bytes_total = r->bytes_total;
	r->o->progress(r->o->ctx, &p);
}

/* "a, b" from a vector of strings. */
static char *
join(char **v, size_t n, const char *sep)
{
	struct mb_buf b = MB_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			mb_buf_addstr(&b, sep);
		mb_buf_addstr(&b, v[i]);
	}
	return mb_buf_detach(&b, NULL);
}

void
mb_sync_msg_free(struct sync_msg *m)
{
	if (m == NULL)
		return;
	free(m->received);
	free(m->delivered);
	free(m->auth);
	free(m->uidl);
	free(m->raw);
	mb_summary_release(&m->s);
	free(m);
}

int
mb_sync_ingest(struct sync_run *r, int64_t mailbox_id, uint32_t uid, const char *uidl,
               unsigned flags, uint64_t modseq, int64_t internaldate, uint64_t size,
               const char *raw, size_t len, char *own, struct mb_error *err)
{
	struct sync_msg *m = xcalloc(1, sizeof *m);
	struct mb_msg_in *in = &m->in;
	struct mb_summary *s = &m->s;
	size_t i;
	int rc;

	mb_summary_parse(s, raw, len);
	m->received = xcalloc(s->trace.nreceived + 1, sizeof *m->received);
	for (i = 0; i < s->trace.nreceived; i++)
		m->received[i] = s->trace.received[i].raw;
	m->delivered = join(s->trace.delivered_to, s->trace.ndelivered_to, ", ");
	m->auth = join(s->trace.auth_results, s->trace.nauth_results, "\n");
	m->len = len;
	if (r->pipe != NULL) {
		/* the message outlives the caller's buffer */
		m->raw = own != NULL ? own : xmemdup0(raw, len);
		own = NULL;
		raw = m->raw;
		if (uidl != NULL)
			uidl = m->uidl = xstrdup(uidl);
		/* here, while the bytes are in this core's cache: not on the store thread, the
		   slower of the two */
		in->raw_sum = mb_store_source_sum(raw, len);
		in->raw_summed = true;
	}
	in->mailbox_id = mailbox_id;
	in->uid = uid;
	in->uidl = uidl;
	in->size = (int64_t)size;
	in->flags = flags;
	in->modseq = modseq;
	in->internaldate = internaldate;
	in->date = (int64_t)s->date;
	in->date_text = s->date_raw;
	in->from = s->from;
	in->to = s->to;
	in->cc = s->cc;
	in->subject = s->subject;
	in->message_id = s->message_id;
	in->in_reply_to = s->in_reply_to;
	in->references = s->references;
	in->has_attachments = s->has_attachments;
	in->raw = raw;
	in->raw_len = len;
	in->body_text = s->body_text;
	in->return_path = s->trace.return_path;
	in->delivered_to = m->delivered;
	in->authentication_results = m->auth;
	in->received = m->received;
	in->nreceived = s->trace.nreceived;
	in->session_id = r->stats->session_id;
	if (r->pipe != NULL)
		return mb_sync_pipe_put(r, m, err);
	rc = mb_sync_store(r, m, err);
	mb_sync_msg_free(m);
	free(own);
	return rc;
}

int
mb_sync_store(struct sync_run *r, struct sync_msg *m, struct mb_error *err)
{
	if (r->in_batch == 0 && mb_store_begin(r->o->st, err) < 0)
		return -1;
	if (mb_store_msg_add(r->o->st, &m->in, NULL, err) < 0)
		return -1;
	r->stats->new_msgs++;
	r->stats->new_bytes += m->len;
	r->batch_bytes += m->len;
	r->done++;
	r->bytes += m->len;
	if (++r->in_batch >= r->batch) {
		if (mb_sync_commit(r, err) < 0)
			return -1;
		mb_sync_progress(r);
	}
	return 0;
}

int
mb_sync_session_begin(struct sync_run *r, enum mb_store_proto proto, const struct mb_endpoint *ep,
                      const char *protoname, struct mb_error *err)
{
	struct mb_session_in si = {0};
	int64_t sid = 0;

	si.account = r->o->acct->name;
	si.protocol = proto;
	si.host = ep->host;
	si.port = mb_endpoint_port(ep, protoname);
	si.security = mb_security_name(ep->security);
	if (mb_store_session_begin(r->o->st, &si, &sid, err) < 0)
		return -1;
	r->stats->session_id = sid;
	mb_tstore_init(&r->ts, r->o->st, sid);
	return 0;
}

void
mb_sync_session_end(struct sync_run *r, int rc, const struct mb_error *err)
{
	struct mb_error e = MB_ERROR_INIT;

	mb_tstore_release(&r->ts);
	if (r->stats->session_id)
		mb_store_session_end(r->o->st, r->stats->session_id,
		                     rc == 0 ? MB_SESSION_OK : MB_SESSION_ERROR,
		                     rc == 0 ? NULL : err->msg, &e);
}

int
mb_sync(const struct mb_sync_opts *o, struct mb_sync_stats *stats, struct mb_error *err)
{
	struct sync_run r;
	enum mb_sync_proto proto = o->protocol;
	int rc;

	memset(stats, 0, sizeof *stats);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.stats = stats;
	r.batch = o->batch > 0 ? o->batch : 200;
	if (proto == MB_SYNC_AUTO)
		proto = o->acct->imap.host ? MB_SYNC_IMAP : MB_SYNC_POP3;
	if (proto == MB_SYNC_IMAP && o->acct->imap.host == NULL)
		return mb_error_set(err, MB_ERR_CONFIG, "account '%s' has no imap_host",
		                    o->acct->name);
	if (proto == MB_SYNC_POP3 && o->acct->pop3.host == NULL)
		return mb_error_set(err, MB_ERR_CONFIG, "account '%s' has no pop3_host",
		                    o->acct->name);
	if (proto == MB_SYNC_IMAP && o->delete_after)
		return mb_error_set(err, MB_ERR_USAGE, "--delete is for POP3 only");
	if (mb_store_account_ensure(o->st, o->acct->name, &r.account_id, err) < 0)
		return -1;
	/* batches of up to 200 messages: room for their pages, no savepoint per message,
	   checkpoints off the writer's way (see mb_store_bulk_begin) */
	mb_store_bulk_begin(o->st);
	rc = proto == MB_SYNC_IMAP ? mb_sync_imap(&r, err) : mb_sync_pop3(&r, err);
	mb_store_bulk_end(o->st);
	return rc;
}
