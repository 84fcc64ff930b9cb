/*
 * Recording: the notify-everything filter, the set observed per ABI (counts, first executable,
 * argument values, what a base profile already allows), the allowlist from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include <sysfence/compile.h>
#include <sysfence/enforce.h>
#include <sysfence/record.h>

#include "util/util.h"

#define X32_BIT 0x40000000
/* Numbers beyond this above an ABI's base are not tables' numbers: counted, not kept. */
#define MAX_SLOTS 4096

const char *const sf_record_runtime_names[] = {"close", "execve", NULL};
const char sf_record_runtime_comment[] =
    "the runtime, between loading the filter and starting the command: sysfence run calls "
    "execve; crun 1.8.1 closes its sync socket (close) and calls execve";

struct slot {
	uint64_t count, needed;
	char *exe;
	double first;
	uint8_t kind; /* enum sf_record_arg + 1; 0: not looked up yet */
	uint8_t index;
	bool too_many, no_fallback;
	struct sf_recorded_value *vals;
	size_t nvals, cap;
};

struct abi_rec {
	struct slot *slots;
	size_t nslots;
};

struct sf_recording {
	struct timespec t0;
	size_t narches;
	struct abi_rec *abis; /* indexed like sf_arch_at */
	const struct sf_arch *x86_64, *x32;
	uint64_t total, unknown_abi, out_of_range;
	uint32_t first_unknown_abi;
	struct sf_recorded_call *calls; /* sf_recording_calls' answer */
	size_t ncalls;
	struct sf_record_opts opts;
};

int sf_record_prog(struct sf_prog *out, struct sf_error *err)
{
	/* The ABIs a kernel of this machine runs: a 64-bit kernel also runs its 32-bit ABI. */
	static const char *const companions[][3] = {
	    {"x86_64", "x86", NULL},
	    {"aarch64", "arm", NULL},
	    {"ppc64le", NULL, NULL},
	    {"s390x", "s390", NULL},
	};
	const struct sf_arch *native = sf_arch_native(), *abis[4] = {native};
	size_t n = 1;

	for (size_t i = 0; i < SF_ARRAY_SIZE(companions); i++)
		if (strcmp(companions[i][0], native->name) == 0)
			for (size_t k = 1; k < 3 && companions[i][k]; k++)
				if (sf_arch_find(companions[i][k]))
					abis[n++] = sf_arch_find(companions[i][k]);
	out->len = n + 2;
	out->insns = calloc(out->len, sizeof(*out->insns));
	if (!out->insns)
		return sf_error_set(err, -ENOMEM, "out of memory");
	out->insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						     offsetof(struct seccomp_data, arch));
	/* Each known ABI is named, so that a disassembly says what is expected; an unknown one
	 * is sent as well: it is seen, not missed. */
	for (size_t i = 0; i < n; i++)
		out->insns[1 + i] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, abis[i]->audit_arch, (uint8_t)(n - 1 - i), 0);
	out->insns[n + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	return 0;
}

struct sf_recording *sf_recording_new(void)
{
	struct sf_recording *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->narches = sf_arch_count();
	r->abis = calloc(r->narches, sizeof(*r->abis));
	if (!r->abis) {
		free(r);
		return NULL;
	}
	r->x86_64 = sf_arch_find("x86_64");
	r->x32 = sf_arch_find("x32");
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	return r;
}

void sf_recording_free(struct sf_recording *r)
{
	if (!r)
		return;
	for (size_t a = 0; a < r->narches; a++) {
		for (size_t i = 0; i < r->abis[a].nslots; i++) {
			free(r->abis[a].slots[i].exe);
			free(r->abis[a].slots[i].vals);
		}
		free(r->abis[a].slots);
	}
	free(r->abis);
	free(r->calls);
	free(r);
}

static size_t arch_index(const struct sf_recording *r, const struct sf_arch *a)
{
	for (size_t i = 0; i < r->narches; i++)
		if (sf_arch_at(i) == a)
			return i;
	return r->narches;
}

void sf_recording_set_opts(struct sf_recording *r, const struct sf_record_opts *o)
{
	r->opts = *o;
	if (!r->opts.args_max)
		r->opts.args_max = SF_RECORD_ARGS_MAX;
}

