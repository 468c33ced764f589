//! The atomic writer: the bytes go to a temporary file in the target's own folder, which
//! is then renamed (or hard-linked, to refuse an existing file without a race) into place.
//! A failed write leaves no partial file behind. Every writer of kaslint (generator,
//! `--fix`, caches) goes through it.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a write failed, worded for the user.
#[derive(Debug)]
pub struct WriteError(pub String);

/// Write `bytes` to `path`. Without `force`, an existing `path` is an error and is left
/// untouched. Missing parent folders are created.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<(), WriteError> {
    write(path, bytes, force, true)
}

/// [`write_atomic`] with `force`, without waiting for the disk (`fsync`, ~0.4 ms a file):
/// for cache entries, which are checked when read and rewritten when a crash tore them.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write(path, bytes, true, false)
}

fn write(path: &Path, bytes: &[u8], force: bool, sync: bool) -> Result<(), WriteError> {
    let shown = path.display();
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(exists(path));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| WriteError(format!("`{shown}` does not name a file")))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        fs::create_dir_all(&dir).map_err(|e| {
            WriteError(format!("cannot create the folder `{}`: {e}", dir.display()))
        })?;
    }
    let (tmp, mut file) = temp_file(&dir, &file_name.to_string_lossy()).map_err(|e| {
        WriteError(format!(
            "cannot create a temporary file in `{}`: {e}",
            dir.display()
        ))
    })?;
    // `--force` keeps the replaced file's permissions (e.g. a private 0600 file).
    if let Ok(meta) = fs::metadata(path) {
        let _ = file.set_permissions(meta.permissions());
    }
    let result = file
        .write_all(bytes)
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
        .map_err(|e| WriteError(format!("cannot write `{shown}`: {e}")))
        .and_then(|()| {
            drop(file);
            place(&tmp, path, force)
        });
    // Whatever happened, the temporary file must not stay behind.
    let _ = fs::remove_file(&tmp);
    result
}

fn exists(path: &Path) -> WriteError {
    WriteError(format!(
        "`{}` already exists; pass --force to overwrite it",
        path.display()
    ))
}

/// Move the finished temporary file to `path`.
fn place(tmp: &Path, path: &Path, force: bool) -> Result<(), WriteError> {
    let shown = path.display();
    if force {
        return fs::rename(tmp, path)
            .map_err(|e| WriteError(format!("cannot write `{shown}`: {e}")));
    }
    // A hard link fails if `path` appeared since the check above: no overwrite race.
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists(path)),
        // File systems without hard links: check again, then rename.
        Err(_) => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(exists(path));
            }
            fs::rename(tmp, path).map_err(|e| WriteError(format!("cannot write `{shown}`: {e}")))
        }
    }
}

/// A new file `.<name>.<pid>.<n>.tmp` in `dir`, created exclusively.
fn temp_file(dir: &Path, name: &str) -> io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}
