"""Demo: the common makes and models on each demo shop's list, and the demo's vehicles mapped to it."""
from app.core.models import Shop
from app.customers import makes
from app.customers.models import VehicleMake


def load(rng):
    for shop in Shop.select().order_by(Shop.id):
        if not VehicleMake.for_shop(shop).exists():
            makes.add_common(shop)
        makes.map_vehicles(shop)
    return []
