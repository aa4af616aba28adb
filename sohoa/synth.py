"""Synthetic scanned Vietnamese administrative dossiers with ground truth (STANDARDS.md §4.5).

Pages are laid out per NĐ 30/2020 Phụ lục I (header table of two columns, type name and trích yếu,
body, "Nơi nhận" and the signer block with a red seal), lightly degraded like a scan, and written as a
batch that follows the "Input batch contract" of DESIGN.md. The ground truth (documents, their metadata
and the expected state of every input file) is written next to the batch, never inside it.

Conventions of the truth file:
- ``skew`` is the angle in degrees by which the page content was turned counter-clockwise
  (PIL ``Image.rotate`` convention); ``rotation`` is the counter-clockwise quarter turn (0/90/180/270)
  applied to the upright page, so turning the file clockwise by ``rotation`` restores it.
- ``signer_title`` is the last title line above the name without any authority prefix; the prefixes
  (TM./KT./TL./Q.) are in ``authority``, in the order printed, space-separated.
- ``subject`` is the trích yếu without a leading "V/v " or "Về việc ".
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import random
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pikepdf
from PIL import Image, ImageDraw, ImageFont

from sohoa.vocab import MOTTO, NATIONAL_TITLE, SECRECY_MARKS, TYPE_ABBREVIATIONS, URGENCY_MARKS, nfc

__all__ = [
    "AGENCIES",
    "BAD_REASONS",
    "CATALOGUE_COLUMNS",
    "DOCUMENT_TYPES",
    "LOOSE_REASON",
    "Agency",
    "RenderedDocument",
    "SynthDocument",
    "a4_size",
    "add_bad_inputs",
    "date_line",
    "degrade",
    "draw_hand_digits",
    "make_batch",
    "random_document",
    "render_document",
    "render_with_text",
    "truth_path",
    "vn_date",
    "write_bomb_png",
]

# --------------------------------------------------------------------------------------------------
# Vocabulary of the generator
# --------------------------------------------------------------------------------------------------

DOCUMENT_TYPES: tuple[str, ...] = (
    "Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị", "Nghị quyết", "Giấy mời",
)

CATALOGUE_COLUMNS: tuple[str, ...] = (
    "Mã hồ sơ", "Tiêu đề hồ sơ", "Phông", "Năm", "Thời hạn bảo quản", "Chế độ sử dụng", "Ghi chú kho",
)

# Reasons the ingest stage is expected to give (at the start of its reason text) for bad inputs.
BAD_REASONS: dict[str, tuple[str, str]] = {
    "empty.png": ("quarantined", "empty file"),
    "truncated.jpg": ("quarantined", "truncated image"),
    "not_image.tif": ("quarantined", "not an image"),
    "tiny.png": ("quarantined", "too small"),
    "lowres.jpg": ("quarantined", "below 200 dpi"),
    "secret.pdf": ("quarantined", "encrypted PDF"),
    "bomb.png": ("quarantined", "decompression bomb"),
    "link.png": ("quarantined", "link leaving the batch"),
    "notes.docx": ("quarantined", "unsupported file type"),
    ".DS_Store": ("ignored", "hidden or system file"),
    "Thumbs.db": ("ignored", "hidden or system file"),
    "copy_of_page.png": ("duplicate", "same content as"),
    "zz_blank.png": ("blank", "blank page"),
}
LOOSE_REASON = ("quarantined", "outside any dossier folder")

_GOVERNMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị", "Giấy mời")
_DEPARTMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Giấy mời")
_COUNCIL_TYPES = ("Nghị quyết", "Công văn", "Thông báo", "Báo cáo", "Kế hoạch", "Giấy mời")


@dataclass(frozen=True)
class Agency:
    """An issuing agency as printed in the header (ô 2) and what the body text needs to know about it."""

    key: str
    parent: str | None  # chủ quản line, upper-case regular
    lines: tuple[str, ...]  # issuing agency, upper-case bold, as printed line by line
    abbr: str  # abbreviation used in the ký hiệu, e.g. "UBND", "SNV"
    place: str  # địa danh of the date line
    name: str  # sentence-case full name used in running text
    organ_id: str  # mã định danh used for dossier codes
    kind: str  # "government" (collective UBND), "council" (HĐND) or "head" (one-head body)
    head: str  # head's title, upper-case
    deputy: str  # deputy's title, upper-case
    units: tuple[str, ...]  # units / fields used after the agency abbreviation of a công văn and in "Lưu:"
    types: tuple[str, ...]
    superior: str  # addressee of tờ trình / báo cáo sent upward
    addressees: tuple[str, ...]  # addressees of công văn, giấy mời
    proposer: str  # who proposes decisions ("Theo đề nghị của ...")
    office: str  # who executes decisions besides the addressees ("Chánh Văn phòng ...")
    fond: str  # phông code in the catalogue
    collective: str | None = None  # collective body named after "TM."
    seal: str = ""  # text around the seal


AGENCIES: tuple[Agency, ...] = (
    Agency(
        key="snv-quang-ngai", parent="UBND TỈNH QUẢNG NGÃI", lines=("SỞ NỘI VỤ",), abbr="SNV",
        place="Quảng Ngãi", name="Sở Nội vụ tỉnh Quảng Ngãi", organ_id="H55.09", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("VP", "TCBC", "CCHC", "VTLT", "XDCQ"),
        types=_DEPARTMENT_TYPES, superior="Ủy ban nhân dân tỉnh Quảng Ngãi",
        addressees=("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố",
                    "Các phòng, đơn vị thuộc Sở"),
        proposer="Chánh Văn phòng Sở", office="Chánh Văn phòng Sở, Trưởng các phòng chuyên môn thuộc Sở",
        fond="P_SNV_QNG", seal="SỞ NỘI VỤ * TỈNH QUẢNG NGÃI",
    ),
    Agency(
        key="ubnd-hau-giang", parent=None, lines=("ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG"), abbr="UBND",
        place="Hậu Giang", name="Ủy ban nhân dân tỉnh Hậu Giang", organ_id="H30", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "NC", "TH"), types=_GOVERNMENT_TYPES,
        superior="Hội đồng nhân dân tỉnh Hậu Giang",
        addressees=("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố", "Sở Nội vụ",
                    "Sở Tài chính"),
        proposer="Giám đốc Sở Nội vụ", office="Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ",
        fond="P_UBND_HG", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * TỈNH HẬU GIANG",
    ),
    Agency(
        key="ubnd-vi-thanh", parent=None, lines=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ VỊ THANH"), abbr="UBND",
        place="Vị Thanh", name="Ủy ban nhân dân thành phố Vị Thanh", organ_id="H30.31", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "NC"), types=_GOVERNMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Hậu Giang",
        addressees=("Các phòng, ban chuyên môn thuộc thành phố", "Ủy ban nhân dân các phường, xã"),
        proposer="Trưởng phòng Nội vụ thành phố",
        office="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố, Trưởng phòng Nội vụ",
        fond="P_UBND_VT", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * THÀNH PHỐ VỊ THANH",
    ),
    Agency(
        key="cuc-vtltnn", parent="BỘ NỘI VỤ", lines=("CỤC VĂN THƯ VÀ LƯU TRỮ", "NHÀ NƯỚC"), abbr="VTLTNN",
        place="Hà Nội", name="Cục Văn thư và Lưu trữ nhà nước", organ_id="G09.13", kind="head",
        head="CỤC TRƯỞNG", deputy="PHÓ CỤC TRƯỞNG", units=("VP", "NVTW", "NVĐP", "TTr"), types=_DEPARTMENT_TYPES,
        superior="Bộ Nội vụ",
        addressees=("Sở Nội vụ các tỉnh, thành phố trực thuộc Trung ương",
                    "Văn phòng các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"),
        proposer="Chánh Văn phòng Cục", office="Chánh Văn phòng Cục, Thủ trưởng các đơn vị thuộc Cục",
        fond="P_VTLTNN", seal="CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC * BỘ NỘI VỤ",
    ),
    Agency(
        key="bo-noi-vu", parent=None, lines=("BỘ NỘI VỤ",), abbr="BNV", place="Hà Nội", name="Bộ Nội vụ",
        organ_id="G09", kind="head", head="BỘ TRƯỞNG", deputy="THỨ TRƯỞNG", units=("VP", "CCHC", "TCBC", "CQĐP"),
        types=_GOVERNMENT_TYPES, superior="Thủ tướng Chính phủ",
        addressees=("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                    "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"),
        proposer="Vụ trưởng Vụ Tổ chức cán bộ", office="Chánh Văn phòng Bộ, Vụ trưởng Vụ Tổ chức cán bộ",
        fond="P_BNV", seal="BỘ NỘI VỤ * CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ),
    Agency(
        key="stc-hcm", parent="UBND TP. HỒ CHÍ MINH", lines=("SỞ TÀI CHÍNH",), abbr="STC",
        place="Thành phố Hồ Chí Minh", name="Sở Tài chính Thành phố Hồ Chí Minh", organ_id="H29.07", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("NS", "HCSN", "QLG", "VP"), types=_DEPARTMENT_TYPES,
        superior="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        addressees=("Các sở, ban, ngành thành phố", "Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện"),
        proposer="Trưởng phòng Quản lý ngân sách", office="Chánh Văn phòng Sở, Trưởng các phòng thuộc Sở",
        fond="P_STC_HCM", seal="SỞ TÀI CHÍNH * THÀNH PHỐ HỒ CHÍ MINH",
    ),
    Agency(
        key="hdnd-quang-ninh", parent=None, lines=("HỘI ĐỒNG NHÂN DÂN", "TỈNH QUẢNG NINH"), abbr="HĐND",
        place="Quảng Ninh", name="Hội đồng nhân dân tỉnh Quảng Ninh", organ_id="K49", kind="council",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VP", "KTNS", "VHXH"), types=_COUNCIL_TYPES,
        superior="Thường trực Tỉnh ủy Quảng Ninh",
        addressees=("Các Ban của Hội đồng nhân dân tỉnh", "Ủy ban nhân dân tỉnh Quảng Ninh",
                    "Các Tổ đại biểu Hội đồng nhân dân tỉnh"),
        proposer="Ủy ban nhân dân tỉnh", office="Thường trực Hội đồng nhân dân, Ủy ban nhân dân tỉnh",
        fond="P_HDND_QN", collective="HỘI ĐỒNG NHÂN DÂN", seal="HỘI ĐỒNG NHÂN DÂN * TỈNH QUẢNG NINH",
    ),
    Agency(
        key="ubnd-ha-long", parent=None, lines=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẠ LONG"), abbr="UBND",
        place="Hạ Long", name="Ủy ban nhân dân thành phố Hạ Long", organ_id="H49.64", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "QLĐT"), types=_GOVERNMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Quảng Ninh",
        addressees=("Các phòng, ban, đơn vị thuộc thành phố", "Ủy ban nhân dân các phường, xã"),
        proposer="Trưởng phòng Nội vụ thành phố",
        office="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố, Trưởng phòng Nội vụ",
        fond="P_UBND_HL", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * THÀNH PHỐ HẠ LONG",
    ),
    Agency(
        key="sgddt-dak-lak", parent="UBND TỈNH ĐẮK LẮK", lines=("SỞ GIÁO DỤC VÀ ĐÀO TẠO",), abbr="SGDĐT",
        place="Đắk Lắk", name="Sở Giáo dục và Đào tạo tỉnh Đắk Lắk", organ_id="H24.11", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("VP", "TCCB", "GDTrH", "KTKĐ"), types=_DEPARTMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Đắk Lắk",
        addressees=("Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố", "Các trường trung học phổ thông"),
        proposer="Trưởng phòng Tổ chức cán bộ", office="Chánh Văn phòng Sở, Trưởng các phòng thuộc Sở",
        fond="P_SGDDT_DL", seal="SỞ GIÁO DỤC VÀ ĐÀO TẠO * TỈNH ĐẮK LẮK",
    ),
    Agency(
        key="tong-cuc-thue", parent="BỘ TÀI CHÍNH", lines=("TỔNG CỤC THUẾ",), abbr="TCT", place="Hà Nội",
        name="Tổng cục Thuế", organ_id="G12.21", kind="head", head="TỔNG CỤC TRƯỞNG",
        deputy="PHÓ TỔNG CỤC TRƯỞNG", units=("KK", "CS", "VP", "TTHT"), types=_DEPARTMENT_TYPES,
        superior="Bộ Tài chính",
        addressees=("Cục Thuế các tỉnh, thành phố trực thuộc Trung ương", "Các Vụ, đơn vị thuộc Tổng cục"),
        proposer="Vụ trưởng Vụ Tổ chức cán bộ", office="Chánh Văn phòng Tổng cục, Cục trưởng Cục Thuế các tỉnh",
        fond="P_TCT", seal="TỔNG CỤC THUẾ * BỘ TÀI CHÍNH",
    ),
)

TOPICS: tuple[str, ...] = (
    "công tác văn thư, lưu trữ",
    "cải cách hành chính",
    "chuyển đổi số trong cơ quan nhà nước",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "tuyển dụng công chức",
    "quản lý, sử dụng tài sản công",
    "phòng, chống tham nhũng, tiêu cực",
    "bảo đảm an toàn thực phẩm",
    "xây dựng nông thôn mới",
    "thi đua, khen thưởng",
    "đào tạo, bồi dưỡng cán bộ, công chức",
    "quản lý ngân sách nhà nước",
    "phòng cháy, chữa cháy",
    "tiếp công dân, giải quyết khiếu nại, tố cáo",
    "số hóa tài liệu lưu trữ",
)

_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Quyết định": (
        "Về việc thành lập Tổ công tác triển khai {topic}",
        "Về việc ban hành Quy chế {topic}",
        "Về việc phê duyệt Kế hoạch {topic} năm {year}",
        "Về việc kiện toàn Ban Chỉ đạo {topic}",
        "Ban hành Quy chế phối hợp trong {topic}",
        "Phê duyệt Đề án {topic} giai đoạn {year} - {year5}",
    ),
    "Công văn": (
        "V/v triển khai {topic} năm {year}",
        "V/v báo cáo kết quả thực hiện {topic}",
        "V/v đôn đốc thực hiện {topic}",
        "V/v góp ý dự thảo Quy chế {topic}",
        "V/v tăng cường {topic}",
    ),
    "Thông báo": (
        "Kết luận của lãnh đạo tại cuộc họp về {topic}",
        "Về việc tổ chức hội nghị sơ kết {topic}",
        "Kết quả kiểm tra {topic} năm {year}",
    ),
    "Báo cáo": (
        "Kết quả thực hiện {topic} năm {year}",
        "Tình hình thực hiện {topic} 6 tháng đầu năm {year}",
        "Sơ kết {topic} quý III năm {year}",
    ),
    "Tờ trình": (
        "Về việc đề nghị phê duyệt Kế hoạch {topic} năm {year}",
        "Đề nghị ban hành Quy chế {topic}",
        "Về việc đề nghị bổ sung kinh phí thực hiện {topic}",
    ),
    "Kế hoạch": (
        "Triển khai {topic} năm {year}",
        "Kiểm tra {topic} năm {year}",
        "Tổ chức tập huấn về {topic} năm {year}",
    ),
    "Chỉ thị": (
        "Về việc tăng cường {topic}",
        "Về việc chấn chỉnh, nâng cao hiệu quả {topic}",
    ),
    "Nghị quyết": (
        "Về việc thông qua Đề án {topic} giai đoạn {year} - {year5}",
        "Quy định một số chính sách hỗ trợ {topic}",
        "Thông qua kế hoạch {topic} năm {year}",
    ),
    "Giấy mời": (
        "Dự hội nghị tổng kết {topic} năm {prev}",
        "Dự họp triển khai {topic} năm {year}",
    ),
}

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
             "Ngô", "Dương", "Lý", "Trương", "Đinh")
_MALE_MIDDLE = ("Văn", "Minh", "Hữu", "Đức", "Quốc", "Thanh", "Xuân", "Công", "Hoàng", "Ngọc")
_FEMALE_MIDDLE = ("Thị", "Thu", "Ngọc", "Thanh", "Kim", "Thị Thu", "Hồng")
_MALE_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Phúc", "Quang",
               "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu", "Toàn")
_FEMALE_GIVEN = ("Hà", "Hương", "Lan", "Mai", "Thảo", "Yến", "Nga", "Hạnh", "Loan", "Trang", "Hằng", "Nhung")

# (first year, last year, text) of the legal bases quoted in "Căn cứ" lines.
_LEGAL_BASES: tuple[tuple[int, int, str], ...] = (
    (2004, 2016, "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003"),
    (2016, 2025, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"),
    (2020, 2025, "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính "
                 "quyền địa phương ngày 22 tháng 11 năm 2019"),
    (2012, 2025, "Căn cứ Luật Lưu trữ ngày 11 tháng 11 năm 2011"),
    (2009, 2025, "Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008"),
    (2018, 2025, "Căn cứ Luật Quản lý, sử dụng tài sản công ngày 21 tháng 6 năm 2017"),
    (2016, 2025, "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015"),
    (2021, 2025, "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư"),
    (2019, 2025, "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế "
                 "một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"),
    (2015, 2025, "Căn cứ Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003"),
)

_ACTORS = (
    "Các cơ quan, đơn vị",
    "Thủ trưởng các cơ quan, đơn vị",
    "Các phòng chuyên môn",
    "Cán bộ, công chức, viên chức",
    "Người đứng đầu các cơ quan, tổ chức",
    "Các sở, ban, ngành",
    "Văn phòng",
    "Bộ phận văn thư, lưu trữ",
)
_ACTIONS = (
    "tổ chức triển khai thực hiện nghiêm túc",
    "tăng cường kiểm tra, giám sát việc thực hiện",
    "chủ động rà soát, đánh giá kết quả thực hiện",
    "phối hợp chặt chẽ trong việc thực hiện",
    "quán triệt đầy đủ và thực hiện có hiệu quả",
    "xây dựng kế hoạch cụ thể để thực hiện",
    "bố trí kinh phí, nhân lực bảo đảm thực hiện",
    "tập trung chỉ đạo, đôn đốc thực hiện",
)
_OBJECTS = (
    "{topic}",
    "các nhiệm vụ, giải pháp về {topic}",
    "các quy định của pháp luật về {topic}",
    "chế độ thông tin, báo cáo định kỳ",
    "công tác lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan",
    "quy trình giải quyết thủ tục hành chính trên môi trường điện tử",
    "các chỉ tiêu, nhiệm vụ được giao trong năm {year}",
    "việc ứng dụng công nghệ thông tin trong quản lý, điều hành",
)
_TAILS = (
    "bảo đảm đúng quy định của pháp luật",
    "bảo đảm tiến độ, chất lượng và hiệu quả",
    "kịp thời báo cáo những khó khăn, vướng mắc phát sinh",
    "góp phần nâng cao hiệu lực, hiệu quả quản lý nhà nước",
    "định kỳ báo cáo kết quả trước ngày 15 tháng 12 hằng năm",
    "tránh hình thức, lãng phí",
    "gắn với trách nhiệm của người đứng đầu",
    "phù hợp với điều kiện thực tế của địa phương",
)
_ASSESSMENTS = (
    "Trong thời gian qua, {topic} đã được các cấp, các ngành quan tâm chỉ đạo và đạt được những kết quả "
    "quan trọng",
    "Nhìn chung, việc triển khai {topic} cơ bản bảo đảm đúng tiến độ, đúng quy định",
    "Tuy nhiên, một số cơ quan, đơn vị chưa thực sự quan tâm, việc tổ chức thực hiện còn chậm, chưa đồng bộ",
    "Nhận thức của một bộ phận cán bộ, công chức về {topic} còn hạn chế",
    "Cơ sở vật chất, trang thiết bị phục vụ {topic} tại một số đơn vị còn thiếu, chưa đáp ứng yêu cầu",
    "Tỷ lệ hồ sơ được giải quyết đúng hạn đạt {pct}%, tăng {delta}% so với cùng kỳ năm trước",
    "Trong năm {year}, đã tổ chức {n} lớp tập huấn cho {m} lượt cán bộ, công chức tham dự",
    "Công tác tuyên truyền, phổ biến các quy định về {topic} được chú trọng, đổi mới về hình thức",
    "Việc phân công nhiệm vụ, trách nhiệm của từng cơ quan, đơn vị được xác định rõ ràng, cụ thể",
)
_RECIPIENT_LINES: dict[str, tuple[str, ...]] = {
    "government": ("Thường trực Tỉnh ủy (b/c);", "Thường trực HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                   "Các sở, ban, ngành tỉnh;", "UBND các huyện, thị xã, thành phố;", "Cổng thông tin điện tử;"),
    "council": ("Ủy ban Thường vụ Quốc hội (b/c);", "Thường trực Tỉnh ủy;", "UBND tỉnh;",
                "Đại biểu HĐND tỉnh;", "Các Ban của HĐND tỉnh;"),
    "head": ("Lãnh đạo đơn vị;", "Các phòng, đơn vị trực thuộc;", "Cơ quan cấp trên (b/c);",
             "Trang thông tin điện tử;", "Công đoàn cơ quan;"),
}

_STOP_WORDS = frozenset(nfc(w) for w in (
    "của", "các", "những", "được", "trong", "theo", "thực", "hiện", "công", "việc", "ngày", "tháng", "này",
    "cho", "với", "quan", "người", "trên", "dưới", "tỉnh", "nước", "năm", "điều", "đơn", "khoản", "thành",
    "phố", "nhân", "dân", "định", "quyết", "thông", "chức", "trình", "hoạch", "số", "đối", "tượng",
))

INK = (12, 12, 12)
BLUE_INK = (25, 55, 165)
RED_INK = (205, 32, 40)

# --------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------


def _two(n: int) -> str:
    return f"{n:02d}" if n < 10 else str(n)


def vn_date(day: dt.date, blank: str | None = None) -> str:
    """The date words of ô 4, e.g. "ngày 05 tháng 3 năm 2020": day < 10 and months 1, 2 get a leading 0.
    With ``blank``, the day is left as that blank, to be filled in by hand."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {blank or f'{day.day:02d}'} tháng {month} năm {day.year}"


