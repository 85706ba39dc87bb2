/*
 * stream.c: the connection as a libetpan mailstream_low driver.
 *
 * libetpan reads and writes through these functions; they go through the
 * connection's own I/O, so every byte still meets the tap (transcript,
 * masking, literal and line limits), the operation's deadline and the
 * cancel pipe. libetpan's privacy flag on writes reaches the tap too.
 */
#include "config.h"

#include <stdlib.h>

#include "net/private.h"
#include "net/stream.h"

static ssize_t
drv_read(mailstream_low *low, void *buf, size_t count)
{
	struct mb_conn *c = low->data;
	struct mb_error err = MB_ERROR_INIT;
	ssize_t r = mb_conn_read_some(c, buf, count, &err);

	return r <= 0 ? -1 : r; /* libetpan wants an error at the end of the stream */
}

static ssize_t
drv_write(mailstream_low *low, const void *buf, size_t count)
{
	struct mb_conn *c = low->data;
	struct mb_error err = MB_ERROR_INIT;

	/* libetpan clears the low's privacy flag while it writes a secret */
	if (mb_conn_send_now(c, buf, count, low->privacy == 0, &err) < 0)
		return -1;
	return (ssize_t)count;
}

static int
drv_close(mailstream_low *low)
{
	(void)low; /* the connection owns the socket */
	return 0;
}

static int
drv_get_fd(mailstream_low *low)
{
	return ((struct mb_conn *)low->data)->fd;
}

static void
drv_free(mailstream_low *low)
{
	free(low);
}

static void
drv_cancel(mailstream_low *low)
{
	mb_conn_cancel(low->data);
}

static struct mailstream_cancel *
drv_get_cancel(mailstream_low *low)
{
	(void)low;
	return NULL;
}

static mailstream_low_driver conn_driver = {
        .mailstream_read = drv_read,
        .mailstream_write = drv_write,
        .mailstream_close = drv_close,
        .mailstream_get_fd = drv_get_fd,
        .mailstream_free = drv_free,
        .mailstream_cancel = drv_cancel,
        .mailstream_get_cancel = drv_get_cancel,
        .mailstream_get_certificate_chain = NULL,
        .mailstream_setup_idle = NULL,
        .mailstream_unsetup_idle = NULL,
        .mailstream_interrupt_idle = NULL,
};

mailstream *
mb_conn_mailstream(struct mb_conn *c)
{
	mailstream_low *low = mailstream_low_new(c, &conn_driver);
	mailstream *s;

	if (low == NULL)
		return NULL;
	s = mailstream_new(low, 8192);
	if (s == NULL) {
		mailstream_low_free(low);
		return NULL;
	}
	return s;
}
