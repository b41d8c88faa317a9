"""flask demo loads a realistic shop, and running it twice duplicates nothing."""
from app.accounts.models import User, UserRole
from app.core.access import ROLES
from app.core.models import Event, Shop
from app.core.validators import phone_problem, plate_problem, vin_problem
from app.reception.models import Customer, RepairOrder, Vehicle


def _counts():
    return [m.select().count() for m in (Shop, User, Customer, Vehicle, RepairOrder, Event)]


def test_demo_is_realistic_and_idempotent(runner):
    """A newcomer running `make run` must see a full shop, and a second run must not double it."""
    result = runner.invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    assert 'advisor' in result.output and 'servicebay' in result.output
    first = _counts()
    assert Customer.select().count() == 40 and Vehicle.select().count() == 50
    assert {r.role for r in UserRole.select()} == set(ROLES)
    for car in Vehicle.select():
        assert vin_problem(car.vin) is None and plate_problem(car.plate) is None
    assert any(len(car.plate) == 8 for car in Vehicle.select())  # new-energy plates too
    for c in Customer.select():
        assert phone_problem(c.phone) is None
    assert RepairOrder.select(RepairOrder.stage).distinct().count() >= 8
    runner.invoke(args=['demo'])
    assert _counts() == first