/* Which argument of a syscall decides what it can do (record.h), by name. */
static void arg_spec(const struct sf_arch *a, const char *name, struct slot *sl)
{
	static const struct {
		const char *name;
		enum sf_record_arg kind;
		uint8_t index;
	} specs[] = {
	    {"clone", SF_RECORD_ARG_NS_FLAGS, 0}, {"clone3", SF_RECORD_ARG_CLONE3, 0},
	    {"ioctl", SF_RECORD_ARG_INT, 1},	  {"personality", SF_RECORD_ARG_INT, 0},
	    {"prctl", SF_RECORD_ARG_INT, 0},	  {"socket", SF_RECORD_ARG_INT, 0},
	    {"socketcall", SF_RECORD_ARG_INT, 0},
	};
	sl->kind = SF_RECORD_ARG_NONE + 1;
	for (size_t i = 0; name && i < SF_ARRAY_SIZE(specs); i++)
		if (strcmp(name, specs[i].name) == 0) {
			sl->kind = (uint8_t)(specs[i].kind + 1);
			sl->index = specs[i].index;
			/* s390 and s390x swap clone's first two arguments. */
			if (specs[i].kind == SF_RECORD_ARG_NS_FLAGS &&
			    strncmp(a->name, "s390", 4) == 0)
				sl->index = 1;
		}
}

/*
 * clone3's flags, from the struct clone_args at args[0] (size args[1]) in the caller's memory,
 * read while the call waits. Returns false when they cannot be read or clone could not express
 * the call (flags beyond its 32 bits or in its signal byte, such as CLONE_NEWTIME; set_tid).
 */
static bool clone3_flags(const struct seccomp_data *d, pid_t pid, uint64_t *flags)
{
	uint64_t ca[10] = {0}; /* flags ... set_tid, set_tid_size: CLONE_ARGS_SIZE_VER1 */
	size_t size = d->args[1] < sizeof(ca) ? (size_t)d->args[1] : sizeof(ca);
	struct iovec local = {ca, size}, remote = {(void *)(uintptr_t)d->args[0], size};

	if (size < 64 || !d->args[0] ||
	    process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)size)
		return false;
	*flags = ca[0];
	return !(ca[0] & ~0xffffff00ULL) && !ca[9];
}

static bool lets_run(uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
	return act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG;
}

/* Whether the base lets the call run; clone3 also when the base answers it with ENOSYS and lets
 * clone run with the same flags (known: clone3_ok). */
static bool base_lets_run(const struct sf_recording *r, const struct sf_arch *a,
			  const struct seccomp_data *d, const struct slot *sl, bool clone3_ok,
			  uint64_t flags)
{
	uint32_t ret = sf_policy_eval(r->opts.base, d);
	if (lets_run(ret))
		return true;
	if (sl->kind != SF_RECORD_ARG_CLONE3 + 1 || !clone3_ok ||
	    ret != (SECCOMP_RET_ERRNO | ENOSYS))
		return false;
	long clone = sf_syscall_nr(a, "clone");
	if (clone < 0)
		return false;
	struct seccomp_data c = {.nr = (int)clone, .arch = d->arch};
	c.args[strncmp(a->name, "s390", 4) == 0 ? 1 : 0] = flags;
	return lets_run(sf_policy_eval(r->opts.base, &c));
}

static int cmp_value(const void *x, const void *y)
{
	const struct sf_recorded_value *a = x, *b = y;
	return a->value < b->value ? -1 : a->value > b->value;
}

