import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplatform.settings.production")
django_application = get_wsgi_application()

# Anonymous readers' cached pages are answered before Django's handler (pagecache.wsgi); everything else is Django.
from pagecache.wsgi import CachedPagesApplication  # noqa: E402  (needs the apps loaded)

application = CachedPagesApplication(django_application)

# The loaded project is some 230,000 objects that live as long as the worker: out of the collector's way, so that
# a full collection under load takes microseconds instead of a 100 ms pause.
gc.freeze()
