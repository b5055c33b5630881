//! Writes the protobuf descriptor set the devnet's gRPC server reflects
//! (`devnet/node/proto/descriptors.bin`): the files of the services the node
//! serves and, transitively, everything they import.
//!
//! Run through `scripts/gen-grpc-descriptors.sh`, which fetches the `.proto`
//! files from npm and patches them to the SDK and wasmd versions
//! cosmos-sdk-proto generates for:
//!
//! ```text
//! gen-grpc-descriptors <include dir> <output file>
//! ```
//!
//! Services that an imported file declares but the node does not serve are
//! dropped, so that reflection lists exactly the served ones.

use std::path::PathBuf;

use anyhow::{bail, Context};
use prost::Message;
use prost_types::FileDescriptorSet;

/// The files that declare the served services.
const SERVICE_FILES: &[&str] = &[
    "cosmos/auth/v1beta1/query.proto",
    "cosmos/bank/v1beta1/query.proto",
    "cosmos/tx/v1beta1/service.proto",
    "cosmos/base/tendermint/v1beta1/query.proto",
    "cosmos/base/node/v1beta1/query.proto",
    "cosmos/staking/v1beta1/query.proto",
    "cosmwasm/wasm/v1/query.proto",
];

/// The served services, by full name.
const SERVICES: &[&str] = &[
    "cosmos.auth.v1beta1.Query",
    "cosmos.bank.v1beta1.Query",
    "cosmos.tx.v1beta1.Service",
    "cosmos.base.tendermint.v1beta1.Service",
    "cosmos.base.node.v1beta1.Service",
    "cosmos.staking.v1beta1.Query",
    "cosmwasm.wasm.v1.Query",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [include, out] = args.as_slice() else {
        bail!("usage: gen-grpc-descriptors <include dir> <output file>");
    };
    let include = PathBuf::from(include);
    let mut compiler = protox::Compiler::new([&include])
        .with_context(|| format!("include dir {}", include.display()))?;
    compiler.include_imports(true).include_source_info(true);
    for file in SERVICE_FILES {
        compiler
            .open_file(file)
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .with_context(|| format!("compiling {file}"))?;
    }
    let mut set: FileDescriptorSet = compiler.file_descriptor_set();

    let mut found = Vec::new();
    for file in &mut set.file {
        let package = file.package().to_string();
        let before = file.service.len();
        file.service.retain(|s| {
            let full = format!("{package}.{}", s.name());
            let keep = SERVICES.contains(&full.as_str());
            if keep {
                found.push(full);
            }
            keep
        });
        if file.service.len() != before {
            // Locations index services by position; drop them all for the file
            // rather than leave comments pointing at the wrong service.
            if let Some(info) = &mut file.source_code_info {
                info.location.retain(|l| l.path.first() != Some(&6));
            }
        }
    }
    for service in SERVICES {
        if !found.iter().any(|f| f == service) {
            bail!("service {service} is not in the compiled files");
        }
    }
    std::fs::write(out, set.encode_to_vec()).with_context(|| format!("writing {out}"))?;
    eprintln!(
        "wrote {out}: {} files, services {}",
        set.file.len(),
        found.join(", ")
    );
    Ok(())
}
