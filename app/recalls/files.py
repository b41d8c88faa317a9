"""The recalls' part of a vehicle's file (app.registry.file_sections): the campaigns that cover the car."""


def vehicle_sections(vehicle, **_context):
    return [(25, 'recalls/_vehicle.html', {})]
