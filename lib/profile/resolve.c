/*
 * Docker's resolution of a profile for one target: archMap expanded for the target's
 * architecture, rules kept or dropped by their includes/excludes (capabilities in the bounding
 * set, Go architecture name, kernel version), the legacy `name` folded into `names`.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include <sysfence/arch.h>
#include <sysfence/profile.h>

#include "util/util.h"

/* Docker's default capabilities (moby oci/caps DefaultCapabilities). */
const char *const sf_docker_default_caps[] = {
	"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",		  "CAP_FOWNER",
	"CAP_MKNOD",  "CAP_NET_RAW",	  "CAP_SETGID",		  "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP",	  "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",   "CAP_AUDIT_WRITE",  NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool in_strv(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int kernel_version(const struct sf_target *t, unsigned *major, unsigned *minor,
			  struct sf_error *err)
{
	struct utsname u;

	if (t && (t->kernel_major || t->kernel_minor)) {
		*major = t->kernel_major;
		*minor = t->kernel_minor;
		return 0;
	}
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", major, minor) != 2)
		return sf_error_set(err, -EINVAL, "cannot read the running kernel's version");
	return 0;
}

/* minKernel "4.8" against the target kernel: greater or equal. */
static bool kernel_at_least(const char *min, unsigned major, unsigned minor)
{
	unsigned a = 0, b = 0;
	if (sscanf(min, "%u.%u", &a, &b) < 1)
		return false;
	return major > a || (major == a && minor >= b);
}

/* Whether Docker keeps a rule, in Docker's order of tests. */
static bool keep_rule(const struct sf_rule *r, const char *goarch, const char *const *caps,
		      unsigned major, unsigned minor)
{
	const struct sf_filter *ex = &r->excludes, *in = &r->includes;

	if (ex->narches && in_strv(ex->arches, ex->narches, goarch))
		return false;
	for (size_t i = 0; i < ex->ncaps; i++)
		if (in_list(caps, ex->caps[i]))
			return false;
	if (ex->min_kernel && kernel_at_least(ex->min_kernel, major, minor))
		return false;
	if (in->narches && !in_strv(in->arches, in->narches, goarch))
		return false;
	for (size_t i = 0; i < in->ncaps; i++)
		if (!in_list(caps, in->caps[i]))
			return false;
	if (in->min_kernel && !kernel_at_least(in->min_kernel, major, minor))
		return false;
	return true;
}

/* The resolved profile outlives the document of its source: it keeps positions, not nodes. */
static const struct sf_node *copy_pos(struct sf_profile *p, const struct sf_node *n, int *err)
{
	if (!n)
		return NULL;
	struct sf_node *c = sf_arena_alloc(p->arena, sizeof(*c));
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->kind = SF_NODE_NULL;
	c->line = n->line;
	c->col = n->col;
	return c;
}

static char **copy_strv(struct sf_profile *p, char **v, size_t n)
{
	char **out = sf_arena_alloc(p->arena, (n + 1) * sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(out[i] = sf_arena_strdup(p->arena, v[i])))
			return NULL;
	return out;
}

static int add_arch(struct sf_profile *p, size_t *cap, const char *name)
{
	for (size_t i = 0; i < p->narchitectures; i++)
		if (strcmp(p->architectures[i], name) == 0)
			return 0;
	if (p->narchitectures == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **v = sf_arena_grow(p->arena, p->architectures, p->narchitectures, ncap,
					 sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->architectures = v;
		*cap = ncap;
	}
	if (!(p->architectures[p->narchitectures] = sf_arena_strdup(p->arena, name)))
		return -ENOMEM;
	p->narchitectures++;
	return 0;
}

int sf_profile_resolve(const struct sf_profile *src, const struct sf_target *t,
		       struct sf_profile **out, struct sf_error *err)
{
	const struct sf_arch *arch = t && t->arch ? sf_arch_find(t->arch) : sf_arch_native();
	const char *const *caps = t && t->caps ? t->caps : sf_docker_default_caps;
	unsigned major, minor;
	struct sf_profile *p;
	size_t archcap = 0;
	int r;

	*out = NULL;
	if (!arch)
		return sf_error_set(err, -EINVAL, "unknown architecture \"%s\"", t->arch);
	if (!arch->go_name)
		return sf_error_set(err, -EINVAL,
				    "architecture %s has no Go name, so Docker's includes/excludes "
				    "cannot be resolved for it",
				    arch->name);
	r = kernel_version(t, &major, &minor, err);
	if (r < 0)
		return r;
	if (src->narchitectures && src->narchmap)
		return sf_error_set(err, -EINVAL,
				    "both \"architectures\" and \"archMap\" are given: Docker "
				    "refuses the profile");
	p = sf_profile_new();
	if (!p)
		return sf_error_set(err, -ENOMEM, "out of memory");
	p->default_action = src->default_action;
	p->has_default_errno = src->has_default_errno;
	p->default_errno = src->default_errno;
	p->flags = src->flags;
	p->nflag_names = src->nflag_names;
	r = -ENOMEM;
	if (src->nflag_names && !(p->flag_names = copy_strv(p, src->flag_names, src->nflag_names)))
		goto fail;
	if (src->listener_path && !(p->listener_path = sf_arena_strdup(p->arena, src->listener_path)))
		goto fail;
	if (src->listener_metadata &&
	    !(p->listener_metadata = sf_arena_strdup(p->arena, src->listener_metadata)))
		goto fail;
	for (size_t i = 0; i < src->narchitectures; i++)
		if (add_arch(p, &archcap, src->architectures[i]) < 0)
			goto fail;
	/* archMap: only the entry for the target's own architecture counts. */
	for (size_t i = 0; i < src->narchmap; i++) {
		const struct sf_archmap *m = &src->archmap[i];
		if (strcmp(m->arch, arch->scmp_name) != 0)
			continue;
		if (add_arch(p, &archcap, m->arch) < 0)
			goto fail;
		for (size_t j = 0; j < m->nsub; j++)
			if (add_arch(p, &archcap, m->sub[j]) < 0)
				goto fail;
	}
	for (size_t i = 0; i < src->nrules; i++) {
		const struct sf_rule *sr = &src->rules[i];
		struct sf_rule *dr;
		if (!keep_rule(sr, arch->go_name, caps, major, minor))
			continue;
		if (!(dr = sf_profile_add_rule(p)))
			goto fail;
		int perr = 0;
		dr->action = sr->action;
		dr->has_errno = sr->has_errno;
		dr->errno_ret = sr->errno_ret;
		dr->node = copy_pos(p, sr->node, &perr);
		if (perr)
			goto fail;
		dr->nnames = sr->nnames;
		dr->names_cap = sr->nnames;
		if (!(dr->names = copy_strv(p, sr->names, sr->nnames)))
			goto fail;
		if (sr->comment && !(dr->comment = sf_arena_strdup(p->arena, sr->comment)))
			goto fail;
		if (sr->nargs) {
			if (!(dr->args = sf_arena_memdup(p->arena, sr->args,
							 sr->nargs * sizeof(*sr->args))))
				goto fail;
			dr->nargs = sr->nargs;
			for (size_t k = 0; k < sr->nargs; k++) {
				dr->args[k].node = copy_pos(p, sr->args[k].node, &perr);
				if (perr)
					goto fail;
			}
		}
	}
	*out = p;
	return 0;
fail:
	sf_profile_free(p);
	return sf_error_set(err, r, "out of memory");
}
