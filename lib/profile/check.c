/*
 * Semantic checks of a profile: names that mean nothing, rules that conflict or do nothing,
 * combinations runtimes refuse, and the posture warnings. Positions come from the model's nodes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <sysfence/arch.h>
#include <sysfence/profile.h>

#include "compile/tree.h"
#include "util/util.h"

#define PATH_LEN 128

struct checker {
	const struct sf_profile *p;
	struct sf_findings *f;
	const struct sf_arch *arches[64];
	size_t narches;
};

static void rule_path(char *out, size_t i)
{
	snprintf(out, PATH_LEN, "syscalls[%zu]", i);
}

static void add_arch(struct checker *c, const char *scmp_name)
{
	const struct sf_arch *a = strcmp(scmp_name, "SCMP_ARCH_NATIVE") == 0 ? sf_arch_native()
									      : sf_arch_find(scmp_name);
	if (!a)
		return;
	for (size_t i = 0; i < c->narches; i++)
		if (c->arches[i] == a)
			return;
	if (c->narches < SF_ARRAY_SIZE(c->arches))
		c->arches[c->narches++] = a;
}

/* The errno a rule or the default returns, as runc fills it in (EPERM when absent). */
static uint32_t effective_errno(bool has, uint32_t v)
{
	return has ? v : EPERM;
}

static bool same_outcome(enum sf_action a, uint32_t ea, enum sf_action b, uint32_t eb)
{
	if (sf_action_takes_errno(a) || sf_action_takes_errno(b))
		return a == b && ea == eb;
	return sf_action_ret(a, 0) == sf_action_ret(b, 0);
}

static bool filter_empty(const struct sf_filter *f)
{
	return !f->ncaps && !f->narches && !f->min_kernel;
}

