/* Recording: the notify-everything filter, the set observed per ABI, the allowlist from it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sysfence/enforce.h>
#include <sysfence/record.h>

#include "util/util.h"

#define X32_BIT 0x40000000
/* Numbers beyond this above an ABI's base are not tables' numbers: counted, not kept. */
#define MAX_SLOTS 4096

const char *const sf_record_runtime_names[] = { "close", "execve", NULL };
const char sf_record_runtime_comment[] =
	"the runtime, between loading the filter and starting the command: sysfence run calls "
	"execve; crun 1.8.1 closes its sync socket (close) and calls execve";

struct slot {
	uint64_t count;
	char *exe;
	double first;
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
};

int sf_record_prog(struct sf_prog *out, struct sf_error *err)
{
	/* The ABIs a kernel of this machine runs: a 64-bit kernel also runs its 32-bit ABI. */
	static const char *const companions[][3] = {
		{ "x86_64", "x86", NULL },
		{ "aarch64", "arm", NULL },
		{ "ppc64le", NULL, NULL },
		{ "s390x", "s390", NULL },
	};
	const struct sf_arch *native = sf_arch_native(), *abis[4] = { native };
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
		out->insns[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								 abis[i]->audit_arch,
								 (uint8_t)(n - 1 - i), 0);
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
		for (size_t i = 0; i < r->abis[a].nslots; i++)
			free(r->abis[a].slots[i].exe);
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
		size_t want = (size_t)idx + 1, max = (size_t)(sf_syscall_max_nr(a) + 1 - a->nr_offset);
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
		}
	}
	*out = r->calls;
	return r->ncalls;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sf_recording_profile(struct sf_recording *r, const struct sf_record_profile_opts *o,
			 struct sf_profile **out, struct sf_error *err)
{
	const struct sf_recorded_call *calls;
	size_t n = sf_recording_calls(r, &calls), nn = 0;
	const char **names = calloc(n + 1, sizeof(*names));
	struct sf_profile *p = sf_profile_new();
	int ret = -ENOMEM;

	if (!p || !names)
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
		if (calls[i].name)
			names[nn++] = calls[i].name;
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_str);
	struct sf_rule *rule = NULL;
	for (size_t i = 0; i < nn; i++) {
		if (i && strcmp(names[i], names[i - 1]) == 0)
			continue;
		if (!rule && !(rule = sf_profile_add_rule(p)))
			goto out;
		rule->action = SF_ACT_ALLOW;
		if (sf_rule_add_name(p, rule, names[i]) < 0)
			goto out;
	}
	/* The runtime's calls, when the command did not make them itself. */
	rule = NULL;
	for (const char *const *rn = o ? o->runtime_names : NULL; rn && *rn; rn++) {
		if (nn && bsearch(rn, names, nn, sizeof(*names), cmp_str))
			continue;
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
	*out = p;
	p = NULL;
	ret = 0;
out:
	free(names);
	sf_profile_free(p);
	return ret < 0 ? sf_error_set(err, ret, "out of memory") : 0;
}
