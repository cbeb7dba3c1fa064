# The results database's checks, the same for every backend (sourced by
# history-sqlite.sh and history-postgresql.sh after lib.sh). The runs are
# results/reference/anon (5 runs of 12 pins) with pin_ns scaled per run
# and later start times: series "step" rises by 12 % from its 14th run,
# series "flat" does not; both carry +-3 % of noise.

# A throwaway PostgreSQL cluster: initdb and pg_ctl as an unprivileged
# user (initdb refuses root: nobody owns it then), listening only on a
# Unix socket in its own temporary directory. Sets PGDIR and url (the
# socket directory percent-encoded in the URL's host part); pg_stop
# stops it and removes everything.
PGBIN=/usr/lib/postgresql/15/bin
pg_as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
pg_start() {
	PGDIR=$(mktemp -d /tmp/pinbench-pg-XXXXXX)
	[ "$(id -u)" -ne 0 ] || chown nobody "$PGDIR"
	pg_as_owner "$PGBIN/initdb" -D "$PGDIR/data" -U pinbench -A trust >"$PGDIR/initdb.log" 2>&1 ||
		{ cat "$PGDIR/initdb.log"; fail "initdb"; }
	pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
		-o "-c listen_addresses= -k $PGDIR -c fsync=off" start >/dev/null ||
		{ cat "$PGDIR/server.log"; fail "pg_ctl start"; }
	url="postgresql://pinbench@$(printf %s "$PGDIR" | sed 's|/|%2F|g')/postgres"
}
pg_stop() {
	[ -n "${PGDIR:-}" ] || return 0
	pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PGDIR"
}
# The noise of run I: a fixed sequence in [-0.03, 0.03], the same everywhere.
noise() { awk -v i="$1" 'BEGIN { printf "%.6f", ((i * 7919) % 61 / 60 * 2 - 1) * 0.03 }'; }

# make_run DIR I FACTOR HOST: a copy of the reference run with every pin
# FACTOR times as long, started I hours after the reference.
make_run() {
	mkdir -p "$1"
	cp "$SRCDIR/results/reference/anon/summary.json" "$SRCDIR/results/reference/anon/vmstat.csv" "$1/"
	awk -F, -v OFS=, -v f="$3" 'NR > 1 && $10 == "" { $8 = sprintf("%.0f", $8 * f) } { print }' \
		"$SRCDIR/results/reference/anon/samples.csv" >"$1/samples.csv"
	jq --arg id "$(basename "$1")" --arg host "$4" --argjson i "$2" \
		'.run_id = $id | .hostname = $host | .t0_realtime_ns += $i * 3600000000000 |
		 .started = ("2027-01-" + ("0" + ($i / 24 + 1 | floor | tostring))[-2:] + "T" +
			     ("0" + ($i % 24 | tostring))[-2:] + ":00:00Z")' \
		"$SRCDIR/results/reference/anon/run.json" >"$1/run.json"
}

# series NAME HOST STEP: 30 runs in $TMP/NAME/run-NN, the step from the 14th.
series() {
	for i in $(seq 1 30); do
		f=$(awk -v n="$(noise "$i")" -v s="$3" -v i="$i" 'BEGIN { print (1 + n) * (i >= 14 ? 1 + s : 1) }')
		make_run "$TMP/$1/run-$(printf %02d "$i")" "$i" "$f" "$2"
	done
}

# Four stores at once, each with its own share of the stepped series and
# each run under its own label (commit-1...): none may be lost.
store_concurrently() {
	url=$1
	for k in 0 1 2 3; do
		(
			for i in $(seq 1 30); do
				[ $((i % 4)) -eq "$k" ] || continue
				"$PINBENCH" 9>&- store --db "$url" --label "commit-$i" "$TMP/step/run-$(printf %02d "$i")" \
					>>"$TMP/store-$k.log" 2>&1 || echo "store of run $i failed" >>"$TMP/store-$k.log"
			done
		) &
	done
	wait
	cat "$TMP"/store-*.log >"$TMP/stores.log"
	! grep -q failed "$TMP/stores.log" || { cat "$TMP/stores.log"; fail "a concurrent store failed"; }
}

