"""Words of the generator: topics, trích yếu templates, people's names, legal bases and the phrases of
the body text."""

from __future__ import annotations

from sohoa.vocab import nfc

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

