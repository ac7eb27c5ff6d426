package app

// Version is Casebook's version; FyneApp.toml says the same, and the
// archive's manifest records it.
const Version = "0.1.0"
