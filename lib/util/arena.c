/* The arena allocator, growable vectors and small string helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "util.h"

struct sf_chunk {
	struct sf_chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct sf_arena {
	struct sf_chunk *head;
	size_t total;
};

#define SF_CHUNK_MIN (64 * 1024 - sizeof(struct sf_chunk) - 64)

struct sf_arena *sf_arena_new(void)
{
	return calloc(1, sizeof(struct sf_arena));
}

void sf_arena_free(struct sf_arena *a)
{
	if (!a)
		return;
	for (struct sf_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *sf_arena_alloc(struct sf_arena *a, size_t size)
{
	struct sf_chunk *c = a->head;

	size = (size + 7) & ~(size_t)7;
	if (size == 0)
		size = 8;
	if (!c || c->size - c->used < size) {
		size_t want = size > SF_CHUNK_MIN ? size : SF_CHUNK_MIN;
		c = malloc(sizeof(*c) + want);
		if (!c)
			return NULL;
		c->size = want;
		c->used = 0;
		/* A large block gets its own chunk behind the head, so the head keeps its space. */
		if (a->head && want == size && a->head->size - a->head->used > 256) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->total += sizeof(*c) + want;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *sf_arena_strndup(struct sf_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = sf_arena_alloc(a, n + 1);
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *sf_arena_strdup(struct sf_arena *a, const char *s)
{
	return s ? sf_arena_strndup(a, s, strlen(s)) : NULL;
}

void *sf_arena_memdup(struct sf_arena *a, const void *src, size_t n)
{
	void *p = sf_arena_alloc(a, n);
	if (p && n)
		memcpy(p, src, n);
	return p;
}

void *sf_arena_grow(struct sf_arena *a, void *old, size_t n, size_t want, size_t size)
{
	size_t cap = n ? n : 4, bytes;

	while (cap < want)
		cap *= 2;
	if (sf_mul_overflow(cap, size, &bytes))
		return NULL;
	void *p = sf_arena_alloc(a, bytes);
	if (p && n)
		memcpy(p, old, n * size);
	return p;
}

size_t sf_arena_size(const struct sf_arena *a)
{
	return a ? a->total : 0;
}

int sf_vec_push(struct sf_vec *vec, void *item)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		void **v = reallocarray(vec->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = item;
	return 0;
}

void sf_vec_free(struct sf_vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

unsigned sf_edit_distance(const char *a, const char *b, unsigned max)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (lb >= SF_ARRAY_SIZE(row) || la >= 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0], best;
		row[0] = (unsigned)i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned sub = prev + (a[i - 1] != b[j - 1]);
			unsigned v = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = v < sub ? v : sub;
			prev = cur;
			if (row[j] < best)
				best = row[j];
		}
		if (best > max)
			return max + 1;
	}
	return row[lb] > max ? max + 1 : row[lb];
}

bool sf_streq_icase(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

char *sf_strdup_printf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}
