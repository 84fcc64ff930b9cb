/*
 * From a log to a profile: the allowlist that allows what the log shows, and the same names
 * merged into a profile that exists, leaving every rule that decides otherwise as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/audit.h>

#include "util/util.h"

/* The syscall names seen (our table's static strings, sorted, unique) and the ABIs seen (by
 * their index in the arch table). */
struct seen {
	const char **names;
	size_t n;
	bool *arches;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void seen_free(struct seen *s)
{
	free(s->names);
	free(s->arches);
}

static int collect(struct sf_audit_log *log, struct seen *s, struct sf_error *err)
{
	const struct sf_audit_group *g;
	size_t n, k = 0;

	memset(s, 0, sizeof(*s));
	if (sf_audit_log_groups(log, &g, &n) < 0)
		return sf_error_set(err, -ENOMEM, "out of memory");
	s->names = calloc(n ? n : 1, sizeof(*s->names));
	s->arches = calloc(sf_arch_count(), sizeof(*s->arches));
	if (!s->names || !s->arches) {
		seen_free(s);
		return sf_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (!g[i].abi || !g[i].syscall_name)
			continue; /* nothing a profile could name */
		s->names[k++] = g[i].syscall_name;
		for (size_t a = 0; a < sf_arch_count(); a++)
			if (sf_arch_at(a) == g[i].abi)
				s->arches[a] = true;
	}
	if (k > 1)
		qsort(s->names, k, sizeof(*s->names), cmp_name);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || strcmp(s->names[u - 1], s->names[i]) != 0)
			s->names[u++] = s->names[i];
	s->n = u;
	return 0;
}

int sf_audit_log_profile(struct sf_audit_log *log, struct sf_profile **out, struct sf_error *err)
{
	struct seen s;
	struct sf_profile *p;
	int r = collect(log, &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	p = sf_profile_new();
	if (!p) {
		seen_free(&s);
		return sf_error_set(err, -ENOMEM, "out of memory");
	}
	p->default_action = SF_ACT_ERRNO;
	p->has_default_errno = true;
	p->default_errno = EPERM;
	for (size_t a = 0; r == 0 && a < sf_arch_count(); a++)
		if (s.arches[a])
			r = sf_profile_add_arch(p, sf_arch_at(a)->scmp_name);
	if (r == 0 && s.n) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule)
			r = -ENOMEM;
		else
			rule->action = SF_ACT_ALLOW;
		for (size_t i = 0; r == 0 && i < s.n; i++)
			r = sf_rule_add_name(p, rule, s.names[i]);
	}
	seen_free(&s);
	if (r < 0) {
		sf_profile_free(p);
		return sf_error_set(err, r, "out of memory");
	}
	*out = p;
	return 0;
}

/* An ALLOW under no condition: what the log's names can join without changing another rule. */
static bool plain_allow(const struct sf_rule *r)
{
	return r->action == SF_ACT_ALLOW && r->nargs == 0 && !r->includes.ncaps &&
	       !r->includes.narches && !r->includes.min_kernel && !r->excludes.ncaps &&
	       !r->excludes.narches && !r->excludes.min_kernel;
}

static bool rule_names(const struct sf_rule *r, const char *name, size_t *at)
{
	for (size_t j = 0; j < r->nnames; j++)
		if (r->names[j] && strcmp(r->names[j], name) == 0) {
			*at = j;
			return true;
		}
	return false;
}

static bool profile_has_arch(const struct sf_profile *p, const struct sf_arch *arch)
{
	for (size_t i = 0; i < p->narchitectures; i++)
		if (sf_arch_find(p->architectures[i]) == arch)
			return true;
	return false;
}

int sf_audit_log_merge(struct sf_audit_log *log, struct sf_profile *p, struct sf_findings *findings,
		       struct sf_audit_merge_result *res, struct sf_error *err)
{
	struct seen s;
	int r = collect(log, &s, err);
	size_t target = SIZE_MAX;

	memset(res, 0, sizeof(*res));
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->nrules; i++)
		if (plain_allow(&p->rules[i])) {
			target = i;
			break;
		}
	for (size_t k = 0; r == 0 && k < s.n; k++) {
		const char *name = s.names[k];
		size_t other = SIZE_MAX, at = 0;
		bool allowed = false;

		for (size_t i = 0; i < p->nrules && !allowed; i++) {
			size_t j;
			if (!rule_names(&p->rules[i], name, &j))
				continue;
			if (plain_allow(&p->rules[i]))
				allowed = true;
			else if (other == SIZE_MAX) {
				other = i;
				at = j;
			}
		}
		if (allowed || (other == SIZE_MAX && p->default_action == SF_ACT_ALLOW)) {
			res->present++;
			continue;
		}
		if (other != SIZE_MAX) {
			/* A deny, or an ALLOW under conditions: whoever wrote it meant it. */
			const struct sf_rule *o = &p->rules[other];
			const char *act =
			    sf_action_name(o->action) ? sf_action_name(o->action) : "?";
			char path[64];
			snprintf(path, sizeof(path), "syscalls[%zu].names[%zu]", other, at);
			res->left++;
			if (findings &&
			    sf_findings_add(
				findings, SF_SEV_WARNING, o->name_nodes ? o->name_nodes[at] : NULL,
				path, "merge-left", "edit that rule to allow it",
				"%s: seen in the log, left to this rule (%s%s)", name, act,
				o->action == SF_ACT_ALLOW ? " under conditions" : "") < 0)
				r = -ENOMEM;
			continue;
		}
		if (target == SIZE_MAX) {
			struct sf_rule *nr = sf_profile_add_rule(p);
			if (!nr) {
				r = -ENOMEM;
				break;
			}
			nr->action = SF_ACT_ALLOW;
			target = p->nrules - 1;
		}
		r = sf_rule_add_name(p, &p->rules[target], name);
		if (r == 0)
			res->added++;
	}
	/* An empty list means the native arch alone (and Docker's archMap decides elsewhere):
	 * adding to it would change what it means. */
	for (size_t a = 0; r == 0 && p->narchitectures && a < sf_arch_count(); a++) {
		if (!s.arches[a] || profile_has_arch(p, sf_arch_at(a)))
			continue;
		r = sf_profile_add_arch(p, sf_arch_at(a)->scmp_name);
		if (r == 0)
			res->arches_added++;
	}
	seen_free(&s);
	if (r < 0)
		return sf_error_set(err, r, "out of memory");
	return 0;
}
