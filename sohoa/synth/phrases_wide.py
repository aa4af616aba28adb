"""Words of the wide variety: topics of 1975–2010, trích yếu of every NĐ 30/2020 document type, long
trích yếu, and the legal bases quoted before 2011."""

from __future__ import annotations

OLD_TOPICS: tuple[str, ...] = (  # before 2000
    "công tác thu thuế nông nghiệp",
    "phong trào thi đua lao động sản xuất",
    "công tác phòng, chống lụt bão",
    "công tác tuyển quân",
    "kê khai, đăng ký ruộng đất",
    "phổ cập giáo dục tiểu học",
    "công tác bảo vệ tài liệu lưu trữ",
    "chương trình xóa đói, giảm nghèo",
    "công tác tổ chức cán bộ",
    "quản lý thị trường, chống đầu cơ buôn lậu",
)
MIDDLE_TOPICS: tuple[str, ...] = (  # 2000–2014: the generator's topics without the digital ones
    "công tác văn thư, lưu trữ",
    "cải cách hành chính",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "tuyển dụng công chức",
    "phòng, chống tham nhũng",
    "bảo đảm vệ sinh an toàn thực phẩm",
    "xây dựng nông thôn mới",
    "thi đua, khen thưởng",
    "quản lý ngân sách nhà nước",
    "phòng cháy, chữa cháy",
    "tiếp công dân, giải quyết khiếu nại, tố cáo",
)

# trích yếu of the document types the default generator does not draw; "{topic}", "{year}" as in phrases
WIDE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Công điện": ("Về việc chủ động ứng phó với cơn bão số {n}", "Về việc tăng cường {topic}",
                  "Về việc triển khai khẩn cấp các biện pháp {topic}"),
    "Hướng dẫn": ("Thực hiện {topic} năm {year}", "Về việc triển khai {topic}",
                  "Tổ chức thực hiện {topic} trên địa bàn"),
    "Chương trình": ("Công tác năm {year}", "Hành động thực hiện {topic} giai đoạn {year} - {year5}",
                     "Thực hành tiết kiệm, chống lãng phí năm {year}"),
    "Phương án": ("Tổ chức {topic} năm {year}", "Ứng phó sự cố trong {topic}",
                  "Sắp xếp, bố trí cán bộ thực hiện {topic}"),
    "Đề án": ("Nâng cao hiệu quả {topic} giai đoạn {year} - {year5}", "Đổi mới {topic}"),
    "Biên bản": ("Họp triển khai {topic}", "Hội nghị sơ kết {topic} năm {year}",
                 "Kiểm tra {topic} tại cơ quan", "Bàn giao tài liệu về {topic}"),
    "Giấy ủy quyền": ("Về việc ký các văn bản thuộc lĩnh vực {topic}",),
    "Phiếu chuyển": ("Chuyển đơn đề nghị về {topic}", "Chuyển hồ sơ về {topic}"),
    "Thông tri": ("Về việc tổ chức thực hiện {topic}", "Về việc đẩy mạnh {topic}"),
}
# document types printed without any trích yếu (Mẫu 1.8, 1.10): the truth subject is null
NO_SUBJECT = frozenset({"Giấy giới thiệu", "Giấy nghỉ phép"})

# short and middling trích yếu of công văn, so that the V/v block under the number takes 1 to 4 lines
CV_SUBJECTS: tuple[str, ...] = (
    "V/v cử cán bộ dự tập huấn",
    "V/v góp ý dự thảo văn bản",
    "V/v báo cáo số liệu năm {year}",
    "V/v đăng ký thi đua năm {year}",
    "V/v xin ý kiến về {topic}",
    "V/v mời họp bàn về {topic}",
    "V/v chấn chỉnh {topic}",
    "V/v triển khai {topic} năm {year}",
    "V/v báo cáo kết quả thực hiện {topic}",
    "V/v đôn đốc thực hiện {topic}",
    "V/v góp ý dự thảo Quy chế {topic}",
    "V/v tăng cường {topic}",
    "V/v đề nghị bổ sung kinh phí thực hiện {topic} năm {year}",
    "V/v hướng dẫn lập hồ sơ và nộp lưu tài liệu về {topic}",
)

# what makes a trích yếu long: a qualifier, a place, the instrument it carries out (one to three of them)
LONG_TAILS: tuple[str, ...] = (
    "trên địa bàn {where}",
    "giai đoạn {year} - {year5} và định hướng đến năm {year10}",
    "theo Kết luận của lãnh đạo {who} tại cuộc họp ngày {day} tháng {month} năm {year}",
    "đối với các cơ quan, đơn vị, địa phương và cán bộ, công chức, viên chức thuộc phạm vi quản lý",
    "và các năm tiếp theo",
    "thuộc nguồn vốn ngân sách nhà nước năm {year}",
    "(lần thứ {n})",
)

# (first year, last year, text) of legal bases quoted before 2011 (the laws and ordinances named there)
OLD_LEGAL_BASES: tuple[tuple[int, int, str], ...] = (
    (1983, 1989, "Căn cứ Luật Tổ chức Hội đồng nhân dân và Uỷ ban nhân dân ngày 30 tháng 6 năm 1983"),
    (1989, 1994, "Căn cứ Luật Tổ chức Hội đồng nhân dân và Uỷ ban nhân dân ngày 30 tháng 6 năm 1989"),
    (1994, 2004, "Căn cứ Luật Tổ chức Hội đồng nhân dân và Uỷ ban nhân dân (sửa đổi) ngày 21 tháng 6 năm 1994"),
    (1982, 2001, "Căn cứ Pháp lệnh Bảo vệ tài liệu lưu trữ quốc gia ngày 11 tháng 12 năm 1982"),
    (2001, 2011, "Căn cứ Pháp lệnh Lưu trữ quốc gia ngày 04 tháng 4 năm 2001"),
)

# placed before the type name on pre-2005 decisions, e.g. "QUYẾT ĐỊNH CỦA UỶ BAN NHÂN DÂN TỈNH HẬU GIANG"
ISSUER_SUFFIX = "CỦA {issuer}"

# the rule under the agency name and under the motto, drawn or typed
TYPED_RULES: dict[str, str] = {"dashes": "-------------", "stars": "* * *", "oOo": "---oOo---"}
