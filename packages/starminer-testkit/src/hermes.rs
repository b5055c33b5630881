//! The Hermes relayer (`ibc-relayer-cli` 1.11.0, unmodified) between
//! devnets: its config (with the devnet's published proof specs), its keys
//! and its commands, each run with `--json` and checked.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::{workspace_root, LocalDevnet};

/// The Hermes binary: `STARMINER_HERMES_BIN`, or the one `scripts/setup.sh`
/// builds into `~/.cache/starminer`.
pub fn hermes_bin() -> PathBuf {
    if let Ok(p) = std::env::var("STARMINER_HERMES_BIN") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").expect("HOME");
    let p = Path::new(&home).join(".cache/starminer/hermes-1.11.0/bin/hermes");
    assert!(
        p.exists(),
        "Hermes 1.11.0 is not installed at {}: run scripts/setup.sh (or \
         `bash -c 'source scripts/lib.sh; ensure_hermes'`)",
        p.display()
    );
    p
}

/// A running `hermes start`, killed (and reaped) when dropped.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Hermes with its own config and key store (its `HOME`). Every chain
/// gets two keys: `relayer` (dev account 0, which pays the relaying) and
/// `user` (dev account 1, which sends the transfers).
pub struct Hermes {
    bin: PathBuf,
    pub dir: tempfile::TempDir,
    max_gas: u64,
}

impl Hermes {
    /// `max_gas` is each chain's per-transaction ceiling. Up to 100
    /// messages go in one transaction, and a transaction whose simulation
    /// fails in a way Hermes deems recoverable (the second of a batch,
    /// simulated before the first, which updates the client, is committed)
    /// goes out with half the ceiling: Hermes' default of 100,000 gas is
    /// too little for a batch of packets, so such a transaction would fail.
    pub fn new(chains: &[(&str, &LocalDevnet)], max_gas: u64) -> Hermes {
        let hermes = Hermes {
            bin: hermes_bin(),
            dir: tempfile::tempdir().expect("a temporary directory"),
            max_gas,
        };
        hermes.write_config(chains);
        for (id, net) in chains {
            for (key, dev) in [("relayer", 0), ("user", 1)] {
                let file = hermes.dir.path().join(format!("{id}-{key}.mnemonic"));
                std::fs::write(&file, &net.devs[dev].mnemonic).expect("writing a mnemonic file");
                hermes.ok(&[
                    "keys",
                    "add",
                    "--chain",
                    id,
                    "--key-name",
                    key,
                    "--mnemonic-file",
                    file.to_str().expect("a UTF-8 path"),
                    "--overwrite",
                ]);
            }
        }
        hermes
    }

    /// (Re)writes the config for `chains` at their current addresses (a
    /// devnet restarted after `kill -9` binds new ports).
    pub fn write_config(&self, chains: &[(&str, &LocalDevnet)]) {
        let max_gas = self.max_gas;
        let default_gas = max_gas / 2;
        let specs = std::fs::read_to_string(workspace_root().join("devnet/chain/proof-specs.json"))
            .expect("devnet/chain/proof-specs.json");
        let mut config = String::from(
            "[global]\nlog_level = 'info'\n\
             [mode.clients]\nenabled = true\nrefresh = true\nmisbehaviour = true\n\
             [mode.connections]\nenabled = false\n[mode.channels]\nenabled = false\n\
             [mode.packets]\nenabled = true\nclear_interval = 100\nclear_on_start = true\n\
             [rest]\nenabled = false\nhost = '127.0.0.1'\nport = 3000\n\
             [telemetry]\nenabled = false\nhost = '127.0.0.1'\nport = 3001\n",
        );
        for (id, net) in chains {
            let rpc = net.listening.rpc;
            let grpc = net.listening.grpc.expect("the devnet serves gRPC");
            config.push_str(&format!(
                "\n[[chains]]\nid = '{id}'\ntype = 'CosmosSdk'\n\
                 rpc_addr = 'http://{rpc}'\ngrpc_addr = 'http://{grpc}'\n\
                 event_source = {{ mode = 'push', url = 'ws://{rpc}/websocket', batch_delay = '200ms' }}\n\
                 rpc_timeout = '10s'\naccount_prefix = 'starminer'\nkey_name = 'relayer'\n\
                 store_prefix = 'ibc'\ngas_price = {{ price = 0.0025, denom = 'ustar' }}\n\
                 max_gas = {max_gas}\ndefault_gas = {default_gas}\nmax_msg_num = 100\nclock_drift = '5s'\ntrusting_period = '14days'\n\
                 trust_threshold = {{ numerator = '1', denominator = '3' }}\n\
                 address_type = {{ derivation = 'cosmos' }}\nproof_specs = '''{specs}'''\n"
            ));
        }
        std::fs::write(self.dir.path().join("config.toml"), config)
            .expect("writing Hermes' config");
    }

