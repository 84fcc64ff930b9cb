/* Machine output of a k8s report: JSON with stable keys, and SARIF 2.1.0 for code scanning. */
#include <errno.h>
#include <stdio.h>

#include "k8s/k8s-internal.h"

#include <sysfence/sysfence.h>

static void str(struct sf_buf *b, const char *s)
{
	if (s)
		sf_json_put_string(b, s, strlen(s));
	else
		sf_buf_puts(b, "null");
}

static void key(struct sf_buf *b, const char *k, bool comma)
{
	if (comma)
		sf_buf_putc(b, ',');
	str(b, k);
	sf_buf_putc(b, ':');
}

static void kv(struct sf_buf *b, const char *k, const char *v, bool comma)
{
	key(b, k, comma);
	str(b, v);
}

static void verdict(struct sf_buf *b, const char *k, const struct sf_k8s_verdict *v)
{
	key(b, k, true);
	sf_buf_printf(b, "{\"allowed\":%s", v->allowed ? "true" : "false");
	kv(b, "reason", v->reason, true);
	sf_buf_putc(b, '}');
}

int sf_k8s_write_json(const struct sf_k8s_report *r, struct sf_buf *b)
{
	sf_buf_printf(b, "{\"kubernetesVersion\":\"1.%u\",\"seccompDefault\":%s", r->opts.minor,
		      r->opts.seccomp_default ? "true" : "false");
	kv(b, "profilesDir", r->opts.profiles_dir, true);
	sf_buf_puts(b, ",\"findings\":[");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct sf_k8s_finding *f = &r->findings[i];
		sf_buf_puts(b, i ? ",\n{" : "\n{");
		kv(b, "level", sf_k8s_level_name(f->level), false);
		kv(b, "rule", f->rule, true);
		kv(b, "file", f->file, true);
		sf_buf_printf(b, ",\"line\":%u,\"column\":%u", f->line, f->col);
		kv(b, "kind", f->kind, true);
		kv(b, "namespace", f->namespace, true);
		kv(b, "name", f->name, true);
		kv(b, "container", f->container, true);
		kv(b, "message", f->message, true);
		kv(b, "fix", f->fix, true);
		sf_buf_putc(b, '}');
	}
	sf_buf_puts(b, "],\"workloads\":[");
	for (size_t i = 0; i < r->nworkloads; i++) {
		const struct sf_k8s_workload *w = &r->workloads[i];
		sf_buf_puts(b, i ? ",\n{" : "\n{");
		kv(b, "file", w->file, false);
		sf_buf_printf(b, ",\"line\":%u,\"column\":%u", w->line, w->col);
		kv(b, "kind", w->kind, true);
		kv(b, "namespace", w->namespace, true);
		kv(b, "name", w->name, true);
		sf_buf_printf(b, ",\"windows\":%s,\"pss\":{", w->windows ? "true" : "false");
		sf_buf_puts(b, "\"seccompControlsOnly\":true");
		verdict(b, "baseline", &w->baseline);
		verdict(b, "restricted", &w->restricted);
		sf_buf_puts(b, "},\"containers\":[");
		for (size_t c = 0; c < w->ncontainers; c++) {
			const struct sf_k8s_container *x = &w->containers[c];
			sf_buf_puts(b, c ? ",{" : "{");
			kv(b, "name", x->name, false);
			kv(b, "role", x->role, true);
			kv(b, "seccomp", sf_k8s_seccomp_name(x->seccomp), true);
			kv(b, "localhostProfile", x->localhost, true);
			kv(b, "source", sf_k8s_source_name(x->source), true);
			sf_buf_printf(b, ",\"line\":%u,\"column\":%u}", x->line, x->col);
		}
		sf_buf_puts(b, "]}");
	}
	sf_buf_printf(b,
		      "],\n\"summary\":{\"files\":%zu,\"documents\":%zu,\"objects\":%zu,"
		      "\"workloads\":%zu,\"unreadable\":%zu,\"errors\":%zu,\"warnings\":%zu,"
		      "\"notes\":%zu}}\n",
		      r->nfiles, r->ndocuments, r->nobjects, r->nworkloads, r->nunreadable,
		      r->count[SF_K8S_ERROR], r->count[SF_K8S_WARNING], r->count[SF_K8S_NOTE]);
	return b->oom ? -ENOMEM : 0;
}

