/*
 * ui.h: the full-screen ncurses interface.
 *
 * The UI thread is the only thread that calls ncurses. Network work runs
 * in jobs on worker threads which post events; the UI's poll() loop
 * watches stdin, the event pipe and SIGWINCH.
 */
#ifndef MAILBENCH_UI_H
#define MAILBENCH_UI_H

#include "mailbench/cli.h"

/* Open the TUI. argv holds the TUI options (--account, --theme). Returns an exit code. */
int mb_ui_main(struct mb_cli *cli, int argc, char **argv);

#endif
