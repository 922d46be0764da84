from django.contrib.auth import views as auth_views
from django.urls import path

from .views import attendance, auth, cases, children, referrals, register, tasks, whatif

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
]
