/*
 * imap.c: the IMAP client session (see imap.h), libetpan's mailimap on a
 * mailbench connection.
 *
 * libetpan parses; mailbench keeps the connection (TLS and its checks, the
 * transcript tap, limits, deadline, cancel). Two libetpan hooks carry the
 * messages out as they are parsed: the body handler copies BODY[] bytes
 * into our buffer (so libetpan never holds a body), and the message
 * attribute handler hands each finished FETCH response to the caller.
 * libetpan calls the attribute handler only when a progress callback is
 * set, hence the empty one below.
 */
#include "config.h"

#include <libetpan/libetpan.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mailbench/base64.h"
#include "mailbench/imap.h"
#include "mailbench/mutf7.h"
#include "mailbench/reply.h"
#include "mailbench/store.h"
#include "mailbench/xalloc.h"
#include "net/stream.h"

struct mb_imap {
	char *host;
	int port;
	enum mb_security security;
	char *user, *password, *auth;
	int timeout;
	bool tls_verify;
	struct mb_conn *conn;
	mailimap *imap;
	bool open;

	/* the FETCH in progress */
	mb_imap_msg_fn fn;
	void *fn_ctx;
	struct mb_buf body;
	bool got_body;
	uint32_t last_uid;
	int fetch_what;
	struct mb_error cb_err; /* set when a callback failed: the session ends */
	bool cb_failed;
};

/* --- errors --- */

/* Turn a libetpan result into our error, preferring what the connection knows. */
static int
fail(struct mb_imap *i, int r, const char *what, struct mb_error *err)
{
	const struct mb_error *ce = mb_conn_error(i->conn);
	const char *text = i->imap && i->imap->imap_response ? i->imap->imap_response : "";

	if (i->cb_failed) {
		*err = i->cb_err;
		return -1;
	}
	if (ce->kind != MB_OK) {
		*err = *ce;
		return mb_error_prefix(err, "%s", what);
	}
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return mb_error_set(err, MB_ERR_CONN, "%s: the connection to '%s' broke", what,
		                    i->host);
	case MAILIMAP_ERROR_PARSE:
		return mb_error_set(err, MB_ERR_PROTO,
		                    "%s: the server's response could not be parsed: session ended",
		                    what);
	case MAILIMAP_ERROR_PROTOCOL:
		return mb_error_set(err, MB_ERR_PROTO,
		                    "%s: the server answered BAD or out of turn%s%s", what,
		                    text[0] ? ": " : "", text);
	case MAILIMAP_ERROR_FATAL:
		return mb_error_set(err, MB_ERR_CONN, "%s: the server said BYE%s%s", what,
		                    text[0] ? ": " : "", text);
	case MAILIMAP_ERROR_LOGIN:
		return mb_error_set(err, MB_ERR_AUTH, "%s: NO %s", what, text);
	default:
		return mb_error_set(err, MB_ERR_RESP, "%s refused: NO %s", what, text);
	}
}

/* --- lifecycle --- */

struct mb_imap *
mb_imap_new(const struct mb_imap_opts *o)
{
	struct mb_imap *i = xcalloc(1, sizeof *i);
	struct mb_conn_opts co = o->conn;

	i->host = xstrdup(o->host);
	i->port = o->port;
	i->security = o->security;
	i->user = o->user ? xstrdup(o->user) : NULL;
	i->password = o->password ? xstrdup(o->password) : NULL;
	i->auth = o->auth ? xstrdup(o->auth) : NULL;
	i->timeout = o->timeout > 0 ? o->timeout : 60;
	i->tls_verify = o->conn.tls_verify;
	if (co.user == NULL)
		co.user = o->user;
	if (co.timeout == 0)
		co.timeout = o->timeout;
	i->conn = mb_conn_new(MB_PROTO_IMAP, &co);
	mb_conn_set_annotator(i->conn, mb_imap_annotate);
	mb_buf_init(&i->body);
	return i;
}

void
mb_imap_free(struct mb_imap *i)
{
	if (i == NULL)
		return;
	if (i->imap != NULL) {
		/* mailimap_free() would LOGOUT and wait: the stream goes first */
		if (i->imap->imap_stream != NULL) {
			mailstream_close(i->imap->imap_stream);
			i->imap->imap_stream = NULL;
		}
		mailimap_free(i->imap);
	}
	mb_conn_free(i->conn);
	free(i->host);
	free(i->user);
	if (i->password) {
		explicit_bzero(i->password, strlen(i->password));
		free(i->password);
	}
	free(i->auth);
	mb_buf_release(&i->body);
	free(i);
}

