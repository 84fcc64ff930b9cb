/*
 * The @runtime-default profile's text: generated into runtime-default.c by
 * tools/gen-runtime-default; internal to lib/profile (the public view is sf_profile_builtin).
 */
#ifndef SF_PROFILE_RUNTIME_DEFAULT_H
#define SF_PROFILE_RUNTIME_DEFAULT_H

#include <stddef.h>

/* Docker's default profile in sysfence's canonical compact JSON, unresolved. */
extern const char sf_runtime_default_json[];
extern const size_t sf_runtime_default_json_len;

#endif
