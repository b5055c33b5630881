//! The on-disk result files ([`ResultStore`]): computed outputs survive restarts so that chunks can be
//! served to verifiers until settlement.
//!
//! Layout, one directory per result under the store root:
//!
//! ```text
//! <root>/<id>/output.bin    the output bytes
//! <root>/<id>/preview.png   optional, for image templates
//! <root>/<id>/meta.json     template, parameters, chunking, root and leaves
//! ```
//!
//! Every file is written to a temporary name, synced and renamed, and
//! `meta.json` is written last: a directory without it is an interrupted
//! write and is ignored (and reported) on open.
//!
//! A result submitted with a forced-error pair ([`crate::decoy`]) also has
//! the false tree (rebuilt on open from `meta.json`'s decoy index and the
//! output) and the [`DecoyView`] that says which tree the server shows.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use anyhow::{bail, ensure, Context, Result};
use serde::{Deserialize, Serialize};
use starminer_merkle::{Hash, MerkleTree};

use crate::decoy::{altered_chunk, false_tree, DecoyView, Tree};

const META: &str = "meta.json";
const OUTPUT: &str = "output.bin";
const PREVIEW: &str = "preview.png";

/// What is known about a stored result (`meta.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResultMeta {
    pub id: String,
    pub template: String,
    /// Canonical parameter text.
    pub params: String,
    pub kernel_sha256: String,
    pub chunk_size: u64,
    pub chunk_count: u64,
    pub output_size: u64,
    /// Hex Merkle root.
    pub root: String,
    pub device: String,
    pub created_at_unix: u64,
    pub has_preview: bool,
}

#[derive(Serialize, Deserialize)]
struct MetaFile {
    #[serde(flatten)]
    meta: ResultMeta,
    /// Hex leaf hashes, in chunk order.
    leaves: Vec<String>,
    /// The forced-error pair this result was submitted with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decoy: Option<DecoyState>,
}

/// The stored part of a forced-error pair (the salt stays in the agent's
/// database: this store's files say nothing a verifier could use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecoyState {
    /// The leaf where the trees differ.
    pub index: u64,
    /// The tree whose root was submitted (the server shows its root before
    /// the draw).
    pub submitted: Tree,
    pub view: DecoyView,
}

/// A result's forced-error pair: the false tree and what is shown.
#[derive(Debug)]
pub struct StoredDecoy {
    pub false_tree: MerkleTree,
    state: RwLock<DecoyState>,
}

impl StoredDecoy {
    pub fn state(&self) -> DecoyState {
        match self.state.read() {
            Ok(s) => *s,
            Err(p) => *p.into_inner(),
        }
    }
}

/// Why the server does not serve a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withheld {
    /// The forced-error pair is sealed: the agent has not seen which tree
    /// the verifiers check yet (retry shortly).
    Sealed,
    /// The asked root is not one this result serves now.
    OtherRoot { asked: String, served: String },
}

/// A result loaded from the store: metadata plus the whole tree in memory
/// (64 bytes per chunk) for proofs; output bytes stay on disk. `meta.root`
/// and `tree` are always the true output's.
#[derive(Debug)]
pub struct StoredResult {
    pub meta: ResultMeta,
    pub tree: MerkleTree,
    dir: PathBuf,
    decoy: OnceLock<StoredDecoy>,
}

impl StoredResult {
    pub fn output_path(&self) -> PathBuf {
        self.dir.join(OUTPUT)
    }

    pub fn preview_path(&self) -> Option<PathBuf> {
        self.meta.has_preview.then(|| self.dir.join(PREVIEW))
    }

    /// Reads `len` bytes at `offset` of the output.
    pub fn read_range(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        ensure!(
            offset
                .checked_add(len)
                .is_some_and(|end| end <= self.meta.output_size),
            "range {offset}+{len} is outside the {}-byte output",
            self.meta.output_size
        );
        let file = File::open(self.output_path())?;
        let mut buf = vec![0u8; len as usize];
        file.read_exact_at(&mut buf, offset)?;
        Ok(buf)
    }

    /// The bytes of chunk `index`, `None` when it does not exist.
    pub fn chunk(&self, index: u64) -> Result<Option<Vec<u8>>> {
        if index >= self.meta.chunk_count {
            return Ok(None);
        }
        let start = index * self.meta.chunk_size;
        let end = (start + self.meta.chunk_size).min(self.meta.output_size);
        self.read_range(start, end - start).map(Some)
    }

