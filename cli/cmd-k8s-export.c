/* sysfence k8s export: a profile as a SeccompProfile, a ConfigMap and DaemonSet, or a patch. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/k8s.h>

#include "cmd-k8s.h"
#include "compile-common.h"

#define CMD	     "k8s export"
#define MAX_PROFILES 64

static int parse_as(const char *s, enum sf_k8s_export_as *as)
{
	static const struct {
		const char *name;
		enum sf_k8s_export_as as;
	} v[] = {
	    {"spo", SF_K8S_EXPORT_SPO},
	    {"configmap", SF_K8S_EXPORT_CONFIGMAP},
	    {"daemonset", SF_K8S_EXPORT_DAEMONSET},
	    {"patch", SF_K8S_EXPORT_PATCH},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(s, v[i].name) == 0) {
			*as = v[i].as;
			return 0;
		}
	return -1;
}

static int parse_for(const char *s, enum sf_k8s_patch_for *f)
{
	static const struct {
		const char *name;
		enum sf_k8s_patch_for f;
	} v[] = {
	    {"template", SF_K8S_PATCH_TEMPLATE},
	    {"cronjob", SF_K8S_PATCH_CRONJOB},
	    {"pod", SF_K8S_PATCH_POD},
	    {"securitycontext", SF_K8S_PATCH_SECURITY_CONTEXT},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(s, v[i].name) == 0) {
			*f = v[i].f;
			return 0;
		}
	return -1;
}

/* The profile's file name when the library's error has none (a built-in, a resolved copy). */
static void print_export_error(struct sf_error *err, const char *path)
{
	if (!err->file[0] && err->code == -EINVAL && path && err->line)
		snprintf(err->file, sizeof(err->file), "%s", path);
	if (!err->file[0])
		cli_err(CMD, "%s", err->msg);
	else
		cli_print_error(err);
}

struct loaded {
	struct sf_profile *v[MAX_PROFILES];
	size_t n;
};

static void loaded_free(struct loaded *l)
{
	for (size_t i = 0; i < l->n; i++)
		sf_profile_free(l->v[i]);
	l->n = 0;
}

/* Read, check and (with --resolve) resolve one profile. Returns an exit status. */
static int load(const char *path, bool resolve, struct target_opts *t, struct sf_profile **out)
{
	struct sf_profile *p = NULL;
	int r;

	*out = NULL;
	if (!resolve)
		return cli_load_profile(CMD, path, out);
	r = cli_load_profile(CMD, path, &p);
	if (r != EXIT_OK)
		return r;
	/* Resolution keeps the rules, not the SeccompProfile object around them: what would be
	 * lost is refused first, as export does without --resolve. */
	const struct sf_node *v = NULL;
	if (p->node && p->node->kind == SF_NODE_OBJECT &&
	    ((v = sf_node_get(p->node, "baseProfileName")) ||
	     ((v = sf_node_get(p->node, "state")) &&
	      !(v->kind == SF_NODE_STRING && strcmp(v->str, "Enabled") == 0)))) {
		fprintf(stderr, "%s:%u:%u: error: spec.%s: %s\n", path, v->line, v->col,
			sf_node_get(p->node, "baseProfileName") ? "baseProfileName" : "state",
			sf_node_get(p->node, "baseProfileName")
			    ? "the base profile's rules are not part of this profile; merge "
			      "them in first"
			    : "the profile is disabled (the operator does not install it)");
		sf_profile_free(p);
		return EXIT_FINDINGS;
	}
	sf_profile_free(p);
	t->copts.strict = true;
	return target_load(CMD, path, t, out);
}

