"""The review layer: citation audit, outside evidence, the article's conflicts and the data's version."""
