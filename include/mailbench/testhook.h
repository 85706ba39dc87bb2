/*
 * testhook.h: crash points for the crash-safety tests.
 *
 * MAILBENCH_TEST_CRASH=NAME in the environment makes the process kill itself
 * (SIGKILL: no cleanup, like a power cut of the process) when it reaches the
 * point of that name. Points: "pop3-after-retr" (a message retrieved, not
 * yet committed), "pop3-before-quit" (DELEs sent, QUIT not), "smtp-after-dot"
 * (the whole message sent, its reply not read), "imap-mid-batch" (a fetched
 * message stored in an open batch). Unset, it costs one getenv per point.
 */
#ifndef MAILBENCH_TESTHOOK_H
#define MAILBENCH_TESTHOOK_H

void mb_test_crash_point(const char *name);

#endif
