//! ICS-20 on port `transfer`: ibc-rs' token transfer application over the
//! node's bank.
//!
//! ibc-rs speaks of a voucher by its full trace (`transfer/channel-0/ustar`);
//! the bank, wallets and every SDK chain by its hash, `ibc/<SHA-256 of the
//! trace>`. This module keeps the two apart: the bank only ever sees a
//! native denom or an `ibc/HASH` one, and the trace of each hash it minted
//! is recorded (`transfer/denomTrace/<HASH>`) for the `DenomTrace` queries
//! and for a voucher that is sent on or back.

use std::fmt;

use ibc::apps::transfer::context::{TokenTransferExecutionContext, TokenTransferValidationContext};
use ibc::apps::transfer::module as ics20;
use ibc::apps::transfer::types::error::TokenTransferError;
use ibc::apps::transfer::types::{Amount, Memo, PrefixedCoin, PrefixedDenom, VERSION};
use ibc::core::channel::types::acknowledgement::Acknowledgement;
use ibc::core::channel::types::channel::{Counterparty, Order};
use ibc::core::channel::types::error::ChannelError;
use ibc::core::channel::types::packet::Packet;
use ibc::core::channel::types::Version as ChannelVersion;
use ibc::core::host::types::error::HostError;
use ibc::core::host::types::identifiers::{ChannelId, ConnectionId, PortId};
use ibc::core::router::module::Module;
use ibc::core::router::types::module::ModuleExtras;
use ibc::cosmos_host::utils::cosmos_adr028_escrow_address;
use ibc::primitives::Signer;
use sha2::{Digest, Sha256};
use starminer_wasm_host::KvStore;

use crate::context::{scan, IbcStore};
use crate::Bank;

const TRACE_PREFIX: &[u8] = b"transfer/denomTrace/";

/// The bank denom of a (possibly traced) ICS-20 denom: the base denom of a
/// native token, `ibc/<HASH>` of a voucher.
pub fn bank_denom(denom: &PrefixedDenom) -> String {
    if denom.trace_path.is_empty() {
        denom.base_denom.to_string()
    } else {
        format!("ibc/{}", trace_hash(&denom.to_string()))
    }
}

/// The upper-case hex SHA-256 of a full denom trace, as ibc-go writes it.
pub fn trace_hash(full_trace: &str) -> String {
    hex::encode_upper(Sha256::digest(full_trace.as_bytes()))
}

/// The full trace of a voucher hash (`HASH` or `ibc/HASH`) that this chain minted.
pub fn trace_of(store: &impl KvStore, hash: &str) -> Option<String> {
    let hash = hash
        .strip_prefix("ibc/")
        .unwrap_or(hash)
        .to_ascii_uppercase();
    let mut key = TRACE_PREFIX.to_vec();
    key.extend_from_slice(hash.as_bytes());
    store.get(&key).and_then(|v| String::from_utf8(v).ok())
}

/// Every recorded trace, in hash order.
pub fn traces(store: &impl KvStore) -> Vec<String> {
    scan(store, TRACE_PREFIX)
        .into_iter()
        .filter_map(|(_, v)| String::from_utf8(v).ok())
        .collect()
}

/// The escrow account of a channel (ADR-028, as ibc-go derives it), raw.
pub fn escrow_address(port: &PortId, channel: &ChannelId) -> Vec<u8> {
    cosmos_adr028_escrow_address(port, channel)
}

fn amount_u128(amount: &Amount) -> Result<u128, HostError> {
    u128::try_from(*amount.as_ref())
        .map_err(|_| HostError::invalid_state(format!("amount {amount} exceeds 128 bits")))
}

fn bank_err(e: String) -> HostError {
    HostError::Other { description: e }
}

/// The ICS-20 application, bound to the bank for one message.
pub struct TransferModule<'b, S: IbcStore> {
    store: S,
    bank: &'b mut dyn Bank,
}

impl<S: IbcStore> fmt::Debug for TransferModule<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransferModule")
    }
}

