"""Settlement and delivery rules (DOMAIN.md steps 14-15). Each action is one transaction with its audit
event on ('repair_order', order.id), so the order's timeline tells the whole story.

Versions: settlement actions carry the settlement's version (0 while none exists), delivery and
closing carry the order's; a stale one raises StaleRecord (409) and changes nothing.
"""
import hashlib
import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.aftercare.rules import schedule_followups
from app.core import audit, stages
from app.core import photos as photos_store
from app.core.access import MANAGER
from app.core.db import db, transaction, utcnow
from app.core.models import Counter
from app.core.money import format_money, money
from app.core.settings import get_setting
from app.core.errors import Refused, StaleRecord
from app.core.timeutil import add_months, to_local
from app.core.models import Signature
from app.customers.models import Vehicle
from app.labels.models import KeyHook, KeyTag
from app.reception.models import CHANNELS, Belonging, RepairOrder
from app.settlement.models import (CATEGORIES, CUSTOMER, PAYERS, CreditNote, CreditNoteLine, Discount,
                                   GuaranteeTerm, Payment, Settlement, SettlementLine, VehicleDelivery,
                                   BelongingReturn)
from app.settlement.totals import ZERO, discount_value, order_money, tax_on

# Preparing a settlement: any signed order still in the shop. Settling: once the work is finished.
SETTLE_STAGES = (stages.READY_FOR_WASH, stages.READY_FOR_PICKUP)
OLD_PARTS = (VehicleDelivery.OLD_RETURNED, VehicleDelivery.OLD_DISPOSAL, VehicleDelivery.OLD_WARRANTY,
             VehicleDelivery.OLD_NONE)
METHODS = (Payment.CASH, Payment.CARD, Payment.BANK, Payment.MOBILE)


class SettlementError(Refused):
    """The action cannot be done as asked; the message says what to do (shown as a 400)."""


# --- guards other areas call ------------------------------------------------------------------

def settlement_of(order):
    return Settlement.get_or_none(Settlement.order == order)


# --- quality guarantee terms ------------------------------------------------------------------

def default_terms(shop):
    """The rulebook defaults (settings) for each category."""
    return {c: {'days': get_setting(shop, 'guarantee_%s_days' % c), 'km': get_setting(shop, 'guarantee_%s_km' % c)}
            for c in CATEGORIES}


def guarantee_terms(shop):
    """The shop's guarantee table: category -> {days, km}; the settings' defaults where no row exists."""
    terms = default_terms(shop)
    for row in GuaranteeTerm.for_shop(shop):
        terms[row.category] = {'days': row.days, 'km': row.km}
    return terms


def seed_guarantee_terms(shop):
    """Write the default rows a shop does not have yet (demo, new shops). Call inside a transaction."""
    have = {row.category for row in GuaranteeTerm.for_shop(shop)}
    for category, term in default_terms(shop).items():
        if category not in have:
            GuaranteeTerm.create(shop=shop, category=category, days=term['days'], km=term['km'])


def terms_version(shop):
    """A fingerprint of the table as it stands: a form drawn from an older table is stale."""
    return hashlib.sha256(json.dumps(guarantee_terms(shop), sort_keys=True).encode()).hexdigest()[:16]


def save_guarantee_terms(shop, by, terms, *, version):
    """Replace the table (category -> (days, km)); only a manager sets what the shop promises."""
    if MANAGER not in by.role_names:
        raise SettlementError(_l('Only the service manager changes the guarantee terms.'))
    for category, (days, km) in terms.items():
        if category not in CATEGORIES:
            raise SettlementError(_l('Unknown job category.'))
        if not (0 <= days <= 3650 and 0 <= km <= 1_000_000):
            raise SettlementError(_l('Days are 0 to 3,650 and km 0 to 1,000,000.'))
    with transaction():
        if version != terms_version(shop):
            raise StaleRecord(shop.id)
        before = guarantee_terms(shop)
        now = utcnow()
        for category, (days, km) in terms.items():
            changed = (GuaranteeTerm.update(days=days, km=km, updated_at=now, updated_by=by.id)
                       .where((GuaranteeTerm.shop == shop) & (GuaranteeTerm.category == category)).execute())
            if not changed:
                GuaranteeTerm.create(shop=shop, category=category, days=days, km=km, updated_at=now, updated_by=by.id)
        after = guarantee_terms(shop)
        b, a = audit.diff(before, after)
        audit.record('settlement.guarantee_terms', 'shop', shop.id, shop=shop, actor=by, before=b, after=a)


