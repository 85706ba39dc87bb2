/*
 * sync_pop3.c: POP3 into the cache, by UIDL (see sync.h).
 *
 * The order that loses nothing: RETR, store in a batch transaction, commit,
 * make the commit durable, and only then DELE (with --delete); the server
 * removes messages at QUIT only, so a session that dies anywhere deletes
 * nothing (RFC 1939 section 6).
 */
#include "config.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sync_private.h"
#include "mailbench/mime.h"
#include "mailbench/pop3.h"
#include "mailbench/testhook.h"
#include "mailbench/xalloc.h"

struct pop3_run {
	struct sync_run *r;
	struct mb_pop3 *p;
	int64_t mailbox_id;
	struct mb_pop3_msg *msgs;
	size_t n;
	char **keys; /* per message: the UIDL, or "size:hash" without UIDL */
};

static int
find_msg(const struct pop3_run *pr, uint32_t num)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		if (pr->msgs[i].num == num)
			return (int)i;
	return -1;
}

static void
hash_key(uint64_t size, const char *headers, size_t len, char *out, size_t outlen)
{
	unsigned char d[32];
	char hex[65];
	int i;

	gnutls_hash_fast(GNUTLS_DIG_SHA256, headers, len, d);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	snprintf(out, outlen, "nouidl:%llu:%s", (unsigned long long)size, hex);
}

/* The header block of a message (up to the empty line). */
static size_t
header_len(const char *m, size_t len)
{
	struct mb_headers h;
	size_t body = mb_headers_parse(&h, m, len);

	mb_headers_release(&h);
	return body;
}

/* Without UIDL, a message is known by its size and a hash of its header. */
static int
make_keys(struct pop3_run *pr, struct mb_error *err)
{
	struct mb_buf top = MB_BUF_INIT;
	bool uidl = pr->n == 0 || pr->msgs[0].uidl[0] != '\0';
	size_t i;
	char key[128];

	pr->keys = xcalloc(pr->n + 1, sizeof *pr->keys);
	if (!uidl)
		mb_conn_note(mb_pop3_conn(pr->p), MB_TDIR_INFO, 0,
		             "no usable UIDL: messages are told apart by their size and a hash of "
		             "their headers (TOP n 0)");
	for (i = 0; i < pr->n; i++) {
		if (uidl) {
			pr->keys[i] = xstrdup(pr->msgs[i].uidl);
			continue;
		}
		if (mb_pop3_top(pr->p, pr->msgs[i].num, 0, &top, err) < 0) {
			mb_buf_release(&top);
			return -1;
		}
		hash_key(pr->msgs[i].size, top.data, header_len(top.data, top.len), key,
		         sizeof key);
		/* two identical messages in one mailbox stay two: "key#2", "key#3" */
		{
			size_t j, same = 0, kl = strlen(key);

			for (j = 0; j < i; j++)
				if (strncmp(pr->keys[j], key, kl) == 0 &&
				    (pr->keys[j][kl] == '\0' || pr->keys[j][kl] == '#'))
					same++;
			if (same > 0)
				snprintf(key + kl, sizeof key - kl, "#%zu", same + 1);
		}
		pr->keys[i] = xstrdup(key);
	}
	mb_buf_release(&top);
	return 0;
}

