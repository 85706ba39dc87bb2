/*
 * tui_seed.c: put messages into a cache for the TUI tests and the
 * benchmark, standing in for a fetch until the IMAP/POP3 sync lands:
 *
 *     tui_seed CACHE ACCOUNT [--mailbox NAME] [--synthetic N] [FILE.eml...]
 *
 * Each .eml file is parsed like a fetched message (mb_summary_parse: the
 * same fields, trace headers and full-text entry) and stored with the next
 * UID, unread. --synthetic adds N small generated messages (one a minute
 * back in time from 2024-01-01, every third one read) in batches of 1000.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/mime.h"
#include "mailbench/store.h"

static int
slurp(const char *path, struct mb_buf *out)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		mb_buf_add(out, buf, n);
	fclose(f);
	return 0;
}

static int
add_file(struct mb_store *st, int64_t mbox, uint32_t uid, const char *path, struct mb_error *err)
{
	struct mb_buf raw = MB_BUF_INIT;
	struct mb_summary s;
	struct mb_msg_in m;
	const char **received;
	size_t i;
	int r;

	if (slurp(path, &raw) < 0)
		return mb_error_set(err, MB_ERR_IO, "cannot read '%s'", path);
	mb_summary_parse(&s, raw.data, raw.len);
	memset(&m, 0, sizeof m);
	m.mailbox_id = mbox;
	m.uid = uid;
	m.flags = 0;
	m.date = (int64_t)s.date;
	m.internaldate = (int64_t)s.date;
	m.date_text = s.date_raw;
	m.from = s.from;
	m.to = s.to;
	m.cc = s.cc;
	m.subject = s.subject;
	m.message_id = s.message_id;
	m.in_reply_to = s.in_reply_to;
	m.references = s.references;
	m.has_attachments = s.has_attachments;
	m.raw = raw.data;
	m.raw_len = raw.len;
	m.body_text = s.body_text;
	m.return_path = s.trace.return_path;
	m.delivered_to = s.trace.ndelivered_to > 0 ? s.trace.delivered_to[0] : NULL;
	m.authentication_results = s.trace.nauth_results > 0 ? s.trace.auth_results[0] : NULL;
	received = calloc(s.trace.nreceived + 1, sizeof *received);
	for (i = 0; i < s.trace.nreceived; i++)
		received[i] = s.trace.received[i].raw;
	m.received = received;
	m.nreceived = s.trace.nreceived;
	r = mb_store_msg_add(st, &m, NULL, err);
	free(received);
	mb_summary_release(&s);
	mb_buf_release(&raw);
	return r;
}

static int
add_synthetic(struct mb_store *st, int64_t mbox, uint32_t first_uid, long n, struct mb_error *err)
{
	static const char *const names[] = {"Alice Martin", "Bob Durand", "Carol Smith",
	                                    "Dave Jones",   "Eve Adams",  "Frank Miller"};
	char raw[1024], from[128], subject[128], date[64], body[64];
	struct mb_msg_in m;
	long i;
	int len;

	for (i = 0; i < n; i++) {
		if (i % 1000 == 0 && mb_store_begin(st, err) < 0)
			return -1;
		snprintf(from, sizeof from, "%s <user%ld@example.org>", names[i % 6], i % 97);
		snprintf(subject, sizeof subject, "Synthetic message %06ld about topic %ld", i,
		         i % 13);
		snprintf(date, sizeof date, "%ld", 1704067200L - i * 60);
		snprintf(body, sizeof body, "Body of message %ld.", i);
		len = snprintf(raw, sizeof raw,
		               "From: %s\r\nTo: alice@lab.test\r\nSubject: %s\r\n"
		               "Message-ID: <syn%ld@bench.example>\r\n\r\n%s\r\n",
		               from, subject, i, body);
		memset(&m, 0, sizeof m);
		m.mailbox_id = mbox;
		m.uid = first_uid + (uint32_t)i;
		m.flags = i % 3 == 0 ? MB_FLAG_SEEN : 0;
		m.date = 1704067200L - i * 60;
		m.from = from;
		m.to = "alice@lab.test";
		m.subject = subject;
		m.raw = raw;
		m.raw_len = (size_t)len;
		m.body_text = body;
		if (mb_store_msg_add(st, &m, NULL, err) < 0) {
			mb_store_rollback(st);
			return -1;
		}
		if ((i % 1000 == 999 || i == n - 1) && mb_store_commit(st, err) < 0)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	const char *mailbox = "INBOX";
	int64_t acct, mbox;
	uint32_t uid;
	long synthetic = 0;
	int i, files = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: tui_seed CACHE ACCOUNT [--mailbox NAME] [--synthetic N] "
		                "[FILE.eml...]\n");
		return 2;
	}
	if (mb_store_open(&st, argv[1], &err) < 0) {
		fprintf(stderr, "tui_seed: %s\n", err.msg);
		return 1;
	}
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--mailbox") == 0 && i + 1 < argc)
			mailbox = argv[++i];
		else if (strcmp(argv[i], "--synthetic") == 0 && i + 1 < argc)
			synthetic = strtol(argv[++i], NULL, 10);
	}
	if (mb_store_account_ensure(st, argv[2], &acct, &err) < 0 ||
	    mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, mailbox, "/", &mbox, &err) < 0 ||
	    mb_store_msg_max_uid(st, mbox, &uid, &err) < 0)
		goto fail;
	for (i = 3; i < argc; i++) {
		if ((strcmp(argv[i], "--mailbox") == 0 || strcmp(argv[i], "--synthetic") == 0) &&
		    i + 1 < argc) {
			i++;
			continue;
		}
		if (add_file(st, mbox, ++uid, argv[i], &err) < 0)
			goto fail;
		files++;
	}
	if (synthetic > 0 && add_synthetic(st, mbox, uid + 1, synthetic, &err) < 0)
		goto fail;
	printf("inserted %d file(s) and %ld synthetic message(s) into %s/%s\n", files, synthetic,
	       argv[2], mailbox);
	mb_store_close(st);
	return 0;
fail:
	fprintf(stderr, "tui_seed: %s\n", err.msg);
	mb_store_close(st);
	return 1;
}
