/* sysfence diff: the difference in meaning between two profiles, decided by emulation. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compile-common.h"

const char help_diff[] =
	"usage: sysfence diff A B [--arch A,...] [--caps LIST] [--kernel X.Y] [-o text|json]\n"
	"\n"
	"Print what B allows, refuses or does differently from A: per architecture, each syscall\n"
	"whose outcome differs (both outcomes shown) and, for syscalls with argument rules, the\n"
	"argument values on which they differ. Decided exactly, by the verifier's method: both\n"
	"profiles' meanings are evaluated on every syscall number and on the boundary values of\n"
	"every argument condition of either. Profiles that differ only in order, grouping of\n"
	"names, or spelling of equivalent conditions mean the same.\n"
	"\n"
	"The summary counts syscalls: +N that B allows and A does not, -N that A allows and B\n"
	"does not, N changed (another difference, or a difference for some arguments only).\n"
	"Numbers that name no syscall of the ABI are listed apart (JSON kind \"no-syscall\") and\n"
	"not counted.\n"
	"\n"
	"options:\n"
	"  --arch A,...   compare for these ABIs (default: this machine's and both profiles')\n"
	"  -o, --output-format text|json\n"
	"  (and compile's --caps, --kernel, --bad-arch, --runc-compat)\n"
	"\n"
	"exit status: 0 same meaning, 1 they differ, 2 usage or I/O error (or an invalid profile).\n";

struct delta {
	struct seccomp_data d;
	uint32_t a, b;
};

/* How many inputs were tried per (arch, number): a number differs "outright" only when every
 * input tried for it differs the same way. */
struct tried {
	uint32_t arch, nr;
	size_t n;
	bool used;
};

struct dctx {
	const struct sf_policy *pa, *pb;
	struct delta *v;
	size_t n, cap;
	struct tried *t;
	size_t tcap, tn;
	int oom;
};

static struct tried *tried_slot(struct dctx *c, uint32_t arch, uint32_t nr)
{
	if (c->tn * 2 >= c->tcap) {
		size_t cap = c->tcap ? c->tcap * 2 : 4096;
		struct tried *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t i = 0; i < c->tcap; i++) {
			if (!c->t[i].used)
				continue;
			size_t h = (c->t[i].arch * 31u + c->t[i].nr * 0x9e3779b1u) & (cap - 1);
			while (t[h].used)
				h = (h + 1) & (cap - 1);
			t[h] = c->t[i];
		}
		free(c->t);
		c->t = t;
		c->tcap = cap;
	}
	size_t h = (arch * 31u + nr * 0x9e3779b1u) & (c->tcap - 1);
	while (c->t[h].used && (c->t[h].arch != arch || c->t[h].nr != nr))
		h = (h + 1) & (c->tcap - 1);
	if (!c->t[h].used) {
		c->t[h] = (struct tried){ .arch = arch, .nr = nr, .used = true };
		c->tn++;
	}
	return &c->t[h];
}

static int on_vector(const struct seccomp_data *d, void *p)
{
	struct dctx *c = p;
	uint32_t a = sf_policy_eval(c->pa, d), b = sf_policy_eval(c->pb, d);
	struct tried *t = tried_slot(c, d->arch, (uint32_t)d->nr);
	if (!t)
		return c->oom = -ENOMEM;
	/* Vectors can repeat across the two policies' sets: keep each input once. */
	for (size_t i = c->n; i-- > 0 && i + 64 > c->n;)
		if (memcmp(&c->v[i].d, d, sizeof(*d)) == 0)
			return 0;
	t->n++;
	if (a == b)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct delta *v = reallocarray(c->v, cap, sizeof(*v));
		if (!v)
			return c->oom = -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct delta){ .d = *d, .a = a, .b = b };
	return 0;
}

static int cmp_delta(const void *x, const void *y)
{
	const struct delta *a = x, *b = y;
	if (a->d.arch != b->d.arch)
		return a->d.arch < b->d.arch ? -1 : 1;
	if ((uint32_t)a->d.nr != (uint32_t)b->d.nr)
		return (uint32_t)a->d.nr < (uint32_t)b->d.nr ? -1 : 1;
	return memcmp(a->d.args, b->d.args, sizeof(a->d.args));
}

