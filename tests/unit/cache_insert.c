/*
 * cache_insert.c: a test helper that puts .eml files into a mailbench cache
 * the way a fetch stores them (mb_summary_parse + mb_store_msg_add), so the
 * reading commands can be tested before and apart from IMAP/POP3 sync.
 *
 *     cache_insert DB ACCOUNT MAILBOX [--flags N] FILE...
 *
 * Each file becomes one message of ACCOUNT/MAILBOX (both created when
 * missing) with the next free UID and the flags N (MB_FLAG_* bits, default
 * 0: unread). Prints the new message ids, one per line. Exit 0, or 1 with a
 * message on stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

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

static int
slurp(const char *path, struct mb_buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		mb_buf_add(out, tmp, n);
	n = (size_t)ferror(f);
	fclose(f);
	return n ? -1 : 0;
}

static int
insert(struct mb_store *st, int64_t mailbox, uint32_t uid, unsigned flags, const struct mb_buf *raw,
       int64_t *id, struct mb_error *err)
{
	struct mb_summary s;
	struct mb_msg_in m = {0};
	const char **received;
	char *delivered, *auth;
	size_t i;
	int rc;

	mb_summary_parse(&s, raw->data, raw->len);
	received = xcalloc(s.trace.nreceived + 1, sizeof *received);
	for (i = 0; i < s.trace.nreceived; i++)
		received[i] = s.trace.received[i].raw;
	delivered = join(s.trace.delivered_to, s.trace.ndelivered_to, ", ");
	auth = join(s.trace.auth_results, s.trace.nauth_results, "\n");
	m.mailbox_id = mailbox;
	m.uid = uid;
	m.flags = flags;
	m.internaldate = (int64_t)time(NULL);
	m.date = (int64_t)s.date;
	m.date_text = s.date_raw;
	m.from = s.from;
	m.to = s.to;
	m.cc = s.cc;
	m.subject = s.subject;
	m.message_id = s.message_id;
	m.in_reply_to = s.in_reply_to;
	m.references = s.references;
	m.has_attachments = s.has_attachments;
	m.raw = raw->data;
	m.raw_len = raw->len;
	m.body_text = s.body_text;
	m.return_path = s.trace.return_path;
	m.delivered_to = delivered;
	m.authentication_results = auth;
	m.received = received;
	m.nreceived = s.trace.nreceived;
	rc = mb_store_msg_add(st, &m, id, err);
	free(received);
	free(delivered);
	free(auth);
	mb_summary_release(&s);
	return rc;
}

int
main(int argc, char **argv)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	int64_t account, mailbox, id;
	uint32_t uid;
	unsigned flags = 0;
	int i = 4, rc = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: cache_insert DB ACCOUNT MAILBOX [--flags N] FILE...\n");
		return 2;
	}
	if (strcmp(argv[4], "--flags") == 0 && argc >= 7) {
		flags = (unsigned)strtoul(argv[5], NULL, 10);
		i = 6;
	}
	if (mb_store_open(&st, argv[1], &err) < 0 ||
	    mb_store_account_ensure(st, argv[2], &account, &err) < 0 ||
	    mb_store_mailbox_ensure(st, account, MB_STORE_IMAP, argv[3], "/", &mailbox, &err) < 0 ||
	    mb_store_msg_max_uid(st, mailbox, &uid, &err) < 0)
		goto fail;
	for (; i < argc; i++) {
		struct mb_buf raw = MB_BUF_INIT;

		if (slurp(argv[i], &raw) < 0) {
			fprintf(stderr, "cache_insert: cannot read '%s'\n", argv[i]);
			mb_buf_release(&raw);
			goto out;
		}
		rc = insert(st, mailbox, ++uid, flags, &raw, &id, &err);
		mb_buf_release(&raw);
		if (rc < 0)
			goto fail;
		printf("%lld\n", (long long)id);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "cache_insert: %s\n", err.msg);
	rc = 1;
out:
	mb_store_close(st);
	return rc;
}