static bool strv_eq(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool filter_eq(const struct sf_filter *a, const struct sf_filter *b)
{
	return strv_eq(a->caps, a->ncaps, b->caps, b->ncaps) &&
	       strv_eq(a->arches, a->narches, b->arches, b->narches) &&
	       ((!a->min_kernel && !b->min_kernel) ||
		(a->min_kernel && b->min_kernel && strcmp(a->min_kernel, b->min_kernel) == 0));
}

/* Two rules can be in force together when their includes/excludes are the same. (Different
 * conditions are how Docker's profile states alternatives; those are judged after resolving.) */
static bool may_coexist(const struct sf_rule *a, const struct sf_rule *b)
{
	return filter_eq(&a->includes, &b->includes) && filter_eq(&a->excludes, &b->excludes);
}

static const struct sf_node *name_node(const struct sf_rule *r, size_t j)
{
	return r->name_nodes && r->name_nodes[j] ? r->name_nodes[j] : r->node;
}

static void check_names(struct checker *c, size_t i)
{
	const struct sf_rule *r = &c->p->rules[i];
	char path[PATH_LEN];

	for (size_t j = 0; j < r->nnames; j++) {
		const char *name = r->names[j];
		const struct sf_node *at = name_node(r, j);
		/* Paths are only printed with findings; formatting them is most of the cost. */
#define NAME_PATH()                                                                            \
	(r->legacy_name ? snprintf(path, PATH_LEN, "syscalls[%zu].name", i)                     \
			: snprintf(path, PATH_LEN, "syscalls[%zu].names[%zu]", i, j),           \
	 path)

		long idx = sf_syscall_index(name);
		if (idx < 0) {
			const char *s = sf_syscall_suggest(name);
			char hint[160];
			if (s)
				snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
			else
				snprintf(hint, sizeof(hint),
					 "runc and crun skip names they do not know, so this rule "
					 "does nothing for it");
			sf_findings_add(c->f, SF_SEV_ERROR, at, NAME_PATH(), "unknown-syscall", hint,
					"unknown syscall \"%s\"", name);
			continue;
		}
		bool anywhere = false;
		for (size_t k = 0; k < c->narches && !anywhere; k++)
			if (sf_syscall_nr_at(c->arches[k], (size_t)idx) >= 0)
				anywhere = true;
		for (size_t k = 0; k < c->narches && !anywhere; k++)
			anywhere = sf_syscall_multiplexed(c->arches[k], name, NULL, NULL);
		/* Docker's per-arch rules name the arches they are for: judge them by those. */
		if (!anywhere && r->includes.narches)
			for (size_t k = 0; k < r->includes.narches && !anywhere; k++) {
				const struct sf_arch *a = sf_arch_find(r->includes.arches[k]);
				anywhere = a && sf_syscall_nr_at(a, (size_t)idx) >= 0;
			}
		if (!anywhere && c->narches) {
			char list[256] = "";
			for (size_t k = 0; k < c->narches; k++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 k ? ", " : "", c->arches[k]->name);
			sf_findings_add(c->f, SF_SEV_WARNING, at, NAME_PATH(), "syscall-not-on-arch", NULL,
					"\"%s\" does not exist on %s: the rule has no effect there",
					name, list);
		}
	}
}

#undef NAME_PATH

/*
 * Arguments declared `int` (or pid_t) in the kernel's or libc's prototype, for common syscalls.
 * A 64-bit register carries such a value sign-extended or zero-extended depending on the
 * caller, so a 64-bit comparison with a negative int can match only one of the two.
 */
static const struct {
	const char *name;
	uint8_t mask; /* bit i: argument i is an int */
} int_args[] = {
	{ "accept4", 0x09 },	    { "bind", 0x01 },	       { "bpf", 0x01 },
	{ "connect", 0x01 },	    { "dup3", 0x04 },	       { "epoll_ctl", 0x07 },
	{ "eventfd2", 0x02 },	    { "faccessat", 0x05 },     { "faccessat2", 0x0d },
	{ "fchmodat", 0x01 },	    { "fchownat", 0x11 },      { "futex", 0x02 },
	{ "getsockopt", 0x07 },	    { "inotify_add_watch", 0x01 }, { "keyctl", 0x01 },
	{ "kill", 0x03 },	    { "linkat", 0x15 },	       { "listen", 0x03 },
	{ "madvise", 0x04 },	    { "mkdirat", 0x01 },       { "mknodat", 0x01 },
	{ "mmap", 0x10 },	    { "newfstatat", 0x09 },    { "open", 0x02 },
	{ "openat", 0x05 },	    { "pidfd_open", 0x01 },    { "prctl", 0x01 },
	{ "readlinkat", 0x01 },	    { "recvfrom", 0x01 },      { "renameat", 0x05 },
	{ "renameat2", 0x05 },	    { "rt_sigqueueinfo", 0x03 }, { "sched_setscheduler", 0x03 },
	{ "sendto", 0x01 },	    { "setns", 0x03 },	       { "setpriority", 0x07 },
	{ "setsockopt", 0x07 },	    { "shutdown", 0x03 },      { "socket", 0x07 },
	{ "socketpair", 0x07 },	    { "statx", 0x05 },	       { "symlinkat", 0x02 },
	{ "tgkill", 0x07 },	    { "tkill", 0x03 },	       { "unlinkat", 0x05 },
	{ "utimensat", 0x09 },	    { "wait4", 0x05 },	       { "waitid", 0x03 },
};

static bool is_int_arg(const char *name, unsigned index)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(int_args); i++)
		if (strcmp(int_args[i].name, name) == 0)
			return index < 8 && (int_args[i].mask >> index) & 1;
	return false;
}

static void check_int_extension(struct checker *c, const struct sf_rule *r, size_t ri)
{
	bool wide = false;
	for (size_t k = 0; k < c->narches; k++)
		wide |= c->arches[k]->bits == 64 && strcmp(c->arches[k]->name, "x32") != 0;
	if (!wide)
		return; /* 32-bit ABIs compare the low word only: both extensions look alike */
	for (size_t j = 0; j < r->nargs; j++) {
		const struct sf_arg *a = &r->args[j];
		uint64_t v = a->value;
		uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
		bool negative = (lo & 0x80000000u) != 0;
		if (a->op == SF_OP_MASKED_EQ && (a->value >> 32) == 0)
			continue; /* only the low word is compared: fine for ints */
		if (a->op == SF_OP_MASKED_EQ)
			v = a->value_two & a->value, hi = (uint32_t)(v >> 32), lo = (uint32_t)v,
			negative = (lo & 0x80000000u) != 0;
		if (hi == 0 && !negative)
			continue; /* a non-negative int: both extensions give this value */
		for (size_t n = 0; n < r->nnames; n++) {
			if (!is_int_arg(r->names[n], a->index))
				continue;
			char path[PATH_LEN], hint[192];
			snprintf(path, PATH_LEN, "syscalls[%zu].args[%zu]", ri, j);
			snprintf(hint, sizeof(hint),
				 "compare the low 32 bits only: SCMP_CMP_MASKED_EQ with value "
				 "4294967295 and valueTwo %u",
				 lo);
			if (hi == 0 || hi == 0xffffffffu)
				sf_findings_add(c->f, SF_SEV_WARNING, a->node, path, "int-extension",
						hint,
						"argument %u of %s is an int: a negative value reaches "
						"the filter sign-extended (0xffffffff%08x) or "
						"zero-extended (0x%08x) depending on the caller, and this "
						"condition matches only the %s form",
						a->index, r->names[n], lo, lo,
						hi == 0 ? "zero-extended" : "sign-extended");
			else
				sf_findings_add(c->f, SF_SEV_WARNING, a->node, path, "int-extension",
						hint,
						"argument %u of %s is an int, but the value %#" PRIx64
						" is not one an int can take: the condition compares "
						"bits no int sets",
						a->index, r->names[n], a->value);
			break;
		}
	}
}

