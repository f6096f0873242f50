"""The portal's addresses: the customer's pages under /portal/ (namespace ``portal``), and
staff's pages about a customer's access beside the customer's page (``portal_staff``)."""

from django.urls import include, path

from .views import appointments, auth, pages, partner_staff, partners, staff

customer_patterns = [
    path("", pages.home, name="home"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-in/code/", auth.code_request, name="code_request"),
    path("sign-in/code/check/", auth.code_sign_in, name="code_sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("invitation/<str:token>/", auth.invitation, name="invitation"),
    path("orders/", pages.order_list, name="orders"),
    path("orders/<str:ref>/", pages.order_detail, name="order_detail"),
    path("invoices/", pages.invoice_list, name="invoices"),
    path("invoices/<str:ref>/pdf/", pages.invoice_pdf, name="invoice_pdf"),
    path("quotes/", pages.quote_list, name="quotes"),
    path("quotes/<str:ref>/pdf/", pages.quote_pdf, name="quote_pdf"),
    path("quotes/<str:ref>/accept/", pages.quote_accept, name="quote_accept"),
    path("quotes/<str:ref>/decline/", pages.quote_decline, name="quote_decline"),
    path("requests/", pages.ticket_list, name="tickets"),
    path("requests/new/", pages.ticket_create, name="ticket_create"),
    path("requests/<str:ref>/", pages.ticket_detail, name="ticket_detail"),
    path("requests/<str:ref>/reply/", pages.ticket_reply, name="ticket_reply"),
    path("requests/<str:ref>/rate/", pages.ticket_rate, name="ticket_rate"),
    path("help/", pages.knowledge, name="knowledge"),
    path("profile/", pages.profile, name="profile"),
    path("profile/details/", pages.details_save, name="details_save"),
    path("profile/organisation/", pages.organisation_address_save, name="organisation_address_save"),
    path("logo/", pages.logo, name="logo"),
    path("appointments/", appointments.appointment_list, name="appointments"),
    path("appointments/book/", appointments.appointment_book, name="appointment_book"),
    path("appointments/<str:ref>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path("partner/", partners.home, name="partner_home"),
    path("partner/registrations/", partners.registration_list, name="partner_registrations"),
    path("partner/registrations/new/", partners.register, name="partner_register"),
    path("partner/deals/", partners.deal_list, name="partner_deals"),
    path("partner/deals/<str:ref>/", partners.deal_detail, name="partner_deal"),
    path("partner/deals/<str:ref>/update/", partners.deal_update, name="partner_deal_update"),
    path("partner/customers/", partners.customer_list, name="partner_customers"),
    path("partner/customers/<str:ref>/", partners.customer_detail, name="partner_customer"),
    path("partner/commissions/", partners.commission_list, name="partner_commissions"),
    path("partner/prices/", partners.price_list, name="partner_prices"),
]

staff_patterns = [
    path("customers/<id:pk>/portal/invite/", staff.invite, name="invite"),
    path("customers/<id:pk>/portal/revoke/", staff.revoke, name="revoke"),
    path("portal-changes/", staff.change_list, name="changes"),
    path("portal-changes/<id:pk>/approve/", staff.change_approve, name="change_approve"),
    path("portal-changes/<id:pk>/reject/", staff.change_reject, name="change_reject"),
    path("portal-booking/", appointments.booking_list, name="booking_list"),
    path("portal-booking/<id:pk>/", appointments.booking_edit, name="booking_edit"),
]

# The channel manager's pages (namespace ``partners``).
partner_staff_patterns = [
    path("", partner_staff.ranking, name="ranking"),
    path("registrations/", partner_staff.registration_list, name="registrations"),
    path("registrations/<id:pk>/approve/", partner_staff.registration_approve, name="registration_approve"),
    path("registrations/<id:pk>/reject/", partner_staff.registration_reject, name="registration_reject"),
    path("<id:pk>/", partner_staff.partner_detail, name="partner"),
    path("<id:pk>/targets/", partner_staff.target_set, name="target_set"),
    path("<id:pk>/users/invite/", partner_staff.user_invite, name="user_invite"),
    path("<id:pk>/users/<id:account_id>/remove/", partner_staff.user_remove, name="user_remove"),
    path("organisations/<id:pk>/", partner_staff.partner_mark, name="mark"),
]

urlpatterns = [
    path("portal/", include((customer_patterns, "portal"))),
    path("", include((staff_patterns, "portal_staff"))),
    path("partners/", include((partner_staff_patterns, "partners"))),
]
