"""The full-page cache of anonymous readers (issue: fast pages), purged on publish.

`middleware.PageCacheMiddleware` answers anonymous GET/HEAD requests of unit sites and the portal from
Django's cache; `services` stores pages and works out what a change purges; `backends` are the
`wagtail.contrib.frontend_cache` backends that carry a purge to Django's cache and to nginx.
"""
