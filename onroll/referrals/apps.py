from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "onroll.referrals"
    label = "referrals"
