/*
 * sync_imap.c: IMAP into the cache, by UID (see sync.h).
 *
 * Per mailbox: SELECT; a changed UIDVALIDITY empties the mailbox's cache
 * rows (nothing on the server is touched) and refetches; new messages are
 * the UIDs above the highest cached one, fetched in one UID FETCH whose
 * messages are committed in batches as they stream in; flags come back
 * with CHANGEDSINCE when the server has CONDSTORE (else all flags); and
 * expunges are found by comparing every UID when the counts disagree, or
 * at least once an hour. With CONDSTORE a sync of an unchanged mailbox is
 * one SELECT.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sync_private.h"
#include "mailbench/imap.h"
#include "mailbench/testhook.h"
#include "mailbench/xalloc.h"

#define FULL_CHECK_EVERY (60 * 60)

struct imap_run {
	struct sync_run *r;
	struct mb_imap *i;
	int64_t mailbox_id;
	uint32_t max_uid; /* highest UID cached before this fetch */
	uint64_t max_modseq;
};

static int
on_new(const struct mb_imap_msg *m, void *ctx, struct mb_error *err)
{
	struct imap_run *ir = ctx;

	if (m->uid <= ir->max_uid)
		return 0; /* "N:*" always returns the last message, even below N */
	if (m->modseq > ir->max_modseq)
		ir->max_modseq = m->modseq;
	if (mb_sync_ingest(ir->r, ir->mailbox_id, m->uid, NULL, m->flags, m->modseq,
	                   m->internaldate, m->size, m->body, m->body_len, NULL, err) < 0)
		return -1;
	mb_test_crash_point("imap-mid-batch");
	return 0;
}

static int
on_flags(const struct mb_imap_msg *m, void *ctx, struct mb_error *err)
{
	struct imap_run *ir = ctx;
	struct mb_store *st = ir->r->o->st;
	struct mb_msg row = {0};
	int64_t id = 0;

	if (m->modseq > ir->max_modseq)
		ir->max_modseq = m->modseq;
	if (mb_store_msg_find_uid(st, ir->mailbox_id, m->uid, &id, err) < 0)
		return -1;
	if (id == 0)
		return 0; /* not cached (yet): the new-message fetch brings it */
	if (mb_store_msg_get(st, id, &row, err) < 0)
		return -1;
	if ((row.flags & ~(unsigned)MB_FLAG_RECENT) != (m->flags & ~(unsigned)MB_FLAG_RECENT)) {
		if (mb_store_msg_set_flags(st, ir->mailbox_id, m->uid, m->flags, m->modseq, err) <
		    0) {
			mb_msg_release(&row);
			return -1;
		}
		ir->r->stats->flags_changed++;
	}
	mb_msg_release(&row);
	return 0;
}

/* Drop cached rows whose UID the server no longer has. */
static int
expunge_check(struct imap_run *ir, struct mb_error *err)
{
	struct mb_store *st = ir->r->o->st;
	uint32_t *srv = NULL, *mine = NULL, *gone = NULL;
	size_t ns = 0, nm = 0, ng = 0, a = 0, b = 0;
	size_t deleted = 0;
	int rc = -1;

	if (mb_imap_uids(ir->i, &srv, &ns, err) < 0 ||
	    mb_store_msg_uids(st, ir->mailbox_id, &mine, &nm, err) < 0)
		goto out;
	gone = xcalloc(nm + 1, sizeof *gone);
	while (a < nm) {
		while (b < ns && srv[b] < mine[a])
			b++;
		if (b == ns || srv[b] != mine[a])
			gone[ng++] = mine[a];
		a++;
	}
	if (ng > 0) {
		if (mb_store_msg_delete_uids(st, ir->mailbox_id, gone, ng, &deleted, err) < 0)
			goto out;
		ir->r->stats->removed += deleted;
		mb_conn_note(mb_imap_conn(ir->i), MB_TDIR_INFO, 0,
		             "%zu message(s) were expunged on the server: removed from the cache",
		             ng);
	}
	rc = 0;
out:
	free(srv);
	free(mine);
	free(gone);
	return rc;
}

