/*
 * fileio.c: writing a whole buffer to a file descriptor.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "mailbench/fileio.h"

int
mb_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
