#!/usr/bin/env bats
# sysfence k8s export: profiles as a SeccompProfile (validated against security-profiles-
# operator's CRD when ../shared is there), a ConfigMap and DaemonSet, a patch; every object read
# back field by field (python3-yaml, and sysfence's own reader through `check` and `k8s lint`);
# round trips through `sysfence diff`. About 6 s (python3-jsonschema imports are most of it).

bats_require_minimum_version 1.5.0

setup_file() {
	# python3 resolved once: a pyenv shim costs ~0.4 s a call.
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
}

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data/k8s-export
	DEPLOY=$BATS_TEST_DIRNAME/../../deploy
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	CRD=$SHARED/corpus/spo/crd-seccompprofile.yaml
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# crd_validate FILE...: every SeccompProfile in the files against the CRD's v1 openAPIV3Schema, as
# JSON Schema (draft 4, which OpenAPI v3's subset follows). Structural schemas prune unknown
# fields silently, so objects with properties get additionalProperties: false here: a field the
# CRD does not know would be lost in the cluster, and fails. x-kubernetes-list-type: set becomes
# uniqueItems (the API server refuses duplicates); other x-kubernetes-* keys are ignored.
crd_validate() {
	"$PY" - "$CRD" "$@" <<'EOF'
import json, sys, yaml, jsonschema

crd = yaml.load(open(sys.argv[1]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
assert crd["spec"]["scope"] == "Cluster"
version = [v for v in crd["spec"]["versions"] if v["name"] == "v1"][0]

def convert(s):
    if isinstance(s, list):
        return [convert(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k == "x-kubernetes-list-type":
            if v == "set":
                out["uniqueItems"] = True
        elif k.startswith("x-kubernetes-"):
            continue
        elif k == "properties":
            out[k] = {name: convert(sub) for name, sub in v.items()}
        else:
            out[k] = convert(v)
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
    return out

schema = convert(version["schema"]["openAPIV3Schema"])
jsonschema.Draft4Validator.check_schema(schema)
validator = jsonschema.Draft4Validator(schema)
# --invalid: every file must fail (the validator can tell).
invalid = sys.argv[2] == "--invalid"
n = 0
for path in sys.argv[3 if invalid else 2:]:
    docs = [json.load(open(path))] if path.endswith(".json") else yaml.safe_load_all(open(path))
    for doc in docs:
        if not doc or doc.get("kind") != "SeccompProfile":
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            print("%s: %s: %s" % (path, "/".join(map(str, e.path)), e.message))
        if invalid and not errors:
            sys.exit("%s: valid, but should not be" % path)
        if errors and not invalid:
            sys.exit(1)
        n += 1
if n == 0:
    sys.exit("no SeccompProfile found")
EOF
}

need_crd() {
	[ -f "$CRD" ] || skip "no security-profiles-operator CRD at $CRD"
}

@test "spo: every field of the profile, as SPO names them" {
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as spo -o "$TMP/web.yaml"
	[ "$status" -eq 0 ]
	"$PY" - "$TMP/web.yaml" "$DATA/web.json" <<'EOF'
import json, sys, yaml
obj = yaml.safe_load(open(sys.argv[1]))
src = json.load(open(sys.argv[2]))
assert obj["apiVersion"] == "security-profiles-operator.x-k8s.io/v1", obj["apiVersion"]
assert obj["kind"] == "SeccompProfile"
assert obj["metadata"] == {"name": "web"}, obj["metadata"]       # cluster-scoped: no namespace
assert set(obj) == {"apiVersion", "kind", "metadata", "spec"}
spec = obj["spec"]
assert spec["defaultAction"] == src["defaultAction"]
assert "defaultErrnoRet" not in spec          # 1 (EPERM) is the runtimes' default: same outcome
assert spec["architectures"] == src["architectures"]
assert spec["flags"] == src["flags"]
assert len(spec["syscalls"]) == len(src["syscalls"])
for got, want in zip(spec["syscalls"], src["syscalls"]):
    assert got["names"] == want["names"], (got, want)
    assert got["action"] == want["action"]
    assert got.get("errnoRet") == want.get("errnoRet")
    for ga, wa in zip(got.get("args", []), want.get("args", [])):
        assert ga["index"] == wa["index"] and ga["op"] == wa["op"]
        assert ga["value"] == wa["value"] and ga["valueTwo"] == wa.get("valueTwo", 0)
    assert set(got) <= {"names", "action", "errnoRet", "args"}, got
EOF
}

@test "spo: valid against security-profiles-operator's CRD" {
	need_crd
	"$SYSFENCE" k8s export "$DATA/web.json" --name web --as spo -o "$TMP/web.yaml"
	"$SYSFENCE" k8s export @runtime-default --name runtime-default --as spo --resolve \
		--arch x86_64 --kernel 6.1 -o "$TMP/rd.yaml"
	"$SYSFENCE" k8s export @runtime-default --name rd-arm --as spo --resolve \
		--arch aarch64 --caps CAP_SYS_ADMIN --kernel 5.10 --format json -o "$TMP/rd-arm.json"
	run crd_validate "$TMP/web.yaml" "$TMP/rd.yaml" "$TMP/rd-arm.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# The validator can fail: a field the CRD lacks, a value outside its enum.
	sed 's/defaultAction: SCMP_ACT_ERRNO/defaultAction: SCMP_ACT_BOGUS/' "$TMP/web.yaml" >"$TMP/bad1.yaml"
	sed 's/^spec:/spec:\n  defaultErrnoRet: 38/' "$TMP/web.yaml" >"$TMP/bad2.yaml"
	sed 's/^  - SCMP_ARCH_X86$/  - SCMP_ARCH_X86_64/' "$TMP/web.yaml" >"$TMP/bad3.yaml"
	run crd_validate --invalid "$TMP/bad1.yaml" "$TMP/bad2.yaml" "$TMP/bad3.yaml"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"bad1.yaml: spec/defaultAction"* ]]
	[[ "$output" == *"bad2.yaml: spec: Additional properties are not allowed ('defaultErrnoRet'"* ]]
	[[ "$output" == *"bad3.yaml: spec/architectures"*"non-unique"* ]]
}

@test "spo: read back by sysfence check, and the same meaning to sysfence diff" {
	"$SYSFENCE" k8s export "$DATA/web.json" --name web --as spo -o "$TMP/web.yaml"
	run "$SYSFENCE" check "$TMP/web.yaml"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" diff "$DATA/web.json" "$TMP/web.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"same meaning"* ]]
	# JSON too, and the built-in runtime default resolved for amd64.
	"$SYSFENCE" k8s export @runtime-default --name rd --as spo --resolve --arch x86_64 \
		--kernel 6.1 --format json -o "$TMP/rd.json"
	run "$SYSFENCE" diff --arch x86_64 --kernel 6.1 @runtime-default "$TMP/rd.json"
	[ "$status" -eq 0 ]
	# The diff can tell: a changed copy differs.
	"$PY" -c 'import sys,yaml; d=yaml.safe_load(open(sys.argv[1])); d["spec"]["syscalls"][4]["action"]="SCMP_ACT_ALLOW"; yaml.safe_dump(d, open(sys.argv[2],"w"))' \
		"$TMP/web.yaml" "$TMP/changed.yaml"
	run "$SYSFENCE" diff "$DATA/web.json" "$TMP/changed.yaml"
	[ "$status" -eq 1 ]
}

