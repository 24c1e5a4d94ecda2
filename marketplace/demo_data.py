"""The demo marketplace: real place names, fictional people and businesses (a Lục Ngạn cooperative
with its five OCOP products, as in the news the project grew from).

Communes are named by their code in the two-level administrative units in use since
1 July 2025; names and provinces are looked up in the ``vietnam-provinces`` package.
"""

LUC_NGAN = 7582  # Xã Lục Ngạn, tỉnh Bắc Ninh
PHUC_HOA = 7330  # Xã Phúc Hòa, tỉnh Bắc Ninh
XUAN_LOC = 26425  # Xã Xuân Lộc, tỉnh Đồng Nai
# Approximate centres (latitude, longitude), for the map and "near me" in search.
COMMUNE_CENTRES = {
    LUC_NGAN: (21.37720, 106.60530),
    PHUC_HOA: (21.45300, 106.32300),
    XUAN_LOC: (10.93100, 107.39500),
}
BAC_NINH = 24

# Wagtail sites: the platform on 127.0.0.1, a province site, one site per commune.
SITES = [
    {"slug": "bac-ninh", "title": "Chợ OCOP Bắc Ninh", "hostname": "bacninh.localhost", "province": BAC_NINH},
    {
        "slug": "luc-ngan",
        "title": "Chợ OCOP xã Lục Ngạn",
        "hostname": "lucngan.localhost",
        "commune": LUC_NGAN,
        "parent": "bac-ninh",
    },
    {
        "slug": "phuc-hoa",
        "title": "Chợ OCOP xã Phúc Hòa",
        "hostname": "phuchoa.localhost",
        "commune": PHUC_HOA,
        "parent": "bac-ninh",
    },
    {
        "slug": "xuan-loc",
        "title": "Chợ OCOP xã Xuân Lộc",
        "hostname": "xuanloc.localhost",
        "commune": XUAN_LOC,
    },
]

# (slug, name, parent slug or None, name in English)
CATEGORIES = [
    ("trai-cay", "Trái cây", None, "Fruit"),
    ("vai-thieu", "Vải thiều", "trai-cay", "Lychees"),
    ("cam", "Cam", "trai-cay", "Oranges"),
    ("buoi", "Bưởi", "trai-cay", "Pomelos"),
    ("oi", "Ổi", "trai-cay", "Guavas"),
    ("nhan", "Nhãn", "trai-cay", "Longans"),
    ("dac-san", "Đặc sản", None, "Local specialities"),
    ("mat-ong", "Mật ong", "dac-san", "Honey"),
    ("gao", "Gạo", "dac-san", "Rice"),
    ("hat-dieu", "Hạt điều", "dac-san", "Cashew nuts"),
    ("banh", "Bánh", "dac-san", "Cakes"),
]

# Colours of the generated product photos: (background, fruit).
COLOURS = {
    "vai-thieu": ("#fde8e4", "#c0392b"),
    "cam": ("#fff4e0", "#e67e22"),
    "buoi": ("#eef7e6", "#7cb342"),
    "oi": ("#eef8ee", "#9ccc65"),
    "nhan": ("#f6f0e4", "#b08a4a"),
    "mat-ong": ("#fff8e1", "#f2a900"),
    "gao": ("#f5f5f0", "#d8cfa8"),
    "hat-dieu": ("#f8efe6", "#c68b59"),
    "banh": ("#fbf1e6", "#d49a5a"),
}

LYCHEE = [6, 7]
EARLY_LYCHEE = [5, 6]
CITRUS = [10, 11, 12, 1]
GUAVA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
LONGAN = [7, 8]