history_checks() {
	url=$1
	series step ci-step 0.12
	series flat ci-flat 0
	store_concurrently "$url"
	pb_merged store --db "$url" "$TMP/flat"
	[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of a directory of runs exited $rc"; }

	pb_merged history --db "$url" --scenario host --host ci-step --format json
	[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "history exited $rc"; }
	cp "$TMP/out" "$TMP/step.json"
	[ "$(jq '.series | length' "$TMP/step.json")" = 30 ] ||
		fail "4 stores at once: $(jq '.series | length' "$TMP/step.json") of 30 runs in the database"
	[ "$(jq '.change_points | length' "$TMP/step.json")" = 1 ] ||
		{ jq -c .change_points "$TMP/step.json"; fail "not one change point on the stepped series"; }
	label=$(jq -r '.change_points[0].label' "$TMP/step.json")
	case $label in commit-13 | commit-14 | commit-15) ;; *) fail "change point at $label, not commit-14 +-1" ;; esac
	jq -e '.change_points[0].p < 0.05 and .change_points[0].change > 0.08' "$TMP/step.json" >/dev/null ||
		fail "change point p or size: $(jq -c '.change_points[0]' "$TMP/step.json")"
	jq -e '[.series[].label] == [range(1; 31) | "commit-\(.)"]' "$TMP/step.json" >/dev/null ||
		fail "the series is not in the order the runs started"
	pass "4 stores at once lost no run; one change point at $label, $(jq -c '.change_points[0] | {p, change}' "$TMP/step.json")"

	pb_merged history --db "$url" --scenario host --host ci-flat --format json
	[ "$rc" -eq 0 ] && [ "$(jq '.series | length' "$TMP/out")" = 30 ] || { cat "$TMP/out"; fail "flat history"; }
	[ "$(jq '.change_points | length' "$TMP/out")" = 0 ] ||
		fail "change points on a series without a step: $(jq -c .change_points "$TMP/out")"
	pass "no change point on the series without a step"

	pb_merged history --db "$url" --format json
	[ "$rc" -eq 2 ] && grep -q "choose one with --host" "$TMP/out" || { cat "$TMP/out"; fail "two hosts mixed"; }
	pb_merged history --db "$url" --host ci-step --metric no_such_metric
	[ "$rc" -eq 2 ] && grep -q "no_such_metric" "$TMP/out" || { cat "$TMP/out"; fail "unknown metric"; }
	pass "a series mixing hosts, and an unknown metric: one line, exit 2"

	# gate against the flat series' last 10 runs
	base="db:$url?scenario=host&host=ci-flat&last=10"
	make_run "$TMP/cand-step" 40 1.12 ci-cand
	make_run "$TMP/cand-same" 41 1.0 ci-cand
	pb_merged gate --baseline "$base" "$TMP/cand-step"
	[ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "gate of the stepped candidate exited $rc, not 1"; }
	grep -q "base: db:" "$TMP/out" && grep -q "(50 runs" "$TMP/out" ||
		{ cat "$TMP/out"; fail "the baseline is not the last 10 stored runs (50 inner runs)"; }
	pb_merged gate --baseline "$base" "$TMP/cand-same"
	[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "gate of the unchanged candidate exited $rc, not 0"; }
	pb_merged compare "$base" "$TMP/cand-same" --format json
	[ "$rc" -eq 0 ] && [ "$(jq -r '.base.runs' "$TMP/out")" = 50 ] || { cat "$TMP/out"; fail "compare db: base"; }
	pass "gate --baseline db: exits 1 for +12 % and 0 for the same level"

	pb_merged gate --bisect --baseline "$base" "$TMP/cand-step"
	[ "$rc" -eq 1 ] || fail "bisect: a regression is $rc, not 1 (bad)"
	pb_merged gate --bisect --baseline "$base" "$TMP/cand-same"
	[ "$rc" -eq 0 ] || fail "bisect: no regression is $rc, not 0 (good)"
	pb_merged gate --bisect --baseline "$base" "$TMP/no-such-run"
	[ "$rc" -eq 125 ] || fail "bisect: a candidate without a run is $rc, not 125 (skip)"
	cp -r "$TMP/cand-same" "$TMP/cand-cut"
	jq '.complete = false' "$TMP/cand-same/summary.json" >"$TMP/cand-cut/summary.json"
	jq '.complete = false' "$TMP/cand-same/run.json" >"$TMP/cand-cut/run.json"
	pb_merged gate --bisect --baseline "$base" "$TMP/cand-cut"
	[ "$rc" -eq 125 ] || fail "bisect: an incomplete candidate is $rc, not 125 (skip)"
	pb_merged gate --bisect --baseline "db:$url?scenario=host&host=nobody" "$TMP/cand-same"
	[ "$rc" -eq 128 ] || { cat "$TMP/out"; fail "bisect: a baseline that selects nothing is $rc, not 128 (abort)"; }
	pass "gate --bisect: 0 good, 1 bad, 125 for no run or an incomplete one, 128 for a bad baseline"

	# a run stored twice is a no-op
	pb_merged store --db "$url" --label again "$TMP/step/run-03"
	[ "$rc" -eq 0 ] && grep -q "0 run(s) stored.*1 stored before" "$TMP/out" || { cat "$TMP/out"; fail "store twice"; }
	# a damaged run among good ones: nothing at all is written
	make_run "$TMP/later/run-a" 50 1.0 ci-step
	make_run "$TMP/later/run-b" 51 1.0 ci-step
	sed -i '3s/^1,/x,/' "$TMP/later/run-b/samples.csv"
	pb_merged store --db "$url" "$TMP/later"
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "run-b/samples.csv:3: column 'run'" "$TMP/out" ||
		{ cat "$TMP/out"; fail "a damaged run: not one line naming file, line and column"; }
	cp -r "$TMP/cand-cut" "$TMP/later/run-c"
	rm -r "$TMP/later/run-b"
	pb_merged store --db "$url" "$TMP/later"
	[ "$rc" -eq 2 ] && grep -q "interrupted run" "$TMP/out" || { cat "$TMP/out"; fail "an incomplete run was stored"; }
	pb_merged history --db "$url" --host ci-step --format json
	[ "$(jq '.series | length' "$TMP/out")" = 30 ] || fail "a refused store wrote some of its runs"
	pb_merged store --db "${url%%:*}x:foo" "$TMP/later/run-a"
	[ "$rc" -eq 2 ] && grep -q "not a database URL" "$TMP/out" || { cat "$TMP/out"; fail "wrong URL scheme"; }
	pass "stored twice: no-op; damaged or incomplete run among good ones: one line, nothing written; wrong URL"
}

