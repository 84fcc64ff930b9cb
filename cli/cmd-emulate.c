/* sysfence emulate: what a profile or a raw program does with one syscall, or with all of them. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compile-common.h"

const char help_emulate[] =
	"usage: sysfence emulate PROFILE|FILE.bpf [--arch A] --syscall NAME|NR [--args A0,A1,...]\n"
	"       sysfence emulate PROFILE|FILE.bpf [--arch A] --all\n"
	"\n"
	"Run the seccomp program of PROFILE (compiled and verified as `sysfence compile` does) or a\n"
	"raw program (FILE.bpf, or any file with --bpf) on a syscall, as the kernel would, and print\n"
	"the action (ALLOW, ERRNO(1), KILL_PROCESS, TRACE(5), ...) and how many instructions ran.\n"
	"--all prints every syscall of the architecture with its action: what does this profile\n"
	"allow?\n"
	"\n"
	"options:\n"
	"  --arch A            the calling ABI (default: this machine's); an ABI the profile does\n"
	"                      not list gets the bad-arch action, as under runc\n"
	"  --syscall NAME|NR   the syscall, by name or number\n"
	"  --args LIST         up to six argument values (decimal, 0x hex, or negative: taken as\n"
	"                      the 64-bit two's complement, as a register holds -1)\n"
	"  --all               every syscall of the arch's table\n"
	"  --bpf               read the input as a raw program whatever its name\n"
	"  -o, --output-format text|json\n"
	"  (and compile's --caps, --kernel, --bad-arch, --runc-compat, --strict)\n"
	"\n"
	"exit status: 0 printed, 1 invalid input, 2 usage or I/O error.\n";

static int parse_args(const char *s, uint64_t *args)
{
	char *copy = strdup(s), *save = NULL;
	int n = 0;
	if (!copy)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		errno = 0;
		uint64_t v = *tok == '-' ? (uint64_t)strtoll(tok, &end, 0) : strtoull(tok, &end, 0);
		if (n == 6 || *end || errno || end == tok) {
			free(copy);
			return -1;
		}
		args[n++] = v;
	}
	free(copy);
	return n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cmd_emulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "syscall", required_argument, NULL, 's' },
		{ "args", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "bpf", no_argument, NULL, 'b' },
		{ "output-format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		TARGET_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct target_opts t = { 0 };
	const char *sys = NULL;
	uint64_t args[6] = { 0 };
	bool all = false, bpf = false;
	int out = CLI_OUT_TEXT, c, r;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		int k = target_option("emulate", c, optarg, &t);
		if (k < 0)
			return EXIT_USAGE;
		if (k)
			continue;
		switch (c) {
		case 's':
			sys = optarg;
			break;
		case 'a':
			if (parse_args(optarg, args) < 0)
				return cli_usage("emulate", "--args takes up to six numbers, not '%s'",
						 optarg);
			break;
		case 'A':
			all = true;
			break;
		case 'b':
			bpf = true;
			break;
		case 'o':
			out = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (out < 0)
				return cli_usage("emulate", "-o takes text or json");
			break;
		case 'h':
			return cli_help("emulate");
		default:
			return cli_usage("emulate", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("emulate", optind >= argc ? "no profile or program given"
							  : "one input at a time");
	if (!all == !sys)
		return cli_usage("emulate", "give --syscall NAME|NR or --all");
	const struct sf_arch *arch = t.narches ? t.arches[0] : sf_arch_native();
	t.arch_is_abi = true;
	const char *path = argv[optind];
	struct sf_prog prog = { 0 };
	struct sf_error err = { 0 };
	struct sf_buf buf = { 0 };

	if (bpf || ends_with(path, ".bpf")) {
		if (sf_bpf_read_raw(path, &prog, &err) < 0 ||
		    sf_bpf_validate(prog.insns, prog.len, &err) < 0) {
			cli_print_error(&err);
			sf_prog_free(&prog);
			return err.code == -EINVAL ? EXIT_FINDINGS : EXIT_USAGE;
		}
	} else {
		struct sf_profile *p = NULL;
		r = target_load("emulate", path, &t, &p);
		if (r != EXIT_OK)
			return r;
		/* Targets: what runc would load (native + the profile's list); an ABI the profile
		 * does not list gets the bad-arch action, as it would at run time. */
		struct sf_policy *probe = NULL;
		t.narches = 0;
		if (target_policy("emulate", p, &t, &probe) != EXIT_OK) {
			sf_profile_free(p);
			return EXIT_FINDINGS;
		}
		for (size_t i = 0; i < sf_policy_narches(probe); i++)
			t.arches[t.narches++] = sf_policy_arch(probe, i);
		for (size_t i = 0; i < p->narchitectures && t.narches < 31; i++)
			if (strcmp(p->architectures[i], "SCMP_ARCH_X32") == 0)
				t.arches[t.narches++] = sf_arch_find("x32");
		sf_policy_free(probe);
		r = target_compile("emulate", p, &t, &prog);
		sf_profile_free(p);
		if (r != EXIT_OK)
			return r;
	}

	struct seccomp_data d = { .arch = arch->audit_arch };
	char desc[48];
	if (out == CLI_OUT_JSON)
		sf_buf_printf(&buf, "{\"arch\":\"%s\",\"syscalls\":[", arch->name);
	size_t count = 0;
	for (size_t i = 0; i < (all ? sf_syscall_count() : 1); i++) {
		long nr;
		const char *name;
		if (all) {
			nr = sf_syscall_nr_at(arch, i);
			name = sf_syscall_name_at(i);
			if (nr < 0)
				continue;
		} else {
			char *end;
			nr = strtol(sys, &end, 0);
			if (*end || end == sys) {
				nr = sf_syscall_nr(arch, sys);
				if (nr < 0) {
					const char *s = sf_syscall_suggest(sys);
					cli_err("emulate", "no syscall '%s' on %s%s%s%s", sys,
						arch->name, s ? " (did you mean '" : "", s ? s : "",
						s ? "'?)" : "");
					sf_prog_free(&prog);
					return EXIT_FINDINGS;
				}
			}
			name = sf_syscall_name(arch, nr);
		}
		uint32_t ret;
		size_t steps = 0;
		d.nr = (int)nr;
		memcpy(d.args, args, sizeof(args));
		if (sf_bpf_emulate(prog.insns, prog.len, &d, &ret, &steps, &err) < 0) {
			cli_print_error(&err);
			sf_prog_free(&prog);
			sf_buf_free(&buf);
			return EXIT_FINDINGS;
		}
		sf_ret_describe(ret, desc, sizeof(desc));
		if (out == CLI_OUT_JSON) {
			sf_buf_printf(&buf, "%s{\"name\":", count ? "," : "");
			if (name)
				sf_json_put_string(&buf, name, strlen(name));
			else
				sf_buf_puts(&buf, "null");
			sf_buf_printf(&buf, ",\"nr\":%ld,\"action\":\"%s\",\"instructions\":%zu}", nr,
				      desc, steps);
		} else if (all) {
			sf_buf_printf(&buf, "%-6ld %-24s %-16s %zu\n", nr, name ? name : "?", desc,
				      steps);
		} else {
			sf_buf_printf(&buf, "%s (%zu instructions)\n", desc, steps);
		}
		count++;
	}
	if (out == CLI_OUT_JSON)
		sf_buf_puts(&buf, "]}\n");
	r = cli_write_output("emulate", NULL, &buf);
	sf_buf_free(&buf);
	sf_prog_free(&prog);
	return r;
}
