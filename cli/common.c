/* Helpers shared by the subcommands: messages, usage, output files, -o. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "sysfence %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_error(const struct sf_error *err)
{
	char buf[SF_ERROR_MSG_MAX + SF_ERROR_FILE_MAX + 64];
	sf_error_format(err, buf, sizeof(buf));
	fprintf(stderr, "%s\n", buf);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "sysfence %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sysfence %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_help(const char *name)
{
	const struct cli_cmd *c = cli_find(name);
	if (c)
		fputs(c->help, stdout);
	return EXIT_OK;
}

int cli_write_output(const char *cmd, const char *path, const struct sf_buf *buf)
{
	if (buf->oom) {
		cli_err(cmd, "out of memory while writing output");
		return EXIT_USAGE;
	}
	if (!path || strcmp(path, "-") == 0) {
		int r = sf_write_all(STDOUT_FILENO, buf->data ? buf->data : "", buf->len);
		if (r < 0) {
			cli_err(cmd, "cannot write to standard output: %s", strerror(-r));
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	/* A device or a FIFO (/dev/null, /dev/stdout, a pipe) is written as it is: renaming over
	 * it would replace it with a file. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		int r = fd < 0 ? -errno : sf_write_all(fd, buf->data ? buf->data : "", buf->len);
		if (fd >= 0 && close(fd) < 0 && r == 0)
			r = -errno;
		if (r < 0) {
			cli_err(cmd, "cannot write %s: %s", path, strerror(-r));
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	/* A regular file is written beside itself and renamed: a reader never sees half a file.
	 * A symlink is written through, as editors do, not replaced by a file. */
	char *real = realpath(path, NULL);
	if (real)
		path = real;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp) {
		cli_err(cmd, "out of memory");
		free(real);
		return EXIT_USAGE;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	int fd = mkostemp(tmp, O_CLOEXEC);
	int r = fd < 0 ? -errno : 0;
	if (r == 0)
		r = sf_write_all(fd, buf->data ? buf->data : "", buf->len);
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		if (fd >= 0)
			unlink(tmp);
		cli_err(cmd, "cannot write %s: %s", path, strerror(-r));
	}
	free(tmp);
	free(real);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

int cli_parse_out(const char *arg, unsigned allowed)
{
	static const char *const names[] = { "text", "json", "yaml" };
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0 && (allowed & (1u << i)))
			return i;
	return -1;
}

/* execvp's search, done before a filter is loaded, so that errors can still be told. */
int cli_find_command(const char *cmd, char *out, size_t size)
{
	if (strchr(cmd, '/')) {
		snprintf(out, size, "%s", cmd);
		if (access(out, F_OK) < 0)
			return EXIT_NOTFOUND;
		struct stat st;
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return EXIT_NOEXEC;
		return access(out, X_OK) < 0 ? EXIT_NOEXEC : 0;
	}
	const char *path = getenv("PATH");
	bool seen = false;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);
		snprintf(out, size, "%.*s%s%s", n, p, n ? "/" : "", cmd);
		struct stat st;
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			seen = true;
		}
		if (!*end)
			break;
		p = end;
	}
	return seen ? EXIT_NOEXEC : EXIT_NOTFOUND;
}

int cli_exec_status(int e)
{
	return e == ENOENT || e == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

int cli_wait_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_RUNNER;
}

