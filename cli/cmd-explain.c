/*
 * sysfence explain: read seccomp audit records from logs (any mix of forms and other text), print
 * each decoded, then a summary; or turn what the log shows into a profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sysfence/audit.h>

#include "cli.h"

const char help_explain[] =
    "usage: sysfence explain [options] [FILE...|-]\n"
    "\n"
    "Read seccomp audit records and print each one decoded: time, process, executable, ABI,\n"
    "syscall, action and signal; then a summary grouped by executable and syscall:\n"
    "\n"
    "    2023-11-14T22:13:20.123Z mkdir[1234] (/usr/bin/mkdir): mkdir (x86_64 83): ERRNO\n"
    "    ...\n"
    "    sysfence: 12 records, 2 malformed lines, log incomplete: 37 records suppressed\n"
    "\n"
    "Records are read in every form they reach users, mixed with any other text: the kernel\n"
    "log (dmesg with or without timestamps, /dev/kmsg, /var/log/syslog, /var/log/kern.log,\n"
    "journalctl -k), auditd's /var/log/audit/audit.log, ausearch -m SECCOMP (raw, or -i\n"
    "interpreted), and journald's audit transport. With no FILE, or with '-', standard input\n"
    "is read. /dev/kmsg is read up to its current end (with --follow, it is waited on).\n"
    "\n"
    "What a log can show:\n"
    "  - KILL_PROCESS, KILL_THREAD and LOG are always logged; ERRNO, TRAP, TRACE and\n"
    "    USER_NOTIF only when the filter was loaded with SECCOMP_FILTER_FLAG_LOG (a profile's\n"
    "    \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]); ALLOW never. Each only when named in\n"
    "    /proc/sys/kernel/seccomp/actions_logged.\n"
    "  - The kernel logs the action without its data: ERRNO(13) is logged as ERRNO, and the\n"
    "    errno cannot be told. ausearch -i's \"kill\" does not tell a process from a thread.\n"
    "  - While auditd runs, records go to /var/log/audit/audit.log, not to the kernel log.\n"
    "  - The kernel drops records under load (printk and audit rate limits, the backlog\n"
    "    limit); so do journald and rsyslog. When the log says so, the summary says it is\n"
    "    incomplete, and how many were lost when the log tells.\n"
    "Lines that look like seccomp records but cannot be read (truncated, garbled) are counted\n"
    "and reported on standard error; they never stop the reading.\n"
    "\n"
    "options:\n"
    "  -o, --output-format text|json\n"
    "                   json: one object a line for each record, malformed line and gap\n"
    "                   (\"type\": \"record\", \"malformed\", \"gap\"), then one \"summary\"\n"
    "  --output FILE    write there instead of standard output\n"
    "  -q, --quiet      no line per record: the summary only\n"
    "  --profile        write the profile that allows what the log shows instead: default\n"
    "                   SCMP_ACT_ERRNO (EPERM), the ABIs seen as architectures, one ALLOW rule\n"
    "                   with every syscall seen (-o yaml for YAML; -o FILE writes there)\n"
    "  --merge FILE     add the syscalls seen to the profile in FILE and write it (canonical\n"
    "                   JSON; -o FILE writes there, FILE itself included): to the first ALLOW\n"
    "                   rule without conditions, or a new one. A name another rule decides (a\n"
    "                   deny, an ALLOW under conditions) is left to it, with a warning; ABIs\n"
    "                   seen are added to architectures when the profile lists some\n"
    "  -f, --follow     keep reading as the input grows, like tail -f (a file replaced by\n"
    "                   log rotation is reopened); on SIGINT or SIGTERM, print the summary\n"
    "                   (and write the profile) and exit\n"
    "\n"
    "exit status: 0 the logs were read, 1 the profile given to --merge is invalid,\n"
    "2 usage or I/O error.\n";

/* Diagnostics on standard error stop after this many of a kind; the summary counts them all. */
#define MAX_DIAGNOSTICS 20
#define READ_CHUNK	(64 * 1024)
#define MAX_LINE	(1024 * 1024)
#define FOLLOW_POLL_MS	250

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct input {
	const char *path; /* as given; "-" for standard input */
	const char *name; /* for messages */
	int fd;
	bool kmsg, regular, closed;
	bool skipping; /* the rest of an over-long line is dropped */
	dev_t dev;
	ino_t ino;
	struct sf_audit_source src;
	off_t off;
	char *buf;
	size_t len, cap;
	uint64_t lineno;
};

