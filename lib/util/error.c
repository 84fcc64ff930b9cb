/* struct sf_error: set, prefix, format. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sysfence/error.h>

int sf_error_vset_at(struct sf_error *err, int code, const char *file, unsigned line, unsigned col,
		     const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->line = line;
	err->col = col;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int sf_error_set_at(struct sf_error *err, int code, const char *file, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sf_error_vset_at(err, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

int sf_error_set(struct sf_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sf_error_vset_at(err, code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

void sf_error_prefix(struct sf_error *err, const char *fmt, ...)
{
	char head[SF_ERROR_MSG_MAX], tail[SF_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(tail, err->msg, sizeof(tail));
	/* Both parts are cut to fit: a long context must not hide the message. */
	size_t h = strnlen(head, sizeof(err->msg) / 2), t = strnlen(tail, sizeof(tail));
	if (t > sizeof(err->msg) - 1 - h)
		t = sizeof(err->msg) - 1 - h;
	memcpy(err->msg, head, h);
	memcpy(err->msg + h, tail, t);
	err->msg[h + t] = 0;
}

void sf_error_clear(struct sf_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void sf_error_format(const struct sf_error *err, char *buf, size_t size)
{
	if (!err->file[0])
		snprintf(buf, size, "error: %s", err->msg);
	else if (!err->line)
		snprintf(buf, size, "%s: error: %s", err->file, err->msg);
	else
		snprintf(buf, size, "%s:%u:%u: error: %s", err->file, err->line, err->col, err->msg);
}
