//! ICS-26: which application owns a port: ICS-20 owns `transfer`, and each
//! IBC-enabled contract its `wasm.<address>`.

use std::borrow::Borrow;

use ibc::core::host::types::identifiers::PortId;
use ibc::core::router::module::Module;
use ibc::core::router::router::Router;
use ibc::core::router::types::module::ModuleId;

use crate::context::IbcStore;
use crate::transfer::TransferModule;
use crate::wasm::WasmModule;

const TRANSFER: &str = "transfer";

/// The applications bound to this chain's ports, for one message.
pub(crate) struct HostRouter<'b, S: IbcStore> {
    pub transfer: TransferModule<'b, S>,
    pub wasm: WasmModule<'b, S>,
}

impl<S: IbcStore> Router for HostRouter<'_, S> {
    fn get_route(&self, module_id: &ModuleId) -> Option<&dyn Module> {
        let id: &str = module_id.borrow();
        if id == TRANSFER {
            Some(&self.transfer)
        } else if self.wasm.serves(id) {
            Some(&self.wasm)
        } else {
            None
        }
    }

    fn get_route_mut(&mut self, module_id: &ModuleId) -> Option<&mut dyn Module> {
        let id: &str = module_id.borrow();
        if id == TRANSFER {
            Some(&mut self.transfer)
        } else if self.wasm.serves(id) {
            Some(&mut self.wasm)
        } else {
            None
        }
    }

    fn lookup_module(&self, port_id: &PortId) -> Option<ModuleId> {
        let port = port_id.as_str();
        (port == TRANSFER || self.wasm.serves(port)).then(|| ModuleId::new(port.to_string()))
    }
}
