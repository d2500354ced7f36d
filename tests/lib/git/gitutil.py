"""Test helpers: the real git binary as the checker, and a smart-HTTP git server with Basic auth."""
import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BRANCH = "notion-backups"


def git(*args, cwd=None, check=True, input=None, extra_env=None):
    """Run the real git binary and return its stdout as bytes."""
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t", **(extra_env or {}))
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, input=input, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def project_checkout(project, name, text):
    """A user's checkout: `main` checked out, with one committed file `name`."""
    project.mkdir()
    git("init", "-q", "-b", "main", cwd=project)
    (project / name).write_text(text)
    git("add", name, cwd=project)
    git("commit", "-q", "-m", "main", cwd=project)
    return project


def fsck(git_dir):
    """Assert `git fsck --strict` finds nothing wrong in `git_dir`."""
    proc = subprocess.run(["git", "--git-dir", str(git_dir), "fsck", "--strict", "--no-dangling"],
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace") + proc.stdout.decode(errors="replace")
    assert b"error" not in proc.stderr.lower(), proc.stderr


def ls_tree(git_dir, rev=BRANCH):
    """Return {path bytes: (mode, sha)} of every blob at `rev`, read by git itself."""
    out = git("--git-dir", str(git_dir), "ls-tree", "-r", "-z", "--full-tree", rev)
    result = {}
    for item in out.split(b"\x00"):
        if item:
            meta, path = item.split(b"\t", 1)
            mode, _, sha = meta.split(b" ")
            result[path] = (mode.decode(), sha.decode())
    return result


def log(git_dir, rev=BRANCH):
    """Return [(sha, parents list, subject)] newest first, as git log sees them."""
    out = git("--git-dir", str(git_dir), "log", "--format=%H %P%x00%s", rev).decode()
    rows = []
    for line in out.splitlines():
        shas, subject = line.split("\x00", 1)
        sha, *parents = shas.split()
        rows.append((sha, parents, subject))
    return rows


def rev(git_dir, name=BRANCH):
    """Return the sha git resolves `name` to in `git_dir`, or None."""
    out = git("--git-dir", str(git_dir), "rev-parse", "--verify", "-q", name, check=False).strip()
    return out.decode() or None


def git_tree_of(directory, exclude=(".staging",)):
    """Return the tree id `git add -A` gives for `directory` minus excluded top-level names."""
    ref_dir, index = str(directory) + ".gitref", str(directory) + ".idx"
    if not os.path.exists(ref_dir):
        git("init", "-q", "--bare", ref_dir)
    args, env = ["--git-dir", ref_dir, "--work-tree", str(directory)], {"GIT_INDEX_FILE": index}
    try:
        git(*args, "add", "-A", "--", ".", *[f":(exclude){name}" for name in exclude], extra_env=env)
        return git(*args, "write-tree", extra_env=env).decode().strip()
    finally:
        if os.path.exists(index):
            os.unlink(index)


class GitHTTPServer:
    """`git http-backend` behind a threaded http.server on 127.0.0.1 with Basic auth.

    Request and response bodies stream through (a push of gigabytes never sits in this process's memory).
    """

    def __init__(self, root, username="x-access-token", password="s3cret-token-value"):
        self.root, self.username, self.password = str(root), username, password
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._serve()

            def do_POST(self):
                self._serve()

            def _body_chunks(self):
                """Yield the request body as it arrives (chunked or Content-Length)."""
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return
                        left = size
                        while left:
                            block = self.rfile.read(min(left, 1 << 20))
                            left -= len(block)
                            yield block
                        self.rfile.readline()
                left = int(self.headers.get("Content-Length") or 0)
                while left > 0:
                    block = self.rfile.read(min(left, 1 << 20))
                    if not block:
                        return
                    left -= len(block)
                    yield block

            def _serve(self):
                server.requests.append({"method": self.command, "path": self.path,
                                        "auth": self.headers.get("Authorization")})
                expected = "Basic " + base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    for _ in self._body_chunks() if self.command == "POST" else ():
                        pass
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                env = dict(os.environ, GIT_PROJECT_ROOT=server.root, GIT_HTTP_EXPORT_ALL="1",
                           REQUEST_METHOD=self.command, PATH_INFO=path, QUERY_STRING=query,
                           CONTENT_TYPE=self.headers.get("Content-Type", ""),
                           REMOTE_USER=server.username, REMOTE_ADDR="127.0.0.1",
                           GIT_PROTOCOL=self.headers.get("Git-Protocol", ""),
                           HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding", ""))
                if self.headers.get("Content-Length"):
                    env["CONTENT_LENGTH"] = self.headers["Content-Length"]   # else http-backend reads to EOF
                proc = subprocess.Popen(["git", "http-backend"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env)

                def feed():
                    try:
                        for block in self._body_chunks() if self.command == "POST" else ():
                            proc.stdin.write(block)
                    except (OSError, ValueError):   # the client hung up mid-body (a crash test), git stopped reading, or the handler closed the stream
                        pass
                    finally:
                        proc.stdin.close()
                feeder = threading.Thread(target=feed, daemon=True)
                feeder.start()
                head = b""
                while b"\r\n\r\n" not in head:
                    more = proc.stdout.read1(65536)
                    if not more:
                        break
                    head += more
                head, _, first = head.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.split(b"\r\n"):
                    key, _, value = line.decode().partition(":")
                    if key.lower() == "status":
                        status = int(value.split()[0])
                    elif key and key.lower() != "content-length":
                        headers.append((key, value.strip()))
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Connection", "close")   # HTTP/1.0: the body ends when the connection does
                self.end_headers()
                self.close_connection = True
                self.wfile.write(first)
                for block in iter(lambda: proc.stdout.read1(1 << 20), b""):
                    self.wfile.write(block)
                feeder.join()
                proc.wait()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name):
        """Return the clean (credential-free) URL of repository `name` under the root."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
