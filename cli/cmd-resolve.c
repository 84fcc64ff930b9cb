/* sysfence resolve: syscall names <-> kernel numbers for any architecture, or a whole table. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char help_resolve[] =
    "usage: sysfence resolve [--arch A] [-o text|json] NAME|NUMBER...\n"
    "       sysfence resolve [--arch A] [-o text|json] --list\n"
    "\n"
    "Translate syscall names to the numbers the kernel sees (seccomp_data.nr) and numbers to\n"
    "names, for any architecture, like scmp_sys_resolver(1) and ausyscall(8). A NAME prints its\n"
    "number, a NUMBER (decimal, or hex as 0x...) its name, one line per argument. Numbers are the\n"
    "kernel's: x32 numbers carry 0x40000000, MIPS o32/n64/n32 numbers start at 4000/5000/6000.\n"
    "\n"
    "options:\n"
    "  -a, --arch A      architecture: libseccomp's name (x86_64, aarch64, mipsel64n32, ...),\n"
    "                    SCMP_ARCH_* or Go's/Docker's (amd64, arm64, 386, ...), any case;\n"
    "                    default: the one sysfence was built for\n"
    "  -l, --list        print the architecture's whole table, \"NUMBER NAME\" by number\n"
    "  -o, --output-format text|json\n"
    "                    json: {\"arch\":A,\"syscalls\":[{\"name\":N,\"nr\":NR},...]}\n"
    "  --output FILE     write to FILE (atomically) instead of standard output\n"
    "\n"
    "examples:\n"
    "  sysfence resolve -a x86_64 openat         # 257\n"
    "  sysfence resolve -a arm64 openat 221      # 56, then execve\n"
    "  sysfence resolve -a SCMP_ARCH_MIPS 4003   # read (o32 numbers start at 4000)\n"
    "  sysfence resolve -a 386 --list -o json    # i386's whole table, for machines\n"
    "\n"
    "A name missing from the architecture is reported with the architectures that have it; on\n"
    "x86, m68k, mips, ppc, s390 and sh socket and SysV IPC calls may also arrive through\n"
    "socketcall(2) or ipc(2), which the report names.\n"
    "\n"
    "exit status: 0 all resolved, 1 an argument did not resolve, 2 usage error (or unknown\n"
    "architecture).\n";

#define CMD "resolve"

/*
 * "4003", "0x40000000": *is_number says whether arg is written as a number (else it is a name);
 * returns its value, or -1 when it is out of range.
 */
static long parse_nr(const char *arg, bool *is_number)
{
	const char *p = arg;
	int base = 10;
	char *end;
	unsigned long v;

	*is_number = false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p || strspn(p, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") != strlen(p))
		return -1;
	*is_number = true;
	errno = 0;
	v = strtoul(p, &end, base);
	if (errno || v > 0x7fffffffUL)
		return -1;
	return (long)v;
}

static void json_entry(struct sf_buf *out, bool *first, const char *name, long nr)
{
	if (!*first)
		sf_buf_putc(out, ',');
	*first = false;
	sf_buf_puts(out, "{\"name\":");
	sf_json_put_string(out, name, strlen(name));
	sf_buf_printf(out, ",\"nr\":%ld}", nr);
}

static void put_entry(struct sf_buf *out, int fmt, bool *first, const char *name, long nr,
		      bool by_name)
{
	if (fmt == CLI_OUT_JSON)
		json_entry(out, first, name, nr);
	else if (by_name)
		sf_buf_printf(out, "%ld\n", nr);
	else
		sf_buf_printf(out, "%s\n", name);
}

/* The arches (by libseccomp name) where name has a number, comma-separated. */
static void arches_with(struct sf_buf *b, long idx)
{
	bool first = true;

	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		if (sf_syscall_nr_at(a, (size_t)idx) < 0)
			continue;
		sf_buf_printf(b, "%s%s", first ? "" : ", ", a->name);
		first = false;
	}
}

static bool resolve_name(const struct sf_arch *arch, const char *name, int fmt, bool *first,
			 struct sf_buf *out)
{
	long idx = sf_syscall_index(name), nr, mux;
	unsigned call;
	const char *hint;

	if (idx < 0) {
		hint = sf_syscall_suggest(name);
		if (hint)
			cli_err(CMD, "unknown syscall '%s' (did you mean '%s'?)", name, hint);
		else
			cli_err(CMD, "unknown syscall '%s'", name);
		return false;
	}
	nr = sf_syscall_nr_at(arch, (size_t)idx);
	if (nr >= 0) {
		put_entry(out, fmt, first, name, nr, true);
		return true;
	}

	struct sf_buf where = {0};
	arches_with(&where, idx);
	if (sf_syscall_multiplexed(arch, name, &mux, &call))
		cli_err(CMD,
			"%s has no number of its own on %s: it is reached through %s (%ld) as call "
			"%u; it has a number on %s",
			name, arch->name, sf_syscall_name(arch, mux), mux, call,
			where.data ? where.data : "no architecture");
	else
		cli_err(CMD, "%s is not a syscall on %s; it exists on %s", name, arch->name,
			where.data ? where.data : "no architecture");
	sf_buf_free(&where);
	return false;
}

