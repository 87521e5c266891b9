package dev.privacy.dpf.operator;

import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.operator.embedded.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An embedded API server, a client, and operators started against it. */
final class TestCluster implements AutoCloseable {
  final EmbeddedApiServer server = new EmbeddedApiServer().start();
  final NamespacedKubernetesClient client = server.client();
  final List<DpfOperator> operators = new ArrayList<>();

  static OperatorConfig config() {
    return OperatorConfig.defaults()
        .withHealthPort(-1)
        .withResyncPeriod(Duration.ofMillis(500))
        .with("webhook-port", "-1");
  }

  DpfOperator start(OperatorConfig cfg) {
    DpfOperator op = new DpfOperator(server.client(), cfg).start();
    operators.add(op);
    return op;
  }

  DpfOperator start(DpfOperator op) {
    op.start();
    operators.add(op);
    return op;
  }

  DpfOperator start() {
    return start(config());
  }

  /** Creates the objects of a YAML text (several documents allowed). */
  @SuppressWarnings("unchecked")
  <T extends HasMetadata> T create(String yaml) {
    Object o = Serialization.unmarshal(yaml);
    if (o instanceof List<?> list) {
      HasMetadata last = null;
      for (Object x : list) {
        last = client.resource((HasMetadata) x).create();
      }
      return (T) last;
    }
    return (T) client.resource((HasMetadata) o).create();
  }

  PrivateBlock block(String ns, String name) {
    return client.resources(PrivateBlock.class).inNamespace(ns).withName(name).get();
  }

  PrivacyClaim claim(String ns, String name) {
    return client.resources(PrivacyClaim.class).inNamespace(ns).withName(name).get();
  }

  /**
   * Reports a spend on a claim as a job would: read, set {@code spec.spent}, write; again on a 409
   * (the operator may write the claim's status in between).
   */
  void reportSpend(String ns, String name, String spentYaml) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              PrivacyClaim c = claim(ns, name);
              c.getSpec().setSpent(Yaml.demand(spentYaml));
              client.resource(c).update();
              return true;
            });
  }

  /** Waits until the scheduler has written each block's status (it has seen them). */
  void awaitSeen(String ns, String... names) {
    for (String n : names) {
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> block(ns, n).getStatus().getLedger() != null);
    }
  }

  ClaimPhase phase(String ns, String name) {
    PrivacyClaim c = claim(ns, name);
    return c == null || c.getStatus() == null ? null : c.getStatus().getPhase();
  }

  PrivacyClaim awaitPhase(String ns, String name, ClaimPhase phase) {
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> phase(ns, name) == phase);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      PrivacyClaim c = claim(ns, name);
      throw new AssertionError(
          "claim "
              + ns
              + "/"
              + name
              + " not "
              + phase
              + ": "
              + (c == null ? "gone" : Serialization.asYaml(c.getStatus())),
          e);
    }
    return claim(ns, name);
  }

  static String block(String ns, String name, String dataset, double eps, String extra) {
    return "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec:\n  dataset: "
        + dataset
        + "\n  budget: {epsilon: "
        + eps
        + ", delta: 1.0e-6}\n"
        + extra;
  }

  static String claim(String ns, String name, String blocks, String demand, String extra) {
    return "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivacyClaim\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec:\n  blocks: "
        + blocks
        + "\n  demand: "
        + demand
        + "\n"
        + extra;
  }

  @Override
  public void close() {
    for (DpfOperator op : operators) {
      op.close();
    }
    client.close();
    server.close();
  }
}
