"""The demo LA's procedures: which packs apply, and a first daily run so that cases and tasks open."""

import datetime as dt

from onroll.procedures.run import RunReport, daily_run
from onroll.procedures.services import load_packs
from onroll.schools.models import LocalAuthority

LA_PACK = "achieving-for-children"
# The Catholic primary schools follow their own written procedure, as the seed school does.
CATHOLIC_PRIMARY_PACK = "all-saints-catholic-primary"


def start_procedures(la: LocalAuthority, today: dt.date) -> RunReport:
    load_packs()  # idempotent: adds only versions not stored yet
    la.procedure_pack = LA_PACK
    la.save(update_fields=["procedure_pack", "modified_at"])
    la.schools.filter(name__contains="Catholic Primary").update(procedure_pack=CATHOLIC_PRIMARY_PACK)
    return daily_run(today, la=la)
