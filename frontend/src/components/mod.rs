//! Building blocks shared by the pages.

pub mod actions;
pub mod form;
pub mod icons;
pub mod misc;
pub mod modal;
pub mod notifications;
pub mod shell;
pub mod toast;
