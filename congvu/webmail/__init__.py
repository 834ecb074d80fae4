"""The webmail's services: reading messages for people, sending from the web, drafts, folders and suggestions.

Modules here sit on the mail store (:mod:`congvu.mailstore`) and the directory; the web adapters
(``congvu.web.routes_mail*``) and the JSON API call them.
"""
