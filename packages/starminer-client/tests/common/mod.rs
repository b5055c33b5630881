//! A real devnet for the SDK's tests ([`starminer_testkit`]): 100 ms
//! blocks, and the SDK's config and client for it.
#![allow(dead_code, unused_imports)]

use starminer_client::{ChainClient, ChainConfig};
pub use starminer_testkit::artifacts_dir;
use starminer_testkit::{DevnetOptions, LocalDevnet};

pub struct Devnet(LocalDevnet);

impl std::ops::Deref for Devnet {
    type Target = LocalDevnet;

    fn deref(&self) -> &LocalDevnet {
        &self.0
    }
}

impl Devnet {
    pub async fn start(dev_accounts: u32) -> Devnet {
        Devnet(LocalDevnet::start(DevnetOptions::new(dev_accounts)).await)
    }

    pub fn config(&self) -> ChainConfig {
        ChainConfig::devnet_at(&self.rpc)
    }

    pub fn client(&self) -> ChainClient {
        ChainClient::new(self.config()).unwrap()
    }
}
