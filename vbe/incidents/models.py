"""Incidents: reports of events (stickers, posters, threats …), routed to the district where they happened."""
