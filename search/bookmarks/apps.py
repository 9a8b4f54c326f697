from django.apps import AppConfig


class BookmarksConfig(AppConfig):
    name = "search.bookmarks"
    label = "bookmarks"
    verbose_name = "Accounts and bookmarks"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from .accounts import throttled_admin_login
        from .forms import ThrottledAdminAuthenticationForm
        from .signals import clear_login_failures

        # The admin's sign-in page is a second door: it gets the same throttle.
        admin.site.login_form = ThrottledAdminAuthenticationForm
        admin.site.login = throttled_admin_login(admin.site.login)
        user_logged_in.connect(clear_login_failures, dispatch_uid="bookmarks.clear_login_failures")
