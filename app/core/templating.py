"""What every template can use: the current shop, access checks, language, time and money formatting."""
from flask import current_app
from flask_babel import format_datetime
from flask_login import current_user

from app.core import timeline
from app.core.access import ROLE_LABELS, may_use
from app.core.i18n import LANGUAGE_NAMES, current_language, html_lang, template_gettext
from app.core.idempotency import idem_key
from app.core.money import format_money
from app.core.timeutil import to_local, zone_name
from app.core.trades import trade_label


def init_app(app, current_shop, tiles_for):
    """`current_shop` and `tiles_for` come from the factory, so the core imports no area."""

    @app.context_processor
    def _context():
        return {
            'current_shop': current_shop,
            'may_use': may_use,
            'role_labels': ROLE_LABELS,
            'language_names': LANGUAGE_NAMES,
            'current_language': current_language,
            'html_lang': html_lang,
            'home_tiles': lambda: tiles_for(current_user),
            'idem_key': idem_key,
            'event_title': timeline.title,
            'event_detail': timeline.detail,
            'event_sentence': timeline.sentence,
            'audit_raw': lambda: timeline.shows_raw(current_user),
            **template_gettext(),
        }

    @app.template_filter('local')
    def _local(dt, fmt='yyyy-MM-dd HH:mm'):
        """A UTC timestamp shown in the current shop's time zone."""
        if dt is None:
            return ''
        shop = current_shop()
        tz = shop.timezone if shop else current_app.config['BABEL_DEFAULT_TIMEZONE']
        return format_datetime(to_local(dt, tz).replace(tzinfo=None), fmt, rebase=False)

    app.template_filter('money')(format_money)

    app.template_filter('trade')(trade_label)

    @app.template_filter('zone_name')
    def _zone_name(tz_name):
        """A time zone in the reader's language ("北京时间"), not its code ("Asia/Shanghai")."""
        return zone_name(tz_name, current_language())
