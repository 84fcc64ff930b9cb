/*
 * From a profile to a policy: the target architectures, each rule's names turned into each
 * arch's numbers (and socketcall/ipc calls), runc's rule handling (rules equal to the default
 * skipped, unknown names skipped, repeated argument indexes split into separate rules), and the
 * per-syscall decision built as libseccomp builds it (tree.c). Also the direct evaluation.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "compile/tree.h"

static uint32_t errno_or_eperm(bool has, uint32_t v)
{
	return has ? v : EPERM;
}

static uint32_t rule_ret(const struct sf_rule *r)
{
	return sf_action_ret(r->action, errno_or_eperm(r->has_errno, r->errno_ret));
}

/* The targets: opts->arches, or the native arch then the profile's, without repeats. */
static int target_arches(const struct sf_profile *p, const struct sf_compile_opts *o,
			 const struct sf_arch **out, size_t *n, struct sf_error *err)
{
	*n = 0;
	if (o && o->narches) {
		for (size_t i = 0; i < o->narches && *n < 32; i++) {
			bool dup = false;
			for (size_t j = 0; j < *n; j++)
				dup |= out[j] == o->arches[i];
			if (!dup)
				out[(*n)++] = o->arches[i];
		}
		return 0;
	}
	out[(*n)++] = sf_arch_native();
	for (size_t i = 0; i < p->narchitectures; i++) {
		const char *name = p->architectures[i];
		const struct sf_arch *a = strcmp(name, "SCMP_ARCH_NATIVE") == 0 ? sf_arch_native()
										 : sf_arch_find(name);
		bool dup = false;
		if (!a)
			return sf_error_set(err, -EINVAL, "unknown architecture \"%s\"", name);
		for (size_t j = 0; j < *n; j++)
			dup |= out[j] == a;
		if (!dup && *n < 32)
			out[(*n)++] = a;
	}
	return 0;
}

static bool listed(const struct sf_profile *p, const struct sf_arch *a)
{
	for (size_t i = 0; i < p->narchitectures; i++)
		if (strcmp(p->architectures[i], a->scmp_name) == 0 ||
		    (strcmp(p->architectures[i], "SCMP_ARCH_NATIVE") == 0 && a == sf_arch_native()))
			return true;
	return false;
}

/* Rules of one section, tagged with their syscall number; sorted by number they group. */
struct tagged {
	uint32_t nr;
	size_t seq; /* profile order, kept by the sort */
	const char *name;
	struct trule r;
};

struct section_builder {
	struct tagged *v;
	size_t n, cap;
	/* nr -> first and last entry of its chain (open addressing), next entry of a chain */
	uint32_t *keys;
	size_t *head, *tail, *next, hcap, nkeys;
};

#define NONE ((size_t)-1)

static int chain(struct section_builder *sb, size_t i)
{
	if (sb->nkeys * 2 >= sb->hcap) {
		size_t cap = sb->hcap ? sb->hcap * 2 : 1024;
		uint32_t *keys = malloc(cap * sizeof(*keys));
		size_t *head = malloc(cap * sizeof(*head)), *tail = malloc(cap * sizeof(*tail));
		if (!keys || !head || !tail) {
			free(keys);
			free(head);
			free(tail);
			return -ENOMEM;
		}
		for (size_t h = 0; h < cap; h++)
			head[h] = NONE;
		for (size_t h = 0; h < sb->hcap; h++) {
			if (sb->head[h] == NONE)
				continue;
			size_t g = (sb->keys[h] * 0x9e3779b1u) & (cap - 1);
			while (head[g] != NONE)
				g = (g + 1) & (cap - 1);
			keys[g] = sb->keys[h];
			head[g] = sb->head[h];
			tail[g] = sb->tail[h];
		}
		free(sb->keys);
		free(sb->head);
		free(sb->tail);
		sb->keys = keys;
		sb->head = head;
		sb->tail = tail;
		sb->hcap = cap;
	}
	uint32_t nr = sb->v[i].nr;
	size_t h = (nr * 0x9e3779b1u) & (sb->hcap - 1);
	while (sb->head[h] != NONE && sb->keys[h] != nr)
		h = (h + 1) & (sb->hcap - 1);
	sb->next[i] = NONE;
	if (sb->head[h] == NONE) {
		sb->keys[h] = nr;
		sb->head[h] = sb->tail[h] = i;
		sb->nkeys++;
	} else {
		sb->next[sb->tail[h]] = i;
		sb->tail[h] = i;
	}
	return 0;
}

