/*
 * sysfence run's cache of verified programs. Compiling and proving a profile costs about a
 * millisecond in a fresh process; the same profile with the same options on the same machine
 * always gives the same program, so it is kept, as crun keeps compiled filters. The cache is
 * private (0700, owned by the user, refused if others can write it); a hit needs the whole key
 * to match byte for byte, and the program is validated again. Any problem means: compile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <sysfence/sysfence.h>

#include "run-cache.h"

#define MAGIC "sysfence-bpf-cache 1\n"

static bool private_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return false;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return false;
	return true;
}

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void run_cache_init(struct run_cache *c, const char *profile_path, const char *options)
{
	struct utsname u;
	memset(c, 0, sizeof(*c));
	if (getenv("SYSFENCE_NO_CACHE"))
		return;
	const char *env = getenv("SYSFENCE_CACHE_DIR");
	if (env && *env == '/') {
		snprintf(c->dir, sizeof(c->dir), "%s", env);
	} else if (geteuid() == 0) {
		snprintf(c->dir, sizeof(c->dir), "/var/cache/sysfence");
	} else {
		const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (x && *x == '/')
			snprintf(c->dir, sizeof(c->dir), "%s/sysfence", x);
		else if (home && *home == '/')
			snprintf(c->dir, sizeof(c->dir), "%s/.cache/sysfence", home);
		else
			return;
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", c->dir);
		char *slash = strrchr(parent, '/');
		if (slash) {
			*slash = 0;
			mkdir(parent, 0700);
		}
	}
	/* This very binary: another build of the same version may compile differently. */
	struct stat self;
	if (!private_dir(c->dir) || uname(&u) < 0 || stat("/proc/self/exe", &self) < 0)
		return;
	sf_buf_printf(&c->key, "%s\nsysfence %s build %llu:%llu:%lld.%09ld\n%s\n%s %s\n%s\n",
		      MAGIC, sf_version(), (unsigned long long)self.st_ino,
		      (unsigned long long)self.st_size, (long long)self.st_mtim.tv_sec,
		      self.st_mtim.tv_nsec, sf_arch_native()->name, u.release, u.machine, options);
	if (profile_path[0] == '@') {
		sf_buf_printf(&c->key, "builtin %s\n", profile_path);
	} else {
		char *data;
		size_t len;
		struct sf_error err = { 0 };
		/* Standard input cannot be read twice: no cache for '-'. */
		if (strcmp(profile_path, "-") == 0 ||
		    sf_read_file(profile_path, &data, &len, &err) < 0)
			return;
		sf_buf_printf(&c->key, "file %zu\n", len);
		sf_buf_put(&c->key, data, len);
		free(data);
	}
	if (c->key.oom)
		return;
	snprintf(c->file, sizeof(c->file), "%s/%016llx.bpf", c->dir,
		 (unsigned long long)fnv1a(c->key.data, c->key.len));
	c->usable = true;
}

bool run_cache_get(struct run_cache *c, struct sf_prog *prog, unsigned *flags)
{
	char *data = NULL;
	size_t len;
	struct sf_error err = { 0 };
	struct stat st;
	bool hit = false;

	if (!c->usable || lstat(c->file, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022))
		return false;
	if (sf_read_file(c->file, &data, &len, &err) < 0)
		return false;
	/* key length, key, flags, program */
	size_t need = sizeof(uint64_t) + c->key.len + sizeof(uint32_t);
	uint64_t klen;
	uint32_t fl;
	if (len < need)
		goto out;
	memcpy(&klen, data, sizeof(klen));
	if (klen != c->key.len || memcmp(data + sizeof(klen), c->key.data, c->key.len) != 0)
		goto out;
	memcpy(&fl, data + sizeof(klen) + c->key.len, sizeof(fl));
	if (sf_bpf_from_bytes(data + need, len - need, prog, &err) < 0)
		goto out;
	if (sf_bpf_validate(prog->insns, prog->len, &err) < 0) {
		sf_prog_free(prog);
		goto out;
	}
	*flags = fl;
	hit = true;
out:
	free(data);
	return hit;
}

void run_cache_put(struct run_cache *c, const struct sf_prog *prog, unsigned flags)
{
	if (!c->usable)
		return;
	char tmp[4300];
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", c->file);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	uint64_t klen = c->key.len;
	uint32_t fl = flags;
	struct sf_buf b = { 0 };
	sf_buf_put(&b, &klen, sizeof(klen));
	sf_buf_put(&b, c->key.data, c->key.len);
	sf_buf_put(&b, &fl, sizeof(fl));
	sf_buf_put(&b, prog->insns, prog->len * sizeof(*prog->insns));
	bool ok = !b.oom && fchmod(fd, 0600) == 0 && write(fd, b.data, b.len) == (ssize_t)b.len;
	close(fd);
	if (!ok || rename(tmp, c->file) < 0)
		unlink(tmp);
	sf_buf_free(&b);
}

void run_cache_free(struct run_cache *c)
{
	sf_buf_free(&c->key);
}
