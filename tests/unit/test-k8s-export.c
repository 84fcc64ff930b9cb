/*
 * Unit tests of lib/k8s/export.c: the SeccompProfile field by field, every refusal (what SPO's
 * CRD cannot hold), the ConfigMap read back, the DaemonSet's least-privilege settings, the
 * patches, names, and the writers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysfence/doc.h>
#include <sysfence/k8s.h>
#include <sysfence/profile.h>

static struct sf_profile *parse(const char *text)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	int r = sf_profile_parse(text[0] == '{' ? "p.json" : "p.yaml", text, strlen(text),
				 SF_DOC_AUTO, NULL, &p, &err);
	if (r < 0)
		fail_msg("profile does not parse: %s", err.msg);
	return p;
}

/* Follow a path of keys and [indexes] ("spec.syscalls[0].names[1]"). */
static const struct sf_node *at(const struct sf_node *n, const char *path)
{
	char key[128];
	while (n && *path) {
		if (*path == '.')
			path++;
		if (*path == '[') {
			char *end;
			unsigned long i = strtoul(path + 1, &end, 10);
			if (n->kind != SF_NODE_ARRAY || i >= n->len)
				return NULL;
			n = n->items[i];
			path = end + 1;
			continue;
		}
		size_t k = strcspn(path, ".[");
		memcpy(key, path, k);
		key[k] = 0;
		n = n->kind == SF_NODE_OBJECT ? sf_node_get(n, key) : NULL;
		path += k;
	}
	return n;
}

static const char *str_at(const struct sf_node *n, const char *path)
{
	const struct sf_node *v = at(n, path);
	if (!v || v->kind != SF_NODE_STRING)
		fail_msg("%s: not a string", path);
	return v->str;
}

static uint64_t num_at(const struct sf_node *n, const char *path)
{
	const struct sf_node *v = at(n, path);
	uint64_t x = 0;
	if (!v || v->kind != SF_NODE_NUMBER || sf_node_u64(v, &x) < 0)
		fail_msg("%s: not a number", path);
	return x;
}

static bool bool_at(const struct sf_node *n, const char *path)
{
	const struct sf_node *v = at(n, path);
	if (!v || v->kind != SF_NODE_BOOL)
		fail_msg("%s: not a boolean", path);
	return v->boolean;
}