static void check_rule(struct checker *c, size_t i)
{
	const struct sf_profile *p = c->p;
	const struct sf_rule *r = &p->rules[i];
	char path[PATH_LEN], sub[PATH_LEN * 2];

	rule_path(path, i);
	check_names(c, i);
	check_int_extension(c, r, i);
	if (r->has_errno && r->action && !sf_action_takes_errno(r->action)) {
		snprintf(sub, sizeof(sub), "%s.errnoRet", path);
		sf_findings_add(c->f, SF_SEV_ERROR, r->node, sub, "errno-on-action",
				"remove it, or use SCMP_ACT_ERRNO",
				"errnoRet given for %s, which takes none: crun refuses the profile "
				"and runc ignores the value",
				sf_action_name(r->action));
	}
	for (size_t j = 0; j < r->nargs; j++) {
		const struct sf_arg *a = &r->args[j];
		snprintf(sub, sizeof(sub), "%s.args[%zu].valueTwo", path, j);
		if (a->op && a->op != SF_OP_MASKED_EQ && a->value_two != 0)
			sf_findings_add(c->f, SF_SEV_WARNING, a->node, sub, "value-two-ignored",
					"valueTwo is only read by SCMP_CMP_MASKED_EQ",
					"valueTwo %" PRIu64 " is ignored by %s", a->value_two,
					sf_op_name(a->op));
		/* libseccomp compares (arg & value) == (valueTwo & value): bits of valueTwo
		 * outside the mask are dropped, which is rarely what the author meant. */
		if (a->op == SF_OP_MASKED_EQ && (a->value_two & ~a->value) != 0)
			sf_findings_add(c->f, SF_SEV_WARNING, a->node, sub, "masked-datum",
					"for MASKED_EQ, value is the mask and valueTwo the datum",
					"valueTwo %#" PRIx64 " has bits outside the mask %#" PRIx64
					": libseccomp drops them and compares with %#" PRIx64,
					a->value_two, a->value, a->value_two & a->value);
	}
	if (r->action && p->default_action && !r->nargs &&
	    same_outcome(r->action, effective_errno(r->has_errno, r->errno_ret), p->default_action,
			 effective_errno(p->has_default_errno, p->default_errno)) &&
	    filter_empty(&r->includes))
		sf_findings_add(c->f, SF_SEV_WARNING, r->node, path, "no-effect",
				"remove the rule, or give it another action",
				"the rule's action is the default action: it has no effect");
	if (r->action == SF_ACT_NOTIFY && !p->listener_path)
		sf_findings_add(c->f, SF_SEV_ERROR, r->node, path, "notify-without-listener",
				"set \"listenerPath\" to the seccomp agent's socket",
				"SCMP_ACT_NOTIFY without \"listenerPath\": nobody answers the "
				"notifications, runc refuses the profile");
	for (const struct sf_filter *flt = &r->includes; flt; flt = flt == &r->includes ?
								      &r->excludes : NULL) {
		for (size_t k = 0; k < flt->ncaps; k++)
			if (strncmp(flt->caps[k], "CAP_", 4) != 0)
				sf_findings_add(c->f, SF_SEV_WARNING, flt->node, path, "cap-name",
						"capabilities are written CAP_SYS_ADMIN",
						"\"%s\" is not a capability name: it never matches",
						flt->caps[k]);
		for (size_t k = 0; k < flt->narches; k++) {
			const struct sf_arch *a = sf_arch_find(flt->arches[k]);
			if (!a || !a->go_name || strcmp(a->go_name, flt->arches[k]) != 0)
				sf_findings_add(c->f, SF_SEV_WARNING, flt->node, path,
						"filter-arch",
						a && a->go_name ? "Docker compares Go's names" : NULL,
						"\"%s\" is not an architecture name Docker uses here "
						"(Go's GOARCH: amd64, arm64, s390x, ...): it never "
						"matches%s%s",
						flt->arches[k], a && a->go_name ? "; write " : "",
						a && a->go_name ? a->go_name : "");
		}
	}
}

