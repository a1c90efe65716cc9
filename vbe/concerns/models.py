"""The concern routine: staff report concern about a person; coordinators handle it under secrecy."""
