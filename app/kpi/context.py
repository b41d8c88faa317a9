"""What every KPI source reads: the shops, the period's buckets, the person (for a scorecard), the time "now"
and the shop's settings (Ctx); and PerUser, the answer of `Ctx.who` when everyone in a role is counted at once."""
from dataclasses import dataclass

from app.core.models import Setting
from app.core.periods import Buckets
from app.core.settings import DEFAULTS, get_setting
from app.core.timeutil import local_now, to_local


@dataclass
class Ctx:
    shops: list
    b: Buckets
    role: str = None
    user_id: int = None
    now: object = None
    per_user: bool = False       # group a person's figures by person (for_users) instead of keeping one
    facts: bool = True           # count from the KPI facts (app.kpi.facts); False: from the records directly

    _settings: dict = None
    _memo: dict = None           # what one view's sources share (app.kpi.rollup); kept by dataclasses.replace

    def memo(self):
        if self._memo is None:
            self._memo = {}
        return self._memo

    def setting(self, key):
        """Settings come from the first shop of the selection (a dealer group shares its targets); read once."""
        if not self.shops:
            return None
        if self._settings is None:
            self._settings = {r.key: r.value for r in Setting.select(Setting.key, Setting.value)
                              .where(Setting.shop == self.shops[0])}
        if key in self._settings:
            return DEFAULTS[key][1](self._settings[key])
        return get_setting(None, key)

    def settings_key(self):
        """The settings the figures are counted with, as one sorted text (what a stored count was made for)."""
        self.setting('tax_rate')        # read them
        return repr(sorted((self._settings or {}).items()))

    def today(self, tz):
        """The local calendar day of `now` (the request time, or the time a test pins)."""
        return to_local(self.now, tz).date() if self.now else local_now(tz).date()

    def first_today(self):
        """The earliest local day of `now` among the period's zones (what is not yet due anywhere is not counted)."""
        return min(self.today(tz) for tz in self.b.zones)

    def who(self, mapping):
        """The condition for a per-person figure: None when the source does not apply to the role."""
        if self.role is None:
            return True
        f = mapping.get(self.role)
        if f is None or f is True:
            return f
        return PerUser(f) if self.per_user else (f == self.user_id)


class PerUser:
    """`Ctx.who` for everyone in the role at once: the source adds the person's column `u` and is grouped by it."""

    def __init__(self, field):
        self.field = field