/* SARIF's artifactLocation.uri is a URI reference: file names are percent-encoded. */
static void uri(struct sf_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sf_buf u = {0};

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			sf_buf_putc(&u, (char)*p);
		} else {
			sf_buf_putc(&u, '%');
			sf_buf_putc(&u, hex[*p >> 4]);
			sf_buf_putc(&u, hex[*p & 15]);
		}
	}
	if (u.oom)
		b->oom = true;
	str(b, u.data ? u.data : "");
	sf_buf_free(&u);
}

static size_t rule_index(const char *id)
{
	size_t i;

	for (i = 0; sf_k8s_rules[i].id; i++)
		if (strcmp(sf_k8s_rules[i].id, id) == 0)
			break;
	return i;
}

int sf_k8s_write_sarif(const struct sf_k8s_report *r, struct sf_buf *b)
{
	sf_buf_puts(b, "{\"version\":\"2.1.0\","
		       "\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
		       "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"sysfence\",");
	kv(b, "semanticVersion", sf_version(), false);
	sf_buf_puts(b, ",\"rules\":[");
	for (size_t i = 0; sf_k8s_rules[i].id; i++) {
		const struct sf_k8s_rule *x = &sf_k8s_rules[i];
		sf_buf_puts(b, i ? ",\n{" : "\n{");
		kv(b, "id", x->id, false);
		key(b, "shortDescription", true);
		sf_buf_putc(b, '{');
		kv(b, "text", x->summary, false);
		sf_buf_puts(b, "},\"defaultConfiguration\":{");
		kv(b, "level", sf_k8s_level_name(x->level), false);
		sf_buf_puts(b, "}}");
	}
	sf_buf_puts(b, "]}},\"results\":[");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct sf_k8s_finding *f = &r->findings[i];
		struct sf_buf msg = {0};
		sf_buf_puts(b, i ? ",\n{" : "\n{");
		kv(b, "ruleId", f->rule, false);
		sf_buf_printf(b, ",\"ruleIndex\":%zu", rule_index(f->rule));
		kv(b, "level", sf_k8s_level_name(f->level), true);
		if (f->kind)
			sf_buf_printf(&msg, "%s %s%s%s: ", f->kind,
				      f->namespace && f->namespace[0] ? f->namespace : "",
				      f->namespace && f->namespace[0] ? "/" : "",
				      f->name && f->name[0] ? f->name : "(no name)");
		sf_buf_puts(&msg, f->message);
		if (f->fix)
			sf_buf_printf(&msg, ". Fix: %s", f->fix);
		if (msg.oom)
			b->oom = true;
		sf_buf_puts(b, ",\"message\":{");
		kv(b, "text", msg.data ? msg.data : "", false);
		sf_buf_free(&msg);
		sf_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{"
			       "\"uri\":");
		uri(b, f->file ? f->file : "");
		sf_buf_putc(b, '}');
		if (f->line)
			sf_buf_printf(b, ",\"region\":{\"startLine\":%u,\"startColumn\":%u}",
				      f->line, f->col ? f->col : 1);
		sf_buf_puts(b, "}");
		if (f->kind) {
			sf_buf_puts(b, ",\"logicalLocations\":[{");
			{
				struct sf_buf fq = {0};
				sf_buf_printf(&fq, "%s/%s%s%s%s%s", f->kind,
					      f->namespace && f->namespace[0] ? f->namespace : "",
					      f->namespace && f->namespace[0] ? "/" : "",
					      f->name ? f->name : "", f->container ? "/" : "",
					      f->container ? f->container : "");
				kv(b, "fullyQualifiedName", fq.data ? fq.data : "", false);
				if (fq.oom)
					b->oom = true;
				sf_buf_free(&fq);
			}
			kv(b, "kind", f->container ? "member" : "resource", true);
			sf_buf_puts(b, "}]");
		}
		sf_buf_puts(b, "}],\"properties\":{");
		kv(b, "kind", f->kind, false);
		kv(b, "namespace", f->namespace, true);
		kv(b, "name", f->name, true);
		kv(b, "container", f->container, true);
		kv(b, "fix", f->fix, true);
		sf_buf_puts(b, "}}");
	}
	sf_buf_puts(b, "]}]}\n");
	return b->oom ? -ENOMEM : 0;
}