static int
on_message(uint32_t num, struct mb_buf *data, void *ctx, struct mb_error *err)
{
	struct pop3_run *pr = ctx;
	int i = find_msg(pr, num);
	size_t len = data->len;
	char *raw;

	if (i < 0)
		return mb_error_set(err, MB_ERR_INTERNAL, "RETR %u answered for no listed message",
		                    num);
	if (len > pr->msgs[i].size + pr->msgs[i].size / 10 + 1024)
		mb_conn_note(mb_pop3_conn(pr->p), MB_TDIR_INFO, MB_TL_WARN,
		             "message %u is %zu bytes, though LIST said %llu: the server's sizes "
		             "are not to be trusted",
		             num, len, (unsigned long long)pr->msgs[i].size);
	raw = mb_buf_detach(data, NULL); /* the store thread's now: no copy */
	if (mb_sync_ingest(pr->r, pr->mailbox_id, 0, pr->keys[i], 0, 0, 0, pr->msgs[i].size, raw,
	                   len, raw, err) < 0)
		return -1;
	mb_test_crash_point("pop3-after-retr");
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
cached(char **sorted, size_t n, const char *key)
{
	return bsearch(&key, sorted, n, sizeof *sorted, cmp_str) != NULL;
}

/* After everything new is committed and durable: DELE what the cache holds. */
static int
delete_cached(struct pop3_run *pr, struct mb_error *err)
{
	struct sync_run *r = pr->r;
	char **have = NULL;
	size_t nhave = 0, i;
	int rc = 0;

	if (mb_store_make_durable(r->o->st, err) < 0)
		return -1;
	if (mb_store_msg_uidls(r->o->st, pr->mailbox_id, &have, &nhave, err) < 0)
		return -1;
	for (i = 0; i < pr->n && rc == 0; i++) {
		if (!cached(have, nhave, pr->keys[i]))
			continue;
		if ((rc = mb_pop3_dele(pr->p, pr->msgs[i].num, err)) == 0)
			r->stats->deleted_server++;
	}
	mb_strv_free(have);
	return rc;
}

static struct mb_pop3 *
new_session(const struct mb_sync_opts *o)
{
	const struct mb_account *a = o->acct;
	struct mb_pop3_opts po = {0};

	po.host = a->pop3.host;
	po.port = mb_endpoint_port(&a->pop3, "pop3");
	po.security = a->pop3.security;
	po.user = a->user;
	po.password = o->password;
	po.conn.ca_file = a->ca_file;
	po.conn.tls_verify = a->tls_verify;
	po.conn.show_data = o->show_data;
	po.conn.user = a->user;
	po.timeout = o->timeout > 0 ? o->timeout : a->timeout;
	return mb_pop3_new(&po);
}

int
mb_sync_pop3(struct sync_run *r, struct mb_error *err)
{
	const struct mb_sync_opts *o = r->o;
	struct pop3_run pr = {0};
	char **have = NULL;
	size_t nhave = 0, i, nnew = 0;
	uint32_t *nums = NULL;
	int rc = -1, retr;

	pr.r = r;
	r->mailbox = "INBOX";
	if (mb_store_mailbox_ensure(o->st, r->account_id, MB_STORE_POP3, "INBOX", NULL,
	                            &pr.mailbox_id, err) < 0)
		return -1;
	if (mb_sync_session_begin(r, MB_STORE_POP3, &o->acct->pop3, "pop3", err) < 0)
		return -1;
	pr.p = new_session(o);
	mb_pop3_add_sink(pr.p, mb_tstore_sink, &r->ts);
	if (o->sink)
		mb_pop3_add_sink(pr.p, o->sink, o->sink_ctx);
	mb_pop3_set_session_id(pr.p, (uint64_t)r->stats->session_id);
	if (o->on_conn)
		o->on_conn(o->ctx, mb_pop3_conn(pr.p));
	r->stats->mailboxes = 1;

	/* the listings' lines (two per message) are stored once messages flow, by the store
	   thread, or at the end: not while the server waits for the first RETR */
	mb_tstore_defer(&r->ts, true);
	if (mb_pop3_open(pr.p, err) < 0 || mb_pop3_list(pr.p, &pr.msgs, &pr.n, err) < 0 ||
	    make_keys(&pr, err) < 0)
		goto out;
	if (mb_store_msg_uidls(o->st, pr.mailbox_id, &have, &nhave, err) < 0)
		goto out;
	nums = xcalloc(pr.n + 1, sizeof *nums);
	for (i = 0; i < pr.n; i++) {
		if (cached(have, nhave, pr.keys[i]))
			continue;
		nums[nnew++] = pr.msgs[i].num;
		r->bytes_total += pr.msgs[i].size;
	}
	r->total = nnew;
	mb_conn_note(mb_pop3_conn(pr.p), MB_TDIR_INFO, 0,
	             "%zu message(s) on the server, %zu new, %zu already in the cache", pr.n, nnew,
	             pr.n - nnew);
	mb_sync_progress(r);
	if (nnew == 0)
		mb_tstore_defer(&r->ts, false);
	else {
		/* messages are received and parsed here, and stored on a thread of their own */
		if (mb_sync_pipe_start(r, err) < 0)
			goto out;
		retr = mb_pop3_retr(pr.p, nums, nnew, on_message, &pr, err);
		if (mb_sync_pipe_finish(r, retr == 0, err) < 0 || retr < 0)
			goto out;
	}
	if (mb_sync_commit(r, err) < 0)
		goto out;
	mb_sync_progress(r);
	if (o->delete_after && delete_cached(&pr, err) < 0)
		goto out;
	mb_test_crash_point("pop3-before-quit");
	if (mb_pop3_quit(pr.p, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		mb_sync_abort(r);
	if (o->on_conn)
		o->on_conn(o->ctx, NULL);
	mb_pop3_free(pr.p);
	mb_sync_session_end(r, rc, err);
	mb_strv_free(have);
	if (pr.keys)
		mb_strv_free(pr.keys);
	free(pr.msgs);
	free(nums);
	return rc;
}