/* Entries and chains for about n tagged rules (more still fit: both grow). */
static int sb_reserve(struct section_builder *sb, size_t n)
{
	size_t cap = 1024;
	while (cap < 2 * n)
		cap *= 2;
	sb->v = malloc(n * sizeof(*sb->v) + 1);
	sb->next = malloc(n * sizeof(*sb->next) + 1);
	sb->keys = malloc(cap * sizeof(*sb->keys));
	sb->head = malloc(cap * sizeof(*sb->head));
	sb->tail = malloc(cap * sizeof(*sb->tail));
	if (!sb->v || !sb->next || !sb->keys || !sb->head || !sb->tail)
		return -ENOMEM;
	sb->cap = n;
	sb->hcap = cap;
	memset(sb->head, 0xff, cap * sizeof(*sb->head)); /* NONE */
	return 0;
}

static int tag(struct section_builder *sb, uint32_t nr, const char *name, const struct trule *r)
{
	if (sb->n == sb->cap) {
		size_t cap = sb->cap ? sb->cap * 2 : 256;
		struct tagged *v = reallocarray(sb->v, cap, sizeof(*v));
		size_t *next = reallocarray(sb->next, cap, sizeof(*next));
		if (v)
			sb->v = v;
		if (next)
			sb->next = next;
		if (!v || !next)
			return -ENOMEM;
		sb->cap = cap;
	}
	sb->v[sb->n] = (struct tagged){ .nr = nr, .seq = sb->n, .name = name, .r = *r };
	sb->n++;
	return chain(sb, sb->n - 1);
}

/* LSD radix sort, 8 bits a pass: the distinct numbers of a section, a few hundred. */
static void sort_u32(uint32_t *v, uint32_t *tmp, size_t n)
{
	for (unsigned shift = 0; shift < 32; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((v[i] >> shift) & 0xff) + 1]++;
		if (count[1] == n && shift)
			continue; /* every key has 0 here: nothing moves */
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
}

static bool index_repeats(const struct sf_rule *r)
{
	for (size_t i = 0; i < r->nargs; i++)
		for (size_t j = i + 1; j < r->nargs; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

/* Whether two rules compare the same on arguments 1 to 5: libseccomp rewrites arg0 on a
 * multiplexer, so such rules become the same rule there (and it refuses them: EEXIST). */
static bool same_beyond_arg0(const struct sf_rule *x, const struct sf_rule *y)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < x->nargs && x->args[i].index == 0)
			i++;
		while (j < y->nargs && y->args[j].index == 0)
			j++;
		if (i == x->nargs || j == y->nargs)
			return i == x->nargs && j == y->nargs;
		const struct sf_arg *a = &x->args[i++], *b = &y->args[j++];
		if (a->index != b->index || a->op != b->op || a->value != b->value ||
		    (a->op == SF_OP_MASKED_EQ && (a->value_two & a->value) != (b->value_two & b->value)))
			return false;
	}
}

/* A rule on a multiplexer with no condition but the call. */
static bool call_only(const struct trule *t)
{
	return t->has_call && !t->widened && t->nconds == 0;
}

/* How restrictive an outcome is, in the kernel's order of precedence (0: the most). */
static unsigned rank(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return 0;
	case SECCOMP_RET_KILL_THREAD:
		return 1;
	case SECCOMP_RET_TRAP:
		return 2;
	case SECCOMP_RET_ERRNO:
		return 3;
	case SECCOMP_RET_USER_NOTIF:
		return 4;
	case SECCOMP_RET_TRACE:
		return 5;
	case SECCOMP_RET_LOG:
		return 6;
	default:
		return 7;
	}
}

