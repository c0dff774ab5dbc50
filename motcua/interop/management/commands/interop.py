"""``motcua interop load-groups [FILE]`` and ``motcua interop late --unit CODE``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils import timezone

from motcua.catalogue.models import Unit
from motcua.core.command import MotcuaCommand
from motcua.core.errors import FieldError, NotFound
from motcua.interop.models import AgencyRequest
from motcua.interop.services import LINKED_GROUPS_FILE as DEFAULT_FILE
from motcua.interop.services import linked_groups_load


class Command(MotcuaCommand):
    help = "Interconnected procedures: load the linked groups, list late consultations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load-groups", help="create or replace the linked procedure groups")
        load.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        late = sub.add_parser("late", help="requests to other agencies past their deadline")
        late.add_argument("--unit", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "load-groups":
            data = self.read_json(options["file"])
            if not isinstance(data, dict):
                raise FieldError("file", options["file"], "must hold a JSON object with 'groups'")
            codes = linked_groups_load(data)
            self.stdout.write(f"loaded {len(codes)} linked groups: {', '.join(codes)}\n")
            return
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise NotFound(f"unit {options['unit']} does not exist", field="unit", value=options["unit"])
        late = (
            AgencyRequest.objects.filter(
                status=AgencyRequest.Status.SENT, dossier__competent_unit=unit, due_at__lt=timezone.now()
            )
            .select_related("dossier")
            .order_by("due_at")
        )
        for request in late:
            assert request.due_at is not None
            self.stdout.write(
                f"{request.dossier.code or request.dossier.pk}\t{request.agency}\t"
                f"{timezone.localtime(request.due_at):%Y-%m-%d %H:%M}\t{request.task}\n"
            )
