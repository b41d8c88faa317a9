"""Two shops with a user per role and sample records, for walking every route."""
from dataclasses import dataclass, field

from app.core.access import ROLES
from tests import factories


@dataclass
class World:
    shop_a: object
    shop_b: object
    users: dict                      # role -> user in shop A
    records: dict = field(default_factory=dict)   # url argument -> sample id in shop A
    foreign: dict = field(default_factory=dict)   # url argument -> id of the same kind in shop B
    markers: tuple = ()             # strings only shop B's data contains


def build_world():
    a = factories.make_shop('A1', name='Shop A')
    b = factories.make_shop('B1', name='Shop B')
    users = {role: factories.make_user('u_%s' % role, [role], [a]) for role in ROLES}
    b_user = factories.make_user('b_only', ['advisor'], [b], display_name='LeakStaffB')
    ro_a = factories.make_order(a, users['advisor'])
    customer_b = factories.make_customer(b, name='LeakCustomerB')
    car_b = factories.make_vehicle(b, customer_b, plate='粤Z99999', vin='1M8GDM9AXKP042788')
    ro_b = factories.make_order(b, b_user, vehicle=car_b, complaint='LeakComplaintB')
    world = World(a, b, users)
    world.records = {'order_id': ro_a.id, 'vehicle_id': ro_a.vehicle_id, 'user_id': users['technician'].id}
    world.foreign = {'order_id': ro_b.id, 'vehicle_id': car_b.id, 'user_id': b_user.id}
    # customers: the order's customer in shop A, LeakCustomerB in shop B
    world.records['customer_id'] = ro_a.customer_id
    world.foreign['customer_id'] = customer_b.id
    # labels: a free key tag and the bag of a finished order (scans that show a page, not a redirect);
    # images walked as SVG (a PNG body is not text).
    from app.core.stages import CLOSED
    from app.labels.models import KeyTag
    tag_a, tag_b = KeyTag.create(shop=a, number=1), KeyTag.create(shop=b, number=1)
    done_a = factories.make_order(a, users['advisor'])
    done_a.stage = CLOSED
    done_a.save()
    world.records.update(tag_id=tag_a.id, tag_token=tag_a.token, bag_token=done_a.label_token, label_fmt='svg')
    world.foreign.update(tag_id=tag_b.id, tag_token=tag_b.token, bag_token=ro_b.label_token, label_fmt='svg')
    world.records.update(factories.make_checkin(a, users['advisor']))
    world.foreign.update(factories.make_checkin(b, b_user, vehicle=car_b))
    # appointments: one booked for tomorrow in each shop
    from datetime import timedelta
    from decimal import Decimal
    from app.appointments.models import Appointment
    from app.core.db import utcnow
    appt_a = Appointment.create(shop=a, customer=ro_a.customer, vehicle=ro_a.vehicle, advisor=users['advisor'],
                                start_at=utcnow() + timedelta(hours=20), duration=Decimal('1'), requested_work='保养')
    appt_b = Appointment.create(shop=b, customer=customer_b, vehicle=car_b, advisor=b_user,
                                start_at=utcnow() + timedelta(hours=20), duration=Decimal('1'),
                                requested_work='LeakComplaintB')
    world.records['appointment_id'] = appt_a.id
    world.foreign['appointment_id'] = appt_b.id
    # aftercare: a follow-up task with a call and its open request, a coming event and a complaint per shop
    from app.aftercare import rules as aftercare
    from app.aftercare.models import ShopEvent
    for shop, order, staff, sample in ((a, done_a, users['customer_service'], world.records),
                                       (b, ro_b, b_user, world.foreign)):
        followup = aftercare.schedule_followups(order, staff)
        call = aftercare.record_call(followup, staff, outcome='reached', satisfaction=4, request='发票抬头要改')
        event = ShopEvent.create(shop=shop, title='免费检测日', starts_on=utcnow().date() + timedelta(days=5))
        complaint = aftercare.log_complaint(shop, staff, channel='phone', content='等待时间太长', order=order)
        sample.update(task_id=followup.id, call_id=call.id, event_id=event.id, complaint_id=complaint.id)
    # approvals, parts: a pending added-work item and an open parts request on each shop's order
    from app.workshop.models import AddedWork, PartsRequest
    for shop, order, staff, sample in ((a, ro_a, users['technician'], world.records),
                                       (b, ro_b, b_user, world.foreign)):
        work = AddedWork.create(shop=shop, order=order, requested_by=staff, description='更换前刹车片',
                                hours=Decimal('1.2'), labour_price=Decimal('360'), delay_minutes=90, safety=True)
        request = PartsRequest.create(shop=shop, order=order, requested_by=staff, part_number='04465-33471',
                                      name='前刹车片', quantity=Decimal('1'))
        sample.update(added_work_id=work.id, parts_request_id=request.id)
    # dispatch: a bay in each shop
    from app.workshop.models import Bay
    bay_a = Bay.create(shop=a, number=1, name='Lift 1', kind='lift')
    bay_b = Bay.create(shop=b, number=1, name='Lift 1', kind='lift')
    world.records['bay_id'] = bay_a.id
    world.foreign['bay_id'] = bay_b.id
    # status: shop A's link with a photo of an item waiting for the customer; shop B's link revoked
    from tests.status.helpers import world_samples
    world_samples(world)
    # warranty: a draft claim on each shop's order (coverage is posted on the sample line_id)
    from app.warranty.models import Claim
    for shop, order, sample in ((a, ro_a, world.records), (b, ro_b, world.foreign)):
        sample['claim_id'] = Claim.create(shop=shop, number='CL-2026-000001', order=order).id
    # settlement: a bill settled in shop B and left unpaid (shop A's receivables must not show it)
    from app.core.stages import READY_FOR_PICKUP
    from app.settlement import rules as settlement_rules
    owed_b = factories.make_order(b, b_user, vehicle=car_b, complaint='LeakComplaintB')
    owed_b.stage = READY_FOR_PICKUP
    owed_b.save()
    settlement_rules.settle(owed_b, b_user, version=0)
    # parts stock: a part with a receipt (one rejected), an issue to the order, an old part and a count sheet
    from tests.parts.helpers import world_samples as parts_samples
    parts_samples(world)
    # customers: each shop's list of makes and models (the common ones), its vehicles mapped to it
    from app.customers import makes
    for shop, sample in ((a, world.records), (b, world.foreign)):
        makes.add_common(shop)
        makes.map_vehicles(shop)
        sample['make_id'] = makes.find_make(shop, '丰田').id
    # labour catalogue: a canned job per shop
    from app.catalogue.models import CannedJob
    for shop, sample in ((a, world.records), (b, world.foreign)):
        sample['canned_job_id'] = CannedJob.create(shop=shop, code='W1', name='世界保养', hours=1).id
    # accounts: a device session per shop's user ("sign out this device" on the account page)
    from app.accounts.models import UserSession
    for user, sample in ((users['technician'], world.records), (b_user, world.foreign)):
        sample['device_id'] = UserSession.start(user, user_agent='pytest', ip='127.0.0.1', remember=False)[0].id
    # recalls: a campaign per shop covering its sample car (shop B's title only shop B may see)
    from datetime import date
    from app.recalls.models import Campaign, CampaignVin
    for shop, car_id, title, sample in ((a, ro_a.vehicle_id, 'World recall', world.records),
                                        (b, car_b.id, 'LeakCampaignB', world.foreign)):
        from app.customers.models import Vehicle
        vin = Vehicle.get_by_id(car_id).vin
        campaign = Campaign.create(shop=shop, code='RC-W1', title=title, work='World work', starts_on=date(2020, 1, 1))
        CampaignVin.create(shop=shop, campaign=campaign, vin_from=vin, vin_to=vin)
        sample['campaign_id'] = campaign.id
    # insurance: an insurer and an insurance job with a supplementary assessment asked, in each shop
    from app.insurance.models import InsuranceClaim, Insurer, Supplement
    for shop, staff, sample in ((a, users['advisor'], world.records), (b, b_user, world.foreign)):
        insurer = Insurer.create(shop=shop, name='平安产险', phone='95511')
        job = factories.make_order(shop, staff)
        claim = InsuranceClaim.create(shop=shop, order=job, insurer=insurer, policy_number='P1', claim_number='R1',
                                      accident_date=utcnow().date(), insured_name='张三', created_by=staff,
                                      assessment=InsuranceClaim.ASSESSED, assessor='李勇')
        supplement = Supplement.create(shop=shop, claim=claim, description='防撞梁变形', requested_by=staff)
        sample.update(insurer_id=insurer.id, supplement_id=supplement.id)
    world.markers = ('LeakCampaignB', 'LeakCustomerB', 'LeakStaffB', 'LeakComplaintB', '粤Z99999', '1M8GDM9AXKP042788')
    return world


def url_for_rule(rule, values):
    """Fill a rule's arguments from sample ids; a new argument needs a sample in build_world()."""
    missing = set(rule.arguments) - set(values)
    assert not missing, 'add a sample id for %s (route %s) to tests/core/world.py' % (missing, rule.rule)
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
