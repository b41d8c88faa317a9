"""Where each setting's default comes from: a rulebook line (seeds/00N, line), a national rule, or the shop's own
choice. The settings page reads this table (app.accounts.settings_views); tests/core/test_setting_sources.py
checks every key of app.core.settings.DEFAULTS has an entry.

Adding a setting? Add one line here: `'key': rulebook('004', 9, '…'),` `law(_l('…'))` or `SHOP_OWN`
(optionally `shop_own(_l('why'))`).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

RULEBOOK, LAW, SHOP = 'rulebook', 'law', 'shop'


@dataclass(frozen=True)
class Source:
    kind: str           # RULEBOOK, LAW or SHOP
    ref: str = ''       # the regulation's name (a national rule)
    quote: str = ''     # the rulebook's own words (Chinese, as written)
    note: str = ''      # a word on how the default reads the rule
    seed: str = ''      # the rulebook: its file in seeds/ ("001") …
    line: int = 0       # … and line

    @property
    def shop_own(self):
        return self.kind == SHOP


def rulebook(seed, line, quote, note=''):
    return Source(RULEBOOK, '', quote, note, seed, line)


def law(ref, note=''):
    return Source(LAW, ref, '', note)


def shop_own(note=''):
    return Source(SHOP, '', '', note)


SHOP_OWN = shop_own()
REPAIR_REGULATION = '机动车维修管理规定'                 # the national repair regulation (guarantee periods)
HOME_CAR_RULES = '家用汽车产品修理、更换、退货责任规定'      # the national three-guarantee rules
INSURANCE_WEIGHT = shop_own(_l('The rulebooks weigh no insurance figure on a scorecard: 0 until the shop says.'))
R004 = ('004', 9)                                      # the operations manual's job descriptions: one long line


SOURCES = {
    'new_customer_file_days': rulebook('001', 162, '应于二日内将客户有关情况整理制表并建立档案归档'),
    'appointment_reminder_hours': rulebook('001', 326, '预约时间临近时应提前一天或半天,通知客户'),
    'appointment_reminder_half_day_hours': rulebook('001', 326, '预约时间临近时应提前一天或半天,通知客户'),
    'appointment_deposit_share': rulebook('001', 326, '请示客户预交定金(按规定不少于原价的二分之一)'),
    'expensive_part_threshold': shop_own(_l('The rulebook says "parts of high value" without a sum.')),
    'tax_rate': law('增值税'),
    'labour_rate': SHOP_OWN,
    'foreman_acceptance_minutes': shop_own(_l('The rulebook asks for the sign-in time written precise to ten '
                                              'minutes (001, line 268: 时间要精确到十分钟内): a precision, not a '
                                              'deadline. The system records it to the second.')),
    'bays': SHOP_OWN, 'workday_start': SHOP_OWN, 'workday_end': SHOP_OWN, 'slot_minutes': SHOP_OWN,
    'promise_margin_minutes': shop_own(_l('The rulebook asks for "some margin" (001, line 248: 留有一定的余地) '
                                          'without a number.')),
    'checkin_abandoned_hours': SHOP_OWN, 'service_interval_months': SHOP_OWN, 'service_interval_km': SHOP_OWN,
    'label_printer_address': SHOP_OWN, 'label_printer_model': SHOP_OWN, 'label_printer_media': SHOP_OWN,
    'progress_check_from': rulebook('001', 280, '维修预计工期进行到50%至80%的时候询问完工时间'),
    'progress_check_to': rulebook('001', 280, '维修预计工期进行到50%至80%的时候询问完工时间'),
    'shift_end': SHOP_OWN,
    'added_work_answer_minutes': shop_own(_l('The rulebook says "at once" (001, line 274: 应立即与客户进行电话联系).')),
    'pickup_notice_short_hours': rulebook('001', 288, '提前一小时(工期在两天之内)'),
    'pickup_notice_long_hours': rulebook('001', 288, '提前四小时(工期在两天以上包括两天)'),
    'long_job_days': rulebook('001', 288, '工期在两天以上包括两天'),
    'maintenance_settlement_days': rulebook(*R004, '保养工单不超过3天'),
    'followup_first_from_days': rulebook('001', 320, '第一次时间选定在客户车辆出厂二天至一周之内'),
    'followup_first_to_days': rulebook('001', 320, '第一次时间选定在客户车辆出厂二天至一周之内'),
    'followup_second_after_days': rulebook('001', 186, '在售后第一次跟踪服务的一周后7天以内'),
    'followup_second_within_days': rulebook('001', 186, '在售后第一次跟踪服务的一周后7天以内'),
    'escalate_request_days': rulebook('001', 184, '要在两日内报告主管'),
    'complaint_first_response_hours': rulebook('003', 14, '客户首次投诉应在24小时内响应'),
    'complaint_major_handled_hours': rulebook('003', 14, '重大问题应在48小时内处理'),
    'event_notice_days': rulebook('001', 188, '提前一周以电话方式告之客户'),
    'status_link_days_after_delivery': SHOP_OWN, 'status_link_requests_per_minute': SHOP_OWN,
    'diagnosis_fee': shop_own(_l('The rulebook says a customer who declines pays the diagnosis or estimate fee '
                                 '(002, line 882: 还应通知客户交纳诊断费或估价费) without a sum.')),
    'discount_share_without_manager': SHOP_OWN,
    'guarantee_major_days': law(REPAIR_REGULATION), 'guarantee_major_km': law(REPAIR_REGULATION),
    'guarantee_maintenance_days': law(REPAIR_REGULATION), 'guarantee_maintenance_km': law(REPAIR_REGULATION),
    'guarantee_minor_days': law(REPAIR_REGULATION), 'guarantee_minor_km': law(REPAIR_REGULATION),
    'stock_variance_target': rulebook(*R004, '盘查率0.3%'),
    'insurer_overdue_target': rulebook(*R004, '保险不超过当月', _l('The insurer\'s share is due by the end of the month '
                                                             'the bill was settled in; nothing should be owed past it.')),
    'kpi_insurance_days_target': shop_own(_l('The rulebook wants insurance jobs done within the month (004: '
                                             '保险不超过当月) and names no number of days from the assessment.')),
    'scorecard_advisor_insurance_days': INSURANCE_WEIGHT, 'scorecard_advisor_insurer_overdue': INSURANCE_WEIGHT,
    'scorecard_warranty_insurance_days': INSURANCE_WEIGHT, 'scorecard_warranty_insurer_overdue': INSURANCE_WEIGHT,
    'safety_stock_factor': rulebook(*R004, '控制安全库存(当月出库金额的1.5倍)',
                                    _l('A value for the whole shop: stock value against last month\'s outflow value.')),
    'reorder_cover_factor': shop_own(_l('Per part; the rulebook\'s safety stock is a value for the whole shop.')),
    'slow_moving_share_target': rulebook(*R004, '滞销件(6%内)'),
    'turnover_min': rulebook(*R004, '周转率(4-6次)'), 'turnover_max': rulebook(*R004, '周转率(4-6次)'),
    'fill_rate_target': rulebook(*R004, '满足率(98%)'),
    'warranty_years': law(HOME_CAR_RULES), 'warranty_km': law(HOME_CAR_RULES),
    'three_guarantee_years': law(HOME_CAR_RULES), 'three_guarantee_km': law(HOME_CAR_RULES),
    'lemon_repair_days': law(HOME_CAR_RULES), 'lemon_same_problem_repairs': law(HOME_CAR_RULES),
    'loaner_after_days': law(HOME_CAR_RULES), 'early_failure_days': law(HOME_CAR_RULES),
    'early_failure_km': law(HOME_CAR_RULES),
    'insurance_work_waits_for_assessment': shop_own(_l('The rulebooks do not say whether repair waits for the '
                                                       "insurer's damage assessment (定损).")),
    'comeback_window_days': shop_own(_l('The rulebooks name no comeback window (返修).')),
    'comeback_window_km': shop_own(_l('The rulebooks name no comeback window (返修).')),
    'claimed_part_reminder_days': rulebook(*R004, '负责半年、一年、两年、三年、五年索赔件到期前预约回厂检查工作',
                                           _l('The dates are the rulebook\'s; how many days before each the call is '
                                              'due is the shop\'s own choice.')),
    'lemon_near_days': SHOP_OWN, 'lemon_near_repairs': SHOP_OWN,
    'first_maintenance_months': SHOP_OWN, 'first_maintenance_km': SHOP_OWN,
    'first_maintenance_return_target': rulebook(*R004, '首保回厂首保率大于等于95%'),
    'claim_first_approval_target': rulebook(*R004, '三包件索赔一次赔付率的控制98%以上'),
    'timeliness_target': rulebook('001', 20, '服务及时率≥90%'),
    'satisfaction_target': rulebook('001', 20, '用户满意程度≥85%'),
    'complaint_rate_target': rulebook('001', 20, '用户抱怨率(确属服务责任的)<3%'),
    'onsite_near_km': rulebook('001', 20, '服务半径在100KM以内的,应在24小时内到达现场处理'),
    'onsite_near_hours': rulebook('001', 20, '服务半径在100KM以内的,应在24小时内到达现场处理'),
    'onsite_far_answer_hours': rulebook('001', 20, '服务半径超出100KM…应在12小时内给予用户答复'),
}


def source_of(key):
    """The entry for a setting; KPI targets and scorecard weights the rulebooks leave open are the shop's own."""
    if key in SOURCES:
        return SOURCES[key]
    if key.startswith(('kpi_', 'scorecard_')):
        return SHOP_OWN
    return None
