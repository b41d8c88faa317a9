"""`python -m tests.ops.serve PORT`: the app on 127.0.0.1:PORT in one process (threads), for the fault tests.

Reads DATABASE_URL and INSTANCE_PATH. FAULT_HANG_AT=<audit action> makes that action stop right after
writing its audit event, inside its transaction, and touch FAULT_MARKER: the test then kills the process
with SIGKILL (or cuts the database off) in the middle of the user's action, before anything is committed.
FAULT_SLEEP: how long it stops there (default: for good). DATABASE_BUSY_TIMEOUT and DATABASE_CONNECT_WAIT
(seconds) shorten how long a request waits for a locked or absent database.
"""
import os
import sys
import time

from werkzeug.serving import make_server

from app import create_app

CONFIG = {
    'SECRET_KEY': 'test-secret',      # as tests/conftest.py: status links issued by a test open here
    'WTF_CSRF_ENABLED': False,
    'ARGON2_TIME_COST': 1,
    'ARGON2_MEMORY_COST': 1024,
    'BABEL_DEFAULT_LOCALE': 'en',
}


def hang_at(action, marker, seconds):
    from app.core import audit
    original = audit.record

    def record(what, *args, **kwargs):
        result = original(what, *args, **kwargs)
        if what == action:
            with open(marker, 'w') as fh:
                fh.write(str(os.getpid()))
            time.sleep(seconds)
        return result
    audit.record = record


def main():
    port = int(sys.argv[1])
    config = dict(CONFIG, DATABASE_URL=os.environ['DATABASE_URL'])
    for name in ('DATABASE_BUSY_TIMEOUT', 'DATABASE_CONNECT_WAIT'):
        if os.environ.get(name):
            config[name] = float(os.environ[name])
    app = create_app(config)
    if os.environ.get('FAULT_HANG_AT'):
        hang_at(os.environ['FAULT_HANG_AT'], os.environ['FAULT_MARKER'], float(os.environ.get('FAULT_SLEEP', 600)))
    make_server('127.0.0.1', port, app, threaded=True).serve_forever()


if __name__ == '__main__':
    main()