/* Keep a value (the slot's set stays sorted); past args_max, drop the set. */
static int keep_value(struct sf_recording *r, struct slot *sl, uint64_t v, bool wide)
{
	if (sl->too_many)
		return 0;
	struct sf_recorded_value key = {.value = v};
	struct sf_recorded_value *hit =
	    sl->nvals ? bsearch(&key, sl->vals, sl->nvals, sizeof(key), cmp_value) : NULL;
	if (hit) {
		hit->count++;
		hit->wide |= wide;
		return 0;
	}
	if (sl->nvals >= r->opts.args_max) {
		sl->too_many = true;
		free(sl->vals);
		sl->vals = NULL;
		sl->nvals = sl->cap = 0;
		return 0;
	}
	if (sl->nvals == sl->cap) {
		size_t cap = sl->cap ? sl->cap * 2 : 4;
		struct sf_recorded_value *nv = reallocarray(sl->vals, cap, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		sl->vals = nv;
		sl->cap = cap;
	}
	size_t at = 0;
	while (at < sl->nvals && sl->vals[at].value < v)
		at++;
	memmove(sl->vals + at + 1, sl->vals + at, (sl->nvals - at) * sizeof(*sl->vals));
	sl->vals[at] = (struct sf_recorded_value){.value = v, .wide = wide, .count = 1};
	sl->nvals++;
	return 0;
}

int sf_recording_add(struct sf_recording *r, const struct seccomp_data *d, pid_t pid)
{
	const struct sf_arch *a = sf_arch_by_audit(d->arch);
	size_t ai;

	r->total++;
	if (!a || (ai = arch_index(r, a)) == r->narches) {
		if (!r->unknown_abi++)
			r->first_unknown_abi = d->arch;
		return 0;
	}
	if (a == r->x86_64 && r->x32 && (d->nr & X32_BIT)) {
		a = r->x32;
		ai = arch_index(r, a);
	}
	int64_t idx = (int64_t)d->nr - (int64_t)a->nr_offset;
	if (idx < 0 || idx >= MAX_SLOTS) {
		r->out_of_range++;
		return 0;
	}
	struct abi_rec *ab = &r->abis[ai];
	if ((size_t)idx >= ab->nslots) {
		size_t want = (size_t)idx + 1,
		       max = (size_t)(sf_syscall_max_nr(a) + 1 - a->nr_offset);
		if (want < max)
			want = max;
		struct slot *v = reallocarray(ab->slots, want, sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + ab->nslots, 0, (want - ab->nslots) * sizeof(*v));
		ab->slots = v;
		ab->nslots = want;
	}
	struct slot *sl = &ab->slots[idx];
	if (sl->count++ == 0) {
		char exe[4096];
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		sl->first = (double)(now.tv_sec - r->t0.tv_sec) +
			    (double)(now.tv_nsec - r->t0.tv_nsec) / 1e9;
		sf_proc_exe(pid, exe, sizeof(exe));
		sl->exe = strdup(exe); /* NULL (out of memory) reads as "?" */
	}
	if (!r->opts.args && !r->opts.base) {
		sl->needed++;
		return 0;
	}
	if (!sl->kind)
		arg_spec(a, sf_syscall_name(a, d->nr), sl);
	enum sf_record_arg kind = (enum sf_record_arg)(sl->kind - 1);
	uint64_t flags = 0;
	bool clone3_ok = kind == SF_RECORD_ARG_CLONE3 && clone3_flags(d, pid, &flags);
	if (r->opts.base && base_lets_run(r, a, d, sl, clone3_ok, flags))
		return 0;
	sl->needed++;
	if (!r->opts.args)
		return 0;
	switch (kind) {
	case SF_RECORD_ARG_NONE:
		return 0;
	case SF_RECORD_ARG_INT: {
		/* The kernel reads an int; a 32-bit ABI's registers hold only that. */
		uint64_t raw = d->args[sl->index], low = raw & 0xffffffffULL;
		return keep_value(r, sl, low, a->bits == 64 && raw != low);
	}
	case SF_RECORD_ARG_NS_FLAGS:
		return keep_value(r, sl, d->args[sl->index] & SF_RECORD_NS_MASK, false);
	case SF_RECORD_ARG_CLONE3:
		if (!clone3_ok) {
			sl->no_fallback = true;
			return 0;
		}
		return keep_value(r, sl, flags & SF_RECORD_NS_MASK, false);
	}
	return 0;
}

uint64_t sf_recording_unknown_abi(const struct sf_recording *r, uint32_t *first_audit_arch)
{
	if (first_audit_arch)
		*first_audit_arch = r->first_unknown_abi;
	return r->unknown_abi;
}

uint64_t sf_recording_total(const struct sf_recording *r)
{
	return r->total;
}

size_t sf_recording_calls(struct sf_recording *r, const struct sf_recorded_call **out)
{
	size_t n = 0;
	for (size_t a = 0; a < r->narches; a++)
		for (size_t i = 0; i < r->abis[a].nslots; i++)
			n += r->abis[a].slots[i].count != 0;
	free(r->calls);
	r->ncalls = 0;
	r->calls = n ? calloc(n, sizeof(*r->calls)) : NULL;
	if (n && !r->calls) {
		*out = NULL;
		return 0;
	}
	for (size_t a = 0; a < r->narches; a++) {
		const struct sf_arch *arch = sf_arch_at(a);
		for (size_t i = 0; i < r->abis[a].nslots; i++) {
			const struct slot *sl = &r->abis[a].slots[i];
			if (!sl->count)
				continue;
			struct sf_recorded_call *c = &r->calls[r->ncalls++];
			c->abi = arch;
			c->nr = (long)(i + arch->nr_offset);
			c->name = sf_syscall_name(arch, c->nr);
			c->count = sl->count;
			c->exe = sl->exe ? sl->exe : "?";
			c->first = sl->first;
			c->needed = sl->needed;
			c->arg_kind =
			    sl->kind ? (enum sf_record_arg)(sl->kind - 1) : SF_RECORD_ARG_NONE;
			c->arg_index = sl->index;
			c->values = sl->vals;
			c->nvalues = sl->nvals;
			c->too_many = sl->too_many;
			c->no_fallback = sl->no_fallback;
		}
	}
	*out = r->calls;
	return r->ncalls;
}

static int cmp_call_name(const void *a, const void *b)
{
	const struct sf_recorded_call *x = *(const struct sf_recorded_call *const *)a,
				      *y = *(const struct sf_recorded_call *const *)b;
	return strcmp(x->name, y->name);
}

/* A set of values being merged across ABIs. */
struct valset {
	struct sf_recorded_value *v;
	size_t n, cap;
};

static int valset_add(struct valset *s, const struct sf_recorded_value *vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < s->n && s->v[k].value != vals[i].value)
			k++;
		if (k < s->n) {
			s->v[k].wide |= vals[i].wide;
			continue;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct sf_recorded_value *nv = reallocarray(s->v, cap, sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			s->v = nv;
			s->cap = cap;
		}
		s->v[s->n++] = vals[i];
	}
	return 0;
}

