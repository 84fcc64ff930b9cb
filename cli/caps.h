/* --caps LIST for the commands that resolve Docker's includes/excludes. */
#ifndef SF_CLI_CAPS_H
#define SF_CLI_CAPS_H

#include <stdbool.h>

struct cli_caps {
	char **names; /* NULL-terminated, malloc'd */
	unsigned n;
};

/* "CAP_A,CAP_B" | "+CAP_A,-CAP_B" (relative to Docker's default) | "current" | "default".
 * Prints the problem and returns -1 on a bad list. */
int cli_caps_parse(const char *cmd, const char *arg, struct cli_caps *out);
void cli_caps_free(struct cli_caps *c);

/* Read and validate a profile file (errors printed as FILE:LINE:COL lines): EXIT_OK, or the
 * exit status to return (1 invalid, 2 I/O). */
struct sf_profile;
int cli_load_profile(const char *cmd, const char *path, struct sf_profile **out);
/* The same, where unknown syscall names are warnings (runc and crun skip them) unless strict. */
int cli_load_profile_lenient(const char *cmd, const char *path, bool strict,
			     struct sf_profile **out);

#endif
