#!/bin/bash
# themes.sh: colour and no colour. The default theme draws in colour; the monochrome theme,
# NO_COLOR and TERM=vt100 draw without any colour but keep the title and the cursor row in
# reverse video; --theme light and [ui] theme load their files; a bad theme line is
# reported as FILE:LINE and nothing starts.
set -u
. "$top_srcdir/tests/tui/lib.sh"

export MAILBENCH_LAB_DIR=$TUI_TMP/nolab MAILBENCH_LAB_BASE=29400
tui_seed lab --synthetic 30 || tap_bail "cannot seed the cache"

# an SGR sequence that sets a colour (not 39/49, the default colours)
colour_re=$'\033\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'
reverse_re=$'\033\\[([0-9;]*;)?7(;[0-9;]*)?m'

# run NAME [mailbench arguments]: start, wait for the list, keep the screen, quit
run()
{
	local name=$1
	shift
	tui_start 80 24 "$@"
	tui_wait 'Synthetic message 000000' || return 1
	tui_snap "$name"
	ansi=$(cat "$TUI_ART/$name.ansi")
	tui_keys q
	tui_wait_exit
}

run dark
tap_ok $? "default theme: the list shows"
tap_like "$ansi" "$colour_re" "default theme: colours are used"

run monochrome --theme monochrome
tap_ok $? "monochrome theme: the list shows"
tap_unlike "$ansi" "$colour_re" "monochrome: no colour at all"
tap_like "$ansi" "$reverse_re" "monochrome: reverse video marks the title and cursor row"
tap_like "$(head -n 2 "$TUI_ART/monochrome.txt")" 'St +Date' "monochrome: the same screen"

TUI_ENV="NO_COLOR=1" run nocolor
tap_ok $? "NO_COLOR: the list shows"
tap_unlike "$ansi" "$colour_re" "NO_COLOR: no colour"
tap_like "$ansi" "$reverse_re" "NO_COLOR: reverse video still marks the cursor row"

TUI_ENV="TERM=vt100" run vt100
tap_ok $? "TERM=vt100: the list shows"
tap_unlike "$ansi" "$colour_re" "vt100: no colour"
tap_like "$ansi" "$reverse_re" "vt100: reverse video marks the cursor row"
tap_like "$(cat "$TUI_ART/vt100.txt")" '│N?  +.*Synthetic message 000000' \
	"vt100: the sidebar border is drawn as a line"
tap_is "$TUI_EXIT" 0 "vt100: q quits with 0"

run light --theme light
tap_ok $? "--theme light: the list shows"
tap_like "$(head -n 1 "$TUI_ART/light.ansi")" $'\033\\[44m' "light: the title bar is blue"
tap_unlike "$(head -n 1 "$TUI_ART/dark.ansi")" $'\033\\[44m' "dark: the title bar is not blue"

mkdir -p "$XDG_CONFIG_HOME/mailbench"
printf '[ui]\ntheme = high-contrast\n' >"$XDG_CONFIG_HOME/mailbench/config"
run config
tap_ok $? "[ui] theme = high-contrast: the list shows"
tap_like "$(head -n 1 "$TUI_ART/config.ansi")" $'\033\\[(103|43)m' \
	"high-contrast from the config: a yellow title bar"
rm -f "$XDG_CONFIG_HOME/mailbench/config"

bad=$TUI_TMP/bad.theme
printf '# a theme with a mistake\ntitle = black cyan bold\nnopane = red\n' >"$bad"
"$MAILBENCH" --cache "$TUI_CACHE" --theme "$bad" </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_is "$?" 3 "a bad theme line: exit code 3"
tap_like "$(cat "$TUI_TMP/err")" "$bad:3: unknown element 'nopane'" "and FILE:LINE: what is wrong"
printf 'title = purple\n' >"$bad"
"$MAILBENCH" --cache "$TUI_CACHE" --theme "$bad" </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_like "$(cat "$TUI_TMP/err")" "$bad:1: unknown colour or attribute 'purple'" \
	"a bad colour is named"
printf 'title = 300 blue\n' >"$bad"
"$MAILBENCH" --cache "$TUI_CACHE" --theme "$bad" </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_like "$(cat "$TUI_TMP/err")" "$bad:1: colour number 300 is out of range" \
	"a colour number out of range is named"
"$MAILBENCH" --cache "$TUI_CACHE" --theme nosuchtheme </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_is "$?" 3 "an unknown theme: exit code 3"
tap_like "$(cat "$TUI_TMP/err")" "no theme 'nosuchtheme'" "and the theme is named"
tap_done
