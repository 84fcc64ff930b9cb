#!/usr/bin/env bats
# sysfence k8s lint: manifests in, the seccomp profile of every container and findings out.
#
# The manifests of tests/data/k8s carry what they must give, in comments on the line concerned:
#   # expect: RULE[/LEVEL] ...        these findings, on this line (and no others in the file)
#   # workload: baseline=pass|fail restricted=pass|fail
#                                     the workload whose object starts on this line
#   # container: PROFILE [PATH] (SOURCE)
#                                     the container whose entry starts on this line
#   # args: OPTIONS                   options for the run ({dir}: the manifest's directory)
# Several may share a comment, separated by ';'. Every finding, workload and container of a file
# must be expected.

bats_require_minimum_version 1.5.0

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data/k8s
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	MANIFESTS=$SHARED/corpus/manifests
	SCHEMA=$SHARED/corpus/schemas/sarif-schema-2.1.0.json
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# check_expectations SYSFENCE FILE...: compare each file's run with the comments it carries.
check_expectations() {
	python3 - "$@" <<'EOF'
import collections, json, os, re, subprocess, sys

sysfence, files = sys.argv[1], sys.argv[2:]
problems = []
for path in files:
    here = os.path.dirname(os.path.abspath(path))
    args, expect, workloads, containers = [], [], {}, {}
    for n, text in enumerate(open(path, encoding="utf-8"), 1):
        if "#" not in text:
            continue
        for part in text.split("#", 1)[1].split(";"):
            m = re.match(r"\s*(args|expect|workload|container):\s*(.*?)\s*$", part)
            if not m:
                continue
            key, value = m.groups()
            if key == "args":
                args += value.replace("{dir}", here).split()
            elif key == "expect":
                for tok in value.split():
                    rule, _, level = tok.partition("/")
                    expect.append((n, rule, level))
            elif key == "workload":
                workloads[n] = dict(x.split("=") for x in value.split())
            else:
                containers[n] = value
    run = subprocess.run([sysfence, "k8s", "lint", "-o", "json"] + args + [path],
                         capture_output=True, text=True)
    name = os.path.basename(path)
    try:
        out = json.loads(run.stdout)
    except ValueError as e:
        problems.append(f"{name}: no JSON ({e}): {run.stderr}")
        continue
    got = collections.Counter((f["line"], f["rule"]) for f in out["findings"])
    want = collections.Counter((n, r) for n, r, _ in expect)
    for (n, r), c in (got - want).items():
        msg = [f["message"] for f in out["findings"] if (f["line"], f["rule"]) == (n, r)]
        problems.append(f"{name}:{n}: unexpected {r} x{c}: {msg[0]}")
    for (n, r), c in (want - got).items():
        problems.append(f"{name}:{n}: missing {r} x{c}")
    for n, r, level in expect:
        if level and not any(f["line"] == n and f["rule"] == r and f["level"] == level
                             for f in out["findings"]):
            problems.append(f"{name}:{n}: {r} is not at level {level}")
    errors = any(f["level"] == "error" for f in out["findings"])
    if run.returncode != (1 if errors else 0):
        problems.append(f"{name}: exit status {run.returncode} with errors={errors}")
    seen = set()
    for w in out["workloads"]:
        seen.add(w["line"])
        exp = workloads.get(w["line"])
        got_v = {k: "pass" if w["pss"][k]["allowed"] else "fail"
                 for k in ("baseline", "restricted")}
        if exp is None:
            problems.append(f"{name}:{w['line']}: unexpected workload {w['kind']} {w['name']}")
        elif exp != got_v:
            problems.append(f"{name}:{w['line']}: PSS {got_v}, expected {exp}: "
                            f"{w['pss']['baseline']['reason']} / "
                            f"{w['pss']['restricted']['reason']}")
        for c in w["containers"]:
            text = c["seccomp"] + (" " + c["localhostProfile"] if c["localhostProfile"] else "")
            text += f" ({c['source']})"
            exp_c = containers.pop(c["line"], None)
            if exp_c != text:
                problems.append(f"{name}:{c['line']}: container {c['name']}: {text}, "
                                f"expected {exp_c}")
    for n in set(workloads) - seen:
        problems.append(f"{name}:{n}: no workload found")
    for n, v in containers.items():
        problems.append(f"{name}:{n}: no container found ({v})")
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
}

