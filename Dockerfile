# syntax=docker/dockerfile:1
# One image for the four Lookback services; the command picks the service:
#   docker run … lookback intake|rules|rectify|reporting
# Anything else is run as given (e.g. `lookback --help`), after the same secret handling.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/lookback
WORKDIR /src
# Dependencies first, pinned exactly as requirements.lock (pip freeze) says, so this layer is cached
# until the lock changes.
COPY requirements.lock ./
RUN /opt/lookback/bin/pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY lookback/ lookback/
COPY services/ services/
COPY apps/ apps/
RUN /opt/lookback/bin/pip install --no-deps . && /opt/lookback/bin/pip check

FROM python:3.11-slim
ENV PATH=/opt/lookback/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOOKBACK_HOST=0.0.0.0 \
    LOOKBACK_DATA_DIR=/var/lib/lookback
RUN groupadd --system --gid 10001 lookback \
 && useradd --system --uid 10001 --gid lookback --home-dir /var/lib/lookback --shell /usr/sbin/nologin lookback \
 && install -d -o lookback -g lookback -m 0750 /var/lib/lookback /etc/lookback/users
COPY --from=build /opt/lookback /opt/lookback
COPY deploy/docker/entrypoint.py /usr/local/lib/lookback/entrypoint.py
COPY deploy/docker/healthcheck.py /usr/local/lib/lookback/healthcheck.py
USER lookback:lookback
WORKDIR /var/lib/lookback
# Each service listens on LOOKBACK_PORT, or its default: intake 18001, rules 18002, rectify 18003,
# reporting 18004.
EXPOSE 18001 18002 18003 18004
# No curl in slim: python's urllib asks /healthz (200 once connected to NATS and consuming).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "/usr/local/lib/lookback/healthcheck.py"]
ENTRYPOINT ["python", "/usr/local/lib/lookback/entrypoint.py"]
CMD ["--help"]
