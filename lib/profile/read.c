/*
 * Reading a profile from a document tree: the OCI linux.seccomp object, Docker's format (legacy
 * `name`, includes/excludes, archMap), podman's errno names, or an SPO SeccompProfile's spec.
 * Every problem of structure, type or range becomes a located finding; reading goes on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <sysfence/arch.h>
#include <sysfence/profile.h>

#include "util/util.h"

struct reader {
	struct sf_profile *p;
	struct sf_findings *f;
	const char *file;
	struct sf_error *err;
	size_t nerrors;
	int oom;
};

#define PATH_MAX_LEN 256

static void vreport(struct reader *r, enum sf_severity sev, unsigned line, unsigned col,
		    const char *path, const char *code, const char *hint, const char *fmt,
		    va_list ap) __attribute__((format(printf, 8, 0)));

static void vreport(struct reader *r, enum sf_severity sev, unsigned line, unsigned col,
		    const char *path, const char *code, const char *hint, const char *fmt,
		    va_list ap)
{
	char msg[768];
	struct sf_node at = { .line = line, .col = col };

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sev == SF_SEV_ERROR) {
		if (r->nerrors++ == 0)
			sf_error_set_at(r->err, -EINVAL, r->file, line, col, "%s%s%s%s%s", path,
					*path ? ": " : "", msg, hint ? " (" : "", hint ? hint : "");
		if (r->err && r->nerrors == 1 && hint)
			strncat(r->err->msg, ")", sizeof(r->err->msg) - strlen(r->err->msg) - 1);
	}
	if (sf_findings_add(r->f, sev, &at, path, code, hint, "%s", msg) < 0)
		r->oom = -ENOMEM;
}

static void report(struct reader *r, enum sf_severity sev, const struct sf_node *at,
		   const char *path, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void report(struct reader *r, enum sf_severity sev, const struct sf_node *at,
		   const char *path, const char *code, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(r, sev, at ? at->line : 0, at ? at->col : 0, path, code, hint, fmt, ap);
	va_end(ap);
}

static void report_key(struct reader *r, enum sf_severity sev, const struct sf_member *m,
		       const char *path, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void report_key(struct reader *r, enum sf_severity sev, const struct sf_member *m,
		       const char *path, const char *code, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(r, sev, m->line, m->col, path, code, hint, fmt, ap);
	va_end(ap);
}

/* JSON paths for messages; a path too long for the buffer is cut, which only shortens text. */
static void append(char *out, size_t *n, const char *s)
{
	size_t len = strlen(s);
	if (len > PATH_MAX_LEN - 1 - *n)
		len = PATH_MAX_LEN - 1 - *n;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = 0;
}

static void join(char *out, const char *base, const char *key)
{
	size_t n = 0;
	char copy[PATH_MAX_LEN];

	memcpy(copy, base, strnlen(base, PATH_MAX_LEN - 1) + 1);
	copy[PATH_MAX_LEN - 1] = 0;
	out[0] = 0;
	append(out, &n, copy);
	if (*copy)
		append(out, &n, ".");
	append(out, &n, key);
}

static void join_index(char *out, const char *base, size_t i)
{
	char idx[32], copy[PATH_MAX_LEN];
	size_t n = 0;

	memcpy(copy, base, strnlen(base, PATH_MAX_LEN - 1) + 1);
	copy[PATH_MAX_LEN - 1] = 0;
	snprintf(idx, sizeof(idx), "[%zu]", i);
	out[0] = 0;
	append(out, &n, copy);
	append(out, &n, idx);
}

/* The known keys of an object; unknown ones are warned about (with a suggestion), duplicates
 * are errors naming both places. Returns false when obj is not an object. */
