"""The warranty's part of a vehicle's file (app.registry.file_sections): the three-guarantee tracker."""


def vehicle_sections(vehicle, **_context):
    return [(20, 'warranty/_vehicle_status.html', {})]