# --- the draft ---------------------------------------------------------------------------------

def _bump(settlement, version):
    """Take the settlement for this action if nobody changed it since `version` was read."""
    changed = (Settlement.update(version=Settlement.version + 1)
               .where((Settlement.id == settlement.id) & (Settlement.version == version)).execute())
    if changed != 1:
        raise StaleRecord(settlement.id)
    settlement.version = version + 1


def _draft(order, by, version):
    """The order's draft settlement, created on the first change. Call inside the action's transaction."""
    if order.stage not in stages.OPEN:
        raise SettlementError(_l('Only an order in the shop can be settled.'))
    s = settlement_of(order)
    if s is None:
        if version:
            raise StaleRecord(order.id)
        try:
            with db.atomic():
                return Settlement.create(shop=order.shop_id, order=order, created_by=by.id)
        except pw.IntegrityError:
            raise StaleRecord(order.id)   # someone opened it at the same moment
    if s.is_settled:
        raise SettlementError(_l('The order is settled: the settlement cannot change. Issue a credit note instead.'))
    _bump(s, version)
    return s


def _record(order, action, by, **kw):
    audit.record(action, 'repair_order', order.id, shop=order.shop_id, actor=by, **kw)


def set_payers(order, by, *, payers, version):
    """Who pays each item (customer, warranty, insurance, internal). A part follows its job unless set apart."""
    if any(p not in PAYERS for p in payers.values()):
        raise SettlementError(_l('Choose who pays: customer, warranty, insurance or internal.'))
    with transaction():
        s = _draft(order, by, version)
        items = order_money(order, s).items
        before = {it.key: it.payer for it in items}
        defaults = {it.key: getattr(it, 'default_payer', CUSTOMER) for it in items if it.kind == SettlementLine.LABOUR}
        choices = dict(s.payer_choices)
        for it in items:
            if it.kind == SettlementLine.LABOUR and it.key in payers:
                choices[it.key] = payers[it.key]
        for it in items:
            if it.kind != SettlementLine.PART or it.key not in payers:
                continue
            want, job_now = payers[it.key], choices.get(it.group, defaults.get(it.group, CUSTOMER))
            if job_now != before.get(it.group) and want == before[it.key]:
                want = job_now           # the job changed payer and the part was left as it was: it follows
            if want == job_now:
                choices.pop(it.key, None)
            else:
                choices[it.key] = want
        # Keep only real choices: a job on its default payer and a part on its job's payer are not stored.
        choices = {k: v for k, v in choices.items() if k in before and not (k in defaults and v == defaults[k])}
        s.payers = json.dumps(choices, sort_keys=True)
        s.save(only=[Settlement.payers])
        after = {it.key: it.payer for it in order_money(order, s).items}
        b, a = audit.diff(before, after)
        _record(order, 'settlement.payers', by, before=b, after=a)
    return s


def add_discount(order, by, *, kind, value, reason, version):
    """A discount off what the customer pays. Over the advisor's limit it waits for a manager (unless one gives it)."""
    reason = (reason or '').strip()
    if not reason:
        raise SettlementError(_l('Say why the discount is given.'))
    if kind not in (Discount.AMOUNT, Discount.SHARE):
        raise SettlementError(_l('Choose an amount or a percentage.'))
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError):
        raise SettlementError(_l('Enter the discount as a number.'))
    if value <= 0 or (kind == Discount.SHARE and value > 1):
        raise SettlementError(_l('A discount is more than 0 and at most the whole bill.'))
    with transaction():
        s = _draft(order, by, version)
        statement = order_money(order, s)
        base = statement.totals['customer_subtotal']
        amount = discount_value(kind, value, base)
        if statement.totals['discount_asked'] + amount > base:
            raise SettlementError(_l('The discounts cannot be more than the customer pays before tax (%(base)s).',
                                     base=format_money(base)))
        manager = MANAGER in by.role_names
        now = utcnow()
        d = Discount.create(shop=order.shop_id, settlement=s, kind=kind, value=value, reason=reason[:200],
                            created_by=by, created_at=now, approved_by=by if manager else None,
                            approved_at=now if manager else None)
        limit = get_setting(order.shop, 'discount_share_without_manager')
        share = (statement.totals['discount_asked'] + amount) / base if base else Decimal('1')
        _record(order, 'settlement.discount_added', by, note=reason,
                after={'discount': d.id, 'kind': kind, 'value': value, 'amount': amount,
                       'needs_manager': share > limit and not manager, 'approved': manager})
    return d


