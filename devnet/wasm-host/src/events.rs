//! The events the wasm module emits, named and shaped as wasmd names them.

use cosmwasm_std::{Addr, Attribute, Event};

use crate::error::HostError;

/// Attribute key of the contract that emitted an event.
pub const ATTR_CONTRACT_ADDR: &str = "_contract_address";
/// Attribute key of a code id.
pub const ATTR_CODE_ID: &str = "code_id";
/// Prefix of contract-defined event types.
pub const CUSTOM_EVENT_PREFIX: &str = "wasm-";
/// wasmd reserves attribute keys starting with `_` for itself.
const RESERVED_PREFIX: char = '_';
/// wasmd rejects custom event types of this length or shorter.
const EVENT_TYPE_MIN_LENGTH: usize = 2;

/// An attribute built without cosmwasm-std's debug check, which rejects the
/// `_`-prefixed keys that only the chain itself may set.
fn attr(key: impl Into<String>, value: impl Into<String>) -> Attribute {
    Attribute {
        key: key.into(),
        value: value.into(),
    }
}

fn event(ty: impl Into<String>, attributes: Vec<Attribute>) -> Event {
    let mut e = Event::new(ty);
    e.attributes = attributes;
    e
}

/// Validates and trims a contract's attributes and puts `_contract_address` first.
fn contract_attributes(
    contract: &Addr,
    attributes: &[Attribute],
) -> Result<Vec<Attribute>, HostError> {
    let invalid = |reason: String| HostError::InvalidEvent {
        contract: contract.to_string(),
        reason,
    };
    let mut out = Vec::with_capacity(attributes.len() + 1);
    out.push(attr(ATTR_CONTRACT_ADDR, contract.as_str()));
    for a in attributes {
        let key = a.key.trim();
        if key.is_empty() {
            return Err(invalid(format!("empty attribute key, value {:?}", a.value)));
        }
        if key.starts_with(RESERVED_PREFIX) {
            return Err(invalid(format!(
                "attribute key {key:?} starts with the reserved prefix '_'"
            )));
        }
        out.push(attr(key, a.value.trim()));
    }
    Ok(out)
}

/// The `wasm` event carrying a response's attributes.
pub fn wasm_event(contract: &Addr, attributes: &[Attribute]) -> Result<Event, HostError> {
    Ok(event("wasm", contract_attributes(contract, attributes)?))
}

/// A contract-defined event, emitted as `wasm-<type>`.
pub fn custom_event(contract: &Addr, event: &Event) -> Result<Event, HostError> {
    let ty = event.ty.trim();
    if ty.len() <= EVENT_TYPE_MIN_LENGTH {
        return Err(HostError::InvalidEvent {
            contract: contract.to_string(),
            reason: format!("event type too short: {ty:?}"),
        });
    }
    Ok(self::event(
        format!("{CUSTOM_EVENT_PREFIX}{ty}"),
        contract_attributes(contract, &event.attributes)?,
    ))
}

pub fn instantiate_event(contract: &Addr, code_id: u64) -> Event {
    event(
        "instantiate",
        vec![
            attr(ATTR_CONTRACT_ADDR, contract.as_str()),
            attr(ATTR_CODE_ID, code_id.to_string()),
        ],
    )
}

pub fn execute_event(contract: &Addr) -> Event {
    event("execute", vec![attr(ATTR_CONTRACT_ADDR, contract.as_str())])
}

pub fn migrate_event(contract: &Addr, new_code_id: u64) -> Event {
    event(
        "migrate",
        vec![
            attr(ATTR_CODE_ID, new_code_id.to_string()),
            attr(ATTR_CONTRACT_ADDR, contract.as_str()),
        ],
    )
}

pub fn reply_event(contract: &Addr) -> Event {
    event("reply", vec![attr(ATTR_CONTRACT_ADDR, contract.as_str())])
}

pub fn update_admin_event(contract: &Addr, new_admin: Option<&Addr>) -> Event {
    event(
        "update_contract_admin",
        vec![
            attr(ATTR_CONTRACT_ADDR, contract.as_str()),
            attr("new_admin_address", new_admin.map_or("", Addr::as_str)),
        ],
    )
}

pub fn store_code_event(checksum_hex: &str, code_id: u64, capabilities: &[String]) -> Event {
    let mut e = Event::new("store_code")
        .add_attribute("code_checksum", checksum_hex)
        .add_attribute(ATTR_CODE_ID, code_id.to_string());
    for c in capabilities {
        e = e.add_attribute("required_capability", c);
    }
    e
}

pub fn pin_code_event(code_id: u64) -> Event {
    Event::new("pin_code").add_attribute(ATTR_CODE_ID, code_id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_event_puts_contract_address_first_and_rejects_reserved_keys() {
        let c = Addr::unchecked("c");
        let e = wasm_event(&c, &[Attribute::new(" action ", "transfer ")]).unwrap();
        assert_eq!(e.ty, "wasm");
        assert_eq!(e.attributes[0], attr("_contract_address", "c"));
        assert_eq!(e.attributes[1], Attribute::new("action", "transfer"));
        assert!(wasm_event(&c, &[attr("_x", "1")]).is_err());
        assert!(wasm_event(&c, &[Attribute::new(" ", "1")]).is_err());
    }

    #[test]
    fn custom_event_is_prefixed_and_needs_a_real_type() {
        let c = Addr::unchecked("c");
        let e = custom_event(&c, &Event::new("job").add_attribute("id", "7")).unwrap();
        assert_eq!(e.ty, "wasm-job");
        assert_eq!(e.attributes[0].key, "_contract_address");
        assert!(custom_event(&c, &Event::new("ab")).is_err());
    }
}
