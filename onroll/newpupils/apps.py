from django.apps import AppConfig


class NewPupilsConfig(AppConfig):
    name = "onroll.newpupils"
    label = "newpupils"
    verbose_name = "New pupil returns"