/* runc: conditions are ANDed, unless an index repeats: then each is a rule of its own. */
static int add_rule(struct section_builder *sb, uint32_t nr, const char *name,
		    const struct sf_rule *r, size_t ri, size_t pair, uint32_t ret, bool has_call,
		    bool mux_ipc, uint32_t call, uint32_t default_ret)
{
	struct trule t = { .ret = ret, .rule = ri, .pair = pair, .has_call = has_call,
			   .call = call, .call_mask = ~0ull };

	/*
	 * The kernel reads socketcall's call as an int and ipc's from its low 16 bits (the rest
	 * is a version): a rule as strict as the default must catch every spelling of the call,
	 * while a more permissive one may stay exact (stricter). mux_ipc tells which.
	 */
	if (has_call && rank(ret) <= rank(default_ret))
		t.call_mask = mux_ipc ? 0xffff : 0xffffffff;
	/*
	 * Through socketcall/ipc the call's own arguments sit behind a pointer the filter cannot
	 * read. libseccomp drops or misplaces such conditions, widening an allow for one socket
	 * family into an allow for all (docs/semantics.md). Fail closed instead: a conditional
	 * rule reaches the multiplexed call only when it is at least as strict as the default,
	 * and then for every argument value.
	 */
	if (has_call && r->nargs) {
		if (rank(ret) > rank(default_ret))
			return 0;
		t.widened = true;
		return tag(sb, nr, name, &t);
	}
	if (r->nargs && index_repeats(r)) {
		for (size_t i = 0; i < r->nargs; i++) {
			t.conds = &r->args[i];
			t.nconds = 1;
			t.part = (unsigned)i;
			int e = tag(sb, nr, name, &t);
			if (e < 0)
				return e;
		}
		return 0;
	}
	t.conds = r->args;
	t.nconds = r->nargs;
	return tag(sb, nr, name, &t);
}


/* The largest number the profile names for one ABI (any rule, any action), as runc finds it. */
static uint32_t max_named(const struct sf_profile *p, const struct sf_arch *a)
{
	long max = 0;
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; j < p->rules[i].nnames; j++) {
			long nr = sf_syscall_nr(a, p->rules[i].names[j]);
			if (nr > max)
				max = nr;
		}
	return (uint32_t)max;
}

/* What a rule's name means, found once for all sections. */
struct name_info {
	long idx;     /* in the syscall table, or -1 */
	uint8_t mux;  /* 0, or 1 for socketcall, 2 for ipc */
	unsigned call;
};

static struct name_info *name_infos(const struct sf_profile *p, size_t **offsets)
{
	size_t total = 0;
	const struct sf_arch *x86 = sf_arch_find("x86");

	for (size_t i = 0; i < p->nrules; i++)
		total += p->rules[i].nnames;
	struct name_info *v = malloc((total + 1) * sizeof(*v));
	size_t *off = malloc((p->nrules + 1) * sizeof(*off));
	if (!v || !off) {
		free(v);
		free(off);
		return NULL;
	}
	total = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		off[i] = total;
		for (size_t j = 0; j < p->rules[i].nnames; j++, total++) {
			const char *name = p->rules[i].names[j];
			long mux;
			struct name_info *ni = &v[total];
			ni->idx = sf_syscall_index(name);
			ni->mux = 0;
			/* x86 multiplexes both socketcall and ipc: the call numbers are the same
			 * on every arch that does. */
			if (sf_syscall_multiplexed_at(x86, ni->idx, &mux, &ni->call))
				ni->mux = mux == x86->socketcall_nr ? 1 : 2;
		}
	}
	*offsets = off;
	return v;
}

/*
 * The first failure runc would meet, adding the rules in profile order (each (rule, name) pair
 * to every arch at once): EEXIST from that seccomp_rule_add, or the endless loop (which, in one
 * call, comes before an EEXIST of another arch; a loop met only when the finished filter is
 * walked comes after every rule).
 */
struct build_fail {
	bool set, at_end;
	int kind; /* -EEXIST or -ELOOP */
	size_t pair;
	unsigned part;
	size_t rule, with; /* profile indexes */
	const char *name;
};

static void note_fail(struct build_fail *bf, int kind, const struct trule *rules, size_t n,
		      const struct tree_fail *tf, const char *name)
{
	struct build_fail f = { .set = true, .at_end = tf->at >= n, .kind = kind,
				.rule = rules[tf->rule].rule, .with = rules[tf->with].rule,
				.name = name };
	if (!f.at_end) {
		f.pair = rules[tf->at].pair;
		f.part = rules[tf->at].part;
	}
	if (bf->set) {
		if (f.at_end != bf->at_end) {
			if (f.at_end)
				return;
		} else if (!f.at_end && (f.pair != bf->pair || f.part != bf->part)) {
			if (f.pair > bf->pair || (f.pair == bf->pair && f.part > bf->part))
				return;
		} else if (!(f.kind == -ELOOP && bf->kind != -ELOOP)) {
			return; /* the same call: the loop wins, else the first found */
		}
	}
	*bf = f;
}

