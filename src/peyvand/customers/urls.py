from django.urls import path, re_path

from . import import_views, views
from .selectors import TRASH_KINDS

urlpatterns = [
    path("customers/search/", views.party_search, name="party_search"),
    path("customers/<id:pk>/", views.party_detail, name="party_detail"),
    path("customers/<id:pk>/edit/", views.party_edit, name="party_edit"),
    path("customers/<id:pk>/delete/", views.party_delete, name="party_delete"),
    path("customers/<id:pk>/merge/", views.party_merge, name="party_merge"),
    path("customers/<id:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("customers/<id:pk>/organisations/new/", views.membership_add, name="membership_add"),
    path("customers/<id:pk>/notes/new/", views.note_add, name="note_add"),
    path("contacts/<id:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<id:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("memberships/<id:pk>/delete/", views.membership_remove, name="membership_remove"),
    path("notes/<id:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<id:pk>/delete/", views.note_delete, name="note_delete"),
    path("admin/trash/", views.trash, name="trash"),
    path("admin/trash/<id:pk>/restore/", views.trash_restore, name="trash_restore"),
    re_path(
        rf"^admin/trash/(?P<kind>{'|'.join(TRASH_KINDS)})/(?P<pk>[0-9]{{1,18}})/restore/$",
        views.trash_record_restore,
        name="trash_record_restore",
    ),
    re_path(r"^(?P<kind>person|organisation)/$", views.party_list, name="party_list"),
    re_path(r"^(?P<kind>person|organisation)/new/$", views.party_create, name="party_create"),
    re_path(r"^(?P<kind>person|organisation)/bulk/$", views.party_bulk, name="party_bulk"),
    re_path(
        r"^(?P<kind>person|organisation)/export\.(?P<file_format>csv|xlsx)$",
        views.party_export,
        name="party_export",
    ),
    re_path(r"^(?P<kind>person|organisation)/import/$", import_views.import_start_page, name="import_start"),
    path("imports/<id:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<id:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<id:pk>/problems.csv", import_views.import_issues, name="import_issues"),
    path("imports/<id:pk>/undo/", import_views.import_undo, name="import_undo"),
    path("imports/<id:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
]
