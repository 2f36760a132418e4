"""The demo market's product categories (shared by the catalogue and the shops' naming)."""

# Category: (English name, Chinese name, min and max base price in USD).
CATEGORIES: dict[str, tuple[str, str, int, int]] = {
    "headphones": ("Wireless Headphones", "无线耳机", 25, 400),
    "laptops": ("Laptop", "笔记本电脑", 450, 2600),
    "phones": ("Smartphone", "智能手机", 150, 1400),
    "cameras": ("Mirrorless Camera", "微单相机", 400, 2800),
    "monitors": ("Monitor", "显示器", 120, 1200),
    "keyboards": ("Mechanical Keyboard", "机械键盘", 30, 260),
    "speakers": ("Bluetooth Speaker", "蓝牙音箱", 20, 450),
    "watches": ("Smartwatch", "智能手表", 60, 800),
    "tablets": ("Tablet", "平板电脑", 120, 1300),
    "routers": ("Wi-Fi Router", "无线路由器", 25, 450),
}
