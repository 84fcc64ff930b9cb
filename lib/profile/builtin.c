/*
 * Built-in profiles, named with '@' wherever a profile path is accepted: the container runtime
 * default (its text generated into runtime-default.c) and three fixed postures built here.
 */
#include <errno.h>
#include <stdio.h>

#include <sysfence/arch.h>
#include <sysfence/profile.h>

#include "runtime-default.h"
#include "util/util.h"

/*
 * The text is parsed on every call, so that the profile is an ordinary one: owned by the caller,
 * with a document behind it, and unresolved (archMap, includes/excludes) like the file it comes
 * from, so that callers resolve it for their target (caps, arch, kernel) as any Docker profile.
 */
static int runtime_default(struct sf_profile **out, struct sf_error *err)
{
	struct sf_profile *p = NULL;
	int r = sf_profile_parse("@runtime-default", sf_runtime_default_json,
				 sf_runtime_default_json_len, SF_DOC_JSON, NULL, &p, err);

	if (r < 0) {
		sf_profile_free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* The native architecture and the 32-bit ABIs its kernel also runs (the companions Docker's
 * archMap gives it): a program of either would otherwise meet the bad-arch action. */
static int add_native_arches(struct sf_profile *p)
{
	static const struct {
		const char *native;
		const char *companions[2];
	} companions[] = {
	    {"x86_64", {"x86", "x32"}},
	    {"aarch64", {"arm", NULL}},
	};
	const struct sf_arch *native = sf_arch_native();
	int r = sf_profile_add_arch(p, native->scmp_name);

	for (size_t i = 0; r == 0 && i < SF_ARRAY_SIZE(companions); i++) {
		if (strcmp(companions[i].native, native->name) != 0)
			continue;
		for (size_t j = 0; r == 0 && j < SF_ARRAY_SIZE(companions[i].companions); j++) {
			const char *name = companions[i].companions[j];
			if (name)
				r = sf_profile_add_arch(p, sf_arch_find(name)->scmp_name);
		}
	}
	return r;
}

/*
 * What Kubernetes' Unconfined means: no filter at all. As a profile that is a default of ALLOW
 * and no rules. The runner is to treat this built-in as "install no filter", not as a filter
 * allowing everything: such a filter would still give other ABIs' syscalls the bad-arch action,
 * cost a BPF run per syscall, and need no_new_privs.
 */
static int unconfined(struct sf_profile *p)
{
	p->default_action = SF_ACT_ALLOW;
	return 0;
}

/* Allow everything and have the kernel log each syscall (SECCOMP_RET_LOG): what a program does,
 * with nothing refused. */
static int audit(struct sf_profile *p)
{
	p->default_action = SF_ACT_LOG;
	return add_native_arches(p);
}

/*
 * Refuse everything with EPERM, except what a process needs to end: exit and exit_group.
 * Nothing can run under it (execve itself is refused, and so is every write); it is a baseline
 * for diff and for tests, and the stance a new allowlist starts from.
 */
static int deny_all(struct sf_profile *p)
{
	static const char *const allowed[] = {"exit", "exit_group"};
	struct sf_rule *rule;
	int r;

	p->default_action = SF_ACT_ERRNO;
	p->has_default_errno = true;
	p->default_errno = EPERM;
	r = add_native_arches(p);
	if (r < 0)
		return r;
	rule = sf_profile_add_rule(p);
	if (!rule)
		return -ENOMEM;
	rule->action = SF_ACT_ALLOW;
	for (size_t i = 0; r == 0 && i < SF_ARRAY_SIZE(allowed); i++)
		r = sf_rule_add_name(p, rule, allowed[i]);
	return r;
}

static const char *const builtin_names[] = {
    "@runtime-default", "@unconfined", "@audit", "@deny-all", NULL,
};

/* In the order of builtin_names; runtime-default (index 0) is parsed, not built. */
static int (*const builders[])(struct sf_profile *p) = {
    NULL,
    unconfined,
    audit,
    deny_all,
};

_Static_assert(SF_ARRAY_SIZE(builders) + 1 == SF_ARRAY_SIZE(builtin_names),
	       "a builder for every built-in name");

const char *const *sf_profile_builtin_names(void)
{
	return builtin_names;
}

static int unknown(const char *name, struct sf_error *err)
{
	char list[256];
	size_t n = 0;

	list[0] = 0;
	for (const char *const *b = builtin_names; *b && n < sizeof(list); b++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *b);
	return sf_error_set_at(err, -ENOENT, name, 0, 0,
			       "no built-in profile of this name (the built-ins: %s)", list);
}

int sf_profile_builtin(const char *name, struct sf_profile **out, struct sf_error *err)
{
	struct sf_profile *p;
	size_t i;
	int r;

	*out = NULL;
	for (i = 0; builtin_names[i]; i++)
		if (strcmp(builtin_names[i], name) == 0)
			break;
	if (!builtin_names[i])
		return unknown(name, err);
	if (!builders[i])
		return runtime_default(out, err);
	p = sf_profile_new();
	if (!p)
		return sf_error_set(err, -ENOMEM, "out of memory");
	r = builders[i](p);
	if (r < 0) {
		sf_profile_free(p);
		return sf_error_set(err, r, "out of memory");
	}
	*out = p;
	return 0;
}
