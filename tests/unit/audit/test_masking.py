"""Audit output never prints personal data in full unless the station asks for it."""

from __future__ import annotations

from apps.audit.masking import mask, mask_field, mask_subject_key, mask_tree


def test_values_keep_only_their_edges() -> None:
    assert mask("张三") == "张*"
    assert mask("欧阳明月") == "欧***"
    assert mask("13812345678") == "138******78"
    assert mask("342423198106173130") == "342*************30"
    assert mask("") == ""


def test_person_subject_keys_keep_the_household_and_hide_the_number() -> None:
    assert mask_subject_key("person:3415230010010002:342423198106173130#2") == (
        "person:3415230010010002:342*************30#2"
    )
    assert mask_subject_key("household:3415230010010002") == "household:3415230010010002"


def test_only_personal_fields_are_masked_however_deep() -> None:
    payload = {
        "household_id": "3415230010010002",
        "persons": [
            {"row": 2, "cells": {"姓名": "丁伟华", "联系电话": "13422116575", "性别": "男", "帮扶责任人": "邱明"}}
        ],
        "person_id_number": "342423198106173130",
    }
    masked = mask_tree(payload)
    assert masked["household_id"] == "3415230010010002"
    assert masked["persons"][0]["cells"] == {
        "姓名": "丁**",
        "联系电话": "134******75",
        "性别": "男",
        "帮扶责任人": "邱*",
    }
    assert masked["person_id_number"] == "342*************30"
    assert mask_field("head_name", "丁伟华") == "丁**" and mask_field("row", 3) == 3
