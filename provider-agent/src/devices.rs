//! OpenCL device inventory: what the agent reports to the registry as its
//! hardware profile (vendor, name, compute units, memory, clock, versions).

use ocl::enums::{DeviceInfo, DeviceInfoResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct DeviceReport {
    /// Index in discovery order (what `--device` takes).
    pub index: usize,
    pub platform: String,
    pub platform_version: String,
    pub vendor: String,
    pub name: String,
    pub device_type: String,
    pub compute_units: u32,
    pub global_memory_bytes: u64,
    pub max_alloc_bytes: u64,
    pub local_memory_bytes: u64,
    pub max_clock_mhz: u32,
    pub max_work_group_size: usize,
    pub opencl_version: String,
    pub driver_version: String,
}

fn info_string(d: &ocl::Device, what: DeviceInfo) -> String {
    d.info(what).map(|v| v.to_string()).unwrap_or_default()
}

/// Every OpenCL device, in discovery order; empty when none is installed.
pub fn discover() -> Vec<DeviceReport> {
    starminer_templates::list_devices()
        .into_iter()
        .enumerate()
        .map(|(index, (platform, d))| {
            let num = |what| match d.info(what) {
                Ok(DeviceInfoResult::MaxComputeUnits(v)) => u64::from(v),
                Ok(DeviceInfoResult::GlobalMemSize(v)) => v,
                Ok(DeviceInfoResult::MaxMemAllocSize(v)) => v,
                Ok(DeviceInfoResult::LocalMemSize(v)) => v,
                Ok(DeviceInfoResult::MaxClockFrequency(v)) => u64::from(v),
                Ok(DeviceInfoResult::MaxWorkGroupSize(v)) => v as u64,
                _ => 0,
            };
            DeviceReport {
                index,
                platform: platform.name().unwrap_or_default(),
                platform_version: platform.version().unwrap_or_default(),
                vendor: info_string(&d, DeviceInfo::Vendor),
                name: d.name().unwrap_or_default(),
                device_type: info_string(&d, DeviceInfo::Type),
                compute_units: num(DeviceInfo::MaxComputeUnits) as u32,
                global_memory_bytes: num(DeviceInfo::GlobalMemSize),
                max_alloc_bytes: num(DeviceInfo::MaxMemAllocSize),
                local_memory_bytes: num(DeviceInfo::LocalMemSize),
                max_clock_mhz: num(DeviceInfo::MaxClockFrequency) as u32,
                max_work_group_size: num(DeviceInfo::MaxWorkGroupSize) as usize,
                opencl_version: info_string(&d, DeviceInfo::Version),
                driver_version: info_string(&d, DeviceInfo::DriverVersion),
            }
        })
        .collect()
}

/// A human table of `devices`.
pub fn table(devices: &[DeviceReport]) -> String {
    let mut out = String::new();
    for d in devices {
        out.push_str(&format!(
            "[{}] {} ({})\n    platform: {} — {}\n    type: {}, compute units: {}, max clock: {} MHz\n    global memory: {:.2} GiB (max allocation {:.2} GiB), local memory: {} KiB, max work-group: {}\n    {}; driver {}\n",
            d.index,
            d.name,
            d.vendor,
            d.platform,
            d.platform_version,
            d.device_type,
            d.compute_units,
            d.max_clock_mhz,
            d.global_memory_bytes as f64 / (1u64 << 30) as f64,
            d.max_alloc_bytes as f64 / (1u64 << 30) as f64,
            d.local_memory_bytes / 1024,
            d.max_work_group_size,
            d.opencl_version,
            d.driver_version,
        ));
    }
    out
}
