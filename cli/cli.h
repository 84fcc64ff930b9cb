/* The command-line layer: the command table, and helpers every subcommand uses. */
#ifndef SF_CLI_H
#define SF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <sysfence/sysfence.h>

/* Exit statuses (see sysfence(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* invalid input, findings, denied, differs */
	EXIT_USAGE = 2,	   /* usage or I/O error */
	/* run and record, as shells and podman: */
	EXIT_RUNNER = 125,   /* sysfence itself failed; the command did not run */
	EXIT_NOEXEC = 126,   /* the command cannot be executed */
	EXIT_NOTFOUND = 127, /* the command was not found */
};

/* Commands run under a filter: find CMD as execvp would (0, EXIT_NOEXEC, EXIT_NOTFOUND);
 * the exit status for an exec errno; a wait status as a shell reports it (128+N). */
int cli_find_command(const char *cmd, char *out, size_t size);
int cli_exec_status(int e);
int cli_wait_status(int st);

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;		   /* one line for `sysfence help` */
	const char *help;		   /* the full text for `sysfence help CMD` / `CMD --help` */
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);

/* Print "sysfence CMD: message" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print an sf_error as "FILE:LINE:COL: error: message". */
void cli_print_error(const struct sf_error *err);
/* Usage error: message, a pointer to --help, returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the command's help text to stdout; returns EXIT_OK. */
int cli_help(const char *cmd);
/* Write a buffer to a file ("-" or NULL = stdout) atomically; prints errors; 0 or EXIT_USAGE. */
int cli_write_output(const char *cmd, const char *path, const struct sf_buf *buf);

/* -o text|json|yaml */
enum cli_out {
	CLI_OUT_TEXT,
	CLI_OUT_JSON,
	CLI_OUT_YAML,
};
/* Parse an -o argument; allowed is a mask of (1 << CLI_OUT_*). Returns -1 when not allowed. */
int cli_parse_out(const char *arg, unsigned allowed);

/* Subcommands: one file each, cli/cmd-NAME.c. */
int cmd_help(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_explain(int argc, char **argv); extern const char help_explain[];
int cmd_k8s(int argc, char **argv); extern const char help_k8s[]; /* cli/cmd-k8s.c */
int cmd_record(int argc, char **argv); extern const char help_record[]; /* cli/cmd-record.c */
int cmd_merge(int argc, char **argv); extern const char help_merge[]; /* cli/cmd-merge.c */

/* cli/cmd-run.c, for record --verify: run argv (found at path) under p as run --explain does
 * (refusals reported on stderr, a summary at exit); *unexpected counts the refused calls not
 * named in expected (NULL-terminated, or NULL). Returns the exit status run would. */
int run_explained(const struct sf_profile *p, const char *path, char **argv,
		  const char *const *expected, size_t *unexpected);
int cmd_status(int argc, char **argv); extern const char help_status[]; /* cli/cmd-status.c */
int cmd_dump(int argc, char **argv); extern const char help_dump[]; /* cli/cmd-dump.c */

extern const char help_help[], help_check[], help_show[], help_resolve[], help_disasm[],
	help_compile[], help_emulate[], help_diff[], help_run[];

#endif
