"""Scanner output: reading files into pages, finding separator sheets and blank pages, splitting into documents."""
