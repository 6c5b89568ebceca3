from wagtail import hooks

from .middleware import remember_served_page

# First of all before_serve_page hooks: the page is known even when a later hook answers instead
# (a view restriction's password form, the 互动渠道 form).
hooks.register("before_serve_page", remember_served_page, order=-100)
