/*
 * list.c: `mailbench list`: the cached messages of a mailbox, an account or
 * the whole cache, newest first, optionally narrowed by a full-text search,
 * as a table fitted to the terminal or as TSV or JSON for scripts.
 *
 * Nothing here touches the network; the rows come from the cache filled by
 * `mailbench fetch`. Every field came from the network, so the table is
 * sanitised and the machine formats escape every control character.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/private.h"
#include "cli/read.h"
#include "mailbench/cli.h"
#include "mailbench/mime.h"
#include "mailbench/mutf7.h"
#include "mailbench/sanitize.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"

enum fmt { FMT_TABLE, FMT_TSV, FMT_JSON };

struct list_args {
	const char *account, *mailbox, *search;
	long limit; /* 0: all */
	enum fmt fmt;
	enum mb_store_proto protocol; /* 0: either */
};

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
        {MB_FLAG_SEEN, "seen"},       {MB_FLAG_ANSWERED, "answered"}, {MB_FLAG_FLAGGED, "flagged"},
        {MB_FLAG_DELETED, "deleted"}, {MB_FLAG_DRAFT, "draft"},       {MB_FLAG_RECENT, "recent"},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: mailbench list [--account A] [--mailbox NAME] [--protocol imap|pop3]\n"
	           "                      [--search QUERY] [--limit N] [--format table|tsv|json]\n"
	           "\n"
	           "Lists cached messages (mailbench fetch fills the cache), newest first: of one\n"
	           "mailbox, else of every mailbox of the account, else of the whole cache.\n"
	           "--search QUERY keeps the messages holding every word of QUERY (a word prefix\n"
	           "is enough); from:WORD, to:WORD, cc:WORD, subject:WORD and body:WORD look in\n"
	           "one field, \"double quotes\" make a phrase. --limit N shows the N newest\n"
	           "(default: all). An IMAP mailbox is named as shown (Entwürfe) or as on the\n"
	           "wire, in modified UTF-7 (Entw&APw-rfe); the table shows it decoded, tsv and\n"
	           "json as on the wire. An account fetched over both protocols has two INBOXes:\n"
	           "--protocol keeps the mailboxes fetched over one, and the table calls the\n"
	           "POP3 one \"POP3 INBOX\".\n"
	           "\n"
	           "Formats:\n"
	           "  table  (default) aligned columns fitted to the terminal: ID, DATE (local),\n"
	           "         FLAGS (N unread, * flagged, r answered, D deleted), SIZE, MAILBOX\n"
	           "         (when several are listed), FROM, SUBJECT; text is sanitised\n"
	           "  tsv    one line per message, no header, tab-separated: id, account,\n"
	           "         mailbox, from, to, subject, date (UTC, ISO 8601, empty when\n"
	           "         unknown), size (bytes), flags (comma-separated: seen, answered,\n"
	           "         flagged, deleted, draft, recent); in fields \\ TAB LF CR are\n"
	           "         written \\\\ \\t \\n \\r, other control characters \\xHH, C1\n"
	           "         controls and invisible ones (bidi, zero-width) \\uXXXX\n"
	           "  json   one JSON array of objects: id, account, mailbox, from, to, subject\n"
	           "         (decoded), date (UTC ISO 8601 or null), size, flags (array of the\n"
	           "         names above), and uid, cc, message_id, has_attachments, protocol\n"
	           "         (imap or pop3)\n"
	           "\n"
	           "Exit status: 0 done (also when nothing matched); 10 no such account or\n"
	           "mailbox in the cache; 2 bad usage; 11 cache error.\n");
}

