# threads.py: four threads, each computes and reports; then a subprocess (busybox echo) whose
# output is printed. Exercises clone3/clone, futexes, and fork+exec from a threaded process.
import subprocess, sys, threading

out = []
lock = threading.Lock()

def work(i):
    with lock:
        out.append(i * i)

ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("threads", sorted(out))
print(subprocess.run(["busybox", "echo", "child"], capture_output=True, text=True).stdout.strip())
