#!/bin/sh
# make check: every libFuzzer target a few seconds (tests/fuzz/run 3),
# after every input that once crashed one. Exit 77 (skip) when clang or
# its fuzzer runtime is missing. FUZZ_SECONDS overrides the 3 seconds.
: "${PINBENCH:?PINBENCH must name the pinbench binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
BUILDDIR=$(dirname "$PINBENCH") exec "$SRCDIR/tests/fuzz/run" "${FUZZ_SECONDS:-3}"
