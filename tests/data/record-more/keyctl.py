# Something Docker's default profile refuses (keyctl) among what it allows (files, a socket):
# recorded with --base @runtime-default, only keyctl must remain.
import ctypes
import os
import socket

libc = ctypes.CDLL(None, use_errno=True)
KEYCTL_INVALID_OP = 9999  # EOPNOTSUPP when let through
r = libc.syscall(250, KEYCTL_INVALID_OP)  # keyctl on x86_64
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.close()
print("keyctl: %d %s" % (r, os.strerror(ctypes.get_errno())))