    /// The forced-error pair, if the result was submitted with one.
    pub fn decoy(&self) -> Option<&StoredDecoy> {
        self.decoy.get()
    }

    /// The tree `which` (the true one when there is no pair).
    pub fn tree_of(&self, which: Tree) -> &MerkleTree {
        match (which, self.decoy()) {
            (Tree::False, Some(d)) => &d.false_tree,
            _ => &self.tree,
        }
    }

    /// Hex root of tree `which`.
    pub fn root_of(&self, which: Tree) -> String {
        match which {
            Tree::True => self.meta.root.clone(),
            Tree::False => hex::encode(self.tree_of(which).root()),
        }
    }

    /// Which tree has root `root` (hex, any case): what the daemon proves
    /// challenged chunks against (the chain's current root).
    pub fn tree_for_root(&self, root: &str) -> Option<Tree> {
        if root.eq_ignore_ascii_case(&self.meta.root) {
            return Some(Tree::True);
        }
        let d = self.decoy()?;
        root.eq_ignore_ascii_case(&hex::encode(d.false_tree.root()))
            .then_some(Tree::False)
    }

    /// Chunk `index` as tree `which` has it: for the false tree, the decoy
    /// chunk altered.
    pub fn chunk_in(&self, which: Tree, index: u64) -> Result<Option<Vec<u8>>> {
        let data = self.chunk(index)?;
        match (which, self.decoy()) {
            (Tree::False, Some(d)) if d.state().index == index => {
                Ok(data.map(|c| altered_chunk(&c)))
            }
            _ => Ok(data),
        }
    }

    /// The tree whose chunks and proofs the server answers with, asked for
    /// `asked` (a hex root, or any when `None`): a result without a pair
    /// serves its tree; a sealed pair nothing; a designated pair that tree
    /// only; an opened pair the true tree, or the false one by its root.
    pub fn tree_to_serve(&self, asked: Option<&str>) -> Result<Tree, Withheld> {
        let which = match self.decoy().map(|d| d.state().view) {
            None => Tree::True,
            Some(DecoyView::Sealed) => return Err(Withheld::Sealed),
            Some(DecoyView::Designated(t)) => t,
            Some(DecoyView::Open) => match asked.and_then(|r| self.tree_for_root(r)) {
                Some(t) => t,
                None => Tree::True,
            },
        };
        match asked {
            Some(root) if !root.eq_ignore_ascii_case(&self.root_of(which)) => {
                Err(Withheld::OtherRoot {
                    asked: root.to_string(),
                    served: self.root_of(which),
                })
            }
            _ => Ok(which),
        }
    }

    /// Whether the whole output (and the preview) may be served: always,
    /// except while a forced-error pair is unrevealed (they would tell the
    /// true tree).
    pub fn output_open(&self) -> bool {
        self.decoy()
            .is_none_or(|d| d.state().view == DecoyView::Open)
    }

    /// The metadata the server shows: while a pair is unrevealed, `root` is
    /// the root the chain shows (submitted, then designated), never the
    /// true one.
    pub fn public_meta(&self) -> ResultMeta {
        let mut meta = self.meta.clone();
        if let Some(d) = self.decoy() {
            let s = d.state();
            match s.view {
                DecoyView::Sealed => meta.root = self.root_of(s.submitted),
                DecoyView::Designated(t) => meta.root = self.root_of(t),
                DecoyView::Open => {}
            }
        }
        meta
    }

    fn meta_file(&self) -> MetaFile {
        MetaFile {
            meta: self.meta.clone(),
            leaves: (0..self.tree.leaf_count())
                .filter_map(|i| self.tree.leaf(i).map(hex::encode))
                .collect(),
            decoy: self.decoy().map(|d| d.state()),
        }
    }
}

/// A valid result id: 1–128 characters of `[A-Za-z0-9._-]`, not starting
/// with a dot (ids name directories).
pub fn validate_id(id: &str) -> Result<()> {
    ensure!(
        !id.is_empty()
            && id.len() <= 128
            && !id.starts_with('.')
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'),
        "result id `{id}` must be 1-128 characters of A-Z a-z 0-9 . _ - and not start with a dot"
    );
    Ok(())
}

