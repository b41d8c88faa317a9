"""The customer file as the rulebook keeps it (001 "客户有关情况包括:客户名称、地址、电话…客户希望得到的服务"; 投诉情况):
the address and the customer's wishes, and the customer's complaints, calls and messages."""
from app.aftercare import complaints, followups
from app.aftercare.models import CallRecord, Complaint
from app.customers.models import Customer
from app.messages.models import Message
from tests import factories

CUSTOMER = {'kind': 'person', 'name': '李娜', 'phone': '139 0000 1111', 'phone2': '', 'language': 'zh',
            'consent_contact': 'y', 'note': ''}


def test_the_file_keeps_the_address_and_the_customers_wishes(desk, files):
    """The advisor would have nowhere to write where the customer lives or what service they hope for."""
    li = files['li']
    resp = desk.post('/customers/%d/edit' % li.id, data=dict(
        CUSTOMER, address='长沙市岳麓区麓山南路 88 号', wishes='下午三点后来电；希望提供代步车'))
    assert resp.status_code == 302
    person = Customer.get_by_id(li.id)
    assert (person.address, person.wishes) == ('长沙市岳麓区麓山南路 88 号', '下午三点后来电；希望提供代步车')
    html = desk.get('/customers/%d' % li.id).get_data(as_text=True)
    assert '长沙市岳麓区麓山南路 88 号' in html and '希望提供代步车' in html
    assert 'data-testid="customer-address"' in html and 'data-testid="customer-wishes"' in html


def test_a_too_long_address_is_refused_and_kept(desk, files):
    """An address longer than the file holds would be cut silently or crash."""
    resp = desk.post('/customers/%d/edit' % files['li'].id, data=dict(CUSTOMER, address='路' * 201))
    assert resp.status_code == 400 and '路' * 201 in resp.get_data(as_text=True)


def test_the_file_shows_the_customers_complaints_calls_and_messages(desk, shop, advisor, files):
    """The customer file would not show what the customer complained about, the calls made or the messages sent."""
    wang = files['wang']
    order = factories.make_order(shop, advisor, vehicle=files['wang_car'])
    complaints.log_complaint(shop, advisor, channel='phone', content='刹车有异响已两次', order=order,
                             severity=Complaint.MAJOR)
    order.delivered_at = order.checked_in_at
    order.save()
    task = followups.schedule_followups(order, advisor)
    CallRecord.create(shop=shop, task=task, order=order, customer=wang, caller=advisor, outcome='reached',
                      notes='客户对保养满意')
    Message.create(shop=shop, order=order, customer=wang, kind=Message.PICKUP_NOTICE, channel=Message.SMS,
                   body='您的车已可取', status=Message.SENT)
    other = files['li']
    complaints.log_complaint(shop, advisor, channel='phone', content='别人的投诉', customer=other)
    html = desk.get('/customers/%d' % wang.id).get_data(as_text=True)
    for section in ('file-complaints', 'file-calls', 'file-messages'):
        assert 'data-testid="%s"' % section in html
    assert '刹车有异响已两次' in html and '别人的投诉' not in html
    assert '客户对保养满意' in html and 'Pickup notice' in html and 'Major problem' in html
