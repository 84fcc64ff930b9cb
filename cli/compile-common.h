/* What compile, emulate and diff share: reading a profile for a target and compiling it. */
#ifndef SF_CLI_COMPILE_COMMON_H
#define SF_CLI_COMPILE_COMMON_H

#include <getopt.h>

#include "caps.h"
#include "cli.h"

struct target_opts {
	const struct sf_arch *arches[32];
	size_t narches;
	/* The machine Docker's includes/excludes and archMap are resolved for: the first
	 * --arch when cross-compiling; the native arch when --arch names a calling ABI. */
	bool arch_is_abi;
	const char *caps_arg;
	unsigned kernel_major, kernel_minor;
	struct sf_compile_opts copts;
	double *freq; /* --frequency: calls per native syscall number (owned) */
};

/* Options every compiling command takes (long options only): --arch --caps --kernel
 * --bad-arch --runc-compat --strict --no-verify --frequency. */
#define TARGET_LONG_OPTIONS                                                                    \
	{ "arch", required_argument, NULL, 0x100 }, { "caps", required_argument, NULL, 0x101 }, \
		{ "kernel", required_argument, NULL, 0x102 },                                   \
		{ "bad-arch", required_argument, NULL, 0x103 },                                 \
		{ "runc-compat", no_argument, NULL, 0x104 },                                    \
		{ "strict", no_argument, NULL, 0x105 }, { "no-verify", no_argument, NULL, 0x106 }, \
		{ "frequency", required_argument, NULL, 0x107 }

/* Handle one of those options: 1 handled, 0 not ours, -1 usage error (printed). */
int target_option(const char *cmd, int c, const char *arg, struct target_opts *t);

/* Read PATH (a file, '-', or a built-in '@name'), resolve it as Docker would for the target,
 * and return the resolved profile. Prints errors; returns an exit status. */
int target_load(const char *cmd, const char *path, struct target_opts *t,
		struct sf_profile **out);

/* Compile a resolved profile for the target; warnings printed. Returns an exit status. */
int target_compile(const char *cmd, const struct sf_profile *p, struct target_opts *t,
		   struct sf_prog *out);
int target_policy(const char *cmd, const struct sf_profile *p, struct target_opts *t,
		  struct sf_policy **out);

#endif
