//! One OpenCL device ready to run templates: its context, an in-order queue
//! and a cache of built programs (each template's source is compiled once per
//! device, on first use).

use std::collections::HashMap;
use std::sync::Mutex;

use ocl::enums::{DeviceInfo, DeviceInfoResult};
use ocl::{Buffer, Context, Device, MemFlags, OclPrm, Platform, Program, Queue};

use crate::{Result, TemplateError, TemplateInfo};

pub struct ClDevice {
    platform: Platform,
    device: Device,
    context: Context,
    queue: Queue,
    build_options: String,
    programs: Mutex<HashMap<&'static str, Program>>,
}

impl std::fmt::Debug for ClDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClDevice")
            .field("name", &self.name())
            .finish()
    }
}

/// Every (platform, device) pair the OpenCL ICD loader knows. Empty when no
/// platform is installed (which `ocl` reports as an error).
pub fn list_devices() -> Vec<(Platform, Device)> {
    let Ok(platforms) = std::panic::catch_unwind(Platform::list) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for platform in platforms {
        if let Ok(devices) = Device::list_all(platform) {
            out.extend(devices.into_iter().map(|d| (platform, d)));
        }
    }
    out
}

impl ClDevice {
    pub fn new(platform: Platform, device: Device) -> Result<ClDevice> {
        let context = Context::builder()
            .platform(platform)
            .devices(device)
            .build()?;
        let queue = Queue::new(&context, device, None)?;
        // Division and sqrt must be correctly rounded for the path tracer's
        // results to agree across devices; the flag is only legal where the
        // device reports support (GPUs; CPU devices are correctly rounded).
        let mut build_options = String::from("-cl-std=CL1.2");
        if let Ok(DeviceInfoResult::SingleFpConfig(cfg)) = device.info(DeviceInfo::SingleFpConfig) {
            if cfg.contains(ocl::flags::DeviceFpConfig::CORRECTLY_ROUNDED_DIVIDE_SQRT) {
                build_options.push_str(" -cl-fp32-correctly-rounded-divide-sqrt");
            }
        }
        Ok(ClDevice {
            platform,
            device,
            context,
            queue,
            build_options,
            programs: Mutex::new(HashMap::new()),
        })
    }

    /// The first device of the first platform, `None` when there is no
    /// OpenCL platform at all.
    pub fn first() -> Result<Option<ClDevice>> {
        match list_devices().into_iter().next() {
            Some((p, d)) => Ok(Some(ClDevice::new(p, d)?)),
            None => Ok(None),
        }
    }

    pub fn device(&self) -> Device {
        self.device
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    pub fn name(&self) -> String {
        self.device
            .name()
            .unwrap_or_else(|_| "unknown device".into())
    }

    /// The built program of `info`'s kernel source on this device (cached).
    pub fn program(&self, info: &'static TemplateInfo) -> Result<Program> {
        self.program_from_source(info.id, info.kernel_source)
    }

    /// Builds `source` once per device and caches it under `key` (templates
    /// use their id; other users such as the agent's benchmarks their own).
    pub fn program_from_source(&self, key: &'static str, source: &'static str) -> Result<Program> {
        let mut cache = self
            .programs
            .lock()
            .map_err(|_| TemplateError::OpenCl("program cache poisoned".into()))?;
        if let Some(p) = cache.get(key) {
            return Ok(p.clone());
        }
        let program = Program::builder()
            .src(source)
            .devices(self.device)
            .cmplr_opt(self.build_options.as_str())
            .build(&self.context)
            .map_err(|e| TemplateError::OpenCl(format!("building {key}: {e}")))?;
        tracing::debug!(program = key, device = %self.name(), "built kernel program");
        cache.insert(key, program.clone());
        Ok(program)
    }

    /// A read-only device buffer holding `data` (at least one element, as
    /// OpenCL forbids empty buffers).
    pub fn upload<T: OclPrm>(&self, data: &[T]) -> Result<Buffer<T>> {
        if data.is_empty() {
            return self.scratch(1);
        }
        Buffer::<T>::builder()
            .queue(self.queue.clone())
            .flags(MemFlags::new().read_only().copy_host_ptr())
            .len(data.len())
            .copy_host_slice(data)
            .build()
            .map_err(|e| TemplateError::OpenCl(format!("uploading {} elements: {e}", data.len())))
    }

    /// A read-write device buffer of `len` elements (zero-filled).
    pub fn scratch<T: OclPrm>(&self, len: usize) -> Result<Buffer<T>> {
        Buffer::<T>::builder()
            .queue(self.queue.clone())
            .flags(MemFlags::new().read_write())
            .len(len.max(1))
            .fill_val(T::default())
            .build()
            .map_err(|e| TemplateError::OpenCl(format!("allocating {len} elements: {e}")))
    }

    /// A write-only device buffer of `len` elements for a kernel that writes
    /// every element (not initialised).
    pub fn output<T: OclPrm>(&self, len: usize) -> Result<Buffer<T>> {
        Buffer::<T>::builder()
            .queue(self.queue.clone())
            .flags(MemFlags::new().write_only())
            .len(len.max(1))
            .build()
            .map_err(|e| TemplateError::OpenCl(format!("allocating {len} elements: {e}")))
    }

    /// Reads `len` elements of `buf` back to the host.
    pub fn download<T: OclPrm>(&self, buf: &Buffer<T>, len: usize) -> Result<Vec<T>> {
        let mut out = vec![T::default(); len];
        if len > 0 {
            buf.read(&mut out).len(len).enq()?;
        }
        Ok(out)
    }
}