@test "every manifest of tests/data/k8s gives exactly the findings, verdicts and profiles it states" {
	run check_expectations "$SYSFENCE" "$DATA"/*.yaml
	echo "$output"
	[ "$status" -eq 0 ]
}

# corpus_listing: the findings and workloads of a JSON report, one line each, as in
# tests/data/k8s/corpus-expected*.txt.
corpus_listing() {
	python3 -c '
import json, os, sys
d = json.load(sys.stdin)
for f in d["findings"]:
    print("%s:%d:%d: %s %s%s" % (os.path.basename(f["file"]), f["line"], f["column"], f["level"],
                                 f["rule"], " " + f["container"] if f["container"] else ""))
for w in d["workloads"]:
    cs = " ".join("%s=%s%s(%s)" % (c["name"], c["seccomp"],
                                   ":" + c["localhostProfile"] if c["localhostProfile"] else "",
                                   c["source"]) for c in w["containers"])
    print("%s:%d: %s %s/%s baseline=%s restricted=%s %s" % (
        os.path.basename(w["file"]), w["line"], w["kind"], w["namespace"], w["name"],
        "pass" if w["pss"]["baseline"]["allowed"] else "fail",
        "pass" if w["pss"]["restricted"]["allowed"] else "fail", cs))
s = d["summary"]
print("files=%d documents=%d objects=%d workloads=%d errors=%d warnings=%d notes=%d" % (
    s["files"], s["documents"], s["objects"], s["workloads"], s["errors"], s["warnings"],
    s["notes"]))'
}

@test "help, usage errors and the k8s dispatcher" {
	run "$SYSFENCE" help k8s
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence k8s lint"* ]]
	run "$SYSFENCE" k8s lint --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--kubernetes-version"* ]]
	run "$SYSFENCE" help
	[[ "$output" == *"k8s"* ]]
	run "$SYSFENCE" k8s
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown subcommand 'frobnicate'"* ]]
	run "$SYSFENCE" k8s lint
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s lint --bogus "$DATA/pod.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s lint -o yaml "$DATA/pod.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s lint --fail-on fatal "$DATA/pod.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s lint --pss privileged "$DATA/pod.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s lint --profiles-dir "$TMP/none" "$DATA/pod.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"No such file or directory"* ]]
}

@test "--kubernetes-version takes 1.N, v1.N and 1.N.P from 1.19 on" {
	run "$SYSFENCE" k8s lint -q --kubernetes-version v1.24.3 "$DATA/pod-runtime-default.yaml"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" k8s lint --kubernetes-version 1.30 "$DATA/pod-runtime-default.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(Kubernetes 1.30)"* ]]
	run "$SYSFENCE" k8s lint --kubernetes-version 1.18 "$DATA/pod-runtime-default.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"predates the seccompProfile field"* ]]
	for bad in 2.0 1 1.x 1.34.x 1.34junk ""; do
		run "$SYSFENCE" k8s lint --kubernetes-version "$bad" "$DATA/pod-runtime-default.yaml"
		[ "$status" -eq 2 ]
	done
	# The default is the latest release.
	run "$SYSFENCE" k8s lint "$DATA/pod-runtime-default.yaml"
	[[ "$output" == *"(Kubernetes 1.37)"* ]]
}

@test "text output: located findings with a fix on stderr, workloads on stdout" {
	run --separate-stderr "$SYSFENCE" k8s lint "$DATA/pod-unconfined.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"pod-unconfined.yaml:10:13: error: [unconfined] Pod debug: container \"tools\" runs Unconfined (pod field)"* ]]
	[[ "$stderr" == *"    fix: set type: RuntimeDefault"* ]]
	[[ "$output" == *"pod-unconfined.yaml:3: Pod debug: baseline FAIL, restricted FAIL"* ]]
	[[ "$output" == *"container          tools                    Unconfined (pod field)"* ]]
	[[ "$output" == *"1 file, 1 workload (Kubernetes 1.37): 2 errors, 1 warning, 0 notes"* ]]
	run --separate-stderr "$SYSFENCE" k8s lint -q "$DATA/pod-unconfined.yaml"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -n "$stderr" ]
}

@test "JSON manifests: a Pod and a List, with the same findings as YAML" {
	run "$SYSFENCE" k8s lint -o json "$DATA/pod.json" "$DATA/list.json"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = sorted((f["file"].split("/")[-1], f["line"], f["column"], f["rule"], f["container"])
             for f in d["findings"])
assert got == [
    ("list.json", 20, 5, "pss-baseline", None),
    ("list.json", 28, 47, "privileged", "job"),
    ("pod.json", 1, 1, "pss-baseline", None),
    ("pod.json", 8, 63, "annotation-ignored", "shell"),
    ("pod.json", 17, 38, "unconfined", "shell"),
    ("pod.json", 20, 7, "unset", "yes"),
], got
w = {x["name"]: x for x in d["workloads"]}
assert [c["seccomp"] for c in w["json-pod"]["containers"]] == ["Unconfined", "Unconfined"]
assert w["json-pod"]["namespace"] == "tools"
assert w["web"]["containers"][0]["source"] == "pod field"
assert w["nightly"]["kind"] == "CronJob"
assert w["nightly"]["containers"][0]["source"] == "privileged"
assert d["summary"]["files"] == 2 and d["summary"]["workloads"] == 3, d["summary"]'
}

@test "-o json has stable keys" {
	run "$SYSFENCE" k8s lint -o json --seccomp-default --kubernetes-version 1.26 "$DATA/precedence.yaml"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["kubernetesVersion", "seccompDefault", "profilesDir", "findings", "workloads",
                   "summary"], list(d)
assert d["kubernetesVersion"] == "1.26" and d["seccompDefault"] is True
f = d["findings"][0]
assert list(f) == ["level", "rule", "file", "line", "column", "kind", "namespace", "name",
                   "container", "message", "fix"], list(f)
w = d["workloads"][0]
assert list(w) == ["file", "line", "column", "kind", "namespace", "name", "windows", "pss",
                   "containers"], list(w)
assert list(w["pss"]) == ["seccompControlsOnly", "baseline", "restricted"]
assert list(w["containers"][0]) == ["name", "role", "seccomp", "localhostProfile", "source",
                                    "line", "column"]
# With seccompDefault an unset container gets RuntimeDefault.
half = [x for x in d["workloads"] if x["name"] == "half-set"][0]
assert half["containers"][1]["source"] == "kubelet seccompDefault", half'
	# Deterministic.
	a=$("$SYSFENCE" k8s lint -o json "$DATA" | md5sum)
	b=$("$SYSFENCE" k8s lint -o json "$DATA" | md5sum)
	[ "$a" = "$b" ]
}

@test "-o sarif is a valid SARIF 2.1.0 log with one result per finding" {
	[ -f "$SCHEMA" ] || skip "shared corpus not found"
	"$SYSFENCE" k8s lint -o sarif "$DATA" >"$TMP/out.sarif" || true
	"$SYSFENCE" k8s lint -o json "$DATA" >"$TMP/out.json" || true
	"$SYSFENCE" k8s lint -o sarif "$DATA/pod-runtime-default.yaml" >"$TMP/clean.sarif"
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: "a b"}\nspec: {containers: [{name: x}]}\n' \
		>"$TMP/file name #1%.yaml"
	"$SYSFENCE" k8s lint -o sarif "$TMP/file name #1%.yaml" >"$TMP/odd.sarif" || true
	python3 - "$SCHEMA" "$TMP" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
tmp = sys.argv[2]
for name in ("out.sarif", "clean.sarif", "odd.sarif"):
    log = json.load(open(f"{tmp}/{name}"))
    jsonschema.Draft4Validator(schema).validate(log)
log = json.load(open(f"{tmp}/out.sarif"))
report = json.load(open(f"{tmp}/out.json"))
run = log["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert len(run["results"]) == len(report["findings"]) > 20
for res, f in zip(run["results"], report["findings"]):
    assert res["ruleId"] == f["rule"] and rules[res["ruleIndex"]] == f["rule"]
    assert res["level"] == f["level"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith(f["file"].split("/")[-1])
    if f["line"]:
        assert loc["region"]["startLine"] == f["line"]
assert json.load(open(f"{tmp}/clean.sarif"))["runs"][0]["results"] == []
odd = json.load(open(f"{tmp}/odd.sarif"))["runs"][0]["results"][0]
uri = odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
assert uri.endswith("/file%20name%20%231%25.yaml"), uri
PY
}

@test "exit status: --fail-on error|warning|note, and --pss raises Pod Security findings to errors" {
	# Warnings and a note, no error.
	run "$SYSFENCE" k8s lint -q "$DATA/misplaced.yaml" --kubernetes-version 1.37
	[ "$status" -eq 1 ]  # the invalid annotation is an error
	run "$SYSFENCE" k8s lint -q "$DATA/workloads.yaml"
	[ "$status" -eq 1 ]
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n' >"$TMP/unset.yaml"
	run "$SYSFENCE" k8s lint -q "$TMP/unset.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: [unset]"* && "$output" == *"note: [pss-restricted]"* ]]
	run "$SYSFENCE" k8s lint -q --fail-on warning "$TMP/unset.yaml"
	[ "$status" -eq 1 ]
	run "$SYSFENCE" k8s lint -q --seccomp-default "$TMP/unset.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" != *"[unset]"* ]]
	run "$SYSFENCE" k8s lint -q --seccomp-default --fail-on warning "$TMP/unset.yaml"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" k8s lint -q --seccomp-default --fail-on note "$TMP/unset.yaml"
	[ "$status" -eq 1 ]
	run "$SYSFENCE" k8s lint -q --seccomp-default --pss baseline "$TMP/unset.yaml"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" k8s lint -q --seccomp-default --pss restricted "$TMP/unset.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: [pss-restricted]"* ]]
	# With --pss restricted a baseline failure reports both levels, as errors.
	run "$SYSFENCE" k8s lint -q --pss restricted "$DATA/privileged.yaml"
	[[ "$output" == *"error: [pss-baseline]"* && "$output" == *"error: [pss-restricted]"* ]]
	run "$SYSFENCE" k8s lint -q --pss baseline "$DATA/privileged.yaml"
	[[ "$output" == *"error: [pss-baseline]"* && "$output" != *"pss-restricted"* ]]
	run "$SYSFENCE" k8s lint -q "$DATA/pod-runtime-default.yaml"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "DIR is searched recursively for *.yaml, *.yml and *.json; hidden entries and links to directories are skipped" {
	mkdir -p "$TMP/d/sub/deeper" "$TMP/d/.hidden" "$TMP/other"
	cp "$DATA/pod-unconfined.yaml" "$TMP/d/a.yaml"
	cp "$DATA/pod.json" "$TMP/d/sub/b.JSON"
	cp "$DATA/precedence.yaml" "$TMP/d/sub/deeper/c.yml"
	cp "$DATA/pod-unconfined.yaml" "$TMP/d/.hidden/h.yaml"
	cp "$DATA/pod-unconfined.yaml" "$TMP/d/notes.txt"
	cp "$DATA/pod-unconfined.yaml" "$TMP/other/o.yaml"
	ln -s "$TMP/other" "$TMP/d/link"
	ln -s "$TMP/d" "$TMP/d/sub/loop"
	ln -s "$TMP/other/o.yaml" "$TMP/d/sub/z.yaml"
	run "$SYSFENCE" k8s lint -o json "$TMP/d"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
files = sorted({w["file"].split("/d/")[1] for w in d["workloads"]})
assert files == ["a.yaml", "sub/b.JSON", "sub/deeper/c.yml", "sub/z.yaml"], files
assert d["summary"]["files"] == 4, d["summary"]'
	# The whole data directory: every manifest, the profiles (no kind: not objects to lint).
	run "$SYSFENCE" k8s lint -o json "$DATA"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any(f["rule"] == "yaml-syntax" for f in d["findings"])
assert d["summary"]["unreadable"] == 0
assert len({w["file"] for w in d["workloads"]}) >= 20, d["summary"]'
}

@test "standard input, and unreadable inputs: exit 2, the other inputs still linted" {
	run "$SYSFENCE" k8s lint -q - <"$DATA/pod-unconfined.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"<stdin>:10:13: error: [unconfined]"* ]]
	# JSON on standard input is found by its first character; KYAML is not JSON.
	run "$SYSFENCE" k8s lint -o json - <"$DATA/pod.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'"file":"<stdin>"'* ]]
	sed 1d "$DATA/kyaml.yaml" | sed 1d >"$TMP/kyaml-noext"
	run "$SYSFENCE" k8s lint -q "$TMP/kyaml-noext"
	[ "$status" -eq 1 ]
	[[ "$output" == *"[privileged]"* && "$output" != *"yaml-syntax"* ]]
	run "$SYSFENCE" k8s lint -q "$TMP/missing.yaml" "$DATA/pod-unconfined.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing.yaml: error: [unreadable] cannot open: No such file or directory"* ]]
	[[ "$output" == *"[unconfined]"* ]]
	if [ "$(id -u)" -ne 0 ]; then
		cp "$DATA/pod.json" "$TMP/locked.json"
		chmod 000 "$TMP/locked.json"
		run "$SYSFENCE" k8s lint -o json "$TMP/locked.json"
		[ "$status" -eq 2 ]
		[[ "$output" == *'"rule":"unreadable"'* ]]
	fi
}

@test "a YAML document that does not parse is located, and the others are linted" {
	run "$SYSFENCE" k8s lint -q "$DATA/bad-yaml.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad-yaml.yaml:14:2: error: [yaml-syntax] did not find expected key while parsing a block mapping that starts at 10:1"* ]]
	[[ "$output" == *"bad-yaml.yaml:7:5: warning: [unset] Pod first"* ]]
	[[ "$output" == *"bad-yaml.yaml:23:46: error: [unconfined] Pod third"* ]]
	# A broken JSON file is one located error.
	printf '{"apiVersion": "v1",\n "kind": "Pod",]\n' >"$TMP/bad.json"
	run "$SYSFENCE" k8s lint -q "$TMP/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json:2:"*"error: [yaml-syntax]"* ]]
	# Empty inputs hold nothing.
	: >"$TMP/empty.yaml"
	run "$SYSFENCE" k8s lint "$TMP/empty.yaml"
	[ "$status" -eq 0 ]
}

@test "Localhost profiles are only looked up with --profiles-dir" {
	run "$SYSFENCE" k8s lint -q "$DATA/localhost.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" != *"localhost-not-found"* && "$output" != *"localhost-invalid"* ]]
	[[ "$output" == *"[localhost-path]"* && "$output" == *"[localhost-missing-profile]"* ]]
	run "$SYSFENCE" k8s lint -q --profiles-dir "$DATA/profiles" "$DATA/localhost.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Localhost profile \"bad.json\" is not a valid profile"*"unknown action \"SCMP_ACT_ALOW\""* ]]
	[[ "$output" == *"Localhost profile \"missing.json\" is not in $DATA/profiles"* ]]
	# Annotations name Localhost profiles too, while they count (up to 1.26).
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: localhost/nope.json\nspec:\n  containers:\n  - name: a\n' >"$TMP/ann.yaml"
	run "$SYSFENCE" k8s lint -q --profiles-dir "$DATA/profiles" --kubernetes-version 1.26 "$TMP/ann.yaml"
	[[ "$output" == *"ann.yaml:6:47: error: [localhost-not-found]"* ]]
	run "$SYSFENCE" k8s lint -q --profiles-dir "$DATA/profiles" --kubernetes-version 1.27 "$TMP/ann.yaml"
	[[ "$output" != *"localhost-not-found"* ]]
}

@test "shared corpus: every manifest is read, and the findings are the ones checked by hand" {
	[ -d "$MANIFESTS" ] || skip "shared corpus not found ($MANIFESTS)"
	run "$SYSFENCE" k8s lint "$MANIFESTS"
	[ "$status" -eq 1 ]
	[[ "$output" != *"yaml-syntax"* && "$output" != *"unreadable"* ]]
	"$SYSFENCE" k8s lint -o json "$MANIFESTS" | corpus_listing >"$TMP/got" || true
	grep -v '^#' "$DATA/corpus-expected.txt" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
	"$SYSFENCE" k8s lint -o json --kubernetes-version 1.24 "$MANIFESTS"/k8s-website-seccomp-alpha-*.yaml |
		corpus_listing >"$TMP/got" || true
	grep -v '^#' "$DATA/corpus-expected-1.24.txt" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
	# Every file one by one, in every output format: no crash.
	for f in "$MANIFESTS"/*; do
		for o in text json sarif; do
			run "$SYSFENCE" k8s lint -o "$o" --kubernetes-version 1.25 --seccomp-default "$f"
			[ "$status" -le 1 ] || { echo "$f -o $o: $status"; false; }
		done
	done
}
