"""Storing procedure pack versions (the database side of packs.py)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import ProcedurePackVersion
from .packs import Pack, read_pack_dir

PACK_DIR = Path(settings.BASE_DIR) / "procedure_packs"


class PackVersionConflict(ValueError):
    pass


@dataclass(frozen=True)
class StoreResult:
    added: list[Pack]
    unchanged: list[Pack]


def store_packs(packs: list[Pack]) -> StoreResult:
    """Store each pack version not stored yet; all or nothing.

    A pack whose id and version are stored with the same content hash is unchanged (nothing happens); one
    whose content differs under a stored version number is refused (PackVersionConflict, naming every such
    file): the author must bump `version`.
    """
    stored = {
        (row.pack_id, row.version): row.content_hash
        for row in ProcedurePackVersion.objects.filter(pack_id__in=[p.id for p in packs])
    }
    added, unchanged, conflicts = [], [], []
    for pack in packs:
        existing = stored.get((pack.id, pack.version))
        if existing is None:
            added.append(pack)
        elif existing == pack.content_hash:
            unchanged.append(pack)
        else:
            conflicts.append(
                f"{pack.filename}: pack '{pack.id}' version {pack.version} is already loaded with different "
                f"content; bump 'version' (to {pack.version + 1} or later) to load the change"
            )
    if conflicts:
        raise PackVersionConflict("\n".join(conflicts))
    with transaction.atomic():
        ProcedurePackVersion.objects.bulk_create(
            ProcedurePackVersion(
                pack_id=p.id,
                version=p.version,
                name=p.name,
                content_hash=p.content_hash,
                content=p.content,
                source_file=p.filename,
            )
            for p in added
        )
    return StoreResult(added=added, unchanged=unchanged)


def load_packs(directory: Path = PACK_DIR) -> StoreResult:
    """Read, validate and store every pack in a folder (PackError or PackVersionConflict if any is wrong)."""
    return store_packs(read_pack_dir(directory))
