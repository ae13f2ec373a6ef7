# Organizer production image: gunicorn (web), celery worker and beat all run from it.
# Build: docker compose build      Run: docker compose up -d      (see docker-compose.yml)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

RUN groupadd --system --gid 10001 organizer \
    && useradd --system --uid 10001 --gid organizer --home-dir /app --shell /usr/sbin/nologin organizer

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected at build time (whitenoise serves them, compressed and hashed).
# The values below exist only so that the settings load; the container gets real ones from .env.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build \
        DATABASE_URL=postgresql://build@127.0.0.1:5432/build REDIS_URL=redis://127.0.0.1:6379/0 \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/.data \
    && chown -R organizer:organizer /app/.data /app/staticfiles

USER organizer

EXPOSE 8000

# The probe sends the first ALLOWED_HOSTS name and X-Forwarded-Proto: https, so that neither
# the host check nor the HTTPS redirect answers in place of the app.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "organizer.health"]

CMD ["sh", "-c", "exec gunicorn organizer.wsgi --bind 0.0.0.0:8000 --access-logfile - --workers ${WEB_WORKERS:-4} --threads ${WEB_THREADS:-2}"]
