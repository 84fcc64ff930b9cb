/*
 * The union of allowlists (sysfence merge, record --merge): a profile that allows what any of
 * its inputs allows, and nothing else. What can be merged, and how, is in profile.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <sysfence/arch.h>
#include <sysfence/profile.h>

#include "util/util.h"

static const char *input_name(const struct sf_profile *const *in, const char *const *files,
			      size_t i, char *buf, size_t size)
{
	if (files && files[i])
		return files[i];
	if (in[i]->doc && in[i]->doc->name)
		return in[i]->doc->name;
	snprintf(buf, size, "<profile %zu>", i + 1);
	return buf;
}

static int fail_at(struct sf_error *err, const char *file, const struct sf_node *at,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(struct sf_error *err, const char *file, const struct sf_node *at,
		   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sf_error_vset_at(err, -EINVAL, file, at ? at->line : 0, at ? at->col : 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool refuses(enum sf_action a)
{
	return a == SF_ACT_ERRNO || a == SF_ACT_KILL_PROCESS || a == SF_ACT_KILL_THREAD ||
	       a == SF_ACT_KILL || a == SF_ACT_TRAP;
}

static bool lets_run(enum sf_action a)
{
	return a == SF_ACT_ALLOW || a == SF_ACT_LOG;
}

static uint32_t rule_ret(const struct sf_rule *r)
{
	return sf_action_ret(r->action, r->has_errno ? r->errno_ret : EPERM);
}

static uint32_t default_ret(const struct sf_profile *p)
{
	return sf_action_ret(p->default_action, p->has_default_errno ? p->default_errno : EPERM);
}

/* The flags a runtime loads with: none given means SPEC_ALLOW (runc, crun). */
static unsigned load_flags(const struct sf_profile *p)
{
	return p->nflag_names ? p->flags : SF_FLAG_SPEC_ALLOW;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_args(const struct sf_rule *x, const struct sf_rule *y)
{
	if (x->nargs != y->nargs)
		return false;
	for (size_t i = 0; i < x->nargs; i++) {
		const struct sf_arg *a = &x->args[i], *b = &y->args[i];
		if (a->index != b->index || a->op != b->op || a->value != b->value ||
		    (a->op == SF_OP_MASKED_EQ && a->value_two != b->value_two))
			return false;
	}
	return true;
}

/* Whether a profile can take part in a union; the first reason it cannot, located. */
static int check_input(const struct sf_profile *p, const struct sf_profile *first, const char *file,
		       const char *first_file, struct sf_error *err)
{
	if (!refuses(p->default_action))
		return fail_at(
		    err, file, p->node,
		    "defaultAction %s lets calls run: only allowlists (a defaultAction "
		    "that refuses: SCMP_ACT_ERRNO, SCMP_ACT_KILL*, SCMP_ACT_TRAP) can be "
		    "merged, since a union of what profiles allow is only well defined "
		    "when everything else is refused",
		    sf_action_name(p->default_action) ? sf_action_name(p->default_action)
						      : "(none)");
	if (default_ret(p) != default_ret(first)) {
		char a[48], b[48];
		snprintf(a, sizeof(a), "%s", sf_action_name(p->default_action));
		if (p->default_action == SF_ACT_ERRNO)
			snprintf(a, sizeof(a), "SCMP_ACT_ERRNO(%u)",
				 p->has_default_errno ? p->default_errno : EPERM);
		snprintf(b, sizeof(b), "%s", sf_action_name(first->default_action));
		if (first->default_action == SF_ACT_ERRNO)
			snprintf(b, sizeof(b), "SCMP_ACT_ERRNO(%u)",
				 first->has_default_errno ? first->default_errno : EPERM);
		return fail_at(err, file, p->node,
			       "defaultAction %s differs from %s's %s: merged profiles must refuse "
			       "the rest the same way (record again with the same --errno, or edit "
			       "defaultAction/defaultErrnoRet)",
			       a, first_file, b);
	}
	if (load_flags(p) != load_flags(first))
		return fail_at(
		    err, file, p->node,
		    "flags differ from %s's: they change how the filter is loaded, and a "
		    "union cannot choose between them",
		    first_file);
	if (!same_str(p->listener_path, first->listener_path) ||
	    !same_str(p->listener_metadata, first->listener_metadata))
		return fail_at(
		    err, file, p->node,
		    "listenerPath/listenerMetadata differ from %s's: merged profiles must "
		    "hand notifications to the same agent",
		    first_file);
	if (p->narchmap)
		return fail_at(
		    err, file, p->archmap[0].node,
		    "archMap is Docker's and resolved for a machine: resolve the profile "
		    "first (sysfence show)");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		const struct sf_filter *f[2] = {&r->includes, &r->excludes};
		for (int k = 0; k < 2; k++)
			if (f[k]->ncaps || f[k]->narches || f[k]->min_kernel)
				return fail_at(
				    err, file, r->node,
				    "syscalls[%zu] has %s: Docker resolves them for a "
				    "machine, and the union would depend on which: resolve "
				    "the profile first (sysfence show)",
				    i, k ? "excludes" : "includes");
		if (!r->action)
			return fail_at(err, file, r->node, "syscalls[%zu] has no valid action", i);
	}
	return 0;
}

