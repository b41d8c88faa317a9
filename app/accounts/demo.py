"""Demo: a dealer group of two shops and staff of every role."""
from datetime import timedelta

from flask import current_app

from app.accounts.models import User, UserSession
from app.core.access import (ADMIN, ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, PARTS, QC, TECHNICIAN,
                             WARRANTY)
from app.core.db import transaction, utcnow
from app.core.models import Shop

DEMO_PASSWORD = 'servicebay'

SHOPS = [
    dict(code='XH01', name='星河丰田汽车销售服务店', name_en='Xinghe Toyota Service Centre',
         phone='+86 755 2688 1234', address='深圳市南山区科技南路 88 号', opening_hours='08:30-18:00'),
    dict(code='XH02', name='星河丰田宝安店', name_en='Xinghe Toyota Bao\'an',
         phone='+86 755 2799 5678', address='深圳市宝安区新安街道 12 号', opening_hours='08:30-17:30'),
]

# username, name, roles, shop codes, skills
STAFF = [
    ('admin', '系统管理员 Admin', [ADMIN], ['XH01', 'XH02'], ''),
    ('manager', '王经理 Wang', [MANAGER], ['XH01', 'XH02'], ''),
    ('advisor', '李娜 Li Na', [ADVISOR], ['XH01'], ''),
    ('advisor2', '陈伟 Chen Wei', [ADVISOR], ['XH01'], ''),
    ('foreman', '赵刚 Zhao Gang', [FOREMAN], ['XH01'], 'engine,chassis'),
    ('tech', '刘洋 Liu Yang', [TECHNICIAN], ['XH01'], 'engine,maintenance'),
    ('tech2', '孙磊 Sun Lei', [TECHNICIAN], ['XH01'], 'electrical,diagnosis'),
    ('tech3', '周强 Zhou Qiang', [TECHNICIAN], ['XH01'], 'body,paint'),
    ('tech4', '吴斌 Wu Bin', [TECHNICIAN], ['XH01'], 'chassis,tyres'),
    ('qc', '郑敏 Zheng Min', [QC], ['XH01'], ''),
    ('parts', '钱芳 Qian Fang', [PARTS], ['XH01'], ''),
    ('warranty', '冯静 Feng Jing', [WARRANTY], ['XH01'], ''),
    ('service', '何丽 He Li', [CUSTOMER_SERVICE], ['XH01'], ''),
    ('baoan', '黄涛 Huang Tao', [ADVISOR, FOREMAN], ['XH02'], ''),
]


def load(rng):
    with transaction():
        shops = {}
        for spec in SHOPS:
            shop = (Shop.get_or_none(Shop.code == spec['code'])
                    or Shop.create(timezone=current_app.config['DEMO_TIMEZONE'], **spec))
            shops[shop.code] = shop
        admin = None
        logins = []
        for username, name, roles, codes, skills in STAFF:
            user = User.get_or_none(User.username == username)
            if user is None:
                user = User.create_account(username=username, display_name=name, password=DEMO_PASSWORD,
                                           roles=roles, shops=[shops[c] for c in codes], by=admin,
                                           skills=skills)
            admin = admin or user
            logins.append((username, ', '.join(roles), DEMO_PASSWORD))
        _demo_devices(User.get(User.username == 'foreman'))
    return logins


# The foreman's other devices, for the account page's device list (their keys are thrown away).
DEVICES = [
    ('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
     '192.168.1.40', False, timedelta(minutes=3)),
    ('Mozilla/5.0 (Linux; Android 14; HUAWEI) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile '
     'Safari/537.36', '192.168.1.77', True, timedelta(hours=2)),
]


def _demo_devices(user):
    if UserSession.select().where(UserSession.user == user).exists():
        return
    for agent, ip, remember, ago in DEVICES:
        device, _key = UserSession.start(user, user_agent=agent, ip=ip, remember=remember)
        UserSession.update(last_seen_at=utcnow() - ago, created_at=utcnow() - ago - timedelta(hours=1)).where(
            UserSession.id == device.id).execute()