impl<'b, S: IbcStore> TransferModule<'b, S> {
    pub fn new(store: S, bank: &'b mut dyn Bank) -> Self {
        TransferModule { store, bank }
    }

    fn escrow(&self, port: &PortId, channel: &ChannelId) -> String {
        self.bank.address_of(&escrow_address(port, channel))
    }

    fn record_trace(&mut self, denom: &PrefixedDenom) {
        if denom.trace_path.is_empty() {
            return;
        }
        let full = denom.to_string();
        let mut key = TRACE_PREFIX.to_vec();
        key.extend_from_slice(trace_hash(&full).as_bytes());
        if self.store.get(&key).is_none() {
            self.store.set(&key, full.as_bytes());
        }
    }

    fn has_balance(&self, account: &str, coin: &PrefixedCoin) -> Result<(), HostError> {
        let denom = bank_denom(&coin.denom);
        let want = amount_u128(&coin.amount)?;
        let have = self.bank.balance(account, &denom);
        if have < want {
            return Err(HostError::Other {
                description: format!(
                    "insufficient funds: {have}{denom} is smaller than {want}{denom}"
                ),
            });
        }
        Ok(())
    }
}

fn app_error(e: TokenTransferError) -> ChannelError {
    ChannelError::AppSpecific {
        description: e.to_string(),
    }
}

impl<S: IbcStore> TokenTransferValidationContext for TransferModule<'_, S> {
    type AccountId = String;

    fn sender_account(&self, sender: &Signer) -> Result<String, HostError> {
        self.bank
            .validate_address(sender.as_ref())
            .map_err(|e| HostError::invalid_state(format!("sender {sender}: {e}")))?;
        Ok(sender.to_string())
    }

    fn receiver_account(&self, receiver: &Signer) -> Result<String, HostError> {
        self.bank
            .validate_address(receiver.as_ref())
            .map_err(|e| HostError::invalid_state(format!("receiver {receiver}: {e}")))?;
        Ok(receiver.to_string())
    }

    fn get_port(&self) -> Result<PortId, HostError> {
        Ok(PortId::transfer())
    }

    fn can_send_coins(&self) -> Result<(), HostError> {
        Ok(())
    }

    fn can_receive_coins(&self) -> Result<(), HostError> {
        Ok(())
    }

    fn escrow_coins_validate(
        &self,
        from: &String,
        _port: &PortId,
        _channel: &ChannelId,
        coin: &PrefixedCoin,
        _memo: &Memo,
    ) -> Result<(), HostError> {
        self.has_balance(from, coin)
    }

    fn unescrow_coins_validate(
        &self,
        _to: &String,
        port: &PortId,
        channel: &ChannelId,
        coin: &PrefixedCoin,
    ) -> Result<(), HostError> {
        self.has_balance(&self.escrow(port, channel), coin)
    }

    fn mint_coins_validate(&self, _account: &String, coin: &PrefixedCoin) -> Result<(), HostError> {
        amount_u128(&coin.amount).map(|_| ())
    }

    fn burn_coins_validate(
        &self,
        account: &String,
        coin: &PrefixedCoin,
        _memo: &Memo,
    ) -> Result<(), HostError> {
        self.has_balance(account, coin)
    }

    fn denom_hash_string(&self, denom: &PrefixedDenom) -> Option<String> {
        (!denom.trace_path.is_empty()).then(|| bank_denom(denom))
    }
}

