/*
 * Profiles as Kubernetes objects: a security-profiles-operator SeccompProfile, a ConfigMap of
 * profiles and the DaemonSet that installs it on every node, a patch pointing a workload at a
 * profile. Everything the target cannot express is refused where it is in the profile.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <sysfence/k8s.h>
#include <sysfence/profile.h>
#include <sysfence/sysfence.h>

#include "util/util.h"

/* "The data stored in a ConfigMap cannot exceed 1 MiB" (kubernetes.io, ConfigMaps). */
#define CONFIGMAP_MAX_BYTES (1024 * 1024)
/* A ConfigMap key: at most 253 characters of [-._a-zA-Z0-9] (IsConfigMapKey). */
#define CONFIGMAP_KEY_MAX 253

/* The enums of SPO's CRD (crd-seccompprofile.yaml, version v1, spec.architectures.items.enum
 * and spec.flags.items.enum). */
static const char *const spo_arches[] = {
    "SCMP_ARCH_NATIVE",	  "SCMP_ARCH_X86",	"SCMP_ARCH_X86_64",
    "SCMP_ARCH_X32",	  "SCMP_ARCH_ARM",	"SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS",	  "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",	  "SCMP_ARCH_PPC64",	"SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",	  "SCMP_ARCH_S390X",	"SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	NULL,
};
static const char *const spo_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};
/* spec.listenerPath's pattern: ^/var/run/security-profiles-operator/[a-zA-Z0-9_\-\.]+$ */
#define SPO_LISTENER_DIR "/var/run/security-profiles-operator/"

bool sf_k8s_valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 253)
		return false;
	/* Dot-separated DNS labels: each [a-z0-9]([-a-z0-9]*[a-z0-9])? */
	for (const char *p = s;;) {
		const char *end = strchrnul(p, '.');
		if (end == p || p[0] == '-' || end[-1] == '-')
			return false;
		for (const char *q = p; q < end; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-'))
				return false;
		if (!*end)
			return true;
		p = end + 1;
	}
}

bool sf_k8s_valid_namespace(const char *s)
{
	return s && strlen(s) <= 63 && !strchr(s, '.') && sf_k8s_valid_name(s);
}

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Building: the first failure is kept in r, later calls do nothing. */
struct builder {
	struct sf_doc *doc;
	struct sf_error *err;
	const char *file; /* the profile's file, for located errors */
	int r;
};

static void oom(struct builder *b)
{
	if (b->r == 0)
		b->r = sf_error_set(b->err, -ENOMEM, "out of memory");
}

static struct sf_node *obj(struct builder *b)
{
	struct sf_node *n = b->r ? NULL : sf_node_new(b->doc, SF_NODE_OBJECT);
	if (!n)
		oom(b);
	return n;
}

static struct sf_node *arr(struct builder *b)
{
	struct sf_node *n = b->r ? NULL : sf_node_new(b->doc, SF_NODE_ARRAY);
	if (!n)
		oom(b);
	return n;
}

static struct sf_node *str(struct builder *b, const char *s)
{
	struct sf_node *n = b->r ? NULL : sf_node_new_string(b->doc, s);
	if (!n)
		oom(b);
	return n;
}

static struct sf_node *u64(struct builder *b, uint64_t v)
{
	struct sf_node *n = b->r ? NULL : sf_node_new_u64(b->doc, v);
	if (!n)
		oom(b);
	return n;
}

static struct sf_node *boolean(struct builder *b, bool v)
{
	struct sf_node *n = b->r ? NULL : sf_node_new_bool(b->doc, v);
	if (!n)
		oom(b);
	return n;
}

static void set(struct builder *b, struct sf_node *o, const char *key, struct sf_node *v)
{
	if (b->r == 0 && (!o || sf_node_set(b->doc, o, key, v) < 0))
		oom(b);
}

static void push(struct builder *b, struct sf_node *a, struct sf_node *v)
{
	if (b->r == 0 && (!a || sf_node_append(b->doc, a, v) < 0))
		oom(b);
}

static void root(struct builder *b, struct sf_node *o)
{
	if (b->r == 0 && (!o || sf_doc_add_root(b->doc, o) < 0))
		oom(b);
}

