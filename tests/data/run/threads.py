# threads.py N PREFIX: N threads, each prints "tid T PREFIXi" (its kernel thread id) and then
# calls mkdir(PREFIXi), printing the error if it fails. The main thread waits for all.
import os, sys, threading

n, prefix = int(sys.argv[1]), sys.argv[2]
barrier = threading.Barrier(n)
lock = threading.Lock()

def work(i):
    barrier.wait()
    with lock:
        print("tid %d %s%d" % (threading.get_native_id(), prefix, i), flush=True)
    try:
        os.mkdir("%s%d" % (prefix, i))
    except OSError as e:
        with lock:
            print("%s%d: %s" % (prefix, i, e.strerror), flush=True)

ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]
for t in ts:
    t.start()
for t in ts:
    t.join()
