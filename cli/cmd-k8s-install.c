/* sysfence k8s install: profiles into the kubelet's seccomp directory, once or kept in step. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sysfence/k8s.h>

#include "cli.h"
#include "cmd-k8s.h"

#define CMD "k8s install"

struct log_ctx {
	const char *dir; /* --sync DIR, or NULL */
	size_t problems;
};

/* One line on stderr per change: what, which file, from where. */
static void log_event(void *data, const struct sf_k8s_event *ev)
{
	struct log_ctx *ctx = data;
	char where[SF_ERROR_MSG_MAX + SF_ERROR_FILE_MAX + 64];

	switch (ev->change) {
	case SF_K8S_ADDED:
	case SF_K8S_REPLACED:
		fprintf(stderr, "sysfence %s: %s %s (from %s)\n", CMD,
			sf_k8s_change_name(ev->change), ev->name, ev->source);
		return;
	case SF_K8S_UNCHANGED:
		/* A sync pass repeats every unchanged file: not news. */
		if (!ctx->dir)
			fprintf(stderr, "sysfence %s: unchanged %s (from %s)\n", CMD, ev->name,
				ev->source);
		return;
	case SF_K8S_REMOVED:
		fprintf(stderr, "sysfence %s: removed %s (no longer in %s)\n", CMD, ev->name,
			ctx->dir ? ctx->dir : "the source");
		return;
	case SF_K8S_INVALID:
	case SF_K8S_CONFLICT:
	case SF_K8S_FAILED:
		break;
	}
	ctx->problems++;
	sf_error_format(ev->err, where, sizeof(where));
	if (ev->change == SF_K8S_INVALID)
		fprintf(stderr, "%s; %s %s\n", where,
			ev->kept ? "the installed version is kept:" : "not installed:", ev->name);
	else if (ev->change == SF_K8S_FAILED && ev->kept && ev->name[0])
		fprintf(stderr, "%s; %s is left as it was\n", where, ev->name);
	else
		fprintf(stderr, "%s\n", where);
}

/* SIGTERM and SIGINT end the watch: blocked, and read from a signalfd. */
static int stop_fd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int k8s_install(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'r'}, {"sync", required_argument, NULL, 's'},
	    {"once", no_argument, NULL, '1'},	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	const char *root = SF_K8S_DEFAULT_ROOT, *dir = NULL;
	bool once = false, has_interval = false;
	unsigned long interval = 60;
	struct sf_error err = {0};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 's':
			dir = optarg;
			break;
		case '1':
			once = true;
			break;
		case 'i': {
			char *end;
			errno = 0;
			interval = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || interval > 86400)
				return cli_usage(
				    CMD, "--interval takes seconds, 0 to 86400, not '%s'", optarg);
			has_interval = true;
			break;
		}
		case 'h':
			return cli_help("k8s");
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (!root[0])
		return cli_usage(CMD, "--root needs a directory");
	if (!dir) {
		if (once || has_interval)
			return cli_usage(CMD, "--once and --interval go with --sync DIR");
		if (optind >= argc)
			return cli_usage(CMD, "no profile given (or --sync DIR)");
		struct log_ctx ctx = {0};
		int r = sf_k8s_install(root, (const char *const *)argv + optind,
				       (size_t)(argc - optind), log_event, &ctx, &err);
		if (r < 0) {
			cli_err(CMD, "%s", err.msg);
			return r == -EINVAL ? EXIT_FINDINGS : EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (optind < argc)
		return cli_usage(CMD, "--sync DIR takes no PROFILE: the profiles are DIR's");

	struct log_ctx ctx = {.dir = dir};
	if (once) {
		struct sf_k8s_sync_stats st;
		if (sf_k8s_sync_once(root, dir, log_event, &ctx, &st, &err) < 0) {
			cli_err(CMD, "%s", err.msg);
			return EXIT_USAGE;
		}
		return st.failed		    ? EXIT_USAGE
		       : st.invalid || st.conflicts ? EXIT_FINDINGS
						    : EXIT_OK;
	}
	int sfd = stop_fd();
	if (sfd < 0) {
		cli_err(CMD, "cannot set up signals: %s", strerror(errno));
		return EXIT_USAGE;
	}
	fprintf(stderr, "sysfence %s: keeping %s in step with %s (SIGTERM or SIGINT to stop)\n",
		CMD, root, dir);
	int r = sf_k8s_sync_watch(root, dir, sfd, (unsigned)interval * 1000, log_event, &ctx, &err);
	close(sfd);
	if (r < 0) {
		cli_err(CMD, "%s", err.msg);
		return EXIT_USAGE;
	}
	fprintf(stderr, "sysfence %s: stopped\n", CMD);
	return EXIT_OK;
}