void
mb_imap_add_sink(struct mb_imap *i, mb_tsink_fn fn, void *ctx)
{
	mb_conn_add_sink(i->conn, fn, ctx);
}

void
mb_imap_set_session_id(struct mb_imap *i, uint64_t id)
{
	mb_conn_set_session_id(i->conn, id);
}

struct mb_conn *
mb_imap_conn(struct mb_imap *i)
{
	return i->conn;
}

void
mb_imap_cancel(struct mb_imap *i)
{
	mb_conn_cancel(i->conn);
}

bool
mb_imap_has(struct mb_imap *i, const char *cap)
{
	if (i->imap == NULL)
		return false;
	if (strncasecmp(cap, "AUTH=", 5) == 0)
		return mailimap_has_authentication(i->imap, cap + 5) != 0;
	return mailimap_has_extension(i->imap, (char *)cap) != 0;
}

/* --- handlers --- */

static void
no_progress(size_t current, size_t maximum, void *ctx)
{
	(void)current;
	(void)maximum;
	(void)ctx;
}

static bool
body_handler(int att_type, struct mailimap_msg_att_body_section *section, const char *bytes,
             size_t len, void *ctx)
{
	struct mb_imap *i = ctx;

	(void)att_type;
	(void)section;
	if (i->body.len + len > MB_NET_LITERAL_MAX) {
		/* the tap stops a literal announced too big; this catches the rest */
		i->cb_failed = true;
		mb_error_set(&i->cb_err, MB_ERR_PROTO, "a message is larger than %d bytes: refused",
		             MB_NET_LITERAL_MAX);
		mb_conn_cancel(i->conn);
		return true;
	}
	mb_buf_add(&i->body, bytes, len);
	i->got_body = true;
	return true; /* handled: libetpan keeps no copy */
}

static unsigned
flags_of(struct mailimap_msg_att_dynamic *dyn)
{
	clistiter *c;
	unsigned f = 0;

	if (dyn == NULL || dyn->att_list == NULL)
		return 0;
	for (c = clist_begin(dyn->att_list); c != NULL; c = clist_next(c)) {
		struct mailimap_flag_fetch *ff = clist_content(c);

		if (ff->fl_type == MAILIMAP_FLAG_FETCH_RECENT) {
			f |= MB_FLAG_RECENT;
			continue;
		}
		if (ff->fl_flag == NULL)
			continue;
		switch (ff->fl_flag->fl_type) {
		case MAILIMAP_FLAG_SEEN:
			f |= MB_FLAG_SEEN;
			break;
		case MAILIMAP_FLAG_ANSWERED:
			f |= MB_FLAG_ANSWERED;
			break;
		case MAILIMAP_FLAG_FLAGGED:
			f |= MB_FLAG_FLAGGED;
			break;
		case MAILIMAP_FLAG_DELETED:
			f |= MB_FLAG_DELETED;
			break;
		case MAILIMAP_FLAG_DRAFT:
			f |= MB_FLAG_DRAFT;
			break;
		}
	}
	return f;
}

static int64_t
date_of(const struct mailimap_date_time *d)
{
	struct tm tm = {0};
	int64_t t;
	int zone;

	if (d == NULL)
		return 0;
	tm.tm_year = d->dt_year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = (int64_t)timegm(&tm);
	/* dt_zone -700 means -0700 */
	zone = d->dt_zone;
	t -= (int64_t)((zone / 100) * 3600 + (zone % 100) * 60);
	return t;
}

