"""Statistics above the concern routine and the event track: the one definition of "in a year",
counting in the database (summary tables that every write keeps, ``summary``), small-count
suppression with secondary suppression, and the pages that show the situation (lägesbild) of the
city and of each district.

Imports the concern and incident apps and the floors below them, never plans, reports or portal:
those use this app to count, so they all count the same way.
"""