pub struct ResultStore {
    root: PathBuf,
    results: RwLock<BTreeMap<String, Arc<StoredResult>>>,
    /// Serialises rewrites of `meta.json` (forced-error pair updates).
    writing: Mutex<()>,
}

/// What to store for one result.
pub struct NewResult<'a> {
    pub id: &'a str,
    pub template: &'a str,
    pub params: &'a str,
    pub kernel_sha256: &'a str,
    pub chunk_size: u64,
    pub device: &'a str,
    pub output: &'a [u8],
    pub tree: &'a MerkleTree,
    pub preview_png: Option<&'a [u8]>,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)?.sync_all()?;
    Ok(())
}

impl ResultStore {
    /// Opens (creating if needed) the store at `root` and loads every
    /// complete result, checking each one's leaves against its root and its
    /// output's size.
    pub fn open(root: impl Into<PathBuf>) -> Result<ResultStore> {
        let root = root.into();
        fs::create_dir_all(&root)
            .with_context(|| format!("creating result store {}", root.display()))?;
        let mut results = BTreeMap::new();
        for entry in fs::read_dir(&root)? {
            let dir = entry?.path();
            if !dir.is_dir() {
                continue;
            }
            if !dir.join(META).exists() {
                tracing::warn!(dir = %dir.display(), "ignoring an incomplete result (no meta.json: interrupted write)");
                continue;
            }
            match Self::load(&dir) {
                Ok(r) => {
                    results.insert(r.meta.id.clone(), Arc::new(r));
                }
                Err(e) => tracing::warn!(dir = %dir.display(), "ignoring a damaged result: {e:#}"),
            }
        }
        tracing::info!(store = %root.display(), results = results.len(), "opened result store");
        Ok(ResultStore {
            root,
            results: RwLock::new(results),
            writing: Mutex::new(()),
        })
    }

    fn load(dir: &Path) -> Result<StoredResult> {
        let text = fs::read(dir.join(META))?;
        let file: MetaFile = serde_json::from_slice(&text).context("parsing meta.json")?;
        let leaves = file
            .leaves
            .iter()
            .map(|h| {
                let bytes = hex::decode(h)?;
                <Hash>::try_from(bytes.as_slice())
                    .map_err(|_| anyhow::anyhow!("leaf is not 32 bytes"))
            })
            .collect::<Result<Vec<Hash>>>()?;
        ensure!(
            leaves.len() as u64 == file.meta.chunk_count,
            "leaf count differs from chunk count"
        );
        let tree = MerkleTree::from_leaves(leaves).context("no leaves")?;
        ensure!(
            hex::encode(tree.root()) == file.meta.root,
            "leaves do not lead to the stored root"
        );
        let size = fs::metadata(dir.join(OUTPUT))?.len();
        ensure!(
            size == file.meta.output_size,
            "output.bin is {size} bytes, meta.json says {}",
            file.meta.output_size
        );
        let result = StoredResult {
            meta: file.meta,
            tree,
            dir: dir.to_path_buf(),
            decoy: OnceLock::new(),
        };
        if let Some(state) = file.decoy {
            let d = Self::build_decoy(&result, state)?;
            let _ = result.decoy.set(d);
        }
        Ok(result)
    }

    fn build_decoy(result: &StoredResult, state: DecoyState) -> Result<StoredDecoy> {
        let chunk = result
            .chunk(state.index)?
            .with_context(|| format!("decoy chunk {} does not exist", state.index))?;
        Ok(StoredDecoy {
            false_tree: false_tree(&result.tree, state.index, &chunk)?,
            state: RwLock::new(state),
        })
    }

    fn write_meta(&self, r: &StoredResult) -> Result<()> {
        write_atomic(
            &r.dir.join(META),
            &serde_json::to_vec_pretty(&r.meta_file())?,
        )?;
        sync_dir(&r.dir)
    }

