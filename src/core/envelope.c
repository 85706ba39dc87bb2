/*
 * envelope.c: line up the envelope and the headers and explain every
 * difference (see envelope.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailbench/envelope.h"
#include "mailbench/xalloc.h"

bool
mb_addr_same(const char *a, const char *b)
{
	const char *ata, *atb;

	if (a == NULL || b == NULL)
		return false;
	ata = strrchr(a, '@');
	atb = strrchr(b, '@');
	if (ata == NULL || atb == NULL)
		return strcasecmp(a, b) == 0;
	return ata - a == atb - b && strncmp(a, b, (size_t)(ata - a)) == 0 &&
	       strcasecmp(ata, atb) == 0;
}

static struct mb_env_row *
add_row(struct mb_env_report *r)
{
	r->rows = xreallocarray(r->rows, r->n + 1, sizeof *r->rows);
	memset(&r->rows[r->n], 0, sizeof r->rows[r->n]);
	return &r->rows[r->n++];
}

static void
sender_row(struct mb_env_report *r, const char *env_from, const struct mb_env_hdr *from)
{
	struct mb_env_row *row = add_row(r);

	row->kind = MB_ENV_SENDER;
	row->envelope = env_from;
	row->header = from ? from->shown : NULL;
	if (env_from != NULL && env_from[0] == '\0') {
		row->note = MB_ENV_NULL_SENDER;
		row->explain = xstrdup("the envelope sender is empty (MAIL FROM:<>): this is how "
		                       "bounces are sent, so that they never bounce back");
	} else if (from == NULL || from->addr == NULL) {
		row->note = MB_ENV_SENDER_DIFFERS;
		row->explain = xasprintf("the message has no From: header; only the envelope says "
		                         "it comes from %s",
		                         env_from ? env_from : "anyone");
	} else if (!mb_addr_same(env_from, from->addr)) {
		row->note = MB_ENV_SENDER_DIFFERS;
		row->explain = xasprintf("the envelope sender %s differs from From: %s: servers "
		                         "accept this; this is how spoofing works (and how mailing "
		                         "lists get bounces)",
		                         env_from, from->addr);
	}
}

void
mb_envelope_compare(const char *env_from, const char *const *rcpts, const int *codes, size_t nrcpts,
                    const struct mb_env_hdr *from, const struct mb_env_hdr *hdrs, size_t nhdrs,
                    struct mb_env_report *out)
{
	bool *hdr_matched = xcalloc(nhdrs ? nhdrs : 1, sizeof *hdr_matched);
	size_t i, j;

	memset(out, 0, sizeof *out);
	sender_row(out, env_from, from);
	for (i = 0; i < nrcpts; i++) {
		struct mb_env_row *row = add_row(out);

		row->kind = MB_ENV_RCPT;
		row->envelope = rcpts[i];
		row->code = codes ? codes[i] : 0;
		for (j = 0; j < nhdrs; j++)
			if (!hdr_matched[j] && mb_addr_same(rcpts[i], hdrs[j].addr))
				break;
		if (j < nhdrs) {
			hdr_matched[j] = true;
			row->header = hdrs[j].shown;
		}
		if (row->code >= 400) {
			row->note = MB_ENV_REFUSED;
			row->explain =
			        xasprintf("the server refused %s (%d): it did not get the "
			                  "message%s",
			                  rcpts[i], row->code,
			                  j < nhdrs ? ", though the headers still name it" : "");
		} else if (j == nhdrs) {
			row->note = MB_ENV_ONLY_ENVELOPE;
			row->explain = xasprintf("%s %s this message but is in no header: a Bcc "
			                         "recipient",
			                         rcpts[i], codes ? "received" : "was sent");
		}
	}
	for (j = 0; j < nhdrs; j++) {
		struct mb_env_row *row;

		if (hdr_matched[j])
			continue;
		row = add_row(out);
		row->kind = MB_ENV_RCPT;
		row->header = hdrs[j].shown;
		row->note = MB_ENV_ONLY_HEADER;
		row->explain = xasprintf("%s is in %s: but not in the envelope: it was not sent to "
		                         "%s, whatever the header says",
		                         hdrs[j].addr, hdrs[j].field, hdrs[j].addr);
	}
	for (i = 0; i < out->n; i++)
		if (out->rows[i].note != MB_ENV_SAME)
			out->differences++;
	free(hdr_matched);
}

void
mb_env_report_release(struct mb_env_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rows[i].explain);
	free(r->rows);
	memset(r, 0, sizeof *r);
}
