/*
 * Unit tests: src/store with 100 000 messages in one mailbox: the TUI reads
 * only the visible rows, so a page in any sort order must come from an
 * index (no sorting step) and stay fast at any offset. Timings are printed
 * as diagnostics, not asserted (machines differ); the query plans are
 * asserted, and the whole test must finish in 30 s.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mailbench/error.h"
#include "mailbench/store.h"
#include "store/private.h"
#include "tap.h"

#define NMSG  100000
#define BATCH 1000
#define PAGE  50

static char tmpdir[] = "/tmp/mb-test-paging-XXXXXX";

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Compare two rows by a sort key, then id: <0, 0, >0. */
static int
cmp_rows(const struct mb_msg *a, const struct mb_msg *b, enum mb_sort sort)
{
	int c = 0;

	switch (sort) {
	case MB_SORT_DATE:
		c = (a->date > b->date) - (a->date < b->date);
		break;
	case MB_SORT_FROM:
		c = strcasecmp(a->from, b->from);
		break;
	case MB_SORT_SUBJECT:
		c = strcasecmp(a->subject, b->subject);
		break;
	case MB_SORT_SIZE:
		c = (a->size > b->size) - (a->size < b->size);
		break;
	}
	if (c == 0)
		c = (a->id > b->id) - (a->id < b->id);
	return c;
}

/* Whether the rows are strictly ordered by (key, id) in the direction asked. */
static bool
ordered(const struct mb_msg_list *l, enum mb_sort sort, bool desc)
{
	size_t i;
	int c;

	for (i = 1; i < l->n; i++) {
		c = cmp_rows(&l->v[i - 1], &l->v[i], sort);
		if (desc ? c <= 0 : c >= 0)
			return false;
	}
	return true;
}

/* Whether the statement used last needs a sorting step (no index for the ORDER BY). */
static bool
last_query_sorts(struct mb_store *st)
{
	sqlite3_stmt *s;
	char *sql;
	bool sorts = false;

	sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st->cache[0].stmt));
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return true;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);

		if (detail != NULL && (strstr(detail, "TEMP B-TREE") != NULL ||
		                       strstr(detail, "SCAN messages") != NULL))
			sorts = true;
	}
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return sorts;
}

static const char *const sort_names[] = {"date", "from", "subject", "size"};

static void
test_sort(struct mb_store *st, int64_t mbox, enum mb_sort sort, bool desc)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_query q = {.mailbox_id = mbox, .sort = sort, .desc = desc, .limit = PAGE};
	struct mb_msg_list first, mid, last, next, keyed;
	double t0, t_first, t_mid, t_last, t_key;
	bool plan_ok;
	size_t i;
	bool same;

	t0 = now_ms();
	ok(mb_store_msg_page(st, &q, &first, &err) == 0 && first.n == PAGE, "%s %s: first page",
	   sort_names[sort], desc ? "desc" : "asc");
	t_first = now_ms() - t0;
	plan_ok = !last_query_sorts(st);
	ok(plan_ok, "%s %s: the page comes from an index (no sort, no scan)", sort_names[sort],
	   desc ? "desc" : "asc");
	q.offset = NMSG / 2;
	t0 = now_ms();
	ok(mb_store_msg_page(st, &q, &mid, &err) == 0 && mid.n == PAGE, "%s %s: middle page",
	   sort_names[sort], desc ? "desc" : "asc");
	t_mid = now_ms() - t0;
	q.offset = NMSG - PAGE + 10;
	t0 = now_ms();
	ok(mb_store_msg_page(st, &q, &last, &err) == 0 && last.n == PAGE - 10,
	   "%s %s: the last page is short", sort_names[sort], desc ? "desc" : "asc");
	t_last = now_ms() - t0;
	ok(ordered(&first, sort, desc) && ordered(&mid, sort, desc) && ordered(&last, sort, desc),
	   "%s %s: rows are in order", sort_names[sort], desc ? "desc" : "asc");
	ok(first.n > 0 && mid.n > 0 &&
	           cmp_rows(&first.v[first.n - 1], &mid.v[0], sort) * (desc ? -1 : 1) < 0,
	   "%s %s: pages follow each other", sort_names[sort], desc ? "desc" : "asc");

	/* keyset paging from the middle page's last row equals the next offset page */
	q.offset = NMSG / 2 + PAGE;
	mb_store_msg_page(st, &q, &next, &err);
	q.after = &mid.v[mid.n - 1];
	t0 = now_ms();
	ok(mb_store_msg_page(st, &q, &keyed, &err) == 0 && keyed.n == PAGE,
	   "%s %s: keyset page after a row", sort_names[sort], desc ? "desc" : "asc");
	t_key = now_ms() - t0;
	same = keyed.n == next.n;
	for (i = 0; same && i < keyed.n; i++)
		same = keyed.v[i].id == next.v[i].id;
	ok(same, "%s %s: keyset page equals the offset page", sort_names[sort],
	   desc ? "desc" : "asc");
	ok(!last_query_sorts(st), "%s %s: the keyset page comes from an index", sort_names[sort],
	   desc ? "desc" : "asc");
	diag("%-7s %-4s page of %d: offset 0 %.2f ms, offset %d %.2f ms, offset %d %.2f ms, "
	     "keyset %.2f ms",
	     sort_names[sort], desc ? "desc" : "asc", PAGE, t_first, NMSG / 2, t_mid,
	     NMSG - PAGE + 10, t_last, t_key);
	mb_msg_list_release(&first);
	mb_msg_list_release(&mid);
	mb_msg_list_release(&last);
	mb_msg_list_release(&next);
	mb_msg_list_release(&keyed);
}