# newer_schema SQL_TOOL...: the database says it has schema 99; store and
# history refuse it, and the data is untouched.
newer_schema_checks() {
	url=$1
	pb_merged store --db "$url" "$TMP/later/run-a"
	[ "$rc" -eq 2 ] && grep -q "schema version 99, newer" "$TMP/out" || { cat "$TMP/out"; fail "store: newer schema"; }
	pb_merged history --db "$url" --host ci-step
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "newer than this pinbench" "$TMP/out" ||
		{ cat "$TMP/out"; fail "history: newer schema"; }
	pass "a database of a newer schema: one line, exit 2"
}

# Issue 25, observations 1 and 2: a scenario's identity is its content.
# identity_checks URL SQL...: SQL runs one statement on the database (the
# sqlite3 or psql shell), to take it back to schema 1.
identity_checks() {
	url=$1
	shift
	REF="$SRCDIR/results/reference"

	# Nine scenarios (2/16/64 MiB chunks x three backends) all named s.
	pb_merged store --db "$url" --host ci-iommufd "$REF/iommufd"
	[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of the iommufd runs exited $rc"; }
	cand="$REF/iommufd/64M-iommufd-1/6.12.117-pb-stock"
	for cmd in "compare db:$url?scenario=s $cand" "gate db:$url?scenario=s $cand" \
		"history --db $url --scenario s"; do
		# shellcheck disable=SC2086 # the command's words are meant to split
		pb_merged $cmd
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] &&
			grep -q "ran 9 different scenarios (by content), all named s: " "$TMP/out" &&
			grep -q "they differ in scenario.guest.backend, scenario.guest.chunk" "$TMP/out" &&
			grep -q "or pool them with --force" "$TMP/out" || { cat "$TMP/out"; fail "pinbench $cmd: exit $rc"; }
	done
	id=$(grep -o '[0-9a-f]\{8\} (iommufd, anon, 64 MiB in 64 MiB chunks, 1 node, 1 stored run)' "$TMP/out" | cut -c1-8)
	[ -n "$id" ] || { cat "$TMP/out"; fail "the refusal does not list the 64 MiB iommufd scenario"; }
	pass "nine scenarios named s: compare, gate and history refuse to pool them, naming each"

	pb_merged history --db "$url" --scenario s --identity "$id" --format json
	[ "$rc" -eq 0 ] && [ "$(jq '.series | length' "$TMP/out")" -eq 1 ] || { cat "$TMP/out"; fail "history --identity"; }
	pb_merged compare "db:$url?scenario=s&identity=$id" "$cand" --format json
	[ "$rc" -eq 0 ] && [ "$(jq -r '.base.runs' "$TMP/out")" -eq 2 ] || { cat "$TMP/out"; fail "identity="; }
	pb_merged compare --force "db:$url?scenario=s" "$cand"
	[ "$rc" -eq 0 ] && grep -q "WARNING: db:.*pools runs of different scenarios (--force): " "$TMP/out" &&
		grep -q "scenario.guest.chunk: " "$TMP/out" || { cat "$TMP/out"; fail "compare --force: exit $rc"; }
	pb_merged history --db "$url" --scenario s --force --format json
	[ "$rc" -eq 0 ] && [ "$(jq '.series | length' "$TMP/out")" -eq 9 ] &&
		jq -e '[.differences[].key] | index("scenario.guest.backend")' "$TMP/out" >/dev/null ||
		{ cat "$TMP/out"; fail "history --force: exit $rc"; }
	pass "one of them by identity; all of them with --force, their differences listed"

	# The same name, an edited scenario: 64M pinned instead of 128M.
	make_run "$TMP/edit/a" 60 1.0 ci-edit
	make_run "$TMP/edit/b" 61 1.0 ci-edit
	jq '.scenario.text |= sub("size = 128M"; "size = 64M") | .jobs[0].size = 67108864' "$TMP/edit/b/run.json" \
		>"$TMP/edit/b/run.json.new" && mv "$TMP/edit/b/run.json.new" "$TMP/edit/b/run.json"
	grep -q 'size = 64M' "$TMP/edit/b/run.json" || fail "the edit did not apply"
	pb_merged store --db "$url" "$TMP/edit"
	[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of the edited runs exited $rc"; }
	pb_merged history --db "$url" --scenario host --host ci-edit
	[ "$rc" -eq 2 ] && grep -q "ran 2 different scenarios (by content), all named host: " "$TMP/out" &&
		grep -q "they differ in scenario.pin.size" "$TMP/out" || { cat "$TMP/out"; fail "an edited scenario was pooled"; }
	pass "an edited scenario under its old name is another scenario"

	# One vm experiment stored through each of its paths: one name.
	for seed in lru-batch-movable lru-batch-cma; do
		exp="$REF/seeds/$seed"
		[ $seed = lru-batch-movable ] && first="$exp/6.1.192-pb-stock/boot-1" || first="$exp/6.1.192-pb-stock"
		pb_merged store --db "$url" --host "ci-$seed" "$first"
		[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of $first exited $rc"; }
		name=$(jq -r .scenario "$exp/vm.json" | sed 's|.*/||; s|\.ini$||')
		pb_merged history --db "$url" --host "ci-$seed" --scenario "$name" --format json
		[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "${first#"$REF"/} alone is not stored as $name"; }
		pb_merged store --db "$url" --host "ci-$seed" "$exp"
		[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of $exp exited $rc"; }
		(cd "$exp/6.1.192-pb-seed-lru-batch" && "$PINBENCH" 9>&- store --db "$url" --host "ci-$seed" boot-2) \
			>"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "store by a relative path"; }
		# failure_rate: every pin of the reverted kernel failed, which leaves no pin_latency
		pb_merged history --db "$url" --host "ci-$seed" --scenario "$name" --metric failure_rate --format json
		[ "$rc" -eq 0 ] && [ "$(jq '.series | length' "$TMP/out")" -eq 6 ] && [ "$(jq -r .scenario "$TMP/out")" = "$name" ] ||
			{ cat "$TMP/out"; fail "the runs of $seed are not one series of 6 named $name"; }
	done
	pass "a guest run's name is its scenario's, whichever path store was given"

	# A database of schema 1 gains the identities on the next store.
	"$@" "DROP INDEX runs_identity" &&
		for c in identity nodes backend memory sizes; do "$@" "ALTER TABLE runs DROP COLUMN $c" || exit 1; done &&
		"$@" "UPDATE pinbench_schema SET version = 1" >/dev/null || fail "cannot take the database back to schema 1"
	pb_merged history --db "$url" --scenario s
	[ "$rc" -eq 2 ] && grep -q "schema version 1 is older" "$TMP/out" || { cat "$TMP/out"; fail "schema 1 was read"; }
	pb_merged store --db "$url" --host ci-iommufd "$REF/iommufd/2M-vfio-1"
	[ "$rc" -eq 0 ] && grep -q "0 run(s) stored.*1 stored before" "$TMP/out" || { cat "$TMP/out"; fail "store on schema 1"; }
	pb_merged history --db "$url" --scenario s
	[ "$rc" -eq 2 ] && grep -q "ran 9 different scenarios (by content), all named s: " "$TMP/out" ||
		{ cat "$TMP/out"; fail "the migration did not give the stored runs their identities"; }
	pb_merged history --db "$url" --scenario s --identity "$id" --format json
	[ "$rc" -eq 0 ] && [ "$(jq '.series | length' "$TMP/out")" -eq 1 ] || { cat "$TMP/out"; fail "identity after migration"; }
	pass "a schema 1 database is migrated: its stored runs split by content"
}
