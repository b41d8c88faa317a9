"""Fixtures for the health check: a brake job in progress for Tom, the catalogue jobs that fix what he may find."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.reception.models import OrderLine, RepairOrder
from tests import factories
from tests.helpers import sign_in


@pytest.fixture
def staff(make_user):
    return {'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor'),
            'technician': make_user('tom', ['technician'], display_name='Tom Tech'),
            'other_tech': make_user('tina', ['technician'], display_name='Tina Tech'),
            'manager': make_user('mia', ['manager'], display_name='Mia Manager')}


@pytest.fixture
def jobs(shop):
    """The catalogue: front pads (a part), tyres, and a brake job whose system decides the check's groups."""
    pads = factories.make_canned_job(shop, code='BRKF', name='更换前刹车片', hours=Decimal('1.2'),
                                     parts=[('04465-33471', '前刹车片', Decimal('1'), Decimal('680'))])
    tyre = factories.make_canned_job(shop, code='TYRE', name='更换轮胎', hours=Decimal('0.5'),
                                     parts=[('TY-205', '轮胎 205/55R16', Decimal('1'), Decimal('560'))])
    check = factories.make_canned_job(shop, code='BRKCHK', name='检查制动系统', hours=Decimal('1.0'))
    for job in (pads, tyre, check):
        job.system, job.category = 'brakes', 'minor'
        job.save()
    return {'pads': pads, 'tyre': tyre, 'check': check}


@pytest.fixture
def order(shop, staff, jobs):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳', phone='+8613800138000'),
                                 plate='粤B12345')
    ro = factories.make_order(shop, staff['advisor'], vehicle=car, promised_at=utcnow() + timedelta(hours=5))
    OrderLine.update(technician=staff['technician'].id, status=stages.LINE_ACTIVE,
                     canned_job=jobs['check'].id).where(OrderLine.order == ro.id).execute()
    RepairOrder.update(stage=stages.IN_PROGRESS).where(RepairOrder.id == ro.id).execute()
    return RepairOrder.get_by_id(ro.id)


@pytest.fixture
def as_tech(client, staff):
    return sign_in(client, staff['technician'])
