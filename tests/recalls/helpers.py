"""Small builders for recall tests: a campaign over given VIN entries, cars with VINs of one vehicle line, a maker's
CSV file."""
import csv
import io
import json
from datetime import date
from decimal import Decimal

from app.core.validators import make_vin
from app.recalls.models import Campaign, CampaignVin
from tests import factories

LINE = 'LVGBE40K0JG'        # positions 1-11 of the test cars (position 9 is recomputed per VIN)
PARTS = [{'part_number': '47210-02540', 'name': 'Front brake hose', 'quantity': '2', 'unit_price': '185'}]


def vin(serial, line=LINE):
    return make_vin(line, '%06d' % serial)


def campaign(shop, entries, code='RC-1', starts_on=date(2020, 1, 1), **kw):
    c = Campaign.create(shop=shop, code=code, title=kw.pop('title', 'Brake hose recall'),
                        work=kw.pop('work', 'Replace front brake hoses'), system=kw.pop('system', 'brakes'),
                        labour_hours=kw.pop('labour_hours', Decimal('0.8')), parts=json.dumps(PARTS),
                        starts_on=starts_on, **kw)
    for a, b in entries:
        CampaignVin.create(shop=shop, campaign=c, vin_from=a, vin_to=b)
    return c


def car(shop, serial, consent=True, **kw):
    owner = factories.make_customer(shop, consent_contact=consent)
    return factories.make_vehicle(shop, owner, vin=vin(serial), **kw)


def csv_file(rows):
    """A maker's CSV file (UTF-8 with BOM, as Excel writes it) of the given rows."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return io.BytesIO(buf.getvalue().encode('utf-8-sig'))
