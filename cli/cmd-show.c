/* sysfence show: print a profile canonically, or resolved for an arch, capabilities, kernel. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "caps.h"

const char help_show[] =
	"usage: sysfence show PROFILE [--arch A] [--caps LIST] [--kernel X.Y] [-o json|yaml]\n"
	"                     [--output FILE]\n"
	"\n"
	"Print PROFILE (a file, or '-' for standard input) in canonical form: one key order,\n"
	"names always as \"names\", every argument field written. The same profile always gives\n"
	"the same bytes.\n"
	"\n"
	"With --arch, --caps or --kernel (or --resolve), print it as Docker resolves it for a\n"
	"container: archMap expanded for the architecture, and each rule kept or dropped by its\n"
	"includes/excludes (capabilities, architecture, minimum kernel).\n"
	"\n"
	"options:\n"
	"  --arch A          target architecture (x86_64, amd64, SCMP_ARCH_AARCH64, ...;\n"
	"                    default: this machine's)\n"
	"  --caps LIST       the container's capabilities: CAP_A,CAP_B (exactly these);\n"
	"                    +CAP_A,-CAP_B (Docker's default set plus/minus); 'current' (this\n"
	"                    process's bounding set); 'default' (Docker's default set, the default)\n"
	"  --kernel X.Y      kernel version for minKernel (default: the running kernel)\n"
	"  --resolve         resolve for this machine with Docker's default capabilities\n"
	"  -o, --output-format json|yaml\n"
	"  --output FILE     write to FILE (atomically) instead of standard output\n"
	"\n"
	"exit status: 0 printed, 1 the profile is invalid, 2 usage or I/O error.\n";

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "caps", required_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "resolve", no_argument, NULL, 'r' },
		{ "output-format", required_argument, NULL, 'o' },
		{ "output", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sf_target t = { 0 };
	const char *caps_arg = NULL, *output = NULL;
	bool resolve = false;
	int out = CLI_OUT_JSON, c, status;
	struct cli_caps caps = { 0 };

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			t.arch = optarg;
			resolve = true;
			if (!sf_arch_find(optarg))
				return cli_usage("show", "unknown architecture '%s'", optarg);
			break;
		case 'c':
			caps_arg = optarg;
			resolve = true;
			break;
		case 'k': {
			char tail;
			if (sscanf(optarg, "%u.%u%c", &t.kernel_major, &t.kernel_minor, &tail) != 2)
				return cli_usage("show", "--kernel takes MAJOR.MINOR, not '%s'",
						 optarg);
			resolve = true;
			break;
		}
		case 'r':
			resolve = true;
			break;
		case 'o':
			out = cli_parse_out(optarg, 1u << CLI_OUT_JSON | 1u << CLI_OUT_YAML);
			if (out < 0)
				return cli_usage("show", "-o takes json or yaml, not '%s'", optarg);
			break;
		case 'O':
			output = optarg;
			break;
		case 'h':
			return cli_help("show");
		default:
			return cli_usage("show", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("show", optind >= argc ? "no profile given" : "one profile at a time");
	if (caps_arg && cli_caps_parse("show", caps_arg, &caps) < 0)
		return EXIT_USAGE;
	t.caps = caps_arg ? (const char *const *)caps.names : NULL;

	struct sf_profile *p = NULL, *resolved = NULL;
	struct sf_error err = { 0 };
	struct sf_buf buf = { 0 };
	int r = cli_load_profile("show", argv[optind], &p);
	if (r != EXIT_OK) {
		cli_caps_free(&caps);
		return r;
	}
	if (resolve && sf_profile_resolve(p, &t, &resolved, &err) < 0) {
		cli_print_error(&err);
		status = EXIT_FINDINGS;
		goto out;
	}
	if (sf_profile_write(resolved ? resolved : p, out == CLI_OUT_YAML ? SF_OUT_YAML : SF_OUT_JSON,
			     &buf, &err) < 0) {
		cli_print_error(&err);
		status = EXIT_USAGE;
		goto out;
	}
	status = cli_write_output("show", output, &buf);
out:
	sf_buf_free(&buf);
	sf_profile_free(resolved);
	sf_profile_free(p);
	cli_caps_free(&caps);
	return status;
}