struct explain {
	struct sf_audit_log *log;
	struct sf_audit_event ev;
	enum sf_audit_out fmt;
	bool quiet, make_profile, follow;
	bool to_stdout; /* records stream to standard output as they are read */
	struct sf_buf out;
	uint64_t shown_malformed, shown_gaps, hidden;
};

static int flush_out(struct explain *x)
{
	if (!x->to_stdout || !x->out.len)
		return 0;
	if (x->out.oom) {
		cli_err("explain", "out of memory");
		return -ENOMEM;
	}
	if (fwrite(x->out.data, 1, x->out.len, stdout) != x->out.len || fflush(stdout) != 0) {
		cli_err("explain", "cannot write to standard output: %s", strerror(errno));
		return -EIO;
	}
	x->out.len = 0;
	return 0;
}

static void diagnostic(struct explain *x, const struct input *in)
{
	uint64_t *shown = x->ev.kind == SF_AUDIT_GAP ? &x->shown_gaps : &x->shown_malformed;
	struct sf_buf b = {0};

	if (*shown >= MAX_DIAGNOSTICS) {
		x->hidden++;
		return;
	}
	(*shown)++;
	sf_audit_write_event(&x->ev, SF_AUDIT_OUT_TEXT, in->name, in->lineno, &b);
	if (b.len)
		fputs(b.data, stderr);
	sf_buf_free(&b);
}

static int emit(struct explain *x, const struct input *in)
{
	bool json_stream = x->fmt == SF_AUDIT_OUT_JSON && !x->make_profile;

	if (x->ev.kind == SF_AUDIT_RECORD) {
		if (x->quiet || x->make_profile)
			return 0;
		sf_audit_write_event(&x->ev, x->fmt, in->name, in->lineno, &x->out);
	} else if (json_stream && !x->quiet) {
		sf_audit_write_event(&x->ev, x->fmt, in->name, in->lineno, &x->out);
	} else {
		diagnostic(x, in);
	}
	if (x->out.len >= READ_CHUNK)
		return flush_out(x);
	return 0;
}

static int feed_line(struct explain *x, struct input *in, const char *line, size_t len)
{
	size_t pos = 0;

	in->lineno++;
	if (len && line[len - 1] == '\r')
		len--;
	for (;;) {
		int k = sf_audit_log_next(x->log, &in->src, line, len, &pos, &x->ev);
		if (k < 0) {
			cli_err("explain", "out of memory");
			return k;
		}
		if (k == SF_AUDIT_NONE)
			return 0;
		int r = emit(x, in);
		if (r < 0)
			return r;
	}
}

/* Every complete line in the buffer; at the end of the input (final), the rest too. A line
 * longer than MAX_LINE is read that far; the rest of it is dropped. */
static int feed_buffer(struct explain *x, struct input *in, bool final)
{
	size_t start = 0;
	int r = 0;

	while (r == 0 && start < in->len) {
		char *nl = memchr(in->buf + start, '\n', in->len - start);
		if (!nl) {
			if (!final && in->len - start < MAX_LINE)
				break; /* wait for the rest */
			if (!in->skipping)
				r = feed_line(x, in, in->buf + start, in->len - start);
			in->skipping = !final;
			start = in->len;
			break;
		}
		size_t end = (size_t)(nl - in->buf);
		if (in->skipping)
			in->skipping = false;
		else
			r = feed_line(x, in, in->buf + start, end - start);
		start = end + 1;
	}
	memmove(in->buf, in->buf + start, in->len - start);
	in->len -= start;
	return r;
}