static bool resolve_number(const struct sf_arch *arch, const char *arg, long nr, int fmt,
			   bool *first, struct sf_buf *out)
{
	const char *name = nr >= 0 ? sf_syscall_name(arch, nr) : NULL;
	long near;

	if (name) {
		put_entry(out, fmt, first, name, nr, false);
		return true;
	}
	if (nr < 0) {
		cli_err(CMD, "'%s' is not a syscall number", arg);
		return false;
	}
	/* A table offset given where the kernel's number was meant: say what the kernel uses. */
	near = -1;
	if (arch->nr_offset && (unsigned long)nr < arch->nr_offset)
		near = nr + (long)arch->nr_offset; /* x32's bit is above every table offset */
	if (near >= 0 && sf_syscall_name(arch, near) && arch->nr_offset == 0x40000000)
		cli_err(CMD,
			"no syscall %ld on %s (x32 numbers have bit 0x40000000 set: %ld is %s)", nr,
			arch->name, near, sf_syscall_name(arch, near));
	else if (near >= 0 && sf_syscall_name(arch, near))
		cli_err(CMD, "no syscall %ld on %s (its numbers start at %lu: %ld is %s)", nr,
			arch->name, (unsigned long)arch->nr_offset, near,
			sf_syscall_name(arch, near));
	else
		cli_err(CMD, "no syscall %ld on %s (its largest is %ld)", nr, arch->name,
			sf_syscall_max_nr(arch));
	return false;
}

struct entry {
	long nr;
	const char *name;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* The whole table of arch, by number (numbers are sparse: arm's reach 0xf0006, x32's 2^30). */
static int list_table(const struct sf_arch *arch, int fmt, bool *first, struct sf_buf *out)
{
	size_t n = 0, count = sf_syscall_count();
	struct entry *v = calloc(count ? count : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		long nr = sf_syscall_nr_at(arch, i);
		if (nr >= 0)
			v[n++] = (struct entry){nr, sf_syscall_name_at(i)};
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		if (fmt == CLI_OUT_JSON)
			json_entry(out, first, v[i].name, v[i].nr);
		else
			sf_buf_printf(out, "%ld %s\n", v[i].nr, v[i].name);
	}
	free(v);
	return 0;
}

static int unknown_arch(const char *arg)
{
	struct sf_buf b = {0};
	int r;

	sf_buf_printf(&b, "unknown architecture '%s'; accepted, in any case:\n", arg);
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		sf_buf_printf(&b, "  %-12s %-22s %s\n", a->name, a->scmp_name,
			      a->go_name && strcmp(a->go_name, a->name) ? a->go_name : "");
	}
	sf_buf_puts(&b, "and GOARCH, uname -m and Debian names (386, i686, arm64, mips64le, "
			"ppc64el, ...)");
	r = cli_usage(CMD, "%s", b.data ? b.data : arg);
	sf_buf_free(&b);
	return r;
}

int cmd_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"arch", required_argument, NULL, 'a'},
	    {"list", no_argument, NULL, 'l'},
	    {"output-format", required_argument, NULL, 'o'},
	    {"output", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const struct sf_arch *arch = sf_arch_native();
	const char *output = NULL;
	bool list = false, ok = true, first = true;
	int fmt = CLI_OUT_TEXT, c, status;
	struct sf_buf out = {0};

	while ((c = getopt_long(argc, argv, "a:lo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			arch = sf_arch_find(optarg);
			if (!arch)
				return unknown_arch(optarg);
			break;
		case 'l':
			list = true;
			break;
		case 'o':
			fmt = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (fmt < 0)
				return cli_usage(CMD, "-o takes text or json, not '%s'", optarg);
			break;
		case 'O':
			output = optarg;
			break;
		case 'h':
			return cli_help(CMD);
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (!arch)
		return cli_usage(CMD,
				 "this build's architecture is not known to sysfence: use --arch");
	if (list && optind < argc)
		return cli_usage(CMD, "--list takes no names or numbers");
	if (!list && optind >= argc)
		return cli_usage(CMD, "no syscall name or number given");

	if (fmt == CLI_OUT_JSON) {
		sf_buf_puts(&out, "{\"arch\":");
		sf_json_put_string(&out, arch->name, strlen(arch->name));
		sf_buf_puts(&out, ",\"syscalls\":[");
	}
	if (list && list_table(arch, fmt, &first, &out) < 0) {
		sf_buf_free(&out);
		cli_err(CMD, "out of memory");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		bool is_number;
		long nr = parse_nr(argv[i], &is_number);
		if (is_number)
			ok &= resolve_number(arch, argv[i], nr, fmt, &first, &out);
		else
			ok &= resolve_name(arch, argv[i], fmt, &first, &out);
	}
	if (fmt == CLI_OUT_JSON)
		sf_buf_puts(&out, "]}\n");
	status = cli_write_output(CMD, output, &out);
	sf_buf_free(&out);
	return status != EXIT_OK ? status : ok ? EXIT_OK : EXIT_FINDINGS;
}