static int
sync_mailbox(struct imap_run *ir, const char *name, char delim, struct mb_error *err)
{
	struct sync_run *r = ir->r;
	struct mb_store *st = r->o->st;
	struct mb_imap_select sel;
	struct mb_mailbox mb = {0};
	char delims[2] = {delim, '\0'};
	char set[32];
	int64_t count = 0;
	bool changed, condstore;
	time_t now = time(NULL);
	int rc = -1;

	r->mailbox = name;
	if (mb_store_mailbox_ensure(st, r->account_id, MB_STORE_IMAP, name, delims, &ir->mailbox_id,
	                            err) < 0 ||
	    mb_store_mailbox_get(st, ir->mailbox_id, &mb, err) < 0)
		return -1;
	if (mb_imap_select(ir->i, name, &sel, err) < 0)
		goto out;
	condstore = sel.highestmodseq > 0;
	r->stats->mailboxes++;
	if (mb.uidvalidity != 0 && mb.uidvalidity != sel.uidvalidity) {
		mb_conn_note(
		        mb_imap_conn(ir->i), MB_TDIR_INFO, MB_TL_WARN,
		        "UIDVALIDITY of '%s' changed (%u, now %u): the cached UIDs mean "
		        "nothing any more; the mailbox is fetched again (nothing on the server "
		        "is touched)",
		        name, mb.uidvalidity, sel.uidvalidity);
		if (mb_store_mailbox_clear(st, ir->mailbox_id, err) < 0)
			goto out;
		r->stats->removed += (uint64_t)mb.total;
		mb_mailbox_release(&mb);
		if (mb_store_mailbox_get(st, ir->mailbox_id, &mb, err) < 0)
			goto out;
	}
	if (mb_store_msg_max_uid(st, ir->mailbox_id, &ir->max_uid, err) < 0 ||
	    mb_store_msg_count(st, ir->mailbox_id, NULL, &count, err) < 0)
		goto out;
	ir->max_modseq = mb.highestmodseq;

	/* nothing changed since the last sync: that is all (one round trip) */
	changed = !(condstore && mb.highestmodseq == sel.highestmodseq &&
	            mb.uidnext == sel.uidnext && (uint64_t)count == sel.exists);
	if (!changed && !r->o->full_check && now - mb.last_full_check < FULL_CHECK_EVERY) {
		mb_conn_note(mb_imap_conn(ir->i), MB_TDIR_INFO, 0,
		             "'%s' is unchanged since the last sync (HIGHESTMODSEQ %llu)", name,
		             (unsigned long long)sel.highestmodseq);
		rc = 0;
		goto out;
	}

	/* 1. flags of the cached messages */
	if (ir->max_uid > 0) {
		snprintf(set, sizeof set, "1:%u", ir->max_uid);
		if (mb_store_begin(st, err) < 0)
			goto out;
		if (mb_imap_fetch(ir->i, set, MB_IMAP_FETCH_FLAGS,
		                  condstore && mb.highestmodseq ? mb.highestmodseq : 0, on_flags,
		                  ir, err) < 0) {
			mb_store_rollback(st);
			goto out;
		}
		if (mb_store_commit(st, err) < 0)
			goto out;
	}
	/* 2. new messages, streamed and committed in batches */
	if (sel.uidnext == 0 || sel.uidnext > ir->max_uid + 1) {
		snprintf(set, sizeof set, "%u:*", ir->max_uid + 1);
		r->total += sel.exists > (uint32_t)count ? sel.exists - (uint32_t)count : 0;
		mb_sync_progress(r);
		if (mb_imap_fetch(ir->i, set, MB_IMAP_FETCH_BODY, 0, on_new, ir, err) < 0)
			goto out;
		if (mb_sync_commit(r, err) < 0)
			goto out;
		mb_sync_progress(r);
	}
	/*
	 * 3. expunges: the cache must now hold exactly what the server said
	 * it has; when the counts differ, or once an hour, compare every UID
	 */
	if (mb_store_msg_count(st, ir->mailbox_id, NULL, &count, err) < 0)
		goto out;
	if ((uint64_t)count != sel.exists || r->o->full_check ||
	    now - mb.last_full_check >= FULL_CHECK_EVERY) {
		if (expunge_check(ir, err) < 0)
			goto out;
		mb.last_full_check = now;
	}
	mb.uidvalidity = sel.uidvalidity;
	mb.uidnext = sel.uidnext;
	mb.highestmodseq = sel.highestmodseq > ir->max_modseq ? sel.highestmodseq : ir->max_modseq;
	if (mb_store_mailbox_set_state(st, &mb, err) < 0)
		goto out;
	if (r->o->on_change)
		r->o->on_change(r->o->ctx, ir->mailbox_id);
	rc = 0;
out:
	if (rc < 0)
		mb_sync_abort(r);
	mb_mailbox_release(&mb);
	return rc;
}

static struct mb_imap *
new_session(const struct mb_sync_opts *o)
{
	const struct mb_account *a = o->acct;
	struct mb_imap_opts io = {0};

	io.host = a->imap.host;
	io.port = mb_endpoint_port(&a->imap, "imap");
	io.security = a->imap.security;
	io.user = a->user;
	io.password = o->password;
	io.conn.ca_file = a->ca_file;
	io.conn.tls_verify = a->tls_verify;
	io.conn.show_data = o->show_data;
	io.conn.user = a->user;
	io.timeout = o->timeout > 0 ? o->timeout : a->timeout;
	return mb_imap_new(&io);
}

