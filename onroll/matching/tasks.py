"""The duplicates batch job as a background task in the database worker (`manage.py db_worker`)."""

from django_tasks import task

from onroll.schools.models import LocalAuthority

from .duplicates import find_duplicates


@task()
def find_duplicates_task(la_code: str) -> dict:
    report = find_duplicates(LocalAuthority.objects.get(code=la_code))
    return {
        "la": la_code,
        "children": report.children,
        "compared": report.compared,
        "found": report.found,
        "new": report.new,
    }