static bool check_object(struct reader *r, const struct sf_node *obj, const char *path,
			 const char *what, const char *const *known)
{
	if (obj->kind != SF_NODE_OBJECT) {
		report(r, SF_SEV_ERROR, obj, path, "type", NULL, "expected %s (an object), found %s",
		       what, sf_node_kind_name(obj->kind));
		return false;
	}
	for (size_t i = 0; i < obj->len; i++) {
		const struct sf_member *m = &obj->members[i];
		char sub[PATH_MAX_LEN];
		bool ok = false;
		const char *best = NULL;
		unsigned bestd = 3;

		sub[0] = 0;
		for (size_t j = 0; j < i; j++) {
			const struct sf_member *o = &obj->members[j];
			if (o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0) {
				join(sub, path, m->key);
				report_key(r, SF_SEV_ERROR, m, sub, "duplicate-key",
					   "runc and crun silently use the last one; keep one",
					   "key \"%s\" given twice (first at %u:%u)", m->key,
					   o->line, o->col);
				break;
			}
		}
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, m->key) == 0;
		/* Suggestions cost an edit distance per known key: only for unknown keys. */
		for (const char *const *k = known; *k && !ok; k++) {
			unsigned d = sf_edit_distance(m->key, *k, 2);
			if (d < bestd) {
				bestd = d;
				best = *k;
			}
		}
		if (!ok) {
			char hint[128];
			join(sub, path, m->key);
			if (best)
				snprintf(hint, sizeof(hint), "did you mean \"%s\"?", best);
			report_key(r, SF_SEV_WARNING, m, sub, "unknown-field", best ? hint : NULL,
				   "unknown field \"%s\" in %s: runtimes ignore it", m->key, what);
		}
	}
	return true;
}

/* null is what Go decoders treat as absent: so do we. */
static const struct sf_node *field(const struct sf_node *obj, const char *key)
{
	const struct sf_node *n = NULL;
	/* The last occurrence is the one runtimes use; duplicates are reported separately. */
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->members[i].key, key) == 0 &&
		    strlen(key) == obj->members[i].key_len)
			n = obj->members[i].value;
	return n && n->kind != SF_NODE_NULL ? n : NULL;
}

static const char *get_string(struct reader *r, const struct sf_node *n, const char *path)
{
	if (n->kind != SF_NODE_STRING) {
		report(r, SF_SEV_ERROR, n, path, "type", NULL, "expected a string, found %s",
		       sf_node_kind_name(n->kind));
		return NULL;
	}
	if (strlen(n->str) != n->len) {
		report(r, SF_SEV_ERROR, n, path, "nul", NULL, "string contains a NUL character");
		return NULL;
	}
	return n->str;
}

static bool get_u64(struct reader *r, const struct sf_node *n, const char *path, uint64_t max,
		    uint64_t *out)
{
	uint64_t v;
	int e;

	if (n->kind != SF_NODE_NUMBER) {
		report(r, SF_SEV_ERROR, n, path, "type", NULL, "expected an integer, found %s",
		       sf_node_kind_name(n->kind));
		return false;
	}
	e = sf_node_u64(n, &v);
	if (e == -EINVAL) {
		report(r, SF_SEV_ERROR, n, path, "type", "runc and crun decode it as an unsigned integer",
		       "expected an integer, found %s", n->str);
		return false;
	}
	if (e == -ERANGE || v > max) {
		report(r, SF_SEV_ERROR, n, path, "range", NULL,
		       "%s is out of range: expected 0 to %" PRIu64, n->str, max);
		return false;
	}
	*out = v;
	return true;
}

/* An array of strings into an arena vector. */
static bool get_strings(struct reader *r, const struct sf_node *n, const char *path, char ***out,
			const struct sf_node ***nodes, size_t *count)
{
	char sub[PATH_MAX_LEN];

	if (n->kind != SF_NODE_ARRAY) {
		report(r, SF_SEV_ERROR, n, path, "type", NULL,
		       "expected an array of strings, found %s", sf_node_kind_name(n->kind));
		return false;
	}
	char **v = sf_arena_alloc(r->p->arena, (n->len + 1) * sizeof(*v));
	const struct sf_node **nv = sf_arena_alloc(r->p->arena, (n->len + 1) * sizeof(*nv));
	size_t k = 0;
	if (!v || !nv) {
		r->oom = -ENOMEM;
		return false;
	}
	for (size_t i = 0; i < n->len; i++) {
		const struct sf_node *it = n->items[i];
		const char *s = it->kind == SF_NODE_STRING && strlen(it->str) == it->len ? it->str
											 : NULL;
		if (!s) {
			join_index(sub, path, i);
			get_string(r, it, sub);
			continue;
		}
		nv[k] = n->items[i];
		v[k++] = (char *)s; /* strings stay in the document, which the profile owns */
	}
	*out = v;
	if (nodes)
		*nodes = nv;
	*count = k;
	return true;
}

