"""The units and the centre administrator every test session provisions once (tests/support/fixtures.py)."""

UNIT_A = {
    "code": "ta",
    "name": "测试甲局",
    "full_name": "珠海市测试甲局",
    "admin_username": "ta_admin",
    "admin_password": "pw-ta-12345",
}
UNIT_B = {
    "code": "tb",
    "name": "测试乙局",
    "full_name": "珠海市测试乙局",
    "admin_username": "tb_admin",
    "admin_password": "pw-tb-12345",
}
UNITS = {unit["code"]: unit for unit in (UNIT_A, UNIT_B)}

CENTRE_USERNAME = "centre"
CENTRE_PASSWORD = "pw-centre-12345"
