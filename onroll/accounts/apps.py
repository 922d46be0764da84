from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onroll.accounts"
    label = "accounts"
