"""The output folder: staging, swapping, the output lock and the manifest of what a build wrote. The only writer of the output folder."""
