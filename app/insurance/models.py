"""Insurance jobs (保险理赔): the insurers the shop works with, an order's claim, the damage by area of the car,
the insurer's assessment (定损) against the shop's own estimate, and supplementary assessments (追加定损).

The insurer's money is settled like any other payer's (app.settlement: the insurance share of the bill); this
area decides how the assessment splits the bill (app.insurance.hooks), and offers the pages the insurer asks for.
"""
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.core.db import ShopScoped, utcnow
from app.core.models import Shop
from app.reception.models import RepairOrder

# What an assessment line prices: the insurer's assessor prices labour, parts and paint apart.
LABOUR, PARTS, PAINT = 'labour', 'parts', 'paint'
LINE_KINDS = {LABOUR: _l('Labour'), PARTS: _l('Parts'), PAINT: _l('Paint')}

# Where on the car the damage is (the areas an assessor's photo sheet names).
CAR_AREAS = {
    'front_bumper': _l('Front bumper'), 'bonnet': _l('Bonnet'), 'front_left': _l('Front left wing'),
    'front_right': _l('Front right wing'), 'left_doors': _l('Left doors'), 'right_doors': _l('Right doors'),
    'roof': _l('Roof'), 'rear_left': _l('Rear left quarter'), 'rear_right': _l('Rear right quarter'),
    'boot': _l('Boot lid'), 'rear_bumper': _l('Rear bumper'), 'glass': _l('Glass'), 'lights': _l('Lights'),
    'wheels': _l('Wheels and suspension'), 'underbody': _l('Underbody'), 'interior': _l('Interior'),
}


class Insurer(ShopScoped):
    """An insurance company the shop repairs for (中国人保, 平安产险…): a list the service manager keeps."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    name = pw.CharField(max_length=100)
    phone = pw.CharField(max_length=30, default='')          # the claims line (报案电话)
    contact = pw.CharField(max_length=100, default='')       # the assessor or account manager the shop deals with
    active = pw.BooleanField(default=True)
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((('shop', 'name'), True),)


class InsuranceClaim(ShopScoped):
    """An order that is an insurance job: who insures, the policy and claim (报案) numbers, the accident, the
    assessment's state and the customer's deductible (免赔额)."""
    PENDING, ASSESSED = 'pending', 'assessed'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, unique=True, backref='insurance_claims', on_delete='CASCADE')
    insurer = pw.ForeignKeyField(Insurer, backref='claims', on_delete='RESTRICT')
    policy_number = pw.CharField(max_length=40)
    claim_number = pw.CharField(max_length=40)
    accident_date = pw.DateField()
    insured_name = pw.CharField(max_length=100)
    driver_name = pw.CharField(max_length=100, default='')
    assessment = pw.CharField(max_length=10, default=PENDING, index=True)
    assessor = pw.CharField(max_length=100, default='')      # the insurer's assessor (定损员)
    assessed_at = pw.DateTimeField(null=True, index=True)
    deductible = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((('shop', 'claim_number'), False),)


class DamageArea(ShopScoped):
    """Damage on one area of the car, found at intake; its photos are app.core Photos ('damage_area', id)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    claim = pw.ForeignKeyField(InsuranceClaim, backref='areas', on_delete='CASCADE')
    area = pw.CharField(max_length=20)
    note = pw.CharField(max_length=200, default='')
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = 'insurance_damage_area'


class Supplement(ShopScoped):
    """A supplementary assessment (追加定损): more damage found under the work, asked of the insurer; the answer is
    recorded as a customer's added-work answer is (status, who answered, how, when, a note)."""
    PENDING, APPROVED, DECLINED = 'pending', 'approved', 'declined'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    claim = pw.ForeignKeyField(InsuranceClaim, backref='supplements', on_delete='CASCADE')
    description = pw.CharField(max_length=200)
    requested_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    requested_at = pw.DateTimeField(default=utcnow)
    status = pw.CharField(max_length=10, default=PENDING, index=True)
    decided_at = pw.DateTimeField(null=True)
    decided_by = pw.IntegerField(null=True)                  # who recorded the insurer's answer
    channel = pw.CharField(max_length=12, default='')        # phone, in_person, message
    spoke_with = pw.CharField(max_length=100, default='')    # the assessor who answered
    note = pw.CharField(max_length=200, default='')
    version = pw.IntegerField(default=1)

    class Meta:
        table_name = 'insurance_supplement'


class AssessmentLine(ShopScoped):
    """One line of the assessment: what the shop estimated and what the insurer's assessor allowed.
    A line of a supplementary assessment counts once the insurer approved that supplement."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    claim = pw.ForeignKeyField(InsuranceClaim, backref='lines', on_delete='CASCADE')
    supplement = pw.ForeignKeyField(Supplement, null=True, backref='lines', on_delete='CASCADE')
    kind = pw.CharField(max_length=10)
    description = pw.CharField(max_length=200)
    shop_amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    insurer_amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    position = pw.IntegerField(default=0)

    class Meta:
        table_name = 'insurance_assessment_line'
