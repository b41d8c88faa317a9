"""On PostgreSQL the job card keeps the shop's canned jobs and running recalls between openings while the change
feed says neither changed (migration 0031, app.core.changes.kept_read); a change shows on the next card once told,
and a request that changes a campaign reads the campaigns afresh at once."""
import pytest

from app.catalogue.models import CannedJob
from app.core import changes
from app.core import db as core_db
from app.recalls import rules as recall_rules
from app.recalls.models import CampaignVin
from tests import factories
from tests.helpers import TEST_DB, count_queries
from tests.recalls.helpers import campaign

pg_feed = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL change feed')


@pytest.fixture
def caught_up(change_feed):
    change_feed.caught_up()
    return change_feed.caught_up


def _card(client, order):
    """The card's HTML and the number of queries it asked (a statement prepared on a connection aside)."""
    with count_queries() as seen:
        resp = client.get('/jobs/%d' % order.id)
    assert resp.status_code == 200
    return resp.get_data(as_text=True), len([q for q in seen if not q.startswith('PREPARE ')])


@pg_feed
def test_the_catalogue_is_kept_until_it_changes(as_tech, shop, order, caught_up):
    """A second card asks neither the canned jobs nor the recalls; renaming a job is on the next card once told,
    which asks the canned jobs alone again, and is kept in turn."""
    job = factories.make_canned_job(shop, code='BRK01', name='前刹车片更换 Front pads')
    caught_up()
    html, first = _card(as_tech, order)
    assert '前刹车片更换' in html
    html, kept = _card(as_tech, order)
    assert '前刹车片更换' in html and kept == first - 2
    CannedJob.update(name='后刹车片更换 Rear pads', name_en='后刹车片更换 Rear pads').where(CannedJob.id == job.id).execute()
    caught_up()
    html, asked = _card(as_tech, order)
    assert '后刹车片更换' in html and '前刹车片更换' not in html and asked == kept + 1
    assert _card(as_tech, order)[1] == kept


@pg_feed
def test_a_new_recall_is_on_the_next_card_once_told(as_tech, shop, order, caught_up):
    """The running campaigns are kept; a campaign made for this car's VIN shows on the next card."""
    _html, first = _card(as_tech, order)
    html, kept = _card(as_tech, order)
    assert 'data-testid="open-recalls"' not in html and kept == first - 2
    vin = order.vehicle.vin
    made = campaign(shop, [(vin, vin)], code='RC-77')
    caught_up()
    html, asked = _card(as_tech, order)
    assert 'data-testid="recall-%d"' % made.id in html and asked > kept


@pg_feed
def test_a_request_that_changed_a_campaign_reads_them_afresh(app, shop, order, caught_up):
    """What the request changed counts at once: the feed tells it only a moment after the commit."""
    vin = order.vehicle.vin
    made = campaign(shop, [], code='RC-78')
    caught_up()
    with app.app_context(), app.test_request_context():     # a request of its own (its own g)
        assert recall_rules.vehicle_recalls(order.vehicle) == []
    with app.app_context(), app.test_request_context():
        assert recall_rules.vehicle_recalls(order.vehicle) == []          # as kept
        with core_db.db.atomic():       # as a rule changes it: the feed can tell nothing before the commit
            CampaignVin.create(shop=shop, campaign=made, vin_from=vin, vin_to=vin)
            recall_rules.forget_entries()
            assert [r.campaign.id for r in recall_rules.vehicle_recalls(order.vehicle)] == [made.id]


def test_nothing_is_kept_without_the_feed(app, shop, order):
    """SQLite, or CHANGE_FEED off: each read asks the database."""
    calls = []

    def read():
        calls.append(1)
        return len(calls), ()
    with app.test_request_context():
        assert changes.kept_read('test_without_feed', 1, read) == 1
        assert changes.kept_read('test_without_feed', 1, read) == 2