static void
att_handler(struct mailimap_msg_att *att, void *ctx)
{
	struct mb_imap *i = ctx;
	struct mb_imap_msg m = {0};
	bool have_uid = false;
	clistiter *c;

	if (i->cb_failed || i->fn == NULL)
		goto out;
	for (c = clist_begin(att->att_list); c != NULL; c = clist_next(c)) {
		struct mailimap_msg_att_item *it = clist_content(c);

		if (it->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC)
			m.flags = flags_of(it->att_data.att_dyn);
		else if (it->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC && it->att_data.att_static) {
			struct mailimap_msg_att_static *s = it->att_data.att_static;

			switch (s->att_type) {
			case MAILIMAP_MSG_ATT_UID:
				m.uid = s->att_data.att_uid;
				have_uid = true;
				break;
			case MAILIMAP_MSG_ATT_RFC822_SIZE:
				m.size = s->att_data.att_rfc822_size;
				break;
			case MAILIMAP_MSG_ATT_INTERNALDATE:
				m.internaldate = date_of(s->att_data.att_internal_date);
				break;
			default:
				break;
			}
		} else if (it->att_type == MAILIMAP_MSG_ATT_ITEM_EXTENSION &&
		           it->att_data.att_extension_data != NULL) {
			struct mailimap_extension_data *ed = it->att_data.att_extension_data;

			if (ed->ext_extension == &mailimap_extension_condstore &&
			    ed->ext_type == MAILIMAP_CONDSTORE_TYPE_FETCH_DATA && ed->ext_data) {
				struct mailimap_condstore_fetch_mod_resp *mr = ed->ext_data;

				m.modseq = mr->cs_modseq_value;
			}
		}
	}
	/* an unsolicited FETCH (another session changed flags) has no UID: not ours */
	if (!have_uid || (i->fetch_what == MB_IMAP_FETCH_BODY && !i->got_body))
		goto out;
	if (m.uid <= i->last_uid) {
		i->cb_failed = true;
		mb_error_set(&i->cb_err, MB_ERR_PROTO,
		             "server sent UID %u after UID %u in one FETCH (duplicate or not "
		             "ascending): a server error; nothing was overwritten",
		             m.uid, i->last_uid);
		mb_conn_cancel(i->conn);
		goto out;
	}
	i->last_uid = m.uid;
	m.has_body = i->got_body;
	m.body = i->body.data;
	m.body_len = i->body.len;
	/* each message that arrives buys the rest of the batch time */
	mb_conn_set_deadline(i->conn, i->timeout);
	if (i->fn(&m, i->fn_ctx, &i->cb_err) < 0) {
		i->cb_failed = true;
		mb_conn_cancel(i->conn);
	}
out:
	mb_buf_reset(&i->body);
	i->got_body = false;
}

/* --- opening --- */

static int
refresh_caps(struct mb_imap *i, struct mb_error *err)
{
	struct mailimap_capability_data *cd = NULL;
	int r;

	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_capability(i->imap, &cd);
	if (cd)
		mailimap_capability_data_free(cd);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "CAPABILITY", err);
	return 0;
}

static bool
is_loopback(const char *peer)
{
	return strncmp(peer, "127.", 4) == 0 || strncmp(peer, "[::1]", 5) == 0;
}

static int
login(struct mb_imap *i, struct mb_error *err)
{
	bool plain = mb_imap_has(i, "AUTH=PLAIN") && mb_imap_has(i, "SASL-IR");
	struct mailimap_capability_data *before = i->imap->imap_connection_info->imap_capability;
	int r;

	if (i->auth != NULL && strcasecmp(i->auth, "login") == 0)
		plain = false;
	else if (i->auth != NULL && strcasecmp(i->auth, "plain") == 0) {
		if (!mb_imap_has(i, "AUTH=PLAIN"))
			return mb_error_set(err, MB_ERR_AUTH,
			                    "'%s' does not offer AUTHENTICATE PLAIN", i->host);
		plain = true;
	}
	if (!mb_conn_is_tls(i->conn)) {
		if (!is_loopback(mb_conn_peer(i->conn)))
			return mb_error_set(
			        err, MB_ERR_AUTH,
			        "refusing to send the password in plain text to '%s': use "
			        "imap_security = starttls or tls",
			        i->host);
		mb_conn_note(i->conn, MB_TDIR_INFO, MB_TL_WARN,
		             "the password goes in plain text: allowed only because the server is "
		             "on this machine (loopback)");
	}
	if (!plain && mb_imap_has(i, "LOGINDISABLED"))
		return mb_error_set(err, MB_ERR_AUTH,
		                    "'%s' has disabled LOGIN here (LOGINDISABLED): use TLS",
		                    i->host);
	mb_conn_set_deadline(i->conn, i->timeout);
	if (plain) {
		struct mb_buf raw = MB_BUF_INIT, cmd = MB_BUF_INIT;

		mb_buf_addch(&raw, '\0');
		mb_buf_addstr(&raw, i->user);
		mb_buf_addch(&raw, '\0');
		mb_buf_addstr(&raw, i->password);
		mb_buf_addstr(&cmd, "AUTHENTICATE PLAIN ");
		mb_base64_encode(raw.data, raw.len, 0, &cmd);
		explicit_bzero(raw.data, raw.len);
		mb_buf_release(&raw);
		r = mailimap_custom_command(i->imap, cmd.data);
		explicit_bzero(cmd.data, cmd.len);
		mb_buf_release(&cmd);
		if (r != MAILIMAP_NO_ERROR)
			return fail(i,
			            r == MAILIMAP_ERROR_CUSTOM_COMMAND ? MAILIMAP_ERROR_LOGIN : r,
			            "authentication failed", err);
		i->imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	} else {
		r = mailimap_login(i->imap, i->user, i->password);
		if (r != MAILIMAP_NO_ERROR)
			return fail(i, r, "authentication failed", err);
	}
	/* servers send their full list with the login's reply; ask only if this one did not */
	if (i->imap->imap_connection_info->imap_capability == before)
		return refresh_caps(i, err);
	return 0;
}