    /// Gives result `id` a forced-error pair differing at leaf `index`
    /// (the false tree is built from the stored output), shown sealed with
    /// the `submitted` tree's root; durable before it returns. A pair that
    /// exists at `index` keeps its view (only `submitted` is updated); one
    /// at another index is an error.
    pub fn seal_decoy(&self, id: &str, index: u64, submitted: Tree) -> Result<Arc<StoredResult>> {
        let r = self
            .get(id)
            .with_context(|| format!("result {id} is not in the store"))?;
        let _guard = self
            .writing
            .lock()
            .map_err(|_| anyhow::anyhow!("result store lock poisoned"))?;
        match r.decoy() {
            Some(d) => {
                let mut s = d
                    .state
                    .write()
                    .map_err(|_| anyhow::anyhow!("decoy state poisoned"))?;
                ensure!(
                    s.index == index,
                    "result {id} has a forced-error pair at chunk {}, not {index}",
                    s.index
                );
                if s.submitted == submitted {
                    drop(s);
                    return Ok(r);
                }
                s.submitted = submitted;
            }
            None => {
                let d = Self::build_decoy(
                    &r,
                    DecoyState {
                        index,
                        submitted,
                        view: DecoyView::Sealed,
                    },
                )?;
                let _ = r.decoy.set(d);
            }
        }
        self.write_meta(&r)?;
        Ok(r)
    }

    /// Changes which tree of result `id`'s forced-error pair is shown
    /// (durably). Returns whether it changed; an error when the result has
    /// no pair.
    pub fn set_decoy_view(&self, id: &str, view: DecoyView) -> Result<bool> {
        let r = self
            .get(id)
            .with_context(|| format!("result {id} is not in the store"))?;
        let d = r
            .decoy()
            .with_context(|| format!("result {id} has no forced-error pair"))?;
        let _guard = self
            .writing
            .lock()
            .map_err(|_| anyhow::anyhow!("result store lock poisoned"))?;
        {
            let mut s = d
                .state
                .write()
                .map_err(|_| anyhow::anyhow!("decoy state poisoned"))?;
            if s.view == view {
                return Ok(false);
            }
            s.view = view;
        }
        self.write_meta(&r)?;
        Ok(true)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores a result durably; fails if the id exists.
    pub fn put(&self, new: NewResult) -> Result<Arc<StoredResult>> {
        validate_id(new.id)?;
        if self.get(new.id).is_some() {
            bail!("a result with id `{}` exists already", new.id);
        }
        let dir = self.root.join(new.id);
        if dir.exists() {
            // Leftover of an interrupted write.
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        write_atomic(&dir.join(OUTPUT), new.output)?;
        if let Some(png) = new.preview_png {
            write_atomic(&dir.join(PREVIEW), png)?;
        }
        let meta = ResultMeta {
            id: new.id.to_string(),
            template: new.template.to_string(),
            params: new.params.to_string(),
            kernel_sha256: new.kernel_sha256.to_string(),
            chunk_size: new.chunk_size,
            chunk_count: new.tree.leaf_count(),
            output_size: new.output.len() as u64,
            root: hex::encode(new.tree.root()),
            device: new.device.to_string(),
            created_at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            has_preview: new.preview_png.is_some(),
        };
        let leaves = (0..new.tree.leaf_count())
            .filter_map(|i| new.tree.leaf(i).map(hex::encode))
            .collect();
        let file = MetaFile {
            meta,
            leaves,
            decoy: None,
        };
        write_atomic(&dir.join(META), &serde_json::to_vec_pretty(&file)?)?;
        sync_dir(&dir)?;
        sync_dir(&self.root)?;
        let result = Arc::new(StoredResult {
            meta: file.meta,
            tree: new.tree.clone(),
            dir,
            decoy: OnceLock::new(),
        });
        self.results
            .write()
            .map_err(|_| anyhow::anyhow!("result index poisoned"))?
            .insert(new.id.to_string(), result.clone());
        Ok(result)
    }

    pub fn get(&self, id: &str) -> Option<Arc<StoredResult>> {
        self.results.read().ok()?.get(id).cloned()
    }

    /// Results in id order after `start_after`, at most `limit`.
    pub fn list(&self, start_after: Option<&str>, limit: usize) -> Vec<Arc<StoredResult>> {
        let Ok(map) = self.results.read() else {
            return Vec::new();
        };
        let iter: Box<dyn Iterator<Item = &Arc<StoredResult>>> = match start_after {
            Some(after) => Box::new(
                map.range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
                    .map(|(_, v)| v),
            ),
            None => Box::new(map.values()),
        };
        iter.take(limit).cloned().collect()
    }
}
