"""The warranty rules, one module per part (every rule that writes is one transaction and records its audit event on
('repair_order', order.id), so the order's timeline shows warranty decisions, claims and loaner cars next to the
workshop's steps):

- app.warranty.eligibility: the shop's numbers (`limits`), the warranty and three-guarantee periods, early failure;
- app.warranty.coverage: who pays for a job line;
- app.warranty.claims: claims to the maker, their declared path (CLAIMS) and what the maker owes;
- app.warranty.tracker: repair days, the three-guarantee limits, the loaner car and early failures per order;
- app.warranty.kpis: the first-maintenance return rate and the first-time claim approval rate.

Inside the area each module imports the one that holds the rule. The names other areas read (the KPI engine)
stay importable from here.
"""
from app.warranty.kpis import first_maintenance_cohort, first_time_approval_rate  # noqa: F401