def _discount_of(settlement, discount_id):
    d = Discount.get_or_none((Discount.id == discount_id) & (Discount.settlement == settlement))
    if d is None:
        raise SettlementError(_l('That discount is not on this settlement.'))
    return d


def approve_discount(order, by, *, discount_id, version):
    """A manager approves a discount over the advisor's limit (who and when are recorded)."""
    if MANAGER not in by.role_names:
        raise SettlementError(_l('Only the service manager approves a discount over the limit.'))
    with transaction():
        s = _draft(order, by, version)
        d = _discount_of(s, discount_id)
        if d.approved_at is None:
            d.approved_by, d.approved_at = by, utcnow()
            d.save(only=[Discount.approved_by, Discount.approved_at])
        _record(order, 'settlement.discount_approved', by, after={'discount': d.id, 'kind': d.kind, 'value': d.value},
                note=d.reason)
    return d


def remove_discount(order, by, *, discount_id, version):
    with transaction():
        s = _draft(order, by, version)
        d = _discount_of(s, discount_id)
        d.delete_instance()
        _record(order, 'settlement.discount_removed', by, before={'discount': d.id, 'kind': d.kind, 'value': d.value,
                                                                   'reason': d.reason})


def discounts_waiting(statement):
    """Discounts a manager must approve: any not yet approved while all of them take more than the limit."""
    if statement.settled:
        return []
    limit = manager_limit(statement.order.shop)
    if statement.totals['discount_share'] <= limit:
        return []
    return [d for d in statement.discounts if d.approved_at is None]


def manager_limit(shop):
    """The share of a bill an advisor may take off the customer on his own (a discount, the shop's own share of
    the work, a credit note); above it the service manager approves. One setting for every way of giving money."""
    return get_setting(shop, 'discount_share_without_manager')


def internal_waiting(statement):
    """The shop's own (internal) share of the bill a manager must approve: ZERO when none is needed.

    Moving items from the customer to the shop takes money off the customer as surely as a discount does, so
    above the same limit (of what the customer would pay without it) it needs the manager, up to what he approved.
    """
    if statement.settled:
        return ZERO
    t, s = statement.totals, statement.settlement
    internal = t['payers']['internal']['subtotal']
    if not internal:
        return ZERO
    base = t['customer_subtotal'] + internal
    if internal <= base * manager_limit(statement.order.shop):
        return ZERO
    approved = s.internal_approved if s is not None and s.internal_approved is not None else ZERO
    return internal if internal > approved else ZERO


def approve_internal(order, by, *, version):
    """The service manager approves the shop's own share of the bill as it stands (who and when recorded)."""
    if MANAGER not in by.role_names:
        raise SettlementError(_l('Only the service manager approves the shop paying for the work.'))
    with transaction():
        s = _draft(order, by, version)
        internal = order_money(order, s).totals['payers']['internal']['subtotal']
        s.internal_approved, s.internal_approved_at, s.internal_approved_by = internal, utcnow(), by.id
        s.save(only=[Settlement.internal_approved, Settlement.internal_approved_at, Settlement.internal_approved_by])
        _record(order, 'settlement.internal_approved', by, after={'internal': internal})
    return s


def consent_needed(statement):
    """How much the bill is above what the customer agreed to pay (the signed estimate plus the added work they
    approved, or a higher amount they consented to since): ZERO when it is not, or nothing was agreed in the
    product (an order from before it kept the agreed amount)."""
    order, s = statement.order, statement.settlement
    if statement.settled or order.agreed_total is None:
        return ZERO
    agreed = order.agreed_total
    if s is not None and s.consent_total is not None:
        agreed = max(agreed, s.consent_total)
    return max(statement.totals['customer_total'] - agreed, ZERO)


