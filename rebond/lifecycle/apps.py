from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "rebond.lifecycle"
    label = "lifecycle"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        # `rebond restore` (rebond/crypto, a lower layer) hands back erased partners that an
        # older backup brought back; erasing them again is this app's work.
        from rebond.crypto.subjects import erased_partners_present
        from rebond.lifecycle.erasure import erase_restored_partners

        erased_partners_present.connect(erase_restored_partners, dispatch_uid="lifecycle")
