"""The settings page's rule and rows: every setting with the shop's value, its default and where the default comes
from (app.core.setting_sources): a rulebook line, a national rule, or the shop's own choice."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.db import transaction
from app.core.errors import Refused
from app.core.models import Setting
from app.core.setting_sources import source_of
from app.core.settings import DEFAULTS, get_setting, set_setting


class SettingRefused(Refused):
    """A value the setting cannot take."""


def setting_rows(shop):
    """[(key, label, value, default, changed, source)] in the order of DEFAULTS; one query for the shop's own."""
    own = {row.key: row.value for row in Setting.select().where(Setting.shop == shop)}
    rows = []
    for key, (default, kind, label) in DEFAULTS.items():
        value = kind(own[key]) if key in own else default
        rows.append({'key': key, 'label': label, 'value': value, 'default': default, 'changed': value != default,
                     'source': source_of(key)})
    return rows


def _parse(key, text):
    default, kind, _label = DEFAULTS[key]
    text = (text or '').strip()
    if kind is str:
        if len(text) > 200:
            raise SettingRefused(_l('At most 200 characters.'), field='value')
        return text
    try:
        value = kind(text)
    except (ValueError, InvalidOperation):
        if kind is int:
            raise SettingRefused(_l('Enter a whole number, e.g. %(example)s.', example=default), field='value')
        raise SettingRefused(_l('Enter a number, e.g. %(example)s.', example=default), field='value')
    if value < 0 or (kind is Decimal and not value.is_finite()):
        raise SettingRefused(_l('Enter a number of zero or more.'), field='value')
    return value


def change_setting(shop, by, key, text):
    """The shop's own value for one setting, with its audit event."""
    if key not in DEFAULTS:
        raise SettingRefused(_l('There is no such setting.'), status=404)
    value = _parse(key, text)
    with transaction():
        before = get_setting(shop, key)
        set_setting(shop, key, value)
        audit.record('setting.changed', 'shop', shop.id, shop=shop, actor=by, before={key: before},
                     after={key: value})
    return value
