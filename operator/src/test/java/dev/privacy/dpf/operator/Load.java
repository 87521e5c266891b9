package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Blocks and claims for scale tests and the load benchmark. */
final class Load {
  private Load() {}

  static void blocks(KubernetesClient client, String ns, int n) {
    for (int i = 0; i < n; i++) {
      client
          .resource(
              Serialization.unmarshal(
                  TestCluster.block(ns, name(i), "clicks", 10.0, "  accounting: Basic\n"),
                  PrivateBlock.class))
          .create();
    }
  }

  static String name(int i) {
    return String.format("day-%04d", i);
  }

  /** A claim of epsilon 0.1 on {@code k} distinct blocks out of {@code n}, chosen by {@code r}. */
  static PrivacyClaim claim(String ns, String name, int n, int k, Random r) {
    TreeSet<String> picked = new TreeSet<>();
    while (picked.size() < k) {
      picked.add(name(r.nextInt(n)));
    }
    List<String> names = new ArrayList<>(picked);
    return Serialization.unmarshal(
        TestCluster.claim(
            ns,
            name,
            "{dataset: clicks, names: " + names + "}",
            "{epsDelta: {epsilon: 0.1}}",
            "  timeout: 1h\n"),
        PrivacyClaim.class);
  }
}
