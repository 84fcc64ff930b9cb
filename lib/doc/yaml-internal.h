/* Shared by the YAML reader and writer: how a plain (unquoted) scalar resolves. */
#ifndef SF_YAML_INTERNAL_H
#define SF_YAML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <sysfence/doc.h>

/*
 * The kind a plain scalar takes under the YAML 1.2 core schema: NULL, BOOL, NUMBER (integers in
 * decimal, 0x.. and 0o.. forms, floats, .inf and .nan) or STRING for everything else.
 */
enum sf_node_kind sf_yaml_resolve_plain(const char *s, size_t len);
bool sf_yaml_is_int(const char *s, size_t len);
bool sf_yaml_is_float(const char *s, size_t len);

#endif
