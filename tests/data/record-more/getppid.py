# Exactly 1000 getppid calls (os.getppid is a direct system call), for --report's counts.
import os

for _ in range(1000):
    os.getppid()
print("getppid x1000")
