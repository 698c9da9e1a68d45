from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "yiwang.organizations"
    verbose_name = "组织机构"
