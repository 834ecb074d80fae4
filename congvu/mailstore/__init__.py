"""The mail store: folders and messages of every account, local delivery, IMAP operations, search, change
notifications and usage events. The contract is :mod:`congvu.mailstore.api`."""