/*
 * Several rules for one syscall. libseccomp keeps one decision tree per syscall: of two
 * unconditional rules the first stays and the second is dropped without an error, and an
 * unconditional rule takes the syscall whole, discarding argument rules before or after it
 * (docs/semantics.md, 6.2). Sorting (name, rule) keeps this O(n log n) for huge profiles.
 */
struct name_ref {
	const char *name;
	size_t rule, idx;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void report_pair(struct checker *c, const struct name_ref *first,
			const struct name_ref *other)
{
	const struct sf_rule *u = &c->p->rules[first->rule], *r = &c->p->rules[other->rule];
	char path[PATH_LEN];
	bool same = same_outcome(u->action, effective_errno(u->has_errno, u->errno_ret), r->action,
				 effective_errno(r->has_errno, r->errno_ret));

	snprintf(path, PATH_LEN, "syscalls[%zu].names[%zu]", other->rule, other->idx);
	if (r->nargs) {
		if (!same)
			sf_findings_add(c->f, SF_SEV_WARNING, name_node(r, other->idx), path,
					"args-overridden",
					"remove the unconditional rule, or give this one's action to it",
					"the argument conditions for \"%s\" never decide: the "
					"unconditional %s rule in syscalls[%zu] takes the whole syscall "
					"(libseccomp keeps one decision tree per syscall)",
					other->name, sf_action_name(u->action), first->rule);
	} else if (same) {
		sf_findings_add(c->f, SF_SEV_WARNING, name_node(r, other->idx), path,
				"duplicate-rule", "remove one of them",
				"\"%s\" already has this action in syscalls[%zu]", other->name,
				first->rule);
	} else {
		sf_findings_add(c->f, SF_SEV_ERROR, name_node(r, other->idx), path, "conflict",
				"keep one action, or add argument conditions",
				"\"%s\" is given %s here but %s in syscalls[%zu]: the first rule "
				"wins at run time, because libseccomp silently drops a second "
				"unconditional rule for a syscall",
				other->name, sf_action_name(r->action), sf_action_name(u->action),
				first->rule);
	}
}

static void check_conflicts(struct checker *c)
{
	const struct sf_profile *p = c->p;
	struct name_ref *refs;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < p->nrules; i++)
		total += p->rules[i].nnames;
	refs = calloc(total ? total : 1, sizeof(*refs));
	if (!refs)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		if (!p->rules[i].action)
			continue;
		for (size_t j = 0; j < p->rules[i].nnames; j++)
			refs[n++] = (struct name_ref){ p->rules[i].names[j], i, j };
	}
	if (n)
		qsort(refs, n, sizeof(*refs), cmp_ref);
	for (size_t g = 0, end; g < n; g = end) {
		const struct name_ref *firsts[8];
		size_t nfirsts = 0;

		for (end = g; end < n && strcmp(refs[end].name, refs[g].name) == 0; end++)
			;
		/* The first unconditional rule of each includes/excludes variant. */
		for (size_t k = g; k < end; k++) {
			const struct sf_rule *r = &p->rules[refs[k].rule];
			bool seen = false;
			if (r->nargs)
				continue;
			for (size_t x = 0; x < nfirsts && !seen; x++)
				seen = may_coexist(&p->rules[firsts[x]->rule], r);
			if (!seen && nfirsts < SF_ARRAY_SIZE(firsts))
				firsts[nfirsts++] = &refs[k];
		}
		for (size_t k = g; k < end; k++) {
			const struct sf_rule *r = &p->rules[refs[k].rule];
			/* The same name twice in one rule sorts side by side. */
			if (k > g && refs[k - 1].rule == refs[k].rule) {
				char path[PATH_LEN];
				snprintf(path, PATH_LEN, "syscalls[%zu].names[%zu]", refs[k].rule,
					 refs[k].idx);
				sf_findings_add(c->f, SF_SEV_WARNING, name_node(r, refs[k].idx), path,
						"duplicate-name", "remove one",
						"\"%s\" is listed twice in this rule", refs[k].name);
				continue;
			}
			for (size_t x = 0; x < nfirsts; x++) {
				if (firsts[x] == &refs[k] || firsts[x]->rule == refs[k].rule ||
				    !may_coexist(&p->rules[firsts[x]->rule], r))
					continue;
				report_pair(c, firsts[x], &refs[k]);
				break;
			}
		}
	}
	free(refs);
}

