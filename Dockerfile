# Rehab Buddy in a container: a slim Python, the package and its PostgreSQL driver, a non-root
# user, health on :8080. Not built on the development machine (it has no container daemon):
# see docs/operations.md for how it is meant to run.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
COPY db ./db
RUN pip install ".[postgres]" \
    && useradd --create-home --uid 10001 rehab \
    && mkdir -p /data \
    && chown rehab /data

USER rehab
# SQLite in a volume by default; set DATABASE_URL to PostgreSQL for a clinic.
# Port 8080 either way: health (polling) or the webhook with health beside it (WEBHOOK_URL set).
ENV DATABASE_URL=sqlite+aiosqlite:////data/rehab_buddy.sqlite3 \
    PICTURES_DIR=/data/pictures \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8080 \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8080
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]

# SIGTERM (docker stop): in-flight updates and sends finish, claims and the poller lock are
# let go, all within about 8 s (docs/operations.md, "Stopping").
STOPSIGNAL SIGTERM
CMD ["rehab-buddy", "run"]