@test "spo: what the CRD cannot hold is refused, located, and nothing is written" {
	run "$SYSFENCE" k8s export "$DATA/commented.json" --name c --as spo -o "$TMP/out.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"commented.json:4:3: error: syscalls[0].comment: SPO's SeccompProfile has no field for comments"* ]]
	[ ! -e "$TMP/out.yaml" ]
	run "$SYSFENCE" k8s export "$DATA/commented.json" --name c --as spo --drop-comments
	[ "$status" -eq 0 ]
	[[ "$output" != *comment* ]]

	run "$SYSFENCE" k8s export "$DATA/big-value.json" --name b --as spo
	[ "$status" -eq 1 ]
	[[ "$output" == *"big-value.json:7:13: error: syscalls[0].args[0]: the value 18446744073709551615 is above 9223372036854775807"* ]]

	run "$SYSFENCE" k8s export @runtime-default --name rd --as spo
	[ "$status" -eq 1 ]
	[[ "$output" == *"archMap: SPO's SeccompProfile has no archMap"* ]]
	[[ "$output" == *"--resolve"* ]]

	printf '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}' >"$TMP/enosys.json"
	run "$SYSFENCE" k8s export "$TMP/enosys.json" --name e --as spo
	[ "$status" -eq 1 ]
	[[ "$output" == *"defaultErrnoRet: 38 cannot be expressed"* ]]

	# An invalid profile: check's error, exit 1.
	printf '{"defaultAction":"SCMP_ACT_NOPE"}' >"$TMP/bad.json"
	run "$SYSFENCE" k8s export "$TMP/bad.json" --name e --as spo
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json:1:18: error: defaultAction: unknown action"* ]]
}

@test "spo: usage errors (namespace of a cluster-scoped object, names)" {
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as spo --namespace default
	[ "$status" -eq 2 ]
	[[ "$output" == *"cluster-scoped"*"scope: Cluster"* ]]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name Web_1 --as spo
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a valid Kubernetes name"* ]]
	run "$SYSFENCE" k8s export "$DATA/web.json" --as spo
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as pod
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s export "$DATA/web.json" "$DATA/commented.json" --name a --name b --as spo
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name a --as spo --arch x86_64
	[ "$status" -eq 2 ]
	[[ "$output" == *"--resolve"* ]]
}

