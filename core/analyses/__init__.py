"""Analyses over many cases: vectorised evaluation, cohorts, flows, the timeline, verification and counterfactuals."""
