"""Recalls and service campaigns (召回 / 服务活动; 001 lists the recall of faulty products, 问题产品招回, in the service
scope).

How things are counted:
- A campaign covers single VINs and VIN ranges. A range "FROM-TO" is of one vehicle line: its ends share
  positions 1-8 and 10-11 (position 9 is the check digit, which changes with the serial), and a VIN is in it when
  it shares them too and its serial (positions 12-17) lies between the ends' serials.
- A car's recall is open while the campaign runs (from its start day, to its end day if it has one, and not closed
  by the shop: Campaign.running, the one query every page's "open recall" reads) and no order of
  the car, other than a cancelled one, carries the campaign's work. It is done once that job is done or its order
  delivered; added but not yet done, the car is "in the shop".
- Adding the work is one tap: a job line with the campaign's hours and parts on the order, decided as warranty (the
  maker pays: app.settlement's payer for a warranty coverage, the claim as for any warranty line). Added work for
  the customer's approval is not needed: the customer pays nothing.
- The owners of cars not yet done (and not in the shop) who agreed to be contacted become call tasks
  (app.aftercare, kind "recall"), once per campaign and car, due within a week.
"""
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import g
from flask_babel import lazy_gettext as _l

from app.aftercare.models import FollowUpTask
from app.core import audit, changes, stages
from app.core.db import Prepared, transaction
from app.core.errors import Refused
from app.core.settings import get_setting
from app.core.timeutil import shop_today
from app.core.validators import VIN_CHARS, normalize_vin, vin_problem
from app.customers.models import Customer, Vehicle
from app.reception.checkin import add_line
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.recalls.models import Campaign, CampaignCall, CampaignJob, CampaignVin
from app.warranty.eligibility import lock_order
from app.warranty.models import SYSTEM_LABELS, LineCoverage

CALL_WITHIN_DAYS = 7      # not a rulebook number: a campaign call is due within a week of being made


class BadRows(Refused):
    """Rows of a VIN list or a maker's file that cannot be read: [(line number, message)], nothing written."""

    def __init__(self, rows, field='vins'):
        self.rows = rows
        super().__init__(_l('%(n)d rows cannot be read; nothing was saved.', n=len(rows)), field)


# --- VINs and ranges -------------------------------------------------------------------------------------------

def _bound_problem(vin):
    if len(vin) != 17:
        return _l('A VIN has 17 characters; you typed %(count)d.', count=len(vin))
    if not set(vin) <= VIN_CHARS:
        return _l('A VIN contains only digits and capital letters (never I, O or Q).')
    return None


def parse_entry(text):
    """(vin_from, vin_to) of one entry, "VIN" or "FROM-TO" (or two cells), or raise Refused saying what is wrong."""
    parts = text if isinstance(text, (list, tuple)) else str(text).replace('~', '-').split('-')
    parts = [normalize_vin(p) for p in parts if normalize_vin(p)]
    if len(parts) == 1:
        problem = vin_problem(parts[0])
        if problem:
            raise Refused(problem)
        return parts[0], parts[0]
    if len(parts) != 2:
        raise Refused(_l('Write one VIN, or a range as FROM-TO.'))
    start, end = parts
    problem = _bound_problem(start) or _bound_problem(end)
    if problem:
        raise Refused(problem)
    if start[:8] != end[:8] or start[9:11] != end[9:11]:
        raise Refused(_l('Both ends of a range must be of one vehicle line (the same characters 1-8, 10 and 11).'))
    if start[11:] > end[11:]:
        raise Refused(_l('The range ends before it starts.'))
    return start, end


def parse_rows(rows):
    """[(vin_from, vin_to)] from [(line number, entry)]; raise BadRows with every bad line (nothing is kept)."""
    good, bad, seen = [], [], set()
    for number, entry in rows:
        try:
            pair = parse_entry(entry)
        except Refused as exc:
            bad.append((number, str(exc)))
            continue
        if pair not in seen:
            seen.add(pair)
            good.append(pair)
    if bad:
        raise BadRows(bad)
    return good


def text_rows(text):
    """The non-empty lines of a typed VIN list, with their line numbers."""
    return [(n, line) for n, line in enumerate((text or '').splitlines(), 1) if line.strip()]


