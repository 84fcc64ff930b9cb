/* The proof that a program means its policy, and the whole compile (build, generate, verify). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "compile/policy.h"

struct vctx {
	const struct sf_policy *pol;
	const struct sf_prog *prog;
	size_t checked;
	struct seccomp_data bad;
	uint32_t want, got;
	int emu_err;
};

static int check_one(const struct seccomp_data *d, void *p)
{
	struct vctx *v = p;
	uint32_t got;
	int r = sf_bpf_emulate(v->prog->insns, v->prog->len, d, &got, NULL, NULL);
	uint32_t want = sf_policy_eval(v->pol, d);

	v->checked++;
	if (r < 0 || got != want) {
		v->bad = *d;
		v->want = want;
		v->got = got;
		v->emu_err = r;
		return -EPROTO;
	}
	return 0;
}

int sf_policy_verify(const struct sf_policy *pol, const struct sf_prog *prog, size_t *checked,
		     struct sf_error *err)
{
	struct vctx v = { .pol = pol, .prog = prog };
	int r = sf_bpf_validate(prog->insns, prog->len, err);

	if (r < 0) {
		sf_error_prefix(err, "the generated program is not valid BPF: ");
		return -EPROTO;
	}
	r = sf_policy_vectors(pol, check_one, &v);
	if (checked)
		*checked = v.checked;
	if (r == -EPROTO) {
		char a[32], b[32];
		const struct sf_arch *arch = sf_arch_by_audit(v.bad.arch);
		const char *name = arch ? sf_syscall_name(arch, v.bad.nr) : NULL;
		sf_error_set(err, -EPROTO,
			     "verification failed (a bug in sysfence: please report it): arch %#x "
			     "(%s), nr %d (%s), args %#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64
			     ",%#" PRIx64 ",%#" PRIx64 ": the profile means %s, the program gives %s",
			     v.bad.arch, arch ? arch->name : "unknown", v.bad.nr, name ? name : "?",
			     (uint64_t)v.bad.args[0], (uint64_t)v.bad.args[1], (uint64_t)v.bad.args[2],
			     (uint64_t)v.bad.args[3], (uint64_t)v.bad.args[4], (uint64_t)v.bad.args[5],
			     sf_ret_describe(v.want, a, sizeof(a)),
			     v.emu_err ? "an emulation error" : sf_ret_describe(v.got, b, sizeof(b)));
	} else if (r < 0) {
		sf_error_set(err, r, "verification failed: %s", strerror(-r));
	}
	return r;
}

int sf_bpf_compile(const struct sf_profile *p, const struct sf_compile_opts *opts,
		   struct sf_prog *out, struct sf_findings *findings, struct sf_error *err)
{
	struct sf_policy *pol;
	int r = sf_policy_build(p, opts, &pol, findings, err);

	out->insns = NULL;
	out->len = 0;
	if (r < 0)
		return r;
	r = sf_policy_compile(pol, out, err);
	if (r == 0 && !(opts && opts->no_verify))
		r = sf_policy_verify(pol, out, NULL, err);
	if (r < 0)
		sf_prog_free(out);
	sf_policy_free(pol);
	return r;
}
