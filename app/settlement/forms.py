"""Forms of the settlement and the delivery checklist, and the labels their choices show."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.money import PAYMENT_METHODS
from app.settlement.models import (CUSTOMER, INSURANCE, INTERNAL, MAINTENANCE, MAJOR, MINOR, WARRANTY, Discount,
                                   Payment, Settlement, VehicleDelivery)

PAYER_LABELS = {CUSTOMER: _l('Customer'), WARRANTY: _l('Warranty (maker)'), INSURANCE: _l('Insurance'),
                INTERNAL: _l('Internal')}
METHOD_LABELS = PAYMENT_METHODS
CATEGORY_LABELS = {MAJOR: _l('Major or assembly repair'), MAINTENANCE: _l('Second-level maintenance'),
                   MINOR: _l('Minor and other repairs')}
STATUS_LABELS = {Settlement.DRAFT: _l('Draft'), Settlement.SETTLED: _l('Settled'), Settlement.CREDITED: _l('Credited')}
OLD_PARTS_LABELS = {VehicleDelivery.OLD_RETURNED: _l('Returned to the customer'),
                    VehicleDelivery.OLD_DISPOSAL: _l('Left with the shop for disposal'),
                    VehicleDelivery.OLD_WARRANTY: _l('Kept for the warranty claim'),
                    VehicleDelivery.OLD_NONE: _l('No parts replaced')}
SATISFACTION_LABELS = {1: _l('1 · Very unhappy'), 2: _l('2 · Unhappy'), 3: _l('3 · Neutral'), 4: _l('4 · Satisfied'),
                       5: _l('5 · Very satisfied')}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DiscountForm(FlaskForm):
    kind = RadioField(_l('Discount as'), default=Discount.AMOUNT, choices=[
        SelectChoice(Discount.AMOUNT, _l('Amount (¥)')), SelectChoice(Discount.SHARE, _l('Percent (%)'))],
        validators=[InputRequired(_l('Choose an amount or a percentage.'))])
    value = DecimalField(_l('Discount'), places=2, validators=[
        InputRequired(_l('Enter the discount.')),
        NumberRange(min=Decimal('0.01'), max=Decimal('9999999'), message=_l('The discount must be more than 0.'))])
    reason = StringField(_l('Reason'), filters=[_strip], validators=[
        DataRequired(_l('Say why the discount is given.')), Length(max=200)])

    def rule_value(self):
        """A percentage is stored as a share (10 % -> 0.10)."""
        return self.value.data / 100 if self.kind.data == Discount.SHARE else self.value.data


class PaymentForm(FlaskForm):
    method = RadioField(_l('Payment method'), default=Payment.MOBILE,
                        choices=[SelectChoice(k, v) for k, v in METHOD_LABELS.items()],
                        validators=[InputRequired(_l('Choose how the customer paid.'))])
    amount = DecimalField(_l('Amount (¥)'), places=2, validators=[
        InputRequired(_l('Enter the amount paid.')),
        NumberRange(min=Decimal('0.01'), max=Decimal('9999999'), message=_l('Enter the amount paid.'))])
    reference = StringField(_l('Reference (slip or transaction number)'), filters=[_strip], validators=[Length(max=60)])


class CreditNoteForm(FlaskForm):
    reason = StringField(_l('Reason'), filters=[_strip], validators=[
        DataRequired(_l('Say why the credit note is issued.')), Length(max=200)])
    amount = DecimalField(_l('Or an amount before tax (¥)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0.01'), max=Decimal('9999999'), message=_l('Enter the amount as a number.'))])


class ConsentForm(FlaskForm):
    """The customer agreed to a bill above what they signed for: how they were told and who agreed."""
    channel = RadioField(_l('How the customer was told'), default='phone', choices=[
        SelectChoice('phone', _l('Phone')), SelectChoice('in_person', _l('In person')),
        SelectChoice('message', _l('Message'))], validators=[InputRequired(_l('Choose how the customer was told.'))])
    spoke_with = StringField(_l('Who agreed'), filters=[_strip], validators=[
        DataRequired(_l('Enter who agreed to the new amount.')), Length(max=100)])


class WriteOffForm(FlaskForm):
    reason = StringField(_l('Why it is written off'), filters=[_strip], validators=[
        DataRequired(_l('Say why the balance is written off.')), Length(max=200)])


class SettleForm(FlaskForm):
    expected_total = HiddenField()   # the customer's total on the screen: a bill that changed since is not settled


class CloseForm(FlaskForm):
    reason = StringField(_l('Reason (needed while money is owed)'), filters=[_strip], validators=[Length(max=200)])


class DeliveryForm(FlaskForm):
    key_returned = BooleanField(_l('Key handed to the customer'))
    documents_returned = BooleanField(_l('All documents returned'))
    documents_note = StringField(_l('Documents kept or missing'), filters=[_strip], validators=[Length(max=200)])
    old_parts = RadioField(_l('Old parts'), choices=[SelectChoice(k, v) for k, v in OLD_PARTS_LABELS.items()],
                           validators=[InputRequired(_l('Say what happened to the old parts.'))])
    satisfaction = RadioField(_l('How satisfied is the customer?'), coerce=int,
                              choices=[SelectChoice(k, v) for k, v in SATISFACTION_LABELS.items()],
                              validators=[InputRequired(_l('Ask the customer how satisfied they are (1 to 5).'))])
    comment = TextAreaField(_l('Customer\'s comment'), filters=[_strip], validators=[Length(max=2000)])
    next_service_date = DateField(_l('Due by (date)'), validators=[Optional()])
    next_service_km = IntegerField(_l('Due at (km)'), validators=[
        Optional(), NumberRange(min=0, max=2_000_000, message=_l('Enter the km (0 to 2,000,000).'))])
    on_account_reason = StringField(_l('On account: why the car leaves before everything is paid'),
                                    filters=[_strip], validators=[Length(max=200)])
    signer = StringField(_l('Signed by'), filters=[_strip], validators=[
        DataRequired(_l('Enter the name of the person signing.')), Length(max=100)])
    signature = HiddenField()