/* The name of a number in a section that may hold x32 too. */
static const char *nr_name(const struct sf_arch *arch, uint32_t nr, const char **abi)
{
	*abi = arch ? arch->name : "other";
	if (!arch)
		return NULL;
	if (strcmp(arch->name, "x86_64") == 0 && (nr & 0x40000000u) && nr != 0xffffffffu) {
		const char *n = sf_syscall_name(sf_arch_find("x32"), nr);
		if (n)
			*abi = "x32";
		return n;
	}
	return sf_syscall_name(arch, nr);
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output-format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		TARGET_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct target_opts t = { 0 };
	int out = CLI_OUT_TEXT, c, r;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		int k = target_option("diff", c, optarg, &t);
		if (k < 0)
			return EXIT_USAGE;
		if (k)
			continue;
		switch (c) {
		case 'o':
			out = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (out < 0)
				return cli_usage("diff", "-o takes text or json");
			break;
		case 'h':
			return cli_help("diff");
		default:
			return cli_usage("diff", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage("diff", "give two profiles");
	struct sf_profile *a = NULL, *b = NULL;
	struct sf_policy *pa = NULL, *pb = NULL;
	struct dctx ctx = { 0 };
	struct sf_buf buf = { 0 };
	r = target_load("diff", argv[optind], &t, &a);
	if (r == EXIT_OK)
		r = target_load("diff", argv[optind + 1], &t, &b);
	if (r != EXIT_OK) {
		r = EXIT_USAGE;
		goto out;
	}
	/* Both are compared on the same ABIs: this machine's and both profiles' lists. */
	if (!t.narches) {
		struct sf_policy *probe;
		for (int k = 0; k < 2; k++) {
			struct target_opts tk = t;
			if (target_policy("diff", k ? b : a, &tk, &probe) != EXIT_OK) {
				r = EXIT_USAGE;
				goto out;
			}
			for (size_t i = 0; i < sf_policy_narches(probe); i++) {
				const struct sf_arch *x = sf_policy_arch(probe, i);
				bool dup = false;
				for (size_t j = 0; j < t.narches; j++)
					dup |= t.arches[j] == x;
				if (!dup && t.narches < 31)
					t.arches[t.narches++] = x;
			}
			sf_policy_free(probe);
			const struct sf_profile *pp = k ? b : a;
			for (size_t i = 0; i < pp->narchitectures; i++) {
				const struct sf_arch *x = sf_arch_find(pp->architectures[i]);
				bool dup = false;
				for (size_t j = 0; x && j < t.narches; j++)
					dup |= t.arches[j] == x;
				if (x && !dup && t.narches < 31)
					t.arches[t.narches++] = x;
			}
		}
	}
	if (target_policy("diff", a, &t, &pa) != EXIT_OK ||
	    target_policy("diff", b, &t, &pb) != EXIT_OK) {
		r = EXIT_USAGE;
		goto out;
	}
	ctx.pa = pa;
	ctx.pb = pb;
	if (sf_policy_vectors2(pa, pb, on_vector, &ctx) < 0 || ctx.oom) {
		cli_err("diff", "out of memory");
		r = EXIT_USAGE;
		goto out;
	}
	if (ctx.n)
		qsort(ctx.v, ctx.n, sizeof(*ctx.v), cmp_delta);

	/* One entry per (section, number): plain when no argument mattered. Numbers that name
	 * no syscall are summed up per ABI and outcome pair instead. */
	size_t plus = 0, minus = 0, changed = 0, shown = 0;
	struct {
		const char *abi;
		uint32_t a, b, example;
		size_t count;
	} unnamed[16];
	size_t nunnamed = 0;
	if (out == CLI_OUT_JSON)
		sf_buf_puts(&buf, "{\"differences\":[");
	for (size_t i = 0, end; i < ctx.n; i = end) {
		const struct delta *first = &ctx.v[i];
		bool uniform = true;
		for (end = i; end < ctx.n && ctx.v[end].d.arch == first->d.arch &&
			      ctx.v[end].d.nr == first->d.nr;
		     end++)
			uniform &= ctx.v[end].a == first->a && ctx.v[end].b == first->b;
		/* Outright only when every input tried for this number differs alike. */
		struct tried *tr = tried_slot(&ctx, first->d.arch, (uint32_t)first->d.nr);
		if (tr && tr->n != end - i)
			uniform = false;
		const struct sf_arch *arch = sf_arch_by_audit(first->d.arch);
		const char *abi, *name = nr_name(arch, (uint32_t)first->d.nr, &abi);
		char da[48], db[48];
		bool allow_a = first->a == SECCOMP_RET_ALLOW, allow_b = first->b == SECCOMP_RET_ALLOW;
		/* Numbers that name no syscall: summed up, never counted as syscalls. */
		if (!name && uniform && out == CLI_OUT_JSON) {
			const struct delta *x = first;
			sf_buf_printf(&buf,
				      "%s{\"abi\":\"%s\",\"nr\":%" PRIu32
				      ",\"name\":null,\"kind\":\"no-syscall\",\"a\":\"%s\",\"b\":\"%s\"}",
				      shown ? "," : "", abi, (uint32_t)x->d.nr,
				      sf_ret_describe(x->a, da, sizeof(da)),
				      sf_ret_describe(x->b, db, sizeof(db)));
			shown++;
			continue;
		}
		if (!name && uniform) {
			size_t u = 0;
			while (u < nunnamed && (strcmp(unnamed[u].abi, abi) || unnamed[u].a != first->a ||
						unnamed[u].b != first->b))
				u++;
			if (u == nunnamed && nunnamed < sizeof(unnamed) / sizeof(unnamed[0])) {
				unnamed[u].abi = abi;
				unnamed[u].a = first->a;
				unnamed[u].b = first->b;
				unnamed[u].example = (uint32_t)first->d.nr;
				unnamed[u].count = 0;
				nunnamed++;
			}
			if (u < nunnamed)
				unnamed[u].count++;
			continue;
		}
		const char *kind = uniform && allow_b && !allow_a   ? "allowed"
				   : uniform && allow_a && !allow_b ? "refused"
								    : "changed";
		if (kind[0] == 'a')
			plus++;
		else if (kind[0] == 'r')
			minus++;
		else
			changed++;
		for (size_t k = i; k < end; k++) {
			const struct delta *x = &ctx.v[k];
			sf_ret_describe(x->a, da, sizeof(da));
			sf_ret_describe(x->b, db, sizeof(db));
			if (out == CLI_OUT_JSON) {
				sf_buf_printf(&buf, "%s{\"abi\":\"%s\",\"nr\":%" PRIu32 ",\"name\":",
					      shown ? "," : "", abi, (uint32_t)x->d.nr);
				if (name)
					sf_json_put_string(&buf, name, strlen(name));
				else
					sf_buf_puts(&buf, "null");
				sf_buf_printf(&buf, ",\"kind\":\"%s\",\"a\":\"%s\",\"b\":\"%s\"", kind,
					      da, db);
				if (!uniform) {
					sf_buf_puts(&buf, ",\"args\":[");
					for (int j = 0; j < 6; j++)
						sf_buf_printf(&buf, "%s%" PRIu64, j ? "," : "",
							      (uint64_t)x->d.args[j]);
					sf_buf_puts(&buf, "]");
				}
				sf_buf_puts(&buf, "}");
				shown++;
				if (uniform)
					break;
				continue;
			}
			if (uniform) {
				sf_buf_printf(&buf, "%-8s %-22s %-16s -> %s\n", abi, name, da, db);
				break;
			}
			if (k == i)
				sf_buf_printf(&buf, "%-8s %-22s depends on arguments:\n", abi,
					      name ? name : "(no syscall)");
			if (k - i < 8) {
				sf_buf_printf(&buf, "%10s", "");
				for (int j = 0; j < 6; j++)
					if (x->d.args[j])
						sf_buf_printf(&buf, " a%d=%#" PRIx64, j,
							      (uint64_t)x->d.args[j]);
				sf_buf_printf(&buf, "%s: %s -> %s\n",
					      x->d.args[0] || x->d.args[1] || x->d.args[2] ||
							      x->d.args[3] || x->d.args[4] ||
							      x->d.args[5]
						      ? ""
						      : " (all zero)",
					      da, db);
			} else if (k == i + 8) {
				sf_buf_printf(&buf, "%10s ... %zu more\n", "", end - i - 8);
			}
		}
	}
	for (size_t u = 0; u < nunnamed; u++) {
		char da[48], db[48];
		sf_buf_printf(&buf, "%-8s %-22s %-16s -> %s   (%zu tried, e.g. %#" PRIx32 ")\n",
			      unnamed[u].abi, "numbers of no syscall",
			      sf_ret_describe(unnamed[u].a, da, sizeof(da)),
			      sf_ret_describe(unnamed[u].b, db, sizeof(db)), unnamed[u].count,
			      unnamed[u].example);
	}
	if (out == CLI_OUT_JSON)
		sf_buf_printf(&buf,
			      "],\"summary\":{\"allowed\":%zu,\"refused\":%zu,\"changed\":%zu,"
			      "\"same\":%s}}\n",
			      plus, minus, changed, ctx.n ? "false" : "true");
	else if (plus + minus + changed)
		sf_buf_printf(&buf, "+%zu allowed, -%zu, %zu changed\n", plus, minus, changed);
	else if (ctx.n)
		sf_buf_puts(&buf, "same syscalls; only numbers of no syscall differ\n");
	else
		sf_buf_puts(&buf, "same meaning\n");
	r = cli_write_output("diff", NULL, &buf);
	if (r == EXIT_OK && ctx.n)
		r = EXIT_FINDINGS;
out:
	sf_buf_free(&buf);
	free(ctx.v);
	free(ctx.t);
	sf_policy_free(pa);
	sf_policy_free(pb);
	sf_profile_free(a);
	sf_profile_free(b);
	return r;
}
