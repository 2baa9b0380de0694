//! caidan (菜单): a static site generator for trade-union lecture menus, brand matrices and news.
//!
//! The pipeline is visible in the modules: [`load`] reads the disk, [`resolve`] types and links
//! the entries, [`render`] turns them into pages, [`mod@write`] puts them on disk;
//! [`build`] drives the stages and [`cli`] is the command line. See ARCHITECTURE.md.

pub mod aside;
pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
/// Entry points for the fuzz targets in `tests/fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod index;
pub mod load;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod timing;
pub mod write;
