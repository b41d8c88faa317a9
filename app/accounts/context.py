"""The shop a signed-in user is working in (they may belong to several in a dealer group)."""
from flask import g, session
from flask_login import current_user


def current_shop():
    """The chosen shop if the user belongs to it, else their first; None when signed out."""
    if not current_user.is_authenticated:
        return None
    if 'shop' not in g:
        shops = list(current_user.shops())
        chosen = session.get('shop_id')
        g.shop = next((s for s in shops if s.id == chosen), shops[0] if shops else None)
    return g.shop


def choose_shop(shop):
    session['shop_id'] = shop.id
    g.shop = shop
