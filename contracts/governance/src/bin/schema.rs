fn main() {
    starminer_contract_kit::write_schema!(starminer_interfaces::governance, receive);
}
