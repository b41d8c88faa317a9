"""Dispatch (派工): the foreman assigns orders and lines to technicians and bays."""