/* The error of the first failure runc meets. */
static int fail_error(const struct sf_profile *p, const struct build_fail *bf,
		      struct sf_error *err)
{
	const struct sf_node *at = p->rules[bf->rule].node;
	unsigned line = at ? at->line : 0, col = at ? at->col : 0;
	const char *name = bf->name ? bf->name : "?";

	if (bf->kind == -EEXIST)
		return sf_error_set_at(err, -EINVAL, NULL, line, col,
				       "syscalls[%zu]: \"%s\" has the same argument conditions as "
				       "an earlier rule with another action: libseccomp refuses "
				       "it (EEXIST), so runc and crun would not start",
				       bf->rule, name);
	return sf_error_set_at(err, -ELOOP, NULL, line, col,
			       "syscalls[%zu] and syscalls[%zu] on \"%s\": libseccomp 2.5.4 "
			       "links a test of the second into its tree twice and then loops "
			       "forever (seccomp_rule_add never returns), so runc and crun would "
			       "hang starting the container",
			       bf->with, bf->rule, name);
}

static int build_section(struct sf_policy *pol, struct arch_policy *ap,
			 const struct sf_arch *const *abis, size_t nabis, const struct sf_profile *p,
			 const struct name_info *ni, const size_t *ni_off,
			 const struct sf_compile_opts *o, struct build_fail *bf,
			 struct sf_error *err)
{
	struct section_builder sb = { 0 };
	struct trule *rules = NULL;
	int r = 0;

