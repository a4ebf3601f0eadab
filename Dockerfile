# syntax=docker/dockerfile:1

# sluice: one image for every role (api, worker, migrate, token). The build
# stage is glibc-based with gcc/g++ because the binary needs cgo (DuckDB will
# be linked through github.com/duckdb/duckdb-go/v2); the runtime stage is the
# matching Debian release so the glibc and libstdc++ versions agree.
#
# No HEALTHCHECK here: the same image runs the worker and the one-shot
# migration, which serve no HTTP. curl is installed so that docker-compose.yml
# (or an orchestrator) can probe the api role on /readyz.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -o /out/sluice ./cmd/sluice

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata curl libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice \
 && install -d -o sluice -g sluice -m 0700 /var/lib/sluice
COPY --from=build /out/sluice /usr/local/bin/sluice
ENV SLUICE_DATA_DIR=/var/lib/sluice \
    SLUICE_HTTP_ADDR=:8080
WORKDIR /var/lib/sluice
VOLUME ["/var/lib/sluice"]
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["api"]