/*
 * Argument rules on socket calls (and SysV IPC calls) when an architecture that multiplexes them
 * through socketcall(2)/ipc(2) is a target. libseccomp turns such a rule into a rule on the
 * multiplexer: arg0 == call, plus the conditions on the other arguments (whose registers mean
 * nothing there). Two rules of different outcomes that become the same make seccomp_rule_add
 * fail with EEXIST, and runc and crun refuse to start the container.
 */
struct mux_rule {
	size_t rule;
	unsigned call;
	bool ipc;
	uint32_t ret;
	const struct sf_arg *conds[6]; /* those not on argument 0 */
	size_t nconds;
};

static bool mux_same(const struct mux_rule *a, const struct mux_rule *b)
{
	if (a->call != b->call || a->ipc != b->ipc || a->nconds != b->nconds)
		return false;
	for (size_t i = 0; i < a->nconds; i++) {
		const struct sf_arg *x = a->conds[i], *y = b->conds[i];
		if (x->index != y->index || x->op != y->op || x->value != y->value ||
		    (x->op == SF_OP_MASKED_EQ && (x->value_two & x->value) != (y->value_two & y->value)))
			return false;
	}
	return true;
}

static void check_multiplexed(struct checker *c)
{
	const struct sf_profile *p = c->p;
	const struct sf_arch *mux = NULL;
	for (size_t k = 0; k < c->narches && !mux; k++)
		if (c->arches[k]->socketcall_nr >= 0)
			mux = c->arches[k];
	if (!mux)
		return;
	uint32_t def = sf_action_ret(p->default_action,
				     effective_errno(p->has_default_errno, p->default_errno));
	struct mux_rule *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		uint32_t ret = sf_action_ret(r->action, effective_errno(r->has_errno, r->errno_ret));
		if (!r->nargs || !r->action || ret == def)
			continue;
		for (size_t j = 0; j < r->nnames; j++) {
			long muxnr;
			unsigned call;
			if (!sf_syscall_multiplexed(mux, r->names[j], &muxnr, &call))
				continue;
			char path[PATH_LEN];
			snprintf(path, PATH_LEN, "syscalls[%zu].names[%zu]", i, j);
			sf_findings_add(c->f, SF_SEV_WARNING, name_node(r, j), path, "multiplexed-args",
					"runtimes widen the rule to every call through the multiplexer; "
					"sysfence applies it there only when it is as strict as the default",
					"on %s, %s can also be called through %s, whose arguments a filter "
					"cannot see: the argument conditions cannot be checked there",
					mux->name, r->names[j], muxnr == mux->ipc_nr ? "ipc" : "socketcall");
			/* runc's split of repeated indexes gives one rule per condition. */
			bool repeats = false;
			for (size_t x = 0; x < r->nargs; x++)
				for (size_t y = x + 1; y < r->nargs; y++)
					repeats |= r->args[x].index == r->args[y].index;
			for (size_t part = 0; part < (repeats ? r->nargs : 1); part++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					struct mux_rule *nv = reallocarray(v, cap, sizeof(*v));
					if (!nv) {
						free(v);
						return;
					}
					v = nv;
				}
				struct mux_rule *m = &v[n++];
				memset(m, 0, sizeof(*m));
				m->rule = i;
				m->call = call;
				m->ipc = muxnr == mux->ipc_nr;
				m->ret = ret;
				for (size_t x = repeats ? part : 0; x < (repeats ? part + 1 : r->nargs);
				     x++)
					if (r->args[x].index != 0 && m->nconds < 6)
						m->conds[m->nconds++] = &r->args[x];
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			if (v[i].ret == v[j].ret || v[i].rule == v[j].rule || !mux_same(&v[i], &v[j]) ||
			    !may_coexist(&p->rules[v[i].rule], &p->rules[v[j].rule]))
				continue;
			char path[PATH_LEN];
			snprintf(path, PATH_LEN, "syscalls[%zu]", v[i].rule);
			sf_findings_add(c->f, SF_SEV_ERROR, p->rules[v[i].rule].node, path,
					"multiplexed-conflict",
					"give these rules the same action, or drop the architecture",
					"on %s, libseccomp turns this rule and syscalls[%zu] into the same "
					"%s rule with different actions: seccomp_rule_add fails with EEXIST "
					"and runc and crun refuse to start the container",
					mux->name, v[j].rule, v[i].ipc ? "ipc" : "socketcall");
			break;
		}
	free(v);
}