	/* Room for every (rule, name, ABI) pair at once: no growing, no rehashing. */
	size_t want = 0;
	for (size_t ri = 0; ri < p->nrules; ri++)
		want += p->rules[ri].nnames;
	if (sb_reserve(&sb, want * nabis + 64) < 0) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t ri = 0; ri < p->nrules && r == 0; ri++) {
		const struct sf_rule *rule = &p->rules[ri];
		uint32_t ret = rule_ret(rule);
		/* runc and crun skip a rule whose action is the default (libseccomp refuses it). */
		if (ret == ap->default_ret || !rule->action)
			continue;
		for (size_t j = 0; j < rule->nnames && r == 0; j++) {
			const char *name = rule->names[j];
			const struct name_info *info = &ni[ni_off[ri] + j];
			if (info->idx < 0)
				continue; /* reported once by the caller */
			for (size_t k = 0; k < nabis && r == 0; k++) {
				const struct sf_arch *a = abis[k];
				long nr = sf_syscall_nr_at(a, (size_t)info->idx);
				long mux = info->mux == 1 ? a->socketcall_nr
					 : info->mux == 2 ? a->ipc_nr
							  : -1;
				size_t pair = ni_off[ri] + j;
				if (nr >= 0)
					r = add_rule(&sb, (uint32_t)nr, name, rule, ri, pair, ret,
						     false, false, 0, ap->default_ret);
				if (r == 0 && mux >= 0)
					r = add_rule(&sb, (uint32_t)mux,
						     info->mux == 1 ? "socketcall" : "ipc", rule, ri,
						     pair, ret, true, info->mux == 2, info->call,
						     ap->default_ret);
			}
		}
	}
	if (r < 0) {
		sf_error_set(err, r, "out of memory");
		goto out;
	}
	ap->dec = sf_arena_alloc(pol->arena, (sb.nkeys + 1) * sizeof(*ap->dec));
	rules = malloc((sb.n + 1) * sizeof(*rules));
	if (!ap->dec || !rules) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* The distinct numbers in order; each one's rules in profile order along its chain. */
	uint32_t *nrs = malloc(2 * (sb.nkeys + 1) * sizeof(*nrs));
	size_t nnrs = 0;
	if (!nrs) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t h = 0; h < sb.hcap; h++)
		if (sb.head[h] != NONE)
			nrs[nnrs++] = sb.keys[h];
	sort_u32(nrs, nrs + sb.nkeys + 1, nnrs);
	for (size_t i = 0; i < nnrs; i++) {
		size_t h = (nrs[i] * 0x9e3779b1u) & (sb.hcap - 1);
		while (sb.keys[h] != nrs[i] || sb.head[h] == NONE)
			h = (h + 1) & (sb.hcap - 1);
		struct tagged *first = &sb.v[sb.head[h]];
		struct decision *d = &ap->dec[ap->ndec];
		struct tree_fail tf = { 0 };
		size_t nrules = 0;
		for (size_t k = sb.head[h]; k != NONE; k = sb.next[k])
			rules[nrules++] = sb.v[k].r;
		/*
		 * Widened rules for one call differ only in their action (their arguments cannot
		 * be seen), where libseccomp's would still differ in their other conditions: one
		 * rule with the strictest action stands for them, failing closed, rather than an
		 * EEXIST runc would not meet. The same holds between a widened rule and a rule
		 * on the bare call (no other condition): libseccomp's widened rule keeps its
		 * misplaced conditions, so the two do not collide there either.
		 */
		for (size_t a = 0; a < nrules; a++) {
			if (!rules[a].widened && !call_only(&rules[a]))
				continue;
			size_t w = a + 1;
			for (size_t b = a + 1; b < nrules; b++) {
				if ((rules[b].widened || call_only(&rules[b])) &&
				    (rules[a].widened || rules[b].widened) &&
				    rules[b].call == rules[a].call &&
				    rules[b].call_mask == rules[a].call_mask &&
				    !same_beyond_arg0(&p->rules[rules[a].rule],
						      &p->rules[rules[b].rule])) {
					if (rank(rules[b].ret) < rank(rules[a].ret))
						rules[a].ret = rules[b].ret;
					continue;
				}
				rules[w++] = rules[b];
			}
			nrules = w;
		}
		/* libseccomp treats x32 as a 32-bit ABI: only low words are compared. */
		unsigned bits = ap->is_x86_64 && (nrs[i] & SF_X32_BIT) && nrs[i] != 0xffffffffu
					? 32
					: ap->arch->bits;
		int e = sf_tree_build(pol->arena, rules, nrules, bits, ap->default_ret, &d->d, &tf);
		if (e == -ELOOP || e == -EEXIST) {
			/* runc fails at the first of these in profile order: go on to find it */
			note_fail(bf, e, rules, nrules, &tf, first->name);
			continue;
		}
		if (e < 0) {
			const char *name = first->name ? first->name : "?";
			free(nrs);
			if (e == -E2BIG)
				r = sf_error_set(err, e,
						 "syscalls[%zu]: the rules for \"%s\" are too many "
						 "to combine as libseccomp does (its work grows "
						 "exponentially with them)",
						 rules[tf.rule].rule, name);
			else if (e == -ENOMEM)
				r = sf_error_set(err, e, "out of memory");
			else
				r = sf_error_set(err, e, "cannot combine the rules of \"%s\"",
						 name);
			goto out;
		}
		if (!d->d.node && d->d.ret == ap->default_ret)
			continue;
		d->nr = first->nr;
		d->name = first->name;
		ap->ndec++;
	}
	free(nrs);

	/* runc's ENOSYS stub covers the arches the profile lists, each ABI on its own. */
	bool stub = o && o->runc_compat && p->default_action != SF_ACT_ALLOW &&
		    p->default_action != SF_ACT_LOG && p->default_action != SF_ACT_TRACE;
	for (size_t k = 0; stub && k < nabis; k++) {
		const struct sf_arch *a = abis[k];
		uint32_t max = max_named(p, a);
		if (!listed(p, a) || max == 0)
			continue;
		if (a->nr_offset == SF_X32_BIT && strcmp(a->name, "x32") == 0) {
			ap->enosys_x32 = true;
			ap->enosys_max_x32 = max;
		} else {
			ap->enosys = true;
			ap->enosys_max = max;
		}
	}
out:
	free(rules);
	free(sb.v);
	free(sb.next);
	free(sb.keys);
	free(sb.head);
	free(sb.tail);
	return r;
}

int sf_policy_build(const struct sf_profile *p, const struct sf_compile_opts *o,
		    struct sf_policy **out, struct sf_findings *f, struct sf_error *err)
{
	const struct sf_arch *arches[32];
	struct build_fail bf = { 0 };
	size_t narches;
	struct sf_policy *pol;
	int r;