static int open_input(struct input *in)
{
	struct stat st;

	if (strcmp(in->path, "-") == 0) {
		in->fd = STDIN_FILENO;
		in->name = "<stdin>";
	} else {
		/* Non-blocking, for /dev/kmsg (whose end is EAGAIN) and FIFOs; cleared for the
		 * rest. */
		in->fd = open(in->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		in->name = in->path;
		if (in->fd < 0) {
			cli_err("explain", "cannot open %s: %s", in->path, strerror(errno));
			return -1;
		}
	}
	if (fstat(in->fd, &st) < 0) {
		cli_err("explain", "cannot read %s: %s", in->name, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		cli_err("explain", "%s is a directory", in->name);
		return -1;
	}
	in->kmsg = S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 11;
	in->regular = S_ISREG(st.st_mode);
	in->src = (struct sf_audit_source){.kmsg_seq = in->kmsg};
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	if (in->fd != STDIN_FILENO && !in->kmsg) {
		int fl = fcntl(in->fd, F_GETFL);
		if (fl >= 0)
			fcntl(in->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	if (!in->buf) {
		in->cap = MAX_LINE + READ_CHUNK;
		in->buf = malloc(in->cap);
		if (!in->buf) {
			cli_err("explain", "out of memory");
			return -1;
		}
	}
	return 0;
}

static void close_input(struct input *in)
{
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
	in->closed = true;
	free(in->buf);
	in->buf = NULL;
	in->len = 0;
}

/*
 * Read what there is now. Returns the bytes read (0: nothing new), or -1 on an error (reported).
 * *eof is set at the end of a pipe or of /dev/kmsg's buffer; a regular file's end is only
 * "nothing new" when following.
 */
static ssize_t drain(struct explain *x, struct input *in, bool follow, bool *eof)
{
	ssize_t total = 0;

	*eof = false;
	for (;;) {
		if (stop_requested)
			return total;
		if (follow && !in->regular && !in->kmsg) {
			/* A pipe or terminal: read only what is there. */
			struct pollfd p = {.fd = in->fd, .events = POLLIN};
			if (poll(&p, 1, 0) <= 0)
				return total;
		}
		size_t room = in->cap - in->len;
		ssize_t n = read(in->fd, in->buf + in->len, room < READ_CHUNK ? room : READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return total; /* /dev/kmsg: nothing more now */
			if (errno == EPIPE && in->kmsg)
				continue; /* overwritten: the sequence numbers tell how many */
			cli_err("explain", "cannot read %s: %s", in->name, strerror(errno));
			return -1;
		}
		if (n == 0) {
			*eof = !in->regular || !follow;
			return total;
		}
		in->len += (size_t)n;
		in->off += n;
		total += n;
		if (feed_buffer(x, in, false) < 0)
			return -1;
	}
}

/* tail -F: a file replaced (rotated) is reopened from its start, a truncated one re-read. */
static int check_rotation(struct explain *x, struct input *in)
{
	struct stat st;

	if (!in->regular || strcmp(in->path, "-") == 0)
		return 0;
	if (stat(in->path, &st) < 0)
		return 0; /* gone for now: the writer will recreate it */
	if (st.st_dev != in->dev || st.st_ino != in->ino) {
		if (feed_buffer(x, in, true) < 0)
			return -1;
		close(in->fd);
		in->fd = -1;
		in->off = 0;
		in->len = 0;
		in->closed = false;
		return open_input(in);
	}
	struct stat cur;
	if (fstat(in->fd, &cur) == 0 && cur.st_size < in->off) {
		if (lseek(in->fd, 0, SEEK_SET) == 0) {
			in->off = 0;
			in->len = 0;
		}
	}
	return 0;
}

static int read_all(struct explain *x, struct input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool eof;
		if (open_input(&in[i]) < 0)
			return -1;
		if (drain(x, &in[i], x->follow, &eof) < 0)
			return -1;
		if (!x->follow || eof) {
			if (feed_buffer(x, &in[i], true) < 0)
				return -1;
			close_input(&in[i]);
		}
		if (flush_out(x) < 0)
			return -1;
	}
	if (!x->follow)
		return 0;

	/* Follow: drain every input still open, wait, again, until a signal says stop. */
	while (!stop_requested) {
		struct pollfd pfd[64];
		nfds_t np = 0;
		bool open = false;
		for (size_t i = 0; i < n; i++) {
			struct input *in_ = &in[i];
			bool eof;
			if (in_->closed && !in_->regular)
				continue;
			if (check_rotation(x, in_) < 0)
				return -1;
			if (in_->closed)
				continue;
			open = true;
			if (drain(x, in_, true, &eof) < 0)
				return -1;
			if (eof) {
				if (feed_buffer(x, in_, true) < 0)
					return -1;
				close_input(in_);
				continue;
			}
			if (!in_->regular && np < sizeof(pfd) / sizeof(pfd[0]))
				pfd[np++] = (struct pollfd){.fd = in_->fd, .events = POLLIN};
		}
		if (flush_out(x) < 0)
			return -1;
		if (!open || stop_requested)
			break;
		/* Pipes and /dev/kmsg wake us; regular files are looked at every FOLLOW_POLL_MS. */
		poll(pfd, np, FOLLOW_POLL_MS);
	}
	/* What a follow leaves in the buffers is the start of a line: read it as it is. */
	for (size_t i = 0; i < n; i++)
		if (!in[i].closed && feed_buffer(x, &in[i], true) < 0)
			return -1;
	return 0;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct sf_finding *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

/* In the order of the file, as check prints them. */
static void print_findings(struct sf_findings *f, const char *file)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
	for (size_t i = 0; i < f->n; i++) {
		const struct sf_finding *x = &f->v[i];
		const char *sev = x->severity == SF_SEV_ERROR ? "error" : "warning";
		if (x->line)
			fprintf(stderr, "%s:%u:%u: %s: ", file, x->line, x->col, sev);
		else
			fprintf(stderr, "%s: %s: ", file, sev);
		if (x->path && x->path[0])
			fprintf(stderr, "%s: ", x->path);
		fprintf(stderr, "%s", x->msg);
		if (x->hint)
			fprintf(stderr, " (%s)", x->hint);
		fputc('\n', stderr);
	}
}

/* Records the profile cannot name: said once per group. */
static void warn_unnamed(struct sf_audit_log *log)
{
	const struct sf_audit_group *g;
	size_t n;

	if (sf_audit_log_groups(log, &g, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (g[i].abi && g[i].syscall_name)
			continue;
		if (!g[i].abi)
			cli_err("explain",
				"%s: syscall %s on an unknown ABI (arch 0x%" PRIx32
				"): left out of the profile",
				g[i].exe[0] ? g[i].exe : g[i].comm, g[i].syscall_text,
				g[i].audit_arch);
		else
			cli_err(
			    "explain", "%s: syscall %s has no name on %s: left out of the profile",
			    g[i].exe[0] ? g[i].exe : g[i].comm, g[i].syscall_text, g[i].abi->name);
	}
}

static int write_profile(struct explain *x, const char *merge, enum sf_out_format pfmt,
			 const char *output)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	struct sf_buf buf = {0};
	int status = EXIT_OK, r;

	warn_unnamed(x->log);
	if (merge) {
		struct sf_findings f;
		struct sf_audit_merge_result res;
		sf_findings_init(&f, merge);
		r = sf_profile_read(merge, SF_DOC_AUTO, &f, &p, &err);
		if (r < 0) {
			print_findings(&f, merge);
			if (!f.nerrors)
				cli_print_error(&err);
			sf_findings_clear(&f);
			sf_profile_free(p);
			return r == -EINVAL || r == -EILSEQ ? EXIT_FINDINGS : EXIT_USAGE;
		}
		sf_findings_clear(&f);
		sf_findings_init(&f, merge);
		r = sf_audit_log_merge(x->log, p, &f, &res, &err);
		print_findings(&f, merge);
		sf_findings_clear(&f);
		if (r < 0)
			goto fail;
		fprintf(
		    stderr,
		    "sysfence explain: %s: %zu syscall%s added, %zu already allowed, %zu left to "
		    "other rules, %zu architecture%s added\n",
		    merge, res.added, res.added == 1 ? "" : "s", res.present, res.left,
		    res.arches_added, res.arches_added == 1 ? "" : "s");
	} else {
		r = sf_audit_log_profile(x->log, &p, &err);
		if (r < 0)
			goto fail;
		if (!p->nrules)
			cli_err("explain", "no syscall seen: the profile allows nothing");
	}
	r = sf_profile_write(p, pfmt, &buf, &err);
	if (r < 0)
		goto fail;
	status = cli_write_output("explain", output, &buf);
	sf_buf_free(&buf);
	sf_profile_free(p);
	return status;
fail:
	cli_print_error(&err);
	sf_buf_free(&buf);
	sf_profile_free(p);
	return EXIT_USAGE;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output-format", required_argument, NULL, 'o'},
	    {"output", required_argument, NULL, 'O'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"profile", no_argument, NULL, 'P'},
	    {"merge", required_argument, NULL, 'M'},
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct explain x = {.fmt = SF_AUDIT_OUT_TEXT};
	const char *oarg = NULL, *output = NULL, *merge = NULL;
	bool profile = false;
	enum sf_out_format pfmt = SF_OUT_JSON;
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:qfh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			oarg = optarg;
			break;
		case 'O':
			output = optarg;
			break;
		case 'q':
			x.quiet = true;
			break;
		case 'P':
			profile = true;
			break;
		case 'M':
			merge = optarg;
			break;
		case 'f':
			x.follow = true;
			break;
		case 'h':
			return cli_help("explain");
		default:
			return cli_usage("explain", "unknown option");
		}
	}
	if (profile && merge)
		return cli_usage("explain", "--profile and --merge: one at a time");
	x.make_profile = profile || merge;
	if (oarg) {
		int f = cli_parse_out(oarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON |
						(x.make_profile ? 1u << CLI_OUT_YAML : 0));
		if (f == CLI_OUT_JSON)
			x.fmt = SF_AUDIT_OUT_JSON;
		if (x.make_profile) {
			/* The profile is JSON or YAML; any other word is where to write it. */
			if (f == CLI_OUT_YAML)
				pfmt = SF_OUT_YAML;
			else if (f < 0 || f == CLI_OUT_TEXT)
				output = oarg;
		} else if (f < 0) {
			return cli_usage("explain", "-o takes text or json, not '%s'", oarg);
		}
	}
	if (x.make_profile)
		x.fmt = SF_AUDIT_OUT_TEXT; /* the summary goes to standard error, as text */

	size_t n = optind < argc ? (size_t)(argc - optind) : 1;
	struct input *in = calloc(n, sizeof(*in));
	x.log = sf_audit_log_new();
	if (!in || !x.log) {
		free(in);
		sf_audit_log_free(x.log);
		cli_err("explain", "out of memory");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		in[i].path = optind < argc ? argv[optind + (int)i] : "-";
		in[i].fd = -1;
	}
	if (optind >= argc && isatty(STDIN_FILENO)) {
		free(in);
		sf_audit_log_free(x.log);
		return cli_usage("explain", "no input: give a FILE, '-' or /dev/kmsg");
	}
	x.to_stdout = !x.make_profile && (!output || strcmp(output, "-") == 0);

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	if (x.follow) {
		/* No SA_RESTART: a signal ends poll() and read() at once. */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}

	if (read_all(&x, in, n) < 0)
		status = EXIT_USAGE;

	struct sf_audit_stats st;
	sf_audit_log_stats(x.log, &st);
	if (x.hidden)
		cli_err("explain", "%" PRIu64 " more malformed lines or gaps not shown", x.hidden);
	if (x.make_profile) {
		struct sf_buf b = {0};
		sf_audit_write_summary_line(&st, &b);
		fputs(b.data ? b.data : "", stderr);
		sf_buf_free(&b);
		int s = write_profile(&x, merge, pfmt, output);
		if (s != EXIT_OK)
			status = s;
	} else {
		if (sf_audit_write_summary(x.log, x.fmt, &x.out) < 0) {
			cli_err("explain", "out of memory");
			status = EXIT_USAGE;
		} else if (x.to_stdout) {
			if (flush_out(&x) < 0)
				status = EXIT_USAGE;
		} else if (cli_write_output("explain", output, &x.out) != EXIT_OK) {
			status = EXIT_USAGE;
		}
	}
	if (st.records == 0 && x.fmt == SF_AUDIT_OUT_TEXT && status == EXIT_OK)
		fprintf(stderr, "sysfence explain: no seccomp records. KILL and LOG actions are "
				"always logged; ERRNO, TRAP, TRACE and USER_NOTIF only under "
				"SECCOMP_FILTER_FLAG_LOG. While auditd runs, records go to "
				"/var/log/audit/audit.log.\n");

	for (size_t i = 0; i < n; i++) {
		if (in[i].fd >= 0)
			close_input(&in[i]);
		free(in[i].buf);
	}
	free(in);
	sf_buf_free(&x.out);
	sf_audit_log_free(x.log);
	return status;
}