int k8s_export(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 0x200,
		OPT_OPERATOR,
		OPT_FOR,
		OPT_OBJECT,
		OPT_IMAGE,
		OPT_KROOT,
		OPT_RESOLVE,
		OPT_DROP,
		OPT_AS,
		OPT_NS
	};
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"as", required_argument, NULL, OPT_AS},
	    {"namespace", required_argument, NULL, OPT_NS},
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"operator", no_argument, NULL, OPT_OPERATOR},
	    {"for", required_argument, NULL, OPT_FOR},
	    {"object-name", required_argument, NULL, OPT_OBJECT},
	    {"image", required_argument, NULL, OPT_IMAGE},
	    {"kubelet-root", required_argument, NULL, OPT_KROOT},
	    {"resolve", no_argument, NULL, OPT_RESOLVE},
	    {"drop-comments", no_argument, NULL, OPT_DROP},
	    {"help", no_argument, NULL, 'h'},
	    TARGET_LONG_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	const char *names[MAX_PROFILES];
	size_t nnames = 0;
	const char *output = NULL;
	struct sf_k8s_export_opts o = {.patch_for = SF_K8S_PATCH_TEMPLATE};
	struct target_opts t = {0};
	bool has_as = false, json = false, resolve = false, has_for = false, target_given = false;
	struct loaded l = {0};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	struct sf_buf out = {0};
	int c, status;

	while ((c = getopt_long(argc, argv, "n:o:h", opts, NULL)) != -1) {
		int tr = target_option(CMD, c, optarg, &t);
		if (tr < 0)
			return EXIT_USAGE;
		if (tr > 0) {
			if (c == 0x100 || c == 0x101 || c == 0x102)
				target_given = true;
			else
				return cli_usage(CMD, "that option is not one of export's");
			continue;
		}
		switch (c) {
		case 'n':
			if (nnames == MAX_PROFILES)
				return cli_usage(CMD, "at most %d profiles", MAX_PROFILES);
			names[nnames++] = optarg;
			break;
		case OPT_AS:
			if (parse_as(optarg, &o.as) < 0)
				return cli_usage(
				    CMD,
				    "--as takes spo, configmap, daemonset or patch, not "
				    "'%s'",
				    optarg);
			has_as = true;
			break;
		case OPT_NS:
			o.namespace = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "yaml") == 0)
				json = false;
			else if (strcmp(optarg, "json") == 0)
				json = true;
			else
				return cli_usage(CMD, "--format takes yaml or json, not '%s'",
						 optarg);
			break;
		case OPT_OPERATOR:
			o.operator_path = true;
			break;
		case OPT_FOR:
			if (parse_for(optarg, &o.patch_for) < 0)
				return cli_usage(CMD,
						 "--for takes template, cronjob, pod or "
						 "securitycontext, not '%s'",
						 optarg);
			has_for = true;
			break;
		case OPT_OBJECT:
			o.object_name = optarg;
			break;
		case OPT_IMAGE:
			o.image = optarg;
			break;
		case OPT_KROOT:
			o.kubelet_root = optarg;
			break;
		case OPT_RESOLVE:
			resolve = true;
			break;
		case OPT_DROP:
			o.flags |= SF_K8S_SPO_DROP_COMMENTS;
			break;
		case 'h':
			return cli_help("k8s");
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (!has_as)
		return cli_usage(CMD, "say what to export: --as spo|configmap|daemonset|patch");
	if (optind >= argc)
		return cli_usage(CMD, "no profile given (a file, or a built-in such as "
				      "@runtime-default)");
	size_t nprof = (size_t)(argc - optind);
	if (nprof > MAX_PROFILES)
		return cli_usage(CMD, "at most %d profiles", MAX_PROFILES);
	if (nnames == 0)
		return cli_usage(CMD, "--name NAME is needed: the profile's name in the cluster "
				      "(file NAME.json)");
	if (nnames != nprof)
		return cli_usage(CMD,
				 "%zu profile%s but %zu --name: give one --name per profile, "
				 "in the same order",
				 nprof, nprof == 1 ? "" : "s", nnames);
	for (size_t i = 0; i < nnames; i++)
		if (!sf_k8s_valid_name(names[i]))
			return cli_usage(CMD,
					 "--name '%s' is not a valid Kubernetes name: lower-case "
					 "letters, digits, '-' and '.', starting and ending with a "
					 "letter or digit, at most 253 characters",
					 names[i]);
	if ((o.as == SF_K8S_EXPORT_SPO || o.as == SF_K8S_EXPORT_PATCH) && nprof > 1)
		return cli_usage(CMD, "--as %s exports one profile",
				 o.as == SF_K8S_EXPORT_SPO ? "spo" : "patch");
	if (o.as == SF_K8S_EXPORT_SPO && o.namespace)
		return cli_usage(CMD,
				 "a SeccompProfile is cluster-scoped (security-profiles-"
				 "operator's CRD says scope: Cluster): it takes no --namespace");
	if (o.as == SF_K8S_EXPORT_PATCH && o.namespace)
		return cli_usage(CMD, "a patch takes no --namespace (kubectl patch -n NS does)");
	if (o.operator_path && o.as != SF_K8S_EXPORT_PATCH)
		return cli_usage(CMD, "--operator goes with --as patch: it points the workload at "
				      "the profile the operator installed from --as spo");
	if (has_for && o.as != SF_K8S_EXPORT_PATCH)
		return cli_usage(CMD, "--for goes with --as patch");
	if ((o.object_name || o.image || o.kubelet_root) && o.as != SF_K8S_EXPORT_DAEMONSET &&
	    !(o.object_name && o.as == SF_K8S_EXPORT_CONFIGMAP))
		return cli_usage(CMD, "--object-name, --image and --kubelet-root go with --as "
				      "daemonset (--object-name also with configmap)");
	if (o.flags && o.as != SF_K8S_EXPORT_SPO)
		return cli_usage(CMD, "--drop-comments goes with --as spo (the other exports keep "
				      "comments)");
	if (target_given && !resolve)
		return cli_usage(CMD, "--arch, --caps and --kernel go with --resolve");
	if (o.namespace && !sf_k8s_valid_namespace(o.namespace))
		return cli_usage(CMD,
				 "--namespace '%s' is not a valid namespace: lower-case "
				 "letters, digits and '-', at most 63 characters",
				 o.namespace);

	for (int i = optind; i < argc; i++) {
		status = load(argv[i], resolve, &t, &l.v[l.n]);
		if (status != EXIT_OK) {
			loaded_free(&l);
			return status;
		}
		l.n++;
	}
	o.profiles = (const struct sf_profile *const *)l.v;
	o.names = names;
	o.nprofiles = l.n;
	if (sf_k8s_export(&o, &doc, &err) < 0) {
		print_export_error(&err, nprof == 1 ? argv[optind] : NULL);
		if (err.code == -EINVAL && o.as == SF_K8S_EXPORT_SPO)
			fprintf(stderr, "(security-profiles-operator's SeccompProfile cannot hold "
					"this profile as it is; nothing was written)\n");
		loaded_free(&l);
		return err.code == -EINVAL ? EXIT_FINDINGS : EXIT_USAGE;
	}
	status = EXIT_OK;
	if (sf_k8s_write_objects(doc, json, &out, &err) < 0) {
		print_export_error(&err, NULL);
		status = EXIT_USAGE;
	} else {
		status = cli_write_output(CMD, output, &out);
	}
	sf_buf_free(&out);
	sf_doc_free(doc);
	loaded_free(&l);
	return status;
}
