"""ServiceBay: the application factory."""
import os
import secrets

from flask import Flask

from app.config import Config
from app.extensions import babel, csrf, htmx, login_manager


def _secret_key(app):
    """Use SECRET_KEY, else a random key kept in the instance folder so sessions survive restarts."""
    if app.config.get('SECRET_KEY'):
        return app.config['SECRET_KEY']
    path = os.path.join(app.instance_path, 'secret_key')
    os.makedirs(app.instance_path, exist_ok=True)
    if not os.path.exists(path):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def create_app(test_config=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(__name__, instance_path=os.environ.get('INSTANCE_PATH') or os.path.join(root, 'instance'),
                template_folder=os.path.join(root, 'templates'), static_folder=os.path.join(root, 'static'))
    from app.core.web import Response
    app.response_class = Response     # cookies are Secure on every HTTPS request
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config['SECRET_KEY'] = _secret_key(app)

    from app.core import db as core_db
    core_db.init_app(app)

    from app.core import widgets
    widgets.install()
    from app.core.i18n import select_locale
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from app.core import access, params, templating, web
    app.before_request(access.enforce)
    app.before_request(params.refuse_oversized)
    app.after_request(web.security_headers)
    web.register_error_pages(app)

    from app import registry
    from app.accounts.context import current_shop
    templating.init_app(app, current_shop, registry.tiles_for)
    for bp in registry.blueprints():
        app.register_blueprint(bp)

    if app.config.get('TRUST_PROXY'):
        # outermost, after the blueprints' fast paths (board poll, status page) have wrapped the app: they see
        # the client's own address too
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from app import cli
    cli.init_app(app)
    return app
