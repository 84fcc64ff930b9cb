#!/usr/bin/env bats
# make install: the library, headers, pkg-config file, command and man page, usable by others.

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

@test "make install PREFIX DESTDIR gives a library a program can build against with pkg-config" {
	run make -C "$TOP" -s install PREFIX=/usr DESTDIR="$TMP/root"
	[ "$status" -eq 0 ]
	[ -x "$TMP/root/usr/bin/sysfence" ]
	[ -f "$TMP/root/usr/share/man/man1/sysfence.1" ]
	[ -f "$TMP/root/usr/include/sysfence/sysfence.h" ]
	grep -q '^prefix=/usr$' "$TMP/root/usr/lib/pkgconfig/sysfence.pc"
	cat >"$TMP/use.c" <<'C'
#include <sysfence/sysfence.h>
#include <stdio.h>
int main(void)
{
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	if (sf_profile_builtin("@runtime-default", &p, &err) < 0)
		return 1;
	printf("%s %zu\n", sf_version(), p->nrules);
	sf_profile_free(p);
	return 0;
}
C
	flags=$(PKG_CONFIG_SYSROOT_DIR="$TMP/root" PKG_CONFIG_LIBDIR="$TMP/root/usr/lib/pkgconfig" \
		pkg-config --cflags --libs --static sysfence)
	# shared
	cc -o "$TMP/use" "$TMP/use.c" $flags
	run env LD_LIBRARY_PATH="$TMP/root/usr/lib" "$TMP/use"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+\ [0-9]+$ ]]
	# static
	cc -o "$TMP/use-static" "$TMP/use.c" -I"$TMP/root/usr/include" "$TMP/root/usr/lib/libsysfence.a" -lyaml
	run "$TMP/use-static"
	[ "$status" -eq 0 ]
	run "$TMP/root/usr/bin/sysfence" --version
	[ "$status" -eq 0 ]
}
