from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Build the bilingual demo programme (idempotent). --scale N multiplies the volume."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the demo volume (default 1).")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, scale: int, quiet_logins: bool, **options):
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be between 1 and 1000.")
        ctx = seed_demo(scale=scale)
        created = ", ".join(f"{what}: {n}" for what, n in sorted(ctx.created.items())) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo programme ready ({created})."))
        if not quiet_logins:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
            width = max(len(email) for email, _role in ctx.logins)
            for email, role in ctx.logins:
                self.stdout.write(f"  {email.ljust(width)}  {role}")