/*
 * Rules on which libseccomp 2.5.4 never returns from seccomp_rule_add, so that runc and crun
 * hang starting the container. Merging a rule into its syscall's tree (docs/libseccomp-tree.md
 * 2.4) can link one of its tests into a level of the tree a second time; the level's list then
 * has a cycle, and the next walk of it never ends. Whether that happens is decided here by
 * building the tree exactly as libseccomp does (lib/compile/tree.c, which stops where
 * libseccomp's walk would go round forever): for each syscall, its rules in profile order as
 * runc adds them (actions equal to the default skipped, repeated argument indexes split), once
 * per argument width of the targets, and for socketcall/ipc on an arch that multiplexes, with
 * libseccomp's rewriting (the condition on arg0 replaced by arg0 == call). Rules under
 * includes/excludes are taken with the unconditional ones, one variant at a time.
 */
struct hang_ref {
	const char *name; /* the syscall, or "socketcall"/"ipc" */
	long key;	  /* sf_syscall_index of name: the tree the rule goes into */
	size_t rule, idx;
	unsigned call; /* multiplexed: the call number (0: direct) */
	bool plain;    /* the rule has no includes/excludes */
};

static int cmp_hang_ref(const void *a, const void *b)
{
	const struct hang_ref *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* No includes, no excludes: the rule is in every resolved profile. */
static bool rule_plain(const struct sf_rule *r)
{
	return filter_empty(&r->includes) && filter_empty(&r->excludes);
}

static bool repeats_index(const struct sf_rule *r)
{
	for (size_t x = 0; x < r->nargs; x++)
		for (size_t y = x + 1; y < r->nargs; y++)
			if (r->args[x].index == r->args[y].index)
				return true;
	return false;
}

static void report_hang(struct checker *c, const struct hang_ref *b, const struct hang_ref *w,
			unsigned bits)
{
	const struct sf_rule *r = &c->p->rules[b->rule];
	const char *via = "";
	char path[PATH_LEN];

	if (b->call)
		via = strcmp(b->name, "ipc") == 0 ? " through ipc" : " through socketcall";

	snprintf(path, PATH_LEN, "syscalls[%zu].names[%zu]", b->rule, b->idx);
	sf_findings_add(c->f, SF_SEV_ERROR, name_node(r, b->idx), path, "libseccomp-hang",
			"change the order or the first conditions of these rules",
			"libseccomp 2.5.4 never returns from adding this rule for \"%s\" after "
			"syscalls[%zu]%s (%u-bit arches): merging it links one of its tests into "
			"the syscall's tree twice, and walking that part of the tree never ends, "
			"so runc and crun would hang starting the container",
			r->names[b->idx], w->rule, via, bits);
}

/* A rule on which libseccomp hangs: the first of its names that does (runc adds them in
 * order), after which rule, on arches of how many bits. */
struct hang_hit {
	bool set;
	struct hang_ref at, after;
	unsigned bits;
};

/* One syscall's rules (refs[0..n), sorted by rule) for one width; notes a hang in hits[]. */
static bool hang_one(struct checker *c, struct sf_arena *a, const struct hang_ref *refs, size_t n,
		     unsigned bits, uint32_t def, struct hang_hit *hits)
{
	const struct sf_profile *p = c->p;
	struct trule *tr;
	struct sf_arg *conds;
	size_t nt = 0, nc = 0, max = 0;
	struct tree_fail tf = { 0 };
	struct dtarget out;
	int rc;

	for (size_t i = 0; i < n; i++)
		max += p->rules[refs[i].rule].nargs + 1;
	tr = calloc(max, sizeof(*tr));
	conds = calloc(max, sizeof(*conds));
	if (!tr || !conds) {
		free(tr);
		free(conds);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sf_rule *r = &p->rules[refs[i].rule];
		uint32_t e = effective_errno(r->has_errno, r->errno_ret);
		uint32_t ret = sf_action_ret(r->action, e);
		bool split = repeats_index(r);
		if (ret == def)
			continue;
		for (size_t part = 0; part < (split ? r->nargs : 1); part++) {
			struct trule *t = &tr[nt++];
			size_t from = split ? part : 0, to = split ? part + 1 : r->nargs;
			t->ret = ret;
			t->rule = i;
			t->conds = &conds[nc];
			for (size_t k = from; k < to; k++) {
				if (refs[i].call && r->args[k].index == 0)
					continue; /* libseccomp replaces it by the call number */
				conds[nc++] = r->args[k];
				t->nconds++;
			}
			if (refs[i].call) {
				t->has_call = true;
				t->call = refs[i].call;
				t->call_mask = ~0ULL;
			}
		}
	}
	rc = sf_tree_build(a, tr, nt, bits, def, &out, &tf);
	if (rc == -ELOOP) {
		const struct hang_ref *at = &refs[tr[tf.rule].rule];
		struct hang_hit *h = &hits[at->rule];
		if (!h->set || at->idx < h->at.idx)
			*h = (struct hang_hit){ true, *at, refs[tr[tf.with].rule], bits };
	}
	free(tr);
	free(conds);
	return rc == -ELOOP;
}

/* Every name of every rule, and its socketcall/ipc form where an arch multiplexes it, sorted by
 * tree, then rule: made once, filtered for each variant. */
struct hang_set {
	struct hang_ref *refs, *sel;
	size_t n;
	bool filtered;		      /* some rules have includes/excludes: sel is needed */
	const struct sf_arch *mux[2]; /* 32, 64: the arch multiplexing socketcall/ipc */
	bool width[2];		      /* arches of 32, 64 bits */
	uint32_t def;
};

static bool hang_set_init(struct hang_set *h, const struct checker *c)
{
	const struct sf_profile *p = c->p;
	size_t total = 0;

	*h = (struct hang_set){ .def = sf_action_ret(p->default_action,
						     effective_errno(p->has_default_errno,
								     p->default_errno)) };
	for (size_t k = 0; k < c->narches; k++) {
		const struct sf_arch *ar = c->arches[k];
		h->width[ar->bits == 64] = true;
		if (ar->socketcall_nr >= 0 && !h->mux[ar->bits == 64])
			h->mux[ar->bits == 64] = ar;
	}
	for (size_t i = 0; i < p->nrules; i++)
		total += 2 * p->rules[i].nnames;
	h->refs = calloc(total ? total : 1, sizeof(*h->refs));
	if (!h->refs)
		return false;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		bool plain = rule_plain(r);
		h->filtered |= !plain;
		if (!r->action)
			continue;
		for (size_t j = 0; j < r->nnames; j++) {
			const char *name = r->names[j];
			long key = sf_syscall_index(name), muxnr;
			unsigned call;
			if (key < 0)
				continue;
			h->refs[h->n++] = (struct hang_ref){ name, key, i, j, 0, plain };
			for (int w = 0; w < 2; w++) {
				if (!h->mux[w] || !sf_syscall_multiplexed(h->mux[w], name, &muxnr, &call))
					continue;
				name = muxnr == h->mux[w]->ipc_nr ? "ipc" : "socketcall";
				h->refs[h->n++] = (struct hang_ref){ name, sf_syscall_index(name), i, j,
								     call, plain };
				break;
			}
		}
	}
	if (h->n)
		qsort(h->refs, h->n, sizeof(*h->refs), cmp_hang_ref);
	if (h->filtered && !(h->sel = calloc(h->n ? h->n : 1, sizeof(*h->sel))))
		return false;
	return true;
}