/* The SPO export of text must fail, with a message holding want. */
static void refused(const char *text, unsigned flags, const char *want)
{
	struct sf_profile *p = parse(text);
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	assert_int_equal(sf_k8s_spo_object_flags(p, "x", flags, &doc, &err), -EINVAL);
	assert_null(doc);
	if (!strstr(err.msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
	sf_profile_free(p);
}

static struct sf_doc *spo(const char *text, unsigned flags)
{
	struct sf_profile *p = parse(text);
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	if (sf_k8s_spo_object_flags(p, "my-profile", flags, &doc, &err) < 0)
		fail_msg("refused: %s", err.msg);
	sf_profile_free(p);
	assert_int_equal(doc->nroots, 1);
	return doc;
}

static void test_spo_object_maps_every_field(void **state)
{
	struct sf_doc *doc =
	    spo("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
		"\"listenerPath\":\"/var/run/security-profiles-operator/agent.sock\","
		"\"listenerMetadata\":\"m\",\"syscalls\":["
		"{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":8,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":255,\"valueTwo\":8,"
		"\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}",
		0);
	const struct sf_node *o = sf_doc_root(doc);

	assert_string_equal(str_at(o, "apiVersion"), "security-profiles-operator.x-k8s.io/v1");
	assert_string_equal(str_at(o, "kind"), "SeccompProfile");
	assert_string_equal(str_at(o, "metadata.name"), "my-profile");
	/* Cluster-scoped: no namespace. */
	assert_null(at(o, "metadata.namespace"));
	assert_string_equal(str_at(o, "spec.defaultAction"), "SCMP_ACT_ERRNO");
	assert_string_equal(str_at(o, "spec.architectures[1]"), "SCMP_ARCH_X86");
	assert_string_equal(str_at(o, "spec.flags[0]"), "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(str_at(o, "spec.listenerPath"),
			    "/var/run/security-profiles-operator/agent.sock");
	assert_string_equal(str_at(o, "spec.listenerMetadata"), "m");
	assert_string_equal(str_at(o, "spec.syscalls[0].names[1]"), "write");
	assert_string_equal(str_at(o, "spec.syscalls[0].action"), "SCMP_ACT_ALLOW");
	assert_null(at(o, "spec.syscalls[0].errnoRet"));
	assert_int_equal(num_at(o, "spec.syscalls[1].args[0].index"), 0);
	assert_int_equal(num_at(o, "spec.syscalls[1].args[0].value"), 8);
	assert_string_equal(str_at(o, "spec.syscalls[1].args[0].op"), "SCMP_CMP_EQ");
	assert_int_equal(num_at(o, "spec.syscalls[1].args[1].index"), 1);
	assert_int_equal(num_at(o, "spec.syscalls[1].args[1].value"), 255);
	assert_int_equal(num_at(o, "spec.syscalls[1].args[1].valueTwo"), 8);
	assert_string_equal(str_at(o, "spec.syscalls[1].args[1].op"), "SCMP_CMP_MASKED_EQ");
	assert_int_equal(num_at(o, "spec.syscalls[2].errnoRet"), 38);
	/* Nothing SPO does not have. */
	assert_null(at(o, "spec.defaultErrnoRet"));
	assert_null(at(o, "spec.archMap"));
	assert_null(at(o, "status"));
	sf_doc_free(doc);
}

static void test_spo_podman_errno_names_become_numbers(void **state)
{
	struct sf_doc *doc =
	    spo("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		"[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"ENOSYS\"}]}",
		0);
	assert_int_equal(num_at(sf_doc_root(doc), "spec.syscalls[0].errnoRet"), 38);
	assert_null(at(sf_doc_root(doc), "spec.syscalls[0].errno"));
	sf_doc_free(doc);
}

static void test_spo_default_errno_eperm_is_the_same_outcome(void **state)
{
	struct sf_doc *doc = spo("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1}", 0);
	assert_null(at(sf_doc_root(doc), "spec.defaultErrnoRet"));
	sf_doc_free(doc);
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38}", 0,
		"defaultErrnoRet: 38 cannot be expressed");
}

static void test_spo_refuses_what_the_crd_cannot_hold(void **state)
{
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}]}",
		0, "archMap");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_PTRACE\"]}}]}",
		0, "includes/excludes");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":[\"s390x\"]}}]}",
		0, "includes/excludes");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"why\"}]}",
		0, "syscalls[0].comment");
	refused(
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_LOONGARCH64\"]}",
	    0, "not one of the architectures");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/agent.sock\"}", 0,
		"listenerPath");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":"
		"\"/var/run/security-profiles-operator/a/b.sock\"}",
		0, "listenerPath");
	refused(
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"read\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	    0, "syscalls[0].names[1]: \"read\" is given twice");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_X86\"]}",
		0, "architectures[1]");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}",
		0, "minItems: 1");
}

static void test_spo_comments_dropped_on_request(void **state)
{
	struct sf_doc *doc = spo("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
				 "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"why\"}]}",
				 SF_K8S_SPO_DROP_COMMENTS);
	assert_null(at(sf_doc_root(doc), "spec.syscalls[0].comment"));
	assert_string_equal(str_at(sf_doc_root(doc), "spec.syscalls[0].names[0]"), "read");
	sf_doc_free(doc);
}

static void test_spo_argument_values_are_int64(void **state)
{
	struct sf_doc *doc = spo("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
				 "[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,"
				 "\"value\":9223372036854775807,\"op\":\"SCMP_CMP_LE\"}]}]}",
				 0);
	assert_int_equal(num_at(sf_doc_root(doc), "spec.syscalls[0].args[0].value"), INT64_MAX);
	sf_doc_free(doc);
	refused(
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ioctl\"],"
	    "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":9223372036854775808,"
	    "\"op\":\"SCMP_CMP_LE\"}]}]}",
	    0, "9223372036854775808 is above 9223372036854775807");
	refused("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ioctl\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":1,\"valueTwo\":"
		"18446744073709551615,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
		0, "args[0]");
}

static void test_spo_refusals_are_located(void **state)
{
	struct sf_profile *p = parse("{\n\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [\n"
				     "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
				     "   \"comment\": \"c\"}]}\n");
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	assert_int_equal(sf_k8s_spo_object(p, "x", &doc, &err), -EINVAL);
	assert_string_equal(err.file, "p.json");
	assert_int_equal(err.line, 4);
	assert_int_equal(err.col, 3);
	sf_profile_free(p);
}

