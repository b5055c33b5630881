//! Templates whose output is a row-major array of independent rows (image
//! rows, rows of C, batch items, blocks of words). Any range of rows can be
//! computed alone, so a chunk is recomputed by computing the rows it
//! overlaps and cutting its bytes out; the whole job runs in bands of rows so
//! that progress can be reported.

use std::ops::Range;

use crate::{
    chunk_range, ClDevice, Params, Progress, Result, Template, TemplateError, TemplateInfo,
    MAX_OUTPUT_BYTES,
};

pub(crate) trait RowKernel: Sync + Send {
    fn info(&self) -> &'static TemplateInfo;

    /// `(rows, bytes per row)` of the output.
    fn shape(&self, params: &Params) -> (u64, u64);

    /// Checks the input blob against the parameters (size, format).
    fn check_input(&self, _params: &Params, _input: &[u8]) -> Result<()> {
        Ok(())
    }

    /// Cross-parameter checks beyond the output size.
    fn check_params(&self, _params: &Params) -> Result<()> {
        Ok(())
    }

    /// Rows per kernel launch when running the whole job.
    fn band_rows(&self, params: &Params) -> u64 {
        self.shape(params).0.div_ceil(16).max(1)
    }

    fn gpu_rows(
        &self,
        device: &ClDevice,
        params: &Params,
        input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>>;

    fn cpu_rows(&self, params: &Params, input: &[u8], rows: Range<u64>) -> Result<Vec<u8>>;

    fn preview_png(&self, _params: &Params, _output: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }
}

/// Adapts a [`RowKernel`] into a [`Template`].
pub(crate) struct Rows<K>(pub K);

impl<K: RowKernel> Template for Rows<K> {
    fn info(&self) -> &'static TemplateInfo {
        self.0.info()
    }

    fn check(&self, params: &Params) -> Result<()> {
        let len = self.output_len(params)?;
        if len > MAX_OUTPUT_BYTES {
            return Err(TemplateError::OutputTooLarge(len));
        }
        self.0.check_params(params)
    }

    fn output_len(&self, params: &Params) -> Result<u64> {
        let (rows, row_bytes) = self.0.shape(params);
        rows.checked_mul(row_bytes)
            .ok_or(TemplateError::OutputTooLarge(u64::MAX))
    }

    fn run(
        &self,
        device: &ClDevice,
        params: &Params,
        input: &[u8],
        progress: Progress,
    ) -> Result<Vec<u8>> {
        self.check(params)?;
        self.0.check_input(params, input)?;
        let (rows, _) = self.0.shape(params);
        let band = self.0.band_rows(params).max(1);
        let mut out = Vec::with_capacity(usize::try_from(self.output_len(params)?).unwrap_or(0));
        let mut start = 0;
        while start < rows {
            let end = (start + band).min(rows);
            out.extend_from_slice(&self.0.gpu_rows(device, params, input, start..end)?);
            progress(end, rows);
            start = end;
        }
        Ok(out)
    }

    fn recompute_chunk(
        &self,
        device: &ClDevice,
        params: &Params,
        input: &[u8],
        index: u64,
        _previous_chunk: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        self.check(params)?;
        self.0.check_input(params, input)?;
        let (rows, row_bytes) = self.0.shape(params);
        let bytes = chunk_range(rows * row_bytes, self.info().chunk_size, index)?;
        let first_row = bytes.start / row_bytes;
        let end_row = bytes.end.div_ceil(row_bytes);
        let computed = self.0.gpu_rows(device, params, input, first_row..end_row)?;
        let offset = (bytes.start - first_row * row_bytes) as usize;
        let len = (bytes.end - bytes.start) as usize;
        Ok(computed[offset..offset + len].to_vec())
    }

    fn cpu_reference(&self, params: &Params, input: &[u8]) -> Result<Vec<u8>> {
        self.check(params)?;
        self.0.check_input(params, input)?;
        let (rows, _) = self.0.shape(params);
        self.0.cpu_rows(params, input, 0..rows)
    }

    fn preview_png(&self, params: &Params, output: &[u8]) -> Result<Option<Vec<u8>>> {
        self.0.preview_png(params, output)
    }
}

/// Encodes an 8-bit image, indexed with `palette` (RGB triples) when given,
/// else RGB8 (`pixels` holds 3 bytes per pixel).
pub(crate) fn encode_png(
    width: u32,
    height: u32,
    pixels: &[u8],
    palette: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_depth(png::BitDepth::Eight);
        match palette {
            Some(p) => {
                enc.set_color(png::ColorType::Indexed);
                enc.set_palette(p.to_vec());
            }
            None => enc.set_color(png::ColorType::Rgb),
        }
        let mut writer = enc
            .write_header()
            .map_err(|e| TemplateError::Png(e.to_string()))?;
        writer
            .write_image_data(pixels)
            .map_err(|e| TemplateError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// Splits `rows` into pieces for the CPU reference's threads.
pub(crate) fn par_rows<F>(rows: Range<u64>, row_bytes: u64, f: F) -> Vec<u8>
where
    F: Fn(u64, &mut [u8]) + Sync,
{
    use rayon::prelude::*;
    let mut out = vec![0u8; ((rows.end - rows.start) * row_bytes) as usize];
    out.par_chunks_mut(row_bytes as usize)
        .enumerate()
        .for_each(|(i, row)| f(rows.start + i as u64, row));
    out
}