int
mb_imap_open(struct mb_imap *i, struct mb_error *err)
{
	mailstream *st;
	int r;

	if (!i->tls_verify)
		mb_conn_note(i->conn, MB_TDIR_TLS, MB_TL_WARN,
		             "WARNING: this account has tls_verify = no: certificates are not "
		             "checked, a man in the middle would go unnoticed");
	if (mb_conn_connect(i->conn, i->host, i->port, i->security == MB_SEC_TLS, err) < 0)
		return -1;
	if ((st = mb_conn_mailstream(i->conn)) == NULL || (i->imap = mailimap_new(0, NULL)) == NULL)
		return mb_error_set(err, MB_ERR_INTERNAL, "out of memory");
	mailimap_set_msg_body_handler(i->imap, body_handler, i);
	mailimap_set_msg_att_handler(i->imap, att_handler, i);
	mailimap_set_progress_callback(i->imap, NULL, no_progress, NULL);
	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_connect(i->imap, st);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		if (i->imap->imap_stream == NULL)
			mailstream_close(st);
		if (r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION)
			return mb_error_set(err, MB_ERR_RESP,
			                    "server refused the connection: BYE %s",
			                    i->imap->imap_response ? i->imap->imap_response : "");
		return fail(i, r, "greeting", err);
	}
	if (mb_conn_pending(i->conn) + i->imap->imap_stream->read_buffer_len > 0)
		return mb_error_set(
		        err, MB_ERR_PROTO,
		        "server sent more after its greeting, before mailbench spoke: a "
		        "broken or hostile server");
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED && i->security == MB_SEC_STARTTLS)
		return mb_error_set(
		        err, MB_ERR_TLS,
		        "server greeted with PREAUTH on a plain connection, so STARTTLS "
		        "can never happen; this account requires TLS: session ended "
		        "(CVE-2020-12398 class)");
	if (i->security == MB_SEC_STARTTLS) {
		/* the greeting's [CAPABILITY ...], or ask */
		if (i->imap->imap_connection_info->imap_capability == NULL &&
		    refresh_caps(i, err) < 0)
			return -1;
		if (!mb_imap_has(i, "STARTTLS"))
			return mb_error_set(
			        err, MB_ERR_TLS,
			        "'%s' does not offer STARTTLS, and this account requires "
			        "TLS (imap_security = starttls): nothing more is sent in "
			        "plain text",
			        i->host);
		mb_conn_set_deadline(i->conn, i->timeout);
		r = mailimap_starttls(i->imap);
		/* libetpan saw bytes after the go-ahead: our check names the injection */
		if (r == MAILIMAP_ERROR_STARTTLS && i->imap->imap_stream != NULL &&
		    i->imap->imap_stream->read_buffer_len > 0)
			return mb_conn_start_tls(i->conn, i->imap->imap_stream->read_buffer_len,
			                         err);
		if (r != MAILIMAP_NO_ERROR)
			return fail(i, r == MAILIMAP_ERROR_STARTTLS ? MAILIMAP_ERROR_EXTENSION : r,
			            "STARTTLS", err);
		if (mb_conn_start_tls(i->conn, i->imap->imap_stream->read_buffer_len, err) < 0)
			return -1;
		mb_conn_note(i->conn, MB_TDIR_INFO, 0,
		             "capabilities learned before TLS are discarded; asking again");
	}
	/* after TLS the old list is void; without TLS the greeting's may do */
	if ((i->security == MB_SEC_STARTTLS ||
	     i->imap->imap_connection_info->imap_capability == NULL) &&
	    refresh_caps(i, err) < 0)
		return -1;
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		mb_conn_note(i->conn, MB_TDIR_INFO, 0, "PREAUTH: the server logged us in already");
	} else {
		if (i->user == NULL || i->password == NULL)
			return mb_error_set(err, MB_ERR_AUTH,
			                    "no user or password for IMAP on '%s'", i->host);
		if (login(i, err) < 0)
			return -1;
	}
	i->open = true;
	return 0;
}

