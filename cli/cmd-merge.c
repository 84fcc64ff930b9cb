/*
 * sysfence merge: the union of allowlist profiles — recordings of several scenarios or replicas
 * of one workload — checked on every input that can tell the profiles apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile-common.h"

const char help_merge[] =
    "usage: sysfence merge A B ... [-o FILE] [--format oci|yaml]\n"
    "\n"
    "Write the profile that allows every call one of the profiles A, B, ... allows, and\n"
    "refuses the rest as they do: for instance the recordings (sysfence record) of several\n"
    "scenarios of one program. A profile is a file, '-', or a built-in (@runtime-default);\n"
    "Docker's includes/excludes are resolved for this machine first, as sysfence show does.\n"
    "\n"
    "Only allowlists merge: each profile's defaultAction must refuse (SCMP_ACT_ERRNO,\n"
    "SCMP_ACT_KILL*, SCMP_ACT_TRAP), with the same outcome (errno included), the same flags\n"
    "and listener. Each syscall is decided from the rules that name it, as libseccomp decides:\n"
    "  - a profile allows it without conditions: one ALLOW rule (all names sorted);\n"
    "  - only one profile has rules for it: they are copied as they are;\n"
    "  - several refuse it with a rule of their own: the same answer is kept;\n"
    "  - several allow it under conditions: the conditional rules are united.\n"
    "A refusal in one profile and conditions in another, different refusals, or conditional\n"
    "refusals in several profiles have no exact union: merge fails, naming FILE:LINE:COL of\n"
    "both rules. Architectures are united (a name is then allowed on all of them: OCI rules\n"
    "cannot name an architecture). The result is checked: on every syscall number of every\n"
    "architecture and every boundary value of every argument condition of any profile, it\n"
    "allows exactly what one of the profiles allows. The same inputs give the same bytes.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   write the profile there (atomically) instead of standard output\n"
    "  --format oci|yaml   JSON (default) or YAML\n"
    "  -v, --verbose       say how many inputs the check compared\n"
    "\n"
    "exit status: 0 merged, 1 the profiles cannot be merged (or one is invalid), 2 usage or\n"
    "I/O error.\n";

struct union_check {
	const struct sf_policy *merged;
	struct sf_policy **in;
	size_t n;
	size_t checked;
	struct seccomp_data bad;
};

static bool lets_run(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

static int check_vector(const struct seccomp_data *d, void *ctx)
{
	struct union_check *u = ctx;
	bool any = false;
	for (size_t i = 0; i < u->n && !any; i++)
		any = lets_run(sf_policy_eval(u->in[i], d));
	u->checked++;
	if (any != lets_run(sf_policy_eval(u->merged, d))) {
		u->bad = *d;
		return 1;
	}
	return 0;
}

/* The merged profile allows exactly what one input allows, on every distinguishing input of
 * any of them (each input read for the union's architectures). */
static int prove(const struct sf_profile *merged, struct sf_profile **in, size_t n, size_t *checked)
{
	struct union_check u = {.n = n};
	struct sf_policy *m = NULL;
	struct sf_error err = {0};
	const struct sf_arch *arches[32];
	int r = EXIT_USAGE;

	u.in = calloc(n, sizeof(*u.in));
	if (!u.in || sf_policy_build(merged, NULL, &m, NULL, &err) < 0)
		goto out;
	u.merged = m;
	/* The union's targets, as sf_policy_build takes them: this machine's, then its list (a
	 * policy's sections fold x32 into x86_64, so they are not the list). */
	struct sf_compile_opts o = {.arches = arches};
	arches[o.narches++] = sf_arch_native();
	for (size_t i = 0; i < merged->narchitectures && o.narches < 32; i++) {
		const struct sf_arch *a = sf_arch_find(merged->architectures[i]);
		bool dup = !a;
		for (size_t k = 0; k < o.narches && !dup; k++)
			dup = arches[k] == a;
		if (!dup)
			arches[o.narches++] = a;
	}
	for (size_t i = 0; i < n; i++)
		if (sf_policy_build(in[i], &o, &u.in[i], NULL, &err) < 0)
			goto out;
	for (size_t i = 0; i < n; i++) {
		int k = sf_policy_vectors2(m, u.in[i], check_vector, &u);
		if (k < 0) {
			sf_error_set(&err, k, "checking the union: %s", strerror(-k));
			goto out;
		}
		if (k > 0) {
			cli_err(
			    "merge",
			    "internal error: the union differs from the inputs on arch %#x syscall "
			    "%d (args %#llx, %#llx): please report it; nothing written",
			    u.bad.arch, u.bad.nr, (unsigned long long)u.bad.args[0],
			    (unsigned long long)u.bad.args[1]);
			goto out;
		}
	}
	*checked = u.checked;
	r = EXIT_OK;
out:
	if (err.code)
		cli_print_error(&err);
	for (size_t i = 0; u.in && i < n; i++)
		sf_policy_free(u.in[i]);
	free(u.in);
	sf_policy_free(m);
	return r;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, 'f'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	enum sf_out_format fmt = SF_OUT_JSON;
	bool verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "oci") == 0 || strcmp(optarg, "json") == 0)
				fmt = SF_OUT_JSON;
			else if (strcmp(optarg, "yaml") == 0)
				fmt = SF_OUT_YAML;
			else
				return cli_usage("merge", "--format is oci or yaml, not '%s'",
						 optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			return cli_help("merge");
		default:
			fprintf(stderr, "Try 'sysfence merge --help'.\n");
			return EXIT_USAGE;
		}
	}
	size_t n = (size_t)(argc - optind);
	if (!n)
		return cli_usage("merge", "no profile given (sysfence merge A B ...)");
	struct sf_profile **in = calloc(n, sizeof(*in));
	struct sf_profile *out = NULL;
	struct target_opts t = {0};
	struct sf_error err = {0};
	struct sf_buf buf = {0};
	size_t checked = 0;
	int r = EXIT_USAGE;

	if (!in) {
		cli_err("merge", "out of memory");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		r = target_load("merge", argv[optind + (int)i], &t, &in[i]);
		if (r != EXIT_OK)
			goto out;
	}
	if (sf_profile_merge((const struct sf_profile *const *)in,
			     (const char *const *)(argv + optind), n, &out, &err) < 0) {
		cli_print_error(&err);
		r = err.code == -ENOMEM ? EXIT_USAGE : EXIT_FINDINGS;
		goto out;
	}
	r = prove(out, in, n, &checked);
	if (r != EXIT_OK)
		goto out;
	if (verbose)
		fprintf(
		    stderr,
		    "sysfence merge: %zu profiles, %zu rules; the union checked on %zu inputs\n", n,
		    out->nrules, checked);
	if (sf_profile_write(out, fmt, &buf, &err) < 0) {
		cli_print_error(&err);
		r = EXIT_USAGE;
		goto out;
	}
	r = cli_write_output("merge", output, &buf);
out:
	sf_buf_free(&buf);
	sf_profile_free(out);
	for (size_t i = 0; i < n; i++)
		sf_profile_free(in[i]);
	free(in);
	return r;
}
