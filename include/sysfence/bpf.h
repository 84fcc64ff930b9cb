/*
 * sysfence — classic BPF seccomp programs: validate (the kernel's rules), emulate on a
 * seccomp_data, disassemble, read and write the raw format.
 */
#ifndef SYSFENCE_BPF_H
#define SYSFENCE_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/arch.h>
#include <sysfence/doc.h>
#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's limits: one filter, and all filters stacked on a process (each costs len + 4). */
#define SF_BPF_MAXINSNS 4096
#define SF_BPF_MAX_TOTAL_INSNS 32768

struct sf_prog {
	struct sock_filter *insns; /* malloc'd */
	size_t len;
};
void sf_prog_free(struct sf_prog *p); /* frees insns, leaves p empty */

/*
 * Check a program against what the kernel's seccomp loader accepts (sk_chk_filter +
 * seccomp_check_filter): length 1..4096, only the opcodes seccomp allows, loads of
 * seccomp_data words that are 4-byte aligned and in range, jumps forward and in range,
 * no division by a constant zero, scratch memory read only after it is written, the last
 * instruction a return. -EINVAL with the offending instruction's index in the message.
 */
int sf_bpf_validate(const struct sock_filter *insns, size_t len, struct sf_error *err);

/*
 * Run a program as the kernel would on d. Fills *ret with the returned value and, when steps
 * is not NULL, *steps with the number of instructions executed. Validate a program once
 * (sf_bpf_validate) before emulating it: an invalid instruction on the path taken gives
 * -EINVAL, never undefined behaviour, but one on a path not taken is not noticed.
 */
int sf_bpf_emulate(const struct sock_filter *insns, size_t len, const struct seccomp_data *d,
		   uint32_t *ret, size_t *steps, struct sf_error *err);

/*
 * seccomp_data as the kernel of arch lays it out, for emulating that arch's program on this
 * host: on a kernel of the other byte order each 64-bit argument (and the instruction pointer)
 * has its two 32-bit words the other way round, as a 32-bit load sees them. d is the logical
 * input (arguments as values); out may be d. arch NULL: this host's order.
 */
void sf_seccomp_data_for(const struct sf_arch *arch, const struct seccomp_data *d,
			 struct seccomp_data *out);

/* What the kernel does with a filter's return value: the data it ignores dropped (only
 * ERRNO, TRAP and TRACE carry it; ERRNO's is capped at 4095), an unknown action made
 * KILL_PROCESS (kernel/seccomp.c). Two returns with the same effect are the same outcome. */
uint32_t sf_ret_effect(uint32_t ret);

/* "ALLOW", "ERRNO(1)", "KILL_PROCESS", "KILL_THREAD", "TRAP(0)", "TRACE(5)", "LOG",
 * "USER_NOTIF", or "UNKNOWN(0x...)". Returns buf. */
const char *sf_ret_describe(uint32_t ret, char *buf, size_t size);

/*
 * One instruction a line: index, jump targets as labels, loads named after seccomp_data fields,
 * arch constants named (AUDIT_ARCH_X86_64), syscall numbers named for the arch the program
 * checked last on that path when known (or for `arch` if given), returns decoded.
 */
int sf_bpf_disasm(const struct sock_filter *insns, size_t len, const struct sf_arch *arch,
		  struct sf_buf *out);

/* Raw format: the kernel's struct sock_filter array, host byte order (what
 * seccomp_export_bpf writes). */
int sf_bpf_read_raw(const char *path, struct sf_prog *out, struct sf_error *err);
int sf_bpf_from_bytes(const void *data, size_t len, struct sf_prog *out, struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
