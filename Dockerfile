# syntax=docker/dockerfile:1
# The eduquality image: one image for the web (gunicorn), worker and beat services of
# docker-compose.yml. See README.md, "Operations".
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8 \
    EDUQUALITY_VAR_DIR=/app/var

# WeasyPrint renders the PDF reports with Pango and HarfBuzz (font subsetting) and embeds the
# Noto CJK fonts; gettext compiles the translations; postgresql-client (15, as the db service) is
# pg_dump/pg_restore for manage.py backup_data / restore_data.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f

RUN groupadd --system --gid 1000 eduquality \
    && useradd --system --uid 1000 --gid eduquality --create-home --home-dir /home/eduquality \
        --shell /usr/sbin/nologin eduquality

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Translations, static files (hashed names + compressed copies for WhiteNoise; the key is a
# build-time placeholder, never used at run time), and the writable data directories: media/ and
# beat/ are volumes in docker-compose.yml and start with this ownership.
RUN find . -name '*.po' -print0 | xargs -0 -r -n 1 sh -c 'msgfmt --check-format -o "${0%.po}.mo" "$0"' \
    && DEBUG=0 SECRET_KEY=build-time-placeholder-for-collectstatic-only-not-a-secret-0000 \
        python manage.py collectstatic --noinput --verbosity 1 \
    && mkdir -p var/media var/beat \
    && chown -R eduquality:eduquality var

USER eduquality
EXPOSE 8000

CMD ["gunicorn", "eduquality.wsgi", "-w", "3", "-b", "0.0.0.0:8000", "--timeout", "120", "--access-logfile", "-"]
