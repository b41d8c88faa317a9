"""The shop a signed-in user is working in (they may belong to several in a dealer group)."""
from flask import g, session
from flask_login import current_user


def current_shop():
    """The chosen shop if the user belongs to it, else their first; None when signed out."""
    if not current_user.is_authenticated:
        return None
    if 'shop' not in g:
        shops = my_shops()
        chosen = session.get('shop_id')
        g.shop = next((s for s in shops if s.id == chosen), shops[0] if shops else None)
    return g.shop


def my_shops():
    """The shops the signed-in user belongs to, read once per request (the shop switcher on every page)."""
    if 'my_shops' not in g:
        g.my_shops = list(current_user.member_shops()) if current_user.is_authenticated else []
    return g.my_shops


def choose_shop(shop):
    session['shop_id'] = shop.id
    g.shop = shop
