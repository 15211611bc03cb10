from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without msgmerge's fuzzy guesses.

    A fuzzy guess ("Change status" → the translation of "Change password") is wrong more
    often than not; new strings stay empty so the catalogue test names them.
    """

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
