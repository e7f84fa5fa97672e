# HyperFocus: build with the Rust image, run from a small base as a non-root
# user. The SQLite file lives on a volume (its webhook key, hyperfocus.key,
# beside it); set HYPERFOCUS_DATABASE_URL to a postgres:// URL to use
# PostgreSQL instead, with HYPERFOCUS_SECRET_KEY or HYPERFOCUS_SECRET_KEY_FILE
# (see compose.yaml).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin hyperfocus

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data hyperfocus \
    && mkdir -p /data && chown hyperfocus /data \
    && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/hyperfocus /usr/local/bin/hyperfocus
USER hyperfocus
WORKDIR /data
VOLUME ["/data"]
ENV HYPERFOCUS_BIND=0.0.0.0:8000 \
    HYPERFOCUS_DATABASE_URL=sqlite:///data/hyperfocus.db \
    HYPERFOCUS_LOG_FORMAT=json
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
ENTRYPOINT ["hyperfocus"]
CMD ["serve"]
