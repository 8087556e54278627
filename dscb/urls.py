from __future__ import annotations

from allauth.account import views as account_views
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from django.urls import include, path, re_path

from dscb import health, people_views, reference_views, views

# Only the allauth pages this service uses: no sign-up, no email management. The
# password pages answer "not used here" when LOCAL_PASSWORDS is off (views.local_passwords).
account_patterns = [
    path("login/", views.local_passwords(account_views.login, get_allowed=True), name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", views.local_passwords(account_views.password_change), name="account_change_password"),
    path("password/set/", views.local_passwords(account_views.password_set), name="account_set_password"),
    path("password/reset/", views.local_passwords(account_views.password_reset), name="account_reset_password"),
    path(
        "password/reset/done/",
        views.local_passwords(account_views.password_reset_done),
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.local_passwords(account_views.password_reset_from_key),
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        views.local_passwords(account_views.password_reset_from_key_done),
        name="account_reset_password_from_key_done",
    ),
    path("mfa/", include("allauth.mfa.urls")),
    # The organisation's identity provider (OpenID Connect): start, and come back. Both
    # answer 404 while OIDC_ISSUER is empty, as there is then no provider to find.
    re_path(
        r"^oidc/(?P<provider_id>[^/]+)/login/$",
        views.provider_unreachable_answered(openid_connect_views.login),
        name="openid_connect_login",
    ),
    re_path(
        r"^oidc/(?P<provider_id>[^/]+)/login/callback/$",
        views.provider_unreachable_answered(openid_connect_views.callback),
        name="openid_connect_callback",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("accounts/", include(account_patterns)),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("print.css", views.print_styles, name="print_styles"),
    path("health/", health.health, name="health"),
    path("health/server/", health.server_health, name="health_server"),
    path("security-events/", views.security_events, name="security_events"),
    path("security-events.<listkind:kind>", views.security_events_download, name="security_events_download"),
    path("administration/", people_views.administration, name="administration"),
    path("administration/people/", people_views.people, name="people"),
    path("administration/people/invite/", people_views.person_invite, name="person_invite"),
    path("administration/people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("administration/people/<int:pk>/change/", people_views.person_change, name="person_change"),
    path("administration/people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("administration/people/<int:pk>/reactivate/", people_views.person_reactivate, name="person_reactivate"),
    path(
        "administration/people/<int:pk>/reset-authenticator/",
        people_views.person_authenticator_reset,
        name="person_authenticator_reset",
    ),
    path("administration/reference-data/", reference_views.reference_data, name="reference_data"),
    path("administration/reference-data/<slug:kind>/", reference_views.reference_data_list, name="reference_data_list"),
    path(
        "administration/reference-data/<slug:kind>/add/", reference_views.reference_data_add, name="reference_data_add"
    ),
    path(
        "administration/reference-data/<slug:kind>/<int:pk>/",
        reference_views.reference_data_change,
        name="reference_data_change",
    ),
    path("audits/", include("audits.urls")),
    path("action-plan/", include("recommendations.urls")),
    path("", include("reports.urls")),
]

handler400 = "dscb.views.bad_request"
handler403 = "dscb.views.permission_denied"
handler404 = "dscb.views.page_not_found"
handler500 = "dscb.views.server_error"
