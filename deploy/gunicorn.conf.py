"""gunicorn settings for the archive behind nginx (deploy/nginx/mha.conf).

Run as ``gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8101 archive.wsgi``; the
supervisor config (deploy/supervisor/mha.conf) starts two such instances, nginx balances
between them. Every value can be set from the environment (``GUNICORN_*``), never edited here.

gthread workers keep the connection from nginx open between requests (nginx's upstream
``keepalive``): a sync worker closes every connection, so each tile would pay a new TCP
connection. Files never pass through these threads: they leave through nginx
(``X-Accel-Redirect``), so a thread is held for milliseconds, not for a slow phone's download.
"""

import os

wsgi_app = "archive.wsgi:application"
#: Under supervisor (deploy/supervisor/mha.conf) instance web-N listens on MHA_WEB_BIND_N,
#: by default 127.0.0.1:810N; a --bind on the command line wins over both.
_instance = os.environ.get("SUPERVISOR_PROCESS_NAME", "")
if _instance.startswith("web-"):
    _n = _instance.removeprefix("web-")
    bind = [os.environ.get(f"MHA_WEB_BIND_{_n}") or f"127.0.0.1:810{_n}"]
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
#: Seconds an idle keep-alive connection from nginx stays open (above nginx's
#: keepalive_timeout for the upstream, so gunicorn never closes one nginx is about to use).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
#: Workers are replaced now and then, so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
#: nginx is the only client; it sets X-Forwarded-For/-Proto (MHA_TRUSTED_PROXY_COUNT=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
#: The access log is nginx's (with the request id); gunicorn logs errors only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
#: Ask the stack's processes by name in ps/top.
proc_name = "mha-web"


def child_exit(server, worker):
    """A worker's Prometheus samples stop counting as live when it exits (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