/* A located refusal: at the node when it was read from a file, else at the profile's file. */
static int refuse(struct builder *b, const struct sf_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(struct builder *b, const struct sf_node *at, const char *fmt, ...)
{
	va_list ap;

	if (b->r)
		return b->r;
	va_start(ap, fmt);
	b->r = sf_error_vset_at(b->err, -EINVAL, b->file, at ? at->line : 0, at ? at->col : 0, fmt,
				ap);
	va_end(ap);
	return b->r;
}

static const char *profile_file(const struct sf_profile *p)
{
	return p->doc && p->doc->name ? p->doc->name : NULL;
}

/* `{key: value}` pairs for metadata.labels. */
static struct sf_node *labels(struct builder *b, const char *name, bool component)
{
	struct sf_node *l = obj(b);
	set(b, l, "app.kubernetes.io/name", str(b, name));
	if (component)
		set(b, l, "app.kubernetes.io/component", str(b, "seccomp-profile-installer"));
	set(b, l, "app.kubernetes.io/managed-by", str(b, "sysfence"));
	return l;
}

/* A set (x-kubernetes-list-type: set) refuses duplicates. */
static bool check_set(struct builder *b, char **v, size_t n, const struct sf_node *const *nodes,
		      const struct sf_node *fallback, const char *path)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0) {
				refuse(
				    b, nodes ? nodes[i] : fallback,
				    "%s[%zu]: \"%s\" is given twice; SPO's CRD declares %s a set "
				    "(x-kubernetes-list-type: set) and the API server refuses "
				    "duplicates (remove one)",
				    path, i, v[i], path);
				return false;
			}
	return true;
}

/* A profile read from a SeccompProfile object: what the model does not keep must not be lost
 * silently. */
static bool spo_leftovers(struct builder *b, const struct sf_profile *p)
{
	const struct sf_node *src = p->node, *v;

	if (!src || src->kind != SF_NODE_OBJECT)
		return true;
	if ((v = sf_node_get(src, "baseProfileName"))) {
		refuse(b, v,
		       "spec.baseProfileName: the base profile's rules are not part of this "
		       "profile; merge them in first, or keep the SeccompProfile object as it is");
		return false;
	}
	if ((v = sf_node_get(src, "state")) &&
	    !(v->kind == SF_NODE_STRING && strcmp(v->str, "Enabled") == 0)) {
		refuse(b, v,
		       "spec.state: the profile is disabled (the operator does not install it); "
		       "enable it, or leave it out");
		return false;
	}
	return true;
}

static struct sf_node *spo_arg(struct builder *b, const struct sf_arg *a, const struct sf_node *at,
			       const char *path)
{
	struct sf_node *o;

	/* format: int64, minimum: 0. A larger value would not survive the API server's JSON
	 * decoding as an integer. */
	if (a->value > INT64_MAX || a->value_two > INT64_MAX) {
		refuse(b, a->node ? a->node : at,
		       "%s: the value %" PRIu64 " is above %" PRId64
		       ", the largest SPO's CRD accepts (value and valueTwo are int64, minimum 0); "
		       "SPO cannot express this condition",
		       path, a->value > INT64_MAX ? a->value : a->value_two, INT64_MAX);
		return NULL;
	}
	if (a->index > 5 || !sf_op_name(a->op)) {
		refuse(b, a->node ? a->node : at, "%s: not a valid argument condition", path);
		return NULL;
	}
	o = obj(b);
	set(b, o, "index", u64(b, a->index));
	set(b, o, "value", u64(b, a->value));
	set(b, o, "valueTwo", u64(b, a->value_two));
	set(b, o, "op", str(b, sf_op_name(a->op)));
	return o;
}

