"""The repair-order stage declaration and gap-free order numbers."""
import threading

import pytest

from app.core import stages
from app.core.db import db, transaction
from app.core.models import Counter, Event
from tests.factories import make_order


def test_legal_move_changes_stage_and_writes_event(make_user, shop):
    """A foreman dispatching an order must be recorded on its timeline."""
    foreman = make_user('fm', ['foreman'])
    ro = make_order(shop, foreman)
    with transaction():
        stages.move(ro, stages.DISPATCHED, by=foreman)
    assert ro.stage == stages.DISPATCHED and ro.version == 2
    ev = Event.for_record('repair_order', ro.id).where(Event.action == 'order.stage').get()
    assert ev.before_data == {'stage': 'checked_in'} and ev.after_data == {'stage': 'dispatched'}
    assert ev.actor == foreman.id


def test_undeclared_move_and_wrong_role_are_refused(make_user, shop):
    """A technician must not be able to deliver a car, and nobody can skip QC."""
    tech = make_user('t', ['technician'])
    ro = make_order(shop, tech)
    with pytest.raises(stages.IllegalMove):
        stages.move(ro, stages.READY_FOR_PICKUP, by=tech)
    with pytest.raises(stages.IllegalMove):
        stages.move(ro, stages.DISPATCHED, by=tech)  # declared, but a foreman's move
    assert ro.stage == stages.CHECKED_IN


def test_stale_version_is_refused(make_user, shop):
    """Two people moving the same order at once: the second must be told, not silently win."""
    foreman = make_user('fm', ['foreman', 'advisor'])
    ro = make_order(shop, foreman)
    with transaction():
        stages.move(ro, stages.DISPATCHED, by=foreman, expected_version=1)
    stale = type(ro).get_by_id(ro.id)
    stale.stage, stale.version = stages.CHECKED_IN, 1
    with pytest.raises(stages.StaleRecord):
        stages.move(stale, stages.CANCELLED, by=foreman)


def test_every_stage_is_declared_and_reachable():
    """A stage missing from the declaration would strand orders on the board."""
    names = [s for s, *_ in stages.STAGES]
    assert set(stages.MOVES) == set(names)
    reachable, todo = {stages.DRAFT}, [stages.DRAFT]
    while todo:
        for nxt in stages.MOVES[todo.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                todo.append(nxt)
    assert reachable == set(names)


def test_order_numbers_are_gap_free_and_per_shop(make_user, shop):
    """Order numbers are printed and filed: RO-YYYY-000001, 000002… with no gaps."""
    adv = make_user('adv', ['advisor'])
    numbers = [make_order(shop, adv).number for _ in range(3)]
    year = numbers[0][3:7]
    assert numbers == ['RO-%s-%06d' % (year, i) for i in (1, 2, 3)]


def test_a_rolled_back_number_is_reused(make_user, shop):
    """A check-in that fails half-way must not burn an order number (no gaps)."""
    with pytest.raises(RuntimeError):
        with transaction():
            Counter.next(shop, 'x', 2026)
            raise RuntimeError('cancelled')
    with transaction():
        assert Counter.next(shop, 'x', 2026) == 1


def test_concurrent_numbers_never_repeat(app, shop):
    """Two advisors checking in at the same second must get different numbers."""
    got, errors = [], []

    def worker():
        try:
            with app.app_context():
                db.connect(reuse_if_open=True)
                for _ in range(5):
                    with transaction():
                        got.append(Counter.next(shop.id, 'ro', 2026))
                db.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(got) == list(range(1, 31))