static void test_spo_object_from_an_spo_object(void **state)
{
	/* What the model does not keep of a SeccompProfile read back is refused. */
	refused("apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n"
		"metadata: {name: a}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n"
		"  baseProfileName: runc-v1.0.0\n",
		0, "baseProfileName");
	refused("apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n"
		"metadata: {name: a}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  state: Disabled\n",
		0, "spec.state");
	struct sf_doc *doc = spo("apiVersion: security-profiles-operator.x-k8s.io/v1\n"
				 "kind: SeccompProfile\nmetadata: {name: a}\nspec:\n"
				 "  defaultAction: SCMP_ACT_LOG\n  state: Enabled\n",
				 0);
	assert_string_equal(str_at(sf_doc_root(doc), "spec.defaultAction"), "SCMP_ACT_LOG");
	assert_string_equal(str_at(sf_doc_root(doc), "metadata.name"), "my-profile");
	sf_doc_free(doc);
}

static void test_spo_builtin_runtime_default_needs_resolving(void **state)
{
	struct sf_profile *p = NULL, *rp = NULL;
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	struct sf_target t = {.arch = "x86_64", .kernel_major = 6, .kernel_minor = 1};

	assert_int_equal(sf_profile_builtin("@runtime-default", &p, &err), 0);
	assert_int_equal(sf_k8s_spo_object(p, "rd", &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "archMap"));
	assert_int_equal(sf_profile_resolve(p, &t, &rp, &err), 0);
	assert_int_equal(sf_k8s_spo_object(rp, "rd", &doc, &err), 0);
	assert_string_equal(str_at(sf_doc_root(doc), "spec.architectures[0]"), "SCMP_ARCH_X86_64");
	sf_doc_free(doc);
	sf_profile_free(rp);
	sf_profile_free(p);
}

