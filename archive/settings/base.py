"""Settings shared by every environment.

Only settings modules read the environment. Each service has an embedded default (SQLite,
database search, local files, database-backed tasks, local-memory cache) and is swapped for
its distributed engine by environment variables alone; see README "Configuring services".
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MHA_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "archive.core",
    "archive.access",
    "archive.vocabularies",
    "archive.people",
    "archive.items",
    "archive.iiif",
    "archive.captions",
    "archive.assets",
    "archive.uploads",
    "archive.workers",
    "archive.marketplace",
    "search",
    "archive.oai",
    "archive.api",
    "archive.bags",
    "archive.portal",
    "archive.lessons",
    "archive.pronunciations",
    "archive.ops",
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # The request's id (nginx's X-Request-ID) in every log line; its latency in /metrics.
    "archive.ops.requestid.RequestIdMiddleware",
    "archive.ops.metrics.MetricsMiddleware",
    # Then: compresses text last, after ExactVaryMiddleware set Vary (it adds to it).
    "archive.core.http.TextGZipMiddleware",
    # Next, so that it sees (and trims) the Vary the session and locale middleware add.
    "archive.core.http.ExactVaryMiddleware",
    # An ETag on every page and a 304 when it has not changed (a repeat visit's few bytes).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "archive.ops.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "archive.items.middleware.AdminPageScopeMiddleware",
    "archive.core.pagecache.AnonymousPageCacheMiddleware",
    # The site and its routing tree from the cache, for Wagtail's page view below.
    "archive.core.routing.CachedSiteMiddleware",
    # Last, so that it turns a refused sign-in on any door into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "archive.core.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- security headers for the public site ---
#: Scripts, styles, images and media from this origin only (files and IIIF leave through
#: nginx on the same origin); an inline script must carry the request's nonce
#: (``{{ request.csp_nonce }}``; the site has none today). Wagtail's admin is left out: its
#: own pages use inline scripts the public site never does.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
#: Powerful browser features the archive never uses, refused for it and anything it embeds.
MHA_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)

# --- database: SQLite by default, any dj-database-url URL (PostgreSQL in production) ---
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or restarting: fail fast (a 503, archive/ops/unavailable.py)
    # instead of holding the worker, and never reuse a kept connection the restart broke.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- sign-in: every login door counts failures (django-axes) ---
# Axes' backend comes first: it refuses a locked-out visitor before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: Five wrong passwords for one username from one address lock that pair out. Counting the
#: pair, not the address alone, keeps a village sharing one connection (one address) from
#: locking everyone out; not the username alone, so nobody elsewhere can lock a curator out.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
#: A refused attempt during a lockout restarts the cool-off: hammering never gets in, and
#: the "try again in N minutes" the lockout page shows stays exact.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
#: A successful sign-in forgets that pair's earlier failures.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "archive.core.login_throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "archive.core.login_throttling.client_ip"
#: How many reverse proxies (nginx, a load balancer) stand in front of the site and append
#: to X-Forwarded-For. 0 (the default) ignores that header, which a visitor can forge; set it
#: only when the site cannot be reached except through those proxies.
MHA_TRUSTED_PROXY_COUNT = int(os.environ.get("MHA_TRUSTED_PROXY_COUNT", "0"))
#: IIIF Authorization Flow 2.0: the viewer origins (``https://viewer.example``) the token
#: service gives a token to, space-separated; empty gives one to any well-formed origin (the
#: token is then good only from that origin, and each probe asks the access policy again).
MHA_IIIF_AUTH_ORIGINS = os.environ.get("MHA_IIIF_AUTH_ORIGINS", "").split()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- languages: simplified Chinese first, English; Miao (Hmub) for content labels ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
#: The languages every described thing carries, in the order the interface shows them.
#: ``hmn`` holds Miao in Hmub (Qiandong) Latin orthography where it is known.
CONTENT_LANGUAGES = [("zh", _("Chinese")), ("en", _("English")), ("hmn", _("Miao"))]
#: The project's own words, then Wagtail's admin words its Chinese catalogue lacks (kept
#: apart so ``make messages`` leaves them; see that file's header).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- static and media files: local filesystem by default, S3-compatible by environment ---
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MHA_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("MHA_S3_BUCKET"):
    from botocore.config import Config as BotoConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MHA_S3_BUCKET"],
            "endpoint_url": os.environ.get("MHA_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("MHA_S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("MHA_S3_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("MHA_S3_REGION") or None,
            # S3-compatible servers (a custom endpoint) usually serve buckets by path, not
            # by bucket.host virtual hosts; AWS itself (no endpoint) keeps boto3's choice.
            # A silent S3 host must not hang a request (or /healthz) for minutes: short
            # connect timeout, few retries. Addressing and signature go in the same Config,
            # since django-storages ignores its own options once client_config is given.
            "client_config": BotoConfig(
                connect_timeout=float(os.environ.get("MHA_S3_CONNECT_TIMEOUT", "3")),
                # A hung S3 host (bench/stack_faults.py s3-hang): a request waits at most
                # two attempts of this, then the visitor gets a 503 (not a minute's wait).
                read_timeout=float(os.environ.get("MHA_S3_READ_TIMEOUT", "10")),
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                s3={
                    "addressing_style": os.environ.get("MHA_S3_ADDRESSING_STYLE")
                    or ("path" if os.environ.get("MHA_S3_ENDPOINT_URL") else "auto")
                },
            ),
            # Originals and restricted derivatives are never public objects; every door
            # to a file goes through a view that asks the access policy.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

#: Behind nginx (deploy/nginx/mha.conf): a file door answers, after the access check, with
#: ``X-Accel-Redirect`` to an internal location, and nginx sends the bytes (Range, sendfile).
#: Off in development and tests, where no nginx stands in front.
MHA_ACCEL_REDIRECT = os.environ.get("MHA_ACCEL_REDIRECT", "0") == "1"
#: Internal nginx locations: local files under MEDIA_ROOT, and objects of the S3 bucket
#: (nginx proxies a short-lived signed request to the S3 endpoint).
MHA_ACCEL_MEDIA_PREFIX = "/_protected/media/"
MHA_ACCEL_S3_PREFIX = "/_protected/s3/"
MHA_ACCEL_TILES_PREFIX = "/_protected/tiles/"
#: Pre-cut IIIF tiles unpacked for nginx (archive/iiif/tile_files.py): ``public/`` is served
#: by nginx directly, ``private/`` only after Django's check. Local to the nginx machine.
MHA_TILE_ROOT = Path(os.environ.get("MHA_TILE_ROOT", VAR_DIR / "tiles"))
#: Seconds a signed S3 request handed to nginx stays valid.
MHA_ACCEL_S3_SECONDS = 60

#: Uploads above this size are streamed to disk, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- media limits: what an upload may be ---
#: Largest image accepted, in pixels (400 megapixels: big flatbed scans of whole garments).
MHA_MAX_IMAGE_PIXELS = int(os.environ.get("MHA_MAX_IMAGE_PIXELS", "400000000"))
#: Longest recording accepted, in seconds.
MHA_MAX_DURATION_SECONDS = int(os.environ.get("MHA_MAX_DURATION_SECONDS", str(3 * 3600)))
# Lessons: an offline pack larger than this is refused with a reason (a USB stick, a phone's
# storage, a village link); a pack asks to be refreshed this many days after it was built.
MHA_LESSON_PACK_MAX_BYTES = int(os.environ.get("MHA_LESSON_PACK_MAX_BYTES", str(300 * 2**20)))
MHA_LESSON_PACK_DAYS = int(os.environ.get("MHA_LESSON_PACK_DAYS", "180"))
#: A built pack is kept (and served to every reader) this long, unless a source changes first.
MHA_LESSON_PACK_KEEP_HOURS = int(os.environ.get("MHA_LESSON_PACK_KEEP_HOURS", "24"))
#: Resumable (tus) uploads: the largest file accepted, where its bytes wait until complete
#: (a local folder every web process shares; never the public storage), and how long an
#: unfinished upload is kept after its last byte arrived.
MHA_MAX_UPLOAD_BYTES = int(os.environ.get("MHA_MAX_UPLOAD_BYTES", str(4 * 1024**3)))
MHA_UPLOAD_STAGING_DIR = Path(os.environ.get("MHA_UPLOAD_STAGING_DIR", VAR_DIR / "uploads"))
MHA_UPLOAD_EXPIRY_HOURS = int(os.environ.get("MHA_UPLOAD_EXPIRY_HOURS", "72"))

# --- background tasks: database-backed worker by default, RQ on Redis when chosen ---
#: ``database`` (run ``manage.py db_worker --queue-name default,media``) or ``rq`` (run
#: ``manage.py rqworker default media --job-class django_tasks_rq.Job`` on as many machines
#: as you like; needs REDIS_URL).
MHA_TASKS = os.environ.get("MHA_TASKS_BACKEND", "database")
TASK_QUEUES = ["default", "media"]
#: Workers beat, and running tasks touch their asset, this often; three missed beats = dead.
MHA_WORKER_BEAT_SECONDS = float(os.environ.get("MHA_WORKER_BEAT_SECONDS", "10"))
if MHA_TASKS == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        q: {
            "URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 6 * 3600,
        }
        for q in TASK_QUEUES
    }
    TASKS = {
        "default": {"BACKEND": "archive.workers.backends.SturdyRQBackend", "QUEUES": TASK_QUEUES}
    }
elif MHA_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": MHA_TASKS, "QUEUES": TASK_QUEUES}}

# --- cache: Redis when REDIS_URL is set; a folder shared by this machine's processes when
# MHA_CACHE_DIR is; else local memory (one process: the tests) ---
# A withdrawal or unpublish clears cached pages and IIIF descriptors: every process serving
# the site must see that, so the web and worker processes must share one cache.
MHA_CACHE_DIR = os.environ.get("MHA_CACHE_DIR", "")
if os.environ.get("REDIS_URL"):
    # django-redis: a Redis that is down is a cache miss (logged), not a 500; the site
    # degrades to uncached pages. Short socket timeouts: a hung Redis must not hang pages.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
elif MHA_CACHE_DIR:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": MHA_CACHE_DIR,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

#: Seconds a rendered public page is kept for anonymous visitors (0 turns the cache off);
#: publishing or unpublishing anything leaves every cached page behind at once.
MHA_PAGE_CACHE_SECONDS = int(os.environ.get("MHA_PAGE_CACHE_SECONDS", "300"))
#: Seconds the routing tree (the site, its home page and the collections) is kept between
#: requests, for signed-in visitors too (0 turns it off); left behind like cached pages.
MHA_ROUTE_CACHE_SECONDS = int(os.environ.get("MHA_ROUTE_CACHE_SECONDS", "300"))
#: Seconds a collection's item count and periods (per audience and filters) are kept; left
#: behind like cached pages (0 turns it off).
MHA_COLLECTION_CACHE_SECONDS = int(os.environ.get("MHA_COLLECTION_CACHE_SECONDS", "300"))
#: How long browsers and shared caches may keep public media, IIIF images and documents.
#: Short, because a withdrawn consent or an unpublish must reach them too; conditional
#: requests keep repeat views cheap.
MHA_PUBLIC_CACHE_SECONDS = int(os.environ.get("MHA_PUBLIC_CACHE_SECONDS", "60"))

# --- search: database full-text by default, Elasticsearch/OpenSearch by URL ---
MHA_SEARCH_URL = os.environ.get("MHA_SEARCH_URL", "")
#: ``database`` (embedded default), ``elasticsearch`` (7.17-9) or ``opensearch`` (2-3).
MHA_SEARCH_ENGINE = os.environ.get(
    "MHA_SEARCH_ENGINE", "opensearch" if MHA_SEARCH_URL else "database"
)
#: Index names are ``<prefix>-items-v<timestamp>`` behind the alias ``<prefix>-items``.
MHA_SEARCH_INDEX_PREFIX = os.environ.get("MHA_SEARCH_INDEX_PREFIX", "mha")
#: Copies of each shard on other nodes: 0 on one node, 1 on a cluster (a node may die).
MHA_SEARCH_REPLICAS = int(os.environ.get("MHA_SEARCH_REPLICAS", "0"))
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": True},
}

# --- Wagtail ---
WAGTAIL_SITE_NAME = "苗族文化遗产档案 · Miao Heritage Archive"
WAGTAILADMIN_BASE_URL = os.environ.get("MHA_BASE_URL", "http://127.0.0.1:8000")

# --- OAI-PMH (/oai) ---
#: The repository's name in OAI identifiers (``oai:<this>:MHA-EMB-0001``): a domain name
#: the archive controls; never change it once harvested, or every record is new.
MHA_OAI_REPOSITORY_ID = os.environ.get("MHA_OAI_REPOSITORY_ID", "miao-heritage.archive")
MHA_OAI_ADMIN_EMAIL = os.environ.get("MHA_OAI_ADMIN_EMAIL", "archive@localhost.localdomain")
#: Records per ListRecords / ListIdentifiers response, and how long a resumption token lives.
MHA_OAI_PAGE_SIZE = int(os.environ.get("MHA_OAI_PAGE_SIZE", "100"))
MHA_OAI_TOKEN_SECONDS = int(os.environ.get("MHA_OAI_TOKEN_SECONDS", str(24 * 3600)))
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 400_000_000
#: Documents (consent forms, evidence) always pass through Django's view, where the
#: ``before_serve_document`` hook lets curators only; never a direct or redirected storage URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "vtt", "csv", "odt", "docx"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
#: Slugs are ASCII: a Chinese title becomes pinyin (``archive.core.slugs``), so addresses
#: stay readable when shared, instead of percent-encoded characters.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The admin asks no host but this one: in China an avatar host or a release check fails or
# hangs the page. Avatars are initials; the version check is ours to make, not Wagtail's.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
TAGGIT_CASE_INSENSITIVE = True

#: ``json`` (the stack, production): one JSON object per line, with the request id, for a log
#: shipper; ``text`` (default): readable lines for a developer's terminal.
MHA_LOG_FORMAT = os.environ.get("MHA_LOG_FORMAT", "text")
#: A bearer token that opens ``/metrics`` to a scraper on another machine; without it only a
#: direct local connection (not through nginx) is answered.
MHA_METRICS_TOKEN = os.environ.get("MHA_METRICS_TOKEN", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "archive.ops.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if MHA_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MHA_LOG_LEVEL", "INFO")},
    # Wagtail logs every page action at INFO; the audit log in the admin keeps them anyway.
    # libvips reports every temporary file it opens at INFO through pyvips.
    "loggers": {"wagtail": {"level": "WARNING"}, "pyvips": {"level": "WARNING"}},
}
MHA_VERSION = "0.1.0"

# --- the artisan marketplace: enquiries ---
#: Days an enquiry is kept before ``manage.py purge_enquiries`` (run on the worker's beat)
#: deletes it: long enough to answer and follow a commission, no longer.
MHA_ENQUIRY_RETENTION_DAYS = int(os.environ.get("MHA_ENQUIRY_RETENTION_DAYS", "180"))
#: Enquiries one address may send (django-ratelimit rate).
MHA_ENQUIRY_RATE = os.environ.get("MHA_ENQUIRY_RATE", "5/h")
#: A form sent sooner than this after it was shown is a script's, not a person's.
MHA_ENQUIRY_MIN_SECONDS = float(os.environ.get("MHA_ENQUIRY_MIN_SECONDS", "3"))
#: Where an enquiry goes when its artisan and cooperative name no address.
MHA_ENQUIRY_FALLBACK_EMAIL = os.environ.get("MHA_ENQUIRY_FALLBACK_EMAIL", "curators@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("MHA_FROM_EMAIL", "archive@localhost.localdomain")
