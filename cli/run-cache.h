/* sysfence run's cache of verified programs (as crun caches compiled filters). */
#ifndef SF_CLI_RUN_CACHE_H
#define SF_CLI_RUN_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <sysfence/bpf.h>
#include <sysfence/doc.h>

/*
 * The key is everything the program depends on: this sysfence binary, the native arch, the
 * running kernel (minKernel), the options, and the profile's bytes (or built-in name). A hit
 * compares the whole key, not a hash of it, and validates the program before use.
 */
struct run_cache {
	char dir[4096];
	bool usable;
	struct sf_buf key;
	char file[4200];
};

/* Set up: the directory (created 0700, ours, not writable by others) and the key. */
void run_cache_init(struct run_cache *c, const char *profile_path, const char *options);
/* A cached program for the key and its load flags: true on a hit. */
bool run_cache_get(struct run_cache *c, struct sf_prog *prog, unsigned *flags);
/* Store a verified program (errors are ignored: the cache only saves time). */
void run_cache_put(struct run_cache *c, const struct sf_prog *prog, unsigned flags);
void run_cache_free(struct run_cache *c);

#endif
