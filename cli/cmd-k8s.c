/* sysfence k8s: Kubernetes subcommands, one function each, behind a small dispatcher. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sysfence/k8s.h>

#include "cli.h"

const char help_k8s[] =
    "usage: sysfence k8s COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "   lint       the seccomp profile every container of a manifest really gets\n"
    "\n"
    "usage: sysfence k8s lint [options] FILE|DIR|-...\n"
    "\n"
    "Read Kubernetes manifests (YAML with any number of documents, JSON, `kubectl get -o\n"
    "yaml` Lists, Helm output; a DIR is searched for *.yaml, *.yml and *.json) and, for every\n"
    "container of every Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,\n"
    "ReplicationController, Job, CronJob and PodTemplate (init and ephemeral containers too),\n"
    "work out the seccomp profile it runs under as the API server and the kubelet of the\n"
    "chosen release decide it: the container's seccompProfile over the pod's, the legacy\n"
    "annotations up to 1.26, privileged: true overriding everything, Windows pods exempt.\n"
    "\n"
    "Findings are printed as FILE:LINE:COL: LEVEL: [RULE] OBJECT: message, with a fix, on\n"
    "standard error; the profile of every container and the Pod Security Standards verdicts\n"
    "(baseline, restricted: their seccomp and privileged controls) on standard output.\n"
    "docs/k8s.md explains every rule and where Kubernetes does it.\n"
    "\n"
    "options:\n"
    "  -o, --output-format text|json|sarif\n"
    "                   json: findings and workloads with stable keys; sarif: a SARIF 2.1.0\n"
    "                   log for code scanning\n"
    "  --kubernetes-version 1.N\n"
    "                   the release of the API servers and kubelets (default 1.37, oldest 1.19)\n"
    "  --seccomp-default\n"
    "                   the kubelets run with seccompDefault: true (an unset profile is\n"
    "                   RuntimeDefault, not Unconfined)\n"
    "  --profiles-dir DIR\n"
    "                   a copy of the nodes' <kubelet root>/seccomp: every Localhost profile\n"
    "                   must be there and valid\n"
    "  --pss baseline|restricted\n"
    "                   pods that fail this Pod Security level are errors (default: baseline\n"
    "                   failures are warnings, restricted ones notes)\n"
    "  --fail-on error|warning|note\n"
    "                   the least level that makes the exit status 1 (default error)\n"
    "  -q, --quiet      text: print findings only, not the workloads\n"
    "\n"
    "exit status: 0 nothing at or above --fail-on, 1 findings, 2 usage error or unreadable "
    "input.\n";

enum { OUT_TEXT, OUT_JSON, OUT_SARIF };

static void print_finding(const struct sf_k8s_finding *f)
{
	if (f->line)
		fprintf(stderr, "%s:%u:%u: ", f->file, f->line, f->col);
	else
		fprintf(stderr, "%s: ", f->file);
	fprintf(stderr, "%s: [%s] ", sf_k8s_level_name(f->level), f->rule);
	if (f->kind)
		fprintf(stderr, "%s %s%s%s: ", f->kind, f->namespace[0] ? f->namespace : "",
			f->namespace[0] ? "/" : "", f->name[0] ? f->name : "(no name)");
	fprintf(stderr, "%s\n", f->message);
	if (f->fix)
		fprintf(stderr, "    fix: %s\n", f->fix);
}

static void print_workload(const struct sf_k8s_workload *w)
{
	printf("%s:%u: %s %s%s%s: baseline %s, restricted %s\n", w->file, w->line, w->kind,
	       w->namespace[0] ? w->namespace : "", w->namespace[0] ? "/" : "",
	       w->name[0] ? w->name : "(no name)", w->baseline.allowed ? "pass" : "FAIL",
	       w->restricted.allowed ? "pass" : "FAIL");
	for (size_t i = 0; i < w->ncontainers; i++) {
		const struct sf_k8s_container *c = &w->containers[i];
		printf("    %-18s %-24s %s%s%s (%s)\n", c->role, c->name,
		       sf_k8s_seccomp_name(c->seccomp), c->localhost ? " " : "",
		       c->localhost ? c->localhost : "", sf_k8s_source_name(c->source));
	}
}

static int k8s_lint(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output-format", required_argument, NULL, 'o'},
	    {"kubernetes-version", required_argument, NULL, 'k'},
	    {"seccomp-default", no_argument, NULL, 's'},
	    {"profiles-dir", required_argument, NULL, 'p'},
	    {"pss", required_argument, NULL, 'P'},
	    {"fail-on", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sf_k8s_options o = {0};
	struct sf_k8s_report r;
	struct sf_error err = {0};
	struct sf_buf out = {0};
	int fmt = OUT_TEXT, fail_on = SF_K8S_ERROR, c, status = EXIT_OK;
	bool quiet = false;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (strcmp(optarg, "text") == 0)
				fmt = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = OUT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				fmt = OUT_SARIF;
			else
				return cli_usage("k8s lint",
						 "-o takes text, json or sarif, not '%s'", optarg);
			break;
		case 'k':
			if (sf_k8s_parse_version(optarg, &o.minor, &err) < 0)
				return cli_usage("k8s lint", "--kubernetes-version: %s", err.msg);
			break;
		case 's':
			o.seccomp_default = true;
			break;
		case 'p':
			o.profiles_dir = optarg;
			break;
		case 'P':
			if (strcmp(optarg, "baseline") == 0)
				o.require = SF_K8S_PSS_BASELINE;
			else if (strcmp(optarg, "restricted") == 0)
				o.require = SF_K8S_PSS_RESTRICTED;
			else
				return cli_usage("k8s lint",
						 "--pss takes baseline or restricted, not '%s'",
						 optarg);
			break;
		case 'f':
			fail_on = sf_k8s_level_from_name(optarg);
			if (fail_on < 0)
				return cli_usage("k8s lint",
						 "--fail-on takes error, warning or note, not '%s'",
						 optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			return cli_help("k8s");
		default:
			return cli_usage("k8s lint", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("k8s lint", "no manifest given (a FILE, a DIR, or - for standard "
					     "input)");
	if (o.profiles_dir) {
		struct stat st;
		if (stat(o.profiles_dir, &st) < 0)
			return cli_usage("k8s lint", "--profiles-dir %s: %s", o.profiles_dir,
					 strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return cli_usage("k8s lint", "--profiles-dir %s: not a directory",
					 o.profiles_dir);
	}
	if (sf_k8s_report_init(&r, &o) < 0) {
		cli_err("k8s lint", "out of memory");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (sf_k8s_lint_path(&r, argv[i]) < 0)
			break;
	if (r.oom) {
		cli_err("k8s lint", "out of memory");
		sf_k8s_report_clear(&r);
		return EXIT_USAGE;
	}

	if (fmt == OUT_TEXT) {
		for (size_t i = 0; i < r.nfindings; i++)
			print_finding(&r.findings[i]);
		for (size_t i = 0; !quiet && i < r.nworkloads; i++)
			print_workload(&r.workloads[i]);
		if (!quiet)
			printf("%zu file%s, %zu workload%s (Kubernetes 1.%u%s): %zu error%s, %zu "
			       "warning%s, %zu note%s\n",
			       r.nfiles, r.nfiles == 1 ? "" : "s", r.nworkloads,
			       r.nworkloads == 1 ? "" : "s", r.opts.minor,
			       r.opts.seccomp_default ? ", seccompDefault" : "",
			       r.count[SF_K8S_ERROR], r.count[SF_K8S_ERROR] == 1 ? "" : "s",
			       r.count[SF_K8S_WARNING], r.count[SF_K8S_WARNING] == 1 ? "" : "s",
			       r.count[SF_K8S_NOTE], r.count[SF_K8S_NOTE] == 1 ? "" : "s");
		fflush(stdout);
	} else {
		int w =
		    fmt == OUT_JSON ? sf_k8s_write_json(&r, &out) : sf_k8s_write_sarif(&r, &out);
		if (w < 0 || cli_write_output("k8s lint", NULL, &out) != EXIT_OK)
			status = EXIT_USAGE;
		sf_buf_free(&out);
	}
	if (status == EXIT_OK && sf_k8s_report_fails(&r, (enum sf_k8s_level)fail_on))
		status = EXIT_FINDINGS;
	if (r.nunreadable)
		status = EXIT_USAGE;
	sf_k8s_report_clear(&r);
	return status;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
    {"lint", k8s_lint},
};

int cmd_k8s(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("k8s", "no subcommand given (lint)");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	return cli_usage("k8s", "unknown subcommand '%s'", argv[1]);
}