def date_line(place: str, day: dt.date, blank: str | None = None) -> str:
    """The italic place-and-date line of the header, e.g. "Hà Nội, ngày 05 tháng 01 năm 2020"."""
    return nfc(f"{place}, {vn_date(day, blank)}")


# The number and the day of a document are often written (or stamped) by hand after printing, into blanks the
# printed line leaves. One pen stroke per digit in a box 0..1 wide and high (y down), shaped as they are written
# in Vietnam: a 1 with a long flag, a 7 with a bar. Not the shapes sohoa.digits learnt from (MNIST and fonts).
BLANK = " " * 9
HAND_DIGITS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.55, 0.0), (0.15, 0.2), (0.05, 0.6), (0.35, 1.0), (0.8, 0.85), (0.95, 0.35), (0.7, 0.02), (0.45, 0.05)]],
    "1": [[(0.1, 0.45), (0.7, 0.0), (0.65, 1.0)]],
    "2": [[(0.1, 0.25), (0.4, 0.0), (0.8, 0.1), (0.8, 0.4), (0.4, 0.75), (0.05, 1.0), (0.95, 0.95)]],
    "3": [[(0.1, 0.12), (0.5, 0.0), (0.85, 0.2), (0.45, 0.45), (0.9, 0.7), (0.55, 1.0), (0.05, 0.88)]],
    "4": [[(0.7, 1.0), (0.7, 0.0), (0.05, 0.68), (0.98, 0.68)]],
    "5": [[(0.9, 0.0), (0.25, 0.02), (0.15, 0.45), (0.65, 0.38), (0.92, 0.7), (0.55, 1.0), (0.08, 0.9)]],
    "6": [[(0.8, 0.02), (0.35, 0.2), (0.08, 0.65), (0.35, 1.0), (0.8, 0.9), (0.85, 0.6), (0.45, 0.48),
           (0.1, 0.68)]],
    "7": [[(0.05, 0.08), (0.95, 0.02), (0.4, 1.0)], [(0.3, 0.5), (0.85, 0.48)]],
    "8": [[(0.55, 0.48), (0.15, 0.25), (0.5, 0.0), (0.85, 0.22), (0.5, 0.5), (0.1, 0.75), (0.5, 1.0), (0.9, 0.78),
           (0.55, 0.48)]],
    "9": [[(0.88, 0.3), (0.5, 0.02), (0.12, 0.25), (0.45, 0.55), (0.88, 0.3), (0.75, 1.0)]],
}


