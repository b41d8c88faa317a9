"""The load test, short, on PostgreSQL: bench_load's 45 s of the shop's devices behind gunicorn (bench/load/run.py).

The shop of bench_load (12 technicians, 2 advisors, 1 board, 60 customers with status links) on PostgreSQL
(BENCH_PG_URL, default the database bench_pg on 127.0.0.1, emptied and built anew), then the same mix flat out
against a bare Flask endpoint. Figures: pg_load_errors, pg_load_p95_tech_tap, pg_load_p95_board_poll,
pg_load_p95_status_page, pg_load_vs_bare_ratio.
"""
import os
import sys

from bench_load import run_short

PG_URL = os.environ.get('BENCH_PG_URL', 'postgresql://postgres@127.0.0.1:5432/bench_pg')


def main():
    return run_short('--db', 'postgres', '--pg-url', PG_URL, '--figures', 'pg')


if __name__ == '__main__':
    sys.exit(main())
