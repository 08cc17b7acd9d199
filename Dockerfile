# stacklint in a container: a static musl binary in an empty image.
#   docker build -t stacklint .
#   docker run --rm -v "$PWD:/repo" stacklint check .
# Alpine's Rust links musl statically by default, so the binary runs in `scratch`, and the same
# file builds for linux/amd64 and linux/arm64.
FROM rust:1-alpine AS build
# mimalloc is C: it needs a C compiler and musl's headers.
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock README.md ./
COPY src src
COPY rules rules
COPY schemas schemas
RUN cargo build --release --locked --bin stacklint \
    && cp target/release/stacklint /stacklint

FROM scratch
COPY --from=build /stacklint /usr/local/bin/stacklint
WORKDIR /repo
ENTRYPOINT ["stacklint"]
CMD ["check", "."]
