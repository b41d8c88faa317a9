"""Print layouts: one label per page of the 62 mm roll, or A4 sheets of 3 x 8 key tag labels."""
import os
import re

from app.labels import rules
from tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bag_labels_on_the_roll_one_per_bag(signed_in, order):
    """Two bags for one car print two identical labels, each on its own length of roll."""
    resp = signed_in.get('/labels/order/%d/bag/print?copies=2' % order.id)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert body.count('class="roll-label"') == 2
    assert body.count('粤B12345') >= 2 and order.number in body
    assert '<script>' not in body.split('</head>', 1)[1]
    many = signed_in.get('/labels/order/%d/bag/print?copies=500' % order.id).get_data(as_text=True)
    assert many.count('class="roll-label"') == 5


def test_whole_pool_on_a4_sheets_of_24(signed_in, shop, manager):
    """Printing the pool fills whole A4 sheets of 3 x 8, then starts a new sheet."""
    tags = rules.add_key_tags(shop, manager, 30)
    rules.retire_key_tag(tags[5], manager)
    body = signed_in.get('/labels/keys/print?layout=sheet').get_data(as_text=True)
    sheets = body.split('class="label-sheet"')[1:]
    assert len(sheets) == 2
    assert sheets[0].count('class="sheet-cell"') == 24 and sheets[1].count('class="sheet-cell"') == 5
    assert '>6</text>' not in body   # the retired tag is not printed again


def test_some_numbers_only(signed_in, shop, manager):
    """After adding tags 11 to 15 the manager prints just those."""
    rules.add_key_tags(shop, manager, 15)
    body = signed_in.get('/labels/keys/print?layout=roll&first=11&last=15').get_data(as_text=True)
    assert body.count('class="roll-label"') == 5
    numbers = re.findall(r'font-size="[\d.]+" font-weight="700" text-anchor="middle">(\d+)</text>', body)
    assert numbers == ['11', '12', '13', '14', '15']


def test_one_tag_reprinted(signed_in, tags):
    """A worn label is reprinted on its own."""
    body = signed_in.get('/labels/keytag/%d/print' % tags[0].id).get_data(as_text=True)
    assert body.count('class="roll-label"') == 1


def test_print_pages_are_shop_checked(signed_in, other_shop):
    """Another shop's tags and orders cannot be printed from here."""
    assert signed_in.get('/labels/keytag/%d/print' % other_shop['tag'].id).status_code == 404
    assert signed_in.get('/labels/order/%d/bag/print' % other_shop['order'].id).status_code == 404
    body = signed_in.get('/labels/keys/print').get_data(as_text=True)
    assert 'label-sheet' not in body   # shop A has no tags yet; shop B's are not shown


def test_stylesheet_sets_the_label_page_sizes():
    """Without the named pages the roll would print A4 pages with a label in the corner."""
    with open(os.path.join(ROOT, 'static', 'css', 'servicebay.css'), encoding='utf-8') as fh:
        css = fh.read()
    section = css.split('/* == labels == */', 1)[1]
    assert re.search(r'@page label-roll \{ size: 62mm 29mm; margin: 0; \}', section)
    assert re.search(r'@page label-sheet \{ size: A4; margin: 0; \}', section)
    assert 'page: label-roll' in section and 'page: label-sheet' in section


def test_technician_cannot_print(client, make_user, order):
    """Printing labels is the advisor's and the manager's job."""
    make_user('tom', ['technician'])
    client.post('/login', data={'username': 'tom', 'password': factories.PASSWORD})
    assert client.get('/labels/order/%d/bag/print' % order.id).status_code == 403
    assert client.get('/labels/keys/print').status_code == 403
