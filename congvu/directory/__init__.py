"""The directory: agencies in a tree, people and their accounts, addresses, aliases, groups, roles."""