@test "spo: security-profiles-operator's own examples round-trip" {
	[ -d "$SHARED/corpus/spo" ] || skip "no ../shared/corpus/spo"
	need_crd
	"$PY" - "$SHARED/corpus/spo" "$TMP" <<'EOF'
import glob, os, sys, yaml
n = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    for i, d in enumerate(yaml.safe_load_all(open(f))):
        if d and d.get("kind") == "SeccompProfile":
            yaml.safe_dump(d, open(os.path.join(sys.argv[2], "in-%s-%d.yaml" % (os.path.basename(f)[:-5], i)), "w"))
            n += 1
assert n >= 10, n
EOF
	local ok=() refused=0
	for f in "$TMP"/in-*.yaml; do
		run "$SYSFENCE" k8s export "$f" --name x --as spo -o "$f.out"
		if [ "$status" -eq 0 ]; then
			run "$SYSFENCE" diff "$f" "$f.out"
			[ "$status" -eq 0 ] || { echo "$f: $output"; false; }
			ok+=("$f.out")
		else
			# Refused only what the CRD itself refuses (checked by the same validator).
			[ "$status" -eq 1 ]
			run crd_validate --invalid "$f"
			[ "$status" -eq 0 ] || { echo "$f refused but valid for the CRD: $output"; false; }
			refused=$((refused + 1))
		fi
	done
	crd_validate "${ok[@]}"
	echo "round trips: ${#ok[@]}, refused: $refused"
	[ "${#ok[@]}" -ge 10 ]
}

@test "configmap and daemonset: read back field by field" {
	run "$SYSFENCE" k8s export "$DATA/web.json" "$DATA/commented.json" --name web \
		--name no-mkdir --as daemonset --namespace sec --image reg.example/sysfence:1 \
		-o "$TMP/ds.yaml"
	[ "$status" -eq 0 ]
	"$SYSFENCE" show "$DATA/web.json" -o json >"$TMP/web.canon.json"
	"$SYSFENCE" show "$DATA/commented.json" -o json >"$TMP/c.canon.json"
	"$PY" - "$TMP/ds.yaml" "$TMP/web.canon.json" "$TMP/c.canon.json" <<'EOF'
import json, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
assert [d["kind"] for d in docs] == ["ConfigMap", "DaemonSet"]
cm, ds = docs
assert cm["apiVersion"] == "v1"
assert cm["metadata"]["name"] == "sysfence-profiles" and cm["metadata"]["namespace"] == "sec"
assert sorted(cm["data"]) == ["no-mkdir.json", "web.json"]
assert json.loads(cm["data"]["web.json"]) == json.load(open(sys.argv[2]))
assert json.loads(cm["data"]["no-mkdir.json"]) == json.load(open(sys.argv[3]))   # comments kept

assert ds["apiVersion"] == "apps/v1" and ds["metadata"]["namespace"] == "sec"
spec = ds["spec"]
labels = spec["template"]["metadata"]["labels"]
for k, v in spec["selector"]["matchLabels"].items():
    assert labels[k] == v
pod = spec["template"]["spec"]
assert pod["automountServiceAccountToken"] is False
assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
for forbidden in ("hostNetwork", "hostPID", "hostIPC", "serviceAccountName", "initContainers"):
    assert forbidden not in pod, forbidden
assert pod["tolerations"] == [{"operator": "Exists"}]
[c] = pod["containers"]
assert c["image"] == "reg.example/sysfence:1"
assert c["command"] == ["/usr/local/bin/sysfence", "k8s", "install", "--sync", "/profiles",
                        "--root", "/host/var/lib/kubelet/seccomp/profiles"]
sc = c["securityContext"]
assert sc["privileged"] is False and sc["allowPrivilegeEscalation"] is False
assert sc["readOnlyRootFilesystem"] is True
assert sc["capabilities"] == {"drop": ["ALL"]}
assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
assert sc["runAsUser"] == 0 and sc["runAsNonRoot"] is False
assert set(c["resources"]) == {"requests", "limits"}
assert set(c["resources"]["limits"]) == {"cpu", "memory"}
vols = {v["name"]: v for v in pod["volumes"]}
assert len(vols) == 2
assert vols["profiles"]["configMap"]["name"] == cm["metadata"]["name"]
assert vols["seccomp-profiles"]["hostPath"] == {"path": "/var/lib/kubelet/seccomp/profiles",
                                                "type": "DirectoryOrCreate"}
mounts = {m["name"]: m for m in c["volumeMounts"]}
assert mounts["profiles"] == {"name": "profiles", "mountPath": "/profiles", "readOnly": True}
assert mounts["seccomp-profiles"]["mountPath"] == "/host/var/lib/kubelet/seccomp/profiles"
EOF
	# sysfence's own reader: the DaemonSet's container runs RuntimeDefault, no finding.
	run "$SYSFENCE" k8s lint --pss baseline "$TMP/ds.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"container "*"install "*"RuntimeDefault (container field)"* ]]
	[[ "$output" == *"0 errors, 0 warnings"* ]]
	# --as configmap alone, in JSON.
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as configmap --format json
	[ "$status" -eq 0 ]
	"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="ConfigMap" and d["metadata"]["namespace"]=="kube-system"' "$output"
	# Several objects in JSON: a v1 List.
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as daemonset --format json
	[ "$status" -eq 0 ]
	"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="List" and [i["kind"] for i in d["items"]]==["ConfigMap","DaemonSet"]' "$output"
}

