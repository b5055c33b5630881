//! ICS-26: which application owns a port.

use std::borrow::Borrow;

use ibc::core::host::types::identifiers::PortId;
use ibc::core::router::module::Module;
use ibc::core::router::router::Router;
use ibc::core::router::types::module::ModuleId;

use crate::context::IbcStore;
use crate::transfer::TransferModule;

const TRANSFER: &str = "transfer";

/// The applications bound to this chain's ports, for one message.
pub(crate) struct HostRouter<'b, S: IbcStore> {
    pub transfer: TransferModule<'b, S>,
}

impl<S: IbcStore> Router for HostRouter<'_, S> {
    fn get_route(&self, module_id: &ModuleId) -> Option<&dyn Module> {
        let id: &str = module_id.borrow();
        (id == TRANSFER).then_some(&self.transfer as &dyn Module)
    }

    fn get_route_mut(&mut self, module_id: &ModuleId) -> Option<&mut dyn Module> {
        let id: &str = module_id.borrow();
        if id == TRANSFER {
            Some(&mut self.transfer)
        } else {
            None
        }
    }

    fn lookup_module(&self, port_id: &PortId) -> Option<ModuleId> {
        (port_id.as_str() == TRANSFER).then(|| ModuleId::new(TRANSFER.to_string()))
    }
}