/* --- mailboxes --- */

int
mb_imap_list(struct mb_imap *i, struct mb_imap_mailbox **v, size_t *n, struct mb_error *err)
{
	clist *result = NULL;
	clistiter *c;
	size_t k = 0;
	int r;

	*v = NULL;
	*n = 0;
	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_list(i->imap, "", "*", &result);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "LIST", err);
	*v = xcalloc((size_t)clist_count(result) + 1, sizeof **v);
	for (c = clist_begin(result); c != NULL; c = clist_next(c)) {
		struct mailimap_mailbox_list *mb = clist_content(c);
		struct mb_imap_mailbox *out = &(*v)[k];

		if (mb->mb_name == NULL)
			continue;
		out->name = xstrdup(mb->mb_name);
		out->display = mb_mutf7_decode(mb->mb_name);
		out->delimiter = mb->mb_delimiter;
		if (mb->mb_flag != NULL && mb->mb_flag->mbf_type == MAILIMAP_MBX_LIST_FLAGS_SFLAG &&
		    mb->mb_flag->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT)
			out->noselect = true;
		if (mb->mb_flag != NULL && mb->mb_flag->mbf_oflags != NULL) {
			clistiter *o;

			for (o = clist_begin(mb->mb_flag->mbf_oflags); o; o = clist_next(o)) {
				struct mailimap_mbx_list_oflag *of = clist_content(o);

				if (of->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT &&
				    of->of_flag_ext != NULL &&
				    strcasecmp(of->of_flag_ext, "NonExistent") == 0)
					out->noselect = true;
			}
		}
		k++;
	}
	*n = k;
	mailimap_list_result_free(result);
	return 0;
}

void
mb_imap_mailboxes_free(struct mb_imap_mailbox *v, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		free(v[k].name);
		free(v[k].display);
	}
	free(v);
}

int
mb_imap_select(struct mb_imap *i, const char *mailbox, struct mb_imap_select *out,
               struct mb_error *err)
{
	uint64_t modseq = 0;
	int r;

	memset(out, 0, sizeof *out);
	mb_conn_set_deadline(i->conn, i->timeout);
	if (mb_imap_has(i, "CONDSTORE"))
		r = mailimap_select_condstore(i->imap, mailbox, &modseq);
	else
		r = mailimap_select(i->imap, mailbox);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "SELECT", err);
	out->uidvalidity = i->imap->imap_selection_info->sel_uidvalidity;
	out->uidnext = i->imap->imap_selection_info->sel_uidnext;
	out->exists = i->imap->imap_selection_info->sel_exists;
	out->highestmodseq = modseq;
	return 0;
}

/* --- fetching --- */

/* "1:5,7,9:*" into a libetpan set ('*' is 0). */
static struct mailimap_set *
parse_set(const char *s)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	const char *p = s;

	while (set != NULL && *p) {
		char *end;
		unsigned long a, b;

		a = *p == '*' ? 0 : strtoul(p, &end, 10);
		if (*p == '*')
			end = (char *)p + 1;
		b = a;
		if (*end == ':') {
			p = end + 1;
			b = *p == '*' ? 0 : strtoul(p, &end, 10);
			if (*p == '*')
				end = (char *)p + 1;
		}
		mailimap_set_add_interval(set, (uint32_t)a, (uint32_t)b);
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			break;
	}
	return set;
}