	*out = NULL;
	if (!p->default_action)
		return sf_error_set(err, -EINVAL, "the profile has no default action");
	if (p->narchmap)
		return sf_error_set(err, -EINVAL,
				    "the profile has an archMap: resolve it first (sf_profile_resolve)");
	r = target_arches(p, o, arches, &narches, err);
	if (r < 0)
		return r;
	size_t *ni_off = NULL;
	struct name_info *ni = name_infos(p, &ni_off);
	if (!ni)
		return sf_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; j < p->rules[i].nnames; j++) {
			const char *name = p->rules[i].names[j];
			if (ni[ni_off[i] + j].idx >= 0)
				continue;
			if (o && o->strict) {
				free(ni);
				free(ni_off);
				return sf_error_set_at(err, -EINVAL, NULL,
						       p->rules[i].node ? p->rules[i].node->line : 0,
						       p->rules[i].node ? p->rules[i].node->col : 0,
						       "unknown syscall \"%s\"", name);
			}
			if (f)
				sf_findings_add(f, SF_SEV_WARNING, p->rules[i].node, "", "unknown-syscall",
						"runc and crun skip names they do not know",
						"unknown syscall \"%s\" skipped", name);
		}
	pol = calloc(1, sizeof(*pol));
	if (!pol || !(pol->arena = sf_arena_new())) {
		free(pol);
		free(ni);
		free(ni_off);
		return sf_error_set(err, -ENOMEM, "out of memory");
	}
	pol->bad_arch_ret = o && o->has_bad_arch ? o->bad_arch_ret : SECCOMP_RET_KILL_THREAD;
	pol->runc_compat = o && o->runc_compat;
	pol->freq = o ? o->freq : NULL;
	pol->nfreq = o ? o->nfreq : 0;
	pol->archs = sf_arena_alloc(pol->arena, narches * sizeof(*pol->archs));
	if (!pol->archs) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	uint32_t def = sf_action_ret(p->default_action,
				     errno_or_eperm(p->has_default_errno, p->default_errno));
	/* One section per AUDIT_ARCH value; x32 joins x86_64's. */
	for (size_t i = 0; i < narches; i++) {
		const struct sf_arch *a = arches[i], *abis[2];
		size_t nabis = 0;
		bool is_x32 = strcmp(a->name, "x32") == 0;
		const struct sf_arch *host = is_x32 ? sf_arch_find("x86_64") : a;
		bool seen = false;
		for (size_t j = 0; j < pol->narchs; j++)
			seen |= pol->archs[j].arch == host;
		if (seen)
			continue;
		struct arch_policy *ap = &pol->archs[pol->narchs++];
		memset(ap, 0, sizeof(*ap));
		ap->arch = host;
		ap->is_x86_64 = strcmp(host->name, "x86_64") == 0;
		ap->is_s390 = strcmp(host->name, "s390") == 0 || strcmp(host->name, "s390x") == 0;
		ap->default_ret = def;
		for (size_t j = 0; j < narches; j++) {
			if (arches[j] == host) {
				ap->has_native_abi = true;
				abis[nabis++] = host;
			}
		}
		if (strcmp(host->name, "x86_64") == 0)
			for (size_t j = 0; j < narches; j++)
				if (strcmp(arches[j]->name, "x32") == 0) {
					ap->has_x32 = true;
					abis[nabis++] = arches[j];
				}
		r = build_section(pol, ap, abis, nabis, p, ni, ni_off, o, &bf, err);
		if (r < 0)
			goto fail;
	}
	if (bf.set) {
		r = fail_error(p, &bf, err);
		goto fail;
	}
	free(ni);
	free(ni_off);
	*out = pol;
	return 0;
fail:
	free(ni);
	free(ni_off);
	sf_policy_free(pol);
	return r;
}

void sf_policy_free(struct sf_policy *pol)
{
	if (!pol)
		return;
	sf_arena_free(pol->arena);
	free(pol);
}

size_t sf_policy_narches(const struct sf_policy *pol)
{
	return pol->narchs;
}

const struct sf_arch *sf_policy_arch(const struct sf_policy *pol, size_t i)
{
	return i < pol->narchs ? pol->archs[i].arch : NULL;
}

const struct arch_policy *sf_policy_find_arch(const struct sf_policy *pol, uint32_t audit,
					      uint32_t nr)
{
	(void)nr;
	for (size_t i = 0; i < pol->narchs; i++)
		if (pol->archs[i].arch->audit_arch == audit)
			return &pol->archs[i];
	return NULL;
}

static uint64_t arg_of(const struct seccomp_data *d, unsigned i)
{
	return d->args[i];
}

static bool dnode_true(const struct dnode *n, const struct seccomp_data *d, unsigned bits)
{
	uint64_t a = arg_of(d, n->arg);
	uint32_t w = n->hi ? (uint32_t)(a >> 32) : (uint32_t)a;
	(void)bits;
	w &= n->mask;
	switch (n->op) {
	case DOP_EQ:
		return w == n->k;
	case DOP_GT:
		return w > n->k;
	case DOP_GE:
		return w >= n->k;
	}
	return false;
}

