"""Run every bench/bench_*.py; each prints lines `BENCH <name> <value> <unit> target <op><number> OK|MISS`.

Exits non-zero when any figure is a MISS or a script fails.
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    scripts = sorted(glob.glob(os.path.join(HERE, 'bench_*.py')))
    failed = False
    for script in scripts:
        proc = subprocess.run([sys.executable, script], cwd=os.path.dirname(HERE), capture_output=True, text=True)
        lines = [l for l in proc.stdout.splitlines() if l.startswith('BENCH ')]
        for line in lines:
            print(line, flush=True)
            failed |= line.endswith(' MISS')
        if proc.returncode != 0 or not lines:
            print('bench script failed: %s\n%s' % (os.path.basename(script), proc.stderr[-2000:]), file=sys.stderr)
            failed = True
    print('%d benchmark scripts, %s' % (len(scripts), 'MISS' if failed else 'all OK'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
