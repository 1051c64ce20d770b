# mk/tests-sdk.mk - what a plugin author relies on: the five example
# plugins of sdk/examples, built out of tree from an installed SDK and
# used together in one run (sdk_examples.sh), and docs that name the
# header's ABI and every function it offers (docs_abi.sh).

SDK_EXAMPLE_TESTS = tests/integration/sdk_examples.sh \
	tests/integration/docs_abi.sh
TESTS += $(SDK_EXAMPLE_TESTS)
EXTRA_DIST += $(SDK_EXAMPLE_TESTS) tests/integration/docs_abi.py \
	tests/integration/sdk_examples/servers.py \
	tests/integration/sdk_examples/examples.yaml \
	tests/integration/sdk_examples/check_report.py \
	tests/integration/sdk_examples/check_jsonl.py \
	tests/integration/sdk_examples/check_csv.py \
	tests/integration/sdk_examples/check_speedtest.py \
	tests/integration/sdk_examples/abi2.c \
	tests/integration/sdk_examples/undeclared.c