    /// A Hermes command on this config and key store.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.env("HOME", self.dir.path())
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(args);
        c
    }

    /// Runs a Hermes command with `--json` and returns its result; panics
    /// with Hermes' output if it fails.
    pub fn ok(&self, args: &[&str]) -> Value {
        let mut c = self.command(&["--json"]);
        c.args(args);
        let out = c.output().expect("running hermes");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout.lines().rev().find_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(|v| v.get("status").is_some())
        });
        match last {
            Some(v) if v["status"] == "success" && out.status.success() => v["result"].clone(),
            _ => panic!(
                "hermes {args:?} failed ({}):\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// `create channel --new-client-connection` on port `transfer` at both ends.
    pub fn create_transfer_channel(&self, a: &str, b: &str) {
        self.create_channel(a, b, "transfer", "transfer", None);
    }

    /// `create channel --new-client-connection` between `port_a` on `a` and
    /// `port_b` on `b`, proposing `version` (else the ports' default).
    pub fn create_channel(
        &self,
        a: &str,
        b: &str,
        port_a: &str,
        port_b: &str,
        version: Option<&str>,
    ) {
        let mut args = vec![
            "create",
            "channel",
            "--a-chain",
            a,
            "--b-chain",
            b,
            "--a-port",
            port_a,
            "--b-port",
            port_b,
            "--new-client-connection",
            "--yes",
        ];
        if let Some(v) = version {
            args.extend_from_slice(&["--channel-version", v]);
        }
        self.ok(&args);
    }

    /// `tx ft-transfer` of `msgs` transfers in one transaction from the
    /// `user` key over `transfer/<channel>`, with Hermes' timeout flags.
    #[allow(clippy::too_many_arguments)]
    pub fn transfer(
        &self,
        src: &str,
        dst: &str,
        channel: &str,
        amount: u128,
        denom: &str,
        receiver: &str,
        msgs: u32,
        timeout: &[&str],
    ) {
        let amount = amount.to_string();
        let msgs = msgs.to_string();
        let mut args = vec![
            "tx",
            "ft-transfer",
            "--src-chain",
            src,
            "--dst-chain",
            dst,
            "--src-port",
            "transfer",
            "--src-channel",
            channel,
            "--amount",
            &amount,
            "--denom",
            denom,
            "--receiver",
            receiver,
            "--key-name",
            "user",
            "--number-msgs",
            &msgs,
        ];
        args.extend_from_slice(timeout);
        self.ok(&args);
    }

    /// `tx packet-recv` (the receipts of `src`'s packets on `dst`, or
    /// their timeouts back on `src`).
    pub fn packet_recv(&self, src: &str, dst: &str, channel: &str) {
        self.packet_recv_on(src, dst, "transfer", channel);
    }

    /// [`Self::packet_recv`] of the packets `src` sent from `port/channel`.
    pub fn packet_recv_on(&self, src: &str, dst: &str, port: &str, channel: &str) {
        self.ok(&[
            "tx",
            "packet-recv",
            "--dst-chain",
            dst,
            "--src-chain",
            src,
            "--src-port",
            port,
            "--src-channel",
            channel,
        ]);
    }

    /// `tx packet-ack`: the acknowledgements `dst` wrote (on its
    /// `port/channel`) of `src`'s packets, back to `src`.
    pub fn packet_ack_on(&self, src: &str, dst: &str, port: &str, channel: &str) {
        self.ok(&[
            "tx",
            "packet-ack",
            "--dst-chain",
            src,
            "--src-chain",
            dst,
            "--src-port",
            port,
            "--src-channel",
            channel,
        ]);
    }

    /// [`Self::packet_recv`], then the acknowledgements back to `src`.
    pub fn relay(&self, src: &str, dst: &str, channel: &str) {
        self.packet_recv(src, dst, channel);
        self.packet_ack_on(src, dst, "transfer", channel);
    }

    /// Whether no packet or acknowledgement is pending on `chain`'s
    /// `transfer/<channel>`, either way.
    pub fn nothing_pending(&self, chain: &str, channel: &str) -> bool {
        self.nothing_pending_on(chain, "transfer", channel)
    }

    /// [`Self::nothing_pending`] on `chain`'s `port/channel`.
    pub fn nothing_pending_on(&self, chain: &str, port: &str, channel: &str) -> bool {
        let r = self.ok(&[
            "query",
            "packet",
            "pending",
            "--chain",
            chain,
            "--port",
            port,
            "--channel",
            channel,
        ]);
        let empty = |side: &Value| {
            ["unreceived_packets", "unreceived_acks"]
                .iter()
                .all(|k| side[k].as_array().is_none_or(|a| a.is_empty()))
        };
        empty(&r["src"]) && empty(&r["dst"])
    }

    /// `hermes start` in the background, its log in `start.log` of its
    /// directory; stopped when the handle is dropped.
    pub fn start(&self) -> Running {
        let log = std::fs::File::create(self.log_path()).expect("creating Hermes' log");
        Running(
            self.command(&["start"])
                .stdout(Stdio::null())
                .stderr(Stdio::from(log))
                .spawn()
                .expect("starting hermes"),
        )
    }

    /// Where [`Self::start`] logs.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("start.log")
    }
}
