package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.Demand;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Small YAML helpers for tests. */
final class Yaml {
  private Yaml() {}

  static dev.privacy.dpf.crds.UnlockOverride unlock(String yaml) {
    try {
      return Serialization.yamlMapper().readValue(yaml, dev.privacy.dpf.crds.UnlockOverride.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(yaml, e);
    }
  }

  static Demand demand(String yaml) {
    try {
      return Serialization.yamlMapper().readValue(yaml, Demand.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(yaml, e);
    }
  }
}
