"""Insurance job rules: the claim, damage by area with photos, the assessment (定损) against the shop's estimate, the
supplementary assessment (追加定损) and the insurer's answer, and the one split of a bill between the insurer and the
customer. Each action is one transaction with its audit event on ('repair_order', order.id).
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core import photos as photos_store
from app.core.access import MANAGER
from app.core.db import transaction, utcnow
from app.core.errors import Refused, StaleRecord
from app.core.models import Photo
from app.core.money import ZERO, money
from app.core.settings import get_setting
from app.insurance.models import (CAR_AREAS, LINE_KINDS, AssessmentLine, DamageArea, InsuranceClaim, Insurer,
                                  Supplement)
from app.reception.models import CHANNELS, RepairOrder

PHOTO_RECORD = 'damage_area'


class InsuranceError(Refused):
    """The insurance action cannot be done as asked; the message says what to do (a 400)."""


def _record(order_id, shop_id, action, by, **kw):
    audit.record(action, 'repair_order', order_id, shop=shop_id, actor=by, **kw)


def _text(value, limit):
    return (value or '').strip()[:limit]


def _amount(value, field):
    try:
        amount = money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        raise InsuranceError(_l('Enter the amount as a number.'), field)
    if amount < 0:
        raise InsuranceError(_l('An amount cannot be below zero.'), field)
    return amount


def claim_of(order):
    return InsuranceClaim.get_or_none(InsuranceClaim.order == order)


# --- the split: one rule --------------------------------------------------------------------------------------

@dataclass
class Split:
    insurer: Decimal        # what the insurer pays (before tax)
    deductible: Decimal     # the customer's deductible (免赔额)
    uncovered: Decimal      # what the insurer did not allow: the customer pays it

    @property
    def customer(self):
        return self.deductible + self.uncovered

    @property
    def total(self):
        return self.insurer + self.deductible + self.uncovered


def split(allowed, deductible, billed):
    """How `billed` (the insured work at the shop's prices) divides: the insurer pays what it allowed, at most what is
    billed, less the deductible; the customer pays the deductible and whatever the insurer did not allow. The three
    always add up to `billed`."""
    billed, covered = money(billed), min(money(allowed), money(billed))
    covered = max(covered, ZERO)
    take = min(money(deductible), covered)
    return Split(covered - take, take, billed - covered)


@dataclass
class Assessment:
    """The assessment as one object for pages and prints: its lines (each with the difference), the totals."""
    claim: object
    lines: list             # counted lines: the first assessment and approved supplements
    other_lines: list       # lines of supplements pending or declined
    shop_total: Decimal
    insurer_total: Decimal
    allowed: Decimal        # per line the lower of the two: the insurer pays no more than the shop bills
    split: Split

    @property
    def difference(self):
        return self.insurer_total - self.shop_total


def assessment(claim):
    """The claim's assessment figures; a declined supplement's lines are billed to the customer."""
    approved = {s.id for s in Supplement.select(Supplement.id).where(
        (Supplement.claim == claim) & (Supplement.status == Supplement.APPROVED))}
    rows = list(AssessmentLine.select().where(AssessmentLine.claim == claim)
                .order_by(AssessmentLine.supplement.is_null(False), AssessmentLine.supplement, AssessmentLine.position,
                          AssessmentLine.id))
    for r in rows:
        r.difference = money(r.insurer_amount) - money(r.shop_amount)
    counted = [r for r in rows if r.supplement_id is None or r.supplement_id in approved]
    other = [r for r in rows if r not in counted]
    shop_total = sum((money(r.shop_amount) for r in counted), ZERO)
    insurer_total = sum((money(r.insurer_amount) for r in counted), ZERO)
    allowed = sum((min(money(r.shop_amount), money(r.insurer_amount)) for r in counted), ZERO)
    declined = sum((money(r.shop_amount) for r in other if _status_of(r) == Supplement.DECLINED), ZERO)
    return Assessment(claim, counted, other, shop_total, insurer_total, allowed,
                      split(allowed, claim.deductible, shop_total + declined))


def _status_of(line):
    return line.supplement.status if line.supplement_id else None


def waits_for_assessment(order):
    """Why work may not start: an insurance job not yet assessed, where the shop's setting says work waits."""
    claim = InsuranceClaim.get_or_none(InsuranceClaim.order == order.id)
    if claim is None or claim.assessment != InsuranceClaim.PENDING:
        return None
    if not get_setting(claim.shop, 'insurance_work_waits_for_assessment'):
        return None
    return _l("This insurance job waits for the insurer's assessment before work starts.")


# --- the insurers ----------------------------------------------------------------------------------------------

def save_insurer(shop, by, *, name, phone='', contact='', active=True, insurer=None, version=None):
    """Add an insurer to the shop's list, or change one; only the service manager keeps the list."""
    if MANAGER not in by.role_names:
        raise InsuranceError(_l('Only the service manager keeps the list of insurers.'))
    name = _text(name, 100)
    if not name:
        raise InsuranceError(_l('Enter the insurer\'s name.'), 'name')
    with transaction():
        same = Insurer.for_shop(shop).where(Insurer.name == name)
        if insurer is not None:
            same = same.where(Insurer.id != insurer.id)
        if same.exists():
            raise InsuranceError(_l('That insurer is already on the list.'), 'name')
        changes = dict(name=name, phone=_text(phone, 30), contact=_text(contact, 100), active=bool(active))
        if insurer is None:
            insurer = Insurer.create(shop=shop, **changes)
            audit.record('insurance.insurer_added', 'insurer', insurer.id, shop=shop, actor=by, after=changes)
        else:
            before = {k: getattr(insurer, k) for k in changes}
            insurer.update_versioned(version, **changes)
            b, a = audit.diff(before, changes)
            audit.record('insurance.insurer_changed', 'insurer', insurer.id, shop=shop, actor=by, before=b, after=a)
    return insurer


# --- the claim -----------------------------------------------------------------------------------------------------

def save_claim(order, by, *, insurer_id, policy_number, claim_number, accident_date, insured_name, driver_name='',
               version=0):
    """Make the order an insurance job, or correct its claim details. `version`: the claim's (0 when new)."""
    if order.settled_at is not None:
        raise InsuranceError(_l('The order is settled: its claim cannot change.'))
    insurer = Insurer.get_or_none((Insurer.id == insurer_id) & (Insurer.shop == order.shop_id) & Insurer.active)
    if insurer is None:
        raise InsuranceError(_l('Choose the insurer.'), 'insurer')
    values = dict(insurer=insurer, policy_number=_text(policy_number, 40), claim_number=_text(claim_number, 40),
                  accident_date=accident_date, insured_name=_text(insured_name, 100),
                  driver_name=_text(driver_name, 100))
    for key, message in (('policy_number', _l('Enter the policy number.')),
                         ('claim_number', _l('Enter the claim (报案) number.')),
                         ('insured_name', _l('Enter the name of the insured.'))):
        if not values[key]:
            raise InsuranceError(message, key)
    if accident_date is None:
        raise InsuranceError(_l('Enter the date of the accident.'), 'accident_date')
    if accident_date > order.created_at.date() and accident_date > utcnow().date():
        raise InsuranceError(_l('The accident cannot be after today.'), 'accident_date')
    with transaction():
        claim = claim_of(order)
        shown = dict(values, insurer=insurer.name)
        if claim is None:
            if version:
                raise StaleRecord(order.id)
            claim = InsuranceClaim.create(shop=order.shop_id, order=order, created_by=by, **values)
            _record(order.id, order.shop_id, 'insurance.claim_opened', by, after=shown)
        else:
            before = dict({k: getattr(claim, k) for k in values}, insurer=claim.insurer.name)
            claim.update_versioned(version, **values)
            b, a = audit.diff(before, shown)
            _record(order.id, order.shop_id, 'insurance.claim_changed', by, before=b, after=a)
    return claim


def add_damage(claim, by, *, area, note='', photo=None):
    """Damage on one area of the car, with its photo (app.core.photos: re-encoded, no metadata)."""
    if area not in CAR_AREAS:
        raise InsuranceError(_l('Choose where on the car the damage is.'), 'area')
    filename = None
    if photo:
        try:
            filename, width, height = photos_store.store(photo)
        except photos_store.PhotoRejected as exc:
            raise InsuranceError(str(exc), 'photo')
    try:
        with transaction():
            damage = DamageArea.create(shop=claim.shop_id, claim=claim, area=area, note=_text(note, 200))
            if filename:
                Photo.create(shop=claim.shop_id, record_type=PHOTO_RECORD, record_id=damage.id, filename=filename,
                             width=width, height=height, uploaded_by=by.id)
            _record(claim.order_id, claim.shop_id, 'insurance.damage_added', by,
                    after={'area': area, 'note': damage.note, 'photo': bool(filename)})
    except Exception:
        if filename:
            photos_store.remove(filename)
        raise
    return damage


def _lines(rows):
    """Typed assessment rows (kind, description, shop, insurer) checked: at least one, each priced."""
    out = []
    for i, (kind, description, shop_amount, insurer_amount) in enumerate(rows):
        description = _text(description, 200)
        if not description and not shop_amount and not insurer_amount:
            continue
        if kind not in LINE_KINDS:
            raise InsuranceError(_l('Choose labour, parts or paint for each line.'), 'lines')
        if not description:
            raise InsuranceError(_l('Describe each line.'), 'lines')
        out.append((kind, description, _amount(shop_amount or 0, 'lines'), _amount(insurer_amount or 0, 'lines'), i))
    if not out:
        raise InsuranceError(_l('Enter at least one line.'), 'lines')
    return out


def _editable(claim):
    order = RepairOrder.get_by_id(claim.order_id)
    if order.settled_at is not None:
        raise InsuranceError(_l('The order is settled: the assessment cannot change.'))


def save_assessment(claim, by, *, assessor, deductible, rows, version):
    """The insurer's assessor's lines against the shop's estimate, and the deductible: the claim is assessed."""
    assessor = _text(assessor, 100)
    if not assessor:
        raise InsuranceError(_l('Enter the insurer\'s assessor.'), 'assessor')
    deductible = _amount(deductible or 0, 'deductible')
    lines = _lines(rows)
    with transaction():
        _editable(claim)
        first = claim.assessed_at is None
        claim.update_versioned(version, assessor=assessor, deductible=deductible,
                               assessment=InsuranceClaim.ASSESSED, assessed_at=claim.assessed_at or utcnow())
        AssessmentLine.delete().where((AssessmentLine.claim == claim) & AssessmentLine.supplement.is_null()).execute()
        for kind, description, shop_amount, insurer_amount, i in lines:
            AssessmentLine.create(shop=claim.shop_id, claim=claim, kind=kind, description=description,
                                  shop_amount=shop_amount, insurer_amount=insurer_amount, position=i)
        figures = assessment(claim)
        _record(claim.order_id, claim.shop_id, 'insurance.assessed' if first else 'insurance.assessment_changed', by,
                after={'assessor': assessor, 'deductible': deductible, 'shop_total': figures.shop_total,
                       'insurer_total': figures.insurer_total, 'insurer_share': figures.split.insurer})
    return claim


def request_supplement(claim, by, *, description, rows):
    """More damage found under the work: a supplementary assessment asked of the insurer, priced by the shop."""
    description = _text(description, 200)
    if not description:
        raise InsuranceError(_l('Say what more damage was found.'), 'description')
    if claim.assessment != InsuranceClaim.ASSESSED:
        raise InsuranceError(_l('The first assessment comes before a supplementary one.'))
    lines = _lines([(kind, text, amount, 0) for kind, text, amount in rows])
    with transaction():
        _editable(claim)
        supplement = Supplement.create(shop=claim.shop_id, claim=claim, description=description, requested_by=by)
        for kind, text, shop_amount, _insurer, i in lines:
            AssessmentLine.create(shop=claim.shop_id, claim=claim, supplement=supplement, kind=kind, description=text,
                                  shop_amount=shop_amount, insurer_amount=0, position=i)
        _record(claim.order_id, claim.shop_id, 'insurance.supplement_requested', by, note=description,
                after={'supplement': supplement.id, 'shop_total': sum((ln[2] for ln in lines), ZERO)})
    return supplement


def answer_supplement(supplement, by, *, decision, channel, spoke_with, allowed=(), note='', version):
    """The insurer's answer to a supplementary assessment, recorded as a customer's added-work answer is: approved
    (with what it allows per line, the shop's price unless said) or declined; who answered, how, when."""
    if decision not in (Supplement.APPROVED, Supplement.DECLINED):
        raise InsuranceError(_l("Choose the insurer's answer."), 'decision')
    if channel not in CHANNELS:
        raise InsuranceError(_l('Choose how the insurer answered.'), 'channel')
    spoke_with = _text(spoke_with, 100)
    if not spoke_with:
        raise InsuranceError(_l('Enter who gave the answer.'), 'spoke_with')
    allowed = dict(allowed)
    with transaction():
        _editable(supplement.claim)
        if supplement.status != Supplement.PENDING:
            raise StaleRecord(supplement.id)
        supplement.update_versioned(version, status=decision, decided_at=utcnow(), decided_by=by.id, channel=channel,
                                    spoke_with=spoke_with, note=_text(note, 200))
        for line in AssessmentLine.select().where(AssessmentLine.supplement == supplement):
            given = allowed.get(line.id)
            value = ZERO if decision == Supplement.DECLINED else (
                _amount(given, 'allowed') if given not in (None, '') else money(line.shop_amount))
            AssessmentLine.update(insurer_amount=value).where(AssessmentLine.id == line.id).execute()
        _record(supplement.claim.order_id, supplement.shop_id, 'insurance.supplement_answered', by, note=note,
                after={'supplement': supplement.id, 'decision': decision, 'channel': channel,
                       'spoke_with': spoke_with})
    return supplement
