# No provider: this module only reads the repository's definition files, so it can be evaluated
# (terraform console) without downloading anything; tests/contract/test_infra.py does.
terraform {
  required_version = ">= 1.10"
}
