"""The insurance tests' own helpers: an insurance job and its actions as the pages post them."""
import uuid
from datetime import timedelta
from decimal import Decimal

from app.core import stages
from app.core.db import transaction, utcnow
from app.insurance.models import InsuranceClaim, Insurer
from app.reception.models import OrderLine, PartLine
from tests import factories


def insurance_order(shop, advisor, *, stage=stages.READY_FOR_PICKUP):
    """A finished order with one job (3 h at 300 = 900) and a part (2,000), made an insurance job with 平安产险."""
    with transaction():
        ro = factories.make_order(shop, advisor, lines=0, complaint='事故车：前保险杠')
        line = OrderLine.create(shop=shop, order=ro, description='钣金喷漆 前保险杠', labour_hours=Decimal('3'),
                                labour_rate=Decimal('300'), labour_price=Decimal('900.00'))
        PartLine.create(shop=shop, order=ro, line=line, part_number='52119-06B00', name='前保险杠皮',
                        unit_price=Decimal('2000.00'))
        insurer = Insurer.get_or_none((Insurer.shop == shop) & (Insurer.name == '平安产险')) or \
            Insurer.create(shop=shop, name='平安产险', phone='95511')
        InsuranceClaim.create(shop=shop, order=ro, insurer=insurer, policy_number='PDAA2026001',
                              claim_number='RDAA2026001', accident_date=(utcnow() - timedelta(days=1)).date(),
                              insured_name='王芳', created_by=advisor)
        ro.stage = stage
        ro.save()
    return ro


def post(client, url, **data):
    data.setdefault('idem', uuid.uuid4().hex)
    return client.post(url, data=data)


def claim_of(order):
    return InsuranceClaim.get(InsuranceClaim.order == order)


ASSESSMENT = {'kind': ['labour', 'parts', 'paint'], 'line_description': ['前保险杠钣金', '前保险杠皮', '喷漆'],
              'shop_amount': ['600', '2000', '300'], 'insurer_amount': ['500', '1800', '300']}


def assess(client, order, deductible='200', rows=ASSESSMENT, **extra):
    """Record the insurer's assessment as the page posts it (the shop's 2,900 against the insurer's 2,600)."""
    data = dict(rows, assessor='李勇', deductible=deductible, version=claim_of(order).version,
                idem=uuid.uuid4().hex, **extra)
    return client.post('/orders/%d/insurance/assessment' % order.id, data=data)
