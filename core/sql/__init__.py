"""The pathway as SQL: the condition language and the rule walk compiled to one sqlglot tree, emitted per dialect,
and the engines (embedded DuckDB, Spark) that run it. sqlglot, duckdb and pyspark are imported lazily, inside
these modules' functions, so the app never pays for them at start-up."""