static int
parse_args(struct list_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"account", required_argument, NULL, 'a'},
	        {"mailbox", required_argument, NULL, 'm'},
	        {"search", required_argument, NULL, 's'},
	        {"limit", required_argument, NULL, 'n'},
	        {"format", required_argument, NULL, 'f'},
	        {"protocol", required_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = mb_cli_getopt("list", argc, argv, "a:m:s:n:f:p:h", longopts)) != -1) {
		switch (c) {
		case 'a':
			a->account = optarg;
			break;
		case 'm':
			a->mailbox = optarg;
			break;
		case 's':
			a->search = optarg;
			break;
		case 'n':
			if ((rc = mb_cli_parse_count("list", "--limit", optarg, 1000000000L,
			                             &a->limit)) != 0)
				return rc;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				a->fmt = FMT_TABLE;
			else if (strcmp(optarg, "tsv") == 0)
				a->fmt = FMT_TSV;
			else if (strcmp(optarg, "json") == 0)
				a->fmt = FMT_JSON;
			else
				return mb_cli_usage_error(
				        "list", "unknown format '%s' (table, tsv or json)", optarg);
			break;
		case 'p':
			if (strcmp(optarg, "imap") == 0)
				a->protocol = MB_STORE_IMAP;
			else if (strcmp(optarg, "pop3") == 0)
				a->protocol = MB_STORE_POP3;
			else
				return mb_cli_usage_error(
				        "list", "--protocol is imap or pop3, not '%s'", optarg);
			break;
		case 'h':
			usage(stdout);
			return -2;
		default:
			return MB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return mb_cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Names of the accounts and mailboxes the rows point to. */
struct names {
	struct mb_store_account_list accounts;
	struct mb_mailbox_list mailboxes;
};

static const char *
account_name(const struct names *nm, int64_t id)
{
	size_t i;

	for (i = 0; i < nm->accounts.n; i++)
		if (nm->accounts.v[i].id == id)
			return nm->accounts.v[i].name;
	return "";
}

static const struct mb_mailbox *
mailbox_of(const struct names *nm, int64_t id)
{
	size_t i;

	for (i = 0; i < nm->mailboxes.n; i++)
		if (nm->mailboxes.v[i].id == id)
			return &nm->mailboxes.v[i];
	return NULL;
}

static const char *
mailbox_name(const struct names *nm, int64_t id)
{
	const struct mb_mailbox *mb = mailbox_of(nm, id);

	return mb != NULL ? mb->name : "";
}

static enum mb_store_proto
mailbox_protocol(const struct names *nm, int64_t id)
{
	const struct mb_mailbox *mb = mailbox_of(nm, id);

	return mb != NULL ? mb->protocol : 0;
}

/* Move every row of src to the end of dst; src is left empty. */
static void
take_rows(struct mb_msg_list *dst, struct mb_msg_list *src)
{
	if (src->n > 0) {
		dst->v = xreallocarray(dst->v, dst->n + src->n, sizeof *dst->v);
		memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
		dst->n += src->n;
	}
	free(src->v);
	src->v = NULL;
	src->n = 0;
}

/* When a message was written: its Date:, else when the server got it. */
static int64_t
msg_time(const struct mb_msg *m)
{
	return m->date != 0 ? m->date : m->internaldate;
}

/* Newest first (as the DATE column shows), then the latest arrival first. */
static int
newest_first(const void *a, const void *b)
{
	const struct mb_msg *x = a, *y = b;

	if (msg_time(x) != msg_time(y))
		return msg_time(x) > msg_time(y) ? -1 : 1;
	if (x->id != y->id)
		return x->id > y->id ? -1 : 1;
	return 0;
}

/* Does the user's name b mean the stored (wire) name a? As on the wire, or decoded. */
static bool
same_mailbox_name(const char *a, const char *b)
{
	char *shown;
	bool same;

	/* INBOX is case-insensitive (RFC 3501 section 5.1); other names are not */
	if (strcasecmp(a, "INBOX") == 0 && strcasecmp(b, "INBOX") == 0)
		return true;
	if (strcmp(a, b) == 0)
		return true;
	shown = mb_mutf7_decode(a); /* "Entwürfe" for "Entw&APw-rfe" */
	same = strcmp(shown, b) == 0;
	free(shown);
	return same;
}

/* The rows asked for, newest first; 0 or an exit code (reported). */
static int
collect(struct mb_store *st, const struct list_args *a, const struct names *nm,
        struct mb_msg_list *out)
{
	struct mb_error err = MB_ERROR_INIT;
	struct mb_msg_list part = {0};
	int64_t account_id = 0;
	size_t i, n = 0, nboxes = 0;

	if (a->account != NULL) {
		if (mb_store_account_find(st, a->account, &account_id, &err) < 0)
			goto fail;
		if (account_id == 0) {
			mb_cli_err("list",
			           "no account '%s' in the cache (mailbench fetch --account %s "
			           "fills it)",
			           a->account, a->account);
			return MB_EXIT_NOTFOUND;
		}
	}
	if (a->search != NULL && a->mailbox == NULL) {
		bool all = account_id == 0 && a->protocol == 0;

		if (mb_store_search(st, 0, a->search, all ? (size_t)a->limit : 0, &part, &err) < 0)
			goto fail;
		for (i = 0; i < part.n; i++) {
			if ((account_id == 0 || part.v[i].account_id == account_id) &&
			    (a->protocol == 0 ||
			     mailbox_protocol(nm, part.v[i].mailbox_id) == a->protocol))
				part.v[n++] = part.v[i];
			else
				mb_msg_release(&part.v[i]);
		}
		part.n = n;
		take_rows(out, &part);
	}
	for (i = 0; i < nm->mailboxes.n && (a->search == NULL || a->mailbox != NULL); i++) {
		const struct mb_mailbox *mb = &nm->mailboxes.v[i];

		if (account_id != 0 && mb->account_id != account_id)
			continue;
		if (a->mailbox != NULL && !same_mailbox_name(mb->name, a->mailbox))
			continue;
		if (a->protocol != 0 && mb->protocol != a->protocol)
			continue;
		nboxes++;
		if (a->search != NULL) {
			if (mb_store_search(st, mb->id, a->search, (size_t)a->limit, &part, &err) <
			    0)
				goto fail;
		} else {
			struct mb_msg_query q = {0};

			q.mailbox_id = mb->id;
			q.sort = MB_SORT_DATE;
			q.desc = true;
			q.limit = (size_t)a->limit;
			if (mb_store_msg_page(st, &q, &part, &err) < 0)
				goto fail;
		}
		take_rows(out, &part);
	}
	if (a->mailbox != NULL && nboxes == 0) {
		mb_cli_err("list", "no mailbox '%s'%s%s%s%s in the cache", a->mailbox,
		           a->account ? " of account '" : "", a->account ? a->account : "",
		           a->account ? "'" : "",
		           a->protocol == MB_STORE_IMAP   ? " fetched over IMAP"
		           : a->protocol == MB_STORE_POP3 ? " fetched over POP3"
		                                          : "");
		return MB_EXIT_NOTFOUND;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, newest_first);
	if (a->limit > 0 && out->n > (size_t)a->limit) {
		for (i = (size_t)a->limit; i < out->n; i++)
			mb_msg_release(&out->v[i]);
		out->n = (size_t)a->limit;
	}
	return 0;
fail:
	mb_msg_list_release(&part);
	mb_cli_err("list", "%s", err.msg);
	return mb_cli_exit_for(err.kind);
}

/* Do the rows come from more than one mailbox (then the table names it)? */
static bool
several_mailboxes(const struct mb_msg_list *l)
{
	size_t i;

	for (i = 1; i < l->n; i++)
		if (l->v[i].mailbox_id != l->v[0].mailbox_id)
			return true;
	return false;
}

/* --- the formats --- */

static void
json_field(struct mb_buf *b, const char *name, const char *value)
{
	mb_buf_addf(b, ",\"%s\":", name);
	mb_cli_json_str(b, value, strlen(value));
}

static void
print_json(const struct mb_msg_list *l, const struct names *nm, struct mb_buf *b)
{
	size_t i, k;
	char iso[32];

	mb_buf_addstr(b, "[");
	for (i = 0; i < l->n; i++) {
		const struct mb_msg *m = &l->v[i];
		const char *wire = mailbox_name(nm, m->mailbox_id);
		char *shown = mb_mutf7_decode(wire); /* UTF-8; the wire's modified UTF-7 too */
		bool first = true;

		mb_buf_addf(b, "%s\n{\"id\":%lld", i ? "," : "", (long long)m->id);
		json_field(b, "account", account_name(nm, m->account_id));
		json_field(b, "mailbox", shown);
		json_field(b, "mailbox_wire", wire);
		free(shown);
		json_field(b, "from", m->from);
		json_field(b, "to", m->to);
		json_field(b, "subject", m->subject);
		if (m->date != 0) {
			mb_cli_time_iso(iso, sizeof iso, m->date);
			json_field(b, "date", iso);
		} else {
			mb_buf_addstr(b, ",\"date\":null");
		}
		mb_buf_addf(b, ",\"size\":%lld,\"flags\":[", (long long)m->size);
		for (k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
			if (m->flags & flag_names[k].flag) {
				mb_buf_addf(b, "%s\"%s\"", first ? "" : ",", flag_names[k].name);
				first = false;
			}
		mb_buf_addf(b, "],\"uid\":%lu", (unsigned long)m->uid);
		json_field(b, "cc", m->cc);
		json_field(b, "message_id", m->message_id);
		mb_buf_addf(b, ",\"has_attachments\":%s", m->has_attachments ? "true" : "false");
		json_field(b, "protocol", mb_store_proto_name(mailbox_protocol(nm, m->mailbox_id)));
		mb_buf_addstr(b, "}");
	}
	mb_buf_addstr(b, l->n ? "\n]\n" : "]\n");
}

static void
tsv_field(struct mb_buf *b, const char *s, bool last)
{
	mb_cli_tsv_field(b, s, strlen(s));
	mb_buf_addch(b, last ? '\n' : '\t');
}

static void
print_tsv(const struct mb_msg_list *l, const struct names *nm, struct mb_buf *b)
{
	size_t i, k;
	char iso[32];

	for (i = 0; i < l->n; i++) {
		const struct mb_msg *m = &l->v[i];
		char *shown = mb_mutf7_decode(mailbox_name(nm, m->mailbox_id));
		bool first = true;

		mb_buf_addf(b, "%lld\t", (long long)m->id);
		tsv_field(b, account_name(nm, m->account_id), false);
		tsv_field(b, shown, false);
		free(shown);
		tsv_field(b, m->from, false);
		tsv_field(b, m->to, false);
		tsv_field(b, m->subject, false);
		if (m->date != 0)
			mb_cli_time_iso(iso, sizeof iso, m->date);
		else
			iso[0] = '\0';
		mb_buf_addf(b, "%s\t%lld\t", iso, (long long)m->size);
		for (k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
			if (m->flags & flag_names[k].flag) {
				mb_buf_addf(b, "%s%s", first ? "" : ",", flag_names[k].name);
				first = false;
			}
		mb_buf_addch(b, '\n');
	}
}

/* The sender as a table shows it: the first display name, else the address. */
static char *
short_from(const char *from)
{
	struct mb_address_list l;
	char *s;

	mb_address_list_parse(&l, from);
	if (l.n > 0 && l.v[0].name[0])
		s = xstrdup(l.v[0].name);
	else if (l.n > 0 && l.v[0].addr[0])
		s = xstrdup(l.v[0].addr);
	else
		s = xstrdup(from);
	mb_address_list_release(&l);
	return s;
}

/*
 * The mailbox column's text: "mailbox", or "account/mailbox" when accounts
 * differ; decoded from modified UTF-7 (json and tsv keep the wire name). A
 * POP3 mailbox says so ("POP3 INBOX"), as in the interface's sidebar: an
 * account fetched over both protocols has two INBOXes.
 */
static char *
box_text(const struct mb_msg *m, const struct names *nm, bool show_acct)
{
	char *shown = mb_mutf7_decode(mailbox_name(nm, m->mailbox_id)), *s;

	if (mailbox_protocol(nm, m->mailbox_id) == MB_STORE_POP3) {
		s = xasprintf("POP3 %s", shown);
		free(shown);
		shown = s;
	}

	if (!show_acct)
		return shown;
	s = xasprintf("%s/%s", account_name(nm, m->account_id), shown);
	free(shown);
	return s;
}

/*
 * The table: ID, DATE, FLAGS, SIZE, [MAILBOX], FROM, SUBJECT. Under 72
 * columns it gets compact: the date without the year, no SIZE.
 */
static void
print_table(const struct mb_msg_list *l, const struct names *nm, bool show_box, bool show_acct,
            size_t width, struct mb_buf *b)
{
	bool compact = width < 72;
	size_t i, wid = 2, wbox = 0, wdate = compact ? 11 : 16, fixed, rest, wfrom, wsubj;
	char num[32], when[32], sz[32];

	for (i = 0; i < l->n; i++) {
		size_t w = (size_t)snprintf(num, sizeof num, "%lld", (long long)l->v[i].id);

		wid = w > wid ? w : wid;
		if (show_box) {
			char *box = box_text(&l->v[i], nm, show_acct);
			char *clean = mb_sanitize(box, MB_SANITIZE_LINE);
			size_t bw = mb_display_width(clean, strlen(clean));

			wbox = bw > wbox ? bw : wbox;
			free(clean);
			free(box);
		}
	}
	/* id  date  flags(4)  [size(5)]  [mailbox]  from  subject (at least 8 each) */
	fixed = wid + 2 + wdate + 2 + 5 + 2 + (compact ? 0 : 5 + 2);
	if (show_box) {
		size_t room = width > fixed + 2 + 18 + 6 ? width - fixed - 2 - 18 : 6;

		wbox = wbox < 7 ? 7 : wbox > 20 ? 20 : wbox;
		wbox = wbox > room ? room : wbox;
		fixed += wbox + 2;
	}
	rest = width > fixed + 18 ? width - fixed - 2 : 16;
	wfrom = rest * 2 / 5;
	wfrom = wfrom < 8 ? 8 : wfrom > 28 ? 28 : wfrom;
	wsubj = rest > wfrom + 8 ? rest - wfrom : 8;

	mb_cli_cell_right(b, "ID", wid);
	mb_buf_addstr(b, "  ");
	mb_cli_cell(b, "DATE", wdate);
	mb_buf_addstr(b, compact ? "  FLAGS  " : "  FLAGS   SIZE  ");
	if (show_box) {
		mb_cli_cell(b, "MAILBOX", wbox);
		mb_buf_addstr(b, "  ");
	}
	mb_cli_cell(b, "FROM", wfrom);
	mb_buf_addstr(b, "  SUBJECT\n");
	for (i = 0; i < l->n; i++) {
		const struct mb_msg *m = &l->v[i];
		char flags[6] = "     ", *from;

		snprintf(num, sizeof num, "%lld", (long long)m->id);
		mb_cli_cell_right(b, num, wid);
		mb_cli_time(when, sizeof when, msg_time(m), 0);
		flags[0] = (m->flags & MB_FLAG_SEEN) ? ' ' : 'N';
		flags[1] = (m->flags & MB_FLAG_FLAGGED) ? '*' : ' ';
		flags[2] = (m->flags & MB_FLAG_ANSWERED) ? 'r' : ' ';
		flags[3] = (m->flags & MB_FLAG_DELETED) ? 'D' : ' ';
		mb_buf_addstr(b, "  ");
		mb_cli_cell(b, compact && strlen(when) == 16 ? when + 5 : when, wdate);
		mb_buf_addf(b, "  %s  ", flags);
		if (!compact) {
			mb_cli_size(sz, sizeof sz, m->size);
			mb_buf_addf(b, "%5s  ", sz);
		}
		if (show_box) {
			char *box = box_text(m, nm, show_acct);

			mb_cli_cell(b, box, wbox);
			mb_buf_addstr(b, "  ");
			free(box);
		}
		from = short_from(m->from);
		mb_cli_cell(b, from[0] ? from : "(no sender)", wfrom);
		free(from);
		mb_buf_addstr(b, "  ");
		mb_cli_cell_last(b, m->subject[0] ? m->subject : "(no subject)", wsubj);
		mb_buf_addch(b, '\n');
	}
}

int
mb_cmd_list(struct mb_cli *cli, int argc, char **argv)
{
	struct list_args a = {0};
	struct mb_error err = MB_ERROR_INIT;
	struct mb_store *st = NULL;
	struct names nm = {{0}, {0}};
	struct mb_msg_list rows = {0};
	struct mb_buf b = MB_BUF_INIT;
	int rc;

	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc == -2 ? MB_EXIT_OK : rc;
	if ((rc = mb_cli_open_store(cli, "list", &st)) != 0)
		return rc;
	if (mb_store_account_list(st, &nm.accounts, &err) < 0 ||
	    mb_store_mailbox_list(st, 0, &nm.mailboxes, &err) < 0) {
		mb_cli_err("list", "%s", err.msg);
		rc = mb_cli_exit_for(err.kind);
		goto out;
	}
	if ((rc = collect(st, &a, &nm, &rows)) != 0)
		goto out;
	switch (a.fmt) {
	case FMT_JSON:
		print_json(&rows, &nm, &b);
		break;
	case FMT_TSV:
		print_tsv(&rows, &nm, &b);
		break;
	case FMT_TABLE:
		if (rows.n == 0)
			mb_buf_addstr(&b, a.search ? "no message matches\n" : "no messages\n");
		else
			print_table(&rows, &nm, several_mailboxes(&rows),
			            a.account == NULL && nm.accounts.n > 1,
			            mb_cli_term_width(stdout), &b);
		break;
	}
	if (mb_cli_write(stdout, &b) < 0 || fflush(stdout) != 0)
		rc = MB_EXIT_FAIL;
out:
	mb_buf_release(&b);
	mb_msg_list_release(&rows);
	mb_store_account_list_release(&nm.accounts);
	mb_mailbox_list_release(&nm.mailboxes);
	mb_store_close(st);
	return rc;
}
