"""Train the matching model without labels and write the versioned model file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from onroll.children.models import Child
from onroll.matching import scoring
from onroll.matching.profiles import profiles_for
from onroll.matching.synthetic import generate, profile_of
from onroll.matching.training import TrainingError, train


class Command(BaseCommand):
    help = "Train the matching model on the register (or on synthetic children) and write the model file."

    def add_arguments(self, parser):
        parser.add_argument("--synthetic", type=int, default=0, help="train on this many synthetic children")
        parser.add_argument("--seed", type=int, default=3)
        parser.add_argument("--threshold", type=float, default=0.9)
        parser.add_argument("--out", default=str(scoring.MODEL_FILE))

    def handle(self, *args, **opts):
        if opts["synthetic"]:
            records = generate(opts["synthetic"], seed=opts["seed"])
            profiles = [profile_of(r, with_upn=False) for r in records]
            note = f" (synthetic children, seed {opts['seed']}, UPNs left out)"
        else:
            profiles = list(profiles_for(Child.objects.values("pk")).values())  # stored rows, one query
            note = " (the register)"
        if len(profiles) < 50:
            self.stderr.write("Too few children to train on (fewer than 50); the model file is unchanged.")
            return
        try:
            model, info = train(profiles, threshold=opts["threshold"], note=note)
        except TrainingError as exc:
            self.stderr.write(f"{exc}; the model file is unchanged.")
            return
        data = scoring.to_dict(model, trainer=f"Splink {info['splink']}")
        Path(opts["out"]).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        scoring.current.cache_clear()
        self.stdout.write(
            f"Trained by Splink {info['splink']} on {info['records']} records: wrote {opts['out']}"
        )