/* One ALLOW rule per value of name's argument. */
static int value_rules(struct sf_profile *p, const char *name, enum sf_record_arg kind,
		       unsigned index, struct valset *vs)
{
	if (vs->n)
		qsort(vs->v, vs->n, sizeof(*vs->v), cmp_value);
	for (size_t i = 0; i < vs->n; i++) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule)
			return -ENOMEM;
		rule->action = SF_ACT_ALLOW;
		struct sf_arg arg = {.index = index, .value = vs->v[i].value, .op = SF_OP_EQ};
		if (kind == SF_RECORD_ARG_NS_FLAGS) {
			arg.op = SF_OP_MASKED_EQ;
			arg.value = SF_RECORD_NS_MASK;
			arg.value_two = vs->v[i].value;
		} else if (vs->v[i].wide) {
			arg.op = SF_OP_MASKED_EQ;
			arg.value = 0xffffffffULL;
			arg.value_two = vs->v[i].value;
		}
		if (sf_rule_add_name(p, rule, name) < 0 || sf_rule_add_arg(p, rule, &arg) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const char clone3_comment[] =
    "clone3 passes its flags in memory, where a filter cannot check them: it is answered "
    "with ENOSYS, as Docker's default profile does, and C libraries fall back to clone, "
    "whose namespace flags the rules above allow as recorded";

int sf_recording_profile(struct sf_recording *r, const struct sf_record_profile_opts *o,
			 struct sf_profile **out, struct sf_error *err)
{
	const struct sf_recorded_call *calls;
	size_t n = sf_recording_calls(r, &calls), nc = 0, nn = 0;
	const struct sf_recorded_call **v = calloc(n + 1, sizeof(*v));
	const char **names = calloc(n + 1, sizeof(*names));
	struct sf_profile *p = sf_profile_new();
	struct valset clone3 = {0}, vs = {0};
	int ret = -ENOMEM;

	if (!p || !names || !v)
		goto out;
	p->default_action = SF_ACT_ERRNO;
	p->has_default_errno = true;
	p->default_errno = o && o->errno_ret ? o->errno_ret : EPERM;
	/* The native ABI first (the runtime's own execve is made in it), then the others seen. */
	if (sf_profile_add_arch(p, sf_arch_native()->scmp_name) < 0)
		goto out;
	for (size_t a = 0; a < r->narches; a++) {
		const struct sf_arch *arch = sf_arch_at(a);
		bool seen = false;
		for (size_t i = 0; i < n && !seen && arch != sf_arch_native(); i++)
			seen = calls[i].abi == arch;
		if (seen && sf_profile_add_arch(p, arch->scmp_name) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (calls[i].name && calls[i].needed)
			v[nc++] = &calls[i];
	if (nc)
		qsort(v, nc, sizeof(*v), cmp_call_name);

	/* What is known of clone3: allowed as it is, or ENOSYS with its flags allowed for clone. */
	bool clone3_seen = false, clone3_plain = false;
	for (size_t i = 0; i < nc; i++)
		if (v[i]->arg_kind == SF_RECORD_ARG_CLONE3) {
			clone3_seen = true;
			clone3_plain |= v[i]->no_fallback || v[i]->too_many;
			if (valset_add(&clone3, v[i]->values, v[i]->nvalues) < 0)
				goto out;
		}
	bool clone_seen = false;
	for (size_t i = 0; i < nc; i++)
		clone_seen |= strcmp(v[i]->name, "clone") == 0;

	/* Names allowed as they are, then the rules with values. */
	struct sf_rule *rule = NULL;
	for (size_t i = 0; i < nc; i++) {
		bool plain = v[i]->arg_kind == SF_RECORD_ARG_NONE;
		for (size_t k = i; k < nc && !strcmp(v[k]->name, v[i]->name); k++)
			plain |= v[k]->too_many || v[k]->no_fallback;
		if (!plain)
			continue;
		if (nn && !strcmp(names[nn - 1], v[i]->name))
			continue;
		names[nn++] = v[i]->name;
		if (!rule && !(rule = sf_profile_add_rule(p)))
			goto out;
		rule->action = SF_ACT_ALLOW;
		if (sf_rule_add_name(p, rule, v[i]->name) < 0)
			goto out;
	}
	/* clone3 without clone recorded: clone gets clone3's flags, in its place by name. */
	bool clone_due = clone3_seen && !clone3_plain && !clone_seen;
	unsigned clone_index = strncmp(sf_arch_native()->name, "s390", 4) == 0;
	for (size_t i = 0; i < nc;) {
		size_t k = i;
		bool plain = false;
		vs.n = 0;
		if (clone_due && strcmp(v[i]->name, "clone") > 0) {
			if (value_rules(p, "clone", SF_RECORD_ARG_NS_FLAGS, clone_index, &clone3) < 0)
				goto out;
			clone_due = false;
		}
		for (; k < nc && !strcmp(v[k]->name, v[i]->name); k++) {
			plain |= v[k]->arg_kind == SF_RECORD_ARG_NONE || v[k]->too_many ||
				 v[k]->no_fallback;
			if (valset_add(&vs, v[k]->values, v[k]->nvalues) < 0)
				goto out;
		}
		const struct sf_recorded_call *c = v[i];
		i = k;
		if (plain || c->arg_kind == SF_RECORD_ARG_CLONE3)
			continue;
		/* clone stands in for clone3: its namespace flags are allowed for clone too. */
		if (c->arg_kind == SF_RECORD_ARG_NS_FLAGS && clone3_seen && !clone3_plain &&
		    valset_add(&vs, clone3.v, clone3.n) < 0)
			goto out;
		if (value_rules(p, c->name, c->arg_kind, c->arg_index, &vs) < 0)
			goto out;
	}
	if (clone_due && value_rules(p, "clone", SF_RECORD_ARG_NS_FLAGS, clone_index, &clone3) < 0)
		goto out;
	if (clone3_seen && !clone3_plain && p->default_errno != ENOSYS) {
		if (!(rule = sf_profile_add_rule(p)))
			goto out;
		rule->action = SF_ACT_ERRNO;
		rule->has_errno = true;
		rule->errno_ret = ENOSYS;
		if (!(rule->comment = sf_profile_strdup(p, clone3_comment)) ||
		    sf_rule_add_name(p, rule, "clone3") < 0)
			goto out;
	}

	/* The runtime's calls, when the command did not make them itself (nor the base allows
	 * them). */
	rule = NULL;
	for (const char *const *rn = o ? o->runtime_names : NULL; rn && *rn; rn++) {
		bool have = false;
		for (size_t i = 0; i < nc && !have; i++)
			have = strcmp(v[i]->name, *rn) == 0;
		if (have)
			continue;
		if (r->opts.base) {
			long nr = sf_syscall_nr(sf_arch_native(), *rn);
			struct seccomp_data d = {.nr = (int)nr,
						 .arch = sf_arch_native()->audit_arch};
			if (nr >= 0 && lets_run(sf_policy_eval(r->opts.base, &d)))
				continue;
		}
		if (!rule) {
			if (!(rule = sf_profile_add_rule(p)))
				goto out;
			rule->action = SF_ACT_ALLOW;
			if (o->runtime_comment &&
			    !(rule->comment = sf_profile_strdup(p, o->runtime_comment)))
				goto out;
		}
		if (sf_rule_add_name(p, rule, *rn) < 0)
			goto out;
	}
	if (o && o->comment && p->nrules && !p->rules[0].comment &&
	    !(p->rules[0].comment = sf_profile_strdup(p, o->comment)))
		goto out;
	*out = p;
	p = NULL;
	ret = 0;
out:
	free(clone3.v);
	free(vs.v);
	free(v);
	free(names);
	sf_profile_free(p);
	return ret < 0 ? sf_error_set(err, ret, "out of memory") : 0;
}
