# A local TCP client and server in two processes: the server (a forked child) listens on
# 127.0.0.1, answers one line in upper case; the client prints the answer ("HELLO").
import os, socket, sys

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
pid = os.fork()
if pid == 0:
    conn, _ = srv.accept()
    data = conn.recv(100)
    conn.sendall(data.upper())
    conn.close()
    os._exit(0)
srv.close()
cli = socket.create_connection(("127.0.0.1", port), timeout=10)
cli.sendall(b"hello")
print(cli.recv(100).decode())
cli.close()
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
