"""The load test, short: 45 s of the shop's devices on SQLite behind gunicorn (see bench/load/run.py).

12 technicians, 2 advisors, 1 board and 60 customers with status links for 45 s, then the same mix flat out
against a bare Flask endpoint. `make load` runs the full 5 minutes with 40/5/3/200 on SQLite and PostgreSQL.
Installs locust (requirements-bench.txt) into this Python if it is missing.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure_locust():
    try:
        import locust  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '-r',
                        os.path.join(ROOT, 'requirements-bench.txt')], check=True)


def run_short(*db_args):
    """The short run of bench/load/run.py on the given database; its BENCH lines to stdout, the rest to stderr."""
    ensure_locust()
    cmd = [sys.executable, os.path.join(HERE, 'load', 'run.py'), *db_args, '--seconds', '45',
           '--sat-seconds', '8', '--technicians', '12', '--advisors', '2', '--boards', '1', '--customers', '60']
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    figures = [line for line in proc.stdout.splitlines() if line.startswith('BENCH ')]
    for line in proc.stdout.splitlines():
        print(line, file=sys.stdout if line.startswith('BENCH ') else sys.stderr, flush=True)
    sys.stderr.write(proc.stderr[-3000:])
    return 0 if figures else (proc.returncode or 1)   # a MISS is in the figures; bench/run.py reads them


def main():
    return run_short('--db', 'sqlite')


if __name__ == '__main__':
    sys.exit(main())
