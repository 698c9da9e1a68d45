from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "yiwang.public"
    verbose_name = "公开服务"