static struct sf_node *spo_rule(struct builder *b, const struct sf_rule *r, size_t i,
				unsigned flags)
{
	char path[64];
	struct sf_node *o, *names, *args;

	snprintf(path, sizeof(path), "syscalls[%zu]", i);
	if (r->includes.ncaps || r->includes.narches || r->includes.min_kernel ||
	    r->excludes.ncaps || r->excludes.narches || r->excludes.min_kernel) {
		refuse(b,
		       r->includes.node	  ? r->includes.node
		       : r->excludes.node ? r->excludes.node
					  : r->node,
		       "%s: Docker's includes/excludes have no equivalent in SPO's SeccompProfile "
		       "(which rules apply depends on the node's capabilities, architecture and "
		       "kernel); resolve the profile for the nodes first (--resolve, with --arch, "
		       "--caps and --kernel)",
		       path);
		return NULL;
	}
	if (r->comment && !(flags & SF_K8S_SPO_DROP_COMMENTS)) {
		refuse(b, r->node,
		       "%s.comment: SPO's SeccompProfile has no field for comments; remove it, or "
		       "pass --drop-comments (comments never change what is enforced)",
		       path);
		return NULL;
	}
	if (r->nnames == 0) {
		refuse(b, r->node,
		       "%s.names: SPO's CRD needs at least one name in a rule (minItems: 1); this "
		       "rule applies to no syscall: remove it",
		       path);
		return NULL;
	}
	if (!sf_action_name(r->action)) {
		refuse(b, r->node, "%s.action: no valid action", path);
		return NULL;
	}
	if (r->nargs > 6) {
		refuse(
		    b, r->node,
		    "%s.args: %zu conditions, SPO's CRD takes at most 6 (maxItems: 6); split the "
		    "rule",
		    path, r->nargs);
		return NULL;
	}
	char npath[80];
	snprintf(npath, sizeof(npath), "%s.names", path);
	if (!check_set(b, r->names, r->nnames, r->name_nodes, r->node, npath))
		return NULL;

	o = obj(b);
	names = arr(b);
	for (size_t k = 0; k < r->nnames; k++)
		push(b, names, str(b, r->names[k]));
	set(b, o, "names", names);
	set(b, o, "action", str(b, sf_action_name(r->action)));
	/* errnoRet: int32, minimum 0; podman's errno name is written as its number. */
	if (r->has_errno)
		set(b, o, "errnoRet", u64(b, r->errno_ret));
	if (r->nargs) {
		args = arr(b);
		for (size_t k = 0; k < r->nargs; k++) {
			char apath[96];
			snprintf(apath, sizeof(apath), "%s.args[%zu]", path, k);
			push(b, args, spo_arg(b, &r->args[k], r->node, apath));
		}
		set(b, o, "args", args);
	}
	return b->r ? NULL : o;
}

/* The spec of a SeccompProfile, or NULL with b->r set. */
static struct sf_node *spo_spec(struct builder *b, const struct sf_profile *p, unsigned flags)
{
	struct sf_node *spec, *v;

