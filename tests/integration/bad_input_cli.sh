#!/bin/bash
# The bad-input catalogue (tests/bad_input.tsv), its cli cases (ns, exec, connect and the others): each must be refused
# with its exit code and one clear line, and change nothing (tests/helpers/bad_input.sh).
. "$(dirname "$0")/../helpers/bad_input.sh" cli
