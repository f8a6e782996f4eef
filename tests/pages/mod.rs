//! bibia's HTML pages, judged as a user's browser sees them.

mod browser;