static void test_names(void **state)
{
	assert_true(sf_k8s_valid_name("a"));
	assert_true(sf_k8s_valid_name("my-profile.v2"));
	assert_true(sf_k8s_valid_name("0abc"));
	assert_false(sf_k8s_valid_name(""));
	assert_false(sf_k8s_valid_name("My"));
	assert_false(sf_k8s_valid_name("-a"));
	assert_false(sf_k8s_valid_name("a-"));
	assert_false(sf_k8s_valid_name("a..b"));
	assert_false(sf_k8s_valid_name("a_b"));
	assert_false(sf_k8s_valid_name("a/b"));
	char long_name[300];
	memset(long_name, 'a', 253);
	long_name[253] = 0;
	assert_true(sf_k8s_valid_name(long_name));
	long_name[253] = 'a';
	long_name[254] = 0;
	assert_false(sf_k8s_valid_name(long_name));
	assert_true(sf_k8s_valid_namespace("kube-system"));
	assert_false(sf_k8s_valid_namespace("a.b"));
	memset(long_name, 'a', 64);
	long_name[64] = 0;
	assert_false(sf_k8s_valid_namespace(long_name));

	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_LOG\"}");
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	assert_int_equal(sf_k8s_spo_object(p, "Bad_Name", &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a valid Kubernetes object name"));
	sf_profile_free(p);
}

/* Export as, with the profiles given. */
static int export(enum sf_k8s_export_as as, struct sf_profile **p, const char **names, size_t n,
		  struct sf_k8s_export_opts *extra, struct sf_doc **doc, struct sf_error *err)
{
	struct sf_k8s_export_opts o = {0};
	if (extra)
		o = *extra;
	o.as = as;
	o.profiles = (const struct sf_profile *const *)p;
	o.names = names;
	o.nprofiles = n;
	return sf_k8s_export(&o, doc, err);
}

static void test_configmap_holds_the_canonical_json(void **state)
{
	struct sf_profile *p[2] = {
	    parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"name\":\"read\","
		  "\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"kept\"}]}"),
	    parse("{\"defaultAction\":\"SCMP_ACT_LOG\"}"),
	};
	const char *names[] = {"one", "two"};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	assert_int_equal(export(SF_K8S_EXPORT_CONFIGMAP, p, names, 2, NULL, &doc, &err), 0);
	assert_int_equal(doc->nroots, 1);
	const struct sf_node *cm = sf_doc_root(doc);
	assert_string_equal(str_at(cm, "apiVersion"), "v1");
	assert_string_equal(str_at(cm, "kind"), "ConfigMap");
	assert_string_equal(str_at(cm, "metadata.name"), SF_K8S_DEFAULT_OBJECT);
	assert_string_equal(str_at(cm, "metadata.namespace"), SF_K8S_DEFAULT_NAMESPACE);
	for (int i = 0; i < 2; i++) {
		/* A key with a dot: looked up directly. */
		const struct sf_node *data = at(cm, "data");
		char k[32];
		snprintf(k, sizeof(k), "%s.json", names[i]);
		const struct sf_node *v = sf_node_get(data, k);
		assert_non_null(v);
		assert_int_equal(v->kind, SF_NODE_STRING);
		/* It reads back as the same profile: the same canonical bytes. */
		struct sf_profile *back = NULL;
		assert_int_equal(
		    sf_profile_parse(k, v->str, v->len, SF_DOC_JSON, NULL, &back, &err), 0);
		struct sf_buf a = {0}, b = {0};
		assert_int_equal(sf_profile_write(p[i], SF_OUT_JSON, &a, &err), 0);
		assert_int_equal(sf_profile_write(back, SF_OUT_JSON, &b, &err), 0);
		assert_string_equal(a.data, b.data);
		/* Indented with spaces (a YAML literal block can hold it). */
		assert_null(strchr(v->str, '\t'));
		sf_buf_free(&a);
		sf_buf_free(&b);
		sf_profile_free(back);
	}
	sf_doc_free(doc);

	/* Namespace and name chosen; a name given twice refused. */
	struct sf_k8s_export_opts o = {.namespace = "security", .object_name = "profiles"};
	assert_int_equal(export(SF_K8S_EXPORT_CONFIGMAP, p, names, 1, &o, &doc, &err), 0);
	assert_string_equal(str_at(sf_doc_root(doc), "metadata.namespace"), "security");
	assert_string_equal(str_at(sf_doc_root(doc), "metadata.name"), "profiles");
	sf_doc_free(doc);
	const char *same[] = {"one", "one"};
	assert_int_equal(export(SF_K8S_EXPORT_CONFIGMAP, p, same, 2, NULL, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "given to two profiles"));
	o.namespace = "Bad.NS";
	assert_int_equal(export(SF_K8S_EXPORT_CONFIGMAP, p, names, 1, &o, &doc, &err), -EINVAL);
	sf_profile_free(p[0]);
	sf_profile_free(p[1]);
}