int
mb_imap_fetch(struct mb_imap *i, const char *uidset, enum mb_imap_fetch_what what,
              uint64_t changedsince, mb_imap_msg_fn fn, void *ctx, struct mb_error *err)
{
	struct mailimap_set *set = parse_set(uidset);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *result = NULL;
	bool condstore = mb_imap_has(i, "CONDSTORE");
	int r;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags());
	if (condstore)
		mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_modseq());
	if (what == MB_IMAP_FETCH_BODY) {
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_rfc822_size());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_internaldate());
		mailimap_fetch_type_new_fetch_att_list_add(
		        ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	}
	i->fn = fn;
	i->fn_ctx = ctx;
	i->last_uid = 0;
	i->fetch_what = what;
	i->cb_failed = false;
	mb_buf_reset(&i->body);
	i->got_body = false;
	mb_conn_set_deadline(i->conn, i->timeout);
	if (changedsince > 0 && condstore)
		r = mailimap_uid_fetch_changedsince(i->imap, set, ft, changedsince, &result);
	else
		r = mailimap_uid_fetch(i->imap, set, ft, &result);
	i->fn = NULL;
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (r == MAILIMAP_ERROR_FETCH && i->imap->imap_response &&
	    strstr(i->imap->imap_response, "No matching") != NULL)
		return 0;
	if (r != MAILIMAP_NO_ERROR || i->cb_failed)
		return fail(i, r, "FETCH", err);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
mb_imap_uids(struct mb_imap *i, uint32_t **uids, size_t *n, struct mb_error *err)
{
	struct mailimap_search_key *key = mailimap_search_key_new_all();
	clist *result = NULL;
	clistiter *c;
	size_t k = 0;
	int r;

	*uids = NULL;
	*n = 0;
	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_uid_search(i->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "UID SEARCH", err);
	*uids = xcalloc((size_t)clist_count(result) + 1, sizeof **uids);
	for (c = clist_begin(result); c != NULL; c = clist_next(c))
		(*uids)[k++] = *(uint32_t *)clist_content(c);
	mailimap_search_result_free(result);
	qsort(*uids, k, sizeof **uids, cmp_u32);
	*n = k;
	return 0;
}

static struct mailimap_flag_list *
flag_list(unsigned f)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();

	if (f & MB_FLAG_SEEN)
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	if (f & MB_FLAG_ANSWERED)
		mailimap_flag_list_add(fl, mailimap_flag_new_answered());
	if (f & MB_FLAG_FLAGGED)
		mailimap_flag_list_add(fl, mailimap_flag_new_flagged());
	if (f & MB_FLAG_DELETED)
		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	if (f & MB_FLAG_DRAFT)
		mailimap_flag_list_add(fl, mailimap_flag_new_draft());
	return fl;
}

int
mb_imap_store(struct mb_imap *i, uint32_t uid, unsigned add, unsigned remove, struct mb_error *err)
{
	int k, r;

	for (k = 0; k < 2; k++) {
		unsigned f = k == 0 ? add : remove;
		struct mailimap_set *set;
		struct mailimap_store_att_flags *sf;

		f &= ~(unsigned)MB_FLAG_RECENT;
		if (f == 0)
			continue;
		set = mailimap_set_new_single(uid);
		sf = k == 0 ? mailimap_store_att_flags_new_add_flags_silent(flag_list(f))
		            : mailimap_store_att_flags_new_remove_flags_silent(flag_list(f));
		mb_conn_set_deadline(i->conn, i->timeout);
		r = mailimap_uid_store(i->imap, set, sf);
		mailimap_store_att_flags_free(sf);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return fail(i, r, "STORE", err);
	}
	return 0;
}

/* --- IDLE --- */

int
mb_imap_idle(struct mb_imap *i, int seconds, struct mb_error *err)
{
	int r, w;

	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_idle(i->imap);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "IDLE", err);
	/* wait for the server to speak, the time to pass, or a cancel */
	if (i->imap->imap_stream->read_buffer_len > 0)
		w = 1;
	else
		w = mb_conn_wait(i->conn, seconds * 1000, err);
	if (w < 0)
		return -1;
	mb_conn_set_deadline(i->conn, i->timeout);
	r = mailimap_idle_done(i->imap);
	if (r != MAILIMAP_NO_ERROR)
		return fail(i, r, "IDLE", err);
	return w;
}

void
mb_imap_logout(struct mb_imap *i)
{
	if (i->imap == NULL || i->imap->imap_stream == NULL ||
	    mb_conn_error(i->conn)->kind != MB_OK)
		return;
	mb_conn_set_deadline(i->conn, 10);
	mailimap_logout(i->imap);
	if (i->imap->imap_stream != NULL) {
		mailstream_close(i->imap->imap_stream);
		i->imap->imap_stream = NULL;
	}
}
