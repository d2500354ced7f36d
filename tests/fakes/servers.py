"""Loopback HTTP servers for the stand-ins: one per role, each knowing its fake and its role."""
import threading
from http.server import ThreadingHTTPServer


def start_servers(fake, handler, roles):
    """Start one threaded server per role on 127.0.0.1 (port 0); return them in order."""
    servers = []
    for role in roles:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads, server.fake, server.role = True, fake, role
        server.handle_error = lambda request, address: None  # clients hang up mid-body in fault tests
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
    return servers


def stop_servers(servers):
    """Shut the servers down and free their ports."""
    for server in servers:
        server.shutdown()
        server.server_close()
