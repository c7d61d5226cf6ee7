terraform {
  # Reads a file and derives values only: no provider, no resource.
  required_version = ">= 1.9"
}
