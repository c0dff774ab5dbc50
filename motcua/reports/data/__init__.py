"""Versioned data of the reports app: the Decision 766 indicator definitions."""
