"""The portal's pages: one layout, one stylesheet, French, server-rendered, no JS needed."""
