"""Demo: follow-up calls for the delivered orders, reminders due this week, a coming event, six complaints."""
from datetime import datetime, time, timedelta

from app.accounts.models import User
from app.aftercare import complaints, followups
from app.aftercare.models import CallRecord, Complaint, FollowUpTask, ShopEvent
from app.core.access import ADVISOR
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.settings import get_setting
from app.core.timeutil import shop_today, to_utc
from app.customers.models import Vehicle
from app.reception.models import RepairOrder

NOTES = ['车况良好，客户满意', '客户说刹车比以前安静多了', '客户表示等待时间可以接受', '客户对洗车很满意']
# (months ago, cause, service's fault, hours to first answer, satisfaction, content, status)
COMPLAINTS = [
    (5, 'waiting', True, 5, 4, '约好下午三点交车，等到五点半才拿到车，也没人提前打电话说明。', 'closed', 'normal'),
    (4, 'quality', True, 20, 3, '更换刹车片后第三天又有异响，要求重新检查。', 'resolved', 'major'),
    (3, 'price', False, 30, 4, '结算单上的工时费比估价单高了两百元，没有事先说明。', 'closed', 'normal'),
    (2, 'attitude', True, 50, 2, '前台接待态度冷淡，问问题不耐烦。', 'resolved', 'normal'),
    (0.7, 'parts', False, 8, None, '订的原厂雨刮片一周了还没到货。', 'answered', 'normal'),
]


def _local_at(shop, day, hour, minute=0):
    return to_utc(datetime.combine(day, time(hour, minute)), shop.timezone)


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Complaint.for_shop(shop).exists():
        return []
    service = User.get_or_none(User.username == 'service')
    boss = User.get_or_none(User.username == 'manager')
    advisors = list(User.with_role(shop, ADVISOR).order_by(User.id))
    if service is None or boss is None or not advisors:
        return []
    now = utcnow()
    today = shop_today(shop)
    with transaction():
        _followups(shop, rng, now, today, service, boss)
        _reminders(shop, today)
        ShopEvent.create(shop=shop, title='车主免费安全检测日', title_en='Free safety check day',
                         starts_on=today + timedelta(days=10), created_by=boss,   # told a week ahead (001)
                         description='免费检测刹车、轮胎、灯光、电瓶和空调，现场更换滤芯享九折。')
        _complaints(shop, rng, now, service, boss, advisors)
        complaints.escalate_overdue_complaints(shop, now)
    return []


def _followups(shop, rng, now, today, service, boss):
    orders = list(RepairOrder.for_shop(shop).where(RepairOrder.delivered_at.is_null(False)
                                                   & RepairOrder.customer.is_null(False))
                  .order_by(RepairOrder.delivered_at.desc(), RepairOrder.id))
    scripted = 0
    for order in orders:
        task = followups.schedule_followups(order, order.advisor)
        if task is None or task.status != FollowUpTask.OPEN or task.attempts:
            continue
        state = followups.task_state(task, shop, today)
        if order.delivered_at > now - timedelta(days=2) or state == followups.UPCOMING:
            continue                                  # just picked up: its window has not opened yet
        i, scripted = scripted, scripted + 1
        if i == 0:
            # no answer this morning; the customer texted to call back this afternoon
            followups.assign_task(task, service, boss)
            task = FollowUpTask.get_by_id(task.id)
            tried = now - timedelta(hours=2)
            back = max(_local_at(shop, today, 16, 30), now + timedelta(minutes=20))
            followups.record_call(task, service, outcome=CallRecord.NO_ANSWER, called_at=tried)
            followups.record_call(task, service, outcome=CallRecord.CALL_BACK,
                                  call_back_at=back, called_at=tried + timedelta(minutes=40),
                                  notes='客户短信说在开会，下午再打')
        elif i == 1:
            continue                                  # nobody got to it: on the list, overdue (or due today)
        elif state == followups.DUE_TODAY:
            followups.assign_task(task, service, boss)
        elif i == 2:
            # reached yesterday; the customer asked something nobody could answer yet: about to breach
            followups.record_call(task, service, outcome=CallRecord.REACHED, satisfaction=4,
                                  called_at=now - timedelta(hours=30), notes='客户对维修质量满意',
                                  request='想知道这次更换的刹车片质保多久，能否开具电子发票')
            second = FollowUpTask.get((FollowUpTask.order == order.id) & (FollowUpTask.kind == FollowUpTask.SECOND))
            followups.assign_task(second, service, boss)
        else:
            called = max(_local_at(shop, task.due_from, 10, rng.randint(0, 50)), order.delivered_at)
            if called > now:
                continue
            call = followups.record_call(task, service, outcome=CallRecord.REACHED,
                                         satisfaction=rng.choice([4, 5, 5, 3]), called_at=called,
                                         notes=rng.choice(NOTES), request='下次保养需要预约吗？' if i == 3 else '',
                                         answer='需要，可以电话或微信预约' if i == 3 else '')
            second = FollowUpTask.get((FollowUpTask.order == order.id) & (FollowUpTask.kind == FollowUpTask.SECOND))
            if second.due_by < today:
                second_at = max(_local_at(shop, second.due_from, 15, 10), call.called_at + timedelta(hours=1))
                followups.record_call(second, service, outcome=CallRecord.REACHED, satisfaction=rng.choice([4, 5]),
                                      called_at=second_at, notes='二次回访：车辆使用正常')
            else:
                followups.assign_task(second, service, boss)