static void test_configmap_size_limit(void **state)
{
	/* About 1.2 MB of rules: more than a ConfigMap holds. */
	struct sf_buf text = {0};
	sf_buf_puts(&text, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (int i = 0; i < 12000; i++)
		sf_buf_printf(&text,
			      "%s{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
			      "\"errnoRet\":%d}",
			      i ? "," : "", 1 + i % 4000);
	sf_buf_puts(&text, "]}");
	struct sf_profile *p = parse(text.data);
	const char *names[] = {"big"};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	assert_int_equal(export(SF_K8S_EXPORT_CONFIGMAP, &p, names, 1, NULL, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "1 MiB"));
	sf_profile_free(p);
	sf_buf_free(&text);
}

static void test_daemonset_least_privilege(void **state)
{
	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_LOG\"}");
	const char *names[] = {"audit"};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	struct sf_k8s_export_opts o = {.image = "registry.example/sysfence:1",
				       .kubelet_root = "/var/lib/k0s/kubelet"};

	assert_int_equal(export(SF_K8S_EXPORT_DAEMONSET, &p, names, 1, &o, &doc, &err), 0);
	assert_int_equal(doc->nroots, 2);
	assert_string_equal(str_at(doc->roots[0], "kind"), "ConfigMap");
	const struct sf_node *ds = doc->roots[1];
	assert_string_equal(str_at(ds, "apiVersion"), "apps/v1");
	assert_string_equal(str_at(ds, "kind"), "DaemonSet");
	assert_string_equal(str_at(ds, "metadata.namespace"), "kube-system");
	const struct sf_node *sel =
	    sf_node_get(at(ds, "spec.selector.matchLabels"), "app.kubernetes.io/name");
	assert_non_null(sel);
	assert_string_equal(sel->str, SF_K8S_DEFAULT_OBJECT);
	const struct sf_node *ps = at(ds, "spec.template.spec");
	assert_false(bool_at(ps, "automountServiceAccountToken"));
	assert_string_equal(str_at(ps, "securityContext.seccompProfile.type"), "RuntimeDefault");
	assert_null(at(ps, "hostNetwork"));
	assert_null(at(ps, "hostPID"));
	const struct sf_node *c = at(ps, "containers[0]");
	assert_non_null(c);
	assert_null(at(ps, "containers[1]"));
	assert_string_equal(str_at(c, "image"), "registry.example/sysfence:1");
	assert_string_equal(str_at(c, "command[0]"), "/usr/local/bin/sysfence");
	assert_string_equal(str_at(c, "command[3]"), "--sync");
	assert_string_equal(str_at(c, "command[4]"), "/profiles");
	assert_string_equal(str_at(c, "command[6]"), "/host/var/lib/k0s/kubelet/seccomp/profiles");
	assert_false(bool_at(c, "securityContext.privileged"));
	assert_false(bool_at(c, "securityContext.allowPrivilegeEscalation"));
	assert_true(bool_at(c, "securityContext.readOnlyRootFilesystem"));
	assert_string_equal(str_at(c, "securityContext.capabilities.drop[0]"), "ALL");
	assert_null(at(c, "securityContext.capabilities.add"));
	assert_string_equal(str_at(c, "securityContext.seccompProfile.type"), "RuntimeDefault");
	assert_string_equal(str_at(c, "resources.limits.memory"), "64Mi");
	assert_string_equal(str_at(c, "resources.limits.cpu"), "100m");
	/* Two volumes: the ConfigMap, read-only, and that one host directory. */
	assert_string_equal(str_at(ps, "volumes[0].configMap.name"), SF_K8S_DEFAULT_OBJECT);
	assert_string_equal(str_at(ps, "volumes[1].hostPath.path"),
			    "/var/lib/k0s/kubelet/seccomp/profiles");
	assert_string_equal(str_at(ps, "volumes[1].hostPath.type"), "DirectoryOrCreate");
	assert_null(at(ps, "volumes[2]"));
	assert_true(bool_at(c, "volumeMounts[0].readOnly"));
	assert_string_equal(str_at(c, "volumeMounts[1].mountPath"),
			    "/host/var/lib/k0s/kubelet/seccomp/profiles");
	sf_doc_free(doc);

	o.kubelet_root = "relative/dir";
	assert_int_equal(export(SF_K8S_EXPORT_DAEMONSET, &p, names, 1, &o, &doc, &err), -EINVAL);
	o.kubelet_root = "/var/lib/../kubelet";
	assert_int_equal(export(SF_K8S_EXPORT_DAEMONSET, &p, names, 1, &o, &doc, &err), -EINVAL);
	o.kubelet_root = NULL;
	o.image = "has space";
	assert_int_equal(export(SF_K8S_EXPORT_DAEMONSET, &p, names, 1, &o, &doc, &err), -EINVAL);
	sf_profile_free(p);
}

