/* Internal helpers shared by every area of the library: arena, vectors, strings. */
#ifndef SF_UTIL_H
#define SF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/doc.h>
#include <sysfence/error.h>

#define SF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void sf_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(sf_freep)

/*
 * A bump allocator: everything a document or profile holds lives in one arena and goes with it.
 * Allocations are 8-byte aligned and zeroed. NULL on allocation failure.
 */
struct sf_arena;
struct sf_arena *sf_arena_new(void);
void sf_arena_free(struct sf_arena *a);
void *sf_arena_alloc(struct sf_arena *a, size_t size);
/* Copy n bytes and add a NUL. */
char *sf_arena_strndup(struct sf_arena *a, const char *s, size_t n);
char *sf_arena_strdup(struct sf_arena *a, const char *s);
void *sf_arena_memdup(struct sf_arena *a, const void *p, size_t n);
/* Grow an array held in the arena from n to at least want elements of size (old block is left). */
void *sf_arena_grow(struct sf_arena *a, void *old, size_t n, size_t want, size_t size);
/* Bytes the arena holds (for memory measurements). */
size_t sf_arena_size(const struct sf_arena *a);

/* A growable pointer vector on the heap. */
struct sf_vec {
	void **v;
	size_t n, cap;
};
int sf_vec_push(struct sf_vec *vec, void *item);
void sf_vec_free(struct sf_vec *vec);

/* Overflow-checked size arithmetic. */
static inline bool sf_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

/* Levenshtein distance, capped: returns max+1 when it is larger than max. */
unsigned sf_edit_distance(const char *a, const char *b, unsigned max);

bool sf_streq_icase(const char *a, const char *b);
/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or beyond
 * U+10FFFF), or 0 when it is not valid. */
size_t sf_utf8_len(const unsigned char *s, const unsigned char *end);
char *sf_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
