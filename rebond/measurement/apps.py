from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "rebond.measurement"
    label = "measurement"
    verbose_name = "Measurement-based care"

    def ready(self) -> None:
        # The steps that follow every stored submission, in its transaction (alerts, then the
        # progress signal): named in measurement/after_submission.py, run by assessments.
        from rebond.assessments import after_submission as hook
        from rebond.measurement.after_submission import STEPS

        hook.install(STEPS)
