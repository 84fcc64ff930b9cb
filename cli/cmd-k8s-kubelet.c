/* sysfence k8s kubelet-check: the node's seccompDefault and seccomp directory, and why. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/k8s.h>

#include "cli.h"
#include "cmd-k8s.h"

#define CMD "k8s kubelet-check"

static void print_setting(const char *label, const char *value, const struct sf_k8s_setting *s)
{
	printf("%-18s %s (%s%s%s)\n", label, value, sf_k8s_origin_name(s->from),
	       s->where ? ": " : "", s->where ? s->where : "");
}

static void print_text(const struct sf_k8s_kubelet *k, bool looked)
{
	if (k->pid)
		printf("%-18s pid %d, %s\n", "kubelet:", k->pid,
		       k->exe && k->exe[0] ? k->exe : "?");
	else
		printf("%-18s %s\n",
		       "kubelet:", looked ? "none running" : "not looked for (--no-proc)");
	if (k->config)
		printf("%-18s %s (%s)\n", "config file:", k->config,
		       k->config_from == SF_K8S_FROM_FLAG	? "the kubelet's --config"
		       : k->config_from == SF_K8S_FROM_ARGUMENT ? "argument"
								: "default");
	else
		printf("%-18s none\n", "config file:");
	print_setting("seccompDefault:", k->seccomp_default ? "true" : "false",
		      &k->seccomp_default_set);
	if (k->file_seccomp_default >= 0 && k->seccomp_default_set.from == SF_K8S_FROM_FLAG &&
	    k->file_seccomp_default != (int)k->seccomp_default)
		printf("%-18s (the files say %s; the command line wins)\n", "",
		       k->file_seccomp_default ? "true" : "false");
	if (k->gate >= 0)
		print_setting(
		    "feature gate:", k->gate ? "SeccompDefault=true" : "SeccompDefault=false",
		    &k->gate_set);
	print_setting("root directory:", k->root_dir ? k->root_dir : "?", &k->root_dir_set);
	print_setting("seccomp directory:", k->seccomp_dir ? k->seccomp_dir : "?",
		      &k->seccomp_dir_set);
	for (size_t i = 0; i < k->nnotes; i++)
		printf("note: %s\n", k->notes[i]);
}

int k8s_kubelet_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output-format", required_argument, NULL, 'o'},
	    {"pid", required_argument, NULL, 'p'},
	    {"no-proc", no_argument, NULL, 'n'},
	    {"proc", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sf_k8s_kubelet_opts o = {0};
	struct sf_k8s_kubelet k;
	struct sf_error err = {0};
	int fmt = CLI_OUT_TEXT, c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			fmt = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (fmt < 0)
				return cli_usage(CMD, "-o takes text or json, not '%s'", optarg);
			break;
		case 'p': {
			char *end;
			long pid = strtol(optarg, &end, 10);
			if (*end || !*optarg || pid <= 0 || pid > 0x3fffffff)
				return cli_usage(CMD, "--pid takes a process id, not '%s'", optarg);
			o.pid = (int)pid;
			break;
		}
		case 'n':
			o.pid = -1;
			break;
		case 'P':
			o.proc = optarg;
			break;
		case 'h':
			return cli_help("k8s");
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage(CMD, "one configuration file at most");
	if (optind < argc)
		o.config = argv[optind];
	if (sf_k8s_kubelet_check(&o, &k, &err) < 0) {
		if (err.file[0] || err.line)
			cli_print_error(&err);
		else
			cli_err(CMD, "%s", err.msg);
		if (err.code == -ENOENT && !o.config && o.pid <= 0)
			fprintf(stderr,
				"(no kubelet runs here and %s does not exist: give the "
				"configuration file)\n",
				SF_K8S_DEFAULT_KUBELET_CONFIG);
		sf_k8s_kubelet_clear(&k);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < k.nerrors; i++)
		fprintf(stderr, "%s\n", k.errors[i]);
	if (fmt == CLI_OUT_JSON) {
		struct sf_buf out = {0};
		if (sf_k8s_kubelet_write_json(&k, &out) < 0 ||
		    cli_write_output(CMD, NULL, &out) != EXIT_OK)
			status = EXIT_USAGE;
		sf_buf_free(&out);
	} else {
		print_text(&k, o.pid >= 0);
		fflush(stdout);
	}
	if (status == EXIT_OK && k.nerrors)
		status = EXIT_FINDINGS;
	sf_k8s_kubelet_clear(&k);
	return status;
}