	if (!spo_leftovers(b, p))
		return NULL;
	if (!sf_action_name(p->default_action)) {
		refuse(b, p->node, "defaultAction: missing or not valid (SPO requires it)");
		return NULL;
	}
	/* SPO has no defaultErrnoRet: the runtimes then return EPERM. Another value cannot be
	 * expressed; EPERM itself is the same outcome. */
	if (p->has_default_errno && sf_action_ret(p->default_action, p->default_errno) !=
					sf_action_ret(p->default_action, EPERM)) {
		refuse(b, p->node,
		       "defaultErrnoRet: %" PRIu32
		       " cannot be expressed: SPO's SeccompProfile has no "
		       "defaultErrnoRet, so the runtime returns EPERM (1) for the default action; "
		       "use an explicit rule for the syscalls concerned, or defaultErrnoRet 1",
		       p->default_errno);
		return NULL;
	}
	if (p->narchmap) {
		refuse(b, p->archmap[0].node ? p->archmap[0].node : p->node,
		       "archMap: SPO's SeccompProfile has no archMap (Docker expands it for the "
		       "node's architecture); resolve the profile for the nodes first (--resolve "
		       "--arch A), which lists the architectures");
		return NULL;
	}
	for (size_t i = 0; i < p->narchitectures; i++)
		if (!in_list(spo_arches, p->architectures[i])) {
			refuse(b, p->arch_nodes ? p->arch_nodes[i] : p->node,
			       "architectures[%zu]: \"%s\" is not one of the architectures SPO's "
			       "CRD accepts (SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ..., "
			       "SCMP_ARCH_RISCV64)",
			       i, p->architectures[i]);
			return NULL;
		}
	if (!check_set(b, p->architectures, p->narchitectures, p->arch_nodes, p->node,
		       "architectures"))
		return NULL;
	for (size_t i = 0; i < p->nflag_names; i++)
		if (!in_list(spo_flags, p->flag_names[i])) {
			refuse(
			    b, p->node,
			    "flags[%zu]: \"%s\" is not one of the flags SPO's CRD accepts "
			    "(SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW, _WAIT_KILLABLE_RECV)",
			    i, p->flag_names[i]);
			return NULL;
		}
	if (!check_set(b, p->flag_names, p->nflag_names, NULL, p->node, "flags"))
		return NULL;
	if (p->listener_path) {
		const char *rest = p->listener_path + strlen(SPO_LISTENER_DIR);
		bool ok =
		    strncmp(p->listener_path, SPO_LISTENER_DIR, strlen(SPO_LISTENER_DIR)) == 0 &&
		    *rest &&
		    strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_-.") == strlen(rest);
		if (!ok) {
			refuse(
			    b, p->node,
			    "listenerPath: \"%s\" does not match SPO's pattern: a socket directly "
			    "in " SPO_LISTENER_DIR " named with letters, digits, '_', '-', '.'",
			    p->listener_path);
			return NULL;
		}
	}

	spec = obj(b);
	set(b, spec, "defaultAction", str(b, sf_action_name(p->default_action)));
	if (p->narchitectures) {
		v = arr(b);
		for (size_t i = 0; i < p->narchitectures; i++)
			push(b, v, str(b, p->architectures[i]));
		set(b, spec, "architectures", v);
	}
	if (p->nflag_names) {
		v = arr(b);
		for (size_t i = 0; i < p->nflag_names; i++)
			push(b, v, str(b, p->flag_names[i]));
		set(b, spec, "flags", v);
	}
	if (p->listener_path)
		set(b, spec, "listenerPath", str(b, p->listener_path));
	if (p->listener_metadata)
		set(b, spec, "listenerMetadata", str(b, p->listener_metadata));
	if (p->nrules) {
		v = arr(b);
		for (size_t i = 0; i < p->nrules && b->r == 0; i++)
			push(b, v, spo_rule(b, &p->rules[i], i, flags));
		set(b, spec, "syscalls", v);
	}
	return b->r ? NULL : spec;
}

static struct sf_node *spo_object(struct builder *b, const struct sf_profile *p, const char *name,
				  unsigned flags)
{
	struct sf_node *o, *meta, *spec;

	spec = spo_spec(b, p, flags);
	if (!spec)
		return NULL;
	o = obj(b);
	set(b, o, "apiVersion", str(b, SF_K8S_SPO_API_VERSION));
	set(b, o, "kind", str(b, "SeccompProfile"));
	meta = obj(b);
	set(b, meta, "name", str(b, name));
	set(b, o, "metadata", meta);
	set(b, o, "spec", spec);
	return b->r ? NULL : o;
}

static int check_name(const char *name, struct sf_error *err)
{
	if (!name || !*name)
		return sf_error_set(err, -EINVAL, "no profile name given");
	if (!sf_k8s_valid_name(name))
		return sf_error_set(
		    err, -EINVAL,
		    "\"%s\" is not a valid Kubernetes object name: lower-case letters, "
		    "digits, '-' and '.', starting and ending with a letter or digit, "
		    "at most 253 characters",
		    name);
	return 0;
}

static int begin(struct builder *b, struct sf_doc **out, struct sf_error *err)
{
	*out = NULL;
	b->err = err;
	b->doc = sf_doc_new("<k8s export>");
	if (!b->doc)
		return sf_error_set(err, -ENOMEM, "out of memory");
	b->doc->format = SF_DOC_YAML;
	return 0;
}

static int finish(struct builder *b, struct sf_doc **out)
{
	if (b->r) {
		sf_doc_free(b->doc);
		return b->r;
	}
	*out = b->doc;
	return 0;
}

