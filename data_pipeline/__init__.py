"""Write side of Mind the Gap: raw public files -> the atlas under geodata/."""
