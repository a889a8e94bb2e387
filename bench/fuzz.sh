#!/bin/sh
# Fuzzes the readers of untrusted input: the spec loader (specs FuzzLoad),
# the spec language's expressions and functions (specs FuzzExpression) and the
# plan-file reader (plan/planfile FuzzLoad). None may panic on any input.
#
#   bench/fuzz.sh            # 5 minutes each, 15 minutes in total
#   FUZZTIME=30s bench/fuzz.sh
#   FUZZ_PARALLEL=2 bench/fuzz.sh
#
# A failing input is written by Go under <package>/testdata/fuzz/FuzzLoad/
# and replayed by every later 'go test' of that package: fix the bug, keep
# the file as a corpus case. Prints, per target, Go's last progress line
# (execs, new interesting inputs) and the exit status.
set -u
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5m}
parallel=${FUZZ_PARALLEL:-1}
status=0
for target in ./specs:FuzzLoad ./specs:FuzzExpression ./plan/planfile:FuzzLoad; do
	pkg=${target%%:*}
	fuzz=${target#*:}
	echo "== $pkg $fuzz for $fuzztime (parallel $parallel)"
	log=$(mktemp)
	if go test "$pkg" -run '^$' -fuzz "^$fuzz\$" -fuzztime "$fuzztime" -parallel "$parallel" >"$log" 2>&1; then
		grep -E '^fuzz: elapsed' "$log" | tail -1
		echo "ok: no panic"
	else
		status=1
		tail -40 "$log"
		echo "FAIL: see the failing input above (saved under $pkg/testdata/fuzz/$fuzz/)"
	fi
	rm -f "$log"
done
exit $status
