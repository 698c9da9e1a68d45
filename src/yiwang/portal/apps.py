from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "yiwang.portal"
    verbose_name = "申请人端"