# Stalls with their products. Product keys: sku, title, category, price (whole đồng),
# stock, unit, season, stars (OCOP), certificate, featured, description.
STALLS = [
    {
        "slug": "htx-luc-ngan-xanh",
        "name": "HTX Nông sản Lục Ngạn Xanh",
        "kind": "cooperative",
        "commune": LUC_NGAN,
        "village": "Thôn Kép 1",
        "story": "Hợp tác xã của 38 hộ trồng vải và cây có múi. Cả 5 sản phẩm OCOP đều có tem "
        "truy xuất nguồn gốc.",
        "products": [
            {
                "sku": "LNX-VAI",
                "title": "Vải thiều Lục Ngạn",
                "category": "vai-thieu",
                "price": 65000,
                "stock": 400,
                "unit": "kg",
                "season": LYCHEE,
                "stars": 4,
                "certificate": "OCOP-BN-2024-0112",
                "featured": True,
                "description": "Vải thiều chín cây, cùi dày, hạt nhỏ, vị ngọt đậm. Hái buổi sáng, giao trong ngày.",
            },
            {
                "sku": "LNX-CAM-LV",
                "title": "Cam lòng vàng",
                "category": "cam",
                "price": 45000,
                "stock": 300,
                "unit": "kg",
                "season": CITRUS,
                "stars": 3,
                "certificate": "OCOP-BN-2024-0113",
                "featured": True,
                "description": "Cam lòng vàng vỏ mỏng, múi vàng óng, nhiều nước.",
            },
            {
                "sku": "LNX-CAM-NG",
                "title": "Cam ngọt Lục Ngạn",
                "category": "cam",
                "price": 40000,
                "stock": 300,
                "unit": "kg",
                "season": CITRUS,
                "stars": 3,
                "certificate": "OCOP-BN-2024-0114",
                "description": "Cam ngọt trồng theo VietGAP, vị ngọt thanh.",
            },
            {
                "sku": "LNX-BUOI-NG",
                "title": "Bưởi ngọt",
                "category": "buoi",
                "price": 55000,
                "stock": 200,
                "unit": "qua",
                "season": CITRUS,
                "stars": 3,
                "certificate": "OCOP-BN-2024-0115",
                "description": "Bưởi ngọt quả to 1,2–1,5 kg, tép giòn.",
            },
            {
                "sku": "LNX-BUOI-DX",
                "title": "Bưởi da xanh",
                "category": "buoi",
                "price": 85000,
                "stock": 150,
                "unit": "qua",
                "season": CITRUS,
                "stars": 3,
                "certificate": "OCOP-BN-2024-0116",
                "featured": True,
                "description": "Bưởi da xanh ruột hồng, ít hạt, thơm.",
            },
        ],
    },
    {
        "slug": "ho-nguyen-van-thanh",
        "name": "Vườn vải nhà ông Thành",
        "kind": "household",
        "commune": LUC_NGAN,
        "village": "Thôn Kép 2",
        "story": "Ba đời trồng vải trên đồi Kép. Gia đình là xã viên HTX Lục Ngạn Xanh.",
        "products": [
            {
                "sku": "NVT-VAI",
                "title": "Vải thiều sấy khô",
                "category": "vai-thieu",
                "price": 180000,
                "stock": 60,
                "unit": "hop",
                "season": LYCHEE,
                "description": "Vải sấy củi nhãn, hộp 1 kg.",
            },
        ],
    },
    {
        "slug": "ho-hoang-thi-lan",
        "name": "Cam bưởi cô Lan",
        "kind": "household",
        "commune": LUC_NGAN,
        "village": "Thôn Đồng Cốc",
        "story": "Vườn cam, bưởi 2 ha trồng theo VietGAP.",
        "products": [
            {
                "sku": "HTL-CAM",
                "title": "Cam Vinh trồng Lục Ngạn",
                "category": "cam",
                "price": 35000,
                "stock": 120,
                "unit": "kg",
                "season": CITRUS,
                "description": "Cam hái tại vườn, đóng thùng 10 kg.",
            },
        ],
    },
    {
        "slug": "ho-trieu-van-minh",
        "name": "Nhà vườn anh Minh",
        "kind": "household",
        "commune": LUC_NGAN,
        "village": "Thôn Mai Hoa",
        "story": "Vải thiều và mật ong hoa vải của gia đình.",
        "products": [
            {
                "sku": "TVM-MAT",
                "title": "Mật ong hoa vải",
                "category": "mat-ong",
                "price": 250000,
                "stock": 40,
                "unit": "chai",
                "season": [4, 5],
                "description": "Mật ong nuôi tại vườn vải, chai 1 lít.",
            },
        ],
    },
    {
        "slug": "sap-cho-luc-ngan",
        "name": "Sạp chợ Lục Ngạn",
        "kind": "shop",
        "commune": LUC_NGAN,
        "village": "Chợ xã",
        "story": "Sạp ở chợ xã bán nông sản của bà con trong xã.",
        "products": [
            {
                "sku": "SCLN-VAI",
                "title": "Vải thiều loại 1",
                "category": "vai-thieu",
                "price": 50000,
                "stock": 80,
                "unit": "kg",
                "season": LYCHEE,
                "description": "Vải thu mua trong ngày từ các hộ trong xã.",
            },
        ],
    },
    {
        "slug": "ho-vai-som-phuc-hoa",
        "name": "Vải sớm nhà bà Hòa",
        "kind": "household",
        "commune": PHUC_HOA,
        "village": "Thôn Phúc Lễ",
        "story": "Vải sớm chín từ đầu tháng 5.",
        "products": [
            {
                "sku": "PH-VAISOM",
                "title": "Vải sớm Phúc Hòa",
                "category": "vai-thieu",
                "price": 70000,
                "stock": 150,
                "unit": "kg",
                "season": EARLY_LYCHEE,
                "stars": 3,
                "certificate": "OCOP-BN-2023-0410",
                "featured": True,
                "description": "Vải sớm vỏ đỏ tươi, vị chua ngọt.",
            },
        ],
    },
    {
        "slug": "ho-oi-phuc-hoa",
        "name": "Ổi nhà anh Dũng",
        "kind": "household",
        "commune": PHUC_HOA,
        "village": "Thôn Đồng Sen",
        "story": "Ổi lê Đài Loan trồng quanh năm.",
        "products": [
            {
                "sku": "PH-OI",
                "title": "Ổi lê Phúc Hòa",
                "category": "oi",
                "price": 25000,
                "stock": 200,
                "unit": "kg",
                "season": GUAVA,
                "description": "Ổi giòn, ngọt, bọc túi từ khi còn nhỏ.",
            },
        ],
    },
    {
        "slug": "ho-nhan-phuc-hoa",
        "name": "Nhãn lồng chị Thu",
        "kind": "household",
        "commune": PHUC_HOA,
        "village": "Thôn Phúc Lộc",
        "story": "Nhãn lồng cùi dày.",
        "products": [
            {
                "sku": "PH-NHAN",
                "title": "Nhãn lồng",
                "category": "nhan",
                "price": 45000,
                "stock": 120,
                "unit": "kg",
                "season": LONGAN,
                "description": "Nhãn lồng cùi dày, hạt nhỏ.",
            },
        ],
    },
    {
        "slug": "ho-mat-ong-phuc-hoa",
        "name": "Mật ong bác Tư",
        "kind": "household",
        "commune": PHUC_HOA,
        "village": "Thôn Hậu",
        "story": "Nuôi ong 20 năm.",
        "products": [
            {
                "sku": "PH-MAT",
                "title": "Mật ong rừng Phúc Hòa",
                "category": "mat-ong",
                "price": 220000,
                "stock": 50,
                "unit": "chai",
                "stars": 3,
                "certificate": "OCOP-BN-2024-0520",
                "description": "Mật ong nguyên chất, chai 500 ml.",
            },
        ],
    },
    {
        "slug": "ho-gao-phuc-hoa",
        "name": "Gạo nếp cô Mai",
        "kind": "household",
        "commune": PHUC_HOA,
        "village": "Thôn Trung",
        "story": "Gạo nếp cái hoa vàng trồng trên ruộng nhà.",
        "products": [
            {
                "sku": "PH-GAO",
                "title": "Gạo nếp cái hoa vàng",
                "category": "gao",
                "price": 38000,
                "stock": 500,
                "unit": "kg",
                "season": [6, 11],
                "description": "Gạo nếp dẻo thơm, túi 5 kg.",
            },
        ],
    },
    {
        "slug": "tap-hoa-co-ba",
        "name": "Tạp hóa Cô Ba",
        "kind": "shop",
        "commune": XUAN_LOC,
        "village": "Ấp Gia Ray 2",
        "story": "Tiệm tạp hóa bán đặc sản địa phương, nhận chuyển khoản VietQR.",
        "products": [
            {
                "sku": "XL-DIEU",
                "title": "Hạt điều rang muối Xuân Lộc",
                "category": "hat-dieu",
                "price": 320000,
                "stock": 70,
                "unit": "hu",
                "stars": 4,
                "certificate": "OCOP-DN-2024-0077",
                "featured": True,
                "description": "Hạt điều rang củi, hũ 500 g.",
            },
        ],
    },
    {
        "slug": "tiem-banh-gia-ray",
        "name": "Tiệm bánh Gia Ray",
        "kind": "shop",
        "commune": XUAN_LOC,
        "village": "Ấp Gia Ray 1",
        "story": "Bánh làm mỗi sáng, thanh toán bằng mã QR.",
        "products": [
            {
                "sku": "XL-BANH",
                "title": "Bánh pía sầu riêng",
                "category": "banh",
                "price": 60000,
                "stock": 90,
                "unit": "hop",
                "description": "Hộp 4 bánh, nhân sầu riêng.",
            },
        ],
    },
]

