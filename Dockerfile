# The service in one image: the worker pool and nginx, built from source on
# Debian 12 with the same packages as a developer machine (scripts/deps.sh).
# Use it through docker-compose.yml, which adds PostgreSQL 15 and Redis 7.
FROM debian:bookworm

ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /app

# Packages first, so that code changes do not re-run apt.
COPY scripts/deps.sh scripts/deps.sh
RUN DEPS_SKIP="docker-compose chromium prometheus logrotate nodejs npm" scripts/deps.sh && rm -rf /var/lib/apt/lists/*

# Only what the build and the start need; build/ and var/ of the host stay out.
COPY CMakeLists.txt ./
COPY common common
COPY workers workers
COPY sql sql
COPY nginx nginx
COPY scripts scripts
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build build -j"$(nproc)"

ENV BUILD_DIR=/app/build \
    STATE_DIR=/app/var \
    HTTP_BIND=0.0.0.0 \
    HTTP_PORT=8080
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["scripts/container-start.sh"]
