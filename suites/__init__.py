"""The suites that ship with wic-harness, installed as the package `harness_suites` (data only:
YAML files and their licences), so that `harness run polysemy` finds them in a wheel as in a
clone. See harness.suites.named."""