def record_consent(order, by, *, channel, spoke_with, version):
    """The customer agreed to pay the bill as it now stands (a part's price went up, more hours…): who agreed,
    how the advisor reached them and when, recorded before settling."""
    spoke_with = (spoke_with or '').strip()
    if channel not in CHANNELS:
        raise SettlementError(_l('Choose how the customer was told.'))
    if not spoke_with:
        raise SettlementError(_l('Enter who agreed to the new amount.'))
    with transaction():
        s = _draft(order, by, version)
        statement = order_money(order, s)
        more = consent_needed(statement)
        s.consent_total, s.consent_at, s.consent_by = statement.totals['customer_total'], utcnow(), by.id
        s.consent_channel, s.consent_with = channel, spoke_with[:100]
        s.save(only=[Settlement.consent_total, Settlement.consent_at, Settlement.consent_by,
                     Settlement.consent_channel, Settlement.consent_with])
        _record(order, 'settlement.consent', by,
                after={'total': s.consent_total, 'agreed': order.agreed_total, 'more': more, 'channel': channel,
                       'spoke_with': s.consent_with})
    return s


def percent(share):
    """A share as a plain percentage for people: 0.10 -> '10', 0.125 -> '12.5'."""
    return '{:f}'.format((Decimal(share) * 100).normalize())


def settle_blockers(statement):
    """Why the order cannot be settled yet, as messages (empty: it can)."""
    order, t = statement.order, statement.totals
    if statement.settled:
        return [_l('The order is already settled.')]
    out = []
    if order.stage not in SETTLE_STAGES:
        out.append(_l('The work is not finished: settle once the car is through the final inspection.'))
    if not statement.items:
        out.append(_l('There is nothing to settle: the order has no jobs.'))
    if t['discount_asked'] > t['customer_subtotal']:
        out.append(_l('The discounts are more than the customer pays: remove one.'))
    if discounts_waiting(statement):
        out.append(_l('Discounts over %(pct)s%% of the bill need the service manager\'s approval.',
                      pct=percent(manager_limit(order.shop))))
    if internal_waiting(statement):
        out.append(_l('The shop paying over %(pct)s%% of the bill (internal) needs the service manager\'s approval.',
                      pct=percent(manager_limit(order.shop))))
    more = consent_needed(statement)
    if more:
        out.append(_l('The bill is %(more)s more than the customer agreed to (%(agreed)s): tell them why and record '
                      'that they agree.', more=format_money(more),
                      agreed=format_money(statement.totals['customer_total'] - more)))
    return out


def _store_signature(png):
    if not png:
        return None
    try:
        name, _w, _h = photos_store.store(png, max_side=1200, fmt='PNG')
    except photos_store.PhotoRejected:
        raise SettlementError(_l('The signature could not be read. Ask the customer to sign again.'))
    return name


def settle(order, by, *, version, expected_total=None):
    """Settle: the number is given, every item and figure frozen, the guarantee terms recorded.

    `expected_total` is the customer's total the advisor saw; if the bill changed since, nothing is settled.
    The customer signs the printed settlement, and on the tablet at delivery.
    """
    with transaction():
        s = _draft(order, by, version)
        statement = order_money(order, s)
        blockers = settle_blockers(statement)
        if blockers:
            raise SettlementError(blockers[0])
        if expected_total is not None and money(expected_total) != statement.totals['customer_total']:
            raise StaleRecord(order.id)
        _freeze(s, statement, by, utcnow())
        t = statement.totals
        _record(order, 'settlement.settled', by,
                after={'number': s.number, 'labour': t['labour'], 'parts': t['parts'], 'discount': t['discount'],
                       'tax': t['tax'], 'total': t['total'], 'customer': t['customer_total'],
                       'payers': {p: v['total'] for p, v in t['payers'].items() if v['total']}})
    return s


def _freeze(s, statement, by, at):
    """Write the items and figures as settled. Nothing here changes afterwards."""
    order, t = statement.order, statement.totals
    for i, it in enumerate(statement.items):
        it.shop, it.settlement, it.position = order.shop_id, s, i
        it.save(force_insert=True)
    for d in statement.discounts:
        d.amount = t['discount_amounts'][d.id]
        d.save(only=[Discount.amount])
    terms = guarantee_terms(order.shop)
    s.number = 'ST-%d-%06d' % (at.year, Counter.next(order.shop, 'settlement', at.year))
    s.status, s.settled_at, s.settled_by = Settlement.SETTLED, at, by
    s.tax_rate = t['tax_rate']
    s.labour, s.parts, s.discount, s.tax, s.total = t['labour'], t['parts'], t['discount'], t['tax'], t['total']
    per = t['payers']
    s.customer_total, s.warranty_total = per['customer']['total'], per['warranty']['total']
    s.insurance_total, s.internal_total = per['insurance']['total'], per['internal']['total']
    s.guarantee = json.dumps({c: terms[c] for c in statement.categories}, sort_keys=True)
    s.save()
    order.settled_at = at                 # the order's own word that its jobs and prices are frozen
    RepairOrder.update(settled_at=at).where(RepairOrder.id == order.id).execute()


