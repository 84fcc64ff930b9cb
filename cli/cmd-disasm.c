/* sysfence disasm: print a raw seccomp BPF program one instruction a line, or as JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char help_disasm[] =
    "usage: sysfence disasm [--arch A] [-o text|json] FILE.bpf|-\n"
    "\n"
    "Disassemble a raw seccomp filter: the kernel's struct sock_filter array in host byte\n"
    "order, as seccomp_export_bpf(3) writes it (\"-\" reads standard input). One instruction a\n"
    "line, jump targets as labels (L12), loads named after seccomp_data fields ([nr], [arch],\n"
    "[args[1].lo], [ip.hi]), returns decoded (ALLOW, ERRNO(1), KILL_PROCESS). A comparison with\n"
    "the arch is annotated with its AUDIT_ARCH_* name, a comparison with the syscall number with\n"
    "the syscall's name on the architecture the program has checked on that path.\n"
    "\n"
    "options:\n"
    "  -a, --arch A      name syscall numbers for A where the program itself does not check the\n"
    "                    architecture (libseccomp's, SCMP_ARCH_* or Go's names)\n"
    "  -o, --output-format text|json\n"
    "                    json: "
    "{\"instructions\":[{\"index\":0,\"code\":32,\"jt\":0,\"jf\":0,\"k\":4,\n"
    "                    \"text\":\"ld "
    "[arch]\",\"comment\":\"\"},...],\"valid\":true,\"error\":null}\n"
    "  --output FILE     write to FILE (atomically) instead of standard output\n"
    "\n"
    "A program the kernel would refuse (sysfence checks the rules of seccomp(2): allowed\n"
    "opcodes, aligned loads inside seccomp_data, forward jumps in range, no division by a\n"
    "constant 0, scratch memory written before it is read, a return at the end) is printed all\n"
    "the same, with a warning that says why.\n"
    "\n"
    "exit status: 0 a valid program, 1 a program the kernel would refuse or a file that is not\n"
    "a raw program, 2 usage or I/O error.\n";

#define CMD "disasm"

/*
 * The JSON form is the text form cut into fields: instruction lines are "  INDEX: TEXT" with
 * " ; COMMENT" after padding; label lines ("L12:") are left out, the jumps name their targets.
 */
static void put_json(const struct sf_prog *prog, const char *text, const struct sf_error *verr,
		     struct sf_buf *out)
{
	const char *p = text ? text : "";
	size_t i = 0;

	sf_buf_puts(out, "{\"instructions\":[");
	while (*p) {
		const char *eol = strchr(p, '\n'), *body, *end, *semi;
		if (!eol)
			eol = p + strlen(p);
		if (*p == ' ' && i < prog->len) {
			const struct sock_filter *f = &prog->insns[i];
			body = strchr(p, ':') + 2;
			semi = memchr(body, ';', (size_t)(eol - body));
			end = semi ? semi : eol;
			while (end > body && end[-1] == ' ')
				end--;
			sf_buf_printf(
			    out,
			    "%s{\"index\":%zu,\"code\":%u,\"jt\":%u,\"jf\":%u,\"k\":%u,\"text\":",
			    i ? "," : "", i, f->code, f->jt, f->jf, f->k);
			sf_json_put_string(out, body, (size_t)(end - body));
			sf_buf_puts(out, ",\"comment\":");
			if (semi)
				sf_json_put_string(out, semi + 2, (size_t)(eol - semi - 2));
			else
				sf_buf_puts(out, "\"\"");
			sf_buf_putc(out, '}');
			i++;
		}
		p = *eol ? eol + 1 : eol;
	}
	sf_buf_printf(out, "],\"valid\":%s,\"error\":", verr ? "false" : "true");
	if (verr)
		sf_json_put_string(out, verr->msg, strlen(verr->msg));
	else
		sf_buf_puts(out, "null");
	sf_buf_puts(out, "}\n");
}

int cmd_disasm(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"arch", required_argument, NULL, 'a'},
	    {"output-format", required_argument, NULL, 'o'},
	    {"output", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const struct sf_arch *arch = NULL;
	const char *output = NULL, *path;
	int fmt = CLI_OUT_TEXT, c, status;
	struct sf_prog prog = {0};
	struct sf_error err = {0}, verr = {0};
	struct sf_buf text = {0}, out = {0};
	bool valid;

	optind = 0;
	while ((c = getopt_long(argc, argv, "a:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			arch = sf_arch_find(optarg);
			if (!arch)
				return cli_usage(CMD,
						 "unknown architecture '%s' (try 'sysfence "
						 "resolve --help' for the names)",
						 optarg);
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
	if (optind != argc - 1)
		return cli_usage(CMD, optind == argc ? "a FILE is needed ('-' for standard input)"
						     : "one FILE at a time");
	path = argv[optind];

	if (sf_bpf_read_raw(path, &prog, &err) < 0) {
		cli_print_error(&err);
		return err.code == -EINVAL ? EXIT_FINDINGS : EXIT_USAGE;
	}
	valid = sf_bpf_validate(prog.insns, prog.len, &verr) == 0;
	if (sf_bpf_disasm(prog.insns, prog.len, arch, &text) < 0) {
		cli_err(CMD, "out of memory");
		status = EXIT_USAGE;
		goto out;
	}
	if (fmt == CLI_OUT_JSON)
		put_json(&prog, text.data, valid ? NULL : &verr, &out);
	status = cli_write_output(CMD, output, fmt == CLI_OUT_JSON ? &out : &text);
	if (status == EXIT_OK && !valid) {
		fprintf(stderr, "%s: warning: the kernel would refuse this program: %s\n",
			strcmp(path, "-") ? path : "<stdin>", verr.msg);
		status = EXIT_FINDINGS;
	}
out:
	sf_buf_free(&text);
	sf_buf_free(&out);
	sf_prog_free(&prog);
	return status;
}
