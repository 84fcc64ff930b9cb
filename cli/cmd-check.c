/* sysfence check: read and check profiles; one line per problem, FILE:LINE:COL first. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char help_check[] =
	"usage: sysfence check [--strict] [-o text|json] FILE...\n"
	"\n"
	"Read seccomp profiles (OCI linux.seccomp JSON, Docker's format, YAML, or a\n"
	"security-profiles-operator SeccompProfile object; '-' reads standard input) and report\n"
	"every problem as one line:\n"
	"\n"
	"    FILE:LINE:COL: error|warning: PATH: message (hint)\n"
	"\n"
	"Errors are what runc, crun or the kernel refuse, or what silently changes a profile's\n"
	"meaning (syntax, types, ranges, unknown syscalls/actions/operators/arches, errnoRet on\n"
	"an action that takes none, conflicting rules, duplicate keys). Warnings are questionable\n"
	"but accepted (no architectures, a deny-list default, rules without effect, unknown\n"
	"fields, valueTwo on operators that ignore it).\n"
	"\n"
	"options:\n"
	"  --strict         treat warnings as errors\n"
	"  -o, --output-format text|json\n"
	"                   json prints every finding with stable keys\n"
	"  -q, --quiet      print nothing for valid files\n"
	"\n"
	"exit status: 0 all valid, 1 a problem was found, 2 usage or I/O error.\n";

static int cmp_finding(const void *a, const void *b)
{
	const struct sf_finding *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

static void print_text(const struct sf_findings *f, const char *file, bool strict)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sf_finding *x = &f->v[i];
		const char *sev = x->severity == SF_SEV_ERROR || strict ? "error" : "warning";
		if (x->line)
			fprintf(stderr, "%s:%u:%u: %s: ", file, x->line, x->col, sev);
		else
			fprintf(stderr, "%s: %s: ", file, sev);
		if (x->path[0])
			fprintf(stderr, "%s: ", x->path);
		fprintf(stderr, "%s", x->msg);
		if (x->hint)
			fprintf(stderr, " (%s)", x->hint);
		fputc('\n', stderr);
	}
}

static void json_str_field(struct sf_buf *b, const char *key, const char *v, bool comma)
{
	sf_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (v)
		sf_json_put_string(b, v, strlen(v));
	else
		sf_buf_puts(b, "null");
}

static void print_json(struct sf_buf *b, const struct sf_findings *f, const char *file,
		       bool strict, bool valid, bool first)
{
	sf_buf_puts(b, first ? "\n" : ",\n");
	sf_buf_puts(b, "{");
	json_str_field(b, "file", file, false);
	sf_buf_printf(b, ",\"valid\":%s,\"errors\":%zu,\"warnings\":%zu,\"findings\":[",
		      valid ? "true" : "false", strict ? f->nerrors + f->nwarnings : f->nerrors,
		      strict ? 0 : f->nwarnings);
	for (size_t i = 0; i < f->n; i++) {
		const struct sf_finding *x = &f->v[i];
		sf_buf_puts(b, i ? ",{" : "{");
		json_str_field(b, "severity",
			       x->severity == SF_SEV_ERROR || strict ? "error" : "warning", false);
		sf_buf_printf(b, ",\"line\":%u,\"column\":%u", x->line, x->col);
		json_str_field(b, "path", x->path, true);
		json_str_field(b, "code", x->code, true);
		json_str_field(b, "message", x->msg, true);
		json_str_field(b, "hint", x->hint, true);
		sf_buf_puts(b, "}");
	}
	sf_buf_puts(b, "]}");
}

/* A built-in profile ('@runtime-default') has no file to point into: its findings give only the
 * path in the profile. */
static int check_builtin(const char *name, struct sf_findings *f, size_t *nrules,
			 struct sf_error *err)
{
	struct sf_profile *p = NULL;
	int r = sf_profile_builtin(name, &p, err);