STAFF_USER = {
    "username": "admin",
    "email": "admin@chocop.vn",
    "password": "ocop-demo-2026",
    "phone": "+84901234500",  # the code after the password goes here (printed by the demo server)
}
SELLER_USER = {
    "username": "nguyenvanthanh",
    "first_name": "Nguyễn Văn Thành",
    "email": "thanh@chocop.vn",
    "password": "ocop-demo-2026",
    "phone": "+84912345678",
    "stall": "ho-nguyen-van-thanh",
}
COOPERATIVE_MANAGER_USER = {
    "username": "htx.lucngan",
    "first_name": "Quản lý HTX Lục Ngạn Xanh",
    "email": "htx.lucngan@chocop.vn",
    "password": "ocop-demo-2026",
    "stall": "htx-luc-ngan-xanh",
}
COMMUNE_STAFF_USER = {
    "username": "canbo.lucngan",
    "first_name": "Cán bộ xã Lục Ngạn",
    "email": "canbo.lucngan@chocop.vn",
    "password": "ocop-demo-2026",
    "commune": LUC_NGAN,
}
PROVINCE_STAFF_USER = {
    "username": "canbo.bacninh",
    "first_name": "Cán bộ tỉnh Bắc Ninh",
    "email": "canbo.bacninh@chocop.vn",
    "password": "ocop-demo-2026",
    "province": BAC_NINH,
}
HELPER_USER = {
    "username": "hotro.lucngan",
    "first_name": "Tổ CNSCĐ Lục Ngạn",
    "email": "hotro.lucngan@chocop.vn",
    "password": "ocop-demo-2026",
    "commune": LUC_NGAN,
}

