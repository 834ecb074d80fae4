"""Realistic Vietnamese names for sample people, drawn deterministically."""

from __future__ import annotations

import random

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Tạ", "Cao", "Châu", "Lương", "Quách", "Âu")
FAMILY_WEIGHTS = (38, 11, 9, 7, 5, 4, 4, 4, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Đình", "Xuân", "Ngọc", "Trọng", "Anh")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Bích", "Phương", "Thùy", "Diệu", "Ánh")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khoa", "Long", "Minh", "Nam",
              "Phong", "Quang", "Sơn", "Tâm", "Thắng", "Tiến", "Trung", "Tuấn", "Việt", "Vinh", "Vĩnh", "Hiếu",
              "Lộc", "Phúc", "Toàn", "Khánh", "Đông", "Ẩn", "Ưng", "Ơn")
GIVEN_FEMALE = ("Anh", "Ánh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan",
                "Linh", "Mai", "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Trang",
                "Trinh", "Uyên", "Vân", "Yến", "Loan", "Diệp", "Ngân", "Ấu", "Ý")


def random_name(rng: random.Random) -> str:
    family = rng.choices(FAMILY, weights=FAMILY_WEIGHTS)[0]
    if rng.random() < 0.5:
        middle, given = rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE)
    else:
        middle, given = rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE)
    if rng.random() < 0.15:  # some people carry two middle names
        middle = f"{middle} {rng.choice(MIDDLE_MALE + MIDDLE_FEMALE)}"
    return f"{family} {middle} {given}"
