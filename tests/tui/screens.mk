# tests/tui/screens.mk: the compose, raw console and outbox screens, driven in tmux against
# the lab (included from tests/tui/local.mk); captured screens go to
# tests/artifacts/tui/TEST/ like the other TUI tests'
TUI_SCREEN_TESTS = \
	tests/tui/compose.sh \
	tests/tui/console.sh \
	tests/tui/outbox.sh
TESTS += $(TUI_SCREEN_TESTS)
EXTRA_DIST += $(TUI_SCREEN_TESTS) tests/tui/screens.mk
