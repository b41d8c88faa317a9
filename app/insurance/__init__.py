"""Accident and insurance repairs (事故车 / 保险理赔): the claim, the damage assessment (定损), the insurer\x27s share."""
