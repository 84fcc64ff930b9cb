/*
 * What live seccomp filters do, syscall by syscall: every number of an ABI's table emulated with
 * zero arguments, and the syscalls whose result depends on the arguments found by running a copy
 * of each program whose argument loads return a marker instead.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/inspect.h>
#include <sysfence/status.h>

#include "util/util.h"

bool sf_ret_allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

void sf_filter_verdicts_free(struct sf_filter_verdicts *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nabis; i++)
		free(v->abis[i].v);
	free(v->abis);
	v->abis = NULL;
	v->nabis = 0;
}

static bool returns(const struct sf_prog *p, uint32_t k)
{
	for (size_t i = 0; i < p->len; i++)
		if (p->insns[i].code == (BPF_RET | BPF_K) && p->insns[i].k == k)
			return true;
	return false;
}

/*
 * A copy of p where every load of the instruction pointer or of an argument returns `marker`
 * instead: running it says whether the path of a syscall reads them. The marker is a value no
 * return of p gives as a constant.
 */
static int make_probe(const struct sf_prog *p, struct sf_prog *probe, uint32_t *marker)
{
	uint32_t m = 0x7ffe0a5fu;

	while (returns(p, m))
		m += 0x101;
	probe->insns = malloc(p->len * sizeof(*p->insns));
	if (!probe->insns)
		return -ENOMEM;
	memcpy(probe->insns, p->insns, p->len * sizeof(*p->insns));
	probe->len = p->len;
	for (size_t i = 0; i < p->len; i++) {
		struct sock_filter *f = &probe->insns[i];
		if (f->code == (BPF_LD | BPF_W | BPF_ABS) &&
		    f->k >= offsetof(struct seccomp_data, instruction_pointer))
			*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, m);
	}
	*marker = m;
	return 0;
}

static int cmp_verdict(const void *a, const void *b)
{
	const struct sf_syscall_verdict *x = a, *y = b;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

struct ctx {
	const struct sf_prog *progs, *probes;
	const uint32_t *markers;
	size_t n;
};

static int judge(const struct ctx *c, const struct sf_arch *arch, long nr, uint32_t *ret,
		 bool *conditional, struct sf_error *err)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = arch->audit_arch};
	bool any_cond = false, fixed_kill = false;
	int r;

	sf_seccomp_data_for(arch, &d, &d);
	r = sf_filters_eval(c->progs, c->n, &d, ret, err);
	if (r < 0)
		return r;
	for (size_t k = 0; k < c->n; k++) {
		uint32_t pr, plain;
		r = sf_bpf_emulate(c->probes[k].insns, c->probes[k].len, &d, &pr, NULL, err);
		if (r < 0)
			return r;
		if (pr == c->markers[k]) {
			any_cond = true;
			continue;
		}
		r = sf_bpf_emulate(c->progs[k].insns, c->progs[k].len, &d, &plain, NULL, err);
		if (r < 0)
			return r;
		/* Nothing outranks KILL_PROCESS: another filter's arguments cannot matter. */
		fixed_kill |= (plain & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS;
	}
	*conditional = any_cond && !fixed_kill;
	return 0;
}

static uint32_t most_common(const struct sf_syscall_verdict *v, size_t n)
{
	uint32_t best = SECCOMP_RET_ALLOW;
	size_t best_count = 0;

	for (size_t i = 0; i < n; i++) {
		size_t count = 0;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = v[k].ret == v[i].ret;
		if (seen)
			continue;
		for (size_t k = i; k < n; k++)
			count += v[k].ret == v[i].ret;
		if (count > best_count || (count == best_count && v[i].ret < best)) {
			best = v[i].ret;
			best_count = count;
		}
	}
	return best;
}

static int one_abi(const struct ctx *c, const struct sf_arch *arch, struct sf_abi_verdicts *out,
		   struct sf_error *err)
{
	size_t count = sf_syscall_count(), n = 0;
	struct sf_syscall_verdict *v = calloc(count ? count : 1, sizeof(*v));
	bool cond;
	int r;

	if (!v)
		return sf_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		long nr = sf_syscall_nr_at(arch, i);
		if (nr >= 0)
			v[n++] =
			    (struct sf_syscall_verdict){.nr = nr, .name = sf_syscall_name_at(i)};
	}
	qsort(v, n, sizeof(*v), cmp_verdict);
	*out = (struct sf_abi_verdicts){.arch = arch, .v = v, .n = n};
	for (size_t i = 0; i < n; i++) {
		r = judge(c, arch, v[i].nr, &v[i].ret, &v[i].conditional, err);
		if (r < 0)
			return r;
		if (v[i].conditional)
			out->nconditional++;
		else if (sf_ret_allows(v[i].ret))
			out->nallowed++;
		else
			out->nrefused++;
	}
	out->common_ret = most_common(v, n);
	return judge(c, arch, sf_syscall_max_nr(arch) + 1, &out->other_ret, &cond, err);
}

int sf_filter_verdicts(const struct sf_prog *progs, size_t nprogs,
		       const struct sf_arch *const *abis, size_t nabis,
		       struct sf_filter_verdicts *out, struct sf_error *err)
{
	struct sf_prog *probes = calloc(nprogs ? nprogs : 1, sizeof(*probes));
	uint32_t *markers = calloc(nprogs ? nprogs : 1, sizeof(*markers));
	struct ctx c = {progs, probes, markers, nprogs};
	int r = 0;

	*out = (struct sf_filter_verdicts){0};
	if (!probes || !markers) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nprogs; k++) {
		r = sf_bpf_validate(progs[k].insns, progs[k].len, err);
		if (r < 0) {
			sf_error_prefix(err, "filter %zu: ", k + 1);
			goto out;
		}
		r = make_probe(&progs[k], &probes[k], &markers[k]);
		if (r < 0) {
			sf_error_set(err, r, "out of memory");
			goto out;
		}
	}
	out->abis = calloc(nabis ? nabis : 1, sizeof(*out->abis));
	if (!out->abis) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nabis; i++) {
		out->nabis = i + 1;
		r = one_abi(&c, abis[i], &out->abis[i], err);
		if (r < 0)
			goto out;
	}
out:
	if (r < 0)
		sf_filter_verdicts_free(out);
	for (size_t k = 0; probes && k < nprogs; k++)
		sf_prog_free(&probes[k]);
	free(probes);
	free(markers);
	return r;
}