# --- after settling: payments, credit notes ------------------------------------------------------

def _settled(order, version):
    s = settlement_of(order)
    if s is None or not s.is_settled:
        raise SettlementError(_l('Settle the order first.'))
    _bump(s, version)
    return s


def record_payment(order, by, *, method, amount, version, reference=''):
    """A payment by the customer; several are fine until the balance is nil."""
    if method not in METHODS:
        raise SettlementError(_l('Choose how the customer paid.'))
    try:
        amount = money(amount)
    except (InvalidOperation, TypeError):
        raise SettlementError(_l('Enter the amount paid.'))
    if amount <= 0:
        raise SettlementError(_l('Enter the amount paid.'))
    with transaction():
        s = _settled(order, version)
        statement = order_money(order, s)
        if amount > statement.balance:
            raise SettlementError(_l('That is more than the %(b)s still owed.', b=format_money(max(statement.balance, ZERO))))
        p = Payment.create(shop=order.shop_id, settlement=s, method=method, amount=amount,
                           reference=(reference or '').strip()[:60], received_by=by, paid_at=utcnow())
        _record(order, 'settlement.payment', by, after={'payment': p.id, 'method': method, 'amount': amount,
                                                        'balance': statement.balance - amount})
    return p


def issue_credit_note(order, by, *, reason, line_ids=(), amount=None, version):
    """Correct a settled order: a credit note for chosen customer items and/or an amount (before tax).

    The settlement itself stays as it was; the note references it and reduces what the customer owes.
    """
    reason = (reason or '').strip()
    if not reason:
        raise SettlementError(_l('Say why the credit note is issued.'))
    try:
        extra = money(amount) if amount not in (None, '') else ZERO
    except (InvalidOperation, TypeError):
        raise SettlementError(_l('Enter the amount as a number.'))
    if extra < 0:
        raise SettlementError(_l('Enter the amount as a number.'))
    with transaction():
        s = _settled(order, version)
        statement = order_money(order, s)
        wanted = {int(i) for i in line_ids}
        chosen = [it for it in statement.items if it.id in wanted]
        if len(chosen) != len(wanted) or any(it.payer != CUSTOMER for it in chosen):
            raise SettlementError(_l('Only items the customer paid can be credited to the customer.'))
        taken = {r.settlement_line_id for r in CreditNoteLine.select(CreditNoteLine.settlement_line)
                 .join(CreditNote).where(CreditNote.settlement == s)}
        if any(it.id in taken for it in chosen):
            raise SettlementError(_l('An item is already on a credit note.'))
        net = sum((money(it.amount) for it in chosen), ZERO) + extra
        if net <= 0:
            raise SettlementError(_l('Choose the items to credit, or enter an amount.'))
        tax = tax_on(net, s.tax_rate)
        left = statement.totals['customer_total'] - statement.credited
        if net + tax > left:
            raise SettlementError(_l('The credit notes cannot be more than the customer\'s bill (%(left)s left).',
                                     left=format_money(left)))
        limit = manager_limit(order.shop)
        if MANAGER not in by.role_names and statement.credited + net + tax > statement.totals['customer_total'] * limit:
            # the same limit as a discount: else a credit note for most of a paid bill is a discount nobody approved
            raise SettlementError(_l('Credit notes over %(pct)s%% of the bill are issued by the service manager: '
                                     'ask them to issue this one.', pct=percent(limit)))
        now = utcnow()
        note = CreditNote.create(shop=order.shop_id, settlement=s, reason=reason[:200], net=net, tax=tax,
                                 total=net + tax, created_by=by, created_at=now,
                                 number='CN-%d-%06d' % (now.year, Counter.next(order.shop, 'credit_note', now.year)))
        for it in chosen:
            CreditNoteLine.create(shop=order.shop_id, credit_note=note, settlement_line=it, description=it.description,
                                  amount=money(it.amount))
        if extra:
            CreditNoteLine.create(shop=order.shop_id, credit_note=note, description=reason[:200], amount=extra)
        if statement.credited + note.total >= statement.totals['customer_total']:
            s.status = Settlement.CREDITED
            s.save(only=[Settlement.status])
        _record(order, 'settlement.credit_note', by, note=reason,
                after={'credit_note': note.number, 'net': net, 'tax': tax, 'total': note.total,
                       'items': [it.description for it in chosen]})
    return note


