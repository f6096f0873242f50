from django.urls import path, re_path

from .views import contacts, imports, memberships, notes, parties, trash

KIND = r"(?P<kind>person|organisation)"

urlpatterns = [
    path("customers/search/", parties.party_search, name="party_search"),
    path("customers/<id:pk>/", parties.party_detail, name="party_detail"),
    path("customers/<id:pk>/edit/", parties.party_edit, name="party_edit"),
    path("customers/<id:pk>/delete/", parties.party_delete, name="party_delete"),
    path("customers/<id:pk>/merge/", parties.party_merge, name="party_merge"),
    path("customers/<id:pk>/contacts/new/", contacts.contact_add, name="contact_add"),
    path("customers/<id:pk>/organisations/new/", memberships.membership_add, name="membership_add"),
    path("customers/<id:pk>/notes/new/", notes.note_add, name="note_add"),
    path("contacts/<id:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<id:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("memberships/<id:pk>/delete/", memberships.membership_remove, name="membership_remove"),
    path("notes/<id:pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<id:pk>/delete/", notes.note_delete, name="note_delete"),
    path("admin/trash/", trash.trash, name="trash"),
    path("admin/trash/<id:pk>/restore/", trash.trash_restore, name="trash_restore"),
    # The kinds are registered by the apps (selectors.trash.TRASH_KINDS); an unknown one is a 404.
    re_path(
        r"^admin/trash/(?P<kind>[a-z_]{1,40})/(?P<pk>[0-9]{1,18})/restore/$",
        trash.trash_record_restore,
        name="trash_record_restore",
    ),
    re_path(rf"^{KIND}/$", parties.party_list, name="party_list"),
    re_path(rf"^{KIND}/new/$", parties.party_create, name="party_create"),
    re_path(rf"^{KIND}/bulk/$", parties.party_bulk, name="party_bulk"),
    re_path(rf"^{KIND}/export\.(?P<file_format>csv|xlsx)$", parties.party_export, name="party_export"),
    re_path(rf"^{KIND}/import/$", imports.import_start_page, name="import_start"),
    path("imports/<id:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<id:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<id:pk>/problems.csv", imports.import_issues, name="import_issues"),
    path("imports/<id:pk>/undo/", imports.import_undo, name="import_undo"),
    path("imports/<id:pk>/cancel/", imports.import_cancel, name="import_cancel"),
]
