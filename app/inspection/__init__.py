"""The vehicle health check and the diagnosis report (检测诊断单, form 6 of 001).

The rulebooks: "完成后明确车辆故障或问题所在,把诊断情况和维修建议告诉客户,特殊情况应填写检测诊断单并呈交客户"
(seeds/001 line 228; the same in seeds/002 line 876) and form 6 "汽车检测诊断报告单" in the list of 17 forms
(seeds/001 line 336); DOMAIN.md "Diagnosis report". The item list, the colours and the per-job groups are the shop's
own choice (app.inspection.checks), not a rulebook's.
"""