int sf_k8s_spo_object_flags(const struct sf_profile *p, const char *name, unsigned flags,
			    struct sf_doc **out, struct sf_error *err)
{
	struct builder b = {0};
	int r;

	*out = NULL;
	if ((r = check_name(name, err)) < 0 || (r = begin(&b, out, err)) < 0)
		return r;
	b.file = profile_file(p);
	root(&b, spo_object(&b, p, name, flags));
	return finish(&b, out);
}

int sf_k8s_spo_object(const struct sf_profile *p, const char *name, struct sf_doc **out,
		      struct sf_error *err)
{
	return sf_k8s_spo_object_flags(p, name, 0, out, err);
}

/* metadata of a namespaced object. */
static struct sf_node *meta_ns(struct builder *b, const char *name, const char *ns, bool component)
{
	struct sf_node *m = obj(b);
	set(b, m, "name", str(b, name));
	set(b, m, "namespace", str(b, ns));
	set(b, m, "labels", labels(b, name, component));
	return m;
}

static struct sf_node *configmap(struct builder *b, const struct sf_k8s_export_opts *o,
				 const char *ns, const char *oname)
{
	struct sf_node *cm, *data;
	size_t total = 0;

	cm = obj(b);
	set(b, cm, "apiVersion", str(b, "v1"));
	set(b, cm, "kind", str(b, "ConfigMap"));
	set(b, cm, "metadata", meta_ns(b, oname, ns, false));
	data = obj(b);
	for (size_t i = 0; i < o->nprofiles && b->r == 0; i++) {
		struct sf_buf text = {0};
		char key[CONFIGMAP_KEY_MAX + 1];

		for (size_t j = 0; j < i; j++)
			if (strcmp(o->names[i], o->names[j]) == 0) {
				b->r = sf_error_set(b->err, -EINVAL,
						    "the name \"%s\" is given to two profiles",
						    o->names[i]);
				break;
			}
		if (b->r)
			break;
		if (strlen(o->names[i]) + 5 > CONFIGMAP_KEY_MAX) {
			b->r =
			    sf_error_set(b->err, -EINVAL,
					 "\"%s.json\" is longer than a ConfigMap key may be (253 "
					 "characters)",
					 o->names[i]);
			break;
		}
		b->file = profile_file(o->profiles[i]);
		if (!spo_leftovers(b, o->profiles[i]))
			break;
		snprintf(key, sizeof(key), "%s.json", o->names[i]);
		/* The canonical JSON: what `install` validates and writes on the node. */
		b->r = sf_profile_write(o->profiles[i], SF_OUT_JSON, &text, b->err);
		if (b->r == 0 && text.oom)
			oom(b);
		if (b->r == 0) {
			/* Indented with spaces, not tabs: YAML can then hold it as a literal
			 * block, readable in `kubectl get -o yaml`. Same JSON. */
			struct sf_buf spaced = {0};
			for (size_t k = 0; k < text.len; k++) {
				if (text.data[k] == '\t')
					sf_buf_puts(&spaced, "  ");
				else
					sf_buf_putc(&spaced, text.data[k]);
			}
			if (spaced.oom)
				oom(b);
			total += strlen(key) + spaced.len;
			if (b->r == 0)
				set(b, data, key, str(b, spaced.data));
			sf_buf_free(&spaced);
		}
		sf_buf_free(&text);
	}
	if (b->r == 0 && total > CONFIGMAP_MAX_BYTES)
		b->r = sf_error_set(
		    b->err, -EINVAL,
		    "the profiles take %zu bytes, more than a ConfigMap may hold (1 MiB "
		    "= 1048576 bytes); export them in several ConfigMaps",
		    total);
	set(b, cm, "data", data);
	return b->r ? NULL : cm;
}

static struct sf_node *kv_obj(struct builder *b, const char *k1, const char *v1, const char *k2,
			      const char *v2)
{
	struct sf_node *o = obj(b);
	set(b, o, k1, str(b, v1));
	if (k2)
		set(b, o, k2, str(b, v2));
	return o;
}

