"""A real server process the fault tests start, kill with SIGKILL and start again, and a browser for it."""
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORM_RE = re.compile(r'<form\b[^>]*\baction="([^"]+)"[^>]*>(.*?)</form>', re.S)
INPUT_RE = re.compile(r'<input\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"', re.S)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def form_fields(html, action):
    """The hidden and filled inputs of the form posting to `action` on a page (None if there is none)."""
    for found, body in FORM_RE.findall(html):
        if found == action:
            return dict(INPUT_RE.findall(body))
    return None


class Server:
    """`python -m tests.ops.serve` on a free port, with the test's database and instance folder."""

    def __init__(self, database_url, instance_path, log_path, **env):
        self.database_url, self.instance_path, self.log_path = database_url, instance_path, log_path
        self.env = env
        self.proc = None
        self.port = free_port()
        self.base = 'http://127.0.0.1:%d' % self.port

    def start(self, **env):
        environ = dict(os.environ, DATABASE_URL=self.database_url, INSTANCE_PATH=self.instance_path,
                       PYTHONPATH=ROOT, **dict(self.env, **env))
        environ.pop('FLASK_DEBUG', None)
        log = open(self.log_path, 'ab')
        self.proc = subprocess.Popen([sys.executable, '-m', 'tests.ops.serve', str(self.port)], cwd=ROOT, env=environ,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('server exited:\n%s' % self.log())
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('server did not start:\n%s' % self.log())

    def kill(self):
        """SIGKILL: no clean-up of any kind, as a power cut or the OOM killer would."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self):
        try:
            with open(self.log_path, errors='replace') as fh:
                return fh.read()[-4000:]
        except OSError:
            return ''


class Response:
    def __init__(self, status, text, headers):
        self.status, self.text, self.headers = status, text, headers


class Browser:
    """Cookies, redirects followed, every answer returned (4xx/5xx too)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method, path, data=None, headers=None, timeout=30):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, resp.read().decode('utf-8', 'replace'), resp.headers)
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode('utf-8', 'replace'), exc.headers)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, data, **kw):
        return self.request('POST', path, data=data, **kw)

    def login(self, username, password):
        resp = self.post('/login', {'username': username, 'password': password})
        assert resp.status == 200 and 'name="password"' not in resp.text, resp.text[:500]
        return self


def kill_in_the_middle(server, tmp_path, action, send):
    """Start the server so that `action` stops inside its transaction, send the request, SIGKILL the server."""
    marker = str(tmp_path / ('hung-%s' % uuid.uuid4().hex))
    server.start(FAULT_HANG_AT=action, FAULT_MARKER=marker)
    outcome = {}

    def user():
        try:
            outcome['response'] = send()
        except OSError as exc:          # the connection dies with the server
            outcome['error'] = exc
    thread = threading.Thread(target=user)
    thread.start()
    deadline = time.monotonic() + 30
    while not os.path.exists(marker):
        assert time.monotonic() < deadline, 'the action never reached its audit event:\n' + server.log()
        assert thread.is_alive(), 'the request ended before the action: %r\n%s' % (outcome, server.log())
        time.sleep(0.05)
    server.kill()
    thread.join(timeout=30)
    assert 'response' not in outcome, 'the user got an answer from a killed server'
    server.start()      # restarted, no fault
