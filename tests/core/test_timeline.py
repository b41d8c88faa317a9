"""The order's timeline reads as words in the user's language, not as event codes."""
import re
from pathlib import Path

from app.core import stages
from app.core.timeline import ACTIONS
from tests import factories

APP = Path(__file__).resolve().parents[2] / 'app'
# Codes built at run time from a variable: their possible endings, as the areas write them.
DYNAMIC = {
    'added_work.%s': ('approved', 'declined'),
    'parts.%s': ('issued', 'substituted', 'backordered', 'cancelled'),
    'claim.%s': ('submitted', 'approved', 'rejected', 'paid'),
    'checkin.%s': ('vehicle', 'walkaround', 'belongings', 'key', 'estimate', 'promise'),
}


def _codes_in_source():
    found = set()
    pattern = re.compile(r"""(?:record|_record)\(\s*(?:[a-z_]+,\s*)?'([a-z_]+\.[a-z_%]+)'""")
    for path in APP.rglob('*.py'):
        found.update(pattern.findall(path.read_text(encoding='utf-8')))
    return found


def test_every_event_code_the_code_writes_has_a_name():
    """A new kind of event would show on the timeline as a bare code like "parts.po_sent"."""
    codes = _codes_in_source()
    assert 'order.created' in codes and 'settlement.settled' in codes        # the scan itself works
    missing = set()
    for code in codes:
        if '%s' in code:
            assert code in DYNAMIC, 'add the possible endings of %s to DYNAMIC' % code
            missing.update(code % end for end in DYNAMIC[code] if code % end not in ACTIONS)
        elif code not in ACTIONS:
            missing.add(code)
    assert not missing, sorted(missing)


def test_order_page_shows_stage_moves_in_words_in_both_languages(client, auth, shop, make_user):
    """An advisor reading the order's history would have to decode `order.stage {"stage": ...}`."""
    boss = make_user('bob', ['advisor', 'foreman'])
    order = factories.make_order(shop, boss)
    stages.move(order, stages.DISPATCHED, by=boss)
    auth.login('bob')
    body = client.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'Stage changed' in body and 'Checked in → Dispatched' in body
    assert '<strong>order.stage</strong>' not in body
    zh = client.get('/orders/%d' % order.id, headers={'Accept-Language': 'zh-CN'}).get_data(as_text=True)
    assert '已接车 → 已派工' in zh and '阶段变更' in zh
