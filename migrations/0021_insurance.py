"""Insurance jobs (app/insurance): the shop's insurers, an order's claim, damage by area of the car, the assessment
(定损) lines and supplementary assessments (追加定损); and payments from payers other than the customer
(settlement.payer_payment: what an insurer pays against its share of a settled bill).

Written from the models (playhouse.schema_diff against a database migrated to 0020), then frozen.
"""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {'Meta': Meta})

    Shop, User, RepairOrder, Settlement = (table('shop'), table('user'), table('repair_order'),
                                           table('settlement'))

    class Insurer(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        name = CharField(max_length=100)
        phone = CharField(max_length=30, default='')
        contact = CharField(max_length=100, default='')
        active = BooleanField(default=True)
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'insurer'
            indexes = ((('shop', 'name'), True),)

    class InsuranceClaim(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, unique=True, on_delete='CASCADE')
        insurer = ForeignKeyField(Insurer, on_delete='RESTRICT')
        policy_number = CharField(max_length=40)
        claim_number = CharField(max_length=40)
        accident_date = DateField()
        insured_name = CharField(max_length=100)
        driver_name = CharField(max_length=100, default='')
        assessment = CharField(max_length=10, default='pending', index=True)
        assessor = CharField(max_length=100, default='')
        assessed_at = DateTimeField(null=True, index=True)
        deductible = DecimalField(max_digits=12, decimal_places=2, default=0)
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'insurance_claim'
            indexes = ((('shop', 'claim_number'), False),)

    class DamageArea(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        claim = ForeignKeyField(InsuranceClaim, on_delete='CASCADE')
        area = CharField(max_length=20)
        note = CharField(max_length=200, default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'insurance_damage_area'

    class Supplement(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        claim = ForeignKeyField(InsuranceClaim, on_delete='CASCADE')
        description = CharField(max_length=200)
        requested_by = ForeignKeyField(User, on_delete='RESTRICT')
        requested_at = DateTimeField()
        status = CharField(max_length=10, default='pending', index=True)
        decided_at = DateTimeField(null=True)
        decided_by = IntegerField(null=True)
        channel = CharField(max_length=12, default='')
        spoke_with = CharField(max_length=100, default='')
        note = CharField(max_length=200, default='')
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'insurance_supplement'

    class AssessmentLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        claim = ForeignKeyField(InsuranceClaim, on_delete='CASCADE')
        supplement = ForeignKeyField(Supplement, null=True, on_delete='CASCADE')
        kind = CharField(max_length=10)
        description = CharField(max_length=200)
        shop_amount = DecimalField(max_digits=12, decimal_places=2, default=0)
        insurer_amount = DecimalField(max_digits=12, decimal_places=2, default=0)
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'insurance_assessment_line'

    class PayerPayment(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        settlement = ForeignKeyField(Settlement, on_delete='RESTRICT')
        payer = CharField(max_length=10)
        amount = DecimalField(max_digits=12, decimal_places=2)
        reference = CharField(max_length=60, default='')
        paid_at = DateTimeField(index=True)
        received_by = ForeignKeyField(User, on_delete='RESTRICT')

        class Meta:
            database = db
            table_name = 'payer_payment'

    db.create_tables([Insurer, InsuranceClaim, DamageArea, Supplement, AssessmentLine, PayerPayment])