def in_range(vin, vin_from, vin_to):
    """Whether a VIN is one of a campaign's entries (see the module's rules)."""
    vin = normalize_vin(vin)
    if vin_from == vin_to:
        return vin == vin_from
    return (len(vin) == 17 and vin[:8] == vin_from[:8] and vin[9:11] == vin_from[9:11]
            and vin_from[11:] <= vin[11:] <= vin_to[11:])


# --- campaigns ----------------------------------------------------------------------------------------------

def parse_parts(text):
    """[{part_number, name, quantity, unit_price}] from lines "part number; name; quantity; unit price"."""
    out, bad = [], []
    for number, line in text_rows(text):
        cells = [c.strip() for c in line.replace('；', ';').split(';')]
        try:
            part_number, name = cells[0], cells[1]
            quantity = Decimal(cells[2] if len(cells) > 2 and cells[2] else '1')
            price = Decimal(cells[3] if len(cells) > 3 and cells[3] else '0')
            if not name or quantity <= 0 or price < 0 or len(cells) > 4:
                raise ValueError
        except (IndexError, ValueError, InvalidOperation):
            bad.append((number, str(_l('Write "part number; name; quantity; unit price".'))))
            continue
        out.append({'part_number': part_number[:40], 'name': name[:100], 'quantity': str(quantity),
                    'unit_price': str(price)})
    if bad:
        raise BadRows(bad, 'parts')
    return out


def checked_fields(*, code, title, kind, work, system, hours, parts_text, starts_on, ends_on, note):
    """A campaign's columns as entered or edited, checked alike (one place): refused naming the field at fault."""
    if kind not in Campaign.KIND_LABELS:
        raise Refused(_l('Choose recall or service campaign.'), 'kind')
    if system not in SYSTEM_LABELS:
        raise Refused(_l('Choose the system.'), 'system')
    if ends_on is not None and ends_on < starts_on:
        raise Refused(_l('The campaign ends before it starts.'), 'ends_on')
    parts = parse_parts(parts_text)
    return dict(code=(code or '').strip(), title=(title or '').strip(), kind=kind, work=(work or '').strip(),
                system=system, labour_hours=hours or Decimal('0'), parts=json.dumps(parts, ensure_ascii=False),
                starts_on=starts_on, ends_on=ends_on, note=(note or '').strip())


def check_code_free(shop, code, campaign=None):
    """The maker's campaign number is the shop's only campaign of that number (call inside the transaction)."""
    same = Campaign.for_shop(shop).where(Campaign.code == code)
    if campaign is not None:
        same = same.where(Campaign.id != campaign.id)
    if same.exists():
        raise Refused(_l('A campaign with this number exists already.'), 'code')


def no_vins():
    return Refused(_l('Give the VINs the campaign covers: typed, or in the maker\'s file.'), 'vins')


def create_campaign(shop, by, *, vin_rows, **typed):
    """A campaign with its VINs, all or nothing (a bad row refuses the whole). `typed`: checked_fields' keywords."""
    fields = checked_fields(**typed)
    vins = parse_rows(vin_rows)
    if not vins:
        raise no_vins()
    with transaction():
        check_code_free(shop, fields['code'])
        c = Campaign.create(shop=shop, created_by=by, **fields)
        CampaignVin.insert_many([dict(shop=shop, campaign=c, vin_from=a, vin_to=b) for a, b in vins]).execute()
        audit.record('recalls.campaign', 'campaign', c.id, shop=shop, actor=by,
                     after={'code': c.code, 'kind': c.kind, 'vins': len(vins), 'parts': len(c.part_list)})
    return c


def _entries(shop, today):
    """{campaign: [(from, to)]} of the running campaigns, read once per request in one query, and kept between
    requests on PostgreSQL until a campaign or its VINs change (not once this request changed them)."""
    if not _has_g():
        return _read_entries((getattr(shop, 'id', shop), today))
    cache = g.setdefault('_recall_entries', {})
    key = (getattr(shop, 'id', shop), today)
    if key not in cache:
        if g.get('_recall_changed'):
            cache[key] = _read_entries(key)     # the feed tells a change a moment after its commit
        else:
            cache[key] = changes.kept_read('running_recalls', key, lambda: (_read_entries(key), _RECALL_TABLES))
    return cache[key]