static const char *const filter_keys[] = { "caps", "arches", "minKernel", NULL };

static void read_filter(struct reader *r, const struct sf_node *n, const char *path,
			struct sf_filter *flt)
{
	const struct sf_node *v;
	char sub[PATH_MAX_LEN];

	flt->node = n;
	if (!check_object(r, n, path, "an includes/excludes filter", filter_keys))
		return;
	if ((v = field(n, "caps"))) {
		join(sub, path, "caps");
		get_strings(r, v, sub, &flt->caps, NULL, &flt->ncaps);
	}
	if ((v = field(n, "arches"))) {
		join(sub, path, "arches");
		get_strings(r, v, sub, &flt->arches, NULL, &flt->narches);
	}
	if ((v = field(n, "minKernel"))) {
		join(sub, path, "minKernel");
		const char *s = get_string(r, v, sub);
		unsigned a, b;
		char tail;
		if (s && sscanf(s, "%u.%u%c", &a, &b, &tail) != 2)
			report(r, SF_SEV_ERROR, v, sub, "min-kernel", "write it as \"4.8\"",
			       "\"%s\" is not a kernel version MAJOR.MINOR", s);
		else if (s)
			flt->min_kernel = (char *)s;
	}
}

static const char *const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };

static void read_arg(struct reader *r, const struct sf_node *n, const char *path,
		     struct sf_rule *rule)
{
	struct sf_arg a = { .node = n };
	const struct sf_node *v;
	char sub[PATH_MAX_LEN];
	uint64_t x;

	if (!check_object(r, n, path, "an argument condition", arg_keys))
		return;
	join(sub, path, "index");
	if ((v = field(n, "index"))) {
		if (get_u64(r, v, sub, UINT64_MAX, &x)) {
			if (x > 5)
				report(r, SF_SEV_ERROR, v, sub, "range",
				       "syscalls take at most six arguments, index 0 to 5",
				       "argument index %" PRIu64 " is out of range", x);
			else
				a.index = (unsigned)x;
		}
	}
	/* A missing index means 0 to every decoder, which is rarely what was meant. */
	else
		report(r, SF_SEV_WARNING, n, sub, "missing-index", NULL,
		       "no \"index\": runtimes read it as argument 0");
	join(sub, path, "value");
	if ((v = field(n, "value")))
		get_u64(r, v, sub, UINT64_MAX, &a.value);
	join(sub, path, "valueTwo");
	if ((v = field(n, "valueTwo")))
		get_u64(r, v, sub, UINT64_MAX, &a.value_two);
	join(sub, path, "op");
	if ((v = field(n, "op"))) {
		const char *s = get_string(r, v, sub);
		if (s) {
			a.op = sf_op_from_name(s);
			if (!a.op) {
				const char *best = NULL;
				unsigned bestd = 4;
				for (int op = SF_OP_NE; op <= SF_OP_MASKED_EQ; op++) {
					unsigned d = sf_edit_distance(s, sf_op_name(op), 3);
					if (d < bestd) {
						bestd = d;
						best = sf_op_name(op);
					}
				}
				char hint[160];
				snprintf(hint, sizeof(hint), "%s%s%s", best ? "did you mean " : "",
					 best ? best : "one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, "
						       "_MASKED_EQ",
					 best ? "?" : "");
				report(r, SF_SEV_ERROR, v, sub, "unknown-operator", hint,
				       "unknown operator \"%s\"", s);
			}
		}
	} else {
		report(r, SF_SEV_ERROR, n, sub, "missing-op", "add \"op\": \"SCMP_CMP_EQ\" (or another)",
		       "argument condition without \"op\"");
	}
	rule->args[rule->nargs++] = a;
}

static void suggest_action(const char *s, char *hint, size_t size)
{
	const char *best = NULL;
	unsigned bestd = 4;
	static const enum sf_action all[] = { SF_ACT_KILL_PROCESS, SF_ACT_KILL_THREAD, SF_ACT_KILL,
					      SF_ACT_TRAP,	   SF_ACT_ERRNO,       SF_ACT_NOTIFY,
					      SF_ACT_TRACE,	   SF_ACT_LOG,	       SF_ACT_ALLOW };
	for (size_t i = 0; i < SF_ARRAY_SIZE(all); i++) {
		unsigned d = sf_edit_distance(s, sf_action_name(all[i]), 3);
		if (d < bestd) {
			bestd = d;
			best = sf_action_name(all[i]);
		}
	}
	if (best)
		snprintf(hint, size, "did you mean %s?", best);
	else
		snprintf(hint, size, "one of SCMP_ACT_ALLOW, _ERRNO, _KILL_PROCESS, _KILL_THREAD, "
				     "_KILL, _TRAP, _TRACE, _LOG, _NOTIFY");
}

