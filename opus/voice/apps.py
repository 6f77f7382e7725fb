from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "opus.voice"
    label = "voice"
    verbose_name = "Voice and accountability"

    def ready(self) -> None:
        from opus.core.demo import DEMO_STEPS
        from opus.voice.demo_complaints import seed_complaints
        from opus.voice.demo_consultations import seed_consultations
        from opus.voice.demo_feedback import seed_feedback

        DEMO_STEPS.append(seed_complaints)
        DEMO_STEPS.append(seed_feedback)  # after budgets: Rosa's delivered bookings
        DEMO_STEPS.append(seed_consultations)  # after commissioning: the plan's decisions