static int
open_session(struct imap_run *ir, struct mb_error *err)
{
	struct sync_run *r = ir->r;
	const struct mb_sync_opts *o = r->o;

	if (mb_sync_session_begin(r, MB_STORE_IMAP, &o->acct->imap, "imap", err) < 0)
		return -1;
	ir->i = new_session(o);
	mb_imap_add_sink(ir->i, mb_tstore_sink, &r->ts);
	if (o->sink)
		mb_imap_add_sink(ir->i, o->sink, o->sink_ctx);
	mb_imap_set_session_id(ir->i, (uint64_t)r->stats->session_id);
	if (o->on_conn)
		o->on_conn(o->ctx, mb_imap_conn(ir->i));
	return mb_imap_open(ir->i, err);
}

static void
close_session(struct imap_run *ir, int rc, struct mb_error *err)
{
	const struct mb_sync_opts *o = ir->r->o;

	if (rc == 0)
		mb_imap_logout(ir->i);
	if (o->on_conn)
		o->on_conn(o->ctx, NULL);
	mb_imap_free(ir->i);
	ir->i = NULL;
	mb_sync_session_end(ir->r, rc, err);
}

int
mb_sync_imap(struct sync_run *r, struct mb_error *err)
{
	struct imap_run ir = {0};
	struct mb_imap_mailbox *boxes = NULL;
	size_t nboxes = 0, k;
	int rc = -1;

	ir.r = r;
	if (open_session(&ir, err) < 0)
		goto out;
	if (r->o->all) {
		if (mb_imap_list(ir.i, &boxes, &nboxes, err) < 0)
			goto out;
		for (k = 0; k < nboxes; k++) {
			if (boxes[k].noselect)
				continue;
			if (sync_mailbox(&ir, boxes[k].name, boxes[k].delimiter, err) < 0)
				goto out;
		}
	} else if (sync_mailbox(&ir, r->o->mailbox ? r->o->mailbox : "INBOX", '/', err) < 0)
		goto out;
	rc = 0;
out:
	mb_imap_mailboxes_free(boxes, nboxes);
	close_session(&ir, rc, err);
	return rc;
}

/* --- flags set here, and IDLE --- */

int
mb_sync_set_flags(const struct mb_sync_opts *o, int64_t msg_id, unsigned flags,
                  struct mb_error *err)
{
	struct mb_sync_stats stats = {0};
	struct sync_run r = {0};
	struct imap_run ir = {0};
	struct mb_msg m = {0};
	struct mb_mailbox mb = {0};
	int rc = -1;

	r.o = o;
	r.stats = &stats;
	ir.r = &r;
	if (mb_store_msg_get(o->st, msg_id, &m, err) < 0)
		return -1;
	if (mb_store_mailbox_get(o->st, m.mailbox_id, &mb, err) < 0)
		goto done;
	if (mb.protocol != MB_STORE_IMAP || m.uid == 0 || o->acct->imap.host == NULL) {
		/* a POP3 message has no flags on the server */
		rc = mb_store_msg_set_flags_id(o->st, msg_id, flags, err);
		goto done;
	}
	/* the server first: if it refuses, the cache still says what the server has */
	if (open_session(&ir, err) == 0) {
		struct mb_imap_select sel;

		if (mb_imap_select(ir.i, mb.name, &sel, err) == 0) {
			if (sel.uidvalidity != mb.uidvalidity)
				mb_error_set(
				        err, MB_ERR_PROTO,
				        "the mailbox's UIDVALIDITY changed: fetch it again first");
			else
				rc = mb_imap_store(ir.i, m.uid, flags & ~m.flags, m.flags & ~flags,
				                   err);
		}
	}
	if (rc == 0)
		rc = mb_store_msg_set_flags_id(o->st, msg_id, flags, err);
	close_session(&ir, rc, err);
done:
	mb_msg_release(&m);
	mb_mailbox_release(&mb);
	return rc;
}

int
mb_sync_idle(const struct mb_sync_opts *o, struct mb_error *err)
{
	struct mb_sync_stats stats = {0};
	struct sync_run r = {0};
	struct imap_run ir = {0};
	const char *name = o->mailbox ? o->mailbox : "INBOX";
	int rc = -1, w;

	r.o = o;
	r.stats = &stats;
	r.batch = o->batch > 0 ? o->batch : 200;
	ir.r = &r;
	if (mb_store_account_ensure(o->st, o->acct->name, &r.account_id, err) < 0)
		return -1;
	if (open_session(&ir, err) < 0)
		goto out;
	if (!mb_imap_has(ir.i, "IDLE")) {
		mb_error_set(err, MB_ERR_PROTO, "'%s' does not offer IDLE", o->acct->imap.host);
		goto out;
	}
	for (;;) {
		/* catch up, then wait; IDLE is renewed well before 29 minutes */
		if (sync_mailbox(&ir, name, '/', err) < 0)
			goto out;
		w = mb_imap_idle(ir.i, 25 * 60, err);
		if (w < 0) {
			if (err->kind == MB_ERR_CANCEL)
				rc = 0;
			goto out;
		}
	}
out:
	close_session(&ir, rc, err);
	return rc;
}
