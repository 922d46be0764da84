"""Children in the admin: read-only for administrators, and adding a child there is refused (children
are added through doors that search first)."""

from onroll.audit.models import Action, AuditEvent
from onroll.children.models import Child

CHILDREN = "/admin/children/child/"


def test_administrators_list_and_search_children_read_only(login, world):
    client = login(world.users.system_admin)
    response = client.get(CHILDREN, {"q": "Okafor"})
    page = response.content.decode()
    assert response.status_code == 200 and "Amara" in page and "Pryce" not in page
    assert "Add child" not in page and "add_child" not in page


def test_adding_a_child_in_the_admin_is_refused(login, world):
    client = login(world.users.system_admin)
    before = Child.objects.count()
    assert client.get(CHILDREN + "add/").status_code == 403
    response = client.post(
        CHILDREN + "add/",
        {
            "legal_first_name": "Probe",
            "legal_last_name": "Child",
            "date_of_birth": "2015-01-01",
            "la": world.la.pk,
        },
    )
    assert response.status_code == 403 and Child.objects.count() == before


def test_a_child_in_the_admin_cannot_be_changed_or_deleted_and_the_view_is_audited(login, world):
    client = login(world.users.system_admin)
    url = f"{CHILDREN}{world.child.pk}/change/"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Find a child" in page and "search for the child first" in page
    assert 'name="_save"' not in page
    response = client.post(url, {"legal_first_name": "Changed"})
    assert response.status_code == 403
    world.child.refresh_from_db()
    assert world.child.legal_first_name == "Amara"
    assert client.get(f"{CHILDREN}{world.child.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(
        child_id=world.child.pk, action=Action.VIEW, user=world.users.system_admin
    ).exists()


def test_staff_without_the_admin_permission_do_not_see_children_in_the_admin(login, world):
    # A caseworker who somehow has admin access still cannot use it to read the register.
    officer = world.users.cme_officer
    officer.is_staff = True
    officer.save()
    response = login(officer).get(CHILDREN)
    assert response.status_code == 403
