"""The Train page's server side: the recipe's schema, its validation, and recipe jobs on the job runner."""
