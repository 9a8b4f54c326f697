from django.contrib import admin

from .models import LoginAttempt


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins the throttle counts. Deleting a user's rows lifts their lockout at once."""

    list_display = ["username", "ip", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["username", "ip"]
    ordering = ["-created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
