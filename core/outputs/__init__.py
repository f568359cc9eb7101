"""Outputs: words, tables, figures, reports and FHIR, built from evaluations and the guideline."""