static enum sf_action read_action(struct reader *r, const struct sf_node *n, const char *path)
{
	const char *s = get_string(r, n, path);
	enum sf_action a;
	char hint[160];

	if (!s)
		return SF_ACT_INVALID;
	a = sf_action_from_name(s);
	if (!a) {
		suggest_action(s, hint, sizeof(hint));
		report(r, SF_SEV_ERROR, n, path, "unknown-action", hint, "unknown action \"%s\"", s);
	}
	return a;
}

/* errnoRet and podman's errno name: both must agree when both are given. */
static void read_errno(struct reader *r, const struct sf_node *num, const struct sf_node *name,
		       const char *num_path, const char *name_path, bool *has, uint32_t *value,
		       char **name_out)
{
	uint64_t v = 0;
	bool have_num = false;

	if (num && get_u64(r, num, num_path, UINT32_MAX, &v)) {
		if (v > 4095)
			report(r, SF_SEV_ERROR, num, num_path, "errno-range",
			       "the kernel caps errno values at 4095 (MAX_ERRNO), so the program "
			       "would see another value",
			       "errno %" PRIu64 " is beyond 4095", v);
		else if (v == 4095)
			report(r, SF_SEV_ERROR, num, num_path, "errno-range",
			       "libseccomp refuses ERRNO(4095) and above, so runc and crun fail to "
			       "start the container",
			       "errno 4095 is refused by libseccomp");
		else
			have_num = true;
	}
	if (name) {
		/* As podman: a decimal string is a number, else one of the names it knows. */
		const char *s = get_string(r, name, name_path);
		int e = -1;
		char *end;
		if (s && *s >= '0' && *s <= '9') {
			unsigned long x = strtoul(s, &end, 10);
			e = *end || x > 4095 ? -2 : (int)x;
		} else if (s) {
			e = sf_errno_from_name(s);
			if (e >= 0 && !sf_errno_podman_knows(s)) {
				char hint[96];
				snprintf(hint, sizeof(hint), "write the number instead: %d", e);
				report(r, SF_SEV_ERROR, name, name_path, "errno-name-podman", hint,
				       "podman does not know the errno name \"%s\" and refuses the "
				       "profile",
				       s);
				s = NULL;
			}
		}
		if (s && e < 0) {
			report(r, SF_SEV_ERROR, name, name_path, "unknown-errno",
			       "write an errno name such as \"EPERM\" or \"ENOSYS\", or a number",
			       "unknown errno \"%s\"", s);
		} else if (s) {
			*name_out = (char *)s;
			if (have_num && (uint64_t)e != v)
				report(r, SF_SEV_ERROR, name, name_path, "errno-mismatch",
				       "make them agree, or keep one: podman uses the name, runc and "
				       "crun the number",
				       "\"%s\" is %d, but the number beside it says %" PRIu64, s,
				       e, v);
			else if (!have_num && !num) {
				v = (uint64_t)e;
				have_num = true;
			}
		}
	}
	if (have_num) {
		*has = true;
		*value = (uint32_t)v;
	}
}

static const char *const rule_keys[] = { "names",    "name",	 "action",   "errnoRet", "errno",
					 "args",     "comment",	 "includes", "excludes", NULL };

