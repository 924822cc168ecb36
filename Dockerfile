# The authprobe container image: built in the official Rust image, run in Debian slim
# as a non-root user. Build from a clone:
#
#   docker build -t authprobe --build-arg AUTHPROBE_GIT_COMMIT=$(git rev-parse --short HEAD) .
#   docker run --rm authprobe scan https://mcp.example.com/mcp
#
# (.git is not sent to the build, so the commit for `authprobe --version` comes in as
# a build argument; without it the version says "commit unknown".)

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
ARG AUTHPROBE_GIT_COMMIT=""
RUN cargo build --release --locked -p authprobe \
 && cp target/release/authprobe /usr/local/bin/authprobe

# Slim rather than distroless: it keeps /bin/sh for jobs that compute their
# arguments (docs/scale.md). TLS roots are compiled into the binary.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin authprobe
COPY --from=build /usr/local/bin/authprobe /usr/local/bin/authprobe
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["authprobe"]
CMD ["--help"]
