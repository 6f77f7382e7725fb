"""gunicorn for Opus in production (`make serve`): threaded workers, graceful restarts.

Each worker process runs OPUS_WEB_THREADS threads (Django is thread-safe; a thread waits on the
database while another answers), so a 2-core machine serves with 2 processes of 4 threads. On
SIGTERM a worker stops taking requests and has `graceful_timeout` seconds to finish those it has.
Request lines are Opus's own JSON logs (opus/core/request_log.py), so gunicorn's access log is off.
"""

import os

bind = os.environ.get("OPUS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OPUS_WEB_WORKERS", "2"))
threads = int(os.environ.get("OPUS_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("OPUS_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("OPUS_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
wsgi_app = "opus.wsgi:application"