# --- delivery (交车) -------------------------------------------------------------------------------

def has_maintenance(order):
    return RepairOrder.select().where((RepairOrder.id == order.id) & RepairOrder.maintenance_where()).exists()


def next_service_due(order, at=None):
    """(date, km) of the next maintenance: from this visit's odometer and day if maintenance was done,
    else what the vehicle already had on file."""
    vehicle = order.vehicle
    if not has_maintenance(order):
        return (vehicle.next_service_date, vehicle.next_service_km) if vehicle else (None, None)
    shop = order.shop
    day = to_local(at or utcnow(), shop.timezone).date()
    return (add_months(day, get_setting(shop, 'service_interval_months')),
            order.odometer + get_setting(shop, 'service_interval_km'))


def delivery_blockers(order, statement=None):
    """Why the car cannot be handed over yet, as messages (empty: it can)."""
    statement = statement or order_money(order)
    out = []
    if order.stage != stages.READY_FOR_PICKUP:
        out.append(_l('The car is not ready for pickup (now: %(stage)s).', stage=order.stage_label))
    if not statement.settled:
        out.append(_l('Settle the order before the car is handed over.'))
    return out


def deliver(order, by, *, version, belongings, key_returned, documents_returned, documents_note='',
            old_parts, signature_png, signer, satisfaction, comment='', next_service_date=None,
            next_service_km=None, on_account_reason=''):
    """Hand the car back with the customer: the checklist, signature and satisfaction; the key tag and hook go
    back to the pool; the next maintenance is saved on the vehicle; the order becomes delivered.

    `belongings`: belonging id -> (returned, note); a belonging not returned needs a note of what happened.
    An outstanding balance is allowed only on account, with a reason (it stays in receivables).
    """
    statement = order_money(order)
    blockers = delivery_blockers(order, statement)
    if blockers:
        raise SettlementError(blockers[0])
    on_account_reason = (on_account_reason or '').strip()
    if statement.balance > 0 and not on_account_reason:
        raise SettlementError(_l('%(b)s is still owed: take the payment, or say why the car leaves on account.',
                                 b=format_money(statement.balance)))
    items = list(Belonging.select().where(Belonging.order == order).order_by(Belonging.id))
    for b in items:
        returned, note = belongings.get(b.id, (False, ''))
        if not returned and not (note or '').strip():
            raise SettlementError(_l('"%(item)s" is not ticked: note what happened to it.', item=b.label))
    if not key_returned:
        raise SettlementError(_l('Hand the key to the customer and tick it.'))
    if order.document_list and not documents_returned and not (documents_note or '').strip():
        raise SettlementError(_l('Tick the documents returned, or note what was kept.'))
    if old_parts not in OLD_PARTS:
        raise SettlementError(_l('Say what happened to the old parts.'))
    if satisfaction not in (1, 2, 3, 4, 5):
        raise SettlementError(_l('Ask the customer how satisfied they are (1 to 5).'))
    if not (signer or '').strip():
        raise SettlementError(_l('Enter the name of the person signing.'))
    if not signature_png:
        raise SettlementError(_l('The customer has not signed yet.'))
    if next_service_km is not None and next_service_km < order.odometer:
        raise SettlementError(_l('The next maintenance cannot be below today\'s odometer.'))
    filename = _store_signature(signature_png)
    try:
        with transaction():
            now = utcnow()
            stages.move(order, stages.DELIVERED, by=by, expected_version=version)
            order.delivered_at = now
            RepairOrder.update(delivered_at=now).where(RepairOrder.id == order.id).execute()
            sig = Signature.create(shop=order.shop_id, order=order, purpose='delivery', filename=filename,
                                   signer=signer.strip()[:100], signed_at=now)
            delivery = VehicleDelivery.create(
                shop=order.shop_id, order=order, delivered_at=now, delivered_by=by, key_returned=True,
                documents_returned=bool(documents_returned), documents_note=(documents_note or '').strip()[:200],
                old_parts=old_parts, satisfaction=satisfaction, comment=(comment or '').strip(), signature=sig,
                next_service_date=next_service_date, next_service_km=next_service_km,
                balance=max(statement.balance, ZERO), on_account_reason=on_account_reason[:200])
            missing = []
            for b in items:
                returned, note = belongings.get(b.id, (False, ''))
                BelongingReturn.create(shop=order.shop_id, delivery=delivery, belonging=b, name=str(b.label)[:100],
                                       quantity=b.quantity, returned=bool(returned), note=(note or '').strip()[:200])
                Belonging.update(returned=bool(returned)).where(Belonging.id == b.id).execute()
                if not returned:
                    missing.append({'item': str(b.label), 'note': note})
            # The key tag and hook go back to the pool; the order keeps which ones it had, for its history.
            tags = KeyTag.update(order_id=None).where(KeyTag.order_id == order.id).execute()
            KeyHook.update(order_id=None).where(KeyHook.order_id == order.id).execute()
            if order.vehicle_id and (next_service_date or next_service_km):
                Vehicle.update(next_service_date=next_service_date, next_service_km=next_service_km) \
                    .where(Vehicle.id == order.vehicle_id).execute()
            _record(order, 'order.delivered', by, note=on_account_reason,
                    after={'satisfaction': satisfaction, 'missing': missing, 'key_tag_freed': bool(tags),
                           'old_parts': old_parts, 'balance': delivery.balance,
                           'next_service': {'date': next_service_date, 'km': next_service_km}})
            schedule_followups(order, by)
    except Exception:
        photos_store.remove(filename)
        raise
    return delivery


