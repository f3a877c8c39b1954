"""The sheets' columns in the spec's order, plus one column of the town's own.

The extra `备注` column is there because real rosters carry such columns and intake must keep them.
"""

PERSON_COLUMNS: tuple[str, ...] = (
    "乡镇", "行政村", "村民组", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期",
    "在校生状况", "健康状况", "残疾等级", "参加城乡居民基本医疗保险", "慢性病卡", "家庭医生签约",
    "重度残疾护理补贴", "户属性", "脱贫状态", "脱贫年度", "家庭人口数", "人均纯收入", "上年人均纯收入",
    "住房安全等级", "饮水水量", "饮水水质", "取水方便", "供水保证率", "帮扶责任人", "帮扶单位",
    "帮扶计划", "公益岗位", "公益岗位工资按时发放", "光伏收益到户", "小额信贷余额", "小额信贷到期日",
    "小额信贷结清", "贷款使用方式", "联系电话", "备注",
)  # fmt: skip

VILLAGE_COLUMNS: tuple[str, ...] = (
    "行政村", "是否贫困村", "出列年度", "村卫生室", "合格村医", "集体经济收入", "上年集体经济收入",
)  # fmt: skip