int
main(void)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st;
	struct mb_msg_in m;
	struct mb_msg_list l;
	struct mb_msg_query q;
	char path[600], from[64], subject[64], body[64], raw[256];
	int64_t acct, mbox, count;
	uint32_t *uids;
	size_t n, i, deleted;
	double start = now_ms(), t0;
	int b, j, k, inserted = 0, sort;
	bool good;

	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv("MAILBENCH_CACHE_ASSUME_NFS");
	snprintf(path, sizeof path, "%s/cache.db", tmpdir);
	if (mb_store_open(&st, path, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	mb_store_account_ensure(st, "big", &acct, &err);
	mb_store_mailbox_ensure(st, acct, MB_STORE_IMAP, "INBOX", "/", &mbox, &err);

	t0 = now_ms();
	for (b = 0; b < NMSG / BATCH; b++) {
		if (mb_store_begin(st, &err) < 0)
			break;
		for (j = 0; j < BATCH; j++) {
			k = b * BATCH + j;
			/* dates with ties (50 000 values), mixed-case names, sizes with ties */
			snprintf(from, sizeof from, "%cser%05d <u%d@example.org>",
			         k % 2 ? 'u' : 'U', (k * 7919) % 30011, k);
			snprintf(subject, sizeof subject, "%s %d", k % 3 ? "Report" : "invoice",
			         (int)((long long)k * 104729 % 99991));
			snprintf(body, sizeof body, "body of message %d word%d", k, k % 100);
			snprintf(raw, sizeof raw, "From: %s\r\nSubject: %s\r\n\r\n%s\r\n", from,
			         subject, body);
			memset(&m, 0, sizeof m);
			m.mailbox_id = mbox;
			m.uid = (uint32_t)k + 1;
			m.size = (k * 31) % 20000;
			m.flags = k % 4 ? MB_FLAG_SEEN : 0;
			m.date = 1600000000 + (k * 7919) % 50000;
			m.from = from;
			m.to = "Bob <bob@example.org>";
			m.subject = subject;
			m.raw = raw;
			m.raw_len = strlen(raw);
			m.body_text = body;
			if (mb_store_msg_add(st, &m, NULL, &err) < 0)
				break;
			inserted++;
		}
		if (j < BATCH) {
			mb_store_rollback(st);
			break;
		}
		if (mb_store_commit(st, &err) < 0)
			break;
	}
	is_int(inserted, NMSG, "insert 100 000 messages in batches of 1000: %s", err.msg);
	diag("inserting %d messages took %.0f ms", inserted, now_ms() - t0);
	ok(mb_store_msg_count(st, mbox, NULL, &count, &err) == 0 && count == NMSG, "count");

	for (sort = MB_SORT_DATE; sort <= MB_SORT_SIZE; sort++) {
		test_sort(st, mbox, (enum mb_sort)sort, false);
		test_sort(st, mbox, (enum mb_sort)sort, true);
	}

	/* quick filter */
	t0 = now_ms();
	count = -1;
	mb_store_msg_count(st, mbox, "SER00042 ", &count, &err);
	ok(count > 0, "count with a filter (%lld)", (long long)count);
	memset(&q, 0, sizeof q);
	q.mailbox_id = mbox;
	q.sort = MB_SORT_DATE;
	q.desc = true;
	q.filter = "ser00042 ";
	q.limit = PAGE;
	ok(mb_store_msg_page(st, &q, &l, &err) == 0 &&
	           (int64_t)l.n == (count < PAGE ? count : PAGE),
	   "a filtered page");
	good = true;
	for (i = 0; i < l.n; i++)
		good = good && strcasestr(l.v[i].from, "ser00042 ") != NULL;
	ok(good, "every filtered row matches");
	mb_msg_list_release(&l);
	diag("filtered count + page: %.2f ms", now_ms() - t0);

	/* full-text search at this size */
	t0 = now_ms();
	ok(mb_store_search(st, mbox, "word42 invoice", 20, &l, &err) == 0 && l.n == 20,
	   "full-text search over 100 000 messages");
	good = true;
	for (i = 0; i < l.n; i++)
		good = good && strncasecmp(l.v[i].subject, "invoice", 7) == 0;
	ok(good, "... finds what was asked");
	mb_msg_list_release(&l);
	diag("full-text search: %.2f ms", now_ms() - t0);

	/* the UID list of the expunge comparison */
	t0 = now_ms();
	ok(mb_store_msg_uids(st, mbox, &uids, &n, &err) == 0 && n == NMSG, "all UIDs");
	good = n == NMSG;
	for (i = 1; good && i < n; i++)
		good = uids[i - 1] < uids[i];
	ok(good, "ascending");
	diag("listing %zu UIDs: %.2f ms", n, now_ms() - t0);

	/* expunge 10 000 of them */
	t0 = now_ms();
	ok(mb_store_msg_delete_uids(st, mbox, uids, 10000, &deleted, &err) == 0 && deleted == 10000,
	   "delete 10 000 by UID");
	diag("deleting 10 000: %.0f ms", now_ms() - t0);
	free(uids);
	{
		struct mb_mailbox mb;

		ok(mb_store_mailbox_get(st, mbox, &mb, &err) == 0, "read the mailbox");
		is_int(mb.total, NMSG - 10000, "its total follows the deletes");
		is_int(mb.unread, (NMSG - 10000) / 4, "its unread count follows the deletes");
		mb_mailbox_release(&mb);
	}
	t0 = now_ms();
	ok(mb_store_check(st, false, &err) == 0, "full check: %s", err.msg);
	diag("full check: %.0f ms", now_ms() - t0);
	mb_store_close(st);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	diag("whole test: %.1f s", (now_ms() - start) / 1000);
	return done_testing();
}
