"""The language and the engine: the case contract, the condition language, the guideline as data, the rule walk
and one case's evaluation."""
