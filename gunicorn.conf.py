"""gunicorn reads this file from the directory it starts in: each worker learns its thread count, so the
PostgreSQL pool holds one connection per thread (app.core.db.pool_settings); DATABASE_POOL_SIZE overrides it."""
import os


def post_fork(server, worker):
    os.environ['GUNICORN_THREADS'] = str(worker.cfg.threads)
