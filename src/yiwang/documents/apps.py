from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "yiwang.documents"
    verbose_name = "文书"
