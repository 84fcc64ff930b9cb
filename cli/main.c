/* sysfence: the command table and dispatch, git-style (`sysfence CMD [ARGS]`). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cli_cmd cli_cmds[] = {
	{ "check", cmd_check, "check profiles; errors point at FILE:LINE:COL", help_check },
	{ "show", cmd_show, "print a profile canonically, resolved for an arch/caps/kernel",
	  help_show },
	{ "resolve", cmd_resolve, "syscall name <-> number, for any architecture", help_resolve },
	{ "compile", cmd_compile, "compile a profile into a verified seccomp BPF program",
	  help_compile },
	{ "run", cmd_run, "run a command under a profile; --explain reports every refusal",
	  help_run },
	{ "emulate", cmd_emulate, "run a profile's program on a syscall, or on all of them",
	  help_emulate },
	{ "diff", cmd_diff, "the difference in meaning between two profiles", help_diff },
	{ "k8s", cmd_k8s, "Kubernetes: lint manifests, export and install profiles, kubelet-check",
	  help_k8s },
	{ "record", cmd_record, "record what a command calls, as a minimal profile", help_record },
	{ "merge", cmd_merge, "the union of allowlist profiles (recordings of several runs)",
	  help_merge },
	{ "explain", cmd_explain, "decode seccomp audit records from logs", help_explain },
	{ "status", cmd_status, "what confines a live process: seccomp, caps, namespaces, container",
	  help_status },
	{ "dump", cmd_dump, "a live process's seccomp filters back into a verified profile",
	  help_dump },
	{ "disasm", cmd_disasm, "disassemble a raw seccomp BPF program", help_disasm },
	{ "help", cmd_help, "show help for sysfence or a command", help_help },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sysfence [--version] [--help] COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "   %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'sysfence help COMMAND' or 'sysfence COMMAND --help' tells more.\n");
}

const char help_help[] = "usage: sysfence help [COMMAND]\n"
			 "\n"
			 "Print the list of commands, or the help of COMMAND.\n";

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!cli_find(argv[1]))
		return cli_usage("help", "unknown command '%s'", argv[1]);
	return cli_help(argv[1]);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("sysfence %s\n", sf_version());
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "sysfence: '%s' is not a sysfence command.\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cli_help(cmd->name);
	}
	return cmd->run(argc - 1, argv + 1);
}