/* The rules without includes/excludes, with those of one variant (NULL: those alone). With a
 * variant, only the trees it adds a rule to are built: the others are those of NULL. */
static void hang_variant(struct checker *c, struct sf_arena *a, struct hang_set *h,
			 const struct sf_rule *variant, struct hang_hit *hits)
{
	const struct sf_profile *p = c->p;
	const struct hang_ref *sel = h->refs;
	size_t n = h->n;

	if (h->filtered) { /* else every rule is plain, and taken */
		n = 0;
		for (size_t i = 0; i < h->n; i++)
			if (h->refs[i].plain ||
			    (variant && may_coexist(variant, &p->rules[h->refs[i].rule])))
				h->sel[n++] = h->refs[i];
		sel = h->sel;
	}
	for (size_t g = 0, end; g < n; g = end) {
		size_t conditional = 0;
		bool is_mux = false, added = !variant;
		for (end = g; end < n && sel[end].key == sel[g].key; end++) {
			conditional += p->rules[sel[end].rule].nargs > 0 || sel[end].call;
			is_mux |= sel[end].call != 0;
			added |= !sel[end].plain;
		}
		/* a hang takes two rules with tests */
		if (conditional < 2 || !added)
			continue;
		for (int w = 1; w >= 0; w--) {
			if (is_mux ? !h->mux[w] : !h->width[w])
				continue;
			if (hang_one(c, a, &sel[g], end - g, w ? 64 : 32, h->def, hits))
				break;
		}
	}
}

