from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import attendance, auth, cases, children, referrals, register, tasks, transfers, whatif
from .views import matching as matching_views
from .views import registers as registers_views
from .views import roll as roll_views

app_name = "web"

urlpatterns = [
    path("", auth.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", register.register, name="register"),
    path("my-cases/", register.my_cases, name="my_cases"),
    path("my-tasks/", tasks.my_tasks, name="my_tasks"),
    path("tasks/<uuid:task_id>/", tasks.task_detail, name="task"),
    path("referrals/new/", referrals.new_referral, name="new_referral"),
    path("children/find/", matching_views.find_child, name="find_child"),
    path("duplicates/", matching_views.duplicates, name="duplicates"),
    path("duplicates/<uuid:pair_id>/", matching_views.decide_pair, name="decide_duplicate"),
    path("merges/<uuid:merge_id>/undo/", matching_views.undo_merge, name="undo_merge"),
    path("attendance/import/", attendance.import_attendance, name="import_attendance"),
    path("children/<uuid:child_id>/", children.child_detail, name="child"),
    path("children/<uuid:child_id>/audit/", children.child_audit, name="child_audit"),
    path("children/<uuid:child_id>/what-if/", whatif.what_if, name="what_if"),
    path("children/<uuid:child_id>/edit/", children.edit_child, name="edit_child"),
    path("children/<uuid:child_id>/enrolments/new/", children.add_enrolment, name="add_enrolment"),
    path("children/<uuid:child_id>/addresses/new/", children.add_address, name="add_address"),
    path("children/<uuid:child_id>/contacts/new/", children.add_contact, name="add_contact"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="case"),
    path("cases/<uuid:case_id>/notes/new/", cases.add_note, name="add_note"),
    path("cases/<uuid:case_id>/contact-attempts/new/", cases.record_contact, name="record_contact"),
    path("cases/<uuid:case_id>/status/", cases.change_status, name="change_status"),
    path("cases/<uuid:case_id>/close/", cases.close_case, name="close_case"),
    path("cases/<uuid:case_id>/edit/", cases.edit_case, name="edit_case"),
    # Reasonable enquiries and removal from roll (onroll/roll).
    path("cases/<uuid:case_id>/enquiries/new/", roll_views.record_enquiry, name="record_enquiry"),
    path("children/<uuid:child_id>/removal/new/", roll_views.propose, name="propose_removal"),
    path("removals/", roll_views.removals, name="removals"),
    path("removals/<uuid:proposal_id>/", roll_views.proposal_detail, name="removal"),
    path("removals/<uuid:proposal_id>/declare/", roll_views.declare, name="declare_removal"),
    path("removals/<uuid:proposal_id>/decision/", roll_views.decide, name="decide_removal"),
    path("removals/<uuid:proposal_id>/delete/", roll_views.delete, name="delete_from_roll"),
    path("removals/<uuid:proposal_id>/withdraw/", roll_views.withdraw, name="withdraw_removal"),
    path("removals/<uuid:proposal_id>/return/", roll_views.deletion_return, name="deletion_return"),
    path(
        "children/<uuid:child_id>/exclusions/new/", registers_views.record_exclusion, name="record_exclusion"
    ),
    path("children/<uuid:child_id>/home-education/new/", registers_views.add_ehe, name="add_ehe"),
    path("children/<uuid:child_id>/not-in-school/new/", registers_views.add_cnis, name="add_cnis"),
    path("registers/home-education/", registers_views.ehe_register, name="ehe_register"),
    path("registers/home-education/<uuid:registration_id>/", registers_views.ehe_entry, name="ehe_entry"),
    path("registers/home-education/<uuid:registration_id>/edit/", registers_views.edit_ehe, name="edit_ehe"),
    path(
        "registers/home-education/<uuid:registration_id>/reviews/new/",
        registers_views.record_review,
        name="record_review",
    ),
    path("registers/not-in-school/", registers_views.cnis_register, name="cnis_register"),
    path("registers/not-in-school/<uuid:entry_id>/", registers_views.cnis_entry, name="cnis_entry"),
    path("registers/not-in-school/<uuid:entry_id>/edit/", registers_views.edit_cnis, name="edit_cnis"),
    # Common Transfer Files and moves between LAs (onroll/transfers)
    path("ctf/import/", transfers.import_ctf, name="import_ctf"),
    path("ctf/held/<uuid:held_id>/", transfers.ctf_review, name="ctf_review"),
    path("ctf/held/<uuid:held_id>/abandon/", transfers.ctf_abandon, name="ctf_abandon"),
    path("ctf/<uuid:ctf_id>/download/", transfers.download_ctf, name="download_ctf"),
    path("children/<uuid:child_id>/ctf/", transfers.child_ctf, name="child_ctf"),
    path("cases/<uuid:case_id>/moves/", transfers.case_moves, name="case_moves"),
    path("cases/<uuid:case_id>/moves/new/", transfers.record_move, name="record_move"),
    path("moves/<uuid:move_id>/notification/", transfers.move_notification, name="move_notification"),
    path("moves/<uuid:move_id>/notified/", transfers.move_notified, name="move_notified"),
    path("moves/<uuid:move_id>/confirm/", transfers.confirm_move, name="confirm_move"),
    path("arrivals/", transfers.arrivals, name="arrivals"),
    path("arrivals/new/", transfers.new_arrival, name="new_arrival"),
    path("arrivals/<uuid:notice_id>/", transfers.arrival, name="arrival"),
    path("arrivals/<uuid:notice_id>/link/", transfers.link_arrival, name="link_arrival"),
    path("arrivals/<uuid:notice_id>/case/", transfers.arrival_case, name="arrival_case"),
    path("", include("onroll.newpupils.urls")),
]
