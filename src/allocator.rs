//! The global allocator: a small start region first, mimalloc once a run outgrows it.
//!
//! mimalloc keeps each size class on its own 64 KiB page, so a small check (one
//! pipeline, a few dozen size classes, 50 KB live) touches 60 fresh memory pages where a
//! packed heap touches 13; on this machine a fresh page costs about 1.4 µs, a tenth of
//! a small check. Talc packs the start of every run into one static region; the first
//! allocation the region cannot hold (a large file, a large tree) moves the run to
//! mimalloc for good, where large pipelines are a quarter faster than with glibc's
//! allocator. A pointer's owner is known from its address: inside the region, Talc's.
#![allow(unsafe_code)] // a `GlobalAlloc` is unsafe by contract; each call says why it holds

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, Ordering};

use talc::source::Claim;
use talc::TalcLock;

/// The start region's size: what a typical check of one pipeline keeps live.
const REGION: usize = 1 << 20;

/// The start region, in `.bss`: a page costs nothing until it is first written.
static mut START: [u8; REGION] = [0; REGION];

/// Talc over the start region, claimed at the first allocation.
static FIRST: TalcLock<spinning_top::RawSpinlock, Claim> =
    // SAFETY: the region is used by nothing else and lives as long as the process.
    TalcLock::new(unsafe { Claim::array(&raw mut START) });

/// Set once the region could not serve an allocation: from then on mimalloc serves all.
static SPILLED: AtomicBool = AtomicBool::new(false);

/// The allocator `main.rs` installs.
pub(crate) struct Allocator;

/// Whether `ptr` lies in the start region (and so belongs to Talc).
fn in_region(ptr: *mut u8) -> bool {
    let base = (&raw const START).cast::<u8>() as usize;
    (ptr as usize).wrapping_sub(base) < REGION
}

/// What `first` gives while the region still serves, or `None` once the run has moved to
/// mimalloc; a null from `first` (the region cannot hold it) moves the run for good.
fn from_region(first: impl FnOnce() -> *mut u8) -> Option<*mut u8> {
    if SPILLED.load(Ordering::Relaxed) {
        return None;
    }
    let ptr = first();
    if ptr.is_null() {
        SPILLED.store(true, Ordering::Relaxed);
        return None;
    }
    Some(ptr)
}

// SAFETY: every pointer handed out comes from Talc (inside the region) or from mimalloc
// (never inside it: the region is this binary's own memory), and each is returned to the
// allocator its address names.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout contract is passed on unchanged.
        from_region(|| unsafe { FIRST.alloc(layout) })
            .unwrap_or_else(|| unsafe { mimalloc::MiMalloc.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // mimalloc knows which of its pages are still zero and skips clearing them.
        // SAFETY: the caller's layout contract is passed on unchanged.
        from_region(|| unsafe { FIRST.alloc_zeroed(layout) })
            .unwrap_or_else(|| unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_region(ptr) {
            // SAFETY: `ptr` came from Talc with this layout.
            unsafe { FIRST.dealloc(ptr, layout) }
        } else {
            // SAFETY: `ptr` came from mimalloc with this layout.
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_region(ptr) {
            // SAFETY: `ptr` came from mimalloc with this layout.
            return unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        }
        // SAFETY: `ptr` came from Talc with this layout; null when it cannot grow.
        if let Some(moved) = from_region(|| unsafe { FIRST.realloc(ptr, layout, new_size) }) {
            return moved;
        }
        // The region is full: the block moves to mimalloc.
        // SAFETY: `new_size` is non-zero and fits the alignment, as the caller promises.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as above.
        let moved = unsafe { mimalloc::MiMalloc.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct and at least this long.
            unsafe { std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size)) };
            // SAFETY: `ptr` came from Talc with this layout.
            unsafe { FIRST.dealloc(ptr, layout) };
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `len` bytes filled with `seed`-derived bytes, through the allocator.
    fn filled(len: usize, seed: u8) -> (*mut u8, Layout) {
        let layout = Layout::from_size_align(len, 8).expect("layout");
        // SAFETY: the layout is non-zero.
        let ptr = unsafe { Allocator.alloc(layout) };
        assert!(!ptr.is_null());
        for i in 0..len {
            // SAFETY: `i < len`, inside the block.
            unsafe { ptr.add(i).write(seed.wrapping_add(i as u8)) };
        }
        (ptr, layout)
    }

    fn holds(ptr: *mut u8, len: usize, seed: u8) -> bool {
        // SAFETY: the caller passes a live block of at least `len` bytes.
        (0..len).all(|i| unsafe { ptr.add(i).read() } == seed.wrapping_add(i as u8))
    }

    #[test]
    fn blocks_keep_their_bytes_across_the_spill_and_go_back_to_their_owner() {
        // Small blocks, most of them in the region (unless the test harness filled it).
        let small: Vec<_> = (0..200u8)
            .map(|i| filled(16 + usize::from(i) * 8, i))
            .collect();
        assert!(
            small.iter().any(|(ptr, _)| in_region(*ptr)),
            "the region serves first"
        );
        // Larger than the region: mimalloc serves it, and every allocation after it.
        let (big, big_layout) = filled(REGION * 2, 7);
        assert!(!in_region(big));
        assert!(SPILLED.load(Ordering::Relaxed));
        let (after, after_layout) = filled(64, 9);
        assert!(!in_region(after));
        // A region block grown after the spill moves to mimalloc with its bytes.
        let mut moved = Vec::new();
        for (i, (ptr, layout)) in small.into_iter().enumerate() {
            let seed = i as u8;
            assert!(holds(ptr, layout.size(), seed));
            if i % 2 == 0 {
                let grown = layout.size() * 3;
                // SAFETY: `ptr` is live with `layout`; the new size is non-zero.
                let new = unsafe { Allocator.realloc(ptr, layout, grown) };
                assert!(!new.is_null() && !in_region(new));
                assert!(holds(new, layout.size(), seed));
                let new_layout = Layout::from_size_align(grown, 8).expect("layout");
                moved.push((new, new_layout));
            } else {
                // SAFETY: `ptr` is live with `layout`.
                unsafe { Allocator.dealloc(ptr, layout) };
            }
        }
        assert!(holds(big, big_layout.size(), 7));
        // SAFETY: each block is live with its layout and freed once.
        unsafe {
            for (ptr, layout) in moved {
                Allocator.dealloc(ptr, layout);
            }
            Allocator.dealloc(big, big_layout);
            Allocator.dealloc(after, after_layout);
        }
        // Zeroed memory is zero from either allocator.
        let layout = Layout::from_size_align(4096, 64).expect("layout");
        // SAFETY: the layout is non-zero; the block is freed once.
        unsafe {
            let zeroed = Allocator.alloc_zeroed(layout);
            assert!(!zeroed.is_null() && (zeroed as usize).is_multiple_of(64));
            assert!((0..4096).all(|i| zeroed.add(i).read() == 0));
            Allocator.dealloc(zeroed, layout);
        }
    }
}