static void check_hang(struct checker *c)
{
	const struct sf_profile *p = c->p;
	struct sf_arena *a = sf_arena_new();
	struct hang_hit *hits = calloc(p->nrules + 1, sizeof(*hits));
	struct hang_set h;

	if (!hang_set_init(&h, c) || !a || !hits)
		goto out;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		bool first = true;
		if (rule_plain(r))
			continue;
		for (size_t k = 0; k < i && first; k++)
			first = !may_coexist(&p->rules[k], r);
		if (first)
			hang_variant(c, a, &h, r, hits);
	}
	hang_variant(c, a, &h, NULL, hits);
	for (size_t i = 0; i < p->nrules; i++)
		if (hits[i].set)
			report_hang(c, &hits[i].at, &hits[i].after, hits[i].bits);
out:
	free(h.refs);
	free(h.sel);
	sf_arena_free(a);
	free(hits);
}

void sf_profile_check(const struct sf_profile *p, unsigned flags, struct sf_findings *f)
{
	struct checker c = { .p = p, .f = f };
	const struct sf_node *top = p->node;
	bool notify = p->default_action == SF_ACT_NOTIFY;

	(void)flags;
	for (size_t i = 0; i < p->narchitectures; i++)
		add_arch(&c, p->architectures[i]);
	for (size_t i = 0; i < p->narchmap; i++) {
		add_arch(&c, p->archmap[i].arch);
		for (size_t j = 0; j < p->archmap[i].nsub; j++)
			add_arch(&c, p->archmap[i].sub[j]);
	}
	if (!c.narches && sf_arch_native())
		c.arches[c.narches++] = sf_arch_native();

	if (p->narchitectures && p->narchmap)
		sf_findings_add(f, SF_SEV_ERROR, top, "archMap", "arch-and-archmap",
				"keep one of them",
				"both \"architectures\" and \"archMap\" are given: Docker refuses "
				"the profile");
	if (!p->narchitectures && !p->narchmap)
		sf_findings_add(f, SF_SEV_WARNING, top, "architectures", "no-architectures",
				"list SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 (or your "
				"arches) so that 32-bit syscalls are filtered by the same rules",
				"no \"architectures\": only the native ABI is allowed; calls of any "
				"other ABI get the bad-arch action");
	if (p->default_action == SF_ACT_ALLOW || p->default_action == SF_ACT_LOG)
		sf_findings_add(f, SF_SEV_WARNING, top, "defaultAction", "deny-list",
				"an allowlist (defaultAction SCMP_ACT_ERRNO) refuses syscalls the "
				"profile does not know",
				"defaultAction %s: a deny list; syscalls added to future kernels are "
				"allowed",
				sf_action_name(p->default_action));
	if (p->has_default_errno && p->default_action &&
	    !sf_action_takes_errno(p->default_action))
		sf_findings_add(f, SF_SEV_ERROR, top, "defaultErrnoRet", "errno-on-action",
				"remove it, or use SCMP_ACT_ERRNO",
				"defaultErrnoRet given for %s, which takes none: crun refuses the "
				"profile and runc ignores the value",
				sf_action_name(p->default_action));
	if (p->default_action == SF_ACT_NOTIFY)
		sf_findings_add(f, SF_SEV_ERROR, top, "defaultAction", "notify-default",
				"use NOTIFY for the syscalls an agent must see",
				"SCMP_ACT_NOTIFY cannot be the default action: runc refuses it, and "
				"the runtime itself could not run past the filter");
	for (size_t i = 0; i < p->nrules; i++)
		notify |= p->rules[i].action == SF_ACT_NOTIFY;
	if ((p->flags & SF_FLAG_WAIT_KILLABLE_RECV) && !notify)
		sf_findings_add(f, SF_SEV_ERROR, top, "flags", "killable-without-listener",
				"remove the flag, or add SCMP_ACT_NOTIFY rules and listenerPath",
				"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without a listener: the "
				"kernel refuses it");
	if (p->listener_path && !notify)
		sf_findings_add(f, SF_SEV_WARNING, top, "listenerPath", "listener-unused", NULL,
				"listenerPath is set but no rule uses SCMP_ACT_NOTIFY");
	for (size_t i = 0; i < p->nrules; i++)
		check_rule(&c, i);
	check_conflicts(&c);
	check_multiplexed(&c);
	check_hang(&c);
}