impl<S: IbcStore> TokenTransferExecutionContext for TransferModule<'_, S> {
    fn escrow_coins_execute(
        &mut self,
        from: &String,
        port: &PortId,
        channel: &ChannelId,
        coin: &PrefixedCoin,
        _memo: &Memo,
    ) -> Result<(), HostError> {
        let escrow = self.escrow(port, channel);
        let amount = amount_u128(&coin.amount)?;
        self.bank
            .send(from, &escrow, &bank_denom(&coin.denom), amount)
            .map_err(bank_err)
    }

    fn unescrow_coins_execute(
        &mut self,
        to: &String,
        port: &PortId,
        channel: &ChannelId,
        coin: &PrefixedCoin,
    ) -> Result<(), HostError> {
        let escrow = self.escrow(port, channel);
        let amount = amount_u128(&coin.amount)?;
        self.bank
            .send(&escrow, to, &bank_denom(&coin.denom), amount)
            .map_err(bank_err)
    }

    fn mint_coins_execute(
        &mut self,
        account: &String,
        coin: &PrefixedCoin,
    ) -> Result<(), HostError> {
        self.record_trace(&coin.denom);
        let amount = amount_u128(&coin.amount)?;
        self.bank
            .mint(account, &bank_denom(&coin.denom), amount)
            .map_err(bank_err)
    }

    fn burn_coins_execute(
        &mut self,
        account: &String,
        coin: &PrefixedCoin,
        _memo: &Memo,
    ) -> Result<(), HostError> {
        let amount = amount_u128(&coin.amount)?;
        self.bank
            .burn(account, &bank_denom(&coin.denom), amount)
            .map_err(bank_err)
    }
}

