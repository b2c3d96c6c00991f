"""shienapp: 生活支援体制整備事業のための地区台帳・会議・社会資源・ネットワーク形成図アプリ."""

__version__ = "0.1.0"
APP_NAME = "shienapp"
APP_TITLE = "支援アプリ shienapp"
