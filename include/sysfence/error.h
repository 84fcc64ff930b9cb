/* sysfence — errors: a code and a message built where the problem was found. */
#ifndef SYSFENCE_ERROR_H
#define SYSFENCE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SF_ERROR_MSG_MAX 1024
#define SF_ERROR_FILE_MAX 256

/*
 * Filled by a failing function. code is a negative errno value (-EINVAL for bad input, -EIO,
 * -ENOMEM, ...); file/line/col locate the problem in the input when known (0 when not).
 */
struct sf_error {
	int code;
	unsigned line, col;
	char file[SF_ERROR_FILE_MAX];
	char msg[SF_ERROR_MSG_MAX];
};

/* Set err (which may be NULL) and return code, so that `return sf_error_set(...)` reads well. */
int sf_error_set(struct sf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sf_error_set_at(struct sf_error *err, int code, const char *file, unsigned line, unsigned col,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int sf_error_vset_at(struct sf_error *err, int code, const char *file, unsigned line, unsigned col,
		     const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* Prepend context ("reading X: ") to an error already set. */
void sf_error_prefix(struct sf_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sf_error_clear(struct sf_error *err);

/* "FILE:LINE:COL: error: MSG" (parts that are unknown are left out), without newline. */
void sf_error_format(const struct sf_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