static void read_rule(struct reader *r, const struct sf_node *n, const char *path)
{
	struct sf_rule *rule;
	const struct sf_node *v, *legacy;
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];

	if (!check_object(r, n, path, "a syscall rule", rule_keys))
		return;
	/* rules was sized for every entry of "syscalls" by the caller. */
	rule = &r->p->rules[r->p->nrules++];
	rule->node = n;
	v = field(n, "names");
	legacy = field(n, "name");
	if (v && legacy) {
		join(sub, path, "name");
		report(r, SF_SEV_ERROR, legacy, sub, "name-and-names",
		       "Docker refuses a rule with both; move it into \"names\"",
		       "both \"name\" and \"names\" are given");
	}
	if (v) {
		join(sub, path, "names");
		get_strings(r, v, sub, &rule->names, &rule->name_nodes, &rule->nnames);
		rule->names_cap = rule->nnames;
		if (v->kind == SF_NODE_ARRAY && v->len == 0 && !legacy)
			report(r, SF_SEV_WARNING, v, sub, "empty-names", NULL,
			       "empty \"names\": the rule applies to no syscall");
	} else if (legacy) {
		join(sub, path, "name");
		const char *s = get_string(r, legacy, sub);
		if (s) {
			rule->names = sf_arena_alloc(r->p->arena, sizeof(char *));
			rule->name_nodes = sf_arena_alloc(r->p->arena, sizeof(*rule->name_nodes));
			if (!rule->names || !rule->name_nodes) {
				r->oom = -ENOMEM;
				return;
			}
			rule->names[0] = (char *)s;
			rule->name_nodes[0] = legacy;
			rule->nnames = 1;
			rule->names_cap = 1;
			rule->legacy_name = true;
		}
	} else {
		join(sub, path, "names");
		report(r, SF_SEV_ERROR, n, sub, "missing-names", "add \"names\": [\"...\"]",
		       "syscall rule without \"names\"");
	}
	join(sub, path, "action");
	if ((v = field(n, "action")))
		rule->action = read_action(r, v, sub);
	else
		report(r, SF_SEV_ERROR, n, sub, "missing-action",
		       "add \"action\": \"SCMP_ACT_ALLOW\" (or another)",
		       "syscall rule without \"action\"");
	join(sub, path, "errnoRet");
	join(sub2, path, "errno");
	read_errno(r, field(n, "errnoRet"), field(n, "errno"), sub, sub2, &rule->has_errno,
		   &rule->errno_ret, &rule->errno_name);
	if ((v = field(n, "args"))) {
		join(sub, path, "args");
		if (v->kind != SF_NODE_ARRAY) {
			report(r, SF_SEV_ERROR, v, sub, "type", NULL,
			       "expected an array of argument conditions, found %s",
			       sf_node_kind_name(v->kind));
		} else {
			/* Exact size up front: large profiles must stay small in memory. */
			rule->args = sf_arena_alloc(r->p->arena, v->len * sizeof(*rule->args));
			if (!rule->args && v->len)
				r->oom = -ENOMEM;
			for (size_t i = 0; rule->args && i < v->len; i++) {
				join_index(sub2, sub, i);
				read_arg(r, v->items[i], sub2, rule);
			}
		}
	}
	if ((v = field(n, "comment"))) {
		join(sub, path, "comment");
		rule->comment = (char *)get_string(r, v, sub);
	}
	if ((v = field(n, "includes"))) {
		join(sub, path, "includes");
		read_filter(r, v, sub, &rule->includes);
	}
	if ((v = field(n, "excludes"))) {
		join(sub, path, "excludes");
		read_filter(r, v, sub, &rule->excludes);
	}
}

/* architectures and archMap hold SCMP_ARCH_* names, exactly as runc and crun spell them. */
static bool check_arch_name(struct reader *r, const struct sf_node *n, const char *s,
			    const char *path)
{
	const struct sf_arch *a;
	char hint[160];

	if (strcmp(s, "SCMP_ARCH_NATIVE") == 0)
		return true;
	a = sf_arch_find(s);
	if (a && strcmp(a->scmp_name, s) == 0)
		return true;
	if (a)
		snprintf(hint, sizeof(hint), "runtimes take SCMP_ARCH_* names: write \"%s\"",
			 a->scmp_name);
	else
		snprintf(hint, sizeof(hint), "one of SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, "
					     "SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, ...");
	report(r, SF_SEV_ERROR, n, path, "unknown-arch", hint, "unknown architecture \"%s\"", s);
	return false;
}

static const char *const archmap_keys[] = { "architecture", "subArchitectures", NULL };

