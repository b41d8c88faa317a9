"""Labels printed straight to a Brother QL printer on the network: the raster job decodes back to a label whose QR
scans, the settings page, and what the advisor is told when the printer does not answer."""
import pytest

from app.core.models import Event
from app.core.settings import get_setting
from app.labels import brother, rules
from app.labels import render as draw
from app.labels.printing import tag_scan_url
from tests.labels.helpers import FakePrinter, closed_port_address, decode_qr, decode_raster, png_of, put_key_on

HTMX = {'HX-Request': 'true'}


def _use_printer(shop, manager, address, media='62'):
    rules.set_printer(shop, manager, address, 'QL-820NWB', media)


@pytest.mark.parametrize('media,rows', [('62', None), ('62x29', 271)])
def test_raster_job_decodes_to_a_label_whose_qr_scans(app, shop, tags, tmp_path, media, rows):
    """What the printer receives is a 62 mm label whose QR opens the key tag, on the continuous roll and die-cut."""
    with app.test_request_context('/'):
        url = tag_scan_url(tags[0])
        label = draw.keytag_label(tags[0].number, shop.name, url)
        job = brother.labels_job([label, label], brother.MEDIA[media])
    pages = decode_raster(job)
    assert len(pages) == 2 and [info['page'] for info, _ in pages] == [0, 1]
    info, picture = pages[0]
    assert (info['width_mm'], info['kind']) == (62, brother.MEDIA[media].kind)
    assert picture.size[0] == 720
    if rows:
        assert picture.size[1] == rows and info['length_mm'] == 29
    else:
        assert 150 <= picture.size[1] <= 400      # a 29 mm label on the continuous roll, within the model's limits
    # Nothing printed in the roll's margins: the 12 dots at the head's right end and the 12 at its left.
    assert picture.crop((0, 0, 12, picture.size[1])).getextrema() == (255, 255)
    assert picture.crop((708, 0, 720, picture.size[1])).getextrema() == (255, 255)
    assert decode_qr(png_of(picture), tmp_path) == url


def test_advisor_prints_the_key_tag_and_bag_labels_in_one_tap(signed_in, shop, manager, order, tags, tmp_path, app):
    """On the order the advisor taps "print key tag" and "print bag labels"; the printer gets labels that scan."""
    put_key_on(order, tags[1])
    with FakePrinter() as printer:
        _use_printer(shop, manager, printer.address)
        page = signed_in.get('/orders/%d' % order.id).get_data(as_text=True)
        assert 'data-testid="print-keytag"' in page and 'data-testid="print-bags"' in page
        assert 'data-testid="order-keytag-label"' not in page      # no browser roll page to print from a tablet
        resp = signed_in.post('/labels/keytag/%d/send' % tags[1].id, data={'copies': '1'}, headers=HTMX)
        assert resp.status_code == 200
        assert 'data-outcome="sent"' in resp.get_data(as_text=True)
        resp = signed_in.post('/labels/order/%d/bag/send' % order.id, data={'copies': '2'}, headers=HTMX)
        assert resp.status_code == 200 and 'data-outcome="sent"' in resp.get_data(as_text=True)
        key_job, bag_job = printer.wait_jobs(2)
    with app.test_request_context('/'):
        tag_url = tag_scan_url(tags[1])
    key_pages = decode_raster(key_job)
    assert len(key_pages) == 1
    assert decode_qr(png_of(key_pages[0][1]), tmp_path) == tag_url
    bag_pages = decode_raster(bag_job)
    assert len(bag_pages) == 2
    assert decode_qr(png_of(bag_pages[1][1]), tmp_path) == 'http://localhost/b/%s' % order.label_token


def test_printer_that_does_not_answer_is_said_in_place_in_chinese(signed_in, shop, manager, order, tags):
    """A printer switched off: the advisor reads, where they tapped and in their language, that it did not answer."""
    put_key_on(order, tags[0])
    address = closed_port_address()
    _use_printer(shop, manager, address)
    resp = signed_in.post('/labels/keytag/%d/send' % tags[0].id, data={'copies': '1'},
                          headers=dict(HTMX, **{'Accept-Language': 'zh-CN'}))
    assert resp.status_code == 503
    body = resp.get_data(as_text=True)
    assert 'data-outcome="failed"' in body and address in body and '标签打印机' in body
    assert '<html' not in body                                  # the piece, not an error page
    plain = signed_in.post('/labels/order/%d/bag/send' % order.id, data={'copies': '1'})
    assert plain.status_code == 503 and address in plain.get_data(as_text=True)   # without JavaScript: a page


def test_without_a_printer_the_order_offers_browser_printing(signed_in, order, tags):
    """A shop without a network printer keeps the 62 mm roll pages, and a tap on send says how to set one up."""
    put_key_on(order, tags[0])
    page = signed_in.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'data-testid="order-keytag-label"' in page and 'data-testid="print-keytag"' not in page
    assert 'data-testid="printer-setup"' not in page             # the advisor cannot set it up
    resp = signed_in.post('/labels/keytag/%d/send' % tags[0].id, data={'copies': '1'}, headers=HTMX)
    assert resp.status_code == 400 and 'Label printer' in resp.get_data(as_text=True)


def test_manager_sets_up_the_printer(as_manager, shop, order):
    """The manager types the printer's address on its page; a typo is said on the field and kept; empty removes it."""
    page = as_manager.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'data-testid="printer-setup"' in page
    assert 'data-testid="printer-settings-link"' in as_manager.get('/labels/keys').get_data(as_text=True)
    bad = as_manager.post('/labels/printer', data={'address': '192.168.1.50:99999', 'model': 'QL-820NWB',
                                                   'media': '62'}, headers=HTMX)
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert 'value="192.168.1.50:99999"' in body and 'error-text' in body
    assert get_setting(shop, 'label_printer_address') == ''
    good = as_manager.post('/labels/printer', data={'address': ' 192.168.1.50 ', 'model': 'QL-810W',
                                                    'media': '62x29'}, headers=HTMX)
    assert good.status_code == 200 and 'data-testid="printer-test"' in good.get_data(as_text=True)
    assert (get_setting(shop, 'label_printer_address'), get_setting(shop, 'label_printer_model'),
            get_setting(shop, 'label_printer_media')) == ('192.168.1.50', 'QL-810W', '62x29')
    assert Event.select().where(Event.action == 'label_printer.set').count() == 1
    as_manager.post('/labels/printer', data={'address': '', 'model': 'QL-810W', 'media': '62'})
    assert get_setting(shop, 'label_printer_address') == ''


def test_test_label_prints_on_the_fake_printer(as_manager, shop, manager, tmp_path):
    """The settings page's test label reaches the printer and its QR opens ServiceBay."""
    with FakePrinter() as printer:
        _use_printer(shop, manager, printer.address, media='62x29')
        resp = as_manager.post('/labels/printer/test', headers=HTMX)
        assert resp.status_code == 200 and 'data-outcome="sent"' in resp.get_data(as_text=True)
        (job,) = printer.wait_jobs(1)
    (info, picture), = decode_raster(job)
    assert info['length_mm'] == 29
    assert decode_qr(png_of(picture), tmp_path) == 'http://localhost/'


def test_advisor_cannot_change_the_printer(signed_in, other_shop):
    """Only a manager points the shop at a printer; another shop's tag cannot be printed."""
    assert signed_in.get('/labels/printer').status_code == 403
    assert signed_in.post('/labels/keytag/%d/send' % other_shop['tag'].id, data={'copies': '1'}).status_code == 404
