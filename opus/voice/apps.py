from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "opus.voice"
    label = "voice"
    verbose_name = "Voice and accountability"
