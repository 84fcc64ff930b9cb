/* sysfence k8s: Kubernetes subcommands, one function each, behind a small dispatcher. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sysfence/k8s.h>

#include "cli.h"
#include "cmd-k8s.h"

const char help_k8s[] =
    "usage: sysfence k8s COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "   lint           the seccomp profile every container of a manifest really gets\n"
    "   export         a profile as a SeccompProfile, a ConfigMap + DaemonSet, or a patch\n"
    "   install        install profiles on a node, once or kept in step with a ConfigMap\n"
    "   kubelet-check  the node's seccompDefault and seccomp directory, and where they come "
    "from\n"
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
    "input.\n"
    "\n"
    "usage: sysfence k8s export PROFILE... --name NAME... --as spo|configmap|daemonset|patch\n"
    "                           [--namespace NS] [-o FILE] [--format yaml|json] [options]\n"
    "\n"
    "Write a profile (a file, or a built-in such as @runtime-default; checked first, as\n"
    "`sysfence check` does) as Kubernetes objects:\n"
    "  spo        a security-profiles-operator SeccompProfile (security-profiles-operator.\n"
    "             x-k8s.io/v1, cluster-scoped: no --namespace), field for field as its CRD\n"
    "             names them. What the CRD cannot hold is an error, never dropped: archMap\n"
    "             and includes/excludes (use --resolve), comments (--drop-comments), a\n"
    "             defaultErrnoRet other than 1, argument values above 2^63-1, ...\n"
    "  configmap  a ConfigMap with one key NAME.json per profile (its canonical JSON)\n"
    "  daemonset  that ConfigMap and a DaemonSet running `sysfence k8s install --sync` on\n"
    "             every node: only the kubelet's seccomp/profiles directory mounted (hostPath),\n"
    "             read-only root file system, no capabilities, no privilege escalation, its own\n"
    "             RuntimeDefault profile, resource limits (docs/k8s.md says why it runs as uid 0)\n"
    "  patch      a strategic-merge patch setting the pod's seccompProfile to Localhost\n"
    "             profiles/NAME.json (where the DaemonSet installs it), or operator/NAME.json\n"
    "             with --operator (where security-profiles-operator installs a SeccompProfile)\n"
    "Give one --name per profile, in order: a Kubernetes object name (lower-case letters,\n"
    "digits, '-', '.'). Objects are YAML documents (default) or JSON (several: a v1 List).\n"
    "\n"
    "options:\n"
    "  -n, --name NAME        the profile's name in the cluster (file NAME.json)\n"
    "  --namespace NS         configmap, daemonset: their namespace (default kube-system)\n"
    "  -o, --output FILE      write to FILE (atomically) instead of standard output\n"
    "  --format yaml|json\n"
    "  --operator             patch: the operator's path operator/NAME.json\n"
    "  --for template|cronjob|pod|securitycontext\n"
    "                         patch: for a workload's pod template (default: Deployment,\n"
    "                         StatefulSet, DaemonSet, ReplicaSet, Job), a CronJob, a Pod, or\n"
    "                         just the securityContext snippet\n"
    "  --object-name NAME     configmap, daemonset: their name (default sysfence-profiles)\n"
    "  --image IMAGE          daemonset: the image holding /usr/local/bin/sysfence (default\n"
    "                         sysfence:VERSION; deploy/ builds it)\n"
    "  --kubelet-root DIR     daemonset: the kubelet's --root-dir (default /var/lib/kubelet)\n"
    "  --resolve              resolve Docker's archMap and includes/excludes first, for\n"
    "                         --arch A, --caps LIST and --kernel X.Y (default: this machine,\n"
    "                         Docker's default capabilities, the running kernel)\n"
    "  --drop-comments        spo: leave the rules' comments out\n"
    "\n"
    "exit status: 0 written, 1 invalid profile or not expressible, 2 usage or I/O error.\n"
    "\n"
    "usage: sysfence k8s install [--root DIR] PROFILE...\n"
    "       sysfence k8s install [--root DIR] --sync DIR [--once] [--interval SECONDS]\n"
    "\n"
    "Validate profiles (as `sysfence check`: errors refuse, warnings do not) and install each\n"
    "as NAME.json (its base name, .json/.yaml/.yml replaced) in the kubelet's seccomp root\n"
    "(default /var/lib/kubelet/seccomp/profiles, created when missing; pods then say\n"
    "localhostProfile: profiles/NAME.json), in its canonical JSON. Each file is written to\n"
    "a temporary file in the same directory, synced and renamed over the old one: a reader\n"
    "sees the old or the new profile, never a part. Nothing is installed unless every\n"
    "profile is valid.\n"
    "\n"
    "--sync DIR keeps the root in step with DIR, typically a mounted ConfigMap (its files\n"
    "are read from one generation of its ..data link): profiles (*.json, *.yaml, *.yml) are\n"
    "added, replaced, and removed when DIR drops them, but only files sync installed itself\n"
    "(listed in the root's .sysfence-installed) are ever replaced or removed; another file\n"
    "of the same name is left alone and reported. A profile that stops validating keeps the\n"
    "version installed before, with its error logged. DIR is watched (inotify) until SIGTERM\n"
    "or SIGINT; every change is logged on standard error, one line each.\n"
    "\n"
    "options:\n"
    "  --root DIR         the directory to install into\n"
    "  --sync DIR         keep the root in step with DIR\n"
    "  --once             with --sync: one pass, then exit\n"
    "  --interval SECONDS with --sync: also sync this often, to repair changes made in the\n"
    "                     root by others (default 60; 0: only on changes of DIR)\n"
    "\n"
    "exit status: 0 done (or stopped by a signal), 1 an invalid profile or a conflict\n"
    "(--once), 2 usage or I/O error.\n"
    "\n"
    "usage: sysfence k8s kubelet-check [FILE] [-o text|json] [--pid PID | --no-proc]\n"
    "\n"
    "Tell whether the node's kubelet gives pods that set no seccompProfile RuntimeDefault\n"
    "(seccompDefault: true) or nothing (false, the default in every release), and where it\n"
    "looks for Localhost profiles (<root-dir>/seccomp; --root-dir is a command-line flag,\n"
    "default /var/lib/kubelet), saying where each value comes from: the KubeletConfiguration\n"
    "FILE (default: the running kubelet's --config, else /var/lib/kubelet/config.yaml), the\n"
    "drop-ins of its --config-dir, or its command line (/proc/PID/cmdline of the process\n"
    "named kubelet), which wins over both.\n"
    "\n"
    "options:\n"
    "  -o, --output-format text|json\n"
    "  --pid PID          read this process's command line as the kubelet's\n"
    "  --no-proc          do not look for a running kubelet: the file alone\n"
    "\n"
    "exit status: 0 read, 1 the kubelet would refuse its configuration, 2 usage error or\n"
    "unreadable file.\n";

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
    {"export", k8s_export},
    {"install", k8s_install},
    {"kubelet-check", k8s_kubelet_check},
};

int cmd_k8s(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("k8s", "no subcommand given (lint, export, install, kubelet-check)");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	return cli_usage("k8s", "unknown subcommand '%s'", argv[1]);
}
