// The page side of the headless Keplr, bundled for the browser by
// headless-keplr.mjs and run before the page's own scripts (as the
// extension's injected script is): Keplr's own InjectedKeplr as
// window.keplr, and the content script's one duty, carrying its proxy
// requests to the extension's side (here the test, through a binding the
// test exposes) whose answers come back as window messages.
import { InjectedKeplr, injectKeplrToWindow } from "@keplr-wallet/provider/build/inject";

// The arguments the extension passes: no meta id, version, mode, no
// Starknet listeners, the default window message bridge, no EIP-6963
// announcement, and the Starknet provider's name (which the constructor reads).
injectKeplrToWindow(
  new InjectedKeplr(undefined, "0.12.313", "extension", () => {}, () => {}, undefined, undefined, undefined, {
    id: "keplr",
    name: "Keplr",
    icon: "",
  }),
);
window.addEventListener("message", (e) => {
  if (e.source === window && e.data && e.data.type === "proxy-request") {
    window.__starminerKeplrBackground(JSON.stringify(e.data));
  }
});