@test "deploy/: the documented manifest is what export writes" {
	[ -f "$DEPLOY/example-daemonset.yaml" ] || skip "no deploy/example-daemonset.yaml"
	run "$SYSFENCE" k8s export "$DEPLOY/example-profile.json" --name example --as daemonset
	[ "$status" -eq 0 ]
	# The file is export's output after its header comments.
	diff <(grep -v '^#' "$DEPLOY/example-daemonset.yaml") <(printf '%s\n' "$output")
	# And the image recipe installs sysfence where the DaemonSet runs it.
	grep -q '/usr/local/bin/sysfence' "$DEPLOY/Containerfile"
}

@test "patch: Localhost profiles/NAME.json, or operator/NAME.json, at each place" {
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as patch
	[ "$status" -eq 0 ]
	"$PY" -c '
import sys, yaml
d = yaml.safe_load(sys.argv[1])
assert d == {"spec": {"template": {"spec": {"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/web.json"}}}}}}, d
' "$output"
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as patch --operator --for cronjob --format json
	[ "$status" -eq 0 ]
	"$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
sp = d["spec"]["jobTemplate"]["spec"]["template"]["spec"]["securityContext"]["seccompProfile"]
assert sp == {"type": "Localhost", "localhostProfile": "operator/web.json"}, sp
' "$output"
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as patch --for securitycontext
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "securityContext:" ]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as patch --namespace x
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s export "$DATA/web.json" --name web --as spo --operator
	[ "$status" -eq 2 ]
}

@test "end to end: ConfigMap installed by install --sync, patched workload linted against it" {
	"$SYSFENCE" k8s export "$DATA/web.json" --name web --as configmap -o "$TMP/cm.yaml"
	# The ConfigMap as the kubelet mounts it: ..data -> a generation holding the keys.
	"$PY" - "$TMP/cm.yaml" "$TMP/volume" <<'EOF'
import os, sys, yaml
cm = yaml.safe_load(open(sys.argv[1]))
gen = os.path.join(sys.argv[2], "..2024_05_01_10_00_00.000000001")
os.makedirs(gen)
for k, v in cm["data"].items():
    open(os.path.join(gen, k), "w").write(v)
    os.symlink(os.path.join("..data", k), os.path.join(sys.argv[2], k))
os.symlink(os.path.basename(gen), os.path.join(sys.argv[2], "..data"))
EOF
	run "$SYSFENCE" k8s install --sync "$TMP/volume" --root "$TMP/kubelet/seccomp/profiles" --once
	[ "$status" -eq 0 ]
	[[ "$output" == *"added web.json"* ]]
	"$SYSFENCE" k8s export "$DATA/web.json" --name web --as patch -o "$TMP/patch.yaml"
	cat >"$TMP/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx}
EOF
	# kubectl patch --type strategic, for these maps: a deep merge.
	"$PY" - "$TMP/deploy.yaml" "$TMP/patch.yaml" "$TMP/patched.yaml" <<'EOF'
import sys, yaml
def merge(a, b):
    for k, v in b.items():
        a[k] = merge(a.get(k, {}), v) if isinstance(v, dict) else v
    return a
d = merge(yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2])))
yaml.safe_dump(d, open(sys.argv[3], "w"))
EOF
	run "$SYSFENCE" k8s lint --profiles-dir "$TMP/kubelet/seccomp" "$TMP/patched.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Localhost profiles/web.json (pod field)"* ]]
	[[ "$output" == *"0 errors, 0 warnings"* ]]
	# Without the installed file the same workload is an error: the check can fail.
	rm "$TMP/kubelet/seccomp/profiles/web.json"
	run "$SYSFENCE" k8s lint --profiles-dir "$TMP/kubelet/seccomp" "$TMP/patched.yaml"
	[ "$status" -eq 1 ]
}
