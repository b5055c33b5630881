#!/usr/bin/env bash
# Regenerates devnet/node/proto/descriptors.bin, the protobuf descriptor set the
# devnet's gRPC server reflects (grpc.reflection.v1 and v1alpha). Normal builds
# use the committed file and need neither npm nor protoc.
#
# The .proto files come from npm (@protobufs/cosmos 0.1.0, @protobufs/cosmwasm
# 0.1.1 and their dependencies) into target/grpc-protos (ignored with target/).
# Those packages predate the Cosmos SDK v0.50.9 and wasmd v0.52.0 that
# cosmos-sdk-proto 0.27 is generated from, so devnet/node/proto/sdk-v0.50.patch
# brings the served messages to the generated shapes first;
# devnet/node/tests/grpc_reflection.rs checks every served method against the
# prost types. Then gen-grpc-descriptors (protox, pure Rust) compiles them.
set -euo pipefail
cd "$(dirname "$0")/.."

work=target/grpc-protos
rm -rf "$work"
mkdir -p "$work"
npm install --prefix "$work" --no-save --no-audit --no-fund --ignore-scripts \
  @protobufs/cosmos@0.1.0 @protobufs/cosmwasm@0.1.1 \
  @protobufs/gogoproto@0.0.10 @protobufs/cosmos_proto@0.0.10 \
  @protobufs/google@0.0.10 @protobufs/amino@0.0.11 @protobufs/tendermint@0.0.10 >&2
cp -R "$work/node_modules/@protobufs" "$work/include"
patch -d "$work/include" -p1 --forward < devnet/node/proto/sdk-v0.50.patch >&2
# Files the npm packages lack (the node service), written out in proto/extra.
cp -R devnet/node/proto/extra/. "$work/include/"

cargo run -q -p starminer-devnet --features gen-descriptors --bin gen-grpc-descriptors -- \
  "$work/include" devnet/node/proto/descriptors.bin
