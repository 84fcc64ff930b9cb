# A client and a server on 127.0.0.1 in one process: http.server in a thread, urllib as the
# client. With "netlink" as argument it then opens an AF_NETLINK socket too, which a profile
# recorded with --args (domains seen: AF_INET) must refuse.
import http.server
import socket
import socketserver
import sys
import threading
import urllib.request


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


srv = socketserver.TCPServer(("127.0.0.1", 0), Quiet)
port = srv.server_address[1]
t = threading.Thread(target=srv.serve_forever)
t.start()
try:
    body = urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10).read()
    print("http: got %s" % ("a listing" if b"<html" in body.lower() else "something else"))
finally:
    srv.shutdown()
    t.join()
    srv.server_close()

if len(sys.argv) > 1 and sys.argv[1] == "netlink":
    try:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        s.close()
        print("netlink: opened")
    except PermissionError:
        print("netlink: refused")