static void read_archmap(struct reader *r, const struct sf_node *n, const char *path)
{
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	struct sf_profile *p = r->p;

	if (n->kind != SF_NODE_ARRAY) {
		report(r, SF_SEV_ERROR, n, path, "type", NULL, "expected an array, found %s",
		       sf_node_kind_name(n->kind));
		return;
	}
	p->archmap = sf_arena_alloc(p->arena, (n->len + 1) * sizeof(*p->archmap));
	if (!p->archmap) {
		r->oom = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n->len; i++) {
		const struct sf_node *e = n->items[i], *v;
		struct sf_archmap *m = &p->archmap[p->narchmap];

		join_index(sub, path, i);
		if (!check_object(r, e, sub, "an archMap entry", archmap_keys))
			continue;
		m->node = e;
		join(sub2, sub, "architecture");
		if ((v = field(e, "architecture"))) {
			const char *s = get_string(r, v, sub2);
			if (s && check_arch_name(r, v, s, sub2))
				m->arch = (char *)s;
		} else {
			report(r, SF_SEV_ERROR, e, sub2, "missing-arch", NULL,
			       "archMap entry without \"architecture\"");
		}
		join(sub2, sub, "subArchitectures");
		if ((v = field(e, "subArchitectures")) && get_strings(r, v, sub2, &m->sub, NULL,
								       &m->nsub)) {
			for (size_t j = 0; j < m->nsub; j++) {
				char sub3[PATH_MAX_LEN];
				join_index(sub3, sub2, j);
				check_arch_name(r, v->items[j], m->sub[j], sub3);
			}
		}
		if (m->arch)
			p->narchmap++;
	}
}

static const char *const profile_keys[] = {
	"defaultAction", "defaultErrnoRet", "defaultErrno",	"architectures", "archMap",
	"flags",	 "listenerPath",    "listenerMetadata", "syscalls",	 NULL,
};
static const char *const spo_spec_keys[] = {
	"defaultAction", "defaultErrnoRet", "defaultErrno",	"architectures",   "archMap",
	"flags",	 "listenerPath",    "listenerMetadata", "syscalls",	   "baseProfileName",
	"state",	 NULL,
};
static const char *const spo_keys[] = { "apiVersion", "kind", "metadata", "spec", "status", NULL };

static void read_profile(struct reader *r, const struct sf_node *root)
{
	struct sf_profile *p = r->p;
	const struct sf_node *n = root, *v, *kind;
	const char *base = "";
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	bool spo = false;

	if (root->kind == SF_NODE_OBJECT && (kind = field(root, "kind")) &&
	    kind->kind == SF_NODE_STRING && strcmp(kind->str, "SeccompProfile") == 0) {
		spo = true;
		check_object(r, root, "", "a SeccompProfile object", spo_keys);
		n = field(root, "spec");
		base = "spec";
		if (!n) {
			report(r, SF_SEV_ERROR, root, "spec", "missing-spec", NULL,
			       "SeccompProfile object without \"spec\"");
			return;
		}
	}
	p->node = n;
	if (!check_object(r, n, base, "a seccomp profile", spo ? spo_spec_keys : profile_keys))
		return;

	join(sub, base, "defaultAction");
	if ((v = field(n, "defaultAction")))
		p->default_action = read_action(r, v, sub);
	else
		report(r, SF_SEV_ERROR, n, sub, "missing-default-action",
		       "add \"defaultAction\": \"SCMP_ACT_ERRNO\" for an allowlist",
		       "profile without \"defaultAction\" (required by the OCI runtime spec)");

	join(sub, base, "defaultErrnoRet");
	join(sub2, base, "defaultErrno");
	read_errno(r, field(n, "defaultErrnoRet"), field(n, "defaultErrno"), sub, sub2,
		   &p->has_default_errno, &p->default_errno, &p->default_errno_name);

	if ((v = field(n, "architectures"))) {
		join(sub, base, "architectures");
		if (get_strings(r, v, sub, &p->architectures, &p->arch_nodes, &p->narchitectures))
			for (size_t i = 0; i < p->narchitectures; i++) {
				join_index(sub2, sub, i);
				check_arch_name(r, p->arch_nodes[i], p->architectures[i], sub2);
			}
	}
	if ((v = field(n, "archMap"))) {
		join(sub, base, "archMap");
		read_archmap(r, v, sub);
	}
	if ((v = field(n, "flags"))) {
		char **names;
		const struct sf_node **nodes;
		size_t count;
		join(sub, base, "flags");
		if (get_strings(r, v, sub, &names, &nodes, &count)) {
			p->flag_names = names;
			p->nflag_names = count;
			for (size_t i = 0; i < count; i++) {
				unsigned fl = sf_flag_from_name(names[i]);
				join_index(sub2, sub, i);
				if (!fl)
					report(r, SF_SEV_ERROR, nodes[i], sub2, "unknown-flag",
					       "one of SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW, "
					       "_WAIT_KILLABLE_RECV",
					       "unknown flag \"%s\"", names[i]);
				else if (fl == SF_FLAG_NEW_LISTENER || fl == SF_FLAG_TSYNC_ESRCH)
					report(r, SF_SEV_ERROR, nodes[i], sub2, "runtime-flag",
					       "the runtime sets it itself when it needs it; runc "
					       "and crun refuse it in a profile",
					       "flag \"%s\" cannot be given in a profile", names[i]);
				p->flags |= fl;
			}
		}
	}
	if ((v = field(n, "listenerPath"))) {
		join(sub, base, "listenerPath");
		p->listener_path = (char *)get_string(r, v, sub);
	}
	if ((v = field(n, "listenerMetadata"))) {
		join(sub, base, "listenerMetadata");
		p->listener_metadata = (char *)get_string(r, v, sub);
	}
	if (spo && (v = field(n, "baseProfileName"))) {
		join(sub, base, "baseProfileName");
		report(r, SF_SEV_WARNING, v, sub, "base-profile",
		       "merge the base profile in first (sysfence merge), or check it on its own",
		       "baseProfileName is resolved by the operator in the cluster; its rules are "
		       "not part of this check");
	}
	if ((v = field(n, "syscalls"))) {
		join(sub, base, "syscalls");
		if (v->kind != SF_NODE_ARRAY) {
			report(r, SF_SEV_ERROR, v, sub, "type", NULL,
			       "expected an array of syscall rules, found %s",
			       sf_node_kind_name(v->kind));
		} else {
			p->rules = sf_arena_alloc(p->arena, v->len * sizeof(*p->rules));
			if (!p->rules && v->len)
				r->oom = -ENOMEM;
			else
				p->rules_cap = v->len;
			for (size_t i = 0; p->rules && i < v->len; i++) {
				join_index(sub2, sub, i);
				read_rule(r, v->items[i], sub2);
			}
		}
	}
}

