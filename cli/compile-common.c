/* Shared by compile, emulate and diff: target options, loading and compiling a profile. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile-common.h"

static int parse_action(const char *s, uint32_t *ret)
{
	char name[64];
	unsigned data = 0;
	const char *paren = strchr(s, '(');
	size_t n = paren ? (size_t)(paren - s) : strlen(s);
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = 0;
	if (paren && sscanf(paren, "(%u)", &data) != 1)
		return -1;
	char full[80];
	snprintf(full, sizeof(full), "%s%s", strncmp(name, "SCMP_ACT_", 9) ? "SCMP_ACT_" : "",
		 name);
	for (char *p = full; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	enum sf_action a = sf_action_from_name(full);
	if (!a)
		return -1;
	*ret = sf_action_ret(a, paren ? data : (sf_action_takes_errno(a) ? EPERM : 0));
	return 0;
}

/*
 * --frequency FILE: how often each syscall is called, so that frequent ones sit near the root of
 * the number search. Lines of "NAME COUNT" or "COUNT NAME", or the table `strace -c` prints
 * (calls in the fourth column, the name last). Names unknown to the native ABI are ignored.
 */
static int read_frequency(const char *cmd, const char *path, struct target_opts *t)
{
	const struct sf_arch *native = sf_arch_native();
	long max = sf_syscall_max_nr(native);
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char line[512];
	size_t used = 0;

	if (!f) {
		cli_usage(cmd, "--frequency: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	free(t->freq);
	t->freq = calloc((size_t)max + 1, sizeof(*t->freq));
	if (!t->freq) {
		if (f != stdin)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tok[8];
		int n = 0;
		char *save = NULL;
		for (char *w = strtok_r(line, " \t\n", &save); w && n < 8;
		     w = strtok_r(NULL, " \t\n", &save))
			tok[n++] = w;
		if (n < 2)
			continue;
		const char *name;
		char *end;
		double count;
		if (n >= 5) { /* strace -c: % time, seconds, usecs/call, calls, [errors,] syscall */
			name = tok[n - 1];
			count = strtod(tok[3], &end);
		} else if ((count = strtod(tok[1], &end)), *end == 0) {
			name = tok[0];
		} else {
			count = strtod(tok[0], &end);
			name = tok[1];
		}
		if (*end != 0 || count < 0)
			continue;
		long nr = sf_syscall_nr(native, name);
		if (nr < 0 || nr > max)
			continue;
		t->freq[nr] += count;
		used++;
	}
	if (f != stdin)
		fclose(f);
	if (!used) {
		cli_usage(cmd, "--frequency: no \"NAME COUNT\" line in %s", path);
		return -1;
	}
	t->copts.freq = t->freq;
	t->copts.nfreq = (size_t)max + 1;
	return 0;
}

int target_option(const char *cmd, int c, const char *arg, struct target_opts *t)
{
	switch (c) {
	case 0x100: {
		char *copy = strdup(arg), *save = NULL;
		if (!copy)
			return -1;
		t->narches = 0;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const struct sf_arch *a = sf_arch_find(tok);
			if (!a) {
				cli_usage(cmd, "unknown architecture '%s' (x86_64, x86, x32, aarch64, "
					       "arm, s390x, ppc64le, riscv64, ... or amd64, 386, arm64)",
					  tok);
				free(copy);
				return -1;
			}
			if (t->narches < sizeof(t->arches) / sizeof(t->arches[0]))
				t->arches[t->narches++] = a;
		}
		free(copy);
		return 1;
	}
	case 0x101:
		t->caps_arg = arg;
		return 1;
	case 0x102: {
		char tail;
		if (sscanf(arg, "%u.%u%c", &t->kernel_major, &t->kernel_minor, &tail) != 2) {
			cli_usage(cmd, "--kernel takes MAJOR.MINOR, not '%s'", arg);
			return -1;
		}
		return 1;
	}
	case 0x103:
		if (parse_action(arg, &t->copts.bad_arch_ret) < 0) {
			cli_usage(cmd, "--bad-arch takes an action (KILL_PROCESS, KILL_THREAD, "
				       "TRAP, ERRNO(N), LOG, ...), not '%s'",
				  arg);
			return -1;
		}
		t->copts.has_bad_arch = true;
		return 1;
	case 0x104:
		t->copts.runc_compat = true;
		return 1;
	case 0x105:
		t->copts.strict = true;
		return 1;
	case 0x106:
		t->copts.no_verify = true;
		return 1;
	case 0x107:
		return read_frequency(cmd, arg, t) < 0 ? -1 : 1;
	}
	return 0;
}

int target_load(const char *cmd, const char *path, struct target_opts *t, struct sf_profile **out)
{
	struct sf_profile *p = NULL;
	struct cli_caps caps = { 0 };
	struct sf_error err = { 0 };
	int r = cli_load_profile_lenient(cmd, path, t->copts.strict, &p);

	*out = NULL;
	if (r != EXIT_OK)
		return r;
	if (t->caps_arg && cli_caps_parse(cmd, t->caps_arg, &caps) < 0) {
		sf_profile_free(p);
		return EXIT_USAGE;
	}
	struct sf_target tg = {
		.arch = t->narches && !t->arch_is_abi ? t->arches[0]->name : NULL,
		.caps = t->caps_arg ? (const char *const *)caps.names : NULL,
		.kernel_major = t->kernel_major,
		.kernel_minor = t->kernel_minor,
	};
	/* Cross-compiling for an arch with no Go name: nothing of Docker's to resolve by arch. */
	if (tg.arch && !sf_arch_find(tg.arch)->go_name)
		tg.arch = NULL;
	r = sf_profile_resolve(p, &tg, out, &err);
	cli_caps_free(&caps);
	sf_profile_free(p);
	if (r < 0) {
		cli_print_error(&err);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

static void print_warnings(const struct sf_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		/* Already reported with its position when the profile was read. */
		if (strcmp(f->v[i].code, "unknown-syscall") != 0)
			fprintf(stderr, "%s: warning: %s%s%s%s\n", f->file, f->v[i].msg,
				f->v[i].hint ? " (" : "", f->v[i].hint ? f->v[i].hint : "",
				f->v[i].hint ? ")" : "");
}

int target_policy(const char *cmd, const struct sf_profile *p, struct target_opts *t,
		  struct sf_policy **out)
{
	struct sf_findings f;
	struct sf_error err = { 0 };
	int r;

	t->copts.arches = t->narches ? t->arches : NULL;
	t->copts.narches = t->narches;
	sf_findings_init(&f, cmd);
	r = sf_policy_build(p, &t->copts, out, &f, &err);
	print_warnings(&f);
	sf_findings_clear(&f);
	if (r < 0) {
		cli_print_error(&err);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

int target_compile(const char *cmd, const struct sf_profile *p, struct target_opts *t,
		   struct sf_prog *out)
{
	struct sf_policy *pol = NULL;
	struct sf_error err = { 0 };
	int r = target_policy(cmd, p, t, &pol);

	out->insns = NULL;
	out->len = 0;
	if (r != EXIT_OK)
		return r;
	r = sf_policy_compile(pol, out, &err);
	if (r == 0 && !t->copts.no_verify)
		r = sf_policy_verify(pol, out, NULL, &err);
	sf_policy_free(pol);
	if (r < 0) {
		sf_prog_free(out);
		cli_print_error(&err);
		/* a failed proof is sysfence's bug, not the profile's fault */
		return r == -EPROTO ? EXIT_USAGE : EXIT_FINDINGS;
	}
	return EXIT_OK;
}