static void test_patches(void **state)
{
	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_LOG\"}");
	const char *names[] = {"audit"};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	static const struct {
		enum sf_k8s_patch_for f;
		bool op;
		const char *path, *want;
	} cases[] = {
	    {SF_K8S_PATCH_TEMPLATE, false, "spec.template.spec.securityContext.seccompProfile",
	     "profiles/audit.json"},
	    {SF_K8S_PATCH_TEMPLATE, true, "spec.template.spec.securityContext.seccompProfile",
	     "operator/audit.json"},
	    {SF_K8S_PATCH_CRONJOB, false,
	     "spec.jobTemplate.spec.template.spec.securityContext.seccompProfile",
	     "profiles/audit.json"},
	    {SF_K8S_PATCH_POD, false, "spec.securityContext.seccompProfile", "profiles/audit.json"},
	    {SF_K8S_PATCH_SECURITY_CONTEXT, true, "securityContext.seccompProfile",
	     "operator/audit.json"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_k8s_export_opts o = {.patch_for = cases[i].f,
					       .operator_path = cases[i].op};
		assert_int_equal(export(SF_K8S_EXPORT_PATCH, &p, names, 1, &o, &doc, &err), 0);
		const struct sf_node *sp = at(sf_doc_root(doc), cases[i].path);
		assert_non_null(sp);
		assert_string_equal(str_at(sp, "type"), "Localhost");
		assert_string_equal(str_at(sp, "localhostProfile"), cases[i].want);
		assert_int_equal(sf_doc_root(doc)->len, 1);
		sf_doc_free(doc);
	}
	/* SPO: no namespace (cluster-scoped). */
	struct sf_k8s_export_opts o = {.namespace = "default"};
	assert_int_equal(export(SF_K8S_EXPORT_SPO, &p, names, 1, &o, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cluster-scoped"));
	sf_profile_free(p);
}

static void test_writers(void **state)
{
	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_LOG\"}");
	const char *names[] = {"audit"};
	struct sf_doc *doc = NULL, *back = NULL;
	struct sf_error err = {0};
	struct sf_buf yaml = {0}, json = {0};

	assert_int_equal(export(SF_K8S_EXPORT_DAEMONSET, &p, names, 1, NULL, &doc, &err), 0);
	assert_int_equal(sf_k8s_write_objects(doc, false, &yaml, &err), 0);
	assert_int_equal(strncmp(yaml.data, "---\n", 4), 0);
	/* Read back: two documents, the same kinds. */
	assert_int_equal(
	    sf_doc_parse("o.yaml", yaml.data, yaml.len, SF_DOC_YAML, SF_DOC_MULTI, &back, &err), 0);
	assert_int_equal(back->nroots, 2);
	assert_string_equal(str_at(back->roots[0], "kind"), "ConfigMap");
	assert_string_equal(str_at(back->roots[1], "kind"), "DaemonSet");
	assert_false(bool_at(back->roots[1], "spec.template.spec.containers[0].securityContext."
					     "allowPrivilegeEscalation"));
	sf_doc_free(back);
	/* JSON: a v1 List. */
	assert_int_equal(sf_k8s_write_objects(doc, true, &json, &err), 0);
	assert_int_equal(sf_doc_parse("o.json", json.data, json.len, SF_DOC_JSON, 0, &back, &err),
			 0);
	assert_string_equal(str_at(sf_doc_root(back), "kind"), "List");
	assert_string_equal(str_at(sf_doc_root(back), "items[1].kind"), "DaemonSet");
	sf_doc_free(back);
	sf_doc_free(doc);
	sf_buf_free(&yaml);
	sf_buf_free(&json);

	/* One object: no separator, no List. */
	yaml = (struct sf_buf){0};
	json = (struct sf_buf){0};
	assert_int_equal(export(SF_K8S_EXPORT_SPO, &p, names, 1, NULL, &doc, &err), 0);
	assert_int_equal(sf_k8s_write_objects(doc, false, &yaml, &err), 0);
	assert_int_equal(strncmp(yaml.data, "apiVersion:", 11), 0);
	assert_int_equal(sf_k8s_write_objects(doc, true, &json, &err), 0);
	assert_int_equal(json.data[0], '{');
	/* The SPO object read back is the same profile. */
	struct sf_profile *q = NULL;
	assert_int_equal(
	    sf_profile_parse("o.yaml", yaml.data, yaml.len, SF_DOC_YAML, NULL, &q, &err), 0);
	assert_int_equal(q->default_action, SF_ACT_LOG);
	sf_profile_free(q);
	sf_doc_free(doc);
	sf_buf_free(&yaml);
	sf_buf_free(&json);
	sf_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spo_object_maps_every_field),
	    cmocka_unit_test(test_spo_podman_errno_names_become_numbers),
	    cmocka_unit_test(test_spo_default_errno_eperm_is_the_same_outcome),
	    cmocka_unit_test(test_spo_refuses_what_the_crd_cannot_hold),
	    cmocka_unit_test(test_spo_comments_dropped_on_request),
	    cmocka_unit_test(test_spo_argument_values_are_int64),
	    cmocka_unit_test(test_spo_refusals_are_located),
	    cmocka_unit_test(test_spo_object_from_an_spo_object),
	    cmocka_unit_test(test_spo_builtin_runtime_default_needs_resolving),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_configmap_holds_the_canonical_json),
	    cmocka_unit_test(test_configmap_size_limit),
	    cmocka_unit_test(test_daemonset_least_privilege),
	    cmocka_unit_test(test_patches),
	    cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
