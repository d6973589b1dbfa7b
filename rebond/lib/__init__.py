"""Small Django-aware helpers shared by the apps. No models live here."""
