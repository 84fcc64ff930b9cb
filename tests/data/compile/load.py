#!/usr/bin/env python3
"""load.py PROG.bpf [COMMAND [ARGS...]]

Install the raw seccomp BPF program PROG.bpf (struct sock_filter[], as `sysfence compile`
writes it) on this process the way a container runtime does (PR_SET_NO_NEW_PRIVS, then
seccomp(SECCOMP_SET_MODE_FILTER)), then exec COMMAND under it. Without COMMAND, exit 0 at
once: whether the kernel accepted the program shows in the exit status.

Exit status: 125 if the program could not be read or the kernel refused it (with a message),
otherwise COMMAND's (or 0, or whatever the filter makes of exit_group).
"""
import ctypes
import os
import platform
import sys

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def fail(msg):
    sys.stderr.write("load.py: %s\n" % msg)
    sys.stderr.flush()
    os._exit(125)


def main():
    if len(sys.argv) < 2:
        fail("usage: load.py PROG.bpf [COMMAND [ARGS...]]")
    nr = SYS_SECCOMP.get(platform.machine())
    if nr is None:
        fail("no seccomp syscall number known for " + platform.machine())
    try:
        with open(sys.argv[1], "rb") as f:
            data = f.read()
    except OSError as e:
        fail(str(e))
    if not data or len(data) % 8:
        fail("%s: %d bytes, not a whole number of instructions" % (sys.argv[1], len(data)))
    buf = ctypes.create_string_buffer(data, len(data))
    prog = SockFprog(len(data) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        fail("prctl(PR_SET_NO_NEW_PRIVS): " + os.strerror(ctypes.get_errno()))
    argv = sys.argv[2:]
    execv, exit_now = os.execv, os._exit  # nothing but the syscall itself after loading
    if libc.syscall(ctypes.c_long(nr), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                    ctypes.c_long(0), ctypes.byref(prog)) != 0:
        fail("seccomp(SECCOMP_SET_MODE_FILTER): " + os.strerror(ctypes.get_errno()))
    if not argv:
        exit_now(0)
    execv(argv[0], argv)


main()