@dataclass
class SynthDocument:
    """One synthetic administrative document: its printed fields are its ground truth."""

    document_type: str
    number: str  # as printed, e.g. "05"
    symbol: str  # e.g. "QĐ-UBND", "UBND-VX", "2025/QĐ-UBND"
    issued_date: dt.date
    place: str
    parent_agency: str | None
    issuing_agency: str  # as printed, line breaks replaced by one space
    agency_lines: list[str]
    subject: str  # without "V/v " / "Về việc "
    signer: str
    signer_title: str  # last title line above the name, without authority prefix
    authority: str | None  # prefixes in printed order, e.g. "TM. KT."
    signer_block: list[str]  # title lines, top to bottom
    urgency: str | None = None
    secrecy: str | None = None  # MẬT / TỐI MẬT / TUYỆT MẬT stamp (ô 10a)
    pages: int = 1  # printed pages, attachment included
    attachment: str | None = None  # "phụ lục" (no header) or "quy định" (own header, "Ban hành kèm theo")
    attachment_pages: int = 0
    subject_prefix: str = ""  # printed before the subject: "V/v ", "Về việc " or ""
    hand_filled: bool = False  # number and day written by hand into blanks of the printed lines
    addressees: list[str] = field(default_factory=list)  # "Kính gửi"
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận" lines, as printed
    topic: str = ""
    agency_key: str = ""
    body_seed: int = 0
    language: str = "vi"

    def __post_init__(self) -> None:
        for name, value in list(vars(self).items()):
            if isinstance(value, str):
                setattr(self, name, nfc(value))
            elif isinstance(value, list):
                setattr(self, name, [nfc(v) if isinstance(v, str) else v for v in value])

    @property
    def agency(self) -> Agency:
        for agency in AGENCIES:
            if agency.key == self.agency_key:
                return agency
        return _ad_hoc_agency(self)

    @property
    def number_line(self) -> str:
        return f"Số: {BLANK if self.hand_filled else self.number}/{self.symbol}"

    @property
    def date_line(self) -> str:
        return date_line(self.place, self.issued_date, BLANK if self.hand_filled else None)

    @property
    def printed_subject(self) -> str:
        return f"{self.subject_prefix}{self.subject}"

    def metadata(self) -> dict[str, Any]:
        """The truth metadata of this document (keys of the run report, plus the printed line lists)."""
        return {
            "document_type": self.document_type,
            "number": self.number,
            "symbol": self.symbol,
            "issued_date": self.issued_date.isoformat(),
            "place": self.place,
            "issuing_agency": self.issuing_agency,
            "parent_agency": self.parent_agency,
            "subject": self.subject,
            "signer": self.signer,
            "signer_title": self.signer_title,
            "authority": self.authority,
            "urgency": self.urgency,
            "secrecy": self.secrecy,
            "language": self.language,
            "agency_lines": list(self.agency_lines),
            "signer_block": list(self.signer_block),
            "handwritten_fields": ["number", "issued_date"] if self.hand_filled else [],  # as the real set's labels
        }


def _ad_hoc_agency(doc: SynthDocument) -> Agency:
    name = " ".join(doc.agency_lines).capitalize()
    return Agency(
        key=doc.agency_key or "ad-hoc", parent=doc.parent_agency, lines=tuple(doc.agency_lines),
        abbr=doc.symbol.rsplit("-", 1)[-1], place=doc.place, name=name, organ_id="X00", kind="head",
        head="THỦ TRƯỞNG", deputy="PHÓ THỦ TRƯỞNG", units=("VP",), types=DOCUMENT_TYPES, superior="Cơ quan cấp trên",
        addressees=("Các cơ quan, đơn vị có liên quan",), proposer="Chánh Văn phòng",
        office="Chánh Văn phòng, Thủ trưởng các đơn vị", fond="P_X", seal=" ".join(doc.agency_lines),
    )


def _person(rng: random.Random) -> str:
    if rng.random() < 0.65:
        return f"{rng.choice(_SURNAMES)} {rng.choice(_MALE_MIDDLE)} {rng.choice(_MALE_GIVEN)}"
    return f"{rng.choice(_SURNAMES)} {rng.choice(_FEMALE_MIDDLE)} {rng.choice(_FEMALE_GIVEN)}"


def _signer_block(agency: Agency, document_type: str, rng: random.Random) -> tuple[list[str], str | None]:
    head, deputy = agency.head, agency.deputy
    options: list[tuple[list[str], str | None]]
    if agency.kind in ("government", "council") and agency.collective:
        collective = f"TM. {agency.collective}"
        options = [([collective, head], "TM."), ([collective, f"KT. {head}", deputy], "TM. KT."),
                   ([f"KT. {head}", deputy], "KT."), ([head], None)]
        if document_type in ("Công văn", "Thông báo", "Giấy mời"):
            options.append(([f"TL. {head}", "CHÁNH VĂN PHÒNG"], "TL."))
    else:
        options = [([head], None), ([f"KT. {head}", deputy], "KT."), ([f"KT. {head}", deputy], "KT."),
                   ([f"Q. {head}"], "Q.")]
        if document_type in ("Công văn", "Thông báo", "Giấy mời"):
            options.append(([f"TL. {head}", "CHÁNH VĂN PHÒNG"], "TL."))
    block, authority = rng.choice(options)
    return block, authority


def _strip_prefixes(title: str) -> str:
    words = title.split()
    while words and words[0] in ("TM.", "KT.", "TL.", "Q.", "TUQ."):
        words = words[1:]
    return " ".join(words)


def random_document(
    rng: random.Random,
    *,
    document_type: str | None = None,
    agency: Agency | None = None,
    year: int | None = None,
    topic: str | None = None,
    pages: int | None = None,
) -> SynthDocument:
    """A random administrative document; every argument left None is drawn from rng."""
    if document_type is not None and document_type not in DOCUMENT_TYPES:
        raise ValueError(f"unsupported document type: {document_type!r}")
    if agency is None:
        candidates = [a for a in AGENCIES if document_type is None or document_type in a.types]
        agency = rng.choice(candidates)
    if document_type is None:
        document_type = rng.choice(agency.types)
    year = year if year is not None else rng.randint(2015, 2025)
    topic = topic or rng.choice(TOPICS)
    issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    number = _two(rng.randint(1, 350))
    if document_type == "Công văn":
        symbol = f"{agency.abbr}-{rng.choice(agency.units)}"
    else:
        symbol = f"{TYPE_ABBREVIATIONS[document_type]}-{agency.abbr}"
        if document_type in ("Quyết định", "Nghị quyết") and agency.kind != "head" and rng.random() < 0.12:
            symbol = f"{year}/{symbol}"
    template = rng.choice(_SUBJECTS[document_type])
    printed = template.format(topic=topic, year=year, year5=year + 5, prev=year - 1)
    prefix = ""
    for candidate in ("V/v ", "Về việc "):
        if printed.startswith(candidate):
            prefix, printed = candidate, printed[len(candidate):]
    block, authority = _signer_block(agency, document_type, rng)
    if pages is None:
        if document_type == "Giấy mời":
            pages = 1
        elif document_type == "Công văn":
            pages = rng.choice((1, 1, 2))
        else:
            pages = rng.choice((1, 1, 2, 2, 3))
    addressees: list[str] = []
    if document_type in ("Công văn", "Giấy mời"):
        addressees = rng.sample(list(agency.addressees), k=rng.choice((1, 1, min(2, len(agency.addressees)))))
    elif document_type == "Tờ trình":
        addressees = [agency.superior]
    recipients = ["Như trên;"] if addressees else []
    if document_type in ("Quyết định", "Nghị quyết"):
        recipients.append("Như Điều 3;")
    extra = list(_RECIPIENT_LINES.get(agency.kind, _RECIPIENT_LINES["head"]))
    recipients += rng.sample(extra, k=rng.randint(1, 3))
    recipients.append(f"Lưu: VT, {rng.choice(agency.units)}.")
    urgency = rng.choice(URGENCY_MARKS) if rng.random() < 0.18 else None
    return SynthDocument(
        document_type=document_type,
        number=number,
        symbol=symbol,
        issued_date=issued,
        place=agency.place,
        parent_agency=agency.parent,
        issuing_agency=" ".join(agency.lines),
        agency_lines=list(agency.lines),
        subject=printed,
        signer=_person(rng),
        signer_title=_strip_prefixes(block[-1]),
        authority=authority,
        signer_block=list(block),
        urgency=urgency,
        pages=pages,
        subject_prefix=prefix,
        addressees=addressees,
        recipients=[f"- {line}" for line in recipients],
        topic=topic,
        agency_key=agency.key,
        body_seed=rng.getrandbits(32),
    )


# --------------------------------------------------------------------------------------------------
# Body text
# --------------------------------------------------------------------------------------------------


@dataclass
class _Para:
    runs: list[tuple[str, str]]  # (text, font style)
    align: str = "justify"  # justify | center | left
    indent: bool = True
    bold_all: bool = False
    optional: bool = False  # may be dropped when a one-page document does not fit


def _para(text: str, style: str = "regular", **kwargs: Any) -> _Para:
    return _Para([(nfc(text), style)], **kwargs)


