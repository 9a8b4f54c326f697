"""Gunicorn settings for cablesearch (docs/deploy.md): ``gunicorn -c config/gunicorn.py``.

Options given on the command line override these (``--bind 0.0.0.0:8000``).
"""

wsgi_app = "config.wsgi:application"
bind = ["127.0.0.1:8000"]
workers = 2  # about one per core
threads = 4  # searches keep flowing while one request waits on the disk
timeout = 60
# Restart a worker now and then (memory held by long-lived caches comes back).
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The request line holds the whole query string: the API accepts queries of 5,000 characters
# (search/state.py MAX_QUERY_CHARS), more than gunicorn's default of 4,094 bytes. 8,190 is
# gunicorn's maximum (0 would mean no limit at all): a 5,000-character query fits with its
# filters as long as it is mostly ASCII (each other character takes 6-9 bytes encoded).
limit_request_line = 8190


def post_worker_init(worker) -> None:
    """Open the search index before this worker takes requests.

    A fresh process builds its per-segment arrays on its first search: ~0.8 s at Cablegate size,
    which would otherwise fall on a reader after every worker start or max_requests restart.
    """
    from django.db import connections

    from search.service import warm_up

    seconds = warm_up()
    connections.close_all()  # request threads open their own
    if seconds is None:
        worker.log.warning("search index unavailable: searches answer 503 until rebuild_index")
    else:
        worker.log.info("search index ready in %.0f ms", seconds * 1000)