/* One (name, input, rule) occurrence. */
struct occ {
	const char *name;
	size_t input, rule;
	const struct sf_node *at;
};

static int cmp_occ(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int copy_rule(struct sf_profile *p, const struct sf_rule *src, const char *name)
{
	struct sf_rule *r = sf_profile_add_rule(p);
	if (!r)
		return -ENOMEM;
	r->action = src->action;
	r->has_errno = src->has_errno;
	r->errno_ret = src->errno_ret;
	if ((src->errno_name && !(r->errno_name = sf_profile_strdup(p, src->errno_name))) ||
	    (src->comment && !(r->comment = sf_profile_strdup(p, src->comment))) ||
	    sf_rule_add_name(p, r, name) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < src->nargs; i++) {
		struct sf_arg a = src->args[i];
		a.node = NULL; /* the input's document may go before the union does */
		if (sf_rule_add_arg(p, r, &a) < 0)
			return -ENOMEM;
	}
	return 0;
}

static char *action_text(const struct sf_rule *r, char *buf, size_t size)
{
	if (sf_action_takes_errno(r->action))
		snprintf(buf, size, "%s(%u)", sf_action_name(r->action),
			 r->has_errno ? r->errno_ret : EPERM);
	else
		snprintf(buf, size, "%s", sf_action_name(r->action));
	return buf;
}

/* Arch names as written, without repeats (two spellings of one arch are one). */
static int add_arches(struct sf_profile *out, const struct sf_profile *p)
{
	for (size_t i = 0; i < p->narchitectures; i++) {
		const struct sf_arch *a = sf_arch_find(p->architectures[i]);
		bool dup = false;
		for (size_t k = 0; k < out->narchitectures && !dup; k++) {
			const struct sf_arch *b = sf_arch_find(out->architectures[k]);
			dup = a || b ? a == b
				     : strcmp(p->architectures[i], out->architectures[k]) == 0;
		}
		if (!dup && sf_profile_add_arch(out, p->architectures[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int sf_profile_merge(const struct sf_profile *const *in, const char *const *files, size_t n,
		     struct sf_profile **out, struct sf_error *err)
{
	char b0[32], b1[32];
	struct occ *occ = NULL;
	size_t nocc = 0, cap = 0;
	struct sf_profile *p = NULL;
	const char **plain = NULL, **logged = NULL;
	size_t nplain = 0, nlogged = 0;
	int r = -ENOMEM;

	*out = NULL;
	if (!n)
		return sf_error_set(err, -EINVAL, "no profile to merge");
	const char *first_file = input_name(in, files, 0, b0, sizeof(b0));
	for (size_t i = 0; i < n; i++) {
		r = check_input(in[i], in[0], input_name(in, files, i, b1, sizeof(b1)), first_file,
				err);
		if (r < 0)
			return r;
	}
	r = -ENOMEM;
	/* Every name of every rule that does something (runc skips rules equal to the default). */
	for (size_t i = 0; i < n; i++) {
		uint32_t def = default_ret(in[i]);
		for (size_t k = 0; k < in[i]->nrules; k++) {
			const struct sf_rule *rule = &in[i]->rules[k];
			if (rule_ret(rule) == def)
				continue;
			for (size_t j = 0; j < rule->nnames; j++) {
				if (nocc == cap) {
					cap = cap ? cap * 2 : 64;
					struct occ *v = reallocarray(occ, cap, sizeof(*v));
					if (!v)
						goto out;
					occ = v;
				}
				occ[nocc++] =
				    (struct occ){rule->names[j], i, k,
						 rule->name_nodes ? rule->name_nodes[j] : NULL};
				if (!occ[nocc - 1].at)
					occ[nocc - 1].at = rule->node;
			}
		}
	}
	if (nocc)
		qsort(occ, nocc, sizeof(*occ), cmp_occ);
	plain = calloc(nocc + 1, sizeof(*plain));
	logged = calloc(nocc + 1, sizeof(*logged));
	if (!(p = sf_profile_new()) || !plain || !logged)
		goto out;
	p->default_action = in[0]->default_action;
	p->has_default_errno = in[0]->has_default_errno;
	p->default_errno = in[0]->default_errno;
	if (in[0]->default_errno_name &&
	    !(p->default_errno_name = sf_profile_strdup(p, in[0]->default_errno_name)))
		goto out;
	p->flags = in[0]->flags;
	if (in[0]->nflag_names) {
		p->flag_names = sf_arena_alloc(p->arena, in[0]->nflag_names * sizeof(char *));
		if (!p->flag_names)
			goto out;
		for (size_t i = 0; i < in[0]->nflag_names; i++)
			if (!(p->flag_names[i] = sf_profile_strdup(p, in[0]->flag_names[i])))
				goto out;
		p->nflag_names = in[0]->nflag_names;
	}
	if ((in[0]->listener_path &&
	     !(p->listener_path = sf_profile_strdup(p, in[0]->listener_path))) ||
	    (in[0]->listener_metadata &&
	     !(p->listener_metadata = sf_profile_strdup(p, in[0]->listener_metadata))))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (add_arches(p, in[i]) < 0)
			goto out;

	/*
	 * Per name: libseccomp builds one decision per syscall from the rules naming it, so the
	 * union is decided name by name. The first rule of an input without conditions decides
	 * for it (libseccomp keeps the first unconditional rule and drops the conditional ones).
	 * First pass: the names some input lets run unconditionally.
	 */
	struct sf_rule *allow = NULL, *log = NULL;
	for (size_t g = 0; g < nocc;) {
		size_t e = g;
		while (e < nocc && !strcmp(occ[e].name, occ[g].name))
			e++;
		bool all = false, logs = false;
		for (size_t k = g; k < e; k++) {
			const struct sf_rule *rule = &in[occ[k].input]->rules[occ[k].rule];
			/* only the input's first unconditional rule counts */
			bool first_unc = !rule->nargs;
			for (size_t j = g; j < k && first_unc; j++)
				first_unc = occ[j].input != occ[k].input ||
					    in[occ[j].input]->rules[occ[j].rule].nargs;
			if (!first_unc || !lets_run(rule->action))
				continue;
			if (rule->action == SF_ACT_ALLOW)
				all = true;
			else
				logs = true;
		}
		if (all)
			plain[nplain++] = occ[g].name;
		else if (logs)
			logged[nlogged++] = occ[g].name;
		g = e;
	}
	for (size_t i = 0; i < nplain; i++) {
		if (!allow && !(allow = sf_profile_add_rule(p)))
			goto out;
		allow->action = SF_ACT_ALLOW;
		if (sf_rule_add_name(p, allow, plain[i]) < 0)
			goto out;
	}
	for (size_t i = 0; i < nlogged; i++) {
		if (!log && !(log = sf_profile_add_rule(p)))
			goto out;
		log->action = SF_ACT_LOG;
		if (sf_rule_add_name(p, log, logged[i]) < 0)
			goto out;
	}

	/* Second pass: the other names, in name order. */
	size_t ip = 0, il = 0;
	for (size_t g = 0; g < nocc;) {
		size_t e = g;
		while (e < nocc && !strcmp(occ[e].name, occ[g].name))
			e++;
		const char *name = occ[g].name;
		size_t gs = g;
		g = e;
		if ((ip < nplain && plain[ip] == name && ++ip) ||
		    (il < nlogged && logged[il] == name && ++il))
			continue;
		bool several = occ[gs].input != occ[e - 1].input;
		if (!several) {
			/* One input decides: its rules for the name, as they are. */
			for (size_t k = gs; k < e; k++)
				if (copy_rule(p, &in[occ[k].input]->rules[occ[k].rule], name) < 0)
					goto out;
			continue;
		}
		/* Several inputs: each one's decision is a refusal without conditions, or
		 * conditional rules. Refusals must agree; conditional rules must all let run. */
		const struct occ *refusal = NULL, *cond = NULL;
		for (size_t k = gs; k < e; k++) {
			const struct sf_rule *rule = &in[occ[k].input]->rules[occ[k].rule];
			bool unc = false;
			for (size_t j = gs; j < e; j++)
				unc |= occ[j].input == occ[k].input &&
				       !in[occ[j].input]->rules[occ[j].rule].nargs;
			if (unc) {
				if (rule->nargs)
					continue; /* dropped by libseccomp */
				bool first_unc = true;
				for (size_t j = gs; j < k && first_unc; j++)
					first_unc = occ[j].input != occ[k].input ||
						    in[occ[j].input]->rules[occ[j].rule].nargs;
				if (!first_unc)
					continue;
				if (refusal &&
				    rule_ret(rule) !=
					rule_ret(&in[refusal->input]->rules[refusal->rule])) {
					char a[64], c[64];
					r = fail_at(
					    err,
					    input_name(in, files, occ[k].input, b1, sizeof(b1)),
					    occ[k].at,
					    "%s: refused here with %s, and with %s by %s:%u:%u: a "
					    "union cannot keep both answers",
					    name, action_text(rule, a, sizeof(a)),
					    action_text(&in[refusal->input]->rules[refusal->rule],
							c, sizeof(c)),
					    input_name(in, files, refusal->input, b0, sizeof(b0)),
					    refusal->at ? refusal->at->line : 0,
					    refusal->at ? refusal->at->col : 0);
					goto out;
				}
				if (!refusal)
					refusal = &occ[k];
				continue;
			}
			if (!lets_run(rule->action)) {
				char a[64];
				r = fail_at(
				    err, input_name(in, files, occ[k].input, b1, sizeof(b1)),
				    occ[k].at,
				    "%s: a conditional rule with %s, and another profile has "
				    "rules for %s too: how libseccomp orders conditions would "
				    "decide what the union allows; merge only profiles whose "
				    "conditional rules allow",
				    name, action_text(rule, a, sizeof(a)), name);
				goto out;
			}
			if (!cond)
				cond = &occ[k];
		}
		if (refusal && cond) {
			char a[64];
			const struct sf_rule *rr = &in[refusal->input]->rules[refusal->rule];
			r = fail_at(err, input_name(in, files, cond->input, b1, sizeof(b1)),
				    cond->at,
				    "%s: allowed here under conditions, and refused with %s by "
				    "%s:%u:%u: a union would either drop that answer or need the "
				    "conditions negated; remove one of the rules",
				    name, action_text(rr, a, sizeof(a)),
				    input_name(in, files, refusal->input, b0, sizeof(b0)),
				    refusal->at ? refusal->at->line : 0,
				    refusal->at ? refusal->at->col : 0);
			goto out;
		}
		if (refusal) {
			if (copy_rule(p, &in[refusal->input]->rules[refusal->rule], name) < 0)
				goto out;
			continue;
		}
		/* Conditional allows of every input, without repeats (ALLOW over LOG). */
		size_t first_rule = p->nrules;
		for (size_t k = gs; k < e; k++) {
			const struct sf_rule *rule = &in[occ[k].input]->rules[occ[k].rule];
			bool dup = false;
			for (size_t j = first_rule; j < p->nrules && !dup; j++)
				if (same_args(&p->rules[j], rule)) {
					dup = true;
					if (rule->action == SF_ACT_ALLOW)
						p->rules[j].action = SF_ACT_ALLOW;
				}
			if (!dup && copy_rule(p, rule, name) < 0)
				goto out;
		}
	}
	*out = p;
	p = NULL;
	r = 0;
out:
	free(occ);
	free(plain);
	free(logged);
	sf_profile_free(p);
	if (r == -ENOMEM)
		sf_error_set(err, r, "out of memory");
	return r;
}