	if (r < 0)
		return r;
	sf_profile_check(p, 0, f);
	/* In the order of the profile, as a file's findings are. */
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
	for (size_t i = 0; i < f->n; i++)
		f->v[i].line = f->v[i].col = 0;
	*nrules = p->nrules;
	sf_profile_free(p);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "output-format", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool strict = false, quiet = false;
	int out = CLI_OUT_TEXT, c, status = EXIT_OK;
	struct sf_buf json = { 0 };

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			strict = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'o':
			out = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (out < 0)
				return cli_usage("check", "-o takes text or json, not '%s'", optarg);
			break;
		case 'h':
			return cli_help("check");
		default:
			return cli_usage("check", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("check", "no profile given");
	if (out == CLI_OUT_JSON)
		sf_buf_puts(&json, "{\"files\":[");

	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		const char *file = strcmp(path, "-") == 0 ? "<stdin>" : path;
		struct sf_findings f;
		struct sf_error err = { 0 };
		int r;

		sf_findings_init(&f, file);
		/* A YAML file may hold several profiles (SPO examples do): each is checked. */
		struct sf_doc *doc = NULL;
		size_t nprofiles = 0, nrules = 0;
		if (path[0] == '@') {
			r = check_builtin(path, &f, &nrules, &err);
			nprofiles = r == 0;
		} else {
			r = sf_doc_read_file(path, SF_DOC_AUTO, SF_DOC_MULTI, &doc, &err);
		}
		if (r < 0) {
			/* Nothing could be read: I/O problems are usage-level, syntax is a finding. */
			if (r != -EINVAL && r != -EILSEQ) {
				cli_print_error(&err);
				if (out == CLI_OUT_JSON) {
					struct sf_findings io;
					sf_findings_init(&io, file);
					sf_findings_add(&io, SF_SEV_ERROR, NULL, "", "io", NULL, "%s",
							err.msg);
					print_json(&json, &io, file, strict, false, i == optind);
					sf_findings_clear(&io);
				}
				sf_findings_clear(&f);
				status = EXIT_USAGE;
				continue;
			}
			struct sf_node at = { .line = err.line, .col = err.col };
			sf_findings_add(&f, SF_SEV_ERROR, &at, "", "syntax", NULL, "%s", err.msg);
		} else if (doc && doc->nroots == 0) {
			sf_findings_add(&f, SF_SEV_ERROR, NULL, "", "empty", NULL,
					"empty document: no profile");
		}
		for (size_t d = 0; doc && d < doc->nroots; d++) {
			struct sf_profile *p = NULL;
			sf_profile_from_node(doc, doc->roots[d], &f, &p, &err);
			if (p) {
				sf_profile_check(p, 0, &f);
				nprofiles++;
				nrules += p->nrules;
			}
			sf_profile_free(p);
		}
		sf_doc_free(doc);
		if (f.n && path[0] != '@')
			qsort(f.v, f.n, sizeof(*f.v), cmp_finding);
		bool valid = f.nerrors == 0 && (!strict || f.nwarnings == 0);
		if (out == CLI_OUT_JSON) {
			print_json(&json, &f, file, strict, valid, i == optind);
		} else {
			print_text(&f, file, strict);
			if (valid && !quiet && nprofiles > 1)
				printf("%s: ok (%zu profiles, %zu rules%s)\n", file, nprofiles, nrules,
				       f.nwarnings ? ", with warnings" : "");
			else if (valid && !quiet)
				printf("%s: ok (%zu rule%s%s)\n", file, nrules, nrules == 1 ? "" : "s",
				       f.nwarnings ? ", with warnings" : "");
		}
		if (!valid && status == EXIT_OK)
			status = EXIT_FINDINGS;
		sf_findings_clear(&f);
	}
	if (out == CLI_OUT_JSON) {
		sf_buf_puts(&json, "\n]}\n");
		if (cli_write_output("check", NULL, &json) != EXIT_OK)
			status = EXIT_USAGE;
		sf_buf_free(&json);
	}
	return status;
}
