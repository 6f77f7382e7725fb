from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "opus.knowledge"
    label = "knowledge"
    verbose_name = "Good-practice library"

    def ready(self) -> None:
        from opus.core.demo import DEMO_STEPS
        from opus.knowledge.demo import seed_knowledge

        DEMO_STEPS.append(seed_knowledge)