impl<S: IbcStore> Module for TransferModule<'_, S> {
    fn on_chan_open_init_validate(
        &self,
        order: Order,
        connection_hops: &[ConnectionId],
        port_id: &PortId,
        channel_id: &ChannelId,
        counterparty: &Counterparty,
        version: &ChannelVersion,
    ) -> Result<ChannelVersion, ChannelError> {
        ics20::on_chan_open_init_validate(
            self,
            order,
            connection_hops,
            port_id,
            channel_id,
            counterparty,
            version,
        )
        .map_err(app_error)?;
        Ok(ChannelVersion::new(VERSION.to_string()))
    }

    fn on_chan_open_init_execute(
        &mut self,
        order: Order,
        connection_hops: &[ConnectionId],
        port_id: &PortId,
        channel_id: &ChannelId,
        counterparty: &Counterparty,
        version: &ChannelVersion,
    ) -> Result<(ModuleExtras, ChannelVersion), ChannelError> {
        ics20::on_chan_open_init_execute(
            self,
            order,
            connection_hops,
            port_id,
            channel_id,
            counterparty,
            version,
        )
        .map_err(app_error)
    }

    fn on_chan_open_try_validate(
        &self,
        order: Order,
        connection_hops: &[ConnectionId],
        port_id: &PortId,
        channel_id: &ChannelId,
        counterparty: &Counterparty,
        counterparty_version: &ChannelVersion,
    ) -> Result<ChannelVersion, ChannelError> {
        ics20::on_chan_open_try_validate(
            self,
            order,
            connection_hops,
            port_id,
            channel_id,
            counterparty,
            counterparty_version,
        )
        .map_err(app_error)?;
        Ok(ChannelVersion::new(VERSION.to_string()))
    }

    fn on_chan_open_try_execute(
        &mut self,
        order: Order,
        connection_hops: &[ConnectionId],
        port_id: &PortId,
        channel_id: &ChannelId,
        counterparty: &Counterparty,
        counterparty_version: &ChannelVersion,
    ) -> Result<(ModuleExtras, ChannelVersion), ChannelError> {
        ics20::on_chan_open_try_execute(
            self,
            order,
            connection_hops,
            port_id,
            channel_id,
            counterparty,
            counterparty_version,
        )
        .map_err(app_error)
    }

    fn on_chan_open_ack_validate(
        &self,
        port_id: &PortId,
        channel_id: &ChannelId,
        counterparty_version: &ChannelVersion,
    ) -> Result<(), ChannelError> {
        ics20::on_chan_open_ack_validate(self, port_id, channel_id, counterparty_version)
            .map_err(app_error)
    }

    fn on_chan_open_ack_execute(
        &mut self,
        _port_id: &PortId,
        _channel_id: &ChannelId,
        _counterparty_version: &ChannelVersion,
    ) -> Result<ModuleExtras, ChannelError> {
        Ok(ModuleExtras::empty())
    }

    fn on_chan_open_confirm_validate(
        &self,
        port_id: &PortId,
        channel_id: &ChannelId,
    ) -> Result<(), ChannelError> {
        ics20::on_chan_open_confirm_validate(self, port_id, channel_id).map_err(app_error)
    }

    fn on_chan_open_confirm_execute(
        &mut self,
        _port_id: &PortId,
        _channel_id: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        Ok(ModuleExtras::empty())
    }

    fn on_chan_close_init_validate(
        &self,
        port_id: &PortId,
        channel_id: &ChannelId,
    ) -> Result<(), ChannelError> {
        // ICS-20 channels are not closed by a user (ibc-go refuses it too).
        ics20::on_chan_close_init_validate(self, port_id, channel_id).map_err(app_error)
    }

    fn on_chan_close_init_execute(
        &mut self,
        _port_id: &PortId,
        _channel_id: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        Ok(ModuleExtras::empty())
    }

    fn on_chan_close_confirm_validate(
        &self,
        _port_id: &PortId,
        _channel_id: &ChannelId,
    ) -> Result<(), ChannelError> {
        Ok(())
    }

    fn on_chan_close_confirm_execute(
        &mut self,
        _port_id: &PortId,
        _channel_id: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        Ok(ModuleExtras::empty())
    }

    fn on_recv_packet_execute(
        &mut self,
        packet: &Packet,
        _relayer: &Signer,
    ) -> (ModuleExtras, Option<Acknowledgement>) {
        let (extras, ack) = ics20::on_recv_packet_execute(self, packet);
        (extras, Some(ack))
    }

    fn on_acknowledgement_packet_validate(
        &self,
        packet: &Packet,
        acknowledgement: &Acknowledgement,
        relayer: &Signer,
    ) -> Result<(), ChannelError> {
        ics20::on_acknowledgement_packet_validate(self, packet, acknowledgement, relayer)
            .map_err(app_error)
    }

    fn on_acknowledgement_packet_execute(
        &mut self,
        packet: &Packet,
        acknowledgement: &Acknowledgement,
        relayer: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        let (extras, r) =
            ics20::on_acknowledgement_packet_execute(self, packet, acknowledgement, relayer);
        (extras, r.map_err(app_error))
    }

    fn on_timeout_packet_validate(
        &self,
        packet: &Packet,
        relayer: &Signer,
    ) -> Result<(), ChannelError> {
        ics20::on_timeout_packet_validate(self, packet, relayer).map_err(app_error)
    }

    fn on_timeout_packet_execute(
        &mut self,
        packet: &Packet,
        relayer: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        let (extras, r) = ics20::on_timeout_packet_execute(self, packet, relayer);
        (extras, r.map_err(app_error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starminer_wasm_host::MemStore;

    #[test]
    fn a_voucher_is_named_by_the_hash_ibc_go_gives_its_trace() {
        // ATOM over Osmosis' channel-0, as every wallet knows it.
        let d: PrefixedDenom = "transfer/channel-0/uatom".parse().unwrap();
        assert_eq!(
            bank_denom(&d),
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
        );
        let native: PrefixedDenom = "ustar".parse().unwrap();
        assert_eq!(bank_denom(&native), "ustar");
    }

    #[test]
    fn a_recorded_trace_is_found_by_its_hash_with_or_without_the_prefix() {
        let mut store = MemStore::default();
        let full = "transfer/channel-3/transfer/channel-0/uatom";
        let mut key = TRACE_PREFIX.to_vec();
        key.extend_from_slice(trace_hash(full).as_bytes());
        store.set(&key, full.as_bytes());
        let hash = trace_hash(full);
        assert_eq!(trace_of(&store, &hash).as_deref(), Some(full));
        assert_eq!(
            trace_of(&store, &format!("ibc/{hash}")).as_deref(),
            Some(full)
        );
        assert_eq!(
            trace_of(&store, &hash.to_ascii_lowercase()).as_deref(),
            Some(full)
        );
        assert_eq!(trace_of(&store, &"00".repeat(32)), None);
        assert_eq!(traces(&store), vec![full.to_string()]);
    }
}