static int from_root(struct sf_doc *doc, const struct sf_node *root, bool own,
		     struct sf_findings *findings, struct sf_profile **out, struct sf_error *err)
{
	struct reader r = { .f = findings, .err = err, .file = doc->name };

	*out = NULL;
	r.p = sf_profile_new();
	if (!r.p) {
		if (own)
			sf_doc_free(doc);
		return sf_error_set_at(err, -ENOMEM, doc->name, 0, 0, "out of memory");
	}
	if (own)
		r.p->doc = doc;
	if (!root)
		report(&r, SF_SEV_ERROR, NULL, "", "empty", NULL, "empty document: no profile");
	else
		read_profile(&r, root);
	*out = r.p;
	if (r.oom)
		return sf_error_set_at(err, -ENOMEM, doc->name, 0, 0, "out of memory");
	return r.nerrors ? -EINVAL : 0;
}

int sf_profile_from_doc(struct sf_doc *doc, struct sf_findings *findings, struct sf_profile **out,
			struct sf_error *err)
{
	return from_root(doc, sf_doc_root(doc), true, findings, out, err);
}

int sf_profile_from_node(struct sf_doc *doc, const struct sf_node *root,
			 struct sf_findings *findings, struct sf_profile **out, struct sf_error *err)
{
	return from_root(doc, root, false, findings, out, err);
}

int sf_profile_parse(const char *name, const char *data, size_t len, enum sf_doc_format format,
		     struct sf_findings *findings, struct sf_profile **out, struct sf_error *err)
{
	struct sf_doc *doc;
	int r;

	*out = NULL;
	r = sf_doc_parse(name, data, len, format, 0, &doc, err);
	if (r < 0)
		return r;
	return sf_profile_from_doc(doc, findings, out, err);
}

int sf_profile_read(const char *path, enum sf_doc_format format, struct sf_findings *findings,
		    struct sf_profile **out, struct sf_error *err)
{
	struct sf_doc *doc;
	int r;

	*out = NULL;
	r = sf_doc_read_file(path, format, 0, &doc, err);
	if (r < 0)
		return r;
	return sf_profile_from_doc(doc, findings, out, err);
}