def _read_entries(key):
    found, campaigns = {}, {}
    for vin_from, vin_to, *campaign in _running_vins(*key):
        c = campaigns.get(campaign[0])       # one model per campaign, not one per entry
        if c is None:
            c = campaigns[campaign[0]] = Campaign(**dict(zip(_CAMPAIGN_FIELDS, campaign)))
        found.setdefault(c, []).append((vin_from, vin_to))
    return found


# compiled once: peewee building it cost twenty times SQLite running it, on every order page and job card; read
# as plain rows: a model per row cost more than the rest of the recalls on the page
_running_vins = Prepared(lambda shop_id, today: CampaignVin.select(
    CampaignVin.vin_from, CampaignVin.vin_to, *Campaign._meta.sorted_fields).join(Campaign).where(
    CampaignVin.campaign.in_(Campaign.running(shop_id, today).select(Campaign.id))).tuples(), int, date)
_CAMPAIGN_FIELDS = [f.name for f in Campaign._meta.sorted_fields]
_RECALL_TABLES = tuple(changes.table_changed(m._meta.table_name) for m in (Campaign, CampaignVin))


def forget_entries():
    """After a campaign or its VINs changed: this request reads the running campaigns afresh."""
    if _has_g():
        g.pop('_recall_entries', None)
        g._recall_changed = True


def _has_g():
    from flask import has_app_context
    return has_app_context()


def matching(campaign_entries, vin):
    return [c for c, entries in campaign_entries.items() if any(in_range(vin, a, b) for a, b in entries)]


@dataclass
class CarRecall:
    campaign: object
    job: object = None            # the CampaignJob on an order not cancelled
    done: bool = False

    @property
    def state(self):
        return 'done' if self.done else 'in_shop' if self.job is not None else 'open'


def _jobs(campaign_ids, vehicle_ids):
    rows = (CampaignJob.select(CampaignJob, RepairOrder, OrderLine)
            .join(RepairOrder, on=(CampaignJob.order == RepairOrder.id))
            .switch(CampaignJob).join(OrderLine, on=(CampaignJob.line == OrderLine.id))
            .where(CampaignJob.campaign.in_(list(campaign_ids)) & CampaignJob.vehicle.in_(list(vehicle_ids))
                   & (RepairOrder.stage != stages.CANCELLED)))
    return {(j.campaign_id, j.vehicle_id): j for j in rows}


def is_done(job):
    return job.line.status == stages.LINE_DONE or job.order.stage in (stages.DELIVERED, stages.CLOSED)


def vehicle_recalls(vehicle, today=None):
    """The running campaigns that cover this car, each open, in the shop or done."""
    if vehicle is None:
        return []
    today = today or shop_today(vehicle.shop)
    found = matching(_entries(vehicle.shop_id, today), vehicle.vin)
    jobs = _jobs([c.id for c in found], [vehicle.id]) if found else {}
    out = []
    for c in sorted(found, key=lambda c: c.code):
        job = jobs.get((c.id, vehicle.id))
        out.append(CarRecall(c, job, job is not None and is_done(job)))
    return out


def open_recalls(vehicle, today=None):
    """The campaigns this car still needs (not done; in the shop counts as needing until done)."""
    return [r for r in vehicle_recalls(vehicle, today) if not r.done]


@dataclass
class Affected:
    vehicle: object
    customer: object
    job: object
    done: bool
    call: object                 # the CampaignCall made, if any
    here: object = None          # an open order of the car (in the shop now, the work not yet added)

    @property
    def state(self):
        return 'done' if self.done else 'in_shop' if self.job is not None else 'open'


def covered_vehicles(shop, entries):
    """The shop's cars (with their owners) a campaign's entries cover: single VINs looked up, ranges read per
    vehicle line (positions 1-8) and checked here."""
    cars = Vehicle.for_shop(shop).join(Customer, on=(Vehicle.owner == Customer.id)).select(Vehicle, Customer)
    singles = sorted({a for a, b in entries if a == b})
    ranges = [(a, b) for a, b in entries if a != b]
    found = {}
    for start in range(0, len(singles), 500):
        found.update((v.id, v) for v in cars.where(Vehicle.vin.in_(singles[start:start + 500])))
    for prefix in sorted({a[:8] for a, _b in ranges}):
        found.update((v.id, v) for v in cars.where(Vehicle.vin.startswith(prefix))
                     if any(in_range(v.vin, a, b) for a, b in ranges))
    return list(found.values())