static struct sf_node *strs(struct builder *b, const char *const *v)
{
	struct sf_node *a = arr(b);
	for (; *v; v++)
		push(b, a, str(b, *v));
	return a;
}

static bool valid_root(const char *s)
{
	size_t n = strlen(s);
	if (s[0] != '/' || n > 1024 || strstr(s, "//") || (n > 1 && s[n - 1] == '/'))
		return false;
	for (const char *p = s; (p = strstr(p, "/.")); p++)
		if (p[2] == '/' || p[2] == 0 || (p[2] == '.' && (p[3] == '/' || p[3] == 0)))
			return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static struct sf_node *daemonset(struct builder *b, const struct sf_k8s_export_opts *o,
				 const char *ns, const char *oname)
{
	const char *kroot = o->kubelet_root ? o->kubelet_root : SF_K8S_DEFAULT_KUBELET_ROOT;
	char image[256], host[1100], mount[1110];
	struct sf_node *ds, *spec, *tmpl, *pspec, *c, *sc, *v;

	if (!valid_root(kroot)) {
		b->r = sf_error_set(b->err, -EINVAL,
				    "the kubelet root \"%s\" is not a clean absolute path", kroot);
		return NULL;
	}
	if (o->image && (!*o->image || strpbrk(o->image, " \t\r\n") || strlen(o->image) >= 256)) {
		b->r = sf_error_set(b->err, -EINVAL, "\"%s\" is not an image reference", o->image);
		return NULL;
	}
	snprintf(image, sizeof(image), "%s%s",
		 o->image ? "" : "sysfence:", o->image ? o->image : sf_version());
	snprintf(host, sizeof(host), "%s/" SF_K8S_SECCOMP_SUBDIR "/" SF_K8S_PROFILES_SUBDIR,
		 strcmp(kroot, "/") == 0 ? "" : kroot);
	snprintf(mount, sizeof(mount), "/host%s", host);

	ds = obj(b);
	set(b, ds, "apiVersion", str(b, "apps/v1"));
	set(b, ds, "kind", str(b, "DaemonSet"));
	set(b, ds, "metadata", meta_ns(b, oname, ns, true));
	spec = obj(b);
	v = obj(b);
	set(b, v, "matchLabels", kv_obj(b, "app.kubernetes.io/name", oname, NULL, NULL));
	set(b, spec, "selector", v);
	set(b, spec, "updateStrategy", kv_obj(b, "type", "RollingUpdate", NULL, NULL));

	tmpl = obj(b);
	v = obj(b);
	set(b, v, "labels", labels(b, oname, true));
	set(b, tmpl, "metadata", v);
	pspec = obj(b);
	/* No API access, no service environment: it reads a volume and writes a directory. */
	set(b, pspec, "automountServiceAccountToken", boolean(b, false));
	set(b, pspec, "enableServiceLinks", boolean(b, false));
	set(b, pspec, "terminationGracePeriodSeconds", u64(b, 10));
	/* Every node, tainted ones included: a Localhost profile must exist wherever a pod may
	 * land. */
	v = arr(b);
	push(b, v, kv_obj(b, "operator", "Exists", NULL, NULL));
	set(b, pspec, "tolerations", v);
	sc = obj(b);
	set(b, sc, "seccompProfile", kv_obj(b, "type", "RuntimeDefault", NULL, NULL));
	set(b, pspec, "securityContext", sc);

	c = obj(b);
	set(b, c, "name", str(b, "install"));
	set(b, c, "image", str(b, image));
	set(b, c, "imagePullPolicy", str(b, "IfNotPresent"));
	{
		const char *cmd[] = {"/usr/local/bin/sysfence",
				     "k8s",
				     "install",
				     "--sync",
				     "/profiles",
				     "--root",
				     mount,
				     NULL};
		set(b, c, "command", strs(b, cmd));
	}
	/* uid 0 owns the kubelet's root-owned 0755 directory, so it writes there with no
	 * capability at all; everything else is taken away (docs/k8s.md, "least privilege"). */
	sc = obj(b);
	set(b, sc, "runAsUser", u64(b, 0));
	set(b, sc, "runAsGroup", u64(b, 0));
	set(b, sc, "runAsNonRoot", boolean(b, false));
	set(b, sc, "privileged", boolean(b, false));
	set(b, sc, "allowPrivilegeEscalation", boolean(b, false));
	set(b, sc, "readOnlyRootFilesystem", boolean(b, true));
	v = obj(b);
	{
		const char *all[] = {"ALL", NULL};
		set(b, v, "drop", strs(b, all));
	}
	set(b, sc, "capabilities", v);
	set(b, sc, "seccompProfile", kv_obj(b, "type", "RuntimeDefault", NULL, NULL));
	set(b, c, "securityContext", sc);
	v = obj(b);
	set(b, v, "requests", kv_obj(b, "cpu", "5m", "memory", "16Mi"));
	set(b, v, "limits", kv_obj(b, "cpu", "100m", "memory", "64Mi"));
	set(b, c, "resources", v);
	v = arr(b);
	{
		struct sf_node *m = kv_obj(b, "name", "profiles", "mountPath", "/profiles");
		set(b, m, "readOnly", boolean(b, true));
		push(b, v, m);
		push(b, v, kv_obj(b, "name", "seccomp-profiles", "mountPath", mount));
	}
	set(b, c, "volumeMounts", v);
	v = arr(b);
	push(b, v, c);
	set(b, pspec, "containers", v);

	v = arr(b);
	{
		struct sf_node *vol = obj(b);
		set(b, vol, "name", str(b, "profiles"));
		set(b, vol, "configMap", kv_obj(b, "name", oname, NULL, NULL));
		push(b, v, vol);
		vol = obj(b);
		set(b, vol, "name", str(b, "seccomp-profiles"));
		set(b, vol, "hostPath", kv_obj(b, "path", host, "type", "DirectoryOrCreate"));
		push(b, v, vol);
	}
	set(b, pspec, "volumes", v);
	set(b, tmpl, "spec", pspec);
	set(b, spec, "template", tmpl);
	set(b, ds, "spec", spec);
	return b->r ? NULL : ds;
}

static struct sf_node *patch(struct builder *b, const struct sf_k8s_export_opts *o)
{
	char path[300];
	struct sf_node *sp, *sc, *top, *cur;

	snprintf(path, sizeof(path), "%s/%s.json",
		 o->operator_path ? SF_K8S_SPO_SUBDIR : SF_K8S_PROFILES_SUBDIR, o->names[0]);
	sp = kv_obj(b, "type", "Localhost", "localhostProfile", path);
	sc = obj(b);
	set(b, sc, "seccompProfile", sp);
	top = obj(b);
	if (o->patch_for == SF_K8S_PATCH_SECURITY_CONTEXT) {
		set(b, top, "securityContext", sc);
		return b->r ? NULL : top;
	}
	/* Down to the pod spec. */
	static const char *const template_path[] = {"spec", "template", "spec", NULL};
	static const char *const cronjob_path[] = {"spec",     "jobTemplate", "spec",
						   "template", "spec",	      NULL};
	static const char *const pod_path[] = {"spec", NULL};
	const char *const *p = o->patch_for == SF_K8S_PATCH_CRONJOB ? cronjob_path
			       : o->patch_for == SF_K8S_PATCH_POD   ? pod_path
								    : template_path;
	cur = top;
	for (; p[1]; p++) {
		struct sf_node *n = obj(b);
		set(b, cur, *p, n);
		cur = n;
	}
	struct sf_node *pod = obj(b);
	set(b, pod, "securityContext", sc);
	set(b, cur, *p, pod);
	return b->r ? NULL : top;
}

int sf_k8s_export(const struct sf_k8s_export_opts *o, struct sf_doc **out, struct sf_error *err)
{
	struct builder b = {0};
	const char *ns = o->namespace ? o->namespace : SF_K8S_DEFAULT_NAMESPACE;
	const char *oname = o->object_name ? o->object_name : SF_K8S_DEFAULT_OBJECT;
	int r;

	*out = NULL;
	if (o->nprofiles == 0)
		return sf_error_set(err, -EINVAL, "no profile given");
	if ((o->as == SF_K8S_EXPORT_SPO || o->as == SF_K8S_EXPORT_PATCH) && o->nprofiles != 1)
		return sf_error_set(err, -EINVAL, "one profile only for this export");
	for (size_t i = 0; i < o->nprofiles; i++)
		if ((r = check_name(o->names[i], err)) < 0)
			return r;
	if (o->as == SF_K8S_EXPORT_SPO && o->namespace)
		return sf_error_set(err, -EINVAL,
				    "a SeccompProfile is cluster-scoped (its CRD says scope: "
				    "Cluster): it has no namespace");
	if (o->as == SF_K8S_EXPORT_CONFIGMAP || o->as == SF_K8S_EXPORT_DAEMONSET) {
		if (!sf_k8s_valid_namespace(ns))
			return sf_error_set(err, -EINVAL,
					    "\"%s\" is not a valid namespace: lower-case letters, "
					    "digits and '-', starting and ending with a letter or "
					    "digit, at most 63 characters",
					    ns);
		/* The DaemonSet's name is also its pods' label value: 63 characters at most. */
		if (!sf_k8s_valid_namespace(oname))
			return sf_error_set(
			    err, -EINVAL,
			    "\"%s\" is not a valid name for the ConfigMap and "
			    "DaemonSet: lower-case letters, digits and '-', at most 63 "
			    "characters (it is also a label value)",
			    oname);
	}
	if ((r = begin(&b, out, err)) < 0)
		return r;
	b.file = profile_file(o->profiles[0]);
	switch (o->as) {
	case SF_K8S_EXPORT_SPO:
		root(&b, spo_object(&b, o->profiles[0], o->names[0], o->flags));
		break;
	case SF_K8S_EXPORT_CONFIGMAP:
		root(&b, configmap(&b, o, ns, oname));
		break;
	case SF_K8S_EXPORT_DAEMONSET:
		root(&b, configmap(&b, o, ns, oname));
		root(&b, daemonset(&b, o, ns, oname));
		break;
	case SF_K8S_EXPORT_PATCH:
		root(&b, patch(&b, o));
		break;
	default:
		b.r = sf_error_set(err, -EINVAL, "unknown export");
	}
	return finish(&b, out);
}

int sf_k8s_write_objects(const struct sf_doc *doc, bool json, struct sf_buf *out,
			 struct sf_error *err)
{
	int r = 0;

	if (json && doc->nroots > 1) {
		/* kubectl's own form for several objects. */
		_cleanup_(sf_doc_freep) struct sf_doc *list = sf_doc_new("<list>");
		struct sf_node *l, *items;
		if (!list || !(l = sf_node_new(list, SF_NODE_OBJECT)) ||
		    !(items = sf_node_new(list, SF_NODE_ARRAY)))
			return sf_error_set(err, -ENOMEM, "out of memory");
		for (size_t i = 0; i < doc->nroots; i++)
			if (sf_node_append(list, items, doc->roots[i]) < 0)
				return sf_error_set(err, -ENOMEM, "out of memory");
		if (sf_node_set(list, l, "apiVersion", sf_node_new_string(list, "v1")) < 0 ||
		    sf_node_set(list, l, "kind", sf_node_new_string(list, "List")) < 0 ||
		    sf_node_set(list, l, "items", items) < 0)
			return sf_error_set(err, -ENOMEM, "out of memory");
		r = sf_node_write_json(l, 0, out);
		if (r == 0)
			sf_buf_putc(out, '\n');
	} else {
		for (size_t i = 0; i < doc->nroots && r == 0; i++) {
			if (json) {
				r = sf_node_write_json(doc->roots[i], 0, out);
				sf_buf_putc(out, '\n');
			} else {
				if (doc->nroots > 1)
					sf_buf_puts(out, "---\n");
				r = sf_node_write_yaml(doc->roots[i], out, err);
			}
		}
	}
	if (r < 0 && err && err->code == 0)
		sf_error_set(err, r, "cannot write the objects");
	if (r == 0 && out->oom)
		r = sf_error_set(err, -ENOMEM, "out of memory");
	return r;
}
