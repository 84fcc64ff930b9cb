/* Building a profile by hand: the parts of the model sf_profile_add_rule and kin do not cover. */
#include <errno.h>

#include <sysfence/profile.h>

#include "util/util.h"

/*
 * The array is copied on every call: its capacity is not recorded (a profile read from a document
 * has arrays of exactly its length), and profiles list a handful of architectures.
 */
int sf_profile_add_arch(struct sf_profile *p, const char *scmp_name)
{
	size_t n = p->narchitectures;
	char **v = sf_arena_grow(p->arena, p->architectures, n, n + 1, sizeof(*v));
	char *s = sf_arena_strdup(p->arena, scmp_name);

	if (!v || !s)
		return -ENOMEM;
	/* A profile read from a document has a node per name; keep the arrays parallel. */
	if (p->arch_nodes) {
		const struct sf_node **nv =
		    sf_arena_grow(p->arena, p->arch_nodes, n, n + 1, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		nv[n] = NULL;
		p->arch_nodes = nv;
	}
	v[n] = s;
	p->architectures = v;
	p->narchitectures++;
	return 0;
}
