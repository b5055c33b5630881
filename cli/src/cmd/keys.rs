//! `starminer keys`: the encrypted keystore.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde::Serialize;

use crate::context::{passphrase, table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Create a new key (24-word mnemonic, printed once: write it down).
    Add { name: String },
    /// Import a key from its BIP-39 mnemonic (read from --mnemonic-file, or
    /// asked on the terminal, or read from standard input).
    Import {
        name: String,
        #[arg(long)]
        mnemonic_file: Option<PathBuf>,
    },
    /// List the keys with their addresses on the selected chain.
    List,
    /// Show a key's address and public key.
    Show { name: String },
}

#[derive(Serialize)]
struct KeyView {
    name: String,
    address: String,
    pubkey: String,
}

pub fn run(g: &GlobalArgs, cmd: KeysCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let ks = ctx.keystore()?;
    let prefix = ctx.chain_config.prefix.clone();
    match cmd {
        KeysCmd::Add { name } => {
            if ks.contains(&name) {
                bail!("a key named `{name}` already exists: pick another name");
            }
            let pass = passphrase("New passphrase for the key: ", true)?;
            let (key, mnemonic) = ks.generate(&name, &pass)?;
            let view = KeyView {
                name,
                address: key.address(&prefix)?,
                pubkey: hex::encode(key.public_key_bytes()),
            };
            if ctx.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "name": view.name, "address": view.address,
                        "pubkey": view.pubkey, "mnemonic": mnemonic
                    }))?
                );
            } else {
                println!("Created key `{}`: {}", view.name, view.address);
                println!("\nMnemonic (write it down; it is the only way to recover the key):\n\n  {mnemonic}\n");
            }
        }
        KeysCmd::Import {
            name,
            mnemonic_file,
        } => {
            if ks.contains(&name) {
                bail!("a key named `{name}` already exists: pick another name");
            }
            let mnemonic = match mnemonic_file {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?,
                None if std::io::stdin().is_terminal() => {
                    rpassword::prompt_password("Mnemonic (input hidden): ")?
                }
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s
                }
            };
            let pass = passphrase("New passphrase for the key: ", true)?;
            let key = ks.import(&name, mnemonic.trim(), &pass)?;
            let view = KeyView {
                name,
                address: key.address(&prefix)?,
                pubkey: hex::encode(key.public_key_bytes()),
            };
            ctx.print(&view, |v| {
                println!("Imported key `{}`: {}", v.name, v.address)
            })?;
        }
        KeysCmd::List => {
            let keys = ks
                .list()?
                .into_iter()
                .map(|k| {
                    Ok(KeyView {
                        address: k.address(&prefix)?,
                        name: k.name,
                        pubkey: k.pubkey,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            ctx.print(&keys, |keys| {
                if keys.is_empty() {
                    println!("No keys yet: `starminer keys add NAME` or `starminer devnet up`.");
                    return;
                }
                let mut t = table(&["name", "address"]);
                for k in keys {
                    t.add_row(vec![k.name.clone(), k.address.clone()]);
                }
                println!("{t}");
            })?;
        }
        KeysCmd::Show { name } => {
            let info = ks.info(&name)?;
            let view = KeyView {
                address: info.address(&prefix)?,
                name: info.name,
                pubkey: info.pubkey,
            };
            ctx.print(&view, |v| {
                println!(
                    "name     {}\naddress  {}\npubkey   {}",
                    v.name, v.address, v.pubkey
                )
            })?;
        }
    }
    Ok(())
}
