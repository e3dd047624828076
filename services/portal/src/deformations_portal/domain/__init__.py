"""The portal's rules, free of any framework or I/O."""