# Buyers of the demo's past orders (issue #17): each buys from the stalls below and the stall delivers,
# so the products carry reviews and the commune has complaints to settle. The first one signs in by
# phone on the demo (the code is printed by the demo server, as for sellers).
BUYERS = [
    {"name": "Trần Thị Mai", "phone": "+84987654321"},
    {"name": "Lê Văn Hùng", "phone": "+84978111222"},
    {"name": "Phạm Thị Hoa", "phone": "+84965333444"},
    {"name": "Đỗ Minh Tuấn", "phone": "+84936555666"},
]
# (buyer index, stall slug, product title prefix, quantity, payment method, days ago, last step)
PAST_ORDERS = [
    (0, "ho-nguyen-van-thanh", "Vải thiều", 2, "cod", 6, "deliver"),
    (1, "ho-nguyen-van-thanh", "Vải thiều", 1, "vietqr", 5, "deliver"),
    (2, "ho-nguyen-van-thanh", "Vải thiều", 3, "cod", 4, "deliver"),
    (3, "htx-luc-ngan-xanh", "", 1, "cod", 4, "deliver"),
    (0, "htx-luc-ngan-xanh", "", 2, "vietqr", 3, "deliver"),
    (1, "ho-hoang-thi-lan", "", 1, "cod", 3, "deliver"),
    (2, "ho-hoang-thi-lan", "", 2, "cod", 2, "deliver"),
    (3, "ho-trieu-van-minh", "", 1, "cod", 2, "deliver"),
    (0, "ho-trieu-van-minh", "", 1, "vietqr", 2, "deliver"),
    (1, "ho-vai-som-phuc-hoa", "", 1, "cod", 2, "deliver"),
    (2, "ho-mat-ong-phuc-hoa", "", 1, "cod", 1, "deliver"),
    (3, "htx-luc-ngan-xanh", "", 1, "cod", 1, "deliver"),
    (0, "ho-hoang-thi-lan", "", 1, "cod", 0, "ship"),
    (1, "ho-trieu-van-minh", "", 1, "vietqr", 0, None),
]

# Households the commune's digital helper looks after (their consent recorded), and what the helper did
# for them: the demo's "households helped" on /bao-cao/.
HELPED_HOUSEHOLDS = [
    {
        "stall": "ho-hoang-thi-lan",
        "name": "Hoàng Thị Lan",
        "phone": "+84913222333",
        "pickup_point": "Nhà văn hóa thôn Kép 2",
    },
    {
        "stall": "ho-trieu-van-minh",
        "name": "Triệu Văn Minh",
        "phone": "+84914444555",
        "pickup_point": "Nhà văn hóa thôn Mai Hoa",
    },
]
# Where the lychee lot's stamps were scanned, one scan a day going back from today (each by another
# stamp): the demo's "stamps scanned" figures. The last stamp is scanned from many networks and
# regions, the way a copied stamp looks.
SCAN_REGIONS = [
    "Bắc Ninh",
    "Hà Nội",
    "Bắc Ninh",
    "Hà Nội",
    "Hải Phòng",
    "Bắc Ninh",
    "Hà Nội",
    "TP Hồ Chí Minh",
    "Bắc Ninh",
    "Hà Nội",
    "Quảng Ninh",
    "Bắc Ninh",
    "Hà Nội",
    "Đà Nẵng",
]
COPIED_STAMP_REGIONS = ["Hà Nội", "Bắc Ninh", "Lạng Sơn", "TP Hồ Chí Minh", "Cần Thơ", "Hà Nội", "Đà Nẵng"]

