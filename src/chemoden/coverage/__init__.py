"""Payer coverage policies (Medicare LCDs and their billing articles) as versioned data."""
