# tests/tui: the full-screen interface driven in tmux (see tests/tui/README.md)
check_PROGRAMS += tests/tui/tui_seed
tests_tui_tui_seed_LDADD = $(UNIT_LDADD)