# Issue #19: the Lục Ngạn lychee season of 2027 (marketplace/demo_seasons.py). The window opens on the
# day the demo is seeded; the campaign page and the guide sit on the Lục Ngạn commune site.
LYCHEE_WINDOW = {
    "stall": "htx-luc-ngan-xanh",
    "sku": "LNX-VAI",
    "closes_on": "2027-05-31",
    "harvest_from": "2027-06-05",
    "harvest_to": "2027-07-20",
    "capacity": 2000,  # kg
    "price": 60000,  # đồng per kg, pre-ordered (65.000 ₫ in season)
    "deposit_percent": 30,
    "min_per_buyer": 2,
    "max_per_buyer": 50,
}
LYCHEE_CAMPAIGN = {
    "site": "luc-ngan",
    "slug": "mua-vai-thieu-2027",
    "title": "Mùa vải thiều Lục Ngạn 2027",
    "starts_on": "2026-11-01",
    "ends_on": "2027-07-31",
    "intro": "Vải thiều Lục Ngạn chín cây, hái buổi sáng, giao trong ngày. Đặt trước từ hôm nay, "
    "đặt cọc 30 %, phần còn lại trả khi nhận hàng.",
    "text": "<p>Năm nay hợp tác xã và các hộ trồng vải của xã Lục Ngạn nhận đặt trước cho mùa vải "
    "tháng 6–7. Bà con đặt trước để hợp tác xã hái đúng số lượng, không phải bán đổ bán tháo.</p>",
    "caption": "Vải thiều Lục Ngạn vào mùa",
    "countdown_text": "Hái từ ngày 5 tháng 6, giao tận nhà trong 1–2 ngày",
    "voucher_code": "VAI2027",  # marketplace/promotions/demo.py: the lychee stall pays for it
    "voucher_text": "Đặt từ 5 kg (300.000 ₫) được giảm 20.000 ₫, hợp tác xã chịu khoản giảm này",
}
SIGNUP_GUIDE = {
    "site": "luc-ngan",
    "slug": "cach-mo-gian-hang",
    "title": "Cách mở gian hàng trên điện thoại",
    "intro": "<p>Mở gian hàng mất khoảng 10 phút. Cần điện thoại có nhận tin nhắn và ảnh sản phẩm.</p>",
    # (what to do, how): the real sign-up at /ban-hang/dang-ky/ (sellers/views/accounts.py)
    "steps": [
        (
            "Vào trang Bán hàng",
            "<p>Mở trang chợ của xã, bấm <b>Menu</b> rồi <b>Bán hàng</b> (địa chỉ /ban-hang/dang-ky/).</p>",
        ),
        (
            "Nhập số điện thoại di động",
            "<p>Nhập số di động của chủ hộ rồi bấm <b>Gửi mã cho tôi</b>. Không cần mật khẩu.</p>",
        ),
        (
            "Nhập mã 6 số trong tin nhắn",
            "<p>Mã có hạn 5 phút. Sai 5 lần thì phải xin mã mới; mỗi 15 phút xin được 3 lần.</p>",
        ),
        (
            "Điền thông tin gian hàng",
            "<p>Tên gian hàng, loại (hộ gia đình, hợp tác xã hay cửa hàng), thôn, vài dòng giới thiệu, "
            "ngân hàng, số tài khoản và tên chủ tài khoản để nhận tiền chuyển khoản.</p>",
        ),
        (
            "Thêm sản phẩm",
            "<p>Bấm <b>Thêm sản phẩm</b>: chụp ảnh, ghi giá (gõ “65k” cũng được), đơn vị, số lượng, "
            "tháng thu hoạch và số sao OCOP nếu có.</p>",
        ),
        (
            "Nhờ Tổ công nghệ số khi cần",
            "<p>Thành viên Tổ công nghệ số cộng đồng có thể mở gian hàng giúp trên máy của họ. Mã gửi về "
            "điện thoại của hộ; hộ đọc mã để đồng ý. Hộ bấm <b>Dừng hỗ trợ</b> bất cứ lúc nào.</p>",
        ),
        (
            "Gửi xã duyệt",
            "<p>Bấm <b>Gửi xã duyệt</b>. Gian hàng ghi “Chờ xã duyệt”; khi cán bộ xã duyệt xong, hộ nhận "
            "tin nhắn và sản phẩm lên chợ. Nếu xã trả lại, lý do hiện ở trang Bán hàng.</p>",
        ),
    ],
}