def _lead(lead: str, text: str, style: str = "regular") -> _Para:
    return _Para([(nfc(lead), "bold"), (nfc(text), style)])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    """Plausible administrative prose for one document, drawn from its own random stream."""

    def __init__(self, doc: SynthDocument) -> None:
        self.doc = doc
        self.agency = doc.agency
        self.rng = random.Random(doc.body_seed)
        self.year = doc.issued_date.year

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(topic=self.doc.topic, year=self.year, pct=r.randint(85, 99), delta=r.randint(1, 9),
                               n=r.randint(2, 15), m=r.randint(100, 900))

    def clause(self) -> str:
        r = self.rng
        return self.fill(f"{r.choice(_ACTIONS)} {r.choice(_OBJECTS)}, {r.choice(_TAILS)}")

    def sentence(self) -> str:
        return f"{self.rng.choice(_ACTORS)} {self.clause()}."

    def assessment(self, count: int) -> str:
        picks = self.rng.sample(list(_ASSESSMENTS), k=count)
        return " ".join(self.fill(p) + "." for p in picks)

    def earlier_date(self, days: tuple[int, int]) -> dt.date:
        return self.doc.issued_date - dt.timedelta(days=self.rng.randint(*days))

    def legal_bases(self, count: int) -> list[str]:
        usable = [text for first, last, text in _LEGAL_BASES if first <= self.year <= last]
        picks = self.rng.sample(usable, k=min(count, len(usable)))
        own = self.earlier_date((200, 900))
        if self.agency.kind == "head" and (self.agency.parent or "").startswith("UBND") and own.year >= 2015:
            picks.append(f"Căn cứ Quyết định số {_two(self.rng.randint(1, 300))}/QĐ-UBND {vn_date(own)} quy định "
                         f"chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {self.agency.name}")
        return picks

    def numbered_units(self, count: int, *, points: bool = True) -> list[list[_Para]]:
        units: list[list[_Para]] = []
        for i in range(1, count + 1):
            r = self.rng
            if points and r.random() < 0.3:
                unit = [_para(f"{i}. {_cap(self.clause())}, cụ thể như sau:")]
                objects = r.sample(list(_OBJECTS), k=r.randint(2, 4))
                for j, (letter, obj) in enumerate(zip("abcd", objects, strict=False)):
                    end = "." if j == len(objects) - 1 else ";"
                    unit.append(_para(f"{letter}) {_cap(self.fill(obj))}{end}"))
                units.append(unit)
            else:
                units.append([_para(f"{i}. {_cap(self.clause())}. {self.sentence()}")])
        return units

    def prose_units(self, count: int) -> list[list[_Para]]:
        units: list[list[_Para]] = []
        for _ in range(count):
            r = self.rng
            text = " ".join([self.assessment(1)] + [self.sentence() for _ in range(r.randint(1, 2))])
            units.append([_para(text)])
        return units

    def body(self, pool: int = 80) -> tuple[list[_Para], list[list[_Para]], list[_Para]]:
        """Opening paragraphs, a pool of middle units (any prefix of it reads well), closing paragraphs."""
        doc, agency, r = self.doc, self.agency, self.rng
        kind = doc.document_type
        subject = doc.subject
        if kind in ("Quyết định", "Nghị quyết"):
            if kind == "Quyết định":
                if doc.authority and doc.authority.startswith("TM."):
                    issuer = agency.name.upper()
                else:
                    issuer = f"{agency.head} {agency.name.upper()}"
                verb, noun = "QUYẾT ĐỊNH:", "Quyết định"
            else:
                issuer = f"{agency.name.upper()}\nKHÓA {r.choice(('IX', 'X', 'XI', 'XIV', 'XV'))}, KỲ HỌP THỨ " \
                         f"{r.randint(2, 20)}"
                verb, noun = "QUYẾT NGHỊ:", "Nghị quyết"
            opening = [_para(line, "bold", align="center", indent=False) for line in issuer.split("\n")]
            bases = self.legal_bases(3)
            for idx, basis in enumerate(bases):
                opening.append(_para(basis + ";", "italic", optional=idx >= 2))
            proposal = self.earlier_date((3, 40))
            abbr = "TTr-UBND" if kind == "Nghị quyết" else f"TTr-{r.choice(agency.units)}"
            opening.append(_para(f"Theo đề nghị của {agency.proposer} tại Tờ trình số "
                                 f"{_two(r.randint(1, 200))}/{abbr} {vn_date(proposal)}.", "italic"))
            opening.append(_para(verb, "bold", align="center", indent=False))
            opening.append(_lead("Điều 1. ", _cap(subject) + ", với các nội dung chủ yếu sau:"))
            units = self.numbered_units(pool)
            closing = [
                _lead("Điều 2. ", f"{noun} này có hiệu lực kể từ ngày {'ký' if kind == 'Quyết định' else 'thông qua'}."),
                _lead("Điều 3. ", f"{agency.office}, Thủ trưởng các cơ quan, đơn vị và cá nhân có liên quan chịu "
                                  f"trách nhiệm thi hành {noun} này./."),
            ]
            return opening, units, closing
        if kind == "Công văn":
            ref = self.earlier_date((5, 60))
            opening = [_para(f"Thực hiện văn bản số {_two(r.randint(1, 999))}/UBND-VX {vn_date(ref)} về {doc.topic}, "
                             f"{agency.name} đề nghị các cơ quan, đơn vị quan tâm thực hiện một số nội dung sau:")]
            closing = [_para(f"Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện; báo cáo kết quả về "
                             f"{agency.name} trước ngày 30 tháng {r.randint(3, 12)} năm {self.year}./.")]
            return opening, self.numbered_units(pool, points=False), closing
        if kind == "Thông báo":
            meeting = self.earlier_date((1, 10))
            opening = [_para(f"Ngày {meeting.day:02d} tháng {_month(meeting)} năm {meeting.year}, lãnh đạo "
                             f"{agency.name} đã chủ trì cuộc họp về {doc.topic}. Tham dự cuộc họp có đại diện lãnh "
                             f"đạo các cơ quan, đơn vị có liên quan. Sau khi nghe báo cáo và ý kiến phát biểu của "
                             f"các đại biểu, lãnh đạo {agency.name} kết luận như sau:")]
            closing = [_para(f"{agency.name} thông báo để các cơ quan, đơn vị biết, thực hiện./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Báo cáo":
            opening = [_para(f"Thực hiện chỉ đạo của cấp trên, {agency.name} báo cáo {_lower_first(subject)} "
                             f"như sau:"),
                       _para("I. KẾT QUẢ THỰC HIỆN", "bold", indent=True)]
            closing = [_para("II. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "bold"), _para(self.sentence()),
                       _para(f"Trên đây là báo cáo {_lower_first(subject)} của {agency.name}./.")]
            return opening, self.prose_units(pool), closing
        if kind == "Tờ trình":
            opening = [_para(basis + ";") for basis in self.legal_bases(2)]
            opening.append(_para(f"{agency.name} kính trình {doc.addressees[0]} xem xét nội dung "
                                 f"{_lower_first(subject)}, cụ thể như sau:"))
            closing = [_para(f"Kính trình {doc.addressees[0]} xem xét, quyết định./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Kế hoạch":
            opening = [_para(f"Thực hiện chương trình công tác năm {self.year}, {agency.name} ban hành Kế hoạch "
                             f"{_lower_first(subject)} như sau:"),
                       _para("I. MỤC ĐÍCH, YÊU CẦU", "bold"), _para(self.sentence()),
                       _para("II. NỘI DUNG THỰC HIỆN", "bold")]
            closing = [_para("III. TỔ CHỨC THỰC HIỆN", "bold"), _para(self.sentence()),
                       _para(f"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh "
                             f"về {agency.name} để xem xét, giải quyết./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Chỉ thị":
            opening = [_para(self.assessment(2)),
                       _para(self.assessment(2), optional=True),
                       _para(f"Để khắc phục những hạn chế nêu trên, {agency.head.capitalize()} "
                             f"{agency.name} yêu cầu:")]
            closing = [_para("Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc triển khai thực hiện Chỉ thị "
                             "này./.")]
            return opening, self.numbered_units(pool), closing
        # Giấy mời
        when = doc.issued_date + dt.timedelta(days=r.randint(3, 12))
        names = "; ".join(doc.addressees) if doc.addressees else "Đại diện lãnh đạo các cơ quan, đơn vị"
        opening = [_para(f"{agency.name} trân trọng kính mời:", indent=True),
                   _para(f"Đại diện lãnh đạo {_lower_first(names)}.", "bold", align="center", indent=False),
                   _para(f"Tới {_lower_first(subject)}."),
                   _para("Nội dung chương trình:")]
        closing = [_para(f"Thời gian: {r.choice((7, 8, 13, 14))} giờ {r.choice(('00', '30'))} phút, "
                         f"{vn_date(when)}."),
                   _para(f"Địa điểm: Hội trường {agency.name}."),
                   _para("Rất mong Quý đại biểu tham dự đúng thời gian./.")]
        units = [[_para(f"- {_cap(self.clause())}.")] for _ in range(pool)]
        return opening, units, closing


def _month(day: dt.date) -> str:
    return f"{day.month:02d}" if day.month <= 2 else str(day.month)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------

_SERIF_FILES = {
    "liberation": {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
                   "italic": "LiberationSerif-Italic.ttf", "bolditalic": "LiberationSerif-BoldItalic.ttf"},
    "dejavu": {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
               "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf"},
}
# Liberation 1.x (Debian "fonts-liberation", in .../liberation/) has no Vietnamese letters such as "ệ" or "ư";
# Liberation 2.x ("fonts-liberation2", in .../liberation2/) has them. Fonts without them are skipped.
_FONT_DIRS = (
    ("/usr/share/fonts/truetype/liberation2", "liberation"),
    ("/usr/share/fonts/truetype/liberation", "liberation"),
    ("/usr/share/fonts/truetype/dejavu", "dejavu"),
)
_VIETNAMESE_PROBE = "ệưỡỜặĐ"


def _covers_vietnamese(path: Path) -> bool:
    font = ImageFont.truetype(str(path), 40)
    missing = bytes(font.getmask("\U0010fffd"))
    return all(bytes(font.getmask(ch)) != missing for ch in _VIETNAMESE_PROBE)


@cache
def _font_path(style: str) -> str:
    for folder, family in _FONT_DIRS:
        path = Path(folder) / _SERIF_FILES[family][style]
        if path.is_file() and _covers_vietnamese(path):
            return str(path)
    raise FileNotFoundError(f"no serif font with Vietnamese letters for style {style!r} "
                            "(install fonts-liberation2 or fonts-dejavu)")


@lru_cache(maxsize=512)
def _font(style: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(style), max(px, 1))


@lru_cache(maxsize=65536)
def _text_width(style: str, px: int, text: str) -> float:
    return float(_font(style, px).getlength(text))


def a4_size(dpi: int) -> tuple[int, int]:
    """Pixel size (width, height) of an A4 portrait page at dpi."""
    return round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)


@dataclass
class _Style:
    dpi: int
    width: int
    height: int
    ml: float
    mr: float
    mt: float
    mb: float
    body_pt: float
    spacing: float
    indent: float
    para_gap: float
    title_pt: float  # signer block
    sig_gap: float

    def px(self, pt: float) -> float:
        return pt * self.dpi / 72

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    @property
    def text_left(self) -> float:
        return self.ml

    @property
    def text_right(self) -> float:
        return self.width - self.mr

    @property
    def text_center(self) -> float:
        return (self.ml + self.width - self.mr) / 2

    @property
    def left_col(self) -> tuple[float, float]:
        return self.ml, 0.45 * self.width

    @property
    def right_col(self) -> tuple[float, float]:
        return 0.48 * self.width, self.width - self.mr


def _choose_style(dpi: int, rng: random.Random) -> _Style:
    width, height = a4_size(dpi)
    st = _Style(dpi=dpi, width=width, height=height, ml=0, mr=0, mt=0, mb=0, body_pt=rng.choice((13.0, 14.0)),
                spacing=rng.choice((1.15, 1.2, 1.25)), indent=0, para_gap=0, title_pt=rng.choice((13.0, 14.0)),
                sig_gap=0)
    st.ml = st.mm(rng.uniform(30, 35))
    st.mr = st.mm(rng.uniform(15, 20))
    st.mt = st.mm(rng.uniform(20, 25))
    st.mb = st.mm(rng.uniform(20, 25))
    st.indent = st.mm(rng.choice((10.0, 12.7)))
    st.para_gap = st.px(6)
    st.sig_gap = st.mm(rng.uniform(28, 32))
    return st


class _Sheet:
    def __init__(self, st: _Style) -> None:
        self.st = st
        self.img = Image.new("RGB", (st.width, st.height), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)
        self.lines: list[str] = []
        self.title_start = 0  # index in lines where the title block (type name, trích yếu, Kính gửi) starts
        self.closing_start: int | None = None  # index in lines where "Nơi nhận" and the signer block start

    def font(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        return _font(style, round(self.st.px(pt)))

    def width_of(self, text: str, style: str, pt: float) -> float:
        return _text_width(style, round(self.st.px(pt)), text)

    def put(self, text: str, style: str, pt: float, x: float, baseline: float, align: str = "l",
            fill: tuple[int, int, int] = INK, record: bool = True) -> float:
        anchor = {"l": "ls", "c": "ms", "r": "rs"}[align]
        self.draw.text((x, baseline), text, font=self.font(style, pt), fill=fill, anchor=anchor)
        if record:
            self.lines.append(text)
        return self.width_of(text, style, pt)

    def line_c(self, text: str, style: str, pt: float, cx: float, y: float, pitch: float = 1.2) -> tuple[float, float]:
        """Draw a centred line whose box starts at y; return (y of the next line, text width)."""
        width = self.put(text, style, pt, cx, y + 0.9 * self.st.px(pt), "c")
        return y + pitch * self.st.px(pt), width

    def rule(self, cx: float, length: float, y: float) -> None:
        thickness = max(1, round(self.st.px(0.6)))
        self.draw.line([(cx - length / 2, y), (cx + length / 2, y)], fill=INK, width=thickness)


def _fit_pt(sheet: _Sheet, texts: Sequence[str], style: str, sizes: Sequence[float], width: float) -> float:
    for pt in sizes:
        if all(sheet.width_of(t, style, pt) <= width for t in texts):
            return pt
    return sizes[-1]


def _wrap(sheet: _Sheet, text: str, style: str, pt: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and sheet.width_of(trial, style, pt) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _draw_columns(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> float:
    """The two header columns (issuing body left, national title and motto right); returns their bottom y."""
    st = sheet.st
    lx0, lx1 = st.left_col
    rx0, rx1 = st.right_col
    lcx, rcx = (lx0 + lx1) / 2, (rx0 + rx1) / 2
    lw, rw = lx1 - lx0, rx1 - rx0
    y_left = y_right = st.mt
    if doc.parent_agency:
        pt = _fit_pt(sheet, [doc.parent_agency], "regular", (13, 12.5, 12), lw)
        y_left, _ = sheet.line_c(doc.parent_agency, "regular", pt, lcx, y_left, 1.15)
    pt = _fit_pt(sheet, doc.agency_lines, "bold", (13, 12.5, 12), lw)
    widest = 0.0
    for line in doc.agency_lines:
        y_left, w = sheet.line_c(line, "bold", pt, lcx, y_left, 1.15)
        widest = max(widest, w)
    rule_y = y_left + st.mm(0.3)
    sheet.rule(lcx, widest * rng.uniform(0.33, 0.5), rule_y)
    y_left = rule_y + st.mm(1.0)

    pt = _fit_pt(sheet, [NATIONAL_TITLE], "bold", (13, 12.5, 12), rw)
    y_right, _ = sheet.line_c(NATIONAL_TITLE, "bold", pt, rcx, y_right, 1.15)
    pt = _fit_pt(sheet, [MOTTO], "bold", (14, 13.5, 13), rw)
    y_right, w = sheet.line_c(MOTTO, "bold", pt, rcx, y_right, 1.15)
    rule_y = y_right + st.mm(0.3)
    sheet.rule(rcx, w, rule_y)
    y_right = rule_y + st.mm(1.0)

    return max(y_left, y_right)


def _draw_header(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> tuple[float, float]:
    """Header table, type name and trích yếu (or Kính gửi).

    Returns the y where the two-column header block ends (below "Số:"/date, V/v lines and urgency stamp)
    and the y where the body starts.
    """
    st = sheet.st
    lx0, lx1 = st.left_col
    lcx, lw = (lx0 + lx1) / 2, lx1 - lx0
    rcx = sum(st.right_col) / 2
    y = _draw_columns(sheet, doc, rng) + st.mm(rng.uniform(2.0, 4.0))
    baseline = y + 0.9 * st.px(13)
    sheet.put(doc.number_line, "regular", 13, lcx, baseline, "c")
    room = 2 * min(rcx - 0.455 * st.width, st.width - 0.5 * st.mr - rcx)
    date_pt = _fit_pt(sheet, [doc.date_line], "italic", (14, 13.5, 13, 12.5, 12), room)
    sheet.put(doc.date_line, "italic", date_pt, rcx, baseline, "c")
    if doc.hand_filled:
        for line, cx, style, pt, digits in ((doc.number_line, lcx, "regular", 13, doc.number),
                                            (doc.date_line, rcx, "italic", date_pt, f"{doc.issued_date.day:02d}")):
            x0 = cx - sheet.width_of(line, style, pt) / 2 + sheet.width_of(line[:line.index(BLANK)], style, pt)
            draw_hand_digits(sheet.draw, digits, x0 + sheet.width_of(BLANK, style, pt) / 2, baseline, st.px(13), rng)
    y_left = y + 1.2 * st.px(13)
    y_right = y + 1.2 * st.px(date_pt)
    if doc.document_type == "Công văn":
        pt = rng.choice((12.0, 13.0))
        y_left += st.px(6) - 0.2 * st.px(13)
        for line in _wrap(sheet, doc.printed_subject, "regular", pt, lw):
            y_left, _ = sheet.line_c(line, "regular", pt, lcx, y_left, 1.15)
    for mark in (doc.secrecy, doc.urgency):
        if mark:
            y_left = _draw_mark(sheet, mark, lcx, y_left + st.mm(3))
    header_bottom = max(y_left, y_right)
    y = header_bottom + st.mm(rng.uniform(6, 10))
    tcx = st.text_center
    sheet.title_start = len(sheet.lines)
    if doc.document_type != "Công văn":
        y, _ = sheet.line_c(doc.document_type.upper(), "bold", 14, tcx, y, 1.2)
        widest = 0.0
        for line in _wrap(sheet, doc.printed_subject, "bold", 14, 0.78 * (st.text_right - st.text_left)):
            y, w = sheet.line_c(line, "bold", 14, tcx, y, 1.2)
            widest = max(widest, w)
        rule_y = y + st.mm(0.3)
        sheet.rule(tcx, widest * rng.uniform(0.33, 0.5), rule_y)
        y = rule_y + st.mm(rng.uniform(5, 7))
    if doc.addressees and doc.document_type in ("Công văn", "Tờ trình"):
        y = _draw_addressees(sheet, doc.addressees, y + (st.mm(2) if doc.document_type == "Công văn" else 0))
    return header_bottom, y + st.mm(2)


def draw_hand_digits(draw: ImageDraw.ImageDraw, digits: str, cx: float, baseline: float, height: float,
                     rng: random.Random) -> None:
    """Digits written with a pen around cx, standing on a baseline: uneven, slanted, blue or black."""
    h = height * rng.uniform(0.75, 1.0)
    w, gap = 0.55 * h, 0.15 * h
    x = cx - (len(digits) * (w + gap) - gap) / 2 + rng.uniform(-0.1, 0.1) * h
    top = baseline - h + rng.uniform(-0.15, 0.1) * h
    slant = rng.uniform(0.0, 0.3)
    colour = tuple(max(0, min(255, c + rng.randint(-15, 15))) for c in rng.choice((BLUE_INK, INK)))
    width = max(2, round(h * rng.uniform(0.08, 0.14)))
    for digit in digits:
        for stroke in HAND_DIGITS[digit]:
            points = [(x + (px + rng.uniform(-0.05, 0.05)) * w + slant * (1 - py) * h,
                       top + (py + rng.uniform(-0.03, 0.03)) * h) for px, py in stroke]
            draw.line(_catmull_rom(points), fill=colour, width=width, joint="curve")
        x += w + gap


def _draw_mark(sheet: _Sheet, mark: str, cx: float, y: float) -> float:
    """A red framed urgency or secrecy stamp centred at cx (NĐ 30/2020 ô 10a/10b)."""
    st = sheet.st
    box_w = st.mm({"KHẨN": 20, "MẬT": 20, "THƯỢNG KHẨN": 40, "TUYỆT MẬT": 36}.get(mark, 30))
    box_h = st.mm(8)
    text_w = sheet.width_of(mark, "bold", 13)
    box_w = max(box_w, text_w + st.mm(4))
    thickness = max(2, round(st.mm(0.45)))
    sheet.draw.rectangle([cx - box_w / 2, y, cx + box_w / 2, y + box_h], outline=RED_INK, width=thickness)
    sheet.put(mark, "bold", 13, cx, y + box_h / 2 + 0.33 * st.px(13), "c", fill=RED_INK)
    return y + box_h + st.mm(1)


def _draw_addressees(sheet: _Sheet, addressees: list[str], y: float) -> float:
    st = sheet.st
    pt = 14.0
    pitch = 1.2 * st.px(pt)
    if len(addressees) == 1:
        text = f"Kính gửi: {addressees[0]}"
        y, _ = sheet.line_c(text, "regular", pt, st.text_center, y, 1.2)
        return y
    label = "Kính gửi: "
    widest = max(sheet.width_of(f"- {a};", "regular", pt) for a in addressees)
    label_w = sheet.width_of(label, "regular", pt)
    x0 = max(st.text_left + st.indent, st.text_center - (label_w + widest) / 2)
    baseline = y + 0.9 * st.px(pt)
    sheet.put(label.strip(), "regular", pt, x0, baseline)
    for i, item in enumerate(addressees):
        end = "." if i == len(addressees) - 1 else ";"
        sheet.put(f"- {item}{end}", "regular", pt, x0 + label_w, baseline)
        baseline += pitch
        y += pitch
    return y


@dataclass
class _Line:
    words: list[tuple[str, str]]
    pt: float
    align: str
    first: bool
    last: bool
    indent: float
    height: float
    gap_before: float

    @property
    def text(self) -> str:
        return " ".join(w for w, _ in self.words)


def _lay_para(sheet: _Sheet, para: _Para, pt: float) -> list[_Line]:
    st = sheet.st
    words: list[tuple[str, str]] = []
    for text, style in para.runs:
        words += [(w, "bold" if para.bold_all else style) for w in text.split()]
    space = sheet.width_of(" ", "regular", pt)
    full = st.text_right - st.text_left
    lines: list[list[tuple[str, str]]] = [[]]
    used = st.indent if para.indent else 0.0
    limit = full
    for word, style in words:
        w = sheet.width_of(word, style, pt)
        if lines[-1] and used + space + w > limit:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append((word, style))
    height = st.spacing * st.px(pt)
    out = []
    for i, line in enumerate(lines):
        out.append(_Line(words=line, pt=pt, align=para.align, first=i == 0, last=i == len(lines) - 1,
                         indent=st.indent if (para.indent and i == 0) else 0.0, height=height,
                         gap_before=st.para_gap if i == 0 else 0.0))
    return out


def _draw_line(sheet: _Sheet, line: _Line, y: float) -> None:
    st = sheet.st
    baseline = y + 0.9 * st.px(line.pt)
    widths = [sheet.width_of(w, s, line.pt) for w, s in line.words]
    space = sheet.width_of(" ", "regular", line.pt)
    total = sum(widths) + space * (len(widths) - 1)
    if line.align == "center":
        x = st.text_center - total / 2
        gap = space
    else:
        x = st.text_left + line.indent
        avail = st.text_right - x
        gap = space
        if line.align == "justify" and not line.last and len(widths) > 1:
            stretched = (avail - sum(widths)) / (len(widths) - 1)
            if stretched < 3.5 * space:
                gap = max(stretched, 0.6 * space)
    for (word, style), w in zip(line.words, widths, strict=True):
        sheet.put(word, style, line.pt, x, baseline, record=False)
        x += w + gap
    sheet.lines.append(line.text)


@dataclass
class _Pagination:
    pages: list[list[tuple[float, _Line]]]
    closing_page: int
    closing_y: float

    @property
    def count(self) -> int:
        return max(len(self.pages), self.closing_page + 1)

    @property
    def closing_alone(self) -> bool:
        return self.closing_page >= len(self.pages) or not self.pages[self.closing_page]


def _paginate(lines: list[_Line], first_top: float, st: _Style, closing_h: float) -> _Pagination:
    bottom = st.height - st.mb
    pages: list[list[tuple[float, _Line]]] = [[]]
    y = first_top
    for line in lines:
        gap = line.gap_before if (pages[-1] or len(pages) == 1) else 0.0
        if y + gap + line.height > bottom:
            pages.append([])
            y = st.mt
            gap = 0.0
        y += gap
        pages[-1].append((y, line))
        y += line.height
    closing_y = y + st.mm(4)
    closing_page = len(pages) - 1
    if closing_y + closing_h > bottom:
        closing_page += 1
        closing_y = st.mt
    return _Pagination(pages, closing_page, closing_y)


def _closing_height(sheet: _Sheet, doc: SynthDocument) -> float:
    st = sheet.st
    left = 1.25 * st.px(12) + len(doc.recipients) * 1.15 * st.px(11)
    right = (len(doc.signer_block) + 1) * 1.2 * st.px(st.title_pt) + st.sig_gap
    return max(left, right)


def _draw_closing(sheet: _Sheet, doc: SynthDocument, y: float, rng: random.Random) -> None:
    st = sheet.st
    sheet.closing_start = len(sheet.lines)
    x = st.text_left
    baseline = y + 0.9 * st.px(12)
    sheet.put("Nơi nhận:", "bolditalic", 12, x, baseline)
    baseline += 1.25 * st.px(12) - 0.1 * st.px(12)
    for line in doc.recipients:
        baseline += 0.05 * st.px(11)
        sheet.put(line, "regular", 11, x, baseline)
        baseline += 1.1 * st.px(11)
    rx0, rx1 = st.right_col
    cx = (rx0 + rx1) / 2
    yy = y
    for line in doc.signer_block:
        yy, _ = sheet.line_c(line, "bold", st.title_pt, cx, yy, 1.2)
    gap_top, gap_bottom = yy, yy + st.sig_gap
    sig_w = st.mm(rng.uniform(30, 42))
    sig_h = st.mm(rng.uniform(9, 13))
    sig_cx = cx + st.mm(rng.uniform(-4, 6))
    sig_cy = (gap_top + gap_bottom) / 2 + st.mm(rng.uniform(-2, 2))
    _draw_signature(sheet, sig_cx - sig_w / 2, sig_cy - sig_h / 2, sig_w, sig_h, rng)
    radius = (st.sig_gap - st.mm(2)) / 2
    seal_cx = sig_cx - sig_w / 2 + sig_w / 3 - radius * rng.uniform(0.85, 1.0)
    seal_cy = (gap_top + gap_bottom) / 2
    seal_text = doc.agency.seal or " * ".join(doc.agency_lines)
    _draw_seal(sheet, seal_cx, seal_cy, radius, seal_text, rng)
    sheet.line_c(doc.signer, "bold", st.title_pt, cx, gap_bottom, 1.2)


def _catmull_rom(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    pts = [points[0], *points, points[-1]]
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            xy = [0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                         + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in range(2)]
            out.append((xy[0], xy[1]))
    out.append(points[-1])
    return out


def _draw_signature(sheet: _Sheet, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
    """A blue hand-drawn-looking squiggle inside the box (x, y, w, h)."""
    st = sheet.st
    n = rng.randint(7, 11)
    points = []
    for i in range(n):
        px = x + w * (i / (n - 1)) + rng.uniform(-0.04, 0.04) * w
        py = y + h * (0.5 + 0.45 * math.sin(i * rng.uniform(1.6, 2.6)) * rng.uniform(0.6, 1.0))
        points.append((px, py))
    # a loop near the start, like the capital of a name
    lx, ly = points[1]
    loop = [(lx + w * 0.06 * math.cos(a), ly - h * 0.25 * math.sin(a) - h * 0.1)
            for a in np.linspace(0.0, 2 * math.pi, 9)]
    stroke = _catmull_rom([points[0], *loop, *points[1:]])
    colour = tuple(max(0, min(255, c + rng.randint(-15, 15))) for c in BLUE_INK)
    width = max(2, round(st.mm(rng.uniform(0.35, 0.55))))
    sheet.draw.line(stroke, fill=colour, width=width, joint="curve")
    # underline flourish
    ux0, ux1 = x + w * rng.uniform(0.1, 0.3), x + w * rng.uniform(0.8, 1.05)
    uy = y + h * rng.uniform(0.95, 1.15)
    flourish = _catmull_rom([(ux0, uy), ((ux0 + ux1) / 2, uy + h * 0.08), (ux1, uy - h * 0.15)])
    sheet.draw.line(flourish, fill=colour, width=max(1, width - 1), joint="curve")


def _draw_seal(sheet: _Sheet, cx: float, cy: float, radius: float, text: str, rng: random.Random) -> None:
    """A red round seal (double ring, text around, star in the centre), multiplied semi-transparently."""
    st = sheet.st
    size = int(2 * radius + 4)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    outer = max(2, round(st.mm(0.8)))
    draw.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=outer)
    inner_r = radius - st.mm(4.2)
    draw.ellipse([c - inner_r, c - inner_r, c + inner_r, c + inner_r], outline=255,
                 width=max(1, round(st.mm(0.3))))
    text = text.upper()
    text_r = radius - st.mm(2.4)
    pt = 7.5
    font = _font("bold", round(st.px(pt)))
    total = float(font.getlength(text))
    arc = 2 * math.pi * text_r * 0.82
    if total > arc:
        pt *= arc / total
        font = _font("bold", max(4, round(st.px(pt))))
        total = float(font.getlength(text))
    start = -total / text_r / 2  # radians, centred on the top
    pos = 0.0
    glyph_box = int(st.px(pt) * 2) + 4
    for ch in text:
        adv = float(font.getlength(ch))
        theta = start + (pos + adv / 2) / text_r
        pos += adv
        if ch == " ":
            continue
        glyph = Image.new("L", (glyph_box, glyph_box), 0)
        ImageDraw.Draw(glyph).text((glyph_box / 2, glyph_box / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(theta), resample=Image.Resampling.BILINEAR)
        gx = c + text_r * math.sin(theta) - glyph_box / 2
        gy = c - text_r * math.cos(theta) - glyph_box / 2
        mask.paste(255, (int(round(gx)), int(round(gy))), glyph)
    star_r = st.mm(rng.uniform(3.5, 4.5))
    star = []
    for k in range(10):
        r = star_r if k % 2 == 0 else star_r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=255)
    nrng = np.random.default_rng(rng.getrandbits(64))
    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    coarse = nrng.uniform(0.55, 1.0, size=(max(2, size // 24), max(2, size // 24))).astype(np.float32)
    texture = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32)
    alpha *= texture * rng.uniform(0.7, 0.85)
    x0, y0 = int(round(cx - c)), int(round(cy - c))
    x1, y1 = min(x0 + size, st.width), min(y0 + size, st.height)
    x0c, y0c = max(x0, 0), max(y0, 0)
    if x1 <= x0c or y1 <= y0c:
        return
    region = np.asarray(sheet.img.crop((x0c, y0c, x1, y1)), dtype=np.float32)
    cover = alpha[y0c - y0:y1 - y0, x0c - x0:x1 - x0, None]
    ink = np.array(RED_INK, dtype=np.float32) / 255.0
    blended = region * (1.0 - cover * (1.0 - ink))
    sheet.img.paste(Image.fromarray(np.clip(blended + 0.5, 0, 255).astype(np.uint8), "RGB"), (x0c, y0c))


@dataclass
class RenderedDocument:
    """Pages of a rendered document with the text drawn on each page (reading order, one line per line)."""

    pages: list[Image.Image]
    texts: list[str]
    header_bottom: float  # y (px) where the two-column header block of page 1 ends
    body_top: float  # y (px) where the body of page 1 starts (below type name, trích yếu, Kính gửi)
    words: list[str]  # distinctive words of page 1 (title block and body; not numbers, symbols, signer block)


def _lay_all(sheet: _Sheet, paras: Iterable[_Para], pt: float) -> list[_Line]:
    out: list[_Line] = []
    for para in paras:
        out += _lay_para(sheet, para, pt)
    return out


def _draw_attachment(doc: SynthDocument, st: _Style, rng: random.Random) -> list[_Sheet]:
    """The attachment after the signed pages (NĐ 30/2020 Điều 8.3): a "phụ lục", or a "quy định" with its
    own header columns; both cite the document they belong to and carry no "Số:" line and no signer."""
    if not doc.attachment or doc.attachment_pages < 1:
        return []
    sheets = [_Sheet(st)]
    tcx = st.text_center
    cite = f"{doc.document_type} số {doc.number}/{doc.symbol} {vn_date(doc.issued_date)} của {doc.agency.name}"
    writer = _Writer(doc)
    writer.rng = random.Random(rng.getrandbits(32))
    if doc.attachment == "quy định":
        y = _draw_columns(sheets[0], doc, rng) + st.mm(8)
        titles, note = ["QUY ĐỊNH", _cap(doc.topic)], f"(Ban hành kèm theo {cite})"
        paras = [_para("Chương I", "bold", align="center", indent=False),
                 _para("QUY ĐỊNH CHUNG", "bold", align="center", indent=False)]
        paras += [_lead(f"Điều {k}. ", writer.sentence()) for k in range(1, 60)]
    else:
        y = float(st.mt)
        titles, note = ["PHỤ LỤC", f"DANH MỤC NHIỆM VỤ {doc.topic.upper()}"], f"(Kèm theo {cite})"
        paras = [_para(f"{k}. {_cap(writer.clause())}.") for k in range(1, 60)]
    width = 0.8 * (st.text_right - st.text_left)
    for text in titles:
        for wrapped in _wrap(sheets[0], text, "bold", 14, width):
            y, _ = sheets[0].line_c(wrapped, "bold", 14, tcx, y, 1.2)
    for wrapped in _wrap(sheets[0], note, "italic", 13, width):
        y, _ = sheets[0].line_c(wrapped, "italic", 13, tcx, y, 1.2)
    y += st.mm(6)
    bottom = st.height - st.mb
    for line in (ln for para in paras for ln in _lay_para(sheets[-1], para, st.body_pt)):
        if y + line.gap_before + line.height > bottom:
            if len(sheets) == doc.attachment_pages:
                break
            sheets.append(_Sheet(st))
            y = float(st.mt)
        y += line.gap_before
        _draw_line(sheets[-1], line, y)
        y += line.height
    return sheets


def render_with_text(doc: SynthDocument, dpi: int, rng: random.Random) -> RenderedDocument:
    """Render doc as A4 RGB pages at dpi and return them with the text of each page."""
    st = _choose_style(dpi, rng)
    first = _Sheet(st)
    header_bottom, body_top = _draw_header(first, doc, rng)
    closing_h = _closing_height(first, doc)
    opening, units, closing = _Writer(doc).body()
    target = max(1, doc.pages - doc.attachment_pages)
    # Fit the body to exactly doc.pages pages: take a prefix of the middle units (at least one when
    # possible) such that the closing block ends on the last page; compact the text if needed.
    attempts = [(st.body_pt, st.spacing, False), (13.0, 1.15, False), (13.0, 1.15, True)]
    chosen: tuple[list[_Line], _Pagination] | None = None
    second_best: tuple[list[_Line], _Pagination] | None = None
    for body_pt, spacing, drop_optional in attempts:
        st.spacing = spacing
        paras = [p for p in opening if not (drop_optional and p.optional)]
        open_lines = _lay_all(first, paras, body_pt)
        close_lines = _lay_all(first, closing, body_pt)
        good: list[tuple[list[_Line], _Pagination]] = []
        fallback: list[tuple[list[_Line], _Pagination]] = []
        middle: list[_Line] = []
        for k in range(len(units) + 1):
            if k:
                middle = middle + _lay_all(first, units[k - 1], body_pt)
            lines = open_lines + middle + close_lines
            pag = _paginate(lines, body_top, st, closing_h)
            if pag.count > target:
                break
            if pag.count == target:
                (good if k and not pag.closing_alone else fallback).append((lines, pag))
        if good:
            chosen = rng.choice(good[len(good) // 3:] if target > 1 else good)
            break
        if second_best is None and fallback:
            second_best = min(fallback, key=lambda option: option[1].closing_alone)
    if chosen is None:
        lines = open_lines + close_lines
        chosen = second_best or (lines, _paginate(lines, body_top, st, closing_h))
    _, pag = chosen
    sheets = [first] + [_Sheet(st) for _ in range(pag.count - 1)]
    for index, sheet in enumerate(sheets):
        if index:
            sheet.put(str(index + 1), "regular", 13, st.text_center, st.mt * 0.55)
        for y, line in pag.pages[index] if index < len(pag.pages) else []:
            _draw_line(sheet, line, y)
    _draw_closing(sheets[pag.closing_page], doc, pag.closing_y, rng)
    sheets += _draw_attachment(doc, st, rng)
    texts = ["\n".join(sheet.lines) for sheet in sheets]
    return RenderedDocument(pages=[s.img for s in sheets], texts=texts, header_bottom=header_bottom, body_top=body_top,
                            words=_distinctive_words(first.lines[first.title_start:first.closing_start]))


@cache
def _generic_words() -> frozenset[str]:
    """Words of the phrase lists shared by all documents: not distinctive of any one of them."""
    texts = [*_ACTORS, *_ACTIONS, *_OBJECTS, *_TAILS, *_ASSESSMENTS, *(t for _, _, t in _LEGAL_BASES),
             NATIONAL_TITLE, MOTTO, *DOCUMENT_TYPES]
    return frozenset(w.casefold() for t in texts for w in re.findall(r"\w+", nfc(t)))


def _distinctive_words(lines: Sequence[str], count: int = 10) -> list[str]:
    """Up to count words of lines, the least generic and longest first, returned in reading order."""
    seen: set[str] = set()
    candidates: list[tuple[int, str]] = []
    for line in lines:
        words = [w for w in nfc(line).split() if "/" not in w and not any(ch.isdigit() for ch in w)]
        for token in re.findall(r"\w+", " ".join(words)):
            key = token.casefold()
            if len(token) < 4 or not token.isalpha() or key in seen or key in _STOP_WORDS:
                continue
            seen.add(key)
            candidates.append((len(candidates), token))
    generic = _generic_words()
    ranked = sorted(candidates, key=lambda c: (c[1].casefold() in generic, -len(c[1]), c[0]))
    return [token for _, token in sorted(ranked[:count])]


def render_document(doc: SynthDocument, dpi: int, rng: random.Random) -> list[Image.Image]:
    """RGB A4 pages (210 x 297 mm at dpi) of doc laid out per NĐ 30/2020."""
    return render_with_text(doc, dpi, rng).pages


# --------------------------------------------------------------------------------------------------
# Scan effects
# --------------------------------------------------------------------------------------------------


def degrade(page: Image.Image, rng: random.Random, *, skew_deg: float = 0.0, rotate: int = 0,
            border: bool = False) -> Image.Image:
    """Mild scan effects: paper tint, light speckle noise, optional skew, quarter turn and scanner-bed border.

    skew_deg turns the content counter-clockwise (same size, white fill); rotate (0/90/180/270) turns the
    whole page counter-clockwise; border pads 2-5 % dark grey on some sides after the rotation (the image
    grows, as when the scanner bed is larger than the sheet).
    """
    if rotate % 360 not in (0, 90, 180, 270):
        raise ValueError("rotate must be a multiple of 90")
    img = page.convert("RGB")
    if skew_deg:
        src = np.asarray(img)
        h, w = src.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0)  # positive = counter-clockwise
        img = Image.fromarray(cv2.warpAffine(src, matrix, (w, h), flags=cv2.INTER_CUBIC,
                                             borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255)), "RGB")
    tint = (rng.uniform(249, 254), rng.uniform(245, 251), rng.uniform(230, 242))
    img = img.point([min(255, round(i * t / 255)) for t in tint for i in range(256)])
    nrng = np.random.default_rng(rng.getrandbits(64))
    arr = np.array(img)
    h, w = arr.shape[:2]
    flat = arr.reshape(-1, 3)
    count = int(h * w * rng.uniform(0.03, 0.06))
    idx = nrng.integers(0, h * w, size=count)
    noise = nrng.normal(0.0, rng.uniform(5.0, 9.0), size=(count, 1))
    flat[idx] = np.clip(flat[idx].astype(np.float32) + noise + 0.5, 0, 255).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    turn = rotate % 360
    if turn:
        img = img.transpose({90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
                             270: Image.Transpose.ROTATE_270}[turn])
    if border:
        img = _add_border(img, rng, nrng)
    return img


def damage(img: Image.Image, rng: random.Random) -> Image.Image:
    """Harder scan effects for the OCR benchmark: uneven light and yellowing, coffee or water stains, focus
    blur, then JPEG artefacts (the image comes back through a low-quality JPEG)."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = arr.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - rng.uniform(0.05, 0.2) * ((xs / w - rng.random()) ** 2 + (ys / h - rng.random()) ** 2)
    arr *= light[:, :, None] * np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.82, 0.93)], np.float32)
    for _ in range(rng.randint(1, 3)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.04, 0.12) * w
        ring = np.exp(-(((np.hypot(xs - cx, ys - cy) - r) / (0.15 * r)) ** 2))
        fill = (np.hypot(xs - cx, ys - cy) < r) * 0.35 + ring
        arr *= 1.0 - rng.uniform(0.1, 0.25) * np.clip(fill, 0, 1)[:, :, None] * np.array([0.3, 0.6, 1.0], np.float32)
    blurred = cv2.GaussianBlur(np.clip(arr, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.4, 1.1))
    ok, jpeg = cv2.imencode(".jpg", blurred, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(35, 70)])
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else None
    assert decoded is not None
    return Image.fromarray(decoded, "RGB")


def punch(page: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """The sheet with two filing holes (ISO 838: 6 mm across, centres 12 mm in and 80 mm apart, along the left
    edge) showing the scanner's dark lid; apply before ``degrade`` so that they turn with the sheet."""
    img = page.convert("RGB")
    mm = dpi / 25.4
    r, x, mid, lid = 3 * mm, 12 * mm, img.height / 2 + rng.uniform(-5, 5) * mm, rng.randint(20, 70)
    draw = ImageDraw.Draw(img)
    for y in (mid - 40 * mm, mid + 40 * mm):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(lid, lid, lid))
    return img


def speckle(img: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """Photocopier toner specks: a few hundred dark dots 0.1 to 0.3 mm across, anywhere on the page."""
    out = img.convert("RGB")
    draw = ImageDraw.Draw(out)
    mm = dpi / 25.4
    for _ in range(rng.randint(150, 400)):
        x, y, r = rng.uniform(0, out.width), rng.uniform(0, out.height), max(0.5, rng.uniform(0.05, 0.15) * mm)
        tone = rng.randint(0, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(tone, tone, tone))
    return out


def _add_border(img: Image.Image, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h = img.size
    sides = [s for s in ("left", "top", "right", "bottom") if rng.random() < 0.6] or [rng.choice(("left", "top"))]
    pad = {s: 0 for s in ("left", "top", "right", "bottom")}
    for side in sides:
        frac = rng.uniform(0.02, 0.05)
        pad[side] = max(2, round(frac * (w if side in ("left", "right") else h)))
    new_w, new_h = w + pad["left"] + pad["right"], h + pad["top"] + pad["bottom"]
    grey = rng.randint(40, 75)
    base = np.full((new_h, new_w, 3), grey, dtype=np.uint8)
    flat = base.reshape(-1, 3)
    count = new_w * new_h // 8
    idx = nrng.integers(0, new_w * new_h, size=count)
    flat[idx] = np.uint8(grey) + nrng.integers(0, 12, size=(count, 1), dtype=np.uint8)
    canvas = Image.fromarray(base, "RGB")
    canvas.paste(img, (pad["left"], pad["top"]))
    return canvas


# --------------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------------


def _save_image(img: Image.Image, path: Path, fmt: str, dpi: int) -> None:
    if fmt == "png":
        img.save(path, "PNG", dpi=(dpi, dpi))
    elif fmt == "jpg":
        img.save(path, "JPEG", quality=90, dpi=(dpi, dpi))
    elif fmt == "tif":
        img.save(path, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    elif fmt == "tiff":
        img.save(path, "TIFF", compression="jpeg", quality=90, dpi=(dpi, dpi))
    else:
        raise ValueError(fmt)


def _pdf_bytes(images: Sequence[Image.Image], dpi: int, encryption: pikepdf.Encryption | None = None) -> bytes:
    """A PDF with one embedded JPEG per page; page size = pixels / dpi * 72 pt."""
    pdf = pikepdf.new()
    for img in images:
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=90, dpi=(dpi, dpi))
        w, h = img.size
        xobj = pikepdf.Stream(pdf, buf.getvalue())
        xobj["/Type"] = pikepdf.Name.XObject
        xobj["/Subtype"] = pikepdf.Name.Image
        xobj["/Width"] = w
        xobj["/Height"] = h
        xobj["/ColorSpace"] = pikepdf.Name.DeviceRGB
        xobj["/BitsPerComponent"] = 8
        xobj["/Filter"] = pikepdf.Name.DCTDecode
        pw, ph = f"{w * 72 / dpi:.4f}", f"{h * 72 / dpi:.4f}"
        content = pikepdf.Stream(pdf, f"q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, Decimal(pw), Decimal(ph)]),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    if encryption is None:
        pdf.save(out, deterministic_id=True)
    else:
        pdf.save(out, encryption=encryption)
    return out.getvalue()


def _write_multipage_tiff(images: Sequence[Image.Image], path: Path, dpi: int) -> None:
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw", dpi=(dpi, dpi))


@dataclass(eq=False)
class _PagePlan:
    skew: float = 0.0
    rotation: int = 0
    border: bool = False


@dataclass
class _DocPlan:
    doc: SynthDocument
    container: str = "pages"  # pages | tiff | pdf
    pages: list[_PagePlan] = field(default_factory=list)


_DOSSIER_NOTATIONS = ("HC", "TCCB", "VP", "TH", "KT", "VX")
_RETENTIONS = ("Vĩnh viễn", "Vĩnh viễn", "50 năm", "20 năm", "10 năm")
_ACCESS = ("Công khai", "Công khai", "Sử dụng có điều kiện")
_DOSSIER_TITLES = (
    "Hồ sơ về {topic} của {agency} năm {year}",
    "Tập văn bản về {topic} năm {year}",
    "Hồ sơ tổ chức thực hiện {topic} năm {year}",
)


def _file_names(count: int, exts: Sequence[str]) -> list[str]:
    if count >= 10:
        return [f"trang_{i}{ext}" for i, ext in enumerate(exts, start=1)]
    return [f"{i:03d}{ext}" for i, ext in enumerate(exts, start=1)]


def _vary(doc: SynthDocument, rng: random.Random) -> SynthDocument:
    """Give some documents a secrecy stamp or an attachment (the pages it adds are counted in doc.pages), a
    number and day written by hand."""
    # drawn from the document's own seed, so that the batch's other draws stay as they were without it
    doc.hand_filled = random.Random(f"hand {doc.body_seed}").random() < 0.3
    if rng.random() < 0.1:
        doc.secrecy = rng.choice(SECRECY_MARKS)
    if doc.document_type in ("Quyết định", "Kế hoạch", "Báo cáo", "Tờ trình", "Nghị quyết") and rng.random() < 0.35:
        doc.attachment = "quy định" if doc.document_type == "Quyết định" and rng.random() < 0.6 else "phụ lục"
        doc.attachment_pages = rng.randint(1, 2)
        doc.pages += doc.attachment_pages
    return doc


def make_batch(
    batch_dir: Path,
    *,
    dossiers: int = 3,
    docs_per_dossier: tuple[int, int] = (2, 3),
    seed: int = 0,
    hard: bool = False,
    dpi_choices: Sequence[int] = (200, 300),
    natural_sort: bool = True,
    variety: bool = False,
) -> dict[str, Any]:
    """Write a synthetic input batch (DESIGN.md "Input batch contract") and its truth file next to it.

    The first dossier holds one whole document as a multi-page TIFF, the second (or the first when there is
    only one) one whole document as a multi-page PDF. With natural_sort the last dossier gets at least ten
    page files (adding documents beyond docs_per_dossier if needed), named trang_1 … trang_N. With variety
    some documents carry a secrecy stamp or an attachment (phụ lục, or a quy định with its own header), or a
    number and day written by hand.
    """
    batch_dir = Path(batch_dir)
    batch_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    agencies = list(AGENCIES)
    rng.shuffle(agencies)
    lo, hi = docs_per_dossier
    plans: list[dict[str, Any]] = []
    used_codes: set[str] = set()
    for d in range(dossiers):
        agency = agencies[d % len(agencies)]
        year = rng.randint(2015, 2025)
        topic = rng.choice(TOPICS)
        dpi = rng.choice(list(dpi_choices))
        count = rng.randint(lo, hi)
        needs = []
        if d == 0:
            needs.append("tiff")
        if d == min(1, dossiers - 1):
            needs.append("pdf")
        count = max(count, len(needs))
        docs: list[_DocPlan] = []
        for i in range(count):
            container = needs[i] if i < len(needs) else "pages"
            doc_type = None
            if container != "pages":
                doc_type = rng.choice([t for t in agency.types if t != "Giấy mời"])
            doc = random_document(rng, agency=agency, year=year, topic=topic, document_type=doc_type,
                                  pages=rng.randint(2, 3) if container != "pages" else None)
            docs.append(_DocPlan(_vary(doc, rng) if variety else doc, container))
        if natural_sort and d == dossiers - 1:
            while sum(p.doc.pages if p.container == "pages" else 1 for p in docs) < 10:
                doc = random_document(rng, agency=agency, year=year, topic=topic, pages=rng.randint(2, 3))
                docs.append(_DocPlan(_vary(doc, rng) if variety else doc, "pages"))
        order = sorted(range(len(docs)), key=lambda k: (docs[k].doc.issued_date, k))
        docs = [docs[k] for k in order]
        seq = rng.randint(1, 40)
        notation = rng.choice(_DOSSIER_NOTATIONS)
        code = f"{agency.organ_id}.{year}.{seq:02d}.{notation}"
        while code in used_codes:
            seq += 1
            code = f"{agency.organ_id}.{year}.{seq:02d}.{notation}"
        used_codes.add(code)
        title = rng.choice(_DOSSIER_TITLES).format(topic=topic, agency=agency.name, year=year)
        plans.append({"code": code, "title": nfc(title), "dpi": dpi, "agency": agency, "year": year,
                      "docs": docs, "retention": rng.choice(_RETENTIONS), "access": rng.choice(_ACCESS),
                      "shelf": f"Kho {rng.randint(1, 4)}, giá {rng.randint(1, 30)}, hộp {rng.randint(1, 120)}"})

    # Scan effects: decided over the whole batch so that the "hard" extras occur exactly once.
    all_pages: list[_PagePlan] = []
    single: list[_PagePlan] = []
    for plan in plans:
        for dp in plan["docs"]:
            dp.pages = [_PagePlan() for _ in range(dp.doc.pages)]
            all_pages += dp.pages
            if dp.container == "pages":
                single += dp.pages
    limit = 3.0 if hard else 1.0
    for pp in all_pages:
        pp.skew = round(rng.uniform(-limit, limit), 2)
    if hard:
        picks = rng.sample(single, k=min(2, len(single)))
        others = [pp for pp in all_pages if all(pp is not q for q in picks)]
        picks += rng.sample(others, k=min(2 - len(picks), len(others)))
        for pp, turn in zip(picks, (180, 90), strict=False):
            pp.rotation = turn
        for pp in all_pages:
            pp.border = rng.random() < 0.35
        if not any(pp.border for pp in all_pages) and all_pages:
            rng.choice(all_pages).border = True
    elif all_pages and rng.random() < 0.5:
        rng.choice(all_pages).border = True

    truth: dict[str, Any] = {"batch": nfc(batch_dir.name), "seed": seed, "hard": hard, "dossiers": [], "pages": {}}
    formats = ("png", "jpg", "tif", "tiff")
    for plan in plans:
        folder = batch_dir / plan["code"]
        folder.mkdir(exist_ok=True)
        dpi = plan["dpi"]
        exts: list[str] = []
        fmt_cycle = list(formats)
        rng.shuffle(fmt_cycle)
        slot = 0
        slots: list[tuple[_DocPlan, str]] = []
        for dp in plan["docs"]:
            if dp.container == "tiff":
                exts.append(".tif")
                slots.append((dp, "multitiff"))
            elif dp.container == "pdf":
                exts.append(".pdf")
                slots.append((dp, "pdf"))
            else:
                for _ in range(dp.doc.pages):
                    fmt = fmt_cycle[slot % len(fmt_cycle)]
                    slot += 1
                    exts.append({"png": ".png", "jpg": ".jpg", "tif": ".tif", "tiff": ".tiff"}[fmt])
                    slots.append((dp, fmt))
        names = _file_names(len(exts), exts)
        name_iter = iter(zip(names, slots, strict=True))
        dossier_truth: dict[str, Any] = {
            "dossier_code": plan["code"], "title": plan["title"], "dpi": dpi, "fond": plan["agency"].fond,
            "year": plan["year"], "retention": plan["retention"], "access": plan["access"], "documents": [],
        }
        for dp in plan["docs"]:
            rendered = render_with_text(dp.doc, dpi, random.Random(rng.getrandbits(64)))
            if len(rendered.pages) != dp.doc.pages:
                dp.doc.pages = len(rendered.pages)
                dp.pages = (dp.pages + [_PagePlan() for _ in rendered.pages])[: len(rendered.pages)]
            scanned = [degrade(img, rng, skew_deg=pp.skew, rotate=pp.rotation, border=pp.border)
                       for img, pp in zip(rendered.pages, dp.pages, strict=True)]
            sources: list[str] = []
            page_formats: list[str] = []
            if dp.container == "pages":
                for img in scanned:
                    name, (_, fmt) = next(name_iter)
                    _save_image(img, folder / name, fmt, dpi)
                    sources.append(f"{plan['code']}/{name}")
                    page_formats.append(fmt)
            else:
                name, (_, kind) = next(name_iter)
                if kind == "multitiff":
                    _write_multipage_tiff(scanned, folder / name, dpi)
                else:
                    (folder / name).write_bytes(_pdf_bytes(scanned, dpi))
                sources += [f"{plan['code']}/{name}#{n}" for n in range(1, len(scanned) + 1)]
                page_formats += [kind] * len(scanned)
            for source, pp, fmt in zip(sources, dp.pages, page_formats, strict=True):
                truth["pages"][source] = {"status": "delivered", "rotation": pp.rotation, "skew": pp.skew,
                                          "border": pp.border, "format": fmt, "dpi": dpi}
            dossier_truth["documents"].append({"pages": sources, "metadata": dp.doc.metadata(),
                                               "words": rendered.words})
        truth["dossiers"].append(dossier_truth)

    with open(batch_dir / "dossiers.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CATALOGUE_COLUMNS)
        for plan in plans:
            writer.writerow([plan["code"], plan["title"], plan["agency"].fond, plan["year"], plan["retention"],
                             plan["access"], plan["shelf"]])
    _write_truth(batch_dir, truth)
    return truth


def truth_path(batch_dir: Path) -> Path:
    """Where the truth file of a batch lives: next to the batch, outside it."""
    batch_dir = Path(batch_dir)
    return batch_dir.parent / f"{batch_dir.name}.truth.json"


def _write_truth(batch_dir: Path, truth: dict[str, Any]) -> None:
    with open(truth_path(batch_dir), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


# --------------------------------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------------------------------


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_bomb_png(path: Path, size: int = 20000, dpi: int = 300) -> None:
    """A valid all-white greyscale PNG of size x size pixels that stays small on disk.

    The image data are deflated one block of rows at a time; every block is compressed by a fresh raw
    deflate stream ending in a full flush, so the same bytes can be repeated for every block.
    """
    rows_per_block = 500
    row = b"\x00" + b"\xff" * size
    block = row * rows_per_block
    full, rest = divmod(size, rows_per_block)

    def raw(data: bytes) -> bytes:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        return comp.compress(data) + comp.flush(zlib.Z_FULL_FLUSH)

    packed = raw(block)
    parts = [b"\x78\xda"] + [packed] * full
    adler = 1
    for _ in range(full):
        adler = zlib.adler32(block, adler)
    if rest:
        parts.append(raw(row * rest))
        adler = zlib.adler32(row * rest, adler)
    parts.append(b"\x03\x00")  # final empty block (fixed Huffman, end-of-block only)
    parts.append(struct.pack(">I", adler & 0xFFFFFFFF))
    idat = b"".join(parts)
    ppm = round(dpi / 0.0254)
    data = b"\x89PNG\r\n\x1a\n"
    data += _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
    data += _png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    data += _png_chunk(b"IDAT", idat)
    data += _png_chunk(b"IEND", b"")
    Path(path).write_bytes(data)


def _docx_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in (
            ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                                    'openxmlformats.org/package/2006/content-types"/>'),
            ("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><document><p>{text}</p></document>'),
        ):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body.encode("utf-8"))
    return buf.getvalue()


def add_bad_inputs(batch_dir: Path, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Add the dossier BAD.01 (two good pages of one document, one page of a document stamped MẬT, plus
    inputs that must not be delivered),
    a loose file at the batch root and two broken catalogue rows; merge the expectations into the truth file.

    Returns {source: {"status": ..., "reason": ...}} for the bad inputs (see BAD_REASONS). The good pages
    of BAD.01 are recorded in the truth as "delivered" pages like any good page; since BAD.01 holds
    quarantined inputs, the pipeline is expected to hold that dossier for review.
    """
    batch_dir = Path(batch_dir)
    batch_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 1_000_003 + 17)
    folder = batch_dir / "BAD.01"
    folder.mkdir(exist_ok=True)
    dpi = 200
    agency = rng.choice(AGENCIES)
    doc = random_document(rng, agency=agency, pages=2,
                          document_type=rng.choice([t for t in agency.types if t != "Giấy mời"]))
    rendered = render_with_text(doc, dpi, random.Random(rng.getrandbits(64)))
    good_pages: dict[str, dict[str, Any]] = {}
    sources = []
    for index, (img, fmt) in enumerate(zip(rendered.pages, ("png", "jpg", "tif"), strict=False), start=1):
        skew = round(rng.uniform(-1, 1), 2)
        name = f"{index:03d}.{fmt}"
        _save_image(degrade(img, rng, skew_deg=skew), folder / name, fmt, dpi)
        sources.append(f"BAD.01/{name}")
        good_pages[f"BAD.01/{name}"] = {"status": "delivered", "rotation": 0, "skew": skew, "border": False,
                                        "format": fmt, "dpi": dpi}
    first_page = folder / sources[0].split("/", 1)[1]

    (folder / "empty.png").write_bytes(b"")
    other = random_document(rng, document_type="Thông báo", pages=1)
    page = render_document(other, dpi, random.Random(rng.getrandbits(64)))[0]
    buf = io.BytesIO()
    degrade(page, rng).save(buf, "JPEG", quality=90, dpi=(dpi, dpi))
    jpeg = buf.getvalue()
    (folder / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (folder / "not_image.tif").write_bytes(
        "Biên bản bàn giao tài liệu - tệp văn bản, không phải ảnh TIFF.\n".encode() * 40)
    tiny = Image.new("RGB", (120, 80), (250, 248, 240))
    ImageDraw.Draw(tiny).text((6, 30), "Số: 01", font=_font("regular", 18), fill=INK)
    tiny.save(folder / "tiny.png", "PNG", dpi=(300, 300))
    lowres = render_document(other, 100, random.Random(rng.getrandbits(64)))[0]
    degrade(lowres, rng).save(folder / "lowres.jpg", "JPEG", quality=90, dpi=(100, 100))
    small_page = page.resize((page.width // 2, page.height // 2), Image.Resampling.BILINEAR)
    (folder / "secret.pdf").write_bytes(
        _pdf_bytes([small_page], dpi // 2, encryption=pikepdf.Encryption(owner="o", user="u")))
    write_bomb_png(folder / "bomb.png")
    link = folder / "link.png"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink("/etc/hostname", link)
    (folder / "notes.docx").write_bytes(_docx_bytes("Ghi chú của người lập hồ sơ"))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(2048 - 8))
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096 - 8))
    shutil.copyfile(first_page, folder / "copy_of_page.png")
    blank = Image.new("RGB", a4_size(300), (255, 255, 255))
    degrade(blank, rng).save(folder / "zz_blank.png", "PNG", dpi=(300, 300))
    loose = Image.new("RGB", (600, 400), (252, 250, 244))
    ImageDraw.Draw(loose).text((40, 180), "Trang rời", font=_font("regular", 40), fill=INK)
    loose.save(batch_dir / "loose.png", "PNG", dpi=(300, 300))

    # a one-page document stamped MẬT after the good one: described, but withheld from package and output
    secret = random_document(rng, agency=agency, document_type="Công văn", pages=1)
    secret.secrecy = "MẬT"
    secret_page = render_with_text(secret, dpi, random.Random(rng.getrandbits(64)))
    _save_image(degrade(secret_page.pages[0], rng), folder / "004.png", "png", dpi)

    bad: dict[str, dict[str, Any]] = {"BAD.01/004.png": {"status": "quarantined", "reason": "secrecy mark MẬT"}}
    for name, (status, reason) in BAD_REASONS.items():
        bad[f"BAD.01/{name}"] = {"status": status, "reason": reason}
    bad["BAD.01/copy_of_page.png"]["duplicate_of"] = sources[0]
    bad["loose.png"] = {"status": LOOSE_REASON[0], "reason": LOOSE_REASON[1]}

    catalogue = batch_dir / "dossiers.csv"
    rows: list[list[str]] = []
    if catalogue.exists():
        with open(catalogue, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    if not rows:
        rows = [list(CATALOGUE_COLUMNS)]
    codes = {row[0] for row in rows[1:] if row}
    extra = [
        ["BAD.01", nfc(f"Hồ sơ có tệp lỗi về {doc.topic} năm {doc.issued_date.year}"), agency.fond,
         str(doc.issued_date.year), "10 năm", "Công khai", "Kho 1, giá 1, hộp 1"],
        ["MISSING.01", "Hồ sơ không có thư mục", "P_X", "2020", "10 năm", "Công khai", "Kho 1, giá 1, hộp 2"],
        ["../escape", "Hồ sơ có mã trỏ ra ngoài lô", "P_X", "2020", "10 năm", "Công khai", "Kho 1, giá 1, hộp 3"],
    ]
    with open(catalogue, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows(rows + [row for row in extra if row[0] not in codes])

    path = truth_path(batch_dir)
    truth: dict[str, Any]
    if path.exists():
        truth = json.loads(path.read_text(encoding="utf-8"))
    else:
        truth = {"batch": nfc(batch_dir.name), "seed": seed, "dossiers": [], "pages": {}}
    truth["dossiers"] = [d for d in truth["dossiers"] if d["dossier_code"] != "BAD.01"]
    truth["dossiers"].append({
        "dossier_code": "BAD.01", "title": extra[0][1], "dpi": dpi, "fond": agency.fond,
        "year": doc.issued_date.year, "retention": "10 năm", "access": "Công khai",
        "documents": [{"pages": sources, "metadata": doc.metadata(), "words": rendered.words},
                      {"pages": ["BAD.01/004.png"], "metadata": secret.metadata(), "words": secret_page.words}],
    })
    truth["pages"].update(good_pages)
    truth["pages"].update(bad)
    truth["catalogue_problems"] = {"MISSING.01": "folder missing", "../escape": "leaves the batch"}
    _write_truth(batch_dir, truth)
    return bad


# --------------------------------------------------------------------------------------------------
# Command line: python -m sohoa.synth OUT_DIR [--dossiers N] [--seed S] [--hard] [--bad]
# --------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic batch of scanned Vietnamese dossiers.")
    parser.add_argument("batch_dir", type=Path)
    parser.add_argument("--dossiers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hard", action="store_true", help="stronger skew, rotated pages, scanner borders")
    parser.add_argument("--bad", action="store_true", help="also add the BAD.01 dossier and broken inputs")
    parser.add_argument("--dpi", type=int, action="append", help="dpi to choose from (repeatable)")
    parser.add_argument("--variety", action="store_true", help="secrecy stamps and attachments on some documents")
    args = parser.parse_args(argv)
    truth = make_batch(args.batch_dir, dossiers=args.dossiers, seed=args.seed, hard=args.hard,
                       dpi_choices=tuple(args.dpi or (200, 300)), variety=args.variety)
    if args.bad:
        add_bad_inputs(args.batch_dir, seed=args.seed)
    print(f"{args.batch_dir}: {len(truth['dossiers'])} dossiers, truth in {truth_path(args.batch_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