def affected(campaign):
    """Every car of the shop the campaign covers, with its owner, its job and call, not done first."""
    cars = covered_vehicles(campaign.shop_id, [(v.vin_from, v.vin_to) for v in campaign.vins])
    jobs = _jobs([campaign.id], [v.id for v in cars])
    calls = {c.vehicle_id: c for c in CampaignCall.select().where(CampaignCall.campaign == campaign)}
    here = {o.vehicle_id: o for o in RepairOrder.open_orders(campaign.shop_id)
            .where(RepairOrder.vehicle.in_([v.id for v in cars])).order_by(RepairOrder.checked_in_at)}
    out = []
    for v in cars:
        job = jobs.get((campaign.id, v.id))
        out.append(Affected(v, v.owner, job, job is not None and is_done(job), calls.get(v.id), here.get(v.id)))
    rank = {'open': 0, 'in_shop': 1, 'done': 2}
    return sorted(out, key=lambda a: (rank[a.state], a.vehicle.plate))


def add_to_order(campaign, order, by, *, expected_version):
    """One tap: the campaign's work and parts on the order, billed to the maker (a warranty coverage)."""
    order.ensure_editable()
    if order.stage in (stages.CANCELLED, stages.DELIVERED, stages.CLOSED):
        raise Refused(_l('This order has left the shop: the work goes on the car\'s next order.'))
    today = shop_today(order.shop)
    recall = next((r for r in vehicle_recalls(order.vehicle, today) if r.campaign.id == campaign.id), None)
    if recall is None:
        raise Refused(_l('This car is not covered by the campaign (or the campaign is not running).'))
    if recall.job is not None:
        raise Refused(_l('The campaign\'s work is already on an order of this car.'))
    with transaction():
        lock_order(order)
        order.update_versioned(expected_version)
        line = add_line(order, description='%s %s' % (campaign.code, campaign.work), hours=campaign.labour_hours,
                        rate=get_setting(order.shop, 'labour_rate'), system=campaign.system)
        for p in campaign.part_list:
            PartLine.create(shop=order.shop_id, order=order, line=line, part_number=p['part_number'], name=p['name'],
                            quantity=Decimal(p['quantity']), unit_price=Decimal(p['unit_price']))
        LineCoverage.create(shop=order.shop_id, order=order, line=line, kind=LineCoverage.WARRANTY,
                            system=campaign.system, reason=str(_l('%(kind)s %(code)s: paid by the maker',
                                                                  kind=campaign.kind_label, code=campaign.code)),
                            within_warranty=True, within_three_guarantee=False, decided_by=by)
        job = CampaignJob.create(shop=order.shop_id, campaign=campaign, vehicle=order.vehicle_id, order=order,
                                 line=line, added_by=by)
        audit.record('recalls.added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'campaign': campaign.id, 'code': campaign.code, 'line': line.id})
    return job


def make_calls(campaign, by, today=None):
    """Call tasks for the owners of the cars not done and not in the shop (who agreed to be contacted), once each."""
    today = today or shop_today(campaign.shop)
    if campaign.closed_at is not None:
        raise Refused(_l('This campaign is closed: reopen it to make call tasks.'))
    todo = [a for a in affected(campaign)
            if a.state == 'open' and a.call is None and a.customer.consent_contact]
    if not todo:
        raise Refused(_l('Every car not yet done has its call already (or its owner does not want calls).'))
    with transaction():
        for a in todo:
            task = FollowUpTask.create(shop=campaign.shop_id, customer=a.customer, vehicle=a.vehicle,
                                       kind=FollowUpTask.RECALL, due_from=today,
                                       due_by=today + timedelta(days=CALL_WITHIN_DAYS - 1),
                                       note=('%s %s' % (campaign.code, campaign.title))[:200])
            CampaignCall.create(shop=campaign.shop_id, campaign=campaign, vehicle=a.vehicle, task=task)
        audit.record('recalls.calls', 'campaign', campaign.id, shop=campaign.shop_id, actor=by,
                     after={'calls': len(todo)})
    return len(todo)
