# tests/lab: the mailbench lab (real mail servers on loopback, see tests/lab/README.md),
# its test fixture, and the integration test of the lab itself
pkglibexec_SCRIPTS += tests/lab/lab.sh tests/lab/lab-smtpd.py tests/lab/lab-seed.py
EXTRA_DIST += tests/lab/lab.sh tests/lab/lab-smtpd.py tests/lab/lab-seed.py \
	tests/lab/fixture.sh tests/lab/README.md scripts/deps.sh

TESTS += tests/integration/lab.sh
EXTRA_DIST += tests/integration/lab.sh

# the shared lab of the integration tests (tests/lab/fixture.sh starts it on demand)
LAB_TEST_DIR = $(abs_top_builddir)/tests/lab-state

# make lab / lab-stop / lab-status / lab-seed: the demo lab (default state directory)
lab:
	bash $(top_srcdir)/tests/lab/lab.sh start
lab-stop:
	bash $(top_srcdir)/tests/lab/lab.sh stop
lab-status:
	bash $(top_srcdir)/tests/lab/lab.sh status
lab-seed:
	bash $(top_srcdir)/tests/lab/lab.sh seed

# make lab-test-stop: stop the integration tests' lab; clean also removes its state
lab-test-stop:
	-test ! -d '$(LAB_TEST_DIR)' || MAILBENCH_LAB_DIR='$(LAB_TEST_DIR)' \
		bash $(top_srcdir)/tests/lab/lab.sh stop
	-test ! -d '$(LAB_TEST_DIR)-2' || MAILBENCH_LAB_DIR='$(LAB_TEST_DIR)-2' \
		bash $(top_srcdir)/tests/lab/lab.sh stop
lab-test-clean: lab-test-stop
	-rm -rf '$(LAB_TEST_DIR)' '$(LAB_TEST_DIR)-2'
clean-local: lab-test-clean fuzz-clean

.PHONY: lab lab-stop lab-status lab-seed lab-test-stop lab-test-clean
