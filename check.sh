#!/bin/sh
# check.sh: the whole test suite, as CI runs it.
#
#     ./check.sh
#
# Installs the Debian packages it needs (when missing; root for that), then builds
# mailbench twice and runs `make check` in each build:
#   build/gcc    gcc, warnings are errors
#   build/asan   clang, warnings are errors, AddressSanitizer + UndefinedBehaviorSanitizer
# (the integration tests start the lab's real servers on loopback, base port 20000),
# checks the formatting (clang-format), scans for leaked secrets,
# then the fuzz targets briefly and `make distcheck`. Ends with one line
# "N passed, N failed" summed over every test of every step.
#
# MB_CHECK_QUICK=1 skips the sanitizer build, the fuzzers and distcheck.
set -u
cd "$(dirname "$0")" || exit 1
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
log() { printf '\n=== %s\n' "$*"; }

# count BUILDDIR: add the test-suite summary of a build to the totals
count()
{
	local f="$1/test-suite.log" p e x
	if [ ! -f "$f" ]; then
		failed=$((failed + 1))
		echo "check.sh: no test results in $1 (the build failed?)"
		return
	fi
	p=$(sed -n 's/^# PASS: *\([0-9]*\)$/\1/p' "$f" | head -n 1)
	e=$(sed -n -e 's/^# FAIL: *\([0-9]*\)$/\1/p' -e 's/^# ERROR: *\([0-9]*\)$/\1/p' \
		-e 's/^# XPASS: *\([0-9]*\)$/\1/p' "$f" | awk '{ s += $1 } END { print s + 0 }')
	passed=$((passed + ${p:-0}))
	failed=$((failed + e))
	echo "check.sh: $1: ${p:-0} passed, $e failed"
}

# build NAME CONFIGURE-ARGS...: configure, make, make check; stop its lab afterwards
build()
{
	local name=$1 dir="$top/build/$1"
	shift
	log "build $name: $*"
	mkdir -p "$dir" && cd "$dir" || return 1
	rm -f test-suite.log
	if "$top/configure" -q "$@" && make -s -j"$jobs"; then
		make -j"$jobs" check >check.out 2>&1
		grep -E '^(FAIL|ERROR|XPASS):' check.out | head -n 50
		grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' check.out
	else
		echo "check.sh: the $name build failed"
	fi
	make -s lab-test-stop >/dev/null 2>&1
	count "$dir"
	cd "$top" || exit 1
}

log "dependencies"
scripts/deps.sh all || exit 1
log "autogen"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }

build gcc CC=gcc --enable-werror

log "format: every C file follows .clang-format"
if make -s -C build/gcc format-check >build/format.out 2>&1; then
	echo "check.sh: format ok"
	passed=$((passed + 1))
else
	head -n 20 build/format.out
	failed=$((failed + 1))
fi
if [ "${MB_CHECK_QUICK:-0}" != 1 ]; then
	# leaks are reported by LeakSanitizer; any report fails the test that met it
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build asan CC=clang --enable-werror --enable-sanitizers

	log "secrets: no lab password in any file the tests produced"
	if tests/secrets_scan.sh build/gcc build/asan >build/secrets.out 2>&1; then
		n=$(grep -c '^ok' build/secrets.out)
		echo "check.sh: $n secret forms absent from $(sed -n 's/^# searched \([0-9]*\) files.*/\1/p' build/secrets.out) files"
		passed=$((passed + n))
	else
		grep -v '^ok' build/secrets.out | head -n 20
		failed=$((failed + $(grep -c '^not ok' build/secrets.out) + 1))
	fi

	log "fuzz smoke (${MB_FUZZ_SECONDS:-30} s each)"
	if make -s -C build/asan fuzz-smoke FUZZ_SMOKE_SECONDS="${MB_FUZZ_SECONDS:-30}" >build/fuzz.out 2>&1; then
		n=$(grep -c '^fuzz ok' build/fuzz.out)
		echo "check.sh: $n fuzz targets ran clean"
		passed=$((passed + n))
	else
		tail -n 40 build/fuzz.out
		failed=$((failed + 1))
	fi

	log "distcheck"
	cd build/gcc || exit 1
	# its own lab, clear of the builds' (base and base+1000)
	if MAILBENCH_LAB_BASE=$((${MAILBENCH_LAB_BASE:-20000} + 2000)) make -s distcheck >distcheck.out 2>&1; then
		echo "check.sh: distcheck passed"
		passed=$((passed + 1))
	else
		grep -E '^(FAIL|ERROR|XPASS):' distcheck.out | head -n 50
		tail -n 40 distcheck.out
		failed=$((failed + 1))
	fi
	# a failed distcheck leaves its tree, and its lab running: stop it
	for d in mailbench-*/_build/sub/tests/lab-state*; do
		[ -d "$d" ] && MAILBENCH_LAB_DIR=$PWD/$d bash "$top/tests/lab/lab.sh" stop >/dev/null 2>&1
	done
	cd "$top" || exit 1
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
