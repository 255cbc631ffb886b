# One image for the broker, syndctl and synd-bidder, built from source on
# Debian 12, as CI builds it. No keys are baked in: the compose "keys"
# service generates them into a volume at start.
FROM debian:12
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev protobuf-c-compiler \
      libhiredis-dev libconfig-dev libsodium-dev libncurses-dev libjansson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DSYND_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build -j"$(nproc)" \
 && cp /build/syndbroker /build/syndctl /build/synd-bidder /usr/local/bin/ \
 && cp -P /build/libsynd.so* /usr/local/lib/ && ldconfig