def _reminders(shop, today):
    """Three cars due for maintenance this week (their owners agreed to be contacted)."""
    cars = list(Vehicle.for_shop(shop).where(Vehicle.next_service_date.is_null()).order_by(Vehicle.id.desc()).limit(3))
    for days, car in zip((1, 3, 5), cars):
        Vehicle.update(next_service_date=today + timedelta(days=days),
                       next_service_km=(car.mileage // 5000 + 1) * 5000).where(Vehicle.id == car.id).execute()


def _complaints(shop, rng, now, service, boss, advisors):
    orders = list(RepairOrder.for_shop(shop).where(RepairOrder.customer.is_null(False))
                  .order_by(RepairOrder.id).limit(12))
    tech = User.get_or_none(User.username == 'tech') or advisors[0]
    loggers = [advisors[0], service, advisors[-1], tech, advisors[0]]
    for i, (months, cause, fault, hours, score, content, status, severity) in enumerate(COMPLAINTS):
        order = orders[i * 2 % len(orders)] if orders else None
        at = now - timedelta(days=int(months * 30) + rng.randint(0, 5), hours=rng.randint(0, 8))
        by = loggers[i]
        c = complaints.log_complaint(shop, by, channel=rng.choice(list(Complaint.CHANNELS)), content=content,
                                     order=order, logged_at=at, severity=severity)
        if by.id == tech.id and by.id != service.id:
            complaints.hand_over(c, by, service, note='客户在车间门口投诉，转客服跟进')
            c = Complaint.get_by_id(c.id)
            by = service
        if hours >= get_setting(shop, 'complaint_first_response_hours'):
            complaints.escalate_overdue_complaints(shop, c.first_answer_due_at)    # answered late: it was escalated
            c = Complaint.get_by_id(c.id)
        complaints.investigate(c, by, investigation='已调取工单和监控记录核实情况。', cause_category=cause,
                               service_fault=fault)
        complaints.first_answer(c, by, answer='已收到您的反馈，正在核实，会尽快给您答复。', told_channel='phone',
                                at=at + timedelta(hours=hours))
        if status in ('resolved', 'closed'):
            complaints.resolve(c, by, resolution='向客户致歉并说明原因，已按客户要求处理。', told_channel='phone',
                               satisfaction=score, told_at=at + timedelta(hours=hours + 20))
        if status == 'closed':
            complaints.close_complaint(c, boss)
    # logged three days ago, nobody answered: escalated to the manager when the demo finishes
    order = orders[-1] if orders else None
    complaints.log_complaint(shop, advisors[-1], channel='phone', order=order, logged_at=now - timedelta(days=3),
                             content='车辆保养后仪表盘保养提示没有复位，打了两次电话都说会回电，一直没人回。')
    # a major problem answered the same morning, to be handled within 48 hours of logging: on the lists until then
    order = orders[-3] if len(orders) > 2 else None
    major = complaints.log_complaint(shop, service, channel='phone', order=order, severity=Complaint.MAJOR,
                                     logged_at=now - timedelta(hours=30),
                                     content='保养后发动机故障灯亮，高速上动力不足，客户要求立即处理。')
    complaints.first_answer(major, service, answer='已安排明早接车检查，技术主管亲自诊断。', told_channel='phone',
                            at=now - timedelta(hours=27))
    # not answered yet, three hours left before its first answer is late: about to breach
    order = orders[-2] if len(orders) > 1 else None
    complaints.log_complaint(shop, service, channel='phone', order=order,
                             logged_at=now - complaints.first_answer_window(shop) + timedelta(hours=3),
                             content='洗车后副驾驶座椅上有油渍，希望店里给个说法。')
