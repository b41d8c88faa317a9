"""The reception area's blueprint: its routes are spread over views (orders), checkin_views (the guided check-in)
and key_views (key tags, bags and their scans), which all register on this one."""
from flask import Blueprint

bp = Blueprint('reception', __name__)
