/*
 * fuzz_tap.c: the transcript tap, for each protocol: the input is cut into
 * client and server chunks (a byte picks direction and length); the tap must
 * never crash, never hand a sink a line longer than its limits, and never
 * let the secret marker bytes through once they follow a masked command.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/reply.h"
#include "mailbench/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *ctx, const struct mb_tline *tl)
{
	(void)ctx;
	if (tl->len > MB_NET_LINE_MAX + 16)
		abort();
	/* the password below is never shown */
	if (tl->len >= 9 && memmem(tl->text, tl->len, "Fz-Secret", 9) != NULL &&
	    tl->dir == MB_TDIR_CLIENT)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mb_proto protos[] = {MB_PROTO_SMTP, MB_PROTO_POP3, MB_PROTO_IMAP};
	static const char *const logins[] = {
	        "AUTH PLAIN AGFsaWNlAEZ6LVNlY3JldA==\r\n",
	        "PASS Fz-Secret\r\n",
	        "a1 LOGIN alice Fz-Secret\r\n",
	};
	struct mb_error err = MB_ERROR_INIT;
	size_t i = 0, k;
	bool bol = true; /* the client is at the start of a line */

	if (size < 1)
		return 0;
	k = data[0] % 3;
	{
		struct mb_tap *tap = mb_tap_new(protos[k]);

		mb_tap_add_sink(tap, sink, NULL);
		mb_tap_set_annotator(tap, k == 0   ? mb_smtp_annotate
		                          : k == 1 ? mb_pop3_annotate
		                                   : mb_imap_annotate);
		mb_tap_set_show_data(tap, data[0] & 4);
		i = 1;
		while (i + 2 <= size) {
			size_t n = data[i + 1] % 64 + 1;
			bool client = data[i] & 1;

			i += 2;
			if (n > size - i)
				n = size - i;
			if (n == 0)
				break;
			if (client) {
				/* the secret goes out where a command begins, as clients send it */
				if ((data[i - 2] & 2) && bol) {
					mb_tap_client(tap, logins[k], strlen(logins[k]), false);
				} else {
					/*
					 * random client bytes never spell the secret ('F' is
					 * taken out) nor open a client literal ('{'), which
					 * would swallow the next command as data: a secret
					 * shown is then a masking bug
					 */
					char chunk[64];
					size_t j;

					for (j = 0; j < n; j++) {
						chunk[j] = (char)data[i + j];
						if (chunk[j] == 'F')
							chunk[j] = 'f';
						else if (chunk[j] == '{')
							chunk[j] = '(';
					}
					mb_tap_client(tap, chunk, n, data[i - 2] & 4);
					bol = chunk[n - 1] == '\n';
				}
			} else if (mb_tap_server(tap, data + i, n, &err) < 0)
				break;
			i += n;
		}
		mb_tap_eof(tap);
		mb_tap_free(tap);
	}
	return 0;
}
