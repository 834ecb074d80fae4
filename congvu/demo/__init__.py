"""A sample province for the quick start: agencies from the provincial directives, people, groups, waves."""