uint32_t sf_dtarget_eval(const struct dtarget *t, const struct seccomp_data *d, unsigned bits)
{
	const struct dnode *n = t->node;
	uint32_t ret = t->ret;
	while (n) {
		const struct dtarget *next = dnode_true(n, d, bits) ? &n->t : &n->f;
		n = next->node;
		ret = next->ret;
	}
	return ret;
}

bool sf_ret_is_refusal(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
		return true;
	}
	return false;
}

uint32_t sf_policy_out(const struct sf_policy *pol, uint32_t ret)
{
	return pol->notify_refusals && sf_ret_is_refusal(ret) ? SECCOMP_RET_USER_NOTIF : ret;
}

static uint32_t eval(const struct sf_policy *pol, const struct seccomp_data *d);

uint32_t sf_policy_eval(const struct sf_policy *pol, const struct seccomp_data *d)
{
	return sf_policy_out(pol, eval(pol, d));
}

int sf_policy_notify_refusals(const struct sf_policy *pol, struct sf_policy **out,
			      struct sf_error *err)
{
	struct sf_policy *c = calloc(1, sizeof(*c));
	if (!c)
		return sf_error_set(err, -ENOMEM, "out of memory");
	*c = *pol;
	c->arena = NULL; /* borrows pol's: pol must outlive it */
	c->notify_refusals = true;
	*out = c;
	return 0;
}

/* What the arch check and number guards decide before any decision is looked at. */
static bool guard(const struct sf_policy *pol, const struct arch_policy *ap, uint32_t nr,
		  uint32_t *ret)
{
	bool x32 = ap->is_x86_64 && (nr & SF_X32_BIT) != 0;

	/* runc's stub comes first and judges each ABI by its own largest number. */
	if (x32 ? ap->enosys_x32 && nr > ap->enosys_max_x32 : ap->enosys && nr > ap->enosys_max) {
		*ret = SECCOMP_RET_ERRNO | ENOSYS;
		return true;
	}
	if (ap->enosys && nr == 0 && ap->is_s390) {
		*ret = SECCOMP_RET_ERRNO | ENOSYS;
		return true;
	}
	/* libseccomp's guard on x86_64 without x32 is `nr >= 0x40000000` (so 0x80000000 is
	 * caught too), with -1 let through for tracers; with x32 alone, the numbers below. */
	if ((ap->is_x86_64 && !ap->has_x32 && nr >= SF_X32_BIT && nr != 0xffffffffu) ||
	    (ap->is_x86_64 && !ap->has_native_abi && nr < SF_X32_BIT)) {
		*ret = pol->bad_arch_ret;
		return true;
	}
	return false;
}

/* The index of nr's decision in ap->dec, or ap->ndec. */
static size_t find_decision(const struct arch_policy *ap, uint32_t nr)
{
	size_t lo = 0, hi = ap->ndec;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ap->dec[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ap->ndec && ap->dec[lo].nr == nr ? lo : ap->ndec;
}

static uint32_t eval(const struct sf_policy *pol, const struct seccomp_data *d)
{
	const struct arch_policy *ap = sf_policy_find_arch(pol, d->arch, (uint32_t)d->nr);
	uint32_t nr = (uint32_t)d->nr, ret;

	if (!ap)
		return pol->bad_arch_ret;
	if (guard(pol, ap, nr, &ret))
		return ret;
	size_t i = find_decision(ap, nr);
	if (i < ap->ndec)
		return sf_dtarget_eval(&ap->dec[i].d, d, ap->arch->bits);
	return ap->default_ret;
}

uint32_t sf_policy_eval_nr(const struct sf_policy *pol, const struct arch_policy *ap,
			   uint32_t nr, size_t i)
{
	static const struct seccomp_data zero;
	uint32_t ret;

	if (!ap)
		return sf_policy_out(pol, pol->bad_arch_ret);
	if (guard(pol, ap, nr, &ret))
		return sf_policy_out(pol, ret);
	if (i == SIZE_MAX)
		i = find_decision(ap, nr);
	if (i < ap->ndec && ap->dec[i].nr == nr)
		return sf_policy_out(pol, sf_dtarget_eval(&ap->dec[i].d, &zero, ap->arch->bits));
	return sf_policy_out(pol, ap->default_ret);
}
