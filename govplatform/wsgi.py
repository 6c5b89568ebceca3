import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplatform.settings.production")
django_application = get_wsgi_application()

# Anonymous readers' cached pages are answered before Django's handler (pagecache.wsgi); everything else is Django.
from pagecache.wsgi import CachedPagesApplication  # noqa: E402  (needs the apps loaded)

application = CachedPagesApplication(django_application)