def write_off(order, by, *, reason, version):
    """The service manager writes off what a customer still owes on a settled bill (bad debt, a gesture): from
    now on it is no longer a receivable. The bill itself stays as settled; who, when and why are recorded."""
    if MANAGER not in by.role_names:
        raise SettlementError(_l('Only the service manager writes off what a customer owes.'))
    reason = (reason or '').strip()
    if not reason:
        raise SettlementError(_l('Say why the balance is written off.'))
    with transaction():
        s = _settled(order, version)
        balance = order_money(order, s).balance
        if balance <= 0:
            raise SettlementError(_l('Nothing is owed on this bill.'))
        s.written_off, s.written_off_at, s.written_off_by = balance, utcnow(), by.id
        s.write_off_reason = reason[:200]
        s.save(only=[Settlement.written_off, Settlement.written_off_at, Settlement.written_off_by,
                     Settlement.write_off_reason])
        _record(order, 'settlement.written_off', by, note=reason, after={'amount': balance})
    return s


def close_blockers(order, user, statement=None):
    statement = statement or order_money(order)
    if order.stage != stages.DELIVERED:
        return [_l('Only a delivered order can be closed.')]
    if not statement.fully_paid and MANAGER not in user.role_names:
        return [_l('%(b)s is still owed: only the service manager can close the order, with a reason.',
                   b=format_money(statement.balance))]
    return []


def close_order(order, by, *, version, reason=''):
    """Delivered -> closed: when the customer has paid everything, or by a manager with a reason."""
    statement = order_money(order)
    blockers = close_blockers(order, by, statement)
    if blockers:
        raise SettlementError(blockers[0])
    reason = (reason or '').strip()
    if not statement.fully_paid and not reason:
        raise SettlementError(_l('Say why the order is closed with %(b)s still owed.', b=format_money(statement.balance)))
    with transaction():
        stages.move(order, stages.CLOSED, by=by, expected_version=version, note=reason)
        _record(order, 'order.closed', by, note=reason, after={'balance': statement.balance})
    return order


def guarantee_rows(statement):
    """The guarantee for this order, per job category on the bill: the terms (as recorded when settled),
    the jobs it covers, and until which day and odometer reading, counted from the day the car leaves."""
    order, s = statement.order, statement.settlement
    terms = s.guarantee_terms if statement.settled else guarantee_terms(order.shop)
    fallback = default_terms(order.shop)
    start = order.delivered_at or (s.settled_at if statement.settled else None) or utcnow()
    day = to_local(start, order.shop.timezone).date()
    rows = []
    for category in statement.categories:
        term = terms.get(category) or fallback[category]
        rows.append({'category': category, 'days': term['days'], 'km': term['km'],
                     'until_date': day + timedelta(days=term['days']), 'until_km': order.odometer + term['km'],
                     'jobs': [it.description for it in statement.items
                              if it.kind == SettlementLine.LABOUR and it.category == category]})
    return rows
