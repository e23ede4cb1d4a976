#!/bin/bash
# The bad-input catalogue (tests/bad_input.tsv), its net cases: each must be refused
# with its exit code and one clear line, and change nothing (tests/helpers/bad_input.sh).
. "$(dirname "$0")/../helpers/bad_input.sh" net
