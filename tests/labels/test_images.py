"""Label images: SVG that is safe to open and print, PNG that scans, both only for one's own shop."""
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageFont

from app.labels import render, rules
from app.reception.models import RepairOrder
from tests import factories
from tests.helpers import require
from tests.labels.helpers import decode_qr

SVG = '{http://www.w3.org/2000/svg}'


@pytest.fixture
def odd_car(shop):
    """A car whose model name was typed as markup."""
    owner = factories.make_customer(shop, name='<b>王</b>')
    return factories.make_vehicle(shop, owner, plate='粤B54321', model='<script>alert(1)</script> & "Co"')


def _svg(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    assert resp.mimetype == 'image/svg+xml'
    csp = resp.headers['Content-Security-Policy']
    assert 'sandbox' in csp and "object-src 'none'" in csp
    assert resp.headers['X-Content-Type-Options'] == 'nosniff'
    return resp.get_data(as_text=True)


def test_bag_svg_is_well_formed_and_escapes_what_was_typed(signed_in, shop, advisor, odd_car):
    """A model name typed as markup must print as text, never run as script when the label is opened."""
    order = factories.make_order(shop, advisor, vehicle=odd_car)
    text = _svg(signed_in, '/labels/order/%d/bag.svg' % order.id)
    root = ET.fromstring(text.encode())
    assert root.tag == SVG + 'svg' and root.get('width') == '62.0mm'
    assert not list(root.iter(SVG + 'script')) and '<script' not in text
    assert '&lt;script&gt;' in text
    qr = [p for p in root.iter(SVG + 'path') if p.get('class') == 'qr']
    assert len(qr) == 1 and qr[0].get('d').startswith('M')
    lines = [t.text for t in root.iter(SVG + 'text')]
    assert '粤B54321' in lines and order.number in lines
    assert any(line and line.startswith('<script>') for line in lines)   # shown as the text it is (maybe cut short)
    assert 'on' not in {a[:2] for el in root.iter() for a in el.attrib}   # no event handler attributes


def test_key_tag_svg_has_number_qr_and_shop(signed_in, tags):
    """The key tag's label shows its number big and the shop's name beside the QR."""
    root = ET.fromstring(_svg(signed_in, '/labels/keytag/%d.svg' % tags[1].id).encode())
    lines = [t.text for t in root.iter(SVG + 'text')]
    assert str(tags[1].number) in lines and '一号店 Shop One' in lines
    assert [p for p in root.iter(SVG + 'path') if p.get('class') == 'qr']


def test_draft_order_bag_label_says_draft(signed_in, shop, advisor, car, tmp_path):
    """Before the customer signs there is no order number: the bag says 'draft' and still scans."""
    draft = RepairOrder.create(shop=shop, advisor=advisor, customer=car.owner, vehicle=car)
    root = ET.fromstring(_svg(signed_in, '/labels/order/%d/bag.svg' % draft.id).encode())
    assert 'draft' in [t.text for t in root.iter(SVG + 'text')]
    png = signed_in.get('/labels/order/%d/bag.png' % draft.id).data
    assert decode_qr(png, tmp_path) == 'http://localhost/b/%s' % draft.label_token


def test_png_is_a_300_dpi_label(signed_in, order):
    """The PNG must print at the label's real size on a 300 dpi label printer."""
    resp = signed_in.get('/labels/order/%d/bag.png' % order.id)
    image = Image.open(io.BytesIO(resp.data))
    assert image.size == (732, 343)
    assert round(image.info['dpi'][0]) == 300
    assert resp.headers['Cache-Control'] == 'private, no-store'


def test_png_without_a_chinese_font_still_renders_and_scans(signed_in, tags, monkeypatch, tmp_path):
    """A server without the CJK font must still print working labels, not crash."""
    monkeypatch.setattr(render, 'FONT_DIR', str(tmp_path / 'no-fonts'))
    render._font_file.cache_clear()
    render._font.cache_clear()
    try:
        resp = signed_in.get('/labels/keytag/%d.png' % tags[0].id)
        assert resp.status_code == 200
        assert decode_qr(resp.data, tmp_path) == 'http://localhost/k/%s' % tags[0].token
    finally:
        render._font_file.cache_clear()
        render._font.cache_clear()


def test_chinese_font_is_found_when_installed():
    """With Noto CJK installed the PNG labels draw Chinese plates and shop names, not empty boxes."""
    found = render._font_file(True)
    require(found is not None, 'Noto Sans CJK is not installed (apt-get install fonts-noto-cjk)')
    path, index = found
    assert 'SC' in ImageFont.truetype(path, 12, index=index).getname()[0]


def test_long_text_is_shrunk_to_stay_clear_of_the_qr():
    """A long model name gets smaller (or cut) so it never runs into the QR or off the label."""
    label = render.bag_label('RO-2026-000001', '粤B12345D', '汉兰达 Highlander 双擎 Hybrid 四驱 尊贵版', 'http://x/b/t')
    for t in label.texts:
        size, text = render._fit(t.text, t.size, t.width, lambda s, z: render._em_width(s, t.bold) * z)
        assert render._em_width(text, t.bold) * size <= t.width + 1e-6
        assert t.x >= label.qr_box[0] + label.qr_box[2]


def test_qr_uses_level_m_and_a_quiet_zone_of_four():
    """The QR must scan off a scuffed tag: error correction M and the full white border."""
    qr = render.make_qr('http://localhost/k/abcdefghijklmnopqrstuv')
    assert qr.error == 'M' and not qr.is_micro
    assert render.QUIET_ZONE == 4


def test_images_are_shop_checked_and_role_checked(signed_in, client, other_shop, make_user, tags, order):
    """Another shop's tags and orders do not exist here; a technician does not print labels."""
    for url in ('/labels/keytag/%d.svg' % other_shop['tag'].id, '/labels/keytag/%d.png' % other_shop['tag'].id,
                '/labels/order/%d/bag.svg' % other_shop['order'].id, '/labels/order/%d/bag.png' % other_shop['order'].id):
        assert signed_in.get(url).status_code == 404, url
    signed_in.post('/logout')
    make_user('tom', ['technician'])
    client.post('/login', data={'username': 'tom', 'password': factories.PASSWORD})
    assert client.get('/labels/keytag/%d.svg' % tags[0].id).status_code == 403
    assert client.get('/labels/order/%d/bag.png' % order.id).status_code == 403
    assert client.get('/labels/keytag/%d.gif' % tags[0].id).status_code == 404


def test_retired_tag_label_can_still_be_drawn(signed_in, manager, tags):
    """Looking up an old tag's label after retiring it must not fail."""
    rules.retire_key_tag(tags[0], manager)
    assert signed_in.get('/labels/keytag/%d.svg' % tags[0].id).status_code == 200
