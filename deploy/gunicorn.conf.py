import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 60
# nginx's access log has every request with its upstream time and cache status (deploy/stack.py's log_format);
# a line per request here as well would cost the workers a third of their cached-page rate. GUNICORN_ACCESS_LOG=-
# (standard output) or a path turns it on, for a worker without nginx in front.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
