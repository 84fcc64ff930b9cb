/* Capability lists on the command line, and loading a profile the way every command does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "caps.h"
#include "cli.h"

static int add(struct cli_caps *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0)
			return 0;
	char **v = realloc(c->names, (c->n + 2) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->names = v;
	if (!(v[c->n] = strdup(name)))
		return -ENOMEM;
	v[++c->n] = NULL;
	return 0;
}

static void del(struct cli_caps *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0) {
			free(c->names[i]);
			memmove(&c->names[i], &c->names[i + 1], (c->n - i) * sizeof(char *));
			c->n--;
			return;
		}
}

void cli_caps_free(struct cli_caps *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	c->names = NULL;
	c->n = 0;
}

int cli_caps_parse(const char *cmd, const char *arg, struct cli_caps *out)
{
	char *copy = strdup(arg), *save = NULL;
	bool relative = arg[0] == '+' || arg[0] == '-';
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -1;
	/* An empty set is a valid answer ("no capabilities"), so start from a terminated list. */
	out->names = calloc(1, sizeof(char *));
	if (!out->names)
		r = -ENOMEM;
	if (r == 0 && strcmp(arg, "current") == 0) {
		for (unsigned cap = 0; cap < sf_cap_count() && r == 0; cap++)
			if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
				r = add(out, sf_cap_name(cap));
		goto done;
	}
	if (r == 0 && (relative || strcmp(arg, "default") == 0))
		for (const char *const *d = sf_docker_default_caps; *d && r == 0; d++)
			r = add(out, *d);
	if (strcmp(arg, "default") == 0)
		goto done;
	for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save)) {
		char sign = 0;
		if (*tok == '+' || *tok == '-')
			sign = *tok++;
		if ((sign != 0) != relative) {
			cli_usage(cmd, "--caps: mix of +/- and plain names in '%s'", arg);
			r = -1;
			break;
		}
		int cap = sf_cap_from_name(tok);
		if (cap < 0) {
			cli_usage(cmd, "--caps: unknown capability '%s'", tok);
			r = -1;
			break;
		}
		if (sign == '-')
			del(out, sf_cap_name((unsigned)cap));
		else
			r = add(out, sf_cap_name((unsigned)cap));
	}
done:
	free(copy);
	if (r < 0) {
		if (r == -ENOMEM)
			cli_err(cmd, "out of memory");
		cli_caps_free(out);
		return -1;
	}
	return 0;
}

int cli_load_profile(const char *cmd, const char *path, struct sf_profile **out)
{
	return cli_load_profile_lenient(cmd, path, true, out);
}

int cli_load_profile_lenient(const char *cmd, const char *path, bool strict,
			     struct sf_profile **out)
{
	struct sf_findings f;
	struct sf_error err = { 0 };
	struct sf_profile *p = NULL;
	int r;

	*out = NULL;
	sf_findings_init(&f, path);
	/* '@name' is a built-in profile (@runtime-default): checked below like a file. */
	if (path[0] == '@')
		r = sf_profile_builtin(path, &p, &err);
	else
		r = sf_profile_read(path, SF_DOC_AUTO, &f, &p, &err);
	/* Built-ins are checked by the unit tests; every `run` would pay to check them again. */
	if (p && path[0] != '@') {
		/* Reading and checking both add errors: report the first in the file. */
		sf_profile_check(p, 0, &f);
		for (size_t i = 0; !strict && i < f.n; i++)
			if (f.v[i].severity == SF_SEV_ERROR &&
			    strcmp(f.v[i].code, "unknown-syscall") == 0) {
				f.v[i].severity = SF_SEV_WARNING;
				f.nerrors--;
				fprintf(stderr, "%s:%u:%u: warning: %s: %s (%s); skipped\n", f.file,
					f.v[i].line, f.v[i].col, f.v[i].path, f.v[i].msg,
					f.v[i].hint ? f.v[i].hint : "");
			}
		if (f.nerrors) {
			/* The first error in the file is the one to fix first. */
			struct sf_finding *x = NULL;
			for (size_t i = 0; i < f.n; i++) {
				struct sf_finding *y = &f.v[i];
				if (y->severity == SF_SEV_ERROR &&
				    (!x || y->line < x->line || (y->line == x->line && y->col < x->col)))
					x = y;
			}
			if (x) {
				sf_error_set_at(&err, -EINVAL, f.file, x->line, x->col, "%s%s%s%s%s%s",
						x->path, x->path[0] ? ": " : "", x->msg,
						x->hint ? " (" : "", x->hint ? x->hint : "",
						x->hint ? ")" : "");
			}
			r = -EINVAL;
		}
	}
	sf_findings_clear(&f);
	if (r < 0) {
		cli_print_error(&err);
		if (r == -EINVAL)
			fprintf(stderr, "(run 'sysfence check %s' for every problem)\n", path);
		else if (r == -ENOENT && path[0] == '@')
			fprintf(stderr, "(for a file of that name, write ./%s)\n", path);
		sf_profile_free(p);
		return r == -EINVAL || r == -EILSEQ ? EXIT_FINDINGS : EXIT_USAGE;
	}
	*out = p;
	return EXIT_OK;
}
